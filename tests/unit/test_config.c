/* SPDX-License-Identifier: MIT */
/* The configuration loader (core/config.c, core/settings.c): values and
 * defaults of good configs, module blocks and secrets, and the exact
 * first message of every case in tests/data/bad-config/. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/CUnit.h>

#include "../../core/config.h" /* not autoconf's config.h */
#include "cunit_main.h"
#include "log.h"

/* ------------------------------------------------------------- helpers */

static char tmp_root[256];

static int rm_one(const char *p, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void rm_rf(const char *dir)
{
	nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh folder under the suite's temp root. */
static char *new_dir(const char *name)
{
	char *d = lk_strdupf("%s/%s", tmp_root, name);
	rm_rf(d);
	mkdir(d, 0700);
	return d;
}

/* Write @p text to dir/rel (folders made), mode @p mode. */
static void put(const char *dir, const char *rel, const char *text, mode_t mode)
{
	char *p = lk_strdupf("%s/%s", dir, rel);
	for (char *s = strchr(p + strlen(dir) + 1, '/'); s;
	     s = strchr(s + 1, '/')) {
		*s = '\0';
		mkdir(p, 0700);
		*s = '/';
	}
	FILE *f = fopen(p, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
	lk_free(p);
}

/* Log sink: keeps every ERROR line. */
struct logs {
	char *lines[64];
	size_t n;
};

static void log_keep(void *ud, lk_log_level level, const char *msg)
{
	struct logs *l = ud;
	if (level == LK_LOG_ERROR && l->n < 64)
		l->lines[l->n++] = lk_strdup(msg);
}

static void logs_free(struct logs *l)
{
	for (size_t i = 0; i < l->n; i++)
		lk_free(l->lines[i]);
	l->n = 0;
}

/* Load dir/latchkey.conf into a new ctx; @p rc gets the status. */
static lk_ctx *load(const char *dir, lk_status *rc, struct logs *logs)
{
	lk_ctx *ctx = NULL;
	char *p = lk_strdupf("%s/latchkey.conf", dir);
	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	if (logs)
		lk_ctx_set_log(ctx, log_keep, logs, LK_LOG_DEBUG);
	*rc = lk_ctx_load(ctx, p);
	lk_free(p);
	return ctx;
}

/* ---------------------------------------------------------- good configs */

static const char good_conf[] =
    "module_path = \"mods\";\n"
    "apps_dir = \"apps\";\n"
    "store = { path = \"store\"; key_file = \"/srv/lk/master.key\"; };\n"
    "http = { timeout = 5; connect_timeout = 2;\n"
    "         max_response_bytes = 4096; };\n"
    "log = { level = \"debug\"; };\n"
    "serve = { listen = \"127.0.0.1:8770\"; threads = 4; };\n";

static const char good_app_z[] =
    "app = {\n"
    "  id = \"zeta\"; title = \"Zeta CRM\";\n"
    "  scheme = \"apikey\";\n"
    "  fields = ( { key = \"api_key\"; label = \"API key\";\n"
    "               secret = true; },\n"
    "             { key = \"domain\"; required = false; } );\n"
    "  base_urls = [ \"https://{{domain}}.zeta.example/api/\",\n"
    "                \"http://127.0.0.1:8080/\" ];\n"
    "  allow_http = true;\n"
    "  follow_redirects = true;\n"
    "  test = { method = \"POST\"; url = "
    "\"https://{{domain}}.zeta.example/api/me\";\n"
    "           headers = [ \"Accept: application/json\" ];\n"
    "           body = \"{}\"; };\n"
    "  label = \"{{login}}\";\n"
    "  hooks = [ \"vendor\", \"audit\" ];\n"
    "  refresh_on = { status = [ 401, 419 ]; json_error = [ \"expired\" ]; };\n"
    "  apikey = { headers = [ \"X-Key: {{api_key}}\" ]; };\n"
    "  vendor = { mode = 1; };\n"
    "};\n";

static const char good_app_a[] =
    "app = {\n"
    "  id = \"alpha\";\n"
    "  scheme = \"basic\";\n"
    "  base_urls = [ \"https://alpha.example/\" ];\n"
    "  fields = ( { key = \"tenant\"; } );\n"
    "};\n";

static void test_good_config_values(void)
{
	char *d = new_dir("good");
	lk_status rc;

	put(d, "latchkey.conf", good_conf, 0644);
	put(d, "apps/1-zeta.conf", good_app_z, 0644);
	put(d, "apps/2-alpha.conf", good_app_a, 0644);
	put(d, "apps/README", "not a .conf file, ignored", 0644);
	lk_ctx *ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);

	char *want = lk_strdupf("%s/mods", d);
	CU_ASSERT_STRING_EQUAL(ctx->module_path, want);
	lk_free(want);
	want = lk_strdupf("%s/apps", d);
	CU_ASSERT_STRING_EQUAL(ctx->apps_dir, want);
	lk_free(want);
	want = lk_strdupf("%s/store", d);
	CU_ASSERT_STRING_EQUAL(ctx->store_path, want);
	lk_free(want);
	CU_ASSERT_STRING_EQUAL(ctx->key_file, "/srv/lk/master.key");
	CU_ASSERT_EQUAL(ctx->http_timeout, 5);
	CU_ASSERT_EQUAL(ctx->http_connect_timeout, 2);
	CU_ASSERT_EQUAL(ctx->max_response_bytes, 4096);
	CU_ASSERT_EQUAL(ctx->conf_log_level, LK_LOG_DEBUG);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ctx->serve);
	CU_ASSERT_STRING_EQUAL(ctx->serve_file, "latchkey.conf");
	CU_ASSERT_EQUAL(ctx->serve->line, 7);
	const lk_setting *th = lk_settings__get(ctx->serve, "threads");
	CU_ASSERT_FATAL(th && th->type == LK_SET_INT && th->i == 4);

	/* Sorted by id, not by file name. */
	CU_ASSERT_EQUAL_FATAL(ctx->napps, 2);
	CU_ASSERT_EQUAL_FATAL(lk_app_count(ctx), 2);
	const lk_app *a = ctx->apps[0], *z = ctx->apps[1];
	CU_ASSERT_STRING_EQUAL(a->id, "alpha");
	CU_ASSERT_STRING_EQUAL(z->id, "zeta");
	CU_ASSERT_STRING_EQUAL(z->file, "apps/1-zeta.conf");
	CU_ASSERT_EQUAL(z->line, 1);
	CU_ASSERT_STRING_EQUAL(z->title, "Zeta CRM");
	CU_ASSERT_STRING_EQUAL(z->scheme, "apikey");
	CU_ASSERT_EQUAL_FATAL(z->nfields, 2);
	CU_ASSERT_STRING_EQUAL(z->fields[0].key, "api_key");
	CU_ASSERT_STRING_EQUAL(z->fields[0].label, "API key");
	CU_ASSERT_TRUE(z->fields[0].required);
	CU_ASSERT_TRUE(z->fields[0].secret);
	CU_ASSERT_STRING_EQUAL(z->fields[1].key, "domain");
	CU_ASSERT_STRING_EQUAL(z->fields[1].label, "domain");
	CU_ASSERT_FALSE(z->fields[1].required);
	CU_ASSERT_FALSE(z->fields[1].secret);
	CU_ASSERT_EQUAL_FATAL(z->nbase_urls, 2);
	CU_ASSERT_STRING_EQUAL(z->base_urls[0],
			       "https://{{domain}}.zeta.example/api/");
	CU_ASSERT_STRING_EQUAL(z->base_urls[1], "http://127.0.0.1:8080/");
	CU_ASSERT_TRUE(z->allow_http);
	CU_ASSERT_TRUE(z->follow_redirects);
	CU_ASSERT_STRING_EQUAL(z->test_method, "POST");
	CU_ASSERT_STRING_EQUAL(z->test_url,
			       "https://{{domain}}.zeta.example/api/me");
	CU_ASSERT_EQUAL_FATAL(z->ntest_headers, 1);
	CU_ASSERT_STRING_EQUAL(z->test_headers[0], "Accept: application/json");
	CU_ASSERT_STRING_EQUAL(z->test_body, "{}");
	CU_ASSERT_STRING_EQUAL(z->label_tmpl, "{{login}}");
	CU_ASSERT_EQUAL_FATAL(z->nhooks, 2);
	CU_ASSERT_STRING_EQUAL(z->hooks[0], "vendor");
	CU_ASSERT_STRING_EQUAL(z->hooks[1], "audit");
	CU_ASSERT_EQUAL_FATAL(z->nrefresh_status, 2);
	CU_ASSERT_EQUAL(z->refresh_status[0], 401);
	CU_ASSERT_EQUAL(z->refresh_status[1], 419);
	CU_ASSERT_EQUAL_FATAL(z->nrefresh_json_error, 1);
	CU_ASSERT_STRING_EQUAL(z->refresh_json_error[0], "expired");
	CU_ASSERT_PTR_NULL(z->policy);
	/* Module blocks are kept, with their lines, for bind.c. */
	const lk_setting *blk = lk_settings__get(z->root, "apikey");
	CU_ASSERT_FATAL(blk && blk->type == LK_SET_GROUP);
	CU_ASSERT_EQUAL(blk->line, 17);
	CU_ASSERT_STRING_EQUAL(blk->file, "apps/1-zeta.conf");
	CU_ASSERT_PTR_NOT_NULL(lk_settings__get(z->root, "vendor"));
	CU_ASSERT_EQUAL(z->bound, 0);
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_app_defaults(void)
{
	char *d = new_dir("appdefaults");
	lk_status rc;

	put(d, "latchkey.conf", "", 0644);
	put(d, "apps.d/a.conf",
	    "app = { id = \"plain\"; scheme = \"basic\";\n"
	    "  base_urls = [ \"https://p.example/\" ];\n"
	    "  fields = ( { key = \"x\"; } );\n"
	    "  test = { url = \"https://p.example/me\"; }; };\n",
	    0644);
	put(d, "apps.d/b.conf",
	    "app = { id = \"hook\"; scheme = \"none\"; };\n", 0644);
	lk_ctx *ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_EQUAL_FATAL(ctx->napps, 2);
	const lk_app *h = ctx->apps[0], *p = ctx->apps[1];
	CU_ASSERT_STRING_EQUAL(p->title, "plain"); /* title defaults to id */
	CU_ASSERT_STRING_EQUAL(p->test_method, "GET");
	CU_ASSERT_TRUE(p->fields[0].required);
	CU_ASSERT_FALSE(p->fields[0].secret);
	CU_ASSERT_FALSE(p->allow_http);
	CU_ASSERT_FALSE(p->follow_redirects);
	CU_ASSERT_EQUAL_FATAL(p->nrefresh_status, 1);
	CU_ASSERT_EQUAL(p->refresh_status[0], 401);
	CU_ASSERT_EQUAL(p->nrefresh_json_error, 0);
	CU_ASSERT_PTR_NULL(p->label_tmpl);
	/* scheme "none" needs no base_urls and no test. */
	CU_ASSERT_EQUAL(h->nbase_urls, 0);
	CU_ASSERT_PTR_NULL(h->test_method);
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_main_defaults(void)
{
	char *d = new_dir("defaults");
	lk_status rc;

	put(d, "latchkey.conf", "# all defaults\n", 0644);
	setenv("XDG_DATA_HOME", "/xdg/data", 1);
	setenv("XDG_CONFIG_HOME", "/xdg/config", 1);
	lk_ctx *ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_STRING_EQUAL(ctx->module_path, LK_MODULE_DIR);
	CU_ASSERT_EQUAL(ctx->http_timeout, 30);
	CU_ASSERT_EQUAL(ctx->http_connect_timeout, 10);
	CU_ASSERT_EQUAL(ctx->max_response_bytes, 1048576);
	CU_ASSERT_EQUAL(ctx->conf_log_level, LK_LOG_INFO);
	CU_ASSERT_PTR_NULL(ctx->serve);
	CU_ASSERT_EQUAL(ctx->napps, 0); /* no apps.d: no apps */
	if (geteuid() == 0) {
		CU_ASSERT_STRING_EQUAL(ctx->store_path, "/var/lib/latchkey");
		CU_ASSERT_STRING_EQUAL(ctx->key_file,
				       "/etc/latchkey/master.key");
	} else {
		CU_ASSERT_STRING_EQUAL(ctx->store_path, "/xdg/data/latchkey");
		CU_ASSERT_STRING_EQUAL(ctx->key_file,
				       "/xdg/config/latchkey/master.key");
	}
	lk_ctx_free(ctx);
	unsetenv("XDG_DATA_HOME");
	unsetenv("XDG_CONFIG_HOME");
	const char *home = getenv("HOME");
	ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	if (geteuid() != 0 && home) {
		char *w = lk_strdupf("%s/.local/share/latchkey", home);
		CU_ASSERT_STRING_EQUAL(ctx->store_path, w);
		lk_free(w);
		w = lk_strdupf("%s/.config/latchkey/master.key", home);
		CU_ASSERT_STRING_EQUAL(ctx->key_file, w);
		lk_free(w);
	}
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_policy_block_recorded(void)
{
	char *d = new_dir("policy");
	struct logs logs = {0};
	lk_status rc;

	put(d, "latchkey.conf", "", 0644);
	put(d, "apps.d/a.conf",
	    "app = { id = \"p\"; scheme = \"mod\";\n"
	    "  base_urls = [ \"https://p.example/\" ];\n"
	    "  mod = { policy = \"sliding\"; };\n"
	    "  sliding = { window = 30; };\n"
	    "  other = { x = 1; };\n"
	    "};\n",
	    0644);
	lk_ctx *ctx = load(d, &rc, &logs);
	/* The policy's block is known; a block nobody names is not. */
	CU_ASSERT_EQUAL(rc, LK_ECONFIG);
	CU_ASSERT_EQUAL_FATAL(logs.n, 1);
	CU_ASSERT_STRING_EQUAL(logs.lines[0], "apps.d/a.conf:5: unknown key "
					      "'other' in app block");
	logs_free(&logs);
	lk_ctx_free(ctx);

	put(d, "apps.d/a.conf",
	    "app = { id = \"p\"; scheme = \"mod\";\n"
	    "  base_urls = [ \"https://p.example/\" ];\n"
	    "  mod = { policy = \"sliding\"; };\n"
	    "  sliding = { window = 30; };\n"
	    "};\n",
	    0644);
	ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_STRING_EQUAL(ctx->apps[0]->policy, "sliding");
	lk_ctx_free(ctx);

	put(d, "apps.d/a.conf",
	    "app = { id = \"p\"; scheme = \"mod\";\n"
	    "  base_urls = [ \"https://p.example/\" ];\n"
	    "  mod = { policy = \"default\"; };\n"
	    "};\n",
	    0644);
	ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_PTR_NULL(ctx->apps[0]->policy); /* the core's own */
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_include_keeps_its_file_name(void)
{
	char *d = new_dir("include");
	lk_status rc;

	put(d, "latchkey.conf",
	    "# common settings\n"
	    "@include \"conf.d/http.cfg\"\n"
	    "log = { level = \"warn\"; };\n",
	    0644);
	put(d, "conf.d/http.cfg", "\nhttp = { timeout = \"x\"; };\n", 0644);
	lk_ctx *ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL(rc, LK_ECONFIG);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "conf.d/http.cfg:2: 'http.timeout' must be an "
			       "integer, not a string");
	lk_ctx_free(ctx);
	put(d, "conf.d/http.cfg", "http = { timeout = 7; };\n", 0644);
	ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_EQUAL(ctx->http_timeout, 7);
	CU_ASSERT_EQUAL(ctx->conf_log_level, LK_LOG_WARN);
	lk_ctx_free(ctx);
	lk_free(d);
}

/* -------------------------------------------------------- failure modes */

static void test_every_problem_logged_first_is_error(void)
{
	char *d = new_dir("many");
	struct logs logs = {0};
	lk_status rc;

	put(d, "latchkey.conf",
	    "http = { timeout = \"x\"; };\n"
	    "bogus = 1;\n",
	    0644);
	put(d, "apps.d/a.conf", "app = { id = \"a\"; scheme = \"basic\"; };\n",
	    0644);
	lk_ctx *ctx = load(d, &rc, &logs);
	CU_ASSERT_EQUAL(rc, LK_ECONFIG);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "latchkey.conf:2: unknown key 'bogus' in "
			       "latchkey.conf");
	CU_ASSERT_EQUAL_FATAL(logs.n, 3);
	CU_ASSERT_STRING_EQUAL(logs.lines[0], lk_errmsg(ctx));
	CU_ASSERT_STRING_EQUAL(logs.lines[1],
			       "latchkey.conf:1: 'http.timeout' must be an "
			       "integer, not a string");
	CU_ASSERT_STRING_EQUAL(logs.lines[2],
			       "apps.d/a.conf:1: app 'a' needs 'base_urls' "
			       "(where its connections may be used)");
	/* A failed load keeps nothing, and the ctx can load again. */
	CU_ASSERT_EQUAL(ctx->napps, 0);
	CU_ASSERT_PTR_NULL(ctx->module_path);
	CU_ASSERT_EQUAL(lk_app_count(ctx), 0);
	put(d, "latchkey.conf", "", 0644);
	put(d, "apps.d/a.conf", "app = { id = \"a\"; scheme = \"none\"; };\n",
	    0644);
	char *p = lk_strdupf("%s/latchkey.conf", d);
	CU_ASSERT_EQUAL(lk_ctx_load(ctx, p), LK_OK);
	CU_ASSERT_EQUAL(lk_app_count(ctx), 1);
	lk_free(p);
	logs_free(&logs);
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_missing_config_file(void)
{
	lk_ctx *ctx = NULL;
	char *p = lk_strdupf("%s/absent/latchkey.conf", tmp_root);

	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	CU_ASSERT_EQUAL(lk_ctx_load(ctx, p), LK_ECONFIG);
	char *want = lk_strdupf("%s: cannot read the file: No such file or "
				"directory",
				p);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	lk_free(p);
	lk_ctx_free(ctx);
}

/* ------------------------------------------------------- module blocks */

static const struct lk_config_key test_keys[] = {
    {"url", LK_KEY_URL, true, NULL, NULL},
    {"client_id", LK_KEY_STRING, true, NULL, NULL},
    {"client_secret", LK_KEY_SECRET, true, NULL, NULL},
    {"api_secret", LK_KEY_SECRET, false, NULL, NULL},
    {"token", LK_KEY_SECRET, false, NULL, NULL},
    {"margin", LK_KEY_INT, false, "60", NULL},
    {"ratio", LK_KEY_FLOAT, false, NULL, NULL},
    {"pkce", LK_KEY_BOOL, false, "true", NULL},
    {"placement", LK_KEY_ENUM, false, "header", "header|querystring|both"},
    {"extra", LK_KEY_STRING_LIST, false, NULL, NULL},
    {"nested", LK_KEY_GROUP, false, NULL, NULL},
    {NULL, 0, false, NULL, NULL},
};

/* Load a config whose one app ("t", scheme "mod") has block @p block. */
static lk_ctx *load_block(const char *name, const char *block,
			  const char *extra_app, lk_status *rc)
{
	char *d = new_dir(name);
	char *app = lk_strdupf("app = {\n"
			       "  id = \"t\"; scheme = \"mod\";\n"
			       "  base_urls = [ \"https://t.example/\" ];%s\n"
			       "  mod = {\n%s  };\n"
			       "};\n",
			       extra_app, block);
	put(d, "latchkey.conf", "", 0644);
	put(d, "apps.d/t.conf", app, 0644);
	lk_free(app);
	lk_ctx *ctx = load(d, rc, NULL);
	lk_free(d);
	return ctx;
}

/* The first message of checking @p block with test_keys, or "" */
static char *block_error(const char *name, const char *block,
			 const char *extra_app)
{
	lk_status rc;
	lk_ctx *ctx = load_block(name, block, extra_app, &rc);
	struct lk_block b = {0};
	char *msg;

	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	rc = lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b);
	msg = lk_strdup(rc == LK_OK ? "" : lk_errmsg(ctx));
	if (rc != LK_OK)
		CU_ASSERT_PTR_NULL(b.values); /* nothing kept on failure */
	lk_fields_free(b.values);
	lk_ctx_free(ctx);
	return msg;
}

static void test_block_values_defaults_and_secrets(void)
{
	char *d;
	lk_status rc;
	struct lk_block b = {0};

	setenv("LK_TEST_API_SECRET", "env-sentinel-77", 1);
	lk_ctx *ctx = load_block(
	    "block",
	    "    url = \"https://{{sub}}.t.example/oauth?x={{y}}\";\n"
	    "    client_id = \"cid\";\n"
	    "    client_secret_file = \"secrets/cs\";\n"
	    "    api_secret = \"env:LK_TEST_API_SECRET\";\n"
	    "    token = \"inline-sentinel-55\";\n"
	    "    ratio = 2;\n"
	    "    placement = \"both\";\n"
	    "    extra = [ \"a\", \"b\" ];\n"
	    "    nested = { anything = 1; };\n",
	    "", &rc);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	/* Relative to the file naming it: apps.d/secrets/cs. */
	d = lk_strdupf("%s/block", tmp_root);
	put(d, "apps.d/secrets/cs", "file-sentinel-99\n", 0600);
	lk_free(d);

	rc = lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	CU_ASSERT_PTR_NOT_NULL(b.group);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "url"),
			       "https://{{sub}}.t.example/oauth?x={{y}}");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "client_id"), "cid");
	CU_ASSERT_FALSE(lk_fields_is_secret(b.values, "client_id"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "client_secret"),
			       "file-sentinel-99");
	CU_ASSERT_TRUE(lk_fields_is_secret(b.values, "client_secret"));
	CU_ASSERT_PTR_NULL(lk_fields_get(b.values, "client_secret_file"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "api_secret"),
			       "env-sentinel-77");
	CU_ASSERT_TRUE(lk_fields_is_secret(b.values, "api_secret"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "token"),
			       "inline-sentinel-55");
	CU_ASSERT_TRUE(lk_fields_is_secret(b.values, "token"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "margin"), "60");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "ratio"), "2");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "pkce"), "true");
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "placement"), "both");
	/* Lists and groups stay in the group (lk_call_setting_list_*). */
	CU_ASSERT_PTR_NULL(lk_fields_get(b.values, "extra"));
	const lk_setting *ex = lk_settings__get(b.group, "extra");
	CU_ASSERT_FATAL(ex && ex->type == LK_SET_LIST && ex->nkids == 2);
	CU_ASSERT_STRING_EQUAL(ex->kids[1]->str, "b");

	/* Every secret is redacted from the ctx's log lines. */
	struct logs logs = {0};
	lk_ctx_set_log(ctx, log_keep, &logs, LK_LOG_DEBUG);
	lk_log__msg(ctx, LK_LOG_ERROR, "a=%s b=%s c=%s", "file-sentinel-99",
		    "env-sentinel-77", "inline-sentinel-55");
	CU_ASSERT_EQUAL_FATAL(logs.n, 1);
	CU_ASSERT_STRING_EQUAL(logs.lines[0], "a=" LK_REDACTED " b=" LK_REDACTED
					      " c=" LK_REDACTED);
	logs_free(&logs);
	lk_fields_free(b.values);
	lk_ctx_free(ctx);
	unsetenv("LK_TEST_API_SECRET");
}

