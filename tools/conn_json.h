/* SPDX-License-Identifier: MIT */
/* A connection as JSON, the same for `latchkey --json` and the serve API:
 * id, app, owner, number, label, status and timestamps, never a field
 * value. */
#ifndef LK_TOOLS_CONN_JSON_H
#define LK_TOOLS_CONN_JSON_H
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <latchkey/latchkey.h>

/* A new object (cJSON_Delete, or hand it to a parent); NULL when out of
 * memory. */
cJSON *tools_conn_json(const lk_conn *conn);
/* @p t as "2026-11-30T08:00:00Z" (the number itself if it cannot be). */
void tools_iso8601(char *buf, size_t len, int64_t t);
#endif
