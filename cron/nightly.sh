#!/usr/bin/env bash
# cron/nightly.sh — the nightly job: one `harness run` per night under a lock,
# then the pending recompiles and the reports, a log per night, an optional
# Slack-compatible webhook. `cron/nightly.sh --help` explains every option.
set -u
umask 027

PROG=nightly
EX_LOCKED=75   # EX_TEMPFAIL from sysexits.h: "try again later"
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)

usage() {
  cat <<'EOF'
Usage: cron/nightly.sh [OPTIONS] [-- EXTRA `harness run` OPTIONS]

The nightly job. Under an exclusive lock (two nights never overlap), it runs
  1. harness run        --suite F [--db F] [--agent A]... [--module M]... --json
  2. harness recompile  --suite F --pending      when a recompile trigger is still
                        open (the run records them and may run them itself;
                        an earlier night may have left one open), and this
                        harness has `recompile` (skipped if `harness recompile
                        --help` says it is not available)
  3. harness report     --run ID --format F --out DIR/NIGHT/…  for each format
                        this harness offers (skipped if `report` is not available)
and writes everything to one log per night, reports/logs/YYYY-MM-DD.log, keeping
the newest N nights. On a regression, a recompile trigger or a failure it can
POST a Slack-compatible {"text": "..."} summary to a webhook. The API key is
never read, printed or logged by this script: `harness` reads it from the
variable the suite names (lm.api_key_env); any secret that a command prints
is replaced by [redacted] in the log, the summary and the webhook.

Every option has an environment variable (the option wins when both are set):

  --workdir DIR        HARNESS_HOME     folder to run in; relative paths below are
                                        relative to it (default: the repository,
                                        the parent of cron/)
  --harness PATH       HARNESS_BIN      the harness binary (default: bin/harness in
                                        the repository if present, else `harness`
                                        on PATH)
  --suite F            HARNESS_SUITE    the suite (default: suite.json)
  --db F               HARNESS_DB       the database (default: the suite's "db")
  --agent A            HARNESS_AGENTS   only these agents (option repeatable; the
                                        variable is a space- or comma-separated list)
  --module M           HARNESS_MODULES  only these modules (same rules)
  --concurrency N      HARNESS_CONCURRENCY   requests in flight
  --cache MODE         HARNESS_CACHE    read-write, read or off
  --no-recompile       HARNESS_NO_RECOMPILE=1  pass --no-recompile to the run and
                                        skip step 2 (triggers are still recorded,
                                        and the next night runs them)
  --optimizer O        HARNESS_OPTIMIZER     dspy or native, for step 2
  --formats LIST       HARNESS_REPORT_FORMATS  report formats to write, space- or
                                        comma-separated (default: "html md junit
                                        json"); "none" writes no report
  --report-dir DIR     HARNESS_REPORT_DIR   reports go to DIR/YYYY-MM-DD/
                                        (default: reports/nightly)
  --log-dir DIR        HARNESS_LOG_DIR  (default: reports/logs)
  --keep N             HARNESS_LOG_KEEP keep the newest N nights of logs and of
                                        report folders (default: 30; 0 keeps all)
  --lock F             HARNESS_LOCK     the lock file (default: reports/nightly.lock)
  --night YYYY-MM-DD   HARNESS_NIGHT    name of tonight's log and report folder
                                        (default: today's local date); a second
                                        run the same night appends to the log
  --max-hours H        HARNESS_MAX_HOURS  stop `harness run` after H hours (exit 3;
                                        `harness run --resume RUN` finishes it);
                                        default 0: no limit
  --env-file F         HARNESS_ENV_FILE read KEY=VALUE lines (e.g. the API key and
                                        the webhook URL) into the environment; the
                                        file is parsed, not executed, and its
                                        variables count as set in the environment
                                        (HARNESS_* ones included); keep it 0600
  --webhook-on EVENTS  HARNESS_WEBHOOK_ON  when to POST: any of regression, trigger,
                                        failure, always (default: "regression
                                        trigger failure"; a config error counts as
                                        a failure)
  -q, --quiet          HARNESS_QUIET=1  print nothing when the night is clean (exit
                                        0), so cron mails only bad nights
  -h, --help           this text
  --                   everything after it is passed to `harness run` as is

Other environment variables:
  HARNESS_WEBHOOK_URL  if set, the webhook (Slack incoming webhook, Mattermost,
                       or anything taking {"text": "..."}); POSTed with curl,
                       never logged (the log names only its host); a failed
                       POST is logged and said on stderr, and does not change
                       the exit code
  HARNESS_SECRET_VARS  more variable names whose values must never reach the log
                       (the suite's api_key_env names, HARNESS_WEBHOOK_URL and
                       every variable ending in _KEY, _TOKEN, _SECRET or
                       _PASSWORD are redacted already)
  the API key          under the name the suite gives in lm.api_key_env, e.g.
                       OPENAI_API_KEY; put it in --env-file or the systemd
                       EnvironmentFile, not in the crontab

Exit codes (the worst outcome of the night; 3 > 2 > 1 > 0):
  0   every module at or above its bar, every step done
  1   some module below its bar (a regression)
  2   bad usage or configuration: an option of this script, or `harness run`
      refused the suite (nothing was sent to the LM, nothing written)
  3   the night could not finish: `harness run` exited 3 (LM unreachable, too
      many errors, disk or database failure; resume with `harness run --resume
      RUN`), timed out, crashed, or a recompile or report step failed
  75  another night still holds the lock: this one did nothing and wrote
      nothing (no log, no database change) and says so on stderr

Examples:
  cron/nightly.sh                                    # what cron/crontab runs
  cron/nightly.sh --suite suite.json --keep 14 --quiet
  HARNESS_WEBHOOK_URL=https://hooks.slack.com/services/T/B/X cron/nightly.sh
  cron/nightly.sh --agent restaurant-booking -- --concurrency 8
EOF
}

die_usage() { echo "$PROG: $*" >&2; echo "$PROG: see cron/nightly.sh --help" >&2; exit 2; }

# split_list "a, b c" -> one word per line
split_list() { local s=${1//,/ }; local w; for w in $s; do printf '%s\n' "$w"; done; }

# --- the env file first: its variables count as if set in the environment ----------
# KEY=VALUE lines, parsed (never sourced): comments, blank lines, `export `
# prefixes and one pair of surrounding quotes are allowed.
env_file=${HARNESS_ENV_FILE:-}
prev=""
for a in "$@"; do
  case $a in -h|--help) usage; exit 0 ;; --) break ;; esac
  [ "$prev" = --env-file ] && env_file=$a
  prev=$a
done
unset prev a
if [ -n "$env_file" ]; then
  if [ ! -f "$env_file" ] || [ ! -r "$env_file" ]; then die_usage "cannot read the env file '$env_file'"; fi
  n=0
  while IFS= read -r line || [ -n "$line" ]; do
    n=$((n + 1))
    line=${line%$'\r'}
    [[ $line =~ ^[[:space:]]*(#|$) ]] && continue
    line=${line#export }
    if [[ $line =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]]; then
      k=${BASH_REMATCH[1]} v=${BASH_REMATCH[2]}
      if [[ $v =~ ^\"(.*)\"$ ]] || [[ $v =~ ^\'(.*)\'$ ]]; then v=${BASH_REMATCH[1]}; fi
      export "$k=$v"
    else
      die_usage "$env_file:$n: expected KEY=VALUE (the line is not shown: it may hold a secret)"
    fi
  done <"$env_file"
  unset line k v n
fi

# --- options: environment first, options override ------------------------------
workdir=${HARNESS_HOME:-}
hx=${HARNESS_BIN:-}
suite=${HARNESS_SUITE:-suite.json}
db=${HARNESS_DB:-}
agents=() modules=() extra=()
[ -n "${HARNESS_AGENTS:-}" ] && mapfile -t agents < <(split_list "$HARNESS_AGENTS")
[ -n "${HARNESS_MODULES:-}" ] && mapfile -t modules < <(split_list "$HARNESS_MODULES")
concurrency=${HARNESS_CONCURRENCY:-}
cache=${HARNESS_CACHE:-}
no_recompile=${HARNESS_NO_RECOMPILE:-0}
optimizer=${HARNESS_OPTIMIZER:-}
formats=${HARNESS_REPORT_FORMATS:-html md junit json}
report_dir=${HARNESS_REPORT_DIR:-reports/nightly}
log_dir=${HARNESS_LOG_DIR:-reports/logs}
keep=${HARNESS_LOG_KEEP:-30}
lock=${HARNESS_LOCK:-reports/nightly.lock}
night=${HARNESS_NIGHT:-}
max_hours=${HARNESS_MAX_HOURS:-0}
webhook_on=${HARNESS_WEBHOOK_ON:-regression trigger failure}
quiet=${HARNESS_QUIET:-0}

need_arg() { if [ "$#" -lt 2 ] || [ -z "$2" ]; then die_usage "$1 needs a value"; fi; }
while [ "$#" -gt 0 ]; do
  case $1 in
    -h|--help) usage; exit 0 ;;
    --workdir) need_arg "$@"; workdir=$2; shift ;;
    --harness) need_arg "$@"; hx=$2; shift ;;
    --suite) need_arg "$@"; suite=$2; shift ;;
    --db) need_arg "$@"; db=$2; shift ;;
    --agent) need_arg "$@"; agents+=("$2"); shift ;;
    --module) need_arg "$@"; modules+=("$2"); shift ;;
    --concurrency) need_arg "$@"; concurrency=$2; shift ;;
    --cache) need_arg "$@"; cache=$2; shift ;;
    --no-recompile) no_recompile=1 ;;
    --optimizer) need_arg "$@"; optimizer=$2; shift ;;
    --formats) need_arg "$@"; formats=$2; shift ;;
    --report-dir) need_arg "$@"; report_dir=$2; shift ;;
    --log-dir) need_arg "$@"; log_dir=$2; shift ;;
    --keep) need_arg "$@"; keep=$2; shift ;;
    --lock) need_arg "$@"; lock=$2; shift ;;
    --night) need_arg "$@"; night=$2; shift ;;
    --max-hours) need_arg "$@"; max_hours=$2; shift ;;
    --env-file) need_arg "$@"; shift ;;   # read above, before the environment
    --webhook-on) need_arg "$@"; webhook_on=$2; shift ;;
    -q|--quiet) quiet=1 ;;
    --) shift; extra=("$@"); break ;;
    --*=*) die_usage "write options as '${1%%=*} VALUE', not '$1'" ;;
    *) die_usage "unknown option '$1'" ;;
  esac
  shift
