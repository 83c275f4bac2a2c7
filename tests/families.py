"""What one action per indicator family means in a result, for the tests that hold it.

A place answers the families of the gaps it closes and of those its sub-points close
(`rules/index.yaml`, `families`).
"""

from __future__ import annotations

from collections.abc import Sequence

from engine import Ruleset
from schemas.result import Recommendation


def families_answered(ruleset: Ruleset, rec: Recommendation) -> set[str]:
    """The indicator families a place answers, its sub-points included.

    A gap on an indicator that spans several families (`spans`) is left out: it is about each
    of them, and its action is a sub-point of the first place that answers one (`spanned_by`).
    """
    gaps = [*rec.closes_gaps, *(g for s in rec.sub_points for g in s.closes_gaps)]
    return _about(ruleset, gaps, spanning=False)


def spanned_by(ruleset: Ruleset, gaps: Sequence[str]) -> set[str]:
    """The families the gaps among `gaps` that span several families are about."""
    return _about(ruleset, gaps, spanning=True)


def _about(ruleset: Ruleset, gaps: Sequence[str], *, spanning: bool) -> set[str]:
    """The families of the gaps about one family each (or, `spanning`, about several)."""
    about = [ruleset.by_id[g].families for g in gaps]
    return {f for families in about if (len(families) > 1) == spanning for f in families}


def shared_in_first_five(ruleset: Ruleset, recs: Sequence[Recommendation]) -> list[str]:
    """Each family that two of the first five places answer, as 'later and earlier both answer f'."""
    seen: dict[str, str] = {}
    shared = []
    for rec in recs[:5]:
        for family in sorted(families_answered(ruleset, rec)):
            if family in seen:
                shared.append(f"{rec.id} and {seen[family]} both answer {family}")
            seen.setdefault(family, rec.id)
    return shared
