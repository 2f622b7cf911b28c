/* SPDX-License-Identifier: MIT */
/*
 * The embedded connection store: one AES-256-GCM sealed file per
 * connection under store.path, atomic replace (temporary file, fsync,
 * rename, fsync of the folder), flock-based locks.
 *
 *   <path>/o/<owner as hex>/<app>/<id>.lk     a connection
 *   <path>/o/<owner as hex>/<app>/.next       next number (never reused)
 *   <path>/o/<owner as hex>/<app>/.lock       numbering lock
 *   <path>/o/<owner as hex>/.locks/<id>       a connection's lock
 *   <path>/flows/<id>.lk, <path>/flows/.lock  pending flows
 *
 * A file is "LKS1" | 12-byte nonce | ciphertext | 16-byte tag; the
 * associated data is "latchkey-store-1\0owner\0app\0id" (flows:
 * "latchkey-flow-1\0owner\0id") so a record moved elsewhere does not open.
 * Names starting with '.' are the store's own (locks, counters,
 * temporary files) and are never records.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "conn.h"
#include "error.h"
#include "store.h"

#define KEY_LEN 32
#define NONCE_LEN 12
#define TAG_LEN 16
#define MAGIC "LKS1"
#define MAGIC_LEN 4
#define MAX_RECORD (16u * 1024u * 1024u) /* refuse absurd files */
#define MAX_OWNER 120 /* hex doubles it: stays under NAME_MAX */

struct lk_store {
	const lk_ctx *ctx;
	char *path;
	unsigned char key[KEY_LEN];
};

struct lk_store_lock {
	int fd;
};

bool lk_store__id_ok(const char *id)
{
	size_t n = 0;

	if (!id)
		return false;
	for (; id[n]; n++) {
		char c = id[n];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '-'))
			return false;
		if (n >= 64)
			return false;
	}
	return n >= 16;
}

/* App ids as config allows them ([a-z0-9_]+): safe as a folder name. */
static bool app_ok(const char *app)
{
	size_t n = 0;

	if (!app)
		return false;
	for (; app[n]; n++) {
		char c = app[n];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_') ||
		    n >= 128)
			return false;
	}
	return n > 0;
}

/* The owner's folder: owners are encoded, never used raw as a path. */
static lk_status owner_dir(char **out, const lk_store *st, const char *owner)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = owner ? strlen(owner) : 0;

	*out = NULL;
	if (n == 0 || n > MAX_OWNER)
		return lk_error__set(st->ctx, LK_EINVAL,
				     "owner must be 1 to %d bytes long",
				     MAX_OWNER);
	char *h = lk_malloc(2 * n + 1);
	if (!h)
		return LK_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		h[2 * i] = hex[(unsigned char)owner[i] >> 4];
		h[2 * i + 1] = hex[(unsigned char)owner[i] & 15];
	}
	h[2 * n] = '\0';
	*out = lk_strdupf("%s/o/%s", st->path, h);
	lk_free(h);
	return *out ? LK_OK : LK_ENOMEM;
}

static lk_status bad_id(const lk_store *st, const char *what)
{
	return lk_error__set(st->ctx, LK_EINVAL,
			     "%s id is not valid: expected 16 to 64 of "
			     "A-Z a-z 0-9 _ -",
			     what);
}

/* mkdir -p, new folders 0700. */
static int mkdirs(const char *path)
{
	char *p = lk_strdup(path);
	int rc = 0;

	if (!p)
		return ENOMEM;
	for (char *s = p + 1; rc == 0; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) != 0 && errno != EEXIST)
			rc = errno;
		*s = c;
		if (!c)
			break;
	}
	lk_free(p);
	return rc;
}

