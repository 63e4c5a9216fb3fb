#!/usr/bin/env bash
# KdumpDebug benchmark harness: kdumpdebug side by side with the reference tools on
# the Debian distro-kernel dump (../shared/fixtures/distro/make.sh builds it).
#
# usage: tests/bench/run.sh [--reps N] [--cold] [--out DIR] [DISTRO_DIR]
#
#   DISTRO_DIR  output folder of distro/make.sh, with vmlinux, vmcore.kdump
#               (default $HOME/.cache/kdumpdebug-fixtures/6.1.0-53-cloud-amd64/sysrq)
#   --reps N    measured warm repetitions per tool and case (default 5, env BENCH_REPS)
#   --cold      also one cold run per tool and case, page cache dropped first (root;
#               env BENCH_COLD=1)
#   --out DIR   keep raw outputs here (default: a new /tmp/kdumpdebug-bench.XXXXXX)
#
# Cases (each run by both tools, interleaved rep by rep so both see the same load):
#   a) startup + one command:  kdumpdebug VMLINUX VMCORE -s -c "rd -64 jiffies 1"
#                         vs   crash -s VMLINUX VMCORE  < "rd -64 jiffies 1\nq"
#   b) page-read throughput, every dumpable page of VMCORE:
#                              kdumpdebug bench pages VMCORE
#                         vs   /usr/bin/python3 tests/bench/libkdumpfile_pages.py VMCORE
#      Both print pages, bytes, seconds and MB/s of the reading loop only; the
#      table also has the whole process's wall time and peak RSS.
#   c) debug info to a typed answer, `p init_task.comm`:
#                              kdumpdebug -s -c "p init_task.comm" (kdumpdebug-cold: with
#                              KDUMPDEBUG_INDEX_CACHE=0, so the DWARF name index is built;
#                              kdumpdebug: the index comes from the cache an earlier run saved)
#                         vs   crash -s < "p init_task.comm\nq"
#                         vs   drgn: load vmlinux, print init_task.comm (python3 -c)
#   d) the panic task's backtrace: kdumpdebug -c bt vs crash `bt` vs drgn crashed_thread()
#   e) every task's backtrace: kdumpdebug -c "foreach bt" vs crash `foreach bt` vs drgn
#      (stack_trace of every task of for_each_task)
#   f) the debug adapter (kdumpdebug only): tests/bench/dap_bench.py drives `kdumpdebug dap`
#      over stdio: seconds from `launch` to the panic task's `stackTrace` response, and
#      milliseconds of the `variables` response expanding a struct task_struct (first and
#      second); its figures are in the notes column
# Every run is measured with /usr/bin/time (wall, user, sys, peak RSS). Before the
# measured reps each tool runs once unmeasured, so the warm reps find vmlinux and
# the dump in the page cache. The table reports medians of the warm reps.
#
# environment:
#   KDUMPDEBUG   kdumpdebug executable (default: published from this checkout into
#                out/kdumpdebug with `dotnet publish server/KdumpDebug.Server -c Release
#                -r linux-x64 --self-contained true -p:PublishReadyToRun=true`, as the .vsix
#                carries it: one composite ReadyToRun image of our code and the framework)
#   CRASH        crash executable (default: crash on PATH)
#   BENCH_VMCORE dump file name inside DISTRO_DIR (default vmcore.kdump: makedumpfile -c, zlib)
#   BENCH_TIMEOUT seconds before one run is killed (default 600)
#
# A missing tool, dump or vmlinux skips its rows with a message (exit code 0); a run
# that fails (exit code, no recognisable output) is reported as FAILED in the table,
# with the first line of its stderr, and makes the exit code 1. Progress goes to
# stderr; the markdown report to stdout and to OUT/report.md.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3   # Debian's python: has python3-libkdumpfile (the first python3 on PATH may not)

