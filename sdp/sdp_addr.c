/* SPDX-License-Identifier: MIT */
/*
 * Addresses in a description: the unicast-address of o= (RFC 8866 5.2)
 * and the connection-address of c= (5.7) and a=rtcp (RFC 3605 2.1).
 *
 * What vox accepts after "IN IP4" and "IN IP6" (RFC 8866 9):
 *  - a literal of that family: dotted decimal without leading zeros
 *    (decimal-uchar), or the text form of RFC 4291 2.2 ("::", an IPv4
 *    tail; no zone index, RFC 8866 has none);
 *  - a domain name, which RFC 8866 allows for both types: at least 4
 *    characters (the FQDN rule), labels of letters, digits and '-' of 1..63
 *    characters that neither start nor end with '-', at most 253 in all,
 *    one final '.' allowed; and the last label not all digits (RFC 3696
 *    2), so that a mistyped literal ("1.2.3", "300.1.1.1") is never taken
 *    for a name. The caller resolves it.
 * Not an address of the other family, and not extn-addr: RFC 8866 keeps
 * that escape for address types it does not define. Under another nettype
 * or addrtype vox checks only that the text is a plausible address.
 *
 * Multicast (RFC 8866 5.7, in c= and a=rtcp only): an IPv4 group
 * (224..239 first) must carry "/ttl" (0..255) and may carry "/number"; an
 * IPv6 group (ff00::/8) may carry "/number" and never a TTL; a unicast
 * address or a name carries neither. In o=, an IPv4 address is below 224.
 */
#include <string.h>

#include "sdp/sdp_int.h"

/* decimal-uchar (RFC 8866 9): 0..255 without leading zeros. */
static int dec_uchar(struct vox_slice s, unsigned *v)
{
	uint64_t x = 0;
	if (s.len == 0 || s.len > 3 || (s.len > 1 && s.p[0] == '0') ||
	    vox_slice_u64(s, 255, &x) < 0)
		return 0;
	*v = (unsigned)x;
	return 1;
}

/* IP4-address into out, and the first number (224..239: multicast). */
static int ip4_literal(struct vox_slice s, unsigned *first, uint8_t out[4])
{
	const char *p = s.p, *end = s.p + s.len;
	for (int i = 0; i < 4; i++) {
		const char *q = p;
		while (q < end && *q != '.')
			q++;
		unsigned v = 0;
		if (!dec_uchar(vox_slice_make(p, (size_t)(q - p)), &v) || (i < 3) != (q < end))
			return 0;
		if (i == 0)
			*first = v;
		out[i] = (uint8_t)v;
		p = q + (q < end);
	}
	return 1;
}

/* IP6-address (RFC 4291 2.2) into out: eight groups of 1..4 hex digits,
 * or fewer around one "::", the last two optionally as a dotted IPv4
 * address. *first is the value of the first group (0xff00 and up:
 * multicast). */
static int ip6_literal(struct vox_slice s, unsigned *first, uint8_t out[16])
{
	const char *p = s.p, *end = s.p + s.len;
	uint16_t g[8];
	unsigned groups = 0, before_gap = 0;
	int gap = 0;
	*first = 0;
	if (s.len >= 2 && p[0] == ':' && p[1] == ':') {
		gap = 1;
		p += 2;
	}
	while (p < end) {
		const char *q = p;
		unsigned v = 0;
		while (p < end && p - q < 5 && vox_hexval((unsigned char)*p) >= 0)
			v = v << 4 | (unsigned)vox_hexval((unsigned char)*p++);
		if (p < end && *p == '.') {
			/* ls32 as an IPv4 address: the end of the text */
			unsigned ignored = 0;
			uint8_t v4[4];
			if (groups > 6 ||
			    !ip4_literal(vox_slice_make(q, (size_t)(end - q)), &ignored, v4))
				return 0;
			g[groups++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[groups++] = (uint16_t)(v4[2] << 8 | v4[3]);
			p = end;
			break;
		}
		if (p == q || p - q > 4 || groups == 8)
			return 0;
		if (groups == 0 && !gap)
			*first = v;
		g[groups++] = (uint16_t)v;
		if (p == end)
			break;
		if (*p++ != ':' || p == end)
			return 0; /* a group ends in ':', and text does not */
		if (*p == ':') {
			if (gap)
				return 0;
			gap = 1;
			before_gap = groups;
			p++;
		}
	}
	if (gap ? groups > 7 : groups != 8)
		return 0;
	if (!gap)
		before_gap = groups;
	/* the groups after "::" go to the end, zeros fill the gap */
	memset(out, 0, 16);
	for (unsigned i = 0; i < groups; i++) {
		unsigned at = i < before_gap ? i : 8 - (groups - i);
		out[2 * at] = (uint8_t)(g[i] >> 8);
		out[2 * at + 1] = (uint8_t)g[i];
	}
	return 1;
}

/* A host name by the rules above. */
static int fqdn(struct vox_slice s)
{
	size_t n = s.len;
	if (n && s.p[n - 1] == '.')
		n--; /* the root label */
	if (s.len < 4 || n == 0 || n > 253)
		return 0;
	size_t start = 0;
	int digits_only = 1;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s.p[i] == '.') {
			size_t len = i - start;
			if (len == 0 || len > 63 || s.p[start] == '-' || s.p[i - 1] == '-')
				return 0;
			start = i + 1;
			if (i < n)
				digits_only = 1;
			continue;
		}
		unsigned char c = (unsigned char)s.p[i];
		if (!vox_is_alnum(c) && c != '-')
			return 0;
		if (!vox_is_digit(c))
			digits_only = 0;
	}
	return !digits_only; /* of the last label */
}

