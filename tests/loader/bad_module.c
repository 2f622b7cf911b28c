/* SPDX-License-Identifier: MIT */
/* Deliberately broken modules for test_loader, one per -D flag. */
#include <stddef.h>
#include <latchkey/module.h>

#ifndef BAD_NAME
#define BAD_NAME "bad"
#endif

/* unused in the variants that leave it out of their table */
__attribute__((unused)) static lk_status bad_authorize(lk_call *call,
						       lk_request *req)
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

#ifdef BAD_BEGIN
static lk_status bad_begin(char **out_url, lk_call *call, lk_flow *flow,
			   const char *redirect_uri)
{
	(void)call;
	(void)flow;
	(void)redirect_uri;
	*out_url = NULL;
	return LK_OK;
}
#endif

#ifdef BAD_STATE
static lk_status bad_state_new(void **out, lk_call *call)
{
	(void)call;
	*out = NULL;
	return LK_OK;
}
#endif

#ifdef BAD_UNDEF
/* Defined nowhere: the dynamic linker cannot resolve the table that
 * points at it, so dlopen itself fails. */
extern const struct lk_hooks_ops lk_no_such_table;
#endif

#if defined(BAD_NEWER)
/* A module built against a newer minor: a bigger struct, appended
 * fields the core does not know. */
struct lk_module_newer {
	struct lk_module base;
	void *appended[4];
};
#endif

#ifndef BAD_NOSYM
__attribute__((unused)) static const struct lk_scheme_ops bad_scheme = {
#ifdef BAD_SCHEME_SMALL
    .size = 8,
#elif defined(BAD_OLDER)
    /* Built against ABI 1.0: its table ends before redirect_key, and
     * what lies past its size must never be read. */
    .size = offsetof(struct lk_scheme_ops, redirect_key),
    .redirect_key = "past the table's size",
#else
    LK_OPS_HEADER(struct lk_scheme_ops),
#endif
#ifndef BAD_NOAUTH
    .authorize = bad_authorize,
#endif
#ifdef BAD_BEGIN
    .connect_begin = bad_begin,
#endif
#ifdef BAD_STATE
    .state_new = bad_state_new,
#endif
};

#ifdef BAD_REFRESH
static const struct lk_refresh_ops bad_refresh = {
    LK_OPS_HEADER(struct lk_refresh_ops),
};
#endif

#ifdef BAD_NEWER
LK_MODULE_EXPORT const struct lk_module_newer latchkey_module = {
    .base =
	{
	    .abi = LK_ABI(1, 7),
	    .size = sizeof(struct lk_module_newer),
	    .name = BAD_NAME,
	    .version = "9.9",
	    .scheme = &bad_scheme,
	},
};
#else

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER(BAD_NAME, "0.1"),
#ifdef BAD_ABI2
    .abi = LK_ABI(2, 0),
#endif
#ifdef BAD_OLDER
    .abi = LK_ABI(1, 0),
#endif
#ifdef BAD_SMALL
    .size = 16,
#endif
#ifdef BAD_INIT
    .init = bad_init,
#endif
#if defined(BAD_NOKIND)
    .scheme = NULL,
#elif defined(BAD_REFRESH)
    .refresh = &bad_refresh,
#elif defined(BAD_UNDEF)
    .hooks = &lk_no_such_table,
#else
    .scheme = &bad_scheme,
#endif
};
#endif /* BAD_NEWER */
#else
LK_MODULE_EXPORT const struct lk_module *latchkey_other_symbol;
LK_MODULE_EXPORT lk_scheme_authorize_fn *bad_keep = bad_authorize;
#endif
