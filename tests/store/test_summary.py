"""Regional summaries aggregated in the database give what counting every stored row gives.

The oracle (`reference_summary`) reads every assessment of the region and parses each
organisation's latest result, as the service once did; `Repository.region_figures` counts in
SQL from indexed columns, `findings` and `dimension_scores`. Both run on SQLite and PostgreSQL
over stored assessments spread across quarters, for several date ranges and group sizes. The
migration that added those columns fills them in for assessments stored before it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import select, text, update

from engine import Engine
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from store.database import Database
from store.keys import Binding
from store.models import AssessmentRecord, Base, DimensionScore, Organisation, StoredFinding
from store.repository import (
    AssessmentFilter,
    OrganisationRegionConflictError,
    Repository,
    StoredAssessment,
)
from store.summary import summary
from tests.databases import BACKENDS, database_url, fresh
from tests.store.reference_summary import reference_summary
from tests.store.stored import summary_of

REGION = "Västra Götaland"

ANSWERS: list[dict[str, Any]] = [
    {},
    {"competence": {"tovholder": {"appointed": "no"}}},
    {"leadership": {"support": {"strategic": "no", "tactical": "no", "operational": "no"}}},
    {"leadership": {"support": {"strategic": "yes", "tactical": "yes", "operational": "yes"}}},
    {
        "leadership": {"support": {"tactical": "no"}},
        "competence": {"tovholder": {"appointed": "yes"}},
    },
    {"leadership": {"support": {"strategic": "yes", "tactical": "partly"}}},
]


@pytest.fixture(params=BACKENDS)
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    database: Database = fresh(database_url(request.param, tmp_path))
    yield Repository(database)
    database.close()


@pytest.fixture(scope="module")
def results(engine: Engine) -> list[tuple[AssessmentRequest, AssessmentResult]]:
    pairs = []
    for answers in ANSWERS:
        request = AssessmentRequest.model_validate(answers)
        pairs.append((request, engine.assess(request)))
    return pairs


def _store(
    repository: Repository,
    pair: tuple[AssessmentRequest, AssessmentResult],
    organisation: str,
    region: str,
) -> str:
    request, result = pair
    stored, _ = repository.store(
        request.model_dump_json(), summary_of(result), result.model_dump_json(), organisation,
        None, region, "family_oriented_work", key_id=None,
    )  # fmt: skip
    return stored.id


def _history(
    repository: Repository,
    results: list[tuple[AssessmentRequest, AssessmentResult]],
    seed: int,
) -> None:
    """About 40 assessments of 8 organisations over two years, plus another region's."""
    chance = random.Random(seed)
    ids = [
        _store(repository, chance.choice(results), f"org-{chance.randrange(8)}", REGION)
        for _ in range(40)
    ]
    ids += [_store(repository, chance.choice(results), "elsewhere", "Skåne") for _ in range(3)]
    # Spread the times they were made over quarters, in the order of the ids.
    start = datetime(2024, 11, 20, tzinfo=UTC)
    offsets = sorted(chance.uniform(0, 640) for _ in ids)
    with repository.db.session() as session:
        for assessment_id, days in zip(sorted(ids), offsets, strict=True):
            session.execute(
                update(AssessmentRecord)
                .where(AssessmentRecord.id == assessment_id)
                .values(assessed_at=start + timedelta(days=days))
            )


def _every_row(
    repository: Repository, created_from: datetime | None, created_to: datetime | None
) -> list[tuple[StoredAssessment, list[tuple[str, str]]]]:
    """Every assessment of the region in the range, oldest first, each with all its findings."""
    query = select(AssessmentRecord.id).where(AssessmentRecord.region == REGION)
    if created_from is not None:
        query = query.where(AssessmentRecord.assessed_at >= created_from)
    if created_to is not None:
        query = query.where(AssessmentRecord.assessed_at < created_to)
    with repository.db.session() as session:
        ids = list(session.scalars(query.order_by(AssessmentRecord.id)))
        found: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
        for finding in session.scalars(
            select(StoredFinding).where(StoredFinding.assessment_id.in_(ids))
        ):
            found[finding.assessment_id].append((finding.kind, finding.item_id))
    rows = []
    for assessment_id in ids:
        stored = repository.get(assessment_id, Binding())
        assert stored is not None
        rows.append((stored, found[assessment_id]))
    return rows


def _day(value: date | None) -> datetime | None:
    return None if value is None else datetime(value.year, value.month, value.day, tzinfo=UTC)


