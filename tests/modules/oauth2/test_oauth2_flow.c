/* SPDX-License-Identifier: MIT */
/* oauth2.so end to end against lk-provider on 127.0.0.1: the connect
 * flow (RFC 6749 4.1, RFC 7636), every token request style and answer
 * format, bearer placement (RFC 6750 2), refresh on 401 and before
 * expiry, rotation, and what each refusal does to a connection. Each
 * test asserts the exact requests the emulator received. */
#include "o2_harness.h"

#include "cunit_main.h"

/* RFC 7636 appendix B: the 32 octets behind the example verifier. */
static const unsigned char rfc7636_octets[32] = {
    116, 24,  223, 180, 151, 153, 224, 37,  79,	 250, 96,
    125, 216, 173, 187, 186, 22,  212, 37,  77,	 105, 214,
    191, 240, 91,  88,	5,   88,  83,  132, 141, 121};
#define RFC7636_VERIFIER "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
#define RFC7636_CHALLENGE "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
#define REDIRECT_ENC "http%3a%2f%2f127.0.0.1%3a8765%2fcallback"

static lk_status rfc_entropy(void *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		((unsigned char *)buf)[i] = rfc7636_octets[i % 32];
	return LK_OK;
}

static int64_t time_shift;
static int64_t shifted_now(void)
{
	return (int64_t)time(NULL) + time_shift;
}

static unsigned expired_events;
static void on_event(void *ud, const lk_event *ev)
{
	(void)ud;
	if (ev->type == LK_EVENT_EXPIRED)
		expired_events++;
}

static char warnings[4096];
static void on_log(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	size_t n = strlen(warnings);
	if (level <= LK_LOG_WARN)
		snprintf(warnings + n, sizeof warnings - n, "%s\n", msg);
}

/* A fresh emulator state, config and ctx for one test. */
static lk_ctx *fresh(const char *oauth2_extra, const char *app_extra)
{
	o2_ctl("/_/reset", NULL);
	o2_write_config(oauth2_extra, app_extra);
	lk_ctx *ctx = o2_ctx();
	expired_events = 0;
	warnings[0] = '\0';
	if (ctx) {
		lk_ctx_set_events(ctx, on_event, NULL);
		lk_ctx_set_log(ctx, on_log, NULL, LK_LOG_WARN);
	}
	return ctx;
}

static int suite_init(void)
{
	static char dir[] = "/tmp/lk-o2p-XXXXXX";
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(dir))
		return 1;
	return o2_provider_start(dir, 300) ? 0 : 1;
}

static int suite_clean(void)
{
	o2_provider_stop();
	o2_cleanup_dir();
	return 0;
}

static void test_connect_sends_rfc6749_requests_exactly(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	char *flow = NULL, *url = NULL, expect[1024];
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);

	/* The RFC 7636 octets make state and verifier the RFC's values. */
	lk_test_set_entropy(rfc_entropy, NULL);
	CU_ASSERT_EQUAL_FATAL(o2_begin(&flow, &url, ctx), LK_OK);
	lk_test_set_entropy(NULL, NULL);
	snprintf(expect, sizeof expect, "%s%s", o2_base,
		 "/oauth2/authorize?response_type=code&client_id=lk-client"
		 "&redirect_uri=" REDIRECT_ENC "&scope=read+write"
		 "&state=" RFC7636_VERIFIER "&code_challenge=" RFC7636_CHALLENGE
		 "&code_challenge_method=S256");
	CU_ASSERT_STRING_EQUAL(url, expect);
	char *cb = o2_browse(url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	CU_ASSERT_STRING_EQUAL(cb, "http://127.0.0.1:8765/callback?code=code-1"
				   "&state=" RFC7636_VERIFIER);
	lk_conn *conn = NULL;
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, "default", flow, cb),
			LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Demo OAuth2 octocat u-42");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "access_token"), "at-1");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "refresh_token"), "rt-1");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "token_type"), "Bearer");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "scope"), "read write");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "expires_in"), "3600");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "user_id"), "u-42");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "team.name"), "Acme");
	long long exp = strtoll(o2_field(conn, "expires_at"), NULL, 10);
	CU_ASSERT(exp >= (long long)time(NULL) + 3590 &&
		  exp <= (long long)time(NULL) + 3600);
	CU_ASSERT(lk_fields_is_secret(lk_conn_fields(conn), "access_token"));
	CU_ASSERT(lk_fields_is_secret(lk_conn_fields(conn), "refresh_token"));

	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "method"), "POST");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "query"), "");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "body"),
			       "grant_type=authorization_code&code=code-1"
			       "&redirect_uri=" REDIRECT_ENC
			       "&code_verifier=" RFC7636_VERIFIER
			       "&client_id=lk-client&client_secret=lk-secret");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "h:accept"),
			       "application/json");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "h:content-type"),
			       "application/x-www-form-urlencoded");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "h:authorization"), "");
	cJSON *me = o2_requests("/oauth2/me");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(me), 1);
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 0, "h:authorization"),
			       "Bearer at-1");
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 0, "query"), "");
	cJSON_Delete(tok);
	cJSON_Delete(me);

	/* The callback is single-use: the flow is gone. */
	lk_conn *again = NULL;
	CU_ASSERT_EQUAL(lk_connect_finish(&again, ctx, "default", flow, cb),
			LK_ESTATE);
	CU_ASSERT_PTR_NULL(again);
	free(cb);
	lk_free(flow);
	lk_free(url);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* RFC 6749 2.3.1: Basic with the form-encoded id and secret; neither in
 * the body then. */
