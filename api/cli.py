"""The `readiness` command: the rule authors' commands, and serve, migrate and keys for the API.

Settings come from READINESS_* environment variables (see the README).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from api.roundscli import rounds
from api.settings import Settings, SettingsError
from engine import CommandError, ExitCode, command_line, read_model
from store.keys import SCOPES

if TYPE_CHECKING:
    from store.database import Database
    from store.repository import Repository

__all__ = ["main", "readiness"]


class _DatabaseUnavailableError(CommandError):
    exit_code = ExitCode.UNAVAILABLE


def _settings(rules: Path | None) -> Settings:
    """The settings from the environment; the group's `--rules` is not one of them."""
    if rules is not None:
        raise CommandError("--rules is for assess and rules; the API reads READINESS_RULES_DIR")
    try:
        return Settings.from_env()
    except SettingsError as exc:
        raise CommandError(f"invalid setting: {exc}") from None


def _migrated(settings: Settings) -> Database:
    """The database of `settings`, its schema brought up to date."""
    from sqlalchemy.exc import ArgumentError, OperationalError

    from store.database import Database

    database: Database | None = None
    try:
        database = Database(settings.database_url)
        database.migrate()
    except BaseException as exc:
        if database is not None:
            database.close()  # the pool opened for a schema that could not be brought up to date
        if isinstance(exc, ArgumentError):
            # The message may quote the URL, and with it a password.
            said = str(exc).replace(settings.database_url, "READINESS_DATABASE_URL")
            raise CommandError(f"invalid setting: database_url: {said}") from None
        if isinstance(exc, (OSError, OperationalError)):
            cause = getattr(exc, "orig", None) or exc
            first = (str(cause).splitlines() or [type(cause).__name__])[0]
            raise _DatabaseUnavailableError(f"cannot open the database: {first}") from None
        raise
    return database


@contextmanager
def _repository(rules: Path | None) -> Iterator[Repository]:
    """The repository of the migrated database, closed afterwards.

    The server, the database layer and SQLAlchemy are imported only by the commands that use them,
    so that `readiness assess` and `readiness rules ...` start as fast as `python -m engine`.
    """
    from store.repository import Repository

    database = _migrated(_settings(rules))
    try:
        yield Repository(database)
    finally:
        database.close()


@click.command()
@click.pass_obj
def serve(rules: Path | None) -> int:
    """Migrate the database, then serve the API with uvicorn."""
    from api.server import serve as run_server

    settings = _settings(rules)
    _migrated(settings).close()
    run_server(settings)
    return ExitCode.OK


@click.command()
@click.pass_obj
def migrate(rules: Path | None) -> int:
    """Bring the database schema up to date."""
    _migrated(_settings(rules)).close()
    return ExitCode.OK


@click.group()
def keys() -> None:
    """Create, list and revoke API keys."""


@keys.command()
@click.option("--scopes", required=True, help=f"Comma-separated, of {', '.join(SCOPES)}.")
@click.option("--region", help="Bind the key to one region.")
@click.option("--organisation", help="Bind the key to one organisation id.")
@click.option("--description", help="Who the key is for.")
@click.pass_obj
def create(
    rules: Path | None,
    scopes: str,
    region: str | None,
    organisation: str | None,
    description: str | None,
) -> int:
    """Create a key and print it (it is shown only this once)."""
    named = [s.strip() for s in scopes.split(",") if s.strip()]
    unknown = [s for s in named if s not in SCOPES]
    if not named or unknown:
        raise CommandError(f"unknown scopes {unknown}; use {', '.join(SCOPES)}")
    if region is not None and organisation is not None:
        raise CommandError("bind a key to a region or to an organisation, not both")
    if "admin" not in named and region is None and organisation is None:
        raise CommandError("a key without admin scope must be bound: --region or --organisation")
    if region is not None:
        _check_region(region)
    with _repository(rules) as repository:
        click.echo(repository.create_key(named, region, organisation, description))
    return ExitCode.OK


