/* SPDX-License-Identifier: MIT */
/*
 * serve_connect.c: the connect pages opened in a host's popup. A signed
 * link (serve_link.c) is exchanged once for an HttpOnly, SameSite cookie
 * naming a short server-side session bound to the link's owner and app;
 * the session carries the form's CSRF token and a pending OAuth flow.
 * The last page posts {type: "latchkey.popup.close", authentication_id}
 * to window.opener at each configured host origin (never "*").
 */
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "serve_int.h"

#define MAX_SESSIONS 10000
#define TOKEN_BYTES 32

struct serve_session {
	struct serve_session *next;
	char id[64];
	char csrf[64];
	char *owner;
	char *app;
	char *flow; /* a pending redirect flow, or NULL */
	int64_t expires;
};

/* What a page needs of its session, copied out of the lock. */
struct sess {
	char id[64];
	char csrf[64];
	char *owner;
	char *app;
	char *flow;
};

static void sess_clear(struct sess *s)
{
	lk_free(s->owner);
	lk_free(s->app);
	lk_free(s->flow);
	OPENSSL_cleanse(s, sizeof(*s));
}

static void session_free(struct serve_session *s)
{
	lk_free(s->owner);
	lk_free(s->app);
	lk_free(s->flow);
	OPENSSL_cleanse(s, sizeof(*s));
	lk_free(s);
}

void serve_sessions_free(struct serve *srv)
{
	while (srv->sessions) {
		struct serve_session *s = srv->sessions;

		srv->sessions = s->next;
		session_free(s);
	}
}

static bool random_token(char out[64])
{
	unsigned char b[TOKEN_BYTES];
	char *t;

	if (lk_random_bytes(b, sizeof(b)) != LK_OK)
		return false;
	t = serve_b64url(b, sizeof(b));
	OPENSSL_cleanse(b, sizeof(b));
	if (!t)
		return false;
	snprintf(out, 64, "%s", t);
	lk_free(t);
	return true;
}

/* Drop expired sessions; caller holds srv->lock. Returns the count. */
static size_t purge(struct serve *srv)
{
	struct serve_session **pp = &srv->sessions, *s;
	int64_t now = lk_now();
	size_t n = 0;

	while ((s = *pp)) {
		if (s->expires < now) {
			*pp = s->next;
			session_free(s);
			continue;
		}
		n++;
		pp = &s->next;
	}
	return n;
}

static bool session_new(struct serve *srv, char id_out[64], const char *owner,
			const char *app)
{
	struct serve_session *s = lk_calloc(1, sizeof(*s));
	bool ok = false;

	if (!s)
		return false;
	s->owner = lk_strdup(owner);
	s->app = lk_strdup(app);
	s->expires = lk_now() + srv->conf.link_ttl;
	if (!s->owner || !s->app || !random_token(s->id) ||
	    !random_token(s->csrf)) {
		session_free(s);
		return false;
	}
	pthread_mutex_lock(&srv->lock);
	if (purge(srv) < MAX_SESSIONS) {
		s->next = srv->sessions;
		srv->sessions = s;
		memcpy(id_out, s->id, 64);
		ok = true;
	}
	pthread_mutex_unlock(&srv->lock);
	if (!ok)
		session_free(s);
	return ok;
}

static struct serve_session *find_locked(struct serve *srv, const char *id)
{
	size_t n = strlen(id);

	for (struct serve_session *s = srv->sessions; s; s = s->next)
		if (strlen(s->id) == n && CRYPTO_memcmp(s->id, id, n) == 0 &&
		    s->expires >= lk_now())
			return s;
	return NULL;
}

static bool session_get(struct serve *srv, struct MHD_Connection *c,
			struct sess *out)
{
	const char *id =
	    MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SERVE_COOKIE);
	struct serve_session *s;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!id || strlen(id) >= 64)
		return false;
	pthread_mutex_lock(&srv->lock);
	s = find_locked(srv, id);
	if (s) {
		memcpy(out->id, s->id, 64);
		memcpy(out->csrf, s->csrf, 64);
		out->owner = lk_strdup(s->owner);
		out->app = lk_strdup(s->app);
		out->flow = s->flow ? lk_strdup(s->flow) : NULL;
		ok = out->owner && out->app && (!s->flow || out->flow);
	}
	pthread_mutex_unlock(&srv->lock);
	if (!ok)
		sess_clear(out);
	return ok;
}

