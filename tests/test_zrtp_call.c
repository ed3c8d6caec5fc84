/* SPDX-License-Identifier: MIT */
/*
 * ZRTP carrying calls (issue 12), in the simulated network: two UAs whose
 * media engines agree their SRTP keys with ZRTP on the RTP port, read the
 * same SAS, and carry each other's tone in SRTP; under policy mandatory
 * not one clear media packet leaves, and a call whose ZRTP never
 * completes ends saying why. The retained-secret cache, a man in the
 * middle, and a re-INVITE that tries to drop to clear media. Mirrors the
 * SDES call of tests/test_sim.c (test_secure_call).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"
#include "testutil.h"

#if VOX_MEDIA_ZRTP

static struct sim sim;
static struct vox_ua alice, bob;
/* each side's retained secrets, kept across calls as an application
 * keeps its cache file */
static struct vox_zrtp_cache cache_a, cache_b;

/* alice and bob talk over ZRTP alone (SDES refused) under pol; alice at
 * 1000 Hz, bob at 600 Hz, each listening for the other. */
static void two_zrtp_talkers(uint64_t seed, enum vox_sdp_policy pol)
{
	struct vox_ua_config ca, cb;
	vox_ua_free(&alice);
	vox_ua_free(&bob);
	sim_init(&sim, seed);
	sim.trace = getenv("SIM_TRACE") ? (int)strtol(getenv("SIM_TRACE"), NULL, 10) : 0;
	sim_ua_config(&ca, "sip:alice@10.0.0.1");
	sim_ua_config(&cb, "sip:bob@10.0.0.2");
	ca.policy = cb.policy = pol;
	ca.key_methods = cb.key_methods = VOX_SDP_KEY_ZRTP;
	ca.n_suites = cb.n_suites = 0;
	memcpy(ca.zrtp_zid, "alice-zid-01", VOX_ZRTP_ZID_LEN);
	memcpy(cb.zrtp_zid, "bob-zid-0001", VOX_ZRTP_ZID_LEN);
	ca.zrtp_store = vox_zrtp_cache_store(&cache_a);
	cb.zrtp_store = vox_zrtp_cache_store(&cache_b);
	assert_int_equal(sim_add_ua(&sim, &alice, &ca), 0);
	assert_int_equal(sim_add_ua(&sim, &bob, &cb), 1);
	sim.node[0].tone_hz = sim.node[1].hear_hz = 1000;
	sim.node[1].tone_hz = sim.node[0].hear_hz = 600;
}

/* alice calls bob, bob rings and answers at once. */
static vox_ua_handle talk(void)
{
	vox_ua_handle c;
	assert_int_equal(sim_call(&sim, 0, "sip:bob@10.0.0.2:5060", 0, &c), 0);
	assert_true(sim_run_to_event(&sim, 1, "INCOMING", sim.now + 60000));
	vox_ua_handle in = sim_last_call(&sim, 1);
	assert_int_equal(vox_ua_ring(&bob, in, sim.now), 0);
	assert_int_equal(sim_answer(&sim, 1, in), 0);
	assert_true(sim_run_to_event(&sim, 1, "ANSWERED", sim.now + 60000));
	return c;
}

/* The newest event of a type node n logged at index >= from, or NULL. */
static const struct vox_ua_event *event(size_t n, enum vox_ua_ev_type t, size_t from)
{
	for (size_t i = sim.node[n].nlog; i-- > from;)
		if (sim.node[n].last[i].type == t)
			return &sim.node[n].last[i];
	return NULL;
}

static unsigned count(size_t n, enum vox_ua_ev_type t, size_t from)
{
	unsigned k = 0;
	for (size_t i = from; i < sim.node[n].nlog; i++)
		k += sim.node[n].last[i].type == t;
	return k;
}

static const char *events(size_t n)
{
	static char out[4096];
	size_t k = 0;
	out[0] = 0;
	for (size_t i = 0; i < sim.node[n].nlog && k < sizeof out - 64; i++)
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? ", " : "",
		                      sim.node[n].log[i]);
	return out;
}

/* What one node heard over a stretch of the call. */
struct stretch {
	unsigned frames, tone;
};

static struct stretch take(size_t n, vox_ua_handle call)
{
	const struct sim_media *b = sim_media_of(&sim, n, call);
	assert_non_null(b);
	return (struct stretch){b->frames, b->tone};
}

