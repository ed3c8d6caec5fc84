/* SPDX-License-Identifier: MIT */
/*
 * Typed header decoders (RFC 3261 20 and 25.1). Each takes one header value
 * as the parser sliced it (a single value of a list, LWS trimmed, folds
 * still inside) and fills a caller's struct with slices into it.
 */
#include <string.h>

#include "sip/sip_int.h"

/* ---- shared pieces ------------------------------------------------------- */

const char *sip_quoted(const char *p, const char *end, struct vox_slice *content)
{
	/* quoted-string = SWS DQUOTE *(qdtext / quoted-pair ) DQUOTE;
	 * quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) */
	const char *start = ++p;
	while (p < end) {
		unsigned char c = (unsigned char)*p;
		if (c == '"') {
			*content = vox_slice_make(start, (size_t)(p - start));
			return p + 1;
		}
		if (c == '\\') {
			if ((size_t)(end - p) < 2 || p[1] == '\r' || p[1] == '\n' ||
			    (unsigned char)p[1] > 0x7f)
				return NULL;
			p += 2;
			continue;
		}
		if (c < 0x20 && !sip_is_lws((char)c))
			return NULL;
		if (c == 0x7f)
			return NULL;
		p++;
	}
	return NULL;
}

int vox_sip_unquote(struct vox_slice in, char *out, size_t cap)
{
	size_t o = 0;
	for (size_t i = 0; i < in.len; i++) {
		char c = in.p[i];
		if (c == '\\') {
			if (++i == in.len)
				return VOX_EMALFORMED;
			c = in.p[i];
		}
		if (o == cap)
			return VOX_ENOSPC;
		out[o++] = c;
	}
	if (o > INT32_MAX)
		return VOX_ETOOLONG;
	return (int)o;
}

const struct vox_sip_param *vox_sip_param_find(const struct vox_sip_params *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (sip_case_eq_lit(ps->p[i].name, name))
			return &ps->p[i];
	return NULL;
}

/* Via's received may be a bare IPv6address (via-received, RFC 3261 20.42). */
#define PARAMS_VIA 1u

/*
 * *( SEMI generic-param ), generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string (RFC 3261 25.1); SEMI and EQUAL
 * allow LWS on both sides. A host is a token unless it is an IPv6reference,
 * so an unquoted value is a token or "[" IPv6address "]", and nothing else
 * may hold a ':' (a tag or branch is a token). Stops at the first byte
 * that cannot continue the list (*stop).
 */
static int params_parse(struct vox_sip_params *ps, const char *p, const char *end, unsigned flags,
                        const char **stop, const char *base, struct vox_diag *diag)
{
	ps->n = 0;
	for (;;) {
		const char *q = sip_skip_lws(p, end);
		if (q == end || *q != ';') {
			*stop = q;
			return 0;
		}
		q = sip_skip_lws(q + 1, end);
		const char *n = q;
		q = sip_span(q, end, SIP_C_TOKEN);
		if (q == n)
			return vox_fail(diag, base, n, VOX_EMALFORMED, "empty parameter");
		if ((size_t)(q - n) > VOX_SIP_MAX_TOKEN)
			return vox_fail(diag, base, n, VOX_ETOOLONG, "parameter name too long");
		if (ps->n == VOX_SIP_MAX_PARAMS)
			return vox_fail(diag, base, n, VOX_ELIMIT,
			                "more parameters than VOX_SIP_MAX_PARAMS");
		struct vox_sip_param *pa = &ps->p[ps->n++];
		pa->name = vox_slice_make(n, (size_t)(q - n));
		pa->value = vox_slice_make(NULL, 0);
		pa->quoted = 0;
		if (sip_param_dup(ps))
			return vox_fail(diag, base, n, VOX_EMALFORMED, "parameter given twice");
		p = q;
		q = sip_skip_lws(q, end);
		if (q == end || *q != '=')
			continue;
		q = sip_skip_lws(q + 1, end);
		const char *v = q;
		if (q < end && *q == '"') {
			q = sip_quoted(q, end, &pa->value);
			if (!q)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "unterminated quoted parameter value");
			pa->quoted = 1;
		} else if (q < end && *q == '[') {
			struct vox_sip_host h;
			int err;
			q = sip_hostport(&h, v, end, &err);
			if (!q || h.has_port)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "expected an IPv6 reference in [ ]");
			pa->value = vox_slice_make(v, (size_t)(q - v));
		} else {
			q = sip_span(q, end, SIP_C_TOKEN);
			if (q < end && *q == ':' && (flags & PARAMS_VIA) &&
			    sip_case_eq_lit(pa->name, "received"))
				while (q < end && (sip_is(*q, SIP_C_TOKEN) || *q == ':'))
					q++;
			if (q == v)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "expected a parameter value after '='");
			pa->value = vox_slice_make(v, (size_t)(q - v));
		}
		p = q;
	}
}

