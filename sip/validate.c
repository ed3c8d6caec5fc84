/* SPDX-License-Identifier: MIT */
/*
 * Request and response validation: what a UAS (RFC 3261 8.2) or a proxy
 * (16.3) checks before it processes a message, and which response it sends
 * when a check fails. Kept apart from parsing so that a tool (or a proxy
 * that forwards what it does not understand) can parse without judging.
 */
#include <string.h>

#include "sip/sip_int.h"

static int verdict(struct vox_sip_verdict *v, const struct vox_sip_msg *m, unsigned status,
                   const char *at, const char *what, const char *hname, const char *detail)
{
	v->detail = detail;
	struct vox_writer w;
	vox_writer_init(&w, v->reason, sizeof v->reason - 1);
	vox_writer_puts(&w, what);
	if (hname) {
		vox_writer_puts(&w, " ");
		vox_writer_puts(&w, hname);
		vox_writer_puts(&w, " header");
	}
	/* A reason that does not fit is cut at the buffer, still NUL-terminated. */
	v->reason[w.len] = 0;
	v->off = at ? (size_t)(at - m->base) : 0;
	if (m->status) {
		v->drop = 1;
		v->status = 0;
	} else {
		v->status = status;
	}
	return 0;
}

/* RFC 3261 7.3.1: a header may appear more than once only if its value is
 * a comma-separated list, or it is one of the authentication headers 7.3.1
 * names; so may Identity (RFC 8224 4), and Authentication-Info, a list vox
 * does not split. Two values of any other header would mean two things to
 * two readers (RFC 4475 3.3.8). An unknown header's grammar is not known. */
static int may_repeat(unsigned id)
{
	switch (id) {
	case VOX_SIP_H_OTHER:
	case VOX_SIP_H_AUTHORIZATION:
	case VOX_SIP_H_PROXY_AUTHORIZATION:
	case VOX_SIP_H_WWW_AUTHENTICATE:
	case VOX_SIP_H_PROXY_AUTHENTICATE:
	case VOX_SIP_H_AUTHENTICATION_INFO:
	case VOX_SIP_H_IDENTITY: return 1;
	default: return sip_hinfo[id].list;
	}
}

/* Retry-After = delta-seconds [ comment ] *( SEMI retry-param ) (20.33):
 * only the number matters to vox; it must fit 32 bits. */
static int check_retry_after(struct vox_slice v)
{
	const char *p = v.p, *end = v.p + v.len;
	while (p < end && vox_is_digit((unsigned char)*p))
		p++;
	uint64_t n;
	return vox_slice_u64(vox_slice_make(v.p, (size_t)(p - v.p)), UINT32_MAX, &n);
}

/* warning-value = warn-code SP warn-agent SP warn-text (20.43) */
static int check_warning(struct vox_slice v)
{
	if (v.len < 5 || !vox_is_digit((unsigned char)v.p[0]) ||
	    !vox_is_digit((unsigned char)v.p[1]) || !vox_is_digit((unsigned char)v.p[2]) ||
	    v.p[3] != ' ')
		return VOX_EMALFORMED;
	const char *end = v.p + v.len;
	const char *q = memchr(v.p + 4, ' ', (size_t)(end - v.p - 4));
	struct vox_slice text;
	if (!q || q + 1 == end || q[1] != '"' || sip_quoted(q + 1, end, &text) != end)
		return VOX_EMALFORMED;
	return 0;
}

int vox_sip_empty_list_ok(const struct vox_sip_msg *m, size_t i)
{
	if (i >= m->nhdr)
		return 0;
	const struct vox_sip_header *h = &m->hdr[i];
	switch (h->id) {
	case VOX_SIP_H_ACCEPT:
	case VOX_SIP_H_ACCEPT_ENCODING:
	case VOX_SIP_H_ACCEPT_LANGUAGE:
	case VOX_SIP_H_ALLOW:
	case VOX_SIP_H_SUPPORTED: break;
	default: return 0;
	}
	/* alone on its line: "a," would leave an empty second value there */
	return h->value.len == 0 && (i == 0 || m->hdr[i - 1].line != h->line) &&
	       (i + 1 == m->nhdr || m->hdr[i + 1].line != h->line);
}

