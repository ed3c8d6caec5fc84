/* SPDX-License-Identifier: MIT */
/*
 * Building SIP messages into a caller's bounded buffer (RFC 3261 8.1.1,
 * 8.2.6), and the random identifiers every request needs.
 */
#include <string.h>

#include "sip/sip_int.h"

/* ---- identifiers (RFC 3261 8.1.1.4, 8.1.1.7, 19.3) ---------------------- */

/* 32 characters that are token, word and paramchar alike. */
static const char id_alphabet[] = "abcdefghijklmnopqrstuvwxyz234567";

/* n random characters, 5 bits of entropy each. */
static int random_chars(const struct vox_rng *rng, char *out, size_t n)
{
	uint8_t r[32];
	if (!rng || !rng->fn || n > sizeof r)
		return VOX_EINVAL;
	if (rng->fn(rng->ctx, r, n) != 0)
		return VOX_ERNG;
	for (size_t i = 0; i < n; i++)
		out[i] = id_alphabet[r[i] & 31];
	vox_wipe(r, sizeof r);
	return 0;
}

static int make_id(const struct vox_rng *rng, const char *prefix, size_t nrand,
                   struct vox_slice suffix, char *out, size_t cap)
{
	size_t pl = strlen(prefix);
	size_t need = pl + nrand + (suffix.len ? suffix.len + 1 : 0);
	if (need > cap)
		return VOX_ENOSPC;
	memcpy(out, prefix, pl);
	int rc = random_chars(rng, out + pl, nrand);
	if (rc)
		return rc;
	if (suffix.len) {
		out[pl + nrand] = '@';
		memcpy(out + pl + nrand + 1, suffix.p, suffix.len);
	}
	return (int)need;
}

int vox_sip_make_branch(const struct vox_rng *rng, char *out, size_t cap)
{
	/* 20 characters: 100 bits, unique across space and time (8.1.1.7) */
	return make_id(rng, "z9hG4bK", 20, vox_slice_make(NULL, 0), out, cap);
}

int vox_sip_make_tag(const struct vox_rng *rng, char *out, size_t cap)
{
	/* 19.3: at least 32 bits of randomness; we use 80 */
	return make_id(rng, "", 16, vox_slice_make(NULL, 0), out, cap);
}

int vox_sip_make_callid(const struct vox_rng *rng, struct vox_slice host, char *out, size_t cap)
{
	if (host.len && vox_sip_callid_parse(host, NULL) != 0)
		return VOX_EINVAL;
	return make_id(rng, "", 24, host, out, cap);
}

/* ---- reason phrases (RFC 3261 21 and later RFCs) ------------------------ */

const char *vox_sip_reason_phrase(unsigned status)
{
	switch (status) {
	case 100: return "Trying";
	case 180: return "Ringing";
	case 181: return "Call Is Being Forwarded";
	case 182: return "Queued";
	case 183: return "Session Progress";
	case 199: return "Early Dialog Terminated";
	case 200: return "OK";
	case 202: return "Accepted";
	case 204: return "No Notification";
	case 300: return "Multiple Choices";
	case 301: return "Moved Permanently";
	case 302: return "Moved Temporarily";
	case 305: return "Use Proxy";
	case 380: return "Alternative Service";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 410: return "Gone";
	case 413: return "Request Entity Too Large";
	case 414: return "Request-URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Unsupported URI Scheme";
	case 420: return "Bad Extension";
	case 421: return "Extension Required";
	case 423: return "Interval Too Brief";
	case 480: return "Temporarily Unavailable";
	case 481: return "Call/Transaction Does Not Exist";
	case 482: return "Loop Detected";
	case 483: return "Too Many Hops";
	case 484: return "Address Incomplete";
	case 485: return "Ambiguous";
	case 486: return "Busy Here";
	case 487: return "Request Terminated";
	case 488: return "Not Acceptable Here";
	case 491: return "Request Pending";
	case 493: return "Undecipherable";
	case 500: return "Server Internal Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Server Time-out";
	case 505: return "Version Not Supported";
	case 513: return "Message Too Large";
	case 600: return "Busy Everywhere";
	case 603: return "Decline";
	case 604: return "Does Not Exist Anywhere";
	case 606: return "Not Acceptable";
	}
	return "Unknown";
}

/* ---- writing ---------------------------------------------------------------- */

/* A value may not break the framing (no CR or LF), nor hold what vox's own
 * parser refuses: no control byte but HTAB. (RFC 3261 25.1 allows one as a
 * quoted-pair inside a quoted-string; vox never needs to send that.) */
static int safe_value(struct vox_slice v)
{
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.p[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 0;
	}
	return 1;
}

