/* SPDX-License-Identifier: MIT */
/* The sample hooks module (vendor_hooks.so) through the core: requests
 * changed before and after the scheme signs them, labels computed by
 * code, its config block, and a hooks list naming a module without
 * hooks. The server's record is the proof. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cunit_main.h"
#include "loader/harness.h"

static struct lkh h;
static lk_ctx *ctx;

static int setup(void)
{
	const char *top = getenv("top_builddir");
	char built[512];

	snprintf(built, sizeof built, "%s/tests/hooks/.libs/vendor_hooks.so",
		 top ? top : ".");
	if (lkh_start(&h) != 0 || lkh_module(&h, "basic", NULL) != 0 ||
	    lkh_module(&h, "apikey", NULL) != 0 ||
	    lkh_module(&h, "vendor_hooks", built) != 0)
		return 1;
	lkh_app(&h, "hooked",
		"app = { id = \"hooked\"; title = \"Hooked\"; scheme = "
		"\"basic\";\n"
		"  hooks = [ \"vendor_hooks\" ];\n"
		"  vendor_hooks = { tag = \"blue\"; };\n"
		"  base_urls = [ \"http://127.0.0.1:%u/api/\" ]; allow_http = "
		"true;\n"
		"  test = { method = \"GET\"; url = "
		"\"http://127.0.0.1:%u/api/me\"; };\n"
		"  label = \"{{login}} by template\"; };\n",
		h.port, h.port);
	lkh_app(&h, "keyed",
		"app = { id = \"keyed\"; title = \"Keyed\"; scheme = "
		"\"apikey\";\n"
		"  fields = ( { key = \"api_key\"; label = \"Key\"; secret = "
		"true; } );\n"
		"  apikey = { headers = [ \"X-Api-Key: {{api_key}}\" ]; };\n"
		"  hooks = [ \"vendor_hooks\" ];\n"
		"  base_urls = [ \"http://127.0.0.1:%u/\" ]; allow_http = "
		"true; };\n",
		h.port);
	lkh_app(&h, "wrong",
		"app = { id = \"wrong\"; title = \"Wrong\"; scheme = "
		"\"basic\";\n"
		"  hooks = [ \"apikey\" ];\n"
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

static lk_conn *connect_basic(void)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;

	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "username", "alice", false);
	lk_fields_set(f, "password", "wonderland", true);
	CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "alice", "hooked", f), LK_OK);
	lk_fields_free(f);
	return conn;
}

/* The hooks' marks, and the scheme's credentials between them. */
static void assert_hooked(const struct lkh_req *r, const char *tag)
{
	char line[64];

	snprintf(line, sizeof line, "x-vendor-tag: %s\n", tag);
	CU_ASSERT_PTR_NOT_NULL(strstr(r->headers, line));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(r->headers, "x-vendor-pre-saw-auth: no\n"));
}

static void test_request_hooks(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	struct lkh_req r;
	lk_conn *conn;

	lkh_reset(&h);
	conn = connect_basic();
	CU_ASSERT_FATAL(conn != NULL);
	/* the test request at connect went through the hooks too */
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	CU_ASSERT_STRING_EQUAL(r.url, "/api/me");
	assert_hooked(&r, "blue");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-vendor-signed: yes\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    r.headers, "authorization: Basic YWxpY2U6d29uZGVybGFuZA==\n"));

	lkh_reset(&h);
	CU_ASSERT_FATAL(
	    lk_request_new(&req, "GET", lkh_url(&h, "/api/items")) == LK_OK);
	CU_ASSERT_EQUAL(lk_perform(&resp, ctx, conn, req), LK_OK);
	CU_ASSERT_EQUAL(lkh_count(&h), 1);
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	assert_hooked(&r, "blue");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-vendor-signed: yes\n"));
	/* the caller's request object is not changed by the hooks */
	CU_ASSERT_PTR_NULL(lk_request_header(req, "X-Vendor-Tag"));
	lk_response_free(resp);
	lk_request_free(req);
	lk_conn_free(conn);
}

