/* SPDX-License-Identifier: MIT */
/* The key source: one call, vox_media_set_keys, turns a key set from SDES
 * or ZRTP into SRTP/SRTCP contexts (srtp_glue/, one per direction: a
 * context does both SRTP and SRTCP under its master key). Every packet that
 * leaves or arrives protected goes through vox_media_protect and
 * vox_media_unprotect here; without VOX_WITH_SRTP they are never called,
 * because the protection stays NONE. */
#include <string.h>

#include "media/media_int.h"

#if VOX_WITH_SRTP

/* RFC 4568 7.1.4: the call goes on, re-keyed. A receive key the peer may
 * still use waits at most as long as a re-INVITE transaction can last
 * (64 T1, RFC 3261 17.1.1.2) for the first packet under the new key. */
#define REKEY_MAX_WAIT_MS (64 * 500)

static int key_usable(const struct vox_srtp_key *k)
{
	return vox_srtp_suite_info(k->suite) && k->mki_len <= VOX_SRTP_MAX_MKI;
}

/* Compares without a data-dependent branch: keys are secrets. */
static int bytes_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return d == 0;
}

/* 1 if k uses the master key and salt of cur: the context of cur must go
 * on (a fresh one would run the packet index from 0 again under the same
 * key: the same keystream twice, RFC 3711 9.1). VOX_EINVAL if the same
 * key comes with another suite or MKI: there is no safe way to honour that.
 * 0 for a different key. */
static int same_key(const struct vox_srtp_key *cur, const struct vox_srtp_key *k)
{
	int eq = bytes_eq(cur->key, k->key, sizeof k->key) &
	         bytes_eq(cur->salt, k->salt, sizeof k->salt);
	if (!eq)
		return 0;
	if (cur->suite != k->suite || cur->mki_len != k->mki_len ||
	    memcmp(cur->mki, k->mki, k->mki_len) != 0)
		return VOX_EINVAL;
	return 1;
}

static int start_tx(struct vox_srtp_session *s, const struct vox_srtp_key *k, uint32_t ssrc)
{
	vox_srtp_session_init(s);
	return vox_srtp_session_start(s, VOX_SRTP_SEND, k, ssrc, 0);
}

/* The peer's SSRC is not signalled with SDES: learn it from the first
 * packets that authenticate (at most VOX_SRTP_MAX_SSRC). */
static int start_rx(struct vox_srtp_session *s, const struct vox_srtp_key *k)
{
	vox_srtp_session_init(s);
	return vox_srtp_session_start(s, VOX_SRTP_RECV, k, 0, VOX_SRTP_ANY_SSRC);
}

int vox_media_keys_start(struct vox_media *m)
{
	if (!m->have_keys)
		return 0;
	struct vox_srtp_session tx, rx;
	int rc = start_tx(&tx, &m->keys.tx, m->rtp.ssrc);
	if (rc < 0)
		return rc;
	rc = start_rx(&rx, &m->keys.rx);
	if (rc < 0) {
		vox_srtp_session_free(&tx);
		return rc;
	}
	m->tx = tx;
	m->rx = rx;
	m->prot = m->keys.source;
	return 0;
}

void vox_media_keys_free(struct vox_media *m)
{
	vox_srtp_session_free(&m->tx);
	vox_srtp_session_free(&m->rx);
	vox_srtp_session_free(&m->rx_old);
	m->rx_old_until = UINT64_MAX;
	vox_wipe(&m->keys, sizeof m->keys);
	m->have_keys = 0;
	m->prot = VOX_MEDIA_PROT_NONE;
}

/* Clear media from now on. Once started, the contexts stay (unused) with
 * the keys: if the same keys come back, their packet indexes and replay
 * windows go on where they stopped (see same_key). */
static int remove_keys(struct vox_media *m)
{
	if (m->state == VOX_MEDIA_IDLE) {
		vox_media_keys_free(m); /* no context yet, no index used */
		return 0;
	}
	int had = m->prot != VOX_MEDIA_PROT_NONE;
	m->prot = VOX_MEDIA_PROT_NONE;
	vox_media_settle(m, had);
	return 0;
}

