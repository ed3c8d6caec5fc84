/* SPDX-License-Identifier: MIT */
/*
 * RFC 4475 "SIP Torture Test Messages": all 49 messages of the RFC's
 * archive (tests/vectors/rfc4475/) through vox's SIP message layer.
 *
 * For each message the table below says what RFC 4475 expects:
 *  - what vox_sip_parse makes of it as one UDP datagram (a length or an
 *    error), and what vox_sip_validate answers for a UAS (RFC 3261 8.2);
 *  - what a byte stream makes of it: vox_sip_frame and vox_sip_parse
 *    without VOX_SIP_DATAGRAM must agree with each other and with the
 *    datagram parser on where the message ends (one meaning for every
 *    reader of a message is what stops request smuggling);
 *  - for the valid ones, the field values the RFC text calls out, read
 *    with vox's typed decoders (per-message functions below the table).
 * A second table runs some messages again in another role or with a list
 * of implemented methods (proxy 483, proxy 420, endpoint 501, ...).
 * A third table holds vox's own cases (tests/vectors/sip-verdicts/):
 * messages whose verdict vox once got wrong, each with the RFC rule that
 * decides it; they go through the same checks as the RFC 4475 messages.
 *
 * Every input sits right before a no-access page (guard_copy), so a read
 * past the end of a message faults at once.
 *
 * Where vox does not do what the RFC asks, the test is written for what
 * the RFC asks and marked with a "FIXME vox:" comment; it calls skip()
 * while vox shows that exact disagreement. A role case with a `fixme`
 * fails once vox agrees, so that the marker gets removed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vox/sip.h"
#include "testutil.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- helpers ------------------------------------------------------------ */

struct vec {
	char *raw;
	const char *p; /* guard_copy of raw */
	size_t len;
};

/* tests/vectors/<dir>/<name>.dat; dir NULL: rfc4475 */
static void vec_load(struct vec *v, const char *dir, const char *name)
{
	char rel[96];
	int k = snprintf(rel, sizeof rel, "%s/%s.dat", dir ? dir : "rfc4475", name);
	assert_true(k > 0 && (size_t)k < sizeof rel);
	v->raw = read_vector(rel, &v->len);
	v->p = guard_copy(v->raw, v->len);
}

static void vec_free(struct vec *v)
{
	guard_free(v->p);
	free(v->raw);
	v->p = NULL;
	v->raw = NULL;
}

static struct vox_slice S(const char *s) {
	return vox_slice_cstr(s);
}

/* The slice holds exactly these n bytes. */
static void
eqn(struct vox_slice s, const void *want, size_t n)
{
	assert_non_null(s.p);
	assert_int_equal(s.len, n);
	if (n)
		assert_memory_equal(s.p, want, n);
}

static void eq(struct vox_slice s, const char *want)
{
	eqn(s, want, strlen(want));
}

/* The n-th value (0 = first) with header id. */
static const struct vox_sip_header *nth(const struct vox_sip_msg *m, enum vox_sip_hdr id, size_t n)
{
	const struct vox_sip_header *h = vox_sip_find(m, id);
	for (size_t i = 0; i < n && h; i++)
		h = vox_sip_find_next(m, h);
	assert_non_null(h);
	return h;
}

static struct vox_slice val(const struct vox_sip_msg *m, enum vox_sip_hdr id)
{
	return nth(m, id, 0)->value;
}

static void addr(const struct vox_sip_msg *m, enum vox_sip_hdr id, size_t n, struct vox_sip_addr *a)
{
	struct vox_diag d = {0, NULL};
	int rc = vox_sip_addr_parse(a, nth(m, id, n)->value, &d);
	if (rc)
		print_message("addr: %s at %zu\n", d.what, d.off);
	assert_int_equal(rc, 0);
}

static void contact(const struct vox_sip_msg *m, size_t n, struct vox_sip_contact *c)
{
	assert_int_equal(vox_sip_contact_parse(c, nth(m, VOX_SIP_H_CONTACT, n)->value, NULL), 0);
}

static void ruri(const struct vox_sip_msg *m, struct vox_sip_uri *u)
{
	assert_int_equal(vox_sip_uri_parse(u, m->uri, NULL), 0);
}

/* n-th Via value: SIP/2.0/transport host, branch (NULL: none). */
static void via(const struct vox_sip_msg *m, size_t n, struct vox_sip_via *v, const char *transport,
                const char *host, const char *branch)
{
	assert_int_equal(vox_sip_via_parse(v, nth(m, VOX_SIP_H_VIA, n)->value, NULL), 0);
	eq(v->protocol, "SIP");
	eq(v->version, "2.0");
	eq(v->transport, transport);
	eq(v->host.name, host);
	if (branch)
		eq(v->branch, branch);
	else
		assert_null(v->branch.p);
}

static void cseq(const struct vox_sip_msg *m, uint32_t seq, const char *method)
{
	struct vox_sip_cseq c;
	assert_int_equal(vox_sip_cseq_parse(&c, val(m, VOX_SIP_H_CSEQ), NULL), 0);
	assert_int_equal(c.seq, seq);
	eq(c.method, method);
	/* RFC 3261 8.2 / RFC 4475 3.1.2.17: the CSeq method is the request's */
	if (!m->status)
		assert_true(vox_slice_eq(c.method, m->method));
}

static unsigned max_forwards(const struct vox_sip_msg *m)
{
	uint8_t mf = 0;
	assert_int_equal(vox_sip_max_forwards_parse(val(m, VOX_SIP_H_MAX_FORWARDS), &mf, NULL), 0);
	return mf;
}

static void call_id(const struct vox_sip_msg *m, const char *want)
{
	eq(val(m, VOX_SIP_H_CALL_ID), want);
	assert_int_equal(vox_sip_callid_parse(val(m, VOX_SIP_H_CALL_ID), NULL), 0);
}

static void content_length(const struct vox_sip_msg *m, uint64_t want)
{
	uint64_t n = 0;
	assert_int_equal(vox_sip_uint_parse(val(m, VOX_SIP_H_CONTENT_LENGTH), UINT32_MAX, &n, NULL),
	                 0);
	assert_int_equal(n, want);
	assert_true(m->has_content_length);
	assert_int_equal(m->content_length, want);
	assert_int_equal(m->body.len, want);
}

/* %HH-decoded (once) value of a URI component. */
static void unescaped(struct vox_slice s, const void *want, size_t n)
{
	char buf[512];
	int k = vox_sip_unescape(s, buf, sizeof buf);
	assert_int_equal(k, (int)n);
	if (n)
		assert_memory_equal(buf, want, n);
}

/* quoted-string content without its backslash escapes. */
static void unquoted(struct vox_slice s, const void *want, size_t n)
{
	char buf[512];
	int k = vox_sip_unquote(s, buf, sizeof buf);
	assert_int_equal(k, (int)n);
	if (n)
		assert_memory_equal(buf, want, n);
}

/* A parameter with a value (want != NULL) or without "=" (want == NULL). */
static void param(const struct vox_sip_params *ps, const char *name, const char *want)
{
	const struct vox_sip_param *p = vox_sip_param_find(ps, name);
	assert_non_null(p);
	if (want)
		eq(p->value, want);
	else
		assert_null(p->value.p);
}

/* ---- the valid messages (RFC 4475 3.1.1) -------------------------------- */

