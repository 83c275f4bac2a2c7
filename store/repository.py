"""Queries: storing and reading assessments within a key's binding, and managing API keys."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, defer

from store.database import Database
from store.keys import (
    ApiKeyInfo,
    Binding,
    hash_secret,
    new_key,
    secrets_match,
    split_key,
    stored_scopes,
)
from store.models import (
    ApiKey,
    AssessmentRecord,
    DimensionScore,
    Organisation,
    RoundCode,
    RoundRecord,
    RoundResponse,
    StoredFinding,
)

__all__ = [
    "FIRST_ACTIONS",
    "AssessmentFilter",
    "HistoryEntry",
    "IdempotencyConflictError",
    "OrganisationDeletion",
    "OrganisationRegionConflictError",
    "QuarterFigures",
    "RegionFigures",
    "RegionInfo",
    "Repository",
    "ResultSummary",
    "StoredAssessment",
    "as_utc",
    "in_chunks",
    "new_id",
    "within",
]


FIRST_ACTIONS = 3
"""How many of the first places of a stored result are kept as `first_action` findings: what a
region's organisations have to do first (`first_actions` of a regional summary)."""


class IdempotencyConflictError(Exception):
    """The idempotency key was used before with a different request."""


class OrganisationRegionConflictError(Exception):
    """The organisation is stored under another region than the one asked for."""

    def __init__(self, organisation_id: str, region: str | None) -> None:
        super().__init__(organisation_id, region)
        self.organisation_id = organisation_id
        self.region = region
        """The region the organisation belongs to (None: stored without a region)."""


@dataclass(frozen=True, slots=True)
class ResultSummary:
    """What is kept beside a stored result: what filters, pages, exports and summaries read."""

    language: str
    ruleset_version: str
    ruleset_digest: str
    readiness_level: str
    readiness_score: float | None
    gap_count: int
    blocking_gap_count: int
    top_recommendation: str | None
    """The id of the recommendation ranked first."""
    top_recommendation_title: str | None
    """Its title, as the result gives it (language, country and model)."""
    stage: int | None
    """The organisation's stage (1-4), from its answers to the fourteen steps."""
    dimensions: tuple[tuple[str, str, float | None], ...]
    """(dimension, level, score) of each dimension, in the result's order."""
    findings: tuple[tuple[str, str], ...]
    """(kind, item id): each gap (`gap`), escalation (`escalation`), obstacle (`obstacle`) and
    missing success factor (`missing_factor`), and the recommendations of the first places
    (`first_action`, `FIRST_ACTIONS` of them)."""


@dataclass(frozen=True, slots=True)
class OrganisationDeletion:
    """What deleting an organisation's data deleted."""

    assessments: int
    rounds: int


@dataclass(frozen=True, slots=True)
class StoredAssessment:
    """A stored assessment's metadata and its result exactly as it was sent."""

    id: str
    created_at: datetime
    organisation_id: str
    organisation_name: str | None
    region: str | None
    intervention: str
    language: str
    readiness_level: str
    readiness_score: float | None
    ruleset_version: str
    ruleset_digest: str
    result_json: str
    gap_count: int = 0
    blocking_gap_count: int = 0
    top_recommendation: str | None = None
    top_recommendation_title: str | None = None
    """The title of the recommendation ranked first, as the result gave it."""
    stage: int | None = None
    """The organisation's stage (1-4), as the result gave it."""
    assessed_at: datetime | None = None
    """When the assessment was made (the storage time unless the caller gave an earlier date)."""

    @property
    def made_at(self) -> datetime:
        """When the assessment was made: what quarters and deltas go by."""
        return self.assessed_at or self.created_at

    def meta(self) -> dict[str, Any]:
        """Everything but the result, JSON-ready."""
        return {
            "id": self.id,
            "created_at": _iso(self.created_at),
            "assessed_at": _iso(self.made_at),
            "organisation_id": self.organisation_id,
            "organisation_name": self.organisation_name,
            "region": self.region,
            "intervention": self.intervention,
            "language": self.language,
            "readiness_level": self.readiness_level,
            "readiness_score": self.readiness_score,
            "stage": self.stage,
            "ruleset_version": self.ruleset_version,
            "ruleset_digest": self.ruleset_digest,
        }


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One stored assessment in an organisation's history: when it was made, and its gaps."""

    id: str
    assessed_at: datetime
    gaps: frozenset[str]