def _check_region(region: str) -> None:
    """Refuse a region no assessment could be stored under (`schemas.assessment.RegionName`)."""
    from pydantic import TypeAdapter, ValidationError

    from schemas.assessment import RegionName

    try:
        TypeAdapter(RegionName).validate_python(region)
    except ValidationError as exc:
        raise CommandError(f"--region {region!r}: {exc.errors()[0]['msg']}") from None


@keys.command("list")
@click.pass_obj
def list_keys(rules: Path | None) -> int:
    """List the keys (never their secrets)."""
    with _repository(rules) as repository:
        click.echo(json.dumps(repository.list_keys(), indent=2, ensure_ascii=False))
    return ExitCode.OK


@keys.command()
@click.argument("key_id")
@click.pass_obj
def revoke(rules: Path | None, key_id: str) -> int:
    """Revoke the key KEY_ID."""
    with _repository(rules) as repository:
        revoked = repository.revoke_key(key_id)
    if revoked:
        return ExitCode.OK
    click.echo(f"no key {key_id!r}", err=True)
    return ExitCode.FAILED


@rounds.command("open")
@click.argument("file", metavar="FILE")
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_obj
def open_round(rules: Path | None, file: str, output: str) -> int:
    """Open a round from FILE and print its invitation codes (shown only this once).

    FILE ('-' for standard input) holds what `POST /v1/rounds` takes: organisation (with id),
    intervention, closes_at, codes per role and shared_roles.
    """
    from datetime import UTC, datetime

    from api.rounds import round_context
    from schemas.rounds import RoundRequest
    from store.repository import OrganisationRegionConflictError
    from store.rounds import Rounds

    asked = read_model(file, RoundRequest)  # as the API reads a body: a duplicate key is refused
    if not asked.codes and not asked.shared_roles:
        raise CommandError(f"{file}: give personal codes by role (codes) or shared_roles")
    organisation_id = asked.organisation.id
    if organisation_id is None:
        raise CommandError(f"{file}: organisation.id is needed to open a round")
    if asked.closes_at is not None and asked.closes_at <= datetime.now(UTC):
        raise CommandError(f"{file}: closes_at must be in the future")
    organisation = asked.organisation
    context = round_context(organisation, asked.intervention)
    database = _migrated(_settings(rules))
    try:
        opened, codes = Rounds(database).open(
            organisation_id=organisation_id,
            organisation_name=organisation.name,
            region=organisation.region,
            intervention=asked.intervention.name or asked.intervention.model,
            context=context,
            closes_at=asked.closes_at,
            codes=asked.codes.items(),
            shared_roles=asked.shared_roles,
            key_id=None,
        )
    except OrganisationRegionConflictError as exc:
        placed = f"region {exc.region!r}" if exc.region is not None else "no region"
        raise CommandError(
            f"organisation {organisation.id!r} belongs to {placed}; an admin moves it with "
            "PUT /v1/organisations/{id}/region"
        ) from None
    finally:
        database.close()
    if output == "json":
        listed = [{"role": c.role, "kind": c.kind, "code": c.code} for c in codes]
        click.echo(json.dumps({"round": opened.id, "codes": listed}, indent=2))
        return ExitCode.OK
    click.echo(f"round {opened.id} for {organisation.id}; hand each code to one respondent:")
    for code in codes:
        click.echo(f"{code.role:<20} {code.kind:<9} {code.code}")
    return ExitCode.OK


readiness = command_line(
    serve,
    migrate,
    keys,
    rounds,
    summary=(
        "Assess, check the rules, serve the API, migrate the database, manage API keys, "
        "combine assessment rounds."
    ),
)
"""Every command; the `readiness` console script runs it."""


def main() -> None:
    """Run `readiness` on the process's arguments, then exit with the command's status."""
    readiness(prog_name="readiness")
