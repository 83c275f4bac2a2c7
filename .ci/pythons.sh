#!/usr/bin/env bash
# The fast in-process tests on the other supported Pythons, each in its own environment made from
# the dev lock by `make install` (.venv-3.12, .venv-3.13; kept and reused while still current).
#   .ci/pythons.sh [VERSION...]   (default: 3.12 3.13)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(3.12 3.13)
for version in "${versions[@]}"; do
  echo "== Python $version"
  make --no-print-directory install PYTHON="$version" VENV=".venv-$version"
  ".venv-$version/bin/python" -m pytest -q -p no:cacheprovider tests/engine tests/rules tests/schemas
done
