"""The start page, signing in with an API key and out, and the pages' error page."""

from __future__ import annotations

from typing import Any

import anyio
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Redirect, Template

from api.pages.common import FRAME, Form, Page, PageError, posted, redirect, texts_in, with_lang
from api.runtime import Runtime
from schemas.vocabulary import Language

__all__ = ["home_handlers", "page_error"]


TEXTS: dict[str, dict[Language, str]] = {
    "intro": {
        "sv": (
            "Hur redo är er verksamhet att införa en ny metod, riktlinje eller lag? Svara på "
            "frågorna, så får ni en rapport med er beredskap, vad som saknas och råd i den "
            "ordning arbetet görs, med källa till varje råd."
        ),
        "da": (
            "Hvor parat er jeres organisation til at indføre en ny metode, retningslinje eller "
            "lov? Besvar spørgsmålene, så får I en rapport med jeres parathed, hvad der mangler, "
            "og råd i den rækkefølge, arbejdet gøres, med kilde til hvert råd."
        ),
        "en": (
            "How ready is your organisation to implement a new method, guideline or law? Answer "
            "the questions and get a report of your readiness, what is missing, and advice in "
            "the order the work is done, each item with its source."
        ),
    },
    "start_questionnaire": {
        "sv": "Börja självskattningen",
        "da": "Start selvevalueringen",
        "en": "Start the questionnaire",
    },
    "round_heading": {
        "sv": "Har du fått en inbjudningskod?",
        "da": "Har du fået en invitationskode?",
        "en": "Were you given an invitation code?",
    },
    "round_intro": {
        "sv": "När en verksamhet frågar flera roller svarar var och en anonymt med sin kod.",
        "da": "Når en organisation spørger flere roller, svarer hver enkelt anonymt med sin kode.",
        "en": "When an organisation asks several roles, each person answers anonymously with a code.",
    },
    "round_link": {
        "sv": "Svara på en omgång",
        "da": "Svar på en runde",
        "en": "Answer a round",
    },
    "run_round_intro": {
        "sv": "Vill ni fråga ledning och medarbetare var för sig? Starta en omgång med en nyckel.",
        "da": "Vil I spørge ledelse og medarbejdere hver for sig? Start en runde med en nøgle.",
        "en": "Want to ask leaders and staff separately? Open a round with a key.",
    },
    "run_round_link": {"sv": "Omgångar", "da": "Runder", "en": "Rounds"},
    "dashboard_intro": {
        "sv": "Regionala stödstrukturer ser sin regions resultat i den regionala översikten.",
        "da": (
            "De, der støtter kommunerne i en region, ser regionens resultater i det regionale "
            "overblik."
        ),
        "en": "Regional support structures see their region's results on the regional dashboard.",
    },
    "key_label": {"sv": "API-nyckel", "da": "API-nøgle", "en": "API key"},
    "key_help": {
        "sv": "Nyckeln sparas inte i webbläsaren; sessionen minns bara vem ni är.",
        "da": "Nøglen gemmes ikke i browseren; sessionen husker kun, hvem I er.",
        "en": "The key is not kept in the browser; the session only remembers who you are.",
    },
    "bad_key": {
        "sv": "Nyckeln är okänd eller återkallad.",
        "da": "Nøglen er ukendt eller tilbagekaldt.",
        "en": "The key is unknown or revoked.",
    },
    "error_sign_in": {
        "sv": "Logga in med en API-nyckel för att se sidan.",
        "da": "Log ind med en API-nøgle for at se siden.",
        "en": "Sign in with an API key to see this page.",
    },
    "error_scope": {
        "sv": "Nyckeln ger inte tillgång till den här sidan.",
        "da": "Nøglen giver ikke adgang til denne side.",
        "en": "The key does not give access to this page.",
    },
    "error_csrf": {
        "sv": "Formuläret kom inte från den här sidan eller har blivit för gammalt. Ladda om och försök igen.",
        "da": "Formularen kom ikke fra denne side eller er blevet for gammel. Genindlæs og prøv igen.",
        "en": "The form did not come from this page or has expired. Reload and try again.",
    },
    "error_not_found": {
        "sv": "Sidan finns inte, eller nyckeln ger inte tillgång till den.",
        "da": "Siden findes ikke, eller nøglen giver ikke adgang til den.",
        "en": "The page does not exist, or the key does not give access to it.",
    },
    "error_title": {"sv": "Något gick fel", "da": "Noget gik galt", "en": "Something went wrong"},
    "back_home": {"sv": "Till startsidan", "da": "Til forsiden", "en": "Back to the start page"},
}


def _texts(language: Language) -> dict[str, str]:
    return texts_in(TEXTS, language)


@get("/", include_in_schema=False, sync_to_thread=True)
def home(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], lang: str | None = None
) -> Template:
    """The start page."""
    page = Page(request, runtime, start=False)
    return page.render("home.html", texts=_texts(page.language))


def _safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


@get("/login", include_in_schema=False, sync_to_thread=True)
def login_form(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    next: str | None = None,
) -> Template:
    """The form that takes an API key once."""
    page = Page(request, runtime, start=True)
    return page.render(
        "login.html", texts=_texts(page.language), next=_safe_next(next), failed=False
    )


@post("/login", include_in_schema=False, status_code=303)
async def login(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Verify the key and attach it to the session; back to the form when it is wrong."""
    page, token = await posted(request, runtime, data)
    key = await anyio.to_thread.run_sync(runtime.repository.verify_key, data.get("key", "").strip())
    target = _safe_next(data.get("next"))
    if key is None:
        return page.render(
            "login.html", status=401, texts=_texts(page.language), next=target, failed=True
        )
    await anyio.to_thread.run_sync(runtime.pages.sign_in, token, key.id)
    separator = "&" if "?" in target else "?"
    return redirect(target if "lang=" in target else f"{target}{separator}lang={page.language}")


@post("/logout", include_in_schema=False, status_code=303)
async def logout(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Redirect:
    """End the session: the key, the draft and the last result are forgotten."""
    page, token = await posted(request, runtime, data)
    await anyio.to_thread.run_sync(runtime.pages.end, token)
    response = Redirect(path=with_lang("/", page.language), status_code=303)
    response.delete_cookie("readiness_session", path="/")
    return response


def page_error(request: Request[Any, Any, Any], exc: PageError, runtime: Runtime) -> Response[Any]:
    """An HTML error page: sign in, no access, a stale form, or not found."""
    page = Page(request, runtime, start=exc.title == "sign-in")
    texts = _texts(page.language)
    if exc.title == "sign-in":
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return page.render(
            "login.html", status=401, texts=texts, next=_safe_next(target), failed=False
        )
    message = {
        "scope": texts["error_scope"],
        "csrf": texts["error_csrf"],
        "not-found": texts["error_not_found"],
    }.get(exc.title, exc.detail)
    return page.render(
        "error.html",
        status=exc.status,
        texts=texts,
        title=FRAME["product"][page.language],
        message=message,
    )


def home_handlers() -> list[Any]:
    """The start page and signing in and out."""
    return [home, login_form, login, logout]
