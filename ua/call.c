/*
 * Calls: INVITE sessions of RFC 3261 13-15 with SDP offer/answer (RFC 3264)
 * and the media policy of DESIGN.md.
 *
 * Caller:  INVITE -> 1xx (early dialog, maybe early media) -> 2xx -> ACK
 *          (sent by us, outside the transaction, again for every 2xx
 *          retransmission), CANCEL before the answer (only after a 1xx,
 *          9.1), BYE after. A 2xx that crosses our CANCEL is ACKed and
 *          then ended with BYE.
 * Callee:  INVITE -> 100 (the transaction) -> 180 -> 2xx, retransmitted
 *          until the ACK (13.3.1.4), or a final refusal.
 * Both:    re-INVITE for hold and resume; glare answered with 491 and a
 *          retry after the random delay of 14.1.
 */
#include <string.h>

#include "ua/ua_int.h"

/* ---- slots and events ------------------------------------------------------------ */

static struct vox_ua_call *call_alloc(struct vox_ua *ua)
{
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct vox_ua_call *c = &ua->calls[i];
		if (c->state != VOX_UA_CALL_FREE)
			continue;
		uint16_t gen = c->gen;
		memset(c, 0, offsetof(struct vox_ua_call, dlg));
		c->gen = gen;
		c->dlg.state = VOX_DLG_NONE;
		c->t_2xx = c->t_2xx_end = c->t_retry = c->t_giveup = UA_NEVER;
		c->sdp_len = 0;
		c->remote_uri[0] = 0;
		return c;
	}
	return NULL;
}

static void call_free(struct vox_ua *ua, struct vox_ua_call *c)
{
	/* An INVITE of ours still waiting for a final response would wait
	 * forever (no timer runs in Proceeding): the call is over, so is it.
	 * Finished transactions run out their timers by themselves. */
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
	if (x && x->kind == VOX_TXN_ICT &&
	    (x->state == VOX_TXN_CALLING || x->state == VOX_TXN_PROCEEDING))
		vox_sip_txl_abandon(&ua->txl, c->invite_txn);
	vox_sdp_oa_free(&c->oa);
	vox_sdp_session_free(&c->media);
	vox_wipe(c->sdp, sizeof c->sdp); /* an answer holds our key */
	c->state = VOX_UA_CALL_FREE;
	c->gen = (uint16_t)(c->gen + 1 ? c->gen + 1 : 1);
}

/* Every call produces exactly one ENDED event. */
static void report_end(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                       const char *reason, int remote)
{
	if (c->ended)
		return;
	c->ended = 1;
	c->ended_status = (uint16_t)status;
	struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_ENDED);
	e->call = ua_call_handle(ua, c);
	e->status = status;
	e->reason = reason;
	e->remote = remote;
	e->prot = c->prot;
}

static void end_call(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
                     int remote)
{
	report_end(ua, c, status, reason, remote);
	call_free(ua, c);
}

static void media_event(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_ev_type type,
                        const char *reason)
{
	struct vox_ua_event *e = ua_event(ua, type);
	e->call = ua_call_handle(ua, c);
	e->prot = c->prot;
	e->reason = reason;
}

static enum vox_ua_protection prot_of(const struct vox_sdp_session *s)
{
	return s->prot == VOX_SDP_PROT_SDES ? VOX_UA_PROT_SDES : VOX_UA_PROT_NONE;
}

static void take_media(struct vox_ua_call *c, const struct vox_sdp_session *s)
{
	vox_sdp_session_free(&c->media);
	c->media = *s;
	c->have_media = 1;
	c->prot = prot_of(s);
}

/* ---- SDP ---------------------------------------------------------------------------- */

/* Our side of offer/answer. SDES keys go only where every hop so far is
 * TLS, unless the user opted out by name (DESIGN.md). */
static void local_sdp(const struct vox_ua *ua, const struct vox_ua_call *c, struct vox_sdp_local *l)
{
	size_t slot = (size_t)(c - ua->calls);
	vox_sdp_local_init(l, ua->cfg.media_addr, (uint16_t)(ua->cfg.media_port + 2 * slot));
	l->policy = ua->cfg.policy;
	l->dir = c->hold ? VOX_SDP_SENDONLY : VOX_SDP_SENDRECV;
	l->n_suites = 0;
	if (c->secure_path || ua->cfg.allow_sdes_over_insecure_hops) {
		l->n_suites = ua->cfg.n_suites;
		memcpy(l->suites, ua->cfg.suites, sizeof l->suites);
	}
}

static int parse_body(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	if (!m->body.len)
		return VOX_ENOTFOUND;
	int rc = vox_sdp_parse(m->body.p, m->body.len, &ua->sdp, NULL);
	return rc < 0 ? rc : 0;
}

/* Is every hop of this request TLS (sips: or transport=tls, and the hop
 * it came over)? */
static int all_tls(const struct vox_sip_msg *m, const struct vox_peer *from)
{
	if (from->tp != VOX_TP_TLS)
		return 0;
	for (const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_VIA); h;
	     h = vox_sip_find_next(m, h)) {
		struct vox_sip_via v;
		if (vox_sip_via_parse(&v, h->value, NULL) ||
		    !vox_slice_case_eq_cstr(v.transport, "TLS"))
			return 0;
	}
	return 1;
}

/* ---- building requests ----------------------------------------------------------- */

static struct vox_ua_account *call_account(struct vox_ua *ua, const struct vox_ua_call *c)
{
	return c->account ? &ua->acct[c->account - 1] : NULL;
}

