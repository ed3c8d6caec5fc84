/* SPDX-License-Identifier: MIT */
/* Jitter buffer: holds received frames in slots indexed by extended
 * sequence number and plays each at anchor_ms + (ts - anchor_ts), where the
 * anchor is set when a talkspurt starts: its first packet's arrival plus the
 * current delay target. The target follows the interarrival jitter (RFC 3550
 * A.8's estimator, in ms) between the configured bounds; it takes effect at
 * the next talkspurt, and a delay that has become too long is shortened
 * during speech by dropping one frame at a time. Time is passed in. */
#include <string.h>

#include "rtp/rtp_int.h"

#define JITTER_FACTOR 3  /* target = 3 x jitter estimate, within the bounds */
#define SHRINK_WINDOW 50 /* gets between checks whether the delay can shrink */

void vox_jb_init(struct vox_jb *jb)
{
	memset(jb, 0, sizeof *jb);
	jb->state = VOX_JB_IDLE;
}

int vox_jb_configure(struct vox_jb *jb, const struct vox_jb_params *p)
{
	if (p->clock_rate == 0 || p->frame_ms == 0 || p->min_delay_ms > p->max_delay_ms)
		return VOX_EINVAL;
	uint64_t units = (uint64_t)p->clock_rate * p->frame_ms / 1000;
	if (units == 0 || units > 0xffffu)
		return VOX_EINVAL;
	/* The slots must hold the longest delay plus the frame playing. */
	if ((uint64_t)p->max_delay_ms > (uint64_t)(VOX_JB_SLOTS - 1) * p->frame_ms)
		return VOX_EINVAL;
	vox_jb_init(jb);
	jb->p = *p;
	jb->frame_units = (uint32_t)units;
	jb->target_ms = p->min_delay_ms;
	jb->min_held = ~0u;
	jb->configured = 1;
	return 0;
}

uint32_t vox_jb_target_ms(const struct vox_jb *jb)
{
	return jb->target_ms;
}

static int win_seen(const struct vox_jb *jb, uint32_t ext)
{
	if (!jb->win_init || ext > jb->win_top)
		return 0;
	uint32_t d = jb->win_top - ext;
	return d < 64 && ((jb->win_bits >> d) & 1);
}

static void win_mark(struct vox_jb *jb, uint32_t ext)
{
	if (!jb->win_init) {
		jb->win_init = 1;
		jb->win_top = ext;
		jb->win_bits = 1;
	} else if (ext > jb->win_top) {
		uint32_t shift = ext - jb->win_top;
		jb->win_bits = shift >= 64 ? 0 : jb->win_bits << shift;
		jb->win_bits |= 1;
		jb->win_top = ext;
	} else if (jb->win_top - ext < 64) {
		jb->win_bits |= (uint64_t)1 << (jb->win_top - ext);
	}
}

static void update_target(struct vox_jb *jb, uint32_t ts, uint64_t now)
{
	/* A.8 with the arrival clock in timestamp units. */
	uint32_t arrival = (uint32_t)(now * jb->p.clock_rate / 1000);
	uint32_t transit = arrival - ts;
	if (jb->have_transit) {
		int32_t d = (int32_t)(transit - jb->transit);
		uint32_t ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
		int64_t j = (int64_t)jb->jitter16 + ad - (((int64_t)jb->jitter16 + 8) >> 4);
		jb->jitter16 = j < 0 ? 0 : (j > (int64_t)UINT32_MAX ? UINT32_MAX : (uint32_t)j);
	}
	jb->transit = transit;
	jb->have_transit = 1;
	uint64_t jms = (uint64_t)(jb->jitter16 >> 4) * 1000 / jb->p.clock_rate;
	uint64_t t = JITTER_FACTOR * jms;
	if (t < jb->p.min_delay_ms)
		t = jb->p.min_delay_ms;
	if (t > jb->p.max_delay_ms)
		t = jb->p.max_delay_ms;
	jb->target_ms = (uint32_t)t;
}

