/* SPDX-License-Identifier: MIT */
/* ZRTP packets: the header and CRC of RFC 6189 5.1 and every message of
 * 5.2-5.16, parsed in place and printed into the caller's buffer. */
#include <string.h>

#include "zrtp/zrtp_int.h"

#if VOX_WITH_ZRTP

/* 5.1.1: message type blocks, indexed by enum vox_zrtp_msg - 1. */
static const char type_blocks[][8] = {
    {'H', 'e', 'l', 'l', 'o', ' ', ' ', ' '}, {'H', 'e', 'l', 'l', 'o', 'A', 'C', 'K'},
    {'C', 'o', 'm', 'm', 'i', 't', ' ', ' '}, {'D', 'H', 'P', 'a', 'r', 't', '1', ' '},
    {'D', 'H', 'P', 'a', 'r', 't', '2', ' '}, {'C', 'o', 'n', 'f', 'i', 'r', 'm', '1'},
    {'C', 'o', 'n', 'f', 'i', 'r', 'm', '2'}, {'C', 'o', 'n', 'f', '2', 'A', 'C', 'K'},
    {'E', 'r', 'r', 'o', 'r', ' ', ' ', ' '}, {'E', 'r', 'r', 'o', 'r', 'A', 'C', 'K'},
    {'G', 'o', 'C', 'l', 'e', 'a', 'r', ' '}, {'C', 'l', 'e', 'a', 'r', 'A', 'C', 'K'},
    {'S', 'A', 'S', 'r', 'e', 'l', 'a', 'y'}, {'R', 'e', 'l', 'a', 'y', 'A', 'C', 'K'},
    {'P', 'i', 'n', 'g', ' ', ' ', ' ', ' '}, {'P', 'i', 'n', 'g', 'A', 'C', 'K', ' '},
};
#define N_TYPES (sizeof type_blocks / sizeof type_blocks[0])

/* Message header: preamble, length, type block (5.1.1): 3 words. */
#define MSG_HDR 12u
/* Confirm and SASrelay: the fixed words of the encrypted part. */
#define CONFIRM_ENC_MIN (VOX_ZRTP_H_LEN + 8u)
#define RELAY_ENC_MIN   (8u + VOX_ZRTP_H_LEN)
#define SIG_MAX_WORDS   511u /* 9 bits of sig len */

const char *vox_zrtp_msg_block(enum vox_zrtp_msg type)
{
	if ((unsigned)type < 1 || (unsigned)type > N_TYPES)
		return NULL;
	return type_blocks[type - 1];
}

const char *vox_zrtp_error_name(uint32_t code)
{
	switch (code) {
	case VOX_ZRTP_ERR_MALFORMED: return "malformed packet";
	case VOX_ZRTP_ERR_SOFTWARE: return "critical software error";
	case VOX_ZRTP_ERR_VERSION: return "unsupported ZRTP version";
	case VOX_ZRTP_ERR_HELLO_MISMATCH: return "Hello components mismatch";
	case VOX_ZRTP_ERR_HASH: return "hash type not supported";
	case VOX_ZRTP_ERR_CIPHER: return "cipher type not supported";
	case VOX_ZRTP_ERR_KEYAGR: return "public key exchange not supported";
	case VOX_ZRTP_ERR_AUTH: return "SRTP auth tag not supported";
	case VOX_ZRTP_ERR_SAS: return "SAS rendering scheme not supported";
	case VOX_ZRTP_ERR_NO_SECRET: return "no shared secret available, DH mode required";
	case VOX_ZRTP_ERR_DH_BAD_PV: return "DH error: bad pvi or pvr";
	case VOX_ZRTP_ERR_DH_HVI: return "DH error: hvi does not match the hashed data";
	case VOX_ZRTP_ERR_UNTRUSTED_MITM: return "relayed SAS from an untrusted MitM";
	case VOX_ZRTP_ERR_CONFIRM_MAC: return "bad Confirm packet MAC";
	case VOX_ZRTP_ERR_NONCE_REUSE: return "nonce reuse";
	case VOX_ZRTP_ERR_EQUAL_ZID: return "equal ZIDs in Hello";
	case VOX_ZRTP_ERR_SSRC_COLLISION: return "SSRC collision";
	case VOX_ZRTP_ERR_UNAVAILABLE: return "service unavailable";
	case VOX_ZRTP_ERR_TIMEOUT: return "protocol timeout error";
	case VOX_ZRTP_ERR_GOCLEAR_REFUSED: return "GoClear received but not allowed";
	default: return "unknown error code";
	}
}

