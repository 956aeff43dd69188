/*
 * check_simlm.c — tests of simlm, the simulated LM, through its HTTP API.
 *
 * Each test starts the real bin/simlm (HX_SIMLM overrides the path; the
 * test builds nothing) on an ephemeral 127.0.0.1 port with its own flags
 * and a small --truth folder written into the test's temporary directory,
 * waits for the port file, talks to it with libcurl the way the harness
 * does, and stops it with SIGTERM, expecting a clean exit. Prompts are
 * laid out as DSPy's ChatAdapter / JSONAdapter lay them out
 * (shared/reference/dspy-interop.md §2, §3).
 */
#include "test_util.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <curl/curl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

Suite *make_suite(void);

/* ---- the --truth fixture -------------------------------------------------- */

/* Three calls: one without tags, one with three tags and hints, one for an
 * insurance agent with typed outputs. The *_TEXT constants are the turns as
 * the harness renders {transcript}. */
static const char T1_TEXT[] =
    "Agent: Luigi's, how can I help?\n"
    "Caller: A table for 4 on November 21st at 7:30 pm, please. The name is Dana.";
static const char T2_TEXT[] =
    "Agent: Luigi's, how can I help?\n"
    "Caller: Four of us tomorrow at half seven. It's Priya.";
static const char T3_TEXT[] =
    "Agent: Benefits desk.\n"
    "Caller: I'm with BCBS, is the knee scan covered?";

static const char RESTAURANT_JSONL[] =
    "{\"id\": \"rest-0001\", \"call_date\": \"2026-11-20\", \"tags\": [],"
    " \"turns\": [{\"speaker\": \"agent\", \"text\": \"Luigi's, how can I help?\"},"
    " {\"speaker\": \"caller\", \"text\": \"A table for 4 on November 21st at 7:30 pm, please. The name is Dana.\"}],"
    " \"expected\": {\"date\": \"2026-11-21\", \"time\": \"19:30\", \"party_size\": 4,"
    " \"name\": {\"any_of\": [\"Dana\", \"Dana Whitfield\"]}, \"phone\": null}}\n"
    "{\"id\": \"rest-0002\", \"call_date\": \"2026-11-20\","
    " \"tags\": [\"relative-date\", \"ambiguous-time\", \"spelled-number\"],"
    " \"context\": {\"restaurant\": \"Luigi's\", \"simlm\": {\"relative-date\": {\"date\": \"2026-12-04\"},"
    " \"ambiguous-time\": {\"time\": \"07:30\"}, \"spelled-number\": {\"party_size\": \"four\"}}},"
    " \"turns\": [{\"speaker\": \"agent\", \"text\": \"Luigi's, how can I help?\"},"
    " {\"speaker\": \"caller\", \"text\": \"Four of us tomorrow at half seven. It's Priya.\"}],"
    " \"expected\": {\"date\": \"2026-11-21\", \"time\": \"19:30\", \"party_size\": 4,"
    " \"name\": \"Priya\", \"phone\": null}}\n";

static const char INSURANCE_JSON[] =
    "{\"id\": \"ins-0003\", \"call_date\": \"2026-11-20\", \"tags\": [\"insurer-alias\", \"never-given\"],"
    " \"context\": {\"simlm\": {\"insurer-alias\": {\"insurer\": \"BCBS\"},"
    " \"never-given\": {\"member_id\": \"M-000\"}}},"
    " \"turns\": [{\"speaker\": \"agent\", \"text\": \"Benefits desk.\"},"
    " {\"speaker\": \"caller\", \"text\": \"I'm with BCBS, is the knee scan covered?\"}],"
    " \"expected\": {\"insurer\": \"Blue Cross Blue Shield\", \"covered\": true, \"visits\": 3,"
    " \"codes\": [\"73721\", \"73722\"], \"copay\": 20.5, \"decision\": \"needs_pa\", \"member_id\": null}}\n";

/* ---- starting and stopping simlm ------------------------------------------ */

typedef struct srv {
    pid_t pid;
    int port;
    char dir[64];
    char port_file[128];
    char truth[128];
} srv;

static const char *simlm_path(void)
{
    const char *p = getenv("HX_SIMLM");
    return p && *p ? p : "bin/simlm";
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    ck_assert_msg(f != NULL, "cannot write %s", path);
    ck_assert_int_eq(fputs(text, f) >= 0, 1);
    ck_assert_int_eq(fclose(f), 0);
}

