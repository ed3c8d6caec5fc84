/* SPDX-License-Identifier: MIT */
/* G.711 (ITU-T G.711 tables 1a/1b and 2a/2b). Encoding finds the segment
 * from the position of the highest set bit of the biased magnitude;
 * decoding evaluates the reconstruction formula. No tables, so the code
 * is short enough to check against the recommendation by hand. */
#include "rtp/rtp_int.h"

#define ULAW_BIAS 33   /* mu-law segments are linear in (magnitude + 33) */
#define ULAW_MAX  8158 /* largest 14-bit magnitude before the clip level */
#define ALAW_MAX  4095 /* largest 13-bit magnitude */

/* Index of the highest set bit of v > 0. */
static unsigned top_bit(unsigned v)
{
	unsigned n = 0;
	while (v >>= 1)
		n++;
	return n;
}

/* 16-bit sample to 14-bit magnitude and sign (dropping the two low bits of
 * the magnitude, so the law is symmetric around zero). */
uint8_t vox_g711_ulaw_encode(int16_t pcm)
{
	unsigned neg = pcm < 0;
	unsigned mag = (unsigned)(neg ? -(int32_t)pcm : pcm) >> 2;
	if (mag > ULAW_MAX)
		mag = ULAW_MAX;
	/* Segment e holds biased magnitudes [32 << e, 64 << e); the four
	 * mantissa bits follow the leading one. */
	unsigned b = mag + ULAW_BIAS;
	unsigned e = top_bit(b) - 5;
	unsigned m = (b >> (e + 1)) & 0x0f;
	/* The code word is sent with all bits inverted; the sign bit of a
	 * positive sample is 1 after inversion. */
	return (uint8_t) ~(neg << 7 | e << 4 | m);
}

int16_t vox_g711_ulaw_decode(uint8_t code)
{
	unsigned u = (uint8_t)~code;
	unsigned e = (u >> 4) & 7;
	unsigned m = u & 0x0f;
	int32_t mag = (int32_t)(((2 * m + ULAW_BIAS) << e) - ULAW_BIAS) * 4;
	return (int16_t)((u & 0x80) ? -mag : mag);
}

uint8_t vox_g711_alaw_encode(int16_t pcm)
{
	unsigned neg = pcm < 0;
	unsigned mag = (unsigned)(neg ? -(int32_t)pcm : pcm) >> 3;
	if (mag > ALAW_MAX)
		mag = ALAW_MAX;
	unsigned e, m;
	if (mag < 32) {
		/* Segment 0 (and 1 share) step 2: [2m, 2m + 2). */
		e = 0;
		m = mag >> 1;
	} else {
		/* Segment e >= 1 holds [16 << e, 32 << e). */
		e = top_bit(mag) - 4;
		m = (mag >> e) & 0x0f;
	}
	/* Positive samples have the sign bit set; even bits are inverted
	 * on the line (XOR 0x55). */
	return (uint8_t)((neg ? 0 : 0x80) | e << 4 | m) ^ 0x55;
}

int16_t vox_g711_alaw_decode(uint8_t code)
{
	unsigned a = code ^ 0x55u;
	unsigned e = (a >> 4) & 7;
	unsigned m = a & 0x0f;
	unsigned mag = e == 0 ? 2 * m + 1 : (2 * m + 33) << (e - 1);
	int32_t v = (int32_t)mag * 8;
	return (int16_t)((a & 0x80) ? v : -v);
}

void vox_g711_encode(enum vox_g711_law law, const int16_t *pcm, size_t n, uint8_t *out)
{
	for (size_t i = 0; i < n; i++)
		out[i] = law == VOX_G711_ALAW ? vox_g711_alaw_encode(pcm[i])
		                              : vox_g711_ulaw_encode(pcm[i]);
}

void vox_g711_decode(enum vox_g711_law law, const uint8_t *in, size_t n, int16_t *pcm)
{
	for (size_t i = 0; i < n; i++)
		pcm[i] = law == VOX_G711_ALAW ? vox_g711_alaw_decode(in[i])
		                              : vox_g711_ulaw_decode(in[i]);
}
