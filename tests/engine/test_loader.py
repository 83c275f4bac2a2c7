"""The rule-file loader: every error code, with the file and line it names."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from engine import InvalidRulesetError, RuleFileError, load_ruleset
from engine.rulebase import reader, yamlfile
from engine.rulebase.loader import ruleset_digest
from tests.conftest import RulesFolder

RULE = """\
id: {id}
title:
  sv: Testregel
  da: Testregel
  en: Test rule
dimension: leadership
when:
{when}
asserts:
{asserts}
links:
  obstacles: [weak-management-support]
  recommendations: [secure-tactical-leadership]
sources:
  - source: {source}
    locator: "{locator}"
cases:
  - name: the test rule fires for a clear no
    input: {{leadership: {{support: {{strategic: "no"}}}}}}
    fires: true
  - name: the test rule does not fire for yes
    input: {{leadership: {{support: {{strategic: "yes"}}}}}}
    fires: {second_fires}
"""


STRATEGIC = (
    "2.3 Institutionelt niveau – Ledelse og ledelsesstrukturer: det strategiske ledelsesniveau"
)
JUDGEMENT = (
    "{judgement: {sv: allvaret i en testregel, da: alvoren i en testregel,"
    " en: the severity of a test rule}}"
)


def rule_text(
    rule_id: str = "leadership/test-rule",
    when: str = '  leadership.support.strategic: ["no", partly]',
    asserts: str = "  gap:\n    severity: high",
    source: str = "socialstyrelsen-dk-ramme-2019",
    second_fires: str = "false",
    locator: str = STRATEGIC,
) -> str:
    # Every gap and escalation states the basis of its severity.
    for kind in ("gap", "escalation"):
        asserts = asserts.replace(f"  {kind}:\n", f"  {kind}:\n    basis: {JUDGEMENT}\n")
    return RULE.format(
        id=rule_id,
        when=when,
        asserts=asserts,
        source=source,
        second_fires=second_fires,
        locator=locator,
    )


def errors_for(folder: RulesFolder, *, coverage: bool = False) -> list[RuleFileError]:
    # New test rules are not in the coverage maps; only the coverage tests check them.
    with pytest.raises(InvalidRulesetError) as caught:
        load_ruleset(folder.root, check_coverage=coverage)
    return caught.value.errors


def only_error(folder: RulesFolder, *, coverage: bool = False) -> RuleFileError:
    errors = errors_for(folder, coverage=coverage)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def test_the_shipped_rules_load(rules_copy: RulesFolder) -> None:
    ruleset = load_ruleset(rules_copy.root)
    assert ruleset.version == "0.32.0"
    assert ruleset.digest.startswith("sha256:")
    assert len(ruleset.rules) >= 10


def test_a_valid_new_rule_loads(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    assert "leadership/test-rule" in load_ruleset(rules_copy.root, check_coverage=False).by_id


def test_the_digest_changes_with_any_rule_file(rules_copy: RulesFolder) -> None:
    before = ruleset_digest(rules_copy.root)
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    assert ruleset_digest(rules_copy.root) != before


def test_yaml_syntax_error_names_file_and_line(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", "id: x\ntitle: [unclosed\nwhen: {}\n")
    error = only_error(rules_copy)
    assert (error.file, error.code) == ("rules/logic/leadership/test-rule.yaml", "yaml-syntax")
    assert error.line == 3


def test_duplicate_keys_are_a_syntax_error(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("dimension: leadership", "dimension: leadership\ndimension: culture")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "yaml-syntax"
    assert error.line == 7


def test_missing_field(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("dimension: leadership\n", "")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "missing-field"
    assert "dimension" in error.message
    assert "rule 'leadership/test-rule'" in error.message


def test_missing_translation_is_a_missing_field_at_its_line(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("  da: Testregel\n", "")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("missing-field", 2)
    assert "title.da" in error.message


def test_unknown_field_names_its_line(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("dimension: leadership", "dimension: leadership\nprio: 3")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-field", 7)


def test_invalid_value(rules_copy: RulesFolder) -> None:
    text = rule_text(asserts="  gap:\n    severity: catastrophic")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("invalid-value", 12)


def test_a_rule_without_citation_is_rejected(rules_copy: RulesFolder) -> None:
    text = rule_text()
    start = text.index("sources:")
    text = text[:start] + "sources: []\n" + text[text.index("cases:") :]
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "too-short"
    assert "sources" in error.message


def test_a_catalog_entry_without_citation_is_rejected(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("catalog/obstacles/weak-management-support.yaml")
    data["sources"] = []
    rules_copy.dump("catalog/obstacles/weak-management-support.yaml", data)
    error = only_error(rules_copy)
    assert error.file == "rules/catalog/obstacles/weak-management-support.yaml"
    assert error.code == "too-short"


def test_id_must_equal_path(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(rule_id="leadership/other"))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("id-path-mismatch", 1)


def test_unknown_indicator_names_the_condition_line(rules_copy: RulesFolder) -> None:
    when = (
        '  all:\n    - leadership.support.strategic: "no"\n    - leadership.suport.tactical: "no"'
    )
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=when))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-indicator", 10)
    assert "leadership.suport.tactical" in error.message


def test_unknown_indicator_suggests_the_closest_and_names_the_questionnaire(
    rules_copy: RulesFolder,
) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml",
        rule_text(when='  leadership.suport.strategic: ["no", partly]'),
    )
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-indicator", 8)
    # Only the closest: `tactical` and `operational` are less alike than `strategic`.
    assert error.message.endswith(
        "no indicator 'leadership.suport.strategic' in the assessment; did you mean "
        "'leadership.support.strategic'? rules/questionnaire.yaml lists the indicators under "
        "questions"
    )


@pytest.mark.parametrize(
    ("path", "said"),
    [
        (
            "leadership.support",
            "'leadership.support' is a group of questions: test one of its indicators "
            "('leadership.support.strategic', 'leadership.support.tactical', "
            "'leadership.support.operational')",
        ),
        ("organisation.name", "'organisation.name' is a descriptive field"),
        ("nothing.like.it", "in the assessment; rules/questionnaire.yaml lists the indicators"),
    ],
)
def test_unknown_indicator_says_what_the_path_is_when_it_is_no_typo(
    rules_copy: RulesFolder, path: str, said: str
) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=f'  {path}: "no"'))
    error = only_error(rules_copy)
    assert error.code == "unknown-indicator"
    assert said in error.message
    assert "did you mean" not in error.message


def test_unknown_indicator_in_a_context_and_in_a_family_suggests_too(
    rules_copy: RulesFolder,
) -> None:
    asserts = (
        "  gap:\n    severity: high\n    in_context:\n"
        "      - when: {intervention.kind: law}\n        severity: medium\n"
        f"        basis: {JUDGEMENT}\n"
    )
    text = rule_text(asserts=asserts).replace("when: {intervention.kind", "when: {intervention.knd")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "unknown-indicator"
    assert "did you mean 'intervention.kind'?" in error.message
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    manifest = (rules_copy.root / "index.yaml").read_text(encoding="utf-8")
    rules_copy.write("index.yaml", manifest.replace("process.step_3,", "process.stepp_3,", 1))
    error = only_error(rules_copy)
    assert (error.file, error.code) == ("rules/index.yaml", "unknown-indicator")
    assert error.message.startswith("families: no 'process.stepp_3'; did you mean 'process.step_3'")
    assert error.message.endswith("rules/questionnaire.yaml lists the indicators under questions")


def test_value_not_in_scale_lists_the_allowed_values(rules_copy: RulesFolder) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text(when="  leadership.support.strategic: high")
    )
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("value-not-in-scale", 8)
    assert "yes, partly, no, unknown" in error.message


def test_yaml_booleans_are_not_silently_accepted(rules_copy: RulesFolder) -> None:
    # YAML 1.2 reads a bare `no` as text, but `false` is a boolean and not on any scale.
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text(when="  leadership.support.strategic: false")
    )
    assert only_error(rules_copy).code == "value-not-in-scale"


def test_invalid_condition_shape(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when="  any: []"))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("invalid-condition", 8)


def test_negated_derived_fact(rules_copy: RulesFolder) -> None:
    when = '  all:\n    - leadership.support.strategic: "no"\n    - not: {gap: leadership/tactical-support}'
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=when))
    assert only_error(rules_copy).code == "negated-derived-fact"


def test_any_across_facts_past_the_bound_is_too_complex(rules_copy: RulesFolder) -> None:
    pairs = [("leadership.support.strategic", "no"), ("risks.reorganisation", "yes")]
    groups = "\n".join(
        "    - any:\n" + "\n".join(f'        - {path}: "{value}"' for path, value in pairs)
        for _ in range(6)
    )
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=f"  all:\n{groups}"))
    assert only_error(rules_copy).code == "condition-too-complex"


def test_more_than_sixteen_joined_facts_is_rejected_before_run_time(
    rules_copy: RulesFolder,
) -> None:
    facts = [
        "intervention.purpose_described",
        "leadership.support.strategic",
        "leadership.responsibility_placed",
        "leadership.resources.catering",
        "competence.tovholder.appointed",
        "competence.supervision",
        "organisation_setup.venue.available",
        "organisation_setup.coordinators",
        "culture.staff_believe",
        "context.discourse_fit",
        "process.implementation_plan",
        "risks.reorganisation",
        "strengths.pilot_cases",
    ]
    gaps = [
        "leadership/tactical-support",
        "competence/tovholder-missing",
        "organisation/venue-missing",
        "risks/high-staff-turnover",
    ]
    items = [f'    - {path}: "no"' for path in facts] + [f"    - gap: {g}" for g in gaps]
    text = rule_text(
        when="  all:\n" + "\n".join(items), asserts="  escalation:\n    severity: high"
    )
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "too-many-facts"
    assert "17" in error.message


def test_a_missing_gap_may_not_fire_on_unknown(rules_copy: RulesFolder) -> None:
    when = '  not:\n    leadership.support.strategic: "yes"'
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=when))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-as-no", 7)


def test_a_find_out_gap_may_fire_on_unknown(rules_copy: RulesFolder) -> None:
    text = rule_text(
        when="  leadership.support.strategic: unknown",
        asserts="  gap:\n    severity: medium\n    kind: unknown",
    ).replace('strategic: "no"}}}', "strategic: unknown}}}")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    ruleset = load_ruleset(rules_copy.root, check_coverage=False)
    assert ruleset.by_id["leadership/test-rule"].gap_kind == "unknown"


def test_a_gap_rule_needs_a_recommendation(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("  recommendations: [secure-tactical-leadership]\n", "")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("gap-without-recommendation", 13)


def test_an_escalation_rule_needs_a_recommendation(rules_copy: RulesFolder) -> None:
    text = rule_text(asserts="  escalation:\n    severity: high").replace(
        "  recommendations: [secure-tactical-leadership]\n", ""
    )
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "escalation-without-recommendation"


def test_asserts_needs_exactly_one_kind(rules_copy: RulesFolder) -> None:
    asserts = "  gap:\n    severity: high\n  escalation:\n    severity: high"
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(asserts=asserts))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("invalid-value", 9)


def test_cases_must_show_the_rule_firing_and_not_firing(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(second_fires="true"))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("cases-incomplete", 19)


def test_a_rule_needs_at_least_two_cases(rules_copy: RulesFolder) -> None:
    text = rule_text()
    text = text[: text.index("  - name: the test rule does not fire")]
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "too-short"


def test_case_input_is_validated_as_an_assessment(rules_copy: RulesFolder) -> None:
    text = rule_text().replace('{strategic: "yes"}', '{strategic: "perhaps"}')
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("invalid-case", 24)


def test_unknown_catalog_link(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("[weak-management-support]", "[weak-management-suport]")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-reference", 14)
    assert "weak-management-suport" in error.message


def test_unknown_gap_reference(rules_copy: RulesFolder) -> None:
    when = '  all:\n    - leadership.support.strategic: ["no", partly]\n    - gap: leadership/no-such-rule'
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=when))
    error = only_error(rules_copy)
    assert error.code == "unknown-reference"
    assert "does not exist" in error.message


def test_a_gap_reference_to_an_escalation_rule_is_wrong(rules_copy: RulesFolder) -> None:
    when = "  gap: escalations/no-tovholder-with-high-turnover"
    text = rule_text(when=when, asserts="  escalation:\n    severity: high")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    errors = errors_for(rules_copy)
    assert any(
        e.code == "unknown-reference" and "is a escalation rule" in e.message for e in errors
    )


def test_case_expecting_an_unknown_recommendation(rules_copy: RulesFolder) -> None:
    text = rule_text().replace(
        "    fires: true\n", "    fires: true\n    top_recommendation: nope\n", 1
    )
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "unknown-reference"


def test_unknown_source(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(source="no-such-report"))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-source", 17)


def test_a_cycle_of_derived_facts_is_reported(rules_copy: RulesFolder) -> None:
    for name, other in (("a", "b"), ("b", "a")):
        when = f'  all:\n    - leadership.support.strategic: ["no", partly]\n    - gap: leadership/{other}'
        rules_copy.write(
            f"logic/leadership/{name}.yaml", rule_text(rule_id=f"leadership/{name}", when=when)
        )
    errors = errors_for(rules_copy)
    assert {e.code for e in errors} == {"derived-cycle"}
    assert "leadership/a -> leadership/b -> leadership/a" in errors[0].message


def test_every_folder_needs_an_index(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/newfolder/test-rule.yaml", rule_text(rule_id="newfolder/test-rule"))
    error = only_error(rules_copy)
    assert (error.file, error.code) == ("rules/logic/newfolder/index.yaml", "missing-index")


def test_unexpected_files_and_folders(rules_copy: RulesFolder) -> None:
    rules_copy.write("stray.yaml", "a: 1\n")
    rules_copy.write("other/index.yaml", "title: Other\n")
    assert {e.code for e in errors_for(rules_copy)} == {"unexpected-file", "unexpected-folder"}


@pytest.mark.parametrize(
    "relative",
    [
        "logic/leadership/test-rule.yml",
        "catalog/obstacles/new-obstacle.yml",
        "sources/new-source.yml",
        "logic/leadership/index.yml",
        "questionnaire.yml",
        "logic/leadership/test-rule.YAML",
    ],
)
def test_a_file_saved_as_yml_is_not_silently_ignored(
    rules_copy: RulesFolder, relative: str
) -> None:
    # Only *.yaml is read: a .yml file would otherwise be left out of load and lint unnoticed.
    rules_copy.write(relative, rule_text())
    error = only_error(rules_copy)
    assert (error.file, error.line, error.code) == (f"rules/{relative}", 1, "unexpected-file")
    assert error.message == (
        "only .yaml files are read, so this one is ignored; rename the file to end in .yaml"
    )


def test_a_spelling_list_is_checked_like_any_rule_file(rules_copy: RulesFolder) -> None:
    # A phrase belongs under `phrases`; a word list entry is one word.
    rules_copy.write("spelling.yaml", "words:\n  sv: [två ord]\n")
    error = only_error(rules_copy)
    assert (error.file, error.code) == ("rules/spelling.yaml", "invalid-value")
    rules_copy.write("spelling.yaml", "words:\n  fi: [sana]\n")
    assert only_error(rules_copy).code == "unknown-field"


def test_an_empty_file(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", "")
    assert only_error(rules_copy).code == "empty-file"


def test_a_missing_manifest(rules_copy: RulesFolder) -> None:
    (rules_copy.root / "index.yaml").unlink()
    assert only_error(rules_copy).code == "missing-index"


def test_an_invalid_manifest_version(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("index.yaml")
    data["version"] = "one"
    rules_copy.dump("index.yaml", data)
    error = only_error(rules_copy)
    assert (error.file, error.code, error.line) == ("rules/index.yaml", "invalid-value", 3)


def test_all_errors_are_reported_at_once_in_file_line_code_message_form(
    rules_copy: RulesFolder,
) -> None:
    rules_copy.write("logic/leadership/one.yaml", rule_text(rule_id="leadership/one", source="x-y"))
    rules_copy.write(
        "logic/leadership/two.yaml",
        rule_text(rule_id="leadership/two", when="  leadership.support.strategic: high"),
    )
    with pytest.raises(InvalidRulesetError) as caught:
        load_ruleset(rules_copy.root, check_coverage=False)
    lines = str(caught.value).splitlines()
    assert lines == [
        "rules/logic/leadership/two.yaml:8: value-not-in-scale: rule 'leadership/two': "
        "leadership.support.strategic: 'high' is not on the answer scale (yes, partly, no, unknown)",
        "rules/logic/leadership/one.yaml:17: unknown-source: rule 'leadership/one' cites unknown "
        "source 'x-y'",
    ]


def test_error_text_never_carries_an_engine_error_number(rules_copy: RulesFolder) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", textwrap.dedent(rule_text(when="  all: 3")))
    error = only_error(rules_copy)
    assert error.code == "invalid-condition"
    assert "error code" not in error.message


def test_a_citation_must_use_a_locator_the_coverage_map_lists(rules_copy: RulesFolder) -> None:
    text = rule_text(locator="2.3 Institutionelt niveau – Ledelse")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-locator", 18)
    assert "did you mean" in error.message


def test_an_element_nothing_cites_fails_the_coverage_check(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("sources/socialstyrelsen-dk-ramme-2019.yaml")
    data["elements"].append({"locator": "9. Nyt afsnit", "what": "A new element", "encoded_by": []})
    rules_copy.dump("sources/socialstyrelsen-dk-ramme-2019.yaml", data)
    error = only_error(rules_copy, coverage=True)
    assert error.file == "rules/sources/socialstyrelsen-dk-ramme-2019.yaml"
    assert error.code == "element-not-encoded"
    assert "9. Nyt afsnit" in error.message
    # Work in progress may skip the coverage check; the error is then not raised.
    load_ruleset(rules_copy.root, check_coverage=False)


def test_a_stale_encoded_by_list_fails_the_coverage_check(rules_copy: RulesFolder) -> None:
    data = rules_copy.read("sources/kunskapsguiden-implementering.yaml")
    data["elements"][0]["encoded_by"] = ["rule:made/up"]
    rules_copy.dump("sources/kunskapsguiden-implementering.yaml", data)
    error = only_error(rules_copy, coverage=True)
    assert error.code == "coverage-stale"
    assert "rules coverage --write" in error.message


def test_a_source_without_map_file_is_unknown(rules_copy: RulesFolder) -> None:
    (rules_copy.root / "sources" / "partnerskapet-tidigt-stod.yaml").unlink()
    errors = errors_for(rules_copy)
    assert errors
    assert {e.code for e in errors} == {"unknown-source"}


def test_a_gap_that_a_better_answer_would_add_is_non_monotone(rules_copy: RulesFolder) -> None:
    rules_copy.write(
        "logic/leadership/test-rule.yaml", rule_text(when="  leadership.support.strategic: partly")
    )
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("non-monotone", 7)
    assert "['no']" in error.message


def test_a_severity_per_answer_keeps_one_gap_across_answers(rules_copy: RulesFolder) -> None:
    text = rule_text(
        when='  leadership.support.strategic: ["no", partly]',
        asserts="  gap:\n    severity: {no: high, partly: medium}",
    )
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    assert rule.severity == "high"
    assert rule.severity_for({"leadership.support.strategic": "partly"}) == "medium"


@pytest.mark.parametrize(
    ("when", "severity"),
    [
        ('  leadership.support.strategic: ["no", partly]', "{no: medium, partly: high}"),
        ('  leadership.support.strategic: ["no", partly]', "{no: high}"),
        (
            '  all:\n    - leadership.support.strategic: ["no", partly]\n'
            '    - risks.reorganisation: ["yes", partly]',
            "{no: high, partly: medium}",
        ),
    ],
    ids=["better answer more severe", "an answer without severity", "two indicators"],
)
def test_an_invalid_severity_per_answer(rules_copy: RulesFolder, when: str, severity: str) -> None:
    text = rule_text(when=when, asserts=f"  gap:\n    severity: {severity}")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "invalid-severity"


def test_a_gap_that_ignores_the_middle_answer_is_refused(rules_copy: RulesFolder) -> None:
    text = rule_text(when='  leadership.support.strategic: "no"')
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("middle-ignored", 7)
    assert "leadership.support.strategic" in error.message


def _sufficient_middle(locator: str) -> str:
    """The test rule on "no" alone, declaring partial strategic support enough, citing `locator`."""
    return rule_text(when='  leadership.support.strategic: "no"').replace(
        "cases:\n",
        "middle_sufficient:\n  leadership.support.strategic:\n"
        "    reason: partial backing from the top is enough for this test rule\n"
        "    source: socialstyrelsen-dk-ramme-2019\n"
        f'    locator: "{locator}"\ncases:\n',
    )


def test_a_middle_answer_declared_sufficient_with_a_citation_is_accepted(
    rules_copy: RulesFolder,
) -> None:
    text = _sufficient_middle(STRATEGIC)
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    assert set(rule.middle_sufficient) == {"leadership.support.strategic"}


def test_a_sufficient_middle_needs_a_listed_locator(rules_copy: RulesFolder) -> None:
    text = _sufficient_middle("2.3 Ledelse")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "unknown-locator"


def test_a_severity_needs_its_basis(rules_copy: RulesFolder) -> None:
    text = rule_text().replace(f"    basis: {JUDGEMENT}\n", "")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "missing-field"
    assert "basis" in error.message


def test_a_cited_basis_must_use_a_listed_locator(rules_copy: RulesFolder) -> None:
    text = rule_text().replace(
        f"    basis: {JUDGEMENT}",
        '    basis: {source: socialstyrelsen-dk-ramme-2019, locator: "2.3 Ledelse"}',
    )
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("unknown-locator", 11)


def test_a_severity_may_differ_by_context(rules_copy: RulesFolder) -> None:
    asserts = (
        "  gap:\n    severity: {no: high, partly: medium}\n    in_context:\n"
        "      - when: {intervention.kind: [guideline, law]}\n"
        "        severity: {no: medium, partly: low}\n"
        "        basis: {judgement: {sv: en riktlinje behöver mindre av detta, da: en retningslinje kræver mindre af dette,"
        " en: a guideline needs less of this than a method}}"
    )
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(asserts=asserts))
    rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    path = "leadership.support.strategic"
    assert rule.severity_for({path: "no", "intervention.kind": "method"}) == "high"
    assert rule.severity_for({path: "no", "intervention.kind": "law"}) == "medium"
    assert rule.severity_for({path: "partly", "intervention.kind": "guideline"}) == "low"
    basis = rule.basis_for({path: "no", "intervention.kind": "law"})
    assert basis is not None
    assert basis.judgement is not None
    assert basis.judgement.in_("en") == "a guideline needs less of this than a method"
    assert basis.judgement.in_("da") == "en retningslinje kræver mindre af dette"


def _context_rule(when: str) -> str:
    return rule_text(
        asserts=(
            "  gap:\n    severity: high\n    in_context:\n"
            f"      - when: {when}\n"
            "        severity: blocking\n"
            "        basis: {judgement: {sv: väger tyngre i bruk, da: vejer tungere i brug,"
            " en: it weighs more in this context}}"
        )
    )


@pytest.mark.parametrize(
    "when",
    [
        "{risks.reorganisation: 'yes'}",
        # Two of the three answers: a better answer ('yes') would leave the context.
        "{process.used_as_intended: [partly, 'no']}",
        "{gap: process/no-monitoring}",
    ],
)
def test_a_context_never_turns_on_which_answer_a_scored_indicator_has(
    rules_copy: RulesFolder, when: str
) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", _context_rule(when))
    error = only_error(rules_copy)
    assert error.code == "invalid-condition"
    assert "whether a scored one is answered at all" in error.message


def test_a_context_may_ask_whether_a_scored_indicator_is_answered(rules_copy: RulesFolder) -> None:
    # Every answer but unknown: the method is in use. No better answer leaves the context.
    when = "{process.used_as_intended: ['yes', partly, 'no']}"
    rules_copy.write("logic/leadership/test-rule.yaml", _context_rule(when))
    rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    path = "process.used_as_intended"
    assert [rule.severity_for({path: v}) for v in ("yes", "partly", "no", "unknown")] == [
        "blocking",
        "blocking",
        "blocking",
        "high",
    ]


def test_a_scoped_indicator_is_tested_with_its_scope(rules_copy: RulesFolder) -> None:
    text = rule_text(when='  organisation_setup.coordinators: ["no", partly]')
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert error.code == "out-of-scope"
    assert "family_group_conference" in error.message
    scoped = (
        "  intervention.model: family_group_conference\n"
        '  organisation_setup.coordinators: ["no", partly]'
    )
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text(when=scoped))
    assert "leadership/test-rule" in load_ruleset(rules_copy.root, check_coverage=False).by_id


def test_a_prerequisite_must_exist_and_make_no_cycle(rules_copy: RulesFolder) -> None:
    folder = "catalog/recommendations"
    data = rules_copy.read(f"{folder}/appoint-tovholder.yaml")
    data["after"] = ["no-such-recommendation"]
    rules_copy.dump(f"{folder}/appoint-tovholder.yaml", data)
    assert only_error(rules_copy).code == "unknown-reference"
    data["after"] = ["secure-tactical-leadership"]
    rules_copy.dump(f"{folder}/appoint-tovholder.yaml", data)
    other = rules_copy.read(f"{folder}/secure-tactical-leadership.yaml")
    other["after"] = ["appoint-tovholder"]
    rules_copy.dump(f"{folder}/secure-tactical-leadership.yaml", other)
    assert {e.code for e in errors_for(rules_copy)} == {"order-cycle"}


def test_a_prerequisite_is_named_once(rules_copy: RulesFolder) -> None:
    path = "catalog/recommendations/give-tovholder-time.yaml"
    data = rules_copy.read(path)
    data["after"] = ["appoint-tovholder", "appoint-tovholder"]
    rules_copy.dump(path, data)
    assert "names a recommendation twice" in only_error(rules_copy).message


def test_also_steps_are_later_steps_in_order(rules_copy: RulesFolder) -> None:
    path = "catalog/recommendations/agree-management-reporting.yaml"  # step 10
    data = rules_copy.read(path)
    for wrong in ([10], [9], [13, 12], [13, 13], [15]):
        data["also_steps"] = wrong
        rules_copy.dump(path, data)
        error = only_error(rules_copy)
        assert "also_steps" in error.message, (wrong, error)
    data["also_steps"] = [12, 13]
    rules_copy.dump(path, data)
    entry = load_ruleset(rules_copy.root, check_coverage=False).recommendations[
        "agree-management-reporting"
    ]
    assert entry.also_steps == [12, 13]


def disagreement_text(
    when: str = "  agreement.strategic_support: differ",
    asserts: str = "  gap:\n    severity: high\n    kind: disagreement",
) -> str:
    """The test rule on the round's view of strategic support: differ fires, agree does not."""
    return (
        rule_text(when=when, asserts=asserts)
        .replace(
            '{support: {strategic: "no"}}}',
            '{support: {strategic: "no"}}, agreement: {strategic_support: differ}}',
        )
        .replace(
            '{leadership: {support: {strategic: "yes"}}}', "{agreement: {strategic_support: agree}}"
        )
    )