static void write_fixture(srv *s)
{
    char path[192];
    snprintf(s->dir, sizeof s->dir, "/tmp/check_simlm_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    snprintf(s->truth, sizeof s->truth, "%s/tr", s->dir);
    snprintf(s->port_file, sizeof s->port_file, "%s/port", s->dir);
    ck_assert_int_eq(mkdir(s->truth, 0700), 0);
    snprintf(path, sizeof path, "%s/restaurant.jsonl", s->truth);
    write_text(path, RESTAURANT_JSONL);
    snprintf(path, sizeof path, "%s/insurance.json", s->truth);
    write_text(path, INSURANCE_JSON);
}

/* The port, once the port file holds a whole line; 0 until then. */
static int read_port(const char *path)
{
    char buf[32] = {0};
    FILE *f = fopen(path, "r");
    size_t n;
    if (!f) return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    if (n == 0 || buf[n - 1] != '\n') return 0;
    return atoi(buf);
}

static void exec_simlm(srv *s, const char *const *extra)
{
    const char *argv[64];
    int n = 0;
    argv[n++] = simlm_path();
    argv[n++] = "--port";
    argv[n++] = "0";
    argv[n++] = "--port-file";
    argv[n++] = s->port_file;
    argv[n++] = "--truth";
    argv[n++] = s->truth;
    argv[n++] = "--quiet";
    for (int i = 0; extra && extra[i] && n < 63; i++) argv[n++] = extra[i];
    argv[n] = NULL;
    /* If this test process dies on a failed assertion, take simlm along. */
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    execv(argv[0], (char *const *)argv);
    _exit(127);
}

/* Start simlm with the default flags plus extra (NULL-terminated) and wait
 * (bounded) for its port file. */
static void srv_start(srv *s, const char *const *extra)
{
    memset(s, 0, sizeof *s);
    write_fixture(s);
    s->pid = fork();
    ck_assert_int_ge(s->pid, 0);
    if (s->pid == 0) exec_simlm(s, extra);
    for (int i = 0; i < 2000 && !s->port; i++) {
        struct timespec ts = {0, 5 * 1000000L};
        int st;
        ck_assert_msg(waitpid(s->pid, &st, WNOHANG) == 0, "%s exited before listening (is it built?)",
                      simlm_path());
        s->port = read_port(s->port_file);
        if (!s->port) nanosleep(&ts, NULL);
    }
    ck_assert_msg(s->port > 0, "simlm did not write its port file");
}

static void remove_fixture(srv *s)
{
    char path[192];
    snprintf(path, sizeof path, "%s/restaurant.jsonl", s->truth);
    unlink(path);
    snprintf(path, sizeof path, "%s/insurance.json", s->truth);
    unlink(path);
    rmdir(s->truth);
    unlink(s->port_file);
    rmdir(s->dir);
}

/* SIGTERM, and expect a clean exit (status 0). */
static void srv_stop(srv *s)
{
    int st = 0;
    ck_assert_int_eq(kill(s->pid, SIGTERM), 0);
    ck_assert_int_eq(waitpid(s->pid, &st, 0), s->pid);
    remove_fixture(s);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "simlm did not exit cleanly (status %d)", st);
}

/* ---- HTTP ----------------------------------------------------------------- */

typedef struct resp {
    long status;
    char *body;
    size_t len;
    char retry_after[32];
    CURLcode cc;
} resp;

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t add = size * n;
    char *b = realloc(r->body, r->len + add + 1);
    if (!b) return 0;
    memcpy(b + r->len, p, add);
    r->body = b;
    r->len += add;
    b[r->len] = '\0';
    return add;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    resp *r = ud;
    size_t len = size * n;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        size_t k = 0;
        for (size_t i = 12; i < len && k + 1 < sizeof r->retry_after; i++)
            if (p[i] != ' ' && p[i] != '\r' && p[i] != '\n') r->retry_after[k++] = p[i];
        r->retry_after[k] = '\0';
    }
    return len;
}

static CURL *easy(const srv *s, const char *method, const char *path, const char *body,
                  long timeout_ms, resp *r, struct curl_slist *hdrs)
{
    char url[256];
    CURL *c = curl_easy_init();
    ck_assert_ptr_nonnull(c);
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", s->port, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    return c;
}

static void http(const srv *s, const char *method, const char *path, const char *body,
                 long timeout_ms, resp *r)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c;
    memset(r, 0, sizeof *r);
    c = easy(s, method, path, body, timeout_ms, r, h);
    r->cc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
}

static void resp_free(resp *r)
{
    free(r->body);
    r->body = NULL;
}

static void post(const srv *s, const char *body, resp *r)
{
    http(s, "POST", "/v1/chat/completions", body, 10000, r);
    ck_assert_msg(r->cc == CURLE_OK, "curl: %s", curl_easy_strerror(r->cc));
}

/* ---- DSPy-shaped requests -------------------------------------------------- */

typedef struct fld {
    const char *name, *type;
} fld;

typedef struct req {
    const char *instructions;
    const fld *ins;
    const char *const *in_values;
    size_t nins;
    const fld *outs;
    size_t nouts;
    const char *demo_user, *demo_assistant; /* one demo pair, optional */
    const char *response_format;            /* JSON text, optional */
    bool json_adapter;                      /* JSONAdapter layout */
    long max_tokens;
} req;

static void field_list(char *buf, size_t cap, const char *head, const fld *f, size_t n)
{
    size_t used = strlen(buf);
    used += (size_t)snprintf(buf + used, cap - used, "%s\n", head);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, cap - used, "%zu. `%s` (%s):%s\n", i + 1, f[i].name,
                                 f[i].type, i + 1 < n ? " " : "");
}

static void skeleton(char *buf, size_t cap, const fld *f, size_t n)
{
    size_t used = strlen(buf);
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(buf + used, cap - used, "[[ ## %s ## ]]\n{%s}\n\n", f[i].name, f[i].name);
}

static char *system_message(const req *q)
{
    size_t cap = 16384;
    char *s = calloc(1, cap);
    size_t used;
    ck_assert_ptr_nonnull(s);
    field_list(s, cap, "Your input fields are:", q->ins, q->nins);
    field_list(s, cap, "Your output fields are:", q->outs, q->nouts);
    strncat(s, "All interactions will be structured in the following way, with the appropriate values "
               "filled in.\n\n", cap - strlen(s) - 1);
    if (q->json_adapter) {
        strncat(s, "Inputs will have the following structure:\n\n", cap - strlen(s) - 1);
        skeleton(s, cap, q->ins, q->nins);
        strncat(s, "Outputs will be a JSON object with the following fields.\n\n{\n", cap - strlen(s) - 1);
        for (size_t i = 0; i < q->nouts; i++) {
            used = strlen(s);
            snprintf(s + used, cap - used, "  \"%s\": \"{%s}\"%s\n", q->outs[i].name, q->outs[i].name,
                     i + 1 < q->nouts ? "," : "");
        }
        strncat(s, "}\n", cap - strlen(s) - 1);
    } else {
        skeleton(s, cap, q->ins, q->nins);
        skeleton(s, cap, q->outs, q->nouts);
        strncat(s, "[[ ## completed ## ]]\n", cap - strlen(s) - 1);
    }
    used = strlen(s);
    snprintf(s + used, cap - used, "In adhering to this structure, your objective is: \n        %s",
             q->instructions);
    return s;
}

