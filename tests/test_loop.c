/* SPDX-License-Identifier: MIT */
/* transport/loop.c: two UAs, each on its own loop, call each other over
 * real loopback sockets (UDP, TCP, TLS; IPv4 and IPv6) and hear each
 * other's tone; and a raw socket plays a peer that splits, batches, pings,
 * floods and idles, to check framing, keep-alives and every limit.
 *
 * Everything is bounded in time: each step polls for at most a few
 * milliseconds and a scenario gives up after a few seconds of wall time.
 * No sleep decides an outcome; the clock only bounds the wait. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "testutil.h"
#include "transport/loop_int.h"
#include "vox/loop.h"
#include "vox/rtp.h"

/* ---- an endpoint: a UA on a loop, with a voice -------------------------------------- */

struct ep {
	struct vox_ua ua;
	struct vox_loop loop;
	uint64_t seed;
	struct vox_addr udp, tcp, tls; /* listeners as bound */
	char host[64];
	float tone, hear; /* what it says, what it listens for */
	uint32_t phase;
	uint64_t next_frame;
	int answer; /* answer incoming calls at once */
	vox_ua_handle call;
	unsigned frames, heard;
	unsigned incoming, answered, ended, started;
	unsigned ended_status;
	enum vox_ua_protection prot;
	unsigned tls_open, tls_verified, tls_failed;
	int closed_err; /* the latest CONN_CLOSED's err */
	unsigned closed;
};

static struct ep A, B;

static void ep_free(struct ep *e)
{
	vox_loop_free(&e->loop);
	vox_ua_free(&e->ua);
}

static int teardown(void **st)
{
	(void)st;
	ep_free(&A);
	ep_free(&B);
	return 0;
}

static struct vox_addr ip_of(const char *text)
{
	struct vox_addr a;
	memset(&a, 0, sizeof a);
	if (inet_pton(AF_INET, text, a.ip) == 1)
		a.family = 4;
	else if (inet_pton(AF_INET6, text, a.ip) == 1)
		a.family = 6;
	return a;
}

/* The UA's settings: SDES when this build has it, policy pol. */
static void ua_cfg(struct vox_ua_config *c, const char *aor, enum vox_sdp_policy pol)
{
	memset(c, 0, sizeof *c);
	c->aor = vox_slice_cstr(aor);
	c->policy = pol;
#if VOX_WITH_SDES
	c->key_methods = pol == VOX_SDP_POLICY_OFF ? 0 : VOX_SDP_KEY_SDES;
	c->n_suites = 1;
	c->suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
#endif
}

/* Sets e up: a loop with listeners on ip (UDP and TCP, and TLS when
 * lcfg has a server config), then the UA, whose Via and Contact name the
 * listener of transport tp. */
static void ep_init(struct ep *e, const char *ip, struct vox_ua_config *uc, enum vox_transport tp,
                    const struct vox_loop_config *lcfg, uint64_t seed)
{
	memset(e, 0, sizeof *e);
	struct vox_loop_config lc = {0};
	if (lcfg)
		lc = *lcfg;
	lc.ua = &e->ua;
	assert_int_equal(vox_loop_init(&e->loop, &lc), 0);
	struct vox_addr a = ip_of(ip);
	assert_true(a.family != 0);
	assert_true(vox_loop_listen(&e->loop, VOX_TP_UDP, &a, &e->udp) >= 0);
	assert_true(vox_loop_listen(&e->loop, VOX_TP_TCP, &a, &e->tcp) >= 0);
	if (lc.tls_server)
		assert_true(vox_loop_listen(&e->loop, VOX_TP_TLS, &a, &e->tls) >= 0);
	snprintf(e->host, sizeof e->host, a.family == 6 ? "[%s]" : "%s", ip);
	e->seed = seed;
	uc->host = vox_slice_cstr(e->host);
	uc->transport = tp;
	uc->port = tp == VOX_TP_TLS ? e->tls.port : tp == VOX_TP_TCP ? e->tcp.port : e->udp.port;
	uc->rng = (struct vox_rng){test_rng, &e->seed};
	assert_int_equal(vox_ua_init(&e->ua, uc), 0);
}

static void ep_events(struct ep *e)
{
	struct vox_loop_event ev;
	while (vox_loop_next_event(&e->loop, &ev)) {
		switch (ev.type) {
		case VOX_LOOP_EV_UA:
			switch (ev.ua.type) {
			case VOX_UA_EV_INCOMING:
				e->incoming++;
				e->call = ev.ua.call;
				if (e->answer)
					assert_int_equal(
					    vox_loop_answer(&e->loop, ev.ua.call, vox_clock_ms()),
					    0);
				break;
			case VOX_UA_EV_ANSWERED: e->answered++; break;
			case VOX_UA_EV_ENDED:
				e->ended++;
				e->ended_status = ev.ua.status;
				break;
			case VOX_UA_EV_MEDIA_ENGINE:
				if (ev.ua.media.type == VOX_MEDIA_EV_STARTED) {
					e->started++;
					e->prot = ev.ua.prot;
				}
				break;
			default: break;
			}
			break;
#if VOX_WITH_TLS
		case VOX_LOOP_EV_TLS_OPEN:
			e->tls_open++;
			e->tls_verified += ev.tls.verified;
			break;
#endif
		case VOX_LOOP_EV_TLS_FAILED: e->tls_failed++; break;
		case VOX_LOOP_EV_CONN_CLOSED:
			e->closed++;
			e->closed_err = ev.err;
			break;
		default: break;
		}
	}
}

