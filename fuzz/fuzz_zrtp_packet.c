/* SPDX-License-Identifier: MIT */
/* zrtp/ packet parser: arbitrary bytes in. The first byte chooses whether
 * the rest is parsed as it is (almost always a CRC failure) or with a
 * correct CRC written over its last four bytes, so that the message
 * parsers behind the CRC are reached too. Invariants checked:
 *  - a failure names where (offset within the input) and why;
 *  - a packet that parses consumes the whole datagram, and every pointer
 *    it holds lies inside the input;
 *  - it prints back to the input bytes, except the unused bits the
 *    parser ignores (restored here before comparing);
 *  - a capacity one byte short is refused with VOX_ENOSPC;
 *  - the decrypted parts of Confirm and SASrelay, fed the encrypted bytes
 *    as they are, parse only into fields that print back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/zrtp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if VOX_WITH_ZRTP

static void inside(const uint8_t *p, size_t n, const uint8_t *base, size_t size)
{
	if (p && (p < base || n > size || p + n > base + size))
		abort();
}

static void bodies(const uint8_t *enc, size_t n)
{
	uint8_t out[4096];
	struct vox_zrtp_confirm_body cb;
	struct vox_diag d = {0, NULL};
	int rc = vox_zrtp_confirm_body_parse(enc, n, &cb, &d);
	if (rc < 0 && (!d.what || d.off > n))
		abort();
	if (rc >= 0) {
		int m = vox_zrtp_confirm_body_print(&cb, out, sizeof out);
		if (m != rc || memcmp(out, enc, n) != 0)
			abort();
	}
	struct vox_zrtp_relay_body rb;
	rc = vox_zrtp_relay_body_parse(enc, n, &rb, NULL);
	if (rc >= 0) {
		int m = vox_zrtp_relay_body_print(&rb, out, sizeof out);
		if (m != rc || memcmp(out, enc, n) != 0)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t in[8192], out[8192];
	if (size < 1 || size - 1 > sizeof in)
		return 0;
	size_t n = size - 1;
	memcpy(in, data + 1, n);
	if ((data[0] & 1) && n >= 4) {
		uint32_t c = vox_zrtp_crc32c(in, n - 4);
		in[n - 4] = (uint8_t)c;
		in[n - 3] = (uint8_t)(c >> 8);
		in[n - 2] = (uint8_t)(c >> 16);
		in[n - 1] = (uint8_t)(c >> 24);
	}
	struct vox_zrtp_packet p;
	struct vox_diag d = {0, NULL};
	int rc = vox_zrtp_parse(in, n, &p, &d);
	if (rc < 0) {
		if (!d.what || d.off > n)
			abort();
		return 0;
	}
	if ((size_t)rc != n)
		abort();
	inside(p.msg, p.msg_len, in, n);
	switch (p.type) {
	case VOX_ZRTP_DHPART1:
	case VOX_ZRTP_DHPART2: inside(p.u.dh.pv, p.u.dh.pv_len, in, n); break;
	case VOX_ZRTP_CONFIRM1:
	case VOX_ZRTP_CONFIRM2:
	case VOX_ZRTP_SASRELAY:
		inside(p.u.confirm.enc, p.u.confirm.enc_len, in, n);
		bodies(p.u.confirm.enc, p.u.confirm.enc_len);
		break;
	default: break;
	}
	int m = vox_zrtp_print(&p, out, sizeof out);
	if (m != rc)
		abort();
	/* The printer writes zeros where the parser ignored unused bits: the
	 * twelve after 0001 in the header and, in a Hello, the first bit and
	 * the eight after S M P (5.2). Put them back, then all must match. */
	if (out[0] != 0x10 || out[1] != 0)
		abort();
	out[0] = in[0];
	out[1] = in[1];
	if (p.type == VOX_ZRTP_HELLO) {
		size_t f = 12 + 12 + 4 + 16 + 32 + 12;
		if ((out[f] & 0x8f) != 0 || (out[f + 1] & 0xf0) != 0)
			abort();
		out[f] = (uint8_t)(out[f] | (in[f] & 0x8f));
		out[f + 1] = (uint8_t)(out[f + 1] | (in[f + 1] & 0xf0));
		uint32_t c = vox_zrtp_crc32c(out, n - 4);
		out[n - 4] = (uint8_t)c;
		out[n - 3] = (uint8_t)(c >> 8);
		out[n - 2] = (uint8_t)(c >> 16);
		out[n - 1] = (uint8_t)(c >> 24);
	}
	if (memcmp(out + 2, in + 2, n - 6) != 0 ||
	    (p.type == VOX_ZRTP_HELLO && memcmp(out + n - 4, in + n - 4, 4) != 0))
		abort();
	if (vox_zrtp_print(&p, out, (size_t)m - 1) != VOX_ENOSPC)
		abort();
	return 0;
}

#else

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	(void)data;
	(void)size;
	return 0;
}

#endif
