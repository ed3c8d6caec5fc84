/* SPDX-License-Identifier: MIT */
/*
 * transport/tls.c: the TLS engine of vox/tls.h over mbedTLS 2.28.
 *
 * mbedTLS reads and writes through two callbacks (bio_recv, bio_send) that
 * move bytes between its record buffers and the connection's own bounded
 * buffers, so nothing here waits for a socket. What mbedTLS decides (the
 * handshake, records, alerts) stays in mbedTLS; what it does not do the
 * way SIP needs is done here: the name check of RFC 5922 (on_verify),
 * trust on first use, and a cause for every failure (fail, cause_of_*).
 */
#define _POSIX_C_SOURCE 200809L
#include "vox/config.h"

#if VOX_WITH_TLS

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <mbedtls/asn1.h>
#include <mbedtls/oid.h>
#include <mbedtls/sha256.h>
/* mbedtls_ssl_flush_output: 2.28 has no public way to push out bytes it
 * held back when the output buffer was full. */
#include <mbedtls/ssl_internal.h>

#include "transport/tls_int.h"

/* ---- the defaults (docs/tls.md says what each protects against) -------- */

/* ECDHE only: the key exchange is ephemeral, so a server key stolen later
 * cannot decrypt a recorded session and the SDES keys inside it. AEAD
 * only: no CBC with its padding-oracle history (Lucky13). */
static const int tls_suites[] = {MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
                                 MBEDTLS_TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
                                 MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
                                 MBEDTLS_TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
                                 MBEDTLS_TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
                                 MBEDTLS_TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
                                 0};

/* 128-bit strength or more. P-256 first: every TLS 1.2 ECDHE peer has it.
 * This list also bounds the curves of EC certificates mbedTLS accepts. */
static const mbedtls_ecp_group_id tls_curves[] = {
    MBEDTLS_ECP_DP_SECP256R1, MBEDTLS_ECP_DP_CURVE25519, MBEDTLS_ECP_DP_SECP384R1,
    MBEDTLS_ECP_DP_SECP521R1, MBEDTLS_ECP_DP_NONE};

/* ---- causes --------------------------------------------------------------- */

struct cause_desc {
	const char *name, *text;
	int err;
};

static const struct cause_desc causes[] = {
    [VOX_TLS_CAUSE_NONE] = {"none", "no error", 0},
    [VOX_TLS_CAUSE_EXPIRED] = {"expired", "the peer's certificate has expired", VOX_EAUTH},
    [VOX_TLS_CAUSE_NOT_YET_VALID] = {"not-yet-valid",
                                     "the peer's certificate is not valid yet (or our clock is "
                                     "behind)",
                                     VOX_EAUTH},
    [VOX_TLS_CAUSE_UNKNOWN_CA] = {"unknown-ca",
                                  "the peer's certificate does not chain to a trusted CA",
                                  VOX_EAUTH},
    [VOX_TLS_CAUSE_NAME_MISMATCH] = {"name-mismatch",
                                     "the peer's certificate does not name the host we asked for",
                                     VOX_EAUTH},
    [VOX_TLS_CAUSE_WILDCARD] = {"wildcard",
                                "the peer's certificate names the host only through a wildcard, "
                                "which SIP refuses (RFC 5922 7.2)",
                                VOX_EAUTH},
    [VOX_TLS_CAUSE_BAD_CERT] = {"bad-certificate",
                                "the peer's certificate is unusable (key usage, weak key or "
                                "hash, revoked, or it does not parse)",
                                VOX_EAUTH},
    [VOX_TLS_CAUSE_PIN_MISMATCH] = {"pin-mismatch",
                                    "the peer's certificate is not the one pinned for this host",
                                    VOX_EAUTH},
    [VOX_TLS_CAUSE_PIN_STORE] = {"pin-store", "the pin store could not be read or written",
                                 VOX_EIO},
    [VOX_TLS_CAUSE_NO_CLIENT_CERT] = {"missing-client-cert",
                                      "the server requires a client certificate and none was "
                                      "sent",
                                      VOX_EAUTH},
    [VOX_TLS_CAUSE_NO_SHARED_CIPHER] = {"no-shared-cipher",
                                        "the peers have no cipher suite (ECDHE with AEAD, in "
                                        "TLS 1.2) or no curve in common",
                                        VOX_EPOLICY},
    [VOX_TLS_CAUSE_PROTOCOL_VERSION] = {"protocol-version",
                                        "the peer does not speak TLS 1.2 (an older version is "
                                        "refused)",
                                        VOX_EPOLICY},
    [VOX_TLS_CAUSE_PEER_REFUSED_CERT] = {"peer-refused-certificate",
                                         "the peer refused our certificate", VOX_EAUTH},
    [VOX_TLS_CAUSE_PEER_ALERT] = {"peer-alert", "the peer ended the connection with an alert",
                                  VOX_ECLOSED},
    [VOX_TLS_CAUSE_CLOSED] = {"closed", "the connection closed without a TLS close_notify",
                              VOX_ECLOSED},
    [VOX_TLS_CAUSE_PROTOCOL] = {"protocol-error", "the peer's bytes are not valid TLS here",
                                VOX_EMALFORMED},
    [VOX_TLS_CAUSE_INTERNAL] = {"internal",
                                "mbedTLS failed inside (out of memory, or the random source)",
                                VOX_ECRYPTO},
};

static const struct cause_desc *cause_desc(enum vox_tls_cause c)
{
	if ((unsigned)c >= sizeof causes / sizeof causes[0])
		return NULL;
	return &causes[c];
}

const char *vox_tls_cause_name(enum vox_tls_cause c)
{
	const struct cause_desc *d = cause_desc(c);
	return d ? d->name : "unknown";
}

const char *vox_tls_cause_text(enum vox_tls_cause c)
{
	const struct cause_desc *d = cause_desc(c);
	return d ? d->text : "unknown";
}

