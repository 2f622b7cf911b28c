/* SPDX-License-Identifier: MIT */
/* core/token_response.c: JSON, XML and form responses, format choice,
 * caps, hostile XML (billion laughs, external entities) and the exact
 * messages for malformed input. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>

#include "cunit_main.h"
#include "token_response.h"

static lk_ctx *ctx;

static int setup(void)
{
	return lk_ctx_new(&ctx) == LK_OK ? 0 : 1;
}

static int teardown(void)
{
	lk_ctx_free(ctx);
	return 0;
}

static lk_fields *parse_ok(const char *ct, const char *body)
{
	lk_fields *f = NULL;
	lk_status rc =
	    lk_token_response__parse(&f, ctx, ct, body, strlen(body));
	CU_ASSERT_EQUAL(rc, LK_OK);
	if (rc != LK_OK)
		fprintf(stderr, "\n  %s\n", lk_errmsg(ctx));
	CU_ASSERT_PTR_NOT_NULL(f);
	return f;
}

static void expect_field(const lk_fields *f, const char *key, const char *want,
			 bool secret)
{
	const char *v = f ? lk_fields_get(f, key) : NULL;
	CU_ASSERT_PTR_NOT_NULL(v);
	if (!v) {
		fprintf(stderr, "\n  missing key %s\n", key);
		return;
	}
	CU_ASSERT_STRING_EQUAL(v, want);
	CU_ASSERT_EQUAL(lk_fields_is_secret(f, key), secret);
}

/* Parse must fail with exactly @p msg, for both entry points, and the
 * message must not quote the body. */
static void expect_fail_len(const char *ct, const char *body, size_t len,
			    const char *msg)
{
	lk_fields *f = (lk_fields *)1;
	char *json = (char *)"untouched";
	CU_ASSERT_EQUAL(lk_token_response__parse(&f, ctx, ct, body, len),
			LK_EPROTO);
	CU_ASSERT_PTR_NULL(f);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), msg);
	if (strcmp(lk_errmsg(ctx), msg) != 0)
		fprintf(stderr, "\n  got  [%s]\n  want [%s]\n", lk_errmsg(ctx),
			msg);
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "SENTINEL"));
	CU_ASSERT_EQUAL(lk_token_response__to_json(&json, ctx, ct, body, len),
			LK_EPROTO);
	CU_ASSERT_PTR_NULL(json);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), msg);
}

static void expect_fail(const char *ct, const char *body, const char *msg)
{
	expect_fail_len(ct, body, strlen(body), msg);
}

static void expect_json(const char *ct, const char *body, const char *want)
{
	char *json = NULL;
	lk_status rc =
	    lk_token_response__to_json(&json, ctx, ct, body, strlen(body));
	CU_ASSERT_EQUAL(rc, LK_OK);
	CU_ASSERT_PTR_NOT_NULL(json);
	if (json) {
		CU_ASSERT_STRING_EQUAL(json, want);
		if (strcmp(json, want) != 0)
			fprintf(stderr, "\n  got  [%s]\n  want [%s]\n", json,
				want);
	}
	lk_free(json);
}

static const char github_form[] =
    "access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a"
    "&scope=repo%2Cgist&token_type=bearer";

static void test_github_form_response(void)
{
	lk_fields *f = parse_ok("application/x-www-form-urlencoded; "
				"charset=utf-8",
				github_form);
	CU_ASSERT_EQUAL(lk_fields_count(f), 3);
	expect_field(f, "access_token",
		     "gho_16C7e42F292c6912E7710c838347Ae178B4a", true);
	expect_field(f, "scope", "repo,gist", false);
	expect_field(f, "token_type", "bearer", false);
	lk_fields_free(f);
	expect_json("application/x-www-form-urlencoded", github_form,
		    "{\"access_token\":\"gho_16C7e42F292c6912E7710c838347Ae178"
		    "B4a\",\"scope\":\"repo,gist\",\"token_type\":\"bearer\"}");
}

