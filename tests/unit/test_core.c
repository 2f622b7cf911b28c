/* SPDX-License-Identifier: MIT */
/* The core's small pieces: status table, fields, redaction of logs and
 * errors, per-thread errors, constant-time compare, entropy hooks. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <cjson/cJSON.h>

#include "cunit_main.h"
#include "error.h"
#include "fields.h"
#include "log.h"

static void test_exit_codes(void)
{
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_OK), 0);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EAUTH), 1);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EHTTP), 1);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EPROTO), 1);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_ECONFIG), 2);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EINVAL), 2);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_ENOTFOUND), 2);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EMODULE), 2);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_ESTORE), 2);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_ENET), 3);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_ETIMEOUT), 3);
	CU_ASSERT_EQUAL(lk_status_exit_code(LK_EEXPIRED), 4);
	CU_ASSERT_STRING_EQUAL(lk_status_name(LK_EEXPIRED), "EEXPIRED");
	CU_ASSERT_STRING_EQUAL(lk_status_name(LK_OK), "OK");
	/* an unknown code still gets a name and a message, never NULL */
	CU_ASSERT_PTR_NOT_NULL(lk_status_name((lk_status)9999));
	CU_ASSERT_PTR_NOT_NULL(lk_strerror((lk_status)9999));
}

static void test_fields(void)
{
	lk_fields *f = NULL;
	const char *k, *v;
	bool secret;

	CU_ASSERT_EQUAL_FATAL(lk_fields_new(&f), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_set(f, "username", "alice", false), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_set(f, "password", "wonderland", true), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_set(f, "username", "bob", false), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_count(f), 2);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(f, "username"), "bob");
	CU_ASSERT_TRUE(lk_fields_is_secret(f, "password"));
	CU_ASSERT_FALSE(lk_fields_is_secret(f, "username"));
	CU_ASSERT_PTR_NULL(lk_fields_get(f, "missing"));
	/* insertion order is kept; a replaced key keeps its place */
	CU_ASSERT_EQUAL(lk_fields_at(f, 0, &k, &v, &secret), LK_OK);
	CU_ASSERT_STRING_EQUAL(k, "username");
	CU_ASSERT_EQUAL(lk_fields_at(f, 1, &k, &v, &secret), LK_OK);
	CU_ASSERT_STRING_EQUAL(k, "password");
	CU_ASSERT_TRUE(secret);
	CU_ASSERT_NOT_EQUAL(lk_fields_at(f, 2, &k, &v, &secret), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_set(f, NULL, "x", false), LK_EINVAL);

	/* JSON keeps the secret flags */
	cJSON *j = NULL;
	lk_fields *back = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_fields__to_json(&j, f), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_fields__from_json(&back, j), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(back, "password"), "wonderland");
	CU_ASSERT_TRUE(lk_fields_is_secret(back, "password"));
	CU_ASSERT_FALSE(lk_fields_is_secret(back, "username"));
	cJSON_Delete(j);
	lk_fields_free(back);

	CU_ASSERT_EQUAL(lk_fields_remove(f, "password"), LK_OK);
	CU_ASSERT_EQUAL(lk_fields_count(f), 1);
	CU_ASSERT_EQUAL(lk_fields_remove(f, "password"), LK_ENOTFOUND);
	lk_fields_free(f);
}

static char logged[4096];
static void capture(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	(void)level;
	size_t used = strlen(logged);
	snprintf(logged + used, sizeof logged - used, "%s\n", msg);
}

