/* SPDX-License-Identifier: MIT */
/* sip/: parser edge cases, framer, typed decoders, URI comparison, builder.
 * The RFC 4475 messages are asserted in test_sip_torture.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "vox/sip.h"

static struct vox_sip_msg msg;

/* Parses s (placed against a guard page) as a datagram. */
static int parse_str(const char *s, unsigned flags)
{
	const char *g = guard_str(s);
	int rc = vox_sip_parse(&msg, g, strlen(s), flags, NULL);
	/* Slices point into g: tests that inspect them re-parse a static copy. */
	guard_free(g);
	return rc;
}

static const char *basic = "INVITE sip:bob@biloxi.example.com SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP pc33.atlanta.example.com;branch=z9hG4bK776asdhds\r\n"
                           "Max-Forwards: 70\r\n"
                           "To: Bob <sip:bob@biloxi.example.com>\r\n"
                           "From: Alice <sip:alice@atlanta.example.com>;tag=1928301774\r\n"
                           "Call-ID: a84b4c76e66710@pc33.atlanta.example.com\r\n"
                           "CSeq: 314159 INVITE\r\n"
                           "Contact: <sip:alice@pc33.atlanta.example.com>\r\n"
                           "Content-Type: application/sdp\r\n"
                           "Content-Length: 4\r\n"
                           "\r\n"
                           "v=0\n";

static void test_parse_basic(void **st)
{
	(void)st;
	const char *g = guard_str(basic);
	size_t n = strlen(basic);
	assert_int_equal(vox_sip_parse(&msg, g, n, VOX_SIP_DATAGRAM, NULL), (int)n);
	assert_int_equal(msg.method_id, VOX_SIP_INVITE);
	assert_int_equal(msg.nhdr, 9);
	assert_int_equal(msg.nvia, 1);
	assert_int_equal(msg.body.len, 4);
	assert_memory_equal(msg.body.p, "v=0\n", 4);
	assert_true(
	    vox_slice_case_eq_cstr(vox_sip_find(&msg, VOX_SIP_H_CSEQ)->value, "314159 INVITE"));
	/* stream mode: the same bytes are one whole message */
	assert_int_equal(vox_sip_parse(&msg, g, n, 0, NULL), (int)n);
	/* every shorter prefix is incomplete on a stream */
	for (size_t k = 0; k < n; k++)
		assert_int_equal(vox_sip_parse(&msg, g, k, 0, NULL), VOX_EINCOMPLETE);
	guard_free(g);
}

static void test_parse_lf_only(void **st)
{
	(void)st;
	/* Bare LF line ends mean the same as CRLF, to the parser and framer. */
	char lf[1024];
	size_t k = 0;
	for (const char *p = basic; *p; p++)
		if (*p != '\r')
			lf[k++] = *p;
	const char *g = guard_copy(lf, k);
	assert_int_equal(vox_sip_parse(&msg, g, k, 0, NULL), (int)k);
	assert_int_equal(msg.nhdr, 9);
	assert_int_equal(msg.body.len, 4);
	struct vox_sip_framer f;
	enum vox_sip_frame_kind kind;
	vox_sip_framer_init(&f);
	assert_int_equal(vox_sip_frame(&f, g, k, &kind, NULL), (int)k);
	assert_int_equal(kind, VOX_SIP_FRAME_MESSAGE);
	guard_free(g);
}

