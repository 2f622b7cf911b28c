/* SPDX-License-Identifier: MIT */
/* lifetime.so, the refresh policy that renews a token once a fraction of
 * its life has passed, through the core with oauth2.so and lk-provider on
 * 127.0.0.1. The clock is the core's test hook (lk_test_set_entropy): the
 * connection is made at a known second T0, so issued_at and expires_at are
 * exact, and each call is made at an exact second around the boundary.
 * Every decision is read off the requests the emulator received. */
#include "modules/oauth2/o2_harness.h"

#include "cunit_main.h"

static int64_t fake_now;
static int64_t fixed_now(void)
{
	return fake_now;
}

static char warnings[4096];
static void on_log(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	size_t n = strlen(warnings);
	if (level <= LK_LOG_WARN)
		snprintf(warnings + n, sizeof warnings - n, "%s\n", msg);
}

/* A fresh emulator, config and ctx; the app uses policy "lifetime" with
 * @p lifetime_block (NULL: no block, the defaults) and @p oauth2_extra. */
static lk_ctx *fresh(const char *oauth2_extra, const char *lifetime_block)
{
	char o2[512], app[256];
	o2_ctl("/_/reset", NULL);
	snprintf(o2, sizeof o2, "policy = \"lifetime\"; %s",
		 oauth2_extra ? oauth2_extra : "");
	snprintf(app, sizeof app, "%s%s%s", lifetime_block ? "lifetime = " : "",
		 lifetime_block ? lifetime_block : "",
		 lifetime_block ? ";" : "");
	o2_write_config(o2, app);
	lk_ctx *ctx = o2_ctx();
	warnings[0] = '\0';
	if (ctx)
		lk_ctx_set_log(ctx, on_log, NULL, LK_LOG_WARN);
	return ctx;
}

/* Connect with the clock at @p t0 (the emulator issues at-1 / rt-1). */
static lk_conn *connect_at(lk_ctx *ctx, int64_t t0)
{
	lk_status st;
	fake_now = t0;
	lk_test_set_entropy(NULL, fixed_now);
	return o2_connect(ctx, &st);
}

/* One GET /oauth2/me at second @p t; the HTTP status. */
static long get_at(lk_ctx *ctx, lk_conn *conn, int64_t t)
{
	long status = 0;
	fake_now = t;
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	return status;
}

/* How many refresh_token grants the emulator has seen. */
static int refreshes(void)
{
	cJSON *log = o2_requests("/oauth2/token");
	int n = 0;
	for (int i = 0; i < cJSON_GetArraySize(log); i++)
		if (strstr(o2_req_get(log, i, "body"),
			   "grant_type=refresh_token"))
			n++;
	cJSON_Delete(log);
	return n;
}

static long long field_ll(const lk_conn *conn, const char *key)
{
	return strtoll(o2_field(conn, key), NULL, 10);
}

static int suite_init(void)
{
	static char dir[] = "/tmp/lk-lifetime-XXXXXX";
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(dir))
		return 1;
	return o2_provider_start(dir, 300) ? 0 : 1;
}

static int suite_clean(void)
{
	lk_test_set_entropy(NULL, NULL);
	o2_provider_stop();
	o2_cleanup_dir();
	return 0;
}

/* The integration: a 3600 s token, fraction 0.9 by default. At 3239 s
 * the call goes out with the old token and nothing else; at 3240 s (90 %)
 * the refresh comes first, exactly once, then the call with the new
 * token; the renewed token is again renewed at 90 % of its own life. */
static void test_refresh_at_ninety_percent_not_before(void)
{
	const int64_t t0 = (int64_t)time(NULL);
	lk_ctx *ctx = fresh(NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = connect_at(ctx, t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_EQUAL(field_ll(conn, "issued_at"), t0);
	CU_ASSERT_EQUAL(field_ll(conn, "expires_at"), t0 + 3600);

	CU_ASSERT_EQUAL(get_at(ctx, conn, t0 + 3239), 200);
	cJSON *log = o2_requests("/oauth2/");
	/* connect: authorize, token, me; then the call alone. */
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 4);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "path"), "/oauth2/me");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "h:authorization"),
			       "Bearer at-1");
	cJSON_Delete(log);

	CU_ASSERT_EQUAL(get_at(ctx, conn, t0 + 3240), 200);
	log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 6);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "path"), "/oauth2/token");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "body"),
			       "grant_type=refresh_token&refresh_token=rt-1"
			       "&client_id=lk-client&client_secret=lk-secret");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "path"), "/oauth2/me");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	CU_ASSERT_EQUAL(field_ll(conn, "issued_at"), t0 + 3240);
	CU_ASSERT_EQUAL(field_ll(conn, "expires_at"), t0 + 3240 + 3600);

	/* What is stored: the rotated refresh token and the new times. */
	lk_conn *stored = NULL;
	CU_ASSERT_EQUAL_FATAL(
	    lk_conn_open(&stored, ctx, "default", lk_conn_id(conn)), LK_OK);
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "access_token"), "at-2");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-2");
	CU_ASSERT_EQUAL(field_ll(stored, "issued_at"), t0 + 3240);
	lk_conn_free(stored);

	/* The next round: 90 % of the new token's life. */
	CU_ASSERT_EQUAL(get_at(ctx, conn, t0 + 3240 + 3239), 200);
	CU_ASSERT_EQUAL(refreshes(), 1);
	CU_ASSERT_EQUAL(get_at(ctx, conn, t0 + 3240 + 3240), 200);
	CU_ASSERT_EQUAL(refreshes(), 2);
	log = o2_requests("/oauth2/me");
	int n = cJSON_GetArraySize(log);
	CU_ASSERT_EQUAL(n, 5);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, n - 1, "h:authorization"),
			       "Bearer at-3");
	cJSON_Delete(log);
	CU_ASSERT_STRING_EQUAL(warnings, "");
	lk_test_set_entropy(NULL, NULL);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* One boundary: token lifetime @p ttl, policy block @p block; the call at
 * @p due - 1 must not refresh, the call at @p due must, once. */
