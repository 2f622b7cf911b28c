/* SPDX-License-Identifier: MIT */
/* Binding an app to its modules on first use (modules load lazily), and
 * the per-connection in-memory scheme state. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bind.h"
#include "config.h"
#include "error.h"
#include "loader.h"
#include "url.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "apikey, basic, none": the .so files of module_path, for messages. */
static char *available_modules(const lk_ctx *ctx)
{
	char **names = NULL;
	size_t n = 0, len = 1;
	char *list = NULL;
	DIR *d = opendir(ctx->module_path ? ctx->module_path : "");

	for (struct dirent *e = d ? readdir(d) : NULL; e; e = readdir(d)) {
		size_t l = strlen(e->d_name);
		if (l < 4 || strcmp(e->d_name + l - 3, ".so") != 0)
			continue;
		char **grown = realloc(names, (n + 1) * sizeof(*grown));
		if (!grown)
			break;
		names = grown;
		names[n] = lk_strdup(e->d_name);
		if (!names[n])
			break;
		names[n][l - 3] = '\0';
		len += l + 2;
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	list = lk_calloc(1, len);
	for (size_t i = 0, off = 0; list && i < n; i++) {
		size_t l = strlen(names[i]);
		if (i) {
			memcpy(list + off, ", ", 2);
			off += 2;
		}
		memcpy(list + off, names[i], l + 1); /* sized above */
		off += l;
	}
	for (size_t i = 0; i < n; i++)
		lk_free(names[i]);
	lk_free(names);
	return list;
}

/* Load module @p name for @p app, expecting @p kind. */
static lk_status load_kind(struct lk_module_rt **out, lk_ctx *ctx,
			   const lk_app *app, const char *what,
			   const char *name)
{
	struct stat sb;
	char *path = lk_strdupf("%s/%s.so", ctx->module_path, name);
	lk_status rc = LK_OK;

	*out = NULL;
	if (!path)
		return LK_ENOMEM;
	if (stat(path, &sb) != 0) {
		char *avail = available_modules(ctx);
		rc = lk_error__set(ctx, LK_EMODULE,
				   "%s:%d: %s \"%s\" is not available "
				   "(available: %s)",
				   app->file, app->line, what, name,
				   avail && *avail ? avail : "none");
		lk_free(avail);
		goto out;
	}
	rc = lk_loader__get(out, ctx, name);
	if (rc != LK_OK) {
		lk_error__prefix(ctx, "%s:%d: %s \"%s\"", app->file, app->line,
				 what, name);
		goto out;
	}
out:
	lk_free(path);
	return rc;
}

static lk_status build_fields(lk_app *app)
{
	const struct lk_field_decl *sf = app->scheme_block.mod->scheme.fields;
	size_t ns = 0;

	while (sf && sf[ns].key)
		ns++;
	app->all_fields = lk_calloc(app->nfields + ns,
				    sizeof(*app->all_fields));
	if (!app->all_fields)
		return LK_ENOMEM;
	/* Shallow copies: the strings belong to the app or the module. */
	for (size_t i = 0; i < app->nfields; i++)
		app->all_fields[app->nall_fields++] = app->fields[i];
	for (size_t i = 0; i < ns; i++) {
		bool dup = false;
		for (size_t j = 0; j < app->nfields; j++)
			dup = dup || strcmp(app->fields[j].key, sf[i].key) == 0;
		if (dup)
			continue;
		app->all_fields[app->nall_fields++] = (struct lk_app_field){
			(char *)sf[i].key, (char *)sf[i].label,
			sf[i].required, sf[i].secret};
	}
	return LK_OK;
}

static lk_status bind_locked(lk_ctx *ctx, lk_app *app)
{
	struct lk_module_rt *mod = NULL;
	lk_status rc = load_kind(&mod, ctx, app, "scheme", app->scheme);

	if (rc != LK_OK)
		return rc;
	if (!mod->has_scheme)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s:%d: module \"%s\" provides no scheme",
				     app->file, app->line, app->scheme);
	app->scheme_block.mod = mod;
	rc = lk_config__check_block(ctx, app, app->scheme,
				    mod->scheme.config_keys,
				    &app->scheme_block);
	if (rc != LK_OK)
		return rc;

	/* A refresh policy other than the core's default, by name. */
	const char *policy = lk_fields_get(app->scheme_block.values, "policy");
	if (policy && strcmp(policy, "default") != 0) {
		rc = load_kind(&mod, ctx, app, "refresh policy", policy);
		if (rc != LK_OK)
			return rc;
		if (!mod->has_refresh)
			return lk_error__set(
				ctx, LK_EMODULE,
				"%s:%d: module \"%s\" is not a refresh policy",
				app->file, app->line, policy);
		app->policy_block.mod = mod;
		rc = lk_config__check_block(ctx, app, policy,
					    mod->refresh.config_keys,
					    &app->policy_block);
		if (rc != LK_OK)
			return rc;
	}

	app->hook_blocks = lk_calloc(app->nhooks, sizeof(*app->hook_blocks));
	if (!app->hook_blocks)
		return LK_ENOMEM;
	for (size_t i = 0; i < app->nhooks; i++) {
		rc = load_kind(&mod, ctx, app, "hooks module", app->hooks[i]);
		if (rc != LK_OK)
			return rc;
		if (!mod->has_hooks)
			return lk_error__set(
				ctx, LK_EMODULE,
				"%s:%d: module \"%s\" provides no hooks",
				app->file, app->line, app->hooks[i]);
		app->hook_blocks[i].mod = mod;
		app->nhook_blocks = i + 1;
		rc = lk_config__check_block(ctx, app, app->hooks[i],
					    mod->hooks.config_keys,
					    &app->hook_blocks[i]);
		if (rc != LK_OK)
			return rc;
	}

	rc = build_fields(app);
	if (rc == LK_OK)
		rc = lk_url__prepare_bases(app);
	if (rc != LK_OK)
		return rc;
	if (app->scheme_block.mod->scheme.validate) {
		lk_call call;
		lk_bind__scheme_call(&call, ctx, app, NULL, NULL);
		rc = app->scheme_block.mod->scheme.validate(&call);
	}
	if (rc == LK_OK && app->policy_block.mod &&
	    app->policy_block.mod->refresh.validate) {
		lk_call call = {.ctx = ctx,
				.app = app,
				.block = &app->policy_block};
		rc = app->policy_block.mod->refresh.validate(&call);
	}
	return rc;
}

