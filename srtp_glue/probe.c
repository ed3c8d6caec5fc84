/* SPDX-License-Identifier: MIT */
/* Which suites the installed libsrtp2 really runs. A suite counts as
 * available when a sending and a receiving session can be created for it
 * and a packet protected by one is unprotected by the other, byte for byte:
 * a build may know a cipher's name (GCM through NSS or OpenSSL) and still
 * fail to run it. Each call probes again (vox keeps no process-wide
 * table): sessions are set up and torn down here, so this allocates and
 * costs milliseconds. Ask at start-up and keep the answer. */
#include "vox/config.h"
#if VOX_WITH_SRTP /* else compiled out: see vox/config.h */

#include <string.h>

#include "srtp_glue/srtp_int.h"

static int create(srtp_t *ctx, enum vox_srtp_suite s, srtp_ssrc_type_t type, uint8_t *key)
{
	srtp_policy_t pol;
	memset(&pol, 0, sizeof pol);
	if (vox_srtp_policy_for(s, &pol.rtp, &pol.rtcp) < 0)
		return -1;
	pol.ssrc.type = type;
	pol.ssrc.value = 0x01020304;
	pol.key = key;
	pol.window_size = 128;
	return srtp_create(ctx, &pol) == srtp_err_status_ok ? 0 : -1;
}

static int probe(enum vox_srtp_suite s)
{
	/* A fixed, non-secret key: this only exercises the cipher. */
	uint8_t key[VOX_SRTP_MAX_KEY + VOX_SRTP_MAX_SALT];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 7 + 1);
	uint32_t pkt[16]; /* aligned: libsrtp2 reads 32-bit words */
	uint8_t *p = (uint8_t *)pkt;
	static const uint8_t rtp[20] = {0x80, 0x00, 0x12, 0x34, 0,   0,   0, 160, 1, 2,
	                                3,    4,    'v',  'o',  'x', '!', 1, 2,   3, 4};
	srtp_t tx = NULL, rx = NULL;
	int ok = 0;
	if (create(&tx, s, ssrc_specific, key) == 0 && create(&rx, s, ssrc_specific, key) == 0) {
		int n = (int)sizeof rtp;
		memcpy(p, rtp, sizeof rtp);
		if (srtp_protect(tx, p, &n) == srtp_err_status_ok && n > (int)sizeof rtp &&
		    memcmp(p + 12, rtp + 12, 8) != 0 &&
		    srtp_unprotect(rx, p, &n) == srtp_err_status_ok && n == (int)sizeof rtp &&
		    memcmp(p, rtp, sizeof rtp) == 0)
			ok = 1;
	}
	if (tx)
		(void)srtp_dealloc(tx);
	if (rx)
		(void)srtp_dealloc(rx);
	return ok;
}

int vox_srtp_suite_available(enum vox_srtp_suite s)
{
	if (s <= VOX_SRTP_NONE || s >= VOX_SRTP_SUITE_COUNT)
		return 0;
	return probe(s);
}

#endif /* VOX_WITH_SRTP */
