/* SPDX-License-Identifier: MIT */
/* transport/tls*.c: the TLS engine, certificates made in memory, the pin
 * file and the reference rng.
 *
 * A client and a server engine talk through memory (run()). Every
 * certificate is made here by vox_tls_cert_make under the tests' own CA;
 * verification is never weakened for a test. Where vox must refuse what
 * another TLS stack would do, a raw mbedTLS peer set up here (struct raw)
 * plays that stack: one limited to TLS 1.1, to CBC or static-ECDH suites,
 * one that renegotiates. Every failure is checked for its cause on the
 * side that detects it and, where the other side can tell, there too. */
#define _DEFAULT_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vox/config.h"
#include "testutil.h"

#if VOX_WITH_TLS
#include <unistd.h>

#include <mbedtls/sha256.h>
/* MBEDTLS_SSL_RENEGOTIATION_DONE, to see a raw peer's renegotiation */
#include <mbedtls/ssl_internal.h>

#include "vox/tls.h"

/* ---- dates (seconds since 1970 UTC) ---------------------------------------- */

#define T2000 946684800LL    /* 2000-01-01 */
#define T2001 978307200LL    /* 2001-01-01 */
#define T9000 221845392000LL /* 9000-01-01 */
#define T9999 253402300799LL /* 9999-12-31 23:59:59, "no expiry" (RFC 5280 4.1.2.5) */

static uint64_t seed = 0x7e57c0ffee;
static const struct vox_rng rng = {test_rng, &seed};

/* ---- certificates -------------------------------------------------------------- */

struct pem {
	uint8_t key[512], cert[2048];
	size_t key_len, cert_len;
};

struct certs {
	struct pem ca, other_ca;
	struct pem good;     /* sip.example.com, by ca */
	struct pem expired;  /* 2000..2001 */
	struct pem future;   /* from 9000 */
	struct pem stranger; /* sip.example.com, by other_ca */
	struct pem wild;     /* *.example.com only */
	struct pem ip_only;  /* CN sip.example.com, SAN iPAddress 192.0.2.10 only */
	struct pem cn_only;  /* no subjectAltName, CN sip.example.com */
	struct pem
	    sip_uri; /* URI sip:example.com, sip:bob@other.example.com, DNS other.example.com */
	struct pem
	    no_sip_uri; /* URI sip:bob@sip.example.com, sips:sip.example.com, DNS sip.example.com */
	struct pem client;       /* alice.example.com, by ca */
	struct pem client_old;   /* expired client certificate */
	struct pem self1, self2; /* self-signed sip.example.com, for trust on first use */
};

static struct certs C;

struct names {
	const char *dns[2];
	size_t n_dns;
	const char *uris[2];
	size_t n_uris;
	struct vox_addr ip;
	size_t n_ips;
};

static void make(struct pem *out, const char *cn, const struct names *nm, const struct pem *issuer,
                 int64_t nb, int64_t na, int ca)
{
	struct vox_tls_cert_spec s = {0};
	s.cn = cn;
	if (nm) {
		s.dns = nm->dns;
		s.n_dns = nm->n_dns;
		s.uris = nm->uris;
		s.n_uris = nm->n_uris;
		s.ips = &nm->ip;
		s.n_ips = nm->n_ips;
	}
	s.not_before = nb;
	s.not_after = na;
	s.ca = (uint8_t)ca;
	if (issuer) {
		s.issuer_cert = issuer->cert;
		s.issuer_cert_len = issuer->cert_len;
		s.issuer_key = issuer->key;
		s.issuer_key_len = issuer->key_len;
	}
	struct vox_tls_cert_out o = {out->key, out->cert, sizeof out->key, sizeof out->cert, 0, 0};
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &o), 0);
	out->key_len = o.key_len;
	out->cert_len = o.cert_len;
}

static const struct names N_SIP = {{"sip.example.com"}, 1, {NULL}, 0, {0}, 0};

static int setup_certs(void **st)
{
	(void)st;
	struct names n;
	make(&C.ca, "vox test CA", NULL, NULL, T2000, T9999, 1);
	make(&C.other_ca, "some other CA", NULL, NULL, T2000, T9999, 1);
	make(&C.good, "sip.example.com", &N_SIP, &C.ca, T2000, T9999, 0);
	make(&C.expired, "sip.example.com", &N_SIP, &C.ca, T2000, T2001, 0);
	make(&C.future, "sip.example.com", &N_SIP, &C.ca, T9000, T9999, 0);
	make(&C.stranger, "sip.example.com", &N_SIP, &C.other_ca, T2000, T9999, 0);
	n = (struct names){{"*.example.com"}, 1, {NULL}, 0, {0}, 0};
	make(&C.wild, "*.example.com", &n, &C.ca, T2000, T9999, 0);
	n = (struct names){{NULL}, 0, {NULL}, 0, {4, {192, 0, 2, 10}, 0}, 1};
	make(&C.ip_only, "sip.example.com", &n, &C.ca, T2000, T9999, 0);
	make(&C.cn_only, "sip.example.com", NULL, &C.ca, T2000, T9999, 0);
	n = (struct names){
	    {"other.example.com"}, 1, {"sip:example.com", "sip:bob@other.example.com"}, 2, {0}, 0};
	make(&C.sip_uri, "example.com", &n, &C.ca, T2000, T9999, 0);
	n = (struct names){
	    {"sip.example.com"}, 1, {"sip:bob@sip.example.com", "sips:sip.example.com"}, 2, {0}, 0};
	make(&C.no_sip_uri, "sip.example.com", &n, &C.ca, T2000, T9999, 0);
	n = (struct names){{"alice.example.com"}, 1, {NULL}, 0, {0}, 0};
	make(&C.client, "alice.example.com", &n, &C.ca, T2000, T9999, 0);
	make(&C.client_old, "alice.example.com", &n, &C.ca, T2000, T2001, 0);
	make(&C.self1, "sip.example.com", &N_SIP, NULL, T2000, T9999, 0);
	make(&C.self2, "sip.example.com", &N_SIP, NULL, T2000, T9999, 0);
	return 0;
}

/* SHA-256 of a PEM certificate's DER, computed apart from vox. */
static void fp_of(const struct pem *p, uint8_t fp[32])
{
	mbedtls_x509_crt crt;
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse(&crt, p->cert, p->cert_len + 1), 0);
	assert_int_equal(mbedtls_sha256_ret(crt.raw.p, crt.raw.len, fp, 0), 0);
	mbedtls_x509_crt_free(&crt);
}

/* ---- configs and a pair of engines ------------------------------------------------ */

static struct vox_tls_opts client_opts(const struct pem *ca, const struct pem *own)
{
	struct vox_tls_opts o = {0};
	o.role = VOX_TLS_CLIENT;
	if (ca) {
		o.ca = ca->cert;
		o.ca_len = ca->cert_len;
	}
	if (own) {
		o.cert = own->cert;
		o.cert_len = own->cert_len;
		o.key = own->key;
		o.key_len = own->key_len;
	}
	o.rng = rng;
	return o;
}

static struct vox_tls_opts server_opts(const struct pem *own, const struct pem *client_ca)
{
	struct vox_tls_opts o = client_opts(client_ca, own);
	o.role = VOX_TLS_SERVER;
	return o;
}

struct pair {
	struct vox_tls_config ccfg, scfg;
	struct vox_tls_conn cli, srv;
};

static void pair_start(struct pair *p, const struct vox_tls_opts *co, const struct vox_tls_opts *so,
                       const char *host)
{
	struct vox_diag why;
	assert_int_equal(vox_tls_config_init(&p->ccfg, co, &why), 0);
	assert_int_equal(vox_tls_config_init(&p->scfg, so, &why), 0);
	assert_int_equal(vox_tls_conn_init(&p->cli, &p->ccfg, vox_slice_cstr(host)), 0);
	assert_int_equal(vox_tls_conn_init(&p->srv, &p->scfg, vox_slice_cstr(NULL)), 0);
}

static void pair_free(struct pair *p)
{
	vox_tls_conn_free(&p->cli);
	vox_tls_conn_free(&p->srv);
	vox_tls_config_free(&p->ccfg);
	vox_tls_config_free(&p->scfg);
}

