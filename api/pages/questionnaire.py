"""The questionnaire pages: the assessment as forms, one part at a time, a review, and submitting it.

Every part is made from the questionnaire the API serves (`GET /v1/questionnaire`): its sections,
question texts and allowed answers, in the page's language. Answers are kept server-side in the
session's draft (flat, by field path) each time a part is sent, so that the draft survives a reload
or another page; `pages.js` may also save it as answers change (`POST /questionnaire/draft`).
Submitting evaluates the draft with the engine, and with `store` stores it exactly as
`POST /v1/assessments?store=true` does.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import anyio
import anyio.to_thread
from litestar import MediaType, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template
from pydantic import ValidationError

from api.assessments import store_assessment
from api.pages.common import (
    Form,
    Page,
    PageError,
    nested,
    page_language,
    redirect,
    texts_in,
    with_lang,
)
from api.problems import ProblemError
from api.runtime import Runtime
from schemas.assessment import AssessmentRequest
from schemas.problem import FieldError
from schemas.questionnaire import Question, Questionnaire
from schemas.vocabulary import Language
from schemas.words import PHASE_NAMES
from schemas.words import TEXTS as WORDS

__all__ = [
    "PARTS",
    "Part",
    "build_request",
    "counts",
    "parts_of",
    "questionnaire_handlers",
    "read_answers",
]


PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("organisation", ("organisation", "intervention")),
    ("leadership", ("leadership",)),
    ("competence", ("competence",)),
    ("organisation_setup", ("organisation_setup",)),
    ("culture", ("culture",)),
    ("context", ("context",)),
    ("process", ("process",)),
    ("risks", ("risks",)),
    ("strengths", ("strengths",)),
)
"""The parts in order, each with the sections of the assessment it asks. The agreement section
is left out: an assessment round sets it from the answers of several roles."""

REVIEW = "review"
"""The last part: completeness, and submitting."""

PLACE = "@part"
"""Key of the draft holding the part last sent, where the questionnaire resumes (not a field)."""

UNANSWERED = frozenset({"", "unknown"})
"""Values that leave a question unanswered."""

_STEP = re.compile(r"^process\.step_(\d+)$")
_IDENTIFIER = r"^[A-Za-z0-9._:-]+$"

TEXTS: dict[str, dict[Language, str]] = {
    "title": {"sv": "Självskattning", "da": "Selvevaluering", "en": "Questionnaire"},
    "intro": {
        "sv": (
            "Svara på det ni vet. Vet ni inte, låt ”Vet inte” stå kvar: det sänker "
            "fullständigheten men räknas aldrig som ett nej. Svaren sparas som utkast varje gång "
            "ni går vidare."
        ),
        "da": (
            "Svar på det, I ved. Ved I det ikke, så lad ”Ved ikke” stå: det sænker "
            "fuldstændigheden, men tæller aldrig som et nej. Svarene gemmes som kladde, hver gang "
            "I går videre."
        ),
        "en": (
            "Answer what you know. If you do not know, leave “Don't know” selected: it lowers "
            "completeness but never counts as a no. The answers are saved as a draft each time "
            "you move on."
        ),
    },
    "parts": {"sv": "Delar", "da": "Dele", "en": "Parts"},
    "part_of": {
        "sv": "Del {n} av {total}",
        "da": "Del {n} af {total}",
        "en": "Part {n} of {total}",
    },
    "organisation_part": {
        "sv": "Organisation och arbetssätt",
        "da": "Organisation og indsats",
        "en": "Organisation and intervention",
    },
    "review": {"sv": "Granska och skicka", "da": "Gennemse og send", "en": "Review and submit"},
    "answered_part": {
        "sv": "{answered} av {total} frågor besvarade i den här delen",
        "da": "{answered} af {total} spørgsmål besvaret i denne del",
        "en": "{answered} of {total} questions answered in this part",
    },
    "answered_all": {
        "sv": "{answered} av {total} frågor besvarade totalt",
        "da": "{answered} af {total} spørgsmål besvaret i alt",
        "en": "{answered} of {total} questions answered in all",
    },
    "next": {"sv": "Spara och fortsätt", "da": "Gem og fortsæt", "en": "Save and continue"},
    "previous": {
        "sv": "Spara och gå tillbaka",
        "da": "Gem og gå tilbage",
        "en": "Save and go back",
    },
    "save": {"sv": "Spara utkastet", "da": "Gem kladden", "en": "Save the draft"},
    "saved": {"sv": "Utkastet är sparat.", "da": "Kladden er gemt.", "en": "The draft is saved."},
    "to_review": {
        "sv": "Spara och granska",
        "da": "Gem og gennemse",
        "en": "Save and review",
    },
    "step_help": {
        "sv": "Steg {step} i fas {phase}",
        "da": "Trin {step} i fase {phase}",
        "en": "Step {step} of phase {phase}",
    },
    "more_process": {
        "sv": "Plan, analys och uppföljning",
        "da": "Plan, analyse og opfølgning",
        "en": "Plan, analysis and follow-up",
    },
    "steps_intro": {
        "sv": "De fjorton kritiska stegen i implementeringen, i ordning och fas för fas.",
        "da": "Implementeringens fjorten kritiske trin, i rækkefølge og fase for fase.",
        "en": "The fourteen critical steps of implementation, in order and phase by phase.",
    },
    "phase_source": {"sv": "Källa", "da": "Kilde", "en": "Source"},
    "id_help": {
        "sv": "Behövs för att spara. Bokstäver, siffror och . _ : - utan mellanslag, högst 64 tecken.",
        "da": "Skal bruges for at gemme. Bogstaver, tal og . _ : - uden mellemrum, højst 64 tegn.",
        "en": "Needed to store. Letters, digits and . _ : - without spaces, at most 64 characters.",
    },
    "region_help": {
        "sv": "Skriv regionen exakt så som er nyckel anger den. Lämnas fältet tomt används nyckelns region.",
        "da": "Skriv regionen præcis, som jeres nøgle angiver den. Er feltet tomt, bruges nøglens region.",
        "en": "Write the region exactly as your key names it. Left empty, the key's region is used.",
    },
    "units_help": {
        "sv": "Ett heltal från 0 till 1000.",
        "da": "Et heltal fra 0 til 1000.",
        "en": "A whole number from 0 to 1000.",
    },
    "errors_title": {
        "sv": "Något behöver rättas",
        "da": "Noget skal rettes",
        "en": "Something needs correcting",
    },
    "error_value-not-allowed": {
        "sv": "Välj ett av svarsalternativen.",
        "da": "Vælg en af svarmulighederne.",
        "en": "Choose one of the answers.",
    },
    "error_too-long": {
        "sv": "Skriv högst {maximum} tecken.",
        "da": "Skriv højst {maximum} tegn.",
        "en": "Write at most {maximum} characters.",
    },
    "error_pattern-mismatch": {
        "sv": "Använd bara bokstäver a–z, siffror och tecknen . _ : - utan mellanslag.",
        "da": "Brug kun bogstaverne a–z, tal og tegnene . _ : - uden mellemrum.",
        "en": "Use only the letters a–z, digits and the characters . _ : - without spaces.",
    },
    "error_wrong-type": {
        "sv": "Skriv ett heltal, till exempel 3.",
        "da": "Skriv et heltal, for eksempel 3.",
        "en": "Write a whole number, for example 3.",
    },
    "error_out-of-range": {
        "sv": "Skriv ett tal från {minimum} till {maximum}.",
        "da": "Skriv et tal fra {minimum} til {maximum}.",
        "en": "Write a number from {minimum} to {maximum}.",
    },
    "error_invalid": {
        "sv": "Svaret kan inte användas; ändra det.",
        "da": "Svaret kan ikke bruges; ret det.",
        "en": "The answer cannot be used; change it.",
    },
    "review_intro": {
        "sv": "Så här mycket har ni besvarat. Obesvarade frågor räknas som ”Vet inte”.",
        "da": "Så meget har I besvaret. Ubesvarede spørgsmål tæller som ”Ved ikke”.",
        "en": "This is how much you have answered. Unanswered questions count as “Don't know”.",
    },
    "part": {"sv": "Del", "da": "Del", "en": "Part"},
    "count": {
        "sv": "{answered} av {total}",
        "da": "{answered} af {total}",
        "en": "{answered} of {total}",
    },
    "answered": {"sv": "Besvarade", "da": "Besvarede", "en": "Answered"},
    "questions": {"sv": "Frågor", "da": "Spørgsmål", "en": "Questions"},
    "change": {"sv": "Ändra", "da": "Ret", "en": "Change"},
    "all_parts": {"sv": "Alla delar", "da": "Alle dele", "en": "All parts"},
    "unanswered": {
        "sv": "Obesvarade frågor",
        "da": "Ubesvarede spørgsmål",
        "en": "Unanswered questions",
    },
    "unanswered_count": {
        "sv": "{n} av {total} obesvarade",
        "da": "{n} af {total} ubesvarede",
        "en": "{n} of {total} unanswered",
    },
    "unanswered_intro": {
        "sv": "Öppna en del för att se vilka frågor som står på ”Vet inte” eller saknar svar.",
        "da": "Åbn en del for at se, hvilke spørgsmål der står på ”Ved ikke” eller mangler svar.",
        "en": "Open a part to see which questions are left at “Don't know” or without an answer.",
    },
    "the_case": {"sv": "Det som bedöms", "da": "Det, der vurderes", "en": "What is assessed"},
    "not_given": {"sv": "Inte angivet", "da": "Ikke angivet", "en": "Not given"},
    "store": {
        "sv": "Spara bedömningen, så att den kan jämföras med senare bedömningar",
        "da": "Gem vurderingen, så den kan sammenlignes med senere vurderinger",
        "en": "Store the assessment, so that it can be compared with later ones",
    },
    "store_help": {
        "sv": "Kräver inloggning med en nyckel som får göra bedömningar, och organisationens id.",
        "da": "Kræver login med en nøgle, der må lave vurderinger, og organisationens id.",
        "en": "Needs signing in with a key that may assess, and the organisation's id.",
    },
    "submit": {
        "sv": "Skicka och visa rapporten",
        "da": "Send og vis rapporten",
        "en": "Submit and see the report",
    },
    "sign_in_to_submit": {
        "sv": "Logga in med en API-nyckel för att skicka.",
        "da": "Log ind med en API-nøgle for at sende.",
        "en": "Sign in with an API key to submit.",
    },
    "start_over": {"sv": "Börja om", "da": "Begynd forfra", "en": "Start over"},
    "start_over_help": {
        "sv": "Tömmer utkastet; svaren går inte att få tillbaka.",
        "da": "Tømmer kladden; svarene kan ikke hentes tilbage.",
        "en": "Empties the draft; the answers cannot be brought back.",
    },
    "store_organisation-required": {
        "sv": "Ange organisationens id för att spara bedömningen, eller skicka utan att spara.",
        "da": "Angiv organisationens id for at gemme vurderingen, eller send uden at gemme.",
        "en": "Give the organisation's id to store the assessment, or submit without storing.",
    },
    "store_outside-binding": {
        "sv": "Nyckeln får bara spara för sin egen organisation eller region. Rätta organisation eller region, eller skicka utan att spara.",
        "da": "Nøglen må kun gemme for sin egen organisation eller region. Ret organisation eller region, eller send uden at gemme.",
        "en": "The key may store only for its own organisation or region. Correct the organisation or region, or submit without storing.",
    },
    "store_organisation-in-other-region": {
        "sv": "Organisationen är redan sparad under en annan region. Ange samma region som tidigare.",
        "da": "Organisationen er allerede gemt under en anden region. Angiv samme region som før.",
        "en": "The organisation is already stored under another region. Give the same region as before.",
    },
    "store_failed": {
        "sv": "Bedömningen kunde inte sparas.",
        "da": "Vurderingen kunne ikke gemmes.",
        "en": "The assessment could not be stored.",
    },
}
"""The questionnaire pages' texts, in each language."""

