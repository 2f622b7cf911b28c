/* SPDX-License-Identifier: MIT */
/* The signature base string, RFC 5849 section 3.4.1. */
#include <stdlib.h>
#include <strings.h>

#include "oauth1_base.h"
#include "oauth1_encode.h"

/* A parameter already encoded (section 3.6), as offsets into one buffer
 * while it grows, then as pointers for sorting. */
struct param {
	size_t name_off, name_len, value_off, value_len;
	bool name_pct, value_pct; /* holds a '%': the base string escapes it */
	const char *name, *value;
};

struct param_set {
	struct oauth1_buf enc; /* every encoded name and value */
	struct param *items;
	size_t count, cap;
	struct param inline_items[32]; /* most requests need no allocation */
	char enc_store[1024];
	bool failed;   /* out of memory */
	bool too_many; /* more than OAUTH1_MAX_PARAMS */
};

/* Plenty for any real request; a bound keeps hostile input cheap. */
#define OAUTH1_MAX_PARAMS 4096

bool oauth1_is_form(const char *ct)
{
	static const char form[] = "application/x-www-form-urlencoded";
	size_t n = sizeof(form) - 1;

	if (!ct)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	if (strncasecmp(ct, form, n) != 0)
		return false;
	ct += n;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	return *ct == '\0' || *ct == ';';
}

static struct param *param_new(struct param_set *ps)
{
	if (ps->count == ps->cap) {
		size_t cap = ps->cap * 2;
		struct param *p;
		if (ps->count >= OAUTH1_MAX_PARAMS) {
			ps->too_many = true;
			return NULL;
		}
		p = lk_calloc(cap, sizeof(*p));
		if (!p) {
			ps->failed = true;
			return NULL;
		}
		memcpy(p, ps->items, ps->count * sizeof(*p));
		if (ps->items != ps->inline_items)
			lk_free(ps->items);
		ps->items = p;
		ps->cap = cap;
	}
	return &ps->items[ps->count++];
}

/* name=value&name=value in form encoding (section 3.4.1.3.1): empty
 * segments are skipped, a segment without '=' has an empty value. */
static void add_form(struct param_set *ps, const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		const char *seg = s + i, *amp = memchr(seg, '&', n - i);
		size_t len = amp ? (size_t)(amp - seg) : n - i;
		const char *eq = memchr(seg, '=', len);
		size_t nlen = eq ? (size_t)(eq - seg) : len;
		struct param *p;

		i += len + 1;
		if (len == 0)
			continue;
		p = param_new(ps);
		if (!p)
			return;
		p->name_off = ps->enc.len;
		p->name_pct = oauth1_encode_form(&ps->enc, seg, nlen) > 0;
		p->name_len = ps->enc.len - p->name_off;
		p->value_off = ps->enc.len;
		if (eq)
			p->value_pct = oauth1_encode_form(&ps->enc, eq + 1,
							  len - nlen - 1) > 0;
		else
			p->value_pct = false;
		p->value_len = ps->enc.len - p->value_off;
	}
}

static void add_plain(struct param_set *ps, const char *name, const char *value)
{
	struct param *p = param_new(ps);

	if (!p)
		return;
	p->name_off = ps->enc.len;
	p->name_pct = oauth1_encode(&ps->enc, name, strlen(name)) > 0;
	p->name_len = ps->enc.len - p->name_off;
	p->value_off = ps->enc.len;
	p->value_pct = oauth1_encode(&ps->enc, value, strlen(value)) > 0;
	p->value_len = ps->enc.len - p->value_off;
}

/* Byte order; a loop, as names and values are short. */
static int cmp_bytes(const char *a, size_t al, const char *b, size_t bl)
{
	size_t n = al < bl ? al : bl;

	for (size_t i = 0; i < n; i++)
		if (a[i] != b[i])
			return (unsigned char)a[i] < (unsigned char)b[i] ? -1
									 : 1;
	return al < bl ? -1 : al > bl;
}

/* Section 3.4.1.3.2: by encoded name, then encoded value, byte order. */
static int param_cmp(const void *va, const void *vb)
{
	const struct param *a = va, *b = vb;
	int c = cmp_bytes(a->name, a->name_len, b->name, b->name_len);

	return c ? c
		 : cmp_bytes(a->value, a->value_len, b->value, b->value_len);
}

