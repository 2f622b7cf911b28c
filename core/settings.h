/* SPDX-License-Identifier: MIT */
/* A configuration tree copied out of libconfig, kept with file:line. */
#ifndef LK_SETTINGS_H
#define LK_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include <latchkey/status.h>

typedef enum lk_setting_type {
	LK_SET_GROUP = 1,
	LK_SET_STRING,
	LK_SET_INT,
	LK_SET_FLOAT,
	LK_SET_BOOL,
	LK_SET_LIST, /* a libconfig array [..] or list (..) */
} lk_setting_type;

typedef struct lk_setting {
	char *name; /* NULL for list elements */
	lk_setting_type type;
	char *str;
	long long i;
	double f;
	bool b;
	struct lk_setting **kids; /* group members or list elements */
	size_t nkids;
	const char *file; /* interned by the ctx; not owned */
	int line;
} lk_setting;

/* Forward-declared to keep libconfig out of every file. */
struct config_setting_t;

/* Copy a libconfig setting (and its children); @p file is kept as is. */
__attribute__((visibility("hidden"))) lk_status
lk_settings__copy(lk_setting **out, const struct config_setting_t *src,
		  const char *file);
/* Map a libconfig source file name to the name settings keep (lent for
 * the tree's life); NULL when out of memory. */
typedef const char *lk_settings_intern_fn(void *ud, const char *path);
/* As lk_settings__copy, but a setting read from an @include'd file
 * keeps that file's name, through @p intern; @p file names the rest. */
__attribute__((visibility("hidden"))) lk_status
lk_settings__copy_from(lk_setting **out, const struct config_setting_t *src,
		       const char *file, lk_settings_intern_fn *intern,
		       void *ud);
/* Member of a group by name, or NULL. */
__attribute__((visibility("hidden"))) const lk_setting *
lk_settings__get(const lk_setting *group, const char *name);
/* Member by dotted path through nested groups ("request.url"), or NULL. */
__attribute__((visibility("hidden"))) const lk_setting *
lk_settings__find(const lk_setting *group, const char *path);
/* Human name of a type ("a string", "an integer", ...). */
__attribute__((visibility("hidden"))) const char *
lk_settings__type_name(lk_setting_type t);
__attribute__((visibility("hidden"))) void lk_settings__free(lk_setting *s);

#endif
