/* SPDX-License-Identifier: MIT */
/* oauth1.so end to end against lk-provider's OAuth 1.0a area on
 * 127.0.0.1: the three legs (RFC 5849 section 2) through the public API
 * (lk_connect_begin, the authorize URL fetched with libcurl without
 * following the redirect, lk_connect_finish with the callback URL), the
 * exact requests the provider received, signed calls carrying query and
 * form parameters (verified by the provider on its own code path), every
 * signature method and placement, nonce replay and the timestamp window,
 * and refusals (bad verifier, foreign token, hostile token answers) that
 * store nothing and name no secret. */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <latchkey/latchkey.h>
#include <latchkey/module.h>

#include "cunit_main.h"
#include "provider/lkp_spawn.h"

#define OWNER "alice"
#define CONSUMER_SECRET "cs&+/ %\xc3\xa9"

static char tdir[256];
static char base[64];
static char conf[300];
static pid_t provider = -1;
static lk_ctx *ctx;
/* Everything the ctx logged, -v level included. */
static char *logged;
static size_t logged_len;

/* ------------------------------------------------------------ helpers */

struct body {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t sz, size_t n, void *u)
{
	struct body *b = u;
	char *nd = realloc(b->data, b->len + sz * n + 1);
	if (!nd)
		return 0;
	memcpy(nd + b->len, p, sz * n);
	b->len += sz * n;
	nd[b->len] = '\0';
	b->data = nd;
	return sz * n;
}

/* One request to the emulator, no redirects followed. @p body (POST
 * form) may be NULL; @p out and @p location (malloc'd) may be NULL. */
static long http(const char *method, const char *path_or_url, const char *form,
		 char **out, char **location)
{
	CURL *c = curl_easy_init();
	struct body b = {0};
	char url[2048];
	long status = -1;
	char *loc = NULL;

	if (strncmp(path_or_url, "http", 4) == 0)
		snprintf(url, sizeof(url), "%s", path_or_url);
	else
		snprintf(url, sizeof(url), "%s%s", base, path_or_url);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (form)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, form);
	if (curl_easy_perform(c) == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc);
		if (location)
			*location = loc ? strdup(loc) : NULL;
	} else if (location) {
		*location = NULL;
	}
	curl_easy_cleanup(c);
	if (out)
		*out = b.data;
	else
		free(b.data);
	return status;
}

static void provider_reset(void)
{
	http("POST", "/_/reset", "", NULL, NULL);
}

static void provider_config(const char *form)
{
	CU_ASSERT_EQUAL(http("POST", "/oauth1/_/config", form, NULL, NULL),
			200);
}

/* The requests the emulator received, in order (cJSON_Delete). */
static cJSON *requests(void)
{
	char *text = NULL;
	cJSON *j;

	http("GET", "/_/requests", NULL, &text, NULL);
	j = text ? cJSON_Parse(text) : NULL;
	free(text);
	return j;
}

static const char *req_str(const cJSON *r, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static const char *req_header(const cJSON *r, const char *name)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(r, "headers");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(h, name);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static bool has(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle) != NULL;
}

static size_t connection_count(void)
{
	lk_conn_list *l = NULL;
	size_t n = (size_t)-1;

	if (lk_conn_list_new(&l, ctx, OWNER, NULL) == LK_OK)
		n = lk_conn_list_count(l);
	lk_conn_list_free(l);
	return n;
}

static size_t lk_files;
static int count_lk(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	size_t n = strlen(p);
	(void)st, (void)ftw;
	if (flag == FTW_F && n > 3 && strcmp(p + n - 3, ".lk") == 0)
		lk_files++;
	return 0;
}

/* Sealed records on disk under store/@p sub ("o": connections, "flows":
 * pending flows). */
static size_t on_disk(const char *sub)
{
	char path[400];

	snprintf(path, sizeof(path), "%s/store/%s", tdir, sub);
	lk_files = 0;
	nftw(path, count_lk, 16, FTW_PHYS);
	return lk_files;
}

/* No secret of the flow in a message. */
static bool secret_free(const char *msg)
{
	return !has(msg, "cs&+") && !has(msg, "ts&") && !has(msg, "as&") &&
	       !has(msg, "vf-");
}

/* Begin a flow, fetch the authorize URL: the callback URL the provider
 * redirected to (malloc'd) and the flow id (lk_free), or NULL. */
