/* SPDX-License-Identifier: MIT */
/* core/template.c: syntax, lookup order, dotted paths, and escaping of
 * hostile values for every render target. */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "template.h"

static lk_ctx *ctx;
static lk_fields *fields;
static lk_fields *extra;

static const char test_data[] =
    "{\"login\": \"octocat\", \"user\": \"from-test\", \"sub\": \"t\","
    " \"details\": {\"name\": \"Mona\", \"tags\": [\"x\", {\"k\": \"deep\"}]},"
    " \"n\": 42, \"big\": 1.5, \"obj\": {\"a\": 1}, \"a.b\": \"dotted-key\","
    " \"flag\": true, \"nothing\": null, \"only_test\": \"t-only\"}";

static int setup(void)
{
	if (lk_ctx_new(&ctx) != LK_OK || lk_fields_new(&fields) != LK_OK ||
	    lk_fields_new(&extra) != LK_OK)
		return 1;
	static const char *const kv[][2] = {
	    {"sub", "acme"},
	    {"user", "a/b?c#d"},
	    {"accent", "\xc3\xa9v\xc3\xa9"},
	    {"crlf", "x\r\nInjected: 1"},
	    {"lf", "a\nb"},
	    {"quote", "say \"hi\""},
	    {"bs", "back\\slash"},
	    {"evil", "evil.com/"},
	    {"space", "a b+c"},
	    {"dot", ".."},
	    {"port", "8443"},
	    {"empty", ""},
	    {"ctl", "\x01z"},
	};
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		if (lk_fields_set(fields, kv[i][0], kv[i][1], false) != LK_OK)
			return 1;
	if (lk_fields_set(fields, "password", "s3cr3t-SENTINEL", true) !=
		LK_OK ||
	    lk_fields_set(extra, "user", "from-extra", false) != LK_OK)
		return 1;
	return 0;
}

static int teardown(void)
{
	lk_fields_free(fields);
	lk_fields_free(extra);
	lk_ctx_free(ctx);
	return 0;
}

static const struct lk_tmpl_scope scope_plain = {0};

static struct lk_tmpl_scope scope(bool with_extra)
{
	struct lk_tmpl_scope s = {.fields = fields,
				  .test_data = test_data,
				  .extra = with_extra ? extra : NULL};
	return s;
}

static void expect_ok(const char *tmpl, lk_render_target t, bool with_extra,
		      const char *want)
{
	struct lk_tmpl_scope s = scope(with_extra);
	char *out = NULL;
	lk_status rc = lk_template__render(&out, ctx, tmpl, t, &s, "app");
	CU_ASSERT_EQUAL(rc, LK_OK);
	if (rc != LK_OK)
		fprintf(stderr, "\n  %s: %s\n", tmpl, lk_errmsg(ctx));
	CU_ASSERT_PTR_NOT_NULL(out);
	if (out) {
		CU_ASSERT_STRING_EQUAL(out, want);
		if (strcmp(out, want) != 0)
			fprintf(stderr, "\n  got  [%s]\n  want [%s]\n", out,
				want);
	}
	lk_str_wipe_free(out);
}

static void expect_fail(const char *tmpl, lk_render_target t, const char *msg)
{
	struct lk_tmpl_scope s = scope(false);
	char *out = (char *)"untouched";
	lk_status rc = lk_template__render(&out, ctx, tmpl, t, &s, "app");
	CU_ASSERT_EQUAL(rc, LK_EINVAL);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), msg);
	if (strcmp(lk_errmsg(ctx), msg) != 0)
		fprintf(stderr, "\n  got  [%s]\n  want [%s]\n", lk_errmsg(ctx),
			msg);
	/* never a value in a message */
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "SENTINEL"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "evil.com"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "Injected"));
	lk_free(out);
}

