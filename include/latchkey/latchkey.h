/* SPDX-License-Identifier: MIT */
/*
 * latchkey host API: contexts, apps, connections and requests.
 *
 * Threading: an lk_ctx may be shared by many threads once it is loaded;
 * every function taking a ctx is thread-safe unless it says otherwise.
 * lk_conn, lk_request, lk_response and lk_fields are not: use one per
 * thread. Error detail is kept per ctx and per thread (lk_errmsg).
 *
 * Ownership: a handle from lk_<type>_new/_open is freed with
 * lk_<type>_free (NULL accepted). A `const char *` returned by an accessor
 * is lent: it lives until the object changes or is freed. Strings the
 * caller must free arrive through an `out` parameter and go to lk_free.
 */
#ifndef LATCHKEY_LATCHKEY_H
#define LATCHKEY_LATCHKEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <latchkey/status.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LK_VERSION_MAJOR 0
#define LK_VERSION_MINOR 1

typedef struct lk_ctx lk_ctx;
typedef struct lk_app lk_app;
typedef struct lk_conn lk_conn;
typedef struct lk_conn_list lk_conn_list;
typedef struct lk_fields lk_fields;
typedef struct lk_request lk_request;
typedef struct lk_response lk_response;

/* ---------------------------------------------------------------- memory */

/** Allocate; NULL on failure. Memory crossing the API goes to lk_free. */
LK_API void *lk_malloc(size_t n);
/** Zeroed allocation of n*size bytes, overflow-checked. */
LK_API void *lk_calloc(size_t n, size_t size);
/** Duplicate a string; NULL in, NULL out. */
LK_API char *lk_strdup(const char *s);
/** Free memory from any lk_* allocator. NULL accepted. */
LK_API void lk_free(void *p);
/** Wipe len bytes with OPENSSL_cleanse, then free. NULL accepted. */
LK_API void lk_secret_free(void *p, size_t len);
/** Wipe a NUL-terminated string, then free. NULL accepted. */
LK_API void lk_str_wipe_free(char *s);

/* --------------------------------------------------------------- logging */

typedef enum lk_log_level {
	LK_LOG_ERROR = 0,
	LK_LOG_WARN = 1,
	LK_LOG_INFO = 2,
	LK_LOG_DEBUG = 3, /**< the HTTP exchange, redacted (-v) */
} lk_log_level;

/**
 * Log sink. @p msg has every known secret already replaced by
 * "[REDACTED]". Called from any thread that uses the ctx.
 */
typedef void (*lk_log_fn)(void *userdata, lk_log_level level, const char *msg);

typedef enum lk_event_type {
	LK_EVENT_EXPIRED = 1, /**< a connection was marked expired */
	LK_EVENT_REFRESHED = 2, /**< a connection's credentials were renewed */
} lk_event_type;

/** What an event is about; every pointer is borrowed for the call. */
typedef struct lk_event {
	lk_event_type type;
	const char *owner;
	const char *app;
	const char *connection_id;
	const char *reason; /**< no secret; may be NULL */
} lk_event;

typedef void (*lk_event_fn)(void *userdata, const lk_event *ev);

/* ---------------------------------------------------------------- fields */

/** An ordered list of key/value strings, each flagged secret or not. */
LK_API lk_status lk_fields_new(lk_fields **out);
LK_API void lk_fields_free(lk_fields *f);
/** Set (copying) a value; replaces an existing key. Secret values are
 * wiped when replaced or freed. */
LK_API lk_status lk_fields_set(lk_fields *f, const char *key,
			       const char *value, bool secret);
/** Lent value or NULL. */
LK_API const char *lk_fields_get(const lk_fields *f, const char *key);
LK_API bool lk_fields_is_secret(const lk_fields *f, const char *key);
LK_API lk_status lk_fields_remove(lk_fields *f, const char *key);
LK_API size_t lk_fields_count(const lk_fields *f);
/** Entry i (0-based): lent key and value, and its secret flag. */
LK_API lk_status lk_fields_at(const lk_fields *f, size_t i, const char **key,
			      const char **value, bool *secret);

/* --------------------------------------------------------------- context */

/**
 * Create a context. It holds no configuration until lk_ctx_load.
 * @return LK_OK or LK_ENOMEM. Ownership: free with lk_ctx_free.
 */
LK_API lk_status lk_ctx_new(lk_ctx **out);

/**
 * Load latchkey.conf and its apps.d. @p config_path NULL means
 * $LATCHKEY_CONFIG, then the installed default. Not thread-safe: call it
 * once, before sharing the ctx.
 * @return LK_OK, LK_ECONFIG (lk_errmsg gives "file:line: message"; every
 * problem found is also passed to the log callback at LK_LOG_ERROR).
 */
LK_API lk_status lk_ctx_load(lk_ctx *ctx, const char *config_path);

/**
 * Load every module the apps name and validate their blocks (what
 * `latchkey check-config` does). @p nproblems receives the count.
 */
LK_API lk_status lk_ctx_check(lk_ctx *ctx, size_t *nproblems);

