/* SPDX-License-Identifier: MIT */
/*
 * One whole ZRTP handshake (RFC 6189 DH mode, Hello to Conf2ACK, both
 * sides together) through vox's engine, per key agreement, beside the raw
 * mbedTLS operations that handshake cannot do without (the floor): each
 * side makes its public value and computes the shared result, four
 * operations, with the same secret sizes vox uses. Then the same handshake
 * over a simulated path with a 20 ms one-way delay, in round trips.
 *
 * CPU time of the process (CLOCK_PROCESS_CPUTIME_ID). In each round the
 * vox handshake and the raw operations run back to back, in alternating
 * order; the overhead is the median of the per-round ratios (so a slow
 * patch of a shared machine hits both sides of a pair) and the times are
 * medians over rounds. The figures are printed, never asserted; the goal
 * (issue 12) is at most 10 % above the floor and the fewest round trips
 * DH mode allows.
 */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mbedtls/bignum.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>

#include "bench.h"

#include "vox/zrtp.h"

#define ROUNDS 15

static uint64_t xs_state = 0x9e3779b97f4a7c15ull;

static int xs_fill(void *ctx, uint8_t *out, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < len; i++) {
		xs_state ^= xs_state >> 12;
		xs_state ^= xs_state << 25;
		xs_state ^= xs_state >> 27;
		out[i] = (uint8_t)((xs_state * 0x2545f4914f6cdd1dull) >> 56);
	}
	return 0;
}

static int mbed_rng(void *ctx, unsigned char *out, size_t len)
{
	return xs_fill(ctx, out, len);
}

/* ---- the vox handshake ---------------------------------------------------------------- */

struct pkt {
	uint64_t at;
	int to;
	size_t len;
	uint8_t b[600];
};

struct pair {
	struct vox_zrtp z[2];
	struct pkt q[64];
	size_t n;
	uint64_t now;
};

static const struct vox_rng rng = {xs_fill, NULL};

static void cfg_for(struct vox_zrtp_config *c, uint32_t ka, uint8_t id)
{
	vox_zrtp_config_default(c);
	/* the key agreement under test, and DH3k, which 5.1.5 makes
	 * mandatory; both sides' first choice is ka */
	c->algs.n[VOX_ZRTP_T_KEYAGR] = 0;
	c->algs.alg[VOX_ZRTP_T_KEYAGR][c->algs.n[VOX_ZRTP_T_KEYAGR]++] = ka;
	if (ka != VOX_ZRTP_DH3K)
		c->algs.alg[VOX_ZRTP_T_KEYAGR][c->algs.n[VOX_ZRTP_T_KEYAGR]++] = VOX_ZRTP_DH3K;
	memset(c->zid, id, sizeof c->zid);
	c->ssrc = 0x1000u * id;
}

/* One handshake, packets delivered delay_ms after they leave. Returns
 * the simulated time when both sides are SECURE, or 0 on failure. */