int vox_tls_cause_err(enum vox_tls_cause c)
{
	const struct cause_desc *d = cause_desc(c);
	return d ? d->err : VOX_EINVAL;
}

const char *vox_tls_alert_name(uint8_t a)
{
	switch (a) {
	case 0: return "close_notify";
	case 10: return "unexpected_message";
	case 20: return "bad_record_mac";
	case 22: return "record_overflow";
	case 40: return "handshake_failure";
	case 42: return "bad_certificate";
	case 43: return "unsupported_certificate";
	case 44: return "certificate_revoked";
	case 45: return "certificate_expired";
	case 46: return "certificate_unknown";
	case 47: return "illegal_parameter";
	case 48: return "unknown_ca";
	case 49: return "access_denied";
	case 50: return "decode_error";
	case 51: return "decrypt_error";
	case 70: return "protocol_version";
	case 71: return "insufficient_security";
	case 80: return "internal_error";
	case 90: return "user_canceled";
	case 100: return "no_renegotiation";
	case 110: return "unsupported_extension";
	case 112: return "unrecognized_name";
	case 116: return "certificate_required";
	}
	return "unknown";
}

/* ---- shared helpers (tls_int.h) --------------------------------------------- */

int tls_mbed_rng(void *p, unsigned char *out, size_t len)
{
	const struct vox_rng *rng = p;
	return rng->fn(rng->ctx, out, len) == 0 ? 0 : MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED;
}

static int looks_pem(const uint8_t *p, size_t len)
{
	static const char tag[] = "-----BEGIN ";
	return len >= sizeof tag - 1 && memcmp(p, tag, sizeof tag - 1) == 0;
}

/* PEM without its NUL gets one in a copy (transport/ may allocate), which
 * is wiped: it may be a private key. */
static int parse_pem_copy(void *obj, const uint8_t *p, size_t len, int key)
{
	if (len == SIZE_MAX)
		return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
	unsigned char *copy = calloc(1, len + 1);
	if (!copy)
		return MBEDTLS_ERR_X509_ALLOC_FAILED;
	memcpy(copy, p, len);
	int r = key ? mbedtls_pk_parse_key(obj, copy, len + 1, NULL, 0)
	            : mbedtls_x509_crt_parse(obj, copy, len + 1);
	vox_wipe(copy, len);
	free(copy);
	return r;
}

int tls_parse_crt(mbedtls_x509_crt *crt, const uint8_t *p, size_t len)
{
	if (!p || len == 0)
		return MBEDTLS_ERR_X509_BAD_INPUT_DATA;
	if (looks_pem(p, len) && p[len - 1] != '\0')
		return parse_pem_copy(crt, p, len, 0);
	return mbedtls_x509_crt_parse(crt, p, len);
}

int tls_parse_key(mbedtls_pk_context *pk, const uint8_t *p, size_t len)
{
	if (!p || len == 0)
		return MBEDTLS_ERR_PK_BAD_INPUT_DATA;
	if (looks_pem(p, len) && p[len - 1] != '\0')
		return parse_pem_copy(pk, p, len, 1);
	return mbedtls_pk_parse_key(pk, p, len, NULL, 0);
}

size_t tls_parse_ip(struct vox_slice s, uint8_t ip[16])
{
	char buf[64];
	if (s.len >= 2 && s.p[0] == '[' && s.p[s.len - 1] == ']') {
		s.p++;
		s.len -= 2;
	}
	if (s.len == 0 || s.len >= sizeof buf)
		return 0;
	memcpy(buf, s.p, s.len);
	buf[s.len] = '\0';
	if (inet_pton(AF_INET, buf, ip) == 1)
		return 4;
	if (inet_pton(AF_INET6, buf, ip) == 1)
		return 16;
	return 0;
}

/* ---- configuration ------------------------------------------------------------ */

static int cfg_fail(struct vox_diag *why, int err, const char *what)
{
	why->off = 0;
	why->what = what;
	return err;
}

static int file_err(int r)
{
	return r == MBEDTLS_ERR_PK_FILE_IO_ERROR || r == MBEDTLS_ERR_X509_FILE_IO_ERROR
	           ? VOX_ENOTFOUND
	           : VOX_EMALFORMED;
}

/* The key log's line: NSS's format, which Wireshark reads as
 * SSLKEYLOGFILE: "CLIENT_RANDOM <client random> <master secret>". */
static int keylog_cb(void *p, const unsigned char *ms, const unsigned char *kb, size_t maclen,
                     size_t keylen, size_t ivlen, const unsigned char client_random[32],
                     const unsigned char server_random[32], mbedtls_tls_prf_types prf)
{
	(void)kb;
	(void)maclen;
	(void)keylen;
	(void)ivlen;
	(void)server_random;
	(void)prf;
	const struct vox_tls_config *cfg = p;
	static const char tag[] = "CLIENT_RANDOM ";
	char line[sizeof tag - 1 + 64 + 1 + 96];
	size_t n = sizeof tag - 1;
	memcpy(line, tag, n);
	n += (size_t)vox_hex_encode(client_random, 32, line + n, 64);
	line[n++] = ' ';
	n += (size_t)vox_hex_encode(ms, 48, line + n, 96);
	cfg->keylog(cfg->keylog_ctx, (struct vox_slice){line, n});
	vox_wipe(line, sizeof line);
	return 0;
}

