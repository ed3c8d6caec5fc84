/* SPDX-License-Identifier: MIT */
/*
 * SIP, SIPS and tel URIs (RFC 3261 19.1 and 25.1, RFC 3966), hosts, and
 * the URI comparison rules of RFC 3261 19.1.4.
 */
#include <string.h>

#include "sip/sip_int.h"

/* ---- escapes ------------------------------------------------------------ */

/* A run of chars of class cls or %HH escapes; returns its end. Sets *bad to
 * a malformed escape if one stops the run. */
static const char *span_escaped(const char *p, const char *end, unsigned cls, const char **bad)
{
	while (p < end) {
		if (sip_is(*p, cls)) {
			p++;
		} else if (*p == '%') {
			if ((size_t)(end - p) < 3 || vox_hexval((unsigned char)p[1]) < 0 ||
			    vox_hexval((unsigned char)p[2]) < 0) {
				*bad = p;
				return p;
			}
			p += 3;
		} else {
			break;
		}
	}
	return p;
}

/* Decoded byte at *i of s (a %HH escape counts as one byte); advances *i. */
static unsigned char next_decoded(struct vox_slice s, size_t *i)
{
	size_t k = *i;
	if (s.p[k] == '%' && s.len - k >= 3 && vox_hexval((unsigned char)s.p[k + 1]) >= 0 &&
	    vox_hexval((unsigned char)s.p[k + 2]) >= 0) {
		*i = k + 3;
		return (unsigned char)(vox_hexval((unsigned char)s.p[k + 1]) << 4 |
		                       vox_hexval((unsigned char)s.p[k + 2]));
	}
	*i = k + 1;
	return (unsigned char)s.p[k];
}

int vox_sip_unescape(struct vox_slice in, char *out, size_t cap)
{
	size_t i = 0, o = 0;
	while (i < in.len) {
		if (in.p[i] == '%' &&
		    (in.len - i < 3 || vox_hexval((unsigned char)in.p[i + 1]) < 0 ||
		     vox_hexval((unsigned char)in.p[i + 2]) < 0))
			return VOX_EMALFORMED;
		unsigned char c = next_decoded(in, &i);
		if (o == cap)
			return VOX_ENOSPC;
		out[o++] = (char)c;
	}
	if (o > INT32_MAX)
		return VOX_ETOOLONG;
	return (int)o;
}

/* Equality of two components after decoding escapes (RFC 3261 19.1.4),
 * optionally ignoring ASCII case. */
static int decoded_eq(struct vox_slice a, struct vox_slice b, int nocase)
{
	size_t i = 0, k = 0;
	while (i < a.len && k < b.len) {
		char x = (char)next_decoded(a, &i);
		char y = (char)next_decoded(b, &k);
		if (nocase) {
			x = vox_lower(x);
			y = vox_lower(y);
		}
		if (x != y)
			return 0;
	}
	return i == a.len && k == b.len;
}

/* ---- hosts ---------------------------------------------------------------- */

static int parse_ipv4(const char *p, const char *end, uint8_t out[4])
{
	for (int i = 0; i < 4; i++) {
		if (i) {
			if (p == end || *p != '.')
				return 0;
			p++;
		}
		unsigned v = 0;
		const char *d = p;
		while (p < end && vox_is_digit((unsigned char)*p) && p - d < 3)
			v = v * 10 + (unsigned)(*p++ - '0');
		if (p == d || v > 255)
			return 0;
		out[i] = (uint8_t)v;
	}
	return p == end;
}

