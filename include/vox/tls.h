/* SPDX-License-Identifier: MIT */
/*
 * vox/tls.h: TLS 1.2 (RFC 5246) over mbedTLS, client and server, as a
 * sans-I/O engine with the checks SIP needs on by default. docs/tls.md is
 * the guide: what each default protects against, how to read a failure,
 * how to decrypt a capture with the key log.
 *
 * The engine never touches a socket (docs/architecture.md, Sans-I/O): the
 * transport hands it the bytes that arrived (vox_tls_conn_recv) and sends
 * the bytes it produces (vox_tls_conn_poll_output); the layer above writes
 * and reads plaintext (vox_tls_conn_write, vox_tls_conn_read) and drains
 * events (vox_tls_conn_next_event). Over TCP TLS has no timer of its own,
 * so there is no next_deadline: how long a handshake may take is the
 * transport's decision.
 *
 * What this seam sets instead of inheriting mbedTLS 2.28's defaults (the
 * values are in transport/tls.c, setup_conf):
 *  - TLS 1.2 only: 2.28 accepts TLS 1.0 and 1.1 unless told otherwise;
 *  - ECDHE key exchange with AEAD ciphers (AES-GCM, ChaCha20-Poly1305)
 *    only, so a server key stolen later cannot decrypt recorded SDES keys;
 *  - curves P-256, X25519, P-384, P-521 (not the 192- and 224-bit ones);
 *    certificates need SHA-256 or better, RSA of 2048 bits or more, EC
 *    curves of 128-bit strength (mbedtls_x509_crt_profile_next);
 *  - renegotiation off (a peer's attempt is answered with a
 *    no_renegotiation warning and the connection goes on); vox never
 *    resumes a session, so every connection verifies a certificate;
 *  - the peer's certificate verified (chain to a trust anchor, validity
 *    dates, key usage) and, on a client, its name checked by vox itself as
 *    RFC 5922 7.1 and 7.2 say: against the name the user asked for (the
 *    host of the SIP URI), never a resolved address; wildcards refused. A
 *    client also sends that name as SNI (RFC 6066 3), unless it is an IP
 *    literal. (mbedTLS's own check accepts wildcards, and in 2.28.3 checks
 *    no name at all on a session whose mbedtls_ssl_set_hostname was never
 *    called.)
 *
 * What mbedTLS does behind your back:
 *  - it allocates. vox_tls_conn_init (mbedtls_ssl_setup) allocates two
 *    record buffers of 16717 bytes each and the handshake's state, 36 KiB
 *    in all: Debian's build has MBEDTLS_SSL_IN/OUT_CONTENT_LEN 16384 and
 *    no MBEDTLS_SSL_VARIABLE_BUFFER_LENGTH, so neither the
 *    max_fragment_length extension nor anything vox can set shrinks the
 *    buffers; only a rebuilt mbedTLS does. The handshake adds its
 *    ephemeral keys, the record keys and the peer's certificate chain,
 *    which the session keeps (MBEDTLS_SSL_KEEP_PEER_CERTIFICATE), and
 *    frees its state when it ends. Measured (test_memory in
 *    tests/test_tls.c, P-256 certificates, one in the server's chain):
 *    42 KiB at the handshake's peak, 36 KiB held while open (client; the
 *    server, which keeps no peer certificate, 35 KiB). Add
 *    sizeof(struct vox_tls_conn), 9.2 KiB with the default VOX_TLS_BUF
 *    (its two buffers and mbedTLS's context). A config allocates its
 *    parsed certificates: Debian 12's system store (144 roots) takes
 *    about 460 KiB of heap, once per config, shared by its connections;
 *  - it reads the system clock (time()) to check certificate dates, and
 *    vox_tls_config_init reads the files it is given;
 *  - nothing here is thread-safe: a config and its connections, and a
 *    struct vox_tls_rng, belong to one thread.
 *
 * Cost: a handshake costs each side an ECDHE key pair and a shared
 * secret; the server signs (ECDSA or RSA), the client verifies that
 * signature and the certificate chain's. Measured in memory, P-256 ECDHE
 * and ECDSA certificates, one core: 2.2 ms of CPU on the server side and
 * 4.5 ms on the client side per handshake, the same as mbedTLS alone with
 * these settings within the noise (vox's part is copying and the name
 * check: under 1 %).
 *
 * Built with mbedTLS 2.28 LTS: transport/tls.c reads a few fields of
 * mbedtls_ssl_context (the alert received, the handshake state, bytes
 * held back) that mbedTLS 3 made private.
 */