static void session_set_flow(struct serve *srv, const char *id,
			     const char *flow)
{
	struct serve_session *s;

	pthread_mutex_lock(&srv->lock);
	s = find_locked(srv, id);
	if (s) {
		lk_free(s->flow);
		s->flow = flow ? lk_strdup(flow) : NULL;
	}
	pthread_mutex_unlock(&srv->lock);
}

/* The flow is over (connected): the cookie opens nothing any more. */
static void session_end(struct serve *srv, const char *id)
{
	struct serve_session **pp = &srv->sessions, *s;

	pthread_mutex_lock(&srv->lock);
	while ((s = *pp)) {
		if (!strcmp(s->id, id)) {
			*pp = s->next;
			session_free(s);
			break;
		}
		pp = &s->next;
	}
	pthread_mutex_unlock(&srv->lock);
}

/* ------------------------------------------------------------- pages */

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap ? b->cap * 2 : 4096) + n;
		char *np = lk_malloc(cap);

		if (!np) {
			b->oom = true;
			return;
		}
		if (b->p)
			memcpy(np, b->p, b->len);
		lk_free(b->p);
		b->p = np;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* Text and attribute values, escaped for HTML. */
static void put_esc(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			puts_(b, "&amp;");
			break;
		case '<':
			puts_(b, "&lt;");
			break;
		case '>':
			puts_(b, "&gt;");
			break;
		case '"':
			puts_(b, "&quot;");
			break;
		case '\'':
			puts_(b, "&#39;");
			break;
		default:
			put(b, s, 1);
		}
	}
}

/* JSON for a <script>: "<" escaped so no "</script>" can close it. */
static void put_json(struct buf *b, const cJSON *v)
{
	char *t = cJSON_PrintUnformatted(v);

	if (!t) {
		b->oom = true;
		return;
	}
	for (const char *s = t; *s; s++) {
		if (*s == '<')
			puts_(b, "\\u003c");
		else
			put(b, s, 1);
	}
	cJSON_free(t);
}

static void page_head(struct buf *b, const char *nonce, const char *title)
{
	puts_(b, "<!doctype html>\n<html lang=\"en\"><head><meta "
		 "charset=\"utf-8\"><meta name=\"viewport\" "
		 "content=\"width=device-width\"><title>");
	put_esc(b, title);
	puts_(b, "</title><style nonce=\"");
	puts_(b, nonce);
	puts_(b, "\">body{font:16px/1.5 system-ui,sans-serif;max-width:28em;"
		 "margin:2em auto;padding:0 1em}label{display:block;"
		 "margin-top:1em;font-weight:600}input{width:100%;padding:"
		 ".4em;font:inherit;box-sizing:border-box}button{margin-top:"
		 "1.5em;padding:.5em 1.5em;font:inherit}"
		 ".error{color:#a00;border-left:4px solid #a00;padding-left:"
		 ".5em}</style></head><body><main>");
}

static enum MHD_Result send_page(struct MHD_Connection *c, struct serve_req *r,
				 unsigned status, struct buf *b,
				 const char *nonce, const char *cookie)
{
	char csp[256];
	const char *hdr[12];
	size_t n = 0;
	enum MHD_Result ret;

	puts_(b, "</main></body></html>\n");
	if (b->oom) {
		lk_free(b->p);
		return serve_reply_error(c, r, 500, "internal",
					 "out of memory");
	}
	/* Inline code runs only with this response's nonce; no page of
	 * ours may be framed (clickjacking). */
	snprintf(csp, sizeof(csp),
		 "default-src 'none'; script-src 'nonce-%s'; style-src "
		 "'nonce-%s'; base-uri 'none'; frame-ancestors 'none'",
		 nonce, nonce);
	hdr[n++] = "Content-Security-Policy";
	hdr[n++] = csp;
	hdr[n++] = "X-Frame-Options";
	hdr[n++] = "DENY";
	hdr[n++] = "Referrer-Policy";
	hdr[n++] = "no-referrer";
	if (cookie) {
		hdr[n++] = "Set-Cookie";
		hdr[n++] = cookie;
	}
	hdr[n] = NULL;
	ret = serve_reply(c, r, status, "text/html; charset=utf-8", b->p,
			  b->len, hdr);
	lk_free(b->p);
	return ret;
}

static enum MHD_Result message_page(struct MHD_Connection *c,
				    struct serve_req *r, unsigned status,
				    const char *title, const char *msg)
{
	struct buf b = {0};
	char nonce[64];

	if (!random_token(nonce))
		return MHD_NO;
	page_head(&b, nonce, title);
	puts_(&b, "<h1>");
	put_esc(&b, title);
	puts_(&b, "</h1><p class=\"error\" role=\"alert\" id=\"error\">");
	put_esc(&b, msg);
	puts_(&b, "</p>");
	return send_page(c, r, status, &b, nonce, NULL);
}

