/* SPDX-License-Identifier: MIT */
/* core/: slices, writer, errors, base64, hex. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "core/core_int.h"
#include "vox/base.h"
#include "testutil.h"

static void test_slice_u64(void **st)
{
	(void)st;
	uint64_t v = 0;
	const char *g = guard_str("0068");
	assert_int_equal(vox_slice_u64((struct vox_slice){g, 4}, 255, &v), 0);
	assert_int_equal(v, 68);
	guard_free(g);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("4294967295"), UINT32_MAX, &v), 0);
	assert_int_equal(v, 4294967295u);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("4294967296"), UINT32_MAX, &v), VOX_ERANGE);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("18446744073709551615"), UINT64_MAX, &v), 0);
	assert_true(v == UINT64_MAX);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("18446744073709551616"), UINT64_MAX, &v),
	                 VOX_ERANGE);
	assert_int_equal(vox_slice_u64(vox_slice_cstr(""), 10, &v), VOX_EMALFORMED);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("-1"), 10, &v), VOX_EMALFORMED);
	assert_int_equal(vox_slice_u64(vox_slice_cstr("1 "), 10, &v), VOX_EMALFORMED);
}

static void test_slice_eq(void **st)
{
	(void)st;
	assert_true(vox_slice_case_eq_cstr(vox_slice_cstr("MaX-fOrWaRdS"), "max-forwards"));
	assert_false(vox_slice_case_eq_cstr(vox_slice_cstr("Max-Forward"), "max-forwards"));
	assert_true(vox_slice_eq(vox_slice_cstr(""), vox_slice_cstr("")));
	assert_false(vox_slice_eq(vox_slice_cstr("a"), vox_slice_cstr("A")));
	/* '@' (0x40) and '`' (0x60) differ only in bit 5 but are not letters. */
	assert_false(vox_slice_case_eq_cstr(vox_slice_cstr("@"), "`"));
}

static void test_writer(void **st)
{
	(void)st;
	char buf[8];
	struct vox_writer w;
	vox_writer_init(&w, buf, sizeof buf);
	vox_writer_puts(&w, "ab");
	vox_writer_put_u64(&w, 12345);
	assert_int_equal(vox_writer_finish(&w), 7);
	assert_memory_equal(buf, "ab12345", 7);
	vox_writer_put_u64(&w, 42); /* does not fit: sticky error */
	vox_writer_putc(&w, 'x');
	assert_int_equal(vox_writer_finish(&w), VOX_ENOSPC);
	assert_int_equal(w.len, 7);
	vox_writer_init(&w, buf, sizeof buf);
	vox_writer_put_u64(&w, 0);
	assert_int_equal(vox_writer_finish(&w), 1);
	assert_int_equal(buf[0], '0');
}

static void test_strerror(void **st)
{
	(void)st;
	for (int e = 0; e >= -60; e--)
		assert_non_null(vox_strerror(e));
	assert_string_equal(vox_strerror(VOX_ENOSPC), "output buffer too small");
	assert_string_equal(vox_strerror(12345), "unknown error");
}

/* The run-time version is the one of the headers, and the string says
 * what the three numbers say. */
static void test_version(void **st)
{
	(void)st;
	assert_string_equal(vox_version(), VOX_VERSION_STRING);
	char want[32];
	snprintf(want, sizeof want, "%d.%d.%d", VOX_VERSION_MAJOR, VOX_VERSION_MINOR,
	         VOX_VERSION_PATCH);
	assert_string_equal(VOX_VERSION_STRING, want);
}

