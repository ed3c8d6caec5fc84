/* SPDX-License-Identifier: MIT */
/* Minimal embedded profile: small tables for a microcontroller with tens
 * of KiB of RAM, MD5 digest only, and no media keys: TLS is left out
 * (mbedTLS alone holds over 33 KiB per connection, vox/tls.h), so is SDES
 * (its keys need a verified TLS hop), and with no key method left SRTP
 * would be dead code, so srtp_glue/ and libsrtp2 are out too and calls
 * run clear RTP. ZRTP, end to end and without TLS, is the key method
 * such a device would want: it now keys the media engine (media/zrtp.c),
 * but needs SRTP (libsrtp2, some 30 to 40 KiB of heap per context) and
 * mbedTLS's bignums, and about 4 KiB more per call's media engine; a
 * profile that can afford that turns VOX_WITH_SRTP and VOX_WITH_ZRTP on
 * (configs/full.h). This one stays the smallest. */
#define VOX_WITH_TLS            0
#define VOX_WITH_SRTP           0
#define VOX_WITH_SDES           0
#define VOX_WITH_DIGEST_SHA2    0
#define VOX_WITH_ZRTP           0
#define VOX_SIP_MAX_MSG         4096
#define VOX_SIP_TXN_MSG         1500
#define VOX_SIP_TXN_ID          192
#define VOX_SIP_MAX_HEADERS     32
#define VOX_SIP_MAX_VIA         4
#define VOX_SIP_MAX_PARAMS      12
#define VOX_SIP_MAX_TOKEN       64
#define VOX_SIP_MAX_OPTION_TAGS 8
#define VOX_SDP_MAX_SIZE        2048
#define VOX_SDP_MAX_MEDIA       2
#define VOX_SDP_MAX_FMTS        8
#define VOX_SDP_MAX_ATTRS       24
#define VOX_SDP_MAX_CRYPTO      4
#define VOX_SDP_MAX_KEYS        1
#define VOX_SDP_MAX_FIELDS      2
#define VOX_SDP_MAX_BUILD       1024
#define VOX_SDP_MAX_ADDR        64
#define VOX_RTP_MAX_EXT         4
#define VOX_RTP_MAX_SOURCES     2
#define VOX_RTCP_MAX_PACKETS    6
#define VOX_RTCP_MAX_CNAME      32
#define VOX_RTP_MAX_EVENTS      4
#define VOX_JB_SLOTS            8
#define VOX_JB_MAX_FRAME        160
#define VOX_SRTP_MAX_SSRC       1
