/* SPDX-License-Identifier: MIT */
#define _POSIX_C_SOURCE 200809L /* mkdtemp, for the cache file */
/* zrtp/: the packets of RFC 6189 section 5 and their CRC-32c, checked
 * against the known answers of tests/vectors/zrtp/ (a DH3k exchange
 * captured from Linphone's bzrtp, a Hello from GNU ZRTP, GNU ZRTP's CRCs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vox/config.h"
#include "testutil.h"

#if VOX_WITH_ZRTP
#include "vox/zrtp.h"
#include "zrtp/zrtp_crypto.h"
#include "zrtp/zrtp_keys.h"
#include "zrtp/zrtp_proto.h"

#include <mbedtls/dhm.h>

/* ---- vector files: "Key = value" lines, '#' comments ---------------------- */

#define MAX_PAIRS 128

struct vecfile {
	char *raw;
	size_t n;
	const char *key[MAX_PAIRS];
	const char *val[MAX_PAIRS];
};

static void vf_load(struct vecfile *vf, const char *rel)
{
	size_t len;
	vf->raw = read_vector(rel, &len);
	vf->n = 0;
	char *p = vf->raw, *end = vf->raw + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		*eol = 0;
		char *eq = strstr(p, " = ");
		if (p[0] != '#' && eq) {
			assert_true(vf->n < MAX_PAIRS);
			*eq = 0;
			vf->key[vf->n] = p;
			vf->val[vf->n] = eq + 3;
			vf->n++;
		}
		p = eol + 1;
	}
}

static const char *vf_get(const struct vecfile *vf, const char *key)
{
	for (size_t i = 0; i < vf->n; i++)
		if (strcmp(vf->key[i], key) == 0)
			return vf->val[i];
	fail_msg("no %s in the vector file", key);
	return NULL;
}

/* Hex of the value into out; returns the byte count. */
static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	int n = vox_hex_decode(vox_slice_cstr(hex), out, cap);
	assert_true(n >= 0);
	return (size_t)n;
}

static size_t vf_bytes(const struct vecfile *vf, const char *key, uint8_t *out, size_t cap)
{
	return unhex(vf_get(vf, key), out, cap);
}

/* ---- CRC-32c ------------------------------------------------------------------ */

static void test_crc_known_answers(void **st)
{
	(void)st;
	struct vecfile vf;
	vf_load(&vf, "zrtp/crc.txt");
	int checked = 0;
	static uint8_t pkt[2048];
	for (size_t i = 0; i + 1 < vf.n; i++) {
		if (strcmp(vf.key[i], "Packet") != 0)
			continue;
		size_t n = unhex(vf.val[i], pkt, sizeof pkt - 4);
		assert_string_equal(vf.key[i + 1], "Wire");
		uint8_t wire[4];
		assert_int_equal(unhex(vf.val[i + 1], wire, 4), 4);
		uint32_t c = vox_zrtp_crc32c(pkt, n);
		uint8_t le[4] = {(uint8_t)c, (uint8_t)(c >> 8), (uint8_t)(c >> 16),
		                 (uint8_t)(c >> 24)};
		assert_memory_equal(le, wire, 4);
		/* and the whole packet, with its CRC, parses */
		memcpy(pkt + n, wire, 4);
		struct vox_zrtp_packet p;
		assert_int_equal(vox_zrtp_parse(pkt, n + 4, &p, NULL), (int)(n + 4));
		checked++;
	}
	assert_int_equal(checked, 3);
	/* RFC 3720 B.4: 32 bytes of zeros */
	static const uint8_t zeros[32];
	assert_true(vox_zrtp_crc32c(zeros, 32) == 0x8a9136aau);
	free(vf.raw);
}

/* ---- the bzrtp DH3k exchange --------------------------------------------------- */

struct ex {
	struct vecfile vf;
	uint8_t pkt[9][512];
	size_t len[9];
	uint8_t hr[4][32], hi[4][32]; /* H0..H3 of responder and initiator */
};

static const char *const ex_names[9] = {"Hello_R",    "Hello_I",    "HelloACK_R",
                                        "Commit_I",   "DHPart1_R",  "DHPart2_I",
                                        "Confirm1_R", "Confirm2_I", "Conf2ACK_R"};
static const enum vox_zrtp_msg ex_types[9] = {
    VOX_ZRTP_HELLO,   VOX_ZRTP_HELLO,    VOX_ZRTP_HELLOACK, VOX_ZRTP_COMMIT,  VOX_ZRTP_DHPART1,
    VOX_ZRTP_DHPART2, VOX_ZRTP_CONFIRM1, VOX_ZRTP_CONFIRM2, VOX_ZRTP_CONF2ACK};
static const uint16_t ex_seq[9] = {0x09f1, 0x02ce, 0x09f2, 0x02d0, 0x09f5,
                                   0x02d1, 0x09f6, 0x02d2, 0x09f7};

static struct ex *ex_load(void)
{
	struct ex *e = calloc(1, sizeof *e);
	assert_non_null(e);
	vf_load(&e->vf, "zrtp/bzrtp-dh3k.txt");
	for (int i = 0; i < 9; i++)
		e->len[i] = vf_bytes(&e->vf, ex_names[i], e->pkt[i], sizeof e->pkt[i]);
	for (int i = 0; i < 4; i++) {
		char k[32];
		snprintf(k, sizeof k, "H12345678_%d", i);
		assert_int_equal(vf_bytes(&e->vf, k, e->hr[i], 32), 32);
		snprintf(k, sizeof k, "H87654321_%d", i);
		assert_int_equal(vf_bytes(&e->vf, k, e->hi[i], 32), 32);
	}
	return e;
}

static void ex_free(struct ex *e)
{
	free(e->vf.raw);
	free(e);
}

/* Parses a packet placed against a guard page. */
static int parse_guarded(const uint8_t *p, size_t n, struct vox_zrtp_packet *pkt,
                         struct vox_diag *d, const uint8_t **copy)
{
	*copy = (const uint8_t *)guard_copy(p, n);
	return vox_zrtp_parse(*copy, n, pkt, d);
}

static void test_parse_bzrtp_exchange(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	for (int i = 0; i < 9; i++) {
		struct vox_zrtp_packet p;
		struct vox_diag d = {0, NULL};
		const uint8_t *g;
		assert_int_equal(parse_guarded(e->pkt[i], e->len[i], &p, &d, &g), (int)e->len[i]);
		assert_int_equal(p.type, ex_types[i]);
		assert_int_equal(p.seq, ex_seq[i]);
		assert_true(p.ssrc == (ex_names[i][strlen(ex_names[i]) - 1] == 'R' ? 0x12345678u
		                                                                   : 0x87654321u));
		assert_true(p.msg == g + 12 && p.msg_len == e->len[i] - 16);
		guard_free((const char *)g);
	}
	ex_free(e);
}

static void test_parse_bzrtp_fields(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	struct vox_zrtp_packet p;

	/* Hello of the responder: H3, version, client id, the algorithms */
	assert_int_equal(vox_zrtp_parse(e->pkt[0], e->len[0], &p, NULL), (int)e->len[0]);
	const struct vox_zrtp_hello *h = &p.u.hello;
	assert_memory_equal(h->version, "1.10", 4);
	assert_memory_equal(h->client_id, "LINPHONE-ZRTPCPP", 16);
	assert_memory_equal(h->h3, e->hr[3], 32);
	assert_int_equal(h->sigcap + h->mitm + h->passive, 0);
	static const uint8_t n_exp[5] = {1, 1, 2, 3, 1};
	assert_memory_equal(h->n, n_exp, 5);
	assert_true(h->alg[VOX_ZRTP_T_HASH][0] == VOX_ZRTP_S256);
	assert_true(h->alg[VOX_ZRTP_T_CIPHER][0] == VOX_ZRTP_AES1);
	assert_true(h->alg[VOX_ZRTP_T_AUTH][0] == VOX_ZRTP_HS32);
	assert_true(h->alg[VOX_ZRTP_T_AUTH][1] == VOX_ZRTP_HS80);
	assert_true(h->alg[VOX_ZRTP_T_KEYAGR][0] == VOX_ZRTP_DH3K);
	assert_true(h->alg[VOX_ZRTP_T_KEYAGR][1] == VOX_ZRTP_DH2K);
	assert_true(h->alg[VOX_ZRTP_T_KEYAGR][2] == VOX_ZRTP_MULT);
	assert_true(h->alg[VOX_ZRTP_T_SAS][0] == VOX_ZRTP_B32);
	assert_true(h->mac == e->pkt[0] + e->len[0] - 12);

	/* Commit: H2 of the initiator, DH mode, the chosen algorithms */
	assert_int_equal(vox_zrtp_parse(e->pkt[3], e->len[3], &p, NULL), (int)e->len[3]);
	const struct vox_zrtp_commit *c = &p.u.commit;
	assert_memory_equal(c->h2, e->hi[2], 32);
	assert_int_equal(c->mode, VOX_ZRTP_MODE_DH);
	assert_true(c->alg[VOX_ZRTP_T_HASH] == VOX_ZRTP_S256);
	assert_true(c->alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES1);
	assert_true(c->alg[VOX_ZRTP_T_AUTH] == VOX_ZRTP_HS32);
	assert_true(c->alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_DH3K);
	assert_true(c->alg[VOX_ZRTP_T_SAS] == VOX_ZRTP_B32);
	assert_non_null(c->hvi);
	assert_null(c->nonce);

	/* DHPart1 and DHPart2: H1 of each side, a 384-byte DH3k public value */
	assert_int_equal(vox_zrtp_parse(e->pkt[4], e->len[4], &p, NULL), (int)e->len[4]);
	assert_memory_equal(p.u.dh.h1, e->hr[1], 32);
	assert_int_equal(p.u.dh.pv_len, 384);
	assert_int_equal(vox_zrtp_parse(e->pkt[5], e->len[5], &p, NULL), (int)e->len[5]);
	assert_memory_equal(p.u.dh.h1, e->hi[1], 32);
	assert_int_equal(p.u.dh.pv_len, 384);

	/* Confirm1: MAC, IV and 40 encrypted bytes (H0, flags, expiry) */
	assert_int_equal(vox_zrtp_parse(e->pkt[6], e->len[6], &p, NULL), (int)e->len[6]);
	assert_int_equal(p.u.confirm.enc_len, 40);
	assert_true(p.u.confirm.iv == e->pkt[6] + 12 + 12 + 8);
	ex_free(e);
}

/* Every packet prints back to the very bytes it was parsed from. */
static void test_print_roundtrip_bzrtp(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	for (int i = 0; i < 9; i++) {
		struct vox_zrtp_packet p;
		uint8_t out[512];
		assert_int_equal(vox_zrtp_parse(e->pkt[i], e->len[i], &p, NULL), (int)e->len[i]);
		assert_int_equal(vox_zrtp_print(&p, out, sizeof out), (int)e->len[i]);
		assert_memory_equal(out, e->pkt[i], e->len[i]);
		/* one byte short: refused, never cut */
		assert_int_equal(vox_zrtp_print(&p, out, e->len[i] - 1), VOX_ENOSPC);
	}
	ex_free(e);
}

static void test_parse_gnu_hello(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	uint8_t pkt[256];
	size_t n = vf_bytes(&e->vf, "HelloGnu", pkt, sizeof pkt);
	struct vox_zrtp_packet p;
	assert_int_equal(vox_zrtp_parse(pkt, n, &p, NULL), (int)n);
	const struct vox_zrtp_hello *h = &p.u.hello;
	static const uint8_t n_exp[5] = {2, 4, 4, 5, 1};
	assert_memory_equal(h->n, n_exp, 5);
	assert_true(h->alg[VOX_ZRTP_T_HASH][0] == VOX_ZRTP_S384);
	assert_true(h->alg[VOX_ZRTP_T_KEYAGR][0] == VOX_ZRTP_EC25);
	assert_true(h->alg[VOX_ZRTP_T_KEYAGR][4] == VOX_ZRTP_MULT);
	assert_int_equal(h->passive, 0);
	uint8_t out[256];
	assert_int_equal(vox_zrtp_print(&p, out, sizeof out), (int)n);
	assert_memory_equal(out, pkt, n);
	ex_free(e);
}

/* Every cut of every packet is refused, and so is every single-bit flip
 * (by the CRC); no read past the end (guard page). */
static void test_truncated_and_flipped(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	for (int i = 0; i < 9; i++) {
		for (size_t cut = 0; cut < e->len[i]; cut++) {
			struct vox_zrtp_packet p;
			struct vox_diag d = {0, NULL};
			const uint8_t *g;
			int rc = parse_guarded(e->pkt[i], cut, &p, &d, &g);
			assert_true(rc < 0);
			assert_non_null(d.what);
			assert_true(d.off <= cut);
			guard_free((const char *)g);
		}
		for (size_t bit = 0; bit < e->len[i] * 8; bit += 7) {
			uint8_t copy[512];
			memcpy(copy, e->pkt[i], e->len[i]);
			copy[bit / 8] ^= (uint8_t)(1u << (bit % 8));
			struct vox_zrtp_packet p;
			assert_true(vox_zrtp_parse(copy, e->len[i], &p, NULL) < 0);
		}
	}
	/* a bad CRC says so */
	uint8_t copy[512];
	memcpy(copy, e->pkt[2], e->len[2]);
	copy[e->len[2] - 1] ^= 1;
	struct vox_zrtp_packet p;
	struct vox_diag d = {0, NULL};
	assert_int_equal(vox_zrtp_parse(copy, e->len[2], &p, &d), VOX_EAUTH);
	assert_int_equal(d.off, e->len[2] - 4);
	ex_free(e);
}

/* Damage that keeps a valid CRC: the parser's own checks. */
static void resealed(uint8_t *pkt, size_t n, int expect, const char *why)
{
	assert_int_equal(vox_zrtp_seal(pkt, n), 0);
	struct vox_zrtp_packet p;
	struct vox_diag d = {0, NULL};
	int rc = vox_zrtp_parse(pkt, n, &p, &d);
	if (rc != expect)
		fail_msg("%s: got %d (%s)", why, rc, d.what ? d.what : "-");
}

static void test_structure_checks(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	uint8_t b[512];
	size_t n;

	/* eight key agreements in a Hello (5.2 allows seven) */
	n = e->len[0];
	memcpy(b, e->pkt[0], n);
	b[12 + 12 + 4 + 16 + 32 + 12 + 3] = 0x81; /* kc = 8, sc = 1 */
	resealed(b, n, VOX_EMALFORMED, "kc 8");
	/* counts that do not add up to the length */
	memcpy(b, e->pkt[0], n);
	b[12 + 12 + 4 + 16 + 32 + 12 + 3] = 0x21; /* kc = 2 */
	resealed(b, n, VOX_EMALFORMED, "counts vs length");
	/* unknown type block */
	memcpy(b, e->pkt[2], e->len[2]);
	memcpy(b + 16, "HelloBYE", 8);
	resealed(b, e->len[2], VOX_EUNSUPPORTED, "type block");
	/* no magic cookie (the CRC is right) */
	memcpy(b, e->pkt[2], e->len[2]);
	b[4] = 'X';
	resealed(b, e->len[2], VOX_EMALFORMED, "magic");
	/* not 0001 in the first four bits */
	memcpy(b, e->pkt[2], e->len[2]);
	b[0] = 0x80;
	resealed(b, e->len[2], VOX_EMALFORMED, "version bits");
	/* length field off by one word */
	memcpy(b, e->pkt[2], e->len[2]);
	b[15] = 4;
	resealed(b, e->len[2], VOX_EMALFORMED, "length field");
	/* a HelloACK that says it is an Error (wrong fixed length) */
	memcpy(b, e->pkt[2], e->len[2]);
	memcpy(b + 16, "Error   ", 8);
	resealed(b, e->len[2], VOX_EMALFORMED, "fixed length");
	/* a Commit whose key agreement says Multistream but carries an hvi */
	n = e->len[3];
	memcpy(b, e->pkt[3], n);
	memcpy(b + 12 + 12 + 32 + 12 + 12, "Mult", 4);
	resealed(b, n, VOX_EMALFORMED, "Commit mode");
	ex_free(e);
}

