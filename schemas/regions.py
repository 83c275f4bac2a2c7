"""Regions and the region of an organisation: what the regions list and an admin's move send."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from schemas.assessment import RegionName

__all__ = ["OrganisationMoved", "OrganisationRegion", "RegionEntry", "RegionList"]


class RegionEntry(BaseModel):
    """One region the key may read, with what is stored of it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    region: str = Field(examples=["Region Kronoberg"])
    """The region's name, as assessments give it in `organisation.region`."""
    organisations: int = Field(examples=[12])
    """How many organisations have a stored assessment in it."""
    assessments: int = Field(examples=[31])
    """How many assessments are stored in it."""
    latest: datetime | None = Field(default=None, examples=["2026-11-20T00:00:00Z"])
    """When its latest assessment was made (null: none stored yet)."""
    summary: str = Field(examples=["/v1/regions/Region%20Kronoberg/summary"])
    """Where its summary is."""


class RegionList(BaseModel):
    """The regions a key may read.

    Every region for a key bound to none, its own for a key bound to a region, none for a key
    bound to one organisation.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    items: list[RegionEntry]
    """By name."""


class OrganisationRegion(BaseModel):
    """The region an organisation is to belong to."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    region: RegionName | None = Field(examples=["Region Kronoberg"])
    """The new region (null: none), without spaces at its start or end."""


class OrganisationMoved(BaseModel):
    """An organisation moved to another region, with every stored assessment of it."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    organisation_id: str = Field(examples=["se-0780-ifo"])
    region: str | None = Field(default=None, examples=["Region Kronoberg"])
    """Its region now."""
    assessments: int = Field(examples=[4])
    """How many stored assessments moved with it."""
