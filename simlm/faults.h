/*
 * faults.h — deciding which simulated failure a request meets.
 *
 * A real provider rate-limits (429 with Retry-After), errors (500), hangs,
 * sends broken bodies, empty answers and replies cut short. simlm injects
 * each at its own rate, and decides deterministically: the n-th request
 * carrying a given body always meets the same fault, whatever else is in
 * flight, so a run can be replayed. The draw for attempt n is keyed on
 * (--seed, body SHA-256, n, fault), so a retry (attempt n+1) draws afresh.
 *
 * --fault-mode once: a body faults at most on its first attempt, so a
 * client that retries ends with exactly the verdicts of a fault-free run.
 * (--fail-all, an outage, is not drawn: chat.c answers 503 to everything.)
 */
#ifndef SL_FAULTS_H
#define SL_FAULTS_H

#include <stdbool.h>
#include <stdint.h>

typedef enum sl_fault {
    SL_FAULT_NONE,
    SL_FAULT_OUTAGE,     /* 503, --fail-all */
    SL_FAULT_HANG,       /* no answer within the client's timeout */
    SL_FAULT_429,        /* rate limited, with Retry-After */
    SL_FAULT_500,        /* server error */
    SL_FAULT_MALFORMED,  /* 200 with a body that is not JSON */
    SL_FAULT_EMPTY,      /* 200 with content "" */
    SL_FAULT_TRUNCATE,   /* 200 with the reply cut before its last field */
    SL_FAULT_COUNT
} sl_fault;

typedef struct sl_fault_cfg {
    double rate[SL_FAULT_COUNT];  /* chance per attempt; [NONE] and [OUTAGE] unused */
    bool once;                    /* --fault-mode once */
    uint64_t seed;
} sl_fault_cfg;

typedef struct sl_faults sl_faults;

/* NULL when out of memory. cfg is copied. */
sl_faults *sl_faults_new(const sl_fault_cfg *cfg);
void sl_faults_free(sl_faults *f);

/* Count this attempt of the body and decide its fault. Thread-safe.
 * *attempt is set to the attempt number (1 for the first). */
sl_fault sl_faults_decide(sl_faults *f, const char body_sha[65], unsigned *attempt);

/* "none", "outage", "hang", "429", "500", "malformed", "empty", "truncate". */
const char *sl_fault_name(sl_fault f);

#endif
