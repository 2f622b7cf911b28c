/* SPDX-License-Identifier: MIT */
/*
 * serve_main.c: `latchkey serve`: options, the libmicrohttpd daemon (its
 * thread pool), request dispatch and logging, and a clean stop on
 * SIGTERM that lets requests in flight finish.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "serve.h"
#include "serve_int.h"

#define DRAIN_SECONDS 30 /* longest wait for requests in flight */
#define FORM_VALUE_MAX 8192

struct serve_opts {
	const char *listen;
	long port; /* -1: from the config */
	const char *port_file;
	long lifetime; /* 0: until a signal */
};

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int usage(const char *msg)
{
	fprintf(stderr,
		"latchkey serve: %s\nusage: latchkey serve [--listen "
		"ADDR:PORT] [--port N] [--port-file FILE] [--lifetime "
		"SECONDS]\n",
		msg);
	return 2;
}

static int parse_long(long *out, const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_opts(struct serve_opts *o, int argc, char **argv)
{
	o->port = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--listen") && v)
			o->listen = v;
		else if (!strcmp(a, "--port") && v) {
			if (parse_long(&o->port, v, 0, 65535))
				return usage("--port takes 0..65535");
		} else if (!strcmp(a, "--port-file") && v)
			o->port_file = v;
		else if (!strcmp(a, "--lifetime") && v) {
			if (parse_long(&o->lifetime, v, 1, 86400 * 365))
				return usage("--lifetime takes seconds");
		} else
			return usage("unknown or incomplete option");
		i++;
	}
	return 0;
}

/* Written to a temporary name and renamed: a reader never sees half. */
static int write_port_file(const char *path, unsigned port)
{
	char *tmp = serve_strdupf("%s.tmp", path);
	FILE *f;
	int rc = 2;

	if (!tmp)
		return 2;
	f = fopen(tmp, "w");
	if (f) {
		fprintf(f, "%u\n", port);
		if (fclose(f) == 0 && rename(tmp, path) == 0)
			rc = 0;
	}
	if (rc)
		fprintf(stderr, "latchkey serve: --port-file %s: %s\n", path,
			strerror(errno));
	lk_free(tmp);
	return rc;
}

static void inflight_add(struct serve *srv, int d)
{
	pthread_mutex_lock(&srv->inflight_lock);
	srv->inflight += d;
	pthread_mutex_unlock(&srv->inflight_lock);
}

static unsigned inflight_get(struct serve *srv)
{
	unsigned n;

	pthread_mutex_lock(&srv->inflight_lock);
	n = srv->inflight;
	pthread_mutex_unlock(&srv->inflight_lock);
	return n;
}

static enum MHD_Result form_value(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *filename,
				  const char *content_type,
				  const char *transfer_encoding,
				  const char *data, uint64_t off, size_t size)
{
	struct serve_req *r = cls;
	const char *prev = lk_fields_get(r->form, key);
	size_t plen = prev && off ? strlen(prev) : 0;
	char *v;
	lk_status st;

	(void)kind;
	(void)filename;
	(void)content_type;
	(void)transfer_encoding;
	if (plen + size > FORM_VALUE_MAX) {
		r->too_big = true;
		return MHD_NO;
	}
	v = lk_calloc(1, plen + size + 1);
	if (!v)
		return MHD_NO;
	if (plen)
		memcpy(v, prev, plen);
	memcpy(v + plen, data, size);
	/* Form values may be passwords: flagged secret, wiped on free. */
	st = lk_fields_set(r->form, key, v, true);
	lk_secret_free(v, plen + size + 1);
	return st == LK_OK ? MHD_YES : MHD_NO;
}

static struct serve_req *req_new(struct serve *srv, struct MHD_Connection *c,
				 const char *url, const char *method)
{
	struct serve_req *r = lk_calloc(1, sizeof(*r));
	const char *ct;

	if (!r)
		return NULL;
	r->srv = srv;
	r->start_us = now_us();
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->path = lk_strdup(url);
	ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	/* Forms only on the connect pages: /v1 bodies are JSON whatever
	 * Content-Type a client sends. */
	if (!strncmp(url, "/connect/", 9) && ct &&
	    !strncasecmp(ct, "application/x-www-form-urlencoded", 33) &&
	    lk_fields_new(&r->form) == LK_OK)
		r->pp = MHD_create_post_processor(c, 16384, form_value, r);
	r->started = true;
	inflight_add(srv, 1);
	return r;
}

static bool declared_too_big(struct MHD_Connection *c, size_t max)
{
	const char *cl =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	long v;

	return cl && (parse_long(&v, cl, 0, 0x7fffffffL) || (size_t)v > max);
}

