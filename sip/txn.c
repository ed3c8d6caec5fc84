/* SPDX-License-Identifier: MIT */
/*
 * The transaction layer (RFC 3261 17, with the Accepted state of RFC 6026).
 *
 * Timers, by state (unreliable transport; over TCP/TLS the retransmission
 * timers are off and the waiting timers D, I, J, K are zero):
 *
 *   ICT  Calling     A: retransmit, T1 doubling   B: 64*T1 -> timeout
 *        Completed   D: 32 s, absorb retransmitted final responses (re-ACK)
 *        Accepted    M: 64*T1, pass 2xx retransmissions to the TU
 *   NICT Trying      E: retransmit, doubling to T2  F: 64*T1 -> timeout
 *        Proceeding  E: retransmit every T2         F
 *        Completed   K: T4
 *   IST  Proceeding  (100 Trying sent at once; last provisional resent)
 *        Completed   G: resend final, doubling to T2  H: 64*T1 -> no ACK
 *        Confirmed   I: T4
 *        Accepted    L: 64*T1, absorb INVITE retransmissions, pass ACKs
 *   NIST Trying / Proceeding / Completed  J: 64*T1
 */
#include <string.h>

#include "sip/sip_int.h"
#include "vox/sip_txn.h"

#define NEVER UINT64_MAX

/* ---- ids and keys ------------------------------------------------------- */

static vox_sip_txn_id make_id(const struct vox_sip_txl *t, const struct vox_sip_txn *x)
{
	return (vox_sip_txn_id)((size_t)(x - t->pool) + 1) | (vox_sip_txn_id)x->gen << 16;
}

static struct vox_sip_txn *lookup(const struct vox_sip_txl *t, vox_sip_txn_id id)
{
	size_t slot = (id & 0xffff);
	if (slot == 0 || slot > t->npool)
		return NULL;
	struct vox_sip_txn *x = &t->pool[slot - 1];
	if (x->state == VOX_TXN_FREE || x->gen != (uint16_t)(id >> 16))
		return NULL;
	return x;
}

const struct vox_sip_txn *vox_sip_txl_get(const struct vox_sip_txl *t, vox_sip_txn_id id)
{
	return lookup(t, id);
}

/* ---- matching (17.1.3, 17.2.3) --------------------------------------------- */

/* What a message is matched to a transaction on, written out in full:
 *   c  a response (17.1.3): the top Via's branch and the CSeq method;
 *   s  a request (17.2.3): branch, sent-by (host in lower case, port or 0)
 *      and method, an ACK counting as the INVITE it acknowledges;
 *   l  a request of an RFC 2543 peer (no magic cookie, 17.2.3): its
 *      Request-URI, From tag, Call-ID, CSeq number, top Via and method
 *      (the To tag of its ACK is checked apart).
 * Each field is written as its length, ':' and its bytes. A transaction
 * keeps these bytes and their hash: the hash finds a candidate quickly,
 * the bytes confirm it, so two messages whose hashes collide are never
 * taken for one transaction. */
struct match {
	uint64_t key;
	size_t len;
	char id[VOX_SIP_TXN_ID];
};

static void put_field(struct vox_writer *w, struct vox_slice s, int lower)
{
	vox_writer_put_u64(w, s.len);
	vox_writer_putc(w, ':');
	if (!lower) {
		vox_writer_put_slice(w, s);
		return;
	}
	for (size_t i = 0; i < s.len; i++) /* host names compare without case */
		vox_writer_putc(w, vox_lower(s.p[i]));
}

/* Closes mt: VOX_ETOOLONG when it did not fit VOX_SIP_TXN_ID. */
static int match_done(const struct vox_writer *w, struct match *mt)
{
	int n = vox_writer_finish(w);
	if (n < 0)
		return VOX_ETOOLONG;
	mt->len = (size_t)n;
	mt->key = 0xcbf29ce484222325ULL; /* FNV-1a */
	for (size_t i = 0; i < mt->len; i++) {
		mt->key ^= (unsigned char)mt->id[i];
		mt->key *= 0x100000001b3ULL;
	}
	return 0;
}