static void test_client_secret_basic(void)
{
	lk_ctx *ctx = fresh("client_auth = \"basic\";", NULL);
	lk_status st;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_EQUAL(st, LK_OK);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "h:authorization"),
			       "Basic bGstY2xpZW50OmxrLXNlY3JldA==");
	CU_ASSERT_PTR_NULL(strstr(o2_req_get(tok, 0, "body"), "client_"));
	CU_ASSERT_PTR_NOT_NULL(strstr(o2_req_get(tok, 0, "body"),
				      "grant_type=authorization_code&"));
	cJSON_Delete(tok);
	/* The refresh authenticates the same way. */
	long status = 0;
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(tok), 2);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 1, "h:authorization"),
			       "Basic bGstY2xpZW50OmxrLXNlY3JldA==");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 1, "body"),
			       "grant_type=refresh_token&refresh_token=rt-1");
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_token_request_query(void)
{
	lk_ctx *ctx = fresh("token_request = \"query\"; pkce = false;", NULL);
	lk_status st;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_EQUAL(st, LK_OK);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "method"), "POST");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "body"), "");
	/* pkce = false: no verifier. */
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "query"),
			       "grant_type=authorization_code&code=code-1"
			       "&redirect_uri=" REDIRECT_ENC
			       "&client_id=lk-client&client_secret=lk-secret");
	cJSON *auth = o2_requests("/oauth2/authorize");
	CU_ASSERT_PTR_NULL(strstr(o2_req_get(auth, 0, "query"), "code_"));
	cJSON_Delete(auth);
	cJSON_Delete(tok);
	/* The refresh goes in the query too. */
	long status = 0;
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(tok), 2);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 1, "body"), "");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 1, "query"),
			       "grant_type=refresh_token&refresh_token=rt-1"
			       "&client_id=lk-client&client_secret=lk-secret");
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* "auto": the query first; a server that wants the body refuses it
 * with a 4xx, and the same request goes again in the body. */
static void test_token_request_auto_falls_back_to_body(void)
{
	lk_ctx *ctx = fresh("token_request = \"auto\";", NULL);
	lk_status st;
	o2_ctl("/oauth2/_/config", "body_only=1");
	lk_conn *conn = o2_connect(ctx, &st);
	/* The validate callback warned when the app was bound. */
	CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "o2.conf:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "token_request = \"auto\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(warnings, "client secret"));
	CU_ASSERT_EQUAL(st, LK_OK);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(tok), 2);
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "body"), "");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 1, "query"), "");
	CU_ASSERT_STRING_EQUAL(o2_req_get(tok, 0, "query"),
			       o2_req_get(tok, 1, "body"));
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
	/* A server that reads the query only: one request. */
	ctx = fresh("token_request = \"auto\";", NULL);
	o2_ctl("/oauth2/_/config", "query_only=1");
	conn = o2_connect(ctx, &st);
	CU_ASSERT_EQUAL(st, LK_OK);
	tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* invalid_grant is an answer, not a style problem: the code is not
 * spent twice. */
