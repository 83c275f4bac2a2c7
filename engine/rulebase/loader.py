"""Loading a rules folder: YAML with line numbers, validation, cross-references, digest."""

from __future__ import annotations

import difflib
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError

from engine.conditions import Condition, FactAnd, Test, alternatives, parse, positive, tests_in
from engine.errors import ConditionError, InvalidRulesetError, RoundFileError, RuleFileError
from engine.indicators import INDICATORS, field_paths
from engine.rulebase.coverage import Citer, encoders_by_element
from engine.rulebase.rulefile import (
    CatalogEntryFile,
    FolderIndexFile,
    ManifestFile,
    ObstacleFile,
    QuestionnaireFile,
    RecommendationFile,
    RuleFile,
    SeverityGrade,
    SourceDocument,
    SpellingFile,
    SuccessFactorFile,
)
from engine.rulebase.yamlfile import Located, Position, fast_load
from engine.ruleset import ContextSeverity, Rule, RuleKind, Ruleset, SeverityByValue
from engine.shipped import shipped_dir
from schemas.assessment import AssessmentRequest
from schemas.citation import Citation
from schemas.codes import RuleFileCode
from schemas.scales import AGREEMENT, UNKNOWN
from schemas.vocabulary import SEVERITIES, Severity

__all__ = ["FieldError", "default_rules_dir", "load_ruleset", "ruleset_digest"]

_M = TypeVar("_M", bound=BaseModel)

CATALOG_KINDS: dict[str, type[CatalogEntryFile]] = {
    "obstacles": ObstacleFile,
    "success-factors": SuccessFactorFile,
    "recommendations": RecommendationFile,
}

DIFFER = "differ"
"""The answer on the agreement scale that a disagreement gap reacts to, and the only one."""

_PYDANTIC_CODES: dict[str, RuleFileCode] = {
    "missing": "missing-field",
    "extra_forbidden": "unknown-field",
    "too_short": "too-short",
    "too_long": "too-long",
    "string_too_short": "too-short",
    "string_too_long": "too-long",
}


@dataclass(frozen=True, slots=True)
class FieldError(RuleFileError):
    """A `RuleFileError` that also says where in the file and by which check it was found.

    `rules lint` picks its hint by them: a code such as `missing-field` is reported for any
    field, and the fix for a missing translation is not the fix for a missing `basis`.

    Attributes:
        field: The path of the offending node inside the file, e.g. `("cases", 0, "name")`;
            empty when the error is about the file as a whole.
        check: What found it: pydantic's error type for a validation error (`string_too_short`,
            `value_error`), or the loader's name for a check that shares its code with others
            (`encoding`, `extension`, `manifest`, `family-twice`, ...); empty otherwise.
    """

    field: tuple[str | int, ...] = ()
    check: str = ""


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


def _line_of(located: Located, loc: Iterable[str | int]) -> Position:
    return located.line(loc)


class _Parsed:
    """Rule files already parsed and validated, by their model and the digest of their text.

    A file's model is a function of its text alone, and the models are frozen, so a file whose
    text was read before is not parsed again: a reload after one file changed parses that file,
    and a copy of a folder (`rules diff`, a test's folder) costs the reading of its files. Only
    valid files are kept; at most `ENTRIES` (the shipped folder is some 370 files and 6 MB of
    models), the least recently used dropped first.
    """

    ENTRIES = 1024

    def __init__(self) -> None:
        self._models: OrderedDict[tuple[type[BaseModel], bytes], BaseModel] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(model: type[BaseModel], text: str) -> tuple[type[BaseModel], bytes]:
        """What a file is kept by: its model and the digest of its text."""
        return model, hashlib.sha256(text.encode()).digest()

    def get(self, key: tuple[type[BaseModel], bytes]) -> BaseModel | None:
        with self._lock:
            found = self._models.get(key)
            if found is not None:
                self._models.move_to_end(key)
        return found

    def put(self, key: tuple[type[BaseModel], bytes], parsed: BaseModel) -> None:
        with self._lock:
            self._models[key] = parsed
            while len(self._models) > self.ENTRIES:
                self._models.popitem(last=False)


