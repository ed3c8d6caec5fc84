/* SPDX-License-Identifier: MIT */
/*
 * The UA against a peer driven by hand, message by message: the corner
 * cases of RFC 3261 13-15 and 22 that a network of two vox endpoints never
 * produces (forks, proxies that challenge, record-routing, glare with a lost
 * ACK). Each test asserts what the RFC asks for.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sim/sim.h"
#include "testutil.h"

static struct sim sim;
static struct vox_ua alice, bob;

/* memcpy of a NUL-terminated message into a message-sized buffer */
static void copy_msg(char *dst, const char *src)
{
	assert_non_null(src);
	size_t n = strlen(src);
	assert_true(n <= VOX_SIP_TXN_MSG);
	memcpy(dst, src, n + 1);
}

#define RAW_MAX 32
static char raw_msg[RAW_MAX][VOX_SIP_TXN_MSG + 1];
static struct vox_peer raw_to[RAW_MAX];
static int raw_n;
static uint64_t rnow;

/* Everything the UA wants to send now. */
static int pull(struct vox_ua *ua)
{
	char buf[VOX_SIP_TXN_MSG + 64];
	int len;
	raw_n = 0;
	while (raw_n < RAW_MAX &&
	       (len = vox_ua_poll_output(ua, buf, sizeof buf - 1, &raw_to[raw_n])) > 0) {
		memcpy(raw_msg[raw_n], buf, (size_t)len);
		raw_msg[raw_n][len] = 0;
		raw_n++;
	}
	return raw_n;
}

static const char *out_starting(const char *prefix)
{
	for (int i = 0; i < raw_n; i++)
		if (!strncmp(raw_msg[i], prefix, strlen(prefix)))
			return raw_msg[i];
	return NULL;
}

static int out_count(const char *prefix)
{
	int n = 0;
	for (int i = 0; i < raw_n; i++)
		n += !strncmp(raw_msg[i], prefix, strlen(prefix));
	return n;
}

/* The value of header `name` in msg (vox writes canonical names). */
static const char *hval(const char *msg, const char *name, char *out, size_t cap)
{
	char key[64];
	snprintf(key, sizeof key, "\r\n%s: ", name);
	const char *p = strstr(msg, key);
	out[0] = 0;
	if (!p)
		return out;
	p += strlen(key);
	const char *e = strstr(p, "\r\n");
	size_t n = (size_t)(e - p) < cap - 1 ? (size_t)(e - p) : cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
	return out;
}

/* msg from the raw peer at 10.0.0.2; what vox_ua_recv said */
static int feed(struct vox_ua *ua, const char *msg)
{
	struct vox_peer from = {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0, 0, 0};
	return vox_ua_recv(ua, msg, strlen(msg), &from, rnow);
}

static void tick(struct vox_ua *ua, uint64_t until)
{
	for (;;) {
		uint64_t d = vox_ua_next_deadline(ua);
		if (d > until)
			break;
		rnow = d > rnow ? d : rnow;
		vox_ua_on_deadline(ua, rnow);
	}
	rnow = until;
}

/* Ten minutes with nothing from the network: the UA must then hold no
 * call and no transaction (what it sends meanwhile is dropped). */
static void assert_idle(struct vox_ua *ua)
{
	uint64_t end = rnow + 600000;
	for (uint64_t d; (d = vox_ua_next_deadline(ua)) <= end;) {
		rnow = d > rnow ? d : rnow;
		vox_ua_on_deadline(ua, rnow);
		pull(ua);
	}
	rnow = end;
	assert_int_equal(vox_ua_calls_active(ua), 0);
	assert_int_equal(ua->txl.active, 0);
}

static const char *answer_sdp =
    "v=0\r\no=- 7 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=audio 50000 RTP/AVP 0\r\na=sendrecv\r\n";

/* A response to req from the raw peer. */
static const char *mkresp(char *out, size_t cap, const char *req, unsigned status,
                          const char *totag, const char *extra, const char *body)
{
	char via[256], from[256], to[256], cid[128], cseq[64];
	hval(req, "Via", via, sizeof via);
	hval(req, "From", from, sizeof from);
	hval(req, "To", to, sizeof to);
	hval(req, "Call-ID", cid, sizeof cid);
	hval(req, "CSeq", cseq, sizeof cseq);
	char tt[64] = "";
	if (!strstr(to, ";tag=") && totag)
		snprintf(tt, sizeof tt, ";tag=%s", totag);
	snprintf(out, cap,
	         "SIP/2.0 %u X\r\nVia: %s\r\nFrom: %s\r\nTo: %s%s\r\nCall-ID: %s\r\nCSeq: %s\r\n%s"
	         "%sContent-Length: %zu\r\n\r\n%s",
	         status, via, from, to, tt, cid, cseq, extra ? extra : "",
	         body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : (size_t)0,
	         body ? body : "");
	return out;
}

static struct vox_ua_event evs[64];
static int nevs;
/* The signalling events so far. What the media engines report
 * (VOX_UA_EV_MEDIA_ENGINE) is left out: tests/test_sim.c follows media. */
static const char *evstr(struct vox_ua *ua)
{
	static char s[512];
	struct vox_ua_event e;
	while (nevs < 64 && vox_ua_next_event(ua, &e))
		if (e.type != VOX_UA_EV_MEDIA_ENGINE)
			evs[nevs++] = e;
	s[0] = 0;
	for (int i = 0; i < nevs; i++) {
		size_t k = strlen(s);
		snprintf(s + k, sizeof s - k, "%s%d/%u", i ? "," : "", evs[i].type, evs[i].status);
	}
	return s;
}

/* The media sockets the tests name: a caller's and a callee's. */
static const struct vox_ua_media_addr mcall = {{NULL, 0}, 40000};
static const struct vox_ua_media_addr mans = {{NULL, 0}, 40000};

/* alice (node 0 of the sim, for its rng) alone, calling a raw bob at 10.0.0.2 */
static void alice_alone(uint64_t seed)
{
	struct vox_ua_config ca;
	vox_ua_free(&alice);
	sim_init(&sim, seed);
	sim_ua_config(&ca, "sip:alice@10.0.0.1");
	assert_int_equal(sim_add_ua(&sim, &alice, &ca), 0);
	rnow = 0;
	nevs = 0;
}

/* SHA-256 unless the profile leaves SHA-2 out (VOX_WITH_DIGEST_SHA2 = 0) */
#if VOX_WITH_DIGEST_SHA2
#define CHAL_ALG "SHA-256"
#else
#define CHAL_ALG "MD5"
#endif
static const char *chal407 =
    "Proxy-Authenticate: Digest realm=\"sim.example\", nonce=\"abcdef0123456789\", "
    "algorithm=" CHAL_ALG ", qop=\"auth\"\r\n";

static const char *offer_sdp =
    "v=0\r\no=- 9 9 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=audio 50000 RTP/AVP 0\r\na=sendrecv\r\n";

static void ua_alone(struct vox_ua *ua, const char *aor, uint64_t seed)
{
	struct vox_ua_config c;
	vox_ua_free(ua);
	sim_init(&sim, seed);
	sim_ua_config(&c, aor);
	assert_int_equal(sim_add_ua(&sim, ua, &c), 0);
	rnow = 0;
	nevs = 0;
}

static const char *mkinvite(char *out, size_t cap, const char *callid, const char *branch,
                            const char *extra)
{
	snprintf(out, cap,
	         "INVITE sip:bob@10.0.0.1:5060 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK%s\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.7:5060;branch=z9hG4bKcaller%s\r\n"
	         "%sMax-Forwards: 69\r\nFrom: <sip:carol@example.com>;tag=c1\r\n"
	         "To: <sip:bob@example.com>\r\nCall-ID: %s\r\nCSeq: 5 INVITE\r\n"
	         "Contact: <sip:carol@10.0.0.7:5060>\r\nContent-Type: application/sdp\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         branch, branch, extra, callid, strlen(offer_sdp), offer_sdp);
	return out;
}

/* A request from carol (through 10.0.0.2) outside any dialog of ours:
 * From tag c1, no To tag, CSeq 5, no body; extra goes after the Vias. */
static const char *mkreq(char *out, size_t cap, const char *method, const char *callid,
                         const char *branch, const char *extra)
{
	snprintf(out, cap,
	         "%s sip:bob@10.0.0.1:5060 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK%s\r\n"
	         "%sMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\n"
	         "To: <sip:bob@example.com>\r\nCall-ID: %s\r\nCSeq: 5 %s\r\n"
	         "Content-Length: 0\r\n\r\n",
	         method, branch, extra, callid, method);
	return out;
}

/* alice in a confirmed call with a raw bob; returns the INVITE alice sent */
static vox_ua_handle alice_up(char *inv, uint64_t seed, const char *target, const char *contact,
                              const char *sdp)
{
	char r[4096], ct[128];
	vox_ua_handle c;
	alice_alone(seed);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr(target), 0, &mcall, 0, &c), 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	snprintf(ct, sizeof ct, "Contact: %s\r\n", contact);
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", ct, sdp));
	pull(&alice);
	assert_non_null(out_starting("ACK"));
	return c;
}

/* bob's re-INVITE to alice in the dialog of inv (alice's INVITE, To tag b1) */
static const char *bob_reinvite(char *out, size_t cap, const char *inv, unsigned cseq,
                                const char *sdp)
{
	char from[256], cid[128];
	hval(inv, "From", from, sizeof from);
	hval(inv, "Call-ID", cid, sizeof cid);
	snprintf(out, cap,
	         "INVITE sip:alice@10.0.0.1:5060 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKbobre%u\r\n"
	         "Max-Forwards: 70\r\nFrom: <sip:bob@10.0.0.2>;tag=b1\r\nTo: %s\r\n"
	         "Call-ID: %s\r\nCSeq: %u INVITE\r\nContact: <sip:bob@10.0.0.2:5060>\r\n"
	         "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
	         cseq, from, cid, cseq, strlen(sdp), sdp);
	return out;
}

static void hdr(const char *msg, const char *name, char *out, size_t cap)
{
	assert_non_null(msg);
	hval(msg, name, out, cap);
}

/* 13.2.2.4: 180 from fork A, 180 from fork B, 200 from fork B: the 200
 * makes the dialog, is ACKed, and the call is up; a 200 from A later is
 * ACKed and ended with BYE, once however often it comes. */
static void test_forks(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096], to[256];
	vox_ua_handle c;
	alice_alone(50);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c),
	                 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice,
	     mkresp(r, sizeof r, inv, 180, "forkA", "Contact: <sip:bob@10.0.0.2:5060>\r\n", NULL));
	feed(&alice,
	     mkresp(r, sizeof r, inv, 180, "forkB", "Contact: <sip:bob@10.0.0.3:5060>\r\n", NULL));
	pull(&alice);
	feed(&alice, mkresp(r, sizeof r, inv, 200, "forkB", "Contact: <sip:bob@10.0.0.3:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	hdr(out_starting("ACK"), "To", to, sizeof to);
	assert_non_null(strstr(to, "tag=forkB"));
	assert_int_equal(vox_ua_call_get(&alice, c)->state, VOX_UA_CALL_UP);
	/* fork A answers too: ACK it, and BYE it (not the call we keep) */
	feed(&alice, mkresp(r, sizeof r, inv, 200, "forkA", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	assert_int_equal(out_count("BYE"), 1);
	hdr(out_starting("BYE"), "To", to, sizeof to);
	assert_non_null(strstr(to, "tag=forkA"));
	assert_int_equal(vox_ua_call_get(&alice, c)->state, VOX_UA_CALL_UP);
	/* A's 200 again (our ACK was lost): ACKed again, but its BYE is
	 * still on its way, so no second one (found by fuzz_ua) */
	feed(&alice, mkresp(r, sizeof r, inv, 200, "forkA", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	assert_int_equal(out_count("BYE"), 0);
	/* and the call we kept still hangs up */
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	hdr(out_starting("BYE"), "To", to, sizeof to);
	assert_non_null(strstr(to, "tag=forkB"));
}

/* 22.2 and 13.2.2.4: every INVITE a proxy challenges is answered again,
 * call after call, and the ACK carries the INVITE's credentials. */
static void test_challenged_calls(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096], h[1024];
	vox_ua_handle c, acct;
	alice_alone(52);
	struct vox_ua_account_cfg acfg = {vox_slice_cstr("sip:alice@sim.example"),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr(""),
	                                  vox_slice_cstr("secret"),
	                                  600,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	for (int call = 1; call <= 3; call++) {
		assert_int_equal(
		    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), acct, &mcall, rnow, &c),
		    0);
		pull(&alice);
		copy_msg(inv, out_starting("INVITE"));
		feed(&alice, mkresp(r, sizeof r, inv, 407, "px", chal407, NULL));
		pull(&alice);
		copy_msg(inv, out_starting("INVITE"));
		hdr(inv, "Proxy-Authorization", h, sizeof h);
		assert_true(h[0] != 0);
		feed(&alice, mkresp(r, sizeof r, inv, 200, "b1",
		                    "Contact: <sip:bob@10.0.0.2:5060>\r\n", answer_sdp));
		pull(&alice);
		char ah[1024];
		hdr(out_starting("ACK"), "Proxy-Authorization", ah, sizeof ah);
		assert_string_equal(ah, h);
		assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
		pull(&alice);
		feed(&alice, mkresp(r, sizeof r, out_starting("BYE"), 200, NULL, NULL, NULL));
		tick(&alice, rnow + 100);
		pull(&alice);
	}
	/* a second challenge for the same INVITE is not answered again */
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), acct, &mcall, rnow, &c), 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 407, "px", chal407, NULL));
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 407, "px", chal407, NULL));
	pull(&alice);
	assert_null(out_starting("INVITE"));
	assert_null(vox_ua_call_get(&alice, c));
}

