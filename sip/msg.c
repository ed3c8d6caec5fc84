/* SPDX-License-Identifier: MIT */
/*
 * The SIP message parser and stream framer (RFC 3261 7, 18.3, 25).
 *
 * One pass over the input: the start line, then each header line with its
 * continuation lines, then the body framed by Content-Length. Lines are
 * found with a word-at-a-time scan for control bytes, so most of the input
 * is looked at eight bytes at a time.
 */
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "sip/sip_int.h"

/* ---- methods and header names ------------------------------------------- */

static const char *const method_names[VOX_SIP_METHOD_COUNT] = {
    [VOX_SIP_METHOD_OTHER] = "",
    [VOX_SIP_INVITE] = "INVITE",
    [VOX_SIP_ACK] = "ACK",
    [VOX_SIP_BYE] = "BYE",
    [VOX_SIP_CANCEL] = "CANCEL",
    [VOX_SIP_OPTIONS] = "OPTIONS",
    [VOX_SIP_REGISTER] = "REGISTER",
    [VOX_SIP_PRACK] = "PRACK",
    [VOX_SIP_SUBSCRIBE] = "SUBSCRIBE",
    [VOX_SIP_NOTIFY] = "NOTIFY",
    [VOX_SIP_PUBLISH] = "PUBLISH",
    [VOX_SIP_INFO] = "INFO",
    [VOX_SIP_REFER] = "REFER",
    [VOX_SIP_MESSAGE] = "MESSAGE",
    [VOX_SIP_UPDATE] = "UPDATE",
};

enum vox_sip_method vox_sip_method_id(struct vox_slice t)
{
	/* Methods are case-sensitive (RFC 3261 7.1). */
	if (t.len < 3 || t.len > 9)
		return VOX_SIP_METHOD_OTHER;
	for (int i = 1; i < VOX_SIP_METHOD_COUNT; i++) {
		const char *n = method_names[i];
		if (n[0] == t.p[0] && strlen(n) == t.len && memcmp(t.p, n, t.len) == 0)
			return (enum vox_sip_method)i;
	}
	return VOX_SIP_METHOD_OTHER;
}

const char *vox_sip_method_name(enum vox_sip_method m)
{
	if ((unsigned)m >= VOX_SIP_METHOD_COUNT)
		return "";
	return method_names[m];
}

static unsigned hname_hash(const char *n, size_t len)
{
	unsigned char a = (unsigned char)(n[0] | 0x20);
	unsigned char z = (unsigned char)(n[len - 1] | 0x20);
	unsigned char mid = (unsigned char)(n[len / 2] | 0x20);
	return (unsigned)(len * 7 + a * 31u + z * 3u + mid) & (SIP_HNAME_SLOTS - 1);
}

/* Up to eight bytes, zero-padded: both sides of a comparison load the same
 * way, so the byte order does not matter. */
static inline uint64_t load_upto8(const char *p, size_t n)
{
	uint64_t x = 0;
	memcpy(&x, p, n);
	return x;
}

/* The first n (< 8) bytes of a word loaded from memory. */
static inline uint64_t first_bytes(uint64_t x, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	return x & ~(~0ULL >> (8 * n));
#else
	return x & ((1ULL << (8 * n)) - 1);
#endif
}

/* Header name lookup for a name made of token characters only (the
 * parser's case), with `end` the end of the buffer it lies in. OR 0x20
 * folds an ASCII letter to lower case and leaves every other token
 * character as it is, so eight bytes compare at once against the
 * lower-case, zero-padded table name. */