/* Each side heard the other all through ms: a frame every 20 ms but for a
 * few, nearly every one with the other's tone (test_sim.c, heard_all). */
static void heard_all(size_t n, vox_ua_handle call, struct stretch was, uint64_t ms)
{
	struct stretch s = take(n, call);
	s.frames -= was.frames;
	s.tone -= was.tone;
	if (s.frames * 100 < ms / SIM_FRAME_MS * 97 || s.tone * 100 < s.frames * 97)
		fail_msg("node %zu heard %u frames, %u with the tone, in %llu ms", n, s.frames,
		         s.tone, (unsigned long long)ms);
}

/* Not one clear media packet on the wire, from the first datagram on. */
static void nothing_clear(void)
{
	for (size_t n = 0; n < 2; n++) {
		const struct sim_media_stats *w = &sim.node[n].ms;
		assert_int_equal(w->rtp_clear, 0);
		assert_int_equal(w->rtcp_clear, 0);
		assert_int_equal(w->rtp_audible, 0);
		assert_int_equal(w->leaked, 0);
	}
}

/* Both sides' SAS events of one call, and their renderings equal. */
static const struct vox_ua_event *same_sas(size_t from0, size_t from1)
{
	const struct vox_ua_event *a = event(0, VOX_UA_EV_ZRTP_SAS, from0);
	const struct vox_ua_event *b = event(1, VOX_UA_EV_ZRTP_SAS, from1);
	if (!a || !b)
		fail_msg("no SAS: alice [%s] bob [%s]", events(0), events(1));
	assert_true(strlen(a->media.zrtp.sas) == 4);
	assert_string_equal(a->media.zrtp.sas, b->media.zrtp.sas);
	assert_int_equal(a->media.zrtp.continuity, b->media.zrtp.continuity);
	return a;
}

static void hang_up(vox_ua_handle c)
{
	assert_int_equal(vox_ua_hangup(&alice, c, sim.now), 0);
	sim_run(&sim, sim.now + 5000);
	sim_voice(&sim, 0);
	sim_run(&sim, sim.now + 200000);
	for (size_t n = 0; n < 2; n++) {
		assert_int_equal(vox_ua_calls_active(sim.node[n].ua), 0);
		assert_int_equal(sim_srtp_contexts(&sim, n), 0);
	}
}

/* The whole ZRTP call: mandatory, SDES refused. */
static void test_zrtp_call(void **st)
{
	(void)st;
	vox_zrtp_cache_init(&cache_a);
	vox_zrtp_cache_init(&cache_b);
	two_zrtp_talkers(120, VOX_SDP_POLICY_MANDATORY);
	sim_link(&sim, 0, 1, (struct sim_link){.latency = 60});
	sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 30, .jitter = 10});
	sim_voice(&sim, SIM_FRAME_MS);
	vox_ua_handle c = talk();
	vox_ua_handle in = sim_last_call(&sim, 1);
	assert_true(sim_run_to_event(&sim, 0, "ZRTP_SECURE", sim.now + 5000));
	sim_run(&sim, sim.now + 1000);
	assert_true(event(1, VOX_UA_EV_ZRTP_SECURE, 0) != NULL);
	const struct vox_ua_event *sas = same_sas(0, 0);
	print_message("SAS %s (both sides)\n", sas->media.zrtp.sas);
	/* a first call: a new peer on both sides, never a cache mismatch */
	assert_int_equal(sas->media.zrtp.continuity, VOX_ZRTP_NEW_PEER);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_NEW_PEER, 0), 1);
	assert_int_equal(count(1, VOX_UA_EV_ZRTP_NEW_PEER, 0), 1);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_CACHE_MISMATCH, 0), 0);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_HASH_MISMATCH, 0), 0);
	assert_int_equal(count(1, VOX_UA_EV_ZRTP_HASH_MISMATCH, 0), 0);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	assert_int_equal(vox_ua_call_get(&bob, in)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	const struct vox_media *ea = vox_ua_media_get(&alice, c), *eb = vox_ua_media_get(&bob, in);
	assert_int_equal(vox_media_prot(ea), VOX_MEDIA_PROT_ZRTP);
	assert_memory_equal(ea->keys.tx.key, eb->keys.rx.key, sizeof ea->keys.tx.key);
	assert_memory_equal(eb->keys.tx.key, ea->keys.rx.key, sizeof ea->keys.tx.key);
	struct stretch a0 = take(0, c), b0 = take(1, in);
	sim_run(&sim, sim.now + 10000);
	heard_all(0, c, a0, 10000);
	heard_all(1, in, b0, 10000);
	/* the users compare the SAS and say so */
	assert_int_equal(vox_ua_zrtp_verify(&alice, c, 1), 0);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_VERIFIED);
	hang_up(c);
	nothing_clear();
	for (size_t n = 0; n < 2; n++)
		assert_true(sim.node[n].ms.rtp_protected > 400 &&
		            sim.node[n].ms.rtcp_protected > 0);
}

