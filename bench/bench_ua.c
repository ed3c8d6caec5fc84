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
 * alternate. Then the bytes of state a call holds, struct by struct.
 * Figures are printed, never asserted.
 */
#define _POSIX_C_SOURCE 199309L
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench.h"

#include "sim/sim.h"

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
static const struct vox_peer at_a = {VOX_TP_UDP, {4, {10, 0, 0, 1}, 5060}, 0, 0};
static const struct vox_peer at_b = {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0, 0};

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

	printf("bench_ua: call cycles (INVITE 100 180 200 ACK BYE 200, %u datagrams), "
	       "one core, median of %d runs of ~1 s\n",
	       per_cycle_direct, RUNS);
	struct rate d, s;
	measure(&d, &s);
	printf("  %-8s %10.0f cycles/s wall  %10.0f cycles/s CPU  %7.2f us/cycle\n", "direct",
	       d.wall, d.cpu, d.ns / 1000);
	printf("  %-8s %10.0f cycles/s wall  %10.0f cycles/s CPU  %7.2f us/cycle\n", "sim", s.wall,
	       s.cpu, s.ns / 1000);
	printf("  goal: 50000 cycles/s: %s (direct), %s (sim)\n",
	       d.wall >= 50000 ? "met" : "MISSED", s.wall >= 50000 ? "met" : "MISSED");

	/* state: a call holds its struct and, at most at once, two
	 * transactions on each side (INVITE, and CANCEL or BYE) */
	size_t txn = sizeof(struct vox_sip_txn), dlg = sizeof(struct vox_sip_dialog),
	       call = sizeof(struct vox_ua_call);
	printf("bench_ua: bytes of signalling state\n");
	printf("  struct vox_sip_txn     %6zu (msg copy for retransmission: %zu)\n", txn,
	       (size_t)VOX_SIP_TXN_MSG);
	printf("  struct vox_sip_dialog  %6zu (store: %zu)\n", dlg, (size_t)VOX_SIP_DLG_STORE);
	printf("  struct vox_ua_call     %6zu\n", call);
	printf("    .dlg                 %6zu\n", sizeof alice.calls[0].dlg);
	printf("    .oa                  %6zu (%zu keys of %zu bytes)\n", sizeof alice.calls[0].oa,
	       (size_t)VOX_SRTP_SUITE_COUNT + 2, sizeof(struct vox_srtp_key));
	printf("    .media               %6zu (%zu keys of %zu bytes)\n",
	       sizeof alice.calls[0].media, (size_t)VOX_SDP_MAX_KEYS + 1,
	       sizeof(struct vox_srtp_key));
	printf("    .remote_uri          %6zu\n", sizeof alice.calls[0].remote_uri);
	printf("    the rest             %6zu\n",
	       call - sizeof alice.calls[0].dlg - sizeof alice.calls[0].oa -
	           sizeof alice.calls[0].media - sizeof alice.calls[0].remote_uri);
	printf("  struct vox_ua_media    %6zu (beside each call: its media)\n",
	       sizeof(struct vox_ua_media));
	printf("    .engine              %6zu (struct vox_media)\n", sizeof(struct vox_media));
	printf("    .offer               %6zu (the peer's offer until answered)\n",
	       sizeof alice.media[0].offer);
	size_t per_call = call + 2 * txn;
	printf("  per call: call + 2 transactions = %zu bytes (goal 4096: %s)\n", per_call,
	       per_call <= 4096 ? "met" : "MISSED");
	printf("  struct vox_ua (%d calls, %d transactions, %d accounts) %zu bytes\n",
	       VOX_UA_MAX_CALLS, VOX_UA_MAX_TXN, VOX_UA_MAX_ACCOUNTS, sizeof(struct vox_ua));
	vox_ua_free(&alice);
	vox_ua_free(&bob);
	vox_ua_free(&a2);
	vox_ua_free(&b2);
	return 0;
}
