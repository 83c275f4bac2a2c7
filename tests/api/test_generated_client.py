"""A client generated from the served OpenAPI document with openapi-python-client works."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.conftest import Server

pytestmark = pytest.mark.server  # the generated client speaks HTTP to a real server

EXAMPLE = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "design-examples.json").read_text()
)


def test_a_generated_client_runs_an_assessment(server: Server, tmp_path: Path) -> None:
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
        with package.Client(base_url=server.url) as api_client:
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
