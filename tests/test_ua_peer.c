/*
 * One UA against a peer the test plays by hand: responses and requests
 * built from what the UA actually sent, for the cases a second vox UA in
 * the simulator never produces (forking, odd peers). Regression tests for
 * what fuzz/fuzz_ua.c found live here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"
#include "vox/ua.h"

static struct vox_ua ua;
static uint64_t rng_state, peer_rng_state;
static uint64_t now;
static struct vox_sip_msg msg, req;
static struct vox_sdp sdp;
static char out[VOX_SIP_TXN_MSG + 64];
/* the UA's newest request of each method */
static char last[VOX_SIP_METHOD_COUNT][VOX_SIP_TXN_MSG + 64];
static size_t last_len[VOX_SIP_METHOD_COUNT];
static struct vox_peer last_to;

static const struct vox_peer bob = {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0};

static void setup_ua(void)
{
	struct vox_ua_config cfg;
	memset(&cfg, 0, sizeof cfg);
	rng_state = 1;
	peer_rng_state = 2;
	now = 1000;
	cfg.aor = vox_slice_cstr("sip:alice@10.0.0.1");
	cfg.host = vox_slice_cstr("10.0.0.1");
	cfg.port = 5060;
	cfg.transport = VOX_TP_UDP;
	cfg.rng = (struct vox_rng){test_rng, &rng_state};
	cfg.policy = VOX_SDP_POLICY_OPTIONAL;
	assert_int_equal(vox_ua_init(&ua, &cfg), 0);
}

/* The UA's next message: its start line's first word ("INVITE", "200"),
 * or "" when it has nothing to send. Requests are kept in `last`, parsed
 * in `msg`. */
static const char *next_out(void)
{
	static char word[16];
	int n = vox_ua_poll_output(&ua, out, sizeof out, &last_to);
	assert_true(n >= 0);
	word[0] = 0;
	if (!n)
		return word;
	assert_int_equal(vox_sip_parse(&msg, out, (size_t)n, VOX_SIP_DATAGRAM, NULL), n);
	if (msg.status) {
		snprintf(word, sizeof word, "%u", msg.status);
	} else {
		snprintf(word, sizeof word, "%.*s", (int)msg.method.len, msg.method.p);
		memcpy(last[msg.method_id], out, (size_t)n);
		last_len[msg.method_id] = (size_t)n;
	}
	return word;
}

/* The events so far, as "TYPE status" joined by ", ". */
static const char *events(void)
{
	static const char *const names[] = {"",         "REG_OK",   "REG_FAILED", "REG_LOST",
	                                    "UNREG",    "INCOMING", "PROGRESS",   "EARLY_MEDIA",
	                                    "ANSWERED", "MEDIA",    "DOWNGRADE",  "ENDED"};
	static char s[512];
	struct vox_ua_event ev;
	size_t k = 0;
	s[0] = 0;
	while (vox_ua_next_event(&ua, &ev) && k < sizeof s - 40)
		k += (size_t)snprintf(s + k, sizeof s - k, "%s%s %u", k ? ", " : "", names[ev.type],
		                      ev.status);
	return s;
}

/* bob answers the UA's newest request of a method: status, To tag,
 * optionally a Contact and an SDP answer on the given RTP port. */
static void respond(enum vox_sip_method method, unsigned status, const char *tag, int contact,
                    uint16_t sdp_port)
{
	char body[1024];
	struct vox_sip_hdr_out h[1];
	size_t nh = 0;
	struct vox_slice b = {NULL, 0}, ct = {NULL, 0};
	assert_true(last_len[method] > 0);
	assert_true(vox_sip_parse(&req, last[method], last_len[method], VOX_SIP_DATAGRAM, NULL) >
	            0);
	if (contact)
		h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr("<sip:bob@10.0.0.2>")};
	if (sdp_port) {
		struct vox_sdp_oa oa;
		struct vox_sdp_local l;
		struct vox_sdp_session s;
		const struct vox_rng rng = {test_rng, &peer_rng_state};
		assert_true(vox_sdp_parse(req.body.p, req.body.len, &sdp, NULL) > 0);
		vox_sdp_oa_init(&oa, 77);
		vox_sdp_local_init(&l, vox_slice_cstr("10.0.0.2"), sdp_port);
		int n = vox_sdp_oa_answer(&oa, &l, &sdp, &rng, body, sizeof body, &s, NULL);
		assert_true(n > 0);
		vox_sdp_session_free(&s);
		vox_sdp_oa_free(&oa);
		b = (struct vox_slice){body, (size_t)n};
		ct = vox_slice_cstr("application/sdp");
	}
	char resp[VOX_SIP_TXN_MSG];
	int n = vox_sip_build_response(&req, NULL, status, NULL, vox_slice_cstr(tag), h, nh, ct, b,
	                               resp, sizeof resp);
	assert_true(n > 0);
	assert_int_equal(vox_ua_recv(&ua, resp, (size_t)n, &bob, now), 0);
}