static void test_token_request_auto_stops_on_invalid_grant(void)
{
	lk_ctx *ctx = fresh("token_request = \"auto\";", NULL);
	char *flow = NULL, *url = NULL;
	CU_ASSERT_EQUAL_FATAL(o2_begin(&flow, &url, ctx), LK_OK);
	char *cb = o2_browse(url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	char *c = strstr(cb, "code=code-1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	c[10] = '9'; /* code-9 was never issued */
	lk_conn *conn = NULL;
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, "default", flow, cb),
			LK_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "invalid_grant"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "unknown code"));
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	cJSON_Delete(tok);
	free(cb);
	lk_free(flow);
	lk_free(url);
	lk_ctx_free(ctx);
}

static void connect_in_format(const char *fmt, const char *token_type)
{
	char form[64];
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	snprintf(form, sizeof form, "format=%s", fmt);
	o2_ctl("/oauth2/_/config", form);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_EQUAL(st, LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "access_token"), "at-1");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "refresh_token"), "rt-1");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "token_type"), token_type);
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "expires_in"), "3600");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "scope"), "read write");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "user_id"), "u-42");
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Demo OAuth2 octocat u-42");
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_token_response_xml_and_form(void)
{
	connect_in_format("xml", "bearer");
	connect_in_format("form", "bearer");
}

static void test_error_in_a_200_is_an_error(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	o2_ctl("/oauth2/_/config", "error_200=1");
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NULL(conn);
	CU_ASSERT_EQUAL(st, LK_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(lk_errmsg(ctx), "invalid_grant: in a 200"));
	lk_conn_list *l = NULL;
	CU_ASSERT_EQUAL(lk_conn_list_new(&l, ctx, "default", "o2"), LK_OK);
	CU_ASSERT_EQUAL(lk_conn_list_count(l), 0);
	lk_conn_list_free(l);
	lk_ctx_free(ctx);
}

static void test_access_denied_ends_the_flow(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	o2_ctl("/oauth2/_/config", "deny=1");
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NULL(conn);
	CU_ASSERT_EQUAL(st, LK_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx),
				      "the provider ended the authorization: "
				      "access_denied: The user denied the "
				      "request"));
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 0);
	cJSON_Delete(tok);
	lk_ctx_free(ctx);
}

static void test_state_mismatch_refused_and_single_use(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	char *flow = NULL, *url = NULL;
	CU_ASSERT_EQUAL_FATAL(o2_begin(&flow, &url, ctx), LK_OK);
	char *cb = o2_browse(url);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	char *s = strstr(cb, "state=");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	char saved = s[6];
	s[6] = saved == 'A' ? 'B' : 'A';
	lk_conn *conn = NULL;
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, "default", flow, cb),
			LK_ESTATE);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "does not match"));
	s[6] = saved;
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, "default", flow, cb),
			LK_ESTATE);
	CU_ASSERT_PTR_NULL(conn);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 0);
	cJSON_Delete(tok);
	free(cb);
	lk_free(flow);
	lk_free(url);
	lk_ctx_free(ctx);
}

static void test_state_expires_after_ten_minutes(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	char *flow = NULL, *url = NULL;
	CU_ASSERT_EQUAL_FATAL(o2_begin(&flow, &url, ctx), LK_OK);
	char *cb = o2_browse(url);
	lk_conn *conn = NULL;
	time_shift = 601;
	lk_test_set_entropy(NULL, shifted_now);
	CU_ASSERT_EQUAL(
	    lk_connect_finish(&conn, ctx, "default", flow, cb ? cb : ""),
	    LK_ESTATE);
	lk_test_set_entropy(NULL, NULL);
	time_shift = 0;
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "expired"));
	CU_ASSERT_PTR_NULL(conn);
	free(cb);
	lk_free(flow);
	lk_free(url);
	lk_ctx_free(ctx);
}

/* A connection reopened from the store. */
static lk_conn *reopen(lk_ctx *ctx, const lk_conn *conn)
{
	lk_conn *c = NULL;
	CU_ASSERT_EQUAL(lk_conn_open(&c, ctx, "default", lk_conn_id(conn)),
			LK_OK);
	return c;
}

