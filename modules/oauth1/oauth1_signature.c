/* SPDX-License-Identifier: MIT */
/* Signature methods, RFC 5849 section 3.4: HMAC-SHA1 (3.4.2), HMAC-SHA256
 * (same construction with SHA-256), RSA-SHA1 (3.4.3, RSASSA-PKCS1-v1_5),
 * PLAINTEXT (3.4.4); and oauth_body_hash. OpenSSL 3 EVP only. */
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "oauth1_encode.h"
#include "oauth1_signature.h"

static const char *const method_names[] = {
    [OAUTH1_HMAC_SHA1] = "HMAC-SHA1",
    [OAUTH1_HMAC_SHA256] = "HMAC-SHA256",
    [OAUTH1_RSA_SHA1] = "RSA-SHA1",
    [OAUTH1_PLAINTEXT] = "PLAINTEXT",
};

const char *oauth1_method_name(enum oauth1_method m)
{
	return (unsigned)m < sizeof(method_names) / sizeof(method_names[0])
		   ? method_names[m]
		   : "?";
}

bool oauth1_method_parse(enum oauth1_method *out, const char *name)
{
	for (size_t i = 0;
	     name && i < sizeof(method_names) / sizeof(method_names[0]); i++) {
		if (strcmp(name, method_names[i]) == 0) {
			*out = (enum oauth1_method)i;
			return true;
		}
	}
	return false;
}

void oauth1_signer_clear(struct oauth1_signer *s)
{
	EVP_MAC_CTX_free(s->ctx);
	EVP_MAC_free(s->mac);
	oauth1_buf_wipe(&s->key);
	memset(s, 0, sizeof(*s));
}

/* Section 3.4.2: key = encode(consumer secret) "&" encode(token secret),
 * also the PLAINTEXT signature (3.4.4). */
static void signing_key(struct oauth1_buf *key,
			const struct oauth1_secrets *sec)
{
	const char *cs = sec->consumer_secret ? sec->consumer_secret : "";
	const char *ts = sec->token_secret ? sec->token_secret : "";

	oauth1_encode(key, cs, strlen(cs));
	oauth1_buf_add(key, "&", 1);
	oauth1_encode(key, ts, strlen(ts));
}

static void base64_append(struct oauth1_buf *out, const unsigned char *raw,
			  size_t n)
{
	size_t need = 4 * ((n + 2) / 3);

	if (!oauth1_buf_reserve(out, need))
		return;
	EVP_EncodeBlock((unsigned char *)out->data + out->len, raw, (int)n);
	out->len += need;
	out->data[out->len] = '\0';
}

/* Key the context, or reset it when the key is the one it holds:
 * re-initialising with a NULL key keeps the key (OpenSSL 3 HMAC). */
static lk_status hmac_ready(struct oauth1_signer *s, enum oauth1_method m,
			    const struct oauth1_buf *key)
{
	OSSL_PARAM params[2];
	bool same;

	if (!s->mac) {
		s->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		if (!s->mac)
			return LK_ENOMEM;
	}
	if (!s->ctx) {
		s->ctx = EVP_MAC_CTX_new(s->mac);
		if (!s->ctx)
			return LK_ENOMEM;
	}
	same = s->keyed && s->keyed_method == m && s->key.len == key->len &&
	       CRYPTO_memcmp(s->key.data, key->data, key->len) == 0;
	if (same)
		return EVP_MAC_init(s->ctx, NULL, 0, NULL) ? LK_OK : LK_ENOMEM;
	s->keyed = false;
	params[0] = OSSL_PARAM_construct_utf8_string(
	    OSSL_MAC_PARAM_DIGEST, m == OAUTH1_HMAC_SHA256 ? "SHA256" : "SHA1",
	    0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_init(s->ctx, (const unsigned char *)key->data, key->len,
			  params))
		return LK_ENOMEM;
	oauth1_buf_wipe(&s->key);
	oauth1_buf_add(&s->key, key->data, key->len);
	if (s->key.failed)
		return LK_ENOMEM;
	s->keyed_method = m;
	s->keyed = true;
	return LK_OK;
}