static void expect_due(long ttl, const char *block, int64_t due)
{
	char cfg[64];
	const int64_t t0 = (int64_t)time(NULL);
	lk_ctx *ctx = fresh(NULL, block);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	snprintf(cfg, sizeof cfg, "ttl=%ld", ttl);
	o2_ctl("/oauth2/_/config", cfg);
	lk_conn *conn = connect_at(ctx, t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_EQUAL(field_ll(conn, "expires_at"), t0 + ttl);
	/* The emulator's own clock expires its tokens: keep them valid for
	 * the calls (only the client's clock is moved). */
	o2_ctl("/oauth2/_/config", "ttl=3600");
	get_at(ctx, conn, t0 + due - 1);
	CU_ASSERT_EQUAL(refreshes(), 0);
	if (refreshes() != 0)
		fprintf(stderr, "ttl %ld %s: refreshed at %lld\n", ttl,
			block ? block : "", (long long)due - 1);
	get_at(ctx, conn, t0 + due);
	CU_ASSERT_EQUAL(refreshes(), 1);
	if (refreshes() != 1)
		fprintf(stderr, "ttl %ld %s: no refresh at %lld\n", ttl,
			block ? block : "", (long long)due);
	lk_test_set_entropy(NULL, NULL);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_boundaries(void)
{
	/* 0.9 of 10 s: 9 s. */
	expect_due(10, NULL, 9);
	/* 0.7 of 10 s is 7 s exactly (7.000000000000001 in doubles). */
	expect_due(10, "{ fraction = 0.7; }", 7);
	/* 0.5 of 101 s is 50.5 s: due at 51, not at 50. */
	expect_due(101, "{ fraction = 0.5; }", 51);
	/* 1.0: at expiry itself. */
	expect_due(60, "{ fraction = 1.0; }", 60);
	/* A 4 s token at 0.25: due after one whole second. */
	expect_due(4, "{ fraction = 0.25; }", 1);
	/* Lifetimes the default 60 s margin would treat otherwise: a
	 * 24 h token at 0.9 is renewed 2.4 h ahead, not 60 s ahead. */
	expect_due(86400, NULL, 77760);
}

/* Without a refresh_token_url oauth2.so stores no expires_at: nothing
 * can be renewed ahead, however late it is. */
static void test_no_expiry_no_refresh_ahead(void)
{
	const int64_t t0 = (int64_t)time(NULL);
	lk_ctx *ctx = NULL;
	o2_ctl("/_/reset", NULL);
	o2_write_config("policy = \"lifetime\";", NULL);
	/* Drop refresh_token_url from the generated app. */
	char p[512], text[8192];
	snprintf(p, sizeof p, "%s/apps/o2.conf", o2_dir);
	FILE *f = fopen(p, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	size_t n = fread(text, 1, sizeof text - 1, f);
	fclose(f);
	text[n] = '\0';
	char *s = strstr(text, "refresh_token_url");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memcpy(s, "#", 1);
	f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	ctx = o2_ctx();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = connect_at(ctx, t0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "expires_at"), "");
	CU_ASSERT_EQUAL(get_at(ctx, conn, t0 + 10 * 3600), 200);
	CU_ASSERT_EQUAL(refreshes(), 0);
	lk_test_set_entropy(NULL, NULL);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void expect_check_error(const char *block, const char *needle)
{
	size_t np = 0;
	lk_ctx *ctx = fresh(NULL, block);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_NOT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_EQUAL(np, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "o2.conf:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), needle));
	if (!strstr(lk_errmsg(ctx), needle))
		fprintf(stderr, "got: %s\n", lk_errmsg(ctx));
	lk_ctx_free(ctx);
}

static void test_config(void)
{
	size_t np = 9;
	lk_ctx *ctx = fresh(NULL, "{ fraction = 0.75; }");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_EQUAL(np, 0);
	lk_ctx_free(ctx);
	/* A fraction outside (0, 1] is a check-config error naming
	 * file:line (the policy's validate, ABI 1.1): nothing is sent. */
	o2_ctl("/_/reset", NULL);
	expect_check_error("{ fraction = 0.0; }", "lifetime.fraction must be");
	expect_check_error("{ fraction = 1.5; }", "lifetime.fraction must be");
	expect_check_error("{ fraction = -0.5; }", "lifetime.fraction must be");
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 0);
	cJSON_Delete(log);
	expect_check_error("{ fraction = \"most\"; }", "fraction");
	expect_check_error("{ margin = 5; }", "margin");
}

static int register_lifetime(void)
{
	CU_pSuite s = CU_add_suite("lifetime", suite_init, suite_clean);
	if (!s)
		return 1;
	CU_add_test(s, "refresh_at_ninety_percent_not_before",
		    test_refresh_at_ninety_percent_not_before);
	CU_add_test(s, "boundaries", test_boundaries);
	CU_add_test(s, "no_expiry_no_refresh_ahead",
		    test_no_expiry_no_refresh_ahead);
	CU_add_test(s, "config", test_config);
	return 0;
}

LK_CUNIT_MAIN(register_lifetime)