static void test_url_host_label_and_percent_encoded_components(void)
{
	expect_ok("https://{{sub}}.example.com/u/{{user}}?q={{user}}#{{user}}",
		  LK_RENDER_URL, false,
		  "https://acme.example.com/u/a%2Fb%3Fc%23d?q=a%2Fb%3Fc%23d"
		  "#a%2Fb%3Fc%23d");
	expect_ok("https://api.example.com/{{accent}}?x={{crlf}}&s={{space}}",
		  LK_RENDER_URL, false,
		  "https://api.example.com/%C3%A9v%C3%A9"
		  "?x=x%0D%0AInjected%3A%201&s=a%20b%2Bc");
	expect_ok("https://api.example.com/{{quote}}/{{bs}}/{{evil}}",
		  LK_RENDER_URL, false,
		  "https://api.example.com/say%20%22hi%22/back%5Cslash/"
		  "evil.com%2F");
	/* a secret may go in a URL (an API key in the query) */
	expect_ok("https://api.example.com/?key={{password}}", LK_RENDER_URL,
		  false, "https://api.example.com/?key=s3cr3t-SENTINEL");
	expect_ok("https://api.example.com:{{port}}/x", LK_RENDER_URL, false,
		  "https://api.example.com:8443/x");
	expect_ok("http://[::1]:{{port}}/{{sub}}", LK_RENDER_URL, false,
		  "http://[::1]:8443/acme");
	/* ':' and '@' after the authority do not make a port or userinfo */
	expect_ok("https://a.example.com/p:{{sub}}@{{user}}", LK_RENDER_URL,
		  false, "https://a.example.com/p:acme@a%2Fb%3Fc%23d");
	expect_ok("{{ sub }}/relative", LK_RENDER_URL, false, "acme/relative");
	/* a URL inside the query is no scheme or authority */
	expect_ok("/cb/{{user}}?next=https://{{evil}}/x", LK_RENDER_URL, false,
		  "/cb/a%2Fb%3Fc%23d?next=https://evil.com%2F/x");
}

static void test_url_refuses_values_that_would_change_its_structure(void)
{
	expect_fail("https://{{evil}}.example.com/", LK_RENDER_URL,
		    "app: field 'evil' is not a DNS label ([A-Za-z0-9-], 1 to "
		    "63 characters) and cannot be used in a host name");
	expect_fail("https://x{{user}}.example.com/", LK_RENDER_URL,
		    "app: field 'user' is not a DNS label ([A-Za-z0-9-], 1 to "
		    "63 characters) and cannot be used in a host name");
	expect_fail("https://{{empty}}.example.com/", LK_RENDER_URL,
		    "app: field 'empty' is not a DNS label ([A-Za-z0-9-], 1 to "
		    "63 characters) and cannot be used in a host name");
	expect_fail("https://{{crlf}}/", LK_RENDER_URL,
		    "app: field 'crlf' is not a DNS label ([A-Za-z0-9-], 1 to "
		    "63 characters) and cannot be used in a host name");
	expect_fail("https://api.example.com:{{sub}}/", LK_RENDER_URL,
		    "app: field 'sub' is not a port number");
	expect_fail("{{sub}}://api.example.com/", LK_RENDER_URL,
		    "app: field 'sub' would land in the URL's scheme; only a "
		    "host label, port, path, query or fragment may be "
		    "templated");
	expect_fail("https://{{sub}}@api.example.com/", LK_RENDER_URL,
		    "app: field 'sub' would land in the URL's userinfo, which "
		    "is refused");
	expect_fail("https://api.example.com/a/{{dot}}/b", LK_RENDER_URL,
		    "app: field 'dot' is a dot segment ('.' or '..'), refused "
		    "in a URL path");
}

static void test_header_refuses_cr_and_lf(void)
{
	expect_ok("X-Q: {{quote}} {{bs}} {{accent}}", LK_RENDER_HEADER, false,
		  "X-Q: say \"hi\" back\\slash \xc3\xa9v\xc3\xa9");
	expect_ok("Authorization: Bearer {{password}}", LK_RENDER_HEADER, false,
		  "Authorization: Bearer s3cr3t-SENTINEL");
	expect_fail("X-User: {{crlf}}", LK_RENDER_HEADER,
		    "app: field 'crlf' contains CR or LF, refused in a header");
	expect_fail("X-User: {{lf}}", LK_RENDER_HEADER,
		    "app: field 'lf' contains CR or LF, refused in a header");
	expect_fail("X-A: {{sub}}\r\nX-B: 1", LK_RENDER_HEADER,
		    "app: the header template contains CR or LF");
}

