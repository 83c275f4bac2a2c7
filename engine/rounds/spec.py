"""The round file (`rules/rounds.yaml`): roles, who is asked what, how answers combine, matters.

The file is data a domain expert edits; this module validates it against the assessment's
indicators and answers the questions the combining asks of it: which roles are asked a question,
whose answers count for it and how, and which indicator each disagreement matter compares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.errors import RoundFileError
from engine.indicators import INDICATORS
from engine.rulebase.yamlfile import fast_load
from engine.shipped import shipped_dir
from schemas.citation import Citation
from schemas.vocabulary import Language

__all__ = [
    "METHODS",
    "ROLES",
    "CombiningRule",
    "Method",
    "Role",
    "RoundFile",
    "RoundSpec",
    "load_round_spec",
]

Role = Literal[
    "strategic_leader",
    "tactical_leader",
    "operational_leader",
    "tovholder",
    "coordinator",
    "staff",
    "other",
]
"""A respondent's role in a round."""

ROLES: tuple[Role, ...] = get_args(Role)
"""Every role, in the order the schema lists them (the file gives the neighbour order)."""

Method = Literal["median", "cautious"]
"""How the answers that count become one: the middle answer (the more cautious of the two middle
ones when their number is even), or the most cautious answer."""

METHODS: tuple[Method, ...] = get_args(Method)

SPEC_FILE = "rounds.yaml"
MIN_GROUP_FLOOR = 3
"""Per-role figures are never shown for fewer respondents than this, whatever the file says."""

Localized = dict[Language, Annotated[str, Field(min_length=1, max_length=300)]]


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class _Privacy(_File):
    min_group: Annotated[int, Field(ge=MIN_GROUP_FLOOR, le=100)] = MIN_GROUP_FLOOR
    """Per-role figures only where at least this many respondents of the role answered."""


class _Form(_File):
    questions: Annotated[list[str], Field(min_length=1)]
    """Indicator paths, or prefixes ending in `.*`."""
    roles: list[Role]
    """The roles asked them (none: set when the round is opened, or by combining)."""


class _Default(_File):
    method: Method
    """How the answers become one when no rule below is written for the question."""
    roles: Literal["asked"]
    """Every role asked the question counts."""
    why: Localized
    """Why, in a sentence, in sv, da and en."""


class _Rule(_File):
    indicators: Annotated[list[str], Field(min_length=1)]
    """Indicator paths, or prefixes ending in `.*`."""
    roles: Annotated[list[Role], Field(min_length=1)]
    """Whose answers count."""
    method: Method
    why: Localized
    """Why, in a sentence, in sv, da and en."""
    sources: Annotated[list[Citation], Field(min_length=1)]


class _Combining(_File):
    default: _Default
    rules: list[_Rule] = []


class _Disagreements(_File):
    steps: Annotated[int, Field(ge=1, le=2)] = 2
    """How many steps apart two roles must be to disagree."""
    matters: dict[str, str]
    """`agreement.*` field -> the indicator it compares."""


class RoundFile(_File):
    """`rules/rounds.yaml`: roles, who is asked what, how answers combine, which matters compare."""

    title: Localized
    """The file's title in sv, da and en."""
    privacy: _Privacy = _Privacy()
    """The privacy threshold."""
    roles: dict[Role, Localized]
    """Every role with its name in sv, da and en, in neighbour order."""
    forms: list[_Form]
    """Who is asked which questions; the most specific pattern decides."""
    combining: _Combining
    """How the answers to one question become the organisation's answer."""
    disagreements: _Disagreements
    """When roles disagree, and on which matters they are compared."""


@dataclass(frozen=True, slots=True)
class CombiningRule:
    """Whose answers count for one indicator, and how they become one."""

    roles: tuple[Role, ...]
    """The roles whose answers count (all roles asked, for the default rule)."""
    method: Method
    why: Mapping[Language, str]
    sources: tuple[Citation, ...]
    default: bool
    """Whether this is the file's default rule rather than one written for the indicator."""


@dataclass(frozen=True, slots=True)
class RoundSpec:
    """The validated round file."""

    title: Mapping[Language, str]
    min_group: int
    roles: tuple[Role, ...]
    """Every role, in neighbour order."""
    role_titles: Mapping[Role, Mapping[Language, str]]
    asked: Mapping[str, tuple[Role, ...]]
    """Per indicator path, the roles asked it (in neighbour order; empty: not asked in rounds)."""
    combining: Mapping[str, CombiningRule]
    """Per indicator asked of some role, how its answers combine."""
    steps: int
    matters: Mapping[str, str]
    """`agreement.*` field -> the indicator it compares."""

    def roles_asked(self, path: str) -> tuple[Role, ...]:
        """The roles asked the question at `path` (empty when no role is)."""
        return self.asked.get(path, ())

    def form(self, role: Role) -> tuple[str, ...]:
        """The indicator paths asked of `role`, in the assessment's order."""
        return tuple(path for path, roles in self.asked.items() if role in roles)


def _matches(pattern: str, path: str) -> tuple[int, int] | None:
    """How specifically `pattern` matches `path`: (exact, segments), or None."""
    if pattern.endswith(".*"):
        prefix = pattern[:-1]
        return (0, prefix.count(".")) if path.startswith(prefix) else None
    return (1, path.count(".") + 1) if pattern == path else None


