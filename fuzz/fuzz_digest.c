/* SPDX-License-Identifier: MIT */
/*
 * Digest authentication from both ends.
 *
 * Byte 0: bit 0 picks the side, bits 1-6 the clock, bit 7 auth-int.
 * The rest is a header value in which every "$N" becomes a nonce the test
 * registrar issued at T0 (so inputs get past the MAC to the response and
 * age checks, which random bytes never would).
 *
 *  side 0: the value as an Authorization header: vox_digest_username, then
 *          vox_digest_server_verify with a password and with an HA1.
 *  side 1: the value as a challenge: vox_digest_pick, vox_digest_client_recv,
 *          vox_digest_client_print, the output parsed again and verified by
 *          the registrar. Properties: whatever the client writes parses; and
 *          when the challenge is one the registrar would have issued (its
 *          realm, its nonce, a qop it offers), the registrar accepts the
 *          answer.
 *
 * The value sits in a heap block of its exact size, so ASan sees any read
 * past its end.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/digest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1700000000000ULL

static uint64_t rng_state;

static int fuzz_rng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (uint8_t)(*s >> 56);
	}
	return 0;
}

static const uint8_t key[VOX_DIGEST_KEY_LEN] = "fuzz key for the digest target.";
static const struct vox_slice peer = {"198.51.100.1:5060", 17};
static const struct vox_digest_req reg = {{"REGISTER", 8}, {"sip:vox.example", 15}, {"", 0}};

static void check_diag(int rc, const struct vox_diag *d, size_t len)
{
	if (rc < 0 && rc != VOX_EINVAL && (!d->what || d->off > len))
		abort();
}

static void as_credentials(const struct vox_digest_server *s, struct vox_slice v, uint64_t now)
{
	struct vox_sip_auth a;
	if (vox_sip_auth_parse(&a, v, NULL))
		return;
	char name[64];
	int uh = 0;
	int n = vox_digest_username(&a, name, sizeof name, &uh);
	if (n > (int)sizeof name)
		abort();
	const struct vox_digest_cred pw = {{"alice", 5}, {"secret", 6}, {NULL, 0}, VOX_DIGEST_MD5};
	struct vox_diag d = {0, NULL};
	struct vox_digest_info info;
	int rc = vox_digest_server_verify(s, &a, &pw, &reg, peer, now, &info, &d);
	check_diag(rc, &d, v.len);
	if (rc == 0 && (info.nc == 0 || info.issued_ms != T0))
		abort();
	/* an MD5 HA1: the wrong hash for the SHA-2 algorithms (VOX_EINVAL) */
	char ha1[33];
	if (vox_digest_ha1_print(VOX_DIGEST_MD5, pw.username, s->realm, pw.password, ha1,
	                         sizeof ha1) != 32)
		abort();
	const struct vox_digest_cred h = {{"alice", 5}, {NULL, 0}, {ha1, 32}, VOX_DIGEST_MD5};
	d.what = NULL;
	int rc2 = vox_digest_server_verify(s, &a, &h, &reg, peer, now, NULL, &d);
	check_diag(rc2, &d, v.len);
	if (rc == 0 && info.alg == VOX_DIGEST_MD5 && rc2 != 0)
		abort();
	/* no Request-URI check, another peer */
	const struct vox_digest_req any = {{"REGISTER", 8}, {NULL, 0}, {"", 0}};
	d.what = NULL;
	rc = vox_digest_server_verify(s, &a, &pw, &any, vox_slice_cstr(""), now, NULL, &d);
	check_diag(rc, &d, v.len);
}

static void as_challenge(const struct vox_digest_server *s, struct vox_slice v, uint64_t now,
                         struct vox_slice nonce, int prefer_int)
{
	struct vox_sip_auth ch[2];
	if (vox_sip_auth_parse(&ch[0], v, NULL))
		return;
	static const char other[] = "Digest realm=\"vox.example\", nonce=\"x\", algorithm=SHA-256, "
	                            "qop=\"auth\"";
	if (vox_sip_auth_parse(&ch[1], vox_slice_cstr(other), NULL))
		abort();
	int k = vox_digest_pick(ch, 2, NULL, VOX_DIGEST_PICK_STRONGEST);
	if (k != VOX_ENOTFOUND && (k < 0 || k > 1))
		abort();
	k = vox_digest_pick(ch, 1, NULL, VOX_DIGEST_PICK_FIRST);

