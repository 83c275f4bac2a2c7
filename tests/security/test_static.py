"""Claims the bandit configuration relies on: the rule-file loader builds plain data only."""

from __future__ import annotations

import pytest
import yaml

from engine.rulebase.yamlfile import fast_load


def test_rule_files_cannot_name_python_objects() -> None:
    """`fast_load` uses `yaml.load` with a SafeLoader subclass (bandit B506 is accepted there).

    PyYAML's FullLoader would resolve this tag to the function; only the safe loaders refuse it.
    """
    with pytest.raises(yaml.YAMLError):
        fast_load("x: !!python/name:os.system")


def test_rule_files_still_load_plain_data() -> None:
    assert fast_load("a: [1, yes, true]\nb: {c: no}") == {"a": [1, "yes", True], "b": {"c": "no"}}