/* RFC 4648 section 10 test vectors, plus strictness. */
static void test_base64(void **st)
{
	(void)st;
	static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *enc[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	for (size_t i = 0; i < 7; i++) {
		char out[16];
		uint8_t back[16];
		int n =
		    vox_base64_encode((const uint8_t *)plain[i], strlen(plain[i]), out, sizeof out);
		assert_int_equal(n, strlen(enc[i]));
		assert_memory_equal(out, enc[i], (size_t)n);
		const char *g = guard_str(enc[i]);
		n = vox_base64_decode((struct vox_slice){g, strlen(enc[i])}, back, sizeof back);
		guard_free(g);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(back, plain[i], (size_t)n);
	}
	uint8_t b[8];
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Zg="), b, 8), VOX_EMALFORMED);
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Zh=="), b, 8), VOX_EMALFORMED);
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Z==="), b, 8), VOX_EMALFORMED);
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Zg==Zg=="), b, 8), VOX_EMALFORMED);
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Zm9v Y"), b, 8), VOX_EMALFORMED);
	assert_int_equal(vox_base64_decode(vox_slice_cstr("Zm9vYmFy"), b, 5), VOX_ENOSPC);
	char o[3];
	assert_int_equal(vox_base64_encode((const uint8_t *)"f", 1, o, 3), VOX_ENOSPC);
	/* An SDES key: 30 bytes of key||salt is 40 characters. */
	assert_int_equal(vox_base64_len(30), 40);
	assert_int_equal(
	    vox_base64_decode(vox_slice_cstr("PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR"), b, 8),
	    VOX_ENOSPC);
}

/* Decodes text placed against a guard page. */
static int b64_dec(const char *text, int any, uint8_t *out, size_t cap)
{
	size_t n = strlen(text);
	const char *g = guard_copy(text, n);
	struct vox_slice in = {g, n};
	int rc = any ? vox_base64_decode_any(in, out, cap) : vox_base64_decode(in, out, cap);
	guard_free(g);
	return rc;
}

/* RFC 4648 3.5: vox reads only the canonical encoding, so that a byte
 * string (an SDES key) has exactly one text form. */
static void test_base64_canonical(void **st)
{
	(void)st;
	static const char *const bad[] = {
	    "Zh==",
	    "Zm9=",
	    "Zm9vYmF=", /* the bits the padding drops are set */
	    "Zg=",
	    "Zm9vYg=", /* partly padded */
	    "Z===",
	    "====",
	    "=Zg=",
	    "Zg=A",
	    "Zm9v====",
	    "Zg==Zg==", /* '=' not as padding */
	    " Zg=",
	    "Zg==\n",
	    "Zm 9v",
	    "Zm\r\n9v",
	    "Zm9v\t", /* no white space, no breaks */
	    "Zm-_",   /* RFC 4648 5, another alphabet */
	    "Zm9v\x80\xff\xc1\xc6",
	    "Zm9\x7f",
	};
	uint8_t out[16];
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (b64_dec(bad[i], 0, out, sizeof out) != VOX_EMALFORMED ||
		    b64_dec(bad[i], 1, out, sizeof out) != VOX_EMALFORMED)
			fail_msg("\"%s\" was decoded", bad[i]);
	}
	/* Without padding: only vox_base64_decode_any, and canonical too. */
	assert_int_equal(b64_dec("Zg", 0, out, sizeof out), VOX_EMALFORMED);
	assert_int_equal(b64_dec("Zg", 1, out, sizeof out), 1);
	assert_int_equal(out[0], 'f');
	assert_int_equal(b64_dec("Zm8", 1, out, sizeof out), 2);
	assert_memory_equal(out, "fo", 2);
	assert_int_equal(b64_dec("Zm9vYmE", 1, out, sizeof out), 5);
	assert_memory_equal(out, "fooba", 5);
	assert_int_equal(b64_dec("Zm9vYmE=", 1, out, sizeof out), 5);
	assert_int_equal(b64_dec("Zh", 1, out, sizeof out), VOX_EMALFORMED);
	assert_int_equal(b64_dec("Zm9", 1, out, sizeof out), VOX_EMALFORMED);
	assert_int_equal(b64_dec("Zm9vY", 1, out, sizeof out), VOX_EMALFORMED);
	assert_int_equal(b64_dec("Zm9vYmE", 1, out, 4), VOX_ENOSPC);
	/* Every byte value in the first place of a group: in the alphabet of
	 * RFC 4648 table 1 exactly when decoded, with its table value. */
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (unsigned c = 0; c < 256; c++) {
		char grp[4] = {(char)c, 'A', 'A', 'A'};
		const char *g = guard_copy(grp, 4);
		int n = vox_base64_decode((struct vox_slice){g, 4}, out, sizeof out);
		guard_free(g);
		const char *at = c ? memchr(alphabet, (int)c, 64) : NULL;
		if (n != (at ? 3 : VOX_EMALFORMED) || (at && out[0] >> 2 != at - alphabet))
			fail_msg("byte 0x%02x: got %d", c, n);
	}
	/* A failed decode leaves no key bytes behind in the caller's buffer:
	 * the good groups before the bad one are wiped too. */
	memset(out, 0x55, sizeof out);
	assert_int_equal(b64_dec("QUJDREVG!!!!", 0, out, sizeof out), VOX_EMALFORMED);
	for (size_t i = 0; i < 9; i++)
		assert_int_equal(out[i], 0);
}

/* What make ct checks under MemorySanitizer: with the key marked secret,
 * no branch and no table index depends on it (core/codec.c). In other
 * builds this only checks the round trips. */
