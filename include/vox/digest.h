/* SPDX-License-Identifier: MIT */
/*
 * vox/digest.h: SIP digest authentication (RFC 3261 22 and 25.1, with the
 * algorithms of RFC 7616 brought to SIP by RFC 8760).
 *
 * Algorithms: MD5, SHA-256 and SHA-512-256, each also as "-sess"
 * (SHA-256 and SHA-512-256 need VOX_WITH_DIGEST_SHA2). qop: "auth",
 * "auth-int", and none (the RFC 2069 form, client side only).
 *
 * Client (UAC): parse each WWW-Authenticate / Proxy-Authenticate value of a
 * 401 / 407 with vox_sip_auth_parse, choose one with vox_digest_pick, load it
 * into a struct vox_digest_client with vox_digest_client_recv, then write
 * the Authorization / Proxy-Authorization value of each request with
 * vox_digest_client_print. The client copies what it keeps from the
 * challenge (realm, nonce, opaque), so the response buffer may go away; it
 * counts nc per nonce and can answer later requests with the same nonce.
 *
 * Server (registrar, proxy): vox_digest_challenge_print writes a challenge
 * with a stateless nonce; vox_digest_username gives the user name of a
 * parsed Authorization to look up; vox_digest_server_verify checks it.
 *
 * Stateless nonces. A nonce is base64 of
 *     version (1) | issue time, ms (8) | random (8) | HMAC-SHA-256 (16)
 * where the MAC (truncated to 128 bits) is keyed by the server's secret and
 * covers the version, time and random bytes, the realm and the caller's
 * "peer" bytes (for example the client's address and port; empty to bind
 * nothing). The server therefore keeps no table: any nonce whose MAC
 * verifies was issued by this server for this realm and peer, and its age
 * is now minus the time it carries.
 *
 * The trade-off. Without per-nonce state the server cannot remember the
 * highest nc it has seen, so it cannot refuse a replayed Authorization: a
 * copy of a request's credentials is accepted again (for the same method,
 * digest-uri, and body under auth-int) until the nonce expires. vox limits
 * that window instead: nonces live lifetime_ms (default 30 s), a nonce
 * issued "in the future" (a clock that went back, a restart) counts as
 * expired, and binding the peer address stops replays from elsewhere. A
 * caller that needs strict replay protection can keep a small table of
 * (nonce, highest nc) itself: vox_digest_server_verify reports both in
 * struct vox_digest_info. TLS stops the capture in the first place. Short
 * nonces cost a client one extra 401 (stale=TRUE, answered without asking
 * the user) when it reuses a nonce past its lifetime.
 *
 * Secrets (passwords, HA1, the server key) are read from the caller's
 * memory and never copied, except the server key, which struct
 * vox_digest_server holds until vox_digest_server_free wipes it. Every
 * internal buffer that held a secret or a value derived from one is wiped
 * with vox_wipe before a function returns. Parsed challenges and
 * credentials (struct vox_sip_auth) are read during the call only.
 *
 * What mbedTLS does behind your back: the nonce MAC is mbedTLS's HMAC
 * (mbedtls_md_hmac_*), whose context mbedtls_md_setup takes from the heap.
 * vox_digest_challenge_print and vox_digest_server_verify therefore
 * allocate two small blocks (236 bytes with mbedTLS 2.28) through
 * mbedtls_calloc, and zeroize and free them before they return; a build
 * without malloc points mbedtls_calloc at a static pool
 * (MBEDTLS_MEMORY_BUFFER_ALLOC_C). A failed allocation is VOX_ECRYPTO. The
 * hashes of the response itself allocate nothing. Comparisons of MACs and
 * responses are mbedtls_ct_memcmp: their time does not depend on the bytes.
 *
 * Not implemented: the "username*" (RFC 8187) form and charset= of RFC
 * 7616 (SIP user names are ASCII or UTF-8 as they are), Authentication-Info
 * (RFC 7616 3.5), and more than one challenge answered in one request.
 */
#ifndef VOX_DIGEST_H
#define VOX_DIGEST_H