/* Every 20 ms: a frame of the tone to the call, a frame played from it. */
static void ep_voice(struct ep *e, uint64_t now)
{
	if (now < e->next_frame)
		return;
	e->next_frame = now + 20;
	if (!e->call || !vox_ua_call_get(&e->ua, e->call))
		return;
	int16_t pcm[VOX_G711_FRAME], out[VOX_JB_MAX_FRAME];
	vox_tone_gen(pcm, VOX_G711_FRAME, VOX_G711_RATE, e->tone, 0, 8000, &e->phase);
	(void)!vox_ua_send_pcm(&e->ua, e->call, pcm, VOX_G711_FRAME, now);
	int n = vox_ua_play(&e->ua, e->call, out, VOX_JB_MAX_FRAME, now);
	if (n > 0) {
		e->frames++;
		if (vox_tone_power(out, (size_t)n, VOX_G711_RATE, e->hear) > 0.9f)
			e->heard++;
	}
	vox_loop_flush(&e->loop, now);
}

/* One step of both endpoints (each polls for at most 2 ms). */
static void step(void)
{
	uint64_t now = vox_clock_ms();
	assert_int_equal(vox_loop_run(&A.loop, now + 2), 0);
	assert_int_equal(vox_loop_run(&B.loop, now + 2), 0);
	now = vox_clock_ms();
	ep_events(&A);
	ep_events(&B);
	ep_voice(&A, now);
	ep_voice(&B, now);
}

/* Runs both until *flag reaches want, for at most ms of wall time;
 * returns whether it did. */
static int run_until(const unsigned *flag, unsigned want, unsigned ms)
{
	uint64_t end = vox_clock_ms() + ms;
	while (*flag < want && vox_clock_ms() < end)
		step();
	return *flag >= want;
}

/* alice calls target, bob answers, both talk until each heard 25 frames
 * (half a second) of the other's tone. */
static void call_and_talk(const char *target)
{
	A.tone = B.hear = 1000;
	B.tone = A.hear = 600;
	B.answer = 1;
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(target), 0, vox_clock_ms(), &A.call),
	                 0);
	assert_true(run_until(&A.answered, 1, 5000));
	assert_true(run_until(&A.heard, 25, 5000));
	assert_true(run_until(&B.heard, 25, 5000));
	assert_int_equal(B.incoming, 1);
}

static void hang_up(void)
{
	assert_int_equal(vox_ua_hangup(&A.ua, A.call, vox_clock_ms()), 0);
	vox_loop_flush(&A.loop, vox_clock_ms());
	assert_true(run_until(&B.ended, 1, 5000));
	assert_true(run_until(&A.ended, 1, 5000));
	/* the media sockets closed with the calls */
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
		assert_int_equal(A.loop.media[i].call, 0);
		assert_int_equal(B.loop.media[i].fd[0], -1);
	}
}

/* ---- calls ------------------------------------------------------------------------------ */

/* UDP over IPv4, SRTP with SDES (opted in by name: the hop is not TLS). */
static void test_udp_call(void **st)
{
	(void)st;
	struct vox_ua_config ca, cb;
	ua_cfg(&ca, "sip:alice@127.0.0.1", VOX_SDP_POLICY_OPTIONAL);
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OPTIONAL);
	ca.allow_sdes_over_insecure_hops = cb.allow_sdes_over_insecure_hops = 1;
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_UDP, NULL, 1);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_UDP, NULL, 2);
	char to[64];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u", B.udp.port);
	call_and_talk(to);
	assert_int_equal(A.prot, VOX_WITH_SDES ? VOX_UA_PROT_SDES : VOX_UA_PROT_NONE);
	assert_int_equal(B.prot, A.prot);
	const struct vox_media *m = vox_ua_media_get(&B.ua, B.call);
	assert_non_null(m);
	assert_int_equal(vox_media_stats(m)->srtp_auth, 0);
	assert_true(A.loop.st.udp_out > 0 && B.loop.st.udp_in > 0);
	assert_int_equal(A.loop.st.connected + B.loop.st.accepted, 0); /* no stream */
	hang_up();
}

/* Names through the loop (RFC 3263 as the UA's output): the callee by
 * name, then an outbound proxy by name over TCP for a callee whose host
 * the caller could not reach itself. The loop asks c-ares ("localhost"
 * is in /etc/hosts) and hands the answer to the UA; nothing blocks. */
static void test_call_by_name(void **st)
{
	(void)st;
	struct vox_ua_config ca, cb;
	ua_cfg(&ca, "sip:alice@127.0.0.1", VOX_SDP_POLICY_OFF);
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_UDP, NULL, 11);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_UDP, NULL, 12);
	char to[64];
	snprintf(to, sizeof to, "sip:bob@localhost:%u", B.udp.port);
	call_and_talk(to);
	assert_true(B.loop.st.udp_in > 0);
	hang_up();
	ep_free(&A);
	ep_free(&B);

	char proxy[64];
	ua_cfg(&ca, "sip:alice@127.0.0.1", VOX_SDP_POLICY_OFF);
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_TCP, NULL, 14); /* its Contact: TCP */
	snprintf(proxy, sizeof proxy, "sip:localhost:%u;transport=tcp", B.tcp.port);
	ca.outbound_proxy = vox_slice_cstr(proxy);
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_UDP, NULL, 13);
	call_and_talk("sip:bob@bob.invalid");
	/* every message over TCP, to the proxy's address */
	assert_int_equal(B.loop.st.udp_in, 0);
	assert_true(B.loop.st.accepted >= 1 && B.loop.st.stream_in > 0);
	hang_up();
}