LK_API void lk_ctx_free(lk_ctx *ctx);

/** The last error message of this thread on this ctx ("" if none); lent
 * until the thread's next call on the ctx. */
LK_API const char *lk_errmsg(const lk_ctx *ctx);

/** Set the log sink and the most verbose level passed to it. */
LK_API void lk_ctx_set_log(lk_ctx *ctx, lk_log_fn fn, void *userdata,
			   lk_log_level level);
/** Set the event sink (expired connections...). */
LK_API void lk_ctx_set_events(lk_ctx *ctx, lk_event_fn fn, void *userdata);

/* ------------------------------------------------------------------ apps */

LK_API size_t lk_app_count(const lk_ctx *ctx);
/** App i in id order; lent for the life of the ctx. */
LK_API const lk_app *lk_app_at(const lk_ctx *ctx, size_t i);
/** Find an app by id. @return LK_OK or LK_ENOTFOUND. */
LK_API lk_status lk_app_find(const lk_app **out, lk_ctx *ctx, const char *id);
LK_API const char *lk_app_id(const lk_app *app);
LK_API const char *lk_app_title(const lk_app *app);
LK_API const char *lk_app_scheme(const lk_app *app);
/** False for apps of a scheme that needs no authentication (none). */
LK_API bool lk_app_needs_auth(lk_ctx *ctx, const lk_app *app);
/** True when connecting goes through a browser redirect (OAuth). */
LK_API bool lk_app_is_redirect_flow(lk_ctx *ctx, const lk_app *app);
/** The fields a user supplies to connect: the app's, then the scheme's. */
LK_API size_t lk_app_field_count(lk_ctx *ctx, const lk_app *app);
LK_API lk_status lk_app_field_at(lk_ctx *ctx, const lk_app *app, size_t i,
				 const char **key, const char **label,
				 bool *required, bool *secret);

/** One loadable module, as `latchkey modules` prints it. */
typedef struct lk_module_info {
	const char *name;
	const char *version;
	unsigned abi_major, abi_minor;
	bool scheme, refresh, hooks; /**< kinds it provides */
	const char *error; /**< why it did not load, or NULL */
} lk_module_info;

/** Load every module in module_path and describe it. @p out is an array
 * of @p count entries, freed with lk_module_info_free. */
LK_API lk_status lk_modules_list(lk_module_info **out, size_t *count,
				 lk_ctx *ctx);
LK_API void lk_module_info_free(lk_module_info *infos, size_t count);

/* ----------------------------------------------------------- connections */

/**
 * Connect an account from fields (basic, apikey, session, digest...): the
 * scheme prepares the stored fields, the app's test request runs, and only
 * when it passes is the connection stored, numbered and labelled.
 * @return LK_OK; LK_EINVAL (a required field missing: message names it);
 * LK_EDENIED (the app needs no authentication, or uses a redirect flow);
 * the test classification (LK_EAUTH, LK_EHTTP, LK_EPROTO, LK_ETIMEOUT,
 * LK_ENET); LK_ESTORE. On failure nothing is stored.
 */
LK_API lk_status lk_connect(lk_conn **out, lk_ctx *ctx, const char *owner,
			    const char *app_id, const lk_fields *fields);

/**
 * The redirect (callback) URI the app's scheme block configures, as
 * written (oauth2 `redirect_uri`, oauth1 `callback_url`), or NULL when
 * the scheme has none or the app sets none. A host that receives the
 * redirect itself (a loopback listener, RFC 8252) reads it here, picks
 * the port when it names none, and passes the result to
 * lk_connect_begin. Borrowed: valid while @p ctx keeps its
 * configuration. Since 1.1.
 */
LK_API const char *lk_app_redirect_uri(lk_ctx *ctx, const lk_app *app);

/**
 * Begin a redirect flow (OAuth). @p redirect_uri overrides the app's.
 * @p out_flow (flow id) and @p out_url (authorize URL) go to lk_free.
 */
LK_API lk_status lk_connect_begin(char **out_flow, char **out_url,
				  lk_ctx *ctx, const char *owner,
				  const char *app_id, const lk_fields *fields,
				  const char *redirect_uri);

/** Finish a redirect flow from the URL the provider redirected to. */
LK_API lk_status lk_connect_finish(lk_conn **out, lk_ctx *ctx,
				   const char *owner, const char *flow,
				   const char *callback_url);

/** Open a connection of @p owner. @return LK_ENOTFOUND for an unknown id
 * or another owner's connection (the two are indistinguishable). */
LK_API lk_status lk_conn_open(lk_conn **out, lk_ctx *ctx, const char *owner,
			      const char *id);
LK_API void lk_conn_free(lk_conn *conn);

/** List @p owner's connections, of one app or (NULL) of all, by app then
 * number. */
LK_API lk_status lk_conn_list_new(lk_conn_list **out, lk_ctx *ctx,
				  const char *owner, const char *app_id);