/* Moves what from has to send into to, as much as to takes; an odd chunk
 * size cuts records in pieces. */
static size_t shuttle(struct vox_tls_conn *from, struct vox_tls_conn *to)
{
	uint8_t buf[777];
	size_t moved = 0;
	for (;;) {
		size_t room = vox_tls_conn_recv_room(to);
		int n = vox_tls_conn_poll_output(from, buf, room < sizeof buf ? room : sizeof buf);
		if (n <= 0)
			return moved;
		int r = vox_tls_conn_recv(to, buf, (size_t)n);
		assert_int_not_equal(r, VOX_ENOSPC);
		moved += (size_t)n;
	}
}

static void run(struct vox_tls_conn *a, struct vox_tls_conn *b)
{
	for (int i = 0; i < 100; i++)
		if (shuttle(a, b) + shuttle(b, a) == 0)
			return;
	fail_msg("the engines never went quiet");
}

/* The types of the queued events, in order, as a string: C connected,
 * P pinned, X closed, F failed. */
static const char *events(struct vox_tls_conn *c, enum vox_tls_cause *cause)
{
	static char s[8];
	size_t n = 0;
	struct vox_tls_event ev;
	while (vox_tls_conn_next_event(c, &ev) && n < sizeof s - 1) {
		s[n++] = "?CPXF"[ev.type];
		if (cause)
			*cause = ev.cause;
	}
	s[n] = '\0';
	return s;
}

static void expect_fail(struct vox_tls_conn *c, enum vox_tls_cause cause)
{
	enum vox_tls_cause got = VOX_TLS_CAUSE_NONE;
	const struct vox_tls_info *in = vox_tls_conn_info(c);
	assert_string_equal(events(c, &got), "F");
	assert_int_equal(got, cause);
	assert_int_equal(in->state, VOX_TLS_FAILED);
	assert_int_equal(in->cause, cause);
	assert_int_equal(in->verified, 0);
	/* every later call says it too */
	uint8_t b[16];
	assert_int_equal(vox_tls_conn_read(c, b, sizeof b), vox_tls_cause_err(cause));
	assert_int_equal(vox_tls_conn_write(c, b, sizeof b), vox_tls_cause_err(cause));
	assert_int_equal(vox_tls_conn_recv(c, b, 1), vox_tls_cause_err(cause));
}

/* A client of the test CA against a server with cert, asking for host:
 * the client must fail with cause; the server learns of it by the alert
 * mbedTLS picks for the certificate's flags. */
static void expect_refused(const struct pem *cert, const char *host, enum vox_tls_cause cause,
                           uint8_t alert)
{
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(cert, NULL);
	pair_start(&p, &co, &so, host);
	run(&p.cli, &p.srv);
	expect_fail(&p.cli, cause);
	uint8_t fp[32];
	fp_of(cert, fp);
	assert_int_equal(vox_tls_conn_info(&p.cli)->peer_cert, 1);
	assert_memory_equal(vox_tls_conn_info(&p.cli)->peer_fp, fp, 32);
	assert_int_not_equal(vox_tls_conn_info(&p.cli)->verify_flags, 0);
	expect_fail(&p.srv, VOX_TLS_CAUSE_PEER_REFUSED_CERT);
	assert_int_equal(vox_tls_conn_info(&p.srv)->alert, alert);
	pair_free(&p);
}

/* A connection made and checked open, both ways. */
static void expect_open(struct pair *p)
{
	assert_string_equal(events(&p->cli, NULL), "C");
	assert_string_equal(events(&p->srv, NULL), "C");
	assert_int_equal(vox_tls_conn_info(&p->cli)->state, VOX_TLS_OPEN);
	assert_int_equal(vox_tls_conn_info(&p->srv)->state, VOX_TLS_OPEN);
}

static void roundtrip(struct vox_tls_conn *a, struct vox_tls_conn *b, const char *msg)
{
	uint8_t got[256];
	size_t n = strlen(msg);
	assert_int_equal(vox_tls_conn_write(a, (const uint8_t *)msg, n), (int)n);
	run(a, b);
	assert_int_equal(vox_tls_conn_read(b, got, sizeof got), (int)n);
	assert_memory_equal(got, msg, n);
	assert_int_equal(vox_tls_conn_read(b, got, sizeof got), 0);
}

/* ---- the good case ------------------------------------------------------------------ */

static void test_good(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	pair_start(&p, &co, &so, "sip.example.com");
	/* nothing is readable or writable before the handshake */
	uint8_t b[8];
	assert_int_equal(vox_tls_conn_write(&p.cli, b, 1), VOX_ESTATE);
	assert_int_equal(vox_tls_conn_read(&p.cli, b, sizeof b), 0);
	run(&p.cli, &p.srv);
	expect_open(&p);
	const struct vox_tls_info *ci = vox_tls_conn_info(&p.cli), *si = vox_tls_conn_info(&p.srv);
	uint8_t fp[32];
	fp_of(&C.good, fp);
	assert_int_equal(ci->verified, 1);
	assert_int_equal(ci->trust, VOX_TLS_TRUST_CA);
	assert_int_equal(ci->peer_cert, 1);
	assert_memory_equal(ci->peer_fp, fp, 32);
	assert_int_equal(ci->cert_problem, VOX_TLS_CAUSE_NONE);
	assert_string_equal(ci->version, "TLSv1.2");
	assert_non_null(strstr(ci->suite, "ECDHE"));
	assert_true(strstr(ci->suite, "GCM") || strstr(ci->suite, "CHACHA20-POLY1305"));
	assert_int_equal(ci->keylog, 0);
	/* the server asked for no client certificate: not verified */
	assert_int_equal(si->verified, 0);
	assert_int_equal(si->trust, VOX_TLS_TRUST_NONE);
	assert_int_equal(si->peer_cert, 0);
	roundtrip(&p.cli, &p.srv, "REGISTER sip:example.com SIP/2.0\r\n");
	roundtrip(&p.srv, &p.cli, "SIP/2.0 200 OK\r\n");
	/* a close_notify ends it on both sides */
	assert_int_equal(vox_tls_conn_close(&p.cli), 0);
	run(&p.cli, &p.srv);
	assert_int_equal(vox_tls_conn_read(&p.srv, b, sizeof b), VOX_ECLOSED);
	enum vox_tls_cause cause = VOX_TLS_CAUSE_PROTOCOL;
	assert_string_equal(events(&p.srv, &cause), "X");
	assert_int_equal(cause, VOX_TLS_CAUSE_NONE);
	assert_string_equal(events(&p.cli, NULL), "X");
	assert_int_equal(vox_tls_conn_write(&p.cli, b, 1), VOX_ESTATE);
	pair_free(&p);
	pair_free(&p); /* twice is fine */
}

/* ---- what the client offers ------------------------------------------------------------ */

