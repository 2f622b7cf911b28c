/* SPDX-License-Identifier: MIT */
/*
 * Helpers shared by the store tests: a bare ctx (errors only, no
 * configuration or modules), a scratch folder removed afterwards, and
 * connection builders.
 */
#ifndef LK_TEST_STORE_UTIL_H
#define LK_TEST_STORE_UTIL_H
#define _GNU_SOURCE
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conn.h"
#include "core.h"
#include "error.h"
#include "store.h"

/* A ctx with only what the store uses: per-thread errors, redaction. */
static inline lk_ctx *ts_ctx_new(void)
{
	lk_ctx *ctx = lk_calloc(1, sizeof(*ctx));
	if (!ctx)
		return NULL;
	pthread_mutex_init(&ctx->redact_lock, NULL);
	if (lk_error__init(ctx) != LK_OK) {
		lk_free(ctx);
		return NULL;
	}
	return ctx;
}

static inline void ts_ctx_free(lk_ctx *ctx)
{
	if (!ctx)
		return;
	lk_error__fini(ctx);
	pthread_mutex_destroy(&ctx->redact_lock);
	lk_free(ctx);
}

static inline int ts_rm_one(const char *p, const struct stat *sb, int flag,
			    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static inline void ts_rmrf(const char *dir)
{
	nftw(dir, ts_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh scratch folder (lk_free; remove with ts_rmrf). */
static inline char *ts_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char *t =
	    lk_strdupf("%s/lk-store-XXXXXX", base && *base ? base : "/tmp");
	if (t && !mkdtemp(t)) {
		lk_free(t);
		t = NULL;
	}
	return t;
}

/* A connection ready for lk_store__create. */
static inline lk_conn *ts_conn(const char *owner, const char *app)
{
	lk_conn *c = NULL;
	if (lk_conn__new(&c) != LK_OK)
		return NULL;
	c->owner = lk_strdup(owner);
	c->app = lk_strdup(app);
	c->scheme = lk_strdup("apikey");
	c->created = c->updated = 1700000000;
	if (!c->owner || !c->app || !c->scheme ||
	    lk_fields_set(c->fields, "n", "0", false) != LK_OK) {
		lk_conn_free(c);
		return NULL;
	}
	return c;
}

/* The suite's fixture: a bare ctx and a store opened in a scratch folder
 * (its master key at @p key_rel under it), closed and removed after. */
static lk_ctx *ctx;
static char *dir;   /* scratch */
static char *spath; /* dir/store */
static char *kpath; /* dir/key_rel */
static lk_store *st;

static inline int ts_setup(const char *key_rel)
{
	ctx = ts_ctx_new();
	dir = ts_tmpdir();
	if (!ctx || !dir)
		return 1;
	spath = lk_strdupf("%s/store", dir);
	kpath = lk_strdupf("%s/%s", dir, key_rel);
	return lk_store__open(&st, ctx, spath, kpath) == LK_OK ? 0 : 1;
}

static inline int ts_teardown(void)
{
	lk_store__close(st);
	ts_rmrf(dir);
	lk_free(dir);
	lk_free(spath);
	lk_free(kpath);
	ts_ctx_free(ctx);
	return 0;
}

#endif
