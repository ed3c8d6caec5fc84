/* SPDX-License-Identifier: MIT */
/* media/: the per-call media engine, two of them back to back.
 *
 * Alice (10.0.0.1) and Bob (10.0.0.2) each run a struct vox_media; what one
 * sends, a simulated network carries to the other after a delay the test
 * chooses (with a loss pattern and a jitter pattern that reorders packets).
 * Time is a uint64_t the test advances one millisecond at a time; every
 * 20 ms each side hands the engine a frame of its tone (Alice 1000 Hz, Bob
 * 600 Hz) and plays what its engine gives back, which the Goertzel detector
 * checks. Nothing sleeps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vox/media.h"
#include "vox/srtp.h"
#include "testutil.h"

#if VOX_WITH_SRTP /* every scenario here but a few runs SDES keys */

#define TICK      20  /* ms per frame */
#define NQ        512 /* packets in flight */
#define NEV       512 /* events remembered per side */
#define DTMF_PT   101
#define TONE_A    1000 /* Hz */
#define TONE_B    600
#define TONE_GOOD 0.9f /* share of a frame's energy at the tone */

struct flight {
	uint64_t at;
	struct vox_addr from, to;
	size_t len;
	uint32_t data[VOX_MEDIA_OUT_MAX / 4 + 1];
};

struct side {
	struct vox_media m;
	struct vox_media_config cfg;
	struct vox_addr rtp, rtcp; /* where it sends from and listens */
	uint64_t seed;
	struct vox_rng rng;
	float freq;
	uint32_t phase;
	int talking; /* hands the engine a frame every tick */
	/* the link from this side to the other */
	unsigned loss_every; /* RTP packet i is lost when i % loss_every == loss_every - 1 */
	unsigned base_ms;
	int jitter;
	unsigned n_rtp, n_rtcp, n_lost, n_out;
	/* what it played since measure_from */
	unsigned frames, tone, empty;
	/* events, with the time they were drained */
	struct vox_media_event ev[NEV];
	uint64_t ev_at[NEV];
	unsigned ev_lost[NEV]; /* n_lost when it was drained */
	unsigned nev;
	/* every output must authenticate under this receiver, when set */
	struct vox_srtp_session *verify;
	unsigned verified;
	/* a copy of the last RTP packet it sent */
	uint32_t last_rtp[VOX_MEDIA_OUT_MAX / 4 + 1];
	size_t last_rtp_len;
	int send_rc;     /* what send_pcm said at the last tick */
	uint16_t rx_seq; /* the last RTP sequence number delivered to it */
	int rx_seq_valid;
};

struct world {
	uint64_t now;
	uint64_t measure_from;
	struct side a, b;
	struct flight q[NQ];
	unsigned nq;
	unsigned nowhere;   /* packets to an address nobody has any more */
	unsigned reordered; /* RTP delivered after one sent later */
};

static struct world W;

static const uint8_t jitter_pattern[8] = {0, 30, 10, 45, 5, 20, 40, 15};

static struct vox_addr addr4(uint8_t last, uint16_t port)
{
	struct vox_addr a;
	memset(&a, 0, sizeof a);
	a.family = 4;
	a.ip[0] = 10;
	a.ip[3] = last;
	a.port = port;
	return a;
}

static int addr_eq(const struct vox_addr *x, const struct vox_addr *y)
{
	return x->family == y->family && x->port == y->port && memcmp(x->ip, y->ip, 4) == 0;
}

static struct side *other(struct side *s)
{
	return s == &W.a ? &W.b : &W.a;
}

static void setup_side(struct side *s, uint8_t host, uint16_t port, float freq, uint64_t seed,
                       const struct vox_addr *peer_rtp, const char *cname,
                       enum vox_media_require req)
{
	s->rtp = addr4(host, port);
	s->rtcp = addr4(host, (uint16_t)(port + 1));
	s->seed = seed;
	s->rng.fn = test_rng;
	s->rng.ctx = &s->seed;
	s->freq = freq;
	s->talking = 1;
	s->base_ms = 30;
	vox_media_config_init(&s->cfg, peer_rtp, vox_slice_cstr(cname));
	s->cfg.dtmf_pt = DTMF_PT;
	s->cfg.require = req;
	vox_media_init(&s->m);
}

/* Alice and Bob, configured but not started. */
static void world_init(enum vox_media_require ra, enum vox_media_require rb)
{
	memset(&W, 0, sizeof W);
	W.now = 1000;
	struct vox_addr a_rtp = addr4(1, 4000), b_rtp = addr4(2, 5000);
	setup_side(&W.a, 1, 4000, TONE_A, 11, &b_rtp, "alice@test", ra);
	setup_side(&W.b, 2, 5000, TONE_B, 22, &a_rtp, "bob@test", rb);
}

static void start(struct side *s)
{
	assert_int_equal(vox_media_start(&s->m, &s->cfg, &s->rng, W.now), 0);
}

/* Key sets for both sides: Alice's tx key is Bob's rx key and back. */
static void make_keys(struct vox_media_keys *ka, struct vox_media_keys *kb, uint64_t seed,
                      enum vox_srtp_suite suite)
{
	memset(ka, 0, sizeof *ka);
	ka->source = VOX_MEDIA_PROT_SDES;
	ka->tx.suite = ka->rx.suite = suite;
	test_rng(&seed, ka->tx.key, sizeof ka->tx.key);
	test_rng(&seed, ka->tx.salt, sizeof ka->tx.salt);
	test_rng(&seed, ka->rx.key, sizeof ka->rx.key);
	test_rng(&seed, ka->rx.salt, sizeof ka->rx.salt);
	*kb = *ka;
	kb->tx = ka->rx;
	kb->rx = ka->tx;
}

