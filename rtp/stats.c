/* SPDX-License-Identifier: MIT */
/* Reception statistics (RFC 3550 A.1, A.3, A.8) and the RTCP transmission
 * interval (6.3, A.7). The code follows the RFC's reference algorithms line
 * by line, in integer arithmetic. */
#include <string.h>

#include "rtp/rtp_int.h"

#define RTP_SEQ_MOD (1u << 16)

/* A.1 init_seq(). */
static void init_seq(struct vox_rtp_stats *s, uint16_t seq)
{
	s->base_seq = seq;
	s->max_seq = seq;
	s->bad_seq = RTP_SEQ_MOD + 1; /* so seq == bad_seq is false */
	s->cycles = 0;
	s->received = 0;
	s->received_prior = 0;
	s->expected_prior = 0;
}

void vox_rtp_stats_init(struct vox_rtp_stats *s, uint16_t seq)
{
	memset(s, 0, sizeof *s);
	/* A.1: "init_seq(s, seq); s->max_seq = seq - 1; s->probation =
	 * MIN_SEQUENTIAL;" for a source heard for the first time. */
	init_seq(s, seq);
	s->max_seq = (uint16_t)(seq - 1);
	s->probation = VOX_RTP_MIN_SEQUENTIAL;
}

/* A.1 update_seq(). One deliberate difference: the RFC compares
 * seq == s->max_seq + 1 in int arithmetic, so a source whose probation
 * straddles 65535 -> 0 restarts its probation; here the comparison is done
 * modulo 2^16. */
int vox_rtp_stats_update(struct vox_rtp_stats *s, uint16_t seq)
{
	uint16_t udelta = (uint16_t)(seq - s->max_seq);

	if (s->probation) {
		/* packet is in sequence */
		if (seq == (uint16_t)(s->max_seq + 1)) {
			s->probation--;
			s->max_seq = seq;
			if (s->probation == 0) {
				init_seq(s, seq);
				s->received++;
				return 1;
			}
		} else {
			s->probation = VOX_RTP_MIN_SEQUENTIAL - 1;
			s->max_seq = seq;
		}
		return 0;
	} else if (udelta < VOX_RTP_MAX_DROPOUT) {
		/* in order, with permissible gap */
		if (seq < s->max_seq) {
			/* Sequence number wrapped - count another 64K cycle. */
			s->cycles += RTP_SEQ_MOD;
		}
		s->max_seq = seq;
	} else if (udelta <= RTP_SEQ_MOD - VOX_RTP_MAX_MISORDER) {
		/* the sequence number made a very large jump */
		if (seq == s->bad_seq) {
			/* Two sequential packets -- assume that the other side
			 * restarted without telling us so just re-sync (i.e.,
			 * pretend this was the first packet). */
			init_seq(s, seq);
		} else {
			s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
			return 0;
		}
	} else {
		/* duplicate or reordered packet */
	}
	s->received++;
	return 1;
}

void vox_rtp_stats_jitter(struct vox_rtp_stats *s, uint32_t ts, uint32_t arrival)
{
	/* A.8: transit = arrival - r->ts; d = transit - s->transit; the
	 * integer form "s->jitter += d - ((s->jitter + 8) >> 4)" with the
	 * estimate kept scaled by 16. The first packet only sets transit (the
	 * RFC leaves it undefined; a huge first d would poison the estimate). */
	uint32_t transit = arrival - ts;
	if (!s->have_transit) {
		s->have_transit = 1;
		s->transit = transit;
		return;
	}
	int32_t d = (int32_t)(transit - s->transit);
	s->transit = transit;
	uint32_t ad = d < 0 ? (uint32_t)0 - (uint32_t)d : (uint32_t)d;
	/* Done in 64 bits: ad can be near 2^31 for a broken sender. */
	int64_t j = (int64_t)s->jitter + (int64_t)ad - (((int64_t)s->jitter + 8) >> 4);
	if (j < 0)
		j = 0;
	if (j > (int64_t)UINT32_MAX)
		j = UINT32_MAX;
	s->jitter = (uint32_t)j;
}

