/* SPDX-License-Identifier: MIT */
/* The OAuth 2.0 area of lk-provider: an authorization server (RFC 6749
 * section 4.1, PKCE per RFC 7636) and a protected resource (RFC 6750).
 *
 *   GET  /oauth2/authorize   response_type=code, client_id=lk-client,
 *                            redirect_uri, state, [code_challenge,
 *                            code_challenge_method=S256]: auto-approves
 *                            with 302 to redirect_uri?code=code-N&state=S
 *                            (deny mode: ?error=access_denied&...).
 *   POST /oauth2/token       authorization_code and refresh_token grants;
 *                            client lk-client / lk-secret by
 *                            client_secret_post or _basic (one only);
 *                            PKCE S256 checked; params from the body, or
 *                            the query (unless body_only), or only the
 *                            query (query_only: a body gets 400).
 *                            Answers access_token at-N, refresh_token rt-N
 *                            (new on refresh only with rotate=1),
 *                            token_type, expires_in (ttl), scope, user_id
 *                            u-42, team.name Acme, as JSON, XML or form.
 *                            A used or revoked refresh token and a used
 *                            code: 400 invalid_grant; a wrong client:
 *                            401 invalid_client.
 *   GET  /oauth2/me          Bearer header or ?access_token: 200
 *                            {"login":"octocat","id":42}; unknown or
 *                            expired: 401 invalid_token (or expired_status,
 *                            or 200 {"error":{"code":json_error}}).
 *   POST /oauth2/_/config    form: format=json|xml|form, ttl=N, rotate=0|1,
 *                            query_only=0|1, body_only=0|1, deny=0|1,
 *                            error_200=0|1 (token answers 200 + error),
 *                            refresh_delay_ms=N, expired_status=N,
 *                            json_error=CODE.
 *   POST /oauth2/_/expire    every access token expires now.
 *   POST /oauth2/_/revoke    every refresh token is revoked.
 *   GET  /oauth2/_/stats     {"codes":N,"refreshes":N,"refused":N,
 *                            "issued":N}.
 * POST /_/reset starts over.
 */
#include "provider.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define O2_CLIENT_ID "lk-client"
#define O2_CLIENT_SECRET "lk-secret"
#define O2_MAX 4096 /* codes and tokens kept */

struct o2_code {
	char code[24];
	char redirect_uri[512];
	char challenge[64];
	bool used;
};

struct o2_token {
	char value[24];
	time_t expires; /* access tokens */
	bool revoked;	/* refresh tokens */
};

static struct o2_code codes[O2_MAX];
static struct o2_token access_tokens[O2_MAX], refresh_tokens[O2_MAX];
static unsigned ncodes, naccess, nrefresh;
static unsigned stat_codes, stat_refreshes, stat_refused;

static struct o2_config {
	char format[8];
	long ttl;
	bool rotate, query_only, body_only, deny, error_200;
	unsigned refresh_delay_ms;
	unsigned expired_status;
	char json_error[64];
} cfg;

static void o2_defaults(void)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.format, sizeof(cfg.format), "json");
	cfg.ttl = 3600;
	cfg.rotate = true;
	cfg.expired_status = 401;
}

static void o2_reset(void)
{
	lkp_lock();
	memset(codes, 0, sizeof(codes));
	memset(access_tokens, 0, sizeof(access_tokens));
	memset(refresh_tokens, 0, sizeof(refresh_tokens));
	ncodes = naccess = nrefresh = 0;
	stat_codes = stat_refreshes = stat_refused = 0;
	o2_defaults();
	lkp_unlock();
}

/* A parameter of the token request from the body or the query. */
static const char *param(const struct lkp_req *r, const char *name)
{
	const char *v = lkp_form(r, name);
	return v ? v : lkp_query(r, name);
}

/* Append "&name=escaped(value)" to a Location being built. */
static void add_param(char *buf, size_t size, const char *name,
		      const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0);
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%s%s=%s", strchr(buf, '?') ? "&" : "?",
		 name, e ? e : "");
	curl_free(e);
}

