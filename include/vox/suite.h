/* SPDX-License-Identifier: MIT */
/*
 * vox/suite.h: SRTP crypto suites and master keys, shared by sdp/ (which
 * negotiates them in a=crypto, RFC 4568), zrtp/ (which derives them) and
 * srtp_glue/ (which hands them to libsrtp2).
 */
#ifndef VOX_SUITE_H
#define VOX_SUITE_H

#include "vox/base.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The suites SDP can name and libsrtp2 can run. Which of them the installed
 * libsrtp2 really provides is decided at start-up by srtp_glue/. */
enum vox_srtp_suite {
	VOX_SRTP_NONE = 0,
	VOX_SRTP_AES_CM_128_HMAC_SHA1_80, /* RFC 4568 6.2.1 */
	VOX_SRTP_AES_CM_128_HMAC_SHA1_32, /* RFC 4568 6.2.2 */
	VOX_SRTP_AES_256_CM_HMAC_SHA1_80, /* RFC 6188 7.1 */
	VOX_SRTP_AES_256_CM_HMAC_SHA1_32, /* RFC 6188 7.1 */
	VOX_SRTP_AEAD_AES_128_GCM,        /* RFC 7714 14.2 */
	VOX_SRTP_AEAD_AES_256_GCM,        /* RFC 7714 14.2 */
	VOX_SRTP_SUITE_COUNT
};

/* Fixed properties of a suite. */
struct vox_srtp_suite_info {
	const char *name;      /* as written in a=crypto */
	uint8_t key_len;       /* master key bytes */
	uint8_t salt_len;      /* master salt bytes */
	uint8_t tag_len;       /* SRTP authentication tag bytes */
	uint8_t rtcp_tag_len;  /* SRTCP tag bytes (80-bit even for _32, RFC 4568 6.2.2) */
	uint8_t lifetime_log2; /* maximum key lifetime, log2 of packets (48 for SRTP) */
};

#define VOX_SRTP_MAX_KEY  32
#define VOX_SRTP_MAX_SALT 14
/* MKI bytes on the wire. RFC 4568 9.2 allows 1..128 and libsrtp2 takes up to
 * 128 (SRTP_MAX_MKI_LEN); RFC 4568's own example and common peers use 32. */
/* VOX_SRTP_MAX_MKI (config.h): MKI bytes a key can carry */

/* Properties of a suite; NULL for VOX_SRTP_NONE or out-of-range values.
 * The pointer is into a constant table: valid for the whole program. */
const struct vox_srtp_suite_info *vox_srtp_suite_info(enum vox_srtp_suite s);
/* Suite named by an a=crypto token (case-sensitive, RFC 4568 9.2); VOX_SRTP_NONE
 * when the name is not one of the suites above. */
enum vox_srtp_suite vox_srtp_suite_by_name(struct vox_slice name);
/* 1 if the installed libsrtp2 runs suite s (probed by srtp_glue/probe.c:
 * a packet protected and unprotected again), else 0; 0 for VOX_SRTP_NONE
 * and unknown values, 0 for every suite when SRTP is compiled out
 * (VOX_WITH_SRTP = 0) or libsrtp2 was not initialised
 * (vox_srtp_global_init, vox/srtp.h). The one place the caller learns which
 * suites to offer (vox_sdp_local.suites, vox_ua_config.suites). vox keeps no
 * table of the answers: every call creates and frees two libsrtp2 sessions
 * (it allocates inside libsrtp2 and takes milliseconds), so ask once at
 * start-up and keep the list. */
int vox_srtp_suite_available(enum vox_srtp_suite s);

/* One direction's master key, as SDES or ZRTP produce it. */
struct vox_srtp_key {
	enum vox_srtp_suite suite;
	uint8_t key[VOX_SRTP_MAX_KEY];
	uint8_t salt[VOX_SRTP_MAX_SALT];
	uint64_t lifetime; /* packets this key may protect; 0 means the suite maximum */
	uint8_t mki[VOX_SRTP_MAX_MKI];
	uint8_t mki_len; /* 0: no MKI in packets */
};

#ifdef __cplusplus
}
#endif

#endif
