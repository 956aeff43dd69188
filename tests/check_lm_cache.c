/*
 * check_lm_cache.c — unit tests for the SQLite LM response cache
 * (lm_cache.h).
 *
 * Each test works on a fresh cache file in its own temporary directory. The
 * on-disk facts (the key is the SHA-256 of the exact request body, WAL
 * mode, the table leaves user_version alone) are checked through a second,
 * plain sqlite3 connection, the way a person would look.
 */
#include "test_util.h"
#include "lm_cache.h"

#include <dirent.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

Suite *make_suite(void);

#define REQ  "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"
#define RESP "{\"choices\":[{\"message\":{\"content\":\"hello\"}}]}"

static char tmpdir[64], path[128];

static void setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/hx_lmcache_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(path, sizeof path, "%s/cache.db", tmpdir);
}

static void teardown(void)
{
    DIR *d = opendir(tmpdir);
    if (d) {
        struct dirent *e;
        char p[400];
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
            snprintf(p, sizeof p, "%s/%s", tmpdir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(tmpdir);
}

static hx_lm_cache *open_cache(void)
{
    hx_lm_cache *c = NULL;
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_cache_open(path, &c, &err) == 0, "%s", err.msg);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void put(hx_lm_cache *c, const char *req, const char *resp, int64_t pt, int64_t ct)
{
    hx_error err = {{0}};
    ck_assert_msg(hx_lm_cache_put(c, req, resp, pt, ct, &err) == 0, "%s", err.msg);
}

/* Returns whether req was found; the reply goes to *out. */
static bool get(hx_lm_cache *c, const char *req, hx_lm_cached *out)
{
    hx_error err = {{0}};
    bool found = true;
    ck_assert_msg(hx_lm_cache_get(c, req, out, &found, &err) == 0, "%s", err.msg);
    return found;
}

static sqlite3 *raw(void)
{
    sqlite3 *db = NULL;
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    return db;
}

static int64_t raw_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

START_TEST(test_miss_then_hit)
{
    hx_lm_cache *c = open_cache();
    hx_lm_cached v;
    ck_assert(!get(c, REQ, &v));
    ck_assert_ptr_null(v.response);
    put(c, REQ, RESP, 12, 3);
    ck_assert(get(c, REQ, &v));
    ck_assert_str_eq(v.response, RESP);
    ck_assert_int_eq(v.prompt_tokens, 12);
    ck_assert_int_eq(v.completion_tokens, 3);
    hx_lm_cached_free(&v);
    ck_assert_ptr_null(v.response);
    hx_lm_cache_close(c);
}
END_TEST

/* The key is the exact body: one byte of difference (a space, a
 * temperature) is another request. */
START_TEST(test_key_is_exact_body)
{
    hx_lm_cache *c = open_cache();
    hx_lm_cached v;
    put(c, REQ, RESP, 1, 1);
    ck_assert(!get(c, "{\"model\": \"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}",
                   &v));
    ck_assert(!get(c, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                      "\"temperature\":0}", &v));
    ck_assert(get(c, REQ, &v));
    hx_lm_cached_free(&v);

    char key[65];
    hx_lm_cache_key("abc", key);
    ck_assert_str_eq(key, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hx_lm_cache_key(REQ, key);
    hx_lm_cache_close(c);

    sqlite3 *db = raw();
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM lm_cache WHERE key = '%s'", key);
    ck_assert_int_eq(raw_int(db, sql), 1);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_put_replaces)
{
    hx_lm_cache *c = open_cache();
    hx_lm_cached v;
    int64_t n = -1;
    hx_error err = {{0}};
    put(c, REQ, RESP, 1, 1);
    put(c, REQ, "{\"choices\":[{\"message\":{\"content\":\"newer\"}}]}", 2, 2);
    ck_assert_int_eq(hx_lm_cache_count(c, &n, &err), 0);
    ck_assert_int_eq(n, 1);
    ck_assert(get(c, REQ, &v));
    ck_assert_ptr_nonnull(strstr(v.response, "newer"));
    ck_assert_int_eq(v.prompt_tokens, 2);
    hx_lm_cached_free(&v);
    hx_lm_cache_close(c);
}
END_TEST

/* Not a chat completion: refused, nothing stored. */
START_TEST(test_put_refuses_non_completions)
{
    static const char *const bad[] = {
        "", "not json", "{}", "{\"choices\":[]}", "{\"choices\":[{\"message\":{}}]}",
        "{\"choices\":[{\"message\":{\"content\":null}}]}",
        "{\"error\":{\"message\":\"rate limited\"}}",
    };
    hx_lm_cache *c = open_cache();
    hx_error err = {{0}};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_int_eq(hx_lm_cache_put(c, REQ, bad[i], 0, 0, &err), -1);
        ck_assert_ptr_nonnull(strstr(err.msg, "refusing to cache"));
    }
    ck_assert_int_eq(hx_lm_cache_put(c, REQ, NULL, 0, 0, NULL), -1);
    int64_t n = -1;
    ck_assert_int_eq(hx_lm_cache_count(c, &n, &err), 0);
    ck_assert_int_eq(n, 0);
    hx_lm_cache_close(c);
}
END_TEST

START_TEST(test_persists_and_is_wal)
{
    hx_lm_cache *c = open_cache();
    put(c, REQ, RESP, 5, 6);
    hx_lm_cache_close(c);

    c = open_cache();   /* reopening an existing cache keeps its rows */
    hx_lm_cached v;
    ck_assert(get(c, REQ, &v));
    ck_assert_int_eq(v.completion_tokens, 6);
    hx_lm_cached_free(&v);

    /* a second handle (another harness process) sees the first one's puts */
    hx_lm_cache *c2 = open_cache();
    put(c2, "{\"x\":1}", RESP, 0, 0);
    ck_assert(get(c, "{\"x\":1}", &v));
    hx_lm_cached_free(&v);
    hx_lm_cache_close(c2);
    hx_lm_cache_close(c);

    sqlite3 *db = raw();
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(s, 0), "wal");
    sqlite3_finalize(s);
    ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 0);
    ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM lm_cache WHERE created_at LIKE '20%Z'"), 2);
    sqlite3_close(db);
}
END_TEST

