/* SPDX-License-Identifier: MIT */
/* sip/txn.c: the four transaction state machines with every timer, in
 * literal milliseconds (RFC 3261 17, RFC 6026). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "vox/sip_txn.h"

#define POOL 8
static struct vox_sip_txn pool[POOL];
#define ARENA 256
static struct vox_sip_chunk arena[ARENA];
static struct vox_sip_txl txl;
static struct vox_sip_msg msg;
static char buf[4096];

static const struct vox_peer udp_peer = {VOX_TP_UDP, {4, {192, 0, 2, 1}, 5060}, 0, 0, 0};
static const struct vox_peer tcp_peer = {VOX_TP_TCP, {4, {192, 0, 2, 1}, 5060}, 7, 0, 0};

/* A request with the given method, branch and CSeq method. */
static int request(char *out, size_t cap, const char *method, const char *branch,
                   const char *cseq_method, const char *to_tag)
{
	char via[128], cseq[64], to[96];
	snprintf(via, sizeof via, "SIP/2.0/UDP 192.0.2.9:5060;branch=%s", branch);
	snprintf(cseq, sizeof cseq, "1 %s", cseq_method);
	snprintf(to, sizeof to, "<sip:bob@example.com>%s%s", to_tag ? ";tag=" : "",
	         to_tag ? to_tag : "");
	const struct vox_sip_hdr_out h[] = {
	    {"Via", vox_slice_cstr(via)},
	    {"Max-Forwards", vox_slice_cstr("70")},
	    {"From", vox_slice_cstr("<sip:alice@example.com>;tag=a1")},
	    {"To", vox_slice_cstr(to)},
	    {"Call-ID", vox_slice_cstr("call-1@example.com")},
	    {"CSeq", vox_slice_cstr(cseq)},
	    {"Route", vox_slice_cstr("<sip:proxy.example.com;lr>")},
	};
	struct vox_sip_request_spec s = {
	    vox_slice_cstr(method), vox_slice_cstr("sip:bob@example.com"), h, 7, vox_slice_cstr(""),
	    vox_slice_cstr("")};
	int n = vox_sip_build_request(&s, out, cap);
	assert_true(n > 0);
	return n;
}

/* A response with status to a request held in text form. */
static int response_to(const char *req, size_t len, unsigned status, char *out, size_t cap)
{
	static struct vox_sip_msg r;
	assert_int_equal(vox_sip_parse(&r, req, len, VOX_SIP_DATAGRAM, NULL), (int)len);
	int n = vox_sip_build_response(&r, NULL, status, NULL, vox_slice_cstr("b2"), NULL, 0,
	                               vox_slice_cstr(""), vox_slice_cstr(""), out, cap);
	assert_true(n > 0);
	return n;
}

static int feed(const char *m, size_t len, const struct vox_peer *from, uint64_t now,
                vox_sip_txn_id *id)
{
	assert_int_equal(vox_sip_parse(&msg, m, len, VOX_SIP_DATAGRAM, NULL), (int)len);
	return vox_sip_txl_recv(&txl, &msg, from, now, id);
}

/* Runs the layer until `until`, firing every deadline; returns how many
 * messages went out and, in *last, the first line of the last one. */
static int run_until(uint64_t until, char *last, size_t cap)
{
	int sent = 0;
	for (;;) {
		struct vox_peer to;
		int n;
		while ((n = vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to)) > 0) {
			sent++;
			if (last) {
				const char *eol = memchr(buf, '\r', (size_t)n);
				size_t l = eol ? (size_t)(eol - buf) : (size_t)n;
				if (l >= cap)
					l = cap - 1;
				memcpy(last, buf, l);
				last[l] = 0;
			}
		}
		uint64_t d = vox_sip_txl_next_deadline(&txl);
		if (d > until)
			return sent;
		vox_sip_txl_on_deadline(&txl, d);
	}
}

/* Send times of a message: the deadlines at which output appears. */
static size_t send_times(uint64_t until, uint64_t *times, size_t max)
{
	size_t k = 0;
	uint64_t now = 0;
	for (;;) {
		struct vox_peer to;
		while (vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to) > 0)
			if (k < max)
				times[k++] = now;
		uint64_t d = vox_sip_txl_next_deadline(&txl);
		if (d > until)
			return k;
		now = d;
		vox_sip_txl_on_deadline(&txl, d);
	}
}

static int setup(void **st)
{
	(void)st;
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL), 0);
	return 0;
}

static void test_ict_timer_a_b(void **st)
{
	(void)st;
	char inv[1024];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKinv1", "INVITE", NULL);
	vox_sip_txn_id id;
	assert_int_equal(vox_sip_txl_request(&txl, inv, (size_t)n, &udp_peer, 0, &id), 0);
	uint64_t t[16];
	/* A: T1 doubling with no cap; B: 64*T1 = 32 s */
	size_t k = send_times(40000, t, 16);
	static const uint64_t want[] = {0, 500, 1500, 3500, 7500, 15500, 31500};
	assert_int_equal(k, 7);
	assert_memory_equal(t, want, sizeof want);
	struct vox_sip_txl_event ev;
	assert_int_equal(vox_sip_txl_next_event(&txl, &ev), 1);
	assert_int_equal(ev.type, VOX_TXL_EV_TIMEOUT);
	assert_int_equal(ev.id, id);
	assert_int_equal(ev.method, VOX_SIP_INVITE);
	assert_null(vox_sip_txl_get(&txl, id));
	assert_int_equal(txl.active, 0);
}

