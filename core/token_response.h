/* SPDX-License-Identifier: MIT */
/* One parser for token responses: JSON, XML (any root), form. */
#ifndef LK_TOKEN_RESPONSE_H
#define LK_TOKEN_RESPONSE_H
#include "core.h"

#define LK_TOKEN_RESPONSE_MAX (256 * 1024)

/* Parse @p body (@p len bytes, need not be NUL-terminated) by
 * @p content_type (may be NULL; parameters such as charset ignored):
 * application/json, text/json or +json; application/xml, text/xml or
 * +xml; application/x-www-form-urlencoded. Any other type, or none, is
 * sniffed: a first non-space '{' or '[' is JSON, '<' XML, else form.
 * Nested keys are joined with '.', array items by index ("a.0.b").
 * JSON: numbers and booleans as their text, null values absent. XML
 * (libxml2, no network, a DOCTYPE refused so no entity ever expands):
 * the root's leaf elements are keys (a root without children is itself
 * the one key), text trimmed, attributes ignored, a name repeated among
 * siblings indexed like an array. Form: '+' is a space, then
 * percent-decoding; the last of a repeated key wins. Values under keys
 * that name credentials (token, secret, password, key, session,
 * signature, assertion, cookie; not *_type or expires*) are flagged
 * secret, so they are wiped and never shown.
 * Caps: LK_TOKEN_RESPONSE_MAX bytes, nesting 32, 1000 keys.
 * @return LK_OK or LK_EPROTO ("token response: FORMAT: problem at
 * offset N", never a value); LK_ENOMEM. On failure *out is NULL. */
LK_INTERNAL lk_status lk_token_response__parse(lk_fields **out,
					       const lk_ctx *ctx,
					       const char *content_type,
					       const char *body, size_t len);
/* The same, as JSON text (lk_free; test responses kept as inputData):
 * JSON is kept as it came (trimmed), XML and form are converted to an
 * object (all values strings; repeated XML names become arrays). */
LK_INTERNAL lk_status lk_token_response__to_json(char **out, const lk_ctx *ctx,
						 const char *content_type,
						 const char *body, size_t len);
#endif
