/* SPDX-License-Identifier: MIT */
/* core/url.c: which URLs lie under an app's base_urls, schemes, origins
 * and relative Locations. */
#include <string.h>

#include "cunit_main.h"
#include "error.h"
#include "url.h"

static lk_ctx *ctx;

static int suite_init(void)
{
	return lk_ctx_new(&ctx) == LK_OK ? 0 : 1;
}

static int suite_fini(void)
{
	lk_ctx_free(ctx);
	return 0;
}

/* A minimal app: only the fields lk_url__check_base reads. */
/* Both ways the core checks: base_urls parsed at each check, and parsed
 * once when the app was bound (lk_url__prepare_bases); they must agree,
 * messages included. */
static lk_status check(const char *base, const char *url, bool allow_http)
{
	char *bases[] = {(char *)base};
	lk_app app = {.id = "t",
		      .base_urls = bases,
		      .nbase_urls = 1,
		      .allow_http = allow_http};
	lk_status fresh = lk_url__check_base(ctx, &app, NULL, url);
	char msg[512];
	snprintf(msg, sizeof msg, "%s", lk_errmsg(ctx));
	CU_ASSERT_EQUAL_FATAL(lk_url__prepare_bases(&app), LK_OK);
	lk_status prepared = lk_url__check_base(ctx, &app, NULL, url);
	CU_ASSERT_EQUAL(prepared, fresh);
	if (fresh != LK_OK)
		CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), msg);
	lk_url__free_bases(&app);
	return prepared;
}

struct pair {
	const char *base;
	const char *url;
	lk_status want;
};

static const struct pair pairs[] = {
    /* path on a segment boundary, base with and without '/' */
    {"https://a.com/api/", "https://a.com/api/x", LK_OK},
    {"https://a.com/api/", "https://a.com/api/x/y?q=1#f", LK_OK},
    {"https://a.com/api/", "https://a.com/api", LK_OK},
    {"https://a.com/api/", "https://a.com/apix", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/", LK_EDENIED},
    {"https://a.com/api", "https://a.com/api/x", LK_OK},
    {"https://a.com/api", "https://a.com/api", LK_OK},
    {"https://a.com/api", "https://a.com/apix", LK_EDENIED},
    {"https://a.com/api", "https://a.com/ap", LK_EDENIED},
    {"https://a.com", "https://a.com/anything", LK_OK},
    {"https://a.com/", "https://a.com", LK_OK},
    /* host exactly, case-insensitive */
    {"https://a.com/", "https://A.COM/x", LK_OK},
    {"https://A.com/", "https://a.com/x", LK_OK},
    {"https://a.com/", "https://a.com.evil/x", LK_EDENIED},
    {"https://a.com/", "https://a.com.evil", LK_EDENIED},
    {"https://a.com/", "https://evil.a.com/x", LK_EDENIED},
    {"https://a.com/", "https://xa.com/x", LK_EDENIED},
    /* userinfo refused, whatever the host */
    {"https://a.com/", "https://a.com@evil/x", LK_EDENIED},
    {"https://a.com/", "https://a.com@evil", LK_EDENIED},
    {"https://a.com/", "https://u:p@a.com/x", LK_EDENIED},
    {"https://a.com/", "https://u@a.com/x", LK_EDENIED},
    {"https://u@a.com/", "https://u@a.com/x", LK_EDENIED},
    /* ports, default ports normalised */
    {"https://a.com/", "https://a.com:443/x", LK_OK},
    {"https://a.com:443/", "https://a.com/x", LK_OK},
    {"https://a.com/", "https://a.com:8443/x", LK_EDENIED},
    {"https://a.com:8443/", "https://a.com:8443/x", LK_OK},
    {"https://a.com:8443/", "https://a.com/x", LK_EDENIED},
    /* dot segments: literal ones are resolved first, encoded ones
     * are refused */
    {"https://a.com/api/", "https://a.com/api/../admin", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/x/../y", LK_OK},
    {"https://a.com/api/", "https://a.com/api/./y", LK_OK},
    {"https://a.com/api/", "https://a.com/api/%2e%2e/admin", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/%2E%2E/admin", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/.%2e/admin", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/%2e/x", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api%2f..%2fadmin", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/x%2e%2ey", LK_OK},
    /* tricks in the authority and path */
    {"https://a.com/api/", "https://a.com%2f@evil/api/", LK_EDENIED},
    {"https://a.com/api/", "https://a.com:443@evil/api/", LK_EDENIED},
    {"https://a.com/api/", "https://a.com?@evil/api/", LK_EDENIED},
    {"https://a.com/api/", "https://a.com#@evil/api/", LK_EDENIED},
    {"https://a.com/api/", "https://a.com./api/x", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/x\\..\\y", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/api/%00x", LK_EDENIED},
    {"https://a.com/api/", "https://a.com/API/x", LK_EDENIED},
    {"https://a.com/api/", "https://a.com%00.evil/api/", LK_EINVAL},
    /* schemes: http only when the app allows it, never mixed */
    {"https://a.com/", "http://a.com/x", LK_EDENIED},
    {"http://a.com/", "http://a.com/x", LK_EDENIED},
    {"http://a.com/", "https://a.com/x", LK_EDENIED},
    {"https://a.com/", "ftp://a.com/x", LK_EDENIED},
    {"https://a.com/", "file:///etc/passwd", LK_EINVAL},
    /* not absolute URLs */
    {"https://a.com/", "/x", LK_EINVAL},
    {"https://a.com/", "a.com/x", LK_EINVAL},
    {"https://a.com/", "", LK_EINVAL},
};

static void test_url_base_table_of_allowed_and_refused_pairs(void)
{
	for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
		lk_status got = check(pairs[i].base, pairs[i].url, false);
		if (got != pairs[i].want)
			fprintf(stderr, "\n  base %s url %s: got %s want %s\n",
				pairs[i].base, pairs[i].url,
				lk_status_name(got),
				lk_status_name(pairs[i].want));
		CU_ASSERT_EQUAL(got, pairs[i].want);
	}
}

static void test_url_base_http_only_when_app_allows_it(void)
{
	CU_ASSERT_EQUAL(
	    check("http://127.0.0.1:8080/", "http://127.0.0.1:8080/x", true),
	    LK_OK);
	CU_ASSERT_EQUAL(
	    check("http://127.0.0.1:8080/", "http://127.0.0.1:8081/x", true),
	    LK_EDENIED);
	CU_ASSERT_EQUAL(check("http://a.com/", "http://a.com:80/x", true),
			LK_OK);
	CU_ASSERT_EQUAL(check("https://a.com/", "http://a.com/x", true),
			LK_EDENIED);
	CU_ASSERT_EQUAL(check("http://a.com/", "http://a.com/x", false),
			LK_EDENIED);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "t: http URLs are refused (https only)");
}

static void test_url_base_message_names_origin_not_path_or_query(void)
{
	CU_ASSERT_EQUAL(check("https://a.com/api/",
			      "https://a.com/other?key=s3cret", false),
			LK_EDENIED);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "t: a request to https://a.com:443 is not under "
			       "the app's base_urls; the connection is applied "
			       "only there");
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "s3cret"));
	CU_ASSERT_EQUAL(
	    check("https://a.com/", "https://u:s3cret@a.com/", false),
	    LK_EDENIED);
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "s3cret"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "userinfo"));
}

