/* SPDX-License-Identifier: MIT */
/*
 * The UA engine: input dispatch, output, timers, events, and the pieces
 * every request needs (Via, Contact, next hop, authentication).
 */
#include <string.h>

#include "ua/ua_int.h"

/* ---- handles ------------------------------------------------------------------- */

static struct vox_ua_call *call_peek(const struct vox_ua *ua, vox_ua_handle h)
{
	size_t slot = h & 0xffff;
	if (!slot || slot > VOX_UA_MAX_CALLS)
		return NULL;
	const struct vox_ua_call *c = &ua->calls[slot - 1];
	if (c->state == VOX_UA_CALL_FREE || c->gen != (uint16_t)(h >> 16))
		return NULL;
	return (struct vox_ua_call *)(uintptr_t)c;
}

struct vox_ua_call *ua_call(struct vox_ua *ua, vox_ua_handle h)
{
	struct vox_ua_call *c = call_peek(ua, h);
	if (c)
		ua_touch(ua, c); /* an action on it may move its timers */
	return c;
}

/* ---- the call tables ------------------------------------------------------------ */

static uint16_t slot1(const struct vox_ua *ua, const struct vox_ua_call *c)
{
	return (uint16_t)(c - ua->calls + 1);
}

static struct vox_heap deadline_heap(struct vox_ua *ua)
{
	struct vox_heap h = {ua->heap_at, ua->heap_pos, ua->heap_key, &ua->heap_n};
	return h;
}

static uint64_t cid_key(struct vox_slice s)
{
	uint64_t k = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < s.len; i++) {
		k ^= (unsigned char)s.p[i];
		k *= 0x100000001b3ULL;
	}
	return k;
}

struct vox_slice ua_call_id_of(const struct vox_sip_msg *m)
{
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CALL_ID);
	return h ? h->value : vox_slice_make(NULL, 0);
}

struct vox_ua_call *ua_call_take(struct vox_ua *ua)
{
	if (!ua->free_call)
		return NULL;
	struct vox_ua_call *c = &ua->calls[ua->free_call - 1];
	ua->free_call = c->hnext;
	c->hnext = 0;
	c->indexed = 0;
	c->lnext = 0;
	c->lprev = ua->live_tail;
	if (ua->live_tail)
		ua->calls[ua->live_tail - 1].lnext = slot1(ua, c);
	else
		ua->live_head = slot1(ua, c);
	ua->live_tail = slot1(ua, c);
	ua->ncalls++;
	return c;
}

void ua_call_index(struct vox_ua *ua, struct vox_ua_call *c, struct vox_slice call_id)
{
	if (c->indexed)
		return;
	c->cid_key = cid_key(call_id);
	uint16_t *head = &ua->call_bucket[c->cid_key % VOX_UA_MAX_CALLS];
	c->hnext = *head;
	*head = slot1(ua, c);
	c->indexed = 1;
}

void ua_call_give_back(struct vox_ua *ua, struct vox_ua_call *c)
{
	uint16_t me = slot1(ua, c);
	if (ua->live_head != me && !c->lprev)
		return; /* not taken, or given back already */
	if (c->indexed) {
		uint16_t *link = &ua->call_bucket[c->cid_key % VOX_UA_MAX_CALLS];
		while (*link && *link != me)
			link = &ua->calls[*link - 1].hnext;
		if (*link)
			*link = c->hnext;
		c->indexed = 0;
	}
	if (c->lprev)
		ua->calls[c->lprev - 1].lnext = c->lnext;
	else
		ua->live_head = c->lnext;
	if (c->lnext)
		ua->calls[c->lnext - 1].lprev = c->lprev;
	else
		ua->live_tail = c->lprev;
	c->lprev = c->lnext = 0;
	struct vox_heap h = deadline_heap(ua);
	vox_heap_set(&h, (uint16_t)(me - 1), UA_NEVER);
	c->hnext = ua->free_call;
	ua->free_call = me;
	ua->ncalls--;
}

struct vox_ua_call *ua_call_by_cid(struct vox_ua *ua, struct vox_slice call_id,
                                   struct vox_ua_call *after)
{
	uint64_t key = cid_key(call_id);
	uint16_t i = after ? after->hnext : ua->call_bucket[key % VOX_UA_MAX_CALLS];
	for (; i; i = ua->calls[i - 1].hnext) {
		struct vox_ua_call *c = &ua->calls[i - 1];
		if (c->cid_key == key && c->state != VOX_UA_CALL_FREE) {
			ua_touch(ua, c);
			return c;
		}
	}
	return NULL;
}

void ua_touch(struct vox_ua *ua, struct vox_ua_call *c)
{
	if (c->dirty)
		return;
	c->dirty = 1;
	ua->dirty[ua->ndirty++] = (uint16_t)(c - ua->calls); /* each slot once: it fits */
}

void ua_settle(struct vox_ua *ua)
{
	struct vox_heap h = deadline_heap(ua);
	while (ua->ndirty) {
		uint16_t i = ua->dirty[--ua->ndirty];
		struct vox_ua_call *c = &ua->calls[i];
		c->dirty = 0;
		uint64_t t = UA_NEVER;
		if (c->state != VOX_UA_CALL_FREE) {
			uint64_t m = vox_media_next_deadline(&ua->media[i].engine);
			t = ua_call_next_deadline(c);
			if (m < t)
				t = m;
#if VOX_MEDIA_ZRTP
			if (ua->media[i].zrtp_ended)
				t = 0; /* the call ends: at once (ua_media_deadline) */
#endif
		}
		vox_heap_set(&h, i, t);
	}
}

struct vox_ua_account *ua_account(struct vox_ua *ua, vox_ua_handle h)
{
	size_t slot = h & 0xffff;
	if (!slot || slot > VOX_UA_MAX_ACCOUNTS)
		return NULL;
	struct vox_ua_account *a = &ua->acct[slot - 1];
	if (!a->used || a->gen != (uint16_t)(h >> 16))
		return NULL;
	return a;
}

vox_ua_handle ua_call_handle(const struct vox_ua *ua, const struct vox_ua_call *c)
{
	return ua_handle((size_t)(c - ua->calls), c->gen);
}

vox_ua_handle ua_account_handle(const struct vox_ua *ua, const struct vox_ua_account *a)
{
	return ua_handle((size_t)(a - ua->acct), a->gen);
}

const struct vox_ua_call *vox_ua_call_get(const struct vox_ua *ua, vox_ua_handle h)
{
	return call_peek(ua, h);
}

const struct vox_ua_account *vox_ua_account_get(const struct vox_ua *ua, vox_ua_handle h)
{
	return ua_account((struct vox_ua *)(uintptr_t)ua, h);
}

size_t vox_ua_calls_active(const struct vox_ua *ua)
{
	return ua->ncalls;
}

size_t vox_ua_calls_list(const struct vox_ua *ua, vox_ua_handle *out, size_t cap)
{
	/* slot order, as the header says; it stops at the last live call */
	size_t n = 0;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS && n < ua->ncalls; i++) {
		const struct vox_ua_call *c = &ua->calls[i];
		if (c->state == VOX_UA_CALL_FREE)
			continue;
		if (n < cap)
			out[n] = ua_call_handle(ua, c);
		n++;
	}
	return n;
}

const char *vox_ua_protection_name(enum vox_ua_protection p)
{
	switch (p) {
	case VOX_UA_PROT_NONE: return "none";
	case VOX_UA_PROT_SDES: return "srtp-sdes";
	case VOX_UA_PROT_ZRTP_UNVERIFIED: return "srtp-zrtp-unverified";
	case VOX_UA_PROT_ZRTP_VERIFIED: return "srtp-zrtp-verified";
	}
	return "unknown";
}

/* ---- events and output ----------------------------------------------------------- */

/* A fresh event at the back of the queue; when the queue is full the
 * oldest is dropped (and counted): the newest state matters most. */