_PARSED = _Parsed()


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

    def error(
        self,
        path: Path,
        line: int,
        code: RuleFileCode,
        message: str,
        *,
        field: tuple[str | int, ...] = (),
        check: str = "",
    ) -> None:
        """Record an error at `line` (a `Position` carries its column) of `path`.

        `field` and `check` say what the error is about where its code alone does not (see
        `FieldError`); `rules lint` fits its hint to them.
        """
        column = getattr(line, "column", 1)
        rel = self.rel(path)
        self.errors.append(FieldError(rel, int(line), code, message, column, field, check))

    def text(self, path: Path) -> str | None:
        """The file's text, or None (reported) when it is not UTF-8."""
        try:
            return path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            self.error(path, 1, "yaml-syntax", f"not UTF-8: {exc.reason}", check="encoding")
            return None

    def read(self, path: Path, text: str) -> Any:
        """Parse the text of `path`; None (reported) on a syntax error."""
        try:
            return fast_load(text)
        except yaml.YAMLError:
            pass  # parsed again below for the round-trip parser's precise message
        try:
            return self._yaml.load(text)
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark is not None else 1
            problem = exc.problem or exc.context or "invalid YAML"
            self.error(path, line, "yaml-syntax", problem)
        return None

    def model(self, path: Path, model: type[_M], what: str) -> tuple[_M | None, Located]:
        raw = Located(path)
        text = self.text(path)
        if text is None:
            return None, raw
        key = _PARSED.key(model, text)
        known = _PARSED.get(key)
        if known is not None:
            return known, raw  # type: ignore[return-value]  # kept under its own model
        data = self.read(path, text)
        if data is None:
            if not any(e.file == self.rel(path) for e in self.errors):
                self.error(path, 1, "empty-file", f"{what}: the file is empty")
            return None, raw
        try:
            parsed = model.model_validate(data)
        except ValidationError as exc:
            reported: set[tuple[tuple[str | int, ...], str]] = set()
            for err in exc.errors():
                # A union reports once per member, labelled like `literal[...]`: one is enough.
                loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
                code = _PYDANTIC_CODES.get(err["type"], "invalid-value")
                if (loc, code) in reported:
                    continue
                reported.add((loc, code))
                where = ".".join(str(p) for p in loc) or "(file)"
                message = f"{what}: {where}: {err['msg']}"
                self.error(path, _line_of(raw, loc), code, message, field=loc, check=err["type"])
            return None, raw
        _PARSED.put(key, parsed)
        return parsed, raw


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
    loader = _Loader(root)
    if not (root / "index.yaml").is_file():
        loader.error(root / "index.yaml", 1, "missing-index", "no manifest", check="manifest")
        raise InvalidRulesetError(loader.errors)
    manifest, _ = loader.model(root / "index.yaml", ManifestFile, "ruleset manifest")
    _check_folders(loader, root)
    found = _Found()
    sources = _load_sources(loader, root, found)
    _load_catalog(loader, root, found)
    context = _RuleContext.of(loader, root / "index.yaml", manifest)
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


def _load_sources(loader: _Loader, root: Path, found: _Found) -> dict[str, SourceDocument]:
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


def _load_questionnaire(loader: _Loader, path: Path) -> QuestionnaireFile | None:
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
                _line_of(raw, (kind,)),
                "missing-question",
                f"{kind}: no {missing!r}",
                field=(kind,),
            )
            ok = False
        for extra in [p for p in given if p not in expected]:
            loader.error(
                path,
                _line_of(raw, (kind, extra)),
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
                _line_of(raw, ("scales",)),
                "missing-label",
                f"scale {indicator.scale.name!r} has no label for {absent}",
            )
            ok = False
    return questionnaire if ok else None


def _check_coverage(loader: _Loader, sources: dict[str, SourceDocument], found: _Found) -> None:
    citers = [Citer(key, cites) for key, cites in found.citer_keys()]
    for source_id, encoders in encoders_by_element(sources, citers).items():
        path, raw = found.source_raws[source_id]
        for i, (element, keys) in enumerate(
            zip(sources[source_id].elements, encoders, strict=True)
        ):
            if not keys:
                loader.error(
                    path,
                    _line_of(raw, ("elements", i)),
                    "element-not-encoded",
                    f"source {source_id!r}: nothing cites {element.locator!r}",
                )
            elif sorted(element.encoded_by) != keys:
                loader.error(
                    path,
                    _line_of(raw, ("elements", i, "encoded_by")),
                    "coverage-stale",
                    f"source {source_id!r}: encoded_by of {element.locator!r} should be {keys}; "
                    "run `readiness rules coverage --write`",
                )


