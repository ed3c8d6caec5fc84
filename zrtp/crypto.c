/* SPDX-License-Identifier: MIT */
/* The crypto seam of zrtp/ over mbedTLS 2.28 (zrtp/zrtp_crypto.h says
 * what it does behind the caller's back). */
#include <string.h>

#include "zrtp/zrtp_crypto.h"

#if VOX_WITH_ZRTP

#include <mbedtls/aes.h>
#include <mbedtls/bignum.h>
#include <mbedtls/dhm.h>
#include <mbedtls/ecp.h>
#include <mbedtls/sha256.h>
#include <mbedtls/sha512.h>

/* ---- hashes and HMAC --------------------------------------------------------- */

size_t zrtp_hash_len(uint32_t hash)
{
	return hash == VOX_ZRTP_S256 ? 32 : hash == VOX_ZRTP_S384 ? 48 : 0;
}

/* A running hash of either kind. */
struct hctx {
	uint32_t alg;
	union {
		mbedtls_sha256_context s256;
		mbedtls_sha512_context s512;
	} u;
};

static int h_start(struct hctx *h, uint32_t alg)
{
	h->alg = alg;
	if (alg == VOX_ZRTP_S256) {
		mbedtls_sha256_init(&h->u.s256);
		return mbedtls_sha256_starts_ret(&h->u.s256, 0) ? VOX_ECRYPTO : 0;
	}
	if (alg == VOX_ZRTP_S384) {
		mbedtls_sha512_init(&h->u.s512);
		return mbedtls_sha512_starts_ret(&h->u.s512, 1) ? VOX_ECRYPTO : 0;
	}
	return VOX_EUNSUPPORTED;
}

static int h_update(struct hctx *h, const uint8_t *p, size_t n)
{
	if (n == 0)
		return 0;
	int rc = h->alg == VOX_ZRTP_S256 ? mbedtls_sha256_update_ret(&h->u.s256, p, n)
	                                 : mbedtls_sha512_update_ret(&h->u.s512, p, n);
	return rc ? VOX_ECRYPTO : 0;
}

/* Finishes (out may be NULL on an error path) and frees. */
static int h_finish(struct hctx *h, uint8_t *out)
{
	int rc = 0;
	uint8_t full[64];
	if (h->alg == VOX_ZRTP_S256) {
		if (out)
			rc = mbedtls_sha256_finish_ret(&h->u.s256, out);
		mbedtls_sha256_free(&h->u.s256);
	} else {
		if (out) {
			rc = mbedtls_sha512_finish_ret(&h->u.s512, full);
			memcpy(out, full, 48);
			vox_wipe(full, sizeof full);
		}
		mbedtls_sha512_free(&h->u.s512);
	}
	return rc ? VOX_ECRYPTO : 0;
}