static void test_parse_errors(void **st)
{
	(void)st;
	struct {
		const char *msg;
		int rc;
	} cases[] = {
	    /* a CR not followed by LF could be read as a line end by others */
	    {"OPTIONS sip:a@b SIP/2.0\r\nTo: x\rFrom: y\r\nContent-Length: 0\r\n\r\n",
	     VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nTo: a\x01z\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\n folded: first\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nNoColon\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nl: 1\r\nl: 1\r\n\r\nx", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\n\r\nx", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nl: -1\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n", VOX_ERANGE},
	    {"OPTIONS sip:a@b SIP/2.0\r\nl: 70000\r\n\r\n", VOX_ETOOLONG},
	    {"SIP/2.0 99 Low\r\n\r\n", VOX_EMALFORMED},
	    {"SIP/2.0 700 High\r\n\r\n", VOX_ERANGE},
	    {"SIP/2.0 2000 OK\r\n\r\n", VOX_ERANGE},
	    {"SIP/2.0 20 OK\r\n\r\n", VOX_EMALFORMED},
	    {"SIP/2.0x 200 OK\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS  sip:a@b SIP/2.0\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0 \r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b\r\n\r\n", VOX_EMALFORMED},
	    {"OPT<IONS sip:a@b SIP/2.0\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b\tc SIP/2.0\r\n\r\n", VOX_EMALFORMED},
	    /* no quoted-pair in a start line: no control byte but HTAB */
	    {"OPTIONS sip:a@b\\\x01 SIP/2.0\r\n\r\n", VOX_EMALFORMED},
	    {"SIP/2.0 200 O\tK\r\n\r\n", VOX_OK},
	    {"SIP/2.0 200 OK\\\x1b[2J\r\n\r\n", VOX_EMALFORMED},
	    /* in a header, only inside a quoted-string or comment */
	    {"OPTIONS sip:a@b SIP/2.0\r\nX: \"\\\x01\" (\\\x1b)\r\n\r\n", VOX_OK},
	    {"OPTIONS sip:a@b SIP/2.0\r\nX: \\\x01\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nX: (a) \"b\" \\\x7f\r\n\r\n", VOX_EMALFORMED},
	    {"OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n", VOX_OK}, /* datagram without empty line */
	    {"OPTIONS sip:a@b SIP/2.0\r\nTo: x", VOX_EMALFORMED},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int rc = parse_str(cases[i].msg, VOX_SIP_DATAGRAM);
		if (cases[i].rc == VOX_OK)
			assert_true(rc > 0);
		else if (rc != cases[i].rc) {
			fprintf(stderr, "case %zu: got %d want %d\n", i, rc, cases[i].rc);
			fail();
		}
	}
	/* On a stream, Content-Length is required (RFC 3261 18.3). */
	assert_int_equal(parse_str("OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n\r\n", 0), VOX_EMALFORMED);
}

static void test_parse_limits(void **st)
{
	(void)st;
	static char big[VOX_SIP_MAX_MSG + 16];
	struct vox_writer w;
	/* One header too many is VOX_ELIMIT, never a silent truncation. */
	vox_writer_init(&w, big, sizeof big);
	vox_writer_puts(&w, "OPTIONS sip:a@b SIP/2.0\r\n");
	for (int i = 0; i < VOX_SIP_MAX_HEADERS; i++)
		vox_writer_puts(&w, "X: y\r\n");
	vox_writer_puts(&w, "\r\n");
	assert_int_equal(parse_str(big, VOX_SIP_DATAGRAM) > 0, 1);
	w.len -= 2;
	vox_writer_puts(&w, "X: y\r\n\r\n");
	big[w.len] = 0;
	assert_int_equal(parse_str(big, VOX_SIP_DATAGRAM), VOX_ELIMIT);
	/* Via values count on their own, list values one by one. */
	vox_writer_init(&w, big, sizeof big);
	vox_writer_puts(&w, "OPTIONS sip:a@b SIP/2.0\r\nVia: ");
	for (int i = 0; i <= VOX_SIP_MAX_VIA; i++)
		vox_writer_puts(&w, i ? ", SIP/2.0/UDP h" : "SIP/2.0/UDP h");
	vox_writer_puts(&w, "\r\n\r\n");
	vox_writer_putc(&w, 0);
	assert_int_equal(parse_str(big, VOX_SIP_DATAGRAM), VOX_ELIMIT);
	/* A datagram above the maximum size. */
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = 0;
	assert_int_equal(parse_str(big, VOX_SIP_DATAGRAM), VOX_ETOOLONG);
	/* A stream that never ends its header section. */
	struct vox_sip_framer f;
	enum vox_sip_frame_kind k;
	vox_sip_framer_init(&f);
	memcpy(big, "OPTIONS sip:a@b SIP/2.0\r\n", 25);
	assert_int_equal(vox_sip_frame(&f, big, 4000, &k, NULL), VOX_EINCOMPLETE);
	assert_int_equal(vox_sip_frame(&f, big, VOX_SIP_MAX_MSG, &k, NULL), VOX_ETOOLONG);
}

static void test_list_split(void **st)
{
	(void)st;
	static const char m[] =
	    "OPTIONS sip:a@b SIP/2.0\r\n"
	    "Contact: \"a, b\" <sip:x@h;p=\"q\">, <sip:y@h?h=a,b>;q=0.5 ,sip:z@h\r\n"
	    "Date: Sat, 13 Nov 2010 23:29:00 GMT\r\n"
	    "Allow: INVITE,ACK , BYE\r\n"
	    "\r\n";
	assert_int_equal(vox_sip_parse(&msg, m, sizeof m - 1, VOX_SIP_DATAGRAM, NULL),
	                 (int)sizeof m - 1);
	assert_int_equal(vox_sip_count(&msg, VOX_SIP_H_CONTACT), 3);
	assert_int_equal(vox_sip_count(&msg, VOX_SIP_H_DATE), 1); /* not a list */
	assert_int_equal(vox_sip_count(&msg, VOX_SIP_H_ALLOW), 3);
	const struct vox_sip_header *h = vox_sip_find(&msg, VOX_SIP_H_CONTACT);
	assert_true(vox_slice_eq(h->value, vox_slice_cstr("\"a, b\" <sip:x@h;p=\"q\">")));
	h = vox_sip_find_next(&msg, h);
	assert_true(vox_slice_eq(h->value, vox_slice_cstr("<sip:y@h?h=a,b>;q=0.5")));
	assert_int_equal(h->line, 0);
	h = vox_sip_find_next(&msg, h);
	assert_true(vox_slice_eq(h->value, vox_slice_cstr("sip:z@h")));
	h = vox_sip_find(&msg, VOX_SIP_H_ALLOW);
	assert_true(vox_slice_eq(vox_sip_find_next(&msg, h)->value, vox_slice_cstr("ACK")));
	struct vox_sip_date d;
	assert_int_equal(vox_sip_date_parse(&d, vox_sip_find(&msg, VOX_SIP_H_DATE)->value, NULL),
	                 0);
	assert_int_equal(d.year, 2010);
	assert_int_equal(d.month, 11);
	assert_int_equal(d.sec, 0);
}

static void test_header_names(void **st)
{
	(void)st;
	static const struct {
		const char *name;
		enum vox_sip_hdr id;
	} names[] = {
	    {"i", VOX_SIP_H_CALL_ID},
	    {"M", VOX_SIP_H_CONTACT},
	    {"e", VOX_SIP_H_CONTENT_ENCODING},
	    {"l", VOX_SIP_H_CONTENT_LENGTH},
	    {"c", VOX_SIP_H_CONTENT_TYPE},
	    {"f", VOX_SIP_H_FROM},
	    {"s", VOX_SIP_H_SUBJECT},
	    {"k", VOX_SIP_H_SUPPORTED},
	    {"t", VOX_SIP_H_TO},
	    {"v", VOX_SIP_H_VIA},
	    {"o", VOX_SIP_H_EVENT},
	    {"u", VOX_SIP_H_ALLOW_EVENTS},
	    {"r", VOX_SIP_H_REFER_TO},
	    {"b", VOX_SIP_H_REFERRED_BY},
	    {"x", VOX_SIP_H_SESSION_EXPIRES},
	    {"y", VOX_SIP_H_IDENTITY},
	    {"cAlL-iD", VOX_SIP_H_CALL_ID},
	    {"WWW-Authenticate", VOX_SIP_H_WWW_AUTHENTICATE},
	    {"Max-Forward", VOX_SIP_H_OTHER},
	    {"q", VOX_SIP_H_OTHER},
	    {"Via2", VOX_SIP_H_OTHER},
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		assert_int_equal(vox_sip_hdr_id(vox_slice_cstr(names[i].name)), names[i].id);
	/* every canonical name maps back to its id */
	for (int id = 1; id < VOX_SIP_H_COUNT; id++)
		assert_int_equal(vox_sip_hdr_id(vox_slice_cstr(vox_sip_hdr_name(id))), id);
	assert_int_equal(vox_sip_method_id(vox_slice_cstr("invite")), VOX_SIP_METHOD_OTHER);
	assert_int_equal(vox_sip_method_id(vox_slice_cstr("PRACK")), VOX_SIP_PRACK);
}

/* ---- framer ---------------------------------------------------------------- */

/* What a framer made of a stream: its units, then how it ended. */
struct units {
	size_t n;
	int len[16];
	enum vox_sip_frame_kind kind[16];
	int end; /* VOX_EINCOMPLETE (bytes left waiting) or an error */
};

/* Frames s[0..len) in reads of step bytes (len: one read), the bytes of
 * each read against a guard page; pong: a pong is due before the first
 * unit. */
static void frame_steps(const char *s, size_t len, size_t step, int pong, struct units *u)
{
	struct vox_sip_framer f;
	vox_sip_framer_init(&f);
	if (pong)
		vox_sip_framer_expect_pong(&f);
	size_t consumed = 0, avail = 0;
	u->n = 0;
	for (;;) {
		enum vox_sip_frame_kind k = 0;
		const char *g = guard_copy(s + consumed, avail - consumed);
		int rc = vox_sip_frame(&f, g, avail - consumed, &k, NULL);
		guard_free(g);
		if (rc == VOX_EINCOMPLETE && avail < len) {
			avail = step > len - avail ? len : avail + step;
			continue;
		}
		if (rc <= 0) {
			u->end = rc;
			return;
		}
		assert_true(u->n < 16);
		u->len[u->n] = rc;
		u->kind[u->n++] = k;
		consumed += (size_t)rc;
	}
}

/* Every read size from 1 to 64 bytes, and one read, give exactly these
 * units and this end (RFC 5626 4.4.1: a ping split across two reads is
 * still one ping). */
static void frame_expect(const char *s, size_t len, int pong, const struct units *want)
{
	for (size_t step = 1; step <= 65; step++) {
		struct units u;
		frame_steps(s, len, step == 65 ? len : step, pong, &u);
		if (u.n != want->n || u.end != want->end)
			fail_msg("reads of %zu: %zu units ending %d, want %zu ending %d", step, u.n,
			         u.end, want->n, want->end);
		for (size_t i = 0; i < u.n; i++)
			if (u.len[i] != want->len[i] || u.kind[i] != want->kind[i])
				fail_msg(
				    "reads of %zu: unit %zu is %d bytes of kind %d, want %d of %d",
				    step, i, u.len[i], u.kind[i], want->len[i], want->kind[i]);
	}
}

static void test_framer(void **st)
{
	(void)st;
	static char stream[2048];
	const int n = (int)strlen(basic);
	struct vox_writer w;
	vox_writer_init(&w, stream, sizeof stream);
	vox_writer_puts(&w, "\r\n\r\n"); /* ping */
	vox_writer_puts(&w, basic);
	vox_writer_puts(&w, "\r\n"); /* a stray line end before a message */
	vox_writer_puts(&w, basic);
	vox_writer_puts(&w, "\n\r\n"); /* a ping with a bare LF */
	vox_writer_puts(&w, "\r\n");   /* at the end: may be half a ping, so it waits */
	const struct units all = {5,
	                          {4, n, 2, n, 3},
	                          {VOX_SIP_FRAME_PING, VOX_SIP_FRAME_MESSAGE, VOX_SIP_FRAME_PONG,
	                           VOX_SIP_FRAME_MESSAGE, VOX_SIP_FRAME_PING},
	                          VOX_EINCOMPLETE};
	frame_expect(stream, w.len, 0, &all);

	/* After our ping the first line end is its pong, at once, also right
	 * after a message and also when another line end follows it. */
	const struct units pong = {3,
	                           {2, 2, n},
	                           {VOX_SIP_FRAME_PONG, VOX_SIP_FRAME_PONG, VOX_SIP_FRAME_MESSAGE},
	                           VOX_EINCOMPLETE};
	frame_expect(stream, 4 + (size_t)n, 1, &pong);
	const struct units late = {
	    2, {n, 2}, {VOX_SIP_FRAME_MESSAGE, VOX_SIP_FRAME_PONG}, VOX_EINCOMPLETE};
	frame_expect(stream + 4, (size_t)n + 2, 1, &late);

	/* Garbage instead of a header is an error the connection must not survive. */
	struct vox_sip_framer f;
	enum vox_sip_frame_kind k;
	vox_sip_framer_init(&f);
	const char *bad = "OPTIONS sip:a@b SIP/2.0\r\n<oops>\r\nl: 0\r\n\r\n";
	assert_int_equal(vox_sip_frame(&f, bad, strlen(bad), &k, NULL), VOX_EMALFORMED);
	vox_sip_framer_init(&f);
	const char *nocl = "OPTIONS sip:a@b SIP/2.0\r\nTo: x\r\n\r\n";
	assert_int_equal(vox_sip_frame(&f, nocl, strlen(nocl), &k, NULL), VOX_EMALFORMED);
}

/* A header section that does not end within VOX_SIP_MAX_MSG bytes is too
 * long, whatever follows and however it arrives: one read, or many. */
static void test_framer_limit(void **st)
{
	(void)st;
	static char big[VOX_SIP_MAX_MSG + 256];
	static const char start[] = "OPTIONS sip:a@b SIP/2.0\r\nX: a\x00z\r\nl: 0\r\nY: ";
	const size_t sl = sizeof start - 1;
	const struct units too_long = {0, {0}, {0}, VOX_ETOOLONG};
	/* the empty line one byte past the limit, and far past it */
	for (size_t extra = 1; extra <= 200; extra += 199) {
		size_t len = VOX_SIP_MAX_MSG + extra;
		memcpy(big, start, sl);
		memset(big + sl, 'a', len - sl - 4);
		memcpy(big + len - 4, "\r\n\r\n", 4);
		for (size_t step = 1000; step <= len; step += step / 2 + 4000) {
			struct units u;
			frame_steps(big, len, step, 0, &u);
			assert_int_equal(u.n, too_long.n);
			assert_int_equal(u.end, too_long.end);
		}
		struct units u;
		frame_steps(big, len, len, 0, &u);
		assert_int_equal(u.n, 0);
		assert_int_equal(u.end, VOX_ETOOLONG);
	}
	/* exactly VOX_SIP_MAX_MSG bytes of header section: framed, then
	 * judged: the NUL is malformed, and without it the message frames */
	size_t len = VOX_SIP_MAX_MSG;
	memset(big + sl, 'a', len - sl - 4);
	memcpy(big + len - 4, "\r\n\r\n", 4);
	for (size_t step = 4096; step <= 2 * len; step *= 4) {
		struct units u;
		frame_steps(big, len, step, 0, &u);
		assert_int_equal(u.n, 0);
		assert_int_equal(u.end, VOX_EMALFORMED);
	}
	big[sl - 13] = 'y'; /* the NUL */
	struct units u;
	frame_steps(big, len, 5000, 0, &u);
	assert_int_equal(u.n, 1);
	assert_int_equal(u.len[0], (int)len);
}

/* ---- typed decoders ---------------------------------------------------------- */

static void test_uri_decode(void **st)
{
	(void)st;
	struct vox_sip_uri u;
	const char *s = "sips:alice:secret@[2001:db8::10]:5061;transport=tcp;lr?subject=a%20b&x=y";
	const char *g = guard_str(s);
	assert_int_equal(vox_sip_uri_parse(&u, (struct vox_slice){g, strlen(s)}, NULL), 0);
	assert_int_equal(u.scheme, VOX_SIP_SCHEME_SIPS);
	assert_true(vox_slice_eq(u.user, vox_slice_cstr("alice")));
	assert_true(u.has_password);
	assert_true(vox_slice_eq(u.password, vox_slice_cstr("secret")));
	assert_int_equal(u.host.kind, VOX_SIP_HOST_IPV6);
	assert_true(vox_slice_eq(u.host.name, vox_slice_cstr("2001:db8::10")));
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
	                               0,    0,    0,    0,    0, 0, 0, 0x10};
	assert_memory_equal(u.host.addr, v6, 16);
	assert_int_equal(u.host.port, 5061);
	assert_int_equal(u.params.n, 2);
	assert_null(vox_sip_param_find(&u.params, "lr")->value.p);
	assert_true(vox_slice_eq(u.headers, vox_slice_cstr("subject=a%20b&x=y")));
	guard_free(g);

	assert_int_equal(vox_sip_uri_parse(&u, vox_slice_cstr("sip:192.0.2.4:5060"), NULL), 0);
	assert_int_equal(u.host.kind, VOX_SIP_HOST_IPV4);
	assert_int_equal(u.host.addr[3], 4);
	assert_int_equal(vox_sip_uri_parse(&u, vox_slice_cstr("tel:+1-201-555-0123;ext=9"), NULL),
	                 0);
	assert_int_equal(u.scheme, VOX_SIP_SCHEME_TEL);
	assert_true(vox_slice_eq(u.user, vox_slice_cstr("+1-201-555-0123")));
	assert_int_equal(vox_sip_uri_parse(&u, vox_slice_cstr("sip:[::ffff:192.0.2.1]"), NULL), 0);
	assert_int_equal(u.host.addr[10], 0xff);
	assert_int_equal(u.host.addr[15], 1);
	char esc[32];
	assert_int_equal(
	    vox_sip_uri_parse(&u, vox_slice_cstr("sip:sips%3Auser%40example.com@h"), NULL), 0);
	assert_int_equal(vox_sip_unescape(u.user, esc, sizeof esc), 21);
	assert_memory_equal(esc, "sips:user@example.com", 21);

	static const struct {
		const char *uri;
		int rc;
	} bad[] = {
	    {"sip:a@b:65536", VOX_ERANGE},
	    {"sip:a@b:", VOX_EMALFORMED},
	    {"sip:@b", VOX_EMALFORMED},
	    {"sip:a b@c", VOX_EMALFORMED},
	    {"sip:a@-b.com", VOX_EMALFORMED},
	    {"sip:a@b.com-", VOX_EMALFORMED},
	    {"sip:a@1.2.3.4.5", VOX_EMALFORMED},
	    {"sip:a@256.1.1.1", VOX_EMALFORMED},
	    {"sip:a@[1::2::3]", VOX_EMALFORMED},
	    {"sip:a@[1:2:3:4:5:6:7:8:9]", VOX_EMALFORMED},
	    {"sip:a@b;;x", VOX_EMALFORMED},
	    {"sip:a@b;x=", VOX_EMALFORMED},
	    {"sip:a@b;lr;LR", VOX_EMALFORMED},
	    {"sip:a%4@b", VOX_EMALFORMED},
	    {"sip:a@b?x", VOX_EMALFORMED},
	    {"sip:a@b>", VOX_EMALFORMED},
	    {"nobodyknows:this-is-opaque", VOX_ESCHEME},
	    {":x", VOX_EMALFORMED},
	    {"tel:abc-xyz", VOX_EMALFORMED},
	    {"tel:", VOX_EMALFORMED},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct vox_diag d = {0, NULL};
		int rc = vox_sip_uri_parse(&u, vox_slice_cstr(bad[i].uri), &d);
		if (rc != bad[i].rc) {
			fprintf(stderr, "%s: got %d want %d\n", bad[i].uri, rc, bad[i].rc);
			fail();
		}
		assert_non_null(d.what);
		assert_true(d.off <= strlen(bad[i].uri));
	}
}

/* RFC 3261 19.1.4: the equal and unequal examples of the RFC. */
static void test_uri_compare(void **st)
{
	(void)st;
	static const char *const equal[][2] = {
	    {"sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp"},
	    {"sip:carol@chicago.com", "sip:carol@chicago.com;newparam=5"},
	    {"sip:carol@chicago.com", "sip:carol@chicago.com;security=on"},
	    {"sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on"},
	    {"sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
	     "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com"},
	    {"sip:alice@atlanta.com?subject=project%20x&priority=urgent",
	     "sip:alice@atlanta.com?priority=urgent&subject=project%20x"},
	    {"sip:[2001:db8::1]", "sip:[2001:DB8:0:0:0:0:0:1]"},
	    {"tel:+1-201-555-0123", "tel:+12015550123"},
	};
	static const char *const unequal[][2] = {
	    {"SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP"},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com:5060"},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp"},
	    {"sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp"},
	    {"sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting"},
	    {"sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4"},
	    {"sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off"},
	    {"sip:alice@atlanta.com", "sips:alice@atlanta.com"},
	    {"sip:alice:pw@atlanta.com", "sip:alice@atlanta.com"},
	};
	struct vox_sip_uri a, b;
	for (size_t i = 0; i < sizeof equal / sizeof equal[0]; i++) {
		assert_int_equal(vox_sip_uri_parse(&a, vox_slice_cstr(equal[i][0]), NULL), 0);
		assert_int_equal(vox_sip_uri_parse(&b, vox_slice_cstr(equal[i][1]), NULL), 0);
		if (!vox_sip_uri_eq(&a, &b) || !vox_sip_uri_eq(&b, &a)) {
			fprintf(stderr, "should be equal: %s %s\n", equal[i][0], equal[i][1]);
			fail();
		}
	}
	for (size_t i = 0; i < sizeof unequal / sizeof unequal[0]; i++) {
		assert_int_equal(vox_sip_uri_parse(&a, vox_slice_cstr(unequal[i][0]), NULL), 0);
		assert_int_equal(vox_sip_uri_parse(&b, vox_slice_cstr(unequal[i][1]), NULL), 0);
		if (vox_sip_uri_eq(&a, &b) || vox_sip_uri_eq(&b, &a)) {
			fprintf(stderr, "should differ: %s %s\n", unequal[i][0], unequal[i][1]);
			fail();
		}
	}
}