def _load_catalog(loader: _Loader, root: Path, found: _Found) -> None:
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


class _RuleContext:
    """What rules are checked against from the manifest: indicator families and scopes."""

    def __init__(
        self, family_of: dict[str, str], scope: dict[str, tuple[str, frozenset[str]]]
    ) -> None:
        self.family_of = family_of
        self.scope = scope

    @classmethod
    def of(cls, loader: _Loader, path: Path, manifest: ManifestFile | None) -> _RuleContext:
        """Check the manifest's families and scopes, and keep the valid ones."""
        family_of: dict[str, str] = {}
        scope: dict[str, tuple[str, frozenset[str]]] = {}
        if manifest is None:
            return cls(family_of, scope)
        raw = Located(path)
        for family, paths in manifest.families.items():
            for i, indicator in enumerate(paths):
                # The line only when there is an error: finding it parses the file again.
                at: tuple[str | int, ...] = ("families", family, i)
                if INDICATORS.get(indicator) is None:
                    hint = _indicator_hint(indicator, "list", "a family can hold")
                    message = f"families: no {indicator!r}{hint}"
                    loader.error(path, _line_of(raw, at), "unknown-indicator", message, field=at)
                elif indicator in family_of:
                    message = f"families: {indicator!r} is in {family_of[indicator]!r} already"
                    loader.error(
                        path,
                        _line_of(raw, at),
                        "invalid-value",
                        message,
                        field=at,
                        check="family-twice",
                    )
                else:
                    family_of[indicator] = family
        for indicator, applies in manifest.scope.items():
            at = ("scope", indicator)
            found = INDICATORS.get(indicator)
            if found is None or not found.scale.scored or len(applies) != 1:
                message = f"scope: {indicator!r} must be a scored indicator with one context test"
                loader.error(path, _line_of(raw, at), "invalid-value", message, check="scope")
                continue
            ((on, values),) = applies.items()
            context = INDICATORS.get(on)
            if context is None or context.scale.scored:
                message = f"scope of {indicator!r}: {on!r} is not a categorical indicator"
                loader.error(path, _line_of(raw, at), "invalid-value", message, check="scope")
            elif not values or not set(values) <= set(context.scale.values):
                message = f"scope of {indicator!r}: values must be on the {on} scale"
                loader.error(path, _line_of(raw, at), "value-not-in-scale", message)
            else:
                scope[indicator] = (on, frozenset(values))
        return cls(family_of, scope)


def _load_rules(loader: _Loader, root: Path, found: _Found, context: _RuleContext) -> None:
    logic = root / "logic"
    for path in _entry_files(logic):
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
            rule = _compile_rule(loader, path, raw, spec, context)
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


