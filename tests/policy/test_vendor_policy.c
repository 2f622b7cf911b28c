/* SPDX-License-Identifier: MIT */
/* A third-party refresh policy (vendor_policy.so, built by the tests as a
 * vendor would) loaded from a module folder beside oauth2.so, deciding on
 * answers of lk-provider (127.0.0.1) that report token trouble in a 200
 * body. The core must act on both of its answers: "refresh" renews the
 * token and retries once (never a loop); "expired" marks the connection
 * expired, fires the event and returns LK_EEXPIRED. */
#include "modules/oauth2/o2_harness.h"

#include "cunit_main.h"

static char mod_dir[256]; /* oauth2.so + vendor_policy.so */

static unsigned expired_events, refreshed_events;
static char expired_reason[256];
static void on_event(void *ud, const lk_event *ev)
{
	(void)ud;
	if (ev->type == LK_EVENT_EXPIRED) {
		expired_events++;
		snprintf(expired_reason, sizeof expired_reason, "%s",
			 ev->reason ? ev->reason : "");
	} else if (ev->type == LK_EVENT_REFRESHED) {
		refreshed_events++;
	}
}

static int copy_file(const char *from, const char *to)
{
	char buf[8192];
	size_t n;
	int rc = 0;
	FILE *in = fopen(from, "rb"), *out = NULL;

	if (!in)
		return -1;
	out = fopen(to, "wb");
	if (!out) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	fclose(in);
	if (fclose(out) != 0)
		rc = -1;
	return rc == 0 ? chmod(to, 0755) : rc;
}

/* A fresh emulator, config (module_path: mod_dir) and ctx; the app uses
 * policy "vendor_policy" with @p block (NULL: none, the defaults). */
static lk_ctx *fresh(const char *block)
{
	char app[256], p[512];
	o2_ctl("/_/reset", NULL);
	snprintf(app, sizeof app, "%s%s%s", block ? "vendor_policy = " : "",
		 block ? block : "", block ? ";" : "");
	o2_write_config("policy = \"vendor_policy\";", app);
	snprintf(p, sizeof p, "%s/latchkey.conf", o2_dir);
	FILE *f = fopen(p, "w");
	if (!f)
		return NULL;
	fprintf(f,
		"module_path = \"%s\";\n"
		"apps_dir = \"apps\";\n"
		"store = { path = \"%s/store\"; key_file = \"%s/master.key\"; "
		"};\n"
		"http = { timeout = 2; connect_timeout = 2; };\n",
		mod_dir, o2_dir, o2_dir);
	fclose(f);
	lk_ctx *ctx = o2_ctx();
	expired_events = refreshed_events = 0;
	expired_reason[0] = '\0';
	if (ctx)
		lk_ctx_set_events(ctx, on_event, NULL);
	return ctx;
}

/* GET /oauth2/me; the status and body (malloc'd). */
static lk_status get_me(long *status, char **body, lk_ctx *ctx, lk_conn *conn)
{
	char url[512];
	lk_request *req = NULL;
	lk_response *resp = NULL;
	size_t len = 0;
	snprintf(url, sizeof url, "%s/oauth2/me", o2_base);
	lk_status rc = lk_request_new(&req, "GET", url);
	if (rc == LK_OK)
		rc = lk_perform(&resp, ctx, conn, req);
	*status = resp ? lk_response_status(resp) : 0;
	const char *b = resp ? lk_response_body(resp, &len) : NULL;
	*body = strndup(b ? b : "", b ? len : 0);
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}

static int suite_init(void)
{
	static char dir[] = "/tmp/lk-vpol-XXXXXX";
	char from[512], to[512];
	const char *top = o2_env("top_builddir", ".");

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(mod_dir, sizeof mod_dir, "/tmp/lk-vpol-mods-XXXXXX");
	if (!mkdtemp(mod_dir) || chmod(mod_dir, 0755) != 0)
		return 1;
	snprintf(from, sizeof from, "%s/modules/oauth2/.libs/oauth2.so", top);
	snprintf(to, sizeof to, "%s/oauth2.so", mod_dir);
	if (copy_file(from, to) != 0)
		return 1;
	snprintf(from, sizeof from, "%s/tests/policy/.libs/vendor_policy.so",
		 top);
	snprintf(to, sizeof to, "%s/vendor_policy.so", mod_dir);
	if (copy_file(from, to) != 0)
		return 1;
	if (!mkdtemp(dir))
		return 1;
	return o2_provider_start(dir, 300) ? 0 : 1;
}

static int suite_clean(void)
{
	char p[512];
	o2_provider_stop();
	o2_cleanup_dir();
	if (*mod_dir) {
		snprintf(p, sizeof p, "%s/oauth2.so", mod_dir);
		unlink(p);
		snprintf(p, sizeof p, "%s/vendor_policy.so", mod_dir);
		unlink(p);
		rmdir(mod_dir);
	}
	return 0;
}