static void test_ict_non2xx_ack(void **st)
{
	(void)st;
	char inv[1024], resp[1024], line[128];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKinv2", "INVITE", NULL);
	vox_sip_txn_id id, rid;
	assert_int_equal(vox_sip_txl_request(&txl, inv, (size_t)n, &udp_peer, 0, &id), 0);
	assert_int_equal(run_until(100, NULL, 0), 1);
	int r = response_to(inv, (size_t)n, 180, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 200, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(rid, id);
	/* Proceeding: no more retransmissions, and no Timer B */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), UINT64_MAX);
	r = response_to(inv, (size_t)n, 486, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 5000, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(run_until(5000, line, sizeof line), 1);
	assert_string_equal(line, "ACK sip:bob@example.com SIP/2.0");
	/* the ACK: same Via branch and Route, To with the tag, CSeq ACK */
	struct vox_peer to;
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 6000, &rid), VOX_TXL_ABSORBED);
	n = vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to);
	assert_true(n > 0);
	static struct vox_sip_msg ack;
	assert_int_equal(vox_sip_parse(&ack, buf, (size_t)n, 0, NULL), n);
	assert_int_equal(ack.method_id, VOX_SIP_ACK);
	assert_true(
	    vox_slice_eq(vox_sip_find(&ack, VOX_SIP_H_CSEQ)->value, vox_slice_cstr("1 ACK")));
	assert_true(vox_slice_eq(vox_sip_find(&ack, VOX_SIP_H_VIA)->value,
	                         vox_slice_cstr("SIP/2.0/UDP 192.0.2.9:5060;branch=z9hG4bKinv2")));
	assert_true(vox_slice_eq(vox_sip_find(&ack, VOX_SIP_H_TO)->value,
	                         vox_slice_cstr("<sip:bob@example.com>;tag=b2")));
	assert_non_null(vox_sip_find(&ack, VOX_SIP_H_ROUTE));
	/* D: 32 s after the final response, then gone, with no event */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 5000 + 32000);
	run_until(40000, NULL, 0);
	assert_null(vox_sip_txl_get(&txl, id));
	struct vox_sip_txl_event ev;
	assert_int_equal(vox_sip_txl_next_event(&txl, &ev), 0);
}

static void test_ict_2xx_accepted(void **st)
{
	(void)st;
	char inv[1024], resp[1024];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKinv3", "INVITE", NULL);
	vox_sip_txn_id id, rid;
	assert_int_equal(vox_sip_txl_request(&txl, inv, (size_t)n, &udp_peer, 0, &id), 0);
	run_until(0, NULL, 0);
	int r = response_to(inv, (size_t)n, 200, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 300, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(vox_sip_txl_get(&txl, id)->state, VOX_TXN_ACCEPTED);
	/* RFC 6026: 2xx retransmissions reach the TU, which sends the ACK */
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 800, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(run_until(800, NULL, 0), 0);
	/* M: 64*T1 */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 300 + 32000);
	run_until(40000, NULL, 0);
	assert_null(vox_sip_txl_get(&txl, id));
	/* afterwards a late 2xx is stray: the dialog layer re-ACKs it */
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 41000, &rid), VOX_TXL_STRAY_RESPONSE);
	assert_int_equal(rid, 0);
}

static void test_nict_timer_e_f(void **st)
{
	(void)st;
	char req[1024];
	int n = request(req, sizeof req, "OPTIONS", "z9hG4bKopt1", "OPTIONS", NULL);
	vox_sip_txn_id id;
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id), 0);
	uint64_t t[32];
	/* E: T1 doubling up to T2 = 4 s; F: 64*T1 */
	size_t k = send_times(40000, t, 32);
	static const uint64_t want[] = {0,     500,   1500,  3500,  7500, 11500,
	                                15500, 19500, 23500, 27500, 31500};
	assert_int_equal(k, 11);
	assert_memory_equal(t, want, sizeof want);
	struct vox_sip_txl_event ev;
	assert_int_equal(vox_sip_txl_next_event(&txl, &ev), 1);
	assert_int_equal(ev.type, VOX_TXL_EV_TIMEOUT);
	assert_int_equal(ev.method, VOX_SIP_OPTIONS);
}

static void test_nict_proceeding_k(void **st)
{
	(void)st;
	char req[1024], resp[1024];
	int n = request(req, sizeof req, "BYE", "z9hG4bKbye1", "BYE", "b2");
	vox_sip_txn_id id, rid;
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id), 0);
	run_until(0, NULL, 0);
	int r = response_to(req, (size_t)n, 100, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 100, &rid), VOX_TXL_RESPONSE);
	/* Proceeding: E keeps going at T2; the next one is still the 500 ms one */
	uint64_t d = vox_sip_txl_next_deadline(&txl);
	assert_int_equal(d, 500);
	vox_sip_txl_on_deadline(&txl, d);
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 500 + 4000);
	r = response_to(req, (size_t)n, 200, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 1000, &rid), VOX_TXL_RESPONSE);
	/* Completed: K = T4, absorbing retransmissions */
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 1200, &rid), VOX_TXL_ABSORBED);
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 1000 + 5000);
}

