/* SPDX-License-Identifier: MIT */
/* What an endpoint offers, the hash chain and message MACs, and the
 * algorithm negotiation of RFC 6189 4.1.2 (zrtp/zrtp_proto.h). */
#include <string.h>

#include "zrtp/zrtp_proto.h"

#if VOX_WITH_ZRTP

/* ---- offers ------------------------------------------------------------------- */

/* 5.1: what every endpoint implements, listed or not. */
static const uint32_t mandatory[VOX_ZRTP_T_COUNT][2] = {
    {VOX_ZRTP_S256, 0}, {VOX_ZRTP_AES1, 0}, {VOX_ZRTP_HS32, VOX_ZRTP_HS80},
    {VOX_ZRTP_DH3K, 0}, {VOX_ZRTP_B32, 0},
};

static int is_mandatory(int t, uint32_t a)
{
	return a && (mandatory[t][0] == a || mandatory[t][1] == a);
}

/* Whether vox runs algorithm a as type t. */
static int runs(int t, uint32_t a)
{
	switch (t) {
	case VOX_ZRTP_T_HASH: return zrtp_hash_len(a) != 0;
	case VOX_ZRTP_T_CIPHER: return zrtp_cipher_key_len(a) != 0;
	case VOX_ZRTP_T_AUTH: return a == VOX_ZRTP_HS32 || a == VOX_ZRTP_HS80;
	case VOX_ZRTP_T_KEYAGR: return zrtp_keyagr_supported(a);
	case VOX_ZRTP_T_SAS: return a == VOX_ZRTP_B32 || a == VOX_ZRTP_B256;
	default: return 0;
	}
}

static void add(struct vox_zrtp_algs *a, int t, uint32_t alg)
{
	if (a->n[t] < VOX_ZRTP_MAX_ALGS && runs(t, alg))
		a->alg[t][a->n[t]++] = alg;
}

void vox_zrtp_algs_default(struct vox_zrtp_algs *a)
{
	memset(a, 0, sizeof *a);
	add(a, VOX_ZRTP_T_HASH, VOX_ZRTP_S384);
	add(a, VOX_ZRTP_T_HASH, VOX_ZRTP_S256);
	add(a, VOX_ZRTP_T_CIPHER, VOX_ZRTP_AES3);
	add(a, VOX_ZRTP_T_CIPHER, VOX_ZRTP_AES1);
	add(a, VOX_ZRTP_T_AUTH, VOX_ZRTP_HS80);
	add(a, VOX_ZRTP_T_AUTH, VOX_ZRTP_HS32);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_X255);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_EC25);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_DH3K);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_DH2K);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_EC38);
	add(a, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_X448);
	add(a, VOX_ZRTP_T_SAS, VOX_ZRTP_B32);
	add(a, VOX_ZRTP_T_SAS, VOX_ZRTP_B256);
}

static int same_alg(uint32_t a, uint32_t b)
{
	return a == b || (zrtp_is_25519(a) && zrtp_is_25519(b));
}

static int listed(const uint32_t *list, size_t n, uint32_t a)
{
	for (size_t i = 0; i < n; i++)
		if (same_alg(list[i], a))
			return 1;
	return 0;
}

int vox_zrtp_algs_check(const struct vox_zrtp_algs *a)
{
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++) {
		if (a->n[t] > VOX_ZRTP_MAX_ALGS)
			return VOX_ELIMIT;
		for (int i = 0; i < a->n[t]; i++) {
			if (!runs(t, a->alg[t][i]))
				return VOX_EUNSUPPORTED;
			if (listed(a->alg[t], (size_t)i, a->alg[t][i]))
				return VOX_EINVAL;
		}
		for (int m = 0; m < 2; m++)
			if (mandatory[t][m] && !listed(a->alg[t], a->n[t], mandatory[t][m]))
				return VOX_EINVAL;
	}
	return 0;
}

int zrtp_offered(const struct vox_zrtp_algs *ours, int t, uint32_t alg)
{
	if (t < 0 || t >= VOX_ZRTP_T_COUNT || !runs(t, alg))
		return 0;
	return is_mandatory(t, alg) || listed(ours->alg[t], ours->n[t], alg);
}

