/* SPDX-License-Identifier: MIT */
/*
 * {{name}} templates: values looked up in a connection's fields and test
 * response, escaped for where they land (URL components per RFC 3986
 * section 2.1 and 3, JSON strings per RFC 8259 section 7, form bodies,
 * header values, plain text).
 */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/crypto.h>

#include "error.h"
#include "template.h"

/* One piece of a template: literal text, or a {{name}}. */
struct piece {
	bool is_name;
	size_t start; /* literal: text; name: the trimmed name */
	size_t len;
};

/* Where a value lands in a URL template. */
enum zone {
	Z_NONE = 0,
	Z_SCHEME,
	Z_USERINFO,
	Z_HOST,
	Z_PORT,
	Z_PATH,
	Z_QUERY,
	Z_FRAGMENT,
};

/* An output buffer that may hold secrets: every copy is wiped. */
struct buf {
	char *p;
	size_t len;
	size_t cap;
};

static void buf_wipe_free(struct buf *b)
{
	if (b->p)
		lk_secret_free(b->p, b->cap);
	b->p = NULL;
	b->len = b->cap = 0;
}

static lk_status buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < b->len + n + 1)
			cap *= 2;
		/* No realloc: the old block may hold a secret to wipe. */
		char *p = lk_malloc(cap);
		if (!p)
			return LK_ENOMEM;
		if (b->p) {
			memcpy(p, b->p, b->len);
			lk_secret_free(b->p, b->cap);
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return LK_OK;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-';
}

/* Split @p tmpl into pieces. Positions in messages are 1-based byte
 * offsets into the template. */
static lk_status split(struct piece **out, size_t *nout, const char *tmpl,
		       char *err, size_t errlen)
{
	struct piece *pc = NULL;
	size_t n = 0;
	size_t cap = 0;
	size_t i = 0;
	size_t lit = 0;
	size_t tl = strlen(tmpl);

	*out = NULL;
	*nout = 0;
	/* At most one literal and one name per "{{", plus a tail. */
	for (size_t k = 0; k + 1 < tl; k++)
		if (tmpl[k] == '{' && tmpl[k + 1] == '{')
			cap++;
	cap = 2 * cap + 1;
	pc = lk_calloc(cap, sizeof(*pc));
	if (!pc)
		return LK_ENOMEM;
	while (i < tl) {
		if (!(tmpl[i] == '{' && tmpl[i + 1] == '{')) {
			i++;
			continue;
		}
		size_t open = i;
		if (tmpl[i + 2] == '{') {
			snprintf(err, errlen, "'{{{' at position %zu",
				 open + 1);
			goto bad;
		}
		const char *close = strstr(tmpl + i + 2, "}}");
		if (!close) {
			snprintf(err, errlen,
				 "unterminated '{{' at position %zu", open + 1);
			goto bad;
		}
		size_t a = i + 2;
		size_t b = (size_t)(close - tmpl);
		while (a < b && (tmpl[a] == ' ' || tmpl[a] == '\t'))
			a++;
		while (b > a && (tmpl[b - 1] == ' ' || tmpl[b - 1] == '\t'))
			b--;
		if (a == b) {
			snprintf(err, errlen,
				 "empty name in '{{ }}' at position %zu",
				 open + 1);
			goto bad;
		}
		for (size_t k = a; k < b; k++) {
			if (!name_char(tmpl[k])) {
				snprintf(err, errlen,
					 "invalid character in a name at "
					 "position %zu (names use "
					 "[A-Za-z0-9_.-])",
					 k + 1);
				goto bad;
			}
		}
		if (open > lit)
			pc[n++] = (struct piece){false, lit, open - lit};
		pc[n++] = (struct piece){true, a, b - a};
		i = (size_t)(close - tmpl) + 2;
		lit = i;
	}
	if (tl > lit)
		pc[n++] = (struct piece){false, lit, tl - lit};
	*out = pc;
	*nout = n;
	return LK_OK;
bad:
	lk_free(pc);
	return LK_EINVAL;
}

lk_status lk_template__check(const char *tmpl, char **errmsg)
{
	struct piece *pc = NULL;
	size_t n = 0;
	char err[160] = "";

	if (errmsg)
		*errmsg = NULL;
	if (!tmpl)
		return LK_EINVAL;
	lk_status rc = split(&pc, &n, tmpl, err, sizeof err);
	lk_free(pc);
	if (rc == LK_EINVAL && errmsg)
		*errmsg = lk_strdup(err);
	return rc;
}

/* Each name piece's zone in a URL template, found from the template's
 * literal structure alone (values never shape the URL): a mask of the
 * template with one marker byte per name. */
