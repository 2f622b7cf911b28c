/* SPDX-License-Identifier: MIT */
/* latchkey.conf and apps.d/<name>.conf through libconfig; file:line errors. */
#ifndef LK_CONFIG_H
#define LK_CONFIG_H
#include "core.h"

/* Load the configuration into @p ctx (apps sorted by id). Every problem
 * is logged at LK_LOG_ERROR as "file:line: message"; the first is the
 * ctx's error. File names are relative to the folder of @p path when
 * under it ("apps.d/x.conf"), absolute otherwise. A failed load leaves
 * the ctx as before it (nothing loaded). @p path NULL: $LATCHKEY_CONFIG,
 * then LK_SYSCONF_DIR "/latchkey.conf". @return LK_OK or LK_ECONFIG. */
LK_INTERNAL lk_status lk_config__load(lk_ctx *ctx, const char *path);

/* Check a module's block against its declared keys and fill
 * block->values (defaults applied, LK_KEY_SECRET resolved from inline,
 * env:NAME or key_file). Unknown keys and wrong types are errors.
 * @p block_name is the block's key in the app ("oauth2"). */
LK_INTERNAL lk_status lk_config__check_block(lk_ctx *ctx, const lk_app *app,
					     const char *block_name,
					     const struct lk_config_key *keys,
					     struct lk_block *block);

/* Read a secret: @p path "env:NAME" from the environment, else a file
 * relative to the folder of @p where (the path of the file that names
 * it), refused when group/world-readable, one trailing newline stripped.
 * The error message names @p path as written, never the secret.
 * @p out goes to lk_str_wipe_free. */
LK_INTERNAL lk_status lk_config__read_secret_file(char **out, lk_ctx *ctx,
						  const char *path,
						  const char *where);

/* Drop everything lk_config__load filled in (the ctx can load again). */
LK_INTERNAL void lk_config__free(lk_ctx *ctx);
/* Free an app, its settings (inline secrets wiped) and its bound blocks
 * (not the modules). NULL accepted. */
LK_INTERNAL void lk_app__free(lk_app *app);
/* Intern a file name for lk_setting.file: lent for the life of the
 * loaded configuration; NULL when out of memory. */
LK_INTERNAL const char *lk_config__intern(lk_ctx *ctx, const char *file);
#endif
