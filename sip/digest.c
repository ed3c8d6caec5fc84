/* SPDX-License-Identifier: MIT */
/*
 * SIP digest authentication: RFC 3261 22 with the request-digest of
 * RFC 7616 3.4 (RFC 2617 3.2.2 for the RFC 2069 form) and the algorithms
 * of RFC 8760. The hashes live behind sip/digest_int.h.
 *
 * Values reach the hashes in two forms: parsed ones are slices of a
 * quoted-string with the backslash escapes still in (vox_sip_auth_parse
 * keeps them), the caller's and the client's own copies are plain. A
 * struct field says which, and h_field() removes escapes on the fly, so no
 * value is copied just to be hashed.
 */
#include <string.h>

#include "vox/digest.h"
#include "sip/digest_int.h"
#include "sip/sip_int.h"

/* ---- algorithms ------------------------------------------------------------ */

static const char *const alg_names[VOX_DIGEST_ALG_COUNT] = {
    "MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess",
};

/* The enum pairs each hash with its -sess twin: even base, odd -sess. */
static int alg_sess(enum vox_digest_alg a)
{
	return ((unsigned)a & 1u) != 0;
}

/* Hash family: 0 MD5, 1 SHA-256, 2 SHA-512/256; also the strength rank. */
static unsigned alg_family(enum vox_digest_alg a)
{
	return (unsigned)a >> 1;
}

int vox_digest_alg_supported(enum vox_digest_alg alg)
{
	if ((unsigned)alg >= VOX_DIGEST_ALG_COUNT)
		return 0;
	return VOX_WITH_DIGEST_SHA2 || alg_family(alg) == 0;
}

static int alg_hash(enum vox_digest_alg alg, enum dg_hash_id *id)
{
	if (!vox_digest_alg_supported(alg))
		return VOX_EUNSUPPORTED;
	switch (alg_family(alg)) {
	case 0: *id = DG_MD5; return 0;
#if VOX_WITH_DIGEST_SHA2
	case 1: *id = DG_SHA256; return 0;
	case 2: *id = DG_SHA512_256; return 0;
#endif
	default: return VOX_EUNSUPPORTED;
	}
}

int vox_digest_alg_parse(struct vox_slice token, enum vox_digest_alg *alg)
{
	for (unsigned i = 0; i < VOX_DIGEST_ALG_COUNT; i++)
		if (vox_slice_case_eq_cstr(token, alg_names[i])) {
			if (!vox_digest_alg_supported((enum vox_digest_alg)i))
				return VOX_EUNSUPPORTED;
			*alg = (enum vox_digest_alg)i;
			return 0;
		}
	return VOX_EUNSUPPORTED;
}

const char *vox_digest_alg_name(enum vox_digest_alg alg)
{
	if ((unsigned)alg >= VOX_DIGEST_ALG_COUNT)
		return "";
	return alg_names[alg];
}

static const char *qop_name(enum vox_digest_qop q)
{
	return q == VOX_DIGEST_QOP_AUTH_INT ? "auth-int" : "auth";
}

/* ---- values as they reach the hashes ------------------------------------------- */

struct field {
	struct vox_slice s;
	int esc; /* backslash escapes still in (a parsed quoted-string) */
};

static struct field plain(struct vox_slice s)
{
	struct field f = {s, 0};
	return f;
}

static struct field quoted(struct vox_slice s)
{
	struct field f = {s, 1};
	return f;
}

static void h_bytes(struct dg_hash *h, const char *p, size_t n)
{
	dg_hash_update(h, p, n);
}

static void h_colon(struct dg_hash *h)
{
	dg_hash_update(h, ":", 1);
}

/* Feeds a value without its escapes: runs between backslashes. */
static void h_field(struct dg_hash *h, struct field f)
{
	if (!f.esc) {
		h_bytes(h, f.s.p, f.s.len);
		return;
	}
	const char *p = f.s.p, *end = f.s.p + f.s.len, *run = p;
	while (p < end) {
		if (*p != '\\') {
			p++;
			continue;
		}
		h_bytes(h, run, (size_t)(p - run));
		/* quoted-pair: the byte after the backslash stands for itself
		 * (sip_quoted() never lets a backslash end the value) */
		run = p + 1;
		p = (size_t)(end - p) >= 2 ? p + 2 : end;
	}
	if (run < end)
		h_bytes(h, run, (size_t)(end - run));
}

/* Next byte of a field without escapes; returns 0 at the end. */
static int field_next(struct field f, size_t *i, char *c)
{
	if (*i >= f.s.len)
		return 0;
	if (f.esc && f.s.p[*i] == '\\') {
		if (*i + 1 >= f.s.len)
			return 0;
		(*i)++;
	}
	*c = f.s.p[(*i)++];
	return 1;
}

