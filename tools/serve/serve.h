/* SPDX-License-Identifier: MIT */
/* serve.h: `latchkey serve`, the HTTP API and connect pages for host
 * programs (DESIGN.md "Serving host programs"). */
#ifndef LK_SERVE_H
#define LK_SERVE_H

#include <latchkey/latchkey.h>

/**
 * Run the server in the foreground until SIGTERM or SIGINT.
 * @param[in] ctx   a loaded context, shared by the worker threads
 * @param[in] argc  arguments from "serve" on (argv[0] is "serve")
 * @param[in] argv  --listen ADDR:PORT, --port N, --port-file FILE,
 *                  --lifetime SECONDS
 * @return the process exit code (0 clean stop, 2 usage or configuration).
 */
int lk_cli_serve(lk_ctx *ctx, int argc, char **argv);

#endif