static const char *call_aor(struct vox_ua *ua, const struct vox_ua_call *c)
{
	const struct vox_ua_account *a = call_account(ua, c);
	return a ? a->aor : ua->aor;
}

/* The initial INVITE (and its authenticated repeats: same Call-ID and
 * tag, next CSeq, new branch, 22.2). */
static int send_invite(struct vox_ua *ua, struct vox_ua_call *c, const char *auth_name,
                       const char *auth_value, uint64_t now)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	char via[160], contact[VOX_UA_STR + 32];
	local_sdp(ua, c, &l);
	int sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, c->sdp, sizeof c->sdp, &why);
	if (sl < 0)
		return sl;
	int vl = ua_via(ua, c->peer.tp, via, sizeof via);
	int cl = ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), contact, sizeof contact);
	if (vl < 0 || cl < 0)
		return VOX_ENOSPC;
	struct vox_writer w;
	vox_writer_init(&w, ua->build, sizeof ua->build);
	vox_writer_puts(&w, "INVITE ");
	vox_writer_puts(&w, c->remote_uri);
	vox_writer_puts(&w, " SIP/2.0\r\nVia: ");
	vox_writer_put(&w, via, (size_t)vl);
	vox_writer_puts(&w, "\r\nMax-Forwards: 70\r\nFrom: ");
	if (ua->display[0]) {
		vox_writer_putc(&w, '"');
		vox_writer_puts(&w, ua->display);
		vox_writer_puts(&w, "\" ");
	}
	vox_writer_putc(&w, '<');
	vox_writer_puts(&w, call_aor(ua, c));
	vox_writer_puts(&w, ">;tag=");
	vox_writer_puts(&w, c->local_tag);
	vox_writer_puts(&w, "\r\nTo: <");
	vox_writer_puts(&w, c->remote_uri);
	vox_writer_puts(&w, ">\r\nCall-ID: ");
	vox_writer_puts(&w, c->call_id);
	vox_writer_puts(&w, "\r\nCSeq: ");
	vox_writer_put_u64(&w, c->invite_cseq);
	vox_writer_puts(&w, " INVITE\r\nContact: ");
	vox_writer_put(&w, contact, (size_t)cl);
	vox_writer_puts(&w, "\r\nAllow: " UA_ALLOW "\r\nSupported: replaces\r\n");
	if (auth_name) {
		vox_writer_puts(&w, auth_name);
		vox_writer_puts(&w, ": ");
		vox_writer_puts(&w, auth_value);
		vox_writer_puts(&w, "\r\n");
	}
	vox_writer_puts(&w, "User-Agent: ");
	vox_writer_puts(&w, ua->cfg.user_agent ? ua->cfg.user_agent : "vox");
	vox_writer_puts(&w, "\r\nContent-Type: application/sdp\r\nContent-Length: ");
	vox_writer_put_u64(&w, (uint64_t)sl);
	vox_writer_puts(&w, "\r\n\r\n");
	vox_writer_put(&w, c->sdp, (size_t)sl);
	int n = vox_writer_finish(&w);
	if (n < 0)
		return n;
	return ua_request(ua, ua->build, (size_t)n, &c->peer, now, &c->invite_txn);
}

/* A request inside the dialog; sets *to to its first hop. */
static int dialog_request(struct vox_ua *ua, struct vox_ua_call *c, const char *method,
                          uint32_t cseq, const char *branch_via, struct vox_slice body, char *out,
                          size_t cap, struct vox_peer *to)
{
	char via[160], contact[VOX_UA_STR + 32];
	struct vox_slice hop;
	int vl;
	if (branch_via) {
		vl = (int)strlen(branch_via);
		memcpy(via, branch_via, (size_t)vl + 1);
	} else {
		vl = ua_via(ua, c->peer.tp, via, sizeof via);
	}
	int cl = ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), contact, sizeof contact);
	if (vl < 0 || cl < 0)
		return VOX_ENOSPC;
	int invite = strcmp(method, "INVITE") == 0;
	struct vox_sip_dialog_req r = {
	    .method = vox_slice_cstr(method),
	    .via = vox_slice_make(via, (size_t)vl),
	    .contact = invite ? vox_slice_make(contact, (size_t)cl) : vox_slice_make(NULL, 0),
	    .content_type = body.len ? vox_slice_cstr("application/sdp") : vox_slice_make(NULL, 0),
	    .body = body,
	    .cseq = cseq,
	};
	int n = vox_sip_dialog_request(&c->dlg, &r, out, cap, &hop);
	if (n < 0)
		return n;
	int rc = ua_next_hop(ua, hop, to);
	if (rc)
		return rc;
	/* keep the transport of the path we know */
	return n;
}

/* 13.2.2.4: the ACK for a 2xx, built by the UA core, sent outside any
 * transaction; the same ACK answers every retransmission of the 2xx. */