static void test_refresh_on_401_retries_once_with_rotation(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	cJSON *log = o2_requests("/oauth2/");
	/* connect: authorize, token, me; then me (401), token, me. */
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 6);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "path"), "/oauth2/me");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "h:authorization"),
			       "Bearer at-1");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "path"), "/oauth2/token");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "body"),
			       "grant_type=refresh_token&refresh_token=rt-1"
			       "&client_id=lk-client&client_secret=lk-secret");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "h:accept"),
			       "application/json");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	lk_conn *stored = reopen(ctx, conn);
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "access_token"), "at-2");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-2");
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "active");
	lk_conn_free(stored);

	/* New tokens already expired: one refresh, one retry, then the 401
	 * goes back to the caller: never a loop. */
	o2_ctl("/_/reset", NULL);
	lk_conn_free(conn);
	conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "ttl=-10");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 401);
	log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 6);
	cJSON_Delete(log);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_refresh_before_expiry(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	/* 50 s before the 3600 s token expires: inside the 60 s margin. */
	time_shift = 3550;
	lk_test_set_entropy(NULL, shifted_now);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 5);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 3, "path"), "/oauth2/token");
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(o2_req_get(log, 3, "body"), "grant_type=refresh_token"));
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	long long exp = strtoll(o2_field(conn, "expires_at"), NULL, 10);
	CU_ASSERT(exp >= (long long)time(NULL) + 3550 + 3590);
	lk_conn_free(conn);
	lk_test_set_entropy(NULL, NULL);
	lk_ctx_free(ctx);

	/* refresh_margin = 10: not due yet at the same moment. */
	ctx = fresh("refresh_margin = 10;", NULL);
	conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	lk_test_set_entropy(NULL, shifted_now);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	lk_test_set_entropy(NULL, NULL);
	time_shift = 0;
	log = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 1);
	cJSON_Delete(log);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_refresh_without_rotation_keeps_the_token(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	o2_ctl("/oauth2/_/config", "rotate=0");
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	for (int i = 0; i < 2; i++) {
		o2_ctl("/oauth2/_/expire", NULL);
		CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"),
				LK_OK);
		CU_ASSERT_EQUAL(status, 200);
	}
	lk_conn *stored = reopen(ctx, conn);
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "access_token"), "at-3");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-1");
	lk_conn_free(stored);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_invalid_grant_expires_the_connection(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/expire", NULL);
	o2_ctl("/oauth2/_/revoke", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_EEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "invalid_grant"));
	CU_ASSERT_EQUAL(expired_events, 1);
	lk_conn *stored = reopen(ctx, conn);
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "expired");
	/* An expired connection sends nothing. */
	o2_ctl("/_/reset", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, stored, "/oauth2/me"),
			LK_EEXPIRED);
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 0);
	cJSON_Delete(log);
	lk_conn_free(stored);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* A rotated client secret must not expire every user. */
