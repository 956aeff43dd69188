/*
 * validate.h — checking a whole suite before anything is sent or written.
 *
 * `harness validate`, and the first step of `run` and `check`: the suite
 * file, every module's rules and program, and every transcript of every
 * agent — each expected field must be an output of one of the agent's
 * modules and have a rule, each expected value must read under its rule
 * (so a fixture typo like "2026-13-01" is caught here, not reported as a
 * model failure), and each input template must fill from each transcript.
 * Every problem is listed; nothing stops at the first.
 */
#ifndef HX_VALIDATE_H
#define HX_VALIDATE_H

#include "diag.h"
#include "suite.h"
#include "transcript.h"

/* The reference context for normalising a transcript's values. */
void hx_transcript_ctx(const hx_transcript *t, hx_norm_ctx *ctx);

/* Check one transcript against its agent's modules; problems go to d with
 * the transcript's file and position. Returns 0 or -1. */
int hx_validate_transcript(const hx_agent_config *a, const hx_transcript *t, hx_diags *d);

/* Load parts and check every transcript. counts[i] receives agent i's
 * transcript count if counts is non-NULL. Returns 0 or -1. */
int hx_validate_suite(hx_suite *s, hx_diags *d, size_t *counts);

#endif
