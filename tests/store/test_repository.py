"""The repository on SQLite and PostgreSQL: storing, binding, paging, idempotency, keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine import Engine
from schemas.assessment import AssessmentRequest
from store.database import Database
from store.keys import Binding
from store.repository import (
    AssessmentFilter,
    IdempotencyConflictError,
    Repository,
    decode_cursor,
)
from tests.databases import BACKENDS, database_url, fresh
from tests.store.stored import summary_of


@pytest.fixture(params=BACKENDS)
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    database: Database = fresh(database_url(request.param, tmp_path))
    yield Repository(database)
    database.close()


def store(repo: Repository, engine: Engine, org: str, region: str, **answers: object) -> str:
    request = AssessmentRequest.model_validate(
        {"organisation": {"id": org, "region": region}, **answers}
    )
    result = engine.assess(request)
    stored, created = repo.store(
        request.model_dump_json(), summary_of(result), result.model_dump_json(), org, None,
        region, "family_oriented_work", key_id=None,
    )  # fmt: skip
    assert created
    return stored.id


def test_a_stored_result_comes_back_unchanged(repository: Repository, engine: Engine) -> None:
    request = AssessmentRequest.model_validate({"competence": {"tovholder": {"appointed": "no"}}})
    result = engine.assess(request, language="da")
    payload = result.model_dump_json()
    stored, _ = repository.store(
        request.model_dump_json(), summary_of(result), payload, "dk-1", "Børn og Familie",
        "Syddanmark", "familierådslagning", key_id="k1",
    )  # fmt: skip
    again = repository.get(stored.id, Binding())
    assert again is not None
    assert again.result_json == payload
    assert again.organisation_name == "Børn og Familie"
    assert again.created_at.tzinfo is not None


def test_reads_are_bound_to_the_region_or_organisation(
    repository: Repository, engine: Engine
) -> None:
    a = store(repository, engine, "se-a", "Stockholm")
    b = store(repository, engine, "se-b", "Skåne")
    assert repository.get(b, Binding(region="Stockholm")) is None
    assert repository.get(a, Binding(region="Stockholm")) is not None
    assert repository.get(a, Binding(organisation_id="se-b")) is None
    items, _ = repository.page(AssessmentFilter(), Binding(region="Skåne"))
    assert [i.id for i in items] == [b]
    assert repository.delete_organisation("se-b", Binding(region="Stockholm")).assessments == 0
    assert repository.delete_organisation("se-b", Binding()).assessments == 1


def test_paging_is_complete_and_stable(repository: Repository, engine: Engine) -> None:
    ids = [store(repository, engine, f"se-{i}", "Stockholm") for i in range(7)]
    seen: list[str] = []
    after = None
    while True:
        page, cursor = repository.page(AssessmentFilter(), Binding(), after, limit=3)
        seen += [p.id for p in page]
        if cursor is None:
            break
        after = decode_cursor(cursor)
    assert seen == sorted(ids, reverse=True)


def test_filters(repository: Repository, engine: Engine) -> None:
    weak = store(
        repository, engine, "se-1", "Stockholm", leadership={"support": {"tactical": "no"}}
    )
    store(repository, engine, "se-2", "Stockholm", leadership={"support": {"tactical": "yes"}})
    by_gap, _ = repository.page(AssessmentFilter(gap="leadership/tactical-support"), Binding())
    assert [i.id for i in by_gap] == [weak]
    by_obstacle, _ = repository.page(
        AssessmentFilter(obstacle="weak-management-support"), Binding()
    )
    assert [i.id for i in by_obstacle] == [weak]
    by_org, _ = repository.page(AssessmentFilter(organisation_id="se-2"), Binding())
    assert len(by_org) == 1


def test_idempotency(repository: Repository, engine: Engine) -> None:
    request = AssessmentRequest.model_validate({"organisation": {"id": "se-1"}})
    result = engine.assess(request)
    args = (
        request.model_dump_json(), summary_of(result), result.model_dump_json(), "se-1", None,
        None, "x",
    )  # fmt: skip
    first, created = repository.store(*args, key_id="k1", idempotency_key="abc")
    again, created_again = repository.store(*args, key_id="k1", idempotency_key="abc")
    assert (created, created_again) == (True, False)
    assert again.id == first.id
    other = AssessmentRequest.model_validate({"organisation": {"id": "se-2"}})
    with pytest.raises(IdempotencyConflictError):
        repository.store(
            other.model_dump_json(), summary_of(result), result.model_dump_json(), "se-2", None,
            None, "x", key_id="k1", idempotency_key="abc",
        )  # fmt: skip
    # Another key may use the same idempotency key for its own request.
    _, created_other = repository.store(*args, key_id="k2", idempotency_key="abc")
    assert created_other
    assert repository.count() == 2


def test_keys_are_stored_hashed_and_can_be_revoked(repository: Repository) -> None:
    full = repository.create_key(["read"], region="Stockholm")
    info = repository.verify_key(full)
    assert info is not None
    assert info.scopes == frozenset({"read"})
    assert info.binding == Binding(region="Stockholm")
    secret = full.split("_", 2)[2]
    with repository.db.session() as session:
        stored = session.execute(text("SELECT secret_hash FROM api_keys")).scalar_one()
    assert secret not in stored
    assert repository.verify_key(full[:-1] + ("A" if full[-1] != "A" else "B")) is None
    assert repository.verify_key("rk_nope") is None
    assert repository.revoke_key(info.id)
    assert repository.verify_key(full) is None
