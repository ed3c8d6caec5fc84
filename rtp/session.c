/* SPDX-License-Identifier: MIT */
/* RTP session engine: our stream, the remote sources, and RTCP timing and
 * content (RFC 3550 6.2-6.4, 8.2, A.7). Sans-I/O: the caller passes the
 * time in ms, the datagrams it received and a tag for where they came from,
 * and sends what poll_output writes. */
#include <string.h>

#include "rtp/rtp_int.h"

#define UDP_IP_OVERHEAD    28 /* IPv4 + UDP: 6.2 counts lower-layer overhead */
#define RTCP_BW_PERCENT    5  /* 6.2: RTCP gets 5 % of the session bandwidth */
#define TIMEOUT_INTERVALS  5  /* 6.3.5: members silent for M = 5 Td time out */
#define CONFLICT_INTERVALS 10 /* 8.2: conflict entries live 10 report intervals */
#define BYE_BACKOFF_LIMIT  50 /* 6.3.7: below 50 members a BYE goes at once */
#define DEFAULT_MIN_MS     5000

static void push_event(struct vox_rtp_session *s, const struct vox_rtp_event *ev)
{
	if (s->ev_len == VOX_RTP_MAX_EVENTS) {
		/* Full: the oldest event is lost, and counted. */
		s->ev_head = (s->ev_head + 1) % VOX_RTP_MAX_EVENTS;
		s->ev_len--;
		s->ev_dropped++;
	}
	s->ev[(s->ev_head + s->ev_len) % VOX_RTP_MAX_EVENTS] = *ev;
	s->ev_len++;
}

int vox_rtp_session_next_event(struct vox_rtp_session *s, struct vox_rtp_event *ev)
{
	if (s->ev_len == 0)
		return 0;
	*ev = s->ev[s->ev_head];
	s->ev_head = (s->ev_head + 1) % VOX_RTP_MAX_EVENTS;
	s->ev_len--;
	return 1;
}

void vox_rtp_session_init(struct vox_rtp_session *s)
{
	memset(s, 0, sizeof *s);
	s->tn = UINT64_MAX;
}

static int draw(struct vox_rtp_session *s, void *out, size_t n)
{
	if (!s->rng.fn || s->rng.fn(s->rng.ctx, out, n) != 0)
		return VOX_ERNG;
	return 0;
}

static uint32_t rtcp_bw(const struct vox_rtp_session *s)
{
	uint64_t bw = (uint64_t)s->p.session_bw * RTCP_BW_PERCENT / 100;
	return bw ? (uint32_t)bw : 1;
}

uint32_t vox_rtp_session_members(const struct vox_rtp_session *s)
{
	uint32_t n = 1;
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++)
		if (s->src[i].in_use && s->src[i].valid)
			n++;
	return n;
}

uint32_t vox_rtp_session_senders(const struct vox_rtp_session *s)
{
	uint32_t n = s->we_sent ? 1 : 0;
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++)
		if (s->src[i].in_use && s->src[i].valid && s->src[i].sender)
			n++;
	return n;
}

static void interval_in(const struct vox_rtp_session *s, struct vox_rtcp_interval *in)
{
	in->members = vox_rtp_session_members(s);
	in->senders = vox_rtp_session_senders(s);
	in->rtcp_bw = rtcp_bw(s);
	in->we_sent = s->we_sent;
	in->avg_rtcp_size = s->avg_rtcp_size16 / 16;
	in->initial = s->initial;
	in->min_ms = s->p.rtcp_min_ms;
}

static uint64_t det_interval(const struct vox_rtp_session *s)
{
	struct vox_rtcp_interval in;
	interval_in(s, &in);
	in.initial = 0;
	return vox_rtcp_interval_det(&in);
}

