/* SPDX-License-Identifier: MIT */
/* rtp/: RTP and RTCP packets, A.1/A.3/A.8 statistics, the A.7 interval,
 * the session engine and the demultiplexer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vox/rtp.h"
#include "testutil.h"

/* ---- RTP packets ------------------------------------------------------- */

static void test_rtp_parse_fields(void **st)
{
	(void)st;
	/* V=2 P=0 X=0 CC=2, M=1 PT=8, seq 0x1234, ts 0xdeadbeef, SSRC
	 * 0x01020304, CSRCs 0xa0a0a0a0 and 0xb0b0b0b0, payload "hello". */
	static const uint8_t raw[] = {0x82, 0x88, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x01,
	                              0x02, 0x03, 0x04, 0xa0, 0xa0, 0xa0, 0xa0, 0xb0, 0xb0,
	                              0xb0, 0xb0, 'h',  'e',  'l',  'l',  'o'};
	const uint8_t *g = (const uint8_t *)guard_copy(raw, sizeof raw);
	struct vox_rtp_packet p;
	struct vox_diag d = {0, NULL};
	assert_int_equal(vox_rtp_parse(g, sizeof raw, &p, &d), (int)sizeof raw);
	assert_int_equal(p.marker, 1);
	assert_int_equal(p.pt, 8);
	assert_int_equal(p.seq, 0x1234);
	assert_true(p.ts == 0xdeadbeefu);
	assert_true(p.ssrc == 0x01020304u);
	assert_int_equal(p.cc, 2);
	assert_true(p.csrc[0] == 0xa0a0a0a0u && p.csrc[1] == 0xb0b0b0b0u);
	assert_int_equal(p.ext_form, VOX_RTP_EXT_NONE);
	assert_int_equal(p.payload_len, 5);
	assert_memory_equal(p.payload, "hello", 5);
	assert_int_equal(p.pad_len, 0);
	guard_free((const char *)g);
}

static void fill_ext_packet(struct vox_rtp_packet *p, enum vox_rtp_ext_form form)
{
	static const uint8_t payload[160] = {1, 2, 3};
	static const uint8_t level[1] = {0x85};
	static const uint8_t abs[3] = {0x12, 0x34, 0x56};
	static const uint8_t big[40] = {9, 9, 9};
	vox_rtp_packet_init(p);
	p->marker = 1;
	p->pt = 0;
	p->seq = 65535;
	p->ts = 160;
	p->ssrc = 0xcafebabe;
	p->cc = 3;
	p->csrc[0] = 1;
	p->csrc[1] = 2;
	p->csrc[2] = 3;
	p->ext_form = form;
	p->n_ext = 2;
	p->ext[0] = (struct vox_rtp_ext){1, 1, level};
	p->ext[1] = (struct vox_rtp_ext){3, 3, abs};
	if (form == VOX_RTP_EXT_TWO_BYTE) {
		p->ext_profile = 0x5; /* app bits */
		p->n_ext = 4;
		p->ext[2] = (struct vox_rtp_ext){200, 40, big};
		p->ext[3] = (struct vox_rtp_ext){17, 0, NULL};
	}
	p->payload = payload;
	p->payload_len = sizeof payload;
	p->pad_len = 4;
}

static void roundtrip(enum vox_rtp_ext_form form, int expect_len)
{
	struct vox_rtp_packet a, b;
	uint8_t buf[400];
	fill_ext_packet(&a, form);
	int n = vox_rtp_print(&a, buf, sizeof buf);
	assert_int_equal(n, expect_len);
	const uint8_t *g = (const uint8_t *)guard_copy(buf, (size_t)n);
	assert_int_equal(vox_rtp_parse(g, (size_t)n, &b, NULL), n);
	assert_int_equal(b.marker, a.marker);
	assert_int_equal(b.pt, a.pt);
	assert_int_equal(b.seq, a.seq);
	assert_true(b.ts == a.ts && b.ssrc == a.ssrc);
	assert_int_equal(b.cc, 3);
	assert_memory_equal(b.csrc, a.csrc, 3 * sizeof a.csrc[0]);
	assert_int_equal(b.ext_form, form);
	assert_int_equal(b.n_ext, a.n_ext);
	for (size_t i = 0; i < a.n_ext; i++) {
		assert_int_equal(b.ext[i].id, a.ext[i].id);
		assert_int_equal(b.ext[i].len, a.ext[i].len);
		if (a.ext[i].len)
			assert_memory_equal(b.ext[i].data, a.ext[i].data, a.ext[i].len);
	}
	assert_int_equal(b.payload_len, a.payload_len);
	assert_memory_equal(b.payload, a.payload, a.payload_len);
	assert_int_equal(b.pad_len, 4);
	assert_non_null(vox_rtp_ext_find(&b, 3));
	assert_null(vox_rtp_ext_find(&b, 4));
	/* Byte for byte: printing the parsed packet gives the same datagram. */
	uint8_t again[400];
	assert_int_equal(vox_rtp_print(&b, again, sizeof again), n);
	assert_memory_equal(again, buf, (size_t)n);
	/* Every shorter capacity is refused, never overrun. */
	for (int cap = 0; cap < n; cap++)
		assert_int_equal(vox_rtp_print(&a, again, (size_t)cap), VOX_ENOSPC);
	guard_free((const char *)g);
}

static void test_rtp_roundtrip(void **st)
{
	(void)st;
	/* 12 + 12 CSRC + 4 + 8 (1+1 + 1+3 rounded to 8) + 160 + 4 padding */
	roundtrip(VOX_RTP_EXT_ONE_BYTE, 12 + 12 + 4 + 8 + 160 + 4);
	/* two-byte: (2+1)+(2+3)+(2+40)+(2+0) = 52 */
	roundtrip(VOX_RTP_EXT_TWO_BYTE, 12 + 12 + 4 + 52 + 160 + 4);
	struct vox_rtp_packet p;
	uint8_t buf[64];
	vox_rtp_packet_init(&p);
	assert_int_equal(vox_rtp_print(&p, buf, sizeof buf), 12);
	assert_int_equal(buf[0], 0x80);
}

