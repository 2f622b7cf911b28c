/* SPDX-License-Identifier: MIT */
/* A growable byte buffer (see oauth1_buf.h). */
#include <openssl/crypto.h>

#include "oauth1_buf.h"

bool oauth1_buf_reserve(struct oauth1_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->failed)
		return false;
	if (extra > ((size_t)-1) / 2 - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	/* Not realloc: the old block may hold secrets and must be wiped. */
	p = lk_malloc(cap);
	if (!p)
		goto fail;
	if (b->data) {
		memcpy(p, b->data, b->len + 1);
		OPENSSL_cleanse(b->data, b->len + 1);
		if (!b->borrowed)
			lk_free(b->data);
	} else {
		p[0] = '\0';
	}
	b->data = p;
	b->cap = cap;
	b->borrowed = false;
	return true;
fail:
	b->failed = true;
	return false;
}

/* Only len bytes are wiped: len never shrinks without a wipe, so
 * nothing was ever written beyond it (and a NUL). */
void oauth1_buf_wipe(struct oauth1_buf *b)
{
	if (b->data) {
		OPENSSL_cleanse(b->data,
				b->len + 1 <= b->cap ? b->len + 1 : b->cap);
		if (!b->borrowed)
			lk_free(b->data);
	}
	memset(b, 0, sizeof(*b));
}

char *oauth1_buf_take(struct oauth1_buf *b)
{
	char *p = NULL;

	if (!b->failed && b->data && !b->borrowed) {
		p = b->data;
		b->data = NULL;
	} else if (!b->failed && b->data) {
		p = lk_strdup(b->data);
	} else if (!b->failed) {
		p = lk_strdup("");
	}
	oauth1_buf_wipe(b);
	return p;
}
