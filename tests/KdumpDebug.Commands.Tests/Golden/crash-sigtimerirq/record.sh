#!/bin/bash
# Re-records session-SCENARIO.txt here: crash 8.0.2 on the scenario's main dump, the commands of
# commands-SCENARIO.txt on stdin in one session (../record-session.sh does the work).
# Usage: record.sh SCENARIO   (needs crash, xz and the fixtures in ../shared/fixtures or $KDUMPDEBUG_FIXTURES_DIR)
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../record-session.sh" "$here" "$1"
