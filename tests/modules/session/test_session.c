/* SPDX-License-Identifier: MIT */
/* session.so: the token and extra fields taken from login answers (pure
 * part, fed by the core's parser), the module as the loader sees it, and
 * its verdict on a 401. */
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"

#include "core.h"
#include "loader.h"
#include "token_response.h"

#include "../../../modules/session/session_token.h"

static lk_ctx *ctx;
static struct lk_module_rt *rt;

static int setup(void)
{
	if (lk_ctx_new(&ctx) != LK_OK)
		return 1;
	return lk_loader__open(&rt, ctx, "modules/session/.libs", "session") ==
		       LK_OK
		   ? 0
		   : 1;
}

static int teardown(void)
{
	lk_loader__close(rt);
	lk_ctx_free(ctx);
	return 0;
}

static char err[256];

/* Parse @p body as @p ct with the core's parser, then take the token at
 * @p path into "session_key" with @p extras. */
static lk_status take(lk_fields **out, const char *ct, const char *body,
		      const char *path, const char *const *extras,
		      size_t nextras)
{
	struct session_token_spec spec = {.token_path = path,
					  .field = "session_key",
					  .extras = extras,
					  .nextras = nextras};
	lk_fields *parsed = NULL;
	lk_status rc;

	err[0] = '\0';
	*out = NULL;
	rc = lk_token_response__parse(&parsed, ctx, ct, body, strlen(body));
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	rc = session_token_take(out, parsed, &spec, err, sizeof err);
	lk_fields_free(parsed);
	return rc;
}

static void test_json_nested_path(void)
{
	static const char *const extras[] = {"data.user.id", "data.user.name",
					     "data.refresh_token", "absent"};
	lk_fields *f = NULL;

	CU_ASSERT_EQUAL(take(&f, "application/json",
			     "{\"data\":{\"session\":{\"key\":\"abc.DEF-123\","
			     "\"expires_in\":3600},\"user\":{\"id\":7,"
			     "\"name\":\"Alice\"},\"refresh_token\":\"r1\"}}",
			     "data.session.key", extras, 4),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "session_key"), "abc.DEF-123");
	const char *first = NULL;
	CU_ASSERT_EQUAL(lk_fields_at(f, 0, &first, NULL, NULL), LK_OK);
	CU_ASSERT_STRING_EQUAL(first, "session_key"); /* the token first */
	CU_ASSERT(lk_fields_is_secret(f, "session_key"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "data_user_id"), "7");
	CU_ASSERT(!lk_fields_is_secret(f, "data_user_id"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "data_user_name"), "Alice");
	/* the parser flags credential-like names; the flag is kept */
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "data_refresh_token"), "r1");
	CU_ASSERT(lk_fields_is_secret(f, "data_refresh_token"));
	CU_ASSERT_PTR_NULL(lk_fields_get(f, "absent"));
	CU_ASSERT_EQUAL(lk_fields_count(f), 4);
	lk_fields_free(f);
}

static void test_xml_and_form_answers(void)
{
	static const char *const extras[] = {"user_id"};
	lk_fields *f = NULL;

	CU_ASSERT_EQUAL(take(&f, "application/xml",
			     "<?xml version=\"1.0\"?><login><token> t-1 "
			     "</token><user_id>7</user_id></login>",
			     "token", extras, 1),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "session_key"), "t-1");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "user_id"), "7");
	lk_fields_free(f);
	CU_ASSERT_EQUAL(take(&f, "application/x-www-form-urlencoded",
			     "session_key=a%2Fb%3D&user_id=7", "session_key",
			     extras, 1),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "session_key"), "a/b=");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "user_id"), "7");
	lk_fields_free(f);
	/* a number is a usable token: its text */
	CU_ASSERT_EQUAL(take(&f, NULL, "{\"sid\": 12345}", "sid", NULL, 0),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "session_key"), "12345");
	lk_fields_free(f);
}

/* Each refusal: LK_EPROTO, *out NULL, the exact message, no value. */
static void refused(const char *body, const char *path, const char *why,
		    const char *secret)
{
	lk_fields *f = NULL;
	char want[256];

	CU_ASSERT_EQUAL(take(&f, "application/json", body, path, NULL, 0),
			LK_EPROTO);
	CU_ASSERT_PTR_NULL(f);
	snprintf(want, sizeof want,
		 "the login response's token \"%s\" (token_path) %s", path,
		 why);
	CU_ASSERT_STRING_EQUAL(err, want);
	if (secret)
		CU_ASSERT_PTR_NULL(strstr(err, secret));
}