#include "vox/base.h"
#include "vox/sip.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest realm, nonce or opaque (after removing quoting escapes) a client
 * keeps, in bytes. A longer one gives VOX_ETOOLONG. */
#ifndef VOX_DIGEST_MAX_VALUE
#define VOX_DIGEST_MAX_VALUE 256
#endif

/* Length of the registrar's secret key in bytes (from a CSPRNG, kept
 * across restarts or not: a new key only invalidates outstanding nonces). */
#define VOX_DIGEST_KEY_LEN 32
/* Longest hash output in bytes, and its length in hex. */
#define VOX_DIGEST_MAX_HASH 32
#define VOX_DIGEST_MAX_HEX  64
/* Length of the cnonce the client sends (hex of 16 random bytes). */
#define VOX_DIGEST_CNONCE_LEN 32
/* Nonce lifetime vox_digest_server_init uses when given 0, in ms. */
#define VOX_DIGEST_DEFAULT_LIFETIME_MS 30000u

enum vox_digest_alg {
	VOX_DIGEST_MD5 = 0,
	VOX_DIGEST_MD5_SESS,
	VOX_DIGEST_SHA256,
	VOX_DIGEST_SHA256_SESS,
	VOX_DIGEST_SHA512_256,
	VOX_DIGEST_SHA512_256_SESS,
	VOX_DIGEST_ALG_COUNT
};

/* Bit of an algorithm in struct vox_digest_server.algs. */
static inline unsigned vox_digest_alg_bit(enum vox_digest_alg a)
{
	return 1u << (unsigned)a;
}

enum vox_digest_qop {
	VOX_DIGEST_QOP_NONE = 0, /* RFC 2069 compatibility: no cnonce, no nc */
	VOX_DIGEST_QOP_AUTH,
	VOX_DIGEST_QOP_AUTH_INT /* the body is hashed into the response */
};

/* An algorithm token ("MD5", "sha-256-SESS": case-insensitive, RFC 7616
 * 3.3). Returns 0, or VOX_EUNSUPPORTED for any other token or one compiled
 * out (VOX_WITH_DIGEST_SHA2 = 0); *alg is written only on success. */
VOX_MUST_CHECK int vox_digest_alg_parse(struct vox_slice token, enum vox_digest_alg *alg);
/* Canonical token ("SHA-512-256-sess"), a static string; "" for a value
 * outside the enum. */
const char *vox_digest_alg_name(enum vox_digest_alg alg);
/* 1 if this build implements alg, else 0. */
int vox_digest_alg_supported(enum vox_digest_alg alg);

/*
 * A user's secret, as the client knows it or the registrar looks it up.
 * Every slice is plain text: no quotes, no escapes. All of it stays the
 * caller's; vox only reads it during the call.
 */
struct vox_digest_cred {
	struct vox_slice username;
	/* The password, or p == NULL to use ha1. */
	struct vox_slice password;
	/* Precomputed HA1 = H(username ":" realm ":" password) in hex (either
	 * case), as registrar databases store it; used when password.p is
	 * NULL. It fits one realm and one hash function: ha1_alg names the
	 * algorithm it was computed for (its -sess twin shares it). */
	struct vox_slice ha1;
	enum vox_digest_alg ha1_alg;
};

/* The request the credentials are for. */
struct vox_digest_req {
	struct vox_slice method; /* "REGISTER"; for ACK and CANCEL see RFC 3261 22.1 */
	struct vox_slice uri;    /* Request-URI as sent on the request line */
	struct vox_slice body;   /* message body (hashed for auth-int only) */
};

/* ---- computations ------------------------------------------------------ */

/* HA1 = H(username ":" realm ":" password) in lower-case hex, for
 * provisioning a registrar's database (for -sess the base HA1), written
 * into out without a NUL. Returns the length (32 or 64), VOX_ENOSPC,
 * VOX_EINVAL (out NULL, alg outside the enum), VOX_EUNSUPPORTED (alg
 * compiled out), VOX_ECRYPTO (mbedTLS failed). */
VOX_MUST_CHECK int vox_digest_ha1_print(enum vox_digest_alg alg, struct vox_slice username,
                                        struct vox_slice realm, struct vox_slice password,
                                        char *out, size_t cap);