/* A challenge whose answer fills the whole buffer is refused cleanly. */
static void test_huge_challenge(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[8192], chal[2048], realm[400], nonce[300], opaque[300];
	vox_ua_handle c, acct;
	alice_alone(53);
	struct vox_ua_account_cfg acfg = {vox_slice_cstr("sip:alice@sim.example"),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr(""),
	                                  vox_slice_cstr("secret"),
	                                  600,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	for (int i = 0; i < 60; i++)
		realm[2 * i] = '\\', realm[2 * i + 1] = '"';
	memset(realm + 120, 'r', 190);
	realm[310] = 0;
	memset(nonce, 'n', 250);
	nonce[250] = 0;
	for (int ol = 150; ol < 260; ol += 7) { /* around 1024 bytes of credentials */
		memset(opaque, 'o', (size_t)ol);
		opaque[ol] = 0;
		snprintf(chal, sizeof chal,
		         "Proxy-Authenticate: Digest realm=\"%s\", nonce=\"%s\", opaque=\"%s\", "
		         "algorithm=SHA-256, qop=\"auth\"\r\n",
		         realm, nonce, opaque);
		assert_int_equal(
		    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), acct, &mcall, rnow, &c),
		    0);
		pull(&alice);
		copy_msg(inv, out_starting("INVITE"));
		feed(&alice, mkresp(r, sizeof r, inv, 407, "px", chal, NULL)); /* ASan watches */
		pull(&alice);
		if (vox_ua_call_get(&alice, c))
			(void)!vox_ua_hangup(&alice, c, rnow);
		tick(&alice, rnow + 100000);
		pull(&alice);
	}
}

/* 12.1.1: a dialog-making response copies Record-Route, and its 1xx has
 * a Contact; 8.2.6.2 and 9.2: the CANCEL's 200 carries the INVITE's tag;
 * 18.2.1 / RFC 3581: the top Via gets received and rport. */
static void test_uas_responses(void **st)
{
	(void)st;
	char m[4096], h[256], tag487[64] = "", tag200[64] = "";
	ua_alone(&bob, "sip:bob@10.0.0.1", 54);
	feed(&bob, mkinvite(m, sizeof m, "cid-rr@x", "p1", "Record-Route: <sip:10.0.0.2;lr>\r\n"));
	pull(&bob);
	/* sent-by is the source address and no rport: the Via stays as it was */
	hdr(out_starting("SIP/2.0 100"), "Via", h, sizeof h);
	assert_string_equal(h, "SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKp1");
	evstr(&bob);
	vox_ua_handle in = evs[0].call;
	assert_int_equal(vox_ua_ring(&bob, in, rnow), 0);
	assert_int_equal(vox_ua_answer(&bob, in, &mans, rnow), 0);
	pull(&bob);
	const char *r180 = out_starting("SIP/2.0 180"), *r200 = out_starting("SIP/2.0 200");
	assert_non_null(r180);
	assert_non_null(r200);
	hdr(r180, "Record-Route", h, sizeof h);
	assert_string_equal(h, "<sip:10.0.0.2;lr>");
	hdr(r200, "Record-Route", h, sizeof h);
	assert_string_equal(h, "<sip:10.0.0.2;lr>");
	assert_non_null(strstr(r180, "\r\nContact: "));
	/* a second call, cancelled */
	feed(&bob, mkinvite(m, sizeof m, "cid-cancel@x", "p2", ""));
	pull(&bob);
	feed(&bob, mkreq(m, sizeof m, "CANCEL", "cid-cancel@x", "p2", ""));
	pull(&bob);
	assert_int_equal(raw_n, 2);
	for (int i = 0; i < raw_n; i++) {
		hval(raw_msg[i], "To", h, sizeof h);
		const char *t = strstr(h, "tag=");
		assert_non_null(t);
		char *dst = strncmp(raw_msg[i], "SIP/2.0 487", 11) == 0 ? tag487 : tag200;
		snprintf(dst, 64, "%s", t);
	}
	assert_string_equal(tag487, tag200);
	/* 8.2.6.2: a 481 (a BYE in no dialog of ours) has a To tag too */
	feed(&bob, mkreq(m, sizeof m, "BYE", "cid-none@x", "p3", ""));
	pull(&bob);
	hdr(out_starting("SIP/2.0 481"), "To", h, sizeof h);
	assert_non_null(strstr(h, ";tag="));
	/* 11.2: OPTIONS gets 200 with Allow, Accept and (empty) Supported, and
	 * that response is one vox itself accepts */
	feed(&bob, mkreq(m, sizeof m, "OPTIONS", "cid-opt@x", "p4", ""));
	pull(&bob);
	const char *ok = out_starting("SIP/2.0 200");
	assert_non_null(ok);
	hdr(ok, "Allow", h, sizeof h);
	assert_non_null(strstr(h, "INVITE"));
	hdr(ok, "Accept", h, sizeof h);
	assert_string_equal(h, "application/sdp");
	assert_non_null(strstr(ok, "\r\nSupported: \r\n") ? strstr(ok, "\r\nSupported: \r\n")
	                                                  : strstr(ok, "\r\nSupported:\r\n"));
	static struct vox_sip_msg pm;
	struct vox_sip_verdict v;
	assert_true(vox_sip_parse(&pm, ok, strlen(ok), VOX_SIP_DATAGRAM, NULL) > 0);
	assert_int_equal(vox_sip_validate(&pm, NULL, &v), 0);
	assert_int_equal(v.status, 0);
	assert_false(v.drop);
}

/* 9.1 and 15: hung up before any response, and the first is a 2xx: ACK
 * and BYE, no ANSWERED. */
static void test_hangup_then_2xx(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c;
	alice_alone(55);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c),
	                 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	assert_int_equal(vox_ua_hangup(&alice, c, 0), 0);
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	assert_int_equal(out_count("BYE"), 1);
	evstr(&alice);
	assert_int_equal(nevs, 1);
	assert_int_equal(evs[0].type, VOX_UA_EV_ENDED);
	/* the 2xx again (our ACK was lost): ACK again, no second BYE */
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	assert_int_equal(out_count("BYE"), 0);
	assert_idle(&alice);
	/* after a 180 the hang-up is a CANCEL, and the 200 crosses it (15):
	 * ACK and BYE, then ACK alone for its retransmission */
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, rnow, &c), 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 180, "b2", NULL, NULL));
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	assert_int_equal(out_count("CANCEL"), 1);
	for (int i = 0; i < 2; i++) {
		feed(&alice, mkresp(r, sizeof r, inv, 200, "b2",
		                    "Contact: <sip:bob@10.0.0.2:5060>\r\n", answer_sdp));
		pull(&alice);
		assert_int_equal(out_count("ACK"), 1);
		assert_int_equal(out_count("BYE"), i == 0);
	}
	nevs = 0;
	assert_string_equal(evstr(&alice), "6/180,11/487");
	assert_idle(&alice);
}

/* 12.2.1.2: the 2xx to our re-INVITE names a new target; RFC 3264 8: a
 * refused hold leaves the call as it was, and says so. */
