/* SPDX-License-Identifier: MIT */
/*
 * Token and test responses: JSON (RFC 8259; RFC 6749 section 5.1), XML
 * with any root element (libxml2, no network, no DTD, no entities) and
 * application/x-www-form-urlencoded (as GitHub answers by default),
 * chosen by Content-Type or sniffed, size- depth- and key-capped, into
 * flat dotted fields or a JSON object.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>

#include "error.h"
#include "token_response.h"

#define MAX_DEPTH 32
#define MAX_KEYS 1000

enum fmt { FMT_JSON, FMT_XML, FMT_FORM };
static const char *const fmt_name[] = {"JSON", "XML", "form"};

#define PFX "token response: "

static bool is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The media type alone: parameters (charset...) are ignored. */
static bool media_is(const char *ct, const char *type)
{
	while (*ct == ' ' || *ct == '\t')
		ct++;
	size_t n = strcspn(ct, ";");
	while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
		n--;
	size_t tl = strlen(type);
	if (type[0] == '+') /* a structured syntax suffix, RFC 6838 4.2.8 */
		return n > tl && strncasecmp(ct + n - tl, type, tl) == 0 &&
		       memchr(ct, '/', n) != NULL;
	return n == tl && strncasecmp(ct, type, tl) == 0;
}

static size_t skip_lead(const char *body, size_t len)
{
	size_t i = 0;
	if (len >= 3 && memcmp(body, "\xEF\xBB\xBF", 3) == 0)
		i = 3; /* a UTF-8 byte order mark */
	while (i < len && is_ws((unsigned char)body[i]))
		i++;
	return i;
}

static enum fmt choose(const char *ct, const char *body, size_t len)
{
	if (ct) {
		if (media_is(ct, "application/json") ||
		    media_is(ct, "text/json") || media_is(ct, "+json"))
			return FMT_JSON;
		if (media_is(ct, "application/xml") ||
		    media_is(ct, "text/xml") || media_is(ct, "+xml"))
			return FMT_XML;
		if (media_is(ct, "application/x-www-form-urlencoded"))
			return FMT_FORM;
	}
	/* No or another type (text/plain, text/html...): sniff. */
	size_t i = skip_lead(body, len);
	if (i < len && (body[i] == '{' || body[i] == '['))
		return FMT_JSON;
	if (i < len && body[i] == '<')
		return FMT_XML;
	return FMT_FORM;
}

static void json_wipe(cJSON *n)
{
	if (n->valuestring)
		OPENSSL_cleanse(n->valuestring, strlen(n->valuestring));
	for (cJSON *c = n->child; c; c = c->next)
		json_wipe(c);
}

/* Wipe every string of a tree (it holds tokens), then free it. */
static void json_wipe_delete(cJSON *node)
{
	if (!node)
		return;
	json_wipe(node);
	cJSON_Delete(node);
}

/* ------------------------------------------------------------------ JSON */

/* Nesting depth before cJSON recurses, so a deep document gets the
 * depth message and never deep recursion; and no NUL byte. */
static lk_status json_depth(const lk_ctx *ctx, const char *s, size_t from,
			    size_t len)
{
	int depth = 0;
	bool in_str = false;
	/* a C string could not carry it (checked apart from the scan
	 * below, which steps over escaped bytes) */
	const char *nul = memchr(s + from, '\0', len - from);
	if (nul)
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "JSON: a NUL byte at offset %zu",
				     (size_t)(nul - s));
	for (size_t i = from; i < len; i++) {
		char c = s[i];
		if (in_str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '{' || c == '[') {
			if (++depth > MAX_DEPTH)
				return lk_error__set(ctx, LK_EPROTO,
						     PFX "JSON: nested deeper "
							 "than %d levels at "
							 "offset %zu",
						     MAX_DEPTH, i);
		} else if (c == '}' || c == ']') {
			depth--;
		}
	}
	return LK_OK;
}