/* Bytes of the compound poll_output would write now (without IP/UDP). */
static size_t report_size(const struct vox_rtp_session *s)
{
	size_t n = 8 + (s->we_sent ? 20 : 0);
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++)
		if (s->src[i].in_use && s->src[i].valid && s->src[i].rtp_since_report)
			n += 24;
	size_t sdes = 4 + 4 + 2 + s->cname_len + 1;
	n += (sdes + 3) & ~(size_t)3;
	if (s->bye_pending) {
		size_t bye = 4 + 4 + (s->bye_reason_len ? 1u + s->bye_reason_len : 0);
		n += (bye + 3) & ~(size_t)3;
	}
	return n;
}

static size_t cname_len(const struct vox_rtp_session *s)
{
	return s->cname_len;
}

static int new_ssrc(struct vox_rtp_session *s, uint32_t avoid)
{
	/* 8.1: a new random SSRC, not one already in use in the session. */
	for (int tries = 0; tries < 16; tries++) {
		uint8_t r[4];
		int rc = draw(s, r, sizeof r);
		if (rc < 0)
			return rc;
		uint32_t v = vox_get32(r);
		int clash = v == avoid;
		for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES && !clash; i++)
			clash = s->src[i].in_use && s->src[i].ssrc == v;
		if (!clash) {
			s->ssrc = v;
			return 0;
		}
	}
	return VOX_ERNG; /* sixteen clashes in a row: the rng is broken */
}

int vox_rtp_session_start(struct vox_rtp_session *s, const struct vox_rtp_params *p,
                          const struct vox_rng *rng, uint64_t now)
{
	if (!p || !rng || !rng->fn || p->clock_rate == 0 || p->session_bw == 0 ||
	    p->cname.len == 0 || p->cname.len > VOX_RTCP_MAX_CNAME || !p->cname.p)
		return VOX_EINVAL;
	vox_rtp_session_init(s);
	s->p = *p;
	if (s->p.rtcp_min_ms == 0)
		s->p.rtcp_min_ms = DEFAULT_MIN_MS;
	memcpy(s->cname, p->cname.p, p->cname.len);
	s->cname_len = (uint8_t)p->cname.len;
	s->p.cname.p = NULL; /* the copy in s->cname is the one used */
	s->rng = *rng;

	/* 5.1: random SSRC, initial sequence number and timestamp. */
	uint8_t r[6];
	int rc = new_ssrc(s, 0);
	if (rc == 0)
		rc = draw(s, r, sizeof r);
	if (rc < 0) {
		vox_rtp_session_init(s);
		return rc;
	}
	s->seq = vox_get16(r);
	s->ts_base = vox_get32(r + 2);
	s->last_ts = s->ts_base;
	s->last_send_ms = now;

	/* 6.3.2: initial state; avg_rtcp_size is the size of our first report. */
	s->tp = now;
	s->pmembers = 1;
	s->initial = 1;
	s->avg_rtcp_size16 = (uint32_t)(report_size(s) + UDP_IP_OVERHEAD) * 16;
	struct vox_rtcp_interval in;
	interval_in(s, &in);
	uint64_t t;
	rc = vox_rtcp_interval_draw(&in, &s->rng, &t);
	if (rc < 0) {
		vox_rtp_session_init(s);
		return rc;
	}
	s->tn = now + t;
	s->started = 1;
	return 0;
}

uint64_t vox_rtp_session_ntp(const struct vox_rtp_session *s, uint64_t now)
{
	uint64_t ms = now + s->p.ntp_base_ms;
	uint64_t sec = ms / 1000;
	uint64_t frac = ((ms % 1000) << 32) / 1000;
	return sec << 32 | frac;
}

/* Middle 32 bits of the NTP time: the LSR / "A" unit of 6.4.1. */
static uint32_t ntp_mid(uint64_t ntp)
{
	return (uint32_t)(ntp >> 16);
}

int vox_rtp_session_send(struct vox_rtp_session *s, struct vox_rtp_packet *pkt, uint8_t *out,
                         size_t cap, uint64_t now)
{
	if (!s->started || s->bye_sent || s->bye_pending)
		return VOX_ESTATE;
	pkt->ssrc = s->ssrc;
	pkt->seq = s->seq;
	pkt->ts = pkt->ts + s->ts_base;
	int n = vox_rtp_print(pkt, out, cap);
	if (n < 0) {
		pkt->ts -= s->ts_base;
		return n;
	}
	s->seq++;
	/* 6.4.1: the counts cover payload octets, without header or padding. */
	s->packet_count++;
	s->octet_count += (uint32_t)pkt->payload_len;
	s->last_ts = pkt->ts;
	s->last_send_ms = now;
	s->we_sent = 1;
	s->sent_in_cur = 1;
	return n;
}