static void send_ack(struct vox_ua *ua, struct vox_ua_call *c)
{
	char via[160];
	struct vox_peer to;
	if (!c->branch[0]) {
		int vl = ua_via(ua, c->peer.tp, via, sizeof via);
		if (vl < 0 || (size_t)vl >= sizeof via)
			return;
		via[vl] = 0;
		/* remember the branch so that every ACK is the same one */
		const char *b = strstr(via, "branch=");
		const char *e = b ? strchr(b + 7, ';') : NULL;
		size_t bl = e ? (size_t)(e - (b + 7)) : 0;
		if (!bl || bl >= sizeof c->branch)
			return;
		memcpy(c->branch, b + 7, bl);
		c->branch[bl] = 0;
	}
	struct vox_writer w;
	vox_writer_init(&w, via, sizeof via - 1);
	vox_writer_puts(&w, "SIP/2.0/");
	vox_writer_puts(&w, ua_tp_name(c->peer.tp));
	vox_writer_putc(&w, ' ');
	vox_writer_puts(&w, ua->host);
	vox_writer_putc(&w, ':');
	vox_writer_put_u64(&w, ua->cfg.port);
	vox_writer_puts(&w, ";branch=");
	vox_writer_puts(&w, c->branch);
	vox_writer_puts(&w, ";rport");
	if (w.err)
		return;
	via[w.len] = 0;
	int n = dialog_request(ua, c, "ACK", c->invite_cseq, via, vox_slice_make(NULL, 0),
	                       ua->build, sizeof ua->build, &to);
	if (n > 0)
		ua_send(ua, ua->build, (size_t)n, &to);
}

static int send_bye(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	struct vox_peer to;
	int n = dialog_request(ua, c, "BYE", 0, NULL, vox_slice_make(NULL, 0), ua->build,
	                       sizeof ua->build, &to);
	if (n < 0)
		return n;
	c->state = VOX_UA_CALL_ENDING;
	c->t_2xx = c->t_2xx_end = c->t_retry = UA_NEVER;
	return ua_request(ua, ua->build, (size_t)n, &to, now, &c->bye_txn);
}

/* Our BYE is out and its transaction still runs: the session is over
 * (15.1.1), whatever still arrives for it. */
static int bye_out(const struct vox_ua *ua, const struct vox_ua_call *c)
{
	return c->state == VOX_UA_CALL_ENDING && vox_sip_txl_get(&ua->txl, c->bye_txn) != NULL;
}

/* BYE, and the ENDED event now: 15.1.1, the session is over once the BYE
 * is sent; the slot lives until the BYE transaction ends. */
static void hang_up_dialog(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                           const char *reason, int remote, uint64_t now)
{
	report_end(ua, c, status, reason, remote);
	if (bye_out(ua, c))
		return; /* one BYE per dialog: it is out already */
	if (send_bye(ua, c, now) != 0)
		call_free(ua, c);
}

/* re-INVITE with an offer for hold (sendonly) or resume (sendrecv). */
static int send_reinvite(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	struct vox_peer to;
	local_sdp(ua, c, &l);
	int sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, c->sdp, sizeof c->sdp, &why);
	if (sl < 0)
		return sl;
	int n = dialog_request(ua, c, "INVITE", 0, NULL, vox_slice_make(c->sdp, (size_t)sl),
	                       ua->build, sizeof ua->build, &to);
	if (n < 0)
		return n;
	int rc = ua_request(ua, ua->build, (size_t)n, &to, now, &c->invite_txn);
	if (rc)
		return rc;
	c->invite_cseq = c->dlg.local_seq;
	c->reinvite_out = 1;
	c->glare = 0;
	c->branch[0] = 0; /* a new ACK for this INVITE */
	return 0;
}

/* ---- actions ------------------------------------------------------------------------- */

int vox_ua_call(struct vox_ua *ua, struct vox_slice target, vox_ua_handle account, uint64_t now,
                vox_ua_handle *call)
{
	struct vox_sip_uri u;
	struct vox_ua_account *a = account ? ua_account(ua, account) : NULL;
	if ((account && !a) || vox_sip_uri_parse(&u, target, NULL) ||
	    (u.scheme != VOX_SIP_SCHEME_SIP && u.scheme != VOX_SIP_SCHEME_SIPS) ||
	    target.len >= VOX_UA_STR)
		return VOX_EINVAL;
	struct vox_peer to;
	int rc = ua_next_hop(ua, target, &to);
	if (rc)
		return rc;
	struct vox_ua_call *c = call_alloc(ua);
	if (!c)
		return VOX_EPOOL;
	c->outgoing = 1;
	c->account = a ? (uint16_t)(a - ua->acct + 1) : 0;
	c->peer = to;
	c->secure_path = to.tp == VOX_TP_TLS;
	c->invite_cseq = 1;
	memcpy(c->remote_uri, target.p, target.len);
	c->remote_uri[target.len] = 0;
	int tl = vox_sip_make_tag(&ua->cfg.rng, c->local_tag, sizeof c->local_tag - 1);
	int il = vox_sip_make_callid(&ua->cfg.rng, ua->cfg.host, c->call_id, sizeof c->call_id - 1);
	uint8_t r[4];
	if (tl < 0 || il < 0 || ua->cfg.rng.fn(ua->cfg.rng.ctx, r, sizeof r) != 0)
		return VOX_ERNG;
	c->local_tag[tl] = 0;
	c->call_id[il] = 0;
	vox_sdp_oa_init(&c->oa,
	                (uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]);
	c->state = VOX_UA_CALL_OUT_CALLING;
	rc = send_invite(ua, c, NULL, NULL, now);
	if (rc) {
		call_free(ua, c);
		return rc; /* VOX_EPOLICY: mandatory SRTP and no way to offer keys */
	}
	*call = ua_call_handle(ua, c);
	return 0;
}

/* A response to the INVITE we are serving, from what its 100 Trying
 * copied of it (Via, From, To, Call-ID, CSeq: 8.2.6.2). */
static int respond_invite(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                          const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                          uint64_t now)
{
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
	if (!x || vox_sip_parse(&ua->msg2, x->msg, x->len, VOX_SIP_DATAGRAM, NULL) < 0)
		return VOX_ESTATE;
	/* the copy is a response; build_response wants a request: make the
	 * parsed message look like one (only its headers are read) */
	struct vox_sip_msg *r = &ua->msg2;
	r->status = 0;
	return ua_respond(ua, c->invite_txn, r, status, vox_slice_cstr(c->local_tag), extra, nextra,
	                  body, now);
}

