/* SPDX-License-Identifier: MIT */
/* The in-process test world of harness.h: temp config and module folder,
 * and a recording libmicrohttpd server on 127.0.0.1. */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* Per connection: the raw URI (query included) and the body so far. */
struct pending {
	char uri[512];
	char body[1024];
	size_t body_len;
	bool started; /* MHD's first call carries headers only */
};

static void *log_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct pending *p = calloc(1, sizeof(*p));

	(void)cls;
	(void)c;
	if (p)
		snprintf(p->uri, sizeof(p->uri), "%s", uri);
	return p;
}

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind,
				  const char *name, const char *value)
{
	struct lkh_req *r = cls;
	size_t used = strlen(r->headers);
	int n;

	(void)kind;
	n = snprintf(r->headers + used, sizeof(r->headers) - used, "%s: %s\n",
		     name, value ? value : "");
	if (n > 0)
		for (char *s = r->headers + used; *s && *s != ':'; s++)
			*s = (char)tolower((unsigned char)*s);
	return MHD_YES;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c,
			      const char *url, const char *method,
			      const char *version, const char *data,
			      size_t *data_len, void **con_cls)
{
	static const char ok_body[] =
	    "{\"login\":\"octo\",\"name\":\"Octo Cat\",\"id\":7}";
	struct lkh *h = cls;
	struct pending *p = *con_cls;
	struct MHD_Response *resp;
	unsigned status = 200;
	enum MHD_Result ret;

	(void)version;
	if (!p)
		return MHD_NO;
	if (!p->started) {
		p->started = true;
		return MHD_YES;
	}
	if (*data_len) {
		size_t room = sizeof(p->body) - 1 - p->body_len;
		size_t n = *data_len < room ? *data_len : room;

		memcpy(p->body + p->body_len, data, n);
		p->body_len += n;
		*data_len = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&h->lock);
	if (h->nreqs < LKH_MAX_REQS) {
		struct lkh_req *r = &h->reqs[h->nreqs++];

		memset(r, 0, sizeof(*r));
		snprintf(r->method, sizeof(r->method), "%s", method);
		snprintf(r->url, sizeof(r->url), "%s", p->uri);
		memcpy(r->body, p->body, p->body_len);
		MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, r);
	}
	pthread_mutex_unlock(&h->lock);
	if (strstr(url, "/status/"))
		status =
		    (unsigned)strtoul(strstr(url, "/status/") + 8, NULL, 10);
	resp = MHD_create_response_from_buffer(strlen(ok_body), (void *)ok_body,
					       MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", "application/json");
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void done(void *cls, struct MHD_Connection *c, void **con_cls,
		 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

int lkh_start(struct lkh *h)
{
	struct sockaddr_in sa = {0};
	const union MHD_DaemonInfo *info;

	memset(h, 0, sizeof(*h));
	pthread_mutex_init(&h->lock, NULL);
	snprintf(h->dir, sizeof(h->dir), "/tmp/lk-harness-XXXXXX");
	if (!mkdtemp(h->dir) || chmod(h->dir, 0700) != 0)
		return -1;
	snprintf(h->mods, sizeof(h->mods), "%s/mods", h->dir);
	char p[160];
	snprintf(p, sizeof(p), "%s/apps", h->dir);
	if (mkdir(h->mods, 0755) != 0 || mkdir(p, 0700) != 0)
		return -1;
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	h->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    answer, h, MHD_OPTION_SOCK_ADDR, &sa, MHD_OPTION_URI_LOG_CALLBACK,
	    log_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!h->daemon)
		return -1;
	info = MHD_get_daemon_info(h->daemon, MHD_DAEMON_INFO_BIND_PORT);
	h->port = info ? info->port : 0;
	return h->port ? 0 : -1;
}

/* Remove what we made: files of our temp folder, two levels deep. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char p[512];
		struct stat sb;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
		if (lstat(p, &sb) == 0 && S_ISDIR(sb.st_mode))
			remove_tree(p);
		else
			unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(path);
}

void lkh_stop(struct lkh *h)
{
	if (h->daemon)
		MHD_stop_daemon(h->daemon);
	h->daemon = NULL;
	if (h->dir[0] && strncmp(h->dir, "/tmp/lk-harness-", 16) == 0)
		remove_tree(h->dir);
	h->dir[0] = '\0';
	pthread_mutex_destroy(&h->lock);
}

int lkh_module(struct lkh *h, const char *name, const char *built)
{
	const char *top = getenv("top_builddir");
	char from[512], to[256], buf[8192];
	ssize_t n;
	int in, out, rc = 0;

	if (built)
		snprintf(from, sizeof(from), "%s", built);
	else
		snprintf(from, sizeof(from), "%s/modules/%s/.libs/%s.so",
			 top ? top : ".", name, name);
	snprintf(to, sizeof(to), "%s/%s.so", h->mods, name);
	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return -1;
	unlink(to);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		close(in);
		return -1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			rc = -1;
	close(in);
	close(out);
	return rc;
}

int lkh_app(struct lkh *h, const char *file, const char *fmt, ...)
{
	char p[256];
	va_list ap;
	FILE *f;
	int rc;

	snprintf(p, sizeof(p), "%s/apps/%s.conf", h->dir, file);
	f = fopen(p, "w");
	if (!f)
		return -1;
	va_start(ap, fmt);
	rc = vfprintf(f, fmt, ap) < 0 ? -1 : 0;
	va_end(ap);
	return fclose(f) == 0 ? rc : -1;
}

static void capture_log(void *ud, lk_log_level level, const char *msg)
{
	struct lkh *h = ud;
	size_t used;

	(void)level;
	pthread_mutex_lock(&h->lock);
	used = strlen(h->log);
	snprintf(h->log + used, sizeof(h->log) - used, "%s\n", msg);
	pthread_mutex_unlock(&h->lock);
}

lk_status lkh_load(lk_ctx **out, struct lkh *h)
{
	char p[256];
	lk_status rc;
	FILE *f;

	*out = NULL;
	snprintf(p, sizeof(p), "%s/latchkey.conf", h->dir);
	f = fopen(p, "w");
	if (!f)
		return LK_ESTORE;
	fprintf(f,
		"module_path = \"%s\";\napps_dir = \"apps\";\n"
		"store = { path = \"%s/store\"; key_file = \"%s/master.key\"; "
		"};\nhttp = { timeout = 5; connect_timeout = 2; };\n",
		h->mods, h->dir, h->dir);
	if (fclose(f) != 0)
		return LK_ESTORE;
	rc = lk_ctx_new(out);
	if (rc != LK_OK)
		return rc;
	lk_ctx_set_log(*out, capture_log, h, LK_LOG_DEBUG);
	return lk_ctx_load(*out, p);
}

void lkh_reset(struct lkh *h)
{
	pthread_mutex_lock(&h->lock);
	h->nreqs = 0;
	h->log[0] = '\0';
	pthread_mutex_unlock(&h->lock);
}

bool lkh_req_at(struct lkh *h, unsigned i, struct lkh_req *out)
{
	bool ok;

	pthread_mutex_lock(&h->lock);
	ok = i < h->nreqs;
	if (ok)
		*out = h->reqs[i];
	pthread_mutex_unlock(&h->lock);
	return ok;
}

unsigned lkh_count(struct lkh *h)
{
	unsigned n;

	pthread_mutex_lock(&h->lock);
	n = h->nreqs;
	pthread_mutex_unlock(&h->lock);
	return n;
}

const char *lkh_url(struct lkh *h, const char *path)
{
	static char buf[600];

	snprintf(buf, sizeof(buf), "http://127.0.0.1:%u%s", h->port, path);
	return buf;
}
