/* SPDX-License-Identifier: MIT */
/* ZRTP (RFC 6189) inside the media engine: one session per call on the
 * RTP port. What this file adds to the engine, and nothing more:
 *   - the session's packets are taken from the shared port (RFC 7983: the
 *     first byte 16..19 and the "ZRTP" cookie) and sent first by
 *     poll_output, under every requirement, since they carry no media;
 *   - its timers, and a watch on its setup time, are in the deadline;
 *   - what it reports becomes VOX_MEDIA_EV_ZRTP_* events;
 *   - once it is SECURE its keys go through the engine's one key source,
 *     vox_media_set_keys, as SDES keys do: the RTP path never knows where
 *     its keys came from. */
#include <string.h>

#include "media/media_int.h"

#if VOX_MEDIA_ZRTP

static struct vox_media_event zev(enum vox_media_ev_type t)
{
	struct vox_media_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = t;
	return ev;
}

/* RFC 6189 5.1.3, 5.1.4: AES1/AES3 (used in counter mode by SRTP) and
 * HS32/HS80 name one of the suites libsrtp2 runs (SRTCP keeps its 80-bit
 * tag with HS32, as RFC 4568 6.2.2 says of AES_CM_128_HMAC_SHA1_32). */
static enum vox_srtp_suite suite_of(const struct vox_zrtp_srtp *k)
{
	int hs32 = k->auth_tag == VOX_ZRTP_HS32;
	if (k->auth_tag != VOX_ZRTP_HS32 && k->auth_tag != VOX_ZRTP_HS80)
		return VOX_SRTP_NONE;
	if (k->cipher == VOX_ZRTP_AES1 && k->key_len == 16)
		return hs32 ? VOX_SRTP_AES_CM_128_HMAC_SHA1_32 : VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	if (k->cipher == VOX_ZRTP_AES3 && k->key_len == 32)
		return hs32 ? VOX_SRTP_AES_256_CM_HMAC_SHA1_32 : VOX_SRTP_AES_256_CM_HMAC_SHA1_80;
	return VOX_SRTP_NONE;
}

static void failed(struct vox_media *m, uint32_t code, int by_peer, int timeout)
{
	struct vox_media_event ev = zev(VOX_MEDIA_EV_ZRTP_FAILED);
	ev.zrtp.code = code;
	ev.zrtp.by_peer = (uint8_t)by_peer;
	ev.zrtp.timeout = (uint8_t)timeout;
	m->zrtp_over = 1;
	m->zrtp_until = UINT64_MAX;
	vox_media_push_event(m, &ev);
}

/* The session is SECURE: its keys become the engine's. */
static void take_keys(struct vox_media *m)
{
	struct vox_zrtp_srtp zk;
	struct vox_media_keys k;
	memset(&k, 0, sizeof k);
	int rc = vox_zrtp_srtp_keys(&m->zrtp, &zk);
	enum vox_srtp_suite s = rc == 0 ? suite_of(&zk) : VOX_SRTP_NONE;
	if (s != VOX_SRTP_NONE) {
		k.source = VOX_MEDIA_PROT_ZRTP;
		k.tx.suite = k.rx.suite = s;
		memcpy(k.tx.key, zk.tx_key, zk.key_len);
		memcpy(k.tx.salt, zk.tx_salt, VOX_ZRTP_SALT_LEN);
		memcpy(k.rx.key, zk.rx_key, zk.key_len);
		memcpy(k.rx.salt, zk.rx_salt, VOX_ZRTP_SALT_LEN);
		rc = vox_media_set_keys(m, &k, m->now);
	} else if (rc == 0) {
		rc = VOX_EUNSUPPORTED; /* not reached: vox offers only these */
	}
	vox_wipe(&zk, sizeof zk);
	vox_wipe(&k, sizeof k);
	m->zrtp_over = 1;
	m->zrtp_until = UINT64_MAX;
	if (rc < 0) {
		/* keys agreed that libsrtp2 will not take: no protection came
		 * of it, which is a failure to the user */
		failed(m, VOX_ZRTP_ERR_SOFTWARE, 0, 0);
		return;
	}
	struct vox_media_event ev = zev(VOX_MEDIA_EV_ZRTP_SECURE);
	ev.prot = m->prot;
	vox_media_push_event(m, &ev);
}