static void test_url_base_any_of_several_and_templates(void)
{
	char *bases[] = {"https://{{sub}}.example.com/api/",
			 "https://static.example.org/"};
	lk_app app = {.id = "t", .base_urls = bases, .nbase_urls = 2};
	lk_fields *f = NULL;

	CU_ASSERT_EQUAL_FATAL(lk_fields_new(&f), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_set(f, "sub", "acme", false), LK_OK);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, f, "https://acme.example.com/api/v1"),
	    LK_OK);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, f, "https://ACME.example.com/api/v1"),
	    LK_OK);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, f, "https://evil.example.com/api/v1"),
	    LK_EDENIED);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, f, "https://static.example.org/x"),
	    LK_OK);
	/* A field that would leave the host's label does not render: that
	 * base is skipped, never widened. */
	CU_ASSERT_EQUAL(lk_fields_set(f, "sub", "evil.com/x?", false), LK_OK);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, f,
			       "https://evil.com/x?.example.com/api/"),
	    LK_EDENIED);
	/* Without the field, only the literal base is left. */
	CU_ASSERT_EQUAL(lk_url__check_base(ctx, &app, NULL,
					   "https://acme.example.com/api/v1"),
			LK_EDENIED);
	CU_ASSERT_EQUAL(
	    lk_url__check_base(ctx, &app, NULL, "https://static.example.org/y"),
	    LK_OK);
	lk_fields_free(f);
}

static void test_url_base_none_configured_refuses_everything(void)
{
	lk_app app = {.id = "t"};
	CU_ASSERT_EQUAL(lk_url__check_base(ctx, &app, NULL, "https://a.com/"),
			LK_EDENIED);
}

