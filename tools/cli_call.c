/* SPDX-License-Identifier: MIT */
/* cli_call.c: `latchkey call`: an authenticated request, body to stdout. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Read -d @file whole. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f)
		return NULL;
	for (;;) {
		if (n + 4096 > cap) {
			char *nb = lk_malloc(cap * 2 + 4096);

			if (!nb) {
				lk_free(buf);
				fclose(f);
				return NULL;
			}
			if (buf)
				memcpy(nb, buf, n);
			lk_free(buf);
			buf = nb;
			cap = cap * 2 + 4096;
		}
		size_t r = fread(buf + n, 1, cap - n, f);

		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* The body as it came (it may hold NUL bytes), after -i's head. */
static void print_text(const lk_response *resp, bool include)
{
	size_t len = 0;
	const char *body = lk_response_body(resp, &len);

	if (include) {
		printf("HTTP %ld\r\n", lk_response_status(resp));
		for (size_t i = 0; i < lk_response_header_count(resp); i++) {
			const char *n, *v;

			if (lk_response_header_at(resp, i, &n, &v) == LK_OK)
				printf("%s: %s\r\n", n, v);
		}
		printf("\r\n");
	}
	if (body && len)
		fwrite(body, 1, len, stdout);
}

/* --json: {"status", "headers": [[name, value]...], "body"}; headers
 * as pairs since a name may repeat. */
static void print_json(const lk_response *resp)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *hs = cJSON_AddArrayToObject(o, "headers");
	size_t len = 0;
	const char *body = lk_response_body(resp, &len);

	cJSON_AddNumberToObject(o, "status", (double)lk_response_status(resp));
	for (size_t i = 0; i < lk_response_header_count(resp); i++) {
		const char *n, *v;
		const char *pair[2];

		if (lk_response_header_at(resp, i, &n, &v) != LK_OK)
			continue;
		pair[0] = n;
		pair[1] = v;
		cJSON_AddItemToArray(hs, cJSON_CreateStringArray(pair, 2));
	}
	cJSON_AddStringToObject(o, "body", body ? body : "");
	cli_json_out(o);
}

int cli_cmd_call(struct cli *cli, int argc, char **argv)
{
	const char *app_id = NULL, *pos[3] = {0};
	const char *data = NULL;
	bool include = false, fail = false;
	size_t npos = 0;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	lk_conn *conn = NULL;
	lk_status st;
	int rc = 0;
	char msg[300];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--app") && i + 1 < argc)
			app_id = argv[++i];
		else if (!strcmp(a, "-H") && i + 1 < argc)
			i++; /* applied below, once the request exists */
		else if (!strcmp(a, "-d") && i + 1 < argc)
			data = argv[++i];
		else if (!strcmp(a, "-i"))
			include = true;
		else if (!strcmp(a, "--fail"))
			fail = true;
		else if (npos < 3)
			/* the options are matched above: what is left is
			 * positional, even an id starting with '-' */
			pos[npos++] = a;
		else {
			snprintf(msg, sizeof(msg),
				 "call: bad argument '%.200s'", a);
			return cli_usage(cli, msg);
		}
	}
	if ((app_id && npos != 2) || (!app_id && npos != 3))
		return cli_usage(
		    cli,
		    "usage: call ID METHOD URL | call --app APP METHOD URL");
	st = lk_request_new(&req, pos[npos - 2], pos[npos - 1]);
	if (st != LK_OK)
		return cli_fail(cli, st, "call: bad method or URL");
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-H") || i + 1 >= argc)
			continue;
		const char *h = argv[++i];
		const char *colon = strchr(h, ':');
		char name[256];

		if (!colon || colon == h ||
		    (size_t)(colon - h) >= sizeof(name)) {
			rc = cli_usage(cli, "-H needs 'Name: value'");
			goto out;
		}
		memcpy(name, h, (size_t)(colon - h));
		name[colon - h] = '\0';
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		if (lk_request_add_header(req, name, colon) != LK_OK) {
			snprintf(msg, sizeof(msg), "-H: bad header '%.200s'",
				 name);
			rc = cli_usage(cli, msg);
			goto out;
		}
	}
	if (data) {
		if (data[0] == '@') {
			size_t len = 0;
			char *buf = slurp(data + 1, &len);

			if (!buf) {
				snprintf(msg, sizeof(msg),
					 "-d: cannot read '%.200s'", data + 1);
				rc = cli_usage(cli, msg);
				goto out;
			}
			st = lk_request_set_body(req, buf, len);
			lk_free(buf);
		} else {
			st = lk_request_set_body(req, data, strlen(data));
		}
		if (st != LK_OK) {
			rc = cli_fail(cli, st, NULL);
			goto out;
		}
	}
	if (app_id) {
		st = lk_perform_app(&resp, cli->ctx, app_id, req);
	} else {
		st = lk_conn_open(&conn, cli->ctx, cli->owner, pos[0]);
		if (st == LK_OK)
			st = lk_perform(&resp, cli->ctx, conn, req);
	}
	if (st != LK_OK) {
		rc = cli_fail(cli, st, lk_errmsg(cli->ctx));
		goto out;
	}
	{
		long code = lk_response_status(resp);

		if (cli->json)
			print_json(resp);
		else
			print_text(resp, include);
		if (fail && code >= 400) {
			snprintf(msg, sizeof(msg),
				 "the server answered HTTP %ld", code);
			fprintf(stderr, "latchkey: %s\n", msg);
			rc = 1;
		}
	}
out:
	lk_response_free(resp);
	lk_conn_free(conn);
	lk_request_free(req);
	return rc;
}
