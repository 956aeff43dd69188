/*
 * recompile.c — one trigger, one recompile (see recompile.h for the steps
 * and the files they leave behind).
 *
 * The code follows the steps in order: start (load the suite and the
 * trigger, take the lock), export the split, run the optimizer as a child,
 * score both programs on the held-out part, decide, promote. Each step
 * returns 0 or -1 with err; hx_recompile_run turns the first failure into
 * a "failed" trigger, so a recompile never ends without a verdict in its
 * row (unless the process itself is killed: the next recompile finds the
 * row "running" while holding the lock, and runs it again).
 */
#include "recompile.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_doc.h"
#include "lm_cache.h"
#include "paths.h"
#include "program.h"
#include "runner.h"
#include "store.h"
#include "strset.h"
#include "suite.h"
#include "template.h"
#include "transcript.h"

extern char **environ;

#define KILL_GRACE_S 5.0          /* SIGTERM, then this long, then SIGKILL */
#define MAX_THREADS 32            /* the optimizer's evaluation threads */

typedef struct job {
    const hx_recompile_opts *o;
    hx_recompile_result *res;
    hx_suite suite;
    hx_agent_config *a;
    hx_module_config *m;
    hx_store *st;
    char db[1024];
    int lock_fd;
    hx_strset heldout;
    char train[1100], val[1100], ids[1100], cand[1100], log[1100], stats[1100], scratch[1100];
    char python[PATH_MAX], bridge[PATH_MAX], lib[PATH_MAX];
    int interrupted;              /* the signal that stopped the optimizer, or 0 */
} job;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void say(const job *J, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(const job *J, const char *fmt, ...)
{
    va_list ap;
    if (!J->o->log) return;
    va_start(ap, fmt);
    vfprintf(J->o->log, fmt, ap);
    va_end(ap);
    fflush(J->o->log);
}

/* --- the split ------------------------------------------------------------------ */

hx_split hx_recompile_split(const char *transcript_id)
{
    char hex[65];
    uint64_t h = 0;
    hx_sha256_hex(transcript_id, strlen(transcript_id), hex);
    for (int i = 0; i < 16; i++) {
        char c = hex[i];
        h = h << 4 | (uint64_t)(c <= '9' ? c - '0' : c - 'a' + 10);
    }
    unsigned b = (unsigned)(h % 100);
    if (b < HX_SPLIT_TRAIN_PCT) return HX_SPLIT_TRAIN;
    if (b < HX_SPLIT_TRAIN_PCT + HX_SPLIT_VAL_PCT) return HX_SPLIT_VAL;
    return HX_SPLIT_HELDOUT;
}

/* --- files -------------------------------------------------------------------------- */

static void dir_of(const char *path, char *out, size_t cap)
{
    const char *slash = strrchr(path, '/');
    if (!slash) snprintf(out, cap, ".");
    else if (slash == path) snprintf(out, cap, "/");
    else snprintf(out, cap, "%.*s", (int)(slash - path), path);
}

static int read_all(const char *path, char **buf, size_t *len, hx_error *err)
{
    FILE *f = fopen(path, "rb");
    char *b = NULL;
    size_t n = 0, cap = 0, r;
    *buf = NULL;
    if (!f) return hx_fail(err, "%s: cannot open: %s", path, strerror(errno));
    do {
        if (n + 65536 > cap) {
            char *nb = realloc(b, cap = n + 65536 + cap);
            if (!nb) { free(b); fclose(f); return hx_fail(err, "out of memory"); }
            b = nb;
        }
        r = fread(b + n, 1, cap - n - 1, f);
        n += r;
    } while (r > 0 && n < HX_PROGRAM_MAX_BYTES);
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(b); return hx_fail(err, "%s: cannot read", path); }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

static void fsync_dir_of(const char *path)
{
    char dir[PATH_MAX];
    dir_of(path, dir, sizeof dir);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* Write data to path so that readers see the old file or the new one,
 * never a part: a temporary file in the same folder, fsync, rename. */
static int write_atomic(const char *path, const char *data, size_t len, hx_error *err)
{
    char tmp[PATH_MAX + 32];
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return hx_fail(err, "%s: cannot create: %s", tmp, strerror(errno));
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            int e = errno;
            close(fd);
            unlink(tmp);
            return hx_fail(err, "%s: cannot write: %s", tmp, strerror(e));
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        int e = errno;
        unlink(tmp);
        return hx_fail(err, "%s: cannot write: %s", tmp, strerror(e));
    }
    if (rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return hx_fail(err, "%s: cannot replace: %s", path, strerror(e));
    }
    fsync_dir_of(path);
    return 0;
}

/* --- finding the optimizer ------------------------------------------------------------ */

static bool is_file(const char *p, int mode)
{
    return access(p, mode) == 0;
}

/* Look for rel in dir and up to three folders above it; root gets the folder. */
static bool find_up(const char *dir, const char *rel, char *root, size_t cap)
{
    char cur[PATH_MAX], probe[PATH_MAX + 64];
    snprintf(cur, sizeof cur, "%s", dir);
    for (int up = 0; up < 4; up++) {
        snprintf(probe, sizeof probe, "%s/%s", cur, rel);
        if (is_file(probe, R_OK)) {
            snprintf(root, cap, "%s", cur);
            return true;
        }
        char parent[PATH_MAX];
        dir_of(cur, parent, sizeof parent);
        if (!strcmp(parent, cur)) break;
        snprintf(cur, sizeof cur, "%s", parent);
    }
    return false;
}

static void exe_dir(char *out, size_t cap)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) { snprintf(out, cap, "."); return; }
    exe[n] = '\0';
    dir_of(exe, out, cap);
}

