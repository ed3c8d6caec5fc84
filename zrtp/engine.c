/* SPDX-License-Identifier: MIT */
/* The ZRTP engine, DH mode (RFC 6189 section 4): discovery, commit
 * contention, the DH exchange, the Confirm messages, retransmission and
 * the Error messages of 5.9. Sans-I/O: packets and time in, packets,
 * deadlines and events out. */
#include <string.h>

#include "zrtp/zrtp_proto.h"

#if VOX_WITH_ZRTP

#define MSG_HDR 12u /* preamble, length, type block */

static const char *const state_names[] = {"idle",
                                          "discovery",
                                          "commit sent",
                                          "waiting for DHPart2",
                                          "waiting for Confirm1",
                                          "waiting for Confirm2",
                                          "waiting for Conf2ACK",
                                          "secure",
                                          "failed"};

const char *vox_zrtp_state_name(enum vox_zrtp_state s)
{
	if ((unsigned)s >= sizeof state_names / sizeof state_names[0])
		return "?";
	return state_names[s];
}

void vox_zrtp_config_default(struct vox_zrtp_config *c)
{
	memset(c, 0, sizeof *c);
	vox_zrtp_algs_default(&c->algs);
	memset(c->client_id, ' ', sizeof c->client_id);
	memcpy(c->client_id, "vox", 3);
	/* RFC 6189 6 */
	c->t1_ms = 50;
	c->t1_cap_ms = 200;
	c->t1_max = 20;
	c->t2_ms = 150;
	c->t2_cap_ms = 1200;
	c->t2_max = 10;
}

void vox_zrtp_init(struct vox_zrtp *z)
{
	memset(z, 0, sizeof *z);
}

void vox_zrtp_free(struct vox_zrtp *z)
{
	if (!z)
		return;
	zrtp_kp_wipe(&z->kp);
	zrtp_keys_wipe(&z->keys);
	vox_wipe(z->h, sizeof z->h);
	vox_wipe(z->confirm, sizeof z->confirm);
	vox_wipe(&z->sec, sizeof z->sec);
	vox_wipe(z->s1, sizeof z->s1);
	vox_wipe(z->ms_sess, sizeof z->ms_sess);
}

/* ---- queues ------------------------------------------------------------------------ */

static void push_out(struct vox_zrtp *z, enum vox_zrtp_msg kind, uint32_t code)
{
	if (z->out_n == VOX_ZRTP_OUT_QUEUE) {
		z->st.out_dropped++;
		return;
	}
	struct vox_zrtp_out *o = &z->out[(z->out_head + z->out_n) % VOX_ZRTP_OUT_QUEUE];
	o->kind = (uint8_t)kind;
	o->code = code;
	z->out_n++;
}

static struct vox_zrtp_event *push_ev(struct vox_zrtp *z, enum vox_zrtp_ev_type t)
{
	if (z->ev_n == VOX_ZRTP_EV_QUEUE) {
		z->st.ev_dropped++;
		return NULL;
	}
	struct vox_zrtp_event *e = &z->ev[(z->ev_head + z->ev_n) % VOX_ZRTP_EV_QUEUE];
	memset(e, 0, sizeof *e);
	e->type = t;
	z->ev_n++;
	return e;
}

int vox_zrtp_next_event(struct vox_zrtp *z, struct vox_zrtp_event *ev)
{
	if (z->ev_n == 0)
		return 0;
	*ev = z->ev[z->ev_head];
	z->ev_head = (uint8_t)((z->ev_head + 1) % VOX_ZRTP_EV_QUEUE);
	z->ev_n--;
	return 1;
}

/* ---- timers (6) ------------------------------------------------------------------------ */

/* Starts retransmitting kind (Hello on T1, the others on T2). */
static void rt_start(struct vox_zrtp *z, enum vox_zrtp_msg kind, uint32_t code, uint64_t now)
{
	z->rt_kind = (uint8_t)kind;
	z->rt_code = code;
	z->rt_count = 0;
	z->rt_interval = kind == VOX_ZRTP_HELLO ? z->cfg.t1_ms : z->cfg.t2_ms;
	z->rt_due = now + z->rt_interval;
}

static void rt_stop(struct vox_zrtp *z)
{
	z->rt_kind = 0;
	z->rt_due = UINT64_MAX;
}

uint64_t vox_zrtp_next_deadline(const struct vox_zrtp *z)
{
	return z->rt_kind ? z->rt_due : UINT64_MAX;
}

static void fail(struct vox_zrtp *z, uint32_t code, int by_peer)
{
	z->state = VOX_ZRTP_ST_FAILED;
	struct vox_zrtp_event *e = push_ev(z, VOX_ZRTP_EV_FAILED);
	if (e) {
		e->code = code;
		e->by_peer = (uint8_t)by_peer;
	}
	zrtp_kp_wipe(&z->kp);
	zrtp_keys_wipe(&z->keys);
}

/* 5.9: we end the session with an Error, retransmitted on T2 until the
 * peer's ErrorACK. */
static void send_error(struct vox_zrtp *z, uint32_t code, uint64_t now)
{
	push_out(z, VOX_ZRTP_ERROR, code);
	rt_start(z, VOX_ZRTP_ERROR, code, now);
	fail(z, code, 0);
}

/* The responder sends nothing on its own (6): it waits for the
 * initiator's next message. Its watchdog allows as long as the initiator
 * retransmits on T2 (all its retransmissions and one interval more);
 * past it the initiator is gone. */
#define RT_WATCHDOG 0xff

static void watchdog_start(struct vox_zrtp *z, uint64_t now)
{
	uint64_t total = 0, iv = z->cfg.t2_ms;
	for (uint32_t i = 0; i <= z->cfg.t2_max + 1; i++) {
		total += iv;
		iv = iv * 2 > z->cfg.t2_cap_ms ? z->cfg.t2_cap_ms : iv * 2;
	}
	z->rt_kind = RT_WATCHDOG;
	z->rt_count = 0;
	z->rt_due = now + total;
}

void vox_zrtp_on_deadline(struct vox_zrtp *z, uint64_t now)
{
	if (!z->rt_kind || now < z->rt_due)
		return;
	if (z->rt_kind == RT_WATCHDOG) {
		rt_stop(z);
		push_out(z, VOX_ZRTP_ERROR, VOX_ZRTP_ERR_TIMEOUT);
		fail(z, VOX_ZRTP_ERR_TIMEOUT, 0);
		return;
	}
	int hello = z->rt_kind == VOX_ZRTP_HELLO;
	uint32_t max = hello ? z->cfg.t1_max : z->cfg.t2_max;
	uint32_t cap = hello ? z->cfg.t1_cap_ms : z->cfg.t2_cap_ms;
	if (z->rt_count >= max) {
		enum vox_zrtp_msg k = (enum vox_zrtp_msg)z->rt_kind;
		rt_stop(z);
		if (k == VOX_ZRTP_ERROR)
			return; /* the session already failed; the peer never acknowledged */
		/* the peer stopped answering: say so once (5.9, 0xB0) and give up */
		if (!hello)
			push_out(z, VOX_ZRTP_ERROR, VOX_ZRTP_ERR_TIMEOUT);
		fail(z, VOX_ZRTP_ERR_TIMEOUT, 0);
		return;
	}
	push_out(z, (enum vox_zrtp_msg)z->rt_kind, z->rt_code);
	z->rt_count++;
	z->rt_interval = z->rt_interval * 2 > cap ? cap : z->rt_interval * 2;
	z->rt_due = now + z->rt_interval;
}

/* ---- building our messages ------------------------------------------------------------- */

/* Prints a message (with a zero MAC), keeps it from its preamble on in
 * dst, and fills its MAC with key (NULL: the message has none). */
static int keep(const struct vox_zrtp_packet *p, uint8_t *dst, size_t cap, uint16_t *len,
                const uint8_t *mac_key)
{
	uint8_t pkt[VOX_ZRTP_HDR_LEN + VOX_ZRTP_DH_MSG_MAX + VOX_ZRTP_CRC_LEN];
	int n = vox_zrtp_print(p, pkt, sizeof pkt);
	if (n < 0)
		return n;
	size_t m = (size_t)n - VOX_ZRTP_HDR_LEN - VOX_ZRTP_CRC_LEN;
	if (m > cap)
		return VOX_ENOSPC;
	memcpy(dst, pkt + VOX_ZRTP_HDR_LEN, m);
	*len = (uint16_t)m;
	return mac_key ? zrtp_msg_mac_set(mac_key, dst, m) : 0;
}

