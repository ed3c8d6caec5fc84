/* SPDX-License-Identifier: MIT */
/*
 * A call we place (RFC 3261 13.2): the initial INVITE and its repeats
 * (credentials, 22.2; RTP/SAVP after a 488), its provisional and final
 * responses, the early dialog, CANCEL (9.1), and the 2xx of a fork we do
 * not want (13.2.2.4).
 */
#include <string.h>

#include "ua/call_int.h"

static const struct vox_slice none = {NULL, 0};

/* From, To, Call-ID and CSeq of our initial INVITE: what the INVITE
 * itself and the facts the call keeps of it share, with the values
 * written into the struct. */
struct invite_ids {
	char from[64 + VOX_UA_STR + 32], to[VOX_UA_STR + 2], cseq[24];
	struct vox_sip_hdr_out h[4];
};

static int invite_ids(struct vox_ua *ua, const struct vox_ua_call *c, uint32_t cseq,
                      struct invite_ids *ids)
{
	struct vox_writer w;
	vox_writer_init(&w, ids->from, sizeof ids->from); /* and so the dialog's */
	if (ua->display[0]) {
		vox_writer_putc(&w, '"');
		vox_writer_puts(&w, ua->display);
		vox_writer_puts(&w, "\" ");
	}
	vox_writer_putc(&w, '<');
	vox_writer_puts(&w, call_aor(ua, c));
	vox_writer_puts(&w, ">;tag=");
	vox_writer_puts(&w, c->local_tag);
	int fl = vox_writer_finish(&w);
	vox_writer_init(&w, ids->to, sizeof ids->to);
	vox_writer_putc(&w, '<');
	vox_writer_puts(&w, c->remote_uri);
	vox_writer_putc(&w, '>');
	int tl = vox_writer_finish(&w);
	vox_writer_init(&w, ids->cseq, sizeof ids->cseq);
	vox_writer_put_u64(&w, cseq);
	vox_writer_puts(&w, " INVITE");
	int ql = vox_writer_finish(&w);
	if (fl < 0 || tl < 0 || ql < 0)
		return VOX_ENOSPC;
	ids->h[0] = (struct vox_sip_hdr_out){"From", vox_slice_make(ids->from, (size_t)fl)};
	ids->h[1] = (struct vox_sip_hdr_out){"To", vox_slice_make(ids->to, (size_t)tl)};
	ids->h[2] = (struct vox_sip_hdr_out){"Call-ID", vox_slice_cstr(c->call_id)};
	ids->h[3] = (struct vox_sip_hdr_out){"CSeq", vox_slice_make(ids->cseq, (size_t)ql)};
	return 0;
}

/* The INVITE we sent, as far as a dialog is made of it (12.1.2: its
 * Request-URI, From, Call-ID and CSeq), written again from what the call
 * keeps and parsed into ua->msg2: the call never reads the transaction's
 * copy. */