/* 3.1.1.1 A Short Tortuous INVITE */
static void check_wsinv(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_addr a;
	struct vox_sip_contact c;
	struct vox_sip_via v;

	eq(m->method, "INVITE");
	assert_int_equal(m->method_id, VOX_SIP_INVITE);
	ruri(m, &u);
	eq(u.user, "vivekg");
	eq(u.host.name, "chair-dnrc.example.com");
	assert_int_equal(u.params.n, 1);
	param(&u.params, "unknownparam", NULL);

	/* 14 header lines; the v: line holds two Via values */
	assert_int_equal(m->nhdr, 15);
	assert_int_equal(m->hdr[m->nhdr - 1].line, 13);

	/* "TO :" CRLF SP addr-spec ";   tag    = 1918181833n" */
	eq(nth(m, VOX_SIP_H_TO, 0)->name, "TO");
	addr(m, VOX_SIP_H_TO, 0, &a);
	assert_int_equal(a.display.len, 0);
	assert_false(a.bracketed);
	eq(a.uri.raw, "sip:vivekg@chair-dnrc.example.com");
	eq(a.tag, "1918181833n");

	/* "J Rosenberg \\\"" is J Rosenberg, SP, one backslash, one quote */
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_true(a.display_quoted);
	eq(a.display, "J Rosenberg \\\\\\\"");
	unquoted(a.display, "J Rosenberg \\\"", 14);
	eq(a.uri.raw, "sip:jdrosen@example.com");
	eq(a.tag, "98asjd8");

	/* leading zeros */
	eq(val(m, VOX_SIP_H_MAX_FORWARDS), "0068");
	eq(nth(m, VOX_SIP_H_MAX_FORWARDS, 0)->name, "MaX-fOrWaRdS");
	assert_int_equal(max_forwards(m), 68);
	cseq(m, 9, "INVITE");
	call_id(m, "wsinv.ndaksdj@192.0.2.1");

	/* three Via values in two fields: "Via" once, then "v" with two */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_VIA), 3);
	assert_int_equal(m->nvia, 3);
	via(m, 0, &v, "UDP", "192.0.2.2", "390skdjuw");
	assert_int_equal(v.host.kind, VOX_SIP_HOST_IPV4);
	assert_false(vox_sip_via_is_rfc3261(&v));
	via(m, 1, &v, "TCP", "spindle.example.com", "z9hG4bK9ikj8");
	assert_true(vox_sip_via_is_rfc3261(&v));
	via(m, 2, &v, "UDP", "192.168.255.111", "z9hG4bK30239");
	eq(nth(m, VOX_SIP_H_VIA, 0)->name, "Via");
	eq(nth(m, VOX_SIP_H_VIA, 1)->name, "v");
	assert_int_equal(nth(m, VOX_SIP_H_VIA, 1)->line, nth(m, VOX_SIP_H_VIA, 2)->line);
	assert_int_not_equal(nth(m, VOX_SIP_H_VIA, 0)->line, nth(m, VOX_SIP_H_VIA, 1)->line);

	/* empty Subject, compact form "s :" */
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_SUBJECT);
	assert_non_null(h);
	eq(h->name, "s");
	assert_int_equal(h->value.len, 0);
	assert_ptr_equal(vox_sip_find_name(m, S("Subject")), h);

	/* unknown headers: opaque, found by name (case-insensitive) */
	h = vox_sip_find_name(m, S("newfangledheader"));
	assert_non_null(h);
	assert_int_equal(h->id, VOX_SIP_H_OTHER);
	eq(h->name, "NewFangledHeader");
	eq(h->value, "newfangled value\r\n continued newfangled value");
	h = vox_sip_find_name(m, S("UnknownHeaderWithUnusualValue"));
	assert_non_null(h);
	eq(h->value, ";;,,;;,;");
	assert_null(vox_sip_find_next(m, h));

	struct vox_sip_ctype ct;
	assert_int_equal(vox_sip_ctype_parse(&ct, val(m, VOX_SIP_H_CONTENT_TYPE), NULL), 0);
	eq(ct.type, "application");
	eq(ct.subtype, "sdp");

	/* Route: CRLF SP <sip:...;lr;unknownwith=value;unknown-no-value> */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_ROUTE), 1);
	addr(m, VOX_SIP_H_ROUTE, 0, &a);
	assert_true(a.bracketed);
	eq(a.uri.host.name, "services.example.com");
	assert_int_equal(a.uri.params.n, 3);
	param(&a.uri.params, "lr", NULL);
	param(&a.uri.params, "unknownwith", "value");
	param(&a.uri.params, "unknown-no-value", NULL);

	/* m:"Quoted string \"\"" <...> ; newparam = newvalue ; secondparam ; q = 0.33 */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CONTACT), 1);
	eq(nth(m, VOX_SIP_H_CONTACT, 0)->name, "m");
	contact(m, 0, &c);
	assert_true(c.addr.display_quoted);
	unquoted(c.addr.display, "Quoted string \"\"", 16);
	eq(c.addr.uri.raw, "sip:jdrosen@example.com");
	assert_true(c.has_q);
	assert_int_equal(c.q, 330);
	assert_int_equal(c.addr.params.n, 3);
	param(&c.addr.params, "newparam", "newvalue");
	param(&c.addr.params, "secondparam", NULL);

	content_length(m, 150);
	assert_int_equal(m->body.p - m->base, 851);
	assert_memory_equal(m->body.p, "v=0\r\n", 5);
	assert_memory_equal(m->body.p + 150 - 17, "a=rtpmap:31 LPC\r\n", 17);
}

/* 3.1.1.2 Wide Range of Valid Characters */
static const char intmeth_method[] = "!interesting-Method0123456789_*+`.%indeed'~";
static const char intmeth_user[] = "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*";

static void check_intmeth(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_addr a;
	struct vox_sip_via v;

	/* an unknown method made of token characters; "%" is no escape here */
	eq(m->method, intmeth_method);
	assert_int_equal(m->method.len, 43);
	assert_int_equal(m->method_id, VOX_SIP_METHOD_OTHER);
	cseq(m, 139122385, intmeth_method);

	ruri(m, &u);
	assert_int_equal(u.scheme, VOX_SIP_SCHEME_SIP);
	eq(u.user, intmeth_user);
	assert_true(u.has_password);
	eq(u.password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
	eq(u.host.name, "example.com");
	assert_int_equal(u.params.n, 0);

	via(m, 0, &v, "TCP", "host1.example.com", "z9hG4bK-.!%66*_+`'~");

	/* To: "BEL:\<07> NUL:\<00> DEL:\<7f>": each control byte is a
	 * quoted-pair; the NUL must not cut the name short */
	static const char raw_dn[] = "BEL:\\\x07 NUL:\\\x00 DEL:\\\x7f";
	static const char dn[] = "BEL:\x07 NUL:\x00 DEL:\x7f";
	addr(m, VOX_SIP_H_TO, 0, &a);
	assert_true(a.display_quoted);
	eqn(a.display, raw_dn, sizeof raw_dn - 1);
	assert_non_null(memchr(a.display.p, 0x07, a.display.len));
	assert_non_null(memchr(a.display.p, 0x00, a.display.len));
	assert_non_null(memchr(a.display.p, 0x7f, a.display.len));
	unquoted(a.display, dn, sizeof dn - 1);
	eq(a.uri.user, intmeth_user);
	assert_false(a.uri.has_password);
	assert_null(a.tag.p);

	/* From: unquoted display-name tokens, an odd param with a UTF-8 value */
	static const char utf8[] =
	    "\xd1\x80\xd0\xb0\xd0\xb1\xd0\xbe\xd1\x82\xd0\xb0\xd1\x8e\xd1\x89"
	    "\xd0\xb8\xd0\xb9";
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_false(a.display_quoted);
	eq(a.display, "token1~` token2'+_ token3*%!.-");
	eq(a.uri.raw, "sip:mundane@example.com");
	const struct vox_sip_param *p = vox_sip_param_find(&a.params, "fromParam''~+*_!.-%");
	assert_non_null(p);
	assert_true(p->quoted);
	eqn(p->value, utf8, 20);
	eq(a.tag, "_token~1'+`*%!-.");

	call_id(m, "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
	assert_int_equal(max_forwards(m), 255);

	/* no SP after the colon; the value is a BOM and three CJK characters */
	const struct vox_sip_header *h = vox_sip_find_name(m, S("extensionHeader-!.%*+_`'~"));
	assert_non_null(h);
	assert_int_equal(h->id, VOX_SIP_H_OTHER);
	eqn(h->value, "\xef\xbb\xbf\xe5\xa4\xa7\xe5\x81\x9c\xe9\x9b\xbb", 12);

	content_length(m, 0);
	assert_int_equal(m->nhdr, 8);
}

/* 3.1.1.3 Valid Use of the % Escaping Mechanism */
static void check_esc01(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_addr a;
	struct vox_sip_contact c;
	struct vox_sip_via v;

	ruri(m, &u);
	eq(u.user, "sips%3Auser%40example.com");
	unescaped(u.user, "sips:user@example.com", 21);
	eq(u.host.name, "example.net");

	addr(m, VOX_SIP_H_TO, 0, &a);
	unescaped(a.uri.user, "user", 4);
	assert_int_equal(a.display.len, 0);
	assert_null(a.tag.p);
	addr(m, VOX_SIP_H_FROM, 0, &a);
	unescaped(a.uri.user, "I have spaces", 13);
	eq(a.tag, "938");

	assert_int_equal(max_forwards(m), 87);
	eq(nth(m, VOX_SIP_H_CALL_ID, 0)->name, "i");
	call_id(m, "esc01.239409asdfakjkn23onasd0-3234");
	cseq(m, 234234, "INVITE");
	via(m, 0, &v, "UDP", "host5.example.net", "z9hG4bKkdjuw");
	eq(nth(m, VOX_SIP_H_CONTENT_TYPE, 0)->name, "C");
	eq(val(m, VOX_SIP_H_CONTENT_TYPE), "application/sdp");

	/* <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>:
	 * decoded once, "%25%34%31" is "%41", not "A" */
	contact(m, 0, &c);
	unescaped(c.addr.uri.user, "caller", 6);
	eq(c.addr.uri.host.name, "host5.example.net");
	assert_int_equal(c.addr.uri.params.n, 2);
	unescaped(c.addr.uri.params.p[0].name, "lr", 2);
	assert_null(c.addr.uri.params.p[0].value.p);
	unescaped(c.addr.uri.params.p[1].name, "name", 4);
	unescaped(c.addr.uri.params.p[1].value, "value%41", 8);

	content_length(m, 150);
}

/* 3.1.1.4 Escaped Nulls in URIs */
static void check_escnull(const struct vox_sip_msg *m)
{
	struct vox_sip_addr to, from;
	struct vox_sip_contact c1, c2;
	struct vox_sip_via v;

	eq(m->method, "REGISTER");
	assert_int_equal(m->method_id, VOX_SIP_REGISTER);
	addr(m, VOX_SIP_H_TO, 0, &to);
	unescaped(to.uri.user, "null-\0-null", 11);
	addr(m, VOX_SIP_H_FROM, 0, &from);
	unescaped(from.uri.user, "null-\0-null", 11);
	eq(from.tag, "839923423");
	assert_true(vox_sip_uri_eq(&to.uri, &from.uri));

	assert_int_equal(max_forwards(m), 70);
	call_id(m, "escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd");
	cseq(m, 14398234, "REGISTER");
	via(m, 0, &v, "UDP", "host5.example.com", "z9hG4bKkdjuw");

	/* two distinct contacts: one NUL and two NULs */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CONTACT), 2);
	contact(m, 0, &c1);
	contact(m, 1, &c2);
	unescaped(c1.addr.uri.user, "\0", 1);
	unescaped(c2.addr.uri.user, "\0\0", 2);
	assert_false(vox_sip_uri_eq(&c1.addr.uri, &c2.addr.uri));

	eq(nth(m, VOX_SIP_H_CONTENT_LENGTH, 0)->name, "L");
	content_length(m, 0);
}