static int build_hello(struct vox_zrtp *z)
{
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = VOX_ZRTP_HELLO;
	struct vox_zrtp_hello *h = &p.u.hello;
	h->version = (const uint8_t *)"1.10";
	h->client_id = z->cfg.client_id;
	h->h3 = z->h[3];
	h->zid = z->cfg.zid;
	h->mitm = z->cfg.mitm ? 1 : 0;
	memcpy(h->n, z->cfg.algs.n, sizeof h->n);
	memcpy(h->alg, z->cfg.algs.alg, sizeof h->alg);
	if (z->multi) {
		if (h->n[VOX_ZRTP_T_KEYAGR] >= VOX_ZRTP_MAX_ALGS)
			return VOX_EINVAL;
		h->alg[VOX_ZRTP_T_KEYAGR][h->n[VOX_ZRTP_T_KEYAGR]++] = VOX_ZRTP_MULT;
	}
	/* 5.2: the Hello's MAC is keyed with H2, revealed in Commit or DHPart1 */
	return keep(&p, z->own_hello, sizeof z->own_hello, &z->own_hello_len, z->h[2]);
}

/* 4.3.1: the IDs of our retained secrets for this peer, MACs of them
 * under our role; where we have none (and for the auxiliary and PBX
 * secrets, which vox does not use) random bytes that match nothing. */
static int build_dhpart(struct vox_zrtp *z, enum vox_zrtp_msg type)
{
	uint8_t ids[4][VOX_ZRTP_ID_LEN];
	if (z->rng.fn(z->rng.ctx, &ids[0][0], sizeof ids) != 0)
		return VOX_ERNG;
	int ini = type == VOX_ZRTP_DHPART2;
	for (int i = 0; i < 2; i++) {
		uint8_t have = i ? VOX_ZRTP_RS2 : VOX_ZRTP_RS1;
		if (!z->known_peer || !(z->sec.flags & have))
			continue;
		int rc = zrtp_secret_id(z->chosen[VOX_ZRTP_T_HASH], i ? z->sec.rs2 : z->sec.rs1,
		                        VOX_ZRTP_RS_LEN, ini, ids[i]);
		if (rc < 0)
			return rc;
	}
	/* 7.3.1: pbxsecretID, the ID of the trusted MitM key we share with
	 * this peer (an enrolled PBX, or on a PBX an enrolled client) */
	if (z->sec.flags & VOX_ZRTP_PBX) {
		int rc = zrtp_secret_id(z->chosen[VOX_ZRTP_T_HASH], z->sec.pbx, VOX_ZRTP_RS_LEN,
		                        ini, ids[3]);
		if (rc < 0)
			return rc;
	}
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = type;
	p.u.dh.h1 = z->h[1];
	p.u.dh.rs1_id = ids[0];
	p.u.dh.rs2_id = ids[1];
	p.u.dh.aux_id = ids[2];
	p.u.dh.pbx_id = ids[3];
	p.u.dh.pv = z->kp.pv;
	p.u.dh.pv_len = z->kp.pv_len;
	uint8_t *dst = type == VOX_ZRTP_DHPART1 ? z->dh1 : z->dh2;
	uint16_t *len = type == VOX_ZRTP_DHPART1 ? &z->dh1_len : &z->dh2_len;
	/* 5.5, 5.6: keyed with H0, revealed in Confirm */
	return keep(&p, dst, VOX_ZRTP_DH_MSG_MAX, len, z->h[0]);
}

/* Our key pair for the chosen key agreement and cipher (5.1.5). One we
 * made for our own Commit and kept when the peer's Commit won is used as
 * it is: 4.1.2 makes both sides choose alike so that the loser of a
 * commit contention need not throw its DH work away. */
static int make_keypair(struct vox_zrtp *z)
{
	uint32_t ka = z->chosen[VOX_ZRTP_T_KEYAGR];
	size_t n = zrtp_secret_len(ka, zrtp_cipher_key_len(z->chosen[VOX_ZRTP_T_CIPHER]));
	uint8_t sv[VOX_ZRTP_SECRET_MAX];
	if (!n || n > sizeof sv)
		return VOX_EUNSUPPORTED;
	if (z->kp.ka == ka && z->kp.sv_len == n)
		return 0;
	zrtp_kp_wipe(&z->kp);
	if (z->rng.fn(z->rng.ctx, sv, n) != 0)
		return VOX_ERNG;
	int rc = zrtp_kp_make(&z->kp, ka, sv, n, &z->rng);
	vox_wipe(sv, sizeof sv);
	return rc;
}

static struct zrtp_part part(const uint8_t *p, size_t n)
{
	struct zrtp_part x = {p, n};
	return x;
}

/* 4.4.3.2: in Multistream mode s0 = KDF(ZRTPSess, "ZRTP MSK",
 * KDF_Context, hash length), total_hash covering only the responder's
 * Hello and the Commit. */
static int derive_multi(struct vox_zrtp *z)
{
	uint32_t hash = z->chosen[VOX_ZRTP_T_HASH];
	size_t hl = zrtp_hash_len(hash);
	const uint8_t *hello_r = z->initiator ? z->peer_hello : z->own_hello;
	size_t hello_r_len = z->initiator ? z->peer_hello_len : z->own_hello_len;
	struct zrtp_part in[2] = {{hello_r, hello_r_len}, {z->commit, z->commit_len}};
	uint8_t th[VOX_ZRTP_HASH_MAX], ctx[VOX_ZRTP_CTX_MAX], s0[VOX_ZRTP_HASH_MAX];
	const uint8_t *zidi = z->initiator ? z->cfg.zid : z->peer_zid;
	const uint8_t *zidr = z->initiator ? z->peer_zid : z->cfg.zid;
	int rc = zrtp_hash(hash, in, 2, th);
	memcpy(ctx, zidi, VOX_ZRTP_ZID_LEN);
	memcpy(ctx + VOX_ZRTP_ZID_LEN, zidr, VOX_ZRTP_ZID_LEN);
	memcpy(ctx + 2 * VOX_ZRTP_ZID_LEN, th, hl);
	if (rc == 0)
		rc = zrtp_kdf(hash, z->ms_sess, hl, "ZRTP MSK", ctx, 2 * VOX_ZRTP_ZID_LEN + hl, hl,
		              s0);
	if (rc == 0)
		rc = zrtp_keys_derive(&z->keys, hash, z->chosen[VOX_ZRTP_T_CIPHER], s0, zidi, zidr,
		                      th);
	vox_wipe(s0, sizeof s0);
	return rc;
}

/* 5.4: a Commit in mode, with hvi (DH) or a nonce (Multistream), its MAC
 * keyed with our H1, kept for retransmission. */
static int keep_commit(struct vox_zrtp *z, uint8_t mode, const uint8_t *hvi, const uint8_t *nonce)
{
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = VOX_ZRTP_COMMIT;
	p.u.commit.h2 = z->h[2];
	p.u.commit.zid = z->cfg.zid;
	memcpy(p.u.commit.alg, z->chosen, sizeof z->chosen);
	p.u.commit.mode = mode;
	p.u.commit.hvi = hvi;
	p.u.commit.nonce = nonce;
	return keep(&p, z->commit, sizeof z->commit, &z->commit_len, z->h[1]);
}

/* 4.4.1.1: the initiator makes its DHPart2 first, then the Commit whose
 * hvi binds it to the responder's Hello. 4.4.3: a Multistream Commit
 * carries a random nonce instead of hvi. */
static int build_commit(struct vox_zrtp *z)
{
	if (z->multi) {
		uint8_t nonce[VOX_ZRTP_NONCE_LEN];
		if (z->rng.fn(z->rng.ctx, nonce, sizeof nonce) != 0)
			return VOX_ERNG;
		return keep_commit(z, VOX_ZRTP_MODE_MULTI, NULL, nonce);
	}
	int rc = make_keypair(z);
	if (rc == 0)
		rc = build_dhpart(z, VOX_ZRTP_DHPART2);
	uint8_t hvi[VOX_ZRTP_HVI_LEN];
	if (rc == 0)
		rc = zrtp_hvi(z->chosen[VOX_ZRTP_T_HASH], part(z->dh2, z->dh2_len),
		              part(z->peer_hello, z->peer_hello_len), hvi);
	if (rc < 0)
		return rc;
	return keep_commit(z, VOX_ZRTP_MODE_DH, hvi, NULL);
}

/* 5.7: Confirm1 (responder) or Confirm2 (initiator): our H0, the flags,
 * the cache expiry, encrypted with our ZRTP key; its MAC, keyed with our
 * MAC key, covers the encrypted part. V says the SAS was verified before
 * and the secrets continue; the expiry is "never" when we keep secrets,
 * 0 ("do not keep", 4.9) when we have no store. */
