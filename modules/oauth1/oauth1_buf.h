/* SPDX-License-Identifier: MIT */
/* A growable byte buffer for building base strings and headers. It
 * remembers an allocation failure so callers check once, at the end. */
#ifndef OAUTH1_BUF_H
#define OAUTH1_BUF_H
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include <latchkey/latchkey.h>

struct oauth1_buf {
	char *data; /* NUL-terminated when len > 0 or cap > 0 */
	size_t len;
	size_t cap;
	bool failed;   /* an allocation failed: data is stale */
	bool borrowed; /* data is the caller's storage, not freed */
};

/* Start @p b on caller storage (a stack array): no allocation until it
 * outgrows @p cap bytes. Wipe it all the same. */
static inline void oauth1_buf_init(struct oauth1_buf *b, char *storage,
				   size_t cap)
{
	b->data = storage;
	b->len = 0;
	b->cap = cap;
	b->failed = false;
	b->borrowed = true;
	storage[0] = '\0';
}

/* Make room for @p extra more bytes plus a NUL. */
bool oauth1_buf_reserve(struct oauth1_buf *b, size_t extra);
/* Wipe what was written (the buffer may hold key material) and free;
 * leaves it empty. */
void oauth1_buf_wipe(struct oauth1_buf *b);
/* Hand the text over (lk_free / lk_str_wipe_free; "" when nothing was
 * added); NULL after an allocation failure. The buffer is left empty. */
char *oauth1_buf_take(struct oauth1_buf *b);

/* Room for @p extra more bytes plus a NUL; the common case inline. */
static inline bool oauth1_buf_room(struct oauth1_buf *b, size_t extra)
{
	if (!b->failed && extra < b->cap && b->len + extra + 1 <= b->cap)
		return true;
	return oauth1_buf_reserve(b, extra);
}

static inline void oauth1_buf_add(struct oauth1_buf *b, const void *p, size_t n)
{
	if (b->len + n + 1 > b->cap && !oauth1_buf_reserve(b, n))
		return;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

static inline void oauth1_buf_str(struct oauth1_buf *b, const char *s)
{
	oauth1_buf_add(b, s, strlen(s));
}
#endif
