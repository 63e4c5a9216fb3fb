#!/usr/bin/env bash
# Builds kdumpdebug and shows it on the sample dump (a copy of the sysrq fixture: a Linux 6.1
# panic from `echo c > /proc/sysrq-trigger`, saved by kdump with makedumpfile -c -d 31): the
# start-up banner and a few crash commands, then, when run from a terminal, the crash> prompt.
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

"$exe" "$vmlinux" "$vmcore" \
    -c "rd -64 linux_banner 8" \
    -c "sym sysrq_handle_crash" \
    -c "rd -a linux_banner" \
    -c "sym -q sysrq_handle_c" \
    -c "help"

if [ -t 0 ]; then
    echo "Now the interactive prompt: try 'rd -s linux_banner 4', 'sym jiffies', 'help rd', 'h'; 'q' quits."
    exec "$exe" -s "$vmlinux" "$vmcore"
fi
