/*
 * result.c — names for result statuses (see result.h).
 */
#include "result.h"

const char *hx_status_name(hx_status s)
{
    switch (s) {
    case HX_PASS: return "pass";
    case HX_FAIL: return "fail";
    case HX_ERROR: return "error";
    }
    return "error";
}
