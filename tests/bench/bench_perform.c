/* SPDX-License-Identifier: MIT */
/*
 * What latchkey adds to a request: lk_perform with a basic connection
 * (open, authorize, base_urls check, send over the reused handle) against
 * a local libmicrohttpd server, and lk_conn_open alone (a sealed record
 * read and decrypted). Prints one line per measure.
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
		"app = { id = \"bench\"; title = \"Bench\"; scheme = \"basic\";\n"
		"  base_urls = [ \"%s\" ]; allow_http = true;\n"
		"  test = { method = \"GET\"; url = \"%suser\"; }; };\n",
		base, base);
	fclose(fp);

	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	if (lk_ctx_new(&ctx) != LK_OK || lk_ctx_load(ctx, path) != LK_OK)
		return die("load", ctx);
	lk_fields_new(&f);
	lk_fields_set(f, "username", "alice", false);
	lk_fields_set(f, "password", "wonderland", true);
	if (lk_connect(&conn, ctx, "default", "bench", f) != LK_OK)
		return die("connect", ctx);

	char url[160];
	snprintf(url, sizeof url, "%suser", base);
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
	double t1 = now_s();
	printf("lk_perform basic, keep-alive, 127.0.0.1: %.0f calls/s "
	       "(%.1f us/call, %d calls)\n",
	       n / (t1 - t0), (t1 - t0) * 1e6 / n, n);

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