static size_t be(const uint8_t *p, size_t n)
{
	size_t v = 0;
	for (size_t i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

/* The body of extension type in a ClientHello record (RFC 5246 7.4.1.2,
 * 7.4.1.4), or NULL. */
static const uint8_t *hello_ext(const uint8_t *h, size_t n, unsigned type, size_t *len)
{
	assert_true(n > 5 + 4 + 2 + 32 + 1 && h[0] == 22 && h[5] == 1);
	size_t at = 5 + 4 + 2 + 32;
	at += 1 + h[at];         /* session_id */
	at += 2 + be(h + at, 2); /* cipher_suites */
	at += 1 + h[at];         /* compression_methods */
	size_t end = at + 2 + be(h + at, 2);
	assert_true(end <= n);
	for (at += 2; at + 4 <= end; at += 4 + be(h + at + 2, 2)) {
		if (be(h + at, 2) == type) {
			*len = be(h + at + 2, 2);
			return h + at + 4;
		}
	}
	return NULL;
}

static size_t client_hello(const char *host, uint8_t *h, size_t cap)
{
	struct vox_tls_config cfg;
	struct vox_tls_conn c;
	struct vox_tls_opts o = client_opts(&C.ca, NULL);
	assert_int_equal(vox_tls_config_init(&cfg, &o, NULL), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr(host)), 0);
	int n = vox_tls_conn_poll_output(&c, h, cap);
	assert_true(n > 0);
	vox_tls_conn_free(&c);
	vox_tls_config_free(&cfg);
	return (size_t)n;
}

static void test_client_hello(void **st)
{
	(void)st;
	uint8_t h[1024];
	size_t n = client_hello("sip.example.com", h, sizeof h), len;
	/* TLS 1.2 at most, and only the ECDHE+AEAD suites (RFC 5246 7.4.1.2) */
	assert_int_equal(be(h + 9, 2), 0x0303);
	size_t at = 5 + 4 + 2 + 32;
	at += 1 + h[at];
	static const unsigned suites[] = {0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8};
	size_t ns = be(h + at, 2) / 2;
	/* mbedTLS adds the renegotiation SCSV (RFC 5746 3.3) at the end */
	assert_int_equal(ns, 6 + 1);
	for (size_t i = 0; i < 6; i++)
		assert_int_equal(be(h + at + 2 + 2 * i, 2), suites[i]);
	assert_int_equal(be(h + at + 2 + 12, 2), 0x00ff);
	/* the name asked for, as SNI (RFC 6066 3) */
	const uint8_t *e = hello_ext(h, n, 0, &len);
	assert_non_null(e);
	assert_int_equal(len, 2 + 3 + 15);
	assert_int_equal(e[2], 0);
	assert_int_equal(be(e + 3, 2), 15);
	assert_memory_equal(e + 5, "sip.example.com", 15);
	/* curves of 128-bit strength: P-256, X25519, P-384, P-521 (RFC 8422 5.1.1) */
	e = hello_ext(h, n, 10, &len);
	assert_non_null(e);
	assert_int_equal(len, 2 + 8);
	static const unsigned groups[] = {23, 29, 24, 25};
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(be(e + 2 + 2 * i, 2), groups[i]);
	/* no SNI for an IP literal */
	n = client_hello("[2001:db8::5]", h, sizeof h);
	assert_null(hello_ext(h, n, 0, &len));
	n = client_hello("192.0.2.10", h, sizeof h);
	assert_null(hello_ext(h, n, 0, &len));
}

/* ---- the peer's certificate ------------------------------------------------------------- */

static void test_expired(void **st)
{
	(void)st;
	expect_refused(&C.expired, "sip.example.com", VOX_TLS_CAUSE_EXPIRED,
	               MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED);
}

static void test_not_yet_valid(void **st)
{
	(void)st;
	expect_refused(&C.future, "sip.example.com", VOX_TLS_CAUSE_NOT_YET_VALID,
	               MBEDTLS_SSL_ALERT_MSG_CERT_UNKNOWN);
}

static void test_unknown_ca(void **st)
{
	(void)st;
	expect_refused(&C.stranger, "sip.example.com", VOX_TLS_CAUSE_UNKNOWN_CA,
	               MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA);
}

static void test_name_mismatch(void **st)
{
	(void)st;
	expect_refused(&C.good, "proxy.example.com", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	expect_refused(&C.good, "example.com", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	expect_refused(&C.good, "sip.example.com.evil.net", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
}

/* mbedTLS accepts *.example.com for sip.example.com; RFC 5922 7.2 does not */
static void test_wildcard(void **st)
{
	(void)st;
	mbedtls_x509_crt leaf, ca;
	uint32_t flags = 0;
	mbedtls_x509_crt_init(&leaf);
	mbedtls_x509_crt_init(&ca);
	assert_int_equal(mbedtls_x509_crt_parse(&leaf, C.wild.cert, C.wild.cert_len + 1), 0);
	assert_int_equal(mbedtls_x509_crt_parse(&ca, C.ca.cert, C.ca.cert_len + 1), 0);
	assert_int_equal(
	    mbedtls_x509_crt_verify(&leaf, &ca, NULL, "sip.example.com", &flags, NULL, NULL), 0);
	mbedtls_x509_crt_free(&leaf);
	mbedtls_x509_crt_free(&ca);
	expect_refused(&C.wild, "sip.example.com", VOX_TLS_CAUSE_WILDCARD,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	/* a name the wildcard would not cover either is a plain mismatch */
	expect_refused(&C.wild, "a.b.example.com", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
}

static void expect_accepted(const struct pem *cert, const char *host)
{
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(cert, NULL);
	pair_start(&p, &co, &so, host);
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(vox_tls_conn_info(&p.cli)->verified, 1);
	pair_free(&p);
}

/* The name checked is the one the user asked for, not the address the
 * resolver produced: a certificate that holds only that address does not
 * name sip.example.com, even with sip.example.com as its CN (RFC 5922 7.1:
 * with a subjectAltName, the CN is not looked at). */
static void test_name_not_address(void **st)
{
	(void)st;
	expect_refused(&C.ip_only, "sip.example.com", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	/* a URI whose host is that IP literal is checked against it */
	expect_accepted(&C.ip_only, "192.0.2.10");
	expect_refused(&C.ip_only, "192.0.2.11", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	expect_refused(&C.good, "192.0.2.10", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	/* without a subjectAltName, the CN (RFC 5922 7.1 step 2); any case */
	expect_accepted(&C.cn_only, "SIP.Example.COM");
}

/* RFC 5922 7.1: sip: URIs without a user part are identities, and when
 * there is one, dNSName entries are not */
static void test_sip_uri_identity(void **st)
{
	(void)st;
	expect_accepted(&C.sip_uri, "example.com");
	expect_refused(&C.sip_uri, "other.example.com", VOX_TLS_CAUSE_NAME_MISMATCH,
	               MBEDTLS_SSL_ALERT_MSG_BAD_CERT);
	/* a URI with a user part, or of another scheme, is no identity: the
	 * dNSName counts */
	expect_accepted(&C.no_sip_uri, "sip.example.com");
}

/* ---- the negotiation, against a raw mbedTLS peer ----------------------------------------- */

struct raw {
	mbedtls_ssl_config conf;
	mbedtls_ssl_context ssl;
	mbedtls_x509_crt crt, ca;
	mbedtls_pk_context key;
	int suites[2];
	uint8_t in[32768], out[32768];
	size_t in_len, out_len;
	uint8_t hello_minor; /* rewrite the version of our ServerHello to 3.this */
};

static int raw_rng(void *p, unsigned char *out, size_t len)
{
	return test_rng(p, out, len);
}

static int raw_send(void *p, const unsigned char *b, size_t n)
{
	struct raw *r = p;
	assert_true(n <= sizeof r->out - r->out_len);
	memcpy(r->out + r->out_len, b, n);
	r->out_len += n;
	return (int)n;
}

static int raw_recv(void *p, unsigned char *b, size_t n)
{
	struct raw *r = p;
	if (r->in_len == 0)
		return MBEDTLS_ERR_SSL_WANT_READ;
	if (n > r->in_len)
		n = r->in_len;
	memcpy(b, r->in, n);
	memmove(r->in, r->in + n, r->in_len - n);
	r->in_len -= n;
	return (int)n;
}

/* A raw mbedTLS peer: TLS up to max_minor (3: 1.2, 2: 1.1), one suite (or
 * mbedTLS's default list for 0), renegotiation on. */
static void raw_start(struct raw *r, int endpoint, int max_minor, int suite)
{
	memset(r, 0, sizeof *r);
	mbedtls_ssl_config_init(&r->conf);
	mbedtls_ssl_init(&r->ssl);
	mbedtls_x509_crt_init(&r->crt);
	mbedtls_x509_crt_init(&r->ca);
	mbedtls_pk_init(&r->key);
	assert_int_equal(mbedtls_ssl_config_defaults(&r->conf, endpoint,
	                                             MBEDTLS_SSL_TRANSPORT_STREAM,
	                                             MBEDTLS_SSL_PRESET_DEFAULT),
	                 0);
	mbedtls_ssl_conf_rng(&r->conf, raw_rng, &seed);
	mbedtls_ssl_conf_max_version(&r->conf, 3, max_minor);
	mbedtls_ssl_conf_renegotiation(&r->conf, MBEDTLS_SSL_RENEGOTIATION_ENABLED);
	if (suite) {
		r->suites[0] = suite;
		mbedtls_ssl_conf_ciphersuites(&r->conf, r->suites);
	}
	mbedtls_ssl_conf_authmode(&r->conf, MBEDTLS_SSL_VERIFY_NONE);
	if (endpoint == MBEDTLS_SSL_IS_SERVER) {
		assert_int_equal(mbedtls_x509_crt_parse(&r->crt, C.good.cert, C.good.cert_len + 1),
		                 0);
		assert_int_equal(
		    mbedtls_pk_parse_key(&r->key, C.good.key, C.good.key_len + 1, NULL, 0), 0);
		assert_int_equal(mbedtls_ssl_conf_own_cert(&r->conf, &r->crt, &r->key), 0);
	}
	assert_int_equal(mbedtls_ssl_setup(&r->ssl, &r->conf), 0);
	mbedtls_ssl_set_bio(&r->ssl, r, raw_send, raw_recv, NULL);
}

static void raw_free(struct raw *r)
{
	mbedtls_ssl_free(&r->ssl);
	mbedtls_ssl_config_free(&r->conf);
	mbedtls_x509_crt_free(&r->crt);
	mbedtls_x509_crt_free(&r->ca);
	mbedtls_pk_free(&r->key);
}

/* Runs the raw peer's handshake (or, once it is over, op) and moves
 * bytes both ways until nothing moves. Returns the raw peer's last
 * result. */
static int raw_run(struct raw *r, struct vox_tls_conn *c, int (*op)(mbedtls_ssl_context *))
{
	int ret = 0;
	for (int i = 0; i < 100; i++) {
		ret = op ? op(&r->ssl) : mbedtls_ssl_handshake(&r->ssl);
		size_t moved = r->out_len;
		/* record header (5), handshake header (4), server_version */
		if (r->hello_minor && r->out_len > 10 && r->out[0] == 22 && r->out[5] == 2) {
			r->out[10] = r->hello_minor;
			r->hello_minor = 0;
		}
		if (r->out_len > 0) {
			size_t take = r->out_len < vox_tls_conn_recv_room(c)
			                  ? r->out_len
			                  : vox_tls_conn_recv_room(c);
			(void)!vox_tls_conn_recv(c, r->out, take);
			memmove(r->out, r->out + take, r->out_len - take);
			r->out_len -= take;
		}
		int n;
		while ((n = vox_tls_conn_poll_output(c, r->in + r->in_len,
		                                     sizeof r->in - r->in_len)) > 0) {
			r->in_len += (size_t)n;
			moved += (size_t)n;
		}
		if (moved == 0 && ret != MBEDTLS_ERR_SSL_WANT_WRITE)
			return ret;
	}
	fail_msg("the raw peer and the engine never went quiet");
	return ret;
}

/* vox as client against a server that offers only what vox refuses (or
 * answers with the TLS minor version hello_minor) */
static void client_vs_raw(int max_minor, int suite, int hello_minor, enum vox_tls_cause cause)
{
	struct raw r;
	struct vox_tls_config cfg;
	struct vox_tls_conn c;
	struct vox_tls_opts o = client_opts(&C.ca, NULL);
	raw_start(&r, MBEDTLS_SSL_IS_SERVER, max_minor, suite);
	r.hello_minor = (uint8_t)hello_minor;
	assert_int_equal(vox_tls_config_init(&cfg, &o, NULL), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("sip.example.com")), 0);
	assert_int_not_equal(raw_run(&r, &c, NULL), 0);
	expect_fail(&c, cause);
	vox_tls_conn_free(&c);
	vox_tls_config_free(&cfg);
	raw_free(&r);
}

/* vox as server against a client that offers only what vox refuses; the
 * raw client must be told by an alert */
static void server_vs_raw(int max_minor, int suite, enum vox_tls_cause cause, int alert)
{
	struct raw r;
	struct vox_tls_config cfg;
	struct vox_tls_conn c;
	struct vox_tls_opts o = server_opts(&C.good, NULL);
	raw_start(&r, MBEDTLS_SSL_IS_CLIENT, max_minor, suite);
	assert_int_equal(vox_tls_config_init(&cfg, &o, NULL), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr(NULL)), 0);
	assert_int_equal(raw_run(&r, &c, NULL), MBEDTLS_ERR_SSL_FATAL_ALERT_MESSAGE);
	assert_int_equal(r.ssl.in_msg[1], alert);
	expect_fail(&c, cause);
	vox_tls_conn_free(&c);
	vox_tls_config_free(&cfg);
	raw_free(&r);
}

static void test_no_shared_cipher(void **st)
{
	(void)st;
	/* ECDHE but CBC: no AEAD */
	client_vs_raw(3, MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256, 0,
	              VOX_TLS_CAUSE_NO_SHARED_CIPHER);
	server_vs_raw(3, MBEDTLS_TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256,
	              VOX_TLS_CAUSE_NO_SHARED_CIPHER, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	/* AEAD but no forward secrecy: static ECDH, RSA key transport */
	server_vs_raw(3, MBEDTLS_TLS_ECDH_ECDSA_WITH_AES_128_GCM_SHA256,
	              VOX_TLS_CAUSE_NO_SHARED_CIPHER, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	server_vs_raw(3, MBEDTLS_TLS_RSA_WITH_AES_128_GCM_SHA256, VOX_TLS_CAUSE_NO_SHARED_CIPHER,
	              MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
}

static void test_protocol_version(void **st)
{
	(void)st;
	/* Debian's mbedTLS 2.28 still speaks TLS 1.1 (MBEDTLS_SSL_PROTO_TLS1_1).
	 * A 1.1 server finds none of vox's suites (all need 1.2) and says
	 * handshake_failure: the client cannot tell that from no shared suite */
	client_vs_raw(MBEDTLS_SSL_MINOR_VERSION_2, 0, 0, VOX_TLS_CAUSE_NO_SHARED_CIPHER);
	/* a server that answers in TLS 1.1 anyway is refused for its version */
	client_vs_raw(MBEDTLS_SSL_MINOR_VERSION_3, 0, MBEDTLS_SSL_MINOR_VERSION_2,
	              VOX_TLS_CAUSE_PROTOCOL_VERSION);
	server_vs_raw(MBEDTLS_SSL_MINOR_VERSION_2, 0, VOX_TLS_CAUSE_PROTOCOL_VERSION,
	              MBEDTLS_SSL_ALERT_MSG_PROTOCOL_VERSION);
	/* and the raw peer at 1.2 against the same engines connects: the test
	 * fails for the version and nothing else */
	struct raw r;
	struct vox_tls_config cfg;
	struct vox_tls_conn c;
	struct vox_tls_opts o = server_opts(&C.good, NULL);
	raw_start(&r, MBEDTLS_SSL_IS_CLIENT, MBEDTLS_SSL_MINOR_VERSION_3, 0);
	assert_int_equal(vox_tls_config_init(&cfg, &o, NULL), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr(NULL)), 0);
	assert_int_equal(raw_run(&r, &c, NULL), 0);
	assert_string_equal(events(&c, NULL), "C");
	vox_tls_conn_free(&c);
	vox_tls_config_free(&cfg);
	raw_free(&r);
}

static int raw_read(mbedtls_ssl_context *ssl)
{
	unsigned char b[64];
	return mbedtls_ssl_read(ssl, b, sizeof b);
}

/* A peer that asks to renegotiate gets a no_renegotiation warning
 * (RFC 5246 7.2.2); the connection goes on under its first keys. */
static void test_renegotiation_refused(void **st)
{
	(void)st;
	for (int endpoint = 0; endpoint < 2; endpoint++) {
		struct raw r;
		struct vox_tls_config cfg;
		struct vox_tls_conn c;
		int raw_is_client = endpoint == 0;
		struct vox_tls_opts o =
		    raw_is_client ? server_opts(&C.good, NULL) : client_opts(&C.ca, NULL);
		raw_start(&r, raw_is_client ? MBEDTLS_SSL_IS_CLIENT : MBEDTLS_SSL_IS_SERVER, 3, 0);
		assert_int_equal(vox_tls_config_init(&cfg, &o, NULL), 0);
		assert_int_equal(
		    vox_tls_conn_init(&c, &cfg,
		                      vox_slice_cstr(raw_is_client ? NULL : "sip.example.com")),
		    0);
		assert_int_equal(raw_run(&r, &c, NULL), 0);
		assert_string_equal(events(&c, NULL), "C");
		/* the client's ClientHello, or the server's HelloRequest */
		int ret = mbedtls_ssl_renegotiate(&r.ssl);
		assert_true(ret == 0 || ret == MBEDTLS_ERR_SSL_WANT_READ);
		for (int i = 0; i < 20; i++) {
			/* mbedTLS answers the request where the engine reads */
			uint8_t b[64];
			assert_int_equal(vox_tls_conn_read(&c, b, sizeof b), 0);
			(void)raw_run(&r, &c, raw_read);
		}
		assert_int_not_equal(r.ssl.renego_status, MBEDTLS_SSL_RENEGOTIATION_DONE);
		assert_int_equal(vox_tls_conn_info(&c)->state, VOX_TLS_OPEN);
		assert_string_equal(events(&c, NULL), "");
		vox_tls_conn_free(&c);
		vox_tls_config_free(&cfg);
		raw_free(&r);
	}
}

/* ---- client certificates ---------------------------------------------------------------- */

static void test_client_cert_required(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, &C.ca);
	so.require_client_cert = 1;
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_fail(&p.srv, VOX_TLS_CAUSE_NO_CLIENT_CERT);
	expect_fail(&p.cli, VOX_TLS_CAUSE_NO_CLIENT_CERT);
	assert_int_equal(vox_tls_conn_info(&p.cli)->alert, MBEDTLS_SSL_ALERT_MSG_HANDSHAKE_FAILURE);
	pair_free(&p);

	/* with its certificate the same client gets in, verified */
	co = client_opts(&C.ca, &C.client);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	const struct vox_tls_info *si = vox_tls_conn_info(&p.srv);
	uint8_t fp[32];
	fp_of(&C.client, fp);
	assert_int_equal(si->verified, 1);
	assert_int_equal(si->trust, VOX_TLS_TRUST_CA);
	assert_memory_equal(si->peer_fp, fp, 32);
	assert_int_equal(vox_tls_conn_info(&p.cli)->verified, 1);
	roundtrip(&p.srv, &p.cli, "mutual");
	pair_free(&p);

	/* an expired one is refused, and the client hears why */
	co = client_opts(&C.ca, &C.client_old);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_fail(&p.srv, VOX_TLS_CAUSE_EXPIRED);
	expect_fail(&p.cli, VOX_TLS_CAUSE_PEER_REFUSED_CERT);
	assert_int_equal(vox_tls_conn_info(&p.cli)->alert, MBEDTLS_SSL_ALERT_MSG_CERT_EXPIRED);
	pair_free(&p);
}

/* A server with CAs that does not require client certificates checks the
 * ones it gets and says so, without failing the connection. */
static void test_client_cert_optional(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, &C.client_old),
	                    so = server_opts(&C.good, &C.ca);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	const struct vox_tls_info *si = vox_tls_conn_info(&p.srv);
	assert_int_equal(si->verified, 0);
	assert_int_equal(si->peer_cert, 1);
	assert_int_equal(si->cert_problem, VOX_TLS_CAUSE_EXPIRED);
	pair_free(&p);

	co = client_opts(&C.ca, NULL);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(vox_tls_conn_info(&p.srv)->verified, 0);
	assert_int_equal(vox_tls_conn_info(&p.srv)->cert_problem, VOX_TLS_CAUSE_NO_CLIENT_CERT);
	pair_free(&p);
}

/* ---- verification off, by name ------------------------------------------------------------- */

static void test_insecure_no_verify(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(NULL, NULL), so = server_opts(&C.expired, NULL);
	co.insecure_no_verify = 1;
	pair_start(&p, &co, &so, "proxy.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	const struct vox_tls_info *ci = vox_tls_conn_info(&p.cli);
	assert_int_equal(ci->verified, 0);
	assert_int_equal(ci->trust, VOX_TLS_TRUST_OFF);
	/* still examined: what a check would have said */
	assert_int_equal(ci->cert_problem, VOX_TLS_CAUSE_UNKNOWN_CA);
	assert_int_not_equal(ci->verify_flags & MBEDTLS_X509_BADCERT_EXPIRED, 0);
	assert_int_not_equal(ci->verify_flags & MBEDTLS_X509_BADCERT_CN_MISMATCH, 0);
	pair_free(&p);
}

/* ---- trust on first use ---------------------------------------------------------------------- */

static char pin_dir[64];
static char pin_path[128];

static int setup_pins(void **st)
{
	(void)st;
	snprintf(pin_dir, sizeof pin_dir, "/tmp/vox_tls_pins.XXXXXX");
	if (!mkdtemp(pin_dir))
		return -1;
	snprintf(pin_path, sizeof pin_path, "%s/pins", pin_dir);
	return 0;
}

static int teardown_pins(void **st)
{
	(void)st;
	unlink(pin_path);
	rmdir(pin_dir);
	return 0;
}

static void tofu_connect(const struct pem *server, struct pair *p, struct vox_tls_pin_file *pf)
{
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(server, NULL);
	co.pins = (struct vox_tls_pins){vox_tls_pin_file_lookup, vox_tls_pin_file_store, pf};
	pair_start(p, &co, &so, "sip.example.com");
	run(&p->cli, &p->srv);
}

static void test_tofu(void **st)
{
	(void)st;
	struct vox_tls_pin_file pf = {pin_path};
	struct pair p;
	uint8_t fp1[32], fp2[32], pinned[32];
	fp_of(&C.self1, fp1);
	fp_of(&C.self2, fp2);
	unlink(pin_path);

	/* first use: pinned, and said so; not "verified" (nothing vouched) */
	tofu_connect(&C.self1, &p, &pf);
	assert_string_equal(events(&p.cli, NULL), "PC");
	assert_int_equal(vox_tls_conn_info(&p.cli)->trust, VOX_TLS_TRUST_PIN_FIRST);
	assert_int_equal(vox_tls_conn_info(&p.cli)->verified, 0);
	pair_free(&p);
	assert_int_equal(vox_tls_pin_file_lookup(&pf, vox_slice_cstr("SIP.example.com"), pinned),
	                 1);
	assert_memory_equal(pinned, fp1, 32);
	FILE *f = fopen(pin_path, "r");
	char line[200];
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	fclose(f);
	char hex[65];
	assert_int_equal(vox_hex_encode(fp1, 32, hex, 64), 64);
	hex[64] = '\0';
	assert_true(strncmp(line, "sip.example.com ", 16) == 0);
	assert_true(strncmp(line + 16, hex, 64) == 0);

	/* the same certificate again */
	tofu_connect(&C.self1, &p, &pf);
	assert_string_equal(events(&p.cli, NULL), "C");
	assert_int_equal(vox_tls_conn_info(&p.cli)->trust, VOX_TLS_TRUST_PIN_MATCH);
	pair_free(&p);

	/* another one: refused, both fingerprints shown */
	tofu_connect(&C.self2, &p, &pf);
	const struct vox_tls_info *ci = vox_tls_conn_info(&p.cli);
	assert_memory_equal(ci->pinned_fp, fp1, 32);
	assert_memory_equal(ci->peer_fp, fp2, 32);
	expect_fail(&p.cli, VOX_TLS_CAUSE_PIN_MISMATCH);
	expect_fail(&p.srv, VOX_TLS_CAUSE_PEER_REFUSED_CERT);
	assert_int_equal(vox_tls_conn_info(&p.srv)->alert, MBEDTLS_SSL_ALERT_MSG_UNKNOWN_CA);
	pair_free(&p);
	assert_int_equal(vox_tls_pin_file_lookup(&pf, vox_slice_cstr("sip.example.com"), pinned),
	                 1);
	assert_memory_equal(pinned, fp1, 32);

	/* a certificate the CA vouches for needs no pin, and gets none */
	tofu_connect(&C.good, &p, &pf);
	assert_string_equal(events(&p.cli, NULL), "C");
	assert_int_equal(vox_tls_conn_info(&p.cli)->trust, VOX_TLS_TRUST_CA);
	assert_int_equal(vox_tls_conn_info(&p.cli)->verified, 1);
	pair_free(&p);

	/* dates and names still count for a pinned certificate */
	struct pem self_old;
	unlink(pin_path);
	make(&self_old, "sip.example.com", &N_SIP, NULL, T2000, T2001, 0);
	tofu_connect(&self_old, &p, &pf);
	expect_fail(&p.cli, VOX_TLS_CAUSE_EXPIRED);
	pair_free(&p);

	/* a damaged pin file is an error, never "no pin yet" */
	f = fopen(pin_path, "w");
	assert_non_null(f);
	fputs("sip.example.com 0123\n", f);
	fclose(f);
	tofu_connect(&C.self2, &p, &pf);
	expect_fail(&p.cli, VOX_TLS_CAUSE_PIN_STORE);
	pair_free(&p);

	/* a pin store that cannot write: the first connection fails */
	struct vox_tls_pin_file nowhere = {"/nonexistent-dir/pins"};
	tofu_connect(&C.self1, &p, &nowhere);
	expect_fail(&p.cli, VOX_TLS_CAUSE_PIN_STORE);
	pair_free(&p);
	unlink(pin_path);
}

/* ---- the key log ------------------------------------------------------------------------------ */

struct keylog {
	char lines[4][256];
	int n;
};

static void keylog_collect(void *ctx, struct vox_slice line)
{
	struct keylog *k = ctx;
	assert_true(line.len < sizeof k->lines[0]);
	if (k->n < 4) {
		memcpy(k->lines[k->n], line.p, line.len);
		k->lines[k->n][line.len] = '\0';
	}
	k->n++;
}

struct warnings {
	int n;
	char last[160];
};

static void log_collect(void *ctx, enum vox_log_level level, struct vox_slice msg)
{
	struct warnings *w = ctx;
	if (level == VOX_LOG_WARN) {
		w->n++;
		size_t n = msg.len < sizeof w->last - 1 ? msg.len : sizeof w->last - 1;
		memcpy(w->last, msg.p, n);
		w->last[n] = '\0';
	}
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return 1;
}

static void test_keylog(void **st)
{
	(void)st;
	struct keylog kc = {0}, ks = {0};
	struct warnings w = {0};
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	co.keylog = keylog_collect;
	co.keylog_ctx = &kc;
	co.log = (struct vox_log){log_collect, &w};
	so.keylog = keylog_collect;
	so.keylog_ctx = &ks;
	pair_start(&p, &co, &so, "sip.example.com");
	assert_int_equal(w.n, 1);
	assert_non_null(strstr(w.last, "key log is ON"));
	/* the client random is in the ClientHello: record header (5), handshake
	 * header (4), client_version (2), then random (RFC 5246 7.4.1.2) */
	uint8_t hello[512];
	int n = vox_tls_conn_poll_output(&p.cli, hello, sizeof hello);
	assert_true(n > 11 + 32);
	assert_int_equal(vox_tls_conn_recv(&p.srv, hello, (size_t)n), 0);
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(kc.n, 1);
	assert_int_equal(ks.n, 1);
	const char *l = kc.lines[0];
	assert_int_equal(strlen(l), 14 + 64 + 1 + 96);
	assert_true(strncmp(l, "CLIENT_RANDOM ", 14) == 0);
	assert_true(is_hex(l + 14, 64) && l[78] == ' ' && is_hex(l + 79, 96));
	char rnd[65];
	assert_int_equal(vox_hex_encode(hello + 11, 32, rnd, 64), 64);
	assert_memory_equal(l + 14, rnd, 64);
	/* both ends derived the same master secret on their own */
	assert_string_equal(kc.lines[0], ks.lines[0]);
	assert_int_equal(vox_tls_conn_info(&p.cli)->keylog, 1);
	pair_free(&p);

	/* off: no line, no warning */
	struct keylog none = {0};
	struct warnings w2 = {0};
	co = client_opts(&C.ca, NULL);
	co.log = (struct vox_log){log_collect, &w2};
	co.keylog_ctx = &none; /* a context alone turns nothing on */
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(none.n, 0);
	assert_int_equal(w2.n, 0);
	assert_int_equal(vox_tls_conn_info(&p.cli)->keylog, 0);
	pair_free(&p);

	/* the file sink writes what Wireshark reads: one line each */
	FILE *f = tmpfile();
	assert_non_null(f);
	co = client_opts(&C.ca, NULL);
	co.keylog = vox_tls_keylog_file;
	co.keylog_ctx = f;
	so = server_opts(&C.good, NULL);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	pair_free(&p);
	rewind(f);
	char line[256];
	assert_non_null(fgets(line, sizeof line, f));
	assert_int_equal(strlen(line), 14 + 64 + 1 + 96 + 1);
	assert_true(strncmp(line, "CLIENT_RANDOM ", 14) == 0);
	assert_null(fgets(line, sizeof line, f));
	fclose(f);
}

/* ---- limits --------------------------------------------------------------------------------------- */

/* Full buffers are errors the caller sees; nothing is lost or repeated. */
static void test_buffers_full(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);

	static uint8_t data[100000], got[100000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	/* the client's output buffer fills: VOX_ENOSPC, not a cut */
	size_t sent = 0;
	int r;
	while ((r = vox_tls_conn_write(&p.cli, data + sent, sizeof data - sent)) > 0)
		sent += (size_t)r;
	assert_int_equal(r, VOX_ENOSPC);
	assert_true(sent > 0 && sent < sizeof data);
	/* the server's input fills while nobody reads: VOX_ENOSPC, nothing taken */
	uint8_t chunk[VOX_TLS_BUF];
	size_t room = vox_tls_conn_recv_room(&p.srv);
	int n = vox_tls_conn_poll_output(&p.cli, chunk, room);
	assert_int_equal(n, (int)room);
	assert_int_equal(vox_tls_conn_recv(&p.srv, chunk, (size_t)n), 0);
	assert_int_equal(vox_tls_conn_recv_room(&p.srv), 0);
	uint8_t one = 0;
	assert_int_equal(vox_tls_conn_recv(&p.srv, &one, 1), VOX_ENOSPC);
	/* reading frees room; everything arrives, in order, once */
	size_t recvd = 0;
	for (int i = 0; i < 10000 && recvd < sizeof data; i++) {
		while ((r = vox_tls_conn_read(&p.srv, got + recvd, sizeof got - recvd)) > 0)
			recvd += (size_t)r;
		assert_int_equal(r, 0);
		while (sent < sizeof data &&
		       (r = vox_tls_conn_write(&p.cli, data + sent, sizeof data - sent)) > 0)
			sent += (size_t)r;
		(void)shuttle(&p.cli, &p.srv);
	}
	assert_int_equal(recvd, sizeof data);
	assert_memory_equal(got, data, sizeof data);
	pair_free(&p);
}

/* A flight larger than the engine's output buffer (VOX_TLS_BUF): the
 * server's chain, padded with copies of the CA, waits in mbedTLS until
 * poll_output makes room, and the handshake still ends. */
static void test_big_flight(void **st)
{
	(void)st;
	static uint8_t chain[12 * 2048];
	size_t n = 0;
	memcpy(chain, C.good.cert, C.good.cert_len);
	n += C.good.cert_len;
	while (n < VOX_TLS_BUF + 2048) {
		memcpy(chain + n, C.ca.cert, C.ca.cert_len);
		n += C.ca.cert_len;
	}
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	so.cert = chain;
	so.cert_len = n;
	pair_start(&p, &co, &so, "sip.example.com");
	(void)shuttle(&p.cli, &p.srv);
	/* the server's flight filled its buffer; the rest waits in mbedTLS */
	assert_int_equal(p.srv.out_len, VOX_TLS_BUF);
	assert_int_equal(vox_tls_conn_info(&p.srv)->state, VOX_TLS_HANDSHAKE);
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(vox_tls_conn_info(&p.cli)->verified, 1);
	pair_free(&p);
}

/* ---- the transport's end, and bytes that are not TLS --------------------------------------------- */

static void test_eof_and_garbage(void **st)
{
	(void)st;
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	uint8_t b[64];

	/* the transport closes in the middle of the handshake */
	pair_start(&p, &co, &so, "sip.example.com");
	(void)shuttle(&p.cli, &p.srv);
	assert_int_equal(vox_tls_conn_recv(&p.srv, NULL, 0), VOX_ECLOSED);
	expect_fail(&p.srv, VOX_TLS_CAUSE_CLOSED);
	pair_free(&p);

	/* after it: the read says closed, without a close_notify */
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(vox_tls_conn_recv(&p.srv, NULL, 0), 0);
	assert_int_equal(vox_tls_conn_read(&p.srv, b, sizeof b), VOX_ECLOSED);
	enum vox_tls_cause cause = VOX_TLS_CAUSE_NONE;
	assert_string_equal(events(&p.srv, &cause), "X");
	assert_int_equal(cause, VOX_TLS_CAUSE_CLOSED);
	assert_int_equal(vox_tls_conn_info(&p.srv)->cause, VOX_TLS_CAUSE_CLOSED);
	pair_free(&p);

	/* SIP in clear on a TLS port */
	pair_start(&p, &co, &so, "sip.example.com");
	static const char sip[] = "OPTIONS sip:example.com SIP/2.0\r\n\r\n";
	assert_int_equal(vox_tls_conn_recv(&p.srv, (const uint8_t *)sip, sizeof sip - 1),
	                 VOX_EMALFORMED);
	expect_fail(&p.srv, VOX_TLS_CAUSE_PROTOCOL);
	assert_int_not_equal(vox_tls_conn_info(&p.srv)->mbedtls_err, 0);
	pair_free(&p);

	/* a record cut in the middle of the application data, then a flipped
	 * bit: refused as not TLS (bad_record_mac) */
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	assert_int_equal(vox_tls_conn_write(&p.cli, (const uint8_t *)"hello", 5), 5);
	int n = vox_tls_conn_poll_output(&p.cli, b, sizeof b);
	assert_true(n > 10);
	b[n - 1] ^= 1;
	assert_int_equal(vox_tls_conn_recv(&p.srv, b, (size_t)n), 0);
	assert_int_equal(vox_tls_conn_read(&p.srv, b, sizeof b), VOX_EMALFORMED);
	expect_fail(&p.srv, VOX_TLS_CAUSE_PROTOCOL);
	pair_free(&p);
}

/* ---- set-up errors --------------------------------------------------------------------------------- */

static void test_config_errors(void **st)
{
	(void)st;
	struct vox_tls_config cfg;
	struct vox_diag why;
	struct vox_tls_opts o;

	o = client_opts(&C.ca, NULL);
	o.rng.fn = NULL;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	assert_non_null(why.what);
	o = server_opts(NULL, NULL);
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	o = server_opts(&C.good, NULL);
	o.require_client_cert = 1;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	o = server_opts(&C.good, &C.ca);
	o.insecure_no_verify = 1;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	o = server_opts(&C.good, NULL);
	o.key = C.client.key; /* not the certificate's key */
	o.key_len = C.client.key_len;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	assert_non_null(strstr(why.what, "does not belong"));
	o = client_opts(&C.ca, NULL);
	o.pins.lookup = vox_tls_pin_file_lookup;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EINVAL);
	o = client_opts(&C.ca, NULL);
	o.ca_len = 10; /* a PEM cut short */
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_EMALFORMED);
	o = client_opts(NULL, NULL);
	o.ca_file = "/nonexistent/ca.pem";
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), VOX_ENOTFOUND);
	assert_non_null(strstr(why.what, "ca_file"));
	vox_tls_config_free(&cfg);

	/* PEM with its NUL, DER; the system store when no CA is given */
	o = client_opts(&C.ca, NULL);
	o.ca_len = C.ca.cert_len + 1;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), 0);
	vox_tls_config_free(&cfg);
	uint8_t der[1024], key[256];
	struct vox_tls_cert_spec s = {
	    .cn = "der CA", .not_before = T2000, .not_after = T9999, .ca = 1};
	struct vox_tls_cert_out out = {key, der, sizeof key, sizeof der, 0, 0};
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_DER, rng, &out), 0);
	o = client_opts(NULL, NULL);
	o.ca = der;
	o.ca_len = out.cert_len;
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), 0);
	vox_tls_config_free(&cfg);
	/* (make deps-check installs Debian's ca-certificates) */
	o = client_opts(NULL, NULL);
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), 0);
	assert_true(cfg.ca.raw.len > 0 && cfg.ca.next != NULL);
	vox_tls_config_free(&cfg);
	vox_tls_config_free(&cfg);
	vox_tls_config_free(NULL);

	/* connections */
	struct vox_tls_conn c;
	o = client_opts(&C.ca, NULL);
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr(NULL)), VOX_EINVAL);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("sip example.com")),
	                 VOX_EINVAL);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("*.example.com")), VOX_EINVAL);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("a..b")), VOX_EINVAL);
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr(longname)), VOX_ETOOLONG);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("[2001:db8::1]")), 0);
	vox_tls_conn_free(&c);
	vox_tls_conn_free(&c);
	vox_tls_conn_free(NULL);
	vox_tls_config_free(&cfg);
	o = server_opts(&C.good, NULL);
	assert_int_equal(vox_tls_config_init(&cfg, &o, &why), 0);
	assert_int_equal(vox_tls_conn_init(&c, &cfg, vox_slice_cstr("sip.example.com")),
	                 VOX_EINVAL);
	vox_tls_config_free(&cfg);
}

