/* SPDX-License-Identifier: MIT */
#define _DEFAULT_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>

struct guard_hdr {
	void *base;
	size_t maplen;
};

const char *guard_copy(const void *p, size_t n)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t data_pages = (n + sizeof(struct guard_hdr) + pg - 1) / pg;
	size_t maplen = (data_pages + 1) * pg;
	char *base = mmap(NULL, maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (base == MAP_FAILED)
		abort();
	char *guard = base + data_pages * pg;
	if (mprotect(guard, pg, PROT_NONE) != 0)
		abort();
	char *dst = guard - n;
	if (n)
		memcpy(dst, p, n);
	struct guard_hdr h = {base, maplen};
	memcpy(dst - sizeof h, &h, sizeof h); /* room reserved above */
	return dst;
}

void guard_free(const char *p)
{
	if (!p)
		return;
	struct guard_hdr h;
	memcpy(&h, p - sizeof h, sizeof h);
	munmap(h.base, h.maplen);
}

const char *guard_str(const char *s)
{
	return guard_copy(s, strlen(s));
}

char *read_vector(const char *rel, size_t *len)
{
	char path[512];
	int k = snprintf(path, sizeof path, "tests/vectors/%s", rel);
	if (k < 0 || (size_t)k >= sizeof path)
		abort();
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		abort();
	}
	if (fseek(f, 0, SEEK_END) != 0)
		abort();
	long sz = ftell(f);
	if (sz < 0 || fseek(f, 0, SEEK_SET) != 0)
		abort();
	char *buf = malloc((size_t)sz + 1);
	if (!buf || fread(buf, 1, (size_t)sz, f) != (size_t)sz)
		abort();
	fclose(f);
	buf[sz] = 0;
	*len = (size_t)sz;
	return buf;
}

int test_rng(void *ctx, uint8_t *out, size_t len)
{
	uint64_t *s = ctx;
	for (size_t i = 0; i < len; i++) {
		*s ^= *s >> 12;
		*s ^= *s << 25;
		*s ^= *s >> 27;
		out[i] = (uint8_t)((*s * 0x2545F4914F6CDD1DULL) >> 56);
	}
	return 0;
}

void skip_unless(int have, const char *why)
{
	if (have)
		return;
	print_message("  skipped: %s\n", why);
	skip();
}
