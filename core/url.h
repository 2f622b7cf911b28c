/* SPDX-License-Identifier: MIT */
/* URL policy: base_urls, schemes, redirects (libcurl's URL API). */
#ifndef LK_URL_H
#define LK_URL_H
#include <curl/curl.h>

#include "core.h"

/* Is @p url under one of the app's base_urls (rendered with @p fields)?
 * Scheme, host and port exactly; path on a segment boundary; userinfo
 * refused. @return LK_OK or LK_EDENIED with a message. */
LK_INTERNAL lk_status lk_url__check_base(const lk_ctx *ctx, const lk_app *app,
					 const lk_fields *fields,
					 const char *url);
/* A parsed URL's scheme: https, or http when @p allow_http. */
LK_INTERNAL lk_status lk_url__check_scheme(const lk_ctx *ctx, CURLU *u,
					   bool allow_http);
/* Parse the app's base_urls once (at bind), so a check parses only the
 * request's URL; templated ones are still rendered per check. */
LK_INTERNAL lk_status lk_url__prepare_bases(lk_app *app);
LK_INTERNAL void lk_url__free_bases(lk_app *app);
/* Same scheme, host and port? */
LK_INTERNAL bool lk_url__same_origin(const char *a, const char *b);
/* Resolve a Location against a base URL. @p out to lk_free. */
LK_INTERNAL lk_status lk_url__resolve(char **out, const char *base,
				      const char *location);
#endif
