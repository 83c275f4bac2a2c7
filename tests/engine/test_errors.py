"""The engine's exceptions share one base, and keep the built-in bases callers already catch."""

from __future__ import annotations

import inspect

import pytest

import engine
from engine import errors
from engine.errors import ConditionError, EvaluationError, InvalidRulesetError, ReadinessError
from tests.conftest import RulesFolder


def test_every_exception_of_the_engine_is_a_readiness_error() -> None:
    raised = [
        obj
        for obj in vars(errors).values()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    ]
    assert {c.__name__ for c in raised} == {
        "ConditionError",
        "EvaluationError",
        "InvalidRulesetError",
        "ReadinessError",
        "RoundAnswerError",
        "RoundFileError",
    }
    assert all(issubclass(c, ReadinessError) for c in raised)
    assert "ReadinessError" in engine.__all__


def test_the_built_in_bases_stay() -> None:
    assert issubclass(ConditionError, ValueError)
    assert issubclass(EvaluationError, RuntimeError)
    assert issubclass(errors.RoundFileError, ValueError)
    assert issubclass(errors.RoundAnswerError, ValueError)


def test_a_broken_rules_folder_is_caught_as_a_readiness_error(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/broken.yaml", "id: [unclosed\n")
    with pytest.raises(ReadinessError) as caught:
        engine.load_ruleset(rules_copy.root)
    assert isinstance(caught.value, InvalidRulesetError)
    assert caught.value.errors[0].code == "yaml-syntax"