static lk_status begin(char **flow, char **callback, const char *app)
{
	char *url = NULL;
	lk_fields *f = NULL;
	lk_status rc;

	*flow = *callback = NULL;
	lk_fields_new(&f);
	rc = lk_connect_begin(flow, &url, ctx, OWNER, app, f, NULL);
	lk_fields_free(f);
	if (rc != LK_OK) {
		/* What the provider saw, to tell why it refused. */
		char *text = NULL;
		http("GET", "/_/requests", NULL, &text, NULL);
		fprintf(stderr, "begin %s: %s\nprovider saw: %s\n", app,
			lk_errmsg(ctx), text ? text : "");
		free(text);
		return rc;
	}
	CU_ASSERT_EQUAL(http("GET", url, NULL, NULL, callback), 302);
	lk_free(url);
	return LK_OK;
}

static lk_status connect_app(lk_conn **out, const char *app)
{
	char *flow = NULL, *cb = NULL;
	lk_status rc = begin(&flow, &cb, app);

	*out = NULL;
	if (rc == LK_OK && cb)
		rc = lk_connect_finish(out, ctx, OWNER, flow, cb);
	lk_free(flow);
	free(cb);
	return rc;
}

static lk_status call(long *status, char **body, lk_conn *conn,
		      const char *method, const char *path,
		      const char *content_type, const char *data)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	char url[512];
	lk_status rc;

	snprintf(url, sizeof(url), "%s%s", base, path);
	*status = 0;
	if (body)
		*body = NULL;
	rc = lk_request_new(&req, method, url);
	if (rc == LK_OK && content_type)
		rc = lk_request_set_header(req, "Content-Type", content_type);
	if (rc == LK_OK && data)
		rc = lk_request_set_body(req, data, strlen(data));
	if (rc == LK_OK)
		rc = lk_perform(&resp, ctx, conn, req);
	if (rc == LK_OK) {
		*status = lk_response_status(resp);
		if (body)
			*body = strdup(lk_response_body(resp, NULL));
	}
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}

static void log_sink(void *u, lk_log_level level, const char *msg)
{
	size_t n = strlen(msg);
	char *nl = realloc(logged, logged_len + n + 2);

	(void)u, (void)level;
	if (!nl)
		return;
	memcpy(nl + logged_len, msg, n);
	nl[logged_len + n] = '\n';
	logged_len += n + 1;
	nl[logged_len] = '\0';
	logged = nl;
}

/* -------------------------------------------------------- setup/teardown */

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static void write_app(const char *id, const char *extra)
{
	char text[4096], name[128];

	snprintf(
	    text, sizeof(text),
	    "app = {\n"
	    "  id = \"%s\"; title = \"Demo OAuth1\"; scheme = \"oauth1\";\n"
	    "  oauth1 = {\n"
	    "    request_token_url = \"%s/oauth1/request_token\";\n"
	    "    authorize_url = \"%s/oauth1/authorize\";\n"
	    "    access_token_url = \"%s/oauth1/access_token\";\n"
	    "    consumer_key = \"lk-consumer\";\n"
	    "    consumer_secret = \"%s\";\n"
	    "    callback_url = \"http://127.0.0.1:8765/callback\";\n"
	    "    extra_fields = [ \"user_id\", \"screen_name\" ];\n"
	    "    %s\n"
	    "  };\n"
	    "  base_urls = [ \"%s/oauth1/\" ]; allow_http = true;\n"
	    "  test = { method = \"GET\"; url = \"%s/oauth1/me\"; };\n"
	    "  label = \"{{screen_name}}\";\n"
	    "};\n",
	    id, base, base, base, CONSUMER_SECRET, extra, base, base);
	snprintf(name, sizeof(name), "apps/%s.conf", id);
	write_file(name, text, 0644);
}