/* ---- names --------------------------------------------------------------------------------------------- */

static void test_names(void **st)
{
	(void)st;
	/* every cause has a name, a sentence and an error */
	for (int c = VOX_TLS_CAUSE_NONE; c <= VOX_TLS_CAUSE_INTERNAL; c++) {
		assert_string_not_equal(vox_tls_cause_name((enum vox_tls_cause)c), "unknown");
		assert_string_not_equal(vox_tls_cause_text((enum vox_tls_cause)c), "unknown");
		assert_true(c == 0 ? vox_tls_cause_err((enum vox_tls_cause)c) == 0
		                   : vox_tls_cause_err((enum vox_tls_cause)c) < 0);
	}
	assert_string_equal(vox_tls_cause_name(VOX_TLS_CAUSE_NO_CLIENT_CERT),
	                    "missing-client-cert");
	assert_string_equal(vox_tls_cause_name((enum vox_tls_cause)99), "unknown");
	assert_string_equal(vox_tls_alert_name(40), "handshake_failure");
	assert_string_equal(vox_tls_alert_name(7), "unknown");
}

/* ---- certificates ----------------------------------------------------------------------------------------- */

static void check_time(int64_t t, int y, int mo, int d, int h, int mi, int s)
{
	uint8_t key[256], der[1024];
	struct vox_tls_cert_spec spec = {.cn = "t", .not_before = t, .not_after = T9999};
	struct vox_tls_cert_out out = {key, der, sizeof key, sizeof der, 0, 0};
	mbedtls_x509_crt crt;
	assert_int_equal(vox_tls_cert_make(&spec, VOX_TLS_DER, rng, &out), 0);
	mbedtls_x509_crt_init(&crt);
	assert_int_equal(mbedtls_x509_crt_parse_der(&crt, der, out.cert_len), 0);
	assert_int_equal(crt.valid_from.year, y);
	assert_int_equal(crt.valid_from.mon, mo);
	assert_int_equal(crt.valid_from.day, d);
	assert_int_equal(crt.valid_from.hour, h);
	assert_int_equal(crt.valid_from.min, mi);
	assert_int_equal(crt.valid_from.sec, s);
	mbedtls_x509_crt_free(&crt);
}