static void key_both(uint64_t seed)
{
	struct vox_media_keys ka, kb;
	make_keys(&ka, &kb, seed, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(vox_media_set_keys(&W.a.m, &ka, W.now), 0);
	assert_int_equal(vox_media_set_keys(&W.b.m, &kb, W.now), 0);
}

static void drain_events(struct side *s)
{
	struct vox_media_event ev;
	while (vox_media_next_event(&s->m, &ev)) {
		assert_true(s->nev < NEV);
		s->ev[s->nev] = ev;
		s->ev_at[s->nev] = W.now;
		s->ev_lost[s->nev] = s->n_lost;
		s->nev++;
	}
}

/* Events of one type: how many, and the index of the first at or after i. */
static unsigned count_ev(const struct side *s, enum vox_media_ev_type t)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->nev; i++)
		n += s->ev[i].type == t;
	return n;
}

static int find_ev(const struct side *s, enum vox_media_ev_type t, unsigned from)
{
	for (unsigned i = from; i < s->nev; i++)
		if (s->ev[i].type == t)
			return (int)i;
	return -1;
}

static void send_out(struct side *s)
{
	for (;;) {
		struct flight f;
		struct vox_media_dest to;
		int n = vox_media_poll_output(&s->m, (uint8_t *)f.data, sizeof f.data, &to);
		assert_true(n >= 0);
		if (n == 0)
			return;
		s->n_out++;
		f.len = (size_t)n;
		f.to = to.addr;
		f.from = to.rtcp_port ? s->rtcp : s->rtp;
		enum vox_demux_kind k = vox_demux_classify((uint8_t *)f.data, f.len);
		assert_true(k == VOX_DEMUX_RTP || k == VOX_DEMUX_RTCP);
		if (s->verify) {
			uint32_t back[VOX_MEDIA_OUT_MAX / 4 + 1];
			int r =
			    k == VOX_DEMUX_RTP
			        ? vox_srtp_session_unprotect(s->verify, (uint8_t *)f.data, f.len,
			                                     (uint8_t *)back, sizeof back)
			        : vox_srtp_session_unprotect_rtcp(s->verify, (uint8_t *)f.data,
			                                          f.len, (uint8_t *)back,
			                                          sizeof back);
			assert_true(r > 0);
			s->verified++;
		}
		unsigned i;
		if (k == VOX_DEMUX_RTP) {
			memcpy(s->last_rtp, f.data, f.len);
			s->last_rtp_len = f.len;
			i = s->n_rtp++;
			if (s->loss_every && i % s->loss_every == s->loss_every - 1) {
				s->n_lost++;
				continue;
			}
		} else {
			i = s->n_rtcp++;
		}
		f.at = W.now + s->base_ms + (s->jitter ? jitter_pattern[i % 8] : 0);
		assert_true(W.nq < NQ);
		W.q[W.nq++] = f;
	}
}

static struct side *owner(const struct vox_addr *a)
{
	if (addr_eq(a, &W.a.rtp) || addr_eq(a, &W.a.rtcp))
		return &W.a;
	if (addr_eq(a, &W.b.rtp) || addr_eq(a, &W.b.rtcp))
		return &W.b;
	return NULL;
}

static void deliver(void)
{
	for (;;) {
		unsigned best = NQ;
		for (unsigned i = 0; i < W.nq; i++)
			if (W.q[i].at <= W.now && (best == NQ || W.q[i].at < W.q[best].at))
				best = i;
		if (best == NQ)
			return;
		struct flight f = W.q[best];
		memmove(&W.q[best], &W.q[best + 1], (W.nq - best - 1) * sizeof W.q[0]);
		W.nq--;
		struct side *to = owner(&f.to);
		if (!to) {
			W.nowhere++;
			continue;
		}
		const uint8_t *p = (const uint8_t *)f.data;
		if (vox_demux_classify(p, f.len) == VOX_DEMUX_RTP) {
			uint16_t seq = (uint16_t)(p[2] << 8 | p[3]);
			if (to->rx_seq_valid && (int16_t)(seq - to->rx_seq) < 0)
				W.reordered++;
			to->rx_seq = seq;
			to->rx_seq_valid = 1;
		}
		(void)vox_media_recv(&to->m, (uint8_t *)f.data, f.len, &f.from, W.now);
	}
}

static void tick(struct side *s)
{
	if (s->talking) {
		int16_t pcm[160];
		vox_tone_gen(pcm, 160, 8000, s->freq, 0, 8000, &s->phase);
		s->send_rc = vox_media_send_pcm(&s->m, pcm, 160, W.now);
	}
	int16_t out[VOX_JB_MAX_FRAME];
	int n = vox_media_play(&s->m, out, VOX_JB_MAX_FRAME, W.now);
	assert_true(n >= 0);
	if (W.now < W.measure_from)
		return;
	if (n == 0) {
		s->empty++;
		return;
	}
	s->frames++;
	if (vox_tone_power(out, (size_t)n, 8000, other(s)->freq) > TONE_GOOD)
		s->tone++;
}

static void step(void)
{
	W.now++;
	deliver();
	struct side *sides[2] = {&W.a, &W.b};
	for (int i = 0; i < 2; i++) {
		struct side *s = sides[i];
		if (vox_media_next_deadline(&s->m) <= W.now) {
			assert_int_equal(vox_media_on_deadline(&s->m, W.now), 0);
			/* a timer that fired is not due again at once */
			assert_true(vox_media_next_deadline(&s->m) > W.now);
		}
		if (W.now % TICK == 0)
			tick(s);
		send_out(s);
		drain_events(s);
	}
}

static void run(uint64_t ms)
{
	for (uint64_t i = 0; i < ms; i++)
		step();
}

/* From now on, count what is played. */
static void measure(void)
{
	W.measure_from = W.now;
	W.a.frames = W.a.tone = W.a.empty = 0;
	W.b.frames = W.b.tone = W.b.empty = 0;
}

static void free_world(void)
{
	vox_media_free(&W.a.m);
	vox_media_free(&W.b.m);
}

/* ---- tests ------------------------------------------------------------------ */

/* SDES keys, 10 % loss one way and 6 % the other, jitter that reorders:
 * each side hears the other's tone after the jitter buffer. */
