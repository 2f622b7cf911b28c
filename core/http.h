/* SPDX-License-Identifier: MIT */
/* HTTP through libcurl: timeouts, size cap, TLS verified, no redirects. */
#ifndef LK_HTTP_H
#define LK_HTTP_H
#include "core.h"

/* Send @p req once; never follows redirects (the 3xx comes back).
 * https only, http when @p app allows it (app may be NULL: https only).
 * Logs the exchange at LK_LOG_DEBUG, redacted. @return LK_OK for any
 * HTTP answer, LK_ETIMEOUT, LK_ENET, LK_EPROTO (response too large),
 * LK_EINVAL (bad header). */
LK_INTERNAL lk_status lk_http__send(lk_response **out, const lk_ctx *ctx,
				    const lk_app *app, const lk_request *req);
LK_INTERNAL lk_status lk_request__dup(lk_request **out, const lk_request *r);
LK_INTERNAL lk_status lk_response__new(lk_response **out);
LK_INTERNAL lk_status lk_response__add_header(lk_response *resp,
					      const char *name,
					      const char *value);
LK_INTERNAL lk_status lk_response__set_body(lk_response *resp,
					    const void *data, size_t len);
/* Is a header value free of CR, LF and NUL? */
LK_INTERNAL bool lk_header__value_ok(const char *value);
#endif
