/* SPDX-License-Identifier: MIT */
/*
 * The media engine's cost per packet beside raw libsrtp2, on the same
 * packets, in the same run (issue 10's budget: the engine adds at most
 * 10 % to what libsrtp2 costs).
 *
 * Send: the engine takes a 20 ms PCM frame (vox_media_send_pcm: G.711)
 * and writes the SRTP packet into our buffer (vox_media_poll_output: RTP
 * header and counters, protect in place). Raw: the same frame is G.711
 * encoded behind a hand-written 12-byte header and srtp_protect()ed in
 * place: what a caller wiring libsrtp2 by hand does at the least.
 *
 * Receive: the engine takes each SRTP packet the engine sent
 * (vox_media_recv: demux, source and payload-type checks, unprotect into
 * its scratch, RFC 3550 A.1/A.8 statistics, jitter buffer) and gives a
 * frame back (vox_media_play: jitter buffer, G.711 decode). Raw: the same
 * packets are copied into a work buffer, srtp_unprotect()ed and G.711
 * decoded.
 *
 * So both sides do the codec work and libsrtp2's; the ratio is what the
 * engine's bookkeeping adds. A second figure sets the engine's extra time
 * against libsrtp2's own time alone. Unprotect needs packets never seen,
 * so every round has fresh engines and fresh raw receivers (set up outside
 * the timing). Each round is timed in stretches of CHUNK packets, the
 * engine and raw in turn and in alternating order, so that a slow patch of
 * a shared machine hits both; the figures are medians over the stretches.
 * Printed, never asserted.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "bench.h"

#include "vox/media.h"
#include "vox/srtp.h"

#define BATCH  2048 /* packets per round */
#define CHUNK  128  /* packets per timed stretch */
#define ROUNDS 21
#define NCH    (ROUNDS * (BATCH / CHUNK))
#define FRAME  160

static uint64_t seed = 42;

static int rng_fn(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (uint8_t)(*s >> 56);
	}
	return 0;
}

static void keys(struct vox_media_keys *a, struct vox_media_keys *b)
{
	memset(a, 0, sizeof *a);
	a->source = VOX_MEDIA_PROT_SDES;
	a->tx.suite = a->rx.suite = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	for (size_t i = 0; i < sizeof a->tx.key; i++) {
		a->tx.key[i] = (uint8_t)(i * 13 + 1);
		a->rx.key[i] = (uint8_t)(i * 17 + 3);
	}
	for (size_t i = 0; i < sizeof a->tx.salt; i++) {
		a->tx.salt[i] = (uint8_t)(i * 7 + 5);
		a->rx.salt[i] = (uint8_t)(i * 5 + 9);
	}
	*b = *a;
	b->tx = a->rx;
	b->rx = a->tx;
}

static const struct vox_addr addr_a = {4, {10, 0, 0, 1}, 4000};
static const struct vox_addr addr_b = {4, {10, 0, 0, 2}, 5000};

static void engine(struct vox_media *m, const struct vox_addr *peer, const struct vox_media_keys *k,
                   const char *cname)
{
	struct vox_media_config c;
	struct vox_rng rng = {rng_fn, &seed};
	vox_media_init(m);
	vox_media_config_init(&c, peer, vox_slice_cstr(cname));
	c.require = VOX_MEDIA_REQUIRE_MANDATORY;
	if (vox_media_set_keys(m, k, 0) != 0 || vox_media_start(m, &c, &rng, 0) != 0) {
		fprintf(stderr, "engine set-up failed\n");
		exit(1);
	}
	struct vox_media_event ev;
	while (vox_media_next_event(m, &ev))
		;
}

/* Raw libsrtp2, one direction, AES_CM_128_HMAC_SHA1_80 with key k. */
static srtp_t raw_session(const struct vox_srtp_key *k, int inbound)
{
	srtp_policy_t p;
	memset(&p, 0, sizeof p);
	srtp_crypto_policy_set_rtp_default(&p.rtp);
	srtp_crypto_policy_set_rtcp_default(&p.rtcp);
	unsigned char ks[30];
	memcpy(ks, k->key, 16);
	memcpy(ks + 16, k->salt, 14);
	p.key = ks;
	p.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
	p.window_size = VOX_SRTP_REPLAY_WINDOW;
	srtp_t s = NULL;
	if (srtp_create(&s, &p) != srtp_err_status_ok) {
		fprintf(stderr, "srtp_create failed\n");
		exit(1);
	}
	return s;
}

