/* SPDX-License-Identifier: MIT */
/* The OAuth 1.0a area of lk-provider (RFC 5849): the three endpoints of
 * section 2 and a protected resource, each verifying the request's
 * signature on its own code path (libcurl's escaping, OpenSSL's EVP_Q_mac
 * and EVP_DigestVerify: nothing shared with modules/oauth1).
 *
 *   POST /oauth1/request_token  signed by consumer lk-consumer (secret
 *                               below) without a token; needs
 *                               oauth_callback; answers oauth_token=rt-N,
 *                               oauth_token_secret, oauth_callback_
 *                               confirmed=true (form, or JSON / XML by
 *                               config; or a hostile answer, see config).
 *   GET  /oauth1/authorize      ?oauth_token=rt-N: auto-approves with 302
 *                               to the callback + oauth_token (unless
 *                               send_token=0) + oauth_verifier=vf-N.
 *   POST /oauth1/access_token   signed with the temporary token; the
 *                               verifier must match (once); answers
 *                               oauth_token=at-N, oauth_token_secret,
 *                               user_id=42, screen_name=alice.
 *   ANY  /oauth1/me             signed with an access token: 200
 *                               {"screen_name":"alice","user_id":42,
 *                               "signed_params":N,"body_hash":B}.
 *   POST /oauth1/_/config       form: format=form|json|xml,
 *                               request_answer=ok|unconfirmed|no_secret|
 *                               html|status500, access_answer=ok|
 *                               no_token|html, send_token=0|1,
 *                               bad_token=0|1 (authorize sends another
 *                               token back).
 * Signatures: HMAC-SHA1, HMAC-SHA256, RSA-SHA1 (the oauth.net test key's
 * public half), PLAINTEXT. Refusals are 401 JSON errors: signature_invalid,
 * nonce_used (replay of consumer+token+timestamp+nonce), timestamp_refused
 * (more than 300 s away), token_rejected, verifier_invalid,
 * parameter_absent. POST /_/reset starts over.
 */
#include "provider.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define O1_CONSUMER_KEY "lk-consumer"
/* Characters that need encoding, so a client's key building is tested. */
#define O1_CONSUMER_SECRET "cs&+/ %\xc3\xa9"
#define O1_MAX 1024
#define O1_MAX_PARAMS 256
#define O1_WINDOW 300

