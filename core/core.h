/* SPDX-License-Identifier: MIT */
/*
 * liblatchkey's private structures, shared by the core's files. Nothing
 * here is part of the ABI; each concern's functions are declared in the
 * header named after its file (core/<concern>.h).
 */
#ifndef LK_CORE_H
#define LK_CORE_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <latchkey/latchkey.h>
#include <latchkey/module.h>

#include "settings.h"

#define LK_INTERNAL __attribute__((visibility("hidden")))

struct lk_header {
	char *name;
	char *value;
};

struct lk_request {
	char *method;
	char *url;
	struct lk_header *headers;
	size_t nheaders;
	unsigned char *body;
	size_t body_len;
};

struct lk_response {
	long status;
	struct lk_header *headers;
	size_t nheaders;
	char *body; /* NUL-terminated beyond body_len */
	size_t body_len;
};

/* A module as loaded and normalised by core/loader.c. */
struct lk_module_rt {
	char *name;
	void *handle; /* lt_dlhandle */
	struct lk_module mod;
	struct lk_scheme_ops scheme; /* zeroed when not provided */
	struct lk_refresh_ops refresh;
	struct lk_hooks_ops hooks;
	bool has_scheme, has_refresh, has_hooks;
	void *modctx;
};

/* One app field declaration (`fields = ( {...} )`). */
struct lk_app_field {
	char *key;
	char *label;
	bool required;
	bool secret;
};

/* One module's view of an app: its block and resolved settings. */
struct lk_block {
	struct lk_module_rt *mod;
	const lk_setting *group; /* the app's block named after the module,
				    or NULL */
	lk_fields *values;       /* scalar settings, defaults applied,
				    secrets resolved and flagged */
};

struct lk_app {
	char *id;
	char *title;
	char *scheme;
	const char *file; /* interned in ctx->files */
	int line;
	lk_setting *root; /* the whole `app` group, retained */
	struct lk_app_field *fields;
	size_t nfields;
	char **base_urls;
	size_t nbase_urls;
	struct lk_url_bases *base_parts; /* parsed at bind (url.c) */
	bool allow_http;
	bool follow_redirects;
	char *test_method; /* NULL: no test request */
	char *test_url;
	char **test_headers;
	size_t ntest_headers;
	char *test_body;
	char *label_tmpl;
	char **hooks;
	size_t nhooks;
	long *refresh_status;
	size_t nrefresh_status;
	char **refresh_json_error;
	size_t nrefresh_json_error;
	char *policy; /* refresh policy module name, NULL: the default */

	/* Bound lazily (core/bind.c) under ctx->bind_lock. */
	int bound; /* 0 not yet, 1 ready, -1 broken */
	char *broken_msg;
	struct lk_block scheme_block;
	struct lk_block policy_block;
	struct lk_block *hook_blocks;
	size_t nhook_blocks;
	/* the user-facing field list: app fields then scheme fields */
	struct lk_app_field *all_fields;
	size_t nall_fields;
};

struct lk_conn {
	char *id;
	char *owner;
	char *app;
	char *scheme;
	unsigned number;
	bool expired;
	bool unsaved; /* the connect-time test: nothing stored to refresh */
	int64_t created;
	int64_t updated;
	uint64_t generation; /* bumped by every credential update: lets
				single-flight waiters see a refresh happened */
	lk_fields *fields;
	char *test_data; /* JSON text, or NULL */
	char *label;
};

struct lk_conn_list {
	lk_conn **items;
	size_t count;
};

struct lk_flow {
	char *id;
	char *owner;
	char *app;
	int64_t expires;
	lk_fields *values; /* module's sealed values */
	lk_fields *fields; /* the user's fields given at begin */
};

/* In-memory per-connection scheme state (digest nonces...). */
struct lk_state_entry {
	char *conn_id;
	void *state;
	lk_scheme_state_free_fn *free_fn;
	struct lk_state_entry *next;
};

struct lk_call {
	lk_ctx *ctx;
	const lk_app *app;
	struct lk_block *block; /* the calling module's block */
	lk_conn *conn;          /* NULL during a connect */
	lk_fields *fields;      /* connect: the fields being built */
	void *state;
	unsigned depth; /* lk_call_perform nesting guard */
	bool locked;    /* the caller holds the connection's store lock */
};

/* @p nbytes (at most 32) random bytes as unpadded base64url: ids of
 * connections and flows. lk_free. */
LK_INTERNAL lk_status lk_random__id(char **out, size_t nbytes);
/* printf into a new string (lk_free); NULL on failure. */
LK_INTERNAL char *lk_strdupf(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
LK_INTERNAL char *lk_vstrdupf(const char *fmt, va_list ap);

typedef struct lk_store lk_store;

struct lk_ctx {
	/* configuration (core/config.c) */
	char *config_path;
	char *config_dir;
	char *module_path;
	char *apps_dir;
	char *store_path;
	char *key_file;
	long http_timeout;
	long http_connect_timeout;
	size_t max_response_bytes;
	lk_log_level conf_log_level;
	lk_setting *serve; /* the `serve` block, retained, or NULL */
	const char *serve_file;
	char **files; /* interned file names for settings */
	size_t nfiles;
	lk_app **apps; /* sorted by id */
	size_t napps;
	bool loaded;

	/* modules (core/loader.c), under bind_lock */
	pthread_mutex_t bind_lock;
	struct lk_module_rt **mods;
	size_t nmods;

	/* store (core/store_file.c), opened on first use under bind_lock */
	lk_store *store;

	/* per-connection in-memory state, under state_lock */
	pthread_mutex_t state_lock;
	struct lk_state_entry *states;

	/* in-process single-flight of refreshes, under refresh_lock */
	pthread_mutex_t refresh_lock;

	/* callbacks */
	lk_log_fn log_fn;
	void *log_ud;
	lk_log_level log_level;
	lk_event_fn event_fn;
	void *event_ud;

	/* per-thread last error (core/error.c) */
	pthread_key_t err_key;
	bool err_key_ok;

	/* secrets known to the whole ctx (client secrets), for redaction */
	pthread_mutex_t redact_lock;
	char **redact;
	size_t nredact;
};

#endif