static int load_anchors(struct vox_tls_config *cfg, const struct vox_tls_opts *o,
                        struct vox_diag *why, int *have)
{
	int r;
	*have = 0;
	if (o->ca_file) {
		r = mbedtls_x509_crt_parse_file(&cfg->ca, o->ca_file);
		if (r != 0)
			return cfg_fail(why, r < 0 ? file_err(r) : VOX_EMALFORMED,
			                r < 0 && file_err(r) == VOX_ENOTFOUND
			                    ? "ca_file cannot be read"
			                    : "ca_file: a certificate does not parse");
		*have = 1;
	}
	if (o->ca) {
		if (tls_parse_crt(&cfg->ca, o->ca, o->ca_len) != 0)
			return cfg_fail(why, VOX_EMALFORMED, "ca: a certificate does not parse");
		*have = 1;
	}
	if (*have || o->role != VOX_TLS_CLIENT || o->insecure_no_verify)
		return 0;
	/* The system store may hold a root mbedTLS cannot parse: the others
	 * still count (r > 0 counts the failures). */
	r = mbedtls_x509_crt_parse_file(&cfg->ca, VOX_TLS_SYSTEM_CA);
	if (r < 0)
		return cfg_fail(why, file_err(r),
		                file_err(r) == VOX_ENOTFOUND
		                    ? "the system trust store (VOX_TLS_SYSTEM_CA) cannot be read"
		                    : "the system trust store (VOX_TLS_SYSTEM_CA) does not parse");
	*have = 1;
	return 0;
}

static int load_own(struct vox_tls_config *cfg, const struct vox_tls_opts *o, struct vox_diag *why,
                    int *have)
{
	int r;
	int have_cert = o->cert_file != NULL || o->cert != NULL;
	int have_key = o->key_file != NULL || o->key != NULL;
	*have = have_cert;
	if ((o->cert_file && o->cert) || (o->key_file && o->key))
		return cfg_fail(why, VOX_EINVAL,
		                "a certificate or key given both as file and memory");
	if (have_cert != have_key)
		return cfg_fail(why, VOX_EINVAL,
		                "a certificate needs its key, and a key its certificate");
	if (!have_cert)
		return o->role == VOX_TLS_SERVER
		           ? cfg_fail(why, VOX_EINVAL, "a server needs a certificate and key")
		           : 0;
	r = o->cert_file ? mbedtls_x509_crt_parse_file(&cfg->own_cert, o->cert_file)
	                 : tls_parse_crt(&cfg->own_cert, o->cert, o->cert_len);
	if (r != 0)
		return cfg_fail(why, r < 0 ? file_err(r) : VOX_EMALFORMED,
		                "our certificate cannot be read or does not parse");
	r = o->key_file ? mbedtls_pk_parse_keyfile(&cfg->own_key, o->key_file, NULL)
	                : tls_parse_key(&cfg->own_key, o->key, o->key_len);
	if (r != 0)
		return cfg_fail(why, file_err(r),
		                "our key cannot be read or does not parse (or needs a password)");
	if (mbedtls_pk_check_pair(&cfg->own_cert.pk, &cfg->own_key) != 0)
		return cfg_fail(why, VOX_EINVAL, "our key does not belong to our certificate");
	return 0;
}

static int check_opts(const struct vox_tls_opts *o, struct vox_diag *why)
{
	if (!o || (o->role != VOX_TLS_CLIENT && o->role != VOX_TLS_SERVER))
		return cfg_fail(why, VOX_EINVAL, "role must be VOX_TLS_CLIENT or VOX_TLS_SERVER");
	if (!o->rng.fn)
		return cfg_fail(why, VOX_EINVAL, "an rng is required");
	if ((o->pins.lookup == NULL) != (o->pins.store == NULL))
		return cfg_fail(why, VOX_EINVAL, "pins need both lookup and store");
	if (o->role == VOX_TLS_SERVER && (o->insecure_no_verify || o->pins.lookup))
		return cfg_fail(why, VOX_EINVAL,
		                "insecure_no_verify and pins are for clients (a server checks "
		                "client certificates against its CAs)");
	if (o->insecure_no_verify && o->pins.lookup)
		return cfg_fail(why, VOX_EINVAL, "pins make no sense with insecure_no_verify");
	return 0;
}

static int setup_conf(struct vox_tls_config *cfg, const struct vox_tls_opts *o, int have_ca,
                      int have_cert, struct vox_diag *why)
{
	mbedtls_ssl_config *conf = &cfg->conf;
	int client = o->role == VOX_TLS_CLIENT;
	if (mbedtls_ssl_config_defaults(
	        conf, client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER,
	        MBEDTLS_SSL_TRANSPORT_STREAM, MBEDTLS_SSL_PRESET_DEFAULT) != 0)
		return cfg_fail(why, VOX_ECRYPTO, "mbedtls_ssl_config_defaults failed");
	/* 2.28's default minimum is TLS 1.0 */
	mbedtls_ssl_conf_min_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_max_version(conf, MBEDTLS_SSL_MAJOR_VERSION_3,
	                             MBEDTLS_SSL_MINOR_VERSION_3);
	mbedtls_ssl_conf_ciphersuites(conf, tls_suites);
	mbedtls_ssl_conf_curves(conf, tls_curves);
	mbedtls_ssl_conf_cert_profile(conf, &mbedtls_x509_crt_profile_next);
	mbedtls_ssl_conf_renegotiation(conf, MBEDTLS_SSL_RENEGOTIATION_DISABLED);
	mbedtls_ssl_conf_rng(conf, tls_mbed_rng, &cfg->rng);
	int authmode;
	if (client)
		/* OPTIONAL still verifies, so cert_problem can say what a check
		 * would have found; it only does not fail the handshake */
		authmode = o->insecure_no_verify ? MBEDTLS_SSL_VERIFY_OPTIONAL
		                                 : MBEDTLS_SSL_VERIFY_REQUIRED;
	else
		authmode = o->require_client_cert ? MBEDTLS_SSL_VERIFY_REQUIRED
		           : have_ca              ? MBEDTLS_SSL_VERIFY_OPTIONAL
		                                  : MBEDTLS_SSL_VERIFY_NONE;
	mbedtls_ssl_conf_authmode(conf, authmode);
	if (have_ca)
		mbedtls_ssl_conf_ca_chain(conf, &cfg->ca, NULL);
	if (have_cert && mbedtls_ssl_conf_own_cert(conf, &cfg->own_cert, &cfg->own_key) != 0)
		return cfg_fail(why, VOX_ECRYPTO, "mbedtls_ssl_conf_own_cert failed");
	if (o->keylog) {
		mbedtls_ssl_conf_export_keys_ext_cb(conf, keylog_cb, cfg);
		if (o->log.fn)
			o->log.fn(o->log.ctx, VOX_LOG_WARN,
			          vox_slice_cstr("TLS key log is ON: whoever reads it can decrypt "
			                         "these connections"));
	}
	return 0;
}

