/* SPDX-License-Identifier: MIT */
/* sdp/: parser, a=crypto, printer, offer/answer. Every parser input sits
 * against a guard page. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <arpa/inet.h>

#include "core/core_int.h"
#include "vox/sdp.h"
#include "testutil.h"

/* ZRTP can make a call's keys in this build (sdp/sdp_oa.c, zrtp_usable). */
#define ZRTP_BUILT (VOX_WITH_ZRTP && VOX_WITH_SRTP)

/* ---- helpers ------------------------------------------------------------- */

struct parsed {
	const char *buf; /* guard-page copy */
	size_t len;
	struct vox_sdp *sdp;
	struct vox_sdp_diag diag;
	int rc;
};

static struct parsed parse_mem(const char *text, size_t len)
{
	struct parsed p;
	p.buf = guard_copy(text, len);
	p.len = len;
	p.sdp = calloc(1, sizeof *p.sdp);
	assert_non_null(p.sdp);
	memset(&p.diag, 0, sizeof p.diag);
	p.rc = vox_sdp_parse(p.buf, len, p.sdp, &p.diag);
	return p;
}

static struct parsed parse_str(const char *text)
{
	return parse_mem(text, strlen(text));
}

static struct parsed parse_vec(const char *name)
{
	char rel[128];
	size_t len = 0;
	snprintf(rel, sizeof rel, "sdp/%s", name);
	char *raw = read_vector(rel, &len);
	struct parsed p = parse_mem(raw, len);
	free(raw);
	if (p.rc < 0)
		fail_msg("%s: %s at %u:%u: %s", name, vox_strerror(p.rc), p.diag.line, p.diag.col,
		         p.diag.at.what ? p.diag.at.what : "");
	assert_int_equal(p.rc, (int)len);
	return p;
}

static void done(struct parsed *p)
{
	guard_free(p->buf);
	free(p->sdp);
}

static int slice_is(struct vox_slice s, const char *lit)
{
	return vox_slice_eq(s, vox_slice_cstr(lit));
}

static int contains(const char *buf, size_t len, const char *needle)
{
	size_t n = strlen(needle);
	for (size_t i = 0; i + n <= len; i++)
		if (memcmp(buf + i, needle, n) == 0)
			return 1;
	return 0;
}

static const char head[] =
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n";

/* ---- parser -------------------------------------------------------------- */

static void test_parse_bench_offer(void **st)
{
	(void)st;
	struct parsed p = parse_vec("offer.sdp");
	const struct vox_sdp *s = p.sdp;
	assert_true(slice_is(s->username, "alice"));
	assert_true(s->sess_id == 2890844526u && s->sess_version == 2890844526u);
	assert_true(slice_is(s->o_addr, "203.0.113.7"));
	assert_true(slice_is(s->name, "-"));
	assert_true(s->conn.present && slice_is(s->conn.addr, "203.0.113.7"));
	assert_int_equal(s->n_times, 1);
	assert_int_equal(s->n_media, 1);
	const struct vox_sdp_media *m = &s->media[0];
	assert_true(slice_is(m->media, "audio"));
	assert_int_equal(m->port, 49170);
	assert_true(slice_is(m->proto, "RTP/SAVP"));
	assert_int_equal(m->n_fmts, 2);
	assert_true(slice_is(m->fmts[1], "101"));
	assert_int_equal(m->ptime_us, 20000);
	assert_int_equal(m->dir, VOX_SDP_SENDRECV);
	const struct vox_sdp_rtpmap *r = vox_sdp_rtpmap_find(s, 0, 101);
	assert_non_null(r);
	assert_true(slice_is(r->encoding, "telephone-event"));
	assert_int_equal(r->clock, 8000);
	assert_int_equal(m->n_crypto, 1);
	const struct vox_sdp_crypto *c = &s->crypto[0];
	assert_int_equal(c->tag, 1);
	assert_int_equal(c->suite, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_null(c->unusable);
	assert_int_equal(c->n_keys, 1);
	assert_true(c->keys[0].lifetime == (1u << 20));
	assert_int_equal(c->keys[0].mki_len, 32);
	assert_true(slice_is(c->keys[0].mki, "1"));
	struct vox_srtp_key k;
	assert_int_equal(vox_sdp_key_decode(c, 0, &k), 0);
	assert_int_equal(k.mki_len, 32);
	assert_int_equal(k.mki[31], 1);
	assert_int_equal(k.mki[0], 0);
	assert_true(k.lifetime == (1u << 20));
	const struct vox_sdp_attr *a = vox_sdp_attr_find(s, 0, "crypto");
	assert_non_null(a);
	assert_int_equal(a->kind, VOX_SDP_ATTR_CRYPTO);
	assert_int_equal(a->line, 9);
	done(&p);
}

static void test_parse_vectors(void **st)
{
	(void)st;
	static const char *const names[] = {"offer.sdp",
	                                    "answer.sdp",
	                                    "rfc4317-2.1-offer.sdp",
	                                    "rfc4317-2.1-answer.sdp",
	                                    "rfc4317-3.1-hold-offer.sdp",
	                                    "rfc4317-3.1-hold-answer.sdp",
	                                    "rfc4568-answer.sdp",
	                                    "clear-offer.sdp",
	                                    "best-effort-offer.sdp",
	                                    "legacy-hold-offer.sdp",
	                                    "ipv6-offer.sdp"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct parsed p = parse_vec(names[i]);
		done(&p);
	}
	struct parsed p = parse_vec("rfc4317-2.1-offer.sdp");
	assert_int_equal(p.sdp->n_media, 2);
	assert_int_equal(p.sdp->name.len, 0); /* "s=" as RFC 4317 writes it */
	assert_true(slice_is(p.sdp->conn.addr, "host.atlanta.example.com"));
	assert_true(slice_is(p.sdp->media[1].media, "video"));
	assert_int_equal(p.sdp->media[1].n_fmts, 2);
	done(&p);

	p = parse_vec("rfc4317-3.1-hold-offer.sdp");
	assert_int_equal(p.sdp->media[0].dir, VOX_SDP_SENDONLY);
	done(&p);
	p = parse_vec("ipv6-offer.sdp");
	assert_true(slice_is(p.sdp->o_addrtype, "IP6") && slice_is(p.sdp->o_addr, "2001:db8::20"));
	assert_true(slice_is(vox_sdp_attr_find(p.sdp, 0, "rtcp")->u.rtcp.addr, "2001:db8:0:1::21"));
	done(&p);
	p = parse_vec("rfc4317-3.1-hold-answer.sdp");
	assert_int_equal(p.sdp->media[0].dir, VOX_SDP_RECVONLY);
	assert_true(p.sdp->sess_version == 2890844527u);
	done(&p);

	skip_unless(VOX_SDP_MAX_MEDIA >= 3 && VOX_SDP_MAX_KEYS >= 2,
	            "three m= lines (RFC 3264 10.1) and two keys in one a=crypto (RFC 4568) "
	            "need VOX_SDP_MAX_MEDIA >= 3 and VOX_SDP_MAX_KEYS >= 2");
	static const char *const big[] = {"rfc3264-10.1-offer.sdp", "rfc3264-10.1-answer.sdp",
	                                  "rfc4568-offer.sdp"};
	for (size_t i = 0; i < sizeof big / sizeof big[0]; i++) {
		p = parse_vec(big[i]);
		done(&p);
	}
}

/* RFC 4568's example: tag 1 usable, tag 2 an F8 suite with two keys. */
static void test_parse_rfc4568(void **st)
{
	(void)st;
	skip_unless(VOX_SDP_MAX_KEYS >= 2, "RFC 4568's example needs VOX_SDP_MAX_KEYS >= 2");
	struct parsed p = parse_vec("rfc4568-offer.sdp");
	const struct vox_sdp *s = p.sdp;
	assert_true(s->has_info && s->has_uri);
	assert_int_equal(s->n_email, 1);
	assert_true(s->times[0].start == 2873397496u);
	assert_int_equal(s->n_crypto, 2);
	const struct vox_sdp_crypto *c = &s->crypto[0];
	assert_null(c->unusable);
	assert_int_equal(c->fec_order, 1);
	assert_int_equal(c->keys[0].mki_len, 4);
	c = &s->crypto[1];
	assert_int_equal(c->tag, 2);
	assert_int_equal(c->suite, VOX_SRTP_NONE);
	assert_true(slice_is(c->suite_name, "F8_128_HMAC_SHA1_80"));
	assert_non_null(c->unusable);
	assert_int_equal(c->n_keys, 2);
	assert_true(slice_is(c->keys[1].mki, "2"));
	assert_true(c->keys[1].lifetime == (1u << 20));
	done(&p);

	p = parse_vec("rfc4568-answer.sdp");
	struct vox_srtp_key k;
	assert_int_equal(vox_sdp_key_decode(&p.sdp->crypto[0], 0, &k), 0);
	/* "PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR" is 16 bytes of key and 14
	 * of salt, all printable. */
	assert_memory_equal(k.key, "=-n@%^x!Bjufr9)?", 16);
	assert_memory_equal(k.salt, ",#5h\\`=&]{qiPQ", 14);
	assert_int_equal(vox_sdp_key_decode(&p.sdp->crypto[0], 1, &k), VOX_EINVAL);
	done(&p);
}

static void test_parse_lenient_ends(void **st)
{
	(void)st;
	struct parsed p = parse_str("v=0\no=- 1 2 IN IP4 host\ns=x\nt=0 0\nm=audio 1 RTP/AVP 0\n"
	                            "c=IN IP4 192.0.2.9");
	assert_true(p.rc > 0);
	assert_true(slice_is(p.sdp->media[0].conn.addr, "192.0.2.9"));
	done(&p);
	p = parse_str("v=0\r\no=- 1 2 IN IP4 host\r\ns=x\r\nt=0 0\r\n\r\n\r\n");
	assert_true(p.rc > 0);
	assert_int_equal(p.sdp->n_media, 0);
	done(&p);
}

static void test_parse_fields(void **st)
{
	(void)st;
	struct parsed p = parse_str(
	    "v=0\r\no=jdoe 3724394400 3724394405 IN IP4 198.51.100.1\r\ns=Call\r\n"
	    "i=info\r\nu=http://x/\r\ne=j@x\r\np=+1 617 555-6011\r\n"
	    "c=IN IP4 233.252.0.1/127/3\r\nb=AS:64\r\nt=3724394400 3724398000\r\n"
	    "r=7d 1h 0 25h\r\nt=0 0\r\nz=2882844526 -1h 2898848070 0\r\nk=clear:secret\r\n"
	    "a=recvonly\r\na=tool:x y\r\n"
	    "m=audio 49170/2 RTP/AVP 0 96\r\ni=voice\r\nc=IN IP6 ff1e:db8::1/2\r\nb=TIAS:64000\r\n"
	    "a=rtpmap:96 opus/48000/2\r\na=fmtp:96 useinbandfec=1\r\na=ptime:2.5\r\n"
	    "a=maxptime:40\r\na=rtcp:53020 IN IP4 126.16.64.4\r\na=rtcp-mux\r\n"
	    "a=zrtp-hash:1.10 fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df\r\n"
	    "a=fingerprint:sha-256 AB:cd:01\r\na=setup:actpass\r\n"
	    "m=text 0 TCP/MSRP *\r\n");
	if (p.rc < 0)
		fail_msg("%u:%u %s", p.diag.line, p.diag.col, p.diag.at.what);
	const struct vox_sdp *s = p.sdp;
	assert_int_equal(s->dir, VOX_SDP_RECVONLY);
	assert_int_equal(s->conn.ttl, 127);
	assert_int_equal(s->conn.num, 3);
	assert_true(slice_is(s->conn.addr, "233.252.0.1"));
	assert_int_equal(s->n_bw, 1);
	assert_true(s->bw[0].value == 64);
	assert_int_equal(s->n_times, 2);
	assert_int_equal(s->times[0].n_repeat, 1);
	assert_true(s->has_key);
	const struct vox_sdp_media *m = &s->media[0];
	assert_int_equal(m->nports, 2);
	assert_int_equal(m->dir, VOX_SDP_RECVONLY); /* inherited from the session */
	assert_int_equal(m->conn.num, 2);
	assert_int_equal(m->ptime_us, 2500);
	assert_true(m->rtcp_mux);
	const struct vox_sdp_attr *a = vox_sdp_attr_find(s, 0, "rtcp");
	assert_int_equal(a->u.rtcp.port, 53020);
	assert_true(slice_is(a->u.rtcp.addr, "126.16.64.4"));
	a = vox_sdp_attr_find(s, 0, "rtpmap");
	assert_true(slice_is(a->u.rtpmap.params, "2"));
	a = vox_sdp_attr_find(s, 0, "fmtp");
	assert_true(slice_is(a->u.fmtp.params, "useinbandfec=1"));
	a = vox_sdp_attr_find(s, 0, "zrtp-hash");
	assert_true(slice_is(a->u.zrtp_hash.version, "1.10"));
	a = vox_sdp_attr_find(s, 0, "setup");
	assert_int_equal(a->u.setup, VOX_SDP_SETUP_ACTPASS);
	a = vox_sdp_attr_find(s, -1, "tool");
	assert_int_equal(a->kind, VOX_SDP_ATTR_OTHER);
	assert_true(slice_is(a->value, "x y"));
	assert_true(slice_is(s->media[1].fmts[0], "*"));
	done(&p);
}

/* Addresses RFC 8866 allows after IN IP4 and IN IP6, multicast forms
 * included, in o=, c= and a=rtcp. */
static void test_parse_addresses(void **st)
{
	(void)st;
	static const struct {
		const char *type, *text, *addr;
		int multicast;
		unsigned ttl, num;
	} ok[] = {
	    {"IP6", "::1", "::1", 0, 0, 0},
	    {"IP6", "::", "::", 0, 0, 0},
	    {"IP6", "::ffff:192.0.2.1", "::ffff:192.0.2.1", 0, 0, 0},
	    {"IP6", "2001:DB8:0:0:8:800:200C:417A", "2001:DB8:0:0:8:800:200C:417A", 0, 0, 0},
	    {"IP6", "1:2:3:4:5:6:7::", "1:2:3:4:5:6:7::", 0, 0, 0},
	    {"IP6", "1:2:3:4:5:6:192.0.2.1", "1:2:3:4:5:6:192.0.2.1", 0, 0, 0},
	    {"IP6", "FF02::1/3", "FF02::1", 1, 0, 3},
	    {"IP6", "ff1e::1", "ff1e::1", 1, 0, 0},
	    {"IP6", "ff::1", "ff::1", 0, 0, 0}, /* 0x00ff, not ff00::/8 */
	    {"IP6", "host6.example.com", "host6.example.com", 0, 0, 0},
	    {"IP4", "0.0.0.0", "0.0.0.0", 0, 0, 0},
	    {"IP4", "223.255.255.255", "223.255.255.255", 0, 0, 0},
	    {"IP4", "224.2.1.1/0", "224.2.1.1", 1, 0, 0},
	    {"IP4", "239.255.0.1/255/2", "239.255.0.1", 1, 255, 2},
	    {"IP4", "host.example.com.", "host.example.com.", 0, 0, 0},
	    {"IP4", "4ever.example", "4ever.example", 0, 0, 0},
	    {"IP4", "localhost", "localhost", 0, 0, 0},
	};
	char text[512];
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		snprintf(text, sizeof text,
		         "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN %s %s\r\nt=0 0\r\n"
		         "m=audio 1 RTP/AVP 0\r\na=rtcp:9 IN %s %s\r\n",
		         ok[i].type, ok[i].text, ok[i].type, ok[i].text);
		struct parsed p = parse_str(text);
		if (p.rc < 0)
			fail_msg("%s: %u:%u %s", ok[i].text, p.diag.line, p.diag.col,
			         p.diag.at.what);
		const struct vox_sdp_conn *c = &p.sdp->conn;
		const struct vox_sdp_rtcp *r = &vox_sdp_attr_find(p.sdp, 0, "rtcp")->u.rtcp;
		assert_true(slice_is(c->addr, ok[i].addr) && slice_is(r->addr, ok[i].addr));
		assert_true(slice_is(c->full, ok[i].text));
		assert_int_equal(c->multicast, ok[i].multicast);
		assert_int_equal(r->multicast, ok[i].multicast);
		assert_int_equal(c->ttl, ok[i].ttl);
		assert_int_equal(r->ttl, ok[i].ttl);
		assert_int_equal(c->num, ok[i].num);
		assert_int_equal(r->num, ok[i].num);
		done(&p);
		/* the same as the o= unicast-address, when it is one */
		if (ok[i].multicast)
			continue;
		snprintf(text, sizeof text, "v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nt=0 0\r\n",
		         ok[i].type, ok[i].text);
		p = parse_str(text);
		assert_true(p.rc > 0);
		assert_true(slice_is(p.sdp->o_addr, ok[i].text));
		done(&p);
	}
	/* IPv6 and IPv4 literals: vox agrees with the C library's inet_pton
	 * (an independent reading of RFC 4291 2.2 and dotted decimal). */
	static const char *const lit[] = {"::",
	                                  "::1",
	                                  "1:2:3:4:5:6:7::",
	                                  "1:2:3:4:5:6:7::8",
	                                  "::ffff:1.2.3.4",
	                                  "1:2:3:4:5:6:1.2.3.4",
	                                  "1:2:3:4:5:6::1.2.3.4",
	                                  "::1.2.3.4",
	                                  "::01.2.3.4",
	                                  "1::2:3:4:5:6:7",
	                                  "1:2:3:4:5:6:7:8",
	                                  "1:2:3:4:5:6:7:8:9",
	                                  "12345::1",
	                                  ":1::2",
	                                  "1::2:",
	                                  "1:::2",
	                                  "ff02::1",
	                                  "0000:0000:0000:0000:0000:0000:0000:0001",
	                                  "a:b:c:d:e:f:0:1",
	                                  "::1.2.3",
	                                  "::1.2.3.4.5",
	                                  "1.2.3.4",
	                                  "01.2.3.4",
	                                  "1.2.3",
	                                  "255.255.255.255",
	                                  "223.1.1.1",
	                                  "256.1.1.1",
	                                  "1.2.3.4.",
	                                  "0.0.0.0",
	                                  "00.0.0.0"};
	for (size_t i = 0; i < sizeof lit / sizeof lit[0]; i++) {
		int six = strchr(lit[i], ':') != NULL;
		unsigned char bin[16];
		int want = inet_pton(six ? AF_INET6 : AF_INET, lit[i], bin) == 1;
		if (!six && want && strtol(lit[i], NULL, 10) >= 224)
			want = 0; /* o= takes no IPv4 group, nor 240 and up */
		snprintf(text, sizeof text, "v=0\r\no=- 1 1 IN %s %s\r\ns=-\r\nt=0 0\r\n",
		         six ? "IP6" : "IP4", lit[i]);
		struct parsed p = parse_str(text);
		if ((p.rc > 0) != want)
			fail_msg("%s: vox says %d, inet_pton %d", lit[i], p.rc, want);
		done(&p);
	}

	/* Other nettypes and addrtypes are kept for the caller (RFC 8866 5.7). */
	struct parsed p = parse_str("v=0\r\no=- 1 1 ATM NSAP 47.0091.8100.0000\r\ns=-\r\n"
	                            "c=TN RFC2543 555-1234\r\nt=0 0\r\n");
	if (p.rc < 0)
		fail_msg("%u:%u %s", p.diag.line, p.diag.col, p.diag.at.what);
	assert_true(slice_is(p.sdp->conn.addr, "555-1234"));
	done(&p);
}

