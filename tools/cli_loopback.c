/* SPDX-License-Identifier: MIT */
/* cli_loopback.c: the loopback listener of `latchkey connect APP`: one
 * OAuth redirect received on 127.0.0.1 through libmicrohttpd (RFC 8252
 * sections 7.3 and 8.3; RFC 6749 section 3.1.2 for the redirect URI). */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli_loopback.h"

/* After the callback, how long the browser may take to get its page
 * before the listener stops anyway. */
#define LOOPBACK_ANSWER_WAIT_MS 3000
/* How often the wait looks at the Ctrl-C flag. */
#define LOOPBACK_SLICE_MS 200

/* The page says nothing of what the callback carried: no code, no
 * state, no error text that a provider could fill with markup. */
static const char page_done[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
    "<title>latchkey</title></head>\n<body><p>latchkey received the "
    "provider's answer. You can close this window and return to the "
    "terminal.</p></body></html>\n";
static const char page_again[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
    "<title>latchkey</title></head>\n<body><p>latchkey already received "
    "an answer for this connect; this one was ignored. You can close "
    "this window.</p></body></html>\n";
static const char page_not_found[] =
    "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
    "<title>Not found</title></head>\n<body><p>Not found.</p></body>"
    "</html>\n";

struct cli_loopback {
	struct MHD_Daemon *daemon;
	char *origin; /* "http://127.0.0.1:PORT", the callback's front */
	char *path;   /* the redirect_uri's path: the only one answered */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool got;	    /* the first callback arrived */
	bool answered;	    /* and its page went out */
	const void *cb_req; /* that request's raw target, as a marker */
	char *callback;	    /* origin + raw target */
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static char *dup_str(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = lk_malloc(n);

	if (d)
		memcpy(d, s, n);
	return d;
}

bool cli_loopback_uri_ok(const char *uri)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *frag = NULL;
	bool ok = false;

	if (!u || curl_url_set(u, CURLUPART_URL, uri, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* RFC 6749 section 3.1.2: no fragment; userinfo has no place in a
	 * redirect either. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK)
		goto out;
	/* RFC 8252 section 8.3 recommends the literal address; localhost is
	 * accepted and served on 127.0.0.1 too. */
	ok = !strcasecmp(scheme, "http") &&
	     (!strcmp(host, "127.0.0.1") || !strcasecmp(host, "localhost"));
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(frag);
	curl_url_cleanup(u);
	return ok;
}

/* MHD hands the request target here raw, before it splits and decodes
 * the query: the callback reaches the core with the provider's bytes. */
static void *keep_raw_target(void *cls, const char *uri,
			     struct MHD_Connection *con)
{
	(void)cls;
	(void)con;
	return dup_str(uri);
}

static enum MHD_Result answer(struct MHD_Connection *con, unsigned status,
			      const char *page)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(page), (void *)page, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	/* The page's URL carries the code: never pass it on. */
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Connection", "close");
	ret = MHD_queue_response(con, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *con,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct cli_loopback *lb = cls;
	const char *raw = *req_cls;
	size_t plen;
	bool first = false;

	(void)url;
	(void)version;
	(void)upload;
	/* A body is never expected: drain and ignore it. */
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!raw)
		return MHD_NO;
	plen = strcspn(raw, "?");
	if (strlen(lb->path) != plen || memcmp(raw, lb->path, plen) != 0)
		return answer(con, MHD_HTTP_NOT_FOUND, page_not_found);
	if (strcmp(method, "GET") != 0)
		return answer(con, MHD_HTTP_METHOD_NOT_ALLOWED, page_not_found);
	pthread_mutex_lock(&lb->lock);
	if (!lb->got) {
		size_t n = strlen(lb->origin) + strlen(raw) + 1;

		lb->callback = lk_malloc(n);
		if (!lb->callback) {
			pthread_mutex_unlock(&lb->lock);
			return MHD_NO;
		}
		snprintf(lb->callback, n, "%s%s", lb->origin, raw);
		lb->got = true;
		lb->cb_req = raw;
		first = true;
		pthread_cond_broadcast(&lb->cond);
	}
	pthread_mutex_unlock(&lb->lock);
	return answer(con, first ? MHD_HTTP_OK : MHD_HTTP_CONFLICT,
		      first ? page_done : page_again);
}

static void on_completed(void *cls, struct MHD_Connection *con, void **req_cls,
			 enum MHD_RequestTerminationCode why)
{
	struct cli_loopback *lb = cls;

	(void)con;
	pthread_mutex_lock(&lb->lock);
	if (*req_cls && *req_cls == lb->cb_req) {
		/* Done, or the browser went away: either way the wait
		 * need not hold the listener any longer. */
		(void)why;
		lb->answered = true;
		lb->cb_req = NULL;
		pthread_cond_broadcast(&lb->cond);
	}
	pthread_mutex_unlock(&lb->lock);
	/* The target holds the authorization code. */
	lk_str_wipe_free(*req_cls);
	*req_cls = NULL;
}

/* A listening socket on 127.0.0.1:@p port (0: any free port), so a port
 * already taken gets its own message rather than MHD's NULL. */
static int listen_loopback(unsigned *port, char *err, size_t errlen)
{
	struct sockaddr_in sa = {0};
	socklen_t len = sizeof(sa);
	int one = 1;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0) {
		snprintf(err, errlen, "cannot create a socket: %s",
			 strerror(errno));
		return -1;
	}
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)*port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    listen(fd, 16) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) != 0) {
		snprintf(err, errlen, "cannot listen on 127.0.0.1:%u: %s",
			 *port, strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

lk_status cli_loopback_open(cli_loopback **out, char **out_uri,
			    const char *redirect_uri, char *err, size_t errlen)
{
	struct cli_loopback *lb = NULL;
	CURLU *u = NULL;
	char *port_s = NULL, *path = NULL, *uri = NULL;
	char buf[16];
	unsigned port = 0;
	int fd = -1;
	lk_status rc = LK_OK;

	*out = NULL;
	*out_uri = NULL;
	if (!cli_loopback_uri_ok(redirect_uri)) {
		snprintf(err, errlen,
			 "redirect_uri is not an http URI on 127.0.0.1");
		return LK_EINVAL;
	}
	u = curl_url();
	if (!u ||
	    curl_url_set(u, CURLUPART_URL, redirect_uri, 0) != CURLUE_OK) {
		rc = LK_ENOMEM;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port_s, 0) == CURLUE_OK) {
		char *end = NULL;
		unsigned long p = strtoul(port_s, &end, 10);

		if (*end || p == 0 || p > 65535) {
			snprintf(err, errlen, "redirect_uri has a bad port");
			rc = LK_EINVAL;
			goto out;
		}
		port = (unsigned)p;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK) {
		rc = LK_ENOMEM;
		goto out;
	}
	fd = listen_loopback(&port, err, errlen);
	if (fd < 0) {
		rc = LK_ENET;
		goto out;
	}
	/* RFC 8252 section 7.3: no port in the registered URI means any. */
	if (!port_s) {
		snprintf(buf, sizeof(buf), "%u", port);
		if (curl_url_set(u, CURLUPART_PORT, buf, 0) != CURLUE_OK) {
			rc = LK_ENOMEM;
			goto out;
		}
	}
	if (curl_url_get(u, CURLUPART_URL, &uri, 0) != CURLUE_OK) {
		rc = LK_ENOMEM;
		goto out;
	}
	lb = lk_calloc(1, sizeof(*lb));
	if (!lb) {
		rc = LK_ENOMEM;
		goto out;
	}
	pthread_mutex_init(&lb->lock, NULL);
	{
		pthread_condattr_t ca;

		pthread_condattr_init(&ca);
		pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
		pthread_cond_init(&lb->cond, &ca);
		pthread_condattr_destroy(&ca);
	}
	snprintf(buf, sizeof(buf), "%u", port);
	{
		size_t n = sizeof("http://127.0.0.1:") + strlen(buf);

		lb->origin = lk_malloc(n);
		if (lb->origin)
			snprintf(lb->origin, n, "http://127.0.0.1:%s", buf);
	}
	lb->path = dup_str(path);
	*out_uri = dup_str(uri);
	if (!lb->origin || !lb->path || !*out_uri) {
		rc = LK_ENOMEM;
		goto out;
	}
	/* One thread is plenty for one browser; the daemon owns fd now. */
	lb->daemon = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, lb,
	    MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_URI_LOG_CALLBACK,
	    keep_raw_target, lb, MHD_OPTION_NOTIFY_COMPLETED, on_completed, lb,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_CONNECTION_LIMIT,
	    16u, MHD_OPTION_END);
	if (!lb->daemon) {
		snprintf(err, errlen, "cannot start the listener on %s",
			 lb->origin);
		rc = LK_ENET;
		goto out;
	}
	fd = -1;
out:
	if (fd >= 0)
		close(fd);
	if (rc != LK_OK) {
		cli_loopback_free(lb);
		lb = NULL;
		lk_free(*out_uri);
		*out_uri = NULL;
	}
	curl_free(port_s);
	curl_free(path);
	curl_free(uri);
	curl_url_cleanup(u);
	*out = lb;
	return rc;
}

