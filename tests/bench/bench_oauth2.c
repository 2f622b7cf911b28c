/* SPDX-License-Identifier: MIT */
/*
 * oauth2.so benchmarks (issue 4, item 10), against lk-provider on
 * 127.0.0.1:
 *  1. bearer authorization per second in-process: the scheme's authorize
 *     (the Authorization header from the stored token) on a bound app,
 *     no network; then whole lk_perform calls to /oauth2/me for scale;
 *  2. 32 concurrent callers (threads of one process, a connection each)
 *     hitting one expired token while the provider takes 100 ms per
 *     refresh: the time until all are served, and the refresh requests
 *     the provider saw (target: exactly 1, under 2 x 100 ms).
 * Run: make bench (from the build folder), or the binary with
 * top_builddir set.
 */
#include "../modules/oauth2/o2_harness.h"

#include <pthread.h>

#include "bind.h"
#include "core.h"

#define CALLERS 32
#define REFRESH_MS 100

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static unsigned refreshes(void)
{
	char *body = NULL;
	o2_http(&body, NULL, "GET", "/oauth2/_/stats", NULL);
	cJSON *j = cJSON_Parse(body);
	const cJSON *v = cJSON_GetObjectItem(j, "refreshes");
	unsigned n = cJSON_IsNumber(v) ? (unsigned)v->valuedouble : 0;
	cJSON_Delete(j);
	free(body);
	return n;
}

static int authorize_rate(lk_ctx *ctx, lk_conn *conn)
{
	const int n = 200000;
	lk_app *app = lk_bind__find_app(ctx, "o2");
	lk_call call;
	char url[128];

	if (!app || lk_bind__app(ctx, app) != LK_OK)
		return 1;
	lk_bind__scheme_call(&call, ctx, app, conn, NULL);
	snprintf(url, sizeof url, "%s/oauth2/me", o2_base);
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		lk_request *req = NULL;
		if (lk_request_new(&req, "GET", url) != LK_OK ||
		    app->scheme_block.mod->scheme.authorize(&call, req) !=
			LK_OK ||
		    !lk_request_header(req, "Authorization"))
			return 1;
		lk_request_free(req);
	}
	double t = now_s() - t0;
	printf("oauth2 bearer authorize, in-process: %.0f /s (%d in %.3f s)\n",
	       n / t, n, t);
	return 0;
}

static int perform_rate(lk_ctx *ctx, lk_conn *conn)
{
	const int n = 2000;
	long status = 0;
	double t0 = now_s();
	for (int i = 0; i < n; i++)
		if (o2_get(&status, ctx, conn, "/oauth2/me") != LK_OK ||
		    status != 200)
			return 1;
	double t = now_s() - t0;
	printf("oauth2 lk_perform GET /oauth2/me over loopback: %.0f req/s\n",
	       n / t);
	return 0;
}

struct caller {
	lk_ctx *ctx;
	lk_conn *conn;
	pthread_barrier_t *go;
	lk_status rc;
	long status;
	double done;
};

static void *call_once(void *arg)
{
	struct caller *c = arg;
	pthread_barrier_wait(c->go);
	c->rc = o2_get(&c->status, c->ctx, c->conn, "/oauth2/me");
	c->done = now_s();
	return NULL;
}

static int expired_stampede(lk_ctx *ctx, const char *id)
{
	pthread_t t[CALLERS];
	struct caller c[CALLERS];
	pthread_barrier_t go;
	char form[64];
	int bad = 0;

	snprintf(form, sizeof form, "refresh_delay_ms=%d", REFRESH_MS);
	o2_ctl("/oauth2/_/config", form);
	o2_ctl("/oauth2/_/expire", NULL);
	unsigned before = refreshes();
	pthread_barrier_init(&go, NULL, CALLERS + 1);
	for (int i = 0; i < CALLERS; i++) {
		c[i] = (struct caller){.ctx = ctx, .go = &go};
		if (lk_conn_open(&c[i].conn, ctx, "default", id) != LK_OK)
			return 1;
		pthread_create(&t[i], NULL, call_once, &c[i]);
	}
	pthread_barrier_wait(&go);
	double t0 = now_s(), last = t0;
	for (int i = 0; i < CALLERS; i++) {
		pthread_join(t[i], NULL);
		bad += c[i].rc != LK_OK || c[i].status != 200;
		last = c[i].done > last ? c[i].done : last;
		lk_conn_free(c[i].conn);
	}
	pthread_barrier_destroy(&go);
	double ms = (last - t0) * 1000.0;
	printf("oauth2 %d callers on an expired token (refresh takes %d ms): "
	       "all served in %.1f ms (%.2f x the refresh), %u refresh "
	       "request(s), %d failed\n",
	       CALLERS, REFRESH_MS, ms, ms / REFRESH_MS, refreshes() - before,
	       bad);
	return bad != 0 || refreshes() - before != 1;
}

int main(void)
{
	static char dir[] = "/tmp/lk-o2b-XXXXXX";
	lk_status st;
	int rc = 1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (!mkdtemp(dir) || !o2_provider_start(dir, 120)) {
		fprintf(stderr, "bench oauth2: lk-provider did not start\n");
		return 1;
	}
	o2_ctl("/_/reset", NULL);
	o2_write_config(NULL, NULL);
	lk_ctx *ctx = o2_ctx();
	lk_conn *conn = ctx ? o2_connect(ctx, &st) : NULL;
	if (conn && authorize_rate(ctx, conn) == 0 &&
	    perform_rate(ctx, conn) == 0 &&
	    expired_stampede(ctx, lk_conn_id(conn)) == 0)
		rc = 0;
	if (rc)
		fprintf(stderr, "bench oauth2: failed: %s\n",
			ctx ? lk_errmsg(ctx) : "no ctx");
	lk_conn_free(conn);
	lk_ctx_free(ctx);
	o2_provider_stop();
	o2_cleanup_dir();
	return rc;
}