/* 3.1.1.5 Use of % When It Is Not an Escape */
static void check_esc02(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_addr a;
	struct vox_sip_contact c;
	struct vox_sip_via v;

	eq(m->method, "RE%47IST%45R");
	assert_int_equal(m->method_id, VOX_SIP_METHOD_OTHER);
	cseq(m, 29344, "RE%47IST%45R");
	ruri(m, &u);
	eq(u.raw, "sip:registrar.example.com");

	/* "%Z%45" is not an escape in a quoted string */
	addr(m, VOX_SIP_H_TO, 0, &a);
	assert_true(a.display_quoted);
	unquoted(a.display, "%Z%45", 5);
	eq(a.uri.raw, "sip:resource@example.com");
	addr(m, VOX_SIP_H_FROM, 0, &a);
	unquoted(a.display, "%Z%45", 5);
	eq(a.uri.raw, "sip:resource@example.com");
	eq(a.tag, "f232jadfj23");

	call_id(m, "esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf");
	assert_int_equal(max_forwards(m), 70);
	via(m, 0, &v, "TCP", "host.example.com", "z9hG4bK209%fzsnel234");

	/* "C%6Fntact" is an unknown header, not a third Contact */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CONTACT), 2);
	contact(m, 0, &c);
	eq(c.addr.uri.raw, "sip:alias1@host1.example.com");
	contact(m, 1, &c);
	eq(c.addr.uri.raw, "sip:alias3@host3.example.com");
	const struct vox_sip_header *h = vox_sip_find_name(m, S("C%6Fntact"));
	assert_non_null(h);
	assert_int_equal(h->id, VOX_SIP_H_OTHER);
	eq(h->value, "<sip:alias2@host2.example.com>");

	content_length(m, 0);
	assert_int_equal(m->nhdr, 10);
}

/* 3.1.1.6 Message with No LWS between Display Name and < */
static void check_lwsdisp(const struct vox_sip_msg *m)
{
	struct vox_sip_addr a;
	struct vox_sip_via v;

	eq(m->method, "OPTIONS");
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_false(a.display_quoted);
	eq(a.display, "caller");
	assert_true(a.bracketed);
	eq(a.uri.raw, "sip:caller@example.com");
	eq(a.tag, "323");
	addr(m, VOX_SIP_H_TO, 0, &a);
	eq(a.uri.raw, "sip:user@example.com");
	call_id(m, "lwsdisp.1234abcd@funky.example.com");
	cseq(m, 60, "OPTIONS");
	via(m, 0, &v, "UDP", "funky.example.com", "z9hG4bKkdjuw");
	content_length(m, 0);
}

/* 3.1.1.7 Long Values in Header Fields */
static void check_longreq(const struct vox_sip_msg *m)
{
	struct vox_sip_addr a;
	struct vox_sip_contact c;
	struct vox_sip_via v;

	assert_int_equal(m->nhdr, 43);

	/* To: a 103-char quoted display name right before "<", port 6000,
	 * three long URI parameters */
	addr(m, VOX_SIP_H_TO, 0, &a);
	assert_true(a.display_quoted);
	assert_int_equal(a.display.len, 103);
	eq(a.display, "I have a user name of "
	              "extremeextremeextremeextremeextremeextremeextremeextremeextremeextreme"
	              " proportion");
	eq(a.uri.user, "user");
	eq(a.uri.host.name, "example.com");
	assert_true(a.uri.host.has_port);
	assert_int_equal(a.uri.host.port, 6000);
	assert_int_equal(a.uri.params.n, 3);
	eq(a.uri.params.p[0].name, "unknownparam1");
	assert_int_equal(a.uri.params.p[0].value.len, 89);
	assert_int_equal(a.uri.params.p[1].name.len, 109);
	eq(a.uri.params.p[1].value, "shortvalue");
	assert_int_equal(a.uri.params.p[2].name.len, 128);
	assert_null(a.uri.params.p[2].value.p);
	assert_null(a.tag.p);

	/* F: a 115-char user, a 155-char tag, long header params */
	eq(nth(m, VOX_SIP_H_FROM, 0)->name, "F");
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_int_equal(a.uri.user.len, 115);
	eq(a.uri.host.name, "example.net");
	assert_int_equal(a.tag.len, 155);
	assert_int_equal(a.params.n, 3);
	assert_int_equal(a.params.p[1].name.len, 98);
	assert_int_equal(a.params.p[1].value.len, 92);
	assert_int_equal(a.params.p[2].name.len, 106);
	assert_null(a.params.p[2].value.p);

	assert_int_equal(val(m, VOX_SIP_H_CALL_ID).len, 141);
	assert_int_equal(vox_sip_callid_parse(val(m, VOX_SIP_H_CALL_ID), NULL), 0);
	cseq(m, 3882340, "INVITE");

	/* a 93-char unknown header name with a 306-char opaque value */
	const struct vox_sip_header *h = NULL;
	for (size_t i = 0; i < m->nhdr; i++)
		if (m->hdr[i].id == VOX_SIP_H_OTHER)
			h = &m->hdr[i];
	assert_non_null(h);
	assert_int_equal(h->name.len, 93);
	assert_ptr_equal(vox_sip_find_name(m, h->name), h);
	assert_int_equal(h->value.len, 306);

	/* 34 Via values on 34 lines, names in every case, SP before ":" */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_VIA), 34);
	assert_int_equal(m->nvia, 34);
	for (size_t i = 0; i < 33; i++) {
		char host[32];
		snprintf(host, sizeof host, "sip%zu.example.com", 33 - i);
		via(m, i, &v, "TCP", host, NULL);
		assert_int_equal(v.params.n, 0);
	}
	for (size_t i = 1; i < 34; i++)
		assert_int_not_equal(nth(m, VOX_SIP_H_VIA, i)->line,
		                     nth(m, VOX_SIP_H_VIA, i - 1)->line);
	assert_int_equal(vox_sip_via_parse(&v, nth(m, VOX_SIP_H_VIA, 33)->value, NULL), 0);
	eq(v.transport, "TCP");
	eq(v.host.name, "host.example.com");
	eq(v.received, "192.0.2.5");
	assert_int_equal(v.branch.len, 215);
	assert_false(vox_sip_via_is_rfc3261(&v));

	assert_int_equal(max_forwards(m), 70);
	contact(m, 0, &c);
	assert_int_equal(c.addr.uri.user.len, 115);
	eq(c.addr.uri.host.name, "host5.example.net");
	eq(val(m, VOX_SIP_H_CONTENT_TYPE), "application/sdp");
	content_length(m, 150);
}

/* 3.1.1.8 Extra Trailing Octets in a UDP Datagram */
static void check_dblreq(const struct vox_sip_msg *m)
{
	struct vox_sip_addr a;
	struct vox_sip_via v;

	/* the REGISTER only: the INVITE-looking 450 bytes after it are noise */
	eq(m->method, "REGISTER");
	assert_int_equal(m->method_id, VOX_SIP_REGISTER);
	assert_int_equal(m->len, 300);
	assert_int_equal(m->body.len, 0);
	assert_int_equal(m->nhdr, 8);
	for (size_t i = 0; i < m->nhdr; i++)
		assert_true(m->hdr[i].value.p + m->hdr[i].value.len <= m->base + 300);
	addr(m, VOX_SIP_H_TO, 0, &a);
	eq(a.uri.raw, "sip:j.user@example.com");
	assert_null(a.tag.p);
	addr(m, VOX_SIP_H_FROM, 0, &a);
	eq(a.tag, "43251j3j324");
	assert_int_equal(max_forwards(m), 8);
	eq(nth(m, VOX_SIP_H_CALL_ID, 0)->name, "I");
	call_id(m, "dblreq.0ha0isndaksdj99sdfafnl3lk233412");
	cseq(m, 8, "REGISTER");
	via(m, 0, &v, "UDP", "192.0.2.125", "z9hG4bKkdjuw23492");
	content_length(m, 0);
}

