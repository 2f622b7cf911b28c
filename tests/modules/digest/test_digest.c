/* SPDX-License-Identifier: MIT */
/* digest.so: known answers (RFC 7616 section 3.9.1, RFC 2617 section 3.5),
 * the WWW-Authenticate parser, and the module's nonce cache driven
 * through the loader with hand-made 401 responses. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cunit_main.h"

#include "core.h"
#include "loader.h"

#include "../../../modules/digest/digest_challenge.h"
#include "../../../modules/digest/digest_header.h"
#include "../../../modules/digest/digest_response.h"

#define RFC7616_NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define RFC7616_CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
#define RFC7616_OPAQUE "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"

/* CU_ASSERT_STRING_EQUAL that shows both strings when they differ. */
#define EXPECT_STR(got, want)                                                  \
	do {                                                                   \
		const char *g_ = (got), *w_ = (want);                          \
		if (!g_ || strcmp(g_, w_) != 0)                                \
			fprintf(stderr, "\n  got:  %s\n  want: %s\n",          \
				g_ ? g_ : "(null)", w_);                       \
		CU_ASSERT_STRING_EQUAL(g_ ? g_ : "(null)", w_);                \
	} while (0)

static lk_ctx *ctx;
static struct lk_module_rt *rt;
static EVP_MD *md5, *sha256, *sha512_256;

/* ------------------------------------------------------ entropy hook */

/* The bytes whose base64 is @c entropy_b64: the module's cnonce. */
static unsigned char entropy[64];
static size_t entropy_len;

static lk_status fixed_random(void *buf, size_t len)
{
	/* repeat the pattern: every cnonce of a test is the same */
	for (size_t i = 0; i < len; i++)
		((unsigned char *)buf)[i] = entropy[i % entropy_len];
	return LK_OK;
}

static void use_cnonce(const char *b64)
{
	int n = EVP_DecodeBlock(entropy, (const unsigned char *)b64,
				(int)strlen(b64));
	CU_ASSERT_FATAL(n == 33);
	entropy_len = 33;
	lk_test_set_entropy(fixed_random, NULL);
}

/* ----------------------------------------------------- pure functions */

static void compute(char *out, const EVP_MD *md, bool sess, enum digest_qop qop,
		    const char *user, const char *pass, const char *realm,
		    const char *nonce, const char *cnonce, uint32_t nc,
		    const char *method, const char *uri, const char *body)
{
	struct digest_input in = {
	    .md = md,
	    .sess = sess,
	    .qop = qop,
	    .username = user,
	    .password = pass,
	    .realm = realm,
	    .nonce = nonce,
	    .cnonce = cnonce,
	    .nc = nc,
	    .method = method,
	    .uri = uri,
	    .body = body,
	    .body_len = body ? strlen(body) : 0,
	};
	CU_ASSERT_EQUAL_FATAL(digest_response_compute(out, NULL, &in), LK_OK);
}