/* Messages the exchange above does not show, built and parsed back. */
static void test_other_messages(void **st)
{
	(void)st;
	static const uint8_t mac[8] = {1, 2, 3, 4, 5, 6, 7, 8};
	static const uint8_t hash8[8] = {9, 9, 9, 9, 9, 9, 9, 9};
	static const uint8_t hash8b[8] = {7, 7, 7, 7, 7, 7, 7, 7};
	static const uint8_t iv[16] = {0xaa};
	static const uint8_t enc[48] = {0xbb};
	static const uint8_t nonce[16] = {0xcc}, keyid[8] = {0xdd}, h2[32] = {0xee}, zid[12] = {1};
	uint8_t out[256];
	struct vox_zrtp_packet a, b;
	static const struct {
		enum vox_zrtp_msg t;
		size_t len;
	} fixed[] = {{VOX_ZRTP_ERRORACK, 28}, {VOX_ZRTP_CLEARACK, 28}, {VOX_ZRTP_RELAYACK, 28},
	             {VOX_ZRTP_ERROR, 32},    {VOX_ZRTP_GOCLEAR, 36},  {VOX_ZRTP_PING, 40},
	             {VOX_ZRTP_PINGACK, 52},  {VOX_ZRTP_SASRELAY, 100}};
	for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
		memset(&a, 0, sizeof a);
		a.type = fixed[i].t;
		a.seq = (uint16_t)(100 + i);
		a.ssrc = 0xdeadbeef;
		a.u.error_code = VOX_ZRTP_ERR_CONFIRM_MAC;
		if (a.type == VOX_ZRTP_GOCLEAR)
			a.u.clear_mac = mac;
		if (a.type == VOX_ZRTP_PING || a.type == VOX_ZRTP_PINGACK) {
			a.u.ping.version = (const uint8_t *)"1.10";
			a.u.ping.endpoint_hash = hash8;
			a.u.ping.received_hash = hash8b;
			a.u.ping.received_ssrc = 0x01020304;
		}
		if (a.type == VOX_ZRTP_SASRELAY)
			a.u.confirm = (struct vox_zrtp_sealed){mac, iv, enc, sizeof enc};
		int n = vox_zrtp_print(&a, out, sizeof out);
		assert_int_equal(n, (int)fixed[i].len);
		assert_int_equal(vox_zrtp_parse(out, (size_t)n, &b, NULL), n);
		assert_int_equal(b.type, a.type);
		assert_int_equal(b.seq, a.seq);
		assert_memory_equal(b.msg + 4, vox_zrtp_msg_block(a.type), 8);
		if (a.type == VOX_ZRTP_ERROR)
			assert_true(b.u.error_code == VOX_ZRTP_ERR_CONFIRM_MAC);
		if (a.type == VOX_ZRTP_GOCLEAR)
			assert_memory_equal(b.u.clear_mac, mac, 8);
		if (a.type == VOX_ZRTP_PINGACK) {
			assert_memory_equal(b.u.ping.version, "1.10", 4);
			assert_memory_equal(b.u.ping.endpoint_hash, hash8, 8);
			assert_memory_equal(b.u.ping.received_hash, hash8b, 8);
			assert_true(b.u.ping.received_ssrc == 0x01020304u);
		}
		if (a.type == VOX_ZRTP_SASRELAY)
			assert_memory_equal(b.u.confirm.enc, enc, sizeof enc);
	}
	/* Multistream and Preshared Commits */
	for (int m = 0; m < 2; m++) {
		memset(&a, 0, sizeof a);
		a.type = VOX_ZRTP_COMMIT;
		a.u.commit.h2 = h2;
		a.u.commit.zid = zid;
		a.u.commit.alg[VOX_ZRTP_T_KEYAGR] = m ? VOX_ZRTP_PRSH : VOX_ZRTP_MULT;
		a.u.commit.mode = m ? VOX_ZRTP_MODE_PRESHARED : VOX_ZRTP_MODE_MULTI;
		a.u.commit.nonce = nonce;
		a.u.commit.key_id = keyid;
		int n = vox_zrtp_print(&a, out, sizeof out);
		assert_int_equal(n, m ? 124 : 116);
		assert_int_equal(vox_zrtp_parse(out, (size_t)n, &b, NULL), n);
		assert_int_equal(b.u.commit.mode, a.u.commit.mode);
		assert_memory_equal(b.u.commit.nonce, nonce, 16);
		if (m)
			assert_memory_equal(b.u.commit.key_id, keyid, 8);
		else
			assert_null(b.u.commit.key_id);
		/* a mode that contradicts the key agreement is the caller's error */
		a.u.commit.mode = VOX_ZRTP_MODE_DH;
		assert_int_equal(vox_zrtp_print(&a, out, sizeof out), VOX_EINVAL);
	}
	/* a Hello with eight of a type cannot be built */
	memset(&a, 0, sizeof a);
	a.type = VOX_ZRTP_HELLO;
	a.u.hello.version = (const uint8_t *)"1.10";
	a.u.hello.client_id = (const uint8_t *)"vox             ";
	a.u.hello.h3 = h2;
	a.u.hello.zid = zid;
	a.u.hello.n[VOX_ZRTP_T_KEYAGR] = 8;
	assert_int_equal(vox_zrtp_print(&a, out, sizeof out), VOX_EINVAL);
	a.u.hello.n[VOX_ZRTP_T_KEYAGR] = 7;
	a.u.hello.mitm = 1;
	int n = vox_zrtp_print(&a, out, sizeof out);
	assert_int_equal(n, 16 + 4 * (22 + 7));
	assert_int_equal(vox_zrtp_parse(out, (size_t)n, &b, NULL), n);
	assert_int_equal(b.u.hello.mitm, 1);
	assert_int_equal(b.u.hello.n[VOX_ZRTP_T_KEYAGR], 7);
	/* no type */
	a.type = (enum vox_zrtp_msg)0;
	assert_int_equal(vox_zrtp_print(&a, out, sizeof out), VOX_EINVAL);
	assert_null(vox_zrtp_msg_block((enum vox_zrtp_msg)17));
	assert_string_equal(vox_zrtp_error_name(0x70), "bad Confirm packet MAC");
	assert_string_equal(vox_zrtp_error_name(0x71), "unknown error code");
}

static void test_confirm_and_relay_bodies(void **st)
{
	(void)st;
	static const uint8_t h0[32] = {0x42}, sig[8] = {'P', 'G', 'P', ' ', 1, 2, 3, 4};
	uint8_t out[128];
	struct vox_zrtp_confirm_body a = {h0, 1, 0, 1, 0, 0xffffffffu, sig, sizeof sig}, b;
	int n = vox_zrtp_confirm_body_print(&a, out, sizeof out);
	assert_int_equal(n, 48);
	assert_int_equal(vox_zrtp_confirm_body_parse(out, (size_t)n, &b, NULL), n);
	assert_memory_equal(b.h0, h0, 32);
	assert_int_equal(b.e, 1);
	assert_int_equal(b.v, 0);
	assert_int_equal(b.a, 1);
	assert_int_equal(b.d, 0);
	assert_true(b.expiry == 0xffffffffu);
	assert_int_equal(b.sig_len, 8);
	/* a signature length that does not match what follows */
	assert_int_equal(vox_zrtp_confirm_body_parse(out, 40, &b, NULL), VOX_EMALFORMED);
	/* unused bits set */
	out[32] = 0x80;
	assert_int_equal(vox_zrtp_confirm_body_parse(out, (size_t)n, &b, NULL), VOX_EMALFORMED);
	assert_int_equal(vox_zrtp_confirm_body_print(&a, out, 47), VOX_ENOSPC);

	struct vox_zrtp_relay_body r = {1, 0, 0, VOX_ZRTP_B256, h0, NULL, 0}, q;
	n = vox_zrtp_relay_body_print(&r, out, sizeof out);
	assert_int_equal(n, 40);
	assert_int_equal(vox_zrtp_relay_body_parse(out, (size_t)n, &q, NULL), n);
	assert_int_equal(q.v, 1);
	assert_true(q.rendering == VOX_ZRTP_B256);
	assert_memory_equal(q.sas_hash, h0, 32);
	/* E is no flag of SASrelay */
	out[3] |= 0x08;
	assert_int_equal(vox_zrtp_relay_body_parse(out, (size_t)n, &q, NULL), VOX_EMALFORMED);
}

/* ---- crypto (zrtp/crypto.c) ------------------------------------------------- */

static uint64_t seed = 0x2e7a9c0ffee;
static const struct vox_rng rng = {test_rng, &seed};

static void test_hash_known_answers(void **st)
{
	(void)st;
	uint8_t out[48];
	struct zrtp_part abc = {(const uint8_t *)"abc", 3};
	static const uint8_t s256[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea,
	                                 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
	                                 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c,
	                                 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
	assert_int_equal(zrtp_hash(VOX_ZRTP_S256, &abc, 1, out), 0);
	assert_memory_equal(out, s256, 32);
	/* in pieces: the same */
	struct zrtp_part pieces[3] = {
	    {(const uint8_t *)"a", 1}, {NULL, 0}, {(const uint8_t *)"bc", 2}};
	assert_int_equal(zrtp_hash(VOX_ZRTP_S256, pieces, 3, out), 0);
	assert_memory_equal(out, s256, 32);
	uint8_t s384[48];
	unhex("cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358b"
	      "aeca134c825a7",
	      s384, sizeof s384);
	assert_int_equal(zrtp_hash(VOX_ZRTP_S384, &abc, 1, out), 0);
	assert_memory_equal(out, s384, 48);
	assert_int_equal(zrtp_hash(VOX_ZRTP_AES1, &abc, 1, out), VOX_EUNSUPPORTED);
	assert_int_equal(zrtp_hash_len(VOX_ZRTP_S384), 48);

	struct vecfile vf;
	vf_load(&vf, "zrtp/crypto.txt");
	static const char *const tc[2] = {"2", "6"};
	for (int i = 0; i < 2; i++) {
		uint8_t key[200], data[200], want[48];
		char k[32];
		snprintf(k, sizeof k, "HmacKey%s", tc[i]);
		size_t kl = vf_bytes(&vf, k, key, sizeof key);
		snprintf(k, sizeof k, "HmacData%s", tc[i]);
		struct zrtp_part d = {data, vf_bytes(&vf, k, data, sizeof data)};
		snprintf(k, sizeof k, "HmacS256_%s", tc[i]);
		vf_bytes(&vf, k, want, sizeof want);
		assert_int_equal(zrtp_hmac(VOX_ZRTP_S256, key, kl, &d, 1, out), 0);
		assert_memory_equal(out, want, 32);
		snprintf(k, sizeof k, "HmacS384_%s", tc[i]);
		vf_bytes(&vf, k, want, sizeof want);
		assert_int_equal(zrtp_hmac(VOX_ZRTP_S384, key, kl, &d, 1, out), 0);
		assert_memory_equal(out, want, 48);
	}
	free(vf.raw);
	static const uint8_t x[4] = {1, 2, 3, 4}, y[4] = {1, 2, 3, 5};
	assert_int_equal(zrtp_ct_eq(x, x, 4), 1);
	assert_int_equal(zrtp_ct_eq(x, y, 4), 0);
	assert_int_equal(zrtp_ct_eq(x, y, 3), 1);
}

static void test_cfb_known_answers(void **st)
{
	(void)st;
	struct vecfile vf;
	vf_load(&vf, "zrtp/crypto.txt");
	uint8_t iv[16], pt[64], ct[64], key[32], out[64];
	vf_bytes(&vf, "CfbIv", iv, sizeof iv);
	size_t n = vf_bytes(&vf, "CfbPlain", pt, sizeof pt);
	static const uint32_t ciphers[2] = {VOX_ZRTP_AES1, VOX_ZRTP_AES3};
	static const char *const names[2] = {"AES1", "AES3"};
	for (int i = 0; i < 2; i++) {
		char k[32];
		snprintf(k, sizeof k, "CfbKey_%s", names[i]);
		assert_int_equal(vf_bytes(&vf, k, key, sizeof key),
		                 zrtp_cipher_key_len(ciphers[i]));
		snprintf(k, sizeof k, "CfbCipher_%s", names[i]);
		assert_int_equal(vf_bytes(&vf, k, ct, sizeof ct), n);
		assert_int_equal(zrtp_cfb(ciphers[i], 1, key, iv, pt, n, out), 0);
		assert_memory_equal(out, ct, n);
		/* decrypt in place, and a length that is no multiple of 16 */
		assert_int_equal(zrtp_cfb(ciphers[i], 0, key, iv, out, 40, out), 0);
		assert_memory_equal(out, pt, 40);
	}
	assert_int_equal(zrtp_cfb(VOX_ZRTP_S256, 1, key, iv, pt, n, out), VOX_EUNSUPPORTED);
	free(vf.raw);
}

/* The Confirm messages of the bzrtp exchange open with its keys: MAC
 * over the encrypted part (5.7), AES-CFB decryption, H0 inside. */
static void test_confirm_bzrtp_decrypt(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	uint8_t mackey[2][32], zrtpkey[2][16];
	vf_bytes(&e->vf, "mackeyr", mackey[0], 32);
	vf_bytes(&e->vf, "mackeyi", mackey[1], 32);
	vf_bytes(&e->vf, "zrtpkeyr", zrtpkey[0], 16);
	vf_bytes(&e->vf, "zrtpkeyi", zrtpkey[1], 16);
	for (int side = 0; side < 2; side++) {
		int i = 6 + side; /* Confirm1 from the responder, Confirm2 from the initiator */
		struct vox_zrtp_packet p;
		assert_int_equal(vox_zrtp_parse(e->pkt[i], e->len[i], &p, NULL), (int)e->len[i]);
		const struct vox_zrtp_sealed *c = &p.u.confirm;
		uint8_t mac[32], plain[64];
		struct zrtp_part part = {c->enc, c->enc_len};
		assert_int_equal(zrtp_hmac(VOX_ZRTP_S256, mackey[side], 32, &part, 1, mac), 0);
		assert_memory_equal(mac, c->mac, VOX_ZRTP_MAC_LEN);
		assert_int_equal(
		    zrtp_cfb(VOX_ZRTP_AES1, 0, zrtpkey[side], c->iv, c->enc, c->enc_len, plain), 0);
		struct vox_zrtp_confirm_body b;
		assert_int_equal(vox_zrtp_confirm_body_parse(plain, c->enc_len, &b, NULL),
		                 (int)c->enc_len);
		assert_memory_equal(b.h0, side ? e->hi[0] : e->hr[0], 32);
		assert_int_equal(b.sig_len, 0);
		/* and the wrong key gives another MAC */
		assert_int_equal(zrtp_hmac(VOX_ZRTP_S256, mackey[!side], 32, &part, 1, mac), 0);
		assert_memory_not_equal(mac, c->mac, VOX_ZRTP_MAC_LEN);
	}
	ex_free(e);
}

/* A secret value for zrtp_kp_make that gives the private key priv: for
 * EC25/EC38 the bytes are reduced as (v mod (n-1)) + 1, so 8 zero bytes
 * and priv - 1; otherwise the bytes themselves. */
static size_t secret_for(uint32_t ka, const char *hex, uint8_t *sv)
{
	if (ka != VOX_ZRTP_EC25 && ka != VOX_ZRTP_EC38)
		return unhex(hex, sv, ZRTP_SECRET_MAX);
	memset(sv, 0, 8);
	size_t n = unhex(hex, sv + 8, ZRTP_SECRET_MAX - 8);
	size_t i = 8 + n;
	while (i-- > 8 && sv[i]-- == 0)
		; /* minus one, borrowing */
	return 8 + n;
}

static void test_keyagr_known_answers(void **st)
{
	(void)st;
	struct vecfile vf;
	vf_load(&vf, "zrtp/crypto.txt");
	static const struct {
		uint32_t ka;
		const char *name, *a, *b;
	} cases[] = {
	    {VOX_ZRTP_EC25, "EC25", "i", "r"}, {VOX_ZRTP_EC38, "EC38", "i", "r"},
	    {VOX_ZRTP_X255, "X255", "a", "b"}, {VOX_ZRTP_E255, "X255", "a", "b"},
	    {VOX_ZRTP_X448, "X448", "a", "b"}, {VOX_ZRTP_DH2K, "DH2k", "a", "b"},
	    {VOX_ZRTP_DH3K, "DH3k", "a", "b"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		uint32_t ka = cases[c].ka;
		char k[32];
		uint8_t sv[ZRTP_SECRET_MAX], want[ZRTP_PV_MAX], shared[ZRTP_SHARED_MAX];
		struct vox_zrtp_keypair A, B;
		assert_int_equal(zrtp_keyagr_supported(ka), 1);
		snprintf(k, sizeof k, "%s_%s", cases[c].name, cases[c].a);
		size_t n = secret_for(ka, vf_get(&vf, k), sv);
		assert_int_equal(n, zrtp_secret_len(ka, 16));
		assert_int_equal(zrtp_kp_make(&A, ka, sv, n, &rng), 0);
		snprintf(k, sizeof k, "%s_g%s", cases[c].name, cases[c].a);
		assert_int_equal(vf_bytes(&vf, k, want, sizeof want), zrtp_pv_len(ka));
		assert_int_equal(A.pv_len, zrtp_pv_len(ka));
		assert_memory_equal(A.pv, want, A.pv_len);
		snprintf(k, sizeof k, "%s_%s", cases[c].name, cases[c].b);
		n = secret_for(ka, vf_get(&vf, k), sv);
		assert_int_equal(zrtp_kp_make(&B, ka, sv, n, &rng), 0);
		snprintf(k, sizeof k, "%s_g%s", cases[c].name, cases[c].b);
		vf_bytes(&vf, k, want, sizeof want);
		assert_memory_equal(B.pv, want, B.pv_len);
		snprintf(k, sizeof k, "%s_g%s%s", cases[c].name, cases[c].a, cases[c].b);
		assert_int_equal(vf_bytes(&vf, k, want, sizeof want), zrtp_shared_len(ka));
		assert_int_equal(zrtp_kp_shared(&A, B.pv, B.pv_len, shared, &rng), 0);
		assert_memory_equal(shared, want, zrtp_shared_len(ka));
		assert_int_equal(zrtp_kp_shared(&B, A.pv, A.pv_len, shared, &rng), 0);
		assert_memory_equal(shared, want, zrtp_shared_len(ka));
		/* a public value of the wrong length */
		assert_int_equal(zrtp_kp_shared(&A, B.pv, B.pv_len - 4, shared, &rng), VOX_EINVAL);
		zrtp_kp_wipe(&A);
		zrtp_kp_wipe(&B);
	}
	free(vf.raw);
}

/* Public values a MitM could choose to know the result are refused. */
static void test_keyagr_bad_public_values(void **st)
{
	(void)st;
	uint8_t sv[ZRTP_SECRET_MAX], pv[ZRTP_PV_MAX], out[ZRTP_SHARED_MAX];
	struct vox_zrtp_keypair kp;
	for (int i = 0; i < ZRTP_SECRET_MAX; i++)
		sv[i] = (uint8_t)(i * 7 + 1);
	/* DH: 0, 1, p-1 and p itself (5.9, Error 0x61) */
	static const uint32_t dh[2] = {VOX_ZRTP_DH2K, VOX_ZRTP_DH3K};
	for (int g = 0; g < 2; g++) {
		assert_int_equal(zrtp_kp_make(&kp, dh[g], sv, 64, &rng), 0);
		size_t n = zrtp_pv_len(dh[g]);
		memset(pv, 0, n);
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), VOX_EAUTH);
		pv[n - 1] = 1;
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), VOX_EAUTH);
		pv[n - 1] = 2; /* the generator: fine */
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), 0);
		/* p - 1 (its last byte is 0xff, so p - 1 ends in 0xfe), p, all ones */
		static const uint8_t p2048[] = MBEDTLS_DHM_RFC3526_MODP_2048_P_BIN;
		static const uint8_t p3072[] = MBEDTLS_DHM_RFC3526_MODP_3072_P_BIN;
		memcpy(pv, g ? p3072 : p2048, n);
		assert_int_equal(pv[n - 1], 0xff);
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), VOX_EAUTH);
		pv[n - 1] = 0xfe;
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), VOX_EAUTH);
		pv[n - 1] = 0xfd; /* p - 2: a group element */
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), 0);
		memset(pv, 0xff, n);
		assert_int_equal(zrtp_kp_shared(&kp, pv, n, out, &rng), VOX_EAUTH);
		zrtp_kp_wipe(&kp);
	}
	/* P-256: a point off the curve */
	assert_int_equal(zrtp_kp_make(&kp, VOX_ZRTP_EC25, sv, 40, &rng), 0);
	memcpy(pv, kp.pv, 64);
	pv[63] ^= 1;
	assert_int_equal(zrtp_kp_shared(&kp, pv, 64, out, &rng), VOX_EAUTH);
	/* X25519: the u-coordinate 0 (low order) */
	assert_int_equal(zrtp_kp_make(&kp, VOX_ZRTP_X255, sv, 32, &rng), 0);
	memset(pv, 0, 32);
	assert_int_equal(zrtp_kp_shared(&kp, pv, 32, out, &rng), VOX_EAUTH);
	/* an unknown key agreement, and a wrong secret length */
	assert_int_equal(zrtp_kp_make(&kp, VOX_ZRTP_MULT, sv, 32, &rng), VOX_EUNSUPPORTED);
	assert_int_equal(zrtp_kp_make(&kp, VOX_ZRTP_X448, sv, 32, &rng), VOX_EINVAL);
	assert_int_equal(zrtp_kp_make(&kp, VOX_ZRTP_DH3K, sv, 48, &rng), VOX_EINVAL);
}

