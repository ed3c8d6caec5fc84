/* SPDX-License-Identifier: MIT */
/*
 * Calls: INVITE sessions of RFC 3261 13-15 with SDP offer/answer (RFC 3264)
 * and the media policy of docs/architecture.md (Security defaults).
 *
 * Caller:  INVITE -> 1xx (early dialog, maybe early media) -> 2xx -> ACK
 *          (sent by us, outside the transaction, again for every 2xx
 *          retransmission), CANCEL before the answer (only after a 1xx,
 *          9.1), BYE after. A 2xx that crosses our CANCEL, or that comes
 *          from a second fork, is ACKed and then ended with BYE (13.2.2.4).
 * Callee:  INVITE -> 100 (the transaction) -> 180 -> 2xx, retransmitted
 *          until the ACK (13.3.1.4), or a final refusal.
 * Both:    re-INVITE for hold and resume; glare answered with 491 and a
 *          retry after the random delay of 14.1.
 *
 * The files of a call (ua/call_int.h says what they share):
 *   call.c          slots, events, in-dialog requests (ACK, BYE), hanging
 *                   up, and the entries from the engine: requests,
 *                   responses, ACKs, failed transactions, timers
 *   call_out.c      the caller's side: INVITE, its retries, CANCEL, 1xx
 *                   and 2xx, forks (RFC 3261 13.2, 9.1)
 *   call_in.c       the callee's side: a new INVITE, ringing, answering,
 *                   rejecting (RFC 3261 13.3, 9.2)
 *   call_reinvite.c re-INVITE both ways: hold, resume, re-key, glare
 *                   (RFC 3261 14)
 *   call_sdp.c      our side of offer/answer and the media policy
 *                   (RFC 3264, docs/architecture.md Security defaults)
 *   call_fsm.c      the call's states and the one table of their changes
 *                   (docs/ua.md, The states of a call)
 */
#include <string.h>

#include "ua/call_int.h"

static const struct vox_slice none = {NULL, 0};

/* ---- slots and events ------------------------------------------------------------ */

struct vox_ua_call *call_alloc(struct vox_ua *ua)
{
	struct vox_ua_call *c = ua_call_take(ua); /* off the free list */
	if (c) {
		size_t i = (size_t)(c - ua->calls);
		uint16_t gen = c->gen;
		memset(c, 0, offsetof(struct vox_ua_call, dlg));
		c->gen = gen;
		c->dlg.state = VOX_DLG_NONE;
		c->t_2xx = c->t_2xx_end = c->t_retry = c->t_giveup = UA_NEVER;
		c->remote_uri[0] = 0;
		struct vox_ua_media *ms = &ua->media[i]; /* its engine is idle: the end freed it */
		ms->port = 0;
		ms->addr[0] = 0;
		ms->tx_at_ack = 0;
		ms->failed = NULL;
		ms->offer_len = 0;
		ms->offer_at = VOX_SIP_NOCHUNK;
		c->cred_at = VOX_SIP_NOCHUNK;
		c->cred_len = 0;
		ua_touch(ua, c);
	}
	return c;
}

void call_free(struct vox_ua *ua, struct vox_ua_call *c)
{
	/* An INVITE of ours still waiting for a final response would wait
	 * forever (no timer runs in Proceeding): the call is over, so is it.
	 * Finished transactions run out their timers by themselves. */
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->invite_txn);
	if (x && x->kind == VOX_TXN_ICT &&
	    (x->state == VOX_TXN_CALLING || x->state == VOX_TXN_PROCEEDING))
		vox_sip_txl_abandon(&ua->txl, c->invite_txn);
	vox_sip_txl_acked(&ua->txl, c->ist);       /* no 2xx of ours goes again */
	vox_sip_arena_drop(&ua->txl, &c->cred_at); /* wiped */
	c->cred_len = 0;
	ua_media_end(ua, c); /* when no ENDED went out: a call that never was one */
	vox_sdp_oa_free(&c->oa);
	(void)ua_call_set(ua, c, VOX_UA_CALL_FREE);
	c->gen = (uint16_t)(c->gen + 1 ? c->gen + 1 : 1);
	ua_call_give_back(ua, c);
}

