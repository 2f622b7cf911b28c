/* SPDX-License-Identifier: MIT */
/* test_serve_link.c: connect links of `latchkey serve`: base64url per
 * RFC 4648 section 5 (its section 10 vectors), HMAC-bound owner and app,
 * single use, expiry (time replaced through lk_test_set_entropy). */
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "serve_int.h"

static int64_t fake_now;
static int64_t now_fn(void)
{
	return fake_now;
}

static void init_srv(struct serve *srv, unsigned char key_byte)
{
	memset(srv, 0, sizeof(*srv));
	pthread_mutex_init(&srv->lock, NULL);
	memset(srv->link_key, key_byte, sizeof(srv->link_key));
	srv->conf.link_ttl = 600;
	srv->conf.public_url = "https://auth.example.com";
}

static void done_srv(struct serve *srv)
{
	serve_link_free_all(srv);
	pthread_mutex_destroy(&srv->lock);
}

static const char *token_of(const char *link)
{
	const char *t = strstr(link, "?t=");

	return t ? t + 3 : "";
}

static void test_b64url_matches_rfc4648_10(void)
{
	static const struct {
		const char *in, *out;
	} v[] = {{"f", "Zg"},	       {"fo", "Zm8"},
		 {"foo", "Zm9v"},      {"foob", "Zm9vYg"},
		 {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
		 {"\xfb\xff", "-_8"}};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		char *s = serve_b64url((const unsigned char *)v[i].in,
				       strlen(v[i].in));
		CU_ASSERT_STRING_EQUAL(s, v[i].out);
		lk_free(s);
	}
}

static void test_link_opens_once_for_its_owner_and_app(void)
{
	struct serve srv;
	char *link, *owner = NULL, *app = NULL;
	const char *why = NULL;

	fake_now = 1000000;
	lk_test_set_entropy(NULL, now_fn);
	init_srv(&srv, 7);
	link = serve_link_mint(&srv, "user 42", "github");
	CU_ASSERT_PTR_NOT_NULL_FATAL(link);
	CU_ASSERT_EQUAL(
	    strncmp(link, "https://auth.example.com/connect/start?t=", 41), 0);
	CU_ASSERT_EQUAL(
	    strspn(token_of(link),
		   "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
		   "0123456789-_."),
	    strlen(token_of(link)));
	CU_ASSERT_EQUAL(
	    serve_link_take(&srv, token_of(link), &owner, &app, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(owner, "user 42");
	CU_ASSERT_STRING_EQUAL(app, "github");
	lk_free(owner);
	lk_free(app);
	CU_ASSERT_EQUAL(
	    serve_link_take(&srv, token_of(link), &owner, &app, &why),
	    LK_EDENIED);
	CU_ASSERT_PTR_NULL(owner);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "already used"));
	lk_free(link);
	done_srv(&srv);
	lk_test_set_entropy(NULL, NULL);
}

static void test_link_expires_after_link_ttl(void)
{
	struct serve srv;
	char *a, *b, *owner = NULL, *app = NULL;
	const char *why = NULL;

	fake_now = 2000000;
	lk_test_set_entropy(NULL, now_fn);
	init_srv(&srv, 9);
	a = serve_link_mint(&srv, "alice", "demo");
	b = serve_link_mint(&srv, "alice", "demo");
	fake_now += 600; /* the last valid second */
	CU_ASSERT_EQUAL(serve_link_take(&srv, token_of(a), &owner, &app, &why),
			LK_OK);
	lk_free(owner);
	lk_free(app);
	fake_now += 1;
	CU_ASSERT_EQUAL(serve_link_take(&srv, token_of(b), &owner, &app, &why),
			LK_EDENIED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "expired"));
	lk_free(a);
	lk_free(b);
	done_srv(&srv);
	lk_test_set_entropy(NULL, NULL);
}

/* Every spelling of the last character of the signature (43 base64url
 * characters carry 256 bits and 2 unused ones) but the canonical one is
 * refused, so a token has exactly one valid form. */