static void test_log_redaction(void)
{
	lk_ctx *ctx = NULL;
	lk_fields *f = NULL;

	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	lk_ctx_set_log(ctx, capture, NULL, LK_LOG_DEBUG);
	lk_log__redact_add(ctx, "client-s3cret");
	lk_fields_new(&f);
	lk_fields_set(f, "password", "p@ss word&x", true);
	lk_fields_set(f, "username", "alice", false);

	logged[0] = '\0';
	lk_log__scope_push(f);
	lk_log__msg(ctx, LK_LOG_DEBUG, "raw=%s url=%s form=%s cs=%s user=%s",
		    "p@ss word&x", "p%40ss%20word%26x", "p%40ss+word%26x",
		    "client-s3cret", "alice");
	CU_ASSERT_STRING_EQUAL(logged,
			       "raw=[REDACTED] url=[REDACTED] form=[REDACTED] "
			       "cs=[REDACTED] user=alice\n");
	lk_log__scope_pop();

	/* after the call's scope ends, its secrets are no longer known */
	logged[0] = '\0';
	lk_log__msg(ctx, LK_LOG_INFO, "x=%s", "p@ss word&x");
	CU_ASSERT_STRING_EQUAL(logged, "x=p@ss word&x\n");

	/* one secret the prefix of another, registered shortest first: the
	 * longer is still hidden whole (a PLAINTEXT signature "cs&ts" holds
	 * the consumer secret "cs") */
	lk_log__redact_add(ctx, "client-s3cret&token-s3cret");
	logged[0] = '\0';
	lk_log__msg(ctx, LK_LOG_INFO, "sig=%s", "client-s3cret&token-s3cret");
	CU_ASSERT_STRING_EQUAL(logged, "sig=[REDACTED]\n");

	/* level filter */
	logged[0] = '\0';
	lk_ctx_set_log(ctx, capture, NULL, LK_LOG_WARN);
	lk_log__msg(ctx, LK_LOG_INFO, "hidden");
	CU_ASSERT_STRING_EQUAL(logged, "");

	/* errors are scrubbed the same way */
	lk_error__set(ctx, LK_EAUTH, "refused with %s", "client-s3cret");
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "refused with [REDACTED]");
	lk_error__prefix(ctx, "app x");
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "app x: refused with [REDACTED]");

	lk_fields_free(f);
	lk_ctx_free(ctx);
}

static void *other_thread(void *arg)
{
	lk_ctx *ctx = arg;
	/* a fresh thread sees no error of another thread */
	int clean = strcmp(lk_errmsg(ctx), "") == 0;
	lk_error__set(ctx, LK_ENET, "thread two");
	clean = clean && strcmp(lk_errmsg(ctx), "thread two") == 0;
	return clean ? arg : NULL;
}

static void test_error_per_thread(void)
{
	lk_ctx *ctx = NULL;
	pthread_t t;
	void *res = NULL;

	CU_ASSERT_EQUAL_FATAL(lk_ctx_new(&ctx), LK_OK);
	CU_ASSERT_EQUAL(lk_error__set(ctx, LK_EAUTH, "thread one"), LK_EAUTH);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&t, NULL, other_thread, ctx), 0);
	pthread_join(t, &res);
	CU_ASSERT_PTR_EQUAL(res, ctx);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "thread one");
	lk_ctx_free(ctx);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(NULL), "");
}

static lk_status fixed_bytes(void *buf, size_t len)
{
	memset(buf, 0xab, len);
	return LK_OK;
}
static int64_t fixed_now(void)
{
	return 1700000000;
}

static void test_entropy_and_compare(void)
{
	unsigned char a[16], b[16];

	CU_ASSERT_EQUAL(lk_random_bytes(a, sizeof a), LK_OK);
	CU_ASSERT_EQUAL(lk_random_bytes(b, sizeof b), LK_OK);
	CU_ASSERT_FALSE(lk_secure_equal(a, b, sizeof a));
	CU_ASSERT_TRUE(lk_secure_equal(a, a, sizeof a));
	lk_test_set_entropy(fixed_bytes, fixed_now);
	CU_ASSERT_EQUAL(lk_random_bytes(a, sizeof a), LK_OK);
	CU_ASSERT_EQUAL(a[0], 0xab);
	CU_ASSERT_EQUAL(a[15], 0xab);
	CU_ASSERT_EQUAL(lk_now(), 1700000000);
	lk_test_set_entropy(NULL, NULL);
	CU_ASSERT_NOT_EQUAL(lk_now(), 1700000000);
}

static int register_core(void)
{
	CU_pSuite s = CU_add_suite("core", NULL, NULL);
	if (!s)
		return -1;
	CU_add_test(s, "status exit codes and names", test_exit_codes);
	CU_add_test(s, "fields", test_fields);
	CU_add_test(s, "log and error redaction", test_log_redaction);
	CU_add_test(s, "errors are per thread", test_error_per_thread);
	CU_add_test(s, "entropy hooks and compare", test_entropy_and_compare);
	return 0;
}

LK_CUNIT_MAIN(register_core)
