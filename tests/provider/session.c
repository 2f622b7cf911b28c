/* SPDX-License-Identifier: MIT */
/* The session area of lk-provider: a login that trades credentials for
 * an expiring session token, and a resource that wants the token.
 *
 *   POST /session/login   body JSON {"username","password"} or a form
 *                         (username=, password=), by Content-Type.
 *                         ?reply=json (default): {"data":{"session":
 *                         {"key","expires_in"},"user":{"id","name"}}};
 *                         ?reply=xml: <login><token/><user_id/></login>;
 *                         ?reply=form: session_key=..&user_id=..
 *                         ?hostile=missing|object|array|ctl|huge|html:
 *                         a broken answer with status 200.
 *                         Wrong credentials: 401 invalid_credentials.
 *   GET  /session/me      the token as "Authorization: Bearer T",
 *                         "X-Session: T" or ?session=T; 401
 *                         session_expired when unknown or expired.
 *   POST /session/ctl/expire     every issued token expires now.
 *   POST /session/ctl/password   form password=P: alice's new password.
 *   POST /session/ctl/ttl        form seconds=N: lifetime of new tokens.
 *   GET  /session/ctl/stats      {"logins":N,"refused":N}.
 * Tokens are "sess-N", N counting successful logins from 1, so tests
 * know the exact value each login hands out. POST /_/reset starts over.
 */
#include "provider.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SESSION_MAX_TOKENS 1024
#define SESSION_USER "alice"
#define SESSION_DEFAULT_PASSWORD "wonderland"
#define SESSION_DEFAULT_TTL 3600

struct session_token {
	char key[32];
	time_t expires;
};

static struct session_token tokens[SESSION_MAX_TOKENS];
static unsigned logins, refused;
static long ttl = SESSION_DEFAULT_TTL;
static char password[128] = SESSION_DEFAULT_PASSWORD;

static void session_reset(void)
{
	lkp_lock();
	memset(tokens, 0, sizeof(tokens));
	logins = refused = 0;
	ttl = SESSION_DEFAULT_TTL;
	snprintf(password, sizeof(password), "%s", SESSION_DEFAULT_PASSWORD);
	lkp_unlock();
}

/* The credentials from a JSON or a form body, copied into @p user and
 * @p pass; false when the body is neither or lacks them. */
static bool read_credentials(const struct lkp_req *r, char *user, char *pass,
			     size_t n)
{
	const char *ct = lkp_header(r, "Content-Type");
	const char *u = NULL, *p = NULL;
	cJSON *root = NULL;
	bool ok;

	if (ct && !strncmp(ct, "application/json", 16)) {
		root = cJSON_Parse(lkp_body(r, NULL));
		const cJSON *ju =
		    cJSON_GetObjectItemCaseSensitive(root, "username");
		const cJSON *jp =
		    cJSON_GetObjectItemCaseSensitive(root, "password");
		u = cJSON_IsString(ju) ? ju->valuestring : NULL;
		p = cJSON_IsString(jp) ? jp->valuestring : NULL;
	} else {
		u = lkp_form(r, "username");
		p = lkp_form(r, "password");
	}
	ok = u && p && strlen(u) < n && strlen(p) < n;
	if (ok) {
		snprintf(user, n, "%s", u);
		snprintf(pass, n, "%s", p);
	}
	cJSON_Delete(root);
	return ok;
}

/* Answers with status 200 that no client should accept. */
static bool hostile(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *h = lkp_query(r, "hostile");

	if (!h)
		return false;
	if (!strcmp(h, "missing"))
		lkp_send(w, 200, "application/json",
			 "{\"data\":{\"user\":{\"id\":7}}}");
	else if (!strcmp(h, "object"))
		lkp_send(w, 200, "application/json",
			 "{\"data\":{\"session\":{\"key\":{\"v\":\"x\"}}}}");
	else if (!strcmp(h, "array"))
		lkp_send(w, 200, "application/json",
			 "{\"data\":{\"session\":{\"key\":[\"a\",\"b\"]}}}");
	else if (!strcmp(h, "ctl"))
		lkp_send(w, 200, "application/json",
			 "{\"data\":{\"session\":{\"key\":"
			 "\"sess\\r\\nX-Evil: 1\"}}}");
	else if (!strcmp(h, "html"))
		lkp_send(w, 200, "application/json",
			 "<html><body>Welcome back!</body></html>");
	else if (!strcmp(h, "huge")) {
		/* 2 MiB: beyond any sane cap for a login answer. */
		size_t n = 2u << 20;
		char *big = malloc(n + 64);
		if (!big) {
			lkp_json_error(w, 500, "oom", NULL);
			return true;
		}
		memcpy(big, "{\"data\":{\"session\":{\"key\":\"", 27);
		memset(big + 27, 'k', n);
		memcpy(big + 27 + n, "\"}}}", 5);
		lkp_send(w, 200, "application/json", big);
		free(big);
	} else
		lkp_json_error(w, 400, "bad_hostile", h);
	return true;
}