/* ---- key derivation (4.4, 4.5) and the SAS (5.1.6) ----------------------------- */

static void test_kdf_known_answers(void **st)
{
	(void)st;
	struct vecfile vf;
	vf_load(&vf, "zrtp/kdf.txt");
	uint8_t ki[32], ctx[64], want[32], out[32];
	assert_int_equal(vf_bytes(&vf, "KI", ki, sizeof ki), 32);
	int checked = 0;
	for (size_t i = 0; i + 3 < vf.n; i++) {
		if (strcmp(vf.key[i], "Label") != 0)
			continue;
		size_t cl = unhex(vf.val[i + 1], ctx, sizeof ctx);
		size_t l = (size_t)strtoul(vf.val[i + 2], NULL, 10);
		assert_int_equal(unhex(vf.val[i + 3], want, sizeof want), l);
		assert_int_equal(zrtp_kdf(VOX_ZRTP_S256, ki, 32, vf.val[i], ctx, cl, l, out), 0);
		assert_memory_equal(out, want, l);
		checked++;
	}
	assert_int_equal(checked, 9);
	assert_int_equal(zrtp_kdf(VOX_ZRTP_S256, ki, 32, "SAS", ctx, 56, 33, out), VOX_EINVAL);

	/* the same through zrtp_keys_derive: the context is ZIDi || ZIDr ||
	 * total_hash, and every label lands in its field */
	size_t cl = vf_bytes(&vf, "Context", ctx, sizeof ctx);
	assert_int_equal(cl, 56);
	struct vox_zrtp_keyset k;
	assert_int_equal(
	    zrtp_keys_derive(&k, VOX_ZRTP_S256, VOX_ZRTP_AES1, ki, ctx, ctx + 12, ctx + 24), 0);
	assert_int_equal(k.ctx_len, 56);
	assert_memory_equal(k.ctx, ctx, 56);
	static const struct {
		const char *label;
		size_t off;
	} f[] = {
	    {"Responder SRTP master key", offsetof(struct vox_zrtp_keyset, srtp_key_r)},
	    {"Responder SRTP master salt", offsetof(struct vox_zrtp_keyset, srtp_salt_r)},
	    {"SAS", offsetof(struct vox_zrtp_keyset, sashash)},
	    {"ZRTP Session Key", offsetof(struct vox_zrtp_keyset, sess)},
	    {"retained secret", offsetof(struct vox_zrtp_keyset, rs1)},
	    {"Responder ZRTP key", offsetof(struct vox_zrtp_keyset, zrtpkey_r)},
	    {"Initiator ZRTP key", offsetof(struct vox_zrtp_keyset, zrtpkey_i)},
	    {"Responder HMAC key", offsetof(struct vox_zrtp_keyset, mackey_r)},
	    {"Initiator HMAC key", offsetof(struct vox_zrtp_keyset, mackey_i)},
	};
	for (size_t j = 0; j < sizeof f / sizeof f[0]; j++) {
		size_t i;
		for (i = 0; i < vf.n; i++)
			if (strcmp(vf.key[i], "Label") == 0 && strcmp(vf.val[i], f[j].label) == 0)
				break;
		assert_true(i + 3 < vf.n);
		size_t l = unhex(vf.val[i + 3], want, sizeof want);
		assert_memory_equal((const uint8_t *)&k + f[j].off, want, l);
	}
	/* sasvalue: the leftmost 32 bits of sashash (d269b071...) */
	assert_true(k.sasvalue == 0xd269b071u);
	char sas[VOX_ZRTP_SAS_MAX];
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B32, k.sasvalue, sas, sizeof sas), 4);
	assert_string_equal(sas, "4jw5");
	zrtp_keys_wipe(&k);
	assert_int_equal(
	    zrtp_keys_derive(&k, VOX_ZRTP_S256, VOX_ZRTP_HS32, ki, ctx, ctx + 12, ctx + 24),
	    VOX_EUNSUPPORTED);
	free(vf.raw);
}

/* s0 (4.4.1.4) equals the hash of its fields laid end to end by hand. */
static void test_s0_layout(void **st)
{
	(void)st;
	uint8_t dh[48], zidi[12], zidr[12], th[48], rs[32], aux[5], out[48], want[48];
	for (int i = 0; i < 48; i++) {
		dh[i] = (uint8_t)i;
		th[i] = (uint8_t)(0x80 + i);
	}
	memset(zidi, 0x11, 12);
	memset(zidr, 0x22, 12);
	memset(rs, 0x33, 32);
	memcpy(aux, "aux!!", 5);
	for (int h = 0; h < 2; h++) {
		uint32_t hash = h ? VOX_ZRTP_S384 : VOX_ZRTP_S256;
		size_t hl = zrtp_hash_len(hash);
		uint8_t flat[4 + 48 + 13 + 24 + 48 + 4 + 32 + 4 + 5 + 4];
		size_t n = 0;
		memcpy(flat + n, "\0\0\0\1", 4), n += 4;
		memcpy(flat + n, dh, 48), n += 48;
		memcpy(flat + n, "ZRTP-HMAC-KDF", 13), n += 13;
		memcpy(flat + n, zidi, 12), n += 12;
		memcpy(flat + n, zidr, 12), n += 12;
		memcpy(flat + n, th, hl), n += hl;
		memcpy(flat + n, "\0\0\0\x20", 4), n += 4;
		memcpy(flat + n, rs, 32), n += 32;
		memcpy(flat + n, "\0\0\0\5", 4), n += 4;
		memcpy(flat + n, aux, 5), n += 5;
		memcpy(flat + n, "\0\0\0\0", 4), n += 4; /* no pbxsecret */
		struct zrtp_part whole = {flat, n};
		assert_int_equal(zrtp_hash(hash, &whole, 1, want), 0);
		struct zrtp_part pdh = {dh, 48}, s1 = {rs, 32}, s2 = {aux, 5}, s3 = {NULL, 0};
		assert_int_equal(zrtp_s0_dh(hash, pdh, zidi, zidr, th, s1, s2, s3, out), 0);
		assert_memory_equal(out, want, hl);
	}
	/* the IDs of a secret differ by role, and are 64 bits of the MAC */
	uint8_t idi[8], idr[8], mac[32];
	assert_int_equal(zrtp_secret_id(VOX_ZRTP_S256, rs, 32, 1, idi), 0);
	assert_int_equal(zrtp_secret_id(VOX_ZRTP_S256, rs, 32, 0, idr), 0);
	assert_memory_not_equal(idi, idr, 8);
	struct zrtp_part who = {(const uint8_t *)"Initiator", 9};
	assert_int_equal(zrtp_hmac(VOX_ZRTP_S256, rs, 32, &who, 1, mac), 0);
	assert_memory_equal(idi, mac, 8);
}

/* hvi of the bzrtp exchange: its DHPart2 and the responder's Hello give
 * the hvi its Commit carried (4.4.1.1). */
static void test_hvi_bzrtp(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	struct vox_zrtp_packet hello, commit, dh2;
	assert_true(vox_zrtp_parse(e->pkt[0], e->len[0], &hello, NULL) > 0);
	assert_true(vox_zrtp_parse(e->pkt[3], e->len[3], &commit, NULL) > 0);
	assert_true(vox_zrtp_parse(e->pkt[5], e->len[5], &dh2, NULL) > 0);
	uint8_t hvi[32];
	struct zrtp_part d = {dh2.msg, dh2.msg_len}, h = {hello.msg, hello.msg_len};
	assert_int_equal(zrtp_hvi(VOX_ZRTP_S256, d, h, hvi), 0);
	assert_memory_equal(hvi, commit.u.commit.hvi, 32);
	/* the initiator's own Hello would not do */
	assert_true(vox_zrtp_parse(e->pkt[1], e->len[1], &hello, NULL) > 0);
	struct zrtp_part hi = {hello.msg, hello.msg_len};
	assert_int_equal(zrtp_hvi(VOX_ZRTP_S256, d, hi, hvi), 0);
	assert_memory_not_equal(hvi, commit.u.commit.hvi, 32);
	ex_free(e);
}

static void test_sas_render(void **st)
{
	(void)st;
	char out[VOX_ZRTP_SAS_MAX];
	/* B32: the leftmost 20 bits, five at a time, in ZRTP's alphabet */
	static const struct {
		uint32_t v;
		const char *s;
	} b32[] = {{0, "yyyy"},           {0xffffffffu, "9999"}, {0x12345678u, "ne4f"},
	           {0x00000fffu, "yyyy"}, {0x08000000u, "byyy"}, {0x00001000u, "yyyb"}};
	for (size_t i = 0; i < sizeof b32 / sizeof b32[0]; i++) {
		assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B32, b32[i].v, out, sizeof out), 4);
		assert_string_equal(out, b32[i].s);
	}
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B32, 0, out, 4), VOX_ENOSPC);
	/* B256: every byte in either position against the word list file */
	struct vecfile vf;
	size_t len;
	vf.raw = read_vector("zrtp/pgp-words.tsv", &len);
	char *p = vf.raw, *end = vf.raw + len;
	int rows = 0;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *eol = nl ? nl : end;
		*eol = 0;
		if (p[0] != '#' && p[0]) {
			char *t1 = strchr(p, '\t'), *t2 = t1 ? strchr(t1 + 1, '\t') : NULL;
			assert_non_null(t2);
			*t1 = *t2 = 0;
			uint32_t b = (uint32_t)strtoul(p, NULL, 16);
			assert_int_equal(b, rows);
			char want[40];
			/* byte b first (even word), then byte b second (odd word) */
			int n =
			    vox_zrtp_sas_render(VOX_ZRTP_B256, b << 24 | b << 16, out, sizeof out);
			snprintf(want, sizeof want, "%s %s", t1 + 1, t2 + 1);
			assert_int_equal(n, (int)strlen(want));
			assert_string_equal(out, want);
			rows++;
		}
		p = eol + 1;
	}
	assert_int_equal(rows, 256);
	free(vf.raw);
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B256, 0x0001ffffu, out, sizeof out), 16);
	assert_string_equal(out, "aardvark adviser");
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B256, 0xfffe0000u, out, sizeof out), 15);
	assert_string_equal(out, "Zulu yesteryear");
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B256, 0xfffe0000u, out, 15), VOX_ENOSPC);
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_B256, 0xfffe0000u, out, 16), 15);
	assert_int_equal(vox_zrtp_sas_render(VOX_ZRTP_S256, 0, out, sizeof out), VOX_EUNSUPPORTED);
}