/* 3.1.1.9 Semicolon-Separated Parameters in URI User Part */
static void check_semiuri(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_via v;
	static const char *const accept[] = {"application/sdp", "application/pkcs7-mime",
	                                     "multipart/mixed", "multipart/signed",
	                                     "message/sip",     "message/sipfrag"};

	ruri(m, &u);
	eq(u.user, "user;par=u%40example.net");
	unescaped(u.user, "user;par=u@example.net", 22);
	eq(u.host.name, "example.com");
	assert_int_equal(u.params.n, 0);

	/* Accept folded over three lines: six values of one header line */
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_ACCEPT), ARRAY_LEN(accept));
	for (size_t i = 0; i < ARRAY_LEN(accept); i++) {
		const struct vox_sip_header *h = nth(m, VOX_SIP_H_ACCEPT, i);
		struct vox_sip_ctype ct;
		eq(h->value, accept[i]);
		assert_int_equal(h->line, nth(m, VOX_SIP_H_ACCEPT, 0)->line);
		assert_int_equal(vox_sip_ctype_parse(&ct, h->value, NULL), 0);
	}
	assert_int_equal(max_forwards(m), 3);
	call_id(m, "semiuri.0ha0isndaksdj");
	cseq(m, 8, "OPTIONS");
	via(m, 0, &v, "UDP", "192.0.2.1", "z9hG4bKkdjuw");
	content_length(m, 0);
}

/* 3.1.1.10 Varied and Unknown Transport Types */
static void check_transports(const struct vox_sip_msg *m)
{
	static const char *const t[5][3] = {
	    {"UDP", "t1.example.com", "z9hG4bKkdjuw"},
	    {"SCTP", "t2.example.com", "z9hG4bKklasjdhf"},
	    {"TLS", "t3.example.com", "z9hG4bK2980unddj"},
	    {"UNKNOWN", "t4.example.com", "z9hG4bKasd0f3en"},
	    {"TCP", "t5.example.com", "z9hG4bK0a9idfnee"},
	};
	struct vox_sip_via v;
	struct vox_sip_addr a;

	assert_int_equal(vox_sip_count(m, VOX_SIP_H_VIA), 5);
	for (size_t i = 0; i < 5; i++)
		via(m, i, &v, t[i][0], t[i][1], t[i][2]);
	call_id(m, "transports.kijh4akdnaqjkwendsasfdj");
	eq(val(m, VOX_SIP_H_ACCEPT), "application/sdp");
	cseq(m, 60, "OPTIONS");
	assert_int_equal(max_forwards(m), 70);
	addr(m, VOX_SIP_H_FROM, 0, &a);
	eq(a.tag, "323");
	content_length(m, 0);
}

/* 3.1.1.11 Multipart MIME Message */
static void check_mpart01(const struct vox_sip_msg *m)
{
	struct vox_sip_ctype ct;
	struct vox_sip_via v;
	struct vox_sip_date d;

	eq(m->method, "MESSAGE");
	assert_int_equal(m->method_id, VOX_SIP_MESSAGE);
	assert_int_equal(vox_sip_ctype_parse(&ct, val(m, VOX_SIP_H_CONTENT_TYPE), NULL), 0);
	eq(ct.type, "multipart");
	eq(ct.subtype, "mixed");
	assert_int_equal(ct.params.n, 1);
	param(&ct.params, "boundary", "7a9cbec02ceef655");

	via(m, 0, &v, "UDP", "127.0.0.1", "z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-");
	assert_int_equal(v.host.port, 5070);
	assert_true(v.has_rport);
	assert_false(v.rport_has_value);
	assert_int_equal(max_forwards(m), 70);
	cseq(m, 1, "MESSAGE");
	call_id(m, "3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..");
	assert_int_equal(val(m, VOX_SIP_H_IDENTITY).len, 172);
	assert_int_equal(vox_sip_date_parse(&d, val(m, VOX_SIP_H_DATE), NULL), 0);
	assert_int_equal(d.year, 2005);
	assert_int_equal(d.month, 10);
	assert_int_equal(d.day, 15);
	assert_int_equal(d.hour, 4);
	eq(vox_sip_find_name(m, S("Content-Transfer-Encoding"))->value, "binary");

	/* the binary second part has NULs and bare CR/LF: framed by length */
	content_length(m, 553);
	size_t nul = 0;
	for (size_t i = 0; i < m->body.len; i++)
		nul += m->body.p[i] == 0;
	assert_int_equal(nul, 2);
	assert_memory_equal(m->body.p + 553 - 22, "--7a9cbec02ceef655--\r\n", 22);
}

/* 3.1.1.12 Unusual Reason Phrase */
static void check_unreason(const struct vox_sip_msg *m)
{
	static const char reason[] = "= 2**3 * 5**2 "
	                             "\xd0\xbd\xd0\xbe \xd1\x81\xd1\x82\xd0\xbe "
	                             "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd0\xbd\xd0\xbe\xd1\x81\xd1"
	                             "\x82\xd0\xbe "
	                             "\xd0\xb4\xd0\xb5\xd0\xb2\xd1\x8f\xd1\x82\xd1\x8c - "
	                             "\xd0\xbf\xd1\x80\xd0\xbe\xd1\x81\xd1\x82\xd0\xbe\xd0\xb5";
	struct vox_sip_via v;

	assert_int_equal(m->status, 200);
	eq(m->version, "SIP/2.0");
	assert_int_equal(m->reason.len, 74);
	eqn(m->reason, reason, sizeof reason - 1);
	via(m, 0, &v, "UDP", "192.0.2.198", "z9hG4bK1324923");
	call_id(m, "unreason.1234ksdfak3j2erwedfsASdf");
	cseq(m, 35, "INVITE");
	content_length(m, 154);
}

/* 3.1.1.13 Empty Reason Phrase */
static void check_noreason(const struct vox_sip_msg *m)
{
	struct vox_sip_via v;
	struct vox_sip_addr a;

	assert_int_equal(m->status, 100);
	assert_int_equal(m->reason.len, 0);
	/* "SIP/2.0 100 " CRLF: the reason phrase is what follows the SP */
	assert_ptr_equal(m->reason.p, m->base + 12);
	via(m, 0, &v, "UDP", "192.0.2.105", "z9hG4bK2398ndaoe");
	call_id(m, "noreason.asndj203insdf99223ndf");
	cseq(m, 35, "INVITE");
	addr(m, VOX_SIP_H_TO, 0, &a);
	eq(a.tag, "902jndnke3");
	content_length(m, 0);
}

/* ---- transaction and application layer (RFC 4475 3.2, 3.3, 3.4) -------- */

/* 3.2.1 Missing Transaction Identifier */
static void check_badbranch(const struct vox_sip_msg *m)
{
	struct vox_sip_via v;
	via(m, 0, &v, "UDP", "192.0.2.1", "z9hG4bK");
	/* the cookie and nothing after it */
	assert_true(vox_sip_via_is_rfc3261(&v));
	assert_int_equal(v.branch.len, 7);
	cseq(m, 8, "OPTIONS");
}

/* 3.3.1 Missing Required Header Fields */
static void check_insuf(const struct vox_sip_msg *m)
{
	assert_int_equal(m->nhdr, 4);
	assert_null(vox_sip_find(m, VOX_SIP_H_CALL_ID));
	assert_null(vox_sip_find(m, VOX_SIP_H_FROM));
	assert_null(vox_sip_find(m, VOX_SIP_H_TO));
	assert_null(vox_sip_find(m, VOX_SIP_H_MAX_FORWARDS));
	cseq(m, 193942, "INVITE");
	content_length(m, 152);
}

/* 3.3.2 Request-URI with Unknown Scheme */
static void check_unkscm(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	struct vox_sip_via v;
	assert_int_equal(vox_sip_uri_parse(&u, m->uri, NULL), VOX_ESCHEME);
	eq(u.scheme_s, "nobodyKnowsThisScheme");
	eq(u.raw, "nobodyKnowsThisScheme:totallyopaquecontent");
	via(m, 0, &v, "TCP", "host9.example.com", "z9hG4bKkdjuw39234");
}

/* 3.3.3 Request-URI with Known but Atypical Scheme */
static void check_novelsc(const struct vox_sip_msg *m)
{
	struct vox_sip_uri u;
	assert_int_equal(vox_sip_uri_parse(&u, m->uri, NULL), VOX_ESCHEME);
	eq(u.scheme_s, "soap.beep");
	eq(u.raw, "soap.beep://192.0.2.103:3002");
}

/* 3.3.4 Unknown URI Schemes in Header Fields: parsers must not fail */
static void check_unksm2(const struct vox_sip_msg *m)
{
	struct vox_sip_addr a;
	struct vox_sip_contact c;
	addr(m, VOX_SIP_H_TO, 0, &a);
	assert_int_equal(a.uri.scheme, VOX_SIP_SCHEME_OTHER);
	eq(a.uri.scheme_s, "isbn");
	eq(a.uri.raw, "isbn:2983792873");
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_int_equal(a.uri.scheme, VOX_SIP_SCHEME_OTHER);
	eq(a.uri.raw, "http://www.example.com");
	eq(a.tag, "3234233");
	contact(m, 0, &c);
	assert_int_equal(c.addr.uri.scheme, VOX_SIP_SCHEME_OTHER);
	eq(c.addr.uri.raw, "name:John_Smith");
}

