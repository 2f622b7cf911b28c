/* SPDX-License-Identifier: MIT */
/* The signature base string of RFC 5849 section 3.4.1: the base string
 * URI (3.4.1.2), the parameters gathered from the query, a form body and
 * the protocol set (3.4.1.3.1), normalised (3.4.1.3.2). Pure. */
#ifndef OAUTH1_BASE_H
#define OAUTH1_BASE_H
#include "oauth1_buf.h"

/* A parameter as plain text (not encoded). */
struct oauth1_pair {
	const char *name;
	const char *value;
};

/* The parts of a request that a signature covers. */
struct oauth1_message {
	const char *method;	  /* "GET"; sent in upper case */
	const char *url;	  /* absolute http(s) URL, query included */
	const char *content_type; /* NULL: none */
	const void *body;	  /* may be NULL when body_len is 0 */
	size_t body_len;
};

/* Is this Content-Type application/x-www-form-urlencoded (parameters
 * such as charset ignored, case-insensitive)? */
bool oauth1_is_form(const char *content_type);

/* Append the base string URI of section 3.4.1.2: scheme and host in
 * lower case, the default port dropped, no userinfo, query or fragment.
 * @return LK_OK, or LK_EINVAL with *why naming the problem. */
lk_status oauth1_base_uri(struct oauth1_buf *out, const char *url,
			  const char **why);

/* Append the normalised parameters of section 3.4.1.3.2 ("a2=r%20b&
 * a3=2%20q&..."): the query's and (for a form body) the body's
 * parameters and @p protocol, each name and value encoded (section 3.6),
 * sorted by name, then value, in byte order. */
lk_status oauth1_normalized_params(struct oauth1_buf *out,
				   const struct oauth1_message *msg,
				   const struct oauth1_pair *protocol,
				   size_t nprotocol, const char **why);

/* Append the signature base string of section 3.4.1.1:
 * METHOD&encode(base URI)&encode(normalised parameters). */
lk_status oauth1_base_string(struct oauth1_buf *out,
			     const struct oauth1_message *msg,
			     const struct oauth1_pair *protocol,
			     size_t nprotocol, const char **why);
#endif