static lk_status mkdirs_or_fail(const lk_store *st, const char *path)
{
	int e = mkdirs(path);

	if (e == ENOMEM)
		return LK_ENOMEM;
	if (e)
		return lk_error__set(st->ctx, LK_ESTORE,
				     "store: cannot create folder %s: %s", path,
				     strerror(e));
	return LK_OK;
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

static int write_all(int fd, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Write @p data to @p dir/@p name through a temporary file in the same
 * folder: fsync, then rename (replace) or, with @p excl, link (fails with
 * EEXIST when the name is taken), then fsync the folder. Returns an errno.
 */
static int write_atomic(const char *dir, const char *name, const void *data,
			size_t len, bool excl)
{
	char *tmp = lk_strdupf("%s/.tmp-XXXXXX", dir);
	char *dst = lk_strdupf("%s/%s", dir, name);
	int e = 0;

	if (!tmp || !dst) {
		e = ENOMEM;
		goto out;
	}
	int fd = mkstemp(tmp); /* 0600, O_EXCL */
	if (fd < 0) {
		e = errno;
		goto out;
	}
	e = write_all(fd, data, len);
	if (!e && fsync(fd) != 0)
		e = errno;
	if (close(fd) != 0 && !e)
		e = errno;
	if (!e) {
		if (excl) {
			if (link(tmp, dst) != 0)
				e = errno;
			unlink(tmp);
		} else if (rename(tmp, dst) != 0) {
			e = errno;
		}
	}
	if (e)
		unlink(tmp);
	else
		fsync_dir(dir);
out:
	lk_free(tmp);
	lk_free(dst);
	return e;
}

/* Read a whole regular file (at most MAX_RECORD bytes), and its mode
 * into @p mode when not NULL. Returns an errno. */
static int read_all_mode(const char *path, unsigned char **out, size_t *out_len,
			 bool follow, mode_t *mode)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW));
	struct stat sb;
	int e = 0;

	*out = NULL;
	*out_len = 0;
	if (fd < 0)
		return errno;
	if (fstat(fd, &sb) != 0) {
		e = errno;
	} else if (!S_ISREG(sb.st_mode) || sb.st_size > MAX_RECORD) {
		e = EFBIG;
	}
	size_t cap = e ? 0 : (size_t)sb.st_size;
	unsigned char *buf = e ? NULL : lk_malloc(cap + 1);
	size_t len = 0;
	if (!e && !buf)
		e = ENOMEM;
	while (!e) {
		ssize_t n = read(fd, buf + len, cap + 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			e = errno;
		else if (n == 0)
			break;
		else if ((len += (size_t)n) > cap)
			e = EFBIG; /* grew while read: not ours */
	}
	close(fd);
	if (e) {
		lk_free(buf);
		return e;
	}
	if (mode)
		*mode = sb.st_mode;
	*out = buf;
	*out_len = len;
	return 0;
}

static int read_all(const char *path, unsigned char **out, size_t *out_len)
{
	return read_all_mode(path, out, out_len, false, NULL);
}

/* Remove what a killed writer left: temporary files older than an hour
 * (a live writer's is seconds old), and with @p all, any file that old
 * (flows expire after minutes). */
static void sweep(const char *dir, bool all)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct stat sb;
	time_t old = time(NULL) - 3600;

	while (d && (de = readdir(d))) {
		if (strncmp(de->d_name, ".tmp-", 5) != 0 &&
		    (!all || de->d_name[0] == '.'))
			continue;
		if (fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ==
			0 &&
		    S_ISREG(sb.st_mode) && sb.st_mtime < old)
			unlinkat(dirfd(d), de->d_name, 0);
	}
	if (d)
		closedir(d);
}

/* "latchkey-store-1\0owner\0app\0id" (app NULL: the flow form). */
static unsigned char *make_ad(size_t *len, const char *owner, const char *app,
			      const char *id)
{
	const char *head = app ? "latchkey-store-1" : "latchkey-flow-1";
	size_t hl = strlen(head) + 1, ol = strlen(owner) + 1,
	       al = app ? strlen(app) + 1 : 0, il = strlen(id);
	unsigned char *ad = lk_malloc(hl + ol + al + il);

	if (!ad)
		return NULL;
	memcpy(ad, head, hl);
	memcpy(ad + hl, owner, ol);
	if (app)
		memcpy(ad + hl + ol, app, al);
	memcpy(ad + hl + ol + al, id, il);
	*len = hl + ol + al + il;
	return ad;
}

/* Seal @p pt into a record. */
static lk_status seal(unsigned char **out, size_t *out_len, const lk_store *st,
		      const unsigned char *ad, size_t ad_len, const char *pt,
		      size_t pt_len)
{
	size_t len = MAGIC_LEN + NONCE_LEN + pt_len + TAG_LEN;
	unsigned char *rec = lk_malloc(len);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	unsigned char *nonce = rec + MAGIC_LEN;
	unsigned char *ct = nonce + NONCE_LEN;
	int n = 0, fin = 0;
	lk_status rc = LK_ESTORE;

	*out = NULL;
	if (!rec || !c || pt_len > INT32_MAX || ad_len > INT32_MAX) {
		rc = LK_ENOMEM;
		goto out;
	}
	memcpy(rec, MAGIC, MAGIC_LEN);
	/* Straight from OpenSSL, not lk_random_bytes: a test's entropy
	 * hook must never make two records share a nonce. */
	if (RAND_bytes(nonce, NONCE_LEN) != 1)
		goto out;
	if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, st->key, nonce) !=
		1 ||
	    EVP_EncryptUpdate(c, NULL, &n, ad, (int)ad_len) != 1 ||
	    EVP_EncryptUpdate(c, ct, &n, (const unsigned char *)pt,
			      (int)pt_len) != 1 ||
	    EVP_EncryptFinal_ex(c, ct + n, &fin) != 1 ||
	    (size_t)(n + fin) != pt_len ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, TAG_LEN,
				ct + pt_len) != 1)
		goto out;
	*out = rec;
	*out_len = len;
	rec = NULL;
	rc = LK_OK;
