/* SPDX-License-Identifier: MIT */
/*
 * The file store and the connection records (core/store_file.c,
 * core/conn_codec.c): round trips, sealing (tamper, wrong key, moved
 * files), owner isolation, id checks, numbering, flows, modes on disk.
 */
#include "test_store_util.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <CUnit/CUnit.h>

#include "cunit_main.h"
#include "fields.h"

#define OPEN_ERR ": cannot be opened: wrong master key or the file was modified"

static int setup(void)
{
	return ts_setup("keys/master.key");
}

static int teardown(void)
{
	return ts_teardown();
}

/* The record's path on disk. */
static char *rec_path(const char *owner_hex, const char *app, const char *id)
{
	return lk_strdupf("%s/o/%s/%s/%s.lk", spath, owner_hex, app, id);
}

static lk_conn *create(const char *owner, const char *app)
{
	lk_conn *c = ts_conn(owner, app);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(lk_store__create(st, c), LK_OK);
	return c;
}

static void test_round_trip(void)
{
	lk_conn *c = ts_conn("alice", "github");
	lk_conn *l = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	lk_fields_set(c->fields, "token", "s3cr\"et\n", true);
	lk_fields_set(c->fields, "login", "octo", false);
	c->test_data = lk_strdup("{\"login\":\"octo\",\"n\":[1,2]}");
	c->label = lk_strdup("GitHub octo");
	c->generation = 18446744073709551615ull;
	c->created = -5;
	c->updated = 9007199254740993ll; /* not exact as a double */
	c->expired = true;
	CU_ASSERT_EQUAL_FATAL(lk_store__create(st, c), LK_OK);
	CU_ASSERT_EQUAL(strlen(c->id), 22);
	CU_ASSERT_TRUE(lk_store__id_ok(c->id));
	CU_ASSERT_EQUAL(c->number, 1);
	CU_ASSERT_EQUAL_FATAL(lk_store__load(&l, st, "alice", c->id), LK_OK);
	CU_ASSERT_STRING_EQUAL(l->id, c->id);
	CU_ASSERT_STRING_EQUAL(l->owner, "alice");
	CU_ASSERT_STRING_EQUAL(l->app, "github");
	CU_ASSERT_STRING_EQUAL(l->scheme, "apikey");
	CU_ASSERT_EQUAL(l->number, 1);
	CU_ASSERT_TRUE(l->expired);
	CU_ASSERT_EQUAL(l->created, -5);
	CU_ASSERT_EQUAL(l->updated, 9007199254740993ll);
	CU_ASSERT_EQUAL(l->generation, 18446744073709551615ull);
	CU_ASSERT_STRING_EQUAL(l->test_data, c->test_data);
	CU_ASSERT_STRING_EQUAL(l->label, "GitHub octo");
	CU_ASSERT_EQUAL(lk_fields_count(l->fields), 3);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(l->fields, "token"), "s3cr\"et\n");
	CU_ASSERT_TRUE(lk_fields_is_secret(l->fields, "token"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(l->fields, "login"), "octo");
	CU_ASSERT_FALSE(lk_fields_is_secret(l->fields, "login"));

	/* save replaces */
	lk_fields_set(l->fields, "token", "rotated", true);
	l->generation = 7;
	lk_free(l->label);
	l->label = NULL;
	CU_ASSERT_EQUAL(lk_store__save(st, l), LK_OK);
	lk_conn *l2 = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_store__load(&l2, st, "alice", c->id), LK_OK);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(l2->fields, "token"), "rotated");
	CU_ASSERT_EQUAL(l2->generation, 7);
	CU_ASSERT_PTR_NULL(l2->label);

	/* the secret is not on disk in clear */
	char *p = rec_path("616c696365", "github", c->id);
	FILE *f = fopen(p, "rb");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	char buf[4096];
	size_t n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	CU_ASSERT_TRUE(n > 4 + 12 + 16);
	CU_ASSERT_EQUAL(memcmp(buf, "LKS1", 4), 0);
	CU_ASSERT_PTR_NULL(memmem(buf, n, "rotated", 7));
	CU_ASSERT_PTR_NULL(memmem(buf, n, "octo", 4));

	/* dup is deep and equal */
	lk_conn *d = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_conn__dup(&d, l2), LK_OK);
	CU_ASSERT_PTR_NOT_EQUAL(d->fields, l2->fields);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(d->fields, "token"), "rotated");
	CU_ASSERT_TRUE(lk_fields_is_secret(d->fields, "token"));
	CU_ASSERT_STRING_EQUAL(d->id, l2->id);
	lk_conn_free(d);

	/* save of a removed connection does not bring it back */
	CU_ASSERT_EQUAL(lk_store__remove(st, "alice", c->id), LK_OK);
	CU_ASSERT_EQUAL(lk_store__save(st, l2), LK_ENOTFOUND);
	CU_ASSERT_EQUAL(access(p, F_OK), -1);
	CU_ASSERT_EQUAL(lk_store__load(&d, st, "alice", c->id), LK_ENOTFOUND);
	char *want = lk_strdupf("connection %s: not found", c->id);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	lk_free(p);
	lk_conn_free(c);
	lk_conn_free(l);
	lk_conn_free(l2);
}

