/* SPDX-License-Identifier: MIT */
/*
 * A call's media: the UA drives one media engine (media/) per call slot
 * from the session offer/answer agreed (docs/ua.md, A call's media).
 *
 *   answer agreed (2xx, 1xx with SDP, ACK with SDP)   ua_media_apply: start
 *   re-INVITE agreed                                  ua_media_apply: update
 *   call ends, whatever ended it                      ua_media_end: BYE, free
 *
 * The engine's keys come through its one key source, vox_media_set_keys:
 * SDES keys from the negotiated struct vox_sdp_session now, ZRTP's later,
 * without this file or the RTP path knowing the difference. What the
 * engines report goes onto the UA's event queue with the call's handle.
 */
#include <string.h>

#include "ua/ua_int.h"

struct vox_ua_media *ua_media_of(struct vox_ua *ua, const struct vox_ua_call *c)
{
	return &ua->media[c - ua->calls];
}

int ua_media_local(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_ua_media_addr *m)
{
	/* RFC 3550 11: without rtcp-mux RTCP uses the next port up */
	if (!m || m->port == 0 || m->port == 65535 || m->addr.len > VOX_SDP_MAX_ADDR ||
	    (m->addr.len && !m->addr.p))
		return VOX_EINVAL;
	struct vox_ua_media *ms = ua_media_of(ua, c);
	struct vox_slice a = m->addr.len ? m->addr : vox_slice_cstr(ua->media_addr);
	if (a.len > VOX_SDP_MAX_ADDR)
		return VOX_EINVAL;
	memcpy(ms->addr, a.p, a.len);
	ms->addr[a.len] = 0;
	ms->port = m->port;
	return 0;
}

static enum vox_ua_protection prot_of_engine(const struct vox_media *m)
{
	switch (vox_media_prot(m)) {
	case VOX_MEDIA_PROT_SDES: return VOX_UA_PROT_SDES;
	case VOX_MEDIA_PROT_ZRTP:
#if VOX_MEDIA_ZRTP
		if (vox_media_zrtp_verified(m))
			return VOX_UA_PROT_ZRTP_VERIFIED;
#endif
		return VOX_UA_PROT_ZRTP_UNVERIFIED;
	case VOX_MEDIA_PROT_NONE: break;
	}
	return VOX_UA_PROT_NONE;
}

/* ---- events ------------------------------------------------------------------------ */

#if VOX_MEDIA_ZRTP
/* Why a ZRTP session failed, in words (static text). */
static const char *zrtp_why(const struct vox_media_event *me)
{
	if (me->zrtp.timeout)
		return "ZRTP did not complete in time (VOX_ZRTP_SETUP_MS): no keys for the media";
	if (me->zrtp.code == VOX_ZRTP_ERR_TIMEOUT)
		return "ZRTP: the peer stopped answering (or does not speak ZRTP)";
	if (me->zrtp.code == VOX_ZRTP_ERR_HELLO_MISMATCH)
		return "ZRTP: the peer's Hello is not the one its SDP announced (a=zrtp-hash)";
	return me->zrtp.by_peer ? "ZRTP: the peer ended the exchange with an Error"
	                        : "ZRTP: we ended the exchange with an Error";
}

/* The UA's event for a ZRTP event of the engine; SAS also says whether
 * the peer is new or its cache mismatches. */