/* IPv6, and a second listener family beside IPv4 on the same loop. */ /* IPv6, and a second listener family beside IPv4 on the same loop. */
static void test_udp_call_ipv6(void **st)
{
	(void)st;
	struct vox_addr six = ip_of("::1");
	int fd = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 s6 = {0};
	s6.sin6_family = AF_INET6;
	memcpy(&s6.sin6_addr, six.ip, 16);
	int have6 = fd >= 0 && bind(fd, (struct sockaddr *)&s6, sizeof s6) == 0;
	if (fd >= 0)
		close(fd);
	skip_unless(have6, "no IPv6 loopback (::1) on this machine");
	struct vox_ua_config ca, cb;
	ua_cfg(&ca, "sip:alice@[::1]", VOX_SDP_POLICY_OFF);
	ua_cfg(&cb, "sip:bob@[::1]", VOX_SDP_POLICY_OFF);
	ep_init(&A, "::1", &ca, VOX_TP_UDP, NULL, 3);
	ep_init(&B, "::1", &cb, VOX_TP_UDP, NULL, 4);
	struct vox_addr v4 = ip_of("127.0.0.1"), got;
	assert_true(vox_loop_listen(&B.loop, VOX_TP_UDP, &v4, &got) >= 0);
	assert_int_equal(got.family, 4);
	char to[64];
	snprintf(to, sizeof to, "sip:bob@[::1]:%u", B.udp.port);
	call_and_talk(to);
	assert_int_equal(A.prot, VOX_UA_PROT_NONE);
	hang_up();
}

/* TCP: alice opens one connection; bob's responses come back over it
 * (RFC 3261 18.2.2) and so does alice's BYE; CRLF keep-alives cross it
 * and are answered (RFC 5626 4.4.1). */
static void test_tcp_call_reuse_keepalive(void **st)
{
	(void)st;
	struct vox_ua_config ca, cb;
	struct vox_loop_config ka = {0};
	ka.keepalive_ms = 40;
	ua_cfg(&ca, "sip:alice@127.0.0.1", VOX_SDP_POLICY_OFF);
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_TCP, &ka, 5);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_TCP, NULL, 6);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tcp", B.tcp.port);
	call_and_talk(to);
	assert_int_equal(A.loop.st.connected, 1);
	assert_int_equal(B.loop.st.accepted, 1);
	assert_int_equal(B.loop.st.connected, 0); /* the 180 and 200 went back over it */
	assert_true(B.loop.st.stream_out >= 2);
	uint64_t end = vox_clock_ms() + 2000;
	while (A.loop.st.pongs_received < 1 && vox_clock_ms() < end)
		step();
	assert_true(A.loop.st.pongs_received >= 1);
	assert_true(A.loop.st.pings_sent >= 1);
	assert_true(B.loop.st.pongs_sent >= 1);
	hang_up();
	assert_int_equal(A.loop.st.connected, 1); /* the BYE took the same connection */
	assert_int_equal(B.loop.st.ua_rejected, 0);
}

/* alice calls over TCP a port nobody listens on: the connection is
 * refused, the loop tells the UA (vox_ua_transport_error) under the
 * INVITE's id, and the call ends at once with 503 (RFC 3261 8.1.3.1)
 * instead of after Timer B's 32 s. */
static void test_tcp_refused_ends_call(void **st)
{
	(void)st;
	struct vox_ua_config ca, cb;
	ua_cfg(&ca, "sip:alice@127.0.0.1", VOX_SDP_POLICY_OFF);
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_TCP, NULL, 9);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_TCP, NULL, 10);
	/* a port that was free a moment ago: bound, then closed */
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof sa;
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	close(fd);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tcp", ntohs(sa.sin_port));
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(to), 0, vox_clock_ms(), &A.call), 0);
	assert_true(run_until(&A.ended, 1, 3000));
	assert_int_equal(A.ended_status, 503);
	assert_true(A.loop.st.send_failed >= 1);
	assert_null(vox_ua_call_get(&A.ua, A.call));
	assert_int_equal(vox_ua_calls_active(&A.ua), 0);
}

#if VOX_WITH_TLS
/* ---- TLS ------------------------------------------------------------------------------------ */

#define T2000 946684800LL
#define T9999 253402300799LL

struct pem {
	uint8_t key[512], cert[2048];
	size_t key_len, cert_len;
};

static struct pem ca_pem, alice_pem, bob_pem;
static uint64_t cert_seed = 0x10095eed;

static void make(struct pem *out, const char *cn, int ca, const struct pem *issuer)
{
	struct vox_tls_cert_spec s = {0};
	struct vox_addr ip = ip_of("127.0.0.1");
	s.cn = cn;
	s.ips = &ip;
	s.n_ips = ca ? 0 : 1;
	s.not_before = T2000;
	s.not_after = T9999;
	s.ca = (uint8_t)ca;
	if (issuer) {
		s.issuer_cert = issuer->cert;
		s.issuer_cert_len = issuer->cert_len;
		s.issuer_key = issuer->key;
		s.issuer_key_len = issuer->key_len;
	}
	struct vox_tls_cert_out o = {out->key, out->cert, sizeof out->key, sizeof out->cert, 0, 0};
	assert_int_equal(
	    vox_tls_cert_make(&s, VOX_TLS_PEM, (struct vox_rng){test_rng, &cert_seed}, &o), 0);
	out->key_len = o.key_len;
	out->cert_len = o.cert_len;
}

struct tls_side {
	struct vox_tls_config server, client;
};
static struct tls_side TA, TB;

/* A server config (our certificate, client certificates asked for and
 * checked against the CA) and a client one (the CA; our certificate when
 * own_cert). */
static void tls_side(struct tls_side *t, const struct pem *own, int client_cert)
{
	struct vox_tls_opts o = {0};
	o.role = VOX_TLS_SERVER;
	o.ca = ca_pem.cert;
	o.ca_len = ca_pem.cert_len;
	o.cert = own->cert;
	o.cert_len = own->cert_len;
	o.key = own->key;
	o.key_len = own->key_len;
	o.rng = (struct vox_rng){test_rng, &cert_seed};
	assert_int_equal(vox_tls_config_init(&t->server, &o, NULL), 0);
	o.role = VOX_TLS_CLIENT;
	if (!client_cert) {
		o.cert = o.key = NULL;
		o.cert_len = o.key_len = 0;
	}
	assert_int_equal(vox_tls_config_init(&t->client, &o, NULL), 0);
}

