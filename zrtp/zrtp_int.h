/* SPDX-License-Identifier: MIT */
/* Internal helpers of zrtp/ (not installed): big-endian access and the
 * binary parsers' failure report. */
#ifndef VOX_ZRTP_INT_H
#define VOX_ZRTP_INT_H

#include "core/core_int.h"
#include "vox/zrtp.h"

#if VOX_WITH_ZRTP

static inline uint16_t zrtp_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t zrtp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void zrtp_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void zrtp_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline int zrtp_fail(struct vox_diag *diag, const uint8_t *base, const uint8_t *at, int err,
                            const char *what)
{
	return vox_fail(diag, (const char *)base, (const char *)at, err, what);
}

#endif /* VOX_WITH_ZRTP */

#endif
