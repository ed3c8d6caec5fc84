/* SPDX-License-Identifier: MIT */
/* a=crypto (RFC 4568): the decoder and key extraction. */
#include <string.h>

#include "sdp/sdp_int.h"

/* Largest key||salt vox decodes: AES-256 key and 14-byte salt is 46. Keys of
 * unknown suites are checked as base64 up to this length. */
#define KEY_SALT_MAX 64
/* RFC 4568 9.2: mki-length = 1*3DIGIT, range 1..128. */
#define MKI_WIRE_MAX 128

struct ccur {
	const char *base;
	struct vox_diag *diag;
};

static int fail(const struct ccur *x, const char *at, int err, const char *what)
{
	return vox_fail(x->diag, x->base, at, err, what);
}

/*
 * inline key||salt is base64 (RFC 4568 6.1, after RFC 3548, which pads).
 * Some peers leave the padding out: rtpengine sends the 28-byte
 * AEAD_AES_128_GCM key||salt as 38 characters. The decoded length is
 * checked against the suite all the same, so both forms are read; a
 * partly padded form ("...x=" of 39 characters) is not. The decoder runs
 * in constant time (core/codec.c): this is the master key.
 */
static int key_salt_decode(struct vox_slice b64, uint8_t raw[KEY_SALT_MAX])
{
	return vox_base64_decode_any(b64, raw, KEY_SALT_MAX);
}

/* Up to the first byte equal to stop (or the end). */
static struct vox_slice until(const char *p, const char *end, char stop)
{
	const char *q = p;
	while (q < end && *q != stop)
		q++;
	return vox_slice_make(p, (size_t)(q - p));
}

/* The decimal MKI value into len big-endian bytes; -1 if it does not fit.
 * The caller has checked that val holds digits only. */
static int mki_value(struct vox_slice val, size_t len, uint8_t *out)
{
	memset(out, 0, len);
	size_t i = 0;
	while (i < val.len && val.p[i] == '0')
		i++; /* leading zeros add nothing and would only cost time */
	for (; i < val.len; i++) {
		unsigned carry = (unsigned)(val.p[i] - '0');
		for (size_t b = len; b-- > 0;) {
			unsigned v = out[b] * 10u + carry;
			out[b] = (uint8_t)v;
			carry = v >> 8;
		}
		if (carry)
			return -1;
	}
	return 0;
}

/* RFC 4568 9.2: mki = mki-value ":" mki-length. The value is a decimal
 * number of any size that must fit into mki-length bytes. */
static int parse_mki(const struct ccur *x, struct vox_slice s, struct vox_sdp_key_param *k)
{
	struct vox_slice val = until(s.p, s.p + s.len, ':');
	if (val.len == s.len)
		return fail(x, s.p, VOX_EMALFORMED, "expected MKI value ':' length");
	struct vox_slice len = vox_slice_make(val.p + val.len + 1, s.len - val.len - 1);
	uint64_t l = 0;
	if (len.len == 0 || len.len > 3)
		return fail(x, len.p, len.len ? VOX_ERANGE : VOX_EMALFORMED,
		            "expected MKI length 1..128 (RFC 4568 9.2)");
	int rc = vox_slice_u64(len, 999, &l);
	if (rc < 0)
		return fail(x, len.p, rc, "expected MKI length 1..128 (RFC 4568 9.2)");
	if (l < 1 || l > MKI_WIRE_MAX)
		return fail(x, len.p, VOX_ERANGE, "MKI length must be 1..128 bytes (RFC 4568 9.2)");
	if (val.len == 0)
		return fail(x, val.p, VOX_EMALFORMED, "expected decimal MKI value");
	for (size_t i = 0; i < val.len; i++)
		if (!vox_is_digit((unsigned char)val.p[i]))
			return fail(x, val.p + i, VOX_EMALFORMED, "expected decimal MKI value");
	uint8_t big[MKI_WIRE_MAX];
	if (mki_value(val, (size_t)l, big) < 0)
		return fail(x, val.p, VOX_ERANGE, "MKI value does not fit in its length");
	k->mki_len = (uint8_t)l;
	k->mki = val;
	return 0;
}

