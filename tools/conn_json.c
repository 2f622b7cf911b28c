/* SPDX-License-Identifier: MIT */
/* A connection as JSON for the command and the serve API (conn_json.h). */
#include <stdio.h>
#include <time.h>

#include "conn_json.h"

void tools_iso8601(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "%lld", (long long)t);
}

cJSON *tools_conn_json(const lk_conn *conn)
{
	cJSON *e = cJSON_CreateObject();
	char t[32];

	if (!e)
		return NULL;
	cJSON_AddStringToObject(e, "id", lk_conn_id(conn));
	cJSON_AddStringToObject(e, "app", lk_conn_app(conn));
	cJSON_AddStringToObject(e, "owner", lk_conn_owner(conn));
	cJSON_AddNumberToObject(e, "number", lk_conn_number(conn));
	cJSON_AddStringToObject(e, "label", lk_conn_label(conn));
	cJSON_AddStringToObject(e, "status", lk_conn_status(conn));
	tools_iso8601(t, sizeof(t), lk_conn_created(conn));
	cJSON_AddStringToObject(e, "created", t);
	tools_iso8601(t, sizeof(t), lk_conn_updated(conn));
	cJSON_AddStringToObject(e, "updated", t);
	return e;
}