int vox_ua_ring(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_IN_INCOMING)
		return VOX_ESTATE;
	return respond_invite(ua, c, 180, NULL, 0, vox_slice_make(NULL, 0), now);
}

int vox_ua_answer(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	char contact[VOX_UA_STR + 32];
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_IN_INCOMING)
		return VOX_ESTATE;
	int cl = ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), contact, sizeof contact);
	if (cl < 0)
		return cl;
	if (c->delayed_offer) {
		/* the INVITE had no offer: ours goes in the 2xx (13.2.1) */
		struct vox_sdp_local l;
		struct vox_sdp_fail why;
		local_sdp(ua, c, &l);
		int sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, c->sdp, sizeof c->sdp, &why);
		if (sl < 0)
			return sl;
		c->sdp_len = (uint16_t)sl;
	}
	const struct vox_sip_hdr_out extra[] = {
	    {"Contact", vox_slice_make(contact, (size_t)cl)},
	    {"Allow", vox_slice_cstr(UA_ALLOW)},
	    {"Supported", vox_slice_cstr("replaces")},
	};
	int rc = respond_invite(ua, c, 200, extra, 3, vox_slice_make(c->sdp, c->sdp_len), now);
	if (rc)
		return rc;
	if (vox_sip_dialog_confirm(&c->dlg, NULL) != 0)
		return VOX_ESTATE;
	c->state = VOX_UA_CALL_IN_ANSWERED;
	c->ack_pending = 1;
	/* 13.3.1.4: the 2xx again at T1, 2T1, ... up to T2, until the ACK */
	c->t_2xx_interval = ua->txl.timers.t1;
	c->t_2xx = now + c->t_2xx_interval;
	c->t_2xx_end = now + 64ull * ua->txl.timers.t1;
	return 0;
}

int vox_ua_reject(struct vox_ua *ua, vox_ua_handle h, unsigned status, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_IN_INCOMING || status < 300 || status > 699)
		return VOX_ESTATE;
	int rc = respond_invite(ua, c, status, NULL, 0, vox_slice_make(NULL, 0), now);
	end_call(ua, c, status, "rejected", 0);
	return rc;
}

/* 9.1: CANCEL for our INVITE, built from it. */
static int send_cancel(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
	if (!x || vox_sip_parse(&ua->msg2, x->msg, x->len, VOX_SIP_DATAGRAM, NULL) < 0)
		return VOX_ESTATE;
	int n = vox_sip_build_cancel(&ua->msg2, ua->build, sizeof ua->build);
	if (n < 0)
		return n;
	int rc = ua_request(ua, ua->build, (size_t)n, &c->peer, now, &c->cancel_txn);
	if (rc)
		return rc;
	c->state = VOX_UA_CALL_ENDING;
	c->t_giveup = now + 64ull * ua->txl.timers.t1;
	return 0;
}

int vox_ua_hangup(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	switch (c->state) {
	case VOX_UA_CALL_OUT_CALLING: {
		/* 9.1: no CANCEL before a provisional response. A 100 Trying
		 * counts: it leaves the call in CALLING but the transaction in
		 * Proceeding, where Timer B no longer runs, so waiting for a
		 * later 1xx could wait forever. */
		const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
		if (x && x->kind == VOX_TXN_ICT && x->state == VOX_TXN_PROCEEDING)
			return send_cancel(ua, c, now);
		c->cancel_wanted = 1;
		return 0;
	}
	case VOX_UA_CALL_OUT_EARLY: return send_cancel(ua, c, now);
	case VOX_UA_CALL_IN_INCOMING: return vox_ua_reject(ua, h, 603, now);
	case VOX_UA_CALL_IN_ANSWERED:
		/* 15: no BYE from the callee before the ACK (or its timeout) */
		c->cancel_wanted = 1;
		return 0;
	case VOX_UA_CALL_UP:
		if (c->ack_pending) {
			c->cancel_wanted = 1;
			return 0;
		}
		hang_up_dialog(ua, c, 0, "hung up", 0, now);
		return 0;
	default: return VOX_ESTATE;
	}
}

int vox_ua_hold(struct vox_ua *ua, vox_ua_handle h, int hold, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_UP || c->reinvite_out || c->ack_pending)
		return VOX_ESTATE;
	c->hold = hold ? 1 : 0;
	return send_reinvite(ua, c, now);
}

/* ---- responses to our requests ------------------------------------------------------ */

/* The INVITE we sent, parsed into ua->msg2 (from its client transaction). */
static int our_invite(struct vox_ua *ua, struct vox_ua_call *c)
{
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
	if (!x || x->kind != VOX_TXN_ICT)
		return VOX_ESTATE;
	return vox_sip_parse(&ua->msg2, x->msg, x->len, VOX_SIP_DATAGRAM, NULL) < 0 ? VOX_EMALFORMED
	                                                                            : 0;
}