static void test_json_bad(void)
{
	lk_conn *c = NULL;
	static const char *bad[] = {
	    "",
	    "[]",
	    "{\"v\":2,\"owner\":\"a\",\"app\":\"b\"}",
	    "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":1,"
	    "\"expired\":false,\"created\":\"1\",\"updated\":\"1\","
	    "\"generation\":\"-1\",\"fields\":{}}",
	    "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":1.5,"
	    "\"expired\":false,\"created\":\"1\",\"updated\":\"1\","
	    "\"generation\":\"1\",\"fields\":{}}",
	    "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":1,"
	    "\"expired\":false,\"created\":\"1x\",\"updated\":\"1\","
	    "\"generation\":\"1\",\"fields\":{}}",
	    "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":1,"
	    "\"expired\":false,\"created\":\"1\",\"updated\":\"1\","
	    "\"generation\":\"1\",\"fields\":{\"k\":{\"v\":3}}}",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CU_ASSERT_EQUAL(lk_conn__from_json(&c, bad[i], strlen(bad[i])),
				LK_EINVAL);
		CU_ASSERT_PTR_NULL(c);
	}
	const char *good =
	    "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":3,"
	    "\"expired\":false,\"created\":\"1\",\"updated\":"
	    "\"2\",\"generation\":\"4\",\"fields\":{\"k\":{"
	    "\"v\":\"x\",\"s\":true}}}";
	CU_ASSERT_EQUAL_FATAL(lk_conn__from_json(&c, good, strlen(good)),
			      LK_OK);
	CU_ASSERT_EQUAL(c->number, 3);
	CU_ASSERT_EQUAL(c->generation, 4);
	CU_ASSERT_TRUE(lk_fields_is_secret(c->fields, "k"));
	char *js = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_conn__to_json(&js, c), LK_OK);
	CU_ASSERT_STRING_EQUAL(
	    js, "{\"v\":1,\"owner\":\"a\",\"app\":\"b\",\"number\":3,"
		"\"expired\":false,\"created\":\"1\",\"updated\":\"2\","
		"\"generation\":\"4\",\"fields\":{\"k\":{\"v\":\"x\","
		"\"s\":true}}}");
	lk_free(js);
	lk_conn_free(c);
}