out:
	if (rc != LK_OK && rc != LK_ENOMEM)
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "store: encryption failed");
	EVP_CIPHER_CTX_free(c);
	lk_free(rec);
	return rc;
}

/* Open a record; false when it is not one, was modified, or another key
 * or place sealed it. @p out is NUL-terminated; wipe it after use. */
static bool unseal(char **out, size_t *out_len, const lk_store *st,
		   const unsigned char *ad, size_t ad_len,
		   const unsigned char *rec, size_t len)
{
	EVP_CIPHER_CTX *c = NULL;
	char *pt = NULL;
	int n = 0, fin = 0;
	bool ok = false;

	*out = NULL;
	if (len < MAGIC_LEN + NONCE_LEN + TAG_LEN ||
	    memcmp(rec, MAGIC, MAGIC_LEN) != 0)
		return false;
	const unsigned char *nonce = rec + MAGIC_LEN;
	const unsigned char *ct = nonce + NONCE_LEN;
	size_t ct_len = len - MAGIC_LEN - NONCE_LEN - TAG_LEN;
	c = EVP_CIPHER_CTX_new();
	pt = lk_malloc(ct_len + 1);
	if (!c || !pt)
		goto out;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, st->key, nonce) !=
		1 ||
	    EVP_DecryptUpdate(c, NULL, &n, ad, (int)ad_len) != 1 ||
	    EVP_DecryptUpdate(c, (unsigned char *)pt, &n, ct, (int)ct_len) !=
		1 ||
	    EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, TAG_LEN,
				(void *)(ct + ct_len)) != 1 ||
	    EVP_DecryptFinal_ex(c, (unsigned char *)pt + n, &fin) != 1)
		goto out;
	pt[ct_len] = '\0';
	*out = pt;
	*out_len = ct_len;
	pt = NULL;
	ok = true;
out:
	EVP_CIPHER_CTX_free(c);
	if (pt)
		lk_secret_free(pt, ct_len + 1);
	return ok;
}

/* Read the master key, or create it (0600, in a 0700 folder). */
static lk_status load_key(lk_store *st, const char *key_file)
{
	const lk_ctx *ctx = st->ctx;
	unsigned char *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	lk_status rc = LK_OK;

	/* A symbolic link is fine here: the file opened is what is checked. */
	int e = read_all_mode(key_file, &buf, &len, true, &mode);
	if (e == ENOENT) {
		char *dir = lk_strdup(key_file);
		char *slash = dir ? strrchr(dir, '/') : NULL;
		unsigned char key[KEY_LEN];
		if (!dir)
			return LK_ENOMEM;
		const char *name =
		    slash ? key_file + (slash - dir) + 1 : key_file;
		if (slash && slash != dir) {
			*slash = '\0';
		} else {
			lk_free(dir);
			dir = lk_strdup(slash ? "/" : ".");
			if (!dir)
				return LK_ENOMEM;
		}
		rc = mkdirs_or_fail(st, dir);
		if (rc == LK_OK && RAND_priv_bytes(key, KEY_LEN) != 1)
			rc = lk_error__set(ctx, LK_ESTORE,
					   "store: no random bytes for the "
					   "master key");
		/* A complete file appears at once (link), so a concurrent
		 * first use never reads a short key. */
		if (rc == LK_OK) {
			e = write_atomic(dir, name, key, KEY_LEN, true);
			if (e && e != EEXIST)
				rc = lk_error__set(ctx, LK_ESTORE,
						   "store: cannot create key "
						   "file %s: %s",
						   key_file, strerror(e));
		}
		OPENSSL_cleanse(key, sizeof key);
		lk_free(dir);
		if (rc != LK_OK)
			return rc;
		e = read_all_mode(key_file, &buf, &len, true, &mode);
	}
	if (e == EFBIG)
		return lk_error__set(ctx, LK_ESTORE,
				     "store: key file %s is not a regular "
				     "file of %d bytes",
				     key_file, KEY_LEN);
	if (e)
		return lk_error__set(ctx, LK_ESTORE,
				     "store: cannot read key file %s: %s",
				     key_file, strerror(e));
	if (mode & 077)
		rc = lk_error__set(ctx, LK_ESTORE,
				   "store: key file %s is accessible by group "
				   "or others (mode %04o): chmod 600 it",
				   key_file, (unsigned)(mode & 07777));
	else if (len != KEY_LEN)
		rc = lk_error__set(ctx, LK_ESTORE,
				   "store: key file %s has %zu bytes, "
				   "expected %d",
				   key_file, len, KEY_LEN);
	else
		memcpy(st->key, buf, KEY_LEN);
	if (buf)
		lk_secret_free(buf, len);
	return rc;
}

