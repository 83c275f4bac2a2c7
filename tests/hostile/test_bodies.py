"""Hostile bodies: huge, many, deep, long, malformed, ambiguous or mislabelled, each a 4xx.

Each case runs against a real server while an ordinary client checks it is still served, and the
large ones check the server's memory: a body is refused while it arrives, never held whole.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest

from tests.api.conftest import Server
from tests.hostile.conftest import (
    MEMORY_BOUND_KIB,
    Reply,
    connect,
    read_reply,
    rss_kib,
    send_request,
    while_hostile,
)

pytestmark = pytest.mark.server  # raw sockets and the memory of a real server

JSON = {"content-type": "application/json"}
MIB = 1024 * 1024
SINGLE = "/v1/assessments"
BATCH = "/v1/assessments/batch"


def _chunked(body: bytes, size: int = 64 * 1024) -> bytes:
    parts = [
        b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size])
        for i in range(0, len(body), size)
    ]
    return b"".join(parts) + b"0\r\n\r\n"


def _post(
    server: Server, target: str, body: bytes, content_type: str = "application/json"
) -> Reply:
    return while_hostile(
        server, lambda: send_request(server, target, body, {"content-type": content_type})
    )


@pytest.mark.parametrize("target", [SINGLE, BATCH])
@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_10_mib_body_is_refused_without_being_held(
    hostile: Server, target: str, framing: str
) -> None:
    payload = b'{"assessments": [' + b"{}, " * (10 * MIB // 4) + b"{}]}"
    before = rss_kib(hostile)
    if framing == "chunked":  # no Content-Length: the server has to count while reading
        reply = while_hostile(
            hostile,
            lambda: _send_chunked(hostile, target, payload),
        )
    else:
        reply = _post(hostile, target, payload)
    reply.problem(413, "body-too-large")
    assert rss_kib(hostile) - before < MEMORY_BOUND_KIB


def _send_chunked(server: Server, target: str, payload: bytes) -> Reply:
    head = f"POST {target} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
    head += "transfer-encoding: chunked\r\n\r\n"
    with connect(server) as sock:
        sock.sendall(head.encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(_chunked(payload))  # the server may answer before all of it arrives
        return read_reply(sock)


def test_100_000_small_batch_items_are_too_many(hostile: Server) -> None:
    body = json.dumps({"assessments": [{}] * 100_000}).encode()
    assert len(body) < 8 * MIB  # within the byte limit: the item limit refuses it
    problem = _post(hostile, BATCH, body).problem(422, "too-many-items")
    assert "100000" in problem["detail"]


def test_100_000_batch_items_over_the_byte_limit(hostile: Server) -> None:
    item = {
        "leadership": {"support": {"tactical": "no", "strategic": "partly", "operational": "yes"}}
    }
    body = json.dumps({"assessments": [item] * 100_000}).encode()
    assert len(body) > 8 * MIB
    _post(hostile, BATCH, body).problem(413, "body-too-large")


def test_millions_of_tiny_values_are_refused_before_parsing(hostile: Server) -> None:
    # 2.8 million empty objects in 8 MiB would take some 250 MiB as Python dictionaries.
    body = b'{"assessments": [' + b",".join([b"{}"] * (8 * MIB // 3 - 10)) + b"]}"
    assert len(body) < 8 * MIB
    before = rss_kib(hostile)
    _post(hostile, BATCH, body).problem(413, "too-many-values")
    assert rss_kib(hostile) - before < MEMORY_BOUND_KIB
    single = b'{"organisation": {"name": [' + b",".join([b'"ab"'] * (MIB // 5 - 10)) + b"]}}"
    _post(hostile, SINGLE, single).problem(413, "too-many-values")


def test_commas_and_brackets_inside_strings_are_not_values(hostile: Server) -> None:
    # Counted crudely these are millions of values; outside strings there are a few per item.
    name = "{[," * 66
    body = json.dumps({"assessments": [{"organisation": {"name": name}}] * 1000}).encode()
    reply = _post(hostile, BATCH, body)
    assert reply.status == 200, reply.body[:300]
    assert json.loads(reply.body)["succeeded"] == 1000


def _nested(opener: bytes, depth: int) -> bytes:
    closer = b"]" if opener == b"[" else b"}"
    return opener * depth + b"1" + closer * depth


@pytest.mark.parametrize("opener", [b"[", b'{"a":'])
def test_nesting_10_000_deep(hostile: Server, opener: bytes) -> None:
    # In a batch, within its bound of values: the parser's recursion limit refuses it.
    batch = b'{"assessments": [' + _nested(opener, 10_000) + b"]}"
    _post(hostile, BATCH, batch).problem(400, "too-deep")
    # One assessment: over its bound of values, but refused as too deep, as it is.
    _post(hostile, SINGLE, _nested(opener, 10_000)).problem(400, "too-deep")
    # Deeper than READINESS_MAX_JSON_DEPTH (32) but within the bound of values: the depth walk.
    _post(hostile, SINGLE, _nested(opener, 100)).problem(400, "too-deep")
    # Many values, each shallow: too many values.
    wide = b"[" + b"[1]," * 10_000 + b"1]"
    _post(hostile, SINGLE, wide).problem(413, "too-many-values")


STRING_FIELDS = [
    ("organisation", "id"),
    ("organisation", "name"),
    ("organisation", "region"),
    ("intervention", "name"),
]


def _with_strings(size: int) -> dict[str, Any]:
    assessment: dict[str, Any] = {}
    for section, field in STRING_FIELDS:
        assessment.setdefault(section, {})[field] = "x" * size
    return assessment


def test_the_string_fields_are_the_ones_of_the_schema() -> None:
    from schemas.assessment import AssessmentRequest

    found = []
    for section, info in AssessmentRequest.model_fields.items():
        model = info.annotation
        for name, field in model.model_fields.items():  # type: ignore[union-attr]
            if "str" in str(field.annotation) and "Literal" not in str(field.annotation):
                found.append((section, name))
    assert sorted(found) == sorted(STRING_FIELDS)


def test_1_mib_in_every_string_field(hostile: Server) -> None:
    body = json.dumps(_with_strings(MIB)).encode()
    _post(hostile, SINGLE, body).problem(413, "body-too-large")
    # Just under the body limit: each field is named as too long, and nothing is echoed back.
    reply = _post(hostile, SINGLE, json.dumps(_with_strings(MIB // 5)).encode())
    problem = reply.problem(422, "validation-failed")
    assert {(e["path"], e["type"]) for e in problem["errors"]} >= {
        ("$.organisation.name", "too-long"),
        ("$.organisation.region", "too-long"),
        ("$.intervention.name", "too-long"),
    }
    assert {e["path"] for e in problem["errors"]} >= {"$.organisation.id"}
    assert len(reply.body) < 10_000
    # In a batch (which may be 8 MiB) the item gets its own problem and the others their results.
    batch = json.dumps({"assessments": [_with_strings(MIB), {}]}).encode()
    reply = _post(hostile, BATCH, batch)
    assert reply.status == 200
    result = json.loads(reply.body)
    assert (result["succeeded"], result["failed"]) == (1, 1)
    assert result["items"][0]["error"]["code"] == "validation-failed"
    assert len(reply.body) < 100_000


INVALID_UTF8 = {
    "lone-continuation": b'{"organisation": {"name": "\x80"}}',
    "overlong": b'{"organisation": {"name": "\xc0\xaf"}}',
    "surrogate": b'{"organisation": {"name": "\xed\xa0\x80"}}',
    "truncated": b'{"organisation": {"name": "\xe2\x82"}}',
    "latin-1": '{"organisation": {"name": "Malmö"}}'.encode("latin-1"),
    "utf-16": '{"organisation": {}}'.encode("utf-16"),
}


@pytest.mark.parametrize("target", [SINGLE, BATCH])
@pytest.mark.parametrize("body", INVALID_UTF8.values(), ids=INVALID_UTF8.keys())
def test_invalid_utf8_is_invalid_json(hostile: Server, target: str, body: bytes) -> None:
    if target == BATCH:
        body = b'{"assessments": [' + body + b"]}"
    problem = _post(hostile, target, body).problem(400, "invalid-json")
    assert "UTF-8" in problem["detail"]


@pytest.mark.parametrize("target", [SINGLE, BATCH])
@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e999"])
def test_non_finite_numbers_are_invalid_json(hostile: Server, target: str, number: str) -> None:
    item = '{"organisation": {"units_involved": ' + number + "}}"
    body = item if target == SINGLE else '{"assessments": [' + item + "]}"
    _post(hostile, target, body.encode()).problem(400, "invalid-json")


@pytest.mark.parametrize("target", [SINGLE, BATCH])
def test_huge_integers_are_refused(hostile: Server, target: str) -> None:
    def wrap(number: str) -> bytes:
        item = '{"organisation": {"units_involved": ' + number + "}}"
        return (item if target == SINGLE else '{"assessments": [' + item + "]}").encode()

    # Over the 4,300 digits Python converts: a ValueError inside the parser, answered as 400.
    problem = _post(hostile, target, wrap("9" * 5000)).problem(400, "invalid-json")
    assert "digits" in problem["detail"] and "sys." not in problem["detail"]
    # Within them: a number, out of the field's range.
    reply = _post(hostile, target, wrap("9" * 4000))
    if target == SINGLE:
        problem = reply.problem(422, "validation-failed")
    else:
        assert reply.status == 200
        problem = json.loads(reply.body)["items"][0]["error"]
    assert [e["type"] for e in problem["errors"]] == ["out-of-range"]


DUPLICATES = {
    "top-level": '{"risks": {}, "risks": {"staff_turnover": "high"}}',
    "nested": '{"leadership": {"support": {"tactical": "yes", "tactical": "no"}}}',
}


@pytest.mark.parametrize("body", DUPLICATES.values(), ids=DUPLICATES.keys())
def test_duplicate_keys_are_refused_not_overridden(hostile: Server, body: str) -> None:
    # Refused as a whole: a later value silently replacing an earlier one could hide an answer.
    problem = _post(hostile, SINGLE, body.encode()).problem(400, "invalid-json")
    assert "duplicate key" in problem["detail"]
    batch = '{"assessments": [{}, ' + body + "]}"
    problem = _post(hostile, BATCH, batch.encode()).problem(400, "invalid-json")
    assert "duplicate key" in problem["detail"]
    twice = '{"assessments": [{}], "assessments": [' + body + "]}"
    _post(hostile, BATCH, twice.encode()).problem(400, "invalid-json")


@pytest.mark.parametrize("target", [SINGLE, BATCH])
@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=xyz",
        "application/json; charset=latin-1",
        'application/json; charset="ISO-8859-1"',
        "application/json; charset=utf-16",
        "",
    ],
)
def test_wrong_content_types(hostile: Server, target: str, content_type: str) -> None:
    body = b"{}" if target == SINGLE else b'{"assessments": [{}]}'
    headers = {"content-type": content_type} if content_type else {}
    reply = while_hostile(hostile, lambda: send_request(hostile, target, body, headers))
    reply.problem(415, "unsupported-media-type")


@pytest.mark.parametrize(
    "content_type",
    ["application/json; charset=UTF-8", 'application/json; charset="utf-8"', "application/json"],
)
def test_json_in_utf8_is_accepted(hostile: Server, content_type: str) -> None:
    reply = send_request(hostile, SINGLE, b"{}", {"content-type": content_type})
    assert reply.status == 200, reply.body[:300]
