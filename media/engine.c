/* SPDX-License-Identifier: MIT */
/* The media engine's life cycle: configuration, the four states, events
 * and timers. The packet paths are in rx.c and tx.c, the keys in keys.c. */
#include <string.h>

#include "media/media_int.h"

#define DEFAULT_JB_MIN_MS 40
#define DEFAULT_JB_MAX_MS 200
#define MIN_PTIME_MS      10
#define IP_UDP_RTP        40 /* IPv4 + UDP + RTP header bytes per packet */

void vox_media_config_init(struct vox_media_config *cfg, const struct vox_addr *remote_rtp,
                           struct vox_slice cname)
{
	memset(cfg, 0, sizeof *cfg);
	cfg->pt = VOX_RTP_PT_PCMU;
	cfg->law = VOX_G711_ULAW;
	cfg->clock_rate = VOX_G711_RATE;
	cfg->ptime_ms = 20;
	cfg->dir = VOX_MEDIA_SENDRECV;
	if (remote_rtp)
		cfg->remote_rtp = *remote_rtp;
	cfg->rtcp_mux = 1;
	cfg->require = VOX_MEDIA_REQUIRE_OPTIONAL;
	cfg->cname = cname;
}

void vox_media_init(struct vox_media *m)
{
	memset(m, 0, sizeof *m);
	vox_rtp_session_init(&m->rtp);
	vox_jb_init(&m->jb);
	vox_dtmf_tx_init(&m->dtmf_tx, VOX_G711_RATE, 20);
	vox_dtmf_rx_init(&m->dtmf_rx, VOX_G711_RATE);
#if VOX_WITH_SRTP
	vox_srtp_session_init(&m->tx);
	vox_srtp_session_init(&m->rx);
	vox_srtp_session_init(&m->rx_old);
	m->rx_old_until = UINT64_MAX;
#endif
}

/* ---- configuration --------------------------------------------------------- */

static int addr_ok(const struct vox_addr *a)
{
	return a->family == 4 || a->family == 6;
}

/* RFC 5761 4: with payload types 64..95 an RTP packet with the marker bit
 * reads as RTCP (types 192..223). vox's demultiplexer tells them apart that
 * way on every port, so these types are refused with or without rtcp-mux. */
static int pt_ok(uint8_t pt)
{
	return pt <= 127 && (pt < 64 || pt > 95);
}

static uint32_t frame_of(uint32_t rate, uint32_t ms)
{
	return (uint32_t)((uint64_t)rate * ms / 1000);
}

static int jb_params(const struct vox_media_config *cfg, struct vox_jb_params *p)
{
	uint32_t rx_ms = cfg->rx_ptime_ms ? cfg->rx_ptime_ms : cfg->ptime_ms;
	uint32_t fit = (VOX_JB_SLOTS - 1) * rx_ms;
	p->clock_rate = cfg->clock_rate;
	p->frame_ms = rx_ms;
	p->min_delay_ms = cfg->jb_min_ms ? cfg->jb_min_ms : DEFAULT_JB_MIN_MS;
	p->max_delay_ms = cfg->jb_max_ms ? cfg->jb_max_ms : DEFAULT_JB_MAX_MS;
	if (!cfg->jb_max_ms && p->max_delay_ms > fit)
		p->max_delay_ms = fit;
	if (!cfg->jb_min_ms && p->min_delay_ms > p->max_delay_ms)
		p->min_delay_ms = p->max_delay_ms;
	/* vox_jb_configure refuses what its slots cannot hold. */
	struct vox_jb probe;
	vox_jb_init(&probe);
	return vox_jb_configure(&probe, p);
}

static int check_config(const struct vox_media_config *cfg, struct vox_jb_params *jp)
{
	if (!cfg || cfg->clock_rate != VOX_G711_RATE || !pt_ok(cfg->pt) ||
	    (cfg->dtmf_pt && (!pt_ok(cfg->dtmf_pt) || cfg->dtmf_pt == cfg->pt)) ||
	    (cfg->law != VOX_G711_ULAW && cfg->law != VOX_G711_ALAW) ||
	    (unsigned)cfg->dir > VOX_MEDIA_SENDRECV ||
	    (unsigned)cfg->require > VOX_MEDIA_REQUIRE_MANDATORY || !addr_ok(&cfg->remote_rtp))
		return VOX_EINVAL;
	uint32_t rx_ms = cfg->rx_ptime_ms ? cfg->rx_ptime_ms : cfg->ptime_ms;
	if (cfg->ptime_ms < MIN_PTIME_MS || rx_ms < MIN_PTIME_MS ||
	    frame_of(cfg->clock_rate, cfg->ptime_ms) > VOX_JB_MAX_FRAME ||
	    frame_of(cfg->clock_rate, rx_ms) > VOX_JB_MAX_FRAME)
		return VOX_EINVAL;
	if (!cfg->rtcp_mux) {
		/* RFC 3605: a=rtcp names the port (and maybe the address);
		 * without it RTCP goes to the RTP port + 1 (RFC 3550 11). */
		if (cfg->remote_rtcp.port ? !addr_ok(&cfg->remote_rtcp)
		                          : cfg->remote_rtp.port == 65535)
			return VOX_EINVAL;
	}
	return jb_params(cfg, jp) < 0 ? VOX_EINVAL : 0;
}

