/* SPDX-License-Identifier: MIT */
/*
 * The configuration loader: latchkey.conf and every apps_dir/<name>.conf
 * read through libconfig, copied into lk_setting trees and checked, with
 * every problem reported as "file:line: message".
 *
 * File names in messages are relative to latchkey.conf's folder when the
 * file lies under it ("apps.d/github.conf"), absolute otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libconfig.h>
#include <openssl/crypto.h>

#include "config.h"
#include "error.h"
#include "log.h"
#include "url.h"

#define LK_SECRET_FILE_MAX 65536 /* a secret file larger is refused */

/* One load or block check: counts problems, keeps the first message. */
struct report {
	lk_ctx *ctx;
	size_t n;
	char *first;
	bool oom;
};

static void problem(struct report *r, const char *file, int line,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void problem(struct report *r, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;
	char *msg, *full;

	va_start(ap, fmt);
	msg = lk_vstrdupf(fmt, ap);
	va_end(ap);
	/* No line (an unreadable file): "file: message". */
	if (line > 0)
		full = msg ? lk_strdupf("%s:%d: %s", file, line, msg) : NULL;
	else
		full = msg ? lk_strdupf("%s: %s", file, msg) : NULL;
	lk_free(msg);
	r->n++;
	if (!full) {
		r->oom = true;
		return;
	}
	lk_log__msg(r->ctx, LK_LOG_ERROR, "%s", full);
	if (!r->first)
		r->first = full;
	else
		lk_free(full);
}

/* Turn the report into the ctx's error; LK_OK when there was none. */
static lk_status report_end(struct report *r)
{
	lk_status rc = LK_OK;

	if (r->first)
		rc = lk_error__set(r->ctx, LK_ECONFIG, "%s", r->first);
	else if (r->oom || r->n)
		rc = lk_error__set(r->ctx, LK_ENOMEM, "out of memory");
	lk_free(r->first);
	r->first = NULL;
	return rc;
}

/* ------------------------------------------------------------ file names */

const char *lk_config__intern(lk_ctx *ctx, const char *file)
{
	/* Newest first: settings are interned while their file is read, so
	 * the match is almost always the last name (a forward scan made
	 * loading 1,000 apps quadratic). */
	for (size_t i = ctx->nfiles; i-- > 0;)
		if (strcmp(ctx->files[i], file) == 0)
			return ctx->files[i];
	char **grown = realloc(ctx->files, (ctx->nfiles + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	ctx->files = grown;
	ctx->files[ctx->nfiles] = lk_strdup(file);
	if (!ctx->files[ctx->nfiles])
		return NULL;
	return ctx->files[ctx->nfiles++];
}

/* The name a message shows for @p path (see the file comment). */
static const char *display_name(lk_ctx *ctx, const char *path)
{
	size_t n = strlen(ctx->config_dir);

	if (strncmp(path, ctx->config_dir, n) == 0 && path[n] == '/')
		return lk_config__intern(ctx, path + n + 1);
	return lk_config__intern(ctx, path);
}

/* @p path made absolute against @p dir (a folder); lk_free. */
static char *path_join(const char *dir, const char *path)
{
	if (path[0] == '/')
		return lk_strdup(path);
	size_t n = strlen(dir);
	return lk_strdupf("%s%s%s", dir, n && dir[n - 1] == '/' ? "" : "/",
			  path);
}

/* The folder of @p path; lk_free. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return lk_strdup(".");
	if (slash == path)
		return lk_strdup("/");
	char *d = lk_strdup(path);
	if (d)
		d[slash - path] = '\0';
	return d;
}

/* The real path of a setting's file (display names are relative to the
 * config folder). */
static char *setting_path(const lk_ctx *ctx, const char *display)
{
	return path_join(ctx->config_dir, display);
}

/* ------------------------------------------------------------- checking */

static bool name_ok(const char *s, bool lead_letter)
{
	if (!s || !*s)
		return false;
	if (lead_letter && !(*s >= 'a' && *s <= 'z'))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_'))
			return false;
	return true;
}

/* "must be a string, not an integer" for @p s, or true when it fits. */
static bool want(struct report *r, const lk_setting *s, const char *path,
		 lk_setting_type t)
{
	if (s->type == t || (t == LK_SET_FLOAT && s->type == LK_SET_INT))
		return true;
	problem(r, s->file, s->line, "'%s' must be %s, not %s", path,
		lk_settings__type_name(t), lk_settings__type_name(s->type));
	return false;
}

/* A list whose every element is of type @p t. */
static bool want_list(struct report *r, const lk_setting *s, const char *path,
		      lk_setting_type t)
{
	if (!want(r, s, path, LK_SET_LIST))
		return false;
	for (size_t i = 0; i < s->nkids; i++) {
		const lk_setting *k = s->kids[i];
		if (k->type != t) {
			problem(
			    r, k->file, k->line,
			    "'%s' must be a list of %ss: item %zu is %s", path,
			    lk_settings__type_name(t) + 2 + (t == LK_SET_INT),
			    i + 1, lk_settings__type_name(k->type));
			return false;
		}
	}
	return true;
}

/* Check a URL template: "{{x}}" placeholders allowed; https, or http
 * with allow_http. Never prints the URL (it may carry a secret). */
static void check_url(struct report *r, const lk_setting *s, const char *what,
		      bool allow_http)
{
	const char *in = s->str;
	size_t len = strlen(in);
	char *buf = lk_malloc(len + 1), *o = buf;
	CURLU *u = NULL;
	char *scheme = NULL, *user = NULL;
	CURLUcode uc;

	if (!buf) {
		r->oom = true;
		return;
	}
	/* Replace each placeholder with a DNS-label-safe word to parse. */
	while (*in) {
		const char *end;
		if (in[0] == '{' && in[1] == '{' &&
		    (end = strstr(in + 2, "}}")) != NULL) {
			*o++ = 'x';
			in = end + 2;
		} else {
			*o++ = *in++;
		}
	}
	*o = '\0';
	u = curl_url();
	if (!u) {
		r->oom = true;
		goto out;
	}
	uc = curl_url_set(u, CURLUPART_URL, buf, 0);
	if (uc != CURLUE_OK) {
		problem(r, s->file, s->line, "'%s' is not a valid URL (%s)",
			what, curl_url_strerror(uc));
		goto out;
	}
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK) {
		r->oom = true;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK) {
		problem(r, s->file, s->line,
			"'%s' must not carry a user name or password", what);
		goto out;
	}
	if (strcmp(scheme, "https") == 0)
		goto out;
	if (strcmp(scheme, "http") == 0 && allow_http)
		goto out;
	if (strcmp(scheme, "http") == 0)
		problem(r, s->file, s->line,
			"'%s' must use https (set allow_http = true to allow "
			"http)",
			what);
	else
		problem(r, s->file, s->line, "'%s' must use https, not %s",
			what, scheme);
out:
	curl_free(scheme);
	curl_free(user);
	curl_url_cleanup(u);
	lk_free(buf);
}

/* Copy the strings of a list setting (already type-checked). */
static lk_status copy_strings(char ***out, size_t *n, const lk_setting *s)
{
	*out = NULL;
	*n = 0;
	if (!s->nkids)
		return LK_OK;
	*out = lk_calloc(s->nkids, sizeof(**out));
	if (!*out)
		return LK_ENOMEM;
	for (size_t i = 0; i < s->nkids; i++) {
		(*out)[i] = lk_strdup(s->kids[i]->str);
		if (!(*out)[i])
			return LK_ENOMEM;
		(*n)++;
	}
	return LK_OK;
}

static void free_strings(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lk_free(v[i]);
	lk_free(v);
}

/* --------------------------------------------------------------- secrets */

/* Read a secret file: regular, not group/world-readable, capped; one
 * trailing newline stripped. On failure *msg says why (lk_free). */
static lk_status read_secret(char **out, char **msg, const char *path,
			     const char *shown)
{
	struct stat sb;
	char *buf = NULL;
	size_t len = 0;
	lk_status rc = LK_ECONFIG;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	*out = NULL;
	*msg = NULL;
	if (fd < 0) {
		*msg = lk_strdupf("cannot read secret file '%s': %s", shown,
				  strerror(errno));
		return LK_ECONFIG;
	}
	/* Check the opened file, not the path: no race. */
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		*msg =
		    lk_strdupf("secret file '%s' is not a regular file", shown);
		goto out;
	}
	if (sb.st_mode & (S_IRGRP | S_IROTH)) {
		*msg = lk_strdupf("secret file '%s' is group- or "
				  "world-readable (mode %04o): chmod 600 it",
				  shown, (unsigned)(sb.st_mode & 07777));
		goto out;
	}
	if (sb.st_size > LK_SECRET_FILE_MAX) {
		*msg = lk_strdupf("secret file '%s' is larger than %d bytes",
				  shown, LK_SECRET_FILE_MAX);
		goto out;
	}
	buf = lk_malloc((size_t)sb.st_size + 1);
	if (!buf) {
		rc = LK_ENOMEM;
		goto out;
	}
	while (len < (size_t)sb.st_size) {
		ssize_t got = read(fd, buf + len, (size_t)sb.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	if (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	if (len && buf[len - 1] == '\r')
		buf[--len] = '\0';
	if (!len || memchr(buf, '\0', len)) {
		*msg = lk_strdupf("secret file '%s' is empty or holds a NUL "
				  "byte",
				  shown);
		goto out;
	}
	*out = buf;
	buf = NULL;
	rc = LK_OK;
out:
	if (buf) {
		OPENSSL_cleanse(buf, (size_t)sb.st_size + 1);
		lk_free(buf);
	}
	close(fd);
	if (rc != LK_OK && !*msg && rc != LK_ENOMEM)
		rc = LK_ENOMEM;
	return rc;
}

lk_status lk_config__read_secret_file(char **out, lk_ctx *ctx, const char *path,
				      const char *where)
{
	char *msg = NULL, *dir = NULL, *full = NULL;
	lk_status rc = LK_ENOMEM;

	*out = NULL;
	if (strncmp(path, "env:", 4) == 0) {
		const char *v = getenv(path + 4);
		if (!v)
			return lk_error__set(ctx, LK_ECONFIG,
					     "environment variable %s is not "
					     "set",
					     path + 4);
		*out = lk_strdup(v);
		return *out ? LK_OK : LK_ENOMEM;
	}
	dir = dir_of(where ? where : ctx->config_path ? ctx->config_path : ".");
	full = dir ? path_join(dir, path) : NULL;
	if (full) {
		rc = read_secret(out, &msg, full, path);
		if (rc != LK_OK)
			lk_error__set(ctx, rc, "%s",
				      msg ? msg : "out of memory");
	}
	lk_free(msg);
	lk_free(dir);
	lk_free(full);
	return rc;
}

/* ---------------------------------------------------------- module blocks */

static const struct lk_config_key *find_key(const struct lk_config_key *keys,
					    const char *name, size_t len)
{
	for (size_t i = 0; keys && keys[i].name; i++)
		if (strlen(keys[i].name) == len &&
		    strncmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

static lk_setting_type key_set_type(lk_key_type t)
{
	switch (t) {
	case LK_KEY_INT:
		return LK_SET_INT;
	case LK_KEY_FLOAT:
		return LK_SET_FLOAT;
	case LK_KEY_BOOL:
		return LK_SET_BOOL;
	case LK_KEY_STRING_LIST:
		return LK_SET_LIST;
	case LK_KEY_GROUP:
		return LK_SET_GROUP;
	default:
		return LK_SET_STRING;
	}
}

/* Is @p v one of the "|"-separated @p choices? */
static bool in_choices(const char *v, const char *choices)
{
	size_t n = strlen(v);

	for (const char *c = choices; c && *c;) {
		const char *bar = strchr(c, '|');
		size_t l = bar ? (size_t)(bar - c) : strlen(c);
		if (l == n && strncmp(c, v, n) == 0)
			return true;
		c = bar ? bar + 1 : c + l;
	}
	return false;
}

/* "a, b, c" from "a|b|c"; lk_free. */
static char *choices_text(const char *choices)
{
	size_t n = 0;

	for (const char *c = choices; *c; c++)
		n += *c == '|' ? 2 : 1;
	char *t = lk_malloc(n + 1), *o = t;
	for (const char *c = choices; t && *c; c++) {
		if (*c == '|') {
			*o++ = ',';
			*o++ = ' ';
		} else {
			*o++ = *c;
		}
	}
	if (t)
		*o = '\0';
	return t;
}

/* Resolve a secret key's value (inline, env:NAME, or <key>_file) and
 * store it flagged secret. */
static void block_secret(struct report *r, const lk_app *app,
			 const char *block_name, const lk_setting *s,
			 bool from_file, const char *key, lk_fields *values)
{
	char *val = NULL;
	lk_ctx *ctx = r->ctx;

	(void)app;
	if (from_file) {
		char *msg = NULL, *real = setting_path(ctx, s->file);
		char *dir = real ? dir_of(real) : NULL;
		char *full = dir ? path_join(dir, s->str) : NULL;
		lk_status rc =
		    full ? read_secret(&val, &msg, full, s->str) : LK_ENOMEM;
		if (rc == LK_ECONFIG)
			problem(r, s->file, s->line, "%s.%s_file: %s",
				block_name, key, msg);
		else if (rc != LK_OK)
			r->oom = true;
		lk_free(msg);
		lk_free(full);
		lk_free(dir);
		lk_free(real);
	} else if (strncmp(s->str, "env:", 4) == 0) {
		const char *v = getenv(s->str + 4);
		if (!v || !*v)
			problem(r, s->file, s->line,
				"%s.%s: environment variable %s is not set "
				"or empty",
				block_name, key, s->str + 4);
		else if (!(val = lk_strdup(v)))
			r->oom = true;
	} else if (!(val = lk_strdup(s->str))) {
		r->oom = true;
	}
	if (!val)
		return;
	lk_log__redact_add(ctx, val);
	if (lk_fields_set(values, key, val, true) != LK_OK)
		r->oom = true;
	lk_str_wipe_free(val);
}

/* Check one member of a module block against its declared key. */
static void block_member(struct report *r, const lk_app *app,
			 const char *block_name, const struct lk_config_key *k,
			 const lk_setting *s, bool from_file, lk_fields *values)
{
	/* k->name: a nested member is named by its dotted key. */
	char *path = lk_strdupf("%s.%s", block_name,
				from_file ? s->name : k->name);
	char buf[64];
	const char *text = NULL;

	if (!path) {
		r->oom = true;
		return;
	}
	if (from_file || k->type == LK_KEY_SECRET) {
		if (want(r, s, path, LK_SET_STRING))
			block_secret(r, app, block_name, s, from_file, k->name,
				     values);
		goto out;
	}
	if (k->type == LK_KEY_STRING_LIST) {
		want_list(r, s, path, LK_SET_STRING);
		goto out;
	}
	if (!want(r, s, path, key_set_type(k->type)))
		goto out;
	switch (k->type) {
	case LK_KEY_INT:
		snprintf(buf, sizeof buf, "%lld", s->i);
		text = buf;
		break;
	case LK_KEY_FLOAT:
		snprintf(buf, sizeof buf, "%.17g",
			 s->type == LK_SET_INT ? (double)s->i : s->f);
		text = buf;
		break;
	case LK_KEY_BOOL:
		text = s->b ? "true" : "false";
		break;
	case LK_KEY_ENUM:
		if (!in_choices(s->str, k->choices)) {
			char *c = choices_text(k->choices ? k->choices : "");
			problem(r, s->file, s->line,
				"'%s' must be one of: %s (found \"%s\")", path,
				c ? c : "", s->str);
			lk_free(c);
			goto out;
		}
		text = s->str;
		break;
	case LK_KEY_URL:
		check_url(r, s, path, app->allow_http);
		text = s->str;
		break;
	case LK_KEY_GROUP:
		break;
	default:
		text = s->str;
		break;
	}
	if (text && lk_fields_set(values, k->name, text, false) != LK_OK)
		r->oom = true;
out:
	lk_free(path);
}

/* Keys may be dotted ("request.url"): members of a nested group. */
static bool has_nested_keys(const struct lk_config_key *keys, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; keys && keys[i].name; i++)
		if (strncmp(keys[i].name, name, n) == 0 &&
		    keys[i].name[n] == '.')
			return true;
	return false;
}

/* Check a nested group's members against the dotted keys under it. */
static void nested_block(struct report *r, const lk_app *app,
			 const char *block_name,
			 const struct lk_config_key *keys, const lk_setting *g,
			 lk_fields *values)
{
	for (size_t i = 0; i < g->nkids; i++) {
		const lk_setting *s = g->kids[i];
		char *dotted = lk_strdupf("%s.%s", g->name, s->name);
		const struct lk_config_key *k =
			dotted ? find_key(keys, dotted, strlen(dotted)) : NULL;

		if (!dotted)
			r->oom = true;
		else if (!k || k->type == LK_KEY_SECRET)
			problem(r, s->file, s->line,
				"unknown key '%s' in %s.%s block", s->name,
				block_name, g->name);
		else
			block_member(r, app, block_name, k, s, false, values);
		lk_free(dotted);
	}
}

lk_status lk_config__check_block(lk_ctx *ctx, const lk_app *app,
				 const char *block_name,
				 const struct lk_config_key *keys,
				 struct lk_block *block)
{
	struct report r = {.ctx = ctx};
	const lk_setting *g = lk_settings__get(app->root, block_name);
	lk_fields *values = NULL;

	if (lk_fields_new(&values) != LK_OK)
		return lk_error__set(ctx, LK_ENOMEM, "out of memory");
	if (g && g->type != LK_SET_GROUP) {
		want(&r, g, block_name, LK_SET_GROUP);
		g = NULL;
	}
	for (size_t i = 0; g && i < g->nkids; i++) {
		const lk_setting *s = g->kids[i];
		size_t n = strlen(s->name);
		const struct lk_config_key *k = find_key(keys, s->name, n);
		bool from_file = false;

		if (!k && n > 5 && strcmp(s->name + n - 5, "_file") == 0) {
			k = find_key(keys, s->name, n - 5);
			if (k && k->type != LK_KEY_SECRET)
				k = NULL;
			from_file = k != NULL;
		}
		if (!k && s->type == LK_SET_GROUP &&
		    has_nested_keys(keys, s->name)) {
			nested_block(&r, app, block_name, keys, s, values);
			continue;
		}
		if (!k) {
			problem(&r, s->file, s->line,
				"unknown key '%s' in %s block", s->name,
				block_name);
			continue;
		}
		if (from_file && lk_settings__get(g, k->name)) {
			problem(&r, s->file, s->line,
				"%s: give either '%s' or '%s', not both",
				block_name, k->name, s->name);
			continue;
		}
		block_member(&r, app, block_name, k, s, from_file, values);
	}
	for (size_t i = 0; keys && keys[i].name; i++) {
		const struct lk_config_key *k = &keys[i];
		char *fname = lk_strdupf("%s_file", k->name);
		bool present = lk_settings__find(g, k->name) ||
			       (k->type == LK_KEY_SECRET && fname &&
				lk_settings__get(g, fname));
		lk_free(fname);
		if (present)
			continue;
		if (k->default_value) {
			if (k->type != LK_KEY_STRING_LIST &&
			    k->type != LK_KEY_GROUP &&
			    lk_fields_set(values, k->name, k->default_value,
					  false) != LK_OK)
				r.oom = true;
		} else if (k->required && k->type == LK_KEY_SECRET) {
			problem(&r, g ? g->file : app->file,
				g ? g->line : app->line,
				"missing required key '%s' (or '%s_file') in "
				"%s block",
				k->name, k->name, block_name);
		} else if (k->required) {
			problem(&r, g ? g->file : app->file,
				g ? g->line : app->line,
				"missing required key '%s' in %s block",
				k->name, block_name);
		}
	}
	lk_status rc = report_end(&r);
	if (rc != LK_OK) {
		lk_fields_free(values);
		return rc;
	}
	lk_fields_free(block->values);
	block->group = g;
	block->values = values;
	return LK_OK;
}

/* ------------------------------------------------------------------ apps */

void lk_app__free(lk_app *app)
{
	if (!app)
		return;
	lk_free(app->id);
	lk_free(app->title);
	lk_free(app->scheme);
	lk_settings__free(app->root);
	for (size_t i = 0; i < app->nfields; i++) {
		lk_free(app->fields[i].key);
		lk_free(app->fields[i].label);
	}
	lk_free(app->fields);
	lk_url__free_bases(app);
	free_strings(app->base_urls, app->nbase_urls);
	lk_free(app->test_method);
	lk_free(app->test_url);
	free_strings(app->test_headers, app->ntest_headers);
	lk_free(app->test_body);
	lk_free(app->label_tmpl);
	free_strings(app->hooks, app->nhooks);
	lk_free(app->refresh_status);
	free_strings(app->refresh_json_error, app->nrefresh_json_error);
	lk_free(app->policy);
	lk_free(app->broken_msg);
	lk_fields_free(app->scheme_block.values);
	lk_fields_free(app->policy_block.values);
	for (size_t i = 0; i < app->nhook_blocks; i++)
		lk_fields_free(app->hook_blocks[i].values);
	lk_free(app->hook_blocks);
	lk_free(app->all_fields); /* shallow copies */
	lk_free(app);
}

/* A string member, type-checked; NULL when absent or wrong. */
static const char *get_str(struct report *r, const lk_setting *g,
			   const char *name, const char *path)
{
	const lk_setting *s = lk_settings__get(g, name);
	return s && want(r, s, path, LK_SET_STRING) ? s->str : NULL;
}

/* A bool member, type-checked; @p dflt when absent or wrong. */
static bool get_bool(struct report *r, const lk_setting *g, const char *name,
		     const char *path, bool dflt)
{
	const lk_setting *s = lk_settings__get(g, name);
	return s && want(r, s, path, LK_SET_BOOL) ? s->b : dflt;
}

/* Unknown members of a fixed group: @p allowed is NULL-terminated. */
static void unknown_keys(struct report *r, const lk_setting *g,
			 const char *const *allowed, const char *where)
{
	for (size_t i = 0; i < g->nkids; i++) {
		const lk_setting *s = g->kids[i];
		bool ok = false;
		for (size_t j = 0; allowed[j] && !ok; j++)
			ok = strcmp(s->name, allowed[j]) == 0;
		if (!ok)
			problem(r, s->file, s->line, "unknown key '%s' in %s",
				s->name, where);
	}
}

static void dup_str(struct report *r, char **dst, const char *src)
{
	if (src && !(*dst = lk_strdup(src)))
		r->oom = true;
}

static void app_fields(struct report *r, lk_app *app, const lk_setting *s)
{
	static const char *const allowed[] = {"key", "label", "required",
					      "secret", NULL};

	if (!want(r, s, "fields", LK_SET_LIST))
		return;
	app->fields = lk_calloc(s->nkids ? s->nkids : 1, sizeof(*app->fields));
	if (!app->fields) {
		r->oom = true;
		return;
	}
	for (size_t i = 0; i < s->nkids; i++) {
		const lk_setting *f = s->kids[i];
		char item[40];
		snprintf(item, sizeof item, "fields item %zu", i + 1);
		if (!want(r, f, item, LK_SET_GROUP))
			continue;
		unknown_keys(r, f, allowed, item);
		const char *key = get_str(r, f, "key", "fields.key");
		if (!key) {
			if (!lk_settings__get(f, "key"))
				problem(r, f->file, f->line,
					"field %zu has no 'key'", i + 1);
			continue;
		}
		if (!name_ok(key, false)) {
			problem(r, f->file, f->line,
				"field key '%s' must match [a-z0-9_]+", key);
			continue;
		}
		bool dup = false;
		for (size_t j = 0; j < app->nfields && !dup; j++)
			dup = strcmp(app->fields[j].key, key) == 0;
		if (dup) {
			problem(r, f->file, f->line,
				"field '%s' is declared twice", key);
			continue;
		}
		struct lk_app_field *d = &app->fields[app->nfields++];
		const char *label = get_str(r, f, "label", "fields.label");
		dup_str(r, &d->key, key);
		dup_str(r, &d->label, label ? label : key);
		d->required =
		    get_bool(r, f, "required", "fields.required", true);
		d->secret = get_bool(r, f, "secret", "fields.secret", false);
	}
}

static void app_test(struct report *r, lk_app *app, const lk_setting *t)
{
	static const char *const allowed[] = {"method", "url", "headers",
					      "body", NULL};
	const lk_setting *s;

	if (!want(r, t, "test", LK_SET_GROUP))
		return;
	unknown_keys(r, t, allowed, "test block");
	const char *method = get_str(r, t, "method", "test.method");
	const char *url = get_str(r, t, "url", "test.url");
	if (method && !*method)
		problem(r, t->file, t->line, "'test.method' is empty");
	if (!url) {
		if (!lk_settings__get(t, "url"))
			problem(r, t->file, t->line,
				"missing required key 'url' in test block");
		return;
	}
	check_url(r, lk_settings__get(t, "url"), "test.url", app->allow_http);
	dup_str(r, &app->test_method, method ? method : "GET");
	dup_str(r, &app->test_url, url);
	dup_str(r, &app->test_body, get_str(r, t, "body", "test.body"));
	s = lk_settings__get(t, "headers");
	if (s && want_list(r, s, "test.headers", LK_SET_STRING) &&
	    copy_strings(&app->test_headers, &app->ntest_headers, s) != LK_OK)
		r->oom = true;
}

static void app_refresh_on(struct report *r, lk_app *app, const lk_setting *g)
{
	static const char *const allowed[] = {"status", "json_error", NULL};
	const lk_setting *s = NULL;

	if (g && !want(r, g, "refresh_on", LK_SET_GROUP))
		return;
	if (g) {
		unknown_keys(r, g, allowed, "refresh_on block");
		s = lk_settings__get(g, "status");
	}
	if (s && want_list(r, s, "refresh_on.status", LK_SET_INT)) {
		app->refresh_status =
		    lk_calloc(s->nkids ? s->nkids : 1, sizeof(long));
		for (size_t i = 0; app->refresh_status && i < s->nkids; i++) {
			long long v = s->kids[i]->i;
			if (v < 100 || v > 599)
				problem(r, s->kids[i]->file, s->kids[i]->line,
					"'refresh_on.status' %lld is not an "
					"HTTP status (100-599)",
					v);
			app->refresh_status[app->nrefresh_status++] = (long)v;
		}
		if (!app->refresh_status)
			r->oom = true;
	} else if (!s) {
		app->refresh_status = lk_calloc(1, sizeof(long));
		if (!app->refresh_status)
			r->oom = true;
		else
			app->refresh_status[app->nrefresh_status++] = 401;
	}
	s = g ? lk_settings__get(g, "json_error") : NULL;
	if (s && want_list(r, s, "refresh_on.json_error", LK_SET_STRING) &&
	    copy_strings(&app->refresh_json_error, &app->nrefresh_json_error,
			 s) != LK_OK)
		r->oom = true;
}

/* Is @p name the name of a module block this app uses? */
static bool module_block(const lk_app *app, const char *name)
{
	if (app->scheme && strcmp(name, app->scheme) == 0)
		return true;
	if (app->policy && strcmp(name, app->policy) == 0)
		return true;
	for (size_t i = 0; i < app->nhooks; i++)
		if (strcmp(name, app->hooks[i]) == 0)
			return true;
	return false;
}

/* Parse the `app` group of one file into a new lk_app. */
static lk_app *app_parse(struct report *r, lk_setting *root)
{
	static const char *const known[] = {
	    "id",	 "title",      "scheme",	   "fields",
	    "base_urls", "allow_http", "follow_redirects", "test",
	    "label",	 "hooks",      "refresh_on",	   NULL};
	lk_app *app = lk_calloc(1, sizeof(*app));
	const lk_setting *s;
	size_t before = r->n;

	if (!app) {
		r->oom = true;
		lk_settings__free(root);
		return NULL;
	}
	app->root = root;
	app->file = root->file;
	app->line = root->line;

	const char *id = get_str(r, root, "id", "id");
	if (!id && !lk_settings__get(root, "id"))
		problem(r, root->file, root->line, "app has no 'id'");
	else if (id && !name_ok(id, false))
		problem(r, lk_settings__get(root, "id")->file,
			lk_settings__get(root, "id")->line,
			"app id '%s' must match [a-z0-9_]+", id);
	else
		dup_str(r, &app->id, id);

	const char *title = get_str(r, root, "title", "title");
	dup_str(r, &app->title, title ? title : id);

	const char *scheme = get_str(r, root, "scheme", "scheme");
	if (!scheme && !lk_settings__get(root, "scheme"))
		problem(r, root->file, root->line, "app has no 'scheme'");
	else if (scheme && !name_ok(scheme, true))
		problem(r, lk_settings__get(root, "scheme")->file,
			lk_settings__get(root, "scheme")->line,
			"scheme '%s' is not a module name ([a-z][a-z0-9_]*)",
			scheme);
	else
		dup_str(r, &app->scheme, scheme);

	app->allow_http = get_bool(r, root, "allow_http", "allow_http", false);
	app->follow_redirects =
	    get_bool(r, root, "follow_redirects", "follow_redirects", false);

	if ((s = lk_settings__get(root, "fields")))
		app_fields(r, app, s);

	s = lk_settings__get(root, "base_urls");
	if (s && want_list(r, s, "base_urls", LK_SET_STRING)) {
		for (size_t i = 0; i < s->nkids; i++) {
			char what[32];
			snprintf(what, sizeof what, "base_urls[%zu]", i);
			check_url(r, s->kids[i], what, app->allow_http);
		}
		if (copy_strings(&app->base_urls, &app->nbase_urls, s) != LK_OK)
			r->oom = true;
	}
	if (app->scheme && strcmp(app->scheme, "none") != 0 &&
	    (!s || (s->type == LK_SET_LIST && !s->nkids)))
		problem(r, s ? s->file : root->file, s ? s->line : root->line,
			"app '%s' needs 'base_urls' (where its connections "
			"may be used)",
			app->id ? app->id : "?");

	if ((s = lk_settings__get(root, "test")))
		app_test(r, app, s);
	dup_str(r, &app->label_tmpl, get_str(r, root, "label", "label"));

	s = lk_settings__get(root, "hooks");
	if (s && want_list(r, s, "hooks", LK_SET_STRING)) {
		for (size_t i = 0; i < s->nkids; i++)
			if (!name_ok(s->kids[i]->str, true))
				problem(r, s->kids[i]->file, s->kids[i]->line,
					"hooks module '%s' is not a module "
					"name ([a-z][a-z0-9_]*)",
					s->kids[i]->str);
		if (copy_strings(&app->hooks, &app->nhooks, s) != LK_OK)
			r->oom = true;
	}
	app_refresh_on(r, app, lk_settings__get(root, "refresh_on"));

	/* The refresh policy is named inside the scheme's block. */
	const lk_setting *sb =
	    app->scheme ? lk_settings__get(root, app->scheme) : NULL;
	const lk_setting *pol = sb && sb->type == LK_SET_GROUP
				    ? lk_settings__get(sb, "policy")
				    : NULL;
	if (pol && pol->type == LK_SET_STRING &&
	    strcmp(pol->str, "default") != 0) {
		if (!name_ok(pol->str, true))
			problem(r, pol->file, pol->line,
				"policy '%s' is not a module name "
				"([a-z][a-z0-9_]*)",
				pol->str);
		else
			dup_str(r, &app->policy, pol->str);
	}

	/* Anything else must be a block of a module this app names; its
	 * keys are judged when the module is bound. */
	for (size_t i = 0; i < root->nkids; i++) {
		const lk_setting *k = root->kids[i];
		bool ok = false;
		for (size_t j = 0; known[j] && !ok; j++)
			ok = strcmp(k->name, known[j]) == 0;
		if (ok)
			continue;
		if (!module_block(app, k->name))
			problem(r, k->file, k->line,
				"unknown key '%s' in app block", k->name);
		else
			want(r, k, k->name, LK_SET_GROUP);
	}
	if (r->n != before || r->oom) {
		lk_app__free(app);
		return NULL;
	}
	return app;
}

/* ----------------------------------------------------------- latchkey.conf */

static const char *intern_display(void *ud, const char *path)
{
	return display_name(ud, path);
}

/* Read @p path with libconfig into a settings tree; file:line on error. */
static lk_setting *read_tree(struct report *r, const char *path)
{
	config_t cfg;
	lk_setting *root = NULL;
	lk_ctx *ctx = r->ctx;
	const char *shown = display_name(ctx, path);

	if (!shown) {
		r->oom = true;
		return NULL;
	}
	config_init(&cfg);
	config_set_include_dir(&cfg, ctx->config_dir);
	if (config_read_file(&cfg, path) != CONFIG_TRUE) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
			problem(r, path, 0, "cannot read the file: %s",
				strerror(errno));
		} else {
			const char *ef = config_error_file(&cfg);
			const char *es = ef ? display_name(ctx, ef) : shown;
			problem(r, es ? es : shown, config_error_line(&cfg),
				"%s", config_error_text(&cfg));
		}
		goto out;
	}
	if (lk_settings__copy_from(&root, config_root_setting(&cfg), shown,
				   intern_display, ctx) != LK_OK)
		r->oom = true;
	else
		root->line = root->line ? root->line : 1;
out:
	config_destroy(&cfg);
	return root;
}

/* An integer > 0 from a group member, or @p dflt. */
static long long get_pos_int(struct report *r, const lk_setting *g,
			     const char *name, const char *path, long long dflt)
{
	const lk_setting *s = lk_settings__get(g, name);

	if (!s || !want(r, s, path, LK_SET_INT))
		return dflt;
	if (s->i <= 0) {
		problem(r, s->file, s->line, "'%s' must be greater than 0",
			path);
		return dflt;
	}
	return s->i;
}

static void conf_http(struct report *r, const lk_setting *g)
{
	static const char *const allowed[] = {"timeout", "connect_timeout",
					      "max_response_bytes", NULL};
	lk_ctx *ctx = r->ctx;

	ctx->http_timeout = 30;
	ctx->http_connect_timeout = 10;
	ctx->max_response_bytes = 1048576;
	if (!g || !want(r, g, "http", LK_SET_GROUP))
		return;
	unknown_keys(r, g, allowed, "http block");
	ctx->http_timeout =
	    (long)get_pos_int(r, g, "timeout", "http.timeout", 30);
	ctx->http_connect_timeout = (long)get_pos_int(
	    r, g, "connect_timeout", "http.connect_timeout", 10);
	ctx->max_response_bytes = (size_t)get_pos_int(
	    r, g, "max_response_bytes", "http.max_response_bytes", 1048576);
}

static void conf_log(struct report *r, const lk_setting *g)
{
	static const char *const allowed[] = {"level", NULL};
	static const char *const names[] = {"error", "warn", "info", "debug"};

	r->ctx->conf_log_level = LK_LOG_INFO;
	if (!g || !want(r, g, "log", LK_SET_GROUP))
		return;
	unknown_keys(r, g, allowed, "log block");
	const char *lv = get_str(r, g, "level", "log.level");
	if (!lv)
		return;
	for (int i = 0; i < 4; i++)
		if (strcmp(lv, names[i]) == 0) {
			r->ctx->conf_log_level = (lk_log_level)i;
			return;
		}
	const lk_setting *s = lk_settings__get(g, "level");
	problem(r, s->file, s->line,
		"'log.level' must be one of: error, warn, info, debug "
		"(found \"%s\")",
		lv);
}

/* store.path and store.key_file, with DESIGN's defaults. */
static void conf_store(struct report *r, const lk_setting *root)
{
	static const char *const allowed[] = {"path", "key_file", NULL};
	lk_ctx *ctx = r->ctx;
	const lk_setting *g = lk_settings__get(root, "store");
	const char *path = NULL, *key = NULL;

	if (g && want(r, g, "store", LK_SET_GROUP)) {
		unknown_keys(r, g, allowed, "store block");
		path = get_str(r, g, "path", "store.path");
		key = get_str(r, g, "key_file", "store.key_file");
	}
	if (path)
		ctx->store_path = path_join(ctx->config_dir, path);
	if (key)
		ctx->key_file = path_join(ctx->config_dir, key);
	if ((path && !ctx->store_path) || (key && !ctx->key_file))
		r->oom = true;
	if (geteuid() == 0) {
		if (!path)
			dup_str(r, &ctx->store_path, "/var/lib/latchkey");
		if (!key)
			dup_str(r, &ctx->key_file, "/etc/latchkey/master.key");
		return;
	}
	const char *home = getenv("HOME");
	const char *data = getenv("XDG_DATA_HOME");
	const char *conf = getenv("XDG_CONFIG_HOME");
	/* XDG: a relative value is invalid and ignored. */
	data = data && data[0] == '/' ? data : NULL;
	conf = conf && conf[0] == '/' ? conf : NULL;
	if ((!path && !data) || (!key && !conf)) {
		if (!home || home[0] != '/') {
			problem(r, root->file, root->line,
				"no store.path or store.key_file and no HOME "
				"to default them from");
			return;
		}
	}
	if (!path) {
		ctx->store_path =
		    data ? lk_strdupf("%s/latchkey", data)
			 : lk_strdupf("%s/.local/share/latchkey", home);
		r->oom = r->oom || !ctx->store_path;
	}
	if (!key) {
		ctx->key_file =
		    conf ? lk_strdupf("%s/latchkey/master.key", conf)
			 : lk_strdupf("%s/.config/latchkey/master.key", home);
		r->oom = r->oom || !ctx->key_file;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_app(const void *a, const void *b)
{
	return strcmp((*(lk_app *const *)a)->id, (*(lk_app *const *)b)->id);
}

/* Load one app file and add its app to the ctx. */
static void load_app_file(struct report *r, const char *path)
{
	lk_ctx *ctx = r->ctx;
	lk_setting *tree = read_tree(r, path);
	lk_setting *app_root = NULL;

	if (!tree)
		return;
	for (size_t i = 0; i < tree->nkids; i++) {
		lk_setting *k = tree->kids[i];
		if (strcmp(k->name, "app") != 0)
			problem(r, k->file, k->line,
				"unknown key '%s' (an app file holds one "
				"'app' block)",
				k->name);
		else if (want(r, k, "app", LK_SET_GROUP))
			app_root = k;
	}
	if (!app_root) {
		if (!lk_settings__get(tree, "app"))
			problem(r, tree->file, 1, "no 'app' block");
		lk_settings__free(tree);
		return;
	}
	/* Detach the app group from the file's tree: the app keeps it. */
	for (size_t i = 0; i < tree->nkids; i++)
		if (tree->kids[i] == app_root)
			tree->kids[i] = tree->kids[--tree->nkids];
	lk_settings__free(tree);

	lk_app *app = app_parse(r, app_root);
	if (!app)
		return;
	for (size_t i = 0; i < ctx->napps; i++) {
		const lk_app *o = ctx->apps[i];
		if (strcmp(o->id, app->id) != 0)
			continue;
		const lk_setting *id = lk_settings__get(app->root, "id");
		problem(r, id->file, id->line,
			"duplicate app id '%s' (first defined at %s:%d)",
			app->id, o->file,
			lk_settings__get(o->root, "id")->line);
		lk_app__free(app);
		return;
	}
	lk_app **grown =
	    realloc(ctx->apps, (ctx->napps + 1) * sizeof(*ctx->apps));
	if (!grown) {
		r->oom = true;
		lk_app__free(app);
		return;
	}
	ctx->apps = grown;
	ctx->apps[ctx->napps++] = app;
}

/* Every apps_dir/<name>.conf, in sorted order. */
static void load_apps(struct report *r, const lk_setting *where, bool given)
{
	lk_ctx *ctx = r->ctx;
	DIR *d = opendir(ctx->apps_dir);
	char **names = NULL;
	size_t n = 0;

	if (!d) {
		/* The default folder may be absent: no apps. */
		if (given || errno != ENOENT)
			problem(
			    r, where->file, where->line, "apps_dir '%s': %s",
			    display_name(ctx, ctx->apps_dir), strerror(errno));
		return;
	}
	for (struct dirent *e = readdir(d); e; e = readdir(d)) {
		size_t l = strlen(e->d_name);
		if (e->d_name[0] == '.' || l < 6 ||
		    strcmp(e->d_name + l - 5, ".conf") != 0)
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown || !(grown[n] = lk_strdup(e->d_name))) {
			names = grown ? grown : names;
			r->oom = true;
			break;
		}
		names = grown;
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		char *p = lk_strdupf("%s/%s", ctx->apps_dir, names[i]);
		if (p)
			load_app_file(r, p);
		else
			r->oom = true;
		lk_free(p);
		lk_free(names[i]);
	}
	lk_free(names);
	if (ctx->napps)
		qsort(ctx->apps, ctx->napps, sizeof(*ctx->apps), cmp_app);
}

void lk_config__free(lk_ctx *ctx)
{
	if (!ctx)
		return;
	for (size_t i = 0; i < ctx->napps; i++)
		lk_app__free(ctx->apps[i]);
	lk_free(ctx->apps);
	ctx->apps = NULL;
	ctx->napps = 0;
	lk_settings__free(ctx->serve);
	ctx->serve = NULL;
	ctx->serve_file = NULL;
	lk_free(ctx->config_path);
	lk_free(ctx->config_dir);
	lk_free(ctx->module_path);
	lk_free(ctx->apps_dir);
	lk_free(ctx->store_path);
	lk_free(ctx->key_file);
	ctx->config_path = ctx->config_dir = ctx->module_path = NULL;
	ctx->apps_dir = ctx->store_path = ctx->key_file = NULL;
	for (size_t i = 0; i < ctx->nfiles; i++)
		lk_free(ctx->files[i]);
	lk_free(ctx->files);
	ctx->files = NULL;
	ctx->nfiles = 0;
}

static void load_main(struct report *r, lk_setting *root)
{
	static const char *const allowed[] = {
	    "module_path", "apps_dir", "store", "http", "log", "serve", NULL};
	lk_ctx *ctx = r->ctx;

	unknown_keys(r, root, allowed, "latchkey.conf");
	const char *mp = get_str(r, root, "module_path", "module_path");
	ctx->module_path = path_join(ctx->config_dir, mp ? mp : LK_MODULE_DIR);
	const lk_setting *ad = lk_settings__get(root, "apps_dir");
	const char *apps = get_str(r, root, "apps_dir", "apps_dir");
	ctx->apps_dir = path_join(ctx->config_dir, apps ? apps : "apps.d");
	if (!ctx->module_path || !ctx->apps_dir) {
		r->oom = true;
		return;
	}
	conf_store(r, root);
	conf_http(r, lk_settings__get(root, "http"));
	conf_log(r, lk_settings__get(root, "log"));
	for (size_t i = 0; i < root->nkids; i++) {
		if (strcmp(root->kids[i]->name, "serve") != 0)
			continue;
		if (!want(r, root->kids[i], "serve", LK_SET_GROUP))
			break;
		/* Kept whole for `latchkey serve`, which checks it. */
		ctx->serve = root->kids[i];
		ctx->serve_file = ctx->serve->file;
		root->kids[i] = root->kids[--root->nkids];
		break;
	}
	if (!ad || apps)
		load_apps(r, ad ? ad : root, apps != NULL);
}

lk_status lk_config__load(lk_ctx *ctx, const char *path)
{
	struct report r = {.ctx = ctx};
	lk_setting *root = NULL;
	lk_status rc;

	if (!path || !*path)
		path = getenv("LATCHKEY_CONFIG");
	if (!path || !*path)
		path = LK_SYSCONF_DIR "/latchkey.conf";
	lk_config__free(ctx);
	/* An absolute folder: relative paths in the config stay right
	 * whatever the host's working directory becomes. */
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/');
	ctx->config_dir = dir ? realpath(dir, NULL) : NULL;
	if (dir && !ctx->config_dir)
		ctx->config_dir = lk_strdup(dir);
	lk_free(dir);
	ctx->config_path = ctx->config_dir
		? path_join(ctx->config_dir, base ? base + 1 : path)
		: NULL;
	if (!ctx->config_path || !ctx->config_dir) {
		lk_config__free(ctx);
		return lk_error__set(ctx, LK_ENOMEM, "out of memory");
	}
	root = read_tree(&r, ctx->config_path);
	if (root)
		load_main(&r, root);
	lk_settings__free(root);
	rc = report_end(&r);
	if (rc != LK_OK)
		lk_config__free(ctx); /* a failed load leaves nothing */
	return rc;
}