/* 3.3.5 Proxy-Require and Require */
static void check_bext01(const struct vox_sip_msg *m)
{
	struct vox_sip_via v;
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_REQUIRE), 2);
	eq(nth(m, VOX_SIP_H_REQUIRE, 0)->value, "nothingSupportsThis");
	eq(nth(m, VOX_SIP_H_REQUIRE, 1)->value, "nothingSupportsThisEither");
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_PROXY_REQUIRE), 2);
	eq(nth(m, VOX_SIP_H_PROXY_REQUIRE, 0)->value, "noProxiesSupportThis");
	eq(nth(m, VOX_SIP_H_PROXY_REQUIRE, 1)->value, "norDoAnyProxiesSupportThis");
	via(m, 0, &v, "TLS", "fold-and-staple.example.com", "z9hG4bKkdjuw");
}

/* 3.3.6 Unknown Content-Type */
static void check_invut(const struct vox_sip_msg *m)
{
	struct vox_sip_ctype ct;
	assert_int_equal(vox_sip_ctype_parse(&ct, val(m, VOX_SIP_H_CONTENT_TYPE), NULL), 0);
	eq(ct.type, "application");
	eq(ct.subtype, "unknownformat");
	content_length(m, 40);
	eq(m->body, "<audio>\r\n <pcmu port=\"443\"/>\r\n</audio>\r\n");
}

/* 3.3.7 Unknown Authorization Scheme */
static void check_regaut01(const struct vox_sip_msg *m)
{
	struct vox_sip_auth a;
	assert_int_equal(vox_sip_auth_parse(&a, val(m, VOX_SIP_H_AUTHORIZATION), NULL), 0);
	eq(a.scheme, "NoOneKnowsThisScheme");
	assert_int_equal(a.params.n, 1);
	param(&a.params, "opaque-data", "here");
	/* "Content-Length:0", no SP after the colon */
	content_length(m, 0);
}

/* 3.3.8 Multiple Values in Single Value Required Fields */
static void check_multi01(const struct vox_sip_msg *m)
{
	assert_int_equal(m->nhdr, 15);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CSEQ), 2);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CALL_ID), 2);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_FROM), 2);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_TO), 2);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_MAX_FORWARDS), 2);
	assert_int_equal(vox_sip_count(m, VOX_SIP_H_CONTACT), 2);
	eq(nth(m, VOX_SIP_H_CALL_ID, 1)->value, "multi01.98asdh@192.0.2.2");
	content_length(m, 154);
}

/* 3.3.10 200 OK Response with Broadcast Via Header Field Value */
static void check_bcast(const struct vox_sip_msg *m)
{
	static const uint8_t bcast[4] = {255, 255, 255, 255};
	struct vox_sip_via v;
	assert_int_equal(m->status, 200);
	assert_int_equal(m->nvia, 2);
	via(m, 0, &v, "UDP", "192.0.2.198", "z9hG4bK1324923");
	via(m, 1, &v, "UDP", "255.255.255.255", "z9hG4bK1saber23");
	assert_int_equal(v.host.kind, VOX_SIP_HOST_IPV4);
	assert_memory_equal(v.host.addr, bcast, 4);
}

/* 3.3.11 Max-Forwards of Zero */
static void check_zeromf(const struct vox_sip_msg *m)
{
	assert_int_equal(max_forwards(m), 0);
	cseq(m, 39234321, "OPTIONS");
}

/* 3.3.12 REGISTER with a Contact Header Parameter */
static void check_cparam01(const struct vox_sip_msg *m)
{
	struct vox_sip_contact c;
	contact(m, 0, &c);
	assert_false(c.addr.bracketed);
	eq(c.addr.uri.raw, "sip:+19725552222@gw1.example.net");
	/* an addr-spec: the parameter belongs to the header, not the URI */
	assert_int_equal(c.addr.uri.params.n, 0);
	assert_int_equal(c.addr.params.n, 1);
	param(&c.addr.params, "unknownparam", NULL);
}

/* 3.3.13 REGISTER with a url-parameter */
static void check_cparam02(const struct vox_sip_msg *m)
{
	struct vox_sip_contact c;
	contact(m, 0, &c);
	assert_true(c.addr.bracketed);
	assert_int_equal(c.addr.uri.params.n, 1);
	param(&c.addr.uri.params, "unknownparam", NULL);
	assert_int_equal(c.addr.params.n, 0);
}

/* 3.3.14 REGISTER with a URL Escaped Header */
static void check_regescrt(const struct vox_sip_msg *m)
{
	struct vox_sip_contact c;
	eq(nth(m, VOX_SIP_H_CONTACT, 0)->name, "M");
	contact(m, 0, &c);
	eq(c.addr.uri.headers, "Route=%3Csip:sip.example.com%3E");
	unescaped(c.addr.uri.headers, "Route=<sip:sip.example.com>", 27);
}

/* 3.3.15 Unacceptable Accept Offering */
static void check_sdp01(const struct vox_sip_msg *m)
{
	eq(val(m, VOX_SIP_H_ACCEPT), "text/nobodyKnowsThis");
	eq(val(m, VOX_SIP_H_CONTENT_TYPE), "application/sdp");
	content_length(m, 150);
}

/* 3.4.1 INVITE with RFC 2543 Syntax */
static void check_inv2543(const struct vox_sip_msg *m)
{
	struct vox_sip_addr a;
	struct vox_sip_via v;

	/* no Content-Length: the body is the rest of the datagram */
	assert_false(m->has_content_length);
	assert_int_equal(m->body.len, 105);
	assert_memory_equal(m->body.p, "v=0\r\n", 5);
	assert_null(vox_sip_find(m, VOX_SIP_H_MAX_FORWARDS));
	/* no branch */
	via(m, 0, &v, "UDP", "iftgw.example.com", NULL);
	assert_int_equal(v.params.n, 0);
	assert_false(vox_sip_via_is_rfc3261(&v));
	/* no From tag; user=phone inside <> is a URI parameter */
	addr(m, VOX_SIP_H_FROM, 0, &a);
	assert_null(a.tag.p);
	param(&a.uri.params, "user", "phone");
	/* an addr-spec To: user=phone is a header parameter */
	addr(m, VOX_SIP_H_TO, 0, &a);
	eq(a.uri.raw, "sip:+16505552222@ss1.example.net");
	assert_int_equal(a.uri.params.n, 0);
	param(&a.params, "user", "phone");
	addr(m, VOX_SIP_H_RECORD_ROUTE, 0, &a);
	param(&a.uri.params, "maddr", "ss1.example.com");
	cseq(m, 56, "INVITE");
	call_id(m, "inv2543.1717@ift.client.example.com");
}

/* ---- the table ------------------------------------------------------------ */

struct tcase {
	const char *name; /* file name without .dat */
	const char *sect; /* RFC 4475 section, or the rule that decides it */
	/* vox_sip_parse(VOX_SIP_DATAGRAM): message length or error */
	int dgram;
	/* the UAS verdict (when dgram > 0): status (0 = accept for
	 * processing), or alt (if not 0) where the RFC allows either; drop
	 * for a response to discard */
	int status, alt, drop;
	/* the verdict (or the parse error) points into the line that starts
	 * with this; NULL: not checked */
	const char *at;
	/* the option tags a 420 lists in Unsupported */
	const char *unsup[2];
	/* byte stream: vox_sip_frame on the whole file, and vox_sip_parse
	 * without VOX_SIP_DATAGRAM; 0: the same as dgram */
	int frame, stream;
	void (*check)(const struct vox_sip_msg *m);
	const char *dir; /* folder under tests/vectors; NULL: rfc4475 */
};

/* not const: cmocka passes it on as a void * */
static struct tcase cases[] = {
    /* 3.1.1 valid: must parse, and be accepted for processing */
    {"wsinv", "3.1.1.1", 1001, .check = check_wsinv},
    {"intmeth", "3.1.1.2", 641, .check = check_intmeth},
    {"esc01", "3.1.1.3", 543, .check = check_esc01},
    {"escnull", "3.1.1.4", 359, .check = check_escnull},
    {"esc02", "3.1.1.5", 439, .check = check_esc02},
    {"lwsdisp", "3.1.1.6", 255, .check = check_lwsdisp},
    {"longreq", "3.1.1.7", 3515, .check = check_longreq},
    /* 750 bytes in the datagram; the message is the first 300 */
    {"dblreq", "3.1.1.8", 300, .check = check_dblreq},
    {"semiuri", "3.1.1.9", 380, .check = check_semiuri},
    {"transports", "3.1.1.10", 503, .check = check_transports},
    {"mpart01", "3.1.1.11", 1290, .check = check_mpart01},
    {"unreason", "3.1.1.12", 526, .check = check_unreason},
    {"noreason", "3.1.1.13", 274, .check = check_noreason},