static void expect_block(const char *block, const char *extra_app,
			 const char *want)
{
	char *msg = block_error("blockerr", block, extra_app);
	if (strcmp(msg, want) != 0)
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", msg, want);
	CU_ASSERT_STRING_EQUAL(msg, want);
	lk_free(msg);
}

#define REQ                                                                    \
	"    url = \"https://t.example/a\";\n"                                 \
	"    client_id = \"c\";\n"                                             \
	"    client_secret = \"sekrit-value\";\n"

static void test_block_errors(void)
{
	expect_block(REQ "    scop = \"x\";\n", "",
		     "apps.d/t.conf:8: unknown key 'scop' in mod block");
	expect_block(REQ "    margin = \"60\";\n", "",
		     "apps.d/t.conf:8: 'mod.margin' must be an integer, not "
		     "a string");
	expect_block(REQ "    pkce = 1;\n", "",
		     "apps.d/t.conf:8: 'mod.pkce' must be a boolean, not an "
		     "integer");
	expect_block(REQ "    extra = [ 1 ];\n", "",
		     "apps.d/t.conf:8: 'mod.extra' must be a list of "
		     "strings: item 1 is an integer");
	expect_block(REQ "    nested = 3;\n", "",
		     "apps.d/t.conf:8: 'mod.nested' must be a group, not an "
		     "integer");
	expect_block(REQ "    placement = \"body\";\n", "",
		     "apps.d/t.conf:8: 'mod.placement' must be one of: "
		     "header, querystring, both (found \"body\")");
	expect_block("    url = \"https://t.example/a\";\n"
		     "    client_secret = \"sekrit-value\";\n",
		     "",
		     "apps.d/t.conf:4: missing required key 'client_id' in "
		     "mod block");
	expect_block("    url = \"https://t.example/a\";\n"
		     "    client_id = \"c\";\n",
		     "",
		     "apps.d/t.conf:4: missing required key 'client_secret' "
		     "(or 'client_secret_file') in mod block");
	expect_block(
	    "    url = \"http://t.example/a\";\n"
	    "    client_id = \"c\";\n    client_secret = \"sekrit-value\";\n",
	    "",
	    "apps.d/t.conf:5: 'mod.url' must use https (set "
	    "allow_http = true to allow http)");
	expect_block(
	    "    url = \"http://t.example/a\";\n"
	    "    client_id = \"c\";\n    client_secret = \"sekrit-value\";\n",
	    "\n  allow_http = true;", "");
	expect_block(
	    "    url = \"not a url\";\n"
	    "    client_id = \"c\";\n    client_secret = \"sekrit-value\";\n",
	    "",
	    "apps.d/t.conf:5: 'mod.url' is not a valid URL (Bad "
	    "scheme)");
	expect_block(REQ "    client_secret_file = \"x\";\n", "",
		     "apps.d/t.conf:8: mod: give either 'client_secret' or "
		     "'client_secret_file', not both");
	expect_block(REQ "    client_id_file = \"x\";\n", "",
		     "apps.d/t.conf:8: unknown key 'client_id_file' in mod "
		     "block");
	expect_block(REQ "    token = \"env:LK_TEST_NOT_SET_AT_ALL\";\n", "",
		     "apps.d/t.conf:8: mod.token: environment variable "
		     "LK_TEST_NOT_SET_AT_ALL is not set or empty");
	expect_block(REQ "    token_file = \"nofile\";\n", "",
		     "apps.d/t.conf:8: mod.token_file: cannot read secret "
		     "file 'nofile': No such file or directory");

	/* A group/world-readable secret file is refused; its mode shown. */
	char *d = lk_strdupf("%s/blockerr", tmp_root);
	lk_status rc;
	lk_ctx *ctx =
	    load_block("blockerr", REQ "    token_file = \"tok\";\n", "", &rc);
	struct lk_block b = {0};
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	put(d, "apps.d/tok", "value\n", 0640);
	CU_ASSERT_EQUAL(
	    lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b),
	    LK_ECONFIG);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "apps.d/t.conf:8: mod.token_file: secret file "
			       "'tok' is group- or world-readable (mode 0640): "
			       "chmod 600 it");
	/* An empty one too. */
	put(d, "apps.d/tok", "\n", 0600);
	CU_ASSERT_EQUAL(
	    lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b),
	    LK_ECONFIG);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "apps.d/t.conf:8: mod.token_file: secret file "
			       "'tok' is empty or holds a NUL byte");
	/* Only one trailing newline goes. */
	put(d, "apps.d/tok", "two\n\n", 0600);
	CU_ASSERT_EQUAL_FATAL(
	    lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b),
	    LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(b.values, "token"), "two\n");
	lk_fields_free(b.values);
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_block_absent_and_no_keys(void)
{
	lk_status rc;
	char *d = new_dir("noblock");

	put(d, "latchkey.conf", "", 0644);
	put(d, "apps.d/t.conf",
	    "app = { id = \"t\"; scheme = \"mod\";\n"
	    "  base_urls = [ \"https://t.example/\" ]; };\n",
	    0644);
	lk_ctx *ctx = load(d, &rc, NULL);
	CU_ASSERT_EQUAL_FATAL(rc, LK_OK);
	struct lk_block b = {0};
	/* No block and no required keys: defaults only. */
	CU_ASSERT_EQUAL(
	    lk_config__check_block(ctx, ctx->apps[0], "mod", NULL, &b), LK_OK);
	CU_ASSERT_PTR_NULL(b.group);
	CU_ASSERT_EQUAL(lk_fields_count(b.values), 0);
	lk_fields_free(b.values);
	b.values = NULL;
	/* Required keys missing with no block: at the app's line. */
	CU_ASSERT_EQUAL(
	    lk_config__check_block(ctx, ctx->apps[0], "mod", test_keys, &b),
	    LK_ECONFIG);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "apps.d/t.conf:1: missing required key 'url' in "
			       "mod block");
	lk_ctx_free(ctx);
	lk_free(d);
}

