/* SPDX-License-Identifier: MIT */
/* Goertzel tone detection and a two-tone generator. Single-precision float
 * (a Cortex-M4F has it in hardware) and no libm: cos comes from a short
 * polynomial below. */
#include "rtp/rtp_int.h"

#define PI_F     3.14159265358979f
#define TWO_PI_F 6.28318530717959f

/* cos(x) to about 1e-7: reduce to [0, pi/2], then the Taylor series to x^12. */
static float cos_approx(float x)
{
	long turns = (long)(x / TWO_PI_F);
	x -= TWO_PI_F * (float)turns;
	if (x < 0)
		x = -x; /* cos is even */
	if (x > PI_F)
		x = TWO_PI_F - x;
	float sign = 1.0f;
	if (x > PI_F / 2) {
		x = PI_F - x; /* cos(pi - x) = -cos(x) */
		sign = -1.0f;
	}
	float x2 = x * x;
	float r =
	    1.0f -
	    x2 / 2 *
	        (1.0f -
	         x2 / 12 *
	             (1.0f - x2 / 30 * (1.0f - x2 / 56 * (1.0f - x2 / 90 * (1.0f - x2 / 132)))));
	return sign * r;
}

/* Squared magnitude of the DTFT of pcm at freq (the Goertzel recurrence
 * s[n] = x[n] + 2cos(w) s[n-1] - s[n-2]). */
static float goertzel(const int16_t *pcm, size_t n, uint32_t rate, float freq)
{
	float k = 2.0f * cos_approx(TWO_PI_F * freq / (float)rate);
	float s1 = 0, s2 = 0;
	for (size_t i = 0; i < n; i++) {
		float s0 = (float)pcm[i] + k * s1 - s2;
		s2 = s1;
		s1 = s0;
	}
	return s1 * s1 + s2 * s2 - k * s1 * s2;
}

static float energy(const int16_t *pcm, size_t n)
{
	float e = 0;
	for (size_t i = 0; i < n; i++)
		e += (float)pcm[i] * (float)pcm[i];
	return e;
}

/* A sinusoid of amplitude A gives |X|^2 ~ (A n / 2)^2 and energy n A^2 / 2,
 * so 2 |X|^2 / (n E) is about 1 when the block is that one tone and falls
 * to the tone's share of the energy otherwise. */
float vox_tone_power(const int16_t *pcm, size_t n, uint32_t rate, float freq_hz)
{
	if (n == 0 || rate == 0)
		return 0;
	float e = energy(pcm, n);
	if (e <= 0)
		return 0;
	return 2.0f * goertzel(pcm, n, rate, freq_hz) / ((float)n * e);
}

static const float dtmf_row[4] = {697, 770, 852, 941};
static const float dtmf_col[4] = {1209, 1336, 1477, 1633};
static const char dtmf_keys[4][4] = {
    {'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};

#define DTMF_MIN_SHARE 0.15f /* each tone carries this share of the energy */
#define DTMF_MIN_BOTH  0.60f /* and the two together at least this */
#define DTMF_NEIGHBOUR 0.25f /* any other row/column tone is 6 dB weaker */
#define DTMF_MAX_TWIST 6.31f /* Q.24: row and column within 8 dB */

static int best_of(const float *p, float *best)
{
	int bi = 0;
	for (int i = 1; i < 4; i++)
		if (p[i] > p[bi])
			bi = i;
	*best = p[bi];
	for (int i = 0; i < 4; i++)
		if (i != bi && p[i] > p[bi] * DTMF_NEIGHBOUR)
			return -1;
	return bi;
}

char vox_tone_dtmf(const int16_t *pcm, size_t n, uint32_t rate)
{
	float rp[4], cp[4], rb, cb;
	for (int i = 0; i < 4; i++) {
		rp[i] = vox_tone_power(pcm, n, rate, dtmf_row[i]);
		cp[i] = vox_tone_power(pcm, n, rate, dtmf_col[i]);
	}
	int r = best_of(rp, &rb);
	int c = best_of(cp, &cb);
	if (r < 0 || c < 0 || rb < DTMF_MIN_SHARE || cb < DTMF_MIN_SHARE || rb + cb < DTMF_MIN_BOTH)
		return 0;
	if (rb > cb * DTMF_MAX_TWIST || cb > rb * DTMF_MAX_TWIST)
		return 0;
	return dtmf_keys[r][c];
}

void vox_tone_gen(int16_t *pcm, size_t n, uint32_t rate, float f1, float f2, int16_t amp,
                  uint32_t *phase)
{
	if (rate == 0)
		return;
	for (size_t i = 0; i < n; i++) {
		/* The phase in whole seconds is dropped (exact for whole-Hz
		 * frequencies) so that float keeps its precision in long runs. */
		float t = (float)(*phase % rate) / (float)rate;
		float v = 0;
		if (f1 > 0)
			v += cos_approx(TWO_PI_F * f1 * t - PI_F / 2);
		if (f2 > 0)
			v += cos_approx(TWO_PI_F * f2 * t - PI_F / 2);
		float s = v * (float)amp;
		if (s > 32767.0f)
			s = 32767.0f;
		if (s < -32768.0f)
			s = -32768.0f;
		pcm[i] = (int16_t)s;
		(*phase)++;
	}
}
