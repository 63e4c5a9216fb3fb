#!/bin/bash
# Re-records this folder's goldens: crash 8.0.2 on oops-module/vmcore.kdump-zlib after
# `mod -s lkdtm lkdtm.ko` (the module's debug info, as crash users load it), then each command of
# commands.tsv. Usage: record.sh   (needs `crash`, xz, and the fixtures in ../shared/fixtures or
# $KDUMPDEBUG_FIXTURES_DIR)
set -euo pipefail
dir=$(cd "$(dirname "$0")" && pwd)
fixtures=${KDUMPDEBUG_FIXTURES_DIR:-$(cd "$dir/../../../../.." && pwd)/shared/fixtures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xz -dkc "$fixtures/kernel/vmlinux.xz" > "$work/vmlinux"
xz -dkc "$fixtures/kernel/lkdtm.ko.xz" > "$work/lkdtm.ko"
{
    printf 'mod -s lkdtm %s\n' "$work/lkdtm.ko"
    grep -v '^#' "$dir/commands.tsv" | tail -n +2 | while IFS=$'\t' read -r file command; do
        printf '!echo "@@@ %s"\n%s\n' "$file" "$command"
    done
} > "$work/input"
(cd "$work" && crash -s vmlinux "$fixtures/oops-module/vmcore.kdump-zlib" < input > output 2>&1) || true
python3 - "$work/output" "$dir" <<'PY'
import sys, re
text = open(sys.argv[1]).read()
parts = re.split(r'^@@@ (\S+)\n', text, flags=re.M)
for i in range(1, len(parts), 2):
    open(f"{sys.argv[2]}/{parts[i]}", "w").write(parts[i + 1])
    print(parts[i])
PY
