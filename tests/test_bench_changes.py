"""`bench/changes.py` measures the engine at the commits it lists, laid out as they were then.

Its probe runs inside a worktree of each commit, with `bench/` as of `BENCH_AT`. When `engine/`
was split in three, the probe's import followed the new layout, and every listed commit failed
on its first measurement. Here the probe runs against the newest listed commit (the old layout)
and against the working tree (the new one), with a handful of timed calls each.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bench import changes

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"weak_rules", "weak_whole", "mix_whole"}


def _has(commit: str) -> bool:
    found = subprocess.run(  # noqa: S603
        ["git", "-C", str(ROOT), "cat-file", "-e", f"{commit}^{{commit}}"],  # noqa: S607
        capture_output=True,
        check=False,
    )
    return found.returncode == 0


def test_the_probe_measures_the_working_tree() -> None:
    figures = changes._engine(ROOT, "compiled", 5)
    assert figures is not None
    assert set(figures) == FIGURES
    assert all(value > 0 for value in figures.values())


def test_the_probe_measures_a_listed_commit_in_its_own_layout(tmp_path: Path) -> None:
    commit = changes.CHANGES[-1][0]
    if not (_has(commit) and _has(changes.BENCH_AT)):
        pytest.skip(f"{commit} or {changes.BENCH_AT} is not in this clone's history (shallow?)")
    tree = changes._worktree(commit, tmp_path)
    try:
        assert not (tree / "engine" / "runtime").exists()  # the layout before the split
        figures = changes._engine(tree, "compiled", 5)
    finally:
        changes._drop_worktree(tree)
    assert figures is not None
    assert set(figures) == FIGURES
