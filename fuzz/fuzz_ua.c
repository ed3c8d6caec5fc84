/* SPDX-License-Identifier: MIT */
/*
 * One user agent (struct vox_ua) driven by the fuzz input, with the fuzzer
 * playing every peer: a UDP phone/proxy at 10.0.0.2:5060, a TLS one at
 * 10.0.0.3:5061, and a digest registrar. The UA is 10.0.0.1:5060.
 *
 * Input: a header of 3 bytes, then records [op][len][len bytes]:
 *
 *   header[0]  configuration: bits 0-1 SDP policy (off, optional,
 *              mandatory), 2 SDES over insecure hops, 3 accept downgrades,
 *              4 TLS for requests we start, 5 an outbound proxy, 6 short T1,
 *              7 the TLS hop is not verified (tls_client_verifies 0, and
 *              what the TLS peer sends arrives with verified 0)
 *   header[1]  seed of the deterministic rng; bit 7 also adds ZRTP to the
 *              key methods (each call runs a ZRTP session on its media
 *              port: RAW media datagrams reach it)
 *   header[2]  0, or every how many rng calls the UA's rng fails
 *
 *   op & 7     0 RAW        the bytes as a datagram from peer (op >> 3) & 1;
 *                           with op & 0x30 a media step instead (MEDIA below)
 *              1 RESPONSE   a templated response to one of the UA's requests:
 *                           b0 status, b1 which request (newest first), b2
 *                           flags, b3 tail mode, b4.. tail
 *              2 REQUEST    a templated request from a peer: b0 method, b1
 *                           dialog, b2 flags, b3 tail mode (and, in its top
 *                           6 bits, a second Via padded by 24 bytes a step),
 *                           b4.. tail
 *              3 TIME       advance: no bytes = to the next deadline, else
 *                           b0 scaled (10 ms, 500 ms, 4 s or 60 s steps);
 *                           every deadline on the way fires on time
 *              4 ACTION     b0 action, b1 call or account, b2 parameter
 *                           (action 9 with b2 & 0x80: the transport could not
 *                           send the (b1 & 7)-th newest output, by its id;
 *                           with b2 & 0x40: an answer to the (b1 & 3)-th
 *                           newest name question, b1 & 4 under a wrong id,
 *                           with b2 & 7 targets (more than the UA holds
 *                           too), each from a byte of b3..: & 3 the peer
 *                           (10.0.0.2 UDP, 10.0.0.3 TLS, a silent 10.0.0.9
 *                           UDP, 10.0.0.2 TCP), & 0x80 a broken one (port 0))
 *              5 REGISTRAR  answer the b0-th newest REGISTER as a registrar
 *                           would (verify credentials, 401, 423, 200)
 *              6 VERIFY     the bytes as an Authorization value ("$N" = the
 *                           newest nonce) for the registrar's verifier
 *              7 RESEND     a message the peers sent before, again (b0)
 *   op & 0x40  the length has a second (high) byte: records up to 64 KiB
 *   op & 0x80  leave the UA's output and events queued after this step
 *
 *   MEDIA (op & 7 == 0, op & 0x30 != 0), on call b0 (a handle the fuzzer
 *   knows, or one it does not), from the peer's media address
 *   10.0.0.2:50000 (or, with op & 0x08, a stranger's):
 *     0x10  an RTP packet as the peer sends it: b1 flags (bit 0
 *           telephone-event, bit 1 marker, bit 2 SRTP under the key the
 *           call agreed, bit 3 a new SSRC), b2 sequence step, the rest the
 *           payload (a 20 ms frame of it when empty)
 *     0x20  the bytes as a datagram; b1 0x80: the last media datagram
 *           delivered, again, with bit b1 & 0x7f flipped when not 0
 *     0x30  the application: b1 0 a frame of its tone, 1 play a frame, 2 a
 *           DTMF digit (b2), 3 re-key (vox_ua_rekey)
 *
 * Tail modes: 1 = the tail is spliced in as extra header lines, 2 = the
 * tail replaces the body. Templates take what they need (Call-ID, tags,
 * branch, CSeq, Contact, SDP) from what the UA actually sent, so the
 * fuzzer can answer the UA's own requests and walk its dialogs.
 *
 * Checked after every step (abort() on violation): every message the UA
 * sends parses, is a request it implements or a response, and validates;
 * every response but 100 has a To tag (8.2.6.2); the transaction layer's
 * counts match its pool; no two live client transactions of INVITE, BYE
 * or REGISTER share a Call-ID and tags (10.2, 14.1); calls stay within the
 * pool, each call in a state of its three machines, and no change of
 * state the tables of ua/call_fsm.c refuse is ever asked for; events name calls the UA reported (INCOMING) or started, nothing
 * follows a call's ENDED, and ENDED comes once; a timer that fired is not
 * due again at the same time; credentials the UA sends for our registrar's
 * own challenges verify. At the end every call is hung up, every account
 * unregistered, and 10 minutes pass without input: then no call and no
 * transaction may be left, and every call must have ended exactly once.
 *
 * Names (RFC 3263): calls go to host names too; every question the UA
 * asks (vox_ua_poll_resolve) has an id, a NUL-terminated name, a lookup
 * that matches its port and transport, and TLS for sips; vox_ua_resolved
 * says 0 only for an answer it may take (no more than VOX_UA_MAX_TARGETS
 * targets, each a transport, an address and a port, of the transport the
 * question fixed), VOX_ELIMIT only for too many, and an id it took once
 * is unknown after; at the end no question waits.
 *
 * Media, checked the same way: every media packet the UA sends is RTP or
 * RTCP (or, with ZRTP, a ZRTP packet that parses, under every policy) for
 * a call it made or reported, fits VOX_MEDIA_OUT_MAX and goes to
 * the peer's media address; under policy mandatory not one is clear (no
 * RTP payload of a bare G.711 frame or telephone-event, none holding the
 * application's frame as it was encoded, no RTCP that parses to its last
 * byte); a datagram the UA refuses changes neither the call's RTP session
 * nor its jitter buffer (nothing that failed SRTP is played); a datagram it
 * hands back is STUN, ZRTP, DTLS or TURN; and at the end no media engine
 * runs and no libsrtp2 context is left.
 *
 * FUZZ_UA_TRACE=1 (or 2, with whole messages) prints what goes in and out.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vox/digest.h"
#include "vox/srtp.h"
#include "vox/ua.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libsrtp2's process-wide set-up, once (vox/srtp.h) */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return vox_srtp_global_init() < 0;
}

static struct vox_slice mk(const char *p, size_t len)
{
	struct vox_slice s = {p, len};
	return s;
}

/* ---- randomness --------------------------------------------------------------------- */

struct frng {
	uint64_t s;
	uint32_t calls;
	uint32_t fail_every; /* 0: never fails */
};

static int frng_fn(void *ctx, uint8_t *out, size_t len)
{
	struct frng *r = ctx;
	if (r->fail_every && ++r->calls % r->fail_every == 0)
		return VOX_ERNG;
	for (size_t i = 0; i < len; i++) {
		r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
		out[i] = (uint8_t)(r->s >> 56);
	}
	return 0;
}

/* ---- the world ------------------------------------------------------------------------ */

#define NREC   16   /* messages of the UA remembered */
#define NSENT  8    /* messages of the peers remembered */
#define NDLG   6    /* dialogs the peers play */
#define NCALLS 64   /* call handles remembered */
#define MAXMSG 4096 /* longest message a template builds */

struct rec {
	uint16_t len;
	struct vox_peer peer; /* where it went (UA) or where it came from (peers) */
	char msg[MAXMSG];
};

struct fdlg {
	int used;
	int peer;           /* 0 UDP, 1 TLS */
	char call_id[96];   /* Call-ID */
	char ua_hdr[320];   /* the UA's From/To value (with its tag once known) */
	char peer_hdr[320]; /* ours, with our tag once we sent one */
	char target[200];   /* Request-URI of our requests inside the dialog */
	uint32_t cseq;      /* our last CSeq */
	uint32_t inv_cseq;  /* of our last INVITE */
	uint16_t inv_len;   /* our last INVITE, for CANCEL and a non-2xx ACK */
	char inv[MAXMSG];
	struct vox_sdp_oa oa; /* our side of offer/answer */
};

struct hrec {
	vox_ua_handle h;
	uint8_t ended;
};

static struct vox_ua ua;
static struct frng ua_rng, peer_rng;
static struct vox_digest_server registrar;
static struct rec uaout[NREC], sent[NSENT];
static unsigned nuaout, nsent;
static struct fdlg dl[NDLG];
static unsigned ndl_next, counter;
static struct hrec calls[NCALLS];
static size_t ncalls;
static vox_ua_handle accounts[2];
static uint64_t now;
static int tainted; /* raw bytes or tails went in: challenges may not be ours */
static char nonce[128];
static size_t nonce_len;

static int trace; /* FUZZ_UA_TRACE=1: what goes in and out, on stderr */

static void drain_media(void);

static struct vox_sip_msg m1, m2;
static struct vox_sdp sdp;
static char buf[MAXMSG], body[2048], tmp[4096];

