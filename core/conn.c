/* SPDX-License-Identifier: MIT */
/* Connections for the host: accessors, labels, listing, test, remove. */
#include <stdio.h>
#include <string.h>

#include "bind.h"
#include "conn.h"
#include "ctx.h"
#include "error.h"
#include "log.h"
#include "perform.h"
#include "store.h"
#include "template.h"
#include "testreq.h"

const char *lk_conn_id(const lk_conn *conn)
{
	return conn->id;
}

const char *lk_conn_owner(const lk_conn *conn)
{
	return conn->owner;
}

const char *lk_conn_app(const lk_conn *conn)
{
	return conn->app;
}

const char *lk_conn_scheme(const lk_conn *conn)
{
	return conn->scheme;
}

unsigned lk_conn_number(const lk_conn *conn)
{
	return conn->number;
}

const char *lk_conn_label(const lk_conn *conn)
{
	return conn->label ? conn->label : conn->app;
}

const char *lk_conn_status(const lk_conn *conn)
{
	return conn->expired ? "expired" : "active";
}

bool lk_conn_is_expired(const lk_conn *conn)
{
	return conn->expired;
}

int64_t lk_conn_created(const lk_conn *conn)
{
	return conn->created;
}

int64_t lk_conn_updated(const lk_conn *conn)
{
	return conn->updated;
}

const lk_fields *lk_conn_fields(const lk_conn *conn)
{
	return conn->fields;
}

const char *lk_conn_test_data(const lk_conn *conn)
{
	return conn->test_data;
}

/* The label suffix from the first hooks module that computes one. */
static lk_status hook_label(char **out, lk_ctx *ctx, const lk_app *app,
			    lk_conn *conn)
{
	*out = NULL;
	for (size_t i = 0; i < app->nhook_blocks; i++) {
		const struct lk_hooks_ops *h = &app->hook_blocks[i].mod->hooks;
		if (!h->label)
			continue;
		lk_call call = {.ctx = ctx,
				.app = app,
				.block = &app->hook_blocks[i],
				.conn = conn};
		lk_status rc = h->label(out, &call);
		if (rc != LK_OK || *out)
			return rc;
	}
	return LK_OK;
}

lk_status lk_conn__relabel(lk_ctx *ctx, const lk_app *app, lk_conn *conn)
{
	char *suffix = NULL;
	char *label = NULL;
	lk_status rc = hook_label(&suffix, ctx, app, conn);

	if (rc != LK_OK)
		return rc;
	if (!suffix && app->label_tmpl) {
		struct lk_tmpl_scope scope = {.fields = conn->fields,
					      .test_data = conn->test_data};
		rc = lk_template__render(&suffix, ctx, app->label_tmpl,
					 LK_RENDER_TEXT, &scope, app->id);
		if (rc != LK_OK) {
			/* A label is a convenience: say why, keep the rest. */
			lk_log__msg(ctx, LK_LOG_WARN, "%s: label: %s",
				    app->id, lk_errmsg(ctx));
			suffix = NULL;
			rc = LK_OK;
		}
	}
	char num[16] = "";
	if (conn->number >= 2)
		snprintf(num, sizeof num, " #%u", conn->number);
	label = lk_strdupf("%s%s%s%s", app->title, num,
			   suffix && *suffix ? " " : "", suffix ? suffix : "");
	lk_free(suffix);
	if (!label)
		return LK_ENOMEM;
	lk_free(conn->label);
	conn->label = label;
	return LK_OK;
}

lk_status lk_conn_open(lk_conn **out, lk_ctx *ctx, const char *owner,
		       const char *id)
{
	lk_store *st = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	if (!owner || !id)
		return lk_error__set(ctx, LK_EINVAL, "owner and id required");
	return lk_store__load(out, st, owner, id);
}

lk_status lk_conn_list_new(lk_conn_list **out, lk_ctx *ctx, const char *owner,
			   const char *app_id)
{
	lk_store *st = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	if (app_id && !lk_bind__find_app(ctx, app_id))
		return lk_error__set(ctx, LK_ENOTFOUND, "no app \"%s\"",
				     app_id);
	return lk_store__list(out, st, owner, app_id);
}

size_t lk_conn_list_count(const lk_conn_list *list)
{
	return list ? list->count : 0;
}

const lk_conn *lk_conn_list_at(const lk_conn_list *list, size_t i)
{
	return list && i < list->count ? list->items[i] : NULL;
}

lk_status lk_conn_remove(lk_ctx *ctx, const char *owner, const char *id)
{
	lk_store *st = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	if (rc != LK_OK)
		return rc;
	rc = lk_store__remove(st, owner, id);
	if (rc == LK_OK)
		lk_bind__state_drop(ctx, id);
	return rc;
}

/* The app a stored connection belongs to, bound and still of its scheme. */
static lk_status conn_app(lk_app **out, lk_ctx *ctx, const lk_conn *conn)
{
	lk_app *app = lk_bind__find_app(ctx, conn->app);

	*out = NULL;
	if (!app)
		return lk_error__set(ctx, LK_ECONFIG,
				     "connection %s: its app \"%s\" is no "
				     "longer configured",
				     conn->id, conn->app);
	lk_status rc = lk_bind__app(ctx, app);
	if (rc != LK_OK)
		return rc;
	*out = app;
	return LK_OK;
}

lk_status lk_conn_test(lk_ctx *ctx, lk_conn *conn)
{
	lk_app *app = NULL;
	lk_store *st = NULL;
	lk_store_lock *lock = NULL;
	lk_conn *fresh = NULL;
	char *data = NULL;
	lk_status rc = conn_app(&app, ctx, conn);

	if (rc == LK_OK)
		rc = lk_testreq__run(&data, ctx, app, conn);
	if (rc != LK_OK)
		goto out;
	/* Store the new test data on the latest record: a refresh may have
	 * changed the credentials meanwhile. */
	rc = lk_ctx__store(&st, ctx);
	if (rc == LK_OK)
		rc = lk_store__lock(&lock, st, conn->owner, conn->id);
	if (rc == LK_OK)
		rc = lk_store__load(&fresh, st, conn->owner, conn->id);
	if (rc != LK_OK)
		goto out;
	lk_free(fresh->test_data);
	fresh->test_data = data;
	data = NULL;
	fresh->updated = lk_now();
	rc = lk_conn__relabel(ctx, app, fresh);
	if (rc == LK_OK)
		rc = lk_store__save(st, fresh);
	if (rc != LK_OK)
		goto out;
	/* Hand the caller the stored state. */
	lk_conn tmp = *conn;
	*conn = *fresh;
	*fresh = tmp;
out:
	lk_store__unlock(lock);
	lk_conn_free(fresh);
	lk_free(data);
	return rc;
}

lk_status lk_conn_refresh(lk_ctx *ctx, lk_conn *conn)
{
	lk_app *app = NULL;
	lk_status rc = conn_app(&app, ctx, conn);

	if (rc != LK_OK)
		return rc;
	if (!app->scheme_block.mod->scheme.refresh)
		return lk_error__set(ctx, LK_EINVAL,
				     "%s: the %s scheme has nothing to refresh",
				     app->id, app->scheme);
	if (conn->expired)
		return lk_error__set(ctx, LK_EEXPIRED,
				     "connection %s has expired: reconnect it",
				     conn->id);
	/* Like lk_perform: the connection's secrets (and those the scheme
	 * adds) are redacted from whatever the refresh logs. */
	lk_log__scope_push(conn->fields);
	rc = lk_perform__refresh(ctx, app, conn, conn->generation);
	lk_log__scope_pop();
	return rc;
}