/* The public half of tests/modules/oauth1/wiki-oauth-net-rsa.pem. */
static const char o1_rsa_pub[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC0YjCwIfYoprq/FQO6lb3asXrx\n"
    "LlJFuCvtinTF5p0GxvQGu5O3gYytUvtC2JlYzypSRjVxwxrsuRcP3e641SdASwfr\n"
    "mzyvIgP08N4S0IFzEURkV1wp/IpH7kH41EtbmUmrXSwfNZsnQRE5SYSOhh+LcK2w\n"
    "yQkdgcMv11l4KoBkcwIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

enum o1_kind { O1_TEMP, O1_ACCESS };

struct o1_token {
	enum o1_kind kind;
	char token[24];
	char secret[40];
	char callback[512];
	char verifier[24];
	bool authorized, used;
};

static struct o1_token tokens[O1_MAX];
static unsigned ntokens;
static char nonces[O1_MAX][160];
static unsigned nnonces;

static struct o1_config {
	char format[8];
	char request_answer[16];
	char access_answer[16];
	bool send_token, bad_token;
} cfg;

static void o1_defaults(void)
{
	memset(&cfg, 0, sizeof(cfg));
	snprintf(cfg.format, sizeof(cfg.format), "form");
	snprintf(cfg.request_answer, sizeof(cfg.request_answer), "ok");
	snprintf(cfg.access_answer, sizeof(cfg.access_answer), "ok");
	cfg.send_token = true;
}

static void o1_reset(void)
{
	lkp_lock();
	memset(tokens, 0, sizeof(tokens));
	ntokens = 0;
	nnonces = 0;
	o1_defaults();
	lkp_unlock();
}

/* ------------------------------------------------- parameters (3.4.1.3) */

struct o1_param {
	char *name, *value; /* decoded */
};

struct o1_params {
	struct o1_param p[O1_MAX_PARAMS];
	size_t n;
};

static void params_free(struct o1_params *ps)
{
	for (size_t i = 0; i < ps->n; i++) {
		curl_free(ps->p[i].name);
		curl_free(ps->p[i].value);
	}
	ps->n = 0;
}

/* Form decoding: '+' a space, then percent-decoding (libcurl). */
static char *form_unescape(const char *s, size_t len)
{
	char *tmp = strndup(s, len);
	int outlen = 0;
	char *d;

	if (!tmp)
		return NULL;
	for (char *p = tmp; *p; p++)
		if (*p == '+')
			*p = ' ';
	d = curl_easy_unescape(NULL, tmp, 0, &outlen);
	free(tmp);
	return d;
}

static bool params_add(struct o1_params *ps, char *name, char *value)
{
	if (!name || !value || ps->n >= O1_MAX_PARAMS) {
		curl_free(name);
		curl_free(value);
		return false;
	}
	ps->p[ps->n].name = name;
	ps->p[ps->n].value = value;
	ps->n++;
	return true;
}

static bool params_add_form(struct o1_params *ps, const char *s)
{
	while (s && *s) {
		size_t len = strcspn(s, "&");
		const char *eq = memchr(s, '=', len);
		size_t nl = eq ? (size_t)(eq - s) : len;
		if (len && !params_add(ps, form_unescape(s, nl),
				       eq ? form_unescape(eq + 1, len - nl - 1)
					  : form_unescape("", 0)))
			return false;
		s += len;
		if (*s == '&')
			s++;
	}
	return true;
}

/* Section 3.5.1: OAuth name="value", ... (values percent-encoded). */
static bool params_add_header(struct o1_params *ps, const char *h)
{
	int outlen;

	if (strncasecmp(h, "OAuth ", 6) != 0)
		return true;
	h += 6;
	while (*h) {
		while (*h == ' ' || *h == ',' || *h == '\t')
			h++;
		if (!*h)
			break;
		const char *eq = strchr(h, '=');
		if (!eq || eq[1] != '"')
			return false;
		const char *end = strchr(eq + 2, '"');
		if (!end)
			return false;
		char *name = strndup(h, (size_t)(eq - h));
		char *raw = strndup(eq + 2, (size_t)(end - eq - 2));
		char *value =
		    raw ? curl_easy_unescape(NULL, raw, 0, &outlen) : NULL;
		char *cname =
		    name ? curl_easy_unescape(NULL, name, 0, &outlen) : NULL;
		free(name);
		free(raw);
		/* realm is not a signed parameter (section 3.4.1.3.1). */
		if (cname && strcmp(cname, "realm") == 0) {
			curl_free(cname);
			curl_free(value);
		} else if (!params_add(ps, cname, value)) {
			return false;
		}
		h = end + 1;
	}
	return true;
}

static const char *params_get(const struct o1_params *ps, const char *name)
{
	const char *v = NULL;
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			v = ps->p[i].value;
	return v;
}

static size_t params_count(const struct o1_params *ps, const char *name)
{
	size_t n = 0;
	for (size_t i = 0; i < ps->n; i++)
		n += strcmp(ps->p[i].name, name) == 0;
	return n;
}

/* ---------------------------------------------- base string (3.4.1.1) */

struct enc_pair {
	char *name, *value;
};

static int enc_cmp(const void *a, const void *b)
{
	const struct enc_pair *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->value, y->value);
}

static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
	size_t n = strlen(s);
	if (!*buf)
		return;
	if (*len + n + 1 > *cap) {
		size_t nc = (*len + n + 1) * 2;
		char *nb = realloc(*buf, nc);
		if (!nb) {
			free(*buf);
			*buf = NULL;
			return;
		}
		*buf = nb;
		*cap = nc;
	}
	memcpy(*buf + *len, s, n + 1);
	*len += n;
}

static void append_escaped(char **buf, size_t *len, size_t *cap, const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0);
	append(buf, len, cap, e ? e : "");
	curl_free(e);
}

