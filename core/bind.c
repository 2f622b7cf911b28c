/* SPDX-License-Identifier: MIT */
/* placeholder: being written */
#include "core.h"
