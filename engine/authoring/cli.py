"""The command line of rule authors: assess a JSON file; check, test and compare the rule files."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Mapping, Sequence
from enum import IntEnum
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar, get_args

import click
from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML

from engine.authoring.copies import MIN_WORDS, find_copies, read_sources, seeds_dir
from engine.authoring.jsonschemas import (
    add_schema_comments,
    stale_schema_comments,
    stale_schemas,
    write_schemas,
)
from engine.authoring.lint import lint
from engine.authoring.outcome_diff import diff_outcomes, load_corpus
from engine.authoring.ruletests import run_cases
from engine.authoring.spelling import DICTIONARIES, WORDS_FILE, find_misspellings, missing_tools
from engine.authoring.summary import summary_text
from engine.conditions import tests_in
from engine.errors import EvaluationError, InvalidRulesetError
from engine.rulebase.coverage import citers_of, encoders_by_element
from engine.rulebase.loader import default_rules_dir, load_ruleset
from engine.runtime.assess import BACKENDS, Engine
from schemas import strict_json
from schemas.assessment import AssessmentRequest
from schemas.field_errors import field_errors
from schemas.vocabulary import Language

__all__ = [
    "CommandError",
    "CommandGroup",
    "ExitCode",
    "InvalidFieldsError",
    "command_line",
    "read_json",
    "read_model",
]


class ExitCode(IntEnum):
    """What a command's exit status means, the same for every command (the README's table)."""

    OK = 0
    FAILED = 1
    """Findings: invalid rule files, failed cases or checks, stale files, an engine failure."""
    INPUT = 2
    """A usage or input error: an unknown option, a file that cannot be read or is not valid, a
    bad setting."""
    UNAVAILABLE = 3
    """Something the command needs could not be reached (the database)."""
    INTERRUPTED = 130
    """Stopped with Ctrl-C: 128 + SIGINT, what a shell reports for a program the signal ends."""
    PIPE_CLOSED = 141
    """The reader of the output went away (`| head`): 128 + SIGPIPE, as a shell reports it."""


class CommandError(click.ClickException):
    """A user error: printed as one line, `Error: <message>`, ending the command with `exit_code`."""

    exit_code = ExitCode.INPUT


class InvalidFieldsError(CommandError):
    """A file that is JSON but not what the command takes: one line per invalid field.

    Each line is `FILE: PATH: REASON: MESSAGE`, with the JSON path, stable reason and message the
    API's `errors` give for that field.
    """

    def __init__(self, name: str, exc: ValidationError, model: type[BaseModel]) -> None:
        self.lines = [
            f"{name}: {error.path}: {error.type}: {error.message}"
            for error in field_errors(exc, model=model)
        ]
        super().__init__("\n".join(self.lines))

    def show(self, file: IO[Any] | None = None) -> None:
        """Print the lines, without the `Error:` of a one-line error."""
        for line in self.lines:
            click.echo(line, file=file, err=file is None)


class CommandGroup(click.Group):
    """A root group whose commands return their exit status, and end in a line, not a traceback.

    Errors a user can cause or fix (invalid rule files, an interrupted run, a closed output pipe)
    become a message on stderr and an `ExitCode`; anything else is a bug and keeps its traceback.
    """

    def invoke(self, ctx: click.Context) -> NoReturn:
        """Run the command; exit with the status it returned, or with the error's."""
        try:
            status = super().invoke(ctx)
            # Here, so that a reader that went away is noticed while it can still be handled.
            sys.stdout.flush()
        except InvalidRulesetError as exc:
            for error in exc.errors:
                click.echo(error, err=True)
            click.echo(f"{len(exc.errors)} error(s) in the rule files", err=True)
            status = ExitCode.FAILED
        except EvaluationError as exc:
            click.echo(f"{exc.code}: {exc}", err=True)
            status = ExitCode.FAILED
        except BrokenPipeError:
            # What is still buffered goes nowhere, so the interpreter's last flush is quiet too.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            status = ExitCode.PIPE_CLOSED
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            status = ExitCode.INTERRUPTED
        ctx.exit(int(status or ExitCode.OK))