int vox_tls_config_init(struct vox_tls_config *cfg, const struct vox_tls_opts *o,
                        struct vox_diag *why)
{
	struct vox_diag scratch;
	if (!why)
		why = &scratch;
	why->off = 0;
	why->what = NULL;
	if (!cfg)
		return cfg_fail(why, VOX_EINVAL, "no config");
	memset(cfg, 0, sizeof *cfg);
	mbedtls_ssl_config_init(&cfg->conf);
	mbedtls_x509_crt_init(&cfg->ca);
	mbedtls_x509_crt_init(&cfg->own_cert);
	mbedtls_pk_init(&cfg->own_key);
	int have_ca = 0, have_cert = 0;
	int r = check_opts(o, why);
	if (r == 0)
		r = load_anchors(cfg, o, why, &have_ca);
	if (r == 0)
		r = load_own(cfg, o, why, &have_cert);
	if (r == 0 && o->role == VOX_TLS_SERVER && o->require_client_cert && !have_ca)
		r = cfg_fail(why, VOX_EINVAL,
		             "require_client_cert needs CAs to check them against");
	if (r == 0) {
		cfg->role = o->role;
		cfg->rng = o->rng;
		cfg->pins = o->pins;
		cfg->keylog = o->keylog;
		cfg->keylog_ctx = o->keylog_ctx;
		cfg->insecure_no_verify = o->insecure_no_verify;
		r = setup_conf(cfg, o, have_ca, have_cert, why);
	}
	if (r != 0) {
		vox_tls_config_free(cfg);
		return r;
	}
	cfg->ready = 1;
	return 0;
}

void vox_tls_config_free(struct vox_tls_config *cfg)
{
	if (!cfg)
		return;
	/* a second call finds the zeroes the first left, which mbedTLS's
	 * free functions accept */
	mbedtls_ssl_config_free(&cfg->conf);
	mbedtls_x509_crt_free(&cfg->ca);
	mbedtls_x509_crt_free(&cfg->own_cert);
	mbedtls_pk_free(&cfg->own_key);
	vox_wipe(cfg, sizeof *cfg);
}

/* ---- the connection's two buffers, as mbedTLS's BIO ------------------------------ */

static int bio_send(void *p, const unsigned char *buf, size_t len)
{
	struct vox_tls_conn *c = p;
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len);
		c->out_off = 0;
	}
	size_t n = sizeof c->out - c->out_len;
	if (n == 0)
		return MBEDTLS_ERR_SSL_WANT_WRITE;
	if (n > len)
		n = len;
	/* mbedTLS sends the rest of a partly taken record later */
	memcpy(c->out + c->out_len, buf, n);
	c->out_len += n;
	return (int)n;
}

static int bio_recv(void *p, unsigned char *buf, size_t len)
{
	struct vox_tls_conn *c = p;
	if (c->in_len == 0)
		return c->eof ? 0 : MBEDTLS_ERR_SSL_WANT_READ;
	size_t n = len < c->in_len ? len : c->in_len;
	memcpy(buf, c->in + c->in_off, n);
	c->in_off += n;
	c->in_len -= n;
	if (c->in_len == 0)
		c->in_off = 0;
	return (int)n;
}

/* ---- events ------------------------------------------------------------------------ */

static void push_event(struct vox_tls_conn *c, enum vox_tls_event_type type,
                       enum vox_tls_cause cause)
{
	const unsigned cap = sizeof c->ev / sizeof c->ev[0];
	/* at most three events in a connection's life: never full */
	if (c->ev_len == cap)
		return;
	c->ev[(c->ev_head + c->ev_len) % cap] = (struct vox_tls_event){type, cause};
	c->ev_len++;
}

int vox_tls_conn_next_event(struct vox_tls_conn *c, struct vox_tls_event *ev)
{
	if (!c || c->ev_len == 0)
		return 0;
	*ev = c->ev[c->ev_head];
	c->ev_head = (c->ev_head + 1) % (unsigned)(sizeof c->ev / sizeof c->ev[0]);
	c->ev_len--;
	return 1;
}

/* ---- the peer's name (RFC 5922 7.1, 7.2) ------------------------------------------ */

static int ascii_case_eq(const unsigned char *a, size_t alen, const char *b, size_t blen)
{
	if (alen != blen)
		return 0;
	for (size_t i = 0; i < alen; i++) {
		unsigned char x = a[i], y = (unsigned char)b[i];
		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y + 32);
		if (x != y)
			return 0;
	}
	return 1;
}

/* Whether "*.rest" would name host by the usual wildcard rule (one whole
 * left-most label): only to say why a name was refused, never to accept. */
static int wildcard_would_match(const unsigned char *id, size_t len, const char *host, size_t hlen)
{
	if (len < 3 || id[0] != '*' || id[1] != '.')
		return 0;
	const char *dot = memchr(host, '.', hlen);
	if (!dot || dot == host)
		return 0;
	size_t rest = hlen - (size_t)(dot - host);
	return ascii_case_eq(id + 1, len - 1, dot, rest);
}

/* The host of a "sip:" URI identity without a user part (RFC 5922 7.1):
 * 1 and *h, or 0 when the URI is not one. */
static int sip_uri_host(const unsigned char *u, size_t len, const unsigned char **h, size_t *hlen)
{
	if (len < 4 || !ascii_case_eq(u, 4, "sip:", 4))
		return 0;
	u += 4;
	len -= 4;
	if (memchr(u, '@', len))
		return 0;
	size_t n = 0;
	while (n < len && u[n] != ':' && u[n] != ';' && u[n] != '?')
		n++;
	*h = u;
	*hlen = n;
	return n > 0;
}

