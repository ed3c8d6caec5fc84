/* SPDX-License-Identifier: MIT */
/* rtp/: G.711, RFC 4733 telephone-events, the Goertzel tone detector. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vox/rtp.h"
#include "testutil.h"

/* ---- G.711 reference, built from the recommendation's segment structure:
 * each of the 8 segments has 16 equal steps; the reconstruction value of
 * step m is start + m * step, and the decision interval is the step around
 * it. Not the formula rtp/g711.c uses (that one shifts a biased value). */

struct seg {
	int start, step;
};

/* mu-law (G.711 table 2a), 14-bit magnitudes: segment 0 starts at 0 with
 * step 2; segment k starts at 33 (2^k - 1) with step 2^(k+1). */
static struct seg ulaw_seg(int k)
{
	struct seg s = {33 * ((1 << k) - 1), 1 << (k + 1)};
	return s;
}

/* A-law (G.711 table 1a), 13-bit magnitudes: segments 0 and 1 have step 2
 * and start at 1 and 33; segment k >= 2 starts at 33 * 2^(k-1), step 2^k. */
static struct seg alaw_seg(int k)
{
	struct seg s;
	if (k == 0) {
		s.start = 1;
		s.step = 2;
	} else if (k == 1) {
		s.start = 33;
		s.step = 2;
	} else {
		s.start = 33 << (k - 1);
		s.step = 1 << k;
	}
	return s;
}

static int16_t ref_ulaw_decode(uint8_t code)
{
	/* Bits are sent inverted; after inversion: sign (1 = negative),
	 * 3 segment bits, 4 step bits. 14-bit values, left-justified x4. */
	unsigned u = (uint8_t)~code;
	struct seg s = ulaw_seg((u >> 4) & 7);
	int v = (s.start + (int)(u & 15) * s.step) * 4;
	return (int16_t)((u & 0x80) ? -v : v);
}

static int16_t ref_alaw_decode(uint8_t code)
{
	/* Even bits inverted (XOR 0x55); sign bit 1 = positive. 13-bit
	 * values, left-justified x8. */
	unsigned a = code ^ 0x55u;
	struct seg s = alaw_seg((a >> 4) & 7);
	int v = (s.start + (int)(a & 15) * s.step) * 8;
	return (int16_t)((a & 0x80) ? v : -v);
}

/* Encoder reference: search the 128 intervals [rec - step/2, rec + step/2)
 * for the magnitude; beyond the last one, the last code (overload). */
static uint8_t ref_ulaw_encode(int16_t x)
{
	int neg = x < 0;
	int mag = (neg ? -(int)x : x) >> 2;
	int seg = 7, m = 15;
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 16; j++) {
			struct seg s = ulaw_seg(k);
			int rec = s.start + j * s.step;
			if (mag >= rec - s.step / 2 && mag < rec + s.step / 2) {
				seg = k;
				m = j;
				goto found;
			}
		}
found:
	return (uint8_t) ~((neg << 7) | (seg << 4) | m);
}

static uint8_t ref_alaw_encode(int16_t x)
{
	int neg = x < 0;
	int mag = (neg ? -(int)x : x) >> 3;
	int seg = 7, m = 15;
	for (int k = 0; k < 8; k++)
		for (int j = 0; j < 16; j++) {
			struct seg s = alaw_seg(k);
			int rec = s.start + j * s.step;
			int lo = rec - s.step / 2, hi = rec + s.step / 2;
			if (mag >= lo && mag < hi) {
				seg = k;
				m = j;
				goto found;
			}
		}
found:
	return (uint8_t)(((neg ? 0 : 0x80) | (seg << 4) | m) ^ 0x55);
}

