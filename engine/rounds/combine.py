"""Combining a round's answers into one assessment, with privacy groups and disagreements.

The steps, each documented for rule authors in `rules/rounds.yaml` and the rules README:

1. **Privacy groups.** Roles are taken in the file's neighbour order; a role with fewer
   respondents than `min_group` is merged with the next, and a last group still too small with the
   one before it. With fewer respondents than `min_group` in the whole round no group is formed
   and every role is suppressed. Only groups are ever shown.
2. **Combined answers.** Per question, the answers of the roles that count for it (the file's
   combining rule) become one by its method. A counting role that has too few respondents counts
   with the roles of its privacy group, so no combined answer is one small role's own; in a round
   too small for any group, every answer counts. Unknown answers are left out; when none of the
   counting roles answered, every answer to the question counts (`fallback`).
3. **Agreement.** Per matter, each role's answers to the compared question become the role's
   value by the same method; two roles `steps` or more apart make the matter `differ`, otherwise
   `agree`; with fewer than two roles answering it stays `unknown`.

The combined answers, the agreement fields and the round's organisation and intervention form an
ordinary `AssessmentRequest`: the engine evaluates it like any other.

Three properties hold by construction and are tested: the result does not depend on the order of
the responses (every step sorts or counts); one respondent gives exactly their own answers (no
second role to compare, and their answers are every answer); and a new respondent who gives the
combined answers never makes a matter `differ` (every combined answer lies between the lowest and
highest role values, and both methods move a role's value only towards a new answer).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from engine.errors import RoundAnswerError
from engine.indicators import INDICATORS
from engine.rounds.spec import Method, Role, RoundSpec
from schemas.assessment import AssessmentRequest
from schemas.scales import UNKNOWN

__all__ = [
    "Combination",
    "CombinedAnswer",
    "Disagreement",
    "DisagreementEnd",
    "PrivacyGroup",
    "Response",
    "combine",
    "form_answers",
    "privacy_groups",
]


@dataclass(frozen=True, slots=True)
class Response:
    """One respondent's answers: their role and `{indicator path: value}`, unknowns left out."""

    role: Role
    answers: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class PrivacyGroup:
    """Roles shown together, and how many respondents they have (at least `min_group`)."""

    roles: tuple[Role, ...]
    respondents: int

    def to_json(self) -> dict[str, Any]:
        """The group as JSON-ready data."""
        return {"roles": list(self.roles), "respondents": self.respondents}


@dataclass(frozen=True, slots=True)
class CombinedAnswer:
    """The organisation's answer to one question and what it rests on."""

    path: str
    value: str
    answers: int
    """How many answers it was combined from (unknowns not counted)."""
    method: Method
    roles: tuple[Role, ...]
    """The roles whose answers count: the rule's, each small one widened to its privacy group,
    or every role asked the question when it fell back."""
    fallback: bool
    """Whether no counting role answered, so every answer counted."""

    def to_json(self) -> dict[str, Any]:
        """The answer as JSON-ready data."""
        return {
            "path": self.path,
            "value": self.value,
            "answers": self.answers,
            "method": self.method,
            "roles": list(self.roles),
            "fallback": self.fallback,
        }


@dataclass(frozen=True, slots=True)
class DisagreementEnd:
    """One end of a disagreement: the value, and the privacy groups whose roles hold it.

    `groups` is empty when the round is too small for any group: the value is then shown without
    saying whose it is.
    """

    value: str
    groups: tuple[tuple[Role, ...], ...]

    def to_json(self) -> dict[str, Any]:
        """The end as JSON-ready data."""
        return {"value": self.value, "groups": [list(group) for group in self.groups]}


@dataclass(frozen=True, slots=True)
class Disagreement:
    """Roles two or more steps apart on one matter."""

    matter: str
    """The `agreement.*` field it sets to `differ`."""
    indicator: str
    """The question compared."""
    spread: int
    """Steps between the lowest and the highest role value."""
    low: DisagreementEnd
    """The least ready view."""
    high: DisagreementEnd
    """The most ready view."""

    def to_json(self) -> dict[str, Any]:
        """The disagreement as JSON-ready data."""
        return {
            "matter": self.matter,
            "indicator": self.indicator,
            "spread": self.spread,
            "low": self.low.to_json(),
            "high": self.high.to_json(),
        }