/* Time passes; every timer fires on time; what the UA sends is dropped. */
static void run_until(uint64_t t)
{
	for (;;) {
		uint64_t d = vox_ua_next_deadline(&ua);
		if (d > t)
			break;
		now = d > now ? d : now;
		vox_ua_on_deadline(&ua, now);
		while (next_out()[0])
			;
	}
	now = t;
}

static void assert_no_leak(void)
{
	run_until(now + 600000);
	assert_int_equal(vox_ua_calls_active(&ua), 0);
	assert_int_equal(ua.txl.active, 0);
}

/* ---- forking ------------------------------------------------------------------- */

static void test_fork_answers_after_other_early(void **st)
{
	(void)st;
	/* found by fuzz_ua: a 180 from one fork (To tag "a"), then the 200 of
	 * another ("b"). The 2xx makes its own dialog (RFC 3261 13.2.2.4)
	 * and its answer is the one the media follows; the call used to
	 * ignore it, stay early for ever and leak its slot. */
	setup_ua();
	vox_ua_handle c;
	assert_int_equal(vox_ua_call(&ua, vox_slice_cstr("sip:bob@10.0.0.2"), 0, now, &c), 0);
	assert_string_equal(next_out(), "INVITE");
	respond(VOX_SIP_INVITE, 183, "a", 1, 50000);
	assert_string_equal(events(), "PROGRESS 183, EARLY_MEDIA 183");
	respond(VOX_SIP_INVITE, 200, "b", 1, 50002);
	assert_string_equal(events(), "ANSWERED 200");
	assert_string_equal(next_out(), "ACK");
	struct vox_sip_addr to;
	assert_int_equal(vox_sip_addr_parse(&to, vox_sip_find(&msg, VOX_SIP_H_TO)->value, NULL), 0);
	assert_true(vox_slice_eq(to.tag, vox_slice_cstr("b")));
	const struct vox_ua_call *k = vox_ua_call_get(&ua, c);
	assert_int_equal(k->state, VOX_UA_CALL_UP);
	assert_int_equal(k->media.remote_rtp_port, 50002);
	/* the BYE goes to the answered fork */
	assert_int_equal(vox_ua_hangup(&ua, c, now), 0);
	assert_string_equal(next_out(), "BYE");
	assert_int_equal(vox_sip_addr_parse(&to, vox_sip_find(&msg, VOX_SIP_H_TO)->value, NULL), 0);
	assert_true(vox_slice_eq(to.tag, vox_slice_cstr("b")));
	respond(VOX_SIP_BYE, 200, "", 0, 0);
	assert_string_equal(events(), "ENDED 0");
	assert_no_leak();
}

/* ---- what crosses our BYE ---------------------------------------------------------------- */

/* An answered outgoing call. */
static vox_ua_handle call_up(void)
{
	vox_ua_handle c;
	assert_int_equal(vox_ua_call(&ua, vox_slice_cstr("sip:bob@10.0.0.2"), 0, now, &c), 0);
	assert_string_equal(next_out(), "INVITE");
	respond(VOX_SIP_INVITE, 200, "b", 1, 50000);
	assert_string_equal(next_out(), "ACK");
	assert_string_equal(events(), "ANSWERED 200");
	return c;
}

