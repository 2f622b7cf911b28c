/* SPDX-License-Identifier: MIT */
/* The Digest area of lk-provider (RFC 7616), written independently of
 * modules/digest so that it checks the client rather than mirrors it.
 *
 *   ANY  /digest/ALGO/QOP[/userhash]/RESOURCE
 *        ALGO: MD5 MD5-sess SHA-256 SHA-256-sess SHA-512-256
 *              SHA-512-256-sess, or "any": three challenges in two
 *              WWW-Authenticate headers (Basic, Digest MD5, Digest
 *              SHA-512-256) and any Digest answer accepted.
 *        QOP:  auth, auth-int, both ("auth, auth-int") or none (RFC
 *              2069). "userhash" asks for userhash=true.
 *        Users: Mufasa / "Circle of Life" and "Jäsøn Doe" /
 *        "Secret, or not?" (to be sent as username*).
 *        200 {"login","algorithm","qop","nc"}; otherwise 401 with a new
 *        nonce and {"error":"unauthorized","error_description":why}.
 *   POST /digest/ctl/stale   every issued nonce turns stale: the next
 *                            use gets 401 with stale=true.
 *   POST /digest/ctl/forget  every issued nonce is forgotten: 401
 *                            without stale (a restarted server).
 *   GET  /digest/ctl/stats   {"requests","ok","unauthorized","nonces"}
 *                            (ctl requests not counted).
 * A nonce counts its nc values: a repeated nc is a replay (401); after
 * 4095 uses it turns stale.
 * POST /_/reset forgets nonces and zeroes the counters.
 */
#include "provider.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DIGEST_REALM "lk-digest@127.0.0.1"
#define DIGEST_OPAQUE "b3BhcXVlLWx0aw"
#define DIGEST_MAX_NONCES 4096
#define DIGEST_MAX_NC 4096 /* nc values remembered per nonce */

struct nonce {
	char value[33];
	bool stale;
	unsigned char seen[DIGEST_MAX_NC / 8]; /* nc already used */
};

static struct nonce *nonces; /* under lkp_lock */
static size_t nnonces;
static unsigned long n_requests, n_ok, n_unauthorized;

static const struct {
	const char *user;
	const char *password;
} users[] = {
    {"Mufasa", "Circle of Life"},
    {"J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?"},
};

static const char *md_name(const char *algo)
{
	if (!strncasecmp(algo, "MD5", 3))
		return "MD5";
	if (!strncasecmp(algo, "SHA-512-256", 11))
		return "SHA512-256";
	if (!strncasecmp(algo, "SHA-256", 7))
		return "SHA256";
	return NULL;
}

/* H(a ":" b ":" ...) into @p hex; @p n parts. */
static void hash_hex(char *hex, const char *md, const char *const *parts,
		     size_t n)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned len = 0;

	EVP_DigestInit_ex(c, EVP_get_digestbyname(md), NULL);
	for (size_t i = 0; i < n; i++) {
		if (i)
			EVP_DigestUpdate(c, ":", 1);
		EVP_DigestUpdate(c, parts[i], strlen(parts[i]));
	}
	EVP_DigestFinal_ex(c, h, &len);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	hex[2 * len] = '\0';
}

static void body_hash(char *hex, const char *md, const char *body, size_t len)
{
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned hl = 0;

	EVP_DigestInit_ex(c, EVP_get_digestbyname(md), NULL);
	EVP_DigestUpdate(c, body, len);
	EVP_DigestFinal_ex(c, h, &hl);
	EVP_MD_CTX_free(c);
	for (unsigned i = 0; i < hl; i++)
		snprintf(hex + 2 * i, 3, "%02x", h[i]);
	hex[2 * hl] = '\0';
}

/* The Authorization's auth-params, parsed simply: name=token or
 * name="quoted\"string". At most 16; values copied. */
struct params {
	char name[16][32];
	char value[16][512];
	int n;
};