static char *read_src(const char *rel)
{
	const char *top = getenv("top_srcdir");
	char path[512];
	FILE *f;
	char *buf = calloc(1, 8192);

	snprintf(path, sizeof(path), "%s/%s", top ? top : ".", rel);
	f = fopen(path, "r");
	if (f && buf)
		buf[fread(buf, 1, 8191, f)] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static int start_provider(void)
{
	provider = lkp_spawn(tdir, 120, base, sizeof(base));
	return provider > 0 ? 0 : 1;
}

static int teardown(void);

static int setup_inner(void)
{
	const char *top = getenv("top_builddir");
	char text[2048];
	char *pem;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(tdir, sizeof(tdir), "/tmp/lk-oauth1-XXXXXX");
	if (!mkdtemp(tdir) || start_provider())
		return 1;
	snprintf(text, sizeof(text), "%s/apps", tdir);
	mkdir(text, 0755);
	snprintf(text, sizeof(text), "%s/store", tdir);
	mkdir(text, 0700);
	snprintf(
	    text, sizeof(text),
	    "module_path = \"%s/tests/moddir\";\n"
	    "apps_dir = \"apps\";\n"
	    "store = { path = \"%s/store\"; key_file = \"%s/master.key\"; };\n"
	    "http = { timeout = 10; connect_timeout = 5; };\n",
	    top ? top : ".", tdir, tdir);
	write_file("latchkey.conf", text, 0644);
	/* The oauth.net RSA test key, kept private as the core demands. */
	pem = read_src("tests/modules/oauth1/wiki-oauth-net-rsa.pem");
	write_file("rsa.pem", pem ? pem : "", 0600);
	free(pem);
	write_app("o1_hmac", "realm = \"Photos\";");
	write_app("o1_sha256", "signature_method = \"HMAC-SHA256\"; "
			       "placement = \"query\";");
	write_app("o1_rsa", "signature_method = \"RSA-SHA1\"; "
			    "private_key_file = \"../rsa.pem\"; "
			    "placement = \"body\";");
	write_app("o1_plain", "signature_method = \"PLAINTEXT\"; "
			      "send_version = false;");
	write_app("o1_bodyhash", "body_hash = true;");
	write_app("o1_plain_query", "signature_method = \"PLAINTEXT\"; "
				    "placement = \"query\";");
	snprintf(conf, sizeof(conf), "%s/latchkey.conf", tdir);
	if (lk_ctx_new(&ctx) != LK_OK)
		return 1;
	lk_ctx_set_log(ctx, log_sink, NULL, LK_LOG_DEBUG);
	if (lk_ctx_load(ctx, conf) != LK_OK) {
		fprintf(stderr, "load: %s\n", lk_errmsg(ctx));
		return 1;
	}
	return 0;
}

/* CUnit skips teardown when setup fails: clean up here then. */
static int setup(void)
{
	if (setup_inner() == 0)
		return 0;
	teardown();
	return 1;
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void)
{
	lk_ctx_free(ctx);
	lkp_reap(&provider);
	if (tdir[0])
		nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	curl_global_cleanup();
	free(logged);
	return 0;
}

/* ---------------------------------------------------------------- tests */

static void test_three_legs_hmac_sha1(void)
{
	char *flow = NULL, *cb = NULL, expect[512];
	lk_conn *conn = NULL;
	const lk_fields *f;
	cJSON *log;
	size_t before = connection_count();

	provider_reset();
	CU_ASSERT_EQUAL_FATAL(begin(&flow, &cb, "o1_hmac"), LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	/* Pending: sealed in the store until the callback comes. */
	CU_ASSERT_EQUAL(on_disk("flows"), 1);
	/* The callback carries the flow id and the provider's answer. */
	snprintf(expect, sizeof(expect),
		 "http://127.0.0.1:8765/callback?state=%s&oauth_token=rt-1&"
		 "oauth_verifier=vf-1000",
		 flow);
	CU_ASSERT_STRING_EQUAL(cb, expect);
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, OWNER, flow, cb), LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Demo OAuth1 alice");
	f = lk_conn_fields(conn);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "oauth_token"), "at-2");
	CU_ASSERT(lk_fields_is_secret(f, "oauth_token"));
	CU_ASSERT(lk_fields_is_secret(f, "oauth_token_secret"));
	CU_ASSERT_EQUAL(
	    strncmp(lk_fields_get(f, "oauth_token_secret"), "as&", 3), 0);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "user_id"), "42");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "screen_name"), "alice");
	CU_ASSERT_EQUAL(connection_count(), before + 1);
	CU_ASSERT_EQUAL(on_disk("o"), before + 1);
	CU_ASSERT_EQUAL(on_disk("flows"), 0);

	/* Exactly: request_token, authorize (ours), access_token, the
	 * connect test on /oauth1/me. */
	log = requests();
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(log), 4);
	const cJSON *r0 = cJSON_GetArrayItem(log, 0);
	const cJSON *r1 = cJSON_GetArrayItem(log, 1);
	const cJSON *r2 = cJSON_GetArrayItem(log, 2);
	const cJSON *r3 = cJSON_GetArrayItem(log, 3);
	const char *a0 = req_header(r0, "authorization");
	CU_ASSERT_STRING_EQUAL(req_str(r0, "method"), "POST");
	CU_ASSERT_STRING_EQUAL(req_str(r0, "path"), "/oauth1/request_token");
	CU_ASSERT_EQUAL(strncmp(a0,
				"OAuth realm=\"Photos\", oauth_consumer_"
				"key=\"lk-consumer\", oauth_signature_"
				"method=\"HMAC-SHA1\", oauth_timestamp=\"",
				86),
			0);
	CU_ASSERT(has(a0, "\", oauth_version=\"1.0\", oauth_callback=\"http"
			  "%3A%2F%2F127.0.0.1%3A8765%2Fcallback%3Fstate%3D"));
	CU_ASSERT(has(a0, flow));
	CU_ASSERT(!has(a0, "oauth_token="));
	CU_ASSERT(has(a0, "oauth_signature=\""));
	CU_ASSERT_STRING_EQUAL(req_str(r1, "path"), "/oauth1/authorize");
	CU_ASSERT_STRING_EQUAL(req_str(r1, "query"), "oauth_token=rt-1");
	const char *a2 = req_header(r2, "authorization");
	CU_ASSERT_STRING_EQUAL(req_str(r2, "method"), "POST");
	CU_ASSERT_STRING_EQUAL(req_str(r2, "path"), "/oauth1/access_token");
	CU_ASSERT(has(a2, "oauth_token=\"rt-1\""));
	CU_ASSERT(has(a2, "oauth_verifier=\"vf-1000\""));
	CU_ASSERT(!has(a2, "oauth_callback"));
	CU_ASSERT_STRING_EQUAL(req_str(r3, "method"), "GET");
	CU_ASSERT_STRING_EQUAL(req_str(r3, "path"), "/oauth1/me");
	CU_ASSERT(has(req_header(r3, "authorization"), "oauth_token=\"at-2\""));
	/* The secrets sign; they are never sent (PLAINTEXT aside). */
	char *all = cJSON_PrintUnformatted(log);
	CU_ASSERT(!has(all, "ts&") && !has(all, "ts%26"));
	CU_ASSERT(!has(all, "as&") && !has(all, "as%26"));
	CU_ASSERT(!has(all, "cs&") && !has(all, "cs%26"));
	cJSON_free(all);
	cJSON_Delete(log);

	/* The flow is used up: the same callback again is refused. */
	lk_conn *again = NULL;
	CU_ASSERT_EQUAL(lk_connect_finish(&again, ctx, OWNER, flow, cb),
			LK_ESTATE);
	CU_ASSERT_PTR_NULL(again);
	lk_conn_free(conn);
	lk_free(flow);
	free(cb);
}

