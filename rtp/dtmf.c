/* SPDX-License-Identifier: MIT */
/* RFC 4733 telephone-events: the 4-byte payload (2.3), the sender's update,
 * end and segment rules (2.5.1) and a receiver that survives loss,
 * repetition and reordering (2.5.2). */
#include <string.h>

#include "rtp/rtp_int.h"

#define END_REPEATS   3      /* 2.5.1.4: the final packet is sent three times */
#define SEGMENT_MAX   0xffff /* 2.5.1.3: the duration field's limit */
#define RX_TIMEOUT_MS 1000   /* no packet for this long ends an event */

static const char digits[] = "0123456789*#ABCD";

int vox_dtmf_event_of(char digit)
{
	if (digit >= 'a' && digit <= 'd')
		digit = (char)(digit - 'a' + 'A');
	for (int i = 0; i < 16; i++)
		if (digits[i] == digit)
			return i;
	return -1;
}

char vox_dtmf_digit_of(uint8_t event)
{
	return event < 16 ? digits[event] : 0;
}

int vox_dtmf_payload_parse(const uint8_t *buf, size_t len, struct vox_dtmf_payload *p)
{
	if (len < VOX_DTMF_PAYLOAD || len % VOX_DTMF_PAYLOAD)
		return VOX_EMALFORMED;
	p->event = buf[0];
	p->end = (uint8_t)(buf[1] >> 7);
	/* buf[1] bit 6 is R, reserved: ignored on receipt (2.3). */
	p->volume = (uint8_t)(buf[1] & 0x3f);
	p->duration = vox_get16(buf + 2);
	return 0;
}

void vox_dtmf_payload_print(const struct vox_dtmf_payload *p, uint8_t out[VOX_DTMF_PAYLOAD])
{
	out[0] = p->event;
	out[1] = (uint8_t)((p->end ? 0x80 : 0) | (p->volume & 0x3f));
	vox_put16(out + 2, p->duration);
}

/* ---- sender -------------------------------------------------------------- */

void vox_dtmf_tx_init(struct vox_dtmf_tx *tx, uint32_t clock_rate, uint32_t interval_ms)
{
	memset(tx, 0, sizeof *tx);
	tx->clock_rate = clock_rate;
	tx->interval_ms = interval_ms;
	tx->stop_ms = UINT64_MAX;
	tx->next_ms = UINT64_MAX;
}

int vox_dtmf_tx_busy(const struct vox_dtmf_tx *tx)
{
	return tx->active;
}

int vox_dtmf_tx_start(struct vox_dtmf_tx *tx, uint8_t event, uint8_t volume, uint32_t duration_ms,
                      uint32_t ts, uint64_t now)
{
	if (tx->active)
		return VOX_ESTATE;
	if (volume > 63 || tx->clock_rate == 0 || tx->interval_ms == 0)
		return VOX_EINVAL;
	tx->active = 1;
	tx->event = event;
	tx->volume = volume;
	tx->ts = ts;
	tx->start_ms = now;
	tx->first = 1;
	tx->end_left = 0;
	tx->seg_final = 0;
	tx->seg_units = 0;
	tx->duration = 0;
	tx->stop_ms = duration_ms ? now + duration_ms : UINT64_MAX;
	tx->next_ms = now;
	return 0;
}

void vox_dtmf_tx_stop(struct vox_dtmf_tx *tx, uint64_t now)
{
	if (tx->active && tx->stop_ms > now)
		tx->stop_ms = now;
}

uint64_t vox_dtmf_tx_next_deadline(const struct vox_dtmf_tx *tx)
{
	if (!tx->active)
		return UINT64_MAX;
	if (!tx->end_left && tx->stop_ms < tx->next_ms)
		return tx->stop_ms;
	return tx->next_ms;
}

/* Units since the event began, up to the stop time. */
static uint64_t elapsed_units(const struct vox_dtmf_tx *tx, uint64_t now)
{
	uint64_t t = now < tx->stop_ms ? now : tx->stop_ms;
	return (t - tx->start_ms) * tx->clock_rate / 1000;
}

static void emit(struct vox_dtmf_tx *tx, struct vox_dtmf_out *out, int end)
{
	struct vox_dtmf_payload pl = {tx->event, (uint8_t)end, tx->volume, tx->duration};
	vox_rtp_packet_init(&out->pkt);
	vox_dtmf_payload_print(&pl, out->payload);
	/* 2.5.1.2: every packet of an event (segment) carries the timestamp of
	 * its start; only the very first packet has the marker bit. */
	out->pkt.ts = tx->ts;
	out->pkt.marker = tx->first;
	out->pkt.payload = out->payload;
	out->pkt.payload_len = VOX_DTMF_PAYLOAD;
	tx->first = 0;
}

