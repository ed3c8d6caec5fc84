/* SPDX-License-Identifier: MIT */
/* The receive path: one datagram in, checked in the order that costs least
 * first (kind, size, source, direction, payload type), then SRTP, then the
 * RTP session's statistics, then the jitter buffer or the DTMF receiver;
 * and one frame out of the jitter buffer, decoded, to play. */
#include <string.h>

#include "media/media_int.h"

static int drop(uint64_t *counter, int err)
{
	(*counter)++;
	return err;
}

/* An accepted packet: the first one, or the first after a silence, is news. */
static void heard(struct vox_media *m, uint32_t ssrc)
{
	struct vox_media_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ssrc = ssrc;
	if (!m->got_first) {
		m->got_first = 1;
		ev.type = VOX_MEDIA_EV_FIRST_PACKET;
		vox_media_push_event(m, &ev);
	} else if (m->silent) {
		ev.type = VOX_MEDIA_EV_REMOTE_ACTIVE;
		vox_media_push_event(m, &ev);
	}
	m->silent = 0;
	m->last_rx_ms = m->now;
}

/* A telephone-event packet takes a sequence number of the stream the
 * jitter buffer plays: remember it, so that play does not take its gap for
 * a lost frame. */
static void note_dtmf_seq(struct vox_media *m, uint16_t seq)
{
	m->dtmf_seq[m->dtmf_seq_head] = seq;
	m->dtmf_seq_head = (uint16_t)((m->dtmf_seq_head + 1) % VOX_MEDIA_DTMF_SEQS);
	if (m->dtmf_seq_len < VOX_MEDIA_DTMF_SEQS)
		m->dtmf_seq_len++;
}

static int was_dtmf_seq(const struct vox_media *m, uint16_t seq)
{
	for (unsigned i = 0; i < m->dtmf_seq_len; i++)
		if (m->dtmf_seq[i] == seq)
			return 1;
	return 0;
}

/* RFC 4733 2.3: a telephone-event payload is one or more 4-byte reports.
 * Checked before the RTP session counts the packet, so that a refused
 * datagram leaves every statistic as it was. */
static int dtmf_payload_ok(const uint8_t *p, size_t n)
{
	struct vox_rtp_packet pkt;
	return vox_rtp_parse(p, n, &pkt, NULL) >= 0 && pkt.payload_len >= VOX_DTMF_PAYLOAD &&
	       pkt.payload_len % VOX_DTMF_PAYLOAD == 0;
}

static int take_rtp(struct vox_media *m, const uint8_t *p, size_t n)
{
	struct vox_rtp_packet pkt;
	if ((p[1] & 0x7f) != m->cfg.pt && !dtmf_payload_ok(p, n))
		return drop(&m->st.malformed, VOX_EMALFORMED);
	int rc = vox_rtp_session_recv_rtp(&m->rtp, p, n, MEDIA_FROM_RTP, m->now, &pkt);
	vox_media_pump_rtp(m);
	if (rc < 0)
		return drop(rc == VOX_ERNG ? &m->st.rx_errors : &m->st.malformed, rc);
	m->st.rtp_accepted++;
	if (rc == 0)
		return 0; /* RFC 3550 A.1 probation, or our own SSRC (8.2) */
	heard(m, pkt.ssrc);
	if (pkt.pt == m->cfg.pt) {
		/* Late and duplicate frames are counted in m->jb.st; the
		 * packet was good RTP all the same. */
		int jr = vox_jb_put(&m->jb, &pkt, m->now);
		(void)jr;
		return 0;
	}
	note_dtmf_seq(m, pkt.seq);
	int dr = vox_dtmf_rx_recv(&m->dtmf_rx, &pkt, m->now);
	(void)dr; /* cannot fail: dtmf_payload_ok checked the payload */
	vox_media_pump_dtmf(m);
	return 0;
}

static int take_rtcp(struct vox_media *m, const uint8_t *p, size_t n)
{
	int rc = vox_rtp_session_recv_rtcp(&m->rtp, p, n, MEDIA_FROM_RTCP, m->now);
	vox_media_pump_rtp(m);
	if (rc < 0)
		return drop(rc == VOX_ERNG ? &m->st.rx_errors : &m->st.malformed, rc);
	m->st.rtcp_accepted++;
	return 0;
}