lk_status lk_store__open(lk_store **out, const lk_ctx *ctx, const char *path,
			 const char *key_file)
{
	lk_store *st = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!path || !*path || !key_file || !*key_file)
		return lk_error__set(ctx, LK_ECONFIG,
				     "store: store.path and store.key_file "
				     "are required");
	st = lk_calloc(1, sizeof(*st));
	if (!st)
		return LK_ENOMEM;
	st->ctx = ctx;
	st->path = lk_strdup(path);
	if (!st->path)
		rc = LK_ENOMEM;
	if (rc == LK_OK)
		rc = mkdirs_or_fail(st, path);
	if (rc == LK_OK)
		rc = load_key(st, key_file);
	if (rc != LK_OK) {
		lk_store__close(st);
		return rc;
	}
	*out = st;
	return LK_OK;
}

void lk_store__close(lk_store *st)
{
	if (!st)
		return;
	OPENSSL_cleanse(st->key, sizeof st->key);
	lk_free(st->path);
	lk_free(st);
}

/* flock @p path (created 0600), waiting. */
static lk_status lock_file(lk_store_lock **out, const lk_store *st,
			   const char *path)
{
	lk_store_lock *l = NULL;
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);

	*out = NULL;
	if (fd < 0)
		return lk_error__set(st->ctx, LK_ESTORE,
				     "store: cannot open lock %s: %s", path,
				     strerror(errno));
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return lk_error__set(st->ctx, LK_ESTORE,
					     "store: cannot lock %s: %s", path,
					     strerror(e));
		}
	}
	l = lk_malloc(sizeof(*l));
	if (!l) {
		close(fd);
		return LK_ENOMEM;
	}
	l->fd = fd;
	*out = l;
	return LK_OK;
}

lk_status lk_store__lock(lk_store_lock **out, lk_store *st, const char *owner,
			 const char *id)
{
	char *odir = NULL, *dir = NULL, *path = NULL;
	lk_status rc;

	*out = NULL;
	if (!lk_store__id_ok(id))
		return bad_id(st, "connection");
	rc = owner_dir(&odir, st, owner);
	if (rc != LK_OK)
		return rc;
	dir = lk_strdupf("%s/.locks", odir);
	path = lk_strdupf("%s/.locks/%s", odir, id);
	rc = dir && path ? mkdirs_or_fail(st, dir) : LK_ENOMEM;
	if (rc == LK_OK)
		rc = lock_file(out, st, path);
	lk_free(odir);
	lk_free(dir);
	lk_free(path);
	return rc;
}

void lk_store__unlock(lk_store_lock *lock)
{
	if (!lock)
		return;
	flock(lock->fd, LOCK_UN);
	close(lock->fd);
	lk_free(lock);
}

/* Seal and write a connection to @p dir/<id>.lk. */
static lk_status write_conn(const lk_store *st, const char *dir,
			    const lk_conn *conn, bool excl, int *err)
{
	char *json = NULL, *name = NULL;
	unsigned char *ad = NULL, *rec = NULL;
	size_t ad_len = 0, rec_len = 0;
	lk_status rc = lk_conn__to_json(&json, conn);

	*err = 0;
	if (rc == LK_OK) {
		ad = make_ad(&ad_len, conn->owner, conn->app, conn->id);
		name = lk_strdupf("%s.lk", conn->id);
		if (!ad || !name)
			rc = LK_ENOMEM;
	}
	if (rc == LK_OK)
		rc = seal(&rec, &rec_len, st, ad, ad_len, json, strlen(json));
	if (rc == LK_OK) {
		*err = write_atomic(dir, name, rec, rec_len, excl);
		if (*err == ENOMEM)
			rc = LK_ENOMEM;
		else if (*err && !(excl && *err == EEXIST))
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "connection %s: cannot write %s/%s: "
					   "%s",
					   conn->id, dir, name, strerror(*err));
	}
	lk_str_wipe_free(json);
	lk_free(ad);
	lk_free(rec);
	lk_free(name);
	return rc;
}