static int client_match(struct vox_slice branch, struct vox_slice method, struct match *mt)
{
	struct vox_writer w;
	vox_writer_init(&w, mt->id, sizeof mt->id);
	vox_writer_putc(&w, 'c');
	put_field(&w, branch, 0);
	put_field(&w, method, 0);
	return match_done(&w, mt);
}

/* method: the one the request is matched under (INVITE for an ACK, and
 * for the CANCEL whose INVITE is looked for). */
static int server_match(const struct vox_sip_msg *m, const struct vox_sip_via *v,
                        const struct vox_sip_cseq *cs, struct vox_slice method, struct match *mt)
{
	struct vox_writer w;
	vox_writer_init(&w, mt->id, sizeof mt->id);
	if (vox_sip_via_is_rfc3261(v) && v->branch.len > 7) {
		vox_writer_putc(&w, 's');
		put_field(&w, v->branch, 0);
		put_field(&w, v->host.name, 1);
		vox_writer_put_u64(&w, v->host.has_port ? v->host.port : 0);
		vox_writer_putc(&w, ':');
	} else {
		struct vox_sip_addr from;
		const struct vox_sip_header *f = vox_sip_find(m, VOX_SIP_H_FROM);
		const struct vox_sip_header *c = vox_sip_find(m, VOX_SIP_H_CALL_ID);
		vox_writer_putc(&w, 'l');
		put_field(&w, m->uri, 0);
		put_field(&w,
		          f && vox_sip_addr_parse(&from, f->value, NULL) == 0
		              ? from.tag
		              : vox_slice_make(NULL, 0),
		          0);
		put_field(&w, c ? c->value : vox_slice_make(NULL, 0), 0);
		vox_writer_put_u64(&w, cs->seq);
		vox_writer_putc(&w, ':');
		put_field(&w, vox_sip_find(m, VOX_SIP_H_VIA)->value, 0);
	}
	put_field(&w, method, 0);
	return match_done(&w, mt);
}

/* An ACK belongs to the INVITE transaction (17.2.3); CANCEL has its own. */
static struct vox_slice match_method(const struct vox_sip_msg *m)
{
	return m->method_id == VOX_SIP_ACK ? vox_slice_cstr("INVITE") : m->method;
}

static int same(const struct vox_sip_txn *x, const struct match *mt)
{
	return x->key == mt->key && x->idlen == mt->len && memcmp(x->id, mt->id, mt->len) == 0;
}

static void keep(struct vox_sip_txn *x, const struct match *mt)
{
	x->key = mt->key;
	x->idlen = (uint16_t)mt->len;
	memcpy(x->id, mt->id, mt->len);
}

static struct vox_slice to_tag(const struct vox_sip_msg *m)
{
	struct vox_sip_addr to;
	const struct vox_sip_header *h = vox_sip_find(m, VOX_SIP_H_TO);
	if (!h || vox_sip_addr_parse(&to, h->value, NULL))
		return vox_slice_make(NULL, 0);
	return to.tag;
}

/* ---- the layer ------------------------------------------------------------ */

void vox_sip_txl_init(struct vox_sip_txl *t, struct vox_sip_txn *pool, size_t n,
                      const struct vox_sip_timers *timers)
{
	memset(t, 0, sizeof *t);
	t->timers.t1 = timers && timers->t1 ? timers->t1 : 500;
	t->timers.t2 = timers && timers->t2 ? timers->t2 : 4000;
	t->timers.t4 = timers && timers->t4 ? timers->t4 : 5000;
	t->pool = pool;
	t->npool = n > 65535 ? 65535 : n;
	for (size_t i = 0; i < t->npool; i++) {
		pool[i].state = VOX_TXN_FREE;
		pool[i].gen = 1;
		pool[i].pending = 0;
	}
}