static int tls_teardown(void **st)
{
	teardown(st);
	vox_tls_config_free(&TA.server);
	vox_tls_config_free(&TA.client);
	vox_tls_config_free(&TB.server);
	vox_tls_config_free(&TB.client);
	return 0;
}

static void tls_certs(void)
{
	if (!ca_pem.cert_len) {
		make(&ca_pem, "vox loop test CA", 1, NULL);
		make(&alice_pem, "alice", 0, &ca_pem);
		make(&bob_pem, "bob", 0, &ca_pem);
	}
}

static void tls_pair(int alice_shows_cert, enum vox_sdp_policy pol)
{
	tls_certs();
	tls_side(&TA, &alice_pem, alice_shows_cert);
	tls_side(&TB, &bob_pem, 1);
	struct vox_ua_config ca, cb;
	ua_cfg(&ca, "sip:alice@127.0.0.1", pol);
	ua_cfg(&cb, "sip:bob@127.0.0.1", pol);
	/* both TLS clients verify (no insecure_no_verify, no pins) */
	ca.tls_client_verifies = cb.tls_client_verifies = 1;
	struct vox_loop_config la = {0}, lb = {0};
	la.tls_server = &TA.server;
	la.tls_client = &TA.client;
	la.keepalive_ms = 40; /* CRLF pings inside TLS too */
	lb.tls_server = &TB.server;
	lb.tls_client = &TB.client;
	ep_init(&A, "127.0.0.1", &ca, VOX_TP_TLS, &la, 7);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_TLS, &lb, 8);
}

/* Mutual TLS, both certificates verified: SDES keys may cross, under
 * policy mandatory, with no opt-out. */
static void test_tls_call_verified(void **st)
{
	(void)st;
	tls_pair(1, VOX_WITH_SDES ? VOX_SDP_POLICY_MANDATORY : VOX_SDP_POLICY_OFF);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", B.tls.port);
	call_and_talk(to);
	assert_int_equal(A.tls_open, 1);
	assert_int_equal(A.tls_verified, 1);
	assert_int_equal(B.tls_open, 1);
	assert_int_equal(B.tls_verified, 1);
	assert_int_equal(A.prot, VOX_WITH_SDES ? VOX_UA_PROT_SDES : VOX_UA_PROT_NONE);
	assert_int_equal(B.prot, A.prot);
	uint64_t end = vox_clock_ms() + 2000;
	while (A.loop.st.pongs_received < 1 && vox_clock_ms() < end)
		step();
	assert_true(A.loop.st.pings_sent >= 1 && A.loop.st.pongs_received >= 1);
	assert_true(B.loop.st.pongs_sent >= 1);
	hang_up();
}

/* bob hangs up a call alice placed over TLS: his BYE goes back over the
 * connection alice opened (the call's flow), not over a new one to the
 * port of her Contact, so a peer that takes no connections of its own
 * (linphonec has no TLS server) still gets it; alice's 200 comes back the
 * same way and ends bob's BYE transaction. */
static void test_tls_bye_reuses_flow(void **st)
{
	(void)st;
	tls_pair(1, VOX_WITH_SDES ? VOX_SDP_POLICY_MANDATORY : VOX_SDP_POLICY_OFF);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", B.tls.port);
	call_and_talk(to);
	assert_int_equal(vox_ua_hangup(&B.ua, B.call, vox_clock_ms()), 0);
	vox_loop_flush(&B.loop, vox_clock_ms());
	assert_true(run_until(&B.ended, 1, 5000));
	assert_true(run_until(&A.ended, 1, 5000));
	uint64_t end = vox_clock_ms() + 3000;
	while (vox_ua_call_get(&B.ua, B.call) && vox_clock_ms() < end)
		step();
	assert_null(vox_ua_call_get(&B.ua, B.call)); /* the BYE was answered */
	assert_int_equal(B.loop.st.connected, 0);
	assert_int_equal(A.loop.st.accepted, 0);
	assert_int_equal(A.loop.st.connected, 1);
}

/* alice shows no certificate: bob's side of the hop is TLS but not
 * verified, the UA is told it is not a secure hop, and under policy
 * mandatory bob refuses the SDES offer (488) rather than take keys from
 * an unauthenticated peer. */
static void test_tls_unverified_hop(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	tls_pair(0, VOX_SDP_POLICY_MANDATORY);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", B.tls.port);
	B.answer = 1;
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(to), 0, vox_clock_ms(), &A.call), 0);
	assert_true(run_until(&A.ended, 1, 5000));
	assert_int_equal(A.ended_status, 488);
	assert_int_equal(A.tls_verified, 1); /* alice did verify bob */
	assert_int_equal(B.tls_open, 1);
	assert_int_equal(B.tls_verified, 0);
	assert_int_equal(B.incoming, 0);
}

/* alice's UA was told her TLS client verifies (tls_client_verifies), so
 * it put SDES keys in the INVITE; her client turns out not to verify
 * (insecure_no_verify): the loop closes the connection it opened before
 * the INVITE leaves, and bob hears nothing. */
static void test_tls_promise_broken(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	tls_pair(1, VOX_SDP_POLICY_MANDATORY);
	vox_tls_config_free(&TA.client);
	struct vox_tls_opts o = {0};
	o.role = VOX_TLS_CLIENT;
	o.insecure_no_verify = 1;
	o.rng = (struct vox_rng){test_rng, &cert_seed};
	assert_int_equal(vox_tls_config_init(&TA.client, &o, NULL), 0);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", B.tls.port);
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(to), 0, vox_clock_ms(), &A.call), 0);
	assert_true(run_until(&A.tls_failed, 1, 5000));
	assert_int_equal(A.closed_err, VOX_EAUTH);
	assert_int_equal(A.tls_open, 0);
	/* the INVITE waited for the connection: its call ends, 503 */
	assert_true(run_until(&A.ended, 1, 1000));
	assert_int_equal(A.ended_status, 503);
	assert_int_equal(B.incoming, 0);
	assert_int_equal(B.loop.st.stream_in, 0);
}