static void test_addr(void **st)
{
	(void)st;
	struct vox_sip_addr a;
	const char *s =
	    "\"Alice \\\"A\\\"\" <sip:alice@atlanta.com;transport=tcp> ;tag = 88sja8x;x";
	const char *g = guard_str(s);
	assert_int_equal(vox_sip_addr_parse(&a, (struct vox_slice){g, strlen(s)}, NULL), 0);
	assert_true(a.display_quoted);
	char dn[32];
	int n = vox_sip_unquote(a.display, dn, sizeof dn);
	assert_int_equal(n, 9);
	assert_memory_equal(dn, "Alice \"A\"", 9);
	assert_true(vox_slice_eq(a.tag, vox_slice_cstr("88sja8x")));
	assert_int_equal(a.uri.params.n, 1); /* transport belongs to the URI */
	assert_int_equal(a.params.n, 2);     /* tag and x to the header */
	guard_free(g);

	/* addr-spec: parameters after the URI belong to the header (20.10) */
	assert_int_equal(vox_sip_addr_parse(&a, vox_slice_cstr("sip:bob@b.com;tag=5"), NULL), 0);
	assert_false(a.bracketed);
	assert_int_equal(a.uri.params.n, 0);
	assert_true(vox_slice_eq(a.tag, vox_slice_cstr("5")));
	/* token display name, no space before '<' */
	assert_int_equal(vox_sip_addr_parse(&a, vox_slice_cstr("caller<sip:c@e.com>"), NULL), 0);
	assert_true(vox_slice_eq(a.display, vox_slice_cstr("caller")));
	/* unknown schemes are kept opaque */
	assert_int_equal(
	    vox_sip_addr_parse(&a, vox_slice_cstr("<http://www.example.com>;tag=1"), NULL), 0);
	assert_int_equal(a.uri.scheme, VOX_SIP_SCHEME_OTHER);

	static const char *const bad[] = {
	    "Bell, Alexander <sip:a@b.c>",
	    "\"open <sip:a@b.c>",
	    "< sip:a@b.c >",
	    "<sip:a@b.c",
	    "sip:a@b.c?x=y",
	    "<sip:a@b.c>;;",
	    "<sip:a@b.c>;tag",
	    "<sip:a@b.c>;tag=1;tag=2",
	    "<sip:a@b.c> junk",
	    "",
	    "<sip:a@b.c>;tag=\"q\"",
	    /* gen-value = token / host / quoted-string: a tag is a token */
	    "<sip:a@b.c>;tag=1:2",
	    "<sip:a@b.c>;tag=[::1]",
	    "<sip:a@b.c>;x=1:2",
	    "<sip:a@b.c>;x=[::1]:5060",
	    "<sip:a@b.c>;x=[a;b]",
	    "<sip:a@b.c>;received=::1",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (vox_sip_addr_parse(&a, vox_slice_cstr(bad[i]), NULL) == 0) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			fail();
		}
}

