/* SPDX-License-Identifier: MIT */
/*
 * What keep-alive buys: lk_http__send to a local libmicrohttpd server
 * over this thread's reused curl handle (one connection for every call)
 * against a fresh handle and connection per call. Prints one line per
 * measure. Run: make bench (from the build folder).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "http.h"

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **state)
{
	static const char body[] = "{\"ok\":true}";
	(void)cls;
	(void)url;
	(void)method;
	(void)version;
	(void)data;
	(void)size;
	if (!*state) { /* the first call only announces the request */
		*state = (void *)1;
		return MHD_YES;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    sizeof body - 1, (void *)body, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	enum MHD_Result ret = MHD_queue_response(c, 200, r);
	MHD_destroy_response(r);
	return ret;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* @p n GETs; a fresh handle (so a new connection) each time when
 * @p fresh. @return the seconds taken, or -1. */
static double run(lk_ctx *ctx, const lk_app *app, const char *url, int n,
		  bool fresh)
{
	double t0 = now_s();
	for (int i = 0; i < n; i++) {
		lk_request *req = NULL;
		lk_response *resp = NULL;
		if (fresh)
			lk_http__thread_release();
		if (lk_request_new(&req, "GET", url) != LK_OK)
			return -1;
		lk_request_add_header(req, "Accept", "application/json");
		lk_status rc = lk_http__send(&resp, ctx, app, req);
		long status = lk_response_status(resp);
		lk_response_free(resp);
		lk_request_free(req);
		if (rc != LK_OK || status != 200) {
			fprintf(stderr, "bench_http: %s\n", lk_errmsg(ctx));
			return -1;
		}
	}
	return now_s() - t0;
}

int main(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const lk_app app = {.id = "bench", .allow_http = true};
	lk_ctx *ctx = NULL;
	char url[64];
	int n = 3000, rc = 1;

	unsetenv("http_proxy"); /* measure the server, not a proxy */
	unsetenv("all_proxy");
	unsetenv("ALL_PROXY");
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY, 0, NULL,
	    NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, &sin, MHD_OPTION_END);
	if (!d || lk_ctx_new(&ctx) != LK_OK)
		goto out;
	snprintf(url, sizeof url, "http://127.0.0.1:%u/item",
		 MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);

	run(ctx, &app, url, 100, false); /* warm up */
	double keep = run(ctx, &app, url, n, false);
	double fresh = run(ctx, &app, url, n, true);
	if (keep < 0 || fresh < 0)
		goto out;
	printf("lk_http__send, reused handle (keep-alive): %.0f req/s "
	       "(%.1f us/req, %d req)\n",
	       n / keep, keep * 1e6 / n, n);
	printf("lk_http__send, fresh connection each:     %.0f req/s "
	       "(%.1f us/req, %d req)\n",
	       n / fresh, fresh * 1e6 / n, n);
	rc = 0;
out:
	lk_http__thread_release();
	lk_ctx_free(ctx);
	if (d)
		MHD_stop_daemon(d);
	return rc;
}
