/* SPDX-License-Identifier: MIT */
/* Fuzz core/template.c: the first byte picks the render target, then
 * the template, then (after a NUL byte, if any) the test data JSON.
 * Fields hold hostile values and a secret. */
#include <stdlib.h>
#include <string.h>

#define LK_FUZZ_NAME template
#include "fuzz.h"
#include "template.h"

static lk_fields *make_fields(const char *secret)
{
	static const char *const kv[][2] = {
	    {"sub", "acme"},	    {"user", "a/b?c#d"},
	    {"crlf", "x\r\nI: 1"},  {"evil", "evil.com/"},
	    {"dot", ".."},	    {"port", "443"},
	    {"empty", ""},	    {"quote", "\"\\'<>&"},
	    {"accent", "\xc3\xa9"},
	};
	lk_fields *f = NULL;
	if (lk_fields_new(&f) != LK_OK)
		return NULL;
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		lk_fields_set(f, kv[i][0], kv[i][1], false);
	lk_fields_set(f, "password", secret, true);
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static lk_fields *fields, *other;
	char *out = NULL;
	char *err = NULL;

	if (size == 0)
		return 0;
	if (!fields) { /* kept for the process */
		fields = make_fields("FUZZ-SECRET-1");
		other = make_fields("FUZZ-SECRET-2");
	}
	lk_render_target t = (lk_render_target)(1 + data[0] % 6);
	/* template and test data as C strings: copy, split at a NUL */
	char *buf = malloc(size);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	size_t tl = strlen(buf);
	const char *td = tl + 1 < size ? buf + tl + 1 : NULL;
	struct lk_tmpl_scope scope = {.fields = fields, .test_data = td};

	lk_status chk = lk_template__check(buf, &err);
	lk_status rc = lk_template__render(&out, NULL, buf, t, &scope, "fuzz");
	LK_FUZZ_ASSERT((chk == LK_OK) == (err == NULL));
	/* bad syntax never renders */
	LK_FUZZ_ASSERT(chk == LK_OK || rc == LK_EINVAL);
	LK_FUZZ_ASSERT((rc == LK_OK) == (out != NULL));
	if (t == LK_RENDER_TEXT) {
		/* a secret never renders: another secret, the same text */
		char *out2 = NULL;
		struct lk_tmpl_scope s2 = {.fields = other, .test_data = td};
		lk_status rc2 =
		    lk_template__render(&out2, NULL, buf, t, &s2, "fuzz");
		LK_FUZZ_ASSERT(rc2 == rc);
		LK_FUZZ_ASSERT(!out || strcmp(out, out2) == 0);
		lk_free(out2);
	}
	if (out && t == LK_RENDER_HEADER) /* one line, always */
		LK_FUZZ_ASSERT(!strpbrk(out, "\r\n"));
	lk_str_wipe_free(out);
	lk_free(err);
	free(buf);
	return 0;
}
