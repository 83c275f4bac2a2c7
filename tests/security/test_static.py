"""Claims the bandit configuration relies on: the rule-file loader builds plain data only."""

from __future__ import annotations

import pytest
import yaml

from engine.rulebase.yamlfile import fast_load


@pytest.mark.parametrize(
    "text",
    [
        "x: !!python/object/apply:os.system ['true']",
        "x: !!python/name:os.system",
        "!!python/object/new:subprocess.Popen [['true']]",
    ],
)
def test_rule_files_cannot_build_python_objects(text: str) -> None:
    """`fast_load` uses `yaml.load` with a SafeLoader subclass (bandit B506 is accepted there)."""
    with pytest.raises(yaml.YAMLError):
        fast_load(text)


def test_rule_files_still_load_plain_data() -> None:
    assert fast_load("a: [1, yes, true]\nb: {c: no}") == {"a": [1, "yes", True], "b": {"c": "no"}}
