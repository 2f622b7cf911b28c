/* SPDX-License-Identifier: MIT */
/* Fuzz modules/oauth2/oauth2_callback.c, which reads the redirect a
 * browser brings back (untrusted): the input is "NAME\nURL". A value
 * found is never longer than the URL and holds no NUL. */
#include <stdlib.h>
#include <string.h>

#define LK_FUZZ_NAME oauth2_callback
#include "../../modules/oauth2/oauth2_callback.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *value = NULL;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	char *nl = strchr(copy, '\n');
	const char *name = nl ? copy : "code";
	const char *url = nl ? nl + 1 : copy;
	if (nl)
		*nl = '\0';
	lk_status rc = oauth2_callback_param(&value, url, name);
	if (rc == LK_OK && value)
		LK_FUZZ_ASSERT(strlen(value) <= strlen(url));
	else
		LK_FUZZ_ASSERT(value == NULL);
	lk_str_wipe_free(value);
	free(copy);
	return 0;
}