static void test_form_decoding_plus_empty_and_repeated(void)
{
	lk_fields *f = parse_ok(NULL, "a=hello+world&b=%2B%26%3D&&c&d=&a=again"
				      "\r\n");
	CU_ASSERT_EQUAL(lk_fields_count(f), 4);
	expect_field(f, "a", "again", false);
	expect_field(f, "b", "+&=", false);
	expect_field(f, "c", "", false);
	expect_field(f, "d", "", false);
	lk_fields_free(f);
	f = parse_ok(NULL, "");
	CU_ASSERT_EQUAL(lk_fields_count(f), 0);
	lk_fields_free(f);
	expect_json(NULL, "", "{}");
	expect_json(NULL, " \n", "{}");
}

static const char salesforce[] =
    "{\"access_token\":\"00Dxx0000001gPL!AR8AQJXg5oj8jXSgxJfA0lBog.39AsX."
    "LVpxezPwuX5VAIrrbbHMuol7GQxnMeYMN7cj8EoWr78nt1u44zU31IbYNNJguseu\","
    "\"signature\":\"bZsVAQQFHoR1EXPpLR5Vr/a4c7f0LU0TlV2Ln9mjZ8o=\","
    "\"scope\":\"refresh_token api\",\"instance_url\":"
    "\"https://yourInstance.salesforce.com\",\"id\":"
    "\"https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001Sv6AAAS"
    "\",\"token_type\":\"Bearer\",\"issued_at\":\"1278448101416\"}";

static void test_salesforce_json_response(void)
{
	lk_fields *f = parse_ok("application/json;charset=UTF-8", salesforce);
	CU_ASSERT_EQUAL(lk_fields_count(f), 7);
	expect_field(f, "signature",
		     "bZsVAQQFHoR1EXPpLR5Vr/a4c7f0LU0TlV2Ln9mjZ8o=", true);
	expect_field(f, "instance_url", "https://yourInstance.salesforce.com",
		     false);
	expect_field(f, "scope", "refresh_token api", false);
	expect_field(f, "token_type", "Bearer", false);
	expect_field(f, "issued_at", "1278448101416", false);
	CU_ASSERT_TRUE(lk_fields_is_secret(f, "access_token"));
	lk_fields_free(f);
	/* JSON is kept as it came */
	expect_json("application/json", salesforce, salesforce);
}

static void test_nested_json_keys_are_dotted(void)
{
	lk_fields *f = parse_ok("application/json",
				"{\"data\": {\"session\": {\"key\": \"k1\"}, "
				"\"list\": [1, {\"x\": \"y\"}], \"ok\": true, "
				"\"none\": null, \"expires_in\": 3600, "
				"\"f\": 0.5}}");
	CU_ASSERT_EQUAL(lk_fields_count(f), 6);
	expect_field(f, "data.session.key", "k1", true);
	expect_field(f, "data.list.0", "1", false);
	expect_field(f, "data.list.1.x", "y", false);
	expect_field(f, "data.ok", "true", false);
	expect_field(f, "data.expires_in", "3600", false);
	expect_field(f, "data.f", "0.5", false);
	CU_ASSERT_PTR_NULL(lk_fields_get(f, "data.none"));
	lk_fields_free(f);
	f = parse_ok(NULL, "[{\"refresh_token\": \"r\"}, \"s\"]");
	expect_field(f, "0.refresh_token", "r", true);
	expect_field(f, "1", "s", false);
	lk_fields_free(f);
	/* big numbers keep their digits in the JSON form */
	expect_json(NULL, "  {\"id\": 12345678901234567890}\n",
		    "{\"id\": 12345678901234567890}");
}

