/* SPDX-License-Identifier: MIT */
/* session.so: place the session token on a request, by header templates
 * ("Authorization: Bearer {{session_key}}") or query templates. */
#ifndef SESSION_PLACE_H
#define SESSION_PLACE_H
#include <latchkey/module.h>

/* Render "Name: value" (CR, LF, NUL refused) and set that header on
 * @p req, replacing any of the same name. @p what names the setting in
 * messages ("session.headers[0]"). */
lk_status session_place_header(lk_call *call, lk_request *req, const char *tmpl,
			       const char *what);
/* Render "name=value" as a query component (percent-encoded) and append
 * it to @p req's URL with '?' or '&', before any fragment. */
lk_status session_place_query(lk_call *call, lk_request *req, const char *tmpl);
#endif
