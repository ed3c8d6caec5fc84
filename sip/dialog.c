/* SPDX-License-Identifier: MIT */
/* SIP dialogs (RFC 3261 12). */
#include <string.h>

#include "sip/sip_int.h"
#include "vox/dialog.h"

/* ---- the store ------------------------------------------------------------ */

/* Squeezes out the space that replaced values left behind (a target
 * refresh writes the new target at the end). The tags live inside the
 * From/To values and move with them. */
static void compact(struct vox_sip_dialog *d)
{
	char tmp[VOX_SIP_DLG_STORE];
	struct vox_sip_dlg_str *f[] = {&d->call_id, &d->local, &d->remote, &d->target, &d->route};
	uint16_t lt = (uint16_t)(d->local_tag.off - d->local.off);
	uint16_t rt = (uint16_t)(d->remote_tag.off - d->remote.off);
	uint16_t used = 0;
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		memcpy(tmp + used, d->store + f[i]->off, f[i]->len);
		f[i]->off = used;
		used = (uint16_t)(used + f[i]->len);
	}
	memcpy(d->store, tmp, used);
	d->used = used;
	d->local_tag.off = (uint16_t)(d->local.off + lt);
	d->remote_tag.off = (uint16_t)(d->remote.off + rt);
}

/* Bytes the store would have free after compacting, with field f empty. */
static size_t room_without(const struct vox_sip_dialog *d, const struct vox_sip_dlg_str *f)
{
	size_t kept = (size_t)d->call_id.len + d->local.len + d->remote.len + d->target.len +
	              d->route.len - f->len;
	return sizeof d->store - kept;
}

/* Copies s into the store as field f (replacing what f held); line folds
 * become spaces (7.3.1 says a fold is whitespace), so every stored value
 * is one line. When s cannot fit, f keeps its old value. */
static int put(struct vox_sip_dialog *d, struct vox_sip_dlg_str *f, struct vox_slice s)
{
	if (s.len > sizeof d->store - d->used) {
		if (s.len > room_without(d, f))
			return VOX_ETOOLONG;
		f->len = 0;
		compact(d);
	}
	f->off = d->used;
	f->len = (uint16_t)s.len;
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		d->store[d->used++] = (c == '\r' || c == '\n') ? ' ' : c;
	}
	return 0;
}

/* Grows the field written last. */
static int append(struct vox_sip_dialog *d, struct vox_sip_dlg_str *f, struct vox_slice s)
{
	struct vox_sip_dlg_str tail = {0, 0};
	if (f->len && f->off + f->len != d->used)
		return VOX_EINVAL; /* only the last field written can grow */
	if (s.len > sizeof d->store - d->used)
		return VOX_ETOOLONG; /* compacting would move f under our feet */
	int rc = put(d, &tail, s);
	if (rc)
		return rc;
	if (!f->len)
		f->off = tail.off;
	f->len = (uint16_t)(f->len + tail.len);
	return 0;
}

static void reset(struct vox_sip_dialog *d)
{
	memset(d, 0, offsetof(struct vox_sip_dialog, store));
}

/* ---- pieces of messages ------------------------------------------------------ */

static int tag_of(const struct vox_sip_msg *m, enum vox_sip_hdr id, struct vox_slice *tag)
{
	struct vox_sip_addr a;
	const struct vox_sip_header *h = vox_sip_find(m, id);
	if (!h || vox_sip_addr_parse(&a, h->value, NULL))
		return VOX_EMALFORMED;
	*tag = a.tag;
	return 0;
}

/* Where requests of a dialog can go: a SIP or SIPS URI (8.1.1.8, 12.1.1
 * for the remote target; 16.6 step 4 for a Record-Route). Any other
 * scheme would end up in a Request-URI that no next hop is found for
 * (RFC 3263 resolves SIP and SIPS URIs only) and that a peer refuses
 * with 416. */
static int sip_uri(const struct vox_sip_uri *u)
{
	return u->scheme == VOX_SIP_SCHEME_SIP || u->scheme == VOX_SIP_SCHEME_SIPS;
}

/* The URI of the (single) Contact: the remote target (12.1.1, 12.1.2). */
static int contact_uri(const struct vox_sip_msg *m, struct vox_slice *uri)
{
	struct vox_sip_contact c;
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CONTACT);
	if (!h || vox_sip_contact_parse(&c, h->value, NULL) || c.star || !sip_uri(&c.addr.uri))
		return VOX_EMALFORMED;
	*uri = c.addr.uri.raw;
	return 0;
}

