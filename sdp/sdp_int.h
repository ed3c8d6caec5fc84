/* SPDX-License-Identifier: MIT */
/* Internal helpers of sdp/ (not installed). */
#ifndef VOX_SDP_INT_H
#define VOX_SDP_INT_H

#include "core/core_int.h"
#include "vox/sdp.h"

/* RFC 8866 9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39 /
 * %x41-5A / %x5E-7E. */
static inline int sdp_is_token(unsigned char c)
{
	return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2a || c == 0x2b || c == 0x2d ||
	       c == 0x2e || (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) ||
	       (c >= 0x5e && c <= 0x7e);
}

/* Visible characters and non-ASCII bytes (RFC 8866 9: non-ws-string). */
static inline int sdp_is_nonws(unsigned char c)
{
	return c > 0x20 && c != 0x7f;
}

/* Decodes a=crypto with offsets in diag counted from base (the start of
 * the whole description when called by the parser). */
int vox_sdp_crypto_parse_at(const char *base, struct vox_slice value, struct vox_sdp_crypto *out,
                            struct vox_diag *diag);

/* An address field, checked (sdp/sdp_addr.c says what vox accepts). */
struct sdp_addr {
	struct vox_slice addr; /* without the multicast suffixes */
	int multicast;         /* an IPv4 or IPv6 group */
	uint16_t ttl;          /* IPv4 multicast "/ttl" */
	uint32_t num;          /* "/number" of addresses, 0 when absent */
	int literal;           /* 4 or 6: addr is an IP literal, in ip; 0: a name or
	                          another type */
	uint8_t ip[16];
};

/* Checks text, the address after <nettype> <addrtype>: a
 * connection-address (c=, a=rtcp) when conn, with the multicast suffixes,
 * else a unicast-address (o=, and ours). Returns 0, or VOX_EMALFORMED or
 * VOX_ERANGE with *diag set (offsets from base). */
int sdp_addr_parse(const char *base, struct vox_diag *diag, struct vox_slice nettype,
                   struct vox_slice addrtype, struct vox_slice text, int conn,
                   struct sdp_addr *out);

#endif
