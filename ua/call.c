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
 */
#include <string.h>

#include "ua/ua_int.h"

static const struct vox_slice none = {NULL, 0};

/* ---- slots and events ------------------------------------------------------------ */

static struct vox_ua_call *call_alloc(struct vox_ua *ua)
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

static void call_free(struct vox_ua *ua, struct vox_ua_call *c)
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
	c->state = VOX_UA_CALL_FREE;
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

static void end_call(struct vox_ua *ua, struct vox_ua_call *c, unsigned status, const char *reason,
                     int remote)
{
	report_end(ua, c, status, reason, remote);
	call_free(ua, c);
}

static void call_event(struct vox_ua *ua, struct vox_ua_call *c, enum vox_ua_ev_type type,
                       unsigned status, const char *reason)
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

static enum vox_ua_protection prot_of(const struct vox_sdp_session *s)
{
	return s->prot == VOX_SDP_PROT_SDES ? VOX_UA_PROT_SDES : VOX_UA_PROT_NONE;
}

/* The session agreed becomes the call's, and its media engine's.
 * hold_tx: we answered (a new send key of ours waits for the ACK). */
static void take_media(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sdp_session *s,
                       int hold_tx, uint64_t now)
{
	c->media.prot = (uint8_t)s->prot;
	c->media.dir = (uint8_t)s->dir;
	c->media.remote_rtp_port = s->remote_rtp_port;
	c->have_media = 1;
	ua_media_apply(ua, c, s, hold_tx, now); /* the engine takes the keys */
}

/* The protection the session agreed gives (the engine's may be less: a
 * media that could not start). */
static enum vox_ua_protection agreed_prot(const struct vox_ua_call *c)
{
	return c->have_media && c->media.prot == VOX_SDP_PROT_SDES ? VOX_UA_PROT_SDES
	                                                           : VOX_UA_PROT_NONE;
}

/* ---- SDP ---------------------------------------------------------------------------- */

/* Our side of offer/answer. keys: may SDES keys travel with this message?
 * Only when every hop so far is TLS, unless the user opted out by name
 * (docs/architecture.md, Security defaults). RFC 3264 8.4: hold is sendonly,
 * or inactive when the peer already holds us. */
static void local_sdp(const struct vox_ua *ua, const struct vox_ua_call *c, int keys, int hold,
                      struct vox_sdp_local *l)
{
	/* the call's media socket, as the application named it (an incoming
	 * offer is checked before it is named: the configured address then) */
	const struct vox_ua_media *ms = &ua->media[c - ua->calls];
	struct vox_slice addr = ms->port ? vox_slice_cstr(ms->addr) : ua->cfg.media_addr;
	vox_sdp_local_init(l, addr, ms->port ? ms->port : UA_PORT_UNNAMED);
	ua_codecs(&ua->cfg, l);
	l->ip6 = memchr(addr.p, ':', addr.len) != NULL;
	l->policy = ua->cfg.policy;
	l->key_methods = ua->cfg.key_methods;
	if (c->savp_retry) /* the peer wants SRTP: RTP/SAVP from now on */
		l->policy = VOX_SDP_POLICY_MANDATORY;
	l->dir = !hold                                               ? VOX_SDP_SENDRECV
	         : c->have_media && c->media.dir == VOX_SDP_RECVONLY ? VOX_SDP_INACTIVE
	                                                             : VOX_SDP_SENDONLY;
#if VOX_MEDIA_ZRTP
	if (ms->zrtp_hash[0]) /* the call's ZRTP session runs: its Hello (8.1) */
		l->zrtp_hash = vox_slice_make(ms->zrtp_hash, 64);
#endif
	l->n_suites = 0;
	if (keys || ua->cfg.allow_sdes_over_insecure_hops) {
		l->n_suites = ua->cfg.n_suites;
		memcpy(l->suites, ua->cfg.suites, sizeof l->suites);
	}
}

/* Our description and the message it went out in hold our SDES key: the
 * scratch buffers forget them once the message is queued (what must be
 * resent lives in the arena, wiped when it goes back). */
static void ua_scrub(struct vox_ua *ua, int sdp_len, int build_len)
{
	if (sdp_len > 0)
		vox_wipe(ua->sdp_out, (size_t)sdp_len);
	if (build_len > 0)
		vox_wipe(ua->build, (size_t)build_len);
}

