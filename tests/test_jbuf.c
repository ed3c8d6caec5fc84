/* SPDX-License-Identifier: MIT */
/* rtp/jbuf.c: the jitter buffer, driven by literal times. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vox/rtp.h"
#include "testutil.h"

static void configure(struct vox_jb *jb, uint32_t min, uint32_t max)
{
	struct vox_jb_params p = {8000, 20, min, max};
	skip_unless(max <= (VOX_JB_SLOTS - 1) * 20u,
	            "a delay longer than VOX_JB_SLOTS 20 ms frames hold");
	vox_jb_init(jb);
	assert_int_equal(vox_jb_configure(jb, &p), 0);
}

/* One packet: payload byte 0 and 1 carry the sequence number. */
static int put(struct vox_jb *jb, uint16_t seq, uint32_t ts, int marker, uint64_t now)
{
	uint8_t pl[160];
	memset(pl, 0, sizeof pl);
	pl[0] = (uint8_t)(seq >> 8);
	pl[1] = (uint8_t)seq;
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	p.seq = seq;
	p.ts = ts;
	p.marker = (uint8_t)marker;
	p.pt = 0;
	p.payload = pl;
	p.payload_len = sizeof pl;
	return vox_jb_put(jb, &p, now);
}

/* What came out at one tick: 'F' frame (with its seq), 'C' conceal, '.' empty. */
struct out {
	char kind;
	uint16_t seq;
};

static struct out get(struct vox_jb *jb, uint64_t now)
{
	uint8_t buf[VOX_JB_MAX_FRAME];
	struct vox_jb_frame f;
	int rc = vox_jb_get(jb, now, buf, sizeof buf, &f);
	struct out o = {'.', 0};
	if (rc == VOX_JB_FRAME) {
		o.kind = 'F';
		o.seq = (uint16_t)(buf[0] << 8 | buf[1]);
		assert_int_equal(f.len, 160);
	} else if (rc == VOX_JB_CONCEAL) {
		o.kind = 'C';
	} else {
		assert_int_equal(rc, VOX_JB_EMPTY);
	}
	return o;
}

static void test_jb_steady(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 40, 200);
	/* Packets every 20 ms, arriving on time; playout ticks every 20 ms,
	 * 5 ms after each arrival. The first frame plays 40 ms after its
	 * arrival, then one per tick, in order, none concealed. */
	uint16_t next = 1000;
	int frames = 0;
	for (uint64_t t = 0; t < 2000; t += 20) {
		assert_int_equal(put(&jb, (uint16_t)(1000 + t / 20), (uint32_t)(t * 8), t == 0, t),
		                 0);
		struct out o = get(&jb, t + 5);
		if (t < 40) {
			assert_int_equal(o.kind, '.');
			continue;
		}
		assert_int_equal(o.kind, 'F');
		assert_int_equal(o.seq, next);
		next++;
		frames++;
	}
	assert_int_equal(jb.st.played, (uint64_t)frames);
	assert_int_equal(jb.st.concealed, 0);
	assert_int_equal(jb.st.late, 0);
	assert_int_equal(jb.st.resync, 1);
	assert_int_equal(vox_jb_target_ms(&jb), 40); /* no jitter: the minimum */
}

