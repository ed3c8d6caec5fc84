/* SPDX-License-Identifier: MIT */
/* The send path. send_pcm encodes a frame and keeps it; on_deadline takes
 * the DTMF packet that is due; poll_output writes each straight into the
 * caller's buffer (the RTP session prints header and payload there) and
 * protects it in place: one copy of the payload, as raw libsrtp2 needs. */
#include <string.h>

#include "media/media_int.h"

#define DTMF_MIN_MS 40    /* ITU-T Q.24: shorter tones need not be recognised */
#define DTMF_MAX_MS 60000 /* what the queue stores (a longer event is segmented anyway) */

static int can_take(const struct vox_media *m)
{
	return m->state == VOX_MEDIA_WAITING || m->state == VOX_MEDIA_FLOWING;
}

int vox_media_send_pcm(struct vox_media *m, const int16_t *pcm, size_t n, uint64_t now)
{
	if (!can_take(m))
		return VOX_ESTATE;
	if (!pcm || n != m->tx_frame)
		return VOX_EINVAL;
	vox_media_tick(m, now);
	uint32_t ts = m->tx_units;
	m->tx_units += (uint32_t)n; /* RTP timestamps wrap, by design */
	if (!(m->cfg.dir & VOX_MEDIA_SENDONLY)) {
		m->st.tx_held++;
		m->tx_marker = 1; /* the next packet sent starts a talkspurt */
		return 0;
	}
	if (m->state == VOX_MEDIA_WAITING) {
		m->st.tx_policy++;
		return VOX_EPOLICY;
	}
	if (m->audio_pending) {
		m->st.tx_overrun++;
		return VOX_EPOOL;
	}
	vox_g711_encode(m->cfg.law, pcm, n, m->audio);
	m->audio_len = (uint16_t)n;
	m->audio_ts = ts;
	m->audio_pending = 1;
	return 1;
}

int vox_media_send_dtmf(struct vox_media *m, char digit, uint32_t duration_ms, uint64_t now)
{
	if (!can_take(m))
		return VOX_ESTATE;
	int ev = vox_dtmf_event_of(digit);
	if (ev < 0 || duration_ms < DTMF_MIN_MS || duration_ms > DTMF_MAX_MS)
		return VOX_EINVAL;
	if (m->cfg.dtmf_pt == 0)
		return VOX_EUNSUPPORTED;
	if (!(m->cfg.dir & VOX_MEDIA_SENDONLY))
		return VOX_ESTATE;
	if (m->state == VOX_MEDIA_WAITING) {
		m->st.tx_policy++;
		return VOX_EPOLICY;
	}
	if (m->dq_len == VOX_MEDIA_DTMF_QUEUE)
		return VOX_EPOOL;
	now = vox_media_tick(m, now);
	if (m->dq_len == 0 && !vox_dtmf_tx_busy(&m->dtmf_tx) && m->dtmf_next_ms < now)
		m->dtmf_next_ms = now;
	unsigned i = (m->dq_head + m->dq_len) % VOX_MEDIA_DTMF_QUEUE;
	m->dq_event[i] = (uint8_t)ev;
	m->dq_ms[i] = (uint16_t)duration_ms;
	m->dq_len++;
	return 0;
}

/* Applies SRTP or SRTCP if the keys say so, and names the destination. */
static int finish(struct vox_media *m, uint8_t *buf, int n, size_t cap, int rtcp,
                  struct vox_media_dest *to)
{
	if (m->prot != VOX_MEDIA_PROT_NONE) {
		n = vox_media_protect(m, buf, (size_t)n, cap, rtcp);
		if (n < 0) {
			m->st.tx_errors++;
			return n;
		}
	}
	if (rtcp) {
		m->st.rtcp_sent++;
		to->addr = m->rtcp_addr;
		to->rtcp_port = !m->cfg.rtcp_mux;
	} else {
		to->addr = m->cfg.remote_rtp;
		to->rtcp_port = 0;
	}
	return n;
}

static int send_rtp(struct vox_media *m, uint8_t pt, uint8_t marker, uint32_t ts,
                    const uint8_t *payload, size_t len, uint8_t *buf, size_t cap,
                    struct vox_media_dest *to)
{
	struct vox_rtp_packet pkt;
	vox_rtp_packet_init(&pkt);
	pkt.pt = pt;
	pkt.marker = marker;
	pkt.ts = ts;
	pkt.payload = payload;
	pkt.payload_len = len;
	/* Room for the SRTP trailer stays free behind the packet. */
	int n = vox_rtp_session_send(&m->rtp, &pkt, buf, cap - VOX_MEDIA_TRAILER_MAX, m->now);
	if (n < 0) {
		m->st.tx_errors++;
		return n;
	}
	return finish(m, buf, n, cap, 0, to);
}

int vox_media_poll_output(struct vox_media *m, uint8_t *buf, size_t cap, struct vox_media_dest *to)
{
	if (m->state == VOX_MEDIA_IDLE)
		return 0;
	if (cap < VOX_MEDIA_OUT_MAX)
		return VOX_ENOSPC;
	if ((uintptr_t)buf % 4)
		return VOX_EINVAL;
#if VOX_MEDIA_ZRTP
	/* the key agreement first, under every requirement: it carries no
	 * media, and it is what lets media flow under MANDATORY */
	if (m->state != VOX_MEDIA_STOPPED) {
		int z = vox_media_zrtp_poll(m, buf, cap, to);
		if (z != 0)
			return z;
	}
#endif
	if (vox_media_blocked(m))
		return 0; /* under MANDATORY without keys, not one media packet */
	int n = vox_rtp_session_poll_output(&m->rtp, buf, cap - VOX_MEDIA_TRAILER_MAX, m->now);
	if (n > 0)
		return finish(m, buf, n, cap, 1, to);
	if (n < 0) {
		m->st.tx_errors++;
		return n;
	}
	if (m->dtmf_pending) {
		m->dtmf_pending = 0;
		n = send_rtp(m, m->cfg.dtmf_pt, m->dtmf_marker, m->dtmf_ts, m->dtmf_payload,
		             sizeof m->dtmf_payload, buf, cap, to);
		if (n > 0)
			m->st.dtmf_sent++;
		return n;
	}
	if (m->audio_pending) {
		m->audio_pending = 0;
		n = send_rtp(m, m->cfg.pt, m->tx_marker, m->audio_ts, m->audio, m->audio_len, buf,
		             cap, to);
		if (n > 0) {
			m->st.audio_sent++;
			m->tx_marker = 0;
		}
		return n;
	}
	return 0;
}