    /* 3.1.2 invalid */
    {"badinv01", "3.1.2.1", 472, .status = 400, .at = "Via: SIP/2.0/UDP 192.0.2.15;;,"},
    /* UDP: 400; a stream waits for the 9999 bytes (and closes on timeout) */
    {"clerr", "3.1.2.2", VOX_EMALFORMED, .frame = VOX_EINCOMPLETE, .stream = VOX_EINCOMPLETE},
    /* an error for every reader: UDP discards the datagram, a stream closes */
    {"ncl", "3.1.2.3", VOX_EMALFORMED, .at = "Content-Length: -999"},
    /* 400 because of the CSeq (Max-Forwards and the expiries come later) */
    {"scalar02", "3.1.2.4", 476, .status = 400, .at = "CSeq: 36893488147419103232"},
    /* a response: discard */
    {"scalarlg", "3.1.2.5", 385, .drop = 1, .at = "CSeq: 9292394834772304023312"},
    {"quotbal", "3.1.2.6", 485, .status = 400, .at = "To: \"Mr. J. User"},
    {"ltgtruri", "3.1.2.7", 452, .status = 400, .at = "INVITE <sip:"},
    /* malformed Request-Lines: the stream is still framed, the parse fails */
    {"lwsruri", "3.1.2.8", VOX_EMALFORMED, .frame = 541, .at = "INVITE sip:user@example.com; lr"},
    {"lwsstart", "3.1.2.9", VOX_EMALFORMED, .frame = 506, .at = "INVITE  sip:"},
    {"trws", "3.1.2.10", VOX_EMALFORMED, .frame = 327, .at = "OPTIONS sip:remote-target"},
    {"escruri", "3.1.2.11", 550, .status = 400, .at = "INVITE sip:user@example.com?Route="},
    {"baddate", "3.1.2.12", 532, .status = 400, .at = "Date: Fri, 01 Jan 2010 16:00:00 EST"},
    {"regbadct", "3.1.2.13", 307, .status = 400, .at = "Contact: sip:user@example.com?Route"},
    {"badaspec", "3.1.2.14", 346, .status = 400, .at = "To: \"Watson, Thomas\" < sip:"},
    /* no empty line at all: a datagram ends the headers, a stream waits */
    {"baddn", "3.1.2.15", 331, .status = 400, .at = "From:    Bell, Alexander",
     .frame = VOX_EINCOMPLETE, .stream = VOX_EINCOMPLETE},
    {"badvers", "3.1.2.16", 291, .status = 505, .at = "OPTIONS sip:t.watson@example.org SIP/7.0"},
    {"mismatch01", "3.1.2.17", 236, .status = 400, .at = "CSeq: 8 INVITE"},
    /* 501 preferred, 400 acceptable; without a methods list only 400 (see
     * mismatch02/methods below) */
    {"mismatch02", "3.1.2.18", 449, .status = 400, .at = "CSeq: 8 INVITE"},
    /* a response: drop */
    {"bigcode", "3.1.2.19", VOX_ERANGE, .frame = 332, .at = "SIP/2.0 4294967301"},

    /* 3.2 transaction layer: RFC 2543 matching, or 400 */
    {"badbranch", "3.2.1", 262, .alt = 400, .check = check_badbranch},

    /* 3.3 application layer */
    {"insuf", "3.3.1", 304, .status = 400, .check = check_insuf},
    {"unkscm", "3.3.2", 291, .status = 416,
     .at = "OPTIONS nobodyKnowsThisScheme:", .check = check_unkscm},
    {"novelsc", "3.3.3", 277, .status = 416, .at = "OPTIONS soap.beep:", .check = check_novelsc},
    /* a registrar: 400, the To of a REGISTER must be a SIP or SIPS AOR */
    {"unksm2", "3.3.4", 282, .status = 400, .at = "To: isbn:", .check = check_unksm2},
    {"bext01", "3.3.5", 381, .status = 420, .at = "Require: nothingSupportsThis",
     .unsup = {"nothingSupportsThis", "nothingSupportsThisEither"}, .check = check_bext01},
    {"invut", "3.3.6", 391, .status = 415, .at = "Content-Type: application/unknownformat",
     .check = check_invut},
    /* a registrar without challenges processes it (see regaut01/ua) */
    {"regaut01", "3.3.7", 304, .check = check_regaut01},
    /* the first value that repeats a single-valued header */
    {"multi01", "3.3.8", 643, .status = 400, .at = "CSeq: 59 INVITE", .check = check_multi01},
    /* an error for every reader: UDP discards the datagram, a stream closes */
    {"mcl01", "3.3.9", VOX_EMALFORMED, .at = "Content-Length: 5"},
    /* an endpoint discards it */
    {"bcast", "3.3.10", 516, .drop = 1, .at = "Via: SIP/2.0/UDP 255.255.255.255",
     .check = check_bcast},
    /* an endpoint processes it as if Max-Forwards were positive */
    {"zeromf", "3.3.11", 272, .check = check_zeromf},
    {"cparam01", "3.3.12", 321, .check = check_cparam01},
    {"cparam02", "3.3.13", 311, .check = check_cparam02},
    {"regescrt", "3.3.14", 302, .check = check_regescrt},
    /* 406, or 400 */
    {"sdp01", "3.3.15", 494, .status = 406, .alt = 400, .at = "Accept: text/nobodyKnowsThis",
     .check = check_sdp01},

    /* 3.4 backward compatibility: accept; without a Content-Length it
     * works only as a datagram (RFC 3261 18.3) */
    {"inv2543", "3.4.1", 445, .frame = VOX_EMALFORMED, .stream = VOX_EMALFORMED,
     .check = check_inv2543},
};

/* The received and maddr of sip-verdicts/via-received-v6.dat */
static void check_received_v6(const struct vox_sip_msg *m)
{
	struct vox_sip_via v;
	via(m, 0, &v, "UDP", "2001:db8::9:1", "z9hG4bK-via-received-v6");
	eq(v.received, "2001:db8::9:255");
	eq(v.maddr, "[ff02::fb]");
}

/* vox's own cases: tests/vectors/sip-verdicts/INDEX.md says what each one
 * shows. Valid ones are accepted (status 0); the rest get the verdict of
 * the rule named. */
#define VD "sip-verdicts"
static struct tcase verdicts[] = {
    /* SIP-Version is case-insensitive, in requests and responses alike */
    {"vers-lower", "RFC 3261 7.1", 282, .dir = VD},
    {"vers-lower-resp", "RFC 3261 7.1", 265, .dir = VD},
    /* ... so a broken one is a response too: dropped, never a 400 */
    {"vers-lower-bad", "RFC 3261 7.1", VOX_ERANGE, .frame = 264, .at = "sip/2.0 2000", .dir = VD},
    /* wkday, month and "GMT" are ABNF literals: case-insensitive */
    {"date-lower", "RFC 3261 25, RFC 2234 2.3", 319, .dir = VD},
    /* a control byte only as a quoted-pair in a quoted-string or comment,
     * in every header, known or not; never in a start line */
    {"esc-ctl-unknown", "RFC 3261 25.1", VOX_EMALFORMED, .at = "X-Note: a", .dir = VD},
    {"esc-ctl-subject", "RFC 3261 25.1", VOX_EMALFORMED, .at = "Subject:", .dir = VD},
    /* the framer leaves the start line to the parser */
    {"esc-ctl-reason", "RFC 3261 25.1", VOX_EMALFORMED, .frame = 270, .at = "SIP/2.0 200 OK",
     .dir = VD},
    {"esc-ctl-quoted", "RFC 3261 25.1", 310, .dir = VD},
    {"esc-ctl-comment", "RFC 3261 25.1", 339, .dir = VD},
    {"esc-ctl-after-comment", "RFC 3261 25.1", VOX_EMALFORMED, .at = "Server:", .dir = VD},
    {"esc-ctl-after-quote", "RFC 3261 25.1", VOX_EMALFORMED, .at = "X-Note:", .dir = VD},
    {"esc-ctl-fold-quoted", "RFC 3261 25.1", 318, .dir = VD},
    {"esc-ctl-fold", "RFC 3261 25.1", VOX_EMALFORMED, .at = " \\\x01", .dir = VD},
    /* a list header has no comment: the ',' would split it */
    {"esc-ctl-list-comment", "RFC 3261 7.3.1, 25.1", VOX_EMALFORMED, .at = "Reason:", .dir = VD},
    /* "\\" is the quoted-pair, the NUL after it is bare */
    {"esc-ctl-escaped-bs", "RFC 3261 25.1", VOX_EMALFORMED, .at = "X-Note:", .dir = VD},
    /* gen-value = token / host / quoted-string; a tag or branch is a
     * token; only Via's received may be a bare IPv6address */
    {"tag-colon", "RFC 3261 25.1", 281, .status = 400, .at = "From:", .dir = VD},
    {"tag-v6ref", "RFC 3261 25.1", 283, .status = 400, .at = "From:", .dir = VD},
    {"param-colon", "RFC 3261 25.1", 344, .status = 400, .at = "Contact:", .dir = VD},
    {"param-v6ref-bad", "RFC 3261 25.1", 354, .status = 400, .at = "Contact:", .dir = VD},
    {"param-v6ref", "RFC 3261 25.1", 345, .dir = VD},
    {"via-branch-colon", "RFC 3261 25.1", 287, .status = 400, .at = "Via:", .dir = VD},
    {"via-other-colon", "RFC 3261 25.1", 325, .status = 400, .at = "Via:", .dir = VD},
    {"via-received-v6", "RFC 3261 20.42", 337, .check = check_received_v6, .dir = VD},
    /* not the grammar, but RFC 5118 4.5 asks to accept it */
    {"via-received-v6ref", "RFC 5118 4.5", 323, .dir = VD},
    /* a body says what it is; an empty one may too */
    {"body-no-ctype", "RFC 3261 20.15", 307, .status = 400, .at = "Watson", .dir = VD},
    {"body-no-ctype-resp", "RFC 3261 20.15", 276, .drop = 1, .at = "v=0", .dir = VD},
    {"ctype-empty-body", "RFC 3261 20.15", 325, .dir = VD},
    /* only a list header may repeat, and the authentication headers */
    {"multi-subject", "RFC 3261 7.3.1", 321, .status = 400, .at = "Subject: dinner", .dir = VD},
    {"multi-refer-to", "RFC 3515 2.4.1", 395, .status = 400, .at = "Refer-To: <sip:dave@",
     .dir = VD},
    {"multi-user-agent", "RFC 3261 7.3.1", 337, .status = 400, .at = "User-Agent: evil", .dir = VD},
    {"multi-auth", "RFC 3261 7.3.1", 574, .dir = VD},
};

