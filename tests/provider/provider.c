/* SPDX-License-Identifier: MIT */
/* lk-provider: an HTTP provider emulator for the end-to-end tests.
 *
 *   lk-provider --port-file FILE [--port N] [--lifetime SECONDS]
 *
 * Listens on 127.0.0.1 only (port 0: a free one), writes the port to FILE
 * atomically, and exits by itself after --lifetime seconds (60) or on
 * SIGTERM/SIGINT. Areas (basic_apikey.c, oauth2.c, ...) register routes;
 * this file owns the server, routing, the request log (GET /_/requests)
 * and fault injection (POST /_/fault), so tests can assert exactly what a
 * client sent and how it copes with a misbehaving provider; /echo shows
 * what a handler sees.
 */
#include "provider.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LKP_MAX_ROUTES 128
#define LKP_MAX_RESET_HOOKS 32
#define LKP_MAX_BODY (1024 * 1024)
/* A delay fault never holds a worker longer than this. */
#define LKP_MAX_DELAY_MS 60000
#define LKP_THREADS 8
/* The log keeps the newest requests: a long run stays bounded. */
#define LKP_MAX_LOG 50000

struct lkp_pair {
	char *name;
	char *value;
};

struct lkp_pairs {
	struct lkp_pair *v;
	size_t n;
};

struct lkp_req {
	struct MHD_Connection *conn;
	char *uri;  /* as sent, from the URI log callback */
	char *path; /* without the query */
	const char *method;
	char *body;
	size_t body_len;
	bool too_big;
	struct lkp_pairs form;
	struct lkp_pairs headers; /* lowercased names, for lkp_header */
};

struct lkp_resp {
	unsigned status;
	char *content_type;
	char *body;
	struct lkp_pairs headers;
	bool sent;
};

struct lkp_route_entry {
	const char *method;
	const char *prefix;
	lkp_handler fn;
};

struct lkp_fault {
	char *path;
	unsigned status;
	bool html;
	unsigned delay_ms;
	unsigned count;
	struct lkp_fault *next;
};

static struct lkp_route_entry routes[LKP_MAX_ROUTES];
static size_t n_routes;
static void (*reset_hooks[LKP_MAX_RESET_HOOKS])(void);
static size_t n_reset_hooks;
static pthread_mutex_t area_mutex = PTHREAD_MUTEX_INITIALIZER;
/* Guards the request log and the faults (not area state). */
static pthread_mutex_t log_mutex = PTHREAD_MUTEX_INITIALIZER;
static cJSON *request_log;
static size_t n_logged;
static struct lkp_fault *faults;
static char base_url[64];
static atomic_bool stopping;

/* ---- small helpers ---- */

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fputs("lk-provider: out of memory\n", stderr);
		abort();
	}
	return p;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

static void pairs_add(struct lkp_pairs *p, const char *name, const char *value)
{
	struct lkp_pair *v = realloc(p->v, (p->n + 1) * sizeof(*v));

	if (!v) {
		fputs("lk-provider: out of memory\n", stderr);
		abort();
	}
	p->v = v;
	p->v[p->n].name = xstrdup(name);
	p->v[p->n].value = xstrdup(value);
	p->n++;
}

static const char *pairs_get(const struct lkp_pairs *p, const char *name,
			     bool nocase)
{
	for (size_t i = 0; i < p->n; i++)
		if (nocase ? !strcasecmp(p->v[i].name, name)
			   : !strcmp(p->v[i].name, name))
			return p->v[i].value;
	return NULL;
}

static void pairs_free(struct lkp_pairs *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].name);
		free(p->v[i].value);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static bool has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* ---- the request, for handlers ---- */

const char *lkp_method(const struct lkp_req *r)
{
	return r->method;
}

const char *lkp_path(const struct lkp_req *r)
{
	return r->path;
}

const char *lkp_header(const struct lkp_req *r, const char *name)
{
	return pairs_get(&r->headers, name, true);
}

const char *lkp_query(const struct lkp_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND,
					   name);
}

const char *lkp_form(const struct lkp_req *r, const char *name)
{
	return pairs_get(&r->form, name, false);
}

const char *lkp_raw_query(const struct lkp_req *r)
{
	const char *q = strchr(r->uri, '?');

	return q ? q + 1 : "";
}

const char *lkp_body(const struct lkp_req *r, size_t *len)
{
	if (len)
		*len = r->body_len;
	return r->body ? r->body : "";
}

const char *lkp_base(void)
{
	return base_url;
}

/* ---- the response, for handlers ---- */

void lkp_status(struct lkp_resp *w, unsigned status)
{
	w->status = status;
	w->sent = true;
}

