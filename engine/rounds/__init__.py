"""Assessment rounds: many respondents in roles, combined into one assessment.

`rules/rounds.yaml` says who is asked what, how answers combine and which matters are compared
(`spec`); `combine` turns a round's responses into an ordinary `AssessmentRequest` with its
agreement fields set, and says what may be shown of how (privacy groups, never a small role).
"""

from __future__ import annotations

from engine.errors import RoundAnswerError, RoundFileError
from engine.rounds.combine import (
    Combination,
    CombinedAnswer,
    Disagreement,
    DisagreementEnd,
    PrivacyGroup,
    Response,
    combine,
    form_answers,
    privacy_groups,
)
from engine.rounds.spec import (
    METHODS,
    ROLES,
    CombiningRule,
    Method,
    Role,
    RoundSpec,
    load_round_spec,
)

__all__ = [
    "METHODS",
    "ROLES",
    "Combination",
    "CombinedAnswer",
    "CombiningRule",
    "Disagreement",
    "DisagreementEnd",
    "Method",
    "PrivacyGroup",
    "Response",
    "Role",
    "RoundAnswerError",
    "RoundFileError",
    "RoundSpec",
    "combine",
    "form_answers",
    "load_round_spec",
    "privacy_groups",
]