def test_a_disagreement_gap_loads_and_belongs_to_no_family(rules_copy: RulesFolder) -> None:
    # The agreement scale has no middle answer, so no middle_sufficient is asked for; and even
    # beside a test of the matter itself, a disagreement stays a thing of its own.
    beside = (
        "  all:\n    - agreement.strategic_support: differ\n"
        '    - leadership.support.strategic: ["no", partly]'
    )
    for when in ("  agreement.strategic_support: differ", beside):
        rules_copy.write("logic/leadership/test-rule.yaml", disagreement_text(when=when))
        rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
        assert (rule.kind, rule.gap_kind, rule.families) == ("gap", "disagreement", frozenset())


def test_a_matter_too_few_roles_answered_is_no_disagreement(rules_copy: RulesFolder) -> None:
    for when in (
        "  agreement.strategic_support: [differ, unknown]",
        "  not:\n    agreement.strategic_support: agree",
    ):
        rules_copy.write("logic/leadership/test-rule.yaml", disagreement_text(when=when))
        error = only_error(rules_copy)
        assert (error.code, error.line) == ("unknown-as-no", 7)
        assert "fewer than two roles" in error.message


@pytest.mark.parametrize("values", ["agree", "[agree, differ]"])
def test_a_gap_for_roles_who_agree_is_non_monotone(rules_copy: RulesFolder, values: str) -> None:
    text = disagreement_text(when=f"  agreement.strategic_support: {values}")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("non-monotone", 7)
    assert "'agree'" in error.message


