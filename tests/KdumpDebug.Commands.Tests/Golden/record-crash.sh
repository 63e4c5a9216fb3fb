#!/bin/bash
# Re-records the crash goldens of one scenario directory (e.g. crash-sysrq) by running crash 8.0.2
# once on the fixture dump, the commands of DIR/TSV (default commands.tsv) separated by
# shell-escape markers.
# Usage: record-crash.sh DIR SCENARIO [TSV]   (needs `crash`, xz, and the fixtures in
# ../shared/fixtures or $KDUMPDEBUG_FIXTURES_DIR). With LOAD_LKDTM=1, crash first runs
# `mod -s lkdtm lkdtm.ko` (the fixture's module debug info), as crash users load it.
set -euo pipefail
dir=$(cd "$(dirname "$0")/$1" && pwd)
scenario=$2
tsv=${3:-commands.tsv}
fixtures=${KDUMPDEBUG_FIXTURES_DIR:-$(cd "$(dirname "$0")/../../../.." && pwd)/shared/fixtures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xz -dkc "$fixtures/kernel/vmlinux.xz" > "$work/vmlinux"
main=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["main_dump"])' "$fixtures/$scenario/facts.json")
{
    if [ "${LOAD_LKDTM:-0}" = 1 ]; then
        xz -dkc "$fixtures/kernel/lkdtm.ko.xz" > "$work/lkdtm.ko"
        printf 'mod -s lkdtm %s\n' "$work/lkdtm.ko"
    fi
    grep -v '^#' "$dir/$tsv" | tail -n +2 | while IFS=$'\t' read -r file command; do
        printf '!echo "@@@ %s"\n%s\n' "$file" "$command"
    done
} > "$work/input"
(cd "$work" && crash -s vmlinux "$fixtures/$scenario/$main" < input > output 2>&1) || true
python3 - "$work/output" "$dir" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
parts = re.split(r'^@@@ (\S+)\n', text, flags=re.M)
for i in range(1, len(parts), 2):
    open(f"{sys.argv[2]}/{parts[i]}", "w").write(parts[i + 1])
    print(parts[i])
PY