static const char oauth_xml[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<OAuth>\n"
    "  <access_token>tok-1</access_token>\n"
    "  <token_type>bearer</token_type>\n"
    "  <expires_in>3600</expires_in>\n"
    "  <user><id>7</id><name><![CDATA[A & B]]></name></user>\n"
    "</OAuth>\n";

static void test_xml_oauth_root(void)
{
	lk_fields *f = parse_ok("application/xml", oauth_xml);
	CU_ASSERT_EQUAL(lk_fields_count(f), 5);
	expect_field(f, "access_token", "tok-1", true);
	expect_field(f, "token_type", "bearer", false);
	expect_field(f, "expires_in", "3600", false);
	expect_field(f, "user.id", "7", false);
	expect_field(f, "user.name", "A & B", false);
	lk_fields_free(f);
	expect_json("text/xml; charset=utf-8", oauth_xml,
		    "{\"access_token\":\"tok-1\",\"token_type\":\"bearer\","
		    "\"expires_in\":\"3600\",\"user\":{\"id\":\"7\","
		    "\"name\":\"A & B\"}}");
}

static void test_xml_any_root_repeats_namespaces(void)
{
	const char *doc = "<response xmlns:a=\"urn:x\">\n"
			  "  <session>\n    <key>  abc  </key>\n  </session>\n"
			  "  <item>1</item><item>2</item><item>3</item>\n"
			  "  <a:t attr=\"ignored\">v&amp;w</a:t><empty/>\n"
			  "</response>";
	lk_fields *f = parse_ok(NULL, doc);
	CU_ASSERT_EQUAL(lk_fields_count(f), 6);
	expect_field(f, "session.key", "abc", true);
	expect_field(f, "item.0", "1", false);
	expect_field(f, "item.2", "3", false);
	expect_field(f, "t", "v&w", false);
	expect_field(f, "empty", "", false);
	lk_fields_free(f);
	expect_json(NULL, doc,
		    "{\"session\":{\"key\":\"abc\"},\"item\":[\"1\",\"2\","
		    "\"3\"],\"t\":\"v&w\",\"empty\":\"\"}");
	f = parse_ok(NULL, "<token>abc</token>");
	CU_ASSERT_EQUAL(lk_fields_count(f), 1);
	expect_field(f, "token", "abc", true);
	lk_fields_free(f);
}

static void test_content_type_chooses_else_sniffed(void)
{
	lk_fields *f = parse_ok("text/plain", "{\"a\": \"1\"}");
	expect_field(f, "a", "1", false);
	lk_fields_free(f);
	f = parse_ok("text/html; charset=utf-8", "  \n<r><a>2</a></r>");
	expect_field(f, "a", "2", false);
	lk_fields_free(f);
	f = parse_ok("application/octet-stream", "a=3");
	expect_field(f, "a", "3", false);
	lk_fields_free(f);
	f = parse_ok(NULL, "\xEF\xBB\xBF {\"a\": \"4\"}");
	expect_field(f, "a", "4", false);
	lk_fields_free(f);
	f = parse_ok("Application/VND.api+JSON ; charset=utf-8",
		     "{\"a\": \"5\"}");
	expect_field(f, "a", "5", false);
	lk_fields_free(f);
	f = parse_ok("application/soap+xml", "<r><a>6</a></r>");
	expect_field(f, "a", "6", false);
	lk_fields_free(f);
	/* a declared type is believed: no second guess */
	expect_fail("application/json", "a=1",
		    "token response: JSON: malformed at offset 0");
	expect_fail("application/x-www-form-urlencoded", "{\"a\": 1}",
		    "token response: form: unexpected character (byte 0x20) "
		    "at offset 5");
	expect_fail("application/xml", "{\"a\": 1}",
		    "token response: XML: malformed at line 1, column 1");
}

static void test_size_cap(void)
{
	size_t n = LK_TOKEN_RESPONSE_MAX + 1;
	char *big = malloc(n);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'a', n);
	expect_fail_len(NULL, big, n,
			"token response: too large (262145 bytes, at most "
			"262144)");
	/* exactly at the cap: accepted (one key, empty value) */
	lk_fields *f = NULL;
	CU_ASSERT_EQUAL(lk_token_response__parse(&f, ctx, NULL, big, n - 1),
			LK_OK);
	CU_ASSERT_EQUAL(lk_fields_count(f), 1);
	lk_fields_free(f);
	free(big);
}