/* Decodes one header with the decoder vox has for its id. */
static int check_header(const struct vox_sip_header *h, struct vox_diag *d)
{
	union {
		struct vox_sip_addr addr;
		struct vox_sip_contact contact;
		struct vox_sip_via via;
		struct vox_sip_cseq cseq;
		struct vox_sip_ctype ctype;
		struct vox_sip_date date;
		struct vox_sip_auth auth;
	} u;
	struct vox_slice tok;
	uint64_t n;
	uint8_t mf;
	int rc;
	d->off = 0;
	d->what = "malformed";
	switch (h->id) {
	case VOX_SIP_H_VIA: return vox_sip_via_parse(&u.via, h->value, d);
	case VOX_SIP_H_FROM:
	case VOX_SIP_H_TO:
	case VOX_SIP_H_REPLY_TO:
	case VOX_SIP_H_REFER_TO:
	case VOX_SIP_H_REFERRED_BY: return vox_sip_addr_parse(&u.addr, h->value, d);
	case VOX_SIP_H_ROUTE:
	case VOX_SIP_H_RECORD_ROUTE:
	case VOX_SIP_H_PATH:
	case VOX_SIP_H_SERVICE_ROUTE:
		/* route-param = name-addr *( SEMI rr-param ): brackets required */
		rc = vox_sip_addr_parse(&u.addr, h->value, d);
		if (!rc && !u.addr.bracketed) {
			d->what = "route needs <URI>";
			rc = VOX_EMALFORMED;
		}
		return rc;
	case VOX_SIP_H_CONTACT: return vox_sip_contact_parse(&u.contact, h->value, d);
	case VOX_SIP_H_CSEQ: return vox_sip_cseq_parse(&u.cseq, h->value, d);
	case VOX_SIP_H_CALL_ID: return vox_sip_callid_parse(h->value, d);
	case VOX_SIP_H_MAX_FORWARDS: return vox_sip_max_forwards_parse(h->value, &mf, d);
	case VOX_SIP_H_EXPIRES:
	case VOX_SIP_H_MIN_EXPIRES:
		rc = vox_sip_uint_parse(h->value, UINT32_MAX, &n, d);
		/* RFC 4475 3.1.2.4: an out-of-range expiry may be read as the
		 * default; it does not make the message bad. */
		return rc == VOX_ERANGE ? 0 : rc;
	case VOX_SIP_H_RSEQ: return vox_sip_uint_parse(h->value, UINT32_MAX, &n, d);
	case VOX_SIP_H_CONTENT_TYPE:
	case VOX_SIP_H_ACCEPT: return vox_sip_ctype_parse(&u.ctype, h->value, d);
	case VOX_SIP_H_ALLOW:
	case VOX_SIP_H_SUPPORTED:
	case VOX_SIP_H_REQUIRE:
	case VOX_SIP_H_PROXY_REQUIRE:
	case VOX_SIP_H_UNSUPPORTED:
	case VOX_SIP_H_CONTENT_ENCODING: return vox_sip_token_parse(h->value, &tok, d);
	case VOX_SIP_H_DATE: return vox_sip_date_parse(&u.date, h->value, d);
	case VOX_SIP_H_AUTHORIZATION:
	case VOX_SIP_H_PROXY_AUTHORIZATION:
	case VOX_SIP_H_WWW_AUTHENTICATE:
	case VOX_SIP_H_PROXY_AUTHENTICATE: return vox_sip_auth_parse(&u.auth, h->value, d);
	case VOX_SIP_H_RETRY_AFTER:
		d->what = "Retry-After is not delta-seconds below 2^32";
		return check_retry_after(h->value);
	case VOX_SIP_H_WARNING:
		d->what = "expected warn-code SP warn-agent SP warn-text";
		return check_warning(h->value);
	default: return 0;
	}
}

static int tag_in(struct vox_slice t, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (sip_case_eq_lit(t, list[i]))
			return 1;
	return 0;
}

/* 420 Bad Extension: every option tag of Require (UAS) or Proxy-Require
 * (proxy) that we do not support goes into Unsupported (8.2.2.3, 16.3). */