static void test_contact(void **st)
{
	(void)st;
	struct vox_sip_contact c;
	assert_int_equal(vox_sip_contact_parse(&c, vox_slice_cstr(" * "), NULL), 0);
	assert_true(c.star);
	assert_int_equal(
	    vox_sip_contact_parse(&c, vox_slice_cstr("<sip:a@b>;expires=3600;q=0.7"), NULL), 0);
	assert_int_equal(c.expires, 3600);
	assert_int_equal(c.q, 700);
	assert_int_equal(vox_sip_contact_parse(&c, vox_slice_cstr("<sip:a@b>;q=1.000"), NULL), 0);
	assert_int_equal(c.q, 1000);
	assert_int_equal(vox_sip_contact_parse(&c, vox_slice_cstr("<sip:a@b>;q=1.5"), NULL),
	                 VOX_ERANGE);
	assert_int_equal(vox_sip_contact_parse(&c, vox_slice_cstr("<sip:a@b>;q=0.1234"), NULL),
	                 VOX_EMALFORMED);
	assert_int_equal(
	    vox_sip_contact_parse(&c, vox_slice_cstr("<sip:a@b>;expires=4294967296"), NULL),
	    VOX_ERANGE);
}

static void test_via(void **st)
{
	(void)st;
	struct vox_sip_via v;
	const char *s = "SIP / 2.0 / TLS [2001:db8::9]:5061;branch=z9hG4bK776;rport;"
	                "received=2001:db8::7;ttl=16;maddr=224.2.0.1";
	const char *g = guard_str(s);
	assert_int_equal(vox_sip_via_parse(&v, (struct vox_slice){g, strlen(s)}, NULL), 0);
	assert_true(vox_slice_eq(v.transport, vox_slice_cstr("TLS")));
	assert_int_equal(v.host.kind, VOX_SIP_HOST_IPV6);
	assert_int_equal(v.host.port, 5061);
	assert_true(vox_sip_via_is_rfc3261(&v));
	assert_true(v.has_rport);
	assert_false(v.rport_has_value);
	assert_true(vox_slice_eq(v.received, vox_slice_cstr("2001:db8::7")));
	assert_int_equal(v.ttl, 16);
	assert_true(vox_slice_eq(v.maddr, vox_slice_cstr("224.2.0.1")));
	guard_free(g);
	assert_int_equal(vox_sip_via_parse(&v, vox_slice_cstr("SIP/2.0/UDP h;rport=5060"), NULL),
	                 0);
	assert_int_equal(v.rport, 5060);
	assert_false(vox_sip_via_is_rfc3261(&v));
	static const char *const bad[] = {
	    "SIP/2.0/UDP",
	    "SIP/2.0 UDP h",
	    "SIP/2.0/UDP h;;",
	    "SIP/2.0/UDPh",
	    "SIP/2.0/UDP h:99999",
	    "SIP/2.0/UDP h;received=host.com",
	    "SIP/2.0/UDP h;ttl=256",
	    "SIP/2.0/UDP h;rport=x",
	    "SIP/2.0/UDP h;branch",
	    "SIP/2.0/UDP h extra",
	    "SIP/2.0/UDP h;branch=z9hG4bK:1",
	    "SIP/2.0/UDP h;x=1:2",
	    "SIP/2.0/UDP h;maddr=[::1]:5060",
	    "SIP/2.0/UDP h;branch=[::1]",
	};
	/* received: a bare IPv6address (RFC 3261 20.42), or with brackets
	 * (RFC 5118 4.5) */
	assert_int_equal(
	    vox_sip_via_parse(&v, vox_slice_cstr("SIP/2.0/UDP h;received=::ffff:192.0.2.1"), NULL),
	    0);
	assert_int_equal(
	    vox_sip_via_parse(&v, vox_slice_cstr("SIP/2.0/UDP h;received=[2001:db8::1]"), NULL), 0);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (vox_sip_via_parse(&v, vox_slice_cstr(bad[i]), NULL) == 0) {
			fprintf(stderr, "accepted: %s\n", bad[i]);
			fail();
		}
}

