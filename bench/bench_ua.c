/* SPDX-License-Identifier: MIT */
/*
 * Complete call cycles between two user agents in one process: alice calls
 * bob (INVITE, 100, 180, 200, ACK), alice hangs up (BYE, 200), and the
 * transactions run out their timers. Two drivers:
 *
 *   sim     tests/sim with zero-latency links: every datagram goes through
 *           the simulator's in-flight table, its logs and its clock;
 *   direct  a loop that hands each datagram of one UA straight to the
 *           other (what an application's event loop does at best).
 *
 * After every cycle the virtual clock jumps 40 s (64*T1 and then some), so
 * the lingering transactions (Timers D, J, K, L, M) end: each cycle leaves
 * both UAs as it found them, which the bench checks. Each figure is the
 * median of RUNS runs of about a second each (CLOCK_MONOTONIC), with the
 * process CPU time of the same runs; one core; the two drivers' runs
 * alternate. Then the bytes of state a call holds, struct by struct, and
 * what it holds in the transaction arena while it is up (measured), with
 * the media engine beside it and libsrtp2's heap (glibc's mallinfo2 around
 * the start of a call with SDES keys) counted apart.
 *
 * make bench runs it twice: build/bench/bench_ua with the library built
 * for the default VOX_UA_MAX_CALLS (8), build/bench/bench_ua_1000 with
 * everything built for 1,000 call slots, so that a per-message cost that
 * grows with the number of slots shows as a lower rate.
 * Figures are printed, never asserted.
 */
#define _GNU_SOURCE /* mallinfo2 */
#include <malloc.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "sim/sim.h"
#include "vox/srtp.h"

#define RUNS 7

static void fail(const char *what)
{
	fprintf(stderr, "bench_ua: %s\n", what);
	exit(1);
}

static void check_idle(const struct vox_ua *u)
{
	if (vox_ua_calls_active(u) || u->txl.active)
		fail("a cycle left a call or a transaction behind");
}

/* ---- through the simulator ------------------------------------------------------- */

static struct sim sim;
static struct vox_ua alice, bob;
static char bob_uri[64];

static void sim_setup(void)
{
	struct vox_ua_config ca, cb;
	sim_init(&sim, 42);
	sim_ua_config(&ca, "sip:alice@10.0.0.1");
	sim_ua_config(&cb, "sip:bob@10.0.0.2");
	if (sim_add_ua(&sim, &alice, &ca) != 0 || sim_add_ua(&sim, &bob, &cb) != 1)
		fail("sim setup");
	sim_link(&sim, 0, 1, (struct sim_link){.latency = 0});
	sim_uri(&sim, 1, "bob", bob_uri, sizeof bob_uri);
}

/* The call of the newest event of a type node n logged, or 0. */
static vox_ua_handle logged(size_t n, enum vox_ua_ev_type type)
{
	for (size_t i = sim.node[n].nlog; i-- > 0;)
		if (sim.node[n].last[i].type == type)
			return sim.node[n].last[i].call;
	return 0;
}

static void sim_cycle(void)
{
	vox_ua_handle c, in;
	/* the logs are for tests; a bench would overflow them */
	sim.node[0].nlog = sim.node[1].nlog = 0;
	sim.nwire = 0;
	if (sim_call(&sim, 0, bob_uri, 0, &c))
		fail("call");
	sim_run(&sim, sim.now); /* INVITE, 100: bob's INCOMING */
	in = logged(1, VOX_UA_EV_INCOMING);
	if (!in || vox_ua_ring(&bob, in, sim.now) || sim_answer(&sim, 1, in))
		fail("no INVITE at bob");
	sim_run(&sim, sim.now); /* 180, 200, ACK */
	if (!logged(0, VOX_UA_EV_ANSWERED) || !logged(1, VOX_UA_EV_ANSWERED))
		fail("not answered");
	if (vox_ua_hangup(&alice, c, sim.now))
		fail("hangup");
	sim_run(&sim, sim.now); /* BYE, 200 */
	if (!logged(1, VOX_UA_EV_ENDED))
		fail("not ended");
	sim_run(&sim, sim.now + 40000); /* the transactions' timers run out */
}

/* ---- directly between the two ------------------------------------------------------ */