static void test_ist(void **st)
{
	(void)st;
	char inv[1024], resp[1024], line[128];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKist1", "INVITE", NULL);
	vox_sip_txn_id id, id2;
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	assert_int_equal(run_until(0, line, sizeof line), 1);
	assert_string_equal(line, "SIP/2.0 100 Trying");
	/* a retransmitted INVITE is absorbed and the 100 sent again */
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 500, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(id2, id);
	assert_int_equal(run_until(500, line, sizeof line), 1);
	int r = response_to(inv, (size_t)n, 486, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 1000), 0);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 1000), VOX_ESTATE);
	uint64_t t[32];
	/* G: from T1 doubling to T2 (sent at 1000, 1500, 2500, 4500, 8500...); H at 64*T1 */
	size_t k = 0;
	uint64_t now = 1000;
	for (;;) {
		struct vox_peer to;
		while (vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to) > 0)
			t[k++] = now;
		uint64_t d = vox_sip_txl_next_deadline(&txl);
		if (d > 40000)
			break;
		now = d;
		vox_sip_txl_on_deadline(&txl, d);
	}
	static const uint64_t want[] = {1000,  1500,  2500,  4500,  8500, 12500,
	                                16500, 20500, 24500, 28500, 32500};
	assert_int_equal(k, 11);
	assert_memory_equal(t, want, sizeof want);
	struct vox_sip_txl_event ev;
	assert_int_equal(vox_sip_txl_next_event(&txl, &ev), 1);
	assert_int_equal(ev.type, VOX_TXL_EV_NO_ACK);
	assert_int_equal(ev.status, 486);
}

static void test_ist_ack_confirms(void **st)
{
	(void)st;
	char inv[1024], resp[1024], ack[1024];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKist2", "INVITE", NULL);
	vox_sip_txn_id id, aid;
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	int r = response_to(inv, (size_t)n, 603, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 10), 0);
	run_until(10, NULL, 0);
	int a = request(ack, sizeof ack, "ACK", "z9hG4bKist2", "ACK", "b2");
	assert_int_equal(feed(ack, (size_t)a, &udp_peer, 20, &aid), VOX_TXL_ABSORBED);
	assert_int_equal(aid, id);
	assert_int_equal(vox_sip_txl_get(&txl, id)->state, VOX_TXN_CONFIRMED);
	/* I: T4, no more retransmissions of the 603 */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 20 + 5000);
	assert_int_equal(run_until(10000, NULL, 0), 0);
	assert_null(vox_sip_txl_get(&txl, id));
}

static void test_ist_2xx_accepted(void **st)
{
	(void)st;
	char inv[1024], resp[1024], ack[1024];
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKist3", "INVITE", NULL);
	vox_sip_txn_id id, aid;
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	int r = response_to(inv, (size_t)n, 200, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 10), 0);
	/* the 100 not sent yet is dropped for the 200: it only stands in
	 * for a response the TU has not given (17.2.1) */
	char line[64];
	assert_int_equal(run_until(10, line, sizeof line), 1);
	assert_string_equal(line, "SIP/2.0 200 OK");
	/* the TU retransmits its 2xx through the transaction (13.3.1.4) */
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 510), 0);
	assert_int_equal(run_until(510, NULL, 0), 1);
	/* INVITE retransmissions are absorbed without output (RFC 6026 8.5) */
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 600, &aid), VOX_TXL_ABSORBED);
	assert_int_equal(run_until(600, NULL, 0), 0);
	/* the ACK for the 2xx goes to the TU */
	int a = request(ack, sizeof ack, "ACK", "z9hG4bKack3", "ACK", "b2");
	assert_int_equal(feed(ack, (size_t)a, &udp_peer, 700, &aid), VOX_TXL_ACK);
	assert_int_equal(aid, 0); /* its own branch: no transaction */
	/* L: 64*T1 */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 10 + 32000);
}

static void test_nist(void **st)
{
	(void)st;
	char req[1024], resp[1024], line[128];
	int n = request(req, sizeof req, "REGISTER", "z9hG4bKreg1", "REGISTER", NULL);
	vox_sip_txn_id id, id2;
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	/* Trying: retransmissions are absorbed silently */
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 500, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(run_until(500, NULL, 0), 0);
	int r = response_to(req, (size_t)n, 200, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 600), 0);
	assert_int_equal(run_until(600, line, sizeof line), 1);
	assert_string_equal(line, "SIP/2.0 200 OK");
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 1500, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(run_until(1500, line, sizeof line), 1);
	/* J: 64*T1 from the final response */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 600 + 32000);
	/* the response goes where 18.2.2 says: source address, sent-by port */
	struct vox_peer to;
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 1600, &id2), VOX_TXL_ABSORBED);
	assert_true(vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to) > 0);
	assert_int_equal(to.addr.port, 5060);
	assert_memory_equal(to.addr.ip, udp_peer.addr.ip, 4);
}

/* The TU's response may spell SIP-Version in any case (RFC 3261 7.1): it
 * goes out as given. Only SIP/2.0 and a status code are required. */
static void test_respond_version_case(void **st)
{
	(void)st;
	char req[1024], resp[1024], line[128];
	int n = request(req, sizeof req, "REGISTER", "z9hG4bKvers", "REGISTER", NULL);
	vox_sip_txn_id id;
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	int r = response_to(req, (size_t)n, 200, resp, sizeof resp);
	memcpy(resp, "SIP/2.1", 7);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 10), VOX_EINVAL);
	memcpy(resp, "sip/2.0", 7);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 10), 0);
	assert_int_equal(run_until(10, line, sizeof line), 1);
	assert_string_equal(line, "sip/2.0 200 OK");
	assert_int_equal(vox_sip_txl_get(&txl, id)->status, 200);
}