/* The answer in a response to our offer; 0 when taken. */
static int take_answer(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                       const char **why_text)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why = {0, "", -1};
	struct vox_sdp_session s;
	if (parse_body(ua, m) != 0) {
		*why_text = "no usable SDP answer";
		return VOX_EMALFORMED;
	}
	local_sdp(ua, c, &l);
	enum vox_ua_protection before = c->prot;
	int rc = vox_sdp_oa_recv_answer(&c->oa, &l, &ua->sdp, &s, &why);
	if (rc) {
		*why_text = why.reason;
		return rc;
	}
	take_media(c, &s);
	vox_sdp_session_free(&s);
	if (before != VOX_UA_PROT_NONE && c->prot == VOX_UA_PROT_NONE) {
		/* the answer drops SRTP: say so, or end the call */
		if (!ua->cfg.accept_downgrade) {
			*why_text = "answer would lower the call's protection";
			return VOX_EPOLICY;
		}
		media_event(ua, c, VOX_UA_EV_DOWNGRADE, "SRTP dropped by the peer's answer");
	}
	return 0;
}

static void cancel_now(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	if (vox_ua_hangup(ua, ua_call_handle(ua, c), now) != 0)
		c->cancel_wanted = 1;
}

static void invite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                            uint64_t now)
{
	unsigned s = m->status;
	const char *why = "";
	if (s < 200) {
		if (c->state == VOX_UA_CALL_ENDING)
			return;
		if (s == 100) {
			/* 9.1: any provisional response lets a waiting CANCEL go */
			if (c->cancel_wanted) {
				c->state = VOX_UA_CALL_OUT_EARLY;
				cancel_now(ua, c, now);
			}
			return;
		}
		if (c->dlg.state == VOX_DLG_NONE && our_invite(ua, c) == 0)
			(void)!vox_sip_dialog_uac(&c->dlg, &ua->msg2, m, c->secure_path);
		c->state = VOX_UA_CALL_OUT_EARLY;
		if (c->last_1xx != s) { /* a repeated 1xx is no news */
			struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_PROGRESS);
			e->call = ua_call_handle(ua, c);
			e->status = s;
			c->last_1xx = (uint16_t)s;
		}
		if (m->body.len && c->oa.offer_pending && take_answer(ua, c, m, &why) == 0)
			media_event(ua, c, VOX_UA_EV_EARLY_MEDIA,
			            "answer in a provisional response");
		if (c->cancel_wanted)
			cancel_now(ua, c, now);
		return;
	}
	if (s < 300) {
		/* The first 2xx: the early dialog it matches confirmed, or a
		 * new dialog (13.2.2.4). An early dialog of another fork
		 * (a 1xx with another To tag) gives way: the call keeps one
		 * dialog, and this is the one that was answered. Ignoring the
		 * 2xx instead left the call early for ever, its transaction
		 * gone, with nothing a hangup could CANCEL. */
		int rc;
		if (c->dlg.state != VOX_DLG_NONE && vox_sip_dialog_match(&c->dlg, m)) {
			rc = vox_sip_dialog_confirm(&c->dlg, m);
		} else if (c->dlg.state == VOX_DLG_NONE || c->dlg.state == VOX_DLG_EARLY) {
			/* an answer in this 2xx is this fork's answer to the
			 * offer of our INVITE, even if another fork's early
			 * answer came first (RFC 3264 4) */
			if (c->dlg.state == VOX_DLG_EARLY && m->body.len)
				c->oa.offer_pending = 1;
			rc = our_invite(ua, c);
			if (!rc)
				rc = vox_sip_dialog_uac(&c->dlg, &ua->msg2, m, c->secure_path);
		} else {
			return; /* another fork's 2xx after ours: the call has its dialog */
		}
		if (rc) {
			end_call(ua, c, 500, "2xx without a usable dialog", 0);
			return;
		}
		if (m->body.len && c->oa.offer_pending)
			rc = take_answer(ua, c, m, &why);
		else if (!c->have_media)
			rc = VOX_EMALFORMED, why = "2xx without an SDP answer";
		send_ack(ua, c);
		if (c->state == VOX_UA_CALL_ENDING || rc) {
			/* our CANCEL crossed the 2xx, or the answer is
			 * unacceptable: the call is up, so it ends with BYE */
			c->state = VOX_UA_CALL_UP;
			hang_up_dialog(ua, c, rc ? 488 : 487, rc ? why : "cancelled", 0, now);
			return;
		}
		c->state = VOX_UA_CALL_UP;
		struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_ANSWERED);
		e->call = ua_call_handle(ua, c);
		e->status = s;
		e->prot = c->prot;
		return;
	}
	if ((s == 401 || s == 407) && c->state != VOX_UA_CALL_ENDING) {
		const char *name;
		char value[1024];
		struct vox_ua_account *a = call_account(ua, c);
		int n = ua_auth(ua, a, m, vox_slice_cstr("INVITE"), vox_slice_cstr(c->remote_uri),
		                vox_slice_make(NULL, 0), &name, value, sizeof value);
		if (n >= 0) {
			value[n] = 0;
			c->invite_cseq++;
			c->dlg.state = VOX_DLG_NONE; /* early dialogs died with the 401 */
			if (send_invite(ua, c, name, value, now) == 0)
				return;
		}
	}
	end_call(ua, c, s, c->state == VOX_UA_CALL_ENDING ? "cancelled" : "call failed", 1);
}