/* ---- hash chain, MACs, zrtp-hash, negotiation ---------------------------------- */

static void test_chain_and_macs_bzrtp(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	uint8_t h[4][32];
	assert_int_equal(zrtp_chain_make(e->hr[0], h), 0);
	assert_memory_equal(h, e->hr, sizeof h);
	assert_int_equal(zrtp_chain_make(e->hi[0], h), 0);
	assert_memory_equal(h, e->hi, sizeof h);
	assert_int_equal(zrtp_chain_check(e->hi[0], e->hi[3], 3), 1);
	assert_int_equal(zrtp_chain_check(e->hi[1], e->hi[2], 1), 1);
	assert_int_equal(zrtp_chain_check(e->hi[1], e->hi[3], 1), 0);
	assert_int_equal(zrtp_chain_check(e->hr[0], e->hi[3], 3), 0);

	/* each message's MAC opens with the image its sender reveals next:
	 * Hello with H2, Commit with H1, DHPart1/2 with H0 */
	static const struct {
		int pkt, initiator, image;
	} m[] = {{0, 0, 2}, {1, 1, 2}, {3, 1, 1}, {4, 0, 0}, {5, 1, 0}};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
		struct vox_zrtp_packet p;
		assert_true(vox_zrtp_parse(e->pkt[m[i].pkt], e->len[m[i].pkt], &p, NULL) > 0);
		const uint8_t *key = m[i].initiator ? e->hi[m[i].image] : e->hr[m[i].image];
		const uint8_t *wrong = m[i].initiator ? e->hr[m[i].image] : e->hi[m[i].image];
		assert_int_equal(zrtp_msg_mac_ok(key, p.msg, p.msg_len), 1);
		assert_int_equal(zrtp_msg_mac_ok(wrong, p.msg, p.msg_len), 0);
		assert_int_equal(
		    zrtp_msg_mac_ok(m[i].image ? key - 32 : key + 32, p.msg, p.msg_len), 0);
		uint8_t copy[512];
		memcpy(copy, p.msg, p.msg_len);
		memset(copy + p.msg_len - 8, 0, 8);
		assert_int_equal(zrtp_msg_mac_set(key, copy, p.msg_len), 0);
		assert_memory_equal(copy, p.msg, p.msg_len);
	}
	ex_free(e);
}

static void test_hello_hash(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	static const struct {
		const char *pkt, *hash;
	} c[] = {{"Hello_R", "ZrtpHash_12345678"},
	         {"Hello_I", "ZrtpHash_87654321"},
	         {"HelloGnu", "ZrtpHash_Gnu"}};
	for (size_t i = 0; i < 3; i++) {
		uint8_t pkt[256];
		size_t n = vf_bytes(&e->vf, c[i].pkt, pkt, sizeof pkt);
		struct vox_zrtp_packet p;
		assert_int_equal(vox_zrtp_parse(pkt, n, &p, NULL), (int)n);
		char out[VOX_ZRTP_HELLO_HASH_LEN + 1];
		assert_int_equal(vox_zrtp_hello_hash(p.msg, p.msg_len, out, sizeof out), 69);
		assert_string_equal(out, vf_get(&e->vf, c[i].hash));
		assert_int_equal(vox_zrtp_hello_hash(p.msg, p.msg_len, out, 69), VOX_ENOSPC);
	}
	ex_free(e);
}

static void hello_of(struct vox_zrtp_hello *h, const struct vox_zrtp_algs *a)
{
	memset(h, 0, sizeof *h);
	memcpy(h->n, a->n, sizeof h->n);
	memcpy(h->alg, a->alg, sizeof h->alg);
}

static void set_list(struct vox_zrtp_algs *a, int t, size_t n, const uint32_t *l)
{
	a->n[t] = (uint8_t)n;
	memcpy(a->alg[t], l, n * sizeof l[0]);
}

/* Both ends must reach the same choice from the same two offers. */
static void both_choose(const struct vox_zrtp_algs *x, const struct vox_zrtp_algs *y,
                        struct zrtp_choice *c)
{
	struct vox_zrtp_hello hx, hy;
	struct zrtp_choice d;
	hello_of(&hx, x);
	hello_of(&hy, y);
	assert_int_equal(zrtp_negotiate(x, &hy, c), 0);
	assert_int_equal(zrtp_negotiate(y, &hx, &d), 0);
	for (int t = 0; t < VOX_ZRTP_T_COUNT; t++)
		assert_true(c->alg[t] == d.alg[t] ||
		            (zrtp_is_25519(c->alg[t]) && zrtp_is_25519(d.alg[t])));
}

static void test_negotiation(void **st)
{
	(void)st;
	struct vox_zrtp_algs ours, peer;
	struct zrtp_choice c;
	vox_zrtp_algs_default(&ours);
	assert_int_equal(vox_zrtp_algs_check(&ours), 0);

	/* two vox: everybody's first choice */
	both_choose(&ours, &ours, &c);
	assert_true(c.alg[VOX_ZRTP_T_HASH] == VOX_ZRTP_S384);
	assert_true(c.alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES3);
	assert_true(c.alg[VOX_ZRTP_T_AUTH] == VOX_ZRTP_HS80);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_X255);
	assert_true(c.alg[VOX_ZRTP_T_SAS] == VOX_ZRTP_B32);

	/* the bzrtp Hello: S256 | AES1 | HS32 HS80 | DH3k DH2k Mult | B32 */
	struct ex *e = ex_load();
	struct vox_zrtp_packet p;
	assert_true(vox_zrtp_parse(e->pkt[0], e->len[0], &p, NULL) > 0);
	assert_int_equal(zrtp_negotiate(&ours, &p.u.hello, &c), 0);
	assert_true(c.alg[VOX_ZRTP_T_HASH] == VOX_ZRTP_S256);
	assert_true(c.alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES1);
	/* first choices HS80 (ours) and HS32 (theirs) differ: the stronger */
	assert_true(c.alg[VOX_ZRTP_T_AUTH] == VOX_ZRTP_HS80);
	/* our first that they offer, DH3k, is their first too */
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_DH3K);
	assert_true(c.alg[VOX_ZRTP_T_SAS] == VOX_ZRTP_B32);
	ex_free(e);

	/* key agreement first choices differ: the faster wins, on both sides */
	static const uint32_t dh3k_ec25[] = {VOX_ZRTP_DH3K, VOX_ZRTP_EC25};
	static const uint32_t ec25_dh3k[] = {VOX_ZRTP_EC25, VOX_ZRTP_DH3K};
	static const uint32_t dh3k_dh2k[] = {VOX_ZRTP_DH3K, VOX_ZRTP_DH2K};
	static const uint32_t dh2k_dh3k[] = {VOX_ZRTP_DH2K, VOX_ZRTP_DH3K};
	peer = ours;
	set_list(&ours, VOX_ZRTP_T_KEYAGR, 2, dh3k_ec25);
	set_list(&peer, VOX_ZRTP_T_KEYAGR, 2, ec25_dh3k);
	both_choose(&ours, &peer, &c);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_EC25);
	set_list(&ours, VOX_ZRTP_T_KEYAGR, 2, dh3k_dh2k);
	set_list(&peer, VOX_ZRTP_T_KEYAGR, 2, dh2k_dh3k);
	both_choose(&ours, &peer, &c);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_DH2K);

	/* EC38 brings S384 and AES3 although the first choices were others */
	static const uint32_t ec38[] = {VOX_ZRTP_EC38, VOX_ZRTP_DH3K};
	static const uint32_t s256_s384[] = {VOX_ZRTP_S256, VOX_ZRTP_S384};
	static const uint32_t aes1_aes3[] = {VOX_ZRTP_AES1, VOX_ZRTP_AES3};
	set_list(&ours, VOX_ZRTP_T_KEYAGR, 2, ec38);
	set_list(&peer, VOX_ZRTP_T_KEYAGR, 2, ec38);
	set_list(&ours, VOX_ZRTP_T_HASH, 2, s256_s384);
	set_list(&peer, VOX_ZRTP_T_HASH, 2, s256_s384);
	set_list(&ours, VOX_ZRTP_T_CIPHER, 2, aes1_aes3);
	set_list(&peer, VOX_ZRTP_T_CIPHER, 2, aes1_aes3);
	both_choose(&ours, &peer, &c);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_EC38);
	assert_true(c.alg[VOX_ZRTP_T_HASH] == VOX_ZRTP_S384);
	assert_true(c.alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES3);

	/* a peer that lists nothing: the mandatory algorithms are implied */
	memset(&peer, 0, sizeof peer);
	vox_zrtp_algs_default(&ours);
	both_choose(&ours, &peer, &c);
	assert_true(c.alg[VOX_ZRTP_T_HASH] == VOX_ZRTP_S256);
	assert_true(c.alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES1);
	assert_true(c.alg[VOX_ZRTP_T_AUTH] == VOX_ZRTP_HS80);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_DH3K);
	assert_true(c.alg[VOX_ZRTP_T_SAS] == VOX_ZRTP_B32);

	/* a GNU ZRTP peer calls Curve25519 E255: the Commit names it so */
	static const uint32_t e255[] = {VOX_ZRTP_E255, VOX_ZRTP_DH3K};
	peer = ours;
	set_list(&peer, VOX_ZRTP_T_KEYAGR, 2, e255);
	struct vox_zrtp_hello hp;
	hello_of(&hp, &peer);
	assert_int_equal(zrtp_negotiate(&ours, &hp, &c), 0);
	assert_true(c.alg[VOX_ZRTP_T_KEYAGR] == VOX_ZRTP_E255);
	both_choose(&ours, &peer, &c);
	/* and a Commit from it naming E255 is one we offered */
	assert_int_equal(zrtp_offered(&ours, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_E255), 1);
	assert_int_equal(zrtp_offered(&ours, VOX_ZRTP_T_KEYAGR, VOX_ZRTP_MULT), 0);
	assert_int_equal(zrtp_offered(&ours, VOX_ZRTP_T_HASH, VOX_ZRTP_AES1), 0);
	/* unknown names in a peer's list are passed over */
	static const uint32_t odd[] = {VOX_ZRTP_ALG('A', 'E', 'S', '2'), VOX_ZRTP_AES3};
	set_list(&peer, VOX_ZRTP_T_CIPHER, 2, odd);
	both_choose(&ours, &peer, &c);
	assert_true(c.alg[VOX_ZRTP_T_CIPHER] == VOX_ZRTP_AES3);
}

static void test_algs_check(void **st)
{
	(void)st;
	struct vox_zrtp_algs a;
	vox_zrtp_algs_default(&a);
	assert_int_equal(a.n[VOX_ZRTP_T_KEYAGR], 6);
	assert_int_equal(vox_zrtp_algs_check(&a), 0);
	struct vox_zrtp_algs b = a;
	b.n[VOX_ZRTP_T_KEYAGR] = 8;
	assert_int_equal(vox_zrtp_algs_check(&b), VOX_ELIMIT);
	b = a;
	b.alg[VOX_ZRTP_T_KEYAGR][b.n[VOX_ZRTP_T_KEYAGR]++] = VOX_ZRTP_E255;
	assert_int_equal(vox_zrtp_algs_check(&b), VOX_EINVAL); /* X255 twice */
	b = a;
	b.n[VOX_ZRTP_T_SAS] = 1;
	b.alg[VOX_ZRTP_T_SAS][0] = VOX_ZRTP_B256; /* B32 is mandatory */
	assert_int_equal(vox_zrtp_algs_check(&b), VOX_EINVAL);
	b = a;
	b.alg[VOX_ZRTP_T_CIPHER][0] = VOX_ZRTP_ALG('2', 'F', 'S', '1');
	assert_int_equal(vox_zrtp_algs_check(&b), VOX_EUNSUPPORTED);
	b = a;
	b.alg[VOX_ZRTP_T_HASH][0] = VOX_ZRTP_AES3; /* a cipher under hashes */
	assert_int_equal(vox_zrtp_algs_check(&b), VOX_EUNSUPPORTED);
}

/* ---- the engine, two endpoints on a simulated network -------------------------- */

#define NET_MAX 64

struct flight {
	uint64_t at;
	int to; /* 0: a, 1: b */
	size_t len;
	uint8_t pkt[600];
};

/* A and B, or A - M - B with M running one engine towards each side. */
struct net {
	struct vox_zrtp z[4]; /* a, b, and with a MitM: m_a (faces a), m_b (faces b) */
	int mitm;
	uint64_t now;
	uint32_t delay_ms;
	unsigned loss_pct;
	uint64_t loss_state;
	struct flight fl[NET_MAX];
	size_t nfl;
	uint32_t sent[4][VOX_ZRTP_PINGACK + 1]; /* packets each engine sent, by type */
	/* a hook that may rewrite a packet from engine i (returns its new length, 0 drops it) */
	size_t (*tamper)(struct net *n, int from, uint8_t *pkt, size_t len);
	uint8_t saved[600]; /* a packet a tamper hook kept */
	size_t saved_len;
};

static uint64_t net_rand(struct net *n)
{
	uint64_t x = n->loss_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	n->loss_state = x;
	return x * 0x2545f4914f6cdd1dull;
}

static void zcfg(struct vox_zrtp_config *c, uint8_t id)
{
	vox_zrtp_config_default(c);
	memset(c->zid, id, sizeof c->zid);
	c->ssrc = 0x1000u * id;
}

static uint64_t rng_seeds[4];
static struct vox_rng rngs[4];
/* the two legs of a PBX standing where the MitM stands, or NULL */
static const struct vox_zrtp_config *pbx_legs;

static void net_start(struct net *n, const struct vox_zrtp_config *ca,
                      const struct vox_zrtp_config *cb, int mitm)
{
	memset(n, 0, sizeof *n);
	n->mitm = mitm;
	n->delay_ms = 20;
	n->loss_state = 0x9e3779b97f4a7c15ull;
	struct vox_zrtp_config cm[2];
	zcfg(&cm[0], 0x4d);
	zcfg(&cm[1], 0x4e);
	const struct vox_zrtp_config *cfgs[4] = {ca, cb, pbx_legs ? &pbx_legs[0] : &cm[0],
	                                         pbx_legs ? &pbx_legs[1] : &cm[1]};
	for (int i = 0; i < (mitm ? 4 : 2); i++) {
		rng_seeds[i] = 0x1234567ull * (uint64_t)(i + 1) + seed;
		rngs[i].fn = test_rng;
		rngs[i].ctx = &rng_seeds[i];
		vox_zrtp_init(&n->z[i]);
		assert_int_equal(vox_zrtp_start(&n->z[i], cfgs[i], &rngs[i], 0), 0);
	}
	seed++;
}

/* Where a packet from engine i goes: a <-> b, or a <-> m_a and m_b <-> b. */
static int peer_of(const struct net *n, int i)
{
	static const int direct[2] = {1, 0}, via[4] = {2, 3, 0, 1};
	return n->mitm ? via[i] : direct[i];
}

