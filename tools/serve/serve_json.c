/* SPDX-License-Identifier: MIT */
/*
 * serve_json.c: replies, error bodies {"error": {"code", "message"}}, and
 * JSON request bodies checked member by member (unknown members and
 * wrong types are a 400 naming them).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "serve_int.h"

enum MHD_Result serve_reply(struct MHD_Connection *c, struct serve_req *r,
			    unsigned status, const char *ctype,
			    const void *body, size_t len,
			    const char *const *headers)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(
	    len, (void *)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", ctype);
	MHD_add_response_header(resp, "Cache-Control", "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	for (size_t i = 0; headers && headers[i]; i += 2)
		MHD_add_response_header(resp, headers[i], headers[i + 1]);
	r->status = status;
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

enum MHD_Result serve_reply_json(struct MHD_Connection *c, struct serve_req *r,
				 unsigned status, cJSON *take)
{
	char *text = take ? cJSON_PrintUnformatted(take) : NULL;
	enum MHD_Result ret;

	cJSON_Delete(take);
	if (!text) {
		static const char oom[] = "{\"error\":{\"code\":\"internal\","
					  "\"message\":\"out of memory\"}}";
		return serve_reply(c, r, 500, "application/json", oom,
				   sizeof(oom) - 1, NULL);
	}
	ret = serve_reply(c, r, status, "application/json", text, strlen(text),
			  NULL);
	cJSON_free(text);
	return ret;
}

enum MHD_Result serve_reply_error(struct MHD_Connection *c, struct serve_req *r,
				  unsigned status, const char *code,
				  const char *fmt, ...)
{
	char msg[1024];
	cJSON *o = cJSON_CreateObject();
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", msg);
	return serve_reply_json(c, r, status, o);
}

cJSON *serve_json_object(const struct serve_req *r, const char *const *allowed,
			 char *why, size_t whylen)
{
	const char *end = NULL;
	cJSON *o;

	if (!r->len) {
		snprintf(why, whylen,
			 "the request body is empty: send a JSON "
			 "object");
		return NULL;
	}
	/* The end pointer, not the global cJSON_GetErrorPtr (threads). */
	o = cJSON_ParseWithLengthOpts(r->body, r->len, &end, false);
	/* Trailing bytes after the value, whitespace aside, are an error
	 * (cJSON's own check wants a NUL inside the given length). */
	while (o && end && end < r->body + r->len && strchr(" \t\r\n", *end) &&
	       *end)
		end++;
	if (o && end != r->body + r->len) {
		cJSON_Delete(o);
		o = NULL;
	}
	if (!o) {
		snprintf(why, whylen,
			 "the request body is not valid JSON (at byte %zu)",
			 end ? (size_t)(end - r->body) : (size_t)0);
		return NULL;
	}
	if (!cJSON_IsObject(o)) {
		snprintf(why, whylen, "the request body must be a JSON object");
		cJSON_Delete(o);
		return NULL;
	}
	for (const cJSON *m = o->child; m; m = m->next) {
		bool known = false;

		for (size_t i = 0; allowed[i] && !known; i++)
			known = !strcmp(m->string, allowed[i]);
		if (!known) {
			snprintf(why, whylen,
				 "unknown member \"%.64s\" in the "
				 "request body",
				 m->string);
			cJSON_Delete(o);
			return NULL;
		}
	}
	return o;
}

static const char *json_type_name(int type)
{
	switch (type) {
	case cJSON_String:
		return "a string";
	case cJSON_Object:
		return "an object";
	case cJSON_Array:
		return "an array";
	case cJSON_Number:
		return "a number";
	}
	return "another type";
}

bool serve_json_member(const cJSON **out, const cJSON *obj, const char *key,
		       int type, bool required, char *why, size_t whylen)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, key);

	*out = NULL;
	if (!m || cJSON_IsNull(m)) {
		if (required)
			snprintf(why, whylen, "missing member \"%s\"", key);
		return !required;
	}
	if ((m->type & 0xff) != type) {
		snprintf(why, whylen, "member \"%s\" must be %s", key,
			 json_type_name(type));
		return false;
	}
	*out = m;
	return true;
}

char *serve_strdupf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	out = lk_malloc((size_t)n + 1);
	if (!out)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

/* Well-formed UTF-8 without NUL (RFC 3629 section 4), so the body can be
 * a JSON string. */
static bool is_text(const unsigned char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned char b = p[i];
		size_t more;
		uint32_t cp;

		if (b == 0)
			return false;
		if (b < 0x80) {
			i++;
			continue;
		}
		if (b >= 0xc2 && b <= 0xdf)
			more = 1, cp = b & 0x1f;
		else if (b >= 0xe0 && b <= 0xef)
			more = 2, cp = b & 0x0f;
		else if (b >= 0xf0 && b <= 0xf4)
			more = 3, cp = b & 0x07;
		else
			return false;
		if (i + more >= n)
			return false;
		for (size_t k = 1; k <= more; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3f);
		}
		/* No overlong forms, surrogates or values past U+10FFFF. */
		if ((more == 2 && cp < 0x800) || (more == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		i += more + 1;
	}
	return true;
}

cJSON *serve_response_json(const lk_response *resp)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *h = cJSON_AddObjectToObject(o, "headers");
	size_t len = 0;
	const char *body = lk_response_body(resp, &len);

	cJSON_AddNumberToObject(o, "status", (double)lk_response_status(resp));
	for (size_t i = 0; i < lk_response_header_count(resp); i++) {
		const char *name = NULL, *value = NULL;
		char lower[128];
		size_t k;
		cJSON *prev;

		if (lk_response_header_at(resp, i, &name, &value) != LK_OK ||
		    strlen(name) >= sizeof(lower))
			continue;
		for (k = 0; name[k]; k++)
			lower[k] = (char)(name[k] >= 'A' && name[k] <= 'Z'
					      ? name[k] + 32
					      : name[k]);
		lower[k] = '\0';
		prev = cJSON_GetObjectItemCaseSensitive(h, lower);
		if (prev) { /* RFC 9110 section 5.3: combine with ", " */
			char *both =
			    serve_strdupf("%s, %s", prev->valuestring, value);

			if (both)
				cJSON_ReplaceItemInObjectCaseSensitive(
				    h, lower, cJSON_CreateString(both));
			lk_free(both);
		} else {
			cJSON_AddStringToObject(h, lower, value);
		}
	}
	if (!body)
		body = "";
	if (is_text((const unsigned char *)body, len)) {
		cJSON_AddStringToObject(o, "body", body);
	} else {
		char *b64 = lk_malloc(4 * ((len + 2) / 3) + 1);

		if (b64) {
			EVP_EncodeBlock((unsigned char *)b64,
					(const unsigned char *)body, (int)len);
			cJSON_AddStringToObject(o, "body_base64", b64);
		}
		lk_free(b64);
	}
	return o;
}
