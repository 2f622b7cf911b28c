/* SPDX-License-Identifier: MIT */
/* Randomness and time, replaceable by tests only (no environment switch). */
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "core.h"

static lk_random_fn test_random;
static lk_now_fn test_now;

void lk_test_set_entropy(lk_random_fn random_fn, lk_now_fn now_fn)
{
	test_random = random_fn;
	test_now = now_fn;
}

lk_status lk_random_bytes(void *buf, size_t len)
{
	if (test_random)
		return test_random(buf, len);
	if (len > (size_t)INT32_MAX)
		return LK_EINVAL;
	return RAND_bytes(buf, (int)len) == 1 ? LK_OK : LK_ENOMEM;
}

lk_status lk_random__id(char **out, size_t nbytes)
{
	unsigned char raw[32], b64[48];
	lk_status rc = nbytes <= sizeof raw ? lk_random_bytes(raw, nbytes)
					    : LK_EINVAL;

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	int n = EVP_EncodeBlock(b64, raw, (int)nbytes);
	while (n > 0 && b64[n - 1] == '=')
		n--;
	for (int i = 0; i < n; i++) /* base64url (RFC 4648 section 5) */
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	b64[n] = '\0';
	OPENSSL_cleanse(raw, sizeof raw);
	*out = lk_strdup((char *)b64);
	return *out ? LK_OK : LK_ENOMEM;
}

int64_t lk_now(void)
{
	if (test_now)
		return test_now();
	return (int64_t)time(NULL);
}

bool lk_secure_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}