/* A server whose certificate names another address: alice refuses it,
 * says why, and the INVITE never leaves in clear. */
static void test_tls_wrong_name(void **st)
{
	(void)st;
	tls_pair(1, VOX_SDP_POLICY_OFF);
	char to[80];
	/* alice was told bob's address is sip.example.com's, which bob's
	 * certificate does not name */
	assert_int_equal(vox_loop_tls_name(&A.loop, &B.tls, vox_slice_cstr("sip.example.com")), 0);
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", B.tls.port);
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(to), 0, vox_clock_ms(), &A.call), 0);
	assert_true(run_until(&A.tls_failed, 1, 5000));
	assert_int_equal(A.closed_err, VOX_EAUTH);
	assert_int_equal(B.incoming, 0);
	assert_int_equal(B.loop.st.stream_in, 0);
}
#else
static int tls_teardown(void **st)
{
	return teardown(st);
}
static void test_tls_call_verified(void **st)
{
	(void)st;
	skip_unless(0, "TLS is compiled out (VOX_WITH_TLS = 0)");
}
static void test_tls_unverified_hop(void **st)
{
	test_tls_call_verified(st);
}
static void test_tls_wrong_name(void **st)
{
	test_tls_call_verified(st);
}
static void test_tls_bye_reuses_flow(void **st)
{
	test_tls_call_verified(st);
}
static void test_tls_promise_broken(void **st)
{
	test_tls_call_verified(st);
}
#endif

/* ---- a raw peer ----------------------------------------------------------------------------- */

static int raw_connect(const struct vox_addr *to)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in s = {0};
	s.sin_family = AF_INET;
	s.sin_port = htons(to->port);
	memcpy(&s.sin_addr, to->ip, 4);
	assert_int_equal(connect(fd, (struct sockaddr *)&s, sizeof s), 0);
	return fd;
}

static void raw_send(int fd, const char *p, size_t n)
{
	assert_int_equal(send(fd, p, n, MSG_NOSIGNAL), (ssize_t)n);
}

/* Runs B's loop while reading fd, until `want` bytes came or EOF (0 then
 * if none), for at most ms. Returns what was read, -1 on a reset. */
static ssize_t raw_read(int fd, char *buf, size_t cap, size_t want, unsigned ms)
{
	size_t got = 0;
	uint64_t end = vox_clock_ms() + ms;
	while (got < want && vox_clock_ms() < end) {
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 2), 0);
		ep_events(&B);
		struct pollfd p = {fd, POLLIN, 0};
		if (poll(&p, 1, 1) <= 0)
			continue;
		ssize_t n = recv(fd, buf + got, cap - got, 0);
		if (n < 0)
			return errno == ECONNRESET ? -1 : (ssize_t)got;
		if (n == 0)
			return (ssize_t)got;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static void bob_alone(const struct vox_loop_config *lc)
{
	struct vox_ua_config cb;
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	ep_init(&B, "127.0.0.1", &cb, VOX_TP_TCP, lc, 9);
}

static size_t options(char *buf, size_t cap, int n)
{
	int k = snprintf(buf, cap,
	                 "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
	                 "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-raw-%d\r\n"
	                 "Max-Forwards: 70\r\nTo: <sip:bob@127.0.0.1>\r\n"
	                 "From: <sip:raw@127.0.0.1>;tag=r%d\r\nCall-ID: raw-%d\r\n"
	                 "CSeq: %d OPTIONS\r\nContent-Length: 0\r\n\r\n",
	                 n, n, n, n);
	assert_true(k > 0 && (size_t)k < cap);
	return (size_t)k;
}

static unsigned count(const char *buf, size_t n, const char *what)
{
	unsigned k = 0;
	size_t w = strlen(what);
	for (size_t i = 0; i + w <= n; i++)
		k += memcmp(buf + i, what, w) == 0;
	return k;
}

/* Messages batched in one write, one split byte by byte, a ping between
 * them: each answered once, the ping with a pong. */
static void test_stream_framing(void **st)
{
	(void)st;
	bob_alone(NULL);
	int fd = raw_connect(&B.tcp);
	char two[1024], one[512], in[4096];
	size_t n1 = options(two, sizeof two, 1);
	size_t n2 = options(two + n1, sizeof two - n1, 2);
	raw_send(fd, two, n1 + n2);
	size_t n3 = options(one, sizeof one, 3);
	for (size_t i = 0; i < n3; i++) {
		raw_send(fd, one + i, 1);
		if (i % 64 == 0)
			assert_int_equal(vox_loop_run(&B.loop, 0), 0);
	}
	raw_send(fd, "\r\n\r\n", 4);
	ssize_t got = 0;
	uint64_t end = vox_clock_ms() + 3000;
	while (vox_clock_ms() < end && count(in, (size_t)got, "SIP/2.0 200") < 3) {
		ssize_t k = raw_read(fd, in + got, sizeof in - (size_t)got, 1, 100);
		assert_true(k >= 0);
		got += k;
	}
	assert_int_equal(count(in, (size_t)got, "SIP/2.0 200"), 3);
	assert_int_equal(count(in, (size_t)got, "CSeq: 3 OPTIONS"), 1);
	assert_int_equal(B.loop.st.stream_in, 3);
	assert_int_equal(B.loop.st.pongs_sent, 1);
	/* the pong: one CRLF after the last response's empty line */
	const char *last = in + got - 2;
	assert_memory_equal(last - 2, "\r\n\r\n", 4);
	close(fd);
}

/* A message framed well that is no SIP the UA takes (a response without
 * Via, From, To, Call-ID, CSeq): the peer is not speaking SIP, the
 * connection closes. A request the UA refuses with an answer (405) keeps
 * it. */