static bool parse_auth(struct params *p, const char *h)
{
	p->n = 0;
	if (strncasecmp(h, "Digest ", 7) != 0)
		return false;
	h += 7;
	while (*h) {
		while (*h == ' ' || *h == ',')
			h++;
		if (!*h)
			break;
		if (p->n == 16)
			return false;
		size_t n = strcspn(h, "= ");
		if (n == 0 || n >= 32 || h[n] != '=')
			return false;
		memcpy(p->name[p->n], h, n);
		p->name[p->n][n] = '\0';
		h += n + 1;
		size_t o = 0;
		if (*h == '"') {
			for (h++; *h && *h != '"'; h++) {
				if (*h == '\\' && h[1])
					h++;
				if (o + 1 >= 512)
					return false;
				p->value[p->n][o++] = *h;
			}
			if (*h != '"')
				return false;
			h++;
		} else {
			while (*h && *h != ',' && *h != ' ' && o + 1 < 512)
				p->value[p->n][o++] = *h++;
		}
		p->value[p->n][o] = '\0';
		p->n++;
	}
	return true;
}

static const char *get(const struct params *p, const char *name)
{
	for (int i = 0; i < p->n; i++)
		if (!strcasecmp(p->name[i], name))
			return p->value[i];
	return NULL;
}

/* RFC 8187: UTF-8''percent-encoded, decoded in place into @p out. */
static bool decode_ext(char *out, size_t cap, const char *v)
{
	size_t o = 0;
	if (strncasecmp(v, "UTF-8''", 7) != 0)
		return false;
	for (v += 7; *v && o + 1 < cap; v++) {
		if (*v == '%' && v[1] && v[2]) {
			char hx[3] = {v[1], v[2], 0};
			out[o++] = (char)strtol(hx, NULL, 16);
			v += 2;
		} else {
			out[o++] = *v;
		}
	}
	out[o] = '\0';
	return true;
}

/* Parse "/digest/ALGO/QOP[/userhash]/..." */
struct route {
	char algo[32];
	char qop[16];
	bool userhash;
};

static bool parse_route(struct route *rt, const char *path)
{
	const char *p = path + strlen("/digest/");
	size_t n = strcspn(p, "/");
	if (!n || n >= sizeof rt->algo || !p[n])
		return false;
	memcpy(rt->algo, p, n);
	rt->algo[n] = '\0';
	p += n + 1;
	n = strcspn(p, "/");
	if (!n || n >= sizeof rt->qop || !p[n])
		return false;
	memcpy(rt->qop, p, n);
	rt->qop[n] = '\0';
	p += n + 1;
	rt->userhash = !strncmp(p, "userhash/", 9);
	if (strcmp(rt->algo, "any") && !md_name(rt->algo))
		return false;
	return !strcmp(rt->qop, "auth") || !strcmp(rt->qop, "auth-int") ||
	       !strcmp(rt->qop, "both") || !strcmp(rt->qop, "none");
}

/* A new nonce, remembered; lock held. */
static const char *issue_nonce(void)
{
	unsigned char raw[16];
	struct nonce *n;

	if (nnonces == DIGEST_MAX_NONCES) {
		memmove(nonces, nonces + 1, (nnonces - 1) * sizeof *nonces);
		nnonces--;
	}
	n = &nonces[nnonces++];
	memset(n, 0, sizeof *n);
	RAND_bytes(raw, sizeof raw);
	for (size_t i = 0; i < sizeof raw; i++)
		snprintf(n->value + 2 * i, 3, "%02x", raw[i]);
	return n->value;
}

static struct nonce *find_nonce(const char *value)
{
	for (size_t i = nnonces; i-- > 0;)
		if (!strcmp(nonces[i].value, value))
			return &nonces[i];
	return NULL;
}

static void challenge(struct lkp_resp *w, const struct route *rt, bool stale,
		      const char *why)
{
	char h[512];
	const char *qop = !strcmp(rt->qop, "both") ? "auth, auth-int" : rt->qop;
	lkp_lock();
	const char *nonce = issue_nonce();
	n_unauthorized++;
	if (!strcmp(rt->algo, "any")) {
		/* two headers, three challenges; the strongest is last */
		snprintf(h, sizeof h,
			 "Basic realm=\"lk\", Digest realm=\"" DIGEST_REALM
			 "\", qop=\"auth\", algorithm=MD5, nonce=\"%s\", "
			 "opaque=\"" DIGEST_OPAQUE "\"",
			 nonce);
		lkp_set_header(w, "WWW-Authenticate", h);
		snprintf(h, sizeof h,
			 "Digest realm=\"" DIGEST_REALM "\", qop=\"auth\", "
			 "algorithm=SHA-512-256, nonce=\"%s\", "
			 "opaque=\"" DIGEST_OPAQUE "\"%s",
			 nonce, stale ? ", stale=true" : "");
	} else {
		char q[64] = "";
		if (strcmp(qop, "none"))
			snprintf(q, sizeof q, "qop=\"%s\", ", qop);
		snprintf(h, sizeof h,
			 "Digest realm=\"" DIGEST_REALM "\", %salgorithm=%s, "
			 "nonce=\"%s\", opaque=\"" DIGEST_OPAQUE "\"%s%s",
			 q, rt->algo, nonce, stale ? ", stale=true" : "",
			 rt->userhash ? ", userhash=true" : "");
	}
	lkp_unlock();
	lkp_set_header(w, "WWW-Authenticate", h);
	lkp_json_error(w, 401, "unauthorized", why);
}

