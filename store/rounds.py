"""Rounds in the store: opening with invitation codes, answers by code, closing, and retention.

A round belongs to an organisation and is read within an API key's binding as its assessments
are. Invitation codes are kept as their SHA-256 only; a respondent's answers are kept with the
hash of the code they came with (so that a resubmission replaces them) and nothing about who
gave them. Deleting a round's answers, on request or by the retention schedule, leaves the round
and what it combined to.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import (
    CursorResult,
    Executable,
    Update,
    and_,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store.database import Database
from store.keys import Binding
from store.models import RoundCode, RoundRecord, RoundResponse
from store.repository import Repository, as_utc, encode_cursor, in_chunks, new_id, within

__all__ = [
    "STALLED_CLOSE",
    "CodeKind",
    "InvitationCode",
    "Invitee",
    "RoundClosedError",
    "RoundFilter",
    "RoundStatus",
    "Rounds",
    "StoredRound",
    "Submitted",
    "hash_code",
]

RoundStatus = Literal["open", "closed"]
CodeKind = Literal["personal", "shared", "receipt"]
"""A personal code is one respondent's; a shared code is anyone's of its role; a receipt is a
personal code minted for one answer given with a shared code."""


STALLED_CLOSE = timedelta(minutes=10)
"""How long a close may take before another may begin in its place."""


class RoundClosedError(Exception):
    """The round is closed, or past its closing date: it takes no responses and closes once."""


def hash_code(code: str) -> str:
    """The stored form of an invitation code (SHA-256; a code has 192 random bits)."""
    return hashlib.sha256(code.encode("utf-8", "replace")).hexdigest()


def _new_code() -> str:
    return secrets.token_urlsafe(24)  # 32 URL-safe characters


@dataclass(frozen=True, slots=True)
class StoredRound:
    """A round as the store keeps it; never any respondent's answers."""

    id: str
    organisation_id: str
    organisation_name: str | None
    region: str | None
    intervention: str
    context: dict[str, Any]
    """The `organisation` and `intervention` sections the combined assessment starts from."""
    status: RoundStatus
    opened_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None
    assessment_id: str | None
    respondents: int
    """Responses now (an open round), or those combined when it closed."""
    answers_deleted_at: datetime | None
    combination_json: str | None = None
    """What closing combined, privacy-safe (None while open)."""
    request_json: str | None = None
    """The combined assessment closing stored (None while open)."""

    def takes_responses(self, now: datetime) -> bool:
        """Whether a response given at `now` is taken: open, and not past its closing date."""
        return self.status == "open" and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True, slots=True)
class InvitationCode:
    """A code as issued: shown once to whoever asked for it, kept only as its hash."""

    role: str
    kind: CodeKind
    code: str


@dataclass(frozen=True, slots=True)
class Invitee:
    """Whom a presented invitation code lets answer: the round, the role, and how."""

    round: StoredRound
    role: str
    kind: CodeKind
    code_hash: str


@dataclass(frozen=True, slots=True)
class Submitted:
    """What taking a response did."""

    replaced: bool
    """A response given earlier with the same code was replaced."""
    receipt: str | None
    """For an answer given with a shared code: a personal code to replace it with later."""
    submitted_at: datetime


@dataclass(frozen=True, slots=True)
class RoundFilter:
    """Filters of the rounds list; None means any."""

    organisation_id: str | None = None
    status: RoundStatus | None = None