@dataclass(frozen=True, slots=True)
class Combination:
    """A round's answers combined: the assessment, and what may be shown of how it was made."""

    request: AssessmentRequest
    """The ordinary assessment the engine evaluates and the store keeps."""
    answers: tuple[CombinedAnswer, ...]
    """One per question with at least one answer, in the assessment's order."""
    respondents: int
    groups: tuple[PrivacyGroup, ...]
    suppressed: tuple[Role, ...]
    """Roles with respondents that no group could hold (the round is too small)."""
    agreement: Mapping[str, str]
    """Per matter: agree, differ or unknown."""
    disagreements: tuple[Disagreement, ...]
    min_group: int

    def to_json(self) -> dict[str, Any]:
        """What may be shown: combined answers, groups and disagreements, never a small role."""
        return {
            "respondents": self.respondents,
            "min_group": self.min_group,
            "groups": [group.to_json() for group in self.groups],
            "suppressed": len(self.suppressed) > 0,
            "answers": [answer.to_json() for answer in self.answers],
            "agreement": dict(self.agreement),
            "disagreements": [d.to_json() for d in self.disagreements],
        }


def privacy_groups(
    order: Sequence[Role], counts: Mapping[Role, int], min_group: int
) -> tuple[tuple[PrivacyGroup, ...], tuple[Role, ...]]:
    """Group roles with respondents so that every group has at least `min_group` of them.

    Returns:
        The groups in neighbour order, and the roles left out (all of them when the round has
        fewer than `min_group` respondents).
    """
    present = [role for role in order if counts.get(role, 0) > 0]
    if sum(counts.get(role, 0) for role in present) < min_group:
        return (), tuple(present)
    groups: list[list[Role]] = []
    current: list[Role] = []
    size = 0
    for role in present:
        current.append(role)
        size += counts[role]
        if size >= min_group:
            groups.append(current)
            current, size = [], 0
    if current:  # the last roles are too few on their own: they join the group before them
        groups[-1].extend(current)
    return (
        tuple(PrivacyGroup(tuple(g), sum(counts[r] for r in g)) for g in groups),
        (),
    )


_STEPS: dict[str, dict[str, int]] = {
    indicator.path: {
        value: step
        for step, (value, _) in enumerate(sorted(indicator.scale.worth, key=lambda p: p[1]))
    }
    for indicator in INDICATORS
    if indicator.scale.scored
}
"""Per graded question, its answered values by step, 0 for the least ready."""


def _steps(path: str) -> dict[str, int]:
    return _STEPS[path]