/* Through 20 % loss each way on the media path: the handshake still
 * completes (T1 and T2 retransmissions), both read one SAS, and the tones
 * cross in SRTP (a lost frame is concealed with the last one, which
 * carries the same tone, until a run of losses fades it out). */
static void test_zrtp_loss(void **st)
{
	(void)st;
	unsigned resent = 0;
	for (uint64_t seed = 121; seed < 126; seed++) {
		vox_zrtp_cache_init(&cache_a);
		vox_zrtp_cache_init(&cache_b);
		two_zrtp_talkers(seed, VOX_SDP_POLICY_MANDATORY);
		sim_link(&sim, 0, 1, (struct sim_link){.latency = 60});
		sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 30, .loss = 200});
		sim_voice(&sim, SIM_FRAME_MS);
		vox_ua_handle c = talk();
		vox_ua_handle in = sim_last_call(&sim, 1);
		uint64_t t0 = sim.now;
		assert_true(sim_run_to_event(&sim, 0, "ZRTP_SECURE", sim.now + 15000));
		uint64_t took = sim.now - t0;
		sim_run(&sim, sim.now + 3000);
		assert_non_null(event(1, VOX_UA_EV_ZRTP_SECURE, 0));
		const struct vox_ua_event *sas = same_sas(0, 0);
		/* a handshake without loss is 5 packets a side (Hello, HelloACK,
		 * Commit or DHPart1, DHPart2 or Confirm1, Confirm2 or Conf2ACK) */
		unsigned tx = vox_media_zrtp(vox_ua_media_get(&alice, c))->st.tx +
		              vox_media_zrtp(vox_ua_media_get(&bob, in))->st.tx;
		resent += tx - 10;
		print_message("seed %llu: SAS %s on both sides, alice secure %llu ms after bob "
		              "answered, %u ZRTP packets\n",
		              (unsigned long long)seed, sas->media.zrtp.sas,
		              (unsigned long long)took, tx);
		struct stretch a0 = take(0, c), b0 = take(1, in);
		sim_run(&sim, sim.now + 10000);
		for (size_t n = 0; n < 2; n++) {
			struct stretch s = take(n, n ? in : c), w = n ? b0 : a0;
			unsigned frames = s.frames - w.frames, tone = s.tone - w.tone;
			assert_true(frames * 100 >= 10000 / SIM_FRAME_MS * 90);
			assert_true(tone * 100 >= frames * 75);
		}
		assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
		hang_up(c);
		nothing_clear();
	}
	assert_true(resent > 0); /* retransmissions carried the handshake through */
}

/* Key continuity (RFC 6189 4.3, 4.6.1): a second call between the same
 * two continues with rs1 and says so (the SAS alice verified on the
 * first stays verified for her: prot ZRTP_VERIFIED at once); a cache
 * altered on one side makes the third a cache mismatch on both, not a
 * new peer. */
static void zrtp_call_once(uint64_t seed, size_t *from0, size_t *from1)
{
	two_zrtp_talkers(seed, VOX_SDP_POLICY_MANDATORY);
	sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 20});
	*from0 = sim.node[0].nlog;
	*from1 = sim.node[1].nlog;
	(void)talk();
	assert_true(sim_run_to_event(&sim, 0, "ZRTP_SECURE", sim.now + 5000));
	sim_run(&sim, sim.now + 500);
	assert_non_null(event(1, VOX_UA_EV_ZRTP_SECURE, *from1));
}

