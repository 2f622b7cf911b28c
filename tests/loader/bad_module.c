/* SPDX-License-Identifier: MIT */
/* Deliberately broken modules for test_loader, one per -D flag. */
#include <latchkey/module.h>

#ifndef BAD_NAME
#define BAD_NAME "bad"
#endif

static lk_status bad_authorize(lk_call *call, lk_request *req)
{
	(void)call;
	(void)req;
	return LK_OK;
}

#ifdef BAD_INIT
static lk_status bad_init(const struct lk_module_env *env, void **modctx)
{
	(void)env;
	(void)modctx;
	return LK_ECONFIG;
}
#endif

#ifndef BAD_NOSYM
static const struct lk_scheme_ops bad_scheme = {
#ifdef BAD_SCHEME_SMALL
	.size = 8,
#else
	LK_OPS_HEADER(struct lk_scheme_ops),
#endif
	.authorize = bad_authorize,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
	LK_MODULE_HEADER(BAD_NAME, "0.1"),
#ifdef BAD_ABI2
	.abi = LK_ABI(2, 0),
#endif
#ifdef BAD_SMALL
	.size = 16,
#endif
#ifdef BAD_INIT
	.init = bad_init,
#endif
	.scheme = &bad_scheme,
};
#else
LK_MODULE_EXPORT const struct lk_module *latchkey_other_symbol;
LK_MODULE_EXPORT lk_scheme_authorize_fn *bad_keep = bad_authorize;
#endif