/* Read and open one connection file; @p path names it in errors. */
static lk_status read_conn(lk_conn **out, const lk_store *st, const char *path,
			   const char *owner, const char *app, const char *id)
{
	unsigned char *rec = NULL, *ad = NULL;
	size_t len = 0, ad_len = 0, pt_len = 0;
	char *pt = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	int e = read_all(path, &rec, &len);
	if (e == ENOENT)
		return LK_ENOTFOUND;
	if (e == ENOMEM)
		return LK_ENOMEM;
	if (e)
		return lk_error__set(st->ctx, LK_ESTORE,
				     "connection %s: cannot read %s: %s", id,
				     path, strerror(e));
	ad = make_ad(&ad_len, owner, app, id);
	if (!ad)
		rc = LK_ENOMEM;
	else if (!unseal(&pt, &pt_len, st, ad, ad_len, rec, len))
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "connection %s: cannot be opened: wrong "
				   "master key or the file was modified",
				   id);
	if (rc == LK_OK) {
		lk_conn *c = NULL;
		rc = lk_conn__from_json(&c, pt, pt_len);
		if (rc == LK_OK && (!c->id || strcmp(c->id, id) != 0 ||
				    strcmp(c->owner, owner) != 0 ||
				    strcmp(c->app, app) != 0)) {
			lk_conn_free(c);
			rc = LK_EINVAL;
		}
		if (rc == LK_EINVAL)
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "connection %s: %s is not a valid "
					   "record",
					   id, path);
		if (rc == LK_OK)
			*out = c;
	}
	if (pt)
		lk_secret_free(pt, pt_len + 1);
	lk_free(ad);
	lk_free(rec);
	return rc;
}

/*
 * Find the app folder holding @p id: *out_app is the app (lk_free), or
 * NULL when no folder does (LK_OK either way).
 */
static lk_status find_conn(char **out_app, const lk_store *st, const char *odir,
			   const char *id)
{
	DIR *d = opendir(odir);
	struct dirent *de;
	lk_status rc = LK_OK;

	*out_app = NULL;
	if (!d)
		return errno == ENOENT ? LK_OK
				       : lk_error__set(st->ctx, LK_ESTORE,
						       "store: cannot read "
						       "%s: %s",
						       odir, strerror(errno));
	while (rc == LK_OK && !*out_app && (de = readdir(d))) {
		struct stat sb;
		if (!app_ok(de->d_name))
			continue;
		char *p = lk_strdupf("%s/%s/%s.lk", odir, de->d_name, id);
		if (!p) {
			rc = LK_ENOMEM;
			break;
		}
		if (lstat(p, &sb) == 0) {
			*out_app = lk_strdup(de->d_name);
			if (!*out_app)
				rc = LK_ENOMEM;
		}
		lk_free(p);
	}
	closedir(d);
	return rc;
}

static lk_status not_found(const lk_store *st, const char *id)
{
	return lk_error__set(st->ctx, LK_ENOTFOUND, "connection %s: not found",
			     id);
}

lk_status lk_store__load(lk_conn **out, lk_store *st, const char *owner,
			 const char *id)
{
	char *odir = NULL, *app = NULL, *path = NULL;
	lk_status rc;

	*out = NULL;
	if (!lk_store__id_ok(id))
		return bad_id(st, "connection");
	rc = owner_dir(&odir, st, owner);
	if (rc == LK_OK)
		rc = find_conn(&app, st, odir, id);
	if (rc == LK_OK && !app)
		rc = not_found(st, id);
	if (rc == LK_OK) {
		path = lk_strdupf("%s/%s/%s.lk", odir, app, id);
		rc =
		    path ? read_conn(out, st, path, owner, app, id) : LK_ENOMEM;
		if (rc == LK_ENOTFOUND) /* removed meanwhile */
			rc = not_found(st, id);
	}
	lk_free(odir);
	lk_free(app);
	lk_free(path);
	return rc;
}

lk_status lk_store__save(lk_store *st, const lk_conn *conn)
{
	char *odir = NULL, *dir = NULL, *path = NULL;
	struct stat sb;
	int e = 0;
	lk_status rc;

	if (!conn || !lk_store__id_ok(conn->id))
		return bad_id(st, "connection");
	if (!app_ok(conn->app))
		return lk_error__set(st->ctx, LK_EINVAL,
				     "connection %s: app id is not valid",
				     conn->id);
	rc = owner_dir(&odir, st, conn->owner);
	if (rc != LK_OK)
		return rc;
	dir = lk_strdupf("%s/%s", odir, conn->app);
	path = lk_strdupf("%s/%s.lk", dir ? dir : "", conn->id);
	if (!dir || !path)
		rc = LK_ENOMEM;
	/* Replace only: a removed connection does not come back. */
	else if (lstat(path, &sb) != 0)
		rc = not_found(st, conn->id);
	if (rc == LK_OK)
		rc = write_conn(st, dir, conn, false, &e);
	lk_free(odir);
	lk_free(dir);
	lk_free(path);
	return rc;
}

