"""Command line: assess a JSON file, check the rule files."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import get_args

from pydantic import ValidationError
from ruamel.yaml import YAML

from engine.authoring.copies import MIN_WORDS, find_copies, read_sources, seeds_dir
from engine.authoring.jsonschemas import add_schema_comments, stale_schemas, write_schemas
from engine.authoring.lint import lint
from engine.authoring.outcome_diff import diff_outcomes, load_corpus
from engine.authoring.ruletests import run_cases
from engine.conditions import tests_in
from engine.errors import EvaluationError, InvalidRulesetError
from engine.rulebase.coverage import citers_of, encoders_by_element
from engine.rulebase.loader import default_rules_dir, load_ruleset
from engine.runtime.assess import BACKENDS, Engine
from schemas.assessment import AssessmentRequest
from schemas.vocabulary import Language

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m engine", description=__doc__)
    parser.add_argument("--rules", type=Path, default=None, help="rules folder (default: shipped)")
    commands = parser.add_subparsers(dest="command", required=True)
    assess = commands.add_parser("assess", help="assess an assessment request in a JSON file")
    assess.add_argument("file", type=Path, help="JSON file with an AssessmentRequest ('-': stdin)")
    assess.add_argument("--lang", choices=get_args(Language), default="en")
    assess.add_argument("--explain", action="store_true", help="include the rule trace")
    assess.add_argument(
        "--engine", choices=BACKENDS, default="durable", help="rule-evaluation backend"
    )
    rules = commands.add_parser("rules", help="work with the rule files")
    rules_commands = rules.add_subparsers(dest="rules_command", required=True)
    check = rules_commands.add_parser("check", help="validate the rule files and print counts")
    check.add_argument(
        "--no-coverage", action="store_true", help="skip the coverage map (work in progress)"
    )
    coverage = rules_commands.add_parser(
        "coverage", help="print which source elements are encoded; --write updates the maps"
    )
    coverage.add_argument("--write", action="store_true", help="rewrite encoded_by lists")
    lint = rules_commands.add_parser("lint", help="every check, with file:line:column and hints")
    lint.add_argument("--format", choices=("text", "json"), default="text")
    lint.add_argument("--strict", action="store_true", help="fail on warnings too")
    diff = rules_commands.add_parser(
        "diff", help="re-evaluate a corpus under two rule folders and report what changes"
    )
    diff.add_argument("old", type=Path, help="the rules folder as it is")
    diff.add_argument("new", type=Path, help="the rules folder as it would be")
    diff.add_argument(
        "--assessments",
        action="append",
        default=[],
        help="FILE.ndjson, FILE.json or a folder; repeat for more (default: examples/)",
    )
    diff.add_argument("--lang", choices=get_args(Language), default="en")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    schemas = rules_commands.add_parser(
        "schemas", help="check the JSON Schemas of the rule files; --write regenerates them"
    )
    schemas.add_argument("--write", action="store_true", help="write schemas and $schema lines")
    copies = rules_commands.add_parser(
        "copies", help="report runs of words the rule files share with the source texts"
    )
    copies.add_argument(
        "--sources",
        type=Path,
        default=None,
        help="folder of source texts (*.txt; default: ../shared/seeds beside the project)",
    )
    copies.add_argument("--min-words", type=int, default=MIN_WORDS, help="shortest run reported")
    run = rules_commands.add_parser("test", help="run every rule's cases")
    run.add_argument("--coverage", action="store_true", help="report coverage per rule and branch")
    run.add_argument("--format", choices=("text", "json"), default="text")
    return parser


def _assess(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if str(args.file) == "-" else args.file.read_text(encoding="utf-8")
    try:
        request = AssessmentRequest.model_validate_json(text)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "(body)"
            print(f"{args.file}: {err['type']}: {where}: {err['msg']}", file=sys.stderr)
        return 2
    engine = Engine(load_ruleset(args.rules), args.engine)
    result = engine.assess(request, language=args.lang, explain=args.explain)
    print(result.model_dump_json(indent=2, exclude_none=True))
    return 0


def _check(args: argparse.Namespace) -> int:
    ruleset = load_ruleset(args.rules, check_coverage=not args.no_coverage)
    kinds = {k: sum(r.kind == k for r in ruleset.rules) for k in ("gap", "escalation", "strength")}
    cases = sum(len(r.cases) for r in ruleset.rules)
    summary = {
        "ruleset": ruleset.info.model_dump(),
        "rules": len(ruleset.rules),
        "rules_by_kind": kinds,
        "cases": cases,
        "obstacles": len(ruleset.obstacles),
        "success_factors": len(ruleset.success_factors),
        "recommendations": len(ruleset.recommendations),
        "sources": len(ruleset.sources),
    }
    print(json.dumps(summary, indent=2))
    return 0


def _lint(args: argparse.Namespace) -> int:
    report = lint(args.rules)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            print(finding)
        print(
            f"{report.rules} rules: {len(report.errors)} error(s), {len(report.warnings)} "
            f"warning(s), {len(report.notes)} note(s)"
        )
    failing = [*report.errors, *report.warnings] if args.strict else report.errors
    return 1 if failing else 0


def _schemas(args: argparse.Namespace) -> int:
    root = (args.rules or default_rules_dir()).resolve()
    if args.write:
        written = write_schemas(root)
        changed = add_schema_comments(root)
        print(f"{len(written)} schemas written, {changed} files given their $schema line")
        return 0
    stale = stale_schemas(root)
    for name in stale:
        print(f"stale: {name} (run `python -m engine rules schemas --write`)")
    return 1 if stale else 0


def _diff(args: argparse.Namespace) -> int:
    try:
        corpus = load_corpus(args.assessments)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    new = load_ruleset(args.new, check_coverage=False)
    try:
        old = load_ruleset(args.old, check_coverage=False)
    except InvalidRulesetError as exc:
        if not all(Path(e.file).name == "questionnaire.yaml" for e in exc.errors):
            raise
        # Question texts change no outcome: an older folder written before a question or a
        # scale was added is compared with the new folder's texts.
        print(
            f"{args.old}: its questionnaire does not fit this version; using {args.new}'s",
            file=sys.stderr,
        )
        old = load_ruleset(
            args.old, check_coverage=False, questionnaire=args.new / "questionnaire.yaml"
        )
    report = diff_outcomes(old, new, corpus, language=args.lang)
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        print(report.to_text())
    return 0


def _test(args: argparse.Namespace) -> int:
    report = run_cases(Engine(load_ruleset(args.rules, check_coverage=False)))
    if args.format == "json":
        print(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for outcome in report.failed:
            print(f"FAIL {outcome.rule}: {outcome.name}")
            for problem in outcome.problems:
                print(f"  {problem}")
            print(f"  rules fired, in order: {', '.join(outcome.fired) or '(none)'}")
        passed = len(report.outcomes) - len(report.failed)
        print(f"{passed} passed, {len(report.failed)} failed")
        if args.coverage:
            for rule in report.coverage:
                missing = [b.where for b in rule.branches if not b.covered]
                if not rule.covered or missing:
                    seen = (
                        ("fired" if rule.fired else "never fired")
                        + ", "
                        + ("silent" if rule.silent else "never silent")
                    )
                    print(f"  {rule.rule}: {seen}; branches never deciding: {missing or 'none'}")
            print(
                f"rule coverage {100 * report.rule_coverage:.1f} %, "
                f"branch coverage {100 * report.branch_coverage:.1f} %"
            )
    below = args.coverage and report.rule_coverage < 1.0
    return 1 if report.failed or below else 0


def _coverage(args: argparse.Namespace) -> int:
    root = (args.rules or default_rules_dir()).resolve()
    ruleset = load_ruleset(root, check_coverage=False)
    encoders = encoders_by_element(ruleset.sources, citers_of(ruleset))
    asks = {
        f"rule:{rule.id}": sorted({t.path for t in tests_in(rule.condition)})
        for rule in ruleset.rules
    }
    missing = 0
    yaml = YAML()
    yaml.width = 4096
    for source_id, document in ruleset.sources.items():
        found = encoders[source_id]
        done = sum(1 for keys in found if keys)
        print(f"{source_id}: {done}/{len(found)} elements encoded")
        for element, keys in zip(document.elements, found, strict=True):
            print(f"  {element.locator}")
            for line in _how(keys, asks) if keys else ["NOT ENCODED"]:
                print(f"      {line}")
            missing += not keys
        if args.write:
            path = root / "sources" / f"{source_id}.yaml"
            data = yaml.load(path.read_text(encoding="utf-8"))
            for item, keys in zip(data["elements"], found, strict=True):
                item["encoded_by"] = keys
            with path.open("w", encoding="utf-8") as stream:
                yaml.dump(data, stream)
    return 1 if missing else 0


_HOW = (
    ("rule", "asked by"),
    ("recommendation", "advised in"),
    ("obstacle", "named as obstacle"),
    ("success-factor", "named as success factor"),
)


def _how(keys: Sequence[str], asks: Mapping[str, list[str]]) -> list[str]:
    """How an element is encoded: the questions that ask about it, then the texts that say it."""
    lines = []
    for kind, label in _HOW:
        ids = [key.split(":", 1)[1] for key in keys if key.split(":", 1)[0] == kind]
        if kind == "rule":
            ids = [f"{rid} ({', '.join(asks[f'rule:{rid}']) or 'categorical'})" for rid in ids]
        if ids:
            lines.append(f"{label}: {'; '.join(ids)}")
    return lines


def _copies(args: argparse.Namespace) -> int:
    root = (args.rules or default_rules_dir()).resolve()
    folder = args.sources or seeds_dir(root.parent)
    if folder is None or not folder.is_dir():
        print("no source texts found: name their folder with --sources", file=sys.stderr)
        return 2
    sources = read_sources(folder)
    found = find_copies(root, sources, args.min_words)
    for copy in found:
        print(copy)
    print(
        f"{len(found)} run(s) of {args.min_words} or more words shared with "
        f"{len(sources)} source text(s) in {folder}"
    )
    return 1 if found else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return 0 (ok), 1 (invalid rules, failure) or 2 (bad input)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "assess":
            return _assess(args)
        if args.rules_command == "coverage":
            return _coverage(args)
        if args.rules_command == "lint":
            return _lint(args)
        if args.rules_command == "test":
            return _test(args)
        if args.rules_command == "diff":
            return _diff(args)
        if args.rules_command == "schemas":
            return _schemas(args)
        if args.rules_command == "copies":
            return _copies(args)
        return _check(args)
    except InvalidRulesetError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} error(s) in the rule files", file=sys.stderr)
        return 1
    except EvaluationError as exc:
        print(f"{exc.code}: {exc}", file=sys.stderr)
        return 1