static void apply_addrs(struct vox_media *m)
{
	const struct vox_media_config *c = &m->cfg;
	if (c->rtcp_mux) {
		m->rtcp_addr = c->remote_rtp;
	} else if (c->remote_rtcp.port) {
		m->rtcp_addr = c->remote_rtcp;
	} else {
		m->rtcp_addr = c->remote_rtp;
		m->rtcp_addr.port = (uint16_t)(c->remote_rtp.port + 1);
	}
}

static void start_receiving(struct vox_media *m)
{
	m->last_rx_ms = m->now;
	m->silent = 0;
}

int vox_media_start(struct vox_media *m, const struct vox_media_config *cfg,
                    const struct vox_rng *rng, uint64_t now)
{
	struct vox_jb_params jp;
	if (m->state != VOX_MEDIA_IDLE)
		return VOX_ESTATE;
	if (!rng || !rng->fn || check_config(cfg, &jp) < 0 || cfg->cname.len == 0 ||
	    cfg->cname.len > VOX_RTCP_MAX_CNAME || !cfg->cname.p)
		return VOX_EINVAL;
#if VOX_WITH_SRTP
	if (m->have_keys && cfg->require == VOX_MEDIA_REQUIRE_OFF)
		return VOX_EPOLICY;
#endif
	/* RFC 3550 6.2: the session bandwidth is both streams, headers
	 * included; RTCP takes 5 % of it. */
	uint32_t per_s =
	    (frame_of(cfg->clock_rate, cfg->ptime_ms) + IP_UDP_RTP) * 1000 / cfg->ptime_ms;
	struct vox_rtp_params rp;
	memset(&rp, 0, sizeof rp);
	rp.clock_rate = cfg->clock_rate;
	rp.session_bw = 2 * per_s;
	rp.rtcp_min_ms = cfg->rtcp_min_ms;
	rp.ntp_base_ms = cfg->ntp_base_ms;
	rp.cname = cfg->cname;
	int rc = vox_rtp_session_start(&m->rtp, &rp, rng, now);
	if (rc < 0)
		return rc;
	rc = vox_media_keys_start(m);
	if (rc < 0) {
		vox_rtp_session_init(&m->rtp);
		return rc;
	}
	m->cfg = *cfg;
	m->cfg.cname.p = NULL;
	m->cfg.cname.len = 0;
	apply_addrs(m);
	m->now = now;
	m->tx_frame = frame_of(cfg->clock_rate, cfg->ptime_ms);
	m->rx_frame = frame_of(cfg->clock_rate, jp.frame_ms);
	if (vox_jb_configure(&m->jb, &jp) < 0)
		return VOX_EINVAL; /* not reached: check_config tried these */
	vox_dtmf_tx_init(&m->dtmf_tx, cfg->clock_rate, cfg->ptime_ms);
	vox_dtmf_rx_init(&m->dtmf_rx, cfg->clock_rate);
	m->tx_marker = 1;
	m->state = VOX_MEDIA_WAITING;
#if VOX_MEDIA_ZRTP
	vox_media_zrtp_started(m, now);
#endif
	vox_media_settle(m, 0);
	return 0;
}

