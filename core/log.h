/* SPDX-License-Identifier: MIT */
/* Logging with central redaction of secrets. */
#ifndef LK_LOG_H
#define LK_LOG_H
#include "core.h"

#define LK_REDACTED "[REDACTED]"

/* Log through the ctx's sink, redacting every known secret. */
LK_INTERNAL void lk_log__msg(const lk_ctx *ctx, lk_log_level level,
			     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
LK_INTERNAL void lk_log__vmsg(const lk_ctx *ctx, lk_log_level level,
			      const char *fmt, va_list ap);
LK_INTERNAL bool lk_log__enabled(const lk_ctx *ctx, lk_log_level level);
/* A secret known to the whole ctx (a client secret). Copied. */
LK_INTERNAL void lk_log__redact_add(lk_ctx *ctx, const char *value);
/* Secrets of the current thread's call (a connection's secret fields),
 * pushed before and popped after a request; scopes nest. */
LK_INTERNAL void lk_log__scope_push(const lk_fields *fields);
LK_INTERNAL void lk_log__scope_add(const char *value);
LK_INTERNAL void lk_log__scope_pop(void);
/* Replace every known secret (raw and percent-encoded) in @p text. */
LK_INTERNAL char *lk_log__redact(const lk_ctx *ctx, const char *text);
#endif
