/* SPDX-License-Identifier: MIT */
/* core/request.c: request and response objects, header rules (names
 * case-insensitive, CR/LF refused naming the header, never its value)
 * and query parameters appended percent-encoded. */
#include <string.h>

#include "cunit_main.h"
#include "http.h"

static lk_request *mk(const char *url)
{
	lk_request *r = NULL;
	CU_ASSERT_EQUAL(lk_request_new(&r, "GET", url), LK_OK);
	return r;
}

static void test_request_new_and_accessors(void)
{
	lk_request *r = NULL;
	size_t len = 99;

	CU_ASSERT_EQUAL_FATAL(lk_request_new(&r, "POST", "https://a.com/x"),
			      LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_method(r), "POST");
	CU_ASSERT_STRING_EQUAL(lk_request_url(r), "https://a.com/x");
	CU_ASSERT_PTR_NULL(lk_request_body(r, &len));
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(lk_request_set_url(r, "https://b.com/y"), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r), "https://b.com/y");
	CU_ASSERT_EQUAL(lk_request_set_url(r, "https://b.com/a\r\nX: y"),
			LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r), "https://b.com/y");

	/* a body may hold NUL bytes */
	CU_ASSERT_EQUAL(lk_request_set_body(r, "a\0b", 3), LK_OK);
	const char *b = lk_request_body(r, &len);
	CU_ASSERT_EQUAL(len, 3);
	CU_ASSERT_EQUAL(memcmp(b, "a\0b", 3), 0);
	CU_ASSERT_EQUAL(lk_request_set_body(r, NULL, 0), LK_OK);
	CU_ASSERT_PTR_NULL(lk_request_body(r, &len));
	CU_ASSERT_EQUAL(len, 0);
	lk_request_free(r);
	lk_request_free(NULL);

	r = (lk_request *)1;
	CU_ASSERT_EQUAL(lk_request_new(&r, "", "https://a.com/"), LK_EINVAL);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_EQUAL(lk_request_new(&r, "GET", NULL), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_new(&r, "GET\r\n", "https://a.com/"),
			LK_EINVAL);
	CU_ASSERT_PTR_NULL(r);
}

static void test_request_headers_case_insensitive_in_order(void)
{
	lk_request *r = mk("https://a.com/");
	const char *n = NULL, *v = NULL;

	CU_ASSERT_EQUAL(lk_request_add_header(r, "Accept", "application/json"),
			LK_OK);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Multi", "1"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "x-multi", "2"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Empty", ""), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 4);
	CU_ASSERT_STRING_EQUAL(lk_request_header(r, "ACCEPT"),
			       "application/json");
	CU_ASSERT_STRING_EQUAL(lk_request_header(r, "X-MULTI"), "1");
	CU_ASSERT_STRING_EQUAL(lk_request_header(r, "x-empty"), "");
	CU_ASSERT_PTR_NULL(lk_request_header(r, "Missing"));
	CU_ASSERT_EQUAL(lk_request_header_at(r, 2, &n, &v), LK_OK);
	CU_ASSERT_STRING_EQUAL(n, "x-multi");
	CU_ASSERT_STRING_EQUAL(v, "2");
	CU_ASSERT_EQUAL(lk_request_header_at(r, 4, &n, &v), LK_EINVAL);

	/* set replaces every header of that name, whatever its case */
	CU_ASSERT_EQUAL(lk_request_set_header(r, "X-MULTI", "3"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 3);
	CU_ASSERT_STRING_EQUAL(lk_request_header(r, "x-multi"), "3");
	CU_ASSERT_EQUAL(lk_request_header_at(r, 2, &n, &v), LK_OK);
	CU_ASSERT_STRING_EQUAL(n, "X-MULTI");
	CU_ASSERT_EQUAL(lk_request_set_header(r, "New", "n"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 4);

	CU_ASSERT_EQUAL(lk_request_remove_header(r, "accept"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 3);
	CU_ASSERT_PTR_NULL(lk_request_header(r, "Accept"));
	CU_ASSERT_EQUAL(lk_request_header_at(r, 0, &n, &v), LK_OK);
	CU_ASSERT_STRING_EQUAL(n, "X-Empty");
	CU_ASSERT_EQUAL(lk_request_remove_header(r, "absent"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 3);
	lk_request_free(r);
}

static void test_request_header_crlf_refused_naming_header_not_value(void)
{
	lk_request *r = mk("https://a.com/");
	static const char *bad[] = {"tok\r\nX-Injected: 1", "tok\n", "\rtok"};

	CU_ASSERT_EQUAL(lk_request_add_header(r, "Authorization", "ok"), LK_OK);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Key", bad[i]),
				LK_EINVAL);
		CU_ASSERT_STRING_EQUAL(
		    lk_request__error(),
		    "header \"X-Key\": value holds CR or LF");
		CU_ASSERT_PTR_NULL(strstr(lk_request__error(), "tok"));
		CU_ASSERT_EQUAL(
		    lk_request_set_header(r, "Authorization", bad[i]),
		    LK_EINVAL);
	}
	/* nothing changed */
	CU_ASSERT_EQUAL(lk_request_header_count(r), 1);
	CU_ASSERT_STRING_EQUAL(lk_request_header(r, "Authorization"), "ok");

	/* names: a token (RFC 9110 section 5.6.2) */
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Bad\r\nY", "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "Bad Name", "v"), LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_request__error(),
			       "header \"Bad Name\": not a valid header name");
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X:Y", "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "", "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_header(r, NULL, "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Null", NULL), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_header(r, "X-Ok_1.2~", "v"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_header_count(r), 2);
	CU_ASSERT_TRUE(lk_header__value_ok("Bearer abc"));
	CU_ASSERT_FALSE(lk_header__value_ok("a\rb"));
	CU_ASSERT_FALSE(lk_header__value_ok(NULL));
	lk_request_free(r);
}

