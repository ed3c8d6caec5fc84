/* SPDX-License-Identifier: MIT */
/* URI decoder and comparison: any URI that decodes equals itself, and
 * comparison is symmetric. The input holds two URIs split at the first NUL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	const char *nul = memchr(p, 0, size);
	struct vox_slice a = {p, nul ? (size_t)(nul - p) : size};
	struct vox_slice b = {nul ? nul + 1 : p, nul ? size - a.len - 1 : 0};
	struct vox_sip_uri ua, ub;
	struct vox_diag d;
	int ra = vox_sip_uri_parse(&ua, a, &d);
	if (ra < 0 && d.off > a.len)
		abort();
	if (ra == 0 && vox_sip_uri_eq(&ua, &ua) != 1)
		abort();
	if (ra == 0 && ua.user.len) {
		char tmp[256];
		(void)!vox_sip_unescape(ua.user, tmp, sizeof tmp);
	}
	int rb = vox_sip_uri_parse(&ub, b, &d);
	if (ra == 0 && rb == 0 && vox_sip_uri_eq(&ua, &ub) != vox_sip_uri_eq(&ub, &ua))
		abort();
	return 0;
}