struct bad {
	const char *body; /* after the common head unless it starts with "v=" */
	int err;
	uint32_t line, col;
	const char *what; /* a word of the message */
};

static void test_parse_negative(void **st)
{
	(void)st;
	static const struct bad cases[] = {
	    /* the negative cases of the issue */
	    {"m=audio 49170 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJS*j\r\n",
	     VOX_EMALFORMED, 7, 43, "base64"},
	    {"m=audio 49170 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1c\r\n",
	     VOX_EMALFORMED, 7, 43, "wrong length"},
	    {"m=audio 49170 RTP/SAVP 0\r\na=crypto:1 AES_256_CM_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	     VOX_EMALFORMED, 7, 43, "wrong length"},
	    {"m=audio 49170 RTP/SAVP 0\r\n"
	     "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n"
	     "a=crypto:1 AES_CM_128_HMAC_SHA1_32 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	     VOX_EMALFORMED, 8, 10, "duplicate"},
	    {"m=audio 49170 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^64\r\n",
	     VOX_ERANGE, 7, 84, "overflow"},
	    {"m=audio 49170 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|18446744073709551616\r\n",
	     VOX_ERANGE, 7, 84, "overflow"},
	    {"m=audio 65536 RTP/AVP 0\r\n", VOX_ERANGE, 6, 9, "port"},
	    {"v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nt=0 0\r\nm=audio 5 RTP/AVP 0\r\n",
	     VOX_EMALFORMED, 5, 1, "c="},
	    {"m=audio 49170 RTP/AVP\r\n", VOX_EMALFORMED, 6, 22, "format"},
	    /* more of the grammar */
	    {"v=1\r\n", VOX_EVERSION, 1, 3, "v="},
	    {"v=0\r\ns=-\r\n", VOX_EMALFORMED, 2, 1, "o="},
	    {"v=0\r\no=- 1 1 IN IP4 host\r\n", VOX_EMALFORMED, 3, 1, "s="},
	    {"v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\n", VOX_EMALFORMED, 4, 1, "t="},
	    {"v=0\r\no=-  1 1 IN IP4 host\r\n", VOX_EMALFORMED, 2, 5, "o="},
	    {"v=0\r\no=- x 1 IN IP4 host\r\n", VOX_EMALFORMED, 2, 5, "sess-id"},
	    {"v=0\r\no=- 1 1 IN IP4 300.1.1.1\r\n", VOX_EMALFORMED, 2, 16, "IPv4"},
	    {"x=foo\r\n", VOX_EUNSUPPORTED, 6, 1, "unknown"},
	    {"c=IN IP4 192.0.2.2\r\n", VOX_EMALFORMED, 6, 1, "order"},
	    {"a=x\r\nb=AS:1\r\n", VOX_EMALFORMED, 7, 1, "order"},
	    {"z=0 0\r\nr=1d 1h 0\r\n", VOX_EMALFORMED, 7, 1, "t="},
	    {"a=rtpmap:0 PCMU/8000\r\n", VOX_EMALFORMED, 6, 3, "m="},
	    {"m=audio 1 RTP/AVP 0\r\na=sendrecv:x\r\n", VOX_EMALFORMED, 7, 11, "no value"},
	    {"m=audio 1 RTP/AVP 0\r\na=sendonly\r\na=recvonly\r\n", VOX_EMALFORMED, 8, 3,
	     "direction"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:0 PCMA/8000\r\n",
	     VOX_EMALFORMED, 8, 10, "second"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtpmap:128 X/8000\r\n", VOX_ERANGE, 7, 10, "payload"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtpmap:0 PCMU\r\n", VOX_EMALFORMED, 7, 16, "clock"},
	    {"m=audio 1 RTP/AVP 200\r\n", VOX_ERANGE, 6, 19, "payload"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtcp:70000\r\n", VOX_ERANGE, 7, 8, "port"},
	    {"m=audio 1 RTP/AVP 0\r\na=ptime:0\r\n", VOX_ERANGE, 7, 9, "above 0"},
	    {"m=audio 1 RTP/AVP 0\r\na=setup:sideways\r\n", VOX_EMALFORMED, 7, 9, "setup"},
	    {"m=audio 1 RTP/AVP 0\r\na=zrtp-hash:1.10 abcd\r\n", VOX_EMALFORMED, 7, 18, "64 hex"},
	    {"m=audio 1 RTP/AVP 0\r\na=fingerprint:sha-1 AB:C\r\n", VOX_EMALFORMED, 7, 25, "hex"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 host\r\nc=IN IP4 host\r\n", VOX_ELIMIT, 8, 1, "c="},
	    {"m=audio 1 RTP/AVP 0\r\n\r\na=x\r\n", VOX_EMALFORMED, 7, 1, "empty line"},
	    {"a =x\r\n", VOX_EMALFORMED, 6, 2, "'='"},
	    {"s=again\r\n", VOX_EMALFORMED, 6, 1, "order"},
	    {"m=audio 1 RTP/AVP 0\r\na=x\ry\r\n", VOX_EMALFORMED, 7, 4, "CR"},
	    /* a=crypto grammar */
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1234567890 AES_CM_128_HMAC_SHA1_80 inline:x\r\n",
	     VOX_ERANGE, 7, 10, "9 digits"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80\r\n", VOX_EMALFORMED, 7,
	     35, "key-params"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:0\r\n",
	     VOX_ERANGE, 7, 86, "MKI length"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:129\r\n",
	     VOX_ERANGE, 7, 86, "MKI length"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|256:1\r\n",
	     VOX_ERANGE, 7, 84, "fit"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4|2^20\r\n",
	     VOX_EMALFORMED, 7, 88, "MKI"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj KDR=25\r\n",
	     VOX_ERANGE, 7, 88, "KDR"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj WSH=32\r\n",
	     VOX_ERANGE, 7, 88, "WSH"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj FEC_ORDER=X\r\n",
	     VOX_EMALFORMED, 7, 94, "FEC_ORDER"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj KDR=0 KDR=0\r\n",
	     VOX_EMALFORMED, 7, 90, "twice"},
	    {"m=audio 1 RTP/SAVP 0\r\na=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj \r\n",
	     VOX_EMALFORMED, 7, 84, "space"},
	    {"a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	     VOX_EMALFORMED, 6, 3, "m="},
	    /* addresses against their type (RFC 8866 5.7, 9; RFC 4291 2.2) */
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1:2:3\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1.2.3.4\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 2001:db8::1::2\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1:2:3:4:5:6:7:8:9\r\n", VOX_EMALFORMED, 7, 10,
	     "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1:2:3:4:5:6:7::8\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 12345::1\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 fe80::1%eth0\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 :1::2\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1::2:\r\n", VOX_EMALFORMED, 7, 10, "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 1:2:3:4:5:6:7:1.2.3.4\r\n", VOX_EMALFORMED, 7, 10,
	     "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 ::1\r\n", VOX_EMALFORMED, 7, 10, "IPv4"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 1.2.3\r\n", VOX_EMALFORMED, 7, 10, "IPv4"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.01\r\n", VOX_EMALFORMED, 7, 10, "IPv4"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 h\r\n", VOX_EMALFORMED, 7, 10, "host name"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 -bad.example\r\n", VOX_EMALFORMED, 7, 10,
	     "host name"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 a_b.example\r\n", VOX_EMALFORMED, 7, 10, "host name"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 a..example\r\n", VOX_EMALFORMED, 7, 10, "host name"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 240.0.0.1\r\n", VOX_EMALFORMED, 7, 10, "224..239"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 192.0.2.1/127\r\n", VOX_EMALFORMED, 7, 19,
	     "only a multicast"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 host.example/3\r\n", VOX_EMALFORMED, 7, 22,
	     "only a multicast"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 2001:db8::1/2\r\n", VOX_EMALFORMED, 7, 21,
	     "only a multicast"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 233.252.0.1\r\n", VOX_EMALFORMED, 7, 21, "/<ttl>"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 233.252.0.1/256\r\n", VOX_ERANGE, 7, 22, "TTL"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 233.252.0.1/0127\r\n", VOX_EMALFORMED, 7, 22, "TTL"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP4 233.252.0.1/127/0\r\n", VOX_ERANGE, 7, 26, "number"},
	    {"m=audio 1 RTP/AVP 0\r\nc=IN IP6 ff1e::1/127/3\r\n", VOX_EMALFORMED, 7, 21,
	     "never a TTL"},
	    {"v=0\r\no=- 1 1 IN IP6 192.0.2.1\r\n", VOX_EMALFORMED, 2, 16, "IPv6"},
	    {"v=0\r\no=- 1 1 IN IP4 224.2.17.12\r\n", VOX_EMALFORMED, 2, 16, "below 224"},
	    {"v=0\r\no=- 1 1 IN IP4 192.0.2.1/127\r\n", VOX_EMALFORMED, 2, 16, "IPv4"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtcp:53020 IN IP6 126.16.64.4\r\n", VOX_EMALFORMED, 7, 21,
	     "IPv6"},
	    {"m=audio 1 RTP/AVP 0\r\na=rtcp:53020 IN IP4 126.16.64.4/2\r\n", VOX_EMALFORMED, 7, 32,
	     "only a multicast"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct bad *b = &cases[i];
		char text[1024];
		int own = strncmp(b->body, "v=", 2) == 0;
		snprintf(text, sizeof text, "%s%s", own ? "" : head, b->body);
		struct parsed p = parse_str(text);
		if (p.rc != b->err || p.diag.line != b->line || p.diag.col != b->col ||
		    !p.diag.at.what || !strstr(p.diag.at.what, b->what))
			fail_msg("case %zu: got %d (%s) at %u:%u \"%s\", want %d at %u:%u \"%s\"",
			         i, p.rc, vox_strerror(p.rc), p.diag.line, p.diag.col,
			         p.diag.at.what ? p.diag.at.what : "", b->err, b->line, b->col,
			         b->what);
		done(&p);
	}
}

static void test_parse_limits(void **st)
{
	(void)st;
	char text[VOX_SDP_MAX_SIZE + 64];
	size_t n = (size_t)snprintf(text, sizeof text, "%s", head);
	for (int i = 0; i <= VOX_SDP_MAX_MEDIA; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "m=audio %d RTP/AVP 0\r\n",
		                      1000 + i);
	struct parsed p = parse_mem(text, n);
	assert_int_equal(p.rc, VOX_ELIMIT);
	assert_int_equal(p.diag.line, 6 + VOX_SDP_MAX_MEDIA);
	done(&p);

	n = (size_t)snprintf(text, sizeof text, "%sm=audio 1 RTP/AVP 0\r\n", head);
	for (int i = 0; i <= VOX_SDP_MAX_ATTRS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, "a=x%d\r\n", i);
	p = parse_mem(text, n);
	assert_int_equal(p.rc, VOX_ELIMIT);
	done(&p);

	n = (size_t)snprintf(text, sizeof text, "%sm=audio 1 RTP/AVP", head);
	for (int i = 0; i <= VOX_SDP_MAX_FMTS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n, " %d", i);
	p = parse_mem(text, n);
	assert_int_equal(p.rc, VOX_ELIMIT);
	assert_non_null(strstr(p.diag.at.what, "VOX_SDP_MAX_FMTS"));
	done(&p);

	n = (size_t)snprintf(text, sizeof text,
	                     "%sm=audio 1 RTP/SAVP 0\r\na=crypto:1 "
	                     "AES_CM_128_HMAC_SHA1_80 ",
	                     head);
	for (int i = 0; i <= VOX_SDP_MAX_KEYS; i++)
		n += (size_t)snprintf(text + n, sizeof text - n,
		                      "%sinline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|%d:1",
		                      i ? ";" : "", i);
	p = parse_mem(text, n);
	assert_int_equal(p.rc, VOX_ELIMIT);
	done(&p);

	memset(text, 'a', sizeof text);
	p = parse_mem(text, VOX_SDP_MAX_SIZE + 1);
	assert_int_equal(p.rc, VOX_ETOOLONG);
	done(&p);

	p = parse_mem("", 0);
	assert_int_equal(p.rc, VOX_EMALFORMED);
	done(&p);
	struct vox_sdp *s = calloc(1, sizeof *s);
	assert_int_equal(vox_sdp_parse(NULL, 5, s, NULL), VOX_EINVAL);
	free(s);
}

/* Well-formed a=crypto lines that vox must not use (RFC 4568 6.3, 7.1.2). */
static void test_crypto_unusable(void **st)
{
	(void)st;
	static const struct {
		const char *line;
		const char *why; /* NULL: usable */
	} cases[] = {
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj", NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj FOO=1",
	     "unknown mandatory"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj -FOO=1",
	     NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj "
	     "UNENCRYPTED_SRTP",
	     "UNENCRYPTED_SRTP"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj "
	     "UNENCRYPTED_SRTCP",
	     "UNENCRYPTED_SRTCP"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj "
	     "UNAUTHENTICATED_SRTP",
	     "UNAUTHENTICATED_SRTP"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj KDR=0",
	     NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj KDR=10",
	     "KDR"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj WSH=128 "
	     "FEC_ORDER=SRTP_FEC",
	     NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj "
	     "FEC_KEY=inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20",
	     "FEC_KEY"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^49",
	     "lifetime"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^48",
	     NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4;"
	     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2:4",
	     NULL},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4;"
	     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR",
	     "not all with an MKI"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|1:4;"
	     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:2",
	     "lengths differ"},
	    {"1 AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|01:4;"
	     "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|1:4",
	     "share"},
	    {"1 AES_192_CM_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj",
	     "not supported"},
	    {"1 AES_CM_128_HMAC_SHA1_80 mikey:abc", "key method"},
	    {"7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *g = guard_str(cases[i].line);
		struct vox_sdp_crypto c;
		struct vox_diag d = {0, NULL};
		int rc = vox_sdp_crypto_parse((struct vox_slice){g, strlen(cases[i].line)}, &c, &d);
		if (VOX_SDP_MAX_KEYS < 2 && strstr(cases[i].line, ";inline:")) {
			/* two keys, one more than this profile keeps: refused */
			assert_int_equal(rc, VOX_ELIMIT);
			guard_free(g);
			continue;
		}
		if (rc != 0)
			fail_msg("case %zu: %s at %zu: %s", i, vox_strerror(rc), d.off, d.what);
		if (cases[i].why == NULL && c.unusable)
			fail_msg("case %zu: unusable: %s", i, c.unusable);
		if (cases[i].why && (!c.unusable || !strstr(c.unusable, cases[i].why)))
			fail_msg("case %zu: want \"%s\", got \"%s\"", i, cases[i].why,
			         c.unusable ? c.unusable : "(usable)");
		guard_free(g);
	}
	/* MKI values are arbitrary-precision decimals of mki-length bytes. */
	static const char big[] = "2 AES_CM_128_HMAC_SHA1_32 "
	                          "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|"
	                          "1000000|340282366920938463463374607431768211455:16 WSH=64";
	const char *g = guard_str(big);
	struct vox_sdp_crypto c;
	assert_int_equal(vox_sdp_crypto_parse((struct vox_slice){g, strlen(big)}, &c, NULL), 0);
	assert_null(c.unusable);
	assert_int_equal(c.wsh, 64);
	struct vox_srtp_key k;
	assert_int_equal(vox_sdp_key_decode(&c, 0, &k), 0);
	assert_int_equal(k.suite, VOX_SRTP_AES_CM_128_HMAC_SHA1_32);
	assert_true(k.lifetime == 1000000);
	assert_int_equal(k.mki_len, 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(k.mki[i], 0xff);
	guard_free(g);
	static const char over[] = "2 AES_CM_128_HMAC_SHA1_32 "
	                           "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|"
	                           "340282366920938463463374607431768211456:16";
	g = guard_str(over);
	assert_int_equal(vox_sdp_crypto_parse((struct vox_slice){g, strlen(over)}, &c, NULL),
	                 VOX_ERANGE);
	guard_free(g);

	/* rtpengine leaves the base64 padding out of the 28-byte GCM key||salt:
	 * the same key as the padded form; a partial pad is refused. */
	static const char *const gcm[] = {
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA=",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3O",
	    /* non-canonical: the bits the padding drops are set (RFC 4648 3.5) */
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OB==",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OB",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==\r",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1N-c4OTAxMjM0NTY3OA==",
	};
	struct vox_srtp_key k2;
	for (size_t i = 0; i < sizeof gcm / sizeof gcm[0]; i++) {
		g = guard_str(gcm[i]);
		int rc = vox_sdp_crypto_parse((struct vox_slice){g, strlen(gcm[i])}, &c, NULL);
		assert_int_equal(rc, i < 2 ? 0 : VOX_EMALFORMED);
		if (i < 2) {
			assert_null(c.unusable);
			assert_int_equal(vox_sdp_key_decode(&c, 0, i ? &k2 : &k), 0);
		}
		guard_free(g);
	}
	assert_memory_equal(k.key, k2.key, sizeof k.key);
	assert_memory_equal(k.salt, k2.salt, sizeof k.salt);
	assert_memory_equal(k.key, "1234567890123456", 16);
	assert_memory_equal(k.salt, "789012345678", 12);
}

/* make ct runs this under MemorySanitizer with the key text marked secret:
 * vox_sdp_key_decode must take no branch and index no table by it, in the
 * padded and in the unpadded form. Elsewhere it checks the decoded keys. */
static void test_key_decode_constant_flow(void **st)
{
	(void)st;
	static const char *const lines[] = {
	    "1 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR|2^20|1:4",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA==",
	    "7 AEAD_AES_128_GCM inline:MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM0NTY3OA",
	};
	static const char *const want[] = {"=-n@%^x!Bjufr9)?,#5h\\`=&]{qiPQ",
	                                   "1234567890123456789012345678",
	                                   "1234567890123456789012345678"};
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		const char *g = guard_str(lines[i]);
		struct vox_sdp_crypto c;
		struct vox_srtp_key k;
		assert_int_equal(
		    vox_sdp_crypto_parse((struct vox_slice){g, strlen(lines[i])}, &c, NULL), 0);
		vox_ct_secret(c.keys[0].key_salt.p, c.keys[0].key_salt.len);
		assert_int_equal(vox_sdp_key_decode(&c, 0, &k), 0);
		vox_ct_public(&k, sizeof k);
		vox_ct_public(c.keys[0].key_salt.p, c.keys[0].key_salt.len);
		const struct vox_srtp_suite_info *info = vox_srtp_suite_info(k.suite);
		assert_memory_equal(k.key, want[i], info->key_len);
		assert_memory_equal(k.salt, want[i] + info->key_len, info->salt_len);
		vox_wipe(&k, sizeof k);
		guard_free(g);
	}
}

/* ---- printer ------------------------------------------------------------- */

static void test_print(void **st)
{
	(void)st;
	size_t len = 0;
	char *raw = read_vector("sdp/offer.sdp", &len);
	struct parsed p = parse_vec("offer.sdp");
	char out[2048];
	int n = vox_sdp_print(p.sdp, VOX_SDP_PRINT_SHOW_KEYS, out, sizeof out);
	assert_int_equal(n, (int)len);
	assert_memory_equal(out, raw, len);
	n = vox_sdp_print(p.sdp, 0, out, sizeof out);
	assert_true(n > 0);
	assert_false(contains(out, (size_t)n, "PS1uQCVe"));
	assert_true(contains(out, (size_t)n, "inline:REDACTED|2^20|1:32\r\n"));
	assert_int_equal(vox_sdp_print(p.sdp, 0, out, 100), VOX_ENOSPC);
	free(raw);
	done(&p);

	p = parse_str("v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nt=0 0\r\nk=clear:topsecret\r\n"
	              "m=audio 1 RTP/SAVP 0\r\nc=IN IP4 host\r\n"
	              "a=key-mgmt:mikey AQAFgM0XflABAAAAAAAAAAAAAAsAyO\r\n"
	              "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	              "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20 "
	              "FEC_KEY=inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n");
	assert_true(p.rc > 0);
	n = vox_sdp_print(p.sdp, 0, out, sizeof out);
	assert_true(n > 0);
	assert_false(contains(out, (size_t)n, "topsecret"));
	assert_false(contains(out, (size_t)n, "AQAFgM0X"));
	assert_false(contains(out, (size_t)n, "d0RmdmcmV"));
	assert_false(contains(out, (size_t)n, "PS1uQCVe"));
	assert_true(contains(out, (size_t)n, "k=clear:REDACTED\r\n"));
	assert_true(contains(out, (size_t)n, "a=key-mgmt:mikey REDACTED\r\n"));
	/* What the printer writes parses again. */
	struct parsed q = parse_mem(out, (size_t)n);
	assert_int_equal(q.rc, VOX_EMALFORMED); /* REDACTED is not base64 of 30 bytes */
	done(&q);
	n = vox_sdp_print(p.sdp, VOX_SDP_PRINT_SHOW_KEYS, out, sizeof out);
	q = parse_mem(out, (size_t)n);
	assert_int_equal(q.rc, n);
	done(&q);
	done(&p);
}

/* ---- offer/answer -------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static struct vox_rng rng(void)
{
	struct vox_rng r = {test_rng, &rng_state};
	return r;
}

static int bad_rng(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	(void)out;
	(void)len;
	return VOX_ERNG;
}

static void local_all_suites(struct vox_sdp_local *l, const char *addr, uint16_t port,
                             enum vox_sdp_policy pol)
{
	vox_sdp_local_init(l, vox_slice_cstr(addr), port);
	l->policy = pol;
	l->n_suites = 0;
	static const enum vox_srtp_suite order[] = {
	    VOX_SRTP_AEAD_AES_256_GCM,        VOX_SRTP_AES_256_CM_HMAC_SHA1_80,
	    VOX_SRTP_AEAD_AES_128_GCM,        VOX_SRTP_AES_CM_128_HMAC_SHA1_80,
	    VOX_SRTP_AES_256_CM_HMAC_SHA1_32, VOX_SRTP_AES_CM_128_HMAC_SHA1_32};
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		l->suites[l->n_suites++] = order[i];
}

struct answered {
	char buf[VOX_SDP_MAX_BUILD];
	int n;
	struct vox_sdp_session s;
	struct vox_sdp_fail why;
	struct parsed back; /* the answer, parsed again */
};

static void answer_vec(struct vox_sdp_oa *oa, const struct vox_sdp_local *l, const char *vec,
                       struct answered *a)
{
	struct parsed p = parse_vec(vec);
	struct vox_rng r = rng();
	memset(a, 0, sizeof *a);
	a->n = vox_sdp_oa_answer(oa, l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
	done(&p);
	if (a->n > 0) {
		a->back = parse_mem(a->buf, (size_t)a->n);
		assert_int_equal(a->back.rc, a->n);
	}
}

static void answered_done(struct answered *a)
{
	if (a->n > 0)
		done(&a->back);
}

/* RFC 4317 2.1: audio and video; vox takes PCMU and PCMA in Alice's order
 * and refuses video with port 0 (Bob's answer in the RFC keeps video: vox
 * has no video). */
static void test_answer_rfc4317(void **st)
{
	(void)st;
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	struct answered a;
	vox_sdp_oa_init(&oa, 2808844564u);
	vox_sdp_local_init(&l, vox_slice_cstr("192.0.2.44"), 49174);
	l.rtcp_mux = 0;
	answer_vec(&oa, &l, "rfc4317-2.1-offer.sdp", &a);
	assert_true(a.n > 0);
	const struct vox_sdp *s = a.back.sdp;
	assert_int_equal(s->n_media, 2);
	assert_int_equal(s->media[0].port, 49174);
	assert_true(slice_is(s->media[0].proto, "RTP/AVP"));
	assert_int_equal(s->media[0].n_fmts, 2);
	assert_true(slice_is(s->media[0].fmts[0], "0") && slice_is(s->media[0].fmts[1], "8"));
	assert_int_equal(s->media[1].port, 0);
	assert_true(slice_is(s->media[1].media, "video"));
	assert_int_equal(s->media[1].n_fmts, 2);
	assert_true(s->sess_version == 2808844564u);
	assert_int_equal(s->media[0].n_crypto, 0);
	assert_int_equal(a.s.prot, VOX_SDP_PROT_NONE);
	assert_int_equal(a.s.send_pt, 0);
	assert_int_equal(a.s.tel_event_pt, -1);
	assert_string_equal(a.s.remote_addr, "host.atlanta.example.com");
	assert_int_equal(a.s.remote_rtp_port, 49170);
	assert_int_equal(a.s.remote_rtcp_port, 49171);
	assert_int_equal(a.s.dir, VOX_SDP_SENDRECV);
	answered_done(&a);

	/* The same offer again: same description, same version (RFC 3264 8). */
	answer_vec(&oa, &l, "rfc4317-2.1-offer.sdp", &a);
	assert_true(a.back.sdp->sess_version == 2808844564u);
	answered_done(&a);

	/* RFC 4317 3.1's hold offer (a=sendonly) lists iLBC only, which vox
	 * does not run: 488, and nothing sent. Hold itself is tested below with
	 * G.711 (test_answer_hold_resume). */
	answer_vec(&oa, &l, "rfc4317-3.1-hold-offer.sdp", &a);
	assert_true(a.n < 0); /* iLBC only: nothing in common */
	assert_int_equal(a.why.sip_status, 488);
	assert_int_equal(a.n, VOX_EUNSUPPORTED);
	answered_done(&a);

	/* RFC 3264 10.1: three streams, the two video ones refused. */
	skip_unless(VOX_SDP_MAX_MEDIA >= 3, "RFC 3264 10.1 needs VOX_SDP_MAX_MEDIA >= 3");
	answer_vec(&oa, &l, "rfc3264-10.1-offer.sdp", &a);
	assert_true(a.n > 0);
	assert_int_equal(a.back.sdp->n_media, 3);
	assert_int_equal(a.back.sdp->media[1].port, 0);
	assert_int_equal(a.back.sdp->media[2].port, 0);
	assert_true(a.back.sdp->sess_version == 2808844565u);
	answered_done(&a);
	vox_sdp_oa_free(&oa);
}

static void test_answer_hold_resume(void **st)
{
	(void)st;
	static const char *const offers[] = {
	    "v=0\r\no=a 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
	    "m=audio 4000 RTP/AVP 0\r\na=sendrecv\r\n",
	    "v=0\r\no=a 1 2 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
	    "m=audio 4000 RTP/AVP 0\r\na=sendonly\r\n",
	    "v=0\r\no=a 1 3 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
	    "m=audio 4000 RTP/AVP 0\r\na=inactive\r\n",
	    "v=0\r\no=a 1 4 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
	    "m=audio 4000 RTP/AVP 0\r\na=recvonly\r\n",
	    "v=0\r\no=a 1 5 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\n"
	    "m=audio 4000 RTP/AVP 0\r\n",
	};
	static const enum vox_sdp_dir want[] = {VOX_SDP_SENDRECV, VOX_SDP_RECVONLY,
	                                        VOX_SDP_INACTIVE, VOX_SDP_SENDONLY,
	                                        VOX_SDP_SENDRECV};
	static const uint64_t version[] = {10, 11, 12, 13, 14};
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	vox_sdp_oa_init(&oa, 10);
	vox_sdp_local_init(&l, vox_slice_cstr("192.0.2.6"), 5000);
	for (size_t i = 0; i < 5; i++) {
		struct parsed p = parse_str(offers[i]);
		assert_true(p.rc > 0);
		struct vox_rng r = rng();
		struct answered *a = calloc(1, sizeof *a);
		a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
		assert_true(a->n > 0);
		assert_int_equal(a->s.dir, want[i]);
		struct parsed b = parse_mem(a->buf, (size_t)a->n);
		assert_int_equal(b.sdp->media[0].dir, want[i]);
		assert_true(b.sdp->sess_version == version[i]);
		done(&b);
		done(&p);
		free(a);
	}
	/* We hold: local sendonly against a sendrecv offer. */
	l.dir = VOX_SDP_SENDONLY;
	struct parsed p = parse_str(offers[0]);
	struct vox_rng r = rng();
	struct answered a;
	a.n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a.buf, sizeof a.buf, &a.s, &a.why);
	assert_true(a.n > 0);
	assert_int_equal(a.s.dir, VOX_SDP_SENDONLY);
	done(&p);
	vox_sdp_oa_free(&oa);

	/* RFC 3264 8.4: c=0.0.0.0 means the offerer receives nothing. */
	vox_sdp_oa_init(&oa, 10);
	l.dir = VOX_SDP_SENDRECV;
	answer_vec(&oa, &l, "legacy-hold-offer.sdp", &a);
	assert_true(a.n > 0);
	assert_true(a.s.remote_legacy_hold);
	assert_int_equal(a.s.dir, VOX_SDP_RECVONLY);
	assert_int_equal(a.back.sdp->media[0].dir, VOX_SDP_RECVONLY);
	answered_done(&a);
	vox_sdp_oa_free(&oa);
	vox_sdp_oa_free(&oa); /* safe twice */
	vox_sdp_oa_free(NULL);
}

/* RFC 4568's example offer: tag 1 answered with our own key. */
static void test_answer_rfc4568(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES && VOX_SDP_MAX_KEYS >= 2,
	            "RFC 4568's example needs SDES and VOX_SDP_MAX_KEYS >= 2");
	static const enum vox_sdp_policy pols[] = {VOX_SDP_POLICY_OPTIONAL,
	                                           VOX_SDP_POLICY_MANDATORY};
	for (size_t i = 0; i < 2; i++) {
		struct vox_sdp_oa oa;
		struct vox_sdp_local l;
		struct answered *a = calloc(1, sizeof *a);
		vox_sdp_oa_init(&oa, 25690844);
		local_all_suites(&l, "168.2.17.11", 32640, pols[i]);
		answer_vec(&oa, &l, "rfc4568-offer.sdp", a);
		assert_true(a->n > 0);
		const struct vox_sdp *s = a->back.sdp;
		assert_true(slice_is(s->media[0].proto, "RTP/SAVP"));
		assert_int_equal(s->n_crypto, 1);
		const struct vox_sdp_crypto *c = &s->crypto[0];
		assert_int_equal(c->tag, 1);
		assert_int_equal(c->suite, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
		assert_false(
		    slice_is(c->keys[0].key_salt, "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz"));
		assert_int_equal(a->s.prot, VOX_SDP_PROT_SDES);
		assert_false(a->s.best_effort);
		assert_int_equal(a->s.crypto_tag, 1);
		assert_int_equal(a->s.n_rx, 1);
		assert_int_equal(a->s.rx[0].suite, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
		assert_true(a->s.rx[0].lifetime == (1u << 20));
		assert_int_equal(a->s.rx[0].mki_len, 4);
		assert_int_equal(a->s.rx[0].mki[3], 1);
		assert_memory_equal(a->s.rx[0].key, "YS___se", 7); /* "WVNfX19zZW1j..." */
		struct vox_srtp_key mine;
		assert_int_equal(vox_sdp_key_decode(c, 0, &mine), 0);
		assert_memory_equal(mine.key, a->s.tx.key, 16);
		assert_memory_equal(mine.salt, a->s.tx.salt, 14);
		assert_memory_not_equal(a->s.tx.key, a->s.rx[0].key, 16);
		assert_int_equal(a->s.tx.mki_len, 0);
		assert_true(a->s.tx.lifetime == 0);

		/* A refresh keeps our key and the version. */
		struct answered *b = calloc(1, sizeof *b);
		answer_vec(&oa, &l, "rfc4568-offer.sdp", b);
		assert_true(b->n == a->n && memcmp(b->buf, a->buf, (size_t)a->n) == 0);
		answered_done(b);
		/* A rekey changes key and version. */
		vox_sdp_oa_rekey(&oa);
		answer_vec(&oa, &l, "rfc4568-offer.sdp", b);
		assert_memory_not_equal(b->s.tx.key, a->s.tx.key, 16);
		assert_true(b->back.sdp->sess_version == a->back.sdp->sess_version + 1);
		answered_done(b);
		free(b);
		vox_sdp_session_free(&a->s);
		answered_done(a);
		free(a);
		vox_sdp_oa_free(&oa);
	}
}

static void test_answer_policy(void **st)
{
	(void)st;
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	struct answered *a = calloc(1, sizeof *a);

	/* Mandatory never answers a clear offer: 488. */
	vox_sdp_oa_init(&oa, 1);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_MANDATORY);
	answer_vec(&oa, &l, "clear-offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_int_equal(a->why.sip_status, 488);
	assert_non_null(strstr(a->why.reason, "mandatory"));
	assert_int_equal(a->why.mline, 0);
	assert_false(oa.sent);

	/* Optional answers it in clear, PCMA first as offered. */
	l.policy = VOX_SDP_POLICY_OPTIONAL;
	answer_vec(&oa, &l, "clear-offer.sdp", a);
	assert_true(a->n > 0);
	assert_int_equal(a->s.prot, VOX_SDP_PROT_NONE);
	assert_int_equal(a->s.send_pt, 8);
	assert_int_equal(a->s.tel_event_pt, 101);
	assert_int_equal(a->s.remote_ptime, 20);
	assert_int_equal(a->back.sdp->media[0].n_fmts, 3);
	assert_true(slice_is(a->back.sdp->media[0].fmts[0], "8"));
	assert_non_null(vox_sdp_attr_find(a->back.sdp, 0, "fmtp"));
	answered_done(a);

	/* From here on, keys. */
	if (!VOX_WITH_SDES) {
		free(a);
		skip_unless(0, "SDES is compiled out (VOX_WITH_SDES = 0)");
		return;
	}
	/* Best-effort SRTP: RTP/AVP with a=crypto, the first usable line. */
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_true(a->n > 0);
	assert_int_equal(a->s.prot, VOX_SDP_PROT_SDES);
	assert_true(a->s.best_effort);
	assert_int_equal(a->s.crypto_tag, 3);
	assert_int_equal(a->s.tx.suite, VOX_SRTP_AES_256_CM_HMAC_SHA1_80);
	assert_int_equal(a->s.remote_rtcp_port, 41001);
	assert_true(slice_is(a->back.sdp->media[0].proto, "RTP/AVP"));
	assert_int_equal(a->back.sdp->crypto[0].tag, 3);
	answered_done(a);
	/* ... the second line when we do not allow AES-256. */
	l.n_suites = 1;
	l.suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_int_equal(a->s.crypto_tag, 4);
	assert_true(a->s.rx[0].lifetime == (1ull << 31));
	answered_done(a);
	/* ... and mandatory takes it too. */
	l.policy = VOX_SDP_POLICY_MANDATORY;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_int_equal(a->s.prot, VOX_SDP_PROT_SDES);
	answered_done(a);
	/* ... but with no suite allowed (no TLS hop) mandatory fails. */
	l.n_suites = 0;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_int_equal(a->why.sip_status, 488);
	/* Off ignores the keys of a best-effort offer ... */
	l.policy = VOX_SDP_POLICY_OFF;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_true(a->n > 0);
	assert_int_equal(a->s.prot, VOX_SDP_PROT_NONE);
	assert_int_equal(a->back.sdp->n_crypto, 0);
	answered_done(a);
	/* ... and refuses RTP/SAVP. */
	answer_vec(&oa, &l, "offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_non_null(strstr(a->why.reason, "off"));
	vox_sdp_oa_free(&oa);

	/* An RTP/SAVP offer whose only crypto line has an unknown mandatory
	 * session parameter is refused, not answered in clear. */
	vox_sdp_oa_init(&oa, 1);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	struct parsed p =
	    parse_str("v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nc=IN IP4 192.0.2.8\r\n"
	              "t=0 0\r\nm=audio 7000 RTP/SAVP 0\r\na=crypto:1 "
	              "AES_CM_128_HMAC_SHA1_80 "
	              "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj NEWPARAM=1\r\n");
	assert_true(p.rc > 0);
	struct vox_rng r = rng();
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_int_equal(a->why.sip_status, 488);
	assert_non_null(strstr(a->why.reason, "a=crypto"));
	/* The rng failing is a 500, not a clear answer. */
	done(&p);
	p = parse_vec("offer.sdp");
	struct vox_rng br = {bad_rng, NULL};
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &br, a->buf, sizeof a->buf, &a->s, &a->why);
	assert_int_equal(a->n, VOX_ERNG);
	assert_int_equal(a->why.sip_status, 500);
	/* Too small a buffer. */
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, 50, &a->s, &a->why);
	assert_int_equal(a->n, VOX_ENOSPC);
	done(&p);
	/* Two audio streams, clear then SRTP: SRTP wins, clear gets port 0. */
	p = parse_str(
	    "v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nc=IN IP4 192.0.2.8\r\nt=0 0\r\n"
	    "m=audio 7000 RTP/AVP 0\r\nm=audio 7002 RTP/SAVP 0\r\na=crypto:9 "
	    "AES_CM_128_HMAC_SHA1_80 inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n");
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
	assert_true(a->n > 0);
	assert_int_equal(a->s.mline, 1);
	assert_int_equal(a->s.remote_rtp_port, 7002);
	assert_true(contains(a->buf, (size_t)a->n, "m=audio 0 RTP/AVP 0\r\n"));
	done(&p);
	vox_sdp_oa_free(&oa);
	free(a);
}

/* Two vox endpoints: A offers, B answers, A takes the answer; each one's
 * send key is the other's receive key. */
/* A configuration that cannot work is refused when it is made, with its
 * cause; per call, a missing key names the side at fault. */
static void test_local_check(void **st)
{
	(void)st;
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	vox_sdp_local_init(&l, vox_slice_cstr("192.0.2.7"), 6000);
	assert_int_equal(vox_sdp_local_check(&l, &why), 0); /* optional, no suite: clear calls */
	l.policy = VOX_SDP_POLICY_OFF;
	assert_int_equal(vox_sdp_local_check(&l, NULL), 0);
	l.policy = VOX_SDP_POLICY_MANDATORY;
	assert_int_equal(vox_sdp_local_check(&l, &why), VOX_EPOLICY);
	assert_non_null(strstr(why.reason, "mandatory"));
	assert_non_null(strstr(why.reason, VOX_WITH_SDES ? "suite" : "no SDES"));
	assert_int_equal(why.sip_status, 500);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_MANDATORY);
	/* without SDES in the build, no suite list can key a call */
	assert_int_equal(vox_sdp_local_check(&l, &why), VOX_WITH_SDES ? 0 : VOX_EPOLICY);

	static const struct {
		int what;
		const char *why;
	} bad[] = {
	    {0, "SRTP suite"}, {1, "telephone-event"}, {2, "port 0"},           {3, "65535"},
	    {4, "IPv6"},       {5, "audio codec"},     {6, "more SRTP suites"}, {7, "username"},
	    {8, "multicast"}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
		switch (bad[i].what) {
		case 0: l.suites[2] = (enum vox_srtp_suite)99; break;
		case 1: l.tel_event_pt = 50; break;
		case 2: l.port = 0; break;
		case 3:
			l.port = 65535;
			l.rtcp_mux = 0;
			break;
		case 4: l.ip6 = 1; break;
		case 5:
			l.n_codecs = 1;
			l.codecs[0] = VOX_SDP_CODEC_TEL_EVENT;
			break;
		case 6: l.n_suites = VOX_SRTP_SUITE_COUNT + 1; break;
		case 7: l.username = vox_slice_cstr("a b"); break;
		case 8: l.addr = vox_slice_cstr("233.252.0.1"); break;
		}
		memset(&why, 0, sizeof why);
		int rc = vox_sdp_local_check(&l, &why);
		if (rc != VOX_EINVAL || !why.reason || !strstr(why.reason, bad[i].why))
			fail_msg("case %zu: %d %s", i, rc, why.reason ? why.reason : "");
		/* ... and an offer made from it anyway fails the same way. */
		struct vox_sdp_oa oa;
		char buf[VOX_SDP_MAX_BUILD];
		struct vox_rng r = rng();
		vox_sdp_oa_init(&oa, 1);
		assert_int_equal(vox_sdp_oa_offer(&oa, &l, &r, buf, sizeof buf, &why), VOX_EINVAL);
		vox_sdp_oa_free(&oa);
	}
	/* 0 means 101; any of 96..127 is taken as it is. */
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	l.tel_event_pt = 0;
	assert_int_equal(vox_sdp_local_check(&l, &why), 0);
	l.tel_event_pt = 127;
	assert_int_equal(vox_sdp_local_check(&l, &why), 0);

	/* A good SRTP offer and no suite of ours: the answer names our empty
	 * list, not the offer. (Without SDES in the build, no answer keys.) */
	if (!VOX_WITH_SDES)
		return;
	struct vox_sdp_oa oa;
	struct answered *a = calloc(1, sizeof *a);
	vox_sdp_oa_init(&oa, 1);
	vox_sdp_local_init(&l, vox_slice_cstr("192.0.2.7"), 6000);
	answer_vec(&oa, &l, "offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_int_equal(a->why.sip_status, 488);
	assert_non_null(strstr(a->why.reason, "our SRTP suite list is empty"));
	/* ... a list without the offer's suite ... */
	l.n_suites = 1;
	l.suites[0] = VOX_SRTP_AEAD_AES_256_GCM;
	answer_vec(&oa, &l, "offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_non_null(strstr(a->why.reason, "none of the offer's a=crypto suites"));
	/* ... and mandatory with a best-effort offer, no suite of ours. */
	l.n_suites = 0;
	l.policy = VOX_SDP_POLICY_MANDATORY;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_non_null(strstr(a->why.reason, "our SRTP suite list is empty"));
	/* An offer whose lines vox cannot run says so. */
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	struct parsed p =
	    parse_str("v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nc=IN IP4 192.0.2.8\r\nt=0 0\r\n"
	              "m=audio 7000 RTP/SAVP 0\r\na=crypto:1 F8_128_HMAC_SHA1_80 "
	              "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n");
	struct vox_rng r = rng();
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_non_null(strstr(a->why.reason, "that vox can run"));
	done(&p);
	vox_sdp_oa_free(&oa);
	free(a);
}

/* The peer's addresses: what vox can send to, and what it cannot. */
static void test_answer_addresses(void **st)
{
	(void)st;
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	struct answered *a = calloc(1, sizeof *a);
	struct vox_rng r = rng();
	vox_sdp_oa_init(&oa, 1);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	static const struct {
		const char *conn, *rtcp, *why;
	} refused[] = {
	    {"IN IP4 233.252.0.1/127", "", "multicast"},
	    {"IN IP6 ff1e::1", "", "multicast"},
	    {"IN IP4 192.0.2.8", "a=rtcp:7001 IN IP4 233.252.0.1/16\r\n", "multicast"},
	    {"TN RFC2543 555-1234", "", "address type"},
	    {"IN IP4 192.0.2.8", "a=rtcp:7001 ATM NSAP 47.0091\r\n", "address type"},
	};
	char text[512];
	for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
		snprintf(text, sizeof text,
		         "v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nc=%s\r\nt=0 0\r\n"
		         "m=audio 7000 RTP/AVP 0\r\n%s",
		         refused[i].conn, refused[i].rtcp);
		struct parsed p = parse_str(text);
		assert_true(p.rc > 0);
		a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
		if (a->n != VOX_EUNSUPPORTED || a->why.sip_status != 488 ||
		    !strstr(a->why.reason, refused[i].why))
			fail_msg("%s: %d %s", refused[i].conn, a->n, a->why.reason);
		done(&p);
	}
	/* A host name is passed on; a=rtcp may name the other family. */
	struct parsed p =
	    parse_str("v=0\r\no=- 1 1 IN IP4 host\r\ns=-\r\nc=IN IP4 media.example.com\r\n"
	              "t=0 0\r\nm=audio 7000 RTP/AVP 0\r\na=rtcp:7001 IN IP6 2001:db8::9\r\n");
	a->n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, a->buf, sizeof a->buf, &a->s, &a->why);
	assert_true(a->n > 0);
	assert_string_equal(a->s.remote_addr, "media.example.com");
	assert_false(a->s.remote_ip6);
	assert_string_equal(a->s.remote_rtcp_addr, "2001:db8::9");
	assert_true(a->s.remote_rtcp_ip6);
	assert_int_equal(a->s.remote_rtcp_port, 7001);
	done(&p);

	/* Our own address goes out after IN IP4 or IN IP6: it must be one. */
	static const struct {
		const char *addr;
		int ip6, ok;
	} ours[] = {
	    {"192.0.2.7", 1, 0},   {"2001:db8::7", 0, 0}, {"ff02::1", 1, 0},
	    {"224.1.2.3", 0, 0},   {"1.2.3", 0, 0},       {"a b", 0, 0},
	    {"2001:db8::7", 1, 1}, {"192.0.2.7", 0, 1},   {"pc.example.com", 1, 1},
	};
	for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++) {
		local_all_suites(&l, ours[i].addr, 6000, VOX_SDP_POLICY_OPTIONAL);
		l.ip6 = ours[i].ip6;
		struct vox_sdp_fail why = {0, NULL, -1};
		a->n = vox_sdp_oa_offer(&oa, &l, &r, a->buf, sizeof a->buf, &why);
		if (ours[i].ok) {
			assert_true(a->n > 0);
			struct parsed back = parse_mem(a->buf, (size_t)a->n);
			assert_int_equal(back.rc, a->n);
			assert_true(slice_is(back.sdp->conn.addr, ours[i].addr));
			assert_true(slice_is(back.sdp->conn.addrtype, ours[i].ip6 ? "IP6" : "IP4"));
			done(&back);
		} else if (a->n != VOX_EINVAL || why.sip_status != 500 ||
		           !strstr(why.reason, "local media address")) {
			fail_msg("%s: %d %s", ours[i].addr, a->n, why.reason ? why.reason : "");
		}
	}
	vox_sdp_oa_free(&oa);
	free(a);
}

