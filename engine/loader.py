"""Loading a rules folder: YAML with line numbers, validation, cross-references, digest."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from engine.conditions import Ref, Test, alternatives, parse, positive
from engine.errors import ConditionError, InvalidRulesetError, RuleFileError
from engine.rulefile import (
    CatalogueEntryFile,
    FolderIndexFile,
    ManifestFile,
    ObstacleFile,
    RecommendationFile,
    RuleFile,
    SourcesFile,
    SuccessFactorFile,
)
from engine.ruleset import Rule, RuleKind, Ruleset
from schemas.assessment import AssessmentRequest
from schemas.citation import Citation
from schemas.scales import UNKNOWN

__all__ = ["default_rules_dir", "load_ruleset", "ruleset_digest"]

_M = TypeVar("_M", bound=BaseModel)

CATALOGUE_KINDS: dict[str, type[CatalogueEntryFile]] = {
    "obstacles": ObstacleFile,
    "success-factors": SuccessFactorFile,
    "recommendations": RecommendationFile,
}

_PYDANTIC_CODES = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "too_short": "too-short",
    "too_long": "too-long",
    "string_too_short": "too-short",
    "string_too_long": "too-long",
}


def default_rules_dir() -> Path:
    """Return the `rules/` folder shipped beside the packages."""
    return Path(__file__).resolve().parent.parent / "rules"


def ruleset_digest(root: Path) -> str:
    """Return `sha256:<hex>` over the relative path and bytes of every YAML file under `root`."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()}"


def _line_of(node: Any, loc: Iterable[str | int]) -> int:
    """Return the 1-based line of `loc` inside a ruamel node, or of its nearest ancestor."""
    line = 0
    for part in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(part, int):
                line = lc.item(part)[0]
                node = node[part]
            else:
                line = lc.key(part)[0]
                node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    return line + 1


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.errors: list[RuleFileError] = []
        self._yaml = YAML(typ="rt")

    def rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root.parent).as_posix()
        except ValueError:
            return path.as_posix()

    def error(self, path: Path, line: int, code: str, message: str) -> None:
        self.errors.append(RuleFileError(self.rel(path), line, code, message))

    def read(self, path: Path) -> Any:
        try:
            return self._yaml.load(path.read_text(encoding="utf-8"))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or exc.context or "invalid YAML"
            self.error(path, line, "yaml-syntax", problem)
        except UnicodeDecodeError as exc:
            self.error(path, 1, "yaml-syntax", f"not UTF-8: {exc.reason}")
        return None

    def model(self, path: Path, model: type[_M], what: str) -> tuple[_M | None, Any]:
        raw = self.read(path)
        if raw is None:
            if not any(e.file == self.rel(path) for e in self.errors):
                self.error(path, 1, "empty-file", f"{what}: the file is empty")
            return None, raw
        try:
            return model.model_validate(raw), raw
        except ValidationError as exc:
            for err in exc.errors():
                loc = tuple(err["loc"])
                code = _PYDANTIC_CODES.get(err["type"], "invalid-value")
                where = ".".join(str(p) for p in loc) or "(file)"
                self.error(path, _line_of(raw, loc), code, f"{what}: {where}: {err['msg']}")
            return None, raw


def load_ruleset(root: Path | None = None) -> Ruleset:
    """Load, validate and cross-check the rules folder at `root` (default: the shipped one).

    Raises:
        InvalidRulesetError: Listing every error found, each as `file:line: code: message`.
    """
    root = (root or default_rules_dir()).resolve()
    loader = _Loader(root)
    if not (root / "index.yaml").is_file():
        raise InvalidRulesetError(
            [RuleFileError(loader.rel(root / "index.yaml"), 1, "missing-index", "no manifest")]
        )
    manifest, _ = loader.model(root / "index.yaml", ManifestFile, "ruleset manifest")
    sources_file, _ = loader.model(root / "sources.yaml", SourcesFile, "sources")
    _check_folders(loader, root)
    found = _Found()
    _load_catalogue(loader, root, found)
    _load_rules(loader, root, found)
    if sources_file is not None:
        _check_sources(loader, {s.id for s in sources_file.sources}, found)
    _check_references(loader, found)
    _check_cycles(loader, found.rules, found.raws)
    if loader.errors or manifest is None or sources_file is None:
        raise InvalidRulesetError(loader.errors)
    return Ruleset(
        name=manifest.name,
        version=manifest.version,
        digest=ruleset_digest(root),
        title=manifest.title,
        scoring=manifest.scoring,
        sources=MappingProxyType({s.id: s for s in sources_file.sources}),
        rules=tuple(found.rules),
        obstacles=MappingProxyType(found.catalogue["obstacles"]),
        success_factors=MappingProxyType(found.catalogue["success-factors"]),
        recommendations=MappingProxyType(found.catalogue["recommendations"]),
    )


