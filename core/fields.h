/* SPDX-License-Identifier: MIT */
/* lk_fields helpers private to the core. */
#ifndef LK_FIELDS_H
#define LK_FIELDS_H
#include "core.h"
struct cJSON;

LK_INTERNAL lk_status lk_fields__dup(lk_fields **out, const lk_fields *f);
/* Set every entry of @p src into @p dst (replacing). */
LK_INTERNAL lk_status lk_fields__merge(lk_fields *dst, const lk_fields *src);
/* {"key": {"v": "value", "s": true}, ...} keeps the secret flags. */
LK_INTERNAL lk_status lk_fields__to_json(struct cJSON **out,
					 const lk_fields *f);
LK_INTERNAL lk_status lk_fields__from_json(lk_fields **out,
					   const struct cJSON *obj);
#endif
