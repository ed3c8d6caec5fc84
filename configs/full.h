/* SPDX-License-Identifier: MIT */
/* Full profile: every feature, the default limits (what a desktop or a
 * phone build uses). Build with -DVOX_CONFIG_FILE='"configs/full.h"'. */
#define VOX_WITH_TLS         1
#define VOX_WITH_SRTP        1
#define VOX_WITH_SDES        1
#define VOX_WITH_DIGEST_SHA2 1
#define VOX_WITH_ZRTP        1