static void test_reinvite_target_and_refusal(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], re[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c =
	    alice_up(inv, 56, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	copy_msg(re, out_starting("INVITE"));
	assert_non_null(strstr(re, "a=sendonly"));
	feed(&alice, mkresp(r, sizeof r, re, 488, NULL, NULL, NULL));
	pull(&alice);
	evstr(&alice);
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_MEDIA);
	assert_int_equal(evs[nevs - 1].status, 488);
	assert_int_equal(vox_ua_call_get(&alice, c)->hold, 0);
	/* the peer's plain refresh is answered sendrecv, as before */
	feed(&alice, bob_reinvite(r, sizeof r, inv, 10, offer_sdp));
	pull(&alice);
	assert_non_null(strstr(out_starting("SIP/2.0 200"), "a=sendrecv"));
	assert_non_null(out_starting("SIP/2.0 200")); /* and the 200 waits for its ACK */
	/* now the hold goes through, answered from a new address */
	char from[256], cid[128];
	hval(inv, "From", from, sizeof from);
	hval(inv, "Call-ID", cid, sizeof cid);
	snprintf(r, sizeof r,
	         "ACK sip:alice@10.0.0.1:5060 SIP/2.0\r\nVia: SIP/2.0/UDP "
	         "10.0.0.2:5060;branch=z9hG4bKa10\r\n"
	         "Max-Forwards: 70\r\nFrom: <sip:bob@10.0.0.2>;tag=b1\r\nTo: %s\r\nCall-ID: %s\r\n"
	         "CSeq: 10 ACK\r\nContent-Length: 0\r\n\r\n",
	         from, cid);
	feed(&alice, r);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	copy_msg(re, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, re, 200, NULL, "Contact: <sip:bob@10.0.0.5:5070>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(vox_ua_call_get(&alice, c)->hold, 1);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	assert_int_equal(strncmp(out_starting("BYE"), "BYE sip:bob@10.0.0.5:5070 ", 26), 0);
}

/* A re-INVITE moves the peer's media (RFC 3264 8.3.1): the engine sends to
 * the new address and takes nothing more from the old one; without
 * rtcp-mux, RTCP goes to the peer's RTP port + 1, from ours + 1. */
static void test_media_retarget(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c =
	    alice_up(inv, 57, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	const struct vox_media *e = vox_ua_media_get(&alice, c);
	assert_int_equal(e->state, VOX_MEDIA_FLOWING);
	assert_int_equal(e->cfg.rtcp_mux, 0); /* the answer has no a=rtcp-mux */
	assert_int_equal(e->cfg.remote_rtp.port, 50000);
	/* RTCP without rtcp-mux: to 10.0.0.2:50001, from our RTCP port */
	uint32_t buf[VOX_MEDIA_OUT_MAX / 4 + 1];
	vox_ua_handle who;
	struct vox_media_dest to;
	tick(&alice, rnow + 10000);
	int n = vox_ua_media_poll_output(&alice, (uint8_t *)buf, sizeof buf, &who, &to);
	assert_true(n > 0);
	assert_int_equal(vox_demux_classify((uint8_t *)buf, (size_t)n), VOX_DEMUX_RTCP);
	assert_int_equal(to.addr.port, 50001);
	assert_int_equal(to.rtcp_port, 1);
	/* bob moves to 10.0.0.3:50002, with rtcp-mux */
	static const char moved[] =
	    "v=0\r\no=- 9 10 IN IP4 10.0.0.3\r\ns=-\r\nc=IN IP4 10.0.0.3\r\n"
	    "t=0 0\r\nm=audio 50002 RTP/AVP 0\r\na=rtcp-mux\r\n"
	    "a=sendrecv\r\n";
	feed(&alice, bob_reinvite(r, sizeof r, inv, 10, moved));
	pull(&alice);
	assert_non_null(out_starting("SIP/2.0 200"));
	assert_int_equal(e->state, VOX_MEDIA_FLOWING);
	assert_int_equal(e->cfg.remote_rtp.port, 50002);
	assert_int_equal(e->cfg.remote_rtp.ip[3], 3);
	assert_int_equal(e->cfg.rtcp_mux, 1);
	uint8_t pkt[200];
	struct vox_rtp_packet p;
	uint8_t payload[VOX_G711_FRAME];
	memset(payload, 0xff, sizeof payload);
	vox_rtp_packet_init(&p);
	p.seq = 100;
	p.ssrc = 0xb0b;
	p.payload = payload;
	p.payload_len = sizeof payload;
	int plen = vox_rtp_print(&p, pkt, sizeof pkt);
	struct vox_addr old = {4, {10, 0, 0, 2}, 50000}, now = {4, {10, 0, 0, 3}, 50002};
	assert_int_equal(vox_ua_media_recv(&alice, c, pkt, (size_t)plen, &old, rnow),
	                 VOX_ENOTFOUND);
	assert_int_equal(vox_ua_media_recv(&alice, c, pkt, (size_t)plen, &now, rnow), 0);
	int16_t pcm[VOX_G711_FRAME] = {0};
	assert_int_equal(vox_ua_send_pcm(&alice, c, pcm, VOX_G711_FRAME, rnow), 1);
	do
		n = vox_ua_media_poll_output(&alice, (uint8_t *)buf, sizeof buf, &who, &to);
	while (n > 0 && vox_demux_classify((uint8_t *)buf, (size_t)n) != VOX_DEMUX_RTP);
	assert_true(n > 0);
	assert_int_equal(to.addr.ip[3], 3);
	assert_int_equal(to.addr.port, 50002);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
}

/* docs/architecture.md (Security defaults) and RFC 4568 8: a call set up over
 * TLS whose peer's Contact is plain sip: carries no key in a re-INVITE over
 * UDP. */
static void test_no_keys_over_udp(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	char inv[VOX_SIP_TXN_MSG + 1];
	const char *sdes_answer =
	    "v=0\r\no=- 7 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
	    "m=audio 50000 RTP/AVP 0\r\na=sendrecv\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
	vox_ua_handle c =
	    alice_up(inv, 57, "sips:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", sdes_answer);
	assert_non_null(strstr(inv, "a=crypto"));
	assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_SDES);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	for (int i = 0; i < raw_n; i++)
		if (raw_to[i].tp != VOX_TP_TLS)
			assert_null(strstr(raw_msg[i], "a=crypto"));
	/* under policy mandatory, such a re-INVITE is not sent at all */
	vox_ua_handle c2 =
	    alice_up(inv, 58, "sips:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", sdes_answer);
	alice.cfg.policy = VOX_SDP_POLICY_MANDATORY;
	assert_int_equal(vox_ua_hold(&alice, c2, 1, rnow), VOX_EPOLICY);
}

/* Policy optional offers keys best-effort (RTP/AVP with a=crypto). A peer
 * that insists on SRTP answers 488; vox offers once more as RTP/SAVP, with
 * the same Call-ID and tag and the next CSeq. A second 488 ends the call. */
static void test_488_then_savp(void **st)
{
	(void)st;
	skip_unless(VOX_WITH_SDES, "SDES is compiled out (VOX_WITH_SDES = 0)");
	char inv[VOX_SIP_TXN_MSG + 1], inv2[VOX_SIP_TXN_MSG + 1], r[4096], a[256], b[256];
	const char *savp_answer =
	    "v=0\r\no=- 7 7 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
	    "m=audio 50000 RTP/SAVP 0\r\na=sendrecv\r\n"
	    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 "
	    "inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n";
	for (int second_488 = 0; second_488 < 2; second_488++) {
		vox_ua_handle c;
		alice_alone(61);
		alice.cfg.allow_sdes_over_insecure_hops = 1;
		assert_int_equal(
		    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c), 0);
		pull(&alice);
		copy_msg(inv, out_starting("INVITE"));
		assert_non_null(strstr(inv, "m=audio 40000 RTP/AVP "));
		assert_non_null(strstr(inv, "a=crypto:1 "));
		feed(&alice, mkresp(r, sizeof r, inv, 488, "b0", NULL, NULL));
		pull(&alice);
		assert_non_null(out_starting("ACK"));
		copy_msg(inv2, out_starting("INVITE"));
		assert_non_null(strstr(inv2, "m=audio 40000 RTP/SAVP "));
		assert_non_null(strstr(inv2, "a=crypto:1 "));
		assert_string_equal(hval(inv2, "Call-ID", a, sizeof a),
		                    hval(inv, "Call-ID", b, sizeof b));
		assert_string_equal(hval(inv2, "From", a, sizeof a),
		                    hval(inv, "From", b, sizeof b));
		assert_string_equal(hval(inv2, "CSeq", a, sizeof a), "2 INVITE");
		if (second_488) {
			feed(&alice, mkresp(r, sizeof r, inv2, 488, "b1", NULL, NULL));
			pull(&alice);
			assert_non_null(out_starting("ACK"));
			assert_null(out_starting("INVITE"));
			assert_string_equal(evstr(&alice), "11/488");
			assert_idle(&alice);
			continue;
		}
		feed(&alice, mkresp(r, sizeof r, inv2, 200, "b1",
		                    "Contact: <sip:bob@10.0.0.2:5060>\r\n", savp_answer));
		pull(&alice);
		assert_non_null(out_starting("ACK"));
		assert_string_equal(evstr(&alice), "8/200");
		assert_int_equal(vox_ua_call_get(&alice, c)->prot, VOX_UA_PROT_SDES);
		nevs = 0;
	}
	/* no keys offered (no TLS, no opt-in): a 488 is final at once */
	vox_ua_handle c;
	alice_alone(62);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c),
	                 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	assert_null(strstr(inv, "a=crypto"));
	feed(&alice, mkresp(r, sizeof r, inv, 488, "b0", NULL, NULL));
	pull(&alice);
	assert_null(out_starting("INVITE"));
	assert_string_equal(evstr(&alice), "11/488");
}

/* 13.2.2.4: the first 2xx retransmitted after our re-INVITE went out is
 * still ACKed, with its own CSeq. */
static void test_2xx_retx_after_reinvite(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096], cs[64];
	vox_ua_handle c =
	    alice_up(inv, 59, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	hdr(out_starting("ACK"), "CSeq", cs, sizeof cs);
	assert_string_equal(cs, "1 ACK");
}

/* 14.1 and 13.3.1.4: our glare retry waits while our 2xx to the peer's
 * re-INVITE waits for its ACK, and the 2xx keeps being retransmitted. */
static void test_glare_retry_waits_for_ack(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], re[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c =
	    alice_up(inv, 60, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	copy_msg(re, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, re, 491, NULL, NULL, NULL));
	pull(&alice);
	uint64_t retry = vox_ua_call_get(&alice, c)->t_retry;
	assert_true(retry >= rnow + 2100 && retry <= rnow + 4000); /* alice owns the Call-ID */
	rnow = retry - 300;
	feed(&alice, bob_reinvite(r, sizeof r, inv, 10, offer_sdp));
	pull(&alice);
	assert_non_null(out_starting("SIP/2.0 200"));
	int invites = 0, oks = 0;
	uint64_t end = rnow + 6000;
	while (vox_ua_next_deadline(&alice) <= end) {
		rnow = vox_ua_next_deadline(&alice);
		vox_ua_on_deadline(&alice, rnow);
		pull(&alice);
		invites += out_count("INVITE");
		oks += out_count("SIP/2.0 200");
	}
	assert_int_equal(invites, 0);
	assert_true(oks >= 3);
}

/* 10.2: one REGISTER at a time; 22.3: a 407 is answered with
 * Proxy-Authorization, also after a 423. */
static void test_register_serialised(void **st)
{
	(void)st;
	char r[4096], h[600], reg[VOX_SIP_TXN_MSG + 1];
	vox_ua_handle acct;
	alice_alone(61);
	struct vox_ua_account_cfg acfg = {vox_slice_cstr("sip:alice@sim.example"),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr(""),
	                                  vox_slice_cstr("secret"),
	                                  60,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	assert_int_equal(vox_ua_register(&alice, acct, 0), 0);
	assert_int_equal(vox_ua_register(&alice, acct, 0), 0);
	pull(&alice);
	assert_int_equal(out_count("REGISTER"), 1);
	copy_msg(reg, out_starting("REGISTER"));
	feed(&alice, mkresp(r, sizeof r, reg, 407, "reg", chal407, NULL));
	pull(&alice);
	copy_msg(reg, out_starting("REGISTER"));
	hdr(reg, "Proxy-Authorization", h, sizeof h);
	assert_true(h[0] != 0);
	feed(&alice, mkresp(r, sizeof r, reg, 423, "reg", "Min-Expires: 3600\r\n", NULL));
	pull(&alice);
	copy_msg(reg, out_starting("REGISTER"));
	hdr(reg, "Proxy-Authorization", h, sizeof h);
	assert_true(h[0] != 0);
	hdr(reg, "Expires", h, sizeof h);
	assert_string_equal(h, "3600");
}

/* A long host (an IPv6 reference) fits every identifier. */
static void test_long_host(void **st)
{
	(void)st;
	struct vox_ua_config c;
	vox_ua_handle h;
	sim_init(&sim, 62);
	sim_ua_config(&c, "sip:alice@example.com");
	c.host = vox_slice_cstr("[2001:0db8:85a3:0000:0000:8a2e:0370:7334]");
	c.rng.fn = sim_rng;
	c.rng.ctx = &sim;
	c.outbound = (struct vox_peer){VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0, 0, 0};
	assert_int_equal(vox_ua_init(&alice, &c), 0);
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@example.com"), 0, &mcall, 0, &h), 0);
}

/* ---- names (RFC 3263): the resolve contract's edges ---------------------------- */

static void name_ua(void)
{
	struct vox_ua_config c;
	sim_init(&sim, 65);
	sim_ua_config(&c, "sip:alice@10.0.0.1");
	c.host = vox_slice_cstr("10.0.0.1");
	c.rng.fn = sim_rng;
	c.rng.ctx = &sim;
	assert_int_equal(vox_ua_init(&alice, &c), 0);
	rnow = 0;
}

/* What each URI asks the resolver (RFC 3263 4.1, 4.2); an IP literal
 * asks nothing; the same name asked twice is one question. */
static void test_resolve_questions(void **st)
{
	(void)st;
	static const struct {
		const char *uri;
		enum vox_ua_lookup lookup;
		uint16_t port;
		enum vox_transport tp;
		uint8_t given, sips;
	} q[] = {
	    {"sip:bob@a.example", VOX_UA_LOOKUP_NAPTR, 0, VOX_TP_UDP, 0, 0},
	    {"sip:bob@b.example;transport=tcp", VOX_UA_LOOKUP_SRV, 0, VOX_TP_TCP, 1, 0},
	    {"sips:bob@c.example", VOX_UA_LOOKUP_SRV, 0, VOX_TP_TLS, 1, 1},
	    {"sip:bob@d.example:5070", VOX_UA_LOOKUP_ADDR, 5070, VOX_TP_UDP, 0, 0},
	};
	vox_ua_handle h;
	struct vox_ua_resolve r;
	if (VOX_UA_MAX_NAMES != sizeof q / sizeof q[0] || VOX_UA_MAX_CALLS < 6)
		skip(); /* the pool-full step below counts on the default sizes */
	name_ua();
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &h),
	                 0);
	assert_int_equal(vox_ua_poll_resolve(&alice, &r), 0);
	pull(&alice);
	assert_non_null(out_starting("INVITE"));
	for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
		assert_int_equal(vox_ua_call(&alice, vox_slice_cstr(q[i].uri), 0, &mcall, 0, &h),
		                 0);
		pull(&alice);
		assert_null(out_starting("INVITE")); /* it waits */
		assert_int_equal(vox_ua_poll_resolve(&alice, &r), 1);
		assert_int_equal(vox_ua_poll_resolve(&alice, &r), 0);
		assert_int_equal(r.lookup, q[i].lookup);
		assert_int_equal(r.port, q[i].port);
		assert_int_equal(r.tp, q[i].tp);
		assert_int_equal(r.tp_given, q[i].given);
		assert_int_equal(r.sips, q[i].sips);
		assert_true(r.id != 0);
	}
	/* a second call to a name asked already: no new question */
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:carol@a.example"), 0, &mcall, 0, &h), 0);
	assert_int_equal(vox_ua_poll_resolve(&alice, &r), 0);
	/* four names wait: a fifth has no slot (VOX_UA_MAX_NAMES), and no
	 * call is made */
	size_t calls = vox_ua_calls_active(&alice);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@e.example"), 0, &mcall, 0, &h),
	                 VOX_EPOOL);
	assert_int_equal(vox_ua_calls_active(&alice), calls);
	/* nobody answers: after 64*T1 every waiting call ends, 503 */
	tick(&alice, 32000);
	assert_int_equal(vox_ua_calls_active(&alice), 0); /* the literal one too: Timer B */
	struct vox_ua_event ev;
	int ended = 0;
	while (vox_ua_next_event(&alice, &ev))
		if (ev.type == VOX_UA_EV_ENDED && ev.status == 503)
			ended++;
	assert_int_equal(ended, 5);
}