PHASES: dict[int, dict[Language, str]] = {
    phase: {
        language: f"{WORDS['stage'][language]} {phase}. {name}" for language, name in names.items()
    }
    for phase, names in PHASE_NAMES.items()
}
"""The four phases of the fourteen steps as the report names them: "Fas 1. Initial bedömning"."""

PHASE_SOURCE = "kunskapsguiden-implementering"
"""The source of the phases and steps; its locators are `Fas N. <name>`."""
PHASE_LOCATORS = {
    1: "Fas 1. Initial bedömning",
    2: "Fas 2. Struktur för implementering",
    3: "Fas 3. Genomförande",
    4: "Fas 4. Lära och förbättra",
}

HELP: dict[str, str] = {
    "organisation.id": "id_help",
    "organisation.region": "region_help",
    "organisation.units_involved": "units_help",
}
"""Texts under the questions that need one, by path."""


@dataclass(frozen=True, slots=True)
class Block:
    """Questions shown together under one heading (none: directly under the part's)."""

    heading: str | None
    questions: tuple[Question, ...]
    level: int = 2
    note: str | None = None
    """A line under the heading."""


@dataclass(frozen=True, slots=True)
class Part:
    """One page of the questionnaire."""

    slug: str
    title: str
    questions: tuple[Question, ...]
    blocks: tuple[Block, ...]


