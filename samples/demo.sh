#!/usr/bin/env bash
# Builds kdumpdebug and shows it on the sample dump (a copy of the sysrq fixture: a Linux 6.1
# panic from `echo c > /proc/sysrq-trigger`, saved by kdump with makedumpfile -c -d 31): the
# triage report an engineer reads first, then the start-up banner and the crash commands of a
# first look (sys, bt, log tail), then, when run from a terminal, the crash> prompt.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

if ! log=$(dotnet build server/KdumpDebug.Server -c Release -nologo -v quiet 2>&1); then
    echo "$log"
    echo "demo: the build failed" >&2
    exit 1
fi

exe=server/KdumpDebug.Server/bin/Release/net10.0/kdumpdebug
vmlinux=samples/vmlinux.xz
vmcore=samples/vmcore.kdump-zlib

echo "== kdumpdebug triage $vmlinux $vmcore"
"$exe" triage "$vmlinux" "$vmcore"
echo
echo "== kdumpdebug -s $vmlinux $vmcore -c sys -c bt -c 'log | tail -n 4'"
"$exe" -s "$vmlinux" "$vmcore" \
    -c "sys" \
    -c "bt" \
    -c "log | tail -n 4" \
    -c "help"

if [ -t 0 ]; then
    echo "Now the interactive prompt: try 'ps', 'bt -a', 'foreach bt', 'vm', 'vtop <address>', 'help bt'; 'q' quits."
    exec "$exe" -s "$vmlinux" "$vmcore"
fi