/* userhash = H(username ":" realm) in hex (RFC 7616 3.4.4), no NUL.
 * Returns the length, VOX_ENOSPC, VOX_EINVAL, VOX_EUNSUPPORTED,
 * VOX_ECRYPTO, as vox_digest_ha1_print. */
VOX_MUST_CHECK int vox_digest_userhash_print(enum vox_digest_alg alg, struct vox_slice username,
                                             struct vox_slice realm, char *out, size_t cap);

/* Everything a response is computed from besides the secret and the
 * request; plain text (no quotes, no escapes). */
struct vox_digest_params {
	enum vox_digest_alg alg;
	enum vox_digest_qop qop;
	struct vox_slice realm;
	struct vox_slice nonce;
	struct vox_slice cnonce; /* ignored when qop is NONE */
	uint32_t nc;             /* ignored when qop is NONE */
};

/*
 * The request-digest of RFC 7616 3.4.1 (RFC 2617 3.2.2.1 for qop none) in
 * lower-case hex. The client and the server use it; it is public for test
 * vectors and tools; out gets no NUL. Returns the length (32 or 64),
 * VOX_ENOSPC, VOX_EINVAL (an argument NULL, a password without a user
 * name, bad enum, a -sess algorithm with qop NONE, HA1 of another hash or
 * not hex), VOX_EUNSUPPORTED (alg compiled out), VOX_ECRYPTO.
 */
VOX_MUST_CHECK int vox_digest_response_print(const struct vox_digest_params *p,
                                             const struct vox_digest_cred *cred,
                                             const struct vox_digest_req *req, char *out,
                                             size_t cap);

/* ---- client ------------------------------------------------------------ */

/* How vox_digest_pick chooses among several usable challenges. */
enum vox_digest_pick_policy {
	/* The strongest hash (SHA-512-256, then SHA-256, then MD5); among
	 * equals the first. vox's default: an attacker who adds an MD5
	 * challenge cannot make us use it when a SHA-2 one is present. */
	VOX_DIGEST_PICK_STRONGEST = 0,
	/* The first usable one: the UAS's own order of preference. */
	VOX_DIGEST_PICK_FIRST
};

/*
 * Chooses the challenge to answer among n parsed WWW-Authenticate (or
 * Proxy-Authenticate) values, in the order they came in the response.
 * Usable: scheme Digest, realm and nonce present and short enough, an
 * algorithm this build supports, a qop list with auth or auth-int (or no
 * qop), and, when cred is not NULL and carries only an HA1, the hash of
 * ha1_alg. Returns the index, or VOX_ENOTFOUND (none usable, or ch NULL).
 */
VOX_MUST_CHECK int vox_digest_pick(const struct vox_sip_auth *ch, size_t n,
                                   const struct vox_digest_cred *cred,
                                   enum vox_digest_pick_policy policy);

/*
 * What a UAC keeps of one challenge (one realm): copies of its values, the
 * chosen algorithm and qop, the cnonce and the nonce count. Caller-owned;
 * fields are readable, and prefer_auth_int may be set before
 * vox_digest_client_recv. About 900 bytes with the default
 * VOX_DIGEST_MAX_VALUE.
 */
struct vox_digest_client {
	int ready;           /* a challenge is loaded: vox_digest_client_print works */
	int stale;           /* the last challenge said stale=TRUE: the nonce was
	                        refused as expired, not the credentials, so retry
	                        once with the same credentials without asking the
	                        user (RFC 7616 3.3). The caller decides. Without
	                        stale, a challenge in answer to credentials means
	                        they were refused: ask the user, do not loop. */
	int new_nonce;       /* the last challenge brought a different nonce
	                        (nc restarted at 1) */
	int prefer_auth_int; /* caller's choice: use auth-int when offered */
	enum vox_digest_alg alg;
	int alg_given; /* the challenge named the algorithm: echo it */
	enum vox_digest_qop qop;
	int userhash; /* the challenge asked for userhash=true (RFC 7616 3.4.4) */
	uint32_t nc;  /* last nonce count sent with this nonce; 0 before the first */
	int has_opaque;
	size_t realm_len, nonce_len, opaque_len;
	char realm[VOX_DIGEST_MAX_VALUE]; /* unescaped */
	char nonce[VOX_DIGEST_MAX_VALUE];
	char opaque[VOX_DIGEST_MAX_VALUE];
	char cnonce[VOX_DIGEST_CNONCE_LEN]; /* made once per nonce, see digest.c */
};

