/* SPDX-License-Identifier: MIT */
/* The basic, apikey and redirect areas of lk-provider.
 *
 * basic:  GET /basic/user, /basic/items with HTTP Basic (RFC 7617):
 *         alice:wonderland, and the UTF-8 user jürgen:pässwörd.
 * apikey: GET /apikey/me, /apikey/items with X-Api-Key or ?api_key=
 *         (key-123: Acme, key-456: Globex); /apikey/bad-request.
 * redirect: /redirect/same?to=PATH (this host), /redirect/other?to=PATH
 *         (http://localhost:PORT, another host name), any method,
 *         &status=301|302|303|307|308, so tests can check a client never
 *         carries credentials to another host.
 */
#include "provider.h"

#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Exact paths only (routes match by prefix): a typo in a test URL must
 * be a 404, as in a real API. */
static bool not_found(const struct lkp_req *r, struct lkp_resp *w,
		      const char *path)
{
	if (!strcmp(lkp_path(r), path))
		return false;
	lkp_json_error(w, 404, "not_found", lkp_path(r));
	return true;
}

struct basic_user {
	const char *user;
	const char *password;
	int id;
};

static const struct basic_user basic_users[] = {
    {"alice", "wonderland", 1},
    /* RFC 7617 section 2.1: with charset="UTF-8" the client sends the
     * UTF-8 bytes of "jürgen:pässwörd". */
    {"j\xc3\xbcrgen", "p\xc3\xa4ssw\xc3\xb6rd", 2},
};

/* Does @p auth carry "Basic base64(user ":" password)"? The scheme name
 * is case-insensitive (RFC 7235 section 2.1). */
static bool basic_matches(const char *auth, const struct basic_user *u)
{
	char plain[128], encoded[192];
	int n;

	n = snprintf(plain, sizeof(plain), "%s:%s", u->user, u->password);
	if (n < 0 || (size_t)n >= sizeof(plain))
		return false;
	EVP_EncodeBlock((unsigned char *)encoded, (const unsigned char *)plain,
			n);
	if (strncasecmp(auth, "Basic ", 6))
		return false;
	auth += 6;
	while (*auth == ' ')
		auth++;
	return !strcmp(auth, encoded);
}

static const struct basic_user *basic_auth(const struct lkp_req *r,
					   struct lkp_resp *w)
{
	const char *auth = lkp_header(r, "Authorization");

	for (size_t i = 0;
	     auth && i < sizeof(basic_users) / sizeof(*basic_users); i++)
		if (basic_matches(auth, &basic_users[i]))
			return &basic_users[i];
	lkp_set_header(w, "WWW-Authenticate",
		       "Basic realm=\"lk\", charset=\"UTF-8\"");
	lkp_json_error(w, 401, "unauthorized",
		       auth ? "bad credentials" : "credentials required");
	return NULL;
}

static void basic_user(const struct lkp_req *r, struct lkp_resp *w)
{
	const struct basic_user *u;

	if (not_found(r, w, "/basic/user"))
		return;
	u = basic_auth(r, w);
	if (u)
		lkp_sendf(w, 200, "application/json",
			  "{\"login\":\"%s\",\"id\":%d}", u->user, u->id);
}

static void basic_items(const struct lkp_req *r, struct lkp_resp *w)
{
	if (not_found(r, w, "/basic/items"))
		return;
	if (basic_auth(r, w))
		lkp_send(w, 200, "application/json",
			 "[{\"id\":1,\"name\":\"alpha\"},"
			 "{\"id\":2,\"name\":\"beta\"}]");
}

struct apikey_account {
	const char *key;
	const char *name;
	int id;
};

static const struct apikey_account apikey_accounts[] = {
    {"key-123", "Acme", 7},
    {"key-456", "Globex", 8},
};

/* The key from the X-Api-Key header, else from ?api_key= or ?key=. */
static const struct apikey_account *apikey_auth(const struct lkp_req *r,
						struct lkp_resp *w)
{
	const char *key = lkp_header(r, "X-Api-Key");

