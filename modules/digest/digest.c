/* SPDX-License-Identifier: MIT */
/* digest.so: HTTP Digest authentication (RFC 7616) with one round trip per
 * call: each connection keeps its nonce in memory (never stored) and
 * counts nc, so only the first call of a context meets a 401. Thin glue
 * over digest_challenge.c (parse), digest_response.c (hash) and
 * digest_header.c (format). */
#include <pthread.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <latchkey/module.h>

#include "digest_challenge.h"
#include "digest_header.h"
#include "digest_response.h"

/* 33 random bytes: 44 base64 characters, no padding (as RFC 7616's
 * examples). */
#define DIGEST_CNONCE_BYTES 33
#define DIGEST_CNONCE_LEN 44
#define DIGEST_POOL_CNONCES 32
/* More WWW-Authenticate lines than any server sends. */
#define DIGEST_MAX_CHALLENGE_HEADERS 16

static lk_module_init_fn digest_init;
static lk_module_fini_fn digest_fini;
static lk_scheme_authorize_fn digest_authorize;
static lk_scheme_connect_fields_fn digest_connect_fields;
static lk_scheme_on_response_fn digest_on_response;
static lk_scheme_state_new_fn digest_state_new;
static lk_scheme_state_free_fn digest_state_free;

/* Global: the fetched EVP digests, indexed by enum digest_algo. */
struct digest_mod {
	EVP_MD *md[3];
};

/* Per connection, in the ctx's memory: the nonce and its counter. */
struct digest_state {
	pthread_mutex_t lock; /* nc is shared by every thread of the ctx */
	bool have;	      /* a challenge to answer */
	struct digest_challenge ch;
	uint32_t nc;
	/* -sess: A1 binds the first cnonce (RFC 2617 3.2.2.2), so one
	 * cnonce serves every request on that nonce */
	char sess_cnonce[DIGEST_CNONCE_LEN + 1];
	EVP_MD_CTX *mdctx; /* reused under the lock */
	/* CSPRNG output drawn DIGEST_POOL_CNONCES cnonces at a time: one
	 * RAND_bytes call (and its fork check) per batch, not per request */
	unsigned char pool[DIGEST_POOL_CNONCES * DIGEST_CNONCE_BYTES];
	size_t pool_left; /* unused bytes at the end of pool */
};

static const struct lk_field_decl digest_fields[] = {
    {"username", "Username", true, false},
    {"password", "Password", true, true},
    {NULL, NULL, false, false},
};

static const struct lk_config_key digest_keys[] = {
    {"allow_rfc2069", LK_KEY_BOOL, false, "false", NULL},
    {NULL, 0, false, NULL, NULL},
};

static lk_status digest_init(const struct lk_module_env *env, void **modctx)
{
	/* OpenSSL's names; SHA512-256 is SHA-512/256, not a truncation */
	static const char *const names[] = {"MD5", "SHA2-256", "SHA512-256"};
	struct digest_mod *m = lk_calloc(1, sizeof(*m));

	(void)env;
	if (!m)
		return LK_ENOMEM;
	for (size_t i = 0; i < 3; i++)
		m->md[i] = EVP_MD_fetch(NULL, names[i], NULL);
	/* MD5 may be missing (FIPS providers): MD5 challenges are then
	 * refused one by one; the SHA-2 family must be there. */
	if (!m->md[DIGEST_ALGO_SHA256] || !m->md[DIGEST_ALGO_SHA512_256]) {
		digest_fini(m);
		return LK_EMODULE;
	}
	*modctx = m;
	return LK_OK;
}

static void digest_fini(void *modctx)
{
	struct digest_mod *m = modctx;
	if (!m)
		return;
	for (size_t i = 0; i < 3; i++)
		EVP_MD_free(m->md[i]);
	lk_free(m);
}

static lk_status digest_state_new(void **out, lk_call *call)
{
	struct digest_state *st = lk_calloc(1, sizeof(*st));

	(void)call;
	*out = NULL;
	if (!st)
		return LK_ENOMEM;
	st->mdctx = EVP_MD_CTX_new();
	if (!st->mdctx || pthread_mutex_init(&st->lock, NULL) != 0) {
		EVP_MD_CTX_free(st->mdctx);
		lk_free(st);
		return LK_ENOMEM;
	}
	*out = st;
	return LK_OK;
}