static char *nest(const char *open, const char *mid, const char *close,
		  size_t n)
{
	size_t ol = strlen(open), ml = strlen(mid), cl = strlen(close);
	char *s = malloc(ol * n + ml + cl * n + 1);
	char *p = s;
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++, p += ol)
		memcpy(p, open, ol);
	memcpy(p, mid, ml);
	p += ml;
	for (size_t i = 0; i < n; i++, p += cl)
		memcpy(p, close, cl);
	*p = '\0';
	return s;
}

static void test_depth_cap(void)
{
	char *ok = nest("{\"a\":", "\"v\"", "}", 32);
	char *deep = nest("{\"a\":", "\"v\"", "}", 33);
	char *arr = nest("[", "1", "]", 2000);
	char *xok = nest("<a>", "v", "</a>", 33);
	char *xdeep = nest("<a>", "v", "</a>", 34);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ok && deep && arr && xok && xdeep);
	lk_fields *f = parse_ok(NULL, ok);
	CU_ASSERT_EQUAL(lk_fields_count(f), 1);
	lk_fields_free(f);
	expect_fail(NULL, deep,
		    "token response: JSON: nested deeper than 32 levels at "
		    "offset 160");
	expect_fail(NULL, arr,
		    "token response: JSON: nested deeper than 32 levels at "
		    "offset 32");
	f = parse_ok(NULL, xok);
	CU_ASSERT_EQUAL(lk_fields_count(f), 1);
	lk_fields_free(f);
	expect_fail(NULL, xdeep,
		    "token response: XML: nested deeper than 32 levels at "
		    "line 1");
	/* repeated names become arrays: one more level each, as JSON */
	char *xrep = nest("<a><a>1</a>", "v", "</a>", 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xrep);
	f = parse_ok(NULL, xrep);
	lk_fields_free(f);
	free(xrep);
	xrep = nest("<a><a>1</a>", "v", "</a>", 17);
	CU_ASSERT_PTR_NOT_NULL_FATAL(xrep);
	expect_fail(NULL, xrep,
		    "token response: XML: nested deeper than 32 levels");
	free(xrep);
	/* a brace inside a string does not nest */
	f = parse_ok(NULL,
		     "{\"a\": \"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\"}");
	lk_fields_free(f);
	free(ok);
	free(deep);
	free(arr);
	free(xok);
	free(xdeep);
}

static char *many(const char *head, const char *sep, const char *item_fmt,
		  const char *tail, int n)
{
	size_t cap = (size_t)n * 32 + 64;
	char *s = malloc(cap);
	if (!s)
		return NULL;
	size_t len = (size_t)snprintf(s, cap, "%s", head);
	for (int i = 0; i < n; i++) {
		if (i)
			len += (size_t)snprintf(s + len, cap - len, "%s", sep);
		len += (size_t)snprintf(s + len, cap - len, item_fmt, i);
	}
	snprintf(s + len, cap - len, "%s", tail);
	return s;
}

static void test_key_cap(void)
{
	char *j1000 = many("{", ",", "\"k%d\":1", "}", 1000);
	char *j1001 = many("{", ",", "\"k%d\":1", "}", 1001);
	char *f1001 = many("", "&", "k%d=1", "", 1001);
	char *x1001 = many("<r>", "", "<k>%d</k>", "</r>", 1001);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j1000 && j1001 && f1001 && x1001);
	lk_fields *f = parse_ok(NULL, j1000);
	CU_ASSERT_EQUAL(lk_fields_count(f), 1000);
	lk_fields_free(f);
	expect_fail(NULL, j1001, "token response: JSON: more than 1000 keys");
	expect_fail(NULL, f1001, "token response: form: more than 1000 keys");
	expect_fail(NULL, x1001, "token response: XML: more than 1000 keys");
	free(j1000);
	free(j1001);
	free(f1001);
	free(x1001);
}

