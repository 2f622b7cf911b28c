/* SPDX-License-Identifier: MIT */
/* digest.so end to end against lk-provider's Digest area on 127.0.0.1,
 * through the public API: one round trip per call (100 calls, 101
 * requests in a new context, 100 right after connect), every algorithm and qop, userhash and username*, stale and
 * forgotten nonces, wrong passwords, RFC 2069 only on opt-in, and nc
 * shared by threads. Counts come from the emulator's request log. */
/* first: it sets _XOPEN_SOURCE before any system header */
#include "digest_harness.h"

#include <pthread.h>

#include "cunit_main.h"

/* Every log line of the run, at debug level (the -v exchange too). */
static char logbuf[1 << 20];
static size_t loglen;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void sink(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	(void)level;
	pthread_mutex_lock(&log_lock);
	size_t n = strlen(msg);
	if (loglen + n + 2 < sizeof logbuf) {
		memcpy(logbuf + loglen, msg, n);
		loglen += n;
		logbuf[loglen++] = '\n';
		logbuf[loglen] = '\0';
	}
	pthread_mutex_unlock(&log_lock);
}

static int setup(void)
{
	int rc = harness_setup();
	if (rc == 0)
		lk_ctx_set_log(ctx, sink, NULL, LK_LOG_DEBUG);
	return rc;
}

static int teardown(void)
{
	return harness_teardown();
}

static void test_connect_runs_challenge_then_test(void)
{
	CU_ASSERT_EQUAL_FATAL(
	    do_connect(&conn, "example_digest", "Mufasa", "Circle of Life"),
	    LK_OK);
	snprintf(conn_id, sizeof conn_id, "%s", lk_conn_id(conn));
	CU_ASSERT_STRING_EQUAL(lk_conn_label(conn), "Digest test Mufasa");
	/* the bare request, its 401, then the answer */
	CU_ASSERT_EQUAL(count("/digest/SHA-256/auth/user"), 2);
}

static void test_wrong_password_stores_nothing(void)
{
	lk_conn *bad = NULL;
	long before = count("/digest/SHA-256/auth/user");
	CU_ASSERT_EQUAL(do_connect(&bad, "example_digest", "Mufasa", "wrong"),
			LK_EAUTH);
	CU_ASSERT_PTR_NULL(bad);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "nothing was stored"));
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "wrong"));
	/* a 401 to the fresh challenge is final: two requests, no loop */
	CU_ASSERT_EQUAL(count("/digest/SHA-256/auth/user") - before, 2);
	lk_conn_list *l = NULL;
	CU_ASSERT_EQUAL(lk_conn_list_new(&l, ctx, "default", "example_digest"),
			LK_OK);
	CU_ASSERT_EQUAL(lk_conn_list_count(l), 1);
	lk_conn_list_free(l);
}

/* 100 calls through one connection; returns how many answered 200. */
static int hundred_calls(lk_conn *c)
{
	int ok = 0;
	for (int i = 0; i < 100; i++) {
		long st = 0;
		char *body = NULL;
		if (call(&st, &body, c, "GET", "/digest/SHA-256/auth/items",
			 NULL) == LK_OK &&
		    st == 200 && body && strstr(body, "\"login\":\"Mufasa\""))
			ok++;
		free(body);
	}
	return ok;
}

/* In a new context (another process, the nonce never stored): 100 calls
 * cost 101 requests, the first one fetching the challenge. Right after
 * connect, in the context that connected: 100 requests, since the
 * connect-time test's nonce serves the stored connection (nc goes on
 * from 1 to 101 = 0x65). */
static void test_hundred_calls_cost_hundred_and_one_requests(void)
{
	char path[300];
	lk_ctx *connected = ctx, *fresh = NULL;
	lk_conn *again = NULL;

	long before = count("/digest/SHA-256/auth/items");
	CU_ASSERT_EQUAL(hundred_calls(conn), 100);
	CU_ASSERT_EQUAL(count("/digest/SHA-256/auth/items") - before, 100);
	char *a = last_authorization();
	CU_ASSERT_PTR_NOT_NULL(a && strstr(a, "nc=00000065,"));
	free(a);

	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&fresh), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_ctx_load(fresh, path), LK_OK);
	ctx = fresh;
	CU_ASSERT_EQUAL(lk_conn_open(&again, ctx, "default", lk_conn_id(conn)),
			LK_OK);
	before = count("/digest/SHA-256/auth/items");
	CU_ASSERT_EQUAL(again ? hundred_calls(again) : 0, 100);
	CU_ASSERT_EQUAL(count("/digest/SHA-256/auth/items") - before, 101);
	a = last_authorization();
	CU_ASSERT_PTR_NOT_NULL(a && strstr(a, "nc=00000064,")); /* 100 */
	free(a);
	lk_conn_free(again);
	ctx = connected;
	lk_ctx_free(fresh);
}