static int is_token(struct vox_slice t)
{
	return t.len && sip_span(t.p, t.p + t.len, SIP_C_TOKEN) == t.p + t.len;
}

static void put_header(struct vox_writer *w, const char *name, struct vox_slice value)
{
	vox_writer_puts(w, name);
	vox_writer_put(w, ": ", 2);
	vox_writer_put_slice(w, value);
	vox_writer_put(w, "\r\n", 2);
}

static int put_extra(struct vox_writer *w, const struct vox_sip_hdr_out *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!h[i].name || !is_token(vox_slice_cstr(h[i].name)) || !safe_value(h[i].value))
			return VOX_EINVAL;
		put_header(w, h[i].name, h[i].value);
	}
	return 0;
}

static int put_body(struct vox_writer *w, struct vox_slice ctype, struct vox_slice body)
{
	if (ctype.len) {
		if (!safe_value(ctype))
			return VOX_EINVAL;
		put_header(w, "Content-Type", ctype);
	}
	vox_writer_puts(w, "Content-Length: ");
	vox_writer_put_u64(w, body.len);
	vox_writer_put(w, "\r\n\r\n", 4);
	vox_writer_put_slice(w, body);
	return vox_writer_finish(w);
}

int vox_sip_build_request(const struct vox_sip_request_spec *s, char *out, size_t cap)
{
	struct vox_writer w;
	if (!s || !is_token(s->method) || !s->uri.len || !safe_value(s->uri) ||
	    memchr(s->uri.p, ' ', s->uri.len) || memchr(s->uri.p, '\t', s->uri.len))
		return VOX_EINVAL;
	vox_writer_init(&w, out, cap);
	vox_writer_put_slice(&w, s->method);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, s->uri);
	vox_writer_puts(&w, " SIP/2.0\r\n");
	int rc = put_extra(&w, s->hdr, s->nhdr);
	if (rc)
		return rc;
	return put_body(&w, s->content_type, s->body);
}

/* An address as text: dotted quad, or eight hex groups (a valid IPv6address,
 * RFC 3261 25.1, without the :: shorthand). */
static void put_addr(struct vox_writer *w, const struct vox_addr *a)
{
	static const char hex[] = "0123456789abcdef";
	if (a->family == 4) {
		for (int i = 0; i < 4; i++) {
			if (i)
				vox_writer_putc(w, '.');
			vox_writer_put_u64(w, a->ip[i]);
		}
		return;
	}
	for (int i = 0; i < 8; i++) {
		unsigned g = (unsigned)a->ip[2 * i] << 8 | a->ip[2 * i + 1];
		int started = 0;
		if (i)
			vox_writer_putc(w, ':');
		for (int k = 12; k >= 0; k -= 4) {
			unsigned d = (g >> k) & 15;
			if (d || started || k == 0) {
				vox_writer_putc(w, hex[d]);
				started = 1;
			}
		}
	}
}

int vox_sip_via_stamp(struct vox_slice via, const struct vox_addr *src, char *out, size_t cap)
{
	struct vox_sip_via v;
	if (vox_sip_via_parse(&v, via, NULL))
		return VOX_EMALFORMED;
	int same = (src->family == 4 && v.host.kind == VOX_SIP_HOST_IPV4 &&
	            memcmp(v.host.addr, src->ip, 4) == 0) ||
	           (src->family == 6 && v.host.kind == VOX_SIP_HOST_IPV6 &&
	            memcmp(v.host.addr, src->ip, 16) == 0);
	int fill_rport = v.has_rport && !v.rport_has_value;
	struct vox_writer w;
	vox_writer_init(&w, out, cap);
	if (fill_rport) {
		/* the first "rport" parameter is the one with no value */
		const struct vox_sip_param *r = vox_sip_param_find(&v.params, "rport");
		const char *after = r->name.p + r->name.len;
		vox_writer_put(&w, via.p, (size_t)(after - via.p));
		vox_writer_putc(&w, '=');
		vox_writer_put_u64(&w, src->port);
		vox_writer_put(&w, after, (size_t)(via.p + via.len - after));
	} else {
		vox_writer_put_slice(&w, via);
	}
	if (!v.received.p && (!same || fill_rport)) {
		vox_writer_puts(&w, ";received=");
		put_addr(&w, src);
	}
	return vox_writer_finish(&w);
}

/* Both builders: strict needs every header 8.2.6.2 copies; best effort
 * copies those the request has. */
/* The start line and the headers a response copies from its request
 * (8.2.6.2), into w. */
