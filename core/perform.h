/* SPDX-License-Identifier: MIT */
/* Applying a connection to a request: hooks, scheme, refresh, redirects. */
#ifndef LK_PERFORM_H
#define LK_PERFORM_H
#include "core.h"

/* Perform @p req for @p app with @p conn (NULL for apps without auth). */
LK_INTERNAL lk_status lk_perform__run(lk_response **out, lk_ctx *ctx,
				      lk_app *app, lk_conn *conn,
				      lk_request *req, unsigned depth);
/* Refresh single-flight: in-process mutex, then the store's lock, then
 * reload: if another caller already refreshed (updated changed), done. */
LK_INTERNAL lk_status lk_perform__refresh(lk_ctx *ctx, lk_app *app,
					  lk_conn *conn, int64_t seen_updated);
/* Mark expired, store, fire the event. */
LK_INTERNAL lk_status lk_perform__expire(lk_ctx *ctx, lk_conn *conn,
					 const char *reason);
#endif