static uint64_t handshake(struct pair *p, uint32_t ka, uint32_t delay_ms, uint64_t *first_keys)
{
	struct vox_zrtp_config c[2];
	p->n = 0;
	p->now = 0;
	for (int i = 0; i < 2; i++) {
		cfg_for(&c[i], ka, (uint8_t)(0x41 + i));
		vox_zrtp_init(&p->z[i]);
		if (vox_zrtp_start(&p->z[i], &c[i], &rng, 0) != 0)
			return 0;
	}
	*first_keys = 0;
	for (int guard = 0; guard < 1000; guard++) {
		for (int i = 0; i < 2; i++) {
			int len;
			while (p->n < 64 && (len = vox_zrtp_poll_output(&p->z[i], p->q[p->n].b,
			                                                sizeof p->q[p->n].b)) > 0) {
				p->q[p->n].at = p->now + delay_ms;
				p->q[p->n].to = 1 - i;
				p->q[p->n].len = (size_t)len;
				p->n++;
			}
		}
		int done =
		    p->z[0].state == VOX_ZRTP_ST_SECURE && p->z[1].state == VOX_ZRTP_ST_SECURE;
		struct vox_zrtp_srtp k;
		if (!*first_keys && (vox_zrtp_srtp_keys(&p->z[0], &k) == 0 ||
		                     vox_zrtp_srtp_keys(&p->z[1], &k) == 0))
			*first_keys = p->now;
		if (done) {
			uint64_t t = p->now;
			vox_zrtp_free(&p->z[0]);
			vox_zrtp_free(&p->z[1]);
			return t ? t : 1;
		}
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < p->n; i++)
			if (p->q[i].at < next)
				next = p->q[i].at;
		for (int i = 0; i < 2; i++) {
			uint64_t d = vox_zrtp_next_deadline(&p->z[i]);
			if (d < next)
				next = d;
		}
		if (next == UINT64_MAX)
			break;
		p->now = next;
		for (size_t i = 0; i < p->n;) {
			if (p->q[i].at <= p->now) {
				struct pkt *q = &p->q[i];
				(void)vox_zrtp_recv(&p->z[q->to], q->b, q->len, p->now);
				p->q[i] = p->q[--p->n];
			} else {
				i++;
			}
		}
		for (int i = 0; i < 2; i++)
			vox_zrtp_on_deadline(&p->z[i], p->now);
	}
	return 0;
}

/* ---- the floor: the four operations alone ------------------------------------------------- */

/* RFC 3526's 3072-bit MODP group, generator 2 */
static const char modp3072[] =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E"
    "3404DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5"
    "CB6F406B7EDEE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A"
    "69163FA8FD24CF5F83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA1"
    "8217C32905E462E36CE3BE39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497"
    "CEA956AE515D2261898FA051015728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AE"
    "A71575D060C7DB3970F85A6E1E4C7ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A08"
    "64D87602733EC86A64521F2B18177B200CBBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE"
    "0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF";

static int floor_dh3k(size_t secret_len)
{
	mbedtls_mpi p, g, x[2], y[2], z[2];
	mbedtls_mpi_init(&p);
	mbedtls_mpi_init(&g);
	int rc = mbedtls_mpi_read_string(&p, 16, modp3072);
	rc |= mbedtls_mpi_lset(&g, 2);
	for (int i = 0; i < 2; i++) {
		uint8_t sv[64];
		mbedtls_mpi_init(&x[i]);
		mbedtls_mpi_init(&y[i]);
		mbedtls_mpi_init(&z[i]);
		xs_fill(NULL, sv, secret_len);
		rc |= mbedtls_mpi_read_binary(&x[i], sv, secret_len);
		rc |= mbedtls_mpi_exp_mod(&y[i], &g, &x[i], &p, NULL);
	}
	for (int i = 0; i < 2; i++)
		rc |= mbedtls_mpi_exp_mod(&z[i], &y[1 - i], &x[i], &p, NULL);
	rc |= mbedtls_mpi_cmp_mpi(&z[0], &z[1]) != 0;
	for (int i = 0; i < 2; i++) {
		mbedtls_mpi_free(&x[i]);
		mbedtls_mpi_free(&y[i]);
		mbedtls_mpi_free(&z[i]);
	}
	mbedtls_mpi_free(&p);
	mbedtls_mpi_free(&g);
	return rc;
}

/* Each side has its own group, as two endpoints do: mbedTLS keeps the
 * comb table of a point multiplication in the group, and one side cannot
 * borrow the other's. */
