"""Errors the engine raises, each with a stable code a user can look up (see `schemas.codes`)."""

from __future__ import annotations

from dataclasses import dataclass

from schemas.codes import EvaluationCode, ProblemCode, RuleFileCode

__all__ = [
    "ConditionError",
    "EvaluationError",
    "InvalidRulesetError",
    "ReadinessError",
    "RoundAnswerError",
    "RoundFileError",
    "RuleFileError",
]


class ReadinessError(Exception):
    """Base of every exception the engine raises: `except ReadinessError` catches any of them."""


class ConditionError(ReadinessError, ValueError):
    """A `when` tree is invalid; `loc` is its path inside the rule file."""

    def __init__(self, code: RuleFileCode, message: str, loc: tuple[str | int, ...]) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.loc = loc


@dataclass(frozen=True, slots=True)
class RuleFileError:
    """One problem in one rule file: a record that `InvalidRulesetError` lists, never raised.

    Attributes:
        file: Path of the file, relative to the rules folder's parent when possible.
        line: 1-based line of the offending node (the nearest enclosing one when it is missing).
        code: Stable error code (see the README's table).
        message: What is wrong, naming the rule or entry.
        column: 1-based column of that node.
    """

    file: str
    line: int
    code: RuleFileCode
    message: str
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.code}: {self.message}"


class InvalidRulesetError(ReadinessError):
    """The rules folder has errors; `errors` lists every one found."""

    def __init__(self, errors: list[RuleFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


class EvaluationError(ReadinessError, RuntimeError):
    """Evaluating an assessment failed inside the engine.

    Attributes:
        code: Stable error code: `rule-action-failed` or `engine-failure`.
        rule: Id of the rule whose action failed, when known.
    """

    def __init__(self, code: EvaluationCode, message: str, rule: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.rule = rule


class RoundFileError(ReadinessError, ValueError):
    """The round file (`rules/rounds.yaml`) is invalid; the message names what and where."""

    code: RuleFileCode = "invalid-round-file"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RoundAnswerError(ReadinessError, ValueError):
    """A respondent's answers do not fit their role's form.

    Attributes:
        code: `field-not-in-form`, `answer-not-in-scale` or `invalid-answers`.
        loc: Where in the answers, as a path of keys.
    """

    def __init__(self, code: ProblemCode, message: str, loc: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.loc = loc
