/* SPDX-License-Identifier: MIT */
/* latchkey.c: the latchkey command: global options and dispatch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "serve/serve.h"

/* msg is already redacted by the core. Without -v (@p ud NULL) only
 * warnings show: an error reaches the user as the command's own
 * message, and printing it here too would say it twice. */
static void log_stderr(void *ud, lk_log_level level, const char *msg)
{
	bool verbose = ud != NULL;

	if (level == LK_LOG_WARN)
		fprintf(stderr, "latchkey: warning: %s\n", msg);
	else if (verbose)
		fprintf(stderr, "latchkey: %s\n", msg);
}

static int cmd_apps(struct cli *cli)
{
	size_t n = lk_app_count(cli->ctx);

	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *data = cJSON_AddArrayToObject(o, "data");

		for (size_t i = 0; i < n; i++) {
			const lk_app *a = lk_app_at(cli->ctx, i);
			cJSON *e = cJSON_CreateObject();

			cJSON_AddStringToObject(e, "id", lk_app_id(a));
			cJSON_AddStringToObject(e, "title", lk_app_title(a));
			cJSON_AddStringToObject(e, "scheme", lk_app_scheme(a));
			cJSON_AddBoolToObject(e, "needs_auth",
					      lk_app_needs_auth(cli->ctx, a));
			cJSON_AddItemToArray(data, e);
		}
		return cli_json_out(o);
	}
	const char **cells = lk_calloc((n + 1) * 4, sizeof(*cells));

	if (!cells)
		return cli_fail(cli, LK_ENOMEM, NULL);
	cells[0] = "ID";
	cells[1] = "TITLE";
	cells[2] = "SCHEME";
	cells[3] = "AUTH";
	for (size_t i = 0; i < n; i++) {
		const lk_app *a = lk_app_at(cli->ctx, i);

		cells[(i + 1) * 4 + 0] = lk_app_id(a);
		cells[(i + 1) * 4 + 1] = lk_app_title(a) ? lk_app_title(a) : "";
		cells[(i + 1) * 4 + 2] =
		    lk_app_scheme(a) ? lk_app_scheme(a) : "";
		cells[(i + 1) * 4 + 3] =
		    lk_app_needs_auth(cli->ctx, a) ? "yes" : "no";
	}
	cli_table(cells, n + 1, 4);
	lk_free(cells);
	return 0;
}

static int cmd_modules(struct cli *cli)
{
	lk_module_info *m = NULL;
	size_t n = 0;
	lk_status st = lk_modules_list(&m, &n, cli->ctx);

	if (st != LK_OK)
		return cli_fail(cli, st, lk_errmsg(cli->ctx));
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *data = cJSON_AddArrayToObject(o, "data");

		for (size_t i = 0; i < n; i++) {
			cJSON *e = cJSON_CreateObject();
			char abi[32];

			snprintf(abi, sizeof(abi), "%u.%u", m[i].abi_major,
				 m[i].abi_minor);
			cJSON_AddStringToObject(e, "name", m[i].name);
			cJSON_AddStringToObject(
			    e, "version", m[i].version ? m[i].version : "");
			cJSON_AddStringToObject(e, "abi", abi);
			cJSON_AddBoolToObject(e, "scheme", m[i].scheme);
			cJSON_AddBoolToObject(e, "refresh", m[i].refresh);
			cJSON_AddBoolToObject(e, "hooks", m[i].hooks);
			if (m[i].error)
				cJSON_AddStringToObject(e, "error", m[i].error);
			cJSON_AddItemToArray(data, e);
		}
		lk_module_info_free(m, n);
		return cli_json_out(o);
	}
	for (size_t i = 0; i < n; i++) {
		printf("%-20s %-10s abi %u.%u %s%s%s%s%s\n", m[i].name,
		       m[i].version ? m[i].version : "", m[i].abi_major,
		       m[i].abi_minor, m[i].scheme ? " scheme" : "",
		       m[i].refresh ? " refresh" : "",
		       m[i].hooks ? " hooks" : "", m[i].error ? " error: " : "",
		       m[i].error ? m[i].error : "");
	}
	lk_module_info_free(m, n);
	return 0;
}

