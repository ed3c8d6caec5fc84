/* SPDX-License-Identifier: MIT */
/* sdp/ parser and printer: arbitrary bytes in. A description that parses
 * must print (keys shown) into something that parses again to the same
 * tables; the redacting printer must not fail where the other succeeds.
 * Every address it accepted as an IPv4 or IPv6 literal after IN IP4 / IN
 * IP6 (o=, c=, a=rtcp) must be one for the C library's inet_pton too. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "vox/sdp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct vox_sdp a, b;
static char out[2 * VOX_SDP_MAX_SIZE];

/* A literal (not a name: names have a letter in the last label and no
 * ':') must convert. */
static void check_literal(struct vox_slice net, struct vox_slice type, struct vox_slice addr)
{
	char z[64];
	if (!vox_slice_eq(net, vox_slice_cstr("IN")) || addr.len >= sizeof z)
		return;
	int six = vox_slice_eq(type, vox_slice_cstr("IP6"));
	if (!six && !vox_slice_eq(type, vox_slice_cstr("IP4")))
		return;
	/* A name never has a ':', and its last label is not all digits. */
	int literal = six ? memchr(addr.p, ':', addr.len) != NULL : 1;
	for (size_t i = 0; !six && i < addr.len; i++)
		if (!(addr.p[i] >= '0' && addr.p[i] <= '9') && addr.p[i] != '.')
			literal = 0;
	if (!literal)
		return;
	unsigned char bin[16];
	memcpy(z, addr.p, addr.len);
	z[addr.len] = 0;
	if (inet_pton(six ? AF_INET6 : AF_INET, z, bin) != 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vox_sdp_diag d;
	int n = vox_sdp_parse((const char *)data, size, &a, &d);
	if (n < 0) {
		if (!d.at.what || d.at.off > size || d.line == 0)
			abort(); /* every failure says where and why */
		return 0;
	}
	if ((size_t)n != size)
		abort();
	for (unsigned i = 0; i < a.n_crypto; i++) {
		struct vox_srtp_key k;
		if (!a.crypto[i].unusable && vox_sdp_key_decode(&a.crypto[i], 0, &k) != 0)
			abort(); /* a usable line always yields its key */
	}
	check_literal(a.o_nettype, a.o_addrtype, a.o_addr);
	if (a.conn.present)
		check_literal(a.conn.nettype, a.conn.addrtype, a.conn.addr);
	for (unsigned i = 0; i < a.n_media; i++)
		if (a.media[i].conn.present)
			check_literal(a.media[i].conn.nettype, a.media[i].conn.addrtype,
			              a.media[i].conn.addr);
	for (unsigned i = 0; i < a.n_attrs; i++)
		if (a.attrs[i].kind == VOX_SDP_ATTR_RTCP && a.attrs[i].u.rtcp.addr.len)
			check_literal(a.attrs[i].u.rtcp.nettype, a.attrs[i].u.rtcp.addrtype,
			              a.attrs[i].u.rtcp.addr);
	(void)vox_sdp_attr_find(&a, 0, "rtpmap");
	(void)vox_sdp_rtpmap_find(&a, 0, 0);
	int m = vox_sdp_print(&a, VOX_SDP_PRINT_SHOW_KEYS, out, sizeof out);
	if (m < 0)
		abort();
	if (vox_sdp_parse(out, (size_t)m, &b, &d) != m)
		abort();
	if (a.n_media != b.n_media || a.n_attrs != b.n_attrs || a.n_crypto != b.n_crypto ||
	    a.sess_version != b.sess_version)
		abort();
	if (vox_sdp_print(&a, 0, out, sizeof out) < 0)
		abort();
	return 0;
}
