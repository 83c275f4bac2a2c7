"""What every page shares: the session cookie, the form token, the language, the frame's texts.

Rendering a template sets the pages' headers (their Content-Security-Policy, no caching).

Pages are HTML made on the server (Jinja templates under `api/pages/templates/`) from what the
API already offers; every asset is the product's own (`/pages/assets/`). A page works without
JavaScript; `pages.js` only adds conveniences (saving a draft as it is typed, live counts).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Annotated, Any
from urllib.parse import urlencode

import anyio.to_thread
from litestar import Request, Response
from litestar.datastructures import Cookie
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect, Template

from api.language import language_of
from api.runtime import Runtime
from schemas.vocabulary import Language
from store.keys import ApiKeyInfo
from store.pages import SessionState

__all__ = [
    "COOKIE",
    "FRAME",
    "PAGE_POLICY",
    "Form",
    "Page",
    "PageError",
    "nested",
    "page_language",
    "posted",
    "redirect",
    "span_of_days",
    "texts_in",
]

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
"""A page's form as the browser sends it."""

COOKIE = "readiness_session"
"""The session cookie: a random token, HttpOnly, SameSite=Lax."""

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'"
)
"""The pages' Content-Security-Policy: nothing from elsewhere, no inline script or style."""

FRAME: dict[str, dict[Language, str]] = {
    "product": {
        "sv": "Implementeringsberedskap",
        "da": "Implementeringsparathed",
        "en": "Implementation readiness",
    },
    "skip": {"sv": "Till innehållet", "da": "Gå til indholdet", "en": "Skip to content"},
    "home": {"sv": "Start", "da": "Start", "en": "Home"},
    "questionnaire": {"sv": "Självskattning", "da": "Selvevaluering", "en": "Questionnaire"},
    "dashboard": {
        "sv": "Regional översikt",
        "da": "Regionalt overblik",
        "en": "Regional dashboard",
    },
    "rounds": {"sv": "Omgångar", "da": "Runder", "en": "Rounds"},
    "sign_in": {"sv": "Logga in", "da": "Log ind", "en": "Sign in"},
    "sign_out": {"sv": "Logga ut", "da": "Log ud", "en": "Sign out"},
    "signed_in_as": {
        "sv": "Inloggad med nyckel",
        "da": "Logget ind med nøgle",
        "en": "Signed in with key",
    },
    "language": {"sv": "Språk", "da": "Sprog", "en": "Language"},
    "main_nav": {"sv": "Huvudmeny", "da": "Hovedmenu", "en": "Main menu"},
    "footer": {
        "sv": "Råden bygger på fem svenska och danska källor; varje råd anger sin källa.",
        "da": "Rådene bygger på fem svenske og danske kilder; hvert råd angiver sin kilde.",
        "en": "The advice draws on five Swedish and Danish sources; every item names its source.",
    },
}
"""The texts of the frame every page shares, in each language."""

LANGUAGE_NAMES: dict[Language, str] = {"sv": "Svenska", "da": "Dansk", "en": "English"}


