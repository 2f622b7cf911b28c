/* SPDX-License-Identifier: MIT */
/*
 * What latchkey adds to a request (issue 3, item 12a): lk_perform with an
 * apikey connection (authorize through the header template, base_urls
 * check, send over the reused handle) against a local libmicrohttpd
 * server, next to a bare libcurl loop sending the same header over one
 * reused handle, and their ratio (target: at least 0.9). Then
 * lk_conn_open alone (a sealed record read and decrypted).
 * Run: make bench (from the build folder).
 */
#define _XOPEN_SOURCE 700
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <ftw.h>
#include <unistd.h>

#include <curl/curl.h>
#include <microhttpd.h>

#include <latchkey/latchkey.h>

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *size, void **state)
{
	static const char body[] = "{\"login\":\"alice\"}";
	(void)cls, (void)url, (void)method, (void)version, (void)data;
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

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t sz, size_t n, void *u)
{
	(void)p, (void)u;
	return sz * n;
}

/* The floor: one reused easy handle, the same header, nothing else. */
static double bare_curl(const char *url, int n)
{
	CURL *h = curl_easy_init();
	struct curl_slist *hdr =
	    curl_slist_append(NULL, "X-Api-Key: key-123");
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	double t0 = now_s();
	for (int i = 0; i < n; i++)
		if (curl_easy_perform(h) != CURLE_OK)
			return -1;
	double t = now_s() - t0;
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	return n / t;
}

static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int die(const char *what, lk_ctx *ctx)
{
	fprintf(stderr, "bench_perform: %s: %s\n", what, lk_errmsg(ctx));
	return 1;
}

int main(void)
{
	char dir[] = "/tmp/lk-bench-XXXXXX", path[512], base[128];
	const char *builddir = getenv("top_builddir");
	lk_ctx *ctx = NULL;
	lk_conn *conn = NULL;
	lk_fields *f = NULL;
	int n = 2000, rc = 1;

	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL_LINUX_ONLY, 0,
		NULL, NULL, answer, NULL, MHD_OPTION_END);
	if (!d || !mkdtemp(dir))
		return 1;
	unsigned port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
	snprintf(base, sizeof base, "http://127.0.0.1:%u/", port);

	snprintf(path, sizeof path, "%s/apps.d", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	FILE *fp = fopen(path, "w");
	fprintf(fp,
		"module_path = \"%s/tests/moddir\";\napps_dir = \"apps.d\";\n"
		"store = { path = \"%s/store\"; key_file = \"%s/master.key\"; };\n",
		builddir ? builddir : ".", dir, dir);
	fclose(fp);
	snprintf(path, sizeof path, "%s/apps.d/bench.conf", dir);
	fp = fopen(path, "w");
	fprintf(fp,
		"app = { id = \"bench\"; title = \"Bench\"; scheme = \"apikey\";\n"
		"  fields = ( { key = \"api_key\"; label = \"Key\"; secret = true; } );\n"
		"  apikey = { headers = [ \"X-Api-Key: {{api_key}}\" ]; };\n"
		"  base_urls = [ \"%s\" ]; allow_http = true;\n"
		"  test = { method = \"GET\"; url = \"%suser\"; }; };\n",
		base, base);
	fclose(fp);

	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	if (lk_ctx_new(&ctx) != LK_OK || lk_ctx_load(ctx, path) != LK_OK)
		return die("load", ctx);
	lk_fields_new(&f);
	lk_fields_set(f, "api_key", "key-123", true);
	if (lk_connect(&conn, ctx, "default", "bench", f) != LK_OK)
		return die("connect", ctx);

	char url[160];
	snprintf(url, sizeof url, "%suser", base);
	/* Interleaved rounds; the median of the per-round ratios, so one
	 * slow round (a wake-up storm on a shared machine) does not decide.
	 * The client thread's CPU time per call is what latchkey itself
	 * adds, free of the loopback's wake-up latency. */
	enum { ROUNDS = 7 };
	double ratio[ROUNDS], bare = 0, best = 0, bare_cpu = 1e9, lk_cpu = 1e9;
	for (int round = 0; round < ROUNDS; round++) {
		double c0 = cpu_s();
		double b = bare_curl(url, n);
		double bc = (cpu_s() - c0) / n;
		c0 = cpu_s();
		double t0 = now_s();
		for (int i = 0; i < n; i++) {
			lk_request *req = NULL;
			lk_response *resp = NULL;
			lk_request_new(&req, "GET", url);
			if (lk_perform(&resp, ctx, conn, req) != LK_OK)
				goto out;
			lk_response_free(resp);
			lk_request_free(req);
		}
		double l = n / (now_s() - t0), lc = (cpu_s() - c0) / n;
		ratio[round] = l / b;
		bare = b > bare ? b : bare;
		best = l > best ? l : best;
		bare_cpu = bc < bare_cpu ? bc : bare_cpu;
		lk_cpu = lc < lk_cpu ? lc : lk_cpu;
	}
	qsort(ratio, ROUNDS, sizeof ratio[0], cmp_double);
	printf("bare libcurl, same header, keep-alive: %.0f req/s, "
	       "client CPU %.1f us/req\n",
	       bare, bare_cpu * 1e6);
	printf("lk_perform apikey, keep-alive, 127.0.0.1: %.0f calls/s, "
	       "client CPU %.1f us/call (%d calls x %d rounds)\n",
	       best, lk_cpu * 1e6, n, ROUNDS);
	printf("ratio lk_perform / bare libcurl: %.2f median of %d rounds "
	       "(%.2f..%.2f; target >= 0.9)\n",
	       ratio[ROUNDS / 2], ROUNDS, ratio[0], ratio[ROUNDS - 1]);

	double t0, t1;
	t0 = now_s();
	for (int i = 0; i < n; i++) {
		lk_conn *c = NULL;
		if (lk_conn_open(&c, ctx, "default", lk_conn_id(conn)) != LK_OK)
			goto out;
		lk_conn_free(c);
	}
	t1 = now_s();
	printf("lk_conn_open (read + AES-256-GCM open): %.0f opens/s "
	       "(%.1f us/open)\n",
	       n / (t1 - t0), (t1 - t0) * 1e6 / n);
	rc = 0;
out:
	if (rc)
		die("perform", ctx);
	lk_conn_free(conn);
	lk_fields_free(f);
	lk_ctx_free(ctx);
	MHD_stop_daemon(d);
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS); /* leave nothing */
	return rc;
}