static void test_small_headers(void **st)
{
	(void)st;
	struct vox_sip_cseq c;
	assert_int_equal(vox_sip_cseq_parse(&c, vox_slice_cstr("4294967295 BYE"), NULL), 0);
	assert_int_equal(c.seq, 4294967295u);
	assert_int_equal(c.method_id, VOX_SIP_BYE);
	assert_int_equal(vox_sip_cseq_parse(&c, vox_slice_cstr("4294967296 BYE"), NULL),
	                 VOX_ERANGE);
	assert_int_equal(vox_sip_cseq_parse(&c, vox_slice_cstr("1BYE"), NULL), VOX_EMALFORMED);
	assert_int_equal(vox_sip_cseq_parse(&c, vox_slice_cstr("1 BYE x"), NULL), VOX_EMALFORMED);
	uint8_t mf;
	assert_int_equal(vox_sip_max_forwards_parse(vox_slice_cstr("255"), &mf, NULL), 0);
	assert_int_equal(vox_sip_max_forwards_parse(vox_slice_cstr("256"), &mf, NULL), VOX_ERANGE);
	assert_int_equal(
	    vox_sip_callid_parse(vox_slice_cstr("a84b4c76e66710@pc33.example.com"), NULL), 0);
	assert_int_equal(vox_sip_callid_parse(vox_slice_cstr("a b"), NULL), VOX_EMALFORMED);
	assert_int_equal(vox_sip_callid_parse(vox_slice_cstr("a@"), NULL), VOX_EMALFORMED);
	struct vox_sip_ctype ct;
	assert_int_equal(
	    vox_sip_ctype_parse(&ct, vox_slice_cstr("multipart/mixed;boundary=7a9c"), NULL), 0);
	assert_true(vox_slice_eq(vox_sip_param_find(&ct.params, "BOUNDARY")->value,
	                         vox_slice_cstr("7a9c")));
	assert_int_equal(vox_sip_ctype_parse(&ct, vox_slice_cstr("application"), NULL),
	                 VOX_EMALFORMED);
	struct vox_sip_date d;
	assert_int_equal(
	    vox_sip_date_parse(&d, vox_slice_cstr("Fri, 01 Jan 2010 16:00:00 EST"), NULL),
	    VOX_EMALFORMED);
	assert_int_equal(
	    vox_sip_date_parse(&d, vox_slice_cstr("Fri, 01 Jan 2010 24:00:00 GMT"), NULL),
	    VOX_EMALFORMED);
	/* the names are ABNF literals: case-insensitive (RFC 2234 2.3) */
	assert_int_equal(
	    vox_sip_date_parse(&d, vox_slice_cstr("fri, 01 JAN 2010 16:00:00 gmt"), NULL), 0);
	assert_int_equal(d.month, 1);
	assert_int_equal(d.wday, 5);
}