static void test_loads_and_checks(void)
{
	size_t np = 9;
	lk_ctx *ctx = fresh("{ refresh_code = \"X\"; }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_EQUAL(np, 0);
	lk_ctx_free(ctx);
	/* Its block is checked against the keys it declares. */
	ctx = fresh("{ retry_code = \"X\"; }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_NOT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "o2.conf:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "retry_code"));
	lk_ctx_free(ctx);
}

/* "refresh": the refresh, then the same request again with the new
 * token, which the caller gets. */
static void test_refresh_answer_refreshes_and_retries(void)
{
	lk_status st;
	long status = 0;
	char *body = NULL;
	lk_ctx *ctx = fresh(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "json_error=E_STALE");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, conn), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_STRING_EQUAL(body, "{\"login\":\"octocat\",\"id\":42}");
	free(body);
	cJSON *log = o2_requests("/oauth2/");
	/* connect: authorize, token, me; then me (E_STALE), token, me. */
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 6);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "path"), "/oauth2/me");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "h:authorization"),
			       "Bearer at-1");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "path"), "/oauth2/token");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "body"),
			       "grant_type=refresh_token&refresh_token=rt-1"
			       "&client_id=lk-client&client_secret=lk-secret");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "path"), "/oauth2/me");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	CU_ASSERT_EQUAL(refreshed_events, 1);
	CU_ASSERT_EQUAL(expired_events, 0);
	lk_conn *stored = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lk_conn_open(&stored, ctx, "default", lk_conn_id(conn)), LK_OK);
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "access_token"), "at-2");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-2");
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "active");
	lk_conn_free(stored);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* New tokens that are stale at once: one refresh, one retry, and the
 * second E_STALE answer goes to the caller. Never a loop. */
static void test_refresh_answer_retries_only_once(void)
{
	lk_status st;
	long status = 0;
	char *body = NULL;
	lk_ctx *ctx = fresh(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "json_error=E_STALE&ttl=-10");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, conn), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_STRING_EQUAL(body, "{\"error\":{\"code\":\"E_STALE\"}}");
	free(body);
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 6);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "path"), "/oauth2/token");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	CU_ASSERT_EQUAL(expired_events, 0);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* "expired": no refresh is tried; the connection is expired, stored as
 * such, the event fires, and it sends nothing afterwards. */
static void test_expired_answer_expires(void)
{
	lk_status st;
	long status = 0;
	char *body = NULL;
	lk_ctx *ctx = fresh(NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "json_error=E_GONE");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, conn), LK_EEXPIRED);
	free(body);
	CU_ASSERT_EQUAL(expired_events, 1);
	CU_ASSERT_EQUAL(refreshed_events, 0);
	CU_ASSERT_STRING_NOT_EQUAL(expired_reason, "");
	CU_ASSERT_PTR_NULL(strstr(expired_reason, "at-1"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "at-1"));
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 4);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "path"), "/oauth2/me");
	cJSON_Delete(log);
	lk_conn *stored = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lk_conn_open(&stored, ctx, "default", lk_conn_id(conn)), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "expired");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-1");
	o2_ctl("/_/reset", NULL);
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, stored), LK_EEXPIRED);
	free(body);
	log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 0);
	cJSON_Delete(log);
	lk_conn_free(stored);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* The codes come from the policy's own config block. */
static void test_codes_from_config(void)
{
	lk_status st;
	long status = 0;
	char *body = NULL;
	lk_ctx *ctx = fresh("{ refresh_code = \"X_RENEW\"; }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	/* The default code means nothing to this app: the 200 goes back. */
	o2_ctl("/oauth2/_/config", "json_error=E_STALE");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, conn), LK_OK);
	CU_ASSERT_STRING_EQUAL(body, "{\"error\":{\"code\":\"E_STALE\"}}");
	free(body);
	cJSON *log = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 1); /* the code exchange */
	cJSON_Delete(log);
	o2_ctl("/oauth2/_/config", "json_error=X_RENEW");
	CU_ASSERT_EQUAL(get_me(&status, &body, ctx, conn), LK_OK);
	CU_ASSERT_STRING_EQUAL(body, "{\"login\":\"octocat\",\"id\":42}");
	free(body);
	log = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 2);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(o2_req_get(log, 1, "body"), "grant_type=refresh_token"));
	cJSON_Delete(log);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static int register_vendor_policy(void)
{
	CU_pSuite s = CU_add_suite("vendor_policy", suite_init, suite_clean);
	if (!s)
		return 1;
	CU_add_test(s, "loads_and_checks", test_loads_and_checks);
	CU_add_test(s, "refresh_answer_refreshes_and_retries",
		    test_refresh_answer_refreshes_and_retries);
	CU_add_test(s, "refresh_answer_retries_only_once",
		    test_refresh_answer_retries_only_once);
	CU_add_test(s, "expired_answer_expires", test_expired_answer_expires);
	CU_add_test(s, "codes_from_config", test_codes_from_config);
	return 0;
}

LK_CUNIT_MAIN(register_vendor_policy)
