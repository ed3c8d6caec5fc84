/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: a deterministic simulated network for vox user agents.
 *
 * Several endpoints (struct vox_ua, or a small registrar) exchange SIP over
 * a virtual UDP network with per-link latency, loss, duplication,
 * reordering and partitions, on a virtual millisecond clock. Everything
 * random comes from one seed, so a failing run replays exactly. A 32 s
 * SIP timer costs microseconds: the clock jumps to the next thing due.
 */
#ifndef VOX_SIM_H
#define VOX_SIM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/core_int.h"
#include "vox/digest.h"
#include "vox/ua.h"

#define SIM_MAX_NODES    4
#define SIM_MAX_INFLIGHT 2048
#define SIM_MAX_LOG      256

enum sim_kind { SIM_UA = 1, SIM_REGISTRAR };

/* What a link does to the datagrams on it (from -> to). */
struct sim_link {
	uint32_t latency; /* ms */
	uint32_t jitter;  /* extra 0..jitter ms, drawn per packet: reorders */
	uint16_t loss;    /* per mille lost */
	uint16_t dup;     /* per mille delivered twice */
	int down;         /* partition: everything is lost */
};

struct sim_packet {
	uint64_t at;
	uint64_t seq;
	uint8_t from, to;
	uint16_t len;
	char data[VOX_SIP_TXN_MSG];
};

/* A registrar with digest authentication (RFC 3261 10.3, 22), kept small:
 * one user, stateless nonces, and a binding table of one entry. */
struct sim_registrar {
	struct vox_digest_server digest;
	char user[32], password[32];
	uint32_t min_expires; /* 423 below this (0: none) */
	uint32_t min_step;    /* each 423 raises min_expires by this much */
	int refuse;           /* answer every REGISTER with this status (0: no) */
	int bound;
	uint32_t bound_expires;
	unsigned challenges, accepted;
};

struct sim_node {
	enum sim_kind kind;
	struct vox_addr addr;
	struct vox_ua *ua;        /* SIM_UA */
	struct sim_registrar reg; /* SIM_REGISTRAR */
	/* events, as short strings "REG_OK 200", "ENDED 487 remote" */
	size_t nlog;
	char log[SIM_MAX_LOG][48];
	struct vox_ua_event last[SIM_MAX_LOG];
	unsigned sent; /* datagrams this node sent */
};

struct sim {
	uint64_t now;
	uint64_t rng; /* xorshift64* state */
	uint64_t seq;
	size_t nnodes;
	struct sim_node node[SIM_MAX_NODES];
	struct sim_link link[SIM_MAX_NODES][SIM_MAX_NODES];
	size_t ninflight;
	struct sim_packet inflight[SIM_MAX_INFLIGHT];
	/* what went on the wire, by start line: "INVITE", "200", ... */
	unsigned wire_total;
	unsigned wire_lost;
	char wire_log[512][16];
	size_t nwire;
	int trace;       /* 1: every datagram's first line and every event; 2: whole
	                    messages, SDP bodies with every key REDACTED */
	FILE *trace_out; /* where the trace goes; NULL: stderr */
};

void sim_init(struct sim *s, uint64_t seed);
/* The configuration every simulated UA starts from: aor, optional SRTP
 * with one suite, media port 40000; tests change what they need. */
void sim_ua_config(struct vox_ua_config *c, const char *aor);
/* A UA node at 10.0.0.(index+1):5060. cfg's host, rng and port are filled
 * in by the simulator; the rest is the caller's. ua must stay valid. */
int sim_add_ua(struct sim *s, struct vox_ua *ua, struct vox_ua_config *cfg);
int sim_add_registrar(struct sim *s, const char *user, const char *password);
/* Same link settings both ways between a and b. */
void sim_link(struct sim *s, size_t a, size_t b, struct sim_link l);
/* Runs until `until` (absolute ms) or until nothing is left to do
 * (returns early then). Returns the time reached. */
uint64_t sim_run(struct sim *s, uint64_t until);
/* Runs until node n logs an event starting with `prefix`, or until
 * `until`. Returns 1 when it did. */
int sim_run_to_event(struct sim *s, size_t n, const char *prefix, uint64_t until);
/* Messages on the wire whose start line begins with `what` ("INVITE", "200"). */
unsigned sim_wire_count(const struct sim *s, const char *what);
/* The node's URI ("sip:bob@10.0.0.2:5060"). */
const char *sim_uri(const struct sim *s, size_t n, const char *user, char *buf, size_t cap);
/* The deterministic rng of the simulation, as a vox_rng (for configs). */
int sim_rng(void *ctx, uint8_t *out, size_t len);
uint64_t sim_rand(struct sim *s);

#endif