def test_a_gap_on_differing_pictures_must_be_of_kind_disagreement(
    rules_copy: RulesFolder,
) -> None:
    text = disagreement_text(asserts="  gap:\n    severity: high\n    kind: at_risk")
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("disagreement-kind", 10)
    assert "agreement.strategic_support" in error.message


@pytest.mark.parametrize(
    "when",
    [
        '  leadership.support.strategic: ["no", partly]',
        "  any:\n    - agreement.strategic_support: differ\n"
        '    - leadership.support.strategic: ["no", partly]',
    ],
    ids=["no agreement field", "an alternative without one"],
)
def test_a_disagreement_gap_must_test_an_agreement_field_whenever_it_fires(
    rules_copy: RulesFolder, when: str
) -> None:
    rules_copy.write("logic/leadership/test-rule.yaml", disagreement_text(when=when))
    error = only_error(rules_copy)
    assert (error.code, error.line) == ("disagreement-kind", 7)


def test_escalations_and_strengths_may_read_the_agreement_fields(rules_copy: RulesFolder) -> None:
    escalation = disagreement_text(
        when="  all:\n    - agreement.strategic_support: differ\n"
        "    - gap: institutional/strategic-support",
        asserts="  escalation:\n    severity: high",
    )
    rules_copy.write("logic/leadership/test-rule.yaml", escalation)
    assert load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    # Roles who see the top's backing alike: a strength may say so.
    strength = (
        RULE.format(
            id="leadership/test-rule",
            when="  agreement.strategic_support: agree",
            asserts="  strength:\n    success_factors: [leaders-take-part]",
            source="socialstyrelsen-dk-ramme-2019",
            second_fires="false",
            locator=STRATEGIC,
        )
        .replace("links:\n  obstacles: [weak-management-support]\n", "")
        .replace("  recommendations: [secure-tactical-leadership]\n", "")
        .replace('{support: {strategic: "no"}}}', "{}, agreement: {strategic_support: agree}}")
        .replace('{support: {strategic: "yes"}}}', "{}, agreement: {strategic_support: differ}}")
    )
    rules_copy.write("logic/leadership/test-rule.yaml", strength)
    rule = load_ruleset(rules_copy.root, check_coverage=False).by_id["leadership/test-rule"]
    assert rule.kind == "strength"