/* METHOD&enc(base URI)&enc(sorted enc(name)=enc(value) joined by &),
 * oauth_signature left out. The base URI is this emulator's own. */
static char *base_string(const struct lkp_req *r, const struct o1_params *ps)
{
	struct enc_pair *pairs = calloc(ps->n + 1, sizeof(*pairs));
	size_t n = 0, len = 0, cap = 256, plen = 0, pcap = 256;
	char *out = malloc(cap), *norm = malloc(pcap), *uri;

	if (!pairs || !out || !norm) {
		free(pairs);
		free(out);
		free(norm);
		return NULL;
	}
	out[0] = norm[0] = '\0';
	for (size_t i = 0; i < ps->n; i++) {
		if (strcmp(ps->p[i].name, "oauth_signature") == 0)
			continue;
		pairs[n].name = curl_easy_escape(NULL, ps->p[i].name, 0);
		pairs[n].value = curl_easy_escape(NULL, ps->p[i].value, 0);
		n++;
	}
	qsort(pairs, n, sizeof(*pairs), enc_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			append(&norm, &plen, &pcap, "&");
		append(&norm, &plen, &pcap, pairs[i].name ? pairs[i].name : "");
		append(&norm, &plen, &pcap, "=");
		append(&norm, &plen, &pcap,
		       pairs[i].value ? pairs[i].value : "");
		curl_free(pairs[i].name);
		curl_free(pairs[i].value);
	}
	free(pairs);
	append(&out, &len, &cap, lkp_method(r));
	append(&out, &len, &cap, "&");
	size_t ulen = strlen(lkp_base()) + strlen(lkp_path(r)) + 1;
	uri = malloc(ulen);
	if (uri) {
		snprintf(uri, ulen, "%s%s", lkp_base(), lkp_path(r));
		append_escaped(&out, &len, &cap, uri);
		free(uri);
	}
	append(&out, &len, &cap, "&");
	if (norm)
		append_escaped(&out, &len, &cap, norm);
	free(norm);
	return out;
}

/* ------------------------------------------------- verification (3.4) */

static char *b64(const unsigned char *raw, size_t n)
{
	char *out = malloc(4 * ((n + 2) / 3) + 1);
	if (out)
		EVP_EncodeBlock((unsigned char *)out, raw, (int)n);
	return out;
}

static char *hmac_key(const char *token_secret)
{
	char *c = curl_easy_escape(NULL, O1_CONSUMER_SECRET, 0);
	char *t = curl_easy_escape(NULL, token_secret, 0);
	char *k = NULL;
	if (c && t && (k = malloc(strlen(c) + strlen(t) + 2)))
		snprintf(k, strlen(c) + strlen(t) + 2, "%s&%s", c, t);
	curl_free(c);
	curl_free(t);
	return k;
}

static bool rsa_verify(const char *base, const char *sig_b64)
{
	BIO *bio = BIO_new_mem_buf(o1_rsa_pub, -1);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char raw[1024];
	size_t sl = strlen(sig_b64);
	bool ok = false;

	if (key && md && sl % 4 == 0 && sl / 4 * 3 <= sizeof(raw)) {
		int n = EVP_DecodeBlock(raw, (const unsigned char *)sig_b64,
					(int)sl);
		while (n > 0 && sl && sig_b64[sl - 1] == '=') {
			n--;
			sl--;
		}
		ok = n > 0 &&
		     EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, key) ==
			 1 &&
		     EVP_DigestVerify(md, raw, (size_t)n,
				      (const unsigned char *)base,
				      strlen(base)) == 1;
	}
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return ok;
}

/* @p base_out (malloc'd, may be NULL) gets the base string computed, so
 * a refusal can show it: it holds no secret, and a client's author needs
 * it to see what differs. */
