"""Loading a rules folder: its files, the checks across them, the digest, the `Ruleset`.

Each file is read by `engine.rulebase.reader` and each rule made by `engine.rulebase.rulecheck`;
what is checked here spans files: the folder layout, references between rules and catalogue
entries, the order of recommendations, cycles, citations and the coverage map.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from engine.errors import InvalidRulesetError, RoundFileError
from engine.indicators import INDICATORS, field_paths
from engine.rulebase.coverage import Citer, encoders_by_element
from engine.rulebase.reader import Reader, line_of
from engine.rulebase.rulecheck import RuleContext, compile_rule
from engine.rulebase.rulefile import (
    CatalogEntryFile,
    FolderIndexFile,
    ManifestFile,
    ObstacleFile,
    QuestionnaireFile,
    RecommendationFile,
    RuleFile,
    SourceDocument,
    SpellingFile,
    SuccessFactorFile,
)
from engine.rulebase.yamlfile import Located
from engine.ruleset import Rule, Ruleset
from engine.shipped import shipped_dir
from schemas.citation import Citation

__all__ = ["CATALOG_KINDS", "default_rules_dir", "load_ruleset", "ruleset_digest", "yaml_files"]

CATALOG_KINDS: dict[str, type[CatalogEntryFile]] = {
    "obstacles": ObstacleFile,
    "success-factors": SuccessFactorFile,
    "recommendations": RecommendationFile,
}


def default_rules_dir() -> Path:
    """Return the shipped rule base (`rules/`; see `engine.shipped` for where it lies)."""
    return shipped_dir("rules")


def yaml_files(root: Path) -> list[Path]:
    """Every YAML file under `root`, in path order.

    `.yaml`, and `.yml` or `.YAML`, which the loader refuses (`unexpected-file`) rather than
    skips, so that a change to one is noticed.
    """
    return sorted(
        p for p in root.rglob("*") if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
    )


def ruleset_digest(root: Path) -> str:
    """Return `sha256:<hex>` over the relative path and bytes of every YAML file under `root`.

    A set of `.yaml` files only has the digest it always had; a `.yml` file changes it, so a
    reload is tried and says why it fails.
    """
    digest = hashlib.sha256()
    for path in yaml_files(root):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return f"sha256:{digest.hexdigest()}"


def load_ruleset(
    root: Path | None = None,
    *,
    check_coverage: bool = True,
    questionnaire: Path | None = None,
) -> Ruleset:
    """Load, validate and cross-check the rules folder at `root` (default: the shipped one).

    With `check_coverage`, every element of every source must be encoded and each element's
    `encoded_by` list must be current; `rules coverage --write` loads without it to update them.
    `questionnaire` reads the question texts from another file than the folder's own: they
    change no outcome, so `rules diff` can load an older folder written before a question or a
    scale was added.

    Raises:
        InvalidRulesetError: Listing every error found, each as `file:line: code: message`.
    """
    root = (root or default_rules_dir()).resolve()
    loader = Reader(root)
    if not (root / "index.yaml").is_file():
        loader.error(root / "index.yaml", 1, "missing-index", "no manifest", check="manifest")
        raise InvalidRulesetError(loader.errors)
    manifest, _ = loader.model(root / "index.yaml", ManifestFile, "ruleset manifest")
    _check_folders(loader, root)
    found = _Found()
    sources = _load_sources(loader, root, found)
    _load_catalog(loader, root, found)
    context = RuleContext.of(loader, root / "index.yaml", manifest)
    _load_rules(loader, root, found, context)
    _check_sources(loader, sources, found)
    _check_references(loader, found)
    _check_order(loader, root, found)
    _check_cycles(loader, found.rules, found.raws)
    texts = _load_questionnaire(loader, questionnaire or root / "questionnaire.yaml")
    _check_round_file(loader, root, sources)
    if (root / "spelling.yaml").is_file():
        loader.model(root / "spelling.yaml", SpellingFile, "spelling list")
    if check_coverage and not loader.errors:
        _check_coverage(loader, sources, found)
    if loader.errors or manifest is None or texts is None:
        raise InvalidRulesetError(loader.errors)
    return Ruleset(
        name=manifest.name,
        version=manifest.version,
        digest=ruleset_digest(root),
        title=manifest.title,
        scoring=manifest.scoring,
        sources=MappingProxyType(sources),
        rules=tuple(found.rules),
        obstacles=MappingProxyType(found.catalog["obstacles"]),
        success_factors=MappingProxyType(found.catalog["success-factors"]),
        recommendations=MappingProxyType(found.catalog["recommendations"]),
        questionnaire=texts,
        families=MappingProxyType(context.family_of),
        scope=MappingProxyType(context.scope),
    )


class _Found:
    """What loading has found so far."""

    def __init__(self) -> None:
        self.catalog: dict[str, dict[str, Any]] = {kind: {} for kind in CATALOG_KINDS}
        self.rules: list[Rule] = []
        self.raws: dict[str, tuple[Path, Any]] = {}
        # Files that exist but failed validation: references to them are not reported again.
        self.broken: set[str] = set()
        self.citing: list[tuple[Path, Any, str, tuple[Citation, ...]]] = []
        # Citations that ground a severity or a sufficient middle answer: checked like sources,
        # not counted in the coverage maps. (file, raw, what, location in the file, citation)
        self.grounding: list[tuple[Path, Any, str, tuple[str | int, ...], Citation]] = []
        self.source_raws: dict[str, tuple[Path, Any]] = {}

    def citer_keys(self) -> list[tuple[str, tuple[Citation, ...]]]:
        """Return `(kind:id, citations)` of everything that cites, for the coverage map."""
        return [(key, cites) for _path, _raw, key, cites in self.citing]

    def known(self, kind: str, entry: str) -> bool:
        return entry in self.catalog[kind] or f"{kind}:{entry}" in self.broken


def _load_sources(loader: Reader, root: Path, found: _Found) -> dict[str, SourceDocument]:
    sources: dict[str, SourceDocument] = {}
    folder = root / "sources"
    for path in _entry_files(folder):
        source_id = path.relative_to(folder).with_suffix("").as_posix()
        document, raw = loader.model(path, SourceDocument, f"source {source_id!r}")
        if document is None:
            found.broken.add(f"source:{source_id}")
        else:
            sources[source_id] = document
            found.source_raws[source_id] = (path, raw)
    if not sources and not loader.errors:
        loader.error(folder / "index.yaml", 1, "missing-sources", "no source documents")
    return sources


def _load_questionnaire(loader: Reader, path: Path) -> QuestionnaireFile | None:
    if not path.is_file():
        loader.error(path, 1, "missing-questionnaire", "no questionnaire.yaml")
        return None
    questionnaire, raw = loader.model(path, QuestionnaireFile, "questionnaire")
    if questionnaire is None:
        return None
    leaves, groups = field_paths()
    ok = True
    for kind, expected, given in (
        ("questions", leaves, questionnaire.questions),
        ("groups", groups, questionnaire.groups),
    ):
        for missing in [p for p in expected if p not in given]:
            loader.error(
                path,
                line_of(raw, (kind,)),
                "missing-question",
                f"{kind}: no {missing!r}",
                field=(kind,),
            )
            ok = False
        for extra in [p for p in given if p not in expected]:
            loader.error(
                path,
                line_of(raw, (kind, extra)),
                "unknown-question",
                f"{kind}: no field {extra!r}",
                field=(kind, extra),
            )
            ok = False
    for indicator in INDICATORS:
        labels = questionnaire.scales.get(indicator.scale.name, {})
        absent = [v for v in indicator.scale.values if v not in labels]
        if absent:
            loader.error(
                path,
                line_of(raw, ("scales",)),
                "missing-label",
                f"scale {indicator.scale.name!r} has no label for {absent}",
            )
            ok = False
    return questionnaire if ok else None


def _check_coverage(loader: Reader, sources: dict[str, SourceDocument], found: _Found) -> None:
    citers = [Citer(key, cites) for key, cites in found.citer_keys()]
    for source_id, encoders in encoders_by_element(sources, citers).items():
        path, raw = found.source_raws[source_id]
        for i, (element, keys) in enumerate(
            zip(sources[source_id].elements, encoders, strict=True)
        ):
            if not keys:
                loader.error(
                    path,
                    line_of(raw, ("elements", i)),
                    "element-not-encoded",
                    f"source {source_id!r}: nothing cites {element.locator!r}",
                )
            elif sorted(element.encoded_by) != keys:
                loader.error(
                    path,
                    line_of(raw, ("elements", i, "encoded_by")),
                    "coverage-stale",
                    f"source {source_id!r}: encoded_by of {element.locator!r} should be {keys}; "
                    "run `readiness rules coverage --write`",
                )


def _load_catalog(loader: Reader, root: Path, found: _Found) -> None:
    for kind, model in CATALOG_KINDS.items():
        folder = root / "catalog" / kind
        for path in _entry_files(folder):
            entry_id = path.relative_to(folder).with_suffix("").as_posix()
            entry, raw = loader.model(path, model, f"{kind[:-1]} {entry_id!r}")
            if entry is None:
                found.broken.add(f"{kind}:{entry_id}")
            else:
                found.catalog[kind][entry_id] = entry
                found.citing.append((path, raw, f"{kind[:-1]}:{entry_id}", tuple(entry.sources)))


def _load_rules(loader: Reader, root: Path, found: _Found, context: RuleContext) -> None:
    logic = root / "logic"
    for path in _entry_files(logic):
        rule_id = path.relative_to(logic).with_suffix("").as_posix()
        spec, raw = loader.model(path, RuleFile, f"rule {rule_id!r}")
        rule = None
        if spec is not None and spec.id != rule_id:
            loader.error(
                path,
                line_of(raw, ("id",)),
                "id-path-mismatch",
                f"rule id {spec.id!r} must equal its path under rules/logic/: {rule_id!r}",
            )
        elif spec is not None:
            found.raws[rule_id] = (path, raw)
            rule = compile_rule(loader, path, raw, spec, context)
            if spec.asserts.gap or spec.asserts.escalation:
                _ground(found, path, raw, spec)
        if rule is None:
            found.broken.add(f"rule:{rule_id}")
        else:
            found.rules.append(rule)
            found.citing.append((path, raw, f"rule:{rule_id}", rule.sources))


def _ground(found: _Found, path: Path, raw: Any, spec: RuleFile) -> None:
    """Keep the citations that ground a rule's severities and sufficient middle answers."""
    declared = spec.asserts.gap or spec.asserts.escalation
    assert declared is not None  # noqa: S101 - the caller checked
    key = "gap" if spec.asserts.gap else "escalation"
    what = f"rule {spec.id!r}"
    bases = [(("asserts", key, "basis"), declared.basis)] + [
        (("asserts", key, "in_context", i, "basis"), c.basis)
        for i, c in enumerate(declared.in_context)
    ]
    for loc, basis in bases:
        if basis.source is not None and basis.locator is not None:
            found.grounding.append(
                (path, raw, what, loc, Citation(source=basis.source, locator=basis.locator))
            )
    for indicator, middle in spec.middle_sufficient.items():
        cite = Citation(source=middle.source, locator=middle.locator)
        found.grounding.append((path, raw, what, ("middle_sufficient", indicator), cite))


