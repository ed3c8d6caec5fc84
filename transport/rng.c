/* SPDX-License-Identifier: MIT */
/*
 * transport/rng.c: the reference vox_rng hook (vox/tls.h): mbedTLS's
 * CTR-DRBG seeded from its entropy source, which reads the operating
 * system's. transport/ is the layer that may ask the OS; everything below
 * it gets randomness through the hook, so tests can replace it.
 */
#include "vox/config.h"

#if VOX_WITH_TLS

#include <string.h>

#include "vox/tls.h"

int vox_tls_rng_init(struct vox_tls_rng *r)
{
	static const unsigned char pers[] = "vox rng";
	if (!r)
		return VOX_EINVAL;
	memset(r, 0, sizeof *r);
	mbedtls_entropy_init(&r->entropy);
	mbedtls_ctr_drbg_init(&r->drbg);
	if (mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy, pers,
	                          sizeof pers - 1) != 0) {
		vox_tls_rng_free(r);
		return VOX_ERNG;
	}
	r->ready = 1;
	return 0;
}

int vox_tls_rng_bytes(void *ctx, uint8_t *out, size_t len)
{
	struct vox_tls_rng *r = ctx;
	if (!r || !r->ready || (len > 0 && !out))
		return VOX_ERNG;
	/* CTR-DRBG hands out at most MBEDTLS_CTR_DRBG_MAX_REQUEST per call */
	while (len > 0) {
		size_t n = len < MBEDTLS_CTR_DRBG_MAX_REQUEST ? len : MBEDTLS_CTR_DRBG_MAX_REQUEST;
		if (mbedtls_ctr_drbg_random(&r->drbg, out, n) != 0)
			return VOX_ERNG;
		out += n;
		len -= n;
	}
	return 0;
}

void vox_tls_rng_free(struct vox_tls_rng *r)
{
	if (!r)
		return;
	mbedtls_ctr_drbg_free(&r->drbg);
	mbedtls_entropy_free(&r->entropy);
	vox_wipe(r, sizeof *r);
}

#endif /* VOX_WITH_TLS */