class _Found:
    """What loading has found so far."""

    def __init__(self) -> None:
        self.catalogue: dict[str, dict[str, Any]] = {kind: {} for kind in CATALOGUE_KINDS}
        self.rules: list[Rule] = []
        self.raws: dict[str, tuple[Path, Any]] = {}
        # Files that exist but failed validation: references to them are not reported again.
        self.broken: set[str] = set()
        self.citing: list[tuple[Path, Any, str, tuple[Citation, ...]]] = []

    def known(self, kind: str, entry: str) -> bool:
        return entry in self.catalogue[kind] or f"{kind}:{entry}" in self.broken


def _load_catalogue(loader: _Loader, root: Path, found: _Found) -> None:
    for kind, model in CATALOGUE_KINDS.items():
        folder = root / "catalog" / kind
        for path in _yaml_files(folder):
            entry_id = path.relative_to(folder).with_suffix("").as_posix()
            entry, raw = loader.model(path, model, f"{kind[:-1]} {entry_id!r}")
            if entry is None:
                found.broken.add(f"{kind}:{entry_id}")
            else:
                found.catalogue[kind][entry_id] = entry
                found.citing.append((path, raw, f"{kind[:-1]} {entry_id!r}", tuple(entry.sources)))


def _load_rules(loader: _Loader, root: Path, found: _Found) -> None:
    logic = root / "logic"
    for path in _yaml_files(logic):
        rule_id = path.relative_to(logic).with_suffix("").as_posix()
        spec, raw = loader.model(path, RuleFile, f"rule {rule_id!r}")
        rule = None
        if spec is not None and spec.id != rule_id:
            loader.error(
                path,
                _line_of(raw, ("id",)),
                "id-path-mismatch",
                f"rule id {spec.id!r} must equal its path under rules/logic/: {rule_id!r}",
            )
        elif spec is not None:
            found.raws[rule_id] = (path, raw)
            rule = _compile_rule(loader, path, raw, spec)
        if rule is None:
            found.broken.add(f"rule:{rule_id}")
        else:
            found.rules.append(rule)
            found.citing.append((path, raw, f"rule {rule_id!r}", rule.sources))


def _check_sources(loader: _Loader, known: set[str], found: _Found) -> None:
    for path, raw, what, cites in found.citing:
        for i, cite in enumerate(cites):
            if cite.source not in known:
                loader.error(
                    path,
                    _line_of(raw, ("sources", i, "source")),
                    "unknown-source",
                    f"{what} cites unknown source {cite.source!r}",
                )


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.yaml") if p.name != "index.yaml")


def _check_folders(loader: _Loader, root: Path) -> None:
    allowed = {
        root,
        root / "logic",
        root / "catalog",
        *(root / "catalog" / k for k in CATALOGUE_KINDS),
    }
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        index = folder / "index.yaml"
        if not index.is_file():
            loader.error(
                index, 1, "missing-index", f"folder {loader.rel(folder)!r} has no index.yaml"
            )
        elif folder != root:
            loader.model(index, FolderIndexFile, "folder index")
        inside_logic = folder.is_relative_to(root / "logic")
        if folder not in allowed and not inside_logic:
            loader.error(folder, 1, "unexpected-folder", "rule files go under logic/ or catalog/")
    for path in sorted(root.glob("*.yaml")):
        if path.name not in ("index.yaml", "sources.yaml"):
            loader.error(path, 1, "unexpected-file", "rule files go under logic/ or catalog/")