/* Flip each kind of byte of a record: it never opens, and says why. */
static void test_tamper(void)
{
	lk_conn *c = create("alice", "tamper");
	lk_conn *l = NULL;
	char *p = rec_path("616c696365", "tamper", c->id);
	char *want = lk_strdupf("connection %s" OPEN_ERR, c->id);
	struct stat sb;

	CU_ASSERT_EQUAL_FATAL(stat(p, &sb), 0);
	off_t offs[] = {0,
			3,
			4,
			15,
			16,
			sb.st_size / 2,
			sb.st_size - 17,
			sb.st_size - 16,
			sb.st_size - 1};
	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		int fd = open(p, O_RDWR);
		unsigned char b;
		CU_ASSERT_FATAL(fd >= 0);
		CU_ASSERT_EQUAL(pread(fd, &b, 1, offs[i]), 1);
		b ^= 0x01;
		CU_ASSERT_EQUAL(pwrite(fd, &b, 1, offs[i]), 1);
		CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", c->id),
				LK_ESTORE);
		CU_ASSERT_PTR_NULL(l);
		CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
		/* listing names it too, never skips it */
		lk_conn_list *list = NULL;
		CU_ASSERT_EQUAL(lk_store__list(&list, st, "alice", NULL),
				LK_ESTORE);
		CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
		CU_ASSERT_PTR_NULL(list);
		b ^= 0x01;
		CU_ASSERT_EQUAL(pwrite(fd, &b, 1, offs[i]), 1);
		close(fd);
		CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", c->id), LK_OK);
		lk_conn_free(l);
		l = NULL;
	}
	/* truncated, emptied */
	CU_ASSERT_EQUAL(truncate(p, sb.st_size - 1), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", c->id), LK_ESTORE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	CU_ASSERT_EQUAL(truncate(p, 0), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", c->id), LK_ESTORE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	CU_ASSERT_EQUAL(unlink(p), 0);
	lk_free(want);
	lk_free(p);
	lk_conn_free(c);
}

static void test_wrong_key(void)
{
	lk_conn *c = create("alice", "wrongkey");
	lk_conn *l = NULL;
	lk_store *other = NULL;
	char *k2 = lk_strdupf("%s/keys/other.key", dir);
	char *want = lk_strdupf("connection %s" OPEN_ERR, c->id);

	CU_ASSERT_EQUAL_FATAL(lk_store__open(&other, ctx, spath, k2), LK_OK);
	CU_ASSERT_EQUAL(lk_store__load(&l, other, "alice", c->id), LK_ESTORE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	CU_ASSERT_PTR_NULL(l);
	/* and the same key file opens it again */
	lk_store *same = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_store__open(&same, ctx, spath, kpath), LK_OK);
	CU_ASSERT_EQUAL(lk_store__load(&l, same, "alice", c->id), LK_OK);
	lk_conn_free(l);
	lk_store__close(same);
	lk_store__close(other);
	CU_ASSERT_EQUAL(lk_store__remove(st, "alice", c->id), LK_OK);
	lk_free(want);
	lk_free(k2);
	lk_conn_free(c);
}

static int copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = NULL;
	char buf[8192];
	size_t n;
	int rc = -1;

	if (a && (b = fopen(to, "wb"))) {
		while ((n = fread(buf, 1, sizeof buf, a)) > 0)
			fwrite(buf, 1, n, b);
		rc = 0;
	}
	if (a)
		fclose(a);
	if (b && fclose(b) != 0)
		rc = -1;
	return rc;
}