#ifndef VOX_TLS_H
#define VOX_TLS_H

#include "vox/base.h"

/* With VOX_WITH_TLS = 0 (vox/config.h) transport/tls*.c compile to nothing
 * and this header declares nothing. */
#if VOX_WITH_TLS

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bytes of a certificate fingerprint (SHA-256 of its DER encoding). */
#define VOX_TLS_FP_LEN 32
/* Longest host name a client connection takes (RFC 1035 2.3.4: 253
 * characters in text form). */
#define VOX_TLS_MAX_HOST 253

enum vox_tls_role { VOX_TLS_CLIENT = 1, VOX_TLS_SERVER };

/* Why a connection failed (vox_tls_info.cause), or what is wrong with a
 * certificate that did not end it (vox_tls_info.cert_problem).
 * vox_tls_cause_name() gives a stable identifier for logs and JSON (the
 * one in quotes), vox_tls_cause_text() a sentence for a person,
 * vox_tls_cause_err() the vox_err the engine returns for it. */
enum vox_tls_cause {
	VOX_TLS_CAUSE_NONE = 0,
	/* -- the peer's certificate, as we checked it -- */
	/* "expired": past its notAfter date */
	VOX_TLS_CAUSE_EXPIRED,
	/* "not-yet-valid": before its notBefore date (or our clock is behind) */
	VOX_TLS_CAUSE_NOT_YET_VALID,
	/* "unknown-ca": no chain to a trust anchor */
	VOX_TLS_CAUSE_UNKNOWN_CA,
	/* "name-mismatch": it does not name the host asked for */
	VOX_TLS_CAUSE_NAME_MISMATCH,
	/* "wildcard": it names the host only through a wildcard, which RFC
	 * 5922 7.2 refuses */
	VOX_TLS_CAUSE_WILDCARD,
	/* "bad-certificate": key usage, weak key or hash, revoked, or it does
	 * not parse (verify_flags say which) */
	VOX_TLS_CAUSE_BAD_CERT,
	/* "pin-mismatch": not the certificate pinned for this host (pinned_fp
	 * and peer_fp show both) */
	VOX_TLS_CAUSE_PIN_MISMATCH,
	/* "pin-store": the pin store could not be read or written */
	VOX_TLS_CAUSE_PIN_STORE,
	/* "missing-client-cert": the server requires a client certificate and
	 * none was sent */
	VOX_TLS_CAUSE_NO_CLIENT_CERT,
	/* -- the negotiation -- */
	/* "no-shared-cipher": no ECDHE+AEAD suite (or curve) in common; also
	 * what a client sees of a server that speaks only TLS 1.1 or older,
	 * which finds no suite of TLS 1.2 to pick */
	VOX_TLS_CAUSE_NO_SHARED_CIPHER,
	/* "protocol-version": the peer wants a TLS version below 1.2 */
	VOX_TLS_CAUSE_PROTOCOL_VERSION,
	/* -- the peer -- */
	/* "peer-refused-certificate": the peer refused our certificate (info.alert
	 * says how) */
	VOX_TLS_CAUSE_PEER_REFUSED_CERT,
	/* "peer-alert": the peer ended the connection with a fatal alert
	 * (info.alert) */
	VOX_TLS_CAUSE_PEER_ALERT,
	/* "closed": the transport closed without a TLS close_notify */
	VOX_TLS_CAUSE_CLOSED,
	/* "protocol-error": the bytes received are not the TLS the state
	 * expects */
	VOX_TLS_CAUSE_PROTOCOL,
	/* "internal": mbedTLS ran out of memory, or the rng failed */
	VOX_TLS_CAUSE_INTERNAL
};