/* Clears *c: nothing loaded. Cannot fail. */
void vox_digest_client_init(struct vox_digest_client *c);
/* Forgets the challenge. Accepts NULL; safe twice. */
void vox_digest_client_free(struct vox_digest_client *c);

/*
 * Loads a challenge (a parsed WWW-Authenticate / Proxy-Authenticate value).
 * Chooses the algorithm (absent means MD5) and the qop: "auth" if offered,
 * else "auth-int" (always "auth-int" when offered and prefer_auth_int is
 * set); no qop parameter means the RFC 2069 form. A nonce different from
 * the one loaded restarts nc and takes a new cnonce from rng; the same
 * nonce again keeps counting. Sets stale and new_nonce. The values are
 * copied into *c; the challenge (and the message it came in) may go away.
 * Returns 0, or VOX_EUNSUPPORTED (not Digest, unknown algorithm, no qop vox
 * knows), VOX_EMALFORMED (realm or nonce missing, a control character in a
 * value), VOX_ETOOLONG (a value over VOX_DIGEST_MAX_VALUE), VOX_ERNG,
 * VOX_EINVAL (an argument NULL, or rng->fn NULL). On error *c is unchanged.
 */
VOX_MUST_CHECK int vox_digest_client_recv(struct vox_digest_client *c,
                                          const struct vox_sip_auth *challenge,
                                          const struct vox_rng *rng);

/*
 * Writes the Authorization (or Proxy-Authorization) value for one request
 * with the loaded challenge, and counts it: nc goes up by one for each
 * value written with the same nonce (RFC 7616 3.4). Values are quoted with
 * '"' and '\' escaped. With userhash, the user name sent is its hash.
 * Returns the length written, or VOX_ESTATE (nothing loaded), VOX_ENOSPC,
 * VOX_EINVAL (empty method or uri; a CR, LF or other control character in
 * a value; an HA1 of another hash), VOX_EKEYEXPIRED (nc would pass
 * 0xffffffff: wait for a new challenge), VOX_ECRYPTO. nc is only counted
 * when the value was written. out gets no NUL; on an error it holds
 * nothing useful. cred and req are read during the call only.
 */
VOX_MUST_CHECK int vox_digest_client_print(struct vox_digest_client *c,
                                           const struct vox_digest_cred *cred,
                                           const struct vox_digest_req *req, char *out, size_t cap);

/* ---- server ------------------------------------------------------------ */

struct vox_digest_server {
	uint8_t key[VOX_DIGEST_KEY_LEN]; /* nonce MAC key; wiped by _free */
	struct vox_slice realm;          /* plain text, the caller's memory, must
	                                    outlive the struct */
	uint64_t lifetime_ms;            /* nonce lifetime */
	unsigned algs;                   /* vox_digest_alg_bit() of each algorithm
	                                    accepted; default: all this build has */
	int auth_int;                    /* also offer and accept qop=auth-int
	                                    (default 0: qop="auth") */
};

/* Copies the key; lifetime_ms 0 means VOX_DIGEST_DEFAULT_LIFETIME_MS.
 * realm is not copied: s->realm points at the caller's memory, which must
 * outlive s. key NULL leaves s->algs 0, so nothing is offered or accepted
 * (challenges get VOX_EINVAL, credentials VOX_EUNSUPPORTED). Cannot fail. */
void vox_digest_server_init(struct vox_digest_server *s, const uint8_t key[VOX_DIGEST_KEY_LEN],
                            struct vox_slice realm, uint64_t lifetime_ms);
/* Wipes the key. Accepts NULL; safe twice. */
void vox_digest_server_free(struct vox_digest_server *s);

