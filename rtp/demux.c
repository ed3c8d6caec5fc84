/* SPDX-License-Identifier: MIT */
/* One socket, several protocols: RFC 7983 section 7 classifies by the first
 * byte; RFC 5761 section 4 tells RTCP from RTP by the second. */
#include "rtp/rtp_int.h"

#define STUN_COOKIE 0x2112A442u /* RFC 5389 6 */
#define ZRTP_COOKIE 0x5A525450u /* "ZRTP", RFC 6189 5 */

enum vox_demux_kind vox_demux_classify(const uint8_t *buf, size_t len)
{
	if (len == 0)
		return VOX_DEMUX_UNKNOWN;
	uint8_t b = buf[0];
	if (b <= 3) {
		/* STUN: 20-byte header with the magic cookie at bytes 4..7. */
		if (len >= 20 && vox_get32(buf + 4) == STUN_COOKIE)
			return VOX_DEMUX_STUN;
		return VOX_DEMUX_UNKNOWN;
	}
	if (b >= 16 && b <= 19) {
		/* ZRTP: 12-byte header, "ZRTP" at bytes 4..7 (RFC 6189 5). */
		if (len >= 12 && vox_get32(buf + 4) == ZRTP_COOKIE)
			return VOX_DEMUX_ZRTP;
		return VOX_DEMUX_UNKNOWN;
	}
	if (b >= 20 && b <= 63)
		return len >= 13 ? VOX_DEMUX_DTLS : VOX_DEMUX_UNKNOWN; /* record header */
	if (b >= 64 && b <= 79)
		return len >= 4 ? VOX_DEMUX_TURN : VOX_DEMUX_UNKNOWN; /* ChannelData */
	if (b >= 128 && b <= 191) {
		if (len < 2)
			return VOX_DEMUX_UNKNOWN;
		/* RFC 5761 4: RTCP packet types 192..223 sit where RTP would
		 * have the marker bit set and payload types 64..95, which is why
		 * those payload types are not used with rtcp-mux. */
		if (buf[1] >= 192 && buf[1] <= 223)
			return len >= 8 ? VOX_DEMUX_RTCP : VOX_DEMUX_UNKNOWN;
		return len >= VOX_RTP_HDR_MIN ? VOX_DEMUX_RTP : VOX_DEMUX_UNKNOWN;
	}
	return VOX_DEMUX_UNKNOWN;
}

const char *vox_demux_name(enum vox_demux_kind k)
{
	switch (k) {
	case VOX_DEMUX_STUN: return "stun";
	case VOX_DEMUX_ZRTP: return "zrtp";
	case VOX_DEMUX_DTLS: return "dtls";
	case VOX_DEMUX_TURN: return "turn";
	case VOX_DEMUX_RTP: return "rtp";
	case VOX_DEMUX_RTCP: return "rtcp";
	case VOX_DEMUX_UNKNOWN: break;
	}
	return "unknown";
}