def _check_sources(loader: _Loader, sources: dict[str, SourceDocument], found: _Found) -> None:
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
                _line_of(raw, (*loc, "source")),
                "unknown-source",
                f"{what} cites unknown source {cite.source!r}",
            )
        elif cite.locator not in locators[cite.source]:
            close = difflib.get_close_matches(cite.locator, locators[cite.source], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            loader.error(
                path,
                _line_of(raw, (*loc, "locator")),
                "unknown-locator",
                f"{what} cites {cite.locator!r}, which rules/sources/{cite.source}.yaml does "
                f"not list{hint}",
            )


def _entry_files(folder: Path) -> list[Path]:
    """The rule, entry or source files under `folder`: its `.yaml` files but the folder indexes."""
    return sorted(p for p in folder.rglob("*.yaml") if p.name != "index.yaml")


def _check_folders(loader: _Loader, root: Path) -> None:
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


def _check_round_file(loader: _Loader, root: Path, sources: Mapping[str, Any]) -> None:
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


def _compile_rule(
    loader: _Loader, path: Path, raw: Any, spec: RuleFile, context: _RuleContext
) -> Rule | None:
    what = f"rule {spec.id!r}"
    try:
        condition = positive(parse(spec.when))
        alts = tuple(alternatives(condition))
    except ConditionError as exc:
        _condition_error(loader, path, raw, what, exc)
        return None
    ok = True
    asserts = spec.asserts
    kind: RuleKind = "gap" if asserts.gap else "escalation" if asserts.escalation else "strength"
    gap_kind = asserts.gap.kind if asserts.gap else None
    if gap_kind != "unknown":
        for test in tests_in(condition):
            # A context (model, kind, country, size) may apply when it is not given; an answer,
            # or a comparison of the answers of a round, may not.
            scored = INDICATORS.get(test.path).scale.scored  # type: ignore[union-attr]
            if UNKNOWN in test.values and (scored or _compares(test.path)):
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "unknown-as-no",
                    f"{what}: the test of {test.path} admits 'unknown'; "
                    + (
                        "a matter fewer than two roles answered is no disagreement (test "
                        f"{DIFFER!r} only)"
                        if _compares(test.path)
                        else "an unanswered indicator may only lead to a gap of kind unknown "
                        "(name the values, e.g. [no, partly])"
                    ),
                )
                ok = False
                break
        else:
            ok = _check_agreement(loader, path, raw, spec, condition, alts) and ok
    if kind in ("gap", "escalation") and not spec.links.recommendations:
        loader.error(
            path,
            _line_of(raw, ("links",)),
            "gap-without-recommendation" if kind == "gap" else "escalation-without-recommendation",
            f"{what}: a {kind} rule must link at least one recommendation",
        )
        ok = False
    if kind == "gap" and gap_kind != "unknown":
        ok = _check_middle(loader, path, raw, spec, condition) and ok
    elif spec.middle_sufficient:
        message = (
            f"{what}: middle_sufficient is for gap rules of kind missing, at_risk or disagreement"
        )
        loader.error(
            path,
            _line_of(raw, ("middle_sufficient",)),
            "invalid-value",
            message,
            field=("middle_sufficient",),
            check="middle-not-gap",
        )
        ok = False
    if kind == "gap" and gap_kind != "unknown":
        ok = _check_scope(loader, path, raw, spec, alts, context) and ok
    ok = _check_cases(loader, path, raw, spec) and ok
    severity, by_value, contexts, fine = _severities(loader, path, raw, spec, condition)
    if not ok or not fine:
        return None
    declared = asserts.gap or asserts.escalation
    # The one thing a gap is about: the family of what it tests, when that is one family (a
    # gap over several things, such as "the first eight steps are unknown", belongs to none). A
    # disagreement is a thing of its own: that the roles see a matter differently is not the
    # matter, so the action that brings them together is never folded into the matter's.
    tested = {
        context.family_of.get(test.path, test.path)
        for test in tests_in(condition)
        if INDICATORS.get(test.path).scale.scored  # type: ignore[union-attr]  # parsed paths exist
    }
    families = frozenset(tested) if len(tested) == 1 and gap_kind != "disagreement" else frozenset()
    return Rule(
        id=spec.id,
        title=spec.title,
        dimension=spec.dimension,
        kind=kind,
        condition=condition,
        alternatives=alts,
        severity=severity,
        severity_by_value=by_value,
        gap_kind=gap_kind,
        present=tuple(asserts.strength.success_factors) if asserts.strength else (),
        links=spec.links,
        sources=tuple(spec.sources),
        cases=tuple(spec.cases),
        file=loader.rel(path),
        basis=declared.basis if declared else None,
        contexts=contexts,
        middle_sufficient=MappingProxyType(dict(spec.middle_sufficient)),
        families=families,
    )


def _condition_error(
    loader: _Loader, path: Path, raw: Located, what: str, exc: ConditionError
) -> None:
    """Report a condition that does not parse; an unknown indicator with the closest ones."""
    message = f"{what}: {exc.message}"
    if exc.code == "unknown-indicator" and exc.loc:
        message += _indicator_hint(str(exc.loc[-1]))  # the key of the entry: the path
    loader.error(path, _line_of(raw, exc.loc), exc.code, message, field=exc.loc)