static void test_label_by_code(void)
{
	lk_conn *second;
	lk_conn_list *list = NULL;

	second = connect_basic();
	CU_ASSERT_FATAL(second != NULL);
	CU_ASSERT_EQUAL_FATAL(lk_conn_list_new(&list, ctx, "alice", "hooked"),
			      LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_conn_list_count(list), 2);
	/* the hook's label replaces the template's, after "Title #N" */
	CU_ASSERT_STRING_EQUAL(lk_conn_label(lk_conn_list_at(list, 0)),
			       "Hooked @OCTO (Octo Cat)");
	CU_ASSERT_STRING_EQUAL(lk_conn_label(lk_conn_list_at(list, 1)),
			       "Hooked #2 @OCTO (Octo Cat)");
	CU_ASSERT_STRING_EQUAL(lk_conn_label(second),
			       "Hooked #2 @OCTO (Octo Cat)");
	lk_conn_list_free(list);
	lk_conn_free(second);
}

static void test_default_setting(void)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	struct lkh_req r;

	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "api_key", "k-123", true);
	CU_ASSERT_EQUAL_FATAL(lk_connect(&conn, ctx, "alice", "keyed", f),
			      LK_OK);
	/* no test response: the hook leaves the label to the app */
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Keyed");
	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, "/x")) ==
			LK_OK);
	CU_ASSERT_EQUAL(lk_perform(&resp, ctx, conn, req), LK_OK);
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	assert_hooked(&r, "v1");
	/* apikey puts no Authorization header: post_authorize saw none */
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-vendor-signed: no\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-api-key: k-123\n"));
	lk_response_free(resp);
	lk_request_free(req);
	lk_conn_free(conn);
	lk_fields_free(f);
}

static void test_not_a_hooks_module(void)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;
	char want[512];

	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "username", "alice", false);
	lk_fields_set(f, "password", "wonderland", true);
	CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "alice", "wrong", f),
			LK_EMODULE);
	/* file:line as the config names it, relative to latchkey.conf */
	snprintf(want, sizeof want,
		 "apps/wrong.conf:1: module \"apikey\" provides no hooks");
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	if (strcmp(lk_errmsg(ctx), want) != 0)
		fprintf(stderr, "got:  %s\nwant: %s\n", lk_errmsg(ctx), want);
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	lk_fields_free(f);
}

static unsigned expired_events;
static char expired_id[64];

static void on_event(void *ud, const lk_event *ev)
{
	(void)ud;
	if (ev->type != LK_EVENT_EXPIRED)
		return;
	expired_events++;
	snprintf(expired_id, sizeof expired_id, "%s", ev->connection_id);
}

/* after_response: 410 means the account is gone; the connection is
 * marked expired, durably, the host hears of it, and it sends nothing
 * more. */
static void test_expired_by_hook(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_conn *conn = connect_basic(), *again = NULL;

	CU_ASSERT_FATAL(conn != NULL);
	lk_ctx_set_events(ctx, on_event, NULL);
	lkh_reset(&h);
	CU_ASSERT_FATAL(
	    lk_request_new(&req, "GET", lkh_url(&h, "/api/status/410")) ==
	    LK_OK);
	CU_ASSERT_EQUAL(lk_perform(&resp, ctx, conn, req), LK_EEXPIRED);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(lkh_count(&h), 1);
	CU_ASSERT_TRUE(lk_conn_is_expired(conn));
	CU_ASSERT_EQUAL(expired_events, 1);
	CU_ASSERT_STRING_EQUAL(expired_id, lk_conn_id(conn));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "has expired"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "wonderland"));

	CU_ASSERT_EQUAL_FATAL(
	    lk_conn_open(&again, ctx, "alice", lk_conn_id(conn)), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_conn_status(again), "expired");
	CU_ASSERT_EQUAL(lk_perform(&resp, ctx, again, req), LK_EEXPIRED);
	CU_ASSERT_EQUAL(lkh_count(&h), 1);
	lk_ctx_set_events(ctx, NULL, NULL);
	lk_request_free(req);
	lk_conn_free(again);
	lk_conn_free(conn);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("hooks", setup, teardown);
	return !s || !CU_add_test(s, "request hooks", test_request_hooks) ||
	       !CU_add_test(s, "label computed by code", test_label_by_code) ||
	       !CU_add_test(s, "default setting", test_default_setting) ||
	       !CU_add_test(s, "expired by after_response",
			    test_expired_by_hook) ||
	       !CU_add_test(s, "not a hooks module", test_not_a_hooks_module);
}

LK_CUNIT_MAIN(reg)