def _most_specific(patterns: list[tuple[str, int]], path: str, where: str) -> int:
    """The index of the entry whose pattern matches `path` most specifically (-1: none)."""
    best: tuple[int, int] | None = None
    chosen = -1
    tied = False
    for pattern, index in patterns:
        score = _matches(pattern, path)
        if score is None:
            continue
        if best is None or score > best:
            best, chosen, tied = score, index, False
        elif score == best and index != chosen:
            tied = True
    if tied:
        raise RoundFileError(
            f"{where}: two entries match {path!r} equally specifically; make one more specific",
        )
    return chosen


def _check_patterns(patterns: list[str], where: str) -> None:
    for pattern in patterns:
        if pattern.endswith(".*"):
            prefix = pattern[:-1]
            if not any(i.path.startswith(prefix) for i in INDICATORS):
                raise RoundFileError(f"{where}: {pattern!r} matches no indicator")
        elif INDICATORS.get(pattern) is None:
            raise RoundFileError(f"{where}: no indicator {pattern!r}")


def _parse(raw: Any, where: str) -> RoundFile:
    try:
        spec = RoundFile.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        raise RoundFileError(f"{where}: {loc}: {first['msg']}") from None
    missing = [role for role in ROLES if role not in spec.roles]
    if missing:
        raise RoundFileError(f"{where}: roles: every role needs its titles ({missing})")
    return spec


def _asked(spec: RoundFile, order: tuple[Role, ...], where: str) -> dict[str, tuple[Role, ...]]:
    patterns = [(p, i) for i, form in enumerate(spec.forms) for p in form.questions]
    _check_patterns([p for p, _ in patterns], f"{where}: forms")
    asked: dict[str, tuple[Role, ...]] = {}
    for indicator in INDICATORS:
        index = _most_specific(patterns, indicator.path, f"{where}: forms")
        if index < 0:
            raise RoundFileError(
                f"{where}: forms: no entry says who is asked {indicator.path!r} "
                "(give it `roles: []` if no one is)",
            )
        roles = set(spec.forms[index].roles)
        if roles and not indicator.scale.scored:
            raise RoundFileError(
                f"{where}: forms: {indicator.path!r} describes the case and is set when the "
                "round is opened; it cannot be asked of a role",
            )
        asked[indicator.path] = tuple(role for role in order if role in roles)
    return asked


def _combining(
    spec: RoundFile,
    order: tuple[Role, ...],
    asked: Mapping[str, tuple[Role, ...]],
    where: str,
) -> dict[str, CombiningRule]:
    patterns = [(p, i) for i, rule in enumerate(spec.combining.rules) for p in rule.indicators]
    _check_patterns([p for p, _ in patterns], f"{where}: combining")
    default = spec.combining.default
    combining: dict[str, CombiningRule] = {}
    used: set[int] = set()
    for path, roles in asked.items():
        if not roles:
            continue
        index = _most_specific(patterns, path, f"{where}: combining")
        if index < 0:
            combining[path] = CombiningRule(roles, default.method, default.why, (), True)
            continue
        used.add(index)
        rule = spec.combining.rules[index]
        counted = tuple(role for role in order if role in rule.roles)
        strays = [role for role in counted if role not in roles]
        if strays:
            raise RoundFileError(
                f"{where}: combining: {path!r} counts {strays}, who are not asked it"
            )
        combining[path] = CombiningRule(counted, rule.method, rule.why, tuple(rule.sources), False)
    for index, rule in enumerate(spec.combining.rules):
        if index not in used:
            raise RoundFileError(
                f"{where}: combining: rule {index + 1} ({rule.indicators}) applies to no "
                "question asked in rounds",
            )
    return combining


def _matters(spec: RoundFile, asked: Mapping[str, tuple[Role, ...]], where: str) -> dict[str, str]:
    agreement_fields = [i.path for i in INDICATORS if i.path.startswith("agreement.")]
    matters = dict(spec.disagreements.matters)
    if sorted(matters) != sorted(agreement_fields):
        raise RoundFileError(
            f"{where}: disagreements: the matters must be exactly the agreement fields "
            f"{agreement_fields}",
        )
    for matter, path in matters.items():
        indicator = INDICATORS.get(path)
        if indicator is None or not indicator.scale.scored:
            raise RoundFileError(
                f"{where}: disagreements: {matter} compares {path!r}, which is not a graded "
                "question",
            )
        if len(asked[path]) < 2:
            raise RoundFileError(
                f"{where}: disagreements: {matter} compares {path!r}, which fewer than two "
                "roles are asked",
            )
    return matters


def _build(raw: Any, where: str) -> RoundSpec:
    spec = _parse(raw, where)
    order = tuple(spec.roles)
    asked = _asked(spec, order, where)
    return RoundSpec(
        title=spec.title,
        min_group=spec.privacy.min_group,
        roles=order,
        role_titles=spec.roles,
        asked=asked,
        combining=_combining(spec, order, asked, where),
        steps=spec.disagreements.steps,
        matters=_matters(spec, asked, where),
    )


def load_round_spec(rules_dir: Path | None = None) -> RoundSpec:
    """Read and validate `rounds.yaml` from `rules_dir` (default: the shipped rules).

    Raises:
        RoundFileError: `invalid-round-file` naming what is wrong and where.
    """
    if rules_dir is None:
        rules_dir = shipped_dir("rules")
    path = rules_dir / SPEC_FILE
    try:
        raw = fast_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise RoundFileError(f"{path}: cannot be read: {exc}") from None
    return _build(raw, str(path))