/* Connection ids: 16 random bytes, URL-safe base64 without padding. */
static lk_status new_id(char **out)
{
	return lk_random__id(out, 16);
}

/* The numbering counter: 0 when absent, UINT_MAX + 1 when unreadable. */
static long long read_counter(const char *path)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	long long v = -1;

	int e = read_all(path, &buf, &len);
	if (e == ENOENT)
		return 0;
	if (!e && len > 0 && len < 16) {
		char *end = NULL;
		buf[len] = '\0';
		errno = 0;
		unsigned long u = strtoul((char *)buf, &end, 10);
		if (!errno && end != (char *)buf && *end == '\n' &&
		    end[1] == '\0' && u >= 1 && u <= 0xffffffffUL)
			v = (long long)u;
	}
	lk_free(buf);
	return v;
}

static lk_status list_dir(lk_conn_list *list, const lk_store *st,
			  const char *odir, const char *owner, const char *app);

/* Without a counter file (first connection, or the file was lost), the
 * next number follows the highest stored one. */
static lk_status next_from_files(unsigned *out, const lk_store *st,
				 const char *odir, const char *owner,
				 const char *app)
{
	lk_conn_list list = {0};
	lk_status rc = list_dir(&list, st, odir, owner, app);
	unsigned max = 0;

	for (size_t i = 0; i < list.count; i++) {
		if (list.items[i]->number > max)
			max = list.items[i]->number;
		lk_conn_free(list.items[i]);
	}
	lk_free(list.items);
	*out = max + 1;
	return rc;
}

lk_status lk_store__create(lk_store *st, lk_conn *conn)
{
	char *odir = NULL, *dir = NULL, *lockp = NULL, *counter = NULL;
	lk_store_lock *lock = NULL;
	char num[24];
	unsigned number = 0;
	int e = 0;
	lk_status rc;

	if (!conn || !app_ok(conn->app))
		return lk_error__set(st->ctx, LK_EINVAL,
				     "store: a connection needs a valid app");
	rc = owner_dir(&odir, st, conn->owner);
	if (rc != LK_OK)
		return rc;
	dir = lk_strdupf("%s/%s", odir, conn->app);
	lockp = lk_strdupf("%s/%s/.lock", odir, conn->app);
	counter = lk_strdupf("%s/%s/.next", odir, conn->app);
	rc = dir && lockp && counter ? mkdirs_or_fail(st, dir) : LK_ENOMEM;
	if (rc == LK_OK)
		rc = lock_file(&lock, st, lockp);
	if (rc != LK_OK)
		goto out;
	long long next = read_counter(counter);
	if (next < 0) {
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "store: numbering file %s is not valid",
				   counter);
		goto out;
	}
	if (next == 0)
		rc = next_from_files(&number, st, odir, conn->owner, conn->app);
	else
		number = (unsigned)next;
	if (rc == LK_OK && number == 0xffffffffu)
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "store: %s: no connection numbers left",
				   conn->app);
	if (rc != LK_OK)
		goto out;
	/* The counter moves first: a crash may skip a number, never
	 * reuse one. */
	snprintf(num, sizeof num, "%u\n", number + 1);
	e = write_atomic(dir, ".next", num, strlen(num), false);
	if (e) {
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "store: cannot write %s: %s", counter,
				   strerror(e));
		goto out;
	}
	conn->number = number;
	sweep(dir, false);
	/* A fresh id; the exclusive link refuses one already taken. */
	for (int tries = 0; tries < 8; tries++) {
		lk_free(conn->id);
		rc = new_id(&conn->id);
		if (rc == LK_OK)
			rc = write_conn(st, dir, conn, true, &e);
		if (rc != LK_OK || e != EEXIST)
			break;
	}
	if (rc == LK_OK && e == EEXIST)
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "store: no unused connection id found");
out:
	lk_store__unlock(lock);
	lk_free(odir);
	lk_free(dir);
	lk_free(lockp);
	lk_free(counter);
	return rc;
}

