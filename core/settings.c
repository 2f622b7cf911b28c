/* SPDX-License-Identifier: MIT */
/* A libconfig tree copied into lk_setting, keeping file and line, so the
 * configuration outlives the libconfig object and every value can still
 * be reported as file:line. */
#include <string.h>

#include <libconfig.h>

#include "core.h"

const char *lk_settings__type_name(lk_setting_type t)
{
	switch (t) {
	case LK_SET_GROUP:
		return "a group";
	case LK_SET_STRING:
		return "a string";
	case LK_SET_INT:
		return "an integer";
	case LK_SET_FLOAT:
		return "a number";
	case LK_SET_BOOL:
		return "a boolean";
	case LK_SET_LIST:
		return "a list";
	}
	return "a value";
}

void lk_settings__free(lk_setting *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nkids; i++)
		lk_settings__free(s->kids[i]);
	lk_free(s->kids);
	lk_free(s->name);
	/* Strings may hold inline secrets: wipe them all. */
	lk_str_wipe_free(s->str);
	lk_free(s);
}

const lk_setting *lk_settings__get(const lk_setting *group, const char *name)
{
	if (!group || !name)
		return NULL;
	for (size_t i = 0; i < group->nkids; i++) {
		const lk_setting *k = group->kids[i];
		if (k->name && strcmp(k->name, name) == 0)
			return k;
	}
	return NULL;
}

const lk_setting *lk_settings__find(const lk_setting *group, const char *path)
{
	const lk_setting *s = group;
	const char *p = path;

	while (s && p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		const lk_setting *next = NULL;
		for (size_t i = 0; s->type == LK_SET_GROUP && i < s->nkids; i++)
			if (s->kids[i]->name &&
			    strncmp(s->kids[i]->name, p, n) == 0 &&
			    s->kids[i]->name[n] == '\0')
				next = s->kids[i];
		s = next;
		p = dot ? dot + 1 : NULL;
	}
	return s;
}

static lk_status copy(lk_setting **out, const config_setting_t *src,
		      const char *file, lk_settings_intern_fn *intern, void *ud)
{
	/* libconfig's accessors take non-const pointers but do not write. */
	config_setting_t *s = (config_setting_t *)src;
	lk_setting *d = lk_calloc(1, sizeof(*d));
	lk_status rc = LK_OK;

	*out = NULL;
	if (!d)
		return LK_ENOMEM;
	/* A setting from an @include'd file names that file. */
	const char *src_file = config_setting_source_file(s);
	if (intern && src_file) {
		file = intern(ud, src_file);
		if (!file) {
			rc = LK_ENOMEM;
			goto out;
		}
	}
	d->file = file;
	d->line = (int)config_setting_source_line(s);
	if (config_setting_name(s)) {
		d->name = lk_strdup(config_setting_name(s));
		if (!d->name) {
			rc = LK_ENOMEM;
			goto out;
		}
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_GROUP:
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST: {
		int n = config_setting_length(s);
		d->type = config_setting_type(s) == CONFIG_TYPE_GROUP
			      ? LK_SET_GROUP
			      : LK_SET_LIST;
		if (n > 0) {
			d->kids = lk_calloc((size_t)n, sizeof(*d->kids));
			if (!d->kids) {
				rc = LK_ENOMEM;
				goto out;
			}
		}
		for (int i = 0; i < n; i++) {
			rc = copy(&d->kids[i],
				  config_setting_get_elem(s, (unsigned)i), file,
				  intern, ud);
			if (rc != LK_OK)
				goto out;
			d->nkids++;
		}
		break;
	}
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		d->type = LK_SET_INT;
		d->i = config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		d->type = LK_SET_FLOAT;
		d->f = config_setting_get_float(s);
		break;
	case CONFIG_TYPE_BOOL:
		d->type = LK_SET_BOOL;
		d->b = config_setting_get_bool(s) != 0;
		break;
	case CONFIG_TYPE_STRING:
		d->type = LK_SET_STRING;
		d->str = lk_strdup(config_setting_get_string(s));
		if (!d->str)
			rc = LK_ENOMEM;
		break;
	default:
		rc = LK_ECONFIG; /* libconfig has no other type */
		break;
	}
out:
	if (rc != LK_OK)
		lk_settings__free(d);
	else
		*out = d;
	return rc;
}

lk_status lk_settings__copy(lk_setting **out,
			    const struct config_setting_t *src,
			    const char *file)
{
	return copy(out, src, file, NULL, NULL);
}

lk_status lk_settings__copy_from(lk_setting **out,
				 const struct config_setting_t *src,
				 const char *file,
				 lk_settings_intern_fn *intern, void *ud)
{
	return copy(out, src, file, intern, ud);
}