static void test_hostile_answers_refused(void)
{
	refused("{\"data\":{\"user\":{\"id\":7}}}", "data.session.key",
		"is missing", NULL);
	refused("{\"data\":{\"session\":{\"key\":{\"v\":\"x\"}}}}",
		"data.session.key", "is an object or an array, not a string",
		NULL);
	refused("{\"data\":{\"session\":{\"key\":[\"a\"]}}}",
		"data.session.key", "is an object or an array, not a string",
		NULL);
	/* a prefix of another key is not a parent */
	refused("{\"data\":{\"sessionx\":1}}", "data.session", "is missing",
		NULL);
	refused("{\"k\":\"\"}", "k", "is empty", NULL);
	refused("{\"k\":null}", "k", "is missing", NULL);
	refused("{\"k\":\"SECRET1\\r\\nX-Evil: 1\"}", "k",
		"holds a space, a control or a non-ASCII character", "SECRET1");
	refused("{\"k\":\"SECRET2 two\"}", "k",
		"holds a space, a control or a non-ASCII character", "SECRET2");
	refused("{\"k\":\"SECRET3\\u00e9\"}", "k",
		"holds a space, a control or a non-ASCII character", "SECRET3");
}

static void test_token_length_cap(void)
{
	char body[SESSION_TOKEN_MAX + 32];
	lk_fields *f = NULL;
	int n = snprintf(body, sizeof body, "{\"k\":\"");

	memset(body + n, 'a', SESSION_TOKEN_MAX);
	memcpy(body + n + SESSION_TOKEN_MAX, "\"}", 3);
	CU_ASSERT_EQUAL(take(&f, NULL, body, "k", NULL, 0), LK_OK);
	CU_ASSERT_EQUAL(strlen(lk_fields_get(f, "session_key")),
			SESSION_TOKEN_MAX);
	lk_fields_free(f);
	memset(body + n, 'a', SESSION_TOKEN_MAX + 1);
	memcpy(body + n + SESSION_TOKEN_MAX + 1, "\"}", 3);
	refused(body, "k", "is longer than 4096 bytes", NULL);
}

static void test_extra_name(void)
{
	char *n = session_token_extra_name("data.user.id");

	CU_ASSERT_STRING_EQUAL(n, "data_user_id");
	lk_free(n);
	n = session_token_extra_name("plain");
	CU_ASSERT_STRING_EQUAL(n, "plain");
	lk_free(n);
}

static const struct lk_config_key *key(const char *name)
{
	for (const struct lk_config_key *k = rt->scheme.config_keys; k->name;
	     k++)
		if (strcmp(k->name, name) == 0)
			return k;
	return NULL;
}

static void test_module_table(void)
{
	CU_ASSERT_STRING_EQUAL(rt->name, "session");
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.authorize);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.connect_fields);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.refresh);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.on_response);
	CU_ASSERT_PTR_NOT_NULL(rt->scheme.validate);
	CU_ASSERT_PTR_NULL(rt->scheme.connect_begin);
	CU_ASSERT_EQUAL(rt->scheme.flags, 0);
	CU_ASSERT_FATAL(key("request.url") != NULL);
	CU_ASSERT(key("request.url")->required);
	CU_ASSERT_EQUAL(key("request.url")->type, LK_KEY_URL);
	CU_ASSERT(key("token_path")->required);
	CU_ASSERT_STRING_EQUAL(key("request.method")->default_value, "POST");
	CU_ASSERT_STRING_EQUAL(key("request.format")->choices, "json|form");
	CU_ASSERT_STRING_EQUAL(key("field")->default_value, "session_key");
	CU_ASSERT_PTR_NOT_NULL(key("headers"));
	CU_ASSERT_PTR_NOT_NULL(key("query"));
	CU_ASSERT_PTR_NOT_NULL(key("extra_fields"));
	CU_ASSERT_PTR_NULL(key("request"));
}

static lk_verdict verdict(long status, unsigned attempt)
{
	lk_response resp = {.status = status};
	lk_verdict v = LK_VERDICT_EXPIRED;

	CU_ASSERT_EQUAL(rt->scheme.on_response(&v, NULL, NULL, &resp, attempt),
			LK_OK);
	return v;
}

/* A 401 asks for one login; the retry's 401 comes back to the caller. */
static void test_401_asks_for_one_refresh(void)
{
	CU_ASSERT_EQUAL(verdict(401, 0), LK_VERDICT_REFRESH);
	CU_ASSERT_EQUAL(verdict(401, 1), LK_VERDICT_DONE);
	CU_ASSERT_EQUAL(verdict(200, 0), LK_VERDICT_DONE);
	CU_ASSERT_EQUAL(verdict(403, 0), LK_VERDICT_DONE);
	CU_ASSERT_EQUAL(verdict(500, 0), LK_VERDICT_DONE);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("session", setup, teardown);
	return !s ||
	       !CU_add_test(s, "JSON answer, nested token path, extras",
			    test_json_nested_path) ||
	       !CU_add_test(s, "XML and form answers",
			    test_xml_and_form_answers) ||
	       !CU_add_test(s, "hostile answers refused",
			    test_hostile_answers_refused) ||
	       !CU_add_test(s, "token length cap", test_token_length_cap) ||
	       !CU_add_test(s, "extra field names", test_extra_name) ||
	       !CU_add_test(s, "module table and keys", test_module_table) ||
	       !CU_add_test(s, "401 asks for one refresh",
			    test_401_asks_for_one_refresh);
}

LK_CUNIT_MAIN(reg)