def _indicator_hint(path: str, verb: str = "test", user: str = "a rule can test") -> str:
    """What to add to a message that `path` is no indicator: the closest paths, and where to look.

    Like an unknown locator's message, it names where the valid ones are listed: every indicator
    is a field under `questions` in rules/questionnaire.yaml (which also lists the sections and
    groups under `groups`, and a few descriptive fields, such as names and ids, no rule tests).
    """
    listed = "rules/questionnaire.yaml lists the indicators under questions"
    paths = [i.path for i in INDICATORS]
    leaves, groups = field_paths()
    if path in groups:
        inside = [p for p in paths if p.startswith(f"{path}.")]
        shown = ", ".join(repr(p) for p in inside[:_SHOWN]) + (", ..." if inside[_SHOWN:] else "")
        return f"; {path!r} is a group of questions: {verb} one of its indicators ({shown})"
    if path in leaves:
        return f"; {path!r} is a descriptive field, not an answer {user}; {listed}"
    # The closest, and any nearly as close (a typo in `tactical` also resembles `strategic`).
    close = difflib.get_close_matches(path, paths, n=_SHOWN)
    ratios = [difflib.SequenceMatcher(None, path, c).ratio() for c in close]
    near = [c for c, r in zip(close, ratios, strict=True) if r >= ratios[0] - _NEARLY]
    if not near:
        return f"; {listed}"
    return f"; did you mean {' or '.join(repr(c) for c in near)}? {listed}"


_SHOWN = 5
"""At most this many indicators named in a message that suggests some."""
_NEARLY = 0.05
"""How much less alike than the closest match another may be and still be suggested."""


def _compares(indicator: str) -> bool:
    """Whether `indicator` compares the answers of a round's roles (the agreement scale)."""
    return INDICATORS.get(indicator).scale == AGREEMENT  # type: ignore[union-attr]


def _check_agreement(
    loader: _Loader,
    path: Path,
    raw: Any,
    spec: RuleFile,
    condition: Condition,
    alts: tuple[Any, ...],
) -> bool:
    """A disagreement gap tests a matter the roles see differently; no other gap does.

    A gap or escalation reacts to `differ` alone: `agree` would add it when the roles come to see
    a matter alike (`non-monotone`; `unknown` is refused before this). A gap of kind
    `disagreement` tests some agreement field at `differ` in every alternative of its condition,
    and a gap of kind missing or at_risk tests none (`disagreement-kind`).
    """
    what = f"rule {spec.id!r}"
    compared = [t for t in tests_in(condition) if _compares(t.path)]
    if spec.asserts.strength is not None:
        return True  # seeing roles agree may be a strength
    for test in compared:
        if test.values != {DIFFER}:
            loader.error(
                path,
                _line_of(raw, ("when",)),
                "non-monotone",
                f"{what}: the test of {test.path} admits {sorted(test.values - {DIFFER})}; a gap "
                f"or escalation reacts to {DIFFER!r} only, so that coming to see a matter alike "
                "never adds one",
            )
            return False
    gap = spec.asserts.gap
    if gap is None:
        return True  # an escalation may combine a disagreement with other findings
    if gap.kind != "disagreement" and compared:
        loader.error(
            path,
            _line_of(raw, ("asserts", "gap")),
            "disagreement-kind",
            f"{what}: it tests {compared[0].path}, which compares the roles of a round; a gap "
            "that reacts to differing pictures is of kind disagreement",
        )
        return False
    if gap.kind == "disagreement":
        for alt in alts:
            required: dict[str, frozenset[str]] = {}
            _collect_all(alt, required)
            if not any(_compares(p) and v == {DIFFER} for p, v in required.items()):
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "disagreement-kind",
                    f"{what}: a gap of kind disagreement must test an agreement field at "
                    f"{DIFFER!r} whenever it fires; this condition can fire without one",
                )
                return False
    return True


def _collect_all(alt: Any, required: dict[str, frozenset[str]]) -> None:
    """The indicator tests every match of an alternative meets, by indicator."""
    mentioned: set[str] = set()
    for matcher in alt.matchers:
        _collect(matcher.fact, matcher.tests, required, mentioned, conjunct=True)


def _check_cases(loader: _Loader, path: Path, raw: Any, spec: RuleFile) -> bool:
    """A rule's cases show it firing and silent, and each input is a valid assessment."""
    what = f"rule {spec.id!r}"
    ok = True
    if {case.fires for case in spec.cases} != {True, False}:
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
    return ok


