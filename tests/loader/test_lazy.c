/* SPDX-License-Identifier: MIT */
/* Modules load lazily: loading a configuration maps no module; the first
 * use of an app maps its scheme's module and no other; an app whose
 * module is broken fails with the loader's reason every time without
 * keeping other apps from working; `modules` and check-config look at
 * every module. Whether a module is mapped is read from /proc/self/maps. */
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "loader/harness.h"

static struct lkh h;
static lk_ctx *ctx;

/* Is <module_path>/<name>.so mapped into this process? */
static bool mapped(const char *name)
{
	char want[160], line[1024];
	bool found = false;
	FILE *f = fopen("/proc/self/maps", "r");

	snprintf(want, sizeof want, "%s/%s.so\n", h.mods, name);
	while (f && !found && fgets(line, sizeof line, f)) {
		size_t n = strlen(line), w = strlen(want);
		found = n >= w && strcmp(line + n - w, want) == 0;
	}
	if (f)
		fclose(f);
	return found;
}

static int setup(void)
{
	FILE *f;
	char p[160];

	if (lkh_start(&h) != 0 || lkh_module(&h, "basic", NULL) != 0 ||
	    lkh_module(&h, "apikey", NULL) != 0)
		return 1;
	/* a module file that is not a shared object at all */
	snprintf(p, sizeof p, "%s/broken.so", h.mods);
	f = fopen(p, "w");
	if (!f || fputs("garbage\n", f) < 0 || fclose(f) != 0)
		return 1;
	lkh_app(&h, "a_basic",
		"app = { id = \"a_basic\"; title = \"B\"; scheme = \"basic\";\n"
		"  base_urls = [ \"http://127.0.0.1:%u/\" ]; allow_http = "
		"true; };\n",
		h.port);
	lkh_app(
	    &h, "b_key",
	    "app = { id = \"b_key\"; title = \"K\"; scheme = \"apikey\";\n"
	    "  fields = ( { key = \"k\"; label = \"K\"; secret = true; } );\n"
	    "  apikey = { headers = [ \"X-K: {{k}}\" ]; };\n"
	    "  base_urls = [ \"http://127.0.0.1:%u/\" ]; allow_http = "
	    "true; };\n",
	    h.port);
	lkh_app(&h, "c_broken",
		"app = { id = \"c_broken\"; title = \"X\"; scheme = "
		"\"broken\";\n"
		"  base_urls = [ \"http://127.0.0.1:%u/\" ]; allow_http = "
		"true; };\n",
		h.port);
	return lkh_load(&ctx, &h) == LK_OK ? 0 : 1;
}

static int teardown(void)
{
	lk_ctx_free(ctx);
	lkh_stop(&h);
	return 0;
}

static lk_status connect_basic(lk_conn **out)
{
	lk_fields *f = NULL;
	lk_status rc;

	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "username", "u", false);
	lk_fields_set(f, "password", "p", true);
	rc = lk_connect(out, ctx, "o", "a_basic", f);
	lk_fields_free(f);
	return rc;
}

static void test_nothing_at_load(void)
{
	/* the configuration loaded, broken module and all */
	CU_ASSERT_EQUAL(lk_app_count(ctx), 3);
	CU_ASSERT_FALSE(mapped("basic"));
	CU_ASSERT_FALSE(mapped("apikey"));
}

static void test_first_use_loads_one(void)
{
	lk_conn *conn = NULL;

	CU_ASSERT_EQUAL(connect_basic(&conn), LK_OK);
	CU_ASSERT_TRUE(mapped("basic"));
	CU_ASSERT_FALSE(mapped("apikey"));
	lk_conn_free(conn);
}