/* ---- CRC-32c ------------------------------------------------------------ */

/* Reflected Castagnoli polynomial 0x1EDC6F41, four bits at a time: a
 * 64-byte table instead of 1 KiB, ample for packets of a few hundred
 * bytes sent a handful of times per call. */
static const uint32_t crc_nibble[16] = {
    0x00000000, 0x105ec76f, 0x20bd8ede, 0x30e349b1, 0x417b1dbc, 0x5125dad3, 0x61c69362, 0x7198540d,
    0x82f63b78, 0x92a8fc17, 0xa24bb5a6, 0xb21572c9, 0xc38d26c4, 0xd3d3e1ab, 0xe330a81a, 0xf36e6f75,
};

uint32_t vox_zrtp_crc32c(const uint8_t *buf, size_t len)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < len; i++) {
		c ^= buf[i];
		c = (c >> 4) ^ crc_nibble[c & 15];
		c = (c >> 4) ^ crc_nibble[c & 15];
	}
	return c ^ 0xffffffffu;
}

static void put_crc(uint8_t *p, uint32_t crc)
{
	/* 5.1: stored as SCTP stores it (RFC 4960 B), low byte first */
	p[0] = (uint8_t)crc;
	p[1] = (uint8_t)(crc >> 8);
	p[2] = (uint8_t)(crc >> 16);
	p[3] = (uint8_t)(crc >> 24);
}

static uint32_t get_crc(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* ---- parsing -------------------------------------------------------------- */

/* Walks a message body: take(n) hands out the next n bytes. */
struct rd {
	const uint8_t *base, *cur, *end;
};

static const uint8_t *take(struct rd *r, size_t n)
{
	const uint8_t *p = r->cur;
	r->cur += n; /* callers checked the total length first */
	return p;
}

static int parse_hello(struct rd *r, struct vox_zrtp_hello *h, struct vox_diag *diag)
{
	size_t body = (size_t)(r->end - r->cur);
	if (body < 4 + 16 + 32 + 12 + 4 + 8)
		return zrtp_fail(diag, r->base, r->cur, VOX_EMALFORMED,
		                 "Hello shorter than 22 words");
	h->version = take(r, 4);
	h->client_id = take(r, VOX_ZRTP_CLIENT_ID_LEN);
	h->h3 = take(r, VOX_ZRTP_H_LEN);
	h->zid = take(r, VOX_ZRTP_ZID_LEN);
	const uint8_t *fw = take(r, 4);
	uint32_t f = zrtp_get32(fw);
	/* 5.2: 0 S M P, 8 unused bits, then hc cc ac kc sc of 4 bits each */
	h->sigcap = (uint8_t)(f >> 30 & 1);
	h->mitm = (uint8_t)(f >> 29 & 1);
	h->passive = (uint8_t)(f >> 28 & 1);
	size_t total = 0;
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++) {
		uint8_t n = (uint8_t)(f >> (16 - 4 * t) & 15);
		if (n > VOX_ZRTP_MAX_ALGS)
			return zrtp_fail(diag, r->base, fw, VOX_EMALFORMED,
			                 "more than seven algorithms of one type in Hello (5.2)");
		h->n[t] = n;
		total += n;
	}
	if ((size_t)(r->end - r->cur) != 4 * total + VOX_ZRTP_MAC_LEN)
		return zrtp_fail(diag, r->base, fw, VOX_EMALFORMED,
		                 "Hello length disagrees with its algorithm counts");
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
		for (int i = 0; i < h->n[t]; i++)
			h->alg[t][i] = zrtp_get32(take(r, 4));
	h->mac = take(r, VOX_ZRTP_MAC_LEN);
	return 0;
}