/* vox_ua_resolved refuses what it cannot take, and changes nothing then. */
static void test_resolve_answer_errors(void **st)
{
	(void)st;
	vox_ua_handle h, h2;
	struct vox_ua_resolve r;
	struct vox_ua_target t[VOX_UA_MAX_TARGETS + 1];
	for (size_t i = 0; i <= VOX_UA_MAX_TARGETS; i++)
		t[i] = (struct vox_ua_target){VOX_TP_UDP, {4, {10, 0, 0, (uint8_t)(2 + i)}, 5060}};
	name_ua();
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@a.example"), 0, &mcall, 0, &h),
	                 0);
	/* not asked yet (not polled): unknown */
	assert_int_equal(vox_ua_resolved(&alice, 1, t, 1, 0), VOX_ENOTFOUND);
	assert_int_equal(vox_ua_poll_resolve(&alice, &r), 1);
	assert_int_equal(vox_ua_resolved(&alice, 0, t, 1, 0), VOX_ENOTFOUND);
	assert_int_equal(vox_ua_resolved(&alice, r.id + 1, t, 1, 0), VOX_ENOTFOUND);
	assert_int_equal(vox_ua_resolved(&alice, r.id, t, VOX_UA_MAX_TARGETS + 1, 0), VOX_ELIMIT);
	assert_int_equal(vox_ua_resolved(&alice, r.id, NULL, 1, 0), VOX_EINVAL);
	struct vox_ua_target bad = t[0];
	bad.addr.port = 0;
	assert_int_equal(vox_ua_resolved(&alice, r.id, &bad, 1, 0), VOX_EINVAL);
	bad = t[0];
	bad.addr.family = 5;
	assert_int_equal(vox_ua_resolved(&alice, r.id, &bad, 1, 0), VOX_EINVAL);
	bad = t[0];
	bad.tp = (enum vox_transport)9;
	assert_int_equal(vox_ua_resolved(&alice, r.id, &bad, 1, 0), VOX_EINVAL);
	pull(&alice);
	assert_int_equal(raw_n, 0); /* still waiting */
	/* the answer: the INVITE goes to the first target */
	assert_int_equal(vox_ua_resolved(&alice, r.id, t, VOX_UA_MAX_TARGETS, 5), 0);
	pull(&alice);
	assert_non_null(out_starting("INVITE"));
	assert_int_equal(raw_to[0].addr.ip[3], 2);
	/* answered once only */
	assert_int_equal(vox_ua_resolved(&alice, r.id, t, 1, 5), VOX_ENOTFOUND);
	/* a sips: name takes TLS targets only; a transport given, only it */
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sips:bob@s.example"), 0, &mcall, 5, &h2), 0);
	assert_int_equal(vox_ua_poll_resolve(&alice, &r), 1);
	assert_int_equal(vox_ua_resolved(&alice, r.id, t, 1, 5), VOX_EINVAL);
	/* hung up while it waits: it ends at once, and the answer finds no
	 * one waiting */
	assert_int_equal(vox_ua_hangup(&alice, h2, 5), 0);
	assert_null(vox_ua_call_get(&alice, h2));
	t[0].tp = VOX_TP_TLS;
	assert_int_equal(vox_ua_resolved(&alice, r.id, t, 1, 5), 0);
	pull(&alice);
	assert_int_equal(raw_n, 0);
}

/* A host name of VOX_UA_STR - 1 bytes (the longest vox_ua_init takes).
 * Labels of 50 characters: a name DNS could hold. */
static void longest_host(char *h)
{
	size_t n = VOX_UA_STR - 1;
	for (size_t i = 0; i < n; i++)
		h[i] = i % 51 == 50 ? '.' : (char)('a' + i % 26);
	h[n - 1] = 'x'; /* no empty last label */
	h[n] = 0;
}

/* Every host vox_ua_init accepts fits our Via and Contact, so requests go
 * out: they failed with VOX_ENOSPC for hosts over about 100 bytes, the
 * Via buffer being 160 bytes whatever VOX_UA_STR. The longest Contact is
 * TCP's (";transport=tcp"), on the widest port, after a contact change
 * (the old Contact goes in the next REGISTER). */
static void test_longest_host(void **st)
{
	(void)st;
	static char host[VOX_UA_STR], aor[VOX_UA_STR], via[VOX_SIP_TXN_MSG], ct[VOX_SIP_TXN_MSG];
	struct vox_ua_config c;
	vox_ua_handle h, acct;
	longest_host(host);
	/* and the longest user an AOR of ours can have */
	memcpy(aor, "sip:", 4);
	memset(aor + 4, 'u', VOX_UA_STR - 1 - 4 - 2);
	memcpy(aor + VOX_UA_STR - 3, "@x", 3);
	sim_init(&sim, 64);
	sim_ua_config(&c, aor);
	c.host = vox_slice_cstr(host);
	c.media_addr = vox_slice_cstr("10.0.0.1");
	c.transport = VOX_TP_TCP;
	c.port = 65535;
	c.rng.fn = sim_rng;
	c.rng.ctx = &sim;
	c.outbound = (struct vox_peer){VOX_TP_TCP, {4, {10, 0, 0, 2}, 5060}, 0, 0, 0};
	assert_int_equal(vox_ua_config_check(&c, NULL), 0);
	assert_int_equal(vox_ua_init(&alice, &c), 0);
	rnow = 0;
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@example.com"), 0, &mcall, 0, &h), 0);
	pull(&alice);
	const char *inv = out_starting("INVITE");
	assert_non_null(inv);
	hdr(inv, "Via", via, sizeof via);
	assert_non_null(strstr(via, host));
	hdr(inv, "Contact", ct, sizeof ct);
	assert_non_null(strstr(ct, host));
	assert_non_null(strstr(ct, ":65535;transport=tcp>"));
	struct vox_ua_account_cfg acfg = {vox_slice_cstr(aor),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr("alice"),
	                                  vox_slice_cstr("secret"),
	                                  60,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	assert_int_equal(vox_ua_register(&alice, acct, 0), 0);
	pull(&alice);
	static char reg[VOX_SIP_TXN_MSG + 1], r[4096], bound[VOX_SIP_TXN_MSG + 32];
	copy_msg(reg, out_starting("REGISTER"));
	snprintf(bound, sizeof bound, "Contact: %s;expires=60\r\n", ct);
	feed(&alice, mkresp(r, sizeof r, reg, 200, "reg", bound, NULL));
	assert_int_equal(alice.acct[0].state, VOX_UA_REG_OK);
	/* a move to another long name: the old contact is kept whole */
	host[0] = 'z';
	assert_int_equal(vox_ua_set_contact(&alice, vox_slice_cstr(host), 65535, VOX_TP_TCP, 10),
	                 0);
	host[0] = 'a';
	assert_int_equal(strlen(alice.acct[0].old_contact), strlen(ct));
	assert_string_equal(alice.acct[0].old_contact, ct);
	tick(&alice, 10);
	pull(&alice);
	const char *again = out_starting("REGISTER");
	assert_non_null(again);
	snprintf(bound, sizeof bound, "Contact: %s;expires=0\r\n", ct);
	assert_non_null(strstr(again, bound));
}

/* A random source that fails for 20-byte draws only: the branches
 * (vox_sip_make_branch), not tags or Call-IDs. */
static int branch_rng_fails(void *ctx, uint8_t *bytes, size_t len)
{
	if (len == 20)
		return VOX_ERNG;
	return sim_rng(ctx, bytes, len);
}

/* A failing random source is reported as such, not as a buffer too small
 * (send_invite and dialog_request turned every Via or Contact failure
 * into VOX_ENOSPC). */
static void test_via_rng_failure(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1];
	alice_alone(65);
	alice.cfg.rng.fn = branch_rng_fails;
	vox_ua_handle h;
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &h),
	                 VOX_ERNG);
	assert_int_equal(vox_ua_calls_active(&alice), 0);
	/* in a dialog: a re-INVITE */
	h = alice_up(inv, 66, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	alice.cfg.rng.fn = branch_rng_fails;
	assert_int_equal(vox_ua_hold(&alice, h, 1, rnow), VOX_ERNG);
	alice.cfg.rng.fn = sim_rng;
	assert_int_equal(vox_ua_hold(&alice, h, 1, rnow), 0);
}

/* Over TLS our Contact is a SIPS URI only when the Request-URI is SIPS
 * (8.1.1.8, 12.1.1); a call to a sip:...;transport=tls URI gets
 * sip:...;transport=tls (baresip 1.0 drops a 200 whose Contact is SIPS). */
static void test_tls_contact_scheme(void **st)
{
	(void)st;
	static const char *const target[] = {"sip:bob@10.0.0.2;transport=tls", "sips:bob@10.0.0.2"};
	static const char *const want[] = {"Contact: <sip:alice@10.0.0.9:5061;transport=tls>\r\n",
	                                   "Contact: <sips:alice@10.0.0.9:5061>\r\n"};
	for (int i = 0; i < 2; i++) {
		vox_ua_handle c;
		alice_alone(69);
		alice.cfg.allow_sdes_over_insecure_hops = 1;
		assert_int_equal(
		    vox_ua_set_contact(&alice, vox_slice_cstr("10.0.0.9"), 0, VOX_TP_TLS, 0), 0);
		assert_int_equal(vox_ua_call(&alice, vox_slice_cstr(target[i]), 0, &mcall, 0, &c),
		                 0);
		pull(&alice);
		const char *inv = out_starting("INVITE");
		assert_non_null(inv);
		assert_non_null(strstr(inv, want[i]));
	}
}

/* vox_ua_set_contact fills in what vox_ua_init fills in: port 0 is the
 * transport's default, transport 0 UDP. */
static void test_set_contact_defaults(void **st)
{
	(void)st;
	alice_alone(68);
	assert_int_equal(vox_ua_set_contact(&alice, vox_slice_cstr("10.0.0.9"), 0, VOX_TP_TLS, 0),
	                 0);
	assert_int_equal(alice.cfg.port, 5061);
	assert_int_equal(alice.cfg.transport, VOX_TP_TLS);
	assert_int_equal(vox_ua_set_contact(&alice, vox_slice_cstr("10.0.0.9"), 0, 0, 0), 0);
	assert_int_equal(alice.cfg.port, 5060);
	assert_int_equal(alice.cfg.transport, VOX_TP_UDP);
	assert_int_equal(
	    vox_ua_set_contact(&alice, vox_slice_cstr("10.0.0.9"), 7070, VOX_TP_TCP, 0), 0);
	assert_int_equal(alice.cfg.port, 7070);
	assert_string_equal(alice.host, "10.0.0.9");
}

/* A configuration vox_ua_init refuses is refused by vox_ua_config_check
 * too, with the reason: the strings that do not fit their copies. */
static void test_config_check_strings(void **st)
{
	(void)st;
	static char host[VOX_UA_STR + 1];
	struct vox_ua_config c;
	const char *why = NULL;
	sim_init(&sim, 69);
	sim_ua_config(&c, "sip:alice@example.com");
	longest_host(host);
	c.host = vox_slice_cstr(host);
	c.media_addr = vox_slice_cstr("10.0.0.1");
	c.rng.fn = sim_rng;
	c.rng.ctx = &sim;
	assert_int_equal(vox_ua_config_check(&c, &why), 0);
	host[VOX_UA_STR - 1] = 'x';
	host[VOX_UA_STR] = 0;
	c.host = vox_slice_cstr(host);
	assert_int_equal(vox_ua_init(&alice, &c), VOX_EINVAL);
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, "host"));
	/* the host stands in for an empty media address: it must fit that */
	c.host =
	    vox_slice_cstr("a-rather-long-host-name-for-media.example.com.example.org.example");
	c.media_addr = vox_slice_cstr("");
	assert_int_equal(vox_ua_init(&alice, &c), VOX_EINVAL);
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "media"));
	c.host = vox_slice_cstr("");
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "host"));
	c.host = vox_slice_cstr("10.0.0.1");
	/* a caller compiled with other limits than the library (its
	 * VOX_CONFIG_FINGERPRINT differs) is refused, its struct untouched */
	memset(&alice, 0x5a, sizeof alice.cfg);
	assert_int_equal(vox_ua_init_fp(&alice, &c, VOX_CONFIG_FINGERPRINT + 1), VOX_ECONFIG);
	assert_int_equal(((unsigned char *)&alice)[0], 0x5a);
	assert_int_equal(vox_ua_fingerprint(), VOX_CONFIG_FINGERPRINT);
	c.rng.fn = NULL;
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "rng"));
	/* listeners: each with a transport and a host that fits its copy,
	 * and no more than the UA holds */
	c.rng.fn = sim_rng;
	c.n_listeners = VOX_UA_MAX_LISTENERS - 1;
	for (size_t i = 0; i < c.n_listeners; i++)
		c.listeners[i] =
		    (struct vox_ua_listener){VOX_TP_TCP, vox_slice_cstr("10.0.0.1"), 0};
	assert_int_equal(vox_ua_config_check(&c, &why), 0);
	c.n_listeners = VOX_UA_MAX_LISTENERS;
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "listeners"));
	c.n_listeners = 1;
	c.listeners[0].tp = 0;
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "transport"));
	c.listeners[0].tp = VOX_TP_TLS;
	c.listeners[0].host = vox_slice_cstr(host); /* VOX_UA_STR bytes: too long */
	assert_int_equal(vox_ua_init(&alice, &c), VOX_EINVAL);
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "listener's host"));
}