static int16_t pcm[FRAME];
static uint32_t batch[BATCH][VOX_MEDIA_OUT_MAX / 4 + 1];
static int batch_len[BATCH];
static uint32_t work[VOX_MEDIA_OUT_MAX / 4 + 1];

static double now_s(void)
{
	return 1e-9 * bench_ns(CLOCK_MONOTONIC);
}

/* The engine sends frames from..to-1 into batch[]. */
static double engine_send(struct vox_media *a, int from, int to_)
{
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		struct vox_media_dest to;
		uint64_t t = (uint64_t)i * 20;
		if (vox_media_send_pcm(a, pcm, FRAME, t) != 1)
			exit(2);
		batch_len[i] = vox_media_poll_output(a, (uint8_t *)batch[i], sizeof batch[i], &to);
		if (batch_len[i] != 12 + FRAME + 10)
			exit(3);
	}
	return now_s() - t0;
}

static double raw_send(srtp_t tx, uint16_t *seq, uint32_t *ts, int from, int to_)
{
	uint8_t *p = (uint8_t *)work;
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		p[0] = 0x80;
		p[1] = 0;
		p[2] = (uint8_t)(*seq >> 8);
		p[3] = (uint8_t)*seq;
		p[4] = (uint8_t)(*ts >> 24);
		p[5] = (uint8_t)(*ts >> 16);
		p[6] = (uint8_t)(*ts >> 8);
		p[7] = (uint8_t)*ts;
		p[8] = 0x12;
		p[9] = 0x34;
		p[10] = 0x56;
		p[11] = 0x78;
		vox_g711_encode(VOX_G711_ULAW, pcm, FRAME, p + 12);
		int n = 12 + FRAME;
		if (srtp_protect(tx, p, &n) != srtp_err_status_ok)
			exit(4);
		(*seq)++;
		*ts += FRAME;
	}
	return now_s() - t0;
}

static double engine_recv(struct vox_media *b, int from, int to_)
{
	int16_t out[VOX_JB_MAX_FRAME];
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		uint64_t t = 30 + (uint64_t)i * 20;
		if (vox_media_recv(b, (uint8_t *)batch[i], (size_t)batch_len[i], &addr_a, t) != 0)
			exit(5);
		if (vox_media_play(b, out, VOX_JB_MAX_FRAME, t) < 0)
			exit(6);
	}
	return now_s() - t0;
}

static double raw_recv(srtp_t rx, int from, int to_)
{
	int16_t out[FRAME];
	uint8_t *p = (uint8_t *)work;
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		int n = batch_len[i];
		memcpy(p, batch[i], (size_t)n);
		if (srtp_unprotect(rx, p, &n) != srtp_err_status_ok || n != 12 + FRAME)
			exit(8);
		vox_g711_decode(VOX_G711_ULAW, p + 12, FRAME, out);
	}
	return now_s() - t0;
}

/* libsrtp2 alone on the same packets: protect a copy of the header and
 * payload, or unprotect a copy of the SRTP packet. */
static double srtp_protect_only(srtp_t tx, int from, int to_)
{
	uint8_t *p = (uint8_t *)work;
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		int n = batch_len[i] - 10;
		memcpy(p, batch[i], (size_t)n);
		if (srtp_protect(tx, p, &n) != srtp_err_status_ok)
			exit(9);
	}
	return now_s() - t0;
}

static double srtp_unprotect_only(srtp_t rx, int from, int to_)
{
	uint8_t *p = (uint8_t *)work;
	double t0 = now_s();
	for (int i = from; i < to_; i++) {
		int n = batch_len[i];
		memcpy(p, batch[i], (size_t)n);
		if (srtp_unprotect(rx, p, &n) != srtp_err_status_ok)
			exit(10);
	}
	return now_s() - t0;
}