# A municipality in Denmark working with early support, or bringing in a law, would read one of
# two texts; the file must say which, so a text varies along one of country, model and kind.
TWO_VARIANTS = [
    # (file, the variant added, where its text is copied from, what the error names)
    (
        "step-10-write-the-implementation-plan",
        ("by_model", "early_support"),
        ("by_country", "DK"),
        ["by_model.early_support.action and by_country.DK.action"],
    ),
    (
        "step-10-write-the-implementation-plan",
        ("by_kind", "law"),
        ("by_country", "DK"),
        ["by_kind.law.action and by_country.DK.action"],
    ),
    (
        "step-01-map-local-needs",
        ("by_kind", "guideline"),
        ("by_model", "early_support"),
        ["by_model.early_support.action", "by_kind.guideline.action"],
    ),
]


@pytest.mark.parametrize(
    ("name", "added", "copied", "named"),
    TWO_VARIANTS,
    ids=[f"{a[0]}-{c[0]}" for _, a, c, _ in TWO_VARIANTS],
)
def test_a_text_that_varies_along_two_of_country_model_and_kind_is_rejected(
    rules_copy: RulesFolder,
    name: str,
    added: tuple[str, str],
    copied: tuple[str, str],
    named: list[str],
) -> None:
    path = f"catalog/recommendations/{name}.yaml"
    data = rules_copy.read(path)
    data[added[0]] = {added[1]: {"action": data[copied[0]][copied[1]]["action"]}}
    rules_copy.dump(path, data)
    error = only_error(rules_copy)
    assert error.file == f"rules/{path}"
    for words in named:
        assert words in error.message