@dataclass(frozen=True, slots=True)
class RegionInfo:
    """A region as the regions list shows it."""

    region: str
    organisations: int
    assessments: int
    latest: datetime | None
    """When its latest assessment was made (None: none stored yet)."""


@dataclass(frozen=True, slots=True)
class QuarterFigures:
    """One calendar quarter of a region: its assessments and each organisation's latest in it."""

    quarter: str
    """`2026-Q4`."""
    assessments: int
    latest: list[tuple[str, float | None]]
    """Overall readiness (level, score) of each organisation's latest assessment in the quarter."""

    @property
    def organisations(self) -> int:
        """How many organisations were assessed in the quarter."""
        return len(self.latest)


@dataclass(frozen=True, slots=True)
class RegionFigures:
    """What a regional summary counts, taking each organisation's latest assessment."""

    assessments: int
    levels: list[str]
    """The overall readiness level of each organisation's latest assessment."""
    stages: list[int | None]
    """The stage of each organisation's latest assessment (none: stored without one)."""
    dimensions: list[tuple[str, str, float | None]]
    """(dimension, level, score) of every dimension of each organisation's latest assessment."""
    findings: dict[tuple[str, str], int]
    """(kind, item id): how many organisations' latest assessments have the finding."""
    quarters: list[QuarterFigures]
    """Oldest first."""

    @property
    def organisations(self) -> int:
        """How many organisations were assessed."""
        return len(self.levels)


@dataclass(frozen=True, slots=True)
class AssessmentFilter:
    """Filters of the list endpoint; None means any."""

    organisation_id: str | None = None
    region: str | None = None
    intervention: str | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    assessed_from: datetime | None = None
    """On the day the assessment describes (`assessed_at`), as regional summaries count it."""
    assessed_to: datetime | None = None
    readiness_level: str | None = None
    gap: str | None = None
    obstacle: str | None = None


def new_id(now: datetime) -> str:
    """A new id of 32 hexadecimal digits, unguessable, that sorts by creation time.

    Time first, so that ids sort by creation; then randomness, so that they cannot be guessed.
    """
    micros = int(now.timestamp() * 1_000_000)
    return f"{micros:014x}{os.urandom(9).hex()}"


_CHUNK = 500
"""Ids per `IN (...)` list: well below every supported database's limit on bound parameters."""


def in_chunks(ids: list[str]) -> Iterator[list[str]]:
    """`ids` in lists short enough for one `IN (...)` of any supported database."""
    return (ids[n : n + _CHUNK] for n in range(0, len(ids), _CHUNK))