done

# --- checks that need no lock (they write nothing) ------------------------------
[[ $keep =~ ^[0-9]+$ ]] || die_usage "--keep / HARNESS_LOG_KEEP must be a whole number of nights, not '$keep'"
[[ $max_hours =~ ^[0-9]+([.][0-9]+)?$ ]] || die_usage "--max-hours / HARNESS_MAX_HOURS must be a number of hours, not '$max_hours'"
[ -z "$concurrency" ] || [[ $concurrency =~ ^[1-9][0-9]*$ ]] || die_usage "--concurrency must be a positive whole number, not '$concurrency'"
case $cache in ''|read-write|read|off) ;; *) die_usage "--cache must be read-write, read or off, not '$cache'" ;; esac
case $optimizer in ''|dspy|native) ;; *) die_usage "--optimizer must be dspy or native, not '$optimizer'" ;; esac
case $no_recompile in 0|1|'') ;; *) die_usage "HARNESS_NO_RECOMPILE must be 0 or 1" ;; esac
case $quiet in 0|1|'') ;; *) die_usage "HARNESS_QUIET must be 0 or 1" ;; esac
for e in $(split_list "$webhook_on"); do
  case $e in regression|trigger|failure|always|never) ;; *) die_usage "--webhook-on: unknown event '$e' (regression, trigger, failure, always)" ;; esac