static int parse_commit(struct rd *r, struct vox_zrtp_commit *c, struct vox_diag *diag)
{
	size_t body = (size_t)(r->end - r->cur);
	if (body < 32 + 12 + 20 + 8)
		return zrtp_fail(diag, r->base, r->cur, VOX_EMALFORMED, "Commit too short");
	c->h2 = take(r, VOX_ZRTP_H_LEN);
	c->zid = take(r, VOX_ZRTP_ZID_LEN);
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
		c->alg[t] = zrtp_get32(take(r, 4));
	size_t rest = (size_t)(r->end - r->cur) - VOX_ZRTP_MAC_LEN, want;
	if (c->alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_MULT) {
		c->mode = VOX_ZRTP_MODE_MULTI;
		want = VOX_ZRTP_NONCE_LEN;
	} else if (c->alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_PRSH) {
		c->mode = VOX_ZRTP_MODE_PRESHARED;
		want = VOX_ZRTP_NONCE_LEN + 8;
	} else {
		c->mode = VOX_ZRTP_MODE_DH;
		want = VOX_ZRTP_HVI_LEN;
	}
	if (rest != want)
		return zrtp_fail(diag, r->base, r->cur, VOX_EMALFORMED,
		                 "Commit length wrong for its mode (5.4)");
	if (c->mode == VOX_ZRTP_MODE_DH) {
		c->hvi = take(r, VOX_ZRTP_HVI_LEN);
	} else {
		c->nonce = take(r, VOX_ZRTP_NONCE_LEN);
		if (c->mode == VOX_ZRTP_MODE_PRESHARED)
			c->key_id = take(r, 8);
	}
	c->mac = take(r, VOX_ZRTP_MAC_LEN);
	return 0;
}

static int parse_dhpart(struct rd *r, struct vox_zrtp_dhpart *d, struct vox_diag *diag)
{
	size_t fixed = VOX_ZRTP_H_LEN + 4 * VOX_ZRTP_ID_LEN + VOX_ZRTP_MAC_LEN;
	if ((size_t)(r->end - r->cur) < fixed + 4)
		return zrtp_fail(diag, r->base, r->cur, VOX_EMALFORMED,
		                 "DHPart too short for a public value");
	d->h1 = take(r, VOX_ZRTP_H_LEN);
	d->rs1_id = take(r, VOX_ZRTP_ID_LEN);
	d->rs2_id = take(r, VOX_ZRTP_ID_LEN);
	d->aux_id = take(r, VOX_ZRTP_ID_LEN);
	d->pbx_id = take(r, VOX_ZRTP_ID_LEN);
	d->pv_len = (size_t)(r->end - r->cur) - VOX_ZRTP_MAC_LEN;
	d->pv = take(r, d->pv_len);
	d->mac = take(r, VOX_ZRTP_MAC_LEN);
	return 0;
}

static int parse_sealed(struct rd *r, size_t enc_min, struct vox_zrtp_sealed *s,
                        struct vox_diag *diag)
{
	if ((size_t)(r->end - r->cur) < VOX_ZRTP_MAC_LEN + VOX_ZRTP_IV_LEN + enc_min)
		return zrtp_fail(diag, r->base, r->cur, VOX_EMALFORMED,
		                 "encrypted message too short (5.7, 5.13)");
	s->mac = take(r, VOX_ZRTP_MAC_LEN);
	s->iv = take(r, VOX_ZRTP_IV_LEN);
	s->enc_len = (size_t)(r->end - r->cur);
	s->enc = take(r, s->enc_len);
	return 0;
}