	if (!key)
		key = lkp_query(r, "api_key");
	if (!key)
		key = lkp_query(r, "key");
	for (size_t i = 0;
	     key && i < sizeof(apikey_accounts) / sizeof(*apikey_accounts); i++)
		if (!strcmp(key, apikey_accounts[i].key))
			return &apikey_accounts[i];
	lkp_json_error(w, 401, "unauthorized",
		       key ? "invalid API key" : "API key required");
	return NULL;
}

static void apikey_me(const struct lkp_req *r, struct lkp_resp *w)
{
	const struct apikey_account *a;

	if (not_found(r, w, "/apikey/me"))
		return;
	a = apikey_auth(r, w);
	if (a)
		lkp_sendf(w, 200, "application/json",
			  "{\"account\":{\"name\":\"%s\",\"id\":%d}}", a->name,
			  a->id);
}

static void apikey_items(const struct lkp_req *r, struct lkp_resp *w)
{
	const struct apikey_account *a;

	if (not_found(r, w, "/apikey/items"))
		return;
	a = apikey_auth(r, w);
	if (a)
		lkp_sendf(w, 200, "application/json",
			  "{\"items\":[{\"id\":1,\"name\":\"%s widget\"},"
			  "{\"id\":2,\"name\":\"%s gadget\"}]}",
			  a->name, a->name);
}

static void apikey_bad_request(const struct lkp_req *r, struct lkp_resp *w)
{
	if (not_found(r, w, "/apikey/bad-request"))
		return;
	lkp_send(w, 400, "application/json",
		 "{\"error\":\"bad_request\","
		 "\"message\":\"the request is malformed\"}");
}

/* ?to= must be a path on this server (default /basic/user); ?status=
 * picks the redirect (301, 302, 303, 307, 308; default 302), so tests
 * can check which keep the method and body. */
static void redirect_to(const struct lkp_req *r, struct lkp_resp *w,
			const char *origin)
{
	const char *to = lkp_query(r, "to");
	const char *code = lkp_query(r, "status");
	unsigned status = 302;
	char *location;
	size_t n;

	if (!to)
		to = "/basic/user";
	if (to[0] != '/' || to[1] == '/') {
		lkp_json_error(w, 400, "bad_request", "to must be a path");
		return;
	}
	if (code) {
		static const unsigned codes[] = {301, 302, 303, 307, 308};
		char buf[8];
		size_t i;

		/* Compare as text: "302x" or "0302" is not a status. */
		for (i = 0; i < sizeof(codes) / sizeof(*codes); i++) {
			snprintf(buf, sizeof(buf), "%u", codes[i]);
			if (!strcmp(code, buf))
				break;
		}
		if (i == sizeof(codes) / sizeof(*codes)) {
			lkp_json_error(w, 400, "bad_request",
				       "status must be 301, 302, 303, 307 or "
				       "308");
			return;
		}
		status = codes[i];
	}
	n = strlen(origin) + strlen(to) + 1;
	location = malloc(n);
	if (!location) {
		lkp_json_error(w, 500, "server_error", "out of memory");
		return;
	}
	snprintf(location, n, "%s%s", origin, to);
	lkp_set_header(w, "Location", location);
	lkp_sendf(w, status, "application/json", "{\"location\":\"%s\"}",
		  location);
	free(location);
}

static void redirect_same(const struct lkp_req *r, struct lkp_resp *w)
{
	if (not_found(r, w, "/redirect/same"))
		return;
	redirect_to(r, w, lkp_base());
}

/* Same port, other host name: "localhost" instead of "127.0.0.1". */
static void redirect_other(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *port = strrchr(lkp_base(), ':');
	char origin[64];

	if (not_found(r, w, "/redirect/other"))
		return;
	snprintf(origin, sizeof(origin), "http://localhost%s", port);
	redirect_to(r, w, origin);
}

LKP_AREA(basic_apikey_area)
{
	lkp_route("GET", "/basic/user", basic_user);
	lkp_route("GET", "/basic/items", basic_items);
	lkp_route("GET", "/apikey/me", apikey_me);
	lkp_route("GET", "/apikey/items", apikey_items);
	lkp_route(NULL, "/apikey/bad-request", apikey_bad_request);
	lkp_route(NULL, "/redirect/same", redirect_same);
	lkp_route(NULL, "/redirect/other", redirect_other);
}