static void reinvite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                              uint64_t now)
{
	unsigned s = m->status;
	const char *why = "";
	if (s < 200)
		return;
	if (s < 300) {
		if (!vox_sip_dialog_match(&c->dlg, m))
			return;
		int rc = m->body.len ? take_answer(ua, c, m, &why) : VOX_EMALFORMED;
		send_ack(ua, c);
		c->reinvite_out = 0;
		if (rc && rc != VOX_EPOLICY) /* RFC 3264 8: the old session stays */
			return;
		if (rc) {
			hang_up_dialog(ua, c, 488, why, 0, now);
			return;
		}
		media_event(ua, c, VOX_UA_EV_MEDIA, c->hold ? "on hold" : "resumed");
		return;
	}
	c->reinvite_out = 0;
	if (s == 491) {
		/* 14.1: try again after a random time, longer for the Call-ID owner */
		uint8_t r[2];
		if (ua->cfg.rng.fn(ua->cfg.rng.ctx, r, 2) != 0)
			r[0] = r[1] = 0;
		unsigned units = (unsigned)(r[0] << 8 | r[1]);
		uint64_t delay = c->outgoing ? 2100 + (units % 191) * 10 : (units % 201) * 10;
		c->glare = 1;
		c->t_retry = now + delay;
		return;
	}
	if (s == 481 || s == 408) /* 14.1: the dialog is gone */
		hang_up_dialog(ua, c, s, "re-INVITE failed", 1, now);
	/* any other refusal leaves the session as it was (RFC 3264 8) */
}

void ua_call_response(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                      const struct vox_sip_msg *m, uint64_t now)
{
	if (txn == c->bye_txn) {
		if (m->status >= 200)
			call_free(ua, c);
		return;
	}
	if (txn == c->cancel_txn)
		return; /* the INVITE's 487 (or 2xx) decides */
	if (txn != c->invite_txn)
		return;
	if (bye_out(ua, c)) {
		/* a 2xx that crossed our BYE (to a re-INVITE, or the INVITE
		 * whose CANCEL it crossed, again) still gets its ACK (13.2.2.4);
		 * nothing else changes, no event follows ENDED, and no second
		 * BYE goes out */
		if (m->status >= 200 && m->status < 300 && vox_sip_dialog_match(&c->dlg, m))
			send_ack(ua, c);
		if (m->status >= 200)
			c->reinvite_out = 0;
		return;
	}
	if (c->state == VOX_UA_CALL_UP && !c->reinvite_out) {
		/* a retransmitted 2xx of the call's INVITE (RFC 6026) */
		if (m->status >= 200 && m->status < 300 && vox_sip_dialog_match(&c->dlg, m))
			send_ack(ua, c);
		return;
	}
	if (c->reinvite_out)
		reinvite_response(ua, c, m, now);
	else
		invite_response(ua, c, m, now);
}

void ua_call_stray_2xx(struct vox_ua *ua, uint64_t now)
{
	(void)now;
	const struct vox_sip_msg *m = &ua->msg;
	if (m->status < 200 || m->status >= 300)
		return;
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct vox_ua_call *c = &ua->calls[i];
		if (c->state != VOX_UA_CALL_FREE && c->outgoing &&
		    vox_sip_dialog_match(&c->dlg, m)) {
			send_ack(ua, c); /* 13.2.2.4: every 2xx gets its ACK */
			return;
		}
	}
}

void ua_call_txn_failed(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                        unsigned status, uint64_t now)
{
	if (txn == c->bye_txn) {
		call_free(ua, c); /* the dialog ends anyway (15.1.1) */
		return;
	}
	if (txn != c->invite_txn)
		return;
	if (c->reinvite_out) {
		c->reinvite_out = 0;
		hang_up_dialog(ua, c, status, "re-INVITE timed out", 1, now);
		return;
	}
	if (c->outgoing) {
		end_call(ua, c, status, "no answer from the network", 1);
		return;
	}
	/* Timer H of a refusal we sent: the call was over already */
}

/* ---- requests to us ------------------------------------------------------------------ */

static struct vox_ua_call *find_dialog(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		struct vox_ua_call *c = &ua->calls[i];
		if (c->state != VOX_UA_CALL_FREE && vox_sip_dialog_match(&c->dlg, m))
			return c;
	}
	return NULL;
}

static void new_invite(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                       uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
	struct vox_ua_call *c = call_alloc(ua);
	if (!c) {
		const struct vox_sip_hdr_out ra = {"Retry-After", vox_slice_cstr("10")};
		(void)!ua_respond(ua, txn, m, 503, vox_slice_make(NULL, 0), &ra, 1,
		                  vox_slice_make(NULL, 0), now);
		return;
	}
	c->invite_txn = txn;
	c->peer = *from;
	c->secure_path = (uint8_t)all_tls(m, from);
	int tl = vox_sip_make_tag(&ua->cfg.rng, c->local_tag, sizeof c->local_tag - 1);
	uint8_t r[4];
	if (tl < 0 || ua->cfg.rng.fn(ua->cfg.rng.ctx, r, sizeof r) != 0) {
		(void)!ua_respond(ua, txn, m, 500, vox_slice_make(NULL, 0), NULL, 0,
		                  vox_slice_make(NULL, 0), now);
		return;
	}
	c->local_tag[tl] = 0;
	if (vox_sip_dialog_uas(&c->dlg, m, vox_slice_make(c->local_tag, (size_t)tl),
	                       from->tp == VOX_TP_TLS)) {
		(void)!ua_respond(ua, txn, m, 400, vox_slice_make(NULL, 0), NULL, 0,
		                  vox_slice_make(NULL, 0), now);
		return;
	}
	vox_sdp_oa_init(&c->oa,
	                (uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]);
	c->invite_cseq = c->dlg.remote_seq;
	c->state = VOX_UA_CALL_IN_INCOMING;
	if (m->body.len) {
		struct vox_sdp_local l;
		struct vox_sdp_fail why = {488, "unusable offer", -1};
		struct vox_sdp_session s;
		int sl = parse_body(ua, m);
		if (sl == 0) {
			local_sdp(ua, c, &l);
			sl = vox_sdp_oa_answer(&c->oa, &l, &ua->sdp, &ua->cfg.rng, c->sdp,
			                       sizeof c->sdp, &s, &why);
		}
		if (sl < 0) {
			/* 488 with what was wrong in a Warning (RFC 3261 20.43) */
			char warn[160];
			struct vox_writer w;
			vox_writer_init(&w, warn, sizeof warn);
			vox_writer_puts(&w, "399 vox \"");
			vox_writer_puts(&w, why.reason ? why.reason : "unusable offer");
			vox_writer_putc(&w, '"');
			const struct vox_sip_hdr_out h = {"Warning",
			                                  vox_slice_make(warn, w.err ? 0 : w.len)};
			(void)!ua_respond(ua, txn, m,
			                  why.sip_status >= 400 ? (unsigned)why.sip_status : 488,
			                  vox_slice_cstr(c->local_tag), &h, w.err ? 0 : 1,
			                  vox_slice_make(NULL, 0), now);
			call_free(ua, c);
			return;
		}
		c->sdp_len = (uint16_t)sl;
		take_media(c, &s);
		vox_sdp_session_free(&s);
	} else {
		c->delayed_offer = 1;
	}
	struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_INCOMING);
	e->call = ua_call_handle(ua, c);
	e->prot = c->prot;
}