int vox_media_update(struct vox_media *m, const struct vox_media_config *cfg, uint64_t now)
{
	struct vox_jb_params jp;
	if (m->state == VOX_MEDIA_IDLE || m->state == VOX_MEDIA_STOPPED)
		return VOX_ESTATE;
	if (check_config(cfg, &jp) < 0)
		return VOX_EINVAL;
	if (cfg->require < m->cfg.require)
		return VOX_EPOLICY;
	vox_media_tick(m, now);
	struct vox_media_config old = m->cfg;
	m->cfg = *cfg;
	m->cfg.cname = old.cname;
	m->cfg.rtcp_min_ms = old.rtcp_min_ms;
	m->cfg.ntp_base_ms = old.ntp_base_ms;
	apply_addrs(m);

	int sends = (cfg->dir & VOX_MEDIA_SENDONLY) != 0;
	int sent = (old.dir & VOX_MEDIA_SENDONLY) != 0;
	int recvs = (cfg->dir & VOX_MEDIA_RECVONLY) != 0;
	int recvd = (old.dir & VOX_MEDIA_RECVONLY) != 0;
	if (cfg->ptime_ms != old.ptime_ms || (sent && !sends)) {
		vox_media_drop_tx(m);
		vox_dtmf_tx_init(&m->dtmf_tx, cfg->clock_rate, cfg->ptime_ms);
		m->tx_frame = frame_of(cfg->clock_rate, cfg->ptime_ms);
	}
	if (sends && !sent)
		m->tx_marker = 1;
	/* Frames of another codec or size, or from before a pause, must not
	 * play: start the jitter buffer afresh. */
	if (cfg->pt != old.pt || cfg->law != old.law || m->jb.p.frame_ms != jp.frame_ms ||
	    m->jb.p.min_delay_ms != jp.min_delay_ms || m->jb.p.max_delay_ms != jp.max_delay_ms ||
	    (recvd && !recvs)) {
		if (vox_jb_configure(&m->jb, &jp) < 0)
			return VOX_EINVAL; /* not reached: check_config tried these */
		m->rx_frame = frame_of(cfg->clock_rate, jp.frame_ms);
		m->last_len = 0;
		m->lost_run = 0;
	}
	if (cfg->dtmf_pt != old.dtmf_pt) {
		vox_dtmf_rx_init(&m->dtmf_rx, cfg->clock_rate);
		m->dtmf_pending = 0;
		m->dq_len = 0;
		vox_dtmf_tx_init(&m->dtmf_tx, cfg->clock_rate, cfg->ptime_ms);
	}
	/* A new peer address, or receiving again: give it silence_ms. */
	if ((recvs && !recvd) || !vox_media_addr_eq(&cfg->remote_rtp, &old.remote_rtp))
		start_receiving(m);
	vox_media_settle(m, 0);
	return 0;
}

int vox_media_stop(struct vox_media *m, uint64_t now)
{
	if (m->state == VOX_MEDIA_IDLE || m->state == VOX_MEDIA_STOPPED)
		return VOX_ESTATE;
	now = vox_media_tick(m, now);
	struct vox_slice none = {NULL, 0};
	int rc = vox_rtp_session_bye(&m->rtp, none, now);
	if (rc < 0)
		return rc;
	vox_media_drop_tx(m);
	m->state = VOX_MEDIA_STOPPED;
	return 0;
}

void vox_media_free(struct vox_media *m)
{
	if (!m)
		return;
	vox_media_keys_free(m);
#if VOX_MEDIA_ZRTP
	vox_media_zrtp_free(m);
#endif
	vox_wipe(m, sizeof *m);
}

/* ---- states -------------------------------------------------------------------- */

void vox_media_drop_tx(struct vox_media *m)
{
	m->audio_pending = 0;
	m->dtmf_pending = 0;
	m->dq_len = 0;
	vox_dtmf_tx_init(&m->dtmf_tx, m->dtmf_tx.clock_rate, m->dtmf_tx.interval_ms);
	m->tx_marker = 1;
}

/* The one place the engine moves between WAITING and FLOWING:
 *   WAITING -> FLOWING  keys arrived under MANDATORY, or the requirement
 *                       allows clear media (at start): EV_STARTED
 *   FLOWING -> WAITING  keys removed, or the requirement raised to
 *                       MANDATORY without keys: what waits to be sent goes */
void vox_media_settle(struct vox_media *m, int keys_changed)
{
	if (m->state != VOX_MEDIA_WAITING && m->state != VOX_MEDIA_FLOWING)
		return;
	enum vox_media_state to = vox_media_blocked(m) ? VOX_MEDIA_WAITING : VOX_MEDIA_FLOWING;
	struct vox_media_event ev;
	memset(&ev, 0, sizeof ev);
	ev.prot = m->prot;
	if (m->state == VOX_MEDIA_WAITING && to == VOX_MEDIA_FLOWING) {
		ev.type = VOX_MEDIA_EV_STARTED;
		vox_media_push_event(m, &ev);
		m->tx_marker = 1;
		start_receiving(m);
	} else {
		if (to == VOX_MEDIA_WAITING && m->state == VOX_MEDIA_FLOWING)
			vox_media_drop_tx(m);
		if (keys_changed) {
			ev.type = VOX_MEDIA_EV_PROTECTION;
			vox_media_push_event(m, &ev);
		}
	}
	m->state = to;
}