static void test_read_secret_file(void)
{
	char *d = new_dir("rsf");
	char *where = lk_strdupf("%s/apps.d/x.conf", d);
	char *out = NULL;
	lk_ctx *ctx = NULL;

	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	put(d, "apps.d/s/k", "sek\n", 0600);
	CU_ASSERT_EQUAL(lk_config__read_secret_file(&out, ctx, "s/k", where),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(out, "sek");
	lk_str_wipe_free(out);
	setenv("LK_TEST_RSF", "from-env", 1);
	CU_ASSERT_EQUAL(
	    lk_config__read_secret_file(&out, ctx, "env:LK_TEST_RSF", where),
	    LK_OK);
	CU_ASSERT_STRING_EQUAL(out, "from-env");
	lk_str_wipe_free(out);
	unsetenv("LK_TEST_RSF");
	char *p = lk_strdupf("%s/apps.d/s/k", d);
	chmod(p, 0604);
	CU_ASSERT_EQUAL(lk_config__read_secret_file(&out, ctx, "s/k", where),
			LK_ECONFIG);
	CU_ASSERT_PTR_NULL(out);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "secret file 's/k' is group- or world-readable "
			       "(mode 0604): chmod 600 it");
	lk_free(p);
	lk_ctx_free(ctx);
	lk_free(where);
	lk_free(d);
}

