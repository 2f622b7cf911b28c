/* SPDX-License-Identifier: MIT */
/* Connecting accounts: from fields, or through a redirect flow. A
 * connect whose test fails stores nothing. */
#include <string.h>

#include <openssl/evp.h>

#include "bind.h"
#include "conn.h"
#include "ctx.h"
#include "error.h"
#include "fields.h"
#include "log.h"
#include "store.h"
#include "testreq.h"

#define LK_FLOW_TTL 600 /* seconds a pending flow stays usable */

static lk_status app_for_connect(lk_app **out, lk_ctx *ctx, const char *owner,
				 const char *app_id)
{
	lk_app *app = lk_bind__find_app(ctx, app_id);
	lk_status rc = LK_OK;

	*out = NULL;
	if (!owner || !*owner)
		return lk_error__set(ctx, LK_EINVAL, "connect: no owner");
	if (!app)
		return lk_error__set(ctx, LK_ENOTFOUND, "no app \"%s\"",
				     app_id ? app_id : "");
	rc = lk_bind__app(ctx, app);
	if (rc != LK_OK)
		return rc;
	if (app->scheme_block.mod->scheme.flags & LK_SCHEME_NO_AUTH)
		return lk_error__set(ctx, LK_EDENIED,
				     "%s needs no authentication: there is "
				     "nothing to connect (call it with "
				     "`latchkey call --app %s`)",
				     app->id, app->id);
	*out = app;
	return LK_OK;
}

/* Copy the user's fields, checking them against the app's declaration:
 * every required one present, no unknown one, secrets flagged. */
