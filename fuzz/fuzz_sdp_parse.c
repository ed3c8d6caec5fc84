/* sdp/ parser and printer: arbitrary bytes in. A description that parses
 * must print (keys shown) into something that parses again to the same
 * tables; the redacting printer must not fail where the other succeeds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_sdp a, b;
static char out[2 * VOX_SDP_MAX_SIZE];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vox_sdp_diag d;
	int n = vox_sdp_parse((const char *)data, size, &a, &d);
	if (n < 0) {
		if (!d.at.what || d.at.off > size || d.line == 0)
			abort(); /* every failure says where and why */
		return 0;
	}
	if ((size_t)n != size)
		abort();
	for (unsigned i = 0; i < a.n_crypto; i++) {
		struct vox_srtp_key k;
		if (!a.crypto[i].unusable && vox_sdp_key_decode(&a.crypto[i], 0, &k) != 0)
			abort(); /* a usable line always yields its key */
	}
	(void)vox_sdp_attr_find(&a, 0, "rtpmap");
	(void)vox_sdp_rtpmap_find(&a, 0, 0);
	int m = vox_sdp_print(&a, VOX_SDP_PRINT_SHOW_KEYS, out, sizeof out);
	if (m < 0)
		abort();
	if (vox_sdp_parse(out, (size_t)m, &b, &d) != m)
		abort();
	if (a.n_media != b.n_media || a.n_attrs != b.n_attrs || a.n_crypto != b.n_crypto ||
	    a.sess_version != b.sess_version)
		abort();
	if (vox_sdp_print(&a, 0, out, sizeof out) < 0)
		abort();
	return 0;
}
