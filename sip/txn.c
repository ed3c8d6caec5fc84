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
 *
 * Memory (docs/architecture.md, Memory): a transaction is a control block;
 * the bytes it keeps live in the layer's arena of chunks, and only as long
 * as something can still need them:
 *
 *   every transaction   what it matches on (its id), until it ends;
 *   any message         until it has been polled (sent);
 *   ICT                 the INVITE until a final response, on any
 *                       transport: the ACK for a non-2xx and a CANCEL are
 *                       built from it (17.1.1.3, 9.1); in Completed over
 *                       UDP the ACK, sent again for each retransmitted
 *                       final response (Timer D);
 *   NICT                the request while Timer E may resend it (UDP);
 *   IST                 the headers its responses copy (8.2.6.2) until
 *                       the final response; over UDP the last
 *                       provisional response (resent when the INVITE is),
 *                       the final non-2xx while Timer G resends it, and
 *                       the 2xx while the TU resends it (13.3.1.4: until
 *                       vox_sip_txl_acked);
 *   NIST                over UDP the provisional response; in Completed
 *                       (Timer J) only the status and our To tag: a
 *                       retransmitted request gets the final response
 *                       built again from itself (17.2.2 asks for the same
 *                       response, and the request carries everything else
 *                       a response copies).
 *
 * So the states that only absorb retransmissions (D, I, J, K, L, M) cost a
 * control block and an id, and over TCP and TLS, which never retransmit,
 * no message outlives its sending except what a TU may still build from.
 */
#include <string.h>

#include "sip/sip_int.h"
#include "vox/sip_txn.h"

#define NEVER   UINT64_MAX
#define NOCHUNK VOX_SIP_NOCHUNK

uint32_t vox_sip_txl_fingerprint(void)
{
	return VOX_CONFIG_FINGERPRINT;
}

/* ---- the arena ----------------------------------------------------------- */

/* Copies len bytes into fresh chunks; *at is the first (NOCHUNK for 0
 * bytes). VOX_EPOOL when the arena has not enough free chunks. */
static int arena_put(struct vox_sip_txl *t, const char *p, size_t len, uint16_t *at)
{
	size_t need = vox_sip_chunks_for(len);
	*at = NOCHUNK;
	if (need > t->chunks_free) {
		t->arena_refused++;
		return VOX_EPOOL;
	}
	uint16_t *link = at;
	for (size_t off = 0; off < len; off += VOX_SIP_CHUNK) {
		uint16_t k = t->free_chunk;
		struct vox_sip_chunk *c = &t->arena[k];
		size_t n = len - off < VOX_SIP_CHUNK ? len - off : VOX_SIP_CHUNK;
		t->free_chunk = c->next;
		memcpy(c->b, p + off, n);
		*link = k;
		link = &c->next;
	}
	*link = NOCHUNK;
	t->chunks_free -= need;
	if (t->chunks_free < t->chunks_low)
		t->chunks_low = t->chunks_free;
	return 0;
}

/* Gives a chain back, wiped (a message may carry keys or credentials). */
static void arena_drop(struct vox_sip_txl *t, uint16_t *at)
{
	uint16_t k = *at;
	while (k != NOCHUNK) {
		struct vox_sip_chunk *c = &t->arena[k];
		uint16_t next = c->next;
		vox_wipe(c->b, sizeof c->b);
		c->next = t->free_chunk;
		t->free_chunk = k;
		t->chunks_free++;
		k = next;
	}
	*at = NOCHUNK;
}

/* Copies the first len bytes of a chain out. */
static void arena_get(const struct vox_sip_txl *t, uint16_t at, size_t len, char *out)
{
	for (size_t off = 0; off < len && at != NOCHUNK; off += VOX_SIP_CHUNK) {
		const struct vox_sip_chunk *c = &t->arena[at];
		memcpy(out + off, c->b, len - off < VOX_SIP_CHUNK ? len - off : VOX_SIP_CHUNK);
		at = c->next;
	}
}

/* Do the first len bytes of the chain equal p? */
static int arena_eq(const struct vox_sip_txl *t, uint16_t at, const char *p, size_t len)
{
	for (size_t off = 0; off < len; off += VOX_SIP_CHUNK) {
		if (at == NOCHUNK)
			return 0;
		const struct vox_sip_chunk *c = &t->arena[at];
		if (memcmp(c->b, p + off, len - off < VOX_SIP_CHUNK ? len - off : VOX_SIP_CHUNK))
			return 0;
		at = c->next;
	}
	return 1;
}

/* Bytes len from offset off of a chain, copied out (a To tag kept after
 * the id). */
static void arena_get_at(const struct vox_sip_txl *t, uint16_t at, size_t off, size_t len,
                         char *out)
{
	while (off >= VOX_SIP_CHUNK && at != NOCHUNK) {
		at = t->arena[at].next;
		off -= VOX_SIP_CHUNK;
	}
	size_t done = 0;
	while (done < len && at != NOCHUNK) {
		const struct vox_sip_chunk *c = &t->arena[at];
		size_t n = VOX_SIP_CHUNK - off < len - done ? VOX_SIP_CHUNK - off : len - done;
		memcpy(out + done, c->b + off, n);
		done += n;
		off = 0;
		at = c->next;
	}
}