static void test_not_sip_closes(void **st)
{
	(void)st;
	bob_alone(NULL);
	int fd = raw_connect(&B.tcp);
	char req[512], in[2048];
	size_t n = options(req, sizeof req, 7);
	memcpy(req, "PUBLISH", 7); /* a method bob does not allow: 405 */
	memcpy(strstr(req, "CSeq: 7 OPTIONS") + 8, "PUBLISH", 7);
	raw_send(fd, req, n);
	ssize_t got = raw_read(fd, in, sizeof in - 1, 12, 2000);
	assert_true(got >= 12);
	in[got] = 0;
	assert_non_null(strstr(in, "SIP/2.0 405"));
	assert_int_equal(vox_loop_conns(&B.loop), 1);
	raw_send(fd, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n", 37);
	assert_true(raw_read(fd, in, sizeof in, sizeof in, 2000) <= 0 || B.closed);
	assert_int_equal(B.closed, 1);
	assert_true(B.closed_err < 0 && B.closed_err != VOX_ECLOSED);
	assert_int_equal(B.loop.st.ua_rejected, 1);
	assert_int_equal(vox_loop_conns(&B.loop), 0);
	close(fd);
}

/* A message longer than VOX_LOOP_CONN_RX that never ends: the connection
 * is closed, nothing grows. */
static void test_rx_limit(void **st)
{
	(void)st;
	bob_alone(NULL);
	int fd = raw_connect(&B.tcp);
	static char junk[VOX_LOOP_CONN_RX + 512];
	size_t n = options(junk, sizeof junk, 1) - 4; /* cut before the empty line */
	memset(junk + n, 'a', sizeof junk - n);
	memcpy(junk + n, "\r\nX-Long: ", 10);
	/* the loop must read while we write: the socket buffers are smaller */
	size_t off = 0;
	uint64_t end = vox_clock_ms() + 3000;
	while (off < sizeof junk && vox_clock_ms() < end && !B.closed) {
		ssize_t k = send(fd, junk + off, sizeof junk - off, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k > 0)
			off += (size_t)k;
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 2), 0);
		ep_events(&B);
	}
	char buf[64];
	assert_true(raw_read(fd, buf, sizeof buf, 1, 2000) <= 0); /* EOF or reset */
	assert_int_equal(B.closed, 1);
	assert_int_equal(B.closed_err, VOX_ETOOLONG);
	assert_int_equal(B.loop.st.closed_limit, 1);
	assert_int_equal(vox_loop_conns(&B.loop), 0);
	close(fd);
}

/* A peer that sends requests and never reads the answers: once
 * VOX_LOOP_CONN_TX bytes of answers wait (on top of what the kernel
 * holds), the connection is closed: nothing grows. */
static void test_tx_limit(void **st)
{
	(void)st;
	bob_alone(NULL);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	int small = 2048;
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
	struct sockaddr_in s = {0};
	s.sin_family = AF_INET;
	s.sin_port = htons(B.tcp.port);
	memcpy(&s.sin_addr, B.tcp.ip, 4);
	assert_int_equal(connect(fd, (struct sockaddr *)&s, sizeof s), 0);
	char req[512];
	uint64_t end = vox_clock_ms() + 8000;
	for (int n = 1; !B.closed && vox_clock_ms() < end && n < 200000; n++) {
		size_t len = options(req, sizeof req, n);
		ssize_t k = send(fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (k < 0 && errno != EAGAIN)
			break; /* closed under us */
		if (k > 0 && (size_t)k < len)
			break; /* a cut request would only be framed later: enough */
		assert_int_equal(vox_loop_run(&B.loop, 0), 0);
		ep_events(&B);
	}
	for (int i = 0; i < 50 && !B.closed; i++) {
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 2), 0);
		ep_events(&B);
	}
	print_message("answers left unread: %llu sent before the close\n",
	              (unsigned long long)B.loop.st.stream_out);
	assert_int_equal(B.closed, 1);
	assert_int_equal(B.closed_err, VOX_ELIMIT);
	assert_int_equal(B.loop.st.closed_limit, 1);
	assert_int_equal(vox_loop_conns(&B.loop), 0);
	close(fd);
}

/* One connection over VOX_LOOP_MAX_CONNS is closed at once. */
static void test_conn_limit(void **st)
{
	(void)st;
	bob_alone(NULL);
	int fds[VOX_LOOP_MAX_CONNS + 1];
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS + 1; i++)
		fds[i] = raw_connect(&B.tcp);
	uint64_t end = vox_clock_ms() + 3000;
	while (B.loop.st.accepted + B.loop.st.refused < VOX_LOOP_MAX_CONNS + 1 &&
	       vox_clock_ms() < end)
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 2), 0);
	assert_int_equal(B.loop.st.accepted, VOX_LOOP_MAX_CONNS);
	assert_int_equal(B.loop.st.refused, 1);
	assert_int_equal(vox_loop_conns(&B.loop), VOX_LOOP_MAX_CONNS);
	char buf[8];
	assert_true(raw_read(fds[VOX_LOOP_MAX_CONNS], buf, sizeof buf, 1, 2000) <= 0);
	for (size_t i = 0; i < VOX_LOOP_MAX_CONNS + 1; i++)
		close(fds[i]);
}

/* A connection that says nothing for idle_ms is closed. */
static void test_idle_close(void **st)
{
	(void)st;
	struct vox_loop_config lc = {0};
	lc.idle_ms = 100;
	bob_alone(&lc);
	int fd = raw_connect(&B.tcp);
	uint64_t t0 = vox_clock_ms();
	char buf[8];
	assert_true(raw_read(fd, buf, sizeof buf, 1, 3000) <= 0);
	uint64_t took = vox_clock_ms() - t0;
	assert_true(took >= 100 && took < 3000);
	assert_int_equal(B.closed_err, VOX_ETIMEOUT);
	assert_int_equal(B.loop.st.closed_idle, 1);
	close(fd);
}