static lk_status url_zones(enum zone *zones, const char *tmpl,
			   const struct piece *pc, size_t n)
{
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		m += pc[k].is_name ? 1 : pc[k].len;
	char *mask = lk_malloc(m + 1);
	size_t *at = lk_calloc(n, sizeof(*at));
	if (!mask || !at) {
		lk_free(mask);
		lk_free(at);
		return LK_ENOMEM;
	}
	size_t j = 0;
	for (size_t k = 0; k < n; k++) {
		if (pc[k].is_name) {
			at[k] = j;
			mask[j++] = '\x01';
		} else {
			/* a literal \x01 must not pass for a marker */
			for (size_t c = 0; c < pc[k].len; c++) {
				char ch = tmpl[pc[k].start + c];
				mask[j++] = ch == '\x01' ? '?' : ch;
			}
		}
	}
	mask[m] = '\0';

	/* RFC 3986 section 3: scheme "://" authority path ? query # frag */
	size_t path0 = 0;
	size_t a0 = 0, h0 = 0, port = SIZE_MAX, a1 = 0;
	const char *sep = strstr(mask, "://");
	/* "://" after a '/', '?' or '#' (a URL in a query) is no scheme */
	bool has_auth = sep != NULL &&
			strspn(mask, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"
				     "OPQRSTUVWXYZ0123456789+.-\x01") ==
			    (size_t)(sep - mask);
	if (has_auth) {
		a0 = (size_t)(sep - mask) + 3;
		a1 = a0 + strcspn(mask + a0, "/?#");
		h0 = a0;
		for (size_t c = a0; c < a1; c++)
			if (mask[c] == '@')
				h0 = c + 1;
		size_t c = h0;
		if (mask[h0] == '[') { /* IPv6 literal: the port is after ] */
			while (c < a1 && mask[c] != ']')
				c++;
		}
		for (; c < a1; c++) {
			if (mask[c] == ':') {
				port = c;
				break;
			}
		}
		path0 = a1;
	}
	size_t q0 = path0 + strcspn(mask + path0, "?#");
	size_t f0 = q0 + strcspn(mask + q0, "#");
	for (size_t k = 0; k < n; k++) {
		if (!pc[k].is_name)
			continue;
		size_t x = at[k];
		if (has_auth && x < a0)
			zones[k] = Z_SCHEME;
		else if (has_auth && x < h0)
			zones[k] = Z_USERINFO;
		else if (has_auth && x < a1)
			zones[k] =
			    (port != SIZE_MAX && x > port) ? Z_PORT : Z_HOST;
		else if (x < q0)
			zones[k] = Z_PATH;
		else if (x < f0)
			zones[k] = Z_QUERY;
		else
			zones[k] = Z_FRAGMENT;
	}
	lk_free(mask);
	lk_free(at);
	return LK_OK;
}

/* A JSON node by dotted path ("a.b.0.c"); array items by index. */
static const cJSON *json_path(const cJSON *node, const char *path)
{
	const char *p = path;
	while (node && *p) {
		size_t len = strcspn(p, ".");
		char comp[256];
		if (len == 0 || len >= sizeof comp)
			return NULL;
		memcpy(comp, p, len);
		comp[len] = '\0';
		if (cJSON_IsObject(node)) {
			node = cJSON_GetObjectItemCaseSensitive(node, comp);
		} else if (cJSON_IsArray(node)) {
			char *end = NULL;
			if (!isdigit((unsigned char)comp[0]))
				return NULL;
			unsigned long idx = strtoul(comp, &end, 10);
			if (*end ||
			    idx >= (unsigned long)cJSON_GetArraySize(node))
				return NULL;
			node = cJSON_GetArrayItem(node, (int)idx);
		} else {
			return NULL;
		}
		p += len;
		if (*p == '.')
			p++;
	}
	return node;
}

/* Lookup state for one render: the test data, parsed on first use. */
struct lookup {
	const struct lk_tmpl_scope *scope;
	cJSON *td;
	bool td_done;
};

enum found {
	F_NONE = 0,
	F_VALUE, /* *val set */
	F_NOT_SCALAR,
	F_NOMEM,
};

static enum found from_fields(const lk_fields *f, const char *key,
			      const char **val, bool *secret)
{
	const char *v = f ? lk_fields_get(f, key) : NULL;
	if (!v)
		return F_NONE;
	*val = v;
	*secret = lk_fields_is_secret(f, key);
	return F_VALUE;
}