static void test_auth(void **st)
{
	(void)st;
	struct vox_sip_auth a;
	const char *s = "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", "
	                "qop=\"auth,auth-int\",\r\n nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", "
	                "opaque=\"\", stale=FALSE, algorithm=SHA-256";
	const char *g = guard_str(s);
	assert_int_equal(vox_sip_auth_parse(&a, (struct vox_slice){g, strlen(s)}, NULL), 0);
	assert_true(vox_slice_eq(a.scheme, vox_slice_cstr("Digest")));
	assert_true(vox_slice_eq(a.realm, vox_slice_cstr("atlanta.com")));
	assert_true(vox_slice_eq(a.qop, vox_slice_cstr("auth,auth-int")));
	assert_true(vox_slice_eq(a.nonce, vox_slice_cstr("f84f1cec41e6cbe5aea9c8e88d359")));
	assert_non_null(a.opaque.p);
	assert_int_equal(a.opaque.len, 0);
	assert_true(vox_slice_eq(a.algorithm, vox_slice_cstr("SHA-256")));
	assert_true(vox_slice_eq(a.stale, vox_slice_cstr("FALSE")));
	guard_free(g);
	assert_int_equal(
	    vox_sip_auth_parse(&a, vox_slice_cstr("Digest realm=\"a\", realm=\"b\""), NULL),
	    VOX_EMALFORMED);
	assert_int_equal(vox_sip_auth_parse(&a, vox_slice_cstr("Digest realm=\"a"), NULL),
	                 VOX_EMALFORMED);
	/* other schemes may carry a token68 */
	assert_int_equal(vox_sip_auth_parse(&a, vox_slice_cstr("Basic QWxhZGRpbjpvcGVu=="), NULL),
	                 0);
	assert_int_equal(a.params.n, 0);
}

/* ---- validation ---------------------------------------------------------------- */

static void test_validate(void **st)
{
	(void)st;
	struct vox_sip_verdict v;
	assert_true(parse_str(basic, VOX_SIP_DATAGRAM) > 0);
	static char copy[1024];
	memcpy(copy, basic, strlen(basic) + 1);
	assert_true(vox_sip_parse(&msg, copy, strlen(copy), VOX_SIP_DATAGRAM, NULL) > 0);
	assert_int_equal(vox_sip_validate(&msg, NULL, &v), 0);
	assert_int_equal(v.status, 0);
	/* a Require tag we do not support: 420 listing it */
	static const char req[] =
	    "OPTIONS sip:a@b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	    "To: <sip:a@b.c>\r\nFrom: <sip:c@d.e>;tag=1\r\nCall-ID: x\r\n"
	    "CSeq: 1 OPTIONS\r\nRequire: 100rel, timer\r\nl: 0\r\n\r\n";
	assert_true(vox_sip_parse(&msg, req, sizeof req - 1, VOX_SIP_DATAGRAM, NULL) > 0);
	const char *const sup[] = {"timer"};
	struct vox_sip_validate_opts o = {.supported = sup, .nsupported = 1};
	assert_int_equal(vox_sip_validate(&msg, &o, &v), 0);
	assert_int_equal(v.status, 420);
	assert_int_equal(v.nunsupported, 1);
	assert_true(vox_slice_eq(v.unsupported[0], vox_slice_cstr("100rel")));
	/* a proxy ignores Require */
	o.role = VOX_SIP_ROLE_PROXY;
	assert_int_equal(vox_sip_validate(&msg, &o, &v), 0);
	assert_int_equal(v.status, 0);
	/* 405 and 501 when the UAS lists its methods */
	const enum vox_sip_method meth[] = {VOX_SIP_INVITE, VOX_SIP_ACK, VOX_SIP_BYE};
	struct vox_sip_validate_opts o2 = {
	    .methods = meth, .nmethods = 3, .supported = sup, .nsupported = 1};
	static const char req2[] =
	    "OPTIONS sip:a@b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	    "To: <sip:a@b.c>\r\nFrom: <sip:c@d.e>;tag=1\r\nCall-ID: x\r\n"
	    "CSeq: 1 OPTIONS\r\nl: 0\r\n\r\n";
	assert_true(vox_sip_parse(&msg, req2, sizeof req2 - 1, VOX_SIP_DATAGRAM, NULL) > 0);
	assert_int_equal(vox_sip_validate(&msg, &o2, &v), 0);
	assert_int_equal(v.status, 405);
	/* Contact: * outside a REGISTER with Expires: 0 */
	static const char star[] =
	    "REGISTER sip:b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	    "To: <sip:a@b.c>\r\nFrom: <sip:a@b.c>;tag=1\r\nCall-ID: x\r\n"
	    "CSeq: 1 REGISTER\r\nContact: *\r\nExpires: 10\r\nl: 0\r\n\r\n";
	assert_true(vox_sip_parse(&msg, star, sizeof star - 1, VOX_SIP_DATAGRAM, NULL) > 0);
	assert_int_equal(vox_sip_validate(&msg, NULL, &v), 0);
	assert_int_equal(v.status, 400);
	assert_string_equal(v.reason, "Bad Contact header");
}