/* Route set from Record-Route: in order (UAS) or reversed (UAC). */
static int set_routes(struct vox_sip_dialog *d, const struct vox_sip_msg *m, int reverse)
{
	const struct vox_sip_header *rr[VOX_SIP_MAX_HEADERS];
	size_t n = 0;
	for (const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_RECORD_ROUTE); h;
	     h = vox_sip_find_next(m, h)) {
		struct vox_sip_addr a;
		if (vox_sip_addr_parse(&a, h->value, NULL) || !a.bracketed || !sip_uri(&a.uri))
			return VOX_EMALFORMED;
		rr[n++] = h;
	}
	size_t need = n ? 2 * (n - 1) : 0;
	for (size_t i = 0; i < n; i++)
		need += rr[i]->value.len;
	if (need > room_without(d, &d->route))
		return VOX_ETOOLONG; /* the route set stays as it was */
	d->route.len = 0;
	if (need > sizeof d->store - d->used)
		compact(d);
	for (size_t i = 0; i < n; i++) {
		const struct vox_sip_header *h = rr[reverse ? n - 1 - i : i];
		int rc = i ? append(d, &d->route, vox_slice_make(", ", 2)) : 0;
		if (!rc)
			rc = append(d, &d->route, h->value);
		if (rc)
			return rc;
	}
	return 0;
}

static int common(struct vox_sip_dialog *d, const struct vox_sip_msg *req, int secure)
{
	const struct vox_sip_header *cid = vox_sip_find(req, VOX_SIP_H_CALL_ID);
	struct vox_sip_uri ru;
	if (!cid)
		return VOX_EMALFORMED;
	/* 12.1.1: secure when the hop was TLS and the Request-URI is SIPS */
	d->secure = secure && vox_sip_uri_parse(&ru, req->uri, NULL) == 0 &&
	            ru.scheme == VOX_SIP_SCHEME_SIPS;
	return put(d, &d->call_id, cid->value);
}

/* Where a tag found inside a header value sits in the store; an absent
 * tag (RFC 2543 peers send no From tag, 12.1.1) is empty. */
static struct vox_sip_dlg_str tag_in(struct vox_sip_dlg_str field, struct vox_slice value,
                                     struct vox_slice tag)
{
	struct vox_sip_dlg_str t = {field.off, 0};
	if (tag.p) {
		t.off = (uint16_t)(field.off + (tag.p - value.p));
		t.len = (uint16_t)tag.len;
	}
	return t;
}

/* ---- creating ------------------------------------------------------------------ */

int vox_sip_dialog_uac(struct vox_sip_dialog *d, const struct vox_sip_msg *req,
                       const struct vox_sip_msg *resp, int secure)
{
	struct vox_slice remote_tag, local_tag, target;
	struct vox_sip_cseq cs;
	reset(d);
	const struct vox_sip_header *from = vox_sip_find(req, VOX_SIP_H_FROM);
	const struct vox_sip_header *to = vox_sip_find(resp, VOX_SIP_H_TO);
	const struct vox_sip_header *ch = vox_sip_find(req, VOX_SIP_H_CSEQ);
	if (req->status || !resp->status || resp->status >= 300 || !from || !to || !ch ||
	    vox_sip_cseq_parse(&cs, ch->value, NULL))
		return VOX_EINVAL;
	if (tag_of(resp, VOX_SIP_H_TO, &remote_tag) || !remote_tag.len ||
	    tag_of(req, VOX_SIP_H_FROM, &local_tag) || !local_tag.len)
		return VOX_EMALFORMED;
	int rc = common(d, req, secure);
	if (rc)
		return rc;
	/* 12.1.2: the remote target is the response's Contact, which a 2xx
	 * to INVITE must carry (12.1.1, 13.3.1.4): without it, no dialog, as
	 * in vox_sip_dialog_confirm. A 1xx without one (RFC 2543 peers) still
	 * makes an early dialog aimed at the Request-URI until the 2xx. */
	rc = contact_uri(resp, &target);
	if (rc && resp->status >= 200)
		return rc;
	if (rc)
		target = req->uri;
	d->uac = 1;
	d->local_seq = cs.seq;
	if ((rc = put(d, &d->local, from->value)) || (rc = put(d, &d->remote, to->value)) ||
	    (rc = put(d, &d->target, target)) || (rc = set_routes(d, resp, 1)))
		return rc;
	d->local_tag = tag_in(d->local, from->value, local_tag);
	d->remote_tag = tag_in(d->remote, to->value, remote_tag);
	d->state = resp->status < 200 ? VOX_DLG_EARLY : VOX_DLG_CONFIRMED;
	return 0;
}

