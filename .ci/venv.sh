#!/usr/bin/env bash
# Make a virtual environment from scratch and install a lock file into it, every hash checked:
#   .ci/venv.sh PYTHON VENV LOCK
# The folder is removed first, so a failed install never leaves one that a retry would trust.
#
# durable-rules 2.0.28, the engine's pinned release, is a source distribution whose C extension
# calls PyEval_CallObject, which Python 3.13 removed: it compiles, then fails at import
# ("undefined symbol"). On 3.13 and later it is built first, from the lock's hash-checked sdist,
# with a preprocessor define that maps the call to PyObject_CallObject (its replacement: the same
# callable and argument tuple; every call site passes a tuple), and never from pip's wheel cache,
# which may hold a build made without the define. The full install then finds it in place.
set -euo pipefail
python=$1 venv=$2 lock=$3

rm -rf "$venv"
"$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip --quiet --disable-pip-version-check)
if "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then
  durable=$(mktemp)
  trap 'rm -f "$durable"' EXIT
  # The requirement and its hash lines, as the lock writes them (lines continued with "\").
  awk '/^durable-rules==/ { on = 1 } on { print } on && !/\\$/ { exit }' "$lock" >"$durable"
  CPPFLAGS="${CPPFLAGS:-} -DPyEval_CallObject=PyObject_CallObject" \
    "${pip[@]}" install --no-deps --no-cache-dir --require-hashes -r "$durable"
fi
"${pip[@]}" install --require-hashes -r "$lock"
"$venv/bin/python" -c 'import durable_rules_engine' # the C extension loads