static void zrtp_event(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_media_event *me)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	enum vox_ua_ev_type t;
	const char *why = vox_media_ev_name(me->type);
	switch (me->type) {
	case VOX_MEDIA_EV_ZRTP_SAS: t = VOX_UA_EV_ZRTP_SAS; break;
	case VOX_MEDIA_EV_ZRTP_SECURE: t = VOX_UA_EV_ZRTP_SECURE; break;
	case VOX_MEDIA_EV_ZRTP_HASH_MISMATCH: t = VOX_UA_EV_ZRTP_HASH_MISMATCH; break;
	case VOX_MEDIA_EV_ZRTP_PBX:
		t = VOX_UA_EV_ZRTP_PBX;
		why = "the peer is a trusted MitM (a PBX): the SAS is with the server, not the "
		      "person";
		break;
	default:
		t = VOX_UA_EV_ZRTP_FAILED;
		why = zrtp_why(me);
		/* 4.1 of the policy: under mandatory a call never runs clear;
		 * with no other keys it ends (at the next deadline: not from
		 * inside whatever is pumping the events now) */
		if (ua->cfg.policy == VOX_SDP_POLICY_MANDATORY &&
		    vox_media_prot(&ms->engine) == VOX_MEDIA_PROT_NONE)
			ms->zrtp_ended = why;
		break;
	}
	struct vox_ua_event *e = ua_event(ua, t);
	e->call = ua_call_handle(ua, c);
	e->prot = c->prot;
	e->reason = why;
	e->media = *me;
	if (t != VOX_UA_EV_ZRTP_SAS || me->zrtp.continuity == VOX_ZRTP_CONTINUES)
		return;
	int fresh = me->zrtp.continuity == VOX_ZRTP_NEW_PEER;
	e = ua_event(ua, fresh ? VOX_UA_EV_ZRTP_NEW_PEER : VOX_UA_EV_ZRTP_CACHE_MISMATCH);
	e->call = ua_call_handle(ua, c);
	e->prot = c->prot;
	e->reason = fresh ? "ZRTP: a peer never met before: compare the SAS"
	                  : "ZRTP: the peer's retained secrets do not match: compare the SAS, "
	                    "a MitM may be at work (RFC 6189 4.3.2)";
	e->media = *me;
}
#endif

static void pump_call(struct vox_ua *ua, struct vox_ua_call *c)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	struct vox_media_event me;
	if (ms->failed && !c->ended) {
		struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_MEDIA_FAILED);
		e->call = ua_call_handle(ua, c);
		e->reason = ms->failed;
		e->prot = c->prot;
	}
	ms->failed = NULL;
	/* ZRTP moves the protection in the middle of the media: the call
	 * says what the engine applies now */
	if (!c->ended && ms->engine.state != VOX_MEDIA_IDLE)
		c->prot = prot_of_engine(&ms->engine);
	while (vox_media_next_event(&ms->engine, &me)) {
		if (c->ended)
			continue; /* nothing follows ENDED */
#if VOX_MEDIA_ZRTP
		if (me.type >= VOX_MEDIA_EV_ZRTP_SAS) {
			zrtp_event(ua, c, &me);
			continue;
		}
#endif
		struct vox_ua_event *e = ua_event(ua, VOX_UA_EV_MEDIA_ENGINE);
		e->call = ua_call_handle(ua, c);
		e->prot = c->prot;
		e->reason = vox_media_ev_name(me.type);
		e->media = me;
	}
}

void ua_media_pump(struct vox_ua *ua)
{
	for (struct vox_ua_call *c = ua_live_first(ua); c; c = ua_live_next(ua, c))
		if (c->state != VOX_UA_CALL_FREE)
			pump_call(ua, c);
}

/* ---- the end ------------------------------------------------------------------------- */

/* The engine's remaining output (its RTCP BYE) into the UA's queue, for
 * the application to send after the call is gone. */
static void keep_last_packets(struct vox_ua *ua, struct vox_ua_call *c, struct vox_media *m)
{
	uint32_t spill[VOX_MEDIA_OUT_MAX / 4 + 1];
	/* a stopped engine holds its BYE, and a report or a packet at most */
	for (int tries = 0; tries < 4; tries++) {
		struct vox_ua_media_out *o = NULL;
		if (ua->mout_len < VOX_UA_MEDIA_OUTQ)
			o = &ua->mout[(ua->mout_head + ua->mout_len) % VOX_UA_MEDIA_OUTQ];
		uint8_t *buf = o ? (uint8_t *)o->data : (uint8_t *)spill;
		struct vox_media_dest to;
		int n = vox_media_poll_output(m, buf, sizeof spill, &to);
		if (n == 0)
			break;
		if (n < 0)
			continue; /* counted by the engine; the next */
		if (!o) {
			ua->dropped_media_out++; /* like a lost datagram */
			continue;
		}
		o->call = ua_call_handle(ua, c);
		o->to = to;
		o->len = (uint16_t)n;
		ua->mout_len++;
	}
	vox_wipe(spill, sizeof spill);
}

/* Stops the engine (RFC 3550 6.6: an RTCP BYE), keeps its last packets
 * and frees it: libsrtp2's contexts go back, every key is wiped. */
static void engine_end(struct vox_ua *ua, struct vox_ua_call *c)
{
	struct vox_media *m = &ua_media_of(ua, c)->engine;
	if (m->state == VOX_MEDIA_IDLE) {
#if VOX_MEDIA_ZRTP
		if (m->zrtp_on) { /* started for our SDP, the media never ran */
			vox_media_free(m);
			vox_media_init(m);
		}
#endif
		return;
	}
	pump_call(ua, c);
	if (vox_media_stop(m, m->now) == 0)
		keep_last_packets(ua, c, m);
	vox_media_free(m);
	vox_media_init(m);
	c->prot = VOX_UA_PROT_NONE;
}

