/* SPDX-License-Identifier: MIT */
/* oauth1 signing known answers: RFC 5849 base strings and signatures,
 * the oauth.net RSA-SHA1 test case, percent-encoding (section 3.6),
 * normalisation (3.4.1.3.2), placement (3.5) and the body hash.
 *
 * Where the RFC prints no value, the expected one was computed
 * independently with python3 (hmac, hashlib, base64 and
 * urllib.parse.quote(s.encode(), safe='')), as each test says. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <latchkey/module.h>

#include "cunit_main.h"

#include "oauth1_base.h"
#include "oauth1_encode.h"
#include "oauth1_place.h"
#include "oauth1_sign.h"

/* RFC 5849 section 3.4.1.1, the signature base string, byte for byte. */
static const char rfc_341_base[] =
    "POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
    "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_"
    "key%3D9djdj82h48djs9d2%26oauth_nonce%3D7d8f3e4a%26oauth_signature_m"
    "ethod%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk"
    "9d7dh3k39sjv7";

/* RFC 5849 section 3.4.1.3.2, the normalised parameters. */
static const char rfc_341_params[] =
    "a2=r%20b&a3=2%20q&a3=a&b5=%3D%253D&c%40=&c2=&oauth_consumer_key=9dj"
    "dj82h48djs9d2&oauth_nonce=7d8f3e4a&oauth_signature_method=HMAC-SHA1"
    "&oauth_timestamp=137131201&oauth_token=kkk9d7dh3k39sjv7";

static const struct oauth1_message rfc_341_msg = {
    .method = "POST",
    .url = "http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b",
    .content_type = "application/x-www-form-urlencoded",
    .body = "c2&a3=2+q",
    .body_len = 9,
};

/* Sign and return the oauth_signature (copied) and the base string. */
static lk_status sign(char **sig, char **base, const struct oauth1_keys *k,
		      const struct oauth1_message *m,
		      const struct oauth1_options *o)
{
	struct oauth1_signed s;
	struct oauth1_options opt = *o;
	const char *why = NULL;
	lk_status rc;

	opt.keep_base = true;
	rc = oauth1_sign(&s, NULL, k, m, &opt, &why);
	*sig = rc == LK_OK ? lk_strdup(oauth1_signed_get(&s, "oauth_signature"))
			   : NULL;
	if (base)
		*base = rc == LK_OK ? lk_strdup(s.base.data) : NULL;
	oauth1_signed_clear(&s);
	return rc;
}

