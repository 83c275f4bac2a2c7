"""The questionnaire: every field of the assessment as a question a form can render."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from schemas.vocabulary import Dimension, Language, RoundRole

__all__ = ["AnswerOption", "Question", "Questionnaire", "QuestionnaireSection"]


class _QuestionnaireView(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class AnswerOption(_QuestionnaireView):
    """One allowed answer."""

    value: str
    """The value to send."""
    label: str
    """What to show, in the chosen language."""


class Question(_QuestionnaireView):
    """One field of the assessment."""

    path: str
    """Dotted path of the field in `AssessmentRequest`, e.g. `leadership.support.tactical`."""
    type: Literal["choice", "text", "integer"]
    """How to ask it: pick one of `answers`, free text, or a whole number."""
    scale: str | None
    """For choices: the name of the answer scale."""
    answers: list[AnswerOption]
    """For choices: every allowed value, `unknown` (the default) last."""
    default: str | None
    """The value assumed when the field is left out."""
    text: str
    """The question, in the chosen language."""
    group: str
    """Path of the section or sub-group it belongs to."""
    dimension: Dimension | None
    """The readiness dimension it is scored in; null when it is not scored."""
    scored: bool
    """Whether the answer counts towards readiness."""
    step: int | None
    """Implementation step 1-14 it belongs to, if any."""
    phase: int | None
    """Implementation phase 1-4 of that step."""
    level: Literal["individual", "interpersonal", "institutional", "infrastructural"] | None
    """Implementation level (Danish framework) it belongs to, if any."""
    max_length: int | None = None
    """For text: the longest allowed answer."""
    pattern: str | None = None
    """For text: a regular expression the answer must match."""
    minimum: int | None = None
    """For integers: the smallest allowed value."""
    maximum: int | None = None
    """For integers: the largest allowed value."""
    roles: list[RoundRole]
    """The roles asked it in an assessment round (none: it describes the case, or is set by
    combining the round's answers)."""


class QuestionnaireSection(_QuestionnaireView):
    """A section or sub-group of the assessment."""

    path: str
    """Path of the group, e.g. `leadership` or `leadership.support`."""
    title: str
    """Heading in the chosen language."""


class Questionnaire(_QuestionnaireView):
    """Every question, in schema order; answers build an `AssessmentRequest` by path."""

    language: Language
    """Language of the texts."""
    ruleset_version: str
    """Version of the rule base the texts come from."""
    sections: list[QuestionnaireSection]
    """Headings of sections and sub-groups, in order."""
    questions: list[Question]
    """One per field of the assessment."""
