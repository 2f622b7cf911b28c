/* SPDX-License-Identifier: MIT */
/* {{name}} templates, escaped for where the value lands. */
#ifndef LK_TEMPLATE_H
#define LK_TEMPLATE_H
#include "core.h"

/* Where names are looked up: `extra` first (flow values), then `fields`
 * (auth fields), then the JSON `test_data` (a top-level key, else a
 * dotted path "a.b.0.c", array items by index). `bundle.authData.x`
 * names `fields` only, `bundle.inputData.a.b` the test data only. A
 * string, number or boolean renders as its text, null as "", an object
 * or array is refused. */
struct lk_tmpl_scope {
	const lk_fields *fields;
	const char *test_data;	/* JSON text or NULL */
	const lk_fields *extra; /* looked up first when set (flow values) */
};

/* Render @p tmpl into @p out (lk_free; lk_str_wipe_free when it may hold
 * a secret). Syntax: `{{name}}`, spaces allowed inside the braces, names
 * of [A-Za-z0-9_.-]. Escaping by target:
 * - LK_RENDER_URL: where each value lands is found from the template's
 *   own text (RFC 3986 section 3), never from the values: in the host a
 *   value must be one DNS label ([A-Za-z0-9-], 1-63 characters), in the
 *   port digits; in the path, query and fragment it is percent-encoded
 *   (curl_easy_escape: all but unreserved), and "." or ".." is refused
 *   in the path; a value in the scheme or userinfo is refused;
 * - LK_RENDER_HEADER: raw, but CR or LF (in a value or the template) is
 *   refused;
 * - LK_RENDER_JSON: the body of a JSON string (quotes not added);
 * - LK_RENDER_FORM: percent-encoded like URL components, so a space is
 *   %20 (never '+', which some servers decode as '+');
 * - LK_RENDER_TEXT: raw, but a secret field is refused (labels);
 * - LK_RENDER_RAW: raw, everything allowed (the caller encodes: signing).
 * @return LK_OK; LK_EINVAL: bad syntax ("@p where: template: ... at
 * position N", 1-based), "@p where: unknown field 'name' in template",
 * or a refused value (the message names the field, never its value);
 * LK_ENOMEM. On failure *out is NULL. */
LK_INTERNAL lk_status lk_template__render(char **out, const lk_ctx *ctx,
					  const char *tmpl,
					  lk_render_target target,
					  const struct lk_tmpl_scope *scope,
					  const char *where);
/* Check the syntax only (config checks): LK_OK, or LK_EINVAL with
 * *@p errmsg (lk_free; may be NULL) as "unterminated '{{' at position
 * 5" (1-based). */
LK_INTERNAL lk_status lk_template__check(const char *tmpl, char **errmsg);
#endif