static void test_tone_both_ways_srtp(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
	key_both(7);
	start(&W.a);
	start(&W.b);
	W.a.loss_every = 10;
	W.b.loss_every = 17;
	W.a.jitter = W.b.jitter = 1;
	run(1000);
	measure();
	run(8000);
	for (int i = 0; i < 2; i++) {
		struct side *s = i ? &W.b : &W.a;
		/* one frame per tick, tone in (nearly) every one: concealed
		 * frames repeat the last one, so they carry the tone too */
		assert_int_equal(s->frames + s->empty, 8000 / TICK);
		assert_true(s->frames >= 8000 / TICK - 2);
		assert_true(s->tone >= s->frames - 2);
		assert_true(s->m.st.concealed > 0);
		assert_int_equal(s->m.st.srtp_auth, 0);
		assert_int_equal(s->m.st.srtp_replay, 0);
		assert_int_equal(vox_media_prot(&s->m), VOX_MEDIA_PROT_SDES);
		/* one STARTED, with the protection it really has */
		assert_int_equal(count_ev(s, VOX_MEDIA_EV_STARTED), 1);
		int e = find_ev(s, VOX_MEDIA_EV_STARTED, 0);
		assert_int_equal(s->ev[e].prot, VOX_MEDIA_PROT_SDES);
		assert_int_equal(count_ev(s, VOX_MEDIA_EV_FIRST_PACKET), 1);
	}
	/* the network lost and reordered packets both ways */
	assert_true(W.a.n_lost > 0 && W.b.n_lost > 0);
	assert_true(W.reordered > 8000 / TICK / 8);
	free_world();
}

/* RTCP: the reports each side gets about its own stream show the loss,
 * the jitter and the round trip the network really had. */
static void test_rtcp_reports(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	key_both(8);
	start(&W.a);
	start(&W.b);
	W.a.loss_every = 10; /* Alice -> Bob: 10 % */
	W.a.jitter = 1;      /* delays 30..75 ms */
	W.b.base_ms = 50;    /* Bob -> Alice: 50 ms flat, no loss */
	run(30000);
	/* Alice hears about her stream from Bob's RRs (in his SRs). */
	int n = 0;
	for (int i = find_ev(&W.a, VOX_MEDIA_EV_REPORT, 0); i >= 0;
	     i = find_ev(&W.a, VOX_MEDIA_EV_REPORT, (unsigned)i + 1)) {
		const struct vox_media_event *e = &W.a.ev[i];
		assert_int_equal(e->ssrc, W.b.m.rtp.ssrc);
		if (W.a.ev_at[i] < 8000 + 1000)
			continue; /* the first report covers a short stretch */
		n++;
		/* 10 % is 25.6 / 256 */
		assert_in_range(e->report.fraction_lost, 18, 34);
		/* every packet the network lost until shortly before */
		assert_in_range(e->report.cumulative_lost, W.a.ev_lost[i] - 1, W.a.ev_lost[i]);
		/* delays 30..75 ms in steps: |D| averages about 20 ms */
		assert_in_range(e->report.jitter_ms, 8, 40);
		/* SR out at 30..75 ms, RR back at 50 ms */
		assert_in_range(e->report.rtt_ms, 78, 127);
	}
	assert_true(n >= 3);
	/* And Bob's view of his own stream: no loss, no jitter, same RTT. */
	int last = -1;
	for (int i = find_ev(&W.b, VOX_MEDIA_EV_REPORT, 0); i >= 0;
	     i = find_ev(&W.b, VOX_MEDIA_EV_REPORT, (unsigned)i + 1))
		last = i;
	assert_true(last >= 0);
	assert_int_equal(W.b.ev[last].report.fraction_lost, 0);
	assert_int_equal(W.b.ev[last].report.cumulative_lost, 0);
	assert_true(W.b.ev[last].report.jitter_ms <= 1);
	assert_in_range(W.b.ev[last].report.rtt_ms, 78, 127);
	free_world();
}

/* One SRTP packet delivered twice, and one with a bit flipped: both are
 * counted as SRTP failures and neither reaches the jitter buffer. */
static void test_tamper_and_replay(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
	key_both(9);
	start(&W.a);
	start(&W.b);
	run(1000);
	uint32_t pkt[VOX_MEDIA_OUT_MAX / 4 + 1], bad[VOX_MEDIA_OUT_MAX / 4 + 1];
	size_t len = W.a.last_rtp_len;
	memcpy(pkt, W.a.last_rtp, len); /* delivered 30 ms from now */
	run(100);
	uint64_t put = W.b.m.jb.st.received, acc = W.b.m.st.rtp_accepted;
	/* replayed */
	assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)pkt, len, &W.a.rtp, W.now), VOX_EREPLAY);
	/* tampered: the next packet Alice sends, one payload bit flipped */
	W.a.talking = 0;
	int16_t pcm[160];
	memset(pcm, 0, sizeof pcm);
	assert_int_equal(vox_media_send_pcm(&W.a.m, pcm, 160, W.now), 1);
	struct vox_media_dest to;
	int n = vox_media_poll_output(&W.a.m, (uint8_t *)pkt, sizeof pkt, &to);
	assert_true(n > 12);
	memcpy(bad, pkt, (size_t)n);
	((uint8_t *)bad)[40] ^= 0x10;
	assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)bad, (size_t)n, &W.a.rtp, W.now),
	                 VOX_EAUTH);
	/* neither went anywhere */
	assert_int_equal(W.b.m.jb.st.received, put);
	assert_int_equal(W.b.m.st.rtp_accepted, acc);
	assert_int_equal(W.b.m.st.srtp_auth, 1);
	assert_int_equal(W.b.m.st.srtp_replay, 1);
	drain_events(&W.b);
	int e = find_ev(&W.b, VOX_MEDIA_EV_SRTP_FAILURE, 0);
	assert_true(e >= 0);
	assert_int_equal(W.b.ev[e].err, VOX_EREPLAY);
	assert_int_equal(W.b.ev[e].count, 1);
	e = find_ev(&W.b, VOX_MEDIA_EV_SRTP_FAILURE, (unsigned)e + 1);
	assert_true(e >= 0);
	assert_int_equal(W.b.ev[e].err, VOX_EAUTH);
	/* the genuine packet still gets in: the forgery used up nothing */
	assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)pkt, (size_t)n, &W.a.rtp, W.now), 0);
	assert_int_equal(W.b.m.jb.st.received, put + 1);
	/* a burst of forgeries (new sequence numbers, or they would be
	 * replays) is one event with a count */
	for (int i = 0; i < 20; i++) {
		((uint8_t *)bad)[3]++;
		assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)bad, (size_t)n, &W.a.rtp, W.now),
		                 VOX_EAUTH);
	}
	drain_events(&W.b);
	assert_int_equal(count_ev(&W.b, VOX_MEDIA_EV_SRTP_FAILURE), 3);
	assert_int_equal(W.b.ev[W.b.nev - 1].count, 20);
	assert_int_equal(W.b.m.st.srtp_auth, 21);
	free_world();
}