@dataclass
class FieldProblem:
    """An answer that cannot be kept: the reason (a `FieldError` type) and the limits it broke."""

    path: str
    reason: str
    limits: dict[str, Any] = field(default_factory=dict)


def _texts(language: Language) -> dict[str, str]:
    return texts_in(TEXTS, language)


def _in_sections(question: Question, sections: tuple[str, ...]) -> bool:
    return question.path.split(".", 1)[0] in sections


def _blocks(
    questionnaire: Questionnaire, sections: tuple[str, ...], questions: list[Question]
) -> tuple[Block, ...]:
    """Headings and their questions: a part of several sections heads each; sub-groups too."""
    titles = {s.path: s.title for s in questionnaire.sections}
    language = questionnaire.language
    several = len(sections) > 1
    blocks: list[Block] = []
    for section in sections:
        own = [q for q in questions if q.group == section]
        if section == "process":
            steps = [q for q in own if _STEP.match(q.path)]
            for phase in sorted({q.phase for q in steps if q.phase is not None}):
                blocks.append(
                    Block(
                        PHASES[phase][language],
                        tuple(q for q in steps if q.phase == phase),
                        note=TEXTS["steps_intro"][language] if phase == 1 else None,
                    )
                )
            rest = tuple(q for q in own if not _STEP.match(q.path))
            if rest:
                blocks.append(Block(TEXTS["more_process"][language], rest))
            continue
        if own:
            blocks.append(
                Block(titles[section] if several else None, tuple(own), level=2 if several else 1)
            )
        for group in dict.fromkeys(q.group for q in questions if q.group.startswith(f"{section}.")):
            blocks.append(
                Block(
                    titles.get(group, group),
                    tuple(q for q in questions if q.group == group),
                    level=3 if several else 2,
                )
            )
    return tuple(blocks)