/* ---- ids ------------------------------------------------------------------ */

static size_t slot_of(const struct vox_sip_txl *t, const struct vox_sip_txn *x)
{
	return (size_t)(x - t->pool);
}

static vox_sip_txn_id make_id(const struct vox_sip_txl *t, const struct vox_sip_txn *x)
{
	return (vox_sip_txn_id)(slot_of(t, x) + 1) | (vox_sip_txn_id)x->gen << 16;
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

/* ---- the timer heap -------------------------------------------------------- */

/* A binary min-heap of the transactions with a timer running, ordered by
 * their earliest deadline: pool[k].heap is the slot (+ 1) at place k,
 * x->hpos the place (+ 1) of x. Finding the next deadline is reading the
 * top; changing one is O(log n). */
static uint64_t due(const struct vox_sip_txn *x)
{
	return x->t_retx < x->t_end ? x->t_retx : x->t_end;
}

static struct vox_sip_txn *heap_at(const struct vox_sip_txl *t, size_t k)
{
	return &t->pool[t->pool[k].heap - 1];
}

static void heap_put(struct vox_sip_txl *t, size_t k, struct vox_sip_txn *x)
{
	t->pool[k].heap = (uint16_t)(slot_of(t, x) + 1);
	x->hpos = (uint16_t)(k + 1);
}

static void heap_up(struct vox_sip_txl *t, size_t k)
{
	struct vox_sip_txn *x = heap_at(t, k);
	while (k > 0) {
		size_t up = (k - 1) / 2;
		struct vox_sip_txn *p = heap_at(t, up);
		if (due(p) <= due(x))
			break;
		heap_put(t, k, p);
		k = up;
	}
	heap_put(t, k, x);
}

static void heap_down(struct vox_sip_txl *t, size_t k)
{
	struct vox_sip_txn *x = heap_at(t, k);
	for (;;) {
		size_t c = 2 * k + 1;
		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap && due(heap_at(t, c + 1)) < due(heap_at(t, c)))
			c++;
		struct vox_sip_txn *y = heap_at(t, c);
		if (due(x) <= due(y))
			break;
		heap_put(t, k, y);
		k = c;
	}
	heap_put(t, k, x);
}

static void heap_remove(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (!x->hpos)
		return;
	size_t k = x->hpos - 1u;
	x->hpos = 0;
	t->nheap--;
	if (k == t->nheap)
		return;
	heap_put(t, k, heap_at(t, t->nheap));
	heap_up(t, k);
	heap_down(t, k);
}

/* A second heap holds the transactions that only linger (lingers()),
 * ordered by their end: when the pool or the arena is full, the one that
 * would end first gives way (evict) without a scan of the pool, which at
 * thousands of calls a second is full all the time. pool[k].lheap is the
 * slot (+ 1) at place k, x->lpos the place (+ 1) of x. */
static int lingers(const struct vox_sip_txn *x);

static struct vox_sip_txn *lheap_at(const struct vox_sip_txl *t, size_t k)
{
	return &t->pool[t->pool[k].lheap - 1];
}

static void lheap_put(struct vox_sip_txl *t, size_t k, struct vox_sip_txn *x)
{
	t->pool[k].lheap = (uint16_t)(slot_of(t, x) + 1);
	x->lpos = (uint16_t)(k + 1);
}

static void lheap_fix(struct vox_sip_txl *t, size_t k)
{
	struct vox_sip_txn *x = lheap_at(t, k);
	while (k > 0) {
		size_t up = (k - 1) / 2;
		struct vox_sip_txn *p = lheap_at(t, up);
		if (p->t_end <= x->t_end)
			break;
		lheap_put(t, k, p);
		k = up;
	}
	for (;;) {
		size_t c = 2 * k + 1;
		if (c >= t->nlinger)
			break;
		if (c + 1 < t->nlinger && lheap_at(t, c + 1)->t_end < lheap_at(t, c)->t_end)
			c++;
		struct vox_sip_txn *y = lheap_at(t, c);
		if (x->t_end <= y->t_end)
			break;
		lheap_put(t, k, y);
		k = c;
	}
	lheap_put(t, k, x);
}

static void lheap_remove(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (!x->lpos)
		return;
	size_t k = x->lpos - 1u;
	x->lpos = 0;
	t->nlinger--;
	if (k == t->nlinger)
		return;
	lheap_put(t, k, lheap_at(t, t->nlinger));
	lheap_fix(t, k);
}

/* x's state or end changed: in the linger heap, or out of it. */
static void linger_track(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (x->state == VOX_TXN_FREE || !lingers(x)) {
		lheap_remove(t, x);
		return;
	}
	if (!x->lpos) {
		lheap_put(t, t->nlinger, x);
		t->nlinger++;
	}
	lheap_fix(t, x->lpos - 1u);
}

/* x's timers changed: its place in the heap follows. */
static void arm(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	linger_track(t, x);
	if (due(x) == NEVER) {
		heap_remove(t, x);
		return;
	}
	if (!x->hpos) {
		heap_put(t, t->nheap, x);
		t->nheap++;
	}
	heap_up(t, x->hpos - 1u);
	heap_down(t, x->hpos - 1u);
}

