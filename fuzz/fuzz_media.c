/* SPDX-License-Identifier: MIT */
/*
 * One media engine (struct vox_media, "Alice" at 10.0.0.1:4000) driven by
 * the fuzz input, with the fuzzer playing the peer ("Bob", 10.0.0.2:5000,
 * RTCP on 5001) and strangers. Bob's packets are built from templates and
 * protected with the keys Alice holds, so the fuzzer gets past SRTP.
 *
 * Input: a header of 3 bytes, then records [op][len][len bytes]:
 *
 *   header[0]  bits 0-1 requirement (off, optional, mandatory, mandatory),
 *              bit 2 rtcp-mux, bit 3 keys before start (else none until a
 *              CONTROL sets them), bits 4-5 suite, bit 6 an MKI on every
 *              key, bit 7 a 1 s silence watch
 *   header[1]  seed of the deterministic rng
 *   header[2]  bits 0-1 direction, bit 2 telephone-event negotiated, bit 3
 *              PCMA, bits 4-5 ptime 10, 20, 30 or 40 ms, bits 6-7 the
 *              peer's ptime (same, 20, 10, 40)
 *
 *   op & 7   0 RAW      the bytes as a datagram from (op >> 3) & 3: Bob's
 *                       RTP address, his RTCP address, his address before
 *                       a re-target, a stranger
 *            1 RTP      Bob sends RTP: b0 flags (bit 0 telephone-event,
 *                       bit 1 marker, bit 2 a payload type from b0 >> 3),
 *                       b1 sequence step (signed, around +1), b2 timestamp
 *                       steps of 20 ms, the rest is the payload
 *            2 RTCP     Bob sends an SR (b0 bit 0) or RR with a report
 *                       block about Alice from b1.. (fraction, lost, jitter,
 *                       LSR from her last SR or the bytes), then SDES; a BYE
 *                       after it when b0 bit 1
 *            3 TIME     advance: no bytes = to the next deadline, else b0
 *                       times 1 ms, 20 ms, 1 s or 10 s ((op >> 3) & 3);
 *                       every deadline on the way fires on time
 *            4 PCM      b0 & 7 frames of Alice's audio (a tone of b1 * 8 Hz,
 *                       plus the bytes as noise), 20 ms apart, each played
 *            5 DTMF     Alice sends digit b0 for b1 * 10 ms
 *            6 CONTROL  b0 % 12: 0 direction b1, 1 rtcp-mux flip, 2 Bob
 *                       moves (re-target), 3 new keys both ways, 4 the same
 *                       keys again, 5 keys off, 6 stop, 7 requirement
 *                       raised to b1, 8 codec, ptime and telephone-event
 *                       from b1, 9 silence watch b1 * 100 ms; ZRTP:
 *                       10 Alice and Bob each start a ZRTP session (b1
 *                       bit 0: Bob's is passive, bit 1: Alice is given the
 *                       hash of Bob's Hello, bit 2: a wrong one; setup time
 *                       (b1 >> 3) * 500 ms + 200), 11 Bob's session hands
 *                       Alice what it has queued (b1 bit k: drop the k-th)
 *            7 REPLAY   one of the last 8 datagrams Bob sent (b0), again;
 *                       with b1 b2 (b1 != 0) one bit of it flipped
 *   op & 0x40  the length has a second (high) byte
 *   op & 0x80  Alice plays a frame after this step
 *
 * ZRTP: what Alice's session sends goes to Bob's (a vox_zrtp engine of
 * ours), which answers through op 11; RAW datagrams from Bob's address
 * reach Alice's session too. When the exchange completes Alice's keys are
 * ZRTP's, and the checks below use them.
 *
 * Checked after every step (abort() on violation):
 *  - every packet Alice sends goes to Bob's RTP address, or without
 *    rtcp-mux RTCP to his RTCP port from hers, fits VOX_MEDIA_OUT_MAX and
 *    is RTP or RTCP by RFC 7983, or a ZRTP packet that parses (to Bob's
 *    RTP address, under every requirement);
 *  - under MANDATORY, not one media packet leaves while her keys are off;
 *  - with ZRTP's keys, Alice's are those of Bob's session, crossed;
 *  - with keys on, every packet she sends authenticates at a receiver of
 *    ours under her current key, which also refuses any packet index it has
 *    seen: no clear packet, and no keystream used twice; with keys off,
 *    every packet is plain RTP or RTCP that parses;
 *  - a datagram she refuses (recv < 0) changes neither her jitter buffer
 *    nor the packets her RTP session accepted;
 *  - with keys on, a packet of Bob's that she accepted under keys before is
 *    refused when it comes again, and a copy with one bit flipped is never
 *    taken: nothing that fails SRTP is played;
 *  - after on_deadline(now) her next deadline lies after now;
 *  - play gives at most VOX_JB_MAX_FRAME samples;
 *  - events are known, SRTP failures name EAUTH, EREPLAY or ETOOOLD, a
 *    digit matches its event code.
 * At the end Alice stops (an RTCP BYE), the outputs are checked once more,
 * and vox_media_free runs twice. FUZZ_MEDIA_TRACE=1 prints her events.
 *
 * Each key set costs libsrtp2 a few ms to set up (NSS); inputs that never
 * set keys run much faster.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vox/media.h"
#include "vox/srtp.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libsrtp2's process-wide set-up, once (vox/srtp.h) */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return vox_srtp_global_init() < 0;
}

