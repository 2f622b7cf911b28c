/* SPDX-License-Identifier: MIT */
/*
 * latchkey module ABI: what a module exports and the lk_* upcalls the core
 * offers it. A module exports exactly one data symbol, `latchkey_module`.
 *
 * Compatibility: LK_MODULE_ABI is major.minor. The core refuses a module of
 * another major, or whose tables are smaller than the core needs. Fields
 * are only ever appended; a module built against an older minor keeps
 * loading (missing trailing fields read as zero/NULL).
 *
 * Threading: callbacks may run on several threads at once for different
 * connections, and for the same connection too, except `refresh`, which
 * the core runs single-flight (one at a time per connection, across
 * processes) under the connection's lock.
 *
 * Ownership: requests, responses and the lk_call passed to a callback are
 * borrowed for that call. What a callback returns through an `out`
 * parameter is allocated with lk_malloc/lk_strdup/lk_fields_new and the
 * core frees it.
 */
#ifndef LATCHKEY_MODULE_H
#define LATCHKEY_MODULE_H

#include <latchkey/latchkey.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LK_ABI(maj, min) (((uint32_t)(maj) << 16) | (uint32_t)(min))
#define LK_ABI_MAJOR(abi) ((unsigned)((abi) >> 16))
#define LK_ABI_MINOR(abi) ((unsigned)((abi)&0xffffu))
#define LK_MODULE_ABI LK_ABI(1, 1)

#if defined(__GNUC__)
#define LK_MODULE_EXPORT __attribute__((visibility("default")))
#else
#define LK_MODULE_EXPORT
#endif

/** One call of the core into a module: the app, the connection (if any),
 * the module's state. Borrowed for the callback. */
typedef struct lk_call lk_call;
/** A pending redirect flow's sealed values (PKCE verifier...). */
typedef struct lk_flow lk_flow;

/* ----------------------------------------------------- config declaration */

typedef enum lk_key_type {
	LK_KEY_STRING = 1,
	LK_KEY_INT = 2,
	LK_KEY_FLOAT = 3,
	LK_KEY_BOOL = 4,
	LK_KEY_STRING_LIST = 5,
	/** A secret string: `key = "..."`, `key = "env:NAME"` or
	 * `key_file = "path"` (mode must not be group/world-readable). */
	LK_KEY_SECRET = 6,
	/** A string from a fixed set: `choices` lists them, "|"-separated. */
	LK_KEY_ENUM = 7,
	/** A nested group, not checked by the core (the module validates). */
	LK_KEY_GROUP = 8,
	/** A URL template: checked to parse and to use https (or http when
	 * allow_http). */
	LK_KEY_URL = 9,
} lk_key_type;

/** One key of a module's config block (`oauth2 = { ... }`). Arrays end
 * with an entry whose name is NULL. */
struct lk_config_key {
	/** A key of the block, or a dotted path to a member of a nested
	 * group ("request.url" for `request = { url = "..."; }`): the core
	 * then checks that group's members too, and lk_call_setting* take
	 * the same dotted path. Secrets may not be nested. */
	const char *name;
	lk_key_type type;
	bool required;
	const char *default_value; /**< as text; NULL for none */
	const char *choices;       /**< LK_KEY_ENUM: "header|querystring" */
};

/** A field the scheme asks the user for (basic: username, password). */
struct lk_field_decl {
	const char *key;
	const char *label;
	bool required;
	bool secret;
};

/* ------------------------------------------------------------- verdicts */

/** What a scheme, policy or hook decides after a response. */
typedef enum lk_verdict {
	LK_VERDICT_DONE = 0,    /**< hand the response to the caller */
	LK_VERDICT_RETRY = 1,   /**< authorize and send again (Digest nonce) */
	LK_VERDICT_REFRESH = 2, /**< refresh the credentials, retry once */
	LK_VERDICT_EXPIRED = 3, /**< mark the connection expired */
} lk_verdict;

/* ------------------------------------------------------- operation tables */

#define LK_OPS_HEADER(type) .size = sizeof(type)