/* ---- the output queue ------------------------------------------------------- */

static void send_msg(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (x->pending || !x->len)
		return;
	x->pending = 1;
	x->pnext = 0;
	x->pprev = t->ptail;
	uint16_t me = (uint16_t)(slot_of(t, x) + 1);
	if (t->ptail)
		t->pool[t->ptail - 1].pnext = me;
	else
		t->phead = me;
	t->ptail = me;
	t->pending++;
}

static void unqueue(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (!x->pending)
		return;
	if (x->pprev)
		t->pool[x->pprev - 1].pnext = x->pnext;
	else
		t->phead = x->pnext;
	if (x->pnext)
		t->pool[x->pnext - 1].pprev = x->pprev;
	else
		t->ptail = x->pprev;
	x->pending = 0;
	x->pprev = x->pnext = 0;
	t->pending--;
}

/* Does x still need its message once it is sent (see the top of the
 * file)? */
static int keeps_msg(const struct vox_sip_txn *x)
{
	switch (x->kind) {
	case VOX_TXN_ICT:
		return x->state == VOX_TXN_CALLING || x->state == VOX_TXN_PROCEEDING ||
		       (x->state == VOX_TXN_COMPLETED && !x->reliable);
	case VOX_TXN_NICT:
		return !x->reliable &&
		       (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING);
	case VOX_TXN_IST:
		return !x->reliable &&
		       (x->state == VOX_TXN_PROCEEDING || x->state == VOX_TXN_COMPLETED ||
		        (x->state == VOX_TXN_ACCEPTED && !x->acked));
	default: return !x->reliable && x->state == VOX_TXN_PROCEEDING;
	}
}

/* Gives back the message when nothing can need it any more. */
static void trim(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (!x->pending && x->len && !keeps_msg(x)) {
		arena_drop(t, &x->msg_at);
		x->len = 0;
	}
}

/* x's message becomes msg (the one before goes back to the arena).
 * VOX_EPOOL (nothing changed) when the arena has no room. */