static void test_jb_reorder_dup_loss_late(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 60, 200);
	/* seq 0..9 with: 3 before 2 (reordered), 5 twice (duplicate), 6
	 * lost, 8 arriving 100 ms late (after its playout time). */
	struct {
		uint16_t seq;
		uint64_t at;
	} arr[] = {{0, 0},   {1, 20},  {3, 40},  {2, 45},   {4, 80}, {5, 100},
	           {5, 101}, {7, 140}, {9, 180}, {10, 200}, {8, 260}};
	size_t k = 0;
	char got[32];
	uint16_t seqs[32];
	int n = 0;
	int rc_dup = 0, rc_late = 0;
	for (uint64_t t = 0; t <= 300; t++) {
		while (k < sizeof arr / sizeof arr[0] && arr[k].at == t) {
			int rc = put(&jb, arr[k].seq, arr[k].seq * 160u, arr[k].seq == 0, t);
			if (rc == VOX_EREPLAY)
				rc_dup++;
			else if (rc == VOX_ETOOOLD)
				rc_late++;
			else
				assert_int_equal(rc, 0);
			k++;
		}
		if (t % 20 == 10) {
			struct out o = get(&jb, t);
			if (o.kind != '.') {
				got[n] = o.kind;
				seqs[n] = o.seq;
				n++;
			}
		}
	}
	/* Plays from 60 ms: 0 1 2 3 4 5, 6 concealed, 7, 8 concealed (it is
	 * late), 9, 10. */
	static const char want[] = "FFFFFFCFCFF";
	static const uint16_t want_seq[] = {0, 1, 2, 3, 4, 5, 0, 7, 0, 9, 10};
	assert_int_equal(n, 11);
	for (int i = 0; i < n; i++) {
		assert_int_equal(got[i], want[i]);
		if (want[i] == 'F')
			assert_int_equal(seqs[i], want_seq[i]);
	}
	assert_int_equal(rc_dup, 1);
	assert_int_equal(rc_late, 1);
	assert_int_equal(jb.st.duplicate, 1);
	assert_int_equal(jb.st.late, 1);
	assert_int_equal(jb.st.concealed, 2);
	assert_int_equal(jb.st.played, 9);
	/* A duplicate of a frame already played is a duplicate, not late. */
	assert_int_equal(put(&jb, 9, 9 * 160, 0, 301), VOX_EREPLAY);
	assert_int_equal(jb.st.duplicate, 2);
}

static void test_jb_adapts(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 20, 200);
	/* Talkspurt 1: arrival jitter uniform in [0, 60) ms. */
	uint64_t seed = 3;
	uint16_t seq = 0;
	uint64_t t;
	for (t = 0; t < 4000; t += 20) {
		uint8_t r;
		test_rng(&seed, &r, 1);
		uint64_t at = t + r % 60;
		assert_int_equal(put(&jb, seq, seq * 160u, seq == 0, at), 0);
		seq++;
	}
	uint32_t target = vox_jb_target_ms(&jb);
	print_message("      target after 0..60 ms jitter: %u ms\n", target);
	assert_true(target > 40 && target <= 200);
	/* A big spike: the target stays within its bounds. */
	for (int i = 0; i < 50; i++, seq++)
		assert_int_equal(put(&jb, seq, seq * 160u, 0, t + (uint64_t)(i % 2) * 900 + 20 * i),
		                 0);
	assert_int_equal(vox_jb_target_ms(&jb), 200);

	/* The next talkspurt plays at arrival + the current target. */
	configure(&jb, 20, 120);
	for (t = 0; t < 2000; t += 20) {
		uint8_t r;
		test_rng(&seed, &r, 1);
		assert_int_equal(put(&jb, (uint16_t)(t / 20), (uint32_t)t * 8, t == 0, t + r % 50),
		                 0);
		(void)get(&jb, t);
	}
	/* drain until the buffer runs dry */
	for (; t < 2400; t += 20)
		(void)get(&jb, t);
	assert_int_equal(jb.state, VOX_JB_PAUSED);
	assert_true(jb.st.drained >= 1);
	target = vox_jb_target_ms(&jb);
	assert_true(target > 20);
	/* After 1 s of silence (sequence numbers continue, timestamps jump). */
	uint64_t at = 3400;
	assert_int_equal(put(&jb, 100, 3400 * 8, 1, at), 0);
	target = vox_jb_target_ms(&jb); /* this packet's arrival counts too */
	assert_true(target > 20);
	assert_int_equal(jb.anchor_ms, at + target);
	assert_int_equal(get(&jb, at + target - 1).kind, '.');
	struct out o = get(&jb, at + target);
	assert_int_equal(o.kind, 'F');
	assert_int_equal(o.seq, 100);
	assert_int_equal(jb.st.resync, 2);
}