/** State and settings of one module, for init. */
struct lk_module_env {
	uint32_t size;
	uint32_t core_abi; /**< LK_MODULE_ABI of the running core */
	const char *module_path;
};

typedef lk_status lk_module_init_fn(const struct lk_module_env *env,
				    void **modctx);
typedef void lk_module_fini_fn(void *modctx);

/* scheme */
typedef lk_status lk_scheme_validate_fn(lk_call *call);
typedef lk_status lk_scheme_authorize_fn(lk_call *call, lk_request *req);
typedef lk_status lk_scheme_connect_fields_fn(lk_call *call,
					      lk_fields *fields);
typedef lk_status lk_scheme_connect_begin_fn(char **out_url, lk_call *call,
					     lk_flow *flow,
					     const char *redirect_uri);
typedef lk_status lk_scheme_connect_finish_fn(lk_call *call, lk_flow *flow,
					      const char *callback_url,
					      lk_fields *fields);
typedef lk_status lk_scheme_on_response_fn(lk_verdict *out, lk_call *call,
					   const lk_request *req,
					   const lk_response *resp,
					   unsigned attempt);
typedef lk_status lk_scheme_refresh_fn(lk_call *call);
typedef lk_status lk_scheme_state_new_fn(void **out, lk_call *call);
typedef void lk_scheme_state_free_fn(void *state);

/** Scheme flags. */
#define LK_SCHEME_NO_AUTH 0x1u       /**< the app needs no connection */
#define LK_SCHEME_REDIRECT_FLOW 0x2u /**< connects through a browser */

/**
 * An authentication scheme. The core calls:
 *  - validate, when an app of this scheme is loaded (after the core has
 *    checked `config_keys`), to check cross-key rules;
 *  - connect_fields, to turn the user's fields into the stored ones
 *    (session exchanges them for a token); MAY be NULL (stored as given);
 *  - connect_begin/connect_finish, for redirect flows;
 *  - authorize, before every send, to sign or decorate the request;
 *  - on_response, after every answer (attempt counts from 0);
 *  - refresh, single-flight under the connection's lock, when a verdict
 *    or a policy asks for it; it stores what changed with
 *    lk_call_fields_update before returning.
 */
struct lk_scheme_ops {
	uint32_t size;
	uint32_t flags; /**< LK_SCHEME_* */
	/** Keys of the app's block named after the scheme; MAY be NULL. */
	const struct lk_config_key *config_keys;
	/** Fields the scheme itself asks for; NULL or NULL-key terminated. */
	const struct lk_field_decl *fields;
	lk_scheme_validate_fn *validate;           /**< MAY be NULL */
	lk_scheme_authorize_fn *authorize;         /**< MUST be set */
	lk_scheme_connect_fields_fn *connect_fields; /**< MAY be NULL */
	lk_scheme_connect_begin_fn *connect_begin;   /**< MAY be NULL */
	lk_scheme_connect_finish_fn *connect_finish; /**< with begin */
	lk_scheme_on_response_fn *on_response;       /**< MAY be NULL */
	lk_scheme_refresh_fn *refresh;               /**< MAY be NULL */
	lk_scheme_state_new_fn *state_new; /**< per connection, in memory */
	lk_scheme_state_free_fn *state_free; /**< with state_new */
	/* ABI 1.0 ends here. */
	/** ABI 1.1: the key of the scheme's block that holds the URI the
	 * provider redirects back to ("redirect_uri" for oauth2,
	 * "callback_url" for oauth1), so that hosts can receive it
	 * (lk_app_redirect_uri); MAY be NULL. */
	const char *redirect_key;
};
#define LK_SCHEME_OPS_MIN_SIZE                                                 \
	(offsetof(struct lk_scheme_ops, authorize) +                           \
	 sizeof(lk_scheme_authorize_fn *))

/* refresh policy */
typedef lk_status lk_refresh_should_fn(bool *out, lk_call *call,
				       int64_t now);
typedef lk_status lk_refresh_validate_fn(lk_call *call);
typedef lk_status lk_refresh_on_response_fn(lk_verdict *out, lk_call *call,
					    const lk_response *resp);

/**
 * A refresh policy, chosen by an app's `policy` setting. The core's
 * default refreshes `refresh_margin` seconds before `expires_at`.
 */
