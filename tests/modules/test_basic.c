/* SPDX-License-Identifier: MIT */
/* basic.so known answers (RFC 7617), driven through the loader. */
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "loader/harness.h"

#include "core.h"
#include "loader.h"

static lk_ctx *ctx;
static struct lk_module_rt *rt;

static int setup(void)
{
	if (lk_ctx_new(&ctx) != LK_OK)
		return 1;
	return lk_loader__open(&rt, ctx, "modules/basic/.libs", "basic") ==
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

/* Authorize a request with @p user / @p pass; the Authorization header
 * (copied) or NULL, and the status. */
static lk_status authorize(char **hdr, const char *user, const char *pass)
{
	struct lk_app app = {.id = "example_basic"};
	struct lk_call call = {.ctx = ctx, .app = &app};
	lk_request *req = NULL;
	lk_status rc;

	*hdr = NULL;
	CU_ASSERT_FATAL(lk_fields_new(&call.fields) == LK_OK);
	lk_fields_set(call.fields, "username", user, false);
	lk_fields_set(call.fields, "password", pass, true);
	CU_ASSERT_FATAL(
	    lk_request_new(&req, "GET", "https://api.example.com/") == LK_OK);
	rc = rt->scheme.authorize(&call, req);
	if (lk_request_header(req, "Authorization"))
		*hdr = lk_strdup(lk_request_header(req, "Authorization"));
	lk_request_free(req);
	lk_fields_free(call.fields);
	return rc;
}

static void test_kat(void)
{
	char *h;

	CU_ASSERT_EQUAL(authorize(&h, "alice", "wonderland"), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic YWxpY2U6d29uZGVybGFuZA==");
	lk_free(h);
	CU_ASSERT_EQUAL(authorize(&h, "test", "123\xc2\xa3"), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic dGVzdDoxMjPCow==");
	lk_free(h);
	/* an empty password is allowed: "bob:" */
	CU_ASSERT_EQUAL(authorize(&h, "bob", ""), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic Ym9iOg==");
	lk_free(h);
}

static void test_colon_refused(void)
{
	char *h;

	CU_ASSERT_EQUAL(authorize(&h, "al:ice", "pw"), LK_EINVAL);
	CU_ASSERT_PTR_NULL(h);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "basic: the username must not contain ':' "
			       "(RFC 7617)");
	lk_free(h);
}

static void test_declares_fields(void)
{
	const struct lk_field_decl *f = rt->scheme.fields;

	CU_ASSERT_STRING_EQUAL(f[0].key, "username");
	CU_ASSERT(!f[0].secret);
	CU_ASSERT_STRING_EQUAL(f[1].key, "password");
	CU_ASSERT(f[1].secret);
	CU_ASSERT_PTR_NULL(f[2].key);
}

/* Over the wire, through lk_connect and lk_perform: UTF-8 credentials
 * are sent as their UTF-8 bytes (RFC 7617 section 2.1, charset UTF-8). */
static struct lkh h;
static lk_ctx *wctx;

static int wire_setup(void)
{
	if (lkh_start(&h) != 0 || lkh_module(&h, "basic", NULL) != 0)
		return 1;
	lkh_app(&h, "b",
		"app = { id = \"b\"; title = \"Basic App\"; scheme = "
		"\"basic\";\n"
		"  base_urls = [ \"http://127.0.0.1:%u/api/\" ]; allow_http = "
		"true;\n"
		"  test = { method = \"GET\"; url = "
		"\"http://127.0.0.1:%u/api/me\"; };\n"
		"  label = \"{{username}} {{password}}\"; };\n",
		h.port, h.port);
	return lkh_load(&wctx, &h) == LK_OK ? 0 : 1;
}

static int wire_teardown(void)
{
	lk_ctx_free(wctx);
	lkh_stop(&h);
	return 0;
}

/* Connect @p user/@p pass, perform one call; the Authorization header
 * of both requests must be @p want. */
static void wire(const char *user, const char *pass, const char *want)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	struct lkh_req r;
	char line[256];

	snprintf(line, sizeof line, "authorization: %s\n", want);
	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "username", user, false);
	lk_fields_set(f, "password", pass, true);
	CU_ASSERT_EQUAL_FATAL(lk_connect(&conn, wctx, "o", "b", f), LK_OK);
	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, "/api/x")) ==
			LK_OK);
	CU_ASSERT_EQUAL(lk_perform(&resp, wctx, conn, req), LK_OK);
	CU_ASSERT_EQUAL(lkh_count(&h), 2);
	for (unsigned i = 0; i < 2; i++) {
		CU_ASSERT_FATAL(lkh_req_at(&h, i, &r));
		CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, line));
	}
	/* the password never reaches the label or the log */
	CU_ASSERT_PTR_NULL(strstr(lk_conn_label(conn), pass));
	CU_ASSERT_PTR_NULL(strstr(h.log, pass));
	CU_ASSERT_PTR_NULL(strstr(h.log, want + 6));
	lk_response_free(resp);
	lk_request_free(req);
	lk_conn_free(conn);
	lk_fields_free(f);
}

static void test_wire_utf8(void)
{
	/* RFC 7617 section 2.1's example */
	wire("test", "123\xc2\xa3", "Basic dGVzdDoxMjPCow==");
	/* RFC 7617 section 2's example */
	wire("Aladdin", "open sesame", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
	/* non-ASCII on both sides: "j\u00fcrgen" : "p\u00e4ssw\u00f6rd\u20ac",
	 * base64 of their UTF-8 bytes (Python's base64, independently) */
	wire("j\xc3\xbcrgen", "p\xc3\xa4ssw\xc3\xb6rd\xe2\x82\xac",
	     "Basic asO8cmdlbjpww6Rzc3fDtnJk4oKs");
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("basic", setup, teardown);
	CU_pSuite w =
	    CU_add_suite("basic over the wire", wire_setup, wire_teardown);
	return !s || !w || !CU_add_test(s, "known answers", test_kat) ||
	       !CU_add_test(s, "':' in username", test_colon_refused) ||
	       !CU_add_test(s, "fields", test_declares_fields) ||
	       !CU_add_test(w, "UTF-8 credentials", test_wire_utf8);
}

LK_CUNIT_MAIN(reg)