static void flush(struct vox_jb *jb)
{
	for (unsigned i = 0; i < VOX_JB_SLOTS; i++)
		jb->slot[i].used = 0;
	jb->held = 0;
}

static void anchor(struct vox_jb *jb, uint32_t ext, uint32_t ts, uint64_t now)
{
	jb->state = VOX_JB_PLAYING;
	jb->started = 0;
	jb->next_seq = ext;
	jb->play_ts = ts;
	jb->anchor_ts = ts;
	jb->anchor_ms = now + jb->target_ms;
	jb->delay_ms = jb->target_ms;
	jb->min_held = ~0u;
	jb->window_gets = 0;
	jb->st.resync++;
}

/* When the frame with timestamp ts is due (signed offset from the anchor;
 * a time before 0 is 0). */
static uint64_t due_ms(const struct vox_jb *jb, uint32_t ts)
{
	int64_t off = (int64_t)(int32_t)(ts - jb->anchor_ts) * 1000 / jb->p.clock_rate;
	if (off < 0 && (uint64_t)-off > jb->anchor_ms)
		return 0;
	return (uint64_t)((int64_t)jb->anchor_ms + off);
}

/* Before playout has begun, a packet that overtook an earlier one may move
 * the start back, if every frame held still fits in the slots and nothing
 * at or after it went out already (frames leave in sequence order). */
static int can_move_back(const struct vox_jb *jb, uint32_t ext)
{
	if (jb->state != VOX_JB_PLAYING || jb->started || jb->next_seq - ext >= VOX_JB_SLOTS)
		return 0;
	if (jb->have_out && ext <= jb->last_out)
		return 0;
	for (unsigned i = 0; i < VOX_JB_SLOTS; i++)
		if (jb->slot[i].used && jb->slot[i].ext_seq - ext >= VOX_JB_SLOTS)
			return 0;
	return 1;
}

int vox_jb_put(struct vox_jb *jb, const struct vox_rtp_packet *pkt, uint64_t now)
{
	if (!jb->configured)
		return VOX_ESTATE;
	if (!pkt || (pkt->payload_len && !pkt->payload))
		return VOX_EINVAL;
	jb->st.received++;
	if (pkt->payload_len > VOX_JB_MAX_FRAME) {
		jb->st.too_big++;
		return VOX_ETOOLONG;
	}
	uint32_t ext = vox_rtp_seq_extend(&jb->seqx, pkt->seq);
	if (win_seen(jb, ext) ||
	    (jb->slot[ext % VOX_JB_SLOTS].used && jb->slot[ext % VOX_JB_SLOTS].ext_seq == ext)) {
		jb->st.duplicate++;
		return VOX_EREPLAY;
	}
	update_target(jb, pkt->ts, now);
	if (jb->state != VOX_JB_IDLE && ext < jb->next_seq) {
		if (!can_move_back(jb, ext)) {
			jb->st.late++;
			return VOX_ETOOOLD;
		}
		jb->next_seq = ext;
		jb->play_ts = pkt->ts;
	}
	if (jb->state != VOX_JB_PLAYING) {
		/* First packet, or the first after the buffer ran dry (a new
		 * talkspurt): play it after the current target delay. */
		anchor(jb, ext, pkt->ts, now);
	} else if (ext - jb->next_seq >= VOX_JB_SLOTS) {
		/* Too far ahead to hold: the sender jumped or we fell far
		 * behind. Start again from this packet. */
		jb->st.overflow++;
		flush(jb);
		anchor(jb, ext, pkt->ts, now);
	}
	struct vox_jb_slot *s = &jb->slot[ext % VOX_JB_SLOTS];
	s->used = 1;
	s->marker = pkt->marker;
	s->pt = pkt->pt;
	s->len = (uint16_t)pkt->payload_len;
	s->ext_seq = ext;
	s->ts = pkt->ts;
	if (pkt->payload_len)
		memcpy(s->data, pkt->payload, pkt->payload_len);
	jb->held++;
	win_mark(jb, ext);
	return 0;
}

