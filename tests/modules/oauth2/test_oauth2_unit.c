/* SPDX-License-Identifier: MIT */
/* oauth2.so's pure parts: PKCE against RFC 7636 appendix B byte for
 * byte, the callback query reader, the parameter encoding, and the
 * module's table as the loader sees it. */
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"

#include "core.h"
#include "loader.h"

#include "oauth2_callback.h"
#include "oauth2_params.h"
#include "oauth2_pkce.h"

/* RFC 7636 appendix B: the octets, the verifier and the challenge as the
 * RFC prints them (SHA-256 of the verifier, checked with openssl dgst). */
static const unsigned char verifier_octets[32] = {
    116, 24,  223, 180, 151, 153, 224, 37,  79,	 250, 96,
    125, 216, 173, 187, 186, 22,  212, 37,  77,	 105, 214,
    191, 240, 91,  88,	5,   88,  83,  132, 141, 121};
static const unsigned char challenge_octets[32] = {
    19, 211, 30,  150, 26,  26,	 216, 236, 47,	22,  177,
    12, 76,  152, 46,  8,   118, 168, 120, 173, 109, 241,
    68, 86,  110, 225, 137, 74,	 203, 112, 249, 195};
#define RFC_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

static lk_status rfc_entropy(void *buf, size_t len)
{
	memcpy(buf, verifier_octets, len < 32 ? len : 32);
	return LK_OK;
}

static void test_pkce_matches_rfc7636_appendix_b(void)
{
	char out[45];

	oauth2_pkce_b64url(out, verifier_octets, 32);
	CU_ASSERT_STRING_EQUAL(out, RFC_VERIFIER);
	oauth2_pkce_b64url(out, challenge_octets, 32);
	CU_ASSERT_STRING_EQUAL(out, RFC_CHALLENGE);
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, RFC_VERIFIER), LK_OK);
	CU_ASSERT_STRING_EQUAL(out, RFC_CHALLENGE);
	/* The verifier comes from the core's randomness, 32 octets. */
	lk_test_set_entropy(rfc_entropy, NULL);
	CU_ASSERT_EQUAL(oauth2_pkce_random(out), LK_OK);
	lk_test_set_entropy(NULL, NULL);
	CU_ASSERT_STRING_EQUAL(out, RFC_VERIFIER);
}

static void test_pkce_random_is_43_unreserved_and_fresh(void)
{
	char a[OAUTH2_RANDOM_LEN + 1], b[OAUTH2_RANDOM_LEN + 1], c[44];

	CU_ASSERT_EQUAL(oauth2_pkce_random(a), LK_OK);
	CU_ASSERT_EQUAL(oauth2_pkce_random(b), LK_OK);
	CU_ASSERT_EQUAL(strlen(a), 43);
	CU_ASSERT_STRING_NOT_EQUAL(a, b);
	CU_ASSERT_EQUAL(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_"),
			43);
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(c, a), LK_OK);
}

/* RFC 7636 section 4.1: 43 to 128 unreserved characters. */
static void test_pkce_verifier_checked(void)
{
	char out[44], longv[130];

	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, "short"), LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(
			    out, "dBjftJeZ4CVP+mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
			LK_EINVAL);
	memset(longv, 'a', 129);
	longv[129] = '\0';
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, longv), LK_EINVAL);
	longv[128] = '\0';
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, longv), LK_OK);
	longv[43] = '\0';
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, longv), LK_OK);
	longv[42] = '\0';
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, longv), LK_EINVAL);
	CU_ASSERT_EQUAL(oauth2_pkce_challenge(out, NULL), LK_EINVAL);
}

static void expect_param(const char *url, const char *name, lk_status st,
			 const char *value)
{
	char *v = NULL;

	CU_ASSERT_EQUAL(oauth2_callback_param(&v, url, name), st);
	if (value) {
		CU_ASSERT_PTR_NOT_NULL(v);
		if (v)
			CU_ASSERT_STRING_EQUAL(v, value);
	} else {
		CU_ASSERT_PTR_NULL(v);
	}
	lk_free(v);
}

static void test_callback_query_decoding(void)
{
	const char *cb = "http://127.0.0.1:8765/callback?code=a%2Bb+c%2f&"
			 "st%61te=xyz&empty=&bare#code=frag";

	expect_param(cb, "code", LK_OK, "a+b c/");
	expect_param(cb, "state", LK_OK, "xyz");
	expect_param(cb, "empty", LK_OK, "");
	expect_param(cb, "bare", LK_OK, "");
	expect_param(cb, "error", LK_OK, NULL);
	expect_param("http://h/cb#code=1", "code", LK_OK, NULL);
	expect_param("http://h/cb", "code", LK_OK, NULL);
	expect_param(NULL, "code", LK_OK, NULL);
	expect_param("http://h/cb?code=1&code=2", "code", LK_OK, "1");
	expect_param("http://h/cb?error=access_denied&error_description="
		     "The+user+said+no",
		     "error_description", LK_OK, "The user said no");
	/* Malformed escapes and an encoded NUL are refused. */
	expect_param("http://h/cb?code=%zz", "code", LK_EINVAL, NULL);
	expect_param("http://h/cb?code=%4", "code", LK_EINVAL, NULL);
	expect_param("http://h/cb?code=ab%", "code", LK_EINVAL, NULL);
	expect_param("http://h/cb?code=a%00b", "code", LK_EINVAL, NULL);
	expect_param("http://h/cb?x%zz=1&code=2", "code", LK_EINVAL, NULL);
}