static int build_confirm(struct vox_zrtp *z, enum vox_zrtp_msg type)
{
	int ini = type == VOX_ZRTP_CONFIRM2;
	const uint8_t *zk = ini ? z->keys.zrtpkey_i : z->keys.zrtpkey_r;
	const uint8_t *mk = ini ? z->keys.mackey_i : z->keys.mackey_r;
	struct vox_zrtp_confirm_body b;
	memset(&b, 0, sizeof b);
	b.h0 = z->h[0];
	b.v = (uint8_t)(z->continuity == VOX_ZRTP_CONTINUES && (z->sec.flags & VOX_ZRTP_VERIFIED));
	b.expiry = z->cfg.store.save ? 0xffffffffu : 0;
	b.e = (uint8_t)(z->cfg.mitm && z->cfg.enroll); /* 7.3.1: a PBX asks to enroll */
	uint8_t plain[40], enc[40], iv[VOX_ZRTP_IV_LEN], mac[VOX_ZRTP_HASH_MAX];
	int n = vox_zrtp_confirm_body_print(&b, plain, sizeof plain);
	if (n < 0)
		return n;
	if (z->rng.fn(z->rng.ctx, iv, sizeof iv) != 0)
		return VOX_ERNG;
	int rc = zrtp_cfb(z->keys.cipher, 1, zk, iv, plain, (size_t)n, enc);
	vox_wipe(plain, sizeof plain);
	struct zrtp_part ep = {enc, (size_t)n};
	if (rc == 0)
		rc = zrtp_hmac(z->keys.hash, mk, z->keys.hl, &ep, 1, mac);
	if (rc < 0)
		return rc;
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = type;
	p.u.confirm.mac = mac;
	p.u.confirm.iv = iv;
	p.u.confirm.enc = enc;
	p.u.confirm.enc_len = (size_t)n;
	return keep(&p, z->confirm, sizeof z->confirm, &z->confirm_len, NULL);
}

/* ---- start ------------------------------------------------------------------------------ */

int vox_zrtp_start(struct vox_zrtp *z, const struct vox_zrtp_config *cfg, const struct vox_rng *rng,
                   uint64_t now)
{
	if (z->state != VOX_ZRTP_ST_IDLE)
		return VOX_ESTATE;
	if (!rng || !rng->fn || vox_zrtp_algs_check(&cfg->algs) != 0 || !cfg->t1_ms ||
	    !cfg->t2_ms || cfg->t1_cap_ms < cfg->t1_ms || cfg->t2_cap_ms < cfg->t2_ms)
		return VOX_EINVAL;
	z->cfg = *cfg;
	z->rng = *rng;
	uint8_t h0[VOX_ZRTP_H_LEN];
	if (rng->fn(rng->ctx, h0, sizeof h0) != 0)
		return VOX_ERNG;
	int rc = zrtp_chain_make(h0, z->h);
	vox_wipe(h0, sizeof h0);
	if (rc == 0)
		rc = build_hello(z);
	if (rc < 0)
		return rc;
	z->state = VOX_ZRTP_ST_DISCOVERY;
	push_out(z, VOX_ZRTP_HELLO, 0);
	rt_start(z, VOX_ZRTP_HELLO, 0, now);
	return 0;
}

int vox_zrtp_start_multistream(struct vox_zrtp *z, const struct vox_zrtp_config *cfg,
                               const struct vox_zrtp *first, const struct vox_rng *rng,
                               uint64_t now)
{
	if (z->state != VOX_ZRTP_ST_IDLE || first->state != VOX_ZRTP_ST_SECURE)
		return VOX_ESTATE;
	z->multi = 1;
	memcpy(z->ms_sess, first->keys.sess, sizeof z->ms_sess);
	memcpy(z->ms_alg, first->chosen, sizeof z->ms_alg);
	z->ms_alg[VOX_ZRTP_T_KEYAGR] = VOX_ZRTP_MULT;
	memcpy(z->ms_peer_zid, first->peer_zid, VOX_ZRTP_ZID_LEN);
	int rc = vox_zrtp_start(z, cfg, rng, now);
	if (rc < 0)
		vox_zrtp_free(z);
	return rc;
}

/* ---- output -------------------------------------------------------------------------------- */

/* The message bytes of a queued packet, built now if it is not kept. */
static size_t out_msg(struct vox_zrtp *z, const struct vox_zrtp_out *o, uint8_t *buf,
                      const uint8_t **msg)
{
	switch (o->kind) {
	case VOX_ZRTP_HELLO: *msg = z->own_hello; return z->own_hello_len;
	case VOX_ZRTP_COMMIT: *msg = z->commit; return z->commit_len;
	case VOX_ZRTP_DHPART1: *msg = z->dh1; return z->dh1_len;
	case VOX_ZRTP_DHPART2: *msg = z->dh2; return z->dh2_len;
	case VOX_ZRTP_CONFIRM1:
	case VOX_ZRTP_CONFIRM2: *msg = z->confirm; return z->confirm_len;
	case VOX_ZRTP_SASRELAY: *msg = z->relay; return z->relay_len;
	default: break;
	}
	/* the small ones: HelloACK, Conf2ACK, Error, ErrorACK, RelayACK */
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = (enum vox_zrtp_msg)o->kind;
	p.u.error_code = o->code;
	uint8_t pkt[64];
	int n = vox_zrtp_print(&p, pkt, sizeof pkt);
	if (n < 0)
		return 0;
	size_t m = (size_t)n - VOX_ZRTP_HDR_LEN - VOX_ZRTP_CRC_LEN;
	memcpy(buf, pkt + VOX_ZRTP_HDR_LEN, m);
	*msg = buf;
	return m;
}

int vox_zrtp_poll_output(struct vox_zrtp *z, uint8_t *out, size_t cap)
{
	while (z->out_n) {
		const struct vox_zrtp_out *o = &z->out[z->out_head];
		uint8_t small[32];
		const uint8_t *msg = NULL;
		size_t m = out_msg(z, o, small, &msg);
		size_t n = VOX_ZRTP_HDR_LEN + m + VOX_ZRTP_CRC_LEN;
		if (m == 0) { /* nothing to send for it (cannot happen): skip */
			z->out_head = (uint8_t)((z->out_head + 1) % VOX_ZRTP_OUT_QUEUE);
			z->out_n--;
			continue;
		}
		if (!out || cap < n)
			return VOX_ENOSPC;
		/* 5.1: a new sequence number for every packet, retransmissions too */
		zrtp_put16(out, 0x1000);
		zrtp_put16(out + 2, z->seq++);
		zrtp_put32(out + 4, VOX_ZRTP_MAGIC);
		zrtp_put32(out + 8, z->cfg.ssrc);
		memcpy(out + VOX_ZRTP_HDR_LEN, msg, m);
		if (vox_zrtp_seal(out, n) < 0)
			return VOX_EINVAL;
		z->out_head = (uint8_t)((z->out_head + 1) % VOX_ZRTP_OUT_QUEUE);
		z->out_n--;
		z->st.tx++;
		return (int)n;
	}
	return 0;
}

static void load_secrets(struct vox_zrtp *z);

/* ---- receiving -------------------------------------------------------------------------------- */

static int copy_msg(const struct vox_zrtp_packet *p, uint8_t *dst, size_t cap, uint16_t *len)
{
	if (p->msg_len > cap)
		return VOX_ETOOLONG;
	memcpy(dst, p->msg, p->msg_len);
	*len = (uint16_t)p->msg_len;
	return 0;
}

/* Sends Commit once both Hellos are known and ours is acknowledged (4.2). */
static void maybe_commit(struct vox_zrtp *z, uint64_t now)
{
	if (z->state != VOX_ZRTP_ST_DISCOVERY || !z->have_peer_hello || !z->hello_acked ||
	    z->cfg.passive)
		return;
	int rc = build_commit(z);
	if (rc < 0) {
		send_error(z, VOX_ZRTP_ERR_SOFTWARE, now);
		return;
	}
	z->initiator = 1;
	if (z->multi && derive_multi(z) < 0) {
		send_error(z, VOX_ZRTP_ERR_SOFTWARE, now);
		return;
	}
	z->state = VOX_ZRTP_ST_COMMIT_SENT;
	push_out(z, VOX_ZRTP_COMMIT, 0);
	rt_start(z, VOX_ZRTP_COMMIT, 0, now);
}

static int hello_hash_ok(const struct vox_zrtp *z, const uint8_t *msg, size_t len)
{
	uint8_t h[32];
	struct zrtp_part hp = {msg, len};
	return zrtp_hash(VOX_ZRTP_S256, &hp, 1, h) == 0 && zrtp_ct_eq(h, z->want_hello_hash, 32);
}

