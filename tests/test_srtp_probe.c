/* SPDX-License-Identifier: MIT */
/* srtp_glue/probe.c: which suites the installed libsrtp2 runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "vox/suite.h"

#include "testutil.h"

static void test_probe(void **st)
{
	(void)st;
#if VOX_WITH_SRTP
	/* RFC 3711's mandatory suite is in every libsrtp2 build. */
	assert_int_equal(vox_srtp_suite_available(VOX_SRTP_AES_CM_128_HMAC_SHA1_80), 1);
#endif
	assert_int_equal(vox_srtp_suite_available(VOX_SRTP_NONE), 0);
	assert_int_equal(vox_srtp_suite_available(VOX_SRTP_SUITE_COUNT), 0);
	assert_int_equal(vox_srtp_suite_available((enum vox_srtp_suite) - 1), 0);
	for (int s = VOX_SRTP_NONE + 1; s < VOX_SRTP_SUITE_COUNT; s++) {
		int a = vox_srtp_suite_available((enum vox_srtp_suite)s);
		assert_true(a == 0 || a == 1);
		/* SRTP compiled out (VOX_WITH_SRTP = 0): no suite runs */
		assert_true(a == 0 || VOX_WITH_SRTP);
		/* asked twice, same answer */
		assert_int_equal(vox_srtp_suite_available((enum vox_srtp_suite)s), a);
		printf("  %-26s %s\n", vox_srtp_suite_info((enum vox_srtp_suite)s)->name,
		       a               ? "available"
		       : VOX_WITH_SRTP ? "missing in this libsrtp2"
		                       : "SRTP compiled out");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_probe),
	};
	return cmocka_run_group_tests_name("srtp_probe", tests, srtp_group_setup,
	                                   srtp_group_teardown);
}
