/*
 * lm_cache.h — the SQLite response cache for LM calls.
 *
 * Replaying the same transcripts through the same program sends the same
 * request bodies byte for byte; with a cache those replies come from disk,
 * so a re-run (a report tweak, an assertion fix, --resume) costs nothing and
 * gives the same answers. The key is the SHA-256 (lowercase hex) of the
 * exact request body, which already holds the model, the messages, the
 * temperature and every other parameter: a change to any of them is a
 * different key, never a stale hit. The value is the raw response body and
 * its token usage.
 *
 * Who writes: the LM client (lm_client.h) only ever READS the cache. The
 * caller writes, with hx_lm_cache_put, after it has parsed the reply into
 * the module's output fields. A reply that the module cannot parse must
 * never be cached (it would be replayed as the same failure forever), and
 * only the caller knows whether it parsed; errors (HTTP failures, timeouts)
 * are never cached either, because the client never hands them to put.
 *
 * The cache is one table, `lm_cache`, that leaves PRAGMA user_version and
 * application_id alone, so it can live in its own file (recommended:
 * reports/lm_cache.db — deleting the file clears the cache) or beside the
 * score store's tables in the harness database. The database is in WAL mode
 * with a busy timeout, so two harness processes may share one cache. A
 * cache handle is for one thread at a time.
 */
#ifndef HX_LM_CACHE_H
#define HX_LM_CACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* How a run uses the cache (`harness run --cache read-write|read|off`).
 * READ and READ_WRITE are the same to the client (it reads); READ_WRITE
 * tells the caller to hx_lm_cache_put the replies it could parse. */
enum { HX_CACHE_OFF = 0, HX_CACHE_READ = 1, HX_CACHE_READ_WRITE = 2 };

typedef struct hx_lm_cache hx_lm_cache;

/* A cached reply; response is owned (free it with hx_lm_cached_free). */
typedef struct hx_lm_cached {
    char *response;
    int64_t prompt_tokens, completion_tokens;
} hx_lm_cached;

/* Open (creating if needed) the cache at path. */
int hx_lm_cache_open(const char *path, hx_lm_cache **out, hx_error *err);
void hx_lm_cache_close(hx_lm_cache *c);

/* The key of a request body: SHA-256 of its bytes as lowercase hex. */
void hx_lm_cache_key(const char *request_body, char key[65]);

/* Look request_body up. *found says whether it was there; on a hit out
 * holds the reply (owned by the caller). Returns -1 only on a database
 * error. */
int hx_lm_cache_get(hx_lm_cache *c, const char *request_body, hx_lm_cached *out,
                    bool *found, hx_error *err);
void hx_lm_cached_free(hx_lm_cached *v);

/* Store the reply to request_body (replacing an older one). Call it only
 * for a reply the caller has parsed successfully. As a last guard, a
 * response that is not a chat completion (JSON with a string
 * choices[0].message.content) is refused with -1. */
int hx_lm_cache_put(hx_lm_cache *c, const char *request_body, const char *response_body,
                    int64_t prompt_tokens, int64_t completion_tokens, hx_error *err);

/* Number of cached replies (for reports and tests). */
int hx_lm_cache_count(hx_lm_cache *c, int64_t *n, hx_error *err);

#endif