static lk_status parse_json(cJSON **out, const lk_ctx *ctx, const char *body,
			    size_t len)
{
	const char *end = NULL;
	size_t i = skip_lead(body, len);
	lk_status rc = json_depth(ctx, body, i, len);

	*out = NULL;
	if (rc != LK_OK)
		return rc;
	cJSON *root = cJSON_ParseWithLengthOpts(body + i, len - i, &end, false);
	if (!root) {
		size_t off = end ? (size_t)(end - body) : i;
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "JSON: malformed at offset %zu", off);
	}
	size_t j = (size_t)(end - body);
	while (j < len && is_ws((unsigned char)body[j]))
		j++;
	if (j < len) {
		json_wipe_delete(root);
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "JSON: unexpected data after the "
					 "document at offset %zu",
				     j);
	}
	if (!cJSON_IsObject(root) && !cJSON_IsArray(root)) {
		json_wipe_delete(root);
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "JSON: the document is not an object "
					 "or an array");
	}
	*out = root;
	return LK_OK;
}

/* ------------------------------------------------------------------- XML */

static pthread_once_t xml_once = PTHREAD_ONCE_INIT;

static void xml_init(void)
{
	/* Thread-safe from here on (libxml2 >= 2.9); ctx.c does not. */
	xmlInitParser();
}

/* A DOCTYPE is refused before its internal subset is even read: no
 * entity is ever declared, so none can expand (billion laughs) or load
 * a file (XXE). */
static void refuse_doctype(void *uctx, const xmlChar *name,
			   const xmlChar *ext_id, const xmlChar *sys_id)
{
	xmlParserCtxtPtr pc = uctx;
	(void)name;
	(void)ext_id;
	(void)sys_id;
	*(bool *)pc->_private = true;
	xmlStopParser(pc);
}

/* Per-parse error sink: nothing reaches stderr or a host's handler. */
static void quiet_error(void *uctx, xmlErrorPtr err)
{
	(void)uctx;
	(void)err;
}

static void quiet_generic(void *uctx, const char *msg, ...)
{
	(void)uctx;
	(void)msg;
}

static void xml_wipe(xmlDocPtr doc, xmlNodePtr n)
{
	for (; n; n = n->next) {
		if ((n->type == XML_TEXT_NODE ||
		     n->type == XML_CDATA_SECTION_NODE) &&
		    n->content &&
		    !(doc->dict && xmlDictOwns(doc->dict, n->content)))
			OPENSSL_cleanse(n->content, strlen((char *)n->content));
		if (n->type == XML_ELEMENT_NODE)
			xml_wipe(doc, n->children);
	}
}