/* The query component of @p url, without '?' and fragment. */
static const char *url_query(const char *url, size_t *len)
{
	const char *q = strchr(url, '?');
	const char *hash = strchr(url, '#');

	if (!q || (hash && hash < q)) {
		*len = 0;
		return NULL;
	}
	q++;
	*len = hash ? (size_t)(hash - q) : strlen(q);
	return q;
}

lk_status oauth1_base_uri(struct oauth1_buf *out, const char *url,
			  const char **why)
{
	const char *sep, *auth, *auth_end, *host, *host_end, *port, *path;
	size_t path_len, scheme_len;
	bool https;
	long port_no = -1;

	*why = NULL;
	sep = url ? strstr(url, "://") : NULL;
	if (!sep) {
		*why = "the URL is not absolute";
		return LK_EINVAL;
	}
	scheme_len = (size_t)(sep - url);
	if (scheme_len == 5 && strncasecmp(url, "https", 5) == 0) {
		https = true;
	} else if (scheme_len == 4 && strncasecmp(url, "http", 4) == 0) {
		https = false;
	} else {
		*why = "the URL's scheme is not http or https";
		return LK_EINVAL;
	}
	auth = sep + 3;
	auth_end = auth + strcspn(auth, "/?#");
	/* Userinfo never reaches the base string. */
	host = auth;
	for (const char *p = auth; p < auth_end; p++)
		if (*p == '@')
			host = p + 1;
	if (*host == '[') {
		host_end = memchr(host, ']', (size_t)(auth_end - host));
		if (!host_end) {
			*why = "the URL's IPv6 host has no ']'";
			return LK_EINVAL;
		}
		host_end++;
	} else {
		host_end = memchr(host, ':', (size_t)(auth_end - host));
		if (!host_end)
			host_end = auth_end;
	}
	if (host_end == host) {
		*why = "the URL has no host";
		return LK_EINVAL;
	}
	port = host_end;
	if (port < auth_end) {
		if (*port != ':') {
			*why = "the URL's host is malformed";
			return LK_EINVAL;
		}
		port++;
		if (port < auth_end)
			port_no = 0;
		for (const char *p = port; p < auth_end; p++) {
			if (*p < '0' || *p > '9' || port_no > 65535) {
				*why = "the URL's port is not a number";
				return LK_EINVAL;
			}
			port_no = port_no * 10 + (*p - '0');
		}
		if (port_no > 65535) {
			*why = "the URL's port is out of range";
			return LK_EINVAL;
		}
	}
	path = auth_end;
	path_len = strcspn(path, "?#");

	oauth1_buf_str(out, https ? "https://" : "http://");
	if (!oauth1_buf_reserve(out, (size_t)(host_end - host)))
		return LK_ENOMEM;
	for (const char *p = host; p < host_end; p++) {
		char c = *p;
		out->data[out->len++] =
		    (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
	}
	out->data[out->len] = '\0';
	/* Section 3.4.1.2: the port only when it is not the default. */
	if (port_no >= 0 && port_no != (https ? 443 : 80)) {
		char num[8];
		int n = 0;
		for (long v = port_no; n == 0 || v > 0; v /= 10)
			num[n++] = (char)('0' + v % 10);
		oauth1_buf_add(out, ":", 1);
		while (n > 0)
			oauth1_buf_add(out, &num[--n], 1);
	}
	if (path_len == 0)
		oauth1_buf_add(out, "/", 1);
	else
		oauth1_buf_add(out, path, path_len);
	return out->failed ? LK_ENOMEM : LK_OK;
}

static void param_set_free(struct param_set *ps)
{
	oauth1_buf_wipe(&ps->enc);
	if (ps->items != ps->inline_items)
		lk_free(ps->items);
}

/* Gather (section 3.4.1.3.1) and sort (3.4.1.3.2) every parameter. */
static lk_status collect(struct param_set *ps, const struct oauth1_message *msg,
			 const struct oauth1_pair *protocol, size_t nprotocol,
			 const char **why)
{
	const char *q;
	size_t qlen;

	*why = NULL;
	ps->count = 0;
	ps->failed = ps->too_many = false;
	oauth1_buf_init(&ps->enc, ps->enc_store, sizeof(ps->enc_store));
	ps->items = ps->inline_items;
	ps->cap = sizeof(ps->inline_items) / sizeof(ps->inline_items[0]);
	q = url_query(msg->url, &qlen);
	if (q)
		add_form(ps, q, qlen);
	if (msg->body_len && oauth1_is_form(msg->content_type))
		add_form(ps, msg->body, msg->body_len);
	for (size_t i = 0; i < nprotocol; i++)
		add_plain(ps, protocol[i].name, protocol[i].value);
	if (ps->enc.failed || ps->failed)
		return LK_ENOMEM;
	if (ps->too_many) {
		*why = "the request has too many parameters to sign";
		return LK_EINVAL;
	}
	for (size_t i = 0; i < ps->count; i++) {
		struct param *p = &ps->items[i];
		/* The buffer is final now: offsets become pointers. */
		p->name = ps->enc.data + p->name_off;
		p->value = ps->enc.data + p->value_off;
	}
	/* Requests carry a dozen parameters or so: an insertion sort beats
	 * qsort's call overhead there; qsort keeps big sets O(n log n). */
	if (ps->count > 24) {
		qsort(ps->items, ps->count, sizeof(ps->items[0]), param_cmp);
		return LK_OK;
	}
	for (size_t i = 1; i < ps->count; i++) {
		struct param tmp = ps->items[i];
		size_t j = i;
		while (j > 0 && param_cmp(&ps->items[j - 1], &tmp) > 0) {
			ps->items[j] = ps->items[j - 1];
			j--;
		}
		ps->items[j] = tmp;
	}
	return LK_OK;
}

lk_status oauth1_normalized_params(struct oauth1_buf *out,
				   const struct oauth1_message *msg,
				   const struct oauth1_pair *protocol,
				   size_t nprotocol, const char **why)
{
	struct param_set ps;
	lk_status rc = collect(&ps, msg, protocol, nprotocol, why);

	for (size_t i = 0; rc == LK_OK && i < ps.count; i++) {
		struct param *p = &ps.items[i];
		if (i)
			oauth1_buf_add(out, "&", 1);
		oauth1_buf_add(out, p->name, p->name_len);
		oauth1_buf_add(out, "=", 1);
		oauth1_buf_add(out, p->value, p->value_len);
	}
	if (rc == LK_OK && out->failed)
		rc = LK_ENOMEM;
	param_set_free(&ps);
	return rc;
}

lk_status oauth1_base_string(struct oauth1_buf *out,
			     const struct oauth1_message *msg,
			     const struct oauth1_pair *protocol,
			     size_t nprotocol, const char **why)
{
	struct oauth1_buf uri;
	char uri_store[256];
	struct param_set ps;
	size_t mlen = strlen(msg->method);
	lk_status rc;

	/* Section 3.4.1.1: the method in upper case, encoded (custom
	 * methods may hold any token character). */
	if (mlen == 0) {
		*why = "the request has no method";
		return LK_EINVAL;
	}
	if (mlen > 64) {
		*why = "the request method is too long";
		return LK_EINVAL;
	}
	{
		char upper[65];
		for (size_t i = 0; i < mlen; i++) {
			char c = msg->method[i];
			upper[i] =
			    (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
		}
		oauth1_encode(out, upper, mlen);
	}
	oauth1_buf_add(out, "&", 1);
	oauth1_buf_init(&uri, uri_store, sizeof(uri_store));
	rc = oauth1_base_uri(&uri, msg->url, why);
	if (rc != LK_OK) {
		oauth1_buf_wipe(&uri);
		return rc;
	}
	oauth1_encode(out, uri.data, uri.len);
	oauth1_buf_wipe(&uri);
	oauth1_buf_add(out, "&", 1);
	/* The normalised parameters, encoded once more as they are
	 * written: '=' is %3D, '&' is %26, '%' is %25. */
	rc = collect(&ps, msg, protocol, nprotocol, why);
	for (size_t i = 0; rc == LK_OK && i < ps.count; i++) {
		struct param *p = &ps.items[i];
		if (i)
			oauth1_buf_add(out, "%26", 3);
		/* Most parts hold no '%': then the second encoding is a
		 * copy. */
		if (p->name_pct)
			oauth1_encode_encoded(out, p->name, p->name_len);
		else
			oauth1_buf_add(out, p->name, p->name_len);
		oauth1_buf_add(out, "%3D", 3);
		if (p->value_pct)
			oauth1_encode_encoded(out, p->value, p->value_len);
		else
			oauth1_buf_add(out, p->value, p->value_len);
	}
	if (rc == LK_OK && out->failed)
		rc = LK_ENOMEM;
	param_set_free(&ps);
	return rc;
}