static unsigned san_type(const mbedtls_x509_buf *b)
{
	/* primitive context-specific tags: [2] dNSName, [6] URI, [7] iPAddress */
	if ((b->tag & MBEDTLS_ASN1_TAG_CLASS_MASK) != MBEDTLS_ASN1_CONTEXT_SPECIFIC ||
	    (b->tag & MBEDTLS_ASN1_CONSTRUCTED))
		return 0xff;
	return (unsigned)(b->tag & MBEDTLS_ASN1_TAG_VALUE_MASK);
}

/* Sets c->name_ok, and c->wildcard when only a wildcard would have named
 * the host. An IP literal is compared with the iPAddress entries. */
static void check_name(struct vox_tls_conn *c, const mbedtls_x509_crt *crt)
{
	const mbedtls_x509_sequence *s;
	c->name_ok = 0;
	c->wildcard = 0;
	if (c->host_ip_len) {
		if (!(crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME))
			return;
		for (s = &crt->subject_alt_names; s; s = s->next)
			if (san_type(&s->buf) == MBEDTLS_X509_SAN_IP_ADDRESS &&
			    s->buf.len == c->host_ip_len &&
			    memcmp(s->buf.p, c->host_ip, s->buf.len) == 0)
				c->name_ok = 1;
		return;
	}
	if (crt->ext_types & MBEDTLS_X509_EXT_SUBJECT_ALT_NAME) {
		/* sip: URIs first; dNSName entries count only if there is none */
		int sip_uris = 0;
		for (s = &crt->subject_alt_names; s; s = s->next) {
			const unsigned char *h;
			size_t hl;
			if (san_type(&s->buf) != MBEDTLS_X509_SAN_UNIFORM_RESOURCE_IDENTIFIER ||
			    !sip_uri_host(s->buf.p, s->buf.len, &h, &hl))
				continue;
			sip_uris = 1;
			if (ascii_case_eq(h, hl, c->host, c->host_len))
				c->name_ok = 1;
			else if (wildcard_would_match(h, hl, c->host, c->host_len))
				c->wildcard = 1;
		}
		if (sip_uris)
			return;
		for (s = &crt->subject_alt_names; s; s = s->next) {
			if (san_type(&s->buf) != MBEDTLS_X509_SAN_DNS_NAME)
				continue;
			if (ascii_case_eq(s->buf.p, s->buf.len, c->host, c->host_len))
				c->name_ok = 1;
			else if (wildcard_would_match(s->buf.p, s->buf.len, c->host, c->host_len))
				c->wildcard = 1;
		}
		return;
	}
	/* no subjectAltName: the CN, for old certificates (RFC 5922 7.1 step 2) */
	for (const mbedtls_x509_name *n = &crt->subject; n; n = n->next) {
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_AT_CN, &n->oid) != 0)
			continue;
		if (ascii_case_eq(n->val.p, n->val.len, c->host, c->host_len))
			c->name_ok = 1;
		else if (wildcard_would_match(n->val.p, n->val.len, c->host, c->host_len))
			c->wildcard = 1;
	}
}

static void fingerprint(const mbedtls_x509_crt *crt, uint8_t fp[VOX_TLS_FP_LEN])
{
	(void)!mbedtls_sha256_ret(crt->raw.p, crt->raw.len, fp, 0);
}

/* Pin check of the leaf, when the chain reached no trust anchor. */
static void check_pin(struct vox_tls_conn *c, uint32_t *flags)
{
	const struct vox_tls_pins *pins = &c->cfg->pins;
	struct vox_slice host = {c->host, c->host_len};
	int r = pins->lookup(pins->ctx, host, c->info.pinned_fp);
	if (r < 0) {
		c->pin_err = 1;
		*flags |= MBEDTLS_X509_BADCERT_OTHER;
	} else if (r == 0) {
		c->pin = VOX_TLS_TRUST_PIN_FIRST;
		memset(c->info.pinned_fp, 0, sizeof c->info.pinned_fp);
	} else if (memcmp(c->info.pinned_fp, c->info.peer_fp, VOX_TLS_FP_LEN) == 0) {
		c->pin = VOX_TLS_TRUST_PIN_MATCH;
	} else {
		c->pin = 0xff; /* mismatch */
		*flags |= MBEDTLS_X509_BADCERT_NOT_TRUSTED;
	}
}

/* mbedTLS calls this for each certificate of the chain it built, the
 * top first and the leaf (depth 0) last, with the flags it found; what
 * this leaves in *flags is the verdict. */
static int on_verify(void *p, mbedtls_x509_crt *crt, int depth, uint32_t *flags)
{
	struct vox_tls_conn *c = p;
	int client = c->cfg->role == VOX_TLS_CLIENT;
	if (client && c->cfg->pins.lookup && (*flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)) {
		/* trust on first use decides at the leaf */
		*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_NOT_TRUSTED;
		c->untrusted = 1;
	}
	if (depth != 0)
		return 0;
	fingerprint(crt, c->info.peer_fp);
	c->info.peer_cert = 1;
	if (!client)
		return 0;
	/* mbedTLS's own name check accepts wildcards (and needs a name set):
	 * replaced by RFC 5922's */
	*flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_CN_MISMATCH;
	if (c->host_len > 0) {
		check_name(c, crt);
		if (!c->name_ok)
			*flags |= MBEDTLS_X509_BADCERT_CN_MISMATCH;
	}
	if (c->untrusted)
		check_pin(c, flags);
	return 0;
}

/* ---- causes of failure --------------------------------------------------------------- */

