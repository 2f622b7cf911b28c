/* SPDX-License-Identifier: MIT */
/* core/http.c against a libmicrohttpd server on 127.0.0.1:0 started by
 * this test: the exact request received, redirects not followed, the
 * size cap, timeouts, http refused unless allowed, one reused handle per
 * thread, and a debug log with nothing secret in it. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cunit_main.h"
#include "http.h"
#include "log.h"

static struct MHD_Daemon *daemon_;
static unsigned port;
static lk_ctx *ctx;
static const lk_app app_http = {.id = "t", .allow_http = true};

/* ------------------------------------------------------------- server */

/* What the server saw of the last complete request. */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char method[16];
	char url[256];
	char headers[2048]; /* "Name: value\n" in arrival order */
	char args[512];	    /* decoded "k=v\n" */
	char body[4096];
	size_t body_len;
	unsigned count; /* requests completed */
} seen;

struct upload {
	char body[4096];
	size_t len;
};

struct sink {
	char *buf;
	size_t cap;
	const char *fmt;
};

static enum MHD_Result add_line(void *cls, enum MHD_ValueKind kind,
				const char *key, const char *value)
{
	struct sink *k = cls;
	size_t used = strlen(k->buf);
	(void)kind;
	snprintf(k->buf + used, k->cap - used, k->fmt, key, value ? value : "");
	return MHD_YES;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status,
			     const char *body, const char *hname,
			     const char *hvalue)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	if (hname)
		MHD_add_response_header(r, hname, hvalue);
	enum MHD_Result ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static ssize_t chunk_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	size_t total = *(size_t *)cls;
	if (pos >= total)
		return MHD_CONTENT_READER_END_OF_STREAM;
	size_t n = total - (size_t)pos < max ? total - (size_t)pos : max;
	memset(buf, 'c', n);
	return (ssize_t)n;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c,
			       const char *url, const char *method,
			       const char *version, const char *upload_data,
			       size_t *upload_data_size, void **con_cls)
{
	struct upload *up = *con_cls;
	(void)cls;
	(void)version;

	if (!up) {
		up = calloc(1, sizeof(*up));
		*con_cls = up;
		return up ? MHD_YES : MHD_NO;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		if (n > sizeof up->body - up->len)
			n = sizeof up->body - up->len;
		memcpy(up->body + up->len, upload_data, n);
		up->len += n;
		*upload_data_size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&seen_lock);
	snprintf(seen.method, sizeof seen.method, "%s", method);
	snprintf(seen.url, sizeof seen.url, "%s", url);
	seen.headers[0] = seen.args[0] = '\0';
	struct sink hs = {seen.headers, sizeof seen.headers, "%s: %s\n"};
	struct sink as = {seen.args, sizeof seen.args, "%s=%s\n"};
	MHD_get_connection_values(c, MHD_HEADER_KIND, add_line, &hs);
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_line, &as);
	memcpy(seen.body, up->body, up->len);
	seen.body_len = up->len;
	seen.count++;
	pthread_mutex_unlock(&seen_lock);

	if (strcmp(url, "/redirect") == 0)
		return reply(c, 302, "moved", "Location", "/echo");
	if (strcmp(url, "/sleep") == 0) {
		usleep(1800 * 1000);
		return reply(c, 200, "late", NULL, NULL);
	}
	if (strcmp(url, "/port") == 0) {
		/* The client's port tells which connection carried it. */
		const union MHD_ConnectionInfo *ci = MHD_get_connection_info(
		    c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		char b[16];
		snprintf(b, sizeof b, "%u",
			 ntohs(((const struct sockaddr_in *)ci->client_addr)
				   ->sin_port));
		return reply(c, 200, b, NULL, NULL);
	}
	if (strcmp(url, "/big") == 0 || strcmp(url, "/chunked") == 0) {
		const char *n =
		    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "n");
		size_t *total = malloc(sizeof(*total));
		*total = n ? strtoul(n, NULL, 10) : 0;
		struct MHD_Response *r;
		if (url[1] == 'b') {
			char *body = malloc(*total + 1);
			memset(body, 'b', *total);
			r = MHD_create_response_from_buffer(
			    *total, body, MHD_RESPMEM_MUST_FREE);
			free(total);
		} else {
			r = MHD_create_response_from_callback(
			    MHD_SIZE_UNKNOWN, 512, chunk_reader, total, free);
		}
		enum MHD_Result ret = MHD_queue_response(c, 200, r);
		MHD_destroy_response(r);
		return ret;
	}
	struct MHD_Response *r = MHD_create_response_from_buffer(
	    5, (void *)"hello", MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "X-Reply", "yes");
	MHD_add_response_header(r, "Set-Cookie", "sid=cookie-s3cr3t");
	enum MHD_Result ret = MHD_queue_response(c, 201, r);
	MHD_destroy_response(r);
	return ret;
}