/* Every call produces exactly one ENDED event, and nothing after it. */
static void report_end(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                       const char *reason, int remote)
{
	if (c->ended)
		return;
	enum vox_ua_protection had = c->prot;
	ua_media_end(ua, c); /* media ends with the session: its last events, its BYE */
	c->ended = 1;
	struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_ENDED);
	e->call = ua_call_handle(ua, c);
	e->status = status;
	e->reason = reason;
	e->remote = remote;
	e->prot = had;
}

void end_call(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
              int remote)
{
	report_end(ua, c, status, reason, remote);
	call_free(ua, c);
}

void call_event(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_ev_type type, unsigned status,
                const char *reason)
{
	if (c->ended)
		return;
	struct vox_ua_event *e = ua_event(ua, type);
	e->call = ua_call_handle(ua, c);
	if (c->account)
		e->account = ua_account_handle(ua, &ua->acct[c->account - 1]);
	e->prot = c->prot;
	e->status = status;
	e->reason = reason;
	if (type == VOX_UA_EV_INCOMING)
		e->peer = vox_sip_dialog_str(&c->dlg, c->dlg.remote);
}

/* ---- building requests ----------------------------------------------------------- */

struct vox_ua_account *call_account(struct vox_ua *ua, const struct vox_ua_call *c)
{
	return c->account ? &ua->acct[c->account - 1] : NULL;
}

const char *call_aor(struct vox_ua *ua, const struct vox_ua_call *c)
{
	const struct vox_ua_account *a = call_account(ua, c);
	return a ? a->aor : ua->aor;
}

/* Our Contact for a message of call c over hop `to`: the listener that
 * hop leaves from (ua_listener). Over TLS it is a SIPS URI only when the
 * dialog is secure, i.e. the Request-URI was SIPS (8.1.1.8, 12.1.1);
 * otherwise sip:...;transport=tls, so that a peer that called (or was
 * called at) a sip: URI is not asked for TLS on every hop to us, which it
 * may not do (baresip 1.0 drops a 200 whose Contact is SIPS). */
int contact_of(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_peer *to, char *out,
               size_t cap)
{
	struct vox_sip_uri u;
	int sips = c->dlg.state != VOX_DLG_NONE ? c->dlg.secure
	           : c->outgoing
	               ? vox_sip_uri_parse(&u, vox_slice_cstr(c->remote_uri), NULL) == 0 &&
	                     u.scheme == VOX_SIP_SCHEME_SIPS
	               : 0;
	return ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), to, sips, out, cap);
}

/* The first hop of an in-dialog request (12.2.1.1). Over TCP and TLS it
 * goes over the connection the call was set up on, while that lives, when
 * the hop is the same host by the same transport: RFC 3261 18.2.2 sends
 * responses back over it, and RFC 5923 (connection reuse) and RFC 5626
 * (flows) do the same for requests. A peer that takes no connections of
 * its own (behind a NAT, or linphonec without a TLS server) then still
 * gets our BYE; the port of its Contact need not be the connection's. The
 * hop is then exactly as verified as that connection's peer. The loop
 * opens a new connection if this one has closed. */
int dialog_hop(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_sip_dialog *d,
               struct vox_peer *to, struct vox_ua_hop *hop, uint64_t now)
{
	struct vox_ua_hop h;
	int rc = ua_dialog_route(ua, vox_sip_dialog_first_hop(d), to, hop ? hop : &h, now);
	if (rc == UA_WAIT)
		return UA_EWAIT; /* its name is asked for: nothing goes yet */
	const struct vox_peer *f = &c->peer;
	/* and from the listener the call came in on, by that transport and
	 * family: the Via and Contact its peer knows us by */
	if (rc == 0 && f->listener && to->tp == f->tp && to->addr.family == f->addr.family)
		to->listener = f->listener;
	if (rc == 0 && f->conn && to->tp != VOX_TP_UDP && to->tp == f->tp &&
	    to->addr.family == f->addr.family &&
	    memcmp(to->addr.ip, f->addr.ip, f->addr.family == 4 ? 4 : 16) == 0) {
		to->conn = f->conn;
		to->verified = f->verified;
	}
	return rc;
}

