/* SPDX-License-Identifier: MIT */
/* The three legs of RFC 5849 section 2: temporary credentials, the
 * resource owner's authorization, the token request. */
#ifndef OAUTH1_FLOW_H
#define OAUTH1_FLOW_H
#include <latchkey/module.h>

lk_scheme_connect_begin_fn oauth1_flow_begin;
lk_scheme_connect_finish_fn oauth1_flow_finish;

/* The decoded value of query parameter @p name of @p url, into @p out
 * (lk_free); NULL when absent. A repeated name is ambiguous: refused
 * with LK_EPROTO. */
lk_status oauth1_flow_query_get(char **out, const char *url, const char *name);
#endif