def parts_of(questionnaire: Questionnaire) -> tuple[Part, ...]:
    """The questionnaire cut into parts (see `PARTS`), in its language."""
    titles = {s.path: s.title for s in questionnaire.sections}
    parts = []
    for slug, sections in PARTS:
        questions = [q for q in questionnaire.questions if _in_sections(q, sections)]
        title = (
            TEXTS["organisation_part"][questionnaire.language]
            if slug == "organisation"
            else titles[slug]
        )
        parts.append(
            Part(slug, title, tuple(questions), _blocks(questionnaire, sections, questions))
        )
    return tuple(parts)


def check_answer(question: Question, raw: str) -> tuple[str | None, FieldProblem | None]:
    """The value to keep for `raw` (None: not given), or why it cannot be kept."""
    value = raw.strip()
    if value == "":
        return None, None
    if question.type == "choice":
        if value in {a.value for a in question.answers}:
            return value, None
        return None, FieldProblem(question.path, "value-not-allowed")
    if question.type == "integer":
        if not re.fullmatch(r"[+-]?\d{1,9}", value):
            return None, FieldProblem(question.path, "wrong-type")
        number = int(value)
        low, high = question.minimum, question.maximum
        if (low is not None and number < low) or (high is not None and number > high):
            return None, FieldProblem(
                question.path, "out-of-range", {"minimum": low, "maximum": high}
            )
        return str(number), None
    if question.max_length is not None and len(value) > question.max_length:
        return None, FieldProblem(question.path, "too-long", {"maximum": question.max_length})
    if question.pattern is not None and not re.search(question.pattern, value):
        return None, FieldProblem(question.path, "pattern-mismatch")
    return value, None


