/* SPDX-License-Identifier: MIT */
/*
 * SIP message parser and validator: arbitrary bytes as a UDP datagram and
 * as the start of a stream. Checks that every slice stays inside the input,
 * that no control byte gets through out of place (RFC 3261 25.1: none in
 * the start line but HTAB; in a header value, one other than HTAB, CR or LF
 * only as a quoted-pair in a quoted-string or comment), and that a parsed
 * request answers with a response that parses again with the same Via,
 * From, Call-ID and CSeq (parse, build, parse).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip.h"
#include "../sip/sip_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_sip_msg m, r;
static char out[VOX_SIP_MAX_MSG + 1024];

static void inside(struct vox_slice s, const char *buf, size_t len)
{
	if (s.len && (s.p < buf || s.len > len || s.p - buf > (ptrdiff_t)(len - s.len)))
		abort();
}

static int is_ctl(char c)
{
	return ((unsigned char)c < 0x20 && c != '\t') || c == 0x7f;
}

/* Control bytes in a header value: HTAB, the CR LF of a fold, or the
 * second half of a quoted-pair inside a quoted-string or a comment. Only a
 * header whose grammar is not a list can hold a comment (RFC 3261 25.1,
 * 7.3.1): in a list header's value "(" is an ordinary character, and a
 * list value that is alone on its line is still a list value. */
static void no_bare_ctl(struct vox_slice v, int comments)
{
	int quoted = 0;
	size_t depth = 0;
	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];
		if (c == '\r' || c == '\n')
			continue;
		if ((quoted || depth) && c == '\\' && i + 1 < v.len) {
			i++;
			continue;
		}
		if (is_ctl(c))
			abort();
		if (quoted)
			quoted = c != '"';
		else if (c == '"' && !depth)
			quoted = 1;
		else if (c == '(' && comments)
			depth++;
		else if (c == ')' && depth)
			depth--;
	}
}

static void check(const char *buf, size_t len, int n)
{
	if (n < 0)
		return;
	if ((size_t)n > len || m.len != (size_t)n || m.nhdr > VOX_SIP_MAX_HEADERS)
		abort();
	inside(m.body, buf, (size_t)n);
	inside(m.method, buf, (size_t)n);
	inside(m.uri, buf, (size_t)n);
	for (size_t i = 0; i < m.nhdr; i++) {
		inside(m.hdr[i].name, buf, (size_t)n);
		inside(m.hdr[i].value, buf, (size_t)n);
		if (m.hdr[i].id >= VOX_SIP_H_COUNT)
			abort();
		no_bare_ctl(m.hdr[i].value, !sip_hinfo[m.hdr[i].id].list);
	}
	for (size_t i = 0; i < m.reason.len; i++)
		if (is_ctl(m.reason.p[i]))
			abort();
	for (size_t i = 0; i < m.uri.len; i++)
		if (is_ctl(m.uri.p[i]) || m.uri.p[i] == '\t')
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct vox_diag d;
	int stream = vox_sip_parse(&m, buf, size, 0, &d);
	check(buf, size, stream);
	int n = vox_sip_parse(&m, buf, size, VOX_SIP_DATAGRAM, &d);
	check(buf, size, n);
	if (n < 0)
		return 0;
	/* A complete stream message is also a complete datagram, of the same length. */
	if (stream >= 0 && stream != n && m.has_content_length)
		abort();
	struct vox_sip_verdict v;
	if (vox_sip_validate(&m, NULL, &v) != 0)
		abort();
	if (m.status || v.status)
		return 0;
	static const char tag[] = "fuzztag";
	int k = vox_sip_build_response(&m, NULL, 200, NULL, (struct vox_slice){tag, 7}, NULL, 0,
	                               (struct vox_slice){NULL, 0}, (struct vox_slice){NULL, 0},
	                               out, sizeof out);
	if (k < 0)
		return 0;
	int rn = vox_sip_parse(&r, out, (size_t)k, VOX_SIP_DATAGRAM, &d);
	if (rn != k || r.status != 200 || r.nvia != m.nvia)
		abort();
	const struct vox_sip_header *a = vox_sip_find(&m, VOX_SIP_H_CALL_ID);
	const struct vox_sip_header *b = vox_sip_find(&r, VOX_SIP_H_CALL_ID);
	if (!vox_slice_eq(a->value, b->value))
		abort();
	a = vox_sip_find(&m, VOX_SIP_H_CSEQ);
	b = vox_sip_find(&r, VOX_SIP_H_CSEQ);
	if (!vox_slice_eq(a->value, b->value))
		abort();
	for (a = vox_sip_find(&m, VOX_SIP_H_VIA), b = vox_sip_find(&r, VOX_SIP_H_VIA); a && b;
	     a = vox_sip_find_next(&m, a), b = vox_sip_find_next(&r, b))
		if (!vox_slice_eq(a->value, b->value))
			abort();
	/* As a proxy would see it (an endpoint drops a response with several
	 * Vias): the only reason left to drop it is where it would go next. */
	struct vox_sip_validate_opts proxy = {.role = VOX_SIP_ROLE_PROXY};
	if (vox_sip_validate(&r, &proxy, &v) != 0 ||
	    (v.drop && strcmp(v.reason, "Next Via is a group address") != 0))
		abort();
	return 0;
}