done
for f in $(split_list "$formats"); do
  case $f in html|md|junit|json|none) ;; *) die_usage "--formats: unknown format '$f' (html, md, junit, json or none)" ;; esac
done
[ -z "$night" ] && night=$(date +%F)
[[ $night =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] || die_usage "--night / HARNESS_NIGHT must be YYYY-MM-DD, not '$night'"

[ -n "$workdir" ] || workdir=$ROOT
cd "$workdir" 2>/dev/null || die_usage "cannot enter the working folder '$workdir'"
if [ -z "$hx" ]; then
  if [ -x "$ROOT/bin/harness" ]; then hx=$ROOT/bin/harness; else hx=$(command -v harness || true); fi
  [ -n "$hx" ] || die_usage "no harness binary: build it with 'make', or set --harness / HARNESS_BIN"
fi
[[ $hx == */* ]] || hx=$(command -v "$hx" || echo "$hx")
if [ ! -f "$hx" ] || [ ! -x "$hx" ]; then die_usage "the harness binary '$hx' is not an executable file (--harness / HARNESS_BIN)"; fi
command -v flock >/dev/null || die_usage "flock (util-linux) is not installed"

webhook_url=${HARNESS_WEBHOOK_URL:-}
if [ -n "$webhook_url" ]; then
  [[ $webhook_url =~ ^https?://[^[:space:]]+$ ]] || die_usage "HARNESS_WEBHOOK_URL must be an http:// or https:// URL"
  command -v curl >/dev/null || die_usage "HARNESS_WEBHOOK_URL is set but curl is not installed"
fi

# --- the lock: the second night exits here, having written nothing --------------
lock_dir=$(dirname "$lock")
[ -d "$lock_dir" ] || mkdir -p "$lock_dir" 2>/dev/null || { echo "$PROG: cannot create the folder of the lock file '$lock'" >&2; exit 3; }
# >> opens without truncating or touching an existing lock file.
if ! exec 9>>"$lock"; then echo "$PROG: cannot open the lock file '$lock'" >&2; exit 3; fi
if ! flock -n 9; then
  holder=$(head -c 200 "$lock" 2>/dev/null | tr -cd '[:alnum:] :+._-')
  echo "$PROG: another night is still running (the lock $lock is held${holder:+ by $holder}):" \
       "this one exits now without running or writing anything (exit $EX_LOCKED)." >&2
  exit "$EX_LOCKED"
fi
printf 'pid %s started %s\n' "$$" "$(date -Iseconds)" >"$lock" 2>/dev/null || true

# --- from here on everything goes to the night's log ------------------------------
TMP=$(mktemp -d "${TMPDIR:-/tmp}/harness-nightly.XXXXXX") || { echo "$PROG: cannot create a temporary folder" >&2; exit 3; }
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() { rm -rf "$TMP"; : >"$lock" 2>/dev/null; }
trap cleanup EXIT
trap 'exit 3' INT TERM HUP

if ! mkdir -p "$log_dir" 2>/dev/null || ! : >>"$log_dir/$night.log" 2>/dev/null; then
  echo "$PROG: cannot write the log $log_dir/$night.log" >&2; exit 3
fi
log=$log_dir/$night.log

# The values that must never reach the log: the suite's api_key_env names,
# the webhook URL, HARNESS_SECRET_VARS, and every *_KEY/_TOKEN/_SECRET/_PASSWORD.
secret_vars="HARNESS_WEBHOOK_URL ${HARNESS_SECRET_VARS:-}"
if [ -r "$suite" ]; then
  secret_vars+=" $(grep -o '"api_key_env"[[:space:]]*:[[:space:]]*"[A-Za-z_][A-Za-z0-9_]*"' "$suite" 2>/dev/null \
                   | sed 's/.*"\([A-Za-z_][A-Za-z0-9_]*\)"$/\1/' | tr '\n' ' ')"
fi
export HX_NIGHTLY_SECRET_VARS=$secret_vars
# redact: copy stdin to stdout with every secret value replaced by [redacted].
# The values come from the environment (ENVIRON), never from a command line.
redact() {
  awk 'BEGIN {
         n = split(ENVIRON["HX_NIGHTLY_SECRET_VARS"], names, " ")
         for (i = 1; i <= n; i++) want[names[i]] = 1
         m = 0
         for (k in ENVIRON)
           if ((k in want) || k ~ /(_API_KEY|_KEY|_TOKEN|_SECRET|_PASSWORD|_PASSWD)$/)
             if (length(ENVIRON[k]) >= 6) secret[++m] = ENVIRON[k]
       }
       { line = $0
         for (i = 1; i <= m; i++) {
           out = ""
           while ((p = index(line, secret[i])) > 0) {
             out = out substr(line, 1, p - 1) "[redacted]"
             line = substr(line, p + length(secret[i]))
           }
           line = out line
         }
         print line; fflush() }'
}
say() { printf '%s %s\n' "$(date +%T)" "$*" | redact >>"$log"; }
# logcmd ARGS...: the command line as it goes to the log
logcmd() { local a s="+"; for a in "$@"; do s+=" $(printf '%q' "$a")"; done; say "$s"; }

{
  printf '\n==== harness nightly %s: started %s on %s (pid %s) ====\n' "$night" "$(date -Iseconds)" "$(hostname 2>/dev/null || uname -n)" "$$"
  printf 'workdir %s\nharness %s (%s)\n' "$PWD" "$hx" "$("$hx" --version 2>&1 | head -n 1)"
  [ -n "$webhook_url" ] && { u=${webhook_url#*://}; printf 'webhook %s://%s (on: %s)\n' "${webhook_url%%://*}" "${u%%/*}" "$webhook_on"; }
} | redact >>"$log"

# --- rotation: keep the newest N nights (tonight always stays) -------------------
# rotate DIR SUFFIX: entries named YYYY-MM-DD<SUFFIX>, oldest first by name
rotate() {
  local dir=$1 suffix=$2 items=() i drop
  [ "$keep" -gt 0 ] && [ -d "$dir" ] || return 0
  shopt -s nullglob
  items=("$dir"/[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"$suffix")
  shopt -u nullglob
  drop=$(( ${#items[@]} - keep ))
  for ((i = 0; i < ${#items[@]} && drop > 0; i++)); do
    [ "${items[$i]}" = "$dir/$night$suffix" ] && continue
    rm -rf -- "${items[$i]}" && say "rotation: removed ${items[$i]} (keeping $keep nights)"
    drop=$((drop - 1))
  done
}
rotate "$log_dir" .log

export NO_COLOR=1
outcome=0
notes=()          # what went wrong beyond the run's own verdict
rank() { case $1 in 0) echo 0 ;; 1) echo 1 ;; 2) echo 2 ;; *) echo 3 ;; esac; }
worse() { # worse RC: raise the outcome to RC when RC is worse (3 > 2 > 1 > 0)
  if [ "$(rank "$1")" -gt "$(rank "$outcome")" ]; then outcome=$(rank "$1"); fi
}
available() { # available CMD: does this harness have `harness CMD`? (its --help says)
  local out rc
  out=$("$hx" "$1" --help 2>&1); rc=$?
  [ "$rc" -eq 0 ] && ! grep -qi 'not available in this version' <<<"$out" && printf '%s\n' "$out" >"$TMP/$1.help"
}

# --- 1. harness run ---------------------------------------------------------------
run_args=(run --suite "$suite")
[ -n "$db" ] && run_args+=(--db "$db")
for a in ${agents[@]+"${agents[@]}"}; do run_args+=(--agent "$a"); done
for m in ${modules[@]+"${modules[@]}"}; do run_args+=(--module "$m"); done
[ -n "$concurrency" ] && run_args+=(--concurrency "$concurrency")
[ -n "$cache" ] && run_args+=(--cache "$cache")
[ "$no_recompile" = 1 ] && run_args+=(--no-recompile)
run_args+=(${extra[@]+"${extra[@]}"} --json)
runner=("$hx")
max_secs=$(awk -v h="$max_hours" 'BEGIN { printf "%d", h * 3600 }')
[ "$max_secs" -gt 0 ] && runner=(timeout --signal=TERM --kill-after=120 "$max_secs" "$hx")
logcmd harness "${run_args[@]}"
# stdout (the JSON summary) to a file; stderr through redact to the log.
{ "${runner[@]}" "${run_args[@]}" 2>&1 1>&3 3>&- | redact | tee -a "$log" >"$TMP/run.err"; } 3>"$TMP/run.json"
run_rc=${PIPESTATUS[0]}
redact <"$TMP/run.json" >>"$log"
say "harness run exited $run_rc"
case $run_rc in
  0|1|2|3) worse "$run_rc" ;;
  124|137) worse 3; notes+=("harness run was stopped after --max-hours $max_hours; 'harness run --resume RUN' finishes it") ;;
  *) worse 3; notes+=("harness run ended abnormally (exit $run_rc)") ;;
esac

# The run's JSON summary: its first "run_id" (a number) and "db" (a string).
run_id=$(grep -o '"run_id"[[:space:]]*:[[:space:]]*[0-9]*' "$TMP/run.json" | head -n 1 | grep -o '[0-9]*$')
run_db=$(grep -o '"db"[[:space:]]*:[[:space:]]*"[^"]*"' "$TMP/run.json" | head -n 1 | sed 's/^"db"[[:space:]]*:[[:space:]]*"//; s/"$//')
run_db=${run_db//\\\//\/}   # JSON may escape / as \/
[ -n "$db" ] && run_db=$db
[[ $run_id =~ ^[0-9]+$ ]] || run_id=""
have_sql=0
if [ -n "$run_id" ] && [ -f "$run_db" ] && command -v sqlite3 >/dev/null; then have_sql=1; fi
sql() { sqlite3 -readonly -batch -noheader -separator $'\t' "$run_db" "$1" 2>>"$TMP/sql.err"; }
trigger_count=0
count_triggers() {
  [ "$have_sql" = 1 ] || { echo 0; return; }
  local n; n=$(sql "SELECT count(*) FROM recompile_triggers WHERE run_id = $run_id")
  [[ $n =~ ^[0-9]+$ ]] && echo "$n" || echo 0
}
trigger_count=$(count_triggers)
# Open triggers, whatever run recorded them: `harness run` may have run its own
# recompiles already (done or failed), and an earlier night may have left one
# open (--no-recompile, a dead recompile), which blocks new triggers for it.
open_ids=""
if [ "$have_sql" = 1 ]; then
  open_ids=$(sql "SELECT group_concat(id, ',') FROM recompile_triggers
                  WHERE coalesce(status, '') NOT IN ('done', 'failed')")
  [[ $open_ids =~ ^[0-9]+(,[0-9]+)*$ ]] || open_ids=""
fi
open_count=0
[ -n "$open_ids" ] && open_count=$(( $(tr -cd ',' <<<"$open_ids" | wc -c) + 1 ))
if [ "$trigger_count" -gt 0 ] || [ "$open_count" -gt 0 ]; then
  say "recompile triggers: $trigger_count recorded by run $run_id; $open_count open in the database${open_ids:+ (ids $open_ids)}"
fi

# --- 2. harness recompile --pending ----------------------------------------------
if [ "$run_rc" = 2 ]; then
  say "recompile and reports: skipped (harness run refused the configuration)"
elif [ "$no_recompile" = 1 ]; then
  say "recompile: skipped (--no-recompile)"
elif [ "$run_rc" != 0 ] && [ "$run_rc" != 1 ]; then
  say "recompile: skipped (the run could not finish; an outage is not a regression)"
elif [ "$open_count" -eq 0 ]; then
  if [ "$trigger_count" -gt 0 ]; then say "recompile: nothing to do (harness run already ran its $trigger_count recompile(s))"
  else say "recompile: nothing to do (no open trigger)"; fi
elif ! available recompile; then
  say "recompile: skipped (this harness has no 'recompile' command yet; the triggers stay pending)"
else
  rc_args=(recompile --suite "$suite" --pending)
  grep -q -- '--db' "$TMP/recompile.help" && [ -n "$run_db" ] && rc_args+=(--db "$run_db")
  [ -n "$optimizer" ] && rc_args+=(--optimizer "$optimizer")
  logcmd harness "${rc_args[@]}"
  "$hx" "${rc_args[@]}" 2>&1 | redact >>"$log"
  r=${PIPESTATUS[0]}
  say "harness recompile exited $r"
  case $r in
    0) ;;
    1) worse 1 ;;
    *) worse 3; notes+=("harness recompile --pending failed (exit $r)") ;;
  esac
fi

# --- 3. harness report ------------------------------------------------------------
reports_written=()
if [ "$run_rc" != 2 ] && [ "$(split_list "$formats")" != none ]; then
  if [ -z "$run_id" ]; then
    say "report: skipped (the run printed no run id)"
  elif ! available report; then
    say "report: skipped (this harness has no 'report' command yet)"
  else
    out_dir=$report_dir/$night
    if ! mkdir -p "$out_dir" 2>/dev/null; then
      worse 3; notes+=("cannot create the report folder $out_dir")
    else
      for f in $(split_list "$formats"); do
        [ "$f" = none ] && continue
        if ! grep -Eq "(^|[^[:alnum:]_-])$f([^[:alnum:]_-]|$)" "$TMP/report.help"; then
          say "report: $f skipped (not offered by this harness)"; continue
        fi
        case $f in html) out=report.html ;; md) out=report.md ;; junit) out=junit.xml ;; json) out=report.json ;; esac
        out=$out_dir/run-$run_id-$out
        r_args=(report --run "$run_id" --format "$f" --out "$out")
        [ -n "$run_db" ] && r_args=(report --db "$run_db" --run "$run_id" --format "$f" --out "$out")
        logcmd harness "${r_args[@]}"
        "$hx" "${r_args[@]}" 2>&1 | redact >>"$log"
        r=${PIPESTATUS[0]}
        if [ "$r" -le 1 ] && [ -s "$out" ]; then
          reports_written+=("$out")
        else
          say "harness report --format $f exited $r"
          worse 3; notes+=("harness report --format $f failed (exit $r)")
        fi
      done
    fi
  fi
fi

# Report folders rotate once tonight's exists, so it counts among the N.
rotate "$report_dir" ""

# --- the summary -------------------------------------------------------------------
pct() { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else printf "%.1f%%", x * 100 }'; }
host=$(hostname 2>/dev/null || uname -n)
case $outcome in
  0) headline="OK: every module at or above its bar" ;;
  1) headline="REGRESSION: some module below its bar" ;;
  2) headline="CONFIG ERROR: harness run refused the configuration (nothing was sent or written)" ;;
  *) headline="FAILED: the night could not finish" ;;
esac
below=() rates=() triggers=()
if [ "$have_sql" = 1 ]; then
  while IFS=$'\t' read -r ag mo cases passed failed errors rate bar below_bar prev; do
    [ -n "$ag" ] || continue
    line="$ag/$mo $(pct "$rate") ($passed/$((passed + failed)) passed, $errors errors), bar $(pct "$bar")"
    if [ "$below_bar" = 1 ]; then line+=" BELOW"; below+=("$ag/$mo $(pct "$rate") < bar $(pct "$bar")"); fi
    if [ -n "$prev" ] && [ -n "$rate" ]; then
      line+=", $(awk -v a="$rate" -v b="$prev" 'BEGIN { printf "%+.1f", (a - b) * 100 }') pts since the last run"
    fi
    rates+=("$line")
    : "$cases"
  done < <(sql "SELECT m.agent, m.module, m.cases, m.passed, m.failed, m.errors, m.pass_rate, m.bar, m.below_bar,
                  (SELECT p.pass_rate FROM module_scores p WHERE p.agent = m.agent AND p.module = m.module
                     AND p.run_id < m.run_id ORDER BY p.run_id DESC LIMIT 1)
                FROM module_scores m WHERE m.run_id = $run_id ORDER BY m.agent, m.module")
  while IFS=$'\t' read -r ag mo rate bar status reason promoted; do
    [ -n "$ag" ] || continue
    t="$ag/$mo $(pct "$rate") < bar $(pct "$bar"): ${status:-recorded}"
    [ -n "$reason" ] && t+=" ($reason)"
    [ "$promoted" = 1 ] && t+=", new program promoted"
    triggers+=("$t")
  done < <(sql "SELECT agent, module, pass_rate, bar, status, reason, promoted FROM recompile_triggers
                WHERE run_id = $run_id OR id IN (${open_ids:-0}) ORDER BY id")
fi
{
  printf 'harness nightly %s on %s: %s (exit %s)\n' "$night" "$host" "$headline" "$outcome"
  [ -n "$run_id" ] && printf 'run %s, database %s\n' "$run_id" "$run_db"
  for n in ${notes[@]+"${notes[@]}"}; do printf 'problem: %s\n' "$n"; done
  if [ "${#below[@]}" -gt 0 ]; then
    printf 'Below bar (%d):\n' "${#below[@]}"; printf '  - %s\n' "${below[@]}"
  fi
  if [ "${#rates[@]}" -gt 0 ]; then
    printf 'Pass rates:\n'; printf '  - %s\n' "${rates[@]}"
  elif [ -n "$run_id" ]; then
    printf 'Pass rates: not available (%s)\n' "$([ "$have_sql" = 1 ] && echo 'no module finished' || echo 'sqlite3 or the database is missing')"
  fi
  if [ "${#triggers[@]}" -gt 0 ]; then
    printf 'Recompile triggers (%d):\n' "${#triggers[@]}"; printf '  - %s\n' "${triggers[@]}"
  fi
  if [ "$run_rc" != 0 ] && [ "$run_rc" != 1 ] && [ -s "$TMP/run.err" ]; then
    printf 'harness run said:\n'; tail -n 12 "$TMP/run.err" | sed 's/^/  | /'
  fi
  [ "${#reports_written[@]}" -gt 0 ] && printf 'Reports: %s\n' "${reports_written[*]}"
  printf 'Log: %s:%s/%s\n' "$host" "$PWD" "$log"
} | redact >"$TMP/summary.txt"
{ echo "---- summary ----"; cat "$TMP/summary.txt"; } >>"$log"

# --- the webhook ---------------------------------------------------------------------
if [ -n "$webhook_url" ]; then
  send=0 why=""
  for e in $(split_list "$webhook_on"); do
    case $e in
      always) send=1 why+=" always" ;;
      regression) if [ "$outcome" = 1 ] || [ "${#below[@]}" -gt 0 ]; then send=1 why+=" regression"; fi ;;
      trigger) if [ "${#triggers[@]}" -gt 0 ]; then send=1 why+=" trigger"; fi ;;
      failure) if [ "$outcome" = 2 ] || [ "$outcome" = 3 ]; then send=1 why+=" failure"; fi ;;
    esac
  done
  if [ "$send" = 1 ]; then
    # JSON string escaping: backslash, quote, newline, CR, tab; other control characters dropped.
    text=$(cat "$TMP/summary.txt")
    text=${text//\\/\\\\}; text=${text//\"/\\\"}; text=${text//$'\r'/}; text=${text//$'\t'/\\t}
    text=${text//$'\n'/\\n}
    text=$(printf '%s' "$text" | tr -d '\000-\010\013-\037')
    printf '{"text": "%s"}\n' "$text" >"$TMP/webhook.json"
    # The URL goes to curl through a config on stdin, so no command line shows it.
    url_cfg=${webhook_url//\\/\\\\}; url_cfg=${url_cfg//\"/\\\"}
    code=$(printf 'url = "%s"\n' "$url_cfg" | curl -sS -K - --max-time 20 --retry 2 --retry-delay 2 \
             -H 'Content-Type: application/json' --data-binary @"$TMP/webhook.json" \
             -o /dev/null -w '%{http_code}' 2>"$TMP/curl.err")
    c=$?
    if [ "$c" -eq 0 ] && [[ $code == 2* ]]; then
      say "webhook: posted the summary (because:$why; HTTP $code)"
    else
      say "webhook: POST failed (curl exit $c, HTTP ${code:-none}): $(redact <"$TMP/curl.err" | tr '\n' ' ')"
      echo "$PROG: the webhook POST failed (see $log)" >&2
    fi
  else
    say "webhook: not posted (nothing to report; --webhook-on: $webhook_on)"
  fi
fi

say "finished: exit $outcome"
if [ "$quiet" != 1 ] || [ "$outcome" != 0 ]; then cat "$TMP/summary.txt"; fi
exit "$outcome"