/* Does the unescaped field equal b (ASCII case folded if nocase)? */
static int field_eq(struct field f, struct vox_slice b, int nocase)
{
	size_t i = 0, k = 0;
	char c;
	while (field_next(f, &i, &c)) {
		if (k == b.len)
			return 0;
		char d = b.p[k++];
		if (nocase ? vox_lower(c) != vox_lower(d) : c != d)
			return 0;
	}
	return k == b.len && i == f.s.len;
}

/* Length without escapes. */
static size_t field_len(struct field f)
{
	size_t i = 0, n = 0;
	char c;
	while (field_next(f, &i, &c))
		n++;
	return n;
}

static int is_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static int has_ctl(struct vox_slice s)
{
	for (size_t i = 0; i < s.len; i++)
		if (is_ctl((unsigned char)s.p[i]))
			return 1;
	return 0;
}

/* Writes s as a quoted-string (RFC 3261 25.1): '"' and '\' escaped. A CR,
 * LF or other control character cannot be quoted: it sets *bad. */
static void put_quoted(struct vox_writer *w, struct vox_slice s, int *bad)
{
	vox_writer_putc(w, '"');
	for (size_t i = 0; i < s.len; i++) {
		char c = s.p[i];
		if (is_ctl((unsigned char)c))
			*bad = 1;
		if (c == '"' || c == '\\')
			vox_writer_putc(w, '\\');
		vox_writer_putc(w, c);
	}
	vox_writer_putc(w, '"');
}

static void put_hex32(struct vox_writer *w, uint32_t v)
{
	static const char hx[] = "0123456789abcdef";
	char b[8];
	for (int i = 7; i >= 0; i--) {
		b[i] = hx[v & 15u];
		v >>= 4;
	}
	vox_writer_put(w, b, sizeof b);
}

/* ---- the request-digest (RFC 7616 3.4.1 to 3.4.3) ------------------------------------ */

struct resp_in {
	enum vox_digest_alg alg;
	enum vox_digest_qop qop;
	struct field realm, nonce, cnonce, uri;
	struct vox_slice method, body;
	uint32_t nc;
	const struct vox_digest_cred *cred; /* plain */
};

/* Lower-case hex of d into out (2 * n bytes, n <= 32). */
/* Lower-case hex of a hash into 2n characters. HA1 is a password
 * equivalent: vox_hex_encode indexes no table by its bytes. */
static void to_hex(const uint8_t *d, size_t n, char *out)
{
	int rc = vox_hex_encode(d, n, out, 2 * n);
	(void)rc; /* cannot fail: out holds 2n */
}

/* H(A1) in hex (RFC 7616 3.4.2). Returns 0 or an error; ha1 is a secret. */
static int ha1_hex(const struct resp_in *in, enum dg_hash_id id, char ha1[VOX_DIGEST_MAX_HEX])
{
	const struct vox_digest_cred *cr = in->cred;
	size_t hl = dg_hash_len(id);
	uint8_t d[DG_MAX_HASH];
	struct dg_hash h;
	int rc;
	if (cr->password.p) {
		dg_hash_start(&h, id);
		h_field(&h, plain(cr->username));
		h_colon(&h);
		h_field(&h, in->realm);
		h_colon(&h);
		h_field(&h, plain(cr->password));
		rc = dg_hash_finish(&h, d);
		if (rc < 0)
			return rc;
	} else {
		enum dg_hash_id hid;
		if (!cr->ha1.p || alg_hash(cr->ha1_alg, &hid) || hid != id ||
		    cr->ha1.len != 2 * hl || vox_hex_decode(cr->ha1, d, hl) != (int)hl) {
			vox_wipe(d, sizeof d);
			return VOX_EINVAL;
		}
	}
	to_hex(d, hl, ha1);
	vox_wipe(d, sizeof d);
	if (alg_sess(in->alg)) {
		/* A1 = H(user:realm:pass) ":" nonce-prime ":" cnonce-prime */
		dg_hash_start(&h, id);
		h_bytes(&h, ha1, 2 * hl);
		h_colon(&h);
		h_field(&h, in->nonce);
		h_colon(&h);
		h_field(&h, in->cnonce);
		rc = dg_hash_finish(&h, d);
		if (rc < 0) {
			vox_wipe(ha1, VOX_DIGEST_MAX_HEX);
			return rc;
		}
		to_hex(d, hl, ha1);
		vox_wipe(d, sizeof d);
	}
	return 0;
}