static void test_g711_decode_tables(void **st)
{
	(void)st;
	for (int c = 0; c < 256; c++) {
		assert_int_equal(vox_g711_ulaw_decode((uint8_t)c), ref_ulaw_decode((uint8_t)c));
		assert_int_equal(vox_g711_alaw_decode((uint8_t)c), ref_alaw_decode((uint8_t)c));
	}
	/* Landmarks any G.711 table shows. */
	assert_int_equal(vox_g711_ulaw_decode(0x00), -32124);
	assert_int_equal(vox_g711_ulaw_decode(0x80), 32124);
	assert_int_equal(vox_g711_ulaw_decode(0x01), -31100);
	assert_int_equal(vox_g711_ulaw_decode(0xff), 0);
	assert_int_equal(vox_g711_ulaw_decode(0x7f), 0);
	assert_int_equal(vox_g711_ulaw_decode(0xfe), 8);
	assert_int_equal(vox_g711_alaw_decode(0xd5), 8);
	assert_int_equal(vox_g711_alaw_decode(0x55), -8);
	assert_int_equal(vox_g711_alaw_decode(0xaa), 32256);
	assert_int_equal(vox_g711_alaw_decode(0x2a), -32256);
	/* Both laws are odd-symmetric apart from mu-law's two zeros. */
	for (int c = 0; c < 128; c++) {
		assert_int_equal(vox_g711_ulaw_decode((uint8_t)c),
		                 -vox_g711_ulaw_decode((uint8_t)(c | 0x80)));
		assert_int_equal(vox_g711_alaw_decode((uint8_t)c),
		                 -vox_g711_alaw_decode((uint8_t)(c ^ 0x80)));
	}
}

static void test_g711_encode_all(void **st)
{
	(void)st;
	for (int x = -32768; x <= 32767; x++) {
		uint8_t u = vox_g711_ulaw_encode((int16_t)x);
		uint8_t a = vox_g711_alaw_encode((int16_t)x);
		if (u != ref_ulaw_encode((int16_t)x) || a != ref_alaw_encode((int16_t)x))
			print_error("x=%d: ulaw %02x/%02x alaw %02x/%02x\n", x, u,
			            ref_ulaw_encode((int16_t)x), a, ref_alaw_encode((int16_t)x));
		assert_int_equal(u, ref_ulaw_encode((int16_t)x));
		assert_int_equal(a, ref_alaw_encode((int16_t)x));
	}
	/* Decoding then encoding gives the same value back (the encoder's
	 * intervals contain their reconstruction values). */
	for (int c = 0; c < 256; c++) {
		int16_t v = vox_g711_ulaw_decode((uint8_t)c);
		assert_int_equal(vox_g711_ulaw_decode(vox_g711_ulaw_encode(v)), v);
		v = vox_g711_alaw_decode((uint8_t)c);
		assert_int_equal(vox_g711_alaw_encode(v), (uint8_t)c);
	}
}

static void test_g711_segment_boundaries(void **st)
{
	(void)st;
	/* mu-law, 14-bit magnitude (16-bit / 4): segment edges at 31, 95,
	 * 223, 479, 991, 2015, 4063; overload from 8159. */
	static const int uedge[] = {31, 95, 223, 479, 991, 2015, 4063};
	for (int k = 0; k < 7; k++) {
		uint8_t below = (uint8_t)~vox_g711_ulaw_encode((int16_t)((uedge[k] - 1) * 4));
		uint8_t at = (uint8_t)~vox_g711_ulaw_encode((int16_t)(uedge[k] * 4));
		assert_int_equal(below, (k << 4) | 15);   /* last step of segment k */
		assert_int_equal(at, ((k + 1) << 4) | 0); /* first step of k + 1 */
		/* and the same mirrored */
		below = (uint8_t)~vox_g711_ulaw_encode((int16_t)(-(uedge[k] - 1) * 4));
		assert_int_equal(below, 0x80 | (k << 4) | 15);
	}
	assert_int_equal(vox_g711_ulaw_encode(0), 0xff);
	assert_int_equal(vox_g711_ulaw_encode(3), 0xff); /* magnitude 0 */
	assert_int_equal(vox_g711_ulaw_encode(4), 0xfe); /* magnitude 1: step 1 */
	assert_int_equal(vox_g711_ulaw_encode(32767), 0x80);
	assert_int_equal(vox_g711_ulaw_encode(-32768), 0x00);
	assert_int_equal(vox_g711_ulaw_encode(8158 * 4), 0x80);
	/* A-law, 13-bit magnitude (16-bit / 8): edges at 32, 64, ..., 2048. */
	for (int k = 0; k < 7; k++) {
		int edge = 32 << k;
		uint8_t below = vox_g711_alaw_encode((int16_t)((edge - 1) * 8)) ^ 0x55;
		uint8_t at = vox_g711_alaw_encode((int16_t)(edge * 8)) ^ 0x55;
		assert_int_equal(below, 0x80 | (k << 4) | 15);
		assert_int_equal(at, 0x80 | ((k + 1) << 4));
	}
	assert_int_equal(vox_g711_alaw_encode(0), 0xd5);
	assert_int_equal(vox_g711_alaw_encode(-1), 0x55); /* negative: the -8 step */
	assert_int_equal(vox_g711_alaw_encode(-8), 0x55);
	assert_int_equal(vox_g711_alaw_encode(32767), 0xaa);
	assert_int_equal(vox_g711_alaw_encode(-32768), 0x2a);
}

