/* SPDX-License-Identifier: MIT */
/* HTTP through libcurl: one easy handle per thread, reused (keep-alive),
 * https only unless the app allows http, TLS always verified, redirects
 * never followed, timeouts and a response size cap, and a redacted debug
 * log of the exchange. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "error.h"
#include "http.h"
#include "log.h"
#include "url.h"

#define LK_HTTP_DEFAULT_TIMEOUT 30L
#define LK_USER_AGENT "latchkey/" PACKAGE_VERSION_STR

#define LK_STR2(x) #x
#define LK_STR(x) LK_STR2(x)
#define PACKAGE_VERSION_STR                                                    \
	LK_STR(LK_VERSION_MAJOR) "." LK_STR(LK_VERSION_MINOR)

static pthread_once_t http_once = PTHREAD_ONCE_INIT;
static pthread_key_t http_key;
static bool http_key_ok;

static void handle_destroy(void *h)
{
	curl_easy_cleanup(h);
}

static void http_init_once(void)
{
	/* Once per process, before any thread makes a handle: older
	 * libcurl's implicit global init is not thread-safe. */
	curl_global_init(CURL_GLOBAL_DEFAULT);
	http_key_ok = pthread_key_create(&http_key, handle_destroy) == 0;
}

/* A host may dlclose liblatchkey: the key's destructor must not outlive
 * the code it points to (threads' handles then leak, never crash). */
__attribute__((destructor)) static void http_unload(void)
{
	if (http_key_ok) {
		http_key_ok = false;
		pthread_key_delete(http_key);
	}
}

/* This thread's handle, made on first use and kept (with its connection
 * cache) until the thread exits. lk_http__send resets it after every
 * transfer, so it is handed out clean. */
static CURL *thread_handle(void)
{
	CURL *h = NULL;

	pthread_once(&http_once, http_init_once);
	if (!http_key_ok)
		return NULL;
	h = pthread_getspecific(http_key);
	if (h)
		return h;
	h = curl_easy_init();
	if (h && pthread_setspecific(http_key, h) != 0) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return h;
}

void lk_http__thread_release(void)
{
	pthread_once(&http_once, http_init_once);
	if (!http_key_ok)
		return;
	CURL *h = pthread_getspecific(http_key);
	if (h) {
		pthread_setspecific(http_key, NULL);
		curl_easy_cleanup(h);
	}
}

/* What the callbacks fill while a response comes in. */
struct xfer {
	lk_response *resp;
	char *body;
	size_t len, cap;
	size_t limit; /* for the body; for the headers apart */
	size_t header_bytes;
	bool too_large;
	bool oom;
};

static size_t on_body(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	if (len > x->limit - x->len) {
		x->too_large = true;
		return 0; /* aborts the transfer: CURLE_WRITE_ERROR */
	}
	if (x->len + len + 1 > x->cap) {
		size_t cap = x->cap ? x->cap : 4096;
		while (cap < x->len + len + 1)
			cap *= 2;
		char *grown = realloc(x->body, cap);
		if (!grown) {
			x->oom = true;
			return 0;
		}
		x->body = grown;
		x->cap = cap;
	}
	memcpy(x->body + x->len, data, len);
	x->len += len;
	return len;
}