/* The response digest (binary) into out; returns its length or an error. */
static int compute_response(const struct resp_in *in, uint8_t out[DG_MAX_HASH])
{
	enum dg_hash_id id;
	int rc = alg_hash(in->alg, &id);
	if (rc)
		return rc;
	if ((unsigned)in->qop > VOX_DIGEST_QOP_AUTH_INT ||
	    (alg_sess(in->alg) && in->qop == VOX_DIGEST_QOP_NONE))
		return VOX_EINVAL; /* -sess needs the cnonce that only qop brings */
	size_t hl = dg_hash_len(id);
	char ha1[VOX_DIGEST_MAX_HEX], ha2[VOX_DIGEST_MAX_HEX], hb[VOX_DIGEST_MAX_HEX];
	uint8_t d[DG_MAX_HASH];
	struct dg_hash h;

	/* A2 = Method ":" request-uri [ ":" H(entity-body) ] (3.4.3) */
	if (in->qop == VOX_DIGEST_QOP_AUTH_INT) {
		dg_hash_start(&h, id);
		h_bytes(&h, in->body.p, in->body.len);
		rc = dg_hash_finish(&h, d);
		if (rc < 0)
			return rc;
		to_hex(d, hl, hb);
	}
	dg_hash_start(&h, id);
	h_bytes(&h, in->method.p, in->method.len);
	h_colon(&h);
	h_field(&h, in->uri);
	if (in->qop == VOX_DIGEST_QOP_AUTH_INT) {
		h_colon(&h);
		h_bytes(&h, hb, 2 * hl);
	}
	rc = dg_hash_finish(&h, d);
	if (rc < 0)
		return rc;
	to_hex(d, hl, ha2);

	rc = ha1_hex(in, id, ha1);
	if (rc)
		return rc;
	/* response = KD(H(A1), nonce ":" nc ":" cnonce ":" qop ":" H(A2)),
	 * or KD(H(A1), nonce ":" H(A2)) without qop (RFC 2069) */
	dg_hash_start(&h, id);
	h_bytes(&h, ha1, 2 * hl);
	vox_wipe(ha1, sizeof ha1);
	h_colon(&h);
	h_field(&h, in->nonce);
	h_colon(&h);
	if (in->qop != VOX_DIGEST_QOP_NONE) {
		char nc[8];
		struct vox_writer w;
		vox_writer_init(&w, nc, sizeof nc);
		put_hex32(&w, in->nc);
		h_bytes(&h, nc, sizeof nc);
		h_colon(&h);
		h_field(&h, in->cnonce);
		h_colon(&h);
		const char *q = qop_name(in->qop);
		h_bytes(&h, q, strlen(q));
		h_colon(&h);
	}
	h_bytes(&h, ha2, 2 * hl);
	return dg_hash_finish(&h, out);
}

int vox_digest_response_print(const struct vox_digest_params *p, const struct vox_digest_cred *cred,
                              const struct vox_digest_req *req, char *out, size_t cap)
{
	if (!p || !cred || !req || !out || (unsigned)p->alg >= VOX_DIGEST_ALG_COUNT ||
	    (cred->password.p && !cred->username.p))
		return VOX_EINVAL;
	struct resp_in in = {
	    .alg = p->alg,
	    .qop = p->qop,
	    .realm = plain(p->realm),
	    .nonce = plain(p->nonce),
	    .cnonce = plain(p->cnonce),
	    .uri = plain(req->uri),
	    .method = req->method,
	    .body = req->body,
	    .nc = p->nc,
	    .cred = cred,
	};
	uint8_t d[DG_MAX_HASH];
	int n = compute_response(&in, d);
	if (n < 0)
		return n;
	return vox_hex_encode(d, (size_t)n, out, cap);
}

static int hash_print(enum vox_digest_alg alg, struct vox_slice a, struct vox_slice b,
                      const struct vox_slice *c, char *out, size_t cap)
{
	enum dg_hash_id id;
	if (!out || (unsigned)alg >= VOX_DIGEST_ALG_COUNT)
		return VOX_EINVAL;
	int rc = alg_hash(alg, &id);
	if (rc)
		return rc;
	uint8_t d[DG_MAX_HASH];
	struct dg_hash h;
	dg_hash_start(&h, id);
	h_bytes(&h, a.p, a.len);
	h_colon(&h);
	h_bytes(&h, b.p, b.len);
	if (c) {
		h_colon(&h);
		h_bytes(&h, c->p, c->len);
	}
	rc = dg_hash_finish(&h, d);
	if (rc < 0)
		return rc;
	rc = vox_hex_encode(d, (size_t)rc, out, cap);
	vox_wipe(d, sizeof d);
	return rc;
}

int vox_digest_ha1_print(enum vox_digest_alg alg, struct vox_slice username, struct vox_slice realm,
                         struct vox_slice password, char *out, size_t cap)
{
	return hash_print(alg, username, realm, &password, out, cap);
}

int vox_digest_userhash_print(enum vox_digest_alg alg, struct vox_slice username,
                              struct vox_slice realm, char *out, size_t cap)
{
	return hash_print(alg, username, realm, NULL, out, cap);
}

/* ---- reading a challenge ------------------------------------------------------------ */

static int is_true(struct vox_slice v)
{
	return v.p && vox_slice_case_eq_cstr(v, "true");
}

/* qop-options: a quoted comma list of tokens (RFC 3261 25.1). Chooses auth
 * unless auth-int is wanted and offered or is all that is offered. */
