"""Every stable error code, listed once with its meaning and fix; the README's code tables come from here.

Codes are part of the public contract: clients switch on a problem's `code`, rule authors look up
a lint finding's code, operators search logs for an `error_code`. Each kind has a closed `Literal`,
so mypy rejects an unknown code wherever one is passed (`ProblemError`, `RuleFileError`,
`ConditionError`, `EvaluationError`, lint findings), and `CODES` gives each its documentation.
A test holds the two together, and another compares them with the codes the source raises.

Run `python -m schemas.codes --write` to rewrite the README's tables (without `--write` it only
checks them).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Literal, get_args

__all__ = [
    "CODES",
    "Block",
    "Code",
    "CodeDoc",
    "EvaluationCode",
    "FindingSeverity",
    "Kind",
    "LintCode",
    "ProblemCode",
    "RuleFileCode",
    "main",
    "markdown",
    "sync_readme",
]

RuleFileCode = Literal[
    "yaml-syntax",
    "invalid-round-file",
    "empty-file",
    "missing-field",
    "unknown-field",
    "invalid-value",
    "too-short",
    "too-long",
    "id-path-mismatch",
    "invalid-condition",
    "unknown-indicator",
    "value-not-in-scale",
    "negated-derived-fact",
    "condition-too-complex",
    "too-many-facts",
    "unknown-as-no",
    "non-monotone",
    "middle-ignored",
    "out-of-scope",
    "disagreement-kind",
    "order-cycle",
    "invalid-severity",
    "gap-without-recommendation",
    "escalation-without-recommendation",
    "cases-incomplete",
    "invalid-case",
    "unknown-reference",
    "unknown-source",
    "unknown-locator",
    "element-not-encoded",
    "coverage-stale",
    "missing-sources",
    "derived-cycle",
    "missing-index",
    "unexpected-file",
    "unexpected-folder",
    "missing-questionnaire",
    "missing-question",
    "unknown-question",
    "missing-label",
]
"""What loading a rules folder finds wrong (`RuleFileError`, `ConditionError`): always an error."""

LintCode = Literal[
    "unreachable-rule",
    "duplicate-rule",
    "same-condition",
    "unlinked-entry",
    "severity-judgement",
    "judgement-untranslated",
    "middle-sufficient",
]
"""What only `rules lint` finds, across rules: errors, warnings and notes."""

ProblemCode = Literal[
    "invalid-json",
    "empty-body",
    "too-deep",
    "invalid-parameter",
    "unknown-parameter",
    "repeated-parameter",
    "invalid-request",
    "invalid-cursor",
    "invalid-assessment-date",
    "invalid-closing-date",
    "bad-request",
    "missing-api-key",
    "invalid-api-key",
    "missing-round-code",
    "invalid-round-code",
    "insufficient-scope",
    "outside-binding",
    "not-found",
    "rule-not-found",
    "assessment-not-found",
    "region-not-found",
    "organisation-not-found",
    "no-earlier-assessment",
    "invalid-against",
    "round-not-found",
    "method-not-allowed",
    "request-timeout",
    "idempotency-key-reused",
    "organisation-in-other-region",
    "round-closed",
    "round-open",
    "round-without-responses",
    "body-too-large",
    "too-many-values",
    "url-too-long",
    "unsupported-media-type",
    "validation-failed",
    "too-many-items",
    "organisation-required",
    "invalid-path",
    "invalid-text",
    "rate-limited",
    "headers-too-large",
    "internal-error",
    "evaluation-failed",
    "field-not-in-form",
    "answer-not-in-scale",
    "invalid-answers",
]
"""The `code` of an API problem (`application/problem+json`)."""

EvaluationCode = Literal["engine-failure", "rule-action-failed"]
"""Why the engine failed to evaluate an assessment (`EvaluationError`); the server logs it as
`error_code` and answers `internal-error` or, for a batch item, `evaluation-failed`."""

Code = RuleFileCode | LintCode | ProblemCode | EvaluationCode
Kind = Literal["rule-file", "lint", "problem", "evaluation"]
FindingSeverity = Literal["error", "warning", "note"]


@dataclass(frozen=True, slots=True)
class CodeDoc:
    """What one code means and what to do about it.

    Attributes:
        code: The code itself, as clients and rule authors see it.
        kind: Who reports it: loading rule files, `rules lint`, the API, or the evaluation.
        meaning: When it is reported, in one line.
        hint: How to fix it; `rules lint` prints it after each finding.
        status: For a problem code, the HTTP status it is sent with.
        severity: For a rule-file or lint code, how `rules lint` reports it.
    """

    code: Code
    kind: Kind
    meaning: str
    hint: str
    status: int | None = None
    severity: FindingSeverity = "error"


def _rule_file(code: RuleFileCode, meaning: str, hint: str) -> CodeDoc:
    return CodeDoc(code, "rule-file", meaning, hint)


def _lint(code: LintCode, severity: FindingSeverity, meaning: str, hint: str) -> CodeDoc:
    return CodeDoc(code, "lint", meaning, hint, severity=severity)


def _problem(status: int, code: ProblemCode, meaning: str, hint: str) -> CodeDoc:
    return CodeDoc(code, "problem", meaning, hint, status=status)


def _evaluation(code: EvaluationCode, meaning: str, hint: str) -> CodeDoc:
    return CodeDoc(code, "evaluation", meaning, hint)


_DOCS = (
    _rule_file(
        "yaml-syntax",
        "not valid YAML (also duplicate keys, not UTF-8)",
        "fix the YAML at that line (indentation, a missing colon or quote)",
    ),
    _rule_file(
        "invalid-round-file",
        "`rounds.yaml` does not fit its format or the assessment: an unknown role or indicator, "
        "a question no form entry covers, a combining rule that counts roles not asked, a "
        "disagreement matter that is not an agreement field",
        "correct the entry the message names; see the rules README's section on rounds",
    ),
    _rule_file("empty-file", "the file holds nothing", "delete the file or give it content"),
    _rule_file(
        "missing-field",
        "a field the format requires is missing (also a missing translation)",
        "add the field; every text needs sv, da and en",
    ),
    _rule_file(
        "unknown-field",
        "a field the format does not have",
        "remove the field or correct its spelling",
    ),
    _rule_file(
        "invalid-value",
        "a value does not match its format (also an indicator in two families of the manifest, "
        "a `scope` that is not one scored indicator with one context test, a `spans` entry that "
        "is not a scored indicator in no family spanning other scored indicators)",
        "use one of the values the format allows (see the README)",
    ),
    _rule_file(
        "too-short",
        "a list or text is shorter than its format allows (also a missing citation)",
        "add an item; every rule and entry needs at least one citation",
    ),
    _rule_file("too-long", "a text is longer than its format allows", "shorten the text"),
    _rule_file(
        "id-path-mismatch",
        "a rule's `id` differs from its path under `logic/`",
        "make `id` equal the file's path under rules/logic/, without .yaml",
    ),
    _rule_file(
        "invalid-condition",
        "a `when` node is not a non-empty mapping or list, a gap or escalation test names no "
        "rule, a test lists no values, or an `in_context` condition tests a scored indicator "
        "or a derived fact",
        "write `when` as a mapping of all/any/not/gap/escalation/indicator tests",
    ),
    _rule_file(
        "unknown-indicator",
        "no such indicator in the assessment",
        "use an indicator path of rules/questionnaire.yaml (GET /v1/questionnaire)",
    ),
    _rule_file(
        "value-not-in-scale",
        "the value is not on the indicator's scale (the message lists the allowed values)",
        "use a value of the indicator's scale; quote yes and no",
    ),
    _rule_file(
        "negated-derived-fact",
        "`not` wraps a gap or escalation",
        "negate indicators only; test the gap's own condition instead",
    ),
    _rule_file(
        "condition-too-complex",
        "`any` across facts expands to more than 32 alternatives",
        "group the tests of one section under one `any`",
    ),
    _rule_file(
        "too-many-facts",
        "one alternative joins more than 16 facts (the engine's limit)",
        "split the rule; the engine joins at most 16 facts",
    ),
    _rule_file(
        "unknown-as-no",
        "a non-`unknown` gap or escalation could fire on an unanswered indicator, or on a matter "
        "fewer than two roles of a round answered (`agreement.*: unknown`)",
        "name the answers that are a gap, e.g. [no, partly], or differ for an agreement field; "
        "use kind unknown for find-outs",
    ),
    _rule_file(
        "non-monotone",
        "a gap or escalation tests an answer but not every worse one, so a better answer would "
        "add it; or it tests an agreement field at `agree`, so coming to see a matter alike "
        "would add it",
        "include every worse answer and give the severity per answer; test agreement fields at "
        "differ only",
    ),
    _rule_file(
        "middle-ignored",
        "a gap rule tests a graded indicator at its worst answer but neither grades the middle "
        "answer nor cites why it is enough (`middle_sufficient`)",
        "add the middle answer with a lower severity, or cite under middle_sufficient why a "
        "partial answer is enough",
    ),
    _rule_file(
        "out-of-scope",
        "a gap rule tests an indicator that applies only in some contexts (`scope` in "
        "`rules/index.yaml`) without testing that context",
        "test the indicator's scope too (see scope in rules/index.yaml)",
    ),
    _rule_file(
        "disagreement-kind",
        "a gap of kind `disagreement` can fire without an agreement field at `differ`, or a gap "
        "of kind missing or at_risk tests an agreement field",
        "test an agreement.* field at differ in every alternative and set kind: disagreement",
    ),
    _rule_file(
        "order-cycle",
        "recommendations' `after` prerequisites form a circle",
        "remove one of the after entries that close the circle",
    ),
    _rule_file(
        "invalid-severity",
        "a severity per answer on a rule that tests more than one scored indicator, misses an "
        "answer, or is more severe for a better answer",
        "give one severity per tested answer, never higher for a better answer",
    ),
    _rule_file(
        "gap-without-recommendation",
        "a gap rule links no recommendation, so nothing tells the user what to do",
        "link at least one recommendation",
    ),
    _rule_file(
        "escalation-without-recommendation",
        "an escalation rule links no recommendation, so nothing tells the user what to do",
        "link the recommendations the escalation raises",
    ),
    _rule_file(
        "cases-incomplete",
        "no case where the rule fires, or none where it does not",
        "add a case where the rule fires and one where it does not",
    ),
    _rule_file(
        "invalid-case",
        "a case's input is not a valid assessment",
        "make the case's input a valid assessment fragment",
    ),
    _rule_file(
        "unknown-reference",
        "a link, gap/escalation reference or case expectation names nothing that exists",
        "create the entry or rule, or correct the id",
    ),
    _rule_file(
        "unknown-source",
        "a citation names a source with no file in `rules/sources/`",
        "cite one of the files in rules/sources/",
    ),
    _rule_file(
        "unknown-locator",
        "a citation's locator (in `sources`, a severity `basis` or `middle_sufficient`) is not "
        "one the source's coverage map lists (the message suggests the closest)",
        "copy a locator from the source's coverage map in rules/sources/",
    ),
    _rule_file(
        "element-not-encoded",
        "nothing cites an element of a source's coverage map",
        "cite the element from a rule or catalog entry",
    ),
    _rule_file(
        "coverage-stale",
        "an element's `encoded_by` list is not what cites it",
        "run `readiness rules coverage --write`",
    ),
    _rule_file(
        "missing-sources",
        "`rules/sources/` holds no source document",
        "add the source documents under rules/sources/",
    ),
    _rule_file(
        "derived-cycle",
        "a rule depends on itself through gaps or escalations",
        "break the cycle: a rule may not depend on itself",
    ),
    _rule_file(
        "missing-index",
        "a folder has no `index.yaml` (or the ruleset has no manifest)",
        "add an index.yaml with a `title`",
    ),
    _rule_file(
        "unexpected-file",
        "a YAML file at the top of the rules folder other than `index.yaml`, "
        "`questionnaire.yaml`, `rounds.yaml` and `spelling.yaml`, or a file anywhere under it "
        "saved as `.yml` (or `.YAML`), which is not read",
        "move the file under logic/, catalog/ or sources/; rename a `.yml` file to `.yaml`",
    ),
    _rule_file(
        "unexpected-folder",
        "a folder other than `logic/` and its subfolders, the three kinds in `catalog/`, "
        "`sources/` and `schemas/`",
        "move the folder under logic/ or catalog/",
    ),
    _rule_file(
        "missing-questionnaire",
        "there is no `rules/questionnaire.yaml`",
        "restore rules/questionnaire.yaml",
    ),
    _rule_file(
        "missing-question",
        "the questionnaire has no question (or group) for a field of the assessment",
        "add the question with sv, da and en texts",
    ),
    _rule_file(
        "unknown-question",
        "the questionnaire has a question (or group) for a field the assessment does not have",
        "remove the question; the field does not exist",
    ),
    _rule_file(
        "missing-label",
        "a scale in the questionnaire has no label for one of its answers",
        "add a label for every answer of the scale",
    ),
    _lint(
        "unreachable-rule",
        "error",
        "each alternative of the condition tests one indicator for values that exclude each "
        "other, so the rule never fires",
        "the condition contradicts itself; no assessment can satisfy it",
    ),
    _lint(
        "duplicate-rule",
        "error",
        "two rules have the same condition and the same outcome",
        "delete one of the rules, or change what it derives",
    ),
    _lint(
        "same-condition",
        "warning",
        "two rules have the same condition but different outcomes",
        "merge the rules, or make their conditions differ",
    ),
    _lint(
        "unlinked-entry",
        "warning",
        "no rule links an obstacle, success factor or recommendation of the catalog",
        "link the entry from a rule, or delete it",
    ),
    _lint(
        "severity-judgement",
        "note",
        "a severity rests on a judgement, not on a cited passage",
        "a note, not a fault: cite a source passage when one weighs it",
    ),
    _lint(
        "judgement-untranslated",
        "warning",
        "a severity's judgement says the same in Swedish, Danish and English (or was written as one "
        "string, which is read as all three)",
        "write the reason in each language: `judgement: {sv: ..., da: ..., en: ...}`",
    ),
    _lint(
        "middle-sufficient",
        "note",
        "a rule declares the middle answer of an indicator enough (`middle_sufficient`)",
        "a note, not a fault: check that the cited passage still says so",
    ),
    _problem(
        400,
        "invalid-json",
        "not JSON, not UTF-8, NaN/Infinity, a number too large for a double, an integer of over "
        "4,300 digits, duplicate keys (the whole body is refused: a later value silently "
        "replacing an earlier one could hide an answer)",
        "send one JSON object in UTF-8, each key once, numbers finite",
    ),
    _problem(400, "empty-body", "no body", "send the JSON object the endpoint takes"),
    _problem(
        400,
        "too-deep",
        "nested deeper than `READINESS_MAX_JSON_DEPTH`",
        "send the documented shape; an assessment is a few levels deep",
    ),
    _problem(
        400,
        "invalid-parameter",
        "a query parameter or header is invalid (e.g. `lang=fr`, `explain=perhaps`, "
        "`rows=gap` or `dialect` with a format they do not shape, or a `gap` or `obstacle` id "
        "that neither the rules nor a readable stored assessment has)",
        "correct the parameters named in `errors`",
    ),
    _problem(
        400,
        "unknown-parameter",
        "a query parameter the endpoint does not take (e.g. `stroe=true`, or `store` on a batch); "
        "`errors` names each, with a did-you-mean for a near miss and the accepted names",
        "use a name from `allowed`",
    ),
    _problem(
        400,
        "repeated-parameter",
        "a single-valued query parameter sent more than once (`lang=sv&lang=da`)",
        "send it once",
    ),
    _problem(
        400,
        "invalid-request",
        "the request line or headers are not valid HTTP/1.1, e.g. a raw `å` in the query; "
        "answered by the server before any handler, then the connection is closed",
        "percent-encode the request target (`Sk%C3%A5ne`), as HTTP libraries do; with curl, "
        "`-G --data-urlencode 'region=Skåne'`",
    ),
    _problem(
        400,
        "invalid-cursor",
        "the `cursor` is not of a cursor's form (the id of a page's last assessment: 32 "
        "lowercase hex digits)",
        "pass the previous page's `next` unchanged",
    ),
    _problem(
        422,
        "invalid-assessment-date",
        "`assessed_on` without store=true, in the future, or before 2000-01-01",
        "send the day the assessment was made, with store=true",
    ),
    _problem(
        422,
        "invalid-closing-date",
        "a round's `closes_at` is not in the future",
        "give a moment after now, with its time zone, or leave `closes_at` out",
    ),
    _problem(
        400,
        "bad-request",
        "any other request the server refuses (litestar's other 4xx answers keep their status)",
        "read `detail`",
    ),
    _problem(
        401,
        "missing-api-key",
        "the endpoint needs an API key and none was sent",
        "send the key as `Authorization: Bearer <key>` or `X-API-Key`",
    ),
    _problem(
        401,
        "invalid-api-key",
        "the API key is unknown, wrong or revoked",
        "ask the administrator for a valid key",
    ),
    _problem(
        401,
        "missing-round-code",
        "answering a round needs an invitation code and none was sent",
        "send the code you were given as `X-Round-Code`",
    ),
    _problem(
        401,
        "invalid-round-code",
        "the invitation code is no code of any round (mistyped, or its round deleted)",
        "send the code exactly as given; ask whoever invited you for a new one",
    ),
    _problem(
        403,
        "insufficient-scope",
        "the API key lacks the endpoint's scope",
        "use a key with that scope (`admin` has every scope)",
    ),
    _problem(
        403,
        "outside-binding",
        "storing for an organisation or region the key is not bound to",
        "store with the key of that organisation or region",
    ),
    _problem(404, "not-found", "no such path", "check the path against `/schema/openapi.json`"),
    _problem(404, "rule-not-found", "no such rule", "take the id from `GET /v1/rules`"),
    _problem(
        404,
        "assessment-not-found",
        "no stored assessment with that id that the key may read",
        "take the id from a stored assessment or from `GET /v1/assessments`",
    ),
    _problem(
        404,
        "region-not-found",
        "the key may not read that region (it is bound to an organisation or another region)",
        "ask with a key bound to that region, or to none",
    ),
    _problem(
        404,
        "organisation-not-found",
        "no assessment of the organisation is stored (moving it needs one)",
        "check the organisation id",
    ),
    _problem(
        404,
        "no-earlier-assessment",
        "a delta asked for the organisation's first assessment",
        "store a later assessment, or name one with `against`",
    ),
    _problem(
        422,
        "invalid-against",
        "a delta's `against` is not an earlier assessment of the same organisation and "
        "intervention: a later one, the assessment itself, or one of another organisation or "
        "intervention",
        "name an assessment made before this one, of the same organisation and intervention, "
        "or leave `against` out for the previous one",
    ),
    _problem(
        404,
        "round-not-found",
        "no round with that id that the key may read",
        "take the id from the answer that opened it or from `GET /v1/rounds`",
    ),
    _problem(
        405,
        "method-not-allowed",
        "wrong method for the path",
        "use a method from the `Allow` header",
    ),
    _problem(
        408,
        "request-timeout",
        "the body did not arrive within `READINESS_BODY_TIMEOUT`, or the request line and "
        "headers within `READINESS_HEADER_TIMEOUT`; the connection is closed",
        "send the whole request at once",
    ),
    _problem(
        409,
        "idempotency-key-reused",
        "the `Idempotency-Key` was used before with a different body",
        "use a new key for a new request",
    ),
    _problem(
        409,
        "organisation-in-other-region",
        "the organisation is stored under another region; an organisation keeps one region so "
        "that its history stays whole",
        "store it under its region (the message names it), or have an admin move it with "
        "`PUT /v1/organisations/{id}/region`",
    ),
    _problem(
        409,
        "round-closed",
        "the round is closed, or past its `closes_at`: it takes no more answers, and it is "
        "closed once",
        "nothing to send; its result is at `GET /v1/rounds/{id}/result`",
    ),
    _problem(
        409,
        "round-open",
        "a round's result is asked for before it is closed: answers are shown only combined, "
        "once, so that no one's answer can be told from how the result changes",
        "close the round (`POST /v1/rounds/{id}/close`), then ask again",
    ),
    _problem(
        409,
        "round-without-responses",
        "closing a round that nobody has answered: there is nothing to combine",
        "wait for answers, or leave the round open",
    ),
    _problem(
        413,
        "body-too-large",
        "body over `READINESS_MAX_BODY_BYTES`",
        "send less; split a batch",
    ),
    _problem(
        413,
        "too-many-values",
        "more JSON values than an assessment (or a full batch) can hold; refused before parsing",
        "send only the fields of the assessment",
    ),
    _problem(
        414,
        "url-too-long",
        "request target over `READINESS_MAX_URL_BYTES`; the connection is closed",
        "shorten the query",
    ),
    _problem(
        415,
        "unsupported-media-type",
        "body not sent as `application/json` in UTF-8 (e.g. `charset=latin-1`)",
        "send `Content-Type: application/json`",
    ),
    _problem(
        422,
        "validation-failed",
        "JSON that is not a valid assessment (each field listed), or a body of the wrong shape",
        "correct the fields listed in `errors`",
    ),
    _problem(
        422,
        "too-many-items",
        "batch over `READINESS_MAX_BATCH_ITEMS`",
        "split the batch",
    ),
    _problem(
        422,
        "organisation-required",
        "storing needs `organisation.id`",
        "set `organisation.id`, or do not store",
    ),
    _problem(
        422,
        "invalid-path",
        "`POST /v1/rules/validate`: a file name is not a `.yaml` path inside the rules folder",
        "name files by their path under `rules/`, e.g. `logic/leadership/new-rule.yaml`",
    ),
    _problem(
        422,
        "invalid-text",
        "`POST /v1/rules/validate`: a file's text holds a lone surrogate",
        "send the files' text as it is in UTF-8",
    ),
    _problem(
        429,
        "rate-limited",
        "over `READINESS_RATE_LIMIT` requests a minute; `Retry-After` says when to try again",
        "wait `Retry-After` seconds",
    ),
    _problem(
        431,
        "headers-too-large",
        "more than `READINESS_MAX_HEADERS` headers or a head over `READINESS_MAX_HEADER_BYTES`; "
        "the connection is closed",
        "send fewer or shorter headers",
    ),
    _problem(
        500,
        "internal-error",
        "a fault on our side; no internals shown, logged with the request id",
        "report it with the request id",
    ),
    _problem(
        500,
        "evaluation-failed",
        "in a batch: the engine could not evaluate this item; the other items are unaffected",
        "report it with the request id",
    ),
    _problem(
        422,
        "field-not-in-form",
        "a round's answers hold a question that the respondent's role is not asked",
        "answer only the questions of your role's form (`GET /v1/questionnaire?role=...`)",
    ),
    _problem(
        422,
        "answer-not-in-scale",
        "a round's answer is not one of the question's allowed values",
        "use one of the values the message lists (`unknown` for don't know)",
    ),
    _problem(
        422,
        "invalid-answers",
        "a round's answers are not a JSON object of sections, fields and answers",
        'send the answers nested as in an assessment, e.g. {"leadership": {"support": ...}}',
    ),
    _evaluation(
        "engine-failure",
        "the rule engine itself failed (durable_rules, or the compiled rules)",
        "report it with the request id; the log holds the stack trace",
    ),
    _evaluation(
        "rule-action-failed",
        "a rule's action raised; the log's `rule` names the rule",
        "fix the rule the log names, or report it",
    ),
)

CODES: Mapping[Code, CodeDoc] = MappingProxyType({doc.code: doc for doc in _DOCS})
"""Every code, in the order the README lists them."""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


_FOUND_BY = {"rule-file": "loading", "lint": "`rules lint`"}


Block = Literal["rule-file", "problem", "evaluation"]
"""A table in the README: rule-file and lint codes, problem codes, or evaluation codes."""
_BLOCKS: tuple[Block, ...] = get_args(Block)


def markdown(block: Block) -> str:
    """Return the README's table of `block`: rule-file and lint codes, problems, or evaluation."""
    if block == "rule-file":
        return _table(
            ("code", "found by", "severity", "meaning", "fix"),
            [
                (f"`{d.code}`", _FOUND_BY[d.kind], d.severity, d.meaning, d.hint)
                for d in _DOCS
                if d.kind in ("rule-file", "lint")
            ],
        )
    if block == "problem":
        problems = sorted((d for d in _DOCS if d.kind == "problem"), key=lambda d: d.status or 0)
        return _table(
            ("status", "code", "when", "what to do"),
            [(str(d.status), f"`{d.code}`", d.meaning, d.hint) for d in problems],
        )
    return _table(
        ("code", "meaning", "what to do"),
        [(f"`{d.code}`", d.meaning, d.hint) for d in _DOCS if d.kind == "evaluation"],
    )