/* IPv6address of RFC 3261 25.1 (RFC 4291 2.2 text forms). */
static int parse_ipv6(const char *p, const char *end, uint8_t out[16])
{
	uint16_t w[8];
	int n = 0, gap = -1;
	if ((size_t)(end - p) >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 0;
		p += 2;
	} else if (p < end && *p == ':') {
		return 0;
	}
	while (p < end) {
		/* An embedded IPv4 address ends the address. */
		const char *q = p;
		while (q < end && vox_hexval((unsigned char)*q) >= 0)
			q++;
		if (q < end && *q == '.') {
			uint8_t v4[4];
			if (n > 6 || !parse_ipv4(p, end, v4))
				return 0;
			w[n++] = (uint16_t)(v4[0] << 8 | v4[1]);
			w[n++] = (uint16_t)(v4[2] << 8 | v4[3]);
			p = end;
			break;
		}
		if (q == p || q - p > 4 || n == 8)
			return 0;
		unsigned v = 0;
		for (; p < q; p++)
			v = v << 4 | (unsigned)vox_hexval((unsigned char)*p);
		w[n++] = (uint16_t)v;
		if (p == end)
			break;
		if (*p != ':')
			return 0;
		p++;
		if (p < end && *p == ':') {
			if (gap >= 0)
				return 0;
			gap = n;
			p++;
		} else if (p == end) {
			return 0; /* trailing single colon */
		}
	}
	if (gap < 0 && n != 8)
		return 0;
	if (gap >= 0 && n > 7)
		return 0;
	int fill = 8 - n;
	int o = 0;
	uint16_t full[8];
	for (int i = 0; i < n; i++) {
		if (i == gap)
			for (int k = 0; k < fill; k++)
				full[o++] = 0;
		full[o++] = w[i];
	}
	if (gap == n)
		for (int k = 0; k < fill; k++)
			full[o++] = 0;
	for (int i = 0; i < 8; i++) {
		out[2 * i] = (uint8_t)(full[i] >> 8);
		out[2 * i + 1] = (uint8_t)full[i];
	}
	return 1;
}

/*
 * hostname = *( domainlabel "." ) toplabel [ "." ], or an IPv4address
 * (RFC 3261 25.1), in one pass: labels are letters, digits and inner '-';
 * the top label starts with a letter; only digits and dots make an IPv4
 * address. Returns the end of the host, or NULL.
 */
static const char *scan_host(struct vox_sip_host *h, const char *p, const char *end)
{
	const char *q = p, *label = p, *top = p;
	int letters = 0, dashes = 0;
	unsigned octet = 0, noctet = 0, v4ok = 1; /* the IPv4 reading, on the way */
	for (; q < end; q++) {
		unsigned char c = (unsigned char)*q;
		if (vox_is_digit(c)) {
			octet = octet * 10 + (unsigned)(c - '0');
			v4ok &= octet <= 255 && q - label < 3;
			continue;
		}
		if (vox_is_alpha(c)) {
			letters = 1;
			continue;
		}
		if (c == '-') {
			if (q == label)
				return NULL;
			dashes = 1;
			continue;
		}
		if (c != '.')
			break;
		if (q == label || q[-1] == '-')
			return NULL;
		if (noctet < 4)
			h->addr[noctet] = (uint8_t)octet;
		noctet++;
		octet = 0;
		top = label;
		label = q + 1;
	}
	if (q == p || (size_t)(q - p) > 255)
		return NULL;
	if (!letters && !dashes) {
		/* IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT */
		if (!v4ok || noctet != 3 || label == q)
			return NULL;
		h->addr[3] = (uint8_t)octet;
		h->kind = VOX_SIP_HOST_IPV4;
		return q;
	}
	if (label != q) { /* no trailing dot: the last label is the top one */
		if (q[-1] == '-')
			return NULL;
		top = label;
	}
	if (!vox_is_alpha((unsigned char)*top))
		return NULL;
	h->kind = VOX_SIP_HOST_NAME;
	return q;
}

const char *sip_hostport(struct vox_sip_host *h, const char *p, const char *end, int *err)
{
	const char *q;
	memset(h->addr, 0, sizeof h->addr);
	h->has_port = 0;
	h->port = 0;
	*err = VOX_EMALFORMED;
	if (p < end && *p == '[') {
		q = memchr(p, ']', (size_t)(end - p));
		if (!q || !parse_ipv6(p + 1, q, h->addr))
			return NULL;
		h->kind = VOX_SIP_HOST_IPV6;
		h->name = vox_slice_make(p + 1, (size_t)(q - p - 1));
		q++;
	} else {
		q = scan_host(h, p, end);
		if (!q)
			return NULL;
		h->name = vox_slice_make(p, (size_t)(q - p));
	}
	if (q < end && *q == ':') {
		/* port = 1*DIGIT, at most 65535 */
		const char *d = ++q;
		uint32_t port = 0;
		while (q < end && vox_is_digit((unsigned char)*q) && port <= 65535)
			port = port * 10 + (uint32_t)(*q++ - '0');
		if (q == d || port > 65535) {
			*err = q == d ? VOX_EMALFORMED : VOX_ERANGE;
			return NULL;
		}
		h->has_port = 1;
		h->port = (uint16_t)port;
	}
	*err = 0;
	return q;
}