int vox_dtmf_tx_poll(struct vox_dtmf_tx *tx, uint64_t now, struct vox_dtmf_out *out)
{
	if (!tx->active || now < vox_dtmf_tx_next_deadline(tx))
		return 0;
	if (tx->end_left) {
		/* 2.5.1.4: repeat the final packet of the event (E bit) or of
		 * a segment (no E bit), same duration, new sequence number. */
		emit(tx, out, !tx->seg_final);
		tx->end_left--;
		tx->next_ms = now + tx->interval_ms;
		if (tx->end_left == 0) {
			if (tx->seg_final) {
				/* 2.5.1.3: the next segment starts where this one
				 * ended, with its own timestamp. */
				tx->seg_final = 0;
				tx->seg_units += SEGMENT_MAX;
				tx->ts += SEGMENT_MAX;
			} else {
				tx->active = 0;
				tx->next_ms = UINT64_MAX;
			}
		}
		return 1;
	}
	uint64_t units = elapsed_units(tx, now);
	int ended = now >= tx->stop_ms;
	uint64_t seg = units - tx->seg_units;
	if (seg >= SEGMENT_MAX && !(ended && seg == SEGMENT_MAX)) {
		tx->duration = SEGMENT_MAX;
		tx->seg_final = 1;
		emit(tx, out, 0);
		tx->end_left = END_REPEATS - 1;
	} else if (ended) {
		tx->duration = (uint16_t)seg;
		emit(tx, out, 1);
		tx->end_left = END_REPEATS - 1;
	} else {
		tx->duration = (uint16_t)seg;
		emit(tx, out, 0);
	}
	tx->next_ms = now + tx->interval_ms;
	return 1;
}

/* ---- receiver ------------------------------------------------------------ */

void vox_dtmf_rx_init(struct vox_dtmf_rx *rx, uint32_t clock_rate)
{
	memset(rx, 0, sizeof *rx);
	rx->clock_rate = clock_rate;
	rx->timeout_ms = RX_TIMEOUT_MS;
}

static void rx_push(struct vox_dtmf_rx *rx, enum vox_dtmf_ev_type type, int end_seen)
{
	struct vox_dtmf_event *ev;
	if (rx->q_len == 4) {
		rx->q_head = (rx->q_head + 1) % 4;
		rx->q_len--;
		rx->dropped++;
	}
	ev = &rx->q[(rx->q_head + rx->q_len) % 4];
	rx->q_len++;
	memset(ev, 0, sizeof *ev);
	ev->type = type;
	ev->event = rx->event;
	ev->ts = rx->first_ts;
	ev->volume = rx->volume;
	ev->duration = rx->seg_units + rx->duration;
	ev->end_seen = (uint8_t)end_seen;
}

static void rx_end(struct vox_dtmf_rx *rx, int end_seen)
{
	rx_push(rx, VOX_DTMF_END, end_seen);
	rx->active = 0;
	rx->have_ended = 1;
	rx->ended_ts = rx->ts;
}

int vox_dtmf_rx_recv(struct vox_dtmf_rx *rx, const struct vox_rtp_packet *pkt, uint64_t now)
{
	struct vox_dtmf_payload p;
	if (vox_dtmf_payload_parse(pkt->payload, pkt->payload_len, &p) < 0)
		return VOX_EMALFORMED;
	if (rx->active && pkt->ts == rx->ts && p.event == rx->event) {
		/* An update of the current segment: durations only grow
		 * (2.5.2.1), whatever order the packets came in. */
		if (p.duration > rx->duration)
			rx->duration = p.duration;
		rx->last_ms = now;
		if (p.end)
			rx_end(rx, 1);
		return 0;
	}
	if (rx->have_ended && pkt->ts == rx->ended_ts)
		return 0; /* a repeated end packet, or a late update */
	if (rx->active && p.event == rx->event && pkt->ts == rx->ts + SEGMENT_MAX) {
		/* 2.5.1.3: the next segment of a long event (even if the
		 * previous segment's last packets were lost). */
		rx->seg_units += SEGMENT_MAX;
		rx->ts = pkt->ts;
		rx->duration = p.duration;
		rx->last_ms = now;
		if (p.end)
			rx_end(rx, 1);
		return 0;
	}
	if (rx->have_ended && (int32_t)(pkt->ts - rx->ended_ts) < 0)
		return 0; /* belongs to an event older than the last one */
	if (rx->active) {
		if ((int32_t)(pkt->ts - rx->ts) < 0)
			return 0; /* older than the event in progress */
		rx_end(rx, 0);    /* a new event began: the old one's end was lost */
	}
	rx->active = 1;
	rx->event = p.event;
	rx->volume = p.volume;
	rx->ts = pkt->ts;
	rx->first_ts = pkt->ts;
	rx->seg_units = 0;
	rx->duration = p.duration;
	rx->last_ms = now;
	rx_push(rx, VOX_DTMF_BEGIN, 0);
	if (p.end)
		rx_end(rx, 1); /* only the end arrived: begin and end at once */
	return 0;
}

uint64_t vox_dtmf_rx_next_deadline(const struct vox_dtmf_rx *rx)
{
	return rx->active ? rx->last_ms + rx->timeout_ms : UINT64_MAX;
}

void vox_dtmf_rx_on_deadline(struct vox_dtmf_rx *rx, uint64_t now)
{
	if (rx->active && now >= rx->last_ms + rx->timeout_ms)
		rx_end(rx, 0);
}

int vox_dtmf_rx_next_event(struct vox_dtmf_rx *rx, struct vox_dtmf_event *ev)
{
	if (rx->q_len == 0)
		return 0;
	*ev = rx->q[rx->q_head];
	rx->q_head = (rx->q_head + 1) % 4;
	rx->q_len--;
	return 1;
}
