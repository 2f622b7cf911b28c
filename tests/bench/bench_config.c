/* SPDX-License-Identifier: MIT */
/*
 * Loading a configuration of 1,000 apps and resolving one (issue 3, item
 * 12b; target under 50 ms): lk_ctx_load over latchkey.conf and 1,000
 * apps.d files of the apikey scheme, then lk_app_find. The median of 9
 * runs is printed, so one cold cache does not decide.
 * Run: make bench (from the build folder).
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <latchkey/latchkey.h>

enum { NAPPS = 1000, RUNS = 9 };

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int write_config(const char *dir, const char *builddir)
{
	char path[512];
	FILE *fp;

	snprintf(path, sizeof path, "%s/apps.d", dir);
	mkdir(path, 0700);
	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	if (!(fp = fopen(path, "w")))
		return -1;
	fprintf(fp,
		"module_path = \"%s/tests/moddir\";\napps_dir = \"apps.d\";\n"
		"store = { path = \"%s/store\"; key_file = \"%s/master.key\"; };\n",
		builddir, dir, dir);
	fclose(fp);
	for (int i = 0; i < NAPPS; i++) {
		snprintf(path, sizeof path, "%s/apps.d/app%04d.conf", dir, i);
		if (!(fp = fopen(path, "w")))
			return -1;
		fprintf(fp,
			"app = { id = \"app%04d\"; title = \"App %d\"; "
			"scheme = \"apikey\";\n"
			"  fields = ( { key = \"api_key\"; label = \"Key\"; "
			"secret = true; } );\n"
			"  apikey = { headers = [ \"X-Api-Key: {{api_key}}\" ]; };\n"
			"  base_urls = [ \"https://api%d.example.com/\" ];\n"
			"  test = { method = \"GET\"; "
			"url = \"https://api%d.example.com/me\"; };\n"
			"  label = \"{{account.name}}\"; };\n",
			i, i, i, i);
		fclose(fp);
	}
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/lk-bench-config-XXXXXX", path[512];
	const char *builddir = getenv("top_builddir");
	double t[RUNS];
	int rc = 1;

	if (!mkdtemp(dir) || write_config(dir, builddir ? builddir : ".") < 0)
		return 1;
	snprintf(path, sizeof path, "%s/latchkey.conf", dir);
	for (int r = 0; r < RUNS; r++) {
		lk_ctx *ctx = NULL;
		const lk_app *app = NULL;
		double t0 = now_s();
		if (lk_ctx_new(&ctx) != LK_OK || lk_ctx_load(ctx, path) != LK_OK ||
		    lk_app_find(&app, ctx, "app0777") != LK_OK) {
			fprintf(stderr, "bench_config: %s\n", lk_errmsg(ctx));
			lk_ctx_free(ctx);
			goto out;
		}
		t[r] = now_s() - t0;
		lk_ctx_free(ctx);
	}
	qsort(t, RUNS, sizeof t[0], cmp_double);
	printf("load %d apps and resolve one: %.1f ms median, %.1f ms max "
	       "(target < 50 ms)\n",
	       NAPPS, t[RUNS / 2] * 1e3, t[RUNS - 1] * 1e3);
	rc = 0;
out:
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return rc;
}
