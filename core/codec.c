/* Base64 (RFC 4648 section 4, padded) and hex. */
#include "core/core_int.h"

static const char b64_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

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
		out[o++] = b64_alphabet[(v >> 18) & 63];
		out[o++] = b64_alphabet[(v >> 12) & 63];
		out[o++] = rest > 1 ? b64_alphabet[(v >> 6) & 63] : '=';
		out[o++] = rest > 2 ? b64_alphabet[v & 63] : '=';
	}
	return (int)o;
}

static int b64_val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int vox_base64_decode(struct vox_slice in, uint8_t *out, size_t cap)
{
	if (in.len % 4 != 0)
		return VOX_EMALFORMED;
	size_t o = 0;
	for (size_t i = 0; i < in.len; i += 4) {
		int v[4];
		size_t pad = 0;
		for (size_t k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)in.p[i + k];
			if (c == '=' && i + 4 == in.len && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad)
				return VOX_EMALFORMED; /* data after '=' */
			v[k] = b64_val(c);
			if (v[k] < 0)
				return VOX_EMALFORMED;
		}
		/* Canonical form: bits dropped by the padding must be zero. */
		if ((pad == 2 && (v[1] & 15)) || (pad == 1 && (v[2] & 3)))
			return VOX_EMALFORMED;
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 | (uint32_t)v[2] << 6 |
		             (uint32_t)v[3];
		size_t nb = 3 - pad;
		if (nb > cap - o)
			return VOX_ENOSPC;
		out[o++] = (uint8_t)(w >> 16);
		if (nb > 1)
			out[o++] = (uint8_t)(w >> 8);
		if (nb > 2)
			out[o++] = (uint8_t)w;
	}
	if (o > INT32_MAX)
		return VOX_ETOOLONG;
	return (int)o;
}

int vox_hex_encode(const uint8_t *in, size_t n, char *out, size_t cap)
{
	static const char digits[] = "0123456789abcdef";
	if (n > cap / 2)
		return VOX_ENOSPC;
	if (n > INT32_MAX / 2)
		return VOX_ETOOLONG;
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	return (int)(2 * n);
}

int vox_hex_decode(struct vox_slice in, uint8_t *out, size_t cap)
{
	if (in.len % 2)
		return VOX_EMALFORMED;
	if (in.len / 2 > cap)
		return VOX_ENOSPC;
	if (in.len / 2 > INT32_MAX)
		return VOX_ETOOLONG;
	for (size_t i = 0; i < in.len; i += 2) {
		int hi = vox_hexval((unsigned char)in.p[i]);
		int lo = vox_hexval((unsigned char)in.p[i + 1]);
		if (hi < 0 || lo < 0)
			return VOX_EMALFORMED;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)(in.len / 2);
}