/* The table can live in a database that has other tables (the harness
 * store's): it touches nothing else. */
START_TEST(test_shares_a_database)
{
    sqlite3 *db = raw();
    ck_assert_int_eq(sqlite3_exec(db, "PRAGMA user_version = 7; CREATE TABLE other (x); "
                                      "INSERT INTO other VALUES (1)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    hx_lm_cache *c = open_cache();
    put(c, REQ, RESP, 0, 0);
    hx_lm_cache_close(c);
    db = raw();
    ck_assert_int_eq(raw_int(db, "PRAGMA user_version"), 7);
    ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM other"), 1);
    ck_assert_int_eq(raw_int(db, "SELECT count(*) FROM lm_cache"), 1);
    sqlite3_close(db);
}
END_TEST

START_TEST(test_open_errors)
{
    hx_lm_cache *c = (hx_lm_cache *)&c;
    hx_error err = {{0}};
    ck_assert_int_eq(hx_lm_cache_open("", &c, &err), -1);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.msg, "LM cache: no path given");
    ck_assert_int_eq(hx_lm_cache_open("/nonexistent-dir/x/cache.db", &c, &err), -1);
    ck_assert_ptr_null(c);
    static const char want[] = "/nonexistent-dir/x/cache.db: LM cache: ";
    ck_assert_msg(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);

    /* not a database at all */
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("this is a text file, not SQLite, and it is long enough to have a header", f);
    fclose(f);
    ck_assert_int_eq(hx_lm_cache_open(path, &c, &err), -1);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(err.msg, "LM cache"));
    hx_lm_cache_close(NULL);
    hx_lm_cached_free(NULL);
}
END_TEST

Suite *make_suite(void)
{
    Suite *s = suite_create("lm_cache");
    TCase *t = tcase_create("cache");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, test_miss_then_hit);
    tcase_add_test(t, test_key_is_exact_body);
    tcase_add_test(t, test_put_replaces);
    tcase_add_test(t, test_put_refuses_non_completions);
    tcase_add_test(t, test_persists_and_is_wal);
    tcase_add_test(t, test_shares_a_database);
    tcase_add_test(t, test_open_errors);
    suite_add_tcase(s, t);
    return s;
}

HX_TEST_MAIN()