RANGES = [
    (None, None),
    (date(2025, 1, 1), None),
    (None, date(2025, 7, 1)),
    (date(2025, 4, 1), date(2025, 10, 1)),
    (date(2025, 4, 1), date(2025, 6, 30)),
    (date(2025, 2, 14), date(2026, 3, 3)),
    (date(2030, 1, 1), None),
]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summaries_aggregated_in_the_database_equal_counting_every_row(
    repository: Repository,
    results: list[tuple[AssessmentRequest, AssessmentResult]],
    seed: int,
) -> None:
    _history(repository, results, seed)
    quarters = set()
    for first, last in RANGES:
        created_from, created_to = _day(first), _day(last)
        rows = _every_row(repository, created_from, created_to)
        figures = repository.region_figures(REGION, created_from, created_to)
        quarters.add(len(figures.quarters))
        period: dict[str, str | None] = {"from": str(first), "to": str(last)}
        for minimum in (1, 3, 5):
            expected = reference_summary(REGION, rows, minimum, period)
            assert summary(REGION, figures, minimum, period) == expected, (first, last, minimum)
    assert {0, 1} < quarters  # no rows, one quarter, and more
    # The whole range has more than one quarter and groups on both sides of the minimum.
    whole = summary(REGION, repository.region_figures(REGION, None, None), 3, {})
    assert len(whole["trend"]) >= 6
    assert whole["assessments"] == 40


@pytest.mark.parametrize("seed", [4, 5])
def test_each_organisation_s_latest_is_the_one_the_summary_counts(
    repository: Repository,
    results: list[tuple[AssessmentRequest, AssessmentResult]],
    seed: int,
) -> None:
    _history(repository, results, seed)
    for first, last in RANGES:
        created_from, created_to = _day(first), _day(last)
        # The oracle: of every row in the range, each organisation's made last, then stored last.
        expected: dict[str, StoredAssessment] = {}
        for stored, _ in _every_row(repository, created_from, created_to):
            known = expected.get(stored.organisation_id)
            if known is None or (stored.made_at, stored.id) > (known.made_at, known.id):
                expected[stored.organisation_id] = stored
        latest = repository.latest_by_organisation(REGION, created_from, created_to)
        assert [s.id for s in latest] == [expected[o].id for o in sorted(expected)], (first, last)
        assert all(s.result_json == "" and s.region == REGION for s in latest)
        assert [s.readiness_level for s in latest] == [
            expected[o].readiness_level for o in sorted(expected)
        ]
        figures = repository.region_figures(REGION, created_from, created_to)
        assert sorted(s.readiness_level for s in latest) == sorted(figures.levels)


def test_a_region_without_assessments_has_empty_figures(repository: Repository) -> None:
    figures = repository.region_figures("Gotland", None, None)
    assert (figures.assessments, figures.organisations, figures.quarters) == (0, 0, [])
    assert summary("Gotland", figures, 5, {})["suppressed"] is True


def test_a_csv_page_needs_no_results_and_has_the_columns_kept_beside_them(
    repository: Repository, results: list[tuple[AssessmentRequest, AssessmentResult]]
) -> None:
    for n, pair in enumerate(results):
        _store(repository, pair, f"org-{n}", REGION)
    full, _ = repository.page(AssessmentFilter(), Binding(), limit=100)
    light, _ = repository.page(AssessmentFilter(), Binding(), limit=100, with_results=False)
    assert [i.id for i in light] == [i.id for i in full]
    for with_result, without in zip(full, light, strict=True):
        result = AssessmentResult.model_validate_json(with_result.result_json)
        assert without.result_json == ""
        assert without.gap_count == len(result.gaps)
        assert without.blocking_gap_count == sum(g.severity == "blocking" for g in result.gaps)
        top = result.recommendations[0] if result.recommendations else None
        assert without.top_recommendation == (top.id if top else None)
        assert without.top_recommendation_title == (top.title if top else None)
    assert any(i.blocking_gap_count for i in light)
    assert len({i.gap_count for i in light}) > 1


def _alembic(database: Database, verb: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parents[2] / "store/migrations"))
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, verb)(config, revision)