static bool signature_ok(const struct lkp_req *r, const struct o1_params *ps,
			 const char *token_secret, char **base_out)
{
	const char *method = params_get(ps, "oauth_signature_method");
	const char *sig = params_get(ps, "oauth_signature");
	char *key = hmac_key(token_secret), *base = NULL, *expect = NULL;
	bool ok = false;

	if (!method || !sig || !key)
		goto out;
	if (strcmp(method, "PLAINTEXT") == 0) {
		ok = strcmp(sig, key) == 0;
		goto out;
	}
	base = base_string(r, ps);
	if (!base)
		goto out;
	if (strcmp(method, "RSA-SHA1") == 0) {
		ok = rsa_verify(base, sig);
	} else if (strcmp(method, "HMAC-SHA1") == 0 ||
		   strcmp(method, "HMAC-SHA256") == 0) {
		unsigned char md[EVP_MAX_MD_SIZE];
		size_t mdlen = 0;
		if (EVP_Q_mac(
			NULL, "HMAC", NULL,
			strcmp(method, "HMAC-SHA1") == 0 ? "SHA1" : "SHA256",
			NULL, key, strlen(key), (const unsigned char *)base,
			strlen(base), md, sizeof(md), &mdlen)) {
			expect = b64(md, mdlen);
			ok = expect && strcmp(expect, sig) == 0;
		}
	}
out:
	free(key);
	if (base_out)
		*base_out = base;
	else
		free(base);
	free(expect);
	return ok;
}

/* Gather a request's parameters: query, form body, Authorization. */
static bool gather(struct o1_params *ps, const struct lkp_req *r)
{
	const char *ct = lkp_header(r, "Content-Type");
	const char *auth = lkp_header(r, "Authorization");

	ps->n = 0;
	if (!params_add_form(ps, lkp_raw_query(r)))
		return false;
	if (ct &&
	    strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
	    !params_add_form(ps, lkp_body(r, NULL)))
		return false;
	return !auth || params_add_header(ps, auth);
}

/* Check everything but the signature: the protocol parameters once each,
 * the consumer, the timestamp window, the nonce. Returns an error code or
 * NULL. Called under the lock (nonces). */
static const char *protocol_check(const struct o1_params *ps)
{
	static const char *const once[] = {
	    "oauth_consumer_key", "oauth_signature_method", "oauth_signature",
	    "oauth_timestamp", "oauth_nonce"};
	const char *ck = params_get(ps, "oauth_consumer_key");
	const char *ts = params_get(ps, "oauth_timestamp");
	const char *nonce = params_get(ps, "oauth_nonce");
	const char *tok = params_get(ps, "oauth_token");
	const char *ver = params_get(ps, "oauth_version");
	const char *m = params_get(ps, "oauth_signature_method");
	char key[160];
	char *end = NULL;
	long long t;

	for (size_t i = 0; i < sizeof(once) / sizeof(once[0]); i++)
		if (params_count(ps, once[i]) != 1)
			return "parameter_absent";
	if (m && strcmp(m, "PLAINTEXT") == 0)
		return strcmp(ck, O1_CONSUMER_KEY) ? "consumer_key_unknown"
						   : NULL;
	if (ver && strcmp(ver, "1.0") != 0)
		return "version_rejected";
	if (strcmp(ck, O1_CONSUMER_KEY) != 0)
		return "consumer_key_unknown";
	t = strtoll(ts, &end, 10);
	if (!*ts || *end || t < (long long)time(NULL) - O1_WINDOW ||
	    t > (long long)time(NULL) + O1_WINDOW)
		return "timestamp_refused";
	snprintf(key, sizeof(key), "%s|%s|%s|%s", ck, tok ? tok : "", ts,
		 nonce);
	for (unsigned i = 0; i < nnonces; i++)
		if (strcmp(nonces[i], key) == 0)
			return "nonce_used";
	return NULL;
}

static void remember_nonce(const struct o1_params *ps)
{
	const char *tok = params_get(ps, "oauth_token");
	snprintf(nonces[nnonces % O1_MAX], sizeof(nonces[0]), "%s|%s|%s|%s",
		 params_get(ps, "oauth_consumer_key"), tok ? tok : "",
		 params_get(ps, "oauth_timestamp"),
		 params_get(ps, "oauth_nonce"));
	if (nnonces < O1_MAX)
		nnonces++;
}

