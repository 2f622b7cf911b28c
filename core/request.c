/* SPDX-License-Identifier: MIT */
/* Requests and responses: method, URL, headers (case-insensitive names,
 * values free of CR/LF/NUL: RFC 9110 section 5.5) and bodies. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "http.h"

/* Why the last lk_request_* call of this thread was refused: the
 * request API has no ctx to carry it (see lk_request__error). */
static _Thread_local char last_error[160];

static lk_status refuse(const char *name, const char *why)
{
	/* Only the name: a value may be a secret. */
	snprintf(last_error, sizeof last_error, "header \"%.64s\": %s",
		 name ? name : "(null)", why);
	return LK_EINVAL;
}

const char *lk_request__error(void)
{
	return last_error;
}

bool lk_header__value_ok(const char *value)
{
	return value && strpbrk(value, "\r\n") == NULL;
}

/* RFC 9110 section 5.6.2: a field name is a token. */
static bool name_ok(const char *name)
{
	static const char tchar[] = "!#$%&'*+-.^_`|~";
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++) {
		unsigned char c = (unsigned char)*p;
		bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
			     (c >= 'A' && c <= 'Z');
		if (!alnum && !strchr(tchar, c))
			return false;
	}
	return true;
}

static void headers_free(struct lk_header *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lk_free(h[i].name);
		lk_str_wipe_free(h[i].value); /* Authorization, cookies */
	}
	lk_free(h);
}

/* Append a copy of name: value to a header array. */
static lk_status headers_append(struct lk_header **h, size_t *n,
				const char *name, const char *value)
{
	struct lk_header *grown = NULL;
	char *nm = lk_strdup(name);
	char *val = lk_strdup(value);

	if (!nm || !val)
		goto fail;
	grown = lk_calloc(*n + 1, sizeof(*grown));
	if (!grown)
		goto fail;
	if (*n)
		memcpy(grown, *h, *n * sizeof(*grown));
	grown[*n].name = nm;
	grown[*n].value = val;
	lk_free(*h);
	*h = grown;
	(*n)++;
	return LK_OK;
fail:
	lk_free(nm);
	lk_str_wipe_free(val);
	return LK_ENOMEM;
}

static const char *headers_find(const struct lk_header *h, size_t n,
				const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (strcasecmp(h[i].name, name) == 0)
			return h[i].value;
	return NULL;
}

static lk_status headers_at(const struct lk_header *h, size_t n, size_t i,
			    const char **name, const char **value)
{
	if (i >= n)
		return LK_EINVAL;
	if (name)
		*name = h[i].name;
	if (value)
		*value = h[i].value;
	return LK_OK;
}

/* ------------------------------------------------------------- requests */

lk_status lk_request_new(lk_request **out, const char *method, const char *url)
{
	lk_request *r = NULL;

	*out = NULL;
	if (!method || !*method || !url || !*url ||
	    strpbrk(method, " \t\r\n") || strpbrk(url, " \t\r\n")) {
		snprintf(last_error, sizeof last_error,
			 "a request needs a method and a URL without "
			 "spaces or line breaks");
		return LK_EINVAL;
	}
	r = lk_calloc(1, sizeof(*r));
	if (!r)
		return LK_ENOMEM;
	r->method = lk_strdup(method);
	r->url = lk_strdup(url);
	if (!r->method || !r->url) {
		lk_request_free(r);
		return LK_ENOMEM;
	}
	*out = r;
	return LK_OK;
}

void lk_request_free(lk_request *req)
{
	if (!req)
		return;
	lk_free(req->method);
	lk_str_wipe_free(req->url); /* may carry a key in its query */
	headers_free(req->headers, req->nheaders);
	lk_secret_free(req->body, req->body_len);
	lk_free(req);
}