/* ------------------------------------------------- tests/data/bad-config */

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = lk_calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n)
		buf[0] = '\0';
	fclose(f);
	return buf;
}

/* @p text with every @p from replaced by @p to; lk_free. */
static char *subst(const char *text, const char *from, const char *to)
{
	size_t fl = strlen(from), tl = strlen(to), n = 0;
	for (const char *p = strstr(text, from); p; p = strstr(p + fl, from))
		n++;
	char *out = lk_malloc(strlen(text) + n * tl + 1), *o = out;
	for (const char *p = text;;) {
		const char *hit = strstr(p, from);
		size_t l = hit ? (size_t)(hit - p) : strlen(p);
		memcpy(o, p, l);
		o += l;
		if (!hit)
			break;
		memcpy(o, to, tl);
		o += tl;
		p = hit + fl;
	}
	*o = '\0';
	return out;
}

/* Copy a case folder, filling @MODDIR@ and @DIR@; files 0600. */
static void copy_case(const char *src, const char *dst, const char *moddir,
		      const char *casedir, bool top)
{
	DIR *dir = opendir(src);
	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	mkdir(dst, 0700);
	for (struct dirent *e = readdir(dir); e; e = readdir(dir)) {
		if (e->d_name[0] == '.' ||
		    (top && (strcmp(e->d_name, "expected") == 0 ||
			     strcmp(e->d_name, "modes") == 0)))
			continue;
		char *s = lk_strdupf("%s/%s", src, e->d_name);
		char *t = lk_strdupf("%s/%s", dst, e->d_name);
		struct stat sb;
		stat(s, &sb);
		if (S_ISDIR(sb.st_mode)) {
			copy_case(s, t, moddir, casedir, false);
		} else {
			char *raw = slurp(s);
			char *a = subst(raw, "@MODDIR@", moddir);
			char *b = subst(a, "@DIR@", casedir);
			FILE *f = fopen(t, "w");
			fputs(b, f);
			fclose(f);
			chmod(t, 0600);
			lk_free(raw);
			lk_free(a);
			lk_free(b);
		}
		lk_free(s);
		lk_free(t);
	}
	closedir(dir);
}

