/* SPDX-License-Identifier: MIT */
/*
 * bench/sdp: parse and answer a realistic SRTP offer (tests/vectors/sdp/
 * offer.sdp) with vox, and parse the same bytes with Sofia-SIP's sdp_parse()
 * and libosip2's sdp_message_parse(), in one run. Each figure is the median
 * of several runs of many operations, in nanoseconds per operation. For the
 * two libraries that allocate, one operation includes freeing what the parse
 * built, since a user pays for both. Speed is reported, never asserted.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Sofia-SIP's headers test macros they never define (-Wundef). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>
#pragma GCC diagnostic pop

#include "bench.h"

#include "vox/sdp.h"

/* libosip2's <osipparser2/sdp_message.h> and Sofia-SIP's <sofia-sip/sdp.h>
 * both define sdp_media_t and sdp_attribute_t, so one file cannot include
 * both. The four libosip2 calls used here are declared as that header and
 * <osipparser2/osip_parser.h> declare them, with the struct left opaque. */
typedef struct sdp_message sdp_message_t;
int sdp_message_init(sdp_message_t **sdp);
int sdp_message_parse(sdp_message_t *sdp, const char *buf);
void sdp_message_free(sdp_message_t *sdp);
int parser_init(void);

#define RUNS  9
#define ITERS 20000

static char *input; /* NUL-terminated for libosip2, which needs it */
static size_t input_len;
static struct vox_sdp parsed;
static struct vox_sdp_oa oa;
static struct vox_sdp_local local;
static char answer[VOX_SDP_MAX_BUILD];
static su_home_t *home;
static volatile int sink;

static int counter_rng(void *ctx, uint8_t *out, size_t len)
{
	uint32_t *c = ctx;
	for (size_t i = 0; i < len; i++)
		out[i] = (uint8_t)(++*c * 2654435761u >> 24);
	return 0;
}
static uint32_t ctr;
static struct vox_rng rng = {counter_rng, &ctr};

static void op_vox_parse(void)
{
	sink += vox_sdp_parse(input, input_len, &parsed, NULL);
}

static struct vox_sdp_session session;

/* One answer in a fresh dialog. Wiping the negotiated keys belongs to the
 * end of the call, not to the answer, so it is not timed here. */
static void op_vox_answer(void)
{
	vox_sdp_oa_init(&oa, 2808844564u);
	sink +=
	    vox_sdp_oa_answer(&oa, &local, &parsed, &rng, answer, sizeof answer, &session, NULL);
}

static void op_vox_parse_answer(void)
{
	op_vox_parse();
	op_vox_answer();
}

static void op_sofia(void)
{
	sdp_parser_t *p = sdp_parse(home, input, (issize_t)input_len, 0);
	sink += sdp_session(p) != NULL;
	sdp_parser_free(p);
}

static void op_osip(void)
{
	sdp_message_t *m = NULL;
	if (sdp_message_init(&m) != 0)
		abort();
	sink += sdp_message_parse(m, input);
	sdp_message_free(m);
}

static double time_ns(void (*op)(void))
{
	double t0 = bench_ns(CLOCK_MONOTONIC);
	for (int i = 0; i < ITERS; i++)
		op();
	return (bench_ns(CLOCK_MONOTONIC) - t0) / ITERS;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	static char buf[VOX_SDP_MAX_SIZE + 1];
	*len = fread(buf, 1, VOX_SDP_MAX_SIZE, f);
	fclose(f);
	buf[*len] = 0;
	return buf;
}

int main(int argc, char **argv)
{
	const char *path = argc > 1 ? argv[1] : "tests/vectors/sdp/offer.sdp";
	input = slurp(path, &input_len);
	parser_init();
	home = su_home_new(sizeof *home);
	vox_sdp_local_init(&local, vox_slice_cstr("198.51.100.44"), 3456);
	local.rtcp_mux = 0;
	for (int s = VOX_SRTP_NONE + 1; s < VOX_SRTP_SUITE_COUNT; s++)
		local.suites[local.n_suites++] = (enum vox_srtp_suite)s;

	/* Check that every parser accepts the input before timing it. */
	struct vox_sdp_diag d;
	if (vox_sdp_parse(input, input_len, &parsed, &d) < 0) {
		fprintf(stderr, "vox: %s at %u:%u\n", d.at.what, d.line, d.col);
		return 1;
	}
	struct vox_sdp_session s;
	struct vox_sdp_fail why;
	vox_sdp_oa_init(&oa, 1);
	if (vox_sdp_oa_answer(&oa, &local, &parsed, &rng, answer, sizeof answer, &s, &why) < 0) {
		fprintf(stderr, "vox answer: %s\n", why.reason);
		return 1;
	}
	sdp_parser_t *sp = sdp_parse(home, input, (issize_t)input_len, 0);
	if (!sdp_session(sp)) {
		fprintf(stderr, "sofia-sip: %s\n", sdp_parsing_error(sp));
		return 1;
	}
	sdp_parser_free(sp);
	sdp_message_t *m = NULL;
	sdp_message_init(&m);
	if (sdp_message_parse(m, input) != 0) {
		fprintf(stderr, "libosip2 refused the input\n");
		return 1;
	}
	sdp_message_free(m);

	struct {
		const char *name;
		void (*op)(void);
	} ops[] = {
	    {"vox        vox_sdp_parse", op_vox_parse},
	    {"vox        vox_sdp_oa_answer (parsed offer)", op_vox_answer},
	    {"vox        parse + answer", op_vox_parse_answer},
	    {"sofia-sip  sdp_parse + sdp_parser_free", op_sofia},
	    {"libosip2   sdp_message_init/parse/free", op_osip},
	};
	enum { NOPS = sizeof ops / sizeof ops[0] };
	double r[NOPS][RUNS];
	for (size_t i = 0; i < NOPS; i++)
		for (int k = 0; k < ITERS / 10; k++)
			ops[i].op(); /* warm caches and allocators */
	/* Runs take turns, so that a burst of load from another process
	 * falls on every library alike rather than on one of them. */
	for (int run = 0; run < RUNS; run++)
		for (size_t i = 0; i < NOPS; i++)
			r[i][run] = time_ns(ops[i].op);
	printf("input: %s (%zu bytes), %d interleaved runs of %d operations, median\n\n", path,
	       input_len, RUNS, ITERS);
	printf("| %-44s | %9s |\n", "operation", "ns/op");
	printf("|%.46s|%.11s|\n", "----------------------------------------------", "-----------");
	for (size_t i = 0; i < NOPS; i++) {
		printf("| %-44s | %9.0f |\n", ops[i].name, bench_median(r[i], RUNS));
	}
	su_home_unref(home);
	vox_sdp_session_free(&session);
	vox_sdp_oa_free(&oa);
	return sink == 42 ? 2 : 0;
}
