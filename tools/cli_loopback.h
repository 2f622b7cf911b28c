/* SPDX-License-Identifier: MIT */
/* cli_loopback.h: receive one OAuth redirect on a loopback redirect_uri
 * (RFC 8252 section 7.3), for `latchkey connect APP` (private to tools/). */
#ifndef LK_CLI_LOOPBACK_H
#define LK_CLI_LOOPBACK_H

#include <latchkey/latchkey.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cli_loopback cli_loopback;

/** How cli_loopback_wait ended. */
enum cli_loopback_end {
	CLI_LOOPBACK_RECEIVED,	  /**< the first callback arrived */
	CLI_LOOPBACK_TIMEOUT,	  /**< nothing in the time given */
	CLI_LOOPBACK_INTERRUPTED, /**< SIGINT or SIGTERM */
};

/**
 * True when @p uri is an http URI on 127.0.0.1 or localhost, the kind a
 * native app receives itself (RFC 8252 section 7.3).
 */
bool cli_loopback_uri_ok(const char *uri);

/**
 * Listen on 127.0.0.1 only, on the port @p redirect_uri names or, when
 * it names none, on a free one.
 * @param[out] out       the listener, for cli_loopback_free
 * @param[out] out_uri   @p redirect_uri with the port bound (lk_free)
 * @param[in]  redirect_uri  a URI cli_loopback_uri_ok accepts
 * @param[out] err       why it failed, @p errlen bytes
 * @return LK_OK; LK_EINVAL (not a loopback URI); LK_ENET (cannot
 * listen: the port is taken); LK_ENOMEM.
 */
lk_status cli_loopback_open(cli_loopback **out, char **out_uri,
			    const char *redirect_uri, char *err, size_t errlen);

/**
 * Wait up to @p timeout_s seconds for a GET on the redirect_uri's path.
 * Only the first one is taken; the browser gets a page saying the window
 * can be closed, other paths a 404. Ctrl-C (SIGINT, SIGTERM) ends the
 * wait; the previous handlers are restored before it returns.
 * @param[out] out_callback  on CLI_LOOPBACK_RECEIVED, the URL the
 * provider redirected to (the bound redirect_uri and the query exactly
 * as received), for lk_connect_finish; free with lk_free.
 */
enum cli_loopback_end cli_loopback_wait(cli_loopback *lb, char **out_callback,
					unsigned timeout_s);

/** Stop listening and free. NULL is accepted. */
void cli_loopback_free(cli_loopback *lb);

#endif
