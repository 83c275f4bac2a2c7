"""Citations: where in which source document a rule or catalog entry comes from."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Citation", "SourceId"]

SourceId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Citation(BaseModel):
    """A reference to a passage of a source document."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    source: SourceId
    """The id of the source document (see `GET /v1/sources` or `rules/sources.yaml`)."""
    locator: Annotated[str, Field(min_length=3, max_length=300)]
    """Where in the document: a phase and step, a level and factor, a milestone or list heading."""
