/* SPDX-License-Identifier: MIT */
/* The parameters of one OAuth 2.0 request (RFC 6749 appendix B), placed
 * in a URL's query or a form body. Encoding is the core's (libcurl's URL
 * API through lk_request_add_query), never hand-rolled. */
#ifndef OAUTH2_PARAMS_H
#define OAUTH2_PARAMS_H
#include <latchkey/module.h>

#define OAUTH2_PARAMS_MAX 12

/* Names and values are borrowed: they must outlive the params. */
struct oauth2_params {
	size_t n;
	const char *name[OAUTH2_PARAMS_MAX];
	const char *value[OAUTH2_PARAMS_MAX];
};

/* Add one parameter; a NULL value is skipped (an unset optional one).
 * @return LK_EINVAL when full. */
lk_status oauth2_params_add(struct oauth2_params *p, const char *name,
			    const char *value);
/* Append every parameter to @p req's URL query, in order. */
lk_status oauth2_params_to_query(lk_request *req,
				 const struct oauth2_params *p);
/* "a=1&b=2" form encoding (application/x-www-form-urlencoded), to
 * lk_str_wipe_free (it may carry a secret). */
lk_status oauth2_params_encode(char **out, const struct oauth2_params *p);
#endif
