/*
 * paths.h — file-system helpers for outputs the harness creates.
 *
 * The suite names where the database goes ("reports/harness.db"); a fresh
 * checkout has no reports/ folder yet, so commands that write create the
 * parent folders first, the way `mkdir -p` would.
 */
#ifndef HX_PATHS_H
#define HX_PATHS_H

#include "error.h"

/* Create every missing folder above `path` (not path itself). */
int hx_make_parent_dirs(const char *path, hx_error *err);

#endif