enum vox_tls_state {
	VOX_TLS_HANDSHAKE = 1, /* from vox_tls_conn_init */
	VOX_TLS_OPEN,          /* application data flows */
	VOX_TLS_CLOSED,        /* ended by a close_notify or the transport */
	VOX_TLS_FAILED         /* ended by an error: info.cause says which */
};

/* How the peer's certificate came to be trusted. */
enum vox_tls_trust {
	VOX_TLS_TRUST_NONE = 0,  /* not (yet), or no certificate */
	VOX_TLS_TRUST_CA,        /* chains to a trust anchor (and names the host) */
	VOX_TLS_TRUST_PIN_FIRST, /* unknown CA, no pin yet: pinned now (TOFU) */
	VOX_TLS_TRUST_PIN_MATCH, /* unknown CA, the pinned certificate */
	VOX_TLS_TRUST_OFF        /* insecure_no_verify: nothing was checked */
};

/* What a connection knows about itself (vox_tls_conn_info). */
struct vox_tls_info {
	enum vox_tls_state state;
	enum vox_tls_trust trust;
	/* 1 when the peer's certificate chains to a trust anchor and, on a
	 * client, names the host we asked for; on a server, when the client
	 * showed a certificate that chains to one. This is the bit the SDES
	 * rule reads: a pinned certificate, or a client with verification
	 * off, is 0. */
	uint8_t verified;
	uint8_t peer_cert;                 /* 1: peer_fp holds its fingerprint */
	uint8_t peer_fp[VOX_TLS_FP_LEN];   /* SHA-256 of the peer's certificate */
	uint8_t pinned_fp[VOX_TLS_FP_LEN]; /* PIN_MISMATCH: the pin on file */
	enum vox_tls_cause cause;          /* FAILED: why; CLOSED: CLOSED or NONE */
	/* What is wrong with the peer's certificate, also where that did not
	 * end the connection: a client with insecure_no_verify, a server whose
	 * client certificate is optional. NONE if nothing (or none shown). */
	enum vox_tls_cause cert_problem;
	uint32_t verify_flags; /* mbedTLS's MBEDTLS_X509_BADCERT_* bits */
	uint8_t alert;         /* fatal alert the peer sent (0: none) */
	int mbedtls_err;       /* mbedTLS's error code behind cause (0: none) */
	uint8_t keylog;        /* 1: this connection's secret went to the key log */
	const char *version;   /* "TLSv1.2" once open; static; NULL before */
	const char *suite;     /* mbedTLS's name of the suite; static; NULL before */
};

enum vox_tls_event_type {
	VOX_TLS_EV_CONNECTED = 1, /* handshake done: info says how trusted */
	VOX_TLS_EV_PINNED,        /* TOFU: the peer's certificate was pinned now */
	VOX_TLS_EV_CLOSED,        /* cause: NONE (close_notify) or CLOSED */
	VOX_TLS_EV_FAILED         /* cause says why */
};

struct vox_tls_event {
	enum vox_tls_event_type type;
	enum vox_tls_cause cause;
};

/* ---- trust on first use ------------------------------------------------ */

/* A pin store, for trust-on-first-use (opts.pins). host is the name the
 * client asked for (not NUL-terminated, valid during the call).
 * lookup returns 1 and fills fp when host has a pin, 0 when it has none,
 * or a negative vox_err when the store cannot be read.
 * store pins fp for host; returns 0 or a negative vox_err. vox calls it
 * only after a handshake whose certificate had no pin succeeded. */
typedef int (*vox_tls_pin_lookup_fn)(void *ctx, struct vox_slice host, uint8_t fp[VOX_TLS_FP_LEN]);
typedef int (*vox_tls_pin_store_fn)(void *ctx, struct vox_slice host,
                                    const uint8_t fp[VOX_TLS_FP_LEN]);

