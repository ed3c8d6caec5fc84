/* SPDX-License-Identifier: MIT */
/* Retained secrets in memory and their byte form (vox/zrtp.h documents
 * the format). The file around it is the program's: zrtp/ does no I/O. */
#include <string.h>

#include "zrtp/zrtp_int.h"

#if VOX_WITH_ZRTP

#define FLAGS_KNOWN (VOX_ZRTP_RS1 | VOX_ZRTP_RS2 | VOX_ZRTP_VERIFIED)

void vox_zrtp_cache_init(struct vox_zrtp_cache *c)
{
	memset(c, 0, sizeof *c);
}

void vox_zrtp_cache_free(struct vox_zrtp_cache *c)
{
	if (c)
		vox_wipe(c, sizeof *c);
}

static struct vox_zrtp_secrets *find(struct vox_zrtp_cache *c, const uint8_t *zid)
{
	for (size_t i = 0; i < c->n; i++)
		if (memcmp(c->e[i].zid, zid, VOX_ZRTP_ZID_LEN) == 0)
			return &c->e[i];
	return NULL;
}

static int cache_load(void *ctx, const uint8_t zid[VOX_ZRTP_ZID_LEN], struct vox_zrtp_secrets *out)
{
	struct vox_zrtp_secrets *e = find(ctx, zid);
	if (!e)
		return 0;
	*out = *e;
	return 1;
}

static int cache_save(void *ctx, const struct vox_zrtp_secrets *s)
{
	struct vox_zrtp_cache *c = ctx;
	struct vox_zrtp_secrets *e = find(c, s->zid);
	if (!e) {
		if (c->n == VOX_ZRTP_CACHE_MAX)
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

int vox_zrtp_cache_encode(const struct vox_zrtp_cache *c, uint8_t *out, size_t cap)
{
	size_t n = c->n > VOX_ZRTP_CACHE_MAX ? VOX_ZRTP_CACHE_MAX : c->n;
	size_t len = VOX_ZRTP_CACHE_BYTES(n);
	if (!out || cap < len)
		return VOX_ENOSPC;
	memcpy(out, "VZC1", 4);
	zrtp_put16(out + 4, (uint16_t)n);
	uint8_t *p = out + 6;
	for (size_t i = 0; i < n; i++) {
		memcpy(p, c->e[i].zid, VOX_ZRTP_ZID_LEN);
		p[12] = c->e[i].flags;
		memcpy(p + 13, c->e[i].rs1, VOX_ZRTP_RS_LEN);
		memcpy(p + 45, c->e[i].rs2, VOX_ZRTP_RS_LEN);
		p += VOX_ZRTP_CACHE_ENTRY;
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
	if (len < VOX_ZRTP_CACHE_BYTES(0) || memcmp(in, "VZC1", 4) != 0)
		return VOX_EMALFORMED;
	size_t n = zrtp_get16(in + 4);
	if (len != VOX_ZRTP_CACHE_BYTES(n))
		return VOX_EMALFORMED;
	const uint8_t *t = in + len - 4;
	uint32_t crc =
	    (uint32_t)t[0] | (uint32_t)t[1] << 8 | (uint32_t)t[2] << 16 | (uint32_t)t[3] << 24;
	if (vox_zrtp_crc32c(in, len - 4) != crc)
		return VOX_EMALFORMED;
	if (n > VOX_ZRTP_CACHE_MAX)
		return VOX_ELIMIT;
	const uint8_t *p = in + 6;
	for (size_t i = 0; i < n; i++, p += VOX_ZRTP_CACHE_ENTRY) {
		if ((p[12] & ~FLAGS_KNOWN) || find(c, p)) {
			vox_zrtp_cache_free(c);
			return VOX_EMALFORMED;
		}
		struct vox_zrtp_secrets *e = &c->e[c->n++];
		memcpy(e->zid, p, VOX_ZRTP_ZID_LEN);
		e->flags = p[12];
		memcpy(e->rs1, p + 13, VOX_ZRTP_RS_LEN);
		memcpy(e->rs2, p + 45, VOX_ZRTP_RS_LEN);
	}
	return (int)n;
}

#endif /* VOX_WITH_ZRTP */