/* What the session reported becomes the engine's events. */
static void pump(struct vox_media *m)
{
	struct vox_zrtp_event ze;
	while (vox_zrtp_next_event(&m->zrtp, &ze)) {
		struct vox_media_event ev;
		switch (ze.type) {
		case VOX_ZRTP_EV_SAS:
			ev = zev(VOX_MEDIA_EV_ZRTP_SAS);
			memcpy(ev.zrtp.sas, ze.sas, sizeof ev.zrtp.sas);
			ev.zrtp.sas[sizeof ev.zrtp.sas - 1] = 0;
			ev.zrtp.rendering = ze.rendering;
			ev.zrtp.verified = ze.verified;
			ev.zrtp.continuity = (uint8_t)ze.continuity;
			m->zrtp_verified = ze.verified;
			vox_media_push_event(m, &ev);
			break;
		case VOX_ZRTP_EV_SECURE: take_keys(m); break;
		case VOX_ZRTP_EV_FAILED: failed(m, ze.code, ze.by_peer, 0); break;
		case VOX_ZRTP_EV_HELLO_HASH_MISMATCH:
			ev = zev(VOX_MEDIA_EV_ZRTP_HASH_MISMATCH);
			vox_media_push_event(m, &ev);
			break;
		/* 7.3: check_pbx reports the M flag already. Enrollment and a
		 * relayed SAS wait for a person's yes (vox_zrtp_enroll,
		 * vox_zrtp_accept_relay), which no caller of the media engine
		 * asks yet: unanswered, they are a no */
		case VOX_ZRTP_EV_PBX:
		case VOX_ZRTP_EV_ENROLL:
		case VOX_ZRTP_EV_SAS_RELAY: break;
		}
	}
}

/* RFC 6189 7.3: a Hello with the M flag is a trusted MitM's (a PBX). Read
 * from the Hello the session took (it keeps the message from its preamble
 * on): the flags word follows the ZID, at byte 76. */
#define HELLO_FLAGS_AT 76
static void check_pbx(struct vox_media *m)
{
	const struct vox_zrtp *z = &m->zrtp;
	if (m->zrtp_pbx || !z->have_peer_hello || z->peer_hello_len <= HELLO_FLAGS_AT)
		return;
	m->zrtp_pbx = 1;
	if (z->peer_hello[HELLO_FLAGS_AT] & 0x20) {
		struct vox_media_event ev = zev(VOX_MEDIA_EV_ZRTP_PBX);
		vox_media_push_event(m, &ev);
	}
}

int vox_media_zrtp_start(struct vox_media *m, const struct vox_zrtp_config *cfg,
                         const struct vox_rng *rng, uint32_t timeout_ms, uint64_t now)
{
	if (m->zrtp_on || m->state == VOX_MEDIA_STOPPED)
		return VOX_ESTATE;
	if (!cfg || timeout_ms == 0)
		return VOX_EINVAL;
	struct vox_zrtp_config c = *cfg;
	c.ssrc = m->state == VOX_MEDIA_IDLE ? 0 : m->rtp.ssrc;
	vox_zrtp_init(&m->zrtp);
	int rc = vox_zrtp_start(&m->zrtp, &c, rng, now);
	if (rc < 0) {
		vox_zrtp_free(&m->zrtp);
		return rc;
	}
	m->zrtp_on = 1;
	m->zrtp_over = 0;
	m->zrtp_pbx = 0;
	m->zrtp_verified = 0;
	m->zrtp_timeout_ms = timeout_ms;
	m->zrtp_until = UINT64_MAX;
	if (m->state != VOX_MEDIA_IDLE)
		vox_media_zrtp_started(m, vox_media_tick(m, now));
	return 0;
}

void vox_media_zrtp_started(struct vox_media *m, uint64_t now)
{
	if (!m->zrtp_on || m->zrtp_over)
		return;
	/* the SSRC our ZRTP packets carry is our media's (RFC 6189 5),
	 * known once the RTP session started */
	m->zrtp.cfg.ssrc = m->rtp.ssrc;
	m->zrtp_until = now + m->zrtp_timeout_ms;
}