int main(void)
{
	if (vox_srtp_global_init() != 0)
		return 1;
	uint32_t phase = 0;
	vox_tone_gen(pcm, FRAME, 8000, 1000, 0, 8000, &phase);
	struct vox_media_keys ka, kb;
	keys(&ka, &kb);
	static struct vox_media a, b;
	/* per chunk: times of the six timed stretches, then their ratios */
	static double es[NCH], rs[NCH], er[NCH], rr[NCH], sp[NCH], su[NCH];
	static double send_ratio[NCH], recv_ratio[NCH], send_add[NCH], recv_add[NCH];
	uint16_t rseq = 1;
	uint32_t rts = 0;
	srtp_t rtx = raw_session(&ka.tx, 0);
	int k = 0;
	for (int r = 0; r < ROUNDS; r++) {
		engine(&a, &addr_b, &ka, "a@bench");
		engine(&b, &addr_a, &kb, "b@bench");
		srtp_t rrx = raw_session(&ka.tx, 1), otx = raw_session(&ka.tx, 0);
		srtp_t orx = raw_session(&ka.tx, 1);
		/* Chunks, each side in turn and the order alternating, so that a
		 * slow patch of a shared machine hits both sides alike. */
		for (int c = 0; c < BATCH; c += CHUNK) {
			int e = c + CHUNK, first = (c / CHUNK + r) % 2, i = k + c / CHUNK;
			if (first)
				es[i] = engine_send(&a, c, e);
			rs[i] = raw_send(rtx, &rseq, &rts, c, e);
			if (!first)
				es[i] = engine_send(&a, c, e);
			sp[i] = srtp_protect_only(otx, c, e);
		}
		for (int c = 0; c < BATCH; c += CHUNK) {
			int e = c + CHUNK, first = (c / CHUNK + r) % 2, i = k + c / CHUNK;
			if (first)
				er[i] = engine_recv(&b, c, e);
			rr[i] = raw_recv(rrx, c, e);
			if (!first)
				er[i] = engine_recv(&b, c, e);
			su[i] = srtp_unprotect_only(orx, c, e);
		}
		if (b.st.played < BATCH - 8 || b.st.srtp_auth)
			exit(7);
		srtp_dealloc(rrx);
		srtp_dealloc(otx);
		srtp_dealloc(orx);
		vox_media_free(&a);
		vox_media_free(&b);
		k += BATCH / CHUNK;
	}
	for (int i = 0; i < NCH; i++) {
		send_ratio[i] = es[i] / rs[i];
		recv_ratio[i] = er[i] / rr[i];
		send_add[i] = (es[i] - rs[i]) / sp[i];
		recv_add[i] = (er[i] - rr[i]) / su[i];
	}
	srtp_dealloc(rtx);
	double ns = 1e9 / CHUNK;
	printf("media engine per packet (G.711 20 ms, AES_CM_128_HMAC_SHA1_80, %s): %d rounds "
	       "of %d packets\ntimed in stretches of %d; medians over the stretches; raw = "
	       "libsrtp2 + G.711 + a bare\nheader, srtp = libsrtp2 alone, on the same packets\n",
	       srtp_get_version_string(), ROUNDS, BATCH, CHUNK);
	printf("%-8s %10s %10s %10s %9s %22s\n", "path", "srtp ns", "raw ns", "engine ns",
	       "eng/raw", "engine extra / srtp");
	printf("%-8s %10.0f %10.0f %10.0f %9.3f %21.1f%%\n", "send", bench_median(sp, NCH) * ns,
	       bench_median(rs, NCH) * ns, bench_median(es, NCH) * ns,
	       bench_median(send_ratio, NCH), bench_median(send_add, NCH) * 100);
	printf("%-8s %10.0f %10.0f %10.0f %9.3f %21.1f%%\n", "receive", bench_median(su, NCH) * ns,
	       bench_median(rr, NCH) * ns, bench_median(er, NCH) * ns,
	       bench_median(recv_ratio, NCH), bench_median(recv_add, NCH) * 100);
	printf("sizeof(struct vox_media) = %zu bytes (libsrtp2's contexts on its heap besides)\n",
	       sizeof(struct vox_media));
	vox_srtp_global_shutdown();
	return 0;
}
