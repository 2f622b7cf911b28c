/* SPDX-License-Identifier: MIT */
/* Applying a connection to a request: hooks, the scheme's authorization,
 * the verdicts after a response (retry, refresh then retry once, expire),
 * single-flight refresh and redirects under base_urls. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bind.h"
#include "conn.h"
#include "ctx.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "perform.h"
#include "store.h"
#include "url.h"

#define LK_MAX_ATTEMPTS 3  /* authorize+send rounds for one call */
#define LK_MAX_REDIRECTS 5 /* hops followed with follow_redirects */

static lk_verdict worst(lk_verdict a, lk_verdict b)
{
	return a > b ? a : b;
}

/* The app's `refresh_on`: statuses, and error codes in a JSON body. */
static lk_verdict refresh_on(const lk_app *app, const lk_response *resp)
{
	for (size_t i = 0; i < app->nrefresh_status; i++)
		if (app->refresh_status[i] == resp->status)
			return LK_VERDICT_REFRESH;
	if (!app->nrefresh_json_error || !resp->body_len)
		return LK_VERDICT_DONE;
	cJSON *root = cJSON_ParseWithLength(resp->body, resp->body_len);
	const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
	const cJSON *code = cJSON_IsObject(err)
				    ? cJSON_GetObjectItemCaseSensitive(err,
								       "code")
				    : err;
	lk_verdict v = LK_VERDICT_DONE;
	for (size_t i = 0; cJSON_IsString(code) && i < app->nrefresh_json_error;
	     i++)
		if (strcmp(code->valuestring, app->refresh_json_error[i]) == 0)
			v = LK_VERDICT_REFRESH;
	cJSON_Delete(root);
	return v;
}

/* Default policy (the core's): refresh `refresh_margin` seconds (60)
 * before the `expires_at` field, when there is one. A token that lives
 * less than twice the margin is refreshed at half its life instead, or
 * every call would refresh it. */
static bool default_should_refresh(const lk_app *app, const lk_conn *conn,
				   int64_t now)
{
	const char *exp = lk_fields_get(conn->fields, "expires_at");
	const char *issued = lk_fields_get(conn->fields, "issued_at");
	const char *margin = lk_fields_get(app->scheme_block.values,
					   "refresh_margin");
	if (!exp || !*exp)
		return false;
	long long m = margin ? strtoll(margin, NULL, 10) : 60;
	long long e = strtoll(exp, NULL, 10);
	if (issued && *issued) {
		long long life = e - strtoll(issued, NULL, 10);
		if (life > 0 && m > life / 2)
			m = life / 2;
	}
	return now >= e - m;
}

static lk_status should_refresh(bool *out, lk_ctx *ctx, lk_app *app,
				lk_conn *conn)
{
	*out = false;
	if (!conn || conn->unsaved || !app->scheme_block.mod->scheme.refresh)
		return LK_OK;
	if (!app->policy_block.mod) {
		*out = default_should_refresh(app, conn, lk_now());
		return LK_OK;
	}
	lk_call call = {.ctx = ctx,
			.app = app,
			.block = &app->policy_block,
			.conn = conn};
	return app->policy_block.mod->refresh.should_refresh(out, &call,
							     lk_now());
}

static lk_status run_hooks(lk_ctx *ctx, lk_app *app, lk_conn *conn,
			   lk_request *req, bool pre, unsigned depth)
{
	for (size_t i = 0; i < app->nhook_blocks; i++) {
		const struct lk_hooks_ops *h = &app->hook_blocks[i].mod->hooks;
		lk_hook_request_fn *fn = pre ? h->pre_authorize
					     : h->post_authorize;
		if (!fn)
			continue;
		lk_call call = {.ctx = ctx,
				.app = app,
				.block = &app->hook_blocks[i],
				.conn = conn,
				.depth = depth};
		lk_status rc = fn(&call, req);
		if (rc != LK_OK)
			return rc;
	}
	return LK_OK;
}