static void test_reliable(void **st)
{
	(void)st;
	char req[1024], resp[1024];
	int n = request(req, sizeof req, "OPTIONS", "z9hG4bKtcp1", "OPTIONS", NULL);
	vox_sip_txn_id id, rid;
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &tcp_peer, 0, &id), 0);
	/* no retransmissions over TCP: only F */
	assert_int_equal(run_until(31999, NULL, 0), 1);
	int r = response_to(req, (size_t)n, 200, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &tcp_peer, 1000, &rid), VOX_TXL_RESPONSE);
	/* K is zero over a reliable transport */
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 1000);
	vox_sip_txl_on_deadline(&txl, 1000);
	assert_null(vox_sip_txl_get(&txl, id));
	/* server side: the response goes back on the same connection */
	assert_int_equal(feed(req, (size_t)n, &tcp_peer, 2000, &id), VOX_TXL_NEW_REQUEST);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 2000), 0);
	struct vox_peer to;
	assert_true(vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to) > 0);
	assert_int_equal(to.conn, 7);
	assert_int_equal(vox_sip_txl_next_deadline(&txl), 2000); /* J = 0 */
}

static void test_matching(void **st)
{
	(void)st;
	char inv[1024], can[1024], resp[1024];
	/* INVITE and CANCEL share a branch; their responses must not mix (17.1.3) */
	int n = request(inv, sizeof inv, "INVITE", "z9hG4bKsame", "INVITE", NULL);
	vox_sip_txn_id ii, ci, rid;
	assert_int_equal(vox_sip_txl_request(&txl, inv, (size_t)n, &udp_peer, 0, &ii), 0);
	static struct vox_sip_msg im;
	assert_int_equal(vox_sip_parse(&im, inv, (size_t)n, 0, NULL), n);
	int c = vox_sip_build_cancel(&im, can, sizeof can);
	assert_true(c > 0);
	assert_int_equal(vox_sip_txl_request(&txl, can, (size_t)c, &udp_peer, 0, &ci), 0);
	int r = response_to(can, (size_t)c, 200, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 100, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(rid, ci);
	r = response_to(inv, (size_t)n, 487, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 200, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(rid, ii);

	/* On the server side, the CANCEL finds the INVITE it cancels (9.2). */
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL), 0);
	vox_sip_txn_id si, sc;
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &si), VOX_TXL_NEW_REQUEST);
	assert_int_equal(feed(can, (size_t)c, &udp_peer, 10, &sc), VOX_TXL_NEW_REQUEST);
	assert_int_not_equal(si, sc);
	assert_int_equal(vox_sip_parse(&msg, can, (size_t)c, 0, NULL), c);
	assert_int_equal(vox_sip_txl_find_invite(&txl, &msg), si);
	/* a request from another sent-by with the same branch is another transaction */
	char other[1024];
	memcpy(other, inv, (size_t)n);
	char *p = strstr(other, "192.0.2.9");
	memcpy(p, "192.0.2.8", 9);
	assert_int_equal(feed(other, (size_t)n, &udp_peer, 20, &sc), VOX_TXL_NEW_REQUEST);
}

static void test_rfc2543(void **st)
{
	(void)st;
	/* no magic cookie: match on Request-URI, From tag, Call-ID, CSeq, Via */
	char inv[1024], resp[1024], ack[1024];
	int n = request(inv, sizeof inv, "INVITE", "oldbranch", "INVITE", NULL);
	vox_sip_txn_id id, id2;
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	assert_int_equal(feed(inv, (size_t)n, &udp_peer, 500, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(id2, id);
	int r = response_to(inv, (size_t)n, 404, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, id, resp, (size_t)r, 600), 0);
	/* an ACK with another To tag is not ours */
	int a = request(ack, sizeof ack, "ACK", "oldbranch", "ACK", "zz");
	assert_int_equal(feed(ack, (size_t)a, &udp_peer, 700, &id2), VOX_TXL_ACK);
	assert_int_equal(vox_sip_txl_get(&txl, id)->state, VOX_TXN_COMPLETED);
	a = request(ack, sizeof ack, "ACK", "oldbranch", "ACK", "b2");
	assert_int_equal(feed(ack, (size_t)a, &udp_peer, 800, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(vox_sip_txl_get(&txl, id)->state, VOX_TXN_CONFIRMED);
}

static void test_pool_and_errors(void **st)
{
	(void)st;
	char req[1024];
	vox_sip_txn_id id;
	for (int i = 0; i < POOL; i++) {
		char br[32];
		snprintf(br, sizeof br, "z9hG4bKp%d", i);
		int n = request(req, sizeof req, "OPTIONS", br, "OPTIONS", NULL);
		assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id), 0);
	}
	int n = request(req, sizeof req, "OPTIONS", "z9hG4bKfull", "OPTIONS", NULL);
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id), VOX_EPOOL);
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id), VOX_EPOOL);
	/* a transport error ends the transaction with an event */
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL), 0);
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id), 0);
	vox_sip_txl_transport_error(&txl, id);
	struct vox_sip_txl_event ev;
	assert_int_equal(vox_sip_txl_next_event(&txl, &ev), 1);
	assert_int_equal(ev.type, VOX_TXL_EV_TRANSPORT_ERR);
	assert_null(vox_sip_txl_get(&txl, id));
	/* stale ids never reach the slot's next user */
	vox_sip_txn_id id2;
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &id2), 0);
	assert_int_not_equal(id, id2);
	assert_int_equal(vox_sip_txl_respond(&txl, id, "SIP/2.0 200 OK\r\n\r\n", 18, 0),
	                 VOX_ENOTFOUND);
	/* no ACK transactions, no branch without the cookie for our requests */
	int a = request(req, sizeof req, "ACK", "z9hG4bKa", "ACK", "x");
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)a, &udp_peer, 0, &id), VOX_EINVAL);
	a = request(req, sizeof req, "OPTIONS", "nocookie", "OPTIONS", NULL);
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)a, &udp_peer, 0, &id),
	                 VOX_EMALFORMED);
	/* output that does not fit stays queued */
	struct vox_peer to;
	assert_int_equal(vox_sip_txl_poll_output(&txl, buf, 10, &to), VOX_ENOSPC);
	assert_true(vox_sip_txl_poll_output(&txl, buf, sizeof buf, &to) > 0);
}

