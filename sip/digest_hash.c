/*
 * The hashes of SIP digest authentication over mbedTLS: MD5 (RFC 1321),
 * SHA-256 and SHA-512/256 (FIPS 180-4), HMAC-SHA-256 (RFC 2104) for the
 * registrar's stateless nonces, and a constant-time compare. The only file
 * of sip/ that calls mbedTLS.
 */
#include <string.h>

#include "sip/digest_int.h"

#include <mbedtls/version.h>

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
	/* RFC 2104 with B = 64: K0 is the key, hashed first if longer than a
	 * block, zero-padded to B bytes. */
	uint8_t k0[64], pad[64], inner[DG_MAX_HASH];
	struct dg_hash h;
	int rc = 0;
	memset(k0, 0, sizeof k0);
	if (keylen > sizeof k0) {
		dg_hash_start(&h, DG_SHA256);
		dg_hash_update(&h, key, keylen);
		rc = dg_hash_finish(&h, k0);
	} else if (keylen) {
		memcpy(k0, key, keylen);
	}
	if (rc >= 0) {
		for (size_t i = 0; i < sizeof pad; i++)
			pad[i] = (uint8_t)(k0[i] ^ 0x36);
		dg_hash_start(&h, DG_SHA256);
		dg_hash_update(&h, pad, sizeof pad);
		for (size_t i = 0; i < n; i++)
			dg_hash_update(&h, parts[i].p, parts[i].len);
		rc = dg_hash_finish(&h, inner);
	}
	if (rc >= 0) {
		for (size_t i = 0; i < sizeof pad; i++)
			pad[i] = (uint8_t)(k0[i] ^ 0x5c);
		dg_hash_start(&h, DG_SHA256);
		dg_hash_update(&h, pad, sizeof pad);
		dg_hash_update(&h, inner, 32);
		rc = dg_hash_finish(&h, out);
	}
	vox_wipe(k0, sizeof k0);
	vox_wipe(pad, sizeof pad);
	vox_wipe(inner, sizeof inner);
	return rc < 0 ? rc : 0;
}

int dg_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	/* Accumulate every difference; no branch depends on the data. */
	volatile uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d = (uint8_t)(d | (a[i] ^ b[i]));
	return d == 0;
}