/* ---- URI ------------------------------------------------------------------ */

/* *( ";" pname [ "=" pvalue ] ) with RFC 3261 paramchar (or RFC 3966
 * paramchar for tel:); stops at "?" or the end. */
static int uri_params(struct vox_sip_params *ps, const char *p, const char *end, const char **stop,
                      unsigned cls, const char *base, struct vox_diag *diag)
{
	ps->n = 0;
	while (p < end && *p == ';') {
		const char *bad = NULL;
		const char *n = ++p;
		p = span_escaped(p, end, cls, &bad);
		if (bad)
			return vox_fail(diag, base, bad, VOX_EMALFORMED,
			                "bad %-escape in a URI parameter");
		if (p == n)
			return vox_fail(diag, base, n, VOX_EMALFORMED, "empty URI parameter name");
		if (ps->n == VOX_SIP_MAX_PARAMS)
			return vox_fail(diag, base, n, VOX_ELIMIT,
			                "more URI parameters than VOX_SIP_MAX_PARAMS");
		struct vox_sip_param *pa = &ps->p[ps->n++];
		pa->name = vox_slice_make(n, (size_t)(p - n));
		pa->value = vox_slice_make(NULL, 0);
		pa->quoted = 0;
		if (p < end && *p == '=') {
			const char *v = ++p;
			p = span_escaped(p, end, cls, &bad);
			if (bad)
				return vox_fail(diag, base, bad, VOX_EMALFORMED,
				                "bad %-escape in a URI parameter");
			if (p == v)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "empty URI parameter value");
			pa->value = vox_slice_make(v, (size_t)(p - v));
		}
		/* one name once, also when spelled with %-escapes (19.1.4
		 * compares decoded names) */
		for (size_t i = 0; i + 1 < ps->n; i++)
			if (decoded_eq(ps->p[i].name, pa->name, 1))
				return vox_fail(diag, base, n, VOX_EMALFORMED,
				                "URI parameter given twice");
	}
	*stop = p;
	return 0;
}

static int is_visual_separator(char c)
{
	return c == '-' || c == '.' || c == '(' || c == ')';
}

static int parse_tel(struct vox_sip_uri *u, const char *p, const char *end, const char *base,
                     struct vox_diag *diag)
{
	/* RFC 3966 3: global-number ("+" digits) or local-number (hex digits,
	 * "*", "#"), with visual separators "-" "." "(" ")". */
	const char *n = p;
	int digits = 0;
	if (p < end && *p == '+')
		p++;
	for (; p < end && *p != ';'; p++) {
		char c = *p;
		if (vox_hexval((unsigned char)c) >= 0 || c == '*' || c == '#')
			digits++;
		else if (!is_visual_separator(c))
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "bad character in a tel: number");
	}
	if (!digits)
		return vox_fail(diag, base, n, VOX_EMALFORMED, "tel: URI without digits");
	u->user = vox_slice_make(n, (size_t)(p - n));
	const char *stop;
	int rc = uri_params(&u->params, p, end, &stop, SIP_C_TEL, base, diag);
	if (rc)
		return rc;
	if (stop != end)
		return vox_fail(diag, base, stop, VOX_EMALFORMED,
		                "unexpected character in a tel: URI");
	return 0;
}