static int find_tools(job *J, hx_error *err)
{
    char bin[PATH_MAX], root[PATH_MAX] = "";
    const char *e;
    exe_dir(bin, sizeof bin);
    if ((e = getenv("HX_BRIDGE")) && *e) snprintf(J->bridge, sizeof J->bridge, "%s", e);
    else if (find_up(bin, "bridge/recompile.py", root, sizeof root))
        snprintf(J->bridge, sizeof J->bridge, "%s/bridge/recompile.py", root);
    else
        return hx_fail(err, "cannot find bridge/recompile.py above %s; set HX_BRIDGE", bin);
    if ((e = getenv("HX_PYTHON")) && *e) snprintf(J->python, sizeof J->python, "%s", e);
    else {
        char venv[PATH_MAX + 32];
        snprintf(venv, sizeof venv, "%s/.venv/bin/python", root);
        if (root[0] && is_file(venv, X_OK)) snprintf(J->python, sizeof J->python, "%s", venv);
        else if (find_up(bin, ".venv/bin/python", root, sizeof root))
            snprintf(J->python, sizeof J->python, "%s/.venv/bin/python", root);
        else snprintf(J->python, sizeof J->python, "python3");
    }
    if ((e = getenv("HX_LIBHARNESS")) && *e) snprintf(J->lib, sizeof J->lib, "%s", e);
    else {
        snprintf(J->lib, sizeof J->lib, "%s/libharness.so", bin);
        if (!is_file(J->lib, R_OK)) snprintf(J->lib, sizeof J->lib, "%s/../lib/libharness.so", bin);
        if (!is_file(J->lib, R_OK))
            return hx_fail(err, "cannot find libharness.so beside %s or in ../lib; set HX_LIBHARNESS", bin);
    }
    return 0;
}

/* --- start: suite, trigger, lock ------------------------------------------------------------- */

static int find_module(job *J, const char *agent, const char *module, hx_error *err)
{
    for (size_t a = 0; a < J->suite.nagents; a++) {
        if (strcmp(J->suite.agents[a].name, agent)) continue;
        for (size_t k = 0; k < J->suite.agents[a].nmodules; k++)
            if (!strcmp(J->suite.agents[a].modules[k].name, module)) {
                J->a = &J->suite.agents[a];
                J->m = &J->suite.agents[a].modules[k];
                return 0;
            }
    }
    return hx_fail(err, "%s has no module %s/%s", J->o->suite_path, agent, module);
}

static int load_suite(job *J, hx_error *err)
{
    hx_diags d = {0};
    int rc = hx_suite_load(J->o->suite_path, &J->suite, &d);
    if (rc == 0) rc = hx_suite_load_parts(&J->suite, &d);
    if (rc != 0) {
        if (d.n) hx_fail(err, "%s:%d:%d: %s%s%s", d.v[0].file, d.v[0].line, d.v[0].col, d.v[0].path,
                         d.v[0].path[0] ? ": " : "", d.v[0].msg);
        else hx_fail(err, "%s: cannot load the suite", J->o->suite_path);
        hx_fail_prefix(err, "the suite has problems ('harness validate' lists them)");
    }
    hx_diags_free(&d);
    if (rc == 0) snprintf(J->db, sizeof J->db, "%s", J->o->db ? J->o->db : J->suite.db);
    return rc;
}

static int read_trigger(job *J, int64_t id, char agent[128], char module[128], char status[16],
                        hx_error *err)
{
    sqlite3_stmt *q;
    sqlite3 *db = hx_store_sqlite(J->st);
    int rc;
    if (sqlite3_prepare_v2(db, "SELECT agent, module, status FROM recompile_triggers WHERE id = ?1", -1, &q,
                           NULL) != SQLITE_OK)
        return hx_fail(err, "%s: cannot read recompile triggers: %s", J->db, sqlite3_errmsg(db));
    sqlite3_bind_int64(q, 1, id);
    rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        snprintf(agent, 128, "%s", (const char *)sqlite3_column_text(q, 0));
        snprintf(module, 128, "%s", (const char *)sqlite3_column_text(q, 1));
        snprintf(status, 16, "%s", (const char *)sqlite3_column_text(q, 2));
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE) return hx_fail(err, "%s: no recompile trigger %lld", J->db, (long long)id);
    if (rc != SQLITE_ROW) return hx_fail(err, "%s: cannot read recompile triggers: %s", J->db, sqlite3_errmsg(db));
    return 0;
}

static int take_lock(job *J, hx_error *err)
{
    char path[1100];
    snprintf(path, sizeof path, "%s.recompile.lock", J->db);
    J->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (J->lock_fd < 0) return hx_fail(err, "%s: cannot open: %s", path, strerror(errno));
    if (flock(J->lock_fd, LOCK_EX | LOCK_NB) != 0)
        return hx_fail(err, "another recompile is running on %s (it holds %s)", J->db, path);
    return 0;
}

