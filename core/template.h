/* SPDX-License-Identifier: MIT */
/* {{name}} templates, escaped for where the value lands. */
#ifndef LK_TEMPLATE_H
#define LK_TEMPLATE_H
#include "core.h"

/* Where names are looked up: `fields` first (auth fields), then the JSON
 * `test_data` (top level, or dotted paths); `bundle.authData.x` and
 * `bundle.inputData.a.b` name them explicitly. */
struct lk_tmpl_scope {
	const lk_fields *fields;
	const char *test_data; /* JSON text or NULL */
	const lk_fields *extra; /* looked up first when set (flow values) */
};

/* Render @p tmpl. LK_RENDER_URL: a value in the host must be a DNS label,
 * elsewhere it is percent-encoded; LK_RENDER_HEADER refuses CR/LF/NUL;
 * LK_RENDER_JSON JSON-escapes; LK_RENDER_FORM form-encodes;
 * LK_RENDER_TEXT is raw but refuses secret fields (labels). An unknown
 * name is LK_EINVAL naming it. @p where prefixes messages. */
LK_INTERNAL lk_status lk_template__render(char **out, const lk_ctx *ctx,
					  const char *tmpl,
					  lk_render_target target,
					  const struct lk_tmpl_scope *scope,
					  const char *where);
/* Names used by a template, for config checks. */
LK_INTERNAL lk_status lk_template__check(const char *tmpl, char **errmsg);
#endif