static enum MHD_Result redirect(struct MHD_Connection *c, struct serve_req *r,
				const char *location, const char *cookie)
{
	const char *hdr[] = {"Location",
			     location,
			     "Referrer-Policy",
			     "no-referrer",
			     cookie ? "Set-Cookie" : NULL,
			     cookie,
			     NULL};

	return serve_reply(c, r, 303, "text/plain; charset=utf-8", "", 0, hdr);
}

static enum MHD_Result form_page(struct MHD_Connection *c, struct serve_req *r,
				 const struct sess *s, unsigned status,
				 const char *error)
{
	struct serve *srv = r->srv;
	const lk_app *app = NULL;
	struct buf b = {0};
	char nonce[64];
	size_t n;

	if (lk_app_find(&app, srv->ctx, s->app) != LK_OK)
		return message_page(c, r, 404, "Unknown app",
				    "This app is no longer configured.");
	if (!random_token(nonce))
		return MHD_NO;
	page_head(&b, nonce, lk_app_title(app));
	puts_(&b, "<h1>Connect ");
	put_esc(&b, lk_app_title(app));
	puts_(&b, "</h1>");
	if (error) {
		puts_(&b, "<p class=\"error\" role=\"alert\" id=\"error\">");
		put_esc(&b, error);
		puts_(&b, "</p>");
	}
	puts_(&b, "<form method=\"post\" action=\"");
	put_esc(&b, srv->conf.public_url);
	puts_(&b, "/connect/form\"><input type=\"hidden\" name=\"csrf\" "
		  "value=\"");
	puts_(&b, s->csrf);
	puts_(&b, "\">");
	n = lk_app_field_count(srv->ctx, app);
	for (size_t i = 0; i < n; i++) {
		const char *key = NULL, *label = NULL, *old;
		bool required = false, secret = false;

		if (lk_app_field_at(srv->ctx, app, i, &key, &label, &required,
				    &secret) != LK_OK)
			continue;
		puts_(&b, "<label for=\"f_");
		put_esc(&b, key);
		puts_(&b, "\">");
		put_esc(&b, label ? label : key);
		puts_(&b, "</label><input id=\"f_");
		put_esc(&b, key);
		puts_(&b, "\" name=\"");
		put_esc(&b, key);
		puts_(&b, secret ? "\" type=\"password\" autocomplete=\"off\""
				 : "\" type=\"text\"");
		if (required)
			puts_(&b, " required");
		/* Give back what the user typed, but never a secret. */
		old = r->form && !secret ? lk_fields_get(r->form, key) : NULL;
		if (old) {
			puts_(&b, " value=\"");
			put_esc(&b, old);
			puts_(&b, "\"");
		}
		puts_(&b, ">");
	}
	puts_(&b, "<button type=\"submit\">Connect</button></form>");
	return send_page(c, r, status, &b, nonce, NULL);
}

static enum MHD_Result done_page(struct MHD_Connection *c, struct serve_req *r,
				 const lk_conn *conn)
{
	struct serve *srv = r->srv;
	cJSON *msg = cJSON_CreateObject();
	cJSON *origins = cJSON_CreateArray();
	struct buf b = {0};
	char nonce[64];

	if (!random_token(nonce)) {
		cJSON_Delete(msg);
		cJSON_Delete(origins);
		return MHD_NO;
	}
	cJSON_AddStringToObject(msg, "type", "latchkey.popup.close");
	cJSON_AddStringToObject(msg, "authentication_id", lk_conn_id(conn));
	for (size_t i = 0; i < srv->conf.norigins; i++)
		cJSON_AddItemToArray(origins,
				     cJSON_CreateString(srv->conf.origins[i]));
	page_head(&b, nonce, "Connected");
	puts_(&b, "<h1>Connected</h1><p id=\"done\" data-authentication-id=\"");
	put_esc(&b, lk_conn_id(conn));
	puts_(&b, "\">");
	put_esc(&b, lk_conn_label(conn));
	puts_(&b, " is connected. You can close this window.</p><script "
		  "nonce=\"");
	puts_(&b, nonce);
	/* A message whose target origin is not the opener's is dropped by
	 * the browser, so each configured origin is tried; never "*". */
	puts_(&b, "\">(function(){var m=");
	put_json(&b, msg);
	puts_(&b, ",o=");
	put_json(&b, origins);
	puts_(&b, ";if(window.opener){for(var i=0;i<o.length;i++){try{"
		  "window.opener.postMessage(m,o[i]);}catch(e){}}}"
		  "window.close();})();</script>");
	cJSON_Delete(msg);
	cJSON_Delete(origins);
	return send_page(c, r, 200, &b, nonce, NULL);
}