static void append_body(struct serve_req *r, const char *data, size_t n)
{
	char *nb;

	if (r->too_big)
		return;
	if (r->len + n > r->srv->conf.max_body) {
		r->too_big = true;
		return;
	}
	nb = realloc(r->body, r->len + n + 1);
	if (!nb) {
		r->too_big = true;
		return;
	}
	memcpy(nb + r->len, data, n);
	r->len += n;
	nb[r->len] = '\0';
	r->body = nb;
	if (r->pp && MHD_post_process(r->pp, data, n) != MHD_YES)
		r->too_big = true; /* a form value over its cap */
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_size, void **con_cls)
{
	struct serve *srv = cls;
	struct serve_req *r = *con_cls;

	(void)version;
	if (!r) {
		r = req_new(srv, c, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		/* Refuse a declared oversize body before reading it. */
		if (declared_too_big(c, srv->conf.max_body)) {
			r->too_big = true;
			goto too_big;
		}
		return MHD_YES;
	}
	if (*upload_size) {
		append_body(r, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->too_big)
		goto too_big;
	if (!strncmp(url, "/v1/", 4))
		return serve_api(c, r, url);
	if (!strncmp(url, "/connect/", 9))
		return serve_connect(c, r, url);
	return serve_reply_error(c, r, 404, "not_found", "no such path: %.200s",
				 url);
too_big:
	return serve_reply_error(c, r, 400, "body_too_large",
				 "the request body is larger than "
				 "serve.max_body_bytes (%zu bytes)",
				 srv->conf.max_body);
}

/* Method and path arrive percent-decoded: no control character may
 * forge a log line. */
static void printable(char *dst, size_t n, const char *src)
{
	size_t i;

	for (i = 0; src && src[i] && i < n - 1; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f
			     ? '?'
			     : src[i];
	dst[i] = '\0';
}

/* One line per request: method, path (never the query, which may hold
 * a connect link), status and time. No header, no body. */
static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	struct serve *srv = cls;
	struct serve_req *r = *con_cls;
	char path[201], method[sizeof(r->method)];

	(void)c;
	if (!r)
		return;
	printable(path, sizeof(path), r->path);
	printable(method, sizeof(method), r->method);
	fprintf(stderr, "latchkey serve: %s %s %u %.1fms%s\n", method, path,
		r->status, (double)(now_us() - r->start_us) / 1000.0,
		toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	if (r->pp)
		MHD_destroy_post_processor(r->pp);
	lk_fields_free(r->form);
	if (r->body)
		OPENSSL_cleanse(r->body, r->len);
	free(r->body);
	lk_free(r->path);
	if (r->started)
		inflight_add(srv, -1);
	lk_free(r);
	*con_cls = NULL;
}

static int load_link_key(struct serve *srv)
{
	char *secret = NULL;
	size_t len = 0;
	unsigned int hl = 0;
	int rc;

	if (!srv->conf.link_secret_file)
		return RAND_bytes(srv->link_key, sizeof(srv->link_key)) == 1
			   ? 0
			   : 2;
	rc = serve_read_secret_file(&secret, &len, srv->conf.link_secret_file,
				    "link secret file");
	if (rc)
		return rc;
	if (len < 32) {
		fprintf(stderr,
			"latchkey serve: link secret file %s: at least 32 "
			"bytes needed\n",
			srv->conf.link_secret_file);
		rc = 2;
	} else if (EVP_Digest(secret, len, srv->link_key, &hl, EVP_sha256(),
			      NULL) != 1) {
		rc = 2;
	}
	lk_secret_free(secret, len + 1);
	return rc;
}

static struct MHD_Daemon *start_daemon(struct serve *srv,
				       struct sockaddr_storage *sa, char *cert,
				       char *key)
{
	unsigned flags = MHD_USE_AUTO | MHD_USE_INTERNAL_POLLING_THREAD |
			 MHD_USE_ITC | MHD_USE_ERROR_LOG;

	if (sa->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (cert)
		flags |= MHD_USE_TLS;
	if (cert)
		return MHD_start_daemon(
		    flags, 0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR,
		    (struct sockaddr *)sa, MHD_OPTION_THREAD_POOL_SIZE,
		    srv->conf.threads, MHD_OPTION_CONNECTION_TIMEOUT,
		    (unsigned)60, MHD_OPTION_NOTIFY_COMPLETED, completed, srv,
		    MHD_OPTION_HTTPS_MEM_CERT, cert, MHD_OPTION_HTTPS_MEM_KEY,
		    key, MHD_OPTION_END);
	return MHD_start_daemon(
	    flags, 0, NULL, NULL, handle, srv, MHD_OPTION_SOCK_ADDR,
	    (struct sockaddr *)sa, MHD_OPTION_THREAD_POOL_SIZE,
	    srv->conf.threads, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, srv, MHD_OPTION_END);
}

static int make_addr(struct sockaddr_storage *sa, const char *host,
		     unsigned port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		return 0;
	}
	return 2;
}

/* Wait for SIGTERM/SIGINT (blocked in every thread) or the lifetime. */
static void wait_for_stop(long lifetime)
{
	sigset_t set;
	int64_t until = lifetime ? now_us() + lifetime * 1000000LL : 0;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	for (;;) {
		struct timespec ts = {.tv_sec = 1};
		int s = sigtimedwait(&set, NULL, &ts);

		if (s == SIGTERM || s == SIGINT)
			return;
		if (until && now_us() >= until)
			return;
	}
}

static void stop_daemon(struct serve *srv, struct MHD_Daemon *d)
{
	MHD_socket ls = MHD_quiesce_daemon(d);
	int64_t until = now_us() + DRAIN_SECONDS * 1000000LL;

	/* No new connections; requests already read run to their end. */
	if (ls != MHD_INVALID_SOCKET)
		close(ls);
	while (inflight_get(srv) > 0 && now_us() < until)
		usleep(10000);
	MHD_stop_daemon(d);
}

static int read_tls(struct serve *srv, char **cert, char **key)
{
	size_t len = 0;
	FILE *f;
	long n;

	*cert = *key = NULL;
	if (!srv->conf.tls_cert_file)
		return 0;
	f = fopen(srv->conf.tls_cert_file, "r");
	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) <= 0 || n > 1048576 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(stderr,
			"latchkey serve: serve.tls.cert_file %s: "
			"cannot read it\n",
			srv->conf.tls_cert_file);
		if (f)
			fclose(f);
		return 2;
	}
	*cert = lk_calloc(1, (size_t)n + 1);
	if (!*cert || fread(*cert, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return 2;
	}
	fclose(f);
	return serve_read_secret_file(key, &len, srv->conf.tls_key_file,
				      "serve.tls.key_file");
}

int lk_cli_serve(lk_ctx *ctx, int argc, char **argv)
{
	struct serve srv = {.ctx = ctx};
	struct serve_opts o = {0};
	struct sockaddr_storage sa;
	struct MHD_Daemon *d = NULL;
	char *cert = NULL, *key = NULL;
	sigset_t set, old_set;
	int rc;

	pthread_mutex_init(&srv.lock, NULL);
	pthread_mutex_init(&srv.inflight_lock, NULL);
	rc = parse_opts(&o, argc, argv);
	if (!rc)
		rc = serve_conf_load(&srv.conf, ctx);
	if (!rc && o.listen)
		rc = serve_conf_listen(&srv.conf, o.listen);
	if (!rc && o.port >= 0)
		srv.conf.port = (unsigned)o.port;
	if (!rc)
		rc = serve_conf_check(&srv.conf, NULL);
	if (!rc)
		rc = serve_auth_load_keys(&srv);
	if (!rc)
		rc = load_link_key(&srv);
	if (!rc)
		rc = read_tls(&srv, &cert, &key);
	if (!rc)
		rc = make_addr(&sa, srv.conf.listen_host, srv.conf.port);
	if (rc)
		goto out;
	srv.tls = cert != NULL;
	/* Blocked before the pool starts, so only sigtimedwait sees them. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, &old_set);
	signal(SIGPIPE, SIG_IGN);
	d = start_daemon(&srv, &sa, cert, key);
	if (!d) {
		fprintf(stderr, "latchkey serve: cannot listen on %s:%u\n",
			srv.conf.listen_host, srv.conf.port);
		rc = 2;
		goto out;
	}
	{
		const union MHD_DaemonInfo *i =
		    MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
		unsigned port = i ? i->port : srv.conf.port;

		/* Before the port is published, so no request sees NULL. */
		rc = serve_conf_default_url(&srv.conf, port);
		if (rc) {
			stop_daemon(&srv, d);
			pthread_sigmask(SIG_SETMASK, &old_set, NULL);
			goto out;
		}

		fprintf(stderr,
			"latchkey serve: listening on %s port %u (%s, %u "
			"threads), public URL %s\n",
			srv.conf.listen_host, port, srv.tls ? "TLS" : "plain",
			srv.conf.threads, srv.conf.public_url);
		if (o.port_file)
			rc = write_port_file(o.port_file, port);
	}
	if (!rc)
		wait_for_stop(o.lifetime);
	stop_daemon(&srv, d);
	pthread_sigmask(SIG_SETMASK, &old_set, NULL);
	fprintf(stderr, "latchkey serve: stopped\n");
out:
	lk_free(cert);
	if (key)
		lk_str_wipe_free(key);
	serve_sessions_free(&srv);
	serve_link_free_all(&srv);
	lk_free(srv.key_hashes);
	serve_conf_free(&srv.conf);
	pthread_mutex_destroy(&srv.lock);
	pthread_mutex_destroy(&srv.inflight_lock);
	OPENSSL_cleanse(srv.link_key, sizeof(srv.link_key));
	return rc;
}
