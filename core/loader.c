/* SPDX-License-Identifier: MIT */
/*
 * Loading modules with libltdl (STYLE.md B3, loader contract): open
 * exactly <module_path>/<name>.so, check the opened file and its folder,
 * dlopen that very file through /proc/self/fd/N, check the ABI and
 * normalise the tables into struct lk_module_rt.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <ltdl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "error.h"
#include "loader.h"

/* lt_dlerror is global: every libltdl call happens under this lock. */
static pthread_mutex_t lt_lock = PTHREAD_MUTEX_INITIALIZER;
/* libltdl is initialised once for the process and never torn down:
 * lt_dlexit at refcount zero, followed by a new lt_dlinit, was seen to
 * hand back a stale handle for a reused /proc/self/fd/N name. */
static int lt_ready; /* under lt_lock: 1 ok, -1 failed */

/*
 * One loaded object per file (device and inode) for the whole process,
 * shared by every context that uses it. It was dlopened as
 * "/proc/self/fd/N" and keeps N open while loaded, so that name stays
 * unique to it. The file is dlopened once: a second dlopen of the same
 * inode under another fd name would make the dynamic linker record that
 * name as an alias, and once that fd number was reused by another
 * module, dlopen would hand back this object instead. Under lt_lock.
 */
struct shared_obj {
	dev_t dev;
	ino_t ino;
	lt_dlhandle handle;
	int fd;
	unsigned refs;
	struct shared_obj *next;
};
static struct shared_obj *shared_objs;

struct loaded {
	struct lk_module_rt rt;
	struct shared_obj *obj;
};

/* Under lt_lock. */
static struct shared_obj *shared_find(dev_t dev, ino_t ino)
{
	for (struct shared_obj *o = shared_objs; o; o = o->next)
		if (o->dev == dev && o->ino == ino)
			return o;
	return NULL;
}

/* Under lt_lock: drop one user; the last one unloads and closes. */
static void shared_release(struct shared_obj *obj)
{
	if (--obj->refs > 0)
		return;
	for (struct shared_obj **p = &shared_objs; *p; p = &(*p)->next)
		if (*p == obj) {
			*p = obj->next;
			break;
		}
	lt_dlclose(obj->handle);
	close(obj->fd);
	lk_free(obj);
}

/* libltdl's state lives as long as the library: a host that dlcloses
 * liblatchkey must not leak it. */
__attribute__((destructor)) static void loader_unload(void)
{
	pthread_mutex_lock(&lt_lock);
	if (lt_ready == 1 && !shared_objs) {
		lt_dlexit();
		lt_ready = 0;
	}
	pthread_mutex_unlock(&lt_lock);
}

static bool name_ok(const char *name)
{
	if (!name || !(*name >= 'a' && *name <= 'z'))
		return false;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '_'))
			return false;
	return strlen(name) <= 64;
}

/* Owner root or us, not group/world-writable. */
static lk_status check_stat(lk_ctx *ctx, const char *path,
			    const struct stat *sb)
{
	unsigned mode = (unsigned)(sb->st_mode & 07777);

	if (sb->st_mode & S_IWOTH)
		return lk_error__set(ctx, LK_EMODULE,
				     "refused: %s is world-writable (mode %04o)",
				     path, mode);
	if (sb->st_mode & S_IWGRP)
		return lk_error__set(ctx, LK_EMODULE,
				     "refused: %s is group-writable (mode %04o)",
				     path, mode);
	if (sb->st_uid != 0 && sb->st_uid != geteuid())
		return lk_error__set(ctx, LK_EMODULE,
				     "refused: %s is owned by uid %u, not root "
				     "or the running user",
				     path, (unsigned)sb->st_uid);
	return LK_OK;
}

/* Check the folder, then open the file itself without following a
 * symlink and check the descriptor: what we check is what we load. */
