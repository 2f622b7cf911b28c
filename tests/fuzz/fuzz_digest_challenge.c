/* SPDX-License-Identifier: MIT */
/* Fuzz modules/digest/digest_challenge.c: bit 0 of the first byte allows
 * RFC 2069; the rest is split at '\n' into WWW-Authenticate values (as
 * several header lines), each also read as an Authentication-Info. */
#include <stdlib.h>
#include <string.h>

#define LK_FUZZ_NAME digest_challenge
#include "../../modules/digest/digest_challenge.h"
#include "fuzz.h"

#define MAX_VALUES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct digest_challenge c;
	const char *values[MAX_VALUES];
	char *copy, err[256];
	size_t n = 0;

	if (size == 0)
		return 0;
	bool allow2069 = data[0] & 1;
	/* NUL-terminated values, as header values arrive */
	copy = malloc(size);
	if (!copy)
		return 0;
	memcpy(copy, data + 1, size - 1);
	copy[size - 1] = '\0';
	for (char *p = copy; n < MAX_VALUES;) {
		values[n++] = p;
		char *nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	memset(err, 'x', sizeof err);
	lk_status rc =
	    digest_challenge_parse(&c, values, n, allow2069, err, sizeof err);
	if (rc == LK_OK) {
		/* a chosen challenge is complete and consistent */
		LK_FUZZ_ASSERT(c.realm && c.nonce);
		LK_FUZZ_ASSERT(c.algo <= DIGEST_ALGO_SHA512_256);
		LK_FUZZ_ASSERT(c.qop_auth || c.qop_auth_int || allow2069);
		LK_FUZZ_ASSERT(!c.sess || c.qop_auth || c.qop_auth_int);
		LK_FUZZ_ASSERT(
		    strcmp(digest_challenge_algo_name(c.algo, c.sess), "?") !=
		    0);
	} else {
		/* refused: nothing leaks out, and the reason is a string */
		LK_FUZZ_ASSERT(!c.realm && !c.nonce && !c.opaque);
		LK_FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
		LK_FUZZ_ASSERT(err[0] != '\0');
		LK_FUZZ_ASSERT(rc == LK_EPROTO || rc == LK_EAUTH ||
			       rc == LK_ENOMEM);
	}
	digest_challenge_clear(&c);
	for (size_t i = 0; i < n; i++) {
		char *next = NULL;
		rc = digest_challenge_nextnonce(&next, values[i], err,
						sizeof err);
		LK_FUZZ_ASSERT(rc == LK_OK || !next);
		lk_free(next);
	}
	free(copy);
	return 0;
}