static int frame_of(const struct tcase *tc)
{
	return tc->frame ? tc->frame : tc->dgram;
}

static int stream_of(const struct tcase *tc)
{
	return tc->stream ? tc->stream : tc->dgram;
}

static const char *const accept_types[] = {"application/sdp", "multipart/mixed"};
static const struct vox_sip_validate_opts uas_opts = {
    .role = VOX_SIP_ROLE_UAS,
    .accept = accept_types,
    .naccept = ARRAY_LEN(accept_types),
};

/* The line that holds byte off starts with at. */
static void assert_at(const char *buf, size_t len, size_t off, const char *at)
{
	assert_true(off <= len);
	size_t ls = off;
	while (ls > 0 && buf[ls - 1] != '\n')
		ls--;
	size_t n = strlen(at);
	if (len - ls < n || memcmp(buf + ls, at, n) != 0)
		fail_msg("offset %zu is in the line \"%.40s...\", expected \"%s\"", off, buf + ls,
		         at);
}

/* Three vectors go past the limits of a small profile (configs/minimal.h
 * sets them): skipped there. */
static void skip_beyond_limits(const struct tcase *tc)
{
	skip_unless(VOX_SIP_MAX_TOKEN >= 93 || strcmp(tc->name, "longreq") != 0,
	            "longreq has a 93-byte header name, above VOX_SIP_MAX_TOKEN");
	skip_unless(VOX_SIP_MAX_VIA >= 5 || strcmp(tc->name, "transports") != 0,
	            "transports has five Via values, above VOX_SIP_MAX_VIA");
	skip_unless(VOX_SIP_MAX_MSG >= 9999 || strcmp(tc->name, "clerr") != 0,
	            "clerr announces a 9999-byte body, above VOX_SIP_MAX_MSG");
}

/* Datagram parse, field values, UAS verdict. */
static void test_datagram(void **state)
{
	const struct tcase *tc = *state;
	skip_beyond_limits(tc);
	struct vec v;
	static struct vox_sip_msg m; /* 5 KB: keep it off the stack */
	struct vox_diag d = {0, NULL};

	vec_load(&v, tc->dir, tc->name);
	int rc = vox_sip_parse(&m, v.p, v.len, VOX_SIP_DATAGRAM, &d);
	if (rc != tc->dgram)
		print_message("%s: vox_sip_parse: %d (%s at %zu)\n", tc->name, rc,
		              rc < 0 ? d.what : "", rc < 0 ? d.off : 0);
	assert_int_equal(rc, tc->dgram);
	if (rc < 0) {
		if (tc->at)
			assert_at(v.p, v.len, d.off, tc->at);
		vec_free(&v);
		return;
	}
	assert_int_equal(m.len, (size_t)rc);
	assert_ptr_equal(m.base, v.p);
	assert_ptr_equal(m.body.p + m.body.len, v.p + m.len);
	if (tc->check)
		tc->check(&m);

	struct vox_sip_verdict vd;
	assert_int_equal(vox_sip_validate(&m, &uas_opts, &vd), 0);
	int alt = tc->alt ? tc->alt : tc->status;
	if ((int)vd.status != tc->status && (int)vd.status != alt)
		print_message("%s: verdict %u %s (%s)\n", tc->name, vd.status, vd.reason,
		              vd.detail ? vd.detail : "");
	assert_true((int)vd.status == tc->status || (int)vd.status == alt);
	assert_int_equal(vd.drop, tc->drop);
	if (m.status)
		assert_int_equal(vd.status, 0); /* never answer a response */
	if (tc->at)
		assert_at(v.p, v.len, vd.off, tc->at);
	size_t nunsup = tc->unsup[0] ? (tc->unsup[1] ? 2 : 1) : 0;
	assert_int_equal(vd.nunsupported, nunsup);
	for (size_t i = 0; i < nunsup; i++)
		eq(vd.unsupported[i], tc->unsup[i]);
	vec_free(&v);
}

/* Bytes up to and including the first empty line (all of them if none:
 * baddn.dat has none). */