/* A turn reads no datagram while half of the event queue waits for the
 * application: a burst never pushes out events it has not seen (an
 * INCOMING lost is a call nobody answers). Once drained, it reads. */
static void test_udp_burst_keeps_events(void **st)
{
	(void)st;
	bob_alone(NULL);
	for (int i = 0; i < VOX_LOOP_MAX_EVENTS / 2; i++)
		loop_push_event(&B.loop, VOX_LOOP_EV_UA); /* undrained */
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_in to = {0};
	to.sin_family = AF_INET;
	to.sin_port = htons(B.udp.port);
	memcpy(&to.sin_addr, B.udp.ip, 4);
	/* rport (RFC 3581): the answer comes back to this socket */
	static const char m[] = "OPTIONS sip:bob@127.0.0.1 SIP/2.0\r\n"
	                        "Via: SIP/2.0/UDP 127.0.0.1:5999;rport;branch=z9hG4bK-burst\r\n"
	                        "Max-Forwards: 70\r\nTo: <sip:bob@127.0.0.1>\r\n"
	                        "From: <sip:raw@127.0.0.1>;tag=b1\r\nCall-ID: burst-1\r\n"
	                        "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
	size_t n = sizeof m - 1;
	assert_int_equal(sendto(fd, m, n, 0, (struct sockaddr *)&to, sizeof to), (ssize_t)n);
	for (int i = 0; i < 3; i++)
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 5), 0);
	assert_int_equal(B.loop.st.udp_in, 0); /* it waits in the socket */
	assert_int_equal(B.loop.dropped_events, 0);
	struct vox_loop_event ev;
	while (vox_loop_next_event(&B.loop, &ev))
		;
	uint64_t end = vox_clock_ms() + 2000;
	while (B.loop.st.udp_in == 0 && vox_clock_ms() < end)
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 5), 0);
	assert_int_equal(B.loop.st.udp_in, 1);
	struct pollfd p = {fd, POLLIN, 0};
	assert_int_equal(poll(&p, 1, 2000), 1);
	char r[2048];
	ssize_t got = recv(fd, r, sizeof r - 1, 0);
	assert_true(got > 12);
	assert_memory_equal(r, "SIP/2.0 200 ", 12); /* the OPTIONS was answered */
	/* and a UDP listener asks for VOX_LOOP_UDP_BUF of buffer (Linux
	 * doubles what it grants, up to net.core.rmem_max) */
	long max = 0;
	FILE *f = fopen("/proc/sys/net/core/rmem_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	int rb = 0;
	socklen_t rl = sizeof rb;
	assert_int_equal(getsockopt(B.loop.lis[0].fd, SOL_SOCKET, SO_RCVBUF, &rb, &rl), 0);
	long want = max < VOX_LOOP_UDP_BUF ? max : VOX_LOOP_UDP_BUF;
	print_message("UDP listener: SO_RCVBUF %d (rmem_max %ld)\n", rb, max);
	assert_true(B.loop.lis[0].tp == VOX_TP_UDP && (long)rb >= want);
	close(fd);
}

#if VOX_WITH_TLS
/* A peer that opens a connection to a TLS listener and never says a word
 * (nor finishes its handshake) is closed handshake_ms later: it cannot
 * hold a connection slot for the idle time, nor forever. */
static void test_tls_handshake_timeout(void **st)
{
	(void)st;
	tls_certs();
	tls_side(&TB, &bob_pem, 1);
	struct vox_loop_config lc = {0};
	lc.tls_server = &TB.server;
	lc.tls_client = &TB.client;
	lc.handshake_ms = 150;
	bob_alone(&lc);
	assert_int_equal(B.loop.cfg.idle_ms, VOX_LOOP_IDLE_MS); /* not the idle timer */
	int fd = raw_connect(&B.tls);
	uint64_t t0 = vox_clock_ms();
	char buf[8];
	assert_true(raw_read(fd, buf, sizeof buf, 1, 3000) <= 0); /* EOF or reset */
	uint64_t took = vox_clock_ms() - t0;
	print_message("silent TLS peer closed after %llu ms\n", (unsigned long long)took);
	assert_true(took >= 150 && took < 3000);
	assert_int_equal(B.closed, 1);
	assert_int_equal(B.closed_err, VOX_ETIMEOUT);
	assert_int_equal(B.loop.st.closed_idle, 1);
	assert_int_equal(vox_loop_conns(&B.loop), 0);
	close(fd);
}

/* alice calls over TLS a server that takes the TCP connection and never
 * answers her ClientHello: handshake_ms later the connection is closed,
 * the INVITE that waited for it is reported to the UA, and the call ends
 * with 503 at once, not after Timer B's 32 s. */
static void test_tls_silent_server_ends_call(void **st)
{
	(void)st;
	tls_pair(1, VOX_SDP_POLICY_OFF);
	vox_loop_free(&A.loop);
	struct vox_loop_config la = {0};
	la.ua = &A.ua;
	la.tls_client = &TA.client;
	la.handshake_ms = 200;
	assert_int_equal(vox_loop_init(&A.loop, &la), 0);
	struct vox_addr lo = ip_of("127.0.0.1"), udp;
	assert_true(vox_loop_listen(&A.loop, VOX_TP_UDP, &lo, &udp) >= 0);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa = {0};
	socklen_t sl = sizeof sa;
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(fd, 4), 0); /* never accepted, never answered */
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
	char to[80];
	snprintf(to, sizeof to, "sip:bob@127.0.0.1:%u;transport=tls", ntohs(sa.sin_port));
	uint64_t t0 = vox_clock_ms();
	assert_int_equal(vox_loop_call(&A.loop, vox_slice_cstr(to), 0, t0, &A.call), 0);
	uint64_t end = t0 + 3000;
	while (!A.ended && vox_clock_ms() < end) {
		assert_int_equal(vox_loop_run(&A.loop, vox_clock_ms() + 5), 0);
		ep_events(&A);
	}
	uint64_t took = vox_clock_ms() - t0;
	assert_int_equal(A.ended, 1);
	assert_int_equal(A.ended_status, 503);
	assert_int_equal(A.closed_err, VOX_ETIMEOUT);
	assert_true(took >= 200 && took < 3000);
	assert_int_equal(A.tls_open, 0);
	close(fd);
}
#else
static void test_tls_silent_server_ends_call(void **st)
{
	(void)st;
	skip_unless(0, "TLS is compiled out (VOX_WITH_TLS = 0)");
}
static void test_tls_handshake_timeout(void **st)
{
	(void)st;
	skip_unless(0, "TLS is compiled out (VOX_WITH_TLS = 0)");
}
#endif