static void digest_state_free(void *state)
{
	struct digest_state *st = state;
	if (!st)
		return;
	digest_challenge_clear(&st->ch);
	EVP_MD_CTX_free(st->mdctx);
	pthread_mutex_destroy(&st->lock);
	lk_secret_free(st, sizeof(*st));
}

/* A fresh cnonce from the state's pool of random bytes (lock held). */
static lk_status new_cnonce(char *out, struct digest_state *st)
{
	unsigned char *take;

	if (st->pool_left == 0) {
		lk_status rc = lk_random_bytes(st->pool, sizeof st->pool);
		if (rc != LK_OK)
			return rc;
		st->pool_left = sizeof st->pool;
	}
	take = st->pool + sizeof st->pool - st->pool_left;
	/* no wipe: a cnonce is public, sent in the clear */
	EVP_EncodeBlock((unsigned char *)out, take, DIGEST_CNONCE_BYTES);
	st->pool_left -= DIGEST_CNONCE_BYTES;
	return LK_OK;
}

/* The request-target the server sees (RFC 7616 3.4: "uri"): path and
 * query of the absolute URL, "/" when the path is empty. Lent from @p url
 * unless *own is set (then lk_free it). */
static const char *request_target(char **own, const char *url, size_t *len)
{
	const char *p = strstr(url, "://");
	size_t n;

	*own = NULL;
	p = p ? p + 3 : url;
	p += strcspn(p, "/?#");
	n = strcspn(p, "#");
	if (n && *p == '/') {
		*len = n;
		return p;
	}
	/* "https://h" or "https://h?q": origin-form starts with "/" */
	*own = lk_malloc(n + 2);
	if (!*own)
		return NULL;
	(*own)[0] = '/';
	memcpy(*own + 1, p, n);
	(*own)[n + 1] = '\0';
	*len = n + 1;
	return *own;
}

/* Answer the cached challenge; the state is locked by the caller. */
static lk_status sign_locked(char **out, char *buf, size_t buflen,
			     lk_call *call, struct digest_state *st,
			     const lk_request *req, const char *uri)
{
	const struct digest_mod *m = lk_call_modctx(call);
	const char *user = lk_call_field(call, "username");
	const char *pass = lk_call_field(call, "password");
	char response[DIGEST_HEX_MAX], userhash[DIGEST_HEX_MAX];
	char cnonce[DIGEST_CNONCE_LEN + 1];
	struct digest_input in;
	struct digest_header h;
	lk_status rc = LK_OK;

	memset(&in, 0, sizeof in);
	in.md = m->md[st->ch.algo];
	in.sess = st->ch.sess;
	/* "auth" when offered: auth-int hashes the whole body each time */
	in.qop = st->ch.qop_auth       ? DIGEST_QOP_AUTH
		 : st->ch.qop_auth_int ? DIGEST_QOP_AUTH_INT
				       : DIGEST_QOP_NONE;
	in.username = user;
	in.password = pass ? pass : "";
	in.realm = st->ch.realm;
	in.nonce = st->ch.nonce;
	in.method = lk_request_method(req);
	in.uri = uri;
	if (in.qop == DIGEST_QOP_AUTH_INT)
		in.body = lk_request_body(req, &in.body_len);
	if (in.qop != DIGEST_QOP_NONE) {
		if (st->nc == UINT32_MAX) {
			/* nc is 8 hex digits: a used-up nonce goes, and
			 * the bare request fetches a new one */
			st->have = false;
			return LK_OK;
		}
		/* RFC 7616 3.4: nc counts requests on this nonce */
		in.nc = ++st->nc;
		if (st->ch.sess) {
			in.cnonce = st->sess_cnonce;
		} else {
			rc = new_cnonce(cnonce, st);
			in.cnonce = cnonce;
		}
	}
	if (rc == LK_OK)
		rc = digest_response_compute(response, st->mdctx, &in);
	if (rc == LK_OK && st->ch.userhash)
		rc = digest_response_userhash(userhash, st->mdctx, in.md, user,
					      st->ch.realm);
	if (rc != LK_OK)
		return lk_call_error(call, rc,
				     "digest: %s: computing the "
				     "response failed",
				     lk_app_id(lk_call_app(call)));
	h = (struct digest_header){
	    .username = st->ch.userhash ? userhash : user,
	    .userhash = st->ch.userhash,
	    .realm = st->ch.realm,
	    .uri = uri,
	    .algorithm = digest_challenge_algo_name(st->ch.algo, st->ch.sess),
	    .nonce = st->ch.nonce,
	    .qop = in.qop,
	    .nc = in.nc,
	    .cnonce = in.cnonce,
	    .response = response,
	    .opaque = st->ch.opaque,
	};
	return digest_header_format(out, buf, buflen, &h);
}