#define BOB_SSRC 0xb0b0b0b0u
#define NREPLAY  8
#define NFRAME   VOX_JB_MAX_FRAME

struct frng {
	uint64_t s;
};

static int frng_fn(void *ctx, uint8_t *out, size_t len)
{
	struct frng *r = ctx;
	for (size_t i = 0; i < len; i++) {
		r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (uint8_t)(r->s >> 56);
	}
	return 0;
}

struct sent {
	size_t len;
	struct vox_addr from;
	uint8_t protected_ok; /* taken by Alice with her keys on */
	uint32_t data[VOX_MEDIA_MAX_PACKET / 4 + 1];
};

static struct vox_media alice;
static struct vox_media_config cfg;
static struct frng rng_state;
static struct vox_rng rng;
static uint64_t now;
static struct vox_addr bob_rtp, bob_rtcp, bob_old, stranger;

/* keys: generation gen; Alice sends under key(gen, 0), Bob under key(gen, 1) */
static enum vox_srtp_suite suite;
static int with_mki;
static unsigned gen;
static int keys_known; /* Alice was given keys of generation gen */
static struct vox_srtp_session bob_tx, verify;
static unsigned bob_tx_gen, verify_gen; /* +1: 0 means none */

/* ZRTP: Bob's session, and whether Alice's keys are ZRTP's */
static struct vox_zrtp bob_z;
static struct frng bob_z_rng_state;
static struct vox_rng bob_z_rng;
static int zkeys;

static uint16_t bob_seq;
static uint32_t bob_ts;
static struct sent replay[NREPLAY];
static unsigned nreplay;
static uint32_t pkt[VOX_MEDIA_OUT_MAX / 4 + 1], back[VOX_MEDIA_MAX_PACKET / 4 + 1];

static void check(int ok)
{
	if (!ok)
		abort();
}

static struct vox_addr addr4(uint8_t host, uint16_t port)
{
	struct vox_addr a;
	memset(&a, 0, sizeof a);
	a.family = 4;
	a.ip[0] = 10;
	a.ip[3] = host;
	a.port = port;
	return a;
}

static int addr_eq(const struct vox_addr *x, const struct vox_addr *y)
{
	return x->family == y->family && x->port == y->port && memcmp(x->ip, y->ip, 4) == 0;
}