static struct vox_rtp_source *find_source(struct vox_rtp_session *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++)
		if (s->src[i].in_use && s->src[i].ssrc == ssrc)
			return &s->src[i];
	return NULL;
}

const struct vox_rtp_source *vox_rtp_session_source(const struct vox_rtp_session *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++)
		if (s->src[i].in_use && s->src[i].ssrc == ssrc)
			return &s->src[i];
	return NULL;
}

static struct vox_rtp_source *add_source(struct vox_rtp_session *s, uint32_t ssrc, uint64_t now)
{
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++) {
		struct vox_rtp_source *src = &s->src[i];
		if (src->in_use)
			continue;
		memset(src, 0, sizeof *src);
		src->in_use = 1;
		src->ssrc = ssrc;
		src->rtt_ms = UINT32_MAX;
		src->last_seen_ms = now;
		return src;
	}
	s->sources_dropped++;
	return NULL;
}

/* 6.3.4 reverse reconsideration, after members fell. */
static void reverse_reconsider(struct vox_rtp_session *s, uint64_t now)
{
	uint32_t members = vox_rtp_session_members(s);
	if (members >= s->pmembers || s->pmembers == 0 || s->tn == UINT64_MAX)
		return;
	if (s->tn > now)
		s->tn = now + (s->tn - now) * members / s->pmembers;
	if (now > s->tp)
		s->tp = now - (now - s->tp) * members / s->pmembers;
	s->pmembers = members;
}

static void remove_source(struct vox_rtp_session *s, struct vox_rtp_source *src, uint64_t now)
{
	memset(src, 0, sizeof *src);
	reverse_reconsider(s, now);
}

/* 8.2: a packet carrying our own SSRC. A transport address seen doing so
 * before (within 10 report intervals) is a loop of our own traffic: ignore.
 * A new one is a collision: say BYE with the old SSRC and take a new one. */
static int own_ssrc_seen(struct vox_rtp_session *s, uint64_t from, uint64_t now)
{
	uint64_t keep = CONFLICT_INTERVALS * det_interval(s);
	struct vox_rtp_event ev;
	memset(&ev, 0, sizeof ev);
	unsigned oldest = 0;
	for (unsigned i = 0; i < 4; i++) {
		if (s->conflict_at[i] && now - s->conflict_at[i] <= keep &&
		    s->conflict_from[i] == from) {
			s->conflict_at[i] = now;
			s->loops++;
			ev.type = VOX_RTP_EV_LOOP;
			ev.ssrc = s->ssrc;
			push_event(s, &ev);
			return 0;
		}
		if (s->conflict_at[i] < s->conflict_at[oldest])
			oldest = i;
	}
	s->conflict_from[oldest] = from;
	s->conflict_at[oldest] = now ? now : 1;
	s->collisions++;
	uint32_t old = s->ssrc;
	int rc = new_ssrc(s, old);
	if (rc < 0)
		return rc;
	/* The BYE for the old SSRC goes out with the next poll_output. */
	s->coll_bye_pending = 1;
	s->coll_bye_ssrc = old;
	/* 6.4.1: the sender counts restart with a new SSRC. */
	s->packet_count = 0;
	s->octet_count = 0;
	ev.type = VOX_RTP_EV_COLLISION;
	ev.ssrc = s->ssrc;
	ev.old_ssrc = old;
	push_event(s, &ev);
	return 0;
}