static void test_offer_answer_roundtrip(void **st)
{
	(void)st;
	static const enum vox_sdp_policy pols[] = {VOX_SDP_POLICY_OFF, VOX_SDP_POLICY_OPTIONAL,
	                                           VOX_SDP_POLICY_MANDATORY};
	for (size_t i = 0; i < 3; i++) {
		if (pols[i] != VOX_SDP_POLICY_OFF)
			skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
		struct vox_sdp_oa oa_a, oa_b;
		struct vox_sdp_local la, lb;
		vox_sdp_oa_init(&oa_a, 100);
		vox_sdp_oa_init(&oa_b, 200);
		local_all_suites(&la, "192.0.2.1", 10000, pols[i]);
		local_all_suites(&lb, "2001:db8::2", 20000, pols[i]);
		la.key_methods = lb.key_methods = VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP;
		lb.ip6 = 1;
		lb.zrtp_hash = vox_slice_cstr(
		    "fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df");
		lb.codecs[0] = VOX_SDP_CODEC_PCMA; /* B prefers PCMA, A's order wins */
		lb.codecs[1] = VOX_SDP_CODEC_PCMU;
		char offer[VOX_SDP_MAX_BUILD], answer[VOX_SDP_MAX_BUILD];
		struct vox_rng r = rng();
		struct vox_sdp_fail why;
		int on = vox_sdp_oa_offer(&oa_a, &la, &r, offer, sizeof offer, &why);
		assert_true(on > 0);
		struct parsed po = parse_mem(offer, (size_t)on);
		assert_int_equal(po.rc, on);
		assert_true(slice_is(po.sdp->media[0].proto,
		                     pols[i] == VOX_SDP_POLICY_MANDATORY ? "RTP/SAVP" : "RTP/AVP"));
		assert_int_equal(po.sdp->n_crypto, pols[i] == VOX_SDP_POLICY_OFF ? 0 : 6);
		if (pols[i] != VOX_SDP_POLICY_OFF)
			assert_int_equal(po.sdp->crypto[0].suite, VOX_SRTP_AEAD_AES_256_GCM);
		struct vox_sdp_session sa, sb;
		int an =
		    vox_sdp_oa_answer(&oa_b, &lb, po.sdp, &r, answer, sizeof answer, &sb, &why);
		assert_true(an > 0);
		struct parsed pa = parse_mem(answer, (size_t)an);
		assert_int_equal(pa.rc, an);
		assert_true(contains(answer, (size_t)an, "c=IN IP6 2001:db8::2\r\n"));
		assert_int_equal(vox_sdp_oa_recv_answer(&oa_a, &la, pa.sdp, &sa, &why), 0);
		assert_int_equal(vox_sdp_oa_recv_answer(&oa_a, &la, pa.sdp, &sa, &why), VOX_ESTATE);
		assert_int_equal(sa.send_pt, 0);
		assert_int_equal(sb.send_pt, 0);
		assert_int_equal(sa.tel_event_pt, 101);
		assert_true(sa.rtcp_mux && sb.rtcp_mux);
		assert_int_equal(sa.remote_rtp_port, 20000);
		assert_int_equal(sa.remote_rtcp_port, 20000);
		assert_true(sa.remote_ip6);
		assert_string_equal(sa.remote_addr, "2001:db8::2");
		assert_string_equal(sb.remote_addr, "192.0.2.1");
		/* ... and as transport addresses for the media engine */
		static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};
		assert_int_equal(sa.remote_rtp.family, 6);
		assert_memory_equal(sa.remote_rtp.ip, a6, 16);
		assert_int_equal(sa.remote_rtp.port, 20000);
		assert_memory_equal(&sa.remote_rtcp, &sa.remote_rtp, sizeof sa.remote_rtp);
		assert_int_equal(sb.remote_rtp.family, 4);
		assert_memory_equal(sb.remote_rtp.ip, "\xc0\x00\x02\x01", 4);
		assert_int_equal(sb.remote_rtp.port, 10000);
		assert_int_equal(sa.prot, sb.prot);
		assert_true(sa.has_remote_zrtp_hash);
		assert_int_equal(sa.remote_zrtp_hash[0], 0xfe);
		assert_int_equal(sa.remote_zrtp_hash[31], 0xdf);
		assert_false(sb.has_remote_zrtp_hash);
		if (pols[i] == VOX_SDP_POLICY_OFF) {
			assert_int_equal(sa.prot, VOX_SDP_PROT_NONE);
		} else {
			assert_int_equal(sa.prot, VOX_SDP_PROT_SDES);
			assert_int_equal(sa.tx.suite, VOX_SRTP_AEAD_AES_256_GCM);
			assert_int_equal(sa.best_effort, pols[i] == VOX_SDP_POLICY_OPTIONAL);
			assert_memory_equal(sa.tx.key, sb.rx[0].key, 32);
			assert_memory_equal(sa.tx.salt, sb.rx[0].salt, 12);
			assert_memory_equal(sb.tx.key, sa.rx[0].key, 32);
			assert_memory_not_equal(sa.tx.key, sb.tx.key, 32);
		}
		/* Re-offer unchanged: same version and keys; hold: next version. */
		uint64_t v0 = po.sdp->sess_version;
		char again[VOX_SDP_MAX_BUILD];
		int n2 = vox_sdp_oa_offer(&oa_a, &la, &r, again, sizeof again, &why);
		assert_int_equal(n2, on);
		assert_memory_equal(again, offer, (size_t)on);
		la.dir = VOX_SDP_SENDONLY;
		n2 = vox_sdp_oa_offer(&oa_a, &la, &r, again, sizeof again, &why);
		struct parsed ph = parse_mem(again, (size_t)n2);
		assert_true(ph.sdp->sess_version == v0 + 1);
		assert_int_equal(ph.sdp->media[0].dir, VOX_SDP_SENDONLY);
		an = vox_sdp_oa_answer(&oa_b, &lb, ph.sdp, &r, answer, sizeof answer, &sb, &why);
		assert_true(an > 0);
		assert_int_equal(sb.dir, VOX_SDP_RECVONLY);
		done(&ph);
		done(&pa);
		done(&po);
		vox_sdp_session_free(&sa);
		vox_sdp_session_free(&sb);
		vox_sdp_oa_free(&oa_a);
		vox_sdp_oa_free(&oa_b);
	}
}