/* A media configuration no call could use is refused by vox_ua_init, and
 * vox_ua_config_check names the cause (issue 9). */
static void test_impossible_media_config(void **st)
{
	(void)st;
	struct vox_ua_config c;
	const char *why = NULL;
	sim_init(&sim, 63);
	sim_ua_config(&c, "sip:alice@example.com");
	c.host = vox_slice_cstr("10.0.0.1");
	c.rng.fn = sim_rng;
	c.rng.ctx = &sim;
	assert_int_equal(vox_ua_config_check(&c, &why), 0);
	assert_null(why);
	/* mandatory SRTP and no suite */
	c.policy = VOX_SDP_POLICY_MANDATORY;
	c.n_suites = 0;
	assert_int_equal(vox_ua_init(&alice, &c), VOX_EPOLICY);
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EPOLICY);
	assert_non_null(strstr(why, VOX_WITH_SDES ? "suite" : "no SDES"));
	c.n_suites = 1;
	/* without SDES in the build no suite helps: mandatory stays impossible */
	assert_int_equal(vox_ua_init(&alice, &c), VOX_WITH_SDES ? 0 : VOX_EPOLICY);
	/* "ZRTP mandatory, SDES refused" can be said, and is refused where
	 * ZRTP is not in the build; mandatory with no key method never */
	c.key_methods = VOX_SDP_KEY_ZRTP;
	if (VOX_WITH_ZRTP && VOX_WITH_SRTP) {
		assert_int_equal(vox_ua_init(&alice, &c), 0);
		vox_ua_free(&alice);
	} else {
		assert_int_equal(vox_ua_init(&alice, &c), VOX_EPOLICY);
		assert_int_equal(vox_ua_config_check(&c, &why), VOX_EPOLICY);
		assert_non_null(strstr(why, "this build has no ZRTP"));
	}
	c.key_methods = 0;
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EPOLICY);
	assert_non_null(strstr(why, "no key method"));
	c.key_methods = VOX_SDP_KEY_SDES | VOX_SDP_KEY_ZRTP;
	c.policy = VOX_SDP_POLICY_OPTIONAL;
	assert_int_equal(vox_ua_init(&alice, &c), 0);
	/* a call's media socket: no port 0, and room for RTCP on port + 1 */
	c.policy = VOX_SDP_POLICY_OPTIONAL;
	assert_int_equal(vox_ua_init(&alice, &c), 0);
	vox_ua_handle h;
	static const struct vox_ua_media_addr bad[] = {
	    {{NULL, 0}, 0}, {{NULL, 0}, 65535}, {{"10.0.0.300", 10}, 40000}};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(
		    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &bad[i], 0, &h),
		    VOX_EINVAL);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, NULL, 0, &h),
	                 VOX_EINVAL);
	assert_int_equal(vox_ua_calls_active(&alice), 0);
	assert_int_equal(alice.txl.active, 0);
	/* a media address that is not one of its family */
	c.media_addr = vox_slice_cstr("10.0.0.300");
	assert_int_equal(vox_ua_init(&alice, &c), VOX_EINVAL);
	assert_int_equal(vox_ua_config_check(&c, &why), VOX_EINVAL);
	assert_non_null(strstr(why, "media address"));
	assert_int_equal(vox_ua_config_check(NULL, NULL), VOX_EINVAL);
}

/* A call's media socket and engine, by hand (issue 10): the callee names
 * its socket when it answers and the answer is built for it; media runs
 * only once answered, takes datagrams only from the peer's address, and
 * leaves its RTCP BYE when the call ends. */
static void test_media_socket(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 90);
	feed(&bob, mkinvite(m, sizeof m, "cid-media@x", "m1", ""));
	pull(&bob);
	evstr(&bob);
	vox_ua_handle in = evs[0].call;
	assert_int_equal(evs[0].type, VOX_UA_EV_INCOMING);
	/* ringing: no media yet */
	const struct vox_media *e = vox_ua_media_get(&bob, in);
	assert_non_null(e);
	assert_int_equal(e->state, VOX_MEDIA_IDLE);
	uint8_t pkt[200];
	int16_t pcm[VOX_G711_FRAME] = {0}, out[VOX_JB_MAX_FRAME];
	struct vox_rtp_packet p;
	vox_rtp_packet_init(&p);
	uint8_t payload[VOX_G711_FRAME];
	memset(payload, 0xff, sizeof payload);
	p.seq = 7;
	p.ssrc = 0x1234;
	p.payload = payload;
	p.payload_len = sizeof payload;
	int plen = vox_rtp_print(&p, pkt, sizeof pkt);
	assert_true(plen > 0);
	struct vox_addr peer = {4, {10, 0, 0, 2}, 50000}, other = {4, {10, 0, 0, 9}, 50000};
	assert_int_equal(vox_ua_media_recv(&bob, in, pkt, (size_t)plen, &peer, rnow), VOX_ESTATE);
	assert_int_equal(vox_ua_send_pcm(&bob, in, pcm, VOX_G711_FRAME, rnow), VOX_ESTATE);
	/* a socket no description can name changes nothing */
	const struct vox_ua_media_addr zero = {{"192.0.2.44", 10}, 0};
	assert_int_equal(vox_ua_answer(&bob, in, &zero, rnow), VOX_EINVAL);
	assert_int_equal(vox_ua_answer(&bob, in, NULL, rnow), VOX_EINVAL);
	assert_int_equal(pull(&bob), 0);
	assert_int_equal(vox_ua_call_get(&bob, in)->state, VOX_UA_CALL_IN_INCOMING);
	/* the answer is built for the socket named */
	const struct vox_ua_media_addr sock = {{"192.0.2.44", 10}, 41000};
	assert_int_equal(vox_ua_answer(&bob, in, &sock, rnow), 0);
	pull(&bob);
	const char *ok = out_starting("SIP/2.0 200");
	assert_non_null(ok);
	assert_non_null(strstr(ok, "c=IN IP4 192.0.2.44\r\n"));
	assert_non_null(strstr(ok, "m=audio 41000 RTP/AVP 0"));
	/* media runs, clear (plain UDP, no keys), to the offer's address */
	assert_int_equal(e->state, VOX_MEDIA_FLOWING);
	assert_int_equal(vox_ua_call_get(&bob, in)->prot, VOX_UA_PROT_NONE);
	assert_int_equal(e->cfg.remote_rtp.port, 50000);
	assert_int_equal(vox_ua_media_recv(&bob, in, pkt, (size_t)plen, &other, rnow),
	                 VOX_ENOTFOUND);
	assert_int_equal(vox_media_stats(e)->bad_source, 1);
	assert_int_equal(vox_ua_media_recv(&bob, in, pkt, (size_t)plen, &peer, rnow), 0);
	assert_int_equal(vox_media_stats(e)->rtp_accepted, 1);
	assert_int_equal(vox_ua_send_pcm(&bob, in, pcm, VOX_G711_FRAME, rnow), 1);
	uint32_t buf[VOX_MEDIA_OUT_MAX / 4 + 2];
	vox_ua_handle who = 0;
	struct vox_media_dest to;
	assert_int_equal(vox_ua_media_poll_output(&bob, (uint8_t *)buf, 64, &who, &to), VOX_ENOSPC);
	assert_int_equal(
	    vox_ua_media_poll_output(&bob, (uint8_t *)buf + 1, VOX_MEDIA_OUT_MAX, &who, &to),
	    VOX_EINVAL);
	int n = vox_ua_media_poll_output(&bob, (uint8_t *)buf, sizeof buf, &who, &to);
	assert_int_equal(n, 12 + VOX_G711_FRAME);
	assert_int_equal(who, in);
	assert_int_equal(to.addr.family, 4);
	assert_memory_equal(to.addr.ip, peer.ip, 4);
	assert_int_equal(to.addr.port, 50000);
	assert_true(vox_ua_play(&bob, in, out, VOX_JB_MAX_FRAME, rnow) >= 0);
	assert_int_equal(vox_ua_send_dtmf(&bob, in, '5', 100, rnow), VOX_EUNSUPPORTED);
	/* a clear call has no keys to renew */
	feed(&bob, "ACK sip:bob@10.0.0.1:5060 SIP/2.0\r\n"
	           "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKm1ack\r\n"
	           "Max-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\n"
	           "To: <sip:bob@example.com>;tag=x\r\nCall-ID: cid-media@x\r\nCSeq: 5 ACK\r\n"
	           "Content-Length: 0\r\n\r\n");
	/* (the To tag above is not bob's: the ACK is someone else's) */
	tick(&bob, rnow + 100000);
	pull(&bob);
	/* the 2xx waited for its ACK in vain: bob ends the call (13.3.1.4);
	 * the engine's RTCP BYE comes out under the ended call's handle, and
	 * then the media is gone */
	while (vox_ua_media_poll_output(&bob, (uint8_t *)buf, sizeof buf, &who, &to) > 0)
		assert_int_equal(who, in);
	evstr(&bob);
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_ENDED);
	assert_int_equal(vox_ua_media_recv(&bob, in, pkt, (size_t)plen, &peer, rnow),
	                 VOX_ENOTFOUND);
	assert_int_equal(vox_ua_rekey(&bob, in, rnow), VOX_ENOTFOUND);
	assert_int_equal(vox_media_srtp_contexts(&bob.media[(in & 0xffff) - 1].engine), 0);
	assert_int_equal(bob.media[(in & 0xffff) - 1].offer_len, 0);
}

/* A limit is an error the peer sees: an offer longer than the UA keeps
 * until the answer is refused with 488 and a Warning that says so; one of
 * exactly VOX_UA_OFFER_MAX bytes is kept. */
static void offer_of(size_t len, char *m, size_t cap)
{
	static char sdp[VOX_UA_OFFER_MAX + 64];
	size_t k = (size_t)snprintf(sdp, sizeof sdp, "%s", offer_sdp);
	assert_true(len >= k + 8 && len < sizeof sdp);
	size_t pad = len - k - 8; /* "a=x-p:" and CRLF around it */
	memcpy(sdp + k, "a=x-p:", 6);
	memset(sdp + k + 6, 'y', pad);
	memcpy(sdp + k + 6 + pad, "\r\n", 3);
	assert_int_equal(strlen(sdp), len);
	snprintf(m, cap,
	         "INVITE sip:bob@10.0.0.1:5060 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bKlong%zu\r\n"
	         "Max-Forwards: 69\r\nFrom: <sip:carol@example.com>;tag=c1\r\n"
	         "To: <sip:bob@example.com>\r\nCall-ID: cid-long%zu@x\r\nCSeq: 5 INVITE\r\n"
	         "Contact: <sip:carol@10.0.0.7:5060>\r\nContent-Type: application/sdp\r\n"
	         "Content-Length: %zu\r\n\r\n%s",
	         len, len, len, sdp);
}

static void test_offer_too_long(void **st)
{
	(void)st;
	static char m[VOX_UA_OFFER_MAX + 2048];
	ua_alone(&bob, "sip:bob@10.0.0.1", 91);
	offer_of(VOX_UA_OFFER_MAX + 1, m, sizeof m);
	feed(&bob, m);
	pull(&bob);
	const char *r = out_starting("SIP/2.0 488");
	assert_non_null(r);
	assert_non_null(strstr(r, "VOX_UA_OFFER_MAX"));
	assert_string_equal(evstr(&bob), "");
	assert_int_equal(vox_ua_calls_active(&bob), 0);
	offer_of(VOX_UA_OFFER_MAX, m, sizeof m);
	feed(&bob, m);
	pull(&bob);
	assert_null(out_starting("SIP/2.0 488"));
	evstr(&bob);
	assert_int_equal(nevs, 1);
	assert_int_equal(evs[0].type, VOX_UA_EV_INCOMING);
	const struct vox_ua_media_addr sock = {{NULL, 0}, 41000};
	assert_int_equal(vox_ua_answer(&bob, evs[0].call, &sock, rnow), 0);
}

