"""One rule file made into a `Rule`, and the checks on what it says by itself.

A condition that parses, tests that never read an unanswered question as no, gaps that react
to the middle answer or say why not, severities that grow with worse answers, scoped indicators
tested with their scope, disagreement gaps that test a disagreement, cases that show the rule
firing and silent. Checks across files (references, orders, cycles, sources) are the loader's.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import ValidationError

from engine.conditions import Condition, FactAnd, Test, alternatives, parse, positive, tests_in
from engine.errors import ConditionError
from engine.indicators import INDICATORS, field_paths
from engine.rulebase.reader import Reader, line_of
from engine.rulebase.rulefile import (
    ManifestFile,
    RuleFile,
    SeverityGrade,
)
from engine.rulebase.yamlfile import Located
from engine.ruleset import ContextSeverity, Rule, RuleKind, SeverityByValue
from schemas.assessment import AssessmentRequest
from schemas.scales import AGREEMENT, UNKNOWN
from schemas.vocabulary import SEVERITIES, Severity

__all__ = ["DIFFER", "RuleContext", "compile_rule"]

DIFFER = "differ"
"""The answer on the agreement scale that a disagreement gap reacts to, and the only one."""


class RuleContext:
    """What rules are checked against from the manifest: indicator families and scopes."""

    def __init__(
        self,
        family_of: dict[str, str],
        scope: dict[str, tuple[str, frozenset[str]]],
        spans: dict[str, frozenset[str]] | None = None,
    ) -> None:
        self.family_of = family_of
        self.scope = scope
        self.spans = spans or {}
        """The families a gap on each spanning indicator is about (`spans` in the manifest)."""

    def families_of(self, path: str) -> frozenset[str]:
        """The things a gap on the indicator at `path` is about.

        Its family; or, for an indicator that spans others, their families; or, in none, its path.
        """
        spanned = self.spans.get(path)
        if spanned is not None:
            return spanned
        return frozenset((self.family_of.get(path, path),))

    @classmethod
    def of(cls, loader: Reader, path: Path, manifest: ManifestFile | None) -> RuleContext:
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
                    loader.error(path, line_of(raw, at), "unknown-indicator", message, field=at)
                elif indicator in family_of:
                    message = f"families: {indicator!r} is in {family_of[indicator]!r} already"
                    loader.error(
                        path,
                        line_of(raw, at),
                        "invalid-value",
                        message,
                        field=at,
                        check="family-twice",
                    )
                else:
                    family_of[indicator] = family
        spans = _spans(loader, path, raw, manifest, family_of)
        for indicator, applies in manifest.scope.items():
            at = ("scope", indicator)
            found = INDICATORS.get(indicator)
            if found is None or not found.scale.scored or len(applies) != 1:
                message = f"scope: {indicator!r} must be a scored indicator with one context test"
                loader.error(path, line_of(raw, at), "invalid-value", message, check="scope")
                continue
            ((on, values),) = applies.items()
            context = INDICATORS.get(on)
            if context is None or context.scale.scored:
                message = f"scope of {indicator!r}: {on!r} is not a categorical indicator"
                loader.error(path, line_of(raw, at), "invalid-value", message, check="scope")
            elif not values or not set(values) <= set(context.scale.values):
                message = f"scope of {indicator!r}: values must be on the {on} scale"
                loader.error(path, line_of(raw, at), "value-not-in-scale", message)
            else:
                scope[indicator] = (on, frozenset(values))
        return cls(family_of, scope, spans)


def _spans(
    loader: Reader, path: Path, raw: Located, manifest: ManifestFile, family_of: dict[str, str]
) -> dict[str, frozenset[str]]:
    """Check the manifest's `spans`; return the families a gap on each spanning indicator is about.

    A spanning indicator and what it spans are scored indicators; it is in no family itself
    (its gap would then be about that family and the spanned ones at once, which is a family
    of its own to write), and it does not span itself.
    """
    spans: dict[str, frozenset[str]] = {}
    for indicator, spanned in manifest.spans.items():
        at: tuple[str | int, ...] = ("spans", indicator)
        problem = None
        for listed in (indicator, *spanned):
            found = INDICATORS.get(listed)
            if found is None:
                hint = _indicator_hint(listed, "list", "a span can hold")
                problem = f"spans: no {listed!r}{hint}"
                break
            if not found.scale.scored:
                problem = f"spans: {listed!r} is not a scored indicator"
                break
        else:
            if indicator in family_of:
                problem = (
                    f"spans: {indicator!r} is in family {family_of[indicator]!r}; an indicator "
                    "that spans others is in no family"
                )
            elif indicator in spanned or len(set(spanned)) != len(spanned):
                problem = f"spans: {indicator!r} must list other indicators, each once"
        if problem is not None:
            loader.error(path, line_of(raw, at), "invalid-value", problem, field=at, check="spans")
            continue
        spans[indicator] = frozenset(family_of.get(p, p) for p in spanned)
    return spans


def compile_rule(
    loader: Reader, path: Path, raw: Any, spec: RuleFile, context: RuleContext
) -> Rule | None:
    """The rule of the file at `path`, or None when a check of it failed (each reported)."""
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
                    line_of(raw, ("when",)),
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
            line_of(raw, ("links",)),
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
            line_of(raw, ("middle_sufficient",)),
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
    # A gap on an indicator that spans others (`spans`) is about each of their families.
    tested = {
        context.families_of(test.path)
        for test in tests_in(condition)
        if INDICATORS.get(test.path).scale.scored  # type: ignore[union-attr]  # parsed paths exist
    }
    families = (
        next(iter(tested)) if len(tested) == 1 and gap_kind != "disagreement" else frozenset()
    )
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
    loader: Reader, path: Path, raw: Located, what: str, exc: ConditionError
) -> None:
    """Report a condition that does not parse; an unknown indicator with the closest ones."""
    message = f"{what}: {exc.message}"
    if exc.code == "unknown-indicator" and exc.loc:
        message += _indicator_hint(str(exc.loc[-1]))  # the key of the entry: the path
    loader.error(path, line_of(raw, exc.loc), exc.code, message, field=exc.loc)


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
    loader: Reader,
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
                line_of(raw, ("when",)),
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
            line_of(raw, ("asserts", "gap")),
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
                    line_of(raw, ("when",)),
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


def _check_cases(loader: Reader, path: Path, raw: Any, spec: RuleFile) -> bool:
    """A rule's cases show it firing and silent, and each input is a valid assessment."""
    what = f"rule {spec.id!r}"
    ok = True
    if {case.fires for case in spec.cases} != {True, False}:
        loader.error(
            path,
            line_of(raw, ("cases",)),
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
                line_of(raw, ("cases", i, "input", *first["loc"])),
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
    loader: Reader, path: Path, raw: Any, spec: RuleFile, condition: Condition
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
            line_of(raw, ("when",)),
            "middle-ignored",
            f"{what}: the test of {indicator} admits its worst answer but not the middle one; "
            "react to the middle answer with a graded severity, or say under middle_sufficient "
            "which cited passage makes a partial answer enough",
        )
        ok = False
    for indicator in sorted(set(spec.middle_sufficient) - ignoring):
        loader.error(
            path,
            line_of(raw, ("middle_sufficient", indicator)),
            "invalid-value",
            f"{what}: middle_sufficient names {indicator!r}, which the rule does not test at its "
            "worst answer alone",
            field=("middle_sufficient", indicator),
            check="middle-not-worst",
        )
        ok = False
    return ok


