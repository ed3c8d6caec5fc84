/* SPDX-License-Identifier: MIT */
/*
 * re-INVITE (RFC 3261 14): ours for hold, resume and new SDES keys, and
 * the peer's; glare answered with 491 and our own retried after the
 * random delay of 14.1.
 */
#include <string.h>

#include "ua/call_int.h"

static const struct vox_slice none = {NULL, 0};

/* re-INVITE with an offer for hold (sendonly) or resume (sendrecv), with
 * new SDES keys when rekey is set; cseq 0: the next CSeq, else that of the
 * re-INVITE it repeats (RFC 3263 4.3). The offer/answer state is kept as
 * it was when the request cannot go out. When the first hop's name is
 * asked for, the re-INVITE waits for the answer (REINVITING, c->dwait,
 * ua_call_dialog_hop): 0 all the same. */
int send_reinvite(struct vox_ua *ua, struct vox_ua_call *c, int rekey, uint32_t cseq, uint64_t now)
{
	struct vox_sdp_oa *saved = &ua->oa_saved;
	uint32_t seq = c->dlg.local_seq;
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	struct vox_peer to;
	struct vox_ua_hop hop;
	int rc = dialog_hop(ua, c, &c->dlg, &to, &hop, now);
	if (rc == UA_EWAIT) {
		(void)ua_uac_set(ua, c, VOX_UA_UAC_REINVITING);
		c->invite_txn = 0;
		c->dhop = hop;
		c->dwait = rekey ? UA_DWAIT_REKEY : UA_DWAIT_REINVITE;
		return 0;
	}
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
	               : dialog_request(ua, c, &c->dlg, "INVITE", cseq, NULL, NULL, 0,
	                                vox_slice_make(ua->sdp_out, (size_t)sl), ua->build,
	                                sizeof ua->build, &to, NULL, now);
	rc = n < 0 ? n : ua_request(ua, ua->build, (size_t)n, &to, now, &c->invite_txn);
	ua_scrub(ua, sl, n);
	if (rc) {
		c->oa = *saved; /* and the CSeq number stays free (12.2.1.1) */
		c->dlg.local_seq = seq;
	}
	vox_wipe(saved, sizeof *saved);
	if (rc)
		return rc;
	c->invite_cseq = cseq ? cseq : c->dlg.local_seq;
	c->dhop = hop;
	c->dwait = UA_DWAIT_NONE;
	(void)ua_uac_set(ua, c, VOX_UA_UAC_REINVITING);
	vox_sip_arena_drop(&ua->txl, &c->cred_at); /* for the first INVITE's ACK only */
	c->cred_len = 0;
	c->branch[0] = 0; /* a new ACK for this INVITE */
	return 0;
}

/* Our re-INVITE did not go through: the session stays as it was (RFC
 * 3264 8), and so does what we asked for. */
void reinvite_failed(struct vox_ua *ua, struct vox_ua_call *c, unsigned status)
{
	(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
	c->hold_want = c->hold;
	c->oa.offer_pending = 0;
	call_event(ua, c, VOX_UA_EV_MEDIA, status, "re-INVITE refused: media unchanged");
}

static int hold_now(struct vox_ua *ua, vox_ua_handle h, int hold, uint64_t now)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c)
		return VOX_ENOTFOUND;
	if (c->state != VOX_UA_CALL_UP || c->uac != VOX_UA_UAC_IDLE || ua_ack_awaited(c))
		return VOX_ESTATE;
	c->hold_want = hold ? 1 : 0;
	c->glare = 0;
	int rc = send_reinvite(ua, c, 0, 0, now);
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
	if (c->state != VOX_UA_CALL_UP || c->uac != VOX_UA_UAC_IDLE || ua_ack_awaited(c))
		return VOX_ESTATE;
	if (agreed_prot(c) != VOX_UA_PROT_SDES)
		return VOX_EPOLICY; /* no SDES keys to renew */
	c->hold_want = c->hold;     /* the same session, new keys */
	c->glare = 0;
	return send_reinvite(ua, c, 1, 0, now);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_rekey(struct vox_ua *ua, vox_ua_handle h, uint64_t now)
{
	int rc = rekey_now(ua, h, now);
	ua_settle(ua);
	return rc;
}

void reinvite_response(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m,
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
		int keys = c->secure_path && dialog_hop(ua, c, &c->dlg, &to, NULL, now) == 0 &&
		           ua_hop_secure(&to);
		int rc = m->body.len ? take_answer(ua, c, m, keys, &why, now) : VOX_EMALFORMED;
		send_ack(ua, c, &c->dlg, c->invite_cseq, now);
		(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
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
		(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
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
		(void)ua_uac_set(ua, c, VOX_UA_UAC_GLARE_WAIT);
		c->oa.offer_pending = 0;
		c->glare++;
		c->t_retry = now + delay;
		return;
	}
	if (s == 481 || s == 408) { /* 14.1: the dialog is gone */
		(void)ua_uac_set(ua, c, VOX_UA_UAC_IDLE);
		hang_up_dialog(ua, c, s, "re-INVITE failed", 1, now);
		return;
	}
	reinvite_failed(ua, c, s); /* any other refusal leaves the session as it was */
}

void reinvite(struct vox_ua *ua, struct vox_ua_call *c, vox_sip_txn_id txn, uint64_t now)
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
	if (c->uac == VOX_UA_UAC_REINVITING) { /* 14.2: glare */
		(void)!ua_respond(ua, txn, m, 491, none, NULL, 0, none, now);
		return;
	}
	if (c->state != VOX_UA_CALL_UP || ua_ack_awaited(c)) {
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
	start_2xx_timer(ua, c, c->dlg.remote_seq, delayed, now);
	if (!delayed) {
		take_media(ua, c, &s, 1, now);
		vox_sdp_session_free(&s);
		if (downgrade)
			call_event(ua, c, VOX_UA_EV_DOWNGRADE, 0, "the peer's offer drops SRTP");
		call_event(ua, c, VOX_UA_EV_MEDIA, 0, "re-INVITE");
	}
}
