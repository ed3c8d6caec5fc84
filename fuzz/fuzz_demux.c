/* SPDX-License-Identifier: MIT */
/* The one-socket demultiplexer, then the parser each class leads to. The
 * class must agree with RFC 7983's first-byte ranges. */
#include <stdint.h>
#include <stdlib.h>

#include "vox/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum vox_demux_kind k = vox_demux_classify(data, size);
	if (vox_demux_name(k) == NULL)
		abort();
	uint8_t b = size ? data[0] : 0;
	switch (k) {
	case VOX_DEMUX_STUN:
		if (b > 3 || size < 20)
			abort();
		break;
	case VOX_DEMUX_ZRTP:
		if (b < 16 || b > 19 || size < 12)
			abort();
		break;
	case VOX_DEMUX_DTLS:
		if (b < 20 || b > 63)
			abort();
		break;
	case VOX_DEMUX_TURN:
		if (b < 64 || b > 79)
			abort();
		break;
	case VOX_DEMUX_RTP: {
		if (b < 128 || b > 191 || (data[1] >= 192 && data[1] <= 223))
			abort();
		struct vox_rtp_packet p;
		int n = vox_rtp_parse(data, size, &p, NULL);
		if (n >= 0 && (size_t)n != size)
			abort();
		break;
	}
	case VOX_DEMUX_RTCP: {
		if (b < 128 || b > 191 || data[1] < 192 || data[1] > 223)
			abort();
		struct vox_rtcp_compound c;
		int n = vox_rtcp_parse(data, size, 1, &c, NULL);
		if (n >= 0 && (size_t)n != size)
			abort();
		break;
	}
	case VOX_DEMUX_UNKNOWN: break;
	default: abort();
	}
	return 0;
}
