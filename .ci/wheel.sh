#!/usr/bin/env bash
# The wheel as a user gets it: build it from the files of the checkout, install it with the
# runtime lock into a new environment in a temporary folder, and from there, away from the
# checkout, assess an example (checking that the result names the checkout's rule base) and serve
# until GET /ready answers.
#   .ci/wheel.sh [PYTHON]   (default: as make picks it; see .ci/python.sh)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
python=$("$root/.ci/python.sh" "${1:-}")
work=$(mktemp -d)
server=
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

# A copy of the files git knows (tracked, or new and not ignored): no build/ left from an earlier
# build can slip into the wheel.
mkdir "$work/src"
(cd "$root" && git ls-files -z --cached --others --exclude-standard |
  tar --null --files-from=- --ignore-failed-read -cf -) | tar -xf - -C "$work/src"
"$python" -m pip wheel --quiet --disable-pip-version-check --no-deps --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/*.whl)
echo "built $(basename "$wheel") ($(du -k "$wheel" | cut -f1) KB)"

"$root/.ci/venv.sh" "$python" "$work/venv" "$root/requirements.lock"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps "$wheel"
"$work/venv/bin/python" -m pip check
bin=$work/venv/bin
cd "$work"

"$bin/readiness" assess "$root/examples/design-examples.json" >result.json
"$bin/python" - "$root/rules" <<'PY'
import json
import sys
from pathlib import Path

from engine import default_rules_dir, ruleset_digest

result = json.loads(Path("result.json").read_text(encoding="utf-8"))
shipped = default_rules_dir()
assert "site-packages" in shipped.parts, f"rules read from {shipped}, not from the installed package"
assert result["ruleset"]["digest"] == ruleset_digest(Path(sys.argv[1])), "the wheel's rules differ"
print(f"readiness assess: level {result['readiness']['level']}, ruleset {result['ruleset']['version']}")
PY

port=$("$bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
READINESS_PORT=$port "$bin/readiness" serve >serve.log 2>&1 &
server=$!
"$bin/python" - "$port" <<'PY' || { cat serve.log; exit 1; }
import json
import sys
import time
import urllib.request

port = sys.argv[1]
deadline = time.monotonic() + 60
while True:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/ready", timeout=5) as answer:
            print(f"GET /ready: {answer.status} {json.load(answer)['status']}")
            break
    except OSError:
        if time.monotonic() > deadline:
            raise
        time.sleep(0.5)
# The documentation pages' scripts and styles ship in the wheel and are served from it.
assets = ["swagger-ui/swagger-ui-bundle.js", "swagger-ui/swagger-ui.css", "redoc/redoc.standalone.js"]
for asset in assets:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/schema/assets/{asset}", timeout=5) as answer:
        size = len(answer.read())
    assert answer.status == 200 and size > 100_000, (asset, answer.status, size)
print(f"GET /schema/assets/...: {len(assets)} documentation assets served from the wheel")
PY