static int store(struct vox_sip_txl *t, struct vox_sip_txn *x, const char *msg, size_t len)
{
	uint16_t at;
	int rc = arena_put(t, msg, len, &at);
	if (rc)
		return rc;
	arena_drop(t, &x->msg_at);
	x->msg_at = at;
	x->len = (uint16_t)len;
	return 0;
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

/* ---- the hash table ------------------------------------------------------------ */

/* Transactions by the hash of their id: pool[b].bucket is the first slot
 * (+ 1) of bucket b, x->hnext the next one. A candidate is confirmed on
 * the id's bytes, so two ids whose hashes collide are never taken for one
 * transaction. */
static size_t bucket_of(const struct vox_sip_txl *t, uint64_t key)
{
	return (size_t)(key % t->npool);
}

static int same(const struct vox_sip_txl *t, const struct vox_sip_txn *x, const struct match *mt)
{
	return x->key == mt->key && x->idlen == mt->len && arena_eq(t, x->id_at, mt->id, mt->len);
}

static struct vox_sip_txn *find(const struct vox_sip_txl *t, const struct match *mt)
{
	for (uint16_t i = t->pool[bucket_of(t, mt->key)].bucket; i; i = t->pool[i - 1].hnext) {
		struct vox_sip_txn *x = &t->pool[i - 1];
		if (same(t, x, mt))
			return x;
	}
	return NULL;
}

/* x keeps its id (in the arena) and joins its bucket. VOX_EPOOL when the
 * arena has no room. */
static int keep(struct vox_sip_txl *t, struct vox_sip_txn *x, const struct match *mt)
{
	int rc = arena_put(t, mt->id, mt->len, &x->id_at);
	if (rc)
		return rc;
	x->key = mt->key;
	x->idlen = (uint16_t)mt->len;
	struct vox_sip_txn *b = &t->pool[bucket_of(t, x->key)];
	x->hnext = b->bucket;
	b->bucket = (uint16_t)(slot_of(t, x) + 1);
	return 0;
}

static void unhash(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	if (x->id_at == NOCHUNK)
		return; /* never hashed */
	uint16_t me = (uint16_t)(slot_of(t, x) + 1);
	uint16_t *link = &t->pool[bucket_of(t, x->key)].bucket;
	while (*link && *link != me)
		link = &t->pool[*link - 1].hnext;
	if (*link)
		*link = x->hnext;
	x->hnext = 0;
	arena_drop(t, &x->id_at);
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

int vox_sip_txl_init_fp(struct vox_sip_txl *t, struct vox_sip_txn *pool, size_t n,
                        struct vox_sip_chunk *arena, size_t nchunks,
                        const struct vox_sip_timers *timers, uint32_t fingerprint)
{
	if (fingerprint != VOX_CONFIG_FINGERPRINT)
		return VOX_ECONFIG; /* *t may not even be the size we think */
	if (!t || !pool || !n || !arena)
		return VOX_EINVAL;
	memset(t, 0, sizeof *t);
	t->timers.t1 = timers && timers->t1 ? timers->t1 : 500;
	t->timers.t2 = timers && timers->t2 ? timers->t2 : 4000;
	t->timers.t4 = timers && timers->t4 ? timers->t4 : 5000;
	t->pool = pool;
	t->npool = n > 65534 ? 65534 : n;
	t->arena = arena;
	t->nchunks = nchunks > 65534 ? 65534 : nchunks;
	if (t->nchunks < vox_sip_chunks_for(VOX_SIP_TXN_MSG) + vox_sip_chunks_for(VOX_SIP_TXN_ID))
		return VOX_EINVAL;
	memset(pool, 0, t->npool * sizeof *pool);
	for (size_t i = 0; i < t->npool; i++) {
		pool[i].state = VOX_TXN_FREE;
		pool[i].gen = 1;
		pool[i].id_at = pool[i].msg_at = pool[i].req_at = NOCHUNK;
		pool[i].hnext = (uint16_t)(i + 1 < t->npool ? i + 2 : 0); /* the free list */
	}
	t->free_slot = 1;
	for (size_t i = 0; i < t->nchunks; i++) {
		vox_wipe(arena[i].b, sizeof arena[i].b);
		arena[i].next = (uint16_t)(i + 1 < t->nchunks ? i + 1 : NOCHUNK);
	}
	t->free_chunk = 0;
	t->chunks_free = t->chunks_low = t->nchunks;
	return 0;
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

/* The transaction ends: every byte it kept goes back to the arena, wiped,
 * and the slot to the free list. */
static void release(struct vox_sip_txl *t, struct vox_sip_txn *x)
{
	unqueue(t, x);
	heap_remove(t, x);
	lheap_remove(t, x);
	unhash(t, x);
	arena_drop(t, &x->msg_at);
	arena_drop(t, &x->req_at);
	x->len = x->reqlen = x->idlen = x->taglen = x->ownlen = 0;
	x->state = VOX_TXN_FREE;
	x->gen = (uint16_t)(x->gen + 1 ? x->gen + 1 : 1);
	x->hnext = t->free_slot;
	t->free_slot = (uint16_t)(slot_of(t, x) + 1);
	t->active--;
}

/* Does x only absorb retransmissions now (D, I, J, K, L, M), so that it
 * can end early at the cost of answering a late retransmission as a new
 * request? An INVITE server transaction whose 2xx the TU still resends
 * does more, and is kept. */
static int lingers(const struct vox_sip_txn *x)
{
	switch (x->state) {
	case VOX_TXN_CONFIRMED: return 1;
	case VOX_TXN_COMPLETED: return x->kind != VOX_TXN_IST;
	case VOX_TXN_ACCEPTED: return x->kind == VOX_TXN_ICT || x->acked || x->reliable;
	default: return 0;
	}
}

/* Ends the lingering transaction that would end first, to make room for
 * a new one. Returns 0, or VOX_EPOOL when none lingers. The top of the
 * linger heap; a scan of the pool only when that one still has a message
 * to send (pending: it was just answered, so it is the rare case). */
static void release(struct vox_sip_txl *t, struct vox_sip_txn *x);
static int evict(struct vox_sip_txl *t)
{
	struct vox_sip_txn *best = NULL;
	if (t->nlinger && !lheap_at(t, 0)->pending) {
		release(t, lheap_at(t, 0));
		t->evicted++;
		return 0;
	}
	for (size_t i = 0; i < t->npool; i++) {
		struct vox_sip_txn *x = &t->pool[i];
		if (x->state != VOX_TXN_FREE && !x->pending && lingers(x) &&
		    (!best || x->t_end < best->t_end))
			best = x;
	}
	if (!best)
		return VOX_EPOOL;
	release(t, best);
	t->evicted++;
	return 0;
}

/* A free slot. who: 0 a client transaction (may take the reserve), 1 a
 * request from outside, 2 one the TU must not refuse. When none is free,
 * lingering transactions give way, the one that would end first first. */
static struct vox_sip_txn *alloc(struct vox_sip_txl *t, int who)
{
	size_t keep = who == 1 ? t->reserve : 0; /* slots left to our own requests */
	while ((!t->free_slot || t->npool - t->active <= keep) && evict(t) == 0)
		;
	if (!t->free_slot || t->npool - t->active <= keep)
		return NULL;
	struct vox_sip_txn *x = &t->pool[t->free_slot - 1];
	t->free_slot = x->hnext;
	x->hnext = 0;
	x->pending = x->acked = 0;
	x->len = x->reqlen = x->idlen = x->taglen = x->ownlen = 0;
	x->status = 0;
	x->t_retx = x->t_end = NEVER;
	t->active++;
	return x;
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
	/* an arena too full for it: lingering transactions give way */
	while (t->chunks_free < vox_sip_chunks_for(len) + vox_sip_chunks_for(mt.len) &&
	       evict(t) == 0)
		;
	int invite = mp->method_id == VOX_SIP_INVITE;
	x->kind = invite ? VOX_TXN_ICT : VOX_TXN_NICT;
	x->state = invite ? VOX_TXN_CALLING : VOX_TXN_TRYING;
	x->method = (uint8_t)mp->method_id;
	x->reliable = to->tp != VOX_TP_UDP;
	x->peer = *to;
	if (keep(t, x, &mt) || store(t, x, msg, len)) {
		release(t, x); /* the arena is full */
		return VOX_EPOOL;
	}
	x->interval = t->timers.t1;
	x->t_retx = x->reliable ? NEVER : now + t->timers.t1; /* A or E */
	x->t_end = now + 64ull * t->timers.t1;                /* B or F */
	arm(t, x);
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

/* x's stored message, copied out of the arena and parsed into t->scratch
 * (slices into t->work). Returns 0 or VOX_ESTATE (nothing stored). */
static int read_back(struct vox_sip_txl *t, uint16_t at, size_t len)
{
	if (!len || at == NOCHUNK)
		return VOX_ESTATE;
	arena_get(t, at, len, t->work);
	return vox_sip_parse(&t->scratch, t->work, len, VOX_SIP_DATAGRAM, NULL) < 0 ? VOX_ESTATE
	                                                                            : 0;
}

/* 17.1.1.3: the ACK for a non-2xx final response takes the INVITE's place
 * (only the ACK is ever sent again from now on). */
static void make_ack(struct vox_sip_txl *t, struct vox_sip_txn *x, const struct vox_sip_msg *resp)
{
	char ack[VOX_SIP_TXN_MSG];
	int n = -1;
	if (read_back(t, x->msg_at, x->len) == 0)
		n = build_like(&t->scratch, "ACK", vox_sip_find(resp, VOX_SIP_H_TO), ack,
		               sizeof ack);
	vox_wipe(t->work, x->len); /* the INVITE, read back: its key, its credentials */
	unqueue(t, x);
	arena_drop(t, &x->msg_at); /* the ACK is shorter: it always finds room */
	x->len = 0;
	if (n > 0 && arena_put(t, ack, (size_t)n, &x->msg_at) == 0)
		x->len = (uint16_t)n;
	vox_wipe(ack, sizeof ack); /* it carries the INVITE's credentials */
}

int vox_sip_txl_cancel(struct vox_sip_txl *t, vox_sip_txn_id invite, uint64_t now,
                       vox_sip_txn_id *id)
{
	char out[VOX_SIP_TXN_MSG];
	struct vox_sip_txn *x = lookup(t, invite);
	if (!id)
		return VOX_EINVAL;
	*id = 0;
	if (!x)
		return VOX_ENOTFOUND;
	if (x->kind != VOX_TXN_ICT ||
	    (x->state != VOX_TXN_CALLING && x->state != VOX_TXN_PROCEEDING) ||
	    read_back(t, x->msg_at, x->len))
		return VOX_ESTATE;
	struct vox_peer to = x->peer; /* 9.1: where the INVITE went */
	int n = vox_sip_build_cancel(&t->scratch, out, sizeof out);
	vox_wipe(t->work, x->len); /* the INVITE, read back: its key, its credentials */
	if (n < 0)
		return n;
	return vox_sip_txl_request(t, out, (size_t)n, &to, now, id);
}

static int client_response(struct vox_sip_txl *t, struct vox_sip_txn *x,
                           const struct vox_sip_msg *m, uint64_t now)
{
	unsigned s = m->status;
	int rc = VOX_TXL_RESPONSE;
	if (x->kind == VOX_TXN_ICT) {
		switch (x->state) {
		case VOX_TXN_CALLING:
		case VOX_TXN_PROCEEDING:
			x->status = (uint16_t)s;
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
			break;
		case VOX_TXN_COMPLETED:
			if (s >= 300)
				send_msg(t, x); /* the ACK again */
			return VOX_TXL_ABSORBED;
		case VOX_TXN_ACCEPTED:
			/* RFC 6026 7.2: 2xx retransmissions go to the TU, which ACKs */
			return s >= 200 && s < 300 ? VOX_TXL_RESPONSE : VOX_TXL_ABSORBED;
		default: return VOX_TXL_ABSORBED;
		}
	} else {
		/* NICT */
		if (x->state != VOX_TXN_TRYING && x->state != VOX_TXN_PROCEEDING)
			return VOX_TXL_ABSORBED;
		x->status = (uint16_t)s;
		if (s < 200) {
			x->state = VOX_TXN_PROCEEDING;
		} else {
			x->state = VOX_TXN_COMPLETED;
			x->t_retx = NEVER;
			x->t_end = now + (x->reliable ? 0 : t->timers.t4); /* K */
		}
	}
	arm(t, x);
	trim(t, x);
	return rc;
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
	struct vox_sip_txn *x = find(t, mt);
	if (!x || (x->kind != VOX_TXN_IST && x->kind != VOX_TXN_NIST))
		return NULL;
	return invite_only && x->kind != VOX_TXN_IST ? NULL : x;
}

/* 17.2.3: the ACK of an RFC 2543 peer also carries the To tag of the
 * response it acknowledges, the one the transaction holds. */
static int ack_tag_matches(struct vox_sip_txl *t, const struct vox_sip_txn *x,
                           const struct vox_sip_msg *ack)
{
	if (x->status <= 100 || !x->len)
		return 1; /* no tagged response sent, or no longer kept */
	if (read_back(t, x->msg_at, x->len))
		return 0;
	struct vox_slice ours = to_tag(&t->scratch);
	int same_tag = !ours.p || vox_slice_eq(ours, to_tag(ack));
	vox_wipe(t->work, x->len);
	return same_tag;
}

/* A NIST in Completed over UDP keeps, after its id, the To tag of its
 * final response and the response's own part: its reason phrase, every
 * header it does not copy from the request, and its body. A retransmitted
 * request gets that response again, built from the retransmission and
 * those (17.2.2), so a 401 keeps its challenge and a 200 to OPTIONS its
 * Allow and body at the cost of those bytes only. taglen 0xffff: no room
 * was left for them, and retransmissions are absorbed unanswered (better
 * than a response without the headers that make it one). */
#define TAG_LOST 0xffffu

/* The headers 8.2.6.2 copies from the request, which the rebuild writes
 * again from the retransmission. */
static int copied_header(unsigned id)
{
	return id == VOX_SIP_H_VIA || id == VOX_SIP_H_FROM || id == VOX_SIP_H_TO ||
	       id == VOX_SIP_H_CALL_ID || id == VOX_SIP_H_CSEQ;
}

static void keep_answer(struct vox_sip_txl *t, struct vox_sip_txn *x, const char *msg, size_t len)
{
	x->taglen = TAG_LOST;
	x->ownlen = 0;
	if (vox_sip_parse(&t->scratch, msg, len, VOX_SIP_DATAGRAM, NULL) < 0)
		return;
	const struct vox_sip_msg *m = &t->scratch;
	struct vox_slice tag = to_tag(m);
	if (tag.len > VOX_SIP_MAX_TOKEN || x->idlen + tag.len > sizeof t->work)
		return;
	/* t->work: id, tag, then "reason CRLF", the own header lines, CRLF
	 * and the body; the message read is msg, not t->work */
	struct vox_writer w;
	arena_get(t, x->id_at, x->idlen, t->work);
	if (tag.len) /* no To tag: tag.p may be NULL */
		memcpy(t->work + x->idlen, tag.p, tag.len);
	size_t head = x->idlen + tag.len;
	vox_writer_init(&w, t->work + head, sizeof t->work - head);
	vox_writer_put_slice(&w, m->reason);
	vox_writer_put(&w, "\r\n", 2);
	for (size_t i = 0; i < m->nhdr; i++) {
		const struct vox_sip_header *h = &m->hdr[i];
		if (copied_header(h->id))
			continue;
		vox_writer_put_slice(&w, h->name);
		vox_writer_put(&w, ": ", 2);
		vox_writer_put_slice(&w, h->value);
		vox_writer_put(&w, "\r\n", 2);
	}
	vox_writer_put(&w, "\r\n", 2);
	vox_writer_put_slice(&w, m->body);
	int own = vox_writer_finish(&w);
	uint16_t at;
	if (own < 0 || arena_put(t, t->work, head + (size_t)own, &at)) {
		vox_wipe(t->work, sizeof t->work);
		return;
	}
	vox_wipe(t->work, head + (size_t)(own < 0 ? 0 : own));
	arena_drop(t, &x->id_at); /* same id, same bucket: only the chain moves */
	x->id_at = at;
	x->taglen = (uint16_t)tag.len;
	x->ownlen = (uint16_t)own;
}

/* 17.2.2: the final response again, for a retransmitted request, from the
 * status, tag and own part kept and the request itself. */
static void rebuild_final(struct vox_sip_txl *t, struct vox_sip_txn *x, const struct vox_sip_msg *m,
                          const struct vox_peer *from)
{
	char out[VOX_SIP_TXN_MSG], *kept = t->work; /* m is the caller's, not in work */
	if (x->pending || x->taglen == TAG_LOST)
		return;
	size_t n = (size_t)x->taglen + x->ownlen;
	arena_get_at(t, x->id_at, x->idlen, n, kept);
	const char *own = kept + x->taglen, *eol = memchr(own, '\n', x->ownlen);
	struct vox_writer w;
	vox_writer_init(&w, out, sizeof out);
	int rc = eol ? sip_put_response_head(&w, m, &from->addr, x->status,
	                                     vox_slice_make(own, (size_t)(eol - 1 - own)),
	                                     vox_slice_make(kept, x->taglen), 0)
	             : VOX_EINVAL;
	if (rc == 0) {
		vox_writer_put(&w, eol + 1, x->ownlen - (size_t)(eol + 1 - own));
		rc = vox_writer_finish(&w);
	}
	if (rc > 0 && store(t, x, out, (size_t)rc) == 0)
		send_msg(t, x); /* and trim() gives it back once sent */
	vox_wipe(kept, n);
	vox_wipe(out, sizeof out);
}

/* The request's own start line and the headers every response copies
 * (8.2.6.2), with the top Via stamped: what the 100 Trying (trying, n
 * bytes) carries after its status line. An INVITE server transaction keeps
 * it until its final response, so that the TU can answer later. */
static int keep_request(struct vox_sip_txl *t, struct vox_sip_txn *x, const struct vox_sip_msg *m,
                        const char *trying, size_t n)
{
	const char *eol = memchr(trying, '\n', n);
	if (!eol)
		return VOX_EINVAL;
	size_t rest = n - (size_t)(eol + 1 - trying);
	struct vox_writer w;
	vox_writer_init(&w, t->work, sizeof t->work);
	vox_writer_put_slice(&w, m->method);
	vox_writer_putc(&w, ' ');
	vox_writer_put_slice(&w, m->uri);
	vox_writer_puts(&w, " SIP/2.0\r\n");
	vox_writer_put(&w, eol + 1, rest);
	int len = vox_writer_finish(&w);
	if (len < 0)
		return VOX_ETOOLONG;
	int rc = arena_put(t, t->work, (size_t)len, &x->req_at);
	if (rc == 0)
		x->reqlen = (uint16_t)len;
	return rc;
}

static int server_request(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                          const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id, int must)
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
			arm(t, x);
			trim(t, x);
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
		if (x->kind == VOX_TXN_NIST && x->state == VOX_TXN_COMPLETED && !x->len &&
		    !x->reliable)
			rebuild_final(t, x, m, from);
		else if (x->state == VOX_TXN_PROCEEDING || x->state == VOX_TXN_COMPLETED)
			send_msg(t, x);
		return VOX_TXL_ABSORBED;
	}
	int invite = m->method_id == VOX_SIP_INVITE;
	int n = 0;
	if (invite) {
		/* 17.2.1: a 100 Trying at once, so the client stops retransmitting;
		 * an INVITE whose responses cannot fit could never be answered */
		n = vox_sip_build_response(m, &from->addr, 100, NULL, vox_slice_make(NULL, 0), NULL,
		                           0, vox_slice_make(NULL, 0), vox_slice_make(NULL, 0),
		                           trying, sizeof trying);
		if (n <= 0)
			return VOX_ETOOLONG;
	}
	x = alloc(t, must ? 2 : 1);
	if (!x)
		return VOX_EPOOL;
	while (must &&
	       t->chunks_free < vox_sip_chunks_for(mt.len) + 2 * vox_sip_chunks_for((size_t)n) &&
	       evict(t) == 0)
		;
	x->kind = invite ? VOX_TXN_IST : VOX_TXN_NIST;
	x->state = invite ? VOX_TXN_PROCEEDING : VOX_TXN_TRYING;
	x->method = (uint8_t)m->method_id;
	x->reliable = from->tp != VOX_TP_UDP;
	x->interval = t->timers.t1;
	response_peer(&x->peer, &v, from);
	if (keep(t, x, &mt)) {
		release(t, x);
		return VOX_EPOOL; /* the arena is full: as a full pool */
	}
	if (invite) {
		rc = keep_request(t, x, m, trying, (size_t)n);
		if (rc == 0)
			rc = store(t, x, trying, (size_t)n);
		if (rc) {
			release(t, x);
			return rc == VOX_EPOOL ? VOX_EPOOL : VOX_ETOOLONG;
		}
		x->status = 100;
		send_msg(t, x);
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
	if (len > VOX_SIP_TXN_MSG)
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
	uint16_t at;
	if (arena_put(t, msg, len, &at))
		return VOX_EPOOL; /* nothing changed */
	if (spill) {
		/* the unsent response's chain moves to the spill slot as it is */
		t->spill[t->nspill].len = x->len;
		t->spill[t->nspill].at = x->msg_at;
		t->spill[t->nspill].to = x->peer;
		t->spill[t->nspill].id = make_id(t, x);
		t->nspill++;
		x->msg_at = NOCHUNK;
		x->len = 0;
		unqueue(t, x);
	}
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
	x->status = (uint16_t)s;
	if (s >= 200) /* no response is built from the request any more */
		arena_drop(t, &x->req_at), x->reqlen = 0;
	if (!ist && s >= 200 && !x->reliable)
		keep_answer(t, x, msg, len);
	arena_drop(t, &x->msg_at);
	x->msg_at = at;
	x->len = (uint16_t)len;
	arm(t, x);
	send_msg(t, x);
	return 0;
}

int vox_sip_txl_respond_build(struct vox_sip_txl *t, vox_sip_txn_id id, unsigned status,
                              struct vox_slice tag, const struct vox_sip_hdr_out *extra,
                              size_t nextra, struct vox_slice content_type, struct vox_slice body,
                              uint64_t now)
{
	char out[VOX_SIP_TXN_MSG];
	struct vox_sip_txn *x = lookup(t, id);
	if (!x)
		return VOX_ENOTFOUND;
	if (read_back(t, x->req_at, x->reqlen))
		return VOX_ESTATE;
	int n = vox_sip_build_response(&t->scratch, NULL, status, NULL, tag, extra, nextra,
	                               content_type, body, out, sizeof out);
	int rc = n < 0 ? n : vox_sip_txl_respond(t, id, out, (size_t)n, now);
	vox_wipe(out, n > 0 ? (size_t)n : 0); /* an answer may carry our SDES key */
	return rc;
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

void vox_sip_txl_acked(struct vox_sip_txl *t, vox_sip_txn_id id)
{
	struct vox_sip_txn *x = lookup(t, id);
	if (!x || x->kind != VOX_TXN_IST || x->state != VOX_TXN_ACCEPTED)
		return;
	x->acked = 1;
	linger_track(t, x);
	trim(t, x);
}

/* ---- the TU's bytes in the arena ----------------------------------------------- */

int vox_sip_arena_put(struct vox_sip_txl *t, const void *p, size_t len, uint16_t *at)
{
	if (!t || !at || (len && !p))
		return VOX_EINVAL;
	*at = NOCHUNK;
	if (len > 65535)
		return VOX_ETOOLONG;
	/* what the TU keeps matters more than what only lingers */
	while (t->chunks_free < vox_sip_chunks_for(len) && evict(t) == 0)
		;
	return arena_put(t, p, len, at);
}

void vox_sip_arena_get(const struct vox_sip_txl *t, uint16_t at, size_t len, void *out)
{
	arena_get(t, at, len, out);
}

void vox_sip_arena_drop(struct vox_sip_txl *t, uint16_t *at)
{
	if (t && at && *at < t->nchunks)
		arena_drop(t, at);
	else if (at)
		*at = NOCHUNK;
}

/* ---- input, output, time ------------------------------------------------------ */

static int recv_msg(struct vox_sip_txl *t, const struct vox_sip_msg *m, const struct vox_peer *from,
                    uint64_t now, vox_sip_txn_id *id, int must)
{
	if (!t || !m || !from || !id)
		return VOX_EINVAL;
	*id = 0;
	if (!m->status)
		return server_request(t, m, from, now, id, must);
	struct vox_sip_via v;
	struct vox_sip_cseq cs;
	struct match mt;
	if (top_via_cseq(m, &v, &cs))
		return VOX_EMALFORMED;
	if (client_match(v.branch, cs.method, &mt))
		return VOX_TXL_STRAY_RESPONSE; /* longer than any branch of ours */
	struct vox_sip_txn *x = find(t, &mt);
	if (x && (x->kind == VOX_TXN_ICT || x->kind == VOX_TXN_NICT)) {
		*id = make_id(t, x);
		return client_response(t, x, m, now);
	}
	return VOX_TXL_STRAY_RESPONSE;
}

int vox_sip_txl_recv(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                     const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id)
{
	return recv_msg(t, m, from, now, id, 0);
}

int vox_sip_txl_recv_must(struct vox_sip_txl *t, const struct vox_sip_msg *m,
                          const struct vox_peer *from, uint64_t now, vox_sip_txn_id *id)
{
	return recv_msg(t, m, from, now, id, 1);
}

int vox_sip_txl_poll_output(struct vox_sip_txl *t, char *buf, size_t cap, struct vox_peer *to)
{
	return vox_sip_txl_poll_output_id(t, buf, cap, to, NULL);
}

int vox_sip_txl_poll_output_id(struct vox_sip_txl *t, char *buf, size_t cap, struct vox_peer *to,
                               vox_sip_txn_id *id)
{
	if (t->nspill) {
		if (t->spill[0].len > cap)
			return VOX_ENOSPC;
		size_t n = t->spill[0].len;
		arena_get(t, t->spill[0].at, n, buf);
		arena_drop(t, &t->spill[0].at);
		*to = t->spill[0].to;
		if (id)
			*id = t->spill[0].id;
		if (--t->nspill)
			t->spill[0] = t->spill[1];
		return (int)n;
	}
	if (!t->phead)
		return 0;
	struct vox_sip_txn *x = &t->pool[t->phead - 1];
	if (x->len > cap)
		return VOX_ENOSPC;
	size_t n = x->len;
	arena_get(t, x->msg_at, n, buf);
	*to = x->peer;
	if (id)
		*id = make_id(t, x);
	unqueue(t, x);
	trim(t, x); /* sent: kept only if a retransmission may need it */
	return (int)n;
}

uint64_t vox_sip_txl_next_deadline(const struct vox_sip_txl *t)
{
	return t->nheap ? due(heap_at(t, 0)) : NEVER;
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
	arm(t, x);
}

/* Does x's end raise an event (a timeout the TU must hear of)? */
static int ends_loud(const struct vox_sip_txn *x)
{
	return (x->kind == VOX_TXN_ICT && x->state == VOX_TXN_CALLING) ||
	       (x->kind == VOX_TXN_NICT &&
	        (x->state == VOX_TXN_TRYING || x->state == VOX_TXN_PROCEEDING)) ||
	       (x->kind == VOX_TXN_IST && x->state == VOX_TXN_COMPLETED);
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
	/* the top of the heap, for as long as it is due: each step ends a
	 * transaction or moves its deadline past now */
	while (t->nheap) {
		struct vox_sip_txn *x = heap_at(t, 0);
		if (due(x) > now)
			break;
		if (x->t_end <= now && ends_loud(x) && t->ev_len == VOX_SIP_TXL_QUEUE)
			break; /* no room for its event: it stays due until drained */
		if (x->t_end <= now)
			expire(t, x);
		else
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
