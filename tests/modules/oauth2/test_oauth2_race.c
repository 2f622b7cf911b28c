/* SPDX-License-Identifier: MIT */
/* Single-flight refresh across processes and threads (issue 4, item 5):
 * 4 processes x 8 threads hit an expired token together, 50 times, with
 * rotating refresh tokens. The emulator must see exactly 50 refresh
 * requests, no call may fail, and no refresh token may be lost (a lost
 * one would be refused as used: invalid_grant). */
#include "o2_harness.h"

#include <pthread.h>

#include "cunit_main.h"

#define PROCS 4
#define THREADS 8
#define ROUNDS 50

static char conn_id[128];

struct worker {
	lk_ctx *ctx;
	pthread_barrier_t *start;
	int failed;
};

static void *one_caller(void *arg)
{
	struct worker *w = arg;
	lk_conn *conn = NULL;
	long status = 0;

	pthread_barrier_wait(w->start);
	if (lk_conn_open(&conn, w->ctx, "default", conn_id) != LK_OK) {
		w->failed = 1;
		return NULL;
	}
	lk_status rc = o2_get(&status, w->ctx, conn, "/oauth2/me");
	if (rc != LK_OK || status != 200) {
		fprintf(stderr, "caller %d: %s (HTTP %ld): %s\n", (int)getpid(),
			lk_status_name(rc), status, lk_errmsg(w->ctx));
		w->failed = 1;
	}
	lk_conn_free(conn);
	return NULL;
}

/* One process of a round: its own ctx, THREADS callers released at
 * once. Exit status: how many failed. */
static int child(void)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	pthread_barrier_t start;
	int failed = 0;
	lk_ctx *ctx = o2_ctx();

	if (!ctx)
		return THREADS;
	pthread_barrier_init(&start, NULL, THREADS);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){.ctx = ctx, .start = &start};
		pthread_create(&t[i], NULL, one_caller, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failed += w[i].failed;
	}
	pthread_barrier_destroy(&start);
	lk_ctx_free(ctx);
	return failed;
}

static int suite_init(void)
{
	static char dir[] = "/tmp/lk-o2r-XXXXXX";
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(dir) || !o2_provider_start(dir, 300))
		return 1;
	o2_ctl("/_/reset", NULL);
	o2_write_config(NULL, NULL);
	return 0;
}

static int suite_clean(void)
{
	o2_provider_stop();
	o2_cleanup_dir();
	return 0;
}

static unsigned stat_of(const char *key)
{
	char *body = NULL;
	o2_http(&body, NULL, "GET", "/oauth2/_/stats", NULL);
	cJSON *j = cJSON_Parse(body);
	const cJSON *v = cJSON_GetObjectItem(j, key);
	unsigned n = cJSON_IsNumber(v) ? (unsigned)v->valuedouble : 99999;
	cJSON_Delete(j);
	free(body);
	return n;
}

static void test_one_refresh_per_expiry_across_processes(void)
{
	lk_ctx *ctx = o2_ctx();
	lk_status st;
	int failed = 0;
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	lk_conn *conn = o2_connect(ctx, &st);
	CU_ASSERT_PTR_NOT_NULL_FATAL(conn);
	snprintf(conn_id, sizeof conn_id, "%s", lk_conn_id(conn));
	lk_conn_free(conn);
	lk_ctx_free(ctx);

	for (int round = 0; round < ROUNDS; round++) {
		pid_t pids[PROCS];
		o2_ctl("/oauth2/_/expire", NULL);
		for (int p = 0; p < PROCS; p++) {
			pids[p] = fork();
			if (pids[p] == 0)
				_exit(child());
		}
		for (int p = 0; p < PROCS; p++) {
			int ws = 0;
			if (pids[p] < 0 || waitpid(pids[p], &ws, 0) < 0 ||
			    !WIFEXITED(ws))
				failed += THREADS;
			else
				failed += WEXITSTATUS(ws);
		}
	}
	CU_ASSERT_EQUAL(failed, 0);
	CU_ASSERT_EQUAL(stat_of("refreshes"), ROUNDS);
	CU_ASSERT_EQUAL(stat_of("refused"), 0);
	/* rt-1 from the connect, then one new token per refresh. */
	ctx = o2_ctx();
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx);
	CU_ASSERT_EQUAL_FATAL(lk_conn_open(&conn, ctx, "default", conn_id),
			      LK_OK);
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "refresh_token"), "rt-51");
	CU_ASSERT_STRING_EQUAL(o2_field(conn, "access_token"), "at-51");
	CU_ASSERT_STRING_EQUAL(lk_conn_status(conn), "active");
	cJSON *tok = o2_requests("/oauth2/token");
	CU_ASSERT_EQUAL(cJSON_GetArraySize(tok), 1 + ROUNDS);
	cJSON_Delete(tok);
	lk_conn_free(conn);
	lk_ctx_free(ctx);
}

static int register_race(void)
{
	CU_pSuite s = CU_add_suite("oauth2_race", suite_init, suite_clean);
	if (!s)
		return 1;
	CU_add_test(s, "one_refresh_per_expiry_across_processes",
		    test_one_refresh_per_expiry_across_processes);
	return 0;
}

LK_CUNIT_MAIN(register_race)
