"""The code registry: each code listed once, every code raised is listed, every listed one raised."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import get_args, get_type_hints

import pytest

from api.problems import ProblemError
from engine.authoring.lint import HINTS, LintFinding
from engine.errors import ConditionError, EvaluationError, RuleFileError
from engine.rulebase import reader
from schemas import codes
from schemas.codes import (
    CODES,
    Code,
    EvaluationCode,
    LintCode,
    ProblemCode,
    RuleFileCode,
    main,
    markdown,
    sync_readme,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ("api", "engine", "schemas", "store")
REGISTRY = ROOT / "schemas" / "codes.py"
KINDS = {"rule-file": RuleFileCode, "lint": LintCode, "problem": ProblemCode}
KINDS["evaluation"] = EvaluationCode
_CODE_TYPE = re.compile(r"\b(RuleFileCode|LintCode|ProblemCode|EvaluationCode|Code)\b")


# The registry itself


def test_each_kind_s_literal_and_its_entries_agree() -> None:
    for kind, literal in KINDS.items():
        assert list(get_args(literal)) == [c for c, d in CODES.items() if d.kind == kind], kind


def test_each_code_is_listed_once() -> None:
    listed = [doc.code for doc in codes._DOCS]
    assert len(listed) == len(set(listed))
    every = [code for literal in get_args(Code) for code in get_args(literal)]
    assert sorted(every) == sorted(CODES)


def test_every_code_has_a_one_line_meaning_and_hint_and_problems_a_status() -> None:
    for code, doc in CODES.items():
        assert doc.code == code
        assert doc.meaning and doc.hint and "\n" not in doc.meaning + doc.hint, code
        assert (doc.status is not None) == (doc.kind == "problem"), code
        assert doc.severity == "error" or doc.kind == "lint", code


def test_lint_hints_are_the_registry_s() -> None:
    assert dict(HINTS) == {c: d.hint for c, d in CODES.items() if d.kind in ("rule-file", "lint")}


def test_codes_are_typed_where_they_are_passed() -> None:
    # mypy then rejects a code missing from the registry at each of these.
    assert get_type_hints(ProblemError.__init__)["code"] == ProblemCode
    assert get_type_hints(RuleFileError)["code"] == RuleFileCode
    assert get_type_hints(ConditionError.__init__)["code"] == RuleFileCode
    assert get_type_hints(EvaluationError.__init__)["code"] == EvaluationCode
    assert get_type_hints(reader.Reader.error)["code"] == RuleFileCode
    assert get_type_hints(LintFinding)["code"] == RuleFileCode | LintCode


# The README's tables


def test_the_readme_tables_are_generated_from_the_registry() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for block in ("rule-file", "problem", "evaluation"):
        assert (
            readme.count(f"<!-- codes:{block} -->\n{markdown(block)}<!-- /codes:{block} -->") == 1
        )
    assert sync_readme(readme) == readme, "run python -m schemas.codes --write"


def test_every_code_is_in_a_readme_table() -> None:
    tables = "".join(markdown(block) for block in ("rule-file", "problem", "evaluation"))
    assert [c for c in CODES if f"| `{c}` |" not in tables] == []


def test_the_check_fails_on_a_stale_readme_and_write_fixes_it(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# x\n\n<!-- codes:problem -->\n| old |\n<!-- /codes:problem -->\n")
    assert main(["--readme", str(readme)]) == 1
    assert main(["--readme", str(readme), "--write"]) == 0
    assert main(["--readme", str(readme)]) == 0
    assert "| 429 | `rate-limited` |" in readme.read_text()


# The codes the source raises, read from its syntax tree


@dataclass(frozen=True)
class Use:
    """A code the source passes, or None when it is built at run time."""

    code: str | None
    where: str
    status: int | None = None


@dataclass(frozen=True)
class Carrier:
    """Where a callable takes a code (and a status), by position; `code=` always counts."""

    code: int
    status: int | None


def _carried(params: list[ast.arg]) -> Carrier | None:
    names = [p.arg for p in params]
    for i, param in enumerate(params):
        annotation = ast.unparse(param.annotation) if param.annotation else ""
        if param.arg == "code" or _CODE_TYPE.search(annotation):
            return Carrier(i, names.index("status") if "status" in names else None)
    return None


def carriers(trees: list[ast.Module]) -> dict[str, list[Carrier]]:
    """Every callable with a parameter or field named `code` or typed with a code type."""
    found: dict[str, list[Carrier]] = {}

    def add(name: str, carrier: Carrier | None) -> None:
        if carrier is not None:
            found.setdefault(name, []).append(carrier)

    def function(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> Carrier | None:
        params = [*node.args.posonlyargs, *node.args.args]
        static = any(ast.unparse(d) == "staticmethod" for d in node.decorator_list)
        return _carried(params[1:] if method and not static else params)

    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                fields = [
                    ast.arg(s.target.id, s.annotation)
                    for s in node.body
                    if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name)
                ]
                methods = [
                    item
                    for item in node.body
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
                ]
                for method in methods:
                    if method.name != "__init__":
                        add(method.name, function(method, method=True))
                init = [function(m, method=True) for m in methods if m.name == "__init__"]
                add(node.name, init[0] if init else _carried(fields))
            elif isinstance(node, ast.Module):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                        add(item.name, function(item, method=False))
    return found


def _constants(expr: ast.expr) -> Iterator[str | None]:
    """The code strings an expression can yield; None for one built at run time."""
    if isinstance(expr, ast.Constant):
        if isinstance(expr.value, str):
            yield expr.value
    elif isinstance(expr, ast.IfExp):
        yield from _constants(expr.body)
        yield from _constants(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _constants(value)
    elif isinstance(expr, ast.JoinedStr | ast.BinOp):
        yield None
    elif (
        isinstance(expr, ast.Call)
        and isinstance(expr.func, ast.Attribute)
        and expr.func.attr == "get"
        and len(expr.args) == 2
    ):
        yield from _constants(expr.args[1])  # the default of a mapping's lookup
    # A name, attribute or call result carries a value typed elsewhere: mypy checks it.


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    return func.attr if isinstance(func, ast.Attribute) else None


def _status(call: ast.Call, carrier: Carrier) -> int | None:
    if carrier.status is None or carrier.status >= len(call.args):
        return None
    given = call.args[carrier.status]
    return given.value if isinstance(given, ast.Constant) and isinstance(given.value, int) else None


def _in_call(
    call: ast.Call, known: dict[str, list[Carrier]]
) -> Iterator[tuple[ast.expr, int | None]]:
    for keyword in call.keywords:
        if keyword.arg == "code":
            yield keyword.value, None
    for carrier in known.get(_name(call.func) or "", []):
        if carrier.code < len(call.args):
            yield call.args[carrier.code], _status(call, carrier)


def _in_assignment(node: ast.Assign | ast.AnnAssign) -> Iterator[tuple[ast.expr, int | None]]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names = [t.id for t in targets if isinstance(t, ast.Name)]
    annotation = node.annotation if isinstance(node, ast.AnnAssign) else None
    typed = annotation is not None and _CODE_TYPE.search(ast.unparse(annotation)) is not None
    if node.value is None:
        return
    if "code" in names:
        yield node.value, None
    elif isinstance(node.value, ast.Dict) and (typed or any("CODES" in n for n in names)):
        for key, value in zip(node.value.keys, node.value.values, strict=True):
            status = key.value if isinstance(key, ast.Constant) else None
            yield value, status if isinstance(status, int) else None
    elif typed:
        yield node.value, None


def uses(tree: ast.Module, where: str, known: dict[str, list[Carrier]]) -> list[Use]:
    """Every code `tree` passes to a carrier, assigns to `code`, or keeps in a code mapping."""
    found: list[Use] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            passed = list(_in_call(node, known))
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            passed = list(_in_assignment(node))
        else:
            continue
        for expr, status in passed:
            found += [Use(c, f"{where}:{expr.lineno}", status) for c in _constants(expr)]
    return found


def shipped_uses() -> list[Use]:
    paths = [p for package in SHIPPED for p in sorted((ROOT / package).rglob("*.py"))]
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in paths}
    known = carriers(list(trees.values()))
    return [
        use
        for path, tree in trees.items()
        if path != REGISTRY
        for use in uses(tree, str(path.relative_to(ROOT)), known)
    ]


@pytest.fixture(scope="module")
def used() -> list[Use]:
    return shipped_uses()


def test_every_code_the_source_raises_is_listed(used: list[Use]) -> None:
    assert [f"{u.where}: {u.code}" for u in used if u.code is None or u.code not in CODES] == []


def test_every_listed_code_is_raised_somewhere(used: list[Use]) -> None:
    assert sorted(set(CODES) - {u.code for u in used}) == []


def test_each_problem_is_sent_with_its_listed_status(used: list[Use]) -> None:
    listed: dict[str | None, int | None] = {c: d.status for c, d in CODES.items()}
    wrong = [
        f"{u.where}: {u.code} with {u.status}, listed with {listed[u.code]}"
        for u in used
        if u.status is not None and listed.get(u.code, u.status) != u.status
    ]
    assert wrong == []


def test_the_scan_sees_each_way_a_code_is_raised() -> None:
    source = """