static void test_rtp_ext_rules(void **st)
{
	(void)st;
	struct vox_rtp_packet p;
	/* One-byte: padding zeros between elements, ID 15 stops the walk. */
	static const uint8_t a[] = {0x90, 0,    0, 1, 0,    0,    0, 1, 0,    0,    0,    2,
	                            0xbe, 0xde, 0, 2, 0x10, 0xaa, 0, 0, 0x21, 0xbb, 0xcc, 0xf0};
	const uint8_t *g = (const uint8_t *)guard_copy(a, sizeof a);
	assert_int_equal(vox_rtp_parse(g, sizeof a, &p, NULL), (int)sizeof a);
	assert_int_equal(p.n_ext, 2);
	assert_int_equal(p.ext[0].id, 1);
	assert_int_equal(p.ext[0].len, 1);
	assert_int_equal(p.ext[0].data[0], 0xaa);
	assert_int_equal(p.ext[1].id, 2);
	assert_int_equal(p.ext[1].len, 2);
	assert_int_equal(p.ext[1].data[1], 0xcc);
	assert_int_equal(p.payload_len, 0);
	guard_free((const char *)g);

	/* ID 0 with a length is not padding: refused. */
	static const uint8_t b[] = {0x90, 0, 0,    1,    0, 0, 0,    1,    0, 0,
	                            0,    2, 0xbe, 0xde, 0, 1, 0x01, 0xaa, 0, 0};
	struct vox_diag d = {0, NULL};
	g = (const uint8_t *)guard_copy(b, sizeof b);
	assert_int_equal(vox_rtp_parse(g, sizeof b, &p, &d), VOX_EMALFORMED);
	assert_int_equal(d.off, 16);
	guard_free((const char *)g);

	/* An element longer than the block. */
	static const uint8_t c[] = {0x90, 0, 0,    1,    0, 0, 0,    1,    0, 0,
	                            0,    2, 0xbe, 0xde, 0, 1, 0x14, 0xaa, 0, 0};
	g = (const uint8_t *)guard_copy(c, sizeof c);
	assert_int_equal(vox_rtp_parse(g, sizeof c, &p, NULL), VOX_EMALFORMED);
	guard_free((const char *)g);

	/* Two-byte form: zero byte padding, a zero-length element. */
	static const uint8_t e[] = {0x90, 0,    0, 1, 0, 0,    0, 1, 0, 0,    0, 2,
	                            0x10, 0x07, 0, 2, 0, 0xff, 0, 5, 1, 0xee, 0, 0};
	g = (const uint8_t *)guard_copy(e, sizeof e);
	assert_int_equal(vox_rtp_parse(g, sizeof e, &p, NULL), (int)sizeof e);
	assert_int_equal(p.ext_form, VOX_RTP_EXT_TWO_BYTE);
	assert_int_equal(p.ext_profile, 0x1007);
	assert_int_equal(p.n_ext, 2);
	assert_int_equal(p.ext[0].id, 255);
	assert_int_equal(p.ext[0].len, 0);
	assert_int_equal(p.ext[1].id, 5);
	assert_int_equal(p.ext[1].data[0], 0xee);
	guard_free((const char *)g);

	/* Another profile: kept raw. */
	static const uint8_t f[] = {0x90, 0, 0,    1,    0, 0, 0, 1, 0, 0,
	                            0,    2, 0x12, 0x34, 0, 1, 1, 2, 3, 4};
	g = (const uint8_t *)guard_copy(f, sizeof f);
	assert_int_equal(vox_rtp_parse(g, sizeof f, &p, NULL), (int)sizeof f);
	assert_int_equal(p.ext_form, VOX_RTP_EXT_OTHER);
	assert_int_equal(p.ext_body_len, 4);
	assert_int_equal(p.n_ext, 0);
	guard_free((const char *)g);

	/* More elements than VOX_RTP_MAX_EXT: a distinct error. */
	uint8_t many[12 + 4 + 4 * (VOX_RTP_MAX_EXT + 1)];
	memset(many, 0, sizeof many);
	many[0] = 0x90;
	many[12] = 0xbe;
	many[13] = 0xde;
	many[15] = VOX_RTP_MAX_EXT + 1;
	for (int i = 0; i < VOX_RTP_MAX_EXT + 1; i++)
		many[16 + 4 * i] = 0x10 | 0x00; /* ID 1, 1 byte, then 2 padding */
	g = (const uint8_t *)guard_copy(many, sizeof many);
	assert_int_equal(vox_rtp_parse(g, sizeof many, &p, NULL), VOX_ELIMIT);
	guard_free((const char *)g);

	/* Printing refuses what the one-byte form cannot carry. */
	fill_ext_packet(&p, VOX_RTP_EXT_ONE_BYTE);
	uint8_t out[512];
	p.ext[0].id = 15;
	assert_int_equal(vox_rtp_print(&p, out, sizeof out), VOX_EINVAL);
	p.ext[0].id = 1;
	p.ext[0].len = 17;
	assert_int_equal(vox_rtp_print(&p, out, sizeof out), VOX_EINVAL);
	p.ext[0].len = 1;
	p.cc = 16;
	assert_int_equal(vox_rtp_print(&p, out, sizeof out), VOX_EINVAL);
	p.cc = 0;
	p.pt = 128;
	assert_int_equal(vox_rtp_print(&p, out, sizeof out), VOX_EINVAL);
}

static void test_rtp_malformed(void **st)
{
	(void)st;
	struct vox_rtp_packet p;
	uint8_t buf[400];
	fill_ext_packet(&p, VOX_RTP_EXT_TWO_BYTE);
	int n = vox_rtp_print(&p, buf, sizeof buf);
	assert_true(n > 0);
	/* Every prefix of a valid packet, placed against the guard page. The
	 * padding count byte is gone from each, so each must be refused or,
	 * without the P bit, parsed within its bounds. */
	for (int len = 0; len < n; len++) {
		const uint8_t *g = (const uint8_t *)guard_copy(buf, (size_t)len);
		int rc = vox_rtp_parse(g, (size_t)len, &p, NULL);
		assert_true(rc < 0 || rc == len);
		guard_free((const char *)g);
	}
	static const uint8_t v1[12] = {0x40};
	assert_int_equal(vox_rtp_parse(v1, sizeof v1, &p, NULL), VOX_EVERSION);
	static const uint8_t short11[11] = {0x80};
	assert_int_equal(vox_rtp_parse(short11, sizeof short11, &p, NULL), VOX_EMALFORMED);
	/* CC says 1 CSRC, none there. */
	static const uint8_t cc[12] = {0x81};
	assert_int_equal(vox_rtp_parse(cc, sizeof cc, &p, NULL), VOX_EMALFORMED);
	/* P bit: count 0, count too large, count equal to all that follows. */
	uint8_t pad[16] = {0xa0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 'a', 'b', 'c', 0};
	struct vox_diag d = {0, NULL};
	assert_int_equal(vox_rtp_parse(pad, sizeof pad, &p, &d), VOX_EMALFORMED);
	assert_int_equal(d.off, 15);
	pad[15] = 5;
	assert_int_equal(vox_rtp_parse(pad, sizeof pad, &p, NULL), VOX_EMALFORMED);
	pad[15] = 4;
	assert_int_equal(vox_rtp_parse(pad, sizeof pad, &p, NULL), 16);
	assert_int_equal(p.payload_len, 0);
	pad[15] = 1;
	assert_int_equal(vox_rtp_parse(pad, sizeof pad, &p, NULL), 16);
	assert_int_equal(p.payload_len, 3);
	static const uint8_t padonly[12] = {0xa0};
	assert_int_equal(vox_rtp_parse(padonly, sizeof padonly, &p, NULL), VOX_EMALFORMED);
	/* Extension length beyond the packet. */
	static const uint8_t ext[16] = {0x90, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xbe, 0xde, 0, 1};
	assert_int_equal(vox_rtp_parse(ext, sizeof ext, &p, NULL), VOX_EMALFORMED);
}

static void test_seq_extend(void **st)
{
	(void)st;
	struct vox_rtp_seq s;
	memset(&s, 0, sizeof s);
	uint32_t a = vox_rtp_seq_extend(&s, 65534);
	assert_int_equal(vox_rtp_seq_extend(&s, 65535), a + 1);
	assert_int_equal(vox_rtp_seq_extend(&s, 0), a + 2);
	assert_int_equal(vox_rtp_seq_extend(&s, 1), a + 3);
	/* Late packets from before the wrap keep their place. */
	assert_int_equal(vox_rtp_seq_extend(&s, 65535), a + 1);
	assert_int_equal(vox_rtp_seq_extend(&s, 3), a + 5);
	/* A gap under 3000 is a forward step. */
	assert_int_equal(vox_rtp_seq_extend(&s, 2003), a + 2005);
	/* A late packet before the very first still gets a smaller number. */
	memset(&s, 0, sizeof s);
	a = vox_rtp_seq_extend(&s, 5);
	assert_int_equal(vox_rtp_seq_extend(&s, 65530), a - 11);
	/* A jump backwards by more than 100 never goes back. */
	uint32_t b = vox_rtp_seq_extend(&s, 40000);
	assert_true(b > a);
	assert_true(vox_rtp_seq_extend(&s, 100) > b);
}