int vox_rtp_session_recv_rtp(struct vox_rtp_session *s, const uint8_t *buf, size_t len,
                             uint64_t from, uint64_t now, struct vox_rtp_packet *pkt)
{
	int rc = vox_rtp_parse(buf, len, pkt, NULL);
	if (rc < 0)
		return rc;
	if (!s->started)
		return VOX_ESTATE;
	int own = pkt->ssrc == s->ssrc;
	for (unsigned i = 0; i < pkt->cc && !own; i++)
		own = pkt->csrc[i] == s->ssrc;
	if (own) {
		rc = own_ssrc_seen(s, from, now);
		return rc < 0 ? rc : 0;
	}
	struct vox_rtp_source *src = find_source(s, pkt->ssrc);
	if (!src) {
		src = add_source(s, pkt->ssrc, now);
		if (!src)
			return 0;
	}
	if (!src->have_rtp) {
		src->have_rtp = 1;
		src->from = from;
		vox_rtp_stats_init(&src->st, pkt->seq);
	} else if (src->from != from) {
		/* 8.2: same SSRC from another address: a collision or loop
		 * between other participants. Keep the first; drop this. */
		src->foreign++;
		return 0;
	}
	src->last_seen_ms = now;
	if (!vox_rtp_stats_update(&src->st, pkt->seq))
		return 0;
	/* A.8: the arrival time in timestamp units, from our ms clock. */
	uint32_t arrival = (uint32_t)(now * s->p.clock_rate / 1000);
	vox_rtp_stats_jitter(&src->st, pkt->ts, arrival);
	src->last_rtp_ms = now;
	src->sender = 1;
	src->rtp_since_report = 1;
	src->rtp_packets++;
	if (!src->valid || !src->announced) {
		src->valid = 1;
		src->announced = 1;
		struct vox_rtp_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = VOX_RTP_EV_NEW_SOURCE;
		ev.ssrc = src->ssrc;
		push_event(s, &ev);
	}
	return 1;
}

/* A report block about our stream: keep it and compute the RTT (6.4.1:
 * RTT = A - LSR - DLSR, all in 1/65536 s). */
static void report_about_us(struct vox_rtp_session *s, struct vox_rtp_source *src,
                            const struct vox_rtcp_rb *rb, uint64_t now)
{
	struct vox_rtp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.rtt_ms = UINT32_MAX;
	if (src) {
		src->about_us = *rb;
		if (rb->lsr != 0) {
			uint32_t a = ntp_mid(vox_rtp_session_ntp(s, now));
			uint32_t rtt = a - rb->lsr - rb->dlsr;
			/* A negative result (clock skew, a forged block) wraps to
			 * a huge value; only a plausible one (< 1 hour) counts. */
			if (rtt < 3600u * 65536u) {
				src->rtt_ms = (uint32_t)((uint64_t)rtt * 1000 / 65536);
				ev.rtt_ms = src->rtt_ms;
			}
		}
	}
	ev.type = VOX_RTP_EV_REPORT;
	ev.ssrc = src ? src->ssrc : 0;
	ev.rb = *rb;
	push_event(s, &ev);
}

static struct vox_rtp_source *rtcp_source(struct vox_rtp_session *s, uint32_t ssrc, uint64_t from,
                                          uint64_t now)
{
	struct vox_rtp_source *src = find_source(s, ssrc);
	if (!src) {
		src = add_source(s, ssrc, now);
		if (!src)
			return NULL;
	}
	if (!src->have_rtcp) {
		src->have_rtcp = 1;
		src->from_rtcp = from;
	} else if (src->from_rtcp != from) {
		src->foreign++;
		return NULL;
	}
	/* 6.3.3: a valid RTCP packet makes its sender a member. */
	src->valid = 1;
	src->last_seen_ms = now;
	return src;
}

