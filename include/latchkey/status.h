/* SPDX-License-Identifier: MIT */
/* latchkey status codes: one X-macro shared by the host API and the module ABI. */
#ifndef LATCHKEY_STATUS_H
#define LATCHKEY_STATUS_H

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LK_API __attribute__((visibility("default")))
#else
#define LK_API
#endif

/*
 * X(NAME, exit_code, "text"). The exit code is the one the latchkey
 * command uses (DESIGN.md): 0 success, 1 authentication or test failure,
 * 2 usage or configuration error, 3 network error or timeout, 4 connection
 * expired. New statuses are only ever appended.
 */
#define LK_STATUS_MAP(X)                                                       \
	X(OK, 0, "success")                                                    \
	X(ENOMEM, 2, "out of memory")                                          \
	X(EINVAL, 2, "invalid argument")                                       \
	X(ECONFIG, 2, "configuration error")                                   \
	X(EMODULE, 2, "module error")                                          \
	X(ENOTFOUND, 2, "not found")                                           \
	X(EDENIED, 2, "refused by policy")                                     \
	X(ESTORE, 2, "store error")                                            \
	X(EAUTH, 1, "authentication failed")                                   \
	X(EHTTP, 1, "the provider answered with an error")                     \
	X(EPROTO, 1, "unexpected response from the provider")                  \
	X(ENET, 3, "network error")                                            \
	X(ETIMEOUT, 3, "timed out")                                            \
	X(EEXPIRED, 4, "connection expired; reconnect it")                     \
	X(ESTATE, 2, "flow not found, used or expired")

typedef enum lk_status {
#define LK_X_ENUM(name, code, text) LK_##name,
	LK_STATUS_MAP(LK_X_ENUM)
#undef LK_X_ENUM
	LK__STATUS_COUNT
} lk_status;

/** Human-readable text of a status. Never NULL; static storage. */
LK_API const char *lk_strerror(lk_status st);
/** Symbolic name of a status ("EAUTH"). Never NULL; static storage. */
LK_API const char *lk_status_name(lk_status st);
/** Exit code of the latchkey command for a status (0-4). */
LK_API int lk_status_exit_code(lk_status st);

#ifdef __cplusplus
}
#endif
#endif
