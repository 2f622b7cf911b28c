/* SPDX-License-Identifier: MIT */
/* The app's test request and the classification of its failures. */
#ifndef LK_TESTREQ_H
#define LK_TESTREQ_H
#include "core.h"

/* Run the test request with @p conn; on success @p out_json (lk_free) is
 * the response as JSON (inputData). Failures carry a message saying what
 * to check: 404, 401/403, 400, unparsable, timeout, 5xx. */
LK_INTERNAL lk_status lk_testreq__run(char **out_json, lk_ctx *ctx,
				      lk_app *app, lk_conn *conn);
#endif