struct vox_tls_pins {
	vox_tls_pin_lookup_fn lookup; /* NULL: no trust-on-first-use */
	vox_tls_pin_store_fn store;
	void *ctx;
};

/* The reference pin store: a text file, one "host hex-fingerprint" line
 * per host (host compared without regard to case), appended to on first
 * use. ctx is a struct vox_tls_pin_file. The file is read at every lookup
 * and created by the first store.
 *   struct vox_tls_pin_file pf = {"pins.txt"};
 *   opts.pins = (struct vox_tls_pins){vox_tls_pin_file_lookup,
 *                                     vox_tls_pin_file_store, &pf};
 * lookup returns 1, 0, or VOX_EIO (the file exists but cannot be read),
 * VOX_EMALFORMED (a line is not "host 64-hex-digits", or longer than
 * VOX_TLS_MAX_HOST + 66 bytes); store returns 0, VOX_EIO (cannot append),
 * VOX_EINVAL (host has a space or a line end), or VOX_EPOLICY (host has
 * a different pin already: a second connection pinned it meanwhile). */
struct vox_tls_pin_file {
	const char *path;
};
VOX_MUST_CHECK int vox_tls_pin_file_lookup(void *ctx, struct vox_slice host,
                                           uint8_t fp[VOX_TLS_FP_LEN]);
VOX_MUST_CHECK int vox_tls_pin_file_store(void *ctx, struct vox_slice host,
                                          const uint8_t fp[VOX_TLS_FP_LEN]);

/* ---- key log ------------------------------------------------------------ */

/* Receives one key-log line in NSS's format (the SSLKEYLOGFILE format
 * Wireshark reads): "CLIENT_RANDOM <64 hex digits> <96 hex digits>", the
 * client random and the master secret, without a line end. line is valid
 * during the call. Whoever has these lines can decrypt the connection. */
typedef void (*vox_tls_keylog_fn)(void *ctx, struct vox_slice line);
/* The reference sink: ctx is a FILE * (opened for appending); writes the
 * line and a newline and flushes. Write errors are not reported. */
void vox_tls_keylog_file(void *ctx, struct vox_slice line);

/* ---- configuration -------------------------------------------------------- */

/* What vox_tls_config_init reads. Zero-initialise and set what you need:
 * every field left at zero is the safe default. Certificates and keys are
 * PEM or DER, in memory (with or without a trailing NUL) or in a file.
 * They are parsed and copied by config_init; nothing here is kept. */
struct vox_tls_opts {
	enum vox_tls_role role;
	/* Trust anchors: the CA certificates that verify the peer. A client
	 * given none uses the system store, VOX_TLS_SYSTEM_CA. A server given
	 * none asks for no client certificate. Both may be given. */
	const char *ca_file;
	const uint8_t *ca;
	size_t ca_len;
	/* Our certificate (chain, leaf first) and its private key. A server
	 * needs them; a client shows them when the server asks (mutual TLS). */
	const char *cert_file, *key_file;
	const uint8_t *cert, *key;
	size_t cert_len, key_len;
	/* Server: refuse a client that shows no certificate (needs CAs). */
	uint8_t require_client_cert;
	/* Client: check nothing about the server's certificate (it is still
	 * examined: info.cert_problem says what a check would have found).
	 * Every connection is then unverified (info.verified 0, trust OFF). */
	uint8_t insecure_no_verify;
	/* Client: trust on first use. A certificate that does not chain to a
	 * trust anchor is accepted if it is the one pinned for the host, or
	 * pinned if the host has none; any later change is refused
	 * (PIN_MISMATCH). Dates and the name are still checked. */
	struct vox_tls_pins pins;
	/* The key log (NSS format), off when NULL. vox_tls_config_init then
	 * logs a warning through log; the application should print one too. */
	vox_tls_keylog_fn keylog;
	void *keylog_ctx;
	/* Random bytes for key exchange, signatures and nonces. Required.
	 * struct vox_tls_rng is the reference. */
	struct vox_rng rng;
	/* Where the key-log warning goes (may be empty). */
	struct vox_log log;
};