static void net_collect(struct net *n)
{
	for (int i = 0; i < (n->mitm ? 4 : 2); i++) {
		uint8_t pkt[600];
		int len;
		while ((len = vox_zrtp_poll_output(&n->z[i], pkt, sizeof pkt)) > 0) {
			struct vox_zrtp_packet p;
			assert_int_equal(vox_zrtp_parse(pkt, (size_t)len, &p, NULL), len);
			n->sent[i][p.type]++;
			size_t l = (size_t)len;
			if (n->tamper)
				l = n->tamper(n, i, pkt, l);
			if (l == 0 || (n->loss_pct && net_rand(n) % 100 < n->loss_pct))
				continue;
			assert_true(n->nfl < NET_MAX);
			struct flight *f = &n->fl[n->nfl++];
			f->at = n->now + n->delay_ms;
			f->to = peer_of(n, i);
			f->len = l;
			memcpy(f->pkt, pkt, l);
		}
		assert_int_equal(len, 0);
	}
}

/* Runs until nothing is left to do or until the time limit. */
static void net_run(struct net *n, uint64_t until)
{
	for (;;) {
		net_collect(n);
		uint64_t next = UINT64_MAX;
		for (size_t i = 0; i < n->nfl; i++)
			if (n->fl[i].at < next)
				next = n->fl[i].at;
		for (int i = 0; i < (n->mitm ? 4 : 2); i++) {
			uint64_t d = vox_zrtp_next_deadline(&n->z[i]);
			if (d < next)
				next = d;
		}
		if (next == UINT64_MAX || next > until)
			return;
		n->now = next;
		for (size_t i = 0; i < n->nfl;) {
			if (n->fl[i].at <= n->now) {
				struct flight f = n->fl[i];
				n->fl[i] = n->fl[--n->nfl];
				assert_int_equal(vox_zrtp_recv(&n->z[f.to], f.pkt, f.len, n->now),
				                 0);
			} else {
				i++;
			}
		}
		for (int i = 0; i < (n->mitm ? 4 : 2); i++)
			vox_zrtp_on_deadline(&n->z[i], n->now);
	}
}

/* The events of engine i, in order, as a string: S (SAS), K (secure), F (failed). */
static void events(struct net *n, int i, char *out, struct vox_zrtp_event *sas,
                   struct vox_zrtp_event *failed)
{
	struct vox_zrtp_event e;
	size_t k = 0;
	while (vox_zrtp_next_event(&n->z[i], &e)) {
		out[k++] = e.type == VOX_ZRTP_EV_SAS      ? 'S'
		           : e.type == VOX_ZRTP_EV_SECURE ? 'K'
		                                          : 'F';
		if (e.type == VOX_ZRTP_EV_SAS && sas)
			*sas = e;
		if (e.type == VOX_ZRTP_EV_FAILED && failed)
			*failed = e;
	}
	out[k] = 0;
}

/* Both ends secure, with the same SAS, and each one's send keys are the
 * other's receive keys. */
static void check_agree(struct net *n, int a, int b, struct vox_zrtp_event *sas_out)
{
	char ea[8], eb[8];
	struct vox_zrtp_event sa, sb;
	assert_int_equal(n->z[a].state, VOX_ZRTP_ST_SECURE);
	assert_int_equal(n->z[b].state, VOX_ZRTP_ST_SECURE);
	assert_int_equal(n->z[a].initiator + n->z[b].initiator, 1);
	events(n, a, ea, &sa, NULL);
	events(n, b, eb, &sb, NULL);
	assert_string_equal(ea, "SK");
	assert_string_equal(eb, "SK");
	assert_true(sa.sasvalue == sb.sasvalue);
	assert_string_equal(sa.sas, sb.sas);
	assert_true(sa.rendering == sb.rendering);
	struct vox_zrtp_srtp ka, kb;
	assert_int_equal(vox_zrtp_srtp_keys(&n->z[a], &ka), 0);
	assert_int_equal(vox_zrtp_srtp_keys(&n->z[b], &kb), 0);
	assert_true(ka.cipher == kb.cipher && ka.auth_tag == kb.auth_tag);
	assert_int_equal(ka.key_len, kb.key_len);
	assert_memory_equal(ka.tx_key, kb.rx_key, ka.key_len);
	assert_memory_equal(ka.rx_key, kb.tx_key, ka.key_len);
	assert_memory_equal(ka.tx_salt, kb.rx_salt, VOX_ZRTP_SALT_LEN);
	assert_memory_equal(ka.rx_salt, kb.tx_salt, VOX_ZRTP_SALT_LEN);
	assert_memory_not_equal(ka.tx_key, ka.rx_key, ka.key_len);
	if (sas_out)
		*sas_out = sa;
}

static void test_engine_each_key_agreement(void **st)
{
	(void)st;
	static const uint32_t kas[] = {VOX_ZRTP_DH3K, VOX_ZRTP_DH2K, VOX_ZRTP_EC25,
	                               VOX_ZRTP_EC38, VOX_ZRTP_X255, VOX_ZRTP_X448};
	struct net *n = calloc(1, sizeof *n);
	assert_non_null(n);
	for (size_t i = 0; i < sizeof kas / sizeof kas[0]; i++) {
		struct vox_zrtp_config ca, cb;
		zcfg(&ca, 0xa1);
		zcfg(&cb, 0xb2);
		/* both put this one first: it is everybody's first choice */
		uint32_t list[2] = {kas[i],
		                    kas[i] == VOX_ZRTP_DH3K ? VOX_ZRTP_DH2K : VOX_ZRTP_DH3K};
		ca.algs.n[VOX_ZRTP_T_KEYAGR] = cb.algs.n[VOX_ZRTP_T_KEYAGR] = 2;
		memcpy(ca.algs.alg[VOX_ZRTP_T_KEYAGR], list, sizeof list);
		memcpy(cb.algs.alg[VOX_ZRTP_T_KEYAGR], list, sizeof list);
		if (i % 2) { /* and the other end of each other type, half of the time */
			static const uint32_t s256[1] = {VOX_ZRTP_S256}, aes1[1] = {VOX_ZRTP_AES1};
			static const uint32_t b32[1] = {VOX_ZRTP_B32};
			set_list(&ca.algs, VOX_ZRTP_T_HASH, 1, s256);
			set_list(&ca.algs, VOX_ZRTP_T_CIPHER, 1, aes1);
			set_list(&cb.algs, VOX_ZRTP_T_SAS, 1, b32);
		}
		net_start(n, &ca, &cb, 0);
		net_run(n, 10000);
		struct vox_zrtp_event sas;
		check_agree(n, 0, 1, &sas);
		assert_true(n->z[0].chosen[VOX_ZRTP_T_KEYAGR] == kas[i]);
		/* a offers only S256 and AES1 in the odd rounds */
		assert_true(n->z[0].chosen[VOX_ZRTP_T_HASH] ==
		            (i % 2 ? VOX_ZRTP_S256 : VOX_ZRTP_S384));
		assert_true(n->z[0].chosen[VOX_ZRTP_T_CIPHER] ==
		            (i % 2 ? VOX_ZRTP_AES1 : VOX_ZRTP_AES3));
		assert_true(sas.rendering == VOX_ZRTP_B32);
		assert_int_equal(strlen(sas.sas), 4);
		/* the minimum of round trips: Hello/HelloACK, Commit/DHPart1,
		 * DHPart2/Confirm1, Confirm2/Conf2ACK; 20 ms each way */
		assert_true(n->now <= 8 * 20 + 10);
		for (int e = 0; e < 2; e++) {
			assert_int_equal(n->sent[e][VOX_ZRTP_ERROR], 0);
			vox_zrtp_free(&n->z[e]);
		}
	}
	free(n);
}

static void test_engine_b256_and_contention(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	static const uint32_t b256[2] = {VOX_ZRTP_B256, VOX_ZRTP_B32};
	set_list(&ca.algs, VOX_ZRTP_T_SAS, 2, b256);
	set_list(&cb.algs, VOX_ZRTP_T_SAS, 2, b256);
	net_start(n, &ca, &cb, 0);
	net_run(n, 10000);
	struct vox_zrtp_event sas;
	check_agree(n, 0, 1, &sas);
	assert_true(sas.rendering == VOX_ZRTP_B256);
	assert_non_null(strchr(sas.sas, ' '));
	/* both were active and committed at once: one Commit each, and the
	 * larger hvi won (4.2) */
	assert_int_equal(n->sent[0][VOX_ZRTP_COMMIT], 1);
	assert_int_equal(n->sent[1][VOX_ZRTP_COMMIT], 1);
	int ini = n->z[0].initiator ? 0 : 1;
	assert_int_equal(n->sent[ini][VOX_ZRTP_DHPART2], 1);
	assert_int_equal(n->sent[!ini][VOX_ZRTP_DHPART1], 1);

	/* 4.1.2: the side that lost the contention answers with the key pair
	 * it made for its own Commit, no DH work thrown away. Stopped just
	 * after the Commits crossed (Hellos at 20, HelloACKs at 40, Commits at
	 * 60): the loser's DHPart1 carries the public value of the DHPart2 it
	 * had made (still kept: the winner's arrives at 100) */
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	net_start(n, &ca, &cb, 0);
	net_run(n, 70);
	ini = n->z[0].initiator ? 0 : 1;
	const struct vox_zrtp *loser = &n->z[!ini];
	assert_int_equal(loser->state, VOX_ZRTP_ST_WAIT_DHPART2);
	assert_int_equal(n->sent[!ini][VOX_ZRTP_COMMIT], 1);
	size_t pv = loser->kp.pv_len, at = 12 + 32 + 4 * 8;
	assert_true(pv > 0 && loser->dh1_len == at + pv + 8 && loser->dh2_len == at + pv + 8);
	assert_memory_equal(loser->dh1 + at, loser->dh2 + at, pv);
	net_run(n, 10000);
	check_agree(n, 0, 1, NULL);

	/* a passive endpoint never commits: the other one initiates */
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	cb.passive = 1;
	net_start(n, &ca, &cb, 0);
	net_run(n, 10000);
	check_agree(n, 0, 1, NULL);
	assert_int_equal(n->z[0].initiator, 1);
	assert_int_equal(n->sent[1][VOX_ZRTP_COMMIT], 0);
	free(n);
}

static void test_engine_loss(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	int rounds = 0;
	for (int s = 0; s < 12; s++) {
		struct vox_zrtp_config ca, cb;
		zcfg(&ca, 0x31);
		zcfg(&cb, 0x32);
		net_start(n, &ca, &cb, 0);
		n->loss_pct = 20;
		n->loss_state = 0x51ed2701ull * (uint64_t)(s + 1);
		net_run(n, 60000);
		check_agree(n, 0, 1, NULL);
		for (int e = 0; e < 2; e++)
			rounds +=
			    (int)(n->sent[e][VOX_ZRTP_HELLO] + n->sent[e][VOX_ZRTP_COMMIT] +
			          n->sent[e][VOX_ZRTP_DHPART2] + n->sent[e][VOX_ZRTP_CONFIRM2]);
	}
	/* 20 % of the packets were lost, so some had to be sent again */
	assert_true(rounds > 12 * 6);
	free(n);
}

static void test_engine_mitm(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 0x0a);
	zcfg(&cb, 0x0b);
	net_start(n, &ca, &cb, 1);
	net_run(n, 10000);
	/* M does DH with each side; each side is "secure" with M */
	struct vox_zrtp_event sa, sb;
	check_agree(n, 0, 2, &sa);
	check_agree(n, 1, 3, &sb);
	/* but A and B read different SASes to each other */
	assert_true(sa.sasvalue != sb.sasvalue);
	assert_string_not_equal(sa.sas, sb.sas);
	free(n);
}

/* ---- damage on the wire ---- */

static size_t reseal(uint8_t *pkt, size_t len)
{
	assert_int_equal(vox_zrtp_seal(pkt, len), 0);
	return len;
}

static int pkt_type(const uint8_t *pkt, size_t len)
{
	struct vox_zrtp_packet p;
	return vox_zrtp_parse(pkt, len, &p, NULL) > 0 ? (int)p.type : 0;
}

/* Flips a byte in the encrypted part of Confirm1: its MAC no longer holds. */
static size_t tamper_confirm1(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	(void)from;
	if (pkt_type(pkt, len) == VOX_ZRTP_CONFIRM1) {
		pkt[len - 10] ^= 0x40;
		return reseal(pkt, len);
	}
	return len;
}

/* Changes the public value of DHPart2: the Commit's hvi no longer matches. */
static size_t tamper_dhpart2(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	(void)from;
	if (pkt_type(pkt, len) == VOX_ZRTP_DHPART2) {
		pkt[12 + 12 + 32 + 32 + 3] ^= 1;
		return reseal(pkt, len);
	}
	return len;
}

static void failed_with(struct net *n, int i, uint32_t code, int by_peer)
{
	char ev[8];
	struct vox_zrtp_event f;
	memset(&f, 0, sizeof f);
	events(n, i, ev, NULL, &f);
	assert_non_null(strchr(ev, 'F'));
	assert_int_equal(n->z[i].state, VOX_ZRTP_ST_FAILED);
	assert_true(f.code == code);
	assert_int_equal(f.by_peer, by_peer);
}

static void test_engine_wrong_confirm_mac(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	cb.passive = 1; /* a initiates: it receives the damaged Confirm1 */
	net_start(n, &ca, &cb, 0);
	n->tamper = tamper_confirm1;
	net_run(n, 20000);
	/* the initiator sends Error 0x70 (5.9), the responder learns why and
	 * acknowledges; nothing is retransmitted after the ErrorACK */
	failed_with(n, 0, VOX_ZRTP_ERR_CONFIRM_MAC, 0);
	failed_with(n, 1, VOX_ZRTP_ERR_CONFIRM_MAC, 1);
	assert_int_equal(n->sent[0][VOX_ZRTP_ERROR], 1);
	assert_int_equal(n->sent[1][VOX_ZRTP_ERRORACK], 1);
	assert_int_equal(n->sent[0][VOX_ZRTP_CONFIRM2], 0);
	struct vox_zrtp_srtp k;
	assert_int_equal(vox_zrtp_srtp_keys(&n->z[0], &k), VOX_ESTATE);
	assert_true(vox_zrtp_next_deadline(&n->z[0]) == UINT64_MAX);

	/* a changed DHPart2: the responder sends Error 0x62 */
	net_start(n, &ca, &cb, 0);
	n->tamper = tamper_dhpart2;
	net_run(n, 20000);
	failed_with(n, 1, VOX_ZRTP_ERR_DH_HVI, 0);
	failed_with(n, 0, VOX_ZRTP_ERR_DH_HVI, 1);
	free(n);
}

/* Keeps the first Commit that crosses the network. */
static size_t capture_commit(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)from;
	if (pkt_type(pkt, len) == VOX_ZRTP_COMMIT && n->saved_len == 0) {
		memcpy(n->saved, pkt, len);
		n->saved_len = len;
	}
	return len;
}