static void test_md5_matches_rfc7616_3_9_1(void)
{
	char r[DIGEST_HEX_MAX];
	compute(r, md5, false, DIGEST_QOP_AUTH, "Mufasa", "Circle of Life",
		"http-auth@example.org", RFC7616_NONCE, RFC7616_CNONCE, 1,
		"GET", "/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(r, "8ca523f5e9506fed4657c9700eebdbec");
}

static void test_sha256_matches_rfc7616_3_9_1(void)
{
	char r[DIGEST_HEX_MAX];
	compute(r, sha256, false, DIGEST_QOP_AUTH, "Mufasa", "Circle of Life",
		"http-auth@example.org", RFC7616_NONCE, RFC7616_CNONCE, 1,
		"GET", "/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(r, "753927fa0e85d155564e2e272a28d1802ca10daf"
				  "4496794697cf8db5856cb6c1");
}

static void test_md5_matches_rfc2617_3_5(void)
{
	char r[DIGEST_HEX_MAX];
	compute(r, md5, false, DIGEST_QOP_AUTH, "Mufasa", "Circle Of Life",
		"testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		"0a4f113b", 1, "GET", "/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(r, "6629fae49393a05397450978507c4ef1");
}

/* Values computed independently with Python's hashlib (OpenSSL's
 * sha512_256) from the formulas of RFC 7616 sections 3.4.1-3.4.4; the
 * RFC has no -sess, auth-int or RFC 2069 example. */
static void test_variants_match_independent_values(void)
{
	char r[DIGEST_HEX_MAX];
	compute(r, md5, true, DIGEST_QOP_AUTH_INT, "Mufasa", "Circle of Life",
		"http-auth@example.org", RFC7616_NONCE, RFC7616_CNONCE, 2,
		"POST", "/dir/index.html", "{\"a\":1}");
	CU_ASSERT_STRING_EQUAL(r, "283218f3452e80a2e0adbb2f1c005acc");
	compute(r, sha512_256, true, DIGEST_QOP_AUTH, "Mufasa",
		"Circle of Life", "http-auth@example.org", RFC7616_NONCE,
		RFC7616_CNONCE, 1, "GET", "/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(r, "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf"
				  "86fbb1444f3e51fbbc2cb92e");
	compute(r, sha256, true, DIGEST_QOP_AUTH_INT, "Mufasa",
		"Circle of Life", "http-auth@example.org", RFC7616_NONCE,
		RFC7616_CNONCE, 10, "PUT", "/x?y=1", "");
	CU_ASSERT_STRING_EQUAL(r, "872c5faba600fea03054101617ff87cb370842eb"
				  "4e84eb1622d51f40752badd9");
	compute(r, md5, false, DIGEST_QOP_NONE, "Mufasa", "Circle Of Life",
		"testrealm@host.com", "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		NULL, 0, "GET", "/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(r, "670fd8c2df070c60b045671b8b24ff02");
	/* RFC 7616 3.4.4 userhash, SHA-512/256 (not a truncated SHA-512) */
	CU_ASSERT_EQUAL(digest_response_userhash(r, NULL, sha512_256,
						 "J\xc3\xa4s\xc3\xb8n Doe",
						 "api@example.org"),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(r, "793263caabb707a56211940d90411ea4a575adec"
				  "cb7e360aeb624ed06ece9b0b");
}

/* ------------------------------------------------------------ parser */

static lk_status parse2(struct digest_challenge *c, const char *a,
			const char *b, bool allow2069, char *err)
{
	const char *v[] = {a, b};
	return digest_challenge_parse(c, v, b ? 2 : 1, allow2069, err, 256);
}

static void test_parser_picks_strongest_of_several(void)
{
	struct digest_challenge c;
	char err[256];

	CU_ASSERT_EQUAL(
	    parse2(&c,
		   "Basic realm=\"x\", Digest realm=\"r1\", nonce=\"n1\", "
		   "qop=\"auth\", algorithm=MD5, Digest realm=\"r2\", "
		   "nonce=\"n2\", qop=\"auth\", algorithm=SHA-256, "
		   "Negotiate abc+/==",
		   NULL, false, err),
	    LK_OK);
	CU_ASSERT_EQUAL(c.algo, DIGEST_ALGO_SHA256);
	CU_ASSERT_STRING_EQUAL(c.nonce, "n2");
	CU_ASSERT_STRING_EQUAL(c.realm, "r2");
	digest_challenge_clear(&c);
	/* across headers, -sess variants, the first of equals wins */
	CU_ASSERT_EQUAL(
	    parse2(&c,
		   "Digest realm=\"a\", nonce=\"1\", qop=\"auth\", "
		   "algorithm=SHA-256",
		   "Digest realm=\"b\", nonce=\"2\", qop=\"auth-int\", "
		   "algorithm=SHA-512-256-sess, Digest realm=\"c\", "
		   "nonce=\"3\", qop=\"auth\", algorithm=SHA-512-256",
		   false, err),
	    LK_OK);
	CU_ASSERT_EQUAL(c.algo, DIGEST_ALGO_SHA512_256);
	CU_ASSERT(c.sess);
	CU_ASSERT(c.qop_auth_int);
	CU_ASSERT(!c.qop_auth);
	CU_ASSERT_STRING_EQUAL(c.nonce, "2");
	digest_challenge_clear(&c);
}

static void test_parser_quoting_and_unknown_params(void)
{
	struct digest_challenge c;
	char err[256];

	CU_ASSERT_EQUAL(parse2(&c,
			       ", ,Digest realm=\"a\\\"b\\\\c, d=e\" ,foo=bar, "
			       "nonce=tok-en, QOP=\"auth-int, future, auth\", "
			       "opaque=\"o,p\", stale=TRUE, userhash=true, "
			       "charset=UTF-8,, algorithm=md5-SESS",
			       NULL, false, err),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(c.realm, "a\"b\\c, d=e");
	CU_ASSERT_STRING_EQUAL(c.nonce, "tok-en");
	CU_ASSERT_STRING_EQUAL(c.opaque, "o,p");
	CU_ASSERT(c.qop_auth && c.qop_auth_int);
	CU_ASSERT(c.stale && c.userhash && c.sess);
	CU_ASSERT_EQUAL(c.algo, DIGEST_ALGO_MD5);
	digest_challenge_clear(&c);
}

static void expect_refused(const char *value, lk_status st, const char *msg)
{
	struct digest_challenge c;
	char err[256];

	CU_ASSERT_EQUAL(parse2(&c, value, NULL, false, err), st);
	EXPECT_STR(err, msg);
	CU_ASSERT_PTR_NULL(c.nonce);
}

static void test_parser_refuses_garbage_and_duplicates(void)
{
	expect_refused("Digest realm=\"a\", nonce=\"1\", realm=\"b\"",
		       LK_EPROTO,
		       "parameter \"realm\" appears twice in a Digest "
		       "challenge");
	expect_refused("Digest realm=\"a, nonce=\"1\"", LK_EPROTO,
		       "unexpected character '1' at offset 24");
	expect_refused("Digest realm=\"abc", LK_EPROTO,
		       "unterminated quoted string at offset 13");
	expect_refused("Digest realm=\"a\" junk", LK_EPROTO,
		       "unexpected character 'j' at offset 17");
	expect_refused("\"Digest\"", LK_EPROTO,
		       "expected an auth-scheme at offset 0");
	expect_refused("Digest realm==\"x\", nonce=\"1\"", LK_EPROTO,
		       "parameter \"realm\" has no value at offset 13");
	/* "realm=" alone is a token68, so the challenge has no realm */
	expect_refused("Digest realm=, nonce=\"1\"", LK_EPROTO,
		       "a Digest challenge without realm");
	expect_refused("Digest realm=\"a\x01\", nonce=1", LK_EPROTO,
		       "control character in a quoted string at offset 15");
	expect_refused("Digest nonce=\"1\", qop=auth", LK_EPROTO,
		       "a Digest challenge without realm");
	expect_refused("Basic realm=\"x\", Bearer", LK_EAUTH,
		       "no Digest challenge (the server offers Basic, "
		       "Bearer)");
	expect_refused("Digest realm=\"a\", nonce=\"1\", algorithm=SHA-1, "
		       "qop=auth",
		       LK_EAUTH,
		       "no usable Digest challenge: unsupported algorithm "
		       "\"SHA-1\"");
	expect_refused("Digest realm=\"a\", nonce=\"1\"", LK_EAUTH,
		       "no usable Digest challenge: a challenge without qop "
		       "(RFC 2069), refused unless the app sets digest = { "
		       "allow_rfc2069 = true; }");
	expect_refused("", LK_EAUTH, "no challenge in WWW-Authenticate");
}

static void test_parser_rfc2069_only_when_allowed(void)
{
	struct digest_challenge c;
	char err[256];

	CU_ASSERT_EQUAL(
	    parse2(&c, "Digest realm=\"a\", nonce=\"1\"", NULL, true, err),
	    LK_OK);
	CU_ASSERT(!c.qop_auth && !c.qop_auth_int);
	digest_challenge_clear(&c);
	/* with a qop-bearing one beside it, that one wins the tie */
	CU_ASSERT_EQUAL(parse2(&c, "Digest realm=\"a\", nonce=\"1\"",
			       "Digest realm=\"a\", nonce=\"2\", qop=auth",
			       false, err),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(c.nonce, "2");
	digest_challenge_clear(&c);
}

static void test_nextnonce(void)
{
	char *n = NULL, err[256];

	CU_ASSERT_EQUAL(digest_challenge_nextnonce(
			    &n, "qop=auth, rspauth=\"x\", nextnonce=\"nn\"",
			    err, sizeof err),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(n, "nn");
	lk_free(n);
	CU_ASSERT_EQUAL(
	    digest_challenge_nextnonce(&n, "rspauth=\"x\"", err, sizeof err),
	    LK_OK);
	CU_ASSERT_PTR_NULL(n);
	CU_ASSERT_EQUAL(
	    digest_challenge_nextnonce(&n, "nextnonce=\"x", err, sizeof err),
	    LK_EPROTO);
	CU_ASSERT_PTR_NULL(n);
}

/* ---------------------------------------------------- through the module */

struct harness {
	struct lk_app app;
	struct lk_block block;
	lk_conn conn;
	lk_call call;
	void *state;
};

static void harness_init(struct harness *h, const char *user, const char *pass,
			 bool allow2069)
{
	memset(h, 0, sizeof *h);
	h->app.id = "example_digest";
	h->block.mod = rt;
	CU_ASSERT_FATAL(lk_fields_new(&h->block.values) == LK_OK);
	lk_fields_set(h->block.values, "allow_rfc2069",
		      allow2069 ? "true" : "false", false);
	h->app.scheme_block = h->block;
	h->conn.id = "conn1";
	CU_ASSERT_FATAL(lk_fields_new(&h->conn.fields) == LK_OK);
	lk_fields_set(h->conn.fields, "username", user, false);
	lk_fields_set(h->conn.fields, "password", pass, true);
	CU_ASSERT_FATAL(rt->scheme.state_new(&h->state, NULL) == LK_OK);
	h->call = (lk_call){.ctx = ctx,
			    .app = &h->app,
			    .block = &h->block,
			    .conn = &h->conn,
			    .state = h->state};
}

static void harness_free(struct harness *h)
{
	rt->scheme.state_free(h->state);
	lk_fields_free(h->block.values);
	lk_fields_free(h->conn.fields);
}

/* Feed a 401 with these WWW-Authenticate lines; the verdict. */
static lk_status answer_401(lk_verdict *v, struct harness *h, unsigned attempt,
			    const char *a, const char *b)
{
	struct lk_header hd[2] = {{"WWW-Authenticate", (char *)a},
				  {"www-authenticate", (char *)b}};
	struct lk_response resp = {
	    .status = 401, .headers = hd, .nheaders = b ? 2 : 1};
	return rt->scheme.on_response(v, &h->call, NULL, &resp, attempt);
}

/* Authorize METHOD URL [body]; the Authorization value (lk_free) or
 * NULL when none was set. */
static char *sign(struct harness *h, const char *method, const char *url,
		  const char *body)
{
	lk_request *req = NULL;
	char *out = NULL;

	CU_ASSERT_FATAL(lk_request_new(&req, method, url) == LK_OK);
	if (body)
		lk_request_set_body(req, body, strlen(body));
	CU_ASSERT_EQUAL(rt->scheme.authorize(&h->call, req), LK_OK);
	if (lk_request_header(req, "Authorization"))
		out = lk_strdup(lk_request_header(req, "Authorization"));
	lk_request_free(req);
	return out;
}

#define RFC7616_CHALLENGE(algo)                                                \
	"Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", "     \
	"algorithm=" algo ", nonce=\"" RFC7616_NONCE                           \
	"\", opaque=\"" RFC7616_OPAQUE "\""

static void expect_rfc7616_header(const char *algo, const char *response)
{
	struct harness h;
	lk_verdict v;
	char want[1024], *got;

	harness_init(&h, "Mufasa", "Circle of Life", false);
	use_cnonce(RFC7616_CNONCE);
	/* no nonce yet: the first request goes bare */
	got = sign(&h, "GET", "https://www.example.org/dir/index.html", NULL);
	CU_ASSERT_PTR_NULL(got);
	snprintf(want, sizeof want,
		 "Digest realm=\"http-auth@example.org\", "
		 "qop=\"auth, auth-int\", algorithm=%s, nonce=\"" RFC7616_NONCE
		 "\", opaque=\"" RFC7616_OPAQUE "\"",
		 algo);
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0, want, NULL), LK_OK);
	CU_ASSERT_EQUAL(v, LK_VERDICT_RETRY);
	got = sign(&h, "GET", "https://www.example.org/dir/index.html", NULL);
	snprintf(want, sizeof want,
		 "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
		 "uri=\"/dir/index.html\", algorithm=%s, nonce=\"" RFC7616_NONCE
		 "\", nc=00000001, cnonce=\"" RFC7616_CNONCE "\", qop=auth, "
		 "response=\"%s\", opaque=\"" RFC7616_OPAQUE "\"",
		 algo, response);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	EXPECT_STR(got, want);
	lk_free(got);
	lk_test_set_entropy(NULL, NULL);
	harness_free(&h);
}

static void test_module_header_matches_rfc7616_3_9_1(void)
{
	expect_rfc7616_header("MD5", "8ca523f5e9506fed4657c9700eebdbec");
	expect_rfc7616_header("SHA-256",
			      "753927fa0e85d155564e2e272a28d1802ca10daf4496794"
			      "697cf8db5856cb6c1");
}

static void test_module_counts_nc_and_retries(void)
{
	struct harness h;
	lk_verdict v;
	char *got;

	harness_init(&h, "Mufasa", "Circle of Life", false);
	CU_ASSERT_EQUAL(
	    answer_401(&v, &h, 0, RFC7616_CHALLENGE("SHA-256"), NULL), LK_OK);
	for (int i = 1; i <= 3; i++) {
		char nc[32];
		got = sign(&h, "GET", "https://h.example/a?b=c#frag", NULL);
		snprintf(nc, sizeof nc, "nc=%08x,", i);
		CU_ASSERT_PTR_NOT_NULL(strstr(got, nc));
		CU_ASSERT_PTR_NOT_NULL(strstr(got, "uri=\"/a?b=c\""));
		lk_free(got);
	}
	/* a cached nonce forgotten by the server: retry once */
	CU_ASSERT_EQUAL(
	    answer_401(&v, &h, 0, RFC7616_CHALLENGE("SHA-256"), NULL), LK_OK);
	CU_ASSERT_EQUAL(v, LK_VERDICT_RETRY);
	got = sign(&h, "GET", "https://h.example", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "nc=00000001,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "uri=\"/\""));
	lk_free(got);
	/* a 401 to the fresh challenge: wrong credentials */
	CU_ASSERT_EQUAL(
	    answer_401(&v, &h, 1, RFC7616_CHALLENGE("SHA-256"), NULL),
	    LK_EAUTH);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "digest: example_digest: the server refused "
			       "the username or password (401 to a fresh "
			       "challenge)");
	/* ... unless it says stale=true: answered at once */
	CU_ASSERT_EQUAL(answer_401(&v, &h, 1,
				   "Digest realm=\"r\", nonce=\"n9\", "
				   "qop=auth, stale=true",
				   NULL),
			LK_OK);
	CU_ASSERT_EQUAL(v, LK_VERDICT_RETRY);
	got = sign(&h, "GET", "https://h.example/?q", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "nonce=\"n9\", nc=00000001,"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "uri=\"/?q\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "algorithm=MD5,"));
	CU_ASSERT_PTR_NULL(strstr(got, "opaque"));
	lk_free(got);
	/* stale forever is not a loop */
	CU_ASSERT_EQUAL(answer_401(&v, &h, 2,
				   "Digest realm=\"r\", nonce=\"n10\", "
				   "qop=auth, stale=true",
				   NULL),
			LK_EAUTH);
	/* a garbled challenge is a clear error, not a crash */
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0, "Digest realm=\"x", NULL),
			LK_EPROTO);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "digest: example_digest: 401 with an unusable "
			       "WWW-Authenticate: unterminated quoted string "
			       "at offset 13");
	/* other answers leave everything as it is */
	struct lk_response ok = {.status = 200};
	CU_ASSERT_EQUAL(rt->scheme.on_response(&v, &h.call, NULL, &ok, 0),
			LK_OK);
	CU_ASSERT_EQUAL(v, LK_VERDICT_DONE);
	got = sign(&h, "GET", "https://h.example/", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "nonce=\"n9\", nc=00000002,"));
	lk_free(got);
	/* Authentication-Info: nextnonce replaces it (RFC 7616 3.5) */
	struct lk_header info = {"Authentication-Info",
				 "rspauth=\"ab\", nextnonce=\"n11\""};
	ok.headers = &info;
	ok.nheaders = 1;
	CU_ASSERT_EQUAL(rt->scheme.on_response(&v, &h.call, NULL, &ok, 0),
			LK_OK);
	got = sign(&h, "GET", "https://h.example/", NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "nonce=\"n11\", nc=00000001,"));
	lk_free(got);
	harness_free(&h);
}

