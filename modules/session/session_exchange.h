/* SPDX-License-Identifier: MIT */
/* session.so: the login exchange. The request is built from the app's
 * session block (request_method, request_url, request_headers,
 * request_body in request_format), sent through the core's HTTP, and
 * its answer classified and parsed. */
#ifndef SESSION_EXCHANGE_H
#define SESSION_EXCHANGE_H
#include <stdbool.h>

#include <latchkey/module.h>

/*
 * Log in with the call's fields (the ones being connected, or the
 * connection's). @p refreshing says what a refusal means: when
 * refreshing, 401/403 is LK_EEXPIRED (the stored credentials no longer
 * work); when connecting, it is LK_EAUTH.
 * @return LK_OK with *out the fields to store (the token, secret, and
 * the extra fields); LK_EEXPIRED / LK_EAUTH (refused); LK_EHTTP (5xx and
 * other error statuses: transient or a malformed login); LK_ETIMEOUT,
 * LK_ENET (transient); LK_EPROTO (an answer without a usable token).
 * The message names the login request by its template, never a value.
 * Ownership: *out goes to lk_fields_free; NULL on failure.
 */
lk_status session_exchange_run(lk_fields **out, lk_call *call, bool refreshing);
#endif
