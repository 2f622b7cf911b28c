/* SPDX-License-Identifier: MIT */
/*
 * serve_config.c: the `serve` block of latchkey.conf (DESIGN.md "Serving
 * host programs"). The core keeps the block whole, with file:line, and
 * leaves its keys to `latchkey serve`: we check them here.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h" /* the retained tree: ctx->serve (no public accessor) */
#include "serve_int.h"

#define DEFAULT_LISTEN "127.0.0.1:8770"

static const char *type_name(lk_setting_type t)
{
	switch (t) {
	case LK_SET_GROUP:
		return "a group";
	case LK_SET_STRING:
		return "a string";
	case LK_SET_INT:
		return "an integer";
	case LK_SET_FLOAT:
		return "a number";
	case LK_SET_BOOL:
		return "a boolean";
	case LK_SET_LIST:
		return "a list";
	}
	return "a value";
}

static int bad(const lk_setting *s, const char *fmt, const char *arg)
{
	fprintf(stderr, "latchkey serve: %s:%d: ", s->file ? s->file : "?",
		s->line);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	return 2;
}

static int want(const lk_setting *s, lk_setting_type t)
{
	if (s->type == t)
		return 0;
	fprintf(stderr, "latchkey serve: %s:%d: serve.%s must be %s, not %s\n",
		s->file ? s->file : "?", s->line, s->name, type_name(t),
		type_name(s->type));
	return 2;
}

/* A *_file path is relative to the file that names it (DESIGN.md);
 * the core names files relative to the configuration's folder. */
static const char *config_dir;

static char *path_near(const lk_setting *s)
{
	char *file, *out;

	if (s->str[0] == '/')
		return lk_strdup(s->str);
	if (!s->file)
		return serve_strdupf("%s/%s", config_dir, s->str);
	file = s->file[0] == '/' ? lk_strdup(s->file)
				 : serve_strdupf("%s/%s", config_dir, s->file);
	if (!file)
		return NULL;
	out = serve_strdupf("%s/%s", dirname(file), s->str);
	lk_free(file);
	return out;
}

static int string_list(char ***out, size_t *n, const lk_setting *s, bool paths)
{
	int rc = want(s, LK_SET_LIST);

	if (rc)
		return rc;
	*out = lk_calloc(s->nkids + 1, sizeof(**out));
	if (!*out)
		return 2;
	for (size_t i = 0; i < s->nkids; i++) {
		const lk_setting *k = s->kids[i];

		if (k->type != LK_SET_STRING || !k->str[0])
			return bad(k,
				   "serve.%s: every element must be a "
				   "non-empty string",
				   s->name);
		(*out)[i] = paths ? path_near(k) : lk_strdup(k->str);
		if (!(*out)[i])
			return 2;
		*n = i + 1;
	}
	return 0;
}

bool serve_host_is_loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;

	if (inet_pton(AF_INET, host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6);
	return false;
}

static int parse_listen(struct serve_conf *c, const char *v,
			const lk_setting *where)
{
	const char *colon = strrchr(v, ':');
	const char *host = v;
	size_t hlen;
	char *end;
	long port;

	if (!colon)
		goto fail;
	hlen = (size_t)(colon - v);
	if (v[0] == '[') { /* [::1]:8770 */
		if (hlen < 2 || v[hlen - 1] != ']')
			goto fail;
		host = v + 1;
		hlen -= 2;
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || end == colon + 1 || port < 0 || port > 65535)
		goto fail;
	lk_free(c->listen_host);
	c->listen_host = lk_calloc(1, hlen + 1);
	if (!c->listen_host)
		return 2;
	memcpy(c->listen_host, host, hlen);
	{
		unsigned char buf[sizeof(struct in6_addr)];

		if (inet_pton(AF_INET, c->listen_host, buf) != 1 &&
		    inet_pton(AF_INET6, c->listen_host, buf) != 1)
			goto fail;
	}
	c->port = (unsigned)port;
	return 0;
fail:
	if (where)
		return bad(where,
			   "serve.listen: \"%s\" is not ADDR:PORT with "
			   "a numeric address (127.0.0.1:8770, "
			   "[::1]:8770)",
			   v);
	fprintf(stderr,
		"latchkey serve: --listen: \"%s\" is not ADDR:PORT with a "
		"numeric address\n",
		v);
	return 2;
}

