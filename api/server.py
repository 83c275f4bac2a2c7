"""Serving the app with uvicorn, and the process-wide tuning that only a serving process gets.

`create_app` changes nothing outside the app it builds, so that a test or another program can
build one. A worker that serves requests is tuned here instead, in `serving_app`, the factory
uvicorn calls in every worker process.
"""

from __future__ import annotations

import sys

import uvicorn
from litestar import Litestar

from api.app import create_app
from api.heap import settle
from api.settings import Settings

__all__ = ["APP_FACTORY", "EVENT_LOOP", "HTTP_PROTOCOL", "SWITCH_INTERVAL", "serve", "serving_app"]

EVENT_LOOP = "asyncio"
"""The event loop uvicorn runs, named so that uvloop is not picked when it is installed: uvloop
accepts one new connection per turn of its loop, so under load a burst of connections waits
many turns (see `bench/RESULTS.md`), while asyncio's loop accepts every pending one at once."""

HTTP_PROTOCOL = "api.protocol:GuardedHttpToolsProtocol"
"""uvicorn's `http` setting: by import path, so that worker processes (and `bench/`) import it."""

APP_FACTORY = "api.server:serving_app"
"""What uvicorn calls in each worker process to build the app it serves."""

SWITCH_INTERVAL = 0.001
"""Seconds a thread may hold the GIL while another waits for it (`sys.setswitchinterval`)."""


def serving_app() -> Litestar:
    """Tune this process for serving, then build the app (settings from READINESS_*)."""
    # Batches and database work run in worker threads. Python lets a thread that wants the GIL
    # wait up to the switch interval (5 ms by default) each time, so a short request on the event
    # loop could wait many times 5 ms behind a batch; 1 ms keeps it close to its own cost.
    sys.setswitchinterval(SWITCH_INTERVAL)
    app = create_app()
    # Last: once everything start-up builds is alive, freeze it out of the collector's way.
    app.on_startup.append(settle)
    return app


def serve(settings: Settings) -> None:
    """Run uvicorn with `settings` until it is stopped; each worker builds `serving_app()`."""
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level.lower(),
        access_log=False,  # the app writes its own JSON access log
        server_header=False,
        loop=EVENT_LOOP,
        http=HTTP_PROTOCOL,
        timeout_graceful_shutdown=settings.shutdown_timeout,
    )