/* VOX_WITH_SDES: with it keys go out in a=crypto and are taken from one;
 * compiled out, neither, whatever suites the caller lists, and an RTP/SAVP
 * offer gets a 488 that says why. */
static void test_sdes_switch(void **st)
{
	(void)st;
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	struct vox_rng r = rng();
	char offer[VOX_SDP_MAX_BUILD];
	struct answered *a = calloc(1, sizeof *a);
	assert_non_null(a);
	vox_sdp_oa_init(&oa, 3);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	int n = vox_sdp_oa_offer(&oa, &l, &r, offer, sizeof offer, &why);
	assert_true(n > 0);
	assert_int_equal(contains(offer, (size_t)n, "a=crypto:"), VOX_WITH_SDES);
	assert_int_equal(oa.n_offered, VOX_WITH_SDES ? 6 : 0);
	/* best effort: RTP/AVP with a=crypto */
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_true(a->n > 0);
	assert_int_equal(a->s.prot, VOX_WITH_SDES ? VOX_SDP_PROT_SDES : VOX_SDP_PROT_NONE);
	assert_int_equal(contains(a->buf, (size_t)a->n, "a=crypto:"), VOX_WITH_SDES);
	answered_done(a);
	/* RTP/SAVP */
	answer_vec(&oa, &l, "offer.sdp", a);
	if (VOX_WITH_SDES) {
		assert_true(a->n > 0);
		assert_int_equal(a->s.prot, VOX_SDP_PROT_SDES);
	} else {
		assert_int_equal(a->n, VOX_EPOLICY);
		assert_int_equal(a->why.sip_status, 488);
		assert_non_null(strstr(a->why.reason, "a=crypto"));
	}
	answered_done(a);
	vox_sdp_oa_free(&oa);
	free(a);
}

