/* SPDX-License-Identifier: MIT */
/* sip/ internals: character classes (RFC 3261 25.1), LWS, tables. */
#ifndef VOX_SIP_INT_H
#define VOX_SIP_INT_H

#include <string.h>

#include "core/core_int.h"
#include "vox/sip.h"

enum {
	SIP_C_TOKEN = 1 << 0,
	SIP_C_WORD = 1 << 1,
	SIP_C_UNRESERVED = 1 << 2,
	SIP_C_USER = 1 << 3,
	SIP_C_PASSWORD = 1 << 4,
	SIP_C_PARAM = 1 << 5,
	SIP_C_HNV = 1 << 6,
	SIP_C_URIC = 1 << 7,
	SIP_C_HOST = 1 << 8,
	SIP_C_SCHEME = 1 << 9,
	SIP_C_TEL = 1 << 10
};

extern const uint16_t sip_ctype[256];

static inline int sip_is(char c, unsigned cls)
{
	return (sip_ctype[(unsigned char)c] & cls) != 0;
}

/* Case-insensitive comparison with a literal; inlined so that the
 * literal's length is a constant and most mismatches cost one compare. */
static inline int sip_case_eq_lit(struct vox_slice a, const char *lit)
{
	size_t n = strlen(lit);
	if (a.len != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (vox_lower(a.p[i]) != vox_lower(lit[i]))
			return 0;
	return 1;
}

/* Header-name hash table (generated into sip/tables.c). */
#define SIP_HNAME_SLOTS 256
struct sip_hname {
	char name[24]; /* lower case, zero-padded: read eight bytes at a time */
	uint8_t len;
	uint8_t id;
};
extern const struct sip_hname sip_hname_slots[SIP_HNAME_SLOTS];

struct sip_hinfo {
	const char *name;
	uint8_t list; /* comma-separated list header (RFC 3261 7.3.1) */
};
extern const struct sip_hinfo sip_hinfo[VOX_SIP_H_COUNT];

/* Linear whitespace inside a header value: SP, HT, and the CR/LF of a fold
 * (the parser guarantees a CR or LF in a value is always part of a fold). */
static inline int sip_is_lws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline const char *sip_skip_lws(const char *p, const char *end)
{
	while (p < end && sip_is_lws(*p))
		p++;
	return p;
}

/* Slice with LWS removed at both ends. */
static inline struct vox_slice sip_trim(const char *p, const char *end)
{
	p = sip_skip_lws(p, end);
	while (end > p && sip_is_lws(end[-1]))
		end--;
	return vox_slice_make(p, (size_t)(end - p));
}

/* End of a run of characters of class cls starting at p. */
static inline const char *sip_span(const char *p, const char *end, unsigned cls)
{
	while (p < end && sip_is(*p, cls))
		p++;
	return p;
}

/* Is the name of the last parameter in ps already used by an earlier one?
 * A name given twice would mean two things to two readers, so decoders
 * refuse it. */
static inline int sip_param_dup(const struct vox_sip_params *ps)
{
	const struct vox_slice n = ps->p[ps->n - 1].name;
	for (size_t i = 0; i + 1 < ps->n; i++) {
		const struct vox_slice o = ps->p[i].name;
		size_t k = 0;
		if (o.len != n.len)
			continue;
		while (k < n.len && vox_lower(o.p[k]) == vox_lower(n.p[k]))
			k++;
		if (k == n.len)
			return 1;
	}
	return 0;
}

/* quoted-string starting at *p == '"': sets *content (without quotes) and
 * returns the byte after the closing quote, or NULL if unterminated or it
 * holds a byte a quoted-string may not. */
const char *sip_quoted(const char *p, const char *end, struct vox_slice *content);

/* host [ ":" port ]; returns the end of what it used, or NULL. */
const char *sip_hostport(struct vox_sip_host *h, const char *p, const char *end, int *err);

/* Writes a response's start line and the headers it copies from req
 * (RFC 3261 8.2.6.2: Via, the top one stamped with source when given,
 * From, To with to_tag added, Call-ID, CSeq; Timestamp on a 100), the
 * rest being the caller's. strict: refuse a req that lacks one of them.
 * Returns 0, or VOX_EINVAL (req not a request, status outside 100..699,
 * reason or to_tag unsafe, or strict and a copied header missing). */
int sip_put_response_head(struct vox_writer *w, const struct vox_sip_msg *req,
                          const struct vox_addr *source, unsigned status, struct vox_slice reason,
                          struct vox_slice to_tag, int strict);

#endif
