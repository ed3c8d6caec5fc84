/* SPDX-License-Identifier: MIT */
/*
 * Stream framer: one verdict per byte stream, however it is cut into reads.
 *
 * Input: byte 0 holds the number of cuts (low three bits) and which of the
 * first five units are framed while a pong is due (high five bits: bit 3
 * for unit 0, ...); the cut sizes follow (each read is 1 + that byte), then
 * the stream. The stream is framed once in one read and once in reads of
 * the cut sizes. The two runs must give every unit alike (kind and length:
 * messages, pings and pongs) and end alike (the same error with the same
 * offset and reason, or the same bytes left waiting for more). Every framed
 * message that parses must parse to its framed length, and a unit never
 * claims more bytes than the read holds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXUNITS 4096

struct run {
	size_t n; /* units framed */
	int len[MAXUNITS];
	int kind[MAXUNITS];
	int end;         /* VOX_EINCOMPLETE, an error, or 1: MAXUNITS reached */
	size_t consumed; /* bytes framed into units */
	struct vox_diag diag;
};

static struct vox_sip_msg m;
static struct run whole, cut;

/* Frames buf[0..len) in reads of the given sizes (one read if ncuts == 0). */
static void frame_all(const char *buf, size_t len, const uint8_t *cuts, size_t ncuts,
                      unsigned pongs, struct run *r)
{
	struct vox_sip_framer f;
	vox_sip_framer_init(&f);
	size_t avail = 0, c = 0;
	r->n = r->consumed = 0;
	r->diag = (struct vox_diag){0, NULL};
	if (pongs & 1)
		vox_sip_framer_expect_pong(&f);
	for (;;) {
		enum vox_sip_frame_kind k = 0;
		int n = avail > r->consumed ? vox_sip_frame(&f, buf + r->consumed,
		                                            avail - r->consumed, &k, &r->diag)
		                            : VOX_EINCOMPLETE;
		if (n == VOX_EINCOMPLETE) {
			if (avail == len) {
				r->end = n;
				return;
			}
			size_t step = ncuts ? (size_t)cuts[c++ % ncuts] + 1 : len;
			avail = step > len - avail ? len : avail + step;
			continue;
		}
		if (n < 0) {
			r->end = n;
			return;
		}
		if (n == 0 || (size_t)n > avail - r->consumed || k < VOX_SIP_FRAME_MESSAGE ||
		    k > VOX_SIP_FRAME_PONG)
			abort();
		if (k == VOX_SIP_FRAME_MESSAGE &&
		    vox_sip_parse(&m, buf + r->consumed, (size_t)n, 0, NULL) >= 0 &&
		    m.len != (size_t)n)
			abort();
		r->len[r->n] = n;
		r->kind[r->n++] = (int)k;
		r->consumed += (size_t)n;
		if (r->n == MAXUNITS) {
			r->end = 1;
			return;
		}
		if (r->n < 5 && (pongs >> r->n & 1))
			vox_sip_framer_expect_pong(&f);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t ncuts = data[0] & 7;
	unsigned pongs = data[0] >> 3;
	if (size < 1 + ncuts)
		return 0;
	const uint8_t *cuts = data + 1;
	const char *buf = (const char *)data + 1 + ncuts;
	size_t len = size - 1 - ncuts;
	frame_all(buf, len, NULL, 0, pongs, &whole);
	frame_all(buf, len, cuts, ncuts, pongs, &cut);
	if (whole.n != cut.n || whole.end != cut.end || whole.consumed != cut.consumed)
		abort();
	for (size_t i = 0; i < whole.n; i++)
		if (whole.len[i] != cut.len[i] || whole.kind[i] != cut.kind[i])
			abort();
	if (whole.end < 0 && whole.end != VOX_EINCOMPLETE &&
	    (whole.diag.off != cut.diag.off || whole.diag.what != cut.diag.what))
		abort();
	return 0;
}