/* ---- RTCP --------------------------------------------------------------- */

static void test_rtcp_roundtrip(void **st)
{
	(void)st;
	uint8_t buf[512];
	struct vox_writer w;
	vox_writer_init(&w, (char *)buf, sizeof buf);
	struct vox_rtcp_sender_info si = {0x0102030405060708ull, 1000, 50, 8000};
	struct vox_rtcp_rb rb[2] = {{0x11, 25, -3, 70000, 12, 0xaabbccdd, 65536},
	                            {0x22, 255, 0x7fffff, 5, 0, 0, 0}};
	assert_int_equal(vox_rtcp_print_sr(&w, 0x99, &si, rb, 2), 0);
	assert_int_equal(vox_rtcp_print_sdes_cname(&w, 0x99, vox_slice_cstr("alice@example")), 0);
	assert_int_equal(
	    vox_rtcp_print_bye(&w, (uint32_t[]){0x99, 0x98}, 2, vox_slice_cstr("done")), 0);
	static const uint8_t appdata[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	assert_int_equal(vox_rtcp_print_app(&w, 0x99, 3, "VOX1", appdata, sizeof appdata), 0);
	int n = vox_writer_finish(&w);
	/* SR 8+20+48, SDES 4+4+2+13+1 -> 24, BYE 4+8+1+4 -> 20, APP 12+8 */
	assert_int_equal(n, 76 + 24 + 20 + 20);

	const uint8_t *g = (const uint8_t *)guard_copy(buf, (size_t)n);
	struct vox_rtcp_compound c;
	assert_int_equal(vox_rtcp_parse(g, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(c.n, 4);
	struct vox_rtcp_report r;
	assert_int_equal(vox_rtcp_report_parse(&c.pkt[0], &r), 0);
	assert_true(r.ssrc == 0x99 && r.has_sender_info && r.rc == 2);
	assert_true(r.si.ntp == si.ntp && r.si.rtp_ts == 1000 && r.si.packet_count == 50 &&
	            r.si.octet_count == 8000);
	struct vox_rtcp_rb got;
	vox_rtcp_report_block(&r, 0, &got);
	assert_true(got.ssrc == 0x11 && got.fraction_lost == 25 && got.cumulative_lost == -3 &&
	            got.ext_highest_seq == 70000 && got.jitter == 12 && got.lsr == 0xaabbccdd &&
	            got.dlsr == 65536);
	vox_rtcp_report_block(&r, 1, &got);
	assert_int_equal(got.cumulative_lost, 0x7fffff);
	assert_int_equal(got.fraction_lost, 255);

	struct vox_rtcp_sdes_iter it;
	struct vox_rtcp_sdes_item item;
	assert_int_equal(vox_rtcp_sdes_begin(&c.pkt[1], &it), 0);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 1);
	assert_true(item.ssrc == 0x99 && item.type == VOX_SDES_CNAME);
	assert_true(vox_slice_eq(item.text, vox_slice_cstr("alice@example")));
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 0);

	struct vox_rtcp_bye b;
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[2], &b), 0);
	assert_int_equal(b.sc, 2);
	assert_true(vox_rtcp_bye_ssrc(&b, 1) == 0x98);
	assert_true(vox_slice_eq(b.reason, vox_slice_cstr("done")));

	struct vox_rtcp_app a;
	assert_int_equal(vox_rtcp_app_parse(&c.pkt[3], &a), 0);
	assert_int_equal(a.subtype, 3);
	assert_memory_equal(a.name, "VOX1", 4);
	assert_int_equal(a.data_len, 8);
	assert_memory_equal(a.data, appdata, 8);
	assert_int_equal(vox_rtcp_report_parse(&c.pkt[1], &r), VOX_EINVAL);
	guard_free((const char *)g);

	/* Cumulative loss beyond 24 bits is clamped, not wrapped. */
	vox_writer_init(&w, (char *)buf, sizeof buf);
	struct vox_rtcp_rb huge = {1, 0, -20000000, 0, 0, 0, 0};
	assert_int_equal(vox_rtcp_print_rr(&w, 5, &huge, 1), 0);
	n = vox_writer_finish(&w);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_report_parse(&c.pkt[0], &r), 0);
	vox_rtcp_report_block(&r, 0, &got);
	assert_int_equal(got.cumulative_lost, -0x800000);
	/* Writer overflow is reported at finish. */
	vox_writer_init(&w, (char *)buf, 20);
	assert_int_equal(vox_rtcp_print_rr(&w, 5, rb, 2), 0);
	assert_int_equal(vox_writer_finish(&w), VOX_ENOSPC);
	vox_writer_init(&w, (char *)buf, sizeof buf);
	assert_int_equal(vox_rtcp_print_rr(&w, 5, rb, 32), VOX_EINVAL);
	assert_int_equal(vox_rtcp_print_app(&w, 5, 1, "ABCD", appdata, 3), VOX_EINVAL);
}

static int parse_hex(const char *hex, uint8_t *out)
{
	int n = vox_hex_decode(vox_slice_cstr(hex), out, 512);
	assert_true(n >= 0);
	return n;
}