static int check_require(const struct vox_sip_msg *m, const struct vox_sip_validate_opts *o,
                         struct vox_sip_verdict *v)
{
	enum vox_sip_hdr id =
	    o->role == VOX_SIP_ROLE_PROXY ? VOX_SIP_H_PROXY_REQUIRE : VOX_SIP_H_REQUIRE;
	const struct vox_sip_header *first = NULL;
	for (const struct vox_sip_header *h = vox_sip_find(m, id); h; h = vox_sip_find_next(m, h)) {
		struct vox_slice t;
		if (vox_sip_token_parse(h->value, &t, NULL) ||
		    tag_in(t, o->supported, o->nsupported))
			continue;
		if (!first)
			first = h;
		if (v->nunsupported < VOX_SIP_MAX_OPTION_TAGS)
			v->unsupported[v->nunsupported++] = t;
	}
	if (first)
		return verdict(v, m, 420, first->value.p, "Bad Extension", NULL, NULL), 1;
	return 0;
}

/* Does a media-range of Accept (type/subtype, "*" allowed) cover t/s? */
static int range_covers(const struct vox_sip_ctype *r, const char *t, const char *s)
{
	int any_t = sip_case_eq_lit(r->type, "*");
	int any_s = sip_case_eq_lit(r->subtype, "*");
	return (any_t || sip_case_eq_lit(r->type, t)) && (any_s || sip_case_eq_lit(r->subtype, s));
}

static int check_content(const struct vox_sip_msg *m, const struct vox_sip_validate_opts *o,
                         struct vox_sip_verdict *v)
{
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CONTENT_TYPE);
	if (m->body.len && h) {
		struct vox_sip_ctype ct;
		if (vox_sip_ctype_parse(&ct, h->value, NULL))
			return 0; /* reported as a bad header already */
		int ok = 0;
		for (size_t i = 0; i < o->naccept && !ok; i++) {
			const char *a = o->accept[i];
			const char *sl = strchr(a, '/');
			if (!sl)
				continue;
			struct vox_slice at = vox_slice_make(a, (size_t)(sl - a));
			ok = vox_slice_case_eq(ct.type, at) && sip_case_eq_lit(ct.subtype, sl + 1);
		}
		if (!ok)
			return verdict(v, m, 415, h->value.p, "Unsupported Media Type", NULL, NULL),
			       1;
	}
	for (h = vox_sip_find(m, VOX_SIP_H_CONTENT_ENCODING); h; h = vox_sip_find_next(m, h)) {
		struct vox_slice t;
		if (!vox_sip_token_parse(h->value, &t, NULL) && !sip_case_eq_lit(t, "identity"))
			return verdict(v, m, 415, h->value.p, "Unsupported Content-Encoding", NULL,
			               NULL),
			       1;
	}
	/* RFC 3261 21.4.7: an INVITE whose Accept excludes application/sdp
	 * leaves us no way to answer the session (RFC 4475 3.3.15). */
	const struct vox_sip_header *acc = vox_sip_find(m, VOX_SIP_H_ACCEPT);
	if (m->method_id == VOX_SIP_INVITE && acc) {
		for (h = acc; h; h = vox_sip_find_next(m, h)) {
			struct vox_sip_ctype r;
			if (!vox_sip_ctype_parse(&r, h->value, NULL) &&
			    range_covers(&r, "application", "sdp"))
				return 0;
		}
		return verdict(v, m, 406, acc->value.p, "Not Acceptable", NULL, NULL), 1;
	}
	return 0;
}

/* Broadcast or multicast: 255.255.255.255, 224.0.0.0/4, ff00::/8. */
static int is_group_address(const struct vox_sip_host *h)
{
	if (h->kind == VOX_SIP_HOST_IPV4)
		return (h->addr[0] & 0xf0) == 0xe0 || (h->addr[0] == 255 && h->addr[1] == 255 &&
		                                       h->addr[2] == 255 && h->addr[3] == 255);
	return h->kind == VOX_SIP_HOST_IPV6 && h->addr[0] == 0xff;
}