enum vox_media_prot vox_media_prot(const struct vox_media *m)
{
	return m->prot;
}

const struct vox_media_stats *vox_media_stats(const struct vox_media *m)
{
	return &m->st;
}

/* ---- events ---------------------------------------------------------------------- */

void vox_media_push_event(struct vox_media *m, const struct vox_media_event *ev)
{
	if (m->ev_len == VOX_MEDIA_MAX_EVENTS) {
		m->ev_head = (m->ev_head + 1) % VOX_MEDIA_MAX_EVENTS;
		m->ev_len--;
		m->st.ev_dropped++;
	}
	m->ev[(m->ev_head + m->ev_len) % VOX_MEDIA_MAX_EVENTS] = *ev;
	m->ev_len++;
}

int vox_media_next_event(struct vox_media *m, struct vox_media_event *ev)
{
	if (m->ev_len == 0)
		return 0;
	*ev = m->ev[m->ev_head];
	m->ev_head = (m->ev_head + 1) % VOX_MEDIA_MAX_EVENTS;
	m->ev_len--;
	return 1;
}

void vox_media_pump_rtp(struct vox_media *m)
{
	struct vox_rtp_event re;
	while (vox_rtp_session_next_event(&m->rtp, &re)) {
		struct vox_media_event ev;
		memset(&ev, 0, sizeof ev);
		ev.ssrc = re.ssrc;
		if (re.type == VOX_RTP_EV_REPORT) {
			ev.type = VOX_MEDIA_EV_REPORT;
			ev.report.fraction_lost = re.rb.fraction_lost;
			ev.report.cumulative_lost = re.rb.cumulative_lost;
			ev.report.jitter_ms =
			    (uint32_t)((uint64_t)re.rb.jitter * 1000 / m->rtp.p.clock_rate);
			ev.report.rtt_ms = re.rtt_ms;
		} else if (re.type == VOX_RTP_EV_BYE) {
			ev.type = VOX_MEDIA_EV_REMOTE_BYE;
		} else {
			continue; /* sources, collisions, loops: the session keeps them */
		}
		vox_media_push_event(m, &ev);
	}
}

void vox_media_pump_dtmf(struct vox_media *m)
{
	struct vox_dtmf_event de;
	while (vox_dtmf_rx_next_event(&m->dtmf_rx, &de)) {
		struct vox_media_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = VOX_MEDIA_EV_DTMF;
		ev.dtmf.digit = vox_dtmf_digit_of(de.event);
		ev.dtmf.event = de.event;
		ev.dtmf.end = de.type == VOX_DTMF_END;
		if (ev.dtmf.end)
			ev.dtmf.duration_ms =
			    (uint32_t)((uint64_t)de.duration * 1000 / m->dtmf_rx.clock_rate);
		vox_media_push_event(m, &ev);
	}
}

/* ---- timers ------------------------------------------------------------------------- */

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static int sending(const struct vox_media *m)
{
	return m->state == VOX_MEDIA_FLOWING && (m->cfg.dir & VOX_MEDIA_SENDONLY);
}

static int watching_silence(const struct vox_media *m)
{
	return m->state == VOX_MEDIA_FLOWING && (m->cfg.dir & VOX_MEDIA_RECVONLY) &&
	       m->cfg.silence_ms && !m->silent;
}

uint64_t vox_media_next_deadline(const struct vox_media *m)
{
	if (m->state == VOX_MEDIA_IDLE)
		return UINT64_MAX;
	uint64_t d = vox_rtp_session_next_deadline(&m->rtp);
	if (m->state == VOX_MEDIA_STOPPED)
		return d;
	d = min64(d, vox_dtmf_rx_next_deadline(&m->dtmf_rx));
	d = min64(d, vox_media_keys_deadline(m));
#if VOX_MEDIA_ZRTP
	d = min64(d, vox_media_zrtp_deadline(m));
#endif
	if (sending(m)) {
		d = min64(d, vox_dtmf_tx_next_deadline(&m->dtmf_tx));
		if (!vox_dtmf_tx_busy(&m->dtmf_tx) && m->dq_len)
			d = min64(d, m->dtmf_next_ms);
	}
	if (watching_silence(m))
		d = min64(d, m->last_rx_ms + m->cfg.silence_ms);
	return d;
}

#define DTMF_VOLUME 10 /* the tone's power, -10 dBm0 (RFC 4733 2.3.4) */
#define DTMF_GAP_MS 60 /* between digits: above the 40 ms pause of ITU-T Q.24 */

