/* Internal helpers shared by the protocol modules (not installed). */
#ifndef VOX_CORE_INT_H
#define VOX_CORE_INT_H

#include "vox/base.h"

static inline int vox_is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}
static inline int vox_is_alpha(unsigned char c)
{
	return (unsigned char)((c | 0x20) - 'a') < 26;
}
static inline int vox_is_alnum(unsigned char c)
{
	return vox_is_digit(c) || vox_is_alpha(c);
}
static inline int vox_is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t';
}
static inline char vox_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c | 0x20) : c;
}

/* Value of a hex digit, or -1. */
static inline int vox_hexval(unsigned char c)
{
	if (vox_is_digit(c))
		return c - '0';
	c = (unsigned char)(c | 0x20);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static inline struct vox_slice vox_slice_make(const char *p, size_t len)
{
	struct vox_slice s = {p, len};
	return s;
}

/* Sets *diag (if any) and returns err: the one way parsers report failure. */
static inline int vox_fail(struct vox_diag *diag, const char *base, const char *at, int err,
                           const char *what)
{
	if (diag) {
		diag->off = (size_t)(at - base);
		diag->what = what;
	}
	return err;
}

#endif