/* A parameter whose value is a token (tag, branch): not quoted, not an
 * IPv6reference. */
static int token_value(const struct vox_sip_param *pa)
{
	return pa->value.p && !pa->quoted && pa->value.p[0] != '[';
}

/* After the last parameter only LWS may follow. */
static int expect_end(const char *p, const char *end, const char *base, struct vox_diag *diag,
                      const char *what)
{
	p = sip_skip_lws(p, end);
	if (p != end)
		return vox_fail(diag, base, p, VOX_EMALFORMED, what);
	return 0;
}

/* ---- name-addr / addr-spec (RFC 3261 20.10, 25.1) ------------------------------ */

int vox_sip_addr_parse(struct vox_sip_addr *a, struct vox_slice value, struct vox_diag *diag)
{
	const char *base = value.p, *p = value.p, *end = value.p + value.len;
	const char *uri_start, *uri_end;
	a->display = vox_slice_make(NULL, 0);
	a->display_quoted = 0;
	a->bracketed = 0;
	a->params.n = 0;
	a->tag = vox_slice_make(NULL, 0);
	p = sip_skip_lws(p, end);
	if (p == end)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "empty address");
	if (*p == '"') {
		const char *q = sip_quoted(p, end, &a->display);
		if (!q)
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "unterminated quoted display name");
		a->display_quoted = 1;
		p = sip_skip_lws(q, end);
		if (p == end || *p != '<')
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "expected '<' after the display name");
	} else if (*p != '<') {
		/* display-name = *(token LWS): tokens up to '<' make a name-addr;
		 * anything else is an addr-spec. */
		const char *q = p;
		while (q < end && (sip_is(*q, SIP_C_TOKEN) || sip_is_lws(*q)))
			q++;
		if (q < end && *q == '<') {
			a->display = sip_trim(p, q);
			p = q;
		}
	}
	if (*p == '<') {
		a->bracketed = 1;
		uri_start = p + 1;
		uri_end = memchr(uri_start, '>', (size_t)(end - uri_start));
		if (!uri_end)
			return vox_fail(diag, base, p, VOX_EMALFORMED, "expected '>'");
		p = uri_end + 1;
	} else {
		/* addr-spec: a URI with ';', ',' or '?' must be in <> (20.10),
		 * so the URI ends at the first ';' or whitespace. */
		uri_start = p;
		while (p < end && *p != ';' && !sip_is_lws(*p))
			p++;
		uri_end = p;
		const char *qm = memchr(uri_start, '?', (size_t)(uri_end - uri_start));
		if (qm)
			return vox_fail(diag, base, qm, VOX_EMALFORMED,
			                "URI with '?' outside <> (RFC 3261 20.10)");
	}
	struct vox_diag ud;
	int rc = vox_sip_uri_parse(&a->uri,
	                           vox_slice_make(uri_start, (size_t)(uri_end - uri_start)), &ud);
	if (rc && rc != VOX_ESCHEME)
		return vox_fail(diag, base, uri_start + ud.off, rc, ud.what);
	rc = params_parse(&a->params, p, end, 0, &p, base, diag);
	if (rc)
		return rc;
	rc = expect_end(p, end, base, diag, "unexpected character after the address");
	if (rc)
		return rc;
	const struct vox_sip_param *tag = vox_sip_param_find(&a->params, "tag");
	if (tag) {
		if (!token_value(tag))
			return vox_fail(diag, base, tag->name.p, VOX_EMALFORMED,
			                "tag parameter needs a token value");
		a->tag = tag->value;
	}
	return 0;
}

/* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
static int parse_qvalue(struct vox_slice v, uint16_t *out)
{
	if (v.len == 0 || v.len > 5 || (v.p[0] != '0' && v.p[0] != '1'))
		return VOX_EMALFORMED;
	unsigned q = (unsigned)(v.p[0] - '0') * 1000;
	if (v.len > 1) {
		if (v.p[1] != '.')
			return VOX_EMALFORMED;
		unsigned scale = 100;
		for (size_t i = 2; i < v.len; i++, scale /= 10) {
			if (!vox_is_digit((unsigned char)v.p[i]))
				return VOX_EMALFORMED;
			q += (unsigned)(v.p[i] - '0') * scale;
		}
	}
	if (q > 1000)
		return VOX_ERANGE;
	*out = (uint16_t)q;
	return 0;
}

int vox_sip_contact_parse(struct vox_sip_contact *c, struct vox_slice value, struct vox_diag *diag)
{
	/* field by field: the struct is 1.5 KiB, mostly parameter slots */
	c->star = c->has_expires = c->has_q = 0;
	c->expires = 0;
	c->q = 0;
	struct vox_slice t = sip_trim(value.p, value.p + value.len);
	if (t.len == 1 && t.p[0] == '*') {
		memset(&c->addr, 0, sizeof c->addr);
		c->star = 1;
		return 0;
	}
	int rc = vox_sip_addr_parse(&c->addr, value, diag);
	if (rc)
		return rc;
	const struct vox_sip_param *e = vox_sip_param_find(&c->addr.params, "expires");
	if (e) {
		uint64_t x;
		rc = e->quoted ? VOX_EMALFORMED : vox_slice_u64(e->value, UINT32_MAX, &x);
		if (rc)
			return vox_fail(diag, value.p, e->name.p, rc,
			                rc == VOX_ERANGE ? "Contact expires above 2^32-1"
			                                 : "Contact expires is not delta-seconds");
		c->has_expires = 1;
		c->expires = (uint32_t)x;
	}
	const struct vox_sip_param *q = vox_sip_param_find(&c->addr.params, "q");
	if (q) {
		rc = q->quoted ? VOX_EMALFORMED : parse_qvalue(q->value, &c->q);
		if (rc)
			return vox_fail(diag, value.p, q->name.p, rc, "Contact q is not a qvalue");
		c->has_q = 1;
	}
	return 0;
}

/* ---- Via (RFC 3261 20.42, RFC 3581) ------------------------------------------ */

/* SLASH = SWS "/" SWS */
static const char *slash(const char *p, const char *end)
{
	p = sip_skip_lws(p, end);
	if (p == end || *p != '/')
		return NULL;
	return sip_skip_lws(p + 1, end);
}

static int is_ip_address(struct vox_slice v)
{
	struct vox_sip_host h;
	int err;
	const char *e = v.p + v.len;
	const char *q = sip_hostport(&h, v.p, e, &err);
	if (!q && v.len && v.p[0] != '[') {
		/* IPv6address without brackets, as via-received allows. */
		char tmp[64];
		if (v.len + 2 > sizeof tmp)
			return 0;
		tmp[0] = '[';
		memcpy(tmp + 1, v.p, v.len);
		tmp[v.len + 1] = ']';
		q = sip_hostport(&h, tmp, tmp + v.len + 2, &err);
		return q == tmp + v.len + 2 && h.kind == VOX_SIP_HOST_IPV6;
	}
	return q == e && !h.has_port && h.kind != VOX_SIP_HOST_NAME;
}

