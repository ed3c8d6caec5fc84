/* SPDX-License-Identifier: MIT */
/*
 * tests/sim: a deterministic simulated network for vox user agents.
 *
 * Several endpoints (struct vox_ua, or a small registrar) exchange SIP over
 * a virtual UDP network with per-link latency, loss, duplication,
 * reordering and partitions, on a virtual millisecond clock. Everything
 * random comes from one seed, so a failing run replays exactly. A 32 s
 * SIP timer costs microseconds: the clock jumps to the next thing due.
 *
 * Media too: each UA node plays the application of docs/ua.md. It binds a
 * media socket per call (sim_call, sim_answer), carries what the UA's
 * media engines send to the peer's socket over a media link of its own
 * (latency, jitter that reorders, loss), and, when voice is on, hands its
 * calls a frame of its tone every 20 ms and plays what comes back through
 * the tone detector. Every media datagram on the wire is classified (clear
 * or protected RTP and RTCP, the sender's tone audible in it or not), so a
 * test asserts over the whole trace that no clear packet ever left.
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
#define SIM_MAX_MEDIA    16 /* media sockets a node remembers (the oldest goes) */
#define SIM_FRAME_MS     20 /* the voice frame: 160 samples at 8 kHz */

enum sim_kind { SIM_UA = 1, SIM_REGISTRAR };

/* What a link does to the datagrams on it (from -> to). */
struct sim_link {
	uint32_t latency; /* ms */
	uint32_t jitter;  /* extra 0..jitter ms, drawn per packet: reorders */
	uint16_t loss;    /* per mille lost */
	uint16_t dup;     /* per mille delivered twice */
	int down;         /* partition: everything is lost */
	int refuse;       /* the sender's transport cannot send on it (no route,
	                     connection refused): each SIP message a UA sends is
	                     reported back at once, vox_ua_transport_error */
};

struct sim_packet {
	uint64_t at;
	uint64_t seq;
	uint8_t from, to;
	uint8_t media;  /* a media datagram from sport to dport (2: a tap injected it) */
	uint8_t tp;     /* SIP: the transport the sender chose (enum vox_transport) */
	uint8_t replay; /* the test's replay: deliver it again after this one */
	uint16_t sport, dport;
	uint16_t len;
	char data[VOX_SIP_TXN_MSG];
};

/* One media socket of a UA node: RTP on port, RTCP on port + 1, for a call;
 * and what the node's application heard on it. */
struct sim_media {
	uint16_t port;
	vox_ua_handle call;
	unsigned frames; /* frames played with sound in them */
	unsigned tone;   /* of which the node's hear_hz tone (tone power > 0.9) */
	unsigned quiet;  /* plays that gave nothing (silence) */
};

