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
#define VOX_SDP_MAX_SIZE        2048
#define VOX_SDP_MAX_MEDIA       2
#define VOX_SDP_MAX_FMTS        8
#define VOX_SDP_MAX_ATTRS       24
#define VOX_SDP_MAX_CRYPTO      4
#define VOX_SDP_MAX_KEYS        1
#define VOX_SDP_MAX_FIELDS      2
#define VOX_SDP_MAX_BUILD       1024
#define VOX_SDP_MAX_ADDR        64