static void deadline_in(struct timespec *ts, unsigned long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static bool passed(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > t->tv_sec ||
	       (now.tv_sec == t->tv_sec && now.tv_nsec >= t->tv_nsec);
}

enum cli_loopback_end cli_loopback_wait(cli_loopback *lb, char **out_callback,
					unsigned timeout_s)
{
	struct sigaction sa = {0}, old_int, old_term;
	struct timespec end, slice;
	enum cli_loopback_end how = CLI_LOOPBACK_TIMEOUT;

	*out_callback = NULL;
	interrupted = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	deadline_in(&end, (unsigned long)timeout_s * 1000UL);
	pthread_mutex_lock(&lb->lock);
	while (!lb->got && !interrupted && !passed(&end)) {
		deadline_in(&slice, LOOPBACK_SLICE_MS);
		pthread_cond_timedwait(&lb->cond, &lb->lock, &slice);
	}
	if (lb->got) {
		/* Let the browser have its page before the listener goes. */
		deadline_in(&end, LOOPBACK_ANSWER_WAIT_MS);
		while (!lb->answered && !interrupted && !passed(&end)) {
			deadline_in(&slice, LOOPBACK_SLICE_MS);
			pthread_cond_timedwait(&lb->cond, &lb->lock, &slice);
		}
		*out_callback = lb->callback;
		lb->callback = NULL;
		how = CLI_LOOPBACK_RECEIVED;
	} else if (interrupted) {
		how = CLI_LOOPBACK_INTERRUPTED;
	}
	pthread_mutex_unlock(&lb->lock);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return how;
}

void cli_loopback_free(cli_loopback *lb)
{
	if (!lb)
		return;
	if (lb->daemon)
		MHD_stop_daemon(lb->daemon);
	pthread_cond_destroy(&lb->cond);
	pthread_mutex_destroy(&lb->lock);
	lk_free(lb->origin);
	lk_free(lb->path);
	lk_str_wipe_free(lb->callback);
	lk_free(lb);
}
