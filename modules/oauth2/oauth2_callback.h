/* SPDX-License-Identifier: MIT */
/* Reading the redirect back from the authorization server (RFC 6749
 * section 4.1.2): one parameter of a callback URL's query. Pure code,
 * fuzzable: the URL comes from a browser, so it is untrusted. */
#ifndef OAUTH2_CALLBACK_H
#define OAUTH2_CALLBACK_H
#include <latchkey/module.h>

/* The decoded value of the first @p name in @p url's query ('+' is a
 * space, %XX a byte), or *out NULL when absent. A bad escape or an
 * encoded NUL is LK_EINVAL. @p out goes to lk_str_wipe_free. */
lk_status oauth2_callback_param(char **out, const char *url, const char *name);
#endif
