/*
 * canon.c — helpers for the hx_canon result type (see canon.h).
 */
#include "canon.h"

#include <stdarg.h>
#include <stdio.h>

int hx_canon_refuse(hx_canon *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->why, sizeof out->why, fmt, ap);
    va_end(ap);
    out->value[0] = '\0';
    return -1;
}

int hx_canon_set(hx_canon *out, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(out->value, sizeof out->value, fmt, ap);
    va_end(ap);
    out->why[0] = '\0';
    return 0;
}
