/* SPDX-License-Identifier: MIT */
/* URL policy through libcurl's URL API: is a URL under the app's
 * base_urls (scheme, host, port exactly; path on a segment boundary;
 * no userinfo), scheme checks, origins, and relative Locations
 * (RFC 3986 section 5.2). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "error.h"
#include "template.h"
#include "url.h"

/* A parsed URL's parts that the policy compares. */
struct parts {
	char *scheme; /* lower case (libcurl) */
	char *host;
	long port;  /* the scheme's default when absent */
	char *path; /* as sent, dot segments already removed */
	bool userinfo;
	bool dot_segment; /* a "." or ".." segment once decoded */
};

static void parts_free(struct parts *p)
{
	curl_free(p->scheme);
	curl_free(p->host);
	curl_free(p->path);
	memset(p, 0, sizeof(*p));
}

/* An app's base_urls parsed once (those without a template). */
struct lk_url_bases {
	struct parts *parts;
	bool *parsed; /* false: a template, rendered at each check */
};

/* Does a decoded path hold a "." or ".." segment? libcurl removes the
 * literal ones; "%2e%2e" (or an encoded '/') would reach a server that
 * decodes before it routes, so such a path is refused. */
static bool has_dot_segment(const char *path)
{
	const char *seg = path;
	while (seg) {
		if (*seg == '/')
			seg++;
		size_t n = strcspn(seg, "/");
		if ((n == 1 && seg[0] == '.') ||
		    (n == 2 && seg[0] == '.' && seg[1] == '.'))
			return true;
		seg = strchr(seg, '/');
	}
	return false;
}

static bool part_present(CURLU *u, CURLUPart what)
{
	char *v = NULL;
	CURLUcode uc = curl_url_get(u, what, &v, 0);
	bool present = uc == CURLUE_OK && v;
	curl_free(v);
	return present;
}

/* Parse an absolute http(s) URL. @return false when it does not parse. */
static bool parse(struct parts *out, const char *url)
{
	CURLU *u = curl_url();
	char *port = NULL;
	char *decoded = NULL;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (!u || !url)
		goto out;
	/* No CURLU_GUESS_SCHEME, no CURLU_NON_SUPPORT_SCHEME: absolute
	 * URLs of schemes libcurl knows only. */
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto out;
	if (curl_url_get(u, CURLUPART_SCHEME, &out->scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &out->host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
		CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PATH, &out->path, 0) != CURLUE_OK)
		goto out;
	out->port = strtol(port, NULL, 10);
	out->userinfo = part_present(u, CURLUPART_USER) ||
			part_present(u, CURLUPART_PASSWORD) ||
			part_present(u, CURLUPART_OPTIONS);
	if (curl_url_get(u, CURLUPART_PATH, &decoded, CURLU_URLDECODE) !=
	    CURLUE_OK)
		out->dot_segment = true; /* an encoded NUL: refuse */
	else
		out->dot_segment =
		    has_dot_segment(decoded) || strchr(decoded, '\\') != NULL;
	ok = true;
out:
	curl_free(port);
	curl_free(decoded);
	curl_url_cleanup(u);
	if (!ok)
		parts_free(out);
	return ok;
}

static bool web_scheme(const char *scheme, bool allow_http)
{
	return strcmp(scheme, "https") == 0 ||
	       (allow_http && strcmp(scheme, "http") == 0);
}

/* Is @p path under @p base on a segment boundary? "/api/" and "/api"
 * both allow "/api", "/api/" and "/api/x", never "/apix". */
static bool path_under(const char *path, const char *base)
{
	size_t bl = strlen(base);
	if (bl && base[bl - 1] == '/')
		bl--;
	if (strncmp(path, base, bl) != 0)
		return false;
	return path[bl] == '\0' || path[bl] == '/';
}

static bool same_origin(const struct parts *a, const struct parts *b)
{
	return strcmp(a->scheme, b->scheme) == 0 &&
	       strcasecmp(a->host, b->host) == 0 && a->port == b->port;
}