static size_t on_header(char *data, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;

	/* Headers have the same cap, apart: a server could stream endless
	 * headers as well as an endless body. */
	if (len > x->limit - x->header_bytes) {
		x->too_large = true;
		return 0;
	}
	x->header_bytes += len;
	/* A status line starts a new response (after a 100 Continue or a
	 * proxy's CONNECT): only the final one's headers are kept. */
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		lk_response *fresh = NULL;
		if (lk_response__new(&fresh) != LK_OK) {
			x->oom = true;
			return 0;
		}
		lk_response_free(x->resp);
		x->resp = fresh;
		return len;
	}
	const char *colon = memchr(data, ':', len);
	/* Blank lines and obsolete line folding (RFC 9112 section 5.2)
	 * carry no new field. */
	if (!colon || colon == data || data[0] == ' ' || data[0] == '\t')
		return len;
	const char *v = colon + 1, *end = data + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' ||
			   end[-1] == ' ' || end[-1] == '\t'))
		end--;
	char *name = lk_malloc((size_t)(colon - data) + 1);
	char *value = lk_malloc((size_t)(end - v) + 1);
	lk_status rc = LK_ENOMEM;
	if (name && value) {
		memcpy(name, data, (size_t)(colon - data));
		name[colon - data] = '\0';
		memcpy(value, v, (size_t)(end - v));
		value[end - v] = '\0';
		rc = lk_response__add_header(x->resp, name, value);
	}
	lk_free(name);
	lk_str_wipe_free(value);
	if (rc != LK_OK) {
		x->oom = true;
		return 0;
	}
	return len;
}

static bool masked_header(const char *name)
{
	return strcasecmp(name, "Authorization") == 0 ||
	       strcasecmp(name, "Proxy-Authorization") == 0 ||
	       strcasecmp(name, "Cookie") == 0 ||
	       strcasecmp(name, "Set-Cookie") == 0;
}

/* The request URL without userinfo, for the log; the query stays (the
 * log scrubs the secrets it knows of). */
static char *loggable_url(CURLU *u)
{
	CURLU *c = curl_url_dup(u);
	char *s = NULL, *out = NULL;
	if (!c)
		return NULL;
	curl_url_set(c, CURLUPART_USER, NULL, 0);
	curl_url_set(c, CURLUPART_PASSWORD, NULL, 0);
	curl_url_set(c, CURLUPART_OPTIONS, NULL, 0);
	if (curl_url_get(c, CURLUPART_URL, &s, 0) == CURLUE_OK)
		out = lk_strdup(s);
	curl_free(s);
	curl_url_cleanup(c);
	return out;
}

static void log_headers(const lk_ctx *ctx, char dir, const struct lk_header *h,
			size_t n)
{
	for (size_t i = 0; i < n; i++)
		lk_log__msg(ctx, LK_LOG_DEBUG, "%c %s: %s", dir, h[i].name,
			    masked_header(h[i].name) ? LK_REDACTED
						     : h[i].value);
}

static void log_request(const lk_ctx *ctx, CURLU *u, const lk_request *req)
{
	char *url = NULL;
	if (!lk_log__enabled(ctx, LK_LOG_DEBUG))
		return;
	url = loggable_url(u);
	lk_log__msg(ctx, LK_LOG_DEBUG, "> %s %s", req->method,
		    url ? url : "(URL)");
	lk_str_wipe_free(url);
	log_headers(ctx, '>', req->headers, req->nheaders);
	lk_log__msg(ctx, LK_LOG_DEBUG, "> (%zu bytes of body)", req->body_len);
}

static void log_response(const lk_ctx *ctx, const lk_response *resp)
{
	if (!lk_log__enabled(ctx, LK_LOG_DEBUG))
		return;
	lk_log__msg(ctx, LK_LOG_DEBUG, "< %ld", resp->status);
	log_headers(ctx, '<', resp->headers, resp->nheaders);
	lk_log__msg(ctx, LK_LOG_DEBUG, "< (%zu bytes of body)", resp->body_len);
}

static void slist_wipe_free(struct curl_slist *list)
{
	for (struct curl_slist *p = list; p; p = p->next) {
		lk_str_wipe_free(p->data);
		p->data = NULL;
	}
	curl_slist_free_all(list);
}

