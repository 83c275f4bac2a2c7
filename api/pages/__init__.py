"""Pages for people: the start page, signing in, the questionnaire, reports, the dashboard, rounds.

`pages_router` gathers every page handler under one router whose errors are HTML pages;
`template_config` is the Jinja set-up; `PAGES_ASSETS` the folder of the pages' own CSS and JS,
served at `/pages/assets/`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, Router
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from api.pages.common import PageError
from api.pages.dashboard import dashboard_handlers
from api.pages.home import home_handlers, page_error
from api.pages.questionnaire import questionnaire_handlers
from api.pages.report import report_handlers
from api.pages.respond import respond_handlers
from api.pages.rounds import round_page_handlers
from api.runtime import Runtime

__all__ = ["PAGES_ASSETS", "PAGES_ASSETS_PATH", "pages_router", "template_config"]

_HERE = Path(__file__).resolve().parent
PAGES_ASSETS = _HERE / "static"
"""The pages' stylesheet and script."""
PAGES_ASSETS_PATH = "/pages/assets"
"""Where they are served."""


def template_config() -> TemplateConfig[JinjaTemplateEngine]:
    """Jinja over `api/pages/templates/`, escaping every value (autoescape on)."""
    return TemplateConfig(directory=_HERE / "templates", engine=JinjaTemplateEngine)


def pages_router(runtime: Runtime) -> Router:
    """Every page, under `/`, with errors rendered as pages in the visitor's language."""

    def on_error(request: Request[Any, Any, Any], exc: PageError) -> Response[Any]:
        return page_error(request, exc, runtime)

    return Router(
        path="/",
        route_handlers=[
            *home_handlers(),
            *dashboard_handlers(),
            *report_handlers(),
            *questionnaire_handlers(),
            *respond_handlers(),
            *round_page_handlers(),
        ],
        exception_handlers={PageError: on_error},
        include_in_schema=False,
    )