static void got_bye(struct vox_rtp_session *s, const struct vox_rtcp_bye *b, uint64_t now)
{
	for (unsigned i = 0; i < b->sc; i++) {
		uint32_t ssrc = vox_rtcp_bye_ssrc(b, i);
		if (s->bye_reconsider) {
			/* 6.3.7: while we back off our own BYE, count others'. */
			s->bye_members++;
			continue;
		}
		struct vox_rtp_source *src = find_source(s, ssrc);
		if (!src)
			continue;
		struct vox_rtp_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = VOX_RTP_EV_BYE;
		ev.ssrc = ssrc;
		/* The peer's reason may be longer than the event holds: the
		 * event says so rather than pass a part off as the whole. */
		size_t n = b->reason.len;
		if (n > VOX_RTP_EV_REASON) {
			n = VOX_RTP_EV_REASON;
			ev.reason_cut = 1;
		}
		if (n)
			memcpy(ev.reason, b->reason.p, n);
		ev.reason_len = (uint8_t)n;
		push_event(s, &ev);
		remove_source(s, src, now);
	}
}

int vox_rtp_session_recv_rtcp(struct vox_rtp_session *s, const uint8_t *buf, size_t len,
                              uint64_t from, uint64_t now)
{
	struct vox_rtcp_compound c;
	int rc = vox_rtcp_parse(buf, len, 0, &c, NULL);
	if (rc < 0) {
		s->rtcp_invalid++;
		return rc;
	}
	if (!s->started)
		return VOX_ESTATE;
	s->rtcp_received++;
	/* A.7 OnReceive: avg_rtcp_size = 1/16 * size + 15/16 * avg_rtcp_size. */
	uint64_t size = (uint64_t)len + UDP_IP_OVERHEAD;
	if (size > 65535)
		size = 65535;
	s->avg_rtcp_size16 = (uint32_t)(size + (uint64_t)s->avg_rtcp_size16 * 15 / 16);

	for (size_t i = 0; i < c.n; i++) {
		const struct vox_rtcp_pkt *p = &c.pkt[i];
		if (p->type == VOX_RTCP_SR || p->type == VOX_RTCP_RR) {
			struct vox_rtcp_report r;
			if (vox_rtcp_report_parse(p, &r) < 0) {
				s->rtcp_invalid++;
				continue;
			}
			if (r.ssrc == s->ssrc) {
				rc = own_ssrc_seen(s, from, now);
				if (rc < 0)
					return rc;
				continue;
			}
			struct vox_rtp_source *src = rtcp_source(s, r.ssrc, from, now);
			if (src && r.has_sender_info) {
				src->lsr = ntp_mid(r.si.ntp);
				src->lsr_at_ms = now;
				src->have_sr = 1;
			}
			for (unsigned k = 0; k < r.rc; k++) {
				struct vox_rtcp_rb rb;
				vox_rtcp_report_block(&r, k, &rb);
				if (rb.ssrc == s->ssrc)
					report_about_us(s, src, &rb, now);
			}
		} else if (p->type == VOX_RTCP_SDES) {
			struct vox_rtcp_sdes_iter it;
			struct vox_rtcp_sdes_item item;
			int k;
			if (vox_rtcp_sdes_begin(p, &it) < 0)
				continue;
			while ((k = vox_rtcp_sdes_next(&it, &item)) > 0)
				;
			if (k < 0)
				s->rtcp_invalid++;
		} else if (p->type == VOX_RTCP_BYE) {
			struct vox_rtcp_bye b;
			if (vox_rtcp_bye_parse(p, &b) < 0) {
				s->rtcp_invalid++;
				continue;
			}
			got_bye(s, &b, now);
		}
	}
	return 0;
}

/* 6.3.5: members silent for 5 Td leave; senders silent for 2 T stop being
 * senders. Td has the 5 s minimum (not halved), as the RFC says. */
static void timeouts(struct vox_rtp_session *s, uint64_t now)
{
	uint64_t td = det_interval(s);
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++) {
		struct vox_rtp_source *src = &s->src[i];
		if (!src->in_use)
			continue;
		if (src->sender && now - src->last_rtp_ms > 2 * td)
			src->sender = 0;
		if (now - src->last_seen_ms > TIMEOUT_INTERVALS * td) {
			struct vox_rtp_event ev;
			memset(&ev, 0, sizeof ev);
			ev.type = VOX_RTP_EV_TIMEOUT;
			ev.ssrc = src->ssrc;
			int was_member = src->valid;
			memset(src, 0, sizeof *src);
			if (was_member) {
				push_event(s, &ev);
				reverse_reconsider(s, now);
			}
		}
	}
}