	struct vox_digest_client c;
	vox_digest_client_init(&c);
	c.prefer_auth_int = prefer_int;
	const struct vox_rng rng = {fuzz_rng, &rng_state};
	int rc = vox_digest_client_recv(&c, &ch[0], &rng);
	/* pick and recv agree on what is usable; recv alone also refuses
	 * control characters in values */
	if ((rc == 0 && k != 0) || (rc != 0 && k == 0 && rc != VOX_EMALFORMED))
		abort();
	if (rc)
		return;
	if (c.realm_len > sizeof c.realm || c.nonce_len > sizeof c.nonce ||
	    c.opaque_len > sizeof c.opaque)
		abort();
	const struct vox_digest_cred alice = {
	    {"alice", 5}, {"secret", 6}, {NULL, 0}, VOX_DIGEST_MD5};
	char *out = malloc(2048);
	if (!out)
		abort();
	for (int round = 0; round < 2; round++) {
		int n = vox_digest_client_print(&c, &alice, &reg, out, 2048);
		if (n == VOX_EINVAL)
			break; /* a value that cannot be quoted */
		if (n <= 0 || n > 2048 || c.nc != (c.qop ? (uint32_t)round + 1 : 0))
			abort();
		/* our own output always parses, and as credentials */
		char *copy = malloc((size_t)n);
		if (!copy)
			abort();
		memcpy(copy, out, (size_t)n);
		struct vox_sip_auth a;
		if (vox_sip_auth_parse(&a, (struct vox_slice){copy, (size_t)n}, NULL))
			abort();
		struct vox_diag d = {0, NULL};
		rc = vox_digest_server_verify(s, &a, &alice, &reg, peer, now, NULL, &d);
		check_diag(rc, &d, (size_t)n);
		int ours = c.realm_len == s->realm.len &&
		           memcmp(c.realm, s->realm.p, c.realm_len) == 0 &&
		           c.nonce_len == nonce.len && memcmp(c.nonce, nonce.p, nonce.len) == 0 &&
		           c.qop != VOX_DIGEST_QOP_NONE &&
		           (c.qop != VOX_DIGEST_QOP_AUTH_INT || s->auth_int);
		int fresh = now >= T0 && now - T0 <= s->lifetime_ms;
		if (ours && rc != (fresh ? 0 : VOX_EKEYEXPIRED))
			abort();
		free(copy);
	}
	free(out);
	vox_digest_client_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	rng_state = 0x0123456789abcdefULL;
	struct vox_digest_server s;
	vox_digest_server_init(&s, key, vox_slice_cstr("vox.example"), 0);
	s.auth_int = (data[0] & 0x80) != 0;
	/* 0..63 s after T0 (the lifetime is 30 s), or before it */
	uint64_t now = T0 + (uint64_t)((data[0] >> 1) & 31) * 2000;
	if (data[0] & 0x40)
		now = T0 - 1;

	char ch[200], nb[64];
	const struct vox_rng rng = {fuzz_rng, &rng_state};
	int n = vox_digest_challenge_print(&s, VOX_DIGEST_MD5, 0, vox_slice_cstr(""), peer, T0,
	                                   &rng, ch, sizeof ch);
	struct vox_sip_auth issued;
	if (n <= 0 || vox_sip_auth_parse(&issued, (struct vox_slice){ch, (size_t)n}, NULL) ||
	    issued.nonce.len > sizeof nb)
		abort();
	memcpy(nb, issued.nonce.p, issued.nonce.len);
	struct vox_slice nonce = {nb, issued.nonce.len};

	/* the value, with "$N" replaced by the nonce */
	size_t cap = (size - 1) / 2 * nonce.len + size;
	char *buf = malloc(cap);
	if (!buf)
		abort();
	size_t len = 0;
	for (size_t i = 1; i < size; i++) {
		if (data[i] == '$' && i + 1 < size && data[i + 1] == 'N') {
			memcpy(buf + len, nonce.p, nonce.len);
			len += nonce.len;
			i++;
		} else {
			buf[len++] = (char)data[i];
		}
	}
	char *v = malloc(len ? len : 1);
	if (!v)
		abort();
	memcpy(v, buf, len);
	free(buf);
	if (data[0] & 1)
		as_challenge(&s, (struct vox_slice){v, len}, now, nonce, (data[0] & 0x80) != 0);
	else
		as_credentials(&s, (struct vox_slice){v, len}, now);
	free(v);
	vox_digest_server_free(&s);
	return 0;
}