static int usage_fail(hx_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_fail(hx_error *err, const char *fmt, ...)
{
    va_list ap;
    if (err) {
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return -2;
}

/* Everything that must hold before the trigger is touched. Returns 0, or
 * -2 (usage/config) / -3 (busy) with err. */
static int start(job *J, int64_t id, hx_error *err)
{
    char agent[128], module[128], status[16];
    const char *opt;
    if (load_suite(J, err) != 0) return -2;
    if (hx_store_open(J->db, &J->st, err) != 0) return -2;
    if (read_trigger(J, id, agent, module, status, err) != 0) return -2;
    snprintf(J->res->agent, sizeof J->res->agent, "%s", agent);
    snprintf(J->res->module, sizeof J->res->module, "%s", module);
    if (strcmp(status, "open") && strcmp(status, "running"))
        return usage_fail(err, "trigger %lld is already %s", (long long)id, status);
    if (find_module(J, agent, module, err) != 0) return -2;
    opt = J->o->optimizer ? J->o->optimizer : J->m->recompile.optimizer;
    if (opt && !strcmp(opt, "native"))
        return usage_fail(err, "the native optimizer (MIPROv2 in C) is not in this version; use the dspy optimizer");
    if (opt && strcmp(opt, "dspy")) return usage_fail(err, "unknown optimizer \"%s\" (dspy or native)", opt);
    if (find_tools(J, err) != 0) return -2;
    if (take_lock(J, err) != 0) return -3;
    snprintf(J->res->program, sizeof J->res->program, "%s", J->m->program);
    snprintf(J->res->old_sha, sizeof J->res->old_sha, "%s", J->m->prog.sha256);
    J->res->margin = J->m->recompile.promote_margin;
    return 0;
}

/* --- export ------------------------------------------------------------------------------------ */

static bool checks_something(const hx_module_config *m, const hx_transcript *t)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, t->expected)
        if (hx_rules_find(&m->rules, e->string)) return true;
    return false;
}

/* One JSONL line: {"id", "inputs", "expected", "call_date"}; expected only
 * holds the fields this module checks. NULL with why. */
static char *export_line(const hx_module_config *m, const hx_transcript *t, char why[256])
{
    cJSON *in = hx_template_inputs(m, t, why);
    if (!in) return NULL;
    cJSON *o = cJSON_CreateObject(), *ex = cJSON_CreateObject();
    const cJSON *e;
    cJSON_AddItemToObject(o, "inputs", in);
    cJSON_AddStringToObject(o, "id", t->id);
    cJSON_ArrayForEach(e, t->expected)
        if (hx_rules_find(&m->rules, e->string)) cJSON_AddItemToObject(ex, e->string, cJSON_Duplicate(e, 1));
    cJSON_AddItemToObject(o, "expected", ex);
    cJSON_AddStringToObject(o, "call_date", t->call_date);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    if (!s) snprintf(why, 256, "out of memory");
    return s;
}

/* Put one transcript in its part. */
static int place(job *J, const hx_transcript *t, FILE *ft, FILE *fv, FILE *fh, hx_error *err)
{
    hx_split sp = hx_recompile_split(t->id);
    char why[256];
    if (sp == HX_SPLIT_HELDOUT) {
        if (hx_strset_add(&J->heldout, t->id) < 0) return hx_fail(err, "out of memory");
        fprintf(fh, "%s\n", t->id);
        J->res->nheldout++;
        return 0;
    }
    char *line = export_line(J->m, t, why);
    if (!line) return hx_fail(err, "%s: transcript %s: %s", t->file, t->id, why);
    fprintf(sp == HX_SPLIT_TRAIN ? ft : fv, "%s\n", line);
    free(line);
    if (sp == HX_SPLIT_TRAIN) J->res->ntrain++;
    else J->res->nval++;
    return 0;
}

static int close_all(FILE *f[3], const char *names[3], hx_error *err)
{
    int bad = -1;
    for (int i = 0; i < 3; i++)
        if (f[i] && fclose(f[i]) != 0 && bad < 0) bad = i;
    if (bad >= 0) return hx_fail(err, "%s: cannot write", names[bad]);
    return 0;
}

static int export_sets(job *J, hx_error *err)
{
    hx_tscan *sc;
    hx_transcript t;
    hx_diags d = {0};
    const char *names[3] = {J->train, J->val, J->ids};
    FILE *f[3] = {fopen(J->train, "w"), fopen(J->val, "w"), fopen(J->ids, "w")};
    int r, rc = 0;
    if (!f[0] || !f[1] || !f[2]) {
        close_all(f, names, NULL);
        return hx_fail(err, "%s: cannot create the exported sets: %s", J->res->dir, strerror(errno));
    }
    if (hx_tscan_open(J->a->transcripts, &sc, err) != 0) { close_all(f, names, NULL); return -1; }
    while (rc == 0 && (r = hx_tscan_next(sc, &t, &d)) != 0) {
        if (r < 0) {
            rc = hx_fail(err, "%s: %s ('harness validate' lists every problem)", d.n ? d.v[0].file : J->a->transcripts,
                         d.n ? d.v[0].msg : "malformed transcript");
            break;
        }
        if (checks_something(J->m, &t)) rc = place(J, &t, f[0], f[1], f[2], err);
        hx_transcript_free(&t);
    }
    hx_tscan_close(sc);
    hx_diags_free(&d);
    if (close_all(f, names, rc ? NULL : err) != 0) rc = -1;
    return rc;
}

