/* SPDX-License-Identifier: MIT */
/* Session description parser (RFC 8866) with typed attributes. */
#include <stddef.h>
#include <string.h>

#include "sdp/sdp_int.h"

struct pctx {
	const char *base;
	struct vox_diag *diag;
	struct vox_sdp *sdp;
	uint32_t line;
	/* per level: attributes that may appear once */
	unsigned once; /* bits of ONCE_* at the current level */
};

enum { ONCE_DIR = 1, ONCE_PTIME = 2, ONCE_MAXPTIME = 4, ONCE_SETUP = 8 };

static int fail(const struct pctx *x, const char *at, int err, const char *what)
{
	return vox_fail(x->diag, x->base, at, err, what);
}

/* The word at *p, up to the next space or end (empty for two spaces);
 * *p moves past that space, and *more says whether one was there. */
static struct vox_slice next_word(const char **p, const char *end, int *more)
{
	const char *w = *p, *q = w;
	while (q < end && *q != ' ')
		q++;
	*more = q < end;
	*p = *more ? q + 1 : q;
	return vox_slice_make(w, (size_t)(q - w));
}

/* Splits s at single spaces into f[0..max). Returns the count, or max + 1
 * when more fields follow (the caller names that error). An empty field
 * (two spaces, or a space at either end) is malformed. */
static int split(const struct pctx *x, struct vox_slice s, struct vox_slice *f, size_t max,
                 const char *what)
{
	size_t n = 0;
	const char *p = s.p, *end = s.p + s.len;
	for (int more = 1; more;) {
		struct vox_slice w = next_word(&p, end, &more);
		if (!w.len)
			return fail(x, w.p, VOX_EMALFORMED, what);
		if (n == max)
			return (int)max + 1;
		f[n++] = w;
	}
	return (int)n;
}

/* split() for a field of exactly n words: 0, or the error reported. */
static int split_exact(const struct pctx *x, struct vox_slice s, struct vox_slice *f, size_t n,
                       const char *what)
{
	int got = split(x, s, f, n, what);
	if (got < 0)
		return got;
	if ((size_t)got != n)
		return fail(x, (size_t)got > n ? s.p + s.len : s.p, VOX_EMALFORMED, what);
	return 0;
}

static int num(const struct pctx *x, struct vox_slice s, uint64_t max, uint64_t *out,
               const char *what)
{
	int rc = vox_slice_u64(s, max, out);
	if (rc < 0)
		return fail(x, s.p, rc, what);
	return 0;
}

static int check_chars(const struct pctx *x, struct vox_slice s, int (*ok)(unsigned char),
                       const char *what)
{
	if (s.len == 0)
		return fail(x, s.p, VOX_EMALFORMED, what);
	for (size_t i = 0; i < s.len; i++)
		if (!ok((unsigned char)s.p[i]))
			return fail(x, s.p + i, VOX_EMALFORMED, what);
	return 0;
}

/* An address after its nettype and addrtype (sdp/sdp_addr.c). */
static int check_addr(const struct pctx *x, struct vox_slice nettype, struct vox_slice addrtype,
                      struct vox_slice text, int conn, struct sdp_addr *a)
{
	return sdp_addr_parse(x->base, x->diag, nettype, addrtype, text, conn, a);
}

/* c= <nettype> <addrtype> <connection-address> (RFC 8866 5.7). */
static int parse_conn(const struct pctx *x, struct vox_slice v, struct vox_sdp_conn *c)
{
	struct vox_slice f[3];
	int rc = split_exact(x, v, f, 3, "expected c=<nettype> <addrtype> <address>");
	if (rc < 0)
		return rc;
	rc = check_chars(x, f[0], sdp_is_token, "expected nettype such as IN");
	if (rc == 0)
		rc = check_chars(x, f[1], sdp_is_token, "expected addrtype such as IP4");
	struct sdp_addr a;
	if (rc == 0)
		rc = check_addr(x, f[0], f[1], f[2], 1, &a);
	if (rc < 0)
		return rc;
	memset(c, 0, sizeof *c);
	c->present = 1;
	c->nettype = f[0];
	c->addrtype = f[1];
	c->full = f[2];
	c->addr = a.addr;
	c->multicast = a.multicast;
	c->ttl = a.ttl;
	c->num = a.num;
	return 0;
}

/* b=<bwtype>:<bandwidth> (RFC 8866 5.8). */
static int parse_bw(const struct pctx *x, struct vox_slice v, struct vox_sdp_bw *bw, uint8_t *n)
{
	if (*n >= VOX_SDP_MAX_FIELDS)
		return fail(x, v.p, VOX_ELIMIT, "more b= lines than VOX_SDP_MAX_FIELDS");
	const char *colon = memchr(v.p, ':', v.len);
	if (!colon)
		return fail(x, v.p + v.len, VOX_EMALFORMED, "expected b=<bwtype>:<bandwidth>");
	struct vox_slice t = vox_slice_make(v.p, (size_t)(colon - v.p));
	struct vox_slice b = vox_slice_make(colon + 1, (size_t)(v.p + v.len - colon - 1));
	int rc = check_chars(x, t, sdp_is_token, "expected bandwidth type such as AS");
	if (rc < 0)
		return rc;
	uint64_t val = 0;
	rc = num(x, b, UINT64_MAX, &val, "expected bandwidth in kbit/s");
	if (rc < 0)
		return rc;
	bw[*n].type = t;
	bw[*n].value = val;
	(*n)++;
	return 0;
}

