/* SPDX-License-Identifier: MIT */
/* vox demo: a secure call end to end on this machine, in one process.
 *
 * Two endpoints, alice and bob, each a UA on its own loop (what `vox ua`
 * runs), in one process and one thread, turned in alternation. One
 * process because the certificates never need to touch the disk (the CA
 * and both certificates are made in memory and handed over as bytes), one
 * exit status says whether everything held, and nothing is left running
 * if it fails. The price is that both loops share one thread: each polls
 * for at most 2 ms before the other's turn, which a voice call at 20 ms a
 * frame does not notice. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/endpoint.h"

static const char demo_help[] =
    "usage: vox demo [--duration SECONDS] [--trace]\n"
    "A secure call on this machine, end to end: makes a throwaway CA and a\n"
    "certificate for alice and for bob (in memory), starts both on loopback\n"
    "over TLS with each side's certificate verified, and alice calls bob.\n"
    "The media is SRTP with keys ZRTP agrees between the two (SDES where the\n"
    "build has no ZRTP), and both must read the same SAS; alice says 1000 Hz,\n"
    "bob 600 Hz, and each side's tone detector must hear the other's. Prints\n"
    "what each side saw: the TLS hop, the SAS, the security of the media, the\n"
    "call's statistics.\n"
    "\n"
    "  --duration SECONDS  how long the call lasts once answered (default 2)\n"
    "  --trace             the SIP messages on stderr, SDES keys redacted\n"
    "  -h, --help          this text\n"
    "\n"
    "Exit 0 when both heard the other's tone over SRTP with verified TLS hops\n"
    "(and, with ZRTP, read the same SAS),\n"
    "1 when anything fell short (it says what), 2 on a usage error.\n";

#define ALICE_HZ 1000
#define BOB_HZ   600

struct pem {
	uint8_t key[512], cert[2048];
	size_t key_len, cert_len;
};

static int make(struct pem *out, const char *cn, const struct pem *issuer, struct vox_rng rng)
{
	struct vox_tls_cert_spec s;
	memset(&s, 0, sizeof s);
	struct vox_addr lo = {4, {127, 0, 0, 1}, 0};
	s.cn = cn;
	s.ips = &lo;
	s.n_ips = issuer ? 1 : 0;
	time_t now = time(NULL);
	s.not_before = (int64_t)now - 3600;
	s.not_after = (int64_t)now + 86400; /* throwaway: a day */
	s.ca = issuer ? 0 : 1;
	if (issuer) {
		s.issuer_cert = issuer->cert;
		s.issuer_cert_len = issuer->cert_len;
		s.issuer_key = issuer->key;
		s.issuer_key_len = issuer->key_len;
	}
	struct vox_tls_cert_out o = {out->key, out->cert, sizeof out->key, sizeof out->cert, 0, 0};
	int rc = vox_tls_cert_make(&s, VOX_TLS_PEM, rng, &o);
	out->key_len = o.key_len + 1; /* PEM: with its NUL, as mbedTLS likes it */
	out->cert_len = o.cert_len + 1;
	return rc;
}

/* Did e hear hz, clearly, over SRTP with a verified hop? Says why not. */
static int judge(const struct ep *e, const char *who, float hz, const char *whose)
{
	int ok = 1;
	if (fabsf(e->st.tone_hz - hz) > 20 || e->st.tone_power < 0.5f) {
		printf("demo: %s did not hear %s's %.0f Hz tone (strongest: %.0f Hz)\n", who, whose,
		       (double)hz, (double)e->st.tone_hz);
		ok = 0;
	}
#if VOX_MEDIA_ZRTP
	if (e->st.prot != VOX_UA_PROT_ZRTP_UNVERIFIED && e->st.prot != VOX_UA_PROT_ZRTP_VERIFIED) {
		printf("demo: %s's media is not SRTP keyed by ZRTP\n", who);
		ok = 0;
	}
	if (!e->sas[0]) {
		printf("demo: %s saw no SAS\n", who);
		ok = 0;
	}
	if (!e->st.hop_verified) {
		printf("demo: %s's signalling did not cross a verified TLS hop\n", who);
		ok = 0;
	}
#else
	if (e->st.prot != VOX_UA_PROT_SDES || !e->st.hop_verified) {
		printf("demo: %s's media is not SRTP keyed over a verified TLS hop\n", who);
		ok = 0;
	}
#endif
	if (e->st.srtp_failures) {
		printf("demo: %s refused %llu SRTP packets\n", who,
		       (unsigned long long)e->st.srtp_failures);
		ok = 0;
	}
	if (e->failed) {
		printf("demo: %s: %s\n", who, e->why);
		ok = 0;
	}
	return ok;
}