static void test_module_userhash_username_star_auth_int(void)
{
	struct harness h;
	lk_verdict v;
	char *got, want[1024], r[DIGEST_HEX_MAX];

	harness_init(&h, "J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?", false);
	use_cnonce("NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v");
	/* RFC 7616 3.4.4: a name outside ASCII goes as username* */
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0,
				   "Digest realm=\"api@example.org\", "
				   "qop=auth, algorithm=SHA-512-256, "
				   "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34"
				   "I9HAbC/RVvkK\"",
				   NULL),
			LK_OK);
	got = sign(&h, "GET", "https://api.example.org/doe.json", NULL);
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(got, "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, "
			"realm=\"api@example.org\", uri=\"/doe.json\", "
			"algorithm=SHA-512-256, "));
	lk_free(got);
	/* userhash=true: H(user:realm) and the flag, no username* */
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0,
				   "Digest realm=\"api@example.org\", "
				   "qop=auth, algorithm=SHA-512-256, "
				   "nonce=\"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34"
				   "I9HAbC/RVvkK\", "
				   "opaque=\"HRPCssKJSGjCrkzDg8OhwpzCiGPChX"
				   "YjwrI2QmXDnsOS\", userhash=true",
				   NULL),
			LK_OK);
	got = sign(&h, "GET", "https://api.example.org/doe.json", NULL);
	compute(r, sha512_256, false, DIGEST_QOP_AUTH,
		"J\xc3\xa4s\xc3\xb8n Doe", "Secret, or not?", "api@example.org",
		"5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
		"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", 1, "GET",
		"/doe.json", NULL);
	CU_ASSERT_STRING_EQUAL(r, "3798d4131c277846293534c3edc11bd8a5e4cdcb"
				  "ff78b05db9d95eeb1cec68a5");
	snprintf(want, sizeof want,
		 "Digest username=\"793263caabb707a56211940d90411ea4a575adec"
		 "cb7e360aeb624ed06ece9b0b\", realm=\"api@example.org\", "
		 "uri=\"/doe.json\", algorithm=SHA-512-256, nonce=\""
		 "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK\", "
		 "nc=00000001, cnonce=\"NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp"
		 "2wds69v\", qop=auth, response=\"%s\", opaque=\"HRPCssKJSGjC"
		 "rkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS\", userhash=true",
		 r);
	EXPECT_STR(got, want);
	lk_free(got);
	/* auth-int only: the body is hashed into A2 */
	harness_free(&h);
	harness_init(&h, "Mufasa", "Circle of Life", false);
	use_cnonce(RFC7616_CNONCE);
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0,
				   "Digest realm=\"http-auth@example.org\", "
				   "qop=\"auth-int\", algorithm=MD5-sess, "
				   "nonce=\"" RFC7616_NONCE "\"",
				   NULL),
			LK_OK);
	got = sign(&h, "POST", "https://h.example/dir/index.html", "x");
	lk_free(got);
	got = sign(&h, "POST", "https://h.example/dir/index.html", "{\"a\":1}");
	EXPECT_STR(got, "Digest username=\"Mufasa\", "
			"realm=\"http-auth@example.org\", "
			"uri=\"/dir/index.html\", algorithm=MD5-sess, "
			"nonce=\"" RFC7616_NONCE "\", nc=00000002, "
			"cnonce=\"" RFC7616_CNONCE "\", qop=auth-int, "
			"response=\"283218f3452e80a2e0adbb2f1c005acc\"");
	lk_free(got);
	lk_test_set_entropy(NULL, NULL);
	harness_free(&h);
}