static struct o1_token *find_token(const char *t, enum o1_kind kind)
{
	for (unsigned i = 0; t && i < ntokens; i++)
		if (tokens[i].kind == kind && strcmp(tokens[i].token, t) == 0)
			return &tokens[i];
	return NULL;
}

/* Verify a signed request; on success *tok is the token it used (or NULL
 * for none) and the lock is held. On failure an error was sent. */
static bool verify(const struct lkp_req *r, struct lkp_resp *w,
		   struct o1_params *ps, enum o1_kind kind, bool need_token,
		   struct o1_token **tok)
{
	const char *err;
	const char *t;
	char *base = NULL;

	*tok = NULL;
	if (!gather(ps, r)) {
		lkp_json_error(w, 400, "parameter_rejected",
			       "malformed OAuth parameters");
		return false;
	}
	lkp_lock();
	err = protocol_check(ps);
	t = params_get(ps, "oauth_token");
	if (!err && need_token) {
		*tok = find_token(t, kind);
		if (!*tok || (*tok)->used)
			err = "token_rejected";
	}
	if (!err && !signature_ok(r, ps, *tok ? (*tok)->secret : "", &base))
		err = "signature_invalid";
	if (err) {
		lkp_unlock();
		lkp_json_error(w, 401, err, base);
		free(base);
		return false;
	}
	free(base);
	remember_nonce(ps);
	return true;
}

static struct o1_token *new_token(enum o1_kind kind)
{
	struct o1_token *t;
	unsigned char raw[12];
	char *s;

	if (ntokens >= O1_MAX)
		return NULL;
	t = &tokens[ntokens++];
	memset(t, 0, sizeof(*t));
	t->kind = kind;
	snprintf(t->token, sizeof(t->token), "%s-%u",
		 kind == O1_TEMP ? "rt" : "at", ntokens);
	/* Secrets with characters that need encoding in the key. */
	if (!EVP_Digest(t->token, strlen(t->token), raw, NULL, EVP_sha1(),
			NULL))
		memset(raw, 7, sizeof(raw));
	s = b64(raw, sizeof(raw));
	snprintf(t->secret, sizeof(t->secret), "%s&%s",
		 kind == O1_TEMP ? "ts" : "as", s ? s : "x");
	free(s);
	return t;
}

static void answer_tokens(struct lkp_resp *w, const char *format,
			  const char *token, const char *secret,
			  const char *extra_name, const char *extra_value,
			  bool access)
{
	char *t = curl_easy_escape(NULL, token, 0);
	char *s = curl_easy_escape(NULL, secret, 0);

	if (strcmp(format, "json") == 0) {
		if (access)
			lkp_sendf(w, 200, "application/json",
				  "{\"oauth_token\":\"%s\",\"oauth_token_"
				  "secret\":\"%s\",\"user_id\":42,\"screen_"
				  "name\":\"alice\"}",
				  token, secret);
		else
			lkp_sendf(w, 200, "application/json",
				  "{\"oauth_token\":\"%s\",\"oauth_token_"
				  "secret\":\"%s\",\"%s\":\"%s\"}",
				  token, secret, extra_name, extra_value);
	} else if (strcmp(format, "xml") == 0) {
		/* The secrets hold '&': escaped as XML wants. */
		char xs[80];
		size_t o = 0;
		for (const char *p = secret; *p && o + 6 < sizeof(xs); p++) {
			if (*p == '&') {
				memcpy(xs + o, "&amp;", 5);
				o += 5;
			} else {
				xs[o++] = *p;
			}
		}
		xs[o] = '\0';
		secret = xs;
		if (access)
			lkp_sendf(w, 200, "application/xml",
				  "<?xml version=\"1.0\"?><r><oauth_token>%s"
				  "</oauth_token><oauth_token_secret>%s</oauth_"
				  "token_secret><user_id>42</user_id><screen_"
				  "name>alice</screen_name></r>",
				  token, secret);
		else
			lkp_sendf(w, 200, "application/xml",
				  "<?xml version=\"1.0\"?><r><oauth_token>%s"
				  "</oauth_token><oauth_token_secret>%s</oauth_"
				  "token_secret><%s>%s</%s></r>",
				  token, secret, extra_name, extra_value,
				  extra_name);
	} else {
		if (access)
			lkp_sendf(w, 200, "application/x-www-form-urlencoded",
				  "oauth_token=%s&oauth_token_secret=%s&user_"
				  "id=42&screen_name=alice",
				  t ? t : "", s ? s : "");
		else
			lkp_sendf(w, 200, "application/x-www-form-urlencoded",
				  "oauth_token=%s&oauth_token_secret=%s&%s=%s",
				  t ? t : "", s ? s : "", extra_name,
				  extra_value);
	}
	curl_free(t);
	curl_free(s);
}