void ua_media_end(struct vox_ua *ua, struct vox_ua_call *c)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	engine_end(ua, c);
	pump_call(ua, c);                            /* a failure still unreported */
	vox_sip_arena_drop(&ua->txl, &ms->offer_at); /* wiped */
	ms->offer_len = 0;
#if VOX_MEDIA_ZRTP
	ms->zrtp_hash[0] = 0;
	ms->zrtp_ended = NULL;
#endif
	ms->tx_at_ack = 0;
	vox_wipe(&ms->tx_next, sizeof ms->tx_next);
}

/* ---- the session into the engine --------------------------------------------------- */

#if VOX_WITH_SRTP
/* The same suite, MKI, key and salt, without a data-dependent branch on
 * the secret parts. */
static int same_key(const struct vox_srtp_key *a, const struct vox_srtp_key *b)
{
	if (a->suite != b->suite || a->mki_len != b->mki_len ||
	    memcmp(a->mki, b->mki, sizeof a->mki) != 0)
		return 0;
	uint8_t d = 0;
	for (size_t i = 0; i < sizeof a->key; i++)
		d |= (uint8_t)(a->key[i] ^ b->key[i]);
	for (size_t i = 0; i < sizeof a->salt; i++)
		d |= (uint8_t)(a->salt[i] ^ b->salt[i]);
	return d == 0;
}
#endif

/* The engine runs these keys already (a hold, a resume, a refresh): it
 * is told nothing, so that it reports no protection change. */
static int keys_unchanged(const struct vox_media *m, const struct vox_media_keys *k)
{
#if VOX_WITH_SRTP
	if (k->source == VOX_MEDIA_PROT_NONE)
		return m->prot == VOX_MEDIA_PROT_NONE;
	return m->have_keys && m->prot == k->source && m->keys.source == k->source &&
	       same_key(&m->keys.tx, &k->tx) && same_key(&m->keys.rx, &k->rx);
#else
	(void)m;
	return k->source == VOX_MEDIA_PROT_NONE;
#endif
}

static const char *why_not(int rc)
{
	switch (rc) {
	case VOX_EINVAL:
		return "the media engine cannot run the session agreed (packet time, payload "
		       "type or address)";
	case VOX_EPOLICY: return "the media policy refuses the keys agreed";
	case VOX_EUNSUPPORTED: return "the installed libsrtp2 lacks the SRTP suite agreed";
	case VOX_ERNG: return "no randomness for the media engine (the rng failed)";
	default: return "libsrtp2 could not set up the keys agreed";
	}
}

/* The engine's configuration for session s. Returns NULL, or why the
 * engine cannot be given it. */
static const char *config_of(const struct vox_ua *ua, const struct vox_ua_call *c,
                             const struct vox_sdp_session *s, struct vox_media_config *cfg)
{
	/* RFC 8866 5.7 allows a host name in c=; resolving it is transport/'s,
	 * a later step: until then media does not start, and says why */
	if (!s->remote_rtp.family)
		return "the peer's media address is a host name: vox does not resolve names "
		       "yet, so media does not start";
	if (!s->rtcp_mux && !s->remote_rtcp.family)
		return "the peer's RTCP address is a host name: vox does not resolve names "
		       "yet, so media does not start";
	/* RFC 7022: a CNAME of our own per call; our dialog tag is random */
	vox_media_config_init(cfg, &s->remote_rtp, vox_slice_cstr(c->local_tag));
	cfg->pt = (uint8_t)s->send_pt;
	cfg->law = VOX_G711_ULAW;
	for (unsigned i = 0; i < s->n_pts; i++)
		if (s->pts[i].pt == s->send_pt && s->pts[i].codec == VOX_SDP_CODEC_PCMA)
			cfg->law = VOX_G711_ALAW;
	cfg->rx_ptime_ms = s->remote_ptime;
	cfg->dtmf_pt = s->tel_event_pt >= 0 ? (uint8_t)s->tel_event_pt : 0;
	cfg->dir = (enum vox_media_dir)s->dir; /* the same bits (vox/media.h) */
	cfg->rtcp_mux = s->rtcp_mux;
	if (!s->rtcp_mux)
		cfg->remote_rtcp = s->remote_rtcp;
	cfg->require = (enum vox_media_require)ua->cfg.policy;
	cfg->silence_ms = ua->cfg.media_silence_ms;
	return NULL;
}