/* A request inside dialog d, with our Via for the transport of its first
 * hop; *to is that hop, *hop (may be NULL) which name it came from.
 * branch NULL: a fresh one; cseq 0: the next. UA_EWAIT: the hop's name
 * is asked for. */
int dialog_request(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d,
                   const char *method, uint32_t cseq, const char *branch,
                   const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                   char *out, size_t cap, struct vox_peer *to, struct vox_ua_hop *hop, uint64_t now)
{
	char via[UA_VIA_MAX], contact[VOX_UA_CONTACT_MAX];
	int rc = dialog_hop(ua, c, d, to, hop, now);
	if (rc)
		return rc;
	int vl = ua_via(ua, to, branch, via, sizeof via);
	int cl = contact_of(ua, c, to, contact, sizeof contact);
	if (vl < 0 || cl < 0)
		return vl < 0 ? vl : cl;
	int invite = strcmp(method, "INVITE") == 0;
	struct vox_sip_dialog_req r = {
	    .method = vox_slice_cstr(method),
	    .via = vox_slice_make(via, (size_t)vl),
	    .contact = invite ? vox_slice_make(contact, (size_t)cl) : none,
	    .extra = extra,
	    .nextra = nextra,
	    .content_type = body.len ? vox_slice_cstr("application/sdp") : none,
	    .body = body,
	    .cseq = cseq,
	};
	return vox_sip_dialog_request(d, &r, out, cap, NULL);
}

/* 13.2.2.4: the ACK for a 2xx, built by the UA core and sent outside any
 * transaction. It carries the INVITE's CSeq number and credentials (22.1),
 * and is the same ACK for every retransmission of that 2xx. When the first
 * hop is a name still asked for, the ACK goes with the first 2xx
 * retransmission after the answer (the 2xx comes again until it does). */
void send_ack(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d, uint32_t cseq,
              uint64_t now)
{
	struct vox_peer to;
	struct vox_sip_hdr_out cred[1];
	char value[VOX_UA_CRED_MAX];
	size_t ncred = 0;
	const char *branch = NULL;
	if (d == &c->dlg && cseq == c->invite_cseq) {
		if (!c->branch[0]) {
			int bl = vox_sip_make_branch(&ua->cfg.rng, c->branch, sizeof c->branch - 1);
			if (bl < 0)
				return;
			c->branch[bl] = 0;
		}
		branch = c->branch;
		/* 22.1: the credentials of the INVITE (re-INVITEs carry none) */
		if (c->cred_len && c->cred_len <= sizeof value) {
			vox_sip_arena_get(&ua->txl, c->cred_at, c->cred_len, value);
			cred[ncred++] = (struct vox_sip_hdr_out){
			    c->cred_proxy ? "Proxy-Authorization" : "Authorization",
			    vox_slice_make(value, c->cred_len)};
		}
	}
	int n = dialog_request(ua, c, d, "ACK", cseq, branch, cred, ncred, none, ua->build,
	                       sizeof ua->build, &to, NULL, now);
	if (n > 0)
		ua_send(ua, ua->build, (size_t)n, &to);
	if (ncred) {
		vox_wipe(value, sizeof value);
		vox_wipe(ua->build, n > 0 ? (size_t)n : 0);
	}
}

/* BYE in the call's dialog; cred: the credentials for a challenge to the
 * one before, or NULL; cseq 0: the next, else that of the BYE it repeats
 * (RFC 3263 4.3). A BYE whose first hop's name is asked for waits for the
 * answer (c->dwait, ua_call_dialog_hop): 0 all the same. */