static enum vox_tls_cause cause_of_flags(const struct vox_tls_conn *c, uint32_t flags)
{
	flags &= ~(uint32_t)MBEDTLS_X509_BADCERT_SKIP_VERIFY;
	if (c->pin_err)
		return VOX_TLS_CAUSE_PIN_STORE;
	if (c->pin == 0xff)
		return VOX_TLS_CAUSE_PIN_MISMATCH;
	if (flags & MBEDTLS_X509_BADCERT_NOT_TRUSTED)
		return VOX_TLS_CAUSE_UNKNOWN_CA;
	if (flags & MBEDTLS_X509_BADCERT_CN_MISMATCH)
		return c->wildcard ? VOX_TLS_CAUSE_WILDCARD : VOX_TLS_CAUSE_NAME_MISMATCH;
	if (flags & MBEDTLS_X509_BADCERT_EXPIRED)
		return VOX_TLS_CAUSE_EXPIRED;
	if (flags & MBEDTLS_X509_BADCERT_FUTURE)
		return VOX_TLS_CAUSE_NOT_YET_VALID;
	if (flags & MBEDTLS_X509_BADCERT_MISSING)
		return VOX_TLS_CAUSE_NO_CLIENT_CERT;
	return flags ? VOX_TLS_CAUSE_BAD_CERT : VOX_TLS_CAUSE_NONE;
}

/* A fatal alert the peer sent. What it means depends on where we were. */
static enum vox_tls_cause cause_of_alert(const struct vox_tls_conn *c, uint8_t alert)
{
	int client = c->cfg->role == VOX_TLS_CLIENT;
	/* a client learns the server wanted a certificate from its
	 * CertificateRequest; a server always shows one */
	int asked = client ? c->ssl.client_auth != 0 : 1;
	int showed = client ? c->cfg->own_cert.raw.len > 0 : 1;
	switch (alert) {
	case MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION: return VOX_TLS_CAUSE_PROTOCOL_VERSION;
	case MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE:
		/* the answer to our ClientHello: nothing in it suited the server */
		if (client && c->ssl.state == MBEDTLS_SSL_SERVER_HELLO)
			return VOX_TLS_CAUSE_NO_SHARED_CIPHER;
		/* RFC 5246 7.4.6: how a server refuses an empty Certificate */
		if (client && asked && !showed)
			return VOX_TLS_CAUSE_NO_CLIENT_CERT;
		return VOX_TLS_CAUSE_PEER_ALERT;
	case MBEDTLS_SSL_ALERT_MSG_BAD_CERT:
	case MBEDTLS_SSL_ALERT_MSG_UNSUPPORTED_CERT:
	case MBEDTLS_SSL_ALERT_MSG_CERT_REVOKED:
	case MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED:
	case MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN:
	case MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA:
	case MBEDTLS_SSL_ALERT_MSG_ACCESS_DENIED:
		if (asked)
			return showed ? VOX_TLS_CAUSE_PEER_REFUSED_CERT
			              : VOX_TLS_CAUSE_NO_CLIENT_CERT;
		return VOX_TLS_CAUSE_PEER_ALERT;
	case 116: /* certificate_required (TLS 1.3, RFC 8446 6.2) */
		return VOX_TLS_CAUSE_NO_CLIENT_CERT;
	}
	return VOX_TLS_CAUSE_PEER_ALERT;
}

static enum vox_tls_cause cause_of_err(struct vox_tls_conn *c, int r)
{
	switch (r) {
	case MBEDTLS_ERR_X509_CERT_VERIFY_FAILED:
	case MBEDTLS_ERR_SSL_BAD_HS_CERTIFICATE: {
		uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
		enum vox_tls_cause cause = cause_of_flags(c, flags);
		c->info.verify_flags = flags;
		/* a Certificate message that does not parse has no flags */
		return cause != VOX_TLS_CAUSE_NONE ? cause : VOX_TLS_CAUSE_BAD_CERT;
	}
	case MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE: return VOX_TLS_CAUSE_NO_CLIENT_CERT;
	case MBEDTLS_ERR_SSL_NO_CIPHER_CHOSEN:
	case MBEDTLS_ERR_SSL_NO_USABLE_CIPHERSUITE: return VOX_TLS_CAUSE_NO_SHARED_CIPHER;
	case MBEDTLS_ERR_SSL_BAD_HS_PROTOCOL_VERSION: return VOX_TLS_CAUSE_PROTOCOL_VERSION;
	case MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE:
		/* 2.28 leaves the alert it read in in_msg */
		if (c->ssl.in_msg && c->ssl.in_msglen == 2)
			c->info.alert = c->ssl.in_msg[1];
		return cause_of_alert(c, c->info.alert);
	case MBEDTLS_ERR_SSL_CONN_EOF: return VOX_TLS_CAUSE_CLOSED;
	case MBEDTLS_ERR_SSL_ALLOC_FAILED:
	case MBEDTLS_ERR_SSL_INTERNAL_ERROR:
	case MBEDTLS_ERR_SSL_CA_CHAIN_REQUIRED:
	case MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED: return VOX_TLS_CAUSE_INTERNAL;
	}
	/* the peer's certificate does not parse (MBEDTLS_ERR_X509_*) */
	if (r <= -0x2000 && r > -0x3000)
		return VOX_TLS_CAUSE_BAD_CERT;
	return VOX_TLS_CAUSE_PROTOCOL;
}

static void fail_with(struct vox_tls_conn *c, enum vox_tls_cause cause, int mbed_err)
{
	c->info.state = VOX_TLS_FAILED;
	c->info.cause = cause;
	c->info.mbedtls_err = mbed_err;
	c->info.verified = 0;
	c->info.trust = VOX_TLS_TRUST_NONE;
	c->err = vox_tls_cause_err(cause);
	push_event(c, VOX_TLS_EV_FAILED, cause);
}