/* The request's headers as curl takes them, exactly as given. */
static lk_status build_headers(struct curl_slist **out, const lk_ctx *ctx,
			       const lk_request *req)
{
	struct curl_slist *list = NULL, *grown = NULL;
	char *line = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	for (size_t i = 0; i < req->nheaders; i++) {
		const struct lk_header *h = &req->headers[i];
		if (!*h->name || strpbrk(h->name, ":\r\n \t") ||
		    !lk_header__value_ok(h->value)) {
			rc = lk_error__set(ctx, LK_EINVAL,
					   "request header \"%s\": a name or "
					   "value with CR or LF (or a bad "
					   "name) is refused",
					   strpbrk(h->name, "\r\n") ? "?"
								    : h->name);
			goto out;
		}
		/* "Name:" would make curl drop the header; "Name;" sends
		 * it empty. */
		line = *h->value ? lk_strdupf("%s: %s", h->name, h->value)
				 : lk_strdupf("%s;", h->name);
		grown = line ? curl_slist_append(list, line) : NULL;
		lk_str_wipe_free(line);
		if (!grown) {
			rc = LK_ENOMEM;
			goto out;
		}
		list = grown;
	}
	/* No "Expect: 100-continue" round trip; and no default
	 * Content-Type the caller did not ask for. */
	if (!lk_request_header(req, "Expect")) {
		grown = curl_slist_append(list, "Expect:");
		if (!grown) {
			rc = LK_ENOMEM;
			goto out;
		}
		list = grown;
	}
	if (!lk_request_header(req, "Content-Type")) {
		grown = curl_slist_append(list, "Content-Type:");
		if (!grown) {
			rc = LK_ENOMEM;
			goto out;
		}
		list = grown;
	}
	*out = list;
	list = NULL;
out:
	slist_wipe_free(list);
	return rc;
}

/* curl's error text, unless it would repeat the URL's query or
 * userinfo (which may hold a key). */
static const char *safe_error(CURLcode cc, const char *errbuf, CURLU *u)
{
	static const CURLUPart parts[] = {CURLUPART_QUERY, CURLUPART_USER,
					  CURLUPART_PASSWORD};
	const char *text = *errbuf ? errbuf : curl_easy_strerror(cc);
	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		char *v = NULL;
		if (curl_url_get(u, parts[i], &v, 0) == CURLUE_OK && v && *v &&
		    strstr(text, v))
			text = curl_easy_strerror(cc);
		curl_free(v);
	}
	return text;
}

static lk_status set_method(CURL *h, const lk_request *req)
{
	CURLcode cc = CURLE_OK;
	if (req->body_len) {
		cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
				      (curl_off_t)req->body_len);
		if (cc == CURLE_OK)
			cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body);
		if (cc == CURLE_OK && strcmp(req->method, "POST") != 0)
			cc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
					      req->method);
	} else if (strcmp(req->method, "GET") == 0) {
		cc = curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(req->method, "HEAD") == 0) {
		cc = curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "POST") == 0) {
		/* An empty POST still says Content-Length: 0. */
		cc = curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		if (cc == CURLE_OK)
			cc = curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
	} else {
		cc = curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	}
	return cc == CURLE_OK ? LK_OK : LK_EINVAL;
}