static enum found from_test_data(struct lookup *lu, const char *path,
				 const char **val, char **owned)
{
	if (!lu->td_done) {
		lu->td_done = true;
		const char *t = lu->scope ? lu->scope->test_data : NULL;
		if (t) {
			/* unparsable test data: as if there were none */
			lu->td = cJSON_ParseWithLength(t, strlen(t));
		}
	}
	if (!lu->td)
		return F_NONE;
	/* A top-level key that itself holds dots wins over a path. */
	const cJSON *node = cJSON_IsObject(lu->td)
				? cJSON_GetObjectItemCaseSensitive(lu->td, path)
				: NULL;
	if (!node)
		node = json_path(lu->td, path);
	if (!node)
		return F_NONE;
	if (cJSON_IsString(node)) {
		*val = node->valuestring;
		return F_VALUE;
	}
	if (cJSON_IsNull(node)) {
		*val = "";
		return F_VALUE;
	}
	if (cJSON_IsBool(node)) {
		*val = cJSON_IsTrue(node) ? "true" : "false";
		return F_VALUE;
	}
	if (cJSON_IsNumber(node)) {
		char *s = cJSON_PrintUnformatted(node);
		if (!s)
			return F_NOMEM;
		*owned = lk_strdup(s);
		cJSON_free(s);
		if (!*owned)
			return F_NOMEM;
		*val = *owned;
		return F_VALUE;
	}
	return F_NOT_SCALAR;
}

/* Lookup order: extra, fields, test data; or explicitly
 * bundle.authData.x (fields only) and bundle.inputData.a.b (test data
 * only). */
static enum found lookup(struct lookup *lu, const char *name, const char **val,
			 char **owned, bool *secret)
{
	static const char auth[] = "bundle.authData.";
	static const char input[] = "bundle.inputData.";
	const struct lk_tmpl_scope *sc = lu->scope;

	*val = NULL;
	*owned = NULL;
	*secret = false;
	if (strncmp(name, auth, sizeof auth - 1) == 0)
		return from_fields(sc ? sc->fields : NULL,
				   name + sizeof auth - 1, val, secret);
	if (strncmp(name, input, sizeof input - 1) == 0)
		return from_test_data(lu, name + sizeof input - 1, val, owned);
	enum found f = from_fields(sc ? sc->extra : NULL, name, val, secret);
	if (f == F_NONE)
		f = from_fields(sc ? sc->fields : NULL, name, val, secret);
	if (f == F_NONE)
		f = from_test_data(lu, name, val, owned);
	return f;
}

static bool is_dns_label(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n > 63)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return false;
	return true;
}

/* Percent-encode everything but RFC 3986 unreserved characters. */
static lk_status add_escaped(struct buf *b, const char *v)
{
	size_t vl = strlen(v);
	if (vl > (size_t)INT_MAX / 3)
		return LK_EINVAL;
	char *e = curl_easy_escape(NULL, v, (int)vl);
	if (!e)
		return LK_ENOMEM;
	size_t el = strlen(e);
	lk_status rc = buf_add(b, e, el);
	OPENSSL_cleanse(e, el);
	curl_free(e);
	return rc;
}

static lk_status add_json(struct buf *b, const char *v)
{
	cJSON *s = cJSON_CreateString(v);
	char *txt = s ? cJSON_PrintUnformatted(s) : NULL;
	lk_status rc = LK_ENOMEM;
	if (txt) {
		size_t tl = strlen(txt);
		/* "..." -> the string body, without its quotes */
		rc = tl >= 2 ? buf_add(b, txt + 1, tl - 2) : LK_ENOMEM;
		OPENSSL_cleanse(txt, tl);
		cJSON_free(txt);
	}
	if (s && s->valuestring)
		OPENSSL_cleanse(s->valuestring, strlen(s->valuestring));
	cJSON_Delete(s);
	return rc;
}

