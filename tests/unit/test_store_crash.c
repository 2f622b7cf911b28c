/* SPDX-License-Identifier: MIT */
/*
 * The file store under processes and threads: a writer killed with
 * SIGKILL at random moments leaves the old or the new record; concurrent
 * creates get distinct, consecutive numbers; increments under
 * lk_store__lock from threads and processes lose nothing.
 */
#include "test_store_util.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include <CUnit/CUnit.h>
#include <openssl/rand.h>

#include "cunit_main.h"

static int setup(void)
{
	return ts_setup("master.key");
}

static int teardown(void)
{
	return ts_teardown();
}

static unsigned rnd(unsigned below)
{
	unsigned v = 0;
	RAND_bytes((unsigned char *)&v, sizeof v);
	return v % below;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = {us / 1000000, (long)(us % 1000000) * 1000};
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Set "n", "m" and the test data to @p v: a torn record would disagree. */
static lk_status put_value(lk_conn *c, unsigned long v)
{
	char num[24];
	snprintf(num, sizeof num, "%lu", v);
	lk_free(c->test_data);
	c->test_data = lk_strdupf("{\"n\":%lu}", v);
	c->generation = v;
	if (lk_fields_set(c->fields, "n", num, false) != LK_OK ||
	    lk_fields_set(c->fields, "m", num, true) != LK_OK || !c->test_data)
		return LK_ENOMEM;
	return LK_OK;
}

/* The stored value, checked for consistency; -1 when it does not open. */
static long stored_value(const char *owner, const char *id)
{
	lk_conn *c = NULL;
	long v = -1;

	if (lk_store__load(&c, st, owner, id) != LK_OK)
		return -1;
	const char *n = lk_fields_get(c->fields, "n");
	const char *m = lk_fields_get(c->fields, "m");
	char want[40];
	if (n && m && strcmp(n, m) == 0) {
		v = strtol(n, NULL, 10);
		snprintf(want, sizeof want, "{\"n\":%ld}", v);
		if (!c->test_data || strcmp(c->test_data, want) != 0 ||
		    c->generation != (uint64_t)v)
			v = -1;
	}
	lk_conn_free(c);
	return v;
}

static void test_crash(void)
{
	lk_conn *c = ts_conn("crash", "crashapp");
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL_FATAL(put_value(c, 0), LK_OK);
	CU_ASSERT_EQUAL_FATAL(lk_store__create(st, c), LK_OK);
	long last = 0;
	int bad = 0, kills = 0;

	for (int round = 0; round < 220 && !bad; round++) {
		pid_t pid = fork();
		CU_ASSERT_FATAL(pid >= 0);
		if (pid == 0) {
			/* The writer: the next values, forever. */
			for (unsigned long v = (unsigned long)last + 1;; v++) {
				if (put_value(c, v) != LK_OK ||
				    lk_store__save(st, c) != LK_OK)
					_exit(3);
			}
		}
		sleep_us(200 + rnd(6000));
		kill(pid, SIGKILL);
		int status = 0;
		waitpid(pid, &status, 0);
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			kills++;
		else
			bad++;
		long v = stored_value("crash", c->id);
		/* the old or a newer complete version, never torn */
		if (v < last) {
			fprintf(stderr, "round %d: stored %ld after %ld: %s\n",
				round, v, last, lk_errmsg(ctx));
			bad++;
		}
		last = v;
		lk_conn_list *list = NULL;
		if (lk_store__list(&list, st, "crash", NULL) != LK_OK ||
		    list->count != 1) {
			fprintf(stderr, "round %d: list: %s\n", round,
				lk_errmsg(ctx));
			bad++;
		}
		lk_conn_list_free(list);
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(kills >= 200);
	CU_ASSERT_TRUE(last > 0); /* the writer did write */
	/* Some kills landed mid-write: their temporary files are there. */
	char *adir = lk_strdupf("%s/o/6372617368/crashapp", spath);
	DIR *d = opendir(adir);
	int torn = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		torn += strncmp(de->d_name, ".tmp-", 5) == 0;
	if (d)
		closedir(d);
	lk_free(adir);
	CU_ASSERT_TRUE(torn > 0);
	fprintf(stderr, "crash: %d kills, last value %ld, %d mid-write\n",
		kills, last, torn);
	lk_conn_free(c);
}

/* @p nproc processes each create @p per connections of one owner+app. */
static void race_numbers(const char *app, int nproc, int per)
{
	pid_t pids[8];

	for (int i = 0; i < nproc; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0) {
			for (int k = 0; k < per; k++) {
				lk_conn *c = ts_conn("race", app);
				if (!c || lk_store__create(st, c) != LK_OK)
					_exit(3);
				lk_conn_free(c);
			}
			_exit(0);
		}
	}
	for (int i = 0; i < nproc; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	lk_conn_list *list = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_store__list(&list, st, "race", app), LK_OK);
	CU_ASSERT_EQUAL(list->count, (size_t)(nproc * per));
	/* sorted by number: distinct and consecutive is 1..N in order */
	for (size_t i = 0; i < list->count; i++)
		CU_ASSERT_EQUAL(list->items[i]->number, i + 1);
	lk_conn_list_free(list);
}

static void test_number_race(void)
{
	race_numbers("racetwo", 2, 20);
	race_numbers("racefour", 4, 10);
}

#define THREADS 4
#define PROCS 2
#define INCS 40

static const char *lock_id;

/* Load, add one, save, under the connection's lock. */
static int increment(lk_store *s)
{
	lk_store_lock *lk = NULL;
	lk_conn *c = NULL;
	char num[24];
	int rc = -1;

	if (lk_store__lock(&lk, s, "locker", lock_id) != LK_OK)
		return -1;
	if (lk_store__load(&c, s, "locker", lock_id) == LK_OK) {
		long v = strtol(lk_fields_get(c->fields, "n"), NULL, 10);
		/* widen the window a lost update would need */
		sched_yield();
		snprintf(num, sizeof num, "%ld", v + 1);
		if (lk_fields_set(c->fields, "n", num, false) == LK_OK &&
		    lk_store__save(s, c) == LK_OK)
			rc = 0;
	}
	lk_conn_free(c);
	lk_store__unlock(lk);
	return rc;
}

static void *inc_thread(void *arg)
{
	intptr_t fails = 0;
	(void)arg;
	for (int i = 0; i < INCS; i++)
		fails += increment(st) != 0;
	return (void *)fails;
}

static void test_lock(void)
{
	lk_conn *c = ts_conn("locker", "lockapp");
	pthread_t th[THREADS];
	pid_t pids[PROCS];

	CU_ASSERT_EQUAL_FATAL(lk_store__create(st, c), LK_OK);
	lock_id = c->id;
	/* fork first: a child of a threaded process gets only one thread */
	for (int i = 0; i < PROCS; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0) {
			int fails = 0;
			for (int k = 0; k < INCS; k++)
				fails += increment(st) != 0;
			_exit(fails ? 3 : 0);
		}
	}
	for (int i = 0; i < THREADS; i++)
		CU_ASSERT_EQUAL_FATAL(
		    pthread_create(&th[i], NULL, inc_thread, NULL), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ret = NULL;
		pthread_join(th[i], &ret);
		CU_ASSERT_EQUAL((intptr_t)ret, 0);
	}
	for (int i = 0; i < PROCS; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	lk_conn *l = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_store__load(&l, st, "locker", c->id), LK_OK);
	char want[24];
	snprintf(want, sizeof want, "%d", (THREADS + PROCS) * INCS);
	CU_ASSERT_STRING_EQUAL(lk_fields_get(l->fields, "n"), want);
	lk_conn_free(l);
	lk_conn_free(c);
}