lk_status lk_store__remove(lk_store *st, const char *owner, const char *id)
{
	char *odir = NULL, *app = NULL, *dir = NULL, *path = NULL;
	lk_store_lock *lock = NULL;
	lk_status rc;

	if (!lk_store__id_ok(id))
		return bad_id(st, "connection");
	rc = owner_dir(&odir, st, owner);
	if (rc == LK_OK)
		rc = find_conn(&app, st, odir, id);
	if (rc == LK_OK && !app)
		rc = not_found(st, id);
	/* Under the connection's lock: a refresh in flight finishes first,
	 * and its save then finds the record gone. */
	if (rc == LK_OK)
		rc = lk_store__lock(&lock, st, owner, id);
	if (rc == LK_OK) {
		dir = lk_strdupf("%s/%s", odir, app);
		path = lk_strdupf("%s/%s/%s.lk", odir, app, id);
		if (!dir || !path)
			rc = LK_ENOMEM;
		else if (unlink(path) != 0)
			rc = errno == ENOENT
				 ? not_found(st, id)
				 : lk_error__set(st->ctx, LK_ESTORE,
						 "connection %s: cannot "
						 "remove %s: %s",
						 id, path, strerror(errno));
		else
			fsync_dir(dir);
	}
	lk_store__unlock(lock);
	lk_free(odir);
	lk_free(app);
	lk_free(dir);
	lk_free(path);
	return rc;
}

static lk_status list_push(lk_conn_list *list, lk_conn *c)
{
	lk_conn **n = realloc(list->items, (list->count + 1) * sizeof(*n));

	if (!n) {
		lk_conn_free(c);
		return LK_ENOMEM;
	}
	list->items = n;
	list->items[list->count++] = c;
	return LK_OK;
}

/* Every connection in one app folder. */
static lk_status list_dir(lk_conn_list *list, const lk_store *st,
			  const char *odir, const char *owner, const char *app)
{
	char *dir = lk_strdupf("%s/%s", odir, app);
	DIR *d = dir ? opendir(dir) : NULL;
	struct dirent *de;
	lk_status rc = LK_OK;

	if (!dir)
		return LK_ENOMEM;
	if (!d) {
		if (errno != ENOENT)
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "store: cannot read %s: %s", dir,
					   strerror(errno));
		lk_free(dir);
		return rc;
	}
	while (rc == LK_OK && (de = readdir(d))) {
		const char *name = de->d_name;
		size_t n = strlen(name);
		if (name[0] == '.')
			continue; /* the store's own files */
		char id[72];
		if (n < 4 || n - 3 >= sizeof id ||
		    strcmp(name + n - 3, ".lk") != 0) {
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "store: %s/%s is not a connection "
					   "record",
					   dir, name);
			break;
		}
		memcpy(id, name, n - 3);
		id[n - 3] = '\0';
		if (!lk_store__id_ok(id)) {
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "store: %s/%s is not a connection "
					   "record",
					   dir, name);
			break;
		}
		char *path = lk_strdupf("%s/%s", dir, name);
		lk_conn *c = NULL;
		rc = path ? read_conn(&c, st, path, owner, app, id) : LK_ENOMEM;
		if (rc == LK_ENOTFOUND) /* removed while listing */
			rc = LK_OK;
		else if (rc == LK_OK)
			rc = list_push(list, c);
		lk_free(path);
	}
	closedir(d);
	lk_free(dir);
	return rc;
}

static int by_app_number(const void *a, const void *b)
{
	const lk_conn *x = *(const lk_conn *const *)a;
	const lk_conn *y = *(const lk_conn *const *)b;
	int c = strcmp(x->app, y->app);

	if (c)
		return c;
	return x->number < y->number ? -1 : x->number > y->number;
}

lk_status lk_store__list(lk_conn_list **out, lk_store *st, const char *owner,
			 const char *app)
{
	lk_conn_list *list = lk_calloc(1, sizeof(*list));
	char *odir = NULL;
	lk_status rc = list ? LK_OK : LK_ENOMEM;

	*out = NULL;
	if (rc == LK_OK && app && !app_ok(app))
		rc = lk_error__set(st->ctx, LK_EINVAL,
				   "store: app id is not valid");
	if (rc == LK_OK)
		rc = owner_dir(&odir, st, owner);
	if (rc == LK_OK && app) {
		rc = list_dir(list, st, odir, owner, app);
	} else if (rc == LK_OK) {
		DIR *d = opendir(odir);
		struct dirent *de;
		if (!d && errno != ENOENT)
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "store: cannot read %s: %s", odir,
					   strerror(errno));
		while (d && rc == LK_OK && (de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue; /* locks */
			if (app_ok(de->d_name))
				rc =
				    list_dir(list, st, odir, owner, de->d_name);
			else
				rc = lk_error__set(st->ctx, LK_ESTORE,
						   "store: %s/%s is not an "
						   "app folder",
						   odir, de->d_name);
		}
		if (d)
			closedir(d);
	}
	lk_free(odir);
	if (rc != LK_OK) {
		lk_conn_list_free(list);
		return rc;
	}
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(*list->items),
		      by_app_number);
	*out = list;
	return LK_OK;
}