int app_demo(int argc, char **argv)
{
	static const char prog[] = "vox demo";
	enum { O_DURATION = 256, O_TRACE };
	static const struct option opts[] = {{"help", no_argument, NULL, 'h'},
	                                     {"duration", required_argument, NULL, O_DURATION},
	                                     {"trace", no_argument, NULL, O_TRACE},
	                                     {0, 0, 0, 0}};
	uint32_t duration_ms = 2000;
	int trace = 0, c;
	while ((c = app_getopt(prog, argc, argv, ":h", opts)) != -1) {
		switch (c) {
		case 'h': fputs(demo_help, stdout); return APP_OK;
		case O_DURATION: {
			char *end;
			double v = strtod(optarg, &end);
			if (end == optarg || *end || !(v >= 0.5 && v <= 60))
				return app_usage_error(prog, "--duration %s: seconds, 0.5 to 60",
				                       optarg);
			duration_ms = (uint32_t)(v * 1000);
			break;
		}
		case O_TRACE: trace = 1; break;
		default: return app_try(prog);
		}
	}
	if (optind < argc)
		return app_usage_error(prog, "unexpected argument '%s'", argv[optind]);

	uint64_t t0 = vox_clock_ms();
	struct vox_tls_rng rng;
	static struct pem ca, alice_pem, bob_pem;
	if (vox_tls_rng_init(&rng) != 0) {
		fprintf(stderr, "%s: no entropy from the system\n", prog);
		return APP_REJECT;
	}
	struct vox_rng r = {vox_tls_rng_bytes, &rng};
	int rc = make(&ca, "vox demo CA (throwaway)", NULL, r);
	if (!rc)
		rc = make(&alice_pem, "alice", &ca, r);
	if (!rc)
		rc = make(&bob_pem, "bob", &ca, r);
	vox_tls_rng_free(&rng);
	if (rc) {
		fprintf(stderr, "%s: cannot make the certificates: %s\n", prog, vox_strerror(rc));
		return APP_REJECT;
	}
	printf("demo: a throwaway CA and certificates for alice and bob (127.0.0.1), in memory\n");

	struct ep *a = calloc(1, sizeof *a), *b = calloc(1, sizeof *b);
	if (!a || !b) {
		free(a);
		free(b);
		return APP_REJECT;
	}
	struct ep_opts ob, oa;
	memset(&ob, 0, sizeof ob);
	ob.name = "bob";
	ob.account = "sip:bob@127.0.0.1";
	ob.listen[0] = "tls:127.0.0.1:0";
	ob.nlisten = 1;
	ob.ca = ca.cert; /* bob asks alice for her certificate: mutual TLS */
	ob.ca_len = ca.cert_len;
	ob.cert = bob_pem.cert;
	ob.cert_len = bob_pem.cert_len;
	ob.key = bob_pem.key;
	ob.key_len = bob_pem.key_len;
#if VOX_MEDIA_ZRTP
	/* ZRTP mandatory, SDES refused: the keys are agreed end to end, and
	 * both sides must read the same SAS */
	ob.media_enc = EP_ENC_ZRTP;
#else
	ob.media_enc = EP_ENC_SDES;
#endif
	ob.require_encryption = 1;
	ob.play = "tone:600";
	ob.answer = 1;
	ob.max_calls = 1;
	ob.trace = trace;
	ob.out = stdout;
	oa = ob;
	oa.name = "alice";
	oa.account = "sip:alice@127.0.0.1";
	oa.cert = alice_pem.cert;
	oa.cert_len = alice_pem.cert_len;
	oa.key = alice_pem.key;
	oa.key_len = alice_pem.key_len;
	oa.play = "tone:1000";
	oa.answer = 0;
	oa.duration_ms = duration_ms;
	char target[64];
	oa.call = target;

	rc = ep_start(b, &ob);
	if (rc == APP_OK) {
		snprintf(target, sizeof target, "sips:bob@127.0.0.1:%u", b->bound[0].port);
		rc = ep_start(a, &oa);
	}
	/* bounded: the call, its end, and a margin */
	uint64_t end = vox_clock_ms() + duration_ms + 6000;
	while (rc == APP_OK && !(a->done && b->done) && vox_clock_ms() < end) {
		(void)ep_step(a, vox_clock_ms() + 2);
		(void)ep_step(b, vox_clock_ms() + 2);
	}
	if (rc == APP_OK) {
		if (!(a->done && b->done))
			printf("demo: the call did not end in time\n");
		int ok = a->done && b->done;
		ep_finish(a);
		ep_finish(b);
		ok &= judge(a, "alice", BOB_HZ, "bob");
		ok &= judge(b, "bob", ALICE_HZ, "alice");
#if VOX_MEDIA_ZRTP
		/* RFC 6189 7: the two people read the SAS to each other; a MitM
		 * would have made them differ */
		if (a->sas[0] && strcmp(a->sas, b->sas) != 0) {
			printf("demo: the SASes differ (alice %s, bob %s): a man in the middle\n",
			       a->sas, b->sas);
			ok = 0;
		} else if (a->sas[0]) {
			printf("demo: both read the SAS %s\n", a->sas);
		}
#endif
		printf("demo: alice heard %.0f Hz, bob heard %.0f Hz; media %s/%s; %.1f s\n",
		       (double)a->st.tone_hz, (double)b->st.tone_hz,
		       vox_ua_protection_name(a->st.prot), vox_ua_protection_name(b->st.prot),
		       (double)(vox_clock_ms() - t0) / 1000);
		printf(ok ? "demo: passed: a secure call, each side heard the other\n"
		          : "demo: FAILED\n");
		rc = ok ? APP_OK : APP_REJECT;
	}
	ep_free(a);
	ep_free(b);
	free(a);
	free(b);
	vox_wipe(&ca, sizeof ca);
	vox_wipe(&alice_pem, sizeof alice_pem);
	vox_wipe(&bob_pem, sizeof bob_pem);
	return rc;
}