struct vox_ua_event *ua_event(struct vox_ua *ua, enum vox_ua_ev_type type)
{
	if (ua->ev_len == VOX_UA_MAX_EVENTS) {
		ua->ev_head = (uint16_t)((ua->ev_head + 1) % VOX_UA_MAX_EVENTS);
		ua->ev_len--;
		ua->dropped_events++;
	}
	struct vox_ua_event *e = &ua->evq[(ua->ev_head + ua->ev_len) % VOX_UA_MAX_EVENTS];
	ua->ev_len++;
	memset(e, 0, sizeof *e);
	e->type = type;
	e->reason = "";
	return e;
}

int vox_ua_next_event(struct vox_ua *ua, struct vox_ua_event *ev)
{
	if (!ua->ev_len)
		return 0;
	*ev = ua->evq[ua->ev_head];
	ua->ev_head = (uint16_t)((ua->ev_head + 1) % VOX_UA_MAX_EVENTS);
	ua->ev_len--;
	return 1;
}

void ua_send(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to)
{
	struct vox_ua_out *o = &ua->outq[(ua->out_head + ua->out_len) % VOX_UA_OUTQ];
	size_t need = vox_sip_chunks_for(len);
	if (ua->out_len == VOX_UA_OUTQ || ua->out_chunks + need > ua->txl.nchunks / 4 ||
	    vox_sip_arena_put(&ua->txl, msg, len, &o->at)) {
		ua->dropped_out++; /* like a lost datagram: the peer retransmits */
		return;
	}
	o->len = (uint16_t)len;
	o->to = *to;
	ua->out_chunks += (uint32_t)need;
	ua->out_len++;
}

/* The oldest stateless message leaves the queue, its chunks wiped. */
static void out_drop(struct vox_ua *ua)
{
	struct vox_ua_out *o = &ua->outq[ua->out_head];
	ua->out_chunks -= (uint32_t)vox_sip_chunks_for(o->len);
	vox_sip_arena_drop(&ua->txl, &o->at); /* an ACK may carry credentials */
	ua->out_head = (uint16_t)((ua->out_head + 1) % VOX_UA_OUTQ);
	ua->out_len--;
}

int vox_ua_poll_output(struct vox_ua *ua, char *buf, size_t cap, struct vox_peer *to)
{
	struct vox_ua_dest d;
	int n = vox_ua_poll_output_dest(ua, buf, cap, &d);
	if (n > 0)
		*to = d.to;
	return n;
}

int vox_ua_poll_output_dest(struct vox_ua *ua, char *buf, size_t cap, struct vox_ua_dest *d)
{
	memset(d, 0, sizeof *d);
	if (ua->out_len) {
		struct vox_ua_out *o = &ua->outq[ua->out_head];
		int len = o->len;
		if (o->len > cap)
			return VOX_ENOSPC;
		vox_sip_arena_get(&ua->txl, o->at, o->len, buf);
		d->to = o->to;
		d->id = 0; /* outside transactions: nothing to tell of a failure */
		d->listener = (uint8_t)ua_listener(ua, &d->to);
		out_drop(ua);
		return len;
	}
	int n = vox_sip_txl_poll_output_id(&ua->txl, buf, cap, &d->to, &d->id);
	if (n > 0)
		d->listener = (uint8_t)ua_listener(ua, &d->to);
	return n;
}

static const char *server_name(const struct vox_ua *ua)
{
	return ua->cfg.user_agent ? ua->cfg.user_agent : "vox";
}

void ua_respond_stateless(struct vox_ua *ua, const struct vox_peer *from, unsigned status,
                          const char *extra_name, const char *extra_value)
{
	struct vox_sip_hdr_out h = {extra_name, vox_slice_cstr(extra_value)};
	ua_respond_stateless_h(ua, from, status, NULL, &h, extra_name ? 1 : 0);
}

void ua_respond_stateless_h(struct vox_ua *ua, const struct vox_peer *from, unsigned status,
                            const char *reason, const struct vox_sip_hdr_out *extra, size_t nextra)
{
	struct vox_peer to;
	struct vox_sip_hdr_out h[4] = {{"Server", vox_slice_cstr(server_name(ua))}};
	char tag[20];
	if (nextra > 3)
		return; /* more than the callers here pass */
	for (size_t i = 0; i < nextra; i++)
		h[1 + i] = extra[i];
	int tl = vox_sip_make_tag(&ua->cfg.rng, tag, sizeof tag);
	if (ua->msg.method_id == VOX_SIP_ACK || tl < 0)
		return;
	/* 18.2.2 sends a response where the top Via says; a request without
	 * a Via we can read is answered where it came from (best effort,
	 * RFC 4475 3.1.2: "ideally, respond with 400") */
	if (vox_sip_response_peer(&ua->msg, from, &to))
		to = *from;
	struct vox_slice t = vox_slice_make(tag, (size_t)tl);
	int n = status >= 300
	            ? vox_sip_build_error_response(&ua->msg, &from->addr, status, reason, t, h,
	                                           1 + nextra, ua->build, sizeof ua->build)
	            : vox_sip_build_response(&ua->msg, &from->addr, status, NULL, t, h, 1 + nextra,
	                                     vox_slice_make(NULL, 0), vox_slice_make(NULL, 0),
	                                     ua->build, sizeof ua->build);
	if (n > 0)
		ua_send(ua, ua->build, (size_t)n, &to);
}

/* The response built into ua->build; its length or the error. */
static int build_response(struct vox_ua *ua, const struct vox_sip_msg *req, unsigned status,
                          struct vox_slice tag, const struct vox_sip_hdr_out *extra, size_t nextra,
                          struct vox_slice body)
{
	struct vox_sip_hdr_out h[8];
	if (nextra >= sizeof h / sizeof h[0])
		return VOX_ELIMIT; /* more than the callers here ever pass */
	h[0] = (struct vox_sip_hdr_out){"Server", vox_slice_cstr(server_name(ua))};
	for (size_t i = 0; i < nextra; i++)
		h[1 + i] = extra[i];
	return vox_sip_build_response(
	    req, req == &ua->msg ? &ua->cur_from.addr : NULL, status, NULL, tag, h, 1 + nextra,
	    body.len ? vox_slice_cstr("application/sdp") : vox_slice_make(NULL, 0), body, ua->build,
	    sizeof ua->build);
}

int ua_respond(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_sip_msg *req,
               unsigned status, struct vox_slice tag, const struct vox_sip_hdr_out *extra,
               size_t nextra, struct vox_slice body, uint64_t now)
{
	char fresh[20];
	struct vox_sip_addr to;
	const struct vox_sip_header *th = vox_sip_find(req, VOX_SIP_H_TO);
	if (!tag.len && status > 100 && th && vox_sip_addr_parse(&to, th->value, NULL) == 0 &&
	    !to.tag.p) {
		/* 8.2.6.2: every response but 100 gets a To tag; 19.3: random */
		int tl = vox_sip_make_tag(&ua->cfg.rng, fresh, sizeof fresh);
		if (tl > 0) /* without randomness, an untagged answer beats none */
			tag = vox_slice_make(fresh, (size_t)tl);
	}
	int len = build_response(ua, req, status, tag, extra, nextra, body);
	if (len >= 0)
		return vox_sip_txl_respond(&ua->txl, txn, ua->build, (size_t)len, now);
	if (status < 200)
		return len;
	/* A final response that cannot be built (it would not fit
	 * VOX_SIP_TXN_MSG): a bare 500 goes in its place (21.5.1), so that
	 * the request still gets its answer. When even that cannot go out,
	 * the transaction is given up: it would wait for ever (no timer runs
	 * before a final response). The caller sees the first error. */
	int bare = status == 500
	               ? len
	               : build_response(ua, req, 500, tag, NULL, 0, vox_slice_make(NULL, 0));
	int rc = bare < 0 ? bare : vox_sip_txl_respond(&ua->txl, txn, ua->build, (size_t)bare, now);
	if (rc && rc != VOX_ESTATE && rc != VOX_ENOTFOUND) /* those have had their answer */
		vox_sip_txl_abandon(&ua->txl, txn);
	return len;
}