_BLOCK = re.compile(rf"(<!-- codes:({'|'.join(_BLOCKS)}) -->\n).*?(<!-- /codes:\2 -->)", re.DOTALL)


def sync_readme(text: str) -> str:
    """Return `text` with each generated code table between its markers rewritten."""
    tables: dict[str, str] = {block: markdown(block) for block in _BLOCKS}
    return _BLOCK.sub(lambda m: m.group(1) + tables[m.group(2)] + m.group(3), text)


def main(argv: Sequence[str] | None = None) -> int:
    """Check the README's code tables against the registry, or rewrite them with `--write`."""
    parser = argparse.ArgumentParser(prog="python -m schemas.codes", description=main.__doc__)
    parser.add_argument("--write", action="store_true", help="rewrite the tables in place")
    parser.add_argument(
        "--readme", type=Path, default=Path(__file__).resolve().parents[1] / "README.md"
    )
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    fresh = sync_readme(text)
    if fresh == text:
        print(f"{args.readme}: the code tables are up to date")
        return 0
    if args.write:
        args.readme.write_text(fresh, encoding="utf-8")
        print(f"{args.readme}: rewrote the code tables")
        return 0
    print(f"{args.readme}: the code tables are stale; run python -m schemas.codes --write")
    return 1


if __name__ == "__main__":
    sys.exit(main())