static void test_g711_frame(void **st)
{
	(void)st;
	/* A 20 ms packet at 8 kHz: 160 samples, 160 bytes. */
	int16_t pcm[VOX_G711_FRAME], back[VOX_G711_FRAME];
	uint8_t enc[VOX_G711_FRAME];
	uint32_t ph = 0;
	vox_tone_gen(pcm, VOX_G711_FRAME, VOX_G711_RATE, 1000, 0, 10000, &ph);
	for (int law = 0; law < 2; law++) {
		vox_g711_encode((enum vox_g711_law)law, pcm, VOX_G711_FRAME, enc);
		vox_g711_decode((enum vox_g711_law)law, enc, VOX_G711_FRAME, back);
		for (int i = 0; i < VOX_G711_FRAME; i++) {
			int d = back[i] - pcm[i];
			/* Quantisation error at most half a step of the segment
			 * (256 x 4 = 1024 / 2 for mu-law, 128 x 8 / 2 for A-law at
			 * this amplitude). */
			assert_true(d <= 512 && d >= -512);
		}
		assert_true(vox_tone_power(back, VOX_G711_FRAME, VOX_G711_RATE, 1000) > 0.98f);
	}
}

/* ---- RFC 4733 ------------------------------------------------------------ */

static void test_dtmf_payload(void **st)
{
	(void)st;
	struct vox_dtmf_payload p = {11, 1, 10, 800}, q;
	uint8_t b[4];
	vox_dtmf_payload_print(&p, b);
	static const uint8_t want[4] = {11, 0x8a, 0x03, 0x20};
	assert_memory_equal(b, want, 4);
	assert_int_equal(vox_dtmf_payload_parse(b, 4, &q), 0);
	assert_true(q.event == 11 && q.end == 1 && q.volume == 10 && q.duration == 800);
	b[1] |= 0x40; /* R bit: ignored */
	assert_int_equal(vox_dtmf_payload_parse(b, 4, &q), 0);
	assert_int_equal(q.volume, 10);
	assert_int_equal(vox_dtmf_payload_parse(b, 3, &q), VOX_EMALFORMED);
	assert_int_equal(vox_dtmf_payload_parse(b, 5, &q), VOX_EMALFORMED);
	assert_int_equal(vox_dtmf_event_of('#'), 11);
	assert_int_equal(vox_dtmf_event_of('d'), 15);
	assert_int_equal(vox_dtmf_event_of('x'), -1);
	assert_int_equal(vox_dtmf_digit_of(10), '*');
	assert_int_equal(vox_dtmf_digit_of(16), 0);
}

struct sent {
	uint64_t at;
	struct vox_rtp_packet pkt;
	uint8_t payload[4];
	struct vox_dtmf_payload p;
};

/* Runs the sender from t0 until it goes quiet, polling every ms. */
static size_t run_tx(struct vox_dtmf_tx *tx, uint64_t t0, uint64_t stop_at, struct sent *out,
                     size_t max)
{
	size_t n = 0;
	for (uint64_t now = t0; now < t0 + 20000 && (vox_dtmf_tx_busy(tx) || now == t0); now++) {
		if (now == stop_at)
			vox_dtmf_tx_stop(tx, now);
		struct vox_dtmf_out o;
		while (vox_dtmf_tx_poll(tx, now, &o)) {
			assert_true(n < max);
			out[n].at = now;
			memcpy(out[n].payload, o.payload, 4);
			out[n].pkt = o.pkt;
			out[n].pkt.payload = out[n].payload;
			assert_int_equal(vox_dtmf_payload_parse(o.payload, 4, &out[n].p), 0);
			n++;
		}
	}
	return n;
}

