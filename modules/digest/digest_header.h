/* SPDX-License-Identifier: MIT */
/* digest.so: the Authorization header value (RFC 7616 section 3.4, with
 * username* per RFC 8187 for names outside ASCII, section 3.4.4). Pure. */
#ifndef DIGEST_HEADER_H
#define DIGEST_HEADER_H
#include "digest_response.h"

/* The parameters sent back; borrowed. */
struct digest_header {
	const char *username; /* the name, or its hash when userhash */
	bool userhash;
	const char *realm;
	const char *uri;
	const char *algorithm; /* "SHA-256-sess"... */
	const char *nonce;
	enum digest_qop qop; /* NONE: no qop, nc, cnonce (RFC 2069) */
	uint32_t nc;
	const char *cnonce;
	const char *response;
	const char *opaque; /* NULL: not echoed */
};

/**
 * Format `Digest username="...", realm="...", ...` in the order of RFC
 * 7616's examples. A username outside printable ASCII goes as
 * username*=UTF-8''... (RFC 8187 section 3.2).
 * @param[out] out    the value: @p buf when it fits, else lk_malloc'd
 * @param[in]  buf    a buffer to use (may be NULL with @p buflen 0)
 * @return LK_OK, LK_ENOMEM.
 * Ownership: lk_free(*out) when it is not @p buf.
 */
lk_status digest_header_format(char **out, char *buf, size_t buflen,
			       const struct digest_header *h);

#endif
