/* SPDX-License-Identifier: MIT */
/*
 * The connection store interface, and its embedded file implementation
 * (core/store_file.c): one sealed file per connection (AES-256-GCM,
 * associated data = format version, owner, app, id), atomic replace,
 * flock-based locks between processes and threads.
 */
#ifndef LK_STORE_H
#define LK_STORE_H
#include "core.h"

typedef struct lk_store_lock lk_store_lock;

/* Open (creating folders 0700 and the 32-byte key file 0600 if absent). */
LK_INTERNAL lk_status lk_store__open(lk_store **out, const lk_ctx *ctx,
				     const char *path, const char *key_file);
LK_INTERNAL void lk_store__close(lk_store *st);

/* Store a new connection: under the owner+app lock, assign conn->id
 * (random, URL-safe) and conn->number (never reused), then write. */
LK_INTERNAL lk_status lk_store__create(lk_store *st, lk_conn *conn);
/* Replace a stored connection atomically. */
LK_INTERNAL lk_status lk_store__save(lk_store *st, const lk_conn *conn);
/* LK_ENOTFOUND for an unknown id or another owner's; LK_ESTORE for a
 * wrong key or tampered file (clear message). */
LK_INTERNAL lk_status lk_store__load(lk_conn **out, lk_store *st,
				     const char *owner, const char *id);
/* @p app NULL: all apps. Sorted by app, then number. */
LK_INTERNAL lk_status lk_store__list(lk_conn_list **out, lk_store *st,
				     const char *owner, const char *app);
LK_INTERNAL lk_status lk_store__remove(lk_store *st, const char *owner,
				       const char *id);

/* Exclusive lock of one connection, between threads and processes. */
LK_INTERNAL lk_status lk_store__lock(lk_store_lock **out, lk_store *st,
				     const char *owner, const char *id);
LK_INTERNAL void lk_store__unlock(lk_store_lock *lock);

/* Pending flows: sealed, bound to owner, expire at flow->expires. take
 * consumes; LK_ESTATE when missing, expired or another owner's. */
LK_INTERNAL lk_status lk_store__flow_put(lk_store *st,
					 const struct lk_flow *flow);
LK_INTERNAL lk_status lk_store__flow_take(struct lk_flow **out, lk_store *st,
					  const char *owner, const char *id);

/* Valid connection/flow id: [A-Za-z0-9_-]{16,64}. */
LK_INTERNAL bool lk_store__id_ok(const char *id);
#endif