REPS=${BENCH_REPS:-5}
CASE_LIST=${BENCH_CASES:-"a b c d e f"}
COLD=${BENCH_COLD:-0}
OUT=""
DISTRO_DIR=""
while [ $# -gt 0 ]; do
	case $1 in
	--reps) REPS=${2:?--reps needs a number}; shift 2 ;;
	--reps=*) REPS=${1#--reps=}; shift ;;
	--cold) COLD=1; shift ;;
	--out) OUT=${2:?--out needs a folder}; shift 2 ;;
	--out=*) OUT=${1#--out=}; shift ;;
	--cases) CASE_LIST=${2:?--cases needs a list like "a b c"}; shift 2 ;;
	-h|--help) sed -n '2,/^set -uo/p' "${BASH_SOURCE[0]}" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
	*) [ -z "$DISTRO_DIR" ] || { echo "run.sh: more than one DISTRO_DIR" >&2; exit 2; }; DISTRO_DIR=$1; shift ;;
	esac
done
[[ $REPS =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: --reps must be a positive integer, not '$REPS'" >&2; exit 2; }
DISTRO_DIR=${DISTRO_DIR:-$HOME/.cache/kdumpdebug-fixtures/6.1.0-53-cloud-amd64/sysrq}
if [ -z "${KDUMPDEBUG:-}" ]; then
	# The product as shipped in the .vsix: self-contained for linux-x64, with our code and the
	# framework precompiled into one ReadyToRun image (start-up does not pay for the JIT);
	# rebuilt from this checkout on every run.
	KDUMPDEBUG=$REPO/out/kdumpdebug/kdumpdebug
	echo "[bench] publishing kdumpdebug (ReadyToRun) into $REPO/out/kdumpdebug" >&2
	mkdir -p "$REPO/out"
	dotnet publish "$REPO/server/KdumpDebug.Server" -c Release -r linux-x64 --self-contained true \
		-p:PublishReadyToRun=true -o "$REPO/out/kdumpdebug" -nologo -v quiet > "$REPO/out/publish.log" 2>&1 \
		|| echo "[bench] publish failed: see $REPO/out/publish.log" >&2
fi
CRASH=${CRASH:-crash}
VMCORE_NAME=${BENCH_VMCORE:-vmcore.kdump}
TIMEOUT=${BENCH_TIMEOUT:-600}
VMLINUX=$DISTRO_DIR/vmlinux
VMCORE=$DISTRO_DIR/$VMCORE_NAME
[ -n "$OUT" ] || OUT=$(mktemp -d /tmp/kdumpdebug-bench.XXXXXX)
mkdir -p "$OUT" || exit 2
OUT=$(cd "$OUT" && pwd)

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# raw.tsv: one row per run (measured or skipped); summarize.py turns it into the table
RAW=$OUT/raw.tsv
printf 'case\ttool\tkind\trep\twall_s\tuser_s\tsys_s\tmaxrss_kb\trc\tstdout\tstderr\tnote\n' > "$RAW"
skip() {  # skip CASE TOOL MESSAGE
	log "skip $1/$2: $3"
	printf '%s\t%s\tskip\t\t\t\t\t\t\t\t\t%s\n' "$1" "$2" "$3" >> "$RAW"
}

# run_timed CASE TOOL KIND REP STDIN CMD... : one run under /usr/bin/time; appends to raw.tsv
# (KIND warmup rows are recorded too, so a failing first run is visible, but not averaged)
run_timed() {
	local case=$1 tool=$2 kind=$3 rep=$4 input=$5; shift 5
	local base=$OUT/$case.$tool.$kind$rep tf rc=0
	tf=$base.time
	timeout "$TIMEOUT" /usr/bin/time -f '%e %U %S %M' -o "$tf" "$@" < "$input" > "$base.out" 2> "$base.err" || rc=$?
	local wall=NA usr=NA sys=NA rss=NA
	# time's -o file ends with "%e %U %S %M"; a "Command exited with non-zero status"
	# line may precede it, and a killed run may leave no line at all
	if [ -s "$tf" ] && read -r wall usr sys rss < <(tail -n1 "$tf") && [[ $wall =~ ^[0-9.]+$ ]]; then :; else wall=NA usr=NA sys=NA rss=NA; fi
	[ $rc = 124 ] && echo "killed after ${TIMEOUT}s (BENCH_TIMEOUT)" >> "$base.err"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n' "$case" "$tool" "$kind" "$rep" \
		"$wall" "$usr" "$sys" "$rss" "$rc" "$base.out" "$base.err" >> "$RAW"
	log "$case/$tool $kind$rep: wall=${wall}s user=${usr}s sys=${sys}s maxrss=${rss}KB rc=$rc"
	return $rc
}

drop_caches() { sync && echo 3 > /proc/sys/vm/drop_caches; }

# ---- what can run -----------------------------------------------------------
have_dump=1
[ -d "$DISTRO_DIR" ] || { have_dump=0; log "no $DISTRO_DIR: run ../shared/fixtures/distro/make.sh first"; }
[ -e "$VMCORE" ] || { have_dump=0; log "no dump $VMCORE"; }
have_vmlinux=1
[ -e "$VMLINUX" ] || { have_vmlinux=0; log "no vmlinux $VMLINUX"; }
have_crash=1; command -v "$CRASH" > /dev/null || have_crash=0
have_kdd=1; [ -x "$KDUMPDEBUG" ] || have_kdd=0
have_lkf=1; { [ -x "$PY" ] && "$PY" -c 'import kdumpfile' 2> /dev/null; } || have_lkf=0
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 2; }
if [ "$COLD" = 1 ] && [ "$(id -u)" != 0 ]; then log "--cold needs root to drop the page cache; cold runs skipped"; COLD=0; fi
KDD_MISSING="no executable $KDUMPDEBUG (dotnet build -c Release server/KdumpDebug.Server, or set KDUMPDEBUG)"

printf 'rd -64 jiffies 1\nq\n' > "$OUT/in-crash"
printf 'p init_task.comm\nq\n' > "$OUT/in-crash-c"
printf 'bt\nq\n' > "$OUT/in-crash-d"
printf 'foreach bt\nq\n' > "$OUT/in-crash-e"
have_drgn=1; "$PY" -c 'import drgn' 2> /dev/null || have_drgn=0
# drgn's side of cases c-e: load the vmlinux's debug info, then the same answer
DRGN_PRELUDE='import drgn,sys; p=drgn.Program(); p.set_core_dump(sys.argv[1]); p.load_debug_info([sys.argv[2]])'
DRGN_C="$DRGN_PRELUDE; print(p['init_task'].comm)"
DRGN_D="$DRGN_PRELUDE; print(p.crashed_thread().stack_trace())"
DRGN_E="$DRGN_PRELUDE
from drgn.helpers.linux.pid import for_each_task
for t in for_each_task(p):
    try: print(p.stack_trace(t))
    except Exception as e: print('error', e)"
: > "$OUT/in-none"

# ---- machine and versions (before the runs, so the load average is the starting one)
{
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- crash: $( { [ $have_crash = 1 ] && "$CRASH" --version 2> /dev/null | grep -m1 '^crash '; } || echo missing)"
	echo "- libkdumpfile: $( { [ $have_lkf = 1 ] && dpkg-query -W -f '${Package} ${Version}' python3-libkdumpfile 2> /dev/null; } || echo missing), $("$PY" --version 2>&1)"
	if [ $have_kdd = 1 ]; then
		echo "- kdumpdebug: $KDUMPDEBUG ($(stat -c '%y' "$KDUMPDEBUG" | cut -d. -f1)), repo $(git -C "$REPO" rev-parse --short HEAD 2> /dev/null)$(git -C "$REPO" diff --quiet HEAD 2> /dev/null || echo ' + uncommitted changes'), dotnet $(dotnet --version 2> /dev/null || echo '?')"
	else
		echo "- kdumpdebug: missing ($KDUMPDEBUG)"
	fi
	if [ $have_dump = 1 ]; then
		echo "- dump: $VMCORE ($(stat -L -c %s "$VMCORE") bytes$( [ -f "$DISTRO_DIR/run-vm.json" ] && echo ", $(basename "$(dirname "$DISTRO_DIR")")"))"
	fi
	[ $have_vmlinux = 1 ] && echo "- vmlinux: $(readlink -f "$VMLINUX") ($(stat -L -c %s "$VMLINUX") bytes)"
	echo "- method: $REPS warm reps per tool, interleaved, after one unmeasured warm-up run each$( [ "$COLD" = 1 ] && echo '; plus one cold run each (page cache dropped)'); medians"
} > "$OUT/machine.md"

# ---- the cases ----------------------------------------------------------------
# case a: startup + `rd -64 jiffies 1`
A_TOOLS=()
if [ $have_dump = 0 ] || [ $have_vmlinux = 0 ]; then
	skip a crash "dump or vmlinux missing in $DISTRO_DIR"
	skip a kdumpdebug "dump or vmlinux missing in $DISTRO_DIR"
else
	if [ $have_crash = 1 ]; then A_TOOLS+=(crash); else skip a crash "no crash executable ($CRASH)"; fi
	if [ $have_kdd = 1 ]; then A_TOOLS+=(kdumpdebug); else skip a kdumpdebug "$KDD_MISSING"; fi
fi
# case b: page-read throughput
B_TOOLS=()
if [ $have_dump = 0 ]; then
	skip b libkdumpfile "dump missing: $VMCORE"
	skip b kdumpdebug "dump missing: $VMCORE"
else
	if [ $have_lkf = 1 ]; then B_TOOLS+=(libkdumpfile); else skip b libkdumpfile "$PY cannot import kdumpfile (apt-get install python3-libkdumpfile)"; fi
	if [ $have_kdd = 1 ]; then B_TOOLS+=(kdumpdebug); else skip b kdumpdebug "$KDD_MISSING"; fi
fi

# cases c-e: crash, drgn, kdumpdebug (c also kdumpdebug-cold)
for c in c d e; do
	eval "${c^^}_TOOLS=()"
	if [ $have_dump = 0 ] || [ $have_vmlinux = 0 ]; then skip $c all "dump or vmlinux missing in $DISTRO_DIR"; continue; fi
	if [ $have_crash = 1 ]; then eval "${c^^}_TOOLS+=(crash)"; else skip $c crash "no crash executable"; fi
	if [ $have_drgn = 1 ]; then eval "${c^^}_TOOLS+=(drgn)"; else skip $c drgn "$PY cannot import drgn (apt-get install python3-drgn)"; fi
	if [ $have_kdd = 1 ]; then
		[ $c = c ] && C_TOOLS+=(kdumpdebug-cold)
		eval "${c^^}_TOOLS+=(kdumpdebug)"
	else skip $c kdumpdebug "$KDD_MISSING"; fi
done

# case f: the debug adapter (kdumpdebug only)
F_TOOLS=()
if [ $have_dump = 0 ] || [ $have_vmlinux = 0 ]; then skip f kdumpdebug "dump or vmlinux missing in $DISTRO_DIR"
elif [ $have_kdd = 1 ]; then F_TOOLS+=(kdumpdebug); else skip f kdumpdebug "$KDD_MISSING"; fi

run_tool() {  # run_tool CASE TOOL KIND REP
	local case=$1 tool=$2 kind=$3 rep=$4
	case $case/$tool in
	[cde]/crash) run_timed "$case" crash "$kind" "$rep" "$OUT/in-crash-$case" "$CRASH" -s "$VMLINUX" "$VMCORE" ;;
	c/drgn) run_timed c drgn "$kind" "$rep" "$OUT/in-none" "$PY" -c "$DRGN_C" "$VMCORE" "$VMLINUX" ;;
	d/drgn) run_timed d drgn "$kind" "$rep" "$OUT/in-none" "$PY" -c "$DRGN_D" "$VMCORE" "$VMLINUX" ;;
	e/drgn) run_timed e drgn "$kind" "$rep" "$OUT/in-none" "$PY" -c "$DRGN_E" "$VMCORE" "$VMLINUX" ;;
	c/kdumpdebug-cold) run_timed c kdumpdebug-cold "$kind" "$rep" "$OUT/in-none" env KDUMPDEBUG_INDEX_CACHE=0 "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" -s -c "p init_task.comm" ;;
	c/kdumpdebug) run_timed c kdumpdebug "$kind" "$rep" "$OUT/in-none" "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" -s -c "p init_task.comm" ;;
	d/kdumpdebug) run_timed d kdumpdebug "$kind" "$rep" "$OUT/in-none" "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" -s -c "bt" ;;
	e/kdumpdebug) run_timed e kdumpdebug "$kind" "$rep" "$OUT/in-none" "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" -s -c "foreach bt" ;;
	a/crash) run_timed a crash "$kind" "$rep" "$OUT/in-crash" "$CRASH" -s "$VMLINUX" "$VMCORE" ;;
	a/kdumpdebug) run_timed a kdumpdebug "$kind" "$rep" "$OUT/in-none" "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" -s -c "rd -64 jiffies 1" ;;
	b/libkdumpfile) run_timed b libkdumpfile "$kind" "$rep" "$OUT/in-none" "$PY" "$HERE/libkdumpfile_pages.py" "$VMCORE" ;;
	b/kdumpdebug) run_timed b kdumpdebug "$kind" "$rep" "$OUT/in-none" "$KDUMPDEBUG" bench pages "$VMCORE" ;;
	f/kdumpdebug) run_timed f kdumpdebug "$kind" "$rep" "$OUT/in-none" "$PY" "$HERE/dap_bench.py" "$KDUMPDEBUG" "$VMLINUX" "$VMCORE" ;;
	esac
}