LK_API size_t lk_conn_list_count(const lk_conn_list *list);
/** Lent for the life of the list. */
LK_API const lk_conn *lk_conn_list_at(const lk_conn_list *list, size_t i);
LK_API void lk_conn_list_free(lk_conn_list *list);

LK_API const char *lk_conn_id(const lk_conn *conn);
LK_API const char *lk_conn_owner(const lk_conn *conn);
LK_API const char *lk_conn_app(const lk_conn *conn);
LK_API const char *lk_conn_scheme(const lk_conn *conn);
LK_API unsigned lk_conn_number(const lk_conn *conn);
/** "GitHub #2 octocat"; never holds a secret. */
LK_API const char *lk_conn_label(const lk_conn *conn);
/** "active" or "expired". */
LK_API const char *lk_conn_status(const lk_conn *conn);
LK_API bool lk_conn_is_expired(const lk_conn *conn);
LK_API int64_t lk_conn_created(const lk_conn *conn);
LK_API int64_t lk_conn_updated(const lk_conn *conn);
/** The auth fields (authData); secret ones flagged. Lent. */
LK_API const lk_fields *lk_conn_fields(const lk_conn *conn);
/** The last test response as JSON text (inputData), or NULL. Lent. */
LK_API const char *lk_conn_test_data(const lk_conn *conn);

/**
 * Run the app's test request and classify the result. @return LK_OK,
 * LK_ENOTFOUND (404: test URL or method), LK_EAUTH (401/403), LK_EHTTP
 * (400: client id/secret or token exchange; 5xx), LK_EPROTO (not JSON),
 * LK_ETIMEOUT, LK_ENET, LK_EEXPIRED. lk_errmsg says what to check.
 * On success the test response is stored and the label updated.
 */
LK_API lk_status lk_conn_test(lk_ctx *ctx, lk_conn *conn);

/** Force a refresh of the credentials (schemes that can). */
LK_API lk_status lk_conn_refresh(lk_ctx *ctx, lk_conn *conn);

/** Remove a connection of @p owner. Numbers are never reused. */
LK_API lk_status lk_conn_remove(lk_ctx *ctx, const char *owner,
				const char *id);

/* -------------------------------------------------------------- requests */

/** A request; @p url is absolute. Setters copy. */
LK_API lk_status lk_request_new(lk_request **out, const char *method,
				const char *url);
LK_API void lk_request_free(lk_request *req);
LK_API const char *lk_request_method(const lk_request *req);
LK_API const char *lk_request_url(const lk_request *req);
LK_API lk_status lk_request_set_url(lk_request *req, const char *url);
/** Add a header line. @return LK_EINVAL when the name is not a token or
 * the value holds CR, LF or NUL. */
LK_API lk_status lk_request_add_header(lk_request *req, const char *name,
				       const char *value);
/** Replace every header of that name (case-insensitive). */
LK_API lk_status lk_request_set_header(lk_request *req, const char *name,
				       const char *value);
LK_API lk_status lk_request_remove_header(lk_request *req, const char *name);
/** First value of a header (case-insensitive), or NULL. Lent. */
LK_API const char *lk_request_header(const lk_request *req, const char *name);
LK_API size_t lk_request_header_count(const lk_request *req);
LK_API lk_status lk_request_header_at(const lk_request *req, size_t i,
				      const char **name, const char **value);
/** Set the body (copied; may hold NUL bytes). */
LK_API lk_status lk_request_set_body(lk_request *req, const void *data,
				     size_t len);
LK_API const void *lk_request_body(const lk_request *req, size_t *len);
/** Add a query parameter, percent-encoding name and value. */
LK_API lk_status lk_request_add_query(lk_request *req, const char *name,
				      const char *value);

LK_API void lk_response_free(lk_response *resp);
LK_API long lk_response_status(const lk_response *resp);
/** First value of a response header (case-insensitive), or NULL. */
LK_API const char *lk_response_header(const lk_response *resp,
				      const char *name);
LK_API size_t lk_response_header_count(const lk_response *resp);
LK_API lk_status lk_response_header_at(const lk_response *resp, size_t i,
				       const char **name, const char **value);
/** The body; always NUL-terminated beyond @p len for convenience. */
LK_API const char *lk_response_body(const lk_response *resp, size_t *len);

/**
 * Apply @p conn to @p req, send it, and let the scheme react (Digest
 * retry, refresh and retry once, expiry). The URL must lie under the app's
 * base_urls. @p conn NULL is allowed only with lk_perform_app.
 * @return LK_OK for any HTTP answer (see lk_response_status); LK_EDENIED
 * (URL outside base_urls, redirect refused); LK_EEXPIRED; LK_ENET;
 * LK_ETIMEOUT; LK_EAUTH (the scheme could not authenticate).
 */
LK_API lk_status lk_perform(lk_response **out, lk_ctx *ctx, lk_conn *conn,
			    lk_request *req);
/** A request for an app that needs no authentication. */
LK_API lk_status lk_perform_app(lk_response **out, lk_ctx *ctx,
				const char *app_id, lk_request *req);

#ifdef __cplusplus
}
#endif
#endif