/* Under MANDATORY, before keys: not one packet leaves, whatever the
 * application does and however long it waits; clear media from the peer is
 * dropped. With keys, everything that leaves authenticates. */
static void test_mandatory_nothing_before_keys(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_OPTIONAL);
	start(&W.a);
	start(&W.b); /* Bob sends clear RTP */
	assert_int_equal(W.a.m.state, VOX_MEDIA_WAITING);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, '1', 100, W.now), VOX_EPOLICY);
	run(30000); /* several RTCP intervals */
	assert_int_equal(W.a.n_out, 0);
	assert_int_equal(W.a.send_rc, VOX_EPOLICY);
	assert_true(W.a.m.st.tx_policy >= 30000 / TICK - 1);
	assert_int_equal(W.a.frames, 0); /* nothing played */
	assert_int_equal(W.a.m.jb.st.received, 0);
	assert_true(W.a.m.st.no_keys > 30000 / TICK - 10);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_STARTED), 0);
	assert_true(W.b.n_out > 0);
	/* a STOP does not leak a BYE either */
	struct vox_media spare;
	vox_media_init(&spare);
	assert_int_equal(vox_media_start(&spare, &W.a.cfg, &W.a.rng, W.now), 0);
	assert_int_equal(vox_media_stop(&spare, W.now), 0);
	uint32_t buf[VOX_MEDIA_OUT_MAX / 4 + 1];
	struct vox_media_dest to;
	assert_int_equal(vox_media_poll_output(&spare, (uint8_t *)buf, sizeof buf, &to), 0);
	vox_media_free(&spare);

	/* keys: media starts, every packet Alice sends is SRTP under her key */
	struct vox_media_keys ka, kb;
	make_keys(&ka, &kb, 3, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	struct vox_srtp_session check;
	vox_srtp_session_init(&check);
	assert_int_equal(
	    vox_srtp_session_start(&check, VOX_SRTP_RECV, &ka.tx, 0, VOX_SRTP_ANY_SSRC), 0);
	W.a.verify = &check;
	assert_int_equal(vox_media_set_keys(&W.a.m, &ka, W.now), 0);
	assert_int_equal(vox_media_set_keys(&W.b.m, &kb, W.now), 0);
	measure();
	run(12000);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_STARTED), 1);
	assert_int_equal(W.a.ev[find_ev(&W.a, VOX_MEDIA_EV_STARTED, 0)].prot, VOX_MEDIA_PROT_SDES);
	assert_true(W.a.verified > 12000 / TICK);
	assert_true(W.a.m.st.rtcp_sent > 0);
	assert_true(W.a.tone > 12000 / TICK - 20);
	vox_srtp_session_free(&check);
	free_world();
}

/* Requirement OFF: clear RTP, reported as such; keys are refused. */
static void test_clear_off(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OFF, VOX_MEDIA_REQUIRE_OFF);
	start(&W.a);
	start(&W.b);
	drain_events(&W.a);
	assert_int_equal(W.a.ev[0].type, VOX_MEDIA_EV_STARTED);
	assert_int_equal(W.a.ev[0].prot, VOX_MEDIA_PROT_NONE);
	struct vox_media_keys ka, kb;
	make_keys(&ka, &kb, 3, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	assert_int_equal(vox_media_set_keys(&W.a.m, &ka, W.now), VOX_EPOLICY);
	assert_int_equal(vox_media_prot(&W.a.m), VOX_MEDIA_PROT_NONE);
	run(1000);
	measure();
	run(3000);
	assert_true(W.b.tone >= 3000 / TICK - 1);
	assert_true(W.a.tone >= 3000 / TICK - 1);
	/* the packet is the plain G.711 of the frame Alice handed over */
	W.a.talking = 0;
	int16_t pcm[160];
	uint32_t phase = 0;
	vox_tone_gen(pcm, 160, 8000, 1000, 0, 8000, &phase);
	assert_int_equal(vox_media_send_pcm(&W.a.m, pcm, 160, W.now), 1);
	uint32_t buf[VOX_MEDIA_OUT_MAX / 4 + 1];
	struct vox_media_dest to;
	assert_int_equal(vox_media_poll_output(&W.a.m, (uint8_t *)buf, sizeof buf, &to), 12 + 160);
	uint8_t enc[160];
	vox_g711_encode(VOX_G711_ULAW, pcm, 160, enc);
	assert_memory_equal((uint8_t *)buf + 12, enc, 160);
	assert_true(addr_eq(&to.addr, &W.b.rtp));
	free_world();
}

/* New keys both ways while packets under the old ones are in flight both
 * ways: nothing is lost, and the old key goes after its grace. */
static void test_rekey(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
	key_both(1);
	start(&W.a);
	start(&W.b);
	run(2000);
	uint32_t old_pkt[VOX_MEDIA_OUT_MAX / 4 + 1];
	size_t old_len = W.a.last_rtp_len;
	memcpy(old_pkt, W.a.last_rtp, old_len);
	measure();
	uint64_t conc_a = W.a.m.st.concealed, conc_b = W.b.m.st.concealed;
	assert_true(W.nq > 0); /* packets under the old keys are on their way */
	key_both(2);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_PROTECTION), 0);
	drain_events(&W.a);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_PROTECTION), 1);
	run(3000);
	for (int i = 0; i < 2; i++) {
		struct side *s = i ? &W.b : &W.a;
		assert_int_equal(s->m.st.srtp_auth, 0);
		assert_true(s->m.st.old_key > 0); /* the grace carried them */
		assert_true(s->tone >= 3000 / TICK - 1);
	}
	assert_int_equal(W.a.m.st.concealed, conc_a);
	assert_int_equal(W.b.m.st.concealed, conc_b);
	/* the grace is over: the old key is gone */
	assert_null(W.b.m.rx_old.ctx);
	assert_null(W.a.m.rx_old.ctx);
	uint64_t acc = W.b.m.st.rtp_accepted;
	assert_true(vox_media_recv(&W.b.m, (uint8_t *)old_pkt, old_len, &W.a.rtp, W.now) < 0);
	assert_int_equal(W.b.m.st.rtp_accepted, acc);
	free_world();
}

