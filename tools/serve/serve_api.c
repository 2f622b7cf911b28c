/* SPDX-License-Identifier: MIT */
/*
 * serve_api.c: the /v1 JSON API for host programs: apps, connections
 * (list, create with fields, get, remove, test, refresh) and requests
 * made on a connection's or an app's behalf.
 */
#include <stdio.h>
#include <string.h>

#include "serve_int.h"

#define WHY_LEN 256
#define MAX_SEGS 4

struct api {
	struct MHD_Connection *c;
	struct serve_req *r;
	struct serve *srv;
	lk_ctx *ctx;
	const char *owner;
};

/* HTTP status for a core status. A failed test is the host's user's
 * problem (422); the provider failing or talking nonsense is a bad
 * gateway (502); no answer in time is 504. */
static unsigned http_status(lk_status st, const char *msg, const char **code)
{
	switch (st) {
	case LK_EINVAL:
		*code = "invalid_request";
		return 400;
	case LK_ENOTFOUND:
		*code = "not_found";
		return 404;
	case LK_EDENIED:
		*code = "denied";
		return 403;
	case LK_EAUTH:
		*code = "test_failed";
		return 422;
	case LK_EHTTP:
		/* The core's classification names the status it got. */
		if (msg && strstr(msg, " answered 5")) {
			*code = "provider_error";
			return 502;
		}
		*code = "test_failed";
		return 422;
	case LK_EPROTO:
		*code = "provider_unparsable";
		return 502;
	case LK_ENET:
		*code = "provider_unreachable";
		return 502;
	case LK_ETIMEOUT:
		*code = "provider_timeout";
		return 504;
	case LK_EEXPIRED:
		*code = "expired";
		return 409;
	case LK_ESTATE:
		*code = "invalid_flow";
		return 400;
	default:
		*code = "internal";
		return 500;
	}
}

static enum MHD_Result fail(struct api *a, lk_status st)
{
	const char *msg = lk_errmsg(a->ctx);
	const char *code = "internal";
	unsigned status = http_status(st, msg, &code);

	return serve_reply_error(a->c, a->r, status, code, "%s",
				 msg && *msg ? msg : lk_strerror(st));
}

static enum MHD_Result bad_request(struct api *a, const char *why)
{
	return serve_reply_error(a->c, a->r, 400, "invalid_request", "%s", why);
}

static bool id_ok(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 128)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			 "0123456789-_") == n;
}

static cJSON *app_json(struct api *a, const lk_app *app)
{
	cJSON *e = cJSON_CreateObject();
	cJSON *fields = cJSON_CreateArray();
	cJSON *links = cJSON_CreateObject();
	bool needs = lk_app_needs_auth(a->ctx, app);
	size_t n = lk_app_field_count(a->ctx, app);

	cJSON_AddStringToObject(e, "id", lk_app_id(app));
	cJSON_AddStringToObject(e, "title", lk_app_title(app));
	cJSON_AddStringToObject(e, "scheme", lk_app_scheme(app));
	cJSON_AddBoolToObject(e, "needs_auth", needs);
	cJSON_AddBoolToObject(e, "redirect_flow",
			      needs && lk_app_is_redirect_flow(a->ctx, app));
	for (size_t i = 0; i < n; i++) {
		const char *key = NULL, *label = NULL;
		bool required = false, secret = false;
		cJSON *f;

		if (lk_app_field_at(a->ctx, app, i, &key, &label, &required,
				    &secret) != LK_OK)
			continue;
		f = cJSON_CreateObject();
		cJSON_AddStringToObject(f, "key", key);
		cJSON_AddStringToObject(f, "label", label ? label : key);
		cJSON_AddBoolToObject(f, "required", required);
		cJSON_AddBoolToObject(f, "secret", secret);
		cJSON_AddItemToArray(fields, f);
	}
	cJSON_AddItemToObject(e, "fields", fields);
	if (needs) {
		char *link = serve_link_mint(a->srv, a->owner, lk_app_id(app));

		if (link)
			cJSON_AddStringToObject(
			    links, "connect_new_authentication", link);
		else
			cJSON_AddNullToObject(links,
					      "connect_new_authentication");
		lk_free(link);
	} else {
		cJSON_AddNullToObject(links, "connect_new_authentication");
	}
	cJSON_AddItemToObject(e, "links", links);
	return e;
}

