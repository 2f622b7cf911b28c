/* SPDX-License-Identifier: MIT */
/* Error detail per ctx and per thread, so lk_errmsg is safe in threaded
 * hosts (no process-global "last error", unlike lt_dlerror). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"

static void msg_free(void *p)
{
	free(p);
}

lk_status lk_error__init(lk_ctx *ctx)
{
	if (pthread_key_create(&ctx->err_key, msg_free) != 0)
		return LK_ENOMEM;
	ctx->err_key_ok = true;
	return LK_OK;
}

void lk_error__fini(lk_ctx *ctx)
{
	if (!ctx->err_key_ok)
		return;
	free(pthread_getspecific(ctx->err_key));
	pthread_setspecific(ctx->err_key, NULL);
	pthread_key_delete(ctx->err_key);
	ctx->err_key_ok = false;
}

static void store_msg(const lk_ctx *ctx, char *msg)
{
	if (!ctx || !ctx->err_key_ok) {
		free(msg);
		return;
	}
	free(pthread_getspecific(ctx->err_key));
	if (pthread_setspecific(ctx->err_key, msg) != 0)
		free(msg);
}

lk_status lk_error__vset(const lk_ctx *ctx, lk_status st, const char *fmt,
			 va_list ap)
{
	/* Errors are scrubbed like log lines: no secret in a message. */
	char *raw = lk_vstrdupf(fmt, ap);
	char *msg = raw ? lk_log__redact(ctx, raw) : NULL;
	lk_str_wipe_free(raw);
	store_msg(ctx, msg);
	return st;
}

lk_status lk_error__set(const lk_ctx *ctx, lk_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lk_error__vset(ctx, st, fmt, ap);
	va_end(ap);
	return st;
}

void lk_error__prefix(const lk_ctx *ctx, const char *fmt, ...)
{
	char *prefix = NULL;
	char *msg = NULL;
	va_list ap;

	va_start(ap, fmt);
	prefix = lk_vstrdupf(fmt, ap);
	va_end(ap);
	if (!prefix)
		return;
	const char *old = lk_errmsg(ctx);
	msg = lk_strdupf("%s: %s", prefix, *old ? old : "failed");
	free(prefix);
	if (msg)
		store_msg(ctx, msg);
}

void lk_error__clear(const lk_ctx *ctx)
{
	store_msg(ctx, NULL);
}

const char *lk_errmsg(const lk_ctx *ctx)
{
	if (!ctx || !ctx->err_key_ok)
		return "";
	const char *m = pthread_getspecific(ctx->err_key);
	return m ? m : "";
}