int ua_respond_ist(struct vox_ua *ua, vox_sip_txn_id txn, unsigned status, struct vox_slice tag,
                   const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                   uint64_t now)
{
	struct vox_sip_hdr_out h[8];
	if (nextra >= sizeof h / sizeof h[0])
		return VOX_ELIMIT; /* more than the callers here ever pass */
	h[0] = (struct vox_sip_hdr_out){"Server", vox_slice_cstr(server_name(ua))};
	for (size_t i = 0; i < nextra; i++)
		h[1 + i] = extra[i];
	struct vox_slice type =
	    body.len ? vox_slice_cstr("application/sdp") : vox_slice_make(NULL, 0);
	int rc =
	    vox_sip_txl_respond_build(&ua->txl, txn, status, tag, h, 1 + nextra, type, body, now);
	if (rc != VOX_ENOSPC && rc != VOX_EINVAL && rc != VOX_EPOOL)
		return rc;
	if (status < 200)
		return rc;
	/* as in ua_respond: a final response that cannot be built or kept
	 * gets a bare 500 in its place, or the transaction is given up */
	int bare = status == 500 ? rc
	                         : vox_sip_txl_respond_build(&ua->txl, txn, 500, tag, h, 1, type,
	                                                     vox_slice_make(NULL, 0), now);
	if (bare && bare != VOX_ESTATE && bare != VOX_ENOTFOUND)
		vox_sip_txl_abandon(&ua->txl, txn);
	return rc;
}

/* ---- building ---------------------------------------------------------------------- */

const char *ua_tp_name(enum vox_transport tp)
{
	return tp == VOX_TP_TCP ? "TCP" : tp == VOX_TP_TLS ? "TLS" : "UDP";
}

/* An address family a host string names: 6 for an IPv6 reference, 4 for
 * dotted digits, 0 for a name (it may be either). */
static uint8_t host_family(const char *h)
{
	if (strchr(h, ':'))
		return 6;
	for (; *h; h++)
		if ((*h < '0' || *h > '9') && *h != '.')
			return 0;
	return 4;
}

/* Listener i: 0 is the configured host, port and transport. */
static void listener_at(const struct vox_ua *ua, size_t i, enum vox_transport *tp,
                        const char **host, uint16_t *port)
{
	if (i == 0) {
		*tp = ua->cfg.transport;
		*host = ua->host;
		*port = ua->cfg.port;
		return;
	}
	*tp = (enum vox_transport)ua->lis[i - 1].tp;
	*host = ua->lis[i - 1].host;
	*port = ua->lis[i - 1].port;
}

size_t ua_listener(const struct vox_ua *ua, const struct vox_peer *to)
{
	/* the one the hop's message came in on, when the transport said */
	if (to->listener && to->listener <= ua->nlis + 1u)
		return to->listener - 1u;
	size_t best = 0;
	int best_score = -1;
	for (size_t i = 0; i <= ua->nlis; i++) {
		enum vox_transport tp;
		const char *host;
		uint16_t port;
		listener_at(ua, i, &tp, &host, &port);
		uint8_t fam = host_family(host);
		int score = (tp == to->tp ? 2 : 0) + (!fam || fam == to->addr.family ? 1 : 0);
		if (score > best_score) {
			best = i;
			best_score = score;
		}
	}
	return best;
}

/* Our address as a message to `to` shows it: its listener's host and port,
 * or (contact_from_rport) what the responses' Via said of them (RFC 3581). */
static void our_address(const struct vox_ua *ua, const struct vox_peer *to, int for_contact,
                        const char **host, uint16_t *port)
{
	size_t i = ua_listener(ua, to);
	enum vox_transport tp;
	listener_at(ua, i, &tp, host, port);
	if (for_contact && ua->cfg.contact_from_rport && ua->seen[i].port) {
		*host = ua->seen[i].host;
		*port = ua->seen[i].port;
	}
}

int ua_via(struct vox_ua *ua, const struct vox_peer *to, const char *given, char *out, size_t cap)
{
	const char *host;
	uint16_t port;
	our_address(ua, to, 0, &host, &port);
	char branch[UA_BRANCH_MAX];
	int bl =
	    given ? (int)strlen(given) : vox_sip_make_branch(&ua->cfg.rng, branch, sizeof branch);
	if (bl < 0)
		return bl;
	if (given) {
		if ((size_t)bl >= sizeof branch)
			return VOX_EINVAL;
		memcpy(branch, given, (size_t)bl);
	}
	struct vox_writer w;
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, "SIP/2.0/");
	vox_writer_puts(&w, ua_tp_name(to->tp)); /* the hop's transport (18.1.1) */
	vox_writer_putc(&w, ' ');
	vox_writer_puts(&w, host);
	vox_writer_putc(&w, ':');
	vox_writer_put_u64(&w, port);
	vox_writer_puts(&w, ";branch=");
	vox_writer_put(&w, branch, (size_t)bl);
	vox_writer_puts(&w, ";rport"); /* RFC 3581: answer to our source port */
	return vox_writer_finish(&w);
}

size_t ua_auth_agent(const struct vox_ua *ua, const char *auth_name, const char *auth_value,
                     struct vox_sip_hdr_out *h)
{
	size_t n = 0;
	if (auth_name)
		h[n++] = (struct vox_sip_hdr_out){auth_name, vox_slice_cstr(auth_value)};
	h[n++] = (struct vox_sip_hdr_out){"User-Agent", vox_slice_cstr(server_name(ua))};
	return n;
}

int ua_build_request(const char *method, struct vox_slice uri, const struct vox_sip_hdr_out *h,
                     size_t n, struct vox_slice sdp, char *out, size_t cap)
{
	const struct vox_sip_request_spec s = {
	    .method = vox_slice_cstr(method),
	    .uri = uri,
	    .hdr = h,
	    .nhdr = n,
	    .content_type = sdp.len ? vox_slice_cstr("application/sdp") : vox_slice_make(NULL, 0),
	    .body = sdp,
	};
	return vox_sip_build_request(&s, out, cap);
}

int ua_contact(const struct vox_ua *ua, struct vox_slice aor, const struct vox_peer *to, int sips,
               char *out, size_t cap)
{
	struct vox_sip_uri u;
	struct vox_writer w;
	const char *host;
	uint16_t port;
	int tls = to->tp == VOX_TP_TLS;
	our_address(ua, to, 1, &host, &port);
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, tls && sips ? "<sips:" : "<sip:");
	if (vox_sip_uri_parse(&u, aor, NULL) == 0 && u.user.len) {
		vox_writer_put_slice(&w, u.user);
		vox_writer_putc(&w, '@');
	}
	vox_writer_puts(&w, host);
	vox_writer_putc(&w, ':');
	vox_writer_put_u64(&w, port);
	if (to->tp == VOX_TP_TCP)
		vox_writer_puts(&w, ";transport=tcp");
	else if (tls && !sips)
		vox_writer_puts(&w, ";transport=tls");
	vox_writer_putc(&w, '>');
	return vox_writer_finish(&w);
}

/* ---- where requests go: names (RFC 3263) -------------------------------------------- */

/* The transport a URI asks for: sips: TLS, else its transport parameter
 * (*given 1), else the one we start requests on (*given 0). */
static enum vox_transport uri_transport(const struct vox_ua *ua, const struct vox_sip_uri *u,
                                        uint8_t *given)
{
	const struct vox_sip_param *tp = vox_sip_param_find(&u->params, "transport");
	*given = 1;
	if (u->scheme == VOX_SIP_SCHEME_SIPS)
		return VOX_TP_TLS;
	if (tp && vox_slice_case_eq_cstr(tp->value, "tcp"))
		return VOX_TP_TCP;
	if (tp && vox_slice_case_eq_cstr(tp->value, "tls"))
		return VOX_TP_TLS;
	if (tp && vox_slice_case_eq_cstr(tp->value, "udp"))
		return VOX_TP_UDP;
	*given = 0;
	return ua->cfg.transport;
}

static void hop_verified(const struct vox_ua *ua, struct vox_peer *to)
{
	to->verified = to->tp == VOX_TP_TLS && ua->cfg.tls_client_verifies;
}

/* RFC 3263 4.1/4.2 for a literal address: transport from the URI, port
 * from the URI or the transport's default. */
