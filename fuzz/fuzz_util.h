/*
 * fuzz_util.h — what every libFuzzer target in fuzz/ shares.
 *
 * - A private scratch folder (/dev/shm, else /tmp) made once per process
 *   and removed at exit, for the loaders that take a path: each input is
 *   written to a file there and loaded from it. Its name has a fixed
 *   length so messages built from it (and any truncation of them) are the
 *   same in every run.
 * - A NUL-terminated copy of an input (parsers that take C strings).
 * - Signatures from "name:type" specs.
 * - A /dev/null stream the targets print diagnostics to, so the printers
 *   run on every problem the loaders report (stderr with HX_FUZZ_DEBUG=1).
 *
 * Header-only (static functions): each target is one translation unit.
 */
#ifndef HX_FUZZ_UTIL_H
#define HX_FUZZ_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "signature.h"

#ifndef HX_FUZZ_ROOT
#define HX_FUZZ_ROOT "."
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static char fz_dir[64];
static FILE *fz_null;

static __attribute__((unused)) void fz_die(const char *what)
{
    fprintf(stderr, "fuzz setup: %s: %s\n", what, strerror(errno));
    abort();
}

/* Remove the scratch folder, one level of subfolders deep. */
static __attribute__((unused)) void fz_rm_tree(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    if (!d) return;
    while ((de = readdir(d))) {
        char p[512];
        struct stat st;
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0) continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && depth > 0) fz_rm_tree(p, depth - 1);
        else unlink(p);
    }
    closedir(d);
    rmdir(dir);
}

static __attribute__((unused)) void fz_cleanup(void)
{
    if (fz_dir[0]) fz_rm_tree(fz_dir, 2);
    fz_dir[0] = '\0';
    if (fz_null) fclose(fz_null);
    fz_null = NULL;
}

/* Make the scratch folder and the /dev/null stream (once). */
static __attribute__((unused)) void fz_setup(void)
{
    struct stat st;
    if (fz_dir[0]) return;
    const char *base = (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
                        access("/dev/shm", W_OK) == 0) ? "/dev/shm" : "/tmp";
    snprintf(fz_dir, sizeof fz_dir, "%s/hxfuzz-%010ld", base, (long)getpid());
    fz_rm_tree(fz_dir, 2);
    if (mkdir(fz_dir, 0700) != 0) fz_die(fz_dir);
    /* HX_FUZZ_DEBUG=1: diagnostics to stderr, to see why a seed is refused. */
    const char *dbg = getenv("HX_FUZZ_DEBUG");
    fz_null = (dbg && *dbg && strcmp(dbg, "0") != 0) ? fdopen(dup(2), "w") : fopen("/dev/null", "w");
    if (!fz_null) fz_die("/dev/null");
    setvbuf(fz_null, NULL, _IONBF, 0);
    atexit(fz_cleanup);
}

/* Write data to <scratch>/<name> (replacing it); returns the full path in
 * a static buffer of the caller's choosing. */
static __attribute__((unused)) void fz_write(const char *name, const uint8_t *data, size_t size, char *path, size_t cap)
{
    snprintf(path, cap, "%s/%s", fz_dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0) fz_die(path);
    while (size > 0) {
        ssize_t n = write(fd, data, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            fz_die(path);
        }
        data += n;
        size -= (size_t)n;
    }
    close(fd);
}

/* Copy a file of the repository (HX_FUZZ_ROOT-relative) into the scratch
 * folder under the same relative name (its folder must exist there).
 * Missing files are skipped: the targets still run, with less to reach. */
static __attribute__((unused)) void fz_copy_in(const char *rel_src, const char *rel_dst)
{
    char src[1024];
    char dst[512];
    snprintf(src, sizeof src, "%s/%s", HX_FUZZ_ROOT, rel_src);
    FILE *f = fopen(src, "rb");
    if (!f) return;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 4096;
            char *nb = realloc(buf, cap);
            if (!nb) fz_die("realloc");
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
    }
    fclose(f);
    fz_write(rel_dst, (const uint8_t *)buf, len, dst, sizeof dst);
    free(buf);
}

static __attribute__((unused)) void fz_mkdir(const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", fz_dir, rel);
    if (mkdir(p, 0700) != 0 && errno != EEXIST) fz_die(p);
}

/* NUL-terminated copy of the input (malloc'd; free it). */
static __attribute__((unused)) char *fz_cstr(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) fz_die("malloc");
    if (size) memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* Fields from "name:type" specs (NULL-terminated). Aborts on a bad spec:
 * the specs are the target's own. */
static __attribute__((unused)) void fz_fields(hx_field **out, size_t *n, const char *const *specs)
{
    size_t k = 0;
    while (specs[k]) k++;
    *out = calloc(k + 1, sizeof **out);
    if (!*out) fz_die("calloc");
    *n = k;
    for (size_t i = 0; i < k; i++) {
        char buf[256], why[256];
        snprintf(buf, sizeof buf, "%s", specs[i]);
        char *colon = strchr(buf, ':');
        if (!colon) abort();
        *colon = '\0';
        (*out)[i].name = strdup(buf);
        if (hx_type_parse(colon + 1, &(*out)[i].type, why) != 0) {
            fprintf(stderr, "fuzz setup: type %s: %s\n", colon + 1, why);
            abort();
        }
    }
}

static __attribute__((unused)) void fz_sig(hx_signature *sig, const char *instructions, const char *const *in,
                   const char *const *out)
{
    memset(sig, 0, sizeof *sig);
    sig->instructions = instructions ? strdup(instructions) : NULL;
    fz_fields(&sig->inputs, &sig->ninputs, in);
    fz_fields(&sig->outputs, &sig->noutputs, out);
}

#endif