static size_t header_end(const struct vec *v)
{
	for (size_t i = 0; i + 4 <= v->len; i++)
		if (memcmp(v->p + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return v->len;
}

/* Stream framing: vox_sip_frame, vox_sip_parse without VOX_SIP_DATAGRAM
 * and the datagram parser agree on where each message ends. */
static void test_stream(void **state)
{
	const struct tcase *tc = *state;
	skip_beyond_limits(tc);
	struct vec v;
	static struct vox_sip_msg m;
	struct vox_sip_framer f;
	enum vox_sip_frame_kind kind = 0;

	vec_load(&v, tc->dir, tc->name);
	vox_sip_framer_init(&f);
	int fr = vox_sip_frame(&f, v.p, v.len, &kind, NULL);
	assert_int_equal(fr, frame_of(tc));
	if (fr > 0)
		assert_int_equal(kind, VOX_SIP_FRAME_MESSAGE);
	int sr = vox_sip_parse(&m, v.p, v.len, 0, NULL);
	assert_int_equal(sr, stream_of(tc));

	/* the anti-smuggling property: one length for every reader */
	if (fr > 0 && sr > 0)
		assert_int_equal(fr, sr);
	if (fr > 0 && tc->dgram > 0)
		assert_int_equal(fr, tc->dgram);
	if (fr > 0) {
		/* the framed bytes alone parse to the same message */
		const char *g = guard_copy(v.p, (size_t)fr);
		int r2 = vox_sip_parse(&m, g, (size_t)fr, 0, NULL);
		assert_int_equal(r2, sr > 0 ? fr : stream_of(tc));
		if (tc->dgram > 0)
			assert_int_equal(vox_sip_parse(&m, g, (size_t)fr, VOX_SIP_DATAGRAM, NULL),
			                 fr);
		guard_free(g);
	}

	vec_free(&v);
}

/*
 * A connection delivers a message in pieces. Byte by byte, every strict
 * prefix is incomplete for the framer (one framer across calls, as on a
 * connection) and for the stream parser, and the full message is framed at
 * its length; a framing error shows up once the header section is
 * complete. Then the same message in two reads, split in its body, with
 * the next message right behind it: the framer must stop at the first one.
 */
static void test_bytes(void **state)
{
	const struct tcase *tc = *state;
	skip_beyond_limits(tc);
	struct vec v;
	static struct vox_sip_msg m;
	struct vox_sip_framer f;
	enum vox_sip_frame_kind kind = 0;
	char why[160] = "";

	vec_load(&v, tc->dir, tc->name);
	const int fr = frame_of(tc), sr = stream_of(tc);
	const size_t head = header_end(&v);
	const size_t full = fr > 0 ? (size_t)fr : fr == VOX_EINCOMPLETE ? v.len : head;
	int stuck = 0; /* the complete message is still "incomplete" */
	vox_sip_framer_init(&f);
	for (size_t k = 1; k <= full && !why[0] && !stuck; k++) {
		const char *g = guard_copy(v.p, k);
		int r = vox_sip_frame(&f, g, k, &kind, NULL);
		if (k < full || fr == VOX_EINCOMPLETE) {
			if (r != VOX_EINCOMPLETE)
				snprintf(why, sizeof why,
				         "vox_sip_frame of the first %zu bytes: %d", k, r);
			/* (a bad message may fail as soon as its bad part is in) */
			int p = sr > 0 || sr == VOX_EINCOMPLETE || tc->dgram > 0
			            ? vox_sip_parse(&m, g, k, 0, NULL)
			            : VOX_EINCOMPLETE;
			if (p != VOX_EINCOMPLETE)
				snprintf(why, sizeof why,
				         "vox_sip_parse of the first %zu bytes: %d", k, p);
		} else if (r == VOX_EINCOMPLETE && fr > 0 && (size_t)fr > head) {
			stuck = 1;
		} else if (r != fr || (fr > 0 && kind != VOX_SIP_FRAME_MESSAGE)) {
			snprintf(why, sizeof why, "vox_sip_frame of all %zu bytes: %d", k, r);
		}
		guard_free(g);
	}

	/* the headers and half the body, then the rest and the next message
	 * in one read */
	int swallowed = 0;
	if (fr > 0 && (size_t)fr > head && !why[0]) {
		char *two = malloc(2 * (size_t)fr);
		assert_non_null(two);
		memcpy(two, v.p, (size_t)fr);
		memcpy(two + fr, v.p, (size_t)fr);
		const char *g = guard_copy(two, 2 * (size_t)fr);
		free(two);
		vox_sip_framer_init(&f);
		int r1 = vox_sip_frame(&f, g, head + ((size_t)fr - head) / 2, &kind, NULL);
		int r2 = vox_sip_frame(&f, g, 2 * (size_t)fr, &kind, NULL);
		guard_free(g);
		if (r1 != VOX_EINCOMPLETE)
			snprintf(why, sizeof why, "half the body: vox_sip_frame %d", r1);
		else if (r2 != fr)
			swallowed = r2;
	}
	vec_free(&v); /* before a failure or skip() */
	if (why[0])
		fail_msg("%s: %s", tc->name, why);
	/* The framer must never stall on a body that arrives after its
	 * headers, nor frame a following message into this one (RFC 3261 18.3
	 * frames by Content-Length: anything else is request smuggling). */
	if (stuck)
		fail_msg("%s: the framer never completes a message whose body arrives later",
		         tc->name);
	if (swallowed)
		fail_msg("%s: the framer frames %d bytes for a %d-byte message", tc->name,
		         swallowed, fr);
}

/* ---- other roles and options ---------------------------------------------- */

/* the methods of RFC 3261, REGISTER last */
static const enum vox_sip_method std_methods[] = {
    VOX_SIP_INVITE, VOX_SIP_ACK, VOX_SIP_BYE, VOX_SIP_CANCEL, VOX_SIP_OPTIONS, VOX_SIP_REGISTER,
};

struct rcase {
	const char *test; /* test name */
	const char *name; /* file */
	enum vox_sip_role role;
	size_t nmethods;       /* the first nmethods of std_methods; 0: no list */
	int status, alt, drop; /* as in struct tcase */
	const char *unsup[2];
	/* non-NULL: vox disagrees with RFC 4475 here (see the comment) */
	const char *fixme;
};

static struct rcase rcases[] = {
    /* 3.1.1.2, 3.1.1.5: an endpoint answers an unknown method with 501 */
    {"intmeth/methods", "intmeth", .role = VOX_SIP_ROLE_UAS, .nmethods = 6, .status = 501},
    {"esc02/methods", "esc02", .role = VOX_SIP_ROLE_UAS, .nmethods = 6, .status = 501},
    /* a proxy forwards what it can route (or answers 404): nothing to reject */
    {"intmeth/proxy", "intmeth", .role = VOX_SIP_ROLE_PROXY},
    /* 3.1.2.18: 501 preferred, 400 acceptable */
    {"mismatch02/methods", "mismatch02", .role = VOX_SIP_ROLE_UAS, .nmethods = 6, .status = 501,
     .alt = 400},
    /* 3.3.4: a proxy treats it as any other request */
    {"unksm2/proxy", "unksm2", .role = VOX_SIP_ROLE_PROXY},
    /* 3.3.5: a proxy lists the Proxy-Require tags */
    {"bext01/proxy", "bext01", .role = VOX_SIP_ROLE_PROXY, .status = 420,
     .unsup = {"noProxiesSupportThis", "norDoAnyProxiesSupportThis"}},
    /* 3.3.6: a proxy processes it like any INVITE */
    {"invut/proxy", "invut", .role = VOX_SIP_ROLE_PROXY},
    /* 3.3.7: an endpoint that is not a registrar (no REGISTER in its list)
     * answers 405 */
    {"regaut01/ua", "regaut01", .role = VOX_SIP_ROLE_UAS, .nmethods = 5, .status = 405},
    /* 3.3.7: a proxy forwards it with the Authorization untouched */
    {"regaut01/proxy", "regaut01", .role = VOX_SIP_ROLE_PROXY},
    /* 3.3.10: "proxies should drop such responses" */
    {"bcast/proxy", "bcast", .role = VOX_SIP_ROLE_PROXY, .drop = 1},
    /* 3.3.11: "A proxy should not forward the request and should respond
     * 483 (Too Many Hops)." */
    {"zeromf/proxy", "zeromf", .role = VOX_SIP_ROLE_PROXY, .status = 483},
};

static int verdict_ok(const struct rcase *rc, const struct vox_sip_verdict *vd)
{
	int alt = rc->alt ? rc->alt : rc->status;
	if ((int)vd->status != rc->status && (int)vd->status != alt)
		return 0;
	if (vd->drop != rc->drop)
		return 0;
	size_t n = rc->unsup[0] ? (rc->unsup[1] ? 2 : 1) : 0;
	if (vd->nunsupported != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!vox_slice_eq(vd->unsupported[i], S(rc->unsup[i])))
			return 0;
	return 1;
}

static void test_role(void **state)
{
	const struct rcase *rc = *state;
	struct vec v;
	static struct vox_sip_msg m;
	struct vox_sip_verdict vd;
	const struct vox_sip_validate_opts o = {
	    .role = rc->role,
	    .methods = rc->nmethods ? std_methods : NULL,
	    .nmethods = rc->nmethods,
	    .accept = rc->role == VOX_SIP_ROLE_UAS ? accept_types : NULL,
	    .naccept = rc->role == VOX_SIP_ROLE_UAS ? ARRAY_LEN(accept_types) : 0,
	};

	vec_load(&v, NULL, rc->name);
	assert_true(vox_sip_parse(&m, v.p, v.len, VOX_SIP_DATAGRAM, NULL) > 0);
	assert_int_equal(vox_sip_validate(&m, &o, &vd), 0);
	int ok = verdict_ok(rc, &vd);
	vec_free(&v); /* before skip() or a failure: the slices are not used below */
	if (!ok)
		print_message("%s: verdict %u drop %d: %s (%s)\n", rc->test, vd.status, vd.drop,
		              vd.reason, vd.detail ? vd.detail : "");
	if (rc->fixme) {
		if (ok)
			fail_msg("%s: vox now answers as RFC 4475 asks; remove its fixme",
			         rc->test);
		print_message("FIXME vox: %s: %s\n", rc->test, rc->fixme);
		skip();
	}
	assert_true(ok);
}

/* All 49 messages of the archive are in the table, once. */
static void test_all_vectors(void **state)
{
	(void)state;
	assert_int_equal(ARRAY_LEN(cases), 49);
	size_t total = 0;
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(cases[i].name, cases[k].name);
		struct vec v;
		vec_load(&v, NULL, cases[i].name);
		total += v.len;
		vec_free(&v);
	}
	assert_int_equal(total, 24656);
}

/* The three checks of one message, named after it. */
static size_t add_case(struct CMUnitTest *tests, char (*names)[64], struct tcase *tc)
{
	const char *dir = tc->dir ? tc->dir : "";
	const char *sl = tc->dir ? "/" : "";
	snprintf(names[0], sizeof names[0], "%s%s%s (%s)", dir, sl, tc->name, tc->sect);
	snprintf(names[1], sizeof names[0], "%s%s%s/stream", dir, sl, tc->name);
	snprintf(names[2], sizeof names[0], "%s%s%s/bytes", dir, sl, tc->name);
	tests[0] = (struct CMUnitTest){names[0], test_datagram, NULL, NULL, tc};
	tests[1] = (struct CMUnitTest){names[1], test_stream, NULL, NULL, tc};
	tests[2] = (struct CMUnitTest){names[2], test_bytes, NULL, NULL, tc};
	return 3;
}

int main(void)
{
	static struct CMUnitTest
	    tests[1 + 3 * (ARRAY_LEN(cases) + ARRAY_LEN(verdicts)) + ARRAY_LEN(rcases)];
	static char names[3 * (ARRAY_LEN(cases) + ARRAY_LEN(verdicts))][64];
	size_t n = 0, k = 0;

	tests[n++] = (struct CMUnitTest){"all 49 vectors", test_all_vectors, NULL, NULL, NULL};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++, k += 3)
		n += add_case(tests + n, names + k, &cases[i]);
	for (size_t i = 0; i < ARRAY_LEN(verdicts); i++, k += 3)
		n += add_case(tests + n, names + k, &verdicts[i]);
	for (size_t i = 0; i < ARRAY_LEN(rcases); i++)
		tests[n++] = (struct CMUnitTest){rcases[i].test, test_role, NULL, NULL, &rcases[i]};
	return _cmocka_run_group_tests("sip_torture", tests, n, NULL, NULL);
}