/* Every opinion on a response: scheme, policy, refresh_on, hooks. */
static lk_status judge(lk_verdict *out, lk_ctx *ctx, lk_app *app,
		       lk_conn *conn, const lk_request *req,
		       const lk_response *resp, unsigned attempt,
		       unsigned depth)
{
	const struct lk_scheme_ops *ops = &app->scheme_block.mod->scheme;
	lk_verdict v = LK_VERDICT_DONE, w = LK_VERDICT_DONE;
	lk_status rc = LK_OK;

	*out = LK_VERDICT_DONE;
	if (!conn)
		return LK_OK;
	if (ops->on_response) {
		lk_call call;
		lk_bind__scheme_call(&call, ctx, app, conn, NULL);
		call.depth = depth;
		rc = ops->on_response(&v, &call, req, resp, attempt);
		if (rc != LK_OK)
			return rc;
	}
	if (ops->refresh) {
		v = worst(v, refresh_on(app, resp));
		if (app->policy_block.mod &&
		    app->policy_block.mod->refresh.on_response) {
			lk_call call = {.ctx = ctx,
					.app = app,
					.block = &app->policy_block,
					.conn = conn,
					.depth = depth};
			rc = app->policy_block.mod->refresh.on_response(
				&w, &call, resp);
			if (rc != LK_OK)
				return rc;
			v = worst(v, w);
		}
	}
	for (size_t i = 0; i < app->nhook_blocks; i++) {
		const struct lk_hooks_ops *h = &app->hook_blocks[i].mod->hooks;
		if (!h->after_response)
			continue;
		lk_call call = {.ctx = ctx,
				.app = app,
				.block = &app->hook_blocks[i],
				.conn = conn,
				.depth = depth};
		w = LK_VERDICT_DONE;
		rc = h->after_response(&w, &call, req, resp);
		if (rc != LK_OK)
			return rc;
		v = worst(v, w);
	}
	/* A scheme that cannot refresh, or a connection not stored yet
	 * (the connect-time test), turns "refresh" into "done": the test
	 * then classifies the answer. */
	if (v == LK_VERDICT_REFRESH &&
	    (!ops->refresh || (conn && conn->unsaved)))
		v = LK_VERDICT_DONE;
	*out = v;
	return LK_OK;
}

static lk_status authorize_and_send(lk_response **out, lk_ctx *ctx,
				    lk_app *app, lk_conn *conn,
				    const lk_request *req, unsigned depth)
{
	const struct lk_scheme_ops *ops = &app->scheme_block.mod->scheme;
	lk_request *work = NULL;
	lk_status rc = lk_request__dup(&work, req);

	*out = NULL;
	if (rc == LK_OK)
		rc = run_hooks(ctx, app, conn, work, true, depth);
	if (rc == LK_OK && conn) {
		lk_call call;
		lk_bind__scheme_call(&call, ctx, app, conn, NULL);
		call.depth = depth;
		rc = ops->authorize(&call, work);
	}
	if (rc == LK_OK)
		rc = run_hooks(ctx, app, conn, work, false, depth);
	if (rc == LK_OK)
		rc = lk_http__send(out, ctx, app, work);
	lk_request_free(work);
	return rc;
}

/* The next hop of a redirect, or NULL when the response is final. */
static lk_status next_hop(lk_request **out, lk_ctx *ctx, const lk_app *app,
			  const lk_conn *conn, const lk_request *req,
			  const lk_response *resp)
{
	const char *loc = lk_response_header(resp, "Location");
	char *url = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!app->follow_redirects || resp->status < 301 ||
	    resp->status > 308 || resp->status == 304 ||
	    resp->status == 305 || resp->status == 306 || !loc)
		return LK_OK;
	rc = lk_url__resolve(&url, req->url, loc);
	if (rc != LK_OK)
		return lk_error__set(ctx, LK_EDENIED,
				     "%s: unusable redirect Location", app->id);
	if (strncmp(req->url, "https:", 6) == 0 &&
	    strncmp(url, "https:", 6) != 0) {
		rc = lk_error__set(ctx, LK_EDENIED,
				   "%s: a redirect from https to http is "
				   "refused",
				   app->id);
		goto out;
	}
	/* Each hop must again be under base_urls: the credentials go
	 * with it (authorized afresh by the scheme). */
	rc = lk_url__check_base(ctx, app, conn ? conn->fields : NULL, url);
	if (rc != LK_OK) {
		lk_error__prefix(ctx, "%s: redirect refused", app->id);
		goto out;
	}
	/* Credentials never follow a redirect to another host, even one
	 * base_urls also lists: the 3xx comes back to the caller. */
	if (conn && !lk_url__same_origin(req->url, url)) {
		lk_log__msg(ctx, LK_LOG_INFO,
			    "%s: not following a redirect to another host",
			    app->id);
		goto out;
	}
	/* 303, and 301/302 after a POST, become a GET without body (as
	 * browsers and curl do); 307/308 keep the method and body. */
	bool to_get = resp->status == 303 ||
		      ((resp->status == 301 || resp->status == 302) &&
		       strcmp(req->method, "POST") == 0);
	rc = lk_request__dup(out, req);
	if (rc == LK_OK)
		rc = lk_request_set_url(*out, url);
	if (rc == LK_OK && to_get) {
		lk_free((*out)->method);
		(*out)->method = lk_strdup("GET");
		lk_request_set_body(*out, NULL, 0);
		lk_request_remove_header(*out, "Content-Type");
		if (!(*out)->method)
			rc = LK_ENOMEM;
	}