static char *user_message(const req *q)
{
    size_t cap = 16384, used = 0;
    char *s = calloc(1, cap);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < q->nins; i++)
        used += (size_t)snprintf(s + used, cap - used, "[[ ## %s ## ]]\n%s\n\n", q->ins[i].name,
                                 q->in_values[i]);
    if (q->json_adapter) {
        used += (size_t)snprintf(s + used, cap - used, "Respond with a JSON object in the following order "
                                 "of fields: ");
        for (size_t i = 0; i < q->nouts; i++)
            used += (size_t)snprintf(s + used, cap - used, "%s`%s`", i ? ", then " : "", q->outs[i].name);
        snprintf(s + used, cap - used, ".");
        return s;
    }
    used += (size_t)snprintf(s + used, cap - used, "Respond with the corresponding output fields, starting "
                             "with the field ");
    for (size_t i = 0; i < q->nouts; i++)
        used += (size_t)snprintf(s + used, cap - used, "%s`[[ ## %s ## ]]`", i ? ", then " : "",
                                 q->outs[i].name);
    snprintf(s + used, cap - used, ", and then ending with the marker for `[[ ## completed ## ]]`.");
    return s;
}

static void add_message(cJSON *msgs, const char *role, const char *content)
{
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", role);
    cJSON_AddStringToObject(m, "content", content);
    cJSON_AddItemToArray(msgs, m);
}

static char *build_body(const req *q)
{
    cJSON *root = cJSON_CreateObject(), *msgs = cJSON_CreateArray();
    char *sys = system_message(q), *user = user_message(q), *text;
    cJSON_AddStringToObject(root, "model", "openai/simlm-test");
    add_message(msgs, "system", sys);
    if (q->demo_user) {
        add_message(msgs, "user", q->demo_user);
        add_message(msgs, "assistant", q->demo_assistant);
    }
    add_message(msgs, "user", user);
    cJSON_AddItemToObject(root, "messages", msgs);
    cJSON_AddNumberToObject(root, "temperature", 0);
    if (q->max_tokens) cJSON_AddNumberToObject(root, "max_tokens", (double)q->max_tokens);
    if (q->response_format) cJSON_AddItemToObject(root, "response_format", cJSON_Parse(q->response_format));
    text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    free(sys);
    free(user);
    return text;
}

/* The assistant content of a 200 completion (owned). */
static char *content_of(const resp *r, const char **finish)
{
    cJSON *root, *choice, *content;
    char *out;
    ck_assert_int_eq(r->status, 200);
    root = cJSON_Parse(r->body);
    ck_assert_msg(root != NULL, "completion is not JSON: %s", r->body);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "object")->valuestring, "chat.completion");
    choice = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "choices"), 0);
    content = cJSON_GetObjectItem(cJSON_GetObjectItem(choice, "message"), "content");
    ck_assert(cJSON_IsString(content));
    out = strdup(content->valuestring);
    if (finish) {
        static char fr[16];
        snprintf(fr, sizeof fr, "%s", cJSON_GetObjectItem(choice, "finish_reason")->valuestring);
        *finish = fr;
    }
    cJSON_Delete(root);
    return out;
}

static char *ask(const srv *s, const req *q)
{
    char *body = build_body(q), *c;
    resp r;
    post(s, body, &r);
    c = content_of(&r, NULL);
    resp_free(&r);
    free(body);
    return c;
}

/* The value of section `name` in a ChatAdapter reply (owned), or NULL. */
static char *section(const char *content, const char *name)
{
    char head[96];
    const char *p, *end;
    snprintf(head, sizeof head, "[[ ## %s ## ]]\n", name);
    p = strstr(content, head);
    if (!p) return NULL;
    p += strlen(head);
    end = strstr(p, "\n\n[[ ## ");
    if (!end) end = p + strlen(p);
    return strndup(p, (size_t)(end - p));
}

static void assert_section(const char *content, const char *name, const char *want)
{
    char *got = section(content, name);
    ck_assert_msg(got != NULL, "no [[ ## %s ## ]] in:\n%s", name, content);
    ck_assert_msg(strcmp(got, want) == 0, "%s: expected \"%s\", got \"%s\"", name, want, got);
    free(got);
}

/* The booking module: ChainOfThought over (transcript, call_date). */
static const fld BOOK_IN[] = {{"transcript", "str"}, {"call_date", "str"}};
static const fld BOOK_OUT[] = {{"reasoning", "str"}, {"date", "str"}, {"time", "str"},
                               {"party_size", "int"}, {"name", "str"},
                               {"phone", "Union[str, NoneType]"}};

static req booking(const char *const *values, const char *instructions)
{
    req q = {0};
    q.instructions = instructions;
    q.ins = BOOK_IN;
    q.in_values = values;
    q.nins = 2;
    q.outs = BOOK_OUT;
    q.nouts = 6;
    return q;
}

static const char *const T1_IN[] = {T1_TEXT, "2026-11-20"};
static const char *const T2_IN[] = {T2_TEXT, "2026-11-20"};
static const char BASIC[] = "Extract the booking details from the call.";

static const char *const NO_KNOWN[] = {"--known-anyway", "0", NULL};

/* ---- answers ---------------------------------------------------------------- */