static void test_reinvite_2xx_after_bye(void **st)
{
	(void)st;
	/* found by fuzz_ua: we put the call on hold, hang up before the
	 * answer, and then the 200 to the re-INVITE comes. It gets its ACK
	 * (13.2.2.4) but the session is over (15.1.1): no MEDIA event after
	 * ENDED, no second BYE */
	setup_ua();
	vox_ua_handle c = call_up();
	assert_int_equal(vox_ua_hold(&ua, c, 1, now), 0);
	assert_string_equal(next_out(), "INVITE");
	assert_int_equal(vox_ua_hangup(&ua, c, now), 0);
	assert_string_equal(next_out(), "BYE");
	assert_string_equal(events(), "ENDED 0");
	respond(VOX_SIP_INVITE, 200, "b", 1, 50000);
	assert_string_equal(next_out(), "ACK");
	assert_string_equal(next_out(), "");
	assert_string_equal(events(), "");
	/* the answer to the BYE frees the slot, quietly */
	respond(VOX_SIP_BYE, 200, "", 0, 0);
	assert_string_equal(events(), "");
	assert_no_leak();
}

static void test_cancelled_2xx_retransmitted(void **st)
{
	(void)st;
	/* our CANCEL crosses the 200: we ACK it and send BYE (15); the 200
	 * comes again (our ACK was lost): ACK again, and no second BYE */
	setup_ua();
	vox_ua_handle c;
	assert_int_equal(vox_ua_call(&ua, vox_slice_cstr("sip:bob@10.0.0.2"), 0, now, &c), 0);
	assert_string_equal(next_out(), "INVITE");
	respond(VOX_SIP_INVITE, 180, "b", 1, 0);
	assert_int_equal(vox_ua_hangup(&ua, c, now), 0);
	assert_string_equal(next_out(), "CANCEL");
	respond(VOX_SIP_INVITE, 200, "b", 1, 50000);
	assert_string_equal(next_out(), "ACK");
	assert_string_equal(next_out(), "BYE");
	respond(VOX_SIP_INVITE, 200, "b", 1, 50000);
	assert_string_equal(next_out(), "ACK");
	assert_string_equal(next_out(), "");
	assert_string_equal(events(), "PROGRESS 180, ENDED 487");
	respond(VOX_SIP_CANCEL, 200, "", 0, 0);
	respond(VOX_SIP_BYE, 200, "", 0, 0);
	assert_no_leak();
}

/* ---- requests from bob ------------------------------------------------------------------- */

/* A second Via bob's requests carry (a proxy's), or NULL. */
static const char *proxy_via;

/* bob sends a request outside any dialog of ours: Call-ID "c1@bob", his
 * From tag "bt", no To tag. Returns what vox_ua_recv said. */
static int peer_request_rc(const char *method, const char *branch, unsigned cseq)
{
	char via[96], cs[40], r[4096];
	snprintf(via, sizeof via, "SIP/2.0/UDP 10.0.0.2:5060;branch=%s", branch);
	snprintf(cs, sizeof cs, "%u %s", cseq, method);
	const struct vox_sip_hdr_out h[] = {
	    {"Via", vox_slice_cstr(via)},
	    {"Max-Forwards", vox_slice_cstr("70")},
	    {"From", vox_slice_cstr("<sip:bob@10.0.0.2>;tag=bt")},
	    {"To", vox_slice_cstr("<sip:alice@10.0.0.1>")},
	    {"Call-ID", vox_slice_cstr("c1@bob")},
	    {"CSeq", vox_slice_cstr(cs)},
	    {"Contact", vox_slice_cstr("<sip:bob@10.0.0.2>")},
	    {"Via", vox_slice_cstr(proxy_via ? proxy_via : "")},
	};
	struct vox_sip_request_spec spec = {vox_slice_cstr(method),
	                                    vox_slice_cstr("sip:alice@10.0.0.1"),
	                                    h,
	                                    proxy_via ? 8 : 7,
	                                    {NULL, 0},
	                                    {NULL, 0}};
	int n = vox_sip_build_request(&spec, r, sizeof r);
	assert_true(n > 0);
	return vox_ua_recv(&ua, r, (size_t)n, &bob, now);
}

static void peer_request(const char *method, const char *branch, unsigned cseq)
{
	assert_int_equal(peer_request_rc(method, branch, cseq), 0);
}