struct lk_refresh_ops {
	uint32_t size;
	const struct lk_config_key *config_keys; /**< in a block named after
						    the module; MAY be NULL */
	/** Before a request: refresh proactively? MUST be set. */
	lk_refresh_should_fn *should_refresh;
	/** After a response: refresh, expire or done? MAY be NULL. */
	lk_refresh_on_response_fn *on_response;
	/* ABI 1.0 ends here. */
	/** ABI 1.1: check the policy's block when the app is bound (so
	 * check-config reports a bad value, not the first call); MAY be
	 * NULL. */
	lk_refresh_validate_fn *validate;
};
#define LK_REFRESH_OPS_MIN_SIZE                                                \
	(offsetof(struct lk_refresh_ops, should_refresh) +                     \
	 sizeof(lk_refresh_should_fn *))

/* hooks ("code mode") */
typedef lk_status lk_hook_request_fn(lk_call *call, lk_request *req);
typedef lk_status lk_hook_after_response_fn(lk_verdict *out, lk_call *call,
					    const lk_request *req,
					    const lk_response *resp);
typedef lk_status lk_hook_label_fn(char **out, lk_call *call);
typedef lk_status lk_hook_parse_test_fn(char **out_json, lk_call *call,
					const lk_response *resp);

/** Vendor code run at fixed points; every member MAY be NULL. A label
 * hook that sets *out to NULL leaves the label to the template. */
struct lk_hooks_ops {
	uint32_t size;
	/** Keys of the app's block named after the module; MAY be NULL. */
	const struct lk_config_key *config_keys;
	lk_hook_request_fn *pre_authorize;  /**< may change the request */
	lk_hook_request_fn *post_authorize; /**< after the scheme signed */
	lk_hook_after_response_fn *after_response;
	lk_hook_label_fn *label;
	lk_hook_parse_test_fn *parse_test_response; /**< JSON text out */
	/* ABI 1.0 ends here. */
};
#define LK_HOOKS_OPS_MIN_SIZE sizeof(uint32_t)

/** The one exported symbol, `const struct lk_module latchkey_module`. */
struct lk_module {
	uint32_t abi;        /**< LK_MODULE_ABI the module was built with */
	uint32_t size;       /**< sizeof(struct lk_module) it was built with */
	const char *name;    /**< must equal the file's basename */
	const char *version; /**< module release, shown by `latchkey modules` */
	const struct lk_scheme_ops *scheme;   /**< NULL: not provided */
	const struct lk_refresh_ops *refresh; /**< NULL: not provided */
	const struct lk_hooks_ops *hooks;     /**< NULL: not provided */
	lk_module_init_fn *init;              /**< MAY be NULL */
	lk_module_fini_fn *fini;              /**< MAY be NULL */
	/* ABI 1.0 ends here. Append only; never reorder or retype. */
};
#define LK_MODULE_MIN_SIZE                                                     \
	(offsetof(struct lk_module, fini) + sizeof(lk_module_fini_fn *))

#define LK_MODULE_HEADER(modname, modversion)                                  \
	.abi = LK_MODULE_ABI, .size = sizeof(struct lk_module),                \
	.name = (modname), .version = (modversion)

/* ------------------------------------------------------------- upcalls */

/** The module's global state from init. */
LK_API void *lk_call_modctx(lk_call *call);
/** The connection's in-memory state from state_new, or NULL. */
LK_API void *lk_call_state(lk_call *call);
LK_API lk_ctx *lk_call_ctx(lk_call *call);
LK_API const lk_app *lk_call_app(lk_call *call);
/** The connection, or NULL (connect flows, apps without auth). */
LK_API lk_conn *lk_call_conn(lk_call *call);

/**
 * A setting of the app's block for this module (`oauth2.token_request`),
 * with the declared default applied, secrets resolved. Lent for the life
 * of the ctx; NULL when absent and without default.
 */