void lkp_set_header(struct lkp_resp *w, const char *name, const char *value)
{
	pairs_add(&w->headers, name, value);
}

void lkp_send(struct lkp_resp *w, unsigned status, const char *content_type,
	      const char *body)
{
	free(w->content_type);
	free(w->body);
	w->status = status;
	w->content_type = content_type ? xstrdup(content_type) : NULL;
	w->body = xstrdup(body ? body : "");
	w->sent = true;
}

void lkp_sendf(struct lkp_resp *w, unsigned status, const char *content_type,
	       const char *fmt, ...)
{
	va_list ap;
	int n;
	char *body;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		lkp_send(w, 500, "text/plain", "lk-provider: bad format\n");
		return;
	}
	body = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(body, (size_t)n + 1, fmt, ap);
	va_end(ap);
	lkp_send(w, status, content_type, body);
	free(body);
}

void lkp_json_error(struct lkp_resp *w, unsigned status, const char *error,
		    const char *description)
{
	cJSON *o = cJSON_CreateObject();
	char *s;

	cJSON_AddStringToObject(o, "error", error);
	if (description)
		cJSON_AddStringToObject(o, "error_description", description);
	s = cJSON_PrintUnformatted(o);
	lkp_send(w, status, "application/json", s);
	cJSON_free(s);
	cJSON_Delete(o);
}

static void send_json(struct lkp_resp *w, unsigned status, const cJSON *j)
{
	char *s = cJSON_PrintUnformatted(j);

	lkp_send(w, status, "application/json", s);
	cJSON_free(s);
}

/* ---- registration ---- */

void lkp_route(const char *method, const char *path_prefix, lkp_handler fn)
{
	if (n_routes == LKP_MAX_ROUTES) {
		fprintf(stderr, "lk-provider: too many routes (%s)\n",
			path_prefix);
		abort();
	}
	routes[n_routes++] = (struct lkp_route_entry){method, path_prefix, fn};
}

void lkp_on_reset(void (*fn)(void))
{
	if (n_reset_hooks == LKP_MAX_RESET_HOOKS) {
		fputs("lk-provider: too many reset hooks\n", stderr);
		abort();
	}
	reset_hooks[n_reset_hooks++] = fn;
}

void lkp_lock(void)
{
	pthread_mutex_lock(&area_mutex);
}

void lkp_unlock(void)
{
	pthread_mutex_unlock(&area_mutex);
}

/* Longest matching prefix wins, so an area can own /x/ and /x/special. */
static lkp_handler find_route(const char *method, const char *path)
{
	const struct lkp_route_entry *best = NULL;

	for (size_t i = 0; i < n_routes; i++) {
		const struct lkp_route_entry *e = &routes[i];

		if (e->method && strcmp(e->method, method))
			continue;
		if (!has_prefix(path, e->prefix))
			continue;
		if (!best || strlen(e->prefix) > strlen(best->prefix))
			best = e;
	}
	return best ? best->fn : NULL;
}

/* ---- the request log ---- */

static void log_request(const struct lkp_req *r)
{
	cJSON *e = cJSON_CreateObject();
	cJSON *h;

	cJSON_AddStringToObject(e, "method", r->method);
	cJSON_AddStringToObject(e, "path", r->path);
	cJSON_AddStringToObject(e, "query", lkp_raw_query(r));
	h = cJSON_AddObjectToObject(e, "headers");
	for (size_t i = 0; i < r->headers.n; i++) {
		/* A repeated header keeps its first value, as lkp_header. */
		if (!cJSON_GetObjectItemCaseSensitive(h, r->headers.v[i].name))
			cJSON_AddStringToObject(h, r->headers.v[i].name,
						r->headers.v[i].value);
	}
	cJSON_AddStringToObject(e, "body", lkp_body(r, NULL));
	pthread_mutex_lock(&log_mutex);
	if (n_logged == LKP_MAX_LOG)
		cJSON_DeleteItemFromArray(request_log, 0);
	else
		n_logged++;
	cJSON_AddItemToArray(request_log, e);
	pthread_mutex_unlock(&log_mutex);
}

static void builtin_requests(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	pthread_mutex_lock(&log_mutex);
	send_json(w, 200, request_log);
	pthread_mutex_unlock(&log_mutex);
}

static void builtin_count(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *prefix = lkp_query(r, "path");
	int n = 0;
	const cJSON *e;

	pthread_mutex_lock(&log_mutex);
	cJSON_ArrayForEach(e, request_log)
	{
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(e, "path");

		if (!prefix || has_prefix(p->valuestring, prefix))
			n++;
	}
	pthread_mutex_unlock(&log_mutex);
	lkp_sendf(w, 200, "application/json", "{\"count\":%d}", n);
}

