/* SPDX-License-Identifier: MIT */
/* One parser for token responses: JSON, XML (any root), form. */
#ifndef LK_TOKEN_RESPONSE_H
#define LK_TOKEN_RESPONSE_H
#include "core.h"

#define LK_TOKEN_RESPONSE_MAX (256 * 1024)

/* Parse @p body by @p content_type (may be NULL), else by sniffing.
 * Nested keys are joined with '.', array items by index ("a.0.b").
 * @return LK_OK or LK_EPROTO (size cap, depth cap, malformed: the
 * message says which format and where, never a value). */
LK_INTERNAL lk_status lk_token_response__parse(lk_fields **out,
					       const lk_ctx *ctx,
					       const char *content_type,
					       const char *body, size_t len);
/* The same, as JSON text (test responses kept as inputData): JSON is
 * kept, XML and form are converted to an object. */
LK_INTERNAL lk_status lk_token_response__to_json(char **out,
						 const lk_ctx *ctx,
						 const char *content_type,
						 const char *body, size_t len);
#endif