/* The UA's media socket (the fuzzer names the same one for every call). */
static const struct vox_ua_media_addr media_at = {{NULL, 0}, 40000};

static const struct vox_peer peers[2] = {
    {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}, 0, 0, 0},
    {VOX_TP_TLS, {4, {10, 0, 0, 3}, 5061}, 7, 0, 0},
};
static const char *const peer_via[2] = {"SIP/2.0/UDP 10.0.0.2:5060", "SIP/2.0/TLS 10.0.0.3:5061"};
static const char *const peer_uri[2] = {"sip:bob@10.0.0.2:5060", "sips:bob@10.0.0.3:5061"};

static const uint8_t reg_key[VOX_DIGEST_KEY_LEN] = "fuzz_ua registrar key 0123456.";

/* Users the registrar knows: the UA's account 0 has the right password,
 * account 1 a wrong one. */
static int user_secret(struct vox_slice user, struct vox_digest_cred *c)
{
	if (!vox_slice_eq(user, vox_slice_cstr("alice")))
		return 0;
	*c = (struct vox_digest_cred){{"alice", 5}, {"secret", 6}, {NULL, 0}, VOX_DIGEST_MD5};
	return 1;
}

static struct vox_slice hval(const struct vox_sip_msg *m, enum vox_sip_hdr id)
{
	const struct vox_sip_header *h = vox_sip_find(m, id);
	return h ? h->value : mk(NULL, 0);
}

static int copy_cstr(char *dst, size_t cap, struct vox_slice s)
{
	if (s.len >= cap)
		return -1;
	memcpy(dst, s.p, s.len);
	dst[s.len] = 0;
	return 0;
}

static struct rec *ua_rec(unsigned i) /* 0 = newest */
{
	return i < nuaout && i < NREC ? &uaout[(nuaout - 1 - i) % NREC] : NULL;
}

static struct fdlg *dlg_find(struct vox_slice cid)
{
	for (size_t i = 0; i < NDLG; i++)
		if (dl[i].used && vox_slice_eq(cid, vox_slice_cstr(dl[i].call_id)))
			return &dl[i];
	return NULL;
}

static struct fdlg *dlg_new(void)
{
	struct fdlg *d = &dl[ndl_next++ % NDLG];
	vox_sdp_oa_free(&d->oa);
	memset(d, 0, sizeof *d);
	d->used = 1;
	vox_sdp_oa_init(&d->oa, 1000 + counter);
	return d;
}

static struct fdlg *dlg_pick(uint8_t k)
{
	size_t n = 0;
	for (size_t i = 0; i < NDLG; i++)
		n += dl[i].used != 0;
	if (!n)
		return NULL;
	size_t want = k % n;
	for (size_t i = 0; i < NDLG; i++)
		if (dl[i].used && want-- == 0)
			return &dl[i];
	return NULL;
}

/* The URI of a Contact value. */
static int contact_uri(struct vox_slice v, char *out, size_t cap)
{
	struct vox_sip_contact c;
	if (!v.p || vox_sip_contact_parse(&c, v, NULL) || c.star)
		return -1;
	return copy_cstr(out, cap, c.addr.uri.raw);
}

/* The tag of a From or To value (into the value), empty when none. */
static struct vox_slice tag_of(struct vox_slice v)
{
	struct vox_sip_addr a;
	if (!v.p || vox_sip_addr_parse(&a, v, NULL) || !a.tag.p)
		return mk("", 0);
	return a.tag;
}

static int has_tag(struct vox_slice v)
{
	struct vox_sip_addr a;
	return v.p && vox_sip_addr_parse(&a, v, NULL) == 0 && a.tag.p;
}

/* ---- call handles -------------------------------------------------------------------- */

static struct hrec *handle_find(vox_ua_handle h)
{
	for (size_t i = 0; i < ncalls; i++)
		if (calls[i].h == h)
			return &calls[i];
	return NULL;
}

static void handle_add(vox_ua_handle h)
{
	if (!h || handle_find(h))
		abort(); /* a handle is never 0 and never given out twice */
	if (ncalls < NCALLS)
		calls[ncalls++] = (struct hrec){h, 0};
}

static vox_ua_handle handle_pick(uint8_t k)
{
	if (k == 0xff || !ncalls)
		return k; /* a handle that is not ours */
	return calls[k % ncalls].h;
}

/* ---- invariants ---------------------------------------------------------------------- */

/* RFC 3261 10.2: no new REGISTER until the previous one has its final
 * response or timed out; 14.1: no INVITE while another is in progress in
 * the dialog; and one BYE per dialog. Live client transactions of these
 * methods therefore never share a Call-ID and tags. */
static void check_one_at_a_time(void)
{
	static struct vox_sip_msg m3;
	static char bytes[VOX_UA_MAX_TXN][VOX_SIP_TXN_MSG];
	struct {
		uint8_t method;
		struct vox_slice cid, from, to;
	} live[VOX_UA_MAX_TXN];
	size_t n = 0;
	for (size_t i = 0; i < VOX_UA_MAX_TXN; i++) {
		const struct vox_sip_txn *x = &ua.txn[i];
		int open = (x->kind == VOX_TXN_ICT &&
		            (x->state == VOX_TXN_CALLING || x->state == VOX_TXN_PROCEEDING)) ||
		           (x->kind == VOX_TXN_NICT &&
		            (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING));
		if (!open || (x->method != VOX_SIP_INVITE && x->method != VOX_SIP_BYE &&
		              x->method != VOX_SIP_REGISTER))
			continue;
		/* an open client transaction keeps its request in the arena
		 * (the INVITE until its final response; a NICT over UDP) */
		if (!x->len)
			continue;
		if (x->len > sizeof bytes[0])
			abort();
		size_t off = 0;
		for (uint16_t at = x->msg_at; at != VOX_SIP_NOCHUNK && off < x->len;
		     at = ua.arena[at].next, off += VOX_SIP_CHUNK)
			memcpy(bytes[n] + off, ua.arena[at].b,
			       x->len - off < VOX_SIP_CHUNK ? x->len - off : VOX_SIP_CHUNK);
		if (vox_sip_parse(&m3, bytes[n], x->len, VOX_SIP_DATAGRAM, NULL) < 0)
			abort();
		struct vox_slice cid = hval(&m3, VOX_SIP_H_CALL_ID);
		struct vox_slice from = tag_of(hval(&m3, VOX_SIP_H_FROM));
		struct vox_slice to = tag_of(hval(&m3, VOX_SIP_H_TO));
		for (size_t k = 0; k < n; k++)
			if (live[k].method == x->method && vox_slice_eq(live[k].cid, cid) &&
			    vox_slice_eq(live[k].from, from) && vox_slice_eq(live[k].to, to))
				abort();
		live[n].method = x->method;
		live[n].cid = cid;
		live[n].from = from;
		live[n].to = to;
		n++;
	}
}

static void check_pools(void)
{
	size_t active = 0, pending = 0;
	for (size_t i = 0; i < VOX_UA_MAX_TXN; i++) {
		const struct vox_sip_txn *x = &ua.txn[i];
		active += x->state != VOX_TXN_FREE;
		pending += x->pending != 0;
		if (x->state > VOX_TXN_TERMINATED || x->len > VOX_SIP_TXN_MSG)
			abort();
		if (x->pending && (x->state == VOX_TXN_FREE || !x->len))
			abort();
	}
	if (active != ua.txl.active || pending != ua.txl.pending)
		abort();
	if (vox_ua_calls_active(&ua) > VOX_UA_MAX_CALLS)
		abort();
	/* every call in a state of its machines, and no change of state the
	 * tables of ua/call_fsm.c refuse ever asked for */
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		if (ua.calls[i].state >= VOX_UA_CALL_STATES ||
		    ua.calls[i].uac >= VOX_UA_UAC_STATES || ua.calls[i].uas >= VOX_UA_UAS_STATES ||
		    ua.calls[i].gen == 0)
			abort();
	if (ua.fsm.refused)
		abort();
	if (ua.ev_len > VOX_UA_MAX_EVENTS || ua.out_len > VOX_UA_OUTQ ||
	    ua.txl.ev_len > VOX_SIP_TXL_QUEUE || ua.txl.nspill > 2)
		abort();
	check_one_at_a_time();
}

/* Credentials the UA sends for a challenge of our registrar must verify.
 * An ACK is skipped: it repeats the INVITE's credentials (RFC 3261 22.1),
 * which were computed over the INVITE's method and Request-URI. */
static void check_credentials(const struct vox_sip_msg *m)
{
	if (m->method_id == VOX_SIP_ACK)
		return;
	static const enum vox_sip_hdr ids[] = {VOX_SIP_H_AUTHORIZATION,
	                                       VOX_SIP_H_PROXY_AUTHORIZATION};
	for (size_t i = 0; i < 2; i++) {
		const struct vox_sip_header *h = vox_sip_find(m, ids[i]);
		struct vox_sip_auth cr;
		struct vox_digest_cred secret;
		char user[64];
		if (!h)
			continue;
		if (vox_sip_auth_parse(&cr, h->value, NULL))
			abort(); /* we wrote it: it parses */
		int ul = vox_digest_username(&cr, user, sizeof user, NULL);
		if (ul < 0 || !user_secret(mk(user, (size_t)ul), &secret))
			continue;
		struct vox_digest_req req = {m->method, m->uri, m->body};
		struct vox_digest_info info;
		memset(&info, 0, sizeof info);
		int rc = vox_digest_server_verify(&registrar, &cr, &secret, &req, mk(NULL, 0), now,
		                                  &info, NULL);
		/* the nonce's MAC verified, so the challenge was ours: the
		 * answer must be right (a late one may have expired) */
		if (!tainted && info.issued_ms && rc != 0 && rc != VOX_EKEYEXPIRED)
			abort();
	}
}