static int parse_body(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	if (!m->body.len)
		return VOX_ENOTFOUND;
	int rc = vox_sdp_parse(m->body.p, m->body.len, &ua->sdp, NULL);
	return rc < 0 ? rc : 0;
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

/* Our Contact for a message of call c over hop `to`: the listener that
 * hop leaves from (ua_listener). Over TLS it is a SIPS URI only when the
 * dialog is secure, i.e. the Request-URI was SIPS (8.1.1.8, 12.1.1);
 * otherwise sip:...;transport=tls, so that a peer that called (or was
 * called at) a sip: URI is not asked for TLS on every hop to us, which it
 * may not do (baresip 1.0 drops a 200 whose Contact is SIPS). */
static int contact_of(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_peer *to,
                      char *out, size_t cap)
{
	struct vox_sip_uri u;
	int sips = c->dlg.state != VOX_DLG_NONE ? c->dlg.secure
	           : c->outgoing
	               ? vox_sip_uri_parse(&u, vox_slice_cstr(c->remote_uri), NULL) == 0 &&
	                     u.scheme == VOX_SIP_SCHEME_SIPS
	               : 0;
	return ua_contact(ua, vox_slice_cstr(call_aor(ua, c)), to, sips, out, cap);
}

/* Our From value in the INVITE, and so in the dialog. */
static void put_from(struct vox_writer *w, struct vox_ua *ua, const struct vox_ua_call *c)
{
	if (ua->display[0]) {
		vox_writer_putc(w, '"');
		vox_writer_puts(w, ua->display);
		vox_writer_puts(w, "\" ");
	}
	vox_writer_putc(w, '<');
	vox_writer_puts(w, call_aor(ua, c));
	vox_writer_puts(w, ">;tag=");
	vox_writer_puts(w, c->local_tag);
}

/* From, To, Call-ID and CSeq of our initial INVITE (no line end after
 * the CSeq): what the INVITE itself and the facts the call keeps of it
 * share. */
static void put_invite_ids(struct vox_writer *w, struct vox_ua *ua, struct vox_ua_call *c,
                           uint32_t cseq)
{
	vox_writer_puts(w, "From: ");
	put_from(w, ua, c);
	vox_writer_puts(w, "\r\nTo: <");
	vox_writer_puts(w, c->remote_uri);
	vox_writer_puts(w, ">\r\nCall-ID: ");
	vox_writer_puts(w, c->call_id);
	vox_writer_puts(w, "\r\nCSeq: ");
	vox_writer_put_u64(w, cseq);
	vox_writer_puts(w, " INVITE");
}

/* The INVITE we sent, as far as a dialog is made of it (12.1.2: its
 * Request-URI, From, Call-ID and CSeq), written again from what the call
 * keeps and parsed into ua->msg2: the call never reads the transaction's
 * copy. */
static int our_invite(struct vox_ua *ua, struct vox_ua_call *c, uint32_t cseq)
{
	struct vox_writer w;
	vox_writer_init(&w, ua->facts, sizeof ua->facts);
	vox_writer_puts(&w, "INVITE ");
	vox_writer_puts(&w, c->remote_uri);
	vox_writer_puts(&w, " SIP/2.0\r\n");
	put_invite_ids(&w, ua, c, cseq);
	vox_writer_puts(&w, "\r\nContent-Length: 0\r\n\r\n");
	int n = vox_writer_finish(&w);
	if (n < 0)
		return n;
	return vox_sip_parse(&ua->msg2, ua->facts, (size_t)n, VOX_SIP_DATAGRAM, NULL) < 0
	           ? VOX_EMALFORMED
	           : 0;
}

/* The initial INVITE (and its authenticated repeats: same Call-ID and
 * tag, next CSeq, new branch, 22.2). The credentials it carries stay with
 * the call: the ACK for its 2xx carries them too (22.1). */
static int send_invite(struct vox_ua *ua, struct vox_ua_call *c, const char *auth_name,
                       const char *auth_value, uint64_t now)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	char via[UA_VIA_MAX], contact[VOX_UA_CONTACT_MAX];
	local_sdp(ua, c, c->secure_path, 0, &l);
	int sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, ua->sdp_out, sizeof ua->sdp_out, &why);
	if (sl < 0)
		return sl;
	int vl = ua_via(ua, &c->peer, NULL, via, sizeof via);
	int cl = contact_of(ua, c, &c->peer, contact, sizeof contact);
	if (vl < 0 || cl < 0)
		return vl < 0 ? vl : cl;
	struct vox_writer w;
	vox_writer_init(&w, ua->build, sizeof ua->build);
	vox_writer_puts(&w, "INVITE ");
	vox_writer_puts(&w, c->remote_uri);
	vox_writer_puts(&w, " SIP/2.0\r\nVia: ");
	vox_writer_put(&w, via, (size_t)vl);
	vox_writer_puts(&w, "\r\nMax-Forwards: 70\r\n");
	put_invite_ids(&w, ua, c, c->invite_cseq);
	vox_writer_puts(&w, "\r\nContact: ");
	vox_writer_put(&w, contact, (size_t)cl);
	vox_writer_puts(&w, "\r\nAllow: " UA_ALLOW "\r\n");
	ua_put_auth_agent(&w, ua, auth_name, auth_value);
	vox_writer_puts(&w, "Content-Type: application/sdp\r\nContent-Length: ");
	vox_writer_put_u64(&w, (uint64_t)sl);
	vox_writer_puts(&w, "\r\n\r\n");
	vox_writer_put(&w, ua->sdp_out, (size_t)sl);
	int n = vox_writer_finish(&w);
	if (n < 0)
		return n;
	size_t vlen = auth_value ? strlen(auth_value) : 0;
	uint16_t cred_at = VOX_SIP_NOCHUNK;
	int rc = vox_sip_arena_put(&ua->txl, auth_value, vlen, &cred_at);
	if (rc == 0)
		rc = ua_request(ua, ua->build, (size_t)n, &c->peer, now, &c->invite_txn);
	vox_wipe(ua->build, (size_t)n); /* credentials, our SDES key */
	vox_wipe(ua->sdp_out, (size_t)sl);
	if (rc) {
		vox_sip_arena_drop(&ua->txl, &cred_at);
		return rc;
	}
	c->branch[0] = 0; /* a new INVITE, a new ACK */
	vox_sip_arena_drop(&ua->txl, &c->cred_at);
	c->cred_at = cred_at;
	c->cred_len = (uint16_t)vlen;
	c->cred_proxy = auth_name && auth_name[0] == 'P';
	return 0;
}

/* The INVITE once more after a final response (with credentials, 22.2, or
 * as RTP/SAVP after a 488): next CSeq, new branch, no provisional response
 * yet, no dialog. */
static int invite_again(struct vox_ua *ua, struct vox_ua_call *c, const char *auth_name,
                        const char *auth_value, uint64_t now)
{
	c->invite_cseq++;
	c->dlg.state = VOX_DLG_NONE;
	c->state = VOX_UA_CALL_OUT_CALLING;
	c->last_1xx = 0;
	return send_invite(ua, c, auth_name, auth_value, now);
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
static int dialog_hop(const struct vox_ua *ua, const struct vox_ua_call *c,
                      const struct vox_sip_dialog *d, struct vox_peer *to)
{
	int rc = ua_next_hop(ua, vox_sip_dialog_first_hop(d), to);
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
 * hop; *to is that hop. branch NULL: a fresh one. */
static int dialog_request(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d,
                          const char *method, uint32_t cseq, const char *branch,
                          const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                          char *out, size_t cap, struct vox_peer *to)
{
	char via[UA_VIA_MAX], contact[VOX_UA_CONTACT_MAX];
	int rc = dialog_hop(ua, c, d, to);
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
 * and is the same ACK for every retransmission of that 2xx. */
static void send_ack(struct vox_ua *ua, struct vox_ua_call *c, struct vox_sip_dialog *d,
                     uint32_t cseq)
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
	                       sizeof ua->build, &to);
	if (n > 0)
		ua_send(ua, ua->build, (size_t)n, &to);
	if (ncred) {
		vox_wipe(value, sizeof value);
		vox_wipe(ua->build, n > 0 ? (size_t)n : 0);
	}
}

/* BYE in the call's dialog; cred: the credentials for a challenge to the
 * one before, or NULL. */
static int send_bye(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_hdr_out *cred,
                    uint64_t now)
{
	struct vox_peer to;
	int n = dialog_request(ua, c, &c->dlg, "BYE", 0, NULL, cred, cred ? 1 : 0, none, ua->build,
	                       sizeof ua->build, &to);
	if (n < 0)
		return n;
	c->state = VOX_UA_CALL_ENDING;
	c->t_2xx = c->t_2xx_end = c->t_retry = UA_NEVER;
	return ua_request(ua, ua->build, (size_t)n, &to, now, &c->bye_txn);
}

/* BYE, and the ENDED event now: 15.1.1, the session is over once the BYE
 * is sent; the slot lives until the BYE transaction ends. */
static void hang_up_dialog(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                           const char *reason, int remote, uint64_t now)
{
	report_end(ua, c, status, reason, remote);
	c->auth_tries = 0; /* challenges answered for the BYE, from now on */
	if (send_bye(ua, c, NULL, now) != 0)
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
	return send_bye(ua, c, &cred, now);
}

/* The fork a BYE of ours is ending, by the hash of its To tag. */
static uint64_t fork_key(const struct vox_sip_dialog *d)
{
	struct vox_slice tag = vox_sip_dialog_str(d, d->remote_tag);
	uint64_t k = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < tag.len; i++) {
		k ^= (unsigned char)tag.p[i];
		k *= 0x100000001b3ULL;
	}
	return k;
}

/* A BYE of ours to the fork of dialog d is still waiting for its answer. */
static int bye_open(struct vox_ua *ua, const struct vox_ua_call *c, const struct vox_sip_dialog *d)
{
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->fork_bye);
	return x && (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING) &&
	       c->fork_key == fork_key(d);
}

/* A 2xx we do not want (another fork's, 13.2.2.4): a dialog of its own
 * just long enough for the ACK and a BYE. */