/* The To tag of the message next_out() parsed last. */
static struct vox_slice out_to_tag(void)
{
	struct vox_sip_addr to;
	assert_int_equal(vox_sip_addr_parse(&to, vox_sip_find(&msg, VOX_SIP_H_TO)->value, NULL), 0);
	return to.tag.p ? to.tag : vox_slice_cstr("");
}

static void test_responses_carry_to_tag(void **st)
{
	(void)st;
	/* found by fuzz_ua: the 200 to a CANCEL, a 481 and a 503 went out
	 * without a To tag. 8.2.6.2: every response but 100 to a request
	 * without one gets a tag; 9.2: the CANCEL's 200 the tag of our
	 * responses to the INVITE */
	setup_ua();
	char tag[32];
	peer_request("INVITE", "z9hG4bKi1", 1);
	assert_string_equal(next_out(), "100");
	struct vox_ua_event ev;
	assert_true(vox_ua_next_event(&ua, &ev));
	assert_int_equal(vox_ua_ring(&ua, ev.call, now), 0);
	assert_string_equal(next_out(), "180");
	struct vox_slice t = out_to_tag();
	assert_true(t.len > 0 && t.len < sizeof tag);
	memcpy(tag, t.p, t.len);
	tag[t.len] = 0;
	peer_request("CANCEL", "z9hG4bKi1", 1);
	assert_string_equal(next_out(), "200");
	assert_true(vox_slice_eq(out_to_tag(), vox_slice_cstr(tag)));
	assert_string_equal(next_out(), "487");
	assert_true(vox_slice_eq(out_to_tag(), vox_slice_cstr(tag)));
	assert_string_equal(events(), "ENDED 487");
	peer_request("BYE", "z9hG4bKi2", 2); /* no such dialog */
	assert_string_equal(next_out(), "481");
	assert_true(out_to_tag().len > 0);
	assert_no_leak();
}

static int broken_rng(void *ctx, uint8_t *bytes, size_t len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	return VOX_ERNG;
}

static void test_broken_rng_still_answers(void **st)
{
	(void)st;
	/* found by fuzz_ua: with the rng failing, an INVITE could get no
	 * tag for its 500, then no 500 at all, and its server transaction
	 * (Proceeding has no timer) stayed for ever */
	setup_ua();
	ua.cfg.rng = (struct vox_rng){broken_rng, NULL};
	peer_request("INVITE", "z9hG4bKr1", 1);
	assert_string_equal(next_out(), "100");
	assert_string_equal(next_out(), "500");
	assert_string_equal(events(), "");
	assert_no_leak();
}

static void test_unanswerable_requests_dropped(void **st)
{
	(void)st;
	/* found with fuzz_ua once its records could be long: an INVITE whose
	 * Via set is so long that no response fits a transaction
	 * (VOX_SIP_TXN_MSG). Its 100 Trying was never stored, INCOMING went
	 * to the application, and neither answer nor reject could send
	 * anything: the server transaction (no timer in Proceeding, nor in
	 * a non-INVITE's Trying) stayed for ever. Such an INVITE is now
	 * dropped; a final response that cannot be built ends its
	 * transaction. */
	static char big[1600];
	int k = snprintf(big, sizeof big, "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKp;x=");
	memset(big + k, 'a', 1400);
	big[k + 1400] = 0;
	setup_ua();
	proxy_via = big;
	assert_int_equal(peer_request_rc("INVITE", "z9hG4bKb1", 1), VOX_ETOOLONG);
	assert_string_equal(next_out(), "");
	assert_string_equal(events(), "");
	assert_int_equal(ua.txl.active, 0);
	peer_request("OPTIONS", "z9hG4bKb2", 2);
	assert_string_equal(next_out(), "");
	assert_int_equal(ua.txl.active, 0);
	proxy_via = NULL;
	assert_no_leak();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_fork_answers_after_other_early),
	    cmocka_unit_test(test_reinvite_2xx_after_bye),
	    cmocka_unit_test(test_cancelled_2xx_retransmitted),
	    cmocka_unit_test(test_responses_carry_to_tag),
	    cmocka_unit_test(test_broken_rng_still_answers),
	    cmocka_unit_test(test_unanswerable_requests_dropped),
	};
	return cmocka_run_group_tests_name("ua", tests, NULL, NULL);
}
