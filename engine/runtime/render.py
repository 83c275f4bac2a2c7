"""The result as JSON: an outcome's parts joined with texts prepared when the ruleset is loaded.

Most of a result's bytes are catalog texts and citations that depend only on the ruleset and the
language: the title, action and rationale of a recommendation, and so on. They are encoded for
every language when the ruleset is loaded, into fragments that end where an outcome's value
begins (a severity, a rank, a list of gap ids); the outcome's parts carry their own JSON, the same
in every language (see `engine.runtime.outcome`). A result then costs one lookup per entry and one
string join: no model objects, no re-encoding of texts.

The output is exactly `AssessmentResult.model_dump_json()` of the same result; the tests hold it to
that (`tests/engine/test_render.py`). Fragments are made with the same encoder (pydantic_core), and
the values joined in by hand are ids, indicator paths and scale values, which `_SAFE` checks need
no escaping in JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from pydantic_core import to_json

from engine.rulebase.rulefile import (
    LocalizedText,
    ObstacleFile,
    RecommendationFile,
    SeverityBasisSpec,
    SuccessFactorFile,
)
from engine.ruleset import Ruleset, phase_of_step
from engine.runtime.outcome import Outcome
from engine.runtime.ranking import priority_of
from schemas.result import SeverityBasis
from schemas.vocabulary import Language

__all__ = ["Fragments", "RecommendationFragments", "basis_in", "render", "variant_text"]

_SAFE = re.compile(r"[a-z0-9_./-]*")
"""What may be written into JSON between quotes as it is."""
_PRIORITY_BYTES = {u: priority_of(u).encode() for u in (1, 2, 3, 4)}


def _json(value: Any) -> str:
    return to_json(value).decode()


def _b(text: str) -> bytes:
    return text.encode()


def _safe(value: str) -> str:
    if not _SAFE.fullmatch(value):
        raise ValueError(f"{value!r} would need escaping in JSON")
    return value


def _ids(ids: Iterable[str]) -> bytes:
    """A JSON list of ids already checked by `_safe` (rule and catalog ids are)."""
    joined = '","'.join(ids)
    return f'["{joined}"]'.encode() if joined else b"[]"


class Fragments:
    """The encoded texts of one ruleset in one language and country: what a result says in words.

    A recommendation with texts of its own for an intervention model or kind is kept for that
    model and kind too (`recommendation_for`).

    Each entry's fragment ends where the values of an outcome begin (a severity, a list of gap
    ids), which the outcome's parts carry already encoded (see `engine.runtime.outcome`).
    """

    def __init__(self, ruleset: Ruleset, language: Language, country: str = "unknown") -> None:
        self.language = language
        self.country = country
        info = _json(ruleset.info.model_dump(mode="json"))
        self.head = _b(f'{{"language":{_json(language)},"ruleset":{info}')
        # Per gap or escalation rule: its JSON up to the value of `severity`.
        self.rule: dict[str, bytes] = {
            rule.id: _b(
                f'{{"id":{_json(rule.id)},"title":{_json(rule.title.in_(language))},'
                f'"dimension":{_json(rule.dimension)},"severity":"'
            )
            for rule in ruleset.rules
            if rule.kind != "strength"
        }
        # Per severity basis (`Ruleset.severity_bases`): its JSON, a judgement's reason in
        # this language.
        self.basis: list[bytes] = [
            to_json(basis_in(basis, language).model_dump()) for basis in ruleset.severity_bases
        ]
        self.obstacle = {
            oid: _described(oid, e, language, '"gaps":', country)
            for oid, e in ruleset.obstacles.items()
        }
        self.success_factor = {
            sid: _described(sid, e, language, '"status":"', country)
            for sid, e in ruleset.success_factors.items()
        }
        self.recommendation = {
            rid: RecommendationFragments(rid, e, language, country)
            for rid, e in ruleset.recommendations.items()
        }
        # Per intervention model and kind that some recommendation has texts of its own for:
        # the same table with those recommendations in the words of that model and kind.
        entries = ruleset.recommendations.values()
        self.models = frozenset({"unknown", *(m for e in entries for m in e.by_model)})
        self.kinds = frozenset({"unknown", *(k for e in entries for k in e.by_kind)})
        self.recommendation_for: dict[tuple[str, str], dict[str, RecommendationFragments]] = {}
        varied = [(rid, e) for rid, e in ruleset.recommendations.items() if e.by_model or e.by_kind]
        # An entry's fragments for the variants it has, made once and shared by every table
        # that reads them (an entry varied by model reads the same texts whatever the kind).
        made: dict[tuple[str, str, str], RecommendationFragments] = {}
        for model in sorted(self.models):
            for kind in sorted(self.kinds):
                if model == kind == "unknown":
                    continue
                table = dict(self.recommendation)
                for rid, e in varied:
                    own = (
                        rid,
                        model if model in e.by_model else "unknown",
                        kind if kind in e.by_kind else "unknown",
                    )
                    if own[1:] == ("unknown", "unknown"):
                        continue
                    found = made.get(own)
                    if found is None:
                        found = made[own] = RecommendationFragments(
                            rid, e, language, country, *own[1:]
                        )
                    table[rid] = found
                self.recommendation_for[model, kind] = table


def basis_in(basis: SeverityBasisSpec, language: Language) -> SeverityBasis:
    """A severity basis as results give it: a judgement's reason in `language`."""
    judgement = basis.judgement.in_(language) if basis.judgement is not None else None
    return SeverityBasis(source=basis.source, locator=basis.locator, judgement=judgement)