static void reinvite(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
	const struct vox_slice none = vox_slice_make(NULL, 0);
	int rc = vox_sip_dialog_recv_request(&c->dlg, m);
	if (rc == VOX_ERANGE) {
		(void)!ua_respond(ua, txn, m, 500, none, NULL, 0, none, now);
		return;
	}
	if (c->reinvite_out) { /* 14.2: glare */
		(void)!ua_respond(ua, txn, m, 491, none, NULL, 0, none, now);
		return;
	}
	if (c->state != VOX_UA_CALL_UP || c->ack_pending) {
		/* 14.2: an INVITE before the last one is done */
		const struct vox_sip_hdr_out ra = {"Retry-After", vox_slice_cstr("1")};
		(void)!ua_respond(ua, txn, m, 500, none, &ra, 1, none, now);
		return;
	}
	struct vox_sdp_local l;
	struct vox_sdp_fail why = {488, "unusable offer", -1};
	struct vox_sdp_session s;
	int sl;
	local_sdp(ua, c, &l);
	int delayed = !m->body.len;
	if (delayed) {
		sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, c->sdp, sizeof c->sdp, &why);
	} else {
		sl = parse_body(ua, m);
		if (sl == 0)
			sl = vox_sdp_oa_answer(&c->oa, &l, &ua->sdp, &ua->cfg.rng, c->sdp,
			                       sizeof c->sdp, &s, &why);
	}
	int downgrade =
	    !delayed && sl >= 0 && c->prot != VOX_UA_PROT_NONE && prot_of(&s) == VOX_UA_PROT_NONE;
	if (sl < 0 || (downgrade && !ua->cfg.accept_downgrade)) {
		/* the session stays as it was (RFC 3264 8) */
		(void)!ua_respond(ua, txn, m, 488, none, NULL, 0, none, now);
		if (sl >= 0)
			vox_sdp_session_free(&s);
		return;
	}
	char contact[VOX_UA_STR + 32];
	int cl = ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), contact, sizeof contact);
	const struct vox_sip_hdr_out extra[] = {
	    {"Contact", vox_slice_make(contact, cl > 0 ? (size_t)cl : 0)}};
	if (ua_respond(ua, txn, m, 200, none, extra, 1, vox_slice_make(c->sdp, (size_t)sl), now)) {
		if (!delayed)
			vox_sdp_session_free(&s);
		return;
	}
	c->invite_txn = txn;
	c->ack_pending = 1;
	c->delayed_offer = (uint8_t)delayed;
	c->t_2xx_interval = ua->txl.timers.t1;
	c->t_2xx = now + c->t_2xx_interval;
	c->t_2xx_end = now + 64ull * ua->txl.timers.t1;
	if (!delayed) {
		take_media(c, &s);
		vox_sdp_session_free(&s);
		if (downgrade)
			media_event(ua, c, VOX_UA_EV_DOWNGRADE, "the peer's offer drops SRTP");
		media_event(ua, c, VOX_UA_EV_MEDIA, "re-INVITE");
	}
}