static bool has_element_child(xmlNodePtr n)
{
	for (xmlNodePtr c = n->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

static cJSON *xml_leaf(xmlNodePtr n)
{
	xmlChar *t = xmlNodeGetContent(n);
	const char *s = t ? (const char *)t : "";
	size_t a = 0, b = strlen(s);
	/* pretty-printed leaves: surrounding whitespace is layout */
	while (a < b && is_ws((unsigned char)s[a]))
		a++;
	while (b > a && is_ws((unsigned char)s[b - 1]))
		b--;
	char *v = lk_malloc(b - a + 1);
	cJSON *item = NULL;
	if (v) {
		memcpy(v, s + a, b - a);
		v[b - a] = '\0';
		item = cJSON_CreateString(v);
		lk_secret_free(v, b - a + 1);
	}
	if (t) {
		OPENSSL_cleanse(t, strlen((char *)t));
		xmlFree(t);
	}
	return item;
}

/* An element with element children as an object; a name repeated among
 * siblings becomes an array. */
static lk_status xml_object(cJSON **out, const lk_ctx *ctx, xmlNodePtr n,
			    int depth, size_t *keys)
{
	cJSON *obj = NULL;

	*out = NULL;
	if (depth > MAX_DEPTH)
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "XML: nested deeper than %d levels at "
					 "line %ld",
				     MAX_DEPTH, xmlGetLineNo(n));
	obj = cJSON_CreateObject();
	if (!obj)
		return LK_ENOMEM;
	for (xmlNodePtr c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		cJSON *item = NULL;
		lk_status rc = LK_OK;
		if (has_element_child(c)) {
			rc = xml_object(&item, ctx, c, depth + 1, keys);
		} else if (++*keys > MAX_KEYS) {
			rc = lk_error__set(ctx, LK_EPROTO,
					   PFX "XML: more than %d keys",
					   MAX_KEYS);
		} else {
			item = xml_leaf(c);
			rc = item ? LK_OK : LK_ENOMEM;
		}
		if (rc != LK_OK) {
			json_wipe_delete(obj);
			return rc;
		}
		const char *name = (const char *)c->name;
		cJSON *prev = cJSON_GetObjectItemCaseSensitive(obj, name);
		bool ok;
		if (!prev) {
			ok = cJSON_AddItemToObject(obj, name, item);
		} else if (cJSON_IsArray(prev)) {
			ok = cJSON_AddItemToArray(prev, item);
		} else {
			cJSON *arr = cJSON_CreateArray();
			cJSON_DetachItemViaPointer(obj, prev);
			ok = arr && cJSON_AddItemToArray(arr, prev);
			if (!ok)
				json_wipe_delete(prev);
			ok = ok && cJSON_AddItemToArray(arr, item);
			if (arr && !cJSON_AddItemToObject(obj, name, arr)) {
				json_wipe_delete(arr);
				ok = false;
			}
		}
		if (!ok) {
			json_wipe_delete(item);
			json_wipe_delete(obj);
			return LK_ENOMEM;
		}
	}
	*out = obj;
	return LK_OK;
}

static lk_status parse_xml(cJSON **out, const lk_ctx *ctx, const char *body,
			   size_t len)
{
	xmlParserCtxtPtr pc = NULL;
	xmlDocPtr doc = NULL;
	bool doctype = false;
	lk_status rc = LK_OK;

	*out = NULL;
	pthread_once(&xml_once, xml_init);
	/* Some errors (encoding) bypass the parser's own handler and go to
	 * the thread's generic one, stderr by default: silence it for this
	 * parse only and restore whatever the host had. */
	xmlGenericErrorFunc old_gen = xmlGenericError;
	void *old_gen_ctx = xmlGenericErrorContext;
	xmlStructuredErrorFunc old_st = xmlStructuredError;
	void *old_st_ctx = xmlStructuredErrorContext;
	xmlSetGenericErrorFunc(NULL, quiet_generic);
	xmlSetStructuredErrorFunc(NULL, NULL);
	pc = xmlCreateMemoryParserCtxt(body, (int)len);
	if (!pc) {
		rc = lk_error__set(ctx, LK_EPROTO,
				   PFX "XML: the document is empty");
		goto out;
	}
	/* NONET, and neither NOENT nor DTDLOAD: no entity substitution,
	 * no external DTD. */
	xmlCtxtUseOptions(pc, XML_PARSE_NONET | XML_PARSE_NOBLANKS |
				  XML_PARSE_NOCDATA | XML_PARSE_NOERROR |
				  XML_PARSE_NOWARNING);
	pc->_private = &doctype;
	pc->sax->internalSubset = refuse_doctype;
	pc->sax->externalSubset = NULL;
	pc->sax->entityDecl = NULL;
	pc->sax->serror = quiet_error;
	xmlParseDocument(pc);
	doc = pc->myDoc;
	pc->myDoc = NULL;
	if (doctype || (doc && (doc->intSubset || doc->extSubset))) {
		rc = lk_error__set(ctx, LK_EPROTO,
				   PFX "XML: a DOCTYPE is refused (no DTD, no "
				       "entity declarations)");
		goto out;
	}
	if (!pc->wellFormed || !doc) {
		const xmlError *e = xmlCtxtGetLastError(pc);
		/* Line and column only: libxml2's text may quote content. */
		rc = lk_error__set(ctx, LK_EPROTO,
				   PFX "XML: malformed at line %d, column %d",
				   e ? e->line : 0, e ? e->int2 : 0);
		goto out;
	}
	xmlNodePtr root = xmlDocGetRootElement(doc);
	if (!root) {
		rc = lk_error__set(ctx, LK_EPROTO, PFX "XML: no root element");
		goto out;
	}
	if (has_element_child(root)) {
		size_t keys = 0;
		rc = xml_object(out, ctx, root, 1, &keys);
	} else {
		/* <token>abc</token>: the root itself is the one key */
		cJSON *obj = cJSON_CreateObject();
		cJSON *leaf = xml_leaf(root);
		if (!obj || !leaf ||
		    !cJSON_AddItemToObject(obj, (const char *)root->name,
					   leaf)) {
			json_wipe_delete(leaf);
			json_wipe_delete(obj);
			rc = LK_ENOMEM;
		} else {
			*out = obj;
		}
	}
out:
	if (doc) {
		xml_wipe(doc, doc->children);
		xmlFreeDoc(doc);
	}
	if (pc)
		xmlFreeParserCtxt(pc);
	xmlSetGenericErrorFunc(old_gen_ctx, old_gen);
	xmlSetStructuredErrorFunc(old_st_ctx, old_st);
	return rc;
}

/* ------------------------------------------------------------------ form */

/* One key or value: '+' is a space, then percent-decoding (WHATWG
 * application/x-www-form-urlencoded). */
static lk_status form_decode(char **out, const lk_ctx *ctx, const char *s,
			     size_t n, size_t off)
{
	char *tmp = lk_malloc(n + 1);
	char *dec = NULL;
	int dl = 0;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!tmp)
		return LK_ENOMEM;
	for (size_t i = 0; i < n; i++)
		tmp[i] = s[i] == '+' ? ' ' : s[i];
	tmp[n] = '\0';
	dec = curl_easy_unescape(NULL, tmp, (int)n, &dl);
	if (!dec) {
		rc = LK_ENOMEM;
	} else if (memchr(dec, '\0', (size_t)dl)) {
		rc = lk_error__set(ctx, LK_EPROTO,
				   PFX "form: a NUL byte (%%00) at offset %zu",
				   off);
	} else {
		*out = lk_strdup(dec);
		rc = *out ? LK_OK : LK_ENOMEM;
	}
	if (dec) {
		OPENSSL_cleanse(dec, (size_t)dl);
		curl_free(dec);
	}
	lk_secret_free(tmp, n + 1);
	return rc;
}