/* Learns the dialogs the peers play from what the UA sent. */
static void learn(const struct vox_sip_msg *m, const struct vox_peer *to)
{
	struct vox_slice cid = hval(m, VOX_SIP_H_CALL_ID);
	struct fdlg *d = dlg_find(cid);
	if (!m->status) {
		struct vox_slice toh = hval(m, VOX_SIP_H_TO);
		if (!d && m->method_id == VOX_SIP_INVITE && !has_tag(toh)) {
			/* a call of the UA's: we are its callee */
			d = dlg_new();
			d->peer = to->tp == VOX_TP_TLS;
			d->cseq = 100;
			if (copy_cstr(d->call_id, sizeof d->call_id, cid) ||
			    copy_cstr(d->ua_hdr, sizeof d->ua_hdr, hval(m, VOX_SIP_H_FROM)) ||
			    copy_cstr(d->peer_hdr, sizeof d->peer_hdr, toh)) {
				d->used = 0;
				return;
			}
		}
		if (!d)
			return;
		if (has_tag(toh))
			(void)copy_cstr(d->peer_hdr, sizeof d->peer_hdr, toh);
		if (m->method_id == VOX_SIP_INVITE)
			(void)contact_uri(hval(m, VOX_SIP_H_CONTACT), d->target, sizeof d->target);
		return;
	}
	if (!d)
		return;
	struct vox_slice toh = hval(m, VOX_SIP_H_TO);
	if (has_tag(toh) && !d->ua_hdr[0])
		(void)copy_cstr(d->ua_hdr, sizeof d->ua_hdr, toh);
	else if (has_tag(toh) && !has_tag(vox_slice_cstr(d->ua_hdr)))
		(void)copy_cstr(d->ua_hdr, sizeof d->ua_hdr, toh);
	(void)contact_uri(hval(m, VOX_SIP_H_CONTACT), d->target, sizeof d->target);
}

/* Does s contain the literal lit? */
static int holds(struct vox_slice s, const char *lit)
{
	size_t k = strlen(lit);
	for (size_t i = 0; k && i + k <= s.len; i++)
		if (!memcmp(s.p + i, lit, k))
			return 1;
	return 0;
}

/* Every message the UA sends. */
static void check_output(const char *msg, size_t len, const struct vox_peer *to)
{
	struct vox_sip_verdict v;
	if (vox_sip_parse(&m2, msg, len, VOX_SIP_DATAGRAM, NULL) != (int)len)
		abort();
	if (to->tp < VOX_TP_UDP || to->tp > VOX_TP_TLS ||
	    (to->addr.family != 4 && to->addr.family != 6))
		abort();
	/* an SDES key leaves only over a verified TLS hop, unless opted out
	 * by name (docs/architecture.md, Security defaults) */
	if (!ua.cfg.allow_sdes_over_insecure_hops && !(to->tp == VOX_TP_TLS && to->verified) &&
	    holds(m2.body, "a=crypto:"))
		abort();
	if (!m2.status) {
		/* a request the UA implements, well formed by its own rules */
		switch (m2.method_id) {
		case VOX_SIP_INVITE:
		case VOX_SIP_ACK:
		case VOX_SIP_BYE:
		case VOX_SIP_CANCEL:
		case VOX_SIP_REGISTER: break;
		default: abort();
		}
		const struct vox_sip_validate_opts o = {.role = VOX_SIP_ROLE_UAS};
		if (vox_sip_validate(&m2, &o, &v) || v.status || v.drop)
			abort();
		check_credentials(&m2);
	} else {
		/* a response echoes the request's headers: when the request
		 * itself was refused as malformed, so may the response be */
		const struct vox_sip_validate_opts o = {.role = VOX_SIP_ROLE_PROXY};
		if (m2.status < 100 || m2.status > 699 || vox_sip_validate(&m2, &o, &v))
			abort();
		if (v.drop && m2.status != 400 && m2.status != 505 && m2.status != 416 &&
		    m2.status != 420 && m2.status != 405 && m2.status != 415 && m2.status != 406 &&
		    m2.status != 503 && m2.status != 501)
			abort();
		/* 8.2.6.2: every response but 100 carries a To tag (unless
		 * the rng, which makes tags, fails) */
		if (!v.drop && m2.status > 100 && !has_tag(hval(&m2, VOX_SIP_H_TO)) &&
		    !ua_rng.fail_every)
			abort();
	}
	if (trace) {
		const char *e = memchr(msg, '\r', len);
		fprintf(stderr, "[%llu] ua> %.*s\n", (unsigned long long)now,
		        (int)(e ? e - msg : 0), msg);
		if (trace > 1)
			fprintf(stderr, "%.*s\n", (int)len, msg);
	}
	struct rec *r = &uaout[nuaout++ % NREC];
	memcpy(r->msg, msg, len);
	r->len = (uint16_t)len;
	r->peer = *to;
	learn(&m2, to);
}

static void check_event(const struct vox_ua_event *ev)
{
	if (trace)
		fprintf(stderr, "[%llu] event %d call %x account %x status %u %s\n",
		        (unsigned long long)now, (int)ev->type, ev->call, ev->account, ev->status,
		        ev->reason);
	if (ev->type < VOX_UA_EV_REG_OK || ev->type > VOX_UA_EV_ZRTP_FAILED)
		abort();
	/* ZRTP events only where ZRTP is a key method, with a reason */
	if (ev->type >= VOX_UA_EV_ZRTP_SAS &&
	    (!(ua.cfg.key_methods & VOX_SDP_KEY_ZRTP) || !ev->reason || !ev->call))
		abort();
	if (ev->type <= VOX_UA_EV_UNREGISTERED) {
		if (ev->account != accounts[0] && ev->account != accounts[1])
			abort();
		return;
	}
	if (ev->type == VOX_UA_EV_INCOMING) {
		handle_add(ev->call);
		return;
	}
	if (ua.dropped_events)
		return; /* an INCOMING may be gone: no more bookkeeping */
	struct hrec *h = handle_find(ev->call);
	if (!h) {
		if (ncalls < NCALLS)
			abort(); /* a call nobody heard of */
		return;
	}
	if (h->ended)
		abort(); /* nothing after ENDED, and ENDED once */
	if (ev->type == VOX_UA_EV_ENDED)
		h->ended = 1;
}

/* The ids of the UA's latest outputs, newest at out_ids[nout_ids % 8 - 1]. */
static uint32_t out_ids[8];
static unsigned nout_ids;
static struct vox_ua_resolve questions[4]; /* the newest the UA asked */
static unsigned nquestions;

static void check_question(const struct vox_ua_resolve *q)
{
	if (!q->id || !memchr(q->name, 0, sizeof q->name) || !q->name[0] || q->tp < VOX_TP_UDP ||
	    q->tp > VOX_TP_TLS || (q->sips && q->tp != VOX_TP_TLS) || (q->sips && !q->tp_given))
		abort();
	enum vox_ua_lookup want = q->port       ? VOX_UA_LOOKUP_ADDR
	                          : q->tp_given ? VOX_UA_LOOKUP_SRV
	                                        : VOX_UA_LOOKUP_NAPTR;
	if (q->lookup != want)
		abort(); /* RFC 3263 4.1, 4.2 */
	if (trace)
		fprintf(stderr, "[%llu] ua? resolve %s (id %u)\n", (unsigned long long)now, q->name,
		        q->id);
}

static void drain(void)
{
	static char out[VOX_SIP_TXN_MSG + 64];
	struct vox_ua_dest to;
	int n;
	while ((n = vox_ua_poll_output_dest(&ua, out, sizeof out, &to)) != 0) {
		if (n < 0)
			abort(); /* the buffer is big enough for anything it holds */
		check_output(out, (size_t)n, &to.to);
		out_ids[nout_ids++ % 8] = to.id;
	}
	struct vox_ua_resolve q;
	while (vox_ua_poll_resolve(&ua, &q) == 1) {
		check_question(&q);
		questions[nquestions++ % 4] = q;
	}
	drain_media();
	struct vox_ua_event ev;
	while (vox_ua_next_event(&ua, &ev))
		check_event(&ev);
	check_pools();
}

/* Time passes to `until`; every timer fires at its time. */
static void advance(uint64_t until, int quiet)
{
	for (;;) {
		uint64_t t = vox_ua_next_deadline(&ua);
		if (t > until)
			break;
		if (t > now)
			now = t;
		vox_ua_on_deadline(&ua, now);
		if (vox_ua_next_deadline(&ua) <= now)
			abort(); /* would spin: the timer that fired is due again */
		if (!quiet)
			drain();
	}
	if (until > now)
		now = until;
}

