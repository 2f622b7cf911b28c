/* SPDX-License-Identifier: MIT */
/* Per-ctx, per-thread error detail (lk_errmsg). */
#ifndef LK_ERROR_H
#define LK_ERROR_H
#include "core.h"

/* Record "message" for this thread on @p ctx and return @p st. */
LK_INTERNAL lk_status lk_error__set(const lk_ctx *ctx, lk_status st,
				    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
LK_INTERNAL lk_status lk_error__vset(const lk_ctx *ctx, lk_status st,
				     const char *fmt, va_list ap);
/* Prefix the current message: "prefix: old message". */
LK_INTERNAL void lk_error__prefix(const lk_ctx *ctx, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
LK_INTERNAL void lk_error__clear(const lk_ctx *ctx);
LK_INTERNAL lk_status lk_error__init(lk_ctx *ctx);
LK_INTERNAL void lk_error__fini(lk_ctx *ctx);
#endif