static void push_event(struct vox_sip_txl *t, enum vox_sip_txl_ev_type type,
                       const struct vox_sip_txn *x)
{
	if (t->ev_len == VOX_SIP_TXL_QUEUE) {
		t->dropped_events++;
		return;
	}
	struct vox_sip_txl_event *e = &t->evq[(t->ev_head + t->ev_len) % VOX_SIP_TXL_QUEUE];
	e->type = type;
	e->id = make_id(t, x);
	e->method = (enum vox_sip_method)x->method;
	e->status = x->status;
	t->ev_len++;
}

int vox_sip_txl_next_event(struct vox_sip_txl *t, struct vox_sip_txl_event *ev)
{
	if (!t->ev_len)
		return 0;
	*ev = t->evq[t->ev_head];
	t->ev_head = (uint16_t)((t->ev_head + 1) % VOX_SIP_TXL_QUEUE);
	t->ev_len--;
	return 1;
}

static void send_msg(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (!x->pending && x->len) {
		x->pending = 1;
		t->pending++;
	}
}

static void release(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (x->pending)
		t->pending--;
	x->pending = 0;
	x->state = VOX_TXN_FREE;
	x->gen = (uint16_t)(x->gen + 1 ? x->gen + 1 : 1);
	x->len = 0;
	t->active--;
}

static struct vox_sip_txn *alloc(struct vox_sip_txl *t, int server)
{
	if (server && t->npool - t->active <= t->reserve)
		return NULL;
	for (size_t i = 0; i < t->npool; i++) {
		struct vox_sip_txn *x = &t->pool[(t->cursor + i) % t->npool];
		if (x->state == VOX_TXN_FREE) {
			x->pending = 0;
			x->len = 0;
			x->status = 0;
			x->idlen = 0;
			x->t_retx = x->t_end = NEVER;
			t->active++;
			return x;
		}
	}
	return NULL;
}

static int store(struct vox_sip_txn *x, const char *msg, size_t len)
{
	if (len > sizeof x->msg)
		return VOX_ETOOLONG;
	memcpy(x->msg, msg, len);
	x->len = (uint16_t)len;
	return 0;
}

/* Status code of a response the TU gives us to send: "SIP/2.0 NNN ",
 * where SIP-Version may be in any case (RFC 3261 7.1), as the parser and
 * the peer read it. */
static unsigned status_of(const char *msg, size_t len)
{
	if (len < 12 || !sip_case_eq_lit(vox_slice_make(msg, 8), "SIP/2.0 ") ||
	    !vox_is_digit((unsigned char)msg[8]) || !vox_is_digit((unsigned char)msg[9]) ||
	    !vox_is_digit((unsigned char)msg[10]))
		return 0;
	unsigned s = (unsigned)((msg[8] - '0') * 100 + (msg[9] - '0') * 10 + (msg[10] - '0'));
	return s >= 100 && s <= 699 ? s : 0;
}

/* The top Via and the CSeq of a message: what matching needs (17.1.3,
 * 17.2.3). Returns 0 or VOX_EMALFORMED. */
static int top_via_cseq(const struct vox_sip_msg *m, struct vox_sip_via *v, struct vox_sip_cseq *cs)
{
	const struct vox_sip_header *vh = vox_sip_find(m, VOX_SIP_H_VIA);
	const struct vox_sip_header *ch = vox_sip_find(m, VOX_SIP_H_CSEQ);
	if (!vh || !ch || vox_sip_via_parse(v, vh->value, NULL) ||
	    vox_sip_cseq_parse(cs, ch->value, NULL))
		return VOX_EMALFORMED;
	return 0;
}

/* ---- client transactions ------------------------------------------------- */