def _derived(database: Database) -> tuple[list[Any], list[Any], list[Any]]:
    with database.session() as session:
        columns = session.execute(
            select(
                AssessmentRecord.id,
                AssessmentRecord.gap_count,
                AssessmentRecord.blocking_gap_count,
                AssessmentRecord.top_recommendation,
                AssessmentRecord.top_recommendation_title,
                AssessmentRecord.stage,
            ).order_by(AssessmentRecord.id)
        ).all()
        dimensions = session.execute(
            select(
                DimensionScore.assessment_id,
                DimensionScore.dimension,
                DimensionScore.level,
                DimensionScore.score,
            ).order_by(DimensionScore.assessment_id, DimensionScore.dimension)
        ).all()
        findings = session.execute(
            select(StoredFinding.assessment_id, StoredFinding.kind, StoredFinding.item_id).order_by(
                StoredFinding.assessment_id, StoredFinding.kind, StoredFinding.item_id
            )
        ).all()
    return [tuple(c) for c in columns], [tuple(d) for d in dimensions], [tuple(f) for f in findings]


def test_the_migration_fills_in_what_was_stored_before_it(
    repository: Repository, results: list[tuple[AssessmentRequest, AssessmentResult]]
) -> None:
    for n, pair in enumerate(results * 2):
        _store(repository, pair, f"org-{n % 4}", REGION)
    written = _derived(repository.db)
    assert {kind for _, kind, _ in written[2]} >= {"gap", "obstacle", "first_action"}
    assert all(stage is not None for *_, stage in written[0])
    _alembic(repository.db, "downgrade", "0001")
    _alembic(repository.db, "upgrade", "head")
    # The same columns and rows as storing wrote, and no finding lost on the way down and up.
    assert _derived(repository.db) == written


def test_a_result_stored_before_results_had_a_stage_keeps_none(
    repository: Repository, results: list[tuple[AssessmentRequest, AssessmentResult]]
) -> None:
    # Results of the first rulesets had no stage: migrating them leaves the column empty and
    # still keeps their first actions; a summary does not count them at any stage.
    assessment_id = _store(repository, results[0], "org-0", REGION)
    _alembic(repository.db, "downgrade", "0007")
    # Only the columns 0007 has: the model's `stage` is not there yet.
    at = AssessmentRecord.id == assessment_id
    with repository.db.session() as session:
        result = json.loads(session.scalars(select(AssessmentRecord.result_json).where(at)).one())
        del result["readiness"]["stage"]
        session.execute(update(AssessmentRecord).where(at).values(result_json=json.dumps(result)))
    _alembic(repository.db, "upgrade", "head")
    with repository.db.session() as session:
        record = session.get(AssessmentRecord, assessment_id)
        assert record is not None and record.stage is None
        firsts = session.scalars(
            select(StoredFinding.item_id).where(
                StoredFinding.assessment_id == assessment_id, StoredFinding.kind == "first_action"
            )
        ).all()
    assert sorted(firsts) == sorted(r["id"] for r in result["recommendations"][:3])
    figures = repository.region_figures(REGION, None, None)
    assert summary(REGION, figures, 1, {})["stages"] == {"1": 0, "2": 0, "3": 0, "4": 0}


def test_the_migrations_build_the_schema_the_models_describe(repository: Repository) -> None:
    with repository.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_the_migration_places_each_organisation_in_the_region_of_its_newest_assessment(
    repository: Repository, results: list[tuple[AssessmentRequest, AssessmentResult]]
) -> None:
    ids = [_store(repository, results[0], "split", REGION) for _ in range(3)]
    ids.append(_store(repository, results[1], "whole", "Skåne"))
    _alembic(repository.db, "downgrade", "0002")
    # Before one organisation kept one region, a key of another region could split its history.
    with repository.db.engine.begin() as connection:
        connection.execute(
            text("UPDATE assessments SET region = 'Skåne' WHERE id = :id"), {"id": ids[0]}
        )
    _alembic(repository.db, "upgrade", "head")
    with repository.db.session() as session:
        placed = dict(session.execute(select(Organisation.id, Organisation.region)).all())
        rows = session.execute(
            select(AssessmentRecord.id, AssessmentRecord.region, AssessmentRecord.assessed_at,
                   AssessmentRecord.created_at).order_by(AssessmentRecord.id)
        ).all()  # fmt: skip
    assert placed == {"split": REGION, "whole": "Skåne"}
    assert [region for _, region, _, _ in rows] == [REGION, REGION, REGION, "Skåne"]
    assert all(assessed == created for _, _, assessed, created in rows)
    # And storing goes on by the organisation's one region.
    with pytest.raises(OrganisationRegionConflictError) as refused:
        _store(repository, results[0], "split", "Skåne")
    assert refused.value.region == REGION
