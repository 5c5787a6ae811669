#!/usr/bin/env bash
# `make test` with TEST_DATABASE_URL set: the suite on SQLite and on PostgreSQL at the same time,
# one core each (the two runs share nothing: each has its own database and temporary folders).
# SQLite's output streams; PostgreSQL's is kept in a log and printed when both are done.
# Exit status: non-zero if either run failed.
set -uo pipefail
PY=${PY:-.venv/bin/python}
LOG=test-artifacts/pytest-postgresql.log
mkdir -p "$(dirname "$LOG")"

"$PY" -m pytest "$@" >"$LOG" 2>&1 &
pg=$!
trap 'kill "$pg" 2>/dev/null' INT TERM

echo "== on SQLite (on PostgreSQL at the same time: $LOG)"
env -u TEST_DATABASE_URL "$PY" -m pytest "$@"
sqlite=$?

wait "$pg"
postgres=$?
echo
echo "== on PostgreSQL ($TEST_DATABASE_URL)"
cat "$LOG"

echo
echo "== SQLite: $([ $sqlite -eq 0 ] && echo passed || echo "FAILED ($sqlite)")," \
     "PostgreSQL: $([ $postgres -eq 0 ] && echo passed || echo "FAILED ($postgres)")"
[ $sqlite -eq 0 ] && [ $postgres -eq 0 ]
