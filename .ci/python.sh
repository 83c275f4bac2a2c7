#!/usr/bin/env bash
# Print the path of a Python interpreter the project supports (3.11-3.13), or fail saying why.
#   .ci/python.sh              the first supported one of python3, python3.13, python3.12, python3.11
#   .ci/python.sh 3.12         a Python 3.12: python3.12 on PATH, else one that pyenv installed
#   .ci/python.sh PATH-OR-NAME that interpreter, if it is a supported version
# It prints the interpreter's own path (sys.executable), not a shim's, so that a venv made from it
# keeps working whichever version a shim would pick later.
set -euo pipefail

# Prints sys.executable when `$1` runs and its version is `$2` (like 3.12) or, with no `$2`, supported.
probe() {
  "$1" - "${2:-}" 2>/dev/null <<'PY'
import sys
wanted = sys.argv[1]
version = sys.version_info[:2]
ok = f"{version[0]}.{version[1]}" == wanted if wanted else (3, 11) <= version <= (3, 13)
if not ok:
    sys.exit(1)
print(sys.executable)
PY
}

case "${1:-}" in
  "")
    for candidate in python3 python3.13 python3.12 python3.11; do
      probe "$candidate" && exit 0
    done
    echo "no Python 3.11-3.13 found (tried python3, python3.13, python3.12, python3.11); set PYTHON" >&2
    exit 1
    ;;
  3.1[123])
    probe "python$1" "$1" && exit 0
    if command -v pyenv >/dev/null; then
      for candidate in "$(pyenv root)/versions/$1".*/bin/python"$1"; do
        [ -x "$candidate" ] && probe "$candidate" "$1" && exit 0
      done
    fi
    echo "no Python $1 found (tried python$1 on PATH and pyenv's versions)" >&2
    exit 1
    ;;
  *)
    probe "$1" && exit 0
    echo "$1 is not a Python 3.11-3.13 interpreter" >&2
    exit 1
    ;;
esac