static void literal_hop(const struct vox_ua *ua, const struct vox_sip_uri *u, struct vox_peer *to)
{
	uint8_t given;
	memset(to, 0, sizeof *to);
	to->tp = uri_transport(ua, u, &given);
	to->addr.family = u->host.kind == VOX_SIP_HOST_IPV4 ? 4 : 6;
	memcpy(to->addr.ip, u->host.addr, 16);
	to->addr.port = u->host.has_port ? u->host.port : to->tp == VOX_TP_TLS ? 5061 : 5060;
	hop_verified(ua, to);
}

static int is_literal(const struct vox_sip_uri *u)
{
	return u->host.kind == VOX_SIP_HOST_IPV4 || u->host.kind == VOX_SIP_HOST_IPV6;
}

/* The slot holding the question a URI's host name asks, or NULL. Two URIs
 * ask the same when host, port and transport agree (the port and the
 * transport change what is looked up, 4.1/4.2). */
static struct vox_ua_name *name_find(const struct vox_ua *ua, const struct vox_sip_uri *u,
                                     enum vox_transport tp, uint8_t given)
{
	uint16_t port = u->host.has_port ? u->host.port : 0;
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++) {
		const struct vox_ua_name *e = &ua->names[i];
		if (e->state != VOX_UA_NAME_FREE && e->port == port && e->tp == tp &&
		    e->tp_given == given && e->sips == (u->scheme == VOX_SIP_SCHEME_SIPS) &&
		    vox_slice_case_eq_cstr(u->host.name, e->name))
			return (struct vox_ua_name *)(uintptr_t)e;
	}
	return NULL;
}

static void name_target(const struct vox_ua *ua, const struct vox_ua_name *e, size_t k,
                        struct vox_peer *to)
{
	memset(to, 0, sizeof *to);
	to->tp = e->target[k].tp;
	to->addr = e->target[k].addr;
	hop_verified(ua, to);
}

static struct vox_ua_name *hop_name(struct vox_ua *ua, const struct vox_ua_hop *hop)
{
	if (!hop->name || hop->name > VOX_UA_MAX_NAMES)
		return NULL;
	struct vox_ua_name *e = &ua->names[hop->name - 1];
	return e->state != VOX_UA_NAME_FREE && e->gen == hop->gen ? e : NULL;
}

/* A slot for a new question: a free one, else the answer taken least
 * recently (no request waits on an answer), or NULL. */
static struct vox_ua_name *name_take(struct vox_ua *ua)
{
	struct vox_ua_name *best = NULL;
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++) {
		struct vox_ua_name *e = &ua->names[i];
		if (e->state == VOX_UA_NAME_FREE)
			return e;
		if (e->state == VOX_UA_NAME_ANSWERED && (!best || e->used < best->used))
			best = e;
	}
	return best;
}

/* The slot asks its question (again): a new id, and a time to give up. */
static void name_ask(struct vox_ua *ua, struct vox_ua_name *e, uint64_t now)
{
	if (++ua->next_name_id == 0)
		ua->next_name_id = 1;
	e->id = ua->next_name_id;
	e->state = VOX_UA_NAME_TO_ASK;
	e->t = now + 64ull * ua->txl.timers.t1;
}

/* How long an answer serves new requests; requests inside a dialog take
 * it as long as it is kept. */
#define UA_NAME_KEEP_MS 300000u

/* The name of URI u (a host name) as a hop: its answer's first target
 * not known dead (0), or its question asked, or still waiting (UA_WAIT,
 * hop->wait); *hop says which slot. */
static int name_route(struct vox_ua *ua, const struct vox_sip_uri *u, struct vox_peer *to,
                      struct vox_ua_hop *hop, uint64_t now)
{
	if (u->host.kind != VOX_SIP_HOST_NAME || !u->host.name.len ||
	    u->host.name.len >= VOX_UA_STR)
		return VOX_ENOTFOUND;
	uint8_t given;
	enum vox_transport tp = uri_transport(ua, u, &given);
	struct vox_ua_name *e = name_find(ua, u, tp, given);
	if (e && e->state == VOX_UA_NAME_ANSWERED && (now >= e->t || e->cur >= e->n))
		name_ask(ua, e, now); /* stale, or every target dead: ask again */
	if (!e) {
		e = name_take(ua);
		if (!e)
			return VOX_EPOOL; /* every slot waits for an answer */
		uint8_t gen = (uint8_t)(e->gen + 1);
		memset(e, 0, sizeof *e);
		e->gen = gen;
		memcpy(e->name, u->host.name.p, u->host.name.len);
		e->name[u->host.name.len] = 0;
		e->port = u->host.has_port ? u->host.port : 0;
		e->tp = (uint8_t)tp;
		e->tp_given = given;
		e->sips = u->scheme == VOX_SIP_SCHEME_SIPS;
		name_ask(ua, e, now);
	}
	hop->name = (uint8_t)(e - ua->names + 1);
	hop->gen = e->gen;
	if (e->state != VOX_UA_NAME_ANSWERED) {
		hop->wait = 1;
		return UA_WAIT;
	}
	e->used = now;
	hop->k = e->cur;
	name_target(ua, e, e->cur, to);
	return 0;
}

int ua_route(struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to, struct vox_ua_hop *hop,
             uint64_t now)
{
	struct vox_sip_uri u;
	memset(hop, 0, sizeof *hop);
	if (ua->cfg.outbound.tp) {
		*to = ua->cfg.outbound;
		hop_verified(ua, to);
		return 0;
	}
	if (ua->outbound_uri[0])
		uri = vox_slice_cstr(ua->outbound_uri); /* 8.1.2 */
	if (vox_sip_uri_parse(&u, uri, NULL) != 0)
		return VOX_ENOTFOUND;
	if (is_literal(&u)) {
		literal_hop(ua, &u, to); /* no lookup for an address */
		return 0;
	}
	return name_route(ua, &u, to, hop, now);
}

int ua_dialog_route(struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to,
                    struct vox_ua_hop *hop, uint64_t now)
{
	struct vox_sip_uri u;
	memset(hop, 0, sizeof *hop);
	if (vox_sip_uri_parse(&u, uri, NULL) != 0)
		return VOX_ENOTFOUND;
	if (is_literal(&u)) {
		literal_hop(ua, &u, to);
		return 0;
	}
	uint8_t given;
	enum vox_transport tp = uri_transport(ua, &u, &given);
	struct vox_ua_name *e =
	    u.host.kind == VOX_SIP_HOST_NAME ? name_find(ua, &u, tp, given) : NULL;
	/* an answer kept, even a stale one being asked again: the server
	 * the dialog's requests reached so far */
	if (e && e->n && e->cur < e->n) {
		hop->name = (uint8_t)(e - ua->names + 1);
		hop->gen = e->gen;
		hop->k = e->cur;
		e->used = now;
		name_target(ua, e, e->cur, to);
		return 0;
	}
	if (ua->cfg.outbound.tp) { /* an address given for a proxy: as before */
		*to = ua->cfg.outbound;
		hop_verified(ua, to);
		return 0;
	}
	/* RFC 3263 4: the dialog's first hop is a name nobody asked for yet
	 * (the peer's Contact, a Record-Route), or all its targets died */
	return name_route(ua, &u, to, hop, now);
}

int ua_next_hop(const struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to)
{
	struct vox_sip_uri u;
	if (vox_sip_uri_parse(&u, uri, NULL) != 0)
		return VOX_ENOTFOUND;
	if (is_literal(&u)) {
		literal_hop(ua, &u, to);
		return 0;
	}
	uint8_t given;
	enum vox_transport tp = uri_transport(ua, &u, &given);
	const struct vox_ua_name *e =
	    u.host.kind == VOX_SIP_HOST_NAME ? name_find(ua, &u, tp, given) : NULL;
	/* an answer kept, even one being asked again: the server the
	 * dialog's first request reached (RFC 3263 4: its ACK and CANCEL
	 * go there too) */
	if (e && e->n && e->cur < e->n) {
		name_target(ua, e, e->cur, to);
		return 0;
	}
	if (ua->cfg.outbound.tp) { /* an address given for a proxy: as before */
		*to = ua->cfg.outbound;
		hop_verified(ua, to);
		return 0;
	}
	return VOX_ENOTFOUND;
}