/* Connections the server accepted: a new one means no keep-alive. */
static unsigned conns;

static void on_connection(void *cls, struct MHD_Connection *c,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	(void)c;
	(void)socket_context;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		pthread_mutex_lock(&seen_lock);
		conns++;
		pthread_mutex_unlock(&seen_lock);
	}
}

static unsigned conns_started(void)
{
	pthread_mutex_lock(&seen_lock);
	unsigned n = conns;
	pthread_mutex_unlock(&seen_lock);
	return n;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
		      enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	free(*con_cls);
	*con_cls = NULL;
}

/* A self-signed certificate for 127.0.0.1 (no CA trusts it), made
 * with: openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256
 * -nodes -days 36500 -subj /CN=127.0.0.1
 * -addext subjectAltName=IP:127.0.0.1 */
static const char tls_cert[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjzCCATagAwIBAgIUVesX/d4Z8yIu9n6586dJ4L7ui+kwCgYIKoZIzj0EAwIw\n"
    "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTEyNDA2MjYzNFoYDzIxMjYxMDMx\n"
    "MDYyNjM0WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
    "PQMBBwNCAASLtGoMe6zGzupzn1I/WxZRoO/jkdhFHjXctIwW+Lzh66tbXwP4nOR+\n"
    "sKB7FdPJbdY1YTcEEX1tCGmwis3TjS2Ro2QwYjAdBgNVHQ4EFgQUZ8/bFcCRrM5u\n"
    "Az9nutU7U7LSGY0wHwYDVR0jBBgwFoAUZ8/bFcCRrM5uAz9nutU7U7LSGY0wDwYD\n"
    "VR0TAQH/BAUwAwEB/zAPBgNVHREECDAGhwR/AAABMAoGCCqGSM49BAMCA0cAMEQC\n"
    "IATCghCLd+IoY5HQB1u6FFZNL/AmHDBLIAX/FdCB3Dw3AiA0p3JRApasHN4kE3VW\n"
    "fuJBu99NRGZaPifrdp7L6QpXIg==\n"
    "-----END CERTIFICATE-----\n";
static const char tls_key[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0zQocXMSj3AVQlnT\n"
    "u+M9majnYptkUl+ls3vlq66zxXGhRANCAASLtGoMe6zGzupzn1I/WxZRoO/jkdhF\n"
    "HjXctIwW+Lzh66tbXwP4nOR+sKB7FdPJbdY1YTcEEX1tCGmwis3TjS2R\n"
    "-----END PRIVATE KEY-----\n";

/* --------------------------------------------------------------- log */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char logbuf[16384];

static void capture_log(void *ud, lk_log_level level, const char *msg)
{
	(void)ud;
	(void)level;
	pthread_mutex_lock(&log_lock);
	size_t used = strlen(logbuf);
	snprintf(logbuf + used, sizeof logbuf - used, "%s\n", msg);
	pthread_mutex_unlock(&log_lock);
}

static int suite_init(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	static const char *proxies[] = {"http_proxy", "https_proxy",
					"HTTPS_PROXY", "all_proxy",
					"ALL_PROXY"};
	/* The exchange must reach this server, not a proxy from the
	 * environment. */
	for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++)
		unsetenv(proxies[i]);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	daemon_ = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0,
	    NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)10, MHD_OPTION_END);
	if (!daemon_)
		return 1;
	port = MHD_get_daemon_info(daemon_, MHD_DAEMON_INFO_BIND_PORT)->port;
	if (lk_ctx_new(&ctx) != LK_OK)
		return 1;
	lk_ctx_set_log(ctx, capture_log, NULL, LK_LOG_DEBUG);
	return 0;
}

static int suite_fini(void)
{
	lk_http__thread_release();
	lk_ctx_free(ctx);
	MHD_stop_daemon(daemon_);
	return 0;
}