lk_status lk_url__check_base(const lk_ctx *ctx, const lk_app *app,
			     const lk_fields *fields, const char *url)
{
	struct lk_tmpl_scope scope = {.fields = fields};
	struct parts u, b;
	char *rendered = NULL;
	lk_status rc = LK_EDENIED;

	if (!parse(&u, url))
		return lk_error__set(ctx, LK_EINVAL,
				     "%s: the request URL is not an absolute "
				     "http(s) URL",
				     app->id);
	if (!web_scheme(u.scheme, app->allow_http)) {
		rc = lk_error__set(
		    ctx, LK_EDENIED, "%s: %s URLs are refused (https only%s)",
		    app->id, u.scheme, app->allow_http ? " or http" : "");
		goto out;
	}
	if (u.userinfo) {
		rc = lk_error__set(ctx, LK_EDENIED,
				   "%s: a URL with a user name or password "
				   "(userinfo) is refused",
				   app->id);
		goto out;
	}
	if (u.dot_segment) {
		rc = lk_error__set(ctx, LK_EDENIED,
				   "%s: a URL path with an encoded \".\" or "
				   "\"..\" segment, a backslash or a NUL is "
				   "refused",
				   app->id);
		goto out;
	}
	for (size_t i = 0; rc != LK_OK && i < app->nbase_urls; i++) {
		const struct lk_url_bases *pre = app->base_parts;
		if (pre && pre->parsed[i]) {
			/* parsed once when the app was bound */
			const struct parts *bp = &pre->parts[i];
			if (!bp->userinfo && same_origin(&u, bp) &&
			    path_under(u.path, bp->path))
				rc = LK_OK;
			continue;
		}
		const char *base = app->base_urls[i];
		if (strstr(base, "{{")) {
			/* A field that does not render leaves this base
			 * out; the next may still match. */
			if (lk_template__render(&rendered, ctx, base,
						LK_RENDER_URL, &scope,
						app->id) != LK_OK)
				continue;
			base = rendered;
		}
		if (parse(&b, base)) {
			if (!b.userinfo && same_origin(&u, &b) &&
			    path_under(u.path, b.path))
				rc = LK_OK;
			parts_free(&b);
		}
		lk_free(rendered);
		rendered = NULL;
	}
	if (rc != LK_OK) {
		/* Only the origin: a path or query may carry a secret. */
		rc = lk_error__set(ctx, LK_EDENIED,
				   "%s: a request to %s://%s:%ld is not under "
				   "the app's base_urls; the connection is "
				   "applied only there",
				   app->id, u.scheme, u.host, u.port);
	}
out:
	parts_free(&u);
	return rc;
}

lk_status lk_url__check_scheme(const lk_ctx *ctx, CURLU *u, bool allow_http)
{
	char *scheme = NULL, *host = NULL;
	lk_status rc = LK_OK;

	if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		rc = lk_error__set(ctx, LK_EINVAL,
				   "not an absolute http(s) URL");
	else if (!web_scheme(scheme, allow_http))
		rc = lk_error__set(
		    ctx, LK_EDENIED, "%s://%s: %s is refused (https only%s)",
		    scheme, host, scheme, allow_http ? " or http" : "");
	curl_free(scheme);
	curl_free(host);
	return rc;
}

lk_status lk_url__prepare_bases(lk_app *app)
{
	struct lk_url_bases *pre = lk_calloc(1, sizeof(*pre));

	if (!pre)
		return LK_ENOMEM;
	pre->parts = lk_calloc(app->nbase_urls + 1, sizeof(*pre->parts));
	pre->parsed = lk_calloc(app->nbase_urls + 1, sizeof(*pre->parsed));
	if (!pre->parts || !pre->parsed) {
		lk_free(pre->parts);
		lk_free(pre->parsed);
		lk_free(pre);
		return LK_ENOMEM;
	}
	for (size_t i = 0; i < app->nbase_urls; i++)
		pre->parsed[i] = !strstr(app->base_urls[i], "{{") &&
				 parse(&pre->parts[i], app->base_urls[i]);
	lk_url__free_bases(app);
	app->base_parts = pre;
	return LK_OK;
}

void lk_url__free_bases(lk_app *app)
{
	struct lk_url_bases *pre = app->base_parts;

	if (!pre)
		return;
	for (size_t i = 0; i < app->nbase_urls; i++)
		if (pre->parsed[i])
			parts_free(&pre->parts[i]);
	lk_free(pre->parts);
	lk_free(pre->parsed);
	lk_free(pre);
	app->base_parts = NULL;
}

bool lk_url__same_origin(const char *a, const char *b)
{
	struct parts pa, pb;
	bool same = false;

	if (!parse(&pa, a))
		return false;
	if (parse(&pb, b)) {
		same = same_origin(&pa, &pb);
		parts_free(&pb);
	}
	parts_free(&pa);
	return same;
}

lk_status lk_url__resolve(char **out, const char *base, const char *location)
{
	CURLU *u = curl_url();
	char *s = NULL;
	lk_status rc = LK_EINVAL;

	*out = NULL;
	if (!u)
		return LK_ENOMEM;
	if (!base || !location || !*location)
		goto out;
	/* Setting a relative URL on a handle holding @p base resolves it
	 * (RFC 3986 section 5.2); an absolute one replaces it. */
	if (curl_url_set(u, CURLUPART_URL, base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_URL, location, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &s, 0) != CURLUE_OK)
		goto out;
	*out = lk_strdup(s);
	rc = *out ? LK_OK : LK_ENOMEM;
out:
	curl_free(s);
	curl_url_cleanup(u);
	return rc;
}