START_TEST(test_gold_without_tags)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q), *c, *reasoning;
    const char *finish;
    resp r;
    cJSON *root, *usage;
    srv_start(&s, NO_KNOWN);
    post(&s, body, &r);
    c = content_of(&r, &finish);
    ck_assert_str_eq(finish, "stop");
    ck_assert_msg(strncmp(c, "[[ ## reasoning ## ]]\n", 22) == 0, "reasoning must come first:\n%s", c);
    reasoning = section(c, "reasoning");
    ck_assert(reasoning && strlen(reasoning) > 10);
    free(reasoning);
    assert_section(c, "date", "2026-11-21");
    assert_section(c, "time", "19:30");
    assert_section(c, "party_size", "4");
    assert_section(c, "name", "Dana");
    assert_section(c, "phone", "None");
    ck_assert_msg(strlen(c) > 21 && strcmp(c + strlen(c) - 21, "[[ ## completed ## ]]") == 0,
                  "reply must end with the completed marker:\n%s", c);
    /* The envelope: model echoed, usage consistent. */
    root = cJSON_Parse(r.body);
    ck_assert_str_eq(cJSON_GetObjectItem(root, "model")->valuestring, "openai/simlm-test");
    usage = cJSON_GetObjectItem(root, "usage");
    ck_assert_int_gt(cJSON_GetObjectItem(usage, "prompt_tokens")->valueint, 0);
    ck_assert_int_eq(cJSON_GetObjectItem(usage, "completion_tokens")->valueint, (int)((strlen(c) + 3) / 4));
    ck_assert_int_eq(cJSON_GetObjectItem(usage, "total_tokens")->valueint,
                     cJSON_GetObjectItem(usage, "prompt_tokens")->valueint +
                         cJSON_GetObjectItem(usage, "completion_tokens")->valueint);
    cJSON_Delete(root);
    free(c);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_untaught_tags_use_hints)
{
    srv s;
    req q = booking(T2_IN, BASIC);
    char *c;
    srv_start(&s, NO_KNOWN);
    c = ask(&s, &q);
    assert_section(c, "date", "2026-12-04");
    assert_section(c, "time", "07:30");
    assert_section(c, "party_size", "four");
    assert_section(c, "name", "Priya"); /* no tag touches it */
    assert_section(c, "phone", "None");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_teaching_phrase_restores_gold)
{
    srv s;
    req q = booking(T2_IN, "Extract the booking details. Resolve relative dates against the call date.");
    char *c;
    srv_start(&s, NO_KNOWN);
    c = ask(&s, &q);
    assert_section(c, "date", "2026-11-21");  /* taught */
    assert_section(c, "time", "07:30");       /* still untaught */
    assert_section(c, "party_size", "four");
    free(c);
    /* Case does not matter; every skill taught gives gold everywhere. */
    q.instructions = "Extract the details. RESOLVE RELATIVE DATES. Use the 24-Hour clock. "
                     "Write numbers As Digits.";
    c = ask(&s, &q);
    assert_section(c, "date", "2026-11-21");
    assert_section(c, "time", "19:30");
    assert_section(c, "party_size", "4");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_demo_messages_teach)
{
    srv s;
    req q = booking(T2_IN, BASIC);
    char *c;
    srv_start(&s, NO_KNOWN);
    q.demo_user = "[[ ## transcript ## ]]\nCaller: two people at 8, write numbers as digits\n\n"
                  "[[ ## call_date ## ]]\n2026-01-01";
    q.demo_assistant = "[[ ## reasoning ## ]]\nDecide am or pm from context.\n\n[[ ## date ## ]]\n"
                       "2026-01-01\n\n[[ ## completed ## ]]\n";
    c = ask(&s, &q);
    assert_section(c, "party_size", "4"); /* phrase in the demo user message */
    assert_section(c, "time", "19:30");   /* phrase in the demo assistant message */
    assert_section(c, "date", "2026-12-04");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_known_anyway)
{
    srv s;
    const char *const args[] = {"--known-anyway", "1", NULL};
    req q = booking(T2_IN, BASIC);
    char *c;
    srv_start(&s, args);
    c = ask(&s, &q);
    assert_section(c, "date", "2026-11-21");
    assert_section(c, "time", "19:30");
    assert_section(c, "party_size", "4");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_drift_breaks_times)
{
    srv s;
    const char *const args[] = {"--known-anyway", "0", "--drift", NULL};
    req q = booking(T2_IN, "Resolve relative dates. Use the 24-hour clock and decide am or pm from "
                           "context. Write numbers as digits.");
    char *c;
    srv_start(&s, args);
    c = ask(&s, &q);
    assert_section(c, "time", "07:30");       /* the usual phrases no longer teach */
    assert_section(c, "date", "2026-11-21");  /* other skills unaffected */
    assert_section(c, "party_size", "4");
    free(c);
    q.instructions = "Resolve relative dates. Infer am or pm from the time of day. Write numbers as digits.";
    c = ask(&s, &q);
    assert_section(c, "time", "19:30");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_drift_skill_flag)
{
    srv s;
    const char *const args[] = {"--known-anyway", "0", "--drift", "--drift-skill", "numbers", NULL};
    req q = booking(T2_IN, "Use the 24-hour clock. Write numbers as digits.");
    char *c;
    srv_start(&s, args);
    c = ask(&s, &q);
    assert_section(c, "time", "19:30");
    assert_section(c, "party_size", "four");
    free(c);
    q.instructions = "Use the 24-hour clock. Convert spelled-out numbers to numerals.";
    c = ask(&s, &q);
    assert_section(c, "party_size", "4");
    free(c);
    srv_stop(&s);
}
END_TEST

/* The insurance module: typed outputs. */
static const fld INS_IN[] = {{"transcript", "str"}};
static const fld INS_OUT[] = {{"insurer", "str"}, {"covered", "bool"}, {"visits", "int"},
                              {"codes", "list[str]"}, {"copay", "float"},
                              {"decision", "Literal['covered', 'needs_pa', 'denied']"},
                              {"member_id", "Optional[str]"}};
static const char *const T3_IN[] = {T3_TEXT};
static const char INS_SCHEMA[] =
    "{\"type\": \"json_schema\", \"json_schema\": {\"name\": \"DSPyProgramOutputs\", \"strict\": true,"
    " \"schema\": {\"type\": \"object\", \"additionalProperties\": false, \"properties\": {"
    "\"insurer\": {\"type\": \"string\"}, \"covered\": {\"type\": \"boolean\"},"
    " \"visits\": {\"type\": \"integer\"}, \"codes\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
    " \"copay\": {\"type\": \"number\"}, \"decision\": {\"type\": \"string\", \"enum\": [\"covered\", \"needs_pa\", \"denied\"]},"
    " \"member_id\": {\"anyOf\": [{\"type\": \"string\"}, {\"type\": \"null\"}]}},"
    " \"required\": [\"insurer\", \"covered\", \"visits\", \"codes\", \"copay\", \"decision\", \"member_id\"]}}}";