static void test_rfc5849_3_4_1_base_string_and_params(void)
{
	struct oauth1_keys k = {
	    .method = OAUTH1_HMAC_SHA1,
	    .consumer_key = "9djdj82h48djs9d2",
	    .secrets = {"j49sk3j29djd", "dh893hdasih9", NULL},
	    .token = "kkk9d7dh3k39sjv7",
	};
	struct oauth1_options o = {.nonce = "7d8f3e4a",
				   .timestamp = "137131201"};
	struct oauth1_pair proto[] = {
	    {"oauth_consumer_key", "9djdj82h48djs9d2"},
	    {"oauth_token", "kkk9d7dh3k39sjv7"},
	    {"oauth_signature_method", "HMAC-SHA1"},
	    {"oauth_timestamp", "137131201"},
	    {"oauth_nonce", "7d8f3e4a"},
	};
	struct oauth1_buf b = {0};
	const char *why;
	char *sig, *base;

	CU_ASSERT_EQUAL(
	    oauth1_normalized_params(&b, &rfc_341_msg, proto, 5, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(b.data, rfc_341_params);
	oauth1_buf_wipe(&b);
	CU_ASSERT_EQUAL(oauth1_base_string(&b, &rfc_341_msg, proto, 5, &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(b.data, rfc_341_base);
	oauth1_buf_wipe(&b);

	/* The whole path from raw parts gives the same base string; the
	 * signature under the stated key j49sk3j29djd&dh893hdasih9 is
	 * python3 hmac.new(key, base, sha1), base64. */
	CU_ASSERT_EQUAL_FATAL(sign(&sig, &base, &k, &rfc_341_msg, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(base, rfc_341_base);
	CU_ASSERT_STRING_EQUAL(sig, "r6/TJjbCOr97/+UU0NsvSne7s5g=");
	lk_free(sig);
	lk_free(base);

	/* HMAC-SHA256 of the same request: the base string names the
	 * method; python3 hmac with sha256 over that string. */
	k.method = OAUTH1_HMAC_SHA256;
	CU_ASSERT_EQUAL_FATAL(sign(&sig, &base, &k, &rfc_341_msg, &o), LK_OK);
	CU_ASSERT_PTR_NOT_NULL(strstr(base, "HMAC-SHA256%26oauth_timestamp"));
	CU_ASSERT_STRING_EQUAL(sig,
			       "ypAxjNip++Dm0fTM+gCl8wAo6ufSnseu1WHxL7py3BU=");
	lk_free(sig);
	lk_free(base);
}

/* HMAC-SHA1 and HMAC-SHA256 of the 3.4.1.1 base string itself, under
 * the stated key j49sk3j29djd&dh893hdasih9 (python3 hmac). */
static void test_hmac_of_rfc_base_string(void)
{
	struct oauth1_secrets sec = {"j49sk3j29djd", "dh893hdasih9", NULL};
	struct oauth1_signer signer = {0};
	struct oauth1_buf out = {0};
	const char *why;

	CU_ASSERT_EQUAL(oauth1_signature(&out, NULL, OAUTH1_HMAC_SHA1, &sec,
					 rfc_341_base, strlen(rfc_341_base),
					 &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(out.data, "r6/TJjbCOr97/+UU0NsvSne7s5g=");
	oauth1_buf_wipe(&out);
	CU_ASSERT_EQUAL(oauth1_signature(&out, NULL, OAUTH1_HMAC_SHA256, &sec,
					 rfc_341_base, strlen(rfc_341_base),
					 &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(out.data,
			       "lIfydhbOitvsm4DvUwgM0NdR1Mzd08HnXI+q+EG0QKo=");
	oauth1_buf_wipe(&out);
	/* A reused signer gives the same answers, key changes included. */
	for (int i = 0; i < 3; i++) {
		enum oauth1_method m =
		    i == 1 ? OAUTH1_HMAC_SHA256 : OAUTH1_HMAC_SHA1;
		CU_ASSERT_EQUAL(oauth1_signature(&out, &signer, m, &sec,
						 rfc_341_base,
						 strlen(rfc_341_base), &why),
				LK_OK);
		CU_ASSERT_STRING_EQUAL(
		    out.data,
		    i == 1 ? "lIfydhbOitvsm4DvUwgM0NdR1Mzd08HnXI+q+EG0QKo="
			   : "r6/TJjbCOr97/+UU0NsvSne7s5g=");
		oauth1_buf_wipe(&out);
	}
	oauth1_signer_clear(&signer);
}

/* RFC 5849 section 1.2: the printed signatures of the example. */
static void test_rfc5849_1_2_examples(void)
{
	struct oauth1_keys k = {
	    .method = OAUTH1_HMAC_SHA1,
	    .consumer_key = "dpf43f3p2l4k3l03",
	    .secrets = {"kd94hf93k423kf44", NULL, NULL},
	};
	struct oauth1_message m = {
	    .method = "POST",
	    .url = "https://photos.example.net/initiate",
	};
	struct oauth1_options o = {
	    .nonce = "wIjqoS",
	    .timestamp = "137131200",
	    .callback = "http://printer.example.com/ready",
	};
	char *sig, *base;

	/* Temporary credentials request ("initiate"). */
	CU_ASSERT_EQUAL_FATAL(sign(&sig, &base, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(
	    base, "POST&https%3A%2F%2Fphotos.example.net%2Finitiate&oauth_"
		  "callback%3Dhttp%253A%252F%252Fprinter.example.com%252Fre"
		  "ady%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oauth_nonc"
		  "e%3DwIjqoS%26oauth_signature_method%3DHMAC-SHA1%26oauth_"
		  "timestamp%3D137131200");
	CU_ASSERT_STRING_EQUAL(sig, "74KNZJeDHnMBp0EMJ9ZHt/XKycU=");
	lk_free(sig);
	lk_free(base);

	/* Token request, with the verifier. */
	k.token = "hh5s93j4hdidpola";
	k.secrets.token_secret = "hdhd0244k9j7ao03";
	m.url = "https://photos.example.net/token";
	o = (struct oauth1_options){.nonce = "walatlh",
				    .timestamp = "137131201",
				    .verifier = "hfdp7dh39dks9884"};
	CU_ASSERT_EQUAL_FATAL(sign(&sig, NULL, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(sig, "gKgrFCywp7rO0OXSjdot/IHF7IU=");
	lk_free(sig);

	/* The protected resource. */
	k.token = "nnch734d00sl2jdk";
	k.secrets.token_secret = "pfkkdhi9sl3r4s00";
	m.method = "GET";
	m.url = "http://photos.example.net/photos?file=vacation.jpg&size=orig"
		"inal";
	o = (struct oauth1_options){.nonce = "chapoH",
				    .timestamp = "137131202"};
	CU_ASSERT_EQUAL_FATAL(sign(&sig, NULL, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(sig, "MdpQcU8iPSUjWoN/UDMsK2sui9I=");
	lk_free(sig);

	/* The same request as OAuth Core 1.0 appendix A.5 signs it, with
	 * oauth_version=1.0. */
	o = (struct oauth1_options){.nonce = "kllo9940pd9333jh",
				    .timestamp = "1191242096",
				    .version = true};
	CU_ASSERT_EQUAL_FATAL(sign(&sig, NULL, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(sig, "tR3+Ty81lMeYAr/Fid0kMTYa/WM=");
	lk_free(sig);
}

static char *read_file(const char *name)
{
	const char *top = getenv("top_srcdir");
	char path[1024], *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/tests/modules/oauth1/%s",
		 top ? top : ".", name);
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = lk_calloc(1, (size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		lk_free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

/* The oauth.net TestCases RSA-SHA1 vector (section 9.3 of OAuth Core
 * 1.0; the key is the one published there, "vacaction" sic). */
static void test_rsa_sha1_oauth_net_vector(void)
{
	char *pem = read_file("wiki-oauth-net-rsa.pem");
	char *pub = read_file("wiki-oauth-net-rsa.pub.pem");
	struct oauth1_keys k = {.method = OAUTH1_RSA_SHA1,
				.consumer_key = "dpf43f3p2l4k3l03"};
	struct oauth1_message m = {
	    .method = "GET",
	    .url = "http://photos.example.net/photos?file=vacaction.jpg&siz"
		   "e=original",
	};
	struct oauth1_options o = {.nonce = "13917289812797014437",
				   .timestamp = "1196666512",
				   .version = true};
	EVP_PKEY *key = NULL, *pubkey = NULL;
	unsigned char raw[512];
	const char *why;
	char *sig, *base;
	BIO *bio;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pem);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pub);
	CU_ASSERT_EQUAL_FATAL(oauth1_rsa_key_load(&key, pem, &why), LK_OK);
	k.secrets.rsa_key = key;
	CU_ASSERT_EQUAL_FATAL(sign(&sig, &base, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(
	    base, "GET&http%3A%2F%2Fphotos.example.net%2Fphotos&file%3Dvac"
		  "action.jpg%26oauth_consumer_key%3Ddpf43f3p2l4k3l03%26oau"
		  "th_nonce%3D13917289812797014437%26oauth_signature_method"
		  "%3DRSA-SHA1%26oauth_timestamp%3D1196666512%26oauth_versi"
		  "on%3D1.0%26size%3Doriginal");
	CU_ASSERT_STRING_EQUAL(
	    sig, "jvTp/wX1TYtByB1m+Pbyo0lnCOLIsyGCH7wke8AUs3BpnwZJtAuEJkvQ"
		 "L2/9n4s5wUmUl4aCI4BwpraNx4RtEXMe5qg5T1LVTGliMRpKasKsW//e"
		 "+RinhejgCuzoH26dyF8iY2ZZ/5D1ilgeijhV/vBka5twt399mXwaYdCwF"
		 "YE=");

	/* And it verifies with the public key through EVP_DigestVerify. */
	bio = BIO_new_mem_buf(pub, -1);
	pubkey = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	BIO_free(bio);
	CU_ASSERT_PTR_NOT_NULL_FATAL(pubkey);
	int rawlen =
	    EVP_DecodeBlock(raw, (const unsigned char *)sig, (int)strlen(sig));
	CU_ASSERT_EQUAL_FATAL(rawlen, 129); /* 128 + one '=' pad byte */
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	CU_ASSERT_EQUAL(
	    EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, pubkey), 1);
	CU_ASSERT_EQUAL(EVP_DigestVerify(md, raw, 128,
					 (const unsigned char *)base,
					 strlen(base)),
			1);
	/* A changed base string does not verify. */
	base[0] = 'P';
	EVP_MD_CTX_reset(md);
	EVP_DigestVerifyInit(md, NULL, EVP_sha1(), NULL, pubkey);
	CU_ASSERT_NOT_EQUAL(EVP_DigestVerify(md, raw, 128,
					     (const unsigned char *)base,
					     strlen(base)),
			    1);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(pubkey);
	EVP_PKEY_free(key);
	lk_free(sig);
	lk_free(base);

	/* No key, not a key, not RSA: clear refusals. */
	k.secrets.rsa_key = NULL;
	CU_ASSERT_EQUAL(sign(&sig, NULL, &k, &m, &o), LK_EINVAL);
	CU_ASSERT_EQUAL(oauth1_rsa_key_load(&key, "not a key", &why),
			LK_EINVAL);
	CU_ASSERT_PTR_NULL(key);
	CU_ASSERT_STRING_EQUAL(why, "not a PEM private key (or one with a "
				    "passphrase)");
	lk_free(pem);
	lk_free(pub);
}

/* Section 3.4.4: the key itself, encoded; encoded again in the header. */
static void test_plaintext(void)
{
	struct oauth1_keys k = {
	    .method = OAUTH1_PLAINTEXT,
	    .consumer_key = "dpf43f3p2l4k3l03",
	    .secrets = {"kd94hf93k423kf44", "pfkkdhi9sl3r4s00", NULL},
	    .token = "nnch734d00sl2jdk",
	};
	struct oauth1_message m = {.method = "GET",
				   .url = "https://photos.example.net/photos"};
	struct oauth1_options o = {.nonce = "n", .timestamp = "1"};
	struct oauth1_signed s;
	struct oauth1_buf h = {0};
	const char *why;
	char *sig;

	CU_ASSERT_EQUAL_FATAL(sign(&sig, NULL, &k, &m, &o), LK_OK);
	CU_ASSERT_STRING_EQUAL(sig, "kd94hf93k423kf44&pfkkdhi9sl3r4s00");
	lk_free(sig);
	k.secrets.consumer_secret = "a&b c";
	k.secrets.token_secret = NULL;
	k.token = NULL;
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_signature"),
			       "a%26b%20c&");
	CU_ASSERT_EQUAL(oauth1_header_value(&h, &s, NULL), LK_OK);
	CU_ASSERT_STRING_EQUAL(h.data,
			       "OAuth oauth_consumer_key=\"dpf43f3p2l4k3l03\", "
			       "oauth_signature_method=\"PLAINTEXT\", "
			       "oauth_timestamp=\"1\", oauth_nonce=\"n\", "
			       "oauth_signature=\"a%2526b%2520c%26\"");
	oauth1_buf_wipe(&h);
	oauth1_signed_clear(&s);
}

/* Section 3.6 against python3 urllib.parse.quote(s.encode(), safe=''). */
static void test_percent_encoding_table(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {":/?#[]@", "%3A%2F%3F%23%5B%5D%40"},
	    {"!$&'()*+,;=", "%21%24%26%27%28%29%2A%2B%2C%3B%3D"},
	    {"+", "%2B"},
	    {"*", "%2A"},
	    {"~", "~"},
	    {"%", "%25"},
	    {" ", "%20"},
	    {"-._~", "-._~"},
	    {"AZaz09", "AZaz09"},
	    {"\xc3\xa9", "%C3%A9"},
	    {"\xf0\x9f\x98\x80", "%F0%9F%98%80"},
	    {"", ""},
	    {"a\tb\nc", "a%09b%0Ac"},
	    {"\x7f", "%7F"},
	    {"\xe2\x82\xac"
	     "100",
	     "%E2%82%AC100"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct oauth1_buf b = {0};
		oauth1_encode(&b, cases[i].in, strlen(cases[i].in));
		CU_ASSERT_FALSE(b.failed);
		CU_ASSERT_STRING_EQUAL(b.data ? b.data : "", cases[i].out);
		if (strcmp(b.data ? b.data : "", cases[i].out) != 0)
			fprintf(stderr, "case %zu: got %s\n", i, b.data);
		oauth1_buf_wipe(&b);
	}
	/* Form components: '+' is a space, %XX an octet, a stray '%' a
	 * literal (python3 unquote_plus, then quote). */
	struct oauth1_buf b = {0};
	const char *in = "a+b%2Bc%zz%e2%82%ac%";
	oauth1_encode_form(&b, in, strlen(in));
	CU_ASSERT_STRING_EQUAL(b.data, "a%20b%2Bc%25zz%E2%82%AC%25");
	oauth1_buf_wipe(&b);
	oauth1_decode_form(&b, in, strlen(in));
	CU_ASSERT_STRING_EQUAL(b.data, "a b+c%zz\xe2\x82\xac%");
	oauth1_buf_wipe(&b);
}

/* Section 3.4.1.3.2: encoded names sort by byte (a%C3%A9 before a~),
 * repeated names by value, empty values kept. Expected string from a
 * python3 sort of (quote(name), quote(value)) tuples. */
static void test_normalisation_order(void)
{
	struct oauth1_message m = {
	    .method = "POST",
	    .url = "https://api.example.com/p?a~=1&a%C3%A9=2&b=2&b=10&b=1&"
		   "empty=&noval&sp=a+b&pct=100%25&&#frag=x",
	    .content_type = "Application/X-WWW-Form-URLEncoded; charset=utf-8",
	    .body = "z=%2A&b=%7E&bad=%zz",
	    .body_len = 19,
	};
	struct oauth1_pair proto[] = {
	    {"oauth_consumer_key", "ck"},
	    {"oauth_nonce", "n"},
	    {"oauth_signature_method", "HMAC-SHA1"},
	    {"oauth_timestamp", "1"},
	    {"oauth_token", "t"},
	    {"oauth_version", "1.0"},
	};
	struct oauth1_buf b = {0};
	const char *why;

	CU_ASSERT_EQUAL(oauth1_normalized_params(&b, &m, proto, 6, &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(
	    b.data, "a%C3%A9=2&a~=1&b=1&b=10&b=2&b=~&bad=%25zz&empty=&"
		    "noval=&oauth_consumer_key=ck&oauth_nonce=n&oauth_sign"
		    "ature_method=HMAC-SHA1&oauth_timestamp=1&oauth_token="
		    "t&oauth_version=1.0&pct=100%25&sp=a%20b&z=%2A");
	oauth1_buf_wipe(&b);

	/* A body that is not a form is not a source of parameters. */
	m.content_type = "application/json";
	m.url = "https://api.example.com/p";
	CU_ASSERT_EQUAL(oauth1_normalized_params(&b, &m, proto, 1, &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(b.data, "oauth_consumer_key=ck");
	oauth1_buf_wipe(&b);
	m.content_type = NULL;
	CU_ASSERT_EQUAL(oauth1_normalized_params(&b, &m, proto, 1, &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(b.data, "oauth_consumer_key=ck");
	oauth1_buf_wipe(&b);
}

/* Section 3.4.1.2 (its two examples first). */
static void test_base_string_uri(void)
{
	static const struct {
		const char *url, *out;
	} ok[] = {
	    {"HTTP://EXAMPLE.COM:80/r%20v/X?id=123",
	     "http://example.com/r%20v/X"},
	    {"https://www.example.net:8080/?q=1",
	     "https://www.example.net:8080/"},
	    {"https://Example.com:443", "https://example.com/"},
	    {"http://example.com:443/a", "http://example.com:443/a"},
	    {"https://user:pw@Example.com/a#frag", "https://example.com/a"},
	    {"http://[::1]:8080/x?y", "http://[::1]:8080/x"},
	    {"http://127.0.0.1:/x", "http://127.0.0.1/x"},
	    {"http://h/a?b#c?d", "http://h/a"},
	};
	static const struct {
		const char *url, *why;
	} bad[] = {
	    {"example.com/x", "the URL is not absolute"},
	    {"ftp://example.com/x", "the URL's scheme is not http or https"},
	    {"http:///x", "the URL has no host"},
	    {"http://h:8x/", "the URL's port is not a number"},
	    {"http://h:99999/", "the URL's port is out of range"},
	    {"http://[::1/", "the URL's IPv6 host has no ']'"},
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct oauth1_buf b = {0};
		const char *why;
		CU_ASSERT_EQUAL(oauth1_base_uri(&b, ok[i].url, &why), LK_OK);
		CU_ASSERT_STRING_EQUAL(b.data ? b.data : "", ok[i].out);
		oauth1_buf_wipe(&b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct oauth1_buf b = {0};
		const char *why = NULL;
		CU_ASSERT_EQUAL(oauth1_base_uri(&b, bad[i].url, &why),
				LK_EINVAL);
		CU_ASSERT_STRING_EQUAL(why ? why : "", bad[i].why);
		oauth1_buf_wipe(&b);
	}
}

/* oauth_body_hash (the OAuth Request Body Hash draft's example, "Hello
 * World!"; SHA-256 from python3 hashlib). */
static void test_body_hash(void)
{
	struct oauth1_keys k = {.method = OAUTH1_HMAC_SHA1,
				.consumer_key = "ck",
				.secrets = {"cs", "ts", NULL},
				.token = "t"};
	struct oauth1_message m = {.method = "PUT",
				   .url = "https://h/x",
				   .content_type = "text/plain",
				   .body = "Hello World!",
				   .body_len = 12};
	struct oauth1_options o = {
	    .nonce = "n", .timestamp = "1", .body_hash = true};
	struct oauth1_signed s;
	const char *why;

	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_body_hash"),
			       "Lve95gjOVATpfV8EL5X4nxwjKHE=");
	oauth1_signed_clear(&s);
	k.method = OAUTH1_HMAC_SHA256;
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_body_hash"),
			       "f4OxZX/x/FO5LcGBSKHWXfwtSx+j1ncoSt3SABJtkGk=");
	oauth1_signed_clear(&s);
	/* No body: the hash of the empty string. */
	k.method = OAUTH1_HMAC_SHA1;
	m.body = NULL;
	m.body_len = 0;
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_body_hash"),
			       "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
	oauth1_signed_clear(&s);
	/* Never with a form body (the base string covers it). */
	m.content_type = "application/x-www-form-urlencoded";
	m.body = "a=1";
	m.body_len = 3;
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_PTR_NULL(oauth1_signed_get(&s, "oauth_body_hash"));
	oauth1_signed_clear(&s);
}

static unsigned char fixed_byte;
static lk_status fixed_random(void *buf, size_t len)
{
	memset(buf, fixed_byte++, len);
	return LK_OK;
}
static int64_t fixed_now(void)
{
	return 1700000000;
}

/* Nonce and timestamp come through the core's replaceable hooks. */
static void test_nonce_and_timestamp_injectable(void)
{
	struct oauth1_keys k = {.method = OAUTH1_HMAC_SHA1,
				.consumer_key = "ck",
				.secrets = {"cs", NULL, NULL}};
	struct oauth1_message m = {.method = "GET", .url = "https://h/"};
	struct oauth1_options o = {0};
	struct oauth1_signed s;
	const char *why;

	fixed_byte = 0xab;
	lk_test_set_entropy(fixed_random, fixed_now);
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_nonce"),
			       "abababababababababababababababab");
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_timestamp"),
			       "1700000000");
	oauth1_signed_clear(&s);
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_EQUAL(oauth1_signed_get(&s, "oauth_nonce"),
			       "acacacacacacacacacacacacacacacac");
	oauth1_signed_clear(&s);
	lk_test_set_entropy(NULL, NULL);
	/* The real CSPRNG: two nonces differ. */
	char first[40];
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	snprintf(first, sizeof(first), "%s",
		 oauth1_signed_get(&s, "oauth_nonce"));
	oauth1_signed_clear(&s);
	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_STRING_NOT_EQUAL(first, oauth1_signed_get(&s, "oauth_nonce"));
	CU_ASSERT_EQUAL(strlen(first), 32);
	oauth1_signed_clear(&s);
}

/* Section 3.5: the header (with realm), the query, the form body. */
static void test_placement(void)
{
	struct oauth1_keys k = {
	    .method = OAUTH1_HMAC_SHA1,
	    .consumer_key = "dpf43f3p2l4k3l03",
	    .secrets = {"kd94hf93k423kf44", "pfkkdhi9sl3r4s00", NULL},
	    .token = "nnch734d00sl2jdk",
	};
	struct oauth1_message m = {
	    .method = "GET",
	    .url = "http://photos.example.net/photos?file=vacation.jpg&size="
		   "original",
	};
	struct oauth1_options o = {.nonce = "chapoH", .timestamp = "137131202"};
	struct oauth1_signed s;
	lk_request *req = NULL;
	const char *why;
	const void *body;
	size_t len;

	CU_ASSERT_EQUAL_FATAL(oauth1_sign(&s, NULL, &k, &m, &o, &why), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_request_new(&req, m.method, m.url), LK_OK);
	CU_ASSERT_EQUAL(
	    oauth1_place(req, &s, OAUTH1_PLACE_HEADER, "Photos", &why), LK_OK);
	/* RFC 5849 section 1.2's header, parameter for parameter. */
	CU_ASSERT_STRING_EQUAL(
	    lk_request_header(req, "Authorization"),
	    "OAuth realm=\"Photos\", oauth_consumer_key=\"dpf43f3p2l4k3l03\""
	    ", oauth_token=\"nnch734d00sl2jdk\", oauth_signature_method=\"H"
	    "MAC-SHA1\", oauth_timestamp=\"137131202\", oauth_nonce=\"chapo"
	    "H\", oauth_signature=\"MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D\"");
	CU_ASSERT_EQUAL(oauth1_place(req, &s, OAUTH1_PLACE_QUERY, NULL, &why),
			LK_OK);
	CU_ASSERT_STRING_EQUAL(
	    lk_request_url(req),
	    "http://photos.example.net/photos?file=vacation.jpg&size=origin"
	    "al&oauth_consumer_key=dpf43f3p2l4k3l03&oauth_token=nnch734d00s"
	    "l2jdk&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1371312"
	    "02&oauth_nonce=chapoH&oauth_signature=MdpQcU8iPSUjWoN%2FUDMsK2"
	    "sui9I%3D");
	lk_request_free(req);
	/* Before a fragment, which stays where it was. */
	CU_ASSERT_EQUAL_FATAL(lk_request_new(&req, "GET", "https://h/x#top"),
			      LK_OK);
	CU_ASSERT_EQUAL(oauth1_place(req, &s, OAUTH1_PLACE_QUERY, NULL, &why),
			LK_OK);
	CU_ASSERT_EQUAL(
	    strncmp(lk_request_url(req), "https://h/x?oauth_consumer_key=", 31),
	    0);
	CU_ASSERT_PTR_NOT_NULL(strstr(lk_request_url(req), "%3D#top"));
	lk_request_free(req);

	/* Body: appended to a form, or making one of an empty body. */
	CU_ASSERT_EQUAL_FATAL(lk_request_new(&req, "POST", "https://h/x"),
			      LK_OK);
	CU_ASSERT_EQUAL(oauth1_place(req, &s, OAUTH1_PLACE_BODY, NULL, &why),
			LK_OK);
	body = lk_request_body(req, &len);
	CU_ASSERT_EQUAL(len, strlen("oauth_consumer_key=dpf43f3p2l4k3l03&oau"
				    "th_token=nnch734d00sl2jdk&oauth_signatur"
				    "e_method=HMAC-SHA1&oauth_timestamp=13713"
				    "1202&oauth_nonce=chapoH&oauth_signature="
				    "MdpQcU8iPSUjWoN%2FUDMsK2sui9I%3D"));
	CU_ASSERT_EQUAL(
	    memcmp(body, "oauth_consumer_key=dpf43f3p2l4k3l03&", 36), 0);
	CU_ASSERT_STRING_EQUAL(lk_request_header(req, "Content-Type"),
			       "application/x-www-form-urlencoded");
	lk_request_free(req);
	CU_ASSERT_EQUAL_FATAL(lk_request_new(&req, "POST", "https://h/x"),
			      LK_OK);
	lk_request_set_header(req, "Content-Type", "application/json");
	lk_request_set_body(req, "{}", 2);
	CU_ASSERT_EQUAL(oauth1_place(req, &s, OAUTH1_PLACE_BODY, NULL, &why),
			LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(why, "placement \"body\" needs a form-encoded "
				    "body (application/x-www-form-urlencoded)");
	body = lk_request_body(req, &len);
	CU_ASSERT_EQUAL(len, 2);
	lk_request_free(req);
	oauth1_signed_clear(&s);
}

/* A method in lower case is sent upper case (section 3.4.1.1); a
 * hostile parameter count is refused, not sorted forever. */
static void test_method_case_and_limits(void)
{
	struct oauth1_keys k = {.method = OAUTH1_HMAC_SHA1,
				.consumer_key = "ck",
				.secrets = {"cs", NULL, NULL}};
	struct oauth1_message m = {.method = "get", .url = "https://h/"};
	struct oauth1_options o = {.nonce = "n", .timestamp = "1"};
	char *sig, *base, *big;
	size_t n = 5000;

	CU_ASSERT_EQUAL_FATAL(sign(&sig, &base, &k, &m, &o), LK_OK);
	CU_ASSERT_EQUAL(strncmp(base, "GET&https%3A%2F%2Fh%2F&", 23), 0);
	lk_free(sig);
	lk_free(base);
	big = lk_malloc(n * 2 + 16);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memcpy(big, "https://h/?", 11);
	for (size_t i = 0; i < n; i++)
		memcpy(big + 11 + 2 * i, "a&", 2);
	big[11 + 2 * n] = '\0';
	m.url = big;
	CU_ASSERT_EQUAL(sign(&sig, NULL, &k, &m, &o), LK_EINVAL);
	lk_free(big);
	k.consumer_key = "";
	m.url = "https://h/";
	CU_ASSERT_EQUAL(sign(&sig, NULL, &k, &m, &o), LK_EINVAL);
}

/* Hostile input: random bytes as URL, body, method and secrets (a fixed
 * xorshift sequence, so a failure replays). Each signature either comes
 * out or is refused with a reason; ASan/UBSan watch the rest. */
static void test_hostile_input_never_crashes(void)
{
	static const char alphabet[] = "%&=+?#:/@[]~. aZ09\xc3\xa9\x00\xff";
	uint64_t x = 0x9e3779b97f4a7c15ull;
	char url[200], body[120], method[12], secret[24];
	size_t ok = 0, refused = 0;

	for (int round = 0; round < 3000; round++) {
		char *fields[] = {url, body, method, secret};
		size_t sizes[] = {sizeof(url), sizeof(body), sizeof(method),
				  sizeof(secret)};
		for (size_t f = 0; f < 4; f++) {
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			size_t n = (size_t)(x % (sizes[f] - 1));
			for (size_t i = 0; i < n; i++) {
				x ^= x << 13, x ^= x >> 7, x ^= x << 17;
				fields[f][i] =
				    alphabet[x % (sizeof(alphabet) - 1)];
			}
			fields[f][n] = '\0';
		}
		if (round % 2)
			memcpy(url, "http://", 7);
		struct oauth1_keys k = {.method =
					    (enum oauth1_method)(round % 4),
					.consumer_key = "ck",
					.secrets = {secret, secret, NULL},
					.token = round % 3 ? secret : NULL};
		struct oauth1_message m = {
		    .method = method,
		    .url = url,
		    .content_type = round % 5 ? "application/x-www-form-"
						"urlencoded"
					      : NULL,
		    .body = body,
		    .body_len = strlen(body),
		};
		struct oauth1_options o = {.nonce = "n",
					   .timestamp = "1",
					   .body_hash = round % 7 == 0,
					   .keep_base = true};
		struct oauth1_signed s;
		const char *why = NULL;
		lk_status rc = oauth1_sign(&s, NULL, &k, &m, &o, &why);
		if (rc == LK_OK) {
			ok++;
			CU_ASSERT_PTR_NOT_NULL(
			    oauth1_signed_get(&s, "oauth_signature"));
		} else {
			refused++;
			CU_ASSERT_EQUAL(rc, LK_EINVAL);
			CU_ASSERT_PTR_NOT_NULL(why);
		}
		oauth1_signed_clear(&s);
	}
	/* Both paths were taken: absolute URLs sign (bar RSA, without a
	 * key), the rest are refused. */
	CU_ASSERT(ok > 300);
	CU_ASSERT(refused > 300);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("oauth1 signing", NULL, NULL);
	return !s ||
	       !CU_add_test(s, "RFC 5849 3.4.1 base string and parameters",
			    test_rfc5849_3_4_1_base_string_and_params) ||
	       !CU_add_test(s, "HMAC-SHA1/256 of the 3.4.1.1 base string",
			    test_hmac_of_rfc_base_string) ||
	       !CU_add_test(s, "RFC 5849 1.2 printed signatures",
			    test_rfc5849_1_2_examples) ||
	       !CU_add_test(s, "RSA-SHA1 oauth.net vector, EVP verify",
			    test_rsa_sha1_oauth_net_vector) ||
	       !CU_add_test(s, "PLAINTEXT", test_plaintext) ||
	       !CU_add_test(s, "percent-encoding table",
			    test_percent_encoding_table) ||
	       !CU_add_test(s, "normalisation order",
			    test_normalisation_order) ||
	       !CU_add_test(s, "base string URI", test_base_string_uri) ||
	       !CU_add_test(s, "body hash", test_body_hash) ||
	       !CU_add_test(s, "nonce and timestamp injectable",
			    test_nonce_and_timestamp_injectable) ||
	       !CU_add_test(s, "placement", test_placement) ||
	       !CU_add_test(s, "method case and limits",
			    test_method_case_and_limits) ||
	       !CU_add_test(s, "hostile input never crashes",
			    test_hostile_input_never_crashes);
}

LK_CUNIT_MAIN(reg)