static void test_module_rfc2069_needs_opt_in(void)
{
	struct harness h;
	lk_verdict v;
	char *got;
	const char *ch = "Digest realm=\"testrealm@host.com\", "
			 "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"";

	harness_init(&h, "Mufasa", "Circle Of Life", false);
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0, ch, NULL), LK_EAUTH);
	harness_free(&h);
	harness_init(&h, "Mufasa", "Circle Of Life", true);
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0, ch, NULL), LK_OK);
	got = sign(&h, "GET", "https://host.com/dir/index.html", NULL);
	CU_ASSERT_STRING_EQUAL(got,
			       "Digest username=\"Mufasa\", "
			       "realm=\"testrealm@host.com\", "
			       "uri=\"/dir/index.html\", algorithm=MD5, "
			       "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
			       "response=\"670fd8c2df070c60b045671b8b24ff02\"");
	lk_free(got);
	harness_free(&h);
}

/* Long names and URLs leave the stack buffers for the heap. */
static void test_module_long_user_and_uri(void)
{
	struct harness h;
	lk_verdict v;
	char user[1501], url[2100], *got;

	memset(user, 'u', sizeof user - 1);
	user[sizeof user - 1] = '\0';
	user[700] = '"'; /* escaped as \" */
	harness_init(&h, user, "pw", false);
	CU_ASSERT_EQUAL(
	    answer_401(&v, &h, 0, RFC7616_CHALLENGE("SHA-256"), NULL), LK_OK);
	memcpy(url, "https://h.example/", 18);
	memset(url + 18, 'p', 2000);
	url[2018] = '\0';
	got = sign(&h, "GET", url, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(got);
	CU_ASSERT(strlen(got) > 3500);
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "uuu\\\"uuu"));
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "pppp\", algorithm=SHA-256"));
	lk_free(got);
	harness_free(&h);
}

