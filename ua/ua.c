/* SPDX-License-Identifier: MIT */
/*
 * The UA engine: input dispatch, output, timers, events, and the pieces
 * every request needs (Via, Contact, next hop, authentication).
 */
#include <string.h>

#include "ua/ua_int.h"

/* ---- handles ------------------------------------------------------------------- */

struct vox_ua_call *ua_call(struct vox_ua *ua, vox_ua_handle h)
{
	size_t slot = h & 0xffff;
	if (!slot || slot > VOX_UA_MAX_CALLS)
		return NULL;
	struct vox_ua_call *c = &ua->calls[slot - 1];
	if (c->state == VOX_UA_CALL_FREE || c->gen != (uint16_t)(h >> 16))
		return NULL;
	return c;
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
	return ua_call((struct vox_ua *)(uintptr_t)ua, h);
}

const struct vox_ua_account *vox_ua_account_get(const struct vox_ua *ua, vox_ua_handle h)
{
	return ua_account((struct vox_ua *)(uintptr_t)ua, h);
}

size_t vox_ua_calls_active(const struct vox_ua *ua)
{
	return vox_ua_calls_list(ua, NULL, 0);
}

size_t vox_ua_calls_list(const struct vox_ua *ua, vox_ua_handle *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
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
	if (ua->out_len == VOX_UA_OUTQ || len > sizeof ua->outq[0].msg) {
		ua->dropped_out++; /* like a lost datagram: the peer retransmits */
		return;
	}
	struct vox_ua_out *o = &ua->outq[(ua->out_head + ua->out_len) % VOX_UA_OUTQ];
	memcpy(o->msg, msg, len);
	o->len = (uint16_t)len;
	o->to = *to;
	ua->out_len++;
}

int vox_ua_poll_output(struct vox_ua *ua, char *buf, size_t cap, struct vox_peer *to)
{
	if (ua->out_len) {
		struct vox_ua_out *o = &ua->outq[ua->out_head];
		if (o->len > cap)
			return VOX_ENOSPC;
		memcpy(buf, o->msg, o->len);
		vox_wipe(o->msg, o->len); /* an ACK may carry credentials */
		*to = o->to;
		ua->out_head = (uint16_t)((ua->out_head + 1) % VOX_UA_OUTQ);
		ua->out_len--;
		return (int)o->len;
	}
	return vox_sip_txl_poll_output(&ua->txl, buf, cap, to);
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

int ua_via(struct vox_ua *ua, enum vox_transport tp, const char *given, char *out, size_t cap)
{
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
	vox_writer_puts(&w, ua_tp_name(tp));
	vox_writer_putc(&w, ' ');
	vox_writer_puts(&w, ua->host);
	vox_writer_putc(&w, ':');
	vox_writer_put_u64(&w, ua->cfg.port);
	vox_writer_puts(&w, ";branch=");
	vox_writer_put(&w, branch, (size_t)bl);
	vox_writer_puts(&w, ";rport"); /* RFC 3581: answer to our source port */
	return vox_writer_finish(&w);
}

void ua_put_auth_agent(struct vox_writer *w, const struct vox_ua *ua, const char *auth_name,
                       const char *auth_value)
{
	if (auth_name) {
		vox_writer_puts(w, auth_name);
		vox_writer_puts(w, ": ");
		vox_writer_puts(w, auth_value);
		vox_writer_puts(w, "\r\n");
	}
	vox_writer_puts(w, "User-Agent: ");
	vox_writer_puts(w, server_name(ua));
	vox_writer_puts(w, "\r\n");
}

int ua_contact(const struct vox_ua *ua, struct vox_slice aor, int sips, char *out, size_t cap)
{
	struct vox_sip_uri u;
	struct vox_writer w;
	int tls = ua->cfg.transport == VOX_TP_TLS;
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, tls && sips ? "<sips:" : "<sip:");
	if (vox_sip_uri_parse(&u, aor, NULL) == 0 && u.user.len) {
		vox_writer_put_slice(&w, u.user);
		vox_writer_putc(&w, '@');
	}
	vox_writer_puts(&w, ua->host);
	vox_writer_putc(&w, ':');
	vox_writer_put_u64(&w, ua->cfg.port);
	if (ua->cfg.transport == VOX_TP_TCP)
		vox_writer_puts(&w, ";transport=tcp");
	else if (tls && !sips)
		vox_writer_puts(&w, ";transport=tls");
	vox_writer_putc(&w, '>');
	return vox_writer_finish(&w);
}

