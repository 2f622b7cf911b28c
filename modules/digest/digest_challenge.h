/* SPDX-License-Identifier: MIT */
/* digest.so: WWW-Authenticate parsing and the choice of the Digest
 * challenge to answer (RFC 7235 section 4.1, RFC 7616 section 3.3). Pure:
 * no request, no network, so tests and the fuzzer call it directly. */
#ifndef DIGEST_CHALLENGE_H
#define DIGEST_CHALLENGE_H
#include <stdbool.h>
#include <stddef.h>

#include <latchkey/module.h>

/* Longest header value and parameter accepted from a server. */
#define DIGEST_CHALLENGE_MAX_VALUE (16 * 1024)
#define DIGEST_CHALLENGE_MAX_PARAMS 32

/* Ordered by strength: the choice prefers the highest. */
enum digest_algo {
	DIGEST_ALGO_MD5 = 0,
	DIGEST_ALGO_SHA256 = 1,
	DIGEST_ALGO_SHA512_256 = 2,
};

/* The Digest challenge chosen among those offered. Strings are owned
 * (lk_malloc); digest_challenge_clear frees them. */
struct digest_challenge {
	enum digest_algo algo;
	bool sess;	   /* the -sess variant */
	bool qop_auth;	   /* qop "auth" offered */
	bool qop_auth_int; /* qop "auth-int" offered */
	bool stale;    /* RFC 7616 3.3: the nonce, not the password, failed */
	bool userhash; /* RFC 7616 3.4.4: send H(user:realm) */
	char *realm;
	char *nonce;
	char *opaque; /* NULL when absent */
};

/**
 * Parse every WWW-Authenticate value of a response (several challenges
 * per value, several values) and choose the strongest supported Digest
 * challenge: SHA-512-256 over SHA-256 over MD5 (a -sess variant ranks
 * with its hash); among equals, the first offered.
 * @param[out] out         filled on LK_OK; zeroed otherwise
 * @param[in]  values      the header values, in order
 * @param[in]  nvalues     how many
 * @param[in]  allow_rfc2069 accept a challenge without qop (RFC 2069)
 * @param[out] err         on failure, why (never holds a header value)
 * @return LK_OK; LK_EPROTO (malformed header, duplicate parameter, a
 * Digest challenge without realm or nonce); LK_EAUTH (no supported
 * Digest challenge: err names what was offered); LK_ENOMEM.
 * Ownership: @p out's strings go to digest_challenge_clear.
 */
lk_status digest_challenge_parse(struct digest_challenge *out,
				 const char *const *values, size_t nvalues,
				 bool allow_rfc2069, char *err, size_t errlen);

/**
 * Parse an Authentication-Info value (RFC 7616 section 3.5: a list of
 * auth-params without scheme) and return its nextnonce, if any.
 * @param[out] out_nextnonce lk_malloc'd, or NULL when absent
 * @return LK_OK, LK_EPROTO (malformed), LK_ENOMEM.
 */
lk_status digest_challenge_nextnonce(char **out_nextnonce, const char *value,
				     char *err, size_t errlen);

/** Free the strings of @p c and zero it. NULL accepted. */
void digest_challenge_clear(struct digest_challenge *c);

/** "MD5", "SHA-256-sess"...: the algorithm's name as sent back. */
const char *digest_challenge_algo_name(enum digest_algo algo, bool sess);

#endif