int vox_sip_txl_request(struct vox_sip_txl *t, const char *msg, size_t len,
                        const struct vox_peer *to, uint64_t now, vox_sip_txn_id *id)
{
	struct vox_sip_msg *mp = &t->scratch;
	struct vox_sip_via v;
	struct vox_sip_cseq cs;
	struct match mt;
	if (!to || !id)
		return VOX_EINVAL;
	*id = 0;
	if (len > VOX_SIP_TXN_MSG)
		return VOX_ETOOLONG;
	if (vox_sip_parse(mp, msg, len, VOX_SIP_DATAGRAM, NULL) < 0 || mp->status)
		return VOX_EMALFORMED;
	if (top_via_cseq(mp, &v, &cs) || !vox_sip_via_is_rfc3261(&v))
		return VOX_EMALFORMED;
	if (mp->method_id == VOX_SIP_ACK) /* 17: an ACK for a 2xx is no transaction */
		return VOX_EINVAL;
	if (client_match(v.branch, cs.method, &mt))
		return VOX_ETOOLONG;
	struct vox_sip_txn *x = alloc(t, 0);
	if (!x)
		return VOX_EPOOL;
	int invite = mp->method_id == VOX_SIP_INVITE;
	x->kind = invite ? VOX_TXN_ICT : VOX_TXN_NICT;
	x->state = invite ? VOX_TXN_CALLING : VOX_TXN_TRYING;
	x->method = (uint8_t)mp->method_id;
	x->reliable = to->tp != VOX_TP_UDP;
	x->peer = *to;
	keep(x, &mt);
	x->interval = t->timers.t1;
	x->t_retx = x->reliable ? NEVER : now + t->timers.t1; /* A or E */
	x->t_end = now + 64ull * t->timers.t1;                /* B or F */
	(void)store(x, msg, len);
	send_msg(t, x);
	*id = make_id(t, x);
	return 0;
}

static void put_hdr(struct vox_writer *w, const char *name, struct vox_slice v)
{
	vox_writer_puts(w, name);
	vox_writer_put(w, ": ", 2);
	vox_writer_put_slice(w, v);
	vox_writer_put(w, "\r\n", 2);
}

/* The request-derived part of an ACK (17.1.1.3) or CANCEL (9.1): same
 * Request-URI, top Via, Route set, From, Call-ID and CSeq number. */
static int build_like(const struct vox_sip_msg *req, const char *method,
                      const struct vox_sip_header *to, char *out, size_t cap)
{
	struct vox_sip_cseq cs;
	const struct vox_sip_header *via = vox_sip_find(req, VOX_SIP_H_VIA);
	const struct vox_sip_header *from = vox_sip_find(req, VOX_SIP_H_FROM);
	const struct vox_sip_header *cid = vox_sip_find(req, VOX_SIP_H_CALL_ID);
	const struct vox_sip_header *ch = vox_sip_find(req, VOX_SIP_H_CSEQ);
	if (req->status || !via || !from || !cid || !ch || !to ||
	    vox_sip_cseq_parse(&cs, ch->value, NULL))
		return VOX_EINVAL;
	struct vox_writer w;
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, method);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, req->uri);
	vox_writer_puts(&w, " SIP/2.0\r\n");
	put_hdr(&w, "Via", via->value);
	for (const struct vox_sip_header *r = vox_sip_find(req, VOX_SIP_H_ROUTE); r;
	     r = vox_sip_find_next(req, r))
		put_hdr(&w, "Route", r->value);
	vox_writer_puts(&w, "Max-Forwards: 70\r\n");
	put_hdr(&w, "From", from->value);
	put_hdr(&w, "To", to->value);
	put_hdr(&w, "Call-ID", cid->value);
	vox_writer_puts(&w, "CSeq: ");
	vox_writer_put_u64(&w, cs.seq);
	vox_writer_putc(&w, ' ');
	vox_writer_puts(&w, method);
	vox_writer_puts(&w, "\r\nContent-Length: 0\r\n\r\n");
	return vox_writer_finish(&w);
}

int vox_sip_build_cancel(const struct vox_sip_msg *invite, char *out, size_t cap)
{
	if (!invite || invite->method_id != VOX_SIP_INVITE)
		return VOX_EINVAL;
	return build_like(invite, "CANCEL", vox_sip_find(invite, VOX_SIP_H_TO), out, cap);
}

