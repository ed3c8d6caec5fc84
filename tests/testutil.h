/* SPDX-License-Identifier: MIT */
/* Shared test helpers: guard-page buffers, vector files, a seeded rng. */
#ifndef VOX_TESTUTIL_H
#define VOX_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "vox/base.h"
#include "vox/config.h"
#if VOX_WITH_SRTP
#include "vox/srtp.h"
#endif

/* Copies n bytes so that the last one sits right before a no-access page:
 * any read past the end faults at once (docs/architecture.md, Code style).
 * Free with guard_free. Never returns NULL (aborts the test instead). */
const char *guard_copy(const void *p, size_t n);
void guard_free(const char *p);
/* guard_copy of a NUL-terminated string, without the NUL. */
const char *guard_str(const char *s);

/* Reads tests/vectors/<rel> (relative to the repository root, which is the
 * working directory of `make check`). Aborts on error. Free with free(). */
char *read_vector(const char *rel, size_t *len);

/* Skips the running cmocka test, visibly, unless have is true: for a test
 * that needs a feature or a limit the build's configuration leaves out
 * (make check also runs the tests under configs/minimal.h). Prints
 * "skipped: why" and cmocka lists the test as SKIPPED. */
void skip_unless(int have, const char *why);

/* Deterministic vox_rng_fn: ctx points to a uint64_t state (xorshift64*). */
int test_rng(void *ctx, uint8_t *out, size_t len);

/* cmocka group setup and teardown for tests that run SRTP sessions:
 * libsrtp2's process-wide init (vox_srtp_global_init), asserted to be
 * this process's own, and its shutdown. Nothing to do when SRTP is
 * compiled out. */
static inline int srtp_group_setup(void **st)
{
	(void)st;
#if VOX_WITH_SRTP
	return vox_srtp_global_init() == 0 ? 0 : -1;
#else
	return 0;
#endif
}

static inline int srtp_group_teardown(void **st)
{
	(void)st;
#if VOX_WITH_SRTP
	vox_srtp_global_shutdown();
#endif
	return 0;
}

#endif