int ua_hop_next(struct vox_ua *ua, struct vox_ua_hop *hop, struct vox_peer *to, uint64_t now)
{
	struct vox_ua_name *e = hop_name(ua, hop);
	if (!e || e->state != VOX_UA_NAME_ANSWERED || hop->wait)
		return VOX_ENOTFOUND;
	if (e->cur <= hop->k)
		e->cur = (uint8_t)(hop->k + 1); /* that one is dead */
	if (e->cur >= e->n)
		return VOX_ENOTFOUND; /* all dead: the next request asks again */
	e->used = now;
	hop->k = e->cur;
	name_target(ua, e, e->cur, to);
	return 0;
}

int vox_ua_poll_resolve(struct vox_ua *ua, struct vox_ua_resolve *req)
{
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++) {
		struct vox_ua_name *e = &ua->names[i];
		if (e->state != VOX_UA_NAME_TO_ASK)
			continue;
		memset(req, 0, sizeof *req);
		req->id = e->id;
		memcpy(req->name, e->name, sizeof req->name);
		req->port = e->port;
		req->tp = (enum vox_transport)e->tp;
		req->tp_given = e->tp_given;
		req->sips = e->sips;
		/* RFC 3263 4.1: NAPTR only when neither transport nor port is
		 * given; 4.2: SRV when the port is not */
		req->lookup = e->port       ? VOX_UA_LOOKUP_ADDR
		              : e->tp_given ? VOX_UA_LOOKUP_SRV
		                            : VOX_UA_LOOKUP_NAPTR;
		e->state = VOX_UA_NAME_ASKED;
		return 1;
	}
	return 0;
}

/* The requests that waited on the name of slot (1-based) and gen: sent to
 * the first of its answer's targets, or failed when e is NULL (no targets:
 * the slot is free by then, so that what a failure starts asks again). */
static void name_settle(struct vox_ua *ua, uint8_t slot, uint8_t gen, const struct vox_ua_name *e,
                        uint64_t now)
{
	struct vox_peer to;
	if (e)
		name_target(ua, e, 0, &to);
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++) {
		struct vox_ua_account *a = &ua->acct[i];
		if (!a->used || !a->hop.wait || a->hop.name != slot || a->hop.gen != gen)
			continue;
		a->hop.wait = 0;
		ua_reg_hop(ua, a, e ? &to : NULL, now);
	}
	for (struct vox_ua_call *c = ua_live_first(ua), *next; c; c = next) {
		next = ua_live_next(ua, c); /* c may end */
		if (c->state == VOX_UA_CALL_FREE || !c->hop.wait || c->hop.name != slot ||
		    c->hop.gen != gen)
			continue;
		ua_touch(ua, c);
		c->hop.wait = 0;
		c->hop.k = 0;
		ua_call_hop(ua, c, e ? &to : NULL, now);
	}
	/* and the requests inside dialogs that waited (BYE, re-INVITE) */
	for (struct vox_ua_call *c = ua_live_first(ua), *next; c; c = next) {
		next = ua_live_next(ua, c); /* c may end */
		if (c->state == VOX_UA_CALL_FREE || !c->dhop.wait || c->dhop.name != slot ||
		    c->dhop.gen != gen)
			continue;
		ua_touch(ua, c);
		c->dhop.wait = 0;
		c->dhop.k = 0;
		ua_call_dialog_hop(ua, c, e ? &to : NULL, now);
	}
}

/* The name of slot e did not resolve: the slot is freed, and what waited
 * on it fails. */
static void name_failed(struct vox_ua *ua, struct vox_ua_name *e, uint64_t now)
{
	uint8_t slot = (uint8_t)(e - ua->names + 1), gen = e->gen;
	e->state = VOX_UA_NAME_FREE;
	e->gen++;
	name_settle(ua, slot, gen, NULL, now);
}

int vox_ua_resolved(struct vox_ua *ua, uint32_t id, const struct vox_ua_target *targets, size_t n,
                    uint64_t now)
{
	struct vox_ua_name *e = NULL;
	for (size_t i = 0; id && !e && i < VOX_UA_MAX_NAMES; i++)
		if (ua->names[i].state == VOX_UA_NAME_ASKED && ua->names[i].id == id)
			e = &ua->names[i];
	if (!e)
		return VOX_ENOTFOUND;
	if (n > VOX_UA_MAX_TARGETS)
		return VOX_ELIMIT;
	if (n && !targets)
		return VOX_EINVAL;
	for (size_t k = 0; k < n; k++) {
		const struct vox_ua_target *t = &targets[k];
		if (t->tp < VOX_TP_UDP || t->tp > VOX_TP_TLS ||
		    (t->addr.family != 4 && t->addr.family != 6) || !t->addr.port ||
		    (e->tp_given && t->tp != (enum vox_transport)e->tp) ||
		    (e->sips && t->tp != VOX_TP_TLS))
			return VOX_EINVAL;
	}
	if (!n) {
		name_failed(ua, e, now);
	} else {
		for (size_t k = 0; k < n; k++)
			e->target[k] = targets[k];
		e->n = (uint8_t)n;
		e->cur = 0;
		e->id = 0;
		e->state = VOX_UA_NAME_ANSWERED;
		e->t = now + UA_NAME_KEEP_MS;
		e->used = now;
		name_settle(ua, (uint8_t)(e - ua->names + 1), e->gen, e, now);
	}
	ua_media_pump(ua);
	ua_settle(ua);
	return 0;
}

/* Questions nobody answered within 64*T1: as unresolved. */
static void names_deadline(struct vox_ua *ua, uint64_t now)
{
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++) {
		struct vox_ua_name *e = &ua->names[i];
		if ((e->state == VOX_UA_NAME_TO_ASK || e->state == VOX_UA_NAME_ASKED) &&
		    e->t <= now)
			name_failed(ua, e, now);
	}
}

static uint64_t names_next_deadline(const struct vox_ua *ua)
{
	uint64_t t = UA_NEVER;
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++) {
		const struct vox_ua_name *e = &ua->names[i];
		if ((e->state == VOX_UA_NAME_TO_ASK || e->state == VOX_UA_NAME_ASKED) && e->t < t)
			t = e->t;
	}
	return t;
}

int ua_request(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *to,
               uint64_t now, vox_sip_txn_id *id)
{
	return vox_sip_txl_request(&ua->txl, msg, len, to, now, id);
}

int ua_auth(struct vox_ua *ua, struct vox_ua_account *a, uint8_t *tries,
            const struct vox_sip_msg *resp, struct vox_slice method, struct vox_slice uri,
            struct vox_slice body, const char **hname, char *value, size_t cap)
{
	/* 22.2, 22.3: the challenges of a 401 (WWW-) or 407 (Proxy-); we
	 * answer the strongest, however many came: each one read is held
	 * against the best so far, which stays in ch[0] */
	enum vox_sip_hdr ch_id =
	    resp->status == 407 ? VOX_SIP_H_PROXY_AUTHENTICATE : VOX_SIP_H_WWW_AUTHENTICATE;
	struct vox_sip_auth ch[2];
	size_t n = 0;
	if (!a || (!a->password[0] && !a->ha1[0]))
		return VOX_EAUTH;
	struct vox_digest_cred cred = ua_cred(a);
	for (const struct vox_sip_header *h = vox_sip_find(resp, ch_id); h;
	     h = vox_sip_find_next(resp, h)) {
		if (vox_sip_auth_parse(&ch[n], h->value, NULL) != 0)
			continue;
		if (n == 0)
			n = 1;
		else if (vox_digest_pick(ch, 2, &cred, VOX_DIGEST_PICK_STRONGEST) == 1)
			ch[0] = ch[1];
	}
	int pick = vox_digest_pick(ch, n, &cred, VOX_DIGEST_PICK_STRONGEST);
	if (pick < 0)
		return pick;
	int rc = vox_digest_client_recv(&a->auth, &ch[pick], &ua->cfg.rng);
	if (rc)
		return rc;
	/* Retry once per challenge; a stale nonce earns one more (22.2). */
	if ((*tries)++ >= (a->auth.stale ? 2 : 1))
		return VOX_EAUTH;
	struct vox_digest_req req = {method, uri, body};
	*hname = resp->status == 407 ? "Proxy-Authorization" : "Authorization";
	if (cap == 0)
		return VOX_ENOSPC;
	rc = vox_digest_client_print(&a->auth, &cred, &req, value, cap - 1);
	if (rc >= 0)
		value[rc] = 0; /* room kept above */
	return rc;
}

