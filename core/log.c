/* SPDX-License-Identifier: MIT */
/* Logging with central redaction: every line is scrubbed of the ctx's
 * secrets and of the current call's, raw and URL/form-encoded. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "fields.h"
#include "log.h"

/* The current thread's call secrets: a stack of copies with marks. */
static _Thread_local char **scope_vals;
static _Thread_local size_t scope_n, scope_cap;
static _Thread_local size_t scope_marks[16];
static _Thread_local size_t scope_depth;

bool lk_log__enabled(const lk_ctx *ctx, lk_log_level level)
{
	return ctx && ctx->log_fn && level <= ctx->log_level;
}

void lk_log__scope_add(const char *value)
{
	if (!value || !*value)
		return;
	if (scope_n == scope_cap) {
		size_t cap = scope_cap ? scope_cap * 2 : 8;
		char **n = realloc(scope_vals, cap * sizeof(*n));
		if (!n)
			return;
		scope_vals = n;
		scope_cap = cap;
	}
	char *v = lk_strdup(value);
	if (v)
		scope_vals[scope_n++] = v;
}

void lk_log__scope_push(const lk_fields *fields)
{
	if (scope_depth < sizeof scope_marks / sizeof scope_marks[0])
		scope_marks[scope_depth] = scope_n;
	scope_depth++;
	for (size_t i = 0; i < lk_fields_count(fields); i++) {
		const char *v = NULL;
		bool secret = false;
		lk_fields_at(fields, i, NULL, &v, &secret);
		if (secret)
			lk_log__scope_add(v);
	}
}

void lk_log__scope_pop(void)
{
	if (scope_depth == 0)
		return;
	scope_depth--;
	size_t mark = scope_depth < sizeof scope_marks / sizeof scope_marks[0]
			      ? scope_marks[scope_depth]
			      : scope_n;
	while (scope_n > mark)
		lk_str_wipe_free(scope_vals[--scope_n]);
	if (scope_depth == 0 && scope_n == 0) {
		free(scope_vals);
		scope_vals = NULL;
		scope_cap = 0;
	}
}

void lk_log__redact_add(lk_ctx *ctx, const char *value)
{
	if (!ctx || !value || !*value)
		return;
	pthread_mutex_lock(&ctx->redact_lock);
	for (size_t i = 0; i < ctx->nredact; i++) {
		if (strcmp(ctx->redact[i], value) == 0)
			goto out;
	}
	char **n = realloc(ctx->redact, (ctx->nredact + 1) * sizeof(*n));
	if (!n)
		goto out;
	ctx->redact = n;
	n[ctx->nredact] = lk_strdup(value);
	if (n[ctx->nredact])
		ctx->nredact++;
out:
	pthread_mutex_unlock(&ctx->redact_lock);
}

/* Replace every occurrence of @p needle in *text (reallocating). On a
 * failed allocation *text is wiped and NULL: a line that could not be
 * scrubbed is never shown. */
static void replace_all(char **text, const char *needle)
{
	size_t nl = strlen(needle);
	size_t rl = strlen(LK_REDACTED);
	if (nl == 0 || !*text)
		return;
	char *p = strstr(*text, needle);
	while (p) {
		size_t off = (size_t)(p - *text);
		size_t len = strlen(*text);
		char *n = malloc(len - nl + rl + 1);
		if (!n) {
			lk_str_wipe_free(*text);
			*text = NULL;
			return;
		}
		memcpy(n, *text, off);
		memcpy(n + off, LK_REDACTED, rl);
		memcpy(n + off + rl, p + nl, len - off - nl + 1);
		lk_str_wipe_free(*text);
		*text = n;
		p = strstr(n + off + rl, needle);
	}
}

/* A secret may reach a line raw, percent-encoded (a query) or
 * form-encoded (a body): scrub all three. */
static void scrub(char **text, const char *secret)
{
	replace_all(text, secret);
	char *esc = curl_easy_escape(NULL, secret, 0);
	if (!esc) {
		lk_str_wipe_free(*text);
		*text = NULL;
		return;
	}
	replace_all(text, esc);
	for (char *p = strstr(esc, "%20"); p; p = strstr(p, "%20")) {
		*p = '+';
		memmove(p + 1, p + 3, strlen(p + 3) + 1);
	}
	replace_all(text, esc);
	curl_free(esc);
}

static int longer_first(const void *a, const void *b)
{
	size_t x = strlen(*(char *const *)a), y = strlen(*(char *const *)b);
	return (x < y) - (x > y);
}

char *lk_log__redact(const lk_ctx *ctx, const char *text)
{
	lk_ctx *c = (lk_ctx *)ctx; /* the lock only */
	char *out = lk_strdup(text);

	if (c)
		pthread_mutex_lock(&c->redact_lock);
	/* Longest first: a secret that is a prefix of another (a PLAINTEXT
	 * signature holds both halves) would otherwise leave the longer
	 * one's tail in the line. */
	size_t n = scope_n + (c ? c->nredact : 0);
	const char **all = n ? malloc(n * sizeof(*all)) : NULL;
	if (n && !all) {
		lk_str_wipe_free(out);
		out = NULL;
	}
	if (all) {
		for (size_t i = 0; i < scope_n; i++)
			all[i] = scope_vals[i];
		for (size_t i = scope_n; i < n; i++)
			all[i] = c->redact[i - scope_n];
		qsort(all, n, sizeof(*all), longer_first);
		for (size_t i = 0; out && i < n; i++)
			scrub(&out, all[i]);
		free(all);
	}
	if (c)
		pthread_mutex_unlock(&c->redact_lock);
	return out;
}

void lk_log__vmsg(const lk_ctx *ctx, lk_log_level level, const char *fmt,
		  va_list ap)
{
	char *raw = NULL;
	if (!lk_log__enabled(ctx, level))
		return;
	raw = lk_vstrdupf(fmt, ap);
	if (!raw)
		return;
	char *clean = lk_log__redact(ctx, raw);
	lk_str_wipe_free(raw);
	if (clean)
		ctx->log_fn(ctx->log_ud, level, clean);
	lk_str_wipe_free(clean);
}

void lk_log__msg(const lk_ctx *ctx, lk_log_level level, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lk_log__vmsg(ctx, level, fmt, ap);
	va_end(ap);
}