int vox_zrtp_expect_hello_hash(struct vox_zrtp *z, struct vox_slice value)
{
	uint8_t h[32];
	if (value.len < 5 || memcmp(value.p, "1.10 ", 5) != 0)
		return value.len >= 5 && value.p[1] == '.' && value.p[4] == ' ' ? VOX_EVERSION
		                                                                : VOX_EMALFORMED;
	struct vox_slice hex = {value.p + 5, value.len - 5};
	if (hex.len != 64 || vox_hex_decode(hex, h, sizeof h) != 32)
		return VOX_EMALFORMED;
	memcpy(z->want_hello_hash, h, 32);
	z->have_want_hash = 1;
	if (z->have_peer_hello && z->state != VOX_ZRTP_ST_FAILED &&
	    !hello_hash_ok(z, z->peer_hello, z->peer_hello_len)) {
		/* the exchange already rests on that Hello: end it, without an
		 * Error to whoever changed it */
		push_ev(z, VOX_ZRTP_EV_HELLO_HASH_MISMATCH);
		rt_stop(z);
		fail(z, VOX_ZRTP_ERR_HELLO_MISMATCH, 0);
	}
	return 0;
}

int vox_zrtp_own_hello_hash(const struct vox_zrtp *z, char *out, size_t cap)
{
	if (z->state == VOX_ZRTP_ST_IDLE)
		return VOX_ESTATE;
	return vox_zrtp_hello_hash(z->own_hello, z->own_hello_len, out, cap);
}

static void on_hello(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_hello *h = &p->u.hello;
	if (z->state == VOX_ZRTP_ST_FAILED)
		return;
	/* 8.1: not the Hello the signalling announced; checked first, so
	 * that nothing in a changed Hello makes us act */
	if (z->have_want_hash && !hello_hash_ok(z, p->msg, p->msg_len)) {
		z->st.bad_chain++;
		push_ev(z, VOX_ZRTP_EV_HELLO_HASH_MISMATCH);
		return;
	}
	/* 4.1.1: one version, 1.10. A peer at a higher version sees ours and
	 * comes down to it; a lower one vox cannot speak. */
	if (memcmp(h->version, "1.10", 4) != 0) {
		if (memcmp(h->version, "1.10", 4) < 0)
			send_error(z, VOX_ZRTP_ERR_VERSION, now);
		else
			z->st.unexpected++;
		return;
	}
	if (memcmp(h->zid, z->cfg.zid, VOX_ZRTP_ZID_LEN) == 0) {
		send_error(z, VOX_ZRTP_ERR_EQUAL_ZID, now);
		return;
	}
	if (z->have_peer_hello) {
		/* a retransmission: it must be the same Hello */
		if (p->msg_len != z->peer_hello_len ||
		    memcmp(p->msg, z->peer_hello, p->msg_len) != 0) {
			z->st.unexpected++;
			return;
		}
		push_out(z, VOX_ZRTP_HELLOACK, 0);
		return;
	}
	struct zrtp_choice c;
	uint32_t err = zrtp_negotiate(&z->cfg.algs, h, &c);
	if (err) {
		send_error(z, err, now);
		return;
	}
	if (copy_msg(p, z->peer_hello, sizeof z->peer_hello, &z->peer_hello_len) < 0) {
		z->st.malformed++;
		return;
	}
	memcpy(z->chosen, c.alg, sizeof z->chosen);
	if (z->multi) {
		/* 4.4.3: the same peer, offering Multistream, and the first
		 * stream's algorithms */
		int mult = 0;
		for (int i = 0; i < h->n[VOX_ZRTP_T_KEYAGR]; i++)
			mult |= h->alg[VOX_ZRTP_T_KEYAGR][i] == VOX_ZRTP_MULT;
		if (!mult || memcmp(h->zid, z->ms_peer_zid, VOX_ZRTP_ZID_LEN) != 0) {
			send_error(z, VOX_ZRTP_ERR_NO_SECRET, now);
			return;
		}
		memcpy(z->chosen, z->ms_alg, sizeof z->chosen);
	}
	memcpy(z->ph[3], h->h3, VOX_ZRTP_H_LEN);
	memcpy(z->peer_zid, h->zid, VOX_ZRTP_ZID_LEN);
	z->have_peer_hello = 1;
	z->peer_mitm = h->mitm;
	if (h->mitm)
		push_ev(z, VOX_ZRTP_EV_PBX); /* 7.3: said to the user at once */
	load_secrets(z);
	push_out(z, VOX_ZRTP_HELLOACK, 0);
	maybe_commit(z, now);
}

/* The peer's retained secrets, if the store knows it (4.3). */
static void load_secrets(struct vox_zrtp *z)
{
	memset(&z->sec, 0, sizeof z->sec);
	z->known_peer = 0;
	if (z->cfg.store.load && z->cfg.store.load(z->cfg.store.ctx, z->peer_zid, &z->sec) == 1 &&
	    memcmp(z->sec.zid, z->peer_zid, VOX_ZRTP_ZID_LEN) == 0)
		z->known_peer = (z->sec.flags & VOX_ZRTP_RS1) != 0;
	else
		memset(&z->sec, 0, sizeof z->sec);
	/* a store may hand back a PBX key alone (its retained secrets
	 * expired, 4.9): keep only what a flag says is there */
	if (!z->known_peer)
		z->sec.flags &= VOX_ZRTP_PBX;
	memcpy(z->sec.zid, z->peer_zid, VOX_ZRTP_ZID_LEN);
}

/* 4.3.1: which retained secret both sides share, from the IDs in the
 * peer's DHPart. The peer's IDs are MACs of its rs1 and rs2 under its
 * role; ours, computed under its role, are equal where the secret is.
 * The pairs are tried in one order both sides see alike: (initiator's
 * rs1, responder's rs1), (rs1, rs2), (rs2, rs1), (rs2, rs2). */
static void match_secrets(struct vox_zrtp *z, const struct vox_zrtp_dhpart *d)
{
	const uint8_t *theirs[2] = {d->rs1_id, d->rs2_id};
	const uint8_t *mine[2] = {(z->sec.flags & VOX_ZRTP_RS1) ? z->sec.rs1 : NULL,
	                          (z->sec.flags & VOX_ZRTP_RS2) ? z->sec.rs2 : NULL};
	z->have_s1 = 0;
	for (int k = 0; z->known_peer && k < 4 && !z->have_s1; k++) {
		int ini = k >> 1, res = k & 1;
		int my = z->initiator ? ini : res, th = z->initiator ? res : ini;
		uint8_t id[VOX_ZRTP_ID_LEN];
		if (!mine[my] || zrtp_secret_id(z->chosen[VOX_ZRTP_T_HASH], mine[my],
		                                VOX_ZRTP_RS_LEN, !z->initiator, id) < 0)
			continue;
		if (zrtp_ct_eq(id, theirs[th], VOX_ZRTP_ID_LEN)) {
			memcpy(z->s1, mine[my], VOX_ZRTP_RS_LEN);
			z->have_s1 = 1;
		}
	}
	/* 7.3.1: the peer's pbxsecretID against ours under its role */
	z->pbx_trusted = 0;
	if (z->sec.flags & VOX_ZRTP_PBX) {
		uint8_t id[VOX_ZRTP_ID_LEN];
		if (zrtp_secret_id(z->chosen[VOX_ZRTP_T_HASH], z->sec.pbx, VOX_ZRTP_RS_LEN,
		                   !z->initiator, id) == 0 &&
		    zrtp_ct_eq(id, d->pbx_id, VOX_ZRTP_ID_LEN))
			z->pbx_trusted = 1;
	}
	/* 4.3.2: a peer we never met is new; one we knew whose secrets do
	 * not match is a cache mismatch, and its SAS must be compared anew */
	z->continuity = !z->known_peer ? VOX_ZRTP_NEW_PEER
	                : z->have_s1   ? VOX_ZRTP_CONTINUES
	                               : VOX_ZRTP_CACHE_MISMATCH;
}

/* 4.6.1: after an exchange, rs2 takes the old rs1 and rs1 the new
 * retained secret; the verified flag survives only where the secrets
 * continued. Not kept when the peer asked for an expiry of 0 (4.9). */
static void save_secrets(struct vox_zrtp *z)
{
	if (!z->cfg.store.save || z->peer_expiry_zero)
		return;
	struct vox_zrtp_secrets n;
	memset(&n, 0, sizeof n);
	memcpy(n.zid, z->peer_zid, VOX_ZRTP_ZID_LEN);
	if (z->known_peer) {
		memcpy(n.rs2, z->sec.rs1, VOX_ZRTP_RS_LEN);
		n.flags |= VOX_ZRTP_RS2;
	}
	memcpy(n.rs1, z->keys.rs1, VOX_ZRTP_RS_LEN);
	n.flags |= VOX_ZRTP_RS1;
	if (z->continuity == VOX_ZRTP_CONTINUES && (z->sec.flags & VOX_ZRTP_VERIFIED))
		n.flags |= VOX_ZRTP_VERIFIED;
	/* 4.9: the smaller of the two expiry intervals (ours is "never") */
	n.expiry = z->peer_expiry;
	/* a PBX key is not rotated with the retained secrets (7.3.1) */
	if (z->sec.flags & VOX_ZRTP_PBX) {
		memcpy(n.pbx, z->sec.pbx, VOX_ZRTP_RS_LEN);
		n.flags |= VOX_ZRTP_PBX;
	}
	(void)z->cfg.store.save(z->cfg.store.ctx, &n);
	z->sec = n;
	vox_wipe(&n, sizeof n);
}