uint64_t vox_rtp_session_next_deadline(const struct vox_rtp_session *s)
{
	if (!s->started || s->bye_sent)
		return UINT64_MAX;
	return s->tn;
}

int vox_rtp_session_on_deadline(struct vox_rtp_session *s, uint64_t now)
{
	if (!s->started || s->bye_sent || now < s->tn)
		return 0;
	struct vox_rtcp_interval in;
	uint64_t t;
	int rc;
	if (s->bye_reconsider) {
		/* A.7 OnExpire, EVENT_BYE: members counts the BYEs received
		 * since we decided to leave. */
		interval_in(s, &in);
		in.members = s->bye_members;
		in.senders = 0;
		in.we_sent = 0;
		rc = vox_rtcp_interval_draw(&in, &s->rng, &t);
		if (rc < 0)
			return rc;
		if (s->tp + t <= now) {
			s->bye_pending = 2;
			s->tn = UINT64_MAX;
		} else {
			s->tn = s->tp + t;
		}
		return 0;
	}
	timeouts(s, now);
	/* A.7 OnExpire, EVENT_REPORT: reconsider with the current members. */
	interval_in(s, &in);
	rc = vox_rtcp_interval_draw(&in, &s->rng, &t);
	if (rc < 0)
		return rc;
	if (s->tp + t <= now) {
		/* Send now. avg_rtcp_size takes the size of what goes out, and
		 * the next interval is drawn afresh (the one above is biased:
		 * it was small enough to send). */
		uint64_t size = report_size(s) + UDP_IP_OVERHEAD;
		s->avg_rtcp_size16 = (uint32_t)(size + (uint64_t)s->avg_rtcp_size16 * 15 / 16);
		s->tp = now;
		s->initial = 0;
		interval_in(s, &in);
		rc = vox_rtcp_interval_draw(&in, &s->rng, &t);
		if (rc < 0)
			return rc;
		s->tn = now + t;
		s->report_due = 1;
	} else {
		s->tn = s->tp + t;
	}
	s->pmembers = vox_rtp_session_members(s);
	return 0;
}

int vox_rtp_session_bye(struct vox_rtp_session *s, struct vox_slice reason, uint64_t now)
{
	if (!s->started || s->bye_sent || s->bye_pending)
		return VOX_ESTATE;
	if (reason.len && !reason.p)
		return VOX_EINVAL;
	if (reason.len > sizeof s->bye_reason)
		return VOX_ETOOLONG;
	if (reason.len)
		memcpy(s->bye_reason, reason.p, reason.len);
	s->bye_reason_len = (uint8_t)reason.len;
	if (vox_rtp_session_members(s) < BYE_BACKOFF_LIMIT) {
		s->bye_pending = 2; /* 2: due now */
		s->tn = UINT64_MAX;
		return 0;
	}
	/* 6.3.7: tp = tc, members = pmembers = 1, initial = 1, we_sent = 0,
	 * avg_rtcp_size = size of the compound BYE; then reconsideration. */
	s->bye_pending = 1;
	s->bye_reconsider = 1;
	s->bye_members = 1;
	s->tp = now;
	s->initial = 1;
	s->we_sent = 0;
	s->avg_rtcp_size16 = (uint32_t)(report_size(s) + UDP_IP_OVERHEAD) * 16;
	struct vox_rtcp_interval in;
	interval_in(s, &in);
	in.members = 1;
	in.senders = 0;
	uint64_t t;
	int rc = vox_rtcp_interval_draw(&in, &s->rng, &t);
	if (rc < 0)
		return rc;
	s->tn = now + t;
	return 0;
}