/* ------------------------------------------------------------- steps */

static char *cookie_header(const struct serve *srv, const char *id)
{
	/* Lax, not Strict: the OAuth callback is a top-level navigation
	 * from the provider's site and must carry the cookie. */
	return serve_strdupf(
	    "%s=%s; Path=/connect; Max-Age=%ld; HttpOnly; "
	    "SameSite=Lax%s",
	    SERVE_COOKIE, id, srv->conf.link_ttl,
	    strncmp(srv->conf.public_url, "https:", 6) ? "" : "; Secure");
}

static enum MHD_Result start(struct MHD_Connection *c, struct serve_req *r)
{
	struct serve *srv = r->srv;
	const char *t =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "t");
	char *owner = NULL, *app = NULL, *cookie = NULL, *loc = NULL;
	const char *why = NULL;
	char id[64];
	enum MHD_Result ret;

	if (serve_link_take(srv, t, &owner, &app, &why) != LK_OK)
		return message_page(c, r, 403, "Link refused", why);
	if (!session_new(srv, id, owner, app)) {
		ret = message_page(c, r, 503, "Busy",
				   "Too many connections in progress; try "
				   "again in a few minutes.");
		goto out;
	}
	cookie = cookie_header(srv, id);
	loc = serve_strdupf("%s/connect/form", srv->conf.public_url);
	/* A redirect, so the spent link leaves the address bar. */
	ret = cookie && loc ? redirect(c, r, loc, cookie) : MHD_NO;
out:
	OPENSSL_cleanse(id, sizeof(id));
	lk_free(owner);
	lk_free(app);
	lk_free(cookie);
	lk_free(loc);
	return ret;
}

static enum MHD_Result no_session(struct MHD_Connection *c, struct serve_req *r)
{
	return message_page(c, r, 403, "Session expired",
			    "This connect window has expired or was already "
			    "used. Close it and start again from the "
			    "application.");
}

static enum MHD_Result begin_redirect(struct MHD_Connection *c,
				      struct serve_req *r, const struct sess *s,
				      const lk_fields *fields)
{
	struct serve *srv = r->srv;
	char *flow = NULL, *url = NULL;
	char *cb = serve_strdupf("%s/connect/callback", srv->conf.public_url);
	enum MHD_Result ret;
	lk_status st = cb ? lk_connect_begin(&flow, &url, srv->ctx, s->owner,
					     s->app, fields, cb)
			  : LK_ENOMEM;

	if (st != LK_OK) {
		ret = form_page(c, r, s, st == LK_EINVAL ? 400 : 500,
				lk_errmsg(srv->ctx));
		goto out;
	}
	session_set_flow(srv, s->id, flow);
	ret = redirect(c, r, url, NULL);
out:
	lk_free(cb);
	lk_free(flow);
	lk_free(url);
	return ret;
}

static bool needs_form(lk_ctx *ctx, const char *app_id, bool *redirect_flow)
{
	const lk_app *app = NULL;

	if (lk_app_find(&app, ctx, app_id) != LK_OK)
		return true;
	*redirect_flow = lk_app_is_redirect_flow(ctx, app);
	return !*redirect_flow || lk_app_field_count(ctx, app) > 0;
}

static enum MHD_Result form_get(struct MHD_Connection *c, struct serve_req *r)
{
	struct sess s;
	bool redirect_flow = false;
	enum MHD_Result ret;

	if (!session_get(r->srv, c, &s))
		return no_session(c, r);
	if (!needs_form(r->srv->ctx, s.app, &redirect_flow))
		ret = begin_redirect(c, r, &s, NULL);
	else
		ret = form_page(c, r, &s, 200, NULL);
	sess_clear(&s);
	return ret;
}

static unsigned failed_status(lk_status st)
{
	switch (st) {
	case LK_EINVAL:
		return 400;
	case LK_ETIMEOUT:
		return 504;
	case LK_ENET:
	case LK_EPROTO:
		return 502;
	default:
		return 422;
	}
}

