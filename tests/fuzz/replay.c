/* SPDX-License-Identifier: MIT */
/*
 * Replays every fuzz target's corpus without libFuzzer, in `make check`:
 * each file of tests/fuzz/corpus/<target>/ is fed to the target once.
 * A crash or sanitizer report fails the test; so does an empty corpus.
 * Usage: replay [TARGET]...   (default: every target in targets.h)
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

#define LK_FUZZ_TARGET(name) int lk_fuzz_##name(const uint8_t *, size_t);
#include "targets.h"
#undef LK_FUZZ_TARGET

static const struct {
	const char *name;
	int (*fn)(const uint8_t *, size_t);
} targets[] = {
#define LK_FUZZ_TARGET(name) {#name, lk_fuzz_##name},
#include "targets.h"
#undef LK_FUZZ_TARGET
};

#ifndef LK_FUZZ_SRCDIR
#define LK_FUZZ_SRCDIR "."
#endif

#define REPLAY_MAX_INPUT (4 * 1024 * 1024)

static unsigned pass, fail;

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_file(size_t t, const char *path)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *buf = malloc(REPLAY_MAX_INPUT);
	size_t n = 0;
	if (!fp || !buf) {
		printf("not ok - %s: cannot read %s\n", targets[t].name, path);
		fail++;
	} else {
		n = fread(buf, 1, REPLAY_MAX_INPUT, fp);
		/* an exact-size copy, so ASan sees reads past the end */
		unsigned char *in = malloc(n ? n : 1);
		if (in)
			memcpy(in, buf, n);
		if (!in || targets[t].fn(in, n) != 0) {
			printf("not ok - %s: %s\n", targets[t].name, path);
			fail++;
		} else {
			pass++;
		}
		free(in);
	}
	if (fp)
		fclose(fp);
	free(buf);
}

static void run_target(size_t t, const char *srcdir)
{
	char dir[4096];
	char path[4096 + 256];
	char **names = NULL;
	size_t count = 0, cap = 0;
	struct dirent *de;

	snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", srcdir,
		 targets[t].name);
	DIR *d = opendir(dir);
	if (!d) {
		printf("not ok - %s: no corpus folder %s\n", targets[t].name,
		       dir);
		fail++;
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (count == cap) {
			cap = cap ? cap * 2 : 32;
			char **nn = realloc(names, cap * sizeof(*nn));
			if (!nn)
				break;
			names = nn;
		}
		names[count] = strdup(de->d_name);
		if (names[count])
			count++;
	}
	closedir(d);
	qsort(names, count, sizeof(*names), by_name);
	unsigned before = pass;
	for (size_t i = 0; i < count; i++) {
		struct stat st;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			run_file(t, path);
		free(names[i]);
	}
	free(names);
	if (pass == before) {
		printf("not ok - %s: empty corpus %s\n", targets[t].name, dir);
		fail++;
	} else {
		printf("ok - %s: %u inputs\n", targets[t].name, pass - before);
	}
}

int main(int argc, char **argv)
{
	const char *srcdir = getenv("top_srcdir");
	if (!srcdir || !*srcdir)
		srcdir = LK_FUZZ_SRCDIR;
	for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
		bool want = argc < 2;
		for (int a = 1; a < argc; a++)
			want = want || strcmp(argv[a], targets[t].name) == 0;
		if (want)
			run_target(t, srcdir);
	}
	printf("LK-COUNT pass=%u fail=%u\n", pass, fail);
	return fail ? 1 : 0;
}