static struct vox_ua a2, b2;
static uint64_t rng_state = 42, t_direct;
static char wire[VOX_SIP_TXN_MSG + 64];
static unsigned direct_msgs;

static int rng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
	}
	return 0;
}

static const struct vox_ua_media_addr media_a = {{NULL, 0}, 40000};
static const struct vox_ua_media_addr media_b = {{NULL, 0}, 50000};
static const struct vox_peer at_a = {VOX_TP_UDP, {4, {10, 0, 0, 1}, 5060}, 0, 0, 0};
static const struct vox_peer at_b = {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0, 0, 0};

static void direct_setup(void)
{
	struct vox_ua_config ca, cb;
	sim_ua_config(&ca, "sip:alice@10.0.0.1");
	sim_ua_config(&cb, "sip:bob@10.0.0.2");
	ca.host = vox_slice_cstr("10.0.0.1");
	cb.host = vox_slice_cstr("10.0.0.2");
	ca.rng = cb.rng = (struct vox_rng){rng, &rng_state};
	if (vox_ua_init(&a2, &ca) || vox_ua_init(&b2, &cb))
		fail("direct setup");
}

/* Hands every datagram to the other side until both are quiet; keeps the
 * newest event of interest. */
static void pump(vox_ua_handle *incoming, int *answered, int *ended)
{
	for (int busy = 1; busy;) {
		busy = 0;
		struct vox_ua *side[2] = {&a2, &b2};
		for (int s = 0; s < 2; s++) {
			struct vox_peer to;
			int n;
			while ((n = vox_ua_poll_output(side[s], wire, sizeof wire, &to)) > 0) {
				busy = 1;
				direct_msgs++;
				(void)vox_ua_recv(side[!s], wire, (size_t)n, s ? &at_b : &at_a,
				                  t_direct);
			}
			struct vox_ua_event ev;
			while (vox_ua_next_event(side[s], &ev)) {
				if (ev.type == VOX_UA_EV_INCOMING)
					*incoming = ev.call;
				else if (ev.type == VOX_UA_EV_ANSWERED)
					(*answered)++;
				else if (ev.type == VOX_UA_EV_ENDED)
					(*ended)++;
			}
		}
	}
}

static void direct_timers(uint64_t until)
{
	for (;;) {
		uint64_t d = vox_ua_next_deadline(&a2), e = vox_ua_next_deadline(&b2);
		uint64_t t = d < e ? d : e;
		if (t > until)
			break;
		t_direct = t;
		vox_ua_on_deadline(&a2, t);
		vox_ua_on_deadline(&b2, t);
	}
	t_direct = until;
}

static size_t arena_up[2]; /* chunks in use on each side while the call is up */

static size_t chunks_used(const struct vox_ua *u)
{
	return u->txl.nchunks - u->txl.chunks_free;
}

static void direct_cycle(void)
{
	vox_ua_handle c, in = 0;
	int answered = 0, ended = 0;
	char uri[] = "sip:bob@10.0.0.2:5060";
	if (vox_ua_call(&a2, vox_slice_cstr(uri), 0, &media_a, t_direct, &c))
		fail("call");
	pump(&in, &answered, &ended);
	if (!in || vox_ua_ring(&b2, in, t_direct) || vox_ua_answer(&b2, in, &media_b, t_direct))
		fail("no INVITE at bob");
	pump(&in, &answered, &ended);
	arena_up[0] = chunks_used(&a2);
	arena_up[1] = chunks_used(&b2);
	if (answered != 2 || vox_ua_hangup(&a2, c, t_direct))
		fail("not answered");
	pump(&in, &answered, &ended);
	if (ended != 2)
		fail("not ended");
	direct_timers(t_direct + 40000);
	pump(&in, &answered, &ended);
}

/* ---- timing ------------------------------------------------------------------------------ */

struct rate {
	double wall; /* cycles per second of CLOCK_MONOTONIC */
	double cpu;  /* cycles per second of process CPU time */
	double ns;   /* ns per cycle (wall) */
};