def _combine_values(values: list[str], steps: Mapping[str, int], method: Method) -> str:
    ordered = sorted(values, key=steps.__getitem__)
    if method == "cautious":
        return ordered[0]
    return ordered[(len(ordered) - 1) // 2]  # the more cautious middle answer when even


def form_answers(spec: RoundSpec, role: Role, body: Any) -> dict[str, str]:
    """Validate a respondent's answers against their role's form; return them flat.

    `body` is nested like an assessment (`{"leadership": {"support": {"tactical": "no"}}}`).
    Unknown answers are left out of what is returned.

    Raises:
        RoundAnswerError: `invalid-answers` when the shape is wrong, `field-not-in-form` for a
            question the role is not asked, `answer-not-in-scale` for a value not allowed.
    """
    if not isinstance(body, Mapping):
        raise RoundAnswerError("invalid-answers", "the answers must be a JSON object")
    flat: dict[str, str] = {}
    _flatten(body, (), flat)
    form = set(spec.form(role))
    answers: dict[str, str] = {}
    for path, value in flat.items():
        loc = tuple(path.split("."))
        if path not in form:
            if INDICATORS.get(path) is None:
                message = f"{path!r} is not a question of the assessment"
            else:
                message = f"{path!r} is not asked of the role {role}"
            raise RoundAnswerError("field-not-in-form", message, loc)
        indicator = INDICATORS.get(path)
        assert indicator is not None  # noqa: S101 - every path of a form is an indicator
        scale = indicator.scale
        if value not in scale.values:
            allowed = ", ".join(scale.values)
            raise RoundAnswerError(
                "answer-not-in-scale",
                f"{path}: {value!r} is not one of the allowed answers ({allowed})",
                loc,
            )
        if value != UNKNOWN:
            answers[path] = value
    return answers


def _flatten(node: Mapping[Any, Any], prefix: tuple[str, ...], out: dict[str, Any]) -> None:
    for key, value in node.items():
        if not isinstance(key, str):
            raise RoundAnswerError("invalid-answers", "the answers' keys must be strings", prefix)
        path = (*prefix, key)
        if isinstance(value, Mapping):
            if not value:
                continue
            _flatten(value, path, out)
        elif isinstance(value, str):
            out[".".join(path)] = value
        else:
            raise RoundAnswerError(
                "invalid-answers",
                f'{".".join(path)}: an answer must be a string such as "yes" or "unknown"',
                path,
            )


def _counted_roles(
    counting: tuple[Role, ...],
    group_of: Mapping[Role, tuple[Role, ...]],
    counts: Mapping[Role, int],
    everyone: Sequence[Role],
) -> tuple[Role, ...]:
    """The counting roles, each one with respondents widened to its privacy group."""
    widened: set[Role] = set(counting)
    for role in counting:
        if not counts.get(role):
            continue
        if role not in group_of:  # the round is too small for any group: every answer counts
            return tuple(everyone)
        widened.update(group_of[role])
    return tuple(role for role in everyone if role in widened)


def combine(
    spec: RoundSpec,
    base: Mapping[str, Any],
    responses: Sequence[Response],
    *,
    min_group: int | None = None,
) -> Combination:
    """Combine `responses` into one assessment of the organisation and intervention in `base`.

    Args:
        spec: The round file.
        base: The round's `organisation` and `intervention` sections, as in an assessment.
        responses: Every response, in any order.
        min_group: The privacy threshold, when set higher than the file's.
    """
    threshold = max(spec.min_group, min_group or 0)
    order = spec.roles
    counts: Counter[Role] = Counter(response.role for response in responses)
    groups, suppressed = privacy_groups(order, counts, threshold)
    group_of = {role: group.roles for group in groups for role in group.roles}
    # Per question and role, the answers given (each role's list sorted later).
    by_path: dict[str, dict[Role, list[str]]] = {}
    for response in responses:
        for path, value in response.answers.items():
            by_path.setdefault(path, {}).setdefault(response.role, []).append(value)

    answers: list[CombinedAnswer] = []
    values: dict[str, str] = {}
    for path, rule in spec.combining.items():
        given = by_path.get(path)
        if not given:
            continue
        steps = _steps(path)
        present = [role for role in order if role in given]
        counted = _counted_roles(rule.roles, group_of, counts, order)
        pool = [v for role in counted for v in given.get(role, ())]
        fallback = not pool
        if fallback:
            counted = spec.roles_asked(path)
            pool = [v for role in present for v in given[role]]
        value = _combine_values(pool, steps, rule.method)
        values[path] = value
        answers.append(
            CombinedAnswer(
                path,
                value,
                len(pool),
                rule.method,
                counted,
                fallback,
            )
        )

    agreement: dict[str, str] = {}
    disagreements: list[Disagreement] = []
    for matter, path in spec.matters.items():
        given = by_path.get(path, {})
        if len(given) < 2:
            agreement[matter] = UNKNOWN
            continue
        steps = _steps(path)
        method = spec.combining[path].method
        role_values = {
            role: _combine_values(given[role], steps, method) for role in order if role in given
        }
        low = min(steps[v] for v in role_values.values())
        high = max(steps[v] for v in role_values.values())
        if high - low < spec.steps:
            agreement[matter] = "agree"
            continue
        agreement[matter] = "differ"
        disagreements.append(
            Disagreement(
                matter,
                path,
                high - low,
                _end(role_values, steps, low, group_of, order),
                _end(role_values, steps, high, group_of, order),
            )
        )

    sections: dict[str, Any] = {name: dict(section) for name, section in base.items()}
    for path, value in {**values, **agreement}.items():
        if value != UNKNOWN:
            section, *rest = path.split(".")
            _set(sections.setdefault(section, {}), rest, value)
    request = AssessmentRequest.model_validate(sections)
    return Combination(
        request=request,
        answers=tuple(answers),
        respondents=len(responses),
        groups=groups,
        suppressed=suppressed,
        agreement=agreement,
        disagreements=tuple(disagreements),
        min_group=threshold,
    )


def _end(
    role_values: Mapping[Role, str],
    steps: Mapping[str, int],
    step: int,
    group_of: Mapping[Role, tuple[Role, ...]],
    order: Sequence[Role],
) -> DisagreementEnd:
    roles = [role for role in order if role in role_values and steps[role_values[role]] == step]
    value = role_values[roles[0]]
    groups: list[tuple[Role, ...]] = []
    for role in roles:
        group = group_of.get(role)
        if group is not None and group not in groups:
            groups.append(group)
    return DisagreementEnd(value, tuple(groups))


def _set(node: dict[str, Any], rest: list[str], value: str) -> None:
    for key in rest[:-1]:
        node = node.setdefault(key, {})
    node[rest[-1]] = value