/* A refresh re-INVITE hands over the same keys: the contexts go on, so a
 * packet seen before is still a replay. */
static void test_same_keys_keep_context(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
	key_both(4);
	start(&W.a);
	start(&W.b);
	run(1000);
	uint32_t pkt[VOX_MEDIA_OUT_MAX / 4 + 1];
	size_t len = W.a.last_rtp_len;
	memcpy(pkt, W.a.last_rtp, len);
	uint32_t roc_seq = W.a.m.tx.used_rtp;
	run(200);
	key_both(4);
	assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)pkt, len, &W.a.rtp, W.now), VOX_EREPLAY);
	assert_null(W.b.m.rx_old.ctx);
	assert_true(W.a.m.tx.used_rtp > roc_seq); /* the same sender context */
	/* Clear for a while (a re-INVITE under OPTIONAL), then the same keys
	 * again: still the same contexts. A fresh one would restart the SRTCP
	 * index at 0 under the same key and SSRC (RFC 3711 9.1: the same
	 * keystream twice) and take old packets for new. */
	struct vox_media_keys none, ka0, kb0;
	memset(&none, 0, sizeof none);
	make_keys(&ka0, &kb0, 4, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	struct vox_srtp_session check;
	vox_srtp_session_init(&check);
	assert_int_equal(
	    vox_srtp_session_start(&check, VOX_SRTP_RECV, &ka0.tx, 0, VOX_SRTP_ANY_SSRC), 0);
	W.a.verify = &check; /* refuses an SRTCP index it saw before */
	run(12000);
	assert_true(W.a.m.st.rtcp_sent > 0);
	W.a.verify = NULL;
	assert_int_equal(vox_media_set_keys(&W.a.m, &none, W.now), 0);
	assert_int_equal(vox_media_set_keys(&W.b.m, &none, W.now), 0);
	assert_int_equal(vox_media_prot(&W.a.m), VOX_MEDIA_PROT_NONE);
	run(1000);
	while (W.nq)
		step(); /* the clear packets land */
	assert_int_equal(vox_media_set_keys(&W.a.m, &ka0, W.now), 0);
	assert_int_equal(vox_media_set_keys(&W.b.m, &kb0, W.now), 0);
	assert_int_equal(vox_media_prot(&W.a.m), VOX_MEDIA_PROT_SDES);
	W.a.verify = &check;
	uint64_t rtcp = W.a.m.st.rtcp_sent;
	run(12000);
	assert_true(W.a.m.st.rtcp_sent > rtcp);
	assert_int_equal(vox_media_recv(&W.b.m, (uint8_t *)pkt, len, &W.a.rtp, W.now), VOX_ETOOOLD);
	assert_int_equal(W.b.m.st.srtp_auth, 0);
	vox_srtp_session_free(&check);
	W.a.verify = NULL;
	/* the same key with another MKI is refused: keystream would repeat */
	struct vox_media_keys ka, kb;
	make_keys(&ka, &kb, 4, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	ka.tx.mki_len = 1;
	ka.tx.mki[0] = 7;
	assert_int_equal(vox_media_set_keys(&W.a.m, &ka, W.now), VOX_EINVAL);
	free_world();
}

/* Hold: Alice sendonly (Bob recvonly) stops Bob's audio, not hers; then
 * inactive stops both; RTCP goes on throughout (RFC 3264 5.1). */
static void test_hold(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	key_both(5);
	start(&W.a);
	start(&W.b);
	run(1000);
	W.a.cfg.dir = VOX_MEDIA_SENDONLY;
	W.b.cfg.dir = VOX_MEDIA_RECVONLY;
	assert_int_equal(vox_media_update(&W.a.m, &W.a.cfg, W.now), 0);
	assert_int_equal(vox_media_update(&W.b.m, &W.b.cfg, W.now), 0);
	run(500);
	measure();
	unsigned b_rtp = W.b.n_rtp, a_rtp = W.a.n_rtp;
	uint64_t b_rtcp = W.b.m.st.rtcp_sent;
	run(12000);
	assert_int_equal(W.b.n_rtp, b_rtp); /* Bob sends no RTP ... */
	assert_int_equal(W.b.send_rc, 0);
	assert_true(W.b.m.st.rtcp_sent > b_rtcp); /* ... but RTCP */
	assert_true(W.a.n_rtp >= a_rtp + 12000 / TICK);
	assert_true(W.b.tone >= 12000 / TICK - 1); /* Bob hears Alice */
	assert_int_equal(W.a.frames, 0);           /* Alice hears nothing */

	W.a.cfg.dir = W.b.cfg.dir = VOX_MEDIA_INACTIVE;
	assert_int_equal(vox_media_update(&W.a.m, &W.a.cfg, W.now), 0);
	assert_int_equal(vox_media_update(&W.b.m, &W.b.cfg, W.now), 0);
	run(500);
	measure();
	a_rtp = W.a.n_rtp;
	uint64_t a_rtcp = W.a.m.st.rtcp_sent;
	run(12000);
	assert_int_equal(W.a.n_rtp, a_rtp);
	assert_int_equal(W.a.frames + W.b.frames, 0);
	assert_true(W.a.m.st.rtcp_sent > a_rtcp);

	/* resume: the first packet marks a new talkspurt */
	W.a.cfg.dir = W.b.cfg.dir = VOX_MEDIA_SENDRECV;
	assert_int_equal(vox_media_update(&W.a.m, &W.a.cfg, W.now), 0);
	assert_int_equal(vox_media_update(&W.b.m, &W.b.cfg, W.now), 0);
	b_rtp = W.b.n_rtp;
	while (W.b.n_rtp == b_rtp)
		step();
	assert_int_equal(((uint8_t *)W.b.last_rtp)[1] & 0x80, 0x80);
	run(1000);
	measure();
	run(2000);
	assert_true(W.a.tone >= 2000 / TICK - 1 && W.b.tone >= 2000 / TICK - 1);
	free_world();
}

/* Re-targeting: Bob moves to another address; Alice follows, and what
 * still arrives from the old address is dropped. */
static void test_retarget(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	start(&W.a);
	start(&W.b);
	run(1000);
	struct vox_addr old_rtp = W.b.rtp;
	W.b.rtp = addr4(3, 6000);
	W.b.rtcp = addr4(3, 6001);
	W.a.cfg.remote_rtp = W.b.rtp;
	assert_int_equal(vox_media_update(&W.a.m, &W.a.cfg, W.now), 0);
	run(200);
	assert_true(W.a.m.st.bad_source > 0); /* in flight from the old address */
	unsigned lost = W.nowhere;            /* ... and to it, sent before the update */
	measure();
	run(3000);
	assert_true(W.a.tone >= 3000 / TICK - 1);
	assert_true(W.b.tone >= 3000 / TICK - 1);
	assert_int_equal(W.nowhere, lost); /* nothing more goes to the old address */
	uint8_t rtp[12] = {0x80, 0, 0, 1, 0, 0, 0, 1, 1, 2, 3, 4};
	uint64_t bad = W.a.m.st.bad_source;
	assert_int_equal(vox_media_recv(&W.a.m, rtp, sizeof rtp, &old_rtp, W.now), VOX_ENOTFOUND);
	assert_int_equal(W.a.m.st.bad_source, bad + 1);
	free_world();
}

/* DTMF both ways; the audio goes on meanwhile, and the telephone-event
 * packets' sequence numbers are not taken for lost audio. */
static void test_dtmf_both_ways(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
	key_both(6);
	start(&W.a);
	start(&W.b);
	W.a.jitter = 1;
	run(1000);
	uint64_t conc = W.b.m.st.concealed;
	measure();
	assert_int_equal(vox_media_send_dtmf(&W.a.m, '5', 100, W.now), 0);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, '#', 200, W.now), 0);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, 'a', 60, W.now), 0);
	assert_int_equal(vox_media_send_dtmf(&W.b.m, '9', 120, W.now), 0);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, 'x', 100, W.now), VOX_EINVAL);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, '1', 10, W.now), VOX_EINVAL);
	run(2000);
	const char want_b[] = "5#A";
	unsigned k = 0;
	for (unsigned i = 0; i < W.b.nev; i++) {
		const struct vox_media_event *e = &W.b.ev[i];
		if (e->type != VOX_MEDIA_EV_DTMF)
			continue;
		assert_true(k < 6);
		assert_int_equal(e->dtmf.digit, want_b[k / 2]);
		assert_int_equal(e->dtmf.end, k % 2);
		if (e->dtmf.end) {
			static const uint32_t ms[3] = {100, 200, 60};
			assert_in_range(e->dtmf.duration_ms, ms[k / 2], ms[k / 2] + 20);
		}
		k++;
	}
	assert_int_equal(k, 6);
	int e = find_ev(&W.a, VOX_MEDIA_EV_DTMF, 0);
	assert_true(e >= 0);
	assert_int_equal(W.a.ev[e].dtmf.digit, '9');
	e = find_ev(&W.a, VOX_MEDIA_EV_DTMF, (unsigned)e + 1);
	assert_true(e >= 0);
	assert_int_equal(W.a.ev[e].dtmf.end, 1);
	assert_in_range(W.a.ev[e].dtmf.duration_ms, 120, 140);
	assert_true(W.a.m.st.dtmf_sent >= 3 * 3 + 10);
	/* the audio played on, without a concealed frame */
	assert_int_equal(W.b.m.st.concealed, conc);
	assert_true(W.b.tone >= 2000 / TICK - 1);
	/* no telephone-event negotiated: no digits */
	W.a.cfg.dtmf_pt = 0;
	assert_int_equal(vox_media_update(&W.a.m, &W.a.cfg, W.now), 0);
	assert_int_equal(vox_media_send_dtmf(&W.a.m, '1', 100, W.now), VOX_EUNSUPPORTED);
	free_world();
}