static void test_engine_damaged_and_replayed(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	cb.passive = 1;
	net_start(n, &ca, &cb, 0);
	n->tamper = capture_commit;
	net_run(n, 10000);
	check_agree(n, 0, 1, NULL);
	uint8_t commit[600];
	size_t clen = n->saved_len;
	assert_true(clen > 0);
	memcpy(commit, n->saved, clen);
	uint8_t out[600];

	/* a replayed Commit to the responder that is secure: ignored */
	struct vox_zrtp_stats before = n->z[1].st;
	assert_int_equal(vox_zrtp_recv(&n->z[1], commit, clen, n->now), 0);
	assert_int_equal(n->z[1].st.unexpected, before.unexpected + 1);
	assert_int_equal(n->z[1].state, VOX_ZRTP_ST_SECURE);
	assert_int_equal(vox_zrtp_poll_output(&n->z[1], out, sizeof out), 0);

	/* the same Commit replayed into a new session: its H2 does not hash
	 * to the H3 of the new Hello, so it is dropped */
	struct vox_zrtp_config cc = ca;
	net_start(n, &cc, &cb, 0);
	net_collect(n); /* both Hellos in flight */
	net_run(n, 20); /* delivered: each has the other's Hello */
	before = n->z[1].st;
	assert_int_equal(vox_zrtp_recv(&n->z[1], commit, clen, n->now), 0);
	assert_int_equal(n->z[1].st.bad_chain, before.bad_chain + 1);
	assert_int_equal(n->z[1].state, VOX_ZRTP_ST_DISCOVERY);

	/* truncated packets and a bad CRC: dropped silently, nothing sent */
	for (size_t cut = 0; cut < clen; cut += 5) {
		const uint8_t *g = (const uint8_t *)guard_copy(commit, cut);
		assert_int_equal(vox_zrtp_recv(&n->z[1], g, cut, n->now), 0);
		guard_free((const char *)g);
	}
	commit[40] ^= 0x10;
	assert_int_equal(vox_zrtp_recv(&n->z[1], commit, clen, n->now), 0);
	assert_true(n->z[1].st.bad_crc >= clen / 5 + 1);
	assert_int_equal(n->z[1].state, VOX_ZRTP_ST_DISCOVERY);
	assert_int_equal(n->z[1].st.malformed, 0);
	/* the exchange goes on regardless */
	net_run(n, 10000);
	check_agree(n, 0, 1, NULL);

	/* a packet with a right CRC and a wrong layout: Error 0x10 */
	net_start(n, &ca, &cb, 0);
	memcpy(out, commit, clen);
	out[15] = (uint8_t)(out[15] - 1); /* length field one word short */
	reseal(out, clen);
	assert_int_equal(vox_zrtp_recv(&n->z[1], out, clen, 0), 0);
	assert_int_equal(n->z[1].st.malformed, 1);
	failed_with(n, 1, VOX_ZRTP_ERR_MALFORMED, 0);
	free(n);
}

static size_t drop_dhpart1(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	(void)from;
	return pkt_type(pkt, len) == VOX_ZRTP_DHPART1 ? 0 : len;
}

static size_t drop_after_commit(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	int t = pkt_type(pkt, len);
	return from == 0 && t != VOX_ZRTP_HELLO && t != VOX_ZRTP_HELLOACK && t != VOX_ZRTP_COMMIT
	           ? 0
	           : len;
}

static void test_engine_timeouts(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	net_start(n, &ca, &cb, 0);
	n->loss_pct = 100; /* nobody hears anything */
	net_run(n, 60000);
	for (int e = 0; e < 2; e++) {
		/* the first Hello and 20 retransmissions (6), then the event */
		assert_int_equal(n->sent[e][VOX_ZRTP_HELLO], 21);
		failed_with(n, e, VOX_ZRTP_ERR_TIMEOUT, 0);
		assert_true(vox_zrtp_next_deadline(&n->z[e]) == UINT64_MAX);
	}
	/* 50, 100, 200, 200, ...: 50 + 100 + 19 * 200 ms */
	assert_true(n->now == 50 + 100 + 19 * 200);

	/* a peer that stops answering after discovery: the Commit goes out
	 * 1 + 10 times on T2 (150, 300, 600, 1200, 1200, ... ms), then Error
	 * 0xB0 once and the event */
	cb.passive = 1;
	net_start(n, &ca, &cb, 0);
	n->tamper = drop_dhpart1;
	net_run(n, 60000);
	assert_int_equal(n->sent[0][VOX_ZRTP_COMMIT], 11);
	assert_int_equal(n->sent[1][VOX_ZRTP_DHPART1], 11); /* it answered every one */
	assert_int_equal(n->sent[0][VOX_ZRTP_ERROR], 1);
	failed_with(n, 0, VOX_ZRTP_ERR_TIMEOUT, 0);
	failed_with(n, 1, VOX_ZRTP_ERR_TIMEOUT, 1);

	/* an initiator that vanishes after its Commit: the responder, which
	 * never retransmits, gives up on its own (after 150 + 300 + 600 +
	 * 9 * 1200 ms of silence) */
	net_start(n, &ca, &cb, 0);
	n->tamper = drop_after_commit;
	net_run(n, 60000);
	assert_int_equal(n->sent[1][VOX_ZRTP_DHPART1], 1);
	failed_with(n, 1, VOX_ZRTP_ERR_TIMEOUT, 0);
	assert_true(vox_zrtp_next_deadline(&n->z[1]) == UINT64_MAX);
	free(n);
}

/* ---- retained secrets (4.3, 4.6.1) --------------------------------------------- */

/* Puts a right CRC-32c at the end of a cache image. */
static int cache_reseal(uint8_t *b, size_t n)
{
	uint32_t c = vox_zrtp_crc32c(b, n - 4);
	b[n - 4] = (uint8_t)c;
	b[n - 3] = (uint8_t)(c >> 8);
	b[n - 2] = (uint8_t)(c >> 16);
	b[n - 1] = (uint8_t)(c >> 24);
	return 0;
}

static void test_cache_codec(void **st)
{
	(void)st;
	static struct vox_zrtp_cache c, d;
	vox_zrtp_cache_init(&c);
	struct vox_zrtp_store s = vox_zrtp_cache_store(&c);
	struct vox_zrtp_secrets e, got;
	for (int i = 0; i < 3; i++) {
		memset(&e, 0, sizeof e);
		memset(e.zid, 0x20 + i, 12);
		e.flags = (uint8_t)(VOX_ZRTP_RS1 | (i ? VOX_ZRTP_RS2 : 0) |
		                    (i == 2 ? VOX_ZRTP_VERIFIED : 0));
		memset(e.rs1, 0x40 + i, 32);
		if (i)
			memset(e.rs2, 0x60 + i, 32);
		e.expiry = i == 1 ? 3600 : VOX_ZRTP_NEVER;
		e.saved = 0x123456789aULL + (uint64_t)i;
		if (i == 1) {
			e.flags |= VOX_ZRTP_PBX;
			memset(e.pbx, 0x70, 32);
		}
		assert_int_equal(s.save(s.ctx, &e), 0);
	}
	memset(c.zid, 0xaa, 12);
	/* saving a known peer replaces its entry */
	e.rs1[0] = 0xee;
	assert_int_equal(s.save(s.ctx, &e), 0);
	assert_int_equal(c.n, 3);
	assert_int_equal(s.load(s.ctx, e.zid, &got), 1);
	assert_memory_equal(&got, &e, sizeof e);
	static const uint8_t stranger[12] = {9};
	assert_int_equal(s.load(s.ctx, stranger, &got), 0);

	uint8_t buf[VOX_ZRTP_CACHE_BYTES(VOX_ZRTP_CACHE_MAX)];
	int n = vox_zrtp_cache_encode(&c, buf, sizeof buf);
	assert_int_equal(n, (int)VOX_ZRTP_CACHE_BYTES(3));
	assert_memory_equal(buf, "VZC2", 4);
	assert_memory_equal(buf + 4, c.zid, 12);
	assert_memory_equal(buf + 16, "\0\3", 2);
	assert_int_equal(vox_zrtp_cache_encode(&c, buf, (size_t)n - 1), VOX_ENOSPC);
	assert_int_equal(vox_zrtp_cache_decode(buf, (size_t)n, &d), 3);
	assert_memory_equal(&d, &c, sizeof c);
	/* every kind of damage: refused, and the cache comes back empty */
	for (int i = 0; i < n; i += 7) {
		uint8_t bad[sizeof buf];
		memcpy(bad, buf, (size_t)n);
		bad[i] ^= 0x01;
		assert_int_equal(vox_zrtp_cache_decode(bad, (size_t)n, &d), VOX_EMALFORMED);
		assert_int_equal(d.n, 0);
	}
	for (int cut = 0; cut < n; cut += 11)
		assert_int_equal(vox_zrtp_cache_decode(buf, (size_t)cut, &d), VOX_EMALFORMED);
	/* a right CRC over wrong contents: unknown flags, one ZID twice */
	uint8_t bad[sizeof buf];
	memcpy(bad, buf, (size_t)n);
	bad[18 + 12] = 0x80;
	assert_int_equal(cache_reseal(bad, (size_t)n), 0);
	assert_int_equal(vox_zrtp_cache_decode(bad, (size_t)n, &d), VOX_EMALFORMED);
	memcpy(bad, buf, (size_t)n);
	memcpy(bad + 18 + VOX_ZRTP_CACHE_ENTRY, bad + 18, 12);
	assert_int_equal(cache_reseal(bad, (size_t)n), 0);
	assert_int_equal(vox_zrtp_cache_decode(bad, (size_t)n, &d), VOX_EMALFORMED);
	/* ... a secret no flag speaks for (the first entry has no rs2, no PBX key) */
	memcpy(bad, buf, (size_t)n);
	bad[18 + 25 + 32 + 5] = 1;
	assert_int_equal(cache_reseal(bad, (size_t)n), 0);
	assert_int_equal(vox_zrtp_cache_decode(bad, (size_t)n, &d), VOX_EMALFORMED);
	memcpy(bad, buf, (size_t)n);
	bad[18 + 25 + 64] = 1;
	assert_int_equal(cache_reseal(bad, (size_t)n), 0);
	assert_int_equal(vox_zrtp_cache_decode(bad, (size_t)n, &d), VOX_EMALFORMED);
	/* ... a count that says more than the table holds */
	static uint8_t big[VOX_ZRTP_CACHE_BYTES(VOX_ZRTP_CACHE_MAX + 1)];
	memcpy(big, buf, 18);
	big[16] = (uint8_t)((VOX_ZRTP_CACHE_MAX + 1) >> 8);
	big[17] = (uint8_t)(VOX_ZRTP_CACHE_MAX + 1);
	assert_int_equal(cache_reseal(big, sizeof big), 0);
	assert_int_equal(vox_zrtp_cache_decode(big, sizeof big, &d), VOX_ELIMIT);
	assert_int_equal(d.n, 0);
	/* find and forget */
	assert_int_equal(vox_zrtp_cache_decode(buf, (size_t)n, &d), 3);
	static const uint8_t z21[12] = {0x21, 0x21, 0x21, 0x21, 0x21, 0x21,
	                                0x21, 0x21, 0x21, 0x21, 0x21, 0x21};
	assert_non_null(vox_zrtp_cache_find(&d, z21));
	assert_int_equal(vox_zrtp_cache_find(&d, z21)->expiry, 3600);
	assert_int_equal(vox_zrtp_cache_forget(&d, z21), 0);
	assert_null(vox_zrtp_cache_find(&d, z21));
	assert_int_equal(vox_zrtp_cache_forget(&d, z21), VOX_ENOTFOUND);
	assert_int_equal(d.n, 2);
	assert_int_equal(vox_zrtp_cache_find(&d, e.zid)->rs1[0], 0xee);
	/* the table is bounded */
	vox_zrtp_cache_init(&d);
	s = vox_zrtp_cache_store(&d);
	for (int i = 0; i < VOX_ZRTP_CACHE_MAX; i++) {
		memset(e.zid, 0, 12);
		e.zid[0] = (uint8_t)i;
		e.zid[1] = 1;
		assert_int_equal(s.save(s.ctx, &e), 0);
	}
	e.zid[1] = 2;
	assert_int_equal(s.save(s.ctx, &e), VOX_EPOOL);
	vox_zrtp_cache_free(&c);
	vox_zrtp_cache_free(&d);
}

/* ---- the cache file (transport/zrtp_file.c) -------------------------------------- */

static uint64_t fake_wall;
static uint64_t fake_now(void)
{
	return fake_wall;
}

static void write_bytes(const char *path, const uint8_t *b, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static size_t read_bytes(const char *path, uint8_t *b, size_t cap)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	size_t n = fread(b, 1, cap, f);
	fclose(f);
	return n;
}

/* Entries in dir other than the one named keep: temporary files left. */
static int stray_files(const char *dir, const char *keep)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	for (struct dirent *de; (de = readdir(d));)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && strcmp(de->d_name, keep))
			n++;
	closedir(d);
	return n;
}

static void test_cache_file(void **st)
{
	(void)st;
	char dir[] = "/tmp/vox_zrtp_fileXXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[256], other[256];
	snprintf(path, sizeof path, "%s/cache", dir);
	static struct vox_zrtp_file f, g;
	f.now = fake_now;
	g.now = fake_now;
	fake_wall = 1000000;

	/* no file yet: a new, empty cache with a fresh ZID; nothing written */
	assert_int_equal(vox_zrtp_file_load(&f, path, &rng), VOX_ZRTP_FILE_NEW);
	static const uint8_t zero[12];
	assert_memory_not_equal(f.cache.zid, zero, 12);
	assert_int_equal(f.cache.n, 0);
	assert_int_equal(stray_files(dir, "cache"), 0);
	assert_null(fopen(path, "rb"));

	/* save through the store port: stamped, written, nothing else left */
	struct vox_zrtp_store s = vox_zrtp_file_store(&f);
	struct vox_zrtp_secrets e, got;
	memset(&e, 0, sizeof e);
	memset(e.zid, 0x31, 12);
	e.flags = VOX_ZRTP_RS1 | VOX_ZRTP_VERIFIED | VOX_ZRTP_PBX;
	memset(e.rs1, 0x41, 32);
	memset(e.pbx, 0x51, 32);
	e.expiry = 3600;
	assert_int_equal(s.save(s.ctx, &e), 0);
	assert_int_equal(f.cache.e[0].saved, 1000000);
	assert_int_equal(stray_files(dir, "cache"), 0);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	/* read back by another instance: the same ZID and secrets */
	assert_int_equal(vox_zrtp_file_load(&g, path, &rng), VOX_ZRTP_FILE_READ);
	assert_memory_equal(g.cache.zid, f.cache.zid, 12);
	struct vox_zrtp_store t = vox_zrtp_file_store(&g);
	assert_int_equal(t.load(t.ctx, e.zid, &got), 1);
	assert_memory_equal(got.rs1, e.rs1, 32);
	assert_int_equal(got.flags, e.flags);
	/* 4.9: one second before expiry the secrets hold; at expiry only the PBX key */
	fake_wall = 1000000 + 3599;
	assert_int_equal(t.load(t.ctx, e.zid, &got), 1);
	assert_int_equal(got.flags & VOX_ZRTP_RS1, VOX_ZRTP_RS1);
	fake_wall = 1000000 + 3600;
	assert_int_equal(t.load(t.ctx, e.zid, &got), 1);
	assert_int_equal(got.flags, VOX_ZRTP_PBX);
	assert_memory_equal(got.rs1, zero, 12);
	g.cache.e[0].flags &= (uint8_t)~VOX_ZRTP_PBX;
	assert_int_equal(t.load(t.ctx, e.zid, &got), 0);
	vox_zrtp_file_free(&g);

	/* damage of every kind: reported, treated as empty with a new ZID, no crash */
	uint8_t img[VOX_ZRTP_CACHE_BYTES(2)], bad[sizeof img];
	size_t n = read_bytes(path, img, sizeof img);
	assert_int_equal(n, VOX_ZRTP_CACHE_BYTES(1));
	snprintf(other, sizeof other, "%s/damaged", dir);
	for (size_t i = 0; i < n; i += 5) { /* bit flips */
		memcpy(bad, img, n);
		bad[i] ^= (uint8_t)(1u << (i % 8));
		write_bytes(other, bad, n);
		assert_int_equal(vox_zrtp_file_load(&g, other, &rng), VOX_ZRTP_FILE_DAMAGED);
		assert_non_null(g.why);
		assert_int_equal(g.cache.n, 0);
		assert_memory_not_equal(g.cache.zid, zero, 12);
	}
	for (size_t cut = 0; cut < n; cut += 9) { /* truncated */
		write_bytes(other, img, cut);
		assert_int_equal(vox_zrtp_file_load(&g, other, &rng), VOX_ZRTP_FILE_DAMAGED);
		assert_int_equal(g.cache.n, 0);
	}
	memcpy(bad, img, n); /* one byte too many */
	bad[n] = 0;
	write_bytes(other, bad, n + 1);
	assert_int_equal(vox_zrtp_file_load(&g, other, &rng), VOX_ZRTP_FILE_DAMAGED);
	/* a cache without our ZID is not one we wrote */
	memcpy(bad, img, n);
	memset(bad + 4, 0, 12);
	assert_int_equal(cache_reseal(bad, n), 0);
	write_bytes(other, bad, n);
	assert_int_equal(vox_zrtp_file_load(&g, other, &rng), VOX_ZRTP_FILE_DAMAGED);
	/* the next save replaces a damaged file with a good one */
	assert_int_equal(vox_zrtp_file_save(&g), 0);
	assert_int_equal(vox_zrtp_file_load(&g, other, &rng), VOX_ZRTP_FILE_READ);
	assert_int_equal(remove(other), 0);

	/* a save that cannot finish leaves the old file whole and no temporary
	 * file: the target is a folder (rename fails), or in no folder */
	assert_int_equal(mkdir(other, 0700), 0);
	g.path = other;
	assert_int_equal(vox_zrtp_file_save(&g), VOX_EIO);
	assert_int_equal(rmdir(other), 0);
	assert_int_equal(stray_files(dir, "cache"), 0);
	snprintf(other, sizeof other, "%s/nowhere/cache", dir);
	g.path = other;
	assert_int_equal(vox_zrtp_file_save(&g), VOX_EIO);
	assert_int_equal(vox_zrtp_file_load(&g, path, &rng), VOX_ZRTP_FILE_READ);
	assert_int_equal(g.cache.n, 1);
	/* unreadable: a folder where the file should be */
	assert_int_equal(vox_zrtp_file_load(&g, dir, &rng), VOX_EIO);
	assert_int_equal(vox_zrtp_file_load(&g, NULL, &rng), VOX_EINVAL);

	vox_zrtp_file_free(&f);
	vox_zrtp_file_free(&g);
	vox_zrtp_file_free(NULL);
	assert_int_equal(remove(path), 0);
	assert_int_equal(rmdir(dir), 0);
}