/* Shared by the connections made with it; must outlive them. Complete
 * type; its members belong to transport/tls.c. Must not move after init
 * (mbedTLS keeps pointers into it). */
struct vox_tls_config {
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca, own_cert;
	mbedtls_pk_context own_key;
	struct vox_rng rng;
	struct vox_tls_pins pins;
	vox_tls_keylog_fn keylog;
	void *keylog_ctx;
	enum vox_tls_role role;
	uint8_t insecure_no_verify;
	uint8_t ready;
};

/* Sets cfg up from o. Returns 0, or (with why->what saying which input,
 * why->off 0; why may be NULL) and nothing to free:
 *   VOX_EINVAL    a bad role or rng; a server without certificate and key;
 *                 a certificate without its key or the other way round;
 *                 a key that does not belong to the certificate;
 *                 require_client_cert without CAs; insecure_no_verify on
 *                 a server or with pins; pins without lookup or store;
 *                 both a file and memory for the certificate or the key
 *   VOX_ENOTFOUND a file cannot be read (the system store included)
 *   VOX_EMALFORMED a certificate or key does not parse (a CA file in
 *                 which any certificate fails; the system store is
 *                 accepted if at least one parses)
 *   VOX_ECRYPTO   mbedTLS could not set up (out of memory) */
VOX_MUST_CHECK int vox_tls_config_init(struct vox_tls_config *cfg, const struct vox_tls_opts *o,
                                       struct vox_diag *why);
/* Frees what mbedTLS allocated and wipes cfg (the private key with it).
 * NULL and a second call are fine. Free the connections first. */
void vox_tls_config_free(struct vox_tls_config *cfg);

/* ---- a connection ----------------------------------------------------------- */

/* One TLS connection. Complete type; its members belong to
 * transport/tls.c; read it through vox_tls_conn_info. Must not move
 * between init and free (mbedTLS keeps pointers to it). */
struct vox_tls_conn {
	mbedtls_ssl_context ssl;
	const struct vox_tls_config *cfg;
	struct vox_tls_info info;
	int err; /* FAILED: the vox_err every call returns */
	char host[VOX_TLS_MAX_HOST + 1];
	size_t host_len;
	uint8_t host_ip[16]; /* the host is an IP literal: its 4 or 16 bytes */
	uint8_t host_ip_len;
	uint8_t eof;             /* the transport closed */
	uint8_t untrusted;       /* the chain reached no trust anchor */
	uint8_t name_ok;         /* client: the leaf names the host (RFC 5922) */
	uint8_t wildcard;        /* client: only a wildcard would have named it */
	uint8_t pin;             /* the pin check: PIN_FIRST, PIN_MATCH, 0xff mismatch, or 0 */
	uint8_t pin_err;         /* the pin store failed */
	uint8_t in[VOX_TLS_BUF]; /* received, not yet read by mbedTLS */
	size_t in_off, in_len;
	uint8_t out[VOX_TLS_BUF]; /* written by mbedTLS, not yet polled */
	size_t out_off, out_len;
	struct vox_tls_event ev[4];
	unsigned ev_head, ev_len;
};

/* Starts a connection made with cfg (a client sends its ClientHello at
 * the first vox_tls_conn_poll_output). host: on a client, the name the
 * user asked for, the host of the SIP URI (a DNS name, or an IP literal,
 * IPv6 with or without brackets), never an address a resolver produced;
 * on a server, empty. It is copied. Returns 0, or
 *   VOX_EINVAL   cfg not set up; a client without host (unless
 *                insecure_no_verify) or a server with one; a host that
 *                is not a DNS name or IP literal
 *   VOX_ETOOLONG host longer than VOX_TLS_MAX_HOST
 *   VOX_ECRYPTO  mbedTLS could not allocate its buffers
 * On error nothing needs freeing (vox_tls_conn_free is still fine). */
VOX_MUST_CHECK int vox_tls_conn_init(struct vox_tls_conn *c, const struct vox_tls_config *cfg,
                                     struct vox_slice host);