/* One run of about a second: cycles per second, wall and CPU. */
static void run(void (*cycle)(void), double *wall, double *cpu)
{
	double t0 = 1e-9 * bench_ns(CLOCK_MONOTONIC),
	       c0 = 1e-9 * bench_ns(CLOCK_PROCESS_CPUTIME_ID), t1;
	long n = 0;
	do {
		for (int i = 0; i < 1000; i++)
			cycle();
		n += 1000;
		t1 = 1e-9 * bench_ns(CLOCK_MONOTONIC);
	} while (t1 - t0 < 1.0);
	double c1 = 1e-9 * bench_ns(CLOCK_PROCESS_CPUTIME_ID);
	*wall = (double)n / (t1 - t0);
	*cpu = (double)n / (c1 - c0);
}

/* The two drivers in alternating runs, so that load from other processes
 * on a shared machine falls on both alike; medians. */
static void measure(struct rate *d, struct rate *s)
{
	double dw[RUNS], dc[RUNS], sw[RUNS], sc[RUNS];
	for (int i = 0; i < 2000; i++) { /* warm up */
		direct_cycle();
		sim_cycle();
	}
	for (int r = 0; r < RUNS; r++) {
		run(direct_cycle, &dw[r], &dc[r]);
		run(sim_cycle, &sw[r], &sc[r]);
		check_idle(&a2);
		check_idle(&b2);
		check_idle(&alice);
		check_idle(&bob);
	}
	d->wall = bench_median(dw, RUNS);
	d->cpu = bench_median(dc, RUNS);
	d->ns = 1e9 / d->wall;
	s->wall = bench_median(sw, RUNS);
	s->cpu = bench_median(sc, RUNS);
	s->ns = 1e9 / s->wall;
}

