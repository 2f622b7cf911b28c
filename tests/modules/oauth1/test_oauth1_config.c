/* SPDX-License-Identifier: MIT */
/* oauth1.so's configuration: the module loads (one exported symbol, ABI,
 * kinds) and `check-config` refuses bad oauth1 blocks with a
 * file:line-style message naming the key (lk_ctx_check). */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <latchkey/latchkey.h>

#include "cunit_main.h"

static char tdir[256];

static void write_file(const char *name, const char *text, mode_t mode)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	chmod(path, mode);
}

static int setup(void)
{
	const char *top = getenv("top_builddir");
	char text[1024];

	snprintf(tdir, sizeof(tdir), "/tmp/lk-oauth1c-XXXXXX");
	if (!mkdtemp(tdir))
		return 1;
	snprintf(text, sizeof(text), "%s/apps", tdir);
	mkdir(text, 0755);
	snprintf(
	    text, sizeof(text),
	    "module_path = \"%s/tests/moddir\";\n"
	    "apps_dir = \"apps\";\n"
	    "store = { path = \"%s/store\"; key_file = \"%s/master.key\"; };\n",
	    top ? top : ".", tdir, tdir);
	write_file("latchkey.conf", text, 0644);
	write_file("not-a-key.pem", "hello\n", 0600);
	write_file("readable.pem", "hello\n", 0644);
	return 0;
}

static int rm_entry(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int teardown(void)
{
	if (tdir[0])
		nftw(tdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* Write apps/a.conf with @p block inside oauth1 = { ... }, load and
 * check; the status and the message (copied, or NULL when OK). */
static lk_status check(char **msg, const char *block)
{
	char text[2048], conf[300];
	lk_ctx *ctx = NULL;
	lk_status rc;

	snprintf(text, sizeof(text),
		 "app = {\n"
		 "  id = \"a\"; title = \"A\"; scheme = \"oauth1\";\n"
		 "  oauth1 = {\n%s\n  };\n"
		 "  base_urls = [ \"https://api.example.com/\" ];\n"
		 "};\n",
		 block);
	write_file("apps/a.conf", text, 0644);
	snprintf(conf, sizeof(conf), "%s/latchkey.conf", tdir);
	*msg = NULL;
	if (lk_ctx_new(&ctx) != LK_OK)
		return LK_ENOMEM;
	rc = lk_ctx_load(ctx, conf);
	if (rc == LK_OK)
		rc = lk_ctx_check(ctx, NULL);
	if (rc != LK_OK)
		*msg = strdup(lk_errmsg(ctx));
	lk_ctx_free(ctx);
	return rc;
}

#define URLS                                                                   \
	"request_token_url = \"https://api.example.com/rt\";\n"                \
	"authorize_url = \"https://api.example.com/auth\";\n"                  \
	"access_token_url = \"https://api.example.com/at\";\n"                 \
	"consumer_key = \"ck\";\n"

static void expect_refused(const char *block, const char *want)
{
	char *msg = NULL;
	lk_status rc = check(&msg, block);

	CU_ASSERT_NOT_EQUAL(rc, LK_OK);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, want));
	if (!strstr(msg, want))
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", msg, want);
	/* The message names where: the app's file. */
	CU_ASSERT_PTR_NOT_NULL(strstr(msg, "apps/a.conf"));
	free(msg);
}

static void test_module_loads(void)
{
	lk_ctx *ctx = NULL;
	lk_module_info *infos = NULL;
	size_t n = 0;
	char conf[300];
	bool found = false;

	snprintf(conf, sizeof(conf), "%s/latchkey.conf", tdir);
	snprintf(conf, sizeof(conf), "%s/apps/a.conf", tdir);
	unlink(conf);
	snprintf(conf, sizeof(conf), "%s/latchkey.conf", tdir);
	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_ctx_load(ctx, conf), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_modules_list(&infos, &n, ctx), LK_OK);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(infos[i].name, "oauth1") != 0)
			continue;
		found = true;
		CU_ASSERT_PTR_NULL(infos[i].error);
		CU_ASSERT_STRING_EQUAL(infos[i].version, "1.0");
		CU_ASSERT_EQUAL(infos[i].abi_major, 1);
		CU_ASSERT(infos[i].scheme);
		CU_ASSERT(!infos[i].refresh);
		CU_ASSERT(!infos[i].hooks);
	}
	CU_ASSERT(found);
	lk_module_info_free(infos, n);
	lk_ctx_free(ctx);
}

static void test_valid_blocks(void)
{
	char *msg = NULL;

	CU_ASSERT_EQUAL(check(&msg, URLS "consumer_secret = \"s3cr3t-value\";"),
			LK_OK);
	free(msg);
	CU_ASSERT_EQUAL(check(&msg, URLS "consumer_secret = \"s3cr3t-value\"; "
					 "signature_method = \"HMAC-SHA256\"; "
					 "placement = \"body\"; realm = "
					 "\"Photos\"; body_hash = true; "
					 "send_version = false; extra_fields "
					 "= [ \"user_id\" ];"),
			LK_OK);
	if (msg)
		fprintf(stderr, "\n  %s\n", msg);
	free(msg);
}

static void test_bad_blocks(void)
{
	expect_refused(URLS, "oauth1.consumer_secret: is required (or "
			     "consumer_secret_file) for this "
			     "signature_method");
	expect_refused(URLS "signature_method = \"RSA-SHA1\";",
		       "oauth1.private_key_file: is required for RSA-SHA1");
	expect_refused(URLS "signature_method = \"RSA-SHA1\"; "
			    "private_key_file = \"../not-a-key.pem\";",
		       "oauth1.private_key_file: not a PEM private key");
	expect_refused(
	    URLS "consumer_secret = \"s3cr3t-value\"; realm = \"a\\\"b\";",
	    "oauth1.realm: must not hold");
	expect_refused(URLS "consumer_secret = \"s3cr3t-value\"; "
			    "signature_method = \"HMAC-MD5\";",
		       "HMAC-MD5");
	expect_refused(
	    URLS "consumer_secret = \"s3cr3t-value\"; placement = \"cookie\";",
	    "cookie");
	expect_refused(URLS "signature_method = \"RSA-SHA1\"; "
			    "private_key_file = \"../readable.pem\";",
		       "readable.pem");
	expect_refused(
	    "authorize_url = \"https://api.example.com/a\";\n"
	    "access_token_url = \"https://api.example.com/at\";\n"
	    "consumer_key = \"ck\"; consumer_secret = \"s3cr3t-value\";",
	    "request_token_url");
	expect_refused(URLS
		       "consumer_secret = \"s3cr3t-value\"; colour = \"red\";",
		       "colour");
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("oauth1 config", setup, teardown);
	return !s || !CU_add_test(s, "module loads", test_module_loads) ||
	       !CU_add_test(s, "valid blocks", test_valid_blocks) ||
	       !CU_add_test(s, "bad blocks", test_bad_blocks);
}

LK_CUNIT_MAIN(reg)
