"""A TypeScript client generated from the served OpenAPI document type-checks and works, keyed.

openapi-typescript turns the document into types, openapi-fetch makes the calls; the client in
tests/contract/ts/src/client.ts is type-checked with `tsc --strict` and run with node against a
server that needs a key: assess, store, list, read back. The npm packages are those of
tests/contract/ts/package-lock.json, installed with `npm ci` into a cache folder
(READINESS_NPM_CACHE, default ~/.cache/readiness-ts-contract) once per lock file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.api.test_generated_client import KeyedServer, keyed_server

pytestmark = [
    pytest.mark.server,  # the client speaks HTTP to a real server
    pytest.mark.slow,  # npm ci and two compilations
    pytest.mark.shared,  # no time bound
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="node and npm are not installed (.ci/run installs them from Debian where missing)",
    ),
]

PROJECT = Path(__file__).resolve().parent / "ts"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyedServer]:
    yield from keyed_server(tmp_path_factory.mktemp("ts-keyed-server"))


def _run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(  # noqa: S603 - node, npm and the locked packages' own programs
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _installed() -> Path:
    """A folder with the locked packages installed, reused while the lock file is the same."""
    lock = (PROJECT / "package-lock.json").read_bytes()
    cache = Path(
        os.environ.get("READINESS_NPM_CACHE", Path.home() / ".cache" / "readiness-ts-contract")
    )
    work = cache / hashlib.sha256(lock + (PROJECT / "package.json").read_bytes()).hexdigest()[:16]
    done = work / "node_modules" / ".installed"
    if not done.exists():
        work.mkdir(parents=True, exist_ok=True)
        for name in ("package.json", "package-lock.json"):
            shutil.copy(PROJECT / name, work / name)
        npm = ["npm", "ci", "--no-audit", "--no-fund", "--cache", str(cache / "npm")]
        _run(npm, work)
        done.touch()
    return work


def test_a_generated_typescript_client_assesses_and_stores_with_a_key(keyed: KeyedServer) -> None:
    work = _installed()
    shutil.rmtree(work / "src", ignore_errors=True)
    shutil.rmtree(work / "build", ignore_errors=True)
    shutil.copytree(PROJECT / "src", work / "src", ignore=shutil.ignore_patterns("schema.d.ts"))
    shutil.copy(PROJECT / "tsconfig.json", work / "tsconfig.json")
    document = httpx.get(f"{keyed.server.url}/schema/openapi.json")
    assert document.status_code == 200
    (work / "openapi.json").write_bytes(document.content)
    bin_dir = work / "node_modules" / ".bin"
    _run([str(bin_dir / "openapi-typescript"), "openapi.json", "-o", "src/schema.d.ts"], work)
    _run([str(bin_dir / "tsc"), "--strict", "--noEmit", "-p", "."], work)
    _run([str(bin_dir / "tsc"), "-p", "."], work)
    env = {
        **os.environ,
        "READINESS_URL": keyed.server.url,
        "READINESS_KEY": keyed.key,
        "READINESS_EXAMPLE": str(ROOT / "examples" / "design-examples.json"),
    }
    out = _run(["node", "build/client.js"], work, env)
    assert out.startswith("ok "), out