int vox_sip_via_parse(struct vox_sip_via *v, struct vox_slice value, struct vox_diag *diag)
{
	const char *base = value.p, *p = value.p, *end = value.p + value.len;
	v->branch = v->received = v->maddr = vox_slice_make(NULL, 0);
	v->has_rport = v->rport_has_value = v->has_ttl = 0;
	v->rport = 0;
	v->ttl = 0;
	v->params.n = 0;
	p = sip_skip_lws(p, end);
	const char *t = p;
	p = sip_span(p, end, SIP_C_TOKEN);
	v->protocol = vox_slice_make(t, (size_t)(p - t));
	const char *q = slash(p, end);
	if (!v->protocol.len || !q)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected protocol-name \"/\"");
	p = sip_span(q, end, SIP_C_TOKEN);
	v->version = vox_slice_make(q, (size_t)(p - q));
	q = slash(p, end);
	if (!v->version.len || !q)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected protocol-version \"/\"");
	p = sip_span(q, end, SIP_C_TOKEN);
	v->transport = vox_slice_make(q, (size_t)(p - q));
	if (!v->transport.len)
		return vox_fail(diag, base, q, VOX_EMALFORMED, "expected a transport");
	q = sip_skip_lws(p, end);
	if (q == p)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected LWS before sent-by");
	int err;
	p = sip_hostport(&v->host, q, end, &err);
	if (!p)
		return vox_fail(diag, base, q, err,
		                err == VOX_ERANGE ? "Via port above 65535" : "bad Via sent-by");
	int rc = params_parse(&v->params, p, end, PARAMS_VIA, &p, base, diag);
	if (rc)
		return rc;
	rc = expect_end(p, end, base, diag, "unexpected character in Via");
	if (rc)
		return rc;
	for (size_t i = 0; i < v->params.n; i++) {
		const struct vox_sip_param *pa = &v->params.p[i];
		struct vox_slice n = pa->name, val = pa->value;
		if (sip_case_eq_lit(n, "branch")) {
			if (!token_value(pa))
				return vox_fail(diag, base, n.p, VOX_EMALFORMED,
				                "branch needs a token value");
			v->branch = val;
		} else if (sip_case_eq_lit(n, "received")) {
			if (!val.p || pa->quoted || !is_ip_address(val))
				return vox_fail(diag, base, n.p, VOX_EMALFORMED,
				                "received must be an IP address");
			v->received = val;
		} else if (sip_case_eq_lit(n, "maddr")) {
			struct vox_sip_host h;
			if (!val.p || pa->quoted ||
			    sip_hostport(&h, val.p, val.p + val.len, &err) != val.p + val.len ||
			    h.has_port)
				return vox_fail(diag, base, n.p, VOX_EMALFORMED,
				                "maddr must be a host");
			v->maddr = val;
		} else if (sip_case_eq_lit(n, "ttl")) {
			uint64_t x;
			rc = val.p && !pa->quoted ? vox_slice_u64(val, 255, &x) : VOX_EMALFORMED;
			if (rc)
				return vox_fail(diag, base, n.p, rc, "ttl must be 0..255");
			v->has_ttl = 1;
			v->ttl = (uint8_t)x;
		} else if (sip_case_eq_lit(n, "rport")) {
			/* RFC 3581: "rport" alone in a request, "rport=port" once filled */
			v->has_rport = 1;
			if (val.p) {
				uint64_t x;
				rc = pa->quoted ? VOX_EMALFORMED : vox_slice_u64(val, 65535, &x);
				if (rc)
					return vox_fail(diag, base, n.p, rc,
					                "rport must be a port");
				v->rport_has_value = 1;
				v->rport = (uint16_t)x;
			}
		}
	}
	return 0;
}