static enum vox_sip_hdr hdr_id_token(const char *n, size_t len, const char *end)
{
	static const uint64_t fold = 0x2020202020202020ULL;
	if (len == 0 || len > sizeof sip_hname_slots[0].name)
		return VOX_SIP_H_OTHER;
	unsigned i = hname_hash(n, len);
	for (;;) {
		const struct sip_hname *s = &sip_hname_slots[i];
		if (!s->len)
			return VOX_SIP_H_OTHER;
		if (s->len == len) {
			size_t k = 0;
			for (; k < len; k += 8) {
				size_t c = len - k;
				uint64_t a, b;
				if ((size_t)(end - n) - k >= 8) {
					memcpy(&a, n + k, 8);
					if (c < 8)
						a = first_bytes(a, c);
				} else {
					a = load_upto8(n + k, c < 8 ? c : 8);
				}
				memcpy(&b, s->name + k, 8);
				if ((a | fold) != (b | fold))
					break;
			}
			if (k >= len)
				return (enum vox_sip_hdr)s->id;
		}
		i = (i + 1) & (SIP_HNAME_SLOTS - 1);
	}
}

enum vox_sip_hdr vox_sip_hdr_id(struct vox_slice name)
{
	/* Anything but a token is no header name vox knows. */
	if (sip_span(name.p, name.p + name.len, SIP_C_TOKEN) != name.p + name.len)
		return VOX_SIP_H_OTHER;
	return hdr_id_token(name.p, name.len, name.p + name.len);
}

const char *vox_sip_hdr_name(enum vox_sip_hdr id)
{
	if ((unsigned)id >= VOX_SIP_H_COUNT)
		return "";
	return sip_hinfo[id].name;
}

/* ---- line scanning ---------------------------------------------------- */

#define ONES 0x0101010101010101ULL
#define HIGH 0x8080808080808080ULL

/* Non-zero if any byte of x is below 0x20 or is 0x7f. */
static inline uint64_t has_ctl(uint64_t x)
{
	uint64_t del = x ^ (ONES * 0x7f);
	return ((x - ONES * 0x20) & ~x & HIGH) | ((del - ONES) & ~del & HIGH);
}

/* Index of the first flagged byte of a has_ctl() result: the lowest flag
 * is exact (false flags only appear above a true one). Without a way to
 * count trailing zeros, 0 is always safe: the byte loop finds it. */
static inline unsigned first_flag(uint64_t c)
{
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (unsigned)__builtin_ctzll(c) >> 3;
#else
	(void)c;
	return 0;
#endif
}

/*
 * Finds the end of the line that starts at line. On success *eol is the
 * first byte of the line end (CR or LF) and *next the first byte after it.
 * A control byte other than HT, CR, LF inside a line is accepted only as
 * the second half of a quoted-pair ("\" CTL, RFC 3261 25.1); *esc (if
 * still NULL) is then set to the first such byte, for the caller to check
 * that it really sits where a quoted-pair may (see stray_ctl).
 * Returns 0, VOX_EINCOMPLETE (no line end yet) or VOX_EMALFORMED.
 */
static inline int find_eol(const char *line, const char *end, const char **eol, const char **next,
                           const char **bad, const char **esc)
{
	const char *p = line;
	for (;;) {
#ifdef __SSE2__
		/* Sixteen bytes at a time: x <= 0x1f is min(x, 0x1f) == x. */
		const __m128i lim = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
		while ((size_t)(end - p) >= 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i hit = _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, lim), x),
			                           _mm_cmpeq_epi8(x, del));
			unsigned mask = (unsigned)_mm_movemask_epi8(hit);
			if (mask) {
				p += __builtin_ctz(mask);
				goto bytes; /* p is the control byte: no word step */
			}
			p += 16;
		}
#endif
		while ((size_t)(end - p) >= 8) {
			uint64_t x;
			memcpy(&x, p, 8);
			uint64_t c = has_ctl(x);
			if (c) {
				p += first_flag(c);
				break;
			}
			p += 8;
		}
#ifdef __SSE2__
	bytes:;
