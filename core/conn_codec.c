/* SPDX-License-Identifier: MIT */
/*
 * Connection and pending-flow records: allocation, copy, freeing (secrets
 * wiped) and the JSON that the store seals (cJSON). Every member goes in,
 * fields with their secret flags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>

#include "conn.h"
#include "fields.h"

lk_status lk_conn__new(lk_conn **out)
{
	*out = lk_calloc(1, sizeof(lk_conn));
	if (!*out)
		return LK_ENOMEM;
	lk_status rc = lk_fields_new(&(*out)->fields);
	if (rc != LK_OK) {
		lk_free(*out);
		*out = NULL;
	}
	return rc;
}

void lk_conn_free(lk_conn *conn)
{
	if (!conn)
		return;
	lk_free(conn->id);
	lk_free(conn->owner);
	lk_free(conn->app);
	lk_free(conn->scheme);
	lk_fields_free(conn->fields);
	/* The test response may echo a token back: wipe it too. */
	lk_str_wipe_free(conn->test_data);
	lk_free(conn->label);
	lk_free(conn);
}

void lk_conn_list_free(lk_conn_list *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		lk_conn_free(list->items[i]);
	lk_free(list->items);
	lk_free(list);
}

/* Copy an optional string: NULL stays NULL. */
static bool dup_opt(char **dst, const char *src)
{
	*dst = src ? lk_strdup(src) : NULL;
	return !src || *dst;
}

lk_status lk_conn__dup(lk_conn **out, const lk_conn *c)
{
	lk_conn *n = lk_calloc(1, sizeof(*n));
	lk_status rc = n ? LK_OK : LK_ENOMEM;

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	n->number = c->number;
	n->expired = c->expired;
	n->created = c->created;
	n->updated = c->updated;
	n->generation = c->generation;
	if (!dup_opt(&n->id, c->id) || !dup_opt(&n->owner, c->owner) ||
	    !dup_opt(&n->app, c->app) || !dup_opt(&n->scheme, c->scheme) ||
	    !dup_opt(&n->test_data, c->test_data) ||
	    !dup_opt(&n->label, c->label))
		rc = LK_ENOMEM;
	if (rc == LK_OK)
		rc = lk_fields__dup(&n->fields, c->fields);
	if (rc != LK_OK) {
		lk_conn_free(n);
		return rc;
	}
	*out = n;
	return LK_OK;
}

/* Add a string member unless @p s is NULL (absent means NULL). */
static bool add_str(cJSON *obj, const char *key, const char *s)
{
	return !s || cJSON_AddStringToObject(obj, key, s);
}

/* Print @p obj compactly and delete it; the text may hold secrets, so
 * cJSON's own buffers are not reused by the caller. */
static lk_status print_json(char **out, cJSON *obj)
{
	char *text = cJSON_PrintUnformatted(obj);
	lk_status rc = LK_OK;

	*out = NULL;
	if (!text) {
		rc = LK_ENOMEM;
	} else {
		*out = lk_strdup(text);
		if (!*out)
			rc = LK_ENOMEM;
		OPENSSL_cleanse(text, strlen(text));
		cJSON_free(text);
	}
	return rc;
}

/* Wipe every string value (and key) in a cJSON tree before it is freed. */
static void wipe_json(cJSON *item)
{
	for (cJSON *it = item; it; it = it->next) {
		if (it->child)
			wipe_json(it->child);
		if (cJSON_IsString(it) && it->valuestring)
			OPENSSL_cleanse(it->valuestring,
					strlen(it->valuestring));
	}
}

static void delete_wiped(cJSON *obj)
{
	if (obj)
		wipe_json(obj->child);
	cJSON_Delete(obj);
}