static void test_dtmf_tx(void **st)
{
	(void)st;
	struct vox_dtmf_tx tx;
	static struct sent s[1200];
	vox_dtmf_tx_init(&tx, 8000, 20);
	assert_int_equal(vox_dtmf_tx_start(&tx, 5, 10, 100, 4000, 1000), 0);
	assert_int_equal(vox_dtmf_tx_start(&tx, 6, 10, 100, 4000, 1000), VOX_ESTATE);
	size_t n = run_tx(&tx, 1000, UINT64_MAX, s, 1200);
	/* Updates at 0, 20, 40, 60, 80 ms with durations 0..640, then the
	 * final packet at 100 ms (duration 800, E) three times, 20 ms apart. */
	assert_int_equal(n, 8);
	static const uint16_t dur[8] = {0, 160, 320, 480, 640, 800, 800, 800};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(s[i].at, 1000 + 20 * i);
		assert_int_equal(s[i].p.duration, dur[i]);
		assert_int_equal(s[i].p.end, i >= 5);
		assert_int_equal(s[i].p.event, 5);
		assert_int_equal(s[i].p.volume, 10);
		assert_int_equal(s[i].pkt.marker, i == 0);
		assert_int_equal(s[i].pkt.ts, 4000);
	}
	assert_false(vox_dtmf_tx_busy(&tx));
	assert_int_equal(vox_dtmf_tx_next_deadline(&tx), UINT64_MAX);
	/* Open-ended, stopped at 250 ms: final duration 2000. */
	assert_int_equal(vox_dtmf_tx_start(&tx, 11, 0, 0, 9000, 5000), 0);
	n = run_tx(&tx, 5000, 5250, s, 1200);
	assert_int_equal(s[n - 1].p.duration, 2000);
	assert_true(s[n - 1].p.end && s[n - 2].p.end && s[n - 3].p.end && !s[n - 4].p.end);
	assert_int_equal(s[n - 3].at, 5250);
	assert_int_equal(vox_dtmf_tx_start(&tx, 1, 64, 100, 0, 0), VOX_EINVAL);
}

static void test_dtmf_tx_segments(void **st)
{
	(void)st;
	struct vox_dtmf_tx tx;
	static struct sent s[1200];
	vox_dtmf_tx_init(&tx, 8000, 20);
	/* 10 s = 80000 units: a first segment of 65535 (2.5.1.3), whose last
	 * packet goes three times without the E bit, then a second segment
	 * at ts + 65535 that ends with 14465 and the E bit three times. */
	assert_int_equal(vox_dtmf_tx_start(&tx, 0, 7, 10000, 1000, 0), 0);
	size_t n = run_tx(&tx, 0, UINT64_MAX, s, 1200);
	size_t seg_end = 0, seg2 = 0, ends = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i].p.duration == 0xffff && !s[i].p.end)
			seg_end++;
		if (s[i].pkt.ts == 1000 + 65535u)
			seg2++;
		if (s[i].p.end)
			ends++;
		assert_int_equal(s[i].pkt.marker, i == 0);
	}
	assert_int_equal(seg_end, 3);
	assert_int_equal(ends, 3);
	assert_true(seg2 > 3);
	assert_int_equal(s[n - 1].p.duration, 80000 - 65535);
	assert_int_equal(s[n - 1].pkt.ts, 1000 + 65535u);
	/* Durations never decrease within a segment. */
	for (size_t i = 1; i < n; i++)
		if (s[i].pkt.ts == s[i - 1].pkt.ts)
			assert_true(s[i].p.duration >= s[i - 1].p.duration);

	/* The receiver joins the segments into one event. */
	struct vox_dtmf_rx rx;
	vox_dtmf_rx_init(&rx, 8000);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(vox_dtmf_rx_recv(&rx, &s[i].pkt, s[i].at), 0);
	struct vox_dtmf_event ev;
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &ev), 1);
	assert_int_equal(ev.type, VOX_DTMF_BEGIN);
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &ev), 1);
	assert_int_equal(ev.type, VOX_DTMF_END);
	assert_int_equal(ev.duration, 80000);
	assert_int_equal(ev.ts, 1000);
	assert_int_equal(ev.end_seen, 1);
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &ev), 0);
}