/*
 * Writes a WWW-Authenticate / Proxy-Authenticate value: Digest realm, a
 * fresh nonce issued at now_ms for peer, algorithm, qop="auth" (or
 * "auth,auth-int"), opaque when opaque.p is not NULL, and stale=TRUE when
 * stale is set (after vox_digest_server_verify said VOX_EKEYEXPIRED). To
 * offer several algorithms (RFC 8760), call it once per algorithm and send
 * one header each, the preferred first. now_ms is the caller's clock in ms;
 * it must not go back across restarts while the key stays the same.
 * Returns the length, VOX_ENOSPC, VOX_EUNSUPPORTED (alg not compiled in),
 * VOX_EINVAL (empty realm, a control character in realm or opaque, alg
 * not in s->algs, an argument NULL), VOX_ERNG, VOX_ECRYPTO. out gets no
 * NUL. opaque and peer are read during the call only.
 */
VOX_MUST_CHECK int vox_digest_challenge_print(const struct vox_digest_server *s,
                                              enum vox_digest_alg alg, int stale,
                                              struct vox_slice opaque, struct vox_slice peer,
                                              uint64_t now_ms, const struct vox_rng *rng, char *out,
                                              size_t cap);

/*
 * The user name of parsed credentials without its quoting escapes, for the
 * look-up. *userhash (if not NULL) is set when the client sent
 * userhash=true: the name is then H(user ":" realm) in hex, to match
 * against vox_digest_userhash_print of each user. Writes out without a
 * NUL. Returns the length, VOX_EMALFORMED (no username, or userhash
 * neither true nor false), VOX_ENOSPC, VOX_EINVAL (cr NULL, or out NULL
 * with a capacity). *userhash is written only on success.
 */
VOX_MUST_CHECK int vox_digest_username(const struct vox_sip_auth *cr, char *out, size_t cap,
                                       int *userhash);

/* What vox_digest_server_verify learned, for logs and replay tables. */
struct vox_digest_info {
	enum vox_digest_alg alg;
	enum vox_digest_qop qop;
	uint32_t nc;
	uint64_t issued_ms; /* the nonce's issue time; 0 unless the MAC verified */
	int userhash;
};

/*
 * Verifies parsed credentials (an Authorization / Proxy-Authorization value)
 * against the secret the caller looked up for their user name, for the
 * request req, received from peer at now_ms. req->uri.p == NULL skips the
 * check that the digest-uri is the Request-URI (RFC 2617 3.2.2.5, compared
 * as RFC 3261 19.1.4 URIs); pass it unless a proxy on the path may rewrite
 * the Request-URI. Steps: syntax and presence of username, realm, nonce,
 * uri, response, qop, cnonce and nc (8 hex digits, not 0); algorithm and
 * qop as offered; realm ours; user name that of secret (or its hash); the
 * nonce's MAC; the response recomputed and compared in constant time;
 * finally the nonce's age.
 * Returns
 *   0                 authenticated;
 *   VOX_EAUTH         wrong credentials: wrong password or user, another
 *                     realm, or a nonce this server did not issue (for this
 *                     peer). Challenge again without stale (and count it);
 *   VOX_EKEYEXPIRED   right credentials, expired nonce: challenge again
 *                     with stale=TRUE;
 *   VOX_EMALFORMED    missing or malformed parameter, digest-uri not the
 *                     Request-URI: answer 400;
 *   VOX_EUNSUPPORTED  not Digest, or an algorithm or qop we do not offer:
 *                     challenge again;
 *   VOX_EINVAL        bad arguments (a secret with an HA1 of another hash);
 *   VOX_ECRYPTO.
 * *diag (if not NULL) says which check failed; off counts from cr->scheme.p
 * and what is static. *info (if not NULL) is filled as far as the checks
 * got. secret and req are read during the call only.
 */
VOX_MUST_CHECK int vox_digest_server_verify(const struct vox_digest_server *s,
                                            const struct vox_sip_auth *cr,
                                            const struct vox_digest_cred *secret,
                                            const struct vox_digest_req *req, struct vox_slice peer,
                                            uint64_t now_ms, struct vox_digest_info *info,
                                            struct vox_diag *diag);

#ifdef __cplusplus
}
#endif

#endif /* VOX_DIGEST_H */