int vox_sip_dialog_uas(struct vox_sip_dialog *d, const struct vox_sip_msg *req,
                       struct vox_slice local_tag, int secure)
{
	struct vox_slice remote_tag, target, to_tag;
	struct vox_sip_cseq cs;
	reset(d);
	const struct vox_sip_header *from = vox_sip_find(req, VOX_SIP_H_FROM);
	const struct vox_sip_header *to = vox_sip_find(req, VOX_SIP_H_TO);
	const struct vox_sip_header *ch = vox_sip_find(req, VOX_SIP_H_CSEQ);
	if (req->status || !from || !to || !ch || !local_tag.len ||
	    vox_sip_cseq_parse(&cs, ch->value, NULL))
		return VOX_EINVAL;
	if (tag_of(req, VOX_SIP_H_FROM, &remote_tag) || tag_of(req, VOX_SIP_H_TO, &to_tag) ||
	    contact_uri(req, &target))
		return VOX_EMALFORMED;
	if (to_tag.p)
		return VOX_EINVAL; /* a To tag: the request belongs to a dialog already */
	int rc = common(d, req, secure);
	if (rc)
		return rc;
	d->remote_seq = cs.seq;
	d->remote_seq_method = (uint8_t)(1 + req->method_id);
	if ((rc = put(d, &d->remote, from->value)) || (rc = put(d, &d->target, target)) ||
	    (rc = set_routes(d, req, 0)))
		return rc;
	/* our side: the request's To plus our tag */
	if ((rc = put(d, &d->local, to->value)) ||
	    (rc = append(d, &d->local, vox_slice_make(";tag=", 5))) ||
	    (rc = append(d, &d->local, local_tag)))
		return rc;
	d->local_tag.off = (uint16_t)(d->local.off + d->local.len - local_tag.len);
	d->local_tag.len = (uint16_t)local_tag.len;
	d->remote_tag = tag_in(d->remote, from->value, remote_tag);
	d->state = VOX_DLG_EARLY;
	return 0;
}

int vox_sip_dialog_confirm(struct vox_sip_dialog *d, const struct vox_sip_msg *resp)
{
	if (d->state != VOX_DLG_EARLY && d->state != VOX_DLG_CONFIRMED)
		return VOX_ESTATE;
	if (resp && d->uac) {
		/* 13.2.2.4: the 2xx gives the final target and route set */
		struct vox_slice target;
		int rc = contact_uri(resp, &target);
		if (rc)
			return rc;
		if ((rc = put(d, &d->target, target)) || (rc = set_routes(d, resp, 1)))
			return rc;
	}
	d->state = VOX_DLG_CONFIRMED;
	return 0;
}

/* ---- matching and receiving ------------------------------------------------- */

int vox_sip_dialog_match(const struct vox_sip_dialog *d, const struct vox_sip_msg *m)
{
	struct vox_slice ft, tt;
	const struct vox_sip_header *cid = vox_sip_find(m, VOX_SIP_H_CALL_ID);
	if (d->state == VOX_DLG_NONE || d->state == VOX_DLG_TERMINATED || !cid ||
	    !vox_slice_eq(cid->value, vox_sip_dialog_str(d, d->call_id)))
		return 0;
	if (tag_of(m, VOX_SIP_H_FROM, &ft) || tag_of(m, VOX_SIP_H_TO, &tt))
		return 0;
	struct vox_slice mine = m->status ? ft : tt, theirs = m->status ? tt : ft;
	return vox_slice_eq(mine, vox_sip_dialog_str(d, d->local_tag)) &&
	       vox_slice_eq(theirs, vox_sip_dialog_str(d, d->remote_tag));
}