int vox_sip_validate(const struct vox_sip_msg *m, const struct vox_sip_validate_opts *opts,
                     struct vox_sip_verdict *v)
{
	static const struct vox_sip_validate_opts defaults;
	if (!m || !v)
		return VOX_EINVAL;
	const struct vox_sip_validate_opts *o = opts ? opts : &defaults;
	memset(v, 0, sizeof *v);
	const int req = m->status == 0;

	/* 8.2.1 / 8.1.3.1: only SIP/2.0, which 7.1 makes case-insensitive */
	if (!sip_case_eq_lit(m->version, "SIP/2.0"))
		return verdict(v, m, 505, m->version.p, "Version Not Supported", NULL, NULL);

	if (req) {
		struct vox_sip_uri u;
		struct vox_diag d;
		int rc = vox_sip_uri_parse(&u, m->uri, &d);
		if (rc == VOX_ESCHEME)
			return verdict(v, m, 416, m->uri.p, "Unsupported URI Scheme", NULL, NULL);
		if (rc)
			return verdict(v, m, 400, m->uri.p + d.off, "Bad Request-URI", NULL,
			               d.what);
		/* 19.1.1: headers are not allowed in a Request-URI */
		if (u.headers.len)
			return verdict(
			    v, m, 400, u.headers.p, "Bad Request-URI", NULL,
			    "headers are not allowed in a Request-URI (RFC 3261 19.1.1)");
	}

	/* 8.1.1: mandatory headers; Max-Forwards is left out because RFC 2543
	 * peers do not send it (RFC 4475 3.4.1). */
	static const uint8_t mandatory[] = {VOX_SIP_H_VIA, VOX_SIP_H_FROM, VOX_SIP_H_TO,
	                                    VOX_SIP_H_CALL_ID, VOX_SIP_H_CSEQ};
	for (size_t i = 0; i < sizeof mandatory; i++)
		if (!m->first[mandatory[i]])
			return verdict(v, m, 400, m->base, "Missing",
			               vox_sip_hdr_name((enum vox_sip_hdr)mandatory[i]), NULL);
	for (size_t i = 0; i < m->nhdr; i++) {
		const struct vox_sip_header *h = &m->hdr[i];
		if (m->first[h->id] != i + 1 && !may_repeat(h->id))
			return verdict(v, m, 400, h->name.p, "Multiple",
			               vox_sip_hdr_name((enum vox_sip_hdr)h->id),
			               "header may appear only once (RFC 3261 7.3.1)");
	}
	for (size_t i = 0; i < m->nhdr; i++) {
		const struct vox_sip_header *h = &m->hdr[i];
		struct vox_diag d;
		if (!vox_sip_empty_list_ok(m, i) && check_header(h, &d))
			return verdict(v, m, 400, h->value.p + d.off, "Bad",
			               vox_sip_hdr_name((enum vox_sip_hdr)h->id), d.what);
	}

	/* 20.15: Content-Type MUST be present if the body is not empty; a
	 * body nobody can name cannot be processed, nor passed on safely. */
	if (m->body.len && !m->first[VOX_SIP_H_CONTENT_TYPE])
		return verdict(v, m, 400, m->body.p, "Missing", "Content-Type",
		               "a body needs a Content-Type (RFC 3261 20.15)");

	struct vox_sip_cseq cs;
	if (vox_sip_cseq_parse(&cs, vox_sip_find(m, VOX_SIP_H_CSEQ)->value, NULL))
		return verdict(v, m, 400, m->base, "Bad", "CSeq", NULL);
	if (!req) {
		/* 8.1.3.3: a response with more than one Via is not for this UA
		 * (RFC 4475 3.3.10). */
		if (o->role == VOX_SIP_ROLE_UAS && m->nvia > 1)
			return verdict(v, m, 0,
			               vox_sip_find_next(m, vox_sip_find(m, VOX_SIP_H_VIA))->name.p,
			               "More than one Via in a response", NULL, "RFC 3261 8.1.3.3");
		/* 16.7 step 4: a proxy sends a response on to the next Via; never
		 * to a broadcast or multicast address (RFC 4475 3.3.10). */
		if (o->role == VOX_SIP_ROLE_PROXY && m->nvia > 1) {
			const struct vox_sip_header *h =
			    vox_sip_find_next(m, vox_sip_find(m, VOX_SIP_H_VIA));
			struct vox_sip_via next;
			if (!vox_sip_via_parse(&next, h->value, NULL) &&
			    is_group_address(&next.host))
				return verdict(v, m, 0, h->value.p, "Next Via is a group address",
				               NULL, "RFC 4475 3.3.10");
		}
		return 0;
	}