static int check_sizes(const job *J, hx_error *err)
{
    const hx_recompile_result *r = J->res;
    if (r->ntrain < HX_RECOMPILE_MIN_TRAIN || r->nval < HX_RECOMPILE_MIN_VAL || r->nheldout < HX_RECOMPILE_MIN_HELDOUT)
        return hx_fail(err, "too few transcripts to recompile: %zu train, %zu val, %zu held-out (need at least "
                            "%d, %d and %d)", r->ntrain, r->nval, r->nheldout, HX_RECOMPILE_MIN_TRAIN,
                       HX_RECOMPILE_MIN_VAL, HX_RECOMPILE_MIN_HELDOUT);
    return 0;
}

/* --- the optimizer, a child process ------------------------------------------------------------ */

/* The child's environment: ours, plus unbuffered Python output (the log
 * shows progress as it happens) and no .pyc files beside the bridge. A
 * harness built with AddressSanitizer loads an instrumented libharness.so
 * into Python, which works only with the sanitizer runtimes preloaded. */
typedef struct envbuf {
    char **v;
    size_t n;
    char extra[4][PATH_MAX * 2 + 32];
} envbuf;

/* Variables the child gets from us rather than from our environment. */
static const char *const OWN_ENV[] = {
    "PYTHONUNBUFFERED=", "PYTHONDONTWRITEBYTECODE=",
#if defined(__SANITIZE_ADDRESS__)
    "LD_PRELOAD=", "ASAN_OPTIONS=",
#endif
    NULL};

static bool env_own(const char *kv)
{
    for (int i = 0; OWN_ENV[i]; i++)
        if (!strncmp(kv, OWN_ENV[i], strlen(OWN_ENV[i]))) return true;
    return false;
}

#if defined(__SANITIZE_ADDRESS__)
/* The path of the loaded library whose file name starts with name. */
static void loaded_lib(const char *name, char *out, size_t cap)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[PATH_MAX + 256];
    out[0] = '\0';
    if (!f) return;
    while (fgets(line, sizeof line, f)) {
        char *p = strchr(line, '/');
        if (!p) continue;
        p[strcspn(p, "\n")] = '\0';
        const char *base = strrchr(p, '/') + 1;
        if (!strncmp(base, name, strlen(name))) { snprintf(out, cap, "%s", p); break; }
    }
    fclose(f);
}

static void sanitizer_env(envbuf *e, size_t *k)
{
    char asan[PATH_MAX], ubsan[PATH_MAX];
    loaded_lib("libasan.so", asan, sizeof asan);
    loaded_lib("libubsan.so", ubsan, sizeof ubsan);
    snprintf(e->extra[2], sizeof e->extra[2], "LD_PRELOAD=%s %s", asan, ubsan);
    /* Python's own allocations are not ours to judge. */
    snprintf(e->extra[3], sizeof e->extra[3], "ASAN_OPTIONS=detect_leaks=0");
    e->v[(*k)++] = e->extra[2];
    e->v[(*k)++] = e->extra[3];
}
#endif

static int build_env(envbuf *e, hx_error *err)
{
    size_t n = 0, k = 0;
    while (environ[n]) n++;
    e->v = calloc(n + 5, sizeof *e->v);
    if (!e->v) return hx_fail(err, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (!env_own(environ[i])) e->v[k++] = environ[i];
    snprintf(e->extra[0], sizeof e->extra[0], "PYTHONUNBUFFERED=1");
    snprintf(e->extra[1], sizeof e->extra[1], "PYTHONDONTWRITEBYTECODE=1");
    e->v[k++] = e->extra[0];
    e->v[k++] = e->extra[1];
#if defined(__SANITIZE_ADDRESS__)
    sanitizer_env(e, &k);
#endif
    e->v[k] = NULL;
    e->n = k;
    return 0;
}

static int spawn_child(job *J, char *const argv[], pid_t *pid, hx_error *err)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, deflt;
    envbuf env;
    int rc;
    if (build_env(&env, err) != 0) return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&fa, 1, J->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    posix_spawnattr_init(&at);
    sigemptyset(&none);
    sigemptyset(&deflt);
    sigaddset(&deflt, SIGPIPE);
    sigaddset(&deflt, SIGINT);
    sigaddset(&deflt, SIGTERM);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &deflt);
    /* Its own process group, so a time-out kills it and anything it started. */
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (strchr(argv[0], '/')) rc = posix_spawn(pid, argv[0], &fa, &at, argv, env.v);
    else rc = posix_spawnp(pid, argv[0], &fa, &at, argv, env.v);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    free(env.v);
    if (rc != 0) return hx_fail(err, "cannot start %s: %s", argv[0], strerror(rc));
    return 0;
}

static volatile sig_atomic_t g_signal;
static void on_signal(int sig) { g_signal = sig; }

/* Stop the child's whole group: SIGTERM, a grace period, SIGKILL. */
static void stop_child(pid_t pid, int *status)
{
    kill(-pid, SIGTERM);
    double t0 = now_s();
    while (waitpid(pid, status, WNOHANG) == 0) {
        if (now_s() - t0 > KILL_GRACE_S) {
            kill(-pid, SIGKILL);
            waitpid(pid, status, 0);
            break;
        }
        nanosleep(&(struct timespec){0, 20 * 1000 * 1000}, NULL);
    }
    kill(-pid, SIGKILL); /* anything the child left behind in its group */
}

/* Wait for the child, at most timeout_s. 0 when it exited (status in
 * *status), -1 with err on time-out or interruption (it is killed). */
