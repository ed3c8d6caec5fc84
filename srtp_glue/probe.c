/*
 * Which SRTP suites the installed libsrtp2 runs. Debian builds libsrtp2
 * against a crypto library (NSS in Debian 12's 2.5.0), and whether the GCM
 * suites of RFC 7714 exist depends on that build; so vox asks at start-up
 * rather than assuming. This file is self-contained on purpose: it only
 * creates and frees one libsrtp2 session per question.
 */
#include <string.h>

#include <srtp2/srtp.h>

#include "vox/suite.h"

int vox_srtp_suite_available(enum vox_srtp_suite s)
{
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(s);
	if (!info)
		return 0;
	/* srtp_init() is not idempotent: in libsrtp2 2.5 a second call finds the
	 * crypto kernel ready but fails to register its debug module again and
	 * returns srtp_err_status_bad_param. Whoever called it first, the kernel
	 * is then usable, so the answer comes from srtp_create() below. */
	(void)srtp_init();
	srtp_policy_t p;
	memset(&p, 0, sizeof p);
	switch (s) {
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtp);
		break;
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
		break;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtp);
		break;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p.rtp);
		break;
	case VOX_SRTP_AEAD_AES_128_GCM: srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp); break;
	case VOX_SRTP_AEAD_AES_256_GCM: srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp); break;
	default: return 0;
	}
	/* RFC 4568 6.2.2: SRTCP keeps the 80-bit tag under the _32 suites. */
	if (s == VOX_SRTP_AES_CM_128_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&p.rtcp);
	else if (s == VOX_SRTP_AES_256_CM_HMAC_SHA1_32)
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtcp);
	else
		p.rtcp = p.rtp;
	unsigned char key[VOX_SRTP_MAX_KEY + VOX_SRTP_MAX_SALT];
	memset(key, 0x5a, sizeof key); /* a fixed dummy key: no packet is ever protected */
	p.ssrc.type = ssrc_any_outbound;
	p.key = key;
	p.window_size = 128;
	srtp_t session = NULL;
	int ok = srtp_create(&session, &p) == srtp_err_status_ok;
	if (session)
		srtp_dealloc(session);
	return ok;
}