/* Bad arguments are refused with their code. */
static void test_listen_errors(void **st)
{
	(void)st;
	bob_alone(NULL);
	struct vox_addr a = ip_of("127.0.0.1"), none = {0};
	assert_int_equal(vox_loop_listen(&B.loop, VOX_TP_TLS, &a, NULL),
	                 VOX_EINVAL); /* no config */
	assert_int_equal(vox_loop_listen(&B.loop, VOX_TP_UDP, &none, NULL), VOX_EINVAL);
	assert_int_equal(vox_loop_listen(&B.loop, VOX_TP_TCP, &B.tcp, NULL), VOX_EIO); /* in use */
	assert_int_equal(vox_loop_init(&A.loop, NULL), VOX_EINVAL);
	assert_int_equal(vox_loop_set_ua(&B.loop, &A.ua), VOX_ESTATE); /* it has one */
}

/* Names: /etc/hosts and literals answer without a server; a name that is
 * not one is refused; a loop without a UA looks names up all the same. */
static void test_resolve(void **st)
{
	(void)st;
	struct vox_loop_config lc = {0};
	assert_int_equal(vox_loop_init(&B.loop, &lc), 0);
	uint32_t q[3];
	assert_int_equal(vox_loop_resolve(&B.loop, vox_slice_cstr("localhost"), &q[0]), 0);
	assert_int_equal(vox_loop_resolve(&B.loop, vox_slice_cstr("192.0.2.7"), &q[1]), 0);
	assert_int_equal(vox_loop_resolve(&B.loop, vox_slice_cstr("a..b"), &q[2]), 0);
	assert_int_equal(vox_loop_resolve(&B.loop, vox_slice_cstr(""), &q[2]), VOX_EINVAL);
	int seen[3] = {0, 0, 0};
	uint64_t end = vox_clock_ms() + 5000;
	while (!(seen[0] && seen[1] && seen[2]) && vox_clock_ms() < end) {
		assert_int_equal(vox_loop_run(&B.loop, vox_clock_ms() + 5), 0);
		struct vox_loop_event ev;
		while (vox_loop_next_event(&B.loop, &ev)) {
			if (ev.type != VOX_LOOP_EV_RESOLVED)
				continue;
			struct vox_addr lo = ip_of("127.0.0.1"), six = ip_of("::1");
			struct vox_addr doc = ip_of("192.0.2.7");
			if (ev.query == q[0]) {
				assert_int_equal(ev.err, 0);
				assert_true(ev.naddrs >= 1);
				assert_true(!memcmp(&ev.addrs[0], &lo, sizeof lo) ||
				            !memcmp(&ev.addrs[0], &six, sizeof six));
				seen[0] = 1;
			} else if (ev.query == q[1]) {
				assert_int_equal(ev.err, 0);
				assert_int_equal(ev.naddrs, 1);
				assert_memory_equal(&ev.addrs[0], &doc, sizeof doc);
				seen[1] = 1;
			} else if (ev.query == q[2]) {
				print_message("a..b: %s\n", vox_strerror(ev.err));
				assert_true(ev.err == VOX_EMALFORMED || ev.err == VOX_ENOTFOUND);
				seen[2] = 1;
			}
		}
	}
	assert_true(seen[0] && seen[1] && seen[2]);
	struct vox_ua_config cb;
	ua_cfg(&cb, "sip:bob@127.0.0.1", VOX_SDP_POLICY_OFF);
	cb.host = vox_slice_cstr("127.0.0.1");
	cb.rng = (struct vox_rng){test_rng, &B.seed};
	assert_int_equal(vox_ua_init(&B.ua, &cb), 0);
	assert_int_equal(vox_loop_set_ua(&B.loop, &B.ua), 0);
	assert_int_equal(vox_loop_run(&B.loop, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_udp_call, teardown),
	    cmocka_unit_test_teardown(test_call_by_name, teardown),
	    cmocka_unit_test_teardown(test_udp_call_ipv6, teardown),
	    cmocka_unit_test_teardown(test_tcp_call_reuse_keepalive, teardown),
	    cmocka_unit_test_teardown(test_tcp_refused_ends_call, teardown),
	    cmocka_unit_test_teardown(test_tls_call_verified, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_unverified_hop, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_wrong_name, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_promise_broken, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_bye_reuses_flow, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_handshake_timeout, tls_teardown),
	    cmocka_unit_test_teardown(test_tls_silent_server_ends_call, tls_teardown),
	    cmocka_unit_test_teardown(test_stream_framing, teardown),
	    cmocka_unit_test_teardown(test_rx_limit, teardown),
	    cmocka_unit_test_teardown(test_conn_limit, teardown),
	    cmocka_unit_test_teardown(test_idle_close, teardown),
	    cmocka_unit_test_teardown(test_udp_burst_keeps_events, teardown),
	    cmocka_unit_test_teardown(test_listen_errors, teardown),
	    cmocka_unit_test_teardown(test_resolve, teardown),
	    cmocka_unit_test_teardown(test_not_sip_closes, teardown),
	    cmocka_unit_test_teardown(test_tx_limit, teardown),
	};
	return cmocka_run_group_tests_name("loop", tests, srtp_group_setup, srtp_group_teardown);
}
