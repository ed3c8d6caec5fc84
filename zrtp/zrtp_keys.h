/* SPDX-License-Identifier: MIT */
/* zrtp/zrtp_keys.h: the key derivation of RFC 6189 4.4 and 4.5 (not
 * installed): the KDF, total_hash, s0, and every key of an exchange. */
#ifndef VOX_ZRTP_KEYS_H
#define VOX_ZRTP_KEYS_H

#include "zrtp/zrtp_crypto.h"

#if VOX_WITH_ZRTP

#define ZRTP_SALT_LEN VOX_ZRTP_SALT_LEN

/* 4.5.1: KDF(KI, Label, Context, L) = HMAC(KI, i || Label || 0x00 ||
 * Context || L) with i = 1 and L in bits, both 32-bit big-endian, cut to
 * its leftmost out_len bytes. out_len may not pass the hash length (ZRTP
 * never asks for more). Returns 0, VOX_EINVAL or the errors of zrtp_hmac. */
VOX_MUST_CHECK int zrtp_kdf(uint32_t hash, const uint8_t *ki, size_t ki_len, const char *label,
                            const uint8_t *ctx, size_t ctx_len, size_t out_len, uint8_t *out);

/* 4.4.1.4: total_hash = hash(Hello of the responder || Commit || DHPart1 ||
 * DHPart2), each message from its preamble to its MAC (what a parsed
 * packet's msg and msg_len name). */
VOX_MUST_CHECK int zrtp_total_hash(uint32_t hash, struct zrtp_part hello_r, struct zrtp_part commit,
                                   struct zrtp_part dh1, struct zrtp_part dh2, uint8_t *out);

/* 4.4.1.1: hvi = hash(initiator's DHPart2 || responder's Hello), cut to
 * 256 bits. */
VOX_MUST_CHECK int zrtp_hvi(uint32_t hash, struct zrtp_part dh2, struct zrtp_part hello_r,
                            uint8_t out[VOX_ZRTP_HVI_LEN]);

/* 4.4.1.4: s0 = hash(counter 1 || DHResult || "ZRTP-HMAC-KDF" || ZIDi ||
 * ZIDr || total_hash || len(s1) || s1 || len(s2) || s2 || len(s3) || s3),
 * each len 32 bits; a secret that is absent is given as {NULL, 0} and
 * counts as length 0. out holds the hash length. */
VOX_MUST_CHECK int zrtp_s0_dh(uint32_t hash, struct zrtp_part dh_result, const uint8_t *zidi,
                              const uint8_t *zidr, const uint8_t *total_hash, struct zrtp_part s1,
                              struct zrtp_part s2, struct zrtp_part s3, uint8_t *out);

/* 4.3.1: the ID of a retained or other secret as a role sends it:
 * MAC(secret, "Initiator") or MAC(secret, "Responder"), its leftmost 64
 * bits. */
VOX_MUST_CHECK int zrtp_secret_id(uint32_t hash, const uint8_t *secret, size_t len, int initiator,
                                  uint8_t out[VOX_ZRTP_ID_LEN]);

/* Derives *k from s0 (hash length) and KDF_Context = zidi || zidr ||
 * total_hash. Returns 0, VOX_EUNSUPPORTED (hash or cipher unknown) or a
 * zrtp_hmac error. */
VOX_MUST_CHECK int zrtp_keys_derive(struct vox_zrtp_keyset *k, uint32_t hash, uint32_t cipher,
                                    const uint8_t *s0, const uint8_t *zidi, const uint8_t *zidr,
                                    const uint8_t *total_hash);
void zrtp_keys_wipe(struct vox_zrtp_keyset *k);

#endif /* VOX_WITH_ZRTP */

#endif