/* Fixed body length after the 3-word message header, or -1 if variable. */
static long fixed_body(enum vox_zrtp_msg t)
{
	switch (t) {
	case VOX_ZRTP_HELLOACK:
	case VOX_ZRTP_CONF2ACK:
	case VOX_ZRTP_ERRORACK:
	case VOX_ZRTP_CLEARACK:
	case VOX_ZRTP_RELAYACK: return 0;
	case VOX_ZRTP_ERROR: return 4;
	case VOX_ZRTP_GOCLEAR: return VOX_ZRTP_MAC_LEN;
	case VOX_ZRTP_PING: return 4 + 8;
	case VOX_ZRTP_PINGACK: return 4 + 8 + 8 + 4;
	default: return -1;
	}
}

int vox_zrtp_parse(const uint8_t *buf, size_t len, struct vox_zrtp_packet *pkt,
                   struct vox_diag *diag)
{
	memset(pkt, 0, sizeof *pkt);
	if (len > INT32_MAX)
		return zrtp_fail(diag, buf, buf, VOX_ETOOLONG, "packet over INT32_MAX bytes");
	if (len < VOX_ZRTP_HDR_LEN + MSG_HDR + VOX_ZRTP_CRC_LEN)
		return zrtp_fail(diag, buf, buf + len, VOX_EMALFORMED,
		                 "shorter than a ZRTP header, a message header and a CRC");
	/* 5.1: the first four bits are 0001 (RFC 7983 sorts on them); the
	 * other twelve are "not used" and are ignored */
	if ((buf[0] & 0xf0) != 0x10)
		return zrtp_fail(diag, buf, buf, VOX_EMALFORMED, "first four bits are not 0001");
	if (zrtp_get32(buf + 4) != VOX_ZRTP_MAGIC)
		return zrtp_fail(diag, buf, buf + 4, VOX_EMALFORMED, "no ZRTP magic cookie");
	size_t body_end = len - VOX_ZRTP_CRC_LEN;
	if (vox_zrtp_crc32c(buf, body_end) != get_crc(buf + body_end))
		return zrtp_fail(diag, buf, buf + body_end, VOX_EAUTH, "CRC-32c does not match");
	pkt->seq = zrtp_get16(buf + 2);
	pkt->ssrc = zrtp_get32(buf + 8);
	const uint8_t *m = buf + VOX_ZRTP_HDR_LEN;
	if (zrtp_get16(m) != VOX_ZRTP_PREAMBLE)
		return zrtp_fail(diag, buf, m, VOX_EMALFORMED, "no message preamble 0x505a");
	size_t msg_len = (size_t)zrtp_get16(m + 2) * 4;
	if (msg_len != body_end - VOX_ZRTP_HDR_LEN)
		return zrtp_fail(diag, buf, m + 2, VOX_EMALFORMED,
		                 "message length disagrees with the datagram");
	pkt->msg = m;
	pkt->msg_len = msg_len;
	unsigned t;
	for (t = 0; t < N_TYPES; t++)
		if (memcmp(m + 4, type_blocks[t], 8) == 0)
			break;
	if (t == N_TYPES)
		return zrtp_fail(diag, buf, m + 4, VOX_EUNSUPPORTED, "unknown message type block");
	pkt->type = (enum vox_zrtp_msg)(t + 1);