def as_utc(moment: datetime) -> datetime:
    """`moment` as an aware time in UTC (SQLite returns naive ones; every stored time is UTC)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _quarter_starts(first: datetime, last: datetime) -> list[datetime]:
    """The first instant (UTC) of each calendar quarter from `first`'s to `last`'s."""
    first, last = first.astimezone(UTC), last.astimezone(UTC)
    year, month = first.year, (first.month - 1) // 3 * 3 + 1
    starts = []
    while (year, month) <= (last.year, last.month):
        starts.append(datetime(year, month, 1, tzinfo=UTC))
        year, month = (year + 1, 1) if month == 10 else (year, month + 3)
    return starts


def _as_stored(record: AssessmentRecord, result_json: str | None = None) -> StoredAssessment:
    return StoredAssessment(
        id=record.id,
        created_at=as_utc(record.created_at),
        organisation_id=record.organisation_id,
        organisation_name=record.organisation_name,
        region=record.region,
        intervention=record.intervention,
        language=record.language,
        readiness_level=record.readiness_level,
        readiness_score=record.readiness_score,
        ruleset_version=record.ruleset_version,
        ruleset_digest=record.ruleset_digest,
        result_json=record.result_json if result_json is None else result_json,
        gap_count=record.gap_count,
        blocking_gap_count=record.blocking_gap_count,
        top_recommendation=record.top_recommendation,
        top_recommendation_title=record.top_recommendation_title,
        stage=record.stage,
        assessed_at=as_utc(record.assessed_at) if record.assessed_at is not None else None,
    )


def within(
    query: Select[*tuple[Any, ...]],
    binding: Binding,
    table: type[AssessmentRecord] | type[RoundRecord] = AssessmentRecord,
) -> Select[*tuple[Any, ...]]:
    """`query` narrowed to the rows of `table` (assessments, or rounds) the binding may see."""
    if binding.region is not None:
        query = query.where(table.region == binding.region)
    if binding.organisation_id is not None:
        query = query.where(table.organisation_id == binding.organisation_id)
    return query


def _latest_of(where: list[Any], *group: Any) -> Select[tuple[str]]:
    """The id of each group's latest assessment among those `where` selects.

    The latest is the one made last, then stored last: an imported older survey does not become
    an organisation's latest.
    """
    ranked = (
        select(
            AssessmentRecord.id,
            func.row_number()
            .over(
                partition_by=group,
                order_by=(AssessmentRecord.assessed_at.desc(), AssessmentRecord.id.desc()),
            )
            .label("place"),
        )
        .where(*where)
        .subquery()
    )
    return select(ranked.c.id).where(ranked.c.place == 1)


def _records(with_results: bool) -> Select[*tuple[Any, ...]]:
    """Assessment records without their request (and without their result unless asked)."""
    unread = [AssessmentRecord.request_json]
    if not with_results:
        unread.append(AssessmentRecord.result_json)
    return select(AssessmentRecord).options(*map(defer, unread))


def _matching(
    query: Select[*tuple[Any, ...]], filters: AssessmentFilter, binding: Binding
) -> Select[*tuple[Any, ...]]:
    """`query` narrowed to the assessments `filters` and `binding` select."""
    query = within(query, binding)
    columns = {
        "organisation_id": AssessmentRecord.organisation_id,
        "region": AssessmentRecord.region,
        "intervention": AssessmentRecord.intervention,
        "readiness_level": AssessmentRecord.readiness_level,
    }
    for name, column in columns.items():
        value = getattr(filters, name)
        if value is not None:
            query = query.where(column == value)
    if filters.created_from is not None:
        query = query.where(AssessmentRecord.created_at >= filters.created_from)
    if filters.created_to is not None:
        query = query.where(AssessmentRecord.created_at < filters.created_to)
    if filters.assessed_from is not None:
        query = query.where(AssessmentRecord.assessed_at >= filters.assessed_from)
    if filters.assessed_to is not None:
        query = query.where(AssessmentRecord.assessed_at < filters.assessed_to)
    for kind, item in (("gap", filters.gap), ("obstacle", filters.obstacle)):
        if item is not None:
            query = query.where(
                exists().where(
                    StoredFinding.assessment_id == AssessmentRecord.id,
                    StoredFinding.kind == kind,
                    StoredFinding.item_id == item,
                )
            )
    return query


CURSOR_PATTERN = r"[0-9a-f]{32}"
"""What a cursor is: the id of the last assessment of a page (ids are 32 hexadecimal digits).

A cursor says only where the next page starts, and every id it could name is one the caller
has seen in a page already; so it is the id itself, and any string of this form is a valid
cursor (the OpenAPI document gives the pattern)."""


def encode_cursor(record_id: str) -> str:
    """Return the cursor that continues after `record_id`."""
    return record_id


def decode_cursor(cursor: str) -> str | None:
    """Return the id a cursor continues after, or None when it is not of a cursor's form."""
    return cursor if re.fullmatch(CURSOR_PATTERN, cursor) else None