	/* 8.2.2 and RFC 4475 3.1.2.17/18: the CSeq method is the request's. */
	if (!vox_slice_eq(cs.method, m->method))
		return verdict(v, m, 400, cs.method.p, "Bad", "CSeq",
		               "CSeq method does not match the request method");

	/* Contact: one value in a dialog-creating request (8.1.1.8), "*" only
	 * alone in a REGISTER with Expires: 0 (10.2.2, 10.3 step 6). */
	size_t ncontact = 0;
	int star = 0;
	for (const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CONTACT); h;
	     h = vox_sip_find_next(m, h)) {
		struct vox_sip_contact c;
		ncontact++;
		if (!vox_sip_contact_parse(&c, h->value, NULL) && c.star)
			star = 1;
	}
	if ((m->method_id == VOX_SIP_INVITE || m->method_id == VOX_SIP_SUBSCRIBE ||
	     m->method_id == VOX_SIP_REFER) &&
	    ncontact > 1)
		return verdict(v, m, 400, vox_sip_find(m, VOX_SIP_H_CONTACT)->value.p,
		               "More than one URI in", "Contact", "RFC 3261 8.1.1.8");
	if (star) {
		const struct vox_sip_header *e = vox_sip_find(m, VOX_SIP_H_EXPIRES);
		uint64_t x = 1;
		if (e && vox_sip_uint_parse(e->value, UINT32_MAX, &x, NULL) != 0)
			x = 1;
		if (m->method_id != VOX_SIP_REGISTER || ncontact != 1 || !e || x != 0)
			return verdict(v, m, 400, vox_sip_find(m, VOX_SIP_H_CONTACT)->value.p,
			               "Bad", "Contact",
			               "Contact * needs REGISTER, a single Contact and Expires: 0");
	}

	/* 10.3: the To of a REGISTER is the address-of-record, a SIP or SIPS
	 * URI (RFC 4475 3.3.4). */
	if (m->method_id == VOX_SIP_REGISTER && o->role == VOX_SIP_ROLE_UAS) {
		struct vox_sip_addr to;
		const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_TO);
		if (!vox_sip_addr_parse(&to, h->value, NULL) &&
		    to.uri.scheme != VOX_SIP_SCHEME_SIP && to.uri.scheme != VOX_SIP_SCHEME_SIPS)
			return verdict(
			    v, m, 400, h->value.p, "Bad", "To",
			    "the address-of-record of a REGISTER must be a SIP or SIPS URI");
	}
	if (o->role == VOX_SIP_ROLE_PROXY) {
		/* 16.3 step 3: a proxy answers 483 rather than forward (RFC
		 * 4475 3.3.11; it may instead answer an OPTIONS itself) */
		const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_MAX_FORWARDS);
		uint8_t mf;
		if (h && !vox_sip_max_forwards_parse(h->value, &mf, NULL) && mf == 0)
			return verdict(v, m, 483, h->value.p, "Too Many Hops", NULL, NULL);
	}
	if (m->method_id != VOX_SIP_ACK && m->method_id != VOX_SIP_CANCEL && check_require(m, o, v))
		return 0;
	if (o->role == VOX_SIP_ROLE_UAS && o->methods) {
		int known = 0;
		for (size_t i = 0; i < o->nmethods; i++)
			known |=
			    o->methods[i] == m->method_id && m->method_id != VOX_SIP_METHOD_OTHER;
		if (!known)
			return verdict(v, m, m->method_id == VOX_SIP_METHOD_OTHER ? 501 : 405,
			               m->method.p,
			               m->method_id == VOX_SIP_METHOD_OTHER ? "Not Implemented"
			                                                    : "Method Not Allowed",
			               NULL, NULL);
	}
	if (o->role == VOX_SIP_ROLE_UAS && o->accept)
		(void)check_content(m, o, v);
	return 0;
}