/* ---- what the peers send ---------------------------------------------------------------- */

static void remember_sent(const char *msg, size_t len, int peer)
{
	if (len > sizeof sent[0].msg)
		return;
	struct rec *r = &sent[nsent++ % NSENT];
	memcpy(r->msg, msg, len);
	r->len = (uint16_t)len;
	r->peer = peers[peer];
}

static void deliver(const char *msg, size_t len, const struct vox_peer *from)
{
	/* the TLS peer's certificate verified, unless header bit 7 says not */
	struct vox_peer f = *from;
	f.verified = f.tp == VOX_TP_TLS && ua.cfg.tls_client_verifies;
	int rc = vox_ua_recv(&ua, msg, len, &f, now);
	if (trace) {
		const char *e = memchr(msg, '\r', len);
		fprintf(stderr, "[%llu] >ua %.*s (%d)\n", (unsigned long long)now,
		        (int)(e ? e - msg : 0), msg, rc);
		if (trace > 1)
			fprintf(stderr, "%.*s\n", (int)len, msg);
	}
}

/* The message in buf[0..n) with the tail spliced in as header lines
 * (mode 1) before the empty line. Returns the new length. */
static size_t splice(size_t n, int mode, const uint8_t *tail, size_t tl)
{
	if (mode != 1 || !tl)
		return n;
	const char *e = NULL;
	for (size_t i = 0; i + 4 <= n; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0) {
			e = buf + i + 2;
			break;
		}
	if (!e || n + tl + 2 > sizeof buf)
		return n;
	size_t at = (size_t)(e - buf);
	memmove(buf + at + tl + 2, buf + at, n - at);
	memcpy(buf + at, tail, tl);
	memcpy(buf + at + tl, "\r\n", 2);
	tainted = 1;
	return n + tl + 2;
}

/* Our SDP answer to the description in body b (the UA's offer). */
static int sdp_answer(struct fdlg *d, struct vox_slice b, uint8_t flags, char *out, size_t cap)
{
	struct vox_sdp_local l;
	struct vox_sdp_session s;
	struct vox_sdp_fail why;
	const struct vox_rng rng = {frng_fn, &peer_rng};
	if (!b.len || vox_sdp_parse(b.p, b.len, &sdp, NULL) < 0)
		return -1;
	vox_sdp_local_init(&l, vox_slice_cstr("10.0.0.2"), 50000);
	l.dir = flags & 0x20 ? VOX_SDP_RECVONLY : VOX_SDP_SENDRECV;
	if (!(flags & 0x40)) {
		l.n_suites = 1;
		l.suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	}
	int n = vox_sdp_oa_answer(&d->oa, &l, &sdp, &rng, out, cap, &s, &why);
	if (n >= 0)
		vox_sdp_session_free(&s);
	return n;
}

static int sdp_offer(struct fdlg *d, uint8_t flags, char *out, size_t cap)
{
	struct vox_sdp_local l;
	struct vox_sdp_fail why;
	const struct vox_rng rng = {frng_fn, &peer_rng};
	vox_sdp_local_init(&l, vox_slice_cstr("10.0.0.2"), 50000);
	/* flags (shared with the request's): 0x20 hold, 0x80 clear RTP
	 * only, else SDES keys, RTP/SAVP with 0x02 */
	l.dir = flags & 0x20 ? VOX_SDP_SENDONLY : VOX_SDP_SENDRECV;
	if (!(flags & 0x80)) {
		l.n_suites = 1;
		l.suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
		if (flags & 0x02)
			l.policy = VOX_SDP_POLICY_MANDATORY;
	}
	return vox_sdp_oa_offer(&d->oa, &l, &rng, out, cap, &why);
}

/* The body of the UA's newest message in dialog d that carried one. */
static struct vox_slice ua_body(const struct fdlg *d)
{
	for (unsigned i = 0; i < NREC; i++) {
		struct rec *r = ua_rec(i);
		if (!r)
			break;
		if (vox_sip_parse(&m2, r->msg, r->len, VOX_SIP_DATAGRAM, NULL) < 0)
			continue;
		if (m2.body.len &&
		    vox_slice_eq(hval(&m2, VOX_SIP_H_CALL_ID), vox_slice_cstr(d->call_id)))
			return m2.body;
	}
	return mk(NULL, 0);
}

static int challenge(int alg_pick, int stale, char *out, size_t cap)
{
	static const enum vox_digest_alg algs[] = {VOX_DIGEST_SHA256, VOX_DIGEST_MD5,
	                                           VOX_DIGEST_SHA512_256, VOX_DIGEST_MD5_SESS};
	const struct vox_rng rng = {frng_fn, &peer_rng};
	int n = vox_digest_challenge_print(&registrar, algs[alg_pick & 3], stale, mk(NULL, 0),
	                                   mk(NULL, 0), now, &rng, out, cap);
	struct vox_sip_auth a;
	if (n <= 0 || vox_sip_auth_parse(&a, mk(out, (size_t)n), NULL))
		abort();
	if (a.nonce.len < sizeof nonce) {
		memcpy(nonce, a.nonce.p, a.nonce.len);
		nonce_len = a.nonce.len;
	}
	return n;
}

/* The i-th newest request of the UA with a method (0: any but ACK). */
static struct rec *ua_request(uint8_t k, enum vox_sip_method method)
{
	unsigned n = 0;
	struct rec *cand[NREC];
	for (unsigned i = 0; i < NREC; i++) {
		struct rec *r = ua_rec(i);
		if (!r)
			break;
		if (vox_sip_parse(&m1, r->msg, r->len, VOX_SIP_DATAGRAM, NULL) < 0 || m1.status ||
		    m1.method_id == VOX_SIP_ACK || (method && m1.method_id != method))
			continue;
		cand[n++] = r;
	}
	if (!n)
		return NULL;
	struct rec *r = cand[k % n];
	if (vox_sip_parse(&m1, r->msg, r->len, VOX_SIP_DATAGRAM, NULL) < 0)
		abort();
	return r;
}

static void respond(const uint8_t *p, size_t n)
{
	static const unsigned codes[] = {100, 180, 183, 200, 200, 302, 401, 407,
	                                 408, 423, 481, 486, 487, 491, 500, 503};
	uint8_t b0 = n > 0 ? p[0] : 0, b1 = n > 1 ? p[1] : 0, flags = n > 2 ? p[2] : 0;
	int mode = n > 3 ? p[3] % 3 : 0;
	const uint8_t *tail = n > 4 ? p + 4 : NULL;
	size_t tl = n > 4 ? n - 4 : 0;
	struct rec *r = ua_request(b1, 0);
	if (!r)
		return;
	unsigned status = codes[b0 & 15];
	struct vox_sip_hdr_out h[4];
	size_t nh = 0;
	char tag[8] = "fta", contact[160], chal[512], cv[400];
	tag[2] = (char)('a' + (flags & 3));
	int peer = r->peer.tp == VOX_TP_TLS;
	int invite = m1.method_id == VOX_SIP_INVITE;
	struct vox_slice ctype = mk(NULL, 0), b = mk(NULL, 0);
	struct fdlg *d = dlg_find(hval(&m1, VOX_SIP_H_CALL_ID));
	snprintf(contact, sizeof contact, "<%s>", peer_uri[peer]);
	if (invite && status > 100 && status < 300 && !(flags & 4))
		h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr(contact)};
	if (invite && status > 100 && status < 300 && (flags & 8))
		h[nh++] = (struct vox_sip_hdr_out){
		    "Record-Route",
		    vox_slice_cstr(peer ? "<sips:10.0.0.3:5061;lr>" : "<sip:10.0.0.2:5060;lr>")};
	if (status == 302)
		h[nh++] =
		    (struct vox_sip_hdr_out){"Contact", vox_slice_cstr("<sip:carol@10.0.0.2>")};
	if (status == 401 || status == 407) {
		int cl = challenge(flags >> 4, flags & 0x40, chal, sizeof chal);
		h[nh++] = (struct vox_sip_hdr_out){status == 401 ? "WWW-Authenticate"
		                                                 : "Proxy-Authenticate",
		                                   mk(chal, (size_t)cl)};
	}
	if (status == 423)
		h[nh++] = (struct vox_sip_hdr_out){"Min-Expires",
		                                   vox_slice_cstr(flags & 0x10 ? "7200" : "1800")};
	if (status == 491 || status == 503)
		h[nh++] = (struct vox_sip_hdr_out){"Retry-After", vox_slice_cstr("1")};
	if (status == 200 && m1.method_id == VOX_SIP_REGISTER) {
		static const char *const exp[] = {"3600", "120", "30", "1"};
		struct vox_slice c = hval(&m1, VOX_SIP_H_CONTACT);
		if (c.p && !(flags & 4)) {
			snprintf(cv, sizeof cv, "%.*s;expires=%s", (int)c.len, c.p,
			         exp[(flags >> 4) & 3]);
			h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr(cv)};
		}
	}
	if (mode == 2) {
		b = mk((const char *)tail, tl);
		ctype = vox_slice_cstr("application/sdp");
		tainted = 1;
	} else if (invite &&
	           (status == 183 || status == 200 || (status == 180 && (flags & 0x80))) && d &&
	           m1.body.len) {
		int bl = sdp_answer(d, m1.body, flags, body, sizeof body);
		if (bl > 0) {
			b = mk(body, (size_t)bl);
			ctype = vox_slice_cstr("application/sdp");
		}
		/* the parse of the offer reused nothing of m1: it is intact */
	}
	int len = vox_sip_build_response(&m1, NULL, status, NULL, vox_slice_cstr(tag), h, nh, ctype,
	                                 b, buf, sizeof buf);
	if (len < 0)
		return;
	/* the peer's side of the dialog: the To with our tag */
	if (d && status > 100 && status < 300 && !has_tag(hval(&m1, VOX_SIP_H_TO)) &&
	    vox_sip_parse(&m2, buf, (size_t)len, VOX_SIP_DATAGRAM, NULL) >= 0)
		(void)copy_cstr(d->peer_hdr, sizeof d->peer_hdr, hval(&m2, VOX_SIP_H_TO));
	size_t total = splice((size_t)len, mode, tail, tl);
	struct vox_peer from = r->peer;
	deliver(buf, total, &from);
}