static lk_status open_checked(int *out_fd, lk_ctx *ctx, const char *dir,
			      const char *path)
{
	struct stat sb;
	int dfd, fd;
	lk_status rc;

	*out_fd = -1;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return lk_error__set(ctx, LK_EMODULE, "%s: cannot open: %s",
				     dir, strerror(errno));
	if (fstat(dfd, &sb) != 0) {
		rc = lk_error__set(ctx, LK_EMODULE, "%s: %s", dir,
				   strerror(errno));
		close(dfd);
		return rc;
	}
	close(dfd);
	rc = check_stat(ctx, dir, &sb);
	if (rc != LK_OK)
		return rc;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return lk_error__set(ctx, LK_EMODULE,
					     "refused: %s is a symbolic link",
					     path);
		return lk_error__set(ctx, LK_EMODULE, "%s: cannot open: %s",
				     path, strerror(errno));
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return lk_error__set(ctx, LK_EMODULE,
				     "refused: %s is not a regular file", path);
	}
	rc = check_stat(ctx, path, &sb);
	if (rc != LK_OK) {
		close(fd);
		return rc;
	}
	*out_fd = fd;
	return LK_OK;
}

/* Copy min(size, sizeof) of a table into a zeroed core-side copy. */
static lk_status copy_sized(lk_ctx *ctx, const char *path, const char *what,
			    void *dst, size_t dst_size, const void *src,
			    uint32_t size, size_t min_size)
{
	if (size < min_size)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: %s table is %u bytes, at least %u "
				     "required",
				     path, what, (unsigned)size,
				     (unsigned)min_size);
	memset(dst, 0, dst_size);
	memcpy(dst, src, size < dst_size ? size : dst_size);
	return LK_OK;
}

/* An ops table: it starts with its size. */
static lk_status copy_table(lk_ctx *ctx, const char *path, const char *what,
			    void *dst, size_t dst_size, const void *src,
			    size_t min_size)
{
	uint32_t size;

	memcpy(&size, src, sizeof(size));
	return copy_sized(ctx, path, what, dst, dst_size, src, size, min_size);
}

static lk_status normalise(struct lk_module_rt *rt, lk_ctx *ctx,
			   const char *path, const struct lk_module *m)
{
	uint32_t abi = m->abi, size = m->size;
	lk_status rc;

	if (LK_ABI_MAJOR(abi) != LK_ABI_MAJOR(LK_MODULE_ABI))
		return lk_error__set(
			ctx, LK_EMODULE,
			"%s: built for latchkey module ABI %u.%u, this core "
			"speaks %u.%u; rebuild it against latchkey %u.x",
			path, LK_ABI_MAJOR(abi), LK_ABI_MINOR(abi),
			LK_ABI_MAJOR(LK_MODULE_ABI),
			LK_ABI_MINOR(LK_MODULE_ABI),
			LK_ABI_MAJOR(LK_MODULE_ABI));
	rc = copy_sized(ctx, path, "module", &rt->mod, sizeof(rt->mod), m,
			size, LK_MODULE_MIN_SIZE);
	if (rc != LK_OK)
		return rc;
	if (rt->mod.scheme) {
		rc = copy_table(ctx, path, "scheme", &rt->scheme,
				sizeof(rt->scheme), rt->mod.scheme,
				LK_SCHEME_OPS_MIN_SIZE);
		if (rc != LK_OK)
			return rc;
		rt->has_scheme = true;
	}
	if (rt->mod.refresh) {
		rc = copy_table(ctx, path, "refresh", &rt->refresh,
				sizeof(rt->refresh), rt->mod.refresh,
				LK_REFRESH_OPS_MIN_SIZE);
		if (rc != LK_OK)
			return rc;
		rt->has_refresh = true;
	}
	if (rt->mod.hooks) {
		rc = copy_table(ctx, path, "hooks", &rt->hooks,
				sizeof(rt->hooks), rt->mod.hooks,
				LK_HOOKS_OPS_MIN_SIZE);
		if (rc != LK_OK)
			return rc;
		rt->has_hooks = true;
	}
	return LK_OK;
}