def _check_sources(loader: Reader, sources: dict[str, SourceDocument], found: _Found) -> None:
    locators = {sid: {e.locator for e in doc.elements} for sid, doc in sources.items()}
    checks = [
        (path, raw, f"{key.split(':', 1)[0]} {key.split(':', 1)[1]!r}", ("sources", i), cite)
        for path, raw, key, cites in found.citing
        for i, cite in enumerate(cites)
    ]
    for path, raw, what, loc, cite in [*checks, *found.grounding]:
        if cite.source not in locators:
            if f"source:{cite.source}" in found.broken:
                continue
            loader.error(
                path,
                line_of(raw, (*loc, "source")),
                "unknown-source",
                f"{what} cites unknown source {cite.source!r}",
            )
        elif cite.locator not in locators[cite.source]:
            close = difflib.get_close_matches(cite.locator, locators[cite.source], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            loader.error(
                path,
                line_of(raw, (*loc, "locator")),
                "unknown-locator",
                f"{what} cites {cite.locator!r}, which rules/sources/{cite.source}.yaml does "
                f"not list{hint}",
            )


def _entry_files(folder: Path) -> list[Path]:
    """The rule, entry or source files under `folder`: its `.yaml` files but the folder indexes."""
    return sorted(p for p in folder.rglob("*.yaml") if p.name != "index.yaml")


def _check_folders(loader: Reader, root: Path) -> None:
    allowed = {
        root,
        root / "logic",
        root / "catalog",
        root / "sources",
        root / "schemas",
        *(root / "catalog" / k for k in CATALOG_KINDS),
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
            message = "rule files go under logic/, catalog/ or sources/"
            loader.error(folder, 1, "unexpected-folder", message)
    for path in sorted(root.glob("*.yaml")):
        if path.name not in ("index.yaml", "questionnaire.yaml", "rounds.yaml", "spelling.yaml"):
            message = "rule files go under logic/, catalog/ or sources/"
            loader.error(path, 1, "unexpected-file", message)
    # Only `*.yaml` is read: a rule, entry, source or index saved as `.yml` (or `.YAML`) would
    # be left out without a word.
    for path in yaml_files(root):
        if path.suffix != ".yaml":
            # The message ends with the fix (`rules lint`'s hint), so `rules check` says it too.
            message = (
                "only .yaml files are read, so this one is ignored; rename the file to end in .yaml"
            )
            loader.error(path, 1, "unexpected-file", message, check="extension")


def _check_round_file(loader: Reader, root: Path, sources: Mapping[str, Any]) -> None:
    """Validate `rounds.yaml` when the folder has one (rounds are optional for a rule base)."""
    path = root / "rounds.yaml"
    if not path.is_file():
        return
    from engine.rounds.spec import load_round_spec  # the round file reads the indicators only

    try:
        spec = load_round_spec(root)
    except RoundFileError as exc:
        loader.error(path, 1, "invalid-round-file", exc.message)
        return
    for rule in {id(r): r for r in spec.combining.values()}.values():
        for citation in rule.sources:
            if citation.source not in sources:
                message = f"combining cites {citation.source!r}, which is no source document"
                loader.error(path, 1, "unknown-source", message)


def _check_references(loader: Reader, found: _Found) -> None:
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
                    line_of(raw, ("when",)),
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
                        line_of(raw, (*loc, i)),
                        "unknown-reference",
                        f"{what}: links unknown {kind[:-1]} {entry!r}",
                    )
        _check_case_references(loader, rule, raw, found, kinds)


def _check_case_references(
    loader: Reader, rule: Rule, raw: Any, found: _Found, kinds: Mapping[str, str]
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
                    line_of(raw, ("cases", i)),
                    "unknown-reference",
                    f"rule {rule.id!r}: case {case.name!r} expects unknown {what_kind} {entry!r}",
                )


def _check_order(loader: Reader, root: Path, found: _Found) -> None:
    """Every `after` of a recommendation names one, and the order they make has no cycle."""
    recommendations: Mapping[str, RecommendationFile] = found.catalog["recommendations"]
    folder = root / "catalog" / "recommendations"
    for rid, entry in recommendations.items():
        for i, before in enumerate(entry.after):
            if not found.known("recommendations", before) or before == rid:
                raw = Located(folder / f"{rid}.yaml")
                loader.error(
                    folder / f"{rid}.yaml",
                    line_of(raw, ("after", i)),
                    "unknown-reference",
                    f"recommendation {rid!r}: after names {before!r}, which is no other "
                    "recommendation",
                    field=("after", i),
                    check="after",
                )
    graph = {rid: entry.after for rid, entry in recommendations.items()}
    for rid, cycle in _cycles(graph):
        path = folder / f"{rid}.yaml"
        loader.error(
            path,
            line_of(Located(path), ("after",)),
            "order-cycle",
            f"recommendation {rid!r}: after makes a cycle: {' -> '.join(cycle)}",
        )


def _cycles(graph: Mapping[str, Iterable[str]]) -> list[tuple[str, list[str]]]:
    """Each cycle in `graph` (node -> what it needs), with the node the walk found it at."""
    found: list[tuple[str, list[str]]] = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                found.append(
                    (node, [*trail[trail.index(dep) :], dep] if dep in trail else [node, dep])
                )
            elif dep in graph and state.get(dep) is None:
                visit(dep, [*trail, dep])
        state[node] = 2

    for node in sorted(graph):
        if state.get(node) is None:
            visit(node, [node])
    return found


def _check_cycles(loader: Reader, rules: list[Rule], raws: dict[str, tuple[Path, Any]]) -> None:
    needs = {r.id: {ref.split(":", 1)[1] for ref in r.refs} for r in rules}
    for rule_id, cycle in _cycles(needs):
        path, raw = raws[rule_id]
        loader.error(
            path,
            line_of(raw, ("when",)),
            "derived-cycle",
            f"rule {rule_id!r}: its condition depends on itself: {' -> '.join(cycle)}",
        )
