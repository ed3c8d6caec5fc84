/* SPDX-License-Identifier: MIT */
/*
 * sip/ digest internals: the one place that reaches mbedTLS
 * (docs/architecture.md, Layers). digest.c sees hashes, HMAC-SHA-256 and a constant-time compare only
 * through these functions; sip/digest_hash.c is the only file that calls
 * mbedTLS.
 */
#ifndef VOX_DIGEST_INT_H
#define VOX_DIGEST_INT_H

/* mbedTLS 3 hides context fields behind MBEDTLS_PRIVATE(); SHA-512/256
 * needs to set the SHA-512 chaining state (see digest_hash.c). In 2.28 the
 * fields are plain and this define has no effect. It must come before the
 * first mbedTLS header so that every file sees one layout. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "core/core_int.h"

#include <mbedtls/md5.h>
#include <mbedtls/sha256.h>
#if VOX_WITH_DIGEST_SHA2
#include <mbedtls/sha512.h>
#endif

enum dg_hash_id {
	DG_MD5 = 0,
	DG_SHA256,
#if VOX_WITH_DIGEST_SHA2
	DG_SHA512_256,
#endif
	DG_HASH_COUNT
};

/* Largest output in bytes (SHA-256 and SHA-512/256). */
#define DG_MAX_HASH 32

/* A running hash. The first failure of mbedTLS sticks in err (like struct
 * vox_writer), so callers feed everything and check once at dg_hash_finish. */
struct dg_hash {
	enum dg_hash_id id;
	int err;
	union {
		mbedtls_md5_context md5;
		mbedtls_sha256_context sha256;
#if VOX_WITH_DIGEST_SHA2
		mbedtls_sha512_context sha512;
#endif
	} u;
};

/* Output length of a hash in bytes: 16 or 32. */
size_t dg_hash_len(enum dg_hash_id id);
void dg_hash_start(struct dg_hash *h, enum dg_hash_id id);
void dg_hash_update(struct dg_hash *h, const void *p, size_t n);
/* Writes dg_hash_len(id) bytes to out and wipes the context. Returns the
 * length, or VOX_ECRYPTO if any step failed (out is then zeroed). */
int dg_hash_finish(struct dg_hash *h, uint8_t out[DG_MAX_HASH]);
/* Wipes the context without producing output (error paths). */
void dg_hash_abort(struct dg_hash *h);

/* HMAC-SHA-256 (RFC 2104) over the concatenation of n parts, by mbedTLS's
 * md HMAC. mbedTLS takes its context from the heap for the duration of the
 * call (two blocks, 236 bytes with 2.28) and zeroizes it, key pads included, before it
 * returns. Returns 0, or VOX_ECRYPTO (also when that allocation fails). */
int dg_hmac_sha256(const uint8_t *key, size_t keylen, const struct vox_slice *parts, size_t n,
                   uint8_t out[32]);

/* 1 if a[0..n) == b[0..n), 0 otherwise; the time depends on n only
 * (mbedtls_ct_memcmp, public in mbedtls/constant_time.h since 2.28). */
int dg_ct_eq(const uint8_t *a, const uint8_t *b, size_t n);

#endif