/* typed-time = 1*DIGIT [fixed-len-time-unit] (RFC 8866 9), d h m or s. */
static int typed_time(const struct pctx *x, struct vox_slice s, int allow_neg, uint64_t *out)
{
	if (allow_neg && s.len && s.p[0] == '-')
		s = vox_slice_make(s.p + 1, s.len - 1);
	if (s.len) {
		char u = s.p[s.len - 1];
		if (u == 'd' || u == 'h' || u == 'm' || u == 's')
			s.len--;
	}
	return num(x, s, UINT64_MAX, out, "expected a time such as 7d, 3600 or 1h");
}

/* r=<repeat interval> <active duration> <offsets from start-time> */
static int parse_repeat(const struct pctx *x, struct vox_slice v)
{
	const char *p = v.p, *end = v.p + v.len;
	int k = 0;
	for (int more = 1; more; k++) {
		struct vox_slice t = next_word(&p, end, &more);
		uint64_t val = 0;
		int rc = typed_time(x, t, 0, &val);
		if (rc < 0)
			return rc;
		if (k == 0 && val == 0)
			return fail(x, t.p, VOX_EMALFORMED, "repeat interval must not be 0");
	}
	if (k < 3)
		return fail(x, end, VOX_EMALFORMED,
		            "expected r=<interval> <duration> <offset> [<offset>...]");
	return 0;
}

/* z=<adjustment time> <offset> [<adjustment time> <offset> ...] */
static int parse_zone(const struct pctx *x, struct vox_slice v)
{
	const char *p = v.p, *end = v.p + v.len;
	int k = 0;
	for (int more = 1; more; k++) {
		struct vox_slice t = next_word(&p, end, &more);
		int rc;
		if (k % 2 == 0) {
			uint64_t tv = 0;
			rc = num(x, t, UINT64_MAX, &tv, "expected adjustment time (NTP seconds)");
		} else {
			uint64_t off = 0;
			rc = typed_time(x, t, 1, &off);
		}
		if (rc < 0)
			return rc;
	}
	if (k % 2)
		return fail(x, end, VOX_EMALFORMED, "expected z=<time> <offset> pairs");
	return 0;
}

static int is_proto_char(unsigned char c)
{
	return sdp_is_token(c) || c == '/';
}

/* An RTP profile lists payload types 0..127 as formats (RFC 3551 6). */
static int is_rtp_proto(struct vox_slice proto)
{
	static const char *const rtp[] = {"RTP/AVP",   "RTP/SAVP",         "RTP/AVPF",
	                                  "RTP/SAVPF", "UDP/TLS/RTP/SAVP", "UDP/TLS/RTP/SAVPF"};
	for (size_t i = 0; i < sizeof rtp / sizeof rtp[0]; i++)
		if (vox_slice_case_eq_cstr(proto, rtp[i]))
			return 1;
	return 0;
}

/* m=<media> <port>[/<number of ports>] <proto> <fmt> ... (RFC 8866 5.14) */
static int parse_media(struct pctx *x, struct vox_slice v, struct vox_sdp_media *m)
{
	struct vox_slice f[3 + VOX_SDP_MAX_FMTS];
	int n = split(x, v, f, 3 + VOX_SDP_MAX_FMTS,
	              "expected m=<media> <port> <proto> <fmt> ... with single spaces");
	if (n < 0)
		return n;
	if (n > 3 + VOX_SDP_MAX_FMTS)
		return fail(x, f[2 + VOX_SDP_MAX_FMTS].p + f[2 + VOX_SDP_MAX_FMTS].len + 1,
		            VOX_ELIMIT, "more formats than VOX_SDP_MAX_FMTS");
	if (n < 4)
		return fail(x, v.p + v.len, VOX_EMALFORMED,
		            n < 3 ? "expected m=<media> <port> <proto> <fmt> ..."
		                  : "expected at least one format after the proto (RFC 8866 5.14)");
	int rc = check_chars(x, f[0], sdp_is_token, "expected media type such as audio");
	if (rc < 0)
		return rc;
	struct vox_slice port = f[1], count = {NULL, 0};
	const char *sl = memchr(port.p, '/', port.len);
	if (sl) {
		count = vox_slice_make(sl + 1, (size_t)(port.p + port.len - sl - 1));
		port.len = (size_t)(sl - port.p);
	}
	uint64_t pv = 0, cv = 0;
	rc = num(x, port, 65535, &pv, "expected port 0..65535");
	if (rc < 0)
		return rc;
	if (sl) {
		rc = num(x, count, 65535, &cv, "expected number of ports 1..65535");
		if (rc < 0)
			return rc;
		if (cv == 0)
			return fail(x, count.p, VOX_ERANGE, "number of ports must be at least 1");
	}
	rc = check_chars(x, f[2], is_proto_char, "expected transport protocol such as RTP/AVP");
	if (rc < 0)
		return rc;
	m->media = f[0];
	m->port = (uint16_t)pv;
	m->nports = (uint16_t)cv;
	m->proto = f[2];
	int rtp = is_rtp_proto(f[2]);
	for (int i = 3; i < n; i++) {
		rc = check_chars(x, f[i], sdp_is_token, "expected format token");
		if (rc < 0)
			return rc;
		if (rtp) {
			uint64_t pt = 0;
			rc = num(x, f[i], 127, &pt, "expected RTP payload type 0..127");
			if (rc < 0)
				return rc;
		}
		m->fmts[i - 3] = f[i];
	}
	m->n_fmts = (uint8_t)(n - 3);
	return 0;
}

