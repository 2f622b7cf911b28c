/* SPDX-License-Identifier: MIT */
/* Where the protocol parameters go, RFC 5849 section 3.5: the
 * Authorization header (3.5.1), a form body (3.5.2) or the query (3.5.3). */
#ifndef OAUTH1_PLACE_H
#define OAUTH1_PLACE_H
#include "oauth1_sign.h"

enum oauth1_placement {
	OAUTH1_PLACE_HEADER = 0,
	OAUTH1_PLACE_QUERY,
	OAUTH1_PLACE_BODY,
};

/* Parse "header" | "query" | "body". @return false if unknown. */
bool oauth1_placement_parse(enum oauth1_placement *out, const char *name);

/* The Authorization header value of section 3.5.1:
 * OAuth realm="R", name="encoded value", ... (@p realm may be NULL). */
lk_status oauth1_header_value(struct oauth1_buf *out,
			      const struct oauth1_signed *s, const char *realm);

/* Put @p s's parameters into @p req as @p where says. A body placement
 * needs a form-encoded or empty body (an empty one becomes a form).
 * @return LK_OK, LK_EINVAL (*why), LK_ENOMEM. */
lk_status oauth1_place(lk_request *req, const struct oauth1_signed *s,
		       enum oauth1_placement where, const char *realm,
		       const char **why);
#endif
