/* SPDX-License-Identifier: MIT */
/* cli_conn.c: connections, show, test, refresh and remove. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "conn_json.h"

static int need_id(const struct cli *cli, int argc, char **argv,
		   const char *cmd)
{
	char msg[128];

	/* Any one word: a URL-safe id may start with '-' (base64url). */
	if (argc == 2 && argv[1][0])
		return 0;
	snprintf(msg, sizeof(msg), "%s needs one connection ID", cmd);
	return cli_usage(cli, msg);
}

static lk_status open_conn(const struct cli *cli, const char *id, lk_conn **out)
{
	return lk_conn_open(out, cli->ctx, cli->owner, id);
}

int cli_cmd_connections(struct cli *cli, int argc, char **argv)
{
	lk_conn_list *list = NULL;
	const char *app = argc > 1 ? argv[1] : NULL;
	lk_status st;
	size_t n;

	if (argc > 2)
		return cli_usage(cli, "connections takes at most one APP");
	st = lk_conn_list_new(&list, cli->ctx, cli->owner, app);
	if (st != LK_OK)
		return cli_fail(cli, st, lk_errmsg(cli->ctx));
	n = lk_conn_list_count(list);
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *data = cJSON_AddArrayToObject(o, "data");

		for (size_t i = 0; i < n; i++) {
			cJSON_AddItemToArray(
			    data, tools_conn_json(lk_conn_list_at(list, i)));
		}
		lk_conn_list_free(list);
		return cli_json_out(o);
	}
	{
		const char **cells = lk_calloc((n + 1) * 4, sizeof(*cells));

		if (!cells) {
			lk_conn_list_free(list);
			return cli_fail(cli, LK_ENOMEM, NULL);
		}
		cells[0] = "ID";
		cells[1] = "APP";
		cells[2] = "LABEL";
		cells[3] = "STATUS";
		for (size_t i = 0; i < n; i++) {
			const lk_conn *c = lk_conn_list_at(list, i);

			cells[(i + 1) * 4 + 0] = lk_conn_id(c);
			cells[(i + 1) * 4 + 1] = lk_conn_app(c);
			cells[(i + 1) * 4 + 2] = lk_conn_label(c);
			cells[(i + 1) * 4 + 3] = lk_conn_status(c);
		}
		cli_table(cells, n + 1, 4);
		lk_free(cells);
	}
	lk_conn_list_free(list);
	return 0;
}

int cli_cmd_show(struct cli *cli, int argc, char **argv)
{
	lk_conn *conn = NULL;
	const lk_fields *f;
	const char *td;
	cJSON *test = NULL;
	lk_status st;
	int rc = need_id(cli, argc, argv, "show");

	if (rc)
		return rc;
	st = open_conn(cli, argv[1], &conn);
	if (st != LK_OK)
		return cli_fail(cli, st, lk_errmsg(cli->ctx));
	f = lk_conn_fields(conn);
	td = lk_conn_test_data(conn);
	if (td)
		test = cJSON_Parse(td);
	if (cli->json) {
		cJSON *o = tools_conn_json(conn);
		cJSON *fo = cJSON_CreateObject();
		for (size_t i = 0; f && i < lk_fields_count(f); i++) {
			const char *k, *v;
			bool secret;

			if (lk_fields_at(f, i, &k, &v, &secret) != LK_OK)
				continue;
			cJSON_AddStringToObject(fo, k, secret ? "(secret)" : v);
		}
		cJSON_AddItemToObject(o, "fields", fo);
		cJSON_AddItemToObject(o, "test",
				      test ? test : cJSON_CreateNull());
		lk_conn_free(conn);
		return cli_json_out(o);
	}
	printf("id: %s\napp: %s\nlabel: %s\nstatus: %s\n", lk_conn_id(conn),
	       lk_conn_app(conn), lk_conn_label(conn), lk_conn_status(conn));
	printf("fields:\n");
	for (size_t i = 0; f && i < lk_fields_count(f); i++) {
		const char *k, *v;
		bool secret;

		if (lk_fields_at(f, i, &k, &v, &secret) != LK_OK)
			continue;
		printf("  %s: %s\n", k, secret ? "(secret)" : v);
	}
	if (test) {
		char *s = cJSON_Print(test);

		printf("test response:\n%s\n", s ? s : "");
		cJSON_free(s);
		cJSON_Delete(test);
	}
	lk_conn_free(conn);
	return 0;
}

/* test, refresh: open, act, report. */
static int conn_action(struct cli *cli, int argc, char **argv, const char *cmd,
		       lk_status (*fn)(lk_ctx *, lk_conn *), const char *done)
{
	lk_conn *conn = NULL;
	lk_status st;
	int rc = need_id(cli, argc, argv, cmd);

	if (rc)
		return rc;
	st = open_conn(cli, argv[1], &conn);
	if (st == LK_OK)
		st = fn(cli->ctx, conn);
	if (st != LK_OK) {
		rc = cli_fail(cli, st, lk_errmsg(cli->ctx));
	} else if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", lk_conn_id(conn));
		cJSON_AddStringToObject(o, "label", lk_conn_label(conn));
		cJSON_AddStringToObject(o, "status", lk_conn_status(conn));
		rc = cli_json_out(o);
	} else {
		printf("%s: %s\n", lk_conn_label(conn), done);
	}
	lk_conn_free(conn);
	return rc;
}

int cli_cmd_test(struct cli *cli, int argc, char **argv)
{
	return conn_action(cli, argc, argv, "test", lk_conn_test, "ok");
}

int cli_cmd_refresh(struct cli *cli, int argc, char **argv)
{
	return conn_action(cli, argc, argv, "refresh", lk_conn_refresh,
			   "refreshed");
}

int cli_cmd_remove(struct cli *cli, int argc, char **argv)
{
	lk_status st;
	int rc = need_id(cli, argc, argv, "remove");

	if (rc)
		return rc;
	st = lk_conn_remove(cli->ctx, cli->owner, argv[1]);
	if (st != LK_OK)
		return cli_fail(cli, st, lk_errmsg(cli->ctx));
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "removed", argv[1]);
		return cli_json_out(o);
	}
	printf("removed %s\n", argv[1]);
	return 0;
}
