/* SPDX-License-Identifier: MIT */
/* Binding an app to its modules on first use; lk_call construction. */
#ifndef LK_BIND_H
#define LK_BIND_H
#include "core.h"

/* Load the app's scheme, policy and hooks modules and check their blocks
 * (once; thread-safe). @return LK_OK, LK_EMODULE or LK_ECONFIG; a broken
 * app stays broken and every later call fails the same way. */
LK_INTERNAL lk_status lk_bind__app(lk_ctx *ctx, lk_app *app);
/* A call for the app's scheme module. */
LK_INTERNAL void lk_bind__scheme_call(lk_call *call, lk_ctx *ctx,
				      const lk_app *app, lk_conn *conn,
				      lk_fields *fields);
/* The in-memory scheme state of a connection (state_new on first use). */
LK_INTERNAL lk_status lk_bind__state(void **out, lk_call *call);
/* Drop a connection's in-memory state (removed or reconnected). */
LK_INTERNAL void lk_bind__state_drop(lk_ctx *ctx, const char *conn_id);
/* The state kept under @p old_id now belongs to @p new_id (a connection
 * stored after its connect-time test); nothing when there is none. */
LK_INTERNAL void lk_bind__state_rekey(lk_ctx *ctx, const char *old_id,
				      const char *new_id);
LK_INTERNAL lk_app *lk_bind__find_app(lk_ctx *ctx, const char *id);
#endif