/* A REGISTER answered as a registrar would (RFC 3261 10.3). */
static void registrar_step(const uint8_t *p, size_t n)
{
	uint8_t b0 = n > 0 ? p[0] : 0, flags = n > 1 ? p[1] : 0;
	struct rec *r = ua_request(b0, VOX_SIP_REGISTER);
	if (!r)
		return;
	struct vox_sip_hdr_out h[2];
	size_t nh = 0;
	char chal[512], cv[400], minexp[16];
	unsigned status = 200;
	int verdict = VOX_EAUTH;
	const struct vox_sip_header *ah = vox_sip_find(&m1, VOX_SIP_H_AUTHORIZATION);
	struct vox_sip_auth cr;
	if (ah && vox_sip_auth_parse(&cr, ah->value, NULL) == 0) {
		char user[64];
		struct vox_digest_cred secret;
		int ul = vox_digest_username(&cr, user, sizeof user, NULL);
		struct vox_digest_req req = {m1.method, m1.uri, m1.body};
		if (ul >= 0 && user_secret(mk(user, (size_t)ul), &secret))
			verdict = vox_digest_server_verify(&registrar, &cr, &secret, &req,
			                                   mk(NULL, 0), now, NULL, NULL);
	}
	uint64_t expires = 3600;
	struct vox_slice eh = hval(&m1, VOX_SIP_H_EXPIRES);
	if (eh.p && vox_sip_uint_parse(eh, UINT32_MAX, &expires, NULL))
		expires = 3600;
	if (verdict == VOX_EMALFORMED) {
		status = 400;
	} else if (verdict != 0) {
		int cl = challenge(flags, verdict == VOX_EKEYEXPIRED, chal, sizeof chal);
		h[nh++] = (struct vox_sip_hdr_out){"WWW-Authenticate", mk(chal, (size_t)cl)};
		status = 401;
	} else if (expires && expires < 1800 && (flags & 0x80)) {
		snprintf(minexp, sizeof minexp, "1800");
		h[nh++] = (struct vox_sip_hdr_out){"Min-Expires", vox_slice_cstr(minexp)};
		status = 423;
	} else {
		struct vox_slice c = hval(&m1, VOX_SIP_H_CONTACT);
		if (c.p && expires) {
			snprintf(cv, sizeof cv, "%.*s;expires=%u", (int)c.len, c.p,
			         (unsigned)expires);
			h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr(cv)};
		}
	}
	int len = vox_sip_build_response(&m1, NULL, status, NULL, vox_slice_cstr("reg1"), h, nh,
	                                 mk(NULL, 0), mk(NULL, 0), buf, sizeof buf);
	if (len > 0) {
		struct vox_peer from = r->peer;
		deliver(buf, (size_t)len, &from);
	}
}

enum {
	Q_INVITE,
	Q_REINVITE,
	Q_ACK,
	Q_ACK_NON2XX,
	Q_BYE,
	Q_CANCEL,
	Q_OPTIONS,
	Q_OPTIONS_DLG,
	Q_INFO,
	Q_UPDATE,
	Q_MESSAGE,
	Q_PRACK,
	Q_BYE_NODLG,
	Q_INVITE_REPEAT,
	Q_COUNT
};

static void request(const uint8_t *p, size_t n)
{
	uint8_t b0 = n > 0 ? p[0] : 0, b1 = n > 1 ? p[1] : 0, flags = n > 2 ? p[2] : 0;
	int mode = n > 3 ? p[3] % 3 : 0;
	const uint8_t *tail = n > 4 ? p + 4 : NULL;
	size_t tl = n > 4 ? n - 4 : 0;
	int q = b0 % Q_COUNT;
	struct fdlg *d = NULL;
	struct vox_sip_hdr_out h[10];
	size_t nh = 0;
	char via[96], cseq[40], contact[64], from[320], to[320], cid[96], uri[200];
	static char pad_via[1700];
	size_t pad = n > 3 ? (size_t)(p[3] >> 2) * 24 : 0;
	const char *method = "INVITE";
	struct vox_slice b = mk(NULL, 0);
	int peer = flags & 1;
	int len = -1;

	if (q == Q_CANCEL) {
		/* 9.1: our last INVITE's Request-URI, Call-ID, From, To, CSeq and Via */
		d = dlg_pick(b1);
		if (!d || !d->inv_len ||
		    vox_sip_parse(&m1, d->inv, d->inv_len, VOX_SIP_DATAGRAM, NULL) < 0)
			return;
		len = vox_sip_build_cancel(&m1, buf, sizeof buf);
		if (len < 0)
			return;
		size_t total = splice((size_t)len, mode, tail, tl);
		remember_sent(buf, total, d->peer);
		deliver(buf, total, &peers[d->peer]);
		return;
	}
	if (q == Q_INVITE_REPEAT) {
		/* our last INVITE, again: a retransmission */
		d = dlg_pick(b1);
		if (!d || !d->inv_len)
			return;
		deliver(d->inv, d->inv_len, &peers[d->peer]);
		return;
	}
	snprintf(via, sizeof via, "%s;branch=z9hG4bKfz%u%s", peer_via[peer], ++counter,
	         flags & 2 ? "" : ";rport");
	if (q == Q_INVITE || q == Q_OPTIONS || q == Q_BYE_NODLG) {
		/* a new dialog (or none): our Call-ID and From tag */
		if (q == Q_INVITE) {
			d = dlg_new();
			d->peer = peer;
			d->cseq = flags & 0x10 ? 4294967290u : 1u; /* near the top: 8.1.1.5 */
		}
		snprintf(cid, sizeof cid, "fz%u.%u@%s", b1, counter,
		         peer ? "10.0.0.3" : "10.0.0.2");
		snprintf(from, sizeof from, "<%s>;tag=pt%u", peer_uri[peer], counter);
		snprintf(to, sizeof to, "<%s:alice@10.0.0.1>", peer ? "sips" : "sip");
		snprintf(uri, sizeof uri, "%s:alice@10.0.0.1:5060", peer ? "sips" : "sip");
		if (d) {
			snprintf(d->call_id, sizeof d->call_id, "%s", cid);
			snprintf(d->peer_hdr, sizeof d->peer_hdr, "%s", from);
			snprintf(d->ua_hdr, sizeof d->ua_hdr, "%s", to);
			snprintf(d->target, sizeof d->target, "%s", uri);
		}
		method = q == Q_INVITE ? "INVITE" : q == Q_OPTIONS ? "OPTIONS" : "BYE";
		snprintf(cseq, sizeof cseq, "%u %s", d ? d->cseq : 7u, method);
	} else {
		d = dlg_pick(b1);
		if (!d)
			return;
		peer = flags & 0x08 ? !d->peer : d->peer;
		snprintf(via, sizeof via, "%s;branch=z9hG4bKfz%u;rport", peer_via[peer], counter);
		snprintf(cid, sizeof cid, "%s", d->call_id);
		snprintf(from, sizeof from, "%s", d->peer_hdr);
		snprintf(to, sizeof to, "%s", d->ua_hdr);
		snprintf(uri, sizeof uri, "%s",
		         d->target[0] ? d->target : "sip:alice@10.0.0.1:5060");
		static const char *const names[Q_COUNT] = {
		    "INVITE",  "INVITE", "ACK",    "ACK",     "BYE",   "CANCEL", "OPTIONS",
		    "OPTIONS", "INFO",   "UPDATE", "MESSAGE", "PRACK", "BYE",    "INVITE"};
		method = names[q];
		uint32_t seq;
		if (q == Q_ACK || q == Q_ACK_NON2XX) {
			seq = d->inv_cseq;
		} else if (flags & 0x10) {
			seq = d->cseq; /* an old CSeq: out of order (12.2.2) */
		} else {
			seq = ++d->cseq;
		}
		snprintf(cseq, sizeof cseq, "%u %s", seq, method);
		if (q == Q_REINVITE)
			d->inv_cseq = seq;
		if (q == Q_ACK_NON2XX && d->inv_len &&
		    vox_sip_parse(&m1, d->inv, d->inv_len, VOX_SIP_DATAGRAM, NULL) >= 0) {
			/* 17.1.1.3: the INVITE's branch and Request-URI */
			struct vox_slice v = hval(&m1, VOX_SIP_H_VIA);
			if (copy_cstr(via, sizeof via, v) || copy_cstr(uri, sizeof uri, m1.uri))
				return;
		}
	}
	if (q == Q_INVITE)
		d->inv_cseq = d->cseq;
	snprintf(contact, sizeof contact, "<%s>", peer_uri[peer]);
	h[nh++] = (struct vox_sip_hdr_out){"Via", vox_slice_cstr(via)};
	if (pad) {
		/* a proxy's Via with a long parameter: every response echoes
		 * it, so responses can grow past what a transaction holds */
		int k =
		    snprintf(pad_via, sizeof pad_via, "SIP/2.0/UDP 10.0.0.9;branch=z9hG4bKpad;x=");
		memset(pad_via + k, 'a', pad);
		pad_via[(size_t)k + pad] = 0;
		h[nh++] = (struct vox_sip_hdr_out){"Via", vox_slice_cstr(pad_via)};
	}
	h[nh++] = (struct vox_sip_hdr_out){"Max-Forwards", vox_slice_cstr("70")};
	h[nh++] = (struct vox_sip_hdr_out){"From", vox_slice_cstr(from)};
	h[nh++] = (struct vox_sip_hdr_out){"To", vox_slice_cstr(to)};
	h[nh++] = (struct vox_sip_hdr_out){"Call-ID", vox_slice_cstr(cid)};
	h[nh++] = (struct vox_sip_hdr_out){"CSeq", vox_slice_cstr(cseq)};
	int invite = q == Q_INVITE || q == Q_REINVITE;
	if (invite && !(flags & 4))
		h[nh++] = (struct vox_sip_hdr_out){"Contact", vox_slice_cstr(contact)};
	if (q == Q_INVITE && (flags & 0x20))
		h[nh++] = (struct vox_sip_hdr_out){"Record-Route",
		                                   vox_slice_cstr("<sip:10.0.0.9:5060;lr>")};
	if (mode == 2) {
		b = mk((const char *)tail, tl);
		tainted = 1;
	} else if (invite && d && !(flags & 0x40)) {
		int bl = sdp_offer(d, flags, body, sizeof body);
		if (bl > 0)
			b = mk(body, (size_t)bl);
	} else if (q == Q_ACK && d && (flags & 0x40)) {
		/* the answer to an offer the UA made in its 2xx (13.2.1) */
		int bl = sdp_answer(d, ua_body(d), flags, body, sizeof body);
		if (bl > 0)
			b = mk(body, (size_t)bl);
	}
	struct vox_sip_request_spec s = {vox_slice_cstr(method),
	                                 vox_slice_cstr(uri),
	                                 h,
	                                 nh,
	                                 b.len ? vox_slice_cstr("application/sdp") : mk(NULL, 0),
	                                 b};
	len = vox_sip_build_request(&s, buf, sizeof buf);
	if (len < 0)
		return;
	size_t total = splice((size_t)len, mode, tail, tl);
	if (invite && d && total <= sizeof d->inv) {
		memcpy(d->inv, buf, total);
		d->inv_len = (uint16_t)total;
	}
	remember_sent(buf, total, peer);
	deliver(buf, total, &peers[peer]);
}