/* Check the Authorization against @p rt; NULL when good, else why. */
static const char *verify(const struct lkp_req *r, const struct route *rt,
			  const struct params *p, bool *stale,
			  const char **login, unsigned long *nc_out)
{
	const char *algo = get(p, "algorithm") ? get(p, "algorithm") : "MD5";
	const char *uri = get(p, "uri"), *nonce = get(p, "nonce");
	const char *qop = get(p, "qop"), *nc = get(p, "nc");
	const char *cnonce = get(p, "cnonce"), *resp = get(p, "response");
	const char *md = md_name(algo);
	char want_uri[1024], user[256], ha1[129], ha2[129], hb[129],
	    expect[129];
	const char *pass = NULL;
	bool sess = strstr(algo, "-sess") != NULL;

	*stale = false;
	if (!uri || !nonce || !resp || !get(p, "realm"))
		return "missing uri, nonce, realm or response";
	if (strcmp(get(p, "realm"), DIGEST_REALM))
		return "wrong realm";
	if (!md || (strcmp(rt->algo, "any") && strcasecmp(algo, rt->algo)))
		return "wrong algorithm";
	if (!get(p, "opaque") || strcmp(get(p, "opaque"), DIGEST_OPAQUE))
		return "opaque not echoed";
	snprintf(want_uri, sizeof want_uri, "%s%s%s", lkp_path(r),
		 *lkp_raw_query(r) ? "?" : "", lkp_raw_query(r));
	if (strcmp(uri, want_uri))
		return "uri is not the request-target";
	if (!strcmp(rt->qop, "none")) {
		if (qop || nc || cnonce)
			return "qop, nc or cnonce without a qop challenge";
	} else if (!qop || !nc || !cnonce || strlen(nc) != 8 || !*cnonce) {
		return "missing qop, nc or cnonce";
	} else if (!strcmp(qop, "auth")	      ? !strcmp(rt->qop, "auth-int")
		   : !strcmp(qop, "auth-int") ? !strcmp(rt->qop, "auth")
					      : true) {
		return "qop not offered";
	}
	/* the user: plain, username* (RFC 8187) or hashed (userhash) */
	user[0] = '\0';
	for (size_t i = 0; i < sizeof users / sizeof users[0]; i++) {
		const char *given = get(p, "username");
		const char *star = get(p, "username*");
		char dec[256], uh[129];
		const char *parts[] = {users[i].user, DIGEST_REALM};
		if (rt->userhash) {
			if (!given || !get(p, "userhash") ||
			    strcmp(get(p, "userhash"), "true"))
				return "userhash=true expected";
			hash_hex(uh, md, parts, 2);
			if (strcmp(given, uh))
				continue;
		} else if (star) {
			if (given || !decode_ext(dec, sizeof dec, star) ||
			    strcmp(dec, users[i].user))
				continue;
		} else if (!given || strcmp(given, users[i].user)) {
			continue;
		}
		snprintf(user, sizeof user, "%s", users[i].user);
		pass = users[i].password;
		*login = users[i].user;
	}
	if (!pass)
		return "unknown user";
	lkp_lock();
	struct nonce *n = find_nonce(nonce);
	bool known = n != NULL, was_stale = n && n->stale;
	unsigned long ncv = nc ? strtoul(nc, NULL, 16) : 0;
	bool replay = false;
	if (n && nc) {
		if (ncv == 0)
			replay = true;
		else if (ncv >= DIGEST_MAX_NC)
			was_stale = true; /* used up: a fresh nonce, please */
		else if (n->seen[ncv / 8] & (1u << (ncv % 8)))
			replay = true;
	}
	lkp_unlock();
	if (!known)
		return "unknown nonce";
	/* compute what the response must be (RFC 7616 section 3.4.1) */
	const char *a1[] = {user, DIGEST_REALM, pass};
	hash_hex(ha1, md, a1, 3);
	if (sess) {
		const char *s[] = {ha1, nonce, cnonce ? cnonce : ""};
		hash_hex(ha1, md, s, 3);
	}
	if (qop && !strcmp(qop, "auth-int")) {
		size_t blen = 0;
		const char *body = lkp_body(r, &blen);
		body_hash(hb, md, body, blen);
		const char *a2[] = {lkp_method(r), uri, hb};
		hash_hex(ha2, md, a2, 3);
	} else {
		const char *a2[] = {lkp_method(r), uri};
		hash_hex(ha2, md, a2, 2);
	}
	if (qop) {
		const char *x[] = {ha1, nonce, nc, cnonce, qop, ha2};
		hash_hex(expect, md, x, 6);
	} else {
		const char *x[] = {ha1, nonce, ha2};
		hash_hex(expect, md, x, 3);
	}
	if (strcmp(expect, resp))
		return "wrong response (password?)";
	/* right password, old nonce: stale (RFC 7616 section 3.3) */
	if (was_stale) {
		*stale = true;
		return "stale nonce";
	}
	if (replay)
		return "nc replayed";
	if (nc) {
		lkp_lock();
		n = find_nonce(nonce);
		if (n)
			n->seen[ncv / 8] |= (unsigned char)(1u << (ncv % 8));
		lkp_unlock();
	}
	*nc_out = ncv;
	return NULL;
}

