/* SPDX-License-Identifier: MIT */
/* A CUnit runner's main: register the suites, run them, print the
 * "LK-COUNT pass=N fail=N" line that .ci/run sums, exit non-zero on any
 * failure. Use: LK_CUNIT_MAIN(lk_test_a_register, lk_test_b_register) */
#ifndef LK_CUNIT_MAIN_H
#define LK_CUNIT_MAIN_H
#include <CUnit/Basic.h>
#include <stdio.h>

typedef int (*lk_test_register_fn)(void);

static inline int lk_cunit_run(lk_test_register_fn *fns, size_t n)
{
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	for (size_t i = 0; i < n; i++) {
		if (fns[i]() != 0) {
			fprintf(stderr, "suite registration %zu failed\n", i);
			CU_cleanup_registry();
			return 2;
		}
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	unsigned run = CU_get_number_of_tests_run();
	unsigned failed = CU_get_number_of_tests_failed();
	unsigned suites_failed = CU_get_number_of_suites_failed();
	printf("\nLK-COUNT pass=%u fail=%u\n", run - failed,
	       failed + suites_failed);
	CU_cleanup_registry();
	return (failed || suites_failed) ? 1 : 0;
}

#define LK_CUNIT_MAIN(...)                                                     \
	int main(void)                                                         \
	{                                                                      \
		lk_test_register_fn fns[] = {__VA_ARGS__};                     \
		return lk_cunit_run(fns, sizeof fns / sizeof fns[0]);          \
	}
#endif