out:
	lk_free(url);
	return rc;
}

static lk_status check_conn(lk_ctx *ctx, const lk_app *app,
			    const lk_conn *conn)
{
	if (strcmp(conn->app, app->id) != 0)
		return lk_error__set(ctx, LK_EINVAL,
				     "connection %s belongs to app %s, not %s",
				     conn->id, conn->app, app->id);
	if (strcmp(conn->scheme, app->scheme) != 0)
		return lk_error__set(ctx, LK_EEXPIRED,
				     "connection %s was made with scheme %s; "
				     "%s now uses %s: reconnect it",
				     conn->id, conn->scheme, app->id,
				     app->scheme);
	if (conn->expired)
		return lk_error__set(ctx, LK_EEXPIRED,
				     "connection %s (%s) has expired: "
				     "reconnect it",
				     conn->id, conn->label ? conn->label : "");
	return LK_OK;
}

static lk_status run(lk_response **out, lk_ctx *ctx, lk_app *app,
		     lk_conn *conn, lk_request *req, unsigned depth)
{
	lk_request *hop = NULL;
	lk_response *resp = NULL;
	const lk_request *cur = req;
	bool refreshed = false, due = false;
	unsigned attempt = 0, hops = 0;
	lk_status rc = should_refresh(&due, ctx, app, conn);

	if (rc == LK_OK && due) {
		rc = lk_perform__refresh(ctx, app, conn, conn->generation);
		refreshed = rc == LK_OK;
	}
	while (rc == LK_OK) {
		lk_verdict v = LK_VERDICT_DONE;
		lk_response_free(resp);
		resp = NULL;
		rc = authorize_and_send(&resp, ctx, app, conn, cur, depth);
		if (rc == LK_OK)
			rc = judge(&v, ctx, app, conn, cur, resp, attempt,
				   depth);
		if (rc != LK_OK)
			break;
		attempt++;
		if (v == LK_VERDICT_EXPIRED) {
			rc = lk_perform__expire(ctx, conn,
						"the provider refused the "
						"credentials");
			break;
		}
		if (v == LK_VERDICT_REFRESH && !refreshed &&
		    attempt < LK_MAX_ATTEMPTS) {
			/* Refresh then retry once: never a loop. */
			refreshed = true;
			rc = lk_perform__refresh(ctx, app, conn,
						 conn->generation);
			continue;
		}
		if (v == LK_VERDICT_RETRY && attempt < LK_MAX_ATTEMPTS)
			continue;
		lk_request *next = NULL;
		rc = next_hop(&next, ctx, app, conn, cur, resp);
		if (rc != LK_OK || !next)
			break;
		if (++hops > LK_MAX_REDIRECTS) {
			lk_request_free(next);
			rc = lk_error__set(ctx, LK_EDENIED,
					   "%s: more than %d redirects",
					   app->id, LK_MAX_REDIRECTS);
			break;
		}
		lk_request_free(hop);
		hop = next;
		cur = hop;
		attempt = 0;
	}
	lk_request_free(hop);
	if (rc != LK_OK) {
		lk_response_free(resp);
		resp = NULL;
	}
	*out = resp;
	return rc;
}

lk_status lk_perform__run(lk_response **out, lk_ctx *ctx, lk_app *app,
			  lk_conn *conn, lk_request *req, unsigned depth)
{
	lk_status rc = lk_bind__app(ctx, app);

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	bool no_auth = app->scheme_block.mod->scheme.flags & LK_SCHEME_NO_AUTH;
	if (!conn && !no_auth)
		return lk_error__set(ctx, LK_EINVAL,
				     "%s needs a connection: connect an "
				     "account first",
				     app->id);
	if (conn && no_auth)
		conn = NULL; /* nothing to apply */
	if (conn) {
		rc = check_conn(ctx, app, conn);
		if (rc != LK_OK)
			return rc;
	}
	/* An app without auth and without base_urls sends nothing secret:
	 * any https URL is fine. Everything else stays under base_urls. */
	if (app->nbase_urls || conn)
		rc = lk_url__check_base(ctx, app, conn ? conn->fields : NULL,
					req->url);
	if (rc != LK_OK)
		return rc;
	lk_log__scope_push(conn ? conn->fields : NULL);
	rc = run(out, ctx, app, conn, req, depth);
	lk_log__scope_pop();
	return rc;
}