/* ------------------------------------------------------------ handlers */

static void request_token(const struct lkp_req *r, struct lkp_resp *w)
{
	struct o1_params ps;
	struct o1_token *none, *t;
	const char *cb;
	char answer[16], format[8], token[24], secret[40];

	if (!verify(r, w, &ps, O1_TEMP, false, &none))
		goto out;
	cb = params_get(&ps, "oauth_callback");
	if (!cb || strlen(cb) >= sizeof(t->callback)) {
		lkp_unlock();
		lkp_json_error(w, 400, "parameter_absent",
			       "oauth_callback is required");
		goto out;
	}
	t = new_token(O1_TEMP);
	if (!t) {
		lkp_unlock();
		lkp_json_error(w, 503, "temporarily_unavailable", NULL);
		goto out;
	}
	snprintf(t->callback, sizeof(t->callback), "%s", cb);
	snprintf(answer, sizeof(answer), "%s", cfg.request_answer);
	snprintf(format, sizeof(format), "%s", cfg.format);
	snprintf(token, sizeof(token), "%s", t->token);
	snprintf(secret, sizeof(secret), "%s", t->secret);
	lkp_unlock();
	if (strcmp(answer, "unconfirmed") == 0)
		answer_tokens(w, format, token, secret,
			      "oauth_callback_confirmed", "false", false);
	else if (strcmp(answer, "no_secret") == 0)
		lkp_sendf(w, 200, "application/x-www-form-urlencoded",
			  "oauth_token=%s&oauth_callback_confirmed=true",
			  token);
	else if (strcmp(answer, "html") == 0)
		lkp_send(w, 200, "text/html",
			 "<html><body><h1>Maintenance</h1></body></html>");
	else if (strcmp(answer, "status500") == 0)
		lkp_json_error(w, 500, "server_error", NULL);
	else
		answer_tokens(w, format, token, secret,
			      "oauth_callback_confirmed", "true", false);
out:
	params_free(&ps);
}

static void authorize(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *tq = lkp_query(r, "oauth_token");
	struct o1_token *t;
	char loc[1024], *et, *ev;
	bool send_token, bad;

	lkp_lock();
	t = find_token(tq, O1_TEMP);
	if (!t || t->authorized) {
		lkp_unlock();
		return lkp_json_error(w, 400, "token_rejected",
				      "unknown or used oauth_token");
	}
	t->authorized = true;
	snprintf(t->verifier, sizeof(t->verifier), "vf-%u",
		 (unsigned)(t - tokens) + 1000);
	send_token = cfg.send_token;
	bad = cfg.bad_token;
	et = curl_easy_escape(NULL, bad ? "rt-forged" : t->token, 0);
	ev = curl_easy_escape(NULL, t->verifier, 0);
	snprintf(loc, sizeof(loc), "%s%s%s%s%soauth_verifier=%s", t->callback,
		 strchr(t->callback, '?') ? "&" : "?",
		 send_token ? "oauth_token=" : "", send_token ? et : "",
		 send_token ? "&" : "", ev);
	lkp_unlock();
	curl_free(et);
	curl_free(ev);
	lkp_set_header(w, "Location", loc);
	lkp_status(w, 302);
}