/* ---- attributes ----------------------------------------------------------- */

/* ptime value: non-zero integer or decimal fraction of milliseconds
 * (RFC 8866 6.4), kept in microseconds. */
static int parse_ms(const struct pctx *x, struct vox_slice v, uint32_t *us)
{
	const char *dot = memchr(v.p, '.', v.len);
	struct vox_slice ip = v, fp = {NULL, 0};
	if (dot) {
		ip.len = (size_t)(dot - v.p);
		fp = vox_slice_make(dot + 1, (size_t)(v.p + v.len - dot - 1));
	}
	uint64_t ms = 0, frac = 0;
	int rc = num(x, ip, UINT32_MAX / 1000, &ms, "expected milliseconds");
	if (rc < 0)
		return rc;
	if (dot) {
		if (fp.len > 3)
			return fail(x, fp.p, VOX_ERANGE, "more than 3 decimals of milliseconds");
		rc = num(x, fp, 999, &frac, "expected decimals of milliseconds");
		if (rc < 0)
			return rc;
		for (size_t i = fp.len; i < 3; i++)
			frac *= 10;
	}
	uint64_t t = ms * 1000 + frac;
	if (t == 0 || t > UINT32_MAX)
		return fail(x, v.p, VOX_ERANGE, "packet time must be above 0");
	*us = (uint32_t)t;
	return 0;
}