def _folder(_ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """Check that a folder option or argument names an existing folder."""
    if value is not None and not value.is_dir():
        name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
        what = "not a folder" if value.exists() else "no such folder"
        raise CommandError(f"{name} {value}: {what}")
    return value


def read_json(name: str) -> Any:
    """The JSON in a file (`-`: standard input), read as strictly as the API reads a body.

    UTF-8, with or without a byte-order mark; a blank file, a duplicate key, NaN or a number out of
    range is refused (`schemas.strict_json.parse_file`).

    Raises:
        CommandError: One line: the file, then why it cannot be read, or the API's code for the
            refusal (`empty-body`, `invalid-json`, `too-deep`) and the reason.
    """
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
    except FileNotFoundError:
        raise CommandError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{name}: is a folder, not a file") from None
    except OSError as exc:
        raise CommandError(f"{name}: cannot read it: {exc.strerror or exc}") from None
    try:
        return strict_json.parse_file(data)
    except strict_json.RefusedError as exc:
        raise CommandError(exc.at(name)) from None


_Model = TypeVar("_Model", bound=BaseModel)


def read_model(name: str, model: type[_Model]) -> _Model:
    """The file `name` (`-`: standard input) as a `model`, read as `read_json` reads it.

    Raises:
        CommandError: As `read_json`; `InvalidFieldsError` naming every invalid field.
    """
    try:
        return model.model_validate(read_json(name))
    except ValidationError as exc:
        raise InvalidFieldsError(name, exc, model) from None


_LANGUAGE = click.Choice(get_args(Language))
_FORMAT = click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)


@click.command()
@click.argument("file", metavar="FILE")
@click.option(
    "--lang", type=_LANGUAGE, default="en", show_default=True, help="Language of the texts."
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["json", "text"]),
    default="json",
    show_default=True,
    help="json: the whole result, as the API sends it; text: a summary to read, in the language of --lang.",
)
@click.option("--explain", is_flag=True, help="Include the rule trace (json).")
@click.option(
    "--backend",
    "--engine",
    "backend",
    type=click.Choice(BACKENDS),
    default="durable",
    show_default=True,
    help="Rule-evaluation backend.",
)
@click.pass_obj
def assess(
    rules: Path | None, file: str, lang: Language, output: str, explain: bool, backend: str
) -> int:
    """Assess the request in a JSON file; print the result.

    FILE holds an AssessmentRequest; '-' reads it from standard input.
    """
    request = read_model(file, AssessmentRequest)
    engine = Engine(load_ruleset(rules), backend)
    # The trace is part of the JSON; the summary has no place for it.
    result = engine.assess(request, language=lang, explain=explain and output == "json")
    if output == "text":
        click.echo(summary_text(result), nl=False)
    else:
        click.echo(result.model_dump_json(indent=2, exclude_none=True))
    return ExitCode.OK


@click.group("rules")
def rules_group() -> None:
    """Check, test and compare the rule files."""


@rules_group.command()
@click.option("--no-coverage", is_flag=True, help="Skip the checks of the coverage maps.")
@click.pass_obj
def check(rules: Path | None, no_coverage: bool) -> int:
    """Validate the rule files and print counts."""
    ruleset = load_ruleset(rules, check_coverage=not no_coverage)
    kinds = {k: sum(r.kind == k for r in ruleset.rules) for k in ("gap", "escalation", "strength")}
    summary = {
        "ruleset": ruleset.info.model_dump(),
        "rules": len(ruleset.rules),
        "rules_by_kind": kinds,
        "cases": sum(len(r.cases) for r in ruleset.rules),
        "obstacles": len(ruleset.obstacles),
        "success_factors": len(ruleset.success_factors),
        "recommendations": len(ruleset.recommendations),
        "sources": len(ruleset.sources),
    }
    click.echo(json.dumps(summary, indent=2))
    return ExitCode.OK


