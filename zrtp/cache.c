/* SPDX-License-Identifier: MIT */
/* Retained secrets in memory and their byte form (vox/zrtp.h documents
 * the format). The file around it is transport/zrtp_file.c: zrtp/ does no
 * I/O. */
#include <string.h>

#include "zrtp/zrtp_int.h"

#if VOX_WITH_ZRTP

#define FLAGS_KNOWN (VOX_ZRTP_RS1 | VOX_ZRTP_RS2 | VOX_ZRTP_VERIFIED | VOX_ZRTP_PBX)
/* offsets in the byte form */
#define HEAD    (4 + VOX_ZRTP_ZID_LEN + 2)
#define E_FLAGS 12
#define E_EXP   13
#define E_SAVED 17
#define E_RS1   25
#define E_RS2   (E_RS1 + VOX_ZRTP_RS_LEN)
#define E_PBX   (E_RS2 + VOX_ZRTP_RS_LEN)

void vox_zrtp_cache_init(struct vox_zrtp_cache *c)
{
	memset(c, 0, sizeof *c);
}

void vox_zrtp_cache_free(struct vox_zrtp_cache *c)
{
	if (c)
		vox_wipe(c, sizeof *c);
}

struct vox_zrtp_secrets *vox_zrtp_cache_find(struct vox_zrtp_cache *c,
                                             const uint8_t zid[VOX_ZRTP_ZID_LEN])
{
	for (size_t i = 0; i < c->n && i < VOX_ZRTP_CACHE_MAX; i++)
		if (memcmp(c->e[i].zid, zid, VOX_ZRTP_ZID_LEN) == 0)
			return &c->e[i];
	return NULL;
}

int vox_zrtp_cache_forget(struct vox_zrtp_cache *c, const uint8_t zid[VOX_ZRTP_ZID_LEN])
{
	struct vox_zrtp_secrets *e = vox_zrtp_cache_find(c, zid);
	if (!e)
		return VOX_ENOTFOUND;
	struct vox_zrtp_secrets *last = &c->e[c->n - 1];
	if (e != last)
		*e = *last;
	vox_wipe(last, sizeof *last);
	c->n--;
	return 0;
}

static int cache_load(void *ctx, const uint8_t zid[VOX_ZRTP_ZID_LEN], struct vox_zrtp_secrets *out)
{
	struct vox_zrtp_secrets *e = vox_zrtp_cache_find(ctx, zid);
	if (!e)
		return 0;
	*out = *e;
	return 1;
}

static int cache_save(void *ctx, const struct vox_zrtp_secrets *s)
{
	struct vox_zrtp_cache *c = ctx;
	struct vox_zrtp_secrets *e = vox_zrtp_cache_find(c, s->zid);
	if (!e) {
		if (c->n >= VOX_ZRTP_CACHE_MAX)
			return VOX_EPOOL;
		e = &c->e[c->n++];
	}
	*e = *s;
	return 0;
}

struct vox_zrtp_store vox_zrtp_cache_store(struct vox_zrtp_cache *c)
{
	struct vox_zrtp_store st = {cache_load, cache_save, c};
	return st;
}

static void put64(uint8_t *p, uint64_t v)
{
	zrtp_put32(p, (uint32_t)(v >> 32));
	zrtp_put32(p + 4, (uint32_t)v);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)zrtp_get32(p) << 32 | zrtp_get32(p + 4);
}

/* A secret the flags do not mark valid is written as zeros, so that the
 * byte form of a cache is one and only one. */
static void put_secret(uint8_t *p, const uint8_t *s, int valid)
{
	if (valid)
		memcpy(p, s, VOX_ZRTP_RS_LEN);
	else
		memset(p, 0, VOX_ZRTP_RS_LEN);
}

