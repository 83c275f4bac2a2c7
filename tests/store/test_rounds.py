"""Rounds in the store, on SQLite and PostgreSQL: closing against answering, stalled closes, retention."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from store.database import Database
from store.keys import Binding
from store.models import RoundRecord
from store.repository import OrganisationRegionConflictError, Repository, ResultSummary
from store.rounds import STALLED_CLOSE, InvitationCode, RoundClosedError, Rounds, StoredRound
from tests.databases import BACKENDS, database_url, fresh


@pytest.fixture(params=BACKENDS)
def rounds(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rounds]:
    database: Database = fresh(database_url(request.param, tmp_path))
    yield Rounds(database)
    database.close()


def _open(
    rounds: Rounds, org: str = "se-0780-ifo", region: str | None = "Kronoberg", staff: int = 3
) -> tuple[StoredRound, list[InvitationCode]]:
    return rounds.open(
        organisation_id=org,
        organisation_name=None,
        region=region,
        intervention="family_oriented_work",
        context={"organisation": {"id": org}},
        closes_at=None,
        codes=[("staff", staff)],
        shared_roles=["other"],
        key_id=None,
    )


def _stored(rounds: Rounds, found: StoredRound) -> str:
    """A stored assessment of the round's organisation, for closing to link it to."""
    summary = ResultSummary("en", "0", "sha256:0", "unknown", None, 0, 0, None, None, None, (), ())
    stored, _ = Repository(rounds.db).store(
        "{}", summary, "{}", found.organisation_id, None, found.region, "x", key_id=None
    )
    return stored.id


def _set(rounds: Rounds, round_id: str, **values: object) -> None:
    with rounds.db.session() as session:
        session.execute(update(RoundRecord).where(RoundRecord.id == round_id).values(**values))


def test_a_round_closing_takes_no_more_answers(rounds: Rounds) -> None:
    opened, codes = _open(rounds)
    invitee = rounds.invitee(codes[0].code)
    assert invitee is not None and invitee.kind == "personal" and invitee.role == "staff"
    assert rounds.submit(invitee, {"risks.workload": "high"}).replaced is False
    rounds.begin_close(opened.id)
    with pytest.raises(RoundClosedError):
        rounds.submit(invitee, {"risks.workload": "low"})
    with pytest.raises(RoundClosedError):
        rounds.begin_close(opened.id)
    assert rounds.responses(opened.id) == [("staff", {"risks.workload": "high"})]


def test_a_close_that_failed_opens_the_round_again(rounds: Rounds) -> None:
    opened, codes = _open(rounds)
    rounds.begin_close(opened.id)
    rounds.reopen(opened.id)
    invitee = rounds.invitee(codes[0].code)
    assert invitee is not None and invitee.round.status == "open"
    assert rounds.submit(invitee, {}).replaced is False


def test_a_close_that_stalled_may_begin_again(rounds: Rounds) -> None:
    opened, _ = _open(rounds)
    rounds.begin_close(opened.id)
    with pytest.raises(RoundClosedError):
        rounds.begin_close(opened.id)  # a close under way
    stalled = datetime.now(UTC) - STALLED_CLOSE - timedelta(minutes=1)
    _set(rounds, opened.id, closed_at=stalled)
    rounds.begin_close(opened.id)
    rounds.finish_close(opened.id, _stored(rounds, opened), "{}", "{}", 0)
    _set(rounds, opened.id, closed_at=stalled)  # finished: never begun again
    with pytest.raises(RoundClosedError):
        rounds.begin_close(opened.id)


def test_retention_deletes_only_the_answers_of_rounds_closed_long_enough(rounds: Rounds) -> None:
    done, done_codes = _open(rounds, "se-1")
    closing, closing_codes = _open(rounds, "se-2")
    still_open, open_codes = _open(rounds, "se-3")
    for codes in (done_codes, closing_codes, open_codes):
        for code in codes[:2]:
            invitee = rounds.invitee(code.code)
            assert invitee is not None
            rounds.submit(invitee, {"risks.workload": "high"})
    rounds.begin_close(done.id)
    rounds.finish_close(done.id, _stored(rounds, done), "{}", "{}", 2)
    rounds.begin_close(closing.id)  # begun, not finished: its answers are still to be combined
    tomorrow = datetime.now(UTC) + timedelta(days=1)
    assert rounds.purge(closed_before=datetime.now(UTC) - timedelta(days=1)) == 0
    assert rounds.purge(closed_before=tomorrow) == 2
    assert rounds.responses(done.id) == []
    assert len(rounds.responses(closing.id)) == 2
    assert len(rounds.responses(still_open.id)) == 2
    kept = rounds.get(done.id, Binding())
    assert kept is not None and kept.answers_deleted_at is not None and kept.respondents == 2
    assert rounds.purge(closed_before=tomorrow) == 0  # nothing left to delete


def test_a_shared_code_mints_a_receipt_that_replaces(rounds: Rounds) -> None:
    _, codes = _open(rounds, staff=0)
    (shared,) = codes
    invitee = rounds.invitee(shared.code)
    assert invitee is not None and invitee.kind == "shared" and invitee.role == "other"
    first = rounds.submit(invitee, {"risks.workload": "low"})
    assert first.receipt is not None and not first.replaced
    receipt = rounds.invitee(first.receipt)
    assert receipt is not None and receipt.kind == "receipt" and receipt.role == "other"
    assert rounds.submit(receipt, {"risks.workload": "high"}).replaced is True
    assert rounds.responses(invitee.round.id) == [("other", {"risks.workload": "high"})]
    assert rounds.invited(invitee.round.id) == {"other": {"shared": 1}}
    assert rounds.invitee("no such code") is None


def test_a_round_places_its_organisation_as_storing_does(rounds: Rounds) -> None:
    _open(rounds, "se-1", "Kronoberg")
    with pytest.raises(OrganisationRegionConflictError):
        _open(rounds, "se-1", "Skåne")
    unplaced, _ = _open(rounds, "se-1", None)
    assert unplaced.region == "Kronoberg"
    repository = Repository(rounds.db)
    assert repository.move_organisation("se-1", "Skåne") == 0
    moved = rounds.get(unplaced.id, Binding(region="Skåne"))
    assert moved is not None and moved.region == "Skåne"
    assert rounds.get(unplaced.id, Binding(region="Kronoberg")) is None
    deleted = repository.delete_organisation("se-1", Binding())
    assert (deleted.assessments, deleted.rounds) == (0, 2)
    assert rounds.get(unplaced.id, Binding()) is None


def test_retention_counts_from_the_closing_date_of_a_round_nobody_closed(rounds: Rounds) -> None:
    forgotten, codes = _open(rounds, "se-4")
    invitee = rounds.invitee(codes[0].code)
    assert invitee is not None
    rounds.submit(invitee, {"risks.workload": "high"})
    _set(rounds, forgotten.id, closes_at=datetime.now(UTC) - timedelta(days=10))
    assert rounds.purge(closed_before=datetime.now(UTC) - timedelta(days=11)) == 0
    assert rounds.purge(closed_before=datetime.now(UTC) - timedelta(days=9)) == 1
    assert rounds.responses(forgotten.id) == []
    kept = rounds.get(forgotten.id, Binding())
    assert kept is not None and kept.answers_deleted_at is not None
