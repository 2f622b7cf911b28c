/* SPDX-License-Identifier: MIT */
/*
 * Shared by the fuzz targets. Each tests/fuzz/fuzz_<name>.c defines
 * LK_FUZZ_NAME, includes this, and defines LLVMFuzzerTestOneInput. Built
 * for libFuzzer (`make fuzz`, -DLK_FUZZ_LIBFUZZER) that is the entry
 * point; built into tests/fuzz/replay (`make check`) it is renamed
 * lk_fuzz_<name>, so every target links into the one replay driver.
 */
#ifndef LK_FUZZ_H
#define LK_FUZZ_H
#include <stddef.h>
#include <stdint.h>

#define LK_FUZZ_CAT2(a, b) a##b
#define LK_FUZZ_CAT(a, b) LK_FUZZ_CAT2(a, b)

#if defined(LK_FUZZ_NAME) && !defined(LK_FUZZ_LIBFUZZER)
#define LLVMFuzzerTestOneInput LK_FUZZ_CAT(lk_fuzz_, LK_FUZZ_NAME)
#endif

#ifdef LK_FUZZ_NAME
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
#endif

/* An invariant broken by some input: crash loudly, as a fuzzer
 * expects (this is test code, never the library). */
#define LK_FUZZ_ASSERT(cond)                                                   \
	do {                                                                   \
		if (!(cond))                                                   \
			__builtin_trap();                                      \
	} while (0)
#endif