/* The pool slot of a transaction id (the pool is the caller's). */
static struct vox_sip_txn *slot_of(vox_sip_txn_id id)
{
	return &pool[(id & 0xffff) - 1];
}

/* A request from another sender (sent-by 192.0.2.7). */
static int request_from_7(char *out, size_t cap, const char *method, const char *branch,
                          const char *cseq_method)
{
	int n = request(out, cap, method, branch, cseq_method, NULL);
	memcpy(strstr(out, "192.0.2.9"), "192.0.2.7", 9);
	return n;
}

/* Transactions were matched on a 64-bit hash alone: two messages whose
 * hashes collide went to one transaction. The hash is only the first
 * test now; branch, sent-by and method must be equal too (17.1.3,
 * 17.2.3). A collision is forced by giving transaction A the key that B's
 * messages hash to (the pool is the caller's), then ending B. */
static void test_hash_collision(void **st)
{
	(void)st;
	char a[1024], b[1024], resp[1024], line[128];
	vox_sip_txn_id ia, ib, rid;
	/* client side: B's response must not reach A */
	int na = request(a, sizeof a, "INVITE", "z9hG4bKaaaa", "INVITE", NULL);
	int nb = request(b, sizeof b, "INVITE", "z9hG4bKbbbb", "INVITE", NULL);
	assert_int_equal(vox_sip_txl_request(&txl, a, (size_t)na, &udp_peer, 0, &ia), 0);
	assert_int_equal(vox_sip_txl_request(&txl, b, (size_t)nb, &udp_peer, 0, &ib), 0);
	uint64_t own = slot_of(ia)->key;
	slot_of(ia)->key = slot_of(ib)->key;
	vox_sip_txl_abandon(&txl, ib);
	int r = response_to(b, (size_t)nb, 486, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 10, &rid), VOX_TXL_STRAY_RESPONSE);
	assert_int_equal(rid, 0);
	assert_int_equal(vox_sip_txl_get(&txl, ia)->state, VOX_TXN_CALLING);
	/* with its own key back, A's response finds it */
	slot_of(ia)->key = own;
	r = response_to(a, (size_t)na, 486, resp, sizeof resp);
	assert_int_equal(feed(resp, (size_t)r, &udp_peer, 20, &rid), VOX_TXL_RESPONSE);
	assert_int_equal(rid, ia);

	/* server side: B (another sender, same branch) is a new request, not
	 * a retransmission of A */
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL), 0);
	na = request(a, sizeof a, "INVITE", "z9hG4bKcccc", "INVITE", NULL);
	nb = request_from_7(b, sizeof b, "INVITE", "z9hG4bKcccc", "INVITE");
	assert_int_equal(feed(a, (size_t)na, &udp_peer, 0, &ia), VOX_TXL_NEW_REQUEST);
	assert_int_equal(feed(b, (size_t)nb, &udp_peer, 0, &ib), VOX_TXL_NEW_REQUEST);
	own = slot_of(ia)->key;
	slot_of(ia)->key = slot_of(ib)->key;
	vox_sip_txl_abandon(&txl, ib);
	run_until(0, NULL, 0);
	assert_int_equal(feed(b, (size_t)nb, &udp_peer, 10, &rid), VOX_TXL_NEW_REQUEST);
	assert_int_not_equal(rid, ia);
	assert_int_equal(run_until(10, line, sizeof line), 1); /* B's own 100 */
	/* nor is B's CANCEL taken for one of A */
	static struct vox_sip_msg bm;
	char can[1024];
	assert_int_equal(vox_sip_parse(&bm, b, (size_t)nb, 0, NULL), nb);
	int c = vox_sip_build_cancel(&bm, can, sizeof can);
	assert_true(c > 0);
	assert_int_equal(vox_sip_parse(&msg, can, (size_t)c, 0, NULL), c);
	slot_of(ia)->key = slot_of(rid)->key;
	vox_sip_txl_abandon(&txl, rid);
	assert_int_equal(vox_sip_txl_find_invite(&txl, &msg), 0);
	/* nor B's ACK for one of A: A stays Completed, waiting for its own */
	r = response_to(a, (size_t)na, 486, resp, sizeof resp);
	assert_int_equal(vox_sip_txl_respond(&txl, ia, resp, (size_t)r, 20), 0);
	char ack[1024];
	int k = request_from_7(ack, sizeof ack, "ACK", "z9hG4bKcccc", "ACK");
	assert_int_equal(feed(ack, (size_t)k, &udp_peer, 30, &rid), VOX_TXL_ACK);
	assert_int_equal(vox_sip_txl_get(&txl, ia)->state, VOX_TXN_COMPLETED);
	slot_of(ia)->key = own;
	k = request(ack, sizeof ack, "ACK", "z9hG4bKcccc", "ACK", "b2");
	assert_int_equal(feed(ack, (size_t)k, &udp_peer, 40, &rid), VOX_TXL_ABSORBED);
	assert_int_equal(vox_sip_txl_get(&txl, ia)->state, VOX_TXN_CONFIRMED);

	/* a request whose matching fields do not fit VOX_SIP_TXN_ID cannot
	 * be told apart from others: refused, not cut */
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, arena, ARENA, NULL), 0);
	char br[VOX_SIP_TXN_ID + 16];
	memset(br, 'b', sizeof br - 1);
	memcpy(br, "z9hG4bK", 7);
	br[sizeof br - 1] = 0;
	na = snprintf(a, sizeof a,
	              "OPTIONS sip:bob@example.com SIP/2.0\r\n"
	              "Via: SIP/2.0/UDP 192.0.2.9:5060;branch=%s\r\n"
	              "Max-Forwards: 70\r\nFrom: <sip:alice@example.com>;tag=a1\r\n"
	              "To: <sip:bob@example.com>\r\nCall-ID: c@x\r\nCSeq: 1 OPTIONS\r\n"
	              "Content-Length: 0\r\n\r\n",
	              br);
	assert_int_equal(feed(a, (size_t)na, &udp_peer, 0, &ia), VOX_ETOOLONG);
	assert_int_equal(txl.active, 0);
	assert_int_equal(vox_sip_txl_request(&txl, a, (size_t)na, &udp_peer, 0, &ia), VOX_ETOOLONG);
}