static void fail(struct vox_tls_conn *c, int r)
{
	enum vox_tls_cause cause = cause_of_err(c, r);
	/* mbedTLS sends an alert for every failure but this one (RFC 5246
	 * 7.4.6: a server refuses an empty Certificate with handshake_failure) */
	if (r == MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE)
		(void)!mbedtls_ssl_send_alert_message(&c->ssl, MBEDTLS_SSL_ALERT_LEVEL_FATAL,
		                                      MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	fail_with(c, cause, r);
}

/* ---- the handshake ------------------------------------------------------------------- */

static void handshake_done(struct vox_tls_conn *c)
{
	int client = c->cfg->role == VOX_TLS_CLIENT;
	const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&c->ssl);
	uint32_t flags = mbedtls_ssl_get_verify_result(&c->ssl);
	c->info.version = mbedtls_ssl_get_version(&c->ssl);
	c->info.suite = mbedtls_ssl_get_ciphersuite(&c->ssl);
	if (peer) {
		fingerprint(peer, c->info.peer_fp);
		c->info.peer_cert = 1;
	}
	c->info.verify_flags = flags;
	c->info.cert_problem = cause_of_flags(c, flags);
	if (client && c->cfg->insecure_no_verify)
		c->info.trust = VOX_TLS_TRUST_OFF;
	else if (client)
		/* REQUIRED: mbedTLS fails the handshake unless flags are 0 */
		c->info.trust = c->untrusted ? (enum vox_tls_trust)c->pin : VOX_TLS_TRUST_CA;
	else
		c->info.trust = peer && c->info.cert_problem == VOX_TLS_CAUSE_NONE
		                    ? VOX_TLS_TRUST_CA
		                    : VOX_TLS_TRUST_NONE;
	c->info.verified = c->info.trust == VOX_TLS_TRUST_CA;
	if (c->info.trust == VOX_TLS_TRUST_PIN_FIRST) {
		/* pinned only now that the server proved it holds the key */
		const struct vox_tls_pins *pins = &c->cfg->pins;
		if (pins->store(pins->ctx, (struct vox_slice){c->host, c->host_len},
		                c->info.peer_fp) != 0) {
			(void)!mbedtls_ssl_send_alert_message(&c->ssl,
			                                      MBEDTLS_SSL_ALERT_LEVEL_FATAL,
			                                      MBEDTLS_SSL_ALERT_MSG_INTERNAL_ERROR);
			c->pin_err = 1;
			fail_with(c, VOX_TLS_CAUSE_PIN_STORE, 0);
			return;
		}
		push_event(c, VOX_TLS_EV_PINNED, VOX_TLS_CAUSE_NONE);
	}
	c->info.state = VOX_TLS_OPEN;
	push_event(c, VOX_TLS_EV_CONNECTED, VOX_TLS_CAUSE_NONE);
}

static void pump(struct vox_tls_conn *c)
{
	if (c->info.state != VOX_TLS_HANDSHAKE)
		return;
	int r = mbedtls_ssl_handshake(&c->ssl);
	if (r == 0)
		handshake_done(c);
	else if (r != MBEDTLS_ERR_SSL_WANT_READ && r != MBEDTLS_ERR_SSL_WANT_WRITE)
		fail(c, r);
}

/* Bytes mbedTLS held back when the output buffer was full (an alert, the
 * rest of a record): out first, before anything new. 0 when none are left. */
static int flush_held(struct vox_tls_conn *c)
{
	if (c->ssl.out_left == 0)
		return 0;
	int r = mbedtls_ssl_flush_output(&c->ssl);
	return r == 0 ? 0 : VOX_ENOSPC;
}

/* ---- the API --------------------------------------------------------------------------- */

static int check_host(struct vox_tls_conn *c, struct vox_slice host)
{
	if (host.len > VOX_TLS_MAX_HOST + 2)
		return VOX_ETOOLONG;
	c->host_ip_len = (uint8_t)tls_parse_ip(host, c->host_ip);
	if (c->host_ip_len) {
		/* kept in text form for the pin store, without brackets */
		if (host.p[0] == '[') {
			host.p++;
			host.len -= 2;
		}
	} else {
		if (host.len > VOX_TLS_MAX_HOST)
			return VOX_ETOOLONG;
		/* a DNS name: letters, digits, hyphens, dots between labels */
		if (host.p[0] == '.' || host.p[host.len - 1] == '.')
			return VOX_EINVAL;
		for (size_t i = 0; i < host.len; i++) {
			char ch = host.p[i];
			int ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			         (ch >= '0' && ch <= '9') || ch == '-' || ch == '.';
			if (!ok || (ch == '.' && i + 1 < host.len && host.p[i + 1] == '.'))
				return VOX_EINVAL;
		}
	}
	memcpy(c->host, host.p, host.len);
	c->host[host.len] = '\0';
	c->host_len = host.len;
	return 0;
}

int vox_tls_conn_init(struct vox_tls_conn *c, const struct vox_tls_config *cfg,
                      struct vox_slice host)
{
	if (!c)
		return VOX_EINVAL;
	memset(c, 0, sizeof *c);
	mbedtls_ssl_init(&c->ssl);
	if (!cfg || !cfg->ready || (host.len > 0 && !host.p))
		return VOX_EINVAL;
	int client = cfg->role == VOX_TLS_CLIENT;
	if (client ? host.len == 0 && !cfg->insecure_no_verify : host.len > 0)
		return VOX_EINVAL;
	if (host.len > 0) {
		int r = check_host(c, host);
		if (r != 0)
			return r;
	}
	c->cfg = cfg;
	if (mbedtls_ssl_setup(&c->ssl, &cfg->conf) != 0) {
		vox_tls_conn_free(c);
		return VOX_ECRYPTO;
	}
	mbedtls_ssl_set_bio(&c->ssl, c, bio_send, bio_recv, NULL);
	mbedtls_ssl_set_verify(&c->ssl, on_verify, c);
	/* SNI carries a DNS name, never an IP literal (RFC 6066 3); either way
	 * on_verify checks the name */
	if (client && c->host_len > 0 &&
	    mbedtls_ssl_set_hostname(&c->ssl, c->host_ip_len ? NULL : c->host) != 0) {
		vox_tls_conn_free(c);
		return VOX_ECRYPTO;
	}
	c->info.state = VOX_TLS_HANDSHAKE;
	c->info.keylog = cfg->keylog != NULL;
	return 0;
}

