/* SPDX-License-Identifier: MIT */
/*
 * Base64 (RFC 4648 section 4) and hex, in constant time.
 *
 * These carry secrets: SDES master keys (RFC 4568 inline:) and digest HA1
 * values pass through them. A branch or a table look-up indexed by a
 * secret character leaves a trace in the branch predictor or the cache
 * that a process on the same machine can read back, a few bits per
 * character. So every character is classified with masks (as mbedTLS's
 * base64 does), the work done depends only on the length, and a verdict
 * is taken once, after the last character. Lengths and the '=' count are
 * public: the result's length tells them anyway.
 */
#include "core/core_int.h"

/* All ones when lo <= c <= hi, else 0. For c, lo, hi below 2^31, c - lo
 * wraps (sets bit 31) exactly when c < lo, and hi - c when c > hi. */
static uint32_t in_range(uint32_t c, uint32_t lo, uint32_t hi)
{
	return 0u - ((((c - lo) | (hi - c)) >> 31) ^ 1u);
}

/* The RFC 4648 table 1 value of c; *ok gets all ones when c is in the
 * alphabet, else 0 (and the value is 0). */
static uint32_t b64_value(uint32_t c, uint32_t *ok)
{
	uint32_t up = in_range(c, 'A', 'Z'), lo = in_range(c, 'a', 'z');
	uint32_t dg = in_range(c, '0', '9'), pl = in_range(c, '+', '+');
	uint32_t sl = in_range(c, '/', '/');
	*ok = up | lo | dg | pl | sl;
	return (up & (c - 'A')) | (lo & (c - 'a' + 26)) | (dg & (c - '0' + 52)) | (pl & 62) |
	       (sl & 63);
}

/* The character of a 6-bit value v. */
static char b64_char(uint32_t v)
{
	return (char)((in_range(v, 0, 25) & (v + 'A')) | (in_range(v, 26, 51) & (v - 26 + 'a')) |
	              (in_range(v, 52, 61) & (v - 52 + '0')) | (in_range(v, 62, 62) & '+') |
	              (in_range(v, 63, 63) & '/'));
}

size_t vox_base64_len(size_t n)
{
	return (n + 2) / 3 * 4;
}

int vox_base64_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	if (n > (SIZE_MAX / 4) * 3 - 2 || vox_base64_len(n) > cap)
		return VOX_ENOSPC;
	if (vox_base64_len(n) > INT32_MAX)
		return VOX_ETOOLONG;
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		size_t rest = n - i;
		if (rest > 1)
			v |= (uint32_t)in[i + 1] << 8;
		if (rest > 2)
			v |= in[i + 2];
		out[o++] = b64_char((v >> 18) & 63);
		out[o++] = b64_char((v >> 12) & 63);
		out[o++] = rest > 1 ? b64_char((v >> 6) & 63) : '=';
		out[o++] = rest > 2 ? b64_char(v & 63) : '=';
	}
	return (int)o;
}

/*
 * One decoder for both forms. The padded one (RFC 4648 4) is the only
 * form vox_base64_decode takes; unpadded_ok also takes the form without
 * '=' (RFC 4648 3.2), whose length says how short the last group is.
 * Canonical only (RFC 4648 3.5): every character in the alphabet, '=' only
 * as the padding, and the bits the padding drops all zero, so that each
 * byte string has exactly one encoding.
 */
static int b64_decode(struct vox_slice in, uint8_t *out, size_t cap, int unpadded_ok)
{
	size_t rem = in.len % 4, data = in.len;
	if (rem == 0 && in.len) {
		/* '=' at the end: one, or two when the one before is '=' too. */
		uint32_t e1 = in_range((uint8_t)in.p[in.len - 1], '=', '=');
		uint32_t e2 = in_range((uint8_t)in.p[in.len - 2], '=', '=') & e1;
		data -= (size_t)((e1 & 1) + (e2 & 1));
		vox_ct_public(&data, sizeof data);
	} else if (rem == 1 || (rem && !unpadded_ok)) {
		return VOX_EMALFORMED;
	}
	size_t tail = data % 4; /* characters in a short last group: 0, 2 or 3 */
	size_t n = data / 4 * 3 + (tail ? tail - 1 : 0);
	if (n > cap)
		return VOX_ENOSPC;
	if (n > INT32_MAX)
		return VOX_ETOOLONG;
	uint32_t bad = 0, acc = 0, v = 0;
	size_t o = 0;
	for (size_t i = 0; i < data; i++) {
		uint32_t ok;
		v = b64_value((uint8_t)in.p[i], &ok);
		bad |= ~ok;
		acc = acc << 6 | v;
		if (i % 4 == 3) {
			out[o++] = (uint8_t)(acc >> 16);
			out[o++] = (uint8_t)(acc >> 8);
			out[o++] = (uint8_t)acc;
		}
	}
	/* The short last group: the bits its last character has beyond the
	 * bytes it completes must be zero. */
	if (tail == 2) {
		bad |= v & 15;
		out[o++] = (uint8_t)(acc >> 4);
	} else if (tail == 3) {
		bad |= v & 3;
		out[o++] = (uint8_t)(acc >> 10);
		out[o++] = (uint8_t)(acc >> 2);
	}
	vox_ct_public(&bad, sizeof bad);
	if (bad) {
		vox_wipe(out, n);
		return VOX_EMALFORMED;
	}
	return (int)n;
}

int vox_base64_decode(struct vox_slice in, uint8_t *out, size_t cap)
{
	return b64_decode(in, out, cap, 0);
}

int vox_base64_decode_any(struct vox_slice in, uint8_t *out, size_t cap)
{
	return b64_decode(in, out, cap, 1);
}

/* The lower-case hex digit of a 4-bit value v. */
static char hex_char(uint32_t v)
{
	return (char)((in_range(v, 0, 9) & (v + '0')) | (in_range(v, 10, 15) & (v - 10 + 'a')));
}

int vox_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	if (n > cap / 2)
		return VOX_ENOSPC;
	if (n > INT32_MAX / 2)
		return VOX_ETOOLONG;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex_char((uint32_t)in[i] >> 4);
		out[2 * i + 1] = hex_char(in[i] & 15u);
	}
	return (int)(2 * n);
}

/* The value of a hex digit of either case; *ok as in b64_value. */
static uint32_t hex_value(uint32_t c, uint32_t *ok)
{
	uint32_t dg = in_range(c, '0', '9');
	uint32_t lc = c | 0x20; /* folds 'A'..'F' onto 'a'..'f', nothing else onto them */
	uint32_t af = in_range(lc, 'a', 'f');
	*ok = dg | af;
	return (dg & (c - '0')) | (af & (lc - 'a' + 10));
}

int vox_hex_decode(struct vox_slice in, uint8_t *out, size_t cap)
{
	if (in.len % 2)
		return VOX_EMALFORMED;
	if (in.len / 2 > cap)
		return VOX_ENOSPC;
	if (in.len / 2 > INT32_MAX)
		return VOX_ETOOLONG;
	uint32_t bad = 0;
	for (size_t i = 0; i < in.len; i += 2) {
		uint32_t ok1, ok2;
		uint32_t hi = hex_value((uint8_t)in.p[i], &ok1);
		uint32_t lo = hex_value((uint8_t)in.p[i + 1], &ok2);
		bad |= ~(ok1 & ok2);
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	vox_ct_public(&bad, sizeof bad);
	if (bad) {
		vox_wipe(out, in.len / 2);
		return VOX_EMALFORMED;
	}
	return (int)(in.len / 2);
}