/* A response that replaces one still unsent keeps it in a spill slot so
 * that both go out, in order. With both slots taken, the third was lost
 * without a word; now it is refused and nothing changes. */
static void test_spill_full(void **st)
{
	(void)st;
	char inv[1024], r180[1024], r200[1024];
	vox_sip_txn_id id[3];
	int n180[3], n200[3];
	for (int i = 0; i < 3; i++) {
		char br[32];
		snprintf(br, sizeof br, "z9hG4bKsp%d", i);
		int n = request(inv, sizeof inv, "INVITE", br, "INVITE", NULL);
		assert_int_equal(feed(inv, (size_t)n, &udp_peer, 0, &id[i]), VOX_TXL_NEW_REQUEST);
		n180[i] = response_to(inv, (size_t)n, 180, r180, sizeof r180);
		n200[i] = response_to(inv, (size_t)n, 200, r200, sizeof r200);
		/* the 100 Trying not sent yet is not kept for the 180 (17.2.1) */
		assert_int_equal(vox_sip_txl_respond(&txl, id[i], r180, (size_t)n180[i], 0), 0);
	}
	assert_int_equal(txl.nspill, 0);
	assert_int_equal(vox_sip_txl_respond(&txl, id[0], r200, (size_t)n200[0], 0), 0);
	assert_int_equal(vox_sip_txl_respond(&txl, id[1], r200, (size_t)n200[1], 0), 0);
	assert_int_equal(txl.nspill, 2);
	assert_int_equal(vox_sip_txl_respond(&txl, id[2], r200, (size_t)n200[2], 0), VOX_ELIMIT);
	assert_int_equal(vox_sip_txl_get(&txl, id[2])->state, VOX_TXN_PROCEEDING);
	assert_int_equal(vox_sip_txl_get(&txl, id[2])->status, 180);
	/* after polling, the 200 goes: every 180 went out, each before its 200 */
	char line[64];
	assert_int_equal(run_until(0, line, sizeof line), 5);
	assert_int_equal(vox_sip_txl_respond(&txl, id[2], r200, (size_t)n200[2], 0), 0);
	assert_int_equal(run_until(0, line, sizeof line), 1);
	assert_string_equal(line, "SIP/2.0 200 OK");
}

/* Over UDP a non-INVITE server transaction in Completed (Timer J, 32 s)
 * keeps no message: its id and our To tag only. A retransmitted request
 * gets the final response again, built from itself, with the same status
 * and tag (17.2.2); once sent it goes back to the arena. */
static void test_nist_rebuilds_final(void **st)
{
	(void)st;
	char req[1024], ok[1024], out1[1024], out2[1024];
	vox_sip_txn_id id, id2;
	int n = request(req, sizeof req, "BYE", "z9hG4bKj1", "BYE", "b2");
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	int k = response_to(req, (size_t)n, 200, ok, sizeof ok);
	assert_int_equal(vox_sip_txl_respond(&txl, id, ok, (size_t)k, 0), 0);
	struct vox_peer to;
	int n1 = vox_sip_txl_poll_output(&txl, out1, sizeof out1, &to);
	assert_true(n1 > 0);
	const struct vox_sip_txn *x = vox_sip_txl_get(&txl, id);
	assert_int_equal(x->state, VOX_TXN_COMPLETED);
	assert_int_equal(x->len, 0); /* nothing kept to resend */
	size_t held = txl.nchunks - txl.chunks_free;
	assert_int_equal(held, vox_sip_chunks_for(x->idlen + x->taglen + x->ownlen));
	/* the retransmission, 10 s later */
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 10000, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(id2, id);
	int n2 = vox_sip_txl_poll_output(&txl, out2, sizeof out2, &to);
	assert_true(n2 > 0);
	assert_true(!strncmp(out2, "SIP/2.0 200 ", 12));
	struct vox_sip_msg a, b;
	assert_true(vox_sip_parse(&a, out1, (size_t)n1, VOX_SIP_DATAGRAM, NULL) > 0);
	assert_true(vox_sip_parse(&b, out2, (size_t)n2, VOX_SIP_DATAGRAM, NULL) > 0);
	assert_true(vox_slice_eq(vox_sip_find(&a, VOX_SIP_H_TO)->value,
	                         vox_sip_find(&b, VOX_SIP_H_TO)->value));
	/* the same Via, stamped with where the request came from (18.2.1) */
	struct vox_slice va = vox_sip_find(&a, VOX_SIP_H_VIA)->value,
	                 vb = vox_sip_find(&b, VOX_SIP_H_VIA)->value;
	assert_true(vb.len >= va.len && !memcmp(va.p, vb.p, va.len));
	assert_int_equal(txl.nchunks - txl.chunks_free, held); /* given back once sent */
	run_until(100000, NULL, 0);
	assert_int_equal(txl.active, 0);
	assert_int_equal(txl.chunks_free, txl.nchunks);
}

