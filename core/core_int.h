/* SPDX-License-Identifier: MIT */
/* Internal helpers shared by the protocol modules (not installed). */
#ifndef VOX_CORE_INT_H
#define VOX_CORE_INT_H

#include "vox/base.h"

/*
 * Constant-flow checking. In a build with MemorySanitizer (make ct),
 * vox_ct_secret marks bytes as never written, so that any branch taken on
 * them, or any address computed from them (a table look-up), stops the
 * run: tests mark keys with it. vox_ct_public marks a value the code has
 * chosen to reveal (a verdict, a length) as known again. Both do nothing
 * in every other build.
 */
#if defined(__has_feature)
#if __has_feature(memory_sanitizer)
#include <sanitizer/msan_interface.h>
#define VOX_CT_MSAN 1
#endif
#endif

static inline void vox_ct_secret(const void *p, size_t n)
{
#ifdef VOX_CT_MSAN
	__msan_poison(p, n);
#else
	(void)p;
	(void)n;
#endif
}

static inline void vox_ct_public(const void *p, size_t n)
{
#ifdef VOX_CT_MSAN
	__msan_unpoison(p, n);
#else
	(void)p;
	(void)n;
#endif
}

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

/* vox_base64_decode() that also takes the unpadded form (RFC 4648 3.2:
 * "Zg" for "Zg=="), as some peers send SDES keys; a partly padded "Zg=" is
 * refused. The same canonical checks, in the same constant time. */
VOX_MUST_CHECK int vox_base64_decode_any(struct vox_slice in, uint8_t *out, size_t cap);

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

/* A binary min-heap of items 0..65534 by a 64-bit key, in the caller's
 * arrays (core/heap.c): at[k] the item at place k, pos[item] its place + 1
 * (0: absent), key[item] its key, *n the items in it. */
struct vox_heap {
	uint16_t *at;
	uint16_t *pos;
	uint64_t *key;
	size_t *n;
};
/* Sets item's key and its place; UINT64_MAX takes it out. */
void vox_heap_set(struct vox_heap *h, uint16_t item, uint64_t key);
/* The item with the smallest key (the heap must not be empty). */
static inline uint16_t vox_heap_top(const struct vox_heap *h)
{
	return h->at[0];
}

#endif