/* Apply "path mode" lines of the case's `modes` file. */
static void apply_modes(const char *src, const char *dst)
{
	char *p = lk_strdupf("%s/modes", src);
	FILE *f = fopen(p, "r");
	char rel[256];
	unsigned mode;

	while (f && fscanf(f, "%255s %o", rel, &mode) == 2) {
		char *t = lk_strdupf("%s/%s", dst, rel);
		chmod(t, (mode_t)mode);
		lk_free(t);
	}
	if (f)
		fclose(f);
	lk_free(p);
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_bad_config_cases(void)
{
	const char *srcdir = getenv("top_srcdir");
	const char *builddir = getenv("top_builddir");
	char *base =
	    lk_strdupf("%s/tests/data/bad-config", srcdir ? srcdir : "..");
	char *moddir =
	    lk_strdupf("%s/tests/moddir", builddir ? builddir : "..");
	DIR *dir = opendir(base);
	char *names[256];
	size_t n = 0, ran = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	for (struct dirent *e = readdir(dir); e && n < 256; e = readdir(dir))
		if (e->d_name[0] != '.')
			names[n++] = lk_strdup(e->d_name);
	closedir(dir);
	qsort(names, n, sizeof(*names), cmp_names);
	CU_ASSERT(n >= 24);
	for (size_t i = 0; i < n; i++) {
		char *src = lk_strdupf("%s/%s", base, names[i]);
		char *dst = lk_strdupf("%s/case-%s", tmp_root, names[i]);
		rm_rf(dst);
		copy_case(src, dst, moddir, dst, true);
		apply_modes(src, dst);
		char *ep = lk_strdupf("%s/expected", src);
		char *exp_raw = slurp(ep);
		CU_ASSERT_PTR_NOT_NULL_FATAL(exp_raw);
		char *expect = subst(exp_raw, "@DIR@", dst);
		size_t el = strlen(expect);
		while (el && expect[el - 1] == '\n')
			expect[--el] = '\0';

		lk_status rc;
		lk_ctx *ctx = load(dst, &rc, NULL);
		if (rc == LK_OK)
			rc = lk_ctx_check(ctx, NULL);
		CU_ASSERT_NOT_EQUAL(rc, LK_OK);
		if (strcmp(lk_errmsg(ctx), expect) != 0)
			fprintf(stderr,
				"\n  case %s\n    got:  %s\n    want: %s\n",
				names[i], lk_errmsg(ctx), expect);
		CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), expect);
		ran++;
		lk_ctx_free(ctx);
		lk_free(ep);
		lk_free(exp_raw);
		lk_free(expect);
		lk_free(src);
		lk_free(dst);
		lk_free(names[i]);
	}
	/* Every case runs: the modules they use are all built. */
	printf("\n  bad-config: %zu cases run\n", ran);
	CU_ASSERT_EQUAL(ran, n);
	CU_ASSERT(ran >= 24);
	lk_free(base);
	lk_free(moddir);
}