lk_status lk_request__dup(lk_request **out, const lk_request *r)
{
	lk_request *d = NULL;
	lk_status rc = lk_request_new(&d, r->method, r->url);

	*out = NULL;
	for (size_t i = 0; rc == LK_OK && i < r->nheaders; i++)
		rc = headers_append(&d->headers, &d->nheaders,
				    r->headers[i].name, r->headers[i].value);
	if (rc == LK_OK && r->body_len)
		rc = lk_request_set_body(d, r->body, r->body_len);
	if (rc != LK_OK) {
		lk_request_free(d);
		return rc;
	}
	*out = d;
	return LK_OK;
}

const char *lk_request_method(const lk_request *req)
{
	return req ? req->method : NULL;
}

const char *lk_request_url(const lk_request *req)
{
	return req ? req->url : NULL;
}

lk_status lk_request_set_url(lk_request *req, const char *url)
{
	if (!req || !url || !*url || strpbrk(url, " \t\r\n")) {
		snprintf(last_error, sizeof last_error,
			 "a URL must not be empty nor hold spaces or line "
			 "breaks");
		return LK_EINVAL;
	}
	char *copy = lk_strdup(url);
	if (!copy)
		return LK_ENOMEM;
	lk_str_wipe_free(req->url);
	req->url = copy;
	return LK_OK;
}

static lk_status check_header(const lk_request *req, const char *name,
			      const char *value)
{
	if (!req)
		return LK_EINVAL;
	if (!name_ok(name))
		return refuse(name, "not a valid header name");
	if (!lk_header__value_ok(value))
		return refuse(name,
			      value ? "value holds CR or LF" : "no value");
	return LK_OK;
}

lk_status lk_request_add_header(lk_request *req, const char *name,
				const char *value)
{
	lk_status rc = check_header(req, name, value);
	if (rc != LK_OK)
		return rc;
	return headers_append(&req->headers, &req->nheaders, name, value);
}

lk_status lk_request_set_header(lk_request *req, const char *name,
				const char *value)
{
	lk_status rc = check_header(req, name, value);
	if (rc != LK_OK)
		return rc;
	/* Append first so that a failure leaves the request unchanged. */
	rc = headers_append(&req->headers, &req->nheaders, name, value);
	if (rc != LK_OK)
		return rc;
	size_t last = req->nheaders - 1, j = 0;
	for (size_t i = 0; i < last; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0) {
			lk_free(req->headers[i].name);
			lk_str_wipe_free(req->headers[i].value);
			continue;
		}
		req->headers[j++] = req->headers[i];
	}
	req->headers[j++] = req->headers[last];
	req->nheaders = j;
	return LK_OK;
}

lk_status lk_request_remove_header(lk_request *req, const char *name)
{
	size_t j = 0;

	if (!req || !name)
		return LK_EINVAL;
	for (size_t i = 0; i < req->nheaders; i++) {
		if (strcasecmp(req->headers[i].name, name) == 0) {
			lk_free(req->headers[i].name);
			lk_str_wipe_free(req->headers[i].value);
			continue;
		}
		req->headers[j++] = req->headers[i];
	}
	req->nheaders = j;
	return LK_OK;
}

const char *lk_request_header(const lk_request *req, const char *name)
{
	return req ? headers_find(req->headers, req->nheaders, name) : NULL;
}

size_t lk_request_header_count(const lk_request *req)
{
	return req ? req->nheaders : 0;
}

lk_status lk_request_header_at(const lk_request *req, size_t i,
			       const char **name, const char **value)
{
	if (!req)
		return LK_EINVAL;
	return headers_at(req->headers, req->nheaders, i, name, value);
}

lk_status lk_request_set_body(lk_request *req, const void *data, size_t len)
{
	unsigned char *copy = NULL;

	if (!req || (len && !data))
		return LK_EINVAL;
	if (len) {
		copy = lk_malloc(len);
		if (!copy)
			return LK_ENOMEM;
		memcpy(copy, data, len);
	}
	lk_secret_free(req->body, req->body_len);
	req->body = copy;
	req->body_len = len;
	return LK_OK;
}