/* The registrar's verifier on its own: an Authorization value. */
static void verify(const uint8_t *p, size_t n)
{
	size_t len = 0;
	for (size_t i = 0; i < n && len + sizeof nonce < sizeof tmp; i++) {
		if (p[i] == '$' && i + 1 < n && p[i + 1] == 'N') {
			memcpy(tmp + len, nonce, nonce_len);
			len += nonce_len;
			i++;
		} else {
			tmp[len++] = (char)p[i];
		}
	}
	char *v = malloc(len ? len : 1); /* exact size: ASan sees an over-read */
	if (!v)
		abort();
	memcpy(v, tmp, len);
	struct vox_sip_auth cr;
	if (vox_sip_auth_parse(&cr, mk(v, len), NULL) == 0) {
		struct vox_digest_cred secret;
		struct vox_diag dg = {0, NULL};
		struct vox_digest_info info;
		user_secret(vox_slice_cstr("alice"), &secret);
		struct vox_digest_req req = {{"REGISTER", 8}, {"sip:10.0.0.2:5060", 17}, {"", 0}};
		int rc = vox_digest_server_verify(&registrar, &cr, &secret, &req, mk(NULL, 0), now,
		                                  &info, &dg);
		if (rc < 0 && rc != VOX_EINVAL && (!dg.what || dg.off > len))
			abort();
		if (rc == 0 && (!info.issued_ms || info.issued_ms > now))
			abort();
	}
	free(v);
}

/* The application answers one of the UA's name questions (RFC 3263). */
static void answer(uint8_t b1, uint8_t b2, const uint8_t *tail, size_t tl)
{
	static const struct vox_ua_target known[4] = {
	    {VOX_TP_UDP, {4, {10, 0, 0, 2}, 5060}},
	    {VOX_TP_TLS, {4, {10, 0, 0, 3}, 5061}},
	    {VOX_TP_UDP, {4, {10, 0, 0, 9}, 5060}}, /* nobody there */
	    {VOX_TP_TCP, {4, {10, 0, 0, 2}, 5060}},
	};
	struct vox_ua_target t[8];
	size_t nt = b2 & 7;
	int valid = 1;
	unsigned kept = nquestions < 4 ? nquestions : 4;
	if (!kept)
		return;
	const struct vox_ua_resolve *q = &questions[(nquestions - 1 - (b1 & 3) % kept) % 4];
	uint32_t id = b1 & 4 ? q->id | 0x80000000u : q->id; /* ids count up from 1 */
	for (size_t k = 0; k < nt; k++) {
		uint8_t b = k < tl ? tail[k] : (uint8_t)k;
		t[k] = known[b & 3];
		if (b & 0x80) {
			t[k].addr.port = 0;
			valid = 0;
		}
		if ((q->tp_given && t[k].tp != q->tp) || (q->sips && t[k].tp != VOX_TP_TLS))
			valid = 0;
	}
	int rc = vox_ua_resolved(&ua, id, t, nt, now);
	if (trace)
		fprintf(stderr, "[%llu] resolved %u: %zu targets: %d\n", (unsigned long long)now,
		        id, nt, rc);
	if (rc == 0 && (nt > VOX_UA_MAX_TARGETS || !valid || (b1 & 4)))
		abort(); /* took what it must refuse */
	if (rc == VOX_ELIMIT && nt <= VOX_UA_MAX_TARGETS)
		abort();
	if (rc != 0 && rc != VOX_ENOTFOUND && rc != VOX_ELIMIT && rc != VOX_EINVAL)
		abort();
	if (rc == 0 && vox_ua_resolved(&ua, id, t, nt, now) != VOX_ENOTFOUND)
		abort(); /* answered once only */
}

static void action(const uint8_t *p, size_t n)
{
	static const char *const targets[] = {"sip:bob@10.0.0.2:5060",
	                                      "sips:bob@10.0.0.3:5061",
	                                      "sip:bob@10.0.0.3:5061;transport=tls",
	                                      "sip:bob@example.com",
	                                      "sip:bob@10.0.0.2;transport=tcp",
	                                      "sips:bob@secure.example",
	                                      "sip:bob@example.com:5070",
	                                      "sip:bob@proxy.example;transport=tcp"};
	static const unsigned refusals[] = {486, 603, 480, 404, 500, 488, 200, 199};
	uint8_t b0 = n > 0 ? p[0] : 0, b1 = n > 1 ? p[1] : 0, b2 = n > 2 ? p[2] : 0;
	vox_ua_handle h = handle_pick(b1);
	vox_ua_handle acct = accounts[b1 & 1];
	switch (b0 % 10) {
	case 0: {
		vox_ua_handle c = 0;
		vox_ua_handle a = b2 & 0x10 ? accounts[(b2 >> 5) & 1] : 0;
		if (vox_ua_call(&ua, vox_slice_cstr(targets[b2 % 8]), a, &media_at, now, &c) == 0)
			handle_add(c);
		break;
	}
	case 1: (void)!vox_ua_ring(&ua, h, now); break;
	case 2: (void)!vox_ua_answer(&ua, h, &media_at, now); break;
	case 3: (void)!vox_ua_reject(&ua, h, refusals[b2 & 7], now); break;
	case 4: (void)!vox_ua_hangup(&ua, h, now); break;
	case 5: (void)!vox_ua_hold(&ua, h, 1, now); break;
	case 6: (void)!vox_ua_hold(&ua, h, 0, now); break;
	case 7: (void)!vox_ua_register(&ua, acct, now); break;
	case 8: (void)!vox_ua_unregister(&ua, acct, now); break;
	default:
		if ((b2 & 0xc0) == 0x40) {
			answer(b1, b2, p + 3, n > 3 ? n - 3 : 0);
			break;
		}
		if (b2 & 0x80) {
			/* the transport could not send one of the latest outputs */
			unsigned kept = nout_ids < 8 ? nout_ids : 8;
			if (kept)
				vox_ua_transport_error(
				    &ua, out_ids[(nout_ids - 1 - (b1 & 7) % kept) % 8], now);
			break;
		}
		(void)!vox_ua_set_contact(&ua, vox_slice_cstr(b2 & 1 ? "10.0.0.1" : "10.0.1.1"),
		                          (uint16_t)(b2 & 2 ? 5061 : 5060),
		                          b2 & 4 ? VOX_TP_TLS : VOX_TP_UDP, now);
		break;
	}
}