/* The keys of generation g, as SDES would bring them. */
static void gen_key(struct vox_srtp_key *k, unsigned g, int dir)
{
	memset(k, 0, sizeof *k);
	k->suite = suite;
	for (size_t i = 0; i < sizeof k->key; i++)
		k->key[i] = (uint8_t)(g * 31 + (unsigned)dir * 101 + i * 7 + 1);
	for (size_t i = 0; i < sizeof k->salt; i++)
		k->salt[i] = (uint8_t)(g * 17 + (unsigned)dir * 53 + i * 3 + 5);
	if (with_mki) {
		k->mki_len = 2;
		k->mki[0] = (uint8_t)g;
		k->mki[1] = (uint8_t)dir;
	}
}

/* The keys Alice holds now: generation g's, or ZRTP's (Alice sends under
 * her tx key, Bob under her rx one). */
static void key_of(struct vox_srtp_key *k, unsigned g, int dir)
{
	if (zkeys)
		*k = dir ? alice.keys.rx : alice.keys.tx;
	else
		gen_key(k, g, dir);
}

static int keys_on(void)
{
	return vox_media_prot(&alice) != VOX_MEDIA_PROT_NONE;
}

/* Bob's sender and our verifier follow the generation Alice holds. */
static void sync_sessions(void)
{
	struct vox_srtp_key k;
	if (bob_tx_gen != gen + 1) {
		vox_srtp_session_free(&bob_tx);
		key_of(&k, gen, 1);
		check(vox_srtp_session_start(&bob_tx, VOX_SRTP_SEND, &k, BOB_SSRC, 0) == 0);
		bob_tx_gen = gen + 1;
	}
	if (verify_gen != gen + 1) {
		vox_srtp_session_free(&verify);
		key_of(&k, gen, 0);
		check(vox_srtp_session_start(&verify, VOX_SRTP_RECV, &k, 0, VOX_SRTP_ANY_SSRC) ==
		      0);
		verify_gen = gen + 1;
	}
}

static int set_keys(unsigned g)
{
	struct vox_media_keys ks;
	memset(&ks, 0, sizeof ks);
	ks.source = VOX_MEDIA_PROT_SDES;
	gen_key(&ks.tx, g, 0);
	gen_key(&ks.rx, g, 1);
	int rc = vox_media_set_keys(&alice, &ks, now);
	if (rc == 0) {
		if (g != gen || !keys_known || zkeys) {
			zkeys = 0;
			/* new contexts: our verifier starts afresh too */
			verify_gen = 0;
			bob_tx_gen = 0;
		}
		gen = g;
		keys_known = 1;
	}
	return rc;
}

/* Alice's ZRTP keys are Bob's session's, crossed (RFC 6189 4.5.3). */
static void zrtp_keys_taken(void)
{
	struct vox_zrtp_srtp bk;
	check(vox_zrtp_srtp_keys(&bob_z, &bk) == 0);
	check(vox_media_prot(&alice) == VOX_MEDIA_PROT_ZRTP);
	check(memcmp(alice.keys.tx.key, bk.rx_key, bk.key_len) == 0);
	check(memcmp(alice.keys.rx.key, bk.tx_key, bk.key_len) == 0);
	check(memcmp(alice.keys.tx.salt, bk.rx_salt, VOX_ZRTP_SALT_LEN) == 0);
	vox_wipe(&bk, sizeof bk);
	zkeys = 1;
	verify_gen = 0;
	bob_tx_gen = 0;
	gen++;
	keys_known = 1;
}

static void check_events(void)
{
	struct vox_media_event ev;
	while (vox_media_next_event(&alice, &ev)) {
		check(ev.type >= VOX_MEDIA_EV_STARTED && ev.type <= VOX_MEDIA_EV_ZRTP_FAILED);
		if (getenv("FUZZ_MEDIA_TRACE"))
			fprintf(stderr, "[%llu] %s\n", (unsigned long long)now,
			        vox_media_ev_name(ev.type));
		if (ev.type == VOX_MEDIA_EV_ZRTP_SECURE)
			zrtp_keys_taken();
		if (ev.type == VOX_MEDIA_EV_ZRTP_SAS)
			check(ev.zrtp.sas[0] && ev.zrtp.sas[sizeof ev.zrtp.sas - 1] == 0);
		if (ev.type == VOX_MEDIA_EV_SRTP_FAILURE)
			check((ev.err == VOX_EAUTH || ev.err == VOX_EREPLAY ||
			       ev.err == VOX_ETOOOLD) &&
			      ev.count >= 1);
		if (ev.type == VOX_MEDIA_EV_DTMF)
			check(ev.dtmf.digit == vox_dtmf_digit_of(ev.dtmf.event));
	}
}