static void test_rtcp_validity(void **st)
{
	(void)st;
	static const struct {
		const char *hex;
		int reduced;
		int want;
	} cases[] = {
	    /* empty RR: fine */
	    {"81c9000100000001", 0, 8},
	    {"80c9000100000001", 0, 8},
	    /* starts with SDES: not allowed by A.2, allowed by RFC 5506 */
	    {"81ca000100000001", 0, VOX_EMALFORMED},
	    {"81ca000100000001", 1, 8},
	    /* padding bit in the first packet */
	    {"a0c9000100000001", 0, VOX_EMALFORMED},
	    /* length field too long */
	    {"80c9000200000001", 0, VOX_EMALFORMED},
	    /* length sum short of the datagram: trailing word is a bad header */
	    {"80c900010000000100000000", 0, VOX_EVERSION},
	    /* not a multiple of 4 */
	    {"80c90001000000010000", 0, VOX_EMALFORMED},
	    /* second packet version 1 */
	    {"80c900010000000141ca000100000001", 0, VOX_EVERSION},
	    /* padding in a packet that is not the last */
	    {"80c9000100000001a0cb000100000001"
	     "80cb000100000001",
	     0, VOX_EMALFORMED},
	    /* padding in the last packet: count 4, body 4 bytes of SSRC + 4 pad */
	    {"80c9000100000001a1cb00020000000100000004", 0, 20},
	    /* padding count 0 */
	    {"80c9000100000001a1cb00020000000100000000", 0, VOX_EMALFORMED},
	    /* padding count larger than the body */
	    {"80c9000100000001a1cb00020000000100000009", 0, VOX_EMALFORMED},
	    /* packet type below 192 */
	    {"80c900010000000180600000", 0, VOX_EMALFORMED},
	    /* too short for a header */
	    {"80c9", 0, VOX_EMALFORMED},
	    {"", 0, VOX_EMALFORMED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t buf[512];
		int n = parse_hex(cases[i].hex, buf);
		const uint8_t *g = (const uint8_t *)guard_copy(buf, (size_t)n);
		struct vox_rtcp_compound c;
		int rc = vox_rtcp_parse(g, (size_t)n, cases[i].reduced, &c, NULL);
		if (rc != cases[i].want)
			print_error("case %zu: got %d want %d\n", i, rc, cases[i].want);
		assert_int_equal(rc, cases[i].want);
		guard_free((const char *)g);
	}
	/* The padded BYE: body is the SSRC only. */
	uint8_t buf[64];
	int n = parse_hex("80c9000100000001a1cb00020000000100000004", buf);
	struct vox_rtcp_compound c;
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(c.pkt[1].body_len, 4);
	/* More packets than VOX_RTCP_MAX_PACKETS. */
	uint8_t many[8 * (VOX_RTCP_MAX_PACKETS + 1)];
	for (int i = 0; i <= VOX_RTCP_MAX_PACKETS; i++)
		parse_hex("80c9000100000001", many + 8 * i);
	assert_int_equal(vox_rtcp_parse(many, sizeof many, 0, &c, NULL), VOX_ELIMIT);
	assert_int_equal(vox_rtcp_parse(many, sizeof many - 8, 0, &c, NULL), (int)sizeof many - 8);
}

static void test_rtcp_sdes_bye_app(void **st)
{
	(void)st;
	uint8_t buf[128];
	struct vox_rtcp_compound c;
	struct vox_rtcp_sdes_iter it;
	struct vox_rtcp_sdes_item item;
	/* RR + SDES with two chunks: (1: CNAME "ab", NAME "c"), (2: none). */
	int n = parse_hex("80c9000100000001"
	                  "82ca0005"
	                  "00000001"
	                  "0102616202016300"
	                  "0000000200000000",
	                  buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_sdes_begin(&c.pkt[1], &it), 0);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 1);
	assert_true(item.ssrc == 1 && item.type == VOX_SDES_CNAME && item.text.len == 2);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 1);
	assert_true(item.type == VOX_SDES_NAME && item.text.len == 1 && item.text.p[0] == 'c');
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 0);
	/* A chunk without its null item. */
	n = parse_hex("80c9000100000001"
	              "81ca0002"
	              "00000001"
	              "01026162",
	              buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_sdes_begin(&c.pkt[1], &it), 0);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), 1);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), VOX_EMALFORMED);
	/* An item running past the packet. */
	n = parse_hex("80c9000100000001"
	              "81ca0002"
	              "00000001"
	              "01096162",
	              buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_sdes_begin(&c.pkt[1], &it), 0);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), VOX_EMALFORMED);
	/* SC says two chunks, one is there. */
	n = parse_hex("80c9000100000001"
	              "82ca0002"
	              "00000001"
	              "00000000",
	              buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_sdes_begin(&c.pkt[1], &it), 0);
	assert_int_equal(vox_rtcp_sdes_next(&it, &item), VOX_EMALFORMED);
	/* BYE: SC beyond the body; reason running past the packet. */
	struct vox_rtcp_bye b;
	n = parse_hex("80c900010000000182cb000100000001", buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[1], &b), VOX_EMALFORMED);
	n = parse_hex("80c900010000000181cb00020000000105616263", buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[1], &b), VOX_EMALFORMED);
	n = parse_hex("80c900010000000181cb00020000000103616263", buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[1], &b), 0);
	assert_true(vox_slice_eq(b.reason, vox_slice_cstr("abc")));
	/* APP shorter than SSRC and name. */
	struct vox_rtcp_app a;
	n = parse_hex("80c900010000000180cc000100000001", buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_app_parse(&c.pkt[1], &a), VOX_EMALFORMED);
	/* SR shorter than its sender info. */
	struct vox_rtcp_report r;
	n = parse_hex("80c80003000000010000000000000000", buf);
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_report_parse(&c.pkt[0], &r), VOX_EMALFORMED);
}

/* ---- A.1 / A.3 / A.8 ------------------------------------------------------ */

static void feed(struct vox_rtp_stats *s, const int *seq, size_t n, const int *want)
{
	for (size_t i = 0; i < n; i++) {
		int got = vox_rtp_stats_update(s, (uint16_t)seq[i]);
		if (want)
			assert_int_equal(got, want[i]);
	}
}

static void test_stats_probation_loss(void **st)
{
	(void)st;
	struct vox_rtp_stats s;
	/* A.1: a new source needs MIN_SEQUENTIAL = 2 packets in sequence;
	 * the first of them only starts the probation. */
	vox_rtp_stats_init(&s, 100);
	static const int seq1[] = {100, 101};
	static const int ok1[] = {0, 1};
	feed(&s, seq1, 2, ok1);
	assert_int_equal(s.base_seq, 101);
	assert_int_equal(s.received, 1);
	/* Then: 102, 104, 103 (reordered), 104 (duplicate), 107 (105 and 106
	 * lost), 108. Received 7 (the duplicate counts, A.3), expected
	 * 108 - 101 + 1 = 8, so lost = 1: the duplicate hides one loss. */
	static const int seq2[] = {102, 104, 103, 104, 107, 108};
	static const int ok2[] = {1, 1, 1, 1, 1, 1};
	feed(&s, seq2, 6, ok2);
	assert_int_equal(s.received, 7);
	assert_int_equal(vox_rtp_stats_ext_max(&s), 108);
	assert_int_equal(vox_rtp_stats_lost(&s), 1);
	/* fraction = (lost_interval << 8) / expected_interval = 256 / 8 */
	assert_int_equal(vox_rtp_stats_fraction(&s), 32);
	/* Nothing new: interval empty, fraction 0. */
	assert_int_equal(vox_rtp_stats_fraction(&s), 0);
	/* 109, 111: expected 3 more, received 2, 1 lost: 256 / 3 = 85. */
	static const int seq3[] = {109, 111};
	feed(&s, seq3, 2, NULL);
	assert_int_equal(vox_rtp_stats_fraction(&s), 85);
	assert_int_equal(vox_rtp_stats_lost(&s), 2);
	/* A restarted probation: out of order during probation. */
	vox_rtp_stats_init(&s, 500);
	static const int seq4[] = {500, 502, 503};
	static const int ok4[] = {0, 0, 1};
	feed(&s, seq4, 3, ok4);
	assert_int_equal(s.base_seq, 503);
}

static void test_stats_wrap_jump_dup(void **st)
{
	(void)st;
	struct vox_rtp_stats s;
	/* Across 65535 -> 0: cycles counts 65536. */
	vox_rtp_stats_init(&s, 65533);
	static const int seq[] = {65533, 65534, 65535, 0, 1};
	static const int ok[] = {0, 1, 1, 1, 1};
	feed(&s, seq, 5, ok);
	assert_int_equal(s.cycles, 65536);
	assert_int_equal(vox_rtp_stats_ext_max(&s), 65537);
	assert_int_equal(s.base_seq, 65534);
	assert_int_equal(vox_rtp_stats_lost(&s), 0);
	/* A jump of 5000: held back until the next packet confirms it, then
	 * the statistics restart there (A.1 "re-sync"). */
	assert_int_equal(vox_rtp_stats_update(&s, 5001), 0);
	assert_int_equal(s.bad_seq, 5002);
	assert_int_equal(vox_rtp_stats_update(&s, 5002), 1);
	assert_int_equal(s.base_seq, 5002);
	assert_int_equal(s.received, 1);
	assert_int_equal(s.cycles, 0);
	/* A late packet within MAX_MISORDER counts but does not move max. */
	assert_int_equal(vox_rtp_stats_update(&s, 4990), 1);
	assert_int_equal(s.max_seq, 5002);
	/* Duplicates make the loss negative (A.3 allows it). */
	vox_rtp_stats_init(&s, 10);
	static const int dup[] = {10, 11, 11, 11};
	feed(&s, dup, 4, NULL);
	assert_int_equal(vox_rtp_stats_lost(&s), -2);
	assert_int_equal(vox_rtp_stats_fraction(&s), 0);
	/* More than 2^23 lost: the 24-bit field is clamped. */
	vox_rtp_stats_init(&s, 0);
	vox_rtp_stats_update(&s, 0);
	vox_rtp_stats_update(&s, 1);
	uint16_t q = 1;
	for (int i = 0; i < 3000; i++) {
		q = (uint16_t)(q + 2999);
		assert_int_equal(vox_rtp_stats_update(&s, q), 1);
	}
	assert_true(vox_rtp_stats_ext_max(&s) > 0x800000);
	assert_int_equal(vox_rtp_stats_lost(&s), 0x7fffff);
	assert_int_equal(vox_rtp_stats_fraction(&s), 255);
}