/* The policy is key methods times a requirement: what each method allowed
 * or refused does to a configuration, an offer and an answer. */
static void test_key_methods(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	static const struct {
		enum vox_sdp_policy pol;
		unsigned methods;
		int rc;
		const char *why;
	} cfg[] = {
	    /* "ZRTP mandatory, SDES refused": said, and run where ZRTP is built */
	    {VOX_SDP_POLICY_MANDATORY, VOX_SDP_KEY_ZRTP, ZRTP_BUILT ? 0 : VOX_EPOLICY,
	     ZRTP_BUILT ? NULL : "this build has no ZRTP"},
	    {VOX_SDP_POLICY_MANDATORY, 0, VOX_EPOLICY, "no key method"},
	    {VOX_SDP_POLICY_MANDATORY, VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP, 0, NULL},
	    {VOX_SDP_POLICY_MANDATORY, VOX_SDP_KEY_SDES, 0, NULL},
	    {VOX_SDP_POLICY_OPTIONAL, VOX_SDP_KEY_ZRTP, 0, NULL},
	    {VOX_SDP_POLICY_OPTIONAL, 0, 0, NULL},
	    {VOX_SDP_POLICY_OFF, 0, 0, NULL},
	    {VOX_SDP_POLICY_OPTIONAL, 4, VOX_EINVAL, "unknown key method"},
	};
	for (size_t i = 0; i < sizeof cfg / sizeof cfg[0]; i++) {
		local_all_suites(&l, "192.0.2.7", 6000, cfg[i].pol);
		l.key_methods = cfg[i].methods;
		memset(&why, 0, sizeof why);
		int rc = vox_sdp_local_check(&l, &why);
		if (rc != cfg[i].rc || (cfg[i].why && !strstr(why.reason, cfg[i].why)))
			fail_msg("case %zu: %d %s", i, rc, why.reason ? why.reason : "");
	}
	/* Per call the offer says the same, and the profile stays RTP/SAVP
	 * when SDES comes with ZRTP under mandatory. */
	struct vox_sdp_oa oa;
	char buf[VOX_SDP_MAX_BUILD];
	struct vox_rng r = rng();
	static const char zh[] = "fe30efd02423cb054e50efd0248742ac7a52c8f91bc2df881ae642c371ba46df";
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_MANDATORY);
	l.key_methods = VOX_SDP_KEY_ZRTP;
	l.zrtp_hash = vox_slice_cstr(zh);
	vox_sdp_oa_init(&oa, 1);
	int n = vox_sdp_oa_offer(&oa, &l, &r, buf, sizeof buf, &why);
	if (ZRTP_BUILT) {
		/* RFC 6189 8: ZRTP alone keeps RTP/AVP, its keys come later */
		assert_true(n > 0);
		assert_true(contains(buf, (size_t)n, "m=audio 6000 RTP/AVP "));
		assert_true(contains(buf, (size_t)n, "a=zrtp-hash:1.10 fe30"));
		assert_false(contains(buf, (size_t)n, "a=crypto"));
		/* a clear answer is taken: the media engine waits for ZRTP */
		static const char ans[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.9\r\ns=-\r\n"
		                          "c=IN IP4 192.0.2.9\r\nt=0 0\r\n"
		                          "m=audio 7000 RTP/AVP 0\r\n";
		struct vox_sdp *sd = calloc(1, sizeof *sd);
		struct vox_sdp_session ss;
		assert_non_null(sd);
		assert_true(vox_sdp_parse(ans, sizeof ans - 1, sd, NULL) >= 0);
		assert_int_equal(vox_sdp_oa_recv_answer(&oa, &l, sd, &ss, &why), 0);
		assert_int_equal(ss.prot, VOX_SDP_PROT_NONE);
		vox_sdp_session_free(&ss);
		free(sd);
	} else {
		assert_int_equal(n, VOX_EPOLICY);
		assert_non_null(strstr(why.reason, "this build has no ZRTP"));
	}
	vox_sdp_oa_free(&oa);
	vox_sdp_oa_init(&oa, 1);
	l.key_methods = VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP;
	n = vox_sdp_oa_offer(&oa, &l, &r, buf, sizeof buf, &why);
	assert_true(n > 0);
	assert_true(contains(buf, (size_t)n, "RTP/SAVP"));
	assert_true(contains(buf, (size_t)n, "a=crypto:1 "));
	assert_true(contains(buf, (size_t)n, "a=zrtp-hash:1.10 fe30"));
	vox_sdp_oa_free(&oa);
	/* SDES refused: no a=crypto goes out, ZRTP refused: no a=zrtp-hash */
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	l.zrtp_hash = vox_slice_cstr(zh);
	l.key_methods = VOX_SDP_KEY_ZRTP;
	vox_sdp_oa_init(&oa, 1);
	n = vox_sdp_oa_offer(&oa, &l, &r, buf, sizeof buf, &why);
	assert_true(n > 0);
	assert_false(contains(buf, (size_t)n, "a=crypto"));
	assert_true(contains(buf, (size_t)n, "RTP/AVP"));
	assert_true(contains(buf, (size_t)n, "a=zrtp-hash"));
	vox_sdp_oa_free(&oa);
	l.key_methods = VOX_SDP_KEY_SDES;
	vox_sdp_oa_init(&oa, 1);
	n = vox_sdp_oa_offer(&oa, &l, &r, buf, sizeof buf, &why);
	assert_true(n > 0);
	assert_true(contains(buf, (size_t)n, "a=crypto"));
	assert_false(contains(buf, (size_t)n, "a=zrtp-hash"));
	vox_sdp_oa_free(&oa);

	/* Answering: an offer's a=crypto under SDES refused is not taken (clear
	 * under optional), and its RTP/SAVP offer is refused saying why. */
	struct answered *a = calloc(1, sizeof *a);
	vox_sdp_oa_init(&oa, 1);
	local_all_suites(&l, "192.0.2.7", 6000, VOX_SDP_POLICY_OPTIONAL);
	l.key_methods = VOX_SDP_KEY_ZRTP;
	answer_vec(&oa, &l, "best-effort-offer.sdp", a);
	assert_true(a->n > 0);
	assert_int_equal(a->s.prot, VOX_SDP_PROT_NONE);
	assert_false(contains(a->buf, (size_t)a->n, "a=crypto"));
	answered_done(a);
	answer_vec(&oa, &l, "offer.sdp", a);
	assert_int_equal(a->n, VOX_EPOLICY);
	assert_non_null(strstr(a->why.reason, "our policy refuses"));
	vox_sdp_oa_free(&oa);
	free(a);
}