/* A record copied to another owner, id or app does not open there. */
static void test_moved(void)
{
	lk_conn *a = create("alice", "moved");
	lk_conn *b = create("alice", "moved");
	lk_conn *m = create("mallory", "moved");
	lk_conn *l = NULL;
	char *pa = rec_path("616c696365", "moved", a->id);
	char *pb = rec_path("616c696365", "moved", b->id);
	char *pm = rec_path("6d616c6c6f7279", "moved", m->id);
	char *pm_as_a = rec_path("6d616c6c6f7279", "moved", a->id);
	char *want = NULL;

	/* alice's record under mallory's id: not mallory's */
	CU_ASSERT_EQUAL(copy_file(pa, pm), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "mallory", m->id), LK_ESTORE);
	want = lk_strdupf("connection %s" OPEN_ERR, m->id);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	/* alice's record under its own id, in mallory's folder */
	CU_ASSERT_EQUAL(copy_file(pa, pm_as_a), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "mallory", a->id), LK_ESTORE);
	want = lk_strdupf("connection %s" OPEN_ERR, a->id);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	/* a's record over b's: b does not open as a */
	CU_ASSERT_EQUAL(copy_file(pa, pb), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", b->id), LK_ESTORE);
	want = lk_strdupf("connection %s" OPEN_ERR, b->id);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	/* into another app's folder */
	char *d2 = lk_strdupf("%s/o/616c696365/other", spath);
	char *pa2 = rec_path("616c696365", "other", a->id);
	CU_ASSERT_EQUAL(mkdir(d2, 0700), 0);
	CU_ASSERT_EQUAL(rename(pa, pa2), 0);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", a->id), LK_ESTORE);
	CU_ASSERT_PTR_NULL(l);
	ts_rmrf(d2);
	lk_free(d2);
	lk_free(pa2);
	unlink(pb);
	unlink(pm);
	unlink(pm_as_a);
	lk_free(pa);
	lk_free(pb);
	lk_free(pm);
	lk_free(pm_as_a);
	lk_conn_free(a);
	lk_conn_free(b);
	lk_conn_free(m);
}

static void test_owners(void)
{
	lk_conn *a = create("iso-alice", "iso");
	lk_conn *l = NULL;
	lk_conn_list *list = NULL;
	struct stat sb;

	CU_ASSERT_EQUAL(lk_store__load(&l, st, "iso-bob", a->id), LK_ENOTFOUND);
	CU_ASSERT_PTR_NULL(l);
	CU_ASSERT_EQUAL(lk_store__remove(st, "iso-bob", a->id), LK_ENOTFOUND);
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "iso-bob", NULL),
			      LK_OK);
	CU_ASSERT_EQUAL(list->count, 0);
	lk_conn_list_free(list);
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "iso-bob", "iso"),
			      LK_OK);
	CU_ASSERT_EQUAL(list->count, 0);
	lk_conn_list_free(list);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "iso-alice", a->id), LK_OK);
	lk_conn_free(l);
	l = NULL;

	/* owners are encoded, never a path */
	lk_conn *evil = create("../../x/", "iso");
	char *p =
	    lk_strdupf("%s/o/2e2e2f2e2e2f782f/iso/%s.lk", spath, evil->id);
	CU_ASSERT_EQUAL(stat(p, &sb), 0);
	lk_free(p);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "../../x/", evil->id), LK_OK);
	lk_conn_free(l);
	l = NULL;
	/* a prefix or an empty owner is another owner, or none */
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "iso-alic", a->id),
			LK_ENOTFOUND);
	CU_ASSERT_EQUAL(lk_store__load(&l, st, "", a->id), LK_EINVAL);
	char big[200];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	CU_ASSERT_EQUAL(lk_store__load(&l, st, big, a->id), LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "owner must be 1 to 120 bytes long");
	lk_conn_free(evil);
	lk_conn_free(a);
}