static void test_stats_jitter(void **st)
{
	(void)st;
	struct vox_rtp_stats s;
	vox_rtp_stats_init(&s, 0);
	/* 20 ms packets at 8 kHz; arrivals (in timestamp units) 1000, 1160,
	 * 1400, 1480: transits 1000, 1000, 1080, 1000, so D = 0, 80, 80.
	 * J = J + (|D| - J) / 16: 0, 5, 9.6875; the integer form of A.8
	 * keeps 16 J: 0, 80, 80 + 80 - ((80 + 8) >> 4) = 155, so 155 >> 4 = 9. */
	static const uint32_t ts[] = {0, 160, 320, 480};
	static const uint32_t arr[] = {1000, 1160, 1400, 1480};
	double ref = 0, prev = 0;
	for (int i = 0; i < 4; i++) {
		vox_rtp_stats_jitter(&s, ts[i], arr[i]);
		double transit = (double)arr[i] - ts[i];
		if (i > 0) {
			double d = transit - prev;
			ref += ((d < 0 ? -d : d) - ref) / 16;
		}
		prev = transit;
	}
	assert_int_equal(s.jitter, 155);
	assert_int_equal(vox_rtp_stats_jitter_value(&s), 9);
	assert_true(ref > 9.68 && ref < 9.69);
	/* Against the floating-point formula over a long irregular run: the
	 * integer estimate stays within one unit. */
	vox_rtp_stats_init(&s, 0);
	uint64_t rng = 42;
	ref = 0;
	uint32_t t = 0, a = 5000;
	for (int i = 0; i < 2000; i++) {
		uint8_t r;
		test_rng(&rng, &r, 1);
		t += 160;
		a += 160 + (r % 64) - 32;
		vox_rtp_stats_jitter(&s, t, a);
		double transit = (double)a - t;
		if (i > 0) {
			double d = transit - prev;
			ref += ((d < 0 ? -d : d) - ref) / 16;
		}
		prev = transit;
	}
	double got = vox_rtp_stats_jitter_value(&s);
	assert_true(got <= ref + 1 && got >= ref - 1.5);
}

/* ---- A.7 interval ---------------------------------------------------- */

static int rng_fn(void *ctx, uint8_t *out, size_t len)
{
	return test_rng(ctx, out, len);
}

static void test_interval(void **st)
{
	(void)st;
	struct vox_rtcp_interval in = {2, 1, 500, 1, 100, 0, 5000};
	/* Two members, small reports: the 5 s minimum wins. */
	assert_int_equal(vox_rtcp_interval_det(&in), 5000);
	in.initial = 1;
	assert_int_equal(vox_rtcp_interval_det(&in), 2500);
	/* 100 members, 10 senders: senders share 1/4 of the bandwidth
	 * (125 B/s): 100 B x 10 / 125 = 8 s; receivers 3/4 (375 B/s) for 90
	 * members: 24 s. */
	struct vox_rtcp_interval big = {100, 10, 500, 1, 100, 0, 5000};
	assert_int_equal(vox_rtcp_interval_det(&big), 8000);
	big.we_sent = 0;
	assert_int_equal(vox_rtcp_interval_det(&big), 24000);
	/* More than a quarter are senders: everyone shares everything. */
	big.senders = 30;
	assert_int_equal(vox_rtcp_interval_det(&big), 20000);

	/* The random interval: within [0.5, 1.5) x T / 1.21828 and with
	 * mean T / 1.21828 over many draws. */
	uint64_t seed = 7;
	struct vox_rng rng = {rng_fn, &seed};
	struct vox_rtcp_interval r = {100, 10, 500, 0, 100, 0, 5000};
	double t = 24000, sum = 0;
	uint64_t lo = UINT64_MAX, hi = 0;
	const int draws = 200000;
	for (int i = 0; i < draws; i++) {
		uint64_t ms;
		assert_int_equal(vox_rtcp_interval_draw(&r, &rng, &ms), 0);
		sum += (double)ms;
		lo = ms < lo ? ms : lo;
		hi = ms > hi ? ms : hi;
	}
	double mean = sum / draws, want = t / 1.21828;
	print_message("      interval mean %.1f ms, want %.1f ms, range [%llu, %llu]\n", mean, want,
	              (unsigned long long)lo, (unsigned long long)hi);
	assert_true(mean > want * 0.995 && mean < want * 1.005);
	assert_true((double)lo >= 0.5 * t / 1.21828 - 1);
	assert_true((double)hi < 1.5 * t / 1.21828);
	assert_true((double)lo < 0.51 * t / 1.21828 && (double)hi > 1.49 * t / 1.21828);
	/* A failing rng is reported. */
	struct vox_rng none = {NULL, NULL};
	uint64_t ms;
	assert_int_equal(vox_rtcp_interval_draw(&r, &none, &ms), VOX_ERNG);
	r.rtcp_bw = 0;
	assert_int_equal(vox_rtcp_interval_draw(&r, &rng, &ms), VOX_EINVAL);
}

/* ---- session ------------------------------------------------------------- */

static void start_session(struct vox_rtp_session *s, uint64_t *seed, const char *cname,
                          uint64_t now)
{
	struct vox_rtp_params p;
	memset(&p, 0, sizeof p);
	p.clock_rate = 8000;
	p.session_bw = 10000; /* 80 kbit/s: G.711 with headers */
	p.cname = vox_slice_cstr(cname);
	struct vox_rng rng = {rng_fn, seed};
	assert_int_equal(vox_rtp_session_start(s, &p, &rng, now), 0);
}

static void test_session_start_send(void **st)
{
	(void)st;
	struct vox_rtp_session s;
	uint64_t seed = 99, copy = 99;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "me@host", 0);
	/* SSRC, initial sequence number and timestamp offset come from the
	 * rng in that order (5.1). */
	uint8_t r[10];
	test_rng(&copy, r, sizeof r);
	uint32_t ssrc = (uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3];
	uint16_t seq = (uint16_t)(r[4] << 8 | r[5]);
	uint32_t ts = (uint32_t)r[6] << 24 | (uint32_t)r[7] << 16 | (uint32_t)r[8] << 8 | r[9];
	assert_true(s.ssrc == ssrc);

	uint8_t payload[160], out[200];
	memset(payload, 0xff, sizeof payload);
	struct vox_rtp_packet p;
	for (int i = 0; i < 3; i++) {
		vox_rtp_packet_init(&p);
		p.pt = VOX_RTP_PT_PCMU;
		p.marker = i == 0;
		p.ts = (uint32_t)i * 160;
		p.payload = payload;
		p.payload_len = sizeof payload;
		int n = vox_rtp_session_send(&s, &p, out, sizeof out, (uint64_t)i * 20);
		assert_int_equal(n, 172);
		struct vox_rtp_packet q;
		assert_int_equal(vox_rtp_parse(out, (size_t)n, &q, NULL), n);
		assert_true(q.ssrc == ssrc);
		assert_int_equal(q.seq, (uint16_t)(seq + i));
		assert_true(q.ts == ts + (uint32_t)i * 160);
		assert_int_equal(q.marker, i == 0);
	}
	assert_int_equal(s.packet_count, 3);
	assert_int_equal(s.octet_count, 480);
	assert_int_equal(vox_rtp_session_send(&s, &p, out, 10, 60), VOX_ENOSPC);
	assert_int_equal(s.packet_count, 3);
	/* The first report comes after the initial half interval, randomised:
	 * 2.5 s x [0.5, 1.5) / 1.21828. */
	uint64_t dl = vox_rtp_session_next_deadline(&s);
	assert_true(dl >= 1025 && dl < 3079);
	/* Bad parameters. */
	struct vox_rtp_params bad;
	memset(&bad, 0, sizeof bad);
	struct vox_rng rng = {rng_fn, &seed};
	assert_int_equal(vox_rtp_session_start(&s, &bad, &rng, 0), VOX_EINVAL);
	vox_rtp_session_init(&s);
	assert_int_equal(vox_rtp_session_send(&s, &p, out, sizeof out, 0), VOX_ESTATE);
}

