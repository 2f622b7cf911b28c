/* SPDX-License-Identifier: MIT */
/* serve_int.h: what the files of `latchkey serve` share. */
#ifndef LK_SERVE_INT_H
#define LK_SERVE_INT_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include <latchkey/latchkey.h>
#include <latchkey/module.h> /* lk_random_bytes, lk_now */

#include "../conn_json.h"

#define SERVE_KEY_HASH_LEN 32
#define SERVE_LINK_KEY_LEN 32
#define SERVE_COOKIE "lk_connect"

/* The `serve` block of latchkey.conf, copied out of the core's tree. */
struct serve_conf {
	char *listen_host; /* numeric IPv4 or IPv6 address */
	unsigned port;
	char *public_url; /* no trailing slash */
	char **key_files;
	size_t nkey_files;
	char **origins;
	size_t norigins;
	char *link_secret_file; /* NULL: a random secret per process */
	long link_ttl;		/* seconds a connect link stays valid */
	size_t max_body;
	unsigned threads;
	bool allow_insecure;
	char *tls_cert_file;
	char *tls_key_file;
};

struct serve_session; /* serve_connect.c */
struct serve_used;    /* serve_link.c */

/* The running server, shared by every worker thread. */
struct serve {
	lk_ctx *ctx;
	struct serve_conf conf;
	unsigned char (*key_hashes)[SERVE_KEY_HASH_LEN];
	size_t nkeys;
	unsigned char link_key[SERVE_LINK_KEY_LEN];
	bool tls;

	pthread_mutex_t lock; /* sessions and used links */
	struct serve_session *sessions;
	struct serve_used *used;

	pthread_mutex_t inflight_lock;
	unsigned inflight;
};

/* One HTTP request (MHD's per-request pointer). */
struct serve_req {
	struct serve *srv;
	char *body;
	size_t len;
	bool too_big;
	bool started; /* the handler ran (counted in flight) */
	unsigned status;
	int64_t start_us;
	char method[16];
	char *path;
	struct MHD_PostProcessor *pp;
	lk_fields *form; /* url-encoded form bodies */
};

/* serve_config.c */
int serve_conf_load(struct serve_conf *out, lk_ctx *ctx);
void serve_conf_free(struct serve_conf *c);
/* --listen ADDR:PORT from the command line. */
int serve_conf_listen(struct serve_conf *c, const char *v);
/* Cross-key rules, once the command line is applied. */
int serve_conf_check(struct serve_conf *c, const char *conf_file);
/* Without serve.public_url: the scheme, address and bound port. */
int serve_conf_default_url(struct serve_conf *c, unsigned port);
/* Read a secret file refused when group- or world-accessible; the bytes
 * (NUL-terminated, trailing newline kept) go to lk_secret_free. */
int serve_read_secret_file(char **out, size_t *len, const char *path,
			   const char *what);
bool serve_host_is_loopback(const char *host);

/* serve_auth.c */
int serve_auth_load_keys(struct serve *srv);
bool serve_auth_bearer_ok(const struct serve *srv, const char *authorization);
/* The owner a /v1 call acts for, or NULL with *why set (lent, static). */
const char *serve_auth_owner(struct MHD_Connection *c, const char **why);

/* serve_json.c: replies and JSON request bodies */
enum MHD_Result serve_reply(struct MHD_Connection *c, struct serve_req *r,
			    unsigned status, const char *ctype,
			    const void *body, size_t len,
			    const char *const *headers);
enum MHD_Result serve_reply_json(struct MHD_Connection *c, struct serve_req *r,
				 unsigned status, cJSON *take);
enum MHD_Result serve_reply_error(struct MHD_Connection *c, struct serve_req *r,
				  unsigned status, const char *code,
				  const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Parse the body as one JSON object whose members are all in @p allowed;
 * on failure NULL and a message in @p why. */
cJSON *serve_json_object(const struct serve_req *r, const char *const *allowed,
			 char *why, size_t whylen);
/* Member @p key of type @p type (cJSON_String...), optional: NULL when
 * absent; a wrong type sets @p why. */
bool serve_json_member(const cJSON **out, const cJSON *obj, const char *key,
		       int type, bool required, char *why, size_t whylen);
/* printf into a new string (lk_free); NULL on failure. */
char *serve_strdupf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* {status, headers, body} of a provider's answer; a body that is not
 * UTF-8 text comes as body_base64 instead. */
cJSON *serve_response_json(const lk_response *resp);

/* serve_api.c */
enum MHD_Result serve_api(struct MHD_Connection *c, struct serve_req *r,
			  const char *path);

/* serve_link.c: signed, single-use connect links */
char *serve_link_mint(struct serve *srv, const char *owner, const char *app);
/* Verify and consume a link token: LK_OK, or LK_EDENIED with @p why. */
lk_status serve_link_take(struct serve *srv, const char *token, char **owner,
			  char **app, const char **why);
void serve_link_free_all(struct serve *srv);
/* base64url without padding of @p len bytes (lk_free). */
char *serve_b64url(const unsigned char *p, size_t len);

/* serve_connect.c: the popup pages */
enum MHD_Result serve_connect(struct MHD_Connection *c, struct serve_req *r,
			      const char *path);
void serve_sessions_free(struct serve *srv);

#endif