static int wait_child(job *J, pid_t pid, double timeout_s, int *status, hx_error *err)
{
    struct sigaction sa, old[3];
    const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
    double t0 = now_s();
    int rc = 0;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    g_signal = 0;
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &sa, &old[i]);
    for (;;) {
        pid_t r = waitpid(pid, status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR) { rc = hx_fail(err, "waiting for the optimizer: %s", strerror(errno)); break; }
        if (g_signal) {
            J->interrupted = g_signal;
            stop_child(pid, status);
            rc = hx_fail(err, "interrupted by signal %d; the optimizer was stopped", (int)g_signal);
            break;
        }
        if (now_s() - t0 > timeout_s) {
            stop_child(pid, status);
            rc = hx_fail(err, "the optimizer ran over its time limit of %g s and was killed (log: %s)", timeout_s,
                         J->log);
            break;
        }
        nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
    }
    for (int i = 0; i < 3; i++) sigaction(sigs[i], &old[i], NULL);
    return rc;
}

/* The last line the optimizer wrote: usually the reason it failed. */
static void last_log_line(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "rb");
    char buf[4096];
    out[0] = '\0';
    if (!f) return;
    if (fseek(f, 0, SEEK_END) == 0) {
        long sz = ftell(f);
        fseek(f, sz > (long)sizeof buf - 1 ? sz - (long)sizeof buf + 1 : 0, SEEK_SET);
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r' || buf[n - 1] == ' ')) buf[--n] = '\0';
    char *nl = strrchr(buf, '\n');
    char *cr = nl ? strrchr(nl, '\r') : strrchr(buf, '\r'); /* progress bars rewrite lines */
    snprintf(out, cap, "%s", cr ? cr + 1 : nl ? nl + 1 : buf);
}

static int threads_for(const hx_module_config *m)
{
    int t = m->lm.concurrency;
    return t < 1 ? 1 : t > MAX_THREADS ? MAX_THREADS : t;
}

static int run_optimizer(job *J, hx_error *err)
{
    char spec[300], seed[16], threads[16];
    const hx_recompile_opts *o = J->o;
    double timeout = o->timeout_s > 0 ? o->timeout_s : HX_RECOMPILE_TIMEOUT_S, t0 = now_s();
    pid_t pid;
    int status = 0;
    snprintf(spec, sizeof spec, "%s/%s", J->a->name, J->m->name);
    snprintf(seed, sizeof seed, "%u", o->seed ? o->seed : HX_RECOMPILE_SEED);
    snprintf(threads, sizeof threads, "%d", threads_for(J->m));
    char *level = J->m->recompile.auto_level ? J->m->recompile.auto_level : "light";
    char *argv[] = {J->python, J->bridge, "--suite", (char *)o->suite_path, "--module", spec,
                    "--train", J->train, "--val", J->val, "--out", J->cand, "--lib", J->lib,
                    "--program", J->m->program, "--rules", J->m->assertions, "--auto", level,
                    "--seed", seed, "--threads", threads, "--stats", J->stats, NULL};
    say(J, "  optimizer: dspy.MIPROv2 auto=%s, %s %s (log: %s)\n", level, J->python, J->bridge, J->log);
    unlink(J->cand);
    if (spawn_child(J, argv, &pid, err) != 0) return -1;
    int rc = wait_child(J, pid, timeout, &status, err);
    J->res->optimizer_s = now_s() - t0;
    if (rc != 0) return -1;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char last[512];
        last_log_line(J->log, last, sizeof last);
        if (WIFSIGNALED(status))
            return hx_fail(err, "the optimizer was killed by signal %d (log: %s)", WTERMSIG(status), J->log);
        return hx_fail(err, "the optimizer failed (exit %d): %s (log: %s)", WEXITSTATUS(status), last, J->log);
    }
    if (!is_file(J->cand, R_OK))
        return hx_fail(err, "the optimizer exited 0 but wrote no candidate %s (log: %s)", J->cand, J->log);
    return 0;
}

/* The optimizer's summary (bridge --stats): its LM request count. */
static void read_stats(job *J)
{
    char *text;
    size_t len;
    if (read_all(J->stats, &text, &len, NULL) != 0) return;
    cJSON *o = hx_json_parse(text), *v;
    free(text);
    if ((v = cJSON_GetObjectItemCaseSensitive(o, "lm_requests")) && cJSON_IsNumber(v))
        J->res->optimizer_requests = (int64_t)v->valuedouble;
    cJSON_Delete(o);
}

/* --- scoring on the held-out part --------------------------------------------------------------- */

static bool is_heldout(const char *id, void *user)
{
    return hx_strset_has(user, id);
}

/* Replay the held-out transcripts through program (NULL = the module's own)
 * into the scratch database. */