static lk_status parse_form(cJSON **out, const lk_ctx *ctx, const char *body,
			    size_t len)
{
	cJSON *obj = cJSON_CreateObject();
	char *key = NULL;
	char *val = NULL;
	lk_status rc = LK_OK;
	size_t i = skip_lead(body, len);
	size_t end = len;

	*out = NULL;
	if (!obj)
		return LK_ENOMEM;
	while (end > i && is_ws((unsigned char)body[end - 1]))
		end--; /* a trailing newline from a text/plain answer */
	for (size_t k = i; k < end; k++) {
		unsigned char c = (unsigned char)body[k];
		if (c < 0x21 || c == 0x7f) {
			rc = lk_error__set(ctx, LK_EPROTO,
					   PFX "form: unexpected character "
					       "(byte 0x%02x) at offset %zu",
					   c, k);
			goto out;
		}
	}
	while (i < end) {
		/* the body need not be NUL-terminated: bounded search */
		const char *amp = memchr(body + i, '&', end - i);
		size_t pl = amp ? (size_t)(amp - (body + i)) : end - i;
		if (pl == 0) { /* "a=1&&b=2" */
			i++;
			continue;
		}
		const char *pair = body + i;
		const char *eq = memchr(pair, '=', pl);
		size_t kl = eq ? (size_t)(eq - pair) : pl;
		if (kl == 0) {
			rc = lk_error__set(ctx, LK_EPROTO,
					   PFX "form: empty key at offset %zu",
					   i);
			goto out;
		}
		rc = form_decode(&key, ctx, pair, kl, i);
		if (rc == LK_OK)
			rc = eq ? form_decode(&val, ctx, eq + 1, pl - kl - 1,
					      i + kl + 1)
				: ((val = lk_strdup("")) ? LK_OK : LK_ENOMEM);
		if (rc != LK_OK)
			goto out;
		if (!*key) {
			rc = lk_error__set(ctx, LK_EPROTO,
					   PFX "form: empty key at offset %zu",
					   i);
			goto out;
		}
		cJSON *item = cJSON_CreateString(val);
		if (!item) {
			rc = LK_ENOMEM;
			goto out;
		}
		/* A repeated key: the last one wins. */
		bool ok =
		    cJSON_GetObjectItemCaseSensitive(obj, key)
			? cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item)
			: cJSON_AddItemToObject(obj, key, item);
		if (!ok) {
			json_wipe_delete(item);
			rc = LK_ENOMEM;
			goto out;
		}
		if (cJSON_GetArraySize(obj) > MAX_KEYS) {
			rc = lk_error__set(ctx, LK_EPROTO,
					   PFX "form: more than %d keys",
					   MAX_KEYS);
			goto out;
		}
		lk_free(key);
		key = NULL;
		lk_str_wipe_free(val);
		val = NULL;
		i += pl + 1;
	}
