/* SPDX-License-Identifier: MIT */
/* The upcalls a module may make during a callback (module.h). */
#include <stdlib.h>
#include <string.h>

#include "bind.h"
#include "conn.h"
#include "ctx.h"
#include "error.h"
#include "fields.h"
#include "http.h"
#include "log.h"
#include "perform.h"
#include "store.h"
#include "template.h"
#include "token_response.h"

void *lk_call_modctx(lk_call *call)
{
	return call->block && call->block->mod ? call->block->mod->modctx
					       : NULL;
}

void *lk_call_state(lk_call *call)
{
	void *state = NULL;
	if (!call->state && lk_bind__state(&state, call) == LK_OK)
		call->state = state;
	return call->state;
}

lk_ctx *lk_call_ctx(lk_call *call)
{
	return call->ctx;
}

const lk_app *lk_call_app(lk_call *call)
{
	return call->app;
}

lk_conn *lk_call_conn(lk_call *call)
{
	return call->conn;
}

const char *lk_call_setting(lk_call *call, const char *key)
{
	return call->block ? lk_fields_get(call->block->values, key) : NULL;
}

bool lk_call_setting_bool(lk_call *call, const char *key)
{
	const char *v = lk_call_setting(call, key);
	return v && strcmp(v, "true") == 0;
}

long long lk_call_setting_int(lk_call *call, const char *key)
{
	const char *v = lk_call_setting(call, key);
	return v ? strtoll(v, NULL, 10) : 0;
}

double lk_call_setting_float(lk_call *call, const char *key)
{
	const char *v = lk_call_setting(call, key);
	return v ? strtod(v, NULL) : 0.0;
}

static const lk_setting *list_setting(lk_call *call, const char *key)
{
	const lk_setting *s =
		call->block ? lk_settings__find(call->block->group, key) : NULL;
	return s && s->type == LK_SET_LIST ? s : NULL;
}

size_t lk_call_setting_list_count(lk_call *call, const char *key)
{
	const lk_setting *s = list_setting(call, key);
	return s ? s->nkids : 0;
}

const char *lk_call_setting_list_at(lk_call *call, const char *key, size_t i)
{
	const lk_setting *s = list_setting(call, key);
	if (!s || i >= s->nkids || s->kids[i]->type != LK_SET_STRING)
		return NULL;
	return s->kids[i]->str;
}

const char *lk_call_setting_where(lk_call *call, const char *key)
{
	static _Thread_local char where[512];
	const lk_setting *s =
		call->block ? lk_settings__find(call->block->group, key) : NULL;
	const char *file = s ? s->file : call->app->file;
	int line = s ? s->line : call->app->line;
	char *w = lk_strdupf("%s:%d", file, line);
	if (!w)
		return call->app->file;
	size_t n = strlen(w);
	n = n < sizeof where - 1 ? n : sizeof where - 1;
	memcpy(where, w, n);
	where[n] = '\0';
	lk_free(w);
	return where;
}

static const lk_fields *call_fields(lk_call *call)
{
	return call->conn ? call->conn->fields : call->fields;
}

const char *lk_call_field(lk_call *call, const char *key)
{
	return lk_fields_get(call_fields(call), key);
}

lk_status lk_call_fields_update(lk_call *call, const lk_fields *updates)
{
	lk_ctx *ctx = call->ctx;
	lk_store *st = NULL;
	lk_store_lock *lock = NULL;
	lk_status rc = LK_OK;

	if (!call->conn) /* a connect: nothing is stored yet */
		return lk_fields__merge(call->fields, updates);
	rc = lk_ctx__store(&st, ctx);
	if (rc == LK_OK && !call->locked)
		rc = lk_store__lock(&lock, st, call->conn->owner,
				    call->conn->id);
	if (rc != LK_OK)
		goto out;
	rc = lk_fields__merge(call->conn->fields, updates);
	if (rc != LK_OK)
		goto out;
	call->conn->generation++;
	call->conn->updated = lk_now();
	rc = lk_store__save(st, call->conn);
out:
	lk_store__unlock(lock);
	return rc;
}

lk_status lk_call_render(char **out, lk_call *call, const char *tmpl,
			 lk_render_target target)
{
	struct lk_tmpl_scope scope = {
		.fields = call_fields(call),
		.test_data = call->conn ? call->conn->test_data : NULL,
	};
	return lk_template__render(out, call->ctx, tmpl, target, &scope,
				   call->app->id);
}

lk_status lk_http_send(lk_response **out, lk_call *call, const lk_request *req)
{
	return lk_http__send(out, call->ctx, call->app, req);
}

lk_status lk_call_perform(lk_response **out, lk_call *call, lk_request *req)
{
	*out = NULL;
	if (call->depth >= 2) /* a hook calling a hook calling... */
		return lk_error__set(call->ctx, LK_EINVAL,
				     "%s: requests nested too deeply",
				     call->app->id);
	return lk_perform__run(out, call->ctx, (lk_app *)call->app, call->conn,
			       req, call->depth + 1);
}

lk_status lk_token_response_parse(lk_fields **out, lk_call *call,
				  const lk_response *resp)
{
	return lk_token_response__parse(out, call->ctx,
					lk_response_header(resp,
							   "Content-Type"),
					resp->body, resp->body_len);
}

lk_status lk_call_error(lk_call *call, lk_status st, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lk_error__vset(call->ctx, st, fmt, ap);
	va_end(ap);
	return st;
}

void lk_call_log(lk_call *call, lk_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lk_log__vmsg(call->ctx, level, fmt, ap);
	va_end(ap);
}

void lk_call_add_secret(lk_call *call, const char *value)
{
	(void)call;
	lk_log__scope_add(value);
}

lk_status lk_flow_set(lk_flow *flow, const char *key, const char *value)
{
	return lk_fields_set(flow->values, key, value, true);
}

const char *lk_flow_get(const lk_flow *flow, const char *key)
{
	return lk_fields_get(flow->values, key);
}

const char *lk_flow_id(const lk_flow *flow)
{
	return flow->id;
}
