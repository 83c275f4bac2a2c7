"""Compare what two rulesets conclude over a corpus of assessments: gaps, ranks, levels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from engine.ruleset import Ruleset
from engine.runtime.assess import Engine
from engine.shipped import default_examples_dir
from schemas import strict_json
from schemas.assessment import AssessmentRequest
from schemas.field_errors import field_errors
from schemas.result import AssessmentResult
from schemas.vocabulary import Dimension, Language, ReadinessLevel, Severity

__all__ = [
    "AssessmentDiff",
    "DiffTotals",
    "DimensionLevelChange",
    "LevelChange",
    "OutcomeDiff",
    "PlaceChange",
    "Placement",
    "RankChange",
    "ScoreChange",
    "SeverityChange",
    "diff_outcomes",
    "load_corpus",
]

EXAMPLES_DIR = default_examples_dir()
"""The default corpus: the example assessments."""

Corpus = list[tuple[str, AssessmentRequest]]

T = TypeVar("T")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RankChange(_Frozen):
    """A recommendation given under both rulesets at a different rank."""

    id: str
    old_rank: int
    new_rank: int


class Placement(_Frozen):
    """Where a recommendation stands.

    A place of its own at `rank`, or a sub-point of the place `within`, which stands at `rank`.
    """

    rank: int
    within: str | None = None

    def __str__(self) -> str:
        if self.within is None:
            return f"rank {self.rank}"
        return f"part of {self.within} (rank {self.rank})"


class PlaceChange(_Frozen):
    """A recommendation given under both rulesets that is a sub-point under one of them.

    It became a sub-point, stopped being one, or became one of another place: the advice is
    still given, elsewhere in the list.
    """

    id: str
    old: Placement
    new: Placement


class SeverityChange(_Frozen):
    """A gap derived under both rulesets with a different severity."""

    id: str
    old: Severity
    new: Severity


class LevelChange(_Frozen):
    """The overall readiness level under the old and the new ruleset."""

    old: ReadinessLevel
    new: ReadinessLevel


class ScoreChange(_Frozen):
    """The overall readiness score under the old and the new ruleset."""

    old: float | None
    new: float | None


class DimensionLevelChange(_Frozen):
    """One dimension's readiness level under the old and the new ruleset."""

    dimension: Dimension
    old: ReadinessLevel
    new: ReadinessLevel


class AssessmentDiff(_Frozen):
    """How the outcome of one named assessment differs between two rulesets.

    Id lists are sorted; dimension changes follow the result's fixed dimension order.
    """

    name: str
    gaps_added: tuple[str, ...] = ()
    gaps_removed: tuple[str, ...] = ()
    gap_severity_changes: tuple[SeverityChange, ...] = ()
    escalations_added: tuple[str, ...] = ()
    escalations_removed: tuple[str, ...] = ()
    recommendations_added: tuple[str, ...] = ()
    recommendations_removed: tuple[str, ...] = ()
    recommendations_reranked: tuple[RankChange, ...] = ()
    recommendations_moved: tuple[PlaceChange, ...] = ()
    level: LevelChange | None = None
    score: ScoreChange | None = None
    dimension_levels: tuple[DimensionLevelChange, ...] = ()

    @property
    def changed(self) -> bool:
        """Whether anything differs between the two outcomes."""
        return any(
            (
                self.gaps_added,
                self.gaps_removed,
                self.gap_severity_changes,
                self.escalations_added,
                self.escalations_removed,
                self.recommendations_added,
                self.recommendations_removed,
                self.recommendations_reranked,
                self.recommendations_moved,
                self.level is not None,
                self.score is not None,
                self.dimension_levels,
            )
        )

    def to_lines(self) -> list[str]:
        """Return the report block for this assessment: its name, then one line per change."""
        lines = [self.name]
        lines += [f"  + gap {g}" for g in self.gaps_added]
        lines += [f"  - gap {g}" for g in self.gaps_removed]
        lines += [f"  ~ gap {c.id}: severity {c.old} -> {c.new}" for c in self.gap_severity_changes]
        lines += [f"  + escalation {e}" for e in self.escalations_added]
        lines += [f"  - escalation {e}" for e in self.escalations_removed]
        lines += [f"  + recommendation {r}" for r in self.recommendations_added]
        lines += [f"  - recommendation {r}" for r in self.recommendations_removed]
        lines += [
            f"  ~ recommendation {c.id}: rank {c.old_rank} -> {c.new_rank}"
            for c in self.recommendations_reranked
        ]
        lines += [
            f"  ~ recommendation {c.id}: {c.old} -> {c.new}" for c in self.recommendations_moved
        ]
        if self.level is not None:
            lines.append(f"  level: {self.level.old} -> {self.level.new}")
        if self.score is not None:
            lines.append(f"  score: {_score(self.score.old)} -> {_score(self.score.new)}")
        lines += [f"  {c.dimension} level: {c.old} -> {c.new}" for c in self.dimension_levels]
        return lines


