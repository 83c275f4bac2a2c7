"""The tables: stored assessments with what aggregates filter on, hashed API keys, and rounds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

__all__ = [
    "ApiKey",
    "AssessmentRecord",
    "Base",
    "DimensionScore",
    "Organisation",
    "RoundCode",
    "RoundRecord",
    "RoundResponse",
    "StoredFinding",
]


class Base(DeclarativeBase):
    """Base of every table."""


class AssessmentRecord(Base):
    """One stored assessment: the request and the result exactly as sent, plus what filters use."""

    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("key_id", "idempotency_key", name="uq_assessments_idempotency"),
        # Summaries: a region's rows in a date range, with what grouping by organisation needs.
        Index(
            "ix_assessments_region_assessed_org", "region", "assessed_at", "organisation_id", "id"
        ),
        Index("ix_assessments_org_created", "organisation_id", "created_at", "id"),
        # An organisation's history in the order its assessments were made (deltas).
        Index("ix_assessments_org_assessed", "organisation_id", "assessed_at", "id"),
        # Pages, newest first, of a region or an organisation.
        Index("ix_assessments_region_id", "region", "id"),
        Index("ix_assessments_org_id", "organisation_id", "id"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    """When it was stored."""
    assessed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """When the assessment was made: the storage time unless the caller gave an earlier date.
    Always written; nullable only in the schema (see migration 0003)."""
    organisation_id: Mapped[str] = mapped_column(String(64))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    intervention: Mapped[str] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(2))
    readiness_level: Mapped[str] = mapped_column(String(16))
    readiness_score: Mapped[float | None] = mapped_column(Float)
    ruleset_version: Mapped[str] = mapped_column(String(32))
    ruleset_digest: Mapped[str] = mapped_column(String(80))
    request_json: Mapped[str] = mapped_column(Text)
    result_json: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(16))
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    request_hash: Mapped[str] = mapped_column(String(64))
    # From the result, for exports without reading it.
    gap_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    blocking_gap_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    top_recommendation: Mapped[str | None] = mapped_column(String(120))
    top_recommendation_title: Mapped[str | None] = mapped_column(String(300))
    stage: Mapped[int | None] = mapped_column(Integer)
    """The organisation's stage (1-4) as the result gave it; none for a result without one."""
    findings: Mapped[list[StoredFinding]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )
    dimensions: Mapped[list[DimensionScore]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )


class Organisation(Base):
    """An organisation id and the one region its assessments are stored under."""

    __tablename__ = "organisations"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class StoredFinding(Base):
    """A gap, obstacle or missing success factor of a stored assessment, for filters and counts."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_kind_item", "kind", "item_id"),)

    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    item_id: Mapped[str] = mapped_column(String(120), primary_key=True)
    assessment: Mapped[AssessmentRecord] = relationship(back_populates="findings")


class DimensionScore(Base):
    """One dimension's level and score in a stored assessment's result, for regional summaries."""

    __tablename__ = "dimension_scores"

    assessment_id: Mapped[str] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    score: Mapped[float | None] = mapped_column(Float)


class ApiKey(Base):
    """An API key: only a hash of its secret is kept."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(64))
    region: Mapped[str | None] = mapped_column(String(100))
    organisation_id: Mapped[str | None] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RoundRecord(Base):
    """An assessment round: an organisation's respondents answer, their answers are combined.

    What it was opened for (`context_json`: the organisation and intervention sections of an
    assessment) and, once closed, what it combined to: the privacy-safe combination
    (`combination_json`), the combined assessment (`request_json`) and the stored assessment
    made of it (`assessment_id`). The respondents' own answers are in `round_responses` until
    they are deleted (`answers_deleted_at`); what is kept here survives that.
    """

    __tablename__ = "rounds"
    __table_args__ = (
        # Pages, newest first, of a region or an organisation (as for assessments).
        Index("ix_rounds_region_id", "region", "id"),
        Index("ix_rounds_org_id", "organisation_id", "id"),
        # Retention: closed rounds whose answers are still kept, by when they closed.
        Index("ix_rounds_status_closed", "status", "closed_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    organisation_id: Mapped[str] = mapped_column(String(64))
    organisation_name: Mapped[str | None] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(100))
    intervention: Mapped[str] = mapped_column(String(200))
    """The intervention's name, else its model (as a stored assessment keeps it)."""
    context_json: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(8))
    """`open` or `closed`."""
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closes_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    """After this moment no response is taken (None: until closed)."""
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    assessment_id: Mapped[str | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    combination_json: Mapped[str | None] = mapped_column(Text)
    request_json: Mapped[str | None] = mapped_column(Text)
    respondents: Mapped[int | None] = mapped_column(Integer)
    """How many responses were combined when it closed."""
    answers_deleted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    key_id: Mapped[str | None] = mapped_column(String(16))
    """The API key that opened it."""


class RoundCode(Base):
    """An invitation code of a round: only its SHA-256 is kept, never the code."""

    __tablename__ = "round_codes"

    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    kind: Mapped[str] = mapped_column(String(8))
    """`personal` (one respondent), `shared` (anyone of the role), or `receipt` (minted for one
    answer given with a shared code, so that its respondent can replace it)."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoundResponse(Base):
    """One respondent's answers in a round, flat by indicator path; no name, no address."""

    __tablename__ = "round_responses"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(24))
    answers_json: Mapped[str] = mapped_column(Text)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """The hash of the personal (or receipt) code it was given with: a resubmission with that
    code replaces it."""
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PageSession(Base):
    """A browser's session on the product's own pages.

    The browser holds a random token in an HttpOnly cookie; only its SHA-256 is kept here. A
    session starts anonymous; signing in with an API key attaches the key's id (never the key),
    so revoking the key ends what the session may do. It also holds the token that forms carry
    against cross-site requests, the questionnaire draft, the last result not stored, and the
    hash of the invitation code of a respondent answering a round on the pages.
    """

    __tablename__ = "page_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str | None] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    draft_json: Mapped[str | None] = mapped_column(Text)
    """The questionnaire's answers so far, flat by indicator path."""
    result_json: Mapped[str | None] = mapped_column(Text)
    """The last assessment made on the pages and not stored: its request and result."""
    respondent_code_hash: Mapped[str | None] = mapped_column(String(64))
    """A round respondent's invitation code (its SHA-256), typed once on the pages."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