/* Two sessions over a simulated network with a fixed one-way delay. */
struct link_pkt {
	uint64_t at;
	int to;
	int rtcp;
	size_t len;
	uint8_t data[1500];
};

struct sim {
	struct vox_rtp_session s[2];
	struct link_pkt q[64];
	size_t nq;
	uint64_t delay;
	int drop_rtp_from_0[400]; /* by packet number */
	int sent0;
};

static void sim_push(struct sim *m, int to, int rtcp, const uint8_t *d, size_t len, uint64_t at)
{
	assert_true(m->nq < 64);
	struct link_pkt *p = &m->q[m->nq++];
	p->at = at;
	p->to = to;
	p->rtcp = rtcp;
	p->len = len;
	memcpy(p->data, d, len);
}

static void sim_step(struct sim *m, uint64_t now, int send_rtp)
{
	uint8_t buf[1500];
	/* deliveries due now */
	for (size_t i = 0; i < m->nq;) {
		if (m->q[i].at <= now) {
			struct link_pkt *p = &m->q[i];
			struct vox_rtp_packet pkt;
			if (p->rtcp)
				assert_int_equal(vox_rtp_session_recv_rtcp(&m->s[p->to], p->data,
				                                           p->len, 1 - p->to, now),
				                 0);
			else
				assert_true(vox_rtp_session_recv_rtp(&m->s[p->to], p->data, p->len,
				                                     1 - p->to, now, &pkt) >= 0);
			m->q[i] = m->q[--m->nq];
		} else {
			i++;
		}
	}
	for (int k = 0; k < 2; k++) {
		struct vox_rtp_session *s = &m->s[k];
		if (send_rtp && now % 20 == 0) {
			static const uint8_t pl[160];
			struct vox_rtp_packet p;
			vox_rtp_packet_init(&p);
			p.ts = (uint32_t)(now / 20 * 160);
			p.payload = pl;
			p.payload_len = sizeof pl;
			int n = vox_rtp_session_send(s, &p, buf, sizeof buf, now);
			assert_int_equal(n, 172);
			int drop = 0;
			if (k == 0) {
				drop = m->sent0 < 400 && m->drop_rtp_from_0[m->sent0];
				m->sent0++;
			}
			if (!drop)
				sim_push(m, 1 - k, 0, buf, (size_t)n, now + m->delay);
		}
		if (vox_rtp_session_next_deadline(s) <= now)
			assert_int_equal(vox_rtp_session_on_deadline(s, now), 0);
		int n = vox_rtp_session_poll_output(s, buf, sizeof buf, now);
		assert_true(n >= 0);
		if (n > 0)
			sim_push(m, 1 - k, 1, buf, (size_t)n, now + m->delay);
	}
}

static void test_session_reports_rtt(void **st)
{
	(void)st;
	static struct sim m;
	memset(&m, 0, sizeof m);
	uint64_t seed_a = 1, seed_b = 2;
	vox_rtp_session_init(&m.s[0]);
	vox_rtp_session_init(&m.s[1]);
	start_session(&m.s[0], &seed_a, "a@x", 0);
	start_session(&m.s[1], &seed_b, "b@x", 0);
	m.delay = 50;
	/* Drop every 10th RTP packet from A: 10 % loss. */
	for (int i = 0; i < 400; i++)
		m.drop_rtp_from_0[i] = i % 10 == 5;
	uint32_t rtt = 0;
	int reports = 0, new_src = 0;
	uint8_t fraction = 0;
	for (uint64_t now = 0; now <= 8000; now++) {
		sim_step(&m, now, 1);
		struct vox_rtp_event ev;
		while (vox_rtp_session_next_event(&m.s[0], &ev)) {
			if (ev.type == VOX_RTP_EV_REPORT) {
				reports++;
				if (ev.rtt_ms != UINT32_MAX)
					rtt = ev.rtt_ms;
				fraction = ev.rb.fraction_lost;
			}
			if (ev.type == VOX_RTP_EV_NEW_SOURCE)
				new_src++;
		}
	}
	assert_int_equal(new_src, 1);
	assert_true(reports >= 1);
	/* Fixed 50 ms each way: RTT = A - LSR - DLSR = 100 ms (to the ms
	 * resolution of the clock and the 1/65536 s fields). */
	assert_true(rtt >= 99 && rtt <= 101);
	/* B reports about A's stream: 10 % loss, i.e. 25 or 26 / 256. */
	assert_true(fraction >= 23 && fraction <= 28);
	const struct vox_rtp_source *src = vox_rtp_session_source(&m.s[1], m.s[0].ssrc);
	assert_non_null(src);
	assert_true(src->valid && src->have_sr);
	/* B's own count: of the packets A sent, 1 in 10 was dropped; the
	 * first one only started the probation (A.1). */
	assert_true(vox_rtp_stats_lost(&src->st) > 0);
	assert_int_equal(vox_rtp_session_members(&m.s[0]), 2);
	assert_true(m.s[0].rtcp_sent >= 2 && m.s[1].rtcp_received >= 2);
}

