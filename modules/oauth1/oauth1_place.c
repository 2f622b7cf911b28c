/* SPDX-License-Identifier: MIT */
/* Placing the protocol parameters, RFC 5849 section 3.5. */
#include "oauth1_place.h"
#include "oauth1_encode.h"

bool oauth1_placement_parse(enum oauth1_placement *out, const char *name)
{
	static const char *const names[] = {"header", "query", "body"};

	for (size_t i = 0; name && i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*out = (enum oauth1_placement)i;
			return true;
		}
	}
	return false;
}

lk_status oauth1_header_value(struct oauth1_buf *out,
			      const struct oauth1_signed *s, const char *realm)
{
	oauth1_buf_str(out, "OAuth ");
	/* Section 3.5.1: realm is a quoted-string, not percent-encoded;
	 * the module refuses '"', '\\' and controls in it. */
	if (realm) {
		oauth1_buf_str(out, "realm=\"");
		oauth1_buf_str(out, realm);
		oauth1_buf_str(out, "\", ");
	}
	for (size_t i = 0; i < s->count; i++) {
		if (i)
			oauth1_buf_str(out, ", ");
		oauth1_buf_str(out, s->params[i].name);
		oauth1_buf_str(out, "=\"");
		oauth1_encode(out, s->params[i].value,
			      strlen(s->params[i].value));
		oauth1_buf_add(out, "\"", 1);
	}
	return out->failed ? LK_ENOMEM : LK_OK;
}

/* name=value&name=value, each encoded (section 3.6). */
static void form_params(struct oauth1_buf *out, const struct oauth1_signed *s)
{
	for (size_t i = 0; i < s->count; i++) {
		if (i)
			oauth1_buf_add(out, "&", 1);
		oauth1_buf_str(out, s->params[i].name);
		oauth1_buf_add(out, "=", 1);
		oauth1_encode(out, s->params[i].value,
			      strlen(s->params[i].value));
	}
}

/* Section 3.5.3: appended to the query, before any fragment. */
static lk_status place_query(lk_request *req, const struct oauth1_signed *s)
{
	const char *url = lk_request_url(req);
	const char *hash = strchr(url, '#');
	size_t base = hash ? (size_t)(hash - url) : strlen(url);
	const char *q = memchr(url, '?', base);
	struct oauth1_buf nu = {0};
	lk_status rc;

	oauth1_buf_add(&nu, url, base);
	if (!q)
		oauth1_buf_add(&nu, "?", 1);
	else if (url[base - 1] != '?' && url[base - 1] != '&')
		oauth1_buf_add(&nu, "&", 1);
	form_params(&nu, s);
	if (hash)
		oauth1_buf_str(&nu, hash);
	if (nu.failed) {
		oauth1_buf_wipe(&nu);
		return LK_ENOMEM;
	}
	rc = lk_request_set_url(req, nu.data);
	oauth1_buf_wipe(&nu);
	return rc;
}

/* Section 3.5.2: appended to a form-encoded body. */
static lk_status place_body(lk_request *req, const struct oauth1_signed *s,
			    const char **why)
{
	size_t len = 0;
	const void *body = lk_request_body(req, &len);
	const char *ct = lk_request_header(req, "Content-Type");
	struct oauth1_buf nb = {0};
	lk_status rc;

	if (len && !oauth1_is_form(ct)) {
		*why = "placement \"body\" needs a form-encoded body "
		       "(application/x-www-form-urlencoded)";
		return LK_EINVAL;
	}
	if (len)
		oauth1_buf_add(&nb, body, len);
	if (len && ((const char *)body)[len - 1] != '&')
		oauth1_buf_add(&nb, "&", 1);
	form_params(&nb, s);
	if (nb.failed) {
		oauth1_buf_wipe(&nb);
		return LK_ENOMEM;
	}
	rc = lk_request_set_body(req, nb.data, nb.len);
	if (rc == LK_OK && !ct)
		rc = lk_request_set_header(req, "Content-Type",
					   "application/x-www-form-urlencoded");
	oauth1_buf_wipe(&nb);
	return rc;
}

lk_status oauth1_place(lk_request *req, const struct oauth1_signed *s,
		       enum oauth1_placement where, const char *realm,
		       const char **why)
{
	struct oauth1_buf h = {0};
	lk_status rc;

	*why = NULL;
	switch (where) {
	case OAUTH1_PLACE_HEADER:
		rc = oauth1_header_value(&h, s, realm);
		if (rc == LK_OK)
			rc =
			    lk_request_set_header(req, "Authorization", h.data);
		oauth1_buf_wipe(&h);
		return rc;
	case OAUTH1_PLACE_QUERY:
		return place_query(req, s);
	case OAUTH1_PLACE_BODY:
		return place_body(req, s, why);
	}
	*why = "unknown placement";
	return LK_EINVAL;
}