int vox_zrtp_set_verified(struct vox_zrtp *z, int verified)
{
	if (z->state != VOX_ZRTP_ST_SECURE)
		return VOX_ESTATE;
	if (verified)
		z->sec.flags |= VOX_ZRTP_VERIFIED;
	else
		z->sec.flags &= (uint8_t)~VOX_ZRTP_VERIFIED;
	if (!z->cfg.store.save || z->peer_expiry_zero || !(z->sec.flags & VOX_ZRTP_RS1))
		return 0;
	return z->cfg.store.save(z->cfg.store.ctx, &z->sec);
}

static void hello_acknowledged(struct vox_zrtp *z, uint64_t now)
{
	if (z->hello_acked)
		return;
	z->hello_acked = 1;
	if (z->rt_kind == VOX_ZRTP_HELLO)
		rt_stop(z);
	maybe_commit(z, now);
}

/* 4.2: when both sent a Commit, the one with the larger hvi initiates. */
static int peer_wins(const uint8_t *ours, const uint8_t *theirs)
{
	return memcmp(theirs, ours, VOX_ZRTP_HVI_LEN) > 0;
}

static int build_confirm(struct vox_zrtp *z, enum vox_zrtp_msg type);

/* A Multistream Commit whose chain and Hello MAC checked (4.4.3). */
static void on_commit_multi(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_commit *c = &p->u.commit;
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
		if (c->alg[t] != z->ms_alg[t]) {
			send_error(z, VOX_ZRTP_ERR_HELLO_MISMATCH, now);
			return;
		}
	if (z->state == VOX_ZRTP_ST_COMMIT_SENT) {
		/* both committed (4.2): the larger nonce initiates */
		const uint8_t *ours =
		    z->commit + z->commit_len - VOX_ZRTP_MAC_LEN - VOX_ZRTP_NONCE_LEN;
		if (memcmp(c->nonce, ours, VOX_ZRTP_NONCE_LEN) <= 0)
			return;
		z->initiator = 0;
	}
	memcpy(z->ph[2], c->h2, VOX_ZRTP_H_LEN);
	if (copy_msg(p, z->commit, sizeof z->commit, &z->commit_len) < 0) {
		z->st.malformed++;
		return;
	}
	z->hello_acked = 1;
	if (derive_multi(z) < 0 || build_confirm(z, VOX_ZRTP_CONFIRM1) < 0) {
		send_error(z, VOX_ZRTP_ERR_SOFTWARE, now);
		return;
	}
	z->state = VOX_ZRTP_ST_WAIT_CONFIRM2;
	watchdog_start(z, now);
	push_out(z, VOX_ZRTP_CONFIRM1, 0);
}

static void on_commit(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_commit *c = &p->u.commit;
	if (!z->have_peer_hello) {
		z->st.unexpected++; /* its H2 cannot be checked yet: the peer retransmits */
		return;
	}
	/* a retransmission of the Commit we answered: answer again */
	if (!z->initiator && z->commit_len && p->msg_len == z->commit_len &&
	    memcmp(p->msg, z->commit, p->msg_len) == 0) {
		if (z->state == VOX_ZRTP_ST_WAIT_DHPART2)
			push_out(z, VOX_ZRTP_DHPART1, 0);
		else if (z->multi && z->state == VOX_ZRTP_ST_WAIT_CONFIRM2)
			push_out(z, VOX_ZRTP_CONFIRM1, 0);
		else
			z->st.unexpected++; /* replayed after the exchange: changes nothing */
		return;
	}
	if (z->state != VOX_ZRTP_ST_DISCOVERY && z->state != VOX_ZRTP_ST_COMMIT_SENT) {
		z->st.unexpected++; /* a replayed or second Commit changes nothing */
		return;
	}
	/* 9: H2 hashes to the H3 of the peer's Hello, and opens that Hello's MAC */
	if (!zrtp_chain_check(c->h2, z->ph[3], 1) ||
	    !zrtp_msg_mac_ok(c->h2, z->peer_hello, z->peer_hello_len) ||
	    memcmp(c->zid, z->peer_zid, VOX_ZRTP_ZID_LEN) != 0) {
		z->st.bad_chain++;
		return;
	}
	if (c->mode == VOX_ZRTP_MODE_MULTI && z->multi) {
		on_commit_multi(z, p, now);
		return;
	}
	if (c->mode != VOX_ZRTP_MODE_DH || z->multi) {
		/* 5.9: Multistream without a first stream: DH mode is required;
		 * Preshared is not implemented; a Multistream stream takes no DH */
		send_error(z,
		           c->mode == VOX_ZRTP_MODE_MULTI ? VOX_ZRTP_ERR_NO_SECRET
		                                          : VOX_ZRTP_ERR_KEYAGR,
		           now);
		return;
	}
	static const uint32_t errs[VOX_ZRTP_T_COUNT] = {VOX_ZRTP_ERR_HASH, VOX_ZRTP_ERR_CIPHER,
	                                                VOX_ZRTP_ERR_AUTH, VOX_ZRTP_ERR_KEYAGR,
	                                                VOX_ZRTP_ERR_SAS};
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
		if (!zrtp_offered(&z->cfg.algs, t, c->alg[t])) {
			send_error(z, errs[t], now);
			return;
		}
	if (z->state == VOX_ZRTP_ST_COMMIT_SENT) {
		/* both committed (4.2): our Commit's hvi sits at its end, before the MAC */
		const uint8_t *ours =
		    z->commit + z->commit_len - VOX_ZRTP_MAC_LEN - VOX_ZRTP_HVI_LEN;
		if (!peer_wins(ours, c->hvi))
			return;   /* ours stands; the peer becomes the responder */
		z->initiator = 0; /* our key pair stays, for DHPart1 if it fits */
	}
	/* we are the responder */
	memcpy(z->ph[2], c->h2, VOX_ZRTP_H_LEN);
	memcpy(z->chosen, c->alg, sizeof z->chosen);
	if (copy_msg(p, z->commit, sizeof z->commit, &z->commit_len) < 0) {
		z->st.malformed++;
		return;
	}
	z->hello_acked = 1; /* a Commit acknowledges our Hello */
	int rc = make_keypair(z);
	if (rc == 0)
		rc = build_dhpart(z, VOX_ZRTP_DHPART1);
	if (rc < 0) {
		send_error(z, rc == VOX_EUNSUPPORTED ? VOX_ZRTP_ERR_KEYAGR : VOX_ZRTP_ERR_SOFTWARE,
		           now);
		return;
	}
	z->state = VOX_ZRTP_ST_WAIT_DHPART2;
	watchdog_start(z, now); /* the responder only answers; the initiator retransmits */
	push_out(z, VOX_ZRTP_DHPART1, 0);
}

/* The DH result and every key, once both DHParts are known (4.4.1). */
static int derive(struct vox_zrtp *z, const uint8_t *peer_pv, size_t pv_len)
{
	uint8_t dh[VOX_ZRTP_PV_MAX], th[VOX_ZRTP_HASH_MAX], s0[VOX_ZRTP_HASH_MAX];
	uint32_t hash = z->chosen[VOX_ZRTP_T_HASH];
	int rc = zrtp_kp_shared(&z->kp, peer_pv, pv_len, dh, &z->rng);
	size_t dl = zrtp_shared_len(z->kp.ka);
	const uint8_t *hello_r = z->initiator ? z->peer_hello : z->own_hello;
	size_t hello_r_len = z->initiator ? z->peer_hello_len : z->own_hello_len;
	if (rc == 0)
		rc = zrtp_total_hash(hash, part(hello_r, hello_r_len),
		                     part(z->commit, z->commit_len), part(z->dh1, z->dh1_len),
		                     part(z->dh2, z->dh2_len), th);
	const uint8_t *zidi = z->initiator ? z->cfg.zid : z->peer_zid;
	const uint8_t *zidr = z->initiator ? z->peer_zid : z->cfg.zid;
	/* s1: the matched retained secret; s3: the trusted MitM key when
	 * the pbxsecret IDs matched (7.3.1); no auxiliary secret (s2 null) */
	struct zrtp_part none = {NULL, 0};
	struct zrtp_part s1 = z->have_s1 ? part(z->s1, VOX_ZRTP_RS_LEN) : none;
	struct zrtp_part s3 = z->pbx_trusted ? part(z->sec.pbx, VOX_ZRTP_RS_LEN) : none;
	if (rc == 0)
		rc = zrtp_s0_dh(hash, part(dh, dl), zidi, zidr, th, s1, none, s3, s0);
	if (rc == 0)
		rc = zrtp_keys_derive(&z->keys, hash, z->chosen[VOX_ZRTP_T_CIPHER], s0, zidi, zidr,
		                      th);
	vox_wipe(dh, sizeof dh);
	vox_wipe(s0, sizeof s0);
	zrtp_kp_wipe(&z->kp); /* 4.4.1.4: the DH secret is no longer needed */
	return rc;
}