static void test_ids(void)
{
	lk_conn *l = NULL;

	CU_ASSERT_TRUE(lk_store__id_ok("abcdefghijklmnop"));
	CU_ASSERT_TRUE(lk_store__id_ok("AZaz09_-AZaz09_-"));
	CU_ASSERT_FALSE(lk_store__id_ok("abcdefghijklmno"));
	CU_ASSERT_FALSE(lk_store__id_ok(""));
	CU_ASSERT_FALSE(lk_store__id_ok(NULL));
	CU_ASSERT_FALSE(lk_store__id_ok("abcdefghijklmno/"));
	CU_ASSERT_FALSE(lk_store__id_ok("../../../../etc/passwd"));
	CU_ASSERT_FALSE(lk_store__id_ok("abcdefghijklmnop.lk"));
	CU_ASSERT_FALSE(lk_store__id_ok("abcdefghijklmnop "));
	CU_ASSERT_FALSE(lk_store__id_ok("abcdefghijklmnop="));
	char id[66];
	memset(id, 'x', 64);
	id[64] = '\0';
	CU_ASSERT_TRUE(lk_store__id_ok(id));
	id[64] = 'x';
	id[65] = '\0';
	CU_ASSERT_FALSE(lk_store__id_ok(id));

	CU_ASSERT_EQUAL(lk_store__load(&l, st, "alice", "../../keys/master"),
			LK_EINVAL);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "connection id is not valid: expected 16 to "
			       "64 of A-Z a-z 0-9 _ -");
	CU_ASSERT_EQUAL(lk_store__remove(st, "alice", "..%2f..%2fxxxxxxxx"),
			LK_EINVAL);
	lk_store_lock *lk = NULL;
	CU_ASSERT_EQUAL(lk_store__lock(&lk, st, "alice", "a/b"), LK_EINVAL);
	CU_ASSERT_PTR_NULL(lk);
	struct lk_flow *f = NULL;
	CU_ASSERT_EQUAL(lk_store__flow_take(&f, st, "alice", "x"), LK_EINVAL);
	/* ids of many creates: distinct, 22 chars, URL-safe */
	char *seen[32];
	for (int i = 0; i < 32; i++) {
		lk_conn *c = create("ids", "ids");
		CU_ASSERT_EQUAL(strlen(c->id), 22);
		CU_ASSERT_TRUE(lk_store__id_ok(c->id));
		seen[i] = c->id;
		c->id = NULL;
		for (int j = 0; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(seen[i], seen[j]);
		lk_conn_free(c);
	}
	for (int i = 0; i < 32; i++)
		lk_free(seen[i]);
}

static void test_numbering(void)
{
	lk_conn *c[4];
	lk_conn_list *list = NULL;

	for (int i = 0; i < 3; i++) {
		c[i] = create("num", "numapp");
		CU_ASSERT_EQUAL(c[i]->number, (unsigned)i + 1);
	}
	CU_ASSERT_EQUAL(lk_store__remove(st, "num", c[2]->id), LK_OK);
	c[3] = create("num", "numapp");
	CU_ASSERT_EQUAL(c[3]->number, 4);
	/* another app and another owner count on their own */
	lk_conn *o = create("num", "another");
	CU_ASSERT_EQUAL(o->number, 1);
	lk_conn *o2 = create("num2", "numapp");
	CU_ASSERT_EQUAL(o2->number, 1);
	/* all removed: still never reused */
	CU_ASSERT_EQUAL(lk_store__remove(st, "num", c[0]->id), LK_OK);
	CU_ASSERT_EQUAL(lk_store__remove(st, "num", c[1]->id), LK_OK);
	CU_ASSERT_EQUAL(lk_store__remove(st, "num", c[3]->id), LK_OK);
	CU_ASSERT_EQUAL(lk_store__remove(st, "num", c[3]->id), LK_ENOTFOUND);
	lk_conn *n = create("num", "numapp");
	CU_ASSERT_EQUAL(n->number, 5);
	/* list: sorted by app, then number */
	lk_conn *n2 = create("num", "numapp");
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "num", NULL), LK_OK);
	CU_ASSERT_EQUAL_FATAL(list->count, 3);
	CU_ASSERT_STRING_EQUAL(list->items[0]->app, "another");
	CU_ASSERT_STRING_EQUAL(list->items[1]->app, "numapp");
	CU_ASSERT_EQUAL(list->items[1]->number, 5);
	CU_ASSERT_EQUAL(list->items[2]->number, 6);
	CU_ASSERT_STRING_EQUAL(list->items[2]->id, n2->id);
	lk_conn_list_free(list);
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "num", "numapp"),
			      LK_OK);
	CU_ASSERT_EQUAL(list->count, 2);
	lk_conn_list_free(list);
	/* a lost counter: numbering follows the highest stored number */
	char *cnt = lk_strdupf("%s/o/6e756d/numapp/.next", spath);
	CU_ASSERT_EQUAL(unlink(cnt), 0);
	lk_conn *n3 = create("num", "numapp");
	CU_ASSERT_EQUAL(n3->number, 7);
	/* a broken counter is an error that names it, nothing stored */
	FILE *f = fopen(cnt, "w");
	fputs("seven\n", f);
	fclose(f);
	lk_conn *bad = ts_conn("num", "numapp");
	CU_ASSERT_EQUAL(lk_store__create(st, bad), LK_ESTORE);
	char *want = lk_strdupf("store: numbering file %s is not valid", cnt);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	CU_ASSERT_PTR_NULL(bad->id);
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "num", "numapp"),
			      LK_OK);
	CU_ASSERT_EQUAL(list->count, 3);
	lk_conn_list_free(list);
	/* an unexpected file in the store is an error naming it */
	char *junk = lk_strdupf("%s/o/6e756d/numapp/notes.txt", spath);
	f = fopen(junk, "w");
	fclose(f);
	CU_ASSERT_EQUAL(lk_store__list(&list, st, "num", NULL), LK_ESTORE);
	want = lk_strdupf("store: %s is not a connection record", junk);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	unlink(junk);
	lk_free(junk);
	lk_free(cnt);
	lk_conn_free(bad);
	for (int i = 0; i < 4; i++)
		lk_conn_free(c[i]);
	lk_conn_free(o);
	lk_conn_free(o2);
	lk_conn_free(n);
	lk_conn_free(n2);
	lk_conn_free(n3);
}