/* Query and form parameters go into the base string: the provider
 * recomputes the signature over them and counts what it signed. */
static void test_signed_calls_query_and_form(void)
{
	lk_conn *conn = NULL;
	long status;
	char *body = NULL;
	cJSON *log;

	provider_reset();
	CU_ASSERT_EQUAL_FATAL(connect_app(&conn, "o1_hmac"), LK_OK);
	/* 4 requests so far: the three legs and the connect test. */
	/* 6 protocol parameters + b, a (twice) + the odd characters. */
	CU_ASSERT_EQUAL(call(&status, &body, conn, "GET",
			     "/oauth1/me?b=2&a=1+x&a=%7E%2A&q=caf%C3%A9%21",
			     NULL, NULL),
			LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT(has(body, "\"signed_params\":10"));
	if (status != 200)
		fprintf(stderr, "provider said: %s\n", body);
	free(body);
	CU_ASSERT_EQUAL(call(&status, &body, conn, "POST", "/oauth1/me?z=1",
			     "application/x-www-form-urlencoded",
			     "c=3&d=%7E+x&e"),
			LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT(has(body, "\"signed_params\":10"));
	free(body);
	/* A JSON body is not a parameter source (and no body hash here). */
	CU_ASSERT_EQUAL(call(&status, &body, conn, "PUT", "/oauth1/me",
			     "application/json", "{\"a\":1}"),
			LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT(has(body, "\"signed_params\":6"));
	CU_ASSERT(has(body, "\"body_hash\":false"));
	free(body);
	log = requests();
	CU_ASSERT_EQUAL(cJSON_GetArraySize(log), 4 + 3);
	const cJSON *r0 = cJSON_GetArrayItem(log, 4);
	CU_ASSERT_STRING_EQUAL(req_str(r0, "query"),
			       "b=2&a=1+x&a=%7E%2A&q=caf%C3%A9%21");
	const cJSON *r1 = cJSON_GetArrayItem(log, 5);
	CU_ASSERT_STRING_EQUAL(req_str(r1, "body"), "c=3&d=%7E+x&e");
	CU_ASSERT_STRING_EQUAL(req_str(r1, "query"), "z=1");
	cJSON_Delete(log);
	lk_conn_free(conn);
}

static unsigned char fixed_byte = 1;
static lk_status fixed_random(void *buf, size_t len)
{
	memset(buf, fixed_byte, len);
	return LK_OK;
}
static int64_t long_ago(void)
{
	return (int64_t)time(NULL) - 1000;
}

/* The provider refuses a nonce seen before and a timestamp outside its
 * window; both come from the core's hooks here. */
static void test_nonce_replay_and_timestamp(void)
{
	lk_conn *conn = NULL;
	long status;
	char *body = NULL;

	provider_reset();
	CU_ASSERT_EQUAL_FATAL(connect_app(&conn, "o1_hmac"), LK_OK);
	fixed_byte = 0x5a;
	lk_test_set_entropy(fixed_random, NULL);
	CU_ASSERT_EQUAL(
	    call(&status, NULL, conn, "GET", "/oauth1/me", NULL, NULL), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	CU_ASSERT_EQUAL(
	    call(&status, &body, conn, "GET", "/oauth1/me", NULL, NULL), LK_OK);
	CU_ASSERT_EQUAL(status, 401);
	CU_ASSERT(has(body, "nonce_used"));
	free(body);
	lk_test_set_entropy(NULL, long_ago);
	CU_ASSERT_EQUAL(
	    call(&status, &body, conn, "GET", "/oauth1/me", NULL, NULL), LK_OK);
	CU_ASSERT_EQUAL(status, 401);
	CU_ASSERT(has(body, "timestamp_refused"));
	free(body);
	lk_test_set_entropy(NULL, NULL);
	CU_ASSERT_EQUAL(
	    call(&status, NULL, conn, "GET", "/oauth1/me", NULL, NULL), LK_OK);
	CU_ASSERT_EQUAL(status, 200);
	lk_conn_free(conn);
}

/* HMAC-SHA256 in the query, RSA-SHA1 in the body, PLAINTEXT without
 * oauth_version, the body hash: each whole flow and a signed call. */
static void test_methods_and_placements(void)
{
	static const struct {
		const char *app, *proof;
	} cases[] = {
	    {"o1_sha256", "oauth_signature_method=HMAC-SHA256"},
	    {"o1_rsa", "oauth_signature_method=RSA-SHA1"},
	    {"o1_plain", "oauth_signature_method=\"PLAINTEXT\""},
	    {"o1_bodyhash", "oauth_body_hash=\""},
	    {"o1_plain_query", "oauth_signature=cs%2526%252B"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lk_conn *conn = NULL;
		long status = 0;
		char *body = NULL;
		cJSON *log;

		provider_reset();
		CU_ASSERT_EQUAL(connect_app(&conn, cases[i].app), LK_OK);
		if (!conn) {
			fprintf(stderr, "%s: %s\n", cases[i].app,
				lk_errmsg(ctx));
			continue;
		}
		log = requests();
		const cJSON *r0 = cJSON_GetArrayItem(log, 0);
		const char *where = i == 0 || i == 4 ? req_str(r0, "query")
				    : i == 1	     ? req_str(r0, "body")
					     : req_header(r0, "authorization");
		CU_ASSERT(has(where, cases[i].proof));
		if (i == 2) {
			/* PLAINTEXT: the key itself, encoded twice. */
			CU_ASSERT(!has(where, "oauth_version"));
			CU_ASSERT(has(where, "oauth_signature=\"cs%2526%252B%"
					     "252F%2520%2525%25C3%25A9%26\""));
		}
		if (i == 0)
			CU_ASSERT(
			    !has(req_header(r0, "authorization"), "OAuth"));
		cJSON_Delete(log);
		CU_ASSERT_EQUAL(call(&status, &body, conn, "POST",
				     "/oauth1/me?x=1",
				     i == 3 ? "text/plain"
					    : "application/x-www-form-"
					      "urlencoded",
				     i == 3 ? "raw text" : "y=2"),
				LK_OK);
		CU_ASSERT_EQUAL(status, 200);
		if (i == 3)
			CU_ASSERT(has(body, "\"body_hash\":true"));
		free(body);
		lk_conn_free(conn);
	}
}

/* Token answers in JSON and XML go through the core's parser. */
static void test_answer_formats(void)
{
	static const char *const formats[] = {"format=json", "format=xml"};
	for (size_t i = 0; i < 2; i++) {
		lk_conn *conn = NULL;
		provider_reset();
		provider_config(formats[i]);
		CU_ASSERT_EQUAL(connect_app(&conn, "o1_hmac"), LK_OK);
		CU_ASSERT_PTR_NOT_NULL(conn);
		if (conn) {
			const lk_fields *f = lk_conn_fields(conn);
			CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "screen_name"),
					       "alice");
			CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "user_id"),
					       "42");
		}
		lk_conn_free(conn);
	}
}

/* Some providers send only the verifier: the flow id finds the flow. */
static void test_verifier_only_callback(void)
{
	char *flow = NULL, *cb = NULL;
	lk_conn *conn = NULL;

	provider_reset();
	provider_config("send_token=0");
	CU_ASSERT_EQUAL_FATAL(begin(&flow, &cb, "o1_hmac"), LK_OK);
	CU_ASSERT(!has(cb, "oauth_token="));
	CU_ASSERT(has(cb, "oauth_verifier=vf-1000"));
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, OWNER, flow, cb), LK_OK);
	CU_ASSERT_PTR_NOT_NULL(conn);
	lk_conn_free(conn);
	lk_free(flow);
	free(cb);
}

