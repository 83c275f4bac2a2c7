"""A client generated from the served OpenAPI document with openapi-python-client works, keyed."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.database import Database
from store.repository import Repository
from tests.api.conftest import Server, start, stop

pytestmark = [
    pytest.mark.server,  # the generated client speaks HTTP to a real server
    pytest.mark.shared,  # and holds it to no time bound
]

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "design-examples.json").read_text()
)


@dataclass
class KeyedServer:
    """A real server that needs a key to assess, and a key for its example's organisation."""

    server: Server
    key: str


def keyed_server(tmp: Path) -> Iterator[KeyedServer]:
    """For a fixture: serve the API with its default (keys required), with a key made for it."""
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    running = start(tmp, database_url=url, assess_without_key="false")
    database = Database(url)
    key = Repository(database).create_key(
        ["assess", "read"], organisation_id=EXAMPLE["organisation"]["id"], description="clients"
    )
    database.close()
    yield KeyedServer(running, key)
    stop(running)


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KeyedServer]:
    yield from keyed_server(tmp_path_factory.mktemp("keyed-server"))


def test_a_generated_client_assesses_and_stores_with_a_key(
    keyed: KeyedServer, tmp_path: Path
) -> None:
    server = keyed.server
    spec = tmp_path / "openapi.json"
    spec.write_text(httpx.get(f"{server.url}/schema/openapi.json").text, encoding="utf-8")
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    done = subprocess.run(  # noqa: S603 - the generator installed with the dev dependencies
        [
            str(bin_dir / "openapi-python-client"), "generate", "--path", str(spec),
            "--output-path", str(tmp_path / "readiness_client"), "--meta", "none",
        ],
        capture_output=True, text=True, env=env, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Warning" not in done.stdout, done.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        package = importlib.import_module("readiness_client")
        models = importlib.import_module("readiness_client.models")
        # Without its key the client is refused; the generated bearer auth sends it.
        refused = importlib.import_module("readiness_client.api.assessments.assess")
        with package.Client(base_url=server.url) as anonymous:
            body = models.AssessmentRequest.from_dict(EXAMPLE)
            assert refused.sync_detailed(client=anonymous, body=body).status_code == 401
        with package.AuthenticatedClient(base_url=server.url, token=keyed.key) as api_client:
            run(api_client, models)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.startswith("readiness_client")]:
            del sys.modules[name]


def run(api_client: Any, models: Any) -> None:
    assess = importlib.import_module("readiness_client.api.assessments.assess")
    body = models.AssessmentRequest.from_dict(EXAMPLE)
    result = assess.sync(client=api_client, body=body, accept_language="da", explain=True)
    assert isinstance(result, models.AssessmentResult)
    assert result.language == "da"
    assert result.recommendations[0].id == "secure-tactical-leadership"
    assert result.recommendations[0].sources[0].source
    assert result.trace
    other = models.AssessmentRequest.from_dict({"risks": {"staff_turnover": "high"}})
    response = assess.sync_detailed(client=api_client, body=other)
    assert response.status_code == 200
    rules = importlib.import_module("readiness_client.api.rule_base.list_rules")
    assert len(rules.sync(client=api_client) or []) > 80
    stored = assess.sync_detailed(client=api_client, body=body, store=True)
    assert stored.status_code == 201, stored.content
    assessment_id = stored.headers["x-assessment-id"]
    listing = importlib.import_module("readiness_client.api.stored_assessments.list_assessments")
    listed = listing.sync_detailed(client=api_client)
    assert listed.status_code == 200
    assert assessment_id in listed.content.decode()
    read = importlib.import_module("readiness_client.api.stored_assessments.get_assessment_result")
    again = read.sync_detailed(client=api_client, assessment_id=assessment_id)
    assert again.status_code == 200
    assert json.loads(again.content) == json.loads(stored.content)