static void reject_fork(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                        uint64_t now)
{
	struct vox_sip_dialog *d = &ua->fork;
	struct vox_sip_cseq cs;
	struct vox_peer to;
	vox_sip_txn_id bye;
	const struct vox_sip_header *ch = vox_sip_find(m, VOX_SIP_H_CSEQ);
	if (!c->outgoing || !ch || vox_sip_cseq_parse(&cs, ch->value, NULL) ||
	    our_invite(ua, c, cs.seq) || vox_sip_dialog_uac(d, &ua->msg2, m, c->secure_path) != 0)
		return;
	send_ack(ua, c, d, cs.seq);
	if (bye_open(ua, c, d)) /* the fork's 2xx again: its BYE is on its way */
		return;
	int n = dialog_request(ua, c, d, "BYE", 0, NULL, NULL, 0, none, ua->build, sizeof ua->build,
	                       &to);
	if (n > 0 && ua_request(ua, ua->build, (size_t)n, &to, now, &bye) == 0) {
		c->fork_bye = bye;
		c->fork_key = fork_key(d);
	}
}

/* re-INVITE with an offer for hold (sendonly) or resume (sendrecv), with
 * new SDES keys when rekey is set. The offer/answer state is kept as it
 * was when the request cannot go out. */
static int send_reinvite(struct vox_ua *ua, struct vox_ua_call *c, int rekey, uint64_t now)
{
	struct vox_sdp_oa *saved = &ua->oa_saved;
	uint32_t seq = c->dlg.local_seq;
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	struct vox_peer to;
	int rc = dialog_hop(ua, c, &c->dlg, &to);
	if (rc)
		return rc;
	/* SDES keys only if this request's path is TLS too */
	int keys = c->secure_path && ua_hop_secure(&to);
	if (agreed_prot(c) == VOX_UA_PROT_SDES && !keys && !ua->cfg.allow_sdes_over_insecure_hops &&
	    (ua->cfg.policy == VOX_SDP_POLICY_MANDATORY || rekey))
		return VOX_EPOLICY;
	local_sdp(ua, c, keys, c->hold_want, &l);
	*saved = c->oa;
	if (rekey)
		vox_sdp_oa_rekey(&c->oa); /* RFC 4568 7.1.4: fresh keys in this offer */
	int sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, ua->sdp_out, sizeof ua->sdp_out, &why);
	int n = sl < 0 ? sl
	               : dialog_request(ua, c, &c->dlg, "INVITE", 0, NULL, NULL, 0,
	                                vox_slice_make(ua->sdp_out, (size_t)sl), ua->build,
	                                sizeof ua->build, &to);
	rc = n < 0 ? n : ua_request(ua, ua->build, (size_t)n, &to, now, &c->invite_txn);
	ua_scrub(ua, sl, n);
	if (rc) {
		c->oa = *saved; /* and the CSeq number stays free (12.2.1.1) */
		c->dlg.local_seq = seq;
	}
	vox_wipe(saved, sizeof *saved);
	if (rc)
		return rc;
	c->invite_cseq = c->dlg.local_seq;
	c->reinvite_out = 1;
	vox_sip_arena_drop(&ua->txl, &c->cred_at); /* for the first INVITE's ACK only */
	c->cred_len = 0;
	c->branch[0] = 0; /* a new ACK for this INVITE */
	return 0;
}

/* Our re-INVITE did not go through: the session stays as it was (RFC
 * 3264 8), and so does what we asked for. */
static void reinvite_failed(struct vox_ua *ua, struct vox_ua_call *c, unsigned status)
{
	c->reinvite_out = 0;
	c->hold_want = c->hold;
	c->oa.offer_pending = 0;
	call_event(ua, c, VOX_UA_EV_MEDIA, status, "re-INVITE refused: media unchanged");
}

/* ---- actions ------------------------------------------------------------------------- */

static int call_now(struct vox_ua *ua, struct vox_slice target, vox_ua_handle account,
                    const struct vox_ua_media_addr *media, uint64_t now, vox_ua_handle *call)
{
	struct vox_sip_uri u;
	struct vox_ua_account *a = account ? ua_account(ua, account) : NULL;
	if ((account && !a) || vox_sip_uri_parse(&u, target, NULL) ||
	    (u.scheme != VOX_SIP_SCHEME_SIP && u.scheme != VOX_SIP_SCHEME_SIPS) ||
	    target.len >= VOX_UA_STR)
		return VOX_EINVAL;
	struct vox_peer to;
	struct vox_ua_hop hop;
	if (!ua->free_call)
		return VOX_EPOOL; /* before a name is asked for nothing */
	int rc = ua_route(ua, target, &to, &hop, now);
	if (rc < 0)
		return rc;
	struct vox_ua_call *c = call_alloc(ua);
	if (!c)
		return VOX_EPOOL;
	c->hop = hop;
	rc = ua_media_local(ua, c, media);
	if (rc) {
		ua_call_give_back(ua, c); /* the slot stays free */
		return rc;
	}
	c->outgoing = 1;
	c->account = a ? (uint16_t)(a - ua->acct + 1) : 0;
	c->peer = to;
	c->secure_path = (uint8_t)ua_hop_secure(&to);
	c->invite_cseq = 1;
	memcpy(c->remote_uri, target.p, target.len);
	c->remote_uri[target.len] = 0;
	int tl = vox_sip_make_tag(&ua->cfg.rng, c->local_tag, sizeof c->local_tag - 1);
	int il = tl < 0 ? tl
	                : vox_sip_make_callid(&ua->cfg.rng, ua->cfg.host, c->call_id,
	                                      sizeof c->call_id - 1);
	if (il < 0) {
		ua_call_give_back(ua, c);
		return il;
	}
	c->local_tag[tl] = 0;
	c->call_id[il] = 0;
	ua_call_index(ua, c, vox_slice_make(c->call_id, (size_t)il));
	uint8_t r[4];
	if (ua->cfg.rng.fn(ua->cfg.rng.ctx, r, sizeof r) != 0) {
		ua_call_give_back(ua, c);
		return VOX_ERNG;
	}
	vox_sdp_oa_init(&c->oa,
	                (uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]);
	c->state = VOX_UA_CALL_OUT_CALLING;
#if VOX_MEDIA_ZRTP
	rc = ua_media_zrtp_begin(ua, c, now); /* our a=zrtp-hash for the offer */
	if (rc) {
		call_free(ua, c);
		return rc;
	}
#endif
	/* a name to resolve first: the INVITE waits (ua_call_hop) */
	rc = c->hop.wait ? 0 : send_invite(ua, c, NULL, NULL, now);
	if (rc) {
		call_free(ua, c);
		return rc; /* VOX_EPOLICY: mandatory SRTP and no way to offer keys */
	}
	*call = ua_call_handle(ua, c);
	return 0;
}