int main(void)
{
	if (vox_srtp_global_init() < 0) /* libsrtp2's process-wide set-up (vox/srtp.h) */
		fail("vox_srtp_global_init");
	sim_setup();
	direct_setup();
	/* one cycle each, counted */
	unsigned w0 = sim.wire_total;
	sim_cycle();
	unsigned per_cycle_sim = sim.wire_total - w0;
	direct_msgs = 0;
	direct_cycle();
	unsigned per_cycle_direct = direct_msgs;
	if (per_cycle_sim != 7 || per_cycle_direct != 7)
		fail("a cycle is INVITE 100 180 200 ACK BYE 200: 7 datagrams");

	printf("bench_ua: %d call slots (VOX_UA_MAX_CALLS), %d transactions; call cycles "
	       "(INVITE 100 180 200 ACK BYE 200, %u datagrams), one core, median of %d runs "
	       "of ~1 s\n",
	       VOX_UA_MAX_CALLS, VOX_UA_MAX_TXN, per_cycle_direct, RUNS);
	struct rate d, s;
	measure(&d, &s);
	printf("  %-8s %10.0f cycles/s wall  %10.0f cycles/s CPU  %7.2f us/cycle\n", "direct",
	       d.wall, d.cpu, d.ns / 1000);
	printf("  %-8s %10.0f cycles/s wall  %10.0f cycles/s CPU  %7.2f us/cycle\n", "sim", s.wall,
	       s.cpu, s.ns / 1000);
	printf("  goal: 50000 cycles/s: %s (direct), %s (sim)\n",
	       d.wall >= 50000 ? "met" : "MISSED", s.wall >= 50000 ? "met" : "MISSED");

	/* libsrtp2's heap for one call with SDES keys: the direct pair, keys
	 * allowed over its UDP hop for this one call */
	a2.cfg.allow_sdes_over_insecure_hops = b2.cfg.allow_sdes_over_insecure_hops = 1;
	vox_ua_handle sc, sin = 0;
	int sans = 0, send = 0;
	if (vox_ua_call(&a2, vox_slice_cstr("sip:bob@10.0.0.2:5060"), 0, &media_a, t_direct, &sc))
		fail("SDES call");
	pump(&sin, &sans, &send);
	size_t h0 = mallinfo2().uordblks;
	if (!sin || vox_ua_answer(&b2, sin, &media_b, t_direct))
		fail("SDES answer");
	pump(&sin, &sans, &send);
	size_t srtp_heap = mallinfo2().uordblks - h0;
	unsigned srtp_ctx = vox_media_srtp_contexts(vox_ua_media_get(&a2, sc)) +
	                    vox_media_srtp_contexts(vox_ua_media_get(&b2, sin));
	if (vox_ua_call_get(&a2, sc)->prot != VOX_UA_PROT_SDES || vox_ua_hangup(&a2, sc, t_direct))
		fail("no SDES call");
	pump(&sin, &sans, &send);
	direct_timers(t_direct + 40000);
	a2.cfg.allow_sdes_over_insecure_hops = b2.cfg.allow_sdes_over_insecure_hops = 0;
	direct_cycle(); /* arena_up again for a clear call, the common case */

	/* state: a call holds its struct, the signalling part of its media
	 * slot, two transaction control blocks at once (INVITE, and CANCEL or
	 * BYE), and what it keeps in the arena while it is up (its lingering
	 * transactions' ids, measured above on the side that keeps more) */
	size_t txn = sizeof(struct vox_sip_txn), chunk = sizeof(struct vox_sip_chunk),
	       call = sizeof(struct vox_ua_call);
	size_t ms = sizeof(struct vox_ua_media) - sizeof(struct vox_media);
	size_t up = arena_up[0] > arena_up[1] ? arena_up[0] : arena_up[1];
	size_t per_call = call + ms + 2 * txn + up * chunk;
	printf("bench_ua: bytes of signalling state (%d call slots)\n", VOX_UA_MAX_CALLS);
	printf("  %-34s %6s\n", "what", "bytes");
	printf("  %-34s %6zu\n", "struct vox_ua_call", call);
	printf("  %-34s %6zu (store %zu)\n", "  .dlg", sizeof alice.calls[0].dlg,
	       (size_t)VOX_SIP_DLG_STORE);
	printf("  %-34s %6zu (%zu keys of %zu bytes)\n", "  .oa", sizeof alice.calls[0].oa,
	       (size_t)VOX_SRTP_SUITE_COUNT + 2, sizeof(struct vox_srtp_key));
	printf("  %-34s %6zu (protection, direction, port: no keys)\n",
	       "  .media (the session agreed)", sizeof alice.calls[0].media);
	printf("  %-34s %6zu\n", "  the rest",
	       call - sizeof alice.calls[0].dlg - sizeof alice.calls[0].oa -
	           sizeof alice.calls[0].media);
	printf("  %-34s %6zu (with a re-key's new send key, %zu, until the ACK)\n",
	       "struct vox_ua_media without engine", ms, sizeof(struct vox_srtp_key));
	printf("  %-34s %6zu (2 of %zu)\n", "transaction control blocks", 2 * txn, txn);
	printf("  %-34s %6zu (%zu chunks of %zu, measured)\n", "arena while the call is up",
	       up * chunk, up, chunk);
	printf("  %-34s %6zu (goal 4096: %s)\n", "per call", per_call,
	       per_call <= 4096 ? "met" : "MISSED");
	printf("  %-34s %6zu (beside it: jitter buffer, RTP, RTCP, SRTP state)\n",
	       "media engine (struct vox_media)", sizeof(struct vox_media));
	printf("  %-34s %6zu (%u contexts for a call with SDES keys, both sides)\n",
	       "libsrtp2 heap per call", srtp_heap, srtp_ctx);
	printf("  %-34s %6zu (%zu of them per call slot)\n", "struct vox_ua", sizeof(struct vox_ua),
	       sizeof(struct vox_ua) / VOX_UA_MAX_CALLS);
	printf("    %-32s %6zu (%d control blocks)\n", ".txn", sizeof alice.txn, VOX_UA_MAX_TXN);
	printf("    %-32s %6zu (VOX_UA_ARENA)\n", ".arena", sizeof alice.arena);
	printf("    %-32s %6zu (%d names of %d targets, RFC 3263: %zu a call slot)\n", ".names",
	       sizeof alice.names, VOX_UA_MAX_NAMES, VOX_UA_MAX_TARGETS,
	       sizeof alice.names / VOX_UA_MAX_CALLS);
	printf("    %-32s %6zu (the rest: events, queues, scratch)\n", "the rest",
	       sizeof(struct vox_ua) - sizeof alice.txn - sizeof alice.arena - sizeof alice.calls -
	           sizeof alice.media - sizeof alice.acct - sizeof alice.names);
	vox_ua_free(&alice);
	vox_ua_free(&bob);
	vox_ua_free(&a2);
	vox_ua_free(&b2);
	return 0;
}