/* RFC 3261 25.1: Supported, Allow and Accept may be empty lists (baresip
 * sends "Supported:"); Require may not, nor may a list hold an empty value. */
static void test_empty_lists(void **st)
{
	(void)st;
	static const char head[] =
	    "OPTIONS sip:a@b.c SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bKx\r\n"
	    "To: <sip:a@b.c>\r\nFrom: <sip:c@d.e>;tag=1\r\nCall-ID: x\r\n"
	    "CSeq: 1 OPTIONS\r\n";
	static const struct {
		const char *hdr;
		unsigned status;
	} cases[] = {
	    {"Supported:\r\n", 0},
	    {"k:  \r\n", 0},
	    {"Allow:\r\n", 0},
	    {"Accept:\r\n", 0},
	    {"Supported: timer,\r\n", 400},
	    {"Supported: ,timer\r\n", 400},
	    {"Allow: INVITE,,BYE\r\n", 400},
	    {"Require:\r\n", 400},
	    {"Unsupported:\r\n", 400},
	};
	static char buf[512];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n =
		    snprintf(buf, sizeof buf, "%s%sContent-Length: 0\r\n\r\n", head, cases[i].hdr);
		assert_true(n > 0 && (size_t)n < sizeof buf);
		assert_true(vox_sip_parse(&msg, buf, (size_t)n, VOX_SIP_DATAGRAM, NULL) > 0);
		struct vox_sip_verdict v;
		assert_int_equal(vox_sip_validate(&msg, NULL, &v), 0);
		if (v.status != cases[i].status)
			fail_msg("%s: status %u, want %u", cases[i].hdr, v.status, cases[i].status);
		/* the header we added is the sixth value or later */
		int empty_ok = 0;
		for (size_t k = 5; k < msg.nhdr; k++)
			empty_ok |= vox_sip_empty_list_ok(&msg, k);
		assert_int_equal(empty_ok, cases[i].status == 0);
	}
	assert_false(vox_sip_empty_list_ok(&msg, msg.nhdr));
}

/* ---- builder ------------------------------------------------------------------ */

/* RFC 3261 18.2.1 and RFC 3581 4: received and rport in a response's Via */
static void test_via_stamp(void **st)
{
	(void)st;
	char out[256];
	struct vox_addr v4 = {4, {192, 0, 2, 7}, 5090};
	struct vox_addr v6 = {
	    6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 5060};
	int n = vox_sip_via_stamp(vox_slice_cstr("SIP/2.0/UDP host.example;branch=z9hG4bK1;rport"),
	                          &v4, out, sizeof out);
	assert_int_equal(
	    n,
	    (int)strlen("SIP/2.0/UDP host.example;branch=z9hG4bK1;rport=5090;received=192.0.2.7"));
	assert_memory_equal(
	    out, "SIP/2.0/UDP host.example;branch=z9hG4bK1;rport=5090;received=192.0.2.7",
	    (size_t)n);
	/* sent-by is the source, no rport: unchanged */
	n = vox_sip_via_stamp(vox_slice_cstr("SIP/2.0/UDP 192.0.2.7:5060;branch=x"), &v4, out,
	                      sizeof out);
	assert_int_equal(n, 35);
	assert_memory_equal(out, "SIP/2.0/UDP 192.0.2.7:5060;branch=x", 35);
	/* rport: received even when sent-by is the source (RFC 3581 4) */
	n = vox_sip_via_stamp(vox_slice_cstr("SIP/2.0/UDP 192.0.2.7;rport;branch=x"), &v4, out,
	                      sizeof out);
	assert_memory_equal(out, "SIP/2.0/UDP 192.0.2.7;rport=5090;branch=x;received=192.0.2.7",
	                    (size_t)n);
	n = vox_sip_via_stamp(vox_slice_cstr("SIP/2.0/TCP h;branch=x"), &v6, out, sizeof out);
	assert_memory_equal(out, "SIP/2.0/TCP h;branch=x;received=2001:db8:0:0:0:0:0:1", (size_t)n);
	/* the stamped Via parses, with an IPv6address received */
	struct vox_sip_via v;
	assert_int_equal(vox_sip_via_parse(&v, (struct vox_slice){out, (size_t)n}, NULL), 0);
	assert_int_equal(vox_sip_via_stamp(vox_slice_cstr("SIP/2.0/UDP h;branch=x"), &v4, out, 10),
	                 VOX_ENOSPC);
	assert_int_equal(vox_sip_via_stamp(vox_slice_cstr("nonsense"), &v4, out, sizeof out),
	                 VOX_EMALFORMED);
}

static void test_identifiers(void **st)
{
	(void)st;
	uint64_t seed = 42;
	struct vox_rng rng = {test_rng, &seed};
	char a[64], b[64];
	int n = vox_sip_make_branch(&rng, a, sizeof a);
	assert_int_equal(n, 27);
	assert_memory_equal(a, "z9hG4bK", 7);
	int m = vox_sip_make_branch(&rng, b, sizeof b);
	assert_int_equal(m, 27);
	assert_memory_not_equal(a, b, 27);
	assert_int_equal(vox_sip_make_tag(&rng, a, sizeof a), 16);
	n = vox_sip_make_callid(&rng, vox_slice_cstr("host.example"), a, sizeof a);
	assert_int_equal(n, 24 + 1 + 12);
	assert_int_equal(vox_sip_callid_parse((struct vox_slice){a, (size_t)n}, NULL), 0);
	assert_int_equal(vox_sip_make_branch(&rng, a, 26), VOX_ENOSPC);
	assert_int_equal(vox_sip_make_callid(&rng, vox_slice_cstr("bad host"), a, sizeof a),
	                 VOX_EINVAL);
}