void ua_call_hop(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_peer *to, uint64_t now)
{
	if (!to) {
		end_call(ua, c, 503, "the next hop's name did not resolve", 0);
		return;
	}
	if (c->cancel_wanted && !c->invite_txn) {
		end_call(ua, c, 0, "hung up before the INVITE left", 0);
		return;
	}
	/* RFC 3263 4.3: the same request (Call-ID, tags, CSeq) with a new
	 * branch: a new transaction, and a new offer for the new hop */
	c->peer = *to;
	c->secure_path = (uint8_t)ua_hop_secure(to);
	c->dlg.state = VOX_DLG_NONE;
	c->last_1xx = 0;
	int rc = send_invite(ua, c, NULL, NULL, now);
	if (rc)
		end_call(ua, c, rc == VOX_EPOLICY ? 488 : 503,
		         rc == VOX_EPOLICY ? "policy: no SRTP key may go over the next hop"
		                           : "INVITE could not be sent to the next hop",
		         0);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_call(struct vox_ua *ua, struct vox_slice target, vox_ua_handle account,
                const struct vox_ua_media_addr *media, uint64_t now, vox_ua_handle *call)
{
	int rc = call_now(ua, target, account, media, now, call);
	ua_settle(ua);
	return rc;
}

/* A response to the INVITE we serve, built by its transaction from the
 * copy of the request's headers it keeps (8.2.6.2). A response that makes
 * a dialog copies its Record-Route (12.1.1). */
static int respond_invite(struct vox_ua *ua, struct vox_ua_call *c, unsigned status,
                          const struct vox_sip_hdr_out *extra, size_t nextra, struct vox_slice body,
                          uint64_t now)
{
	struct vox_sip_hdr_out h[4];
	size_t n = 0;
	if (nextra >= sizeof h / sizeof h[0])
		return VOX_ELIMIT; /* more than the callers here ever pass */
	struct vox_slice rr = vox_sip_dialog_str(&c->dlg, c->dlg.route);
	if (status > 100 && status < 300 && rr.len)
		h[n++] = (struct vox_sip_hdr_out){"Record-Route", rr};
	for (size_t i = 0; i < nextra; i++)
		h[n++] = extra[i];
	return ua_respond_ist(ua, c->ist, status, vox_slice_cstr(c->local_tag), h, n, body, now);
}

static int ring_now(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	char contact[VOX_UA_CONTACT_MAX];
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_IN_INCOMING)
		return VOX_ESTATE;
	int cl = contact_of(ua, c, &c->peer, contact, sizeof contact);
	if (cl < 0)
		return cl;
	/* 12.1.1: a 1xx that makes an early dialog carries our Contact */
	const struct vox_sip_hdr_out ct = {"Contact", vox_slice_make(contact, (size_t)cl)};
	return respond_invite(ua, c, 180, &ct, 1, none, now);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_ring(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	int rc = ring_now(ua, h, now);
	ua_settle(ua);
	return rc;
}

/* The INVITE we serve still takes a final response (none was sent, and
 * none took the place of one that could not be built). */
static int ist_open(const struct vox_ua *ua, const struct vox_ua_call *c)
{
	const struct vox_sip_txn *x = vox_sip_txl_get(&ua->txl, c->ist);
	return x && x->state == VOX_TXN_PROCEEDING;
}

static void start_2xx_timer(struct vox_ua *ua, struct vox_ua_call *c, uint32_t cseq, uint64_t now)
{
	/* 13.3.1.4: the 2xx again at T1, 2T1, ... up to T2, until the ACK
	 * that carries the INVITE's CSeq number */
	c->ack_pending = 1;
	c->ack_cseq = cseq;
	c->t_2xx_interval = ua->txl.timers.t1;
	c->t_2xx = now + c->t_2xx_interval;
	c->t_2xx_end = now + 64ull * ua->txl.timers.t1;
}

static int answer_now(struct vox_ua *ua, vox_ua_handle h, const struct vox_ua_media_addr *media,
                      uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	char contact[VOX_UA_CONTACT_MAX];
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_IN_INCOMING)
		return VOX_ESTATE;
	int cl = contact_of(ua, c, &c->peer, contact, sizeof contact);
	if (cl < 0)
		return cl;
	/* the media socket the description names; the one before (none, or
	 * what an earlier attempt named) comes back on an error */
	struct vox_ua_media *ms = ua_media_of(ua, c);
	char was_addr[sizeof ms->addr];
	uint16_t was_port = ms->port;
	memcpy(was_addr, ms->addr, sizeof was_addr);
	int rc = ua_media_local(ua, c, media);
	if (rc)
		return rc;
#if VOX_MEDIA_ZRTP
	rc = ua_media_zrtp_begin(ua, c, now); /* our a=zrtp-hash for the answer */
	if (rc) {
		memcpy(ms->addr, was_addr, sizeof was_addr);
		ms->port = was_port;
		return rc;
	}
#endif
	struct vox_sdp_oa *saved = &ua->oa_saved;
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	struct vox_sdp_session s;
	int sl;
	*saved = c->oa;
	local_sdp(ua, c, c->secure_path, 0, &l);
	if (c->delayed_offer) {
		/* the INVITE had no offer: ours goes in the 2xx (13.2.1) */
		sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, ua->sdp_out, sizeof ua->sdp_out,
		                      &why);
	} else {
		/* RFC 3264 6: the answer to the offer kept since the INVITE
		 * (checked then), for the socket named now */
		vox_sip_arena_get(&ua->txl, ms->offer_at, ms->offer_len, ua->build);
		sl = vox_sdp_parse(ua->build, ms->offer_len, &ua->sdp, NULL);
		if (sl >= 0)
			sl = vox_sdp_oa_answer(&c->oa, &l, &ua->sdp, &ua->cfg.rng, ua->sdp_out,
			                       sizeof ua->sdp_out, &s, &why);
	}
	if (sl >= 0) {
		const struct vox_sip_hdr_out extra[] = {
		    {"Contact", vox_slice_make(contact, (size_t)cl)},
		    {"Allow", vox_slice_cstr(UA_ALLOW)},
		};
		rc = respond_invite(ua, c, 200, extra, 2, vox_slice_make(ua->sdp_out, (size_t)sl),
		                    now);
		if (rc && !c->delayed_offer)
			vox_sdp_session_free(&s);
	} else {
		rc = sl;
	}
	ua_scrub(ua, sl, c->delayed_offer ? 0 : ms->offer_len); /* our key; the peer's (the
	                                                           offer was read into build) */
	if (rc) /* no description of ours went out */
		c->oa = *saved;
	vox_wipe(saved, sizeof *saved);
	if (rc) {
		if (sl >= 0 &&
		    !ist_open(ua, c)) { /* a 500 went in the 2xx's place (14.2, 21.5.1) */
			end_call(ua, c, 500, "our 2xx could not be built", 0);
			return rc;
		}
		memcpy(ms->addr, was_addr, sizeof was_addr);
		ms->port = was_port;
		return rc;
	}
	(void)!vox_sip_dialog_confirm(&c->dlg, NULL); /* early (new_invite): cannot fail */
	c->state = VOX_UA_CALL_IN_ANSWERED;
	start_2xx_timer(ua, c, c->invite_cseq, now);
	if (!c->delayed_offer) {
		/* the answer is out: media may flow (RFC 3264 6) */
		take_media(ua, c, &s, 0, now);
		vox_sdp_session_free(&s);
		vox_sip_arena_drop(&ua->txl, &ms->offer_at); /* wiped */
		ms->offer_len = 0;
	}
	ua_media_pump(ua);
	return 0;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_answer(struct vox_ua *ua, vox_ua_handle h, const struct vox_ua_media_addr *media,
                  uint64_t now)
{
	int rc = answer_now(ua, h, media, now);
	ua_settle(ua);
	return rc;
}