/* The scheme of a URL libcurl parsed (lk_http__send parses once). */
static lk_status scheme_of(const char *url, bool allow_http)
{
	CURLU *u = curl_url();
	lk_status rc = LK_EINVAL;
	if (u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK)
		rc = lk_url__check_scheme(ctx, u, allow_http);
	curl_url_cleanup(u);
	return rc;
}

static void test_url_check_scheme(void)
{
	CU_ASSERT_EQUAL(scheme_of("https://a.com/x", false), LK_OK);
	CU_ASSERT_EQUAL(scheme_of("HTTPS://a.com/x", false), LK_OK);
	CU_ASSERT_EQUAL(scheme_of("http://a.com/x", false), LK_EDENIED);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "http://a.com: http is refused (https only)");
	CU_ASSERT_EQUAL(scheme_of("http://a.com/x", true), LK_OK);
	CU_ASSERT_EQUAL(scheme_of("ftp://a.com/x", true), LK_EDENIED);
	CU_ASSERT_EQUAL(scheme_of("nonsense", true), LK_EINVAL);
	CU_ASSERT_EQUAL(scheme_of(NULL, true), LK_EINVAL);
}

static void test_url_same_origin(void)
{
	CU_ASSERT_TRUE(
	    lk_url__same_origin("https://a.com/x", "https://A.com:443/y"));
	CU_ASSERT_TRUE(lk_url__same_origin("http://a.com/", "http://a.com:80"));
	CU_ASSERT_FALSE(lk_url__same_origin("https://a.com/", "http://a.com/"));
	CU_ASSERT_FALSE(
	    lk_url__same_origin("https://a.com/", "https://a.com:8443/"));
	CU_ASSERT_FALSE(
	    lk_url__same_origin("https://a.com/", "https://b.com/"));
	CU_ASSERT_FALSE(lk_url__same_origin("https://a.com/", "not a url"));
	CU_ASSERT_FALSE(lk_url__same_origin(NULL, "https://a.com/"));
}

static void resolves(const char *base, const char *loc, const char *want)
{
	char *got = NULL;
	CU_ASSERT_EQUAL(lk_url__resolve(&got, base, loc), LK_OK);
	if (got && strcmp(got, want) != 0)
		fprintf(stderr, "\n  %s + %s: got %s want %s\n", base, loc, got,
			want);
	CU_ASSERT_STRING_EQUAL(got ? got : "", want);
	lk_free(got);
}

static void test_url_resolve_relative_locations(void)
{
	const char *b = "https://a.com/api/v1/items?x=1";
	resolves(b, "/login", "https://a.com/login");
	resolves(b, "next", "https://a.com/api/v1/next");
	resolves(b, "../v2/items", "https://a.com/api/v2/items");
	resolves(b, "?page=2", "https://a.com/api/v1/items?page=2");
	resolves(b, "//b.com/x", "https://b.com/x");
	resolves(b, "http://c.com/y", "http://c.com/y");
	resolves(b, "https://a.com:8443/z", "https://a.com:8443/z");

	char *got = (char *)"sentinel";
	CU_ASSERT_EQUAL(lk_url__resolve(&got, b, ""), LK_EINVAL);
	CU_ASSERT_PTR_NULL(got);
	CU_ASSERT_EQUAL(lk_url__resolve(&got, "not a url", "/x"), LK_EINVAL);
	CU_ASSERT_PTR_NULL(got);
}

static int register_url(void)
{
	CU_pSuite s = CU_add_suite("url", suite_init, suite_fini);
	if (!s)
		return 1;
	CU_add_test(s, "base: table of allowed and refused pairs",
		    test_url_base_table_of_allowed_and_refused_pairs);
	CU_add_test(s, "base: http only when the app allows it",
		    test_url_base_http_only_when_app_allows_it);
	CU_add_test(s, "base: message names the origin, not path or query",
		    test_url_base_message_names_origin_not_path_or_query);
	CU_add_test(s, "base: any of several, rendered templates",
		    test_url_base_any_of_several_and_templates);
	CU_add_test(s, "base: none configured refuses everything",
		    test_url_base_none_configured_refuses_everything);
	CU_add_test(s, "check_scheme", test_url_check_scheme);
	CU_add_test(s, "same_origin", test_url_same_origin);
	CU_add_test(s, "resolve relative Locations",
		    test_url_resolve_relative_locations);
	return 0;
}

LK_CUNIT_MAIN(register_url)