def read_answers(
    questions: Iterable[Question], form: Mapping[str, str]
) -> tuple[dict[str, str | None], list[FieldProblem]]:
    """The answers `form` gives to `questions` (None: cleared), and those that cannot be kept.

    A question the form does not name is left as it is (not in the answers).
    """
    answers: dict[str, str | None] = {}
    problems: list[FieldProblem] = []
    for question in questions:
        if question.path not in form:
            continue
        value, problem = check_answer(question, form[question.path])
        if problem is not None:
            problems.append(problem)
        else:
            answers[question.path] = value
    return answers, problems


def merged(draft: Mapping[str, str], answers: Mapping[str, str | None]) -> dict[str, str]:
    """The draft with `answers` set (None removes one)."""
    result = dict(draft)
    for path, value in answers.items():
        if value is None:
            result.pop(path, None)
        else:
            result[path] = value
    return result


def is_answered(draft: Mapping[str, str], question: Question) -> bool:
    """Whether the draft answers `question` (a value other than unknown)."""
    return draft.get(question.path, "") not in UNANSWERED


def counts(parts: Iterable[Part], draft: Mapping[str, str]) -> dict[str, tuple[int, int]]:
    """Answered and total questions per part, and overall under `""`."""
    found: dict[str, tuple[int, int]] = {}
    answered_all = total_all = 0
    for part in parts:
        answered = sum(1 for q in part.questions if is_answered(draft, q))
        found[part.slug] = (answered, len(part.questions))
        answered_all += answered
        total_all += len(part.questions)
    found[""] = (answered_all, total_all)
    return found


def build_request(parts: Iterable[Part], draft: Mapping[str, str]) -> AssessmentRequest:
    """The assessment the draft describes: every answered question set at its path.

    Raises:
        ValidationError: The draft does not make a valid assessment.
    """
    answered: dict[str, Any] = {}
    for part in parts:
        for question in part.questions:
            value = draft.get(question.path)
            if value is None or value == "":
                continue
            integer = question.type == "integer" and value.isdigit()
            answered[question.path] = int(value) if integer else value
    return AssessmentRequest.model_validate(nested(answered))


def _field_id(path: str) -> str:
    return "q-" + path.replace(".", "-").replace("_", "-")


def _message(problem: FieldProblem, language: Language) -> str:
    template = TEXTS.get(f"error_{problem.reason}", TEXTS["error_invalid"])[language]
    return template.format(**problem.limits)


def _error_list(
    problems: Iterable[FieldProblem], questions: Mapping[str, Question], language: Language
) -> list[dict[str, str]]:
    """Each problem as the error summary shows it: the field's id, its question, the message."""
    listed = []
    for problem in problems:
        question = questions.get(problem.path)
        listed.append(
            {
                "path": problem.path,
                "id": _field_id(problem.path),
                "question": question.text if question else problem.path,
                "message": _message(problem, language),
            }
        )
    return listed