static void test_zrtp_cache(void **st)
{
	(void)st;
	size_t f0, f1;
	vox_zrtp_cache_init(&cache_a);
	vox_zrtp_cache_init(&cache_b);
	zrtp_call_once(130, &f0, &f1);
	vox_ua_handle c = sim_last_call(&sim, 0);
	const struct vox_ua_event *sas = same_sas(f0, f1);
	assert_int_equal(sas->media.zrtp.continuity, VOX_ZRTP_NEW_PEER);
	assert_int_equal(vox_ua_zrtp_verify(&alice, c, 1), 0);
	hang_up(c);
	assert_int_equal(cache_a.n, 1);
	assert_int_equal(cache_b.n, 1);

	/* the second call continues */
	zrtp_call_once(131, &f0, &f1);
	c = sim_last_call(&sim, 0);
	vox_ua_handle in = sim_last_call(&sim, 1);
	sas = same_sas(f0, f1);
	assert_int_equal(sas->media.zrtp.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sas->media.zrtp.verified, 1); /* alice's: she compared it */
	assert_int_equal(event(1, VOX_UA_EV_ZRTP_SAS, f1)->media.zrtp.verified, 0);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_NEW_PEER, f0), 0);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_CACHE_MISMATCH, f0), 0);
	assert_int_equal(count(1, VOX_UA_EV_ZRTP_NEW_PEER, f1), 0);
	assert_int_equal(count(1, VOX_UA_EV_ZRTP_CACHE_MISMATCH, f1), 0);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_VERIFIED);
	assert_int_equal(vox_ua_call_get(&bob, in)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	hang_up(c);

	/* bob's cache altered (a restore from an old backup, a MitM's work):
	 * both sides know each other, and nothing matches */
	assert_int_equal(cache_b.n, 1);
	cache_b.e[0].rs1[0] ^= 1;
	cache_b.e[0].rs2[0] ^= 1;
	zrtp_call_once(132, &f0, &f1);
	c = sim_last_call(&sim, 0);
	sas = same_sas(f0, f1);
	assert_int_equal(sas->media.zrtp.continuity, VOX_ZRTP_CACHE_MISMATCH);
	assert_int_equal(sas->media.zrtp.verified, 0);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_CACHE_MISMATCH, f0), 1);
	assert_int_equal(count(1, VOX_UA_EV_ZRTP_CACHE_MISMATCH, f1), 1);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_NEW_PEER, f0), 0);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	hang_up(c);
	vox_zrtp_cache_free(&cache_a);
	vox_zrtp_cache_free(&cache_b);
}

/* A man in the middle of the media path, doing a DH exchange with each
 * side (m.z[0] plays bob to alice, m.z[1] alice to bob). */
struct mitm {
	struct vox_zrtp z[2];
	uint64_t seed;
	struct vox_rng rng;
	char hash[2][70]; /* each engine's a=zrtp-hash value, "1.10 " and hex */
	int rewrite_sdp;  /* the MitM controls the signalling too */
	char sas[2][VOX_ZRTP_SAS_MAX];
};

static int mitm_media(struct sim *s, const struct sim_packet *pk, void *ctx)
{
	struct mitm *m = ctx;
	if (vox_demux_classify((const uint8_t *)pk->data, pk->len) != VOX_DEMUX_ZRTP)
		return 0; /* media goes by: its keys are the MitM's anyway */
	size_t side = pk->from;
	struct vox_zrtp *z = &m->z[side];
	uint8_t out[600];
	int n;
	(void)vox_zrtp_recv(z, (const uint8_t *)pk->data, pk->len, s->now);
	vox_zrtp_on_deadline(z, s->now);
	while ((n = vox_zrtp_poll_output(z, out, sizeof out)) > 0)
		sim_media_inject(s, 1 - side, side, pk->dport, pk->sport, out, (size_t)n, 5);
	struct vox_zrtp_event ev;
	while (vox_zrtp_next_event(z, &ev))
		if (ev.type == VOX_ZRTP_EV_SAS)
			memcpy(m->sas[side], ev.sas, sizeof ev.sas);
	return 1;
}

/* The SDP that crosses: each side's a=zrtp-hash replaced by the hash of
 * the Hello the MitM shows the other (the same length: nothing else in
 * the message changes). */