static void test_invalid_client_is_a_config_error(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	char id[64];
	snprintf(id, sizeof id, "%s", lk_conn_id(conn));
	lk_conn_free(conn);
	lk_ctx_free(ctx);
	/* Same store, the app now has a wrong secret. */
	char p[512], *text = NULL;
	snprintf(p, sizeof p, "%s/apps/o2.conf", o2_dir);
	FILE *f = fopen(p, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	text = calloc(1, 8192);
	size_t n = fread(text, 1, 8191, f);
	fclose(f);
	text[n] = '\0';
	char *s = strstr(text, "lk-secret");
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	memcpy(s, "lk-wrong!", 9);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	ctx = o2_ctx();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_ctx_set_events(ctx, on_event, NULL);
	CU_ASSERT_EQUAL_FATAL(lk_conn_open(&conn, ctx, "default", id), LK_OK);
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_ECONFIG);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "invalid_client"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "o2.conf:"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "lk-wrong"));
	CU_ASSERT_EQUAL(expired_events, 0);
	lk_conn *stored = reopen(ctx, conn);
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "active");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-1");
	lk_conn_free(stored);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_5xx_and_timeout_are_transient(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/expire", NULL);
	o2_ctl("/_/fault", "path=/oauth2/token&status=503");
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_EHTTP);

	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "HTTP 503"));
	o2_ctl("/_/fault", "path=/oauth2/token&delay_ms=3000");
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_ETIMEOUT);
	CU_ASSERT_EQUAL(expired_events, 0);
	lk_conn *stored = reopen(ctx, conn);
	CU_ASSERT_STRING_EQUAL(lk_conn_status(stored), "active");
	CU_ASSERT_STRING_EQUAL(o2_field(stored, "refresh_token"), "rt-1");
	lk_conn_free(stored);
	/* The provider is back: the next call refreshes and succeeds. */
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_refresh_on_status_and_json_error(void)
{
	lk_ctx *ctx = fresh(NULL, "refresh_on = { status = [401, 403]; };");
	lk_status st;
	long status = 0;
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "expired_status=403");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 2);
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);

	ctx = fresh(NULL,
		    "refresh_on = { json_error = [ \"token_expired\" ]; };");
	conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/config", "json_error=token_expired");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	cJSON *log = o2_requests("/oauth2/");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 6);
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 4, "path"), "/oauth2/token");
	CU_ASSERT_STRING_EQUAL(o2_req_get(log, 5, "h:authorization"),
			       "Bearer at-2");
	cJSON_Delete(log);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void placement(const char *setting, const char *auth, const char *query)
{
	char extra[64];
	lk_status st;
	snprintf(extra, sizeof extra, "token_placement = \"%s\";", setting);
	lk_ctx *ctx = fresh(extra, NULL);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	cJSON *me = o2_requests("/oauth2/me");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(me), 1);
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 0, "h:authorization"), auth);
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 0, "query"), query);
	cJSON_Delete(me);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_token_placement(void)
{
	placement("header", "Bearer at-1", "");
	placement("querystring", "", "access_token=at-1");
	placement("both", "Bearer at-1", "access_token=at-1");

	/* The retry after a refresh carries the new token once, not the
	 * old one as well. */
	lk_status st;
	long status = 0;
	lk_ctx *ctx = fresh("token_placement = \"querystring\";", NULL);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me?x=1"), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	cJSON *me = o2_requests("/oauth2/me");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(me), 3);
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 1, "query"),
			       "x=1&access_token=at-1");
	CU_ASSERT_STRING_EQUAL(o2_req_get(me, 2, "query"),
			       "x=1&access_token=at-2");
	cJSON_Delete(me);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static void test_no_refresh_url_expires_on_401(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	lk_status st;
	long status = 0;
	/* Drop refresh_token_url from the config. */
	char p[512], *text = calloc(1, 8192);
	snprintf(p, sizeof p, "%s/apps/o2.conf", o2_dir);
	FILE *f = fopen(p, "r");
	size_t n = fread(text, 1, 8191, f);
	fclose(f);
	text[n] = '\0';
	char *s = strstr(text, "refresh_token_url");
	memcpy(s, "#", 1);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
	free(text);
	lk_ctx_free(ctx);
	ctx = o2_ctx();
	lk_ctx_set_events(ctx, on_event, NULL);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	/* No proactive refresh can happen: no expires_at. */
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "expires_at"), "");
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_EEXPIRED);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "refresh is off"));
	CU_ASSERT_EQUAL(expired_events, 1);
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1);
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static char debug_log[65536];
static void on_debug(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	(void)level;
	size_t n = strlen(debug_log);
	snprintf(debug_log + n, sizeof debug_log - n, "%s\n", msg);
}

/* -v shows the whole exchange: connect, refresh with rotation. No
 * secret may appear in it, nor in an error message. */
static void test_no_secret_in_debug_log_or_errors(void)
{
	lk_ctx *ctx = fresh(NULL, NULL);
	long status = 0;
	char *flow = NULL, *url = NULL;
	debug_log[0] = '\0';
	lk_ctx_set_log(ctx, on_debug, NULL, LK_LOG_DEBUG);
	lk_test_set_entropy(rfc_entropy, NULL);
	CU_ASSERT_EQUAL_FATAL(o2_begin(&flow, &url, ctx), LK_OK);
	lk_test_set_entropy(NULL, NULL);
	char *cb = o2_browse(url);
	lk_conn *conn = NULL;
	CU_ASSERT_EQUAL(
	    lk_connect_finish(&conn, ctx, "default", flow, cb ? cb : ""),
	    LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	o2_ctl("/oauth2/_/expire", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_OK);
	o2_ctl("/oauth2/_/expire", NULL);
	o2_ctl("/oauth2/_/revoke", NULL);
	CU_ASSERT_EQUAL(o2_get(&status, ctx, conn, "/oauth2/me"), LK_EEXPIRED);
	const char *err = lk_errmsg(ctx);
	CU_ASSERT(strlen(debug_log) > 200); /* the exchange was logged */
	static const char *const secrets[] = {"lk-secret",  RFC7636_VERIFIER,
					      "code-1&",    "code=code-1",
					      "at-1\"",	    "at-2\"",
					      "rt-1\"",	    "rt-2\"",
					      "Bearer at-", "refresh_token=rt-",
					      NULL};
	for (int i = 0; secrets[i]; i++) {
		CU_ASSERT_PTR_NULL(strstr(debug_log, secrets[i]));
		CU_ASSERT_PTR_NULL(strstr(err, secrets[i]));
		if (strstr(debug_log, secrets[i]))
			fprintf(stderr, "leaked in the log: %s\n", secrets[i]);
	}
	free(cb);
	lk_free(flow);
	lk_free(url);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

/* Bad oauth2 blocks: file:line errors from check-config. */
static void expect_config_error(const char *extra, const char *needle)
{
	size_t np = 0;
	lk_ctx *ctx = fresh(extra, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_NOT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_EQUAL(np, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "o2.conf:"));
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), needle));
	if (!strstr(lk_errmsg(ctx), needle))
		fprintf(stderr, "got: %s\n", lk_errmsg(ctx));
	lk_ctx_free(ctx);
}

