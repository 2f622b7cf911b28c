/* SPDX-License-Identifier: MIT */
/*
 * lifetime.so: a refresh policy that renews a token once a set fraction
 * of its lifetime has passed, instead of the core's fixed margin before
 * expiry. A token that lives 10 minutes and one that lives 10 hours are
 * both renewed with the same share of their life left.
 *
 * The lifetime is read from the connection's `issued_at` and `expires_at`
 * fields (seconds since the epoch), which oauth2.so writes on every token
 * answer. Config block: lifetime = { fraction = 0.9; };  0 < fraction <= 1.
 */
#include <errno.h>
#include <stdlib.h>

#include <latchkey/module.h>

/* The fraction is kept in parts per million, so the comparison is done in
 * integers and "0.7 of 10 s" is exactly 7 s (0.7 * 10 is 7.000000000000001
 * in binary floating point). */
#define LIFETIME_PPM 1000000LL
/* Lifetimes beyond this (~31 years) are clamped: the product stays in
 * range of a long long. */
#define LIFETIME_MAX_SECONDS (1000LL * 1000 * 1000)

static lk_refresh_should_fn lifetime_should_refresh;

static const struct lk_config_key lifetime_keys[] = {
    {"fraction", LK_KEY_FLOAT, false, "0.9", NULL},
    {NULL, 0, false, NULL, NULL},
};

/* A whole number of seconds from a stored field; false when the field is
 * missing, empty or not a number. */
static bool seconds_field(long long *out, lk_call *call, const char *key)
{
	const char *v = lk_call_field(call, key);
	char *end = NULL;

	if (!v || !*v)
		return false;
	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno == 0 && end && *end == '\0';
}

/* The configured fraction in parts per million; LK_ECONFIG, naming where
 * it was written, when it is not in (0, 1]. */
static lk_status fraction_ppm(long long *out, lk_call *call)
{
	double f = lk_call_setting_float(call, "fraction");

	if (!(f > 0.0 && f <= 1.0))
		return lk_call_error(call, LK_ECONFIG,
				     "%s: lifetime.fraction must be greater "
				     "than 0 and at most 1",
				     lk_call_setting_where(call, "fraction"));
	*out = (long long)(f * (double)LIFETIME_PPM + 0.5);
	if (*out < 1)
		*out = 1;
	return LK_OK;
}

/* Due once elapsed >= fraction * life, i.e. at issued_at + ceil(f * life).
 * Without a known issue time the token is renewed when it expires; a
 * token with no expiry is never renewed ahead (a 401 still refreshes). */
static lk_status lifetime_should_refresh(bool *out, lk_call *call, int64_t now)
{
	long long ppm = 0, issued = 0, expires = 0;
	lk_status rc = fraction_ppm(&ppm, call);

	*out = false;
	if (rc != LK_OK)
		return rc;
	if (!seconds_field(&expires, call, "expires_at")) {
		if (lk_call_field(call, "expires_at") &&
		    *lk_call_field(call, "expires_at"))
			lk_call_log(call, LK_LOG_WARN,
				    "lifetime: the connection's expires_at "
				    "is not a number: no refresh ahead of "
				    "expiry");
		return LK_OK;
	}
	if (!seconds_field(&issued, call, "issued_at") || issued < 0 ||
	    issued > expires) {
		*out = now >= expires;
		return LK_OK;
	}
	long long life = expires - issued;
	if (life > LIFETIME_MAX_SECONDS)
		life = LIFETIME_MAX_SECONDS;
	long long elapsed = (long long)now - issued;
	if (elapsed < 0) {
		*out = false; /* issued in our future: the clock went back */
		return LK_OK;
	}
	if (elapsed > LIFETIME_MAX_SECONDS)
		elapsed = LIFETIME_MAX_SECONDS;
	*out = elapsed * LIFETIME_PPM >= ppm * life;
	return LK_OK;
}

/* At bind time, so that check-config names a bad fraction. */
static lk_status lifetime_validate(lk_call *call)
{
	long long ppm;
	return fraction_ppm(&ppm, call);
}

static const struct lk_refresh_ops lifetime_ops = {
    LK_OPS_HEADER(struct lk_refresh_ops),
    .config_keys = lifetime_keys,
    .should_refresh = lifetime_should_refresh,
    .on_response = NULL, /* the scheme already refreshes on a 401 */
    .validate = lifetime_validate,
};

LK_MODULE_EXPORT const struct lk_module latchkey_module = {
    LK_MODULE_HEADER("lifetime", "1.0"),
    .refresh = &lifetime_ops,
};