/* ---- input ----------------------------------------------------------------------------- */

static const char *const supported_tags[] = {NULL}; /* no extensions yet */
static const enum vox_sip_method allowed[] = {VOX_SIP_INVITE, VOX_SIP_ACK, VOX_SIP_CANCEL,
                                              VOX_SIP_BYE, VOX_SIP_OPTIONS};
static const char *const accept_types[] = {"application/sdp"};

static struct vox_ua_account *account_of_txn(struct vox_ua *ua, vox_sip_txn_id id)
{
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		if (ua->acct[i].used && ua->acct[i].txn == id)
			return &ua->acct[i];
	return NULL;
}

static int owns_txn(const struct vox_ua_call *c, vox_sip_txn_id id)
{
	return c->invite_txn == id || c->cancel_txn == id || c->bye_txn == id;
}

/* The call a client transaction belongs to: through the Call-ID of the
 * response in hand (m), or, for a timer's event, among the live calls. */
static struct vox_ua_call *call_of_txn(struct vox_ua *ua, vox_sip_txn_id id,
                                       const struct vox_sip_msg *m)
{
	if (m) {
		struct vox_slice cid = ua_call_id_of(m);
		for (struct vox_ua_call *c = ua_call_by_cid(ua, cid, NULL); c;
		     c = ua_call_by_cid(ua, cid, c))
			if (owns_txn(c, id))
				return c;
		return NULL;
	}
	for (struct vox_ua_call *c = ua_live_first(ua); c; c = ua_live_next(ua, c))
		if (c->state != VOX_UA_CALL_FREE && owns_txn(c, id)) {
			ua_touch(ua, c);
			return c;
		}
	return NULL;
}

/* RFC 3581 4: the top Via of a response to our request says the address
 * and port our request came from, as the peer saw them (received, rport):
 * behind a NAT, that is where others must reach us. Kept per listener
 * (the one the response's hop leaves from), for our Contact when the
 * application asks for it (contact_from_rport). */
static void learn_rport(struct vox_ua *ua, const struct vox_sip_msg *m, const struct vox_peer *from)
{
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_VIA);
	struct vox_sip_via via;
	if (!ua->cfg.contact_from_rport || !h || vox_sip_via_parse(&via, h->value, NULL) ||
	    !via.rport_has_value || !via.rport)
		return;
	struct vox_ua_seen *s = &ua->seen[ua_listener(ua, from)];
	struct vox_slice host = via.received.p ? via.received : via.host.name;
	size_t v6 = host.len && memchr(host.p, ':', host.len) != NULL && host.p[0] != '[';
	if (!host.len || host.len + 2 * v6 >= sizeof s->host)
		return;
	size_t k = 0;
	if (v6)
		s->host[k++] = '[';
	memcpy(s->host + k, host.p, host.len);
	k += host.len;
	if (v6)
		s->host[k++] = ']';
	s->host[k] = 0;
	s->port = via.rport;
}

/* The call whose INVITE server transaction is id (an incoming call, or
 * a re-INVITE we serve). */
static struct vox_ua_call *call_of_ist(struct vox_ua *ua, vox_sip_txn_id id)
{
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct vox_ua_call *c = &ua->calls[i];
		if (c->state != VOX_UA_CALL_FREE && c->ist == id)
			return c;
	}
	return NULL;
}

int vox_ua_recv(struct vox_ua *ua, const char *msg, size_t len, const struct vox_peer *from,
                uint64_t now)
{
	struct vox_sip_msg *m = &ua->msg;
	struct vox_diag d;
	int rc = vox_sip_parse(m, msg, len, VOX_SIP_DATAGRAM, &d);
	if (rc < 0 && m->body_short && !m->status && m->method_id != VOX_SIP_ACK) {
		/* 18.3: a request with fewer body bytes than its Content-Length
		 * says gets 400, which its complete header section allows */
		ua_respond_stateless_h(ua, from, 400, "Content-Length larger than the message",
		                       NULL, 0);
		return VOX_UA_REFUSED;
	}
	if (rc < 0)
		return rc; /* not even a message: nothing can be answered */
	struct vox_sip_validate_opts o = {.role = VOX_SIP_ROLE_UAS,
	                                  .supported = supported_tags,
	                                  .nsupported = 0,
	                                  .methods = allowed,
	                                  .nmethods = 5,
	                                  .accept = accept_types,
	                                  .naccept = 1};
	struct vox_sip_verdict v;
	if (vox_sip_validate(m, &o, &v) != 0)
		return VOX_EINVAL;
	if (v.drop)
		return VOX_EMALFORMED;
	if (v.status) {
		/* 8.2: the response the checks call for, with what it needs */
		char list[256];
		const char *name = NULL, *value = NULL;
		if (v.status == 420) {
			/* 8.2.2.3: the 420 lists what we do not support; a list
			 * too long for us gets no 420 rather than an empty one */
			struct vox_writer w;
			vox_writer_init(&w, list, sizeof list - 1);
			for (size_t i = 0; i < v.nunsupported; i++) {
				if (i)
					vox_writer_puts(&w, ", ");
				vox_writer_put_slice(&w, v.unsupported[i]);
			}
			if (w.err)
				return VOX_ETOOLONG;
			list[w.len] = 0;
			name = "Unsupported";
			value = list;
		} else if (v.status == 405) {
			name = "Allow";
			value = UA_ALLOW;
		} else if (v.status == 415) {
			name = "Accept";
			value = "application/sdp";
		}
		struct vox_sip_hdr_out xh = {name, vox_slice_cstr(value)};
		ua_respond_stateless_h(ua, from, v.status, v.reason, &xh, name ? 1 : 0);
		return m->status ? VOX_EMALFORMED : VOX_UA_REFUSED;
	}
	ua->cur_from = *from;
	/* secure: a verified TLS hop, and every Via before it TLS */
	ua->cur_secure = (uint8_t)ua_hop_secure(from);
	for (const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_VIA); h && ua->cur_secure;
	     h = vox_sip_find_next(m, h)) {
		struct vox_sip_via via;
		ua->cur_secure = vox_sip_via_parse(&via, h->value, NULL) == 0 &&
		                 vox_slice_case_eq_cstr(via.transport, "TLS");
	}
	if (m->method_id == VOX_SIP_OPTIONS) {
		/* RFC 3261 11: answered at once, statelessly: no transaction,
		 * so that a flood of probes never locks a call out. 11.2: the
		 * status an INVITE would get now, 200 or (every call slot
		 * taken) 503 */
		int full = vox_ua_calls_active(ua) == VOX_UA_MAX_CALLS;
		const struct vox_sip_hdr_out h[] = {
		    {"Allow", vox_slice_cstr(UA_ALLOW)},
		    {"Accept", vox_slice_cstr("application/sdp")},
		    {"Supported", vox_slice_make(NULL, 0)}, /* no extension yet: 25.1 allows it */
		};
		const struct vox_sip_hdr_out busy = {"Retry-After", vox_slice_cstr("10")};
		ua_respond_stateless_h(ua, from, full ? 503 : 200, NULL, full ? &busy : h,
		                       full ? 1 : 3);
		return 0;
	}
	vox_sip_txn_id id;
	/* a BYE that ends one of our calls always finds room (15.1.2) */
	rc = m->method_id == VOX_SIP_BYE && ua_call_owns(ua, m)
	         ? vox_sip_txl_recv_must(&ua->txl, m, from, now, &id)
	         : vox_sip_txl_recv(&ua->txl, m, from, now, &id);
	if (rc == VOX_EPOOL) {
		/* no room for another transaction: come back later (21.5.4) */
		ua_respond_stateless(ua, from, 503, "Retry-After", "5");
		return VOX_UA_BUSY;
	}
	if (rc < 0)
		return rc;
	switch (rc) {
	case VOX_TXL_NEW_REQUEST: ua_call_request(ua, id, from, now); break;
	case VOX_TXL_ACK: ua_call_ack(ua, from, now); break;
	case VOX_TXL_STRAY_RESPONSE: ua_call_stray_2xx(ua, now); break;
	case VOX_TXL_RESPONSE: {
		learn_rport(ua, m, from);
		struct vox_ua_account *a = account_of_txn(ua, id);
		struct vox_ua_call *c = a ? NULL : call_of_txn(ua, id, m);
		if (a)
			ua_reg_response(ua, a, m, now);
		else if (c)
			ua_call_response(ua, c, id, m, now);
		else
			ua_call_stray_2xx(ua, now); /* e.g. of an INVITE a re-INVITE replaced */
		break;
	}
	default: break;
	}
	ua_media_pump(ua);
	ua_settle(ua);
	return 0;
}