/* Bytes that arrived from the transport; len 0 says the transport closed
 * (EOF). All len bytes are taken, or none: the engine holds at most
 * VOX_TLS_BUF bytes that mbedTLS has not read yet (vox_tls_conn_recv_room
 * says how many more fit). Runs the handshake as far as the bytes allow.
 * Returns 0, or
 *   VOX_ENOSPC   len > vox_tls_conn_recv_room(c): nothing taken; read
 *                plaintext (vox_tls_conn_read) to make room
 *   VOX_ECLOSED  the connection is closed
 *   the failure's code (vox_tls_cause_err) if the handshake failed now
 *   or before: VOX_EAUTH (a certificate), VOX_EPOLICY (version, ciphers),
 *   VOX_EMALFORMED (not TLS), VOX_ECLOSED (peer's alert, transport
 *   closed), VOX_EIO (pin store), VOX_ECRYPTO (internal). */
VOX_MUST_CHECK int vox_tls_conn_recv(struct vox_tls_conn *c, const uint8_t *in, size_t len);
/* How many bytes vox_tls_conn_recv takes now. */
size_t vox_tls_conn_recv_room(const struct vox_tls_conn *c);
/* Copies bytes to send to the transport into out (cap bytes), in order.
 * Returns the count, 0 when there is nothing to send. Call it after every
 * other call until it returns 0: it also lets a handshake blocked on a
 * full buffer go on (and so can queue events), and it still delivers the
 * alert that reports a failure. Cannot fail. */
int vox_tls_conn_poll_output(struct vox_tls_conn *c, uint8_t *out, size_t cap);
/* Encrypts application data. Returns the number of bytes taken (from 1
 * to len: one record at a time, as much as the output buffer holds; call
 * again with the rest), 0 for len 0, or
 *   VOX_ENOSPC   the output buffer is full: poll_output first
 *   VOX_ESTATE   the handshake is not done (wait for EV_CONNECTED), or
 *                the connection was closed
 *   the failure's code if the connection failed. */
VOX_MUST_CHECK int vox_tls_conn_write(struct vox_tls_conn *c, const uint8_t *data, size_t len);
/* Decrypts received application data into out (cap bytes). Returns the
 * count, 0 when none is ready (or the handshake is not done), or
 *   VOX_ECLOSED  the peer closed (EV_CLOSED is queued the first time; a
 *                close_notify is answered with ours)
 *   the failure's code if the connection failed (now: EV_FAILED). */
VOX_MUST_CHECK int vox_tls_conn_read(struct vox_tls_conn *c, uint8_t *out, size_t cap);
/* Sends a close_notify (RFC 5246 7.2.1) and ends the connection (state
 * CLOSED; poll_output delivers the alert). Returns 0, VOX_ESTATE if it
 * was not open, or the failure's code. */
VOX_MUST_CHECK int vox_tls_conn_close(struct vox_tls_conn *c);
/* Next queued event: 1 and *ev, or 0. A connection has at most three
 * events in its life (PINNED, CONNECTED, then CLOSED or FAILED) and the
 * queue holds four, so none is ever dropped. */
int vox_tls_conn_next_event(struct vox_tls_conn *c, struct vox_tls_event *ev);
/* The connection's state, trust and failure (c not NULL; after a failed
 * init the state is 0). The pointer is into c: valid until
 * vox_tls_conn_free, its contents until the next call on c. */
const struct vox_tls_info *vox_tls_conn_info(const struct vox_tls_conn *c);
/* Frees mbedTLS's buffers (which it wipes) and wipes c. NULL and a second
 * call are fine; so is a c whose init failed. */
void vox_tls_conn_free(struct vox_tls_conn *c);

/* ---- names --------------------------------------------------------------------- */

/* Static strings, never NULL ("unknown" outside the enum). */
const char *vox_tls_cause_name(enum vox_tls_cause cause);
const char *vox_tls_cause_text(enum vox_tls_cause cause);
/* The vox_err the engine returns for a failure with this cause (0 for
 * NONE). */
