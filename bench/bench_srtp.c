/* SPDX-License-Identifier: MIT */
/*
 * SRTP protect and unprotect through vox's glue and through raw libsrtp2,
 * in the same run, for every suite the installed libsrtp2 runs, with G.711
 * sized (160 bytes) and video sized (1200 bytes) payloads.
 *
 * Both paths do the same work per packet: raw libsrtp2 works in place, so
 * its loop copies the packet into the working buffer first (as a caller who
 * keeps the plain packet must); vox copies from its const input into the
 * output buffer. Unprotect needs packets never seen before, so each round
 * unprotects a fresh batch of protected packets with a fresh receiver (set
 * up outside the timed loop). In each round vox and raw run back to back,
 * in alternating order; the ratio is the median of the per-round ratios
 * (so a slow patch on a shared machine hits both sides of a pair) and the
 * rates are medians over rounds. The figures are printed, never asserted.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <srtp2/srtp.h>

#include "bench.h"

#include "vox/rtp.h"
#include "vox/srtp.h"

#define BATCH  4096 /* packets per timed round */
#define ROUNDS 21
#define SSRC   0x0b0e0c0du

static void key_for(struct vox_srtp_key *k, enum vox_srtp_suite s)
{
	memset(k, 0, sizeof *k);
	k->suite = s;
	for (size_t i = 0; i < sizeof k->key; i++)
		k->key[i] = (uint8_t)(i * 13 + 1);
	for (size_t i = 0; i < sizeof k->salt; i++)
		k->salt[i] = (uint8_t)(i * 7 + 5);
}

/* Raw libsrtp2 session with the same key, set up by hand. */
static srtp_t raw_session(const struct vox_srtp_key *k, int inbound)
{
	srtp_policy_t p;
	memset(&p, 0, sizeof p);
	switch (k->suite) {
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_80:
		srtp_crypto_policy_set_rtp_default(&p.rtp);
		srtp_crypto_policy_set_rtcp_default(&p.rtcp);
		break;
	case VOX_SRTP_AES_CM_128_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&p.rtp);
		srtp_crypto_policy_set_rtcp_default(&p.rtcp);
		break;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_80:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtcp);
		break;
	case VOX_SRTP_AES_256_CM_HMAC_SHA1_32:
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_32(&p.rtp);
		srtp_crypto_policy_set_aes_cm_256_hmac_sha1_80(&p.rtcp);
		break;
	case VOX_SRTP_AEAD_AES_128_GCM:
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_128_16_auth(&p.rtcp);
		break;
	case VOX_SRTP_AEAD_AES_256_GCM:
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtp);
		srtp_crypto_policy_set_aes_gcm_256_16_auth(&p.rtcp);
		break;
	default: return NULL;
	}
	const struct vox_srtp_suite_info *in = vox_srtp_suite_info(k->suite);
	unsigned char ks[64];
	memcpy(ks, k->key, in->key_len);
	memcpy(ks + in->key_len, k->salt, in->salt_len);
	p.key = ks;
	p.ssrc.type = ssrc_specific;
	p.ssrc.value = SSRC;
	p.window_size = VOX_SRTP_REPLAY_WINDOW;
	srtp_t s = NULL;
	if (srtp_create(&s, &p) != srtp_err_status_ok) {
		fprintf(stderr, "srtp_create failed\n");
		exit(1);
	}
	(void)inbound;
	return s;
}

static size_t make_rtp(uint8_t *out, size_t payload)
{
	static uint8_t pl[1500];
	for (size_t i = 0; i < payload; i++)
		pl[i] = (uint8_t)(i * 3);
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	p.ssrc = SSRC;
	p.payload = pl;
	p.payload_len = payload;
	return (size_t)vox_rtp_print(&p, out, 1600);
}

static void set_seq(uint8_t *p, uint16_t seq)
{
	p[2] = (uint8_t)(seq >> 8);
	p[3] = (uint8_t)seq;
}

/* Aligned packet storage. */
static uint32_t batch[BATCH][1260 / 4];
static int batch_len[BATCH];

struct result {
	double vox_protect, raw_protect, vox_unprotect, raw_unprotect; /* packets per second */
	double protect_ratio, unprotect_ratio; /* median of vox time / raw time */
};

/* Times one batch of vox and one of raw work, in the order the round asks. */
struct pair {
	double vox, raw;
};