class DiffTotals(_Frozen):
    """Counts over the whole corpus.

    `level_changes` counts assessments whose overall level changed; `dimension_level_changes`
    counts changed dimension levels over all assessments.
    """

    assessments: int
    changed: int
    unchanged: int
    gaps_added: int
    gaps_removed: int
    gap_severity_changes: int
    escalations_added: int
    escalations_removed: int
    recommendations_added: int
    recommendations_removed: int
    recommendations_reranked: int
    recommendations_moved: int
    level_changes: int
    dimension_level_changes: int

    def to_line(self) -> str:
        """Return the totals as one report line."""
        return (
            f"totals: {self.assessments} compared, {self.changed} changed, "
            f"{self.unchanged} unchanged; "
            f"gaps +{self.gaps_added} -{self.gaps_removed} "
            f"~{self.gap_severity_changes} severity; "
            f"escalations +{self.escalations_added} -{self.escalations_removed}; "
            f"recommendations +{self.recommendations_added} -{self.recommendations_removed} "
            f"~{self.recommendations_reranked} re-ranked, "
            f"~{self.recommendations_moved} moved into or out of a place; "
            f"level changes {self.level_changes} "
            f"(dimensions {self.dimension_level_changes})"
        )


class OutcomeDiff(_Frozen):
    """What changes in the outcomes of a corpus when the old ruleset is replaced by the new one.

    `assessments` holds only the assessments whose outcome changed, in corpus order.
    """

    old_version: str
    old_digest: str
    new_version: str
    new_digest: str
    assessments: tuple[AssessmentDiff, ...]
    totals: DiffTotals

    @property
    def unchanged(self) -> int:
        """How many assessments have the same outcome under both rulesets."""
        return self.totals.unchanged

    def to_json(self) -> dict[str, Any]:
        """Return the diff as JSON-serialisable data (lists, dicts, strings, numbers, null)."""
        return self.model_dump(mode="json")

    def to_text(self) -> str:
        """Return a readable report: a header, one block per changed assessment, the totals."""
        lines = [
            f"outcome diff: {self.old_version} ({self.old_digest}) -> "
            f"{self.new_version} ({self.new_digest})"
        ]
        for entry in self.assessments:
            lines += entry.to_lines()
        lines.append(self.totals.to_line())
        return "\n".join(lines) + "\n"


def _score(value: float | None) -> str:
    return "none" if value is None else f"{value:g}"


def _validation_message(exc: ValidationError, prefix: Sequence[str]) -> str:
    errors = field_errors(exc, prefix, model=AssessmentRequest)
    parts = [f"{error.path}: {error.type}: {error.message}" for error in errors[:3]]
    more = len(errors) - 3
    return " | ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _request(data: Any, where: str, prefix: Sequence[str] = ()) -> AssessmentRequest:
    """`data` as an assessment; `prefix` is where it sits in the file, for the paths of errors."""
    try:
        return AssessmentRequest.model_validate(data)
    except ValidationError as exc:
        message = _validation_message(exc, prefix)
        raise ValueError(f"{where}: invalid assessment: {message}") from exc


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ValueError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def _read_json(path: Path) -> Any:
    """The JSON in `path`, read as `readiness assess` reads a file (`strict_json.parse_file`)."""
    try:
        return strict_json.parse_file(_bytes(path))
    except strict_json.RefusedError as exc:
        raise ValueError(exc.at(str(path))) from exc