lk_status lk_perform(lk_response **out, lk_ctx *ctx, lk_conn *conn,
		     lk_request *req)
{
	*out = NULL;
	if (!ctx || !conn || !req)
		return LK_EINVAL;
	lk_app *app = lk_bind__find_app(ctx, conn->app);
	if (!app)
		return lk_error__set(ctx, LK_ECONFIG,
				     "connection %s: its app \"%s\" is no "
				     "longer configured",
				     conn->id, conn->app);
	return lk_perform__run(out, ctx, app, conn, req, 0);
}

lk_status lk_perform_app(lk_response **out, lk_ctx *ctx, const char *app_id,
			 lk_request *req)
{
	*out = NULL;
	if (!ctx || !req)
		return LK_EINVAL;
	lk_app *app = lk_bind__find_app(ctx, app_id);
	if (!app)
		return lk_error__set(ctx, LK_ENOTFOUND, "no app \"%s\"",
				     app_id ? app_id : "");
	lk_status rc = lk_bind__app(ctx, app);
	if (rc != LK_OK)
		return rc;
	if (!(app->scheme_block.mod->scheme.flags & LK_SCHEME_NO_AUTH))
		return lk_error__set(ctx, LK_EDENIED,
				     "%s needs authentication: call it with a "
				     "connection",
				     app->id);
	return lk_perform__run(out, ctx, app, NULL, req, 0);
}

lk_status lk_perform__expire(lk_ctx *ctx, lk_conn *conn, const char *reason)
{
	lk_store *st = NULL;
	lk_store_lock *lock = NULL;
	lk_conn *fresh = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	if (rc == LK_OK)
		rc = lk_store__lock(&lock, st, conn->owner, conn->id);
	if (rc == LK_OK)
		rc = lk_store__load(&fresh, st, conn->owner, conn->id);
	if (rc == LK_OK) {
		fresh->expired = true;
		fresh->updated = lk_now();
		rc = lk_store__save(st, fresh);
	}
	lk_store__unlock(lock);
	lk_conn_free(fresh);
	conn->expired = true;
	lk_log__msg(ctx, LK_LOG_WARN, "connection %s (%s) expired: %s",
		    conn->id, conn->label ? conn->label : conn->app, reason);
	lk_ctx__event(ctx, LK_EVENT_EXPIRED, conn, reason);
	if (rc != LK_OK)
		return rc;
	return lk_error__set(ctx, LK_EEXPIRED,
			     "connection %s (%s) has expired: %s; reconnect it",
			     conn->id, conn->label ? conn->label : conn->app,
			     reason);
}

/* Swap the stored record into the caller's connection. */
static void adopt(lk_conn *conn, lk_conn *fresh)
{
	lk_conn tmp = *conn;
	*conn = *fresh;
	*fresh = tmp;
}

lk_status lk_perform__refresh(lk_ctx *ctx, lk_app *app, lk_conn *conn,
			      int64_t seen_generation)
{
	lk_store *st = NULL;
	lk_store_lock *lock = NULL;
	lk_conn *fresh = NULL;
	lk_status rc = lk_ctx__store(&st, ctx);

	if (rc != LK_OK)
		return rc;
	/* Single-flight: threads queue on the mutex, processes on the
	 * store's lock; whoever comes second finds the generation moved
	 * and uses the stored result instead of refreshing again. */
	pthread_mutex_lock(&ctx->refresh_lock);
	rc = lk_store__lock(&lock, st, conn->owner, conn->id);
	if (rc == LK_OK)
		rc = lk_store__load(&fresh, st, conn->owner, conn->id);
	if (rc != LK_OK)
		goto out;
	if (fresh->expired) {
		adopt(conn, fresh);
		rc = lk_error__set(ctx, LK_EEXPIRED,
				   "connection %s has expired: reconnect it",
				   conn->id);
		goto out;
	}
	if ((int64_t)fresh->generation != seen_generation) {
		adopt(conn, fresh);
		goto out;
	}
	adopt(conn, fresh);
	lk_call call;
	lk_bind__scheme_call(&call, ctx, app, conn, NULL);
	call.locked = true;
	rc = app->scheme_block.mod->scheme.refresh(&call);
	if (rc == LK_EEXPIRED) {
		lk_store__unlock(lock);
		lock = NULL;
		char *why = lk_strdup(lk_errmsg(ctx));
		rc = lk_perform__expire(ctx, conn,
					why ? why : "the refresh was refused");
		lk_free(why);
		goto out;
	}
	if (rc == LK_OK) {
		lk_log__msg(ctx, LK_LOG_INFO, "refreshed %s (%s)", conn->id,
			    conn->label ? conn->label : conn->app);
		lk_ctx__event(ctx, LK_EVENT_REFRESHED, conn, NULL);
	}
out:
	lk_store__unlock(lock);
	pthread_mutex_unlock(&ctx->refresh_lock);
	lk_conn_free(fresh);
	return rc;
}