int vox_sip_via_is_rfc3261(const struct vox_sip_via *v)
{
	return v->branch.len >= 7 && memcmp(v->branch.p, "z9hG4bK", 7) == 0;
}

/* ---- small headers ------------------------------------------------------- */

int vox_sip_cseq_parse(struct vox_sip_cseq *c, struct vox_slice value, struct vox_diag *diag)
{
	const char *base = value.p, *p = sip_skip_lws(value.p, value.p + value.len);
	const char *end = value.p + value.len;
	const char *d = p;
	while (p < end && vox_is_digit((unsigned char)*p))
		p++;
	uint64_t n;
	int rc = vox_slice_u64(vox_slice_make(d, (size_t)(p - d)), UINT32_MAX, &n);
	if (rc)
		return vox_fail(diag, base, d, rc,
		                rc == VOX_ERANGE ? "CSeq number above 2^32-1"
		                                 : "expected a CSeq number");
	const char *m = sip_skip_lws(p, end);
	if (m == p)
		return vox_fail(diag, base, p, VOX_EMALFORMED,
		                "expected LWS after the CSeq number");
	p = sip_span(m, end, SIP_C_TOKEN);
	if (p == m)
		return vox_fail(diag, base, m, VOX_EMALFORMED, "expected a CSeq method");
	rc = expect_end(p, end, base, diag, "unexpected character after the CSeq method");
	if (rc)
		return rc;
	c->seq = (uint32_t)n;
	c->method = vox_slice_make(m, (size_t)(p - m));
	c->method_id = vox_sip_method_id(c->method);
	return 0;
}

int vox_sip_callid_parse(struct vox_slice value, struct vox_diag *diag)
{
	/* callid = word [ "@" word ] */
	const char *p = value.p, *end = value.p + value.len;
	const char *q = sip_span(p, end, SIP_C_WORD);
	if (q == p)
		return vox_fail(diag, value.p, p, VOX_EMALFORMED, "empty Call-ID");
	if (q < end && *q == '@') {
		const char *w = q + 1;
		q = sip_span(w, end, SIP_C_WORD);
		if (q == w)
			return vox_fail(diag, value.p, w, VOX_EMALFORMED,
			                "expected a word after '@' in Call-ID");
	}
	if (q != end)
		return vox_fail(diag, value.p, q, VOX_EMALFORMED, "bad character in Call-ID");
	return 0;
}

int vox_sip_uint_parse(struct vox_slice value, uint64_t max, uint64_t *out, struct vox_diag *diag)
{
	struct vox_slice t = sip_trim(value.p, value.p + value.len);
	int rc = vox_slice_u64(t, max, out);
	if (rc)
		return vox_fail(diag, value.p, t.p, rc,
		                rc == VOX_ERANGE ? "number out of range"
		                                 : "expected decimal digits");
	return 0;
}

int vox_sip_max_forwards_parse(struct vox_slice value, uint8_t *out, struct vox_diag *diag)
{
	uint64_t n;
	int rc = vox_sip_uint_parse(value, 255, &n, diag);
	if (rc)
		return rc;
	*out = (uint8_t)n;
	return 0;
}

int vox_sip_ctype_parse(struct vox_sip_ctype *c, struct vox_slice value, struct vox_diag *diag)
{
	const char *base = value.p, *end = value.p + value.len;
	const char *p = sip_skip_lws(value.p, end);
	const char *t = p;
	p = sip_span(p, end, SIP_C_TOKEN);
	c->type = vox_slice_make(t, (size_t)(p - t));
	const char *s = slash(p, end);
	if (!c->type.len || !s)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected type \"/\" subtype");
	p = sip_span(s, end, SIP_C_TOKEN);
	c->subtype = vox_slice_make(s, (size_t)(p - s));
	if (!c->subtype.len)
		return vox_fail(diag, base, s, VOX_EMALFORMED, "expected a media subtype");
	int rc = params_parse(&c->params, p, end, 0, &p, base, diag);
	if (rc)
		return rc;
	return expect_end(p, end, base, diag, "unexpected character in a media type");
}

