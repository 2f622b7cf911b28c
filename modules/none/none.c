/* SPDX-License-Identifier: MIT */
/* none.so: the scheme of apps that need no authentication. */
#include <latchkey/module.h>

static lk_scheme_authorize_fn none_authorize;

/* Nothing to add: the request goes out as the host wrote it. */
static lk_status none_authorize(lk_call *call, lk_request *req)
{
	(void)call;
	(void)req;
	return LK_OK;
}

static const struct lk_scheme_ops none_scheme = {
	LK_OPS_HEADER(struct lk_scheme_ops),
	.flags = LK_SCHEME_NO_AUTH,
	.authorize = none_authorize,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
	LK_MODULE_HEADER("none", "1.0"),
	.scheme = &none_scheme,
};