uint32_t vox_rtp_stats_ext_max(const struct vox_rtp_stats *s)
{
	return s->cycles + s->max_seq;
}

int32_t vox_rtp_stats_lost(const struct vox_rtp_stats *s)
{
	/* A.3: expected = extended_max - base_seq + 1; lost = expected -
	 * received, clamped to the 24-bit signed field. Computed in 64 bits:
	 * extended_max can trail base_seq by one (nothing received yet). */
	int64_t expected = (int64_t)vox_rtp_stats_ext_max(s) - (int64_t)s->base_seq + 1;
	int64_t lost = expected - (int64_t)s->received;
	if (lost > 0x7fffff)
		lost = 0x7fffff;
	else if (lost < -0x800000)
		lost = -0x800000;
	return (int32_t)lost;
}

uint8_t vox_rtp_stats_fraction(struct vox_rtp_stats *s)
{
	uint32_t expected = vox_rtp_stats_ext_max(s) - s->base_seq + 1;
	uint32_t expected_interval = expected - s->expected_prior;
	s->expected_prior = expected;
	uint32_t received_interval = s->received - s->received_prior;
	s->received_prior = s->received;
	int64_t lost_interval = (int64_t)expected_interval - (int64_t)received_interval;
	if (expected_interval == 0 || lost_interval <= 0)
		return 0;
	uint64_t f = ((uint64_t)lost_interval << 8) / expected_interval;
	return f > 255 ? 255 : (uint8_t)f;
}

uint32_t vox_rtp_stats_jitter_value(const struct vox_rtp_stats *s)
{
	return s->jitter >> 4;
}

/* ---- A.7 ----------------------------------------------------------------- */

uint64_t vox_rtcp_interval_det(const struct vox_rtcp_interval *in)
{
	uint64_t min_ms = in->min_ms;
	if (in->initial)
		min_ms /= 2; /* 6.2: the first report after half the minimum */
	uint64_t n = in->members;
	uint64_t bw = in->rtcp_bw;
	/* A.7: senders get a quarter of the RTCP bandwidth when they are at
	 * most a quarter of the members (senders <= members * 0.25). */
	if ((uint64_t)in->senders * 4 <= (uint64_t)in->members) {
		if (in->we_sent) {
			bw = bw / 4;
			n = in->senders;
		} else {
			bw = bw - bw / 4;
			n -= in->senders;
		}
	}
	if (bw == 0)
		bw = 1;
	/* t = avg_rtcp_size * n / rtcp_bw, in ms. */
	uint64_t t = (uint64_t)in->avg_rtcp_size * n * 1000 / bw;
	if (t < min_ms)
		t = min_ms;
	return t;
}

int vox_rtcp_interval_draw(const struct vox_rtcp_interval *in, const struct vox_rng *rng,
                           uint64_t *ms)
{
	if (in->rtcp_bw == 0)
		return VOX_EINVAL;
	uint64_t t = vox_rtcp_interval_det(in);
	uint8_t r[4];
	if (!rng || !rng->fn || rng->fn(rng->ctx, r, sizeof r) != 0)
		return VOX_ERNG;
	uint64_t u = vox_get32(r); /* uniform in [0, 2^32) */
	/* t * (drand48() + 0.5), in fixed point: t * (2^31 + u) / 2^32 ... */
	if (t > ((uint64_t)1 << 30))
		t = (uint64_t)1 << 30; /* 12 days: keeps the product in 64 bits */
	t = (t * (((uint64_t)1 << 31) + u)) >> 32;
	/* ... then "t = t / COMPENSATION" with COMPENSATION = e - 3/2 =
	 * 1.21828, which makes the mean of reconsidered intervals come out at
	 * the deterministic interval (6.3.1). */
	*ms = t * 100000 / 121828;
	return 0;
}