static void test_cert_make(void **st)
{
	(void)st;
	check_time(0, 1970, 1, 1, 0, 0, 0);
	check_time(951782400 + 3723, 2000, 2, 29, 1, 2, 3);
	check_time(-631152000, 1950, 1, 1, 0, 0, 0);
	check_time(2524607999, 2049, 12, 31, 23, 59, 59);
	check_time(2524608000, 2050, 1, 1, 0, 0, 0);
	check_time(T9999, 9999, 12, 31, 23, 59, 59);

	uint8_t key[512], cert[2048];
	struct vox_tls_cert_spec s = {.cn = "x", .not_before = T2000, .not_after = T9999};
	struct vox_tls_cert_out out = {key, cert, sizeof key, sizeof cert, 0, 0};
	s.not_before = -631152001;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.not_before = T2001;
	s.not_after = T2000;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.not_after = T9999;
	s.cn = "a,b";
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.cn = "x";
	const char *bad_dns[] = {"a b"};
	s.dns = bad_dns;
	s.n_dns = 1;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.n_dns = 0;
	/* an issuer that is not a CA */
	s.issuer_cert = C.good.cert;
	s.issuer_cert_len = C.good.cert_len;
	s.issuer_key = C.good.key;
	s.issuer_key_len = C.good.key_len;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.issuer_key = C.client.key; /* and the wrong key for the CA */
	s.issuer_key_len = C.client.key_len;
	s.issuer_cert = C.ca.cert;
	s.issuer_cert_len = C.ca.cert_len;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_EINVAL);
	s.issuer_cert = NULL;
	s.issuer_key = NULL;
	/* buffers too small */
	out.cert_cap = 100;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_ENOSPC);
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_DER, rng, &out), VOX_ENOSPC);
	out.cert_cap = sizeof cert;
	out.key_cap = 40;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_ENOSPC);
	/* too many names */
	out.key_cap = sizeof key;
	const char *many[64];
	for (int i = 0; i < 64; i++)
		many[i] = "a-rather-long-host-name-for-a-subject-alt-name.example.com";
	s.dns = many;
	s.n_dns = 64;
	assert_int_equal(vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &out), VOX_ETOOLONG);
}

