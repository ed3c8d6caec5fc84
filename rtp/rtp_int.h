/* SPDX-License-Identifier: MIT */
/* Internal helpers of rtp/ (not installed): big-endian access. */
#ifndef VOX_RTP_INT_H
#define VOX_RTP_INT_H

#include "core/core_int.h"
#include "vox/rtp.h"

static inline uint16_t vox_get16(const uint8_t *p)
{
	return (uint16_t)((unsigned)p[0] << 8 | p[1]);
}
static inline uint32_t vox_get24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}
static inline uint32_t vox_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static inline void vox_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}
static inline void vox_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Writer helpers for binary output (struct vox_writer counts bytes). */
static inline void vox_w8(struct vox_writer *w, uint8_t v)
{
	vox_writer_put(w, &v, 1);
}
static inline void vox_w16(struct vox_writer *w, uint16_t v)
{
	uint8_t b[2];
	vox_put16(b, v);
	vox_writer_put(w, b, 2);
}
static inline void vox_w32(struct vox_writer *w, uint32_t v)
{
	uint8_t b[4];
	vox_put32(b, v);
	vox_writer_put(w, b, 4);
}

/* Diagnostic for binary parsers: offset of at from base. */
static inline int vox_bfail(struct vox_diag *diag, const uint8_t *base, const uint8_t *at, int err,
                            const char *what)
{
	return vox_fail(diag, (const char *)base, (const char *)at, err, what);
}

#endif