static void test_json_escapes_a_string_body(void)
{
	expect_ok(
	    "{\"u\": \"{{quote}}\", \"b\": \"{{bs}}\", \"c\": \"{{crlf}}\","
	    " \"e\": \"{{accent}}\", \"x\": \"{{ctl}}\", \"p\": "
	    "\"{{user}}\"}",
	    LK_RENDER_JSON, false,
	    "{\"u\": \"say \\\"hi\\\"\", \"b\": \"back\\\\slash\", "
	    "\"c\": \"x\\r\\nInjected: 1\", \"e\": "
	    "\"\xc3\xa9v\xc3\xa9\", \"x\": \"\\u0001z\", \"p\": "
	    "\"a/b?c#d\"}");
	expect_ok("\"{{empty}}\"", LK_RENDER_JSON, false, "\"\"");
}

static void test_form_percent_encodes_spaces_as_20(void)
{
	expect_ok("u={{user}}&s={{space}}&q={{quote}}&c={{crlf}}&e={{accent}}",
		  LK_RENDER_FORM, false,
		  "u=a%2Fb%3Fc%23d&s=a%20b%2Bc&q=say%20%22hi%22"
		  "&c=x%0D%0AInjected%3A%201&e=%C3%A9v%C3%A9");
	expect_ok("user={{evil}}&b={{bs}}", LK_RENDER_FORM, false,
		  "user=evil.com%2F&b=back%5Cslash");
}

static void test_text_is_raw_but_refuses_secrets(void)
{
	expect_ok("{{login}} ({{details.name}})", LK_RENDER_TEXT, false,
		  "octocat (Mona)");
	expect_ok("{{user}}|{{crlf}}", LK_RENDER_TEXT, false,
		  "a/b?c#d|x\r\nInjected: 1");
	expect_fail("{{password}}", LK_RENDER_TEXT,
		    "app: field 'password' is secret and is never rendered "
		    "as text");
	expect_fail("{{bundle.authData.password}}", LK_RENDER_TEXT,
		    "app: field 'bundle.authData.password' is secret and is "
		    "never rendered as text");
}

static void test_raw_renders_everything(void)
{
	expect_ok("{{password}}:{{crlf}}:{{evil}}", LK_RENDER_RAW, false,
		  "s3cr3t-SENTINEL:x\r\nInjected: 1:evil.com/");
	expect_ok("", LK_RENDER_RAW, false, "");
	expect_ok("no names } { }} here", LK_RENDER_RAW, false,
		  "no names } { }} here");
}

static void test_lookup_order_extra_fields_test_data(void)
{
	expect_ok("{{user}}", LK_RENDER_RAW, true, "from-extra");
	expect_ok("{{user}}", LK_RENDER_RAW, false, "a/b?c#d");
	expect_ok("{{bundle.authData.user}}", LK_RENDER_RAW, true, "a/b?c#d");
	expect_ok("{{bundle.inputData.user}}", LK_RENDER_RAW, true,
		  "from-test");
	expect_ok("{{only_test}}", LK_RENDER_RAW, false, "t-only");
	expect_ok("{{sub}}", LK_RENDER_RAW, false, "acme");
	expect_ok("{{bundle.inputData.sub}}", LK_RENDER_RAW, false, "t");
	expect_fail("{{bundle.authData.login}}", LK_RENDER_RAW,
		    "app: unknown field 'bundle.authData.login' in template");
	expect_fail("{{bundle.inputData.accent}}", LK_RENDER_RAW,
		    "app: unknown field 'bundle.inputData.accent' in "
		    "template");
}

static void test_dotted_paths_into_test_data(void)
{
	expect_ok("{{details.name}}", LK_RENDER_RAW, false, "Mona");
	expect_ok("{{details.tags.0}}/{{details.tags.1.k}}", LK_RENDER_RAW,
		  false, "x/deep");
	expect_ok("{{bundle.inputData.details.tags.1.k}}", LK_RENDER_RAW, false,
		  "deep");
	expect_ok("{{n}} {{big}} {{flag}} [{{nothing}}]", LK_RENDER_RAW, false,
		  "42 1.5 true []");
	expect_ok("{{a.b}}", LK_RENDER_RAW, false, "dotted-key");
	expect_fail("{{details.tags.9}}", LK_RENDER_RAW,
		    "app: unknown field 'details.tags.9' in template");
	expect_fail("{{details.name.x}}", LK_RENDER_RAW,
		    "app: unknown field 'details.name.x' in template");
	expect_fail("{{obj}}", LK_RENDER_RAW,
		    "app: field 'obj' is an object or an array, not a value");
}

