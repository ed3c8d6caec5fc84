/* SPDX-License-Identifier: MIT */
/* rtp/ packet parser: arbitrary bytes in. What parses must print back, and
 * the printed form must parse to the same packet (fields, CSRCs, extension
 * elements, payload, padding length). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void same(const struct vox_rtp_packet *a, const struct vox_rtp_packet *b)
{
	if (a->marker != b->marker || a->pt != b->pt || a->seq != b->seq || a->ts != b->ts ||
	    a->ssrc != b->ssrc || a->cc != b->cc || a->ext_form != b->ext_form ||
	    a->n_ext != b->n_ext || a->payload_len != b->payload_len || a->pad_len != b->pad_len)
		abort();
	if (memcmp(a->csrc, b->csrc, a->cc * sizeof a->csrc[0]) != 0)
		abort();
	if (a->payload_len && memcmp(a->payload, b->payload, a->payload_len) != 0)
		abort();
	for (size_t i = 0; i < a->n_ext; i++) {
		if (a->ext[i].id != b->ext[i].id || a->ext[i].len != b->ext[i].len)
			abort();
		if (a->ext[i].len && memcmp(a->ext[i].data, b->ext[i].data, a->ext[i].len) != 0)
			abort();
	}
	if (a->ext_form == VOX_RTP_EXT_OTHER &&
	    (a->ext_body_len != b->ext_body_len || a->ext_profile != b->ext_profile ||
	     (a->ext_body_len && memcmp(a->ext_body, b->ext_body, a->ext_body_len) != 0)))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[70000];
	struct vox_rtp_packet p, q;
	struct vox_diag d = {0, NULL};
	int n = vox_rtp_parse(data, size, &p, &d);
	if (n < 0) {
		if (d.off > size || !d.what)
			abort();
		return 0;
	}
	if ((size_t)n != size)
		abort();
	if (p.payload < data || p.payload + p.payload_len > data + size)
		abort();
	int m = vox_rtp_print(&p, out, sizeof out);
	if (m < 0 || (size_t)m > size)
		abort(); /* printing drops only padding bytes between elements */
	if (vox_rtp_parse(out, (size_t)m, &q, NULL) != m)
		abort();
	same(&p, &q);
	/* A capacity one short must be refused. */
	if (m > 0 && vox_rtp_print(&p, out, (size_t)m - 1) != VOX_ENOSPC)
		abort();
	return 0;
}
