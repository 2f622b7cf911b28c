/* SPDX-License-Identifier: MIT */
/* none.so through the core: connecting is refused with a clear message
 * and stores nothing; calls go out exactly as the host wrote them. */
#include <string.h>

#include "cunit_main.h"
#include "loader/harness.h"

static struct lkh h;
static lk_ctx *ctx;

static int setup(void)
{
	if (lkh_start(&h) != 0 || lkh_module(&h, "none", NULL) != 0 ||
	    lkh_module(&h, "apikey", NULL) != 0)
		return 1;
	/* no base_urls: an app without authentication needs none */
	lkh_app(&h, "feed",
		"app = { id = \"feed\"; title = \"Public Feed\"; scheme = "
		"\"none\"; allow_http = true; };\n");
	lkh_app(&h, "keyed",
		"app = { id = \"keyed\"; title = \"Keyed\"; scheme = "
		"\"apikey\";\n"
		"  fields = ( { key = \"api_key\"; label = \"Key\"; secret = "
		"true; } );\n"
		"  apikey = { headers = [ \"X-Api-Key: {{api_key}}\" ]; };\n"
		"  base_urls = [ \"http://127.0.0.1:%u/\" ]; allow_http = "
		"true; };\n",
		h.port);
	return lkh_load(&ctx, &h) == LK_OK ? 0 : 1;
}

static int teardown(void)
{
	lk_ctx_free(ctx);
	lkh_stop(&h);
	return 0;
}

static void test_app_shape(void)
{
	const lk_app *app = NULL;

	CU_ASSERT_EQUAL_FATAL(lk_app_find(&app, ctx, "feed"), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_app_scheme(app), "none");
	CU_ASSERT_FALSE(lk_app_needs_auth(ctx, app));
	CU_ASSERT_FALSE(lk_app_is_redirect_flow(ctx, app));
	CU_ASSERT_EQUAL(lk_app_field_count(ctx, app), 0);
	CU_ASSERT_EQUAL_FATAL(lk_app_find(&app, ctx, "keyed"), LK_OK);
	CU_ASSERT_TRUE(lk_app_needs_auth(ctx, app));
}

static void test_connect_refused(void)
{
	lk_fields *f = NULL;
	lk_conn *conn = (lk_conn *)1;
	lk_conn_list *list = NULL;

	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "alice", "feed", f), LK_EDENIED);
	CU_ASSERT_PTR_NULL(conn);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "feed needs no authentication: there is nothing "
			       "to connect (call it with `latchkey call --app "
			       "feed`)");
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	CU_ASSERT_EQUAL_FATAL(lk_conn_list_new(&list, ctx, "alice", NULL),
			      LK_OK);
	CU_ASSERT_EQUAL(lk_conn_list_count(list), 0);
	lk_conn_list_free(list);
	lk_fields_free(f);
}

static void test_calls_go_out_bare(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	struct lkh_req r;
	size_t len = 0;

	lkh_reset(&h);
	CU_ASSERT_FATAL(
	    lk_request_new(&req, "POST",
			   lkh_url(&h, "/feed/items?x=1&y=a%20b")) == LK_OK);
	CU_ASSERT_EQUAL(lk_request_add_header(req, "X-Trace", "t-1"), LK_OK);
	CU_ASSERT_EQUAL(lk_request_set_body(req, "{\"a\":1}", 7), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_perform_app(&resp, ctx, "feed", req), LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 200);
	CU_ASSERT_STRING_EQUAL(lk_response_body(resp, &len),
			       "{\"login\":\"octo\",\"name\":\"Octo Cat\","
			       "\"id\":7}");
	CU_ASSERT_EQUAL(lkh_count(&h), 1);
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	CU_ASSERT_STRING_EQUAL(r.method, "POST");
	CU_ASSERT_STRING_EQUAL(r.url, "/feed/items?x=1&y=a%20b");
	CU_ASSERT_STRING_EQUAL(r.body, "{\"a\":1}");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-trace: t-1\n"));
	/* nothing added: no credentials of any kind */
	CU_ASSERT_PTR_NULL(strstr(r.headers, "authorization:"));
	CU_ASSERT_PTR_NULL(strstr(r.headers, "x-api-key:"));
	CU_ASSERT_PTR_NULL(strstr(r.headers, "cookie:"));
	lk_response_free(resp);
	lk_request_free(req);
}

static void test_auth_app_needs_connection(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;

	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, "/x")) ==
			LK_OK);
	CU_ASSERT_EQUAL(lk_perform_app(&resp, ctx, "keyed", req), LK_EDENIED);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "keyed needs authentication: "
					       "call it with a connection");
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	CU_ASSERT_EQUAL(lk_perform_app(&resp, ctx, "nosuch", req),
			LK_ENOTFOUND);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "no app \"nosuch\"");
	lk_request_free(req);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("none", setup, teardown);
	return !s || !CU_add_test(s, "app shape", test_app_shape) ||
	       !CU_add_test(s, "connect refused", test_connect_refused) ||
	       !CU_add_test(s, "calls go out bare", test_calls_go_out_bare) ||
	       !CU_add_test(s, "an app with auth needs a connection",
			    test_auth_app_needs_connection);
}

LK_CUNIT_MAIN(reg)