#endif
		const char *stop = (size_t)(end - p) >= 8 ? p + 8 : end;
		for (; p < stop; p++) {
			unsigned char c = (unsigned char)*p;
			if (c >= 0x20 && c != 0x7f)
				continue;
			if (c == '\n') {
				*eol = p;
				*next = p + 1;
				return 0;
			}
			if (c == '\r') {
				if ((size_t)(end - p) < 2)
					return VOX_EINCOMPLETE;
				if (p[1] != '\n') {
					*bad = p;
					return VOX_EMALFORMED;
				}
				*eol = p;
				*next = p + 2;
				return 0;
			}
			if (c == '\t')
				continue;
			if (!(p > line && p[-1] == '\\')) {
				*bad = p;
				return VOX_EMALFORMED;
			}
			if (!*esc)
				*esc = p;
		}
		if (p == end)
			return VOX_EINCOMPLETE;
	}
}

/* ---- start line --------------------------------------------------------- */

/* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT (case-insensitive "SIP"). */
static int is_version(const char *p, const char *end)
{
	if ((size_t)(end - p) < 7 || vox_lower(p[0]) != 's' || vox_lower(p[1]) != 'i' ||
	    vox_lower(p[2]) != 'p' || p[3] != '/')
		return 0;
	p += 4;
	const char *d = p;
	while (p < end && vox_is_digit((unsigned char)*p))
		p++;
	if (p == d || p == end || *p != '.')
		return 0;
	d = ++p;
	while (p < end && vox_is_digit((unsigned char)*p))
		p++;
	return p != d && p == end;
}

