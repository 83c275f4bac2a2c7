"""Sessions of the product's own pages: start, read, sign in with a key, keep a draft, end.

The browser's cookie holds a random token; the table keeps its SHA-256 only, as for API keys. A
session lives `lifetime` from its start; reading an expired one ends it. A session signed in
with a key reads the key afresh each time, so a revoked key signs its sessions out at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from store.database import Database
from store.keys import ApiKeyInfo, Binding, stored_scopes
from store.models import ApiKey, PageSession

__all__ = ["PageSessions", "SessionState"]


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionState:
    """What one request's session holds."""

    token: str
    """The browser's token (from its cookie), to find the session again."""
    csrf_token: str
    """What the session's forms carry; a POST without it is refused."""
    key: ApiKeyInfo | None
    """The key signed in with, while it is not revoked."""
    draft: dict[str, str]
    """The questionnaire's answers so far, flat by indicator path."""
    result: dict[str, Any] | None
    """The last assessment made on the pages and not stored (`request`, `result`)."""
    respondent: str | None = None
    """The SHA-256 of the invitation code a round respondent typed, if one did."""


class PageSessions:
    """The page sessions in the database."""

    def __init__(self, database: Database, lifetime: timedelta) -> None:
        self.db = database
        self.lifetime = lifetime

    def start(self) -> SessionState:
        """Start an anonymous session; its token goes into the browser's cookie."""
        token = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = datetime.now(UTC)
        with self.db.session() as session:
            session.add(
                PageSession(
                    token_hash=_hash(token),
                    csrf_token=csrf,
                    key_id=None,
                    draft_json=None,
                    result_json=None,
                    created_at=now,
                    expires_at=now + self.lifetime,
                )
            )
        return SessionState(token, csrf, None, {}, None)

    def get(self, token: str) -> SessionState | None:
        """The session of `token`, or None when there is none or it has expired."""
        now = datetime.now(UTC)
        with self.db.session() as session:
            found = session.get(PageSession, _hash(token))
            if found is None:
                return None
            expires = found.expires_at
            if expires.tzinfo is None:  # SQLite gives naive datetimes back
                expires = expires.replace(tzinfo=UTC)
            if expires <= now:
                session.delete(found)
                return None
            key: ApiKeyInfo | None = None
            if found.key_id is not None:
                stored = session.get(ApiKey, found.key_id)
                if stored is not None and stored.revoked_at is None:
                    key = ApiKeyInfo(
                        id=stored.id,
                        scopes=frozenset(stored_scopes(stored.scopes)),
                        binding=Binding(
                            region=stored.region, organisation_id=stored.organisation_id
                        ),
                    )
            return SessionState(
                token,
                found.csrf_token,
                key,
                json.loads(found.draft_json) if found.draft_json else {},
                json.loads(found.result_json) if found.result_json else None,
                found.respondent_code_hash,
            )

    def sign_in(self, token: str, key_id: str) -> str:
        """Attach a verified key to the session; return its new CSRF token.

        The token the forms carry changes at sign-in, so that one seen before cannot be used.
        """
        csrf = secrets.token_urlsafe(32)
        with self.db.session() as session:
            found = session.get(PageSession, _hash(token))
            if found is not None:
                found.key_id = key_id
                found.csrf_token = csrf
        return csrf

    def end(self, token: str) -> None:
        """End the session: sign-out forgets the key, the draft and the last result."""
        with self.db.session() as session:
            session.execute(delete(PageSession).where(PageSession.token_hash == _hash(token)))

    def save_draft(self, token: str, draft: dict[str, str]) -> None:
        """Keep the questionnaire's answers so far."""
        with self.db.session() as session:
            found = session.get(PageSession, _hash(token))
            if found is not None:
                found.draft_json = json.dumps(draft, separators=(",", ":"))

    def save_result(self, token: str, result: dict[str, Any] | None) -> None:
        """Keep the last assessment made and not stored, or forget it."""
        with self.db.session() as session:
            found = session.get(PageSession, _hash(token))
            if found is not None:
                found.result_json = (
                    None if result is None else json.dumps(result, separators=(",", ":"))
                )

    def set_respondent(self, token: str, code_hash: str | None) -> None:
        """Keep the hash of the invitation code the session's respondent answers with (or none)."""
        with self.db.session() as session:
            found = session.get(PageSession, _hash(token))
            if found is not None:
                found.respondent_code_hash = code_hash

    def purge(self) -> int:
        """Delete expired sessions; return how many."""
        now = datetime.now(UTC)
        with self.db.session() as session:
            expired = list(
                session.scalars(select(PageSession.token_hash).where(PageSession.expires_at <= now))
            )
            if expired:
                session.execute(delete(PageSession).where(PageSession.token_hash.in_(expired)))
        return len(expired)