int vox_media_set_keys(struct vox_media *m, const struct vox_media_keys *keys, uint64_t now)
{
	if (!keys)
		return VOX_EINVAL;
	if (m->state == VOX_MEDIA_STOPPED)
		return VOX_ESTATE;
	if (keys->source == VOX_MEDIA_PROT_NONE)
		return remove_keys(m);
	if ((keys->source != VOX_MEDIA_PROT_SDES && keys->source != VOX_MEDIA_PROT_ZRTP) ||
	    !key_usable(&keys->tx) || !key_usable(&keys->rx))
		return VOX_EINVAL;
	if (m->state != VOX_MEDIA_IDLE && m->cfg.require == VOX_MEDIA_REQUIRE_OFF)
		return VOX_EPOLICY;
	int tx_same = 0, rx_same = 0;
	if (m->have_keys) {
		tx_same = same_key(&m->keys.tx, &keys->tx);
		rx_same = same_key(&m->keys.rx, &keys->rx);
		if (tx_same < 0 || rx_same < 0)
			return VOX_EINVAL;
	}
	if (m->state == VOX_MEDIA_IDLE) {
		/* Kept for start, which knows our SSRC. */
		m->keys = *keys;
		m->have_keys = 1;
		return 0;
	}
	now = vox_media_tick(m, now);

	/* Build first, then swap: a failure leaves the call as it was. */
	struct vox_srtp_session tx, rx;
	vox_srtp_session_init(&tx);
	vox_srtp_session_init(&rx);
	int rc = tx_same ? 0 : start_tx(&tx, &keys->tx, m->rtp.ssrc);
	if (rc == 0 && !rx_same)
		rc = start_rx(&rx, &keys->rx);
	if (rc < 0) {
		vox_srtp_session_free(&tx);
		vox_srtp_session_free(&rx);
		return rc;
	}
	if (!tx_same) {
		vox_srtp_session_free(&m->tx);
		m->tx = tx;
	}
	if (!rx_same) {
		/* The previous receive key stays for packets still on their
		 * way under it (the peer switches when it learns of the new
		 * keys, which is not when we do). */
		vox_srtp_session_free(&m->rx_old);
		if (m->rx.ctx) {
			m->rx_old = m->rx;
			m->rx_old_until = now + REKEY_MAX_WAIT_MS;
		}
		m->rx = rx;
		m->rx_seen = 0;
	}
	m->keys = *keys;
	m->have_keys = 1;
	m->prot = keys->source;
	vox_media_settle(m, 1);
	return 0;
}

static void pump_srtp(struct vox_media *m, struct vox_srtp_session *s)
{
	struct vox_srtp_event se;
	while (vox_srtp_session_next_event(s, &se)) {
		struct vox_media_event ev;
		memset(&ev, 0, sizeof ev);
		ev.ssrc = se.ssrc;
		ev.prot = m->prot;
		if (se.type == VOX_SRTP_EV_KEY_SOFT_LIMIT)
			ev.type = VOX_MEDIA_EV_KEY_SOFT_LIMIT;
		else if (se.type == VOX_SRTP_EV_KEY_EXPIRED)
			ev.type = VOX_MEDIA_EV_KEY_EXPIRED;
		else
			continue; /* a learned SSRC: the RTP session reports sources */
		vox_media_push_event(m, &ev);
	}
}

/* A burst of failures of one kind is one event with a count: a flood of
 * forged packets must not push every other event out of the queue. */
static void srtp_failure(struct vox_media *m, int err)
{
	if (err == VOX_EAUTH) {
		m->st.srtp_auth++;
	} else if (err == VOX_EREPLAY || err == VOX_ETOOOLD) {
		m->st.srtp_replay++;
	} else {
		if (err == VOX_EMALFORMED)
			m->st.malformed++;
		else
			m->st.srtp_other++;
		return;
	}
	if (m->ev_len) {
		struct vox_media_event *last =
		    &m->ev[(m->ev_head + m->ev_len - 1) % VOX_MEDIA_MAX_EVENTS];
		if (last->type == VOX_MEDIA_EV_SRTP_FAILURE && last->err == err) {
			if (last->count < UINT32_MAX)
				last->count++;
			return;
		}
	}
	struct vox_media_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = VOX_MEDIA_EV_SRTP_FAILURE;
	ev.err = err;
	ev.count = 1;
	vox_media_push_event(m, &ev);
}

static int unprotect_with(struct vox_srtp_session *s, const uint8_t *in, size_t len, int rtcp,
                          uint8_t *out, size_t cap)
{
	return rtcp ? vox_srtp_session_unprotect_rtcp(s, in, len, out, cap)
	            : vox_srtp_session_unprotect(s, in, len, out, cap);
}