/* RFC 4568 6.1: lifetime = ["2^"] 1*(DIGIT). */
static int parse_lifetime(const struct ccur *x, struct vox_slice s, uint64_t *out)
{
	uint64_t v = 0;
	if (s.len >= 2 && s.p[0] == '2' && s.p[1] == '^') {
		struct vox_slice e = vox_slice_make(s.p + 2, s.len - 2);
		int rc = vox_slice_u64(e, 63, &v);
		if (rc == VOX_ERANGE)
			return fail(x, s.p, VOX_ERANGE, "key lifetime overflows 64 bits");
		if (rc < 0)
			return fail(x, e.p, rc, "expected lifetime exponent after 2^");
		*out = (uint64_t)1 << v;
		return 0;
	}
	int rc = vox_slice_u64(s, UINT64_MAX, &v);
	if (rc == VOX_ERANGE)
		return fail(x, s.p, VOX_ERANGE, "key lifetime overflows 64 bits");
	if (rc < 0)
		return fail(x, s.p, rc, "expected lifetime (2^n or decimal) or MKI value:length");
	if (v == 0)
		return fail(x, s.p, VOX_EMALFORMED, "key lifetime must be at least 1 packet");
	*out = v;
	return 0;
}

static int case_eq(struct vox_slice s, const char *lit)
{
	return vox_slice_case_eq_cstr(s, lit);
}

/* key-params = key-param *(";" key-param); key-param = key-method ":"
 * key-info (RFC 4568 9.2). keys may be NULL to check the grammar only. */
static int parse_key_params(const struct ccur *x, struct vox_slice s, enum vox_srtp_suite suite,
                            struct vox_sdp_key_param *keys, uint8_t *n, const char **unusable)
{
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(suite);
	const char *p = s.p, *end = s.p + s.len;
	uint8_t count = 0;
	for (;;) {
		struct vox_slice kp = until(p, end, ';');
		struct vox_slice method = until(kp.p, kp.p + kp.len, ':');
		if (method.len == 0 || method.len == kp.len)
			return fail(x, kp.p, VOX_EMALFORMED, "expected key-method ':' key-info");
		for (size_t i = 0; i < method.len; i++)
			if (!vox_is_alnum((unsigned char)method.p[i]) && method.p[i] != '_')
				return fail(x, method.p + i, VOX_EMALFORMED,
				            "expected key-method such as inline");
		if (count >= VOX_SDP_MAX_KEYS)
			return fail(x, kp.p, VOX_ELIMIT, "more key-params than VOX_SDP_MAX_KEYS");
		struct vox_sdp_key_param tmp;
		struct vox_sdp_key_param *k = keys ? &keys[count] : &tmp;
		memset(k, 0, sizeof *k);
		k->method = method;
		const char *ip = method.p + method.len + 1, *iend = kp.p + kp.len;
		if (!case_eq(method, "inline")) {
			/* key-method-ext: vox cannot read its key-info. */
			if (ip == iend)
				return fail(x, ip, VOX_EMALFORMED, "expected key-info");
			k->key_salt = vox_slice_make(ip, (size_t)(iend - ip));
			*unusable = "key method other than inline (RFC 4568 6.1)";
		} else {
			k->key_salt = until(ip, iend, '|');
			uint8_t raw[KEY_SALT_MAX];
			int got = key_salt_decode(k->key_salt, raw);
			vox_wipe(raw, sizeof raw);
			if (got == VOX_ENOSPC)
				return fail(x, ip, VOX_EMALFORMED, "inline key||salt too long");
			if (got <= 0)
				return fail(
				    x, ip, VOX_EMALFORMED,
				    "expected base64 key||salt after inline: (RFC 4568 6.1)");
			if (info && (size_t)got != (size_t)info->key_len + info->salt_len)
				return fail(x, ip, VOX_EMALFORMED,
				            "inline key||salt has the wrong length for the suite "
				            "(RFC 4568 6.1)");
			const char *q = k->key_salt.p + k->key_salt.len;
			int have_lt = 0, have_mki = 0;
			while (q < iend) { /* q points at '|' */
				struct vox_slice seg = until(q + 1, iend, '|');
				if (have_mki)
					return fail(x, seg.p, VOX_EMALFORMED,
					            "nothing may follow the MKI");
				if (memchr(seg.p, ':', seg.len)) {
					int rc = parse_mki(x, seg, k);
					if (rc < 0)
						return rc;
					have_mki = 1;
				} else {
					if (have_lt)
						return fail(
						    x, seg.p, VOX_EMALFORMED,
						    "expected MKI value:length after lifetime");
					int rc = parse_lifetime(x, seg, &k->lifetime);
					if (rc < 0)
						return rc;
					have_lt = 1;
				}
				q = seg.p + seg.len;
			}
		}
		count++;
		if (kp.p + kp.len == end)
			break;
		p = kp.p + kp.len + 1;
	}
	if (n)
		*n = count;
	return 0;
}