/* nc is shared by the threads of a ctx: every value used exactly once. */
#define NC_THREADS 8
#define NC_PER_THREAD 500
static unsigned char nc_seen[NC_THREADS * NC_PER_THREAD + 1];
static pthread_mutex_t nc_lock = PTHREAD_MUTEX_INITIALIZER;

static void *sign_many(void *arg)
{
	struct harness *h = arg;
	lk_call call = h->call; /* one lk_call per thread, as the core does */

	for (int i = 0; i < NC_PER_THREAD; i++) {
		lk_request *req = NULL;
		if (lk_request_new(&req, "GET", "https://h.example/") != LK_OK)
			return NULL;
		if (call.block->mod->scheme.authorize(&call, req) == LK_OK) {
			const char *a = lk_request_header(req, "Authorization");
			const char *p = a ? strstr(a, "nc=") : NULL;
			unsigned long n = p ? strtoul(p + 3, NULL, 16) : 0;
			pthread_mutex_lock(&nc_lock);
			if (n && n < sizeof nc_seen)
				nc_seen[n]++;
			pthread_mutex_unlock(&nc_lock);
		}
		lk_request_free(req);
	}
	return NULL;
}

static void test_module_nc_is_thread_safe(void)
{
	struct harness h;
	pthread_t t[NC_THREADS];
	lk_verdict v;

	harness_init(&h, "Mufasa", "Circle of Life", false);
	CU_ASSERT_EQUAL(answer_401(&v, &h, 0, RFC7616_CHALLENGE("MD5"), NULL),
			LK_OK);
	for (int i = 0; i < NC_THREADS; i++)
		pthread_create(&t[i], NULL, sign_many, &h);
	for (int i = 0; i < NC_THREADS; i++)
		pthread_join(t[i], NULL);
	size_t once = 0;
	for (size_t n = 1; n < sizeof nc_seen; n++)
		once += nc_seen[n] == 1;
	CU_ASSERT_EQUAL(once, NC_THREADS * NC_PER_THREAD);
	harness_free(&h);
}