static int parse_rtpmap(const struct pctx *x, struct vox_slice v, struct vox_sdp_rtpmap *r)
{
	/* <payload type> <encoding name>/<clock rate>[/<encoding parameters>] */
	const char *sp = memchr(v.p, ' ', v.len);
	if (!sp)
		return fail(x, v.p + v.len, VOX_EMALFORMED,
		            "expected rtpmap:<pt> <encoding>/<clock rate>");
	uint64_t pt = 0, clock = 0;
	int rc = num(x, vox_slice_make(v.p, (size_t)(sp - v.p)), 127, &pt,
	             "expected RTP payload type 0..127");
	if (rc < 0)
		return rc;
	const char *end = v.p + v.len;
	const char *e = sp + 1;
	const char *s1 = memchr(e, '/', (size_t)(end - e));
	if (!s1)
		return fail(x, end, VOX_EMALFORMED,
		            "expected /<clock rate> after the encoding name");
	struct vox_slice enc = vox_slice_make(e, (size_t)(s1 - e));
	rc = check_chars(x, enc, sdp_is_token, "expected encoding name");
	if (rc < 0)
		return rc;
	const char *c = s1 + 1;
	const char *s2 = memchr(c, '/', (size_t)(end - c));
	struct vox_slice cr = vox_slice_make(c, (size_t)((s2 ? s2 : end) - c));
	rc = num(x, cr, UINT32_MAX, &clock, "expected clock rate in Hz");
	if (rc < 0)
		return rc;
	if (clock == 0)
		return fail(x, cr.p, VOX_ERANGE, "clock rate must be above 0");
	r->pt = (uint8_t)pt;
	r->encoding = enc;
	r->clock = (uint32_t)clock;
	r->params = vox_slice_make(NULL, 0);
	if (s2) {
		r->params = vox_slice_make(s2 + 1, (size_t)(end - s2 - 1));
		rc = check_chars(x, r->params, sdp_is_token, "expected encoding parameters");
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int is_hex(unsigned char c)
{
	return vox_hexval(c) >= 0;
}

static int is_version_char(unsigned char c)
{
	return vox_is_digit(c) || c == '.';
}

static int parse_typed(struct pctx *x, struct vox_sdp_attr *a, int media)
{
	struct vox_sdp *sdp = x->sdp;
	struct vox_slice v = a->value;
	const char *name_at = a->name.p;
	int rc;
	static const struct {
		const char *name;
		enum vox_sdp_attr_kind kind;
		int media_only;
		int value; /* 1: needs a value, 0: takes none */
	} known[] = {
	    {"rtpmap", VOX_SDP_ATTR_RTPMAP, 1, 1},
	    {"fmtp", VOX_SDP_ATTR_FMTP, 1, 1},
	    {"ptime", VOX_SDP_ATTR_PTIME, 1, 1},
	    {"maxptime", VOX_SDP_ATTR_MAXPTIME, 1, 1},
	    {"sendrecv", VOX_SDP_ATTR_DIRECTION, 0, 0},
	    {"sendonly", VOX_SDP_ATTR_DIRECTION, 0, 0},
	    {"recvonly", VOX_SDP_ATTR_DIRECTION, 0, 0},
	    {"inactive", VOX_SDP_ATTR_DIRECTION, 0, 0},
	    {"rtcp", VOX_SDP_ATTR_RTCP, 1, 1},
	    {"rtcp-mux", VOX_SDP_ATTR_RTCP_MUX, 1, 0},
	    {"crypto", VOX_SDP_ATTR_CRYPTO, 1, 1},
	    {"zrtp-hash", VOX_SDP_ATTR_ZRTP_HASH, 0, 1},
	    {"fingerprint", VOX_SDP_ATTR_FINGERPRINT, 0, 1},
	    {"setup", VOX_SDP_ATTR_SETUP, 0, 1},
	};
	size_t k = 0;
	for (; k < sizeof known / sizeof known[0]; k++)
		if (a->name.p[0] == known[k].name[0] &&
		    vox_slice_eq(a->name, vox_slice_cstr(known[k].name)))
			break;
	if (k == sizeof known / sizeof known[0])
		return 0; /* RFC 8866 5.13: unknown attributes are kept, not interpreted */
	a->kind = known[k].kind;
	if (known[k].media_only && media < 0)
		return fail(x, name_at, VOX_EMALFORMED,
		            "this attribute belongs in an m= section, not at session level");
	if (known[k].value && (!a->has_value || v.len == 0))
		return fail(x, name_at + a->name.len, VOX_EMALFORMED,
		            "expected ':' and a value after the attribute name");
	if (!known[k].value && a->has_value)
		return fail(x, name_at + a->name.len, VOX_EMALFORMED,
		            "this attribute takes no value");
	struct vox_sdp_media *m = media >= 0 ? &sdp->media[media] : NULL;

	switch (a->kind) {
	case VOX_SDP_ATTR_RTPMAP:
		rc = parse_rtpmap(x, v, &a->u.rtpmap);
		if (rc < 0)
			return rc;
		for (unsigned i = m->attr_first; i + 1 < sdp->n_attrs; i++)
			if (sdp->attrs[i].kind == VOX_SDP_ATTR_RTPMAP &&
			    sdp->attrs[i].u.rtpmap.pt == a->u.rtpmap.pt)
				return fail(x, v.p, VOX_EMALFORMED,
				            "second a=rtpmap for one payload type");
		return 0;
	case VOX_SDP_ATTR_FMTP: {
		const char *sp = memchr(v.p, ' ', v.len);
		if (!sp || sp + 1 == v.p + v.len)
			return fail(x, sp ? sp + 1 : v.p + v.len, VOX_EMALFORMED,
			            "expected fmtp:<format> <parameters>");
		a->u.fmtp.fmt = vox_slice_make(v.p, (size_t)(sp - v.p));
		a->u.fmtp.params = vox_slice_make(sp + 1, (size_t)(v.p + v.len - sp - 1));
		return check_chars(x, a->u.fmtp.fmt, sdp_is_token, "expected format token");
	}
	case VOX_SDP_ATTR_PTIME:
	case VOX_SDP_ATTR_MAXPTIME: {
		unsigned bit = a->kind == VOX_SDP_ATTR_PTIME ? ONCE_PTIME : ONCE_MAXPTIME;
		if (x->once & bit)
			return fail(x, name_at, VOX_EMALFORMED,
			            "attribute given twice in one section");
		x->once |= bit;
		rc = parse_ms(x, v, &a->u.ptime_us);
		if (rc < 0)
			return rc;
		if (a->kind == VOX_SDP_ATTR_PTIME)
			m->ptime_us = a->u.ptime_us;
		return 0;
	}
	case VOX_SDP_ATTR_DIRECTION: {
		static const char *const names[] = {"inactive", "sendonly", "recvonly", "sendrecv"};
		for (unsigned d = 0; d < 4; d++)
			if (vox_slice_eq(a->name, vox_slice_cstr(names[d])))
				a->u.dir = (enum vox_sdp_dir)d;
		if (x->once & ONCE_DIR)
			return fail(x, name_at, VOX_EMALFORMED,
			            "second direction attribute in one section (RFC 3264 5.1)");
		x->once |= ONCE_DIR;
		if (m)
			m->dir = a->u.dir;
		else
			sdp->dir = a->u.dir;
		return 0;
	}
	case VOX_SDP_ATTR_RTCP: {
		/* RFC 3605 2.1: rtcp:<port> [<nettype> <addrtype> <address>] */
		struct vox_slice f[4];
		int n = split(x, v, f, 4, "expected rtcp:<port> [IN IP4 <address>]");
		if (n < 0)
			return n;
		if (n != 1 && n != 4)
			return fail(x, v.p + v.len, VOX_EMALFORMED,
			            "expected rtcp:<port> [IN IP4 <address>]");
		uint64_t port = 0;
		rc = num(x, f[0], 65535, &port, "expected RTCP port 0..65535");
		if (rc < 0)
			return rc;
		memset(&a->u.rtcp, 0, sizeof a->u.rtcp);
		a->u.rtcp.port = (uint16_t)port;
		if (n == 4) {
			/* a connection-address, multicast suffixes and all */
			struct sdp_addr ad;
			rc = check_chars(x, f[1], sdp_is_token, "expected nettype such as IN");
			if (rc == 0)
				rc = check_chars(x, f[2], sdp_is_token, "expected addrtype");
			if (rc == 0)
				rc = check_addr(x, f[1], f[2], f[3], 1, &ad);
			if (rc < 0)
				return rc;
			a->u.rtcp.nettype = f[1];
			a->u.rtcp.addrtype = f[2];
			a->u.rtcp.addr = ad.addr;
			a->u.rtcp.multicast = ad.multicast;
			a->u.rtcp.ttl = ad.ttl;
			a->u.rtcp.num = ad.num;
		}
		return 0;
	}
	case VOX_SDP_ATTR_RTCP_MUX: m->rtcp_mux = 1; return 0;
	case VOX_SDP_ATTR_CRYPTO: {
		if (sdp->n_crypto >= VOX_SDP_MAX_CRYPTO)
			return fail(x, name_at, VOX_ELIMIT,
			            "more a=crypto lines than VOX_SDP_MAX_CRYPTO");
		struct vox_sdp_crypto *c = &sdp->crypto[sdp->n_crypto];
		rc = vox_sdp_crypto_parse_at(x->base, v, c, x->diag);
		if (rc < 0)
			return rc;
		c->media = (int16_t)media;
		/* RFC 4568 9.1: the tag is unique within its media section. */
		for (unsigned i = m->crypto_first; i < sdp->n_crypto; i++)
			if (sdp->crypto[i].tag == c->tag)
				return fail(
				    x, v.p, VOX_EMALFORMED,
				    "duplicate a=crypto tag in one m= section (RFC 4568 9.1)");
		a->u.crypto = sdp->n_crypto++;
		m->n_crypto++;
		return 0;
	}
	case VOX_SDP_ATTR_ZRTP_HASH: {
		/* RFC 6189 8.1: zrtp-hash:<zrtp-version> <64 hex digits> */
		struct vox_slice f[2];
		rc = split_exact(x, v, f, 2, "expected zrtp-hash:<version> <hash>");
		if (rc < 0)
			return rc;
		rc = check_chars(x, f[0], is_version_char, "expected ZRTP version such as 1.10");
		if (rc == 0)
			rc = check_chars(x, f[1], is_hex, "expected 64 hex digits of SHA-256");
		if (rc < 0)
			return rc;
		if (f[1].len != 64)
			return fail(x, f[1].p, VOX_EMALFORMED,
			            "expected 64 hex digits of SHA-256 (RFC 6189 8.1)");
		a->u.zrtp_hash.version = f[0];
		a->u.zrtp_hash.hash = f[1];
		return 0;
	}
	case VOX_SDP_ATTR_FINGERPRINT: {
		/* RFC 8122 5: fingerprint:<hash-func> 2HEX *(":" 2HEX) */
		struct vox_slice f[2];
		rc = split_exact(x, v, f, 2, "expected fingerprint:<hash-func> <hex pairs>");
		if (rc < 0)
			return rc;
		rc = check_chars(x, f[0], sdp_is_token, "expected hash function such as sha-256");
		if (rc < 0)
			return rc;
		for (size_t i = 0; i < f[1].len; i++) {
			int want_colon = i % 3 == 2;
			unsigned char c = (unsigned char)f[1].p[i];
			if (want_colon ? c != ':' : !is_hex(c))
				return fail(x, f[1].p + i, VOX_EMALFORMED,
				            "expected hex pairs separated by ':'");
		}
		if (f[1].len % 3 != 2)
			return fail(x, f[1].p + f[1].len, VOX_EMALFORMED,
			            "expected hex pairs separated by ':'");
		a->u.fingerprint.hash_func = f[0];
		a->u.fingerprint.value = f[1];
		return 0;
	}
	case VOX_SDP_ATTR_SETUP: {
		static const char *const roles[] = {"active", "passive", "actpass", "holdconn"};
		if (x->once & ONCE_SETUP)
			return fail(x, name_at, VOX_EMALFORMED,
			            "attribute given twice in one section");
		x->once |= ONCE_SETUP;
		for (unsigned r = 0; r < 4; r++)
			if (vox_slice_eq(v, vox_slice_cstr(roles[r]))) {
				a->u.setup = (enum vox_sdp_setup)r;
				return 0;
			}
		return fail(x, v.p, VOX_EMALFORMED,
		            "expected setup:active, passive, actpass or holdconn (RFC 4145 4)");
	}
	case VOX_SDP_ATTR_OTHER: break;
	}
	return 0;
}

/* a=<attribute>[:<value>] (RFC 8866 5.13) */
static int parse_attr(struct pctx *x, struct vox_slice v, int media)
{
	struct vox_sdp *sdp = x->sdp;
	const char *end = v.p + v.len;
	const char *p = v.p;
	while (p < end && *p != ':')
		p++;
	struct vox_slice name = vox_slice_make(v.p, (size_t)(p - v.p));
	int rc = check_chars(x, name, sdp_is_token, "expected attribute name");
	if (rc < 0)
		return rc;
	if (sdp->n_attrs >= VOX_SDP_MAX_ATTRS)
		return fail(x, v.p, VOX_ELIMIT, "more a= lines than VOX_SDP_MAX_ATTRS");
	struct vox_sdp_attr *a = &sdp->attrs[sdp->n_attrs++];
	memset(a, 0, sizeof *a);
	a->kind = VOX_SDP_ATTR_OTHER;
	a->media = (int16_t)media;
	a->line = x->line;
	a->name = name;
	if (p < end) {
		a->has_value = 1;
		a->value = vox_slice_make(p + 1, (size_t)(end - p - 1));
	}
	if (media >= 0)
		sdp->media[media].n_attrs++;
	return parse_typed(x, a, media);
}

/* ---- lines and their order ------------------------------------------------ */

/* RFC 8866 5: the session-level lines in their fixed order. t and r share
 * a rank: each t= may be followed by r= lines, then another t=. */
static int session_rank(char t)
{
	switch (t) {
	case 'v': return 0;
	case 'o': return 1;
	case 's': return 2;
	case 'i': return 3;
	case 'u': return 4;
	case 'e': return 5;
	case 'p': return 6;
	case 'c': return 7;
	case 'b': return 8;
	case 't':
	case 'r': return 9;
	case 'z': return 10;
	case 'k': return 11;
	case 'a': return 12;
	}
	return -1;
}

static int media_rank(char t)
{
	switch (t) {
	case 'm': return 0;
	case 'i': return 1;
	case 'c': return 2;
	case 'b': return 3;
	case 'k': return 4;
	case 'a': return 5;
	}
	return -1;
}

static int repeatable(char t)
{
	return t == 'e' || t == 'p' || t == 'b' || t == 't' || t == 'r' || t == 'a';
}

static int check_text(const struct pctx *x, struct vox_slice v, const char *what)
{
	if (v.len == 0)
		return fail(x, v.p, VOX_EMALFORMED, what);
	return 0;
}

static int session_line(struct pctx *x, char t, struct vox_slice v)
{
	struct vox_sdp *sdp = x->sdp;
	int rc = 0;
	switch (t) {
	case 'v':
		if (v.len == 1 && v.p[0] == '0')
			return 0;
		if (v.len && vox_is_digit((unsigned char)v.p[0]))
			return fail(x, v.p, VOX_EVERSION, "v= must be 0 (RFC 8866 5.1)");
		return fail(x, v.p, VOX_EMALFORMED, "expected v=0");
	case 'o': {
		/* o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address> */
		struct vox_slice f[6];
		const char *what =
		    "expected o=<username> <sess-id> <sess-version> IN IP4 <address>";
		rc = split_exact(x, v, f, 6, what);
		if (rc < 0)
			return rc;
		rc = check_chars(x, f[0], sdp_is_nonws, "expected username");
		if (rc == 0)
			rc = num(x, f[1], UINT64_MAX, &sdp->sess_id, "expected numeric sess-id");
		if (rc == 0)
			rc = num(x, f[2], UINT64_MAX, &sdp->sess_version,
			         "expected numeric sess-version");
		if (rc == 0)
			rc = check_chars(x, f[3], sdp_is_token, "expected nettype such as IN");
		if (rc == 0)
			rc = check_chars(x, f[4], sdp_is_token, "expected addrtype such as IP4");
		struct sdp_addr ad;
		if (rc == 0)
			rc = check_addr(x, f[3], f[4], f[5], 0, &ad);
		sdp->username = f[0];
		sdp->o_nettype = f[3];
		sdp->o_addrtype = f[4];
		sdp->o_addr = f[5];
		return rc;
	}
	case 's': sdp->name = v; return 0;
	case 'i':
		sdp->info = v;
		sdp->has_info = 1;
		return 0;
	case 'u':
		sdp->uri = v;
		sdp->has_uri = 1;
		return check_text(x, v, "expected a URI");
	case 'e':
	case 'p': {
		uint8_t *n = t == 'e' ? &sdp->n_email : &sdp->n_phone;
		if (*n >= VOX_SDP_MAX_FIELDS)
			return fail(x, v.p, VOX_ELIMIT,
			            "more e= or p= lines than VOX_SDP_MAX_FIELDS");
		(t == 'e' ? sdp->email : sdp->phone)[(*n)++] = v;
		return check_text(x, v, "expected an address");
	}
	case 'c': return parse_conn(x, v, &sdp->conn);
	case 'b': return parse_bw(x, v, sdp->bw, &sdp->n_bw);
	case 't': {
		struct vox_slice f[2];
		rc = split_exact(x, v, f, 2, "expected t=<start> <stop>");
		if (rc < 0)
			return rc;
		if (sdp->n_times >= VOX_SDP_MAX_FIELDS)
			return fail(x, v.p, VOX_ELIMIT, "more t= lines than VOX_SDP_MAX_FIELDS");
		struct vox_sdp_time *tm = &sdp->times[sdp->n_times];
		memset(tm, 0, sizeof *tm);
		rc = num(x, f[0], UINT64_MAX, &tm->start, "expected start time (NTP seconds)");
		if (rc == 0)
			rc =
			    num(x, f[1], UINT64_MAX, &tm->stop, "expected stop time (NTP seconds)");
		if (rc == 0)
			sdp->n_times++;
		return rc;
	}
	case 'r': {
		struct vox_sdp_time *tm = &sdp->times[sdp->n_times - 1];
		if (tm->n_repeat >= VOX_SDP_MAX_FIELDS)
			return fail(x, v.p, VOX_ELIMIT, "more r= lines than VOX_SDP_MAX_FIELDS");
		rc = parse_repeat(x, v);
		if (rc == 0)
			tm->repeat[tm->n_repeat++] = v;
		return rc;
	}
	case 'z': sdp->zone = v; return parse_zone(x, v);
	case 'k':
		sdp->key = v;
		sdp->has_key = 1;
		return check_text(x, v, "expected k=<method>[:<key>]");
	case 'a': return parse_attr(x, v, -1);
	}
	return fail(x, v.p - 2, VOX_EMALFORMED, "unexpected line");
}

static int media_line(struct pctx *x, char t, struct vox_slice v)
{
	struct vox_sdp *sdp = x->sdp;
	int mi = sdp->n_media - 1;
	struct vox_sdp_media *m = &sdp->media[mi];
	switch (t) {
	case 'i': m->info = v; return 0;
	case 'c':
		if (m->conn.present)
			return fail(x, v.p - 2, VOX_ELIMIT,
			            "vox keeps one c= line per m= section (layered multicast is "
			            "not supported)");
		return parse_conn(x, v, &m->conn);
	case 'b': return parse_bw(x, v, m->bw, &m->n_bw);
	case 'k':
		m->key = v;
		m->has_key = 1;
		return check_text(x, v, "expected k=<method>[:<key>]");
	case 'a': return parse_attr(x, v, mi);
	}
	return fail(x, v.p - 2, VOX_EMALFORMED, "unexpected line");
}

static const char *order_error(int media, char t, int last_rank)
{
	if (!media && t == 'r' && last_rank < 9)
		return "r= must follow a t= line (RFC 8866 5.10)";
	return media ? "line out of order in an m= section (RFC 8866 5: m i c b k a)"
	             : "line out of order (RFC 8866 5: v o s i u e p c b t r z k a, then m)";
}

static int parse_lines(struct pctx *x, const char *buf, size_t len)
{
	struct vox_sdp *sdp = x->sdp;
	const char *cur = buf, *end = buf + len;
	int rank = -1; /* last rank at the current level */
	char prev = 0; /* type of the previous line */
	int media = 0; /* inside an m= section */
	int seen_t = 0;
	while (cur < end) {
		/* One pass finds the end of the line and refuses NUL and a CR that
		 * does not end it (RFC 8866 5: text excludes NUL, CR and LF). */
		const char *eol = cur;
		while (eol < end && ((unsigned char)*eol > '\r' ||
		                     (*eol != '\n' && *eol != '\r' && *eol != '\0')))
			eol++;
		const char *next = end;
		if (eol < end) {
			size_t rest = (size_t)(end - eol);
			if (*eol == '\n')
				next = eol + 1;
			else if (*eol == '\r' && rest >= 2 && eol[1] == '\n')
				next = eol + 2;
			else if (*eol == '\r' && rest == 1)
				next = end; /* a final CR without its LF */
			else
				return fail(x, eol, VOX_EMALFORMED,
				            "NUL or CR inside a line (RFC 8866 5)");
		}
		x->line++;
		if (eol == cur) {
			/* Empty lines: tolerated only at the very end. */
			for (const char *p = cur; p < end; p++)
				if (*p != '\r' && *p != '\n')
					return fail(x, cur, VOX_EMALFORMED,
					            "empty line inside the description");
			break;
		}
		if (eol - cur < 2 || cur[1] != '=')
			return fail(x, eol - cur < 2 ? eol : cur + 1, VOX_EMALFORMED,
			            "expected <type>=<value> with no space around '='");
		char t = cur[0];
		struct vox_slice v = vox_slice_make(cur + 2, (size_t)(eol - cur - 2));
		if (!(t >= 'a' && t <= 'z'))
			return fail(x, cur, VOX_EMALFORMED,
			            "expected a lower-case line type letter");
		if (session_rank(t) < 0 && t != 'm')
			return fail(x, cur, VOX_EUNSUPPORTED,
			            "unknown line type (RFC 8866 5: the description is ignored)");
		/* v=, o=, s= open every description, in this order. */
		if (x->line == 1 && t != 'v')
			return fail(x, cur, VOX_EMALFORMED, "expected v=0 as the first line");
		if (x->line == 2 && t != 'o')
			return fail(x, cur, VOX_EMALFORMED, "expected o= after v=");
		if (x->line == 3 && t != 's')
			return fail(x, cur, VOX_EMALFORMED, "expected s= after o=");
		int rc;
		if (t == 'm') {
			if (!seen_t)
				return fail(x, cur, VOX_EMALFORMED,
				            "expected t= before the first m=");
			if (sdp->n_media >= VOX_SDP_MAX_MEDIA)
				return fail(x, cur, VOX_ELIMIT,
				            "more m= lines than VOX_SDP_MAX_MEDIA");
			struct vox_sdp_media *m = &sdp->media[sdp->n_media++];
			memset(m, 0, sizeof *m);
			m->line = x->line;
			m->attr_first = sdp->n_attrs;
			m->crypto_first = sdp->n_crypto;
			m->dir = sdp->dir;
			media = 1;
			rank = 0;
			x->once = 0;
			rc = parse_media(x, v, m);
		} else if (media) {
			int r = media_rank(t);
			if (r < 0 || r < rank)
				return fail(x, cur, VOX_EMALFORMED, order_error(1, t, rank));
			if (r == rank && !repeatable(t))
				return fail(x, cur, t == 'c' ? VOX_ELIMIT : VOX_EMALFORMED,
				            t == 'c' ? "vox keeps one c= line per m= section"
				                     : "line type given twice in one m= section");
			rank = r;
			rc = media_line(x, t, v);
		} else {
			int r = session_rank(t);
			if (t == 'r' && prev != 't' && prev != 'r')
				return fail(x, cur, VOX_EMALFORMED, order_error(0, t, 0));
			if (r < rank)
				return fail(x, cur, VOX_EMALFORMED, order_error(0, t, rank));
			if (r == rank && !repeatable(t))
				return fail(x, cur, VOX_EMALFORMED,
				            "line type given twice (RFC 8866 5)");
			if (r > 9 && !seen_t)
				return fail(x, cur, VOX_EMALFORMED,
				            "expected t= line (RFC 8866 5.9)");
			rank = r;
			if (t == 't')
				seen_t = 1;
			rc = session_line(x, t, v);
		}
		if (rc < 0)
			return rc;
		prev = t;
		cur = next;
	}
	/* RFC 8866 5: v o s and at least one t are required. */
	if (x->line == 0 || rank < 0)
		return fail(x, end, VOX_EMALFORMED, "expected v=0 as the first line");
	if (!media && rank < 9) {
		static const char *const missing[] = {
		    "expected o= after v=", "expected s= after o=",
		    "expected t= line (RFC 8866 5.9)"};
		return fail(x, end, VOX_EMALFORMED, missing[rank < 2 ? rank : 2]);
	}
	/* RFC 8866 5.7: a c= at session level or in every m= section. */
	for (unsigned i = 0; i < sdp->n_media; i++)
		if (!sdp->conn.present && !sdp->media[i].conn.present)
			return fail(x, sdp->media[i].media.p - 2, VOX_EMALFORMED,
			            "missing c= line: none at session level nor in this m= section "
			            "(RFC 8866 5.7)");
	return (int)len;
}

int vox_sdp_parse(const char *buf, size_t len, struct vox_sdp *sdp, struct vox_sdp_diag *diag)
{
	if (!sdp || (!buf && len))
		return VOX_EINVAL;
	struct vox_diag d = {0, NULL};
	struct pctx x = {buf, &d, sdp, 0, 0};
	memset(sdp, 0, offsetof(struct vox_sdp, attrs));
	sdp->buf = buf;
	sdp->len = len;
	sdp->dir = VOX_SDP_SENDRECV;
	int rc;
	if (len > VOX_SDP_MAX_SIZE || len > INT32_MAX)
		rc = vox_fail(&d, buf, buf, VOX_ETOOLONG,
		              "description longer than VOX_SDP_MAX_SIZE");
	else
		rc = parse_lines(&x, buf, len);
	if (diag && rc >= 0) {
		diag->at.off = len;
		diag->at.what = NULL;
		diag->line = x.line;
		diag->col = 0;
	} else if (diag) {
		/* Only on failure: where, in the terms an editor shows. */
		size_t off = d.off;
		diag->at = d;
		uint32_t line = 1;
		size_t bol = 0;
		for (size_t i = 0; i < off && i < len; i++)
			if (buf[i] == '\n') {
				line++;
				bol = i + 1;
			}
		diag->line = line;
		diag->col = (uint32_t)(off - bol + 1);
	}
	return rc;
}

const struct vox_sdp_attr *vox_sdp_attr_find(const struct vox_sdp *sdp, int media, const char *name)
{
	if (!sdp || !name || media >= (int)sdp->n_media)
		return NULL;
	unsigned first = 0, n = sdp->n_attrs;
	if (media >= 0) {
		first = sdp->media[media].attr_first;
		n = sdp->media[media].n_attrs;
	}
	for (unsigned i = first; i < first + n; i++)
		if (sdp->attrs[i].media == media &&
		    vox_slice_eq(sdp->attrs[i].name, vox_slice_cstr(name)))
			return &sdp->attrs[i];
	return NULL;
}

const struct vox_sdp_rtpmap *vox_sdp_rtpmap_find(const struct vox_sdp *sdp, int media, unsigned pt)
{
	if (!sdp || media < 0 || media >= (int)sdp->n_media)
		return NULL;
	const struct vox_sdp_media *m = &sdp->media[media];
	for (unsigned i = m->attr_first; i < (unsigned)m->attr_first + m->n_attrs; i++)
		if (sdp->attrs[i].kind == VOX_SDP_ATTR_RTPMAP && sdp->attrs[i].u.rtpmap.pt == pt)
			return &sdp->attrs[i].u.rtpmap;
	return NULL;
}

const char *vox_sdp_dir_name(enum vox_sdp_dir d)
{
	switch (d) {
	case VOX_SDP_INACTIVE: return "inactive";
	case VOX_SDP_SENDONLY: return "sendonly";
	case VOX_SDP_RECVONLY: return "recvonly";
	case VOX_SDP_SENDRECV: return "sendrecv";
	}
	return "?";
}