static int is_wsp(const char *p, const char *end)
{
	return p < end && vox_is_wsp((unsigned char)*p);
}

/* Semantic checks after the grammar: what vox cannot honour (RFC 4568
 * 7.1.2: the answerer skips such a line). */
static const char *check_usable(const struct vox_sdp_crypto *c)
{
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(c->suite);
	if (!info)
		return "crypto suite not supported by vox";
	if (c->flags & VOX_SDP_UNENCRYPTED_SRTP)
		return "UNENCRYPTED_SRTP: vox never sends clear media under a key";
	if (c->flags & VOX_SDP_UNENCRYPTED_SRTCP)
		return "UNENCRYPTED_SRTCP: vox always encrypts RTCP";
	if (c->flags & VOX_SDP_UNAUTHENTICATED_SRTP)
		return "UNAUTHENTICATED_SRTP: vox always authenticates SRTP";
	if (c->kdr != 0)
		return "KDR other than 0: libsrtp2 derives session keys only once";
	if (c->fec_key.len)
		return "FEC_KEY: vox runs no forward error correction";
	for (unsigned i = 0; i < c->n_keys; i++) {
		const struct vox_sdp_key_param *k = &c->keys[i];
		if (k->mki_len > VOX_SRTP_MAX_MKI)
			return "MKI longer than vox supports (VOX_SRTP_MAX_MKI)";
		if (info->lifetime_log2 < 64 && k->lifetime > ((uint64_t)1 << info->lifetime_log2))
			return "key lifetime above the suite maximum (RFC 3711 9.2: 2^48)";
		if (c->n_keys > 1) {
			/* RFC 4568 6.1: with several keys the MKI tells the
			 * receiver which key a packet uses. */
			if (!k->mki_len)
				return "several keys, not all with an MKI (RFC 4568 6.1)";
			if (k->mki_len != c->keys[0].mki_len)
				return "MKI lengths differ between the keys of one line";
			uint8_t a[MKI_WIRE_MAX], b[MKI_WIRE_MAX];
			for (unsigned j = 0; j < i; j++)
				if (mki_value(k->mki, k->mki_len, a) == 0 &&
				    mki_value(c->keys[j].mki, k->mki_len, b) == 0 &&
				    memcmp(a, b, k->mki_len) == 0)
					return "two keys share one MKI value";
		}
	}
	return NULL;
}

int vox_sdp_crypto_parse_at(const char *base, struct vox_slice v, struct vox_sdp_crypto *c,
                            struct vox_diag *diag)
{
	struct ccur x = {base, diag};
	const char *p = v.p, *end = v.p + v.len;
	const char *unusable = NULL;
	memset(c, 0, sizeof *c);
	c->media = -1;