/* ---- what mbedTLS allocates per connection -------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
/* ASan's allocator hooks see every malloc and free of the process; each
 * is charged to the engine being called at that moment. */
int __sanitizer_install_malloc_and_free_hooks(void (*m)(const volatile void *, size_t),
                                              void (*f)(const volatile void *));
size_t __sanitizer_get_allocated_size(const volatile void *p);

static int mem_side = -1;
static long long mem_cur[2], mem_peak[2];

static void on_malloc(const volatile void *p, size_t n)
{
	(void)p;
	if (mem_side < 0)
		return;
	mem_cur[mem_side] += (long long)n;
	if (mem_cur[mem_side] > mem_peak[mem_side])
		mem_peak[mem_side] = mem_cur[mem_side];
}

static void on_free(const volatile void *p)
{
	if (mem_side >= 0 && p)
		mem_cur[mem_side] -= (long long)__sanitizer_get_allocated_size(p);
}

static void measured_shuttle(struct vox_tls_conn *c[2], int from)
{
	uint8_t buf[777];
	for (;;) {
		mem_side = from;
		int n = vox_tls_conn_poll_output(c[from], buf, sizeof buf);
		mem_side = -1;
		if (n <= 0)
			return;
		mem_side = !from;
		(void)!vox_tls_conn_recv(c[!from], buf, (size_t)n);
		mem_side = -1;
	}
}
#endif

