"""The questionnaire endpoint: every field of the assessment as a question a form can render.

With `role`, the form of one role of an assessment round: the questions asked of it.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter

from api.language import LANGUAGES, AcceptLanguage, LangQuery, negotiate
from api.openapi import problem_responses
from api.runtime import Questionnaires, Runtime
from engine import INDICATORS, RoundSpec, Ruleset, field_paths, phase_of_step
from schemas.assessment import AssessmentRequest
from schemas.questionnaire import AnswerOption, Question, Questionnaire, QuestionnaireSection
from schemas.vocabulary import Language, RoundRole

__all__ = ["build_questionnaires", "questionnaire_handlers"]


def _field_schemas() -> dict[str, dict[str, Any]]:
    """JSON schema of each leaf field of the request, by path, with `null` branches removed."""
    schema = AssessmentRequest.model_json_schema()
    defs = schema["$defs"]
    found: dict[str, dict[str, Any]] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for name, prop in node["properties"].items():
            path = f"{prefix}{name}"
            if "$ref" in prop:
                walk(defs[prop["$ref"].rsplit("/", 1)[1]], f"{path}.")
                continue
            branches = [b for b in prop.get("anyOf", [prop]) if b.get("type") != "null"]
            found[path] = {**prop, **branches[0]}

    walk(schema, "")
    return found


def _question(
    path: str,
    spec: dict[str, Any],
    ruleset: Ruleset,
    language: Language,
    roles: tuple[RoundRole, ...],
) -> Question:
    texts = ruleset.questionnaire
    asked = texts.questions[path]
    indicator = INDICATORS.get(path)
    answers: list[AnswerOption] = []
    if "enum" in spec:
        scale_name = indicator.scale.name if indicator else None
        labels = texts.scales.get(scale_name or "", {})
        answers = [
            AnswerOption(value=v, label=labels[v].in_(language) if v in labels else v)
            for v in spec["enum"]
        ]
    kind: Literal["choice", "text", "integer"] = (
        "choice" if answers else "integer" if spec.get("type") == "integer" else "text"
    )
    return Question(
        path=path,
        type=kind,
        scale=indicator.scale.name if indicator else ("choice" if answers else None),
        answers=answers,
        default=spec.get("default"),
        text=asked.text.in_(language),
        group=path.rsplit(".", 1)[0],
        dimension=indicator.dimension if indicator and indicator.scale.scored else None,
        scored=bool(indicator and indicator.scale.scored),
        step=asked.step,
        phase=phase_of_step(asked.step) if asked.step else None,
        level=asked.level,
        max_length=spec.get("maxLength"),
        pattern=spec.get("pattern"),
        minimum=spec.get("minimum"),
        maximum=spec.get("maximum"),
        roles=list(roles),
    )


def build_questionnaires(ruleset: Ruleset, rounds: RoundSpec) -> Questionnaires:
    """Build the questionnaire in every language, and each round role's form, once."""
    specs = _field_schemas()
    leaves, groups = field_paths()
    full: dict[Language, Questionnaire] = {}
    forms: dict[tuple[Language, RoundRole], Questionnaire] = {}
    for language in LANGUAGES:
        questions = [
            _question(p, specs[p], ruleset, language, rounds.roles_asked(p)) for p in leaves
        ]
        sections = [
            QuestionnaireSection(path=g, title=ruleset.questionnaire.groups[g].in_(language))
            for g in groups
        ]
        full[language] = Questionnaire(
            language=language,
            ruleset_version=ruleset.version,
            sections=sections,
            questions=questions,
        )
        for role in rounds.roles:
            asked = [q for q in questions if role in q.roles]
            forms[language, role] = Questionnaire(
                language=language,
                ruleset_version=ruleset.version,
                sections=[s for s in sections if any(_within(q.path, s.path) for q in asked)],
                questions=asked,
            )
    return Questionnaires(full, forms)


def _within(path: str, group: str) -> bool:
    return path.startswith(f"{group}.")


RoleQuery = Annotated[
    RoundRole | None,
    QueryParameter(
        description=(
            "Only the questions asked of this role in an assessment round (its form), with the "
            "sections that hold them"
        )
    ),
]


def questionnaire_handlers() -> list[HTTPRouteHandler]:
    """Build the handlers."""

    @get(
        "/v1/questionnaire",
        tags=["questionnaire"],
        summary="Get the questionnaire",
        description=(
            "Every field of the assessment as a question: path, type, allowed answers with "
            "labels, the question text, and the dimension, step/phase or level it belongs to. "
            "Setting each answered question's value at its path builds a valid assessment. "
            "Each question lists the roles asked it in an assessment round; `role` gives one "
            "role's form."
        ),
        operation_id="getQuestionnaire",
        sync_to_thread=False,
        responses=problem_responses(400),
    )
    def questionnaire(
        request: Request[Any, Any, Any],
        runtime: NamedDependency[Runtime],
        lang: LangQuery = None,
        accept_language: AcceptLanguage = None,
        role: RoleQuery = None,
    ) -> Response[Questionnaire]:
        language = negotiate(lang, accept_language)
        return Response(
            content=runtime.served_for(request).questionnaires.of(language, role),
            headers={"Content-Language": language},
        )

    return [questionnaire]
