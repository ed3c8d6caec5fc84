/* SPDX-License-Identifier: MIT */
/*
 * A call's offer/answer (RFC 3264) and media policy
 * (docs/architecture.md, Security defaults): our description, when SDES
 * keys may travel, what protection a session gives, and the answer to
 * our offer, refused when it lowers the call's protection.
 */
#include <string.h>

#include "ua/call_int.h"

enum vox_ua_protection prot_of(const struct vox_sdp_session *s)
{
	return s->prot == VOX_SDP_PROT_SDES ? VOX_UA_PROT_SDES : VOX_UA_PROT_NONE;
}

/* The session agreed becomes the call's, and its media engine's.
 * hold_tx: we answered (a new send key of ours waits for the ACK). */
void take_media(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sdp_session *s,
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
enum vox_ua_protection agreed_prot(const struct vox_ua_call *c)
{
	return c->have_media && c->media.prot == VOX_SDP_PROT_SDES ? VOX_UA_PROT_SDES
	                                                           : VOX_UA_PROT_NONE;
}

/* ---- SDP ---------------------------------------------------------------------------- */

/* Our side of offer/answer. keys: may SDES keys travel with this message?
 * Only when every hop so far is TLS, unless the user opted out by name
 * (docs/architecture.md, Security defaults). RFC 3264 8.4: hold is sendonly,
 * or inactive when the peer already holds us. */
void local_sdp(const struct vox_ua *ua, const struct vox_ua_call *c, int keys, int hold,
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
void ua_scrub(struct vox_ua *ua, int sdp_len, int build_len)
{
	if (sdp_len > 0)
		vox_wipe(ua->sdp_out, (size_t)sdp_len);
	if (build_len > 0)
		vox_wipe(ua->build, (size_t)build_len);
}

int parse_body(struct vox_ua *ua, const struct vox_sip_msg *m)
{
	if (!m->body.len)
		return VOX_ENOTFOUND;
	int rc = vox_sdp_parse(m->body.p, m->body.len, &ua->sdp, NULL);
	return rc < 0 ? rc : 0;
}

/* The answer in a response to our offer; 0 when taken. */
int take_answer(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sip_msg *m, int keys,
                const char **why_text, uint64_t now)
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