static void run(enum vox_srtp_suite suite, size_t payload, struct result *r)
{
	struct vox_srtp_key k;
	key_for(&k, suite);
	uint32_t plain[1260 / 4], work[1260 / 4];
	uint8_t *pp = (uint8_t *)plain, *wp = (uint8_t *)work;
	size_t len = make_rtp(pp, payload);
	double tv[ROUNDS], tr[ROUNDS], uv[ROUNDS], ur[ROUNDS];

	struct vox_srtp_session vtx;
	vox_srtp_session_init(&vtx);
	if (vox_srtp_session_start(&vtx, VOX_SRTP_SEND, &k, SSRC, 0) != 0)
		exit(1);
	srtp_t rtx = raw_session(&k, 0);
	uint16_t vseq = 0, rseq = 0;
	for (int round = 0; round < ROUNDS; round++) {
		/* protect, vox and raw in alternating order */
		for (int side = 0; side < 2; side++) {
			int vox_turn = (side == 0) == (round % 2 == 0);
			double t0 = 1e-9 * bench_ns(CLOCK_MONOTONIC);
			if (vox_turn) {
				for (int i = 0; i < BATCH; i++) {
					set_seq(pp, vseq++);
					if (vox_srtp_session_protect(&vtx, pp, len, wp,
					                             sizeof work) < 0)
						exit(2);
				}
			} else {
				for (int i = 0; i < BATCH; i++) {
					memcpy(wp, pp, len);
					set_seq(wp, rseq++);
					int n = (int)len;
					if (srtp_protect(rtx, wp, &n) != srtp_err_status_ok)
						exit(3);
				}
			}
			double t = 1e-9 * bench_ns(CLOCK_MONOTONIC) - t0;
			if (vox_turn)
				tv[round] = t;
			else
				tr[round] = t;
		}

		/* A batch of packets to unprotect, made outside the timing by a
		 * fresh sender, so the fresh receivers agree on the ROC. */
		struct vox_srtp_session btx;
		vox_srtp_session_init(&btx);
		if (vox_srtp_session_start(&btx, VOX_SRTP_SEND, &k, SSRC, 0) != 0)
			exit(4);
		for (int i = 0; i < BATCH; i++) {
			set_seq(pp, (uint16_t)(1000 + i));
			batch_len[i] = vox_srtp_session_protect(&btx, pp, len, (uint8_t *)batch[i],
			                                        sizeof batch[i]);
			if (batch_len[i] < 0)
				exit(4);
		}
		vox_srtp_session_free(&btx);
		struct vox_srtp_session vrx;
		vox_srtp_session_init(&vrx);
		if (vox_srtp_session_start(&vrx, VOX_SRTP_RECV, &k, SSRC, 0) != 0)
			exit(5);
		srtp_t rrx = raw_session(&k, 1);
		for (int side = 0; side < 2; side++) {
			int vox_turn = (side == 0) == (round % 2 == 1);
			double t0 = 1e-9 * bench_ns(CLOCK_MONOTONIC);
			if (vox_turn) {
				for (int i = 0; i < BATCH; i++)
					if (vox_srtp_session_unprotect(&vrx, (uint8_t *)batch[i],
					                               (size_t)batch_len[i], wp,
					                               sizeof work) != (int)len)
						exit(6);
			} else {
				for (int i = 0; i < BATCH; i++) {
					int n = batch_len[i];
					memcpy(wp, batch[i], (size_t)n);
					if (srtp_unprotect(rrx, wp, &n) != srtp_err_status_ok ||
					    n != (int)len)
						exit(7);
				}
			}
			double t = 1e-9 * bench_ns(CLOCK_MONOTONIC) - t0;
			if (vox_turn)
				uv[round] = t;
			else
				ur[round] = t;
		}
		srtp_dealloc(rrx);
		vox_srtp_session_free(&vrx);
	}
	srtp_dealloc(rtx);
	vox_srtp_session_free(&vtx);
	double pr[ROUNDS], ur_[ROUNDS];
	for (int i = 0; i < ROUNDS; i++) {
		pr[i] = tv[i] / tr[i];
		ur_[i] = uv[i] / ur[i];
	}
	r->protect_ratio = bench_median(pr, ROUNDS);
	r->unprotect_ratio = bench_median(ur_, ROUNDS);
	r->vox_protect = BATCH / bench_median(tv, ROUNDS);
	r->raw_protect = BATCH / bench_median(tr, ROUNDS);
	r->vox_unprotect = BATCH / bench_median(uv, ROUNDS);
	r->raw_unprotect = BATCH / bench_median(ur, ROUNDS);
}

static void row(const char *suite, const char *op, size_t bytes, double raw, double vox,
                double ratio)
{
	/* ratio: vox time per packet / raw time per packet; overhead: the
	 * extra time through the glue, in percent */
	printf("%-24s %-9s %5zu %12.0f %12.0f %8.3f %+8.1f%%\n", suite, op, bytes, raw, vox, ratio,
	       (ratio - 1.0) * 100.0);
}

int main(void)
{
	if (vox_srtp_global_init() != 0)
		return 1;
	printf("SRTP: %s, %d packets per round, %d rounds; rates are medians, vox/raw is the\n"
	       "median of per-round time ratios (1.000 = no overhead)\n",
	       srtp_get_version_string(), BATCH, ROUNDS);
	printf("%-24s %-9s %5s %12s %12s %8s %9s\n", "suite", "op", "bytes", "raw pkt/s",
	       "vox pkt/s", "vox/raw", "overhead");
	static const size_t sizes[] = {160, 1200};
	double worst160 = 0;
	for (int s = 1; s < VOX_SRTP_SUITE_COUNT; s++) {
		enum vox_srtp_suite suite = (enum vox_srtp_suite)s;
		const char *name = vox_srtp_suite_info(suite)->name;
		if (!vox_srtp_suite_available(suite)) {
			printf("%-24s not available in this libsrtp2\n", name);
			continue;
		}
		for (int z = 0; z < 2; z++) {
			struct result r;
			run(suite, sizes[z], &r);
			row(name, "protect", sizes[z], r.raw_protect, r.vox_protect,
			    r.protect_ratio);
			row(name, "unprotect", sizes[z], r.raw_unprotect, r.vox_unprotect,
			    r.unprotect_ratio);
			if (sizes[z] == 160) {
				double a = r.protect_ratio - 1.0;
				double b = r.unprotect_ratio - 1.0;
				worst160 = a > worst160 ? a : worst160;
				worst160 = b > worst160 ? b : worst160;
			}
		}
	}
	printf("worst glue overhead at 160 bytes: %+.1f%% (goal: at most 5%%)\n", worst160 * 100.0);
	vox_srtp_global_shutdown();
	return 0;
}