static int print_report(struct vox_rtp_session *s, struct vox_writer *w, uint64_t now)
{
	struct vox_rtcp_rb rb[VOX_RTP_MAX_SOURCES];
	unsigned n = 0;
	for (unsigned i = 0; i < VOX_RTP_MAX_SOURCES; i++) {
		struct vox_rtp_source *src = &s->src[i];
		if (!src->in_use || !src->valid || !src->rtp_since_report)
			continue;
		struct vox_rtcp_rb *b = &rb[n++];
		memset(b, 0, sizeof *b);
		b->ssrc = src->ssrc;
		b->fraction_lost = vox_rtp_stats_fraction(&src->st);
		b->cumulative_lost = vox_rtp_stats_lost(&src->st);
		b->ext_highest_seq = vox_rtp_stats_ext_max(&src->st);
		b->jitter = vox_rtp_stats_jitter_value(&src->st);
		if (src->have_sr) {
			b->lsr = src->lsr;
			/* DLSR in 1/65536 s since that SR arrived. */
			uint64_t d = (now - src->lsr_at_ms) * 65536 / 1000;
			b->dlsr = d > UINT32_MAX ? UINT32_MAX : (uint32_t)d;
		}
		src->rtp_since_report = 0;
	}
	int rc;
	if (s->we_sent) {
		struct vox_rtcp_sender_info si;
		si.ntp = vox_rtp_session_ntp(s, now);
		/* The RTP time of the same instant, extrapolated from the last
		 * packet sent (6.4.1). */
		si.rtp_ts =
		    s->last_ts + (uint32_t)((now - s->last_send_ms) * s->p.clock_rate / 1000);
		si.packet_count = s->packet_count;
		si.octet_count = s->octet_count;
		rc = vox_rtcp_print_sr(w, s->ssrc, &si, rb, n);
	} else {
		rc = vox_rtcp_print_rr(w, s->ssrc, rb, n);
	}
	if (rc == 0)
		rc = vox_rtcp_print_sdes_cname(w, s->ssrc, vox_slice_make(s->cname, cname_len(s)));
	return rc;
}

int vox_rtp_session_poll_output(struct vox_rtp_session *s, uint8_t *out, size_t cap, uint64_t now)
{
	struct vox_writer w;
	int rc;
	if (!s->started)
		return 0;
	vox_writer_init(&w, (char *)out, cap);
	if (s->coll_bye_pending) {
		/* 8.2: RR + SDES + BYE from the SSRC we gave up. */
		struct vox_slice none = {NULL, 0};
		struct vox_slice cn = vox_slice_make(s->cname, cname_len(s));
		rc = vox_rtcp_print_rr(&w, s->coll_bye_ssrc, NULL, 0);
		if (rc == 0)
			rc = vox_rtcp_print_sdes_cname(&w, s->coll_bye_ssrc, cn);
		if (rc == 0)
			rc = vox_rtcp_print_bye(&w, &s->coll_bye_ssrc, 1, none);
		if (rc == 0)
			rc = vox_writer_finish(&w);
		if (rc < 0)
			return rc;
		s->coll_bye_pending = 0;
		s->rtcp_sent++;
		return rc;
	}
	int leaving = s->bye_pending == 2;
	if (!s->report_due && !leaving)
		return 0;
	/* Check the room first: building a report moves the A.3 priors. */
	if (report_size(s) > cap)
		return VOX_ENOSPC;
	rc = print_report(s, &w, now);
	if (rc == 0 && leaving) {
		struct vox_slice why = vox_slice_make(s->bye_reason, s->bye_reason_len);
		rc = vox_rtcp_print_bye(&w, &s->ssrc, 1, why);
	}
	if (rc == 0)
		rc = vox_writer_finish(&w);
	if (rc < 0)
		return rc;
	s->report_due = 0;
	s->rtcp_sent++;
	/* 6.3.8: we_sent stays true while we sent RTP since the report before
	 * the last one. */
	if (!s->sent_in_cur && !s->sent_in_prev)
		s->we_sent = 0;
	s->sent_in_prev = s->sent_in_cur;
	s->sent_in_cur = 0;
	if (leaving) {
		s->bye_pending = 0;
		s->bye_sent = 1;
		s->tn = UINT64_MAX;
	}
	return rc;
}