/* The peer's addresses as transport addresses: IP literals of either
 * family (an IPv4 tail, "::" anywhere), a=rtcp's own address, and a host
 * name left for the caller to resolve (family 0). */
static void test_session_addresses(void **st)
{
	(void)st;
	static const struct {
		const char *c, *rtcp;
		uint8_t fam, rfam;
		uint8_t ip[16], rip[16];
		uint16_t rport;
	} cases[] = {
	    {"IN IP4 192.0.2.9", "", 4, 4, {192, 0, 2, 9}, {192, 0, 2, 9}, 3001},
	    {"IN IP6 ::ffff:192.0.2.9",
	     "",
	     6,
	     6,
	     {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 9},
	     {[10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 9},
	     3001},
	    {"IN IP6 fe80::1:2",
	     "a=rtcp:4000 IN IP4 198.51.100.1\r\n",
	     6,
	     4,
	     {0xfe, 0x80, [12] = 0, [13] = 1, [14] = 0, [15] = 2},
	     {198, 51, 100, 1},
	     4000},
	    {"IN IP6 1:2:3:4:5:6:7::",
	     "",
	     6,
	     6,
	     {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7},
	     {0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7},
	     3001},
	    {"IN IP4 media.example.com", "", 0, 0, {0}, {0}, 0},
	    {"IN IP4 media.example.com",
	     "a=rtcp:4000 IN IP4 198.51.100.1\r\n",
	     0,
	     4,
	     {0},
	     {198, 51, 100, 1},
	     4000},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		snprintf(text, sizeof text,
		         "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=%s\r\nt=0 0\r\n"
		         "m=audio 3000 RTP/AVP 0\r\n%s",
		         cases[i].c, cases[i].rtcp);
		struct parsed p = parse_str(text);
		assert_true(p.rc > 0);
		struct vox_sdp_oa oa;
		struct vox_sdp_local l;
		struct vox_sdp_session s;
		struct vox_sdp_fail why;
		char buf[VOX_SDP_MAX_BUILD];
		struct vox_rng r = rng();
		vox_sdp_oa_init(&oa, 1);
		vox_sdp_local_init(&l, vox_slice_cstr("192.0.2.7"), 6000);
		l.rtcp_mux = 0;
		int n = vox_sdp_oa_answer(&oa, &l, p.sdp, &r, buf, sizeof buf, &s, &why);
		if (n <= 0)
			fail_msg("case %zu: %d %s", i, n, why.reason);
		if (s.remote_rtp.family != cases[i].fam || s.remote_rtcp.family != cases[i].rfam ||
		    (cases[i].fam && (memcmp(s.remote_rtp.ip, cases[i].ip, 16) != 0 ||
		                      s.remote_rtp.port != 3000)) ||
		    (cases[i].rfam && (memcmp(s.remote_rtcp.ip, cases[i].rip, 16) != 0 ||
		                       s.remote_rtcp.port != cases[i].rport)))
			fail_msg("case %zu: families %u/%u ports %u/%u", i, s.remote_rtp.family,
			         s.remote_rtcp.family, s.remote_rtp.port, s.remote_rtcp.port);
		vox_sdp_oa_free(&oa);
		done(&p);
	}
}

/* RFC 4568 7.1.4: a re-offer with the same key is a refresh (our answer
 * keeps its key and the o= version); a re-offer with a new key re-keys, and
 * our answer brings a new key too, so that both directions are renewed. */
static void test_rekey_answer(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	struct vox_sdp_oa oa_a, oa_b;
	struct vox_sdp_local la, lb;
	struct vox_sdp_session sb[3];
	struct vox_sdp_fail why;
	struct vox_rng r = rng();
	char offer[VOX_SDP_MAX_BUILD], answer[VOX_SDP_MAX_BUILD];
	local_all_suites(&la, "192.0.2.1", 10000, VOX_SDP_POLICY_MANDATORY);
	local_all_suites(&lb, "192.0.2.2", 20000, VOX_SDP_POLICY_MANDATORY);
	vox_sdp_oa_init(&oa_a, 1);
	vox_sdp_oa_init(&oa_b, 2);
	uint64_t version[3];
	for (int i = 0; i < 3; i++) {
		if (i == 2)
			vox_sdp_oa_rekey(&oa_a); /* the offerer asks for new keys */
		int on = vox_sdp_oa_offer(&oa_a, &la, &r, offer, sizeof offer, &why);
		assert_true(on > 0);
		struct parsed po = parse_mem(offer, (size_t)on);
		int an =
		    vox_sdp_oa_answer(&oa_b, &lb, po.sdp, &r, answer, sizeof answer, &sb[i], &why);
		assert_true(an > 0);
		struct parsed pa = parse_mem(answer, (size_t)an);
		version[i] = pa.sdp->sess_version;
		struct vox_sdp_session sa;
		assert_int_equal(vox_sdp_oa_recv_answer(&oa_a, &la, pa.sdp, &sa, &why), 0);
		assert_memory_equal(sa.tx.key, sb[i].rx[0].key, 32);
		assert_memory_equal(sb[i].tx.key, sa.rx[0].key, 32);
		vox_sdp_session_free(&sa);
		done(&pa);
		done(&po);
	}
	assert_memory_equal(sb[1].tx.key, sb[0].tx.key, 32); /* a refresh */
	assert_true(version[1] == version[0]);
	assert_memory_not_equal(sb[2].rx[0].key, sb[1].rx[0].key, 32); /* the offerer's new key */
	assert_memory_not_equal(sb[2].tx.key, sb[1].tx.key, 32);       /* and ours */
	assert_true(version[2] == version[0] + 1);
	for (int i = 0; i < 3; i++)
		vox_sdp_session_free(&sb[i]);
	vox_sdp_oa_free(&oa_a);
	vox_sdp_oa_free(&oa_b);
}

static void test_recv_answer_errors(void **st)
{
	(void)st;
	struct vox_sdp_oa oa;
	struct vox_sdp_local l;
	struct vox_sdp_session s;
	struct vox_sdp_fail why;
	char offer[VOX_SDP_MAX_BUILD];
	struct vox_rng r = rng();
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	vox_sdp_oa_init(&oa, 7);
	local_all_suites(&l, "192.0.2.1", 10000, VOX_SDP_POLICY_MANDATORY);
	assert_true(vox_sdp_oa_offer(&oa, &l, &r, offer, sizeof offer, &why) > 0);
	static const struct {
		const char *answer;
		int err;
	} cases[] = {
	    /* clear answer to a mandatory offer */
	    {"m=audio 3000 RTP/AVP 0\r\n", VOX_EMALFORMED},
	    {"m=audio 3000 RTP/SAVP 0\r\n", VOX_EPOLICY},
	    /* a tag we did not offer */
	    {"m=audio 3000 RTP/SAVP 0\r\na=crypto:9 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	     VOX_EMALFORMED},
	    /* our tag 4 is AES_CM_128_HMAC_SHA1_80, not _32 */
	    {"m=audio 3000 RTP/SAVP 0\r\na=crypto:4 AES_CM_128_HMAC_SHA1_32 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj\r\n",
	     VOX_EMALFORMED},
	    {"m=audio 3000 RTP/SAVP 0\r\na=crypto:4 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj UNENCRYPTED_SRTP\r\n",
	     VOX_EPOLICY},
	    {"m=audio 0 RTP/SAVP 0\r\n", VOX_EUNSUPPORTED},
	    {"m=audio 3000 RTP/SAVP 18\r\n", VOX_EUNSUPPORTED},
	    {"m=audio 3000 RTP/SAVP 0\r\nm=audio 3002 RTP/SAVP 0\r\n", VOX_EMALFORMED},
	    {"m=audio 3000 RTP/SAVP 0\r\na=crypto:4 AES_CM_128_HMAC_SHA1_80 "
	     "inline:d0RmdmcmVCspeEc3QGZiNWpVLFJhQX1cfHAwJSoj|2^20|7:2\r\n",
	     0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		snprintf(text, sizeof text, "%s%s", head, cases[i].answer);
		struct parsed p = parse_str(text);
		assert_true(p.rc > 0);
		int rc = vox_sdp_oa_recv_answer(&oa, &l, p.sdp, &s, &why);
		if (rc != cases[i].err)
			fail_msg("case %zu: got %d (%s), want %d", i, rc, why.reason, cases[i].err);
		if (rc == 0) {
			assert_int_equal(s.tx.suite, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
			assert_int_equal(s.rx[0].mki_len, 2);
			assert_int_equal(s.rx[0].mki[1], 7);
		}
		done(&p);
	}
	vox_sdp_oa_free(&oa);

	/* Mandatory with nothing to offer. */
	vox_sdp_oa_init(&oa, 7);
	l.n_suites = 0;
	assert_int_equal(vox_sdp_oa_offer(&oa, &l, &r, offer, sizeof offer, &why), VOX_EPOLICY);
	assert_int_equal(why.sip_status, 488);
	l.n_suites = 1;
	struct vox_rng br = {bad_rng, NULL};
	assert_int_equal(vox_sdp_oa_offer(&oa, &l, &br, offer, sizeof offer, &why), VOX_ERNG);
	/* Bad local settings never reach the wire. */
	l.addr = vox_slice_cstr("1.2.3.4\r\na=evil");
	assert_int_equal(vox_sdp_oa_offer(&oa, &l, &r, offer, sizeof offer, &why), VOX_EINVAL);
	l.addr = vox_slice_cstr("192.0.2.1");
	l.zrtp_hash = vox_slice_cstr("abcd\r\na=x");
	assert_int_equal(vox_sdp_oa_offer(&oa, &l, &r, offer, sizeof offer, &why), VOX_EINVAL);
	vox_sdp_oa_free(&oa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_bench_offer),
	    cmocka_unit_test(test_parse_vectors),
	    cmocka_unit_test(test_parse_rfc4568),
	    cmocka_unit_test(test_parse_lenient_ends),
	    cmocka_unit_test(test_parse_fields),
	    cmocka_unit_test(test_parse_addresses),
	    cmocka_unit_test(test_parse_negative),
	    cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_crypto_unusable),
	    cmocka_unit_test(test_key_decode_constant_flow),
	    cmocka_unit_test(test_print),
	    cmocka_unit_test(test_answer_rfc4317),
	    cmocka_unit_test(test_answer_hold_resume),
	    cmocka_unit_test(test_answer_rfc4568),
	    cmocka_unit_test(test_answer_policy),
	    cmocka_unit_test(test_local_check),
	    cmocka_unit_test(test_key_methods),
	    cmocka_unit_test(test_session_addresses),
	    cmocka_unit_test(test_rekey_answer),
	    cmocka_unit_test(test_answer_addresses),
	    cmocka_unit_test(test_offer_answer_roundtrip),
	    cmocka_unit_test(test_sdes_switch),
	    cmocka_unit_test(test_recv_answer_errors),
	};
	return cmocka_run_group_tests_name("sdp", tests, NULL, NULL);
}