/* 17.1.1.3: the ACK for a non-2xx final response replaces the INVITE in
 * the transaction's buffer (only the ACK is ever resent from now on). */
static void make_ack(struct vox_sip_txl *t, struct vox_sip_txn *x, const struct vox_sip_msg *resp)
{
	char ack[VOX_SIP_TXN_MSG];
	int n = -1;
	if (vox_sip_parse(&t->scratch, x->msg, x->len, VOX_SIP_DATAGRAM, NULL) >= 0)
		n = build_like(&t->scratch, "ACK", vox_sip_find(resp, VOX_SIP_H_TO), ack,
		               sizeof ack);
	if (n < 0) {
		x->len = 0; /* cannot happen for a request we parsed before */
		return;
	}
	memcpy(x->msg, ack, (size_t)n);
	x->len = (uint16_t)n;
}

static int client_response(struct vox_sip_txl *t, struct vox_sip_txn *x,
                           const struct vox_sip_msg *m, uint64_t now)
{
	unsigned s = m->status;
	if (x->kind == VOX_TXN_ICT) {
		switch (x->state) {
		case VOX_TXN_CALLING:
		case VOX_TXN_PROCEEDING:
			x->status = s;
			x->t_retx = NEVER; /* A stops at any response */
			if (s < 200) {
				x->state = VOX_TXN_PROCEEDING;
				x->t_end = NEVER; /* B runs in Calling only */
			} else if (s < 300) {
				x->state = VOX_TXN_ACCEPTED;           /* RFC 6026 7.2 */
				x->t_end = now + 64ull * t->timers.t1; /* M */
			} else {
				x->state = VOX_TXN_COMPLETED;
				make_ack(t, x, m);
				send_msg(t, x);
				x->t_end = now + (x->reliable ? 0 : 32000); /* D */
			}
			return VOX_TXL_RESPONSE;
		case VOX_TXN_COMPLETED:
			if (s >= 300)
				send_msg(t, x); /* the ACK again */
			return VOX_TXL_ABSORBED;
		case VOX_TXN_ACCEPTED:
			/* RFC 6026 7.2: 2xx retransmissions go to the TU, which ACKs */
			return s >= 200 && s < 300 ? VOX_TXL_RESPONSE : VOX_TXL_ABSORBED;
		default: return VOX_TXL_ABSORBED;
		}
	}
	/* NICT */
	if (x->state != VOX_TXN_TRYING && x->state != VOX_TXN_PROCEEDING)
		return VOX_TXL_ABSORBED;
	x->status = s;
	if (s < 200) {
		x->state = VOX_TXN_PROCEEDING;
	} else {
		x->state = VOX_TXN_COMPLETED;
		x->t_retx = NEVER;
		x->t_end = now + (x->reliable ? 0 : t->timers.t4); /* K */
	}
	return VOX_TXL_RESPONSE;
}

/* ---- server transactions --------------------------------------------------- */

/* RFC 3261 18.2.2 and RFC 3581 4: where responses to this request go. */
static void response_peer(struct vox_peer *p, const struct vox_sip_via *v,
                          const struct vox_peer *from)
{
	*p = *from;
	if (from->tp != VOX_TP_UDP || v->has_rport)
		return; /* the connection, or the source port (rport) */
	p->addr.port = v->host.has_port ? v->host.port : 5060;
}

int vox_sip_response_peer(const struct vox_sip_msg *req, const struct vox_peer *from,
                          struct vox_peer *to)
{
	struct vox_sip_via v;
	const struct vox_sip_header *vh = vox_sip_find(req, VOX_SIP_H_VIA);
	if (!vh || vox_sip_via_parse(&v, vh->value, NULL))
		return VOX_EMALFORMED;
	response_peer(to, &v, from);
	return 0;
}

static struct vox_sip_txn *find_server(const struct vox_sip_txl *t, const struct match *mt,
                                       int invite_only)
{
	for (size_t i = 0; i < t->npool; i++) {
		struct vox_sip_txn *x = &t->pool[i];
		if (x->state == VOX_TXN_FREE || (x->kind != VOX_TXN_IST && x->kind != VOX_TXN_NIST))
			continue;
		if (invite_only && x->kind != VOX_TXN_IST)
			continue;
		if (same(x, mt))
			return x;
	}
	return NULL;
}

