/*
 * paths.c — see paths.h.
 */
#include "paths.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int hx_make_parent_dirs(const char *path, hx_error *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n >= sizeof buf) return hx_fail(err, "%s: path too long", path);
    memcpy(buf, path, n + 1);
    for (char *p = buf + 1; *p; p++) {
        if (*p != '/') continue;
        *p = '\0';
        if (mkdir(buf, 0777) != 0 && errno != EEXIST)
            return hx_fail(err, "%s: cannot create folder %s: %s", path, buf, strerror(errno));
        *p = '/';
    }
    return 0;
}