	struct rd r = {buf, m + MSG_HDR, buf + body_end};
	long fb = fixed_body(pkt->type);
	if (fb >= 0 && (size_t)(r.end - r.cur) != (size_t)fb)
		return zrtp_fail(diag, buf, m + 2, VOX_EMALFORMED,
		                 "wrong length for this message type");
	int rc = 0;
	switch (pkt->type) {
	case VOX_ZRTP_HELLO: rc = parse_hello(&r, &pkt->u.hello, diag); break;
	case VOX_ZRTP_COMMIT: rc = parse_commit(&r, &pkt->u.commit, diag); break;
	case VOX_ZRTP_DHPART1:
	case VOX_ZRTP_DHPART2: rc = parse_dhpart(&r, &pkt->u.dh, diag); break;
	case VOX_ZRTP_CONFIRM1:
	case VOX_ZRTP_CONFIRM2:
		rc = parse_sealed(&r, CONFIRM_ENC_MIN, &pkt->u.confirm, diag);
		break;
	case VOX_ZRTP_SASRELAY: rc = parse_sealed(&r, RELAY_ENC_MIN, &pkt->u.confirm, diag); break;
	case VOX_ZRTP_ERROR: pkt->u.error_code = zrtp_get32(r.cur); break;
	case VOX_ZRTP_GOCLEAR: pkt->u.clear_mac = r.cur; break;
	case VOX_ZRTP_PING:
		pkt->u.ping.version = take(&r, 4);
		pkt->u.ping.endpoint_hash = take(&r, 8);
		break;
	case VOX_ZRTP_PINGACK:
		pkt->u.ping.version = take(&r, 4);
		pkt->u.ping.endpoint_hash = take(&r, 8);
		pkt->u.ping.received_hash = take(&r, 8);
		pkt->u.ping.received_ssrc = zrtp_get32(take(&r, 4));
		break;
	default: break; /* the ACKs: nothing after the type block */
	}
	return rc < 0 ? rc : (int)len;
}

/* The word of Confirm and SASrelay that carries sig len and the flags. */
static int parse_sig(const uint8_t *p, size_t len, const uint8_t *w, size_t fixed,
                     const uint8_t **sig, size_t *sig_len, uint32_t flag_mask,
                     struct vox_diag *diag)
{
	uint32_t f = zrtp_get32(w);
	/* 15 unused bits, 9 bits of sig len, 8 bits of flags */
	if (f >> 17)
		return zrtp_fail(diag, p, w, VOX_EMALFORMED, "unused bits set");
	if (f & 0xff & ~flag_mask)
		return zrtp_fail(diag, p, w + 3, VOX_EMALFORMED, "undefined flag set");
	size_t sl = (size_t)(f >> 8 & 0x1ff) * 4;
	if (len - fixed != sl)
		return zrtp_fail(diag, p, w, VOX_EMALFORMED,
		                 "signature length disagrees with the encrypted part");
	*sig = sl ? p + fixed : NULL;
	*sig_len = sl;
	return 0;
}

int vox_zrtp_confirm_body_parse(const uint8_t *p, size_t len, struct vox_zrtp_confirm_body *b,
                                struct vox_diag *diag)
{
	memset(b, 0, sizeof *b);
	if (len > INT32_MAX)
		return zrtp_fail(diag, p, p, VOX_ETOOLONG, "over INT32_MAX bytes");
	if (len < CONFIRM_ENC_MIN)
		return zrtp_fail(diag, p, p + len, VOX_EMALFORMED, "Confirm part too short");
	const uint8_t *w = p + VOX_ZRTP_H_LEN;
	int rc = parse_sig(p, len, w, CONFIRM_ENC_MIN, &b->sig, &b->sig_len, 0x0f, diag);
	if (rc < 0)
		return rc;
	b->h0 = p;
	b->e = (uint8_t)(w[3] >> 3 & 1);
	b->v = (uint8_t)(w[3] >> 2 & 1);
	b->a = (uint8_t)(w[3] >> 1 & 1);
	b->d = (uint8_t)(w[3] & 1);
	b->expiry = zrtp_get32(w + 4);
	return (int)len;
}

