/* SPDX-License-Identifier: MIT */
/* digest.so benchmark (`make bench`): Authorization headers produced per
 * second by the module (MD5 and SHA-256, qop=auth), next to the limit
 * measured in the same run: the bare EVP computation of the same response
 * value; then requests per call over 1,000 calls against lk-provider. */
#include "../modules/digest/digest_harness.h" /* first: it sets _XOPEN_SOURCE */

#include <openssl/evp.h>

#include "core.h"
#include "loader.h"

#define HEADER_ROUNDS 100000
#define BEST_OF 7
#define CALLS 1000

#define NONCE "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"
#define CNONCE "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"

/* CPU time of this thread: the machine's other load (tests of other
 * programs) does not count against either side. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void hex(char *out, const unsigned char *h, unsigned n)
{
	static const char d[] = "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = d[h[i] >> 4];
		out[2 * i + 1] = d[h[i] & 15];
	}
	out[2 * n] = '\0';
}

static void h_parts(char *out, EVP_MD_CTX *c, const EVP_MD *md,
		    const char *const *p, size_t n)
{
	unsigned char h[EVP_MAX_MD_SIZE];
	unsigned len = 0;
	EVP_DigestInit_ex(c, md, NULL);
	for (size_t i = 0; i < n; i++) {
		if (i)
			EVP_DigestUpdate(c, ":", 1);
		EVP_DigestUpdate(c, p[i], strlen(p[i]));
	}
	EVP_DigestFinal_ex(c, h, &len);
	hex(out, h, len);
}

/* The limit: H(A1), H(A2) and the response with one reused EVP_MD_CTX,
 * nothing else. Returns responses per second. */
static double bare_evp(const char *mdname, char *last)
{
	EVP_MD *md = EVP_MD_fetch(NULL, mdname, NULL);
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	char ha1[65], ha2[65];
	double t0 = cpu_s();
	for (int i = 0; i < HEADER_ROUNDS; i++) {
		const char *a1[] = {"Mufasa", "http-auth@example.org",
				    "Circle of Life"};
		const char *a2[] = {"GET", "/dir/index.html"};
		h_parts(ha1, c, md, a1, 3);
		h_parts(ha2, c, md, a2, 2);
		const char *r[] = {ha1, NONCE, "00000001", CNONCE, "auth", ha2};
		h_parts(last, c, md, r, 6);
	}
	double rate = HEADER_ROUNDS / (cpu_s() - t0);
	EVP_MD_CTX_free(c);
	EVP_MD_free(md);
	return rate;
}

/* The module: authorize() on one request, the nonce cached. */
static double module_headers(struct lk_module_rt *rt, const char *algo)
{
	struct lk_app app = {.id = "bench"};
	struct lk_block block = {.mod = rt};
	lk_conn c = {.id = "bench"};
	void *state = NULL;
	lk_request *req = NULL;
	char chal[512];
	lk_verdict v;

	lk_fields_new(&block.values);
	lk_fields_new(&c.fields);
	lk_fields_set(c.fields, "username", "Mufasa", false);
	lk_fields_set(c.fields, "password", "Circle of Life", true);
	rt->scheme.state_new(&state, NULL);
	lk_call call = {.ctx = ctx,
			.app = &app,
			.block = &block,
			.conn = &c,
			.state = state};
	snprintf(chal, sizeof chal,
		 "Digest realm=\"http-auth@example.org\", qop=\"auth\", "
		 "algorithm=%s, nonce=\"" NONCE "\"",
		 algo);
	struct lk_header hd = {"WWW-Authenticate", chal};
	struct lk_response resp = {
	    .status = 401, .headers = &hd, .nheaders = 1};
	rt->scheme.on_response(&v, &call, NULL, &resp, 0);
	lk_request_new(&req, "GET", "https://www.example.org/dir/index.html");
	double t0 = cpu_s();
	for (int i = 0; i < HEADER_ROUNDS; i++)
		if (rt->scheme.authorize(&call, req) != LK_OK)
			return 0;
	double rate = HEADER_ROUNDS / (cpu_s() - t0);
	lk_request_free(req);
	rt->scheme.state_free(state);
	lk_fields_free(block.values);
	lk_fields_free(c.fields);
	return rate;
}

int main(void)
{
	struct lk_module_rt *rt = NULL;
	char dirpath[512], last[65];
	int fail = 0;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(dirpath, sizeof dirpath, "%s/modules/digest/.libs",
		 env("top_builddir", "."));
	if (lk_ctx_new(&ctx) != LK_OK ||
	    lk_loader__open(&rt, ctx, dirpath, "digest") != LK_OK) {
		fprintf(stderr, "bench_digest: cannot load digest.so: %s\n",
			lk_errmsg(ctx));
		return 1;
	}
	static const char *const algos[][2] = {{"MD5", "MD5"},
					       {"SHA-256", "SHA2-256"}};
	for (int a = 0; a < 2; a++) {
		/* alternate, best of BEST_OF each: neither gets a cold start
		 * and the machine's other load counts against both */
		double bare = 0, mod = 0;
		for (int r = 0; r < BEST_OF; r++) {
			double b = bare_evp(algos[a][1], last);
			double m = module_headers(rt, algos[a][0]);
			bare = b > bare ? b : bare;
			mod = m > mod ? m : mod;
		}
		printf("digest %-7s qop=auth: module %9.0f headers/s, bare EVP "
		       "%9.0f responses/s (CPU time): %5.1f %% of the "
		       "limit\n",
		       algos[a][0], mod, bare, 100.0 * mod / bare);
	}
	lk_loader__close(rt);
	lk_ctx_free(ctx);
	ctx = NULL;

	/* requests per call, over CALLS calls through one connection */
	if (harness_setup() != 0) {
		fprintf(stderr, "bench_digest: lk-provider setup failed\n");
		harness_teardown();
		return 1;
	}
	if (do_connect(&conn, "example_digest", "Mufasa", "Circle of Life") !=
	    LK_OK) {
		fprintf(stderr, "bench_digest: connect: %s\n", lk_errmsg(ctx));
		fail = 1;
	}
	double t0 = now_s();
	for (int i = 0; !fail && i < CALLS; i++) {
		long st = 0;
		if (call(&st, NULL, conn, "GET", "/digest/SHA-256/auth/bench",
			 NULL) != LK_OK ||
		    st != 200)
			fail = 1;
	}
	double dt = now_s() - t0;
	long reqs = count("/digest/SHA-256/auth/bench");
	printf("digest requests per call over %d calls: %ld requests, "
	       "%.3f per call (%.0f calls/s)\n",
	       CALLS, reqs, (double)reqs / CALLS, CALLS / dt);
	harness_teardown();
	curl_global_cleanup();
	return fail;
}
