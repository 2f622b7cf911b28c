/* SPDX-License-Identifier: MIT */
/* apikey.so end to end through the core: header templates (one and two
 * headers), query placement with escaping, and the key never in a label,
 * the log or an error. The requests are asserted as the server saw them. */
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "loader/harness.h"

/* A key with bytes that need escaping in a query, and a sentinel that
 * must never surface anywhere but on the wire. */
#define KEY "k3y s3cr3t&=/+"
#define KEY_QUERY "k3y%20s3cr3t%26%3D%2F%2B"

static struct lkh h;
static lk_ctx *ctx;

static int setup(void)
{
	if (lkh_start(&h) != 0 || lkh_module(&h, "apikey", NULL) != 0)
		return 1;
	lkh_app(&h, "hdr",
		"app = { id = \"hdr\"; title = \"Header App\"; scheme = "
		"\"apikey\";\n"
		"  fields = ( { key = \"api_key\"; label = \"API key\"; "
		"secret = true; },\n"
		"             { key = \"domain\"; label = \"Domain\"; } );\n"
		"  apikey = { headers = [ \"X-Api-Key: {{api_key}}\", "
		"\"X-Domain: {{domain}}.example\" ]; };\n"
		"  base_urls = [ \"http://127.0.0.1:%u/api/\" ]; allow_http = "
		"true;\n"
		"  test = { method = \"GET\"; url = "
		"\"http://127.0.0.1:%u/api/me\"; };\n"
		"  label = \"{{login}} {{api_key}}\"; };\n",
		h.port, h.port);
	lkh_app(&h, "qry",
		"app = { id = \"qry\"; title = \"Query App\"; scheme = "
		"\"apikey\";\n"
		"  fields = ( { key = \"api_key\"; label = \"API key\"; "
		"secret = true; } );\n"
		"  apikey = { query = [ \"key={{api_key}}\" ]; };\n"
		"  base_urls = [ \"http://127.0.0.1:%u/api/\" ]; allow_http = "
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

static lk_conn *connect_app(const char *app, const char *domain)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;

	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "api_key", KEY, true);
	if (domain)
		lk_fields_set(f, "domain", domain, false);
	CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "alice", app, f), LK_OK);
	lk_fields_free(f);
	return conn;
}

static void perform(lk_conn *conn, const char *path)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;

	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, path)) ==
			LK_OK);
	CU_ASSERT_EQUAL(lk_perform(&resp, ctx, conn, req), LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 200);
	lk_response_free(resp);
	lk_request_free(req);
}

static void test_two_headers(void)
{
	struct lkh_req r;
	lk_conn *conn;

	lkh_reset(&h);
	conn = connect_app("hdr", "acme");
	CU_ASSERT_FATAL(conn != NULL);
	/* the connect's test request already carried both headers */
	CU_ASSERT_EQUAL(lkh_count(&h), 1);
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	CU_ASSERT_STRING_EQUAL(r.method, "GET");
	CU_ASSERT_STRING_EQUAL(r.url, "/api/me");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-api-key: " KEY "\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-domain: acme.example\n"));

	lkh_reset(&h);
	perform(conn, "/api/items?page=2");
	CU_ASSERT_FATAL(lkh_req_at(&h, 0, &r));
	CU_ASSERT_STRING_EQUAL(r.url, "/api/items?page=2");
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-api-key: " KEY "\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.headers, "x-domain: acme.example\n"));
	/* exactly one of each, not one per placement */
	CU_ASSERT_PTR_NULL(
	    strstr(strstr(r.headers, "x-api-key:") + 1, "x-api-key:"));
	/* the key goes in the header only, never the URL */
	CU_ASSERT_PTR_NULL(strstr(r.url, "k3y"));

	/* the label: secrets never render; the test response does */
	CU_ASSERT_PTR_NULL(strstr(lk_conn_label(conn), "k3y"));
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Header App");
	if (strcmp(lk_conn_label(conn), "Header App") != 0)
		fprintf(stderr, "label: %s\nlog: %s\n", lk_conn_label(conn),
			h.log);
	CU_ASSERT_PTR_NULL(strstr(h.log, "k3y"));
	lk_conn_free(conn);
}

static void test_header_injection_refused(void)
{
	lk_fields *f = NULL;
	lk_conn *conn = NULL;

	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "api_key", KEY, true);
	lk_fields_set(f, "domain", "x\r\nX-Evil: 1", false);
	CU_ASSERT_NOT_EQUAL(lk_connect(&conn, ctx, "alice", "hdr", f), LK_OK);
	CU_ASSERT_PTR_NULL(conn);
	/* nothing went out, and the error does not quote the key */
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "k3y"));
	lk_fields_free(f);
}

static void test_query(void)
{
	struct lkh_req r;
	lk_conn *conn;

	lkh_reset(&h);
	conn = connect_app("qry", NULL);
	CU_ASSERT_FATAL(conn != NULL);
	/* no test request configured: nothing sent at connect */
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	perform(conn, "/api/items");
	perform(conn, "/api/items?page=2");
	perform(conn, "/api/items?");
	CU_ASSERT_EQUAL(lkh_count(&h), 3);
	CU_ASSERT(lkh_req_at(&h, 0, &r));
	CU_ASSERT_STRING_EQUAL(r.url, "/api/items?key=" KEY_QUERY);
	CU_ASSERT(lkh_req_at(&h, 1, &r));
	CU_ASSERT_STRING_EQUAL(r.url, "/api/items?page=2&key=" KEY_QUERY);
	CU_ASSERT(lkh_req_at(&h, 2, &r));
	CU_ASSERT_STRING_EQUAL(r.url, "/api/items?key=" KEY_QUERY);
	CU_ASSERT_PTR_NULL(strstr(r.headers, "k3y"));
	/* the label is the title alone (no template), and no log line
	 * holds the key, raw or escaped */
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Query App");
	CU_ASSERT_PTR_NULL(strstr(h.log, "k3y"));
	lk_conn_free(conn);
}

static void test_outside_base_urls(void)
{
	lk_conn_list *list = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;

	CU_ASSERT_FATAL(lk_conn_list_new(&list, ctx, "alice", "qry") == LK_OK);
	CU_ASSERT_FATAL(lk_conn_list_count(list) >= 1);
	lkh_reset(&h);
	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, "/other/x")) ==
			LK_OK);
	CU_ASSERT_EQUAL(
	    lk_perform(&resp, ctx, (lk_conn *)lk_conn_list_at(list, 0), req),
	    LK_EDENIED);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	lk_request_free(req);
	lk_conn_list_free(list);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("apikey", setup, teardown);
	return !s ||
	       !CU_add_test(s, "two header templates", test_two_headers) ||
	       !CU_add_test(s, "CR LF in a header value",
			    test_header_injection_refused) ||
	       !CU_add_test(s, "query placement", test_query) ||
	       !CU_add_test(s, "outside base_urls", test_outside_base_urls);
}

LK_CUNIT_MAIN(reg)
