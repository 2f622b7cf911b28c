/* SPDX-License-Identifier: MIT */
/* session.so: pick the session token and the extra fields out of a parsed
 * login response (pure: no request, no network). */
#ifndef SESSION_TOKEN_H
#define SESSION_TOKEN_H
#include <stddef.h>

#include <latchkey/module.h>

/* Longest session token accepted: larger is a broken or hostile answer. */
#define SESSION_TOKEN_MAX 4096

/* What the login response must yield, from the app's session block. */
struct session_token_spec {
	const char *token_path;	   /* dotted path: "data.session.key" */
	const char *field;	   /* stored under this field: "session_key" */
	const char *const *extras; /* extra_fields paths, may be NULL */
	size_t nextras;
};

/*
 * Build the fields to store from @p parsed (lk_token_response_parse's
 * flat fields): the token under spec->field (secret; the first entry),
 * and each extra field found under its path with '.' turned into '_'
 * ("data.user.id" is stored as "data_user_id"), secret when the parser
 * flagged it. An extra field missing from the answer is skipped.
 * @return LK_OK; LK_EPROTO when the token is missing, empty, an object
 * or array, too long or not printable ASCII (@p err says which, never
 * the value); LK_ENOMEM. On failure *out is NULL.
 * Ownership: *out goes to lk_fields_free.
 */
lk_status session_token_take(lk_fields **out, const lk_fields *parsed,
			     const struct session_token_spec *spec, char *err,
			     size_t errlen);

/* The stored name of an extra field's path ('.' becomes '_'); lk_free. */
char *session_token_extra_name(const char *path);
#endif