/* 17.2.3: the ACK of an RFC 2543 peer also carries the To tag of the
 * response it acknowledges, the one the transaction holds. */
static int ack_tag_matches(struct vox_sip_txl *t, const struct vox_sip_txn *x,
                           const struct vox_sip_msg *ack)
{
	if (x->status <= 100 || !x->len)
		return 1; /* no tagged response sent */
	if (vox_sip_parse(&t->scratch, x->msg, x->len, VOX_SIP_DATAGRAM, NULL) < 0)
		return 0;
	struct vox_slice ours = to_tag(&t->scratch);
	return !ours.p || vox_slice_eq(ours, to_tag(ack));
}

static int server_request(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                          const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id)
{
	char trying[VOX_SIP_TXN_MSG];
	struct vox_sip_via v;
	struct vox_sip_cseq cs;
	struct match mt;
	if (top_via_cseq(m, &v, &cs))
		return VOX_EMALFORMED;
	int rc = server_match(m, &v, &cs, match_method(m), &mt);

	if (m->method_id == VOX_SIP_ACK) {
		struct vox_sip_txn *x = rc ? NULL : find_server(t, &mt, 1);
		if (x && mt.id[0] == 'l' && !ack_tag_matches(t, x, m))
			x = NULL;
		if (!x)
			return VOX_TXL_ACK; /* an ACK for a 2xx, past the transaction */
		*id = make_id(t, x);
		if (x->state == VOX_TXN_COMPLETED) {
			x->state = VOX_TXN_CONFIRMED;
			x->t_retx = NEVER;
			x->t_end = now + (x->reliable ? 0 : t->timers.t4); /* I */
			return VOX_TXL_ABSORBED;
		}
		return x->state == VOX_TXN_ACCEPTED ? VOX_TXL_ACK : VOX_TXL_ABSORBED;
	}

	if (rc) /* too long to tell its retransmissions apart */
		return rc;
	struct vox_sip_txn *x = find_server(t, &mt, 0);
	if (x) {
		/* A retransmission: resend the last response, if there is one
		 * and the state still answers (17.2.1, 17.2.2). */
		*id = make_id(t, x);
		if (x->state == VOX_TXN_PROCEEDING || x->state == VOX_TXN_COMPLETED)
			send_msg(t, x);
		return VOX_TXL_ABSORBED;
	}
	x = alloc(t, 1);
	if (!x)
		return VOX_EPOOL;
	int invite = m->method_id == VOX_SIP_INVITE;
	x->kind = invite ? VOX_TXN_IST : VOX_TXN_NIST;
	x->state = invite ? VOX_TXN_PROCEEDING : VOX_TXN_TRYING;
	x->method = (uint8_t)m->method_id;
	x->reliable = from->tp != VOX_TP_UDP;
	keep(x, &mt);
	x->interval = t->timers.t1;
	response_peer(&x->peer, &v, from);
	if (invite) {
		/* 17.2.1: a 100 Trying at once, so the client stops retransmitting */
		int n = vox_sip_build_response(m, &from->addr, 100, NULL, vox_slice_make(NULL, 0),
		                               NULL, 0, vox_slice_make(NULL, 0),
		                               vox_slice_make(NULL, 0), trying, sizeof trying);
		if (n > 0 && store(x, trying, (size_t)n) == 0) {
			x->status = 100;
			send_msg(t, x);
		}
	}
	*id = make_id(t, x);
	return VOX_TXL_NEW_REQUEST;
}