static enum MHD_Result list_apps(struct api *a)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *data = cJSON_AddArrayToObject(o, "data");

	for (size_t i = 0; i < lk_app_count(a->ctx); i++)
		cJSON_AddItemToArray(data, app_json(a, lk_app_at(a->ctx, i)));
	return serve_reply_json(a->c, a->r, 200, o);
}

static enum MHD_Result no_app(struct api *a, const char *id)
{
	return serve_reply_error(a->c, a->r, 404, "not_found",
				 "no app \"%.64s\" is configured", id);
}

static enum MHD_Result list_conns(struct api *a)
{
	const char *app =
	    MHD_lookup_connection_value(a->c, MHD_GET_ARGUMENT_KIND, "app");
	const lk_app *found = NULL;
	lk_conn_list *list = NULL;
	cJSON *o, *data;
	lk_status st;

	if (app && lk_app_find(&found, a->ctx, app) != LK_OK)
		return no_app(a, app);
	st = lk_conn_list_new(&list, a->ctx, a->owner, app);
	if (st != LK_OK)
		return fail(a, st);
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (size_t i = 0; i < lk_conn_list_count(list); i++)
		cJSON_AddItemToArray(data,
				     tools_conn_json(lk_conn_list_at(list, i)));
	lk_conn_list_free(list);
	return serve_reply_json(a->c, a->r, 200, o);
}

/* The fields object of a create: every value a string. */
static bool fields_from_json(lk_fields **out, const cJSON *obj, char *why)
{
	lk_fields *f = NULL;

	*out = NULL;
	if (lk_fields_new(&f) != LK_OK)
		return false;
	for (const cJSON *m = obj ? obj->child : NULL; m; m = m->next) {
		if (!cJSON_IsString(m)) {
			snprintf(why, WHY_LEN, "fields.%.64s must be a string",
				 m->string);
			lk_fields_free(f);
			return false;
		}
		/* Flagged secret so every copy is wiped; the core applies
		 * the app's own flags when it stores them. */
		if (lk_fields_set(f, m->string, m->valuestring, true) !=
		    LK_OK) {
			snprintf(why, WHY_LEN, "out of memory");
			lk_fields_free(f);
			return false;
		}
	}
	*out = f;
	return true;
}

static enum MHD_Result create_conn(struct api *a)
{
	static const char *const allowed[] = {"app", "fields", NULL};
	char why[WHY_LEN] = "";
	cJSON *body = serve_json_object(a->r, allowed, why, sizeof(why));
	const cJSON *app = NULL, *fields = NULL;
	const lk_app *found = NULL;
	lk_fields *f = NULL;
	lk_conn *conn = NULL;
	enum MHD_Result ret;
	lk_status st;

	if (!body)
		return bad_request(a, why);
	if (!serve_json_member(&app, body, "app", cJSON_String, true, why,
			       sizeof(why)) ||
	    !serve_json_member(&fields, body, "fields", cJSON_Object, false,
			       why, sizeof(why)) ||
	    !fields_from_json(&f, fields, why)) {
		ret = bad_request(a, why);
		goto out;
	}
	if (lk_app_find(&found, a->ctx, app->valuestring) != LK_OK) {
		ret = no_app(a, app->valuestring);
		goto out;
	}
	if (!lk_app_needs_auth(a->ctx, found)) {
		ret = serve_reply_error(
		    a->c, a->r, 400, "no_auth_needed",
		    "app %s needs no authentication: call POST "
		    "/v1/apps/%s/request",
		    lk_app_id(found), lk_app_id(found));
		goto out;
	}
	if (lk_app_is_redirect_flow(a->ctx, found)) {
		ret = serve_reply_error(
		    a->c, a->r, 400, "redirect_flow",
		    "app %s connects through the provider's web page: "
		    "open links.connect_new_authentication of GET "
		    "/v1/apps in a popup",
		    lk_app_id(found));
		goto out;
	}
	st = lk_connect(&conn, a->ctx, a->owner, lk_app_id(found), f);
	if (st != LK_OK) {
		ret = fail(a, st);
		goto out;
	}
	ret = serve_reply_json(a->c, a->r, 201, tools_conn_json(conn));
out:
	lk_conn_free(conn);
	lk_fields_free(f);
	cJSON_Delete(body);
	return ret;
}