static void authorize(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *rt = lkp_query(r, "response_type");
	const char *cid = lkp_query(r, "client_id");
	const char *ru = lkp_query(r, "redirect_uri");
	const char *state = lkp_query(r, "state");
	const char *ch = lkp_query(r, "code_challenge");
	const char *chm = lkp_query(r, "code_challenge_method");
	char loc[2048];

	if (!ru || strncmp(ru, "http", 4) != 0 || strlen(ru) >= 512)
		return lkp_json_error(w, 400, "invalid_request",
				      "redirect_uri missing or invalid");
	if (!cid || strcmp(cid, O2_CLIENT_ID) != 0)
		return lkp_json_error(w, 400, "invalid_request",
				      "unknown client_id");
	if (ch && (!chm || strcmp(chm, "S256") != 0 || strlen(ch) >= 64))
		return lkp_json_error(w, 400, "invalid_request",
				      "code_challenge_method must be S256");
	snprintf(loc, sizeof(loc), "%s", ru);
	lkp_lock();
	if (cfg.deny || !rt || strcmp(rt, "code") != 0) {
		bool deny = cfg.deny;
		lkp_unlock();
		add_param(loc, sizeof(loc), "error",
			  deny ? "access_denied" : "unsupported_response_type");
		add_param(loc, sizeof(loc), "error_description",
			  deny ? "The user denied the request"
			       : "only response_type=code");
	} else if (ncodes >= O2_MAX) {
		lkp_unlock();
		return lkp_json_error(w, 503, "temporarily_unavailable",
				      "too many codes");
	} else {
		struct o2_code *c = &codes[ncodes++];
		stat_codes++;
		snprintf(c->code, sizeof(c->code), "code-%u", ncodes);
		snprintf(c->redirect_uri, sizeof(c->redirect_uri), "%s", ru);
		snprintf(c->challenge, sizeof(c->challenge), "%s",
			 ch ? ch : "");
		char code[24];
		snprintf(code, sizeof(code), "%s", c->code);
		lkp_unlock();
		add_param(loc, sizeof(loc), "code", code);
	}
	if (state)
		add_param(loc, sizeof(loc), "state", state);
	lkp_set_header(w, "Location", loc);
	lkp_status(w, 302);
}