int vox_sip_txl_respond(struct vox_sip_txl *t, vox_sip_txn_id id, const char *msg, size_t len,
                        uint64_t now)
{
	struct vox_sip_txn *x = lookup(t, id);
	if (!x)
		return VOX_ENOTFOUND;
	if (x->kind != VOX_TXN_IST && x->kind != VOX_TXN_NIST)
		return VOX_EINVAL;
	unsigned s = status_of(msg, len);
	if (!s)
		return VOX_EINVAL;
	if (len > sizeof x->msg)
		return VOX_ETOOLONG;
	int ist = x->kind == VOX_TXN_IST;
	int again = ist && x->state == VOX_TXN_ACCEPTED && s >= 200 && s < 300; /* 13.3.1.4 */
	if (ist ? !again && x->state != VOX_TXN_PROCEEDING : x->state == VOX_TXN_COMPLETED)
		return VOX_ESTATE;
	/* The response before this one may not have gone out yet. A 100
	 * Trying is dropped for it: it only stands in for a response the TU
	 * has not given (17.2.1); so is the 2xx that is sent again. Any other
	 * goes out first, from a spill slot; with every slot taken nothing
	 * changes, and the TU hears so. */
	int spill = x->pending && x->status > 100 && !again;
	if (spill && t->nspill == sizeof t->spill / sizeof t->spill[0])
		return VOX_ELIMIT;
	if (!ist) {
		x->state = s < 200 ? VOX_TXN_PROCEEDING : VOX_TXN_COMPLETED;
		if (s >= 200)
			x->t_end = now + (x->reliable ? 0 : 64ull * t->timers.t1); /* J */
	} else if (again || s < 200) {
		/* Proceeding, or Accepted, stays */
	} else if (s < 300) {
		x->state = VOX_TXN_ACCEPTED;           /* RFC 6026 8.5 */
		x->t_end = now + 64ull * t->timers.t1; /* L */
	} else {
		x->state = VOX_TXN_COMPLETED;
		x->interval = t->timers.t1;
		x->t_retx = x->reliable ? NEVER : now + t->timers.t1; /* G */
		x->t_end = now + 64ull * t->timers.t1;                /* H */
	}
	if (spill) {
		t->spill[t->nspill].len = x->len;
		t->spill[t->nspill].to = x->peer;
		memcpy(t->spill[t->nspill].msg, x->msg, x->len);
		t->nspill++;
	}
	x->status = s;
	(void)store(x, msg, len);
	send_msg(t, x);
	return 0;
}

vox_sip_txn_id vox_sip_txl_find_invite(const struct vox_sip_txl *t, const struct vox_sip_msg *c)
{
	struct vox_sip_via v;
	struct vox_sip_cseq cs;
	if (top_via_cseq(c, &v, &cs))
		return 0;
	/* 9.2: the CANCEL matches the INVITE it cancels as an INVITE would */
	struct match mt;
	if (server_match(c, &v, &cs, vox_slice_cstr("INVITE"), &mt))
		return 0;
	struct vox_sip_txn *x = find_server(t, &mt, 1);
	return x ? make_id(t, x) : 0;
}

/* ---- input, output, time ------------------------------------------------------ */

int vox_sip_txl_recv(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                     const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id)
{
	if (!t || !m || !from || !id)
		return VOX_EINVAL;
	*id = 0;
	if (!m->status)
		return server_request(t, m, from, now, id);
	struct vox_sip_via v;
	struct vox_sip_cseq cs;
	struct match mt;
	if (top_via_cseq(m, &v, &cs))
		return VOX_EMALFORMED;
	if (client_match(v.branch, cs.method, &mt))
		return VOX_TXL_STRAY_RESPONSE; /* longer than any branch of ours */
	for (size_t i = 0; i < t->npool; i++) {
		struct vox_sip_txn *x = &t->pool[i];
		if (x->state != VOX_TXN_FREE &&
		    (x->kind == VOX_TXN_ICT || x->kind == VOX_TXN_NICT) && same(x, &mt)) {
			*id = make_id(t, x);
			return client_response(t, x, m, now);
		}
	}
	return VOX_TXL_STRAY_RESPONSE;
}

