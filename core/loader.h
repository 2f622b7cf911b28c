/* SPDX-License-Identifier: MIT */
/* Loading modules with libltdl (STYLE.md B3, loader contract). */
#ifndef LK_LOADER_H
#define LK_LOADER_H
#include "core.h"

/* The module @p name from ctx->module_path, loading it on first use
 * (thread-safe; cached in the ctx). @return LK_EMODULE with a message
 * naming the file and the reason. */
LK_INTERNAL lk_status lk_loader__get(struct lk_module_rt **out, lk_ctx *ctx,
				     const char *name);
/* Open, check, normalise and init exactly @p dir/@p name.so, not cached.
 * @p allow_la: test trees only (open the .la's module in .libs/). */
LK_INTERNAL lk_status lk_loader__open(struct lk_module_rt **out, lk_ctx *ctx,
				      const char *dir, const char *name);
/* fini, lt_dlclose and free. NULL accepted. */
LK_INTERNAL void lk_loader__close(struct lk_module_rt *rt);
/* Close every cached module of the ctx. */
LK_INTERNAL void lk_loader__close_all(lk_ctx *ctx);
#endif