static int reject_now(struct vox_ua *ua, vox_ua_handle h, unsigned status, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (status < 300 || status > 699)
		return VOX_EINVAL;
	if (c->state != VOX_UA_CALL_IN_INCOMING)
		return VOX_ESTATE;
	int rc = respond_invite(ua, c, status, NULL, 0, none, now);
	if (rc == VOX_ELIMIT)
		return rc; /* nothing sent, nothing changed: poll the output first */
	end_call(ua, c, status, "rejected", 0);
	return rc;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_reject(struct vox_ua *ua, vox_ua_handle h, unsigned status, uint64_t now)
{
	int rc = reject_now(ua, h, status, now);
	ua_settle(ua);
	return rc;
}

static int send_cancel(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	/* 9.1: the transaction builds it from the INVITE it still holds */
	int rc = vox_sip_txl_cancel(&ua->txl, c->invite_txn, now, &c->cancel_txn);
	if (rc)
		return rc;
	c->state = VOX_UA_CALL_ENDING;
	c->t_giveup = now + 64ull * ua->txl.timers.t1;
	return 0;
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
		c->cancel_wanted = 1;
		return 0;
	case VOX_UA_CALL_OUT_EARLY: return send_cancel(ua, c, now);
	case VOX_UA_CALL_IN_INCOMING: return vox_ua_reject(ua, ua_call_handle(ua, c), 603, now);
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

#if VOX_MEDIA_ZRTP
void ua_call_end_insecure(struct vox_ua *ua, struct vox_ua_call *c, const char *reason,
                          uint64_t now)
{
	if (c->state == VOX_UA_CALL_UP && !c->ack_pending) {
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

static int hold_now(struct vox_ua *ua, vox_ua_handle h, int hold, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_UP || c->reinvite_out || c->ack_pending ||
	    c->t_retry != UA_NEVER)
		return VOX_ESTATE;
	c->hold_want = hold ? 1 : 0;
	c->glare = 0;
	int rc = send_reinvite(ua, c, 0, now);
	if (rc)
		c->hold_want = c->hold;
	return rc;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_hold(struct vox_ua *ua, vox_ua_handle h, int hold, uint64_t now)
{
	int rc = hold_now(ua, h, hold, now);
	ua_settle(ua);
	return rc;
}

static int rekey_now(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_UP || c->reinvite_out || c->ack_pending ||
	    c->t_retry != UA_NEVER)
		return VOX_ESTATE;
	if (agreed_prot(c) != VOX_UA_PROT_SDES)
		return VOX_EPOLICY; /* no SDES keys to renew */
	c->hold_want = c->hold;     /* the same session, new keys */
	c->glare = 0;
	return send_reinvite(ua, c, 1, now);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_rekey(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	int rc = rekey_now(ua, h, now);
	ua_settle(ua);
	return rc;
}

/* ---- responses to our requests ------------------------------------------------------ */

/* The answer in a response to our offer; 0 when taken. */
static int take_answer(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                       int keys, const char **why_text, uint64_t now)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why = {0, "", -1};
	struct vox_sdp_session s;
	if (parse_body(ua, m) != 0) {
		*why_text = "no usable SDP answer";
		return VOX_EMALFORMED;
	}
	local_sdp(ua, c, keys, c->hold_want, &l);
	int rc = vox_sdp_oa_recv_answer(&c->oa, &l, &ua->sdp, &s, &why);
	if (rc) {
		*why_text = why.reason;
		return rc;
	}
	if (agreed_prot(c) != VOX_UA_PROT_NONE && prot_of(&s) == VOX_UA_PROT_NONE) {
		/* the answer drops SRTP: say so, or end the call (and the media
		 * never runs the clear session) */
		if (!ua->cfg.accept_downgrade) {
			vox_sdp_session_free(&s);
			*why_text = "answer would lower the call's protection";
			return VOX_EPOLICY;
		}
		call_event(ua, c, VOX_UA_EV_DOWNGRADE, 0, "SRTP dropped by the peer's answer");
	}
	take_media(ua, c, &s, 0, now);
	vox_sdp_session_free(&s);
	return 0;
}

static unsigned cseq_of(const struct vox_sip_msg *m)
{
	struct vox_sip_cseq cs;
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_CSEQ);
	return h && vox_sip_cseq_parse(&cs, h->value, NULL) == 0 ? cs.seq : 0;
}

static void invite_2xx(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                       uint64_t now)
{
	const char *why = "";
	int rc = 0;
	if (c->dlg.state == VOX_DLG_CONFIRMED) {
		/* a retransmission of the 2xx we took, or another fork's */
		if (vox_sip_dialog_match(&c->dlg, m))
			send_ack(ua, c, &c->dlg, cseq_of(m));
		else
			reject_fork(ua, c, m, now);
		return;
	}
	if (c->dlg.state == VOX_DLG_EARLY && vox_sip_dialog_match(&c->dlg, m)) {
		rc = vox_sip_dialog_confirm(&c->dlg, m);
	} else {
		/* the first 2xx makes the dialog, from whichever fork it came
		 * (13.2.2.4); an early answer from another fork does not count */
		if (c->dlg.state == VOX_DLG_EARLY)
			c->oa.offer_pending = 1;
		rc = our_invite(ua, c, c->invite_cseq);
		if (!rc)
			rc = vox_sip_dialog_uac(&c->dlg, &ua->msg2, m, c->secure_path);
	}
	if (rc) {
		end_call(ua, c, 500, "2xx without a usable dialog", 0);
		return;
	}
	/* a call we hang up anyway starts no media */
	int ending = c->state == VOX_UA_CALL_ENDING || c->cancel_wanted;
	if (!ending && m->body.len && c->oa.offer_pending)
		rc = take_answer(ua, c, m, c->secure_path, &why, now);
	else if (!ending && !c->have_media)
		rc = VOX_EMALFORMED, why = "2xx without an SDP answer";
	send_ack(ua, c, &c->dlg, c->invite_cseq);
	if (c->state == VOX_UA_CALL_ENDING || c->cancel_wanted || rc) {
		/* we hung up (our CANCEL crossed the 2xx, or came too early
		 * to send), or the answer is unacceptable: the call is up, so
		 * it ends with BYE (15) */
		c->state = VOX_UA_CALL_UP;
		hang_up_dialog(ua, c, rc ? 488 : 487, rc ? why : "cancelled", 0, now);
		return;
	}
	c->state = VOX_UA_CALL_UP;
	call_event(ua, c, VOX_UA_EV_ANSWERED, m->status, "");
}

static void invite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                            uint64_t now)
{
	unsigned s = m->status;
	const char *why = "";
	if (s < 200) {
		if (c->state == VOX_UA_CALL_ENDING)
			return;
		if (s > 100) {
			if (c->dlg.state == VOX_DLG_NONE && our_invite(ua, c, c->invite_cseq) == 0)
				(void)!vox_sip_dialog_uac(&c->dlg, &ua->msg2, m, c->secure_path);
			if (c->last_1xx != s) { /* a repeated 1xx is no news */
				call_event(ua, c, VOX_UA_EV_PROGRESS, s, "");
				c->last_1xx = (uint16_t)s;
			}
			if (m->body.len && c->oa.offer_pending && !c->cancel_wanted &&
			    take_answer(ua, c, m, c->secure_path, &why, now) == 0)
				call_event(ua, c, VOX_UA_EV_EARLY_MEDIA, s,
				           "answer in a provisional response");
		}
		c->state = VOX_UA_CALL_OUT_EARLY;
		/* 9.1: any provisional response lets a waiting CANCEL go */
		if (c->cancel_wanted && send_cancel(ua, c, now) == 0)
			c->cancel_wanted = 0;
		return;
	}
	if (s < 300) {
		invite_2xx(ua, c, m, now);
		return;
	}
	if ((s == 401 || s == 407) && c->state != VOX_UA_CALL_ENDING && !c->cancel_wanted) {
		const char *name;
		char value[1024];
		struct vox_ua_account *a = call_account(ua, c);
		int n = ua_auth(ua, a, &c->auth_tries, m, vox_slice_cstr("INVITE"),
		                vox_slice_cstr(c->remote_uri), none, &name, value, sizeof value);
		if (n >= 0 && invite_again(ua, c, name, value, now) == 0)
			return;
	}
	/* Policy optional offers keys best-effort, as RTP/AVP with a=crypto;
	 * a peer that insists on SRTP refuses that with 488. Offer once more,
	 * as RTP/SAVP (baresip "srtp-mand" and linphone with mandatory SRTP
	 * both do this). */
	if (s == 488 && !c->savp_retry && c->state != VOX_UA_CALL_ENDING && !c->cancel_wanted &&
	    ua->cfg.policy == VOX_SDP_POLICY_OPTIONAL && ua->cfg.n_suites &&
	    (c->secure_path || ua->cfg.allow_sdes_over_insecure_hops)) {
		c->savp_retry = 1;
		c->auth_tries = 0; /* a proxy may challenge the new INVITE */
		if (invite_again(ua, c, NULL, NULL, now) == 0)
			return;
	}
	/* a final answer to our own CANCEL (487) ends it from our side */
	int ours = c->state == VOX_UA_CALL_ENDING || c->cancel_wanted;
	end_call(ua, c, s, ours ? "cancelled" : "call failed", !ours);
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
		/* 12.2.1.2: the 2xx to a target refresh names the new target */
		(void)!vox_sip_dialog_target_refresh(&c->dlg, m);
		struct vox_peer to;
		int keys =
		    c->secure_path && dialog_hop(ua, c, &c->dlg, &to) == 0 && ua_hop_secure(&to);
		int rc = m->body.len ? take_answer(ua, c, m, keys, &why, now) : VOX_EMALFORMED;
		send_ack(ua, c, &c->dlg, c->invite_cseq);
		c->reinvite_out = 0;
		if (c->state != VOX_UA_CALL_UP)
			return; /* hung up meanwhile: the BYE is out */
		if (rc == VOX_EPOLICY) {
			hang_up_dialog(ua, c, 488, why, 0, now);
			return;
		}
		if (rc) {
			reinvite_failed(ua, c, s);
			return;
		}
		const char *what = c->hold == c->hold_want ? "re-INVITE accepted"
		                   : c->hold_want          ? "on hold"
		                                           : "resumed";
		c->hold = c->hold_want;
		call_event(ua, c, VOX_UA_EV_MEDIA, s, what);
		return;
	}
	if (c->state != VOX_UA_CALL_UP) {
		c->reinvite_out = 0;
		return;
	}
	if (s == 491 && c->glare < UA_GLARE_RETRIES) {
		/* 14.1: try again after a random time, longer for the Call-ID
		 * owner, in units of 10 ms. A few times: a peer that keeps its
		 * own INVITE open, or answers 491 to every one, has refused */
		uint8_t r[2];
		if (ua->cfg.rng.fn(ua->cfg.rng.ctx, r, 2) != 0)
			r[0] = r[1] = 0;
		unsigned units = (unsigned)(r[0] << 8 | r[1]);
		uint64_t delay = c->outgoing ? 2100 + (units % 191) * 10 : (units % 201) * 10;
		c->reinvite_out = 0;
		c->oa.offer_pending = 0;
		c->glare++;
		c->t_retry = now + delay;
		return;
	}
	if (s == 481 || s == 408) { /* 14.1: the dialog is gone */
		c->reinvite_out = 0;
		hang_up_dialog(ua, c, s, "re-INVITE failed", 1, now);
		return;
	}
	reinvite_failed(ua, c, s); /* any other refusal leaves the session as it was */
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
	if (c->reinvite_out)
		reinvite_response(ua, c, m, now);
	else if (c->dlg.state == VOX_DLG_CONFIRMED && m->status >= 200 && m->status < 300)
		invite_2xx(ua, c, m, now); /* a retransmission or another fork */
	else if (c->state != VOX_UA_CALL_UP)
		invite_response(ua, c, m, now);
}

