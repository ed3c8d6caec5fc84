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

static vox_ua_handle last_call(size_t n)
{
	for (size_t i = sim.node[n].nlog; i-- > 0;)
		if (sim.node[n].last[i].call)
			return sim.node[n].last[i].call;
	return 0;
}

/* alice calls bob, bob rings and answers at once. */
static vox_ua_handle talk(void)
{
	vox_ua_handle c;
	assert_int_equal(sim_call(&sim, 0, "sip:bob@10.0.0.2:5060", 0, &c), 0);
	assert_true(sim_run_to_event(&sim, 1, "INCOMING", sim.now + 60000));
	vox_ua_handle in = last_call(1);
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
	vox_ua_handle in = last_call(1);
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

#else /* !VOX_MEDIA_ZRTP */

static void test_zrtp_call(void **st)
{
	(void)st;
	skip_unless(0, "ZRTP is compiled out (VOX_WITH_ZRTP or VOX_WITH_SRTP = 0)");
}

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
	};
	return cmocka_run_group_tests_name("zrtp_call", tests, srtp_group_setup,
	                                   srtp_group_teardown);
}