void ua_media_apply(struct vox_ua *ua, struct vox_ua_call *c, const struct vox_sdp_session *s,
                    int hold_tx, uint64_t now)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	struct vox_media *m = &ms->engine;
	struct vox_media_config cfg;
	struct vox_media_keys k;
	if (c->ended)
		return; /* a session that ended has no media, whatever comes late */
	const char *why = config_of(ua, c, s, &cfg);
	memset(&k, 0, sizeof k);
	if (!why && s->prot == VOX_SDP_PROT_SDES) {
		/* the one key source: SDES now, ZRTP later (vox/media.h) */
		k.source = VOX_MEDIA_PROT_SDES;
		k.tx = s->tx;
		k.rx = s->rx[0]; /* the engine holds one receive key (no MKI choice) */
	}
	ms->tx_at_ack = 0;
	vox_wipe(&ms->tx_next, sizeof ms->tx_next);
#if VOX_WITH_SRTP
	/* RFC 4568 7.1.4 re-key, we answered: the peer learns our new key
	 * from the 2xx, and knows it for sure at the ACK; until then it could
	 * not decrypt what we send under it, so we send under the old one */
	if (hold_tx && k.source != VOX_MEDIA_PROT_NONE && m->state != VOX_MEDIA_IDLE &&
	    m->have_keys && m->keys.source == k.source && !same_key(&m->keys.tx, &k.tx)) {
		ms->tx_next = k.tx; /* kept until the ACK, the one copy beside the engine's */
		k.tx = m->keys.tx;
		ms->tx_at_ack = 1;
	}
#else
	(void)hold_tx;
#endif
	int rc = 0;
	if (!why && m->state == VOX_MEDIA_IDLE) {
		rc = vox_media_set_keys(m, &k, now);
		if (rc == 0)
			rc = vox_media_start(m, &cfg, &ua->cfg.rng, now);
	} else if (!why) {
		rc = vox_media_update(m, &cfg, now);
		/* ZRTP's keys, once in use, stay: they came in the media path,
		 * end to end, and no SDP (a re-INVITE without keys, or with
		 * SDES keys) lowers or replaces them (RFC 6189 4.7.2: only
		 * GoClear could, which vox refuses) */
		if (rc == 0 && vox_media_prot(m) != VOX_MEDIA_PROT_ZRTP && !keys_unchanged(m, &k))
			rc = vox_media_set_keys(m, &k, now);
	}
#if VOX_MEDIA_ZRTP
	/* RFC 6189 8.1: the Hello the peer's SDP announced */
	if (!why && rc == 0 && s->has_remote_zrtp_hash && m->zrtp_on)
		(void)!vox_media_zrtp_expect_hash(m, s->remote_zrtp_hash);
#endif
	vox_wipe(&k, sizeof k);
	if (!why && rc < 0)
		why = why_not(rc);
	if (why) {
		/* no media rather than media the session does not describe */
		engine_end(ua, c);
		ms->tx_at_ack = 0;
		vox_wipe(&ms->tx_next, sizeof ms->tx_next);
		ms->failed = why;
	}
	c->prot = prot_of_engine(m);
}

void ua_media_acked(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	struct vox_media *m = &ms->engine;
	if (!ms->tx_at_ack)
		return;
	ms->tx_at_ack = 0;
#if VOX_WITH_SRTP
	/* the send key that waited for the ACK takes over; the receive key
	 * stays as it is */
	if (m->state != VOX_MEDIA_IDLE && m->have_keys) {
		struct vox_media_keys k = m->keys;
		k.tx = ms->tx_next;
		int rc = vox_media_set_keys(m, &k, now);
		vox_wipe(&k, sizeof k);
		if (rc < 0) {
			engine_end(ua, c);
			ms->failed = why_not(rc);
		}
		c->prot = prot_of_engine(m);
	}
#else
	(void)m;
	(void)now;
#endif
	vox_wipe(&ms->tx_next, sizeof ms->tx_next);
}
/* ---- time ------------------------------------------------------------------------------ */