def _as_stored(record: RoundRecord, responses: int) -> StoredRound:
    def moment(value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    return StoredRound(
        id=record.id,
        organisation_id=record.organisation_id,
        organisation_name=record.organisation_name,
        region=record.region,
        intervention=record.intervention,
        context=json.loads(record.context_json),
        status="closed" if record.status == "closed" else "open",
        opened_at=as_utc(record.opened_at),
        closes_at=moment(record.closes_at),
        closed_at=moment(record.closed_at),
        assessment_id=record.assessment_id,
        respondents=record.respondents if record.respondents is not None else responses,
        answers_deleted_at=moment(record.answers_deleted_at),
        combination_json=record.combination_json,
        request_json=record.request_json,
    )


def _response_counts(session: Session, round_ids: Sequence[str]) -> dict[str, int]:
    if not round_ids:
        return {}
    counted = (
        select(RoundResponse.round_id, func.count())
        .where(RoundResponse.round_id.in_(round_ids))
        .group_by(RoundResponse.round_id)
    )
    return {round_id: count for round_id, count in session.execute(counted)}


def _changed(session: Session, statement: Executable) -> int:
    """Run an UPDATE or DELETE; return how many rows it changed."""
    result = session.execute(statement)
    return result.rowcount if isinstance(result, CursorResult) else 0


def _taking(round_id: str, now: datetime) -> Update:
    """An update that holds the round's row for this transaction while it takes responses.

    It changes nothing; it matches only a round open at `now`, and the row it matches stays
    locked until the transaction ends, so a close waits for a response being taken (and a
    response taken after a close sees it closed).
    """
    return (
        update(RoundRecord)
        .where(
            RoundRecord.id == round_id,
            RoundRecord.status == "open",
            or_(RoundRecord.closes_at.is_(None), RoundRecord.closes_at > now),
        )
        .values(status=RoundRecord.status)
    )


class Rounds:
    """Every read and write of rounds; reads by id or list go through the caller's binding."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def open(
        self,
        *,
        organisation_id: str,
        organisation_name: str | None,
        region: str | None,
        intervention: str,
        context: Mapping[str, Any],
        closes_at: datetime | None,
        codes: Iterable[tuple[str, int]],
        shared_roles: Sequence[str],
        key_id: str | None,
    ) -> tuple[StoredRound, list[InvitationCode]]:
        """Open a round and issue its invitation codes.

        `codes` gives (role, how many personal codes); each of `shared_roles` gets one shared
        code.

        The organisation is placed in `region` as its first stored assessment would place it,
        and a round for an organisation of another region is refused.

        Raises:
            OrganisationRegionConflictError: The organisation belongs to another region.
        """
        now = datetime.now(UTC)
        issued = [
            *(
                InvitationCode(role, "personal", _new_code())
                for role, count in codes
                for _ in range(count)
            ),
            *(InvitationCode(role, "shared", _new_code()) for role in shared_roles),
        ]
        values: dict[str, Any] = {
            "id": new_id(now),
            "organisation_id": organisation_id,
            "organisation_name": organisation_name,
            "intervention": intervention,
            "context_json": json.dumps(context, ensure_ascii=False, separators=(",", ":")),
            "status": "open",
            "opened_at": now,
            "closes_at": closes_at,
            "key_id": key_id,
        }
        rows = [
            {
                "code_hash": hash_code(code.code),
                "round_id": values["id"],
                "role": code.role,
                "kind": code.kind,
                "created_at": now,
            }
            for code in issued
        ]
        for attempt in (1, 2):
            try:
                with self.db.session() as session:
                    values["region"] = Repository.place_organisation(
                        session, organisation_id, region, now
                    )
                    session.execute(insert(RoundRecord), [values])
                    if rows:
                        session.execute(insert(RoundCode), rows)
                break
            except IntegrityError:
                # A concurrent first store placed the organisation: once more, to meet its region.
                if attempt == 2:
                    raise
        return _as_stored(RoundRecord(**values), 0), issued

    def get(self, round_id: str, binding: Binding) -> StoredRound | None:
        """The round, when the binding lets the caller see it; else None."""
        with self.db.session() as session:
            record = session.scalars(
                within(select(RoundRecord).where(RoundRecord.id == round_id), binding, RoundRecord)
            ).first()
            if record is None:
                return None
            return _as_stored(record, _response_counts(session, [record.id]).get(record.id, 0))

    def page(
        self, filters: RoundFilter, binding: Binding, after: str | None = None, limit: int = 50
    ) -> tuple[list[StoredRound], str | None]:
        """A page of rounds, newest first, and the cursor of the next page (None at the end)."""
        query = within(select(RoundRecord), binding, RoundRecord)
        if filters.organisation_id is not None:
            query = query.where(RoundRecord.organisation_id == filters.organisation_id)
        if filters.status is not None:
            query = query.where(RoundRecord.status == filters.status)
        if after is not None:
            query = query.where(RoundRecord.id < after)
        query = query.order_by(RoundRecord.id.desc()).limit(limit + 1)
        with self.db.session() as session:
            records = list(session.scalars(query))
            more = len(records) > limit
            records = records[:limit]
            counts = _response_counts(session, [r.id for r in records])
            found = [_as_stored(r, counts.get(r.id, 0)) for r in records]
        return found, (encode_cursor(found[-1].id) if more and found else None)

    def invited(self, round_id: str) -> dict[str, dict[str, int]]:
        """The codes issued for a round, by role and kind (receipts left out)."""
        counted = (
            select(RoundCode.role, RoundCode.kind, func.count())
            .where(RoundCode.round_id == round_id, RoundCode.kind != "receipt")
            .group_by(RoundCode.role, RoundCode.kind)
        )
        found: dict[str, dict[str, int]] = {}
        with self.db.session() as session:
            for role, kind, count in session.execute(counted):
                found.setdefault(role, {})[kind] = count
        return found

    def role_counts(self, round_id: str) -> dict[str, int]:
        """How many responses a round has of each role (for privacy groups, never shown as is)."""
        counted = (
            select(RoundResponse.role, func.count())
            .where(RoundResponse.round_id == round_id)
            .group_by(RoundResponse.role)
        )
        with self.db.session() as session:
            return {role: count for role, count in session.execute(counted)}

    def responses(self, round_id: str) -> list[tuple[str, dict[str, str]]]:
        """Each response of a round as (role, answers by indicator path), oldest first.

        For combining only: no endpoint sends a response on its own.
        """
        query = (
            select(RoundResponse.role, RoundResponse.answers_json)
            .where(RoundResponse.round_id == round_id)
            .order_by(RoundResponse.id)
        )
        with self.db.session() as session:
            return [(role, json.loads(answers)) for role, answers in session.execute(query)]

    def invitee(self, code: str) -> Invitee | None:
        """Whom the invitation code `code` lets answer; None when it is no code of any round."""
        return self.invitee_by_hash(hash_code(code))

    def invitee_by_hash(self, code_hash: str) -> Invitee | None:
        """Whom the invitation code with the SHA-256 `code_hash` lets answer, or None.

        A page session keeps only the hash of the code its respondent typed. None when it is no
        code of any round (any longer).
        """
        with self.db.session() as session:
            found = session.execute(
                select(RoundCode, RoundRecord)
                .join(RoundRecord, RoundRecord.id == RoundCode.round_id)
                .where(RoundCode.code_hash == code_hash)
            ).first()
            if found is None:
                return None
            issued, record = found
            count = _response_counts(session, [record.id]).get(record.id, 0)
            kind = cast(CodeKind, issued.kind)  # only the store writes it, one of the three
            return Invitee(_as_stored(record, count), issued.role, kind, code_hash)

    def submit(self, invitee: Invitee, answers: Mapping[str, str]) -> Submitted:
        """Take the answers of `invitee`'s respondent.

        A personal code (or a receipt) replaces the answers given with it before; a shared code
        adds a response and mints a receipt for it.

        Raises:
            RoundClosedError: The round is closed or past its closing date.
        """
        now = datetime.now(UTC)
        text = json.dumps(dict(answers), ensure_ascii=False, separators=(",", ":"))
        receipt = _new_code() if invitee.kind == "shared" else None
        code_hash = hash_code(receipt) if receipt is not None else invitee.code_hash
        round_id = invitee.round.id
        with self.db.session() as session:
            if _changed(session, _taking(round_id, now)) != 1:
                raise RoundClosedError(round_id)
            if receipt is not None:
                session.execute(
                    insert(RoundCode),
                    [
                        {
                            "code_hash": code_hash,
                            "round_id": round_id,
                            "role": invitee.role,
                            "kind": "receipt",
                            "created_at": now,
                        }
                    ],
                )
            replaced = _changed(
                session,
                update(RoundResponse)
                .where(RoundResponse.code_hash == code_hash)
                .values(answers_json=text, submitted_at=now),
            )
            if not replaced:
                session.execute(
                    insert(RoundResponse),
                    [
                        {
                            "round_id": round_id,
                            "role": invitee.role,
                            "answers_json": text,
                            "code_hash": code_hash,
                            "submitted_at": now,
                        }
                    ],
                )
        return Submitted(replaced=bool(replaced), receipt=receipt, submitted_at=now)

    def begin_close(self, round_id: str) -> datetime:
        """Mark the round closed, so that it takes no more responses; return when.

        What it combines to is recorded by `finish_close`, or the round is opened again by
        `reopen` when storing that fails. A response being taken meanwhile is waited for. A
        close that began more than `STALLED_CLOSE` ago and never finished (its process died)
        may begin again.

        Raises:
            RoundClosedError: It was closed already.
        """
        now = datetime.now(UTC)
        stalled = and_(
            RoundRecord.status == "closed",
            RoundRecord.combination_json.is_(None),
            RoundRecord.closed_at < now - STALLED_CLOSE,
        )
        with self.db.session() as session:
            closed = _changed(
                session,
                update(RoundRecord)
                .where(RoundRecord.id == round_id, or_(RoundRecord.status == "open", stalled))
                .values(status="closed", closed_at=now),
            )
        if closed != 1:
            raise RoundClosedError(round_id)
        return now

    def finish_close(
        self,
        round_id: str,
        assessment_id: str,
        combination_json: str,
        request_json: str,
        respondents: int,
    ) -> None:
        """Record what a closed round combined to and the stored assessment made of it."""
        with self.db.session() as session:
            session.execute(
                update(RoundRecord)
                .where(RoundRecord.id == round_id)
                .values(
                    assessment_id=assessment_id,
                    combination_json=combination_json,
                    request_json=request_json,
                    respondents=respondents,
                )
            )

    def reopen(self, round_id: str) -> None:
        """Undo `begin_close` when what it combined could not be stored."""
        with self.db.session() as session:
            session.execute(
                update(RoundRecord)
                .where(RoundRecord.id == round_id, RoundRecord.combination_json.is_(None))
                .values(status="open", closed_at=None)
            )

    def delete_answers(self, round_id: str) -> int:
        """Delete a round's raw answers, and record when; return how many were deleted.

        What the round combined to when it closed, and the stored assessment, are kept.
        """
        now = datetime.now(UTC)
        with self.db.session() as session:
            deleted = _changed(
                session, delete(RoundResponse).where(RoundResponse.round_id == round_id)
            )
            session.execute(
                update(RoundRecord).where(RoundRecord.id == round_id).values(answers_deleted_at=now)
            )
        return deleted

    def purge(self, closed_before: datetime) -> int:
        """Delete the raw answers of every round closed before `closed_before`; return how many.

        Only rounds whose closing is complete (their combination kept) qualify, so a round
        being closed keeps its answers until they are combined. A round nobody closed counts
        from its closing date: past it, it takes no answers, and its answers are not kept
        longer than a closed round's.
        """
        now = datetime.now(UTC)
        closed = (
            (RoundRecord.status == "closed")
            & (RoundRecord.closed_at < closed_before)
            & RoundRecord.combination_json.is_not(None)
        )
        abandoned = (
            (RoundRecord.status == "open")
            & RoundRecord.closes_at.is_not(None)
            & (RoundRecord.closes_at < closed_before)
        )
        due = select(RoundRecord.id).where(
            closed | abandoned,
            exists().where(RoundResponse.round_id == RoundRecord.id),
        )
        deleted = 0
        with self.db.session() as session:
            for chunk in in_chunks(list(session.scalars(due))):
                deleted += _changed(
                    session, delete(RoundResponse).where(RoundResponse.round_id.in_(chunk))
                )
                session.execute(
                    update(RoundRecord)
                    .where(RoundRecord.id.in_(chunk))
                    .values(answers_deleted_at=now)
                )
        return deleted