static lk_status take_fields(lk_fields **out, lk_ctx *ctx, const lk_app *app,
			     const lk_fields *given)
{
	lk_fields *f = NULL;
	lk_status rc = lk_fields_new(&f);

	for (size_t i = 0; rc == LK_OK && i < lk_fields_count(given); i++) {
		const char *key = NULL;
		bool known = false;
		lk_fields_at(given, i, &key, NULL, NULL);
		for (size_t j = 0; j < app->nall_fields; j++)
			known = known || strcmp(app->all_fields[j].key, key) == 0;
		if (!known)
			rc = lk_error__set(ctx, LK_EINVAL,
					   "connect %s: unknown field \"%s\"",
					   app->id, key);
	}
	for (size_t j = 0; rc == LK_OK && j < app->nall_fields; j++) {
		const struct lk_app_field *d = &app->all_fields[j];
		const char *v = lk_fields_get(given, d->key);
		if (!v || !*v) {
			if (d->required)
				rc = lk_error__set(
					ctx, LK_EINVAL,
					"connect %s: missing required field %s",
					app->id, d->key);
			continue;
		}
		rc = lk_fields_set(f, d->key, v, d->secret);
	}
	if (rc != LK_OK) {
		lk_fields_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}

/* 32 random bytes, URL-safe base64 without padding (43 characters). */
static lk_status new_flow_id(char **out)
{
	return lk_random__id(out, 32);
}

/* Test, then store: the number is assigned only once the test passed. */
static lk_status finish_connect(lk_conn **out, lk_ctx *ctx, lk_app *app,
				const char *owner, lk_fields **fields)
{
	lk_conn *conn = NULL;
	lk_store *st = NULL;
	char *provisional = NULL;
	lk_status rc = lk_conn__new(&conn);

	if (rc != LK_OK)
		goto out;
	conn->owner = lk_strdup(owner);
	conn->app = lk_strdup(app->id);
	conn->scheme = lk_strdup(app->scheme);
	if (!conn->owner || !conn->app || !conn->scheme) {
		rc = LK_ENOMEM;
		goto out;
	}
	lk_fields_free(conn->fields); /* lk_conn__new's empty set */
	conn->fields = *fields;
	*fields = NULL;
	conn->created = conn->updated = lk_now();
	/* A provisional id keys in-memory scheme state during the test. */
	rc = new_flow_id(&conn->id);
	if (rc != LK_OK)
		goto out;
	conn->unsaved = true;
	rc = lk_testreq__run(&conn->test_data, ctx, app, conn);
	conn->unsaved = false;
	provisional = conn->id;
	conn->id = NULL;
	if (rc != LK_OK) {
		lk_error__prefix(ctx, "connect %s: nothing was stored",
				 app->id);
		goto out;
	}
	rc = lk_ctx__store(&st, ctx);
	if (rc == LK_OK)
		rc = lk_store__create(st, conn);
	if (rc != LK_OK)
		goto out;
	rc = lk_conn__relabel(ctx, app, conn);
	if (rc == LK_OK)
		rc = lk_store__save(st, conn);
	if (rc != LK_OK) {
		lk_store__remove(st, owner, conn->id);
		goto out;
	}
	lk_log__msg(ctx, LK_LOG_INFO, "connected %s (%s)", conn->label,
		    conn->id);
	/* The state the test built (a Digest nonce...) serves the stored
	 * connection: its first call needs no new challenge. */
	lk_bind__state_rekey(ctx, provisional, conn->id);
out:
	if (provisional)
		lk_bind__state_drop(ctx, provisional);
	lk_free(provisional);
	if (rc != LK_OK) {
		lk_conn_free(conn);
		conn = NULL;
	}
	*out = conn;
	return rc;
}

lk_status lk_connect(lk_conn **out, lk_ctx *ctx, const char *owner,
		     const char *app_id, const lk_fields *given)
{
	lk_app *app = NULL;
	lk_fields *fields = NULL;
	lk_status rc = app_for_connect(&app, ctx, owner, app_id);

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	const struct lk_scheme_ops *ops = &app->scheme_block.mod->scheme;
	if (ops->flags & LK_SCHEME_REDIRECT_FLOW)
		return lk_error__set(ctx, LK_EDENIED,
				     "%s connects through the provider's "
				     "authorization page: use connect --begin "
				     "or connect in a terminal",
				     app->id);
	rc = take_fields(&fields, ctx, app, given);
	if (rc != LK_OK)
		goto out;
	lk_log__scope_push(fields);
	if (ops->connect_fields) {
		lk_call call;
		lk_bind__scheme_call(&call, ctx, app, NULL, fields);
		rc = ops->connect_fields(&call, fields);
	}
	if (rc == LK_OK)
		rc = finish_connect(out, ctx, app, owner, &fields);
	lk_log__scope_pop();
out:
	lk_fields_free(fields);
	return rc;
}

lk_status lk_connect_begin(char **out_flow, char **out_url, lk_ctx *ctx,
			   const char *owner, const char *app_id,
			   const lk_fields *given, const char *redirect_uri)
{
	lk_app *app = NULL;
	struct lk_flow *flow = NULL;
	lk_store *st = NULL;
	char *url = NULL;
	lk_status rc = app_for_connect(&app, ctx, owner, app_id);

	*out_flow = NULL;
	*out_url = NULL;
	if (rc != LK_OK)
		return rc;
	const struct lk_scheme_ops *ops = &app->scheme_block.mod->scheme;
	if (!ops->connect_begin)
		return lk_error__set(ctx, LK_EDENIED,
				     "%s connects with fields, not through a "
				     "redirect: use connect -f KEY=VALUE",
				     app->id);
	flow = lk_calloc(1, sizeof(*flow));
	if (!flow)
		return LK_ENOMEM;
	rc = new_flow_id(&flow->id);
	if (rc == LK_OK)
		rc = lk_fields_new(&flow->values);
	if (rc == LK_OK)
		rc = take_fields(&flow->fields, ctx, app, given);
	if (rc != LK_OK)
		goto out;
	flow->owner = lk_strdup(owner);
	flow->app = lk_strdup(app->id);
	flow->expires = lk_now() + LK_FLOW_TTL;
	if (!flow->owner || !flow->app) {
		rc = LK_ENOMEM;
		goto out;
	}
	lk_call call;
	lk_bind__scheme_call(&call, ctx, app, NULL, flow->fields);
	rc = ops->connect_begin(&url, &call, flow, redirect_uri);
	if (rc == LK_OK)
		rc = lk_ctx__store(&st, ctx);
	if (rc == LK_OK)
		rc = lk_store__flow_put(st, flow);
	if (rc != LK_OK)
		goto out;
	*out_flow = flow->id;
	flow->id = NULL;
	*out_url = url;
	url = NULL;
out:
	lk_free(url);
	lk_flow__free(flow);
	return rc;
}

lk_status lk_connect_finish(lk_conn **out, lk_ctx *ctx, const char *owner,
			    const char *flow_id, const char *callback_url)
{
	struct lk_flow *flow = NULL;
	lk_store *st = NULL;
	lk_app *app = NULL;
	lk_fields *fields = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	*out = NULL;
	if (rc == LK_OK && (!flow_id || !lk_store__id_ok(flow_id)))
		rc = lk_error__set(ctx, LK_ESTATE,
				   "connect: no pending flow with that id");
	/* Taking the flow consumes it: a callback is usable once. */
	if (rc == LK_OK)
		rc = lk_store__flow_take(&flow, st, owner, flow_id);
	if (rc == LK_OK)
		rc = app_for_connect(&app, ctx, owner, flow->app);
	if (rc != LK_OK)
		goto out;
	rc = lk_fields__dup(&fields, flow->fields);
	if (rc != LK_OK)
		goto out;
	lk_call call;
	lk_bind__scheme_call(&call, ctx, app, NULL, fields);
	lk_log__scope_push(flow->values);
	rc = app->scheme_block.mod->scheme.connect_finish(&call, flow,
							   callback_url,
							   fields);
	lk_log__scope_pop();
	if (rc == LK_OK) {
		lk_log__scope_push(fields);
		rc = finish_connect(out, ctx, app, owner, &fields);
		lk_log__scope_pop();
	}
out:
	lk_fields_free(fields);
	lk_flow__free(flow);
	return rc;
}
