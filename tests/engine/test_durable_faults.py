"""Each durable_rules fault in docs/durable_rules.md, by a test that fails without its workaround."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest

import engine.runtime._durable as durable_backend
from bench.servers import memory_kib
from engine import Engine, EvaluationError, default_rules_dir, load_ruleset
from engine.indicators import INDICATORS, nested
from schemas.assessment import AssessmentRequest
from tests.conftest import RulesFolder, request, worst_request


def rss_bytes() -> int:
    return memory_kib("self") * 1024


QUIET = request(leadership={"support": {"tactical": "yes"}})
"""Matches no rule of the one-rule engine below."""


@pytest.fixture(scope="module")
def one_rule_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """An engine with only leadership/tactical-support, so most assessments match nothing."""
    root = tmp_path_factory.mktemp("one-rule") / "rules"
    shutil.copytree(default_rules_dir(), root)
    keep = root / "logic" / "leadership" / "tactical-support.yaml"
    for path in (root / "logic").rglob("*.yaml"):
        if path.name != "index.yaml" and path != keep:
            path.unlink()
    return Engine(load_ruleset(root, check_coverage=False))


def test_an_assessment_that_matches_no_rule_does_not_crash_delete_state(
    one_rule_engine: Engine,
) -> None:
    # Without the sentinel rule, delete_state on a sid where no action ran kills the process.
    for _ in range(50):
        result = one_rule_engine.assess(QUIET, explain=True)
        assert result.trace == []
        assert result.gaps == []
        assert result.recommendations == []
    assert one_rule_engine.assess(request(leadership={"support": {"tactical": "no"}})).gaps


def test_an_empty_assessment_evaluates_repeatedly(engine: Engine) -> None:
    for _ in range(50):
        assert engine.assess(AssessmentRequest()).gaps


def generated_rules(folder: RulesFolder) -> int:
    """Add one gap rule per scored indicator that fires on its worst answer; return how many."""
    count = 0
    scope = folder.read("index.yaml").get("scope", {})
    for indicator in INDICATORS:
        if not indicator.scale.scored or indicator.path in scope:
            continue  # a scoped indicator applies only to some interventions
        worst, best = indicator.scale.worst, indicator.scale.best
        middle = [v for v in indicator.scale.values if v not in (worst, best, "unknown")]
        name = indicator.path.replace(".", "-").replace("_", "-")
        section = indicator.path.split(".")[0]
        folder.dump(
            f"logic/generated/{name}.yaml",
            {
                "id": f"generated/{name}",
                "title": {"sv": name, "da": name, "en": name},
                "dimension": section if section != "organisation" else "leadership",
                "when": {indicator.path: [worst, *middle]},
                "asserts": {
                    "gap": {
                        "severity": "low",
                        "kind": "missing",
                        "basis": {
                            "judgement": {
                                "sv": "en genererad regel för ett stresstest",
                                "da": "en genereret regel til en stresstest",
                                "en": "a generated rule for a stress test",
                            }
                        },
                    }
                },
                "links": {"recommendations": ["secure-venue"]},
                "sources": [
                    {
                        "source": "kunskapsguiden-implementering",
                        "locator": "Fas 1. Initial bedömning",
                    }
                ],
                "cases": [
                    {
                        "name": f"{name} at worst",
                        "input": nested({indicator.path: worst}),
                        "fires": True,
                    },
                    {
                        "name": f"{name} at best",
                        "input": nested({indicator.path: best}),
                        "fires": False,
                    },
                ],
            },
        )
        count += 1
    folder.write("logic/generated/index.yaml", "title: Generated stress rules\n")
    return count


def test_a_very_weak_assessment_does_not_hit_the_per_fact_match_limit(
    rules_copy: RulesFolder,
) -> None:
    # One fact matching more than about 64 conditions raises error 303; every scored indicator
    # at its worst matches one generated rule each (80+), so one big fact would fail here.
    generated = generated_rules(rules_copy)
    assert generated > 64
    engine = Engine(load_ruleset(rules_copy.root, check_coverage=False))
    result = engine.assess(worst_request(), explain=True)
    fired = {entry.rule for entry in result.trace or []}
    assert sum(rule.startswith("generated/") for rule in fired) == generated
    assert {"leadership/tactical-support", "competence/tovholder-missing"} <= fired


def test_every_indicator_no_on_the_shipped_rules(engine: Engine) -> None:
    result = engine.assess(worst_request())
    assert result.readiness.score == 0.0
    assert result.readiness.level == "not_ready"
    assert {"leadership/tactical-support", "competence/tovholder-missing"} <= {
        g.id for g in result.gaps
    }


@pytest.mark.slow  # two thousand evaluations
def test_two_thousand_evaluations_in_a_row_keep_memory_flat(
    engine: Engine, one_rule_engine: Engine
) -> None:
    # Past 1,024 live sids every call raises MemoryError; each sid must be deleted, also where
    # nothing matched.
    for _ in range(1100):
        assert one_rule_engine.assess(QUIET).gaps == []
    requests = [
        worst_request(),
        AssessmentRequest(),
        request(leadership={"support": {"tactical": "no"}}, risks={"reorganisation": "yes"}),
    ]
    for i in range(200):
        engine.assess(requests[i % len(requests)])
    before = rss_bytes()
    for i in range(2000):
        engine.assess(requests[i % len(requests)])
    grown = rss_bytes() - before
    assert grown < 8 * 1024 * 1024, f"RSS grew by {grown / 1e6:.1f} MB"


def test_eight_threads_give_the_same_results_as_one(engine: Engine) -> None:
    # The Host's timer threads race with delete_state; ours has none and a lock serialises.
    inputs = [
        request(
            leadership={"support": {"tactical": v}},
            risks={"staff_turnover": t},
            competence={"tovholder": {"appointed": a}},
        )
        for v in ("yes", "partly", "no", "unknown")
        for t in ("low", "high", "unknown")
        for a in ("yes", "no", "unknown")
    ]
    expected = [engine.assess(r, explain=True).model_dump_json() for r in inputs]
    failures: list[BaseException] = []
    mismatches: list[int] = []

    def worker(offset: int) -> None:
        try:
            for round_ in range(5):
                for i in range(len(inputs)):
                    index = (i + offset + round_) % len(inputs)
                    got = engine.assess(inputs[index], explain=True).model_dump_json()
                    if got != expected[index]:
                        mismatches.append(index)
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=worker, args=(n * 3,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert mismatches == []


def test_an_exception_in_a_rule_action_is_raised_not_swallowed(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The action of a rule whose gap another rule chains from asserts that gap; make that fail.
    backend = engine.backend
    assert isinstance(backend, durable_backend.DurableBackend)
    weak = worst_request()
    first = engine.assess(weak, explain=True)
    chained = next(entry for entry in first.trace or [] if any(":" in m for m in entry.matched))
    ref = next(name for name in chained.matched if ":" in name)
    broken = dict(backend._derived)
    broken[ref] = '{"t": '
    monkeypatch.setattr(backend, "_derived", broken)
    with pytest.raises(EvaluationError) as caught:
        engine.assess(weak)
    assert caught.value.code == "rule-action-failed"
    assert caught.value.rule == ref.split(":", 1)[1]
    monkeypatch.undo()
    assert engine.assess(weak, explain=True) == first


def test_a_failing_backend_is_an_evaluation_error_and_the_next_call_works(
    engine: Engine,
) -> None:
    backend = engine.backend
    with pytest.raises(EvaluationError) as caught:
        # More than 252 fields in one fact is error 302 inside durable_rules.
        backend.evaluate([{"t": "leadership.support", **{f"x{i}": "no" for i in range(300)}}])
    assert caught.value.code == "engine-failure"
    assert engine.assess(request(leadership={"support": {"tactical": "no"}})).gaps


def test_an_any_matched_by_both_branches_is_reported_once(engine: Engine) -> None:
    result = engine.assess(
        request(culture={"staff_believe": "no"}, competence={"staff_motivation": "low"}),
        explain=True,
    )
    fired = [entry.rule for entry in result.trace or []]
    assert fired.count("culture/staff-not-on-board") == 1
    assert [g.id for g in result.gaps].count("culture/staff-not-on-board") == 1


def test_only_the_durable_module_imports_durable_rules() -> None:
    root = Path(__file__).resolve().parents[2]
    importers = sorted(
        path.relative_to(root).as_posix()
        for folder in ("engine", "api", "schemas")
        for path in (root / folder).rglob("*.py")
        if "import durable" in path.read_text() or "from durable" in path.read_text()
    )
    assert importers == ["engine/runtime/_durable.py"]