static char *url_of(const char *path)
{
	return lk_strdupf("http://127.0.0.1:%u%s", port, path);
}

static lk_status send_req(lk_response **out, const lk_app *app,
			  const char *method, const char *path,
			  const char *body)
{
	lk_request *req = NULL;
	char *url = url_of(path);
	lk_status rc = lk_request_new(&req, method, url);
	if (rc == LK_OK && body)
		rc = lk_request_set_body(req, body, strlen(body));
	if (rc == LK_OK)
		rc = lk_http__send(out, ctx, app, req);
	lk_request_free(req);
	lk_free(url);
	return rc;
}

static unsigned seen_count(void)
{
	pthread_mutex_lock(&seen_lock);
	unsigned n = seen.count;
	pthread_mutex_unlock(&seen_lock);
	return n;
}

/* -------------------------------------------------------------- tests */

static void test_http_exact_request_received_and_response_read(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	char *url = url_of("/echo?x=1&y=a%20b");
	char *want = NULL;
	size_t len = 0;

	CU_ASSERT_EQUAL_FATAL(lk_request_new(&req, "POST", url), LK_OK);
	lk_request_add_header(req, "Content-Type", "application/json");
	lk_request_add_header(req, "Accept", "text/plain");
	lk_request_add_header(req, "X-Custom", "v 1");
	lk_request_add_header(req, "X-Empty", "");
	lk_request_set_body(req, "{\"a\":1}", 7);
	CU_ASSERT_EQUAL_FATAL(lk_http__send(&resp, ctx, &app_http, req), LK_OK);
	want = lk_strdupf("Host: 127.0.0.1:%u\n"
			  "User-Agent: latchkey/%d.%d\n"
			  "Content-Type: application/json\n"
			  "Accept: text/plain\n"
			  "X-Custom: v 1\n"
			  "X-Empty: \n"
			  "Content-Length: 7\n",
			  port, LK_VERSION_MAJOR, LK_VERSION_MINOR);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen.method, "POST");
	CU_ASSERT_STRING_EQUAL(seen.url, "/echo");
	CU_ASSERT_STRING_EQUAL(seen.args, "x=1\ny=a b\n");
	CU_ASSERT_STRING_EQUAL(seen.headers, want);
	if (strcmp(seen.headers, want) != 0)
		fprintf(stderr, "\n--- got\n%s--- want\n%s", seen.headers,
			want);
	CU_ASSERT_EQUAL(seen.body_len, 7);
	CU_ASSERT_EQUAL(memcmp(seen.body, "{\"a\":1}", 7), 0);
	pthread_mutex_unlock(&seen_lock);

	CU_ASSERT_EQUAL(lk_response_status(resp), 201);
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "x-reply"), "yes");
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "Content-Length"), "5");
	CU_ASSERT_STRING_EQUAL(lk_response_body(resp, &len), "hello");
	CU_ASSERT_EQUAL(len, 5);
	lk_response_free(resp);
	lk_request_free(req);
	lk_free(want);
	lk_free(url);
}

static void test_http_get_and_bodyless_methods_send_no_body_headers(void)
{
	lk_response *resp = NULL;
	char *want = lk_strdupf("Host: 127.0.0.1:%u\n"
				"User-Agent: latchkey/%d.%d\n"
				"Accept: */*\n",
				port, LK_VERSION_MAJOR, LK_VERSION_MINOR);

	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "GET", "/echo", NULL),
			LK_OK);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen.method, "GET");
	CU_ASSERT_STRING_EQUAL(seen.headers, want);
	CU_ASSERT_EQUAL(seen.body_len, 0);
	pthread_mutex_unlock(&seen_lock);
	lk_response_free(resp);

	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "DELETE", "/echo", NULL),
			LK_OK);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen.method, "DELETE");
	CU_ASSERT_STRING_EQUAL(seen.headers, want);
	pthread_mutex_unlock(&seen_lock);
	lk_response_free(resp);
	lk_free(want);

	/* A body without Content-Type goes without one (no form type
	 * added), and without Expect: 100-continue. */
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "PUT", "/echo", "raw"),
			LK_OK);
	want = lk_strdupf("Host: 127.0.0.1:%u\n"
			  "User-Agent: latchkey/%d.%d\n"
			  "Accept: */*\n"
			  "Content-Length: 3\n",
			  port, LK_VERSION_MAJOR, LK_VERSION_MINOR);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen.method, "PUT");
	CU_ASSERT_STRING_EQUAL(seen.headers, want);
	CU_ASSERT_EQUAL(seen.body_len, 3);
	CU_ASSERT_EQUAL(memcmp(seen.body, "raw", 3), 0);
	pthread_mutex_unlock(&seen_lock);
	lk_response_free(resp);
	lk_free(want);

	/* An empty POST says Content-Length: 0. */
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "POST", "/echo", NULL),
			LK_OK);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_STRING_EQUAL(seen.method, "POST");
	CU_ASSERT_PTR_NOT_NULL(strstr(seen.headers, "Content-Length: 0\n"));
	CU_ASSERT_PTR_NULL(strstr(seen.headers, "Content-Type"));
	pthread_mutex_unlock(&seen_lock);
	lk_response_free(resp);
}

