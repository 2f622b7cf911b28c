/* SPDX-License-Identifier: MIT */
/* Context services shared by the core's files. */
#ifndef LK_CTX_H
#define LK_CTX_H
#include "core.h"

/* The store, opened on first use (thread-safe). */
LK_INTERNAL lk_status lk_ctx__store(lk_store **out, lk_ctx *ctx);
/* Fire an event through the host's callback, if any. */
LK_INTERNAL void lk_ctx__event(lk_ctx *ctx, lk_event_type type,
			       const lk_conn *conn, const char *reason);
#endif
