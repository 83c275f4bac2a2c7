"""Rule administration over HTTP: validate uploaded rule files, reload the rules folder."""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

import anyio.to_thread
from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import (
    OpenAPIType,
    Schema,
)

from api.auth import require_key
from api.body import read_json
from api.openapi import body_operation, problem_responses
from api.problems import ProblemError
from api.runtime import Runtime
from engine import default_rules_dir, lint
from schemas.stored import LintReportOut, ReloadReport

__all__ = ["rules_admin_handlers"]

_EXAMPLE_FILE = """\
# yaml-language-server: $schema=../../schemas/rule.schema.json
rules: []
"""


_FILE_NAME = re.compile(r"([A-Za-z0-9_-]+/)*[A-Za-z0-9_-][A-Za-z0-9._-]*\.yaml")
"""A rule file's path under the rules folder: folders of letters, digits, `_` and `-`, then a
`.yaml` file whose name does not start with a dot (so no `..`, no hidden or absolute path)."""
_FILE_NAME_MAX = 200


_RULE_FILES = Schema(
    type=OpenAPIType.OBJECT,
    properties={
        "files": Schema(
            type=OpenAPIType.OBJECT,
            description="YAML text by path under the rules folder",
            additional_properties=Schema(type=OpenAPIType.STRING),
            property_names=Schema(
                type=OpenAPIType.STRING,
                pattern=f"^{_FILE_NAME.pattern}$",
                max_length=_FILE_NAME_MAX,
            ),
        )
    },
    required=["files"],
)


def _write(root: Path, name: str, text: str) -> None:
    """Write the uploaded file `name` under `root`.

    Raises:
        ProblemError: 422 `invalid-path` when `name` is not a `.yaml` path inside the folder,
            or names no file that can be written there (a NUL byte, too long, a file where a
            folder must be); 422 `invalid-text` when `text` holds lone surrogates (JSON allows
            an escaped surrogate, UTF-8 does not).
    """
    relative = PurePosixPath(name)
    invalid = ProblemError(
        422,
        "invalid-path",
        f"{name!r} is not a .yaml path inside the rules folder (folders and file names of "
        "letters, digits, `_`, `-` and `.`, not starting with a dot)",
    )
    if len(name) > _FILE_NAME_MAX or not _FILE_NAME.fullmatch(name):
        raise invalid
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ProblemError(
            422, "invalid-text", f"{name!r} is not valid Unicode text (a lone surrogate)"
        ) from None
    target = root.joinpath(*relative.parts)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    except (OSError, ValueError):
        raise invalid from None


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
    operation_class=body_operation(
        _RULE_FILES,
        "Rule files to lay over the server's rules",
        {"files": {"logic/leadership/new-rule.yaml": _EXAMPLE_FILE}},
        "One new rule file",
    ),
    status_code=200,
    responses=problem_responses(400, 401, 403, 413, 415, 422),
)
async def validate_rules(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[LintReportOut]:
    require_key(request, runtime.repository, "admin")
    data = await read_json(request, runtime.settings.max_json_depth)
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise ProblemError(422, "validation-failed", 'send {"files": {"<path>": "<YAML>"}}')
    source = (runtime.settings.rules_dir or default_rules_dir()).resolve()
    # Copying the rules and linting them (which loads the set twice) takes a second or more: in
    # a worker thread, so that the event loop keeps answering other requests meanwhile.
    report = await anyio.to_thread.run_sync(_lint_laid_over, source, files)
    return Response(content=LintReportOut.model_validate(report))


def _lint_laid_over(source: Path, files: dict[str, str]) -> dict[str, Any]:
    """Lint a copy of the rules folder `source` with `files` laid over it; the report as JSON.

    Raises:
        ProblemError: What `_write` raises for a file that cannot be laid over the copy.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "rules"
        shutil.copytree(source, root)
        for name, text in files.items():
            _write(root, name, text)
        return lint(root).to_json()


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
    # Loading the set and running every rule case takes seconds: in a worker thread, so that
    # the event loop keeps serving (the reloader's lock keeps one reload at a time).
    sync_to_thread=True,
    responses={
        422: ResponseSpec(
            data_container=ReloadReport,
            description="The new set failed to load or its cases failed; the current set serves",
            generate_examples=False,
        ),
        **problem_responses(401, 403),
    },
)
def reload_rules(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime]
) -> Response[ReloadReport]:
    require_key(request, runtime.repository, "admin")
    status = runtime.reloader.reload()
    body = ReloadReport.model_validate({**status.to_json(), "serving": status.serving})
    return Response(content=body, status_code=200 if status.ok else 422)


def rules_admin_handlers() -> list[HTTPRouteHandler]:
    """The handlers."""
    return [validate_rules, reload_rules]
