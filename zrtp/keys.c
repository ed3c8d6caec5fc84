/* SPDX-License-Identifier: MIT */
/* Key derivation (RFC 6189 4.4.1 and 4.5). */
#include <string.h>

#include "zrtp/zrtp_keys.h"

#if VOX_WITH_ZRTP

static struct zrtp_part part(const void *p, size_t n)
{
	struct zrtp_part x = {(const uint8_t *)p, n};
	return x;
}

int zrtp_kdf(uint32_t hash, const uint8_t *ki, size_t ki_len, const char *label, const uint8_t *ctx,
             size_t ctx_len, size_t out_len, uint8_t *out)
{
	size_t hl = zrtp_hash_len(hash);
	if (!hl)
		return VOX_EUNSUPPORTED;
	if (out_len == 0 || out_len > hl)
		return VOX_EINVAL;
	static const uint8_t one[4] = {0, 0, 0, 1}, zero[1] = {0};
	uint32_t bits = (uint32_t)out_len * 8;
	uint8_t l[4] = {(uint8_t)(bits >> 24), (uint8_t)(bits >> 16), (uint8_t)(bits >> 8),
	                (uint8_t)bits};
	struct zrtp_part in[5] = {part(one, 4), part(label, strlen(label)), part(zero, 1),
	                          part(ctx, ctx_len), part(l, 4)};
	uint8_t full[ZRTP_HASH_MAX];
	int rc = zrtp_hmac(hash, ki, ki_len, in, 5, full);
	if (rc == 0)
		memcpy(out, full, out_len);
	vox_wipe(full, sizeof full);
	return rc;
}

int zrtp_total_hash(uint32_t hash, struct zrtp_part hello_r, struct zrtp_part commit,
                    struct zrtp_part dh1, struct zrtp_part dh2, uint8_t *out)
{
	struct zrtp_part in[4] = {hello_r, commit, dh1, dh2};
	return zrtp_hash(hash, in, 4, out);
}

int zrtp_hvi(uint32_t hash, struct zrtp_part dh2, struct zrtp_part hello_r,
             uint8_t out[VOX_ZRTP_HVI_LEN])
{
	uint8_t full[ZRTP_HASH_MAX];
	struct zrtp_part in[2] = {dh2, hello_r};
	int rc = zrtp_hash(hash, in, 2, full);
	if (rc == 0)
		memcpy(out, full, VOX_ZRTP_HVI_LEN);
	return rc;
}

static void be32(uint8_t b[4], size_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

int zrtp_s0_dh(uint32_t hash, struct zrtp_part dh_result, const uint8_t *zidi, const uint8_t *zidr,
               const uint8_t *total_hash, struct zrtp_part s1, struct zrtp_part s2,
               struct zrtp_part s3, uint8_t *out)
{
	static const uint8_t one[4] = {0, 0, 0, 1};
	static const char kdf[] = "ZRTP-HMAC-KDF";
	uint8_t l1[4], l2[4], l3[4];
	be32(l1, s1.n);
	be32(l2, s2.n);
	be32(l3, s3.n);
	struct zrtp_part in[12] = {
	    part(one, 4),
	    dh_result,
	    part(kdf, 13),
	    part(zidi, VOX_ZRTP_ZID_LEN),
	    part(zidr, VOX_ZRTP_ZID_LEN),
	    part(total_hash, zrtp_hash_len(hash)),
	    part(l1, 4),
	    s1,
	    part(l2, 4),
	    s2,
	    part(l3, 4),
	    s3,
	};
	return zrtp_hash(hash, in, 12, out);
}

int zrtp_secret_id(uint32_t hash, const uint8_t *secret, size_t len, int initiator,
                   uint8_t out[VOX_ZRTP_ID_LEN])
{
	uint8_t full[ZRTP_HASH_MAX];
	struct zrtp_part who = part(initiator ? "Initiator" : "Responder", 9);
	int rc = zrtp_hmac(hash, secret, len, &who, 1, full);
	if (rc == 0)
		memcpy(out, full, VOX_ZRTP_ID_LEN);
	vox_wipe(full, sizeof full);
	return rc;
}

int zrtp_keys_derive(struct vox_zrtp_keyset *k, uint32_t hash, uint32_t cipher, const uint8_t *s0,
                     const uint8_t *zidi, const uint8_t *zidr, const uint8_t *total_hash)
{
	memset(k, 0, sizeof *k);
	k->hash = hash;
	k->cipher = cipher;
	k->hl = zrtp_hash_len(hash);
	k->kl = zrtp_cipher_key_len(cipher);
	if (!k->hl || !k->kl)
		return VOX_EUNSUPPORTED;
	memcpy(k->ctx, zidi, VOX_ZRTP_ZID_LEN);
	memcpy(k->ctx + VOX_ZRTP_ZID_LEN, zidr, VOX_ZRTP_ZID_LEN);
	memcpy(k->ctx + 2 * VOX_ZRTP_ZID_LEN, total_hash, k->hl);
	k->ctx_len = 2 * VOX_ZRTP_ZID_LEN + k->hl;
	/* 4.5.2 and 4.5.3, label by label */
	const struct {
		const char *label;
		uint8_t *out;
		size_t len;
	} d[] = {
	    {"ZRTP Session Key", k->sess, k->hl},
	    {"SAS", k->sashash, 32},
	    {"Initiator SRTP master key", k->srtp_key_i, k->kl},
	    {"Initiator SRTP master salt", k->srtp_salt_i, ZRTP_SALT_LEN},
	    {"Responder SRTP master key", k->srtp_key_r, k->kl},
	    {"Responder SRTP master salt", k->srtp_salt_r, ZRTP_SALT_LEN},
	    {"Initiator HMAC key", k->mackey_i, k->hl},
	    {"Responder HMAC key", k->mackey_r, k->hl},
	    {"Initiator ZRTP key", k->zrtpkey_i, k->kl},
	    {"Responder ZRTP key", k->zrtpkey_r, k->kl},
	    {"retained secret", k->rs1, 32},
	};
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++) {
		int rc =
		    zrtp_kdf(hash, s0, k->hl, d[i].label, k->ctx, k->ctx_len, d[i].len, d[i].out);
		if (rc < 0) {
			zrtp_keys_wipe(k);
			return rc;
		}
	}
	/* 4.5.2: sasvalue is the leftmost 32 bits of sashash */
	k->sasvalue = zrtp_get32(k->sashash);
	return 0;
}

void zrtp_keys_wipe(struct vox_zrtp_keyset *k)
{
	vox_wipe(k, sizeof *k);
}

#endif /* VOX_WITH_ZRTP */