def _json_file(path: Path) -> tuple[str, AssessmentRequest]:
    """Read one JSON file: a request, named by stem, or a scenario, named `scenario:<stem>`."""
    data = _read_json(path)
    if isinstance(data, dict) and "assessment" in data:
        return f"scenario:{path.stem}", _request(data["assessment"], f"{path}:1", ["assessment"])
    return path.stem, _request(data, f"{path}:1")


def _ndjson(path: Path) -> Corpus:
    corpus: Corpus = []
    try:
        text = strict_json.decode(_bytes(path))
    except strict_json.RefusedError as exc:
        raise ValueError(exc.at(str(path))) from exc
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            data = strict_json.parse(line)
        except strict_json.RefusedError as exc:
            raise ValueError(exc.at(where)) from exc
        if isinstance(data, dict) and "request" in data:
            corpus.append((f"line {number}", _request(data["request"], where, ["request"])))
        else:
            corpus.append((f"line {number}", _request(data, where)))
    return corpus


def load_corpus(sources: Sequence[str] = ()) -> list[tuple[str, AssessmentRequest]]:
    """Return named assessments to compare rulesets over, in a fixed order.

    Args:
        sources: Files and folders, read in this order; none for the example assessments. A path
            ending in `.ndjson`: one AssessmentRequest per non-blank line, named `line N`; a line
            whose object has a top-level `request` key holds the request there. A path ending in
            `.json`: one request, named by file stem, or a scenario with the key `assessment`,
            named `scenario:<stem>`. A folder: every `*.json` in it, sorted by name, read like a
            `.json` path.

    Returns:
        `(name, request)` pairs.

    Raises:
        ValueError: When a file cannot be read or holds invalid JSON or an invalid assessment;
            the message starts with the file, and with `file:line` for a line of NDJSON or an
            invalid assessment; a refused JSON text is named by its API code (`invalid-json`).
    """
    corpus: Corpus = []
    for source in sources or [str(EXAMPLES_DIR)]:
        path = Path(source)
        if path.suffix == ".ndjson":
            corpus += _ndjson(path)
        elif path.is_dir():
            corpus += [_json_file(p) for p in sorted(path.glob("*.json"))]
        elif path.suffix == ".json":
            corpus.append(_json_file(path))
        else:
            raise ValueError(
                f"{source}: expected a .ndjson or .json file or a folder of .json files"
            )
    return corpus


