/* SPDX-License-Identifier: MIT */
/* Fuzz core/token_response.c: the first byte picks the Content-Type,
 * the rest is the body. Both entry points must agree. */
#include <stdlib.h>
#include <string.h>

#define LK_FUZZ_NAME token_response
#include "fuzz.h"
#include "token_response.h"

static const char *const types[] = {
    NULL,
    "application/json",
    "application/xml; charset=utf-8",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/html",
    "application/vnd.x+json",
    "text/xml",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lk_fields *f = NULL;
	char *json = NULL;

	if (size == 0)
		return 0;
	const char *ct = types[data[0] % (sizeof types / sizeof types[0])];
	/* a copy of exactly size-1 bytes, not NUL-terminated, so ASan sees
	 * any read past the end */
	size_t len = size - 1;
	char *body = malloc(len ? len : 1);
	if (!body)
		return 0;
	memcpy(body, data + 1, len);
	lk_status a = lk_token_response__parse(&f, NULL, ct, body, len);
	lk_status b = lk_token_response__to_json(&json, NULL, ct, body, len);
	LK_FUZZ_ASSERT(a == b);
	LK_FUZZ_ASSERT((a == LK_OK) == (f != NULL));
	LK_FUZZ_ASSERT((b == LK_OK) == (json != NULL));
	if (json && strlen(json) <= LK_TOKEN_RESPONSE_MAX) {
		/* the JSON form parses back, as JSON, to the same keys
		 * (escaping may make it longer than the cap) */
		lk_fields *g = NULL;
		lk_status c = lk_token_response__parse(
		    &g, NULL, "application/json", json, strlen(json));
		LK_FUZZ_ASSERT(c == LK_OK);
		LK_FUZZ_ASSERT(lk_fields_count(g) == lk_fields_count(f));
		lk_fields_free(g);
	}
	lk_fields_free(f);
	lk_free(json);
	free(body);
	return 0;
}