/* One call to a route, through the same connection: 200 and the
 * algorithm and qop the emulator saw. */
static void expect_route(lk_conn *c, const char *method, const char *route,
			 const char *data, const char *want_algo,
			 const char *want_qop)
{
	char path[256], want[256], *body = NULL;
	long st = 0;
	snprintf(path, sizeof path, "/digest/%s/resource", route);
	CU_ASSERT_EQUAL(call(&st, &body, c, method, path, data), LK_OK);
	CU_ASSERT_EQUAL(st, 200);
	snprintf(want, sizeof want, "\"algorithm\":\"%s\",\"qop\":\"%s\"",
		 want_algo, want_qop);
	if (!body || !strstr(body, want))
		fprintf(stderr, "\n  %s: %s\n", route, body ? body : "(none)");
	CU_ASSERT_PTR_NOT_NULL(body && strstr(body, want));
	free(body);
}

static void test_every_algorithm_and_qop(void)
{
	static const char *const algos[] = {"MD5",	   "MD5-sess",
					    "SHA-256",	   "SHA-256-sess",
					    "SHA-512-256", "SHA-512-256-sess"};
	char route[128];
	for (size_t i = 0; i < 6; i++) {
		snprintf(route, sizeof route, "%s/auth", algos[i]);
		expect_route(conn, "GET", route, NULL, algos[i], "auth");
		snprintf(route, sizeof route, "%s/auth-int", algos[i]);
		expect_route(conn, "POST", route, "{\"x\":[1,2]}", algos[i],
			     "auth-int");
		/* both offered in a fresh challenge: auth is chosen (the
		 * emulator's nonces serve every route, so forget them) */
		CU_ASSERT_EQUAL(ctl(NULL, "POST", "/digest/ctl/forget"), 204);
		snprintf(route, sizeof route, "%s/both", algos[i]);
		expect_route(conn, "PUT", route, "body", algos[i], "auth");
		/* a second call on the same nonce: one request, nc 2 */
		long before = count("/digest/");
		expect_route(conn, "PUT", route, "body", algos[i], "auth");
		CU_ASSERT_EQUAL(count("/digest/") - before, 1);
	}
	/* several challenges: the strongest (SHA-512-256) is answered */
	CU_ASSERT_EQUAL(ctl(NULL, "POST", "/digest/ctl/forget"), 204);
	long before = count("/digest/any/");
	expect_route(conn, "GET", "any/auth", NULL, "SHA-512-256", "auth");
	CU_ASSERT_EQUAL(count("/digest/any/") - before, 2);
}

static void test_userhash_and_username_star(void)
{
	lk_conn *jason = NULL;
	CU_ASSERT_EQUAL_FATAL(do_connect(&jason, "example_digest",
					 "J\xc3\xa4s\xc3\xb8n Doe",
					 "Secret, or not?"),
			      LK_OK);
	expect_route(jason, "GET", "SHA-256/auth", NULL, "SHA-256", "auth");
	char *a = last_authorization();
	CU_ASSERT_PTR_NOT_NULL(
	    a && strstr(a, "username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "));
	free(a);
	expect_route(jason, "GET", "SHA-512-256/auth/userhash", NULL,
		     "SHA-512-256", "auth");
	a = last_authorization();
	CU_ASSERT_PTR_NOT_NULL(a && strstr(a, ", userhash=true"));
	CU_ASSERT_PTR_NULL(a && strstr(a, "username*"));
	free(a);
	lk_conn_remove(ctx, "default", lk_conn_id(jason));
	lk_conn_free(jason);
}

static void test_stale_and_forgotten_nonces(void)
{
	const char *p = "/digest/MD5/auth/x";
	long st = 0, before;

	CU_ASSERT_EQUAL(call(&st, NULL, conn, "GET", p, NULL), LK_OK);
	CU_ASSERT_EQUAL(st, 200);
	/* stale=true: answered at once with the new nonce */
	CU_ASSERT_EQUAL(ctl(NULL, "POST", "/digest/ctl/stale"), 204);
	before = count(p);
	CU_ASSERT_EQUAL(call(&st, NULL, conn, "GET", p, NULL), LK_OK);
	CU_ASSERT_EQUAL(st, 200);
	CU_ASSERT_EQUAL(count(p) - before, 2);
	/* a forgotten nonce (no stale): retried once */
	CU_ASSERT_EQUAL(ctl(NULL, "POST", "/digest/ctl/forget"), 204);
	before = count(p);
	CU_ASSERT_EQUAL(call(&st, NULL, conn, "GET", p, NULL), LK_OK);
	CU_ASSERT_EQUAL(st, 200);
	CU_ASSERT_EQUAL(count(p) - before, 2);
	/* and back to one request a call */
	before = count(p);
	CU_ASSERT_EQUAL(call(&st, NULL, conn, "GET", p, NULL), LK_OK);
	CU_ASSERT_EQUAL(count(p) - before, 1);
}