def _added_removed(old: set[str], new: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(sorted(new - old)), tuple(sorted(old - new))


def _changed(old: Mapping[str, T], new: Mapping[str, T]) -> list[tuple[str, T, T]]:
    """(id, old value, new value) of the ids in both whose value differs, by id."""
    return [
        (key, old[key], new[key]) for key in sorted(old.keys() & new.keys()) if old[key] != new[key]
    ]


def _placements(result: AssessmentResult) -> dict[str, Placement]:
    """Where each recommendation of `result` stands: its place, or the place it is part of."""
    return {
        entry.id: Placement(rank=place.rank, within=None if entry is place else place.id)
        for place, entry in result.given()
    }


def _compare(name: str, old: AssessmentResult, new: AssessmentResult) -> AssessmentDiff:
    old_gaps = {g.id: g.severity for g in old.gaps}
    new_gaps = {g.id: g.severity for g in new.gaps}
    gaps_added, gaps_removed = _added_removed(set(old_gaps), set(new_gaps))
    escalations_added, escalations_removed = _added_removed(
        {e.id for e in old.escalations}, {e.id for e in new.escalations}
    )
    old_at, new_at = _placements(old), _placements(new)
    recs_added, recs_removed = _added_removed(set(old_at), set(new_at))
    old_levels = {d.dimension: d.level for d in old.readiness.dimensions}
    old_r, new_r = old.readiness, new.readiness
    severities = [SeverityChange(id=i, old=o, new=n) for i, o, n in _changed(old_gaps, new_gaps)]
    placed = _changed(old_at, new_at)
    # A place of its own under both at another rank is re-ranked; one that left or joined a
    # place, or moved to another, has moved. A sub-point whose place moves is told by the place.
    ranks = [
        RankChange(id=i, old_rank=o.rank, new_rank=n.rank)
        for i, o, n in placed
        if o.within is None and n.within is None
    ]
    moved = [PlaceChange(id=i, old=o, new=n) for i, o, n in placed if o.within != n.within]
    return AssessmentDiff(
        name=name,
        gaps_added=gaps_added,
        gaps_removed=gaps_removed,
        gap_severity_changes=tuple(severities),
        escalations_added=escalations_added,
        escalations_removed=escalations_removed,
        recommendations_added=recs_added,
        recommendations_removed=recs_removed,
        recommendations_reranked=tuple(ranks),
        recommendations_moved=tuple(moved),
        level=None if old_r.level == new_r.level else LevelChange(old=old_r.level, new=new_r.level),
        score=None if old_r.score == new_r.score else ScoreChange(old=old_r.score, new=new_r.score),
        dimension_levels=tuple(
            DimensionLevelChange(dimension=d.dimension, old=old_levels[d.dimension], new=d.level)
            for d in new_r.dimensions
            if d.dimension in old_levels and old_levels[d.dimension] != d.level
        ),
    )


def _totals(entries: list[AssessmentDiff], compared: int) -> DiffTotals:
    changed = [e for e in entries if e.changed]
    return DiffTotals(
        assessments=compared,
        changed=len(changed),
        unchanged=compared - len(changed),
        gaps_added=sum(len(e.gaps_added) for e in changed),
        gaps_removed=sum(len(e.gaps_removed) for e in changed),
        gap_severity_changes=sum(len(e.gap_severity_changes) for e in changed),
        escalations_added=sum(len(e.escalations_added) for e in changed),
        escalations_removed=sum(len(e.escalations_removed) for e in changed),
        recommendations_added=sum(len(e.recommendations_added) for e in changed),
        recommendations_removed=sum(len(e.recommendations_removed) for e in changed),
        recommendations_reranked=sum(len(e.recommendations_reranked) for e in changed),
        recommendations_moved=sum(len(e.recommendations_moved) for e in changed),
        level_changes=sum(e.level is not None for e in changed),
        dimension_level_changes=sum(len(e.dimension_levels) for e in changed),
    )


def diff_outcomes(
    old: Ruleset,
    new: Ruleset,
    corpus: list[tuple[str, AssessmentRequest]],
    language: Language = "en",
) -> OutcomeDiff:
    """Assess every request of `corpus` under both rulesets and report what changes.

    One engine is built per ruleset and released afterwards. Gaps, escalations and
    recommendations are compared by id, so `language` changes no count, only which texts the
    engines build.

    Args:
        old: The ruleset in use.
        new: The candidate ruleset.
        corpus: Named assessments, as `load_corpus` returns them.
        language: Language to assess in.

    Returns:
        The changed assessments, in corpus order, and the totals.

    Raises:
        EvaluationError: When either engine fails on an assessment.
    """
    old_engine = Engine(old)
    try:
        new_engine = Engine(new)
        try:
            entries = [
                _compare(
                    name,
                    old_engine.assess(request, language=language),
                    new_engine.assess(request, language=language),
                )
                for name, request in corpus
            ]
        finally:
            new_engine.backend.close()
    finally:
        old_engine.backend.close()
    return OutcomeDiff(
        old_version=old.version,
        old_digest=old.digest,
        new_version=new.version,
        new_digest=new.digest,
        assessments=tuple(e for e in entries if e.changed),
        totals=_totals(entries, len(corpus)),
    )