static void test_jb_shrinks(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 20, 300);
	/* Start with a large target (jittery first packets), then a long
	 * steady talkspurt: the delay comes down a frame at a time. */
	uint64_t seed = 9;
	for (uint16_t s = 0; s < 20; s++) {
		uint8_t r;
		test_rng(&seed, &r, 1);
		assert_int_equal(put(&jb, s, s * 160u, s == 0, s * 20u + r % 100), 0);
	}
	for (int i = 0; i < 30; i++)
		(void)get(&jb, (uint64_t)i * 20);
	/* drain: buffer empty -> next packet re-anchors with the big target */
	for (int i = 30; i < 60; i++)
		(void)get(&jb, (uint64_t)i * 20);
	uint64_t t0 = 2000;
	uint16_t s = 40;
	assert_int_equal(put(&jb, s, s * 160u, 1, t0), 0);
	uint32_t start_delay = jb.delay_ms;
	print_message("      delay at talkspurt start: %u ms\n", start_delay);
	assert_true(start_delay >= 60);
	for (uint64_t t = t0 + 20; t < t0 + 30000; t += 20) {
		s++;
		assert_int_equal(put(&jb, s, s * 160u, 0, t), 0);
		struct out o = get(&jb, t + 1);
		assert_true(o.kind != 'C');
	}
	print_message("      delay after 30 s steady: %u ms (target %u), %llu frames dropped\n",
	              jb.delay_ms, vox_jb_target_ms(&jb), (unsigned long long)jb.st.shrunk);
	assert_true(jb.st.shrunk > 0);
	assert_true(jb.delay_ms < start_delay);
	assert_true(jb.delay_ms <= vox_jb_target_ms(&jb) + 20);
	assert_int_equal(jb.st.concealed, 0);
}

static void test_jb_wrap_overflow_limits(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 20, 100);
	/* Across the sequence wrap. */
	uint16_t s = 65530;
	uint16_t expect = 65530;
	for (int i = 0; i < 12; i++, s++) {
		assert_int_equal(put(&jb, s, (uint32_t)i * 160, i == 0, (uint64_t)i * 20), 0);
		struct out o = get(&jb, (uint64_t)i * 20 + 19);
		if (o.kind == 'F') {
			assert_int_equal(o.seq, expect);
			expect++;
		}
	}
	assert_int_equal(jb.st.played, 11);
	assert_int_equal(jb.st.concealed, 0);
	/* A jump far beyond the slots restarts the buffer. */
	assert_int_equal(put(&jb, (uint16_t)(s + 1000), 500000, 0, 300), 0);
	assert_int_equal(jb.st.overflow, 1);
	assert_int_equal(jb.held, 1);
	/* Too big a payload. */
	uint8_t big[VOX_JB_MAX_FRAME + 1];
	memset(big, 0, sizeof big);
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	p.seq = (uint16_t)(s + 1001);
	p.payload = big;
	p.payload_len = sizeof big;
	assert_int_equal(vox_jb_put(&jb, &p, 300), VOX_ETOOLONG);
	assert_int_equal(jb.st.too_big, 1);
	/* A length without a payload is the caller's mistake, not a packet:
	 * VOX_EINVAL, counted nowhere, nothing changed. */
	uint64_t received = jb.st.received;
	p.payload = NULL;
	p.payload_len = 4;
	assert_int_equal(vox_jb_put(&jb, &p, 300), VOX_EINVAL);
	assert_int_equal(jb.st.too_big, 1);
	assert_int_equal(jb.st.received, received);
	assert_int_equal(vox_jb_put(&jb, NULL, 300), VOX_EINVAL);
	/* A short output buffer keeps the frame. */
	uint8_t small[10];
	struct vox_jb_frame f;
	assert_int_equal(vox_jb_get(&jb, 10000, small, sizeof small, &f), VOX_ENOSPC);
	assert_int_equal(get(&jb, 10000).kind, 'F');
	/* Parameters the slots cannot hold, or that make no sense. */
	struct vox_jb_params bad = {8000, 20, 20, 20 * VOX_JB_SLOTS};
	assert_int_equal(vox_jb_configure(&jb, &bad), VOX_EINVAL);
	bad.max_delay_ms = 10;
	assert_int_equal(vox_jb_configure(&jb, &bad), VOX_EINVAL);
	bad.max_delay_ms = 100;
	bad.clock_rate = 0;
	assert_int_equal(vox_jb_configure(&jb, &bad), VOX_EINVAL);
	vox_jb_init(&jb);
	assert_int_equal(vox_jb_put(&jb, &p, 0), VOX_ESTATE);
	assert_int_equal(get(&jb, 0).kind, '.');
}