static void access_token(const struct lkp_req *r, struct lkp_resp *w)
{
	struct o1_params ps;
	struct o1_token *t, *a;
	const char *v;
	char answer[16], format[8], token[24], secret[40];

	if (!verify(r, w, &ps, O1_TEMP, true, &t))
		goto out;
	v = params_get(&ps, "oauth_verifier");
	if (!t->authorized || !v || strcmp(v, t->verifier) != 0) {
		lkp_unlock();
		lkp_json_error(w, 401, "verifier_invalid", NULL);
		goto out;
	}
	t->used = true;
	a = new_token(O1_ACCESS);
	if (!a) {
		lkp_unlock();
		lkp_json_error(w, 503, "temporarily_unavailable", NULL);
		goto out;
	}
	snprintf(answer, sizeof(answer), "%s", cfg.access_answer);
	snprintf(format, sizeof(format), "%s", cfg.format);
	snprintf(token, sizeof(token), "%s", a->token);
	snprintf(secret, sizeof(secret), "%s", a->secret);
	lkp_unlock();
	if (strcmp(answer, "no_token") == 0)
		lkp_send(w, 200, "application/x-www-form-urlencoded",
			 "oauth_token_secret=x&user_id=42");
	else if (strcmp(answer, "html") == 0)
		lkp_send(w, 200, "text/html", "<html><p>oops</p></html>");
	else
		answer_tokens(w, format, token, secret, NULL, NULL, true);
out:
	params_free(&ps);
}

static void me(const struct lkp_req *r, struct lkp_resp *w)
{
	struct o1_params ps;
	struct o1_token *t;
	const char *bh;
	size_t n = 0;

	if (!verify(r, w, &ps, O1_ACCESS, true, &t))
		goto out;
	lkp_unlock();
	for (size_t i = 0; i < ps.n; i++)
		n += strcmp(ps.p[i].name, "oauth_signature") != 0;
	bh = params_get(&ps, "oauth_body_hash");
	if (bh) {
		/* The body hash extension: SHA-1 of the raw body (SHA-256
		 * with HMAC-SHA256). */
		size_t len = 0;
		const char *body = lkp_body(r, &len);
		const char *m = params_get(&ps, "oauth_signature_method");
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned int mdlen = 0;
		char *calc = NULL;
		if (EVP_Digest(body, len, md, &mdlen,
			       strcmp(m, "HMAC-SHA256") == 0 ? EVP_sha256()
							     : EVP_sha1(),
			       NULL))
			calc = b64(md, mdlen);
		bool ok = calc && strcmp(calc, bh) == 0;
		free(calc);
		if (!ok) {
			lkp_json_error(w, 401, "body_hash_invalid", NULL);
			goto out;
		}
	}
	lkp_sendf(w, 200, "application/json",
		  "{\"screen_name\":\"alice\",\"user_id\":42,"
		  "\"signed_params\":%zu,\"body_hash\":%s}",
		  n, bh ? "true" : "false");
out:
	params_free(&ps);
}

static void ctl_config(const struct lkp_req *r, struct lkp_resp *w)
{
	const char *f = lkp_form(r, "format");
	const char *ra = lkp_form(r, "request_answer");
	const char *aa = lkp_form(r, "access_answer");
	const char *st = lkp_form(r, "send_token");
	const char *bt = lkp_form(r, "bad_token");

	lkp_lock();
	if (f)
		snprintf(cfg.format, sizeof(cfg.format), "%s", f);
	if (ra)
		snprintf(cfg.request_answer, sizeof(cfg.request_answer), "%s",
			 ra);
	if (aa)
		snprintf(cfg.access_answer, sizeof(cfg.access_answer), "%s",
			 aa);
	if (st)
		cfg.send_token = strcmp(st, "1") == 0;
	if (bt)
		cfg.bad_token = strcmp(bt, "1") == 0;
	lkp_unlock();
	lkp_send(w, 200, "application/json", "{\"ok\":true}");
}

LKP_AREA(oauth1_area)
{
	o1_defaults();
	lkp_route("POST", "/oauth1/request_token", request_token);
	lkp_route("GET", "/oauth1/authorize", authorize);
	lkp_route("POST", "/oauth1/access_token", access_token);
	lkp_route(NULL, "/oauth1/me", me);
	lkp_route("POST", "/oauth1/_/config", ctl_config);
	lkp_on_reset(o1_reset);
}