@rules_group.command("lint")
@_FORMAT
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.pass_obj
def lint_command(rules: Path | None, output: str, strict: bool) -> int:
    """Run every check; print each finding with where and a hint."""
    report = lint(rules)
    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for finding in report.findings:
            click.echo(finding)
        counted = (
            f"{report.rules} rules"
            if report.rules
            else "rules not loaded (fix these errors first; the other checks need them loaded)"
        )
        click.echo(
            f"{counted}: {len(report.errors)} error(s), {len(report.warnings)} "
            f"warning(s), {len(report.notes)} note(s)"
        )
    failing = [*report.errors, *report.warnings] if strict else report.errors
    return ExitCode.FAILED if failing else ExitCode.OK


@rules_group.command()
@click.option("--write", is_flag=True, help="Write the schemas and the $schema lines.")
@click.pass_obj
def schemas(rules: Path | None, write: bool) -> int:
    """Check the rule files' JSON Schemas; --write regenerates them."""
    root = (rules or default_rules_dir()).resolve()
    if write:
        written = write_schemas(root)
        changed = add_schema_comments(root)
        click.echo(f"{len(written)} schemas written, {changed} files given their $schema line")
        return ExitCode.OK
    stale = [*stale_schemas(root), *stale_schema_comments(root)]
    for name in stale:
        click.echo(f"stale: {name} (run `readiness rules schemas --write`)")
    return ExitCode.FAILED if stale else ExitCode.OK


@rules_group.command()
@click.argument("old", type=click.Path(path_type=Path), callback=_folder)
@click.argument("new", type=click.Path(path_type=Path), callback=_folder)
@click.option(
    "--assessments",
    multiple=True,
    metavar="FILE.ndjson|FILE.json|DIR",
    help="Assessments to compare over; repeat for more (default: examples/).",
)
@click.option("--lang", type=_LANGUAGE, default="en", show_default=True)
@_FORMAT
def diff(old: Path, new: Path, assessments: tuple[str, ...], lang: Language, output: str) -> int:
    """Report how outcomes change from rules folder OLD to NEW.

    Every assessment is evaluated under both folders, by this version of the engine.
    """
    try:
        corpus = load_corpus(assessments)
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    newer = load_ruleset(new, check_coverage=False)
    try:
        older = load_ruleset(old, check_coverage=False)
    except InvalidRulesetError as exc:
        if not all(Path(e.file).name == "questionnaire.yaml" for e in exc.errors):
            raise
        # Question texts change no outcome: an older folder written before a question or a
        # scale was added is compared with the new folder's texts.
        click.echo(f"{old}: its questionnaire does not fit this version; using {new}'s", err=True)
        older = load_ruleset(old, check_coverage=False, questionnaire=new / "questionnaire.yaml")
    report = diff_outcomes(older, newer, corpus, language=lang)
    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        click.echo(report.to_text())
    return ExitCode.OK


@rules_group.command("test")
@click.option("--coverage", is_flag=True, help="Report coverage per rule and branch.")
@_FORMAT
@click.pass_obj
def test_command(rules: Path | None, coverage: bool, output: str) -> int:
    """Run every rule's cases."""
    report = run_cases(Engine(load_ruleset(rules, check_coverage=False)))
    if output == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    else:
        for outcome in report.failed:
            click.echo(f"FAIL {outcome.rule}: {outcome.name}")
            for problem in outcome.problems:
                click.echo(f"  {problem}")
            click.echo(f"  rules fired, in order: {', '.join(outcome.fired) or '(none)'}")
        passed = len(report.outcomes) - len(report.failed)
        click.echo(f"{passed} passed, {len(report.failed)} failed")
        if coverage:
            for rule in report.coverage:
                missing = [b.where for b in rule.branches if not b.covered]
                if not rule.covered or missing:
                    seen = (
                        ("fired" if rule.fired else "never fired")
                        + ", "
                        + ("silent" if rule.silent else "never silent")
                    )
                    click.echo(
                        f"  {rule.rule}: {seen}; branches never deciding: {missing or 'none'}"
                    )
            click.echo(
                f"rule coverage {100 * report.rule_coverage:.1f} %, "
                f"branch coverage {100 * report.branch_coverage:.1f} %"
            )
    below = coverage and report.rule_coverage < 1.0
    return ExitCode.FAILED if report.failed or below else ExitCode.OK