static lk_status validate(const struct lk_module_rt *rt, lk_ctx *ctx,
			  const char *path, const char *name)
{
	const struct lk_scheme_ops *s = &rt->scheme;

	if (!rt->mod.name || strcmp(rt->mod.name, name) != 0)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: module calls itself \"%s\", not "
				     "\"%s\" as its file name says",
				     path, rt->mod.name ? rt->mod.name : "",
				     name);
	if (!rt->has_scheme && !rt->has_refresh && !rt->has_hooks)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: provides no scheme, refresh or hooks "
				     "table",
				     path);
	if (rt->has_scheme && !s->authorize)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: scheme table has no authorize", path);
	if (rt->has_scheme && !!s->connect_begin != !!s->connect_finish)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: scheme table has connect_begin but "
				     "no connect_finish (or the reverse)",
				     path);
	if (rt->has_scheme && !!s->state_new != !!s->state_free)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: scheme table has state_new but no "
				     "state_free (or the reverse)",
				     path);
	if (rt->has_refresh && !rt->refresh.should_refresh)
		return lk_error__set(ctx, LK_EMODULE,
				     "%s: refresh table has no should_refresh",
				     path);
	return LK_OK;
}

lk_status lk_loader__open(struct lk_module_rt **out, lk_ctx *ctx,
			  const char *dir, const char *name)
{
	struct lk_module_rt *rt = NULL;
	struct loaded *ld = NULL;
	char *path = NULL, *fdpath = NULL;
	const struct lk_module *m;
	lt_dladvise advise;
	lt_dlhandle h = NULL;
	int fd = -1;
	lk_status rc;

	*out = NULL;
	if (!name_ok(name))
		return lk_error__set(ctx, LK_EMODULE,
				     "module name \"%s\" is invalid (only "
				     "[a-z][a-z0-9_]* is allowed)",
				     name ? name : "");
	if (!dir || !*dir)
		return lk_error__set(ctx, LK_EMODULE, "no module_path set");
	path = lk_strdupf("%s/%s.so", dir, name);
	if (!path)
		return LK_ENOMEM;
	rc = open_checked(&fd, ctx, dir, path);
	if (rc != LK_OK)
		goto out;
	fdpath = lk_strdupf("/proc/self/fd/%d", fd);
	ld = lk_calloc(1, sizeof(*ld));
	if (ld)
		rt = &ld->rt;
	if (!fdpath || !rt || !(rt->name = lk_strdup(name))) {
		rc = LK_ENOMEM;
		goto out;
	}

	pthread_mutex_lock(&lt_lock);
	if (lt_ready == 0)
		lt_ready = lt_dlinit() == 0 ? 1 : -1;
	if (lt_ready != 1) {
		rc = lk_error__set(ctx, LK_EMODULE, "%s: libltdl: %s", path,
				   lt_dlerror());
		pthread_mutex_unlock(&lt_lock);
		goto out;
	}
	struct stat st;
	struct shared_obj *obj = NULL;
	if (fstat(fd, &st) == 0)
		obj = shared_find(st.st_dev, st.st_ino);
	if (obj) {
		obj->refs++; /* already loaded: never dlopen it twice */
		h = obj->handle;
	} else if (lt_dladvise_init(&advise) == 0) {
		lt_dladvise_local(&advise);
		h = lt_dlopenadvise(fdpath, advise);
		lt_dladvise_destroy(&advise);
	}
	if (!h) {
		const char *e = lt_dlerror();
		char magic[4] = {0};
		/* libltdl reports most failures as "file not found": say
		 * first whether this is an ELF file at all. */
		bool elf = pread(fd, magic, 4, 0) == 4 &&
			   memcmp(magic, "\177ELF", 4) == 0;
		/* For an ELF file, libltdl's text hides the linker's reason
		 * ("undefined symbol: ..."): ask the linker itself. A failed
		 * dlopen leaves nothing loaded. */
		const char *why = NULL;
		if (elf && !dlopen(fdpath, RTLD_NOW | RTLD_LOCAL))
			why = dlerror();
		size_t n = strlen(fdpath);
		if (why && strncmp(why, fdpath, n) == 0 && why[n] == ':')
			why += n + 2; /* the path is named already */
		rc = lk_error__set(ctx, LK_EMODULE,
				   "%s: cannot load: %s%s%s", path,
				   elf ? "" : "not an ELF shared object; ",
				   why ? "" : "libltdl: ",
				   why ? why : e ? e : "unknown error");
		pthread_mutex_unlock(&lt_lock);
		goto out;
	}
	if (!obj) {
		obj = lk_calloc(1, sizeof(*obj));
		if (!obj) {
			lt_dlclose(h);
			pthread_mutex_unlock(&lt_lock);
			rc = LK_ENOMEM;
			goto out;
		}
		obj->dev = st.st_dev;
		obj->ino = st.st_ino;
		obj->handle = h;
		obj->fd = fd;
		obj->refs = 1;
		obj->next = shared_objs;
		shared_objs = obj;
		fd = -1;
	}
	rt->handle = h;
	ld->obj = obj;
	m = (const struct lk_module *)lt_dlsym(h, "latchkey_module");
	if (!m) {
		const char *e = lt_dlerror();
		rc = lk_error__set(ctx, LK_EMODULE,
				   "%s: not a latchkey module (no symbol "
				   "latchkey_module): %s",
				   path, e ? e : "not found");
		pthread_mutex_unlock(&lt_lock);
		goto out;
	}
	pthread_mutex_unlock(&lt_lock);

	rc = normalise(rt, ctx, path, m);
	if (rc == LK_OK)
		rc = validate(rt, ctx, path, name);
	if (rc != LK_OK)
		goto out;
	if (rt->mod.init) {
		struct lk_module_env env = {sizeof(env), LK_MODULE_ABI, dir};
		lk_status irc = rt->mod.init(&env, &rt->modctx);
		if (irc != LK_OK) {
			/* init has no lk_call to explain itself: its status
			 * is the reason. */
			rc = lk_error__set(ctx, LK_EMODULE,
					   "%s: error during initialization: "
					   "%s",
					   path, lk_strerror(irc));
			rt->mod.fini = NULL; /* init failed: no fini */
			goto out;
		}
	}
	*out = rt;
	rt = NULL;
out:
	if (fd >= 0)
		close(fd);
	lk_loader__close(rt);
	lk_free(fdpath);
	lk_free(path);
	return rc;
}