def _check_scope(
    loader: Reader,
    path: Path,
    raw: Any,
    spec: RuleFile,
    alts: tuple[Any, ...],
    context: RuleContext,
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
                    line_of(raw, ("when",)),
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
    loader: Reader, path: Path, raw: Located, spec: RuleFile, condition: Condition
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
                        line_of(raw, ("when",)),
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
        # A scored indicator may be tested for being answered at all (every answer it has), never
        # for which answer: a better answer must not change the context, and so the severity.
        partial = [t.path for t in tests_in(when) if not _answered_or_categorical(t)]
        if partial or derived:
            loader.error(
                path,
                line_of(raw, (*loc, "when")),
                "invalid-condition",
                f"{what}: a context tests categorical indicators (model, kind, country, size), or "
                f"whether a scored one is answered at all, not {partial or 'derived facts'}",
                field=(*loc, "when"),
                check="context",
            )
            return None, None, (), False
        graded = _grade(loader, path, raw, what, item.severity, tests, (*loc, "severity"))
        if graded is None:
            return None, None, (), False
        contexts.append(ContextSeverity(when, graded[0], graded[1], item.basis))
    return own[0], own[1], tuple(contexts), True


def _answered_or_categorical(test: Test) -> bool:
    """Whether `test` is of a categorical indicator, or holds for every answer of a scored one."""
    scale = INDICATORS.get(test.path).scale  # type: ignore[union-attr]  # parsed paths exist
    return not scale.scored or {value for value, _ in scale.worth} <= test.values


def _grade(
    loader: Reader,
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
            line_of(raw, loc),
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
            line_of(raw, loc),
            "invalid-severity",
            f"{what}: a better answer must not be more severe than a worse one",
        )
        return None
    worst = min(declared.values(), key=SEVERITIES.index)
    return worst, (indicator, MappingProxyType(dict(declared)))