static void protected(const struct lkp_req *r, struct lkp_resp *w)
{
	struct route rt;
	struct params p;
	const char *auth = lkp_header(r, "Authorization");
	const char *why, *login = NULL;
	unsigned long nc = 0;
	bool stale = false;

	if (!parse_route(&rt, lkp_path(r))) {
		lkp_json_error(w, 404, "not_found", "no such digest route");
		return;
	}
	lkp_lock();
	n_requests++;
	lkp_unlock();
	if (!auth) {
		challenge(w, &rt, false, "credentials required");
		return;
	}
	if (!parse_auth(&p, auth)) {
		lkp_json_error(w, 400, "bad_request",
			       "malformed Authorization header");
		return;
	}
	why = verify(r, &rt, &p, &stale, &login, &nc);
	if (why) {
		challenge(w, &rt, stale, why);
		return;
	}
	lkp_lock();
	n_ok++;
	lkp_unlock();
	lkp_sendf(w, 200, "application/json",
		  "{\"login\":\"%s\",\"algorithm\":\"%s\",\"qop\":\"%s\","
		  "\"nc\":%lu}",
		  login, get(&p, "algorithm") ? get(&p, "algorithm") : "MD5",
		  get(&p, "qop") ? get(&p, "qop") : "none", nc);
}

static void ctl_stale(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	for (size_t i = 0; i < nnonces; i++)
		nonces[i].stale = true;
	lkp_unlock();
	lkp_status(w, 204);
}

static void ctl_forget(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	nnonces = 0;
	lkp_unlock();
	lkp_status(w, 204);
}

static void ctl_stats(const struct lkp_req *r, struct lkp_resp *w)
{
	(void)r;
	lkp_lock();
	unsigned long a = n_requests, b = n_ok, c = n_unauthorized;
	size_t d = nnonces;
	lkp_unlock();
	lkp_sendf(w, 200, "application/json",
		  "{\"requests\":%lu,\"ok\":%lu,\"unauthorized\":%lu,"
		  "\"nonces\":%zu}",
		  a, b, c, d);
}

static void digest_reset(void)
{
	lkp_lock();
	nnonces = 0;
	n_requests = n_ok = n_unauthorized = 0;
	lkp_unlock();
}

LKP_AREA(digest_area)
{
	nonces = calloc(DIGEST_MAX_NONCES, sizeof *nonces);
	if (!nonces)
		abort(); /* test server: cannot run without its table */
	lkp_route(NULL, "/digest/", protected);
	lkp_route("POST", "/digest/ctl/stale", ctl_stale);
	lkp_route("POST", "/digest/ctl/forget", ctl_forget);
	lkp_route("GET", "/digest/ctl/stats", ctl_stats);
	lkp_on_reset(digest_reset);
}
