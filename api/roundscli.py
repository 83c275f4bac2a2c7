"""`readiness rounds ...`: check the round file, combine a folder of answers offline.

Opening a round and printing its codes (`rounds open`) needs the database and lives beside the
other database commands in `api.cli`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import click
from pydantic import ValidationError

from engine import (
    ROLES,
    Combination,
    CommandError,
    Engine,
    ExitCode,
    Response,
    RoundAnswerError,
    RoundFileError,
    RoundSpec,
    combine,
    form_answers,
    load_round_spec,
    load_ruleset,
    read_json,
)
from schemas.vocabulary import Language

__all__ = ["ROUND_FILE", "rounds"]

ROUND_FILE = "round.json"
"""The file of a folder of answers that describes the round: organisation and intervention."""


def _spec(rules: Path | None) -> RoundSpec:
    try:
        return load_round_spec(rules)
    except RoundFileError as exc:
        raise CommandError(str(exc)) from None


@click.group()
def rounds() -> None:
    """Assessment rounds: check the round file, open a round, combine answers."""


@rounds.command()
@click.pass_obj
def check(rules: Path | None) -> int:
    """Check rounds.yaml and print who is asked how many questions."""
    spec = _spec(rules)
    click.echo(f"rounds.yaml: valid; roles shown only from {spec.min_group} respondents on")
    for role in spec.roles:
        click.echo(f"  {role}: {len(spec.form(role))} questions")
    written = sum(not rule.default for rule in spec.combining.values())
    click.echo(
        f"  {len(spec.combining)} questions asked in rounds, {written} with their own combining "
        f"rule; {len(spec.matters)} matters compared"
    )
    return ExitCode.OK


def read_folder(spec: RoundSpec, folder: Path) -> tuple[dict[str, Any], list[Response]]:
    """The round described in `folder/round.json` and every other JSON file's response.

    A response file is `{"role": "<role>", "answers": {<sections as in an assessment>}}`.

    Raises:
        CommandError: Naming the file and what is wrong with it.
    """
    described = folder / ROUND_FILE
    if not described.is_file():
        raise CommandError(
            f"{folder}: no {ROUND_FILE} (the organisation and intervention of the round)"
        )
    base = read_json(str(described))
    if not isinstance(base, dict) or not set(base) <= {"organisation", "intervention"}:
        raise CommandError(f"{described}: give an object with organisation and intervention")
    responses: list[Response] = []
    for path in sorted(folder.glob("*.json")):
        if path.name == ROUND_FILE:
            continue
        raw = read_json(str(path))
        if not isinstance(raw, dict) or set(raw) != {"role", "answers"}:
            raise CommandError(f"{path}: give an object with role and answers")
        role = raw["role"]
        if role not in ROLES:
            raise CommandError(f"{path}: role {role!r} is not one of {', '.join(ROLES)}")
        try:
            answers = form_answers(spec, role, raw["answers"])
        except RoundAnswerError as exc:
            raise CommandError(f"{path}: {exc.code}: {exc.message}") from None
        responses.append(Response(role, answers))
    return base, responses


@rounds.command("combine")
@click.argument(
    "folder", type=click.Path(path_type=Path, exists=True, file_okay=False, dir_okay=True)
)
@click.option("--lang", type=click.Choice(get_args(Language)), default="en", show_default=True)
@click.option(
    "--min-group",
    type=click.IntRange(min=3),
    help="Show roles only from this many respondents on (never below the file's).",
)
@click.option(
    "--evaluate/--no-evaluate",
    default=True,
    show_default=True,
    help="Also evaluate the combined assessment and print its result.",
)
@click.pass_obj
def combine_folder(
    rules: Path | None, folder: Path, lang: Language, min_group: int | None, evaluate: bool
) -> int:
    """Combine the answer files in FOLDER into one assessment; print it as JSON.

    FOLDER holds round.json ({"organisation": {...}, "intervention": {...}}) and one JSON file
    per respondent ({"role": "staff", "answers": {...}}). The output has what may be shown of
    the combining (groups, combined answers, disagreements), the combined assessment, and its
    result.
    """
    spec = _spec(rules)
    base, responses = read_folder(spec, folder)
    try:
        combination: Combination = combine(spec, base, responses, min_group=min_group)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CommandError(f"{folder / ROUND_FILE}: {where}: {first['msg']}") from None
    output: dict[str, Any] = {
        "combination": combination.to_json(),
        "assessment": combination.request.model_dump(mode="json", exclude_defaults=True),
    }
    if evaluate:
        engine = Engine(load_ruleset(rules))
        output["result"] = engine.assess(combination.request, language=lang).model_dump(
            mode="json", exclude_none=True
        )
    click.echo(json.dumps(output, indent=2, ensure_ascii=False))
    return ExitCode.OK