static int h_parts(struct hctx *h, const struct zrtp_part *parts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int rc = h_update(h, parts[i].p, parts[i].n);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int zrtp_hash(uint32_t hash, const struct zrtp_part *parts, size_t n, uint8_t *out)
{
	struct hctx h;
	int rc = h_start(&h, hash);
	if (rc < 0)
		return rc;
	rc = h_parts(&h, parts, n);
	int rf = h_finish(&h, rc < 0 ? NULL : out);
	return rc < 0 ? rc : rf;
}

/* RFC 2104 over the hash's own block (64 bytes for SHA-256, 128 for
 * SHA-384). Written here rather than with mbedtls_md_hmac, which
 * allocates its context on the heap. */
int zrtp_hmac(uint32_t hash, const uint8_t *key, size_t klen, const struct zrtp_part *parts,
              size_t n, uint8_t *out)
{
	size_t hl = zrtp_hash_len(hash);
	if (!hl)
		return VOX_EUNSUPPORTED;
	size_t bl = hl == 32 ? 64 : 128;
	uint8_t k[128], pad[128], inner[ZRTP_HASH_MAX];
	memset(k, 0, sizeof k);
	int rc = 0;
	if (klen > bl) {
		struct zrtp_part kp = {key, klen};
		rc = zrtp_hash(hash, &kp, 1, k);
	} else if (klen) {
		memcpy(k, key, klen);
	}
	struct hctx h;
	if (rc == 0) {
		for (size_t i = 0; i < bl; i++)
			pad[i] = (uint8_t)(k[i] ^ 0x36);
		rc = h_start(&h, hash);
		if (rc == 0) {
			rc = h_update(&h, pad, bl);
			if (rc == 0)
				rc = h_parts(&h, parts, n);
			int rf = h_finish(&h, rc < 0 ? NULL : inner);
			rc = rc < 0 ? rc : rf;
		}
	}
	if (rc == 0) {
		for (size_t i = 0; i < bl; i++)
			pad[i] = (uint8_t)(k[i] ^ 0x5c);
		rc = h_start(&h, hash);
		if (rc == 0) {
			rc = h_update(&h, pad, bl);
			if (rc == 0)
				rc = h_update(&h, inner, hl);
			int rf = h_finish(&h, rc < 0 ? NULL : out);
			rc = rc < 0 ? rc : rf;
		}
	}
	vox_wipe(k, sizeof k);
	vox_wipe(pad, sizeof pad);
	vox_wipe(inner, sizeof inner);
	return rc;
}

int zrtp_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint8_t d = 0;
	for (size_t i = 0; i < n; i++)
		d |= (uint8_t)(a[i] ^ b[i]);
	return (int)(1 & ((unsigned)(d - 1) >> 8));
}

/* ---- AES-CFB -------------------------------------------------------------- */

size_t zrtp_cipher_key_len(uint32_t cipher)
{
	return cipher == VOX_ZRTP_AES1 ? 16 : cipher == VOX_ZRTP_AES3 ? 32 : 0;
}

int zrtp_cfb(uint32_t cipher, int encrypt, const uint8_t *key, const uint8_t iv[16],
             const uint8_t *in, size_t len, uint8_t *out)
{
	size_t kl = zrtp_cipher_key_len(cipher);
	if (!kl)
		return VOX_EUNSUPPORTED;
	mbedtls_aes_context aes;
	mbedtls_aes_init(&aes);
	uint8_t v[16];
	memcpy(v, iv, 16);
	size_t off = 0;
	/* CFB runs the block cipher forwards both ways: one encryption key */
	int rc = mbedtls_aes_setkey_enc(&aes, key, (unsigned)(kl * 8));
	if (rc == 0)
		rc = mbedtls_aes_crypt_cfb128(&aes,
		                              encrypt ? MBEDTLS_AES_ENCRYPT : MBEDTLS_AES_DECRYPT,
		                              len, &off, v, in, out);
	mbedtls_aes_free(&aes);
	vox_wipe(v, sizeof v);
	return rc ? VOX_ECRYPTO : 0;
}

/* ---- key agreement ------------------------------------------------------------ */

/* RFC 3526 groups 14 (2048 bits) and 15 (3072 bits), generator 2. */
static const uint8_t modp2048[] = MBEDTLS_DHM_RFC3526_MODP_2048_P_BIN;
static const uint8_t modp3072[] = MBEDTLS_DHM_RFC3526_MODP_3072_P_BIN;

static int is_ffdh(uint32_t ka)
{
	return ka == VOX_ZRTP_DH3K || ka == VOX_ZRTP_DH2K;
}

static mbedtls_ecp_group_id ec_id(uint32_t ka)
{
	switch (ka) {
	case VOX_ZRTP_EC25: return MBEDTLS_ECP_DP_SECP256R1;
	case VOX_ZRTP_EC38: return MBEDTLS_ECP_DP_SECP384R1;
	case VOX_ZRTP_X255:
	case VOX_ZRTP_E255: return MBEDTLS_ECP_DP_CURVE25519;
	case VOX_ZRTP_X448: return MBEDTLS_ECP_DP_CURVE448;
	default: return MBEDTLS_ECP_DP_NONE;
	}
}

