/* core/: slices, writer, errors, base64, hex. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_slice_u64), cmocka_unit_test(test_slice_eq),
	    cmocka_unit_test(test_writer),    cmocka_unit_test(test_strerror),
	    cmocka_unit_test(test_base64),    cmocka_unit_test(test_hex),
	    cmocka_unit_test(test_wipe),      cmocka_unit_test(test_version),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