/* Feeds the sent packets (minus those in drop, in the order given) and
 * checks the events. */
static void rx_case(const struct sent *s, const int *order, size_t n, uint32_t want_dur,
                    int want_end_seen)
{
	struct vox_dtmf_rx rx;
	vox_dtmf_rx_init(&rx, 8000);
	uint64_t last = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sent *p = &s[order[i]];
		assert_int_equal(vox_dtmf_rx_recv(&rx, &p->pkt, p->at), 0);
		last = p->at;
	}
	vox_dtmf_rx_on_deadline(&rx, last + 999);
	if (!want_end_seen) {
		struct vox_dtmf_event e;
		assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 1);
		assert_int_equal(e.type, VOX_DTMF_BEGIN);
		assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 0);
		assert_int_equal(vox_dtmf_rx_next_deadline(&rx), last + 1000);
		vox_dtmf_rx_on_deadline(&rx, last + 1000);
		assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 1);
		assert_int_equal(e.type, VOX_DTMF_END);
		assert_int_equal(e.duration, want_dur);
		assert_int_equal(e.end_seen, 0);
		return;
	}
	struct vox_dtmf_event e;
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 1);
	assert_int_equal(e.type, VOX_DTMF_BEGIN);
	assert_int_equal(e.event, 5);
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 1);
	assert_int_equal(e.type, VOX_DTMF_END);
	assert_int_equal(e.duration, want_dur);
	assert_int_equal(e.end_seen, 1);
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 0);
}

static void test_dtmf_rx(void **st)
{
	(void)st;
	struct vox_dtmf_tx tx;
	static struct sent s[64];
	vox_dtmf_tx_init(&tx, 8000, 20);
	assert_int_equal(vox_dtmf_tx_start(&tx, 5, 10, 100, 4000, 1000), 0);
	assert_int_equal(run_tx(&tx, 1000, UINT64_MAX, s, 64), 8);
	/* All packets: one begin, one end; the two repeats change nothing. */
	static const int all[] = {0, 1, 2, 3, 4, 5, 6, 7};
	rx_case(s, all, 8, 800, 1);
	/* First packet (with the marker) lost. */
	static const int nofirst[] = {1, 2, 3, 4, 5, 6, 7};
	rx_case(s, nofirst, 7, 800, 1);
	/* Reordered updates and a late update after the end. */
	static const int reorder[] = {0, 2, 1, 4, 3, 5, 3, 6, 7};
	rx_case(s, reorder, 9, 800, 1);
	/* Only an end packet. */
	static const int endonly[] = {6};
	rx_case(s, endonly, 1, 800, 1);
	/* All three end packets lost: ends by timeout with the last duration. */
	static const int noend[] = {0, 1, 2, 3, 4};
	rx_case(s, noend, 5, 640, 0);

	/* Two events back to back, the first without its end packets: the
	 * second one's start ends the first. */
	struct sent s2[64];
	assert_int_equal(vox_dtmf_tx_start(&tx, 7, 10, 60, 8000, 2000), 0);
	size_t n2 = run_tx(&tx, 2000, UINT64_MAX, s2, 64);
	struct vox_dtmf_rx rx;
	vox_dtmf_rx_init(&rx, 8000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(vox_dtmf_rx_recv(&rx, &s[i].pkt, s[i].at), 0);
	for (size_t i = 0; i < n2; i++)
		assert_int_equal(vox_dtmf_rx_recv(&rx, &s2[i].pkt, s2[i].at), 0);
	/* A stray packet of the first event after the second began. */
	assert_int_equal(vox_dtmf_rx_recv(&rx, &s[5].pkt, 2100), 0);
	struct vox_dtmf_event e;
	static const int want_type[] = {VOX_DTMF_BEGIN, VOX_DTMF_END, VOX_DTMF_BEGIN, VOX_DTMF_END};
	static const int want_ev[] = {5, 5, 7, 7};
	for (int i = 0; i < 4; i++) {
		assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 1);
		assert_int_equal(e.type, want_type[i]);
		assert_int_equal(e.event, want_ev[i]);
	}
	assert_int_equal(vox_dtmf_rx_next_event(&rx, &e), 0);
	struct vox_rtp_packet bad;
	vox_rtp_packet_init(&bad);
	bad.payload = s[0].payload;
	bad.payload_len = 3;
	assert_int_equal(vox_dtmf_rx_recv(&rx, &bad, 3000), VOX_EMALFORMED);
}

