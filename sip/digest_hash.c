/* SPDX-License-Identifier: MIT */
/*
 * The hashes of SIP digest authentication over mbedTLS: MD5 (RFC 1321),
 * SHA-256 and SHA-512/256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) for the
 * registrar's stateless nonces, and a constant-time compare. The only file
 * of sip/ that calls mbedTLS; where mbedTLS has the primitive (HMAC,
 * mbedtls_ct_memcmp) vox uses it rather than a copy of its own.
 */
#include <string.h>

#include "sip/digest_int.h"

#include <mbedtls/version.h>

/* mbedtls_ct_memcmp came to the public API (mbedtls/constant_time.h) in
 * 2.28 and 3.1; 3.0 kept it internal. */
#if MBEDTLS_VERSION_NUMBER < 0x021C0000 || (MBEDTLS_VERSION_MAJOR == 3 && MBEDTLS_VERSION_MINOR < 1)
#error "vox needs mbedTLS 2.28, or 3.1 or later (mbedtls_ct_memcmp)"
#endif

#include <mbedtls/constant_time.h>
#include <mbedtls/md.h>
#if !defined(MBEDTLS_MD_C) || !defined(MBEDTLS_SHA256_C)
#error "the registrar's nonce MAC needs MBEDTLS_MD_C and MBEDTLS_SHA256_C"
#endif

#if VOX_WITH_DIGEST_SHA2 && defined(MBEDTLS_SHA512_ALT)
#error                                                                                             \
    "SHA-512/256 sets the SHA-512 chaining state: it needs mbedTLS's own SHA-512, not an _ALT one"
#endif

/* mbedTLS 2.28 names its fallible calls *_ret; 3.x dropped the suffix. */
#if MBEDTLS_VERSION_MAJOR >= 3
#define MBED(f) f
#else
#define MBED(f) f##_ret
#endif

static inline int md5_starts(mbedtls_md5_context *c)
{
	return MBED(mbedtls_md5_starts)(c);
}
static inline int md5_update(mbedtls_md5_context *c, const unsigned char *p, size_t n)
{
	return MBED(mbedtls_md5_update)(c, p, n);
}
static inline int md5_finish(mbedtls_md5_context *c, unsigned char *out)
{
	return MBED(mbedtls_md5_finish)(c, out);
}
static inline int sha256_starts(mbedtls_sha256_context *c)
{
	return MBED(mbedtls_sha256_starts)(c, 0);
}
static inline int sha256_update(mbedtls_sha256_context *c, const unsigned char *p, size_t n)
{
	return MBED(mbedtls_sha256_update)(c, p, n);
}
static inline int sha256_finish(mbedtls_sha256_context *c, unsigned char *out)
{
	return MBED(mbedtls_sha256_finish)(c, out);
}
#if VOX_WITH_DIGEST_SHA2
static inline int sha512_starts(mbedtls_sha512_context *c)
{
	return MBED(mbedtls_sha512_starts)(c, 0);
}
static inline int sha512_update(mbedtls_sha512_context *c, const unsigned char *p, size_t n)
{
	return MBED(mbedtls_sha512_update)(c, p, n);
}
static inline int sha512_finish(mbedtls_sha512_context *c, unsigned char *out)
{
	return MBED(mbedtls_sha512_finish)(c, out);
}
#endif

#if VOX_WITH_DIGEST_SHA2
/*
 * FIPS 180-4 5.3.6.2: SHA-512/256 is SHA-512 with its own initial hash
 * value, truncated to 256 bits (the IV was made by the SHA-512/t IV
 * generation function of 5.3.6, so no output of SHA-512 is a prefix of an
 * output of SHA-512/256). mbedTLS has no SHA-512/256, but its SHA-512
 * context keeps the chaining value in state[8] and starts() only loads the
 * SHA-512 IV and clears the counters; overwriting state[] right after
 * starts() is exactly the FIPS definition. The compression function and
 * the padding are SHA-512's own, so nothing else changes.
 */
static const uint64_t sha512_256_iv[8] = {
    0x22312194FC2BF72CULL, 0x9F555FA3C84C64C2ULL, 0x2393B86B6F53B151ULL, 0x963877195940EABDULL,
    0x96283EE2A88EFFE3ULL, 0xBE5E1E2553863992ULL, 0x2B0199FC2C85B8AAULL, 0x0EB72DDC81C52CA2ULL};
#endif

size_t dg_hash_len(enum dg_hash_id id)
{
	return id == DG_MD5 ? 16 : 32;
}