static void reply(const struct lkp_req *r, struct lkp_resp *w, const char *key,
		  long expires_in)
{
	const char *fmt = lkp_query(r, "reply");

	if (fmt && !strcmp(fmt, "xml"))
		lkp_sendf(w, 200, "application/xml",
			  "<?xml version=\"1.0\"?>\n<login><token>%s</token>"
			  "<user_id>7</user_id></login>\n",
			  key);
	else if (fmt && !strcmp(fmt, "form"))
		lkp_sendf(w, 200, "application/x-www-form-urlencoded",
			  "session_key=%s&user_id=7", key);
	else
		lkp_sendf(w, 200, "application/json",
			  "{\"data\":{\"session\":{\"key\":\"%s\","
			  "\"expires_in\":%ld},\"user\":{\"id\":7,"
			  "\"name\":\"Alice\"}}}",
			  key, expires_in);
}

static void login(const struct lkp_req *r, struct lkp_resp *w)
{
	char user[128], pass[128], key[32];
	long life;
	bool good;

	if (strcmp(lkp_path(r), "/session/login"))
		return lkp_json_error(w, 404, "not_found", lkp_path(r));
	if (!read_credentials(r, user, pass, sizeof(user)))
		return lkp_json_error(w, 400, "invalid_request",
				      "username and password are required");
	lkp_lock();
	good = !strcmp(user, SESSION_USER) && !strcmp(pass, password);
	if (!good) {
		refused++;
		lkp_unlock();
		return lkp_json_error(w, 401, "invalid_credentials", NULL);
	}
	if (lkp_query(r, "hostile")) {
		lkp_unlock();
		hostile(r, w);
		return;
	}
	logins++;
	snprintf(key, sizeof(key), "sess-%u", logins);
	life = ttl;
	struct session_token *t = &tokens[(logins - 1) % SESSION_MAX_TOKENS];
	snprintf(t->key, sizeof(t->key), "%s", key);
	t->expires = time(NULL) + life;
	lkp_unlock();
	reply(r, w, key, life);
}

/* The token from any of the places a client may put it. */
static const char *presented(const struct lkp_req *r)
{
	const char *a = lkp_header(r, "Authorization");

	if (a && !strncmp(a, "Bearer ", 7))
		return a + 7;
	if (lkp_header(r, "X-Session"))
		return lkp_header(r, "X-Session");
	return lkp_query(r, "session");
}

static void me(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *tok = presented(r);
	bool valid = false;

	if (strcmp(lkp_path(r), "/session/me"))
		return lkp_json_error(w, 404, "not_found", lkp_path(r));
	lkp_lock();
	for (size_t i = 0; tok && i < SESSION_MAX_TOKENS && !valid; i++)
		valid = tokens[i].key[0] && !strcmp(tokens[i].key, tok) &&
			time(NULL) < tokens[i].expires;
	lkp_unlock();
	if (!valid)
		return lkp_json_error(w, 401, "session_expired",
				      "log in again");
	lkp_send(w, 200, "application/json",
		 "{\"id\":7,\"login\":\"alice\",\"name\":\"Alice\"}");
}

static void ctl(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *path = lkp_path(r);

	if (!strcmp(lkp_method(r), "GET") &&
	    !strcmp(path, "/session/ctl/stats")) {
		lkp_lock();
		lkp_sendf(w, 200, "application/json",
			  "{\"logins\":%u,\"refused\":%u}", logins, refused);
		lkp_unlock();
		return;
	}
	if (strcmp(lkp_method(r), "POST"))
		return lkp_json_error(w, 405, "method_not_allowed", path);
	lkp_lock();
	if (!strcmp(path, "/session/ctl/expire")) {
		for (size_t i = 0; i < SESSION_MAX_TOKENS; i++)
			tokens[i].expires = 0;
	} else if (!strcmp(path, "/session/ctl/password") &&
		   lkp_form(r, "password")) {
		snprintf(password, sizeof(password), "%s",
			 lkp_form(r, "password"));
	} else if (!strcmp(path, "/session/ctl/ttl") &&
		   lkp_form(r, "seconds")) {
		ttl = strtol(lkp_form(r, "seconds"), NULL, 10);
	} else {
		lkp_unlock();
		return lkp_json_error(w, 404, "not_found", path);
	}
	lkp_unlock();
	lkp_status(w, 204);
}

LKP_AREA(session_area)
{
	lkp_route("POST", "/session/login", login);
	lkp_route("GET", "/session/me", me);
	lkp_route(NULL, "/session/ctl/", ctl);
	lkp_on_reset(session_reset);
}
