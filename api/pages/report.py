"""The report of one assessment, printable on A4, and its comparison with the previous one.

`GET /assessments/{id}` shows a stored assessment the session's key may read (its binding: an
assessment outside it is "not found", as the API answers); `GET /report` the session's last
assessment that was not stored; `GET /assessments/{id}/compare` what changed since the
organisation's previous assessment of the same intervention (the delta the API's
`/v1/assessments/{id}/delta` gives).

A stored result's texts are in the language it was stored in. The page shows them in the
reader's language by taking the same entries from the rules: a text is translated only when the
rules still hold exactly the text that was stored (in the variant of the organisation's country
it came from); otherwise it is shown as stored, marked with its own language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from markupsafe import Markup
from pydantic import ValidationError

from api.pages.charts import Bar, PairedBar, paired_bars, score_bars
from api.pages.common import Page, PageError, span_of_days
from api.runtime import Runtime
from engine import Ruleset, due_runs, needed_by, values_of, variant_text
from schemas.assessment import AssessmentRequest
from schemas.citation import Citation
from schemas.questionnaire import Questionnaire
from schemas.result import AssessmentResult, Recommendation
from schemas.vocabulary import Language
from schemas.words import (
    KINDS,
    LEVELS,
    MONTHS,
    OWNERS,
    PHASE_NAMES,
    PRIORITIES,
    SEVERITIES,
    TEXTS,
    due_heading,
    firmness,
    number,
    say,
    step_words,
    steps_left_text,
)
from store.delta import delta
from store.keys import Binding
from store.repository import HistoryEntry, StoredAssessment

__all__ = ["ReportView", "StepGroup", "build_report", "recommendation_groups", "report_handlers"]


@dataclass(frozen=True, slots=True)
class Said:
    """A text and the language it is in (the page marks one that is not the page's)."""

    text: str
    lang: str


@dataclass(frozen=True, slots=True)
class Cited:
    """A citation as a reader sees it: the source's title and where in it."""

    source: str
    """The source's id."""
    title: str
    lang: str
    """The language of the source (its title and locators are in it)."""
    locator: str


@dataclass(frozen=True, slots=True)
class Document:
    """A source document the report cites, for the list of sources at its end."""

    title: str
    lang: str
    publisher: str | None
    year: int | None


@dataclass(frozen=True, slots=True)
class Finding:
    """A gap or escalation, in words."""

    id: str
    title: Said
    severity: str
    kind: str | None
    area: str
    sources: list[Cited]


@dataclass(frozen=True, slots=True)
class Described:
    """An obstacle or success factor, in words."""

    id: str
    title: Said
    description: Said


@dataclass(frozen=True, slots=True)
class Step:
    """A recommendation, or one folded into it, in words."""

    id: str
    anchor: str
    title: Said
    action: Said
    rationale: Said | None
    owner: str
    rank: int | None = None
    priority: str | None = None
    priority_name: str | None = None
    phase_step: str | None = None
    after: list[tuple[str, Said]] = field(default_factory=list)
    """(anchor, title) of each prerequisite."""
    before: list[tuple[str, Said]] = field(default_factory=list)
    """(anchor, title) of each place that names it as a prerequisite: why it may come above one
    of higher priority."""
    sub_points: list[Step] = field(default_factory=list)
    sources: list[Cited] = field(default_factory=list)
    when: str | None = None
    """When it is due, in words (`recommendation_groups`): the heading of its group."""


@dataclass(frozen=True, slots=True)
class StepGroup:
    """Recommendations next to each other in the ranking that are due at the same time."""

    heading: str
    start: int
    """The rank of the first, where the numbered list starts."""
    steps: list[Step]


@dataclass(frozen=True, slots=True)
class AreaRow:
    """One dimension's figures."""

    dimension: str
    name: str
    level: str
    level_name: str
    value: float | None
    """The score, 0-100; None when nothing in the area is answered."""
    score: str
    """The score as the page writes it."""
    answered: int
    total: int
    answered_text: str


@dataclass
class ReportView:
    """Everything a report page shows, in the reader's language."""

    language: Language
    level: str
    level_name: str
    score: str
    firmness: list[str]
    capped_by: list[Said]
    stage: int
    stage_text: str
    steps_left: str | None
    """The steps that keep the organisation in its phase, with their answers."""
    implemented: str | None
    areas: list[AreaRow]
    chart: Markup
    """The areas' scores as an SVG bar chart (the same figures as `areas`)."""
    chart_caption: str
    recommendations: list[Step]
    findings: list[Finding]
    escalations: list[Finding]
    obstacles: list[Described]
    strengths: list[Described]
    factors_missing: list[Described]
    unknown_gaps: list[Finding]
    unanswered: list[AreaRow]
    unanswered_questions: list[tuple[str, list[str]]] | None
    """(area, question texts) of the questions not answered, when the answers are at hand."""
    unanswered_count: int
    """How many questions `unanswered_questions` lists."""
    documents: list[Document] = field(default_factory=list)
    """The sources cited anywhere in the report."""
    mixed_languages: bool = False

    @property
    def recommendation_groups(self) -> list[StepGroup]:
        """The recommendations under headings that say when each run of them is due."""
        return recommendation_groups(self.recommendations)


def long_date(moment: datetime, language: Language) -> str:
    """A day written out: 15 september 2026, 15. september 2026, 15 September 2026."""
    month = MONTHS[language][moment.month - 1]
    day = f"{moment.day}." if language == "da" else str(moment.day)
    return f"{day} {month} {moment.year}"


class Wording:
    """The words of one result in the reader's language, taken from the rules where they match.

    Args:
        ruleset: The rules serving now.
        stored: The language the result's texts are in.
        wanted: The reader's language.
    """

    def __init__(self, ruleset: Ruleset, stored: str, wanted: Language) -> None:
        self.ruleset = ruleset
        self.stored = stored
        self.wanted = wanted
        self.kept = False
        """Whether some text could not be translated and is shown as stored."""

    def _same(self) -> bool:
        return self.stored == self.wanted

    def _as_stored(self, values: Mapping[str, str]) -> dict[str, Said]:
        self.kept = True
        return {name: Said(text, self.stored) for name, text in values.items()}

    def rule(self, rule_id: str, title: str) -> Said:
        """The title of a gap or escalation."""
        if self._same():
            return Said(title, self.wanted)
        rule = self.ruleset.by_id.get(rule_id)
        if rule is None or rule.title.in_(self.stored) != title:  # type: ignore[arg-type]
            return self._as_stored({"title": title})["title"]
        return Said(rule.title.in_(self.wanted), self.wanted)

    def entry(self, kind: str, entry_id: str, values: Mapping[str, str]) -> dict[str, Said]:
        """The texts of a catalog entry (`recommendation`, `obstacle`, `success_factor`).

        The entry's variant (its common text, or one country's, model's or kind's) is the one
        whose texts in the stored language are exactly `values`; its texts in the reader's
        language are returned.
        """
        if self._same():
            return {name: Said(text, self.wanted) for name, text in values.items()}
        catalog: Mapping[str, Any] = {
            "recommendation": self.ruleset.recommendations,
            "obstacle": self.ruleset.obstacles,
            "success_factor": self.ruleset.success_factors,
        }[kind]
        entry = catalog.get(entry_id)
        if entry is not None:
            models = ("unknown", *getattr(entry, "by_model", {}))
            kinds = ("unknown", *getattr(entry, "by_kind", {}))
            countries = ("unknown", *entry.by_country)
            for country, model, kind in [
                (c, m, k) for c in countries for m in models for k in kinds
            ]:
                texts = {name: variant_text(entry, name, country, model, kind) for name in values}
                if all(texts[n].in_(self.stored) == v for n, v in values.items()):  # type: ignore[arg-type]
                    return {n: Said(t.in_(self.wanted), self.wanted) for n, t in texts.items()}
        return self._as_stored(values)


def _word(words: Mapping[str, Mapping[Language, str]], code: str, language: Language) -> str:
    found = words.get(code)
    return found[language] if found is not None else code


def _citations(ruleset: Ruleset, sources: Sequence[Citation]) -> list[Cited]:
    cited = []
    for citation in sources:
        document = ruleset.sources.get(citation.source)
        title, lang = (document.title, document.language) if document else (citation.source, "")
        cited.append(Cited(citation.source, title, lang, citation.locator))
    return cited


def _documents(ruleset: Ruleset, cited: Iterable[Cited]) -> list[Document]:
    """The documents `cited` names, each once, in the order they are first cited."""
    seen: dict[str, Document] = {}
    for citation in cited:
        document = ruleset.sources.get(citation.source)
        if citation.source not in seen and document is not None:
            seen[citation.source] = Document(
                document.title, document.language, document.publisher, document.year
            )
    return list(seen.values())


def _area_names(questionnaire: Questionnaire) -> dict[str, str]:
    return {section.path: section.title for section in questionnaire.sections}


def _steps(
    result: AssessmentResult,
    ruleset: Ruleset,
    wording: Wording,
    language: Language,
    stage: int,
) -> list[Step]:
    anchors: dict[str, tuple[str, Said]] = {}
    said: dict[str, dict[str, Said]] = {}
    for recommendation in result.recommendations:
        texts = wording.entry(
            "recommendation",
            recommendation.id,
            {
                "title": recommendation.title,
                "action": recommendation.action,
                "rationale": recommendation.rationale,
            },
        )
        said[recommendation.id] = texts
        anchor = f"rec-{recommendation.rank}"
        anchors[recommendation.id] = (anchor, texts["title"])
        for point in recommendation.sub_points:
            point_texts = wording.entry(
                "recommendation", point.id, {"title": point.title, "action": point.action}
            )
            said[f"{recommendation.id}/{point.id}"] = point_texts
            anchors.setdefault(point.id, (anchor, point_texts["title"]))
    dues = _when_due(result.recommendations, stage, language)
    dependents = needed_by(result.recommendations)
    return [
        _step(r, said, anchors, ruleset, language, when, dependents.get(r.id, []))
        for r, when in zip(result.recommendations, dues, strict=True)
    ]


def _when_due(
    recommendations: Sequence[Recommendation], stage: int, language: Language
) -> list[str]:
    """When each recommendation is due, in words (`engine.runtime.ranking.due_runs`)."""
    return [due_heading(kind, phase, language) for kind, phase in due_runs(recommendations, stage)]


def recommendation_groups(steps: Sequence[Step]) -> list[StepGroup]:
    """The recommendations in runs due at the same time, each under its heading, in rank order."""
    groups: list[StepGroup] = []
    for place, step in enumerate(steps, start=1):
        heading = step.when or ""
        if not groups or groups[-1].heading != heading:
            groups.append(StepGroup(heading, step.rank or place, []))
        groups[-1].steps.append(step)
    return groups


def _step(
    recommendation: Recommendation,
    said: Mapping[str, Mapping[str, Said]],
    anchors: Mapping[str, tuple[str, Said]],
    ruleset: Ruleset,
    language: Language,
    when: str,
    dependents: Sequence[Recommendation],
) -> Step:
    texts = said[recommendation.id]
    anchor = anchors[recommendation.id][0]
    return Step(
        id=recommendation.id,
        anchor=anchor,
        title=texts["title"],
        action=texts["action"],
        rationale=texts["rationale"],
        owner=_word(OWNERS, recommendation.owner, language),
        rank=recommendation.rank,
        priority=recommendation.priority,
        priority_name=_word(PRIORITIES, recommendation.priority, language),
        phase_step=step_words(recommendation, language),
        after=[anchors[a] for a in recommendation.after if a in anchors],
        before=[anchors[d.id] for d in dependents],
        sub_points=[
            Step(
                id=point.id,
                anchor=anchor,
                title=said[f"{recommendation.id}/{point.id}"]["title"],
                action=said[f"{recommendation.id}/{point.id}"]["action"],
                rationale=None,
                owner=_word(OWNERS, point.owner, language),
                priority=point.priority,
                priority_name=_word(PRIORITIES, point.priority, language)
                if point.priority
                else None,
            )
            for point in recommendation.sub_points
        ],
        sources=_citations(ruleset, recommendation.sources),
        when=when,
    )


def _unanswered_questions(
    request: AssessmentRequest, questionnaire: Questionnaire, ruleset: Ruleset
) -> list[tuple[str, list[str]]]:
    """The scored questions that apply and were answered "don't know", by area."""
    values = values_of(request)
    names = _area_names(questionnaire)
    by_area: dict[str, list[str]] = {}
    for question in questionnaire.questions:
        if not question.scored or question.dimension is None:
            continue
        if values.get(question.path, "unknown") != "unknown":
            continue
        scoped = ruleset.scope.get(question.path)
        if scoped is not None and values.get(scoped[0]) not in scoped[1]:
            continue
        area = names.get(question.dimension, question.dimension)
        by_area.setdefault(area, []).append(question.text)
    return list(by_area.items())


def _areas(result: AssessmentResult, names: Mapping[str, str], language: Language) -> list[AreaRow]:
    """The dimensions that apply to the intervention, in the result's order."""
    return [
        AreaRow(
            dimension=d.dimension,
            name=names.get(d.dimension, d.dimension),
            level=d.level,
            level_name=_word(LEVELS, d.level, language),
            value=d.score,
            score=number(d.score, language),
            answered=d.answered,
            total=d.total,
            answered_text=say("of", language, part=d.answered, whole=d.total),
        )
        for d in result.readiness.dimensions
        if d.total > 0
    ]


def _area_chart(
    areas: Sequence[AreaRow], ruleset: Ruleset, language: Language
) -> tuple[Markup, str]:
    """The areas' scores as bars, with the levels' thresholds marked; and its caption."""
    scoring = ruleset.scoring
    caption = say(
        "dimensions_desc",
        language,
        partly=number(scoring.partly_ready_at, language),
        ready=number(scoring.ready_at, language),
    )
    chart = score_bars(
        "areas",
        say("dimensions", language),
        caption + " " + "; ".join(f"{a.name}: {a.score} ({a.level_name})" for a in areas),
        [Bar(a.name, a.value, a.score, f"bar-{a.level}") for a in areas],
        say("no_score", language),
        marks=(
            (scoring.partly_ready_at, say("threshold_partly", language)),
            (scoring.ready_at, say("threshold_ready", language)),
        ),
    )
    return chart, caption


def build_report(
    result: AssessmentResult,
    ruleset: Ruleset,
    questionnaire: Questionnaire,
    language: Language,
    request: AssessmentRequest | None = None,
) -> ReportView:
    """The report of `result` in `language`.

    Args:
        result: The assessment's result (its texts in `result.language`).
        ruleset: The rules serving now, for the texts in `language` and the sources' titles.
        questionnaire: The questionnaire in `language`, for the areas' names and the questions.
        language: The reader's language.
        request: The answers, when at hand: the unanswered questions are then listed.
    """
    wording = Wording(ruleset, result.language, language)
    readiness = result.readiness
    names = _area_names(questionnaire)
    areas = _areas(result, names, language)
    chart, caption = _area_chart(areas, ruleset, language)
    gap_titles = {gap.id: wording.rule(gap.id, gap.title) for gap in result.gaps}

    def finding(
        gap_id: str,
        title: Said,
        severity: str,
        kind: str | None,
        area: str,
        sources: Sequence[Citation],
    ) -> Finding:
        return Finding(
            gap_id,
            title,
            severity,
            kind,
            names.get(area, area),
            _citations(ruleset, sources),
        )

    gaps = [
        finding(g.id, gap_titles[g.id], g.severity, g.kind, g.dimension, g.sources)
        for g in result.gaps
    ]
    questions = _unanswered_questions(request, questionnaire, ruleset) if request else None
    stage = max(1, min(readiness.stage, 4))
    implemented = None
    if readiness.implemented is not None:
        implemented = say(
            "implemented_yes" if readiness.implemented else "implemented_no", language
        )

    def described(kind: str, items: Sequence[Any]) -> list[Described]:
        out = []
        for item in items:
            texts = wording.entry(
                kind, item.id, {"title": item.title, "description": item.description}
            )
            out.append(Described(item.id, texts["title"], texts["description"]))
        return out

    view = ReportView(
        language=language,
        level=readiness.level,
        level_name=_word(LEVELS, readiness.level, language),
        score=number(readiness.score, language),
        firmness=firmness(result.readiness, language),
        capped_by=[
            gap_titles.get(gap_id) or Said(gap_id, language) for gap_id in readiness.capped_by
        ],
        stage=stage,
        stage_text=say("stage_text", language, stage=stage, name=PHASE_NAMES[stage][language]),
        steps_left=steps_left_text(readiness, language),
        implemented=implemented,
        areas=areas,
        chart=chart,
        chart_caption=caption,
        recommendations=_steps(result, ruleset, wording, language, stage),
        findings=[g for g in gaps if g.kind != "unknown"],
        escalations=[
            finding(e.id, wording.rule(e.id, e.title), e.severity, None, e.dimension, e.sources)
            for e in result.escalations
        ],
        obstacles=described("obstacle", result.obstacles),
        strengths=described(
            "success_factor", [f for f in result.success_factors if f.status == "present"]
        ),
        factors_missing=described(
            "success_factor", [f for f in result.success_factors if f.status == "missing"]
        ),
        unknown_gaps=[g for g in gaps if g.kind == "unknown"],
        unanswered=[a for a in areas if a.answered < a.total],
        unanswered_questions=questions,
        unanswered_count=sum(len(texts) for _, texts in questions or ()),
    )
    cited = [c for step in view.recommendations for c in step.sources]
    cited += [c for item in (*gaps, *view.escalations) for c in item.sources]
    view.documents = _documents(ruleset, cited)
    view.mixed_languages = wording.kept
    return view


def _names(language: Language) -> dict[str, Any]:
    """The words the templates look up: labels, and the names of codes."""
    return {
        "texts": {name: words[language] for name, words in TEXTS.items()},
        "severity_names": {code: words[language] for code, words in SEVERITIES.items()},
        "kind_names": {code: words[language] for code, words in KINDS.items()},
        "level_names": {code: words[language] for code, words in LEVELS.items()},
    }


def _visible(page: Page, assessment_id: str) -> StoredAssessment:
    """The stored assessment if the session's key may read it; else the not-found page."""
    key = page.require_key("read")
    stored = page.runtime.repository.get(assessment_id, key.binding)
    if stored is None:
        raise PageError(404, "not-found", assessment_id)
    return stored


def _stored_result(stored: StoredAssessment, language: Language) -> AssessmentResult:
    """The stored result as a typed model.

    Raises:
        PageError: 500 when it no longer reads as a result (stored by a version whose results
            differ); the page says where the API gives it as it was stored.
    """
    try:
        return AssessmentResult.model_validate_json(stored.result_json)
    except ValidationError as error:
        message = say("unreadable", language, path=f"/v1/assessments/{stored.id}")
        raise PageError(500, "unreadable", message) from error


@get("/assessments/{assessment_id:str}", include_in_schema=False, sync_to_thread=True)
def stored_report(
    assessment_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
) -> Template:
    """The report of a stored assessment the session's key may read."""
    page = Page(request, runtime, start=False)
    stored = _visible(page, assessment_id)
    language = page.language
    served = page.served
    key = page.key
    assert key is not None  # noqa: S101 - _visible signed the session in
    view = build_report(
        _stored_result(stored, language),
        served.engine.ruleset,
        served.questionnaires.of(language),
        language,
        _stored_answers(runtime, stored.id, key.binding),
    )
    history = runtime.repository.gap_history(
        stored.organisation_id, stored.intervention, key.binding, upto=stored.id
    )
    return page.render(
        "report.html",
        view=view,
        meta={
            "organisation": stored.organisation_name or stored.organisation_id,
            "region": stored.region,
            "intervention": stored.intervention,
            "assessed": long_date(stored.made_at, language),
            "rules": stored.ruleset_version,
            "stored": True,
        },
        compare=(
            page.link(f"/assessments/{stored.id}/compare")
            if any(entry.id != stored.id for entry in history)
            else None
        ),
        **_names(language),
    )


def _stored_answers(
    runtime: Runtime, assessment_id: str, binding: Binding
) -> AssessmentRequest | None:
    """A stored assessment's answers, when they still read under today's questionnaire."""
    found = runtime.repository.answers_of(assessment_id, binding)
    if found is None:
        return None
    try:
        return AssessmentRequest.model_validate_json(found)
    except ValidationError:
        return None  # stored under an earlier schema: the report gives the counts alone


def _session_result(page: Page) -> tuple[AssessmentResult, AssessmentRequest | None] | None:
    """The session's last unstored result and its answers, if it holds one that still reads."""
    held = None if page.state is None else page.state.result
    if not held or not isinstance(held.get("result"), dict):
        return None
    try:
        result = AssessmentResult.model_validate(held["result"])
    except ValidationError:
        return None
    try:
        answers = AssessmentRequest.model_validate(held.get("request") or {})
    except ValidationError:
        answers = None
    return result, answers


@get("/report", include_in_schema=False, sync_to_thread=True)
def session_report(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
) -> Template:
    """The report of the session's last assessment that was not stored."""
    page = Page(request, runtime, start=False)
    language = page.language
    held = _session_result(page)
    if held is None:
        return page.render(
            "report_missing.html",
            title=TEXTS["none_title"][language],
            message=TEXTS["none_text"][language],
            target=page.link("/questionnaire"),
            target_text=TEXTS["to_questionnaire"][language],
        )
    result, answers = held
    served = page.served
    view = build_report(
        result,
        served.engine.ruleset,
        served.questionnaires.of(language),
        language,
        answers,
    )
    organisation = answers.organisation if answers is not None else None
    intervention = answers.intervention if answers is not None else None
    return page.render(
        "report.html",
        view=view,
        meta={
            "organisation": (organisation.name or organisation.id) if organisation else None,
            "region": organisation.region if organisation else None,
            "intervention": (intervention.name or None) if intervention else None,
            "assessed": None,
            "rules": result.ruleset.version,
            "stored": False,
        },
        compare=None,
        **_names(language),
    )


@dataclass(frozen=True, slots=True)
class Change:
    """A gap or recommendation that came, went or stayed, in words."""

    title: Said
    severity: str | None = None
    severity_before: str | None = None
    since: str | None = None
    days: str | None = None


def _phase(stage: int | None, language: Language) -> str:
    """The phase an organisation was in, numbered and named; a dash for a result without one."""
    return "–" if stage is None else f"{stage}. {PHASE_NAMES[stage][language]}"


@get("/assessments/{assessment_id:str}/compare", include_in_schema=False, sync_to_thread=True)
def compare(
    assessment_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
) -> Template:
    """What changed since the organisation's previous assessment of the same intervention."""
    page = Page(request, runtime, start=False)
    current = _visible(page, assessment_id)
    language = page.language
    key = page.key
    assert key is not None  # noqa: S101 - _visible signed the session in
    repository = runtime.repository
    history = repository.gap_history(
        current.organisation_id, current.intervention, key.binding, upto=current.id
    )
    earlier_ones = [entry for entry in history if entry.id != current.id]
    earlier = repository.get(earlier_ones[-1].id, key.binding) if earlier_ones else None
    report = page.link(f"/assessments/{current.id}")
    if earlier is None:
        return page.render(
            "report_missing.html",
            title=TEXTS["nothing_to_compare"][language],
            message=TEXTS["first"][language],
            target=report,
            target_text=TEXTS["back_to_report"][language],
        )
    return page.render(
        "compare.html",
        report=report,
        **_comparison(runtime, request, current, earlier, history, language),
        **_names(language),
    )


def _comparison(
    runtime: Runtime,
    request: Request[Any, Any, Any],
    current: StoredAssessment,
    earlier: StoredAssessment,
    history: list[HistoryEntry],
    language: Language,
) -> dict[str, Any]:
    """The template's context for the comparison of `current` with `earlier`."""
    found = delta(current, earlier, history)
    served = runtime.served_for(request)
    ruleset = served.engine.ruleset
    now = Wording(ruleset, current.language, language)
    before = Wording(ruleset, earlier.language, language)
    names = _area_names(served.questionnaires.of(language))
    later_day, earlier_day = (
        long_date(current.made_at, language),
        long_date(earlier.made_at, language),
    )
    rows = [
        PairedBar(
            names.get(d["dimension"], d["dimension"]),
            d["before"],
            d["after"],
            number(d["before"], language),
            number(d["after"], language),
        )
        for d in found["dimensions"]
    ]
    legend = (
        f"{TEXTS['earlier'][language]} ({earlier_day})",
        f"{TEXTS['later'][language]} ({later_day})",
    )
    chart = paired_bars(
        "change",
        TEXTS["change_chart"][language],
        "; ".join(f"{r.label}: {r.before_shown} → {r.after_shown}" for r in rows),
        rows,
        legend,
        TEXTS["no_score"][language],
    )
    current_result = _stored_result(current, language)
    # A recommendation new since the earlier assessment may be a sub-point of a place.
    titles = {
        e.id: now.entry("recommendation", e.id, {"title": e.title})["title"]
        for _, e in current_result.given()
    }
    readiness = found["readiness"]
    return {
        "meta": {
            "organisation": current.organisation_name or current.organisation_id,
            "region": current.region,
            "intervention": current.intervention,
        },
        "between": say(
            "between",
            language,
            later=later_day,
            earlier=earlier_day,
            span=span_of_days(found["days_between"], language),
        ),
        "legend": legend,
        "overall": {
            "before": number(readiness["before"], language),
            "after": number(readiness["after"], language),
            "change": _signed(readiness["change"], language),
            "level_before": readiness["level_before"],
            "level_after": readiness["level_after"],
            "stage_before": _phase(readiness["stage_before"], language),
            "stage_after": _phase(readiness["stage_after"], language),
        },
        "chart": chart,
        "rows": [
            {
                "name": row.label,
                "before": row.before_shown,
                "after": row.after_shown,
                "change": _signed(d["change"], language),
                "level_before": d["level_before"],
                "level_after": d["level_after"],
            }
            for row, d in zip(rows, found["dimensions"], strict=True)
        ],
        "gaps_closed": [
            Change(before.rule(g["id"], g["title"]), g["severity"]) for g in found["gaps_closed"]
        ],
        "gaps_new": [
            Change(now.rule(g["id"], g["title"]), g["severity"]) for g in found["gaps_new"]
        ],
        "gaps_persisting": [
            Change(
                now.rule(g["id"], g["title"]),
                g["severity"],
                g["severity_before"],
                long_date(datetime.fromisoformat(g["open_since"]), language),
                span_of_days(g["days_open"], language),
            )
            for g in found["gaps_persisting"]
        ],
        "recommendations_new": [
            Change(titles[r]) for r in found["recommendations_new"] if r in titles
        ],
        "recommendations_gone": [
            Change(before.entry("recommendation", r["id"], {"title": r["title"]})["title"])
            for r in found["recommendations_no_longer_needed"]
        ],
        "mixed_languages": now.kept or before.kept,
    }


def _signed(change: float | None, language: Language) -> str:
    if change is None:
        return "–"
    shown = number(abs(change), language)
    return f"+{shown}" if change > 0 else (f"−{shown}" if change < 0 else "±0")


def report_handlers() -> list[Any]:
    """The report pages."""
    return [stored_report, session_report, compare]