LK_API const char *lk_call_setting(lk_call *call, const char *key);
LK_API bool lk_call_setting_bool(lk_call *call, const char *key);
LK_API long long lk_call_setting_int(lk_call *call, const char *key);
LK_API double lk_call_setting_float(lk_call *call, const char *key);
/** A string list setting: count, and item i (lent). */
LK_API size_t lk_call_setting_list_count(lk_call *call, const char *key);
LK_API const char *lk_call_setting_list_at(lk_call *call, const char *key,
					   size_t i);
/** Where a setting was written, for messages: "apps.d/x.conf:12". */
LK_API const char *lk_call_setting_where(lk_call *call, const char *key);

/** A field of the connection (or of the fields being connected). */
LK_API const char *lk_call_field(lk_call *call, const char *key);

/**
 * Merge @p updates into the connection's fields and store them durably
 * (sealed, fsynced) under the connection's lock before returning. A
 * NULL value in @p updates is not possible; use lk_fields_remove first.
 */
LK_API lk_status lk_call_fields_update(lk_call *call,
				       const lk_fields *updates);

/** Render a template (see lk_render_target) from the call's fields and
 * test data. @p out goes to lk_free (secrets: lk_str_wipe_free). */
typedef enum lk_render_target {
	LK_RENDER_URL = 1,    /**< checked against the app's hosts */
	LK_RENDER_HEADER = 2, /**< CR, LF, NUL refused */
	LK_RENDER_JSON = 3,   /**< values JSON-escaped */
	LK_RENDER_FORM = 4,   /**< values form-encoded */
	LK_RENDER_TEXT = 5,   /**< raw (labels: secrets refused) */
	LK_RENDER_RAW = 6,    /**< raw; the caller encodes the result */
} lk_render_target;
LK_API lk_status lk_call_render(char **out, lk_call *call, const char *tmpl,
				lk_render_target target);

/** Send a request through the core's HTTP (timeouts, caps, TLS, redaction),
 * unauthenticated, to any URL the app's config names. */
LK_API lk_status lk_http_send(lk_response **out, lk_call *call,
			      const lk_request *req);
/** A request made with the call's connection (hooks), as lk_perform. */
LK_API lk_status lk_call_perform(lk_response **out, lk_call *call,
				 lk_request *req);

/**
 * Parse a token response (JSON, XML with any root, or form-encoded; by
 * Content-Type, else sniffed; size-capped; libxml2 without network or
 * entities) into flat fields: nested keys joined by dots ("data.session.
 * key"). @return LK_EPROTO naming what is wrong.
 */
LK_API lk_status lk_token_response_parse(lk_fields **out, lk_call *call,
					 const lk_response *resp);

/** Record an error on the ctx for this thread; return @p st. Never format
 * a secret into it. */
LK_API lk_status lk_call_error(lk_call *call, lk_status st, const char *fmt,
			       ...) __attribute__((format(printf, 3, 4)));
/** Log through the ctx's sink; secrets are redacted centrally too. */
LK_API void lk_call_log(lk_call *call, lk_log_level level, const char *fmt,
			...) __attribute__((format(printf, 3, 4)));
/** Register a value to be redacted from every log line of this ctx. */
LK_API void lk_call_add_secret(lk_call *call, const char *value);

/** A value kept with a pending flow (sealed in the store). */
LK_API lk_status lk_flow_set(lk_flow *flow, const char *key,
			     const char *value);
LK_API const char *lk_flow_get(const lk_flow *flow, const char *key);
/** The flow id (URL-safe), for callback URLs that must carry it. */
LK_API const char *lk_flow_id(const lk_flow *flow);

/** Random bytes from a CSPRNG. */
LK_API lk_status lk_random_bytes(void *buf, size_t len);
/** Seconds since the epoch. Both are replaceable by tests. */
LK_API int64_t lk_now(void);
/** Constant-time comparison; true when equal. */
LK_API bool lk_secure_equal(const void *a, const void *b, size_t len);

/** Test-only: replace randomness and time (NULL restores). */
typedef lk_status (*lk_random_fn)(void *buf, size_t len);
typedef int64_t (*lk_now_fn)(void);
LK_API void lk_test_set_entropy(lk_random_fn random_fn, lk_now_fn now_fn);

#ifdef __cplusplus
}
#endif
#endif