/* Finish with a mangled callback: the status, the message, nothing
 * stored, no secret named. */
static void finish_refused(const char *app, const char *config,
			   const char *from, const char *to, lk_status want,
			   const char *msg)
{
	char *flow = NULL, *cb = NULL, *p;
	lk_conn *conn = NULL;
	size_t before = connection_count(), files = on_disk("o");
	char mangled[1024];

	provider_reset();
	if (config)
		provider_config(config);
	CU_ASSERT_EQUAL_FATAL(begin(&flow, &cb, app), LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cb);
	snprintf(mangled, sizeof(mangled), "%s", cb);
	p = from ? strstr(mangled, from) : NULL;
	if (from) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		size_t fl = strlen(from), tl = strlen(to);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
		memcpy(p, to, tl);
	}
	CU_ASSERT_EQUAL(lk_connect_finish(&conn, ctx, OWNER, flow, mangled),
			want);
	CU_ASSERT_PTR_NULL(conn);
	CU_ASSERT(has(lk_errmsg(ctx), msg));
	if (!has(lk_errmsg(ctx), msg))
		fprintf(stderr, "message: %s\n", lk_errmsg(ctx));
	CU_ASSERT(secret_free(lk_errmsg(ctx)));
	CU_ASSERT_EQUAL(connection_count(), before);
	/* Nothing new on disk, and the flow is used up either way. */
	CU_ASSERT_EQUAL(on_disk("o"), files);
	CU_ASSERT_EQUAL(on_disk("flows"), 0);
	lk_free(flow);
	free(cb);
}

