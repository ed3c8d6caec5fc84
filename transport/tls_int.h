/* SPDX-License-Identifier: MIT */
/* What transport/tls*.c share; not part of the public API. */
#ifndef VOX_TLS_INT_H
#define VOX_TLS_INT_H

#include "vox/tls.h"

#if VOX_WITH_TLS

/* mbedTLS's f_rng over a struct vox_rng (p): 0, or
 * MBEDTLS_ERR_CTR_DRBG_ENTROPY_SOURCE_FAILED when the hook fails. */
int tls_mbed_rng(void *p, unsigned char *out, size_t len);

/* Certificates (appended to crt) and a private key from memory, PEM or
 * DER. mbedTLS wants PEM with its NUL counted in the length; these accept
 * it with or without. Return mbedTLS's code: 0, < 0 an error, > 0 (crt)
 * the number of certificates that did not parse when others did. */
int tls_parse_crt(mbedtls_x509_crt *crt, const uint8_t *p, size_t len);
int tls_parse_key(mbedtls_pk_context *pk, const uint8_t *p, size_t len);

/* An IP literal (IPv4 dotted quad, IPv6 with or without brackets) into
 * ip: 4 or 16, or 0 when s is not one. */
size_t tls_parse_ip(struct vox_slice s, uint8_t ip[16]);

#endif /* VOX_WITH_TLS */

#endif /* VOX_TLS_INT_H */
