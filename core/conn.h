/* SPDX-License-Identifier: MIT */
/* Connections: records, serialisation, labels. */
#ifndef LK_CONN_H
#define LK_CONN_H
#include "core.h"

LK_INTERNAL lk_status lk_conn__new(lk_conn **out);
LK_INTERNAL lk_status lk_conn__dup(lk_conn **out, const lk_conn *c);
/* The sealed record's plaintext: JSON with every member. */
LK_INTERNAL lk_status lk_conn__to_json(char **out, const lk_conn *c);
LK_INTERNAL lk_status lk_conn__from_json(lk_conn **out, const char *json,
					 size_t len);
LK_INTERNAL void lk_flow__free(struct lk_flow *flow);
LK_INTERNAL lk_status lk_flow__to_json(char **out, const struct lk_flow *f);
LK_INTERNAL lk_status lk_flow__from_json(struct lk_flow **out,
					 const char *json, size_t len);
/* Compute conn->label: "Title", " #N" for N >= 2, then the rendered
 * label template or the hooks' label; secrets never render. */
LK_INTERNAL lk_status lk_conn__relabel(lk_ctx *ctx, const lk_app *app,
				       lk_conn *conn);
#endif
