/* Minimal embedded profile: SRTP with ZRTP only (no SDES, no TLS), MD5
 * digest, and small tables for a microcontroller with tens of KiB of RAM. */
#define VOX_WITH_TLS            0
#define VOX_WITH_SRTP           1
#define VOX_WITH_SDES           0
#define VOX_WITH_ZRTP           1
#define VOX_WITH_DIGEST_SHA2    0
#define VOX_SIP_MAX_MSG         4096
#define VOX_SIP_MAX_HEADERS     32
#define VOX_SIP_MAX_VIA         4
#define VOX_SIP_MAX_PARAMS      8
#define VOX_SIP_MAX_TOKEN       64
#define VOX_SIP_MAX_OPTION_TAGS 8
#define VOX_RTP_MAX_EXT         4
#define VOX_RTP_MAX_SOURCES     2
#define VOX_RTCP_MAX_PACKETS    6
#define VOX_RTCP_MAX_CNAME      32
#define VOX_RTP_MAX_EVENTS      4
#define VOX_JB_SLOTS            8
#define VOX_JB_MAX_FRAME        160
#define VOX_SRTP_MAX_SSRC       1