static int score(job *J, const char *program, double *rate, char sha[65], hx_error *err)
{
    const char *agents[1] = {J->a->name}, *modules[1] = {J->m->name};
    hx_run_opts ro = {.suite_path = J->o->suite_path, .agents = agents, .nagents = 1, .modules = modules,
                      .nmodules = 1, .db = J->scratch, .concurrency = J->o->concurrency,
                      .cache_mode = HX_CACHE_OFF, .program_override = program, .want_id = is_heldout,
                      .want_id_user = &J->heldout};
    hx_run_summary sum;
    hx_diags d = {0};
    int rc = hx_run(&ro, &sum, &d, err);
    if (rc == -2) {
        hx_fail(err, "%s%s%s", d.n ? d.v[0].file : "", d.n ? ": " : "", d.n ? d.v[0].msg : "invalid suite");
        hx_fail_prefix(err, "scoring %s", program ? "the candidate" : "the current program");
    }
    hx_diags_free(&d);
    if (rc != 0) { hx_run_summary_free(&sum); return -1; }
    J->res->heldout_requests += sum.requests;
    if (sum.nmodules != 1 || sum.too_many_errors || isnan(sum.modules[0].pass_rate)) {
        rc = hx_fail(err, "scoring %s on the held-out transcripts: %zu of %zu cases ended in error (is the LM "
                          "down?)", program ? "the candidate" : "the current program", sum.errors, sum.cases);
    } else {
        *rate = sum.modules[0].pass_rate;
        if (sha && program) snprintf(sha, 65, "%s", sum.program_sha256);
    }
    hx_run_summary_free(&sum);
    return rc;
}

/* --- promotion ---------------------------------------------------------------------------------------- */

static int keep_version(job *J, const char *sha, const char *data, size_t len, char *out, size_t cap,
                        hx_error *err)
{
    char dir[PATH_MAX];
    dir_of(J->m->program, dir, sizeof dir);
    snprintf(out, cap, "%s/history/%s.%s.json", dir, J->m->name, sha);
    if (is_file(out, F_OK)) return 0; /* content-addressed: already kept */
    if (hx_make_parent_dirs(out, err) != 0) return -1;
    return write_atomic(out, data, len, err);
}

static int promote(job *J, hx_error *err)
{
    char *cur = NULL, *cand = NULL, sha[65], kept[1100];
    size_t ncur, ncand;
    int rc = -1;
    if (read_all(J->m->program, &cur, &ncur, err) != 0 || read_all(J->cand, &cand, &ncand, err) != 0) goto out;
    hx_sha256_hex(cur, ncur, sha);
    if (strcmp(sha, J->res->old_sha)) {
        hx_fail(err, "%s changed while the recompile ran; it was not replaced (the candidate stays in %s)",
                J->m->program, J->cand);
        goto out;
    }
    if (keep_version(J, J->res->old_sha, cur, ncur, J->res->history, sizeof J->res->history, err) != 0 ||
        keep_version(J, J->res->new_sha, cand, ncand, kept, sizeof kept, err) != 0 ||
        write_atomic(J->m->program, cand, ncand, err) != 0)
        goto out;
    rc = 0;
out:
    free(cur);
    free(cand);
    return rc;
}

/* --- the record ------------------------------------------------------------------------------------------- */

static void add_num_or_null(cJSON *o, const char *k, double v)
{
    if (isnan(v)) cJSON_AddNullToObject(o, k);
    else cJSON_AddNumberToObject(o, k, v);
}

cJSON *hx_recompile_result_json(const hx_recompile_result *r)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "trigger_id", (double)r->trigger_id);
    cJSON_AddStringToObject(o, "agent", r->agent);
    cJSON_AddStringToObject(o, "module", r->module);
    cJSON_AddStringToObject(o, "status", r->status);
    cJSON_AddBoolToObject(o, "promoted", r->promoted);
    cJSON_AddStringToObject(o, "program", r->program);
    cJSON_AddStringToObject(o, "old_program_sha256", r->old_sha);
    cJSON_AddStringToObject(o, "new_program_sha256", r->new_sha);
    add_num_or_null(o, "old_score", r->old_score);
    add_num_or_null(o, "new_score", r->new_score);
    cJSON_AddNumberToObject(o, "promote_margin", r->margin);
    cJSON *sp = cJSON_AddObjectToObject(o, "split");
    cJSON_AddStringToObject(sp, "rule", "SHA-256(transcript id), first 8 bytes big-endian mod 100: "
                                        "< 50 train, < 75 val, else held-out");
    cJSON_AddNumberToObject(sp, "train", (double)r->ntrain);
    cJSON_AddNumberToObject(sp, "val", (double)r->nval);
    cJSON_AddNumberToObject(sp, "heldout", (double)r->nheldout);
    cJSON_AddNumberToObject(o, "optimizer_lm_requests", (double)r->optimizer_requests);
    cJSON_AddNumberToObject(o, "heldout_lm_requests", (double)r->heldout_requests);
    cJSON_AddNumberToObject(o, "optimizer_s", r->optimizer_s);
    cJSON_AddNumberToObject(o, "wall_s", r->wall_s);
    cJSON_AddStringToObject(o, "dir", r->dir);
    if (r->history[0]) cJSON_AddStringToObject(o, "previous_version", r->history);
    else cJSON_AddNullToObject(o, "previous_version");
    cJSON_AddStringToObject(o, "message", r->message);
    return o;
}

static void write_result(const job *J)
{
    char path[1100];
    cJSON *o = hx_recompile_result_json(J->res);
    char *s = cJSON_Print(o);
    cJSON_Delete(o);
    snprintf(path, sizeof path, "%s/result.json", J->res->dir);
    if (s) {
        size_t n = strlen(s);
        s[n] = '\n'; /* in place of the NUL: the file ends with a newline */
        write_atomic(path, s, n + 1, NULL);
        free(s);
    }
}