/* No RTP for silence_ms: one event, at that time; RTP again: another. */
static void test_remote_silence(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	W.a.cfg.silence_ms = 3000;
	start(&W.a);
	start(&W.b);
	run(2000);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_REMOTE_SILENCE), 0);
	W.b.talking = 0;
	uint64_t stopped = W.now;
	run(10000);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_REMOTE_SILENCE), 1);
	int e = find_ev(&W.a, VOX_MEDIA_EV_REMOTE_SILENCE, 0);
	/* the last packet arrived 30 ms after Bob's last frame went out */
	assert_in_range(W.a.ev_at[e], stopped + 3000, stopped + 3030);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_REMOTE_ACTIVE), 0);
	W.b.talking = 1;
	run(500);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_REMOTE_ACTIVE), 1);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_REMOTE_SILENCE), 1);
	/* Bob never watched: no silence event there */
	assert_int_equal(count_ev(&W.b, VOX_MEDIA_EV_REMOTE_SILENCE), 0);
	free_world();
}

/* rtcp-mux on: RTCP on the RTP ports. Off: to the RTP port + 1, or to the
 * a=rtcp port, from our RTCP port, and only accepted from the peer's. */
static void test_rtcp_mux(void **st)
{
	(void)st;
	for (int mode = 0; mode < 3; mode++) {
		world_init(VOX_MEDIA_REQUIRE_MANDATORY, VOX_MEDIA_REQUIRE_MANDATORY);
		if (mode > 0) {
			W.a.cfg.rtcp_mux = W.b.cfg.rtcp_mux = 0;
		}
		if (mode == 2) {
			/* a=rtcp:7777 from Bob (RFC 3605) */
			W.b.rtcp = addr4(2, 7777);
			W.a.cfg.remote_rtcp = W.b.rtcp;
		}
		key_both(10);
		start(&W.a);
		start(&W.b);
		assert_true(addr_eq(&W.a.m.rtcp_addr, mode ? &W.b.rtcp : &W.b.rtp));
		run(20000);
		for (int i = 0; i < 2; i++) {
			struct side *s = i ? &W.b : &W.a;
			assert_true(s->m.st.rtcp_accepted >= 2);
			assert_true(count_ev(s, VOX_MEDIA_EV_REPORT) >= 2);
			assert_int_equal(s->m.st.bad_source, 0);
		}
		assert_int_equal(W.nowhere, 0);
		/* RTCP from the wrong port is dropped */
		uint32_t rr[2] = {0, 0};
		uint8_t *p = (uint8_t *)rr;
		p[0] = 0x80;
		p[1] = 201;
		p[3] = 1;
		uint32_t ssrc = W.b.m.rtp.ssrc;
		p[4] = (uint8_t)(ssrc >> 24);
		p[5] = (uint8_t)(ssrc >> 16);
		p[6] = (uint8_t)(ssrc >> 8);
		p[7] = (uint8_t)ssrc;
		const struct vox_addr *wrong = mode ? &W.b.rtp : &W.b.rtcp;
		assert_int_equal(vox_media_recv(&W.a.m, p, 8, wrong, W.now), VOX_ENOTFOUND);
		free_world();
	}
}