static lk_status digest_check_user(lk_call *call, const char *user)
{
	if (!user || !*user)
		return lk_call_error(call, LK_EINVAL,
				     "digest: %s: the username is missing",
				     lk_app_id(lk_call_app(call)));
	return LK_OK;
}

static lk_status digest_connect_fields(lk_call *call, lk_fields *fields)
{
	(void)fields;
	return digest_check_user(call, lk_call_field(call, "username"));
}

static lk_status digest_authorize(lk_call *call, lk_request *req)
{
	struct digest_state *st = lk_call_state(call);
	char *own_uri = NULL, *uri = NULL, *value = NULL, short_uri[512];
	char short_value[1024];
	const char *target;
	size_t len = 0;
	lk_status rc = digest_check_user(call, lk_call_field(call, "username"));

	if (rc != LK_OK)
		return rc;
	if (!st)
		return lk_call_error(call, LK_EINVAL,
				     "digest: %s: no connection to sign with",
				     lk_app_id(lk_call_app(call)));
	target = request_target(&own_uri, lk_request_url(req), &len);
	/* a NUL-terminated copy: on the stack unless it is long */
	uri = !target		       ? NULL
	      : len < sizeof short_uri ? short_uri
				       : lk_malloc(len + 1);
	if (!uri) {
		lk_free(own_uri);
		return LK_ENOMEM;
	}
	memcpy(uri, target, len);
	uri[len] = '\0';
	pthread_mutex_lock(&st->lock);
	/* No nonce yet: the request goes bare and its 401 brings one. */
	if (st->have)
		rc = sign_locked(&value, short_value, sizeof short_value, call,
				 st, req, uri);
	pthread_mutex_unlock(&st->lock);
	if (rc == LK_OK && value)
		rc = lk_request_set_header(req, "Authorization", value);
	/* the value holds no secret: the response is a one-way hash that
	 * goes out in the clear anyway */
	if (value != short_value)
		lk_free(value);
	if (uri != short_uri)
		lk_free(uri);
	lk_free(own_uri);
	return rc;
}

/* Take a new challenge: nc restarts, -sess gets its cnonce. */
static lk_status install(lk_call *call, struct digest_state *st,
			 struct digest_challenge *ch)
{
	const struct digest_mod *m = lk_call_modctx(call);
	char cnonce[DIGEST_CNONCE_LEN + 1] = "";
	lk_status rc = LK_OK;

	if (!m->md[ch->algo])
		return lk_call_error(
		    call, LK_EAUTH,
		    "digest: %s: the server asks for %s, "
		    "which this OpenSSL does not provide",
		    lk_app_id(lk_call_app(call)),
		    digest_challenge_algo_name(ch->algo, ch->sess));
	pthread_mutex_lock(&st->lock);
	if (ch->sess)
		rc = new_cnonce(cnonce, st);
	if (rc != LK_OK) {
		pthread_mutex_unlock(&st->lock);
		return rc;
	}
	digest_challenge_clear(&st->ch);
	st->ch = *ch;
	memset(ch, 0, sizeof *ch);
	st->nc = 0;
	memcpy(st->sess_cnonce, cnonce, sizeof cnonce);
	st->have = true;
	pthread_mutex_unlock(&st->lock);
	return LK_OK;
}