static int floor_ec(mbedtls_ecp_group_id id)
{
	mbedtls_ecp_group grp[2];
	mbedtls_mpi d[2], z[2];
	mbedtls_ecp_point q[2];
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		mbedtls_ecp_group_init(&grp[i]);
		mbedtls_mpi_init(&d[i]);
		mbedtls_mpi_init(&z[i]);
		mbedtls_ecp_point_init(&q[i]);
		rc |= mbedtls_ecp_group_load(&grp[i], id);
		rc |= mbedtls_ecdh_gen_public(&grp[i], &d[i], &q[i], mbed_rng, NULL);
	}
	for (int i = 0; i < 2; i++)
		rc |= mbedtls_ecdh_compute_shared(&grp[i], &z[i], &q[1 - i], &d[i], mbed_rng, NULL);
	rc |= mbedtls_mpi_cmp_mpi(&z[0], &z[1]) != 0;
	for (int i = 0; i < 2; i++) {
		mbedtls_mpi_free(&d[i]);
		mbedtls_mpi_free(&z[i]);
		mbedtls_ecp_point_free(&q[i]);
		mbedtls_ecp_group_free(&grp[i]);
	}
	return rc;
}

/* ---- the run ----------------------------------------------------------------------------- */

int main(void)
{
	static const struct {
		uint32_t ka;
		const char *name;
		mbedtls_ecp_group_id ec;
	} kas[] = {{VOX_ZRTP_DH3K, "DH3k", MBEDTLS_ECP_DP_NONE},
	           {VOX_ZRTP_EC25, "EC25", MBEDTLS_ECP_DP_SECP256R1},
	           {VOX_ZRTP_X255, "X255", MBEDTLS_ECP_DP_CURVE25519},
	           {VOX_ZRTP_X448, "X448", MBEDTLS_ECP_DP_CURVE448}};
	static struct pair p;
	printf("ZRTP handshake (DH mode, Hello to Conf2ACK), both sides, CPU time, median of %d "
	       "rounds\n",
	       ROUNDS);
	printf("%-5s %12s %12s %9s\n", "", "vox ms", "raw ms", "overhead");
	for (size_t k = 0; k < sizeof kas / sizeof kas[0]; k++) {
		double tv[ROUNDS], tr[ROUNDS], ratio[ROUNDS];
		uint64_t first;
		for (int r = 0; r < ROUNDS; r++) {
			for (int half = 0; half < 2; half++) {
				int vox_now = (half == 0) == (r % 2 == 0);
				double t0 = bench_ns(CLOCK_PROCESS_CPUTIME_ID);
				int ok;
				if (vox_now)
					ok = handshake(&p, kas[k].ka, 0, &first) != 0;
				else
					ok = (kas[k].ec == MBEDTLS_ECP_DP_NONE
					          ? floor_dh3k(
					                64) /* AES3 chosen: 2 x 256 bits (5.1.5) */
					          : floor_ec(kas[k].ec)) == 0;
				double t = bench_ns(CLOCK_PROCESS_CPUTIME_ID) - t0;
				if (!ok) {
					printf("%s: %s failed\n", kas[k].name,
					       vox_now ? "vox" : "raw");
					return 1;
				}
				*(vox_now ? &tv[r] : &tr[r]) = t;
			}
			ratio[r] = tv[r] / tr[r];
		}
		double r = bench_median(ratio, ROUNDS);
		printf("%-5s %12.3f %12.3f %8.1f%%\n", kas[k].name, bench_median(tv, ROUNDS) / 1e6,
		       bench_median(tr, ROUNDS) / 1e6, (r - 1.0) * 100.0);
	}

	/* round trips over a 20 ms one-way path (simulated clock) */
	printf("\nover a 20 ms one-way path (40 ms round trip), simulated clock:\n");
	for (size_t k = 0; k < sizeof kas / sizeof kas[0]; k++) {
		uint64_t first = 0, t = handshake(&p, kas[k].ka, 20, &first);
		if (!t) {
			printf("%s: the handshake did not complete\n", kas[k].name);
			return 1;
		}
		printf("%-5s both secure after %llu ms = %.1f round trips (first SRTP keys at %llu "
		       "ms)\n",
		       kas[k].name, (unsigned long long)t, (double)t / 40.0,
		       (unsigned long long)first);
	}
	return 0;
}