static void free_faults(void)
{
	while (faults) {
		struct lkp_fault *f = faults;

		faults = f->next;
		free(f->path);
		free(f);
	}
}

static void builtin_reset(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	pthread_mutex_lock(&log_mutex);
	cJSON_Delete(request_log);
	request_log = cJSON_CreateArray();
	n_logged = 0;
	free_faults();
	pthread_mutex_unlock(&log_mutex);
	for (size_t i = 0; i < n_reset_hooks; i++)
		reset_hooks[i]();
	lkp_status(w, 204);
}

/* ---- /echo: the request API seen from a handler, for smoke.sh ---- */

static void add_or_null(cJSON *o, const char *name, const char *value)
{
	if (value)
		cJSON_AddStringToObject(o, name, value);
	else
		cJSON_AddNullToObject(o, name);
}

/* What lkp_* return for this request; two X-Echo headers show that
 * lkp_set_header adds. */
static void echo(const struct lkp_req *r, struct lkp_resp *w)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "method", lkp_method(r));
	cJSON_AddStringToObject(o, "path", lkp_path(r));
	cJSON_AddStringToObject(o, "raw_query", lkp_raw_query(r));
	add_or_null(o, "q", lkp_query(r, "q"));
	add_or_null(o, "f", lkp_form(r, "f"));
	add_or_null(o, "h", lkp_header(r, "x-echo-in"));
	cJSON_AddStringToObject(o, "body", lkp_body(r, NULL));
	cJSON_AddStringToObject(o, "base", lkp_base());
	lkp_set_header(w, "X-Echo", "one");
	lkp_set_header(w, "X-Echo", "two");
	send_json(w, 200, o);
	cJSON_Delete(o);
}

LKP_AREA(echo_area)
{
	lkp_route(NULL, "/echo", echo);
}

/* ---- faults ---- */