const void *lk_request_body(const lk_request *req, size_t *len)
{
	if (len)
		*len = req ? req->body_len : 0;
	return req ? req->body : NULL;
}

lk_status lk_request_add_query(lk_request *req, const char *name,
			       const char *value)
{
	CURLU *u = NULL;
	char *pair = NULL;
	char *url = NULL;
	lk_status rc = LK_OK;

	if (!req || !name || !*name || !value)
		return LK_EINVAL;
	/* CURLU_URLENCODE keeps the first '=' as the separator: one in the
	 * name would move the boundary. */
	if (strchr(name, '=')) {
		snprintf(last_error, sizeof last_error,
			 "query parameter \"%.64s\": '=' in a name is "
			 "refused",
			 name);
		return LK_EINVAL;
	}
	u = curl_url();
	pair = lk_strdupf("%s=%s", name, value);
	if (!u || !pair) {
		rc = LK_ENOMEM;
		goto out;
	}
	if (curl_url_set(u, CURLUPART_URL, req->url, 0) != CURLUE_OK) {
		snprintf(last_error, sizeof last_error,
			 "the request URL does not parse");
		rc = LK_EINVAL;
		goto out;
	}
	/* CURLU_URLENCODE with APPENDQUERY encodes the name and the value
	 * but keeps the first '=' between them. */
	if (curl_url_set(u, CURLUPART_QUERY, pair,
			 CURLU_APPENDQUERY | CURLU_URLENCODE) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &url, 0) != CURLUE_OK) {
		snprintf(last_error, sizeof last_error,
			 "query parameter \"%.64s\" could not be added", name);
		rc = LK_EINVAL;
		goto out;
	}
	rc = lk_request_set_url(req, url);
out:
	if (url) {
		OPENSSL_cleanse(url, strlen(url));
		curl_free(url);
	}
	lk_str_wipe_free(pair);
	curl_url_cleanup(u);
	return rc;
}

/* ------------------------------------------------------------ responses */

lk_status lk_response__new(lk_response **out)
{
	lk_response *r = lk_calloc(1, sizeof(*r));

	*out = NULL;
	if (!r)
		return LK_ENOMEM;
	r->body = lk_calloc(1, 1);
	if (!r->body) {
		lk_free(r);
		return LK_ENOMEM;
	}
	*out = r;
	return LK_OK;
}

void lk_response_free(lk_response *resp)
{
	if (!resp)
		return;
	headers_free(resp->headers, resp->nheaders);
	/* A token response holds secrets. */
	lk_secret_free(resp->body, resp->body_len + 1);
	lk_free(resp);
}

lk_status lk_response__add_header(lk_response *resp, const char *name,
				  const char *value)
{
	return headers_append(&resp->headers, &resp->nheaders, name, value);
}

lk_status lk_response__set_body(lk_response *resp, const void *data, size_t len)
{
	char *copy = NULL;

	if (len == SIZE_MAX || (len && !data))
		return LK_EINVAL;
	copy = lk_malloc(len + 1);
	if (!copy)
		return LK_ENOMEM;
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	lk_secret_free(resp->body, resp->body_len + 1);
	resp->body = copy;
	resp->body_len = len;
	return LK_OK;
}

long lk_response_status(const lk_response *resp)
{
	return resp ? resp->status : 0;
}

const char *lk_response_header(const lk_response *resp, const char *name)
{
	return resp ? headers_find(resp->headers, resp->nheaders, name) : NULL;
}

size_t lk_response_header_count(const lk_response *resp)
{
	return resp ? resp->nheaders : 0;
}

lk_status lk_response_header_at(const lk_response *resp, size_t i,
				const char **name, const char **value)
{
	if (!resp)
		return LK_EINVAL;
	return headers_at(resp->headers, resp->nheaders, i, name, value);
}

const char *lk_response_body(const lk_response *resp, size_t *len)
{
	if (len)
		*len = resp ? resp->body_len : 0;
	return resp ? resp->body : NULL;
}
