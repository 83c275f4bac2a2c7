"""The readiness rules engine: load rule files, evaluate assessments, build ranked results."""

from engine.assess import Engine
from engine.errors import EvaluationError, InvalidRulesetError, RuleFileError
from engine.loader import default_rules_dir, load_ruleset
from engine.ruleset import Rule, Ruleset

__all__ = [
    "Engine",
    "EvaluationError",
    "InvalidRulesetError",
    "Rule",
    "RuleFileError",
    "Ruleset",
    "default_rules_dir",
    "load_ruleset",
]