void ua_media_deadline(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	struct vox_media *m = &ms->engine;
#if VOX_MEDIA_ZRTP
	if (ms->zrtp_ended) {
		const char *why = ms->zrtp_ended;
		ms->zrtp_ended = NULL;
		if (c->state != VOX_UA_CALL_FREE && !c->ended) {
			ua_call_end_insecure(ua, c, why, now);
			return;
		}
	}
#endif
	if (vox_media_next_deadline(m) > now || vox_media_on_deadline(m, now) == 0)
		return;
	/* VOX_ERNG: without randomness the RTCP timer cannot move on (RFC
	 * 3550 6.3); no media rather than a timer due for ever */
	engine_end(ua, c);
	ms->failed = why_not(VOX_ERNG);
}

/* ---- the application's side ----------------------------------------------------------- */

/* The running engine of a live call, or NULL with *rc set. */
static struct vox_media *engine_of(struct vox_ua *ua, vox_ua_handle h, struct vox_ua_call **cp,
                                   int *rc)
{
	struct vox_ua_call *c = ua_call(ua, h);
	if (!c || c->ended) {
		*rc = VOX_ENOTFOUND;
		return NULL;
	}
	struct vox_media *m = &ua_media_of(ua, c)->engine;
	if (m->state == VOX_MEDIA_IDLE) {
		*rc = VOX_ESTATE;
		return NULL;
	}
	*cp = c;
	return m;
}