int vox_zrtp_relay_body_parse(const uint8_t *p, size_t len, struct vox_zrtp_relay_body *b,
                              struct vox_diag *diag)
{
	memset(b, 0, sizeof *b);
	if (len > INT32_MAX)
		return zrtp_fail(diag, p, p, VOX_ETOOLONG, "over INT32_MAX bytes");
	if (len < RELAY_ENC_MIN)
		return zrtp_fail(diag, p, p + len, VOX_EMALFORMED, "SASrelay part too short");
	int rc = parse_sig(p, len, p, RELAY_ENC_MIN, &b->sig, &b->sig_len, 0x07, diag);
	if (rc < 0)
		return rc;
	b->v = (uint8_t)(p[3] >> 2 & 1);
	b->a = (uint8_t)(p[3] >> 1 & 1);
	b->d = (uint8_t)(p[3] & 1);
	b->rendering = zrtp_get32(p + 4);
	b->sas_hash = p + 8;
	return (int)len;
}

/* ---- printing --------------------------------------------------------------- */

struct wr {
	uint8_t *out;
	size_t cap, len;
	int err;
};

static void put(struct wr *w, const void *p, size_t n)
{
	if (w->err)
		return;
	if (n > w->cap - w->len) {
		w->err = VOX_ENOSPC;
		return;
	}
	if (p)
		memcpy(w->out + w->len, p, n);
	else
		memset(w->out + w->len, 0, n); /* an empty MAC, filled in later */
	w->len += n;
}

static void put32(struct wr *w, uint32_t v)
{
	uint8_t b[4];
	zrtp_put32(b, v);
	put(w, b, 4);
}

/* Body length after the message header, or VOX_EINVAL. */
static long body_len(const struct vox_zrtp_packet *pkt)
{
	const struct vox_zrtp_hello *h = &pkt->u.hello;
	const struct vox_zrtp_commit *c = &pkt->u.commit;
	long fb = fixed_body(pkt->type);
	if (fb >= 0)
		return fb;
	switch (pkt->type) {
	case VOX_ZRTP_HELLO: {
		long n = 0;
		if (!h->version || !h->client_id || !h->h3 || !h->zid)
			return VOX_EINVAL;
		for (int t = 0; t < VOX_ZRTP_T_COUNT; t++) {
			if (h->n[t] > VOX_ZRTP_MAX_ALGS)
				return VOX_EINVAL;
			n += h->n[t];
		}
		return 4 + 16 + 32 + 12 + 4 + 4 * n + 8;
	}
	case VOX_ZRTP_COMMIT: {
		if (!c->h2 || !c->zid)
			return VOX_EINVAL;
		uint32_t ka = c->alg[VOX_ZRTP_T_KEYAGR];
		enum vox_zrtp_mode m = ka == VOX_ZRTP_MULT   ? VOX_ZRTP_MODE_MULTI
		                       : ka == VOX_ZRTP_PRSH ? VOX_ZRTP_MODE_PRESHARED
		                                             : VOX_ZRTP_MODE_DH;
		if (m != c->mode)
			return VOX_EINVAL;
		if (m == VOX_ZRTP_MODE_DH)
			return c->hvi ? 32 + 12 + 20 + 32 + 8 : VOX_EINVAL;
		if (!c->nonce || (m == VOX_ZRTP_MODE_PRESHARED && !c->key_id))
			return VOX_EINVAL;
		return 32 + 12 + 20 + 16 + (m == VOX_ZRTP_MODE_PRESHARED ? 8 : 0) + 8;
	}
	case VOX_ZRTP_DHPART1:
	case VOX_ZRTP_DHPART2: {
		const struct vox_zrtp_dhpart *d = &pkt->u.dh;
		if (!d->h1 || !d->rs1_id || !d->rs2_id || !d->aux_id || !d->pbx_id || !d->pv ||
		    d->pv_len == 0 || d->pv_len % 4 || d->pv_len > VOX_ZRTP_MAX_MSG)
			return VOX_EINVAL;
		return (long)(32 + 32 + d->pv_len + 8);
	}
	case VOX_ZRTP_CONFIRM1:
	case VOX_ZRTP_CONFIRM2:
	case VOX_ZRTP_SASRELAY: {
		const struct vox_zrtp_sealed *s = &pkt->u.confirm;
		size_t min = pkt->type == VOX_ZRTP_SASRELAY ? RELAY_ENC_MIN : CONFIRM_ENC_MIN;
		if (!s->iv || !s->enc || s->enc_len < min || s->enc_len % 4 ||
		    s->enc_len > VOX_ZRTP_MAX_MSG)
			return VOX_EINVAL;
		return (long)(8 + 16 + s->enc_len);
	}
	default: return VOX_EINVAL;
	}
}