static void test_http_redirect_is_returned_not_followed(void)
{
	lk_response *resp = NULL;
	unsigned before = seen_count();

	CU_ASSERT_EQUAL_FATAL(
	    send_req(&resp, &app_http, "GET", "/redirect", NULL), LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 302);
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "Location"), "/echo");
	CU_ASSERT_STRING_EQUAL(lk_response_body(resp, NULL), "moved");
	CU_ASSERT_EQUAL(seen_count(), before + 1);
	lk_response_free(resp);
}

static void test_http_response_size_cap(void)
{
	lk_response *resp = NULL;
	size_t len = 0;
	size_t saved = ctx->max_response_bytes;

	ctx->max_response_bytes = 1000;
	/* with Content-Length, and chunked (the write callback aborts) */
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "GET", "/big?n=1000", NULL),
			LK_OK);
	lk_response_body(resp, &len);
	CU_ASSERT_EQUAL(len, 1000);
	lk_response_free(resp);
	CU_ASSERT_EQUAL(
	    send_req(&resp, &app_http, "GET", "/chunked?n=1000", NULL), LK_OK);
	lk_response_body(resp, &len);
	CU_ASSERT_EQUAL(len, 1000);
	lk_response_free(resp);

	resp = (lk_response *)1;
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "GET", "/big?n=1001", NULL),
			LK_EPROTO);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "response from 127.0.0.1 "
					       "larger than 1000 bytes");
	CU_ASSERT_EQUAL(
	    send_req(&resp, &app_http, "GET", "/chunked?n=5000", NULL),
	    LK_EPROTO);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "response from 127.0.0.1 "
					       "larger than 1000 bytes");
	/* a HEAD announces a length, with no body to cap */
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "HEAD", "/big?n=5000", NULL),
			LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 200);
	CU_ASSERT_STRING_EQUAL(lk_response_header(resp, "Content-Length"),
			       "5000");
	lk_response_body(resp, &len);
	CU_ASSERT_EQUAL(len, 0);
	lk_response_free(resp);
	ctx->max_response_bytes = saved;
	/* the handle still works after an aborted transfer */
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "GET", "/echo", NULL),
			LK_OK);
	CU_ASSERT_EQUAL(lk_response_status(resp), 201);
	lk_response_free(resp);
}

static void test_http_total_timeout(void)
{
	lk_response *resp = NULL;
	long saved = ctx->http_timeout;

	ctx->http_timeout = 1;
	pthread_mutex_lock(&log_lock);
	logbuf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
	CU_ASSERT_EQUAL(send_req(&resp, &app_http, "GET", "/sleep", NULL),
			LK_ETIMEOUT);
	pthread_mutex_lock(&log_lock);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(logbuf, "* no answer from 127.0.0.1 within 1 s\n"));
	pthread_mutex_unlock(&log_lock);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "no answer from 127.0.0.1 within 1 s");
	ctx->http_timeout = saved;
}