static req insurance(const char *instructions)
{
    req q = {0};
    q.instructions = instructions;
    q.ins = INS_IN;
    q.in_values = T3_IN;
    q.nins = 1;
    q.outs = INS_OUT;
    q.nouts = 7;
    return q;
}

static cJSON *ask_json(const srv *s, const req *q)
{
    char *c = ask(s, q);
    cJSON *o = cJSON_Parse(c);
    ck_assert_msg(cJSON_IsObject(o), "JSON mode content is not a JSON object:\n%s", c);
    free(c);
    return o;
}

START_TEST(test_json_mode_typed)
{
    srv s;
    req q = insurance("Extract the coverage details.");
    cJSON *o, *codes;
    srv_start(&s, NO_KNOWN);
    q.response_format = INS_SCHEMA;
    o = ask_json(&s, &q);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "insurer")->valuestring, "BCBS"); /* untaught alias */
    ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "covered")));
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "visits")));
    ck_assert_int_eq(cJSON_GetObjectItem(o, "visits")->valueint, 3);
    codes = cJSON_GetObjectItem(o, "codes");
    ck_assert(cJSON_IsArray(codes) && cJSON_GetArraySize(codes) == 2);
    ck_assert_str_eq(cJSON_GetArrayItem(codes, 0)->valuestring, "73721");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "copay")));
    ck_assert(cJSON_GetObjectItem(o, "copay")->valuedouble == 20.5);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "decision")->valuestring, "needs_pa");
    ck_assert_str_eq(cJSON_GetObjectItem(o, "member_id")->valuestring, "M-000"); /* hallucinated */
    cJSON_Delete(o);
    /* Taught: the canonical name and null for what was never given. */
    q.instructions = "Give the official insurer name. Answer None if not mentioned.";
    o = ask_json(&s, &q);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "insurer")->valuestring, "Blue Cross Blue Shield");
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "member_id")));
    cJSON_Delete(o);
    srv_stop(&s);
}
END_TEST

START_TEST(test_json_adapter_prompt_and_json_object)
{
    srv s;
    req q = insurance("Extract the coverage details.");
    cJSON *o;
    srv_start(&s, NO_KNOWN);
    q.json_adapter = true; /* no response_format: the system message says JSON */
    o = ask_json(&s, &q);
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "visits")));
    ck_assert(cJSON_IsBool(cJSON_GetObjectItem(o, "covered")));
    cJSON_Delete(o);
    q.json_adapter = false;
    q.response_format = "{\"type\": \"json_object\"}";
    o = ask_json(&s, &q);
    ck_assert_int_eq(cJSON_GetArraySize(o), 7);
    ck_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "codes")));
    cJSON_Delete(o);
    srv_stop(&s);
}
END_TEST

START_TEST(test_chat_adapter_typed_values)
{
    srv s;
    req q = insurance("Give the official insurer name. Leave it empty when not given.");
    char *c;
    srv_start(&s, NO_KNOWN);
    c = ask(&s, &q);
    assert_section(c, "insurer", "Blue Cross Blue Shield");
    assert_section(c, "covered", "True");
    assert_section(c, "visits", "3");
    assert_section(c, "codes", "[\"73721\", \"73722\"]");
    assert_section(c, "copay", "20.5");
    assert_section(c, "decision", "needs_pa");
    assert_section(c, "member_id", "None");
    free(c);
    srv_stop(&s);
}
END_TEST

static const fld ODD_OUT[] = {{"summary_text", "str"}, {"count", "int"}, {"flag", "bool"},
                              {"score", "float"}, {"label", "Literal['pos', 'neg', \"it's\"]"},
                              {"items", "list[str]"}, {"maybe", "Union[str, NoneType]"},
                              {"color", "Color"}};

START_TEST(test_unknown_prompt_placeholders)
{
    srv s;
    const char *const vals[] = {"Agent: hello\nCaller: something nobody indexed"};
    req q = {0};
    char *c;
    cJSON *o;
    q.instructions = "Do the task.";
    q.ins = INS_IN;
    q.in_values = vals;
    q.nins = 1;
    q.outs = ODD_OUT;
    q.nouts = 8;
    srv_start(&s, NULL);
    c = ask(&s, &q);
    assert_section(c, "summary_text", "unknown");
    assert_section(c, "count", "0");
    assert_section(c, "flag", "False");
    assert_section(c, "score", "0.0");
    assert_section(c, "label", "pos");
    assert_section(c, "items", "[]");
    assert_section(c, "maybe", "None");
    assert_section(c, "color", "unknown");
    free(c);
    q.response_format = "{\"type\": \"json_object\"}";
    o = ask_json(&s, &q);
    ck_assert_str_eq(cJSON_GetObjectItem(o, "summary_text")->valuestring, "unknown");
    ck_assert(cJSON_IsNumber(cJSON_GetObjectItem(o, "count")));
    ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(o, "flag")));
    ck_assert_str_eq(cJSON_GetObjectItem(o, "label")->valuestring, "pos");
    ck_assert(cJSON_IsArray(cJSON_GetObjectItem(o, "items")));
    ck_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "maybe")));
    cJSON_Delete(o);
    srv_stop(&s);
}
END_TEST

/* ---- optimizer prompts --------------------------------------------------------- */

static const fld GSMI_IN[] = {{"program_code", "str"}, {"program_description", "str"},
                              {"module", "str"}, {"module_description", "str"},
                              {"task_demos", "str"}, {"basic_instruction", "str"}, {"tip", "str"}};
static const fld GSMI_OUT[] = {{"proposed_instruction", "str"}};