/* The figures vox/tls.h gives: what mbedTLS holds for an open
 * connection, and at the handshake's peak (P-256 certificates, one in the
 * server's chain). A change of mbedTLS or of the defaults that costs more
 * shows here. */
static void test_memory(void **st)
{
	(void)st;
#if defined(__SANITIZE_ADDRESS__)
	static int hooked;
	if (!hooked)
		hooked = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free);
	assert_true(hooked);
	struct vox_tls_config ccfg, scfg;
	struct vox_tls_conn cli, srv, *c[2] = {&cli, &srv};
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	assert_int_equal(vox_tls_config_init(&ccfg, &co, NULL), 0);
	assert_int_equal(vox_tls_config_init(&scfg, &so, NULL), 0);
	memset(mem_cur, 0, sizeof mem_cur);
	memset(mem_peak, 0, sizeof mem_peak);
	mem_side = 0;
	assert_int_equal(vox_tls_conn_init(&cli, &ccfg, vox_slice_cstr("sip.example.com")), 0);
	mem_side = 1;
	assert_int_equal(vox_tls_conn_init(&srv, &scfg, vox_slice_cstr(NULL)), 0);
	mem_side = -1;
	long long at_init[2] = {mem_cur[0], mem_cur[1]};
	for (int i = 0; i < 20; i++) {
		measured_shuttle(c, 0);
		measured_shuttle(c, 1);
	}
	assert_int_equal(vox_tls_conn_info(&cli)->state, VOX_TLS_OPEN);
	assert_int_equal(vox_tls_conn_info(&srv)->state, VOX_TLS_OPEN);
	print_message(
	    "  mbedTLS per connection, bytes: client %lld at init, %lld open, %lld peak; "
	    "server %lld at init, %lld open, %lld peak; sizeof(struct vox_tls_conn) %zu\n",
	    at_init[0], mem_cur[0], mem_peak[0], at_init[1], mem_cur[1], mem_peak[1],
	    sizeof(struct vox_tls_conn));
	/* two record buffers of 16 KiB and the handshake's state, then the
	 * peer's certificate and the keys: see vox/tls.h */
	for (int s = 0; s < 2; s++) {
		assert_true(at_init[s] > 2 * 16384 && at_init[s] < 37 * 1024);
		assert_true(mem_cur[s] < 37 * 1024);
		assert_true(mem_peak[s] < 43 * 1024);
	}
	vox_tls_conn_free(&cli);
	vox_tls_conn_free(&srv);
	vox_tls_config_free(&ccfg);
	vox_tls_config_free(&scfg);