int vox_sip_uri_parse(struct vox_sip_uri *u, struct vox_slice s, struct vox_diag *diag)
{
	const char *base = s.p, *p = s.p, *end = s.p + s.len;
	u->scheme = VOX_SIP_SCHEME_OTHER;
	u->scheme_s = u->user = u->password = u->headers = vox_slice_make(NULL, 0);
	u->has_password = 0;
	u->host.name = vox_slice_make(NULL, 0);
	u->host.kind = 0;
	u->host.has_port = 0;
	u->host.port = 0;
	u->params.n = 0;
	u->raw = s;
	const char *colon = p;
	if (p == end || !vox_is_alpha((unsigned char)*p))
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected a URI scheme");
	colon = sip_span(p, end, SIP_C_SCHEME);
	if (colon == end || *colon != ':')
		return vox_fail(diag, base, colon, VOX_EMALFORMED,
		                "expected ':' after the URI scheme");
	u->scheme_s = vox_slice_make(p, (size_t)(colon - p));
	p = colon + 1;
	if (sip_case_eq_lit(u->scheme_s, "sip"))
		u->scheme = VOX_SIP_SCHEME_SIP;
	else if (sip_case_eq_lit(u->scheme_s, "sips"))
		u->scheme = VOX_SIP_SCHEME_SIPS;
	else if (sip_case_eq_lit(u->scheme_s, "tel"))
		u->scheme = VOX_SIP_SCHEME_TEL;
	else {
		/* absoluteURI: the rest must be uric characters and escapes. */
		const char *bad = NULL;
		const char *q = span_escaped(p, end, SIP_C_URIC, &bad);
		if (p == end || q != end)
			return vox_fail(diag, base, bad ? bad : q, VOX_EMALFORMED,
			                "bad character in a URI");
		return vox_fail(diag, base, base, VOX_ESCHEME, "URI scheme vox does not decode");
	}
	if (u->scheme == VOX_SIP_SCHEME_TEL)
		return parse_tel(u, p, end, base, diag);

	/* userinfo: everything before the first "@" (user and password
	 * cannot hold an unescaped "@", nor can the rest of the URI). */
	const char *at = memchr(p, '@', (size_t)(end - p));
	if (at) {
		const char *bad = NULL;
		const char *q = span_escaped(p, at, SIP_C_USER, &bad);
		if (q == p)
			return vox_fail(diag, base, p, VOX_EMALFORMED, "empty user part in a URI");
		u->user = vox_slice_make(p, (size_t)(q - p));
		if (q < at && *q == ':') {
			const char *w = q + 1;
			q = span_escaped(w, at, SIP_C_PASSWORD, &bad);
			u->has_password = 1;
			u->password = vox_slice_make(w, (size_t)(q - w));
		}
		if (q != at)
			return vox_fail(diag, base, bad ? bad : q, VOX_EMALFORMED,
			                "bad character in the user part of a URI");
		p = at + 1;
	}
	int err;
	const char *q = sip_hostport(&u->host, p, end, &err);
	if (!q)
		return vox_fail(diag, base, p, err,
		                err == VOX_ERANGE ? "port above 65535" : "bad host in a URI");
	int rc = uri_params(&u->params, q, end, &q, SIP_C_PARAM, base, diag);
	if (rc)
		return rc;
	if (q < end && *q == '?') {
		/* headers = "?" header *( "&" header ), header = hname "=" hvalue */
		const char *h = ++q;
		for (;;) {
			const char *bad = NULL;
			const char *n = q;
			q = span_escaped(q, end, SIP_C_HNV, &bad);
			if (bad || q == n || q == end || *q != '=')
				return vox_fail(diag, base, bad ? bad : q, VOX_EMALFORMED,
				                "expected hname=hvalue in URI headers");
			q = span_escaped(q + 1, end, SIP_C_HNV, &bad);
			if (bad)
				return vox_fail(diag, base, bad, VOX_EMALFORMED,
				                "bad %-escape in URI headers");
			if (q == end || *q != '&')
				break;
			q++;
		}
		u->headers = vox_slice_make(h, (size_t)(q - h));
	}
	if (q != end)
		return vox_fail(diag, base, q, VOX_EMALFORMED, "unexpected character in a URI");
	return 0;
}

/* ---- comparison (RFC 3261 19.1.4) --------------------------------------------- */

static const struct vox_sip_param *find_param(const struct vox_sip_params *ps,
                                              struct vox_slice name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (decoded_eq(ps->p[i].name, name, 1))
			return &ps->p[i];
	return NULL;
}

static int param_value_eq(const struct vox_sip_param *a, const struct vox_sip_param *b)
{
	if (!a->value.p || !b->value.p)
		return !a->value.p && !b->value.p;
	return decoded_eq(a->value, b->value, 1);
}

/* Parameters: those in 'must' have to appear in both or neither; any other
 * appearing in both must have equal values. */