/* ----------------------------------------------------------- registry */

static int suite_init(void)
{
	snprintf(tmp_root, sizeof tmp_root, "/tmp/lk-test-config-XXXXXX");
	return mkdtemp(tmp_root) ? 0 : -1;
}

static int suite_clean(void)
{
	rm_rf(tmp_root);
	return 0;
}

int lk_test_config_register(void);
int lk_test_config_register(void)
{
	CU_pSuite s = CU_add_suite("config", suite_init, suite_clean);
	if (!s)
		return -1;
	if (!CU_add_test(s, "good config: every value",
			 test_good_config_values) ||
	    !CU_add_test(s, "app defaults", test_app_defaults) ||
	    !CU_add_test(s, "latchkey.conf defaults", test_main_defaults) ||
	    !CU_add_test(s, "@include keeps its file name",
			 test_include_keeps_its_file_name) ||
	    !CU_add_test(s, "policy block recorded",
			 test_policy_block_recorded) ||
	    !CU_add_test(s, "every problem logged, first is the error",
			 test_every_problem_logged_first_is_error) ||
	    !CU_add_test(s, "missing config file", test_missing_config_file) ||
	    !CU_add_test(s, "block values, defaults, secrets",
			 test_block_values_defaults_and_secrets) ||
	    !CU_add_test(s, "block errors", test_block_errors) ||
	    !CU_add_test(s, "absent block", test_block_absent_and_no_keys) ||
	    !CU_add_test(s, "read_secret_file", test_read_secret_file) ||
	    !CU_add_test(s, "tests/data/bad-config cases",
			 test_bad_config_cases))
		return -1;
	return 0;
}

LK_CUNIT_MAIN(lk_test_config_register)