static bool has_any_phrase(const char *text)
{
    static const char *const PHRASES[] = {
        "resolve relative dates", "relative to the call date", "24-hour", "am or pm from context",
        "as digits", "write numbers as digits", "latest value", "caller corrects", "canonical payer",
        "official insurer name", "leave it empty", "none if not mentioned"};
    char low[4096];
    size_t i;
    for (i = 0; text[i] && i + 1 < sizeof low; i++) low[i] = (char)tolower((unsigned char)text[i]);
    low[i] = '\0';
    for (i = 0; i < sizeof PHRASES / sizeof PHRASES[0]; i++)
        if (strstr(low, PHRASES[i])) return true;
    return false;
}

/* proposed_instruction for the n-th variant of a GenerateSingleModuleInstruction call. */
static char *propose(const srv *s, int n)
{
    char tip[64], *c, *inst;
    const char *vals[7] = {"class Booking(dspy.Module): ...", "Extracts booking details.",
                           "Predict(transcript, call_date) -> reasoning, date, time", "The extractor.",
                           "No task demos provided.", BASIC, tip};
    req q = {0};
    snprintf(tip, sizeof tip, "Keep the instruction clear and concise. (%d)", n);
    q.instructions = "Use the information below to learn about a task that we are trying to solve using "
                     "calls to an LM, then generate a new instruction that will be used to prompt a "
                     "Language Model to better solve the task.";
    q.ins = GSMI_IN;
    q.in_values = vals;
    q.nins = 7;
    q.outs = GSMI_OUT;
    q.nouts = 1;
    c = ask(s, &q);
    inst = section(c, "proposed_instruction");
    ck_assert_msg(inst != NULL, "no proposed_instruction in:\n%s", c);
    free(c);
    return inst;
}

START_TEST(test_mipro_proposed_instruction)
{
    srv s;
    int teaching = 0, plain = 0;
    srv_start(&s, NULL);
    for (int i = 0; i < 30; i++) {
        char *inst = propose(&s, i);
        ck_assert_msg(strstr(inst, BASIC) != NULL, "the proposal should build on the basic instruction: %s", inst);
        if (has_any_phrase(inst)) teaching++;
        else plain++;
        free(inst);
    }
    ck_assert_int_gt(teaching, 0);
    ck_assert_int_gt(plain, 0);
    srv_stop(&s);
}
END_TEST

START_TEST(test_mipro_drift_phrase_offered)
{
    srv s;
    const char *const args[] = {"--drift", "--teach-rate", "1", NULL};
    int drift = 0;
    srv_start(&s, args);
    for (int i = 0; i < 40; i++) {
        char *inst = propose(&s, i);
        if (strstr(inst, "infer am or pm from the time of day")) drift++;
        free(inst);
    }
    ck_assert_int_gt(drift, 0);
    srv_stop(&s);
}
END_TEST

static const fld DESC_IN[] = {{"program_code", "str"}, {"program_example", "str"}};
static const fld DESC_OUT[] = {{"program_description", "str"}};
static const fld OBS_IN[] = {{"examples", "str"}};
static const fld OBS_OUT[] = {{"observations", "str"}};

START_TEST(test_mipro_descriptions)
{
    srv s;
    const char *const vals[] = {"class Booking(dspy.Module): ...", "No task demos provided."};
    req q = {0};
    char *c, *v;
    srv_start(&s, NULL);
    q.instructions = "Below is some pseudo-code for a pipeline that solves tasks with calls to language "
                     "models. Please describe what type of task this program appears to be designed to "
                     "solve, and how it appears to work.";
    q.ins = DESC_IN;
    q.in_values = vals;
    q.nins = 2;
    q.outs = DESC_OUT;
    q.nouts = 1;
    c = ask(&s, &q);
    v = section(c, "program_description");
    ck_assert(v && strlen(v) > 40 && strcmp(v, "unknown") != 0);
    free(v);
    free(c);
    q.ins = OBS_IN;
    q.nins = 1;
    q.outs = OBS_OUT;
    c = ask(&s, &q);
    v = section(c, "observations");
    ck_assert(v && strlen(v) > 40);
    free(v);
    free(c);
    srv_stop(&s);
}
END_TEST

/* ---- faults ------------------------------------------------------------------------ */

static void start_with_fault(srv *s, const char *flag, const char *extra)
{
    const char *const args[] = {"--known-anyway", "0", flag, "1", extra, NULL};
    srv_start(s, args);
}