int vox_sip_token_parse(struct vox_slice value, struct vox_slice *token, struct vox_diag *diag)
{
	struct vox_slice t = sip_trim(value.p, value.p + value.len);
	const char *q = sip_span(t.p, t.p + t.len, SIP_C_TOKEN);
	if (t.len == 0)
		return vox_fail(diag, value.p, t.p, VOX_EMALFORMED, "empty list element");
	if (q != t.p + t.len)
		return vox_fail(diag, value.p, q, VOX_EMALFORMED, "expected a token");
	*token = t;
	return 0;
}

/* ---- Date (RFC 3261 20.17, RFC 2616 3.3.1 rfc1123-date) ------------------- */

static int two_digits(const char *p, unsigned max, uint8_t *out)
{
	if (!vox_is_digit((unsigned char)p[0]) || !vox_is_digit((unsigned char)p[1]))
		return 0;
	unsigned v = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	if (v > max)
		return 0;
	*out = (uint8_t)v;
	return 1;
}

/* wkday, month and "GMT" are ABNF literals, so case-insensitive (RFC
 * 3261 25 uses RFC 2234 ABNF, 2.3; HTTP made them case-sensitive later, in
 * RFC 7231, SIP did not). */
static int name_eq(const char *p, const char *name, size_t n)
{
	return vox_slice_case_eq(vox_slice_make(p, n), vox_slice_make(name, n));
}

int vox_sip_date_parse(struct vox_sip_date *d, struct vox_slice value, struct vox_diag *diag)
{
	static const char wk[] = "SunMonTueWedThuFriSat";
	static const char mo[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	/* "Sat, 13 Nov 2010 23:29:00 GMT" is exactly 29 bytes. */
	struct vox_slice t = sip_trim(value.p, value.p + value.len);
	const char *p = t.p;
	if (t.len != 29)
		return vox_fail(diag, value.p, p, VOX_EMALFORMED,
		                "expected rfc1123-date: \"Sat, 13 Nov 2010 23:29:00 GMT\"");
	memset(d, 0, sizeof *d);
	int w = -1, m = -1;
	for (int i = 0; i < 7; i++)
		if (name_eq(p, wk + 3 * i, 3))
			w = i;
	for (int i = 0; i < 12; i++)
		if (name_eq(p + 8, mo + 3 * i, 3))
			m = i;
	uint8_t yh, yl;
	if (w < 0 || memcmp(p + 3, ", ", 2) != 0 || !two_digits(p + 5, 31, &d->day) ||
	    d->day == 0 || p[7] != ' ' || m < 0 || p[11] != ' ' || !two_digits(p + 12, 99, &yh) ||
	    !two_digits(p + 14, 99, &yl) || p[16] != ' ' || !two_digits(p + 17, 23, &d->hour) ||
	    p[19] != ':' || !two_digits(p + 20, 59, &d->min) || p[22] != ':' ||
	    !two_digits(p + 23, 60, &d->sec))
		return vox_fail(diag, value.p, p, VOX_EMALFORMED, "malformed rfc1123-date");
	if (!name_eq(p + 25, " GMT", 4))
		return vox_fail(diag, value.p, p + 26, VOX_EMALFORMED,
		                "Date must be in GMT (RFC 3261 20.17)");
	d->wday = (uint8_t)w;
	d->month = (uint8_t)(m + 1);
	d->year = (uint16_t)(yh * 100 + yl);
	return 0;
}

/* ---- authentication (RFC 3261 25.1 challenge / credentials) ------------------- */

/* auth-param *(COMMA auth-param), auth-param = token EQUAL
 * ( token / quoted-string ) */
static int auth_params(struct vox_sip_auth *a, const char *p, const char *end, const char *base,
                       struct vox_diag *diag)
{
	for (;;) {
		const char *n = p;
		p = sip_span(p, end, SIP_C_TOKEN);
		if (p == n)
			return vox_fail(diag, base, n, VOX_EMALFORMED,
			                "expected an auth parameter");
		if (a->params.n == VOX_SIP_MAX_PARAMS)
			return vox_fail(diag, base, n, VOX_ELIMIT,
			                "more auth parameters than VOX_SIP_MAX_PARAMS");
		struct vox_sip_param *pa = &a->params.p[a->params.n++];
		pa->name = vox_slice_make(n, (size_t)(p - n));
		pa->quoted = 0;
		p = sip_skip_lws(p, end);
		if (p == end || *p != '=')
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "expected '=' after an auth parameter");
		p = sip_skip_lws(p + 1, end);
		const char *v = p;
		if (p < end && *p == '"') {
			p = sip_quoted(p, end, &pa->value);
			if (!p)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "unterminated quoted auth parameter");
			pa->quoted = 1;
		} else {
			p = sip_span(p, end, SIP_C_TOKEN);
			if (p == v)
				return vox_fail(diag, base, v, VOX_EMALFORMED,
				                "expected an auth parameter value");
			pa->value = vox_slice_make(v, (size_t)(p - v));
		}
		p = sip_skip_lws(p, end);
		if (p == end)
			break;
		if (*p != ',')
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "expected ',' between auth parameters");
		p = sip_skip_lws(p + 1, end);
	}
	return 0;
}

