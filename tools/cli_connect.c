/* SPDX-License-Identifier: MIT */
/* cli_connect.c: `latchkey connect`: fields, prompts, redirect flows. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int print_conn(const struct cli *cli, const lk_conn *conn)
{
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", lk_conn_id(conn));
		cJSON_AddStringToObject(o, "app", lk_conn_app(conn));
		cJSON_AddNumberToObject(o, "number", lk_conn_number(conn));
		cJSON_AddStringToObject(o, "label", lk_conn_label(conn));
		return cli_json_out(o);
	}
	printf("connected %s (%s)\n", lk_conn_label(conn), lk_conn_id(conn));
	return 0;
}

/* Prompt for required fields not given; none without a terminal. */
static int fill_fields(const struct cli *cli, const lk_app *app,
		       lk_fields *fields)
{
	size_t n = lk_app_field_count(cli->ctx, app);

	for (size_t i = 0; i < n; i++) {
		const char *key, *label;
		bool required, secret;
		char msg[512];
		char *v;
		lk_status st;

		if (lk_app_field_at(cli->ctx, app, i, &key, &label, &required,
				    &secret) != LK_OK)
			continue;
		if (lk_fields_get(fields, key)) {
			/* A secret given with -f is flagged so it is wiped
			 * and redacted like a prompted one. */
			if (secret && !lk_fields_is_secret(fields, key)) {
				v = lk_strdup(lk_fields_get(fields, key));
				st = v ? lk_fields_set(fields, key, v, true)
				       : LK_ENOMEM;
				lk_str_wipe_free(v);
				if (st != LK_OK)
					return cli_fail(cli, st, NULL);
			}
			continue;
		}
		if (!required)
			continue;
		if (!isatty(STDIN_FILENO)) {
			snprintf(
			    msg, sizeof(msg),
			    "missing field '%s' (give it with -f %s=VALUE)",
			    key, key);
			return cli_usage(cli, msg);
		}
		v = cli_prompt(label && *label ? label : key, secret);
		if (!v) {
			snprintf(msg, sizeof(msg), "no value for field '%s'",
				 key);
			return cli_usage(cli, msg);
		}
		st = lk_fields_set(fields, key, v, secret);
		lk_str_wipe_free(v);
		if (st != LK_OK)
			return cli_fail(cli, st, NULL);
	}
	return 0;
}

int cli_cmd_connect(struct cli *cli, int argc, char **argv)
{
	const char *app_id = NULL, *flow = NULL, *cb = NULL;
	bool begin = false;
	lk_fields *fields = NULL;
	const lk_app *app;
	lk_conn *conn = NULL;
	lk_status st;
	int rc;

	if (lk_fields_new(&fields) != LK_OK)
		return cli_fail(cli, LK_ENOMEM, NULL);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-f") && i + 1 < argc) {
			const char *kv = argv[++i];
			const char *eq = strchr(kv, '=');
			char key[256];

			if (!eq || eq == kv ||
			    (size_t)(eq - kv) >= sizeof(key)) {
				rc = cli_usage(cli, "-f needs KEY=VALUE");
				goto out;
			}
			memcpy(key, kv, (size_t)(eq - kv));
			key[eq - kv] = '\0';
			/* The core knows which fields are secret from the
			 * scheme; mark none here and let it decide. */
			st = lk_fields_set(fields, key, eq + 1, false);
			if (st != LK_OK) {
				rc = cli_fail(cli, st, "bad -f field");
				goto out;
			}
		} else if (!strcmp(a, "--begin")) {
			begin = true;
		} else if (!strcmp(a, "--finish") && i + 1 < argc) {
			flow = argv[++i];
		} else if (!strcmp(a, "--callback-url") && i + 1 < argc) {
			cb = argv[++i];
		} else if (a[0] != '-' && !app_id) {
			app_id = a;
		} else {
			char msg[300];

			snprintf(msg, sizeof(msg),
				 "connect: bad argument '%.200s'", a);
			rc = cli_usage(cli, msg);
			goto out;
		}
	}
	if (flow || cb) {
		if (!flow || !cb) {
			rc = cli_usage(
			    cli,
			    "connect --finish FLOW needs --callback-url URL");
			goto out;
		}
		st = lk_connect_finish(&conn, cli->ctx, cli->owner, flow, cb);
		rc = st == LK_OK ? print_conn(cli, conn)
				 : cli_fail(cli, st, lk_errmsg(cli->ctx));
		goto out;
	}
	if (!app_id) {
		rc = cli_usage(cli,
			       "connect: which app? (latchkey connect APP)");
		goto out;
	}
	st = lk_app_find(&app, cli->ctx, app_id);
	if (st != LK_OK) {
		rc = cli_fail(cli, st, lk_errmsg(cli->ctx));
		goto out;
	}
	if (lk_app_is_redirect_flow(cli->ctx, app)) {
		char *fl = NULL, *url = NULL;

		st = lk_connect_begin(&fl, &url, cli->ctx, cli->owner, app_id,
				      fields, NULL);
		if (st != LK_OK) {
			rc = cli_fail(cli, st, lk_errmsg(cli->ctx));
			goto out;
		}
		if (cli->json) {
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "flow", fl);
			cJSON_AddStringToObject(o, "authorize_url", url);
			rc = cli_json_out(o);
		} else {
			printf("flow: %s\nauthorize_url: %s\n", fl, url);
			if (!begin)
				printf(
				    "open the URL, then run: latchkey connect "
				    "--finish %s --callback-url URL\n",
				    fl);
			rc = 0;
		}
		lk_free(fl);
		lk_free(url);
		goto out;
	}
	if (begin) {
		rc = cli_usage(
		    cli,
		    "connect --begin: the app does not use a redirect flow");
		goto out;
	}
	rc = fill_fields(cli, app, fields);
	if (rc)
		goto out;
	st = lk_connect(&conn, cli->ctx, cli->owner, app_id, fields);
	rc = st == LK_OK ? print_conn(cli, conn)
			 : cli_fail(cli, st, lk_errmsg(cli->ctx));
out:
	lk_conn_free(conn);
	lk_fields_free(fields);
	return rc;
}