void dg_hash_start(struct dg_hash *h, enum dg_hash_id id)
{
	h->id = id;
	h->err = 0;
	switch (id) {
	case DG_MD5:
		mbedtls_md5_init(&h->u.md5);
		h->err = md5_starts(&h->u.md5);
		break;
	case DG_SHA256:
		mbedtls_sha256_init(&h->u.sha256);
		h->err = sha256_starts(&h->u.sha256);
		break;
#if VOX_WITH_DIGEST_SHA2
	case DG_SHA512_256:
		mbedtls_sha512_init(&h->u.sha512);
		h->err = sha512_starts(&h->u.sha512);
		memcpy(h->u.sha512.state, sha512_256_iv, sizeof sha512_256_iv);
		break;
#endif
	default:
		/* Callers map algorithms to ids; an id outside the enum is a
		 * bug, reported as a crypto failure rather than hashed wrong. */
		h->id = DG_MD5;
		mbedtls_md5_init(&h->u.md5);
		h->err = VOX_ECRYPTO;
		break;
	}
	if (h->err)
		h->err = VOX_ECRYPTO;
}

void dg_hash_update(struct dg_hash *h, const void *p, size_t n)
{
	if (h->err || n == 0)
		return;
	int rc = 0;
	switch (h->id) {
	case DG_MD5: rc = md5_update(&h->u.md5, p, n); break;
	case DG_SHA256: rc = sha256_update(&h->u.sha256, p, n); break;
#if VOX_WITH_DIGEST_SHA2
	case DG_SHA512_256: rc = sha512_update(&h->u.sha512, p, n); break;
#endif
	default: rc = -1; break;
	}
	if (rc)
		h->err = VOX_ECRYPTO;
}

void dg_hash_abort(struct dg_hash *h)
{
	/* The _free functions of mbedTLS zeroize the context (the buffer may
	 * hold password bytes). */
	switch (h->id) {
	case DG_MD5: mbedtls_md5_free(&h->u.md5); break;
	case DG_SHA256: mbedtls_sha256_free(&h->u.sha256); break;
#if VOX_WITH_DIGEST_SHA2
	case DG_SHA512_256: mbedtls_sha512_free(&h->u.sha512); break;
#endif
	default: break;
	}
	vox_wipe(&h->u, sizeof h->u);
}

int dg_hash_finish(struct dg_hash *h, uint8_t out[DG_MAX_HASH])
{
	int rc = h->err;
	size_t n = dg_hash_len(h->id);
	if (!rc) {
		switch (h->id) {
		case DG_MD5: rc = md5_finish(&h->u.md5, out); break;
		case DG_SHA256: rc = sha256_finish(&h->u.sha256, out); break;
#if VOX_WITH_DIGEST_SHA2
		case DG_SHA512_256: {
			uint8_t full[64];
			rc = sha512_finish(&h->u.sha512, full);
			memcpy(out, full, 32);
			vox_wipe(full, sizeof full);
			break;
		}
#endif
		default: rc = -1; break;
		}
	}
	dg_hash_abort(h);
	if (rc) {
		vox_wipe(out, DG_MAX_HASH);
		return VOX_ECRYPTO;
	}
	return (int)n;
}

int dg_hmac_sha256(const uint8_t *key, size_t keylen, const struct vox_slice *parts, size_t n,
                   uint8_t out[32])
{
	/* mbedTLS's HMAC (RFC 2104) over its SHA-256. mbedtls_md_setup takes
	 * the context from the heap (mbedtls_calloc; see vox/digest.h) and
	 * mbedtls_md_free zeroizes and returns it, key pads included. */
	const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
	mbedtls_md_context_t ctx;
	mbedtls_md_init(&ctx);
	int rc = info ? mbedtls_md_setup(&ctx, info, 1) : -1;
	if (!rc)
		rc = mbedtls_md_hmac_starts(&ctx, key, keylen);
	for (size_t i = 0; i < n && !rc; i++)
		if (parts[i].len)
			rc = mbedtls_md_hmac_update(&ctx, (const unsigned char *)parts[i].p,
			                            parts[i].len);
	if (!rc)
		rc = mbedtls_md_hmac_finish(&ctx, out);
	mbedtls_md_free(&ctx);
	if (rc) {
		vox_wipe(out, 32);
		return VOX_ECRYPTO;
	}
	return 0;
}

int dg_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	return mbedtls_ct_memcmp(a, b, n) == 0;
}