static void test_session_bye_timeout(void **st)
{
	(void)st;
	static struct sim m;
	memset(&m, 0, sizeof m);
	uint64_t seed_a = 3, seed_b = 4;
	vox_rtp_session_init(&m.s[0]);
	vox_rtp_session_init(&m.s[1]);
	start_session(&m.s[0], &seed_a, "a@x", 0);
	start_session(&m.s[1], &seed_b, "b@x", 0);
	m.delay = 10;
	for (uint64_t now = 0; now <= 1000; now++)
		sim_step(&m, now, 1);
	assert_int_equal(vox_rtp_session_bye(&m.s[0], vox_slice_cstr("hanging up"), 1000), 0);
	uint8_t buf[1500];
	int n = vox_rtp_session_poll_output(&m.s[0], buf, sizeof buf, 1000);
	assert_true(n > 0);
	struct vox_rtcp_compound c;
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(c.pkt[c.n - 1].type, VOX_RTCP_BYE);
	assert_int_equal(c.pkt[0].type, VOX_RTCP_SR); /* A was sending */
	assert_int_equal(vox_rtp_session_recv_rtcp(&m.s[1], buf, (size_t)n, 0, 1010), 0);
	struct vox_rtp_event ev;
	int bye = 0;
	while (vox_rtp_session_next_event(&m.s[1], &ev))
		if (ev.type == VOX_RTP_EV_BYE) {
			bye++;
			assert_true(ev.ssrc == m.s[0].ssrc);
			assert_int_equal(ev.reason_len, 10);
			assert_memory_equal(ev.reason, "hanging up", 10);
		}
	assert_int_equal(bye, 1);
	assert_null(vox_rtp_session_source(&m.s[1], m.s[0].ssrc));
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	assert_int_equal(vox_rtp_session_send(&m.s[0], &p, buf, sizeof buf, 1020), VOX_ESTATE);
	assert_int_equal(vox_rtp_session_next_deadline(&m.s[0]), UINT64_MAX);

	/* Timeout (6.3.5): a source silent for 5 Td = 25 s leaves. */
	seed_a = 5;
	vox_rtp_session_init(&m.s[0]);
	start_session(&m.s[0], &seed_a, "a@x", 0);
	static const uint8_t pkt[12] = {0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 7};
	uint8_t p2[12];
	memcpy(p2, pkt, 12);
	assert_int_equal(vox_rtp_session_recv_rtp(&m.s[0], pkt, 12, 9, 0, &p), 0);
	p2[3] = 2;
	assert_int_equal(vox_rtp_session_recv_rtp(&m.s[0], p2, 12, 9, 20, &p), 1);
	int timeout_at = -1;
	for (uint64_t now = 0; now <= 40000; now += 10) {
		if (vox_rtp_session_next_deadline(&m.s[0]) <= now)
			assert_int_equal(vox_rtp_session_on_deadline(&m.s[0], now), 0);
		assert_true(vox_rtp_session_poll_output(&m.s[0], buf, sizeof buf, now) >= 0);
		while (vox_rtp_session_next_event(&m.s[0], &ev))
			if (ev.type == VOX_RTP_EV_TIMEOUT && timeout_at < 0)
				timeout_at = (int)now;
	}
	/* Checked at report times: after 25 s, before 25 s + one interval. */
	assert_true(timeout_at > 25020 && timeout_at < 25020 + 6200);
	assert_null(vox_rtp_session_source(&m.s[0], 7));
}

static void test_session_collision(void **st)
{
	(void)st;
	struct vox_rtp_session s;
	uint64_t seed = 11;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "me@x", 0);
	uint32_t mine = s.ssrc;
	uint8_t pkt[12] = {0x80, 0, 0, 1, 0, 0, 0, 0};
	pkt[8] = (uint8_t)(mine >> 24);
	pkt[9] = (uint8_t)(mine >> 16);
	pkt[10] = (uint8_t)(mine >> 8);
	pkt[11] = (uint8_t)mine;
	struct vox_rtp_packet p;
	/* 8.2: our SSRC from an address we have not seen do it: collision. */
	assert_int_equal(vox_rtp_session_recv_rtp(&s, pkt, sizeof pkt, 42, 100, &p), 0);
	struct vox_rtp_event ev;
	assert_int_equal(vox_rtp_session_next_event(&s, &ev), 1);
	assert_int_equal(ev.type, VOX_RTP_EV_COLLISION);
	assert_true(ev.old_ssrc == mine && ev.ssrc == s.ssrc && s.ssrc != mine);
	/* A BYE goes out for the old SSRC. */
	uint8_t buf[256];
	int n = vox_rtp_session_poll_output(&s, buf, sizeof buf, 100);
	assert_true(n > 0);
	struct vox_rtcp_compound c;
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	struct vox_rtcp_bye b;
	assert_int_equal(c.pkt[c.n - 1].type, VOX_RTCP_BYE);
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[c.n - 1], &b), 0);
	assert_true(vox_rtcp_bye_ssrc(&b, 0) == mine);
	/* The same address with our (old) SSRC again is no longer ours; with
	 * the new one it is our traffic looping back: no second change. */
	uint32_t now_ssrc = s.ssrc;
	pkt[8] = (uint8_t)(now_ssrc >> 24);
	pkt[9] = (uint8_t)(now_ssrc >> 16);
	pkt[10] = (uint8_t)(now_ssrc >> 8);
	pkt[11] = (uint8_t)now_ssrc;
	assert_int_equal(vox_rtp_session_recv_rtp(&s, pkt, sizeof pkt, 42, 200, &p), 0);
	assert_int_equal(vox_rtp_session_next_event(&s, &ev), 1);
	assert_int_equal(ev.type, VOX_RTP_EV_LOOP);
	assert_true(s.ssrc == now_ssrc);
	assert_int_equal(s.collisions, 1);
	assert_int_equal(s.loops, 1);
	/* A third party with one SSRC from two addresses: the second is
	 * dropped (collision between others, 8.2). */
	static const uint8_t other[12] = {0x80, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9};
	assert_int_equal(vox_rtp_session_recv_rtp(&s, other, 12, 1, 300, &p), 0);
	assert_int_equal(vox_rtp_session_recv_rtp(&s, other, 12, 2, 300, &p), 0);
	assert_int_equal(vox_rtp_session_source(&s, 9)->foreign, 1);
	/* Malformed input is an error, not a state change. */
	assert_int_equal(vox_rtp_session_recv_rtp(&s, other, 11, 1, 300, &p), VOX_EMALFORMED);
	assert_int_equal(vox_rtp_session_recv_rtcp(&s, other, 12, 1, 300), VOX_EMALFORMED);
}

static struct vox_slice mk(const char *p, size_t n)
{
	struct vox_slice r = {p, n};
	return r;
}

/* A BYE reason is never cut silently: ours longer than the session keeps
 * is refused, and a peer's longer than an event holds is flagged. */
static void test_session_bye_reason_limits(void **st)
{
	(void)st;
	struct vox_rtp_session s;
	uint64_t seed = 13;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "me@x", 0);
	char why[VOX_RTP_EV_REASON + 1];
	memset(why, 'r', sizeof why);
	assert_int_equal(vox_rtp_session_bye(&s, mk(why, sizeof why), 10), VOX_ETOOLONG);
	assert_int_equal(s.bye_pending, 0);
	assert_int_equal(vox_rtp_session_bye(&s, mk(why, VOX_RTP_EV_REASON), 10), 0);
	uint8_t buf[512];
	int n = vox_rtp_session_poll_output(&s, buf, sizeof buf, 10);
	assert_true(n > 0);
	struct vox_rtcp_compound c;
	struct vox_rtcp_bye b;
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(vox_rtcp_bye_parse(&c.pkt[c.n - 1], &b), 0);
	assert_true(vox_slice_eq(b.reason, mk(why, VOX_RTP_EV_REASON)));

	/* A peer says goodbye with 200 bytes of reason. */
	seed = 14;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "me@x", 0);
	char peer_why[200];
	memset(peer_why, 'p', sizeof peer_why);
	uint32_t them = 0x1234;
	struct vox_writer w;
	vox_writer_init(&w, (char *)buf, sizeof buf);
	assert_int_equal(vox_rtcp_print_rr(&w, them, NULL, 0), 0);
	assert_int_equal(vox_rtcp_print_bye(&w, &them, 1, mk(peer_why, 200)), 0);
	n = vox_writer_finish(&w);
	assert_true(n > 0);
	assert_int_equal(vox_rtp_session_recv_rtcp(&s, buf, (size_t)n, 1, 20), 0);
	struct vox_rtp_event ev;
	assert_int_equal(vox_rtp_session_next_event(&s, &ev), 1);
	assert_int_equal(ev.type, VOX_RTP_EV_BYE);
	assert_int_equal(ev.reason_len, VOX_RTP_EV_REASON);
	assert_int_equal(ev.reason_cut, 1);
	assert_memory_equal(ev.reason, peer_why, VOX_RTP_EV_REASON);
	/* one that fits is whole */
	seed = 15;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "me@x", 0);
	vox_writer_init(&w, (char *)buf, sizeof buf);
	assert_int_equal(vox_rtcp_print_rr(&w, them, NULL, 0), 0);
	assert_int_equal(vox_rtcp_print_bye(&w, &them, 1, mk(peer_why, VOX_RTP_EV_REASON)), 0);
	n = vox_writer_finish(&w);
	assert_int_equal(vox_rtp_session_recv_rtcp(&s, buf, (size_t)n, 1, 20), 0);
	assert_int_equal(vox_rtp_session_next_event(&s, &ev), 1);
	assert_int_equal(ev.reason_len, VOX_RTP_EV_REASON);
	assert_int_equal(ev.reason_cut, 0);
}