void ua_call_stray_2xx(struct vox_ua *ua, uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
	struct vox_sip_cseq cs;
	const struct vox_sip_header *ch = vox_sip_find(m, VOX_SIP_H_CSEQ);
	if (m->status < 200 || m->status >= 300 || !ch ||
	    vox_sip_cseq_parse(&cs, ch->value, NULL) || cs.method_id != VOX_SIP_INVITE)
		return;
	struct vox_slice call_id = ua_call_id_of(m);
	for (struct vox_ua_call *c = ua_call_by_cid(ua, call_id, NULL); c;
	     c = ua_call_by_cid(ua, call_id, c)) {
		if (c->dlg.state != VOX_DLG_CONFIRMED)
			continue;
		if (vox_sip_dialog_match(&c->dlg, m)) {
			send_ack(ua, c, &c->dlg, cs.seq); /* 13.2.2.4: every 2xx gets its ACK */
			return;
		}
		/* another fork of our INVITE, its transaction already gone */
		const struct vox_sip_header *cid = vox_sip_find(m, VOX_SIP_H_CALL_ID);
		if (c->outgoing && cid &&
		    vox_slice_eq(cid->value, vox_sip_dialog_str(&c->dlg, c->dlg.call_id))) {
			reject_fork(ua, c, m, now);
			return;
		}
	}
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
		c->ack_pending = c->delayed_offer = 0;
		c->t_2xx = c->t_2xx_end = UA_NEVER;
		if (c->state == VOX_UA_CALL_UP)
			hang_up_dialog(ua, c, status,
			               "transport error: our answer could not be sent", 0, now);
		else if (!c->outgoing)
			end_call(ua, c, status, "transport error: our answer could not be sent", 0);
		return;
	}
	if (txn != c->invite_txn)
		return;
	if (c->reinvite_out) {
		c->reinvite_out = 0;
		if (c->state == VOX_UA_CALL_UP)
			hang_up_dialog(ua, c, status,
			               tp_err ? "transport error: re-INVITE could not be sent"
			                      : "re-INVITE timed out",
			               !tp_err, now);
		return;
	}
	if (c->outgoing && c->state != VOX_UA_CALL_UP)
		end_call(ua, c, status,
		         tp_err ? "transport error: INVITE could not be sent"
		                : "no answer from the network",
		         0);
}

