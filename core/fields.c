/* SPDX-License-Identifier: MIT */
/* lk_fields: an ordered key/value list whose secret values are wiped. */
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "fields.h"

struct lk_field {
	char *key;
	char *value;
	bool secret;
};

struct lk_fields {
	struct lk_field *items;
	size_t count;
	size_t cap;
};

lk_status lk_fields_new(lk_fields **out)
{
	*out = lk_calloc(1, sizeof(lk_fields));
	return *out ? LK_OK : LK_ENOMEM;
}

static void field_clear(struct lk_field *f)
{
	lk_free(f->key);
	if (f->secret)
		lk_str_wipe_free(f->value);
	else
		lk_free(f->value);
}

void lk_fields_free(lk_fields *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->count; i++)
		field_clear(&f->items[i]);
	lk_free(f->items);
	lk_free(f);
}

static struct lk_field *find(const lk_fields *f, const char *key)
{
	if (!f || !key)
		return NULL;
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->items[i].key, key) == 0)
			return &f->items[i];
	return NULL;
}

lk_status lk_fields_set(lk_fields *f, const char *key, const char *value,
			bool secret)
{
	if (!f || !key || !value)
		return LK_EINVAL;
	char *v = lk_strdup(value);
	if (!v)
		return LK_ENOMEM;
	struct lk_field *it = find(f, key);
	if (it) {
		if (it->secret)
			lk_str_wipe_free(it->value);
		else
			lk_free(it->value);
		it->value = v;
		it->secret = it->secret || secret;
		return LK_OK;
	}
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 8;
		struct lk_field *n = realloc(f->items, cap * sizeof(*n));
		if (!n) {
			lk_str_wipe_free(v);
			return LK_ENOMEM;
		}
		f->items = n;
		f->cap = cap;
	}
	char *k = lk_strdup(key);
	if (!k) {
		lk_str_wipe_free(v);
		return LK_ENOMEM;
	}
	f->items[f->count++] = (struct lk_field){k, v, secret};
	return LK_OK;
}

const char *lk_fields_get(const lk_fields *f, const char *key)
{
	const struct lk_field *it = find(f, key);
	return it ? it->value : NULL;
}

bool lk_fields_is_secret(const lk_fields *f, const char *key)
{
	const struct lk_field *it = find(f, key);
	return it && it->secret;
}

lk_status lk_fields_remove(lk_fields *f, const char *key)
{
	struct lk_field *it = find(f, key);
	if (!it)
		return LK_ENOTFOUND;
	size_t i = (size_t)(it - f->items);
	field_clear(it);
	memmove(&f->items[i], &f->items[i + 1],
		(f->count - i - 1) * sizeof(*it));
	f->count--;
	return LK_OK;
}

size_t lk_fields_count(const lk_fields *f)
{
	return f ? f->count : 0;
}

lk_status lk_fields_at(const lk_fields *f, size_t i, const char **key,
		       const char **value, bool *secret)
{
	if (!f || i >= f->count)
		return LK_EINVAL;
	if (key)
		*key = f->items[i].key;
	if (value)
		*value = f->items[i].value;
	if (secret)
		*secret = f->items[i].secret;
	return LK_OK;
}

lk_status lk_fields__merge(lk_fields *dst, const lk_fields *src)
{
	for (size_t i = 0; src && i < src->count; i++) {
		const struct lk_field *it = &src->items[i];
		lk_status rc = lk_fields_set(dst, it->key, it->value,
					     it->secret);
		if (rc != LK_OK)
			return rc;
	}
	return LK_OK;
}

lk_status lk_fields__dup(lk_fields **out, const lk_fields *f)
{
	lk_fields *n = NULL;
	lk_status rc = lk_fields_new(&n);
	if (rc == LK_OK)
		rc = lk_fields__merge(n, f);
	if (rc != LK_OK) {
		lk_fields_free(n);
		n = NULL;
	}
	*out = n;
	return rc;
}

lk_status lk_fields__to_json(cJSON **out, const lk_fields *f)
{
	cJSON *obj = cJSON_CreateObject();
	lk_status rc = obj ? LK_OK : LK_ENOMEM;
	for (size_t i = 0; rc == LK_OK && f && i < f->count; i++) {
		cJSON *e = cJSON_CreateObject();
		if (!e || !cJSON_AddStringToObject(e, "v", f->items[i].value) ||
		    !cJSON_AddBoolToObject(e, "s", f->items[i].secret)) {
			cJSON_Delete(e);
			rc = LK_ENOMEM;
			break;
		}
		cJSON_AddItemToObject(obj, f->items[i].key, e);
	}
	if (rc != LK_OK) {
		cJSON_Delete(obj);
		obj = NULL;
	}
	*out = obj;
	return rc;
}

lk_status lk_fields__from_json(lk_fields **out, const cJSON *obj)
{
	lk_fields *f = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!cJSON_IsObject(obj))
		return LK_EINVAL;
	rc = lk_fields_new(&f);
	const cJSON *e = NULL;
	cJSON_ArrayForEach(e, obj)
	{
		if (rc != LK_OK)
			break;
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, "v");
		const cJSON *s = cJSON_GetObjectItemCaseSensitive(e, "s");
		if (!e->string || !cJSON_IsString(v)) {
			rc = LK_EINVAL;
			break;
		}
		rc = lk_fields_set(f, e->string, v->valuestring,
				   cJSON_IsTrue(s));
	}
	if (rc != LK_OK) {
		lk_fields_free(f);
		return rc;
	}
	*out = f;
	return LK_OK;
}