/* Known before the config loads, so a typo is a usage error. */
static bool known_command(const char *cmd)
{
	static const char *const cmds[] = {
	    "apps", "modules", "check-config", "connect", "connections", "show",
	    "test", "refresh", "remove",       "call",	  "serve",
	};

	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(cmd, cmds[i]))
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct cli cli = {0};
	const char *config = getenv("LATCHKEY_CONFIG");
	bool verbose = false;
	const char *cmd;
	lk_status st;
	int i, rc;

	cli.owner = getenv("LATCHKEY_OWNER");
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-c") && i + 1 < argc) {
			config = argv[++i];
		} else if (!strcmp(a, "--owner") && i + 1 < argc) {
			cli.owner = argv[++i];
		} else if (!strcmp(a, "--json")) {
			cli.json = true;
		} else if (!strcmp(a, "-v")) {
			verbose = true;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			cli_print_usage(stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			printf("latchkey %d.%d\n", LK_VERSION_MAJOR,
			       LK_VERSION_MINOR);
			return 0;
		} else {
			char msg[300];

			snprintf(
			    msg, sizeof(msg),
			    "unknown option '%.200s' (see latchkey --help)", a);
			return cli_usage(&cli, msg);
		}
	}
	if (!config || !*config)
		config = LK_SYSCONF_DIR "/latchkey.conf";
	if (!cli.owner || !*cli.owner)
		cli.owner = "default";
	if (i >= argc) {
		cli_print_usage(stderr);
		return 2;
	}
	cmd = argv[i];
	argc -= i;
	argv += i;
	if (!known_command(cmd)) {
		char msg[300];

		snprintf(msg, sizeof(msg),
			 "unknown command '%.200s' (see latchkey --help)", cmd);
		return cli_usage(&cli, msg);
	}
	/* COMMAND --help needs no configuration. */
	for (int a = 1; a < argc; a++)
		if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h"))
			return cli_print_command_help(cmd) ? 0 : 2;
	st = lk_ctx_new(&cli.ctx);
	if (st != LK_OK)
		return cli_fail(&cli, st, NULL);
	/* Warnings (a risky setting, a module's advice) show by default. */
	lk_ctx_set_log(cli.ctx, log_stderr, verbose ? &verbose : NULL,
		       verbose ? LK_LOG_DEBUG : LK_LOG_WARN);
	st = lk_ctx_load(cli.ctx, config);
	if (!strcmp(cmd, "check-config")) {
		size_t np = 0;

		if (st == LK_OK)
			st = lk_ctx_check(cli.ctx, &np);
		if (st != LK_OK) {
			rc = cli_fail(&cli, st, lk_errmsg(cli.ctx));
		} else if (cli.json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddBoolToObject(o, "ok", true);
			cJSON_AddStringToObject(o, "config", config);
			rc = cli_json_out(o);
		} else {
			printf("%s: ok\n", config);
			rc = 0;
		}
		goto out;
	}
	if (st != LK_OK) {
		rc = cli_fail(&cli, st, lk_errmsg(cli.ctx));
		goto out;
	}
	if (!strcmp(cmd, "apps"))
		rc = cmd_apps(&cli);
	else if (!strcmp(cmd, "modules"))
		rc = cmd_modules(&cli);
	else if (!strcmp(cmd, "connect"))
		rc = cli_cmd_connect(&cli, argc, argv);
	else if (!strcmp(cmd, "connections"))
		rc = cli_cmd_connections(&cli, argc, argv);
	else if (!strcmp(cmd, "show"))
		rc = cli_cmd_show(&cli, argc, argv);
	else if (!strcmp(cmd, "test"))
		rc = cli_cmd_test(&cli, argc, argv);
	else if (!strcmp(cmd, "refresh"))
		rc = cli_cmd_refresh(&cli, argc, argv);
	else if (!strcmp(cmd, "remove"))
		rc = cli_cmd_remove(&cli, argc, argv);
	else if (!strcmp(cmd, "call"))
		rc = cli_cmd_call(&cli, argc, argv);
	else if (!strcmp(cmd, "serve"))
		rc = lk_cli_serve(cli.ctx, argc, argv);
	else {
		char msg[300];

		snprintf(msg, sizeof(msg),
			 "unknown command '%.200s' (see latchkey --help)", cmd);
		rc = cli_usage(&cli, msg);
	}
out:
	lk_ctx_free(cli.ctx);
	return rc;
}