/* ---- requests to us ------------------------------------------------------------------ */

/* 487 for the INVITE we serve, its dialog ended by the peer (9.2, 15.1.2).
 * When an earlier response of ours still waits to be sent and the layer
 * has no room to keep both, the INVITE is given up instead: its
 * transaction would otherwise wait for ever (no timer before a final
 * response). */
static void answer_487(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	if (respond_invite(ua, c, 487, NULL, 0, none, now) == VOX_ELIMIT)
		vox_sip_txl_abandon(&ua->txl, c->ist);
}

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

/* 8.2.2.2: the same request again through another path (From tag,
 * Call-ID and CSeq of a call we already serve, another branch). */
static int merged(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	struct vox_sip_addr from;
	const struct vox_sip_header *fh = vox_sip_find(m, VOX_SIP_H_FROM);
	const struct vox_sip_header *cid = vox_sip_find(m, VOX_SIP_H_CALL_ID);
	if (!fh || !cid || vox_sip_addr_parse(&from, fh->value, NULL) || !from.tag.p)
		return 0;
	for (const struct vox_ua_call *c = ua_call_by_cid(ua, cid->value, NULL); c;
	     c = ua_call_by_cid(ua, cid->value, (struct vox_ua_call *)(uintptr_t)c)) {
		if (!c->outgoing &&
		    vox_slice_eq(cid->value, vox_sip_dialog_str(&c->dlg, c->dlg.call_id)) &&
		    vox_slice_eq(from.tag, vox_sip_dialog_str(&c->dlg, c->dlg.remote_tag)) &&
		    cseq_of(m) == c->invite_cseq)
			return 1;
	}
	return 0;
}

/* Refuses a new INVITE with 488, saying why in a Warning (20.43). */
static void refuse_offer(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_sip_msg *m,
                         const struct vox_sdp_fail *why, struct vox_slice tag, uint64_t now)
{
	char warn[160];
	struct vox_writer w;
	vox_writer_init(&w, warn, sizeof warn);
	vox_writer_puts(&w, "399 vox \"");
	vox_writer_puts(&w, why->reason ? why->reason : "unusable offer");
	vox_writer_putc(&w, '"');
	const struct vox_sip_hdr_out h = {"Warning", vox_slice_make(warn, w.err ? 0 : w.len)};
	(void)!ua_respond(ua, txn, m, why->sip_status >= 400 ? (unsigned)why->sip_status : 488, tag,
	                  &h, w.err ? 0 : 1, none, now);
}

/* The account an incoming call is for: the one whose address of record
 * the To URI names (user and host, 19.1.4: the user part case-sensitive,
 * the host not), else the one whose user part the Request-URI carries (a
 * registrar routes to the Contact we registered, which carries it); 0
 * when none, else 1 + its index. */
static uint16_t account_for(const struct vox_ua *ua, const struct vox_sip_msg *m)
{
	const struct vox_sip_header *to = vox_sip_find(m, VOX_SIP_H_TO);
	struct vox_sip_addr ta;
	struct vox_sip_uri ru;
	int have_to = to && vox_sip_addr_parse(&ta, to->value, NULL) == 0;
	int have_ru = vox_sip_uri_parse(&ru, m->uri, NULL) == 0 && ru.user.len;
	uint16_t by_user = 0;
	for (size_t i = 0; i < VOX_UA_MAX_ACCOUNTS; i++) {
		const struct vox_ua_account *a = &ua->acct[i];
		struct vox_sip_uri au;
		if (!a->used || vox_sip_uri_parse(&au, vox_slice_cstr(a->aor), NULL))
			continue;
		if (have_to && vox_slice_eq(ta.uri.user, au.user) &&
		    vox_slice_case_eq(ta.uri.host.name, au.host.name))
			return (uint16_t)(i + 1);
		if (!by_user && have_ru && vox_slice_eq(ru.user, au.user))
			by_user = (uint16_t)(i + 1);
	}
	return by_user;
}

static void new_invite(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from,
                       uint64_t now)
{
	const struct vox_sip_msg *m = &ua->msg;
	if (merged(ua, m)) {
		(void)!ua_respond(ua, txn, m, 482, none, NULL, 0, none, now);
		return;
	}
	struct vox_ua_call *c = call_alloc(ua);
	if (!c) {
		/* no call slot: answer without keeping a transaction (21.5.4) */
		vox_sip_txl_abandon(&ua->txl, txn);
		ua_respond_stateless(ua, from, 503, "Retry-After", "10");
		return;
	}
	c->ist = txn;
	c->peer = *from;
	c->secure_path = ua->cur_secure;
	c->account = account_for(ua, m);
	int tl = vox_sip_make_tag(&ua->cfg.rng, c->local_tag, sizeof c->local_tag - 1);
	uint8_t r[4];
	if (tl < 0 || ua->cfg.rng.fn(ua->cfg.rng.ctx, r, sizeof r) != 0) {
		(void)!ua_respond(ua, txn, m, 500, none, NULL, 0, none, now);
		ua_call_give_back(ua, c);
		return;
	}
	c->local_tag[tl] = 0;
	struct vox_slice tag = vox_slice_make(c->local_tag, (size_t)tl);
	int drc = vox_sip_dialog_uas(&c->dlg, m, tag, from->tp == VOX_TP_TLS);
	if (drc) {
		/* the peer's fault (400), or ours: its From, To, Call-ID and
		 * Contact do not fit VOX_SIP_DLG_STORE (21.5.14: 513) */
		(void)!ua_respond(ua, txn, m, drc == VOX_ETOOLONG ? 513 : 400, none, NULL, 0, none,
		                  now);
		ua_call_give_back(ua, c);
		return;
	}
	ua_call_index(ua, c, ua_call_id_of(m));
	vox_sdp_oa_init(&c->oa,
	                (uint64_t)r[0] << 24 | (uint64_t)r[1] << 16 | (uint64_t)r[2] << 8 | r[3]);
	c->invite_cseq = c->dlg.remote_seq;
	if (m->body.len) {
		/* RFC 3264 6: whether we can answer is known now, and a call we
		 * cannot answer is refused at once; the answer itself is built
		 * when the application names the call's media socket
		 * (vox_ua_answer). Until then the UA keeps the offer. */
		struct vox_ua_media *ms = ua_media_of(ua, c);
		struct vox_sdp_oa *saved = &ua->oa_saved;
		struct vox_sdp_local l;
		struct vox_sdp_fail why = {488, "unusable offer", -1};
		struct vox_sdp_session s;
		int sl = m->body.len > VOX_UA_OFFER_MAX ? VOX_ETOOLONG : parse_body(ua, m);
		if (sl == VOX_ETOOLONG)
			why.reason = "offer longer than this UA keeps (VOX_UA_OFFER_MAX)";
		if (sl == 0) {
			local_sdp(ua, c, c->secure_path, 0, &l);
			*saved = c->oa;
			sl = vox_sdp_oa_answer(&c->oa, &l, &ua->sdp, &ua->cfg.rng, ua->sdp_out,
			                       sizeof ua->sdp_out, &s, &why);
			c->oa = *saved; /* a check: nothing of it stays */
			vox_wipe(saved, sizeof *saved);
			if (sl >= 0) {
				vox_wipe(ua->sdp_out, (size_t)sl);
				vox_sdp_session_free(&s);
			}
		}
		if (sl < 0) {
			refuse_offer(ua, txn, m, &why, tag, now);
			call_free(ua, c);
			return;
		}
		if (vox_sip_arena_put(&ua->txl, m->body.p, m->body.len, &ms->offer_at)) {
			/* no room to keep it until the answer: come back later */
			const struct vox_sip_hdr_out h = {"Retry-After", vox_slice_cstr("10")};
			(void)!ua_respond(ua, txn, m, 503, tag, &h, 1, none, now);
			call_free(ua, c);
			return;
		}
		ms->offer_len = (uint16_t)m->body.len;
	} else {
		c->delayed_offer = 1;
	}
	c->state = VOX_UA_CALL_IN_INCOMING;
	call_event(ua, c, VOX_UA_EV_INCOMING, 0, "");
}

