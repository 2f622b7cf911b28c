/* SPDX-License-Identifier: MIT */
/* cli_connect.c: `latchkey connect`: fields, prompts, redirect flows. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "cli_loopback.h"

extern char **environ;

#define CONNECT_TIMEOUT_DEFAULT 300 /* seconds to wait for the redirect */
#define CONNECT_TIMEOUT_MAX 86400

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

/* xdg-open where a display is set; @return its pid, or 0 when the URL
 * must be opened by hand. Its output would clutter the terminal. */
static pid_t open_browser(const char *url)
{
	const char *x = getenv("DISPLAY"), *w = getenv("WAYLAND_DISPLAY");
	posix_spawn_file_actions_t fa;
	char *argv[] = {"xdg-open", (char *)url, NULL};
	pid_t pid = 0;

	if ((!x || !*x) && (!w || !*w))
		return 0;
	if (posix_spawn_file_actions_init(&fa) != 0)
		return 0;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	/* glibc reports a missing xdg-open here, not in the child. */
	if (posix_spawnp(&pid, "xdg-open", &fa, NULL, argv, environ) != 0)
		pid = 0;
	posix_spawn_file_actions_destroy(&fa);
	return pid;
}

/* Without a loopback redirect_uri the redirect lands elsewhere: say how
 * to finish by hand (the behaviour of --begin, plus the next step). */
static int print_begin(const struct cli *cli, const char *flow, const char *url,
		       bool hint)
{
	if (cli->json) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "flow", flow);
		cJSON_AddStringToObject(o, "authorize_url", url);
		return cli_json_out(o);
	}
	printf("flow: %s\nauthorize_url: %s\n", flow, url);
	if (hint)
		printf("open the URL, then run: latchkey connect --finish %s "
		       "--callback-url URL\n",
		       flow);
	return 0;
}

/*
 * connect APP for a redirect flow: listen on the loopback redirect_uri,
 * send the user to the authorize URL, and finish with the first callback.
 * The state check and the code exchange stay in the core and the scheme.
 */
static int connect_loopback(const struct cli *cli, const char *app_id,
			    const lk_fields *fields, unsigned timeout_s)
{
	char *flow = NULL, *url = NULL, *redirect = NULL, *uri = NULL;
	char *callback = NULL;
	cli_loopback *lb = NULL;
	lk_conn *conn = NULL;
	char err[256], msg[1024];
	pid_t browser = 0;
	lk_status st;
	int rc;

	const lk_app *app = NULL;
	const char *configured = NULL;
	if (lk_app_find(&app, cli->ctx, app_id) == LK_OK)
		configured = lk_app_redirect_uri(cli->ctx, app);
	redirect = configured ? lk_strdup(configured) : NULL;
	if (!redirect || !cli_loopback_uri_ok(redirect)) {
		/* The redirect lands elsewhere (or nowhere configured): the
		 * two-step form, for the user to finish by hand. */
		st = lk_connect_begin(&flow, &url, cli->ctx, cli->owner,
				      app_id, fields, NULL);
		rc = st == LK_OK ? print_begin(cli, flow, url, true)
				 : cli_fail(cli, st, lk_errmsg(cli->ctx));
		goto out;
	}
	/* RFC 8252 section 7.3: a loopback URI without a port gets a free
	 * one now; the flow carries the URI actually listened on. */
	st = cli_loopback_open(&lb, &uri, redirect, err, sizeof(err));
	if (st != LK_OK) {
		snprintf(msg, sizeof(msg),
			 "connect %s: cannot receive the redirect on %s: %s",
			 app_id, redirect, err);
		rc = cli_fail(cli, st, msg);
		goto out;
	}
	st = lk_connect_begin(&flow, &url, cli->ctx, cli->owner, app_id, fields,
			      uri);
	if (st != LK_OK) {
		rc = cli_fail(cli, st, lk_errmsg(cli->ctx));
		goto out;
	}
	browser = open_browser(url);
	if (browser > 0)
		fprintf(stderr,
			"Opened the browser; if nothing opened, open this URL "
			"in a browser: %s\n",
			url);
	else
		fprintf(stderr, "Open this URL in a browser: %s\n", url);
	fprintf(stderr, "Waiting for the redirect to %s (%u s; Ctrl-C stops)\n",
		uri, timeout_s);
	switch (cli_loopback_wait(lb, &callback, timeout_s)) {
	case CLI_LOOPBACK_RECEIVED:
		break;
	case CLI_LOOPBACK_TIMEOUT:
		snprintf(msg, sizeof(msg),
			 "connect %s: no redirect reached %s within %u s "
			 "(--timeout N waits longer): nothing was stored",
			 app_id, uri, timeout_s);
		rc = cli_fail(cli, LK_ETIMEOUT, msg);
		goto out;
	case CLI_LOOPBACK_INTERRUPTED:
		snprintf(msg, sizeof(msg),
			 "connect %s: interrupted: nothing was stored", app_id);
		cli_fail(cli, LK_EINVAL, msg);
		rc = 130; /* 128 + SIGINT, as shells report it */
		goto out;
	}
	/* The browser has its page; the listener has no more to do. */
	cli_loopback_free(lb);
	lb = NULL;
	st = lk_connect_finish(&conn, cli->ctx, cli->owner, flow, callback);
	rc = st == LK_OK ? print_conn(cli, conn)
			 : cli_fail(cli, st, lk_errmsg(cli->ctx));
out:
	cli_loopback_free(lb);
	if (browser > 0)
		waitpid(browser, NULL, WNOHANG);
	lk_conn_free(conn);
	lk_str_wipe_free(callback);
	lk_free(flow);
	lk_free(url);
	lk_free(redirect);
	lk_free(uri);
	return rc;
}

/* --timeout N: whole seconds, 1 to a day. */
static bool parse_timeout(unsigned *out, const char *s)
{
	char *end = NULL;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *s == '-' || *end || v < 1 || v > CONNECT_TIMEOUT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

int cli_cmd_connect(struct cli *cli, int argc, char **argv)
{
	const char *app_id = NULL, *flow = NULL, *cb = NULL;
	bool begin = false;
	unsigned timeout_s = CONNECT_TIMEOUT_DEFAULT;
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
		} else if (!strcmp(a, "--timeout") && i + 1 < argc) {
			if (!parse_timeout(&timeout_s, argv[++i])) {
				rc =
				    cli_usage(cli, "connect --timeout needs "
						   "whole seconds, 1 to 86400");
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

		if (!begin) {
			rc = connect_loopback(cli, app_id, fields, timeout_s);
			goto out;
		}
		st = lk_connect_begin(&fl, &url, cli->ctx, cli->owner, app_id,
				      fields, NULL);
		rc = st == LK_OK ? print_begin(cli, fl, url, false)
				 : cli_fail(cli, st, lk_errmsg(cli->ctx));
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