int vox_media_unprotect(struct vox_media *m, const uint8_t *in, size_t len, int rtcp,
                        const uint8_t **out)
{
	uint8_t *o = (uint8_t *)m->rx_scratch;
	int rc = unprotect_with(&m->rx, in, len, rtcp, o, sizeof m->rx_scratch);
	pump_srtp(m, &m->rx);
	if (rc >= 0) {
		if (!m->rx_seen && m->rx_old.ctx) {
			/* The peer uses the new key: old packets may still
			 * trickle in (reordered) for a short while. */
			uint64_t until = m->now + VOX_MEDIA_REKEY_GRACE_MS;
			if (until < m->rx_old_until)
				m->rx_old_until = until;
		}
		m->rx_seen = 1;
		*out = o;
		return rc;
	}
	if (m->rx_old.ctx && (rc == VOX_EAUTH || rc == VOX_ENOTFOUND)) {
		/* Not the new key's (or an MKI it does not know): maybe the old. */
		int r2 = unprotect_with(&m->rx_old, in, len, rtcp, o, sizeof m->rx_scratch);
		pump_srtp(m, &m->rx_old);
		if (r2 >= 0) {
			m->st.old_key++;
			*out = o;
			return r2;
		}
		if (r2 == VOX_EREPLAY || r2 == VOX_ETOOOLD)
			rc = r2; /* an old-key packet, seen before */
	}
	srtp_failure(m, rc);
	return rc;
}

int vox_media_protect(struct vox_media *m, uint8_t *buf, size_t len, size_t cap, int rtcp)
{
	/* RFC 3550 8.2: after an SSRC collision the session sends under a
	 * new SSRC; the context follows it, under the same key (RFC 3711
	 * 4.1.1: the SSRC is part of every IV, so the keystreams differ). */
	uint32_t ssrc = vox_media_get32(buf + (rtcp ? 4 : 8));
	if (ssrc != m->tx.ssrc) {
		struct vox_srtp_session tx;
		int rc = start_tx(&tx, &m->keys.tx, ssrc);
		if (rc < 0)
			return rc;
		vox_srtp_session_free(&m->tx);
		m->tx = tx;
	}
	int rc = rtcp ? vox_srtp_session_protect_rtcp(&m->tx, buf, len, buf, cap)
	              : vox_srtp_session_protect(&m->tx, buf, len, buf, cap);
	pump_srtp(m, &m->tx);
	return rc;
}

void vox_media_keys_on_deadline(struct vox_media *m, uint64_t now)
{
	if (m->rx_old.ctx && now >= m->rx_old_until) {
		vox_srtp_session_free(&m->rx_old);
		m->rx_old_until = UINT64_MAX;
	}
}

uint64_t vox_media_keys_deadline(const struct vox_media *m)
{
	return m->rx_old.ctx ? m->rx_old_until : UINT64_MAX;
}

unsigned vox_media_srtp_contexts(const struct vox_media *m)
{
	return (unsigned)(m->tx.ctx != NULL) + (unsigned)(m->rx.ctx != NULL) +
	       (unsigned)(m->rx_old.ctx != NULL);
}

#else /* !VOX_WITH_SRTP: clear RTP only */

int vox_media_set_keys(struct vox_media *m, const struct vox_media_keys *keys, uint64_t now)
{
	(void)now;
	if (!keys)
		return VOX_EINVAL;
	if (m->state == VOX_MEDIA_STOPPED)
		return VOX_ESTATE;
	return keys->source == VOX_MEDIA_PROT_NONE ? 0 : VOX_EUNSUPPORTED;
}

int vox_media_keys_start(struct vox_media *m)
{
	(void)m;
	return 0;
}

void vox_media_keys_free(struct vox_media *m)
{
	m->prot = VOX_MEDIA_PROT_NONE;
}

int vox_media_unprotect(struct vox_media *m, const uint8_t *in, size_t len, int rtcp,
                        const uint8_t **out)
{
	(void)m;
	(void)in;
	(void)len;
	(void)rtcp;
	(void)out;
	return VOX_EUNSUPPORTED;
}

int vox_media_protect(struct vox_media *m, uint8_t *buf, size_t len, size_t cap, int rtcp)
{
	(void)m;
	(void)buf;
	(void)len;
	(void)cap;
	(void)rtcp;
	return VOX_EUNSUPPORTED;
}

void vox_media_keys_on_deadline(struct vox_media *m, uint64_t now)
{
	(void)m;
	(void)now;
}

uint64_t vox_media_keys_deadline(const struct vox_media *m)
{
	(void)m;
	return UINT64_MAX;
}

unsigned vox_media_srtp_contexts(const struct vox_media *m)
{
	(void)m;
	return 0;
}

#endif