/* ---- Goertzel ----------------------------------------------------------- */

static void test_tone_power(void **st)
{
	(void)st;
	int16_t pcm[160];
	uint32_t ph = 0;
	/* 1000 Hz at 8 kHz: exactly 20 cycles in 160 samples. */
	vox_tone_gen(pcm, 160, 8000, 1000, 0, 12000, &ph);
	float p = vox_tone_power(pcm, 160, 8000, 1000);
	assert_true(p > 0.98f && p < 1.02f);
	assert_true(vox_tone_power(pcm, 160, 8000, 1500) < 0.01f);
	assert_true(vox_tone_power(pcm, 160, 8000, 1100) < 0.05f);
	/* Two equal tones: half each. */
	ph = 0;
	vox_tone_gen(pcm, 160, 8000, 1000, 2000, 8000, &ph);
	p = vox_tone_power(pcm, 160, 8000, 2000);
	assert_true(p > 0.47f && p < 0.53f);
	memset(pcm, 0, sizeof pcm);
	assert_true(vox_tone_power(pcm, 160, 8000, 1000) == 0.0f);
	assert_true(vox_tone_power(pcm, 0, 8000, 1000) == 0.0f);
}

static void test_tone_dtmf(void **st)
{
	(void)st;
	static const float row[4] = {697, 770, 852, 941};
	static const float col[4] = {1209, 1336, 1477, 1633};
	static const char *keys = "123A456B789C*0#D";
	int16_t pcm[205];
	uint8_t law[205];
	for (int r = 0; r < 4; r++)
		for (int c = 0; c < 4; c++) {
			uint32_t ph = 0;
			vox_tone_gen(pcm, 205, 8000, row[r], col[c], 7000, &ph);
			assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), keys[r * 4 + c]);
			/* Still heard after a trip through G.711 (a call). */
			vox_g711_encode(VOX_G711_ULAW, pcm, 205, law);
			vox_g711_decode(VOX_G711_ULAW, law, 205, pcm);
			assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), keys[r * 4 + c]);
		}
	/* Silence, one tone, noise, excessive twist: no digit. */
	memset(pcm, 0, sizeof pcm);
	assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), 0);
	uint32_t ph = 0;
	vox_tone_gen(pcm, 205, 8000, 697, 0, 7000, &ph);
	assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), 0);
	uint64_t seed = 5;
	for (int i = 0; i < 205; i++) {
		uint8_t b[2];
		test_rng(&seed, b, 2);
		pcm[i] = (int16_t)((b[0] << 8 | b[1]) - 32768) / 4;
	}
	assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), 0);
	/* Twist: column 24 dB below the row. */
	int16_t a[205], b2[205];
	ph = 0;
	vox_tone_gen(a, 205, 8000, 770, 0, 8000, &ph);
	ph = 0;
	vox_tone_gen(b2, 205, 8000, 1336, 0, 500, &ph);
	for (int i = 0; i < 205; i++)
		pcm[i] = (int16_t)(a[i] + b2[i]);
	assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), 0);
	/* A tone between two columns is not a digit either. */
	ph = 0;
	vox_tone_gen(pcm, 205, 8000, 770, 1272, 7000, &ph);
	assert_int_equal(vox_tone_dtmf(pcm, 205, 8000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_g711_decode_tables),
	    cmocka_unit_test(test_g711_encode_all),
	    cmocka_unit_test(test_g711_segment_boundaries),
	    cmocka_unit_test(test_g711_frame),
	    cmocka_unit_test(test_dtmf_payload),
	    cmocka_unit_test(test_dtmf_tx),
	    cmocka_unit_test(test_dtmf_tx_segments),
	    cmocka_unit_test(test_dtmf_rx),
	    cmocka_unit_test(test_tone_power),
	    cmocka_unit_test(test_tone_dtmf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
