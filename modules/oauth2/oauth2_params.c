/* SPDX-License-Identifier: MIT */
/* OAuth 2.0 request parameters as query or form body (RFC 6749 B). */
#include <string.h>

#include "oauth2_params.h"

lk_status oauth2_params_add(struct oauth2_params *p, const char *name,
			    const char *value)
{
	if (!value)
		return LK_OK;
	if (p->n >= OAUTH2_PARAMS_MAX)
		return LK_EINVAL;
	p->name[p->n] = name;
	p->value[p->n] = value;
	p->n++;
	return LK_OK;
}

lk_status oauth2_params_to_query(lk_request *req, const struct oauth2_params *p)
{
	lk_status rc = LK_OK;

	for (size_t i = 0; rc == LK_OK && i < p->n; i++)
		rc = lk_request_add_query(req, p->name[i], p->value[i]);
	return rc;
}

lk_status oauth2_params_encode(char **out, const struct oauth2_params *p)
{
	lk_request *scratch = NULL;
	/* The query of a scratch URL is exactly the form encoding: names
	 * and values escaped, a space as '+' (libcurl's URLENCODE). */
	lk_status rc =
	    lk_request_new(&scratch, "POST", "http://params.invalid/");

	*out = NULL;
	if (rc == LK_OK)
		rc = oauth2_params_to_query(scratch, p);
	if (rc == LK_OK) {
		const char *q = strchr(lk_request_url(scratch), '?');
		*out = lk_strdup(q ? q + 1 : "");
		rc = *out ? LK_OK : LK_ENOMEM;
	}
	lk_request_free(scratch);
	return rc;
}