static void test_build_request_roundtrip(void **st)
{
	(void)st;
	static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n";
	const struct vox_sip_hdr_out h[] = {
	    {"Via", vox_slice_cstr("SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKabc;rport")},
	    {"Max-Forwards", vox_slice_cstr("70")},
	    {"From", vox_slice_cstr("<sip:alice@example.com>;tag=9fxced76sl")},
	    {"To", vox_slice_cstr("<sip:bob@example.com>")},
	    {"Call-ID", vox_slice_cstr("3848276298220188511@192.0.2.1")},
	    {"CSeq", vox_slice_cstr("1 INVITE")},
	    {"Contact", vox_slice_cstr("<sip:alice@192.0.2.1>")},
	};
	struct vox_sip_request_spec s = {
	    .method = vox_slice_cstr("INVITE"),
	    .uri = vox_slice_cstr("sip:bob@example.com"),
	    .hdr = h,
	    .nhdr = 7,
	    .content_type = vox_slice_cstr("application/sdp"),
	    .body = vox_slice_cstr(sdp),
	};
	static char out[1024], resp[1024];
	int n = vox_sip_build_request(&s, out, sizeof out);
	assert_true(n > 0);
	assert_int_equal(vox_sip_parse(&msg, out, (size_t)n, 0, NULL), n);
	assert_int_equal(msg.method_id, VOX_SIP_INVITE);
	assert_int_equal(msg.nhdr, 9);
	assert_int_equal(msg.body.len, strlen(sdp));
	for (size_t i = 0; i < 7; i++)
		assert_true(vox_slice_eq(vox_sip_find_name(&msg, vox_slice_cstr(h[i].name))->value,
		                         h[i].value));
	struct vox_sip_verdict v;
	assert_int_equal(vox_sip_validate(&msg, NULL, &v), 0);
	assert_int_equal(v.status, 0);
	/* every too-small buffer fails cleanly */
	for (size_t cap = 0; cap < (size_t)n; cap += 7)
		assert_int_equal(vox_sip_build_request(&s, out, cap), VOX_ENOSPC);
	/* header injection is refused, and so is anything vox's own parser
	 * would refuse: a control byte other than HTAB (RFC 3261 25.1) */
	struct vox_sip_hdr_out evil = {"X", vox_slice_cstr("a\r\nInjected: 1")};
	s.hdr = &evil;
	s.nhdr = 1;
	assert_int_equal(vox_sip_build_request(&s, out, sizeof out), VOX_EINVAL);
	evil.value = vox_slice_cstr("a\x1b[2Jb");
	assert_int_equal(vox_sip_build_request(&s, out, sizeof out), VOX_EINVAL);
	evil.value = vox_slice_cstr("a\tb");
	n = vox_sip_build_request(&s, out, sizeof out);
	assert_int_equal(vox_sip_parse(&msg, out, (size_t)n, 0, NULL), n);
	s.uri = vox_slice_cstr("sip:bob@example.com\tx");
	assert_int_equal(vox_sip_build_request(&s, out, sizeof out), VOX_EINVAL);
	s.uri = vox_slice_cstr("sip:bob@example.com");

	/* 8.2.6: a response copies Via, From, To (+tag), Call-ID, CSeq */
	s.hdr = h;
	s.nhdr = 7;
	n = vox_sip_build_request(&s, out, sizeof out);
	assert_int_equal(vox_sip_parse(&msg, out, (size_t)n, 0, NULL), n);
	int r = vox_sip_build_response(&msg, NULL, 180, NULL, vox_slice_cstr("a6c85cf"), NULL, 0,
	                               vox_slice_cstr(""), vox_slice_cstr(""), resp, sizeof resp);
	assert_true(r > 0);
	static struct vox_sip_msg rm;
	assert_int_equal(vox_sip_parse(&rm, resp, (size_t)r, 0, NULL), r);
	assert_int_equal(rm.status, 180);
	assert_true(vox_slice_eq(rm.reason, vox_slice_cstr("Ringing")));
	struct vox_sip_addr to;
	assert_int_equal(vox_sip_addr_parse(&to, vox_sip_find(&rm, VOX_SIP_H_TO)->value, NULL), 0);
	assert_true(vox_slice_eq(to.tag, vox_slice_cstr("a6c85cf")));
	const char *keys[] = {"Via", "From", "Call-ID", "CSeq"};
	for (size_t i = 0; i < 4; i++)
		assert_true(vox_slice_eq(vox_sip_find_name(&rm, vox_slice_cstr(keys[i]))->value,
		                         vox_sip_find_name(&msg, vox_slice_cstr(keys[i]))->value));
	assert_int_equal(rm.body.len, 0);
	/* a reason phrase vox's parser would refuse */
	assert_int_equal(
	    vox_sip_build_response(&msg, NULL, 200, "OK\x07", vox_slice_cstr("a6c85cf"), NULL, 0,
	                           vox_slice_cstr(""), vox_slice_cstr(""), resp, sizeof resp),
	    VOX_EINVAL);
	/* no To tag on 100 Trying */
	r = vox_sip_build_response(&msg, NULL, 100, NULL, vox_slice_cstr("a6c85cf"), NULL, 0,
	                           vox_slice_cstr(""), vox_slice_cstr(""), resp, sizeof resp);
	assert_int_equal(vox_sip_parse(&rm, resp, (size_t)r, 0, NULL), r);
	assert_int_equal(vox_sip_addr_parse(&to, vox_sip_find(&rm, VOX_SIP_H_TO)->value, NULL), 0);
	assert_null(to.tag.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_basic),  cmocka_unit_test(test_parse_lf_only),
	    cmocka_unit_test(test_parse_errors), cmocka_unit_test(test_parse_limits),
	    cmocka_unit_test(test_list_split),   cmocka_unit_test(test_header_names),
	    cmocka_unit_test(test_framer),       cmocka_unit_test(test_framer_limit),
	    cmocka_unit_test(test_uri_decode),   cmocka_unit_test(test_uri_compare),
	    cmocka_unit_test(test_addr),         cmocka_unit_test(test_contact),
	    cmocka_unit_test(test_via),          cmocka_unit_test(test_small_headers),
	    cmocka_unit_test(test_auth),         cmocka_unit_test(test_validate),
	    cmocka_unit_test(test_empty_lists),  cmocka_unit_test(test_via_stamp),
	    cmocka_unit_test(test_identifiers),  cmocka_unit_test(test_build_request_roundtrip),
	};
	return cmocka_run_group_tests_name("sip", tests, NULL, NULL);
}