#else
	skip_unless(0, "the allocation count needs ASan's allocator hooks");
#endif
}

/* ---- the reference rng ------------------------------------------------------------------------------------- */

static void test_rng_reference(void **st)
{
	(void)st;
	struct vox_tls_rng r;
	static uint8_t a[3000], b[3000];
	assert_int_equal(vox_tls_rng_init(&r), 0);
	assert_int_equal(vox_tls_rng_bytes(&r, a, sizeof a), 0);
	assert_int_equal(vox_tls_rng_bytes(&r, b, sizeof b), 0);
	assert_memory_not_equal(a, b, sizeof a);
	/* usable as the engine's rng */
	struct pair p;
	struct vox_tls_opts co = client_opts(&C.ca, NULL), so = server_opts(&C.good, NULL);
	co.rng = (struct vox_rng){vox_tls_rng_bytes, &r};
	so.rng = co.rng;
	pair_start(&p, &co, &so, "sip.example.com");
	run(&p.cli, &p.srv);
	expect_open(&p);
	pair_free(&p);
	vox_tls_rng_free(&r);
	assert_int_equal(vox_tls_rng_bytes(&r, a, 1), VOX_ERNG);
	vox_tls_rng_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),
	    cmocka_unit_test(test_client_hello),
	    cmocka_unit_test(test_expired),
	    cmocka_unit_test(test_not_yet_valid),
	    cmocka_unit_test(test_unknown_ca),
	    cmocka_unit_test(test_name_mismatch),
	    cmocka_unit_test(test_wildcard),
	    cmocka_unit_test(test_name_not_address),
	    cmocka_unit_test(test_sip_uri_identity),
	    cmocka_unit_test(test_no_shared_cipher),
	    cmocka_unit_test(test_protocol_version),
	    cmocka_unit_test(test_renegotiation_refused),
	    cmocka_unit_test(test_client_cert_required),
	    cmocka_unit_test(test_client_cert_optional),
	    cmocka_unit_test(test_insecure_no_verify),
	    cmocka_unit_test_setup_teardown(test_tofu, setup_pins, teardown_pins),
	    cmocka_unit_test(test_keylog),
	    cmocka_unit_test(test_buffers_full),
	    cmocka_unit_test(test_big_flight),
	    cmocka_unit_test(test_eof_and_garbage),
	    cmocka_unit_test(test_config_errors),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_cert_make),
	    cmocka_unit_test(test_memory),
	    cmocka_unit_test(test_rng_reference),
	};
	return cmocka_run_group_tests(tests, setup_certs, NULL);
}

#else /* VOX_WITH_TLS */

static void test_compiled_out(void **st)
{
	(void)st;
	skip_unless(0, "transport/tls*.c are compiled out (VOX_WITH_TLS = 0)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_compiled_out)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* VOX_WITH_TLS */
