/*
 * bare.c — the least any client can do: send ready-made request bodies to
 * an OpenAI-compatible endpoint at a fixed concurrency and throw the replies
 * away. bench/promptfoo/run.sh (`make bench`) runs it on the bodies gen.c
 * wrote (the exact bodies harness sends, one per case) against the same
 * simlm as harness, so the wall time it takes at 200 ms latency is the floor
 * this machine and server allow, measured in the same run: whatever harness
 * takes above it is harness's own (reading and checking transcripts, the
 * store, the assertions).
 *
 *   bare --url URL --bodies FILE --concurrency N
 *
 * Every body is read into memory before the first request; one connection
 * per slot, kept alive, as harness does (libcurl's multi interface). Prints
 * "bare: SENT requests, OK answered 200" and exits 1 when any request
 * failed or got another status, 2 on bad arguments or an unreadable file.
 * No retries, no parsing: not a client anyone should use, only a yardstick.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

typedef struct {
    char **lines;
    size_t n;
} bodies;

static int read_bodies(const char *path, bodies *b)
{
    FILE *f = fopen(path, "rb");
    char *line = NULL;
    size_t cap = 0, alloc = 0;
    ssize_t len;
    if (!f) return -1;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = 0;
        if (len == 0) continue;
        if (b->n == alloc) {
            alloc = alloc ? alloc * 2 : 1024;
            char **nl = realloc(b->lines, alloc * sizeof *nl);
            if (!nl) break;
            b->lines = nl;
        }
        if (!(b->lines[b->n] = strdup(line))) break;
        b->n++;
    }
    free(line);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    return bad ? -1 : 0;
}

static size_t discard(char *p, size_t size, size_t n, void *user)
{
    (void)p;
    (void)user;
    return size * n;
}

static CURL *start(CURLM *multi, CURL *e, const char *url, struct curl_slist *hdr, const char *body)
{
    if (!e && !(e = curl_easy_init())) return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_TIMEOUT, 60L);
    curl_multi_add_handle(multi, e);
    return e;
}

int main(int argc, char **argv)
{
    const char *url = NULL, *path = NULL;
    long conc = 0;
    char *end;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--url") && i + 1 < argc) url = argv[++i];
        else if (!strcmp(argv[i], "--bodies") && i + 1 < argc) path = argv[++i];
        else if (!strcmp(argv[i], "--concurrency") && i + 1 < argc) {
            conc = strtol(argv[++i], &end, 10);
            if (*end || conc < 1 || conc > 4096) {
                fprintf(stderr, "bare: --concurrency takes a number from 1 to 4096, not \"%s\"\n", argv[i]);
                return 2;
            }
        } else {
            fprintf(stderr, "usage: bare --url URL --bodies FILE --concurrency N\n");
            return 2;
        }
    }
    if (!url || !path || conc < 1) {
        fprintf(stderr, "bare: --url, --bodies and --concurrency N >= 1 are required\n");
        return 2;
    }
    bodies b = {0};
    if (read_bodies(path, &b) != 0 || b.n == 0) {
        fprintf(stderr, "bare: cannot read request bodies from %s\n", path);
        return 2;
    }

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM *multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, "Authorization: Bearer bench-not-a-secret");
    size_t next = 0, done = 0, ok = 0;
    for (long k = 0; k < conc && next < b.n; k++) start(multi, NULL, url, hdr, b.lines[next++]);
    while (done < b.n) {
        int running = 0, left = 0;
        CURLMsg *msg;
        curl_multi_perform(multi, &running);
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *e = msg->easy_handle;
            long status = 0;
            curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
            if (msg->data.result == CURLE_OK && status == 200) ok++;
            done++;
            curl_multi_remove_handle(multi, e);
            if (next < b.n) start(multi, e, url, hdr, b.lines[next++]);
            else curl_easy_cleanup(e);
        }
        if (done < b.n) curl_multi_poll(multi, NULL, 0, 1000, NULL);
    }
    curl_slist_free_all(hdr);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    for (size_t i = 0; i < b.n; i++) free(b.lines[i]);
    free(b.lines);
    printf("bare: %zu requests, %zu answered 200\n", done, ok);
    return ok == done ? 0 : 1;
}