int vox_media_zrtp_own_hash(const struct vox_media *m, char *out, size_t cap)
{
	char v[5 + 64 + 1];
	if (!m->zrtp_on)
		return VOX_ESTATE;
	if (cap < 65)
		return VOX_ENOSPC;
	int n = vox_zrtp_own_hello_hash(&m->zrtp, v, sizeof v);
	if (n != 69)
		return n < 0 ? n : VOX_ESTATE;
	memcpy(out, v + 5, 64); /* after "1.10 " */
	out[64] = 0;
	return 64;
}

int vox_media_zrtp_expect_hash(struct vox_media *m, const uint8_t hash[32])
{
	static const char hexd[] = "0123456789abcdef";
	char v[5 + 64];
	if (!m->zrtp_on)
		return VOX_ESTATE;
	memcpy(v, "1.10 ", 5);
	for (size_t i = 0; i < 32; i++) {
		v[5 + 2 * i] = hexd[hash[i] >> 4];
		v[6 + 2 * i] = hexd[hash[i] & 15];
	}
	int rc = vox_zrtp_expect_hello_hash(&m->zrtp, vox_slice_make(v, sizeof v));
	pump(m);
	return rc < 0 ? rc : 0;
}

int vox_media_zrtp_set_verified(struct vox_media *m, int verified)
{
	if (!m->zrtp_on)
		return VOX_ESTATE;
	int rc = vox_zrtp_set_verified(&m->zrtp, verified);
	if (rc == 0)
		m->zrtp_verified = (uint8_t)(verified != 0);
	return rc;
}

const struct vox_zrtp *vox_media_zrtp(const struct vox_media *m)
{
	return m->zrtp_on ? &m->zrtp : NULL;
}

int vox_media_zrtp_verified(const struct vox_media *m)
{
	return m->zrtp_on && m->prot == VOX_MEDIA_PROT_ZRTP && m->zrtp_verified;
}

/* ---- the engine's side (media_int.h) ---------------------------------------------- */

int vox_media_zrtp_recv(struct vox_media *m, const uint8_t *buf, size_t len,
                        const struct vox_addr *from)
{
	if (!m->zrtp_on)
		return VOX_DEMUX_ZRTP; /* not ours: handed back, as before */
	/* the peer's RTP address only (RFC 6189 shares its port with RTP) */
	if (!from || !vox_media_addr_eq(from, &m->cfg.remote_rtp)) {
		m->st.bad_source++;
		return VOX_ENOTFOUND;
	}
	m->st.zrtp_taken++;
	(void)vox_zrtp_recv(&m->zrtp, buf, len, m->now); /* drops are in m->zrtp.st */
	check_pbx(m);
	pump(m);
	return 0;
}

int vox_media_zrtp_poll(struct vox_media *m, uint8_t *buf, size_t cap, struct vox_media_dest *to)
{
	if (!m->zrtp_on)
		return 0;
	int n = vox_zrtp_poll_output(&m->zrtp, buf, cap);
	if (n <= 0)
		return n;
	m->st.zrtp_sent++;
	to->addr = m->cfg.remote_rtp;
	to->rtcp_port = 0;
	return n;
}

uint64_t vox_media_zrtp_deadline(const struct vox_media *m)
{
	if (!m->zrtp_on)
		return UINT64_MAX;
	uint64_t d = vox_zrtp_next_deadline(&m->zrtp);
	return m->zrtp_until < d ? m->zrtp_until : d;
}

void vox_media_zrtp_on_deadline(struct vox_media *m, uint64_t now)
{
	if (!m->zrtp_on)
		return;
	vox_zrtp_on_deadline(&m->zrtp, now);
	pump(m);
	if (!m->zrtp_over && now >= m->zrtp_until) {
		/* the setup time ran out: the session is over, its timers
		 * with it (its secrets wiped) */
		failed(m, VOX_ZRTP_ERR_TIMEOUT, 0, 1);
		vox_zrtp_free(&m->zrtp);
		vox_zrtp_init(&m->zrtp);
	}
}

void vox_media_zrtp_free(struct vox_media *m)
{
	vox_zrtp_free(&m->zrtp);
	m->zrtp_on = 0;
}

#endif /* VOX_MEDIA_ZRTP */
