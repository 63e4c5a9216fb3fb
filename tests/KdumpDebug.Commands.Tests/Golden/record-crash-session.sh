#!/bin/bash
# Records DIR/session-SCENARIO.txt: crash 8.0.2 on the scenario's main dump, the commands of
# DIR/commands-SCENARIO.txt on stdin in one session, each output after its '@@@ COMMAND' line.
# Usage: record-crash-session.sh DIR SCENARIO
#   (needs crash, xz and the fixtures in ../shared/fixtures or $KDUMPDEBUG_FIXTURES_DIR)
set -euo pipefail
dir=$(cd "$1" && pwd)
scenario=$2
fixtures=${KDUMPDEBUG_FIXTURES_DIR:-$(cd "$dir/../../../.." && pwd)/../shared/fixtures}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
xz -dkc "$fixtures/kernel/vmlinux.xz" > "$work/vmlinux"
main=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["main_dump"])' "$fixtures/$scenario/facts.json")
while read -r command; do
	[ -n "$command" ] && printf '!echo "@@@ %s"\n%s\n' "$command" "$command"
done < "$dir/commands-$scenario.txt" > "$work/input"
(cd "$work" && crash -s vmlinux "$fixtures/$scenario/$main" < input > output 2>&1) || true
{
	printf '# crash 8.0.2 on %s/%s: crash -s vmlinux %s, the commands of commands-%s.txt on stdin in\n' "$scenario" "$main" "$main" "$scenario"
	printf '# one session, each output after its @@@ COMMAND line (recorded by record.sh).\n'
	sed -n '/^@@@ /,$p' "$work/output"
} > "$dir/session-$scenario.txt"