int vox_sip_dialog_recv_request(struct vox_sip_dialog *d, const struct vox_sip_msg *req)
{
	struct vox_sip_cseq cs;
	const struct vox_sip_header *ch = vox_sip_find(req, VOX_SIP_H_CSEQ);
	if (!ch || vox_sip_cseq_parse(&cs, ch->value, NULL))
		return VOX_EMALFORMED;
	/* 12.2.2: ACK and CANCEL carry the CSeq of the request they belong
	 * to; any other request must come in order. Only a lower number is
	 * out of order: the same number with another method is another
	 * request (8.1.1.5: number and method name the transaction), while
	 * with the same method it is the request we had, come again. */
	if (req->method_id != VOX_SIP_ACK && req->method_id != VOX_SIP_CANCEL) {
		uint8_t method = (uint8_t)(1 + req->method_id);
		if (d->remote_seq_method &&
		    (cs.seq < d->remote_seq ||
		     (cs.seq == d->remote_seq && method == d->remote_seq_method)))
			return VOX_ERANGE;
		d->remote_seq = cs.seq;
		d->remote_seq_method = method;
	}
	/* target refresh requests (12.2, RFC 3311) */
	if (req->method_id == VOX_SIP_INVITE || req->method_id == VOX_SIP_UPDATE) {
		struct vox_slice target;
		if (!contact_uri(req, &target))
			return put(d, &d->target, target);
	}
	return 0;
}

int vox_sip_dialog_target_refresh(struct vox_sip_dialog *d, const struct vox_sip_msg *m)
{
	struct vox_slice target;
	int rc = contact_uri(m, &target);
	return rc ? rc : put(d, &d->target, target);
}

/* The first entry of a stored route set: it ends at the first ',' outside
 * <...>. Returns the entry's length, or -1 when it does not parse. */
static int first_route(struct vox_slice routes, struct vox_sip_addr *first)
{
	size_t k = 0;
	int angle = 0;
	for (; k < routes.len; k++) {
		if (routes.p[k] == '<')
			angle = 1;
		else if (routes.p[k] == '>')
			angle = 0;
		else if (routes.p[k] == ',' && !angle)
			break;
	}
	if (vox_sip_addr_parse(first, vox_slice_make(routes.p, k), NULL))
		return -1;
	return (int)k;
}

struct vox_slice vox_sip_dialog_first_hop(const struct vox_sip_dialog *d)
{
	struct vox_slice routes = vox_sip_dialog_str(d, d->route);
	struct vox_sip_addr first;
	if (!routes.len || first_route(routes, &first) < 0)
		return vox_sip_dialog_str(d, d->target);
	return first.uri.raw;
}

/* ---- building ------------------------------------------------------------------ */

/* 12.2.1.1: a strict router (no ;lr) first in the route set goes into the
 * Request-URI (without the headers a Request-URI cannot carry); else the
 * remote target does. Returns 1 (strict), 0, or -1 when the first route
 * does not parse; *first and *k (its length in the stored set) are set
 * when there is a route set. */
static int route_plan(const struct vox_sip_dialog *d, struct vox_sip_addr *first, size_t *k,
                      struct vox_slice *ruri)
{
	struct vox_slice routes = vox_sip_dialog_str(d, d->route);
	*ruri = vox_sip_dialog_str(d, d->target);
	*k = 0;
	if (!routes.len)
		return 0;
	int fk = first_route(routes, first);
	if (fk < 0)
		return -1;
	*k = (size_t)fk;
	if (vox_sip_param_find(&first->uri.params, "lr"))
		return 0;
	*ruri = first->uri.raw;
	if (first->uri.headers.len)
		ruri->len = (size_t)(first->uri.headers.p - 1 - ruri->p);
	return 1;
}

struct vox_slice vox_sip_dialog_request_uri(const struct vox_sip_dialog *d)
{
	struct vox_sip_addr first;
	struct vox_slice ruri;
	size_t k;
	return route_plan(d, &first, &k, &ruri) < 0 ? vox_slice_make(NULL, 0) : ruri;
}

static int safe(struct vox_slice s)
{
	for (size_t i = 0; i < s.len; i++)
		if (s.p[i] == '\r' || s.p[i] == '\n' || s.p[i] == 0)
			return 0;
	return 1;
}