static void test_billion_laughs_refused(void)
{
	const char *lol =
	    "<?xml version=\"1.0\"?>\n"
	    "<!DOCTYPE lolz [\n"
	    " <!ENTITY lol \"lol\">\n"
	    " <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
	    " <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
	    " <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
	    " <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
	    " <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
	    " <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
	    " <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
	    " <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
	    " <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
	    "]>\n"
	    "<lolz><access_token>&lol9;</access_token></lolz>";
	expect_fail("application/xml", lol,
		    "token response: XML: a DOCTYPE is refused (no DTD, no "
		    "entity declarations)");
	expect_fail(NULL, "<!DOCTYPE r><r><a>1</a></r>",
		    "token response: XML: a DOCTYPE is refused (no DTD, no "
		    "entity declarations)");
	/* an entity that was never declared is not expanded either */
	expect_fail(NULL, "<r><a>&lol9;</a></r>",
		    "token response: XML: malformed at line 1, column 13");
}

/* External entities and DTDs point at a FIFO: opening it for reading
 * would block, so the alarm would kill the test; and at a regular file
 * whose content must never appear. */
static void test_external_entities_never_read(void)
{
	char dir[] = "/tmp/lk-xxe-XXXXXX";
	char fifo[64], file[64], doc[512];
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(fifo, sizeof fifo, "%s/fifo", dir);
	snprintf(file, sizeof file, "%s/file", dir);
	CU_ASSERT_EQUAL_FATAL(mkfifo(fifo, 0600), 0);
	int fd = open(file, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "XXE-SENTINEL", 12), 12);
	close(fd);

	const char *const fmts[] = {
	    "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM "
	    "\"file://%s\">]><r><a>&x;</a></r>",
	    "<!DOCTYPE r SYSTEM \"%s\"><r><a>1</a></r>",
	    "<!DOCTYPE r [<!ENTITY %% p SYSTEM \"%s\"> %%p;]><r/>",
	};
	alarm(20);
	for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
		for (int k = 0; k < 2; k++) {
			snprintf(doc, sizeof doc, fmts[i], k ? file : fifo);
			expect_fail("application/xml", doc,
				    "token response: XML: a DOCTYPE is refused "
				    "(no DTD, no entity declarations)");
			CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "XXE"));
		}
	}
	alarm(0);
	unlink(fifo);
	unlink(file);
	rmdir(dir);
}

static void test_malformed_inputs_exact_messages(void)
{
	expect_fail(NULL, "{\"a\": }",
		    "token response: JSON: malformed at offset 6");
	expect_fail(NULL, "{\"access_token\": \"SENTINEL\",}",
		    "token response: JSON: malformed at offset 28");
	expect_fail(NULL, "{\"a\": 1} x",
		    "token response: JSON: unexpected data after the "
		    "document at offset 9");
	expect_fail("application/json", "\"SENTINEL\"",
		    "token response: JSON: the document is not an object or "
		    "an array");
	expect_fail("application/json", "",
		    "token response: JSON: malformed at offset 0");
	expect_fail(NULL, "<r><a>SENTINEL</b></r>",
		    "token response: XML: malformed at line 1, column 19");
	expect_fail(NULL, "<r><a>1</a>",
		    "token response: XML: malformed at line 1, column 12");
	expect_fail("application/xml", "",
		    "token response: XML: the document is empty");
	expect_fail(NULL, "=SENTINEL",
		    "token response: form: empty key at offset 0");
	expect_fail(NULL, "a=1&%41=2&=x",
		    "token response: form: empty key at offset 10");
	expect_fail(NULL, "a=SENTINEL&b c",
		    "token response: form: unexpected character (byte 0x20) "
		    "at offset 12");
	expect_fail(NULL, "a=SENTINEL%00",
		    "token response: form: a NUL byte (%00) at offset 2");
	expect_fail_len(NULL, "{\"a\": \"x\\\0\"}", 12,
			"token response: JSON: a NUL byte at offset 9");
	expect_fail_len(NULL, "{\"a\": \"x\0\"}", 11,
			"token response: JSON: a NUL byte at offset 8");
	expect_fail_len(NULL, "a=1\0b", 5,
			"token response: form: unexpected character (byte "
			"0x00) at offset 3");
	expect_fail(NULL, "<html><body>Login</body>",
		    "token response: XML: malformed at line 1, column 25");
}

