/* SPDX-License-Identifier: MIT */
/* Fuzz modules/oauth1/oauth1_encode.c (RFC 5849 section 3.6 and the
 * form decoding of 3.4.1.3.1), fed by query strings and bodies that
 * come from the caller: encoding leaves only the unreserved set and
 * upper-case %XX; encoding a form component in one pass equals
 * decoding it and then encoding; decoding an encoding gives the input. */
#include <ctype.h>
#include <string.h>

#define LK_FUZZ_NAME oauth1_encode
#include "../../modules/oauth1/oauth1_encode.h"
#include "fuzz.h"

static bool upper_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

static bool encoded_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~')
			continue;
		if (c != '%' || i + 2 >= n || !upper_hex(s[i + 1]) ||
		    !upper_hex(s[i + 2]))
			return false;
		i += 2;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	char s1[64], s2[64], s3[64], s4[64];
	struct oauth1_buf enc, dec, once, back;

	oauth1_buf_init(&enc, s1, sizeof s1);
	oauth1_buf_init(&dec, s2, sizeof s2);
	oauth1_buf_init(&once, s3, sizeof s3);
	oauth1_buf_init(&back, s4, sizeof s4);
	oauth1_encode(&enc, in, size);
	oauth1_decode_form(&dec, in, size);
	oauth1_encode_form(&once, in, size);
	if (!enc.failed)
		LK_FUZZ_ASSERT(encoded_ok(enc.data, enc.len));
	if (!dec.failed && !once.failed) {
		struct oauth1_buf twice;
		char s5[64];
		oauth1_buf_init(&twice, s5, sizeof s5);
		oauth1_encode(&twice, dec.data, dec.len);
		LK_FUZZ_ASSERT(twice.failed || (twice.len == once.len &&
						 memcmp(twice.data, once.data,
							once.len) == 0));
		oauth1_buf_wipe(&twice);
	}
	if (!enc.failed) {
		/* An encoding holds no '+', so decoding it gives the input. */
		oauth1_decode_form(&back, enc.data, enc.len);
		LK_FUZZ_ASSERT(back.failed ||
			       (back.len == size &&
				(size == 0 || memcmp(back.data, in, size) == 0)));
	}
	oauth1_buf_wipe(&enc);
	oauth1_buf_wipe(&dec);
	oauth1_buf_wipe(&once);
	oauth1_buf_wipe(&back);
	return 0;
}