int vox_zrtp_hello_hash(const uint8_t *msg, size_t len, char *out, size_t cap)
{
	if (cap < VOX_ZRTP_HELLO_HASH_LEN + 1)
		return VOX_ENOSPC;
	uint8_t h[32];
	struct zrtp_part p = {msg, len};
	if (zrtp_hash(VOX_ZRTP_S256, &p, 1, h) < 0)
		return VOX_ECRYPTO;
	memcpy(out, "1.10 ", 5);
	if (vox_hex_encode(h, 32, out + 5, 64) != 64)
		return VOX_ECRYPTO;
	out[VOX_ZRTP_HELLO_HASH_LEN] = 0;
	return VOX_ZRTP_HELLO_HASH_LEN;
}

/* ---- hash chain and MACs -------------------------------------------------------- */

int zrtp_chain_make(const uint8_t h0[VOX_ZRTP_H_LEN], uint8_t h[4][VOX_ZRTP_H_LEN])
{
	memcpy(h[0], h0, VOX_ZRTP_H_LEN);
	for (int i = 1; i < 4; i++) {
		struct zrtp_part p = {h[i - 1], VOX_ZRTP_H_LEN};
		int rc = zrtp_hash(VOX_ZRTP_S256, &p, 1, h[i]);
		if (rc < 0)
			return rc;
	}
	return 0;
}

int zrtp_chain_check(const uint8_t lower[VOX_ZRTP_H_LEN], const uint8_t upper[VOX_ZRTP_H_LEN],
                     int steps)
{
	uint8_t h[VOX_ZRTP_H_LEN];
	memcpy(h, lower, sizeof h);
	for (int i = 0; i < steps; i++) {
		struct zrtp_part p = {h, sizeof h};
		if (zrtp_hash(VOX_ZRTP_S256, &p, 1, h) < 0)
			return 0;
	}
	return zrtp_ct_eq(h, upper, sizeof h);
}

static int msg_mac(const uint8_t key[VOX_ZRTP_H_LEN], const uint8_t *msg, size_t msg_len,
                   uint8_t out[32])
{
	if (msg_len <= VOX_ZRTP_MAC_LEN)
		return VOX_EINVAL;
	struct zrtp_part p = {msg, msg_len - VOX_ZRTP_MAC_LEN};
	return zrtp_hmac(VOX_ZRTP_S256, key, VOX_ZRTP_H_LEN, &p, 1, out);
}

int zrtp_msg_mac_set(const uint8_t key[VOX_ZRTP_H_LEN], uint8_t *msg, size_t msg_len)
{
	uint8_t m[32];
	int rc = msg_mac(key, msg, msg_len, m);
	if (rc == 0)
		memcpy(msg + msg_len - VOX_ZRTP_MAC_LEN, m, VOX_ZRTP_MAC_LEN);
	return rc;
}

int zrtp_msg_mac_ok(const uint8_t key[VOX_ZRTP_H_LEN], const uint8_t *msg, size_t msg_len)
{
	uint8_t m[32];
	if (msg_mac(key, msg, msg_len, m) < 0)
		return 0;
	return zrtp_ct_eq(m, msg + msg_len - VOX_ZRTP_MAC_LEN, VOX_ZRTP_MAC_LEN);
}

/* ---- negotiation (4.1.2) ------------------------------------------------------------ */

/* A peer's list of type t with the mandatory algorithms it need not list
 * added at its end. Returns the count. */
static size_t peer_list(const struct vox_zrtp_hello *h, int t, uint32_t out[VOX_ZRTP_MAX_ALGS + 2])
{
	size_t n = 0;
	for (int i = 0; i < h->n[t] && i < VOX_ZRTP_MAX_ALGS; i++)
		out[n++] = h->alg[t][i];
	for (int m = 0; m < 2; m++)
		if (mandatory[t][m] && !listed(out, n, mandatory[t][m]))
			out[n++] = mandatory[t][m];
	return n;
}

/* The first algorithm of list a (that vox runs) that list b has too, 0 if none. */
static uint32_t first_common(int t, const uint32_t *a, size_t na, const uint32_t *b, size_t nb)
{
	for (size_t i = 0; i < na; i++)
		if (runs(t, a[i]) && listed(b, nb, a[i]))
			return a[i];
	return 0;
}

