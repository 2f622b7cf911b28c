/* SPDX-License-Identifier: MIT */
/* The fuzz targets, one line each: LK_FUZZ_TARGET(name) for
 * tests/fuzz/fuzz_<name>.c, whose corpus is tests/fuzz/corpus/<name>/.
 * Adding one: a line here, its sources in tests/fuzz/local.mk. */
LK_FUZZ_TARGET(token_response)
LK_FUZZ_TARGET(template)
LK_FUZZ_TARGET(digest_challenge)
LK_FUZZ_TARGET(oauth2_callback)
LK_FUZZ_TARGET(oauth1_encode)
