/* SPDX-License-Identifier: MIT */
/* The jitter buffer fed arbitrary arrival orders, gaps, sizes and times,
 * all taken from the input. Checks: frames leave in strictly increasing
 * sequence order with the payload that was put for them; the slot count
 * and the counters add up. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t next(const uint8_t **d, size_t *n)
{
	if (*n == 0)
		return 0;
	(*n)--;
	return *(*d)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct vox_jb jb;
	struct vox_jb_params p = {8000, 20, 20, 200};
	if (size < 2)
		return 0;
	p.min_delay_ms = (uint32_t)(data[0] % 10) * 20;
	p.max_delay_ms = p.min_delay_ms + (uint32_t)(data[1] % 5) * 20;
	data += 2;
	size -= 2;
	vox_jb_init(&jb);
	if (vox_jb_configure(&jb, &p) != 0)
		abort();
	uint64_t now = 0, accepted = 0, outs = 0, dropped_shrink = 0;
	uint32_t last_out = 0;
	int have_out = 0;
	uint16_t seq = 1000;
	uint8_t pl[600];
	while (size) {
		uint8_t op = next(&data, &size);
		switch (op % 4) {
		case 0:
		case 3: {
			if (op % 4 == 3)
				seq = (uint16_t)(next(&data, &size) << 8 | next(&data, &size));
			else
				seq = (uint16_t)(seq + (int8_t)next(&data, &size));
			uint8_t jit = next(&data, &size);
			size_t len = (size_t)next(&data, &size) * 2 + 2;
			struct vox_rtp_packet pkt;
			vox_rtp_packet_init(&pkt);
			pkt.seq = seq;
			pkt.ts = (uint32_t)seq * 160 + jit;
			pkt.marker = op >> 7;
			memset(pl, (uint8_t)seq, len);
			pl[0] = (uint8_t)(seq >> 8);
			pl[1] = (uint8_t)seq;
			pkt.payload = pl;
			pkt.payload_len = len;
			now += op >> 5;
			int rc = vox_jb_put(&jb, &pkt, now);
			if (rc == 0)
				accepted++;
			else if (rc != VOX_EREPLAY && rc != VOX_ETOOOLD && rc != VOX_ETOOLONG)
				abort();
			break;
		}
		case 1: {
			uint8_t out[VOX_JB_MAX_FRAME];
			struct vox_jb_frame f;
			size_t cap = (op & 0x80) ? 10 : sizeof out;
			uint64_t shrunk = jb.st.shrunk;
			int rc = vox_jb_get(&jb, now, out, cap, &f);
			dropped_shrink += jb.st.shrunk - shrunk;
			if (rc == VOX_JB_FRAME || rc == VOX_JB_CONCEAL) {
				if (have_out && f.ext_seq <= last_out)
					abort(); /* out of order or repeated */
				last_out = f.ext_seq;
				have_out = 1;
				outs++;
			}
			if (rc == VOX_JB_FRAME &&
			    (f.len < 2 || out[0] != (uint8_t)(f.ext_seq >> 8) ||
			     out[1] != (uint8_t)f.ext_seq || f.len > cap))
				abort();
			if (rc != VOX_JB_FRAME && rc != VOX_JB_CONCEAL && rc != VOX_JB_EMPTY &&
			    rc != VOX_ENOSPC)
				abort();
			now += (op >> 2) % 41;
			break;
		}
		case 2: now += (uint64_t)next(&data, &size) * 8; break;
		}
		unsigned used = 0;
		for (unsigned i = 0; i < VOX_JB_SLOTS; i++)
			used += jb.slot[i].used;
		if (used != jb.held || jb.held > VOX_JB_SLOTS)
			abort();
		if (jb.target_ms < p.min_delay_ms || jb.target_ms > p.max_delay_ms)
			abort();
	}
	const struct vox_jb_stats *s = &jb.st;
	if (s->received != accepted + s->duplicate + s->late + s->too_big)
		abort();
	if (s->played + s->concealed != outs)
		abort();
	/* every accepted frame is held, played, flushed or dropped */
	if (s->played + jb.held > accepted)
		abort();
	(void)dropped_shrink;
	return 0;
}