static void check_outputs(void)
{
	/* at most an RTCP report, a DTMF and an audio packet wait */
	for (int guard = 0;; guard++) {
		check(guard < 16);
		struct vox_media_dest to;
		int n = vox_media_poll_output(&alice, (uint8_t *)pkt, sizeof pkt, &to);
		if (n <= 0) {
			/* an error loses one packet (counted); the next poll goes on */
			check(n == 0 || alice.st.tx_errors > 0);
			if (n == 0)
				break;
			continue;
		}
		check((size_t)n <= VOX_MEDIA_OUT_MAX);
		enum vox_demux_kind k = vox_demux_classify((uint8_t *)pkt, (size_t)n);
		if (k == VOX_DEMUX_ZRTP) {
			/* the key agreement: a packet that parses, to Bob's RTP
			 * address, under every requirement; Bob's session takes it */
			struct vox_zrtp_packet zp;
			check(alice.zrtp_on);
			check(vox_zrtp_parse((uint8_t *)pkt, (size_t)n, &zp, NULL) == n);
			check(addr_eq(&to.addr, &alice.cfg.remote_rtp) && !to.rtcp_port);
			if (bob_z.state != VOX_ZRTP_ST_IDLE)
				(void)vox_zrtp_recv(&bob_z, (uint8_t *)pkt, (size_t)n, now);
			continue;
		}
		/* MANDATORY without keys: not one media packet */
		check(!(alice.cfg.require == VOX_MEDIA_REQUIRE_MANDATORY && !keys_on()));
		check(k == VOX_DEMUX_RTP || k == VOX_DEMUX_RTCP);
		if (k == VOX_DEMUX_RTP || alice.cfg.rtcp_mux)
			check(addr_eq(&to.addr, &alice.cfg.remote_rtp) && !to.rtcp_port);
		else
			check(addr_eq(&to.addr, &alice.rtcp_addr) && to.rtcp_port);
		if (keys_on()) {
			sync_sessions();
			int r = k == VOX_DEMUX_RTP
			            ? vox_srtp_session_unprotect(&verify, (uint8_t *)pkt, (size_t)n,
			                                         (uint8_t *)back, sizeof back)
			            : vox_srtp_session_unprotect_rtcp(&verify, (uint8_t *)pkt,
			                                              (size_t)n, (uint8_t *)back,
			                                              sizeof back);
			/* VOX_ELIMIT: more SSRCs (after collisions in clear) than a
			 * receiver learns; nothing to conclude */
			check(r > 0 || r == VOX_ELIMIT);
		} else if (k == VOX_DEMUX_RTP) {
			struct vox_rtp_packet p;
			check(vox_rtp_parse((uint8_t *)pkt, (size_t)n, &p, NULL) == n);
		} else {
			struct vox_rtcp_compound c;
			check(vox_rtcp_parse((uint8_t *)pkt, (size_t)n, 0, &c, NULL) == n);
		}
	}
	check_events();
}

/* Delivers one datagram to Alice and checks what a refusal leaves alone. */
static int deliver(const uint8_t *p, size_t n, const struct vox_addr *from)
{
	uint64_t put = alice.jb.st.received, rtp = alice.st.rtp_accepted;
	uint64_t rtcp = alice.st.rtcp_accepted;
	int rc = vox_media_recv(&alice, p, n, from, now);
	if (rc < 0)
		check(alice.jb.st.received == put && alice.st.rtp_accepted == rtp &&
		      alice.st.rtcp_accepted == rtcp);
	return rc;
}

