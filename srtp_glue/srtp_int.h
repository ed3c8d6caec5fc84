/* SPDX-License-Identifier: MIT */
/* Internal to srtp_glue/ (not installed): the libsrtp2 policy of each suite
 * and the status mapping, shared by srtp.c and probe.c. */
#ifndef VOX_SRTP_INT_H
#define VOX_SRTP_INT_H

#include <srtp2/srtp.h>

#include "vox/srtp.h"

/* Fills the SRTP and SRTCP crypto policies of suite s. Returns 0 or
 * VOX_EINVAL for VOX_SRTP_NONE and unknown values. */
int vox_srtp_policy_for(enum vox_srtp_suite s, srtp_crypto_policy_t *rtp,
                        srtp_crypto_policy_t *rtcp);

/* The vox error for a libsrtp2 status (0 for srtp_err_status_ok). */
int vox_srtp_map_status(srtp_err_status_t st);

#endif