void lk_loader__close(struct lk_module_rt *rt)
{
	struct loaded *ld = (struct loaded *)rt; /* rt is its first member */

	if (!rt)
		return;
	if (rt->mod.fini)
		rt->mod.fini(rt->modctx);
	if (ld->obj) {
		pthread_mutex_lock(&lt_lock);
		shared_release(ld->obj);
		pthread_mutex_unlock(&lt_lock);
	}
	lk_free(rt->name);
	lk_free(ld);
}

lk_status lk_loader__get(struct lk_module_rt **out, lk_ctx *ctx,
			 const char *name)
{
	struct lk_module_rt *rt = NULL, **grown;
	lk_status rc = LK_OK;

	*out = NULL;
	/* Recursive lock: bind.c already holds it when it calls us. */
	pthread_mutex_lock(&ctx->bind_lock);
	for (size_t i = 0; i < ctx->nmods; i++) {
		if (strcmp(ctx->mods[i]->name, name) == 0) {
			*out = ctx->mods[i];
			goto out;
		}
	}
	rc = lk_loader__open(&rt, ctx, ctx->module_path, name);
	if (rc != LK_OK)
		goto out;
	grown = lk_calloc(ctx->nmods + 1, sizeof(*grown));
	if (!grown) {
		lk_loader__close(rt);
		rc = LK_ENOMEM;
		goto out;
	}
	if (ctx->nmods)
		memcpy(grown, ctx->mods, ctx->nmods * sizeof(*grown));
	lk_free(ctx->mods);
	ctx->mods = grown;
	ctx->mods[ctx->nmods++] = rt;
	*out = rt;
out:
	pthread_mutex_unlock(&ctx->bind_lock);
	return rc;
}