/* One call between a and b, each with its own cache; returns a's SAS event. */
static void call_with_caches(struct net *n, struct vox_zrtp_cache *ca_, struct vox_zrtp_cache *cb_,
                             struct vox_zrtp_event *sa, struct vox_zrtp_event *sb)
{
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 0x61);
	zcfg(&cb, 0x62);
	ca.store = vox_zrtp_cache_store(ca_);
	cb.store = vox_zrtp_cache_store(cb_);
	net_start(n, &ca, &cb, 0);
	net_run(n, 10000);
	char ea[8], eb[8];
	assert_int_equal(n->z[0].state, VOX_ZRTP_ST_SECURE);
	assert_int_equal(n->z[1].state, VOX_ZRTP_ST_SECURE);
	struct vox_zrtp_srtp ka, kb;
	assert_int_equal(vox_zrtp_srtp_keys(&n->z[0], &ka), 0);
	assert_int_equal(vox_zrtp_srtp_keys(&n->z[1], &kb), 0);
	assert_memory_equal(ka.tx_key, kb.rx_key, ka.key_len);
	events(n, 0, ea, sa, NULL);
	events(n, 1, eb, sb, NULL);
	assert_string_equal(ea, "SK");
	assert_string_equal(eb, "SK");
	assert_true(sa->sasvalue == sb->sasvalue);
}

static void test_engine_continuity(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	static struct vox_zrtp_cache ca, cb;
	vox_zrtp_cache_init(&ca);
	vox_zrtp_cache_init(&cb);
	struct vox_zrtp_event sa, sb;

	/* first call: a new peer on both sides, not a mismatch */
	call_with_caches(n, &ca, &cb, &sa, &sb);
	assert_int_equal(sa.continuity, VOX_ZRTP_NEW_PEER);
	assert_int_equal(sb.continuity, VOX_ZRTP_NEW_PEER);
	assert_int_equal(sa.verified + sb.verified, 0);
	assert_int_equal(ca.n, 1);
	assert_int_equal(cb.n, 1);
	assert_memory_equal(ca.e[0].rs1, cb.e[0].rs1, 32); /* both keep the same rs1 */
	assert_int_equal(ca.e[0].flags, VOX_ZRTP_RS1);
	/* the users compare the SAS and say so, on both sides */
	assert_int_equal(vox_zrtp_set_verified(&n->z[0], 1), 0);
	assert_int_equal(vox_zrtp_set_verified(&n->z[1], 1), 0);
	assert_true(ca.e[0].flags & VOX_ZRTP_VERIFIED);

	/* second call: rs1 matches, the exchange continues, still verified */
	uint8_t old_rs1[32];
	memcpy(old_rs1, ca.e[0].rs1, 32);
	call_with_caches(n, &ca, &cb, &sa, &sb);
	assert_int_equal(sa.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sb.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sa.verified, 1);
	assert_int_equal(sb.verified, 1);
	assert_memory_equal(ca.e[0].rs2, old_rs1, 32); /* rs2 takes the old rs1 (4.6.1) */
	assert_memory_not_equal(ca.e[0].rs1, old_rs1, 32);
	assert_int_equal(ca.e[0].flags, VOX_ZRTP_RS1 | VOX_ZRTP_RS2 | VOX_ZRTP_VERIFIED);

	/* b lost its last update (a crash before its cache was written): its
	 * rs1 is a's rs2, which still matches */
	memcpy(cb.e[0].rs1, cb.e[0].rs2, 32);
	cb.e[0].flags = VOX_ZRTP_RS1 | VOX_ZRTP_VERIFIED;
	call_with_caches(n, &ca, &cb, &sa, &sb);
	assert_int_equal(sa.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sb.continuity, VOX_ZRTP_CONTINUES);

	/* a's cache altered: no secret matches, both see the mismatch, and
	 * the verified flag is gone until the users compare again */
	memset(ca.e[0].rs1, 0x5a, 32);
	memset(ca.e[0].rs2, 0xa5, 32);
	call_with_caches(n, &ca, &cb, &sa, &sb);
	assert_int_equal(sa.continuity, VOX_ZRTP_CACHE_MISMATCH);
	assert_int_equal(sb.continuity, VOX_ZRTP_CACHE_MISMATCH);
	assert_int_equal(sa.verified + sb.verified, 0);
	assert_int_equal(ca.e[0].flags & VOX_ZRTP_VERIFIED, 0);
	/* and the call after it continues again (both kept the new rs1) */
	call_with_caches(n, &ca, &cb, &sa, &sb);
	assert_int_equal(sa.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sb.continuity, VOX_ZRTP_CONTINUES);
	assert_int_equal(sa.verified, 0);

	/* a peer without a store asks for expiry 0: nothing is kept of it */
	static struct vox_zrtp_cache cc;
	vox_zrtp_cache_init(&cc);
	struct vox_zrtp_config c1, c2;
	zcfg(&c1, 0x71);
	zcfg(&c2, 0x72);
	c1.store = vox_zrtp_cache_store(&cc);
	net_start(n, &c1, &c2, 0);
	net_run(n, 10000);
	check_agree(n, 0, 1, NULL);
	assert_int_equal(cc.n, 0);
	assert_int_equal(vox_zrtp_set_verified(&n->z[1], 1), 0); /* no store: nothing to keep */
	vox_zrtp_cache_free(&ca);
	vox_zrtp_cache_free(&cb);
	free(n);
}

/* The a=zrtp-hash of the signalling against the Hello that arrives (8.1),
 * with bzrtp's Hello and its zrtp-hash, and the wrong one of its tests. */
static void test_engine_hello_hash(void **st)
{
	(void)st;
	struct ex *e = ex_load();
	struct vox_zrtp_config c;
	zcfg(&c, 0x33);
	static struct vox_zrtp z;
	uint8_t out[600];
	for (int round = 0; round < 3; round++) {
		vox_zrtp_init(&z);
		rngs[0].fn = test_rng;
		rngs[0].ctx = &rng_seeds[0];
		const char *want =
		    round == 1
		        ? "1.10 00e9f407367895861f0eee6707ba30aca05a0ad9997625e9279ad5d08485aa9d"
		        : vf_get(&e->vf, "ZrtpHash_12345678");
		if (round < 2)
			assert_int_equal(vox_zrtp_expect_hello_hash(&z, vox_slice_cstr(want)), 0);
		assert_int_equal(vox_zrtp_start(&z, &c, &rngs[0], 0), 0);
		assert_true(vox_zrtp_poll_output(&z, out, sizeof out) > 0); /* our Hello */
		assert_int_equal(vox_zrtp_recv(&z, e->pkt[0], e->len[0], 5), 0);
		struct vox_zrtp_event ev;
		int n = vox_zrtp_poll_output(&z, out, sizeof out);
		if (round == 1) {
			/* not the announced Hello: an event, no HelloACK, not taken */
			assert_int_equal(n, 0);
			assert_int_equal(z.have_peer_hello, 0);
			assert_int_equal(vox_zrtp_next_event(&z, &ev), 1);
			assert_int_equal(ev.type, VOX_ZRTP_EV_HELLO_HASH_MISMATCH);
		} else {
			assert_int_equal(pkt_type(out, (size_t)n), VOX_ZRTP_HELLOACK);
			assert_int_equal(z.have_peer_hello, 1);
			assert_int_equal(vox_zrtp_next_event(&z, &ev), 0);
		}
		if (round == 2) {
			/* announced after the Hello was taken, and not matching */
			assert_int_equal(
			    vox_zrtp_expect_hello_hash(
			        &z, vox_slice_cstr(vf_get(&e->vf, "ZrtpHash_87654321"))),
			    0);
			assert_int_equal(vox_zrtp_next_event(&z, &ev), 1);
			assert_int_equal(ev.type, VOX_ZRTP_EV_HELLO_HASH_MISMATCH);
			assert_int_equal(vox_zrtp_next_event(&z, &ev), 1);
			assert_int_equal(ev.type, VOX_ZRTP_EV_FAILED);
			assert_true(ev.code == VOX_ZRTP_ERR_HELLO_MISMATCH);
		}
		vox_zrtp_free(&z);
	}
	/* our own, for our SDP */
	char h[VOX_ZRTP_HELLO_HASH_LEN + 1];
	vox_zrtp_init(&z);
	assert_int_equal(vox_zrtp_own_hello_hash(&z, h, sizeof h), VOX_ESTATE);
	assert_int_equal(vox_zrtp_start(&z, &c, &rngs[0], 0), 0);
	assert_int_equal(vox_zrtp_own_hello_hash(&z, h, sizeof h), 69);
	int n = vox_zrtp_poll_output(&z, out, sizeof out);
	struct vox_zrtp_packet p;
	assert_int_equal(vox_zrtp_parse(out, (size_t)n, &p, NULL), n);
	char h2[VOX_ZRTP_HELLO_HASH_LEN + 1];
	assert_int_equal(vox_zrtp_hello_hash(p.msg, p.msg_len, h2, sizeof h2), 69);
	assert_string_equal(h, h2);
	/* the forms refused */
	assert_int_equal(vox_zrtp_expect_hello_hash(&z, vox_slice_cstr("1.20 00")), VOX_EVERSION);
	assert_int_equal(vox_zrtp_expect_hello_hash(&z, vox_slice_cstr("1.10 0g")), VOX_EMALFORMED);
	assert_int_equal(vox_zrtp_expect_hello_hash(&z, vox_slice_cstr("zrtp")), VOX_EMALFORMED);
	vox_zrtp_free(&z);
	ex_free(e);
}

/* Zeroes the public value of DHPart1: a low-order X25519 point. */
static size_t tamper_pv_zero(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	(void)from;
	if (pkt_type(pkt, len) == VOX_ZRTP_DHPART1) {
		memset(pkt + 12 + 12 + 32 + 32, 0, len - 12 - 12 - 32 - 32 - 8 - 4);
		return reseal(pkt, len);
	}
	return len;
}

/* Makes b's Hello say version 1.00. */
static size_t tamper_version(struct net *n, int from, uint8_t *pkt, size_t len)
{
	(void)n;
	if (from == 1 && pkt_type(pkt, len) == VOX_ZRTP_HELLO) {
		memcpy(pkt + 24, "1.00", 4);
		return reseal(pkt, len);
	}
	return len;
}

/* More Error codes of 5.9, each sent by the side that finds the fault
 * and understood by the other. */
static void test_engine_error_codes(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;

	/* 0x90: both ends have the same ZID */
	zcfg(&ca, 7);
	zcfg(&cb, 7);
	net_start(n, &ca, &cb, 0);
	net_run(n, 20000);
	for (int e = 0; e < 2; e++) {
		assert_int_equal(n->z[e].state, VOX_ZRTP_ST_FAILED);
		assert_true(n->sent[e][VOX_ZRTP_ERROR] >= 1);
	}

	/* 0x61: a public value a MitM could choose (X25519's zero point) */
	zcfg(&ca, 1);
	zcfg(&cb, 2);
	cb.passive = 1;
	net_start(n, &ca, &cb, 0);
	n->tamper = tamper_pv_zero;
	net_run(n, 20000);
	failed_with(n, 0, VOX_ZRTP_ERR_DH_BAD_PV, 0);
	failed_with(n, 1, VOX_ZRTP_ERR_DH_BAD_PV, 1);

	/* 0x30: a peer at a version below 1.10 */
	net_start(n, &ca, &cb, 0);
	n->tamper = tamper_version;
	net_run(n, 20000);
	failed_with(n, 0, VOX_ZRTP_ERR_VERSION, 0);
	failed_with(n, 1, VOX_ZRTP_ERR_VERSION, 1);

	/* 0x100: GoClear once secure is refused */
	net_start(n, &ca, &cb, 0);
	net_run(n, 20000);
	check_agree(n, 0, 1, NULL);
	static const uint8_t mac[8];
	struct vox_zrtp_packet g;
	memset(&g, 0, sizeof g);
	g.type = VOX_ZRTP_GOCLEAR;
	g.u.clear_mac = mac;
	uint8_t pkt[64];
	int len = vox_zrtp_print(&g, pkt, sizeof pkt);
	assert_true(len > 0);
	assert_int_equal(vox_zrtp_recv(&n->z[1], pkt, (size_t)len, n->now), 0);
	net_run(n, n->now + 20000);
	failed_with(n, 1, VOX_ZRTP_ERR_GOCLEAR_REFUSED, 0);
	failed_with(n, 0, VOX_ZRTP_ERR_GOCLEAR_REFUSED, 1);
	free(n);
}

/* Multistream (4.4.3): a second stream of the same call keys itself from
 * the first one's ZRTPSess, without Diffie-Hellman. */
/* ---- the trusted MitM, a PBX (7.3) ------------------------------------------------ */

/* The events of engine i as letters: P pbx, S sas, K secure, E enroll,
 * R relayed SAS, F failed, H hello hash mismatch. */
static void pbx_events(struct net *n, int i, char *out, struct vox_zrtp_event *sas,
                       struct vox_zrtp_event *other)
{
	static const char letters[] = "?SKFHPER";
	struct vox_zrtp_event e;
	size_t k = 0;
	while (vox_zrtp_next_event(&n->z[i], &e)) {
		assert_true(e.type >= 1 && e.type <= 7);
		out[k++] = letters[e.type];
		assert_true(strlen(vox_zrtp_event_text(&e)) > 20);
		if (e.type == VOX_ZRTP_EV_SAS && sas)
			*sas = e;
		if (e.type != VOX_ZRTP_EV_SAS && e.type != VOX_ZRTP_EV_SECURE && other)
			*other = e;
	}
	out[k] = 0;
}