/* RFC 7616 3.5: a nextnonce in Authentication-Info replaces the nonce. */
static lk_status take_nextnonce(lk_call *call, struct digest_state *st,
				const lk_response *resp)
{
	const char *info = lk_response_header(resp, "Authentication-Info");
	char *next = NULL, err[160];
	lk_status rc;

	if (!info)
		return LK_OK;
	rc = digest_challenge_nextnonce(&next, info, err, sizeof err);
	if (rc != LK_OK)
		return lk_call_error(call, rc,
				     "digest: %s: Authentication-Info: %s",
				     lk_app_id(lk_call_app(call)), err);
	if (!next)
		return LK_OK;
	pthread_mutex_lock(&st->lock);
	if (st->have) {
		lk_free(st->ch.nonce);
		st->ch.nonce = next;
		next = NULL;
		st->nc = 0;
	}
	pthread_mutex_unlock(&st->lock);
	lk_free(next);
	return LK_OK;
}

static lk_status digest_on_response(lk_verdict *out, lk_call *call,
				    const lk_request *req,
				    const lk_response *resp, unsigned attempt)
{
	struct digest_state *st = lk_call_state(call);
	const char *values[DIGEST_MAX_CHALLENGE_HEADERS];
	const char *app = lk_app_id(lk_call_app(call));
	struct digest_challenge ch;
	size_t n = 0;
	char err[256];
	lk_status rc;

	(void)req;
	*out = LK_VERDICT_DONE;
	if (!st)
		return LK_OK;
	if (lk_response_status(resp) != 401)
		return take_nextnonce(call, st, resp);
	for (size_t i = 0; i < lk_response_header_count(resp); i++) {
		const char *name, *value;
		if (lk_response_header_at(resp, i, &name, &value) != LK_OK ||
		    strcasecmp(name, "WWW-Authenticate") != 0)
			continue;
		if (n == DIGEST_MAX_CHALLENGE_HEADERS)
			return lk_call_error(call, LK_EPROTO,
					     "digest: %s: more than %d "
					     "WWW-Authenticate headers",
					     app, DIGEST_MAX_CHALLENGE_HEADERS);
		values[n++] = value;
	}
	rc = digest_challenge_parse(&ch, values, n,
				    lk_call_setting_bool(call, "allow_rfc2069"),
				    err, sizeof err);
	if (rc != LK_OK)
		return lk_call_error(call, rc,
				     "digest: %s: 401 with an unusable "
				     "WWW-Authenticate: %s",
				     app, err);
	/* attempt 0 went out with no nonce or a cached one: a 401 there
	 * is expected (servers forget nonces), retried once. After a
	 * fresh challenge only stale=true earns another try. */
	if (attempt >= 2 || (attempt >= 1 && !ch.stale)) {
		digest_challenge_clear(&ch);
		return lk_call_error(call, LK_EAUTH,
				     "digest: %s: the server refused the "
				     "username or password (401 to a fresh "
				     "challenge)",
				     app);
	}
	const char *algo = digest_challenge_algo_name(ch.algo, ch.sess);
	bool stale = ch.stale;
	rc = install(call, st, &ch);
	digest_challenge_clear(&ch);
	if (rc != LK_OK)
		return rc;
	lk_call_log(call, LK_LOG_DEBUG, "digest: %s: new %s nonce%s", app, algo,
		    stale ? " (stale)" : "");
	*out = LK_VERDICT_RETRY;
	return LK_OK;
}

static const struct lk_scheme_ops digest_scheme = {
    LK_OPS_HEADER(struct lk_scheme_ops),
    .config_keys = digest_keys,
    .fields = digest_fields,
    .authorize = digest_authorize,
    .connect_fields = digest_connect_fields,
    .on_response = digest_on_response,
    .state_new = digest_state_new,
    .state_free = digest_state_free,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("digest", "1.0"),
    .scheme = &digest_scheme,
    .init = digest_init,
    .fini = digest_fini,
};