static void test_jb_start_reorder(void **st)
{
	(void)st;
	struct vox_jb jb;
	configure(&jb, 60, 200);
	/* The talkspurt's second packet overtakes the first before playout
	 * begins: the start moves back and both play in order. */
	assert_int_equal(put(&jb, 501, 160, 0, 0), 0);
	assert_int_equal(put(&jb, 500, 0, 1, 5), 0);
	assert_int_equal(put(&jb, 502, 320, 0, 20), 0);
	struct out o;
	uint16_t want = 500;
	for (uint64_t t = 0; t < 200; t += 20) {
		o = get(&jb, t);
		if (o.kind == 'F') {
			assert_int_equal(o.seq, want);
			want++;
		}
	}
	assert_int_equal(want, 503);
	assert_int_equal(jb.st.late, 0);

	/* But never behind what already went out: 0..4 with 2 lost, the
	 * buffer runs dry, a new talkspurt starts at 8, then 2 turns up. */
	configure(&jb, 40, 200);
	for (uint16_t q = 0; q < 5; q++)
		if (q != 2)
			assert_int_equal(put(&jb, q, q * 160u, q == 0, q * 20u), 0);
	int frames = 0, conceal = 0;
	for (uint64_t t = 0; t < 300; t += 20) {
		o = get(&jb, t);
		frames += o.kind == 'F';
		conceal += o.kind == 'C';
	}
	assert_true(frames == 4 && conceal == 1);
	assert_int_equal(jb.state, VOX_JB_PAUSED);
	assert_int_equal(put(&jb, 8, 8 * 160, 1, 400), 0);
	assert_int_equal(put(&jb, 2, 2 * 160, 0, 401), VOX_ETOOOLD);
	assert_int_equal(put(&jb, 7, 7 * 160, 0, 402), 0); /* after 4: may move back */
	o = get(&jb, 500);
	assert_int_equal(o.kind, 'F');
	assert_int_equal(o.seq, 7);
}

static void test_jb_conceal(void **st)
{
	(void)st;
	int16_t last[160], out[160];
	for (int i = 0; i < 160; i++)
		last[i] = (int16_t)(i % 2 ? 20000 : -20000);
	/* First lost frame: from full level down to half. */
	vox_jb_conceal(last, 160, 1, out);
	assert_int_equal(out[0], -20000);
	assert_true(out[159] > 10000 && out[159] < 10200);
	/* Second: from half to a quarter, joining the first without a step. */
	int16_t out2[160];
	vox_jb_conceal(last, 160, 2, out2);
	assert_int_equal(out2[0], -10000);
	assert_true(out2[159] > 5000 && out2[159] < 5100);
	/* Fifth and later: silence. */
	vox_jb_conceal(last, 160, 5, out);
	for (int i = 0; i < 160; i++)
		assert_int_equal(out[i], 0);
	/* In place. */
	memcpy(out, last, sizeof out);
	vox_jb_conceal(out, 160, 1, out);
	assert_int_equal(out[0], -20000);
	assert_true(out[100] > -20000 && out[101] < 20000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jb_steady),
	    cmocka_unit_test(test_jb_reorder_dup_loss_late),
	    cmocka_unit_test(test_jb_adapts),
	    cmocka_unit_test(test_jb_shrinks),
	    cmocka_unit_test(test_jb_wrap_overflow_limits),
	    cmocka_unit_test(test_jb_start_reorder),
	    cmocka_unit_test(test_jb_conceal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