/* Media datagrams a node sent, as seen on the wire, and what it took in. */
struct sim_media_stats {
	unsigned rtp_clear;      /* RTP whose payload is a bare G.711 frame or telephone-event */
	unsigned rtp_protected;  /* other RTP: SRTP */
	unsigned rtp_audible;    /* RTP whose payload decodes to the sender's tone */
	unsigned rtcp_clear;     /* RTCP that parses as a compound to its last byte */
	unsigned rtcp_protected; /* other RTCP: SRTCP */
	unsigned lost;           /* dropped by the media link */
	unsigned received;       /* datagrams delivered to one of its sockets */
	unsigned refused;        /* of which vox_ua_media_recv refused (< 0) */
	unsigned auth, replay;   /* refused as VOX_EAUTH, as VOX_EREPLAY or VOX_ETOOOLD */
	unsigned nowhere;        /* delivered to a socket with no live call */
	unsigned leaked;         /* refused, yet the jitter buffer or DTMF took it: never 0 */
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

/* A SIP message a UA node sent, as vox_ua_poll_output_dest gave it. */
#define SIM_SENT_LOG 8
struct sim_sent {
	struct vox_ua_dest d;
	uint16_t len;
	char msg[VOX_SIP_TXN_MSG];
};

struct sim_node {
	enum sim_kind kind;
	struct vox_addr addr;
	struct vox_ua *ua; /* SIM_UA */
	/* its certificate does not verify at its peers (no CA they trust):
	 * what it sends over a hop marked TLS arrives with verified 0. How it
	 * sees its own next hops is its UA's tls_client_verifies. */
	uint8_t cert_unverified;
	/* it listens on every port of its address (a UA with several
	 * listeners): what reaches it comes over the transport the sender
	 * chose, not the one of the sender's configuration */
	uint8_t listens;
	struct sim_sent sent_log[SIM_SENT_LOG]; /* its latest SIP messages, a ring */
	unsigned nsent_log;
	struct sim_registrar reg; /* SIM_REGISTRAR */
	/* events, as short strings "REG_OK 200", "ENDED 487 remote" */
	size_t nlog;
	char log[SIM_MAX_LOG][48];
	struct vox_ua_event last[SIM_MAX_LOG];
	unsigned sent; /* datagrams this node sent */
	/* media: its sockets, its voice, the wire's view of what it sent */
	struct sim_media media[SIM_MAX_MEDIA];
	size_t nmedia;
	uint16_t next_port;
	const char *media_host; /* the address its sockets name; NULL: the UA's media_addr */
	float tone_hz;          /* the tone it talks on every call; 0: it stays silent */
	float hear_hz;          /* the tone it listens for */
	uint32_t phase;         /* of its tone */
	struct sim_media_stats ms;
};

/* A name the simulated resolver knows (RFC 3263): its targets, in order.
 * A UA's questions (vox_ua_poll_resolve) are answered when the node is
 * drained, from this table; a name not in it resolves to nothing. */
#define SIM_MAX_NAMES 4
struct sim_name {
	const char *name;
	size_t n;
	struct vox_ua_target t[VOX_UA_MAX_TARGETS];
};

struct sim {
	uint64_t now;
	struct sim_name names[SIM_MAX_NAMES];
	size_t nnames;
	int hold_answers;             /* 1: questions stay unanswered (the test answers) */
	unsigned resolves;            /* questions answered */
	struct vox_ua_resolve last_q; /* the latest question */
	uint64_t rng;                 /* xorshift64* state */
	uint64_t seq;
	size_t nnodes;
	struct sim_node node[SIM_MAX_NODES];
	struct sim_link link[SIM_MAX_NODES][SIM_MAX_NODES];
	struct sim_link mlink[SIM_MAX_NODES][SIM_MAX_NODES]; /* media datagrams */
	unsigned voice;      /* the nodes talk and listen, a frame every this many ms
	                        (SIM_FRAME_MS: real time; more: fewer packets); 0: quiet */
	uint64_t next_frame; /* when */
	int tamper_from;     /* 1 + node: flip a payload bit of its next RTP (delivered) */
	int replay_from;     /* 1 + node: deliver its next RTP that is taken twice */
	size_t ninflight;
	struct sim_packet inflight[SIM_MAX_INFLIGHT];
	/* what went on the wire, by start line: "INVITE", "200", ... */
	unsigned wire_total;
	unsigned wire_lost;
	unsigned refused; /* sends a link refused (reported to the sender) */
	char wire_log[512][16];
	size_t nwire;
	/* A test's man in the middle. media_tap sees every media datagram
	 * before its delivery and returns 1 to take it (it is then not
	 * delivered: sim_media_inject sends what the tap wants instead);
	 * sip_tap may rewrite a SIP message in place, its length unchanged,
	 * as it goes on the wire. NULL: none. */
	int (*media_tap)(struct sim *s, const struct sim_packet *pk, void *ctx);
	void (*sip_tap)(struct sim *s, size_t from, char *msg, size_t len, void *ctx);
	void *tap_ctx;
	int trace;       /* 1: every datagram's first line and every event; 2: whole
	                    messages, SDP bodies with every key REDACTED */
	FILE *trace_out; /* where the trace goes; NULL: stderr */
};

void sim_init(struct sim *s, uint64_t seed);
/* The configuration every simulated UA starts from: aor, optional SRTP
 * with one suite, media port 40000, TLS next hops verified
 * (tls_client_verifies); tests change what they need. */
void sim_ua_config(struct vox_ua_config *c, const char *aor);
/* A UA node at 10.0.0.(index+1):5060. cfg's host, rng and port are filled
 * in by the simulator; the rest is the caller's. ua must stay valid. */
int sim_add_ua(struct sim *s, struct vox_ua *ua, struct vox_ua_config *cfg);
int sim_add_registrar(struct sim *s, const char *user, const char *password);
/* Same link settings both ways between a and b, for SIP and media. */
void sim_link(struct sim *s, size_t a, size_t b, struct sim_link l);
/* The resolver knows name: n targets (UDP, IPv4 a.b.c.d:port each). */
void sim_add_name(struct sim *s, const char *name, size_t n, const struct vox_ua_target *t);
/* Link settings for media alone, both ways. */
void sim_media_link(struct sim *s, size_t a, size_t b, struct sim_link l);
/* Node n calls target with a media socket of its own (bound to the call);
 * what vox_ua_call returns. */
int sim_call(struct sim *s, size_t n, const char *target, vox_ua_handle account,
             vox_ua_handle *call);
/* Node n answers call with a media socket of its own; what vox_ua_answer
 * returns. */
int sim_answer(struct sim *s, size_t n, vox_ua_handle call);
/* The socket node n bound for call, or NULL. */
struct sim_media *sim_media_of(struct sim *s, size_t n, vox_ua_handle call);
/* Starts the voice of every node, a 20 ms frame every period_ms
 * (SIM_FRAME_MS as a phone does, more to send fewer packets), or stops it
 * (0). */
void sim_voice(struct sim *s, unsigned period_ms);
/* libsrtp2 contexts node n's media engines hold (0 once every call ended). */
unsigned sim_srtp_contexts(const struct sim *s, size_t n);
/* A media datagram from node `from`'s address and port sport to node
 * `to`'s port dport, delivered after delay ms (a tap's forgery: not
 * counted in from's wire statistics). */
void sim_media_inject(struct sim *s, size_t from, size_t to, uint16_t sport, uint16_t dport,
                      const uint8_t *p, size_t len, uint32_t delay);
/* Runs until `until` (absolute ms) or until nothing is left to do
 * (returns early then). Returns the time reached. */
uint64_t sim_run(struct sim *s, uint64_t until);
/* Runs until node n logs an event starting with `prefix`, or until
 * `until`. Returns 1 when it did. */
int sim_run_to_event(struct sim *s, size_t n, const char *prefix, uint64_t until);
/* The call handle of node n's latest logged event that names a call, or 0. */
vox_ua_handle sim_last_call(const struct sim *s, size_t n);
/* Messages on the wire whose start line begins with `what` ("INVITE", "200"). */
unsigned sim_wire_count(const struct sim *s, const char *what);
/* The node's URI ("sip:bob@10.0.0.2:5060"). */
const char *sim_uri(const struct sim *s, size_t n, const char *user, char *buf, size_t cap);
/* The deterministic rng of the simulation, as a vox_rng (for configs). */
int sim_rng(void *ctx, uint8_t *out, size_t len);
uint64_t sim_rand(struct sim *s);

#endif
