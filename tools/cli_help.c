/* SPDX-License-Identifier: MIT */
/* cli_help.c: `latchkey --help` and `latchkey COMMAND --help`; kept in
 * step with man/latchkey.1. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage_text[] =
	"usage: latchkey [-c CONFIG] [--owner NAME] [--json] [-v] COMMAND [ARGS]\n"
	"\n"
	"commands:\n"
	"  apps                               apps, their scheme, whether they need auth\n"
	"  modules                            loadable modules, their ABI and kinds\n"
	"  check-config                       validate the configuration (file:line errors)\n"
	"  connect APP [-f KEY=VALUE]...      connect an account (prompts on a terminal;\n"
	"                                     OAuth: browser + loopback redirect)\n"
	"  connect APP --begin                print {flow, authorize_url} and exit\n"
	"  connect --finish FLOW --callback-url URL\n"
	"                                     finish a redirect (OAuth) flow\n"
	"  connections [APP]                  list connections: id, app, label, status\n"
	"  show ID                            a connection's fields and last test response\n"
	"  test ID                            run the test request, classify the result\n"
	"  call ID METHOD URL [-H 'K: V']... [-d DATA|-d @FILE] [-i] [--fail]\n"
	"                                     an authenticated request; body to stdout\n"
	"  call --app APP METHOD URL ...      a request for an app that needs no auth\n"
	"  refresh ID                         renew the credentials (schemes that can)\n"
	"  remove ID                          remove a connection\n"
	"  serve [--listen ADDR:PORT]         the HTTP API for host programs\n"
	"\n"
	"options:\n"
	"  -c CONFIG      configuration file (default: $LATCHKEY_CONFIG, else\n"
	"                 " LK_CLI_SYSCONF "/latchkey.conf)\n"
	"  --owner NAME   whose connections (default: $LATCHKEY_OWNER, else default)\n"
	"  --json         one JSON document on stdout; errors as\n"
	"                 {\"error\":{\"code\",\"message\"}}\n"
	"  -v             print the HTTP exchange on stderr, secrets redacted\n"
	"                 (warnings are printed without -v)\n"
	"  -h, --help     this help; latchkey COMMAND --help for one command\n"
	"  --version      print the version\n"
	"\n"
	"exit status: 0 success, 1 authentication or test failure, 2 usage or\n"
	"configuration error, 3 network error or timeout, 4 connection expired\n"
	"(reconnect it). See latchkey(1).\n";

struct command_help {
	const char *name;
	const char *text;
};

static const struct command_help helps[] = {
	{"apps",
	 "usage: latchkey [--json] apps\n"
	 "\n"
	 "List the configured apps: id, title, scheme, and whether they need\n"
	 "authentication (AUTH no: scheme none, use `call --app`).\n"
	 "--json: {\"data\":[{\"id\",\"title\",\"scheme\",\"needs_auth\"}]}\n"
	 "exit: 0; 2 when the configuration does not load.\n"},
	{"modules",
	 "usage: latchkey [--json] modules\n"
	 "\n"
	 "Load every module of module_path and describe it: name, version,\n"
	 "ABI, kinds (scheme, refresh, hooks), or why it does not load.\n"
	 "--json: {\"data\":[{\"name\",\"version\",\"abi\",\"scheme\",\"refresh\",\n"
	 "        \"hooks\",\"error\"?}]}\n"
	 "exit: 0; 2 when module_path cannot be read.\n"},
	{"check-config",
	 "usage: latchkey [-c CONFIG] [--json] check-config\n"
	 "\n"
	 "Load the configuration and every module its apps name, and check\n"
	 "each app's settings. Problems are reported as file:line: message.\n"
	 "--json: {\"ok\":true,\"config\":PATH}, or the error object.\n"
	 "exit: 0 when valid; 2 on any problem.\n"},
	{"connect",
	 "usage: latchkey [--owner NAME] [--json] connect APP [-f KEY=VALUE]...\n"
	 "                [--timeout N]\n"
	 "       latchkey connect APP --begin\n"
	 "       latchkey connect --finish FLOW --callback-url URL\n"
	 "\n"
	 "Connect an account of APP for the owner. Fields come from -f;\n"
	 "required fields not given are prompted on the terminal (secret\n"
	 "ones without echo). Without a terminal a missing required field\n"
	 "is an error. The app's test request runs first: when it fails,\n"
	 "nothing is stored. The connection is numbered per owner and app\n"
	 "(1, 2, ...) and labelled \"Title\", \"Title #2\", then the app's\n"
	 "label template.\n"
	 "Redirect (OAuth) apps: the authorize URL opens in the browser\n"
	 "(xdg-open, when DISPLAY or WAYLAND_DISPLAY is set) or is printed\n"
	 "on stderr to open by hand; the redirect is received on the app's\n"
	 "loopback redirect_uri (http://127.0.0.1[:PORT]/PATH; no port: a\n"
	 "free one, RFC 8252 section 7.3) and the connection is stored once\n"
	 "its test passes. A redirect_uri elsewhere prints the flow id and\n"
	 "the URL instead. --begin prints them and exits; --finish completes\n"
	 "the flow from the URL the provider redirected to (remote\n"
	 "terminals, host programs).\n"
	 "-f KEY=VALUE   a field (repeatable)\n"
	 "--timeout N    seconds to wait for the redirect (default 300)\n"
	 "--json: {\"id\",\"app\",\"number\",\"label\"}, or {\"flow\",\"authorize_url\"}\n"
	 "exit: 0 connected; 1 the test failed (credentials, 4xx, 5xx,\n"
	 "unparsable answer) or the provider refused the authorization;\n"
	 "2 unknown app, missing field, an app that needs no\n"
	 "authentication, a used, expired or forged flow (state); 3 network\n"
	 "error, timeout, no redirect in time or the loopback port taken;\n"
	 "130 interrupted (Ctrl-C) while waiting: nothing stored.\n"},
	{"connections",
	 "usage: latchkey [--owner NAME] [--json] connections [APP]\n"
	 "\n"
	 "List the owner's connections (of APP, or all), by app then number:\n"
	 "id, app, label, status (active or expired).\n"
	 "--json: {\"data\":[{\"id\",\"app\",\"owner\",\"number\",\"label\",\"status\",\n"
	 "        \"created\",\"updated\"}]}, times in ISO 8601 UTC\n"
	 "exit: 0; 2 on a configuration or store error.\n"},
	{"show",
	 "usage: latchkey [--owner NAME] [--json] show ID\n"
	 "\n"
	 "Show one of the owner's connections: id, app, label, status, its\n"
	 "fields (secret ones as \"(secret)\") and its last test response.\n"
	 "--json: {\"id\",\"app\",\"owner\",\"number\",\"label\",\"status\",\"created\",\n"
	 "        \"updated\",\"fields\":{...},\"test\":{...}|null}\n"
	 "exit: 0; 2 when there is no such connection for this owner.\n"},
	{"test",
	 "usage: latchkey [--owner NAME] [--json] [-v] test ID\n"
	 "\n"
	 "Run the app's test request with the connection and classify the\n"
	 "result; the message says what to check (404: test URL or method;\n"
	 "401/403: credentials incorrect, expired or revoked; 400: client\n"
	 "id/secret or token exchange; not JSON: maybe a web page; timeout;\n"
	 "5xx). On success the test response and the label are updated.\n"
	 "--json: {\"id\",\"label\",\"status\"}\n"
	 "exit: 0 passed; 1 failed; 2 no such connection; 3 network error\n"
	 "or timeout; 4 the connection is expired.\n"},
	{"call",
	 "usage: latchkey [--owner NAME] [--json] [-v] call ID METHOD URL [OPTIONS]\n"
	 "       latchkey call --app APP METHOD URL [OPTIONS]\n"
	 "\n"
	 "Send an authenticated request with connection ID (refreshed when\n"
	 "needed), or with --app a request for an app that needs no\n"
	 "authentication. The URL must lie under the app's base_urls. The\n"
	 "response body goes to stdout.\n"
	 "-H 'Name: value'   add a header (repeatable)\n"
	 "-d DATA, -d @FILE  the request body\n"
	 "-i                 print the status line and headers first\n"
	 "--fail             exit 1 when the status is 400 or more\n"
	 "--json: {\"status\",\"headers\":[[name,value]...],\"body\"}\n"
	 "exit: 0 any HTTP answer (unless --fail); 1 with --fail and a\n"
	 "status >= 400, or the scheme could not authenticate; 2 usage, URL outside base_urls, no such connection;\n"
	 "3 network error or timeout; 4 the connection is expired.\n"},
	{"refresh",
	 "usage: latchkey [--owner NAME] [--json] refresh ID\n"
	 "\n"
	 "Renew the connection's credentials now (schemes that can refresh,\n"
	 "such as oauth2 and session).\n"
	 "--json: {\"id\",\"label\",\"status\"}\n"
	 "exit: 0; 1 refused by the provider; 2 no such connection or the\n"
	 "scheme cannot refresh; 3 network error; 4 the grant was refused\n"
	 "and the connection is now expired.\n"},
	{"remove",
	 "usage: latchkey [--owner NAME] [--json] remove ID\n"
	 "\n"
	 "Remove one of the owner's connections. Its number is never given\n"
	 "to another connection.\n"
	 "--json: {\"removed\":ID}\n"
	 "exit: 0; 2 when there is no such connection for this owner.\n"},
	{"serve",
	 "usage: latchkey serve [--listen ADDR:PORT] [--port N]\n"
	 "                      [--port-file FILE] [--lifetime SECONDS]\n"
	 "\n"
	 "The HTTP API for host programs and the connect popup, configured by\n"
	 "the serve block of latchkey.conf (listen, service_key_files,\n"
	 "public_url, host origins, TLS). Runs in the foreground, one log line\n"
	 "per request (no secret), and stops on SIGTERM once the requests in\n"
	 "flight are finished. Listening beyond loopback needs TLS unless\n"
	 "allow_insecure = true.\n"
	 "--port and --listen override the config; --port-file writes the\n"
	 "port bound (useful with --port 0); --lifetime stops after SECONDS.\n"
	 "exit: 0 after a clean stop; 2 on a configuration error.\n"},
};

void cli_print_usage(FILE *out)
{
	fputs(usage_text, out);
}

bool cli_print_command_help(const char *cmd)
{
	for (size_t i = 0; i < sizeof(helps) / sizeof(helps[0]); i++) {
		if (strcmp(helps[i].name, cmd) == 0) {
			fputs(helps[i].text, stdout);
			return true;
		}
	}
	return false;
}