START_TEST(test_fault_429_with_retry_after)
{
    srv s;
    const char *const args[] = {"--fail-429", "1", "--retry-after", "7", NULL};
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    cJSON *e;
    resp r;
    srv_start(&s, args);
    post(&s, body, &r);
    ck_assert_int_eq(r.status, 429);
    ck_assert_str_eq(r.retry_after, "7");
    e = cJSON_Parse(r.body);
    ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "error"), "message")));
    cJSON_Delete(e);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fault_500_and_random_mode_repeats)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    resp r;
    start_with_fault(&s, "--fail-500", NULL);
    for (int i = 0; i < 3; i++) { /* rate 1: every attempt fails */
        post(&s, body, &r);
        ck_assert_int_eq(r.status, 500);
        ck_assert_ptr_nonnull(strstr(r.body, "\"error\""));
        resp_free(&r);
    }
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fault_malformed)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    cJSON *j;
    resp r;
    start_with_fault(&s, "--malformed", NULL);
    post(&s, body, &r);
    ck_assert_int_eq(r.status, 200);
    j = cJSON_Parse(r.body);
    ck_assert_msg(j == NULL, "a malformed body must not parse: %s", r.body);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fault_empty)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *c;
    start_with_fault(&s, "--empty", NULL);
    c = ask(&s, &q);
    ck_assert_str_eq(c, "");
    free(c);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fault_truncate)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q), *c;
    const char *finish;
    resp r;
    start_with_fault(&s, "--truncate", NULL);
    post(&s, body, &r);
    c = content_of(&r, &finish);
    ck_assert_ptr_null(strstr(c, "[[ ## completed ## ]]"));
    ck_assert_ptr_null(strstr(c, "[[ ## phone ## ]]")); /* the last field is missing */
    assert_section(c, "date", "2026-11-21");
    assert_section(c, "name", "Dana");
    ck_assert_str_eq(finish, "length");
    free(c);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fault_mode_once)
{
    srv s;
    req q = booking(T1_IN, BASIC), q2 = booking(T2_IN, BASIC);
    char *b1 = build_body(&q), *b2 = build_body(&q2), *c;
    resp r;
    start_with_fault(&s, "--fail-500", "--fault-mode=once");
    post(&s, b1, &r);
    ck_assert_int_eq(r.status, 500);
    resp_free(&r);
    post(&s, b1, &r); /* the retry succeeds, with the fault-free answer */
    c = content_of(&r, NULL);
    assert_section(c, "date", "2026-11-21");
    free(c);
    resp_free(&r);
    post(&s, b2, &r); /* another body faults on its own first attempt */
    ck_assert_int_eq(r.status, 500);
    resp_free(&r);
    post(&s, b2, &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    free(b1);
    free(b2);
    srv_stop(&s);
}
END_TEST

START_TEST(test_fail_all_is_an_outage)
{
    srv s;
    const char *const args[] = {"--fail-all", NULL};
    resp r;
    srv_start(&s, args);
    post(&s, "{\"model\": \"x\", \"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", &r);
    ck_assert_int_eq(r.status, 503);
    resp_free(&r);
    http(&s, "GET", "/v1/models", NULL, 5000, &r); /* the API itself still answers */
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    srv_stop(&s);
}
END_TEST

START_TEST(test_hang_times_out_and_shutdown_is_prompt)
{
    srv s;
    const char *const args[] = {"--hang", "1", "--hang-ms", "600000", NULL};
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    resp r;
    srv_start(&s, args);
    http(&s, "POST", "/v1/chat/completions", body, 300, &r);
    ck_assert_int_eq(r.cc, CURLE_OPERATION_TIMEDOUT);
    resp_free(&r);
    free(body);
    srv_stop(&s); /* within the test timeout although the hang lasts 10 minutes */
}
END_TEST

/* ---- robustness and determinism -------------------------------------------------- */

START_TEST(test_bad_requests_get_400_and_server_keeps_serving)
{
    srv s;
    const char *bad[] = {"this is not json", "{\"model\": \"x\"}", "{\"messages\": []}", "[1, 2]",
                         "{\"messages\": [42]}"};
    req q = booking(T1_IN, BASIC);
    char *c;
    cJSON *st, *models;
    resp r;
    srv_start(&s, NULL);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *e;
        post(&s, bad[i], &r);
        ck_assert_int_eq(r.status, 400);
        e = cJSON_Parse(r.body);
        ck_assert(cJSON_IsString(cJSON_GetObjectItem(cJSON_GetObjectItem(e, "error"), "message")));
        cJSON_Delete(e);
        resp_free(&r);
    }
    c = ask(&s, &q);
    assert_section(c, "time", "19:30");
    free(c);
    http(&s, "GET", "/v1/models", NULL, 5000, &r);
    models = cJSON_Parse(r.body);
    ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(models, "data"), 0), "id")
                         ->valuestring, "simlm");
    cJSON_Delete(models);
    resp_free(&r);
    http(&s, "GET", "/v1/nothing", NULL, 5000, &r);
    ck_assert_int_eq(r.status, 404);
    resp_free(&r);
    http(&s, "GET", "/v1/chat/completions", NULL, 5000, &r);
    ck_assert_int_eq(r.status, 405);
    resp_free(&r);
    http(&s, "GET", "/stats", NULL, 5000, &r);
    st = cJSON_Parse(r.body);
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "by_status"), "400")->valueint, 5);
    ck_assert_int_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(st, "answers"), "matched")->valueint, 1);
    cJSON_Delete(st);
    resp_free(&r);
    srv_stop(&s);
}
END_TEST

START_TEST(test_body_too_large_is_413)
{
    srv s;
    const char *const args[] = {"--max-body", "1000", NULL};
    char *big = malloc(5001);
    resp r;
    srv_start(&s, args);
    memset(big, 'x', 5000);
    big[5000] = '\0';
    post(&s, big, &r);
    ck_assert_int_eq(r.status, 413);
    resp_free(&r);
    post(&s, "{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}]}", &r);
    ck_assert_int_eq(r.status, 200);
    resp_free(&r);
    free(big);
    srv_stop(&s);
}
END_TEST

START_TEST(test_same_body_same_reply)
{
    srv s, s2;
    req q = booking(T2_IN, BASIC);
    char *body = build_body(&q);
    resp a, b, c;
    srv_start(&s, NULL);
    post(&s, body, &a);
    post(&s, body, &b);
    ck_assert_int_eq(a.status, 200);
    ck_assert_str_eq(a.body, b.body);
    srv_stop(&s);
    srv_start(&s2, NULL); /* a fresh process answers the same bytes */
    post(&s2, body, &c);
    ck_assert_str_eq(a.body, c.body);
    srv_stop(&s2);
    resp_free(&a);
    resp_free(&b);
    resp_free(&c);
    free(body);
}
END_TEST