def variant_text(
    entry: ObstacleFile | SuccessFactorFile | RecommendationFile,
    name: str,
    country: str,
    model: str = "unknown",
    kind: str = "unknown",
) -> LocalizedText:
    """The entry's text `name` as `country`, `model` and `kind` read it.

    The model's variant where it has one, else the kind's, else the country's, else the common
    text ("unknown" has no variant). A text varies along one of them at most (see
    `RecommendationFile`), so the order only decides between texts that do not both exist.
    """
    for variants, value in (
        (getattr(entry, "by_model", None), model),
        (getattr(entry, "by_kind", None), kind),
    ):
        if variants:
            variant = variants.get(value)
            text = getattr(variant, name, None) if variant is not None else None
            if text is not None:
                return text  # type: ignore[no-any-return]
    variant = entry.by_country.get(country)  # type: ignore[call-overload]  # "unknown" has none
    text = getattr(variant, name, None) if variant is not None else None
    return text if text is not None else getattr(entry, name)  # type: ignore[no-any-return]


class RecommendationFragments:
    """The encoded parts of one recommendation in one language and country."""

    __slots__ = ("head", "middle", "sub_head", "tail")

    def __init__(
        self,
        rid: str,
        e: RecommendationFile,
        language: Language,
        country: str,
        model: str = "unknown",
        kind: str = "unknown",
    ) -> None:
        title = _json(variant_text(e, "title", country, model, kind).in_(language))
        action = _json(variant_text(e, "action", country, model, kind).in_(language))
        rationale = _json(variant_text(e, "rationale", country, model, kind).in_(language))
        self.head = _b(
            f'{{"id":{_json(rid)},"title":{title},"action":{action},'
            f'"rationale":{rationale},"priority":"'
        )
        phase = phase_of_step(e.step)
        self.middle = _b(
            f',"phase":{phase},"step":{e.step},"also_steps":{_json(e.also_steps)},'
            f'"owner":{_json(e.owner)},"after":'
        )
        self.tail = _b(f'}},"sources":{_json([c.model_dump(mode="json") for c in e.sources])}}}')
        self.sub_head = _b(
            f'{{"id":{_json(rid)},"title":{title},"action":{action},"owner":{_json(e.owner)},'
            '"closes_gaps":'
        )


def _described(
    entry_id: str,
    entry: ObstacleFile | SuccessFactorFile,
    language: Language,
    then: str,
    country: str = "unknown",
) -> bytes:
    """The fragment of an obstacle or success factor up to the value of the key `then`."""
    title = variant_text(entry, "title", country).in_(language)
    description = variant_text(entry, "description", country).in_(language)
    return _b(
        f'{{"id":{_json(entry_id)},"title":{_json(title)},"description":{_json(description)},{then}'
    )


def render(fragments: Fragments, outcome: Outcome) -> bytes:
    """Return the result JSON of `outcome`, its texts from `fragments`."""
    parts: list[bytes] = [fragments.head, b',"readiness":', outcome.readiness.encoded]
    rule, basis = fragments.rule, fragments.basis
    for opening, findings in (
        (b',"gaps":[', outcome.gaps),
        (b'],"escalations":[', outcome.escalations),
    ):
        parts.append(opening)
        comma = b""
        for finding in findings:
            parts += (comma, rule[finding.id], finding.encoded, basis[finding.basis], finding.tail)
            comma = b","
    for opening, heads, items in (
        (b'],"obstacles":[', fragments.obstacle, outcome.obstacles),
        (b'],"success_factors":[', fragments.success_factor, outcome.success_factors),
    ):
        parts.append(opening)
        comma = b""
        for item in items:
            parts += (comma, heads[item.id], item.encoded)
            comma = b","
    parts.append(b'],"recommendations":[')
    model = outcome.model if outcome.model in fragments.models else "unknown"
    kind = outcome.kind if outcome.kind in fragments.kinds else "unknown"
    texts = fragments.recommendation_for.get((model, kind), fragments.recommendation)
    comma = b""
    for place in outcome.recommendations:
        grade, rank, due, after, inside, lifted_by = place
        text = texts[grade.id]
        parts += (
            comma,
            text.head,
            _PRIORITY_BYTES[place.urgency if inside else grade.urgency],
            b'","rank":%d' % rank,
            text.middle,
            _ids(after) if after else b"[]",
            grade.encoded,
            b",".join([texts[s.id].sub_head + s.closes_encoded for s in inside]) if inside else b"",
            grade.score_due if due else grade.score_later,
            _ids(lifted_by) if lifted_by else b"[]",
            text.tail,
        )
        comma = b","
    trace = outcome.trace
    parts += (
        b'],"trace":',
        b"null"
        if trace is None
        else to_json(
            [
                {"order": number, "rule": step.rule, "matched": step.matched}
                for number, step in enumerate(trace, start=1)
            ]
        ),
        b"}",
    )
    return b"".join(parts)