	/* tag = 1*9DIGIT */
	const char *t = p;
	while (p < end && vox_is_digit((unsigned char)*p))
		p++;
	if (p == t)
		return fail(&x, t, VOX_EMALFORMED, "expected decimal crypto tag");
	if (p - t > 9)
		return fail(&x, t, VOX_ERANGE, "crypto tag longer than 9 digits (RFC 4568 9.1)");
	uint64_t tag = 0;
	int rc = vox_slice_u64(vox_slice_make(t, (size_t)(p - t)), 999999999, &tag);
	if (rc < 0)
		return fail(&x, t, rc, "expected decimal crypto tag");
	c->tag = (uint32_t)tag;
	if (!is_wsp(p, end))
		return fail(&x, p, VOX_EMALFORMED, "expected space after the crypto tag");
	while (is_wsp(p, end))
		p++;

	/* crypto-suite */
	const char *s = p;
	while (p < end && sdp_is_nonws((unsigned char)*p))
		p++;
	if (p == s)
		return fail(&x, s, VOX_EMALFORMED, "expected crypto suite");
	c->suite_name = vox_slice_make(s, (size_t)(p - s));
	c->suite = vox_srtp_suite_by_name(c->suite_name);
	if (!is_wsp(p, end))
		return fail(&x, p, VOX_EMALFORMED, "expected space and key-params after the suite");
	while (is_wsp(p, end))
		p++;

	/* key-params */
	const char *k = p;
	while (p < end && sdp_is_nonws((unsigned char)*p))
		p++;
	if (p == k)
		return fail(&x, k, VOX_EMALFORMED, "expected key-params (inline:...)");
	rc = parse_key_params(&x, vox_slice_make(k, (size_t)(p - k)), c->suite, c->keys, &c->n_keys,
	                      &unusable);
	if (rc < 0)
		return rc;