/* Checks a peer DHPart's public value length and derives; an error code
 * of 5.9 for what fails, 0 when all went well. */
static uint32_t dh_error(int rc)
{
	return rc == VOX_EAUTH ? VOX_ZRTP_ERR_DH_BAD_PV : VOX_ZRTP_ERR_SOFTWARE;
}

static void on_dhpart1(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_dhpart *d = &p->u.dh;
	if (z->state != VOX_ZRTP_ST_COMMIT_SENT) {
		z->st.unexpected++;
		return;
	}
	/* 9: H1 hashes twice to the responder's H3; H2 opens its Hello's MAC */
	uint8_t h2[VOX_ZRTP_H_LEN];
	struct zrtp_part hp = {d->h1, VOX_ZRTP_H_LEN};
	if (zrtp_hash(VOX_ZRTP_S256, &hp, 1, h2) < 0 || !zrtp_chain_check(h2, z->ph[3], 1) ||
	    !zrtp_msg_mac_ok(h2, z->peer_hello, z->peer_hello_len)) {
		z->st.bad_chain++;
		return;
	}
	if (d->pv_len != z->kp.pv_len) {
		send_error(z, VOX_ZRTP_ERR_MALFORMED, now);
		return;
	}
	memcpy(z->ph[2], h2, VOX_ZRTP_H_LEN);
	memcpy(z->ph[1], d->h1, VOX_ZRTP_H_LEN);
	if (copy_msg(p, z->dh1, sizeof z->dh1, &z->dh1_len) < 0) {
		z->st.malformed++;
		return;
	}
	match_secrets(z, d);
	int rc = derive(z, d->pv, d->pv_len);
	if (rc < 0) {
		send_error(z, dh_error(rc), now);
		return;
	}
	z->state = VOX_ZRTP_ST_WAIT_CONFIRM1;
	push_out(z, VOX_ZRTP_DHPART2, 0);
	rt_start(z, VOX_ZRTP_DHPART2, 0, now);
}

static void on_dhpart2(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_dhpart *d = &p->u.dh;
	if (z->state == VOX_ZRTP_ST_WAIT_CONFIRM2 && p->msg_len == z->dh2_len &&
	    memcmp(p->msg, z->dh2, p->msg_len) == 0) {
		push_out(z, VOX_ZRTP_CONFIRM1, 0); /* our Confirm1 was lost */
		return;
	}
	if (z->state != VOX_ZRTP_ST_WAIT_DHPART2) {
		z->st.unexpected++;
		return;
	}
	/* 9: H1 hashes to the Commit's H2 and opens the Commit's MAC */
	if (!zrtp_chain_check(d->h1, z->ph[2], 1) ||
	    !zrtp_msg_mac_ok(d->h1, z->commit, z->commit_len)) {
		z->st.bad_chain++;
		return;
	}
	/* 4.4.1.1: hvi binds this DHPart2 to our Hello; a MitM who changed
	 * either is caught here */
	uint8_t hvi[VOX_ZRTP_HVI_LEN];
	const uint8_t *committed = z->commit + z->commit_len - VOX_ZRTP_MAC_LEN - VOX_ZRTP_HVI_LEN;
	if (zrtp_hvi(z->chosen[VOX_ZRTP_T_HASH], part(p->msg, p->msg_len),
	             part(z->own_hello, z->own_hello_len), hvi) < 0 ||
	    !zrtp_ct_eq(hvi, committed, VOX_ZRTP_HVI_LEN)) {
		send_error(z, VOX_ZRTP_ERR_DH_HVI, now);
		return;
	}
	if (d->pv_len != z->kp.pv_len) {
		send_error(z, VOX_ZRTP_ERR_MALFORMED, now);
		return;
	}
	memcpy(z->ph[1], d->h1, VOX_ZRTP_H_LEN);
	if (copy_msg(p, z->dh2, sizeof z->dh2, &z->dh2_len) < 0) {
		z->st.malformed++;
		return;
	}
	match_secrets(z, d);
	int rc = derive(z, d->pv, d->pv_len);
	if (rc == 0)
		rc = build_confirm(z, VOX_ZRTP_CONFIRM1);
	if (rc < 0) {
		send_error(z, dh_error(rc), now);
		return;
	}
	z->state = VOX_ZRTP_ST_WAIT_CONFIRM2;
	watchdog_start(z, now);
	push_out(z, VOX_ZRTP_CONFIRM1, 0);
}

/* Opens a peer Confirm: its MAC with the peer's MAC key (Error 0x70 if
 * wrong), its H0 with the peer's ZRTP key; H0 must hash to the peer's H1
 * and open the MAC of the peer's DHPart. Returns 1 if all holds, 0 if the
 * packet is to be dropped, -1 if the session failed. */
static int open_confirm(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_sealed *c = &p->u.confirm;
	int from_ini = p->type == VOX_ZRTP_CONFIRM2;
	const uint8_t *mk = from_ini ? z->keys.mackey_i : z->keys.mackey_r;
	const uint8_t *zk = from_ini ? z->keys.zrtpkey_i : z->keys.zrtpkey_r;
	uint8_t mac[VOX_ZRTP_HASH_MAX], plain[VOX_ZRTP_CONFIRM_MSG_MAX];
	struct zrtp_part ep = {c->enc, c->enc_len};
	if (zrtp_hmac(z->keys.hash, mk, z->keys.hl, &ep, 1, mac) < 0 ||
	    !zrtp_ct_eq(mac, c->mac, VOX_ZRTP_MAC_LEN)) {
		send_error(z, VOX_ZRTP_ERR_CONFIRM_MAC, now);
		return -1;
	}
	if (c->enc_len > sizeof plain) {
		z->st.unexpected++; /* a signature: vox does not verify any (7.2) */
		return 0;
	}
	struct vox_zrtp_confirm_body b;
	if (zrtp_cfb(z->keys.cipher, 0, zk, c->iv, c->enc, c->enc_len, plain) < 0 ||
	    vox_zrtp_confirm_body_parse(plain, c->enc_len, &b, NULL) < 0) {
		send_error(z, VOX_ZRTP_ERR_MALFORMED, now);
		return -1;
	}
	int ok;
	if (z->multi) {
		/* no DHParts: H0 goes up to the H3 of the responder's Hello (and
		 * opens its MAC with H2), or to the Commit's H2 (and opens the
		 * Commit's MAC with H1) */
		uint8_t h1[VOX_ZRTP_H_LEN], h2[VOX_ZRTP_H_LEN];
		struct zrtp_part a = {b.h0, VOX_ZRTP_H_LEN}, bb = {h1, VOX_ZRTP_H_LEN};
		ok = zrtp_hash(VOX_ZRTP_S256, &a, 1, h1) == 0 &&
		     zrtp_hash(VOX_ZRTP_S256, &bb, 1, h2) == 0;
		if (ok && z->initiator)
			ok = zrtp_chain_check(h2, z->ph[3], 1) &&
			     zrtp_msg_mac_ok(h2, z->peer_hello, z->peer_hello_len);
		else if (ok)
			ok = zrtp_ct_eq(h2, z->ph[2], VOX_ZRTP_H_LEN) &&
			     zrtp_msg_mac_ok(h1, z->commit, z->commit_len);
	} else {
		const uint8_t *peer_dh = z->initiator ? z->dh1 : z->dh2;
		size_t peer_dh_len = z->initiator ? z->dh1_len : z->dh2_len;
		ok = zrtp_chain_check(b.h0, z->ph[1], 1) &&
		     zrtp_msg_mac_ok(b.h0, peer_dh, peer_dh_len);
	}
	if (ok) {
		memcpy(z->ph[0], b.h0, VOX_ZRTP_H_LEN);
		z->peer_v = b.v;
		z->peer_expiry_zero = b.expiry == 0;
		z->peer_expiry = b.expiry;
		/* 7.3.1: only a peer that said it is a PBX may ask, only a
		 * client is asked, and an enrolled PBX is not asked about again */
		z->peer_enroll = (uint8_t)(b.e && z->peer_mitm && !z->cfg.mitm && !z->pbx_trusted);
	}
	vox_wipe(plain, sizeof plain);
	if (!ok) {
		z->st.bad_chain++;
		return 0;
	}
	return 1;
}