class _Questionnaire:
    """One request's view of the questionnaire: its parts in the page's language, and the draft."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.language = page.language
        self.questionnaire = page.served.questionnaires.of(page.language)
        self.parts = parts_of(self.questionnaire)
        self.by_slug = {p.slug: p for p in self.parts}
        self.questions = {q.path: q for p in self.parts for q in p.questions}
        self.draft: dict[str, str] = {} if page.state is None else dict(page.state.draft)

    def part(self, slug: str) -> Part:
        found = self.by_slug.get(slug)
        if found is None:
            raise PageError(404, "not-found", slug)
        return found

    def neighbours(self, slug: str) -> tuple[str | None, str]:
        """The part before `slug` (None for the first) and after it (the review after the last)."""
        slugs = [p.slug for p in self.parts]
        index = slugs.index(slug)
        return (slugs[index - 1] if index else None), (
            slugs[index + 1] if index + 1 < len(slugs) else REVIEW
        )

    def save(self, draft: dict[str, str]) -> None:
        state = self.page.state
        if state is None:  # every caller checked the form's token, so there is a session
            raise PageError(403, "csrf", "form")
        self.page.runtime.pages.save_draft(state.token, draft)
        self.draft = draft

    def context(self, current: str) -> dict[str, Any]:
        """What every part and the review show: the parts with their counts, and the texts."""
        found = counts(self.parts, self.draft)
        return {
            "texts": _texts(self.language),
            "parts": [
                {
                    "slug": p.slug,
                    "title": p.title,
                    "href": self.page.link(f"/questionnaire/{p.slug}"),
                    "answered": found[p.slug][0],
                    "total": found[p.slug][1],
                    "current": p.slug == current,
                }
                for p in self.parts
            ],
            "review_href": self.page.link(f"/questionnaire/{REVIEW}"),
            "overall": found[""],
            "counts": found,
        }

    def render_part(
        self,
        slug: str,
        status: int = 200,
        problems: list[FieldProblem] | None = None,
        shown: Mapping[str, str] | None = None,
        saved: bool = False,
    ) -> Template:
        part = self.part(slug)
        previous, following = self.neighbours(slug)
        problems = problems or []
        errors = _error_list(problems, self.questions, self.language)
        values = {**self.draft, **(shown or {})}
        answered, total = counts([part], self.draft)[part.slug]
        number = [p.slug for p in self.parts].index(slug) + 1
        language = self.language
        source = self.page.served.engine.ruleset.sources.get(PHASE_SOURCE)
        return self.page.render(
            "questionnaire.html",
            status=status,
            part=part,
            number=number,
            previous=previous,
            following=following,
            values=values,
            errors=errors,
            errors_linked=[
                {"href": f"#{e['id']}", "message": f"{e['question']}: {e['message']}"}
                for e in errors
            ],
            error_by_path={e["path"]: e for e in errors},
            field_id=_field_id,
            help={path: TEXTS[name][language] for path, name in HELP.items()},
            step_help=TEXTS["step_help"][language],
            step_pattern=_STEP,
            part_answered=answered,
            part_total=total,
            elsewhere=self._answered_elsewhere(part),
            saved=saved,
            phase_source=None if source is None else source.title,
            phase_locators=PHASE_LOCATORS,
            **self.context(slug),
        )

    def _answered_elsewhere(self, part: Part) -> int:
        return counts(self.parts, self.draft)[""][0] - counts([part], self.draft)[part.slug][0]

    def render_review(
        self,
        status: int = 200,
        failures: list[dict[str, str]] | None = None,
        store_checked: bool = False,
    ) -> Template:
        runtime = self.page.runtime
        needs_key = not runtime.settings.assess_without_key
        described = []
        for path in (
            "organisation.id",
            "organisation.name",
            "organisation.region",
            "intervention.name",
        ):
            question = self.questions.get(path)
            if question is not None:
                described.append((question.text, self.draft.get(path)))
        unanswered = [
            {
                "title": part.title,
                "total": len(part.questions),
                "questions": [
                    (
                        q.text,
                        self.page.link(f"/questionnaire/{part.slug}") + f"#{_field_id(q.path)}",
                    )
                    for q in part.questions
                    if not is_answered(self.draft, q)
                ],
            }
            for part in self.parts
        ]
        return self.page.render(
            "questionnaire_review.html",
            status=status,
            failures=failures or [],
            described=described,
            unanswered=[u for u in unanswered if u["questions"]],
            can_submit=self.page.key is not None or not needs_key,
            sign_in_href=self.page.link("/login", next=f"/questionnaire/{REVIEW}"),
            store_checked=store_checked,
            **self.context(REVIEW),
        )


def _page(request: Request[Any, Any, Any], runtime: Runtime, start: bool) -> Page:
    return Page(request, runtime, start=start)


@get("/questionnaire", include_in_schema=False, sync_to_thread=True)
def questionnaire_start(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], lang: str | None = None
) -> Redirect:
    """The first part, or the part the draft was last sent from."""
    page = _page(request, runtime, start=False)
    place = page.state.draft.get(PLACE) if page.state is not None else None
    slugs = {slug for slug, _ in PARTS} | {REVIEW}
    target = place if place in slugs else PARTS[0][0]
    return redirect(page.link(f"/questionnaire/{target}"))


@get("/questionnaire/{part:str}", include_in_schema=False, sync_to_thread=True)
def questionnaire_part(
    part: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
) -> Template | Redirect:
    """One part's form, with the draft's answers; or the review."""
    page = _page(request, runtime, start=True)
    view = _Questionnaire(page)
    if part == REVIEW:
        return view.render_review()
    return view.render_part(part)


@get("/questionnaire/submit", include_in_schema=False, sync_to_thread=False)
def questionnaire_submitted(request: Request[Any, Any, Any], lang: str | None = None) -> Redirect:
    """The review: where signing in to submit, or reloading a refused submission, comes back to."""
    return Redirect(
        path=with_lang(f"/questionnaire/{REVIEW}", page_language(request)), status_code=303
    )


@post("/questionnaire/{part:str}", include_in_schema=False, status_code=303, sync_to_thread=True)
def questionnaire_save(
    part: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Template | Redirect:
    """Keep a part's answers in the draft, then go where the button said; errors stay on the part.

    The answers that can be kept are kept even when others cannot, so that nothing typed is lost
    but the invalid ones, which the form shows again as typed.
    """
    page = _page(request, runtime, start=False)
    page.check_form(data)
    view = _Questionnaire(page)
    chosen = view.part(part)
    answers, problems = read_answers(chosen.questions, data)
    action = data.get("action", "next")
    previous, following = view.neighbours(part)
    target = {"previous": previous or part, "save": part, "review": REVIEW}.get(action, following)
    draft = merged(view.draft, answers)
    draft[PLACE] = part if problems else target
    view.save(draft)
    if problems:
        shown = {p.path: data.get(p.path, "") for p in problems}
        return view.render_part(part, status=422, problems=problems, shown=shown)
    if action == "save":
        return view.render_part(part, status=200, saved=True)
    return redirect(page.link(f"/questionnaire/{target}"))


@post("/questionnaire/draft", include_in_schema=False, status_code=200, sync_to_thread=True)
def questionnaire_draft(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Save the answers a form holds as they change (`pages.js`); answer the counts as JSON.

    Valid answers are kept; invalid ones are answered with 422 `validation-failed` listing them.
    """
    page = _page(request, runtime, start=False)
    page.check_form(data)
    view = _Questionnaire(page)
    known = {k for k in data if k not in ("csrf", "action", "part")}
    unknown = sorted(known - set(view.questions))
    answers, problems = read_answers(view.questions.values(), data)
    draft = merged(view.draft, answers)
    if data.get("part") in view.by_slug:
        draft[PLACE] = data["part"]
    view.save(draft)
    errors = [
        FieldError(
            path=f"$.{name}",
            type="unknown-field",
            message=f"{name!r} is not a question of the questionnaire",
        )
        for name in unknown
    ] + [FieldError(path=f"$.{p.path}", type=p.reason, message=_message(p, "en")) for p in problems]
    if errors:
        raise ProblemError(
            422,
            "validation-failed",
            "the valid answers are saved; the ones listed are not",
            errors=errors,
        )
    found = counts(view.parts, draft)
    body = {
        "answered": found[""][0],
        "total": found[""][1],
        "parts": {slug: {"answered": a, "total": t} for slug, (a, t) in found.items() if slug},
    }
    return Response(
        content=json.dumps(body).encode(),
        media_type=MediaType.JSON,
        headers={"Cache-Control": "no-store"},
    )


