/* SPDX-License-Identifier: MIT */
/* session_threads: N threads of one process call through one connection
 * at once (the in-process half of single-flight re-login; the shell test
 * counts the logins the provider saw).
 *   session_threads CONFIG OWNER CONNECTION_ID URL NTHREADS
 * Prints "200 x N" when every call got a 200, else each status. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <latchkey/latchkey.h>

#define MAX_THREADS 32

static lk_ctx *ctx;
static const char *owner, *conn_id, *url;
static pthread_barrier_t start;

struct result {
	lk_status rc;
	long status;
};

static void *one_call(void *arg)
{
	struct result *res = arg;
	lk_conn *conn = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;

	res->rc = lk_conn_open(&conn, ctx, owner, conn_id);
	if (res->rc == LK_OK)
		res->rc = lk_request_new(&req, "GET", url);
	/* Everyone holds the expired token before anyone sends. */
	pthread_barrier_wait(&start);
	if (res->rc == LK_OK)
		res->rc = lk_perform(&resp, ctx, conn, req);
	res->status = resp ? lk_response_status(resp) : 0;
	lk_response_free(resp);
	lk_request_free(req);
	lk_conn_free(conn);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[MAX_THREADS];
	struct result res[MAX_THREADS];
	char *end = NULL;
	long n = argc == 6 ? strtol(argv[5], &end, 10) : 0;
	int bad = 0;

	if (argc != 6 || *end || n < 1 || n > MAX_THREADS) {
		fprintf(stderr, "usage: session_threads CONFIG OWNER ID URL "
				"NTHREADS (1..32)\n");
		return 2;
	}
	owner = argv[2];
	conn_id = argv[3];
	url = argv[4];
	if (lk_ctx_new(&ctx) != LK_OK || lk_ctx_load(ctx, argv[1]) != LK_OK) {
		fprintf(stderr, "session_threads: %s\n", lk_errmsg(ctx));
		lk_ctx_free(ctx);
		return 2;
	}
	pthread_barrier_init(&start, NULL, (unsigned)n);
	for (long i = 0; i < n; i++)
		pthread_create(&th[i], NULL, one_call, &res[i]);
	for (long i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&start);
	for (long i = 0; i < n; i++)
		if (res[i].rc != LK_OK || res[i].status != 200) {
			printf("thread %ld: %s, HTTP %ld\n", i,
			       lk_status_name(res[i].rc), res[i].status);
			bad++;
		}
	if (!bad)
		printf("200 x %ld\n", n);
	lk_ctx_free(ctx);
	return bad ? 1 : 0;
}