static void bob_sends(const uint8_t *p, size_t n, const struct vox_addr *from)
{
	int was_on = keys_on();
	int rc = deliver(p, n, from);
	struct sent *s = &replay[nreplay++ % NREPLAY];
	s->len = n;
	s->from = *from;
	s->protected_ok = rc == 0 && was_on;
	memcpy(s->data, p, n);
}

/* Protects Bob's packet when Alice's keys are on. Returns the length, or
 * 0 when Bob's sender refuses (a sequence number it used before). */
static size_t bob_protect(size_t n, int rtcp)
{
	if (!keys_on())
		return n;
	sync_sessions();
	int r =
	    rtcp ? vox_srtp_session_protect_rtcp(&bob_tx, (uint8_t *)pkt, n, (uint8_t *)pkt,
	                                         sizeof pkt)
	         : vox_srtp_session_protect(&bob_tx, (uint8_t *)pkt, n, (uint8_t *)pkt, sizeof pkt);
	return r > 0 ? (size_t)r : 0;
}

static void op_rtp(const uint8_t *b, size_t n)
{
	if (n < 3)
		return;
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	if (b[0] & 4)
		p.pt = (uint8_t)(b[0] >> 3);
	else if (b[0] & 1)
		p.pt = alice.cfg.dtmf_pt ? alice.cfg.dtmf_pt : 101;
	else
		p.pt = alice.cfg.pt;
	p.marker = (b[0] >> 1) & 1;
	bob_seq = (uint16_t)(bob_seq + (int8_t)b[1] + 1);
	bob_ts += (uint32_t)b[2] * 160;
	p.seq = bob_seq;
	p.ts = bob_ts;
	p.ssrc = BOB_SSRC;
	p.payload = b + 3;
	p.payload_len = n - 3 > NFRAME ? NFRAME : n - 3;
	int len = vox_rtp_print(&p, (uint8_t *)pkt, sizeof pkt - VOX_MEDIA_TRAILER_MAX);
	if (len <= 0)
		return;
	size_t out = bob_protect((size_t)len, 0);
	if (out)
		bob_sends((uint8_t *)pkt, out, &bob_rtp);
}

static void op_rtcp(const uint8_t *b, size_t n)
{
	if (n < 1)
		return;
	uint8_t f[16];
	memset(f, 0, sizeof f);
	memcpy(f, b + 1, n - 1 > sizeof f ? sizeof f : n - 1);
	struct vox_rtcp_rb rb;
	memset(&rb, 0, sizeof rb);
	rb.ssrc = alice.rtp.ssrc;
	rb.fraction_lost = f[0];
	rb.cumulative_lost = (int32_t)((uint32_t)f[1] << 8 | f[2]) - 1000;
	rb.ext_highest_seq = alice.rtp.seq;
	rb.jitter = (uint32_t)f[3] << 4;
	/* LSR: the middle of Alice's last SR time, or the bytes */
	rb.lsr = f[4] & 1
	             ? (uint32_t)(vox_rtp_session_ntp(&alice.rtp, alice.rtp.last_send_ms) >> 16)
	             : (uint32_t)f[5] << 24 | (uint32_t)f[6] << 16;
	rb.dlsr = (uint32_t)f[7] << 8;
	struct vox_writer w;
	vox_writer_init(&w, (char *)pkt, sizeof pkt - VOX_MEDIA_TRAILER_MAX);
	int rc;
	if (b[0] & 1) {
		struct vox_rtcp_sender_info si = {(uint64_t)now << 32, bob_ts, 1, 160};
		rc = vox_rtcp_print_sr(&w, BOB_SSRC, &si, &rb, 1);
	} else {
		rc = vox_rtcp_print_rr(&w, BOB_SSRC, &rb, 1);
	}
	if (rc == 0)
		rc = vox_rtcp_print_sdes_cname(&w, BOB_SSRC, vox_slice_cstr("bob@fuzz"));
	if (rc == 0 && (b[0] & 2)) {
		uint32_t ssrc = BOB_SSRC;
		rc = vox_rtcp_print_bye(&w, &ssrc, 1, vox_slice_cstr("bye"));
	}
	int len = rc == 0 ? vox_writer_finish(&w) : rc;
	if (len <= 0)
		return;
	size_t out = bob_protect((size_t)len, 1);
	if (out)
		bob_sends((uint8_t *)pkt, out, alice.cfg.rtcp_mux ? &bob_rtp : &bob_rtcp);
}

