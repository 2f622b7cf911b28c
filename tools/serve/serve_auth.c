/* SPDX-License-Identifier: MIT */
/*
 * serve_auth.c: host authentication (Bearer service keys, RFC 6750
 * section 2.1) and the owner a call acts for.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "serve_int.h"

#define MIN_KEY_LEN 16
#define MAX_OWNER_LEN 256

static bool sha256(unsigned char out[SERVE_KEY_HASH_LEN], const void *p,
		   size_t n)
{
	unsigned int len = 0;

	return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 &&
	       len == SERVE_KEY_HASH_LEN;
}

/* Keys are kept only as SHA-256 digests: comparing digests of equal
 * length with CRYPTO_memcmp leaks neither a key's bytes nor its length. */
int serve_auth_load_keys(struct serve *srv)
{
	const struct serve_conf *c = &srv->conf;

	srv->key_hashes = lk_calloc(c->nkey_files, sizeof(*srv->key_hashes));
	if (!srv->key_hashes)
		return 2;
	for (size_t i = 0; i < c->nkey_files; i++) {
		char *key = NULL;
		size_t len = 0, alloc;
		int rc = serve_read_secret_file(&key, &len, c->key_files[i],
						"service key file");

		if (rc)
			return rc;
		alloc = len + 1;
		while (len > 0 && strchr("\r\n\t ", key[len - 1]))
			len--;
		if (len < MIN_KEY_LEN || memchr(key, '\n', len)) {
			fprintf(stderr,
				"latchkey serve: service key file %s: must "
				"hold one key of at least %d characters on "
				"one line\n",
				c->key_files[i], MIN_KEY_LEN);
			lk_secret_free(key, alloc);
			return 2;
		}
		bool ok = sha256(srv->key_hashes[i], key, len);

		lk_secret_free(key, alloc);
		if (!ok)
			return 2;
		srv->nkeys = i + 1;
	}
	return 0;
}

bool serve_auth_bearer_ok(const struct serve *srv, const char *authorization)
{
	unsigned char h[SERVE_KEY_HASH_LEN];
	const char *tok;
	int match = 0;

	if (!authorization || strncasecmp(authorization, "Bearer ", 7) != 0)
		return false;
	tok = authorization + 7;
	while (*tok == ' ')
		tok++;
	if (!*tok || !sha256(h, tok, strlen(tok)))
		return false;
	/* Every key is compared, so timing does not tell which matched. */
	for (size_t i = 0; i < srv->nkeys; i++)
		match |= CRYPTO_memcmp(h, srv->key_hashes[i], sizeof(h)) == 0;
	OPENSSL_cleanse(h, sizeof(h));
	return match != 0;
}

static bool owner_ok(const char *o)
{
	size_t n = strlen(o);

	if (n == 0 || n > MAX_OWNER_LEN)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)o[i] < 0x20 || o[i] == 0x7f)
			return false;
	return true;
}

const char *serve_auth_owner(struct MHD_Connection *c, const char **why)
{
	const char *q =
	    MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "owner");
	const char *h =
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Latchkey-Owner");

	if (q && h && strcmp(q, h) != 0) {
		*why = "the owner parameter and the X-Latchkey-Owner header "
		       "differ; send one, or the same in both";
		return NULL;
	}
	if (!q)
		q = h;
	if (!q) {
		*why = "missing owner: pass the owner parameter or the "
		       "X-Latchkey-Owner header";
		return NULL;
	}
	if (!owner_ok(q)) {
		*why = "invalid owner: 1 to 256 characters, no control "
		       "characters";
		return NULL;
	}
	return q;
}
