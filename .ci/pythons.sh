#!/usr/bin/env bash
# The fast tier (no server processes, nothing slow) on other supported Pythons, each in its own environment made from
# the dev lock by `make install` (.venv-3.12, .venv-3.13; kept and reused while still current).
# CI runs it on the newest, 3.13, beside every tier on the default interpreter (3.11, the oldest,
# on the CI machine): the two ends of the range within CI's time; `.ci/pythons.sh 3.12 3.13` adds
# the one between.
# The environments are made one after the other (an editable install writes the project's
# metadata into the checkout); the tests then run side by side, one process per version, each
# into its own log, printed in order once all have ended.
#   .ci/pythons.sh [VERSION...]   (default: 3.13)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.13)
for version in "${versions[@]}"; do
  make --no-print-directory install PYTHON="$version" VENV=".venv-$version"
done
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
pids=()
for version in "${versions[@]}"; do
  # On SQLite only: the PostgreSQL tests drop and make tables in one shared database, which two
  # runs at once would do to each other; the default interpreter's run covers PostgreSQL.
  # Python 3.13 also warns when a SQLite connection is garbage-collected unclosed, an error under
  # the pytest settings: that run fails on a connection the app or a test leaves open.
  env -u READINESS_TEST_DATABASE_URL -u READINESS_REQUIRE_POSTGRES \
    ".venv-$version/bin/python" -m pytest -q -p no:cacheprovider -m "not server and not slow" \
    >"$logs/$version" 2>&1 &
  pids+=($!)
done
status=0
for i in "${!versions[@]}"; do
  wait "${pids[$i]}" || status=1
  echo "== Python ${versions[$i]}"
  cat "$logs/${versions[$i]}"
done
exit "$status"