START_TEST(test_max_tokens_cuts_reply)
{
    srv s;
    req q = booking(T1_IN, BASIC);
    char *body, *c;
    const char *finish;
    resp r;
    q.max_tokens = 5;
    body = build_body(&q);
    srv_start(&s, NULL);
    post(&s, body, &r);
    c = content_of(&r, &finish);
    ck_assert_str_eq(finish, "length");
    ck_assert_uint_le(strlen(c), 20);
    free(c);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* --latency-ms is the whole answer time: every reply, an answer or a
 * refusal, comes no sooner than the latency after its request (the work of
 * answering happens inside it). */
START_TEST(test_latency_is_a_lower_bound_for_every_reply)
{
    srv s;
    const char *const args[] = {"--latency-ms", "250", NULL};
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    resp r;
    long long t0;
    srv_start(&s, args);
    t0 = now_ms();
    post(&s, body, &r);
    ck_assert_int_eq(r.status, 200);
    ck_assert_int_ge(now_ms() - t0, 250);
    resp_free(&r);
    t0 = now_ms();
    post(&s, "{\"model\": 1}", &r);
    ck_assert_int_eq(r.status, 400);
    ck_assert_int_ge(now_ms() - t0, 250);
    resp_free(&r);
    free(body);
    srv_stop(&s);
}
END_TEST

START_TEST(test_64_concurrent_requests_overlap)
{
    enum { N = 64 };
    srv s;
    const char *const args[] = {"--latency-ms", "300", NULL};
    req q = booking(T1_IN, BASIC);
    char *body = build_body(&q);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURLM *m = curl_multi_init();
    CURL *e[N];
    resp r[N];
    int running = 1, ok = 0;
    long long t0;
    srv_start(&s, args);
    memset(r, 0, sizeof r);
    for (int i = 0; i < N; i++) {
        e[i] = easy(&s, "POST", "/v1/chat/completions", body, 20000, &r[i], h);
        curl_multi_add_handle(m, e[i]);
    }
    curl_multi_setopt(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)N);
    t0 = now_ms();
    while (running) {
        curl_multi_perform(m, &running);
        if (running) curl_multi_poll(m, NULL, 0, 1000, NULL);
    }
    for (int i = 0; i < N; i++) {
        long status = 0;
        curl_easy_getinfo(e[i], CURLINFO_RESPONSE_CODE, &status);
        if (status == 200) ok++;
        curl_multi_remove_handle(m, e[i]);
        curl_easy_cleanup(e[i]);
        resp_free(&r[i]);
    }
    /* In series this would take 64 x 300 ms = 19 s. */
    ck_assert_int_lt(now_ms() - t0, 6000);
    ck_assert_int_eq(ok, N);
    curl_multi_cleanup(m);
    curl_slist_free_all(h);
    free(body);
    srv_stop(&s);
}
END_TEST

/* Run simlm with args; its exit status. */
static int run_status(const char *const *args)
{
    const char *argv[16];
    int n = 0, st = 0;
    pid_t pid;
    argv[n++] = simlm_path();
    for (int i = 0; args[i] && n < 15; i++) argv[n++] = args[i];
    argv[n] = NULL;
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr) || !freopen("/dev/null", "w", stdout)) _exit(126);
        execv(argv[0], (char *const *)argv);
        _exit(127);
    }
    ck_assert_int_eq(waitpid(pid, &st, 0), pid);
    ck_assert(WIFEXITED(st));
    return WEXITSTATUS(st);
}

START_TEST(test_command_line)
{
    const char *const help[] = {"--help", NULL};
    const char *const bad_rate[] = {"--fail-429", "1.5", NULL};
    const char *const bad_skill[] = {"--drift-skill", "juggling", NULL};
    const char *const bad_mode[] = {"--fault-mode", "sometimes", NULL};
    const char *const unknown[] = {"--frobnicate", NULL};
    const char *const no_truth[] = {"--truth", "/nonexistent/simlm-truth", "--port", "0", NULL};
    ck_assert_int_eq(run_status(help), 0);
    ck_assert_int_eq(run_status(bad_rate), 2);
    ck_assert_int_eq(run_status(bad_skill), 2);
    ck_assert_int_eq(run_status(bad_mode), 2);
    ck_assert_int_eq(run_status(unknown), 2);
    ck_assert_int_eq(run_status(no_truth), 2);
}
END_TEST

static void curl_up(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void curl_down(void)
{
    curl_global_cleanup();
}

Suite *make_suite(void)
{
    Suite *s = suite_create("simlm");
    TCase *answers = tcase_create("answers"), *opt = tcase_create("optimizer");
    TCase *faults = tcase_create("faults"), *robust = tcase_create("robustness");
    TCase *all[] = {answers, opt, faults, robust};
    for (size_t i = 0; i < 4; i++) {
        tcase_add_unchecked_fixture(all[i], curl_up, curl_down);
        tcase_set_timeout(all[i], 60);
        suite_add_tcase(s, all[i]);
    }
    tcase_add_test(answers, test_gold_without_tags);
    tcase_add_test(answers, test_untaught_tags_use_hints);
    tcase_add_test(answers, test_teaching_phrase_restores_gold);
    tcase_add_test(answers, test_demo_messages_teach);
    tcase_add_test(answers, test_known_anyway);
    tcase_add_test(answers, test_drift_breaks_times);
    tcase_add_test(answers, test_drift_skill_flag);
    tcase_add_test(answers, test_json_mode_typed);
    tcase_add_test(answers, test_json_adapter_prompt_and_json_object);
    tcase_add_test(answers, test_chat_adapter_typed_values);
    tcase_add_test(answers, test_unknown_prompt_placeholders);
    tcase_add_test(opt, test_mipro_proposed_instruction);
    tcase_add_test(opt, test_mipro_drift_phrase_offered);
    tcase_add_test(opt, test_mipro_descriptions);
    tcase_add_test(faults, test_fault_429_with_retry_after);
    tcase_add_test(faults, test_fault_500_and_random_mode_repeats);
    tcase_add_test(faults, test_fault_malformed);
    tcase_add_test(faults, test_fault_empty);
    tcase_add_test(faults, test_fault_truncate);
    tcase_add_test(faults, test_fault_mode_once);
    tcase_add_test(faults, test_fail_all_is_an_outage);
    tcase_add_test(faults, test_hang_times_out_and_shutdown_is_prompt);
    tcase_add_test(robust, test_bad_requests_get_400_and_server_keeps_serving);
    tcase_add_test(robust, test_body_too_large_is_413);
    tcase_add_test(robust, test_same_body_same_reply);
    tcase_add_test(robust, test_max_tokens_cuts_reply);
    tcase_add_test(robust, test_latency_is_a_lower_bound_for_every_reply);
    tcase_add_test(robust, test_64_concurrent_requests_overlap);
    tcase_add_test(robust, test_command_line);
    return s;
}

HX_TEST_MAIN()
