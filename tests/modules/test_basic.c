/* SPDX-License-Identifier: MIT */
/* basic.so known answers (RFC 7617), driven through the loader. */
#include <string.h>

#include "cunit_main.h"

#include "core.h"
#include "loader.h"

static lk_ctx *ctx;
static struct lk_module_rt *rt;

static int setup(void)
{
	if (lk_ctx_new(&ctx) != LK_OK)
		return 1;
	return lk_loader__open(&rt, ctx, "modules/basic/.libs", "basic") ==
			       LK_OK
		       ? 0
		       : 1;
}

static int teardown(void)
{
	lk_loader__close(rt);
	lk_ctx_free(ctx);
	return 0;
}

/* Authorize a request with @p user / @p pass; the Authorization header
 * (copied) or NULL, and the status. */
static lk_status authorize(char **hdr, const char *user, const char *pass)
{
	struct lk_app app = {.id = "example_basic"};
	struct lk_call call = {.ctx = ctx, .app = &app};
	lk_request *req = NULL;
	lk_status rc;

	*hdr = NULL;
	CU_ASSERT_FATAL(lk_fields_new(&call.fields) == LK_OK);
	lk_fields_set(call.fields, "username", user, false);
	lk_fields_set(call.fields, "password", pass, true);
	CU_ASSERT_FATAL(lk_request_new(&req, "GET",
				       "https://api.example.com/") == LK_OK);
	rc = rt->scheme.authorize(&call, req);
	if (lk_request_header(req, "Authorization"))
		*hdr = lk_strdup(lk_request_header(req, "Authorization"));
	lk_request_free(req);
	lk_fields_free(call.fields);
	return rc;
}

static void test_kat(void)
{
	char *h;

	CU_ASSERT_EQUAL(authorize(&h, "alice", "wonderland"), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic YWxpY2U6d29uZGVybGFuZA==");
	lk_free(h);
	CU_ASSERT_EQUAL(authorize(&h, "test", "123\xc2\xa3"), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic dGVzdDoxMjPCow==");
	lk_free(h);
	/* an empty password is allowed: "bob:" */
	CU_ASSERT_EQUAL(authorize(&h, "bob", ""), LK_OK);
	CU_ASSERT_STRING_EQUAL(h, "Basic Ym9iOg==");
	lk_free(h);
}

static void test_colon_refused(void)
{
	char *h;

	CU_ASSERT_EQUAL(authorize(&h, "al:ice", "pw"), LK_EINVAL);
	CU_ASSERT_PTR_NULL(h);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "basic: the username must not contain ':' "
			       "(RFC 7617)");
	lk_free(h);
}

static void test_declares_fields(void)
{
	const struct lk_field_decl *f = rt->scheme.fields;

	CU_ASSERT_STRING_EQUAL(f[0].key, "username");
	CU_ASSERT(!f[0].secret);
	CU_ASSERT_STRING_EQUAL(f[1].key, "password");
	CU_ASSERT(f[1].secret);
	CU_ASSERT_PTR_NULL(f[2].key);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("basic", setup, teardown);
	return !s || !CU_add_test(s, "known answers", test_kat) ||
	       !CU_add_test(s, "':' in username", test_colon_refused) ||
	       !CU_add_test(s, "fields", test_declares_fields);
}

LK_CUNIT_MAIN(reg)