/* Processes opening a new store at once all end up with the one key. */
static void test_first_use(void)
{
	char *s2 = lk_strdupf("%s/fresh/store", dir);
	char *k2 = lk_strdupf("%s/fresh/keys/master.key", dir);
	pid_t pids[6];

	for (int i = 0; i < 6; i++) {
		pids[i] = fork();
		CU_ASSERT_FATAL(pids[i] >= 0);
		if (pids[i] == 0) {
			lk_store *o = NULL;
			lk_conn *c = ts_conn("first", "firstapp");
			if (lk_store__open(&o, ctx, s2, k2) != LK_OK ||
			    lk_store__create(o, c) != LK_OK)
				_exit(3);
			_exit(0);
		}
	}
	for (int i = 0; i < 6; i++) {
		int status = 0;
		waitpid(pids[i], &status, 0);
		CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	lk_store *o = NULL;
	lk_conn_list *list = NULL;
	CU_ASSERT_EQUAL_FATAL(lk_store__open(&o, ctx, s2, k2), LK_OK);
	CU_ASSERT_EQUAL(lk_store__list(&list, o, "first", NULL), LK_OK);
	CU_ASSERT_EQUAL(list ? list->count : 0, 6);
	lk_conn_list_free(list);
	lk_store__close(o);
	lk_free(s2);
	lk_free(k2);
}

static int reg(void)
{
	CU_pSuite s = CU_add_suite("store processes", setup, teardown);
	return !s || !CU_add_test(s, "crash", test_crash) ||
	       !CU_add_test(s, "numbering race", test_number_race) ||
	       !CU_add_test(s, "lock", test_lock) ||
	       !CU_add_test(s, "first use race", test_first_use);
}

LK_CUNIT_MAIN(reg)