static void fire(uint64_t t)
{
	now = t;
	if (bob_z.state != VOX_ZRTP_ST_IDLE)
		vox_zrtp_on_deadline(&bob_z, now);
	check(vox_media_on_deadline(&alice, now) == 0);
	check(vox_media_next_deadline(&alice) > now);
	check_outputs();
}

/* Advances to t, firing every deadline on the way at its time. */
static void advance(uint64_t t)
{
	for (int guard = 0; guard < 100000; guard++) {
		uint64_t d = vox_media_next_deadline(&alice);
		if (d > t)
			break;
		fire(d > now ? d : now);
	}
	if (t > now)
		now = t;
}

static void play(void)
{
	int16_t out[NFRAME];
	int n = vox_media_play(&alice, out, NFRAME, now);
	check(n >= 0 && n <= NFRAME);
}

static void op_time(uint8_t scale, const uint8_t *b, size_t n)
{
	static const uint64_t unit[4] = {1, 20, 1000, 10000};
	if (n == 0) {
		uint64_t d = vox_media_next_deadline(&alice);
		if (d != UINT64_MAX)
			fire(d > now ? d : now);
		return;
	}
	advance(now + b[0] * unit[scale & 3]);
}

static void op_pcm(const uint8_t *b, size_t n)
{
	if (n < 2)
		return;
	int16_t pcm[NFRAME];
	uint32_t phase = 0;
	for (unsigned f = 0; f < (b[0] & 7u); f++) {
		vox_tone_gen(pcm, alice.tx_frame, 8000, (float)b[1] * 8, 0, 6000, &phase);
		for (size_t i = 2; i < n && i - 2 < alice.tx_frame; i++)
			pcm[i - 2] = (int16_t)(pcm[i - 2] + (int8_t)b[i] * 64);
		int rc = vox_media_send_pcm(&alice, pcm, alice.tx_frame, now);
		check(rc == 1 || rc == 0 || rc == VOX_EPOLICY || rc == VOX_EPOOL ||
		      rc == VOX_ESTATE);
		check_outputs();
		advance(now + 20);
		play();
	}
}

/* CONTROL 10: both ZRTP sessions start. */
static void zrtp_start(uint8_t f)
{
	struct vox_zrtp_config zc;
	vox_zrtp_config_default(&zc);
	memcpy(zc.zid, "fuzz-bob-zid", VOX_ZRTP_ZID_LEN);
	zc.ssrc = BOB_SSRC;
	zc.passive = f & 1;
	if (bob_z.state == VOX_ZRTP_ST_IDLE)
		check(vox_zrtp_start(&bob_z, &zc, &bob_z_rng, now) == 0);
	memcpy(zc.zid, "fuzz-alicezd", VOX_ZRTP_ZID_LEN);
	zc.passive = 0;
	int rc = vox_media_zrtp_start(&alice, &zc, &rng, 200u + 500u * (f >> 3), now);
	check(rc == 0 || rc == VOX_ESTATE);
	if (rc == 0 && (f & 2)) {
		char v[70];
		uint8_t h[32];
		check(vox_zrtp_own_hello_hash(&bob_z, v, sizeof v) == 69);
		struct vox_slice hex = {v + 5, 64};
		check(vox_hex_decode(hex, h, sizeof h) == 32);
		h[0] ^= (uint8_t)(f & 4);
		check(vox_media_zrtp_expect_hash(&alice, h) == 0);
	}
	check_outputs();
}

