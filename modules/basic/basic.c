/* SPDX-License-Identifier: MIT */
#include <latchkey/module.h>