static int parse_start_line(struct vox_sip_msg *m, const char *p, const char *eol,
                            struct vox_diag *diag)
{
	const char *base = m->base;
	/* SIP-Version is case-insensitive (RFC 3261 7.1). */
	if ((size_t)(eol - p) >= 4 && sip_case_eq_lit(vox_slice_make(p, 4), "SIP/")) {
		/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase */
		const char *sp = memchr(p, ' ', (size_t)(eol - p));
		if (!sp || !is_version(p, sp))
			return vox_fail(diag, base, p, VOX_EMALFORMED, "expected SIP-Version");
		m->version = vox_slice_make(p, (size_t)(sp - p));
		const char *c = sp + 1;
		if ((size_t)(eol - c) < 3 || !vox_is_digit((unsigned char)c[0]) ||
		    !vox_is_digit((unsigned char)c[1]) || !vox_is_digit((unsigned char)c[2]))
			return vox_fail(diag, base, c, VOX_EMALFORMED,
			                "expected a three-digit Status-Code");
		if ((size_t)(eol - c) > 3 && c[3] != ' ')
			return vox_fail(diag, base, c + 3, VOX_ERANGE,
			                "Status-Code longer than three digits");
		unsigned code = (unsigned)((c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0'));
		if (code < 100 || code > 699)
			return vox_fail(diag, base, c, VOX_ERANGE, "Status-Code outside 100..699");
		m->status = code;
		/* RFC 3261 25.1: the reason phrase may be empty, but the SP before
		 * it is required; many stacks omit it, so accept its absence. */
		c += 3;
		if (c < eol)
			c++;
		m->reason = vox_slice_make(c, (size_t)(eol - c));
		m->method = m->uri = vox_slice_make(NULL, 0);
		m->method_id = VOX_SIP_METHOD_OTHER;
		return 0;
	}
	/* Request-Line = Method SP Request-URI SP SIP-Version: single spaces. */
	const char *q = sip_span(p, eol, SIP_C_TOKEN);
	if (q == p)
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected a method token");
	if ((size_t)(q - p) > VOX_SIP_MAX_TOKEN)
		return vox_fail(diag, base, p, VOX_ETOOLONG,
		                "method longer than VOX_SIP_MAX_TOKEN");
	if (q == eol || *q != ' ')
		return vox_fail(diag, base, q, VOX_EMALFORMED, "expected SP after the method");
	m->method = vox_slice_make(p, (size_t)(q - p));
	m->method_id = vox_sip_method_id(m->method);
	const char *u = q + 1;
	const char *sp = memchr(u, ' ', (size_t)(eol - u));
	if (!sp || sp == u)
		return vox_fail(diag, base, u, VOX_EMALFORMED,
		                "expected Request-URI SP SIP-Version (one SP each)");
	/* find_eol let no control byte but HTAB through, and [u, sp) holds no
	 * SP: an HTAB is all that is left to refuse in a Request-URI. */
	const char *ht = memchr(u, '\t', (size_t)(sp - u));
	if (ht)
		return vox_fail(diag, base, ht, VOX_EMALFORMED, "control character in Request-URI");
	m->uri = vox_slice_make(u, (size_t)(sp - u));
	if (!is_version(sp + 1, eol))
		return vox_fail(diag, base, sp + 1, VOX_EMALFORMED,
		                "expected SIP-Version at the end of the Request-Line");
	m->version = vox_slice_make(sp + 1, (size_t)(eol - sp - 1));
	m->status = 0;
	m->reason = vox_slice_make(NULL, 0);
	return 0;
}

/* ---- headers ------------------------------------------------------------ */

static int add_header(struct vox_sip_msg *m, struct vox_slice name, struct vox_slice value,
                      unsigned id, uint16_t line, struct vox_diag *diag)
{
	if (m->nhdr == VOX_SIP_MAX_HEADERS)
		return vox_fail(diag, m->base, name.p, VOX_ELIMIT,
		                "more header values than VOX_SIP_MAX_HEADERS");
	if (id == VOX_SIP_H_VIA && ++m->nvia > VOX_SIP_MAX_VIA)
		return vox_fail(diag, m->base, value.p, VOX_ELIMIT,
		                "more Via values than VOX_SIP_MAX_VIA");
	struct vox_sip_header *h = &m->hdr[m->nhdr];
	h->name = name;
	h->value = value;
	h->id = (uint16_t)id;
	h->line = line;
	m->nhdr++;
	if (!m->first[id])
		m->first[id] = (uint16_t)m->nhdr;
	return 0;
}

/* RFC 3261 7.3.1: a list header may carry several values separated by
 * commas; commas inside quoted strings and <...> do not separate. */
static int split_list(struct vox_sip_msg *m, struct vox_slice name, const char *p, const char *end,
                      unsigned id, uint16_t line, struct vox_diag *diag)
{
	if (!memchr(p, ',', (size_t)(end - p)))
		return add_header(m, name, vox_slice_make(p, (size_t)(end - p)), id, line, diag);
	int quote = 0, angle = 0;
	const char *start = p;
	for (; p < end; p++) {
		char c = *p;
		if (quote) {
			if (c == '\\' && (size_t)(end - p) > 1)
				p++;
			else if (c == '"')
				quote = 0;
		} else if (c == '"') {
			quote = 1;
		} else if (c == '<') {
			angle = 1;
		} else if (c == '>') {
			angle = 0;
		} else if (c == ',' && !angle) {
			int rc = add_header(m, name, sip_trim(start, p), id, line, diag);
			if (rc)
				return rc;
			start = p + 1;
		}
	}
	return add_header(m, name, sip_trim(start, end), id, line, diag);
}

/* Content-Length: decimal digits; a second one is an error, since two
 * lengths would let two parsers frame the stream differently. */
static int parse_clen(struct vox_slice v, int *have, size_t *out, const char *base,
                      struct vox_diag *diag)
{
	uint64_t n;
	if (*have)
		return vox_fail(diag, base, v.p, VOX_EMALFORMED,
		                "more than one Content-Length (RFC 4475 3.3.9)");
	int rc = vox_slice_u64(v, UINT32_MAX, &n);
	if (rc == VOX_ERANGE)
		return vox_fail(diag, base, v.p, VOX_ERANGE, "Content-Length too large");
	if (rc)
		return vox_fail(diag, base, v.p, VOX_EMALFORMED,
		                "Content-Length is not a decimal number");
	if (n > VOX_SIP_MAX_MSG)
		return vox_fail(diag, base, v.p, VOX_ETOOLONG,
		                "Content-Length above VOX_SIP_MAX_MSG");
	*have = 1;
	*out = (size_t)n;
	return 0;
}

/*
 * One header line with its continuation lines. On return *next is the
 * first byte of the following line. Shared by the parser and the framer so
 * that both read a message the same way.
 */
struct raw_header {
	struct vox_slice name;
	unsigned id;           /* enum vox_sip_hdr of the name */
	const char *value;     /* after the colon */
	const char *value_end; /* line end of the last continuation line */
	const char *next;
};

/*
 * RFC 3261 25.1 lets a control byte other than HTAB into a header only as
 * the second half of a quoted-pair, and a quoted-pair only inside a
 * quoted-string or a comment (comments nest; inside a quoted-string "(" is
 * an ordinary character, inside a comment '"' is); anywhere else "\" is an
 * ordinary character and the control byte after it is bare. This holds for
 * every header, known to vox or not: an extension header's value allows
 * no control byte at all, and the grammars that allow one allow it only
 * there. So a NUL or ESC cannot reach an application through a header vox
 * does not decode. No list header has a comment in its grammar, and its
 * values are split at commas that a comment would not hide (split_list):
 * there only quoted-strings count (comments = 0). Returns the first
 * control byte out of place, or NULL. Runs only on a header line where
 * find_eol saw an escaped control byte.
 */
static const char *stray_ctl(const char *p, const char *end, int comments)
{
	int quoted = 0;
	size_t depth = 0;
	for (; p < end; p++) {
		unsigned char c = (unsigned char)*p;
		if ((quoted || depth) && c == '\\' && end - p > 1 && p[1] != '\r' && p[1] != '\n') {
			p++; /* quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F) */
			continue;
		}
		if ((c < 0x20 && !sip_is_lws((char)c)) || c == 0x7f)
			return p;
		if (quoted)
			quoted = c != '"';
		else if (c == '"' && !depth)
			quoted = 1;
		else if (c == '(' && comments)
			depth++;
		else if (c == ')' && depth)
			depth--;
	}
	return NULL;
}

static int read_header(const char *p, const char *end, struct raw_header *h, int datagram,
                       const char *base, struct vox_diag *diag)
{
	const char *q = sip_span(p, end, SIP_C_TOKEN);
	if (q == end)
		return VOX_EINCOMPLETE;
	if (q == p) {
		if (vox_is_wsp((unsigned char)*p))
			return vox_fail(diag, base, p, VOX_EMALFORMED,
			                "continuation line without a header");
		return vox_fail(diag, base, p, VOX_EMALFORMED, "expected a header name");
	}
	if ((size_t)(q - p) > VOX_SIP_MAX_TOKEN)
		return vox_fail(diag, base, p, VOX_ETOOLONG, "header name too long");
	h->name = vox_slice_make(p, (size_t)(q - p));
	h->id = hdr_id_token(p, (size_t)(q - p), end);
	/* HCOLON = *( SP / HTAB ) ":" SWS */
	while (q < end && vox_is_wsp((unsigned char)*q))
		q++;
	if (q == end)
		return VOX_EINCOMPLETE;
	if (*q != ':')
		return vox_fail(diag, base, q, VOX_EMALFORMED,
		                "expected ':' after the header name");
	h->value = ++q;
	const char *esc = NULL;
	for (;;) {
		const char *eol, *next, *bad = q;
		int rc = find_eol(q, end, &eol, &next, &bad, &esc);
		if (rc == VOX_EMALFORMED)
			return vox_fail(diag, base, bad, rc, "control character in a header");
		if (rc)
			return rc;
		if (next == end && !datagram)
			return VOX_EINCOMPLETE; /* a continuation line may follow */
		if (next < end && vox_is_wsp((unsigned char)*next)) {
			q = next; /* folded: the value goes on */
			continue;
		}
		if (esc && (bad = stray_ctl(h->value, eol, !sip_hinfo[h->id].list)) != NULL)
			return vox_fail(diag, base, bad, VOX_EMALFORMED,
			                "control character outside a quoted-string or comment "
			                "(RFC 3261 25.1)");
		h->value_end = eol;
		h->next = next;
		return 0;
	}
}

/* The empty line that ends the headers: returns its length (1 or 2) or 0. */
static size_t empty_line(const char *p, const char *end)
{
	if (p < end && *p == '\n')
		return 1;
	if ((size_t)(end - p) >= 2 && p[0] == '\r' && p[1] == '\n')
		return 2;
	return 0;
}

int vox_sip_parse(struct vox_sip_msg *m, const char *buf, size_t len, unsigned flags,
                  struct vox_diag *diag)
{
	const int dgram = (flags & VOX_SIP_DATAGRAM) != 0;
	const char *end = buf + len;
	m->base = buf;
	m->nhdr = 0;
	m->nvia = 0;
	m->has_content_length = 0;
	m->content_length = 0;
	m->body_short = 0;
	memset(m->first, 0, sizeof m->first);

	if (dgram && len > VOX_SIP_MAX_MSG)
		return vox_fail(diag, buf, buf, VOX_ETOOLONG, "datagram above VOX_SIP_MAX_MSG");

	/* A start line holds no quoted-string or comment, so no quoted-pair:
	 * no control byte at all, escaped or not, but the HTAB a Reason-Phrase
	 * allows (RFC 3261 25.1). The Reason-Phrase's other limits (no '"' or
	 * '\\', for one) are not enforced: they cannot change what a response
	 * means, and a reader shown it is not harmed by them. */
	const char *eol, *next, *bad = buf, *esc = NULL;
	int rc = find_eol(buf, end, &eol, &next, &bad, &esc);
	if (rc == VOX_EMALFORMED || (rc == 0 && esc))
		return vox_fail(diag, buf, rc ? bad : esc, VOX_EMALFORMED,
		                "control character in the start line");
	if (rc)
		goto incomplete;
	rc = parse_start_line(m, buf, eol, diag);
	if (rc)
		return rc;

	const char *p = next;
	uint16_t line = 0;
	for (;;) {
		if (p == end && dgram && line > 0)
			break; /* a datagram may end right after its last header line */
		if (p == end) {
			rc = VOX_EINCOMPLETE;
			goto incomplete;
		}
		size_t el = empty_line(p, end);
		if (el) {
			p += el;
			break;
		}
		if (*p == '\r' && end - p == 1) {
			rc = VOX_EINCOMPLETE;
			goto incomplete;
		}
		struct raw_header h;
		rc = read_header(p, end, &h, dgram, buf, diag);
		if (rc == VOX_EINCOMPLETE)
			goto incomplete;
		if (rc)
			return rc;
		struct vox_slice v = sip_trim(h.value, h.value_end);
		if (h.id == VOX_SIP_H_CONTENT_LENGTH) {
			rc = parse_clen(v, &m->has_content_length, &m->content_length, buf, diag);
			if (rc)
				return rc;
		}
		if (sip_hinfo[h.id].list)
			rc = split_list(m, h.name, v.p, v.p + v.len, h.id, line, diag);
		else
			rc = add_header(m, h.name, v, h.id, line, diag);
		if (rc)
			return rc;
		line++;
		p = h.next;
	}

	size_t head = (size_t)(p - buf);
	size_t avail = len - head;
	if (m->has_content_length) {
		if (m->content_length > avail) {
			m->body_short = (uint8_t)dgram;
			if (dgram)
				return vox_fail(diag, buf, p, VOX_EMALFORMED,
				                "Content-Length larger than the datagram "
				                "(RFC 3261 18.3)");
			if (head + m->content_length > VOX_SIP_MAX_MSG)
				return vox_fail(diag, buf, buf, VOX_ETOOLONG,
				                "message above VOX_SIP_MAX_MSG");
			return VOX_EINCOMPLETE;
		}
	} else {
		if (!dgram)
			return vox_fail(diag, buf, p, VOX_EMALFORMED,
			                "no Content-Length on a stream (RFC 3261 18.3)");
		m->content_length = avail;
	}
	m->body = vox_slice_make(p, m->content_length);
	m->len = head + m->content_length;
	if (m->len > VOX_SIP_MAX_MSG)
		return vox_fail(diag, buf, buf, VOX_ETOOLONG, "message above VOX_SIP_MAX_MSG");
	return (int)m->len;

incomplete:
	if (dgram)
		return vox_fail(diag, buf, end, VOX_EMALFORMED,
		                "datagram ends before the empty line after the headers");
	if (len >= VOX_SIP_MAX_MSG)
		return vox_fail(diag, buf, buf, VOX_ETOOLONG,
		                "header section above VOX_SIP_MAX_MSG");
	return rc;
}

/* ---- lookups ---------------------------------------------------------------- */

const struct vox_sip_header *vox_sip_find(const struct vox_sip_msg *m, enum vox_sip_hdr id)
{
	if ((int)id <= 0 || id >= VOX_SIP_H_COUNT || !m->first[id])
		return NULL;
	return &m->hdr[m->first[id] - 1];
}

const struct vox_sip_header *vox_sip_find_next(const struct vox_sip_msg *m,
                                               const struct vox_sip_header *h)
{
	for (size_t i = (size_t)(h - m->hdr) + 1; i < m->nhdr; i++)
		if (m->hdr[i].id == h->id &&
		    (h->id != VOX_SIP_H_OTHER || vox_slice_case_eq(m->hdr[i].name, h->name)))
			return &m->hdr[i];
	return NULL;
}

const struct vox_sip_header *vox_sip_find_name(const struct vox_sip_msg *m, struct vox_slice name)
{
	enum vox_sip_hdr id = vox_sip_hdr_id(name);
	if (id != VOX_SIP_H_OTHER)
		return vox_sip_find(m, id);
	for (size_t i = 0; i < m->nhdr; i++)
		if (m->hdr[i].id == VOX_SIP_H_OTHER && vox_slice_case_eq(m->hdr[i].name, name))
			return &m->hdr[i];
	return NULL;
}

size_t vox_sip_count(const struct vox_sip_msg *m, enum vox_sip_hdr id)
{
	size_t n = 0;
	for (size_t i = 0; i < m->nhdr; i++)
		n += m->hdr[i].id == id;
	return n;
}

/* ---- stream framing ---------------------------------------------------- */

void vox_sip_framer_init(struct vox_sip_framer *f)
{
	f->scanned = 0;
	f->head = 0;
	f->clen = 0;
	f->pong_due = 0;
}

void vox_sip_framer_expect_pong(struct vox_sip_framer *f)
{
	f->pong_due = 1;
}

/* The header section is known: is the body in yet? */
static int frame_body(struct vox_sip_framer *f, size_t len, enum vox_sip_frame_kind *kind)
{
	if (f->clen > len - f->head)
		return VOX_EINCOMPLETE;
	size_t n = f->head + f->clen;
	f->scanned = f->head = f->clen = 0; /* a pong may still be due */
	*kind = VOX_SIP_FRAME_MESSAGE;
	return (int)n;
}

/*
 * Every verdict below depends only on the bytes, never on how they were cut
 * into reads: a unit is decided once the bytes that decide it are in, and
 * a limit counts bytes of the stream, not bytes of one read.
 */
int vox_sip_frame(struct vox_sip_framer *f, const char *buf, size_t len,
                  enum vox_sip_frame_kind *kind, struct vox_diag *diag)
{
	const char *end = buf + len;
	if (f->head && f->head <= len)
		return frame_body(f, len, kind);
	if (len == 0)
		return VOX_EINCOMPLETE;
	/* RFC 5626 3.5.1, 4.4.1: between messages, CRLFCRLF is a ping and
	 * CRLF a pong (a line end is CRLF or LF, as everywhere in vox). A line
	 * end that ends the bytes so far may be the first half of a ping, so
	 * it waits for the next byte; only while a pong is due is the first
	 * line end that pong, at once. */
	size_t a = empty_line(buf, end);
	if (a) {
		if (f->pong_due) {
			f->pong_due = 0;
			*kind = VOX_SIP_FRAME_PONG;
			return (int)a;
		}
		size_t b = empty_line(buf + a, end);
		if (b) {
			*kind = VOX_SIP_FRAME_PING;
			return (int)(a + b);
		}
		if (len == a || (buf[a] == '\r' && len - a == 1))
			return VOX_EINCOMPLETE; /* the second line end may follow */
		*kind = VOX_SIP_FRAME_PONG;
		return (int)a;
	}
	if (buf[0] == '\r' && len == 1)
		return VOX_EINCOMPLETE;

	/* Find the empty line, looking only at bytes not searched before, and
	 * only in the first VOX_SIP_MAX_MSG bytes: a header section that does
	 * not end there is too long, whatever comes after it. The search
	 * resumes a few bytes back so that a line end split across two reads
	 * is still seen. */
	const char *lim = len < VOX_SIP_MAX_MSG ? end : buf + VOX_SIP_MAX_MSG;
	size_t from = f->scanned > 3 ? f->scanned - 3 : 0;
	const char *hdr_end = NULL;
	for (const char *p = buf + from; p < lim;) {
		const char *nl = memchr(p, '\n', (size_t)(lim - p));
		if (!nl)
			break;
		size_t el = empty_line(nl + 1, lim);
		if (el) {
			hdr_end = nl + 1 + el;
			break;
		}
		p = nl + 1;
	}
	if (!hdr_end) {
		f->scanned = (size_t)(lim - buf);
		if (len >= VOX_SIP_MAX_MSG)
			return vox_fail(diag, buf, buf, VOX_ETOOLONG,
			                "header section above VOX_SIP_MAX_MSG");
		return VOX_EINCOMPLETE;
	}

	/* Read the header section as the parser does to find Content-Length
	 * (the start line is the parser's to judge). */
	const char *eol, *next, *bad = buf, *esc = NULL;
	int rc = find_eol(buf, hdr_end, &eol, &next, &bad, &esc);
	if (rc)
		return vox_fail(diag, buf, bad, VOX_EMALFORMED, "malformed start line");
	size_t clen = 0;
	int have = 0;
	for (const char *p = next; !empty_line(p, hdr_end);) {
		struct raw_header h;
		rc = read_header(p, hdr_end, &h, 1, buf, diag);
		if (rc == VOX_EINCOMPLETE)
			return vox_fail(diag, buf, p, VOX_EMALFORMED, "malformed header section");
		if (rc)
			return rc;
		if (h.id == VOX_SIP_H_CONTENT_LENGTH) {
			rc = parse_clen(sip_trim(h.value, h.value_end), &have, &clen, buf, diag);
			if (rc)
				return rc;
		}
		p = h.next;
	}
	if (!have)
		return vox_fail(diag, buf, hdr_end, VOX_EMALFORMED,
		                "no Content-Length on a stream (RFC 3261 18.3)");
	size_t head = (size_t)(hdr_end - buf);
	if (head + clen > VOX_SIP_MAX_MSG)
		return vox_fail(diag, buf, buf, VOX_ETOOLONG, "message above VOX_SIP_MAX_MSG");
	f->head = head;
	f->clen = clen;
	return frame_body(f, len, kind);
}