/* An address of a type RFC 8866 does not define: extn-addr, held to the
 * characters an address or name can have. */
static int other_addr(struct vox_slice s)
{
	if (s.len == 0)
		return 0;
	for (size_t i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];
		if (!vox_is_alnum(c) && c != '.' && c != '-' && c != ':' && c != '_')
			return 0;
	}
	return 1;
}

/* ttl = (POS-DIGIT *2DIGIT) / "0", 0..255; numaddr = integer (1 and up). */
static int suffix_num(struct vox_slice s, uint64_t max, uint64_t *v)
{
	if (s.len > 1 && s.p[0] == '0')
		return VOX_EMALFORMED;
	return vox_slice_u64(s, max, v);
}

int sdp_addr_parse(const char *base, struct vox_diag *diag, struct vox_slice nettype,
                   struct vox_slice addrtype, struct vox_slice text, int conn, struct sdp_addr *out)
{
	memset(out, 0, sizeof *out);
	int in = vox_slice_eq(nettype, vox_slice_cstr("IN"));
	int ip4 = in && vox_slice_eq(addrtype, vox_slice_cstr("IP4"));
	int ip6 = in && vox_slice_eq(addrtype, vox_slice_cstr("IP6"));
	const char *sl = conn && (ip4 || ip6) ? memchr(text.p, '/', text.len) : NULL;
	struct vox_slice a = sl ? vox_slice_make(text.p, (size_t)(sl - text.p)) : text;
	out->addr = a;
	unsigned first = 0;
	if (ip4 && ip4_literal(a, &first, out->ip)) {
		out->literal = 4;
		out->multicast = first >= 224 && first <= 239;
		if (first >= (conn ? 240u : 224u))
			return vox_fail(
			    diag, base, a.p, VOX_EMALFORMED,
			    conn ? "expected an IPv4 unicast (below 224) or multicast "
			           "(224..239) address (RFC 8866 9)"
			         : "expected a unicast IPv4 address, below 224 (RFC 8866 9)");
	} else if (ip6 && ip6_literal(a, &first, out->ip)) {
		out->literal = 6;
		out->multicast = first >= 0xff00;
	} else if ((ip4 || ip6) && !fqdn(a)) {
		return vox_fail(diag, base, a.p, VOX_EMALFORMED,
		                ip4 ? "expected a dotted-decimal IPv4 address or a host name "
		                      "(RFC 8866 5.7)"
		                    : "expected an IPv6 address (RFC 4291 2.2) or a host name "
		                      "(RFC 8866 5.7)");
	} else if (!ip4 && !ip6 && !other_addr(a)) {
		return vox_fail(diag, base, a.p, VOX_EMALFORMED, "expected an address");
	}
	if (!sl) {
		if (ip4 && out->multicast)
			return vox_fail(diag, base, a.p + a.len, VOX_EMALFORMED,
			                "an IPv4 multicast address needs /<ttl> (RFC 8866 5.7)");
		return 0;
	}
	/* The suffixes: IP4 "/ttl[/num]", IP6 "/num" (RFC 8866 5.7). */
	if (!out->multicast)
		return vox_fail(diag, base, sl, VOX_EMALFORMED,
		                "only a multicast address takes a /<ttl> or /<number> suffix "
		                "(RFC 8866 5.7)");
	const char *end = text.p + text.len;
	struct vox_slice s1 = vox_slice_make(sl + 1, (size_t)(end - sl - 1));
	const char *sl2 = memchr(s1.p, '/', s1.len);
	struct vox_slice s2 = {NULL, 0};
	if (sl2) {
		s2 = vox_slice_make(sl2 + 1, (size_t)(end - sl2 - 1));
		s1.len = (size_t)(sl2 - s1.p);
	}
	uint64_t t = 0, k = 0;
	int rc;
	if (ip4) {
		rc = suffix_num(s1, 255, &t);
		if (rc < 0)
			return vox_fail(diag, base, s1.p, rc, "expected multicast TTL 0..255");
		out->ttl = (uint16_t)t;
	} else if (sl2) {
		return vox_fail(diag, base, sl2, VOX_EMALFORMED,
		                "an IPv6 multicast address takes /<number>, never a TTL "
		                "(RFC 8866 5.7)");
	} else {
		s2 = s1;
	}
	if (s2.p) {
		rc = suffix_num(s2, UINT32_MAX, &k);
		if (rc < 0 || k == 0)
			return vox_fail(diag, base, s2.p, rc < 0 ? rc : VOX_ERANGE,
			                "expected the number of addresses, 1 or more");
		out->num = (uint32_t)k;
	}
	return 0;
}
