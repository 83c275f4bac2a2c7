#!/usr/bin/env bash
# Make a virtual environment from scratch and install a lock file into it, every hash checked:
#   .ci/venv.sh PYTHON VENV LOCK
# The folder is removed first, so a failed install never leaves one that a retry would trust.
#
# The lock is installed by uv (`.ci/uv.sh`: the pinned uv, kept in .venv-uv), in seconds where pip
# takes most of a minute. uv reads the package index from its own settings (UV_DEFAULT_INDEX,
# UV_INDEX_URL), not from pip's: where it cannot install the lock (a machine whose packages come
# from a mirror only pip is told about, say), or with READINESS_INSTALLER=pip, pip installs it.
#
# durable-rules 2.0.28, the engine's pinned release, is a source distribution whose C extension
# calls PyEval_CallObject, which Python 3.13 removed: it compiles, then fails at import
# ("undefined symbol"). On 3.13 and later it is built first, from the lock's hash-checked sdist,
# with a preprocessor define that maps the call to PyObject_CallObject (its replacement: the same
# callable and argument tuple; every call site passes a tuple), and never from the installer's
# cache, which may hold a build made without the define. The full install then finds it in place.
set -euo pipefail
python=$1 venv=$2 lock=$3
here=$(cd "$(dirname "$0")" && pwd)

durable=$(mktemp)
trap 'rm -f "$durable"' EXIT
"$here/requirement.sh" durable-rules "$lock" >"$durable"
define="${CPPFLAGS:-} -DPyEval_CallObject=PyObject_CallObject"

with_uv() {
  local uv
  uv=$("$here/uv.sh" "$python") || return 1
  local install=("$uv" pip install --quiet --python "$venv/bin/python" --require-hashes)
  if [ "$new_python" = 1 ]; then
    CPPFLAGS="$define" "${install[@]}" --no-deps --no-cache -r "$durable" || return 1
  fi
  "${install[@]}" -r "$lock"
}

with_pip() {
  local pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check)
  if [ "$new_python" = 1 ]; then
    CPPFLAGS="$define" "${pip[@]}" install --no-deps --no-cache-dir --require-hashes -r "$durable"
  fi
  "${pip[@]}" install --require-hashes -r "$lock"
}

fresh() {
  rm -rf "$venv"
  "$python" -m venv "$venv"
}

fresh
new_python=$("$venv/bin/python" -c 'import sys; print(int(sys.version_info >= (3, 13)))')
if [ "${READINESS_INSTALLER:-uv}" = pip ]; then
  with_pip
elif ! with_uv; then
  echo "NOTICE: uv could not install $lock; installing it with pip" >&2
  fresh
  with_pip
fi
"$venv/bin/python" -c 'import durable_rules_engine' # the C extension loads
