/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP sessions over libsrtp2 (RFC 3711, RFC 6188, RFC 7714), with
 * the MKI, the key lifetime and the buffer discipline of vox/srtp.h. */
#include "vox/config.h"
#if VOX_WITH_SRTP /* else compiled out: see vox/config.h */

#include <limits.h>
#include <string.h>

#include "srtp_glue/srtp_int.h"

/* Can a session be created? Tells an initialised crypto kernel from one
 * that is not, without libsrtp2 internals. */
static int kernel_usable(void)
{
	srtp_policy_t p;
	unsigned char key[SRTP_AES_ICM_128_KEY_LEN_WSALT];
	memset(&p, 0, sizeof p);
	memset(key, 0, sizeof key);
	srtp_crypto_policy_set_rtp_default(&p.rtp);
	srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	p.ssrc.type = ssrc_any_outbound;
	p.key = key;
	srtp_t s = NULL;
	if (srtp_create(&s, &p) != srtp_err_status_ok)
		return 0;
	(void)srtp_dealloc(s);
	return 1;
}

int vox_srtp_global_init(void)
{
	srtp_err_status_t st = srtp_init();
	if (st == srtp_err_status_ok)
		return 0;
	/* libsrtp2 2.5.0 answers a second srtp_init() with bad_param, so
	 * this is how it looks when this program (or a library linked into
	 * it) initialised libsrtp2 before. Fine, if the kernel works; then
	 * it is not ours to shut down. vox keeps no note of either: the
	 * answer goes to the caller, who owns the process. */
	if (st == srtp_err_status_bad_param && kernel_usable())
		return 1;
	return VOX_ECRYPTO;
}

void vox_srtp_global_shutdown(void)
{
	(void)srtp_shutdown();
}

int vox_srtp_policy_for(enum vox_srtp_suite s, srtp_crypto_policy_t *rtp,
                        srtp_crypto_policy_t *rtcp)
{
	switch (s) {
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
		return 0;
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_32:
		/* RFC 4568 6.2.2 (and RFC 3711 5.2): SRTCP keeps the 80-bit tag. */
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(rtcp);
		return 0;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		return 0;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_32:
		/* RFC 6188 7.1 inherits the 80-bit SRTCP tag of RFC 4568. */
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(rtcp);
		return 0;
	case VOX_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(rtcp);
		return 0;
	case VOX_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(rtcp);
		return 0;
	case VOX_SRTP_NONE:
	case VOX_SRTP_SUITE_COUNT: break;
	}
	return VOX_EINVAL;
}

