#!/usr/bin/env bash
# Print the path of a uv of the version requirements-dev.lock pins, installing it first when needed:
#   .ci/uv.sh PYTHON
# uv installs a lock file in a few seconds where pip takes most of a minute, and CI makes an
# environment for each of its Pythons and one for the wheel. It is installed by PYTHON's pip from the lock,
# hash-checked (one wheel, no dependencies), into .venv-uv, and kept there while it is the pinned
# version. A lock on .venv-uv.lock keeps two installs at once from writing it together.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$1
lock="$root/requirements-dev.lock"
target="$root/.venv-uv"
uv="$target/bin/uv"
version=$(sed -n 's/^uv==\([^ ]*\) .*/\1/p' "$lock")
[ -n "$version" ] || { echo "no uv pin in $lock" >&2; exit 1; }

current() { [ -x "$uv" ] && [ "$("$uv" --version 2>/dev/null | cut -d' ' -f2)" = "$version" ]; }

if ! current; then
  exec 9>"$target.lock"
  flock 9
  if ! current; then
    requirement=$(mktemp)
    trap 'rm -f "$requirement"' EXIT
    "$root/.ci/requirement.sh" uv "$lock" >"$requirement"
    rm -rf "$target"
    "$python" -m pip install --quiet --disable-pip-version-check --no-deps --require-hashes \
      --target "$target" -r "$requirement" >&2
    current || { echo "$uv is not uv $version after installing it" >&2; exit 1; }
  fi
fi
echo "$uv"