int vox_sip_auth_parse(struct vox_sip_auth *a, struct vox_slice value, struct vox_diag *diag)
{
	const char *base = value.p, *end = value.p + value.len;
	memset(a, 0, sizeof *a);
	const char *p = sip_skip_lws(value.p, end);
	const char *s = p;
	p = sip_span(p, end, SIP_C_TOKEN);
	if (p == s)
		return vox_fail(diag, base, s, VOX_EMALFORMED, "expected an auth scheme");
	a->scheme = vox_slice_make(s, (size_t)(p - s));
	const char *q = sip_skip_lws(p, end);
	if (q == end)
		return 0;
	if (q == p)
		return vox_fail(diag, base, p, VOX_EMALFORMED,
		                "expected LWS after the auth scheme");
	int rc = auth_params(a, q, end, base, diag);
	if (rc) {
		/* Other schemes may carry a token68 (RFC 7235 2.1) or their own
		 * syntax: keep them opaque rather than refuse the message. */
		if (vox_slice_case_eq_cstr(a->scheme, "Digest"))
			return rc;
		a->params.n = 0;
		return 0;
	}
	static const struct {
		const char *name;
		size_t off;
	} known[] = {
	    {"realm", offsetof(struct vox_sip_auth, realm)},
	    {"nonce", offsetof(struct vox_sip_auth, nonce)},
	    {"opaque", offsetof(struct vox_sip_auth, opaque)},
	    {"algorithm", offsetof(struct vox_sip_auth, algorithm)},
	    {"qop", offsetof(struct vox_sip_auth, qop)},
	    {"stale", offsetof(struct vox_sip_auth, stale)},
	    {"domain", offsetof(struct vox_sip_auth, domain)},
	    {"username", offsetof(struct vox_sip_auth, username)},
	    {"uri", offsetof(struct vox_sip_auth, uri)},
	    {"response", offsetof(struct vox_sip_auth, response)},
	    {"cnonce", offsetof(struct vox_sip_auth, cnonce)},
	    {"nc", offsetof(struct vox_sip_auth, nc)},
	    {"userhash", offsetof(struct vox_sip_auth, userhash)},
	};
	for (size_t i = 0; i < a->params.n; i++)
		for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
			if (sip_case_eq_lit(a->params.p[i].name, known[k].name)) {
				struct vox_slice *dst =
				    (struct vox_slice *)(void *)((char *)a + known[k].off);
				if (dst->p)
					return vox_fail(diag, base, a->params.p[i].name.p,
					                VOX_EMALFORMED,
					                "auth parameter given twice");
				*dst = a->params.p[i].value;
			}
	return 0;
}