static int generic_calls;

static void count_generic(void *uctx, const char *msg, ...)
{
	(void)msg;
	++*(int *)uctx;
}

/* Encoding errors go to libxml2's per-thread generic handler (stderr by
 * default): silenced during a parse, the host's handler restored. */
static void test_xml_errors_stay_quiet_and_handlers_are_restored(void)
{
	static const char ucs4[] = "<\0\0\0r\0\0\0>\0\0\0\xff\xff\xff\xff";
	xmlSetGenericErrorFunc(&generic_calls, count_generic);
	expect_fail_len("application/xml", ucs4, sizeof ucs4 - 1,
			"token response: XML: malformed at line 1, column 1");
	CU_ASSERT_EQUAL(generic_calls, 0);
	CU_ASSERT(xmlGenericError == count_generic);
	CU_ASSERT(xmlGenericErrorContext == &generic_calls);
	xmlSetGenericErrorFunc(NULL, NULL);
}

/* Several threads parse XML and JSON at once (libxml2 is initialised
 * once, handlers are per thread): every result is whole. */
static void *parse_many(void *arg)
{
	uintptr_t bad = 0;
	(void)arg;
	for (int i = 0; i < 200; i++) {
		lk_fields *f = NULL;
		const char *doc = i % 2 ? oauth_xml : salesforce;
		if (lk_token_response__parse(&f, ctx, NULL, doc, strlen(doc)) !=
			LK_OK ||
		    lk_fields_count(f) != (i % 2 ? 5u : 7u))
			bad++;
		lk_fields_free(f);
		if (lk_token_response__parse(&f, ctx, NULL, "<r><a>1</b></r>",
					     15) != LK_EPROTO)
			bad++;
		lk_fields_free(f);
	}
	return (void *)bad;
}

static void test_parses_concurrently(void)
{
	pthread_t th[4];
	for (int i = 0; i < 4; i++)
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&th[i], NULL, parse_many, NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *bad = NULL;
		pthread_join(th[i], &bad);
		CU_ASSERT_PTR_NULL(bad);
	}
}

static int register_token_response(void)
{
	CU_pSuite s = CU_add_suite("token_response", setup, teardown);
	if (!s)
		return 1;
	struct {
		const char *name;
		CU_TestFunc fn;
	} t[] = {
#define T(f) {#f, f}
	    T(test_github_form_response),
	    T(test_form_decoding_plus_empty_and_repeated),
	    T(test_salesforce_json_response),
	    T(test_nested_json_keys_are_dotted),
	    T(test_xml_oauth_root),
	    T(test_xml_any_root_repeats_namespaces),
	    T(test_content_type_chooses_else_sniffed),
	    T(test_size_cap),
	    T(test_depth_cap),
	    T(test_key_cap),
	    T(test_billion_laughs_refused),
	    T(test_external_entities_never_read),
	    T(test_malformed_inputs_exact_messages),
	    T(test_xml_errors_stay_quiet_and_handlers_are_restored),
	    T(test_parses_concurrently),
#undef T
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!CU_add_test(s, t[i].name, t[i].fn))
			return 1;
	return 0;
}

LK_CUNIT_MAIN(register_token_response)