int vox_srtp_map_status(srtp_err_status_t st)
{
	switch (st) {
	case srtp_err_status_ok: return 0;
	case srtp_err_status_auth_fail: return VOX_EAUTH;
	case srtp_err_status_replay_fail: return VOX_EREPLAY;
	case srtp_err_status_replay_old:
	case srtp_err_status_pkt_idx_old: return VOX_ETOOOLD;
	case srtp_err_status_key_expired: return VOX_EKEYEXPIRED;
	case srtp_err_status_bad_mki:
	case srtp_err_status_no_ctx: return VOX_ENOTFOUND; /* no key/stream for it */
	case srtp_err_status_bad_param: return VOX_EINVAL;
	case srtp_err_status_parse_err: return VOX_EMALFORMED;
	case srtp_err_status_terminus: return VOX_ETOOLONG;
	case srtp_err_status_alloc_fail: return VOX_EPOOL; /* out of memory */
	case srtp_err_status_no_such_op:
	case srtp_err_status_cant_check: return VOX_EUNSUPPORTED;
	case srtp_err_status_nonce_bad: return VOX_EAUTH;
	case srtp_err_status_pkt_idx_adv: return VOX_ESTATE; /* index jumped: re-key */
	case srtp_err_status_socket_err:
	case srtp_err_status_signal_err:
	case srtp_err_status_read_fail:
	case srtp_err_status_write_fail:
	case srtp_err_status_semaphore_err:
	case srtp_err_status_pfkey_err: return VOX_EIO;
	case srtp_err_status_fail:
	case srtp_err_status_dealloc_fail:
	case srtp_err_status_init_fail:
	case srtp_err_status_cipher_fail:
	case srtp_err_status_algo_fail:
	case srtp_err_status_encode_err: return VOX_ECRYPTO;
	}
	return VOX_ECRYPTO; /* a status newer than this table */
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void push_event(struct vox_srtp_session *s, const struct vox_srtp_event *ev)
{
	if (s->ev_len == 4) {
		s->ev_head = (s->ev_head + 1) % 4;
		s->ev_len--;
		s->st.ev_dropped++;
	}
	s->ev[(s->ev_head + s->ev_len) % 4] = *ev;
	s->ev_len++;
}

int vox_srtp_session_next_event(struct vox_srtp_session *s, struct vox_srtp_event *ev)
{
	if (s->ev_len == 0)
		return 0;
	*ev = s->ev[s->ev_head];
	s->ev_head = (s->ev_head + 1) % 4;
	s->ev_len--;
	return 1;
}

void vox_srtp_session_init(struct vox_srtp_session *s)
{
	memset(s, 0, sizeof *s);
}

void vox_srtp_session_free(struct vox_srtp_session *s)
{
	if (!s)
		return;
	if (s->ctx)
		(void)srtp_dealloc((srtp_t)s->ctx);
	vox_wipe(s, sizeof *s);
}

static uint64_t soft_point(uint64_t lifetime)
{
	/* Fire when this many packets are used: the configured share, but
	 * at least one packet before the end. */
	uint64_t keep = lifetime / 100 * (100 - VOX_SRTP_SOFT_LIMIT_PERCENT) +
	                lifetime % 100 * (100 - VOX_SRTP_SOFT_LIMIT_PERCENT) / 100;
	if (keep == 0)
		keep = 1;
	return keep >= lifetime ? 0 : lifetime - keep;
}

int vox_srtp_session_start(struct vox_srtp_session *s, enum vox_srtp_dir dir,
                           const struct vox_srtp_key *key, uint32_t ssrc, unsigned flags)
{
	if (s->ctx)
		return VOX_ESTATE;
	const struct vox_srtp_suite_info *info = key ? vox_srtp_suite_info(key->suite) : NULL;
	if (!info || (dir != VOX_SRTP_SEND && dir != VOX_SRTP_RECV) ||
	    key->mki_len > VOX_SRTP_MAX_MKI || (flags & ~VOX_SRTP_ANY_SSRC) ||
	    ((flags & VOX_SRTP_ANY_SSRC) && dir != VOX_SRTP_RECV))
		return VOX_EINVAL;
	srtp_policy_t pol;
	memset(&pol, 0, sizeof pol);
	int rc = vox_srtp_policy_for(key->suite, &pol.rtp, &pol.rtcp);
	if (rc < 0)
		return rc;
	/* libsrtp2 takes the master key and salt as one string. */
	uint8_t master[VOX_SRTP_MAX_KEY + VOX_SRTP_MAX_SALT];
	memcpy(master, key->key, info->key_len);
	memcpy(master + info->key_len, key->salt, info->salt_len);
	pol.key = master;
	if (flags & VOX_SRTP_ANY_SSRC) {
		pol.ssrc.type = ssrc_any_inbound;
	} else {
		pol.ssrc.type = ssrc_specific;
		pol.ssrc.value = ssrc;
	}
	pol.window_size = VOX_SRTP_REPLAY_WINDOW;
	pol.allow_repeat_tx = 0;
	srtp_t ctx = NULL;
	srtp_err_status_t st = srtp_create(&ctx, &pol);
	vox_wipe(master, sizeof master);
	if (st != srtp_err_status_ok) {
		/* libsrtp2 not initialised (vox_srtp_global_init), or built
		 * without this suite's cipher: it cannot run it */
		rc = vox_srtp_map_status(st);
		return rc == VOX_EINVAL || rc == VOX_ECRYPTO ? VOX_EUNSUPPORTED : rc;
	}

	vox_srtp_session_init(s);
	s->ctx = ctx;
	s->dir = dir;
	s->suite = key->suite;
	s->tag_len = info->tag_len;
	s->rtcp_tag_len = info->rtcp_tag_len;
	s->aead =
	    key->suite == VOX_SRTP_AEAD_AES_128_GCM || key->suite == VOX_SRTP_AEAD_AES_256_GCM;
	s->mki_len = key->mki_len;
	memcpy(s->mki, key->mki, key->mki_len);
	s->any_ssrc = (flags & VOX_SRTP_ANY_SSRC) != 0;
	s->ssrc = ssrc;
	uint64_t life = key->lifetime;
	if (life == 0 || life > VOX_SRTP_MAX_LIFETIME)
		life = VOX_SRTP_MAX_LIFETIME;
	s->lifetime_rtp = life;
	s->lifetime_rtcp = life < VOX_SRTCP_MAX_LIFETIME ? life : VOX_SRTCP_MAX_LIFETIME;
	s->soft_rtp = soft_point(s->lifetime_rtp);
	s->soft_rtcp = soft_point(s->lifetime_rtcp);
	return 0;
}

/* RFC 3550 5.1 header fields that say where the payload starts, checked
 * against the bytes before the trailer: libsrtp2 must never read past. */
static int check_rtp(const uint8_t *p, size_t len)
{
	if (len < 12 || (p[0] >> 6) != 2)
		return VOX_EMALFORMED;
	size_t hdr = 12 + (size_t)(p[0] & 0x0f) * 4;
	if (hdr > len)
		return VOX_EMALFORMED;
	if (p[0] & 0x10) {
		if (4 > len - hdr)
			return VOX_EMALFORMED;
		size_t ext = 4 + ((size_t)p[hdr + 2] << 8 | p[hdr + 3]) * 4;
		if (ext > len - hdr)
			return VOX_EMALFORMED;
	}
	return 0;
}

static int check_rtcp(const uint8_t *p, size_t len)
{
	if (len < 8 || (p[0] >> 6) != 2)
		return VOX_EMALFORMED;
	return 0;
}

static int count_error(struct vox_srtp_session *s, int rc)
{
	switch (rc) {
	case VOX_EAUTH: s->st.auth_fail++; break;
	case VOX_EREPLAY: s->st.replay++; break;
	case VOX_ETOOOLD: s->st.too_old++; break;
	case VOX_EMALFORMED: s->st.malformed++; break;
	default: s->st.other++; break;
	}
	return rc;
}

/* One more packet under the key; queues the soft and the expiry events.
 * The common case (neither limit reached) touches three fields only: this
 * runs for every packet. */
static void count_use(struct vox_srtp_session *s, int rtcp, uint32_t ssrc)
{
	uint64_t *used = rtcp ? &s->used_rtcp : &s->used_rtp;
	uint64_t n = ++*used;
	uint64_t soft = rtcp ? s->soft_rtcp : s->soft_rtp;
	if (n < soft)
		return; /* soft <= lifetime, so neither limit is reached */
	uint64_t life = rtcp ? s->lifetime_rtcp : s->lifetime_rtp;
	struct vox_srtp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.ssrc = ssrc;
	ev.rtcp = (uint8_t)rtcp;
	ev.used = n;
	ev.lifetime = life;
	if (!s->soft_sent) {
		s->soft_sent = 1;
		ev.type = VOX_SRTP_EV_KEY_SOFT_LIMIT;
		push_event(s, &ev);
	}
	if (n >= life) {
		/* RFC 3711 9.2 / RFC 4568 6.1: not one packet more under this
		 * master key, in either SRTP or SRTCP. */
		s->expired = 1;
		ev.type = VOX_SRTP_EV_KEY_EXPIRED;
		push_event(s, &ev);
	}
}

static int ssrc_known(const struct vox_srtp_session *s, uint32_t ssrc)
{
	for (unsigned i = 0; i < s->n_ssrc; i++)
		if (s->ssrcs[i] == ssrc)
			return 1;
	return 0;
}

/* Receive side: may a packet of this SSRC reach libsrtp2? */
static int ssrc_admit(struct vox_srtp_session *s, uint32_t ssrc)
{
	if (!s->any_ssrc)
		return ssrc == s->ssrc ? 0 : VOX_ENOTFOUND;
	if (ssrc_known(s, ssrc) || s->n_ssrc < VOX_SRTP_MAX_SSRC)
		return 0;
	return VOX_ELIMIT;
}

static void ssrc_learn(struct vox_srtp_session *s, uint32_t ssrc)
{
	if (!s->any_ssrc || ssrc_known(s, ssrc) || s->n_ssrc >= VOX_SRTP_MAX_SSRC)
		return;
	s->ssrcs[s->n_ssrc++] = ssrc;
	struct vox_srtp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.type = VOX_SRTP_EV_NEW_SSRC;
	ev.ssrc = ssrc;
	push_event(s, &ev);
}

static int usable(const struct vox_srtp_session *s, enum vox_srtp_dir dir, const uint8_t *out)
{
	if (!s->ctx || s->dir != dir)
		return VOX_ESTATE;
	if (s->expired)
		return VOX_EKEYEXPIRED;
	if ((uintptr_t)out % 4)
		return VOX_EINVAL;
	return 0;
}

/* Where the MKI sits in a protected packet of length n: before the
 * HMAC tag (RFC 3711 3.1), or at the very end for AEAD, where the tag is
 * part of the cipher text (RFC 7714 8.1, 9.1 for SRTCP after E and index). */
static size_t mki_pos(const struct vox_srtp_session *s, size_t n, size_t tag)
{
	return s->aead ? n - s->mki_len : n - tag - s->mki_len;
}

static int protect(struct vox_srtp_session *s, const uint8_t *in, size_t len, uint8_t *out,
                   size_t cap, int rtcp)
{
	int rc = usable(s, VOX_SRTP_SEND, out);
	if (rc < 0)
		return count_error(s, rc);
	rc = rtcp ? check_rtcp(in, len) : check_rtp(in, len);
	if (rc < 0)
		return count_error(s, rc);
	size_t tag = rtcp ? s->rtcp_tag_len : s->tag_len;
	size_t extra = (rtcp ? 4 : 0) + tag + s->mki_len;
	if (len > (size_t)INT_MAX - extra)
		return count_error(s, VOX_ETOOLONG);
	if (len + extra > cap)
		return VOX_ENOSPC;
	uint32_t ssrc = get32(in + (rtcp ? 4 : 8));
	if (ssrc != s->ssrc)
		return count_error(s, VOX_ENOTFOUND);
	if (out != in)
		memmove(out, in, len);
	int n = (int)len;
	srtp_err_status_t st = rtcp ? srtp_protect_rtcp((srtp_t)s->ctx, out, &n)
	                            : srtp_protect((srtp_t)s->ctx, out, &n);
	if (st != srtp_err_status_ok)
		return count_error(s, vox_srtp_map_status(st));
	size_t total = (size_t)n;
	if (s->mki_len) {
		/* libsrtp2 wrote no MKI; insert ours where the RFC puts it. */
		size_t pos = s->aead ? total : total - tag;
		memmove(out + pos + s->mki_len, out + pos, total - pos);
		memcpy(out + pos, s->mki, s->mki_len);
		total += s->mki_len;
	}
	if (rtcp)
		s->st.rtcp_ok++;
	else
		s->st.rtp_ok++;
	count_use(s, rtcp, ssrc);
	return (int)total;
}

static int unprotect(struct vox_srtp_session *s, const uint8_t *in, size_t len, uint8_t *out,
                     size_t cap, int rtcp)
{
	int rc = usable(s, VOX_SRTP_RECV, out);
	if (rc < 0)
		return count_error(s, rc);
	size_t tag = rtcp ? s->rtcp_tag_len : s->tag_len;
	size_t trailer = (rtcp ? 4 : 0) + tag + s->mki_len;
	if (len > (size_t)INT_MAX)
		return count_error(s, VOX_ETOOLONG);
	if (len < trailer || len - trailer < (rtcp ? 8u : 12u))
		return count_error(s, VOX_EMALFORMED);
	rc = rtcp ? check_rtcp(in, len - trailer) : check_rtp(in, len - trailer);
	if (rc < 0)
		return count_error(s, rc);
	if (cap < len)
		return VOX_ENOSPC;
	uint32_t ssrc = get32(in + (rtcp ? 4 : 8));
	rc = ssrc_admit(s, ssrc);
	if (rc < 0)
		return count_error(s, rc);
	size_t n = len;
	if (s->mki_len) {
		/* RFC 3711 3.3 step 1: the MKI picks the master key; a packet
		 * under a key we do not hold is dropped before any crypto. The
		 * MKI is not authenticated, so it is cut out here and libsrtp2
		 * runs without it. */
		size_t pos = mki_pos(s, len, tag);
		if (memcmp(in + pos, s->mki, s->mki_len) != 0) {
			s->st.bad_mki++;
			return VOX_ENOTFOUND;
		}
		if (out != in)
			memmove(out, in, pos);
		memmove(out + pos, in + pos + s->mki_len, len - pos - s->mki_len);
		n -= s->mki_len;
	} else if (out != in) {
		memmove(out, in, len);
	}
	int l = (int)n;
	srtp_err_status_t st = rtcp ? srtp_unprotect_rtcp((srtp_t)s->ctx, out, &l)
	                            : srtp_unprotect((srtp_t)s->ctx, out, &l);
	if (st != srtp_err_status_ok)
		return count_error(s, vox_srtp_map_status(st));
	if (rtcp)
		s->st.rtcp_ok++;
	else
		s->st.rtp_ok++;
	ssrc_learn(s, ssrc);
	count_use(s, rtcp, ssrc);
	return l;
}

int vox_srtp_session_protect(struct vox_srtp_session *s, const uint8_t *in, size_t len,
                             uint8_t *out, size_t cap)
{
	return protect(s, in, len, out, cap, 0);
}

int vox_srtp_session_unprotect(struct vox_srtp_session *s, const uint8_t *in, size_t len,
                               uint8_t *out, size_t cap)
{
	return unprotect(s, in, len, out, cap, 0);
}

int vox_srtp_session_protect_rtcp(struct vox_srtp_session *s, const uint8_t *in, size_t len,
                                  uint8_t *out, size_t cap)
{
	return protect(s, in, len, out, cap, 1);
}

int vox_srtp_session_unprotect_rtcp(struct vox_srtp_session *s, const uint8_t *in, size_t len,
                                    uint8_t *out, size_t cap)
{
	return unprotect(s, in, len, out, cap, 1);
}

int vox_srtp_session_roc(const struct vox_srtp_session *s, uint32_t ssrc, uint32_t *roc)
{
	if (!s->ctx)
		return VOX_ENOTFOUND;
	srtp_err_status_t st = srtp_get_stream_roc((srtp_t)s->ctx, ssrc, roc);
	return st == srtp_err_status_ok ? 0 : VOX_ENOTFOUND;
}

#endif /* VOX_WITH_SRTP */