def _graded(test: Test) -> tuple[str, str] | None:
    """The worst and middle answers of a tested indicator on a three-step scale, else None."""
    scale = INDICATORS.get(test.path).scale  # type: ignore[union-attr]  # parsed paths exist
    if len(scale.worth) != 3:
        return None
    ordered = sorted(scale.worth, key=lambda pair: pair[1])
    return ordered[0][0], ordered[1][0]


def _check_middle(
    loader: _Loader, path: Path, raw: Any, spec: RuleFile, condition: Condition
) -> bool:
    """A gap rule that reacts to the worst answer reacts to the middle one, or says why not."""
    what = f"rule {spec.id!r}"
    ok = True
    ignoring: set[str] = set()
    for test in tests_in(condition):
        graded = _graded(test)
        if graded is None:
            continue
        worst, middle = graded
        if worst in test.values and middle not in test.values:
            ignoring.add(test.path)
    for indicator in sorted(ignoring - set(spec.middle_sufficient)):
        loader.error(
            path,
            _line_of(raw, ("when",)),
            "middle-ignored",
            f"{what}: the test of {indicator} admits its worst answer but not the middle one; "
            "react to the middle answer with a graded severity, or say under middle_sufficient "
            "which cited passage makes a partial answer enough",
        )
        ok = False
    for indicator in sorted(set(spec.middle_sufficient) - ignoring):
        loader.error(
            path,
            _line_of(raw, ("middle_sufficient", indicator)),
            "invalid-value",
            f"{what}: middle_sufficient names {indicator!r}, which the rule does not test at its "
            "worst answer alone",
            field=("middle_sufficient", indicator),
            check="middle-not-worst",
        )
        ok = False
    return ok


def _check_scope(
    loader: _Loader,
    path: Path,
    raw: Any,
    spec: RuleFile,
    alts: tuple[Any, ...],
    context: _RuleContext,
) -> bool:
    """A gap rule that tests a scoped indicator tests its scope too, in every alternative."""
    for alt in alts:
        required: dict[str, frozenset[str]] = {}  # tests every match of the alternative meets
        mentioned: set[str] = set()
        for matcher in alt.matchers:
            _collect(matcher.fact, matcher.tests, required, mentioned, conjunct=True)
        for indicator in sorted(mentioned):
            if indicator not in context.scope:
                continue
            on, applies = context.scope[indicator]
            if not (on in required and required[on] <= applies):
                loader.error(
                    path,
                    _line_of(raw, ("when",)),
                    "out-of-scope",
                    f"rule {spec.id!r}: {indicator} applies only where {on} is one of "
                    f"{sorted(applies)}; test that too (see scope in rules/index.yaml)",
                )
                return False
    return True


def _collect(
    fact: str,
    exprs: Iterable[Any],
    required: dict[str, frozenset[str]],
    mentioned: set[str],
    *,
    conjunct: bool,
) -> None:
    """Gather the indicator tests under `exprs`: all of them, and those every match meets."""
    for expr in exprs:
        if isinstance(expr, Test):
            mentioned.add(expr.path)
            if conjunct:
                required[expr.path] = expr.values
        else:
            is_and = isinstance(expr, FactAnd)
            _collect(fact, expr.parts, required, mentioned, conjunct=conjunct and is_and)