lk_status lk_conn__to_json(char **out, const lk_conn *c)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON *fields = NULL;
	lk_status rc = obj ? LK_OK : LK_ENOMEM;
	char num[24];

	*out = NULL;
	/* 64-bit values as decimal strings: a JSON number is a double. */
	if (rc == LK_OK &&
	    (!cJSON_AddNumberToObject(obj, "v", 1) ||
	     !add_str(obj, "id", c->id) || !add_str(obj, "owner", c->owner) ||
	     !add_str(obj, "app", c->app) ||
	     !add_str(obj, "scheme", c->scheme) ||
	     !cJSON_AddNumberToObject(obj, "number", c->number) ||
	     !cJSON_AddBoolToObject(obj, "expired", c->expired)))
		rc = LK_ENOMEM;
	if (rc == LK_OK) {
		snprintf(num, sizeof num, "%lld", (long long)c->created);
		if (!cJSON_AddStringToObject(obj, "created", num))
			rc = LK_ENOMEM;
	}
	if (rc == LK_OK) {
		snprintf(num, sizeof num, "%lld", (long long)c->updated);
		if (!cJSON_AddStringToObject(obj, "updated", num))
			rc = LK_ENOMEM;
	}
	if (rc == LK_OK) {
		snprintf(num, sizeof num, "%llu",
			 (unsigned long long)c->generation);
		if (!cJSON_AddStringToObject(obj, "generation", num))
			rc = LK_ENOMEM;
	}
	if (rc == LK_OK)
		rc = lk_fields__to_json(&fields, c->fields);
	if (rc == LK_OK && !cJSON_AddItemToObject(obj, "fields", fields)) {
		cJSON_Delete(fields);
		rc = LK_ENOMEM;
	}
	if (rc == LK_OK && (!add_str(obj, "test_data", c->test_data) ||
			    !add_str(obj, "label", c->label)))
		rc = LK_ENOMEM;
	if (rc == LK_OK)
		rc = print_json(out, obj);
	delete_wiped(obj);
	return rc;
}

/* Optional string member: absent or null gives NULL; another type is an
 * error. */
static lk_status get_str(char **dst, const cJSON *obj, const char *key,
			 bool required)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	*dst = NULL;
	if (!it || cJSON_IsNull(it))
		return required ? LK_EINVAL : LK_OK;
	if (!cJSON_IsString(it))
		return LK_EINVAL;
	*dst = lk_strdup(it->valuestring);
	return *dst ? LK_OK : LK_ENOMEM;
}

/* A 64-bit integer written as a decimal string. */
static lk_status get_i64(int64_t *dst, const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *end = NULL;

	if (!cJSON_IsString(it) || !*it->valuestring)
		return LK_EINVAL;
	errno = 0;
	long long v = strtoll(it->valuestring, &end, 10);
	if (errno || *end)
		return LK_EINVAL;
	*dst = v;
	return LK_OK;
}

static lk_status get_u64(uint64_t *dst, const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	char *end = NULL;

	if (!cJSON_IsString(it) || !*it->valuestring || *it->valuestring == '-')
		return LK_EINVAL;
	errno = 0;
	unsigned long long v = strtoull(it->valuestring, &end, 10);
	if (errno || *end)
		return LK_EINVAL;
	*dst = v;
	return LK_OK;
}

lk_status lk_conn__from_json(lk_conn **out, const char *json, size_t len)
{
	cJSON *obj = cJSON_ParseWithLength(json, len);
	lk_conn *c = NULL;
	lk_status rc = cJSON_IsObject(obj) ? LK_OK : LK_EINVAL;

	*out = NULL;
	if (rc == LK_OK) {
		c = lk_calloc(1, sizeof(*c));
		rc = c ? LK_OK : LK_ENOMEM;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "v");
	if (rc == LK_OK && (!cJSON_IsNumber(v) || v->valuedouble != 1))
		rc = LK_EINVAL;
	if (rc == LK_OK)
		rc = get_str(&c->id, obj, "id", false);
	if (rc == LK_OK)
		rc = get_str(&c->owner, obj, "owner", true);
	if (rc == LK_OK)
		rc = get_str(&c->app, obj, "app", true);
	if (rc == LK_OK)
		rc = get_str(&c->scheme, obj, "scheme", false);
	if (rc == LK_OK)
		rc = get_str(&c->test_data, obj, "test_data", false);
	if (rc == LK_OK)
		rc = get_str(&c->label, obj, "label", false);
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(obj, "number");
	if (rc == LK_OK) {
		if (cJSON_IsNumber(num) && num->valuedouble >= 0 &&
		    num->valuedouble <= 4294967295.0 &&
		    num->valuedouble == (double)(unsigned)num->valuedouble)
			c->number = (unsigned)num->valuedouble;
		else
			rc = LK_EINVAL;
	}
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(obj, "expired");
	if (rc == LK_OK) {
		if (cJSON_IsBool(exp))
			c->expired = cJSON_IsTrue(exp);
		else
			rc = LK_EINVAL;
	}
	if (rc == LK_OK)
		rc = get_i64(&c->created, obj, "created");
	if (rc == LK_OK)
		rc = get_i64(&c->updated, obj, "updated");
	if (rc == LK_OK)
		rc = get_u64(&c->generation, obj, "generation");
	if (rc == LK_OK)
		rc = lk_fields__from_json(
		    &c->fields,
		    cJSON_GetObjectItemCaseSensitive(obj, "fields"));
	delete_wiped(obj);
	if (rc != LK_OK) {
		lk_conn_free(c);
		return rc;
	}
	*out = c;
	return LK_OK;
}