static void test_http_plain_http_refused_unless_app_allows_it(void)
{
	lk_response *resp = NULL;
	const lk_app https_only = {.id = "t", .allow_http = false};
	unsigned before = seen_count();

	CU_ASSERT_EQUAL(send_req(&resp, NULL, "GET", "/echo", NULL),
			LK_EDENIED);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), "http://127.0.0.1: http is "
					       "refused (https only)");
	CU_ASSERT_EQUAL(send_req(&resp, &https_only, "GET", "/echo", NULL),
			LK_EDENIED);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(seen_count(), before);

	/* https is attempted and verified: this server speaks no TLS */
	lk_request *req = NULL;
	char *url = lk_strdupf("https://127.0.0.1:%u/echo", port);
	lk_request_new(&req, "GET", url);
	CU_ASSERT_EQUAL(lk_http__send(&resp, ctx, &https_only, req), LK_ENET);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_EQUAL(strncmp(lk_errmsg(ctx), "127.0.0.1: ", 11), 0);
	lk_request_free(req);
	lk_free(url);

	/* other schemes never */
	lk_request_new(&req, "GET", "file:///etc/passwd");
	CU_ASSERT_NOT_EQUAL(lk_http__send(&resp, ctx, &app_http, req), LK_OK);
	CU_ASSERT_PTR_NULL(resp);
	lk_request_free(req);
}

static void test_http_tls_verified_self_signed_refused(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	const lk_app https_only = {.id = "t", .allow_http = false};
	lk_request *req = NULL;
	lk_response *resp = NULL;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	struct MHD_Daemon *tls = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
		MHD_USE_TLS,
	    0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, &sin,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
	    MHD_OPTION_HTTPS_MEM_KEY, tls_key, MHD_OPTION_HTTPS_MEM_CERT,
	    tls_cert, MHD_OPTION_END);
	CU_ASSERT_PTR_NOT_NULL_FATAL(tls);
	unsigned before = seen_count();
	char *url = lk_strdupf(
	    "https://127.0.0.1:%u/echo",
	    MHD_get_daemon_info(tls, MHD_DAEMON_INFO_BIND_PORT)->port);
	lk_request_new(&req, "GET", url);
	lk_request_add_header(req, "Authorization", "Bearer tls-s3cr3t");
	CU_ASSERT_EQUAL(lk_http__send(&resp, ctx, &https_only, req), LK_ENET);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "certificate"));
	/* the request never reached the handler */
	CU_ASSERT_EQUAL(seen_count(), before);
	lk_request_free(req);
	lk_free(url);
	MHD_stop_daemon(tls);
}

static void test_http_network_error_hides_query_and_userinfo(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;

	/* port 1 on loopback: nothing listens there */
	lk_request_new(&req, "GET",
		       "http://user:pw-s3cr3t@127.0.0.1:1/x?key=q-s3cr3t");
	CU_ASSERT_EQUAL(lk_http__send(&resp, ctx, &app_http, req), LK_ENET);
	CU_ASSERT_EQUAL(strncmp(lk_errmsg(ctx), "127.0.0.1: ", 11), 0);
	CU_ASSERT_PTR_NULL(strstr(lk_errmsg(ctx), "s3cr3t"));
	lk_request_free(req);
}

static void test_http_bad_header_in_request_refused(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	char *url = url_of("/echo");
	unsigned before = seen_count();

	lk_request_new(&req, "GET", url);
	lk_request_add_header(req, "X-Key", "ok");
	/* as a module could, writing the struct directly */
	req->headers[0].value[1] = '\n';
	CU_ASSERT_EQUAL(lk_http__send(&resp, ctx, &app_http, req), LK_EINVAL);
	CU_ASSERT_PTR_NULL(resp);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_errmsg(ctx), "\"X-Key\""));
	CU_ASSERT_EQUAL(seen_count(), before);
	lk_request_free(req);
	lk_free(url);
}

static long port_of_call(void)
{
	lk_response *resp = NULL;
	long p = -1;
	if (send_req(&resp, &app_http, "GET", "/port", NULL) == LK_OK)
		p = strtol(lk_response_body(resp, NULL), NULL, 10);
	lk_response_free(resp);
	return p;
}

static void *thread_calls(void *arg)
{
	long *ports = arg;
	ports[0] = port_of_call();
	ports[1] = port_of_call();
	return NULL; /* the thread's handle is freed at its exit */
}