/* 15: a 2xx retransmission after our BYE gets its ACK, and no second BYE. */
static void test_2xx_retx_after_bye(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c =
	    alice_up(inv, 64, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	assert_int_equal(out_count("BYE"), 1);
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(out_count("ACK"), 1);
	assert_int_equal(out_count("BYE"), 0);
	/* the same with a re-INVITE out when we hang up: its 200 gets an
	 * ACK, but the session is over: no MEDIA after ENDED (found by
	 * fuzz_ua) */
	c = alice_up(inv, 65, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	char re[VOX_SIP_TXN_MSG + 1];
	copy_msg(re, out_starting("INVITE"));
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	evstr(&alice);
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_ENDED);
	int ended = nevs;
	uint32_t mb[VOX_MEDIA_OUT_MAX / 4 + 1];
	vox_ua_handle who;
	struct vox_media_dest to;
	while (vox_ua_media_poll_output(&alice, (uint8_t *)mb, sizeof mb, &who, &to) > 0)
		; /* the RTCP BYE of the ended call */
	feed(&alice, mkresp(r, sizeof r, re, 200, NULL, "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(raw_n, 1);
	assert_non_null(out_starting("ACK"));
	assert_int_equal(vox_ua_next_event(&alice, &evs[63]), 0); /* not even a media event */
	/* ... and its media does not start again for the late answer (found
	 * by fuzz_ua: the engine ran on, its RTCP timer for ever) */
	assert_int_equal(alice.media[(c & 0xffff) - 1].engine.state, VOX_MEDIA_IDLE);
	assert_int_equal(vox_ua_media_poll_output(&alice, (uint8_t *)mb, sizeof mb, &who, &to), 0);
	assert_int_equal(nevs, ended);
	assert_idle(&alice);
}

/* 13.2.2.4: a 183 with early media from one fork, then the 200 of
 * another: the 2xx makes its own dialog, and the media follow its answer
 * (found by fuzz_ua: the call stayed early for ever). */
static void test_fork_early_then_answer(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096], to[256];
	const char *answer2 =
	    "v=0\r\no=- 8 8 IN IP4 10.0.0.3\r\ns=-\r\nc=IN IP4 10.0.0.3\r\nt=0 0\r\n"
	    "m=audio 50002 RTP/AVP 0\r\na=sendrecv\r\n";
	vox_ua_handle c;
	alice_alone(66);
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c),
	                 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 183, "forkA", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	assert_string_equal(evstr(&alice), "6/183,7/183");
	feed(&alice, mkresp(r, sizeof r, inv, 200, "forkB", "Contact: <sip:bob@10.0.0.3:5060>\r\n",
	                    answer2));
	pull(&alice);
	assert_string_equal(evstr(&alice), "6/183,7/183,8/200");
	hdr(out_starting("ACK"), "To", to, sizeof to);
	assert_non_null(strstr(to, "tag=forkB"));
	assert_int_equal(vox_ua_call_get(&alice, c)->state, VOX_UA_CALL_UP);
	assert_int_equal(vox_ua_call_get(&alice, c)->media.remote_rtp_port, 50002);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	hdr(out_starting("BYE"), "To", to, sizeof to);
	assert_non_null(strstr(to, "tag=forkB"));
	feed(&alice, mkresp(r, sizeof r, out_starting("BYE"), 200, NULL, NULL, NULL));
	assert_idle(&alice);
}

static int broken_rng(void *ctx, uint8_t *bytes, size_t len)
{
	(void)ctx;
	(void)bytes;
	(void)len;
	return VOX_ERNG;
}

/* The sim's rng, until told to fail. */
static int rng_fails;
static int flaky_rng(void *ctx, uint8_t *bytes, size_t len)
{
	return rng_fails ? VOX_ERNG : sim_rng(ctx, bytes, len);
}

/* The rng fails when a media engine's RTCP timer needs it (RFC 3550 6.3):
 * the timer cannot move on, so the media stops and says why, and the call
 * goes on (found by fuzz_ua: the timer stayed due, and the loop spun). */
static void test_media_rng_fails(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1];
	alice_alone(68);
	alice.cfg.rng = (struct vox_rng){flaky_rng, &sim};
	vox_ua_handle c;
	assert_int_equal(vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), 0, &mcall, 0, &c),
	                 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	char r[4096];
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	const struct vox_media *m = vox_ua_media_get(&alice, c);
	assert_int_equal(m->state, VOX_MEDIA_FLOWING);
	rng_fails = 1;
	uint64_t due = vox_media_next_deadline(m);
	assert_true(due < UINT64_MAX);
	rnow = due;
	vox_ua_on_deadline(&alice, due); /* once: a timer due again would spin */
	rng_fails = 0;
	assert_true(vox_ua_next_deadline(&alice) > due);
	assert_int_equal(m->state, VOX_MEDIA_IDLE);
	struct vox_ua_event e;
	int failed = 0;
	while (vox_ua_next_event(&alice, &e))
		if (e.type == VOX_UA_EV_MEDIA_FAILED) {
			failed++;
			assert_int_equal(e.call, c);
			assert_non_null(strstr(e.reason, "rng"));
		}
	assert_int_equal(failed, 1);
	assert_int_equal(vox_ua_call_get(&alice, c)->state, VOX_UA_CALL_UP);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
}

/* With the rng failing, an INVITE still gets its 500 (untagged rather
 * than none) and its transaction ends (found by fuzz_ua: it stayed in
 * Proceeding, which has no timer, for ever). The 500 comes at once, so
 * no 100 Trying goes before it (17.2.1). */
static void test_broken_rng_still_answers(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 67);
	bob.cfg.rng = (struct vox_rng){broken_rng, NULL};
	feed(&bob, mkinvite(m, sizeof m, "cid-rng@x", "g1", ""));
	pull(&bob);
	assert_int_equal(raw_n, 1);
	assert_non_null(out_starting("SIP/2.0 500"));
	assert_string_equal(evstr(&bob), "");
	assert_idle(&bob);
}

/* A request whose Via set is so long that no response to it fits a
 * transaction (VOX_SIP_TXN_MSG) is dropped: an INVITE must not reach the
 * application, which could then neither answer nor reject it, and no
 * server transaction may stay behind (found by fuzz_ua). */
static void test_unanswerable_requests_dropped(void **st)
{
	(void)st;
	/* a Via so long that not even a 100 Trying copying it fits */
	static char m[2 * VOX_SIP_TXN_MSG + 1024], via[VOX_SIP_TXN_MSG + 200];
	int k = snprintf(via, sizeof via, "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKp;x=");
	memset(via + k, 'a', VOX_SIP_TXN_MSG - 100);
	memcpy(via + k + VOX_SIP_TXN_MSG - 100, "\r\n", 3);
	ua_alone(&bob, "sip:bob@10.0.0.1", 68);
	assert_int_equal(feed(&bob, mkinvite(m, sizeof m, "cid-big@x", "b1", via)), VOX_ETOOLONG);
	assert_int_equal(pull(&bob), 0);
	assert_string_equal(evstr(&bob), "");
	assert_int_equal(bob.txl.active, 0);
	feed(&bob, mkreq(m, sizeof m, "OPTIONS", "cid-big2@x", "b2", via));
	assert_int_equal(pull(&bob), 0);
	assert_int_equal(bob.txl.active, 0);
	assert_idle(&bob);
}

/* RFC 4475 3.1.1.7: longreq.dat is valid, and its answers copy its 34
 * Vias and long From, To and Call-ID (2,612 bytes for the 100 Trying): a
 * UA answers it, over the stream it came on. */
static void test_longreq_answered(void **st)
{
	(void)st;
	skip_unless(VOX_SIP_TXN_MSG >= 4096 && VOX_SIP_MAX_TOKEN >= 93,
	            "a profile that keeps messages of 1500 bytes refuses it (VOX_ETOOLONG)");
	size_t len;
	char *req = read_vector("rfc4475/longreq.dat", &len);
	ua_alone(&bob, "sip:user@example.com", 82);
	struct vox_peer from = {VOX_TP_TCP, {4, {10, 0, 0, 2}, 5060}, 7, 0};
	assert_true(vox_ua_recv(&bob, req, len, &from, rnow) >= 0);
	pull(&bob);
	/* its dialog (From, To, Call-ID, Contact: 1,300 bytes) is more than a
	 * call keeps (VOX_SIP_DLG_STORE): 513, which replaced the 100 Trying
	 * not sent yet (17.2.1); either copies all 34 Vias */
	const char *r = out_starting(VOX_SIP_DLG_STORE < 1400 ? "SIP/2.0 513 " : "SIP/2.0 1");
	assert_non_null(r);
	assert_true(strlen(r) > 2500);
	assert_non_null(strstr(r, "Via: SIP/2.0/TCP sip1.example.com\r\n"));
	assert_non_null(strstr(r, "\r\nCSeq: 3882340 INVITE\r\n"));
	assert_int_equal(raw_to[0].conn, 7); /* back over the same connection (18.2.2) */
	free(req);
}

/* ---- bob serves carol's INVITE (mkinvite: CSeq 5, From tag c1) -------------------------- */

static char bob_tag[64];

/* A request from carol in the dialog of cid, to bob's tag. */
static const char *carol_req(char *out, size_t cap, const char *method, unsigned cseq,
                             const char *cid, const char *branch, const char *extra,
                             const char *body)
{
	snprintf(out, cap,
	         "%s sip:bob@10.0.0.1:5060 SIP/2.0\r\n"
	         "Via: SIP/2.0/UDP 10.0.0.2:5060;branch=z9hG4bK%s\r\n"
	         "%sMax-Forwards: 70\r\nFrom: <sip:carol@example.com>;tag=c1\r\n"
	         "To: <sip:bob@example.com>;tag=%s\r\nCall-ID: %s\r\nCSeq: %u %s\r\n"
	         "Contact: <sip:carol@10.0.0.7:5060>\r\n%sContent-Length: %zu\r\n\r\n%s",
	         method, branch, extra ? extra : "", bob_tag, cid, cseq, method,
	         body ? "Content-Type: application/sdp\r\n" : "", body ? strlen(body) : (size_t)0,
	         body ? body : "");
	return out;
}

/* bob answers carol's INVITE (cid); *acked: carol's ACK sent too.
 * Leaves bob's To tag in bob_tag. */
static vox_ua_handle bob_answers(const char *cid, int acked)
{
	char m[4096], h[256];
	feed(&bob, mkinvite(m, sizeof m, cid, "i1", ""));
	pull(&bob);
	evstr(&bob);
	vox_ua_handle in = evs[nevs - 1].call;
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_INCOMING);
	assert_int_equal(vox_ua_answer(&bob, in, &mans, rnow), 0);
	pull(&bob);
	hdr(out_starting("SIP/2.0 200"), "To", h, sizeof h);
	const char *t = strstr(h, "tag=");
	assert_non_null(t);
	snprintf(bob_tag, sizeof bob_tag, "%s", t + 4);
	if (acked) {
		feed(&bob, carol_req(m, sizeof m, "ACK", 5, cid, "a1", NULL, NULL));
		pull(&bob);
	}
	return in;
}

/* vox_ua_reject takes a final refusal, 300-699: another status is a bad
 * argument (VOX_EINVAL) and changes nothing; a call that no longer rings
 * is the wrong state (VOX_ESTATE). */
static void test_reject_status(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 70);
	feed(&bob, mkinvite(m, sizeof m, "cid-rej@x", "r1", ""));
	pull(&bob);
	evstr(&bob);
	vox_ua_handle in = evs[nevs - 1].call;
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_INCOMING);
	assert_int_equal(vox_ua_reject(&bob, in, 200, rnow), VOX_EINVAL);
	assert_int_equal(vox_ua_reject(&bob, in, 700, rnow), VOX_EINVAL);
	assert_int_equal(vox_ua_reject(&bob, in, 299, rnow), VOX_EINVAL);
	assert_int_equal(pull(&bob), 0);
	assert_int_equal(vox_ua_reject(&bob, in, 486, rnow), 0);
	pull(&bob);
	assert_non_null(out_starting("SIP/2.0 486"));
	assert_int_equal(vox_ua_reject(&bob, in, 486, rnow), VOX_ENOTFOUND);
}

