/* SPDX-License-Identifier: MIT */
/* Shared by the oauth2 integration tests: lk-provider started and stopped
 * by PID on 127.0.0.1, a config folder with one oauth2 app, the whole
 * connect flow driven through the public API (the authorize URL fetched
 * with libcurl without following the redirect), and the emulator's
 * request log. Header-only: each test program includes it once. */
#ifndef O2_HARNESS_H
#define O2_HARNESS_H
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <latchkey/module.h>

#include "../../provider/lkp_spawn.h"

static pid_t o2_provider_pid;
static char o2_base[64];  /* http://127.0.0.1:PORT */
static char o2_dir[256];  /* this test's config and store */
static char o2_pdir[256]; /* the emulator's port file and log */

static inline const char *o2_env(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

/* Start lk-provider; false when it does not come up within 5 s. */
static inline bool o2_provider_start(const char *dir, int lifetime)
{
	snprintf(o2_pdir, sizeof o2_pdir, "%s", dir);
	o2_provider_pid = lkp_spawn(dir, lifetime, o2_base, sizeof o2_base);
	return o2_provider_pid > 0;
}

static inline void o2_provider_stop(void)
{
	lkp_reap(&o2_provider_pid);
	if (*o2_pdir) {
		char p[300];
		snprintf(p, sizeof p, "%s/lkp.port", o2_pdir);
		unlink(p);
		snprintf(p, sizeof p, "%s/lkp.log", o2_pdir);
		unlink(p);
		rmdir(o2_pdir);
		*o2_pdir = '\0';
	}
}

struct o2_buf {
	char *data;
	size_t len;
};

static inline size_t o2_collect(char *p, size_t sz, size_t n, void *u)
{
	struct o2_buf *b = u;
	char *g = realloc(b->data, b->len + sz * n + 1);
	if (!g)
		return 0;
	b->data = g;
	memcpy(b->data + b->len, p, sz * n);
	b->len += sz * n;
	b->data[b->len] = '\0';
	return sz * n;
}

/* A request to the emulator (or any URL when @p path starts with
 * "http"); never follows a redirect. The body (malloc'd) and the
 * Location (malloc'd, or NULL) come back; the status is returned. */
__attribute__((noinline)) static long o2_http(char **body, char **location,
					      const char *method,
					      const char *path,
					      const char *form)
{
	char url[4096];
	struct o2_buf b = {0};
	long status = 0;
	CURL *h = curl_easy_init();

	if (strncmp(path, "http", 4) == 0)
		snprintf(url, sizeof url, "%s", path);
	else
		snprintf(url, sizeof url, "%s%s", o2_base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (form)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, o2_collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	if (location) {
		char *loc = NULL;
		curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
		*location = loc ? strdup(loc) : NULL;
	}
	curl_easy_cleanup(h);
	if (body)
		*body = b.data ? b.data : strdup("");
	else
		free(b.data);
	return status;
}

/* POST a control form; the status. */
static inline long o2_ctl(const char *path, const char *form)
{
	return o2_http(NULL, NULL, "POST", path, form ? form : "");
}

/* The emulator's log of requests under @p prefix (cJSON array). */
static inline cJSON *o2_requests(const char *prefix)
{
	char *body = NULL;
	o2_http(&body, NULL, "GET", "/_/requests", NULL);
	cJSON *all = cJSON_Parse(body), *out = cJSON_CreateArray();
	free(body);
	cJSON *r;
	cJSON_ArrayForEach(r, all)
	{
		const cJSON *p = cJSON_GetObjectItem(r, "path");
		/* Control requests (/AREA/_/...) are not the client's. */
		if (cJSON_IsString(p) &&
		    strncmp(p->valuestring, prefix, strlen(prefix)) == 0 &&
		    !strstr(p->valuestring, "/_/"))
			cJSON_AddItemToArray(out, cJSON_Duplicate(r, 1));
	}
	cJSON_Delete(all);
	return out;
}

/* Field @p key of request @p i of a log ("body", "query", "method"), or
 * header @p key when it starts with "h:". "" when absent. */
static inline const char *o2_req_get(const cJSON *log, int i, const char *key)
{
	const cJSON *r = cJSON_GetArrayItem(log, i);
	const cJSON *v = NULL;
	if (strncmp(key, "h:", 2) == 0)
		v = cJSON_GetObjectItem(cJSON_GetObjectItem(r, "headers"),
					key + 2);
	else
		v = cJSON_GetObjectItem(r, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static inline int o2_rm(const char *p, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

/* A fresh config folder: latchkey.conf and apps/o2.conf whose oauth2
 * block gets @p oauth2_extra and whose app block gets @p app_extra. */
static inline void o2_write_config(const char *oauth2_extra,
				   const char *app_extra)
{
	char p[512];
	FILE *f;

	if (*o2_dir)
		nftw(o2_dir, o2_rm, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(o2_dir, sizeof o2_dir, "/tmp/lk-o2-XXXXXX");
	if (!mkdtemp(o2_dir))
		abort();
	snprintf(p, sizeof p, "%s/apps", o2_dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/latchkey.conf", o2_dir);
	f = fopen(p, "w");
	char top[PATH_MAX];
	if (!realpath(o2_env("top_builddir", "."), top))
		snprintf(top, sizeof top, ".");
	fprintf(
	    f,
	    "module_path = \"%s/tests/moddir\";\n"
	    "apps_dir = \"apps\";\n"
	    "store = { path = \"%s/store\"; key_file = \"%s/master.key\"; };\n"
	    "http = { timeout = 2; connect_timeout = 2; };\n",
	    top, o2_dir, o2_dir);
	fclose(f);
	snprintf(p, sizeof p, "%s/apps/o2.conf", o2_dir);
	f = fopen(p, "w");
	fprintf(
	    f,
	    "app = {\n"
	    "  id = \"o2\"; title = \"Demo OAuth2\"; scheme = \"oauth2\";\n"
	    "  oauth2 = {\n"
	    "    authorize_url = \"%s/oauth2/authorize\";\n"
	    "    access_token_url = \"%s/oauth2/token\";\n"
	    "    refresh_token_url = \"%s/oauth2/token\";\n"
	    "    client_id = \"lk-client\"; client_secret = \"lk-secret\";\n"
	    "    scope = \"read write\";\n"
	    "    redirect_uri = \"http://127.0.0.1:8765/callback\";\n"
	    "    extra_fields = [ \"user_id\", \"team.name\" ];\n"
	    "    %s\n"
	    "  };\n"
	    "  base_urls = [ \"%s/oauth2/\" ];\n"
	    "  allow_http = true;\n"
	    "  test = { method = \"GET\"; url = \"%s/oauth2/me\"; };\n"
	    "  label = \"{{login}} {{user_id}}\";\n"
	    "  %s\n"
	    "};\n",
	    o2_base, o2_base, o2_base, oauth2_extra ? oauth2_extra : "",
	    o2_base, o2_base, app_extra ? app_extra : "");
	fclose(f);
}

static inline void o2_cleanup_dir(void)
{
	if (*o2_dir)
		nftw(o2_dir, o2_rm, 16, FTW_DEPTH | FTW_PHYS);
	*o2_dir = '\0';
}

static inline lk_ctx *o2_ctx(void)
{
	char p[512];
	lk_ctx *ctx = NULL;
	snprintf(p, sizeof p, "%s/latchkey.conf", o2_dir);
	if (lk_ctx_new(&ctx) != LK_OK)
		return NULL;
	if (lk_ctx_load(ctx, p) != LK_OK) {
		fprintf(stderr, "config: %s\n", lk_errmsg(ctx));
		lk_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

/* Begin a connect: the flow id and authorize URL (lk_free both). */
static inline lk_status o2_begin(char **flow, char **url, lk_ctx *ctx)
{
	return lk_connect_begin(flow, url, ctx, "default", "o2", NULL, NULL);
}

/* The browser's part: GET the authorize URL, return the redirect. */
static inline char *o2_browse(const char *url)
{
	char **loc = calloc(1, sizeof(*loc));
	char *out = NULL;
	if (!loc)
		return NULL;
	o2_http(NULL, loc, "GET", url, NULL);
	out = *loc;
	free(loc);
	return out;
}

/* The whole connect; the connection or NULL (status in @p st). */
static inline lk_conn *o2_connect(lk_ctx *ctx, lk_status *st)
{
	char *flow = NULL, *url = NULL, *cb = NULL;
	lk_conn *conn = NULL;
	lk_status rc = o2_begin(&flow, &url, ctx);
	if (rc == LK_OK)
		cb = o2_browse(url);
	if (rc == LK_OK)
		rc = lk_connect_finish(&conn, ctx, "default", flow,
				       cb ? cb : "");
	if (rc != LK_OK)
		fprintf(stderr, "o2_connect: %s\n", lk_errmsg(ctx));
	free(cb);
	lk_free(flow);
	lk_free(url);
	if (st)
		*st = rc;
	return conn;
}

/* GET @p path (under the emulator) with the connection. */
static inline lk_status o2_get(long *status, lk_ctx *ctx, lk_conn *conn,
			       const char *path)
{
	char url[512];
	lk_request *req = NULL;
	lk_response *resp = NULL;
	snprintf(url, sizeof url, "%s%s", o2_base, path);
	lk_status rc = lk_request_new(&req, "GET", url);
	if (rc == LK_OK)
		rc = lk_perform(&resp, ctx, conn, req);
	*status = resp ? lk_response_status(resp) : 0;
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}

static inline const char *o2_field(const lk_conn *conn, const char *key)
{
	const char *v = lk_fields_get(lk_conn_fields(conn), key);
	return v ? v : "";
}
#endif