static int is_mont(uint32_t ka)
{
	return ka == VOX_ZRTP_X255 || ka == VOX_ZRTP_E255 || ka == VOX_ZRTP_X448;
}

int zrtp_keyagr_supported(uint32_t ka)
{
	if (is_ffdh(ka))
		return 1;
	mbedtls_ecp_group_id id = ec_id(ka);
	return id != MBEDTLS_ECP_DP_NONE && mbedtls_ecp_curve_info_from_grp_id(id) != NULL;
}

size_t zrtp_pv_len(uint32_t ka)
{
	switch (ka) {
	case VOX_ZRTP_DH3K: return 384;
	case VOX_ZRTP_DH2K: return 256;
	case VOX_ZRTP_EC25: return 64;
	case VOX_ZRTP_EC38: return 96;
	case VOX_ZRTP_X255:
	case VOX_ZRTP_E255: return 32;
	case VOX_ZRTP_X448: return 56;
	default: return 0;
	}
}

size_t zrtp_shared_len(uint32_t ka)
{
	switch (ka) {
	case VOX_ZRTP_EC25: return 32;
	case VOX_ZRTP_EC38: return 48;
	default: return zrtp_pv_len(ka);
	}
}

size_t zrtp_secret_len(uint32_t ka, size_t klen)
{
	switch (ka) {
	case VOX_ZRTP_DH3K:
	case VOX_ZRTP_DH2K: return 2 * klen;
	case VOX_ZRTP_EC25: return 32 + 8;
	case VOX_ZRTP_EC38: return 48 + 8;
	case VOX_ZRTP_X255:
	case VOX_ZRTP_E255: return 32;
	case VOX_ZRTP_X448: return 56;
	default: return 0;
	}
}

/* The secret scalar of an elliptic curve from the caller's bytes: for a
 * Weierstrass curve (bytes mod (n - 1)) + 1, for Curve25519 and Curve448
 * the little-endian bytes clamped as RFC 7748 5 says. */
static int ec_scalar(const mbedtls_ecp_group *g, uint32_t ka, const uint8_t *sv, size_t n,
                     mbedtls_mpi *d)
{
	int rc;
	if (is_mont(ka)) {
		if ((rc = mbedtls_mpi_read_binary_le(d, sv, n)) != 0)
			return rc;
		size_t top = g->nbits; /* 254 for Curve25519, 447 for Curve448 */
		for (size_t b = top + 1; b < n * 8; b++)
			if ((rc = mbedtls_mpi_set_bit(d, b, 0)) != 0)
				return rc;
		if ((rc = mbedtls_mpi_set_bit(d, top, 1)) != 0)
			return rc;
		/* clear the cofactor bits: 3 for Curve25519, 2 for Curve448 */
		for (size_t b = 0; b < (ka == VOX_ZRTP_X448 ? 2u : 3u); b++)
			if ((rc = mbedtls_mpi_set_bit(d, b, 0)) != 0)
				return rc;
		return 0;
	}
	mbedtls_mpi nm1;
	mbedtls_mpi_init(&nm1);
	rc = mbedtls_mpi_read_binary(d, sv, n);
	if (rc == 0)
		rc = mbedtls_mpi_sub_int(&nm1, &g->N, 1);
	if (rc == 0)
		rc = mbedtls_mpi_mod_mpi(d, d, &nm1);
	if (rc == 0)
		rc = mbedtls_mpi_add_int(d, d, 1);
	mbedtls_mpi_free(&nm1);
	return rc;
}

/* mbedTLS's rng signature over the caller's vox_rng: ecp_mul uses it to
 * randomise its computation against side channels. */
static int rng_adapt(void *ctx, unsigned char *out, size_t len)
{
	const struct vox_rng *r = ctx;
	return r->fn(r->ctx, out, len) == 0 ? 0 : -1;
}

static int ffdh_prime(uint32_t ka, mbedtls_mpi *p)
{
	return ka == VOX_ZRTP_DH3K ? mbedtls_mpi_read_binary(p, modp3072, sizeof modp3072)
	                           : mbedtls_mpi_read_binary(p, modp2048, sizeof modp2048);
}

