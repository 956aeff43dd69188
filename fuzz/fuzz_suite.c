/*
 * fuzz_suite.c — suite files (suite.json): hx_suite_load, then
 * hx_suite_load_parts and hx_suite_find_module when the structure loaded.
 *
 * The input is written to <scratch>/suite.json. The scratch folder holds
 * copies of the repository's own rule files and saved programs
 * (assertions/, modules/ of the demo suite and of tests/fixtures/basic),
 * so a suite that names them loads its parts too, and rules are checked
 * against the module's signature. Parts are loaded only when every path a
 * module names stays inside the scratch folder (no "..", not absolute):
 * the fuzzer must not read /dev/zero or a FIFO, or the machine's files.
 * Diagnostics are printed (text and JSON) to /dev/null.
 */
#include <stdbool.h>

#include "fuzz_util.h"
#include "suite.h"

static const char *const PART_FILES[] = {
    "tests/fixtures/basic/assertions/booking.json", "assertions/booking.json",
    "tests/fixtures/basic/modules/booking_extractor.json", "modules/booking_extractor.json",
    "assertions/clinic-scheduling.json", "assertions/clinic-scheduling.json",
    "assertions/insurance-eligibility.json", "assertions/insurance-eligibility.json",
    "assertions/real-estate-showing.json", "assertions/real-estate-showing.json",
    "assertions/restaurant-booking.json", "assertions/restaurant-booking.json",
    "modules/appointment_extractor.json", "modules/appointment_extractor.json",
    "modules/eligibility_router.json", "modules/eligibility_router.json",
    "modules/showing_extractor.json", "modules/showing_extractor.json",
    NULL, NULL};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fz_setup();
    fz_mkdir("assertions");
    fz_mkdir("modules");
    /* The demo suite's modules/booking_extractor.json wins over the
     * fixture's when both exist (same name, same signature). */
    for (size_t i = 0; PART_FILES[i]; i += 2) fz_copy_in(PART_FILES[i], PART_FILES[i + 1]);
    fz_copy_in("modules/booking_extractor.json", "modules/booking_extractor.json");
    return 0;
}

/* Is this resolved path one the target may read? */
static bool safe_path(const char *p)
{
    size_t n = strlen(fz_dir);
    if (!p || strncmp(p, fz_dir, n) != 0 || p[n] != '/') return false;
    if (strstr(p + n, "/..") || strstr(p + n, "//")) return false;
    for (const char *c = p + n; *c; c++) {
        unsigned char u = (unsigned char)*c;
        if (!(u == '/' || u == '.' || u == '_' || u == '-' || (u >= '0' && u <= '9') ||
              (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z')))
            return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512];
    hx_suite s;
    hx_diags d = {0};

    fz_write("suite.json", data, size, path, sizeof path);
    int rc = hx_suite_load(path, &s, &d);
    if (rc == 0) {
        bool safe = true;
        for (size_t a = 0; a < s.nagents; a++)
            for (size_t k = 0; k < s.agents[a].nmodules; k++) {
                const hx_module_config *m = &s.agents[a].modules[k];
                if (!safe_path(m->program) || !safe_path(m->assertions)) safe = false;
            }
        if (safe) hx_suite_load_parts(&s, &d);
        for (size_t a = 0; a < s.nagents; a++)
            for (size_t k = 0; k < s.agents[a].nmodules; k++) {
                char spec[600], why[256];
                const hx_agent_config *ag = &s.agents[a];
                const char *an = ag->name ? ag->name : "", *mn = ag->modules[k].name ? ag->modules[k].name : "";
                snprintf(spec, sizeof spec, "%s/%s", an, mn);
                hx_suite_find_module(&s, spec, why);
                hx_suite_find_module(&s, mn, why);
            }
        char why[256];
        hx_suite_find_module(&s, "no/such", why);
    }
    hx_diags_print(&d, fz_null);
    hx_diags_print_json(&d, fz_null);
    hx_diags_free(&d);
    hx_suite_free(&s);
    return 0;
}