size_t vox_tls_conn_recv_room(const struct vox_tls_conn *c)
{
	return c ? sizeof c->in - c->in_len : 0;
}

int vox_tls_conn_recv(struct vox_tls_conn *c, const uint8_t *in, size_t len)
{
	if (!c || !c->cfg || (len > 0 && !in))
		return VOX_EINVAL;
	if (c->info.state == VOX_TLS_FAILED)
		return c->err;
	if (c->info.state == VOX_TLS_CLOSED)
		return VOX_ECLOSED;
	if (len == 0) {
		c->eof = 1;
	} else {
		if (len > vox_tls_conn_recv_room(c))
			return VOX_ENOSPC;
		if (c->in_off > 0) {
			memmove(c->in, c->in + c->in_off, c->in_len);
			c->in_off = 0;
		}
		memcpy(c->in + c->in_len, in, len);
		c->in_len += len;
	}
	pump(c);
	return c->info.state == VOX_TLS_FAILED ? c->err : 0;
}

int vox_tls_conn_poll_output(struct vox_tls_conn *c, uint8_t *out, size_t cap)
{
	if (!c || !c->cfg || !out)
		return 0;
	/* let mbedTLS refill what the last poll emptied */
	if (c->info.state == VOX_TLS_HANDSHAKE)
		pump(c);
	else
		(void)flush_held(c);
	/* n <= VOX_TLS_BUF, which config.h bounds to 1 MiB: it fits an int */
	size_t n = c->out_len < cap ? c->out_len : cap;
	memcpy(out, c->out + c->out_off, n);
	c->out_off += n;
	c->out_len -= n;
	if (c->out_len == 0)
		c->out_off = 0;
	return (int)n;
}

int vox_tls_conn_write(struct vox_tls_conn *c, const uint8_t *data, size_t len)
{
	if (!c || !c->cfg || (len > 0 && !data))
		return VOX_EINVAL;
	if (c->info.state == VOX_TLS_FAILED)
		return c->err;
	if (c->info.state != VOX_TLS_OPEN)
		return VOX_ESTATE;
	if (len == 0)
		return 0;
	/* mbedTLS takes a call while it holds bytes back for the retry of
	 * the same data, and would report ours as sent */
	if (flush_held(c) != 0)
		return VOX_ENOSPC;
	/* one record at a time */
	int max = mbedtls_ssl_get_max_out_record_payload(&c->ssl);
	if (max <= 0) {
		fail_with(c, VOX_TLS_CAUSE_INTERNAL, max);
		return c->err;
	}
	size_t n = len < (size_t)max ? len : (size_t)max;
	int r = mbedtls_ssl_write(&c->ssl, data, n);
	if (r > 0)
		return r;
	if (r == MBEDTLS_ERR_SSL_WANT_WRITE)
		/* sealed into a record that mbedTLS holds back until poll_output
		 * makes room: taken */
		return (int)n;
	fail(c, r);
	return c->err;
}

int vox_tls_conn_read(struct vox_tls_conn *c, uint8_t *out, size_t cap)
{
	if (!c || !c->cfg || (cap > 0 && !out))
		return VOX_EINVAL;
	if (c->info.state == VOX_TLS_FAILED)
		return c->err;
	if (c->info.state == VOX_TLS_CLOSED)
		return VOX_ECLOSED;
	if (c->info.state != VOX_TLS_OPEN || cap == 0)
		return 0;
	/* at most one record's plaintext (16 KiB) comes back */
	int r = mbedtls_ssl_read(&c->ssl, out, cap);
	if (r > 0)
		return r;
	switch (r) {
	case MBEDTLS_ERR_SSL_WANT_READ:
	case MBEDTLS_ERR_SSL_WANT_WRITE: return 0;
	case MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY:
		/* RFC 5246 7.2.1: answered with our own close_notify */
		(void)!mbedtls_ssl_close_notify(&c->ssl);
		c->info.state = VOX_TLS_CLOSED;
		push_event(c, VOX_TLS_EV_CLOSED, VOX_TLS_CAUSE_NONE);
		return VOX_ECLOSED;
	case 0: /* a transport EOF in mbedTLS 2.28's read (it returns 0) */
	case MBEDTLS_ERR_SSL_CONN_EOF:
		/* without close_notify the last bytes may have been cut off:
		 * SIP's Content-Length tells (RFC 3261 18.3) */
		c->info.state = VOX_TLS_CLOSED;
		c->info.cause = VOX_TLS_CAUSE_CLOSED;
		push_event(c, VOX_TLS_EV_CLOSED, VOX_TLS_CAUSE_CLOSED);
		return VOX_ECLOSED;
	}
	fail(c, r);
	return c->err;
}

int vox_tls_conn_close(struct vox_tls_conn *c)
{
	if (!c || !c->cfg)
		return VOX_EINVAL;
	if (c->info.state == VOX_TLS_FAILED)
		return c->err;
	if (c->info.state != VOX_TLS_OPEN)
		return VOX_ESTATE;
	(void)!mbedtls_ssl_close_notify(&c->ssl);
	c->info.state = VOX_TLS_CLOSED;
	push_event(c, VOX_TLS_EV_CLOSED, VOX_TLS_CAUSE_NONE);
	return 0;
}

const struct vox_tls_info *vox_tls_conn_info(const struct vox_tls_conn *c)
{
	return &c->info;
}

void vox_tls_conn_free(struct vox_tls_conn *c)
{
	if (!c)
		return;
	mbedtls_ssl_free(&c->ssl);
	vox_wipe(c, sizeof *c);
}

#endif /* VOX_WITH_TLS */