/* base64url(sha256(verifier)) == challenge (RFC 7636 section 4.6). */
static bool pkce_ok(const char *verifier, const char *challenge)
{
	unsigned char md[32];
	unsigned char b64[48];
	unsigned int mdlen = 0;

	if (!verifier || !EVP_Digest(verifier, strlen(verifier), md, &mdlen,
				     EVP_sha256(), NULL))
		return false;
	int n = EVP_EncodeBlock(b64, md, (int)mdlen);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	for (int i = 0; i < n; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	b64[n] = '\0';
	return strcmp((char *)b64, challenge) == 0;
}

/* Form-decode a component of a Basic credential (RFC 6749 2.3.1). */
static void form_decode(char *out, size_t size, const char *s, size_t len)
{
	char *tmp = strndup(s, len);
	for (char *p = tmp; p && *p; p++)
		if (*p == '+')
			*p = ' ';
	int outlen = 0;
	char *d = tmp ? curl_easy_unescape(NULL, tmp, 0, &outlen) : NULL;
	snprintf(out, size, "%s", d ? d : "");
	curl_free(d);
	free(tmp);
}

/* Which client authenticated: 1 ok, 0 wrong, -1 two methods at once. */
static int client_ok(const struct lkp_req *r)
{
	const char *auth = lkp_header(r, "Authorization");
	const char *secret = param(r, "client_secret");
	char id[256] = "", pw[256] = "";

	if (auth && strncmp(auth, "Basic ", 6) == 0) {
		unsigned char dec[600];
		size_t l = strlen(auth + 6);
		if (secret)
			return -1;
		if (l > 800)
			return 0;
		int n = EVP_DecodeBlock(dec, (const unsigned char *)auth + 6,
					(int)l);
		if (n < 0)
			return 0;
		while (l > 0 && auth[6 + l - 1] == '=' && n > 0) {
			n--;
			l--;
		}
		dec[n] = '\0';
		char *colon = strchr((char *)dec, ':');
		if (!colon)
			return 0;
		form_decode(id, sizeof(id), (char *)dec,
			    (size_t)(colon - (char *)dec));
		form_decode(pw, sizeof(pw), colon + 1, strlen(colon + 1));
		const char *body_id = param(r, "client_id");
		if (body_id && strcmp(body_id, id) != 0)
			return 0;
	} else {
		snprintf(id, sizeof(id), "%s",
			 param(r, "client_id") ? param(r, "client_id") : "");
		snprintf(pw, sizeof(pw), "%s", secret ? secret : "");
	}
	return strcmp(id, O2_CLIENT_ID) == 0 &&
	       strcmp(pw, O2_CLIENT_SECRET) == 0;
}

/* Answer a token in the configured format (RFC 6749 section 5.1). */
static void token_answer(struct lkp_resp *w, const char *at, const char *rt,
			 long ttl, const char *format)
{
	char rtj[64] = "", rtx[64] = "", rtf[64] = "";

	if (rt) {
		snprintf(rtj, sizeof(rtj), "\"refresh_token\":\"%s\",", rt);
		snprintf(rtx, sizeof(rtx), "<refresh_token>%s</refresh_token>",
			 rt);
		snprintf(rtf, sizeof(rtf), "refresh_token=%s&", rt);
	}
	lkp_set_header(w, "Cache-Control", "no-store");
	if (strcmp(format, "xml") == 0)
		lkp_sendf(w, 200, "application/xml",
			  "<?xml version=\"1.0\"?><OAuth><access_token>%s"
			  "</access_token>%s<token_type>bearer</token_type>"
			  "<expires_in>%ld</expires_in><scope>read write"
			  "</scope><user_id>u-42</user_id></OAuth>",
			  at, rtx, ttl);
	else if (strcmp(format, "form") == 0)
		lkp_sendf(w, 200, "application/x-www-form-urlencoded",
			  "access_token=%s&%stoken_type=bearer&expires_in=%ld"
			  "&scope=read+write&user_id=u-42",
			  at, rtf, ttl);
	else
		lkp_sendf(
		    w, 200, "application/json",
		    "{\"access_token\":\"%s\",%s\"token_type\":\"Bearer\","
		    "\"expires_in\":%ld,\"scope\":\"read write\","
		    "\"user_id\":\"u-42\",\"team\":{\"name\":\"Acme\"}}",
		    at, rtj, ttl);
}

static struct o2_token *find(struct o2_token *list, unsigned n,
			     const char *value)
{
	for (unsigned i = 0; value && i < n; i++)
		if (strcmp(list[i].value, value) == 0)
			return &list[i];
	return NULL;
}

/* Issue tokens under the lock; @p rt_out empty when none is issued. */
static bool issue(char *at_out, char *rt_out, bool with_rt)
{
	if (naccess >= O2_MAX || nrefresh >= O2_MAX)
		return false;
	struct o2_token *a = &access_tokens[naccess++];
	snprintf(a->value, sizeof(a->value), "at-%u", naccess);
	a->expires = time(NULL) + cfg.ttl;
	snprintf(at_out, 24, "%s", a->value);
	rt_out[0] = '\0';
	if (with_rt) {
		struct o2_token *t = &refresh_tokens[nrefresh++];
		snprintf(t->value, sizeof(t->value), "rt-%u", nrefresh);
		snprintf(rt_out, 24, "%s", t->value);
	}
	return true;
}

static void token(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *grant = param(r, "grant_type");
	char at[24], rt[24], format[8];
	size_t blen = 0;
	int client;

	lkp_body(r, &blen);
	lkp_lock();
	bool query_only = cfg.query_only, body_only = cfg.body_only;
	bool error_200 = cfg.error_200;
	unsigned delay = cfg.refresh_delay_ms;
	long ttl = cfg.ttl;
	snprintf(format, sizeof(format), "%s", cfg.format);
	lkp_unlock();
	if (query_only && blen > 0)
		return lkp_json_error(w, 400, "invalid_request",
				      "this server reads the query string "
				      "only");
	if (body_only && *lkp_raw_query(r))
		return lkp_json_error(w, 400, "invalid_request",
				      "parameters belong in the body");
	client = client_ok(r);
	if (client < 0)
		return lkp_json_error(w, 400, "invalid_request",
				      "more than one client authentication");
	if (!client) {
		lkp_set_header(w, "WWW-Authenticate", "Basic realm=\"lk\"");
		return lkp_json_error(w, 401, "invalid_client",
				      "client authentication failed");
	}
	if (error_200)
		return lkp_sendf(w, 200, "application/json",
				 "{\"error\":\"invalid_grant\","
				 "\"error_description\":\"in a 200\"}");
	if (grant && strcmp(grant, "authorization_code") == 0) {
		const char *code = param(r, "code");
		const char *ru = param(r, "redirect_uri");
		const char *verifier = param(r, "code_verifier");
		lkp_lock();
		struct o2_code *c = NULL;
		for (unsigned i = 0; code && i < ncodes; i++)
			if (strcmp(codes[i].code, code) == 0)
				c = &codes[i];
		const char *why =
		    !c	      ? "unknown code"
		    : c->used ? "code already used"
		    : !ru || strcmp(ru, c->redirect_uri) != 0
			? "redirect_uri differs"
		    : *c->challenge && !pkce_ok(verifier, c->challenge)
			? "PKCE verification failed"
			: NULL;
		if (c)
			c->used = true;
		bool ok = !why && issue(at, rt, true);
		if (!ok)
			stat_refused++;
		lkp_unlock();
		if (!ok)
			return lkp_json_error(w, 400, "invalid_grant",
					      why ? why : "server full");
		return token_answer(w, at, rt, ttl, format);
	}
	if (grant && strcmp(grant, "refresh_token") == 0) {
		const char *old = param(r, "refresh_token");
		if (delay)
			usleep(delay * 1000u);
		lkp_lock();
		struct o2_token *t = find(refresh_tokens, nrefresh, old);
		bool ok = t && !t->revoked;
		if (ok && cfg.rotate)
			t->revoked = true; /* rotation: single use */
		ok = ok && issue(at, rt, cfg.rotate);
		if (ok)
			stat_refreshes++;
		else
			stat_refused++;
		lkp_unlock();
		if (!ok)
			return lkp_json_error(w, 400, "invalid_grant",
					      "refresh token unknown, used or "
					      "revoked");
		return token_answer(w, at, *rt ? rt : NULL, ttl, format);
	}
	lkp_json_error(w, 400, "unsupported_grant_type",
		       "use authorization_code "
		       "or refresh_token");
}

static void me(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *auth = lkp_header(r, "Authorization");
	const char *q = lkp_query(r, "access_token");
	const char *tok =
	    auth && strncmp(auth, "Bearer ", 7) == 0 ? auth + 7 : q;
	lkp_lock();
	struct o2_token *t = find(access_tokens, naccess, tok);
	bool valid = t && t->expires > time(NULL);
	bool known = t != NULL;
	unsigned st = cfg.expired_status;
	char je[64];
	snprintf(je, sizeof(je), "%s", cfg.json_error);
	lkp_unlock();
	if (valid)
		return lkp_send(w, 200, "application/json",
				"{\"login\":\"octocat\",\"id\":42}");
	if (known && *je)
		return lkp_sendf(w, 200, "application/json",
				 "{\"error\":{\"code\":\"%s\"}}", je);
	lkp_set_header(w, "WWW-Authenticate",
		       "Bearer realm=\"lk\", error=\"invalid_token\"");
	lkp_json_error(w, known ? st : 401, "invalid_token",
		       known ? "the access token expired" : "unknown token");
}

static bool flag(const char *v)
{
	return v && strcmp(v, "1") == 0;
}

static void ctl_config(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *v;

	lkp_lock();
	if ((v = lkp_form(r, "format")))
		snprintf(cfg.format, sizeof(cfg.format), "%s", v);
	if ((v = lkp_form(r, "ttl")))
		cfg.ttl = strtol(v, NULL, 10);
	if ((v = lkp_form(r, "rotate")))
		cfg.rotate = flag(v);
	if ((v = lkp_form(r, "query_only")))
		cfg.query_only = flag(v);
	if ((v = lkp_form(r, "body_only")))
		cfg.body_only = flag(v);
	if ((v = lkp_form(r, "deny")))
		cfg.deny = flag(v);
	if ((v = lkp_form(r, "error_200")))
		cfg.error_200 = flag(v);
	if ((v = lkp_form(r, "refresh_delay_ms")))
		cfg.refresh_delay_ms = (unsigned)strtoul(v, NULL, 10) % 60000u;
	if ((v = lkp_form(r, "expired_status")))
		cfg.expired_status = (unsigned)strtoul(v, NULL, 10);
	if ((v = lkp_form(r, "json_error")))
		snprintf(cfg.json_error, sizeof(cfg.json_error), "%s", v);
	lkp_unlock();
	lkp_status(w, 204);
}

static void ctl_expire(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	for (unsigned i = 0; i < naccess; i++)
		access_tokens[i].expires = 0;
	lkp_unlock();
	lkp_status(w, 204);
}

static void ctl_revoke(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	for (unsigned i = 0; i < nrefresh; i++)
		refresh_tokens[i].revoked = true;
	lkp_unlock();
	lkp_status(w, 204);
}

static void ctl_stats(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	unsigned c = stat_codes, f = stat_refreshes, x = stat_refused;
	unsigned i = naccess;
	lkp_unlock();
	lkp_sendf(w, 200, "application/json",
		  "{\"codes\":%u,\"refreshes\":%u,\"refused\":%u,"
		  "\"issued\":%u}",
		  c, f, x, i);
}

LKP_AREA(oauth2_area)
{
	o2_defaults();
	lkp_route("GET", "/oauth2/authorize", authorize);
	lkp_route("POST", "/oauth2/token", token);
	lkp_route("GET", "/oauth2/me", me);
	lkp_route("POST", "/oauth2/_/config", ctl_config);
	lkp_route("POST", "/oauth2/_/expire", ctl_expire);
	lkp_route("POST", "/oauth2/_/revoke", ctl_revoke);
	lkp_route("GET", "/oauth2/_/stats", ctl_stats);
	lkp_on_reset(o2_reset);
}