def test_a_text_may_vary_by_kind_where_another_text_varies_by_country(
    rules_copy: RulesFolder,
) -> None:
    # The title may vary by kind while the action varies by country: each text along one.
    path = "catalog/recommendations/step-10-write-the-implementation-plan.yaml"
    data = rules_copy.read(path)
    data["by_kind"] = {
        "law": {"title": {"sv": "Skriv en plan", "da": "Skriv en plan", "en": "Plan"}}
    }
    rules_copy.dump(path, data)
    entry = load_ruleset(rules_copy.root).recommendations["step-10-write-the-implementation-plan"]
    assert entry.by_kind["law"].title is not None
    assert entry.by_kind["law"].title.en == "Plan"


class _Parses:
    """Counts the rule files parsed (`fast_load` calls) while it is in place."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.texts: list[str] = []
        parse = yamlfile.fast_load

        def counted(text: str) -> Any:
            self.texts.append(text)
            return parse(text)

        monkeypatch.setattr(reader, "fast_load", counted)


def test_a_file_read_before_is_not_parsed_again_and_a_changed_one_is(
    rules_copy: RulesFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = load_ruleset(rules_copy.root, check_coverage=False)
    parses = _Parses(monkeypatch)
    # A copy of a folder loaded before (the shipped one, another test's) costs no parse at all.
    again = load_ruleset(rules_copy.root, check_coverage=False)
    assert parses.texts == []
    assert again.digest == first.digest
    assert again.rules == first.rules
    path = "logic/leadership/tactical-support.yaml"
    text = (rules_copy.root / path).read_text(encoding="utf-8")
    changed = text.replace("en: Tactical leadership", "en: The tactical leadership", 1)
    assert changed != text
    rules_copy.write(path, changed)
    reloaded = load_ruleset(rules_copy.root, check_coverage=False)
    assert parses.texts == [changed]  # only the file that changed
    assert reloaded.by_id["leadership/tactical-support"].title.en.startswith("The tactical")


def test_a_file_made_invalid_after_a_valid_load_is_reported(rules_copy: RulesFolder) -> None:
    text = rule_text().replace("dimension: leadership\n", "")
    load_ruleset(rules_copy.root, check_coverage=False)
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    load_ruleset(rules_copy.root, check_coverage=False)
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "missing-field"
    # Nor is an invalid file kept: mended, it loads; broken again, it is reported again.
    rules_copy.write("logic/leadership/test-rule.yaml", rule_text())
    assert "leadership/test-rule" in load_ruleset(rules_copy.root, check_coverage=False).by_id
    rules_copy.write("logic/leadership/test-rule.yaml", text)
    assert only_error(rules_copy).code == "missing-field"


def test_the_files_kept_are_bounded(
    rules_copy: RulesFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = reader._Parsed()  # an empty one, with a small bound
    kept.ENTRIES = 3
    monkeypatch.setattr(reader, "_PARSED", kept)
    parses = _Parses(monkeypatch)
    load_ruleset(rules_copy.root, check_coverage=False)
    files = len(parses.texts)
    assert files > 300
    assert len(kept._models) == 3
    # Read in the same order, each file pushes out one of the three kept before it is reached.
    load_ruleset(rules_copy.root, check_coverage=False)
    assert len(parses.texts) == 2 * files