int vox_zrtp_print(const struct vox_zrtp_packet *pkt, uint8_t *out, size_t cap)
{
	const char *block = vox_zrtp_msg_block(pkt->type);
	if (!block)
		return VOX_EINVAL;
	long bl = body_len(pkt);
	if (bl < 0)
		return (int)bl;
	size_t words = (MSG_HDR + (size_t)bl) / 4;
	if (words > 0xffff)
		return VOX_EINVAL;
	if (pkt->type == VOX_ZRTP_PING || pkt->type == VOX_ZRTP_PINGACK) {
		const struct vox_zrtp_ping *p = &pkt->u.ping;
		if (!p->version || !p->endpoint_hash ||
		    (pkt->type == VOX_ZRTP_PINGACK && !p->received_hash))
			return VOX_EINVAL;
	}
	struct wr w = {out, out ? cap : 0, 0, 0};
	uint8_t hdr[VOX_ZRTP_HDR_LEN + 4];
	zrtp_put16(hdr, 0x1000);
	zrtp_put16(hdr + 2, pkt->seq);
	zrtp_put32(hdr + 4, VOX_ZRTP_MAGIC);
	zrtp_put32(hdr + 8, pkt->ssrc);
	zrtp_put16(hdr + 12, VOX_ZRTP_PREAMBLE);
	zrtp_put16(hdr + 14, (uint16_t)words);
	put(&w, hdr, sizeof hdr);
	put(&w, block, 8);
	switch (pkt->type) {
	case VOX_ZRTP_HELLO: {
		const struct vox_zrtp_hello *h = &pkt->u.hello;
		put(&w, h->version, 4);
		put(&w, h->client_id, VOX_ZRTP_CLIENT_ID_LEN);
		put(&w, h->h3, VOX_ZRTP_H_LEN);
		put(&w, h->zid, VOX_ZRTP_ZID_LEN);
		uint32_t f = (uint32_t)(h->sigcap & 1) << 30 | (uint32_t)(h->mitm & 1) << 29 |
		             (uint32_t)(h->passive & 1) << 28;
		for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
			f |= (uint32_t)h->n[t] << (16 - 4 * t);
		put32(&w, f);
		for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
			for (int i = 0; i < h->n[t]; i++)
				put32(&w, h->alg[t][i]);
		put(&w, h->mac, VOX_ZRTP_MAC_LEN);
		break;
	}
	case VOX_ZRTP_COMMIT: {
		const struct vox_zrtp_commit *c = &pkt->u.commit;
		put(&w, c->h2, VOX_ZRTP_H_LEN);
		put(&w, c->zid, VOX_ZRTP_ZID_LEN);
		for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
			put32(&w, c->alg[t]);
		if (c->mode == VOX_ZRTP_MODE_DH) {
			put(&w, c->hvi, VOX_ZRTP_HVI_LEN);
		} else {
			put(&w, c->nonce, VOX_ZRTP_NONCE_LEN);
			if (c->mode == VOX_ZRTP_MODE_PRESHARED)
				put(&w, c->key_id, 8);
		}
		put(&w, c->mac, VOX_ZRTP_MAC_LEN);
		break;
	}
	case VOX_ZRTP_DHPART1:
	case VOX_ZRTP_DHPART2: {
		const struct vox_zrtp_dhpart *d = &pkt->u.dh;
		put(&w, d->h1, VOX_ZRTP_H_LEN);
		put(&w, d->rs1_id, VOX_ZRTP_ID_LEN);
		put(&w, d->rs2_id, VOX_ZRTP_ID_LEN);
		put(&w, d->aux_id, VOX_ZRTP_ID_LEN);
		put(&w, d->pbx_id, VOX_ZRTP_ID_LEN);
		put(&w, d->pv, d->pv_len);
		put(&w, d->mac, VOX_ZRTP_MAC_LEN);
		break;
	}
	case VOX_ZRTP_CONFIRM1:
	case VOX_ZRTP_CONFIRM2:
	case VOX_ZRTP_SASRELAY:
		put(&w, pkt->u.confirm.mac, VOX_ZRTP_MAC_LEN);
		put(&w, pkt->u.confirm.iv, VOX_ZRTP_IV_LEN);
		put(&w, pkt->u.confirm.enc, pkt->u.confirm.enc_len);
		break;
	case VOX_ZRTP_ERROR: put32(&w, pkt->u.error_code); break;
	case VOX_ZRTP_GOCLEAR: put(&w, pkt->u.clear_mac, VOX_ZRTP_MAC_LEN); break;
	case VOX_ZRTP_PING:
	case VOX_ZRTP_PINGACK:
		put(&w, pkt->u.ping.version, 4);
		put(&w, pkt->u.ping.endpoint_hash, 8);
		if (pkt->type == VOX_ZRTP_PINGACK) {
			put(&w, pkt->u.ping.received_hash, 8);
			put32(&w, pkt->u.ping.received_ssrc);
		}
		break;
	default: break;
	}
	put(&w, NULL, VOX_ZRTP_CRC_LEN); /* zeros for now, the CRC below */
	if (w.err)
		return w.err;
	put_crc(out + w.len - 4, vox_zrtp_crc32c(out, w.len - 4));
	return (int)w.len;
}