static void reinvite(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now)
{
	struct vox_sdp_oa *saved = &ua->oa_saved;
	const struct vox_sip_msg *m = &ua->msg;
	int rc = vox_sip_dialog_recv_request(&c->dlg, m);
	if (rc == VOX_ERANGE || rc == VOX_ETOOLONG) {
		/* 12.2.2: out of order; or a new target the dialog cannot
		 * hold. 500, and the session stays as it was (14.2) */
		(void)!ua_respond(ua, txn, m, 500, none, NULL, 0, none, now);
		return;
	}
	if (c->reinvite_out) { /* 14.2: glare */
		(void)!ua_respond(ua, txn, m, 491, none, NULL, 0, none, now);
		return;
	}
	if (c->state != VOX_UA_CALL_UP || c->ack_pending) {
		/* 14.2: an INVITE before the last one is done: 500 with a
		 * random Retry-After of 0 to 10 s */
		uint8_t r = 0;
		char ra[3] = "10";
		if (ua->cfg.rng.fn(ua->cfg.rng.ctx, &r, 1) == 0 && r % 11 < 10) {
			ra[0] = (char)('0' + r % 11);
			ra[1] = 0;
		}
		const struct vox_sip_hdr_out h = {"Retry-After", vox_slice_cstr(ra)};
		(void)!ua_respond(ua, txn, m, 500, none, &h, 1, none, now);
		return;
	}
	struct vox_sdp_local l;
	struct vox_sdp_fail why = {488, "unusable offer", -1};
	struct vox_sdp_session s;
	int sl;
	int keys = c->secure_path && ua->cur_secure;
	local_sdp(ua, c, keys, c->hold, &l);
	int delayed = !m->body.len;
	*saved = c->oa;
	if (delayed) {
		sl = vox_sdp_oa_offer(&c->oa, &l, &ua->cfg.rng, ua->sdp_out, sizeof ua->sdp_out,
		                      &why);
	} else {
		sl = parse_body(ua, m);
		if (sl == 0)
			sl = vox_sdp_oa_answer(&c->oa, &l, &ua->sdp, &ua->cfg.rng, ua->sdp_out,
			                       sizeof ua->sdp_out, &s, &why);
	}
	int downgrade = !delayed && sl >= 0 && agreed_prot(c) != VOX_UA_PROT_NONE &&
	                prot_of(&s) == VOX_UA_PROT_NONE;
	if (sl < 0 || (downgrade && !ua->cfg.accept_downgrade)) {
		/* refused: the session, and our description, stay as they were
		 * (RFC 3264 8) */
		if (sl >= 0)
			vox_sdp_session_free(&s);
		ua_scrub(ua, sl, 0);
		c->oa = *saved;
		vox_wipe(saved, sizeof *saved);
		(void)!ua_respond(ua, txn, m, 488, none, NULL, 0, none, now);
		return;
	}
	char contact[VOX_UA_CONTACT_MAX];
	int cl = contact_of(ua, c, &c->peer, contact, sizeof contact);
	const struct vox_sip_hdr_out extra[] = {
	    {"Contact", vox_slice_make(contact, cl > 0 ? (size_t)cl : 0)}};
	rc = cl < 0 ? ua_respond(ua, txn, m, 500, none, NULL, 0, none, now)
	            : ua_respond(ua, txn, m, 200, none, extra, 1,
	                         vox_slice_make(ua->sdp_out, (size_t)sl), now);
	ua_scrub(ua, sl, (int)sizeof ua->build);
	if (cl < 0 || rc) {
		/* our 2xx could not be built (ua_respond sent 500 in its
		 * place): the re-INVITE failed, so nothing of it stays (14.2) */
		if (!delayed)
			vox_sdp_session_free(&s);
		c->oa = *saved;
		vox_wipe(saved, sizeof *saved);
		return;
	}
	vox_wipe(saved, sizeof *saved);
	c->ist = txn;
	c->delayed_offer = (uint8_t)delayed;
	start_2xx_timer(ua, c, c->dlg.remote_seq, now);
	if (!delayed) {
		take_media(ua, c, &s, 1, now);
		vox_sdp_session_free(&s);
		if (downgrade)
			call_event(ua, c, VOX_UA_EV_DOWNGRADE, 0, "the peer's offer drops SRTP");
		call_event(ua, c, VOX_UA_EV_MEDIA, 0, "re-INVITE");
	}
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
	if (!c || !c->ack_pending || cseq_of(m) != c->ack_cseq)
		return; /* no dialog, nothing awaited, or an ACK for another INVITE */
	c->ack_pending = 0;
	c->t_2xx = c->t_2xx_end = UA_NEVER;
	vox_sip_txl_acked(&ua->txl, c->ist); /* its 2xx goes no more: the bytes go back */
	ua_media_acked(ua, c, now);          /* the peer has our answer: our new key may go */
	if (c->delayed_offer) {
		/* our offer was in the 2xx: the ACK brings the answer (13.2.1) */
		const char *why = "";
		c->delayed_offer = 0;
		if (take_answer(ua, c, m, c->secure_path && ua->cur_secure, &why, now) != 0) {
			c->state = VOX_UA_CALL_UP;
			hang_up_dialog(ua, c, 488, why, 0, now);
			return;
		}
		if (c->state == VOX_UA_CALL_UP)
			call_event(ua, c, VOX_UA_EV_MEDIA, 0, "re-INVITE");
	}
	if (c->cancel_wanted) { /* the application hung up while we waited */
		c->state = VOX_UA_CALL_UP;
		hang_up_dialog(ua, c, 0, "hung up", 0, now);
		return;
	}
	if (c->state == VOX_UA_CALL_IN_ANSWERED) {
		c->state = VOX_UA_CALL_UP;
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
		/* 13.3.1.4: no ACK for 64*T1: the session ends with BYE */
		c->ack_pending = 0;
		vox_sip_txl_acked(&ua->txl, c->ist);
		c->state = VOX_UA_CALL_UP;
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
		if (c->ack_pending) {
			/* 14.1: not while an INVITE transaction of the other side
			 * is open: our 2xx still waits for its ACK */
			c->t_retry = now + ua->txl.timers.t1;
			return;
		}
		c->t_retry = UA_NEVER;
		if (c->state == VOX_UA_CALL_UP && send_reinvite(ua, c, 0, now) != 0)
			reinvite_failed(ua, c, 0);
	}
}