static void sas_event(struct vox_zrtp *z)
{
	struct vox_zrtp_event *e = push_ev(z, VOX_ZRTP_EV_SAS);
	if (!e)
		return;
	e->sasvalue = z->keys.sasvalue;
	e->rendering = z->chosen[VOX_ZRTP_T_SAS];
	e->continuity = z->continuity;
	e->verified =
	    (uint8_t)(z->continuity == VOX_ZRTP_CONTINUES && (z->sec.flags & VOX_ZRTP_VERIFIED));
	e->pbx = z->peer_mitm;
	if (vox_zrtp_sas_render(e->rendering, e->sasvalue, e->sas, sizeof e->sas) < 0)
		e->sas[0] = 0;
}

/* 7.3.1: the trusted MitM key, KDF(ZRTPSess, "Trusted MiTM key", ZIDi ||
 * ZIDr, hash length); its leftmost 256 bits are kept, like a retained
 * secret (GNU ZRTP keeps as many). Into z->sec, flagged. */
static int make_pbx_secret(struct vox_zrtp *z)
{
	uint8_t ctx[2 * VOX_ZRTP_ZID_LEN], k[VOX_ZRTP_HASH_MAX];
	memcpy(ctx, z->initiator ? z->cfg.zid : z->peer_zid, VOX_ZRTP_ZID_LEN);
	memcpy(ctx + VOX_ZRTP_ZID_LEN, z->initiator ? z->peer_zid : z->cfg.zid, VOX_ZRTP_ZID_LEN);
	int rc = zrtp_kdf(z->keys.hash, z->keys.sess, z->keys.hl, "Trusted MiTM key", ctx,
	                  sizeof ctx, z->keys.hl, k);
	if (rc == 0) {
		memcpy(z->sec.pbx, k, VOX_ZRTP_RS_LEN);
		z->sec.flags |= VOX_ZRTP_PBX;
	}
	vox_wipe(k, sizeof k);
	return rc;
}

/* The session is SECURE: say so; a PBX that asked to enroll keeps the key
 * (7.3.1: the PBX needs no consent, its clients do); a client that was
 * asked puts the question to the user. */
static void secure(struct vox_zrtp *z)
{
	push_ev(z, VOX_ZRTP_EV_SECURE);
	if (z->multi)
		return;
	/* a client already enrolled keeps the key it has: not made anew */
	if (z->cfg.mitm && z->cfg.enroll && !z->pbx_trusted && z->cfg.store.save &&
	    !z->peer_expiry_zero && make_pbx_secret(z) == 0)
		(void)z->cfg.store.save(z->cfg.store.ctx, &z->sec);
	if (z->peer_enroll)
		push_ev(z, VOX_ZRTP_EV_ENROLL);
}

static void on_confirm1(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	if (z->state != (z->multi ? VOX_ZRTP_ST_COMMIT_SENT : VOX_ZRTP_ST_WAIT_CONFIRM1)) {
		z->st.unexpected++;
		return;
	}
	if (open_confirm(z, p, now) <= 0)
		return;
	if (build_confirm(z, VOX_ZRTP_CONFIRM2) < 0) {
		send_error(z, VOX_ZRTP_ERR_SOFTWARE, now);
		return;
	}
	if (!z->multi)
		sas_event(z);
	z->state = VOX_ZRTP_ST_WAIT_CONF2ACK;
	push_out(z, VOX_ZRTP_CONFIRM2, 0);
	rt_start(z, VOX_ZRTP_CONFIRM2, 0, now);
}

static void on_confirm2(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	if (z->state == VOX_ZRTP_ST_SECURE && !z->initiator) {
		push_out(z, VOX_ZRTP_CONF2ACK, 0); /* our Conf2ACK was lost */
		return;
	}
	if (z->state != VOX_ZRTP_ST_WAIT_CONFIRM2) {
		z->st.unexpected++;
		return;
	}
	if (open_confirm(z, p, now) <= 0)
		return;
	push_out(z, VOX_ZRTP_CONF2ACK, 0);
	rt_stop(z);
	z->state = VOX_ZRTP_ST_SECURE;
	if (!z->multi) {
		sas_event(z);
		save_secrets(z);
	}
	secure(z);
}

static void on_conf2ack(struct vox_zrtp *z)
{
	if (z->state != VOX_ZRTP_ST_WAIT_CONF2ACK) {
		z->st.unexpected++;
		return;
	}
	rt_stop(z);
	z->state = VOX_ZRTP_ST_SECURE;
	if (!z->multi)
		save_secrets(z);
	secure(z);
}

/* 5.13, 7.3: a SASrelay from the peer, in a SECURE session. Sealed like a
 * Confirm under the peer's keys; a wrong MAC is dropped (anyone could
 * send junk). From a peer that is not a PBX we enrolled: Error 0x63. */
static void on_sas_relay(struct vox_zrtp *z, const struct vox_zrtp_packet *p, uint64_t now)
{
	const struct vox_zrtp_sealed *c = &p->u.confirm;
	if (z->state != VOX_ZRTP_ST_SECURE || z->multi) {
		z->st.unexpected++;
		return;
	}
	int from_ini = !z->initiator;
	const uint8_t *mk = from_ini ? z->keys.mackey_i : z->keys.mackey_r;
	const uint8_t *zk = from_ini ? z->keys.zrtpkey_i : z->keys.zrtpkey_r;
	uint8_t mac[VOX_ZRTP_HASH_MAX], plain[VOX_ZRTP_CONFIRM_MSG_MAX];
	struct zrtp_part ep = {c->enc, c->enc_len};
	if (zrtp_hmac(z->keys.hash, mk, z->keys.hl, &ep, 1, mac) < 0 ||
	    !zrtp_ct_eq(mac, c->mac, VOX_ZRTP_MAC_LEN)) {
		z->st.bad_chain++;
		return;
	}
	struct vox_zrtp_relay_body b;
	if (c->enc_len > sizeof plain ||
	    zrtp_cfb(z->keys.cipher, 0, zk, c->iv, c->enc, c->enc_len, plain) < 0 ||
	    vox_zrtp_relay_body_parse(plain, c->enc_len, &b, NULL) < 0) {
		vox_wipe(plain, sizeof plain);
		send_error(z, VOX_ZRTP_ERR_MALFORMED, now);
		return;
	}
	/* 7.3: a relayed SAS only from a peer that said it is a PBX and
	 * whose trusted MitM key matched in this very exchange */
	if (!z->peer_mitm || !z->pbx_trusted) {
		vox_wipe(plain, sizeof plain);
		send_error(z, VOX_ZRTP_ERR_UNTRUSTED_MITM, now);
		return;
	}
	uint32_t sv = zrtp_get32(b.sas_hash);
	char text[VOX_ZRTP_SAS_MAX];
	if (vox_zrtp_sas_render(b.rendering, sv, text, sizeof text) < 0) {
		vox_wipe(plain, sizeof plain);
		send_error(z, VOX_ZRTP_ERR_SAS, now);
		return;
	}
	push_out(z, VOX_ZRTP_RELAYACK, 0);
	/* a retransmission (our RelayACK was lost) asks nothing new */
	int again = z->relay_rendering == b.rendering &&
	            memcmp(z->relay_seen, b.sas_hash, VOX_ZRTP_HVI_LEN) == 0;
	memcpy(z->relay_seen, b.sas_hash, VOX_ZRTP_HVI_LEN);
	vox_wipe(plain, sizeof plain);
	if (again)
		return;
	z->relay_sasvalue = sv;
	z->relay_rendering = b.rendering;
	z->relay_pending = 1;
	struct vox_zrtp_event *e = push_ev(z, VOX_ZRTP_EV_SAS_RELAY);
	if (e) {
		e->sasvalue = sv;
		e->rendering = b.rendering;
		e->pbx = 1;
		e->relayed = 1;
		memcpy(e->sas, text, sizeof e->sas);
	}
}

