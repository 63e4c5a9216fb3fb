#!/usr/bin/env bash
# Restores and builds everything, runs every test project (Release), and prints as its last line
# "N passed, N failed, N skipped" summed over all runners. Exits non-zero when a build or any
# test failed. Usage: tests/run-all.sh [TEST_PROJECT_DIR...]   (default: every tests/*.Tests)
# Each project's results are in tests/artifacts/test-results/NAME.trx.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
config=Release
results=tests/artifacts/test-results
rm -rf "$results"
mkdir -p "$results"

if [ $# -gt 0 ]; then
    projects=("$@")
else
    mapfile -t projects < <(find tests -maxdepth 2 -name '*.Tests.csproj' -printf '%h\n' | sort)
fi

passed=0
failed=0
skipped=0
problems=()

echo "== restore"
if [ $# -gt 0 ]; then restore_targets=("${projects[@]}"); else restore_targets=(KdumpDebug.sln); fi
for target in "${restore_targets[@]}"; do
    if ! dotnet restore "$target" -nologo -v quiet; then
        problems+=("restore of $target failed")
        failed=$((failed + 1))
    fi
done

# One `dotnet test` per project: it builds the project and what it references, so a project
# that does not compile fails alone and the others still run.
for project in "${projects[@]}"; do
    name=$(basename "$project")
    echo "== $name"
    trx="$results/$name.trx"
    # A hung test host is killed after 5 minutes and counted as a failure, so CI never waits out its budget.
    dotnet test "$project" -c "$config" --no-restore -nologo \
        --blame-hang-timeout 5m --blame-hang-dump-type none \
        --logger "trx;LogFileName=$(basename "$trx")" --results-directory "$results" \
        --logger "console;verbosity=minimal"
    status=$?
    if [ ! -f "$trx" ]; then
        problems+=("$name: no test results (build failed or the test host crashed, exit $status)")
        failed=$((failed + 1))
        continue
    fi
    # <Counters total=".." executed=".." passed=".." failed=".." ... notExecuted=".." /> in the TRX summary.
    counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
    count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
    p=$(count passed); f=$(count failed); e=$(count error); t=$(count timeout); a=$(count aborted)
    # Skipped tests are results with outcome NotExecuted, counted in total but not in executed.
    n=$(( $(count total) - $(count executed) ))
    passed=$((passed + p))
    failed=$((failed + f + e + t + a))
    skipped=$((skipped + n))
    if [ "$status" -ne 0 ] && [ $((f + e + t + a)) -eq 0 ]; then
        problems+=("$name: dotnet test exited $status with no failed test counted")
        failed=$((failed + 1))
    fi
done

# ---- npm test (VS Code extension) -------------------------------------------------------------
# Type check, the vsix build (with the published server), then node's test runner over the unit,
# DAP (DebugClient) and code-server end-to-end tests; its TAP summary ("# pass N", "# fail N",
# "# skipped N") is added to the totals. Skipped when only some .NET projects were asked for.
# KDUMPDEBUG_NPM_TEST=0 leaves it out. Log: tests/artifacts/test-results/npm-test.log.
if [ $# -eq 0 ] && [ "${KDUMPDEBUG_NPM_TEST:-1}" != 0 ]; then
    echo "== npm test"
    npm_log="$results/npm-test.log"
    if ! command -v npm >/dev/null 2>&1; then
        problems+=("npm test: npm is not installed (Node 20 is required for the extension tests)")
        failed=$((failed + 1))
    elif [ ! -d node_modules ] && ! npm ci --no-audit --no-fund; then
        problems+=("npm test: npm ci failed")
        failed=$((failed + 1))
    else
        # Piped through tee, node's test runner prints TAP (it prints its "spec" format only to a terminal).
        npm test 2>&1 < /dev/null | tee "$npm_log"
        status=${PIPESTATUS[0]}
        tap() { grep -E "^# $1 [0-9]+$" "$npm_log" | tail -1 | grep -o '[0-9]*$' || echo 0; }
        if ! grep -qE '^# tests [0-9]+$' "$npm_log"; then
            problems+=("npm test: no test results (type check or build failed, exit $status): see $npm_log")
            failed=$((failed + 1))
        else
            p=$(tap pass); f=$(tap fail); c=$(tap cancelled); s=$(tap skipped); t=$(tap todo)
            passed=$((passed + p))
            failed=$((failed + f + c))
            skipped=$((skipped + s + t))
            if [ "$status" -ne 0 ] && [ $((f + c)) -eq 0 ]; then
                problems+=("npm test: exited $status with no failed test counted")
                failed=$((failed + 1))
            fi
        fi
    fi
fi
# ------------------------------------------------------------------------------------------------

for problem in "${problems[@]}"; do echo "run-all: $problem"; done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