/* Rank when first choices differ: lower wins. */
static int rank(int t, uint32_t a)
{
	static const uint32_t ka_speed[] = {VOX_ZRTP_DH2K, VOX_ZRTP_X255, VOX_ZRTP_EC25,
	                                    VOX_ZRTP_X448, VOX_ZRTP_DH3K, VOX_ZRTP_EC38};
	if (t == VOX_ZRTP_T_KEYAGR) {
		for (int i = 0; i < (int)(sizeof ka_speed / sizeof ka_speed[0]); i++)
			if (same_alg(ka_speed[i], a))
				return i;
		return 99;
	}
	/* hash, cipher, auth tag, SAS: the stronger first */
	switch (a) {
	case VOX_ZRTP_S384:
	case VOX_ZRTP_AES3:
	case VOX_ZRTP_HS80:
	case VOX_ZRTP_B256: return 0;
	default: return 1;
	}
}

static const uint32_t no_common_error[VOX_ZRTP_T_COUNT] = {VOX_ZRTP_ERR_HASH, VOX_ZRTP_ERR_CIPHER,
                                                           VOX_ZRTP_ERR_AUTH, VOX_ZRTP_ERR_KEYAGR,
                                                           VOX_ZRTP_ERR_SAS};

uint32_t zrtp_negotiate(const struct vox_zrtp_algs *ours, const struct vox_zrtp_hello *peer,
                        struct zrtp_choice *out)
{
	memset(out, 0, sizeof *out);
	uint32_t theirs[VOX_ZRTP_T_COUNT][VOX_ZRTP_MAX_ALGS + 2];
	size_t nt[VOX_ZRTP_T_COUNT];
	uint32_t mine[VOX_ZRTP_MAX_ALGS + 2];
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++) {
		nt[t] = peer_list(peer, t, theirs[t]);
		size_t nm = 0;
		for (int i = 0; i < ours->n[t] && i < VOX_ZRTP_MAX_ALGS; i++)
			mine[nm++] = ours->alg[t][i];
		for (int m = 0; m < 2; m++)
			if (mandatory[t][m] && !listed(mine, nm, mandatory[t][m]))
				mine[nm++] = mandatory[t][m];
		uint32_t a = first_common(t, mine, nm, theirs[t], nt[t]);
		uint32_t b = first_common(t, theirs[t], nt[t], mine, nm);
		if (!a || !b)
			return no_common_error[t];
		out->alg[t] = same_alg(a, b) || rank(t, a) <= rank(t, b) ? a : b;
	}
	/* 5.1.5: a stronger curve wants the stronger hash and cipher */
	uint32_t ka = out->alg[VOX_ZRTP_T_KEYAGR];
	if (ka == VOX_ZRTP_EC38 || ka == VOX_ZRTP_X448) {
		if (zrtp_offered(ours, VOX_ZRTP_T_HASH, VOX_ZRTP_S384) &&
		    listed(theirs[VOX_ZRTP_T_HASH], nt[VOX_ZRTP_T_HASH], VOX_ZRTP_S384))
			out->alg[VOX_ZRTP_T_HASH] = VOX_ZRTP_S384;
		if (zrtp_offered(ours, VOX_ZRTP_T_CIPHER, VOX_ZRTP_AES3) &&
		    listed(theirs[VOX_ZRTP_T_CIPHER], nt[VOX_ZRTP_T_CIPHER], VOX_ZRTP_AES3))
			out->alg[VOX_ZRTP_T_CIPHER] = VOX_ZRTP_AES3;
	}
	/* Curve25519 under the name the peer offered, if it offers only one */
	if (zrtp_is_25519(ka)) {
		int x = 0, e = 0;
		for (size_t i = 0; i < nt[VOX_ZRTP_T_KEYAGR]; i++) {
			x |= theirs[VOX_ZRTP_T_KEYAGR][i] == VOX_ZRTP_X255;
			e |= theirs[VOX_ZRTP_T_KEYAGR][i] == VOX_ZRTP_E255;
		}
		out->alg[VOX_ZRTP_T_KEYAGR] = e && !x ? VOX_ZRTP_E255 : VOX_ZRTP_X255;
	}
	return 0;
}

#endif /* VOX_WITH_ZRTP */
