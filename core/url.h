/* SPDX-License-Identifier: MIT */
/* URL policy: base_urls, schemes, redirects (libcurl's URL API). */
#ifndef LK_URL_H
#define LK_URL_H
#include "core.h"

/* Is @p url under one of the app's base_urls (rendered with @p fields)?
 * Scheme, host and port exactly; path on a segment boundary; userinfo
 * refused. @return LK_OK or LK_EDENIED with a message. */
LK_INTERNAL lk_status lk_url__check_base(const lk_ctx *ctx, const lk_app *app,
					 const lk_fields *fields,
					 const char *url);
/* Parse-check a URL: https, or http when @p allow_http. */
LK_INTERNAL lk_status lk_url__check_scheme(const lk_ctx *ctx, const char *url,
					   bool allow_http);
/* Same scheme, host and port? */
LK_INTERNAL bool lk_url__same_origin(const char *a, const char *b);
/* Resolve a Location against a base URL. @p out to lk_free. */
LK_INTERNAL lk_status lk_url__resolve(char **out, const char *base,
				      const char *location);
#endif