static int64_t fake_now;
static int64_t test_now(void)
{
	return fake_now;
}

static struct lk_flow *mkflow(const char *id, const char *owner,
			      int64_t expires)
{
	struct lk_flow *f = lk_calloc(1, sizeof(*f));
	f->id = lk_strdup(id);
	f->owner = lk_strdup(owner);
	f->app = lk_strdup("github");
	f->expires = expires;
	lk_fields_new(&f->values);
	lk_fields_new(&f->fields);
	lk_fields_set(f->values, "verifier", "pkce-secret", true);
	lk_fields_set(f->fields, "subdomain", "acme", false);
	return f;
}

static void test_flows(void)
{
	const char *id = "flowflowflowflowflow01";
	struct lk_flow *f = mkflow(id, "alice", 1000), *t = NULL;
	const char *gone = "connect: no pending flow flowflowflowflowflow01 "
			   "for this owner (unknown, already used or "
			   "expired)";

	fake_now = 500;
	lk_test_set_entropy(NULL, test_now);
	CU_ASSERT_EQUAL_FATAL(lk_store__flow_put(st, f), LK_OK);
	/* the same id twice is refused */
	CU_ASSERT_EQUAL(lk_store__flow_put(st, f), LK_ESTORE);
	/* another owner cannot take it, and does not consume it */
	CU_ASSERT_EQUAL(lk_store__flow_take(&t, st, "mallory", id), LK_ESTATE);
	CU_ASSERT_STRING_EQUAL(
	    lk_errmsg(ctx), "connect: no pending flow flowflowflowflowflow01 "
			    "for this owner (unknown, already used or "
			    "expired)");
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL_FATAL(lk_store__flow_take(&t, st, "alice", id), LK_OK);
	CU_ASSERT_STRING_EQUAL(t->id, id);
	CU_ASSERT_STRING_EQUAL(t->owner, "alice");
	CU_ASSERT_STRING_EQUAL(t->app, "github");
	CU_ASSERT_EQUAL(t->expires, 1000);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(t->values, "verifier"),
			       "pkce-secret");
	CU_ASSERT_TRUE(lk_fields_is_secret(t->values, "verifier"));
	CU_ASSERT_STRING_EQUAL(lk_fields_get(t->fields, "subdomain"), "acme");
	lk_flow__free(t);
	t = NULL;
	/* single use */
	CU_ASSERT_EQUAL(lk_store__flow_take(&t, st, "alice", id), LK_ESTATE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), gone);
	/* expiry: consumed and refused */
	CU_ASSERT_EQUAL_FATAL(lk_store__flow_put(st, f), LK_OK);
	fake_now = 1000;
	CU_ASSERT_EQUAL(lk_store__flow_take(&t, st, "alice", id), LK_ESTATE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx),
			       "connect: flow flowflowflowflowflow01 has "
			       "expired: start the connect again");
	CU_ASSERT_PTR_NULL(t);
	CU_ASSERT_EQUAL(lk_store__flow_take(&t, st, "alice", id), LK_ESTATE);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), gone);
	char *p = lk_strdupf("%s/flows/%s.lk", spath, id);
	CU_ASSERT_EQUAL(access(p, F_OK), -1);
	/* a tampered flow is refused the same way */
	fake_now = 1;
	CU_ASSERT_EQUAL_FATAL(lk_store__flow_put(st, f), LK_OK);
	int fd = open(p, O_RDWR);
	unsigned char b = 0;
	CU_ASSERT_EQUAL(pread(fd, &b, 1, 20), 1);
	b ^= 0x80;
	CU_ASSERT_EQUAL(pwrite(fd, &b, 1, 20), 1);
	close(fd);
	CU_ASSERT_EQUAL(lk_store__flow_take(&t, st, "alice", id), LK_ESTATE);
	unlink(p);
	lk_free(p);
	lk_test_set_entropy(NULL, NULL);
	lk_flow__free(f);
}

