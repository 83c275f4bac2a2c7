"""The HTTP API over the engine."""

from api.app import create_app
from api.settings import Settings

__all__ = ["Settings", "create_app"]
