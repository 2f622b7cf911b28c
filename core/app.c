/* SPDX-License-Identifier: MIT */
/* The host API's view of apps: lookup, fields, kinds. */
#include <string.h>

#include "bind.h"
#include "error.h"

size_t lk_app_count(const lk_ctx *ctx)
{
	return ctx ? ctx->napps : 0;
}

const lk_app *lk_app_at(const lk_ctx *ctx, size_t i)
{
	return ctx && i < ctx->napps ? ctx->apps[i] : NULL;
}

lk_app *lk_bind__find_app(lk_ctx *ctx, const char *id)
{
	size_t lo = 0, hi = ctx ? ctx->napps : 0;

	while (id && lo < hi) { /* apps are sorted by id */
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, ctx->apps[mid]->id);
		if (c == 0)
			return ctx->apps[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

lk_status lk_app_find(const lk_app **out, lk_ctx *ctx, const char *id)
{
	*out = lk_bind__find_app(ctx, id);
	if (!*out)
		return lk_error__set(ctx, LK_ENOTFOUND, "no app \"%s\"",
				     id ? id : "");
	return LK_OK;
}

const char *lk_app_id(const lk_app *app)
{
	return app->id;
}

const char *lk_app_title(const lk_app *app)
{
	return app->title;
}

const char *lk_app_scheme(const lk_app *app)
{
	return app->scheme;
}

/* A broken app answers as one that needs auth: nothing goes out bare. */
bool lk_app_needs_auth(lk_ctx *ctx, const lk_app *app)
{
	lk_app *a = (lk_app *)app;
	if (lk_bind__app(ctx, a) != LK_OK)
		return true;
	return !(a->scheme_block.mod->scheme.flags & LK_SCHEME_NO_AUTH);
}

bool lk_app_is_redirect_flow(lk_ctx *ctx, const lk_app *app)
{
	lk_app *a = (lk_app *)app;
	if (lk_bind__app(ctx, a) != LK_OK)
		return false;
	return a->scheme_block.mod->scheme.flags & LK_SCHEME_REDIRECT_FLOW;
}

const char *lk_app_redirect_uri(lk_ctx *ctx, const lk_app *app)
{
	lk_app *a = (lk_app *)app;
	if (lk_bind__app(ctx, a) != LK_OK)
		return NULL;
	const char *key = a->scheme_block.mod->scheme.redirect_key;
	const char *v = key ? lk_fields_get(a->scheme_block.values, key) : NULL;
	return v && *v ? v : NULL;
}

size_t lk_app_field_count(lk_ctx *ctx, const lk_app *app)
{
	lk_app *a = (lk_app *)app;
	if (lk_bind__app(ctx, a) != LK_OK)
		return 0;
	return a->nall_fields;
}

lk_status lk_app_field_at(lk_ctx *ctx, const lk_app *app, size_t i,
			  const char **key, const char **label, bool *required,
			  bool *secret)
{
	lk_app *a = (lk_app *)app;
	lk_status rc = lk_bind__app(ctx, a);
	if (rc != LK_OK)
		return rc;
	if (i >= a->nall_fields)
		return LK_EINVAL;
	const struct lk_app_field *f = &a->all_fields[i];
	if (key)
		*key = f->key;
	if (label)
		*label = f->label;
	if (required)
		*required = f->required;
	if (secret)
		*secret = f->secret;
	return LK_OK;
}