static void test_session_enospc_keeps_report(void **st)
{
	(void)st;
	struct vox_rtp_session s;
	uint64_t seed = 12;
	vox_rtp_session_init(&s);
	start_session(&s, &seed, "a-rather-long-cname@example.org", 0);
	uint64_t dl = vox_rtp_session_next_deadline(&s);
	assert_int_equal(vox_rtp_session_on_deadline(&s, dl), 0);
	uint8_t buf[256];
	assert_int_equal(vox_rtp_session_poll_output(&s, buf, 20, dl), VOX_ENOSPC);
	int n = vox_rtp_session_poll_output(&s, buf, sizeof buf, dl);
	assert_true(n > 0);
	struct vox_rtcp_compound c;
	assert_int_equal(vox_rtcp_parse(buf, (size_t)n, 0, &c, NULL), n);
	assert_int_equal(c.pkt[0].type, VOX_RTCP_RR); /* nothing sent: RR */
	assert_int_equal(vox_rtp_session_poll_output(&s, buf, sizeof buf, dl), 0);
	/* The next report is a full (non-initial) interval later. */
	uint64_t next = vox_rtp_session_next_deadline(&s);
	assert_true(next >= dl + 2050 && next < dl + 6160);
}

/* ---- demultiplexer ------------------------------------------------------ */

static void test_demux(void **st)
{
	(void)st;
	static const struct {
		const char *hex;
		enum vox_demux_kind want;
	} cases[] = {
	    /* STUN binding request with the cookie; without it, unknown. */
	    {"000100002112a442000000000000000000000000", VOX_DEMUX_STUN},
	    {"0001000021120000000000000000000000000000", VOX_DEMUX_UNKNOWN},
	    {"000100002112a442", VOX_DEMUX_UNKNOWN},
	    /* ZRTP: 0x10, seq, "ZRTP" cookie. */
	    {"100000015a52545000000000", VOX_DEMUX_ZRTP},
	    {"100000015a52545100000000", VOX_DEMUX_UNKNOWN},
	    /* DTLS handshake record (content type 22). */
	    {"16fefd000000000000000000000000", VOX_DEMUX_DTLS},
	    {"3ffefd0000000000000000000000", VOX_DEMUX_DTLS},
	    {"16fefd", VOX_DEMUX_UNKNOWN},
	    /* TURN ChannelData 0x4000..0x4fff. */
	    {"40000004deadbeef", VOX_DEMUX_TURN},
	    {"4f000000", VOX_DEMUX_TURN},
	    /* RTP: PT 0, PT 111; marker with PT 96 (0xe0) is RTP. */
	    {"80000001000000000000000a", VOX_DEMUX_RTP},
	    {"806f0001000000000000000a", VOX_DEMUX_RTP},
	    {"80e00001000000000000000a", VOX_DEMUX_RTP},
	    {"80bf0001000000000000000a", VOX_DEMUX_RTP},
	    /* RTCP: second byte 192..223 (RFC 5761 4). */
	    {"80c0000100000001", VOX_DEMUX_RTCP},
	    {"80c8000600000001", VOX_DEMUX_RTCP},
	    {"81cd000200000001", VOX_DEMUX_RTCP},
	    {"80df000100000001", VOX_DEMUX_RTCP},
	    {"bfc9000100000001", VOX_DEMUX_RTCP},
	    /* too short */
	    {"80c90001", VOX_DEMUX_UNKNOWN},
	    {"800000010000", VOX_DEMUX_UNKNOWN},
	    {"80", VOX_DEMUX_UNKNOWN},
	    {"", VOX_DEMUX_UNKNOWN},
	    /* first bytes no protocol owns */
	    {"0400000000000000000000000000000000000000", VOX_DEMUX_UNKNOWN},
	    {"0f00000000000000", VOX_DEMUX_UNKNOWN},
	    {"14fefd000000000000000000000000", VOX_DEMUX_DTLS},
	    {"5000000000000000", VOX_DEMUX_UNKNOWN},
	    {"7f00000000000000", VOX_DEMUX_UNKNOWN},
	    {"c0000001000000000000000a", VOX_DEMUX_UNKNOWN},
	    {"ff000001000000000000000a", VOX_DEMUX_UNKNOWN},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint8_t buf[64];
		int n = parse_hex(cases[i].hex, buf);
		const uint8_t *g = (const uint8_t *)guard_copy(buf, (size_t)n);
		enum vox_demux_kind k = vox_demux_classify(g, (size_t)n);
		if (k != cases[i].want)
			print_error("case %zu (%s): got %s\n", i, cases[i].hex, vox_demux_name(k));
		assert_int_equal(k, cases[i].want);
		guard_free((const char *)g);
	}
	assert_string_equal(vox_demux_name(VOX_DEMUX_RTCP), "rtcp");
	assert_string_equal(vox_demux_name((enum vox_demux_kind)99), "unknown");
	/* Every first byte: the class matches RFC 7983's ranges. */
	for (int b = 0; b < 256; b++) {
		uint8_t buf[32];
		memset(buf, 0, sizeof buf);
		buf[0] = (uint8_t)b;
		enum vox_demux_kind k = vox_demux_classify(buf, sizeof buf);
		if (b >= 20 && b <= 63)
			assert_int_equal(k, VOX_DEMUX_DTLS);
		else if (b >= 64 && b <= 79)
			assert_int_equal(k, VOX_DEMUX_TURN);
		else if (b >= 128 && b <= 191)
			assert_int_equal(k, VOX_DEMUX_RTP);
		else
			assert_int_equal(k, VOX_DEMUX_UNKNOWN); /* STUN/ZRTP need cookies */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_rtp_parse_fields),
	    cmocka_unit_test(test_rtp_roundtrip),
	    cmocka_unit_test(test_rtp_ext_rules),
	    cmocka_unit_test(test_rtp_malformed),
	    cmocka_unit_test(test_seq_extend),
	    cmocka_unit_test(test_rtcp_roundtrip),
	    cmocka_unit_test(test_rtcp_validity),
	    cmocka_unit_test(test_rtcp_sdes_bye_app),
	    cmocka_unit_test(test_stats_probation_loss),
	    cmocka_unit_test(test_stats_wrap_jump_dup),
	    cmocka_unit_test(test_stats_jitter),
	    cmocka_unit_test(test_interval),
	    cmocka_unit_test(test_session_start_send),
	    cmocka_unit_test(test_session_reports_rtt),
	    cmocka_unit_test(test_session_bye_timeout),
	    cmocka_unit_test(test_session_collision),
	    cmocka_unit_test(test_session_bye_reason_limits),
	    cmocka_unit_test(test_session_enospc_keeps_report),
	    cmocka_unit_test(test_demux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