class Carried(Exception):
    def __init__(self, status: int, code: str) -> None: ...

def refuse(where: str, reason: "ProblemCode") -> None: ...

_BY_STATUS: "dict[int, ProblemCode]" = {404: "from-a-mapping"}

def handler(kind: str, status: int) -> None:
    raise Carried(418, "positional")
    Carried(status=400, code="keyword")
    refuse("here", "typed-parameter")
    code = "one" if kind else "other"
    code = _BY_STATUS.get(status, "a-default")
    refuse("here", f"{kind}-built")
    Carried(500, code)
"""
    tree = ast.parse(source)
    found = {(u.code, u.status) for u in uses(tree, "x", carriers([tree]))}
    assert found == {
        ("positional", 418),
        ("keyword", None),
        ("typed-parameter", None),
        ("one", None),
        ("other", None),
        ("from-a-mapping", 404),
        ("a-default", None),
        (None, None),
    }


def test_the_scan_finds_the_codes_each_module_raises(used: list[Use]) -> None:
    by_file: dict[str, set[str | None]] = {}
    for use in used:
        by_file.setdefault(use.where.split(":")[0], set()).add(use.code)
    assert {"yaml-syntax", "invalid-value", "missing-field"} <= by_file["engine/rulebase/reader.py"]
    assert {"missing-index", "unknown-reference", "order-cycle"} <= by_file[
        "engine/rulebase/loader.py"
    ]
    assert {"unknown-as-no", "middle-ignored", "out-of-scope"} <= by_file[
        "engine/rulebase/rulecheck.py"
    ]
    assert "too-many-facts" in by_file["engine/conditions.py"]
    assert {"duplicate-rule", "same-condition", "unlinked-entry"} <= by_file[
        "engine/authoring/lint.py"
    ]
    assert {"bad-request", "internal-error", "body-too-large"} <= by_file["api/problems.py"]
    assert {"url-too-long", "headers-too-large"} <= by_file["api/protocol.py"]
    assert "rule-action-failed" in by_file["engine/runtime/compiled.py"]
