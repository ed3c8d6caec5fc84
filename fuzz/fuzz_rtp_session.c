/* SPDX-License-Identifier: MIT */
/* The RTP session engine and the telephone-event receiver as a state
 * machine: the input is a script of received RTP/RTCP datagrams, time steps,
 * sends, polls and a BYE. Every RTCP datagram the session writes must pass
 * the A.2 checks, and is fed to a second session. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int rng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s << 13;
		*s ^= *s >> 7;
		*s ^= *s << 17;
		out[i] = (uint8_t)*s;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vox_rtp_session a, b;
	static struct vox_dtmf_rx rx;
	uint64_t sa = 0x1234, sb = 0x5678;
	struct vox_rng ra = {rng, &sa}, rb = {rng, &sb};
	struct vox_rtp_params p;
	memset(&p, 0, sizeof p);
	p.clock_rate = 8000;
	p.session_bw = 10000;
	p.cname = vox_slice_cstr("fuzz@vox");
	vox_rtp_session_init(&a);
	vox_rtp_session_init(&b);
	if (vox_rtp_session_start(&a, &p, &ra, 0) != 0 ||
	    vox_rtp_session_start(&b, &p, &rb, 0) != 0)
		abort();
	vox_dtmf_rx_init(&rx, 8000);
	uint64_t now = 0;
	uint8_t out[1500];
	while (size) {
		uint8_t op = *data++;
		size--;
		switch (op % 8) {
		case 0:
		case 1: {
			/* a datagram: length byte, then that many bytes */
			size_t len = size ? *data : 0;
			if (size) {
				data++;
				size--;
			}
			if (len > size)
				len = size;
			if (op % 8 == 0) {
				struct vox_rtp_packet pkt;
				int rc =
				    vox_rtp_session_recv_rtp(&a, data, len, op >> 6, now, &pkt);
				if (rc > 1)
					abort();
				if (rc >= 0 && pkt.payload_len >= 4 &&
				    vox_dtmf_rx_recv(&rx, &pkt, now) != 0 &&
				    pkt.payload_len % 4 == 0)
					abort();
			} else {
				int rc = vox_rtp_session_recv_rtcp(&a, data, len, op >> 6, now);
				if (rc > 0)
					abort();
			}
			data += len;
			size -= len;
			break;
		}
		case 2:
			now += (uint64_t)(op >> 3) * 97;
			if (vox_rtp_session_next_deadline(&a) <= now &&
			    vox_rtp_session_on_deadline(&a, now) != 0)
				abort();
			vox_dtmf_rx_on_deadline(&rx, now);
			break;
		case 3: {
			size_t cap = (op & 0x80) ? 16 : sizeof out;
			int n = vox_rtp_session_poll_output(&a, out, cap, now);
			if (n > 0) {
				struct vox_rtcp_compound c;
				if ((size_t)n > cap ||
				    vox_rtcp_parse(out, (size_t)n, 0, &c, NULL) != n)
					abort();
				if (vox_rtp_session_recv_rtcp(&b, out, (size_t)n, 1, now) != 0)
					abort();
			} else if (n < 0 && n != VOX_ENOSPC) {
				abort();
			}
			break;
		}
		case 4: {
			static const uint8_t pl[160];
			struct vox_rtp_packet pkt;
			vox_rtp_packet_init(&pkt);
			pkt.pt = op >> 5;
			pkt.ts = (uint32_t)(now * 8);
			pkt.payload = pl;
			pkt.payload_len = sizeof pl;
			int n = vox_rtp_session_send(&a, &pkt, out, sizeof out, now);
			if (n > 0) {
				struct vox_rtp_packet q;
				if (vox_rtp_session_recv_rtp(&b, out, (size_t)n, 1, now, &q) < 0)
					abort();
			} else if (n != VOX_ESTATE) {
				abort();
			}
			break;
		}
		case 5:
			if (vox_rtp_session_bye(&a, vox_slice_cstr("fuzz"), now) > 0)
				abort();
			break;
		default: {
			struct vox_rtp_event ev;
			while (vox_rtp_session_next_event(&a, &ev))
				if (ev.reason_len > VOX_RTP_EV_REASON)
					abort();
			struct vox_dtmf_event de;
			while (vox_dtmf_rx_next_event(&rx, &de))
				;
			break;
		}
		}
		if (vox_rtp_session_members(&a) > VOX_RTP_MAX_SOURCES + 1)
			abort();
	}
	return 0;
}