static int params_eq(const struct vox_sip_params *a, const struct vox_sip_params *b,
                     const char *const *must, size_t nmust)
{
	for (size_t i = 0; i < nmust; i++) {
		const struct vox_sip_param *x = find_param(a, vox_slice_cstr(must[i]));
		const struct vox_sip_param *y = find_param(b, vox_slice_cstr(must[i]));
		if (!x != !y)
			return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		const struct vox_sip_param *y = find_param(b, a->p[i].name);
		if (y && !param_value_eq(&a->p[i], y))
			return 0;
	}
	return 1;
}

/* URI headers: every hname=hvalue of one must be in the other. */
static int headers_sub(struct vox_slice a, struct vox_slice b)
{
	size_t i = 0;
	while (i < a.len) {
		size_t j = i;
		while (j < a.len && a.p[j] != '&')
			j++;
		struct vox_slice ha = vox_slice_make(a.p + i, j - i);
		const char *eq = memchr(ha.p, '=', ha.len);
		struct vox_slice an = vox_slice_make(ha.p, eq ? (size_t)(eq - ha.p) : ha.len);
		struct vox_slice av =
		    eq ? vox_slice_make(eq + 1, ha.len - an.len - 1) : vox_slice_make(ha.p, 0);
		int found = 0;
		size_t k = 0;
		while (k < b.len && !found) {
			size_t l = k;
			while (l < b.len && b.p[l] != '&')
				l++;
			struct vox_slice hb = vox_slice_make(b.p + k, l - k);
			const char *eb = memchr(hb.p, '=', hb.len);
			struct vox_slice bn =
			    vox_slice_make(hb.p, eb ? (size_t)(eb - hb.p) : hb.len);
			struct vox_slice bv = eb ? vox_slice_make(eb + 1, hb.len - bn.len - 1)
			                         : vox_slice_make(hb.p, 0);
			found = decoded_eq(an, bn, 1) && decoded_eq(av, bv, 0);
			k = l + 1;
		}
		if (!found)
			return 0;
		i = j + 1;
	}
	return 1;
}

/* tel: numbers compare without visual separators (RFC 3966 5). */
static int tel_number_eq(struct vox_slice a, struct vox_slice b)
{
	size_t i = 0, k = 0;
	for (;;) {
		while (i < a.len && is_visual_separator(a.p[i]))
			i++;
		while (k < b.len && is_visual_separator(b.p[k]))
			k++;
		if (i == a.len || k == b.len)
			return i == a.len && k == b.len;
		if (vox_lower(a.p[i]) != vox_lower(b.p[k]))
			return 0;
		i++;
		k++;
	}
}

int vox_sip_uri_eq(const struct vox_sip_uri *a, const struct vox_sip_uri *b)
{
	if (a->scheme != b->scheme)
		return 0;
	if (a->scheme == VOX_SIP_SCHEME_OTHER)
		return vox_slice_eq(a->raw, b->raw);
	if (a->scheme == VOX_SIP_SCHEME_TEL) {
		if (!tel_number_eq(a->user, b->user) || a->params.n != b->params.n)
			return 0;
		for (size_t i = 0; i < a->params.n; i++) {
			const struct vox_sip_param *y = find_param(&b->params, a->params.p[i].name);
			if (!y || !param_value_eq(&a->params.p[i], y))
				return 0;
		}
		return 1;
	}
	/* userinfo is case-sensitive, everything else is not. */
	if (!decoded_eq(a->user, b->user, 0) || a->has_password != b->has_password ||
	    !decoded_eq(a->password, b->password, 0))
		return 0;
	if (a->host.kind != b->host.kind || a->host.has_port != b->host.has_port ||
	    a->host.port != b->host.port)
		return 0;
	if (a->host.kind == VOX_SIP_HOST_NAME) {
		if (!decoded_eq(a->host.name, b->host.name, 1))
			return 0;
	} else if (memcmp(a->host.addr, b->host.addr, sizeof a->host.addr) != 0) {
		return 0;
	}
	static const char *const must[] = {"user", "ttl", "method", "maddr", "transport"};
	if (!params_eq(&a->params, &b->params, must, 5))
		return 0;
	return headers_sub(a->headers, b->headers) && headers_sub(b->headers, a->headers);
}
