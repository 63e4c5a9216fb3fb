#!/bin/sh
# Re-captures the goldens of this folder from crash (see README.md).
# Usage: capture.sh fixture   (fixture kernel: commands.tsv and struct-types.txt)
#        capture.sh distro    (Debian kernel from shared/fixtures/distro/make.sh: struct-types.txt)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
fixtures=${KDUMPDEBUG_FIXTURES_DIR:-$here/../../../../../shared/fixtures}
run() { # VMLINUX DUMP COMMAND: crash's output without the start-up warnings
    printf '%s\n' "$3" | crash -s "$1" "$2" 2>&1 | grep -v '^WARNING: active task' | sed '/./,$!d'
}
case "${1:-fixture}" in
fixture)
    tmp=$(mktemp -d)
    xz -dc "$fixtures/kernel/vmlinux.xz" > "$tmp/vmlinux"
    vmlinux=$tmp/vmlinux dump=$fixtures/sysrq/vmcore.kdump-zlib out=$here/fixture
    grep -v '^#' "$here/commands.tsv" | while IFS='	' read -r name cmd _; do
        run "$vmlinux" "$dump" "$cmd" > "$out/$name.txt"
    done ;;
distro)
    d=$HOME/.cache/kdumpdebug-fixtures/6.1.0-53-cloud-amd64/sysrq
    vmlinux=$d/vmlinux dump=$d/vmcore.kdump out=$here/distro-6.1.0-53-cloud-amd64 ;;
*) echo "usage: $0 fixture|distro" >&2; exit 2 ;;
esac
while read -r type; do
    run "$vmlinux" "$dump" "struct -o $type" > "$out/struct-o-$type.txt"
done < "$here/struct-types.txt"
