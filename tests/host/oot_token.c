/* SPDX-License-Identifier: MIT */
/*
 * oot_token.so: a third party's scheme, built out of tree by
 * tests/host/out_of_tree.sh against the INSTALLED headers only
 * (cc $(pkg-config --cflags latchkey)); it uses nothing but
 * <latchkey/module.h>. It asks for a token and sends it as the header
 * its app names in `oot_token = { header = "..."; }`.
 */
#include <latchkey/module.h>

static lk_scheme_authorize_fn oot_authorize;

static const struct lk_config_key oot_keys[] = {
    {"header", LK_KEY_STRING, false, "X-Api-Key", NULL},
    {NULL, 0, false, NULL, NULL},
};

static const struct lk_field_decl oot_fields[] = {
    {"token", "Token", true, true},
    {NULL, NULL, false, false},
};

static lk_status oot_authorize(lk_call *call, lk_request *req)
{
	const char *token = lk_call_field(call, "token");

	if (!token)
		return lk_call_error(call, LK_EAUTH, "oot_token: no token");
	return lk_request_set_header(req, lk_call_setting(call, "header"),
				     token);
}

static const struct lk_scheme_ops oot_scheme = {
    LK_OPS_HEADER(struct lk_scheme_ops),
    .config_keys = oot_keys,
    .fields = oot_fields,
    .authorize = oot_authorize,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("oot_token", "2.5"),
    .scheme = &oot_scheme,
};