/* Starts the next queued digit when it is time, and takes the packet the
 * sender has due. */
static void dtmf_tx(struct vox_media *m, uint64_t now)
{
	if (!vox_dtmf_tx_busy(&m->dtmf_tx) && m->dq_len && now >= m->dtmf_next_ms) {
		uint8_t ev = m->dq_event[m->dq_head];
		uint16_t ms = m->dq_ms[m->dq_head];
		m->dq_head = (uint8_t)((m->dq_head + 1) % VOX_MEDIA_DTMF_QUEUE);
		m->dq_len--;
		/* 2.5.1.2: the event's timestamp is the media time it began. */
		if (vox_dtmf_tx_start(&m->dtmf_tx, ev, DTMF_VOLUME, ms, m->tx_units, now) < 0)
			m->st.tx_errors++; /* not reached: idle, volume and rate checked */
	}
	struct vox_dtmf_out o;
	if (!vox_dtmf_tx_poll(&m->dtmf_tx, now, &o))
		return;
	if (m->dtmf_pending)
		m->st.tx_overrun++; /* the previous update was not polled: this one supersedes it */
	m->dtmf_pending = 1;
	m->dtmf_marker = o.pkt.marker;
	m->dtmf_ts = o.pkt.ts;
	memcpy(m->dtmf_payload, o.payload, sizeof m->dtmf_payload);
	if (!vox_dtmf_tx_busy(&m->dtmf_tx))
		m->dtmf_next_ms = now + DTMF_GAP_MS;
}

int vox_media_on_deadline(struct vox_media *m, uint64_t now)
{
	if (m->state == VOX_MEDIA_IDLE)
		return 0;
	now = vox_media_tick(m, now);
	int rc = vox_rtp_session_on_deadline(&m->rtp, now);
	vox_media_pump_rtp(m);
	if (m->state == VOX_MEDIA_STOPPED)
		return rc;
	vox_dtmf_rx_on_deadline(&m->dtmf_rx, now);
	vox_media_pump_dtmf(m);
	vox_media_keys_on_deadline(m, now);
#if VOX_MEDIA_ZRTP
	vox_media_zrtp_on_deadline(m, now);
#endif
	if (sending(m))
		dtmf_tx(m, now);
	if (watching_silence(m) && now >= m->last_rx_ms + m->cfg.silence_ms) {
		struct vox_media_event ev;
		memset(&ev, 0, sizeof ev);
		ev.type = VOX_MEDIA_EV_REMOTE_SILENCE;
		vox_media_push_event(m, &ev);
		m->silent = 1;
	}
	return rc;
}

/* ---- names ----------------------------------------------------------------------------- */

const char *vox_media_prot_name(enum vox_media_prot p)
{
	switch (p) {
	case VOX_MEDIA_PROT_NONE: return "none";
	case VOX_MEDIA_PROT_SDES: return "srtp-sdes";
	case VOX_MEDIA_PROT_ZRTP: return "srtp-zrtp";
	}
	return "unknown";
}

const char *vox_media_ev_name(enum vox_media_ev_type t)
{
	switch (t) {
	case VOX_MEDIA_EV_STARTED: return "started";
	case VOX_MEDIA_EV_PROTECTION: return "protection";
	case VOX_MEDIA_EV_FIRST_PACKET: return "first-packet";
	case VOX_MEDIA_EV_SRTP_FAILURE: return "srtp-failure";
	case VOX_MEDIA_EV_REPORT: return "report";
	case VOX_MEDIA_EV_DTMF: return "dtmf";
	case VOX_MEDIA_EV_REMOTE_SILENCE: return "remote-silence";
	case VOX_MEDIA_EV_REMOTE_ACTIVE: return "remote-active";
	case VOX_MEDIA_EV_REMOTE_BYE: return "remote-bye";
	case VOX_MEDIA_EV_KEY_SOFT_LIMIT: return "key-soft-limit";
	case VOX_MEDIA_EV_KEY_EXPIRED: return "key-expired";
	case VOX_MEDIA_EV_ZRTP_SAS: return "zrtp-sas";
	case VOX_MEDIA_EV_ZRTP_SECURE: return "zrtp-secure";
	case VOX_MEDIA_EV_ZRTP_HASH_MISMATCH: return "zrtp-hash-mismatch";
	case VOX_MEDIA_EV_ZRTP_PBX: return "zrtp-pbx";
	case VOX_MEDIA_EV_ZRTP_FAILED: return "zrtp-failed";
	}
	return "unknown";
}