static int qop_choose(struct vox_slice list, int prefer_int, enum vox_digest_qop *q)
{
	int a = 0, ai = 0;
	const char *p = list.p, *end = list.p + list.len;
	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));
		const char *e = c ? c : end;
		struct vox_slice t = sip_trim(p, e);
		if (vox_slice_case_eq_cstr(t, "auth"))
			a = 1;
		else if (vox_slice_case_eq_cstr(t, "auth-int"))
			ai = 1;
		p = c ? c + 1 : end;
	}
	if (ai && (prefer_int || !a))
		*q = VOX_DIGEST_QOP_AUTH_INT;
	else if (a)
		*q = VOX_DIGEST_QOP_AUTH;
	else
		return VOX_EUNSUPPORTED;
	return 0;
}

struct chk {
	enum vox_digest_alg alg;
	int alg_given;
	enum vox_digest_qop qop;
};

/* What vox_digest_pick and vox_digest_client_recv both require. */
static int challenge_check(const struct vox_sip_auth *ch, int prefer_int, struct chk *k)
{
	if (!vox_slice_case_eq_cstr(ch->scheme, "Digest"))
		return VOX_EUNSUPPORTED;
	if (!ch->realm.p || !ch->nonce.p)
		return VOX_EMALFORMED; /* both are required (RFC 3261 25.1) */
	k->alg = VOX_DIGEST_MD5;       /* absent: MD5 (RFC 7616 3.3) */
	k->alg_given = ch->algorithm.p != NULL;
	if (k->alg_given && vox_digest_alg_parse(ch->algorithm, &k->alg))
		return VOX_EUNSUPPORTED;
	k->qop = VOX_DIGEST_QOP_NONE;
	if (ch->qop.p && qop_choose(ch->qop, prefer_int, &k->qop))
		return VOX_EUNSUPPORTED;
	if (alg_sess(k->alg) && k->qop == VOX_DIGEST_QOP_NONE)
		return VOX_EUNSUPPORTED;
	if (field_len(quoted(ch->realm)) > VOX_DIGEST_MAX_VALUE ||
	    field_len(quoted(ch->nonce)) > VOX_DIGEST_MAX_VALUE ||
	    (ch->opaque.p && field_len(quoted(ch->opaque)) > VOX_DIGEST_MAX_VALUE))
		return VOX_ETOOLONG;
	return 0;
}

int vox_digest_pick(const struct vox_sip_auth *ch, size_t n, const struct vox_digest_cred *cred,
                    enum vox_digest_pick_policy policy)
{
	int best = VOX_ENOTFOUND;
	unsigned best_rank = 0;
	if (!ch)
		return VOX_ENOTFOUND;
	if (n > INT32_MAX)
		n = INT32_MAX;
	for (size_t i = 0; i < n; i++) {
		struct chk k;
		if (challenge_check(&ch[i], 0, &k))
			continue;
		if (cred && !cred->password.p &&
		    (!vox_digest_alg_supported(cred->ha1_alg) ||
		     alg_family(cred->ha1_alg) != alg_family(k.alg)))
			continue;
		if (policy == VOX_DIGEST_PICK_FIRST)
			return (int)i;
		unsigned rank = alg_family(k.alg) + 1;
		if (rank > best_rank) {
			best_rank = rank;
			best = (int)i;
		}
	}
	return best;
}

/* ---- client ---------------------------------------------------------------------- */

void vox_digest_client_init(struct vox_digest_client *c)
{
	memset(c, 0, sizeof *c);
}

void vox_digest_client_free(struct vox_digest_client *c)
{
	if (c)
		vox_wipe(c, sizeof *c);
}

/* Unescapes a challenge value into out; refuses control characters, which
 * could not be quoted again when the value is sent back. */
static int copy_value(struct vox_slice in, char *out, size_t cap, size_t *len)
{
	int n = vox_sip_unquote(in, out, cap);
	if (n == VOX_ENOSPC)
		return VOX_ETOOLONG;
	if (n < 0)
		return n;
	if (has_ctl(vox_slice_make(out, (size_t)n)))
		return VOX_EMALFORMED;
	*len = (size_t)n;
	return 0;
}