static void test_http_handle_reused_per_thread(void)
{
	long t1[2] = {0}, t2[2] = {0};
	pthread_t th1, th2;

	lk_http__thread_release(); /* start from no connection */
	unsigned c0 = conns_started();
	long a = port_of_call(), b = port_of_call();

	/* same thread: one connection for both calls (keep-alive) */
	CU_ASSERT(a > 0);
	CU_ASSERT_EQUAL(a, b);
	CU_ASSERT_EQUAL(conns_started(), c0 + 1);
	/* other threads: their own handle, reused for their calls */
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th1, NULL, thread_calls, t1), 0);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&th2, NULL, thread_calls, t2), 0);
	pthread_join(th1, NULL);
	pthread_join(th2, NULL);
	CU_ASSERT(t1[0] > 0 && t2[0] > 0);
	CU_ASSERT_EQUAL(t1[0], t1[1]);
	CU_ASSERT_EQUAL(t2[0], t2[1]);
	CU_ASSERT_NOT_EQUAL(t1[0], a);
	CU_ASSERT_NOT_EQUAL(t2[0], a);
	CU_ASSERT_EQUAL(conns_started(), c0 + 3);
	/* this thread's connection is still the same */
	CU_ASSERT_EQUAL(port_of_call(), a);
	CU_ASSERT_EQUAL(conns_started(), c0 + 3);
	/* released, this thread makes a new connection */
	lk_http__thread_release();
	CU_ASSERT(port_of_call() > 0);
	CU_ASSERT_EQUAL(conns_started(), c0 + 4);
}

static void test_http_debug_log_redacted(void)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	char *url = url_of("/echo?key=ctx-s3cr3t&page=2");
	char *line = NULL;

	lk_log__redact_add(ctx, "ctx-s3cr3t");
	pthread_mutex_lock(&log_lock);
	logbuf[0] = '\0';
	pthread_mutex_unlock(&log_lock);
	lk_request_new(&req, "POST", url);
	lk_request_add_header(req, "Authorization", "Bearer tok-s3cr3t");
	lk_request_add_header(req, "Cookie", "sid=ck-s3cr3t");
	lk_request_add_header(req, "Proxy-Authorization", "Basic px-s3cr3t");
	lk_request_add_header(req, "X-Api-Key", "ctx-s3cr3t");
	lk_request_add_header(req, "X-Plain", "visible");
	lk_request_set_body(req, "body-s3cr3t", 11);
	CU_ASSERT_EQUAL_FATAL(lk_http__send(&resp, ctx, &app_http, req), LK_OK);
	pthread_mutex_lock(&log_lock);
	CU_ASSERT_PTR_NULL(strstr(logbuf, "s3cr3t"));
	line = lk_strdupf("> POST http://127.0.0.1:%u/echo?key=[REDACTED]"
			  "&page=2\n",
			  port);
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, line));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "> Authorization: [REDACTED]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "> Cookie: [REDACTED]\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(logbuf, "> Proxy-Authorization: [REDACTED]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "> X-Api-Key: [REDACTED]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "> X-Plain: visible\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "> (11 bytes of body)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "< 201\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "< X-Reply: yes\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "< Set-Cookie: [REDACTED]\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(logbuf, "< (5 bytes of body)\n"));
	pthread_mutex_unlock(&log_lock);
	lk_free(line);
	lk_response_free(resp);
	lk_request_free(req);
	lk_free(url);
}

static int register_http(void)
{
	CU_pSuite s = CU_add_suite("http", suite_init, suite_fini);
	if (!s)
		return 1;
	CU_add_test(s, "exact request received, response read",
		    test_http_exact_request_received_and_response_read);
	CU_add_test(s, "GET and bodyless methods, no default body headers",
		    test_http_get_and_bodyless_methods_send_no_body_headers);
	CU_add_test(s, "redirect returned, not followed",
		    test_http_redirect_is_returned_not_followed);
	CU_add_test(s, "response size cap", test_http_response_size_cap);
	CU_add_test(s, "total timeout", test_http_total_timeout);
	CU_add_test(s, "plain http refused unless the app allows it",
		    test_http_plain_http_refused_unless_app_allows_it);
	CU_add_test(s, "TLS verified: a self-signed certificate is refused",
		    test_http_tls_verified_self_signed_refused);
	CU_add_test(s, "network error hides query and userinfo",
		    test_http_network_error_hides_query_and_userinfo);
	CU_add_test(s, "bad header in request refused",
		    test_http_bad_header_in_request_refused);
	CU_add_test(s, "handle reused per thread",
		    test_http_handle_reused_per_thread);
	CU_add_test(s, "debug log redacted", test_http_debug_log_redacted);
	return 0;
}

LK_CUNIT_MAIN(register_http)
