"""Rule administration over HTTP: validate uploaded rule files, reload the rules folder."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler

from api.auth import require_key
from api.body import read_json
from api.openapi import problem_responses
from api.problems import ProblemError
from api.runtime import Runtime
from engine.lint import lint
from engine.loader import default_rules_dir

__all__ = ["rules_admin_handlers"]


@post(
    "/v1/rules/validate",
    tags=["rule base"],
    summary="Lint uploaded rule files",
    description=(
        'Body: `{"files": {"logic/leadership/new-rule.yaml": "<YAML text>", ...}}`, paths under '
        "the rules folder. The files are laid over a copy of the server's rules and the whole "
        "set is linted; nothing is changed on the server. Needs the `admin` scope."
    ),
    operation_id="validateRules",
    status_code=200,
    responses=problem_responses(400, 401, 403, 422),
)
async def validate_rules(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[dict[str, Any]]:
    require_key(request, runtime.repository, "admin")
    data = await read_json(request, runtime.settings.max_json_depth)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ProblemError(422, "validation-failed", 'send {"files": {"<path>": "<YAML>"}}')
    source = (runtime.settings.rules_dir or default_rules_dir()).resolve()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rules"
        shutil.copytree(source, root)
        for name, text in files.items():
            relative = PurePosixPath(name)
            if relative.is_absolute() or ".." in relative.parts or relative.suffix != ".yaml":
                raise ProblemError(
                    422, "invalid-path", f"{name!r} is not a .yaml path inside the rules folder"
                )
            target = root.joinpath(*relative.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        report = lint(root)
    return Response(content=report.to_json())


@post(
    "/v1/rules/reload",
    tags=["rule base"],
    summary="Reload the rules folder now",
    description=(
        "Load, validate and test the rules folder; switch to it only if everything passes, "
        "else keep serving the current set. Needs the `admin` scope."
    ),
    operation_id="reloadRules",
    status_code=200,
    sync_to_thread=False,
    responses=problem_responses(401, 403),
)
def reload_rules(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[dict[str, Any]]:
    require_key(request, runtime.repository, "admin")
    status = runtime.reloader.reload()
    body = {**status.to_json(), "serving": runtime.engine.ruleset.digest}
    return Response(content=body, status_code=200 if status.ok else 422)


def rules_admin_handlers() -> list[HTTPRouteHandler]:
    """The handlers."""
    return [validate_rules, reload_rules]