/* A request made with a connection, or for an app without auth. */
static enum MHD_Result proxy(struct api *a, lk_conn *conn, const char *app)
{
	static const char *const allowed[] = {"method", "url", "headers",
					      "body", NULL};
	char why[WHY_LEN] = "";
	cJSON *body = serve_json_object(a->r, allowed, why, sizeof(why));
	const cJSON *method = NULL, *url = NULL, *headers = NULL, *data = NULL;
	lk_request *req = NULL;
	lk_response *resp = NULL;
	enum MHD_Result ret;
	lk_status st;

	if (!body)
		return bad_request(a, why);
	if (!serve_json_member(&method, body, "method", cJSON_String, true, why,
			       sizeof(why)) ||
	    !serve_json_member(&url, body, "url", cJSON_String, true, why,
			       sizeof(why)) ||
	    !serve_json_member(&headers, body, "headers", cJSON_Object, false,
			       why, sizeof(why)) ||
	    !serve_json_member(&data, body, "body", cJSON_String, false, why,
			       sizeof(why))) {
		ret = bad_request(a, why);
		goto out;
	}
	if (strspn(method->valuestring, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
		strlen(method->valuestring) ||
	    !method->valuestring[0] || strlen(method->valuestring) > 16) {
		ret = bad_request(a, "method must be an upper-case HTTP "
				     "method (GET, POST...)");
		goto out;
	}
	st = lk_request_new(&req, method->valuestring, url->valuestring);
	if (st != LK_OK) {
		ret = fail(a, st);
		goto out;
	}
	for (const cJSON *h = headers ? headers->child : NULL; h; h = h->next) {
		if (!cJSON_IsString(h)) {
			snprintf(why, sizeof(why),
				 "headers.%.64s must be a string", h->string);
			ret = bad_request(a, why);
			goto out;
		}
		if (lk_request_add_header(req, h->string, h->valuestring) !=
		    LK_OK) {
			snprintf(why, sizeof(why),
				 "header \"%.64s\": not a valid name, or a "
				 "value holding CR, LF or NUL",
				 h->string);
			ret = bad_request(a, why);
			goto out;
		}
	}
	if (data && lk_request_set_body(req, data->valuestring,
					strlen(data->valuestring)) != LK_OK) {
		ret = fail(a, LK_ENOMEM);
		goto out;
	}
	st = conn ? lk_perform(&resp, a->ctx, conn, req)
		  : lk_perform_app(&resp, a->ctx, app, req);
	if (st != LK_OK) {
		ret = fail(a, st);
		goto out;
	}
	ret = serve_reply_json(a->c, a->r, 200, serve_response_json(resp));
out:
	lk_response_free(resp);
	lk_request_free(req);
	cJSON_Delete(body);
	return ret;
}

static enum MHD_Result app_request(struct api *a, const char *id)
{
	const lk_app *found = NULL;