int ua_next_hop(const struct vox_ua *ua, struct vox_slice uri, struct vox_peer *to)
{
	struct vox_sip_uri u;
	if (vox_sip_uri_parse(&u, uri, NULL) == 0 &&
	    (u.host.kind == VOX_SIP_HOST_IPV4 || u.host.kind == VOX_SIP_HOST_IPV6)) {
		/* RFC 3263 4.1/4.2 for a literal address: transport from the
		 * URI, port from the URI or the transport's default */
		const struct vox_sip_param *tp = vox_sip_param_find(&u.params, "transport");
		memset(to, 0, sizeof *to);
		to->tp = u.scheme == VOX_SIP_SCHEME_SIPS                  ? VOX_TP_TLS
		         : tp && vox_slice_case_eq_cstr(tp->value, "tcp") ? VOX_TP_TCP
		         : tp && vox_slice_case_eq_cstr(tp->value, "tls") ? VOX_TP_TLS
		         : tp && vox_slice_case_eq_cstr(tp->value, "udp") ? VOX_TP_UDP
		                                                          : ua->cfg.transport;
		to->addr.family = u.host.kind == VOX_SIP_HOST_IPV4 ? 4 : 6;
		memcpy(to->addr.ip, u.host.addr, 16);
		to->addr.port = u.host.has_port ? u.host.port : to->tp == VOX_TP_TLS ? 5061 : 5060;
		return 0;
	}
	if (ua->cfg.outbound.tp) {
		*to = ua->cfg.outbound;
		return 0;
	}
	return VOX_ENOTFOUND;
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
	if (!a || !a->password[0])
		return VOX_EAUTH;
	struct vox_digest_cred cred = {
	    vox_slice_cstr(a->username), vox_slice_cstr(a->password), {NULL, 0}, 0};
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

static struct vox_ua_call *call_of_txn(struct vox_ua *ua, vox_sip_txn_id id)
{
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct vox_ua_call *c = &ua->calls[i];
		if (c->state != VOX_UA_CALL_FREE &&
		    (c->invite_txn == id || c->cancel_txn == id || c->bye_txn == id))
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
	ua->cur_secure = from->tp == VOX_TP_TLS;
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
		struct vox_ua_account *a = account_of_txn(ua, id);
		struct vox_ua_call *c = a ? NULL : call_of_txn(ua, id);
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
	return 0;
}

/* ---- time ------------------------------------------------------------------------------ */

uint64_t vox_ua_next_deadline(const struct vox_ua *ua)
{
	uint64_t t = vox_sip_txl_next_deadline(&ua->txl);
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		if (ua->acct[i].used && ua->acct[i].t_refresh < t)
			t = ua->acct[i].t_refresh;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		uint64_t c = ua_call_next_deadline(&ua->calls[i]);
		if (c < t)
			t = c;
	}
	uint64_t m = ua_media_next_deadline(ua);
	return m < t ? m : t;
}

void vox_ua_on_deadline(struct vox_ua *ua, uint64_t now)
{
	/* the layer stops when its event queue is full: drain, go on */
	do {
		vox_sip_txl_on_deadline(&ua->txl, now);
		struct vox_sip_txl_event ev;
		while (vox_sip_txl_next_event(&ua->txl, &ev)) {
			/* Timer B/F: as a 408 (8.1.3.1); H: the ACK never came; a
			 * transport error: as a 503 (8.1.3.1) */
			unsigned status = ev.type == VOX_TXL_EV_TRANSPORT_ERR ? 503 : 408;
			struct vox_ua_account *a = account_of_txn(ua, ev.id);
			struct vox_ua_call *c = a ? NULL : call_of_txn(ua, ev.id);
			if (a && ev.type != VOX_TXL_EV_NO_ACK)
				ua_reg_timeout(ua, a, now);
			else if (c)
				ua_call_txn_failed(ua, c, ev.id, status, now);
		}
	} while (vox_sip_txl_next_deadline(&ua->txl) <= now);
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++)
		if (ua->acct[i].used && ua->acct[i].t_refresh <= now)
			ua_reg_deadline(ua, &ua->acct[i], now);
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		if (ua_call_next_deadline(&ua->calls[i]) <= now)
			ua_call_deadline(ua, &ua->calls[i], now);
	ua_media_deadline(ua, now);
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
	if (*why)
		return VOX_EINVAL;
	/* Every call's SDP settings as local_sdp() makes them over a TLS path;
	 * the port is each call's own, any one will do here. */
	struct vox_sdp_local l;
	vox_sdp_local_init(&l, media, UA_PORT_UNNAMED);
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
	    ua_copy(ua->media_addr, sizeof ua->media_addr, media))
		return VOX_EINVAL;
	/* the copies, not the caller's memory, from now on */
	ua->cfg.host = vox_slice_cstr(ua->host);
	ua->cfg.aor = vox_slice_cstr(ua->aor);
	ua->cfg.display_name = vox_slice_cstr(ua->display);
	ua->cfg.media_addr = vox_slice_cstr(ua->media_addr);
	rc = vox_sip_txl_init(&ua->txl, ua->txn, VOX_UA_MAX_TXN, ua->arena,
	                      sizeof ua->arena / sizeof ua->arena[0], &cfg->timers);
	if (rc)
		return rc; /* not reached: config.h checks the sizes */
	/* requests from outside cannot take the last slots: our REGISTER
	 * refreshes, BYEs, CANCELs and re-INVITEs always find one */
	ua->txl.reserve = 2 * VOX_UA_MAX_CALLS + VOX_UA_MAX_ACCOUNTS;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		ua->calls[i].gen = 1;
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
		vox_sdp_session_free(&ua->calls[i].media);
		vox_media_free(&ua->media[i].engine); /* libsrtp2's contexts, the keys */
	}
	vox_wipe(ua->mout, sizeof ua->mout);
	ua->mout_len = 0;
	/* every buffer a key or a password passed through: the messages the
	 * transactions keep (the arena) and the one read back, the output
	 * queue, the scratch a message is built in */
	vox_wipe(ua->arena, sizeof ua->arena);
	vox_wipe(ua->txl.work, sizeof ua->txl.work);
	vox_wipe(ua->outq, sizeof ua->outq);
	vox_wipe(ua->build, sizeof ua->build);
	vox_wipe(ua->sdp_out, sizeof ua->sdp_out);
	vox_wipe(&ua->oa_saved, sizeof ua->oa_saved);

	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++) {
		vox_digest_client_free(&ua->acct[i].auth);
		vox_wipe(ua->acct[i].password, sizeof ua->acct[i].password);
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
		int n = ua_contact(ua, vox_slice_cstr(a->aor), 1, a->old_contact,
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
	return 0;
}