int vox_sip_txl_poll_output(struct vox_sip_txl *t, char *buf, size_t cap, struct vox_peer *to)
{
	if (t->nspill) {
		if (t->spill[0].len > cap)
			return VOX_ENOSPC;
		size_t n = t->spill[0].len;
		memcpy(buf, t->spill[0].msg, n);
		*to = t->spill[0].to;
		if (--t->nspill)
			t->spill[0] = t->spill[1];
		return (int)n;
	}
	if (!t->pending)
		return 0;
	for (size_t i = 0; i < t->npool; i++) {
		size_t k = (t->cursor + i) % t->npool;
		struct vox_sip_txn *x = &t->pool[k];
		if (!x->pending)
			continue;
		if (x->len > cap)
			return VOX_ENOSPC;
		memcpy(buf, x->msg, x->len);
		*to = x->peer;
		x->pending = 0;
		t->pending--;
		t->cursor = (k + 1) % t->npool;
		return (int)x->len;
	}
	t->pending = 0; /* not reached: the count and the flags agree */
	return 0;
}

uint64_t vox_sip_txl_next_deadline(const struct vox_sip_txl *t)
{
	uint64_t d = NEVER;
	if (!t->active)
		return d;
	for (size_t i = 0; i < t->npool; i++) {
		const struct vox_sip_txn *x = &t->pool[i];
		if (x->state == VOX_TXN_FREE)
			continue;
		if (x->t_retx < d)
			d = x->t_retx;
		if (x->t_end < d)
			d = x->t_end;
	}
	return d;
}

static void retransmit(struct vox_sip_txl *t, struct vox_sip_txn *x, uint64_t now)
{
	send_msg(t, x);
	switch (x->kind) {
	case VOX_TXN_ICT: /* A: doubles without a cap (17.1.1.2) */ x->interval *= 2; break;
	case VOX_TXN_NICT: /* E: doubles up to T2; every T2 once a 1xx came */
		x->interval =
		    x->state == VOX_TXN_PROCEEDING
		        ? t->timers.t2
		        : (x->interval * 2 < t->timers.t2 ? x->interval * 2 : t->timers.t2);
		break;
	default: /* G: doubles up to T2 (17.2.1) */
		x->interval = x->interval * 2 < t->timers.t2 ? x->interval * 2 : t->timers.t2;
		break;
	}
	x->t_retx = now + x->interval;
}

static void expire(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if ((x->kind == VOX_TXN_ICT && x->state == VOX_TXN_CALLING) ||
	    (x->kind == VOX_TXN_NICT &&
	     (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING)))
		push_event(t, VOX_TXL_EV_TIMEOUT, x); /* B or F */
	else if (x->kind == VOX_TXN_IST && x->state == VOX_TXN_COMPLETED)
		push_event(t, VOX_TXL_EV_NO_ACK, x); /* H */
	release(t, x);
}

void vox_sip_txl_on_deadline(struct vox_sip_txl *t, uint64_t now)
{
	for (size_t i = 0; i < t->npool && t->active; i++) {
		struct vox_sip_txn *x = &t->pool[i];
		if (x->state == VOX_TXN_FREE)
			continue;
		if (x->t_end <= now)
			expire(t, x);
		else if (x->t_retx <= now)
			retransmit(t, x, now);
	}
}

int vox_sip_txl_retransmit(struct vox_sip_txl *t, vox_sip_txn_id id)
{
	struct vox_sip_txn *x = lookup(t, id);
	if (!x)
		return VOX_ENOTFOUND;
	if (!x->len)
		return VOX_ESTATE;
	send_msg(t, x);
	return 0;
}

void vox_sip_txl_abandon(struct vox_sip_txl *t, vox_sip_txn_id id)
{
	struct vox_sip_txn *x = lookup(t, id);
	if (x)
		release(t, x);
}

void vox_sip_txl_transport_error(struct vox_sip_txl *t, vox_sip_txn_id id)
{
	struct vox_sip_txn *x = lookup(t, id);
	if (!x)
		return;
	push_event(t, VOX_TXL_EV_TRANSPORT_ERR, x);
	release(t, x);
}
