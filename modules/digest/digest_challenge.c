/* SPDX-License-Identifier: MIT */
/* digest.so: parse WWW-Authenticate (RFC 7235 section 2.1 and 4.1: several
 * challenges per header, auth-params, quoted strings, token68) and choose
 * the Digest challenge to answer (RFC 7616 sections 3.3 and 3.7). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "digest_challenge.h"

struct param {
	const char *name; /* into the header value, not NUL-terminated */
	size_t name_len;
	char *value; /* unescaped, lk_malloc'd */
};

struct challenge {
	const char *scheme;
	size_t scheme_len;
	struct param params[DIGEST_CHALLENGE_MAX_PARAMS];
	size_t nparams;
};

/* Why no Digest challenge was usable, for the final message. */
struct skipped {
	char why[160];
	size_t nother; /* challenges of other schemes */
	char other[96];
};

static void fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static bool is_tchar(unsigned char c)
{
	/* RFC 7230 section 3.2.6 */
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_token68_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._~+/", c));
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static size_t token_len(const char *p)
{
	size_t n = 0;
	while (is_tchar((unsigned char)p[n]))
		n++;
	return n;
}

static void clear_challenge(struct challenge *c)
{
	for (size_t i = 0; i < c->nparams; i++)
		lk_free(c->params[i].value);
	c->nparams = 0;
}

/* A quoted-string at @p p (on the opening quote), unescaped into a new
 * string; @p end gets the position after the closing quote. */
static lk_status read_quoted(char **out, const char **end, const char *p,
			     const char *start, char *err, size_t errlen)
{
	const char *q = p + 1;
	size_t n = 0;
	char *s;

	*out = NULL;
	/* first pass: validate and measure (RFC 7230 section 3.2.6) */
	for (;; q++) {
		unsigned char c = (unsigned char)*q;
		if (c == '"')
			break;
		if (c == '\\') {
			q++;
			c = (unsigned char)*q;
			if (!c || (c < 0x20 && c != '\t') || c == 0x7f)
				goto bad;
		} else if (!c) {
			fail(err, errlen,
			     "unterminated quoted string at offset %zu",
			     (size_t)(p - start));
			return LK_EPROTO;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			goto bad;
		}
		n++;
	}
	s = lk_malloc(n + 1);
	if (!s)
		return LK_ENOMEM;
	n = 0;
	for (q = p + 1; *q != '"'; q++) {
		if (*q == '\\')
			q++;
		s[n++] = *q;
	}
	s[n] = '\0';
	*out = s;
	*end = q + 1;
	return LK_OK;
bad:
	fail(err, errlen, "control character in a quoted string at offset %zu",
	     (size_t)(q - start));
	return LK_EPROTO;
}

/* Is an auth-param ("name" BWS "=") at @p p, rather than a new challenge
 * or a token68? */
static bool param_ahead(const char *p)
{
	size_t n = token_len(p);
	if (!n)
		return false;
	p = skip_ows(p + n);
	if (*p != '=')
		return false;
	/* "name=" followed by the end or a comma is a token68 ("abc=") */
	while (*p == '=')
		p++;
	p = skip_ows(p);
	return *p && *p != ',';
}

/* One auth-param at @p *pp into @p c; refuses a duplicate name (RFC 7235
 * section 2.1: each parameter name MUST only occur once). */
static lk_status read_param(struct challenge *c, const char **pp,
			    const char *start, char *err, size_t errlen)
{
	const char *p = *pp;
	size_t n = token_len(p);
	struct param *prm;
	lk_status rc;

	for (size_t i = 0; i < c->nparams; i++)
		if (c->params[i].name_len == n &&
		    strncasecmp(c->params[i].name, p, n) == 0) {
			fail(err, errlen,
			     "parameter \"%.*s\" appears twice in a %.*s "
			     "challenge",
			     (int)(n > 40 ? 40 : n), p, (int)c->scheme_len,
			     c->scheme);
			return LK_EPROTO;
		}
	if (c->nparams == DIGEST_CHALLENGE_MAX_PARAMS) {
		fail(err, errlen, "more than %d parameters in one challenge",
		     DIGEST_CHALLENGE_MAX_PARAMS);
		return LK_EPROTO;
	}
	prm = &c->params[c->nparams];
	prm->name = p;
	prm->name_len = n;
	p = skip_ows(skip_ows(p + n) + 1); /* past BWS "=" BWS */
	if (*p == '"') {
		rc = read_quoted(&prm->value, &p, p, start, err, errlen);
		if (rc != LK_OK)
			return rc;
	} else {
		n = token_len(p);
		if (!n) {
			fail(err, errlen,
			     "parameter \"%.*s\" has no value at offset %zu",
			     (int)(prm->name_len > 40 ? 40 : prm->name_len),
			     prm->name, (size_t)(p - start));
			return LK_EPROTO;
		}
		prm->value = lk_malloc(n + 1);
		if (!prm->value)
			return LK_ENOMEM;
		memcpy(prm->value, p, n);
		prm->value[n] = '\0';
		p += n;
	}
	c->nparams++;
	*pp = p;
	return LK_OK;
}

/* After a list element: OWS, then the end or a comma. */
static lk_status list_next(const char **pp, const char *start, char *err,
			   size_t errlen)
{
	const char *p = skip_ows(*pp);

	if (*p && *p != ',') {
		fail(err, errlen, "unexpected character '%c' at offset %zu",
		     (*p >= 0x21 && *p < 0x7f) ? *p : '?', (size_t)(p - start));
		return LK_EPROTO;
	}
	*pp = p;
	return LK_OK;
}

/* Skip list separators: OWS and empty elements (RFC 7230 7, #rule). */
static const char *skip_commas(const char *p)
{
	for (;;) {
		p = skip_ows(p);
		if (*p != ',')
			return p;
		p++;
	}
}

typedef lk_status challenge_fn(void *ud, const struct challenge *c, char *err,
			       size_t errlen);

/* Split one header value into challenges, calling @p fn for each. */
static lk_status parse_value(const char *value, challenge_fn *fn, void *ud,
			     char *err, size_t errlen)
{
	const char *p = value;
	struct challenge c;
	lk_status rc = LK_OK;

	c.nparams = 0;
	if (strlen(value) > DIGEST_CHALLENGE_MAX_VALUE) {
		fail(err, errlen, "header value longer than %d bytes",
		     DIGEST_CHALLENGE_MAX_VALUE);
		return LK_EPROTO;
	}
	for (;;) {
		p = skip_commas(p);
		if (!*p)
			break;
		c.scheme = p;
		c.scheme_len = token_len(p);
		if (!c.scheme_len) {
			fail(err, errlen,
			     "expected an auth-scheme at offset %zu",
			     (size_t)(p - value));
			return LK_EPROTO;
		}
		p += c.scheme_len;
		if (*p == ' ') {
			p = skip_ows(p);
			if (param_ahead(p)) {
				/* #auth-param until the next challenge */
				for (;;) {
					rc = read_param(&c, &p, value, err,
							errlen);
					if (rc == LK_OK)
						rc = list_next(&p, value, err,
							       errlen);
					if (rc != LK_OK)
						goto out;
					/* p stays on the comma when the
					 * next element starts a challenge */
					const char *q = skip_commas(p);
					if (!param_ahead(q))
						break;
					p = q;
				}
			} else if (is_token68_char((unsigned char)*p)) {
				while (is_token68_char((unsigned char)*p))
					p++;
				while (*p == '=')
					p++;
			}
		}
		rc = list_next(&p, value, err, errlen);
		if (rc == LK_OK)
			rc = fn(ud, &c, err, errlen);
		clear_challenge(&c);
		if (rc != LK_OK)
			return rc;
	}
out:
	clear_challenge(&c);
	return rc;
}

static const char *param(const struct challenge *c, const char *name)
{
	size_t n = strlen(name);
	for (size_t i = 0; i < c->nparams; i++)
		if (c->params[i].name_len == n &&
		    strncasecmp(c->params[i].name, name, n) == 0)
			return c->params[i].value;
	return NULL;
}

static const struct {
	const char *name;
	enum digest_algo algo;
	bool sess;
} algos[] = {
    {"MD5", DIGEST_ALGO_MD5, false},
    {"MD5-sess", DIGEST_ALGO_MD5, true},
    {"SHA-256", DIGEST_ALGO_SHA256, false},
    {"SHA-256-sess", DIGEST_ALGO_SHA256, true},
    {"SHA-512-256", DIGEST_ALGO_SHA512_256, false},
    {"SHA-512-256-sess", DIGEST_ALGO_SHA512_256, true},
};

const char *digest_challenge_algo_name(enum digest_algo algo, bool sess)
{
	for (size_t i = 0; i < sizeof algos / sizeof algos[0]; i++)
		if (algos[i].algo == algo && algos[i].sess == sess)
			return algos[i].name;
	return "?";
}

/* The qop list ("auth, auth-int"); unknown values are ignored. */
static void parse_qop(struct digest_challenge *d, const char *qop)
{
	const char *p = qop;
	for (;;) {
		p = skip_commas(p);
		if (!*p)
			return;
		size_t n = token_len(p);
		if (n == 4 && strncasecmp(p, "auth", 4) == 0)
			d->qop_auth = true;
		else if (n == 8 && strncasecmp(p, "auth-int", 8) == 0)
			d->qop_auth_int = true;
		p += n;
		while (*p && *p != ',')
			p++; /* anything else up to the next comma */
	}
}

struct choice {
	struct digest_challenge best;
	bool have;
	bool allow_rfc2069;
	struct skipped skipped;
};

static void note_skip(struct choice *ch, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void note_skip(struct choice *ch, const char *fmt, ...)
{
	va_list ap;

	if (ch->skipped.why[0])
		return; /* the first reason is the one reported */
	va_start(ap, fmt);
	vsnprintf(ch->skipped.why, sizeof ch->skipped.why, fmt, ap);
	va_end(ap);
}

static lk_status consider(void *ud, const struct challenge *c, char *err,
			  size_t errlen)
{
	struct choice *ch = ud;
	struct digest_challenge d;
	const char *v;
	size_t i;

	if (c->scheme_len != 6 || strncasecmp(c->scheme, "Digest", 6) != 0) {
		size_t used = strlen(ch->skipped.other);
		if (ch->skipped.nother++ < 4 &&
		    used + c->scheme_len + 3 < sizeof ch->skipped.other)
			snprintf(ch->skipped.other + used,
				 sizeof ch->skipped.other - used, "%s%.*s",
				 used ? ", " : "", (int)c->scheme_len,
				 c->scheme);
		return LK_OK;
	}
	memset(&d, 0, sizeof d);
	if (!param(c, "realm") || !param(c, "nonce")) {
		fail(err, errlen, "a Digest challenge without %s",
		     param(c, "realm") ? "nonce" : "realm");
		return LK_EPROTO;
	}
	v = param(c, "algorithm");
	if (!v)
		v = "MD5"; /* RFC 7616 section 3.3: the default */
	for (i = 0; i < sizeof algos / sizeof algos[0]; i++)
		if (strcasecmp(v, algos[i].name) == 0)
			break;
	if (i == sizeof algos / sizeof algos[0]) {
		note_skip(ch, "unsupported algorithm \"%.40s\"", v);
		return LK_OK;
	}
	d.algo = algos[i].algo;
	d.sess = algos[i].sess;
	v = param(c, "qop");
	if (v) {
		parse_qop(&d, v);
		if (!d.qop_auth && !d.qop_auth_int) {
			note_skip(ch, "no supported qop (auth, auth-int)");
			return LK_OK;
		}
	} else if (!ch->allow_rfc2069) {
		/* RFC 2069 has no nc or cnonce: replayable, a downgrade */
		note_skip(ch, "a challenge without qop (RFC 2069), refused "
			      "unless the app sets digest = { allow_rfc2069 "
			      "= true; }");
		return LK_OK;
	} else if (d.sess) {
		note_skip(ch, "%s without qop (no cnonce to use)",
			  algos[i].name);
		return LK_OK;
	}
	if (ch->have && ch->best.algo >= d.algo)
		return LK_OK; /* an earlier one is as strong */
	v = param(c, "stale");
	d.stale = v && strcasecmp(v, "true") == 0;
	v = param(c, "userhash");
	d.userhash = v && strcasecmp(v, "true") == 0;
	d.realm = lk_strdup(param(c, "realm"));
	d.nonce = lk_strdup(param(c, "nonce"));
	d.opaque = param(c, "opaque") ? lk_strdup(param(c, "opaque")) : NULL;
	if (!d.realm || !d.nonce || (param(c, "opaque") && !d.opaque)) {
		digest_challenge_clear(&d);
		return LK_ENOMEM;
	}
	digest_challenge_clear(&ch->best);
	ch->best = d;
	ch->have = true;
	return LK_OK;
}

lk_status digest_challenge_parse(struct digest_challenge *out,
				 const char *const *values, size_t nvalues,
				 bool allow_rfc2069, char *err, size_t errlen)
{
	struct choice ch;
	lk_status rc = LK_OK;

	memset(out, 0, sizeof *out);
	memset(&ch, 0, sizeof ch);
	ch.allow_rfc2069 = allow_rfc2069;
	if (err && errlen)
		err[0] = '\0';
	for (size_t i = 0; i < nvalues && rc == LK_OK; i++)
		rc = parse_value(values[i] ? values[i] : "", consider, &ch, err,
				 errlen);
	if (rc != LK_OK) {
		digest_challenge_clear(&ch.best);
		return rc;
	}
	if (!ch.have) {
		if (ch.skipped.why[0])
			fail(err, errlen, "no usable Digest challenge: %s",
			     ch.skipped.why);
		else if (ch.skipped.nother)
			fail(err, errlen,
			     "no Digest challenge (the server offers %s)",
			     ch.skipped.other);
		else
			fail(err, errlen, "no challenge in WWW-Authenticate");
		return LK_EAUTH;
	}
	*out = ch.best;
	return LK_OK;
}

struct info {
	char *nextnonce;
};

static lk_status take_nextnonce(void *ud, const struct challenge *c, char *err,
				size_t errlen)
{
	struct info *in = ud;
	const char *v = param(c, "nextnonce");

	(void)err;
	(void)errlen;
	if (!v || in->nextnonce)
		return LK_OK;
	in->nextnonce = lk_strdup(v);
	return in->nextnonce ? LK_OK : LK_ENOMEM;
}

lk_status digest_challenge_nextnonce(char **out_nextnonce, const char *value,
				     char *err, size_t errlen)
{
	struct info in = {NULL};
	char *text = NULL;
	size_t n = strlen(value);
	lk_status rc;

	*out_nextnonce = NULL;
	/* Authentication-Info is a bare #auth-param list: parse it as the
	 * params of a challenge with a made-up scheme. */
	text = lk_malloc(n + 3);
	if (!text)
		return LK_ENOMEM;
	memcpy(text, "x ", 2);
	memcpy(text + 2, value, n + 1);
	rc = parse_value(text, take_nextnonce, &in, err, errlen);
	lk_free(text);
	if (rc != LK_OK) {
		lk_free(in.nextnonce);
		return rc;
	}
	*out_nextnonce = in.nextnonce;
	return LK_OK;
}

void digest_challenge_clear(struct digest_challenge *c)
{
	if (!c)
		return;
	lk_free(c->realm);
	lk_free(c->nonce);
	lk_free(c->opaque);
	memset(c, 0, sizeof *c);
}