/* 12.2.2: only a CSeq lower than the remote sequence number is out of
 * order. A BYE with the INVITE's own number is a new request (8.1.1.5:
 * number and method name it); it got 500 and the call stayed up for ever. */
static void test_bye_with_invite_cseq(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 70);
	vox_ua_handle in = bob_answers("cid-eq@x", 1);
	feed(&bob, carol_req(m, sizeof m, "BYE", 5, "cid-eq@x", "b1", NULL, NULL));
	pull(&bob);
	assert_int_equal(raw_n, 1);
	assert_non_null(out_starting("SIP/2.0 200"));
	nevs = 0;
	assert_string_equal(evstr(&bob), "8/200,11/0");
	assert_null(vox_ua_call_get(&bob, in));
	assert_idle(&bob);
}

/* A BYE that is out of order gets 500 (12.2.2), but the peer has ended
 * its session all the same (15.1.1) and will not end it again: bob ends
 * the call with a BYE of his own, so that it does not stay up for ever. */
static void test_bye_out_of_order_ends_call(void **st)
{
	(void)st;
	char m[4096], r[4096], h[256];
	ua_alone(&bob, "sip:bob@10.0.0.1", 71);
	vox_ua_handle in = bob_answers("cid-ooo@x", 1);
	feed(&bob, carol_req(m, sizeof m, "BYE", 4, "cid-ooo@x", "b1", NULL, NULL));
	pull(&bob);
	assert_int_equal(raw_n, 2);
	assert_non_null(out_starting("SIP/2.0 500"));
	const char *bye = out_starting("BYE sip:carol@10.0.0.7:5060 ");
	assert_non_null(bye);
	hdr(bye, "To", h, sizeof h);
	assert_string_equal(h, "<sip:carol@example.com>;tag=c1");
	evstr(&bob);
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_ENDED);
	assert_int_equal(evs[nevs - 1].status, 500);
	assert_int_equal(evs[nevs - 1].remote, 1);
	assert_non_null(vox_ua_call_get(&bob, in)); /* until its BYE is answered */
	feed(&bob, mkresp(r, sizeof r, bye, 481, NULL, NULL, NULL));
	assert_null(vox_ua_call_get(&bob, in));
	assert_idle(&bob);
	/* before the ACK, the same: no BYE from bob before the ACK (15); it
	 * goes when the ACK comes */
	in = bob_answers("cid-ooo2@x", 0);
	feed(&bob, carol_req(m, sizeof m, "BYE", 3, "cid-ooo2@x", "b2", NULL, NULL));
	pull(&bob);
	assert_int_equal(raw_n, 1);
	assert_non_null(out_starting("SIP/2.0 500"));
	feed(&bob, carol_req(m, sizeof m, "ACK", 5, "cid-ooo2@x", "a2", NULL, NULL));
	pull(&bob);
	assert_non_null(out_starting("BYE sip:carol@10.0.0.7:5060 "));
	assert_idle(&bob);
}

/* The same number and method again (another branch) is not a new
 * request: a re-INVITE with the INVITE's CSeq gets 500 and the call stays
 * as it was, and can still be ended. */
static void test_reinvite_same_cseq(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 72);
	vox_ua_handle in = bob_answers("cid-same@x", 1);
	feed(&bob, carol_req(m, sizeof m, "INVITE", 5, "cid-same@x", "r1", NULL, offer_sdp));
	pull(&bob);
	assert_non_null(out_starting("SIP/2.0 500"));
	assert_null(out_starting("SIP/2.0 200"));
	assert_int_equal(vox_ua_call_get(&bob, in)->state, VOX_UA_CALL_UP);
	assert_int_equal(vox_ua_hangup(&bob, in, rnow), 0);
	pull(&bob);
	assert_non_null(out_starting("BYE "));
}

/* 13.3.1.4: the ACK for our 2xx carries the INVITE's CSeq; a re-INVITE
 * that overtook it (refused with 500, 14.2) raised the remote sequence
 * number, and the ACK was then ignored: the call was torn down 32 s later. */
static void test_ack_after_overtaking_reinvite(void **st)
{
	(void)st;
	char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 73);
	vox_ua_handle in = bob_answers("cid-ack@x", 0);
	feed(&bob, carol_req(m, sizeof m, "INVITE", 6, "cid-ack@x", "r1", NULL, offer_sdp));
	pull(&bob);
	assert_non_null(out_starting("SIP/2.0 500"));
	feed(&bob, carol_req(m, sizeof m, "ACK", 5, "cid-ack@x", "a1", NULL, NULL));
	nevs = 0;
	assert_string_equal(evstr(&bob), "8/200");
	assert_false(vox_ua_call_get(&bob, in)->ack_pending);
	tick(&bob, rnow + 60000);
	pull(&bob);
	assert_null(out_starting("BYE "));
	assert_int_equal(vox_ua_call_get(&bob, in)->state, VOX_UA_CALL_UP);
}

/* A Via header of about n bytes: enough that the 100 Trying fits a
 * transaction and a 2xx with its SDP does not. */
static char long_via[VOX_SIP_TXN_MSG + 100];
static const char *make_long_via(size_t n)
{
	int k =
	    snprintf(long_via, sizeof long_via, "Via: SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKlv;x=");
	memset(long_via + k, 'a', n);
	memcpy(long_via + k + n, "\r\n", 3);
	return long_via;
}

static const char *hold_sdp =
    "v=0\r\no=- 9 10 IN IP4 10.0.0.2\r\ns=-\r\nc=IN IP4 10.0.0.2\r\nt=0 0\r\n"
    "m=audio 50000 RTP/AVP 0\r\na=sendonly\r\n";

/* 14.2: a re-INVITE whose 2xx cannot be built is answered 500, and the
 * session stays exactly as before it: the answer we could not send must
 * not become our offer/answer state. */
static void test_reinvite_2xx_unbuildable(void **st)
{
	(void)st;
	static char m[2 * VOX_SIP_TXN_MSG + 1024], before[sizeof(struct vox_sdp_oa)];
	ua_alone(&bob, "sip:bob@10.0.0.1", 74);
	vox_ua_handle in = bob_answers("cid-big@x", 1);
	const struct vox_ua_call *c = vox_ua_call_get(&bob, in);
	memcpy(before, &c->oa, sizeof before);
	uint16_t port = c->media.remote_rtp_port;
	nevs = 0;
	evstr(&bob);
	int events = nevs;
	feed(&bob, carol_req(m, sizeof m, "INVITE", 6, "cid-big@x", "r1",
	                     make_long_via(VOX_SIP_TXN_MSG - 400), hold_sdp));
	pull(&bob);
	assert_int_equal(raw_n, 1); /* its 100 was not needed (17.2.1) */
	assert_non_null(out_starting("SIP/2.0 500"));
	assert_memory_equal(&c->oa, before, sizeof before);
	assert_int_equal(c->media.remote_rtp_port, port);
	assert_int_equal(c->media.dir, VOX_SDP_SENDRECV);
	assert_false(c->ack_pending);
	evstr(&bob);
	assert_int_equal(nevs, events); /* no MEDIA */
	/* the next re-INVITE is answered, with the version after the one
	 * the first answer carried (RFC 3264 8: no answer went out between) */
	feed(&bob, carol_req(m, sizeof m, "INVITE", 7, "cid-big@x", "r2", NULL, hold_sdp));
	pull(&bob);
	assert_non_null(strstr(out_starting("SIP/2.0 200"), "a=recvonly"));
	assert_int_equal(c->oa.version,
	                 ((const struct vox_sdp_oa *)(const void *)before)->version + 1);
	assert_int_equal(c->media.dir, VOX_SDP_RECVONLY);
	feed(&bob, carol_req(m, sizeof m, "ACK", 7, "cid-big@x", "a7", NULL, NULL));
	assert_int_equal(vox_ua_hangup(&bob, in, rnow), 0);
	pull(&bob);
	assert_non_null(out_starting("BYE "));
}

/* The same for the first 2xx: vox_ua_answer says why, the caller gets 500
 * in its place (the INVITE was left unanswered, its transaction given up,
 * and the call ringing for ever), and the call ends. */
static void test_answer_unbuildable(void **st)
{
	(void)st;
	static char m[2 * VOX_SIP_TXN_MSG + 1024];
	ua_alone(&bob, "sip:bob@10.0.0.1", 75);
	feed(&bob, mkinvite(m, sizeof m, "cid-big2@x", "i1", make_long_via(VOX_SIP_TXN_MSG - 500)));
	pull(&bob);
	assert_non_null(out_starting("SIP/2.0 100"));
	evstr(&bob);
	vox_ua_handle in = evs[0].call;
	assert_int_equal(vox_ua_answer(&bob, in, &mans, rnow), VOX_ENOSPC);
	pull(&bob);
	assert_int_equal(raw_n, 1);
	assert_non_null(out_starting("SIP/2.0 500"));
	nevs = 0;
	assert_string_equal(evstr(&bob), "11/500");
	assert_null(vox_ua_call_get(&bob, in));
	assert_idle(&bob);
}

/* 22.2: a proxy that challenges our BYE gets it again with credentials
 * (and the next CSeq); the BYE was dropped after the 407, and the peer's
 * call stayed up for ever. */
static void test_bye_challenged(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], bye[VOX_SIP_TXN_MSG + 1], r[4096], h[1024];
	vox_ua_handle c, acct;
	alice_alone(76);
	struct vox_ua_account_cfg acfg = {vox_slice_cstr("sip:alice@sim.example"),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr(""),
	                                  vox_slice_cstr("secret"),
	                                  600,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), acct, &mcall, 0, &c), 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 200, "b1", "Contact: <sip:bob@10.0.0.2:5060>\r\n",
	                    answer_sdp));
	pull(&alice);
	assert_int_equal(vox_ua_hangup(&alice, c, rnow), 0);
	pull(&alice);
	copy_msg(bye, out_starting("BYE"));
	feed(&alice, mkresp(r, sizeof r, bye, 407, NULL, chal407, NULL));
	pull(&alice);
	assert_int_equal(raw_n, 1);
	copy_msg(bye, out_starting("BYE sip:bob@10.0.0.2:5060 "));
	hdr(bye, "Proxy-Authorization", h, sizeof h);
	assert_non_null(strstr(h, "uri=\"sip:bob@10.0.0.2:5060\""));
	hdr(bye, "CSeq", h, sizeof h);
	assert_string_equal(h, "3 BYE");
	/* a second challenge for it is not answered: the dialog ends (15.1.1) */
	feed(&alice, mkresp(r, sizeof r, bye, 407, NULL, chal407, NULL));
	pull(&alice);
	assert_int_equal(raw_n, 0);
	assert_null(vox_ua_call_get(&alice, c));
	assert_idle(&alice);
}

/* 14.1: a 491 is retried after a random delay, but not for ever: after a
 * few, the re-INVITE has failed and the session stays as it was. */
static void test_glare_bounded(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], re[VOX_SIP_TXN_MSG + 1], r[4096];
	vox_ua_handle c =
	    alice_up(inv, 77, "sip:bob@10.0.0.2", "<sip:bob@10.0.0.2:5060>", answer_sdp);
	evstr(&alice);
	int invites = 0;
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	for (int i = 0; i < 20 && out_starting("INVITE"); i++) {
		invites++;
		copy_msg(re, out_starting("INVITE"));
		feed(&alice, mkresp(r, sizeof r, re, 491, NULL, NULL, NULL));
		pull(&alice);
		tick(&alice, rnow + 5000);
		pull(&alice);
	}
	assert_int_equal(invites, 1 + 3);
	evstr(&alice);
	assert_int_equal(evs[nevs - 1].type, VOX_UA_EV_MEDIA);
	assert_int_equal(evs[nevs - 1].status, 491);
	assert_int_equal(vox_ua_call_get(&alice, c)->hold, 0);
	/* and the next hold is a new wish, retried afresh */
	assert_int_equal(vox_ua_hold(&alice, c, 1, rnow), 0);
	pull(&alice);
	assert_non_null(out_starting("INVITE"));
}

/* INCOMING says who calls and on which account; the live calls can be
 * listed. */