void ua_call_request(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                     uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
	const struct vox_slice none = vox_slice_make(NULL, 0);
	struct vox_sip_addr to;
	const struct vox_sip_header *th = vox_sip_find(m, VOX_SIP_H_TO);
	int has_tag = th && vox_sip_addr_parse(&to, th->value, NULL) == 0 && to.tag.p;
	switch (m->method_id) {
	case VOX_SIP_INVITE: {
		if (!has_tag) {
			new_invite(ua, txn, from, now);
			return;
		}
		struct vox_ua_call *c = find_dialog(ua, m);
		if (c)
			reinvite(ua, c, txn, now);
		else
			(void)!ua_respond(ua, txn, m, 481, none, NULL, 0, none, now);
		return;
	}
	case VOX_SIP_BYE: {
		struct vox_ua_call *c = find_dialog(ua, m);
		if (!c || vox_sip_dialog_recv_request(&c->dlg, m) == VOX_ERANGE) {
			(void)!ua_respond(ua, txn, m, c ? 500 : 481, none, NULL, 0, none, now);
			return;
		}
		(void)!ua_respond(ua, txn, m, 200, none, NULL, 0, none, now);
		if (c->state == VOX_UA_CALL_IN_INCOMING)
			/* 15.1.2: an INVITE still open gets its 487 */
			(void)!respond_invite(ua, c, 487, NULL, 0, none, now);
		if (c->bye_txn && vox_sip_txl_get(&ua->txl, c->bye_txn)) {
			report_end(ua, c, 0, "hung up (BYEs crossed)", 1);
			return; /* our BYE's answer frees the slot */
		}
		end_call(ua, c, 0, "hung up by the peer", 1);
		return;
	}
	case VOX_SIP_CANCEL: {
		/* 9.2: 200 for the CANCEL, with the To tag of our responses to
		 * the INVITE; 487 for the INVITE if still open */
		vox_sip_txn_id inv = vox_sip_txl_find_invite(&ua->txl, m);
		struct vox_ua_call *c = NULL;
		for (size_t i = 0; inv && i < VOX_UA_MAX_CALLS && !c; i++)
			if (ua->calls[i].state != VOX_UA_CALL_FREE &&
			    ua->calls[i].invite_txn == inv)
				c = &ua->calls[i];
		(void)!ua_respond(ua, txn, m, inv ? 200 : 481,
		                  c ? vox_slice_cstr(c->local_tag) : none, NULL, 0, none, now);
		if (c && c->state == VOX_UA_CALL_IN_INCOMING) {
			(void)!respond_invite(ua, c, 487, NULL, 0, none, now);
			end_call(ua, c, 487, "cancelled by the caller", 1);
		}
		return;
	}
	case VOX_SIP_OPTIONS: {
		/* 11.2: what we can do */
		const struct vox_sip_hdr_out h[] = {
		    {"Allow", vox_slice_cstr(UA_ALLOW)},
		    {"Accept", vox_slice_cstr("application/sdp")},
		    {"Supported", vox_slice_cstr("replaces")},
		};
		(void)!ua_respond(ua, txn, m, 200, has_tag ? none : vox_slice_cstr("opt"), h, 3,
		                  none, now);
		return;
	}
	default: {
		const struct vox_sip_hdr_out h = {"Allow", vox_slice_cstr(UA_ALLOW)};
		(void)!ua_respond(ua, txn, m, 405, none, &h, 1, none, now);
		return;
	}
	}
}

void ua_call_ack(struct vox_ua *ua, const struct vox_peer *from, uint64_t now)
{
	(void)from;
	(void)now;
	const struct vox_sip_msg *m = &ua->msg;
	struct vox_ua_call *c = find_dialog(ua, m);
	if (!c || !c->ack_pending)
		return;
	struct vox_sip_cseq cs;
	const struct vox_sip_header *ch = vox_sip_find(m, VOX_SIP_H_CSEQ);
	if (!ch || vox_sip_cseq_parse(&cs, ch->value, NULL) || cs.seq != c->dlg.remote_seq)
		return; /* an ACK for an older INVITE */
	c->ack_pending = 0;
	c->t_2xx = c->t_2xx_end = UA_NEVER;
	if (c->delayed_offer) {
		/* our offer was in the 2xx: the ACK brings the answer (13.2.1) */
		const char *why = "";
		c->delayed_offer = 0;
		if (take_answer(ua, c, m, &why) != 0) {
			hang_up_dialog(ua, c, 488, why, 0, now);
			return;
		}
		if (c->state == VOX_UA_CALL_UP)
			media_event(ua, c, VOX_UA_EV_MEDIA, "re-INVITE");
	}
	if (c->cancel_wanted) { /* the application hung up while we waited */
		c->state = VOX_UA_CALL_UP;
		hang_up_dialog(ua, c, 0, "hung up", 0, now);
		return;
	}
	if (c->state == VOX_UA_CALL_IN_ANSWERED) {
		c->state = VOX_UA_CALL_UP;
		struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_ANSWERED);
		e->call = ua_call_handle(ua, c);
		e->status = 200;
		e->prot = c->prot;
	}
}

/* ---- timers ----------------------------------------------------------------------------- */

uint64_t ua_call_next_deadline(const struct vox_ua_call *c)
{
	if (c->state == VOX_UA_CALL_FREE)
		return UA_NEVER;
	uint64_t t = c->t_2xx;
	if (c->t_2xx_end < t)
		t = c->t_2xx_end;
	if (c->t_retry < t)
		t = c->t_retry;
	if (c->t_giveup < t)
		t = c->t_giveup;
	return t;
}

void ua_call_deadline(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	if (c->t_giveup <= now) {
		/* 9.1: the CANCEL got no final answer to the INVITE in 64*T1 */
		vox_sip_txl_abandon(&ua->txl, c->invite_txn);
		end_call(ua, c, 408, "cancelled (no answer to CANCEL)", 0);
		return;
	}
	if (c->t_2xx_end <= now) {
		/* 13.3.1.4: no ACK for 64*T1: the session ends with BYE */
		c->ack_pending = 0;
		c->state = VOX_UA_CALL_UP;
		hang_up_dialog(ua, c, 408, "no ACK for our 2xx", 1, now);
		return;
	}
	if (c->t_2xx <= now) {
		if (vox_sip_txl_retransmit(&ua->txl, c->invite_txn) != 0) {
			c->t_2xx = UA_NEVER;
		} else {
			uint32_t t2 = ua->txl.timers.t2;
			c->t_2xx_interval = c->t_2xx_interval * 2 < t2 ? c->t_2xx_interval * 2 : t2;
			c->t_2xx = now + c->t_2xx_interval;
		}
	}
	if (c->t_retry <= now) {
		c->t_retry = UA_NEVER;
		if (c->glare && c->state == VOX_UA_CALL_UP && send_reinvite(ua, c, now) != 0)
			c->glare = 0;
	}
}