int vox_zrtp_seal(uint8_t *pkt, size_t len)
{
	if (!pkt || len < VOX_ZRTP_HDR_LEN + MSG_HDR + VOX_ZRTP_CRC_LEN || len > INT32_MAX)
		return VOX_EINVAL;
	put_crc(pkt + len - 4, vox_zrtp_crc32c(pkt, len - 4));
	return 0;
}

static int print_sig_word(struct wr *w, size_t sig_len, const uint8_t *sig, uint8_t flags)
{
	if (sig_len % 4 || sig_len / 4 > SIG_MAX_WORDS || (sig_len && !sig))
		return VOX_EINVAL;
	put32(w, (uint32_t)(sig_len / 4) << 8 | flags);
	return 0;
}

int vox_zrtp_confirm_body_print(const struct vox_zrtp_confirm_body *b, uint8_t *out, size_t cap)
{
	if (!b->h0 || (b->e | b->v | b->a | b->d) > 1)
		return VOX_EINVAL;
	struct wr w = {out, out ? cap : 0, 0, 0};
	put(&w, b->h0, VOX_ZRTP_H_LEN);
	int rc = print_sig_word(&w, b->sig_len, b->sig,
	                        (uint8_t)(b->e << 3 | b->v << 2 | b->a << 1 | b->d));
	if (rc < 0)
		return rc;
	put32(&w, b->expiry);
	if (b->sig_len)
		put(&w, b->sig, b->sig_len);
	return w.err ? w.err : (int)w.len;
}

int vox_zrtp_relay_body_print(const struct vox_zrtp_relay_body *b, uint8_t *out, size_t cap)
{
	if (!b->sas_hash || (b->v | b->a | b->d) > 1)
		return VOX_EINVAL;
	struct wr w = {out, out ? cap : 0, 0, 0};
	int rc = print_sig_word(&w, b->sig_len, b->sig, (uint8_t)(b->v << 2 | b->a << 1 | b->d));
	if (rc < 0)
		return rc;
	put32(&w, b->rendering);
	put(&w, b->sas_hash, VOX_ZRTP_H_LEN);
	if (b->sig_len)
		put(&w, b->sig, b->sig_len);
	return w.err ? w.err : (int)w.len;
}

#endif /* VOX_WITH_ZRTP */