static enum MHD_Result form_post(struct MHD_Connection *c, struct serve_req *r)
{
	struct serve *srv = r->srv;
	struct sess s;
	lk_fields *fields = NULL;
	lk_conn *conn = NULL;
	const char *csrf;
	bool redirect_flow = false;
	enum MHD_Result ret;
	lk_status st;

	if (!session_get(srv, c, &s))
		return no_session(c, r);
	csrf = r->form ? lk_fields_get(r->form, "csrf") : NULL;
	if (!csrf || strlen(csrf) != strlen(s.csrf) ||
	    CRYPTO_memcmp(csrf, s.csrf, strlen(s.csrf)) != 0) {
		ret = message_page(c, r, 403, "Form refused",
				   "The form's security token is missing or "
				   "wrong. Close this window and start again.");
		goto out;
	}
	st = lk_fields_new(&fields);
	for (size_t i = 0; st == LK_OK && i < lk_fields_count(r->form); i++) {
		const char *k = NULL, *v = NULL;

		lk_fields_at(r->form, i, &k, &v, NULL);
		if (strcmp(k, "csrf") != 0 && v && *v)
			st = lk_fields_set(fields, k, v, true);
	}
	if (st != LK_OK) {
		ret = MHD_NO;
		goto out;
	}
	needs_form(srv->ctx, s.app, &redirect_flow);
	if (redirect_flow) {
		ret = begin_redirect(c, r, &s, fields);
		goto out;
	}
	st = lk_connect(&conn, srv->ctx, s.owner, s.app, fields);
	if (st != LK_OK) {
		/* Nothing was stored; the message says what to check. */
		ret =
		    form_page(c, r, &s, failed_status(st), lk_errmsg(srv->ctx));
		goto out;
	}
	session_end(srv, s.id);
	ret = done_page(c, r, conn);
out:
	lk_conn_free(conn);
	lk_fields_free(fields);
	sess_clear(&s);
	return ret;
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind,
			       const char *key, const char *value)
{
	struct buf *b = cls;
	char *k = curl_easy_escape(NULL, key, 0);
	char *v = value ? curl_easy_escape(NULL, value, 0) : NULL;

	(void)kind;
	if (!k || (value && !v)) {
		b->oom = true;
	} else {
		puts_(b, b->len ? "&" : "?");
		puts_(b, k);
		if (v) {
			puts_(b, "=");
			puts_(b, v);
		}
	}
	curl_free(k);
	curl_free(v);
	return MHD_YES;
}

/* RFC 6749 section 4.1.2: the provider sends the browser back here. */
static enum MHD_Result callback(struct MHD_Connection *c, struct serve_req *r)
{
	struct serve *srv = r->srv;
	struct buf q = {0};
	struct sess s;
	char *url = NULL;
	lk_conn *conn = NULL;
	enum MHD_Result ret;
	lk_status st;

	if (!session_get(srv, c, &s))
		return no_session(c, r);
	if (!s.flow) {
		ret = message_page(c, r, 400, "No sign-in in progress",
				   "This window has no pending sign-in. Close "
				   "it and start again from the application.");
		goto out;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, add_arg, &q);
	url = q.oom ? NULL
		    : serve_strdupf("%s/connect/callback%s",
				    srv->conf.public_url, q.p ? q.p : "");
	/* The flow is single-use whatever happens next. */
	session_set_flow(srv, s.id, NULL);
	st = url ? lk_connect_finish(&conn, srv->ctx, s.owner, s.flow, url)
		 : LK_ENOMEM;
	if (st != LK_OK) {
		ret = message_page(c, r, failed_status(st), "Not connected",
				   lk_errmsg(srv->ctx));
		goto out;
	}
	session_end(srv, s.id);
	ret = done_page(c, r, conn);
out:
	lk_conn_free(conn);
	lk_free(url);
	lk_free(q.p);
	sess_clear(&s);
	return ret;
}

enum MHD_Result serve_connect(struct MHD_Connection *c, struct serve_req *r,
			      const char *path)
{
	const char *m = r->method;

	if (!strcmp(path, "/connect/start") && !strcmp(m, "GET"))
		return start(c, r);
	if (!strcmp(path, "/connect/form") && !strcmp(m, "GET"))
		return form_get(c, r);
	if (!strcmp(path, "/connect/form") && !strcmp(m, "POST"))
		return form_post(c, r);
	if (!strcmp(path, "/connect/callback") && !strcmp(m, "GET"))
		return callback(c, r);
	return message_page(c, r, 404, "Not found", "No such page.");
}