int sip_put_response_head(struct vox_writer *w, const struct vox_sip_msg *req,
                          const struct vox_addr *source, unsigned status, struct vox_slice reason,
                          struct vox_slice to_tag, int strict)
{
	if (!req || req->status || status < 100 || status > 699)
		return VOX_EINVAL;
	if (!safe_value(reason) || !safe_value(to_tag))
		return VOX_EINVAL;
	const struct vox_sip_header *to = vox_sip_find(req, VOX_SIP_H_TO);
	const struct vox_sip_header *from = vox_sip_find(req, VOX_SIP_H_FROM);
	const struct vox_sip_header *cid = vox_sip_find(req, VOX_SIP_H_CALL_ID);
	const struct vox_sip_header *cseq = vox_sip_find(req, VOX_SIP_H_CSEQ);
	if (strict && (!to || !from || !cid || !cseq || !vox_sip_find(req, VOX_SIP_H_VIA)))
		return VOX_EINVAL;
	struct vox_sip_addr to_addr;
	int to_ok = to && vox_sip_addr_parse(&to_addr, to->value, NULL) == 0;
	if (strict && !to_ok)
		return VOX_EINVAL;

	vox_writer_puts(w, "SIP/2.0 ");
	vox_writer_put_u64(w, status);
	vox_writer_putc(w, ' ');
	vox_writer_put_slice(w, reason);
	vox_writer_put(w, "\r\n", 2);
	/* 8.2.6.2: Via values in order, From, Call-ID, CSeq and To copied. */
	for (const struct vox_sip_header *h = vox_sip_find(req, VOX_SIP_H_VIA); h;
	     h = vox_sip_find_next(req, h)) {
		char top[VOX_SIP_MAX_TOKEN + 256];
		int n = -1;
		if (source && h == vox_sip_find(req, VOX_SIP_H_VIA))
			n = vox_sip_via_stamp(h->value, source, top, sizeof top);
		put_header(w, "Via", n >= 0 ? vox_slice_make(top, (size_t)n) : h->value);
	}
	if (from)
		put_header(w, "From", from->value);
	if (to) {
		vox_writer_puts(w, "To: ");
		vox_writer_put_slice(w, to->value);
		/* The UAS adds a To tag unless the request had one; never on
		 * 100, nor on a To it cannot read. */
		if (to_ok && !to_addr.tag.p && to_tag.len && status != 100) {
			if (!is_token(to_tag))
				return VOX_EINVAL;
			vox_writer_puts(w, ";tag=");
			vox_writer_put_slice(w, to_tag);
		}
		vox_writer_put(w, "\r\n", 2);
	}
	if (cid)
		put_header(w, "Call-ID", cid->value);
	if (cseq)
		put_header(w, "CSeq", cseq->value);
	/* 8.2.6.1: a 100 echoes the Timestamp of the request. */
	const struct vox_sip_header *ts = vox_sip_find(req, VOX_SIP_H_TIMESTAMP);
	if (status == 100 && ts)
		put_header(w, "Timestamp", ts->value);
	return 0;
}

static int build_response(const struct vox_sip_msg *req, const struct vox_addr *source,
                          unsigned status, const char *reason, struct vox_slice to_tag,
                          const struct vox_sip_hdr_out *extra, size_t nextra,
                          struct vox_slice content_type, struct vox_slice body, char *out,
                          size_t cap, int strict)
{
	if (!reason)
		reason = vox_sip_reason_phrase(status);
	struct vox_writer w;
	vox_writer_init(&w, out, cap);
	int rc =
	    sip_put_response_head(&w, req, source, status, vox_slice_cstr(reason), to_tag, strict);
	if (rc)
		return rc;
	rc = put_extra(&w, extra, nextra);
	if (rc)
		return rc;
	return put_body(&w, content_type, body);
}

int vox_sip_build_response(const struct vox_sip_msg *req, const struct vox_addr *source,
                           unsigned status, const char *reason, struct vox_slice to_tag,
                           const struct vox_sip_hdr_out *extra, size_t nextra,
                           struct vox_slice content_type, struct vox_slice body, char *out,
                           size_t cap)
{
	return build_response(req, source, status, reason, to_tag, extra, nextra, content_type,
	                      body, out, cap, 1);
}

int vox_sip_build_error_response(const struct vox_sip_msg *req, const struct vox_addr *source,
                                 unsigned status, const char *reason, struct vox_slice to_tag,
                                 const struct vox_sip_hdr_out *extra, size_t nextra, char *out,
                                 size_t cap)
{
	if (status < 300)
		return VOX_EINVAL;
	return build_response(req, source, status, reason, to_tag, extra, nextra,
	                      vox_slice_make(NULL, 0), vox_slice_make(NULL, 0), out, cap, 0);
}