static lk_status sign_hmac(struct oauth1_buf *out, struct oauth1_signer *s,
			   enum oauth1_method m,
			   const struct oauth1_secrets *sec, const char *base,
			   size_t len)
{
	struct oauth1_buf key;
	char key_store[128];
	unsigned char mac[EVP_MAX_MD_SIZE];
	size_t maclen = 0;
	lk_status rc;

	oauth1_buf_init(&key, key_store, sizeof(key_store));
	signing_key(&key, sec);
	if (key.failed) {
		rc = LK_ENOMEM;
		goto out;
	}
	rc = hmac_ready(s, m, &key);
	if (rc != LK_OK)
		goto out;
	if (!EVP_MAC_update(s->ctx, (const unsigned char *)base, len) ||
	    !EVP_MAC_final(s->ctx, mac, &maclen, sizeof(mac))) {
		rc = LK_ENOMEM;
		goto out;
	}
	base64_append(out, mac, maclen);
	rc = out->failed ? LK_ENOMEM : LK_OK;
out:
	OPENSSL_cleanse(mac, sizeof(mac));
	oauth1_buf_wipe(&key);
	return rc;
}

/* Section 3.4.3: RSASSA-PKCS1-v1_5 with SHA-1 (RFC 3447 8.2). */
static lk_status sign_rsa(struct oauth1_buf *out,
			  const struct oauth1_secrets *sec, const char *base,
			  size_t len, const char **why)
{
	EVP_MD_CTX *md = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	lk_status rc = LK_ENOMEM;

	if (!sec->rsa_key) {
		*why = "RSA-SHA1 needs a private key";
		return LK_EINVAL;
	}
	md = EVP_MD_CTX_new();
	if (!md)
		goto out;
	if (EVP_DigestSignInit_ex(md, &pctx, "SHA1", NULL, NULL, sec->rsa_key,
				  NULL) != 1 ||
	    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (const unsigned char *)base,
			   len) != 1) {
		*why = "the RSA key cannot sign with SHA-1";
		rc = LK_EINVAL;
		goto out;
	}
	sig = lk_malloc(siglen);
	if (!sig)
		goto out;
	if (EVP_DigestSign(md, sig, &siglen, (const unsigned char *)base,
			   len) != 1) {
		*why = "RSA signing failed";
		rc = LK_EINVAL;
		goto out;
	}
	base64_append(out, sig, siglen);
	rc = out->failed ? LK_ENOMEM : LK_OK;
out:
	/* A refusal leaves nothing on OpenSSL's per-thread error queue for
	 * the next TLS call to misread. */
	if (rc != LK_OK)
		ERR_clear_error();
	lk_free(sig);
	EVP_MD_CTX_free(md);
	return rc;
}

lk_status oauth1_signature(struct oauth1_buf *out, struct oauth1_signer *s,
			   enum oauth1_method m,
			   const struct oauth1_secrets *sec, const char *base,
			   size_t len, const char **why)
{
	struct oauth1_signer once = {0};
	lk_status rc;

	*why = NULL;
	switch (m) {
	case OAUTH1_HMAC_SHA1:
	case OAUTH1_HMAC_SHA256:
		rc = sign_hmac(out, s ? s : &once, m, sec, base, len);
		oauth1_signer_clear(&once);
		return rc;
	case OAUTH1_RSA_SHA1:
		return sign_rsa(out, sec, base, len, why);
	case OAUTH1_PLAINTEXT:
		signing_key(out, sec);
		return out->failed ? LK_ENOMEM : LK_OK;
	}
	*why = "unknown signature method";
	return LK_EINVAL;
}

lk_status oauth1_body_hash(char *out, size_t outlen, enum oauth1_method m,
			   const void *body, size_t len)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	const EVP_MD *type =
	    m == OAUTH1_HMAC_SHA256 ? EVP_sha256() : EVP_sha1();

	if (outlen < 45)
		return LK_EINVAL;
	if (EVP_Digest(body ? body : "", len, md, &mdlen, type, NULL) != 1)
		return LK_ENOMEM;
	EVP_EncodeBlock((unsigned char *)out, md, (int)mdlen);
	return LK_OK;
}

lk_status oauth1_rsa_key_load(EVP_PKEY **out, const char *pem, const char **why)
{
	BIO *bio = NULL;
	EVP_PKEY *key = NULL;

	*out = NULL;
	*why = NULL;
	bio = BIO_new_mem_buf(pem, -1);
	if (!bio)
		return LK_ENOMEM;
	/* No passphrase callback: an encrypted key is refused, not
	 * prompted for. */
	key = PEM_read_bio_PrivateKey(bio, NULL, NULL, (void *)"");
	BIO_free(bio);
	if (!key) {
		ERR_clear_error();
		*why = "not a PEM private key (or one with a passphrase)";
		return LK_EINVAL;
	}
	if (!EVP_PKEY_is_a(key, "RSA")) {
		EVP_PKEY_free(key);
		*why = "the private key is not an RSA key";
		return LK_EINVAL;
	}
	*out = key;
	return LK_OK;
}
