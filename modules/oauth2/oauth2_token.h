/* SPDX-License-Identifier: MIT */
/* The token endpoint (RFC 6749 sections 4.1.3, 5 and 6): sending a grant
 * as body, query or auto with client_secret_post or _basic, and reading
 * the answer into the fields a connection keeps. */
#ifndef OAUTH2_TOKEN_H
#define OAUTH2_TOKEN_H
#include <latchkey/module.h>

#include "oauth2_params.h"

/* Which grant: the status of a refused grant depends on it. */
enum oauth2_grant {
	OAUTH2_GRANT_CODE = 1,	  /* authorization_code, at connect */
	OAUTH2_GRANT_REFRESH = 2, /* refresh_token */
};

/*
 * POST the grant in @p p to the URL template of setting @p url_key, with
 * the app's client authentication and token_request mode, and parse the
 * answer (JSON, XML or form, through the core's parser).
 * @return LK_OK with the parsed fields in @p out (access_token present);
 *  LK_EEXPIRED: a refresh refused with invalid_grant (RFC 6749 5.2);
 *  LK_ECONFIG: invalid_client or unauthorized_client (the app's client
 *  credentials, not the user's connection);
 *  LK_EAUTH: any other error answer, in the provider's words;
 *  LK_EHTTP: a 5xx without an error code (transient);
 *  LK_EPROTO: an answer that is not a token response;
 *  LK_ENET, LK_ETIMEOUT from the transport.
 */
lk_status oauth2_token_request(lk_fields **out, lk_call *call,
			       const char *url_key, struct oauth2_params *p,
			       enum oauth2_grant grant);

/*
 * Copy what a connection keeps from a parsed token response into
 * @p dst: access_token, refresh_token, token_type, scope, expires_in,
 * expires_at (now + expires_in; "" when unknown or when refresh is off,
 * so no policy refreshes what cannot be refreshed) and the app's
 * extra_fields. Secret flags follow the parser's.
 */
lk_status oauth2_token_keep(lk_fields *dst, lk_call *call,
			    const lk_fields *parsed);

/* The provider's words (error, error_description) made fit for a
 * message and a terminal: printable ASCII ('?' for the rest), at most
 * @p size - 1 characters. @p s may be NULL (""). */
void oauth2_words(char *out, size_t size, const char *s);

/* Is refresh configured (refresh_token_url set)? */
bool oauth2_token_can_refresh(lk_call *call);
#endif