/* ---- time ------------------------------------------------------------------------------ */

uint64_t vox_ua_next_deadline(const struct vox_ua *ua)
{
	uint64_t t = vox_sip_txl_next_deadline(&ua->txl);
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		if (ua->acct[i].used && ua->acct[i].t_refresh < t)
			t = ua->acct[i].t_refresh;
	uint64_t nt = names_next_deadline(ua);
	if (nt < t)
		t = nt;
	/* the calls' own timers and their media engines: the heap's top */
	if (ua->heap_n && ua->heap_key[ua->heap_at[0]] < t)
		t = ua->heap_key[ua->heap_at[0]];
	return t;
}

/* The transaction layer's events: transactions that ended without the
 * response their TU waits for. */
static void txl_events(struct vox_ua *ua, uint64_t now)
{
	struct vox_sip_txl_event ev;
	while (vox_sip_txl_next_event(&ua->txl, &ev)) {
		/* Timer B/F: as a 408 (8.1.3.1); H: the ACK never came; a
		 * transport error: as a 503 (8.1.3.1, 17.1.4), or for a server
		 * transaction, a response that cannot reach the peer (17.2.4) */
		unsigned status = ev.type == VOX_TXL_EV_TRANSPORT_ERR ? 503 : 408;
		struct vox_ua_account *a = account_of_txn(ua, ev.id);
		struct vox_ua_call *c = a ? NULL : call_of_txn(ua, ev.id, NULL);
		if (!a && !c && ev.type == VOX_TXL_EV_TRANSPORT_ERR)
			c = call_of_ist(ua, ev.id);
		/* RFC 3263 4.3: a dead target (no answer, or the transport
		 * failed) moves a request outside a dialog to the next target
		 * of its name, as a new transaction (a new branch); its TU
		 * hears only when every target failed. An INVITE that had a
		 * provisional response reached its server: no failover. */
		struct vox_peer next;
		if (ev.type != VOX_TXL_EV_NO_ACK && a &&
		    ua_hop_next(ua, &a->hop, &next, now) == 0) {
			ua_reg_hop(ua, a, &next, now);
			continue;
		}
		if (ev.type != VOX_TXL_EV_NO_ACK && c && c->outgoing && ev.id == c->invite_txn &&
		    c->state == VOX_UA_CALL_OUT_CALLING &&
		    ua_hop_next(ua, &c->hop, &next, now) == 0) {
			ua_call_hop(ua, c, &next, now);
			continue;
		}
		/* and so do requests inside a dialog (BYE, re-INVITE): the
		 * dialog's first hop is a name like any other (RFC 3263 4) */
		if (ev.type != VOX_TXL_EV_NO_ACK && c &&
		    ua_call_dialog_next(ua, c, ev.id, now) == 0)
			continue;
		if (a && ev.type != VOX_TXL_EV_NO_ACK)
			ua_reg_timeout(ua, a, status, now);
		else if (c)
			ua_call_txn_failed(ua, c, ev.id, status, now);
	}
}

void vox_ua_transport_error(struct vox_ua *ua, uint32_t id, uint64_t now)
{
	if (!id)
		return; /* sent outside transactions: a lost datagram */
	vox_sip_txl_transport_error(&ua->txl, id);
	txl_events(ua, now);
	ua_media_pump(ua);
}

void vox_ua_on_deadline(struct vox_ua *ua, uint64_t now)
{
	/* the layer stops when its event queue is full: drain, go on */
	do {
		vox_sip_txl_on_deadline(&ua->txl, now);
		txl_events(ua, now);
	} while (vox_sip_txl_next_deadline(&ua->txl) <= now);
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		if (ua->acct[i].used && ua->acct[i].t_refresh <= now)
			ua_reg_deadline(ua, &ua->acct[i], now);
	names_deadline(ua, now);
	/* the calls due: off the heap first (each runs once), then their
	 * timers, then every call touched meanwhile back in with its new
	 * deadline */
	ua_settle(ua); /* every key up to date, and the dirty stack empty */
	struct vox_heap h = deadline_heap(ua);
	size_t ndue = 0;
	while (ua->heap_n && ua->heap_key[ua->heap_at[0]] <= now) {
		uint16_t i = vox_heap_top(&h);
		vox_heap_set(&h, i, UA_NEVER);
		ua_touch(ua, &ua->calls[i]);
		ndue++;
	}
	for (size_t k = 0; k < ndue; k++) {
		struct vox_ua_call *c = &ua->calls[ua->dirty[k]];
		if (c->state != VOX_UA_CALL_FREE && ua_call_next_deadline(c) <= now)
			ua_call_deadline(ua, c, now);
		ua_media_deadline(ua, c, now);
	}
	ua_media_pump(ua);
#if VOX_MEDIA_ZRTP
	ua_media_enforce(ua, now); /* what the timers just made fail */
#endif
	ua_settle(ua);
}

/* ---- setup ------------------------------------------------------------------------------ */

int ua_copy(char *dst, size_t cap, struct vox_slice s)
{
	if (s.len >= cap)
		return VOX_EINVAL;
	if (s.len)
		memcpy(dst, s.p, s.len);
	dst[s.len] = 0;
	return 0;
}

/* Our media address: media_addr, else our host without the brackets of an
 * IPv6 reference. */
static struct vox_slice media_addr_of(const struct vox_ua_config *cfg)
{
	struct vox_slice media = cfg->media_addr;
	if (!media.len) {
		media = cfg->host;
		if (media.len > 2 && media.p[0] == '[' && media.p[media.len - 1] == ']')
			media = vox_slice_make(media.p + 1, media.len - 2);
	}
	return media;
}

static int proxy_uri_ok(struct vox_slice s)
{
	struct vox_sip_uri u;
	return s.len < VOX_UA_STR && vox_sip_uri_parse(&u, s, NULL) == 0 &&
	       (u.scheme == VOX_SIP_SCHEME_SIP || u.scheme == VOX_SIP_SCHEME_SIPS) &&
	       (is_literal(&u) || (u.host.kind == VOX_SIP_HOST_NAME && u.host.name.len));
}