out:
	lk_free(key);
	lk_str_wipe_free(val);
	if (rc == LK_OK)
		*out = obj;
	else
		json_wipe_delete(obj);
	return rc;
}

/* --------------------------------------------------------------- common */

/* Keys and depth of the tree as JSON: for XML, repeated names became
 * arrays, one more level each. */
static lk_status count_keys(const lk_ctx *ctx, enum fmt f, const cJSON *n,
			    int depth, size_t *keys)
{
	if (depth > MAX_DEPTH)
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "%s: nested deeper than %d levels",
				     fmt_name[f], MAX_DEPTH);
	for (const cJSON *c = n->child; c; c = c->next) {
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			lk_status rc = count_keys(ctx, f, c, depth + 1, keys);
			if (rc != LK_OK)
				return rc;
		} else if (!cJSON_IsNull(c) && ++*keys > MAX_KEYS) {
			return lk_error__set(ctx, LK_EPROTO,
					     PFX "%s: more than %d keys",
					     fmt_name[f], MAX_KEYS);
		}
	}
	return LK_OK;
}

/* The document as a JSON tree (object or array), caps checked. */
static lk_status to_tree(cJSON **out, enum fmt *fout, const lk_ctx *ctx,
			 const char *content_type, const char *body, size_t len)
{
	size_t keys = 0;
	lk_status rc;

	*out = NULL;
	if (!body)
		len = 0;
	if (len > LK_TOKEN_RESPONSE_MAX)
		return lk_error__set(ctx, LK_EPROTO,
				     PFX "too large (%zu bytes, at most %d)",
				     len, LK_TOKEN_RESPONSE_MAX);
	enum fmt f = choose(content_type, body ? body : "", len);
	*fout = f;
	if (f == FMT_JSON)
		rc = parse_json(out, ctx, body ? body : "", len);
	else if (f == FMT_XML)
		rc = parse_xml(out, ctx, body ? body : "", len);
	else
		rc = parse_form(out, ctx, body ? body : "", len);
	if (rc == LK_OK)
		rc = count_keys(ctx, f, *out, 1, &keys);
	if (rc != LK_OK) {
		json_wipe_delete(*out);
		*out = NULL;
	}
	return rc;
}

/* Token responses hold credentials under names like these; flagged
 * secret so they are wiped and never shown. */