/* Keys set before start: one STARTED, already protected. */
static void test_keys_before_start(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	key_both(12);
	start(&W.a);
	start(&W.b);
	run(1000);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_STARTED), 1);
	assert_int_equal(count_ev(&W.a, VOX_MEDIA_EV_PROTECTION), 0);
	assert_int_equal(W.a.ev[0].prot, VOX_MEDIA_PROT_SDES);
	assert_true(W.b.m.st.rtp_accepted > 0);
	/* removing the keys under OPTIONAL is reported, and media goes clear */
	struct vox_media_keys none;
	memset(&none, 0, sizeof none);
	assert_int_equal(vox_media_set_keys(&W.a.m, &none, W.now), 0);
	assert_int_equal(vox_media_set_keys(&W.b.m, &none, W.now), 0);
	drain_events(&W.a);
	int e = find_ev(&W.a, VOX_MEDIA_EV_PROTECTION, 0);
	assert_true(e >= 0);
	assert_int_equal(W.a.ev[e].prot, VOX_MEDIA_PROT_NONE);
	assert_int_equal(vox_media_prot(&W.a.m), VOX_MEDIA_PROT_NONE);
	measure();
	run(2000);
	assert_true(W.a.tone >= 2000 / TICK - 5);
	free_world();
}

/* Other protocols on the port, bad input and bad calls. */
static void test_api_and_demux(void **st)
{
	(void)st;
	world_init(VOX_MEDIA_REQUIRE_OPTIONAL, VOX_MEDIA_REQUIRE_OPTIONAL);
	struct vox_media *m = &W.a.m;
	uint32_t buf[VOX_MEDIA_OUT_MAX / 4 + 1];
	struct vox_media_dest to;
	int16_t pcm[VOX_JB_MAX_FRAME];
	memset(pcm, 0, sizeof pcm);
	/* not started */
	assert_int_equal(vox_media_recv(m, (uint8_t *)buf, 12, &W.b.rtp, W.now), VOX_ESTATE);
	assert_int_equal(vox_media_send_pcm(m, pcm, 160, W.now), VOX_ESTATE);
	assert_int_equal(vox_media_play(m, pcm, VOX_JB_MAX_FRAME, W.now), VOX_ESTATE);
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf, sizeof buf, &to), 0);
	assert_int_equal(vox_media_next_deadline(m), UINT64_MAX);
	assert_int_equal(vox_media_update(m, &W.a.cfg, W.now), VOX_ESTATE);
	assert_int_equal(vox_media_stop(m, W.now), VOX_ESTATE);
	/* bad configurations */
	struct vox_media_config c = W.a.cfg;
	c.clock_rate = 16000;
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.pt = 72; /* RFC 5761 4: reads as RTCP */
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.pt = 8;
	c.dtmf_pt = 8; /* the audio's own type */
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.ptime_ms = 60; /* 480 bytes: more than a jitter-buffer frame holds */
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.remote_rtp.family = 0;
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.jb_min_ms = 300;
	c.jb_max_ms = 100;
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	c = W.a.cfg;
	c.cname.len = 0;
	assert_int_equal(vox_media_start(m, &c, &W.a.rng, W.now), VOX_EINVAL);
	assert_int_equal(vox_media_start(m, &W.a.cfg, NULL, W.now), VOX_EINVAL);
	assert_int_equal(m->state, VOX_MEDIA_IDLE);
	start(&W.a);
	assert_int_equal(vox_media_start(m, &W.a.cfg, &W.a.rng, W.now), VOX_ESTATE);
	/* RFC 7983: STUN and ZRTP are handed back, unknown bytes dropped */
	uint8_t stun[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42};
	uint8_t zrtp[12] = {0x10, 0x00, 0x00, 0x01, 'Z', 'R', 'T', 'P'};
	uint8_t junk[16] = {0xff};
	assert_int_equal(vox_media_recv(m, stun, sizeof stun, &W.b.rtp, W.now), VOX_DEMUX_STUN);
	assert_int_equal(vox_media_recv(m, zrtp, sizeof zrtp, &W.b.rtp, W.now), VOX_DEMUX_ZRTP);
	assert_int_equal(vox_media_recv(m, junk, sizeof junk, &W.b.rtp, W.now), VOX_EMALFORMED);
	assert_int_equal(m->st.by_kind[VOX_DEMUX_STUN], 1);
	assert_int_equal(m->st.by_kind[VOX_DEMUX_ZRTP], 1);
	assert_int_equal(m->st.malformed, 1);
	/* RTP of a payload type not negotiated; too long; not receiving */
	uint8_t rtp[VOX_MEDIA_MAX_PACKET + 1];
	memset(rtp, 0, sizeof rtp);
	rtp[0] = 0x80;
	rtp[1] = 9;
	assert_int_equal(vox_media_recv(m, rtp, 172, &W.b.rtp, W.now), VOX_EUNSUPPORTED);
	assert_int_equal(m->st.bad_pt, 1);
	rtp[1] = 0;
	assert_int_equal(vox_media_recv(m, rtp, sizeof rtp, &W.b.rtp, W.now), VOX_ETOOLONG);
	/* a telephone-event payload is 4n bytes (RFC 4733 2.3): refused before
	 * the RTP session counts it */
	rtp[1] = DTMF_PT;
	assert_int_equal(vox_media_recv(m, rtp, 12 + 3, &W.b.rtp, W.now), VOX_EMALFORMED);
	assert_int_equal(m->st.rtp_accepted, 0);
	assert_int_equal(m->st.malformed, 2);
	assert_int_equal(vox_media_recv(m, rtp, 12 + 4, &W.b.rtp, W.now), 0);
	assert_int_equal(m->st.rtp_accepted, 1);
	/* send_pcm: one frame exactly; then one at a time */
	assert_int_equal(vox_media_send_pcm(m, pcm, 80, W.now), VOX_EINVAL);
	assert_int_equal(vox_media_send_pcm(m, pcm, 160, W.now), 1);
	assert_int_equal(vox_media_send_pcm(m, pcm, 160, W.now), VOX_EPOOL);
	assert_int_equal(m->st.tx_overrun, 1);
	/* poll_output: room and alignment first, nothing consumed */
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf, VOX_MEDIA_OUT_MAX - 1, &to),
	                 VOX_ENOSPC);
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf + 1, VOX_MEDIA_OUT_MAX, &to),
	                 VOX_EINVAL);
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf, sizeof buf, &to), 12 + 160);
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf, sizeof buf, &to), 0);
	assert_int_equal(vox_media_play(m, pcm, 100, W.now), VOX_ENOSPC);
	/* update: lowering the requirement is not the engine's to do */
	c = W.a.cfg;
	c.require = VOX_MEDIA_REQUIRE_OFF;
	assert_int_equal(vox_media_update(m, &c, W.now), VOX_EPOLICY);
	c.require = VOX_MEDIA_REQUIRE_MANDATORY; /* raising it without keys stops media */
	assert_int_equal(vox_media_update(m, &c, W.now), 0);
	assert_int_equal(m->state, VOX_MEDIA_WAITING);
	assert_int_equal(vox_media_send_pcm(m, pcm, 160, W.now), VOX_EPOLICY);
	/* keys: bad source, suite */
	struct vox_media_keys k, kb;
	make_keys(&k, &kb, 1, VOX_SRTP_AES_CM_128_HMAC_SHA1_80);
	k.source = (enum vox_media_prot)9;
	assert_int_equal(vox_media_set_keys(m, &k, W.now), VOX_EINVAL);
	k.source = VOX_MEDIA_PROT_ZRTP;
	k.rx.suite = VOX_SRTP_NONE;
	assert_int_equal(vox_media_set_keys(m, &k, W.now), VOX_EINVAL);
	assert_int_equal(vox_media_set_keys(m, NULL, W.now), VOX_EINVAL);
	k.rx.suite = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	assert_int_equal(vox_media_set_keys(m, &k, W.now), 0);
	assert_int_equal(vox_media_prot(m), VOX_MEDIA_PROT_ZRTP);
	assert_int_equal(m->state, VOX_MEDIA_FLOWING);
	/* stop: a BYE, then nothing */
	assert_int_equal(vox_media_stop(m, W.now), 0);
	assert_int_equal(vox_media_stop(m, W.now), VOX_ESTATE);
	assert_int_equal(vox_media_send_pcm(m, pcm, 160, W.now), VOX_ESTATE);
	int n = vox_media_poll_output(m, (uint8_t *)buf, sizeof buf, &to);
	assert_true(n > 0);
	assert_int_equal(vox_demux_classify((uint8_t *)buf, (size_t)n), VOX_DEMUX_RTCP);
	assert_int_equal(vox_media_poll_output(m, (uint8_t *)buf, sizeof buf, &to), 0);
	assert_int_equal(vox_media_set_keys(m, &k, W.now), VOX_ESTATE);
	/* names */
	assert_string_equal(vox_media_prot_name(VOX_MEDIA_PROT_SDES), "srtp-sdes");
	assert_string_equal(vox_media_prot_name((enum vox_media_prot)7), "unknown");
	assert_string_equal(vox_media_ev_name(VOX_MEDIA_EV_REMOTE_SILENCE), "remote-silence");
	assert_string_equal(vox_media_ev_name((enum vox_media_ev_type)0), "unknown");
	/* free: twice, and NULL */
	vox_media_free(m);
	vox_media_free(m);
	vox_media_free(NULL);
	free_world();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tone_both_ways_srtp),
	    cmocka_unit_test(test_rtcp_reports),
	    cmocka_unit_test(test_tamper_and_replay),
	    cmocka_unit_test(test_mandatory_nothing_before_keys),
	    cmocka_unit_test(test_clear_off),
	    cmocka_unit_test(test_rekey),
	    cmocka_unit_test(test_same_keys_keep_context),
	    cmocka_unit_test(test_hold),
	    cmocka_unit_test(test_retarget),
	    cmocka_unit_test(test_dtmf_both_ways),
	    cmocka_unit_test(test_remote_silence),
	    cmocka_unit_test(test_rtcp_mux),
	    cmocka_unit_test(test_keys_before_start),
	    cmocka_unit_test(test_api_and_demux),
	};
	return cmocka_run_group_tests(tests, srtp_group_setup, srtp_group_teardown);
}

#else /* VOX_WITH_SRTP */

static void test_compiled_out(void **st)
{
	(void)st;
	skip_unless(0, "the media scenarios need SRTP, compiled out (VOX_WITH_SRTP = 0)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_compiled_out)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* VOX_WITH_SRTP */