void lk_flow__free(struct lk_flow *flow)
{
	if (!flow)
		return;
	lk_free(flow->id);
	lk_free(flow->owner);
	lk_free(flow->app);
	lk_fields_free(flow->values);
	lk_fields_free(flow->fields);
	lk_free(flow);
}

/* Add a fields object (an absent list is an empty object). */
static lk_status add_fields(cJSON *obj, const char *key, const lk_fields *f)
{
	cJSON *o = NULL;
	lk_status rc = lk_fields__to_json(&o, f);

	if (rc == LK_OK && !cJSON_AddItemToObject(obj, key, o)) {
		cJSON_Delete(o);
		rc = LK_ENOMEM;
	}
	return rc;
}

lk_status lk_flow__to_json(char **out, const struct lk_flow *f)
{
	cJSON *obj = cJSON_CreateObject();
	lk_status rc = obj ? LK_OK : LK_ENOMEM;
	char num[24];

	*out = NULL;
	snprintf(num, sizeof num, "%lld", (long long)f->expires);
	if (rc == LK_OK &&
	    (!cJSON_AddNumberToObject(obj, "v", 1) ||
	     !add_str(obj, "id", f->id) || !add_str(obj, "owner", f->owner) ||
	     !add_str(obj, "app", f->app) ||
	     !cJSON_AddStringToObject(obj, "expires", num)))
		rc = LK_ENOMEM;
	if (rc == LK_OK)
		rc = add_fields(obj, "values", f->values);
	if (rc == LK_OK)
		rc = add_fields(obj, "fields", f->fields);
	if (rc == LK_OK)
		rc = print_json(out, obj);
	delete_wiped(obj);
	return rc;
}

lk_status lk_flow__from_json(struct lk_flow **out, const char *json, size_t len)
{
	cJSON *obj = cJSON_ParseWithLength(json, len);
	struct lk_flow *f = NULL;
	lk_status rc = cJSON_IsObject(obj) ? LK_OK : LK_EINVAL;

	*out = NULL;
	if (rc == LK_OK) {
		f = lk_calloc(1, sizeof(*f));
		rc = f ? LK_OK : LK_ENOMEM;
	}
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "v");
	if (rc == LK_OK && (!cJSON_IsNumber(v) || v->valuedouble != 1))
		rc = LK_EINVAL;
	if (rc == LK_OK)
		rc = get_str(&f->id, obj, "id", true);
	if (rc == LK_OK)
		rc = get_str(&f->owner, obj, "owner", true);
	if (rc == LK_OK)
		rc = get_str(&f->app, obj, "app", true);
	if (rc == LK_OK)
		rc = get_i64(&f->expires, obj, "expires");
	if (rc == LK_OK)
		rc = lk_fields__from_json(
		    &f->values,
		    cJSON_GetObjectItemCaseSensitive(obj, "values"));
	if (rc == LK_OK)
		rc = lk_fields__from_json(
		    &f->fields,
		    cJSON_GetObjectItemCaseSensitive(obj, "fields"));
	delete_wiped(obj);
	if (rc != LK_OK) {
		lk_flow__free(f);
		return rc;
	}
	*out = f;
	return LK_OK;
}
