"""A batch answer in pieces: the same JSON as one body, and no item can break the stream.

`POST /v1/assessments/batch` streams `batch_chunks`: once its first piece is sent, the status is
200 and the rest must still be valid JSON, so an item that fails for whatever reason becomes
its own problem.
"""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from api.assessments import _in_worker_threads, batch_chunks, run_batch
from bench.corpus import corpus
from engine import Engine, Ruleset
from schemas.batch import BatchResult
from tests.engine.test_retire import Closing

ITEMS: list[Any] = [*corpus(size=35), {"risks": {"staff_turnover": "huge"}}]


def test_the_pieces_join_into_the_batch_result(engine: Engine) -> None:
    pieces = list(batch_chunks(engine, ITEMS, "da", False, "req-1", size=16))
    # 36 items in pieces of 16: two full pieces, the rest with the counts.
    assert len(pieces) == 3
    whole = b"".join(pieces)
    assert whole == run_batch(engine, ITEMS, "da", False, "req-1")
    batch = BatchResult.model_validate_json(whole)
    assert (batch.succeeded, batch.failed) == (35, 1)
    assert [item.index for item in batch.items] == list(range(36))
    assert batch.items[-1].error is not None and batch.items[-1].error.status == 422
    # The counts come last, as they are known only then; the ruleset first.
    assert list(json.loads(whole)) == ["ruleset", "items", "succeeded", "failed"]


@pytest.mark.parametrize("size", [1, 7, 36, 100])
def test_any_piece_size_gives_the_same_answer(engine: Engine, size: int) -> None:
    whole = b"".join(batch_chunks(engine, ITEMS, "sv", False, None, size=size))
    assert whole == b"".join(batch_chunks(engine, ITEMS, "sv", False, None, size=16))


def test_an_empty_batch_is_one_piece(engine: Engine) -> None:
    (piece,) = batch_chunks(engine, [], "en", False, None)
    assert json.loads(piece)["items"] == []


def test_an_item_that_fails_unexpectedly_is_its_own_problem(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = engine.assess_json
    calls = 0

    def third_fails(*args: Any, **kwargs: Any) -> bytes:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise KeyError("a bug, not an EvaluationError")
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "assess_json", third_fails)
    batch = json.loads(run_batch(engine, ITEMS[:5], "en", False, "req-2"))
    assert (batch["succeeded"], batch["failed"]) == (4, 1)
    problem = batch["items"][2]["error"]
    assert (problem["status"], problem["code"]) == (500, "evaluation-failed")
    assert problem["request_id"] == "req-2"
    assert "KeyError" not in json.dumps(batch)


def test_a_batch_retired_mid_stream_ends_on_the_rules_it_began_with(ruleset: Ruleset) -> None:
    # A reload retires the engine while a slow client has read only the first piece.
    engine = Engine(ruleset, "compiled")
    backend = Closing(engine.backend)
    engine.backend = backend

    async def read() -> list[bytes]:
        pieces = []
        stream = _in_worker_threads(engine, batch_chunks(engine, ITEMS, "en", False, None, size=8))
        async for piece in stream:
            pieces.append(piece)
            if len(pieces) == 1:
                engine.retire()
                assert backend.closes == 0  # held by the stream
        return pieces

    pieces = anyio.run(read)
    batch = json.loads(b"".join(pieces))
    assert len(pieces) == 5
    assert (batch["succeeded"], batch["failed"]) == (35, 1)  # no item failed for a closed engine
    assert backend.closes == 1  # released once the stream was done
