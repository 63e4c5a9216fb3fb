#!/bin/bash
# Re-records session-SCENARIO.txt from commands-SCENARIO.txt with crash 8.0.2 (../record-session.sh).
# Usage: record.sh SCENARIO
here=$(cd "$(dirname "$0")" && pwd)
exec "$here/../record-session.sh" "$here" "$1"