int vox_sip_dialog_request(struct vox_sip_dialog *d, const struct vox_sip_dialog_req *r, char *out,
                           size_t cap, struct vox_slice *next_hop)
{
	if (d->state != VOX_DLG_EARLY && d->state != VOX_DLG_CONFIRMED)
		return VOX_ESTATE;
	if (!r->method.len || !safe(r->method) || !r->via.len || !safe(r->via) ||
	    !safe(r->contact) || !safe(r->content_type))
		return VOX_EINVAL;
	for (size_t i = 0; i < r->nextra; i++)
		if (!r->extra[i].name || !safe(vox_slice_cstr(r->extra[i].name)) ||
		    !safe(r->extra[i].value))
			return VOX_EINVAL;
	struct vox_slice target = vox_sip_dialog_str(d, d->target);
	struct vox_slice routes = vox_sip_dialog_str(d, d->route);
	struct vox_slice ruri, rest = routes;
	struct vox_sip_addr first;
	size_t k;
	int strict = route_plan(d, &first, &k, &ruri);
	if (strict < 0)
		return VOX_EINVAL;
	if (strict) /* the target goes to the end of the Route header */
		rest = k < routes.len ? sip_trim(routes.p + k + 1, routes.p + routes.len)
		                      : vox_slice_make(NULL, 0);
	uint32_t seq = r->cseq ? r->cseq : d->local_seq + 1;
	/* the values the dialog does not hold as they go out: the CSeq, and
	 * for a strict router the route set with the target at its end */
	char cseq[16 + VOX_SIP_MAX_TOKEN], route[VOX_SIP_DLG_STORE + 4];
	struct vox_writer w;
	vox_writer_init(&w, cseq, sizeof cseq);
	vox_writer_put_u64(&w, seq);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, r->method);
	int ql = vox_writer_finish(&w);
	vox_writer_init(&w, route, sizeof route);
	vox_writer_put_slice(&w, rest);
	if (strict) {
		vox_writer_puts(&w, rest.len ? ", <" : "<");
		vox_writer_put_slice(&w, target);
		vox_writer_putc(&w, '>');
	}
	int rl = vox_writer_finish(&w);
	if (ql < 0 || rl < 0 || r->nextra > VOX_SIP_DLG_MAX_EXTRA)
		return ql < 0 || rl < 0 ? VOX_ENOSPC : VOX_EINVAL;
	struct vox_sip_hdr_out h[8 + VOX_SIP_DLG_MAX_EXTRA];
	size_t nh = 0;
	h[nh++] = (struct vox_sip_hdr_out){"Via", r->via};
	h[nh++] = (struct vox_sip_hdr_out){"Max-Forwards", vox_slice_cstr("70")};
	if (rest.len || strict)
		h[nh++] = (struct vox_sip_hdr_out){"Route", vox_slice_make(route, (size_t)rl)};
	h[nh++] = (struct vox_sip_hdr_out){"From", vox_sip_dialog_str(d, d->local)};
	h[nh++] = (struct vox_sip_hdr_out){"To", vox_sip_dialog_str(d, d->remote)};
	h[nh++] = (struct vox_sip_hdr_out){"Call-ID", vox_sip_dialog_str(d, d->call_id)};
	h[nh++] = (struct vox_sip_hdr_out){"CSeq", vox_slice_make(cseq, (size_t)ql)};
	if (r->contact.len)
		h[nh++] = (struct vox_sip_hdr_out){"Contact", r->contact};
	for (size_t i = 0; i < r->nextra; i++)
		h[nh++] = r->extra[i];
	/* one builder for every request (sip/build.c) */
	const struct vox_sip_request_spec spec = {r->method, ruri, h, nh, r->content_type, r->body};
	int n = vox_sip_build_request(&spec, out, cap);
	if (n < 0)
		return n;
	/* where the first hop's URI lies in what was written: the
	 * Request-URI, or the first entry of the Route header */
	size_t hop_off = r->method.len + 1, hop_len = ruri.len;
	if (rest.len && !strict) {
		hop_off += ruri.len + sizeof " SIP/2.0\r\nVia: " - 1 + r->via.len +
		           sizeof "\r\nMax-Forwards: 70\r\nRoute: " - 1 +
		           (size_t)(first.uri.raw.p - routes.p);
		hop_len = first.uri.raw.len;
	}
	if (!r->cseq)
		d->local_seq = seq; /* only a request that was built uses its number */
	if (next_hop)
		*next_hop = vox_slice_make(out + hop_off, hop_len);
	return n;
}
