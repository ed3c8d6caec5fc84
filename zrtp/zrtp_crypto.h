/* SPDX-License-Identifier: MIT */
/*
 * zrtp/zrtp_crypto.h: the one seam between zrtp/ and mbedTLS 2.28 (not
 * installed). Hashes, HMAC, AES-CFB and the key agreements of RFC 6189
 * 5.1.2-5.1.5, each named by its 4-character ZRTP name; nothing else in
 * zrtp/ includes an mbedTLS header.
 *
 * What mbedTLS does behind these functions: hashes, HMAC and AES run on
 * contexts on the stack and allocate nothing; the key agreements use
 * mbedTLS bignums (mbedtls_mpi), which live on the heap for the length of
 * one call and are freed (and wiped) before it returns. That is the only
 * allocation in zrtp/. Curve448 needs MBEDTLS_ECP_DP_CURVE448_ENABLED,
 * which Debian 12's libmbedtls builds with; zrtp_keyagr_supported says
 * what the library at hand runs.
 *
 * Every function returns 0 or a negative VOX_E* code: VOX_EUNSUPPORTED for
 * an algorithm name it does not know, VOX_EINVAL for a bad length,
 * VOX_ECRYPTO when mbedTLS fails.
 */
#ifndef VOX_ZRTP_CRYPTO_H
#define VOX_ZRTP_CRYPTO_H

#include "zrtp/zrtp_int.h"

#if VOX_WITH_ZRTP

#define ZRTP_HASH_MAX   VOX_ZRTP_HASH_MAX
#define ZRTP_KEY_MAX    VOX_ZRTP_KEY_MAX
#define ZRTP_PV_MAX     VOX_ZRTP_PV_MAX
#define ZRTP_SHARED_MAX VOX_ZRTP_PV_MAX /* the DH result is never longer than pv */
#define ZRTP_SECRET_MAX VOX_ZRTP_SECRET_MAX

/* One piece of a message fed to a hash or HMAC: hashes in ZRTP run over
 * several messages laid end to end (total_hash, hvi, s0). */
struct zrtp_part {
	const uint8_t *p;
	size_t n;
};

/* Output length of a ZRTP hash (S256: 32, S384: 48), 0 for another name. */
size_t zrtp_hash_len(uint32_t hash);
/* out = hash(parts[0] || ... || parts[n-1]); out holds zrtp_hash_len. */
VOX_MUST_CHECK int zrtp_hash(uint32_t hash, const struct zrtp_part *parts, size_t n, uint8_t *out);
/* out = HMAC-hash(key, parts...), the full hash length (RFC 2104). */
VOX_MUST_CHECK int zrtp_hmac(uint32_t hash, const uint8_t *key, size_t klen,
                             const struct zrtp_part *parts, size_t n, uint8_t *out);

/* Key length of a ZRTP cipher (AES1: 16, AES3: 32), 0 for another name. */
size_t zrtp_cipher_key_len(uint32_t cipher);
/* AES in CFB mode with a 128-bit feedback (RFC 6189 5.7, "AES-CFB"):
 * out = E(in) or D(in), in and out may be the same buffer. */
VOX_MUST_CHECK int zrtp_cfb(uint32_t cipher, int encrypt, const uint8_t *key, const uint8_t iv[16],
                            const uint8_t *in, size_t len, uint8_t *out);

/* Constant-time comparison: 1 if equal, 0 if not (lengths are public). */
int zrtp_ct_eq(const uint8_t *a, const uint8_t *b, size_t n);

/* ---- key agreement (5.1.5) ----------------------------------------------- */

/* Whether this build runs the key agreement (DH2k, DH3k, EC25, EC38,
 * X255 or E255, X448): 1 or 0. */
int zrtp_keyagr_supported(uint32_t ka);
/* Length of the public value on the wire (DH3k 384, DH2k 256, EC25 64,
 * EC38 96, X255 32, X448 56) and of the DH result (384, 256, 32, 48, 32,
 * 56); 0 for another name. */
size_t zrtp_pv_len(uint32_t ka);
size_t zrtp_shared_len(uint32_t ka);
/* Random bytes the secret value is made from, for a cipher of key length
 * klen: DH2k and DH3k take an exponent of twice the AES key length
 * (RFC 6189 5.1.5); EC25 and EC38 a scalar of the group's length plus 8
 * bytes, reduced so that it lies in [1, n-1] with no measurable bias;
 * X255 and X448 the 32 or 56 bytes RFC 7748 5 clamps. */
size_t zrtp_secret_len(uint32_t ka, size_t klen);

/* Makes the key pair of ka from sv[0..sv_len) (zrtp_secret_len bytes, from
 * the caller's rng): DH: pv = g^sv mod p, big-endian, the length of p;
 * EC25/EC38: the raw x || y of sv * G, big-endian, not the TLS form;
 * X255/X448: the little-endian u-coordinate of RFC 7748. The elliptic
 * curves also draw from rng to randomise mbedTLS's scalar multiplication
 * against side channels (the DH groups do not use it). Returns 0,
 * VOX_EUNSUPPORTED, VOX_EINVAL (sv_len wrong) or VOX_ECRYPTO (mbedTLS or
 * rng failed). */
VOX_MUST_CHECK int zrtp_kp_make(struct vox_zrtp_keypair *kp, uint32_t ka, const uint8_t *sv,
                                size_t sv_len, const struct vox_rng *rng);
/* The DH result with the peer's public value pv: DH: pv^sv mod p,
 * big-endian, the length of p; EC25/EC38: the x coordinate of sv * P;
 * X255/X448: the RFC 7748 output, little-endian. Refuses a public value
 * of the wrong length, a DH value of 0, 1, p-1 or >= p, a point not on the
 * curve, and an X25519/X448 result of all zeros (a low-order point):
 * VOX_EAUTH, for which RFC 6189 5.9 sends Error 0x61. out holds
 * zrtp_shared_len(ka). Returns 0, VOX_EAUTH, VOX_EINVAL, VOX_ECRYPTO. */
VOX_MUST_CHECK int zrtp_kp_shared(const struct vox_zrtp_keypair *kp, const uint8_t *pv,
                                  size_t pv_len, uint8_t *out, const struct vox_rng *rng);
/* Wipes the secret value. */
void zrtp_kp_wipe(struct vox_zrtp_keypair *kp);

#endif /* VOX_WITH_ZRTP */

#endif
