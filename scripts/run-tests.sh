#!/usr/bin/env bash
# Run pytest against a throwaway PostgreSQL cluster that is always removed afterwards.
#   scripts/run-tests.sh [pytest args...]       (default: -n 2)
# Uses $UV (default: uv) to run pytest in the project environment, which must be synced.
# Exit code: pytest's, except that "no tests collected" (5) is a failure (1).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
UV="${UV:-uv}"

# One folder per run, so two runs in the same tree don't collide.
export PG_CLUSTER_DIR="$ROOT/var/pg-test-$$"
cleanup() { scripts/pg-cluster.sh stop "$PG_CLUSTER_DIR" || true; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p var
# Clusters left by runs that were killed outright (their pid is gone): stop and remove.
for stale in var/pg-test-*; do
    [ -d "$stale" ] || continue
    kill -0 "${stale##*-}" 2>/dev/null || scripts/pg-cluster.sh stop "$stale" || true
done
NEARZERO_TEST_PG_URL="$(scripts/pg-cluster.sh start "$PG_CLUSTER_DIR")"
export NEARZERO_TEST_PG_URL
echo "run-tests: PostgreSQL at $NEARZERO_TEST_PG_URL"

[ "$#" -gt 0 ] || set -- -n 2
rc=0
# shellcheck disable=SC2086  # $UV may be "python3.11 -m uv"
$UV run --no-sync pytest "$@" </dev/null || rc=$?
if [ "$rc" -eq 5 ]; then
    echo "run-tests: pytest collected no tests; counting that as a failure" >&2
    rc=1
fi
exit "$rc"
