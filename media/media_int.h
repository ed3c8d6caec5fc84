/* SPDX-License-Identifier: MIT */
/* Internal to media/ (not installed): what the engine's files share.
 *   engine.c  life cycle, configuration, states, events, timers
 *   keys.c    the key source: SRTP/SRTCP contexts, protect and unprotect
 *   rx.c      one datagram in (demux, checks, SRTP, RTP session, jitter
 *             buffer or DTMF), one frame out to play
 *   tx.c      PCM and DTMF in, one packet out to send */
#ifndef VOX_MEDIA_INT_H
#define VOX_MEDIA_INT_H

#include <string.h>

#include "core/core_int.h"
#include "vox/media.h"

/* Tags the RTP session uses to tell transport addresses apart (RFC 3550
 * 8.2). Only the peer's configured addresses get that far, so one tag per
 * kind is enough, and a re-targeted peer keeps its sources. */
#define MEDIA_FROM_RTP  1
#define MEDIA_FROM_RTCP 2

/* The latest time an input brought: time never runs backwards inside. */
static inline uint64_t vox_media_tick(struct vox_media *m, uint64_t now)
{
	if (now > m->now)
		m->now = now;
	return m->now;
}

/* Under MANDATORY without keys no media leaves and none is taken (ZRTP,
 * which carries none, does). */
static inline int vox_media_blocked(const struct vox_media *m)
{
	return m->cfg.require == VOX_MEDIA_REQUIRE_MANDATORY && m->prot == VOX_MEDIA_PROT_NONE;
}

static inline int vox_media_addr_eq(const struct vox_addr *a, const struct vox_addr *b)
{
	size_t n = a->family == 6 ? 16 : 4;
	return a->family == b->family && a->port == b->port && memcmp(a->ip, b->ip, n) == 0;
}

static inline uint32_t vox_media_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* engine.c */
void vox_media_push_event(struct vox_media *m, const struct vox_media_event *ev);
/* Moves between WAITING and FLOWING as policy and keys say, with the
 * events that go with it; keys_changed adds VOX_MEDIA_EV_PROTECTION. */
void vox_media_settle(struct vox_media *m, int keys_changed);
/* Drops what waits to be sent: the audio packet, DTMF in progress and queued. */
void vox_media_drop_tx(struct vox_media *m);
/* Forwards the RTP session's and the DTMF receiver's events. */
void vox_media_pump_rtp(struct vox_media *m);
void vox_media_pump_dtmf(struct vox_media *m);

/* keys.c */
/* Creates the contexts for keys set before start. Returns 0 or an error
 * of vox_srtp_session_start. */
int vox_media_keys_start(struct vox_media *m);
/* Frees every context and wipes the keys. */
void vox_media_keys_free(struct vox_media *m);
/* SRTP or SRTCP in[0..len) to m's scratch; *out points at the result.
 * Returns its length or the error (counted, with an event). */
int vox_media_unprotect(struct vox_media *m, const uint8_t *in, size_t len, int rtcp,
                        const uint8_t **out);
/* Protects buf[0..len) in place (cap bytes). Returns the new length or
 * the error. */
int vox_media_protect(struct vox_media *m, uint8_t *buf, size_t len, size_t cap, int rtcp);
/* Frees the previous receive key once its grace is over. */
void vox_media_keys_on_deadline(struct vox_media *m, uint64_t now);
uint64_t vox_media_keys_deadline(const struct vox_media *m);

#if VOX_MEDIA_ZRTP
/* zrtp.c */
/* A ZRTP datagram from *from: to the session, when one runs (0, or
 * VOX_ENOTFOUND from another address than the peer's RTP one, counted in
 * bad_source); else VOX_DEMUX_ZRTP, handed back. */
int vox_media_zrtp_recv(struct vox_media *m, const uint8_t *buf, size_t len,
                        const struct vox_addr *from);
/* The session's next packet into buf (its length, 0, or VOX_ENOSPC). */
int vox_media_zrtp_poll(struct vox_media *m, uint8_t *buf, size_t cap, struct vox_media_dest *to);
uint64_t vox_media_zrtp_deadline(const struct vox_media *m);
void vox_media_zrtp_on_deadline(struct vox_media *m, uint64_t now);
/* The engine started (vox_media_start): the session's SSRC and setup
 * watch. */
void vox_media_zrtp_started(struct vox_media *m, uint64_t now);
/* Wipes the session. */
void vox_media_zrtp_free(struct vox_media *m);
#endif

#endif