static void mitm_sip(struct sim *s, size_t from, char *msg, size_t len, void *ctx)
{
	(void)s;
	struct mitm *m = ctx;
	static const char tag[] = "a=zrtp-hash:";
	if (!m->rewrite_sdp)
		return;
	for (size_t i = 0; i + sizeof tag - 1 + 69 <= len; i++)
		if (memcmp(msg + i, tag, sizeof tag - 1) == 0) {
			/* alice's description goes to bob: the Hello bob sees is z[1]'s */
			memcpy(msg + i + sizeof tag - 1, m->hash[from == 0 ? 1 : 0], 69);
			return;
		}
}

static void mitm_start(struct mitm *m, int rewrite_sdp)
{
	memset(m, 0, sizeof *m);
	m->seed = 0x6d69746d;
	m->rng = (struct vox_rng){test_rng, &m->seed};
	m->rewrite_sdp = rewrite_sdp;
	for (int i = 0; i < 2; i++) {
		struct vox_zrtp_config zc;
		vox_zrtp_config_default(&zc);
		memcpy(zc.zid, i ? "mitm-zid-001" : "mitm-zid-000", VOX_ZRTP_ZID_LEN);
		zc.ssrc = 0x1000u + (uint32_t)i;
		vox_zrtp_init(&m->z[i]);
		assert_int_equal(vox_zrtp_start(&m->z[i], &zc, &m->rng, sim.now), 0);
		assert_int_equal(vox_zrtp_own_hello_hash(&m->z[i], m->hash[i], sizeof m->hash[i]),
		                 69);
	}
	sim.media_tap = mitm_media;
	sim.sip_tap = mitm_sip;
	sim.tap_ctx = m;
}

static void test_zrtp_mitm(void **st)
{
	(void)st;
	static struct mitm m;
	/* the MitM rewrites the signalling too: each side completes ZRTP,
	 * with the MitM, and the two SASes differ: reading them aloud finds
	 * it (RFC 6189 4.3.3) */
	vox_zrtp_cache_init(&cache_a);
	vox_zrtp_cache_init(&cache_b);
	two_zrtp_talkers(140, VOX_SDP_POLICY_MANDATORY);
	sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 20});
	mitm_start(&m, 1);
	vox_ua_handle c = talk();
	assert_true(sim_run_to_event(&sim, 0, "ZRTP_SECURE", sim.now + 5000));
	sim_run(&sim, sim.now + 500);
	const struct vox_ua_event *a = event(0, VOX_UA_EV_ZRTP_SAS, 0);
	const struct vox_ua_event *b = event(1, VOX_UA_EV_ZRTP_SAS, 0);
	assert_non_null(a);
	assert_non_null(b);
	print_message("with a MitM: alice reads %s, bob reads %s\n", a->media.zrtp.sas,
	              b->media.zrtp.sas);
	assert_string_not_equal(a->media.zrtp.sas, b->media.zrtp.sas);
	assert_string_equal(a->media.zrtp.sas, m.sas[0]); /* each SAS is with the MitM */
	assert_string_equal(b->media.zrtp.sas, m.sas[1]);
	assert_int_equal(count(0, VOX_UA_EV_ZRTP_HASH_MISMATCH, 0), 0);
	hang_up(c);
	sim.media_tap = NULL;
	sim.sip_tap = NULL;
	vox_zrtp_free(&m.z[0]);
	vox_zrtp_free(&m.z[1]);

	/* the signalling intact: each side sees that the Hello it got is not
	 * the one the SDP announced (8.1), uses none of it, and the call,
	 * under mandatory, never carries media and ends saying why */
	vox_zrtp_cache_init(&cache_a);
	vox_zrtp_cache_init(&cache_b);
	two_zrtp_talkers(141, VOX_SDP_POLICY_MANDATORY);
	sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 20});
	sim_voice(&sim, SIM_FRAME_MS);
	mitm_start(&m, 0);
	c = talk();
	assert_true(sim_run_to_event(&sim, 0, "ZRTP_HASH_MISMATCH", sim.now + 5000));
	sim_run(&sim, sim.now + 1000);
	assert_non_null(event(1, VOX_UA_EV_ZRTP_HASH_MISMATCH, 0));
	assert_null(event(0, VOX_UA_EV_ZRTP_SECURE, 0));
	assert_null(event(1, VOX_UA_EV_ZRTP_SECURE, 0));
	/* bob's media started first (at his answer): his setup time runs
	 * out first, and his BYE ends alice's call */
	assert_true(sim_run_to_event(&sim, 1, "ENDED", sim.now + VOX_ZRTP_SETUP_MS + 1000));
	assert_true(sim_run_to_event(&sim, 0, "ENDED", sim.now + 1000));
	const struct vox_ua_event *end = event(1, VOX_UA_EV_ENDED, 0);
	print_message("bob: %s; alice: %s\n", end->reason, event(0, VOX_UA_EV_ENDED, 0)->reason);
	assert_non_null(strstr(end->reason, "ZRTP did not complete in time"));
	assert_non_null(event(1, VOX_UA_EV_ZRTP_FAILED, 0));
	assert_int_equal(event(1, VOX_UA_EV_ZRTP_FAILED, 0)->media.zrtp.timeout, 1);
	sim_voice(&sim, 0);
	sim_run(&sim, sim.now + 200000);
	assert_int_equal(vox_ua_calls_active(&alice), 0);
	assert_int_equal(vox_ua_calls_active(&bob), 0);
	nothing_clear();
	for (size_t n = 0; n < 2; n++)
		assert_int_equal(sim.node[n].ms.rtp_protected, 0); /* no media at all */
	sim.media_tap = NULL;
	vox_zrtp_free(&m.z[0]);
	vox_zrtp_free(&m.z[1]);
}