int vox_tls_cause_err(enum vox_tls_cause cause);
/* RFC 5246 7.2's name of an alert ("handshake_failure"), "unknown" for
 * other numbers. Static. */
const char *vox_tls_alert_name(uint8_t alert);

/* ---- certificates for tests and demos ---------------------------------------- */

enum vox_tls_format { VOX_TLS_PEM = 1, VOX_TLS_DER };

/* A certificate to make, with a new P-256 key, signed with ECDSA-SHA256:
 * a CA (ca = 1), or an end-entity certificate for a server or client.
 * Without an issuer it is self-signed (a root CA, or a self-signed server
 * for trust on first use); with one, issued by it. */
struct vox_tls_cert_spec {
	const char *cn;         /* subject commonName: printable ASCII without ,+=\"<>;# */
	const char *const *dns; /* subjectAltName dNSName entries */
	size_t n_dns;
	const char *const *uris; /* subjectAltName URIs ("sip:example.com") */
	size_t n_uris;
	const struct vox_addr *ips; /* subjectAltName iPAddress entries */
	size_t n_ips;
	int64_t not_before, not_after; /* seconds since 1970-01-01 UTC */
	uint8_t ca;
	const uint8_t *issuer_cert, *issuer_key; /* PEM or DER, NULL: self-signed */
	size_t issuer_cert_len, issuer_key_len;
};

/* Where vox_tls_cert_make writes (capacities in, lengths out). PEM output
 * is followed by a NUL that len does not count (cap must leave room). */
struct vox_tls_cert_out {
	uint8_t *key, *cert;
	size_t key_cap, cert_cap;
	size_t key_len, cert_len;
};

/* Makes a key pair and a certificate as spec says (x509write of mbedTLS;
 * `vox demo` and the tests make their CA this way, in memory). A few
 * hundred bytes hold a key; 1 KiB a DER certificate with a handful of
 * names, 2 KiB its PEM. Returns 0, or
 *   VOX_EINVAL     no cn, or a character it may not have; a name with a
 *                  character a DNS name, URI or IP cannot have; a date
 *                  outside 1950..9999, or not_after before not_before;
 *                  only one of issuer_cert and issuer_key; an issuer that
 *                  is not a CA or whose key is not the certificate's
 *   VOX_EMALFORMED the issuer's certificate or key does not parse
 *   VOX_ETOOLONG   the names take more than 1 KiB
 *   VOX_ENOSPC     out->key_cap or out->cert_cap is too small
 *   VOX_ERNG       the rng failed; VOX_ECRYPTO: mbedTLS failed
 * On error out holds nothing useful; the key buffer is wiped. */
VOX_MUST_CHECK int vox_tls_cert_make(const struct vox_tls_cert_spec *spec, enum vox_tls_format fmt,
                                     struct vox_rng rng, struct vox_tls_cert_out *out);

/* ---- the reference random source ---------------------------------------- */

/* mbedTLS's CTR-DRBG (AES-256) seeded from its entropy source, which reads
 * the operating system's (getrandom(), or /dev/urandom). This is vox's
 * reference vox_rng hook: {vox_tls_rng_bytes, &r}. It lives in the
 * caller's struct; one per thread. */
struct vox_tls_rng {
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
	uint8_t ready;
};

/* Seeds r. Returns 0, or VOX_ERNG (the OS gave no entropy) with nothing
 * to free. */
VOX_MUST_CHECK int vox_tls_rng_init(struct vox_tls_rng *r);
/* A vox_rng_fn: ctx is a struct vox_tls_rng set up by vox_tls_rng_init.
 * Returns 0, or VOX_ERNG (not set up, or reseeding failed). */
VOX_MUST_CHECK int vox_tls_rng_bytes(void *ctx, uint8_t *out, size_t len);
/* Wipes r. NULL and a second call are fine. */
void vox_tls_rng_free(struct vox_tls_rng *r);

#ifdef __cplusplus
}
#endif

#endif /* VOX_WITH_TLS */

#endif /* VOX_TLS_H */