/* The rebuilt response is the response: a 401 sent again for a
 * retransmitted REGISTER keeps its challenge, its reason phrase and its
 * body, not only status and tag (17.2.2: "the server transaction MUST
 * pass ... the most recently sent provisional or final response"). */
static void test_nist_rebuild_keeps_own_headers(void **st)
{
	(void)st;
	char req[1024], rsp[1024], out1[1024], out2[1024];
	static struct vox_sip_msg r;
	vox_sip_txn_id id, id2;
	int n = request(req, sizeof req, "REGISTER", "z9hG4bKr1", "REGISTER", NULL);
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id), VOX_TXL_NEW_REQUEST);
	assert_int_equal(vox_sip_parse(&r, req, (size_t)n, VOX_SIP_DATAGRAM, NULL), n);
	const struct vox_sip_hdr_out h[] = {
	    {"WWW-Authenticate", vox_slice_cstr("Digest realm=\"example.com\", nonce=\"abc\", "
	                                        "algorithm=SHA-256, qop=\"auth\"")},
	    {"Server", vox_slice_cstr("vox-test")},
	};
	int k = vox_sip_build_response(&r, &udp_peer.addr, 401, "Who Are You", vox_slice_cstr("t9"),
	                               h, 2, vox_slice_cstr("text/plain"),
	                               vox_slice_cstr("try again"), rsp, sizeof rsp);
	assert_true(k > 0);
	assert_int_equal(vox_sip_txl_respond(&txl, id, rsp, (size_t)k, 0), 0);
	struct vox_peer to;
	int n1 = vox_sip_txl_poll_output(&txl, out1, sizeof out1, &to);
	assert_int_equal(n1, k);
	assert_int_equal(vox_sip_txl_get(&txl, id)->len, 0); /* the message itself went */
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 5000, &id2), VOX_TXL_ABSORBED);
	assert_int_equal(id2, id);
	int n2 = vox_sip_txl_poll_output(&txl, out2, sizeof out2, &to);
	/* byte for byte the response sent first */
	assert_int_equal(n2, n1);
	assert_memory_equal(out1, out2, (size_t)n1);
	run_until(100000, NULL, 0);
	assert_int_equal(txl.chunks_free, txl.nchunks);
}

/* A full pool: a lingering transaction (here a NIST in Timer J) gives its
 * place to a new request and is counted; when every slot does real work,
 * the new request gets VOX_EPOOL. */
static void test_lingering_gives_way(void **st)
{
	(void)st;
	char req[1024], ok[1024], br[32];
	vox_sip_txn_id id[POOL + 1];
	for (int i = 0; i < POOL; i++) {
		snprintf(br, sizeof br, "z9hG4bKfull%d", i);
		int n = request(req, sizeof req, i < 2 ? "BYE" : "INVITE", br,
		                i < 2 ? "BYE" : "INVITE", NULL);
		assert_int_equal(feed(req, (size_t)n, &udp_peer, 0, &id[i]), VOX_TXL_NEW_REQUEST);
		if (i < 2) { /* answered: Completed, lingering for Timer J */
			int k = response_to(req, (size_t)n, 200, ok, sizeof ok);
			assert_int_equal(vox_sip_txl_respond(&txl, id[i], ok, (size_t)k, 0), 0);
		}
	}
	run_until(0, NULL, 0);
	int n = request(req, sizeof req, "INVITE", "z9hG4bKnew1", "INVITE", NULL);
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 100, &id[POOL]), VOX_TXL_NEW_REQUEST);
	assert_int_equal(txl.evicted, 1);
	assert_null(vox_sip_txl_get(&txl, id[0])); /* the one that would end first */
	n = request(req, sizeof req, "INVITE", "z9hG4bKnew2", "INVITE", NULL);
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 100, &id[0]), VOX_TXL_NEW_REQUEST);
	assert_int_equal(txl.evicted, 2);
	/* now every slot serves an INVITE still ringing: no room */
	n = request(req, sizeof req, "INVITE", "z9hG4bKnew3", "INVITE", NULL);
	assert_int_equal(feed(req, (size_t)n, &udp_peer, 100, &id[1]), VOX_EPOOL);
}

/* Lingering transactions give way in the order of their ends, not of
 * their slots: BYEs answered one after the other, the later slots earlier
 * (their Timer J ends first), and each new request ends the one whose
 * end is nearest (the linger heap's top), whatever the slot. */