/* A peer that never answers ZRTP (bob does not speak it): under
 * mandatory alice's call ends with the reason, and not one media packet
 * of hers left; under optional the failure is reported and the call goes
 * on in clear, saying so (prot none). */
static void test_zrtp_peer_silent(void **st)
{
	(void)st;
	for (int mandatory = 1; mandatory >= 0; mandatory--) {
		vox_zrtp_cache_init(&cache_a);
		vox_zrtp_cache_init(&cache_b);
		two_zrtp_talkers(150 + (uint64_t)mandatory,
		                 mandatory ? VOX_SDP_POLICY_MANDATORY : VOX_SDP_POLICY_OPTIONAL);
		bob.cfg.key_methods = 0; /* bob: clear RTP, never a ZRTP packet */
		bob.cfg.policy = VOX_SDP_POLICY_OPTIONAL;
		sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 20});
		sim_voice(&sim, SIM_FRAME_MS);
		vox_ua_handle c = talk();
		assert_true(sim_run_to_event(&sim, 0, "ZRTP_FAILED", sim.now + 20000));
		const struct vox_ua_event *f = event(0, VOX_UA_EV_ZRTP_FAILED, 0);
		print_message("%s: %s\n", mandatory ? "mandatory" : "optional", f->reason);
		assert_non_null(strstr(f->reason, "stopped answering"));
		if (mandatory) {
			/* ended in the same step (the UA's on_deadline) */
			assert_true(event(0, VOX_UA_EV_ENDED, 0) ||
			            sim_run_to_event(&sim, 0, "ENDED", sim.now + 1000));
			assert_string_equal(event(0, VOX_UA_EV_ENDED, 0)->reason, f->reason);
			assert_true(sim_run_to_event(&sim, 1, "ENDED", sim.now + 5000));
			assert_int_equal(sim.node[0].ms.rtp_clear + sim.node[0].ms.rtcp_clear, 0);
			assert_int_equal(sim.node[0].ms.rtp_protected, 0);
			sim_voice(&sim, 0);
			sim_run(&sim, sim.now + 200000);
			assert_int_equal(vox_ua_calls_active(&alice), 0);
		} else {
			/* clear, and said so: the call goes on */
			assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_NONE);
			struct stretch a0 = take(0, c);
			sim_run(&sim, sim.now + 3000);
			heard_all(0, c, a0, 3000);
			assert_true(sim.node[0].ms.rtp_clear > 100);
			hang_up(c);
		}
	}
}

/* Node n's latest SIP message starting with start, from its log. */
static const struct sim_sent *last_sent(size_t n, const char *start)
{
	const struct sim_node *nd = &sim.node[n];
	for (unsigned k = 0; k < SIM_SENT_LOG && k < nd->nsent_log; k++) {
		const struct sim_sent *x = &nd->sent_log[(nd->nsent_log - 1 - k) % SIM_SENT_LOG];
		if (x->len >= strlen(start) && memcmp(x->msg, start, strlen(start)) == 0)
			return x;
	}
	return NULL;
}