static void test_module_declares_fields_and_keys(void)
{
	const struct lk_field_decl *f = rt->scheme.fields;
	CU_ASSERT_STRING_EQUAL(f[0].key, "username");
	CU_ASSERT_STRING_EQUAL(f[1].key, "password");
	CU_ASSERT(f[1].secret);
	CU_ASSERT_STRING_EQUAL(rt->scheme.config_keys[0].name, "allow_rfc2069");
	CU_ASSERT_STRING_EQUAL(rt->scheme.config_keys[0].default_value,
			       "false");
}

static int setup(void)
{
	md5 = EVP_MD_fetch(NULL, "MD5", NULL);
	sha256 = EVP_MD_fetch(NULL, "SHA2-256", NULL);
	sha512_256 = EVP_MD_fetch(NULL, "SHA512-256", NULL);
	if (!md5 || !sha256 || !sha512_256 || lk_ctx_new(&ctx) != LK_OK)
		return 1;
	return lk_loader__open(&rt, ctx, "modules/digest/.libs", "digest") ==
		       LK_OK
		   ? 0
		   : 1;
}

static int teardown(void)
{
	lk_loader__close(rt);
	lk_ctx_free(ctx);
	EVP_MD_free(md5);
	EVP_MD_free(sha256);
	EVP_MD_free(sha512_256);
	return 0;
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("digest", setup, teardown);
	return !s ||
	       !CU_add_test(s, "test_md5_matches_rfc7616_3_9_1",
			    test_md5_matches_rfc7616_3_9_1) ||
	       !CU_add_test(s, "test_sha256_matches_rfc7616_3_9_1",
			    test_sha256_matches_rfc7616_3_9_1) ||
	       !CU_add_test(s, "test_md5_matches_rfc2617_3_5",
			    test_md5_matches_rfc2617_3_5) ||
	       !CU_add_test(s, "sess, auth-int, RFC 2069, userhash",
			    test_variants_match_independent_values) ||
	       !CU_add_test(s, "parser: strongest of several",
			    test_parser_picks_strongest_of_several) ||
	       !CU_add_test(s, "parser: quoting, unknown parameters",
			    test_parser_quoting_and_unknown_params) ||
	       !CU_add_test(s, "parser: garbage and duplicates refused",
			    test_parser_refuses_garbage_and_duplicates) ||
	       !CU_add_test(s, "parser: RFC 2069 only when allowed",
			    test_parser_rfc2069_only_when_allowed) ||
	       !CU_add_test(s, "Authentication-Info nextnonce",
			    test_nextnonce) ||
	       !CU_add_test(s, "module: RFC 7616 3.9.1 headers",
			    test_module_header_matches_rfc7616_3_9_1) ||
	       !CU_add_test(s, "module: nc, retry, stale, nextnonce",
			    test_module_counts_nc_and_retries) ||
	       !CU_add_test(s, "module: userhash, username*, auth-int",
			    test_module_userhash_username_star_auth_int) ||
	       !CU_add_test(s, "module: RFC 2069 needs opt-in",
			    test_module_rfc2069_needs_opt_in) ||
	       !CU_add_test(s, "module: long username and URL",
			    test_module_long_user_and_uri) ||
	       !CU_add_test(s, "module: nc is thread-safe",
			    test_module_nc_is_thread_safe) ||
	       !CU_add_test(s, "module: fields and keys",
			    test_module_declares_fields_and_keys);
}

LK_CUNIT_MAIN(reg)