static void test_lingering_order(void **st)
{
	(void)st;
	char req[1024], ok[1024], br[32];
	vox_sip_txn_id id[POOL], nid;
	for (int i = POOL - 1; i >= 0; i--) {
		snprintf(br, sizeof br, "z9hG4bKord%d", i);
		int n = request(req, sizeof req, "BYE", br, "BYE", "b2");
		uint64_t now = (uint64_t)(POOL - i) * 10;
		assert_int_equal(feed(req, (size_t)n, &udp_peer, now, &id[i]), VOX_TXL_NEW_REQUEST);
		int k = response_to(req, (size_t)n, 200, ok, sizeof ok);
		assert_int_equal(vox_sip_txl_respond(&txl, id[i], ok, (size_t)k, now), 0);
		run_until(now, NULL, 0);
	}
	assert_int_equal(txl.active, POOL);
	assert_int_equal(txl.nlinger, POOL);
	/* slot POOL - 1 was answered first (t = 10): it ends first */
	for (int e = POOL - 1; e >= 0; e--) {
		snprintf(br, sizeof br, "z9hG4bKnew%d", e);
		int n = request(req, sizeof req, "INVITE", br, "INVITE", NULL);
		assert_int_equal(feed(req, (size_t)n, &udp_peer, 1000, &nid), VOX_TXL_NEW_REQUEST);
		assert_null(vox_sip_txl_get(&txl, id[e]));
		for (int j = 0; j < e; j++)
			assert_non_null(vox_sip_txl_get(&txl, id[j]));
		assert_int_equal(txl.evicted, (uint32_t)(POOL - e));
	}
	assert_int_equal(txl.nlinger, 0); /* ringing INVITEs do not linger */
}

/* The arena is the limit too: a layer whose arena holds one INVITE
 * refuses the second with VOX_EPOOL (counted), and takes it once the
 * first has given its bytes back. */
static void test_arena_full(void **st)
{
	(void)st;
	/* the least vox_sip_txl_init takes: one message of VOX_SIP_TXN_MSG */
	enum {
		SMALL = (VOX_SIP_TXN_MSG + VOX_SIP_CHUNK - 1) / VOX_SIP_CHUNK +
		        (VOX_SIP_TXN_ID + VOX_SIP_CHUNK - 1) / VOX_SIP_CHUNK
	};
	static struct vox_sip_chunk small[SMALL];
	assert_int_equal(vox_sip_txl_init(&txl, pool, POOL, small, SMALL, NULL), 0);
	char req[1024];
	vox_sip_txn_id a, b;
	int n = request(req, sizeof req, "INVITE", "z9hG4bKar1", "INVITE", NULL);
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &a), 0);
	size_t one = txl.nchunks - txl.chunks_free;
	/* the TU's own bytes take the rest but room for one more INVITE */
	static char fill[VOX_SIP_TXN_MSG + VOX_SIP_TXN_ID];
	uint16_t fill_at;
	assert_true(txl.chunks_free > 2 * one);
	assert_int_equal(
	    vox_sip_arena_put(&txl, fill, (txl.chunks_free - one - 1) * VOX_SIP_CHUNK, &fill_at),
	    0);
	vox_sip_txn_id more[POOL - 1];
	int got = 0, refused = 0;
	for (int i = 0; i < POOL - 1; i++) {
		char br[32];
		snprintf(br, sizeof br, "z9hG4bKar%d", i + 2);
		n = request(req, sizeof req, "INVITE", br, "INVITE", NULL);
		int rc = vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &more[i]);
		if (rc == 0)
			got++;
		else {
			assert_int_equal(rc, VOX_EPOOL);
			refused++;
		}
	}
	assert_true(refused > 0);
	assert_int_equal(txl.arena_refused, (uint32_t)refused);
	assert_int_equal(got, 1);
	vox_sip_txl_abandon(&txl, a);
	n = request(req, sizeof req, "INVITE", "z9hG4bKar99", "INVITE", NULL);
	assert_int_equal(vox_sip_txl_request(&txl, req, (size_t)n, &udp_peer, 0, &b), 0);
	(void)b;
}

/* vox_sip_txl_init refuses a caller built with another vox/config.h, and
 * touches nothing then. */
static void test_config_fingerprint(void **st)
{
	(void)st;
	static struct vox_sip_txl t2;
	memset(&t2, 0x5a, sizeof t2);
	assert_int_equal(
	    vox_sip_txl_init_fp(&t2, pool, POOL, arena, ARENA, NULL, VOX_CONFIG_FINGERPRINT ^ 1),
	    VOX_ECONFIG);
	assert_int_equal(((unsigned char *)&t2)[0], 0x5a);
	assert_int_equal(vox_sip_txl_fingerprint(), VOX_CONFIG_FINGERPRINT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_ict_timer_a_b, setup),
	    cmocka_unit_test_setup(test_ict_non2xx_ack, setup),
	    cmocka_unit_test_setup(test_ict_2xx_accepted, setup),
	    cmocka_unit_test_setup(test_nict_timer_e_f, setup),
	    cmocka_unit_test_setup(test_nict_proceeding_k, setup),
	    cmocka_unit_test_setup(test_ist, setup),
	    cmocka_unit_test_setup(test_ist_ack_confirms, setup),
	    cmocka_unit_test_setup(test_ist_2xx_accepted, setup),
	    cmocka_unit_test_setup(test_nist, setup),
	    cmocka_unit_test_setup(test_respond_version_case, setup),
	    cmocka_unit_test_setup(test_reliable, setup),
	    cmocka_unit_test_setup(test_matching, setup),
	    cmocka_unit_test_setup(test_rfc2543, setup),
	    cmocka_unit_test_setup(test_pool_and_errors, setup),
	    cmocka_unit_test_setup(test_hash_collision, setup),
	    cmocka_unit_test_setup(test_spill_full, setup),
	    cmocka_unit_test_setup(test_nist_rebuilds_final, setup),
	    cmocka_unit_test_setup(test_nist_rebuild_keeps_own_headers, setup),
	    cmocka_unit_test_setup(test_lingering_gives_way, setup),
	    cmocka_unit_test_setup(test_lingering_order, setup),
	    cmocka_unit_test_setup(test_arena_full, setup),
	    cmocka_unit_test_setup(test_config_fingerprint, setup),
	};
	return cmocka_run_group_tests_name("txn", tests, NULL, NULL);
}
