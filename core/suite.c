/* SPDX-License-Identifier: MIT */
/* SRTP suite table (RFC 4568 6.2, RFC 6188 7.1, RFC 7714 14.2). */
#include <string.h>

#include "vox/suite.h"

static const struct vox_srtp_suite_info suites[VOX_SRTP_SUITE_COUNT] = {
    [VOX_SRTP_AES_CM_128_HMAC_SHA1_80] = {"AES_CM_128_HMAC_SHA1_80", 16, 14, 10, 10, 48},
    [VOX_SRTP_AES_CM_128_HMAC_SHA1_32] = {"AES_CM_128_HMAC_SHA1_32", 16, 14, 4, 10, 48},
    [VOX_SRTP_AES_256_CM_HMAC_SHA1_80] = {"AES_256_CM_HMAC_SHA1_80", 32, 14, 10, 10, 48},
    [VOX_SRTP_AES_256_CM_HMAC_SHA1_32] = {"AES_256_CM_HMAC_SHA1_32", 32, 14, 4, 10, 48},
    /* RFC 7714 12: a 12-byte salt; the tag is 16 bytes for SRTP and SRTCP. */
    [VOX_SRTP_AEAD_AES_128_GCM] = {"AEAD_AES_128_GCM", 16, 12, 16, 16, 48},
    [VOX_SRTP_AEAD_AES_256_GCM] = {"AEAD_AES_256_GCM", 32, 12, 16, 16, 48},
};

const struct vox_srtp_suite_info *vox_srtp_suite_info(enum vox_srtp_suite s)
{
	if (s <= VOX_SRTP_NONE || s >= VOX_SRTP_SUITE_COUNT)
		return NULL;
	return &suites[s];
}

enum vox_srtp_suite vox_srtp_suite_by_name(struct vox_slice name)
{
	for (int s = VOX_SRTP_NONE + 1; s < VOX_SRTP_SUITE_COUNT; s++)
		if (vox_slice_eq(name, vox_slice_cstr(suites[s].name)))
			return (enum vox_srtp_suite)s;
	return VOX_SRTP_NONE;
}

#if !VOX_WITH_SRTP
/* srtp_glue/ is compiled out (vox/config.h): no suite runs, so SDP offers
 * and accepts clear RTP only. With SRTP, srtp_glue/probe.c answers. */
int vox_srtp_suite_available(enum vox_srtp_suite s)
{
	(void)s;
	return 0;
}
#endif