static void test_codec_constant_flow(void **st)
{
	(void)st;
	uint8_t key[46], back[46];
	char text[96];
	for (size_t i = 0; i < sizeof key; i++)
		key[i] = (uint8_t)(i * 37 + 5);
	/* Every length of a group's tail: 30 (AES-128 key||salt), 28 (GCM,
	 * often sent unpadded), 46 (AES-256). */
	static const size_t lens[] = {30, 28, 46, 44, 12};
	for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
		size_t n = lens[k], t = vox_base64_len(n);
		vox_ct_secret(key, n);
		assert_int_equal(vox_base64_encode(key, n, text, sizeof text), (int)t);
		vox_ct_public(text, t);
		vox_ct_secret(text, t);
		assert_int_equal(vox_base64_decode((struct vox_slice){text, t}, back, sizeof back),
		                 (int)n);
		vox_ct_public(back, n);
		vox_ct_public(key, n);
		vox_ct_public(text, t);
		assert_memory_equal(back, key, n);
		size_t u = t; /* the unpadded form */
		while (text[u - 1] == '=')
			u--;
		vox_ct_secret(text, u);
		assert_int_equal(
		    vox_base64_decode_any((struct vox_slice){text, u}, back, sizeof back), (int)n);
		vox_ct_public(back, n);
		assert_memory_equal(back, key, n);
		/* hex, as an HA1 travels */
		vox_ct_secret(key, n);
		assert_int_equal(vox_hex_encode(key, n, text, sizeof text), (int)(2 * n));
		vox_ct_public(text, 2 * n);
		vox_ct_secret(text, 2 * n);
		assert_int_equal(vox_hex_decode((struct vox_slice){text, 2 * n}, back, sizeof back),
		                 (int)n);
		vox_ct_public(back, n);
		vox_ct_public(key, n);
		assert_memory_equal(back, key, n);
	}
}

static void test_hex(void **st)
{
	(void)st;
	uint8_t in[] = {0x00, 0xab, 0xff, 0x10};
	char out[8];
	uint8_t back[4];
	assert_int_equal(vox_hex_encode(in, 4, out, 8), 8);
	assert_memory_equal(out, "00abff10", 8);
	assert_int_equal(vox_hex_decode(vox_slice_cstr("00ABff10"), back, 4), 4);
	assert_memory_equal(back, in, 4);
	assert_int_equal(vox_hex_decode(vox_slice_cstr("0g"), back, 4), VOX_EMALFORMED);
	assert_int_equal(vox_hex_decode(vox_slice_cstr("abc"), back, 4), VOX_EMALFORMED);
	assert_int_equal(vox_hex_encode(in, 4, out, 7), VOX_ENOSPC);
	/* every byte value as a digit */
	for (unsigned c = 0; c < 256; c++) {
		char pair[2] = {'0', (char)c};
		int want =
		    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
		const char *g = guard_copy(pair, 2);
		int n = vox_hex_decode((struct vox_slice){g, 2}, back, 1);
		guard_free(g);
		if (n != (want ? 1 : VOX_EMALFORMED))
			fail_msg("byte 0x%02x: got %d", c, n);
	}
	/* a failed decode wipes what it wrote */
	memset(back, 0x55, sizeof back);
	assert_int_equal(vox_hex_decode(vox_slice_cstr("414243zz"), back, 4), VOX_EMALFORMED);
	for (size_t i = 0; i < 4; i++)
		assert_int_equal(back[i], 0);
}

static void test_wipe(void **st)
{
	(void)st;
	uint8_t k[16];
	memset(k, 0xa5, sizeof k);
	vox_wipe(k, sizeof k);
	for (size_t i = 0; i < sizeof k; i++)
		assert_int_equal(k[i], 0);
}

/* The heap against a plain scan: random keys set, changed and removed;
 * after each step the top is an item with the smallest key, and every
 * item's place agrees with the array. */
static void test_heap(void **st)
{
	(void)st;
	enum { N = 97 };
	uint16_t at[N], pos[N];
	uint64_t key[N];
	size_t n = 0;
	memset(pos, 0, sizeof pos);
	struct vox_heap h = {at, pos, key, &n};
	uint64_t want[N], r = 88172645463325252ULL;
	for (size_t i = 0; i < N; i++)
		want[i] = UINT64_MAX;
	for (int step = 0; step < 20000; step++) {
		r ^= r << 13, r ^= r >> 7, r ^= r << 17;
		uint16_t item = (uint16_t)(r % N);
		uint64_t k = (r >> 8) % 5 == 0 ? UINT64_MAX : (r >> 16) % 1000;
		vox_heap_set(&h, item, k);
		want[item] = k;
		size_t live = 0;
		uint64_t min = UINT64_MAX;
		for (size_t i = 0; i < N; i++) {
			if (want[i] == UINT64_MAX) {
				assert_int_equal(pos[i], 0);
				continue;
			}
			live++;
			if (want[i] < min)
				min = want[i];
			assert_true(pos[i] >= 1 && pos[i] <= n);
			assert_int_equal(at[pos[i] - 1], i);
		}
		assert_int_equal(n, live);
		if (n)
			assert_true(key[vox_heap_top(&h)] == min);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slice_u64),
	    cmocka_unit_test(test_slice_eq),
	    cmocka_unit_test(test_writer),
	    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_base64_canonical),
	    cmocka_unit_test(test_codec_constant_flow),
	    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_wipe),
	    cmocka_unit_test(test_version),
	    cmocka_unit_test(test_heap),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
