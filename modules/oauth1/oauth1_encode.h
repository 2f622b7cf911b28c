/* SPDX-License-Identifier: MIT */
/* RFC 5849 section 3.6 percent-encoding, and the form decoding of
 * section 3.4.1.3.1 (query and body parameters). Pure. */
#ifndef OAUTH1_ENCODE_H
#define OAUTH1_ENCODE_H
#include "oauth1_buf.h"

/* Append @p s (@p n bytes, UTF-8 or any octets) encoded as section 3.6
 * says: ALPHA, DIGIT, '-', '.', '_', '~' bare, every other octet as
 * %XX with upper-case hex. @return how many octets were escaped (0: the
 * output is the input). */
size_t oauth1_encode(struct oauth1_buf *b, const char *s, size_t n);

/* Append a form-encoded component (application/x-www-form-urlencoded:
 * '+' is a space, %XX an octet) decoded and then encoded as section 3.6
 * says, in one pass. A '%' not followed by two hex digits is taken as a
 * literal '%' (so it encodes as %25). @return how many octets were
 * escaped (0: the output holds no '%'). */
size_t oauth1_encode_form(struct oauth1_buf *b, const char *s, size_t n);

/* Append @p s, already encoded as section 3.6 says, encoded once more
 * (as the base string needs its parts): only '%' changes, to %25. */
void oauth1_encode_encoded(struct oauth1_buf *b, const char *s, size_t n);

/* Append a form-encoded component decoded ('+' is a space, %XX an
 * octet, a stray '%' kept). */
void oauth1_decode_form(struct oauth1_buf *b, const char *s, size_t n);
#endif