lk_status lk_bind__app(lk_ctx *ctx, lk_app *app)
{
	lk_status rc = LK_OK;

	if (!ctx || !app)
		return LK_EINVAL;
	pthread_mutex_lock(&ctx->bind_lock);
	if (app->bound == 1)
		goto out;
	if (app->bound == -1) {
		/* Broken once, broken always: the same message every time. */
		rc = lk_error__set(ctx, LK_EMODULE, "%s", app->broken_msg);
		goto out;
	}
	rc = bind_locked(ctx, app);
	if (rc == LK_OK) {
		app->bound = 1;
		goto out;
	}
	app->bound = -1;
	app->broken_msg = lk_strdup(lk_errmsg(ctx));
out:
	pthread_mutex_unlock(&ctx->bind_lock);
	return rc;
}

void lk_bind__scheme_call(lk_call *call, lk_ctx *ctx, const lk_app *app,
			  lk_conn *conn, lk_fields *fields)
{
	memset(call, 0, sizeof(*call));
	call->ctx = ctx;
	call->app = app;
	call->block = (struct lk_block *)&app->scheme_block;
	call->conn = conn;
	call->fields = fields;
}

lk_status lk_bind__state(void **out, lk_call *call)
{
	lk_ctx *ctx = call->ctx;
	const struct lk_scheme_ops *ops = &call->app->scheme_block.mod->scheme;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!call->conn || !ops->state_new)
		return LK_OK;
	pthread_mutex_lock(&ctx->state_lock);
	struct lk_state_entry *e = ctx->states;
	while (e && strcmp(e->conn_id, call->conn->id) != 0)
		e = e->next;
	if (!e) {
		e = lk_calloc(1, sizeof(*e));
		rc = e ? ops->state_new(&e->state, call) : LK_ENOMEM;
		e = rc == LK_OK ? e : (lk_free(e), NULL);
		if (e) {
			e->conn_id = lk_strdup(call->conn->id);
			e->free_fn = ops->state_free;
			e->next = ctx->states;
			ctx->states = e;
		}
	}
	if (e)
		*out = e->state;
	pthread_mutex_unlock(&ctx->state_lock);
	return rc;
}

void lk_bind__state_drop(lk_ctx *ctx, const char *conn_id)
{
	pthread_mutex_lock(&ctx->state_lock);
	for (struct lk_state_entry **p = &ctx->states; *p; p = &(*p)->next) {
		struct lk_state_entry *e = *p;
		if (strcmp(e->conn_id, conn_id) != 0)
			continue;
		*p = e->next;
		if (e->free_fn)
			e->free_fn(e->state);
		lk_free(e->conn_id);
		lk_free(e);
		break;
	}
	pthread_mutex_unlock(&ctx->state_lock);
}

void lk_bind__state_rekey(lk_ctx *ctx, const char *old_id, const char *new_id)
{
	char *id = lk_strdup(new_id);

	pthread_mutex_lock(&ctx->state_lock);
	for (struct lk_state_entry *e = ctx->states; id && e; e = e->next) {
		if (strcmp(e->conn_id, old_id) != 0)
			continue;
		lk_free(e->conn_id);
		e->conn_id = id;
		id = NULL;
		break;
	}
	pthread_mutex_unlock(&ctx->state_lock);
	lk_free(id); /* none to rekey, or out of memory: the state is
			dropped and made again on the next call */
}
