/* SPDX-License-Identifier: MIT */
/* cli_output.c: how the latchkey command prints: text columns, JSON, errors. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"

int cli_json_out(cJSON *obj)
{
	char *s = cJSON_PrintUnformatted(obj);

	if (s) {
		fputs(s, stdout);
		fputc('\n', stdout);
		cJSON_free(s);
	}
	cJSON_Delete(obj);
	return 0;
}

int cli_fail(const struct cli *cli, lk_status st, const char *msg)
{
	if (!msg || !*msg)
		msg = lk_strerror(st);
	if (cli && cli->json) {
		cJSON *o = cJSON_CreateObject();
		cJSON *e = cJSON_AddObjectToObject(o, "error");

		cJSON_AddStringToObject(e, "code", lk_status_name(st));
		cJSON_AddStringToObject(e, "message", msg);
		cli_json_out(o);
	} else {
		fprintf(stderr, "latchkey: %s\n", msg);
	}
	return lk_status_exit_code(st);
}

int cli_usage(const struct cli *cli, const char *msg)
{
	return cli_fail(cli, LK_EINVAL, msg);
}

void cli_table(const char *const *cells, size_t nrows, size_t ncols)
{
	size_t w[16] = {0};

	if (ncols > 16)
		ncols = 16;
	for (size_t r = 0; r < nrows; r++)
		for (size_t c = 0; c < ncols; c++) {
			size_t n = strlen(cells[r * ncols + c]);

			if (n > w[c])
				w[c] = n;
		}
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			const char *s = cells[r * ncols + c];

			if (c + 1 == ncols)
				printf("%s\n", s);
			else
				printf("%-*s  ", (int)w[c], s);
		}
	}
}
