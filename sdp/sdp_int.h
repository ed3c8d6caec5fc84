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

#endif