static void test_bad_callbacks_store_nothing(void)
{
	finish_refused("o1_hmac", NULL, "oauth_verifier=vf-1000",
		       "oauth_verifier=vf-9999", LK_EAUTH,
		       "oauth1: access_token_url answered HTTP 401");
	finish_refused("o1_hmac", NULL, "&oauth_verifier=vf-1000", "",
		       LK_EPROTO, "the callback carries no oauth_verifier");
	finish_refused("o1_hmac", NULL, "oauth_verifier=vf-1000", "denied=rt-1",
		       LK_EAUTH, "oauth1: the user denied access");
	finish_refused("o1_hmac", NULL, "oauth_verifier=vf-1000",
		       "oauth_verifier=vf-1000&oauth_verifier=vf-1000",
		       LK_EPROTO, "the callback URL repeats");
	finish_refused("o1_hmac", NULL, "?state=", "?state=another-flow-",
		       LK_ESTATE,
		       "oauth1: the callback belongs to another flow");
	finish_refused("o1_hmac", "bad_token=1", NULL, NULL, LK_EAUTH,
		       "the callback's oauth_token is not the one this flow "
		       "was given");
	finish_refused("o1_hmac", "access_answer=no_token", NULL, NULL,
		       LK_EPROTO,
		       "oauth1: access_token_url: the answer has no "
		       "oauth_token");
	finish_refused("o1_hmac", "access_answer=html", NULL, NULL, LK_EPROTO,
		       "oauth1: access_token_url: the answer has no "
		       "oauth_token");
}

