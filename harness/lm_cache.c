/*
 * lm_cache.c — the SQLite response cache (see lm_cache.h for the contract).
 *
 * One table keyed by the request body's SHA-256. Rows are only ever
 * inserted or replaced whole, so there is nothing to migrate in place: a
 * future layout would be a new table name. Statements are prepared once per
 * handle; every call runs in SQLite's implicit per-statement transaction,
 * which is what a cache needs (a crash loses at most the reply being put).
 */
#include "lm_cache.h"

#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_doc.h"
#include "program.h"

/* Another harness writing the same cache holds the write lock only for one
 * INSERT; waiting up to this long beats failing the lookup. */
#define LMC_BUSY_TIMEOUT_MS 10000

/* A plain rowid table with a unique key rather than WITHOUT ROWID: rows
 * hold whole response bodies, far larger than WITHOUT ROWID suits. */
static const char LMC_SCHEMA[] =
    "CREATE TABLE IF NOT EXISTS lm_cache (\n"
    "  key               TEXT PRIMARY KEY,\n"  /* sha256 hex of the request body */
    "  response          TEXT NOT NULL,\n"
    "  prompt_tokens     INTEGER NOT NULL DEFAULT 0,\n"
    "  completion_tokens INTEGER NOT NULL DEFAULT 0,\n"
    "  created_at        TEXT NOT NULL\n"
    ")";

enum { Q_GET, Q_PUT, Q_COUNT_ROWS, Q_N };

static const char *const LMC_SQL[Q_N] = {
    [Q_GET] = "SELECT response, prompt_tokens, completion_tokens FROM lm_cache WHERE key = ?1",
    [Q_PUT] = "INSERT OR REPLACE INTO lm_cache "
              "(key, response, prompt_tokens, completion_tokens, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5)",
    [Q_COUNT_ROWS] = "SELECT count(*) FROM lm_cache",
};

struct hx_lm_cache {
    sqlite3 *db;
    char *path;
    sqlite3_stmt *q[Q_N];
};

static int db_fail(hx_lm_cache *c, hx_error *err, const char *what)
{
    return hx_fail(err, "%s: LM cache: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

void hx_lm_cache_key(const char *request_body, char key[65])
{
    hx_sha256_hex(request_body, strlen(request_body), key);
}

/* WAL so that a reader (another run, the sqlite3 shell) never blocks a
 * writer; NORMAL sync because a cache may lose its last write on a power
 * cut without harm. A file system without WAL still works, just slower. */
static int set_pragmas(hx_lm_cache *c, hx_error *err)
{
    sqlite3_busy_timeout(c->db, LMC_BUSY_TIMEOUT_MS);
    if (sqlite3_exec(c->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(c->db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c, err, "cannot configure database");
    return 0;
}

static int prepare_all(hx_lm_cache *c, hx_error *err)
{
    if (sqlite3_exec(c->db, LMC_SCHEMA, NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(c, err, "cannot create table lm_cache");
    for (int i = 0; i < Q_N; i++)
        if (sqlite3_prepare_v2(c->db, LMC_SQL[i], -1, &c->q[i], NULL) != SQLITE_OK)
            return db_fail(c, err, "cannot prepare statement");
    return 0;
}

int hx_lm_cache_open(const char *path, hx_lm_cache **out, hx_error *err)
{
    if (!out) return hx_fail(err, "hx_lm_cache_open: no place for the handle");
    *out = NULL;
    if (!path || !*path) return hx_fail(err, "LM cache: no path given");
    hx_lm_cache *c = calloc(1, sizeof *c);
    if (!c || !(c->path = strdup(path))) {
        free(c);
        return hx_fail(err, "%s: LM cache: out of memory", path);
    }
    int rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        hx_fail(err, "%s: LM cache: cannot open database: %s", path,
                c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
        hx_lm_cache_close(c);
        return -1;
    }
    if (set_pragmas(c, err) != 0 || prepare_all(c, err) != 0) {
        hx_lm_cache_close(c);
        return -1;
    }
    *out = c;
    return 0;
}

void hx_lm_cache_close(hx_lm_cache *c)
{
    if (!c) return;
    for (int i = 0; i < Q_N; i++) sqlite3_finalize(c->q[i]);
    sqlite3_close_v2(c->db);
    free(c->path);
    free(c);
}

void hx_lm_cached_free(hx_lm_cached *v)
{
    if (!v) return;
    free(v->response);
    v->response = NULL;
}

int hx_lm_cache_get(hx_lm_cache *c, const char *request_body, hx_lm_cached *out,
                    bool *found, hx_error *err)
{
    char key[65];
    sqlite3_stmt *s = c->q[Q_GET];

    *found = false;
    memset(out, 0, sizeof *out);
    hx_lm_cache_key(request_body, key);
    sqlite3_bind_text(s, 1, key, 64, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        const char *resp = (const char *)sqlite3_column_text(s, 0);
        out->response = strdup(resp ? resp : "");
        out->prompt_tokens = sqlite3_column_int64(s, 1);
        out->completion_tokens = sqlite3_column_int64(s, 2);
        *found = out->response != NULL;
    }
    int ret = 0;
    if (rc == SQLITE_ROW && !*found) ret = hx_fail(err, "%s: LM cache: out of memory", c->path);
    else if (rc != SQLITE_ROW && rc != SQLITE_DONE) ret = db_fail(c, err, "cannot read");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return ret;
}

/* The last guard against caching garbage: a chat completion with a string
 * choices[0].message.content. (Whether that content parses into the
 * module's fields is the caller's check, made before it calls put.) */
static bool is_chat_completion(const char *body)
{
    cJSON *root = hx_json_parse(body);
    cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    cJSON *msg = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(choices, 0), "message");
    bool ok = cJSON_IsString(cJSON_GetObjectItemCaseSensitive(msg, "content"));
    cJSON_Delete(root);
    return ok;
}

static void utc_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int hx_lm_cache_put(hx_lm_cache *c, const char *request_body, const char *response_body,
                    int64_t prompt_tokens, int64_t completion_tokens, hx_error *err)
{
    char key[65], now[32];
    sqlite3_stmt *s = c->q[Q_PUT];

    if (!request_body || !response_body || !is_chat_completion(response_body))
        return hx_fail(err, "%s: LM cache: refusing to cache a reply that is not a chat "
                            "completion with choices[0].message.content", c->path);
    hx_lm_cache_key(request_body, key);
    utc_now(now);
    sqlite3_bind_text(s, 1, key, 64, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, response_body, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, prompt_tokens);
    sqlite3_bind_int64(s, 4, completion_tokens);
    sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    /* The message is taken before reset, which may replace it. */
    int ret = rc == SQLITE_DONE ? 0 : db_fail(c, err, "cannot write");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return ret;
}

int hx_lm_cache_count(hx_lm_cache *c, int64_t *n, hx_error *err)
{
    sqlite3_stmt *s = c->q[Q_COUNT_ROWS];
    int rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    int ret = rc == SQLITE_ROW ? 0 : db_fail(c, err, "cannot count");
    sqlite3_reset(s);
    return ret;
}
