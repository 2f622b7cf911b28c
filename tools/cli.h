/* SPDX-License-Identifier: MIT */
/* cli.h: what the latchkey command's files share (private to tools/). */
#ifndef LK_CLI_H
#define LK_CLI_H

#include <cjson/cJSON.h>
#include <latchkey/latchkey.h>
#include <stdbool.h>
#include <stdio.h>

/** The parsed global options and the loaded context. */
struct cli {
	lk_ctx *ctx;
	const char *owner;
	bool json;
};

/** Report @p st with @p msg (stderr, or a JSON error object on stdout
 * with --json). @return the exit code for @p st. */
int cli_fail(const struct cli *cli, lk_status st, const char *msg);
/** Report a usage error. @return 2. */
int cli_usage(const struct cli *cli, const char *msg);
/** Print @p obj as JSON on stdout and free it. @return 0. */
int cli_json_out(cJSON *obj);
/** Print rows of @p ncols columns, aligned; cells[r * ncols + c]. */
void cli_table(const char *const *cells, size_t nrows, size_t ncols);

#ifndef LK_SYSCONF_DIR
#define LK_SYSCONF_DIR "/etc/latchkey"
#endif
#define LK_CLI_SYSCONF LK_SYSCONF_DIR

/** Print the global usage to @p out. */
void cli_print_usage(FILE *out);
/** Print COMMAND --help on stdout. @return false for an unknown command. */
bool cli_print_command_help(const char *cmd);

/** Read a field value from /dev/tty; without echo when @p secret.
 * @return a string for lk_str_wipe_free, or NULL. */
char *cli_prompt(const char *label, bool secret);

int cli_cmd_apps(struct cli *cli, int argc, char **argv);
int cli_cmd_modules(struct cli *cli, int argc, char **argv);
int cli_cmd_connect(struct cli *cli, int argc, char **argv);
int cli_cmd_connections(struct cli *cli, int argc, char **argv);
int cli_cmd_show(struct cli *cli, int argc, char **argv);
int cli_cmd_test(struct cli *cli, int argc, char **argv);
int cli_cmd_refresh(struct cli *cli, int argc, char **argv);
int cli_cmd_remove(struct cli *cli, int argc, char **argv);
int cli_cmd_call(struct cli *cli, int argc, char **argv);

#endif