int vox_media_recv(struct vox_media *m, const uint8_t *buf, size_t len, const struct vox_addr *from,
                   uint64_t now)
{
	if (m->state == VOX_MEDIA_IDLE)
		return VOX_ESTATE;
	vox_media_tick(m, now);
	/* RFC 7983 7: the first byte says which protocol; RFC 5761 4: the
	 * second tells RTCP from RTP. */
	enum vox_demux_kind kind = vox_demux_classify(buf, len);
	m->st.by_kind[kind]++;
	if (kind == VOX_DEMUX_UNKNOWN)
		return drop(&m->st.malformed, VOX_EMALFORMED);
#if VOX_MEDIA_ZRTP
	if (kind == VOX_DEMUX_ZRTP && m->state != VOX_MEDIA_STOPPED)
		return vox_media_zrtp_recv(m, buf, len, from);
#endif
	if (kind != VOX_DEMUX_RTP && kind != VOX_DEMUX_RTCP)
		return (int)kind; /* STUN, ZRTP without a session, DTLS, TURN: not ours */
	int rtcp = kind == VOX_DEMUX_RTCP;
	if (len > VOX_MEDIA_MAX_PACKET)
		return drop(&m->st.too_long, VOX_ETOOLONG);
	if (!from || !vox_media_addr_eq(from, rtcp ? &m->rtcp_addr : &m->cfg.remote_rtp))
		return drop(&m->st.bad_source, VOX_ENOTFOUND);
	if (m->state == VOX_MEDIA_STOPPED || (!rtcp && !(m->cfg.dir & VOX_MEDIA_RECVONLY)))
		return drop(&m->st.not_receiving, VOX_ESTATE);
	if (!rtcp) {
		/* Classified RTP: 12 bytes at least, version 2. */
		uint8_t pt = buf[1] & 0x7f;
		if (pt != m->cfg.pt && (m->cfg.dtmf_pt == 0 || pt != m->cfg.dtmf_pt))
			return drop(&m->st.bad_pt, VOX_EUNSUPPORTED);
	}
	const uint8_t *p = buf;
	size_t n = len;
	if (m->prot != VOX_MEDIA_PROT_NONE) {
		int rc = vox_media_unprotect(m, buf, len, rtcp, &p);
		if (rc < 0)
			return rc; /* counted, never played */
		n = (size_t)rc;
	} else if (vox_media_blocked(m)) {
		/* MANDATORY without keys: clear or not, nothing is taken. */
		return drop(&m->st.no_keys, VOX_EPOLICY);
	}
	return rtcp ? take_rtcp(m, p, n) : take_rtp(m, p, n);
}

int vox_media_play(struct vox_media *m, int16_t *pcm, size_t cap, uint64_t now)
{
	if (m->state == VOX_MEDIA_IDLE)
		return VOX_ESTATE;
	if (cap < VOX_JB_MAX_FRAME)
		return VOX_ENOSPC;
	now = vox_media_tick(m, now);
	/* Each turn either returns or skips a telephone-event's sequence
	 * number, of which the buffer holds at most VOX_JB_SLOTS. */
	for (unsigned turn = 0; turn <= VOX_JB_SLOTS; turn++) {
		struct vox_jb_frame f;
		int r = vox_jb_get(&m->jb, now, m->last, sizeof m->last, &f);
		if (r == VOX_JB_FRAME) {
			m->last_len = (uint16_t)f.len;
			m->lost_run = 0;
			m->st.played++;
			vox_g711_decode(m->cfg.law, m->last, f.len, pcm);
			return (int)f.len;
		}
		if (r != VOX_JB_CONCEAL)
			return 0; /* nothing due: buffering, a pause, or empty */
		if (was_dtmf_seq(m, (uint16_t)f.ext_seq))
			continue;
		m->st.concealed++;
		if (m->last_len == 0) {
			memset(pcm, 0, m->rx_frame * sizeof *pcm);
			return (int)m->rx_frame;
		}
		if (m->lost_run < 8)
			m->lost_run++; /* from the fifth on it is silence anyway */
		vox_g711_decode(m->cfg.law, m->last, m->last_len, pcm);
		vox_jb_conceal(pcm, m->last_len, m->lost_run, pcm);
		return (int)m->last_len;
	}
	return 0;
}