/* ---- media ------------------------------------------------------------------------------- */

static const struct vox_addr peer_media = {4, {10, 0, 0, 2}, 50000};
static const struct vox_addr stranger = {4, {10, 0, 0, 9}, 50000};
static int16_t frame[VOX_G711_FRAME];                                  /* the application's tone */
static uint8_t frame_ulaw[VOX_G711_FRAME], frame_alaw[VOX_G711_FRAME]; /* as encoded */
static uint8_t last_dgram[VOX_MEDIA_MAX_PACKET];
static size_t last_len;
/* the peer's sender: one SRTP context, for the call and key it was made for */
static struct {
	vox_ua_handle h;
	struct vox_srtp_key key;
	struct vox_srtp_session s;
	uint16_t seq;
	uint32_t ts, ssrc, ctx_ssrc;
} ptx;

static void ptx_free(void)
{
	vox_srtp_session_free(&ptx.s);
	vox_wipe(&ptx.key, sizeof ptx.key);
	ptx.h = 0;
}

/* A datagram for call h; what the UA refuses must change nothing. */
static void media_in(vox_ua_handle h, const uint8_t *p, size_t n, const struct vox_addr *from)
{
	const struct vox_media *m = vox_ua_media_get(&ua, h);
	uint64_t b[3] = {0, 0, 0};
	if (m) {
		b[0] = m->st.rtp_accepted;
		b[1] = m->st.rtcp_accepted;
		b[2] = m->jb.st.received;
	}
	int rc = vox_ua_media_recv(&ua, h, p, n, from, now);
	if (trace)
		fprintf(stderr, "[%llu] >media %x %zu bytes (%d)\n", (unsigned long long)now, h, n,
		        rc);
	if (rc > 0 && rc != VOX_DEMUX_STUN && rc != VOX_DEMUX_ZRTP && rc != VOX_DEMUX_DTLS &&
	    rc != VOX_DEMUX_TURN)
		abort();
	if (rc < 0 && m &&
	    (m->st.rtp_accepted != b[0] || m->st.rtcp_accepted != b[1] ||
	     m->jb.st.received != b[2]))
		abort(); /* refused, yet taken: it could be played */
	if (n <= sizeof last_dgram) {
		memcpy(last_dgram, p, n);
		last_len = n;
	}
}

/* Every media packet the UA sends. */
static void check_media_out(const uint8_t *p, size_t n, vox_ua_handle who,
                            const struct vox_media_dest *to)
{
	static struct vox_rtcp_compound comp;
	enum vox_demux_kind k = vox_demux_classify(p, n);
	if (n > VOX_MEDIA_OUT_MAX || !who)
		abort();
	if (k == VOX_DEMUX_ZRTP) {
		/* the key agreement: allowed under every policy, and well formed */
		static struct vox_zrtp_packet zp;
		if (!(ua.cfg.key_methods & VOX_SDP_KEY_ZRTP) ||
		    vox_zrtp_parse(p, n, &zp, NULL) != (int)n)
			abort();
		if (trace)
			fprintf(stderr, "[%llu] media> %x %zu bytes zrtp %.8s\n",
			        (unsigned long long)now, who, n, vox_zrtp_msg_block(zp.type));
		return;
	}
	if (k != VOX_DEMUX_RTP && k != VOX_DEMUX_RTCP)
		abort();
	if (!ua.dropped_events && ncalls < NCALLS && !handle_find(who))
		abort(); /* media of a call nobody heard of */
	/* the peer's SDP names 10.0.0.2:50000, with rtcp-mux */
	if (!tainted && (to->addr.family != 4 || memcmp(to->addr.ip, peer_media.ip, 4) != 0 ||
	                 to->addr.port < 50000 || to->addr.port > 50001))
		abort();
	if (trace)
		fprintf(stderr, "[%llu] media> %x %zu bytes %s\n", (unsigned long long)now, who, n,
		        vox_demux_name(k));
	if (ua.cfg.policy != VOX_SDP_POLICY_MANDATORY)
		return;
	/* mandatory: not one clear packet, ever */
	if (k == VOX_DEMUX_RTCP) {
		if (vox_rtcp_parse(p, n, 0, &comp, NULL) == (int)n)
			abort();
		return;
	}
	struct vox_rtp_packet pkt;
	if (vox_rtp_parse(p, n, &pkt, NULL) >= 0 &&
	    (pkt.payload_len == VOX_G711_FRAME || pkt.payload_len == VOX_DTMF_PAYLOAD))
		abort();
	for (size_t i = 0; i + VOX_G711_FRAME <= n; i++)
		if (memcmp(p + i, frame_ulaw, VOX_G711_FRAME) == 0 ||
		    memcmp(p + i, frame_alaw, VOX_G711_FRAME) == 0)
			abort(); /* the application's audio in clear */
}

static void drain_media(void)
{
	static uint32_t out[VOX_MEDIA_OUT_MAX / 4 + 1];
	struct vox_media_dest to;
	vox_ua_handle who;
	int n;
	while ((n = vox_ua_media_poll_output(&ua, (uint8_t *)out, sizeof out, &who, &to)) != 0) {
		if (n < 0)
			abort(); /* the buffer is big enough and aligned */
		check_media_out((const uint8_t *)out, (size_t)n, who, &to);
	}
}

/* An RTP packet as the peer sends it on call h. */
static void media_rtp(vox_ua_handle h, const uint8_t *p, size_t n, const struct vox_addr *from)
{
	uint8_t flags = n > 1 ? p[1] : 0, step = n > 2 ? p[2] : 1;
	static uint8_t pay[VOX_JB_MAX_FRAME], pkt[VOX_MEDIA_MAX_PACKET];
	static uint32_t prot[VOX_MEDIA_MAX_PACKET / 4 + 8];
	size_t pl = n > 3 ? n - 3 : 0;
	if (pl > sizeof pay)
		pl = sizeof pay;
	if (pl)
		memcpy(pay, p + 3, pl);
	else
		memcpy(pay, frame_ulaw, pl = VOX_G711_FRAME);
	if (flags & 8)
		ptx.ssrc += 0x10001;
	ptx.seq = (uint16_t)(ptx.seq + (int8_t)step);
	ptx.ts += 160;
	struct vox_rtp_packet r;
	vox_rtp_packet_init(&r);
	r.pt = flags & 1 ? 101 : 0;
	r.marker = (flags >> 1) & 1;
	r.seq = ptx.seq;
	r.ts = ptx.ts;
	r.ssrc = ptx.ssrc;
	r.payload = pay;
	r.payload_len = flags & 1 ? 4 : pl;
	int len = vox_rtp_print(&r, pkt, sizeof pkt);
	if (len < 0)
		return;
	const struct vox_ua_call *c = vox_ua_call_get(&ua, h);
	const struct vox_media *me = vox_ua_media_get(&ua, h);
	if ((flags & 4) && c && c->have_media && c->media.prot == VOX_SDP_PROT_SDES && me &&
	    me->have_keys) {
		/* SRTP under the key the call's engine takes from the peer:
		 * past the checks, into the RTP session */
		const struct vox_srtp_key *k = &me->keys.rx;
		if (ptx.h != h || ptx.ctx_ssrc != ptx.ssrc || memcmp(&ptx.key, k, sizeof *k) != 0) {
			ptx_free();
			vox_srtp_session_init(&ptx.s);
			if (vox_srtp_session_start(&ptx.s, VOX_SRTP_SEND, k, ptx.ssrc, 0) < 0)
				return;
			ptx.key = *k;
			ptx.h = h;
			ptx.ctx_ssrc = ptx.ssrc;
		}
		len = vox_srtp_session_protect(&ptx.s, pkt, (size_t)len, (uint8_t *)prot,
		                               sizeof prot);
		if (len < 0)
			return;
		media_in(h, (const uint8_t *)prot, (size_t)len, from);
		return;
	}
	media_in(h, pkt, (size_t)len, from);
}

