/* SPDX-License-Identifier: MIT */
/*
 * A host program that links nothing of latchkey: it dlopens liblatchkey.so
 * with RTLD_LOCAL (as a plugin host or a language binding would), finds
 * the API with dlsym, loads a configuration, connects an apikey account
 * and performs one call with it, then one call for an app of scheme none.
 * The modules latchkey loads must resolve their lk_* upcalls against this
 * RTLD_LOCAL copy.
 *
 * usage: dlopen_host LIBLATCHKEY.so CONFIG KEY_APP API_KEY URL NONE_APP URL
 * Prints "status <code>" and the body of each call; exit 0 when both
 * calls got an HTTP answer, 1 otherwise (the reason on stderr).
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include <latchkey/latchkey.h>

/* The API as function pointers, typed from the header's declarations. */
#define LK_FN(name) __typeof__(name) *name##_p
static struct {
	LK_FN(lk_ctx_new);
	LK_FN(lk_ctx_load);
	LK_FN(lk_ctx_free);
	LK_FN(lk_errmsg);
	LK_FN(lk_fields_new);
	LK_FN(lk_fields_set);
	LK_FN(lk_fields_free);
	LK_FN(lk_connect);
	LK_FN(lk_conn_label);
	LK_FN(lk_conn_free);
	LK_FN(lk_request_new);
	LK_FN(lk_request_free);
	LK_FN(lk_perform);
	LK_FN(lk_perform_app);
	LK_FN(lk_response_status);
	LK_FN(lk_response_body);
	LK_FN(lk_response_free);
} api;

static int resolve(void *lib)
{
	struct {
		const char *name;
		void **slot;
	} syms[] = {
#define SYM(n) {#n, (void **)&api.n##_p}
	    SYM(lk_ctx_new),	     SYM(lk_ctx_load),
	    SYM(lk_ctx_free),	     SYM(lk_errmsg),
	    SYM(lk_fields_new),	     SYM(lk_fields_set),
	    SYM(lk_fields_free),     SYM(lk_connect),
	    SYM(lk_conn_label),	     SYM(lk_conn_free),
	    SYM(lk_request_new),     SYM(lk_request_free),
	    SYM(lk_perform),	     SYM(lk_perform_app),
	    SYM(lk_response_status), SYM(lk_response_body),
	    SYM(lk_response_free),
#undef SYM
	};

	for (size_t i = 0; i < sizeof(syms) / sizeof(syms[0]); i++) {
		*syms[i].slot = dlsym(lib, syms[i].name);
		if (!*syms[i].slot) {
			fprintf(stderr, "dlopen_host: dlsym %s: %s\n",
				syms[i].name, dlerror());
			return -1;
		}
	}
	return 0;
}

/* Send @p req with @p conn, or for @p app when conn is NULL; print it. */
static int call(lk_ctx *ctx, lk_conn *conn, const char *app, const char *url)
{
	lk_request *req = NULL;
	lk_response *resp = NULL;
	size_t len = 0;
	lk_status st = api.lk_request_new_p(&req, "GET", url);

	if (st == LK_OK)
		st = conn ? api.lk_perform_p(&resp, ctx, conn, req)
			  : api.lk_perform_app_p(&resp, ctx, app, req);
	if (st != LK_OK) {
		fprintf(stderr, "dlopen_host: %s: %s\n", url,
			api.lk_errmsg_p(ctx));
		api.lk_request_free_p(req);
		return 1;
	}
	printf("status %ld\n", api.lk_response_status_p(resp));
	printf("%s\n", api.lk_response_body_p(resp, &len));
	api.lk_response_free_p(resp);
	api.lk_request_free_p(req);
	return 0;
}

int main(int argc, char **argv)
{
	lk_ctx *ctx = NULL;
	lk_fields *fields = NULL;
	lk_conn *conn = NULL;
	void *lib;
	int rc = 1;

	if (argc != 8) {
		fprintf(stderr, "usage: dlopen_host LIB CONFIG KEY_APP API_KEY "
				"URL NONE_APP URL\n");
		return 2;
	}
	lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
	if (!lib) {
		fprintf(stderr, "dlopen_host: %s\n", dlerror());
		return 1;
	}
	/* RTLD_LOCAL: nothing of latchkey is visible process-wide */
	if (dlsym(RTLD_DEFAULT, "lk_ctx_new")) {
		fprintf(stderr, "dlopen_host: lk_ctx_new is global\n");
		goto out;
	}
	if (resolve(lib) != 0)
		goto out;
	if (api.lk_ctx_new_p(&ctx) != LK_OK ||
	    api.lk_ctx_load_p(ctx, argv[2]) != LK_OK) {
		fprintf(stderr, "dlopen_host: load: %s\n",
			ctx ? api.lk_errmsg_p(ctx) : "no memory");
		goto out;
	}
	if (api.lk_fields_new_p(&fields) != LK_OK ||
	    api.lk_fields_set_p(fields, "api_key", argv[4], true) != LK_OK)
		goto out;
	if (api.lk_connect_p(&conn, ctx, "host-user", argv[3], fields) !=
	    LK_OK) {
		fprintf(stderr, "dlopen_host: connect: %s\n",
			api.lk_errmsg_p(ctx));
		goto out;
	}
	printf("connected %s\n", api.lk_conn_label_p(conn));
	rc = call(ctx, conn, NULL, argv[5]);
	if (rc == 0)
		rc = call(ctx, NULL, argv[6], argv[7]);
out:
	if (api.lk_conn_free_p)
		api.lk_conn_free_p(conn);
	if (api.lk_fields_free_p)
		api.lk_fields_free_p(fields);
	if (api.lk_ctx_free_p)
		api.lk_ctx_free_p(ctx);
	/* No dlclose: liblatchkey keeps libltdl initialised for the life
	 * of the process (core/loader.c), so unloading it would strand
	 * libltdl's state (LeakSanitizer reports it). Hosts keep it. */
	return rc;
}