@post("/questionnaire/reset", include_in_schema=False, status_code=303, sync_to_thread=True)
def questionnaire_reset(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Redirect:
    """Empty the draft and start from the first part."""
    page = _page(request, runtime, start=False)
    page.check_form(data)
    _Questionnaire(page).save({})
    return redirect(page.link(f"/questionnaire/{PARTS[0][0]}"))


def _failure(code: str, language: Language, link: str) -> dict[str, str]:
    message = TEXTS.get(f"store_{code}", TEXTS["store_failed"])[language]
    return {"message": message, "href": link}


@post("/questionnaire/submit", include_in_schema=False, status_code=303)
async def questionnaire_submit(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Evaluate the draft; store it when asked; go to its report.

    Stored: the stored assessment's report. Not stored: the result is kept in the session for
    `/report`. A draft that is not a valid assessment, or that cannot be stored, goes back to the
    review with what is wrong.
    """
    page = await anyio.to_thread.run_sync(lambda: _page(request, runtime, start=False))
    page.check_form(data)
    store = data.get("store") == "true"
    key = page.key
    if store or not runtime.settings.assess_without_key:
        key = page.require_key("assess")
    view = await anyio.to_thread.run_sync(lambda: _Questionnaire(page))
    language = page.language
    try:
        assessment = build_request(view.parts, view.draft)
    except ValidationError as exc:
        failures = []
        for error in exc.errors(include_url=False):
            path = ".".join(str(p) for p in error["loc"])
            slug = next((p.slug for p in view.parts if path in {q.path for q in p.questions}), "")
            href = page.link(f"/questionnaire/{slug or PARTS[0][0]}") + f"#{_field_id(path)}"
            question = view.questions.get(path)
            failures.append(
                {
                    "message": (question.text + ": " if question else "")
                    + TEXTS["error_invalid"][language],
                    "href": href,
                }
            )
        return await anyio.to_thread.run_sync(lambda: view.render_review(422, failures, store))
    if store:
        assert key is not None  # noqa: S101 - require_key returned it
        assert page.state is not None  # noqa: S101 - check_form refuses a form without a session
        # The same answers sent again from the same session (a double click, a resent form)
        # are the same assessment, as a retry with the API's Idempotency-Key is.
        once = hashlib.sha256(
            f"{page.state.token}\n{assessment.model_dump_json()}".encode()
        ).hexdigest()
        try:
            stored, _ = await store_assessment(
                runtime, request, assessment, key, language, idempotency_key=f"page-{once}"
            )
        except ProblemError as exc:
            field_path = {
                "organisation-required": "organisation.id",
                "outside-binding": "organisation.region",
                "organisation-in-other-region": "organisation.region",
            }.get(exc.code, "organisation.id")
            href = page.link("/questionnaire/organisation") + f"#{_field_id(field_path)}"
            failure, status = _failure(exc.code, language, href), exc.status
            return await anyio.to_thread.run_sync(
                lambda: view.render_review(status, [failure], store)
            )
        return redirect(with_lang(f"/assessments/{stored.id}", language))
    engine = runtime.engine_for(request)
    payload = await anyio.to_thread.run_sync(
        lambda: engine.assess_json(assessment, language=language)
    )
    kept = {"request": assessment.model_dump(mode="json"), "result": json.loads(payload)}
    state = page.state
    assert state is not None  # noqa: S101 - check_form refuses a form without a session
    await anyio.to_thread.run_sync(runtime.pages.save_result, state.token, kept)
    return redirect(with_lang("/report", language))


def questionnaire_handlers() -> list[Any]:
    """The questionnaire's pages and the form endpoints behind them."""
    return [
        questionnaire_start,
        questionnaire_part,
        questionnaire_draft,
        questionnaire_reset,
        questionnaire_submit,
        questionnaire_submitted,
        questionnaire_save,
    ]
