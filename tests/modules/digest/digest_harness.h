/* SPDX-License-Identifier: MIT */
/* Shared by the digest.so tests and benchmark that talk to lk-provider:
 * the emulator started and stopped by PID on 127.0.0.1, a config folder
 * (digest.so copied into it, two apps: example_digest, and digest_2069
 * with allow_rfc2069), the emulator's request counter, and a call
 * through lk_perform. Header-only: each program includes it once. */
#ifndef DIGEST_HARNESS_H
#define DIGEST_HARNESS_H
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
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

#include "../../provider/lkp_spawn.h"

static pid_t provider_pid;
static char base[64]; /* http://127.0.0.1:PORT */
static char dir[256];
static lk_ctx *ctx;
static lk_conn *conn; /* Mufasa on example_digest */
__attribute__((unused)) static char conn_id[128];

static const char *env(const char *name, const char *fallback)
{
	const char *v = getenv(name);
	return v && *v ? v : fallback;
}

static bool provider_start(void)
{
	provider_pid = lkp_spawn(dir, 120, base, sizeof base);
	return provider_pid > 0;
}

static void provider_stop(void)
{
	lkp_reap(&provider_pid);
}

struct buf {
	char *data;
	size_t len;
};

static size_t collect(char *p, size_t sz, size_t n, void *u)
{
	struct buf *b = u;
	char *g = realloc(b->data, b->len + sz * n + 1);
	if (!g)
		return 0;
	b->data = g;
	memcpy(b->data + b->len, p, sz * n);
	b->len += sz * n;
	b->data[b->len] = '\0';
	return sz * n;
}

/* A plain request to the emulator's control endpoints; body malloc'd. */
static long ctl(char **body, const char *method, const char *path)
{
	char url[1024];
	struct buf b = {0};
	long status = 0;
	CURL *h = curl_easy_init();

	snprintf(url, sizeof url, "%s%s", base, path);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	if (curl_easy_perform(h) == CURLE_OK)
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(h);
	if (body)
		*body = b.data ? b.data : strdup("");
	else
		free(b.data);
	return status;
}

/* Requests the emulator received under @p prefix (its own log). */
static long count(const char *prefix)
{
	char path[512], *body = NULL;
	snprintf(path, sizeof path, "/_/count?path=%s", prefix);
	ctl(&body, "GET", path);
	cJSON *j = cJSON_Parse(body);
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(j, "count");
	long n = cJSON_IsNumber(c) ? (long)c->valuedouble : -1;
	cJSON_Delete(j);
	free(body);
	return n;
}

/* The Authorization header of the last logged request. */
__attribute__((unused)) static char *last_authorization(void)
{
	char *body = NULL, *out = NULL;
	ctl(&body, "GET", "/_/requests");
	cJSON *j = cJSON_Parse(body);
	const cJSON *last = cJSON_GetArrayItem(j, cJSON_GetArraySize(j) - 1);
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(last, "headers");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(h, "authorization");
	if (cJSON_IsString(a))
		out = strdup(a->valuestring);
	cJSON_Delete(j);
	free(body);
	return out;
}

static void write_file(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static bool copy_module(void)
{
	char src[512], dst[512], buf[65536];
	size_t n;
	bool ok = true;
	snprintf(src, sizeof src, "%s/modules/digest/.libs/digest.so",
		 env("top_builddir", "."));
	snprintf(dst, sizeof dst, "%s/mods/digest.so", dir);
	FILE *in = fopen(src, "rb"), *out = fopen(dst, "wb");
	if (!in || !out)
		ok = false;
	while (ok && (n = fread(buf, 1, sizeof buf, in)) > 0)
		ok = fwrite(buf, 1, n, out) == n;
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	return ok && chmod(dst, 0755) == 0;
}

static int rm_one(const char *p, const struct stat *s, int f, struct FTW *w)
{
	(void)s;
	(void)f;
	(void)w;
	return remove(p);
}

static void app_conf(const char *file, const char *id, bool rfc2069)
{
	char text[2048];
	snprintf(
	    text, sizeof text,
	    "app = {\n"
	    "  id = \"%s\"; title = \"Digest test\"; scheme = \"digest\";\n"
	    "  base_urls = [ \"%s/digest/\" ];\n"
	    "  allow_http = true;\n"
	    "  test = { method = \"GET\"; url = "
	    "\"%s/digest/SHA-256/auth/user\"; };\n"
	    "  label = \"{{login}}\";\n"
	    "  digest = { allow_rfc2069 = %s; };\n"
	    "};\n",
	    id, base, base, rfc2069 ? "true" : "false");
	write_file(file, text);
}

static int harness_setup(void)
{
	char text[1024], path[300];
	snprintf(dir, sizeof dir, "%s/lk-digest-XXXXXX", env("TMPDIR", "/tmp"));
	if (!mkdtemp(dir) || !provider_start())
		return 1;
	snprintf(path, sizeof path, "%s/mods", dir);
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s/apps", dir);
	mkdir(path, 0755);
	if (!copy_module())
		return 1;
	snprintf(text, sizeof text,
		 "module_path = \"%s/mods\";\napps_dir = \"apps\";\n"
		 "store = { path = \"%s/store\"; key_file = \"%s/master.key\"; "
		 "};\nhttp = { timeout = 10; connect_timeout = 5; };\n",
		 dir, dir, dir);
	write_file("latchkey.conf", text);
	app_conf("apps/digest.conf", "example_digest", false);
	app_conf("apps/digest2069.conf", "digest_2069", true);
	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	if (lk_ctx_new(&ctx) != LK_OK || lk_ctx_load(ctx, path) != LK_OK) {
		fprintf(stderr, "load: %s\n", lk_errmsg(ctx));
		return 1;
	}
	return 0;
}

static int harness_teardown(void)
{
	lk_conn_free(conn);
	lk_ctx_free(ctx);
	provider_stop();
	if (!getenv("KEEP_T"))
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

static lk_status do_connect(lk_conn **out, const char *app, const char *user,
			    const char *pass)
{
	lk_fields *f = NULL;
	lk_fields_new(&f);
	lk_fields_set(f, "username", user, false);
	lk_fields_set(f, "password", pass, true);
	lk_status rc = lk_connect(out, ctx, "default", app, f);
	lk_fields_free(f);
	return rc;
}

/* One call through @p c; the status and body (malloc'd) come back. */
static lk_status call(long *status, char **body, lk_conn *c, const char *method,
		      const char *path, const char *data)
{
	char url[512];
	lk_request *req = NULL;
	lk_response *resp = NULL;
	snprintf(url, sizeof url, "%s%s", base, path);
	lk_request_new(&req, method, url);
	if (data)
		lk_request_set_body(req, data, strlen(data));
	lk_status rc = lk_perform(&resp, ctx, c, req);
	*status = resp ? lk_response_status(resp) : 0;
	if (body)
		*body = resp ? strdup(lk_response_body(resp, NULL)) : NULL;
	lk_response_free(resp);
	lk_request_free(req);
	return rc;
}
#endif
