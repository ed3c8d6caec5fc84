/* SPDX-License-Identifier: MIT */
/* The ZRTP cache's byte form (vox/zrtp.h, what the cache file and a
 * device's flash hold): arbitrary bytes in. The first byte chooses
 * whether the rest is decoded as it is (almost always a CRC failure) or
 * with a correct CRC written over its last four bytes, so that the
 * checks behind the CRC are reached too. Invariants checked:
 *  - a refused image leaves the cache empty;
 *  - an accepted one encodes back to exactly the input bytes (the byte
 *    form of a cache is one and only one), and a capacity one byte short
 *    is refused with VOX_ENOSPC;
 *  - the store port over it finds every entry it holds, forget removes
 *    exactly one, and save then load gives back what was saved. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/zrtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if VOX_WITH_ZRTP

static struct vox_zrtp_cache c;
static uint8_t out[VOX_ZRTP_CACHE_BYTES(VOX_ZRTP_CACHE_MAX)];
static uint8_t in[VOX_ZRTP_CACHE_BYTES(VOX_ZRTP_CACHE_MAX) + 64];

static int same(const struct vox_zrtp_secrets *a, const struct vox_zrtp_secrets *b)
{
	return memcmp(a->zid, b->zid, sizeof a->zid) == 0 && a->flags == b->flags &&
	       a->expiry == b->expiry && a->saved == b->saved &&
	       memcmp(a->rs1, b->rs1, sizeof a->rs1) == 0 &&
	       memcmp(a->rs2, b->rs2, sizeof a->rs2) == 0 &&
	       memcmp(a->pbx, b->pbx, sizeof a->pbx) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size - 1 > sizeof in)
		return 0;
	size_t n = size - 1;
	memcpy(in, data + 1, n);
	if ((data[0] & 1) && n >= 4) {
		uint32_t crc = vox_zrtp_crc32c(in, n - 4);
		in[n - 4] = (uint8_t)crc;
		in[n - 3] = (uint8_t)(crc >> 8);
		in[n - 2] = (uint8_t)(crc >> 16);
		in[n - 1] = (uint8_t)(crc >> 24);
	}
	int rc = vox_zrtp_cache_decode(in, n, &c);
	if (rc < 0) {
		if (c.n != 0 || (rc != VOX_EMALFORMED && rc != VOX_ELIMIT))
			abort();
		return 0;
	}
	if ((size_t)rc != c.n)
		abort();
	int m = vox_zrtp_cache_encode(&c, out, sizeof out);
	if (m < 0 || (size_t)m != n || memcmp(out, in, n) != 0)
		abort();
	if (vox_zrtp_cache_encode(&c, out, n - 1) != VOX_ENOSPC)
		abort();
	struct vox_zrtp_store st = vox_zrtp_cache_store(&c);
	struct vox_zrtp_secrets got;
	for (size_t i = 0; i < c.n; i++)
		if (st.load(st.ctx, c.e[i].zid, &got) != 1 || !same(&got, &c.e[i]))
			abort();
	if (c.n) {
		struct vox_zrtp_secrets first = c.e[0];
		size_t before = c.n;
		if (vox_zrtp_cache_forget(&c, first.zid) != 0 || c.n != before - 1 ||
		    vox_zrtp_cache_find(&c, first.zid))
			abort();
		first.rs1[0] ^= 1;
		if (st.save(st.ctx, &first) != 0 || st.load(st.ctx, first.zid, &got) != 1 ||
		    !same(&got, &first) || c.n != before)
			abort();
	}
	vox_zrtp_cache_free(&c);
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

#endif