def _severities(
    loader: _Loader, path: Path, raw: Located, spec: RuleFile, condition: Condition
) -> tuple[Severity | None, SeverityByValue | None, tuple[ContextSeverity, ...], bool]:
    """Resolve a rule's severities, its own and per context; check that gaps are monotone."""
    what = f"rule {spec.id!r}"
    declared = spec.asserts.gap or spec.asserts.escalation
    if declared is None:
        return None, None, (), True
    key = "gap" if spec.asserts.gap else "escalation"
    unknown_kind = spec.asserts.gap is not None and spec.asserts.gap.kind == "unknown"
    tests = tests_in(condition)
    if not unknown_kind:
        # A better answer must never add a gap: each test must include every worse answer.
        for test in tests:
            scale = INDICATORS.get(test.path).scale  # type: ignore[union-attr]  # parsed paths exist
            for value in test.values:
                worth = scale.worth_of(value)
                worse = {v for v, w in scale.worth if worth is not None and w < worth}
                if not worse <= test.values:
                    loader.error(
                        path,
                        _line_of(raw, ("when",)),
                        "non-monotone",
                        f"{what}: the test of {test.path} admits {value!r} but not the worse "
                        f"{sorted(worse - test.values)}; a better answer would add the gap. Test "
                        "every worse answer too, and give the severity per answer if it differs",
                    )
                    return None, None, (), False
    own = _grade(loader, path, raw, what, declared.severity, tests, ("asserts", key, "severity"))
    if own is None:
        return None, None, (), False
    contexts = []
    for i, item in enumerate(declared.in_context):
        loc: tuple[str | int, ...] = ("asserts", key, "in_context", i)
        try:
            when = positive(parse(item.when, (*loc, "when")))
            derived = any(m.ref for alt in alternatives(when) for m in alt.matchers)
        except ConditionError as exc:
            _condition_error(loader, path, raw, what, exc)
            return None, None, (), False
        scored = [t.path for t in tests_in(when) if INDICATORS.get(t.path).scale.scored]  # type: ignore[union-attr]
        if scored or derived:
            loader.error(
                path,
                _line_of(raw, (*loc, "when")),
                "invalid-condition",
                f"{what}: a context tests categorical indicators only (model, kind, country, "
                f"size), not {scored or 'derived facts'}",
                field=(*loc, "when"),
                check="context",
            )
            return None, None, (), False
        graded = _grade(loader, path, raw, what, item.severity, tests, (*loc, "severity"))
        if graded is None:
            return None, None, (), False
        contexts.append(ContextSeverity(when, graded[0], graded[1], item.basis))
    return own[0], own[1], tuple(contexts), True


def _grade(
    loader: _Loader,
    path: Path,
    raw: Located,
    what: str,
    declared: SeverityGrade,
    tests: list[Test],
    loc: tuple[str | int, ...],
) -> tuple[Severity, SeverityByValue | None] | None:
    """Check one severity (or severity per answer) against the tests of the rule."""
    if isinstance(declared, str):
        return declared, None
    graded = [t for t in tests if INDICATORS.get(t.path).scale.scored]  # type: ignore[union-attr]
    paths = {t.path for t in graded}
    if len(paths) != 1 or set(declared) != set().union(*(t.values for t in graded)):
        loader.error(
            path,
            _line_of(raw, loc),
            "invalid-severity",
            f"{what}: a severity per answer needs a rule that tests one scored indicator (and "
            "any categorical ones), with one severity for each answer it tests",
        )
        return None
    indicator = paths.pop()
    scale = INDICATORS.get(indicator).scale  # type: ignore[union-attr]  # parsed paths exist
    ordered = sorted(declared, key=lambda v: scale.worth_of(v) or 0.0)
    ranks = [SEVERITIES.index(declared[v]) for v in ordered]
    if ranks != sorted(ranks):
        loader.error(
            path,
            _line_of(raw, loc),
            "invalid-severity",
            f"{what}: a better answer must not be more severe than a worse one",
        )
        return None
    worst = min(declared.values(), key=SEVERITIES.index)
    return worst, (indicator, MappingProxyType(dict(declared)))


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


def _check_order(loader: _Loader, root: Path, found: _Found) -> None:
    """Every `after` of a recommendation names one, and the order they make has no cycle."""
    recommendations: Mapping[str, RecommendationFile] = found.catalog["recommendations"]
    folder = root / "catalog" / "recommendations"
    for rid, entry in recommendations.items():
        for i, before in enumerate(entry.after):
            if not found.known("recommendations", before) or before == rid:
                raw = Located(folder / f"{rid}.yaml")
                loader.error(
                    folder / f"{rid}.yaml",
                    _line_of(raw, ("after", i)),
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
            _line_of(Located(path), ("after",)),
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


def _check_cycles(loader: _Loader, rules: list[Rule], raws: dict[str, tuple[Path, Any]]) -> None:
    needs = {r.id: {ref.split(":", 1)[1] for ref in r.refs} for r in rules}
    for rule_id, cycle in _cycles(needs):
        path, raw = raws[rule_id]
        loader.error(
            path,
            _line_of(raw, ("when",)),
            "derived-cycle",
            f"rule {rule_id!r}: its condition depends on itself: {' -> '.join(cycle)}",
        )