def nested(flat: Mapping[str, Any]) -> dict[str, Any]:
    """`{"a.b": v}` as `{"a": {"b": v}}`: a form's answers by path, in the shape of an assessment."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, last = path.split(".")
        node = tree
        for name in parents:
            node = node.setdefault(name, {})
        node[last] = value
    return tree


DAYS: dict[str, dict[Language, str]] = {
    "one": {"sv": "1 dag", "da": "1 dag", "en": "1 day"},
    "many": {"sv": "{days} dagar", "da": "{days} dage", "en": "{days} days"},
}
"""A number of days, in the singular for one."""


def span_of_days(days: int, language: Language) -> str:
    """`days` as a span of days in `language`: "1 day", "3 days"."""
    return DAYS["one"][language] if days == 1 else DAYS["many"][language].format(days=days)


def texts_in(table: Mapping[str, Mapping[Language, str]], language: Language) -> dict[str, str]:
    """A table of texts by name and language, in one language."""
    return {name: texts[language] for name, texts in table.items()}


class PageError(Exception):
    """A page cannot be shown: rendered as an HTML error page with `status`."""

    def __init__(self, status: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.title = title
        self.detail = detail


def page_language(request: Request[Any, Any, Any]) -> Language:
    """The page's language: `?lang=`, else the browser's first language we speak, else Swedish."""
    chosen = request.query_params.get("lang")
    if chosen is not None:
        language = language_of(chosen)
        if language is not None:
            return language
    for part in request.headers.get("accept-language", "").split(","):
        language = language_of(part.split(";")[0].strip())
        if language is not None:
            return language
    return "sv"


def with_lang(path: str, language: Language, **params: str) -> str:
    """`path` with `lang` (and `params`) in its query."""
    return f"{path}?{urlencode({**params, 'lang': language})}"


def redirect(path: str, session: Page | None = None) -> Redirect:
    """A 303 to `path` (after a form), setting the session cookie when it is new."""
    response = Redirect(path=path, status_code=303)
    if session is not None:
        session.attach(response)
    return response


class Page:
    """One request to a page: its runtime, language and session.

    The session is read from the cookie, or started when `start` is true (a page with a form
    needs one for its token); a new session's cookie is set on the response by `render` or
    `redirect`.
    """

    def __init__(self, request: Request[Any, Any, Any], runtime: Runtime, *, start: bool) -> None:
        self.request = request
        self.runtime = runtime
        self.served = runtime.served_for(request)
        """The rules, questionnaires and round spec the request started with."""
        self.language: Language = page_language(request)
        self._new = False
        token = request.cookies.get(COOKIE)
        state: SessionState | None = runtime.pages.get(token) if token else None
        if state is None and start:
            state = runtime.pages.start()
            self._new = True
        self.state = state

    @property
    def key(self) -> ApiKeyInfo | None:
        """The key the session is signed in with, if any."""
        return None if self.state is None else self.state.key

    def require_key(self, scope: str) -> ApiKeyInfo:
        """The session's key if it has `scope` (admin has all); else a page asking to sign in.

        Raises:
            PageError: 401 when not signed in, 403 when the key lacks the scope.
        """
        key = self.key
        if key is None:
            raise PageError(401, "sign-in", self.request.url.path)
        if scope not in key.scopes and "admin" not in key.scopes:
            raise PageError(403, "scope", scope)
        return key

    def check_form(self, form: Mapping[str, Any]) -> None:
        """Refuse a form that does not carry the session's token (a cross-site request).

        Raises:
            PageError: 403 when the token is missing or wrong.
        """
        sent = form.get("csrf")
        if (
            self.state is None
            or not isinstance(sent, str)
            or not secrets.compare_digest(sent, self.state.csrf_token)
        ):
            raise PageError(403, "csrf", "form")

    def attach(self, response: Response[Any]) -> None:
        """Set the session cookie on `response` when the session is new."""
        if self._new and self.state is not None:
            response.set_cookie(self.cookie(self.state.token))

    def cookie(self, token: str) -> Cookie:
        """The session cookie holding `token`."""
        return Cookie(
            key=COOKIE,
            value=token,
            path="/",
            httponly=True,
            secure=self.runtime.settings.secure_cookies,
            samesite="lax",
            max_age=int(self.runtime.settings.page_session_hours * 3600),
        )

    def link(self, path: str, **params: str) -> str:
        """A link to `path` in this page's language."""
        return with_lang(path, self.language, **params)

    def render(self, template: str, status: int = 200, **context: Any) -> Template:
        """The template rendered with the frame's context and the pages' headers."""
        language = self.language
        path = self.request.url.path
        query = {k: v for k, v in self.request.query_params.items() if k != "lang"}
        response = Template(
            template_name=template,
            context={
                "lang": language,
                "t": texts_in(FRAME, language),
                "languages": [
                    (code, name, with_lang(path, code, **query))
                    for code, name in LANGUAGE_NAMES.items()
                ],
                "link": self.link,
                "key": self.key,
                "csrf": None if self.state is None else self.state.csrf_token,
                "current": path,
                **context,
            },
            status_code=status,
            headers={
                "Content-Security-Policy": PAGE_POLICY,
                "Cache-Control": "no-store",
                "Content-Language": language,
            },
            media_type="text/html",
        )
        self.attach(response)
        return response


async def posted(
    request: Request[Any, Any, Any], runtime: Runtime, form: Mapping[str, Any]
) -> tuple[Page, str]:
    """The page a form was sent to, its token checked, and the session's token.

    For async handlers: the session is read in a worker thread (it is a database read).

    Raises:
        PageError: 403 when the form does not carry the session's token.
    """
    page = await anyio.to_thread.run_sync(lambda: Page(request, runtime, start=False))
    page.check_form(form)
    assert page.state is not None  # noqa: S101 - check_form refuses a form without a session
    return page, page.state.token