int zrtp_kp_make(struct vox_zrtp_keypair *kp, uint32_t ka, const uint8_t *sv, size_t sv_len,
                 const struct vox_rng *rng)
{
	memset(kp, 0, sizeof *kp);
	if (!zrtp_keyagr_supported(ka))
		return VOX_EUNSUPPORTED;
	size_t want = zrtp_secret_len(ka, sv_len / 2);
	if (is_ffdh(ka) ? (sv_len != 32 && sv_len != 64) : sv_len != want)
		return VOX_EINVAL;
	kp->ka = ka;
	memcpy(kp->sv, sv, sv_len);
	kp->sv_len = sv_len;
	kp->pv_len = zrtp_pv_len(ka);
	int rc;
	if (is_ffdh(ka)) {
		mbedtls_mpi p, g, x, y;
		mbedtls_mpi_init(&p);
		mbedtls_mpi_init(&g);
		mbedtls_mpi_init(&x);
		mbedtls_mpi_init(&y);
		rc = ffdh_prime(ka, &p);
		if (rc == 0)
			rc = mbedtls_mpi_lset(&g, 2);
		if (rc == 0)
			rc = mbedtls_mpi_read_binary(&x, sv, sv_len);
		if (rc == 0)
			rc = mbedtls_mpi_exp_mod(&y, &g, &x, &p, NULL);
		if (rc == 0)
			rc = mbedtls_mpi_write_binary(&y, kp->pv, kp->pv_len);
		mbedtls_mpi_free(&p);
		mbedtls_mpi_free(&g);
		mbedtls_mpi_free(&x);
		mbedtls_mpi_free(&y);
	} else {
		mbedtls_ecp_group grp;
		mbedtls_ecp_point q;
		mbedtls_mpi d;
		mbedtls_ecp_group_init(&grp);
		mbedtls_ecp_point_init(&q);
		mbedtls_mpi_init(&d);
		rc = mbedtls_ecp_group_load(&grp, ec_id(ka));
		if (rc == 0)
			rc = ec_scalar(&grp, ka, sv, sv_len, &d);
		if (rc == 0)
			rc = mbedtls_ecp_mul(&grp, &q, &d, &grp.G, rng_adapt,
			                     (void *)(uintptr_t)rng);
		if (rc == 0 && is_mont(ka)) {
			rc = mbedtls_mpi_write_binary_le(&q.X, kp->pv, kp->pv_len);
		} else if (rc == 0) {
			size_t h = kp->pv_len / 2;
			rc = mbedtls_mpi_write_binary(&q.X, kp->pv, h);
			if (rc == 0)
				rc = mbedtls_mpi_write_binary(&q.Y, kp->pv + h, h);
		}
		mbedtls_ecp_group_free(&grp);
		mbedtls_ecp_point_free(&q);
		mbedtls_mpi_free(&d);
	}
	if (rc != 0) {
		zrtp_kp_wipe(kp);
		return VOX_ECRYPTO;
	}
	return 0;
}

static int ffdh_shared(const struct vox_zrtp_keypair *kp, const uint8_t *pv, size_t n, uint8_t *out)
{
	mbedtls_mpi p, y, x, z, pm1;
	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&y);
	mbedtls_mpi_init(&x);
	mbedtls_mpi_init(&z);
	mbedtls_mpi_init(&pm1);
	int bad = 0;
	int rc = ffdh_prime(kp->ka, &p);
	if (rc == 0)
		rc = mbedtls_mpi_read_binary(&y, pv, n);
	if (rc == 0)
		rc = mbedtls_mpi_sub_int(&pm1, &p, 1);
	/* 4.4.1.1 and 5.9 (Error 0x61): pv of 0, 1 or p-1 gives a result a
	 * MitM knows; anything >= p is no group element */
	if (rc == 0 && (mbedtls_mpi_cmp_int(&y, 1) <= 0 || mbedtls_mpi_cmp_mpi(&y, &pm1) >= 0))
		bad = 1;
	if (rc == 0 && !bad)
		rc = mbedtls_mpi_read_binary(&x, kp->sv, kp->sv_len);
	if (rc == 0 && !bad)
		rc = mbedtls_mpi_exp_mod(&z, &y, &x, &p, NULL);
	if (rc == 0 && !bad)
		rc = mbedtls_mpi_write_binary(&z, out, n);
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&y);
	mbedtls_mpi_free(&x);
	mbedtls_mpi_free(&z);
	mbedtls_mpi_free(&pm1);
	return bad ? VOX_EAUTH : rc ? VOX_ECRYPTO : 0;
}