static void test_unknown_name_and_no_scope(void)
{
	expect_fail("Hello {{nope}}", LK_RENDER_TEXT,
		    "app: unknown field 'nope' in template");
	char *out = NULL;
	CU_ASSERT_EQUAL(lk_template__render(&out, ctx, "{{x}}", LK_RENDER_RAW,
					    &scope_plain, NULL),
			LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "template: unknown field 'x' in template");
	CU_ASSERT_EQUAL(
	    lk_template__render(&out, ctx, "{{x}}", LK_RENDER_RAW, NULL, "w"),
	    LK_EINVAL);
	CU_ASSERT_EQUAL(
	    lk_template__render(&out, ctx, "plain", LK_RENDER_URL, NULL, "w"),
	    LK_OK);
	CU_ASSERT_STRING_EQUAL(out, "plain");
	lk_free(out);
	out = NULL;
	CU_ASSERT_EQUAL(lk_template__render(&out, ctx, "x", 99, NULL, "w"),
			LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "w: unknown render target 99");
}

static void test_syntax_errors_name_the_position(void)
{
	static const char *const bad[][2] = {
	    {"a{{{b}}}", "'{{{' at position 2"},
	    {"abc {{name", "unterminated '{{' at position 5"},
	    {"x}} {{a}} {{b", "unterminated '{{' at position 11"},
	    {"{{ }}", "empty name in '{{ }}' at position 1"},
	    {"ab{{}}", "empty name in '{{ }}' at position 3"},
	    {"{{a b}}", "invalid character in a name at position 4 (names use "
			"[A-Za-z0-9_.-])"},
	    {"{{a{{b}}", "invalid character in a name at position 4 (names use "
			 "[A-Za-z0-9_.-])"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *msg = NULL;
		CU_ASSERT_EQUAL(lk_template__check(bad[i][0], &msg), LK_EINVAL);
		CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
		CU_ASSERT_STRING_EQUAL(msg, bad[i][1]);
		if (strcmp(msg, bad[i][1]) != 0)
			fprintf(stderr, "\n  %s: got [%s]\n", bad[i][0], msg);
		lk_free(msg);
		char want[200];
		snprintf(want, sizeof want, "app: template: %s", bad[i][1]);
		expect_fail(bad[i][0], LK_RENDER_RAW, want);
	}
	char *msg = (char *)"untouched";
	CU_ASSERT_EQUAL(lk_template__check("a {{ b }} {{c.d-e_f}} }} {", &msg),
			LK_OK);
	CU_ASSERT_PTR_NULL(msg);
	CU_ASSERT_EQUAL(lk_template__check("{{x}}", NULL), LK_OK);
	CU_ASSERT_EQUAL(lk_template__check("{{", NULL), LK_EINVAL);
}

static int register_template(void)
{
	CU_pSuite s = CU_add_suite("template", setup, teardown);
	if (!s)
		return 1;
	struct {
		const char *name;
		CU_TestFunc fn;
	} t[] = {
#define T(f) {#f, f}
	    T(test_url_host_label_and_percent_encoded_components),
	    T(test_url_refuses_values_that_would_change_its_structure),
	    T(test_header_refuses_cr_and_lf),
	    T(test_json_escapes_a_string_body),
	    T(test_form_percent_encodes_spaces_as_20),
	    T(test_text_is_raw_but_refuses_secrets),
	    T(test_raw_renders_everything),
	    T(test_lookup_order_extra_fields_test_data),
	    T(test_dotted_paths_into_test_data),
	    T(test_unknown_name_and_no_scope),
	    T(test_syntax_errors_name_the_position),
#undef T
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (!CU_add_test(s, t[i].name, t[i].fn))
			return 1;
	return 0;
}

LK_CUNIT_MAIN(register_template)