/* One call a - PBX - b: a's cache, b's cache, the PBX's (one ZID, 0x50,
 * for both legs, which asks each client to enroll). */
static void pbx_call(struct net *n, struct vox_zrtp_cache *ca_, struct vox_zrtp_cache *cb_,
                     struct vox_zrtp_cache *pc)
{
	static struct vox_zrtp_config ca, cb, legs[2];
	zcfg(&ca, 0x61);
	zcfg(&cb, 0x62);
	ca.store = vox_zrtp_cache_store(ca_);
	cb.store = vox_zrtp_cache_store(cb_);
	for (int i = 0; i < 2; i++) {
		zcfg(&legs[i], 0x50);
		legs[i].mitm = 1;
		legs[i].enroll = 1;
		legs[i].store = vox_zrtp_cache_store(pc);
	}
	pbx_legs = legs;
	net_start(n, &ca, &cb, 1);
	pbx_legs = NULL;
	net_run(n, 10000);
	for (int i = 0; i < 4; i++)
		assert_int_equal(n->z[i].state, VOX_ZRTP_ST_SECURE);
}

static void test_engine_pbx(void **st)
{
	(void)st;
	struct net *n = calloc(1, sizeof *n);
	assert_non_null(n);
	static struct vox_zrtp_cache ca, cb, pc;
	vox_zrtp_cache_init(&ca);
	vox_zrtp_cache_init(&cb);
	vox_zrtp_cache_init(&pc);
	static const uint8_t pbx_zid[12] = {0x50, 0x50, 0x50, 0x50, 0x50, 0x50,
	                                    0x50, 0x50, 0x50, 0x50, 0x50, 0x50};
	uint8_t a_zid[12], b_zid[12], hash[32];
	memset(a_zid, 0x61, 12);
	memset(b_zid, 0x62, 12);
	char ea[16], eb[16], ep[16];
	struct vox_zrtp_event sa, sb, x;

	/* call 1: each client is told at once that the far end is a PBX, and
	 * its SAS says so; the two legs have different SASes; the PBX asks both
	 * to enroll, and keeps the key itself without asking anyone */
	pbx_call(n, &ca, &cb, &pc);
	pbx_events(n, 0, ea, &sa, NULL);
	pbx_events(n, 1, eb, &sb, NULL);
	assert_string_equal(ea, "PSKE");
	assert_string_equal(eb, "PSKE");
	assert_int_equal(sa.pbx, 1);
	assert_int_equal(sa.relayed, 0);
	assert_non_null(strstr(vox_zrtp_event_text(&sa), "not with the person"));
	assert_true(sa.sasvalue != sb.sasvalue);
	pbx_events(n, 2, ep, NULL, NULL);
	assert_string_equal(ep, "SK"); /* a client sets no M flag */
	assert_non_null(vox_zrtp_cache_find(&pc, a_zid));
	assert_true(vox_zrtp_cache_find(&pc, a_zid)->flags & VOX_ZRTP_PBX);
	/* a's user says yes, b's no; each question is answered once */
	assert_int_equal(vox_zrtp_enroll(&n->z[0], 1), 0);
	assert_int_equal(vox_zrtp_enroll(&n->z[1], 0), 0);
	assert_int_equal(vox_zrtp_enroll(&n->z[1], 1), VOX_ESTATE);
	assert_int_equal(vox_zrtp_enroll(&n->z[2], 1), VOX_ESTATE); /* a PBX is never asked */
	assert_true(vox_zrtp_cache_find(&ca, pbx_zid)->flags & VOX_ZRTP_PBX);
	assert_false(vox_zrtp_cache_find(&cb, pbx_zid)->flags & VOX_ZRTP_PBX);
	assert_memory_equal(vox_zrtp_cache_find(&ca, pbx_zid)->pbx,
	                    vox_zrtp_cache_find(&pc, a_zid)->pbx, 32);
	/* the key was made in this call, not used in it: a relayed SAS now
	 * comes from a PBX not (yet) trusted, Error 0x63 */
	assert_int_equal(vox_zrtp_sas_hash(&n->z[3], hash), 0);
	assert_int_equal(vox_zrtp_sas_relay(&n->z[2], hash, VOX_ZRTP_B32, n->now), 0);
	net_run(n, n->now + 10000);
	pbx_events(n, 0, ea, NULL, &x);
	assert_string_equal(ea, "F");
	assert_int_equal(x.code, VOX_ZRTP_ERR_UNTRUSTED_MITM);
	assert_int_equal(x.by_peer, 0);
	pbx_events(n, 2, ep, NULL, &x);
	assert_string_equal(ep, "F");
	assert_int_equal(x.by_peer, 1);

	/* call 2: a's PBX key matches (s3) and a is not asked again; b, who
	 * said no, is asked again */
	pbx_call(n, &ca, &cb, &pc);
	assert_int_equal(n->z[0].pbx_trusted, 1);
	assert_int_equal(n->z[2].pbx_trusted, 1);
	assert_int_equal(n->z[1].pbx_trusted, 0);
	pbx_events(n, 0, ea, &sa, NULL);
	pbx_events(n, 1, eb, &sb, NULL);
	assert_string_equal(ea, "PSK");
	assert_string_equal(eb, "PSKE");
	assert_int_equal(vox_zrtp_accept_relay(&n->z[0], 1), VOX_ESTATE); /* nothing waits */
	assert_int_equal(vox_zrtp_sas_relay(&n->z[0], hash, VOX_ZRTP_B32, n->now), VOX_ESTATE);
	assert_int_equal(
	    vox_zrtp_sas_relay(&n->z[2], hash, VOX_ZRTP_ALG('B', '1', '6', ' '), n->now),
	    VOX_EINVAL);
	/* the PBX relays b's SAS to a, through 40 % loss: offered once, and
	 * not shown without consent */
	assert_int_equal(vox_zrtp_sas_hash(&n->z[3], hash), 0);
	n->loss_pct = 40;
	assert_int_equal(vox_zrtp_sas_relay(&n->z[2], hash, VOX_ZRTP_B32, n->now), 0);
	net_run(n, n->now + 10000);
	n->loss_pct = 0;
	assert_int_equal(n->z[2].state, VOX_ZRTP_ST_SECURE);
	assert_int_equal(vox_zrtp_next_deadline(&n->z[2]), UINT64_MAX); /* RelayACK came */
	assert_true(n->sent[0][VOX_ZRTP_RELAYACK] >= 1);
	pbx_events(n, 0, ea, NULL, &x);
	assert_string_equal(ea, "R");
	assert_true(x.sasvalue == sb.sasvalue);
	assert_string_equal(x.sas, sb.sas);
	assert_int_equal(vox_zrtp_accept_relay(&n->z[0], 0), 0);
	pbx_events(n, 0, ea, NULL, NULL);
	assert_string_equal(ea, ""); /* declined: a still shows the SAS with the PBX */
	/* relayed again, as B256: with consent it becomes a's SAS */
	assert_int_equal(vox_zrtp_sas_relay(&n->z[2], hash, VOX_ZRTP_B256, n->now), 0);
	net_run(n, n->now + 10000);
	pbx_events(n, 0, ea, NULL, NULL);
	assert_string_equal(ea, "R");
	assert_int_equal(vox_zrtp_accept_relay(&n->z[0], 1), 0);
	pbx_events(n, 0, ea, &sa, NULL);
	assert_string_equal(ea, "S");
	assert_int_equal(sa.relayed, 1);
	assert_true(sa.sasvalue == sb.sasvalue);
	char want[VOX_ZRTP_SAS_MAX];
	assert_true(vox_zrtp_sas_render(VOX_ZRTP_B256, sb.sasvalue, want, sizeof want) > 0);
	assert_string_equal(sa.sas, want);
	assert_non_null(strstr(vox_zrtp_event_text(&sa), "relayed"));
	/* b never enrolled: a relayed SAS to it is refused with Error 0x63 */
	assert_int_equal(vox_zrtp_sas_hash(&n->z[2], hash), 0);
	assert_int_equal(vox_zrtp_sas_relay(&n->z[3], hash, VOX_ZRTP_B32, n->now), 0);
	net_run(n, n->now + 10000);
	pbx_events(n, 1, eb, NULL, &x);
	assert_string_equal(eb, "F");
	assert_int_equal(x.code, VOX_ZRTP_ERR_UNTRUSTED_MITM);
	assert_int_equal(n->z[0].state, VOX_ZRTP_ST_SECURE);

	/* call 3: a is still enrolled (the PBX did not make the key anew) */
	pbx_call(n, &ca, &cb, &pc);
	assert_int_equal(n->z[0].pbx_trusted, 1);
	assert_int_equal(n->z[2].pbx_trusted, 1);
	pbx_events(n, 0, ea, NULL, NULL);
	assert_string_equal(ea, "PSK");
	/* the PBX key survives the rotation of the retained secrets */
	assert_true(vox_zrtp_cache_find(&ca, pbx_zid)->flags & VOX_ZRTP_RS2);
	assert_true(vox_zrtp_cache_find(&ca, pbx_zid)->flags & VOX_ZRTP_PBX);
	for (int i = 0; i < 4; i++)
		vox_zrtp_free(&n->z[i]);
	vox_zrtp_cache_free(&ca);
	vox_zrtp_cache_free(&cb);
	vox_zrtp_cache_free(&pc);
	free(n);
}

static void test_engine_multistream(void **st)
{
	(void)st;
	struct net *first = calloc(1, sizeof *first), *n = calloc(1, sizeof *n);
	struct vox_zrtp_config ca, cb;
	zcfg(&ca, 0x0c);
	zcfg(&cb, 0x0d);
	net_start(first, &ca, &cb, 0);
	net_run(first, 10000);
	check_agree(first, 0, 1, NULL);
	for (int loss = 0; loss < 2; loss++) {
		/* the second stream: its own SSRCs */
		struct vox_zrtp_config ma = ca, mb = cb;
		ma.ssrc++;
		mb.ssrc++;
		net_start(n, &ca, &cb, 0); /* for the network's bookkeeping */
		for (int i = 0; i < 2; i++) {
			vox_zrtp_free(&n->z[i]);
			vox_zrtp_init(&n->z[i]);
		}
		n->nfl = 0;
		memset(n->sent, 0, sizeof n->sent);
		assert_int_equal(
		    vox_zrtp_start_multistream(&n->z[0], &ma, &first->z[0], &rngs[0], 0), 0);
		assert_int_equal(
		    vox_zrtp_start_multistream(&n->z[1], &mb, &first->z[1], &rngs[1], 0), 0);
		n->loss_pct = loss ? 20 : 0;
		net_run(n, 60000);
		assert_int_equal(n->z[0].state, VOX_ZRTP_ST_SECURE);
		assert_int_equal(n->z[1].state, VOX_ZRTP_ST_SECURE);
		char ea[8], eb[8];
		events(n, 0, ea, NULL, NULL);
		events(n, 1, eb, NULL, NULL);
		assert_string_equal(ea, "K"); /* no SAS: it is the first stream's */
		assert_string_equal(eb, "K");
		struct vox_zrtp_srtp ka, kb, k1;
		assert_int_equal(vox_zrtp_srtp_keys(&n->z[0], &ka), 0);
		assert_int_equal(vox_zrtp_srtp_keys(&n->z[1], &kb), 0);
		assert_memory_equal(ka.tx_key, kb.rx_key, ka.key_len);
		assert_memory_equal(ka.rx_key, kb.tx_key, ka.key_len);
		assert_memory_equal(ka.tx_salt, kb.rx_salt, VOX_ZRTP_SALT_LEN);
		assert_int_equal(vox_zrtp_srtp_keys(&first->z[0], &k1), 0);
		assert_memory_not_equal(ka.tx_key, k1.tx_key, ka.key_len);
		assert_memory_not_equal(ka.tx_key, k1.rx_key, ka.key_len);
		/* no DH: no DHPart at all */
		for (int e = 0; e < 2; e++)
			assert_int_equal(
			    n->sent[e][VOX_ZRTP_DHPART1] + n->sent[e][VOX_ZRTP_DHPART2], 0);
		if (!loss)
			assert_true(n->now <=
			            6 * 20 + 10); /* Hello, Commit, Confirm: 3 round trips */
		for (int i = 0; i < 2; i++)
			vox_zrtp_free(&n->z[i]);
	}
	/* a first stream that is not secure cannot lend its keys */
	struct vox_zrtp z, idle;
	vox_zrtp_init(&z);
	vox_zrtp_init(&idle);
	assert_int_equal(vox_zrtp_start_multistream(&z, &ca, &idle, &rngs[0], 0), VOX_ESTATE);
	/* a Multistream stream meeting a peer that only does DH: Error 0x56 */
	net_start(n, &ca, &cb, 0);
	vox_zrtp_free(&n->z[0]);
	vox_zrtp_init(&n->z[0]);
	n->nfl = 0;
	assert_int_equal(vox_zrtp_start_multistream(&n->z[0], &ca, &first->z[0], &rngs[0], 0), 0);
	net_run(n, 20000);
	assert_int_equal(n->z[0].state, VOX_ZRTP_ST_FAILED);
	assert_int_equal(n->z[1].state, VOX_ZRTP_ST_FAILED);
	free(first);
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crc_known_answers),
	    cmocka_unit_test(test_parse_bzrtp_exchange),
	    cmocka_unit_test(test_parse_bzrtp_fields),
	    cmocka_unit_test(test_print_roundtrip_bzrtp),
	    cmocka_unit_test(test_parse_gnu_hello),
	    cmocka_unit_test(test_truncated_and_flipped),
	    cmocka_unit_test(test_structure_checks),
	    cmocka_unit_test(test_other_messages),
	    cmocka_unit_test(test_confirm_and_relay_bodies),
	    cmocka_unit_test(test_hash_known_answers),
	    cmocka_unit_test(test_cfb_known_answers),
	    cmocka_unit_test(test_confirm_bzrtp_decrypt),
	    cmocka_unit_test(test_keyagr_known_answers),
	    cmocka_unit_test(test_keyagr_bad_public_values),
	    cmocka_unit_test(test_kdf_known_answers),
	    cmocka_unit_test(test_s0_layout),
	    cmocka_unit_test(test_hvi_bzrtp),
	    cmocka_unit_test(test_sas_render),
	    cmocka_unit_test(test_chain_and_macs_bzrtp),
	    cmocka_unit_test(test_hello_hash),
	    cmocka_unit_test(test_negotiation),
	    cmocka_unit_test(test_algs_check),
	    cmocka_unit_test(test_engine_each_key_agreement),
	    cmocka_unit_test(test_engine_b256_and_contention),
	    cmocka_unit_test(test_engine_loss),
	    cmocka_unit_test(test_engine_mitm),
	    cmocka_unit_test(test_engine_wrong_confirm_mac),
	    cmocka_unit_test(test_engine_damaged_and_replayed),
	    cmocka_unit_test(test_engine_timeouts),
	    cmocka_unit_test(test_cache_codec),
	    cmocka_unit_test(test_cache_file),
	    cmocka_unit_test(test_engine_continuity),
	    cmocka_unit_test(test_engine_hello_hash),
	    cmocka_unit_test(test_engine_error_codes),
	    cmocka_unit_test(test_engine_multistream),
	    cmocka_unit_test(test_engine_pbx),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* VOX_WITH_ZRTP */

static void test_compiled_out(void **st)
{
	(void)st;
	skip_unless(0, "zrtp/ is compiled out (VOX_WITH_ZRTP = 0)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {cmocka_unit_test(test_compiled_out)};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif /* VOX_WITH_ZRTP */
