/* SPDX-License-Identifier: MIT */
/* session.so: the session token placed by header or query templates. */
#include <string.h>

#include "session_place.h"

lk_status session_place_header(lk_call *call, lk_request *req, const char *tmpl,
			       const char *what)
{
	char *line = NULL, *colon, *val;
	lk_status rc = lk_call_render(&line, call, tmpl, LK_RENDER_HEADER);

	if (rc != LK_OK)
		return rc;
	colon = strchr(line, ':');
	if (!colon || colon == line) {
		lk_str_wipe_free(line);
		return lk_call_error(call, LK_ECONFIG,
				     "session: %s is not \"Name: value\"",
				     what);
	}
	*colon = '\0';
	for (val = colon + 1; *val == ' ' || *val == '\t'; val++)
		;
	rc = lk_request_set_header(req, line, val);
	if (rc != LK_OK)
		rc = lk_call_error(call, rc,
				   "session: %s: not a valid header name or "
				   "value",
				   what);
	lk_str_wipe_free(line);
	return rc;
}

/* Rendered behind a '?' so that values are escaped as query parts. */
lk_status session_place_query(lk_call *call, lk_request *req, const char *tmpl)
{
	const char *url = lk_request_url(req);
	size_t tl = strlen(tmpl), ul = strlen(url), ql, base, o;
	char *t = NULL, *q = NULL, *nu = NULL;
	const char *hash;
	lk_status rc = LK_OK;

	t = lk_malloc(tl + 2);
	if (!t)
		return LK_ENOMEM;
	t[0] = '?';
	memcpy(t + 1, tmpl, tl + 1);
	rc = lk_call_render(&q, call, t, LK_RENDER_URL);
	lk_free(t);
	if (rc != LK_OK)
		return rc;
	ql = strlen(q + 1);
	nu = lk_malloc(ul + 1 + ql + 1);
	if (!nu) {
		lk_str_wipe_free(q);
		return LK_ENOMEM;
	}
	hash = strchr(url, '#');
	base = hash ? (size_t)(hash - url) : ul;
	memcpy(nu, url, base);
	o = base;
	if (!memchr(url, '?', base))
		nu[o++] = '?';
	else if (base > 0 && url[base - 1] != '?' && url[base - 1] != '&')
		nu[o++] = '&';
	memcpy(nu + o, q + 1, ql);
	nu[o + ql] = '\0';
	lk_str_wipe_free(q);
	rc = lk_request_set_url(req, nu);
	lk_str_wipe_free(nu);
	return rc;
}