/* CONTROL 11: Bob's session hands Alice what it has queued. */
static void zrtp_bob_sends(uint8_t drop)
{
	if (bob_z.state == VOX_ZRTP_ST_IDLE)
		return;
	struct vox_zrtp_event ev;
	while (vox_zrtp_next_event(&bob_z, &ev))
		;
	for (unsigned k = 0; k < VOX_ZRTP_OUT_QUEUE + 2; k++) {
		int n = vox_zrtp_poll_output(&bob_z, (uint8_t *)pkt, sizeof pkt);
		check(n >= 0);
		if (n == 0)
			break;
		if (k < 8 && (drop >> k & 1))
			continue;
		(void)deliver((uint8_t *)pkt, (size_t)n, &bob_rtp);
		check_outputs();
	}
}

static void op_control(const uint8_t *b, size_t n)
{
	if (n < 2)
		return;
	struct vox_media_config c = alice.cfg;
	switch (b[0] % 12) {
	case 10: zrtp_start(b[1]); return;
	case 11: zrtp_bob_sends(b[1]); return;
	case 0: c.dir = (enum vox_media_dir)(b[1] & 3); break;
	case 1: c.rtcp_mux = !c.rtcp_mux; break;
	case 2:
		bob_old = bob_rtp;
		bob_rtp = addr4(bob_rtp.ip[3] == 2 ? 3 : 2, (uint16_t)(bob_rtp.port + 2));
		bob_rtcp = bob_rtp;
		bob_rtcp.port++;
		c.remote_rtp = bob_rtp;
		break;
	case 3: (void)set_keys(gen + 1); return;
	case 4:
		if (keys_known)
			(void)set_keys(gen);
		return;
	case 5: {
		struct vox_media_keys none;
		memset(&none, 0, sizeof none);
		check(vox_media_set_keys(&alice, &none, now) == 0 ||
		      alice.state == VOX_MEDIA_STOPPED);
		return;
	}
	case 6: {
		int rc = vox_media_stop(&alice, now);
		check(rc == 0 || rc == VOX_ESTATE);
		return;
	}
	case 7: c.require = (enum vox_media_require)(b[1] % 3); break;
	case 8:
		c.pt = b[1] & 1 ? 8 : 0;
		c.law = b[1] & 1 ? VOX_G711_ALAW : VOX_G711_ULAW;
		c.ptime_ms = 10u * (1 + ((b[1] >> 1) & 3));
		c.rx_ptime_ms = (b[1] & 8) ? 20 : 0;
		c.dtmf_pt = (b[1] & 16) ? 101 : 0;
		break;
	case 9: c.silence_ms = 100u * b[1]; break;
	}
	int rc = vox_media_update(&alice, &c, now);
	check(rc == 0 || rc == VOX_EPOLICY || rc == VOX_ESTATE || rc == VOX_EINVAL);
	if (rc == 0)
		cfg = c;
}