static bool parse_uint(const char *s, unsigned long max, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return false;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

static void builtin_fault(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *path = lkp_form(r, "path");
	const char *status = lkp_form(r, "status");
	const char *delay = lkp_form(r, "delay_ms");
	const char *count = lkp_form(r, "count");
	const char *html = lkp_form(r, "html");
	struct lkp_fault f = {.count = 1};
	struct lkp_fault **tail;

	if (!path || path[0] != '/') {
		lkp_json_error(w, 400, "bad_fault", "path must start with /");
		return;
	}
	if (status &&
	    !(parse_uint(status, 599, &f.status) && f.status >= 100)) {
		lkp_json_error(w, 400, "bad_fault", "status must be 100..599");
		return;
	}
	if (delay && !parse_uint(delay, LKP_MAX_DELAY_MS, &f.delay_ms)) {
		lkp_json_error(w, 400, "bad_fault",
			       "delay_ms must be 0..60000");
		return;
	}
	if (count && !(parse_uint(count, 1000000, &f.count) && f.count > 0)) {
		lkp_json_error(w, 400, "bad_fault",
			       "count must be a positive number");
		return;
	}
	f.html = html && !strcmp(html, "1");
	if (!f.status && !f.html && !f.delay_ms) {
		lkp_json_error(w, 400, "bad_fault",
			       "give status, html=1 or delay_ms");
		return;
	}
	f.path = xstrdup(path);
	pthread_mutex_lock(&log_mutex);
	for (tail = &faults; *tail; tail = &(*tail)->next)
		;
	*tail = memcpy(xmalloc(sizeof(f)), &f, sizeof(f));
	pthread_mutex_unlock(&log_mutex);
	lkp_status(w, 204);
}

/* Take one use of the first fault set for @p path; @p out gets a copy. */
static bool take_fault(const char *path, struct lkp_fault *out)
{
	struct lkp_fault **p;
	bool found = false;

	pthread_mutex_lock(&log_mutex);
	for (p = &faults; *p; p = &(*p)->next) {
		struct lkp_fault *f = *p;

		if (!has_prefix(path, f->path))
			continue;
		*out = *f;
		out->path = NULL;
		out->next = NULL;
		found = true;
		if (--f->count == 0) {
			*p = f->next;
			free(f->path);
			free(f);
		}
		break;
	}
	pthread_mutex_unlock(&log_mutex);
	return found;
}

/* In 10 ms steps, so that stopping never waits for a long delay. */
static void sleep_ms(unsigned ms)
{
	while (ms > 0 && !atomic_load(&stopping)) {
		unsigned step = ms < 10 ? ms : 10;
		struct timespec ts = {0, (long)step * 1000000L};

		while (nanosleep(&ts, &ts) && errno == EINTR)
			;
		ms -= step;
	}
}

/* The fault replaces the handler unless it is a pure delay. */
static bool apply_fault(const struct lkp_fault *f, struct lkp_resp *w)
{
	if (f->delay_ms)
		sleep_ms(f->delay_ms);
	if (f->html) {
		lkp_send(w, f->status ? f->status : 200, "text/html",
			 "<!DOCTYPE html>\n<html><head><title>Maintenance"
			 "</title></head>\n<body><h1>We'll be back soon"
			 "</h1></body></html>\n");
		return true;
	}
	if (f->status) {
		char desc[64];

		snprintf(desc, sizeof(desc), "injected fault %u", f->status);
		lkp_json_error(w, f->status, "fault", desc);
		return true;
	}
	return false;
}

/* ---- MHD glue ---- */

static void *uri_logger(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct lkp_req *r = xmalloc(sizeof(*r));

	(void)cls;
	memset(r, 0, sizeof(*r));
	r->conn = c;
	r->uri = xstrdup(uri);
	return r;
}

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind,
				      const char *key, const char *value)
{
	struct lkp_req *r = cls;
	char *lower = xstrdup(key);

	(void)kind;
	for (char *p = lower; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	pairs_add(&r->headers, lower, value ? value : "");
	free(lower);
	return MHD_YES;
}

/* Form values may arrive in pieces (@p off > 0): append to the last. */
static enum MHD_Result collect_form(void *cls, enum MHD_ValueKind kind,
				    const char *key, const char *filename,
				    const char *content_type,
				    const char *transfer_encoding,
				    const char *data, uint64_t off, size_t size)
{
	struct lkp_req *r = cls;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (off > 0 && r->form.n &&
	    !strcmp(r->form.v[r->form.n - 1].name, key)) {
		struct lkp_pair *last = &r->form.v[r->form.n - 1];
		size_t have = strlen(last->value);
		char *v = realloc(last->value, have + size + 1);

		if (!v)
			return MHD_NO;
		memcpy(v + have, data, size);
		v[have + size] = '\0';
		last->value = v;
		return MHD_YES;
	}
	{
		char *v = xmalloc(size + 1);

		memcpy(v, data ? data : "", size);
		v[size] = '\0';
		pairs_add(&r->form, key, v);
		free(v);
	}
	return MHD_YES;
}

static void parse_form(struct lkp_req *r)
{
	struct MHD_PostProcessor *pp;

	if (!r->body_len)
		return;
	/* NULL unless the Content-Type is a form: then there is no form. */
	pp = MHD_create_post_processor(r->conn, 16384, collect_form, r);
	if (!pp)
		return;
	MHD_post_process(pp, r->body, r->body_len);
	MHD_destroy_post_processor(pp);
}

static enum MHD_Result queue(struct MHD_Connection *c, struct lkp_resp *w)
{
	const char *body = w->body ? w->body : "";
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	if (w->content_type)
		MHD_add_response_header(resp, "Content-Type", w->content_type);
	for (size_t i = 0; i < w->headers.n; i++)
		MHD_add_response_header(resp, w->headers.v[i].name,
					w->headers.v[i].value);
	ret = MHD_queue_response(c, w->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The control endpoints under /_/: exact paths, never logged or faulted. */
static const struct lkp_route_entry builtins[] = {
    {"GET", "/_/requests", builtin_requests},
    {"GET", "/_/count", builtin_count},
    {"POST", "/_/reset", builtin_reset},
    {"POST", "/_/fault", builtin_fault},
};

static void dispatch(struct lkp_req *r, struct lkp_resp *w)
{
	struct lkp_fault f;
	lkp_handler fn;

	if (has_prefix(r->path, "/_/")) {
		for (size_t i = 0; i < sizeof(builtins) / sizeof(*builtins);
		     i++) {
			if (!strcmp(r->method, builtins[i].method) &&
			    !strcmp(r->path, builtins[i].prefix)) {
				builtins[i].fn(r, w);
				return;
			}
		}
		lkp_json_error(w, 404, "not_found", r->path);
		return;
	}
	log_request(r);
	if (r->too_big) {
		lkp_json_error(w, 413, "too_large", "body over 1 MiB");
		return;
	}
	if (take_fault(r->path, &f) && apply_fault(&f, w))
		return;
	fn = find_route(r->method, r->path);
	if (!fn) {
		lkp_json_error(w, 404, "not_found", r->path);
		return;
	}
	fn(r, w);
	if (!w->sent)
		lkp_json_error(w, 500, "server_error",
			       "handler sent no response");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **con_cls)
{
	struct lkp_req *r = *con_cls;
	struct lkp_resp w = {0};
	enum MHD_Result ret;

	(void)cls;
	(void)version;
	if (!r->path) { /* first call: headers only */
		r->path = xstrdup(url);
		r->method = method;
		MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header,
					  r);
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		if (r->body_len + n > LKP_MAX_BODY) {
			r->too_big = true;
		} else {
			char *b = realloc(r->body, r->body_len + n + 1);

			if (!b)
				return MHD_NO;
			memcpy(b + r->body_len, upload, n);
			r->body = b;
			r->body_len += n;
			r->body[r->body_len] = '\0';
		}
		*upload_size = 0;
		return MHD_YES;
	}
	parse_form(r);
	dispatch(r, &w);
	ret = queue(c, &w);
	free(w.content_type);
	free(w.body);
	pairs_free(&w.headers);
	return ret;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct lkp_req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	free(r->uri);
	free(r->path);
	free(r->body);
	pairs_free(&r->form);
	pairs_free(&r->headers);
	free(r);
	*con_cls = NULL;
}

/* ---- main ---- */

static int usage(void)
{
	fputs("usage: lk-provider --port-file FILE [--port N] "
	      "[--lifetime SECONDS]\n",
	      stderr);
	return 2;
}

/* Readers poll for the file: write a temporary one and rename it, so
 * they never see a partial port number. */
static int write_port_file(const char *file, unsigned port)
{
	size_t n = strlen(file) + 8;
	char *tmp = xmalloc(n);
	FILE *f;
	int ok;

	snprintf(tmp, n, "%s.tmp", file);
	f = fopen(tmp, "w");
	if (!f) {
		fprintf(stderr, "lk-provider: %s: %s\n", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	ok = fprintf(f, "%u\n", port) > 0;
	ok = (fclose(f) == 0) && ok;
	if (!ok || rename(tmp, file)) {
		fprintf(stderr, "lk-provider: %s: %s\n", file, strerror(errno));
		unlink(tmp);
		free(tmp);
		return -1;
	}
	free(tmp);
	return 0;
}

int main(int argc, char **argv)
{
	const char *port_file = NULL;
	unsigned port = 0, lifetime = 60;
	struct sockaddr_in addr = {0};
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;
	struct timespec until;
	sigset_t stop;
	int sig;

	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--port-file") && v)
			port_file = v;
		else if (!strcmp(argv[i], "--port") && v &&
			 parse_uint(v, 65535, &port))
			;
		else if (!strcmp(argv[i], "--lifetime") && v &&
			 parse_uint(v, 86400, &lifetime) && lifetime > 0)
			;
		else
			return usage();
		i++;
	}
	if (!port_file)
		return usage();

	/* Block the stop signals before MHD starts its threads, so only
	 * sigtimedwait below sees them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	request_log = cJSON_CreateArray();
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(
	    MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL,
	    on_request, NULL, MHD_OPTION_SOCK_ADDR,
	    (const struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
	    (unsigned)LKP_THREADS, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
	    MHD_OPTION_URI_LOG_CALLBACK, uri_logger, NULL,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "lk-provider: cannot listen on 127.0.0.1:%u\n",
			port);
		cJSON_Delete(request_log);
		return 1;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = info ? info->port : port;
	snprintf(base_url, sizeof(base_url), "http://127.0.0.1:%u", port);
	if (write_port_file(port_file, port)) {
		MHD_stop_daemon(d);
		cJSON_Delete(request_log);
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += lifetime;
	for (;;) {
		struct timespec now, left;

		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > until.tv_sec || (now.tv_sec == until.tv_sec &&
						  now.tv_nsec >= until.tv_nsec))
			break;
		left.tv_sec = until.tv_sec - now.tv_sec;
		left.tv_nsec = until.tv_nsec - now.tv_nsec;
		if (left.tv_nsec < 0) {
			left.tv_sec--;
			left.tv_nsec += 1000000000L;
		}
		sig = sigtimedwait(&stop, NULL, &left);
		if (sig == SIGTERM || sig == SIGINT)
			break;
	}
	atomic_store(&stopping, true);
	MHD_stop_daemon(d);
	for (size_t i = 0; i < n_reset_hooks; i++)
		reset_hooks[i]();
	pthread_mutex_lock(&log_mutex);
	cJSON_Delete(request_log);
	free_faults();
	pthread_mutex_unlock(&log_mutex);
	return 0;
}