lk_status lk_http__send(lk_response **out, const lk_ctx *ctx, const lk_app *app,
			const lk_request *req)
{
	struct xfer x = {0};
	struct curl_slist *headers = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	CURLU *u = NULL;
	char *host = NULL;
	CURL *h = NULL;
	CURLcode cc = CURLE_OK;
	lk_status rc = LK_OK;
	bool allow_http = app && app->allow_http;
	long timeout =
	    ctx->http_timeout > 0 ? ctx->http_timeout : LK_HTTP_DEFAULT_TIMEOUT;
	long ctimeout = ctx->http_connect_timeout > 0
			    ? ctx->http_connect_timeout
			    : LK_HTTP_DEFAULT_TIMEOUT;

	*out = NULL;
	if (!req || !req->method || !req->url)
		return lk_error__set(ctx, LK_EINVAL, "no request to send");
	u = curl_url();
	if (!u || curl_url_set(u, CURLUPART_URL, req->url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		rc = lk_error__set(ctx, u ? LK_EINVAL : LK_ENOMEM,
				   "not an absolute http(s) URL");
		goto out;
	}
	rc = lk_url__check_scheme(ctx, u, allow_http);
	if (rc != LK_OK)
		goto out;
	rc = build_headers(&headers, ctx, req);
	if (rc != LK_OK)
		goto out;
	rc = lk_response__new(&x.resp);
	if (rc != LK_OK)
		goto out;
	x.limit =
	    ctx->max_response_bytes ? ctx->max_response_bytes : (size_t)1 << 20;
	h = thread_handle();
	if (!h) {
		rc = lk_error__set(ctx, LK_ENOMEM, "libcurl: no easy handle");
		goto out;
	}
	log_request(ctx, u, req);

	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_URL, req->url);
	/* The security options fail closed: a libcurl that refuses one
	 * sends nothing. TLS is verified, always (DESIGN.md). */
	if (curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR,
			     allow_http ? "http,https" : "https") != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L) != CURLE_OK ||
	    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers) != CURLE_OK) {
		rc = lk_error__set(ctx, LK_ENET,
				   "%s: this libcurl refuses a required "
				   "option (protocols, TLS verification)",
				   host);
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, timeout);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, ctimeout);
	curl_easy_setopt(h, CURLOPT_USERAGENT, LK_USER_AGENT);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &x);
	/* A body whose Content-Length the cap forbids is not read at all;
	 * a HEAD's Content-Length announces no body. */
	if (strcmp(req->method, "HEAD") != 0)
		curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE,
				 (curl_off_t)x.limit);
	rc = set_method(h, req);
	if (rc != LK_OK) {
		rc =
		    lk_error__set(ctx, rc, "method %s not usable", req->method);
		goto out;
	}

	cc = curl_easy_perform(h);
	if (x.oom) {
		rc = lk_error__set(ctx, LK_ENOMEM, "%s: out of memory", host);
	} else if (x.too_large || cc == CURLE_FILESIZE_EXCEEDED) {
		rc = lk_error__set(ctx, LK_EPROTO,
				   "response from %s larger than %zu bytes",
				   host, x.limit);
	} else if (cc == CURLE_OPERATION_TIMEDOUT) {
		/* Nothing sent yet: it was the connect that timed out
		 * (a reused connection has no connect time to look at). */
		long sent = 0;
		curl_easy_getinfo(h, CURLINFO_REQUEST_SIZE, &sent);
		rc = lk_error__set(
		    ctx, LK_ETIMEOUT, "no answer from %s within %ld s", host,
		    sent || ctimeout > timeout ? timeout : ctimeout);
	} else if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		rc = lk_error__set(ctx, LK_EDENIED,
				   "%s: the URL's scheme is refused (https "
				   "only%s)",
				   host, allow_http ? " or http" : "");
	} else if (cc != CURLE_OK) {
		rc = lk_error__set(ctx, LK_ENET, "%s: %s", host,
				   safe_error(cc, errbuf, u));
	}
	if (rc != LK_OK) {
		/* -v shows why the exchange ended (already redacted). */
		lk_log__msg(ctx, LK_LOG_DEBUG, "* %s", lk_errmsg(ctx));
		goto out;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &x.resp->status);
	if (x.body) {
		/* Hand the buffer over (on_body kept room for the NUL). */
		x.body[x.len] = '\0';
		lk_free(x.resp->body);
		x.resp->body = x.body;
		x.resp->body_len = x.len;
		x.body = NULL;
	}
	log_response(ctx, x.resp);
	*out = x.resp;
	x.resp = NULL;
out:
	if (h) {
		/* The handle outlives this call: drop every option that
		 * points here (the connections stay, for keep-alive). */
		curl_easy_reset(h);
	}
	lk_response_free(x.resp);
	if (x.body)
		lk_secret_free(x.body, x.cap);
	slist_wipe_free(headers);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}