static int our_invite(struct vox_ua *ua, struct vox_ua_call *c, uint32_t cseq)
{
	struct invite_ids ids;
	int n = invite_ids(ua, c, cseq, &ids);
	if (n == 0)
		n = ua_build_request("INVITE", vox_slice_cstr(c->remote_uri), ids.h, 4,
		                     vox_slice_make(NULL, 0), ua->facts, sizeof ua->facts);
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
	struct invite_ids ids;
	int n = invite_ids(ua, c, c->invite_cseq, &ids);
	if (n < 0)
		return n;
	struct vox_sip_hdr_out h[10];
	size_t nh = 0;
	h[nh++] = (struct vox_sip_hdr_out){"Via", vox_slice_make(via, (size_t)vl)};
	h[nh++] = (struct vox_sip_hdr_out){"Max-Forwards", vox_slice_cstr("70")};
	for (size_t i = 0; i < 4; i++) /* From, To, Call-ID, CSeq */
		h[nh++] = ids.h[i];
	h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_make(contact, (size_t)cl)};
	h[nh++] = (struct vox_sip_hdr_out){"Allow", vox_slice_cstr(UA_ALLOW)};
	nh += ua_auth_agent(ua, auth_name, auth_value, h + nh);
	n = ua_build_request("INVITE", vox_slice_cstr(c->remote_uri), h, nh,
	                     vox_slice_make(ua->sdp_out, (size_t)sl), ua->build, sizeof ua->build);
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
	(void)ua_call_set(ua, c, VOX_UA_CALL_OUT_CALLING);
	c->last_1xx = 0;
	return send_invite(ua, c, auth_name, auth_value, now);
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
	send_ack(ua, c, d, cs.seq, now);
	if (bye_open(ua, c, d)) /* the fork's 2xx again: its BYE is on its way */
		return;
	int n = dialog_request(ua, c, d, "BYE", 0, NULL, NULL, 0, none, ua->build, sizeof ua->build,
	                       &to, NULL, now);
	if (n > 0 && ua_request(ua, ua->build, (size_t)n, &to, now, &bye) == 0) {
		c->fork_bye = bye;
		c->fork_key = fork_key(d);
	}
}

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
	(void)ua_call_set(ua, c, VOX_UA_CALL_OUT_CALLING);
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
	if (c->state == VOX_UA_CALL_OUT_CANCEL_WAIT && !c->invite_txn) {
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

/* We hung up before the answer: CANCEL sent, or waiting to be (9.1). */
static int hung_up(const struct vox_ua_call *c)
{
	return c->state == VOX_UA_CALL_OUT_CANCEL_WAIT || c->state == VOX_UA_CALL_CANCELLING ||
	       c->state == VOX_UA_CALL_ENDING;
}

int send_cancel(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	/* 9.1: the transaction builds it from the INVITE it still holds */
	int rc = vox_sip_txl_cancel(&ua->txl, c->invite_txn, now, &c->cancel_txn);
	if (rc)
		return rc;
	(void)ua_call_set(ua, c, VOX_UA_CALL_CANCELLING);
	c->t_giveup = now + 64ull * ua->txl.timers.t1;
	return 0;
}

void invite_2xx(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m, uint64_t now)
{
	const char *why = "";
	int rc = 0;
	if (c->dlg.state == VOX_DLG_CONFIRMED) {
		/* a retransmission of the 2xx we took, or another fork's */
		if (vox_sip_dialog_match(&c->dlg, m))
			send_ack(ua, c, &c->dlg, cseq_of(m), now);
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
	int ending = hung_up(c);
	if (!ending && m->body.len && c->oa.offer_pending)
		rc = take_answer(ua, c, m, c->secure_path, &why, now);
	else if (!ending && !c->have_media)
		rc = VOX_EMALFORMED, why = "2xx without an SDP answer";
	send_ack(ua, c, &c->dlg, c->invite_cseq, now);
	(void)ua_call_set(ua, c, VOX_UA_CALL_UP);
	if (ending || rc) {
		/* we hung up (our CANCEL crossed the 2xx, or came too early
		 * to send), or the answer is unacceptable: the call is up, so
		 * it ends with BYE (15) */
		hang_up_dialog(ua, c, rc ? 488 : 487, rc ? why : "cancelled", 0, now);
		return;
	}
	call_event(ua, c, VOX_UA_EV_ANSWERED, m->status, "");
}

void invite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
                     uint64_t now)
{
	unsigned s = m->status;
	const char *why = "";
	if (s < 200) {
		if (c->state == VOX_UA_CALL_CANCELLING || c->state == VOX_UA_CALL_ENDING)
			return;
		if (s > 100) {
			if (c->dlg.state == VOX_DLG_NONE && our_invite(ua, c, c->invite_cseq) == 0)
				(void)!vox_sip_dialog_uac(&c->dlg, &ua->msg2, m, c->secure_path);
			if (c->last_1xx != s) { /* a repeated 1xx is no news */
				call_event(ua, c, VOX_UA_EV_PROGRESS, s, "");
				c->last_1xx = (uint16_t)s;
			}
			if (m->body.len && c->oa.offer_pending && !hung_up(c) &&
			    take_answer(ua, c, m, c->secure_path, &why, now) == 0)
				call_event(ua, c, VOX_UA_EV_EARLY_MEDIA, s,
				           "answer in a provisional response");
		}
		/* 9.1: any provisional response lets a waiting CANCEL go (when
		 * it cannot, the next one tries again) */
		if (c->state == VOX_UA_CALL_OUT_CANCEL_WAIT)
			(void)send_cancel(ua, c, now);
		else
			(void)ua_call_set(ua, c, VOX_UA_CALL_OUT_EARLY);
		return;
	}
	if (s < 300) {
		invite_2xx(ua, c, m, now);
		return;
	}
	if ((s == 401 || s == 407) && !hung_up(c)) {
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
	if (s == 488 && !c->savp_retry && !hung_up(c) &&
	    ua->cfg.policy == VOX_SDP_POLICY_OPTIONAL && ua->cfg.n_suites &&
	    (c->secure_path || ua->cfg.allow_sdes_over_insecure_hops)) {
		c->savp_retry = 1;
		c->auth_tries = 0; /* a proxy may challenge the new INVITE */
		if (invite_again(ua, c, NULL, NULL, now) == 0)
			return;
	}
	/* a final answer to our own CANCEL (487) ends it from our side */
	int ours = hung_up(c);
	end_call(ua, c, s, ours ? "cancelled" : "call failed", !ours);
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
			send_ack(ua, c, &c->dlg, cs.seq,
			         now); /* 13.2.2.4: every 2xx gets its ACK */
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