static void test_link_refused_in_a_non_canonical_spelling(void)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
				  "qrstuvwxyz0123456789-_";
	struct serve srv;
	char *link, *copy, *owner = NULL, *app = NULL;
	const char *why = NULL;
	size_t n, accepted = 0;

	init_srv(&srv, 3);
	link = serve_link_mint(&srv, "alice", "demo");
	copy = lk_strdup(token_of(link));
	n = strlen(copy);
	for (size_t i = 0; i < 64; i++) {
		if (b64[i] == token_of(link)[n - 1])
			continue;
		copy[n - 1] = b64[i];
		if (serve_link_take(&srv, copy, &owner, &app, &why) == LK_OK) {
			accepted++;
			lk_free(owner);
			lk_free(app);
		}
	}
	CU_ASSERT_EQUAL(accepted, 0);
	lk_free(copy);
	lk_free(link);
	done_srv(&srv);
}

static void test_link_refused_when_tampered_or_foreign(void)
{
	struct serve srv, other;
	char *link, *copy, *owner = NULL, *app = NULL;
	const char *why = NULL;
	size_t n;

	init_srv(&srv, 1);
	init_srv(&other, 2);
	link = serve_link_mint(&other, "alice", "demo");
	CU_ASSERT_EQUAL(
	    serve_link_take(&srv, token_of(link), &owner, &app, &why),
	    LK_EDENIED);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "not valid"));
	lk_free(link);
	link = serve_link_mint(&srv, "alice", "demo");
	copy = lk_strdup(token_of(link));
	n = strlen(copy);
	copy[n - 1] = copy[n - 1] == 'A' ? 'B' : 'A';
	CU_ASSERT_EQUAL(serve_link_take(&srv, copy, &owner, &app, &why),
			LK_EDENIED);
	copy[n - 1] = token_of(link)[n - 1];
	copy[n - 10] = copy[n - 10] == 'A' ? 'B' : 'A'; /* the signature */
	CU_ASSERT_EQUAL(serve_link_take(&srv, copy, &owner, &app, &why),
			LK_EDENIED);
	copy[n - 10] = token_of(link)[n - 10];
	copy[0] = copy[0] == 'A' ? 'B' : 'A'; /* the payload */
	CU_ASSERT_EQUAL(serve_link_take(&srv, copy, &owner, &app, &why),
			LK_EDENIED);
	CU_ASSERT_EQUAL(serve_link_take(&srv, "", &owner, &app, &why),
			LK_EDENIED);
	CU_ASSERT_EQUAL(serve_link_take(&srv, NULL, &owner, &app, &why),
			LK_EDENIED);
	CU_ASSERT_EQUAL(serve_link_take(&srv, "a.b", &owner, &app, &why),
			LK_EDENIED);
	CU_ASSERT_EQUAL(serve_link_take(&srv, "====.====", &owner, &app, &why),
			LK_EDENIED);
	/* Untouched, it still opens: the refusals consumed nothing. */
	CU_ASSERT_EQUAL(
	    serve_link_take(&srv, token_of(link), &owner, &app, &why), LK_OK);
	lk_free(owner);
	lk_free(app);
	lk_free(copy);
	lk_free(link);
	done_srv(&srv);
	done_srv(&other);
}

static int register_link(void)
{
	CU_pSuite s = CU_add_suite("serve_link", NULL, NULL);

	if (!s ||
	    !CU_add_test(s, "b64url matches RFC 4648 section 10",
			 test_b64url_matches_rfc4648_10) ||
	    !CU_add_test(s, "link opens once for its owner and app",
			 test_link_opens_once_for_its_owner_and_app) ||
	    !CU_add_test(s, "link expires after link_ttl",
			 test_link_expires_after_link_ttl) ||
	    !CU_add_test(s, "link refused in a non-canonical spelling",
			 test_link_refused_in_a_non_canonical_spelling) ||
	    !CU_add_test(s, "link refused when tampered or foreign",
			 test_link_refused_when_tampered_or_foreign))
		return 1;
	return 0;
}

LK_CUNIT_MAIN(register_link)