static void test_config_errors(void)
{
	size_t np = 9;
	lk_ctx *ctx = fresh(NULL, NULL);
	CU_ASSERT_EQUAL(lk_ctx_check(ctx, &np), LK_OK);
	CU_ASSERT_EQUAL(np, 0);
	CU_ASSERT_STRING_EQUAL(warnings, "");
	lk_ctx_free(ctx);
	expect_config_error("token_request = \"post\";", "token_request");
	expect_config_error("token_placement = \"cookie\";", "token_placement");
	expect_config_error("client_auth = \"jwt\";", "client_auth");
	expect_config_error("refresh_margin = -5;", "refresh_margin");
	expect_config_error("bogus_key = 1;", "bogus_key");
	expect_config_error("pkce = \"yes\";", "pkce");
	expect_config_error("policy = \"no_such_policy\";", "no_such_policy");
}

static int register_flow(void)
{
	CU_pSuite s = CU_add_suite("oauth2_flow", suite_init, suite_clean);
	if (!s)
		return 1;
	CU_add_test(s, "connect_sends_rfc6749_requests_exactly",
		    test_connect_sends_rfc6749_requests_exactly);
	CU_add_test(s, "client_secret_basic", test_client_secret_basic);
	CU_add_test(s, "token_request_query", test_token_request_query);
	CU_add_test(s, "token_request_auto_falls_back_to_body",
		    test_token_request_auto_falls_back_to_body);
	CU_add_test(s, "token_request_auto_stops_on_invalid_grant",
		    test_token_request_auto_stops_on_invalid_grant);
	CU_add_test(s, "token_response_xml_and_form",
		    test_token_response_xml_and_form);
	CU_add_test(s, "error_in_a_200_is_an_error",
		    test_error_in_a_200_is_an_error);
	CU_add_test(s, "access_denied_ends_the_flow",
		    test_access_denied_ends_the_flow);
	CU_add_test(s, "state_mismatch_refused_and_single_use",
		    test_state_mismatch_refused_and_single_use);
	CU_add_test(s, "state_expires_after_ten_minutes",
		    test_state_expires_after_ten_minutes);
	CU_add_test(s, "refresh_on_401_retries_once_with_rotation",
		    test_refresh_on_401_retries_once_with_rotation);
	CU_add_test(s, "refresh_before_expiry", test_refresh_before_expiry);
	CU_add_test(s, "refresh_without_rotation_keeps_the_token",
		    test_refresh_without_rotation_keeps_the_token);
	CU_add_test(s, "invalid_grant_expires_the_connection",
		    test_invalid_grant_expires_the_connection);
	CU_add_test(s, "invalid_client_is_a_config_error",
		    test_invalid_client_is_a_config_error);
	CU_add_test(s, "5xx_and_timeout_are_transient",
		    test_5xx_and_timeout_are_transient);
	CU_add_test(s, "refresh_on_status_and_json_error",
		    test_refresh_on_status_and_json_error);
	CU_add_test(s, "token_placement", test_token_placement);
	CU_add_test(s, "no_secret_in_debug_log_or_errors",
		    test_no_secret_in_debug_log_or_errors);
	CU_add_test(s, "config_errors", test_config_errors);
	CU_add_test(s, "no_refresh_url_expires_on_401",
		    test_no_refresh_url_expires_on_401);
	return 0;
}

LK_CUNIT_MAIN(register_flow)