static void test_rfc2069_only_on_opt_in(void)
{
	long st = 0;
	lk_conn *old = NULL;

	CU_ASSERT_EQUAL(
	    call(&st, NULL, conn, "GET", "/digest/MD5/none/x", NULL), LK_EAUTH);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "allow_rfc2069"));
	CU_ASSERT_EQUAL_FATAL(
	    do_connect(&old, "digest_2069", "Mufasa", "Circle of Life"), LK_OK);
	expect_route(old, "GET", "MD5/none", NULL, "MD5", "none");
	char *a = last_authorization();
	CU_ASSERT_PTR_NULL(a && strstr(a, "nc="));
	free(a);
	lk_conn_free(old);
}

#define THREADS 4
#define PER_THREAD 25
static int thread_ok;
static pthread_mutex_t ok_lock = PTHREAD_MUTEX_INITIALIZER;

static void *worker(void *arg)
{
	lk_conn *c = NULL;
	(void)arg;
	if (lk_conn_open(&c, ctx, "default", conn_id) != LK_OK)
		return NULL;
	for (int i = 0; i < PER_THREAD; i++) {
		long st = 0;
		if (call(&st, NULL, c, "GET", "/digest/SHA-256/auth/threads",
			 NULL) == LK_OK &&
		    st == 200) {
			pthread_mutex_lock(&ok_lock);
			thread_ok++;
			pthread_mutex_unlock(&ok_lock);
		}
	}
	lk_conn_free(c);
	return NULL;
}

static void test_threads_share_the_nonce(void)
{
	pthread_t t[THREADS];
	long st = 0;
	/* warm: the nonce of this route is cached */
	CU_ASSERT_EQUAL(
	    call(&st, NULL, conn, "GET", "/digest/SHA-256/auth/threads", NULL),
	    LK_OK);
	long before = count("/digest/SHA-256/auth/threads");
	for (int i = 0; i < THREADS; i++)
		pthread_create(&t[i], NULL, worker, NULL);
	for (int i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
	CU_ASSERT_EQUAL(thread_ok, THREADS * PER_THREAD);
	/* every nc distinct (the emulator refuses a replay): one request
	 * per call */
	CU_ASSERT_EQUAL(count("/digest/SHA-256/auth/threads") - before,
			THREADS * PER_THREAD);
}

static void test_no_password_in_logs(void)
{
	pthread_mutex_lock(&log_lock);
	CU_ASSERT(loglen > 0);
	CU_ASSERT_PTR_NULL(strstr(logbuf, "Circle of Life"));
	CU_ASSERT_PTR_NULL(strstr(logbuf, "Secret, or not?"));
	/* the module says why it sent again, without values */
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(logbuf, "digest: example_digest: new SHA-256 nonce"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "nonce (stale)"));
	pthread_mutex_unlock(&log_lock);
}

static int reg(void)
{
	CU_pSuite s =
	    CU_add_suite("digest against lk-provider", setup, teardown);
	return !s ||
	       !CU_add_test(s, "connect: challenge, then test",
			    test_connect_runs_challenge_then_test) ||
	       !CU_add_test(s, "wrong password stores nothing",
			    test_wrong_password_stores_nothing) ||
	       !CU_add_test(s, "100 calls, 101 requests",
			    test_hundred_calls_cost_hundred_and_one_requests) ||
	       !CU_add_test(s, "every algorithm and qop",
			    test_every_algorithm_and_qop) ||
	       !CU_add_test(s, "userhash and username*",
			    test_userhash_and_username_star) ||
	       !CU_add_test(s, "stale and forgotten nonces",
			    test_stale_and_forgotten_nonces) ||
	       !CU_add_test(s, "RFC 2069 only on opt-in",
			    test_rfc2069_only_on_opt_in) ||
	       !CU_add_test(s, "threads share the nonce",
			    test_threads_share_the_nonce) ||
	       !CU_add_test(s, "no password in the logs",
			    test_no_password_in_logs);
}

int main(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	lk_test_register_fn fns[] = {reg};
	int rc = lk_cunit_run(fns, 1);
	curl_global_cleanup();
	return rc;
}
