"""Run the API with uvicorn: `python -m api` (settings from READINESS_* environment variables)."""

from __future__ import annotations

import sys

import uvicorn

from api.settings import Settings, SettingsError


def main() -> int:
    """Start uvicorn with the settings from the environment; return its exit code."""
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"invalid setting: {exc}", file=sys.stderr)
        return 2
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # the app writes its own JSON access log
        server_header=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
