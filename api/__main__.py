"""Run the API, migrate the database, manage API keys: `python -m api [serve|migrate|keys ...]`.

Settings come from READINESS_* environment variables (see the README).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from api.server import serve
from api.settings import Settings, SettingsError
from store.database import Database
from store.keys import SCOPES
from store.repository import Repository


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command")
    commands.add_parser("serve", help="migrate the database, then serve with uvicorn (default)")
    commands.add_parser("migrate", help="bring the database schema up to date")
    keys = commands.add_parser("keys", help="manage API keys").add_subparsers(
        dest="keys_command", required=True
    )
    create = keys.add_parser("create", help="create a key and print it (shown only once)")
    create.add_argument("--scopes", required=True, help=f"comma-separated, of {', '.join(SCOPES)}")
    bound = create.add_mutually_exclusive_group()
    bound.add_argument("--region", help="bind the key to one region")
    bound.add_argument("--organisation", help="bind the key to one organisation id")
    create.add_argument("--description", help="who the key is for")
    keys.add_parser("list", help="list keys (never their secrets)")
    revoke = keys.add_parser("revoke", help="revoke a key by id")
    revoke.add_argument("key_id")
    return parser


def _keys(args: argparse.Namespace, repository: Repository) -> int:
    if args.keys_command == "create":
        scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
        unknown = [s for s in scopes if s not in SCOPES]
        if not scopes or unknown:
            print(f"unknown scopes {unknown}; use {', '.join(SCOPES)}", file=sys.stderr)
            return 2
        if "admin" not in scopes and args.region is None and args.organisation is None:
            print(
                "a key without admin scope must be bound: --region or --organisation",
                file=sys.stderr,
            )
            return 2
        print(repository.create_key(scopes, args.region, args.organisation, args.description))
        return 0
    if args.keys_command == "list":
        print(json.dumps(repository.list_keys(), indent=2, ensure_ascii=False))
        return 0
    if repository.revoke_key(args.key_id):
        return 0
    print(f"no key {args.key_id!r}", file=sys.stderr)
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    """Run a command; return its exit code."""
    args = _parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"invalid setting: {exc}", file=sys.stderr)
        return 2
    database = Database(settings.database_url)
    database.migrate()
    if args.command == "migrate":
        return 0
    if args.command == "keys":
        return _keys(args, Repository(database))
    database.close()
    serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