@rules_group.command("coverage")
@click.option("--write", is_flag=True, help="Rewrite the encoded_by lists.")
@click.pass_obj
def coverage_command(rules: Path | None, write: bool) -> int:
    """Show what encodes each source element; --write updates the maps."""
    root = (rules or default_rules_dir()).resolve()
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
        click.echo(f"{source_id}: {done}/{len(found)} elements encoded")
        for element, keys in zip(document.elements, found, strict=True):
            click.echo(f"  {element.locator}")
            for line in _how(keys, asks) if keys else ["NOT ENCODED"]:
                click.echo(f"      {line}")
            missing += not keys
        if write:
            path = root / "sources" / f"{source_id}.yaml"
            data = yaml.load(path.read_text(encoding="utf-8"))
            for item, keys in zip(data["elements"], found, strict=True):
                item["encoded_by"] = keys
            with path.open("w", encoding="utf-8") as stream:
                yaml.dump(data, stream)
    return ExitCode.FAILED if missing else ExitCode.OK


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


@rules_group.command()
@click.option(
    "--sources",
    type=click.Path(path_type=Path),
    callback=_folder,
    help="Folder of source texts (*.txt; default: ../shared/seeds beside the project).",
)
@click.option("--min-words", type=int, default=MIN_WORDS, show_default=True, help="Shortest run.")
@click.pass_obj
def copies(rules: Path | None, sources: Path | None, min_words: int) -> int:
    """Report word runs the rule files share with the source texts."""
    root = (rules or default_rules_dir()).resolve()
    folder = sources or seeds_dir(root.parent)
    if folder is None or not folder.is_dir():
        raise CommandError("no source texts found: name their folder with --sources")
    texts = read_sources(folder)
    found = find_copies(root, texts, min_words)
    for copy in found:
        click.echo(copy)
    click.echo(
        f"{len(found)} run(s) of {min_words} or more words shared with "
        f"{len(texts)} source text(s) in {folder}"
    )
    return ExitCode.FAILED if found else ExitCode.OK


@rules_group.command()
@click.pass_obj
def spell(rules: Path | None) -> int:
    """Check the spelling of every Swedish, Danish and English text with hunspell."""
    missing = missing_tools()
    if missing:
        raise CommandError(
            f"the spelling check needs {', '.join(missing)}: install Debian's hunspell, "
            "hunspell-sv, hunspell-da and hunspell-en-gb"
        )
    root = (rules or default_rules_dir()).resolve()
    found = find_misspellings(root)
    for misspelling in found:
        click.echo(misspelling)
    click.echo(
        f"{len(found)} word(s) that neither their dictionary "
        f"({', '.join(DICTIONARIES.values())}) nor {WORDS_FILE} knows"
    )
    return ExitCode.FAILED if found else ExitCode.OK


def command_line(
    *more: click.Command, summary: str = "Assess an assessment; check, test and compare the rules."
) -> click.Group:
    """The root command group: `assess`, `rules ...` and the `more` commands beside them.

    Its `--rules` option (a rules folder; the shipped one when not given) becomes the context's
    `obj`, which the commands receive with `click.pass_obj`.
    """

    @click.group(cls=CommandGroup, help=summary)
    @click.option(
        "--rules",
        type=click.Path(path_type=Path),
        callback=_folder,
        help="Rules folder for assess and rules (default: the shipped one).",
    )
    @click.pass_context
    def group(ctx: click.Context, rules: Path | None) -> None:
        ctx.obj = rules

    for command in (assess, rules_group, *more):
        group.add_command(command)
    return group