static int send_bye(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_hdr_out *cred,
                    uint32_t cseq, uint64_t now)
{
	struct vox_peer to;
	struct vox_ua_hop hop;
	int n = dialog_request(ua, c, &c->dlg, "BYE", cseq, NULL, cred, cred ? 1 : 0, none,
	                       ua->build, sizeof ua->build, &to, &hop, now);
	if (n < 0 && n != UA_EWAIT)
		return n;
	(void)ua_call_set(ua, c, VOX_UA_CALL_ENDING);
	c->t_2xx = c->t_2xx_end = c->t_retry = UA_NEVER;
	if (c->uac == VOX_UA_UAC_GLARE_WAIT) /* no retry any more */
		(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
	c->dhop = hop;
	c->bye_txn = 0;
	c->dwait = n == UA_EWAIT ? UA_DWAIT_BYE : UA_DWAIT_NONE;
	return n == UA_EWAIT ? 0 : ua_request(ua, ua->build, (size_t)n, &to, now, &c->bye_txn);
}

/* BYE, and the ENDED event now: 15.1.1, the session is over once the BYE
 * is sent; the slot lives until the BYE transaction ends. */
void hang_up_dialog(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
                    int remote, uint64_t now)
{
	report_end(ua, c, status, reason, remote);
	c->auth_tries = 0; /* challenges answered for the BYE, from now on */
	if (send_bye(ua, c, NULL, 0, now) != 0)
		call_free(ua, c);
}

/* 22.2: a proxy challenged our BYE; it goes once more with credentials
 * (an unanswered challenge would leave the peer's call up for ever). */
static int bye_again(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                     uint64_t now)
{
	const char *name;
	char value[1024];
	int n = ua_auth(ua, call_account(ua, c), &c->auth_tries, m, vox_slice_cstr("BYE"),
	                vox_sip_dialog_request_uri(&c->dlg), none, &name, value, sizeof value);
	if (n < 0)
		return n;
	const struct vox_sip_hdr_out cred = {name, vox_slice_make(value, (size_t)n)};
	return send_bye(ua, c, &cred, 0, now);
}

void ua_call_dialog_hop(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_peer *to,
                        uint64_t now)
{
	uint8_t w = c->dwait;
	c->dwait = UA_DWAIT_NONE;
	if (w == UA_DWAIT_BYE && c->state == VOX_UA_CALL_ENDING) {
		/* the session ended when the application hung up (its ENDED
		 * went out then): a BYE that cannot go only frees the slot */
		if (!to || send_bye(ua, c, NULL, 0, now) != 0)
			call_free(ua, c);
		return;
	}
	if ((w == UA_DWAIT_REINVITE || w == UA_DWAIT_REKEY) && c->state == VOX_UA_CALL_UP &&
	    c->uac == VOX_UA_UAC_REINVITING) {
		int rc = to ? send_reinvite(ua, c, w == UA_DWAIT_REKEY, 0, now) : VOX_ENOTFOUND;
		if (rc)
			reinvite_failed(ua, c, 503);
	}
}

int ua_call_dialog_next(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now)
{
	struct vox_peer next;
	int bye = txn == c->bye_txn && c->state == VOX_UA_CALL_ENDING;
	int reinv =
	    txn == c->invite_txn && c->uac == VOX_UA_UAC_REINVITING && c->state == VOX_UA_CALL_UP;
	if ((!bye && !reinv) || ua_hop_next(ua, &c->dhop, &next, now) != 0)
		return VOX_ENOTFOUND;
	/* the same request (the BYE is the dialog's latest), a new branch,
	 * to the target the name's answer now stands at (dialog_hop takes
	 * it); a re-INVITE offers again what it offered (the keys kept) */
	int rc = bye ? send_bye(ua, c, NULL, c->dlg.local_seq, now)
	             : send_reinvite(ua, c, 0, c->invite_cseq, now);
	if (rc == 0 && c->dwait == UA_DWAIT_NONE)
		return 0;
	/* it could not go: the caller reports the failure of txn */
	c->dwait = UA_DWAIT_NONE;
	if (bye)
		c->bye_txn = txn;
	else
		c->invite_txn = txn;
	return VOX_ENOTFOUND;
}

/* Ends the call from our side, by whatever its state allows. */
static int hang_up(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	switch (c->state) {
	case VOX_UA_CALL_OUT_CALLING:
		if (c->hop.wait) { /* nothing left yet: nothing to cancel */
			end_call(ua, c, 0, "hung up before the INVITE left", 0);
			return 0;
		}
		/* 9.1: no CANCEL before a provisional response */
		return ua_call_set(ua, c, VOX_UA_CALL_OUT_CANCEL_WAIT);
	case VOX_UA_CALL_OUT_EARLY: return send_cancel(ua, c, now);
	case VOX_UA_CALL_IN_INCOMING: return vox_ua_reject(ua, ua_call_handle(ua, c), 603, now);
	case VOX_UA_CALL_IN_ANSWERED:
		/* 15: no BYE from the callee before the ACK (or its timeout) */
		return ua_call_set(ua, c, VOX_UA_CALL_BYE_WAIT);
	case VOX_UA_CALL_UP:
		if (ua_ack_awaited(c)) /* the same for the 2xx to a re-INVITE */
			return ua_call_set(ua, c, VOX_UA_CALL_BYE_WAIT);
		hang_up_dialog(ua, c, 0, "hung up", 0, now);
		return 0;
	case VOX_UA_CALL_OUT_CANCEL_WAIT:
	case VOX_UA_CALL_BYE_WAIT: return 0; /* already waiting to */
	default: return VOX_ESTATE;
	}
}

#if VOX_MEDIA_ZRTP
void ua_call_end_insecure(struct vox_ua *ua, struct vox_ua_call *c, const char *reason,
                          uint64_t now)
{
	if (c->state == VOX_UA_CALL_UP && !ua_ack_awaited(c)) {
		hang_up_dialog(ua, c, 0, reason, 0, now);
		return;
	}
	/* before the dialog is up (early media) it ends as a hang-up does;
	 * the ENDED event then says how (cancelled, refused) */
	(void)hang_up(ua, c, now);
}
#endif

static int hangup_now(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	return c ? hang_up(ua, c, now) : VOX_ENOTFOUND;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_hangup(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	int rc = hangup_now(ua, h, now);
	ua_settle(ua);
	return rc;
}

unsigned cseq_of(const struct vox_sip_msg *m)
{
	struct vox_sip_cseq cs;
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CSEQ);
	return h && vox_sip_cseq_parse(&cs, h->value, NULL) == 0 ? cs.seq : 0;
}

void ua_call_response(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                      const struct vox_sip_msg *m, uint64_t now)
{
	if (txn == c->bye_txn) {
		if (m->status < 200 ||
		    ((m->status == 401 || m->status == 407) && bye_again(ua, c, m, now) == 0))
			return;
		call_free(ua, c); /* any other answer ends the dialog too (15.1.1) */
		return;
	}
	if (txn == c->cancel_txn || txn != c->invite_txn)
		return; /* the INVITE's 487 (or 2xx) decides */
	/* the connection our INVITE went over (the loop picked it): the
	 * dialog's later requests take it too (dialog_hop) */
	const struct vox_peer *from = &ua->cur_from;
	if (c->outgoing && from->conn && from->tp == c->peer.tp &&
	    from->addr.family == c->peer.addr.family && from->addr.port == c->peer.addr.port &&
	    !memcmp(from->addr.ip, c->peer.addr.ip, sizeof from->addr.ip)) {
		c->peer.conn = from->conn;
		c->peer.verified = from->verified;
	}
	if (c->uac == VOX_UA_UAC_REINVITING)
		reinvite_response(ua, c, m, now);
	else if (c->dlg.state == VOX_DLG_CONFIRMED && m->status >= 200 && m->status < 300)
		invite_2xx(ua, c, m, now); /* a retransmission or another fork */
	else if (c->state != VOX_UA_CALL_UP && c->state != VOX_UA_CALL_BYE_WAIT)
		invite_response(ua, c, m, now);
}

void ua_call_txn_failed(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn,
                        unsigned status, uint64_t now)
{
	/* status 503: the transport could not send (8.1.3.1, 17.1.4);
	 * 408: nobody answered */
	int tp_err = status == 503;
	if (txn == c->bye_txn) {
		call_free(ua, c); /* the dialog ends anyway (15.1.1) */
		return;
	}
	if (txn == c->ist && txn != c->invite_txn) {
		/* 17.2.4: our response to the peer's INVITE cannot reach it,
		 * and there is no other address to try: give up the call */
		c->ist = 0;
		/* and no ACK for it is awaited any more (as when none came) */
		(void)ua_uas_set(ua, c, VOX_UA_UAS_IDLE);
		c->t_2xx = c->t_2xx_end = UA_NEVER;
		if (c->state == VOX_UA_CALL_UP || c->state == VOX_UA_CALL_BYE_WAIT)
			hang_up_dialog(ua, c, status,
			               "transport error: our answer could not be sent", 0, now);
		else if (!c->outgoing)
			end_call(ua, c, status, "transport error: our answer could not be sent", 0);
		return;
	}
	if (txn != c->invite_txn)
		return;
	if (c->uac == VOX_UA_UAC_REINVITING) {
		(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
		if (c->state == VOX_UA_CALL_UP)
			hang_up_dialog(ua, c, status,
			               tp_err ? "transport error: re-INVITE could not be sent"
			                      : "re-INVITE timed out",
			               !tp_err, now);
		return;
	}
	if (c->outgoing && c->state != VOX_UA_CALL_UP && c->state != VOX_UA_CALL_BYE_WAIT)
		end_call(ua, c, status,
		         tp_err ? "transport error: INVITE could not be sent"
		                : "no answer from the network",
		         0);
}

/* ---- requests to us ------------------------------------------------------------------ */

/* The call whose dialog m belongs to: among the calls of its Call-ID. */
static struct vox_ua_call *find_dialog(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	struct vox_slice call_id = ua_call_id_of(m);
	for (struct vox_ua_call *c = ua_call_by_cid(ua, call_id, NULL); c;
	     c = ua_call_by_cid(ua, call_id, c))
		if (vox_sip_dialog_match(&c->dlg, m))
			return c;
	return NULL;
}

int ua_call_owns(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	return find_dialog(ua, m) != NULL;
}

void ua_call_request(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                     uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
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
		if (!c) {
			(void)!ua_respond(ua, txn, m, 481, none, NULL, 0, none, now);
			return;
		}
		int out_of_order = vox_sip_dialog_recv_request(&c->dlg, m) == VOX_ERANGE;
		(void)!ua_respond(ua, txn, m, out_of_order ? 500 : 200, none, NULL, 0, none, now);
		if (c->state == VOX_UA_CALL_IN_INCOMING) {
			/* 15.1.2: an INVITE still open gets its 487 */
			answer_487(ua, c, now);
			end_call(ua, c, out_of_order ? 500 : 0, "hung up by the peer", 1);
			return;
		}
		if (out_of_order) {
			/* 12.2.2 asks 500 for it; but the peer ended the session
			 * when it sent the BYE (15.1.1), whatever the answer, and
			 * will not end it again: ours ends with a BYE of our own,
			 * or the call would stay up with nobody to end it */
			report_end(ua, c, 500, "the peer's BYE came out of order", 1);
			(void)!hang_up(ua, c, now);
			return;
		}
		if (c->bye_txn && vox_sip_txl_get(&ua->txl, c->bye_txn)) {
			report_end(ua, c, 0, "hung up (BYEs crossed)", 1);
			return; /* our BYE's answer frees the slot */
		}
		end_call(ua, c, 0, "hung up by the peer", 1);
		return;
	}
	case VOX_SIP_CANCEL: {
		/* 9.2: 200 for the CANCEL, with the To tag of the INVITE's
		 * responses; 487 for the INVITE if it is still open */
		vox_sip_txn_id inv = vox_sip_txl_find_invite(&ua->txl, m);
		struct vox_ua_call *c = NULL;
		struct vox_slice call_id = ua_call_id_of(m);
		for (struct vox_ua_call *k = inv ? ua_call_by_cid(ua, call_id, NULL) : NULL;
		     k && !c; k = ua_call_by_cid(ua, call_id, k))
			if (k->ist == inv)
				c = k;
		(void)!ua_respond(ua, txn, m, inv ? 200 : 481,
		                  c ? vox_slice_cstr(c->local_tag) : none, NULL, 0, none, now);
		if (c && c->state == VOX_UA_CALL_IN_INCOMING) {
			answer_487(ua, c, now);
			end_call(ua, c, 487, "cancelled by the caller", 1);
		}
		return;
	}
	/* OPTIONS never gets here: vox_ua_recv answers it statelessly */
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
	const struct vox_sip_msg *m = &ua->msg;
	struct vox_ua_call *c = find_dialog(ua, m);
	if (!c || !ua_ack_awaited(c) || cseq_of(m) != c->ack_cseq)
		return; /* no dialog, nothing awaited, or an ACK for another INVITE */
	int answer = c->uas == VOX_UA_UAS_ACK_WAIT_ANSWER;
	(void)ua_uas_set(ua, c, VOX_UA_UAS_IDLE);
	c->t_2xx = c->t_2xx_end = UA_NEVER;
	vox_sip_txl_acked(&ua->txl, c->ist); /* its 2xx goes no more: the bytes go back */
	ua_media_acked(ua, c, now);          /* the peer has our answer: our new key may go */
	if (answer) {
		/* our offer was in the 2xx: the ACK brings the answer (13.2.1) */
		const char *why = "";
		if (take_answer(ua, c, m, c->secure_path && ua->cur_secure, &why, now) != 0) {
			if (c->state == VOX_UA_CALL_IN_ANSWERED) /* the ACK confirms the dialog */
				(void)ua_call_set(ua, c, VOX_UA_CALL_UP);
			hang_up_dialog(ua, c, 488, why, 0, now);
			return;
		}
		if (c->state == VOX_UA_CALL_UP)
			call_event(ua, c, VOX_UA_EV_MEDIA, 0, "re-INVITE");
	}
	if (c->state == VOX_UA_CALL_BYE_WAIT) { /* the application hung up while we waited */
		hang_up_dialog(ua, c, 0, "hung up", 0, now);
		return;
	}
	if (c->state == VOX_UA_CALL_IN_ANSWERED) {
		(void)ua_call_set(ua, c, VOX_UA_CALL_UP);
		call_event(ua, c, VOX_UA_EV_ANSWERED, 200, "");
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
		/* 13.3.1.4: no ACK for 64*T1: the dialog is confirmed, and the
		 * session ends with BYE */
		(void)ua_uas_set(ua, c, VOX_UA_UAS_IDLE);
		vox_sip_txl_acked(&ua->txl, c->ist);
		if (c->state == VOX_UA_CALL_IN_ANSWERED)
			(void)ua_call_set(ua, c, VOX_UA_CALL_UP);
		hang_up_dialog(ua, c, 408, "no ACK for our 2xx", 1, now);
		return;
	}
	if (c->t_2xx <= now) {
		if (vox_sip_txl_retransmit(&ua->txl, c->ist) != 0) {
			c->t_2xx = UA_NEVER;
		} else {
			uint32_t t2 = ua->txl.timers.t2;
			c->t_2xx_interval = c->t_2xx_interval * 2 < t2 ? c->t_2xx_interval * 2 : t2;
			c->t_2xx = now + c->t_2xx_interval;
		}
	}
	if (c->t_retry <= now) {
		if (ua_ack_awaited(c)) {
			/* 14.1: not while an INVITE transaction of the other side
			 * is open: our 2xx still waits for its ACK */
			c->t_retry = now + ua->txl.timers.t1;
			return;
		}
		c->t_retry = UA_NEVER;
		if (c->state != VOX_UA_CALL_UP)
			(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
		else if (send_reinvite(ua, c, 0, 0, now) != 0)
			reinvite_failed(ua, c, 0);
	}
}