int serve_conf_listen(struct serve_conf *c, const char *v)
{
	return parse_listen(c, v, NULL);
}

static int read_tls(struct serve_conf *c, const lk_setting *g)
{
	int rc = want(g, LK_SET_GROUP);

	for (size_t i = 0; !rc && i < g->nkids; i++) {
		const lk_setting *s = g->kids[i];
		char **dst;

		if (!strcmp(s->name, "cert_file"))
			dst = &c->tls_cert_file;
		else if (!strcmp(s->name, "key_file"))
			dst = &c->tls_key_file;
		else
			return bad(s,
				   "serve.tls: unknown key \"%s\" (known: "
				   "cert_file, key_file)",
				   s->name);
		rc = want(s, LK_SET_STRING);
		if (!rc) {
			*dst = path_near(s);
			rc = *dst ? 0 : 2;
		}
	}
	if (!rc && (!c->tls_cert_file != !c->tls_key_file))
		return bad(g, "serve.tls: %s",
			   "needs both cert_file and "
			   "key_file");
	return rc;
}

static int read_int(long *out, const lk_setting *s, long min, long max)
{
	int rc = want(s, LK_SET_INT);
	char range[64];

	if (rc)
		return rc;
	if (s->i < min || s->i > max) {
		snprintf(range, sizeof(range), "%ld..%ld", min, max);
		fprintf(stderr,
			"latchkey serve: %s:%d: serve.%s must be in %s\n",
			s->file ? s->file : "?", s->line, s->name, range);
		return 2;
	}
	*out = (long)s->i;
	return 0;
}

static int read_key(struct serve_conf *c, const lk_setting *s)
{
	long v = 0;
	int rc;

	if (!strcmp(s->name, "listen")) {
		rc = want(s, LK_SET_STRING);
		return rc ? rc : parse_listen(c, s->str, s);
	}
	if (!strcmp(s->name, "public_url")) {
		rc = want(s, LK_SET_STRING);
		if (rc)
			return rc;
		if (strncmp(s->str, "http://", 7) &&
		    strncmp(s->str, "https://", 8))
			return bad(s,
				   "serve.public_url: \"%s\" must start "
				   "with http:// or https://",
				   s->str);
		c->public_url = lk_strdup(s->str);
		return c->public_url ? 0 : 2;
	}
	if (!strcmp(s->name, "service_key_files"))
		return string_list(&c->key_files, &c->nkey_files, s, true);
	if (!strcmp(s->name, "origins"))
		return string_list(&c->origins, &c->norigins, s, false);
	if (!strcmp(s->name, "link_secret_file")) {
		rc = want(s, LK_SET_STRING);
		if (!rc)
			c->link_secret_file = path_near(s);
		return rc ? rc : c->link_secret_file ? 0 : 2;
	}
	if (!strcmp(s->name, "link_ttl")) {
		rc = read_int(&v, s, 10, 86400);
		c->link_ttl = v;
		return rc;
	}
	if (!strcmp(s->name, "max_body_bytes")) {
		rc = read_int(&v, s, 1024, 64L * 1024 * 1024);
		c->max_body = (size_t)v;
		return rc;
	}
	if (!strcmp(s->name, "threads")) {
		rc = read_int(&v, s, 1, 256);
		c->threads = (unsigned)v;
		return rc;
	}
	if (!strcmp(s->name, "allow_insecure")) {
		rc = want(s, LK_SET_BOOL);
		c->allow_insecure = s->b;
		return rc;
	}
	if (!strcmp(s->name, "tls"))
		return read_tls(c, s);
	return bad(s,
		   "serve: unknown key \"%s\" (known: listen, public_url, "
		   "service_key_files, origins, link_secret_file, link_ttl, "
		   "max_body_bytes, threads, allow_insecure, tls)",
		   s->name);
}

