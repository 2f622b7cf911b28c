/* SPDX-License-Identifier: MIT */
/* lk-provider: the provider emulator the end-to-end tests talk to.
 *
 * provider.c owns the HTTP server (libmicrohttpd, internal thread pool),
 * the request log and fault injection; each area (basic_apikey.c,
 * oauth2.c, ...) registers its routes from a constructor with LKP_AREA.
 * Handlers run on MHD worker threads: area state is guarded by
 * lkp_lock()/lkp_unlock().
 */
#ifndef LKP_PROVIDER_H
#define LKP_PROVIDER_H
#include <stddef.h>

/* A request as the emulator saw it; borrowed for the handler call. */
struct lkp_req;
const char *lkp_method(const struct lkp_req *r);
/* Path without the query string. */
const char *lkp_path(const struct lkp_req *r);
/* Header value, name case-insensitive; NULL if absent. */
const char *lkp_header(const struct lkp_req *r, const char *name);
/* Decoded query parameter or NULL. */
const char *lkp_query(const struct lkp_req *r, const char *name);
/* Decoded x-www-form-urlencoded body parameter or NULL. */
const char *lkp_form(const struct lkp_req *r, const char *name);
/* The query string as sent (without '?'), "" if none. */
const char *lkp_raw_query(const struct lkp_req *r);
/* The body as received, NUL-terminated; @p len (may be NULL) gets its
 * length. Never NULL ("" when empty). */
const char *lkp_body(const struct lkp_req *r, size_t *len);
/* "http://127.0.0.1:PORT" of this emulator. */
const char *lkp_base(void);

/* The response a handler fills. A handler that sends nothing answers
 * 500 "handler sent no response". */
struct lkp_resp;
/* Set the status without a body (e.g. 204, 302 with lkp_set_header). */
void lkp_status(struct lkp_resp *w, unsigned status);
/* Add a response header; may be called several times, adds. */
void lkp_set_header(struct lkp_resp *w, const char *name, const char *value);
/* Status, Content-Type and body (copied). */
void lkp_send(struct lkp_resp *w, unsigned status, const char *content_type,
	      const char *body);
void lkp_sendf(struct lkp_resp *w, unsigned status, const char *content_type,
	       const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* application/json {"error":..., "error_description":...}
 * (@p description may be NULL: omitted). */
void lkp_json_error(struct lkp_resp *w, unsigned status, const char *error,
		    const char *description);

typedef void (*lkp_handler)(const struct lkp_req *r, struct lkp_resp *w);

/* Areas register routes from a constructor:
 * LKP_AREA(name) { lkp_route(...); }
 * @p method NULL matches any method; the longest matching path prefix
 * wins. Strings must be static. */
void lkp_route(const char *method, const char *path_prefix, lkp_handler fn);
/* @p fn runs on POST /_/reset (tests start from a clean state) and once
 * more at exit, after the server stopped (so area state frees cleanly). */
void lkp_on_reset(void (*fn)(void));
/* One global mutex for area state (handlers run on a thread pool). */
void lkp_lock(void);
void lkp_unlock(void);

#define LKP_AREA(name)                                                         \
	static void name(void) __attribute__((constructor));                   \
	static void name(void)

#endif