static void test_request_add_query_appends_percent_encoded(void)
{
	lk_request *r = mk("https://a.com/x");

	CU_ASSERT_EQUAL(lk_request_add_query(r, "q", "a b&c=d"), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r),
			       "https://a.com/x?q=a+b%26c%3dd");
	CU_ASSERT_EQUAL(lk_request_add_query(r, "k y", "\xc3\xa9/?#%+"), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r),
			       "https://a.com/x?q=a+b%26c%3dd&k+y="
			       "%c3%a9%2f%3f%23%25%2b");
	CU_ASSERT_EQUAL(lk_request_add_query(r, "empty", ""), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r),
			       "https://a.com/x?q=a+b%26c%3dd&k+y="
			       "%c3%a9%2f%3f%23%25%2b&empty=");
	lk_request_free(r);

	/* an existing query is kept; a fragment stays out of it */
	r = mk("https://a.com/p?a=1#frag");
	CU_ASSERT_EQUAL(lk_request_add_query(r, "key", "v"), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r),
			       "https://a.com/p?a=1&key=v#frag");
	/* refused: '=' in a name, empty name; the URL is unchanged */
	CU_ASSERT_EQUAL(lk_request_add_query(r, "a=b", "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_query(r, "", "v"), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_request_add_query(r, "n", NULL), LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r),
			       "https://a.com/p?a=1&key=v#frag");
	lk_request_free(r);

	r = mk("not-a-url");
	CU_ASSERT_EQUAL(lk_request_add_query(r, "k", "v"), LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_request_url(r), "not-a-url");
	lk_request_free(r);
}

static void test_request_dup_is_deep(void)
{
	lk_request *r = mk("https://a.com/");
	lk_request *d = NULL;
	size_t len = 0;

	lk_request_add_header(r, "A", "1");
	lk_request_set_body(r, "body", 4);
	CU_ASSERT_EQUAL_FATAL(lk_request__dup(&d, r), LK_OK);
	lk_request_set_header(r, "A", "2");
	lk_request_set_body(r, "x", 1);
	lk_request_set_url(r, "https://b.com/");
	CU_ASSERT_STRING_EQUAL(lk_request_header(d, "a"), "1");
	CU_ASSERT_STRING_EQUAL(lk_request_url(d), "https://a.com/");
	CU_ASSERT_STRING_EQUAL(lk_request_method(d), "GET");
	CU_ASSERT_EQUAL(memcmp(lk_request_body(d, &len), "body", 4), 0);
	CU_ASSERT_EQUAL(len, 4);
	lk_request_free(r);
	lk_request_free(d);
}

static void test_response_build_and_read(void)
{
	lk_response *resp = NULL;
	const char *n = NULL, *v = NULL;
	size_t len = 9;

	CU_ASSERT_EQUAL_FATAL(lk_response__new(&resp), LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 0);
	/* an empty body is still a NUL-terminated string */
	CU_ASSERT_STRING_EQUAL(lk_response_body(resp, &len), "");
	CU_ASSERT_EQUAL(len, 0);
	CU_ASSERT_EQUAL(
	    lk_response__add_header(resp, "Content-Type", "application/json"),
	    LK_OK);
	CU_ASSERT_EQUAL(lk_response__add_header(resp, "Set-Cookie", "a=1"),
			LK_OK);
	CU_ASSERT_EQUAL(lk_response__add_header(resp, "set-cookie", "b=2"),
			LK_OK);
	CU_ASSERT_EQUAL(lk_response_header_count(resp), 3);
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "content-type"),
			       "application/json");
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "SET-COOKIE"), "a=1");
	CU_ASSERT_EQUAL(lk_response_header_at(resp, 2, &n, &v), LK_OK);
	CU_ASSERT_STRING_EQUAL(v, "b=2");
	CU_ASSERT_EQUAL(lk_response_header_at(resp, 3, &n, &v), LK_EINVAL);
	CU_ASSERT_EQUAL(lk_response__set_body(resp, "{\"a\":1}x", 7), LK_OK);
	const char *b = lk_response_body(resp, &len);
	CU_ASSERT_EQUAL(len, 7);
	CU_ASSERT_STRING_EQUAL(b, "{\"a\":1}"); /* NUL after len */
	lk_response_free(resp);
	lk_response_free(NULL);
	CU_ASSERT_EQUAL(lk_response_status(NULL), 0);
	CU_ASSERT_PTR_NULL(lk_response_header(NULL, "x"));
}

static int register_request(void)
{
	CU_pSuite s = CU_add_suite("request", NULL, NULL);
	if (!s)
		return 1;
	CU_add_test(s, "new and accessors", test_request_new_and_accessors);
	CU_add_test(s, "headers case-insensitive, in order",
		    test_request_headers_case_insensitive_in_order);
	CU_add_test(s, "CR/LF refused naming the header, not the value",
		    test_request_header_crlf_refused_naming_header_not_value);
	CU_add_test(s, "add_query appends percent-encoded",
		    test_request_add_query_appends_percent_encoded);
	CU_add_test(s, "dup is deep", test_request_dup_is_deep);
	CU_add_test(s, "response build and read", test_response_build_and_read);
	return 0;
}

LK_CUNIT_MAIN(register_request)