int serve_conf_load(struct serve_conf *c, lk_ctx *ctx)
{
	const lk_setting *g = ctx->serve;
	int rc;

	memset(c, 0, sizeof(*c));
	config_dir = ctx->config_dir ? ctx->config_dir : ".";
	c->link_ttl = 600;
	c->max_body = 1048576;
	c->threads = 8;
	rc = parse_listen(c, DEFAULT_LISTEN, NULL);
	for (size_t i = 0; !rc && g && i < g->nkids; i++)
		rc = read_key(c, g->kids[i]);
	return rc;
}

/* Once --listen/--port are applied: the rules that span keys. */
int serve_conf_check(struct serve_conf *c, const char *conf_file)
{
	const char *f = conf_file ? conf_file : "latchkey.conf";

	if (!c->nkey_files) {
		fprintf(stderr,
			"latchkey serve: %s: serve.service_key_files is "
			"required: host programs authenticate with a service "
			"key\n",
			f);
		return 2;
	}
	/* Service keys and connect cookies must not cross a network in
	 * clear text unless the administrator says so. */
	if (!serve_host_is_loopback(c->listen_host) && !c->tls_cert_file &&
	    !c->allow_insecure) {
		fprintf(stderr,
			"latchkey serve: %s: refusing to listen on %s without "
			"TLS: set serve.tls = { cert_file; key_file; } or "
			"serve.allow_insecure = true\n",
			f, c->listen_host);
		return 2;
	}
	if (c->public_url) {
		size_t n = strlen(c->public_url);

		while (n > 0 && c->public_url[n - 1] == '/')
			c->public_url[--n] = '\0';
	}
	return 0;
}

int serve_read_secret_file(char **out, size_t *len, const char *path,
			   const char *what)
{
	struct stat st;
	char *buf = NULL;
	size_t n = 0;
	int fd, rc = 2;

	*out = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "latchkey serve: %s %s: %s\n", what, path,
			strerror(errno));
		return 2;
	}
	/* The opened file is checked, not the path: no race. */
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		fprintf(stderr, "latchkey serve: %s %s: not a regular file\n",
			what, path);
		goto out;
	}
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		fprintf(stderr,
			"latchkey serve: %s %s: refused: group- or "
			"world-accessible (mode %04o); chmod 600 it\n",
			what, path, (unsigned)(st.st_mode & 07777));
		goto out;
	}
	if (st.st_size > 65536) {
		fprintf(stderr, "latchkey serve: %s %s: larger than 64 KiB\n",
			what, path);
		goto out;
	}
	buf = lk_calloc(1, (size_t)st.st_size + 1);
	if (!buf)
		goto out;
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + n, (size_t)st.st_size - n);

		if (r <= 0)
			break;
		n += (size_t)r;
	}
	*out = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	close(fd);
	lk_secret_free(buf, buf ? (size_t)st.st_size + 1 : 0);
	return rc;
}

static void free_list(char **l, size_t n)
{
	for (size_t i = 0; l && i < n; i++)
		lk_free(l[i]);
	lk_free(l);
}

void serve_conf_free(struct serve_conf *c)
{
	lk_free(c->listen_host);
	lk_free(c->public_url);
	free_list(c->key_files, c->nkey_files);
	free_list(c->origins, c->norigins);
	lk_free(c->link_secret_file);
	lk_free(c->tls_cert_file);
	lk_free(c->tls_key_file);
	memset(c, 0, sizeof(*c));
}

int serve_conf_default_url(struct serve_conf *c, unsigned port)
{
	bool v6 = strchr(c->listen_host, ':') != NULL;

	if (c->public_url)
		return 0;
	c->public_url =
	    serve_strdupf("%s://%s%s%s:%u", c->tls_cert_file ? "https" : "http",
			  v6 ? "[" : "", c->listen_host, v6 ? "]" : "", port);
	return c->public_url ? 0 : 2;
}