static void test_incoming_names_caller_and_account(void **st)
{
	(void)st;
	static char m[4096];
	ua_alone(&bob, "sip:bob@10.0.0.1", 80);
	vox_ua_handle other, mine;
	struct vox_ua_account_cfg a = {.aor = vox_slice_cstr("sip:robert@example.org"),
	                               .registrar = vox_slice_cstr("sip:example.org"),
	                               .password = vox_slice_cstr("x")};
	assert_int_equal(vox_ua_account_add(&bob, &a, &other), 0);
	a.aor = vox_slice_cstr("sip:bob@EXAMPLE.com"); /* the host in any case */
	a.registrar = vox_slice_cstr("sip:example.com");
	assert_int_equal(vox_ua_account_add(&bob, &a, &mine), 0);
	assert_int_equal(vox_ua_calls_list(&bob, NULL, 0), 0);
	feed(&bob, mkinvite(m, sizeof m, "cid-who@x", "w1", ""));
	struct vox_ua_event e;
	int got = 0;
	while (vox_ua_next_event(&bob, &e))
		if (e.type == VOX_UA_EV_INCOMING) {
			got = 1;
			assert_int_equal(e.account, mine);
			assert_true(
			    vox_slice_eq(e.peer, vox_slice_cstr("<sip:carol@example.com>;tag=c1")));
			vox_ua_handle list[2];
			assert_int_equal(vox_ua_calls_list(&bob, list, 2), 1);
			assert_int_equal(list[0], e.call);
			assert_int_equal(vox_ua_calls_list(&bob, list, 0), 1);
		}
	assert_true(got);
}

/* RFC 4475 3.1.2 and RFC 3261 18.3: a request that fails the checks is
 * answered, best effort, even when it lacks headers a response copies;
 * vox_ua_recv tells an answered request (the sender speaks SIP) from
 * garbage dropped in silence (a stream transport closes on that). */
static void test_best_effort_answers(void **st)
{
	(void)st;
	ua_alone(&bob, "sip:bob@10.0.0.1", 79);
	/* no From: 400 naming it, with the headers there are */
	assert_int_equal(feed(&bob, "OPTIONS sip:bob@10.0.0.1 SIP/2.0\r\n"
	                            "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-nf\r\n"
	                            "To: <sip:bob@10.0.0.1>\r\nCall-ID: nf@x\r\n"
	                            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	                            "Content-Length: 0\r\n\r\n"),
	                 VOX_UA_REFUSED);
	assert_int_equal(pull(&bob), 1);
	const char *r = out_starting("SIP/2.0 400 Missing From header\r\n");
	assert_non_null(r);
	assert_non_null(strstr(r, "\r\nCall-ID: nf@x\r\n"));
	assert_null(strstr(r, "\r\nFrom:"));
	/* no Via: the answer goes back where the request came from */
	assert_int_equal(feed(&bob, "OPTIONS sip:bob@10.0.0.1 SIP/2.0\r\n"
	                            "From: <sip:a@10.0.0.2>;tag=1\r\n"
	                            "To: <sip:bob@10.0.0.1>\r\nCall-ID: nv@x\r\n"
	                            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
	                            "Content-Length: 0\r\n\r\n"),
	                 VOX_UA_REFUSED);
	assert_int_equal(pull(&bob), 1);
	assert_non_null(out_starting("SIP/2.0 400 Missing Via header\r\n"));
	assert_int_equal(raw_to[0].addr.port, 5060);
	assert_memory_equal(raw_to[0].addr.ip, ((uint8_t[]){10, 0, 0, 2}), 4);
	/* 18.3: more body announced than the datagram holds */
	assert_int_equal(feed(&bob, "INVITE sip:bob@10.0.0.1 SIP/2.0\r\n"
	                            "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-cl\r\n"
	                            "From: <sip:a@10.0.0.2>;tag=1\r\n"
	                            "To: <sip:bob@10.0.0.1>\r\nCall-ID: cl@x\r\n"
	                            "CSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
	                            "Contact: <sip:a@10.0.0.2>\r\n"
	                            "Content-Type: application/sdp\r\n"
	                            "Content-Length: 300\r\n\r\nv=0\r\n"),
	                 VOX_UA_REFUSED);
	assert_int_equal(pull(&bob), 1);
	r = out_starting("SIP/2.0 400 ");
	assert_non_null(r);
	assert_non_null(strstr(r, "\r\nCSeq: 1 INVITE\r\n"));
	assert_int_equal(vox_ua_calls_active(&bob), 0);
	/* not SIP at all, and a bad response: dropped, nothing sent */
	assert_true(feed(&bob, "hello there\r\n\r\n") < 0);
	assert_true(feed(&bob, "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n") < 0);
	assert_int_equal(pull(&bob), 0);
}

/* A burst of bad requests fed before the output is drained: each gets its
 * 400 (the stateless answers wait in the arena, not in four fixed slots),
 * and only past VOX_UA_OUTQ does one count as dropped. */
static void test_stateless_burst(void **st)
{
	(void)st;
	char m[512];
	ua_alone(&bob, "sip:bob@10.0.0.1", 81);
	int burst = VOX_UA_OUTQ < 20 ? VOX_UA_OUTQ : 20;
	for (int i = 0; i < burst; i++) {
		snprintf(m, sizeof m,
		         "OPTIONS sip:bob@10.0.0.1 SIP/2.0\r\n"
		         "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-b%d\r\n"
		         "To: <sip:bob@10.0.0.1>\r\nCall-ID: burst%d@x\r\n"
		         "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
		         "Content-Length: 0\r\n\r\n",
		         i, i);
		assert_int_equal(feed(&bob, m), VOX_UA_REFUSED);
	}
	assert_int_equal(bob.dropped_out, 0);
	assert_int_equal(pull(&bob), burst);
	assert_int_equal(out_count("SIP/2.0 400 Missing From header\r\n"), burst);
	char last[32];
	snprintf(last, sizeof last, "Call-ID: burst%d@x\r\n", burst - 1);
	assert_non_null(strstr(raw_msg[burst - 1], last)); /* in the order they came */
	assert_int_equal(bob.out_chunks, 0);               /* every chunk given back */
	assert_int_equal(bob.txl.chunks_free, bob.txl.nchunks);
}

/* 8.2.2.3: a 420 lists the extensions we do not support. A list too long
 * for us went out as an empty Unsupported header; now no 420 goes out,
 * and vox_ua_recv says why. A list that fits is listed whole. */
static void test_unsupported_list(void **st)
{
	(void)st;
	static char m[4096], req[1200];
	ua_alone(&bob, "sip:bob@10.0.0.1", 78);
	size_t k = (size_t)snprintf(req, sizeof req, "Require: ");
	for (int i = 0; i < 8; i++)
		k +=
		    (size_t)snprintf(req + k, sizeof req - k, "%sext%d-%040d", i ? ", " : "", i, 0);
	snprintf(req + k, sizeof req - k, "\r\n");
	assert_int_equal(feed(&bob, mkreq(m, sizeof m, "OPTIONS", "cid-ext@x", "e1", req)),
	                 VOX_ETOOLONG);
	assert_int_equal(pull(&bob), 0);
	feed(&bob, mkreq(m, sizeof m, "OPTIONS", "cid-ext2@x", "e2", "Require: foo, bar\r\n"));
	pull(&bob);
	char h[256];
	hdr(out_starting("SIP/2.0 420"), "Unsupported", h, sizeof h);
	assert_string_equal(h, "foo, bar");
}

/* 22.3: the strongest challenge is answered, however many came (the
 * fifth was never read: four MD5 challenges hid a SHA-256 one). */
static void test_fifth_challenge(void **st)
{
	(void)st;
	char inv[VOX_SIP_TXN_MSG + 1], r[4096], chal[2048], h[1024];
	vox_ua_handle c, acct;
	/* the fifth challenge is the strongest only when SHA-256 is built in */
	skip_unless(VOX_WITH_DIGEST_SHA2, "SHA-2 digests are compiled out");
	alice_alone(79);
	struct vox_ua_account_cfg acfg = {vox_slice_cstr("sip:alice@sim.example"),
	                                  vox_slice_cstr("sip:10.0.0.2:5060"),
	                                  vox_slice_cstr(""),
	                                  vox_slice_cstr("secret"),
	                                  600,
	                                  {NULL, 0},
	                                  VOX_DIGEST_MD5};
	assert_int_equal(vox_ua_account_add(&alice, &acfg, &acct), 0);
	size_t k = 0;
	for (int i = 0; i < 5; i++)
		k += (size_t)snprintf(chal + k, sizeof chal - k,
		                      "Proxy-Authenticate: Digest realm=\"r%d\", nonce=\"n%d\", "
		                      "algorithm=%s, qop=\"auth\"\r\n",
		                      i, i, i < 4 ? "MD5" : "SHA-256");
	assert_int_equal(
	    vox_ua_call(&alice, vox_slice_cstr("sip:bob@10.0.0.2"), acct, &mcall, 0, &c), 0);
	pull(&alice);
	copy_msg(inv, out_starting("INVITE"));
	feed(&alice, mkresp(r, sizeof r, inv, 407, "px", chal, NULL));
	pull(&alice);
	hdr(out_starting("INVITE"), "Proxy-Authorization", h, sizeof h);
	assert_non_null(strstr(h, "realm=\"r4\""));
	assert_non_null(strstr(h, "algorithm=SHA-256"));
}

/* After each test: the calls it left up give their media back (libsrtp2's
 * contexts: LeakSanitizer checks). */
static int free_uas(void **st)
{
	(void)st;
	vox_ua_free(&alice);
	vox_ua_free(&bob);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_forks, free_uas),
	    cmocka_unit_test_teardown(test_challenged_calls, free_uas),
	    cmocka_unit_test_teardown(test_huge_challenge, free_uas),
	    cmocka_unit_test_teardown(test_uas_responses, free_uas),
	    cmocka_unit_test_teardown(test_hangup_then_2xx, free_uas),
	    cmocka_unit_test_teardown(test_reinvite_target_and_refusal, free_uas),
	    cmocka_unit_test_teardown(test_no_keys_over_udp, free_uas),
	    cmocka_unit_test_teardown(test_488_then_savp, free_uas),
	    cmocka_unit_test_teardown(test_2xx_retx_after_reinvite, free_uas),
	    cmocka_unit_test_teardown(test_glare_retry_waits_for_ack, free_uas),
	    cmocka_unit_test_teardown(test_register_serialised, free_uas),
	    cmocka_unit_test_teardown(test_long_host, free_uas),
	    cmocka_unit_test_teardown(test_longest_host, free_uas),
	    cmocka_unit_test_teardown(test_via_rng_failure, free_uas),
	    cmocka_unit_test_teardown(test_set_contact_defaults, free_uas),
	    cmocka_unit_test_teardown(test_tls_contact_scheme, free_uas),
	    cmocka_unit_test_teardown(test_config_check_strings, free_uas),
	    cmocka_unit_test_teardown(test_impossible_media_config, free_uas),
	    cmocka_unit_test_teardown(test_2xx_retx_after_bye, free_uas),
	    cmocka_unit_test_teardown(test_fork_early_then_answer, free_uas),
	    cmocka_unit_test_teardown(test_broken_rng_still_answers, free_uas),
	    cmocka_unit_test_teardown(test_unanswerable_requests_dropped, free_uas),
	    cmocka_unit_test_teardown(test_reject_status, free_uas),
	    cmocka_unit_test_teardown(test_bye_with_invite_cseq, free_uas),
	    cmocka_unit_test_teardown(test_bye_out_of_order_ends_call, free_uas),
	    cmocka_unit_test_teardown(test_reinvite_same_cseq, free_uas),
	    cmocka_unit_test_teardown(test_ack_after_overtaking_reinvite, free_uas),
	    cmocka_unit_test_teardown(test_reinvite_2xx_unbuildable, free_uas),
	    cmocka_unit_test_teardown(test_answer_unbuildable, free_uas),
	    cmocka_unit_test_teardown(test_bye_challenged, free_uas),
	    cmocka_unit_test_teardown(test_glare_bounded, free_uas),
	    cmocka_unit_test_teardown(test_unsupported_list, free_uas),
	    cmocka_unit_test_teardown(test_best_effort_answers, free_uas),
	    cmocka_unit_test_teardown(test_stateless_burst, free_uas),
	    cmocka_unit_test_teardown(test_longreq_answered, free_uas),
	    cmocka_unit_test_teardown(test_incoming_names_caller_and_account, free_uas),
	    cmocka_unit_test_teardown(test_fifth_challenge, free_uas),
	    cmocka_unit_test_teardown(test_media_socket, free_uas),
	    cmocka_unit_test_teardown(test_media_retarget, free_uas),
	    cmocka_unit_test_teardown(test_media_rng_fails, free_uas),
	    cmocka_unit_test_teardown(test_offer_too_long, free_uas),
	    cmocka_unit_test_teardown(test_resolve_questions, free_uas),
	    cmocka_unit_test_teardown(test_resolve_answer_errors, free_uas),
	};
	return cmocka_run_group_tests_name("ua", tests, srtp_group_setup, srtp_group_teardown);
}