static int zeros(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int vox_zrtp_cache_encode(const struct vox_zrtp_cache *c, uint8_t *out, size_t cap)
{
	if (c->n > VOX_ZRTP_CACHE_MAX)
		return VOX_EINVAL;
	size_t len = VOX_ZRTP_CACHE_BYTES(c->n);
	if (!out || cap < len)
		return VOX_ENOSPC;
	memcpy(out, "VZC2", 4);
	memcpy(out + 4, c->zid, VOX_ZRTP_ZID_LEN);
	zrtp_put16(out + 4 + VOX_ZRTP_ZID_LEN, (uint16_t)c->n);
	uint8_t *p = out + HEAD;
	for (size_t i = 0; i < c->n; i++, p += VOX_ZRTP_CACHE_ENTRY) {
		const struct vox_zrtp_secrets *e = &c->e[i];
		memcpy(p, e->zid, VOX_ZRTP_ZID_LEN);
		p[E_FLAGS] = e->flags & FLAGS_KNOWN;
		zrtp_put32(p + E_EXP, e->expiry);
		put64(p + E_SAVED, e->saved);
		put_secret(p + E_RS1, e->rs1, e->flags & VOX_ZRTP_RS1);
		put_secret(p + E_RS2, e->rs2, e->flags & VOX_ZRTP_RS2);
		put_secret(p + E_PBX, e->pbx, e->flags & VOX_ZRTP_PBX);
	}
	uint32_t crc = vox_zrtp_crc32c(out, len - 4);
	p[0] = (uint8_t)crc;
	p[1] = (uint8_t)(crc >> 8);
	p[2] = (uint8_t)(crc >> 16);
	p[3] = (uint8_t)(crc >> 24);
	return (int)len;
}

int vox_zrtp_cache_decode(const uint8_t *in, size_t len, struct vox_zrtp_cache *c)
{
	vox_zrtp_cache_init(c);
	if (len < VOX_ZRTP_CACHE_BYTES(0) || memcmp(in, "VZC2", 4) != 0)
		return VOX_EMALFORMED;
	size_t n = zrtp_get16(in + 4 + VOX_ZRTP_ZID_LEN);
	if (len != VOX_ZRTP_CACHE_BYTES(n))
		return VOX_EMALFORMED;
	const uint8_t *t = in + len - 4;
	uint32_t crc =
	    (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	if (vox_zrtp_crc32c(in, len - 4) != crc)
		return VOX_EMALFORMED;
	if (n > VOX_ZRTP_CACHE_MAX)
		return VOX_ELIMIT;
	memcpy(c->zid, in + 4, VOX_ZRTP_ZID_LEN);
	const uint8_t *p = in + HEAD;
	for (size_t i = 0; i < n; i++, p += VOX_ZRTP_CACHE_ENTRY) {
		uint8_t f = p[E_FLAGS];
		if ((f & ~FLAGS_KNOWN) || vox_zrtp_cache_find(c, p) ||
		    (!(f & VOX_ZRTP_RS1) && !zeros(p + E_RS1, VOX_ZRTP_RS_LEN)) ||
		    (!(f & VOX_ZRTP_RS2) && !zeros(p + E_RS2, VOX_ZRTP_RS_LEN)) ||
		    (!(f & VOX_ZRTP_PBX) && !zeros(p + E_PBX, VOX_ZRTP_RS_LEN))) {
			vox_zrtp_cache_free(c);
			return VOX_EMALFORMED;
		}
		struct vox_zrtp_secrets *e = &c->e[c->n++];
		memcpy(e->zid, p, VOX_ZRTP_ZID_LEN);
		e->flags = f;
		e->expiry = zrtp_get32(p + E_EXP);
		e->saved = get64(p + E_SAVED);
		memcpy(e->rs1, p + E_RS1, VOX_ZRTP_RS_LEN);
		memcpy(e->rs2, p + E_RS2, VOX_ZRTP_RS_LEN);
		memcpy(e->pbx, p + E_PBX, VOX_ZRTP_RS_LEN);
	}
	return (int)n;
}

#endif /* VOX_WITH_ZRTP */
