"""Strict requests, and errors that say how to fix them.

Unknown and repeated query parameters are refused, `lang` is read as a language tag, and every
error names what the caller sent (the parameter as sent, the JSON path), what is accepted, and
a did-you-mean for a near miss, never a Python class.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from store.repository import Repository
from tests.api.conftest import ROOT, Server, in_process
from tests.databases import fresh

EXAMPLE: dict[str, Any] = json.loads(
    (ROOT / "examples" / "design-examples.json").read_text(encoding="utf-8")
)


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["request_id"] == response.headers["x-request-id"]
    return body


def only_error(body: dict[str, Any]) -> dict[str, Any]:
    (error,) = body["errors"]
    assert isinstance(error, dict)
    return error


# Unknown and repeated query parameters


def test_a_misspelt_parameter_is_refused_with_a_did_you_mean(client: httpx.Client) -> None:
    body = problem(
        client.post("/v1/assessments?stroe=true", json=EXAMPLE), 400, "unknown-parameter"
    )
    assert only_error(body) == {
        "path": "stroe",
        "type": "unknown-parameter",
        "message": "unknown query parameter 'stroe' (did you mean 'store'?)",
        "allowed": ["assessed_on", "explain", "lang", "store"],
    }
    assert "did you mean 'store'?" in body["detail"]
    assert "this endpoint takes assessed_on, explain, lang, store" in body["detail"]


def test_a_misspelt_filter_is_refused_before_the_key_is_asked_for(client: httpx.Client) -> None:
    body = problem(client.get("/v1/assessments?regoin=Sk"), 400, "unknown-parameter")
    error = only_error(body)
    assert "did you mean 'region'?" in error["message"]
    assert "from" in error["allowed"] and "created_from" not in error["allowed"]


def test_an_endpoint_without_parameters_says_so(client: httpx.Client) -> None:
    body = problem(client.get("/v1/examples/assessment?x=1"), 400, "unknown-parameter")
    assert body["detail"].endswith("this endpoint takes no query parameters")
    assert only_error(body)["allowed"] == []


def test_lang_where_nothing_is_translated_says_why(client: httpx.Client) -> None:
    body = problem(client.get("/v1/sources?lang=sv"), 400, "unknown-parameter")
    assert "is not translated" in only_error(body)["message"]


def test_the_probes_take_any_query(client: httpx.Client) -> None:
    assert client.get("/health?check=lb").status_code == 200
    assert client.get("/ready?t=1").status_code == 200


def test_options_takes_the_query_of_the_request_it_asks_about(client: httpx.Client) -> None:
    response = client.options("/v1/assessments?lang=sv&store=true")
    assert response.status_code == 204, response.text
    assert "POST" in response.headers["allow"]


def test_a_repeated_single_parameter_is_refused(client: httpx.Client) -> None:
    response = client.get("/v1/questionnaire", params=[("lang", "sv"), ("lang", "da")])
    error = only_error(problem(response, 400, "repeated-parameter"))
    assert (error["path"], error["type"]) == ("lang", "repeated-parameter")
    assert "2 times" in error["message"]


def test_store_on_a_batch_is_refused_with_the_way_to_store(client: httpx.Client) -> None:
    response = client.post("/v1/assessments/batch?store=true", json={"assessments": [EXAMPLE]})
    error = only_error(problem(response, 400, "unknown-parameter"))
    assert "a batch is never stored" in error["message"]
    assert "POST /v1/assessments?store=true" in error["message"]


def test_every_operation_but_the_probes_documents_the_400(client: httpx.Client) -> None:
    document = client.get("/schema/openapi.json").json()
    missing = [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if path not in ("/health", "/ready")
        and "application/problem+json"
        not in operation["responses"].get("400", {}).get("content", {})
    ]
    assert missing == []


# lang


@pytest.mark.parametrize(
    ("query", "header", "language"),
    [
        ("SV", None, "sv"),
        ("Da", None, "da"),
        ("sv-SE", None, "sv"),
        ("da_DK", None, "da"),
        ("EN", "sv", "en"),
        (None, "SV-se, en;q=0.5", "sv"),
    ],
)
def test_lang_is_a_language_tag_in_any_case(
    client: httpx.Client, query: str | None, header: str | None, language: str
) -> None:
    params = {"lang": query} if query else {}
    headers = {"Accept-Language": header} if header else {}
    response = client.post("/v1/assessments", params=params, headers=headers, json=EXAMPLE)
    assert response.status_code == 200, response.text
    assert response.headers["content-language"] == language
    assert response.json()["language"] == language


def test_an_unknown_lang_lists_the_languages(client: httpx.Client) -> None:
    error = only_error(problem(client.get("/v1/rules?lang=fr"), 400, "invalid-parameter"))
    assert error == {
        "path": "lang",
        "type": "value-not-allowed",
        "message": "lang 'fr' is not one of sv, da, en (any case)",
        "allowed": ["sv", "da", "en"],
    }


# Other query parameters


def test_a_bad_enum_parameter_lists_the_allowed_values(client: httpx.Client) -> None:
    error = only_error(problem(client.get("/v1/rules?kind=rule"), 400, "invalid-parameter"))
    assert error == {
        "path": "kind",
        "type": "value-not-allowed",
        "message": "'rule' is not one of gap, escalation, strength",
        "allowed": ["gap", "escalation", "strength"],
    }


def test_a_bad_flag_says_true_or_false(client: httpx.Client) -> None:
    response = client.post("/v1/assessments?explain=perhaps", json=EXAMPLE)
    error = only_error(problem(response, 400, "invalid-parameter"))
    assert error["allowed"] == ["true", "false"]
    assert error["message"] == "'perhaps' is not one of true, false"


def test_a_bad_date_is_named_as_sent(keyed: Keyed) -> None:
    with keyed.client("reader") as client:
        body = problem(client.get("/v1/assessments?from=yesterday"), 400, "invalid-parameter")
    assert only_error(body) == {
        "path": "from",
        "type": "invalid",
        "message": "expected a date as YYYY-MM-DD",
    }
    assert body["detail"] == "invalid parameter: from"


@pytest.mark.parametrize(
    ("query", "refused", "formats"),
    [
        ("rows=gap", "rows", "csv or xlsx"),
        ("format=ndjson&rows=gap", "rows", "csv or xlsx"),
        ("dialect=rfc4180", "dialect", "csv"),
        ("format=xlsx&dialect=excel-nordic", "dialect", "csv"),
        ("format=ndjson&dialect=rfc4180", "dialect", "csv"),
    ],
)
def test_an_export_parameter_for_another_format_is_refused(
    keyed: Keyed, query: str, refused: str, formats: str
) -> None:
    with keyed.client("reader") as client:
        body = problem(client.get(f"/v1/assessments?{query}"), 400, "invalid-parameter")
    error = only_error(body)
    assert (error["path"], error["type"]) == (refused, "invalid")
    assert error["message"].startswith(f"applies only to format={formats}; this request asks")
    assert body["detail"] == f"invalid parameter: {refused}"


def test_each_export_parameter_for_another_format_is_named(keyed: Keyed) -> None:
    with keyed.client("reader") as client:
        body = problem(
            client.get("/v1/assessments?rows=gap&dialect=rfc4180"), 400, "invalid-parameter"
        )
    assert body["detail"] == "invalid parameter: rows, dialect"
    assert [e["path"] for e in body["errors"]] == ["rows", "dialect"]
    assert body["errors"][0]["message"].endswith("asks for format=json (the default)")


def test_export_parameters_for_their_own_format_are_taken(keyed: Keyed) -> None:
    with keyed.client("reader") as client:
        # The default asks nothing of a format: a client generated from the OpenAPI document
        # sends `rows=assessment` with every request.
        for query in (
            "rows=assessment",
            "format=json&rows=assessment",
            "format=ndjson&rows=assessment",
        ):
            assert client.get(f"/v1/assessments?{query}").status_code == 200, query
        gaps = client.get("/v1/assessments?format=csv&rows=gap&dialect=rfc4180")
        sheet = client.get("/v1/assessments?format=xlsx&rows=gap")
        assert (gaps.status_code, sheet.status_code) == (200, 200)
        assert gaps.text.lstrip("\ufeff").startswith("assessment_id,")


def test_a_summary_refuses_a_dialect_unless_it_is_csv(keyed: Keyed) -> None:
    with keyed.client("reader") as client:
        body = problem(
            client.get("/v1/regions/Sk%C3%A5ne/summary?dialect=rfc4180"), 400, "invalid-parameter"
        )
        assert only_error(body)["path"] == "dialect"
        csv = client.get("/v1/regions/Sk%C3%A5ne/summary?format=csv&dialect=rfc4180")
        assert csv.status_code == 200, csv.text


# Body errors


def test_a_value_not_allowed_says_what_was_sent_and_what_is_allowed(client: httpx.Client) -> None:
    body = {"leadership": {"support": {"tactical": "maybe"}}}
    error = only_error(problem(client.post("/v1/assessments", json=body), 422, "validation-failed"))
    assert error == {
        "path": "$.leadership.support.tactical",
        "type": "value-not-allowed",
        "message": '"maybe" is not allowed; use one of yes, partly, no, unknown',
        "allowed": ["yes", "partly", "no", "unknown"],
    }


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        ({"leadership": "yes"}, "$.leadership", "expected an object, got a string"),
        ([{"leadership": {}}], "$", "expected an object, got an array"),
        ({"organisation": {"units_involved": "many"}}, "$.organisation.units_involved",
         "expected an integer, got a string"),
    ],
)  # fmt: skip
def test_a_wrong_type_is_named_in_json_words(
    client: httpx.Client, body: object, path: str, message: str
) -> None:
    response = client.post("/v1/assessments", json=body)
    error = only_error(problem(response, 422, "validation-failed"))
    assert (error["path"], error["type"], error["message"]) == (path, "wrong-type", message)
    assert "instance" not in response.text and "Leadership" not in response.text


def test_a_bad_batch_item_names_no_python_class(client: httpx.Client) -> None:
    response = client.post("/v1/assessments/batch", json={"assessments": ["x"]})
    assert response.status_code == 200, response.text
    (error,) = response.json()["items"][0]["error"]["errors"]
    assert error["path"] == "$.assessments[0]"
    assert error["message"] == "expected an object, got a string"
    assert "AssessmentRequest" not in response.text


@pytest.mark.parametrize(
    ("body", "path", "hint"),
    [
        ({"leadershp": {}}, "$.leadershp", "(did you mean 'leadership'?)"),
        ({"competence": {"tovholdr": {}}}, "$.competence.tovholdr", "(did you mean 'tovholder'?)"),
        ({"leadership": {"tactical": "no"}}, "$.leadership.tactical",
         "(did you mean 'support.tactical'? it belongs inside 'support')"),
    ],
)  # fmt: skip
def test_an_unknown_field_gets_a_did_you_mean(
    client: httpx.Client, body: dict[str, Any], path: str, hint: str
) -> None:
    response = client.post("/v1/assessments", json=body)
    error = only_error(problem(response, 422, "validation-failed"))
    assert (error["path"], error["type"]) == (path, "unknown-field")
    assert error["message"].endswith(hint)


def test_a_dotted_key_is_told_to_nest(client: httpx.Client) -> None:
    body = {"leadership.support.tactical": "no"}
    error = only_error(problem(client.post("/v1/assessments", json=body), 422, "validation-failed"))
    assert error["path"] == '$["leadership.support.tactical"]'
    assert error["message"] == (
        "unknown field 'leadership.support.tactical': a dotted key is one name; nest objects "
        'instead: {"leadership": {"support": {"tactical": "no"}}}'
    )


# Key bindings


class Keyed:
    """The app in process on a database with keys, by name."""

    def __init__(self, http: httpx.Client, keys: dict[str, str]) -> None:
        self.http = http
        self.keys = keys

    def client(self, key: str) -> _Presenting:
        return _Presenting(self.http, self.keys[key])


class _Presenting:
    def __init__(self, http: httpx.Client, key: str) -> None:
        self.http = http
        self.key = key

    def __enter__(self) -> httpx.Client:
        self.http.headers["Authorization"] = f"Bearer {self.key}"
        return self.http

    def __exit__(self, *_: object) -> None:
        del self.http.headers["Authorization"]


@pytest.fixture(scope="module")
def keyed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Keyed]:
    tmp = tmp_path_factory.mktemp("strict-keys")
    url = f"sqlite:///{tmp / 'readiness.sqlite3'}"
    database = fresh(url)
    repository = Repository(database)
    keys = {
        "skane": repository.create_key(["assess", "read"], region="Skåne"),
        "org": repository.create_key(["assess"], organisation_id="se-0180-a0"),
        "reader": repository.create_key(["read"]),
    }
    database.close()
    with in_process(tmp, database_url=url) as client:
        yield Keyed(client, keys)


def _for(organisation: dict[str, str]) -> dict[str, Any]:
    return {**EXAMPLE, "organisation": organisation}


def test_a_region_bound_key_names_its_region(keyed: Keyed) -> None:
    with keyed.client("skane") as client:
        body = _for({"id": "se-1280-a0", "region": "skåne"})
        response = client.post("/v1/assessments?store=true", json=body)
    detail = problem(response, 403, "outside-binding")["detail"]
    assert detail == (
        "the API key is bound to region 'Skåne' and may store only for it; this assessment "
        "is for region 'skåne' (regions are compared exactly: send 'Skåne')"
    )


def test_an_organisation_bound_key_names_its_organisation(keyed: Keyed) -> None:
    with keyed.client("org") as client:
        response = client.post("/v1/assessments?store=true", json=_for({"id": "se-0181-b0"}))
    detail = problem(response, 403, "outside-binding")["detail"]
    assert "bound to organisation 'se-0180-a0'" in detail
    assert "is for organisation 'se-0181-b0'" in detail


# The request target, on a real server (no time bound: CI runs it on a busy machine)


@pytest.mark.server
@pytest.mark.shared
@pytest.mark.parametrize(
    ("target", "says"),
    [
        ("/v1/questionnaire?region=Skåne".encode(), "must be percent-encoded"),
        (b"/v1/questionnaire?a b", "not valid HTTP/1.1"),
    ],
)
def test_an_invalid_request_target_is_a_problem_with_a_request_id(
    server: Server, target: bytes, says: str
) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nhost: x\r\n\r\n")
        data = b""
        while chunk := sock.recv(65536):  # the server closes the connection after it
            data += chunk
    head, _, content = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    assert lines[0] == "HTTP/1.1 400 Bad Request"
    assert headers["content-type"] == "application/problem+json"
    body = json.loads(content)
    assert (body["status"], body["code"]) == (400, "invalid-request")
    assert says in body["detail"]
    assert body["request_id"] == headers["x-request-id"]
    assert body["request_id"] in server.log.read_text(encoding="utf-8")