static void test_modes(void)
{
	struct stat sb;
	lk_conn *c = create("modes", "modeapp");
	char *p = rec_path("6d6f646573", "modeapp", c->id);
	char *dirs[] = {
	    lk_strdup(spath),
	    lk_strdupf("%s/keys", dir),
	    lk_strdupf("%s/o", spath),
	    lk_strdupf("%s/o/6d6f646573", spath),
	    lk_strdupf("%s/o/6d6f646573/modeapp", spath),
	    lk_strdupf("%s/flows", spath),
	};
	lk_store_lock *lk = NULL;

	CU_ASSERT_EQUAL(lk_store__lock(&lk, st, "modes", c->id), LK_OK);
	lk_store__unlock(lk);
	CU_ASSERT_EQUAL(stat(kpath, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	CU_ASSERT_EQUAL(sb.st_size, 32);
	CU_ASSERT_EQUAL(stat(p, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0600);
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		CU_ASSERT_EQUAL(stat(dirs[i], &sb), 0);
		CU_ASSERT_TRUE(S_ISDIR(sb.st_mode));
		CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
		lk_free(dirs[i]);
	}
	lk_free(p);
	lk_conn_free(c);
}

static void test_key_file(void)
{
	char *kdir = lk_strdupf("%s/k2/deeper", dir);
	char *k = lk_strdupf("%s/master.key", kdir);
	char *s2 = lk_strdupf("%s/s2", dir);
	lk_store *o = NULL;
	struct stat sb;
	char *want = NULL;

	/* created with its folders */
	CU_ASSERT_EQUAL_FATAL(lk_store__open(&o, ctx, s2, k), LK_OK);
	lk_store__close(o);
	CU_ASSERT_EQUAL(stat(kdir, &sb), 0);
	CU_ASSERT_EQUAL(sb.st_mode & 07777, 0700);
	/* group-readable */
	CU_ASSERT_EQUAL(chmod(k, 0640), 0);
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, s2, k), LK_ESTORE);
	CU_ASSERT_PTR_NULL(o);
	want = lk_strdupf("store: key file %s is accessible by group or "
			  "others (mode 0640): chmod 600 it",
			  k);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	CU_ASSERT_EQUAL(chmod(k, 0604), 0);
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, s2, k), LK_ESTORE);
	/* wrong size */
	CU_ASSERT_EQUAL(chmod(k, 0600), 0);
	CU_ASSERT_EQUAL(truncate(k, 31), 0);
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, s2, k), LK_ESTORE);
	want = lk_strdupf("store: key file %s has 31 bytes, expected 32", k);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	lk_free(want);
	CU_ASSERT_EQUAL(truncate(k, 33), 0);
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, s2, k), LK_ESTORE);
	/* a folder is not a key file */
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, s2, kdir), LK_ESTORE);
	CU_ASSERT_PTR_NULL(o);
	/* no paths */
	CU_ASSERT_EQUAL(lk_store__open(&o, ctx, NULL, k), LK_ECONFIG);
	lk_free(kdir);
	lk_free(k);
	lk_free(s2);
}