static int set_paths(job *J, int64_t id, hx_error *err)
{
    char dbdir[1024], probe[1200];
    hx_recompile_result *r = J->res;
    dir_of(J->db, dbdir, sizeof dbdir);
    if (!strcmp(dbdir, ".")) snprintf(r->dir, sizeof r->dir, "recompile/%lld", (long long)id);
    else snprintf(r->dir, sizeof r->dir, "%s/recompile/%lld", dbdir, (long long)id);
    snprintf(probe, sizeof probe, "%s/x", r->dir);
    if (hx_make_parent_dirs(probe, err) != 0) return -1;
    snprintf(J->train, sizeof J->train, "%s/train.jsonl", r->dir);
    snprintf(J->val, sizeof J->val, "%s/val.jsonl", r->dir);
    snprintf(J->ids, sizeof J->ids, "%s/heldout-ids.txt", r->dir);
    snprintf(J->cand, sizeof J->cand, "%s/candidate.json", r->dir);
    snprintf(J->log, sizeof J->log, "%s/optimizer.log", r->dir);
    snprintf(J->stats, sizeof J->stats, "%s/optimizer-stats.json", r->dir);
    snprintf(J->scratch, sizeof J->scratch, "%s/heldout.db", r->dir);
    /* A rerun of a stale trigger starts its scratch scores afresh. */
    unlink(J->scratch);
    return 0;
}

static int step(job *J, const char *status, int promoted, hx_error *err)
{
    hx_recompile_step s = {.status = status, .old_program_sha256 = J->res->old_sha[0] ? J->res->old_sha : NULL,
                           .new_program_sha256 = J->res->new_sha[0] ? J->res->new_sha : NULL,
                           .old_score = J->res->old_score, .new_score = J->res->new_score, .promoted = promoted};
    return hx_store_recompile_update(J->st, J->res->trigger_id, &s, err);
}

/* --- the steps, in order ---------------------------------------------------------------------------------- */

static int decide(job *J, hx_error *err)
{
    hx_recompile_result *r = J->res;
    /* 1e-9: 0.83 + 0.02 must not miss 0.85 by a rounding error. */
    bool better = r->new_score >= r->old_score + r->margin - 1e-9;
    say(J, "  held-out: current %.1f%%, candidate %.1f%% (promote at %.1f%% or more)\n", 100 * r->old_score,
        100 * r->new_score, 100 * (r->old_score + r->margin));
    if (!better) {
        snprintf(r->message, sizeof r->message,
                 "kept the current program: candidate %.1f%% < current %.1f%% + margin %.1f points on %zu held-out "
                 "transcripts", 100 * r->new_score, 100 * r->old_score, 100 * r->margin, r->nheldout);
        return 0;
    }
    if (promote(J, err) != 0) return -1;
    r->promoted = true;
    snprintf(r->message, sizeof r->message,
             "promoted: candidate %.1f%% vs current %.1f%% on %zu held-out transcripts; %s replaced (previous "
             "version kept as %s)", 100 * r->new_score, 100 * r->old_score, r->nheldout, r->program, r->history);
    return 0;
}

static int work(job *J, hx_error *err)
{
    hx_recompile_result *r = J->res;
    if (set_paths(J, r->trigger_id, err) != 0 || step(J, "running", -1, err) != 0) return -1;
    if (export_sets(J, err) != 0 || check_sizes(J, err) != 0) return -1;
    say(J, "  split by SHA-256 of the transcript id: %zu train, %zu val, %zu held-out\n", r->ntrain, r->nval,
        r->nheldout);
    if (run_optimizer(J, err) != 0) return -1;
    read_stats(J);
    say(J, "  optimizer finished in %.1f s", r->optimizer_s);
    if (r->optimizer_requests >= 0) say(J, ", %lld LM requests", (long long)r->optimizer_requests);
    say(J, "; scoring current and candidate on %zu held-out transcripts\n", r->nheldout);
    if (score(J, NULL, &r->old_score, NULL, err) != 0) return -1;
    if (score(J, J->cand, &r->new_score, r->new_sha, err) != 0) return -1;
    if (decide(J, err) != 0) return -1;
    return step(J, "done", r->promoted, err);
}

static void init_result(hx_recompile_result *res, int64_t id)
{
    memset(res, 0, sizeof *res);
    res->trigger_id = id;
    res->old_score = res->new_score = NAN;
    res->optimizer_requests = -1;
}

static void finish_failed(job *J, hx_error *err)
{
    hx_error e2;
    hx_recompile_result *r = J->res;
    snprintf(r->status, sizeof r->status, "failed");
    snprintf(r->message, sizeof r->message, "failed: %s", err->msg);
    if (step(J, "failed", 0, &e2) != 0 && J->o->log) fprintf(J->o->log, "  %s\n", e2.msg);
}

int hx_recompile_run(const hx_recompile_opts *o, int64_t trigger_id, hx_recompile_result *res, hx_error *err)
{
    job J = {.o = o, .res = res, .lock_fd = -1};
    hx_error local;
    double t0 = now_s();
    int rc;
    if (!err) err = &local; /* the trigger's failure message needs the text */
    init_result(res, trigger_id);
    rc = start(&J, trigger_id, err);
    if (rc == 0) {
        say(&J, "recompile %lld: %s/%s (%s)\n", (long long)trigger_id, res->agent, res->module, J.m->program);
        rc = work(&J, err);
        res->wall_s = now_s() - t0;
        if (rc == 0) snprintf(res->status, sizeof res->status, "done");
        else finish_failed(&J, err);
        say(&J, "  %s\n", res->message);
        write_result(&J);
    }
    hx_strset_free(&J.heldout);
    hx_store_close(J.st);
    if (J.lock_fd >= 0) close(J.lock_fd); /* releases the flock */
    hx_suite_free(&J.suite);
    if (J.interrupted) {
        /* The trigger is marked failed and the child is gone: now die of the
         * signal as the user asked. */
        signal(J.interrupted, SIG_DFL);
        raise(J.interrupted);
    }
    return rc;
}