class Repository:
    """All reads and writes; every read of assessments is filtered by the caller's binding."""

    revocations: ClassVar[int] = 0
    """How many keys any repository of this process has revoked: caches of verified keys
    compare it to forget what they remember as soon as a key is revoked here."""

    def __init__(self, database: Database) -> None:
        self.db = database

    def create_key(
        self,
        scopes: list[str],
        region: str | None = None,
        organisation_id: str | None = None,
        description: str | None = None,
    ) -> str:
        """Create a key and return it in full; only its hash is kept."""
        key_id, secret, full = new_key()
        with self.db.session() as session:
            session.add(
                ApiKey(
                    id=key_id,
                    secret_hash=hash_secret(secret),
                    scopes=",".join(sorted(set(scopes))),
                    region=region,
                    organisation_id=organisation_id,
                    description=description,
                    created_at=datetime.now(UTC),
                )
            )
        return full

    def verify_key(self, presented: str) -> ApiKeyInfo | None:
        """Return the key's scopes and binding, or None when it is unknown, wrong or revoked."""
        parts = split_key(presented)
        if parts is None:
            return None
        key_id, secret = parts
        with self.db.session() as session:
            key = session.get(ApiKey, key_id)
            # Compare even when the key is unknown, so timing does not tell which ids exist.
            stored = key.secret_hash if key is not None else hash_secret("-")
            if not secrets_match(secret, stored) or key is None or key.revoked_at is not None:
                return None
            return ApiKeyInfo(
                id=key.id,
                scopes=frozenset(stored_scopes(key.scopes)),
                binding=Binding(region=key.region, organisation_id=key.organisation_id),
            )

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; return whether it existed."""
        with self.db.session() as session:
            key = session.get(ApiKey, key_id)
            if key is None:
                return False
            key.revoked_at = datetime.now(UTC)
        Repository.revocations += 1  # committed: caches of verified keys forget them now
        return True

    def list_keys(self) -> list[dict[str, Any]]:
        """Every key's id, scopes and binding (never the secret)."""
        with self.db.session() as session:
            return [
                {
                    "id": k.id,
                    "scopes": stored_scopes(k.scopes),
                    "region": k.region,
                    "organisation_id": k.organisation_id,
                    "description": k.description,
                    "revoked": k.revoked_at is not None,
                }
                for k in session.scalars(select(ApiKey).order_by(ApiKey.created_at))
            ]

    def store(
        self,
        request_json: str,
        summary: ResultSummary,
        result_json: str,
        organisation_id: str,
        organisation_name: str | None,
        region: str | None,
        intervention: str,
        key_id: str | None,
        idempotency_key: str | None = None,
        assessed_at: datetime | None = None,
    ) -> tuple[StoredAssessment, bool]:
        """Store one assessment, its result as `result_json`, and its `summary`.

        Return it and whether it was new. With an idempotency key the same request stores once;
        a retry returns the first one. The organisation's first stored assessment places it in
        `region` for good (`move_organisation` moves it); a later one without a region is stored
        under the organisation's. `assessed_at` is when the assessment was made, if earlier than
        now (an imported survey).

        Raises:
            IdempotencyConflictError: The key was used before for a different request.
            OrganisationRegionConflictError: The organisation belongs to another region.
        """
        request_hash = hashlib.sha256(request_json.encode()).hexdigest()
        if idempotency_key is not None:
            earlier = self._by_idempotency(key_id, idempotency_key)
            if earlier is not None:
                return self._replay(earlier, request_hash)
        now = datetime.now(UTC)
        values: dict[str, Any] = {
            "id": new_id(now),
            "created_at": now,
            "assessed_at": assessed_at or now,
            "organisation_id": organisation_id,
            "organisation_name": organisation_name,
            "region": region,
            "intervention": intervention,
            "language": summary.language,
            "readiness_level": summary.readiness_level,
            "readiness_score": summary.readiness_score,
            "ruleset_version": summary.ruleset_version,
            "ruleset_digest": summary.ruleset_digest,
            "request_json": request_json,
            "result_json": result_json,
            "key_id": key_id,
            "idempotency_key": idempotency_key,
            "request_hash": request_hash,
            "gap_count": summary.gap_count,
            "blocking_gap_count": summary.blocking_gap_count,
            "top_recommendation": summary.top_recommendation,
            "top_recommendation_title": summary.top_recommendation_title,
            "stage": summary.stage,
        }
        assessment_id = values["id"]
        dimensions = [
            {"assessment_id": assessment_id, "dimension": dimension, "level": level, "score": score}
            for dimension, level, score in summary.dimensions
        ]
        findings = [
            {"assessment_id": assessment_id, "kind": kind, "item_id": item}
            for kind, item in dict.fromkeys(summary.findings)
        ]
        for attempt in (1, 2):
            try:
                # Plain multi-row inserts: a result has about a hundred findings, and building an
                # ORM object for each cost more than the whole write.
                with self.db.session() as session:
                    values["region"] = self.place_organisation(
                        session, organisation_id, region, now
                    )
                    session.execute(insert(AssessmentRecord), [values])
                    for table, rows in ((StoredFinding, findings), (DimensionScore, dimensions)):
                        if rows:
                            session.execute(insert(table), rows)
                break
            except IntegrityError:
                if idempotency_key is not None:
                    # A concurrent retry with the same key won the race; answer as it did.
                    earlier = self._by_idempotency(key_id, idempotency_key)
                    if earlier is not None:
                        return self._replay(earlier, request_hash)
                # Or a concurrent first store placed the organisation: try once more, and meet
                # its region.
                if attempt == 2 or not self._placed(organisation_id):
                    raise
        return _as_stored(AssessmentRecord(**values)), True

    @staticmethod
    def place_organisation(
        session: Session, organisation_id: str, region: str | None, now: datetime
    ) -> str | None:
        """The region to store the organisation's assessment (or open its round) under.

        Its first assessment or round places it in `region`; later ones must name that region
        or none.

        Raises:
            OrganisationRegionConflictError: It belongs to another region than `region`.
        """
        found = session.get(Organisation, organisation_id)
        if found is None:
            session.execute(
                insert(Organisation), [{"id": organisation_id, "region": region, "created_at": now}]
            )
            return region
        if region is not None and found.region != region:
            raise OrganisationRegionConflictError(organisation_id, found.region)
        return found.region

    def _placed(self, organisation_id: str) -> bool:
        with self.db.session() as session:
            return session.get(Organisation, organisation_id) is not None

    def move_organisation(self, organisation_id: str, region: str | None) -> int | None:
        """Move an organisation, every stored assessment and every round of it to `region`.

        An admin's act.

        Return how many assessments moved, or None when the organisation is unknown.
        """
        with self.db.session() as session:
            found = session.get(Organisation, organisation_id)
            if found is None:
                return None
            found.region = region
            mine = AssessmentRecord.organisation_id == organisation_id
            moved = session.scalar(select(func.count()).where(mine)) or 0
            session.execute(update(AssessmentRecord).where(mine).values(region=region))
            session.execute(
                update(RoundRecord)
                .where(RoundRecord.organisation_id == organisation_id)
                .values(region=region)
            )
            return moved

    def regions(self, binding: Binding) -> list[RegionInfo]:
        """The regions the binding may see, with their organisations and assessments.

        A key bound to one organisation sees no region (regional figures are not for it).
        """
        if binding.organisation_id is not None:
            return []
        query = (
            select(
                AssessmentRecord.region,
                func.count(func.distinct(AssessmentRecord.organisation_id)),
                func.count(),
                func.max(AssessmentRecord.assessed_at),
            )
            .where(AssessmentRecord.region.is_not(None))
            .group_by(AssessmentRecord.region)
            .order_by(AssessmentRecord.region)
        )
        if binding.region is not None:
            query = query.where(AssessmentRecord.region == binding.region)
        with self.db.session() as session:
            found = [
                RegionInfo(
                    str(region), organisations, assessments, as_utc(latest) if latest else None
                )
                for region, organisations, assessments, latest in session.execute(query)
            ]
        if binding.region is not None and not found:
            return [RegionInfo(binding.region, 0, 0, None)]
        return found

    def _by_idempotency(self, key_id: str | None, idempotency_key: str) -> AssessmentRecord | None:
        with self.db.session() as session:
            query = select(AssessmentRecord).where(
                AssessmentRecord.idempotency_key == idempotency_key,
                AssessmentRecord.key_id.is_(None)
                if key_id is None
                else AssessmentRecord.key_id == key_id,
            )
            return session.scalars(query).first()

    @staticmethod
    def _replay(record: AssessmentRecord, request_hash: str) -> tuple[StoredAssessment, bool]:
        if record.request_hash != request_hash:
            raise IdempotencyConflictError(record.id)
        return _as_stored(record), False

    def get(self, assessment_id: str, binding: Binding) -> StoredAssessment | None:
        """Return the assessment when the binding lets the caller see it, else None."""
        with self.db.session() as session:
            query = within(
                select(AssessmentRecord).where(AssessmentRecord.id == assessment_id), binding
            )
            record = session.scalars(query).first()
            return _as_stored(record) if record is not None else None

    def answers_of(self, assessment_id: str, binding: Binding) -> str | None:
        """The answers (request JSON) of an assessment the binding lets the caller see, else None.

        For the report page, which lists the questions answered "don't know"; no endpoint of
        the API returns them.
        """
        with self.db.session() as session:
            query = within(
                select(AssessmentRecord.request_json).where(AssessmentRecord.id == assessment_id),
                binding,
            )
            found: str | None = session.scalars(query).first()
            return found

    def page(
        self,
        filters: AssessmentFilter,
        binding: Binding,
        after: str | None = None,
        limit: int = 50,
        with_results: bool = True,
    ) -> tuple[list[StoredAssessment], str | None]:
        """Return a page, newest first, and the cursor of the next page (None at the end).

        Without `with_results` the items' `result_json` is empty: it is the bulk of a stored
        assessment, and a CSV of assessments needs only the columns kept beside it.
        """
        query = _matching(_records(with_results), filters, binding)
        if after is not None:
            query = query.where(AssessmentRecord.id < after)
        query = query.order_by(AssessmentRecord.id.desc()).limit(limit + 1)
        with self.db.session() as session:
            records = [_as_stored(r, None if with_results else "") for r in session.scalars(query)]
        more = len(records) > limit
        records = records[:limit]
        return records, (encode_cursor(records[-1].id) if more and records else None)

    def span(
        self, filters: AssessmentFilter, binding: Binding, after: str | None, most: int
    ) -> tuple[str, str | None] | None:
        """Fix the rows an export of at most `most` rows holds, before it is written.

        Return the id of its newest row (newest first, after the id `after`) and, when more
        rows match than `most`, the id of its oldest (the export is cut there); None when no row
        matches. The export reads the rows between the two (`chunks`), so one stored while it
        is written changes neither what it holds nor where its continuation starts.
        """
        query = _matching(select(AssessmentRecord.id), filters, binding)
        if after is not None:
            query = query.where(AssessmentRecord.id < after)
        query = query.order_by(AssessmentRecord.id.desc())
        with self.db.session() as session:
            newest = session.scalars(query.limit(1)).first()
            if newest is None:
                return None
            # The export's last row and the one after it, if there is one; counted from
            # `newest`, so a row stored meanwhile does not shift them.
            counted = query.where(AssessmentRecord.id <= newest)
            tail = list(session.scalars(counted.offset(most - 1).limit(2)))
        return newest, (tail[0] if len(tail) > 1 else None)

    def chunks(
        self,
        filters: AssessmentFilter,
        binding: Binding,
        newest: str,
        oldest: str | None,
        with_results: bool = True,
        size: int = 200,
    ) -> Iterator[list[StoredAssessment]]:
        """The matching rows from the id `newest` down to `oldest`, newest first, in lists.

        Both ids are included; `oldest` None reads to the end. Each list of at most `size` is
        read in a session of its own (keyset paging on the id), so an export of any length holds
        one list in memory and no session between lists. `with_results` as for `page`.
        """
        query = _matching(_records(with_results), filters, binding)
        if oldest is not None:
            query = query.where(AssessmentRecord.id >= oldest)
        query = query.order_by(AssessmentRecord.id.desc()).limit(size)
        bound = AssessmentRecord.id <= newest
        while True:
            with self.db.session() as session:
                records = [
                    _as_stored(r, None if with_results else "")
                    for r in session.scalars(query.where(bound))
                ]
            if records:
                yield records
            if len(records) < size:
                return
            bound = AssessmentRecord.id < records[-1].id

    def gap_history(
        self, organisation_id: str, intervention: str, binding: Binding, upto: str
    ) -> list[HistoryEntry]:
        """The assessments of one organisation and intervention made up to the assessment `upto`.

        In the order they were made (then stored), oldest first, `upto` last; each with the ids
        of its gaps, from the `findings` table: no stored result is read.
        """
        made = AssessmentRecord.assessed_at
        until = select(made).where(AssessmentRecord.id == upto).scalar_subquery()
        rows: Select[*tuple[Any, ...]] = (
            select(AssessmentRecord.id, made, StoredFinding.item_id)
            .outerjoin(
                StoredFinding,
                and_(
                    StoredFinding.assessment_id == AssessmentRecord.id, StoredFinding.kind == "gap"
                ),
            )
            .where(
                AssessmentRecord.organisation_id == organisation_id,
                AssessmentRecord.intervention == intervention,
                or_(made < until, and_(made == until, AssessmentRecord.id <= upto)),
            )
        )
        query = within(rows, binding).order_by(made, AssessmentRecord.id)
        gaps: dict[str, tuple[datetime, set[str]]] = {}
        with self.db.session() as session:
            for assessment_id, assessed_at, gap_id in session.execute(query):
                found = gaps.get(assessment_id)
                if found is None:
                    found = gaps[assessment_id] = (as_utc(assessed_at), set())
                if gap_id is not None:
                    found[1].add(gap_id)
        return [HistoryEntry(i, when, frozenset(ids)) for i, (when, ids) in gaps.items()]

    def region_figures(
        self, region: str, created_from: datetime | None, created_to: datetime | None
    ) -> RegionFigures:
        """What a regional summary counts, for a region's assessments in a date range.

        Aggregated in the database from indexed columns and the `findings` and
        `dimension_scores` tables; no stored result is read. What comes back grows with the
        region's organisations (and quarters), not with how many assessments it stored.
        """
        made = AssessmentRecord.assessed_at
        where = [AssessmentRecord.region == region]
        if created_from is not None:
            where.append(made >= created_from)
        if created_to is not None:
            where.append(made < created_to)
        latest = _latest_of(where, AssessmentRecord.organisation_id)
        with self.db.session() as session:
            count, first, last = session.execute(
                select(func.count(), func.min(made), func.max(made)).where(*where)
            ).one()
            if not count:
                return RegionFigures(0, [], [], [], {}, [])
            # Each organisation's latest, found once; the lookups below go by primary key.
            levels: list[str] = []
            stages: list[int | None] = []
            dimensions: list[tuple[str, str, float | None]] = []
            findings: dict[tuple[str, str], int] = {}
            for chunk in in_chunks(list(session.scalars(latest))):
                for level, stage in session.execute(
                    select(AssessmentRecord.readiness_level, AssessmentRecord.stage).where(
                        AssessmentRecord.id.in_(chunk)
                    )
                ):
                    levels.append(level)
                    stages.append(stage)
                dimensions += [
                    (dimension, level, score)
                    for dimension, level, score in session.execute(
                        select(DimensionScore.dimension, DimensionScore.level, DimensionScore.score)
                        .where(DimensionScore.assessment_id.in_(chunk))
                        .order_by(DimensionScore.assessment_id)
                    )
                ]
                for kind, item, n in session.execute(
                    select(StoredFinding.kind, StoredFinding.item_id, func.count())
                    .where(StoredFinding.assessment_id.in_(chunk))
                    .group_by(StoredFinding.kind, StoredFinding.item_id)
                ):
                    findings[kind, item] = findings.get((kind, item), 0) + n
            # `assessed_at` is always written (see `AssessmentRecord.assessed_at`).
            assert first is not None and last is not None  # noqa: S101
            quarters = self._quarters(session, where, as_utc(first), as_utc(last))
        return RegionFigures(count, levels, stages, dimensions, findings, quarters)

    def latest_by_organisation(
        self, region: str, created_from: datetime | None, created_to: datetime | None
    ) -> list[StoredAssessment]:
        """Each organisation's latest assessment of a region in a date range, by organisation.

        The same assessments `region_figures` counts (made in the range, the one made last,
        then stored last); without their results (`result_json` is empty).
        """
        made = AssessmentRecord.assessed_at
        where = [AssessmentRecord.region == region]
        if created_from is not None:
            where.append(made >= created_from)
        if created_to is not None:
            where.append(made < created_to)
        latest = _latest_of(where, AssessmentRecord.organisation_id)
        found: list[StoredAssessment] = []
        with self.db.session() as session:
            for chunk in in_chunks(list(session.scalars(latest))):
                query = _records(False).where(AssessmentRecord.id.in_(chunk))
                found += (_as_stored(record, "") for record in session.scalars(query))
        return sorted(found, key=lambda stored: (stored.organisation_id, stored.id))

    @staticmethod
    def _quarters(
        session: Session, where: list[Any], first: datetime, last: datetime
    ) -> list[QuarterFigures]:
        """Per calendar quarter (UTC): assessments, and each organisation's latest in it."""
        starts = _quarter_starts(first, last)
        labels = [f"{s.year}-Q{(s.month - 1) // 3 + 1}" for s in starts]
        # Each row's quarter by comparing its time with the quarters' starts: the same SQL on
        # every database, and no time zone but UTC's (the bounds are UTC instants).
        quarter: ColumnElement[str] = literal(labels[-1])
        if len(starts) > 1:
            bounds = zip(starts[1:], labels, strict=False)
            quarter = case(
                *((AssessmentRecord.assessed_at < start, label) for start, label in bounds),
                else_=labels[-1],
            )
        # Per quarter and organisation: its latest assessment in the quarter (the one made last,
        # then stored last), and how many it has there.
        rows = (
            select(
                quarter.label("quarter"),
                AssessmentRecord.id.label("id"),
                func.row_number()
                .over(
                    partition_by=(quarter, AssessmentRecord.organisation_id),
                    order_by=(AssessmentRecord.assessed_at.desc(), AssessmentRecord.id.desc()),
                )
                .label("place"),
                func.count()
                .over(partition_by=(quarter, AssessmentRecord.organisation_id))
                .label("assessments"),
            )
            .where(*where)
            .subquery()
        )
        per_organisation = (
            select(rows.c.quarter, rows.c.id.label("latest"), rows.c.assessments)
            .where(rows.c.place == 1)
            .subquery()
        )
        counts: dict[str, int] = {}
        latest: dict[str, list[tuple[str, float | None]]] = {}
        for label, assessments, level, score in session.execute(
            select(
                per_organisation.c.quarter,
                per_organisation.c.assessments,
                AssessmentRecord.readiness_level,
                AssessmentRecord.readiness_score,
            )
            .join(AssessmentRecord, AssessmentRecord.id == per_organisation.c.latest)
            .order_by(per_organisation.c.latest)
        ):
            counts[label] = counts.get(label, 0) + assessments
            latest.setdefault(label, []).append((level, score))
        return [QuarterFigures(label, counts[label], latest[label]) for label in sorted(counts)]

    def delete_organisation(self, organisation_id: str, binding: Binding) -> OrganisationDeletion:
        """Delete every stored assessment and round of an organisation within the binding.

        A round goes with its codes and its respondents' answers.
        """
        with self.db.session() as session:
            rounds = list(
                session.scalars(
                    within(
                        select(RoundRecord.id).where(
                            RoundRecord.organisation_id == organisation_id
                        ),
                        binding,
                        RoundRecord,
                    )
                )
            )
            for chunk in in_chunks(rounds):
                session.execute(delete(RoundResponse).where(RoundResponse.round_id.in_(chunk)))
                session.execute(delete(RoundCode).where(RoundCode.round_id.in_(chunk)))
                session.execute(delete(RoundRecord).where(RoundRecord.id.in_(chunk)))
            ids = list(
                session.scalars(
                    within(
                        select(AssessmentRecord.id).where(
                            AssessmentRecord.organisation_id == organisation_id
                        ),
                        binding,
                    )
                )
            )
            for chunk in in_chunks(ids):
                session.execute(delete(StoredFinding).where(StoredFinding.assessment_id.in_(chunk)))
                session.execute(
                    delete(DimensionScore).where(DimensionScore.assessment_id.in_(chunk))
                )
                session.execute(delete(AssessmentRecord).where(AssessmentRecord.id.in_(chunk)))
            left = session.scalar(
                select(func.count()).where(AssessmentRecord.organisation_id == organisation_id)
            ) or session.scalar(
                select(func.count()).where(RoundRecord.organisation_id == organisation_id)
            )
            if not left:
                # Nothing of it is kept: its id is free to be placed in a region anew.
                session.execute(delete(Organisation).where(Organisation.id == organisation_id))
            return OrganisationDeletion(assessments=len(ids), rounds=len(rounds))

    def count(self) -> int:
        """How many assessments are stored (for operations and tests)."""
        with self.db.session() as session:
            return session.scalar(select(func.count()).select_from(AssessmentRecord)) or 0
