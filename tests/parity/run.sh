#!/bin/sh
# run.sh — byte parity of harness/chat_adapter.c and json_adapter.c with
# DSPy 3.3.1 itself.
#
# For every tests/parity/fixtures/*.json (a signature, a saved program
# state, inputs, sample completions), render.c prints what the C adapters
# produce and dspy_render.py what DSPy produces (format() and parse() make
# no LM call, so no API key and no network beyond PyPI are needed); the two
# outputs must be identical bytes. One line per fixture, then
# `parity: N passed, M failed`; exit status 1 on any mismatch.
#
# The venv is $REPO/.venv, created on first use with dspy==3.3.1 pinned and
# reused while it has that version. Environment: CC (gcc), PYTHON (python3),
# PARITY_KEEP=1 keeps the outputs in $TMPDIR for inspection.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv="$repo/.venv"
py="$venv/bin/python"
CC=${CC:-gcc}
DSPY_VERSION=3.3.1

if ! "$py" -c "import dspy, sys; sys.exit(dspy.__version__ != '$DSPY_VERSION')" >/dev/null 2>&1; then
    echo "parity: installing dspy==$DSPY_VERSION into $venv" >&2
    [ -x "$py" ] || ${PYTHON:-python3} -m venv "$venv" || exit 2
    "$venv/bin/pip" install -q "dspy==$DSPY_VERSION" || exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/hx-parity.XXXXXX") || exit 2
[ "${PARITY_KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT

cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Wall -Wextra -Werror -Wshadow \
-Wstrict-prototypes -Wmissing-prototypes -Wno-format-truncation -fPIC -iquote harness -iquote tests"
srcs="harness/chat_adapter.c harness/json_adapter.c harness/signature.c harness/program.c \
harness/json_doc.c harness/diag.c harness/text.c harness/error.c harness/strset.c"
# shellcheck disable=SC2086
(cd "$repo" && $CC $cflags -O1 -g -o "$work/render" tests/parity/render.c $srcs \
    $(pkg-config --cflags --libs libcjson libpcre2-8 libcrypto) -lm) || { echo "parity: build failed" >&2; exit 2; }

# DSPy takes seconds to import: render every fixture in one process.
"$py" "$here/dspy_render.py" --out-dir "$work" "$here"/fixtures/*.json 2>"$work/dspy.err"

pass=0
fail=0
for fx in "$here"/fixtures/*.json; do
    name=$(basename "$fx" .json)
    "$work/render" "$fx" >"$work/$name.c.out" 2>"$work/$name.c.err"
    c_rc=$?
    if [ $c_rc -ne 0 ] || [ ! -f "$work/$name.py.out" ]; then
        echo "FAIL $name (render exit $c_rc$( [ -f "$work/$name.py.out" ] || echo ', DSPy could not render it'))"
        cat "$work/$name.c.err" "$work/$name.py.err" "$work/dspy.err" 2>/dev/null | tail -5 | sed 's/^/    /'
        fail=$((fail + 1))
    elif cmp -s "$work/$name.c.out" "$work/$name.py.out"; then
        echo "ok   $name"
        pass=$((pass + 1))
    else
        echo "FAIL $name (bytes differ; < DSPy, > C)"
        diff "$work/$name.py.out" "$work/$name.c.out" | head -20 | sed 's/^/    /'
        fail=$((fail + 1))
    fi
done

echo "parity: $pass passed, $fail failed"
[ $fail -eq 0 ]