/* Every SHRINK_WINDOW frames: when the delay in force exceeds the target by
 * a frame and at least two frames waited all along, drop one frame and play
 * the rest one frame earlier. */
static void maybe_shrink(struct vox_jb *jb)
{
	if (jb->held < jb->min_held)
		jb->min_held = jb->held;
	if (++jb->window_gets < SHRINK_WINDOW)
		return;
	if (jb->delay_ms >= jb->target_ms + jb->p.frame_ms && jb->min_held >= 2) {
		struct vox_jb_slot *s = &jb->slot[jb->next_seq % VOX_JB_SLOTS];
		if (s->used && s->ext_seq == jb->next_seq) {
			s->used = 0;
			jb->held--;
			jb->last_out = jb->next_seq;
			jb->play_ts = s->ts + jb->frame_units;
			jb->next_seq++;
			jb->anchor_ms -= jb->p.frame_ms;
			jb->delay_ms -= jb->p.frame_ms;
			jb->st.shrunk++;
		}
	}
	jb->window_gets = 0;
	jb->min_held = ~0u;
}

int vox_jb_get(struct vox_jb *jb, uint64_t now, uint8_t *out, size_t cap, struct vox_jb_frame *f)
{
	memset(f, 0, sizeof *f);
	if (jb->state != VOX_JB_PLAYING)
		return VOX_JB_EMPTY;
	struct vox_jb_slot *s = &jb->slot[jb->next_seq % VOX_JB_SLOTS];
	if (s->used && s->ext_seq == jb->next_seq) {
		if (now < due_ms(jb, s->ts))
			return VOX_JB_EMPTY; /* not yet: buffering, or a silence gap */
		if (s->len > cap)
			return VOX_ENOSPC;
		if (s->len)
			memcpy(out, s->data, s->len);
		f->ts = s->ts;
		f->ext_seq = s->ext_seq;
		f->pt = s->pt;
		f->marker = s->marker;
		f->len = s->len;
		s->used = 0;
		jb->held--;
		jb->last_out = jb->next_seq;
		jb->have_out = 1;
		jb->next_seq++;
		jb->play_ts = s->ts + jb->frame_units;
		jb->started = 1;
		jb->st.played++;
		maybe_shrink(jb);
		return VOX_JB_FRAME;
	}
	if (jb->held == 0) {
		/* Nothing after the gap either: the talkspurt ended or the
		 * next packets are late. Wait; the next packet re-anchors. */
		jb->state = VOX_JB_PAUSED;
		jb->st.drained++;
		return VOX_JB_EMPTY;
	}
	if (now < due_ms(jb, jb->play_ts))
		return VOX_JB_EMPTY;
	/* A later frame is here, this one is not: it is lost (or late). */
	f->ts = jb->play_ts;
	f->ext_seq = jb->next_seq;
	jb->last_out = jb->next_seq;
	jb->have_out = 1;
	jb->next_seq++;
	jb->play_ts += jb->frame_units;
	jb->started = 1;
	jb->st.concealed++;
	return VOX_JB_CONCEAL;
}

void vox_jb_conceal(const int16_t *last, size_t n, unsigned lost_run, int16_t *out)
{
	if (lost_run == 0)
		lost_run = 1;
	if (lost_run > 4 || n == 0) {
		for (size_t i = 0; i < n; i++)
			out[i] = 0;
		return;
	}
	/* Gain in Q15 falls linearly from 2^-(k-1) to 2^-k over the frame, so
	 * consecutive concealed frames join without a step. */
	int32_t g0 = 32768 >> (lost_run - 1);
	int32_t g1 = g0 / 2;
	for (size_t i = 0; i < n; i++) {
		int64_t g = g0 - (int64_t)(g0 - g1) * (int64_t)i / (int64_t)n;
		out[i] = (int16_t)(((int64_t)last[i] * g) / 32768);
	}
}
