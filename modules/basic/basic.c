/* SPDX-License-Identifier: MIT */
/* basic.so: HTTP Basic authentication (RFC 7617). */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <latchkey/module.h>

static lk_scheme_authorize_fn basic_authorize;
static lk_scheme_connect_fields_fn basic_connect_fields;

static const struct lk_field_decl basic_fields[] = {
	{"username", "Username", true, false},
	{"password", "Password", true, true},
	{NULL, NULL, false, false},
};

/* RFC 7617 section 2: a user-id containing a colon is invalid. */
static lk_status basic_check_user(lk_call *call, const char *user)
{
	if (!user || !*user)
		return lk_call_error(call, LK_EINVAL,
				     "basic: the username is missing");
	if (strchr(user, ':'))
		return lk_call_error(call, LK_EINVAL,
				     "basic: the username must not contain "
				     "':' (RFC 7617)");
	return LK_OK;
}

static lk_status basic_connect_fields(lk_call *call, lk_fields *fields)
{
	(void)fields;
	return basic_check_user(call, lk_call_field(call, "username"));
}

static lk_status basic_authorize(lk_call *call, lk_request *req)
{
	const char *user = lk_call_field(call, "username");
	const char *pass = lk_call_field(call, "password");
	size_t ul, pl, rawlen, enclen, hdrlen;
	unsigned char *raw = NULL;
	char *hdr = NULL;
	lk_status rc;

	rc = basic_check_user(call, user);
	if (rc != LK_OK)
		return rc;
	if (!pass)
		pass = "";
	ul = strlen(user);
	pl = strlen(pass);
	rawlen = ul + 1 + pl;
	if (rawlen > 64 * 1024)
		return lk_call_error(call, LK_EINVAL,
				     "basic: username and password are too "
				     "long");
	enclen = 4 * ((rawlen + 2) / 3);
	hdrlen = 6 + enclen + 1;
	raw = lk_malloc(rawlen);
	hdr = lk_malloc(hdrlen);
	if (!raw || !hdr) {
		rc = LK_ENOMEM;
		goto out;
	}
	memcpy(raw, user, ul);
	raw[ul] = ':';
	memcpy(raw + ul + 1, pass, pl);
	memcpy(hdr, "Basic ", 6);
	EVP_EncodeBlock((unsigned char *)hdr + 6, raw, (int)rawlen);
	rc = lk_request_set_header(req, "Authorization", hdr);
out:
	if (raw)
		OPENSSL_cleanse(raw, rawlen);
	lk_free(raw);
	if (hdr)
		OPENSSL_cleanse(hdr, hdrlen);
	lk_free(hdr);
	return rc;
}

static const struct lk_scheme_ops basic_scheme = {
	LK_OPS_HEADER(struct lk_scheme_ops),
	.fields = basic_fields,
	.authorize = basic_authorize,
	.connect_fields = basic_connect_fields,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
	LK_MODULE_HEADER("basic", "1.0"),
	.scheme = &basic_scheme,
};