void lk_loader__close_all(lk_ctx *ctx)
{
	pthread_mutex_lock(&ctx->bind_lock);
	for (size_t i = ctx->nmods; i > 0; i--)
		lk_loader__close(ctx->mods[i - 1]);
	lk_free(ctx->mods);
	ctx->mods = NULL;
	ctx->nmods = 0;
	pthread_mutex_unlock(&ctx->bind_lock);
}

static int cmp_info(const void *a, const void *b)
{
	return strcmp(((const lk_module_info *)a)->name,
		      ((const lk_module_info *)b)->name);
}

lk_status lk_modules_list(lk_module_info **out, size_t *count, lk_ctx *ctx)
{
	lk_module_info *infos = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;

	*out = NULL;
	*count = 0;
	if (!ctx || !ctx->module_path)
		return LK_EINVAL;
	d = opendir(ctx->module_path);
	if (!d)
		return lk_error__set(ctx, LK_EMODULE, "%s: cannot open: %s",
				     ctx->module_path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);
		struct lk_module_rt *rt = NULL;
		lk_module_info *inf;
		char *name;

		if (len < 4 || strcmp(de->d_name + len - 3, ".so") != 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 8;
			lk_module_info *g = lk_calloc(ncap, sizeof(*g));
			if (!g)
				goto nomem;
			if (n)
				memcpy(g, infos, n * sizeof(*g));
			lk_free(infos);
			infos = g;
			cap = ncap;
		}
		name = lk_strdupf("%.*s", (int)(len - 3), de->d_name);
		if (!name)
			goto nomem;
		inf = &infos[n++];
		inf->name = name;
		/* A cached module is reused; others are opened just to
		 * describe them and closed again. */
		struct lk_module_rt *cached = NULL;
		pthread_mutex_lock(&ctx->bind_lock);
		for (size_t i = 0; i < ctx->nmods; i++)
			if (strcmp(ctx->mods[i]->name, name) == 0)
				cached = ctx->mods[i];
		if (!cached && lk_loader__open(&rt, ctx, ctx->module_path,
					       name) != LK_OK) {
			inf->error = lk_strdup(lk_errmsg(ctx));
			pthread_mutex_unlock(&ctx->bind_lock);
			if (!inf->error)
				goto nomem;
			continue;
		}
		if (cached)
			rt = cached;
		inf->version = lk_strdup(rt->mod.version ? rt->mod.version
							 : "");
		inf->abi_major = LK_ABI_MAJOR(rt->mod.abi);
		inf->abi_minor = LK_ABI_MINOR(rt->mod.abi);
		inf->scheme = rt->has_scheme;
		inf->refresh = rt->has_refresh;
		inf->hooks = rt->has_hooks;
		if (!cached)
			lk_loader__close(rt);
		pthread_mutex_unlock(&ctx->bind_lock);
		if (!inf->version)
			goto nomem;
	}
	closedir(d);
	lk_error__clear(ctx);
	if (n)
		qsort(infos, n, sizeof(*infos), cmp_info);
	*out = infos;
	*count = n;
	return LK_OK;
nomem:
	closedir(d);
	lk_module_info_free(infos, n);
	return LK_ENOMEM;
}

void lk_module_info_free(lk_module_info *infos, size_t count)
{
	if (!infos)
		return;
	for (size_t i = 0; i < count; i++) {
		lk_free((char *)infos[i].name);
		lk_free((char *)infos[i].version);
		lk_free((char *)infos[i].error);
	}
	lk_free(infos);
}
