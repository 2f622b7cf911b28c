/* SPDX-License-Identifier: MIT */
/* The context: configuration, modules, store and callbacks of one host. */
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "config.h"
#include "ctx.h"
#include "error.h"
#include "loader.h"
#include "log.h"
#include "store.h"

lk_status lk_ctx_new(lk_ctx **out)
{
	lk_ctx *ctx = lk_calloc(1, sizeof(*ctx));
	pthread_mutexattr_t attr;

	*out = NULL;
	if (!ctx)
		return LK_ENOMEM;
	/* Recursive: binding an app loads modules under the same lock. */
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&ctx->bind_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	pthread_mutex_init(&ctx->state_lock, NULL);
	pthread_mutex_init(&ctx->refresh_lock, NULL);
	pthread_mutex_init(&ctx->redact_lock, NULL);
	ctx->log_level = LK_LOG_WARN;
	ctx->http_timeout = 30;
	ctx->http_connect_timeout = 10;
	ctx->max_response_bytes = 1048576;
	if (lk_error__init(ctx) != LK_OK) {
		lk_ctx_free(ctx);
		return LK_ENOMEM;
	}
	*out = ctx;
	return LK_OK;
}

lk_status lk_ctx_load(lk_ctx *ctx, const char *config_path)
{
	if (!ctx)
		return LK_EINVAL;
	if (ctx->loaded)
		return lk_error__set(ctx, LK_EINVAL,
				     "lk_ctx_load: configuration already loaded");
	lk_status rc = lk_config__load(ctx, config_path);
	if (rc == LK_OK)
		ctx->loaded = true;
	return rc;
}

lk_status lk_ctx_check(lk_ctx *ctx, size_t *nproblems)
{
	lk_status first = LK_OK;
	char *first_msg = NULL;
	size_t n = 0;

	if (!ctx || !ctx->loaded)
		return LK_EINVAL;
	for (size_t i = 0; i < ctx->napps; i++) {
		lk_status rc = lk_bind__app(ctx, ctx->apps[i]);
		if (rc == LK_OK)
			continue;
		n++;
		if (first == LK_OK) {
			first = rc;
			first_msg = lk_strdup(lk_errmsg(ctx));
		}
	}
	if (nproblems)
		*nproblems = n;
	if (first != LK_OK)
		lk_error__set(ctx, first, "%s", first_msg ? first_msg : "");
	lk_free(first_msg);
	return first;
}

void lk_ctx_set_log(lk_ctx *ctx, lk_log_fn fn, void *userdata,
		    lk_log_level level)
{
	if (!ctx)
		return;
	ctx->log_fn = fn;
	ctx->log_ud = userdata;
	ctx->log_level = level;
}

void lk_ctx_set_events(lk_ctx *ctx, lk_event_fn fn, void *userdata)
{
	if (!ctx)
		return;
	ctx->event_fn = fn;
	ctx->event_ud = userdata;
}

lk_status lk_ctx__store(lk_store **out, lk_ctx *ctx)
{
	lk_status rc = LK_OK;

	pthread_mutex_lock(&ctx->bind_lock);
	if (!ctx->store) {
		if (!ctx->loaded)
			rc = lk_error__set(ctx, LK_EINVAL,
					   "no configuration loaded");
		else
			rc = lk_store__open(&ctx->store, ctx, ctx->store_path,
					    ctx->key_file);
	}
	*out = ctx->store;
	pthread_mutex_unlock(&ctx->bind_lock);
	return rc;
}

void lk_ctx__event(lk_ctx *ctx, lk_event_type type, const lk_conn *conn,
		   const char *reason)
{
	if (!ctx->event_fn)
		return;
	lk_event ev = {
		.type = type,
		.owner = conn->owner,
		.app = conn->app,
		.connection_id = conn->id,
		.reason = reason,
	};
	ctx->event_fn(ctx->event_ud, &ev);
}

void lk_ctx_free(lk_ctx *ctx)
{
	if (!ctx)
		return;
	struct lk_state_entry *e = ctx->states;
	while (e) {
		struct lk_state_entry *next = e->next;
		if (e->free_fn)
			e->free_fn(e->state);
		lk_free(e->conn_id);
		lk_free(e);
		e = next;
	}
	lk_store__close(ctx->store);
	lk_config__free(ctx);
	lk_loader__close_all(ctx);
	for (size_t i = 0; i < ctx->nredact; i++)
		lk_str_wipe_free(ctx->redact[i]);
	lk_free(ctx->redact);
	lk_error__fini(ctx);
	pthread_mutex_destroy(&ctx->bind_lock);
	pthread_mutex_destroy(&ctx->state_lock);
	pthread_mutex_destroy(&ctx->refresh_lock);
	pthread_mutex_destroy(&ctx->redact_lock);
	lk_free(ctx);
}