/* What a killed writer leaves is cleaned once stale, never listed. */
static void test_leftovers(void)
{
	lk_conn *a = create("left", "leftapp");
	char *old = lk_strdupf("%s/o/6c656674/leftapp/.tmp-aaaaaa", spath);
	char *young = lk_strdupf("%s/o/6c656674/leftapp/.tmp-bbbbbb", spath);
	struct timespec times[2] = {{1000, 0}, {1000, 0}};
	lk_conn_list *list = NULL;
	FILE *f;

	f = fopen(old, "w");
	fputs("torn", f);
	fclose(f);
	f = fopen(young, "w");
	fclose(f);
	CU_ASSERT_EQUAL(utimensat(AT_FDCWD, old, times, 0), 0);
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "left", NULL), LK_OK);
	CU_ASSERT_EQUAL(list->count, 1);
	lk_conn_list_free(list);
	lk_conn *b = create("left", "leftapp");
	CU_ASSERT_EQUAL(access(old, F_OK), -1);
	CU_ASSERT_EQUAL(access(young, F_OK), 0);
	unlink(young);
	/* a folder that is no app's is named, not skipped */
	char *bad = lk_strdupf("%s/o/6c656674/Not-An-App", spath);
	CU_ASSERT_EQUAL(mkdir(bad, 0700), 0);
	CU_ASSERT_EQUAL(lk_store__list(&list, st, "left", NULL), LK_ESTORE);
	char *want = lk_strdupf("store: %s/o/6c656674/Not-An-App is not an "
				"app folder",
				spath);
	CU_ASSERT_STRING_EQUAL(lk_errmsg(ctx), want);
	rmdir(bad);
	/* a key file reached through a symbolic link is fine */
	char *ln = lk_strdupf("%s/link.key", dir);
	lk_store *o = NULL;
	CU_ASSERT_EQUAL(symlink(kpath, ln), 0);
	CU_ASSERT_EQUAL_FATAL(lk_store__open(&o, ctx, spath, ln), LK_OK);
	lk_conn *l = NULL;
	CU_ASSERT_EQUAL(lk_store__load(&l, o, "left", b->id), LK_OK);
	lk_conn_free(l);
	lk_store__close(o);
	lk_free(ln);
	lk_free(want);
	lk_free(bad);
	lk_free(old);
	lk_free(young);
	lk_conn_free(a);
	lk_conn_free(b);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("store", setup, teardown);
	return !s || !CU_add_test(s, "round trip", test_round_trip) ||
	       !CU_add_test(s, "bad record json", test_json_bad) ||
	       !CU_add_test(s, "tamper", test_tamper) ||
	       !CU_add_test(s, "wrong key", test_wrong_key) ||
	       !CU_add_test(s, "moved file", test_moved) ||
	       !CU_add_test(s, "owner isolation", test_owners) ||
	       !CU_add_test(s, "id validation", test_ids) ||
	       !CU_add_test(s, "numbering", test_numbering) ||
	       !CU_add_test(s, "flows", test_flows) ||
	       !CU_add_test(s, "modes", test_modes) ||
	       !CU_add_test(s, "key file", test_key_file) ||
	       !CU_add_test(s, "leftovers", test_leftovers);
}

LK_CUNIT_MAIN(reg)