/* --- triggers for people and for --pending ------------------------------------------------------------- */

static int open_db(const hx_recompile_opts *o, hx_suite *s, hx_store **st, hx_error *err)
{
    hx_diags d = {0};
    memset(s, 0, sizeof *s);
    if (hx_suite_load(o->suite_path, s, &d) != 0) {
        hx_fail(err, "%s: %s", d.n ? d.v[0].file : o->suite_path, d.n ? d.v[0].msg : "cannot load the suite");
        hx_diags_free(&d);
        return -1;
    }
    hx_diags_free(&d);
    return hx_store_open(o->db ? o->db : s->db, st, err);
}

/* The module's latest finished run: its id, pass rate and bar. */
static int latest_score(hx_store *st, const char *agent, const char *module, int64_t *run_id, double *rate,
                        double *bar, hx_error *err)
{
    sqlite3_stmt *q;
    sqlite3 *db = hx_store_sqlite(st);
    if (sqlite3_prepare_v2(db,
                           "SELECT m.run_id, m.pass_rate, m.bar FROM module_scores AS m JOIN runs AS r"
                           " ON r.run_id = m.run_id WHERE m.agent = ?1 AND m.module = ?2 AND r.kind = 'run'"
                           " AND r.status = 'finished' ORDER BY m.run_id DESC LIMIT 1", -1, &q, NULL) != SQLITE_OK)
        return hx_fail(err, "%s: %s", hx_store_path(st), sqlite3_errmsg(db));
    sqlite3_bind_text(q, 1, agent, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, module, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) {
        *run_id = sqlite3_column_int64(q, 0);
        *rate = sqlite3_column_type(q, 1) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 1);
        *bar = sqlite3_column_double(q, 2);
    }
    sqlite3_finalize(q);
    if (rc == SQLITE_DONE)
        return hx_fail(err, "no finished run has scored %s/%s yet: run 'harness run --module %s' first", agent,
                       module, module);
    return rc == SQLITE_ROW ? 0 : hx_fail(err, "%s: %s", hx_store_path(st), sqlite3_errmsg(db));
}

int hx_recompile_request(const hx_recompile_opts *o, const char *module_spec, int64_t *trigger_id, hx_error *err)
{
    hx_suite s;
    hx_store *st = NULL;
    hx_recompile_state last;
    bool found;
    char why[256];
    int64_t run_id = 0;
    double rate = NAN, bar = 0;
    int rc = -2;
    if (open_db(o, &s, &st, err) != 0) goto out;
    hx_module_config *m = hx_suite_find_module(&s, module_spec, why);
    if (!m) { hx_fail(err, "--module %s: %s", module_spec, why); goto out; }
    const char *agent = s.agents[m->agent_index].name;
    if (hx_store_recompile_last(st, agent, m->name, &found, &last, err) != 0) goto out;
    if (found && (!strcmp(last.status, "open") || !strcmp(last.status, "running"))) {
        *trigger_id = last.id;
        rc = 0;
        goto out;
    }
    if (latest_score(st, agent, m->name, &run_id, &rate, &bar, err) != 0) goto out;
    hx_recompile_info info = {.agent = agent, .module = m->name, .pass_rate = rate, .bar = bar,
                              .reason = "requested with 'harness recompile --module'"};
    if (hx_store_recompile_open(st, run_id, &info, trigger_id, err) != 0) goto out;
    rc = 0;
out:
    hx_store_close(st);
    hx_suite_free(&s);
    return rc;
}

int hx_recompile_pending(const hx_recompile_opts *o, int64_t **ids, size_t *n, hx_error *err)
{
    hx_suite s;
    hx_store *st = NULL;
    sqlite3_stmt *q = NULL;
    int rc = -1, r;
    *ids = NULL;
    *n = 0;
    if (open_db(o, &s, &st, err) != 0) goto out;
    if (sqlite3_prepare_v2(hx_store_sqlite(st),
                           "SELECT id FROM recompile_triggers WHERE status IN ('open', 'running') ORDER BY id", -1,
                           &q, NULL) != SQLITE_OK) {
        hx_fail(err, "%s: %s", hx_store_path(st), sqlite3_errmsg(hx_store_sqlite(st)));
        goto out;
    }
    while ((r = sqlite3_step(q)) == SQLITE_ROW) {
        int64_t *v = realloc(*ids, (*n + 1) * sizeof *v);
        if (!v) { hx_fail(err, "out of memory"); goto out; }
        *ids = v;
        v[(*n)++] = sqlite3_column_int64(q, 0);
    }
    if (r != SQLITE_DONE) { hx_fail(err, "%s: %s", hx_store_path(st), sqlite3_errmsg(hx_store_sqlite(st))); goto out; }
    rc = 0;
out:
    sqlite3_finalize(q);
    hx_store_close(st);
    hx_suite_free(&s);
    if (rc != 0) { free(*ids); *ids = NULL; *n = 0; }
    return rc;
}
