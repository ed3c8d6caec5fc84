/* SPDX-License-Identifier: MIT */
/* The library's version, fixed when it is built (vox/base.h). */
#include "vox/base.h"

const char *vox_version(void)
{
	return VOX_VERSION_STRING;
}