int vox_digest_client_recv(struct vox_digest_client *c, const struct vox_sip_auth *challenge,
                           const struct vox_rng *rng)
{
	if (!c || !challenge || !rng || !rng->fn)
		return VOX_EINVAL;
	struct chk k;
	int rc = challenge_check(challenge, c->prefer_auth_int, &k);
	if (rc)
		return rc;
	/* Build the new state aside, so that a bad challenge leaves *c as it
	 * was (a client may keep answering with a good nonce). */
	struct vox_digest_client n = *c;
	rc = copy_value(challenge->realm, n.realm, sizeof n.realm, &n.realm_len);
	if (!rc)
		rc = copy_value(challenge->nonce, n.nonce, sizeof n.nonce, &n.nonce_len);
	n.has_opaque = challenge->opaque.p != NULL;
	n.opaque_len = 0;
	if (!rc && n.has_opaque)
		rc = copy_value(challenge->opaque, n.opaque, sizeof n.opaque, &n.opaque_len);
	if (rc)
		return rc;
	n.alg = k.alg;
	n.alg_given = k.alg_given;
	n.qop = k.qop;
	n.stale = is_true(challenge->stale);
	n.userhash = is_true(challenge->userhash);
	int same = c->ready && c->alg == n.alg && c->nonce_len == n.nonce_len &&
	           memcmp(c->nonce, n.nonce, n.nonce_len) == 0 && c->realm_len == n.realm_len &&
	           memcmp(c->realm, n.realm, n.realm_len) == 0;
	n.new_nonce = !same;
	if (!same) {
		/* One cnonce per nonce: for -sess, A1 takes the cnonce of the
		 * first request after the challenge (cnonce-prime, RFC 7616
		 * 3.4.2), which a server without per-nonce state only knows if
		 * every request repeats it; nc keeps the responses distinct. */
		uint8_t r[VOX_DIGEST_CNONCE_LEN / 2];
		if (rng->fn(rng->ctx, r, sizeof r) != 0) {
			vox_wipe(r, sizeof r);
			return VOX_ERNG;
		}
		to_hex(r, sizeof r, n.cnonce);
		vox_wipe(r, sizeof r);
		n.nc = 0;
	}
	n.ready = 1;
	*c = n;
	return 0;
}

int vox_digest_client_print(struct vox_digest_client *c, const struct vox_digest_cred *cred,
                            const struct vox_digest_req *req, char *out, size_t cap)
{
	if (!c || !cred || !req || !out || !cred->username.p || !req->method.len || !req->uri.len ||
	    (req->body.len && !req->body.p))
		return VOX_EINVAL;
	if (!c->ready)
		return VOX_ESTATE;
	uint32_t nc = c->nc;
	if (c->qop != VOX_DIGEST_QOP_NONE) {
		if (nc == UINT32_MAX)
			return VOX_EKEYEXPIRED;
		nc++;
	}
	struct vox_slice realm = vox_slice_make(c->realm, c->realm_len);
	struct resp_in in = {
	    .alg = c->alg,
	    .qop = c->qop,
	    .realm = plain(realm),
	    .nonce = plain(vox_slice_make(c->nonce, c->nonce_len)),
	    .cnonce = plain(vox_slice_make(c->cnonce, sizeof c->cnonce)),
	    .uri = plain(req->uri),
	    .method = req->method,
	    .body = req->body,
	    .nc = nc,
	    .cred = cred,
	};
	uint8_t d[DG_MAX_HASH];
	char resp[VOX_DIGEST_MAX_HEX], uh[VOX_DIGEST_MAX_HEX];
	int rc = compute_response(&in, d);
	if (rc < 0)
		return rc;
	to_hex(d, (size_t)rc, resp);
	size_t resp_len = 2 * (size_t)rc;
	struct vox_slice user = cred->username;
	if (c->userhash) {
		rc = vox_digest_userhash_print(c->alg, cred->username, realm, uh, sizeof uh);
		if (rc < 0)
			return rc;
		user = vox_slice_make(uh, (size_t)rc);
	}

	/* RFC 3261 22.4 and 25.1 (credentials); order as in its examples */
	struct vox_writer w;
	int bad = 0;
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, "Digest username=");
	put_quoted(&w, user, &bad);
	vox_writer_puts(&w, ", realm=");
	put_quoted(&w, realm, &bad);
	vox_writer_puts(&w, ", nonce=");
	put_quoted(&w, in.nonce.s, &bad);
	vox_writer_puts(&w, ", uri=");
	put_quoted(&w, req->uri, &bad);
	if (c->alg_given) {
		vox_writer_puts(&w, ", algorithm=");
		vox_writer_puts(&w, vox_digest_alg_name(c->alg));
	}
	if (c->qop != VOX_DIGEST_QOP_NONE) {
		vox_writer_puts(&w, ", qop=");
		vox_writer_puts(&w, qop_name(c->qop));
		vox_writer_puts(&w, ", nc=");
		put_hex32(&w, nc);
		vox_writer_puts(&w, ", cnonce=");
		put_quoted(&w, in.cnonce.s, &bad);
	}
	vox_writer_puts(&w, ", response=\"");
	vox_writer_put(&w, resp, resp_len);
	vox_writer_putc(&w, '"');
	if (c->has_opaque) {
		vox_writer_puts(&w, ", opaque=");
		put_quoted(&w, vox_slice_make(c->opaque, c->opaque_len), &bad);
	}
	if (c->userhash)
		vox_writer_puts(&w, ", userhash=true");
	if (bad)
		return VOX_EINVAL;
	rc = vox_writer_finish(&w);
	if (rc >= 0)
		c->nc = nc;
	return rc;
}

/* ---- server ---------------------------------------------------------------------- */