/* A hostile temporary-credentials answer: begin fails, no flow, no
 * connection. */
static void test_hostile_request_token_answers(void)
{
	static const struct {
		const char *config;
		lk_status want;
		const char *msg;
	} cases[] = {
	    {"request_answer=unconfirmed", LK_EPROTO,
	     "oauth1: request_token_url: the answer lacks "
	     "oauth_callback_confirmed=true"},
	    {"request_answer=unconfirmed&format=json", LK_EPROTO,
	     "lacks oauth_callback_confirmed=true"},
	    {"request_answer=no_secret", LK_EPROTO,
	     "oauth1: request_token_url: the answer has no "
	     "oauth_token_secret"},
	    {"request_answer=html", LK_EPROTO,
	     "oauth1: request_token_url: the answer has no oauth_token"},
	    {"request_answer=status500", LK_EHTTP,
	     "oauth1: request_token_url answered HTTP 500"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *flow = NULL, *url = NULL;
		lk_fields *f = NULL;
		size_t before = connection_count(), files = on_disk("o");

		provider_reset();
		provider_config(cases[i].config);
		lk_fields_new(&f);
		CU_ASSERT_EQUAL(lk_connect_begin(&flow, &url, ctx, OWNER,
						 "o1_hmac", f, NULL),
				cases[i].want);
		CU_ASSERT_PTR_NULL(flow);
		CU_ASSERT_PTR_NULL(url);
		CU_ASSERT(has(lk_errmsg(ctx), cases[i].msg));
		if (!has(lk_errmsg(ctx), cases[i].msg))
			fprintf(stderr, "case %zu: %s\n", i, lk_errmsg(ctx));
		CU_ASSERT(secret_free(lk_errmsg(ctx)));
		CU_ASSERT_EQUAL(connection_count(), before);
		CU_ASSERT_EQUAL(on_disk("o"), files);
		CU_ASSERT_EQUAL(on_disk("flows"), 0);
		lk_fields_free(f);
	}
}

/* Run last: across every flow above, the log (the -v level included)
 * never shows a secret: consumer secret, token secrets, verifiers. */
static void test_no_secret_in_logs(void)
{
	static const char *const secrets[] = {
	    "cs&+",    "cs%26", "cs%2526", "ts&",     "ts%26",
	    "ts%2526", "as&",	"as%26",   "as%2526", "vf-10",
	};
	CU_ASSERT_PTR_NOT_NULL_FATAL(logged);
	CU_ASSERT(has(logged, "/oauth1/access_token"));
	if (getenv("LK_SHOW_LOG"))
		fputs(logged, stderr);
	for (size_t i = 0; i < sizeof(secrets) / sizeof(secrets[0]); i++) {
		CU_ASSERT(!has(logged, secrets[i]));
		if (has(logged, secrets[i]))
			fprintf(stderr, "log shows %s:\n%s\n", secrets[i],
				strstr(logged, secrets[i]));
	}
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("oauth1 flow", setup, teardown);
	return !s ||
	       !CU_add_test(s, "three legs, HMAC-SHA1, exact requests",
			    test_three_legs_hmac_sha1) ||
	       !CU_add_test(s, "signed calls with query and form parameters",
			    test_signed_calls_query_and_form) ||
	       !CU_add_test(s, "nonce replay and timestamp window",
			    test_nonce_replay_and_timestamp) ||
	       !CU_add_test(s, "methods and placements",
			    test_methods_and_placements) ||
	       !CU_add_test(s, "JSON and XML token answers",
			    test_answer_formats) ||
	       !CU_add_test(s, "callback with the verifier only",
			    test_verifier_only_callback) ||
	       !CU_add_test(s, "bad callbacks store nothing",
			    test_bad_callbacks_store_nothing) ||
	       !CU_add_test(s, "hostile request_token answers",
			    test_hostile_request_token_answers) ||
	       !CU_add_test(s, "no secret in the logs", test_no_secret_in_logs);
}

LK_CUNIT_MAIN(reg)