static int holds(const struct sim_sent *x, const char *what)
{
	size_t k = strlen(what);
	for (size_t i = 0; i + k <= x->len; i++)
		if (memcmp(x->msg + i, what, k) == 0)
			return 1;
	return 0;
}

/* RFC 6189 4.7.2: once ZRTP keyed a call, a re-INVITE cannot lower it.
 * Under optional, bob's own re-offer drops every key method (no
 * a=zrtp-hash, no a=crypto: what a clear call offers); both sides keep
 * ZRTP's keys, and not one clear packet follows. */
static void test_zrtp_reinvite_clear(void **st)
{
	(void)st;
	vox_zrtp_cache_init(&cache_a);
	vox_zrtp_cache_init(&cache_b);
	two_zrtp_talkers(160, VOX_SDP_POLICY_OPTIONAL);
	sim_media_link(&sim, 0, 1, (struct sim_link){.latency = 20});
	sim_voice(&sim, SIM_FRAME_MS);
	vox_ua_handle c = talk();
	vox_ua_handle in = sim_last_call(&sim, 1);
	assert_true(sim_run_to_event(&sim, 0, "ZRTP_SECURE", sim.now + 5000));
	sim_run(&sim, sim.now + 1000);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	assert_int_equal(vox_ua_call_get(&bob, in)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	unsigned clear0 = sim.node[0].ms.rtp_clear, clear1 = sim.node[1].ms.rtp_clear;
	size_t f0 = sim.node[0].nlog;
	bob.cfg.key_methods = 0;
	assert_int_equal(vox_ua_hold(&bob, in, 0, sim.now), 0);
	assert_true(sim_run_to_event(&sim, 1, "MEDIA", sim.now + 5000));
	const struct sim_sent *re = last_sent(1, "INVITE");
	assert_non_null(re);
	assert_false(holds(re, "a=zrtp-hash"));
	assert_false(holds(re, "a=crypto"));
	assert_true(holds(re, "RTP/AVP"));
	struct stretch a0 = take(0, c), b0 = take(1, in);
	sim_run(&sim, sim.now + 3000);
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	assert_int_equal(vox_ua_call_get(&bob, in)->prot, VOX_UA_PROT_ZRTP_UNVERIFIED);
	assert_int_equal(vox_media_prot(vox_ua_media_get(&alice, c)), VOX_MEDIA_PROT_ZRTP);
	assert_null(event(0, VOX_UA_EV_DOWNGRADE, f0));
	assert_int_equal(sim.node[0].ms.rtp_clear, clear0);
	assert_int_equal(sim.node[1].ms.rtp_clear, clear1);
	heard_all(0, c, a0, 3000);
	heard_all(1, in, b0, 3000);
	hang_up(c);
}

#else /* !VOX_MEDIA_ZRTP */

static void skipped(void **st)
{
	(void)st;
	skip_unless(0, "ZRTP is compiled out (VOX_WITH_ZRTP or VOX_WITH_SRTP = 0)");
}
#define test_zrtp_call           skipped
#define test_zrtp_loss           skipped
#define test_zrtp_cache          skipped
#define test_zrtp_mitm           skipped
#define test_zrtp_peer_silent    skipped
#define test_zrtp_reinvite_clear skipped

#endif

static int free_uas(void **st)
{
	(void)st;
#if VOX_MEDIA_ZRTP
	vox_ua_free(&alice);
	vox_ua_free(&bob);
#endif
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_zrtp_call, free_uas),
	    cmocka_unit_test_teardown(test_zrtp_loss, free_uas),
	    cmocka_unit_test_teardown(test_zrtp_cache, free_uas),
	    cmocka_unit_test_teardown(test_zrtp_mitm, free_uas),
	    cmocka_unit_test_teardown(test_zrtp_peer_silent, free_uas),
	    cmocka_unit_test_teardown(test_zrtp_reinvite_clear, free_uas),
	};
	return cmocka_run_group_tests_name("zrtp_call", tests, srtp_group_setup,
	                                   srtp_group_teardown);
}
