/* SPDX-License-Identifier: MIT */
/* RTCP compound parser and every typed decoder, on arbitrary bytes, in both
 * the RFC 3550 A.2 mode and the RFC 5506 reduced-size mode. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/rtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void walk(const struct vox_rtcp_compound *c, const uint8_t *data, size_t size)
{
	size_t total = 0;
	for (size_t i = 0; i < c->n; i++) {
		const struct vox_rtcp_pkt *p = &c->pkt[i];
		if (p->body < data || p->body + p->body_len > data + size)
			abort();
		total += 4 + p->body_len;
		struct vox_rtcp_report r;
		if (vox_rtcp_report_parse(p, &r) == 0) {
			for (unsigned k = 0; k < r.rc; k++) {
				struct vox_rtcp_rb rb;
				vox_rtcp_report_block(&r, k, &rb);
				if (rb.cumulative_lost > 0x7fffff || rb.cumulative_lost < -0x800000)
					abort();
			}
			if (r.ext + r.ext_len != p->body + p->body_len)
				abort();
		}
		struct vox_rtcp_sdes_iter it;
		if (vox_rtcp_sdes_begin(p, &it) == 0) {
			struct vox_rtcp_sdes_item item;
			int k, items = 0;
			while ((k = vox_rtcp_sdes_next(&it, &item)) > 0) {
				const uint8_t *t = (const uint8_t *)item.text.p;
				if (t < p->body || t + item.text.len > p->body + p->body_len)
					abort();
				if (++items > 1000)
					abort();
			}
		}
		struct vox_rtcp_bye b;
		if (vox_rtcp_bye_parse(p, &b) == 0) {
			for (unsigned k = 0; k < b.sc; k++)
				(void)vox_rtcp_bye_ssrc(&b, k);
			const uint8_t *t = (const uint8_t *)b.reason.p;
			if (b.reason.len &&
			    (t < p->body || t + b.reason.len > p->body + p->body_len))
				abort();
		}
		struct vox_rtcp_app a;
		if (vox_rtcp_app_parse(p, &a) == 0 && a.data + a.data_len > p->body + p->body_len)
			abort();
	}
	if (total > size)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vox_rtcp_compound c;
	struct vox_diag d = {0, NULL};
	for (int reduced = 0; reduced < 2; reduced++) {
		int n = vox_rtcp_parse(data, size, reduced, &c, &d);
		if (n < 0) {
			if (d.off > size || !d.what)
				abort();
			continue;
		}
		if ((size_t)n != size || c.n == 0)
			abort();
		if (!reduced && c.pkt[0].type != VOX_RTCP_SR && c.pkt[0].type != VOX_RTCP_RR)
			abort();
		walk(&c, data, size);
	}
	return 0;
}