/* version (1) | time ms, big-endian (8) | random (8) | MAC (16) */
#define NONCE_VERSION 1
#define NONCE_HEAD    17
#define NONCE_MAC     16
#define NONCE_RAW     (NONCE_HEAD + NONCE_MAC)
#define NONCE_B64     44 /* 4 * 33 / 3, no padding */

void vox_digest_server_init(struct vox_digest_server *s, const uint8_t key[VOX_DIGEST_KEY_LEN],
                            struct vox_slice realm, uint64_t lifetime_ms)
{
	memset(s, 0, sizeof *s);
	s->realm = realm;
	s->lifetime_ms = lifetime_ms ? lifetime_ms : VOX_DIGEST_DEFAULT_LIFETIME_MS;
	if (!key)
		return; /* no key: algs stays 0, so nothing is offered or accepted */
	memcpy(s->key, key, VOX_DIGEST_KEY_LEN);
	for (unsigned a = 0; a < VOX_DIGEST_ALG_COUNT; a++)
		if (vox_digest_alg_supported((enum vox_digest_alg)a))
			s->algs |= vox_digest_alg_bit((enum vox_digest_alg)a);
}

void vox_digest_server_free(struct vox_digest_server *s)
{
	if (s)
		vox_wipe(s, sizeof *s);
}