looks_ok() {  # looks_ok CASE STDOUT: did the run print its result? (crash exits 0 even on errors)
	case $1 in
	a) grep -Eq '^ *[0-9a-f]+: +[0-9a-f]{16}' "$2" ;;   # rd -64 line: "ADDR:  VALUE  ascii"
	b) grep -Eqi 'MB/s' "$2" ;;
	c) grep -q 'swapper/0' "$2" ;;
	d|e) grep -q 'sysrq_handle_crash' "$2" ;;
	f) grep -q 'first_stack_s=' "$2" ;;
	esac
}

run_case() {  # run_case CASE TOOL...
	local case=$1; shift
	local tools=("$@") ok=() t r
	[ ${#tools[@]} -gt 0 ] || return 0
	if [ "$COLD" = 1 ]; then
		for t in "${tools[@]}"; do drop_caches; run_tool "$case" "$t" cold 1 || true; done
	fi
	# the warm-up run decides whether a tool works at all: a failing tool is not repeated
	for t in "${tools[@]}"; do
		if run_tool "$case" "$t" warmup 1 && looks_ok "$case" "$OUT/$case.$t.warmup1.out"; then ok+=("$t")
		else FAILED=1; log "$case/$t failed or printed no result (see $OUT/$case.$t.warmup1.{out,err}); not repeated"; fi
	done
	[ ${#ok[@]} -gt 0 ] || return 0
	for r in $(seq "$REPS"); do
		for t in "${ok[@]}"; do run_tool "$case" "$t" warm "$r" || true; done
	done
}

log "output folder: $OUT"
FAILED=0
for c in $CASE_LIST; do
	case $c in
	a) run_case a "${A_TOOLS[@]}" ;;
	b) run_case b "${B_TOOLS[@]}" ;;
	c) run_case c "${C_TOOLS[@]}" ;;
	d) run_case d "${D_TOOLS[@]}" ;;
	e) run_case e "${E_TOOLS[@]}" ;;
	f) run_case f "${F_TOOLS[@]}" ;;
	*) log "unknown case $c" ;;
	esac
done
echo "- load average at end: $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/machine.md"

"$PY" "$HERE/summarize.py" "$RAW" "$OUT/machine.md" "$VMCORE_NAME" > "$OUT/report.md" || { echo "run.sh: summarize.py failed" >&2; exit 1; }
cat "$OUT/report.md"
log "raw outputs and report: $OUT"
exit $FAILED
