/* SPDX-License-Identifier: MIT */
/* Status texts, names and exit codes, generated from LK_STATUS_MAP. */
#include "core.h"

static const struct {
	const char *name;
	int exit_code;
	const char *text;
} status_table[] = {
#define LK_X_ROW(name, code, text) {#name, code, text},
	LK_STATUS_MAP(LK_X_ROW)
#undef LK_X_ROW
};

static bool status_ok(lk_status st)
{
	return (unsigned)st < (unsigned)LK__STATUS_COUNT;
}

const char *lk_strerror(lk_status st)
{
	return status_ok(st) ? status_table[st].text : "unknown status";
}

const char *lk_status_name(lk_status st)
{
	return status_ok(st) ? status_table[st].name : "EUNKNOWN";
}

int lk_status_exit_code(lk_status st)
{
	return status_ok(st) ? status_table[st].exit_code : 2;
}