static void be32(uint8_t *o, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		o[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* MAC of a nonce's head, binding realm and peer. Lengths go in first, so
 * that no two (realm, peer) pairs feed the same bytes. */
static int nonce_mac(const struct vox_digest_server *s, const uint8_t head[NONCE_HEAD],
                     struct vox_slice peer, uint8_t mac[32])
{
	static const char label[] = "vox digest nonce";
	uint8_t rl[4], pl[4];
	if (s->realm.len > UINT32_MAX || peer.len > UINT32_MAX)
		return VOX_EINVAL;
	be32(rl, (uint32_t)s->realm.len);
	be32(pl, (uint32_t)peer.len);
	const struct vox_slice parts[] = {
	    {label, sizeof label},         {(const char *)head, NONCE_HEAD},
	    {(const char *)rl, sizeof rl}, {s->realm.p, s->realm.len},
	    {(const char *)pl, sizeof pl}, {peer.p, peer.len},
	};
	return dg_hmac_sha256(s->key, sizeof s->key, parts, sizeof parts / sizeof parts[0], mac);
}

int vox_digest_challenge_print(const struct vox_digest_server *s, enum vox_digest_alg alg,
                               int stale, struct vox_slice opaque, struct vox_slice peer,
                               uint64_t now_ms, const struct vox_rng *rng, char *out, size_t cap)
{
	if (!s || !out || !rng || !rng->fn || (peer.len && !peer.p))
		return VOX_EINVAL;
	if ((unsigned)alg >= VOX_DIGEST_ALG_COUNT)
		return VOX_EINVAL;
	if (!vox_digest_alg_supported(alg))
		return VOX_EUNSUPPORTED;
	if (!(s->algs & vox_digest_alg_bit(alg)) || !s->realm.p || !s->realm.len ||
	    has_ctl(s->realm) || (opaque.p && has_ctl(opaque)))
		return VOX_EINVAL;
	uint8_t raw[NONCE_RAW], mac[32];
	raw[0] = NONCE_VERSION;
	for (int i = 0; i < 8; i++)
		raw[1 + i] = (uint8_t)(now_ms >> (56 - 8 * i));
	if (rng->fn(rng->ctx, raw + 9, 8) != 0)
		return VOX_ERNG;
	int rc = nonce_mac(s, raw, peer, mac);
	if (rc)
		return rc;
	memcpy(raw + NONCE_HEAD, mac, NONCE_MAC);
	vox_wipe(mac, sizeof mac);
	char nonce[NONCE_B64];
	rc = vox_base64_encode(raw, sizeof raw, nonce, sizeof nonce);
	if (rc != NONCE_B64)
		return rc < 0 ? rc : VOX_ECRYPTO;

	struct vox_writer w;
	int bad = 0;
	vox_writer_init(&w, out, cap);
	vox_writer_puts(&w, "Digest realm=");
	put_quoted(&w, s->realm, &bad);
	vox_writer_puts(&w, ", nonce=\"");
	vox_writer_put(&w, nonce, sizeof nonce);
	vox_writer_puts(&w, "\", algorithm=");
	vox_writer_puts(&w, vox_digest_alg_name(alg));
	vox_writer_puts(&w, s->auth_int ? ", qop=\"auth,auth-int\"" : ", qop=\"auth\"");
	if (opaque.p) {
		vox_writer_puts(&w, ", opaque=");
		put_quoted(&w, opaque, &bad);
	}
	if (stale)
		vox_writer_puts(&w, ", stale=TRUE");
	if (bad)
		return VOX_EINVAL;
	return vox_writer_finish(&w);
}

int vox_digest_username(const struct vox_sip_auth *cr, char *out, size_t cap, int *userhash)
{
	if (!cr || (!out && cap))
		return VOX_EINVAL;
	if (!cr->username.p)
		return VOX_EMALFORMED;
	int uh = 0;
	if (cr->userhash.p) {
		if (vox_slice_case_eq_cstr(cr->userhash, "true"))
			uh = 1;
		else if (!vox_slice_case_eq_cstr(cr->userhash, "false"))
			return VOX_EMALFORMED;
	}
	int n = vox_sip_unquote(cr->username, out, cap);
	if (n >= 0 && userhash)
		*userhash = uh;
	return n;
}

/* nc-value = 8LHEX (RFC 3261 25.1); upper case is tolerated. */
static int parse_nc(struct vox_slice v, uint32_t *nc)
{
	uint32_t x = 0;
	if (v.len != 8)
		return VOX_EMALFORMED;
	for (size_t i = 0; i < 8; i++) {
		int h = vox_hexval((unsigned char)v.p[i]);
		if (h < 0)
			return VOX_EMALFORMED;
		x = x << 4 | (uint32_t)h;
	}
	*nc = x;
	return 0;
}

/* Is this nonce one we issued for this realm and peer? Sets *issued. */
static int nonce_check(const struct vox_digest_server *s, struct vox_slice nonce,
                       struct vox_slice peer, uint64_t *issued)
{
	/* Ours are 44 base64 characters, which never need escapes. */
	uint8_t raw[NONCE_RAW], mac[32];
	if (nonce.len != NONCE_B64 || vox_base64_decode(nonce, raw, sizeof raw) != NONCE_RAW ||
	    raw[0] != NONCE_VERSION)
		return VOX_EAUTH;
	int rc = nonce_mac(s, raw, peer, mac);
	if (rc)
		return rc;
	int ok = dg_ct_eq(mac, raw + NONCE_HEAD, NONCE_MAC);
	vox_wipe(mac, sizeof mac);
	if (!ok)
		return VOX_EAUTH;
	uint64_t t = 0;
	for (int i = 0; i < 8; i++)
		t = t << 8 | raw[1 + i];
	*issued = t;
	return 0;
}

/* digest-uri against the Request-URI: the same bytes, or equal SIP / tel
 * URIs by RFC 3261 19.1.4 (a proxy may re-case the host, reorder params). */
static int uri_match(struct vox_slice du, struct vox_slice ruri)
{
	char buf[1024];
	if (memchr(du.p, '\\', du.len)) {
		int n = vox_sip_unquote(du, buf, sizeof buf);
		if (n < 0)
			return 0;
		du = vox_slice_make(buf, (size_t)n);
	}
	if (vox_slice_eq(du, ruri))
		return 1;
	struct vox_sip_uri a, b;
	if (vox_sip_uri_parse(&a, du, NULL) != 0 || vox_sip_uri_parse(&b, ruri, NULL) != 0)
		return 0;
	return vox_sip_uri_eq(&a, &b);
}

int vox_digest_server_verify(const struct vox_digest_server *s, const struct vox_sip_auth *cr,
                             const struct vox_digest_cred *secret, const struct vox_digest_req *req,
                             struct vox_slice peer, uint64_t now_ms, struct vox_digest_info *info,
                             struct vox_diag *diag)
{
	struct vox_digest_info scratch;
	if (!info)
		info = &scratch;
	memset(info, 0, sizeof *info);
	if (!s || !cr || !secret || !req || !cr->scheme.p || !secret->username.p ||
	    !req->method.len || (req->body.len && !req->body.p) || (peer.len && !peer.p))
		return VOX_EINVAL;
	const char *base = cr->scheme.p;
	if (!vox_slice_case_eq_cstr(cr->scheme, "Digest"))
		return vox_fail(diag, base, base, VOX_EUNSUPPORTED, "not a Digest credential");

	/* presence (RFC 3261 25.1 dig-resp; qop, cnonce and nc because our
	 * challenges always carry qop: RFC 7616 3.4 then requires them) */
	static const struct {
		const char *what;
		size_t off;
	} need[] = {
	    {"username missing", offsetof(struct vox_sip_auth, username)},
	    {"realm missing", offsetof(struct vox_sip_auth, realm)},
	    {"nonce missing", offsetof(struct vox_sip_auth, nonce)},
	    {"uri missing", offsetof(struct vox_sip_auth, uri)},
	    {"response missing", offsetof(struct vox_sip_auth, response)},
	    {"qop missing (our challenge asked for it)", offsetof(struct vox_sip_auth, qop)},
	    {"cnonce missing", offsetof(struct vox_sip_auth, cnonce)},
	    {"nc missing", offsetof(struct vox_sip_auth, nc)},
	};
	for (size_t i = 0; i < sizeof need / sizeof need[0]; i++) {
		const struct vox_slice *v =
		    (const struct vox_slice *)(const void *)((const char *)cr + need[i].off);
		if (!v->p)
			return vox_fail(diag, base, base, VOX_EMALFORMED, need[i].what);
	}

	enum vox_digest_alg alg = VOX_DIGEST_MD5;
	if (cr->algorithm.p && vox_digest_alg_parse(cr->algorithm, &alg))
		return vox_fail(diag, base, cr->algorithm.p, VOX_EUNSUPPORTED,
		                "unknown digest algorithm");
	info->alg = alg;
	if (!(s->algs & vox_digest_alg_bit(alg)))
		return vox_fail(diag, base, cr->algorithm.p ? cr->algorithm.p : base,
		                VOX_EUNSUPPORTED, "algorithm not offered");
	enum vox_digest_qop qop;
	if (vox_slice_case_eq_cstr(cr->qop, "auth"))
		qop = VOX_DIGEST_QOP_AUTH;
	else if (vox_slice_case_eq_cstr(cr->qop, "auth-int"))
		qop = VOX_DIGEST_QOP_AUTH_INT;
	else
		return vox_fail(diag, base, cr->qop.p, VOX_EUNSUPPORTED, "unknown qop");
	info->qop = qop;
	if (qop == VOX_DIGEST_QOP_AUTH_INT && !s->auth_int)
		return vox_fail(diag, base, cr->qop.p, VOX_EUNSUPPORTED,
		                "qop=auth-int not offered");
	if (cr->cnonce.len == 0)
		return vox_fail(diag, base, cr->cnonce.p, VOX_EMALFORMED, "empty cnonce");
	uint32_t nc;
	if (parse_nc(cr->nc, &nc) || nc == 0)
		return vox_fail(diag, base, cr->nc.p, VOX_EMALFORMED,
		                "nc must be 8 hex digits, not 00000000");
	info->nc = nc;
	int uh = 0;
	if (cr->userhash.p) {
		if (vox_slice_case_eq_cstr(cr->userhash, "true"))
			uh = 1;
		else if (!vox_slice_case_eq_cstr(cr->userhash, "false"))
			return vox_fail(diag, base, cr->userhash.p, VOX_EMALFORMED,
			                "userhash must be true or false");
	}
	info->userhash = uh;
	enum dg_hash_id id;
	int rc = alg_hash(alg, &id);
	if (rc)
		return rc;
	size_t hl = dg_hash_len(id);
	uint8_t got[DG_MAX_HASH], want[DG_MAX_HASH];
	if (cr->response.len != 2 * hl || vox_hex_decode(cr->response, got, sizeof got) != (int)hl)
		return vox_fail(diag, base, cr->response.p, VOX_EMALFORMED,
		                "response is not hex of the algorithm's length");

	if (!field_eq(quoted(cr->realm), s->realm, 0))
		return vox_fail(diag, base, cr->realm.p, VOX_EAUTH, "realm is not ours");
	if (uh) {
		char hx[VOX_DIGEST_MAX_HEX];
		rc = vox_digest_userhash_print(alg, secret->username, s->realm, hx, sizeof hx);
		if (rc < 0)
			return rc;
		if (!field_eq(quoted(cr->username), vox_slice_make(hx, (size_t)rc), 1))
			return vox_fail(diag, base, cr->username.p, VOX_EAUTH,
			                "userhash is not that of the secret's user");
	} else if (!field_eq(quoted(cr->username), secret->username, 0)) {
		return vox_fail(diag, base, cr->username.p, VOX_EAUTH,
		                "username is not the secret's user");
	}
	if (req->uri.p && !uri_match(cr->uri, req->uri))
		return vox_fail(diag, base, cr->uri.p, VOX_EMALFORMED,
		                "digest-uri is not the Request-URI");

	uint64_t issued;
	rc = nonce_check(s, cr->nonce, peer, &issued);
	if (rc)
		return vox_fail(diag, base, cr->nonce.p, rc,
		                "nonce not issued by this server for this realm and peer");
	info->issued_ms = issued;

	struct resp_in in = {
	    .alg = alg,
	    .qop = qop,
	    .realm = plain(s->realm),
	    .nonce = quoted(cr->nonce),
	    .cnonce = quoted(cr->cnonce),
	    .uri = quoted(cr->uri),
	    .method = req->method,
	    .body = req->body,
	    .nc = nc,
	    .cred = secret,
	};
	rc = compute_response(&in, want);
	if (rc < 0)
		return vox_fail(diag, base, base, rc,
		                rc == VOX_EINVAL ? "secret's HA1 is not hex of the algorithm's hash"
		                                 : "hash failed");
	int ok = dg_ct_eq(got, want, hl);
	vox_wipe(want, sizeof want);
	if (!ok)
		return vox_fail(diag, base, cr->response.p, VOX_EAUTH, "wrong credentials");
	/* Only a right response earns stale=TRUE (RFC 7616 3.3): otherwise
	 * the client would retry a wrong password without asking the user. */
	if (now_ms < issued || now_ms - issued > s->lifetime_ms)
		return vox_fail(diag, base, cr->nonce.p, VOX_EKEYEXPIRED, "nonce expired");
	return 0;
}