int vox_zrtp_recv(struct vox_zrtp *z, const uint8_t *pkt, size_t len, uint64_t now)
{
	if (z->state == VOX_ZRTP_ST_IDLE)
		return VOX_ESTATE;
	z->st.rx++;
	/* 5.1: what is too short to carry a CRC, is not ZRTP, or fails its
	 * CRC (a packet cut short does) is dropped silently */
	if (len < VOX_ZRTP_HDR_LEN + MSG_HDR + VOX_ZRTP_CRC_LEN || (pkt[0] & 0xf0) != 0x10 ||
	    zrtp_get32(pkt + 4) != VOX_ZRTP_MAGIC) {
		z->st.bad_crc++;
		return 0;
	}
	struct vox_zrtp_packet p;
	int rc = vox_zrtp_parse(pkt, len, &p, NULL);
	if (rc == VOX_EAUTH) {
		z->st.bad_crc++;
		return 0;
	}
	if (rc == VOX_EUNSUPPORTED) {
		z->st.unexpected++; /* a message type of a later version: ignored */
		return 0;
	}
	if (rc < 0) {
		z->st.malformed++;
		if (z->state != VOX_ZRTP_ST_FAILED)
			send_error(z, VOX_ZRTP_ERR_MALFORMED, now);
		return 0;
	}
	if (z->state == VOX_ZRTP_ST_FAILED && p.type != VOX_ZRTP_ERRORACK &&
	    p.type != VOX_ZRTP_ERROR) {
		z->st.unexpected++;
		return 0;
	}
	switch (p.type) {
	case VOX_ZRTP_HELLO: on_hello(z, &p, now); break;
	case VOX_ZRTP_HELLOACK:
		if (z->state == VOX_ZRTP_ST_DISCOVERY)
			hello_acknowledged(z, now);
		break;
	case VOX_ZRTP_COMMIT: on_commit(z, &p, now); break;
	case VOX_ZRTP_DHPART1: on_dhpart1(z, &p, now); break;
	case VOX_ZRTP_DHPART2: on_dhpart2(z, &p, now); break;
	case VOX_ZRTP_CONFIRM1: on_confirm1(z, &p, now); break;
	case VOX_ZRTP_CONFIRM2: on_confirm2(z, &p, now); break;
	case VOX_ZRTP_CONF2ACK: on_conf2ack(z); break;
	case VOX_ZRTP_SASRELAY: on_sas_relay(z, &p, now); break;
	case VOX_ZRTP_RELAYACK:
		if (z->rt_kind == VOX_ZRTP_SASRELAY)
			rt_stop(z);
		else
			z->st.unexpected++;
		break;
	case VOX_ZRTP_ERROR:
		/* 5.9: acknowledge, and the session is over */
		push_out(z, VOX_ZRTP_ERRORACK, 0);
		if (z->state != VOX_ZRTP_ST_FAILED) {
			rt_stop(z);
			fail(z, p.u.error_code, 1);
		}
		break;
	case VOX_ZRTP_ERRORACK:
		if (z->rt_kind == VOX_ZRTP_ERROR)
			rt_stop(z);
		break;
	case VOX_ZRTP_GOCLEAR:
		/* 5.11: vox never allows clear media once keyed: refuse */
		if (z->state == VOX_ZRTP_ST_SECURE)
			send_error(z, VOX_ZRTP_ERR_GOCLEAR_REFUSED, now);
		else
			z->st.unexpected++;
		break;
	default:
		/* ClearACK, Ping, PingACK: not answered */
		z->st.unexpected++;
		break;
	}
	return 0;
}

const char *vox_zrtp_event_text(const struct vox_zrtp_event *ev)
{
	switch (ev->type) {
	case VOX_ZRTP_EV_SAS:
		if (ev->relayed)
			return "This SAS was relayed by a PBX you enrolled: it is the one the "
			       "person "
			       "at the far end sees. Compare it with them.";
		if (ev->pbx)
			return "The far end is a PBX (a trusted man in the middle): the SAS you "
			       "read "
			       "is the one with that server, not with the person you are talking "
			       "to.";
		return "Read the SAS to the other person: if it matches theirs, nobody is in the "
		       "middle of the call.";
	case VOX_ZRTP_EV_SECURE: return "The call's media keys are agreed and confirmed.";
	case VOX_ZRTP_EV_FAILED: return "ZRTP failed: the call's media keys were not agreed.";
	case VOX_ZRTP_EV_HELLO_HASH_MISMATCH:
		return "The ZRTP Hello differs from the one the signalling announced: something on "
		       "the media path changed it.";
	case VOX_ZRTP_EV_PBX:
		return "The far end is a PBX, a server that says it may stand in the middle of "
		       "the call: a SAS you read is with the server, not with the person.";
	case VOX_ZRTP_EV_ENROLL:
		return "The PBX asks to be enrolled as trusted: say yes only if you trust this "
		       "server to relay the SAS of the people you call through it.";
	case VOX_ZRTP_EV_SAS_RELAY:
		return "Your enrolled PBX relayed the SAS of the person at the far end: accept it "
		       "to show it instead of the SAS with the PBX.";
	}
	return "?";
}

int vox_zrtp_enroll(struct vox_zrtp *z, int accept)
{
	if (z->state != VOX_ZRTP_ST_SECURE || !z->peer_enroll)
		return VOX_ESTATE;
	z->peer_enroll = 0;
	if (!accept)
		return 0;
	if (!z->cfg.store.save)
		return VOX_EINVAL;
	int rc = make_pbx_secret(z);
	return rc < 0 ? rc : z->cfg.store.save(z->cfg.store.ctx, &z->sec);
}

int vox_zrtp_accept_relay(struct vox_zrtp *z, int accept)
{
	if (!z->relay_pending)
		return VOX_ESTATE;
	z->relay_pending = 0;
	if (!accept)
		return 0;
	struct vox_zrtp_event *e = push_ev(z, VOX_ZRTP_EV_SAS);
	if (e) {
		e->sasvalue = z->relay_sasvalue;
		e->rendering = z->relay_rendering;
		e->continuity = z->continuity;
		e->pbx = 1;
		e->relayed = 1;
		if (vox_zrtp_sas_render(e->rendering, e->sasvalue, e->sas, sizeof e->sas) < 0)
			e->sas[0] = 0;
	}
	return 0;
}

int vox_zrtp_sas_hash(const struct vox_zrtp *z, uint8_t out[32])
{
	if (z->state != VOX_ZRTP_ST_SECURE || z->multi)
		return VOX_ESTATE;
	memcpy(out, z->keys.sashash, 32);
	return 0;
}

int vox_zrtp_sas_relay(struct vox_zrtp *z, const uint8_t sashash[32], uint32_t rendering,
                       uint64_t now)
{
	if (z->state != VOX_ZRTP_ST_SECURE || !z->cfg.mitm || z->multi)
		return VOX_ESTATE;
	if (rendering != VOX_ZRTP_B32 && rendering != VOX_ZRTP_B256)
		return VOX_EINVAL;
	int ini = z->initiator;
	struct vox_zrtp_relay_body b;
	memset(&b, 0, sizeof b);
	b.rendering = rendering;
	b.sas_hash = sashash;
	uint8_t plain[48], enc[48], iv[VOX_ZRTP_IV_LEN], mac[VOX_ZRTP_HASH_MAX];
	int n = vox_zrtp_relay_body_print(&b, plain, sizeof plain);
	if (n < 0)
		return n;
	if (z->rng.fn(z->rng.ctx, iv, sizeof iv) != 0)
		return VOX_ERNG;
	int rc = zrtp_cfb(z->keys.cipher, 1, ini ? z->keys.zrtpkey_i : z->keys.zrtpkey_r, iv, plain,
	                  (size_t)n, enc);
	struct zrtp_part ep = {enc, (size_t)n};
	if (rc == 0)
		rc = zrtp_hmac(z->keys.hash, ini ? z->keys.mackey_i : z->keys.mackey_r, z->keys.hl,
		               &ep, 1, mac);
	struct vox_zrtp_packet p;
	memset(&p, 0, sizeof p);
	p.type = VOX_ZRTP_SASRELAY;
	p.u.confirm.mac = mac;
	p.u.confirm.iv = iv;
	p.u.confirm.enc = enc;
	p.u.confirm.enc_len = (size_t)n;
	if (rc == 0)
		rc = keep(&p, z->relay, sizeof z->relay, &z->relay_len, NULL);
	if (rc < 0)
		return rc;
	push_out(z, VOX_ZRTP_SASRELAY, 0);
	/* 5.13: retransmitted on T2 until the RelayACK */
	rt_start(z, VOX_ZRTP_SASRELAY, 0, now);
	return 0;
}

int vox_zrtp_srtp_keys(const struct vox_zrtp *z, struct vox_zrtp_srtp *out)
{
	memset(out, 0, sizeof *out);
	if (z->state != VOX_ZRTP_ST_SECURE)
		return VOX_ESTATE;
	const struct vox_zrtp_keyset *k = &z->keys;
	out->cipher = k->cipher;
	out->auth_tag = z->chosen[VOX_ZRTP_T_AUTH];
	out->key_len = k->kl;
	/* 4.5.3: each side sends with the keys of its role */
	memcpy(out->tx_key, z->initiator ? k->srtp_key_i : k->srtp_key_r, k->kl);
	memcpy(out->tx_salt, z->initiator ? k->srtp_salt_i : k->srtp_salt_r, VOX_ZRTP_SALT_LEN);
	memcpy(out->rx_key, z->initiator ? k->srtp_key_r : k->srtp_key_i, k->kl);
	memcpy(out->rx_salt, z->initiator ? k->srtp_salt_r : k->srtp_salt_i, VOX_ZRTP_SALT_LEN);
	return 0;
}

#endif /* VOX_WITH_ZRTP */
