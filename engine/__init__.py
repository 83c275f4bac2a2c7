"""The readiness rules engine: load rule files, evaluate assessments, build ranked results.

The package has three parts:

- `engine.runtime`: the evaluation path (the `Engine`, its two backends, scoring, ranking and the
  result's JSON);
- `engine.rulebase`: reading a rules folder into a checked `Ruleset`;
- `engine.rounds`: assessment rounds, many respondents' answers combined into one assessment;
- `engine.authoring`: the tools of rule authors (lint, rule cases, coverage, editor schemas,
  outcome diffs, the copy check, the command line).

Other packages import the names below and nothing deeper (a test holds `api/` to it).
"""

from engine.authoring.cli import (
    CommandError,
    ExitCode,
    InvalidFieldsError,
    command_line,
    read_json,
    read_model,
)
from engine.authoring.lint import LintReport, lint
from engine.authoring.ruletests import CaseReport, run_cases
from engine.conditions import condition_text, tests_in
from engine.errors import EvaluationError, InvalidRulesetError, ReadinessError, RuleFileError
from engine.indicators import INDICATORS, field_paths, values_of
from engine.rounds import (
    ROLES,
    Combination,
    Disagreement,
    PrivacyGroup,
    Response,
    Role,
    RoundAnswerError,
    RoundFileError,
    RoundSpec,
    combine,
    form_answers,
    load_round_spec,
    privacy_groups,
)
from engine.rulebase.loader import default_rules_dir, load_ruleset, ruleset_digest, yaml_files
from engine.rulebase.rulefile import (
    CatalogEntryFile,
    ObstacleFile,
    RecommendationFile,
    SuccessFactorFile,
)
from engine.ruleset import Rule, Ruleset, phase_of_step
from engine.runtime.assess import BACKENDS, Engine
from engine.runtime.outcome import Outcome
from engine.runtime.ranking import due_runs, needed_by
from engine.runtime.render import variant_text
from engine.shipped import default_examples_dir

__all__ = [
    "BACKENDS",
    "INDICATORS",
    "ROLES",
    "CaseReport",
    "CatalogEntryFile",
    "Combination",
    "CommandError",
    "Disagreement",
    "Engine",
    "EvaluationError",
    "ExitCode",
    "InvalidFieldsError",
    "InvalidRulesetError",
    "LintReport",
    "ObstacleFile",
    "Outcome",
    "PrivacyGroup",
    "ReadinessError",
    "RecommendationFile",
    "Response",
    "Role",
    "RoundAnswerError",
    "RoundFileError",
    "RoundSpec",
    "Rule",
    "RuleFileError",
    "Ruleset",
    "SuccessFactorFile",
    "combine",
    "command_line",
    "condition_text",
    "default_examples_dir",
    "default_rules_dir",
    "due_runs",
    "field_paths",
    "form_answers",
    "lint",
    "load_round_spec",
    "load_ruleset",
    "needed_by",
    "phase_of_step",
    "privacy_groups",
    "read_json",
    "read_model",
    "ruleset_digest",
    "run_cases",
    "tests_in",
    "values_of",
    "variant_text",
    "yaml_files",
]