static void media_step(uint8_t op, const uint8_t *p, size_t n)
{
	vox_ua_handle h = handle_pick(n ? p[0] : 0);
	uint8_t b1 = n > 1 ? p[1] : 0, b2 = n > 2 ? p[2] : 0;
	const struct vox_addr *from = op & 0x08 ? &stranger : &peer_media;
	switch (op & 0x30) {
	case 0x10: media_rtp(h, p, n, from); break;
	case 0x20:
		if (b1 & 0x80) {
			static uint8_t again[sizeof last_dgram];
			size_t len = last_len;
			memcpy(again, last_dgram, len);
			if ((b1 & 0x7f) && len)
				again[((b1 & 0x7f) * 7u / 8u) % len] ^= (uint8_t)(1u << (b1 & 7));
			media_in(h, again, len, from);
		} else {
			tainted = 1;
			media_in(h, n > 2 ? p + 2 : p, n > 2 ? n - 2 : 0, from);
		}
		break;
	default: {
		int16_t out[VOX_JB_MAX_FRAME];
		switch (b1 & 3) {
		case 0: (void)!vox_ua_send_pcm(&ua, h, frame, VOX_G711_FRAME, now); break;
		case 1:
			if (vox_ua_play(&ua, h, out, VOX_JB_MAX_FRAME, now) > VOX_JB_MAX_FRAME)
				abort();
			break;
		case 2:
			(void)!vox_ua_send_dtmf(&ua, h, "0123456789*#ABCD"[b2 & 15], 100, now);
			break;
		default: (void)!vox_ua_rekey(&ua, h, now); break;
		}
		break;
	}
	}
}

/* ---- setup and the end -------------------------------------------------------------------- */

static struct vox_zrtp_cache zcache; /* the UA's retained secrets, per input */

static int setup(const uint8_t *hdr)
{
	memset(dl, 0, sizeof dl);
	nuaout = nsent = ndl_next = counter = 0;
	ncalls = 0;
	nout_ids = 0;
	nquestions = 0;
	now = 1000;
	tainted = 0;
	nonce_len = 0;
	last_len = 0;
	ptx_free();
	ptx.seq = (uint16_t)(hdr[1] * 257u);
	ptx.ts = 0;
	ptx.ssrc = 0x5eed0000u | hdr[1];
	ua_rng = (struct frng){0x9e3779b97f4a7c15ULL ^ hdr[1], 0, hdr[2]};
	peer_rng = (struct frng){0x0123456789abcdefULL ^ hdr[1], 0, 0};
	vox_digest_server_init(&registrar, reg_key, vox_slice_cstr("vox.example"), 30000);
	struct vox_ua_config cfg;
	memset(&cfg, 0, sizeof cfg);
	cfg.aor = vox_slice_cstr("sip:alice@10.0.0.1");
	cfg.display_name = vox_slice_cstr("Alice");
	cfg.host = vox_slice_cstr("10.0.0.1");
	cfg.port = 5060;
	cfg.transport = hdr[0] & 0x10 ? VOX_TP_TLS : VOX_TP_UDP;
	if (hdr[0] & 0x20)
		cfg.outbound = peers[0];
	if (hdr[0] & 0x40)
		cfg.timers.t1 = 100;
	cfg.rng = (struct vox_rng){frng_fn, &ua_rng};
	cfg.key_methods = VOX_SDP_KEY_SDES | (hdr[1] & 0x80 ? VOX_SDP_KEY_ZRTP : 0u);
	memcpy(cfg.zrtp_zid, "fuzz-ua-zid0", sizeof cfg.zrtp_zid);
	cfg.zrtp_store = vox_zrtp_cache_store(&zcache);
	vox_zrtp_cache_init(&zcache);
	cfg.policy = (enum vox_sdp_policy)((hdr[0] & 3) % 3);
	cfg.allow_sdes_over_insecure_hops = (hdr[0] >> 2) & 1;
	cfg.accept_downgrade = (hdr[0] >> 3) & 1;
	cfg.tls_client_verifies = !(hdr[0] & 0x80);
	cfg.n_suites = 2;
	cfg.suites[0] = VOX_SRTP_AES_CM_128_HMAC_SHA1_80;
	cfg.suites[1] = VOX_SRTP_AES_CM_128_HMAC_SHA1_32;
	if (vox_ua_init(&ua, &cfg))
		abort();
	const struct vox_ua_account_cfg a0 = {vox_slice_cstr("sip:alice@10.0.0.2"),
	                                      vox_slice_cstr("sip:10.0.0.2:5060"),
	                                      vox_slice_cstr("alice"),
	                                      vox_slice_cstr("secret"),
	                                      600,
	                                      {NULL, 0},
	                                      VOX_DIGEST_MD5};
	const struct vox_ua_account_cfg a1 = {vox_slice_cstr("sips:carol@10.0.0.3"),
	                                      vox_slice_cstr("sips:10.0.0.3:5061"),
	                                      vox_slice_cstr("carol"),
	                                      vox_slice_cstr("wrong"),
	                                      60,
	                                      {NULL, 0},
	                                      VOX_DIGEST_MD5};
	accounts[0] = accounts[1] = 0;
	/* the rng may fail here too: then the account is simply missing */
	(void)!vox_ua_account_add(&ua, &a0, &accounts[0]);
	(void)!vox_ua_account_add(&ua, &a1, &accounts[1]);
	return 0;
}

/* Everyone hangs up and unregisters; 10 minutes pass with no input. */
static void finish(void)
{
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < ncalls; i++)
			(void)!vox_ua_hangup(&ua, calls[i].h, now);
		for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++) {
			/* calls we may not know the handle of (dropped events) */
			const struct vox_ua_call *c = &ua.calls[i];
			if (c->state != VOX_UA_CALL_FREE)
				(void)!vox_ua_hangup(
				    &ua, (vox_ua_handle)(i + 1) | (vox_ua_handle)c->gen << 16, now);
		}
		for (size_t i = 0; i < 2; i++) {
			const struct vox_ua_account *a = vox_ua_account_get(&ua, accounts[i]);
			if (a && a->state != VOX_UA_REG_IDLE)
				(void)!vox_ua_unregister(&ua, accounts[i], now);
		}
		drain();
		advance(now + 70000, 0);
	}
	advance(now + 600000, 0);
	drain();
	if (vox_ua_calls_active(&ua) != 0 || ua.txl.active != 0)
		abort(); /* a slot leaked */
	for (size_t i = 0; i < VOX_UA_MAX_CALLS; i++)
		if (ua.media[i].engine.state != VOX_MEDIA_IDLE ||
		    vox_media_srtp_contexts(&ua.media[i].engine) || ua.media[i].offer_len)
			abort(); /* media that outlived its call */
	if (ua.mout_len)
		abort(); /* drained above */
	for (size_t i = 0; i < VOX_UA_MAX_NAMES; i++)
		if (ua.names[i].state == VOX_UA_NAME_TO_ASK ||
		    ua.names[i].state == VOX_UA_NAME_ASKED)
			abort(); /* a question nobody answered must have run out */
	if (!ua.dropped_events && ncalls < NCALLS)
		for (size_t i = 0; i < ncalls; i++)
			if (!calls[i].ended)
				abort(); /* a call that never ended */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 3 || size > 8192)
		return 0;
	static int once;
	if (!once) {
		const char *e = getenv("FUZZ_UA_TRACE");
		trace = e ? e[0] - '0' : 0;
		uint32_t phase = 0;
		vox_tone_gen(frame, VOX_G711_FRAME, VOX_G711_RATE, 1000, 0, 8000, &phase);
		vox_g711_encode(VOX_G711_ULAW, frame, VOX_G711_FRAME, frame_ulaw);
		vox_g711_encode(VOX_G711_ALAW, frame, VOX_G711_FRAME, frame_alaw);
		once = 1;
	}
	setup(data);
	drain();
	size_t i = 3;
	while (i + 2 <= size) {
		uint8_t op = data[i];
		size_t len = data[i + 1];
		i += 2;
		if ((op & 0x40) && i < size) /* a long record: two length bytes */
			len |= (size_t)data[i++] << 8;
		size_t n = len <= size - i ? len : size - i;
		const uint8_t *p = data + i;
		i += n;
		switch (op & 7) {
		case 0:
			if (op & 0x30) {
				media_step(op, p, n);
				break;
			}
			tainted = 1;
			deliver((const char *)p, n, &peers[(op >> 3) & 1]);
			break;
		case 1: respond(p, n); break;
		case 2: request(p, n); break;
		case 3: {
			static const uint64_t scale[] = {10, 500, 4000, 60000};
			uint64_t t = n ? now + (uint64_t)(p[0] & 63) * scale[p[0] >> 6]
			               : vox_ua_next_deadline(&ua);
			if (t != UINT64_MAX)
				advance(t, op & 0x80);
			break;
		}
		case 4: action(p, n); break;
		case 5: registrar_step(p, n); break;
		case 6: verify(p, n); break;
		default:
			if (nsent) {
				unsigned k = (n ? p[0] : 0u) % (nsent < NSENT ? nsent : NSENT);
				struct rec *r = &sent[(nsent - 1 - k) % NSENT];
				deliver(r->msg, r->len, &r->peer);
			}
			break;
		}
		if (!(op & 0x80))
			drain();
		else
			check_pools();
	}
	drain();
	finish();
	for (size_t k = 0; k < NDLG; k++)
		vox_sdp_oa_free(&dl[k].oa);
	ptx_free();
	vox_ua_free(&ua);
	vox_digest_server_free(&registrar);
	return 0;
}