int vox_ua_config_check(const struct vox_ua_config *cfg, const char **why)
{
	const char *ignored;
	if (!why)
		why = &ignored;
	*why = NULL;
	if (!cfg) {
		*why = "no configuration";
		return VOX_EINVAL;
	}
	/* What vox_ua_init copies must fit its copy (struct vox_ua). */
	struct vox_slice media = media_addr_of(cfg);
	if (!cfg->host.len)
		*why = "no host";
	else if (cfg->host.len >= VOX_UA_STR)
		*why = "host not under VOX_UA_STR bytes";
	else if (cfg->aor.len >= VOX_UA_STR)
		*why = "aor not under VOX_UA_STR bytes";
	else if (cfg->display_name.len >= 64)
		*why = "display_name not under 64 bytes";
	else if (media.len >= 64)
		*why = "media address (media_addr, or else the host) not under 64 bytes";
	else if (!cfg->rng.fn)
		*why = "no random source (rng.fn)";
	else if (cfg->n_listeners > VOX_UA_MAX_LISTENERS - 1)
		*why = "more listeners than VOX_UA_MAX_LISTENERS - 1 besides the first";
	else if (cfg->outbound_proxy.len && cfg->outbound.tp)
		*why = "an outbound proxy given twice (outbound_proxy and outbound)";
	else if (cfg->outbound_proxy.len && !proxy_uri_ok(cfg->outbound_proxy))
		*why = "outbound_proxy is not a sip: or sips: URI under VOX_UA_STR bytes";
	else if (cfg->n_codecs > 2 || (cfg->n_codecs == 2 && cfg->codecs[0] == cfg->codecs[1]))
		*why = "codecs: PCMU and PCMA, each at most once";
	for (size_t i = 0; !*why && i < cfg->n_codecs; i++)
		if (cfg->codecs[i] != VOX_SDP_CODEC_PCMU && cfg->codecs[i] != VOX_SDP_CODEC_PCMA)
			*why = "codecs: PCMU and PCMA, each at most once";
	for (size_t i = 0; !*why && i < cfg->n_listeners; i++) {
		const struct vox_ua_listener *li = &cfg->listeners[i];
		if (li->tp < VOX_TP_UDP || li->tp > VOX_TP_TLS)
			*why = "a listener's transport is not UDP, TCP or TLS";
		else if (!li->host.len || li->host.len >= VOX_UA_STR)
			*why = "a listener's host is empty or not under VOX_UA_STR bytes";
	}
	if (*why)
		return VOX_EINVAL;
	/* Every call's SDP settings as local_sdp() makes them over a TLS path;
	 * the port is each call's own, any one will do here. */
	struct vox_sdp_local l;
	vox_sdp_local_init(&l, media, UA_PORT_UNNAMED);
	ua_codecs(cfg, &l);
	l.ip6 = memchr(media.p, ':', media.len) != NULL;
	l.policy = cfg->policy;
	l.key_methods = cfg->key_methods;
	l.n_suites = cfg->n_suites;
	memcpy(l.suites, cfg->suites, sizeof l.suites);
	struct vox_sdp_fail f = {0, NULL, -1};
	int rc = vox_sdp_local_check(&l, &f);
	*why = f.reason;
	return rc;
}

/* Our port and transport; 0 means UDP, and its default port (RFC 3261
 * 19.1.2). */
static void set_transport(struct vox_ua *ua, uint16_t port, enum vox_transport tp)
{
	ua->cfg.transport = tp ? tp : VOX_TP_UDP;
	ua->cfg.port = port ? port : ua->cfg.transport == VOX_TP_TLS ? 5061 : 5060;
}

uint32_t vox_ua_fingerprint(void)
{
	return VOX_CONFIG_FINGERPRINT;
}

int vox_ua_init_fp(struct vox_ua *ua, const struct vox_ua_config *cfg, uint32_t fingerprint)
{
	if (fingerprint != VOX_CONFIG_FINGERPRINT)
		return VOX_ECONFIG; /* *ua is not the size we think: touch nothing */
	memset(ua, 0, sizeof *ua);
	int rc = vox_ua_config_check(cfg, NULL);
	if (rc < 0)
		return rc;
	ua->cfg = *cfg;
	set_transport(ua, cfg->port, cfg->transport);
	struct vox_slice media = media_addr_of(cfg);
	if (ua_copy(ua->host, sizeof ua->host, cfg->host) ||
	    ua_copy(ua->aor, sizeof ua->aor, cfg->aor) ||
	    ua_copy(ua->display, sizeof ua->display, cfg->display_name) ||
	    ua_copy(ua->media_addr, sizeof ua->media_addr, media) ||
	    ua_copy(ua->outbound_uri, sizeof ua->outbound_uri, cfg->outbound_proxy))
		return VOX_EINVAL;
	ua->cfg.outbound_proxy = vox_slice_cstr(ua->outbound_uri);
	/* the copies, not the caller's memory, from now on */
	ua->cfg.host = vox_slice_cstr(ua->host);
	ua->cfg.aor = vox_slice_cstr(ua->aor);
	ua->cfg.display_name = vox_slice_cstr(ua->display);
	ua->cfg.media_addr = vox_slice_cstr(ua->media_addr);
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		const struct vox_ua_listener *li = &cfg->listeners[i];
		struct vox_ua_lis *d = &ua->lis[i];
		if (ua_copy(d->host, sizeof d->host, li->host))
			return VOX_EINVAL; /* not reached: checked above */
		d->tp = (uint8_t)li->tp;
		d->port = li->port ? li->port : li->tp == VOX_TP_TLS ? 5061 : 5060;
		ua->cfg.listeners[i].host = vox_slice_cstr(d->host);
	}
	ua->nlis = cfg->n_listeners;
	rc = vox_sip_txl_init(&ua->txl, ua->txn, VOX_UA_MAX_TXN, ua->arena,
	                      sizeof ua->arena / sizeof ua->arena[0], &cfg->timers);
	if (rc)
		return rc; /* not reached: config.h checks the sizes */
	/* requests from outside cannot take the last slots: our REGISTER
	 * refreshes, BYEs, CANCELs and re-INVITEs always find one */
	ua->txl.reserve = 2 * VOX_UA_MAX_CALLS + VOX_UA_MAX_ACCOUNTS;
	for (size_t i = VOX_UA_MAX_CALLS; i-- > 0;) {
		ua->calls[i].gen = 1;
		ua->calls[i].hnext = ua->free_call; /* the free list, slot 0 first */
		ua->free_call = (uint16_t)(i + 1);
		vox_media_init(&ua->media[i].engine);
		ua->media[i].offer_at = ua->calls[i].cred_at = VOX_SIP_NOCHUNK;
	}
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		ua->acct[i].gen = 1;
	return 0;
}

void vox_ua_free(struct vox_ua *ua)
{
	if (!ua)
		return;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		vox_sdp_oa_free(&ua->calls[i].oa);
		vox_media_free(&ua->media[i].engine); /* libsrtp2's contexts, the keys */
	}
	vox_wipe(ua->mout, sizeof ua->mout);
	ua->mout_len = 0;
	/* every buffer a key or a password passed through: the messages the
	 * transactions keep (the arena) and the one read back, the output
	 * queue, the scratch a message is built in */
	while (ua->out_len) /* before the arena's links are wiped */
		out_drop(ua);
	vox_wipe(ua->arena, sizeof ua->arena);
	vox_wipe(ua->txl.work, sizeof ua->txl.work);
	vox_wipe(ua->build, sizeof ua->build);
	vox_wipe(ua->sdp_out, sizeof ua->sdp_out);
	vox_wipe(&ua->oa_saved, sizeof ua->oa_saved);

	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++) {
		vox_digest_client_free(&ua->acct[i].auth);
		vox_wipe(ua->acct[i].password, sizeof ua->acct[i].password);
		vox_wipe(ua->acct[i].ha1, sizeof ua->acct[i].ha1);
	}
}

int vox_ua_set_contact(struct vox_ua *ua, struct vox_slice host, uint16_t port,
                       enum vox_transport tp, uint64_t now)
{
	if (!host.len || host.len >= sizeof ua->host)
		return VOX_EINVAL;
	/* each binding moves: remember the old contact, so that the next
	 * REGISTER removes it (Contact: old;expires=0) while it adds the new */
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++) {
		struct vox_ua_account *a = &ua->acct[i];
		if (!a->used || (a->state != VOX_UA_REG_OK && a->state != VOX_UA_REG_TRYING))
			continue;
		struct vox_peer to = a->peer;
		int n = a->peer.tp ? 0 : ua_next_hop(ua, vox_slice_cstr(a->registrar), &to);
		if (n == 0)
			n = ua_contact(ua, vox_slice_cstr(a->aor), &to, 1, a->old_contact,
			               sizeof a->old_contact - 1);
		a->old_contact[n > 0 ? n : 0] = 0;
		if (a->txn && vox_sip_txl_get(&ua->txl, a->txn))
			a->want = 1; /* after the REGISTER in flight (10.2) */
		else
			a->t_refresh = now;
	}
	if (ua_copy(ua->host, sizeof ua->host, host))
		return VOX_EINVAL;
	ua->cfg.host = vox_slice_cstr(ua->host);
	set_transport(ua, port, tp);
	memset(&ua->seen[0], 0, sizeof ua->seen[0]); /* a new network: learn again */
	return 0;
}