static int ec_shared(const struct vox_zrtp_keypair *kp, const uint8_t *pv, size_t n, uint8_t *out,
                     const struct vox_rng *rng)
{
	mbedtls_ecp_group grp;
	mbedtls_ecp_point q, r;
	mbedtls_mpi d;
	int bad = 0;
	mbedtls_ecp_group_init(&grp);
	mbedtls_ecp_point_init(&q);
	mbedtls_ecp_point_init(&r);
	mbedtls_mpi_init(&d);
	size_t sl = zrtp_shared_len(kp->ka);
	int rc = mbedtls_ecp_group_load(&grp, ec_id(kp->ka));
	if (rc == 0 && is_mont(kp->ka)) {
		uint8_t u[56];
		memcpy(u, pv, n);
		/* RFC 7748 5: the top bit of an X25519 u-coordinate is masked */
		if (kp->ka != VOX_ZRTP_X448)
			u[31] &= 0x7f;
		rc = mbedtls_mpi_read_binary_le(&q.X, u, n);
		if (rc == 0)
			rc = mbedtls_mpi_lset(&q.Z, 1);
	} else if (rc == 0) {
		size_t h = n / 2;
		rc = mbedtls_mpi_read_binary(&q.X, pv, h);
		if (rc == 0)
			rc = mbedtls_mpi_read_binary(&q.Y, pv + h, h);
		if (rc == 0)
			rc = mbedtls_mpi_lset(&q.Z, 1);
	}
	if (rc == 0 && mbedtls_ecp_check_pubkey(&grp, &q) != 0)
		bad = 1;
	if (rc == 0 && !bad)
		rc = ec_scalar(&grp, kp->ka, kp->sv, kp->sv_len, &d);
	if (rc == 0 && !bad)
		rc = mbedtls_ecp_mul(&grp, &r, &d, &q, rng_adapt, (void *)(uintptr_t)rng);
	if (rc == 0 && !bad) {
		if (is_mont(kp->ka)) {
			rc = mbedtls_mpi_write_binary_le(&r.X, out, sl);
			/* RFC 7748 6.1: an all-zero result means a low-order point */
			if (rc == 0 && mbedtls_mpi_cmp_int(&r.X, 0) == 0)
				bad = 1;
		} else {
			rc = mbedtls_mpi_write_binary(&r.X, out, sl);
		}
	}
	mbedtls_ecp_group_free(&grp);
	mbedtls_ecp_point_free(&q);
	mbedtls_ecp_point_free(&r);
	mbedtls_mpi_free(&d);
	if (bad)
		vox_wipe(out, sl);
	return bad ? VOX_EAUTH : rc ? VOX_ECRYPTO : 0;
}

int zrtp_kp_shared(const struct vox_zrtp_keypair *kp, const uint8_t *pv, size_t pv_len,
                   uint8_t *out, const struct vox_rng *rng)
{
	if (!kp->ka || pv_len != zrtp_pv_len(kp->ka))
		return VOX_EINVAL;
	return is_ffdh(kp->ka) ? ffdh_shared(kp, pv, pv_len, out)
	                       : ec_shared(kp, pv, pv_len, out, rng);
}

void zrtp_kp_wipe(struct vox_zrtp_keypair *kp)
{
	vox_wipe(kp->sv, sizeof kp->sv);
	kp->sv_len = 0;
}

#endif /* VOX_WITH_ZRTP */