def _compile_rule(loader: _Loader, path: Path, raw: Any, spec: RuleFile) -> Rule | None:
    what = f"rule {spec.id!r}"
    try:
        condition = positive(parse(spec.when))
        alts = tuple(alternatives(condition))
    except ConditionError as exc:
        loader.error(path, _line_of(raw, exc.loc), exc.code, f"{what}: {exc.message}")
        return None
    ok = True
    asserts = spec.asserts
    kind: RuleKind = "gap" if asserts.gap else "escalation" if asserts.escalation else "strength"
    gap_kind = asserts.gap.kind if asserts.gap else None
    if gap_kind != "unknown":
        for test in _tests(condition):
            if UNKNOWN in test.values:
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "unknown-as-no",
                    f"{what}: the test of {test.path} admits 'unknown'; an unanswered indicator "
                    "may only lead to a gap of kind unknown (name the values, e.g. [no, partly])",
                )
                ok = False
                break
    if kind in ("gap", "escalation") and not spec.links.recommendations:
        loader.error(
            path,
            _line_of(raw, ("links",)),
            f"{kind}-without-recommendation",
            f"{what}: a {kind} rule must link at least one recommendation",
        )
        ok = False
    fires = {case.fires for case in spec.cases}
    if fires != {True, False}:
        loader.error(
            path,
            _line_of(raw, ("cases",)),
            "cases-incomplete",
            f"{what}: needs at least one case where it fires and one where it does not",
        )
        ok = False
    for i, case in enumerate(spec.cases):
        try:
            AssessmentRequest.model_validate(case.input)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            loader.error(
                path,
                _line_of(raw, ("cases", i, "input", *first["loc"])),
                "invalid-case",
                f"{what}: case {case.name!r}: {where}: {first['msg']}",
            )
            ok = False
    if not ok:
        return None
    return Rule(
        id=spec.id,
        title=spec.title,
        dimension=spec.dimension,
        kind=kind,
        condition=condition,
        alternatives=alts,
        severity=(asserts.gap or asserts.escalation).severity if kind != "strength" else None,  # type: ignore[union-attr]  # one of them is set for these kinds
        gap_kind=gap_kind,
        present=tuple(asserts.strength.success_factors) if asserts.strength else (),
        links=spec.links,
        sources=tuple(spec.sources),
        cases=tuple(spec.cases),
        file=loader.rel(path),
    )


def _tests(condition: Any) -> list[Test]:
    if isinstance(condition, Test):
        return [condition]
    if isinstance(condition, Ref):
        return []
    return [t for item in condition.items for t in _tests(item)]


def _check_references(loader: _Loader, found: _Found) -> None:
    kinds = {r.id: r.kind for r in found.rules}
    for rule in found.rules:
        path, raw = found.raws[rule.id]
        what = f"rule {rule.id!r}"
        for ref in sorted(rule.refs):
            ref_kind, ref_id = ref.split(":", 1)
            if kinds.get(ref_id) != ref_kind and f"rule:{ref_id}" not in found.broken:
                actual = kinds.get(ref_id)
                why = f"is a {actual} rule" if actual else "does not exist"
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "unknown-reference",
                    f"{what}: {ref_kind} {ref_id!r} {why}",
                )
        links = [
            ("obstacles", ("links", "obstacles"), rule.links.obstacles),
            ("success-factors", ("links", "success_factors"), rule.links.success_factors),
            ("recommendations", ("links", "recommendations"), rule.links.recommendations),
            ("success-factors", ("asserts", "strength", "success_factors"), list(rule.present)),
        ]
        for kind, loc, ids in links:
            for i, entry in enumerate(ids):
                if not found.known(kind, entry):
                    loader.error(
                        path,
                        _line_of(raw, (*loc, i)),
                        "unknown-reference",
                        f"{what}: links unknown {kind[:-1]} {entry!r}",
                    )
        _check_case_references(loader, rule, raw, found, kinds)


def _check_case_references(
    loader: _Loader, rule: Rule, raw: Any, found: _Found, kinds: Mapping[str, str]
) -> None:
    path = found.raws[rule.id][0]
    for i, case in enumerate(rule.cases):
        expected = [("gap", g) for g in case.gaps] + [
            ("recommendation", r)
            for r in [*case.recommendations, *filter(None, [case.top_recommendation])]
        ]
        for what_kind, entry in expected:
            if what_kind == "gap":
                known = kinds.get(entry) == "gap" or f"rule:{entry}" in found.broken
            else:
                known = found.known("recommendations", entry)
            if not known:
                loader.error(
                    path,
                    _line_of(raw, ("cases", i)),
                    "unknown-reference",
                    f"rule {rule.id!r}: case {case.name!r} expects unknown {what_kind} {entry!r}",
                )


def _check_cycles(loader: _Loader, rules: list[Rule], raws: dict[str, tuple[Path, Any]]) -> None:
    needs = {r.id: {ref.split(":", 1)[1] for ref in r.refs} for r in rules}
    state: dict[str, int] = {}

    def visit(rule_id: str, trail: list[str]) -> None:
        state[rule_id] = 1
        for dep in sorted(needs.get(rule_id, ())):
            if state.get(dep) == 1:
                cycle = [*trail[trail.index(dep) :], dep] if dep in trail else [rule_id, dep]
                path, raw = raws[rule_id]
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "derived-cycle",
                    f"rule {rule_id!r}: its condition depends on itself: {' -> '.join(cycle)}",
                )
            elif dep in needs and state.get(dep) is None:
                visit(dep, [*trail, dep])
        state[rule_id] = 2

    for rule_id in sorted(needs):
        if state.get(rule_id) is None:
            visit(rule_id, [rule_id])