static void op_replay(const uint8_t *b, size_t n)
{
	if (n < 1 || nreplay == 0)
		return;
	unsigned k = nreplay < NREPLAY ? nreplay : NREPLAY;
	struct sent *s = &replay[b[0] % k];
	memcpy(pkt, s->data, s->len);
	int flipped = n >= 3 && b[1];
	if (flipped) {
		size_t bit = ((size_t)b[1] << 8 | b[2]) % (s->len * 8);
		((uint8_t *)pkt)[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	int on = keys_on();
	uint64_t put = alice.jb.st.received, acc = alice.st.rtp_accepted;
	int rc = deliver((uint8_t *)pkt, s->len, &s->from);
	if (on && (flipped || s->protected_ok)) {
		/* SRTP refuses it: a replay, or not authentic */
		check(rc != 0);
		check(alice.jb.st.received == put && alice.st.rtp_accepted == acc);
	}
}

static void reset(const uint8_t *h)
{
	vox_media_free(&alice);
	vox_srtp_session_free(&bob_tx);
	vox_srtp_session_free(&verify);
	vox_media_init(&alice);
	vox_zrtp_free(&bob_z);
	vox_zrtp_init(&bob_z);
	bob_z_rng_state.s = (uint64_t)h[1] << 8 | 0x5a;
	bob_z_rng = (struct vox_rng){frng_fn, &bob_z_rng_state};
	zkeys = 0;
	static const enum vox_srtp_suite suites[4] = {
	    VOX_SRTP_AES_CM_128_HMAC_SHA1_80, VOX_SRTP_AES_CM_128_HMAC_SHA1_32,
	    VOX_SRTP_AEAD_AES_128_GCM, VOX_SRTP_AES_256_CM_HMAC_SHA1_80};
	suite = suites[(h[0] >> 4) & 3];
	with_mki = (h[0] >> 6) & 1;
	gen = 0;
	keys_known = 0;
	bob_tx_gen = verify_gen = 0;
	bob_seq = (uint16_t)(h[1] * 257);
	bob_ts = 0;
	nreplay = 0;
	now = 1000;
	rng_state.s = h[1];
	rng.fn = frng_fn;
	rng.ctx = &rng_state;
	bob_rtp = bob_old = addr4(2, 5000);
	bob_rtcp = addr4(2, 5001);
	stranger = addr4(9, 5000);
	vox_media_config_init(&cfg, &bob_rtp, vox_slice_cstr("alice@fuzz"));
	cfg.require = (enum vox_media_require)((h[0] & 3) == 3 ? 2 : h[0] & 3);
	cfg.rtcp_mux = (h[0] >> 2) & 1;
	cfg.silence_ms = (h[0] & 0x80) ? 1000 : 0;
	cfg.dir = (enum vox_media_dir)(h[2] & 3);
	cfg.dtmf_pt = (h[2] & 4) ? 101 : 0;
	if (h[2] & 8) {
		cfg.pt = 8;
		cfg.law = VOX_G711_ALAW;
	}
	cfg.ptime_ms = 10u * (1 + ((h[2] >> 4) & 3));
	static const uint32_t rx[4] = {0, 20, 10, 40};
	cfg.rx_ptime_ms = rx[h[2] >> 6];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3)
		return 0;
	reset(data);
	if (data[0] & 8) {
		int rc = set_keys(0);
		check(rc == 0);
	}
	int rc = vox_media_start(&alice, &cfg, &rng, now);
	if (rc < 0) {
		/* keys under OFF, or a ptime the jitter buffer cannot hold */
		check(rc == VOX_EPOLICY || rc == VOX_EINVAL);
		vox_media_free(&alice);
		return 0;
	}
	check_outputs();
	size_t i = 3;
	while (i < size) {
		uint8_t op = data[i++];
		if (i >= size)
			break;
		size_t len = data[i++];
		if (op & 0x40) {
			if (i >= size)
				break;
			len = len << 8 | data[i++];
		}
		if (len > size - i)
			len = size - i;
		const uint8_t *b = data + i;
		i += len;
		switch (op & 7) {
		case 0: {
			const struct vox_addr *from[4] = {&bob_rtp, &bob_rtcp, &bob_old, &stranger};
			(void)deliver(b, len, from[(op >> 3) & 3]);
			break;
		}
		case 1: op_rtp(b, len); break;
		case 2: op_rtcp(b, len); break;
		case 3: op_time((uint8_t)(op >> 3), b, len); break;
		case 4: op_pcm(b, len); break;
		case 5:
			if (len >= 2) {
				int r = vox_media_send_dtmf(&alice, (char)b[0], b[1] * 10u, now);
				(void)r;
			}
			break;
		case 6: op_control(b, len); break;
		case 7: op_replay(b, len); break;
		}
		if (op & 0x80)
			play();
		check_outputs();
	}
	rc = vox_media_stop(&alice, now);
	check(rc == 0 || rc == VOX_ESTATE);
	advance(now + 10000);
	check_outputs();
	vox_media_free(&alice);
	vox_media_free(&alice);
	vox_zrtp_free(&bob_z);
	vox_srtp_session_free(&bob_tx);
	vox_srtp_session_free(&verify);
	return 0;
}