lk_status lk_store__flow_put(lk_store *st, const struct lk_flow *flow)
{
	char *dir = NULL, *json = NULL, *name = NULL;
	unsigned char *ad = NULL, *rec = NULL;
	size_t ad_len = 0, rec_len = 0;
	lk_status rc;

	if (!flow || !lk_store__id_ok(flow->id))
		return bad_id(st, "flow");
	if (!flow->owner || !*flow->owner)
		return lk_error__set(st->ctx, LK_EINVAL, "flow: no owner");
	dir = lk_strdupf("%s/flows", st->path);
	name = lk_strdupf("%s.lk", flow->id);
	ad = make_ad(&ad_len, flow->owner, NULL, flow->id);
	rc = dir && name && ad ? mkdirs_or_fail(st, dir) : LK_ENOMEM;
	if (rc == LK_OK) {
		sweep(dir, true);
		rc = lk_flow__to_json(&json, flow);
	}
	if (rc == LK_OK)
		rc = seal(&rec, &rec_len, st, ad, ad_len, json, strlen(json));
	if (rc == LK_OK) {
		int e = write_atomic(dir, name, rec, rec_len, true);
		if (e)
			rc = lk_error__set(st->ctx, LK_ESTORE,
					   "flow: cannot write %s/%s: %s", dir,
					   name, strerror(e));
	}
	lk_str_wipe_free(json);
	lk_free(dir);
	lk_free(name);
	lk_free(ad);
	lk_free(rec);
	return rc;
}

lk_status lk_store__flow_take(struct lk_flow **out, lk_store *st,
			      const char *owner, const char *id)
{
	char *dir = NULL, *path = NULL, *lockp = NULL, *pt = NULL;
	unsigned char *ad = NULL, *rec = NULL;
	size_t ad_len = 0, len = 0, pt_len = 0;
	lk_store_lock *lock = NULL;
	struct lk_flow *f = NULL;
	lk_status rc = LK_OK;

	*out = NULL;
	if (!lk_store__id_ok(id))
		return bad_id(st, "flow");
	if (!owner || !*owner)
		return lk_error__set(st->ctx, LK_EINVAL, "flow: no owner");
	dir = lk_strdupf("%s/flows", st->path);
	path = lk_strdupf("%s/flows/%s.lk", st->path, id);
	lockp = lk_strdupf("%s/flows/.lock", st->path);
	ad = make_ad(&ad_len, owner, NULL, id);
	rc = dir && path && lockp && ad ? mkdirs_or_fail(st, dir) : LK_ENOMEM;
	/* One taker at a time: a flow is used once. */
	if (rc == LK_OK)
		rc = lock_file(&lock, st, lockp);
	if (rc != LK_OK)
		goto out;
	int e = read_all(path, &rec, &len);
	if (e && e != ENOENT) {
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "flow: cannot read %s: %s", path,
				   strerror(e));
		goto out;
	}
	/* Unknown, used, or another owner's: the same answer for all. */
	if (e || !unseal(&pt, &pt_len, st, ad, ad_len, rec, len) ||
	    lk_flow__from_json(&f, pt, pt_len) != LK_OK ||
	    strcmp(f->id, id) != 0 || strcmp(f->owner, owner) != 0) {
		rc = lk_error__set(st->ctx, LK_ESTATE,
				   "connect: no pending flow %s for this "
				   "owner (unknown, already used or "
				   "expired)",
				   id);
		goto out;
	}
	if (unlink(path) != 0) {
		rc = lk_error__set(st->ctx, LK_ESTORE,
				   "flow: cannot remove %s: %s", path,
				   strerror(errno));
		goto out;
	}
	fsync_dir(dir);
	if (f->expires <= lk_now()) {
		rc = lk_error__set(st->ctx, LK_ESTATE,
				   "connect: flow %s has expired: start the "
				   "connect again",
				   id);
		goto out;
	}
	*out = f;
	f = NULL;
out:
	lk_store__unlock(lock);
	lk_flow__free(f);
	if (pt)
		lk_secret_free(pt, pt_len + 1);
	lk_free(dir);
	lk_free(path);
	lk_free(lockp);
	lk_free(ad);
	lk_free(rec);
	return rc;
}