static int media_recv_now(struct vox_ua *ua, vox_ua_handle call, const uint8_t *buf, size_t len,
                          const struct vox_addr *from, uint64_t now)
{
	struct vox_ua_call *c;
	int rc = VOX_ENOTFOUND; /* (set by engine_of; gcc cannot tell at every size) */
	struct vox_media *m = engine_of(ua, call, &c, &rc);
	if (!m)
		return rc;
	rc = vox_media_recv(m, buf, len, from, now);
	pump_call(ua, c);
	return rc;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_media_recv(struct vox_ua *ua, vox_ua_handle call, const uint8_t *buf, size_t len,
                      const struct vox_addr *from, uint64_t now)
{
	int rc = media_recv_now(ua, call, buf, len, from, now);
	ua_settle(ua);
	return rc;
}

static int send_pcm_now(struct vox_ua *ua, vox_ua_handle call, const int16_t *pcm, size_t n,
                        uint64_t now)
{
	struct vox_ua_call *c;
	int rc = VOX_ENOTFOUND; /* (set by engine_of; gcc cannot tell at every size) */
	struct vox_media *m = engine_of(ua, call, &c, &rc);
	if (!m)
		return rc;
	rc = vox_media_send_pcm(m, pcm, n, now);
	pump_call(ua, c);
	return rc;
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_send_pcm(struct vox_ua *ua, vox_ua_handle call, const int16_t *pcm, size_t n,
                    uint64_t now)
{
	int rc = send_pcm_now(ua, call, pcm, n, now);
	ua_settle(ua);
	return rc;
}

static int play_now(struct vox_ua *ua, vox_ua_handle call, int16_t *pcm, size_t cap, uint64_t now)
{
	struct vox_ua_call *c;
	int rc = VOX_ENOTFOUND; /* (set by engine_of; gcc cannot tell at every size) */
	struct vox_media *m = engine_of(ua, call, &c, &rc);
	if (!m)
		return rc;
	return vox_media_play(m, pcm, cap, now);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_play(struct vox_ua *ua, vox_ua_handle call, int16_t *pcm, size_t cap, uint64_t now)
{
	int rc = play_now(ua, call, pcm, cap, now);
	ua_settle(ua);
	return rc;
}

static int send_dtmf_now(struct vox_ua *ua, vox_ua_handle call, char digit, uint32_t duration_ms,
                         uint64_t now)
{
	struct vox_ua_call *c;
	int rc = VOX_ENOTFOUND; /* (set by engine_of; gcc cannot tell at every size) */
	struct vox_media *m = engine_of(ua, call, &c, &rc);
	if (!m)
		return rc;
	return vox_media_send_dtmf(m, digit, duration_ms, now);
}

/* The public entry: every call it touched gets its deadline again. */
int vox_ua_send_dtmf(struct vox_ua *ua, vox_ua_handle call, char digit, uint32_t duration_ms,
                     uint64_t now)
{
	int rc = send_dtmf_now(ua, call, digit, duration_ms, now);
	ua_settle(ua);
	return rc;
}

int vox_ua_media_poll_output(struct vox_ua *ua, uint8_t *buf, size_t cap, vox_ua_handle *call,
                             struct vox_media_dest *to)
{
	if (cap < VOX_MEDIA_OUT_MAX)
		return VOX_ENOSPC;
	if ((uintptr_t)buf % 4)
		return VOX_EINVAL;
	if (ua->mout_len) {
		struct vox_ua_media_out *o = &ua->mout[ua->mout_head];
		memcpy(buf, o->data, o->len);
		*call = o->call;
		*to = o->to;
		int n = o->len;
		vox_wipe(o, sizeof *o);
		ua->mout_head = (uint16_t)((ua->mout_head + 1) % VOX_UA_MEDIA_OUTQ);
		ua->mout_len--;
		return n;
	}
	/* one packet per call in turn, so that no call waits behind another:
	 * the live calls from the one after the last that sent */
	struct vox_ua_call *start = NULL;
	if (ua->mpoll && ua->mpoll <= VOX_UA_MAX_CALLS &&
	    ua->calls[ua->mpoll - 1].state != VOX_UA_CALL_FREE)
		start = &ua->calls[ua->mpoll - 1];
	if (!start)
		start = ua_live_first(ua);
	for (struct vox_ua_call *c = start; c;) {
		struct vox_media *m = &ua_media_of(ua, c)->engine;
		if (!c->ended && m->state != VOX_MEDIA_IDLE) {
			/* a packet lost to a build or protect failure is counted
			 * there: the next one; an engine holds at most three
			 * (RTCP, DTMF, audio) */
			int n = 0;
			for (int tries = 0;
			     tries < 3 && (n = vox_media_poll_output(m, buf, cap, to)) < 0; tries++)
				;
			pump_call(ua, c); /* a key near or at its end of life says so */
			ua_touch(ua, c);  /* its engine's timers may have moved */
			if (n > 0) {
				struct vox_ua_call *next = ua_live_next(ua, c);
				*call = ua_call_handle(ua, c);
				ua->mpoll = next ? (uint16_t)(next - ua->calls + 1) : 0;
				ua_settle(ua);
				return n;
			}
		}
		c = ua_live_next(ua, c);
		if (!c && start != ua_live_first(ua)) /* wrap once, up to where we began */
			c = ua_live_first(ua);
		if (c == start)
			break;
	}
	ua_settle(ua);
	return 0;
}

#if VOX_MEDIA_ZRTP
int ua_media_zrtp_begin(struct vox_ua *ua, struct vox_ua_call *c, uint64_t now)
{
	struct vox_ua_media *ms = ua_media_of(ua, c);
	if (!(ua->cfg.key_methods & VOX_SDP_KEY_ZRTP) || ua->cfg.policy == VOX_SDP_POLICY_OFF ||
	    ms->engine.zrtp_on)
		return 0;
	struct vox_zrtp_config zc;
	vox_zrtp_config_default(&zc);
	memcpy(zc.zid, ua->cfg.zrtp_zid, sizeof zc.zid);
	zc.store = ua->cfg.zrtp_store;
	uint32_t t = ua->cfg.zrtp_timeout_ms ? ua->cfg.zrtp_timeout_ms : VOX_ZRTP_SETUP_MS;
	int rc = vox_media_zrtp_start(&ms->engine, &zc, &ua->cfg.rng, t, now);
	if (rc == 0 &&
	    vox_media_zrtp_own_hash(&ms->engine, ms->zrtp_hash, sizeof ms->zrtp_hash) != 64)
		rc = VOX_ESTATE; /* not reached: a started session has its Hello */
	if (rc < 0) {
		vox_media_free(&ms->engine);
		vox_media_init(&ms->engine);
		ms->zrtp_hash[0] = 0;
	}
	return rc;
}

int vox_ua_zrtp_verify(struct vox_ua *ua, vox_ua_handle call, int verified)
{
	struct vox_ua_call *c = ua_call(ua, call);
	if (!c || c->ended)
		return VOX_ENOTFOUND;
	struct vox_media *m = &ua_media_of(ua, c)->engine;
	if (m->state == VOX_MEDIA_IDLE || vox_media_prot(m) != VOX_MEDIA_PROT_ZRTP)
		return VOX_ESTATE;
	int rc = vox_media_zrtp_set_verified(m, verified);
	c->prot = prot_of_engine(m);
	return rc;
}
#endif

const struct vox_media *vox_ua_media_get(const struct vox_ua *ua, vox_ua_handle call)
{
	const struct vox_ua_call *c = vox_ua_call_get(ua, call);
	return c ? &ua->media[c - ua->calls].engine : NULL;
}