/* Untrusted input: random bytes around the interesting characters must
 * never crash or read out of bounds (run under ASan too). */
static void test_callback_survives_random_input(void)
{
	static const char alphabet[] = "%%%&&==+?#abcAF09\x01\xff";
	unsigned seed = 12345;
	char url[64], *v = NULL;

	for (int round = 0; round < 20000; round++) {
		size_t n = 1 + (size_t)(round % 60);
		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			url[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
		}
		url[n] = '\0';
		lk_status st = oauth2_callback_param(&v, url, "a");
		CU_ASSERT(st == LK_OK || st == LK_EINVAL);
		CU_ASSERT(st == LK_OK || v == NULL);
		lk_free(v);
		v = NULL;
	}
}

static void test_params_form_encoding(void)
{
	struct oauth2_params p = {0};
	char *enc = NULL;

	CU_ASSERT_EQUAL(oauth2_params_add(&p, "grant_type", "refresh_token"),
			LK_OK);
	CU_ASSERT_EQUAL(oauth2_params_add(&p, "skipped", NULL), LK_OK);
	CU_ASSERT_EQUAL(oauth2_params_add(&p, "scope", "read write"), LK_OK);
	CU_ASSERT_EQUAL(oauth2_params_add(&p, "x", "a&b=c+d/e:f?\xc3\xa9~"),
			LK_OK);
	CU_ASSERT_EQUAL(p.n, 3);
	CU_ASSERT_EQUAL(oauth2_params_encode(&enc, &p), LK_OK);
	CU_ASSERT_STRING_EQUAL(enc, "grant_type=refresh_token&scope=read+write"
				    "&x=a%26b%3dc%2bd%2fe%3af%3f%c3%a9~");
	lk_str_wipe_free(enc);
	p.n = 0;
	CU_ASSERT_EQUAL(oauth2_params_encode(&enc, &p), LK_OK);
	CU_ASSERT_STRING_EQUAL(enc, "");
	lk_str_wipe_free(enc);
	for (int i = 0; i < OAUTH2_PARAMS_MAX; i++)
		CU_ASSERT_EQUAL(oauth2_params_add(&p, "k", "v"), LK_OK);
	CU_ASSERT_EQUAL(oauth2_params_add(&p, "k", "v"), LK_EINVAL);
}

/* The built module as the loader sees it (STYLE.md B10 load test). */
static void test_module_loads_with_a_redirect_flow(void)
{
	lk_ctx *ctx = NULL;
	struct lk_module_rt *rt = NULL;
	char dir[512];
	const char *b = getenv("top_builddir");

	snprintf(dir, sizeof dir, "%s/modules/oauth2/.libs", b ? b : ".");
	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_loader__open(&rt, ctx, dir, "oauth2"), LK_OK);
	CU_ASSERT(rt->has_scheme);
	CU_ASSERT(rt->scheme.flags & LK_SCHEME_REDIRECT_FLOW);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.connect_begin);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.connect_finish);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.refresh);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.on_response);
	size_t n = 0;
	bool auto_choice = false;
	for (; rt->scheme.config_keys[n].name; n++)
		if (!strcmp(rt->scheme.config_keys[n].name, "token_request"))
			auto_choice =
			    !strcmp(rt->scheme.config_keys[n].choices,
				    "body|query|auto") &&
			    !strcmp(rt->scheme.config_keys[n].default_value,
				    "body");
	CU_ASSERT_EQUAL(n, 14);
	CU_ASSERT(auto_choice);
	lk_loader__close(rt);
	lk_ctx_free(ctx);
}

static int register_unit(void)
{
	CU_pSuite s = CU_add_suite("oauth2_unit", NULL, NULL);
	if (!s)
		return 1;
	CU_add_test(s, "pkce_matches_rfc7636_appendix_b",
		    test_pkce_matches_rfc7636_appendix_b);
	CU_add_test(s, "pkce_random_is_43_unreserved_and_fresh",
		    test_pkce_random_is_43_unreserved_and_fresh);
	CU_add_test(s, "pkce_verifier_checked", test_pkce_verifier_checked);
	CU_add_test(s, "callback_query_decoding", test_callback_query_decoding);
	CU_add_test(s, "callback_survives_random_input",
		    test_callback_survives_random_input);
	CU_add_test(s, "params_form_encoding", test_params_form_encoding);
	CU_add_test(s, "module_loads_with_a_redirect_flow",
		    test_module_loads_with_a_redirect_flow);
	return 0;
}

LK_CUNIT_MAIN(register_unit)