static bool key_is_secret(const char *key)
{
	static const char *const words[] = {
	    "token",	 "secret",  "password",	 "passwd", "key",
	    "signature", "session", "assertion", "cookie",
	};
	char low[128];
	const char *last = strrchr(key, '.');
	last = last ? last + 1 : key;
	/* "a.token.0": an array item is named by its parent */
	if (isdigit((unsigned char)*last) && last != key) {
		const char *p = last - 1;
		while (p > key && p[-1] != '.')
			p--;
		last = p;
	}
	size_t n = strcspn(last, ".");
	if (n >= sizeof low)
		n = sizeof low - 1;
	for (size_t i = 0; i < n; i++)
		low[i] = (char)tolower((unsigned char)last[i]);
	low[n] = '\0';
	if (strstr(low, "_type") || strstr(low, "expire"))
		return false; /* token_type, expires_in: not credentials */
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strstr(low, words[i]))
			return true;
	return false;
}

static lk_status flatten(lk_fields *f, const cJSON *n, const char *prefix)
{
	size_t idx = 0;
	for (const cJSON *c = n->child; c; c = c->next, idx++) {
		char *key = NULL;
		char num[24];
		const char *name = c->string;
		if (cJSON_IsArray(n)) {
			snprintf(num, sizeof num, "%zu", idx);
			name = num;
		}
		if (!name)
			continue;
		key = *prefix ? lk_strdupf("%s.%s", prefix, name)
			      : lk_strdup(name);
		if (!key)
			return LK_ENOMEM;
		lk_status rc = LK_OK;
		if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
			rc = flatten(f, c, key);
		} else if (cJSON_IsString(c)) {
			rc = lk_fields_set(f, key, c->valuestring,
					   key_is_secret(key));
		} else if (cJSON_IsBool(c)) {
			rc = lk_fields_set(
			    f, key, cJSON_IsTrue(c) ? "true" : "false", false);
		} else if (cJSON_IsNumber(c)) {
			char *s = cJSON_PrintUnformatted(c);
			rc = s ? lk_fields_set(f, key, s, key_is_secret(key))
			       : LK_ENOMEM;
			cJSON_free(s);
		} /* null: the key is absent */
		lk_free(key);
		if (rc != LK_OK)
			return rc;
	}
	return LK_OK;
}

lk_status lk_token_response__parse(lk_fields **out, const lk_ctx *ctx,
				   const char *content_type, const char *body,
				   size_t len)
{
	cJSON *tree = NULL;
	lk_fields *f = NULL;
	enum fmt fm;

	*out = NULL;
	lk_status rc = to_tree(&tree, &fm, ctx, content_type, body, len);
	if (rc == LK_OK)
		rc = lk_fields_new(&f);
	if (rc == LK_OK)
		rc = flatten(f, tree, "");
	json_wipe_delete(tree);
	if (rc != LK_OK) {
		lk_fields_free(f);
		return rc;
	}
	*out = f;
	return LK_OK;
}

lk_status lk_token_response__to_json(char **out, const lk_ctx *ctx,
				     const char *content_type, const char *body,
				     size_t len)
{
	cJSON *tree = NULL;
	enum fmt fm;

	*out = NULL;
	lk_status rc = to_tree(&tree, &fm, ctx, content_type, body, len);
	if (rc != LK_OK)
		return rc;
	if (fm == FMT_JSON) {
		/* kept as it came (numbers keep their digits), trimmed */
		size_t a = skip_lead(body, len), b = len;
		while (b > a && is_ws((unsigned char)body[b - 1]))
			b--;
		*out = lk_malloc(b - a + 1);
		if (*out) {
			memcpy(*out, body + a, b - a);
			(*out)[b - a] = '\0';
		}
	} else {
		char *s = cJSON_PrintUnformatted(tree);
		*out = s ? lk_strdup(s) : NULL;
		if (s) {
			OPENSSL_cleanse(s, strlen(s));
			cJSON_free(s);
		}
	}
	json_wipe_delete(tree);
	return *out ? LK_OK : LK_ENOMEM;
}