	if (lk_app_find(&found, a->ctx, id) != LK_OK)
		return no_app(a, id);
	if (lk_app_needs_auth(a->ctx, found))
		return serve_reply_error(a->c, a->r, 400, "auth_needed",
					 "app %s needs a connection: call POST "
					 "/v1/authentications/ID/request",
					 lk_app_id(found));
	return proxy(a, NULL, lk_app_id(found));
}

static enum MHD_Result not_found_conn(struct api *a)
{
	/* The same answer for an unknown id and another owner's. */
	return serve_reply_error(a->c, a->r, 404, "not_found",
				 "no such authentication");
}

static enum MHD_Result on_conn(struct api *a, const char *id, const char *op,
			       const char *method)
{
	lk_conn *conn = NULL;
	enum MHD_Result ret;
	lk_status st;

	if (!id_ok(id))
		return not_found_conn(a);
	if (!op && !strcmp(method, "DELETE")) {
		st = lk_conn_remove(a->ctx, a->owner, id);
		if (st == LK_ENOTFOUND)
			return not_found_conn(a);
		if (st != LK_OK)
			return fail(a, st);
		return serve_reply(a->c, a->r, 204, "application/json", "", 0,
				   NULL);
	}
	if (!op && strcmp(method, "GET") != 0)
		return serve_reply_error(a->c, a->r, 405, "method_not_allowed",
					 "use GET or DELETE");
	if (op && strcmp(method, "POST") != 0)
		return serve_reply_error(a->c, a->r, 405, "method_not_allowed",
					 "use POST");
	if (op && strcmp(op, "test") && strcmp(op, "refresh") &&
	    strcmp(op, "request"))
		return serve_reply_error(a->c, a->r, 404, "not_found",
					 "no such path");
	st = lk_conn_open(&conn, a->ctx, a->owner, id);
	if (st == LK_ENOTFOUND)
		return not_found_conn(a);
	if (st != LK_OK)
		return fail(a, st);
	if (!op) {
		ret = serve_reply_json(a->c, a->r, 200, tools_conn_json(conn));
	} else if (!strcmp(op, "request")) {
		ret = proxy(a, conn, NULL);
	} else {
		st = !strcmp(op, "test") ? lk_conn_test(a->ctx, conn)
					 : lk_conn_refresh(a->ctx, conn);
		ret = st == LK_OK ? serve_reply_json(a->c, a->r, 200,
						     tools_conn_json(conn))
				  : fail(a, st);
	}
	lk_conn_free(conn);
	return ret;
}

static enum MHD_Result unauthorized(struct api *a)
{
	static const char *const hdr[] = {"WWW-Authenticate",
					  "Bearer realm=\"latchkey\"", NULL};
	static const char body[] =
	    "{\"error\":{\"code\":\"unauthorized\",\"message\":\"missing "
	    "or wrong service key: send Authorization: Bearer "
	    "<service key>\"}}";

	return serve_reply(a->c, a->r, 401, "application/json", body,
			   sizeof(body) - 1, hdr);
}

enum MHD_Result serve_api(struct MHD_Connection *c, struct serve_req *r,
			  const char *path)
{
	struct api a = {.c = c, .r = r, .srv = r->srv, .ctx = r->srv->ctx};
	char buf[512], *seg[MAX_SEGS + 1] = {0}, *p;
	const char *why = NULL, *m = r->method;
	size_t n = 0;

	if (!serve_auth_bearer_ok(
		r->srv, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						    "Authorization")))
		return unauthorized(&a);
	a.owner = serve_auth_owner(c, &why);
	if (!a.owner)
		return bad_request(&a, why);
	if (strlen(path + 4) >= sizeof(buf))
		goto nf;
	snprintf(buf, sizeof(buf), "%s", path + 4);
	for (p = buf; n <= MAX_SEGS;) {
		char *slash = strchr(p, '/');

		seg[n++] = p;
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	if (n > MAX_SEGS)
		goto nf;
	for (size_t i = 0; i < n; i++)
		if (!seg[i][0])
			goto nf;
	if (!strcmp(seg[0], "apps")) {
		if (n == 1 && !strcmp(m, "GET"))
			return list_apps(&a);
		if (n == 3 && !strcmp(seg[2], "request") && !strcmp(m, "POST"))
			return app_request(&a, seg[1]);
	} else if (!strcmp(seg[0], "authentications")) {
		if (n == 1 && !strcmp(m, "GET"))
			return list_conns(&a);
		if (n == 1 && !strcmp(m, "POST"))
			return create_conn(&a);
		if (n == 1)
			return serve_reply_error(
			    c, r, 405, "method_not_allowed", "use GET or POST");
		if (n <= 3)
			return on_conn(&a, seg[1], n == 3 ? seg[2] : NULL, m);
	}
nf:
	return serve_reply_error(c, r, 404, "not_found",
				 "no such API path: %.200s", path);
}
