/* SPDX-License-Identifier: MIT */
/*
 * A call we receive (RFC 3261 13.3): the new INVITE and its offer,
 * ringing, the answer (a 2xx retransmitted until the ACK, 13.3.1.4) or a
 * refusal, and a merged request (8.2.2.2).
 */
#include <string.h>

#include "ua/call_int.h"

static const struct vox_slice none = {NULL, 0};

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

/* Our 2xx to the peer's INVITE is out: it waits for the ACK, which
 * brings the answer when the 2xx carried our offer (our_offer, 13.2.1). */
void start_2xx_timer(struct vox_ua *ua, struct vox_ua_call *c, uint32_t cseq, int our_offer,
                     uint64_t now)
{
	/* 13.3.1.4: the 2xx again at T1, 2T1, ... up to T2, until the ACK
	 * that carries the INVITE's CSeq number */
	(void)ua_uas_set(ua, c, our_offer ? VOX_UA_UAS_ACK_WAIT_ANSWER : VOX_UA_UAS_ACK_WAIT);
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
	int no_offer = c->uas == VOX_UA_UAS_NO_OFFER;
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
	if (no_offer) {
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
		if (rc && !no_offer)
			vox_sdp_session_free(&s);
	} else {
		rc = sl;
	}
	ua_scrub(ua, sl, no_offer ? 0 : ms->offer_len); /* our key; the peer's (the
	                                                           offer was read into build) */
	if (rc)                                         /* no description of ours went out */
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
	(void)ua_call_set(ua, c, VOX_UA_CALL_IN_ANSWERED);
	start_2xx_timer(ua, c, c->invite_cseq, no_offer, now);
	if (!no_offer) {
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

/* 487 for the INVITE we serve, its dialog ended by the peer (9.2, 15.1.2).
 * When an earlier response of ours still waits to be sent and the layer
 * has no room to keep both, the INVITE is given up instead: its
 * transaction would otherwise wait for ever (no timer before a final
 * response). */
void answer_487(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	if (respond_invite(ua, c, 487, NULL, 0, none, now) == VOX_ELIMIT)
		vox_sip_txl_abandon(&ua->txl, c->ist);
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

void new_invite(struct vox_ua *ua, vox_sip_txn_id txn, const struct vox_peer *from, uint64_t now)
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
	}
	(void)ua_uas_set(ua, c, m->body.len ? VOX_UA_UAS_OFFERED : VOX_UA_UAS_NO_OFFER);
	(void)ua_call_set(ua, c, VOX_UA_CALL_IN_INCOMING);
	call_event(ua, c, VOX_UA_EV_INCOMING, 0, "");
}
