/*
 * Stream framer: the input is cut into reads whose sizes come from the
 * input's first bytes; framing it piece by piece must give exactly the
 * units (and lengths) that framing it all at once gives, and every framed
 * message must parse to the same length (one meaning per byte stream).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAXUNITS 256

static struct vox_sip_msg m;

/* Frames buf[0..len) with reads of the given sizes; records unit lengths. */
static size_t frame_all(const char *buf, size_t len, const uint8_t *cuts, size_t ncuts, int *units,
                        int *kinds, int *err)
{
	struct vox_sip_framer f;
	vox_sip_framer_init(&f);
	size_t consumed = 0, avail = 0, nu = 0, c = 0;
	*err = 0;
	while (consumed < len && nu < MAXUNITS) {
		size_t step = ncuts ? (size_t)cuts[c++ % ncuts] + 1 : len;
		avail = avail + step > len ? len : avail + step;
		for (;;) {
			enum vox_sip_frame_kind k;
			int n = vox_sip_frame(&f, buf + consumed, avail - consumed, &k, NULL);
			if (n == VOX_EINCOMPLETE)
				break;
			if (n <= 0) {
				*err = n;
				return nu;
			}
			if ((size_t)n > avail - consumed)
				abort();
			if (k == VOX_SIP_FRAME_MESSAGE &&
			    vox_sip_parse(&m, buf + consumed, (size_t)n, 0, NULL) >= 0 &&
			    m.len != (size_t)n)
				abort();
			units[nu] = n;
			kinds[nu++] = (int)k;
			consumed += (size_t)n;
			if (consumed == avail || nu == MAXUNITS)
				break;
		}
		if (avail == len && consumed < len) {
			enum vox_sip_frame_kind k;
			if (vox_sip_frame(&f, buf + consumed, len - consumed, &k, NULL) ==
			    VOX_EINCOMPLETE)
				break;
		}
	}
	return nu;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t ncuts = data[0] & 7;
	if (size < 1 + ncuts)
		return 0;
	const uint8_t *cuts = data + 1;
	const char *buf = (const char *)data + 1 + ncuts;
	size_t len = size - 1 - ncuts;
	static int u1[MAXUNITS], k1[MAXUNITS], u2[MAXUNITS], k2[MAXUNITS];
	int e1, e2;
	size_t n1 = frame_all(buf, len, NULL, 0, u1, k1, &e1);
	size_t n2 = frame_all(buf, len, cuts, ncuts, u2, k2, &e2);
	/* A lone CRLF at the end of a read is a pong, and the same CRLF
	 * followed by another one is a ping: only there may the two runs
	 * differ, so compare up to the first keep-alive. */
	for (size_t i = 0; i < n1 && i < n2; i++) {
		if (k1[i] != VOX_SIP_FRAME_MESSAGE || k2[i] != VOX_SIP_FRAME_MESSAGE)
			return 0;
		if (u1[i] != u2[i])
			abort();
	}
	if (n1 == n2 && e1 != e2)
		abort();
	return 0;
}
