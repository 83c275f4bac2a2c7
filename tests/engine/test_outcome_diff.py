"""Outcome diffs between two real variants of the shipped rule base, and the corpus loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from engine import Engine, Ruleset, default_rules_dir, load_ruleset
from engine.authoring.outcome_diff import (
    AssessmentDiff,
    DiffTotals,
    DimensionLevelChange,
    LevelChange,
    PlaceChange,
    Placement,
    RankChange,
    ScoreChange,
    SeverityChange,
    diff_outcomes,
    load_corpus,
)
from engine.indicators import INDICATORS, nested
from schemas.assessment import AssessmentRequest

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path}: {old!r} not found once"
    path.write_text(text.replace(old, new), encoding="utf-8")


def _make_new_variant(root: Path) -> None:
    """Staff turnover weighs one level less; partial tactical support becomes a medium gap."""
    _edit(
        root / "logic/risks/high-staff-turnover.yaml",
        "    severity: {high: high, medium: medium}\n",
        "    severity: {high: medium, medium: low}\n",
    )
    _edit(
        root / "logic/leadership/tactical-support.yaml",
        '    severity: {"no": blocking, partly: high}\n',
        '    severity: {"no": blocking, partly: medium}\n',
    )


@pytest.fixture(scope="module")
def variants(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("outcome-diff")
    old, new = base / "old", base / "new"
    shutil.copytree(default_rules_dir(), old)
    shutil.copytree(old, new)
    _make_new_variant(new)
    return old, new


@pytest.fixture(scope="module")
def old_rules(variants: tuple[Path, Path]) -> Ruleset:
    return load_ruleset(variants[0], check_coverage=False)


@pytest.fixture(scope="module")
def new_rules(variants: tuple[Path, Path]) -> Ruleset:
    return load_ruleset(variants[1], check_coverage=False)


def answered(**overrides: str) -> AssessmentRequest:
    """Every scored indicator at its best answer, except `overrides` (indicator path: value).

    A fully answered request derives no `unknown` gaps, so the only gaps, and the only
    recommendations, are the ones the overrides cause.
    """
    values: dict[str, Any] = {i.path: i.scale.best for i in INDICATORS if i.scale.scored}
    values.update(overrides)
    return AssessmentRequest.model_validate(nested(values))


CORPUS = [
    ("partial tactical support", answered(**{"leadership.support.tactical": "partly"})),
    ("no tactical support", answered(**{"leadership.support.tactical": "no"})),
    (
        "high turnover and workload",
        answered(**{"risks.staff_turnover": "high", "risks.workload": "high"}),
    ),
    (
        "partial tactical support in a reorganisation",
        answered(**{"leadership.support.tactical": "partly", "risks.reorganisation": "yes"}),
    ),
    ("no venue", answered(**{"organisation_setup.venue.available": "no"})),
]


def test_the_variants_differ_only_in_the_edited_rules(
    old_rules: Ruleset, new_rules: Ruleset
) -> None:
    assert old_rules.version == new_rules.version
    assert old_rules.digest != new_rules.digest
    assert {r.id for r in old_rules.rules} == {r.id for r in new_rules.rules}
    tactical = new_rules.by_id["leadership/tactical-support"]
    assert tactical.severity_for({"leadership.support.tactical": "partly"}) == "medium"
    assert new_rules.by_id["risks/high-staff-turnover"].severity == "medium"


def test_each_changed_assessment_is_reported_exactly(
    old_rules: Ruleset, new_rules: Ruleset
) -> None:
    diff = diff_outcomes(old_rules, new_rules, CORPUS)

    assert diff.assessments == (
        # Partial support stays a gap, one level lower. A high gap kept the level from `ready`;
        # a medium one does not.
        AssessmentDiff(
            name="partial tactical support",
            gap_severity_changes=(
                SeverityChange(id="leadership/tactical-support", old="high", new="medium"),
            ),
            level=LevelChange(old="partly_ready", new="ready"),
            dimension_levels=(
                DimensionLevelChange(dimension="leadership", old="partly_ready", new="ready"),
            ),
        ),
        # "no tactical support" is a blocking gap under both: unchanged, not listed.
        # Turnover drops from high to medium: it now shares urgency 2 with the workload
        # recommendation, which closes more gaps and goes first. No high gap is left.
        AssessmentDiff(
            name="high turnover and workload",
            gap_severity_changes=(
                SeverityChange(id="risks/high-staff-turnover", old="high", new="medium"),
            ),
            recommendations_reranked=(
                RankChange(id="plan-for-turnover", old_rank=1, new_rank=2),
                RankChange(id="protect-caseload-capacity", old_rank=2, new_rank=1),
            ),
            level=LevelChange(old="partly_ready", new="ready"),
            dimension_levels=(
                DimensionLevelChange(dimension="risks", old="partly_ready", new="ready"),
            ),
        ),
        # The reorganisation stays a high gap, so the whole stays partly_ready; its action (step
        # 3) comes before the tactical one (step 5) under both, so nothing is re-ranked.
        AssessmentDiff(
            name="partial tactical support in a reorganisation",
            gap_severity_changes=(
                SeverityChange(id="leadership/tactical-support", old="high", new="medium"),
            ),
            dimension_levels=(
                DimensionLevelChange(dimension="leadership", old="partly_ready", new="ready"),
            ),
        ),
        # "no venue" touches neither edited rule: unchanged, not listed.
    )
    assert diff.unchanged == 2
    assert diff.totals == DiffTotals(
        assessments=5,
        changed=3,
        unchanged=2,
        gaps_added=0,
        gaps_removed=0,
        gap_severity_changes=3,
        escalations_added=0,
        escalations_removed=0,
        recommendations_added=0,
        recommendations_removed=0,
        recommendations_reranked=2,
        recommendations_moved=0,
        level_changes=2,
        dimension_level_changes=3,
    )
    assert (diff.old_version, diff.old_digest) == (old_rules.version, old_rules.digest)
    assert (diff.new_version, diff.new_digest) == (new_rules.version, new_rules.digest)


def test_the_reverse_diff_mirrors_the_forward_one(old_rules: Ruleset, new_rules: Ruleset) -> None:
    forward = diff_outcomes(old_rules, new_rules, CORPUS)
    backward = diff_outcomes(new_rules, old_rules, CORPUS)
    assert [e.name for e in backward.assessments] == [e.name for e in forward.assessments]
    assert backward.totals.gap_severity_changes == forward.totals.gap_severity_changes == 3
    assert backward.totals.recommendations_reranked == forward.totals.recommendations_reranked
    assert backward.assessments[0].gap_severity_changes == (
        SeverityChange(id="leadership/tactical-support", old="medium", new="high"),
    )
    assert backward.assessments[0].level == LevelChange(old="ready", new="partly_ready")


def test_the_text_report(old_rules: Ruleset, new_rules: Ruleset) -> None:
    text = diff_outcomes(old_rules, new_rules, CORPUS).to_text()
    lines = text.splitlines()
    assert lines[0] == (
        f"outcome diff: {old_rules.version} ({old_rules.digest}) -> "
        f"{new_rules.version} ({new_rules.digest})"
    )
    assert lines[1:3] == [
        "partial tactical support",
        "  ~ gap leadership/tactical-support: severity high -> medium",
    ]
    assert "  ~ gap risks/high-staff-turnover: severity high -> medium" in lines
    assert "  ~ recommendation plan-for-turnover: rank 1 -> 2" in lines
    assert "  level: partly_ready -> ready" in lines
    assert "  leadership level: partly_ready -> ready" in lines
    assert "no tactical support" not in lines
    assert "no venue" not in lines
    assert lines[-1].startswith("totals: 5 compared, 3 changed, 2 unchanged; gaps +0 -0")


def test_a_recommendation_that_becomes_a_sub_point_has_moved_not_gone(
    tmp_path: Path, old_rules: Ruleset
) -> None:
    # Without `spans`, Steg 5 not done beside heads of service who say no is two places; with it,
    # Steg 5 is part of the tactical place. The advice is still given: it moved, it is not gone.
    apart = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), apart)
    index = apart / "index.yaml"
    text = index.read_text(encoding="utf-8")
    start = text.index("spans:\n")
    end = text.index("\n", start + len("spans:\n"))
    index.write_text(text[:start] + text[end + 1 :], encoding="utf-8")
    before = load_ruleset(apart, check_coverage=False)
    corpus = [
        (
            "steg 5 and the heads of service",
            answered(**{"process.step_5": "not", "leadership.support.tactical": "no"}),
        )
    ]
    diff = diff_outcomes(before, old_rules, corpus)
    (entry,) = diff.assessments
    assert entry.recommendations_added == entry.recommendations_removed == ()
    assert entry.recommendations_moved == (
        PlaceChange(
            id="step-05-anchor-support-at-every-level",
            old=Placement(rank=2),
            new=Placement(rank=1, within="secure-tactical-leadership"),
        ),
    )
    assert diff.totals.recommendations_moved == 1
    assert (
        "  ~ recommendation step-05-anchor-support-at-every-level: rank 2 -> part of "
        "secure-tactical-leadership (rank 1)"
    ) in diff.to_text().splitlines()
    # And back: it leaves the place it was part of for one of its own.
    (back,) = diff_outcomes(old_rules, before, corpus).assessments
    assert [(c.old.within, c.new.within) for c in back.recommendations_moved] == [
        ("secure-tactical-leadership", None)
    ]


def test_the_json_report_is_serialisable(old_rules: Ruleset, new_rules: Ruleset) -> None:
    data = diff_outcomes(old_rules, new_rules, CORPUS).to_json()
    assert json.loads(json.dumps(data)) == data
    assert data["totals"]["changed"] == 3
    assert data["new_digest"] == new_rules.digest
    first = data["assessments"][0]
    assert first["name"] == "partial tactical support"
    assert first["gap_severity_changes"] == [
        {"id": "leadership/tactical-support", "old": "high", "new": "medium"}
    ]
    assert data["assessments"][1]["recommendations_reranked"][0] == {
        "id": "plan-for-turnover",
        "old_rank": 1,
        "new_rank": 2,
    }


def test_a_weight_change_moves_the_score_but_no_gap(
    variants: tuple[Path, Path], old_rules: Ruleset, tmp_path: Path
) -> None:
    root = tmp_path / "rules"
    shutil.copytree(variants[0], root)
    _edit(root / "index.yaml", "    leadership: 3\n", "    leadership: 1\n")
    lighter = load_ruleset(root, check_coverage=False)
    corpus = CORPUS[:1]
    diff = diff_outcomes(old_rules, lighter, corpus)
    (entry,) = diff.assessments
    old_score = Engine(old_rules).assess(corpus[0][1]).readiness.score
    new_score = Engine(lighter).assess(corpus[0][1]).readiness.score
    assert old_score is not None
    assert new_score is not None
    # Leadership is the one imperfect dimension: weighing it less raises the overall score.
    assert new_score > old_score
    assert entry == AssessmentDiff(
        name="partial tactical support", score=ScoreChange(old=old_score, new=new_score)
    )
    assert diff.totals.level_changes == 0
    assert "  score: " in diff.to_text()


def test_an_identical_copy_changes_nothing_over_the_default_corpus(
    variants: tuple[Path, Path], old_rules: Ruleset, tmp_path: Path
) -> None:
    root = tmp_path / "same"
    shutil.copytree(variants[0], root)
    same = load_ruleset(root, check_coverage=False)
    corpus = load_corpus()
    diff = diff_outcomes(old_rules, same, corpus)
    assert diff.old_digest == diff.new_digest
    assert diff.assessments == ()
    assert diff.totals.assessments == len(corpus) == diff.totals.unchanged
    assert diff.totals.changed == 0
    assert diff.to_text().splitlines()[1].startswith(f"totals: {len(corpus)} compared, 0 changed")


def test_the_default_corpus_is_the_examples_and_sources_are_read_in_order() -> None:
    examples = sorted((PROJECT_ROOT / "examples").glob("*.json"))
    scenarios = sorted((PROJECT_ROOT / "tests/rules/scenarios").glob("*.json"))
    assert [name for name, _ in load_corpus()] == [p.stem for p in examples]
    corpus = load_corpus(
        [str(PROJECT_ROOT / "examples"), str(PROJECT_ROOT / "tests/rules/scenarios")]
    )
    assert [name for name, _ in corpus] == [p.stem for p in examples] + [
        f"scenario:{p.stem}" for p in scenarios
    ]
    assert "design-examples" in dict(corpus)
    assert len(scenarios) > 0
    first = scenarios[0]
    raw = json.loads(first.read_text(encoding="utf-8"))["assessment"]
    assert dict(corpus)[f"scenario:{first.stem}"] == AssessmentRequest.model_validate(raw)


def test_an_ndjson_corpus(tmp_path: Path) -> None:
    path = tmp_path / "corpus.ndjson"
    lines = [
        json.dumps({"leadership": {"support": {"tactical": "no"}}}),
        json.dumps({"id": "stored-1", "request": {"risks": {"staff_turnover": "high"}}}),
        "",
        json.dumps({}),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus([str(path)])
    assert [name for name, _ in corpus] == ["line 1", "line 2", "line 4"]
    assert corpus[0][1].leadership.support.tactical == "no"
    assert corpus[1][1].risks.staff_turnover == "high"
    assert corpus[2][1] == AssessmentRequest()


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "invalid-json: Expecting property name"),
        (json.dumps({"leadership": {"support": {"tactical": "maybe"}}}), "invalid assessment"),
        (
            json.dumps({"request": {"no_such_section": {}}}),
            r"\$\.request\.no_such_section: unknown-field: unknown field 'no_such_section'",
        ),
    ],
)
def test_a_bad_ndjson_line_names_file_and_line(tmp_path: Path, bad_line: str, message: str) -> None:
    path = tmp_path / "bad.ndjson"
    path.write_text(json.dumps({}) + "\n" + bad_line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=message) as caught:
        load_corpus([str(path)])
    assert str(caught.value).startswith(f"{path}:2: ")


def test_a_file_with_a_key_twice_is_refused_not_read_as_its_last_value(tmp_path: Path) -> None:
    (tmp_path / "twice.json").write_text(
        '{"risks": {"staff_turnover": "high", "staff_turnover": "low"}}', "utf-8"
    )
    (tmp_path / "twice.ndjson").write_text('{"risks": {}, "risks": {}}\n', "utf-8")
    with pytest.raises(ValueError, match=r"invalid-json: duplicate key .staff_turnover."):
        load_corpus([str(tmp_path / "twice.json")])
    with pytest.raises(ValueError, match=r"twice\.ndjson:1: invalid-json: duplicate key .risks."):
        load_corpus([str(tmp_path / "twice.ndjson")])


def test_files_may_begin_with_a_byte_order_mark_as_for_assess(tmp_path: Path) -> None:
    (tmp_path / "marked.json").write_text('\ufeff{"risks": {"staff_turnover": "high"}}', "utf-8")
    (tmp_path / "marked.ndjson").write_text("\ufeff{}\n{}\n", "utf-8")
    corpus = load_corpus([str(tmp_path / "marked.json"), str(tmp_path / "marked.ndjson")])
    assert [name for name, _ in corpus] == ["marked", "line 1", "line 2"]
    assert corpus[0][1].risks.staff_turnover == "high"


def test_an_invalid_scenario_names_the_path_in_its_file(tmp_path: Path) -> None:
    # The assessment of a scenario sits under `assessment`: that is where the field is.
    scenario = {"assessment": {"risks": {"staff_turnover": "huge"}}}
    (tmp_path / "s.json").write_text(json.dumps(scenario), "utf-8")
    with pytest.raises(ValueError, match="invalid assessment") as caught:
        load_corpus([str(tmp_path / "s.json")])
    assert '$.assessment.risks.staff_turnover: value-not-allowed: "huge"' in str(caught.value)


def test_a_json_file_and_a_folder(tmp_path: Path) -> None:
    (tmp_path / "b.json").write_text(json.dumps({"risks": {"workload": "high"}}), "utf-8")
    scenario = {"description": "x", "assessment": {"risks": {"reorganisation": "yes"}}}
    (tmp_path / "a.json").write_text(json.dumps(scenario), "utf-8")
    assert [n for n, _ in load_corpus([str(tmp_path)])] == ["scenario:a", "b"]
    ((name, request),) = load_corpus([str(tmp_path / "a.json")])
    assert (name, request.risks.reorganisation) == ("scenario:a", "yes")
    with pytest.raises(ValueError, match=r"\.ndjson"):
        load_corpus([str(tmp_path / "corpus.csv")])
