/* SPDX-License-Identifier: MIT */
/*
 * A test world in one process: a temp folder with latchkey.conf, apps.d,
 * a store and a module folder holding copies of built modules, and a
 * libmicrohttpd server on 127.0.0.1 (a free port) that records every
 * request it receives, so tests assert the exact bytes that went out.
 *
 * The server answers a path holding /status/NNN with status NNN, every other
 * path with 200 and {"login":"octo","name":"Octo Cat","id":7}. Only
 * 127.0.0.1; it stops with lkh_stop.
 */
#ifndef LK_TEST_HARNESS_H
#define LK_TEST_HARNESS_H

#include <pthread.h>
#include <stdbool.h>

#include <latchkey/latchkey.h>

#define LKH_MAX_REQS 32

/** One request as the server received it. */
struct lkh_req {
	char method[16];
	char url[512];	    /* path, then "?query" exactly as sent */
	char headers[4096]; /* "name: value\n" per header, names lower case */
	char body[1024];
};

struct lkh {
	char dir[64];  /* the temp folder */
	char mods[96]; /* dir/mods, the module_path */
	unsigned port;
	void *daemon;
	pthread_mutex_t lock;
	struct lkh_req reqs[LKH_MAX_REQS];
	unsigned nreqs;
	char log[16384]; /* everything the ctx logged, at debug level */
};

/** Make the folders and start the server. @return 0 or -1. */
int lkh_start(struct lkh *h);
/** Stop the server and remove every file lkh_* created. */
void lkh_stop(struct lkh *h);
/** Copy a built module (modules/NAME/.libs/NAME.so under top_builddir,
 * or @p built when not NULL) into the module folder as NAME.so. */
int lkh_module(struct lkh *h, const char *name, const char *built);
/** Write apps.d/FILE.conf from a printf format. */
int lkh_app(struct lkh *h, const char *file, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/** Write latchkey.conf, then a new ctx loading it (log captured into
 * h->log). @return the status of lk_ctx_load. */
lk_status lkh_load(lk_ctx **out, struct lkh *h);
/** Forget the recorded requests and log. */
void lkh_reset(struct lkh *h);
/** A copy of request @p i (0 = first since the last reset). */
bool lkh_req_at(struct lkh *h, unsigned i, struct lkh_req *out);
/** How many requests arrived since the last reset. */
unsigned lkh_count(struct lkh *h);
/** "http://127.0.0.1:PORT" + @p path, into a static buffer. */
const char *lkh_url(struct lkh *h, const char *path);

#endif
