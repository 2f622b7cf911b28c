/* SPDX-License-Identifier: MIT */
/* HTTP through libcurl: timeouts, size cap, TLS verified, no redirects. */
#ifndef LK_HTTP_H
#define LK_HTTP_H
#include "core.h"

/* Send @p req once; never follows redirects (the 3xx comes back).
 * https only, http when @p app allows it (app may be NULL: https only).
 * Logs the exchange at LK_LOG_DEBUG, redacted. @return LK_OK for any
 * HTTP answer, LK_ETIMEOUT, LK_ENET, LK_EPROTO (response too large),
 * LK_EINVAL (bad header or URL), LK_EDENIED (a scheme not allowed). */
LK_INTERNAL lk_status lk_http__send(lk_response **out, const lk_ctx *ctx,
				    const lk_app *app, const lk_request *req);
/* Free this thread's reused curl handle now (it is otherwise freed at
 * thread exit). For tests and hosts that end a thread's HTTP use. */
LK_INTERNAL void lk_http__thread_release(void);
LK_INTERNAL lk_status lk_request__dup(lk_request **out, const lk_request *r);
LK_INTERNAL lk_status lk_response__new(lk_response **out);
LK_INTERNAL lk_status lk_response__add_header(lk_response *resp,
					      const char *name,
					      const char *value);
LK_INTERNAL lk_status lk_response__set_body(lk_response *resp,
					    const void *data, size_t len);
/* Why this thread's latest refused lk_request_* call was refused (names
 * the header, never its value; not cleared by later successes); "" if
 * none yet. Lent, thread-local: the request API has no ctx for it. */
LK_INTERNAL const char *lk_request__error(void);
/* Is a header value free of CR, LF and NUL? */
LK_INTERNAL bool lk_header__value_ok(const char *value);
#endif