	/* session-params (RFC 4568 6.3), separated by white space. */
	const char *params = NULL;
	unsigned seen = 0;
	while (p < end) {
		if (!is_wsp(p, end))
			return fail(&x, p, VOX_EMALFORMED,
			            "expected space before a session parameter");
		while (is_wsp(p, end))
			p++;
		if (p == end)
			return fail(&x, p, VOX_EMALFORMED, "space at the end of a=crypto");
		const char *q = p;
		while (q < end && sdp_is_nonws((unsigned char)*q))
			q++;
		struct vox_slice sp = vox_slice_make(p, (size_t)(q - p));
		struct vox_slice name = until(sp.p, sp.p + sp.len, '=');
		struct vox_slice val = vox_slice_make(name.p + name.len + (name.len < sp.len),
		                                      sp.len - name.len - (name.len < sp.len));
		int has_eq = name.len < sp.len;
		unsigned bit = 0;
		if (!params)
			params = p;
		if (has_eq && case_eq(name, "KDR")) {
			/* kdr = "KDR=" 1*2(DIGIT), range 0..24 */
			uint64_t kdr = 0;
			bit = 1;
			if (val.len < 1 || val.len > 2 || vox_slice_u64(val, 99, &kdr) < 0)
				return fail(&x, val.p, VOX_EMALFORMED, "expected KDR=0..24");
			if (kdr > 24)
				return fail(&x, val.p, VOX_ERANGE,
				            "KDR must be 0..24 (RFC 4568 6.3.1)");
			c->kdr = (uint8_t)kdr;
		} else if (!has_eq && case_eq(name, "UNENCRYPTED_SRTP")) {
			bit = 2;
			c->flags |= VOX_SDP_UNENCRYPTED_SRTP;
		} else if (!has_eq && case_eq(name, "UNENCRYPTED_SRTCP")) {
			bit = 4;
			c->flags |= VOX_SDP_UNENCRYPTED_SRTCP;
		} else if (!has_eq && case_eq(name, "UNAUTHENTICATED_SRTP")) {
			bit = 8;
			c->flags |= VOX_SDP_UNAUTHENTICATED_SRTP;
		} else if (has_eq && case_eq(name, "FEC_ORDER")) {
			bit = 16;
			if (case_eq(val, "FEC_SRTP"))
				c->fec_order = 1;
			else if (case_eq(val, "SRTP_FEC"))
				c->fec_order = 2;
			else
				return fail(&x, val.p, VOX_EMALFORMED,
				            "expected FEC_ORDER=FEC_SRTP or SRTP_FEC");
		} else if (has_eq && case_eq(name, "FEC_KEY")) {
			bit = 32;
			if (val.len == 0)
				return fail(&x, val.p, VOX_EMALFORMED,
				            "expected FEC_KEY=key-params");
			const char *ignored = NULL;
			rc = parse_key_params(&x, val, c->suite, NULL, NULL, &ignored);
			if (rc < 0)
				return rc;
			c->fec_key = val;
		} else if (has_eq && case_eq(name, "WSH")) {
			/* wsh = "WSH=" 2*DIGIT, minimum 64 */
			uint64_t w = 0;
			bit = 64;
			rc = vox_slice_u64(val, UINT32_MAX, &w);
			if (rc == VOX_ERANGE)
				return fail(&x, val.p, rc, "WSH above 2^32-1");
			if (rc < 0 || val.len < 2)
				return fail(&x, val.p, VOX_EMALFORMED, "expected WSH=<decimal>");
			if (w < 64)
				return fail(&x, val.p, VOX_ERANGE, "WSH below 64 (RFC 4568 6.3.7)");
			c->wsh = (uint32_t)w;
		} else if (sp.p[0] == '-') {
			/* RFC 4568 6.3: a '-' prefix marks an optional
			 * extension the receiver may ignore. */
		} else if (!unusable) {
			unusable = "unknown mandatory session parameter (RFC 4568 6.3)";
		}
		if (bit & seen)
			return fail(&x, p, VOX_EMALFORMED, "session parameter given twice");
		seen |= bit;
		p = q;
	}
	if (params)
		c->params = vox_slice_make(params, (size_t)(end - params));
	c->unusable = unusable ? unusable : check_usable(c);
	return 0;
}

int vox_sdp_crypto_parse(struct vox_slice value, struct vox_sdp_crypto *out, struct vox_diag *diag)
{
	if (!out || (!value.p && value.len))
		return VOX_EINVAL;
	return vox_sdp_crypto_parse_at(value.p, value, out, diag);
}

int vox_sdp_key_decode(const struct vox_sdp_crypto *c, unsigned i, struct vox_srtp_key *key)
{
	if (!c || !key || i >= c->n_keys)
		return VOX_EINVAL;
	const struct vox_srtp_suite_info *info = vox_srtp_suite_info(c->suite);
	const struct vox_sdp_key_param *k = &c->keys[i];
	if (!info || !vox_slice_case_eq_cstr(k->method, "inline") || k->mki_len > VOX_SRTP_MAX_MKI)
		return VOX_EINVAL;
	uint8_t raw[KEY_SALT_MAX];
	int n = key_salt_decode(k->key_salt, raw);
	if (n < 0 || (size_t)n != (size_t)info->key_len + info->salt_len) {
		vox_wipe(raw, sizeof raw);
		return VOX_EMALFORMED;
	}
	memset(key, 0, sizeof *key);
	key->suite = c->suite;
	memcpy(key->key, raw, info->key_len);
	memcpy(key->salt, raw + info->key_len, info->salt_len);
	vox_wipe(raw, sizeof raw);
	key->lifetime = k->lifetime;
	key->mki_len = k->mki_len;
	if (k->mki_len && mki_value(k->mki, k->mki_len, key->mki) < 0) {
		vox_wipe(key, sizeof *key);
		return VOX_EMALFORMED;
	}
	return 0;
}
