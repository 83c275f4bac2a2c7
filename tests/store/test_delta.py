"""Deltas read the gaps of an organisation's history from the stored columns, not its results.

The oracle is the delta computed as the service once did: parse every stored result of the
organisation's history. Both run on SQLite and PostgreSQL over one organisation's assessments
spread over two years, beside another intervention's and another organisation's.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

import store.delta
from engine import Engine
from schemas.assessment import AssessmentRequest
from schemas.result import AssessmentResult
from store.database import Database
from store.delta import delta
from store.keys import Binding
from store.models import AssessmentRecord
from store.repository import AssessmentFilter, Repository, StoredAssessment
from tests.databases import BACKENDS, database_url, fresh
from tests.store.stored import summary_of

ORGANISATION = "se-0180-delta"
INTERVENTION = "family_oriented_work"

ANSWERS: list[dict[str, Any]] = [
    {"competence": {"tovholder": {"appointed": "no"}}, "risks": {"staff_turnover": "low"}},
    {
        "competence": {"tovholder": {"appointed": "no"}},
        "leadership": {"support": {"tactical": "no"}},
    },
    {
        "competence": {"tovholder": {"appointed": "yes", "time_allocated": "no"}},
        "risks": {"staff_turnover": "high"},
    },
    {"leadership": {"support": {"strategic": "yes", "tactical": "yes", "operational": "yes"}}},
    {},
]


@pytest.fixture(params=BACKENDS)
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Repository]:
    database: Database = fresh(database_url(request.param, tmp_path))
    yield Repository(database)
    database.close()


def _store(repository: Repository, engine: Engine, organisation: str, intervention: str) -> str:
    answers = random.Random(f"{organisation}{repository.count()}").choice(ANSWERS)
    request = AssessmentRequest.model_validate(answers)
    result = engine.assess(request, language="sv")
    stored, _ = repository.store(
        request.model_dump_json(), summary_of(result), result.model_dump_json(), organisation,
        None, "Stockholm", intervention, key_id=None,
    )  # fmt: skip
    return stored.id


@pytest.fixture
def history(repository: Repository, engine: Engine) -> list[str]:
    """Eight assessments of the organisation over two years, among others; its ids, oldest first."""
    ids = []
    for number in range(12):
        if number % 4 == 3:
            _store(repository, engine, ORGANISATION, "familierådslagning")
        elif number % 4 == 1:
            _store(repository, engine, "se-other", INTERVENTION)
        else:
            ids.append(_store(repository, engine, ORGANISATION, INTERVENTION))
    start = datetime(2024, 11, 20, tzinfo=UTC)
    with repository.db.session() as session:
        for number, assessment_id in enumerate(ids):
            session.execute(
                update(AssessmentRecord)
                .where(AssessmentRecord.id == assessment_id)
                .values(assessed_at=start + timedelta(days=90 * number + number % 3))
            )
    return ids


def _reference_delta(
    current: StoredAssessment, earlier: StoredAssessment, chain: list[StoredAssessment]
) -> dict[str, Any]:
    """The delta as the service computed it by parsing every stored result of the history."""
    now, before = (AssessmentResult.model_validate_json(s.result_json) for s in (current, earlier))
    now_gaps = {g.id: g for g in now.gaps}
    before_gaps = {g.id: g for g in before.gaps}
    upto = [s for s in chain if s.id <= current.id]
    results = {
        s.id: {g.id for g in AssessmentResult.model_validate_json(s.result_json).gaps} for s in upto
    }
    persisting = []
    for gap_id in sorted(set(now_gaps) & set(before_gaps)):
        since = current
        for stored in reversed(upto):
            if gap_id not in results[stored.id]:
                break
            since = stored
        persisting.append(
            {
                "id": gap_id,
                "title": now_gaps[gap_id].title,
                "severity": now_gaps[gap_id].severity,
                "severity_before": before_gaps[gap_id].severity,
                "open_since": since.made_at.isoformat().replace("+00:00", "Z"),
                "open_since_assessment": since.id,
                "days_open": (current.made_at - since.made_at).days,
            }
        )
    dimensions = [
        {
            "dimension": new.dimension,
            "before": old.score,
            "after": new.score,
            "change": round(new.score - old.score, 1)
            if new.score is not None and old.score is not None
            else None,
            "level_before": old.level,
            "level_after": new.level,
        }
        for new, old in zip(now.readiness.dimensions, before.readiness.dimensions, strict=True)
    ]
    score_now, score_before = now.readiness.score, before.readiness.score
    now_recs = {r.id for r in now.recommendations} | {
        s.id for r in now.recommendations for s in r.sub_points
    }
    before_recs = {r.id: r.title for r in before.recommendations}
    for place in before.recommendations:
        before_recs.update({s.id: s.title for s in place.sub_points})
    return {
        "assessment": current.id,
        "against": earlier.id,
        "days_between": (current.made_at - earlier.made_at).days,
        "readiness": {
            "before": score_before,
            "after": score_now,
            "change": round(score_now - score_before, 1)
            if score_now is not None and score_before is not None
            else None,
            "level_before": before.readiness.level,
            "level_after": now.readiness.level,
            "stage_before": before.readiness.stage,
            "stage_after": now.readiness.stage,
        },
        "gaps_closed": [
            {"id": g, "title": before_gaps[g].title, "severity": before_gaps[g].severity}
            for g in sorted(set(before_gaps) - set(now_gaps))
        ],
        "gaps_new": [
            {"id": g, "title": now_gaps[g].title, "severity": now_gaps[g].severity}
            for g in sorted(set(now_gaps) - set(before_gaps))
        ],
        "gaps_persisting": persisting,
        "dimensions": dimensions,
        "recommendations_no_longer_needed": [
            {"id": r, "title": before_recs[r]} for r in sorted(set(before_recs) - now_recs)
        ],
        "recommendations_new": sorted(now_recs - set(before_recs)),
    }


def _stored(repository: Repository, assessment_id: str) -> StoredAssessment:
    found = repository.get(assessment_id, Binding())
    assert found is not None
    return found


def test_deltas_agree_with_parsing_every_stored_result(
    repository: Repository, history: list[str]
) -> None:
    page, _ = repository.page(
        AssessmentFilter(organisation_id=ORGANISATION, intervention=INTERVENTION),
        Binding(),
        limit=100,
    )
    chain = list(reversed(page))
    assert [s.id for s in chain] == history
    persisting = 0
    for later, current_id in enumerate(history[1:], start=1):
        current = _stored(repository, current_id)
        entries = repository.gap_history(ORGANISATION, INTERVENTION, Binding(), upto=current_id)
        assert [entry.id for entry in entries] == history[: later + 1]
        for earlier_id in (history[later - 1], history[0]):
            earlier = _stored(repository, earlier_id)
            got = delta(current, earlier, entries)
            assert got == _reference_delta(current, earlier, chain)
            persisting += len(got["gaps_persisting"])
    assert persisting > 0


def test_a_delta_reads_two_results_however_long_the_history(
    repository: Repository, history: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    original = store.delta._read

    def counting(stored: StoredAssessment) -> Any:
        read.append(1)
        return original(stored)

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a whole stored result was parsed")

    monkeypatch.setattr(store.delta, "_read", counting)
    monkeypatch.setattr(AssessmentResult, "model_validate_json", refuse)
    current = _stored(repository, history[-1])
    entries = repository.gap_history(ORGANISATION, INTERVENTION, Binding(), upto=current.id)
    delta(current, _stored(repository, history[0]), entries)
    assert len(entries) == len(history) > 2
    assert len(read) == 2


def test_the_history_keeps_to_the_binding(repository: Repository, history: list[str]) -> None:
    last = history[-1]
    assert repository.gap_history(ORGANISATION, INTERVENTION, Binding(region="Skåne"), last) == []
    other = Binding(organisation_id="se-other")
    assert repository.gap_history(ORGANISATION, INTERVENTION, other, last) == []
    assert len(repository.gap_history(ORGANISATION, INTERVENTION, Binding(), last)) == len(history)


def test_a_recommendation_folded_into_another_place_is_still_needed(
    repository: Repository, engine: Engine
) -> None:
    # First Steg 5 is not done: its action has a place of its own. Then the heads of service
    # turn against the method too, and Steg 5 becomes part of securing their support. The
    # municipality is still told to anchor the support: it is not "no longer needed".
    def stored(answers: dict[str, Any]) -> StoredAssessment:
        request = AssessmentRequest.model_validate(answers)
        result = engine.assess(request, language="sv")
        found, _ = repository.store(
            request.model_dump_json(), summary_of(result), result.model_dump_json(),
            "se-0182-delta", None, "Stockholm", INTERVENTION, key_id=None,
        )  # fmt: skip
        return found

    steg_5 = "step-05-anchor-support-at-every-level"
    first = stored({"process": {"step_5": "not"}})
    then = stored({"process": {"step_5": "not"}, "leadership": {"support": {"tactical": "no"}}})
    places = {
        r.id: r for r in AssessmentResult.model_validate_json(then.result_json).recommendations
    }
    assert steg_5 not in places
    assert steg_5 in {s.id for s in places["secure-tactical-leadership"].sub_points}
    history = repository.gap_history("se-0182-delta", INTERVENTION, Binding(), upto=then.id)
    forward = delta(then, first, history)
    assert steg_5 not in {r["id"] for r in forward["recommendations_no_longer_needed"]}
    assert "secure-tactical-leadership" in forward["recommendations_new"]
    assert steg_5 not in forward["recommendations_new"]
    # And back, when the heads of service come round: Steg 5 is not new, only its place is.
    back = delta(stored({"process": {"step_5": "not"}}), then, history)
    assert steg_5 not in back["recommendations_new"]
    assert {r["id"] for r in back["recommendations_no_longer_needed"]} >= {
        "secure-tactical-leadership"
    }