/* Escape one value for its target (and URL zone), appending it. */
static lk_status add_value(struct buf *b, const lk_ctx *ctx, const char *where,
			   const char *name, const char *v, bool secret,
			   lk_render_target target, enum zone z)
{
	switch (target) {
	case LK_RENDER_URL:
		switch (z) {
		case Z_SCHEME:
			return lk_error__set(
			    ctx, LK_EINVAL,
			    "%s: field '%s' would land in the "
			    "URL's scheme; only a host label, "
			    "port, path, query or fragment may "
			    "be templated",
			    where, name);
		case Z_USERINFO:
			return lk_error__set(ctx, LK_EINVAL,
					     "%s: field '%s' would land in the "
					     "URL's userinfo, which is refused",
					     where, name);
		case Z_HOST:
			if (!is_dns_label(v))
				return lk_error__set(
				    ctx, LK_EINVAL,
				    "%s: field '%s' is not a DNS label "
				    "([A-Za-z0-9-], 1 to 63 characters) "
				    "and cannot be used in a host name",
				    where, name);
			return buf_add(b, v, strlen(v));
		case Z_PORT: {
			size_t n = strlen(v);
			if (n == 0 || n > 5 || strspn(v, "0123456789") != n)
				return lk_error__set(ctx, LK_EINVAL,
						     "%s: field '%s' is not a "
						     "port number",
						     where, name);
			return buf_add(b, v, n);
		}
		case Z_PATH:
			/* RFC 3986 section 5.2.4 would resolve them away */
			if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
				return lk_error__set(ctx, LK_EINVAL,
						     "%s: field '%s' is a dot "
						     "segment ('.' or '..'), "
						     "refused in a URL path",
						     where, name);
			return add_escaped(b, v);
		default:
			return add_escaped(b, v);
		}
	case LK_RENDER_HEADER:
		if (strpbrk(v, "\r\n"))
			return lk_error__set(
			    ctx, LK_EINVAL,
			    "%s: field '%s' contains CR or LF, "
			    "refused in a header",
			    where, name);
		return buf_add(b, v, strlen(v));
	case LK_RENDER_JSON:
		return add_json(b, v);
	case LK_RENDER_FORM:
		return add_escaped(b, v);
	case LK_RENDER_TEXT:
		if (secret)
			return lk_error__set(ctx, LK_EINVAL,
					     "%s: field '%s' is secret and is "
					     "never rendered as text",
					     where, name);
		return buf_add(b, v, strlen(v));
	case LK_RENDER_RAW:
		return buf_add(b, v, strlen(v));
	}
	return lk_error__set(ctx, LK_EINVAL, "%s: unknown render target %d",
			     where, (int)target);
}

lk_status lk_template__render(char **out, const lk_ctx *ctx, const char *tmpl,
			      lk_render_target target,
			      const struct lk_tmpl_scope *scope,
			      const char *where)
{
	struct piece *pc = NULL;
	enum zone *zones = NULL;
	struct buf b = {0};
	struct lookup lu = {.scope = scope};
	char name[256];
	char err[160] = "";
	size_t n = 0;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!where)
		where = "template";
	if (!tmpl)
		return lk_error__set(ctx, LK_EINVAL, "%s: no template", where);
	if (target < LK_RENDER_URL || target > LK_RENDER_RAW)
		return lk_error__set(ctx, LK_EINVAL,
				     "%s: unknown render target %d", where,
				     (int)target);
	rc = split(&pc, &n, tmpl, err, sizeof err);
	if (rc == LK_EINVAL) {
		rc = lk_error__set(ctx, LK_EINVAL, "%s: template: %s", where,
				   err);
		goto out;
	}
	if (rc != LK_OK)
		goto out;
	if (target == LK_RENDER_HEADER && strpbrk(tmpl, "\r\n")) {
		/* one header, one line: not even the config may split it */
		rc = lk_error__set(ctx, LK_EINVAL,
				   "%s: the header template contains CR or LF",
				   where);
		goto out;
	}
	zones = lk_calloc(n, sizeof(*zones));
	if (!zones) {
		rc = LK_ENOMEM;
		goto out;
	}
	if (target == LK_RENDER_URL) {
		rc = url_zones(zones, tmpl, pc, n);
		if (rc != LK_OK)
			goto out;
	}
	rc = buf_add(&b, "", 0); /* an empty template renders "" */
	for (size_t k = 0; rc == LK_OK && k < n; k++) {
		if (!pc[k].is_name) {
			rc = buf_add(&b, tmpl + pc[k].start, pc[k].len);
			continue;
		}
		const char *v = NULL;
		char *owned = NULL;
		bool secret = false;
		if (pc[k].len >= sizeof name) {
			rc = lk_error__set(ctx, LK_EINVAL,
					   "%s: a name in the template is "
					   "longer than %zu characters",
					   where, sizeof name - 1);
			break;
		}
		memcpy(name, tmpl + pc[k].start, pc[k].len);
		name[pc[k].len] = '\0';
		enum found f = lookup(&lu, name, &v, &owned, &secret);
		if (f == F_NOMEM)
			rc = LK_ENOMEM;
		else if (f == F_NOT_SCALAR)
			rc = lk_error__set(ctx, LK_EINVAL,
					   "%s: field '%s' is an object or an "
					   "array, not a value",
					   where, name);
		else if (f == F_NONE)
			rc = lk_error__set(ctx, LK_EINVAL,
					   "%s: unknown field '%s' in template",
					   where, name);
		else
			rc = add_value(&b, ctx, where, name, v, secret, target,
				       zones[k]);
		lk_free(owned);
	}
out:
	if (rc == LK_OK) {
		*out = b.p;
		b.p = NULL;
	}
	buf_wipe_free(&b);
	cJSON_Delete(lu.td);
	lk_free(zones);
	lk_free(pc);
	return rc;
}
