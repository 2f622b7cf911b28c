/* SPDX-License-Identifier: MIT */
/* session.so: the session token and extra fields of a login response. */
#include <stdio.h>
#include <string.h>

#include "session_token.h"

/* True when some key of @p f lies below @p path ("path." prefix): the
 * path names an object or an array, not a value. */
static bool has_children(const lk_fields *f, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = 0; i < lk_fields_count(f); i++) {
		const char *key = NULL;
		if (lk_fields_at(f, i, &key, NULL, NULL) != LK_OK)
			continue;
		if (strncmp(key, path, n) == 0 && key[n] == '.')
			return true;
	}
	return false;
}

/* A token goes into a header or a URL: printable ASCII without spaces
 * (RFC 6750's b64token is narrower; real session keys are not). */
static const char *token_problem(const char *tok)
{
	size_t n = strlen(tok);

	if (n == 0)
		return "is empty";
	if (n > SESSION_TOKEN_MAX)
		return "is longer than 4096 bytes";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)tok[i];
		if (c < 0x21 || c > 0x7e)
			return "holds a space, a control or a non-ASCII "
			       "character";
	}
	return NULL;
}

char *session_token_extra_name(const char *path)
{
	char *name = lk_strdup(path);

	for (char *p = name; p && *p; p++)
		if (*p == '.')
			*p = '_';
	return name;
}

lk_status session_token_take(lk_fields **out, const lk_fields *parsed,
			     const struct session_token_spec *spec, char *err,
			     size_t errlen)
{
	lk_fields *f = NULL;
	char *name = NULL;
	const char *tok = lk_fields_get(parsed, spec->token_path);
	const char *why = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!tok)
		why = has_children(parsed, spec->token_path)
			  ? "is an object or an array, not a string"
			  : "is missing";
	else
		why = token_problem(tok);
	if (why) {
		snprintf(err, errlen,
			 "the login response's token \"%s\" (token_path) %s",
			 spec->token_path, why);
		return LK_EPROTO;
	}
	rc = lk_fields_new(&f);
	if (rc == LK_OK)
		rc = lk_fields_set(f, spec->field, tok, true);
	for (size_t i = 0; rc == LK_OK && i < spec->nextras; i++) {
		const char *path = spec->extras[i];
		const char *v = lk_fields_get(parsed, path);
		if (!v)
			continue;
		name = session_token_extra_name(path);
		if (!name) {
			rc = LK_ENOMEM;
			break;
		}
		rc = lk_fields_set(f, name, v,
				   lk_fields_is_secret(parsed, path));
		lk_free(name);
		name = NULL;
	}
	if (rc != LK_OK) {
		snprintf(err, errlen, "out of memory");
		lk_fields_free(f);
		f = NULL;
	}
	*out = f;
	return rc;
}