static void test_broken_does_not_spread(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_conn *conn = NULL;
	char want[512];
	lk_fields *f = NULL;

	snprintf(want, sizeof want,
		 "apps/c_broken.conf:1: scheme \"broken\": %s/broken.so: "
		 "cannot load: not an ELF shared object; libltdl: ",
		 h.mods);
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lkh_reset(&h);
	for (int i = 0; i < 2; i++) {
		/* the same reason each time, and nothing sent */
		CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "o", "c_broken", f),
				LK_EMODULE);
		CU_ASSERT_NSTRING_EQUAL(lk_errmsg(ctx), want, strlen(want));
		if (strncmp(lk_errmsg(ctx), want, strlen(want)) != 0)
			fprintf(stderr, "got:  %s\nwant: %s\n", lk_errmsg(ctx),
				want);
	}
	CU_ASSERT_FATAL(lk_request_new(&req, "GET", lkh_url(&h, "/x")) ==
			LK_OK);
	CU_ASSERT_EQUAL(lk_perform_app(&resp, ctx, "c_broken", req),
			LK_EMODULE);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(lkh_count(&h), 0);
	lk_request_free(req);
	lk_fields_free(f);

	/* the other apps still work: basic again, apikey for the first
	 * time */
	CU_ASSERT_EQUAL(connect_basic(&conn), LK_OK);
	lk_conn_free(conn);
	conn = NULL;
	CU_ASSERT_FATAL(lk_fields_new(&f) == LK_OK);
	lk_fields_set(f, "k", "v", true);
	CU_ASSERT_EQUAL(lk_connect(&conn, ctx, "o", "b_key", f), LK_OK);
	CU_ASSERT_TRUE(mapped("apikey"));
	lk_conn_free(conn);
	lk_fields_free(f);
}

/* Listing describes every module of module_path, the broken one with the
 * loader's reason. */
static void test_modules_list_all(void)
{
	lk_module_info *m = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(lk_modules_list(&m, &n, ctx), LK_OK);
	CU_ASSERT_EQUAL_FATAL(n, 3);
	CU_ASSERT_STRING_EQUAL(m[0].name, "apikey");
	CU_ASSERT_PTR_NULL(m[0].error);
	CU_ASSERT_STRING_EQUAL(m[1].name, "basic");
	CU_ASSERT_PTR_NULL(m[1].error);
	CU_ASSERT(m[1].scheme && !m[1].hooks && !m[1].refresh);
	CU_ASSERT_EQUAL(m[1].abi_major, 1);
	CU_ASSERT_EQUAL(m[1].abi_minor, 1);
	CU_ASSERT_STRING_EQUAL(m[1].version, "1.0");
	CU_ASSERT_STRING_EQUAL(m[2].name, "broken");
	CU_ASSERT_PTR_NULL(m[2].version);
	CU_ASSERT_PTR_NOT_NULL(m[2].error &&
			       strstr(m[2].error, "broken.so: cannot load: "
						  "not an ELF shared object"));
	lk_module_info_free(m, n);
}

/* check-config binds every app: the broken one is the one problem. */
static void test_check_binds_every_app(void)
{
	size_t problems = 0;
	char want[512];

	snprintf(want, sizeof want,
		 "apps/c_broken.conf:1: scheme \"broken\": %s/broken.so: "
		 "cannot load: not an ELF shared object; ",
		 h.mods);
	CU_ASSERT_EQUAL(lk_ctx_check(ctx, &problems), LK_EMODULE);
	CU_ASSERT_EQUAL(problems, 1);
	CU_ASSERT_NSTRING_EQUAL(lk_errmsg(ctx), want, strlen(want));
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("lazy loading", setup, teardown);
	return !s || !CU_add_test(s, "nothing at load", test_nothing_at_load) ||
	       !CU_add_test(s, "first use loads one module",
			    test_first_use_loads_one) ||
	       !CU_add_test(s, "a broken module does not spread",
			    test_broken_does_not_spread) ||
	       !CU_add_test(s, "modules lists every module",
			    test_modules_list_all) ||
	       !CU_add_test(s, "check-config binds every app",
			    test_check_binds_every_app);
}

LK_CUNIT_MAIN(reg)
