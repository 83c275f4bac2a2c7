"""Answering an assessment round on the pages: an invitation code, the role's questions, a receipt.

What `GET` and `POST /v1/respond` do for a system, these pages do for a person with nothing but
the code they were given. The code is typed once; the page session keeps only its SHA-256, as
the round's own table does. The respondent sees the organisation, the intervention, their role
and the round's closing date, answers the questions their role is asked (one page, grouped as
the questionnaire groups them, "don't know" until they choose), and gets a receipt. Answers are
never shown back, not even to the one who gave them: answering again replaces them until the
round closes. A shared code gives each respondent a personal code on the receipt, and the
session answers with it from then on, so that sending the form twice replaces and does not add.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import anyio
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template

from api.pages.common import Form, Page, nested, posted, redirect, texts_in
from api.pages.rounds import local_day
from api.rounds import LONGEST_CODE
from api.runtime import Runtime
from engine import Role, RoundAnswerError, form_answers
from schemas.questionnaire import Question, Questionnaire
from schemas.vocabulary import Language
from store.rounds import Invitee, RoundClosedError, hash_code

__all__ = ["respond_handlers"]


TEXTS: dict[str, dict[Language, str]] = {
    "title": {
        "sv": "Svara på en beredskapsomgång",
        "da": "Svar på en parathedsrunde",
        "en": "Answer a readiness round",
    },
    "intro": {
        "sv": (
            "Har du fått en inbjudningskod? Skriv in den här, så visas frågorna till din roll. "
            "Du svarar anonymt: ditt namn sparas inte, och svaren visas bara sammanvägda med "
            "andras."
        ),
        "da": (
            "Har du fået en invitationskode? Skriv den her, så vises spørgsmålene til din rolle. "
            "Du svarer anonymt: dit navn gemmes ikke, og svarene vises kun sammenvejet med "
            "andres."
        ),
        "en": (
            "Were you given an invitation code? Enter it here to see the questions for your "
            "role. You answer anonymously: your name is not stored, and answers are only ever "
            "shown combined with other people's."
        ),
    },
    "code": {"sv": "Inbjudningskod", "da": "Invitationskode", "en": "Invitation code"},
    "code_help": {
        "sv": "Koden finns i inbjudan, till exempel i ett mejl från din chef.",
        "da": "Koden står i invitationen, for eksempel i en mail fra din leder.",
        "en": "The code is in the invitation, for example an email from your manager.",
    },
    "open": {"sv": "Visa frågorna", "da": "Vis spørgsmålene", "en": "Show the questions"},
    "bad_code": {
        "sv": "Koden hör inte till någon omgång. Kontrollera att du skrivit den som i inbjudan.",
        "da": "Koden hører ikke til nogen runde. Kontroller, at du har skrevet den som i "
        "invitationen.",
        "en": "The code belongs to no round. Check that you typed it as the invitation gives it.",
    },
    "error_title": {
        "sv": "Något behöver rättas",
        "da": "Noget skal rettes",
        "en": "Please correct",
    },
    "closed_title": {
        "sv": "Omgången är stängd",
        "da": "Runden er lukket",
        "en": "The round is closed",
    },
    "closed": {
        "sv": "Omgången tar inte emot fler svar. Tack för ditt intresse.",
        "da": "Runden tager ikke imod flere svar. Tak for din interesse.",
        "en": "The round takes no more answers. Thank you for your interest.",
    },
    "continue": {
        "sv": "Fortsätt till dina frågor",
        "da": "Fortsæt til dine spørgsmål",
        "en": "Continue to your questions",
    },
    "organisation": {"sv": "Verksamhet", "da": "Organisation", "en": "Organisation"},
    "intervention": {
        "sv": "Det som ska införas",
        "da": "Det, der skal indføres",
        "en": "Being implemented",
    },
    "role": {"sv": "Du svarar som", "da": "Du svarer som", "en": "You answer as"},
    "closes": {"sv": "Svara senast", "da": "Svar senest", "en": "Answer by"},
    "form_intro": {
        "sv": (
            "Svara utifrån hur det är i dag, inte hur det borde vara. Vet du inte, låt "
            "”Vet inte” stå kvar: det räknas inte som ett nej. Du kan svara igen fram till att "
            "omgången stänger; de nya svaren ersätter då de gamla."
        ),
        "da": (
            "Svar ud fra, hvordan det er i dag, ikke hvordan det burde være. Ved du det ikke, så "
            "lad ”Ved ikke” stå: det tæller ikke som et nej. Du kan svare igen, indtil runden "
            "lukker; de nye svar erstatter da de gamle."
        ),
        "en": (
            "Answer as things are today, not as they should be. If you do not know, leave "
            "\u201cDon't know\u201d: it does not count as a no. You can answer again until the "
            "round closes; the new answers then replace the earlier ones."
        ),
    },
    "answered": {
        "sv": "{answered} av {total} frågor besvarade",
        "da": "{answered} af {total} spørgsmål besvaret",
        "en": "{answered} of {total} questions answered",
    },
    "send": {"sv": "Skicka svaren", "da": "Send svarene", "en": "Send the answers"},
    "not_in_scale": {
        "sv": "Ett svar var inte ett av alternativen. Välj igen och skicka.",
        "da": "Et svar var ikke en af mulighederne. Vælg igen, og send.",
        "en": "An answer was not one of the choices. Choose again and send.",
    },
    "thanks_title": {
        "sv": "Tack för dina svar",
        "da": "Tak for dine svar",
        "en": "Thank you for your answers",
    },
    "received": {
        "sv": "Svaren togs emot {when}.",
        "da": "Svarene blev modtaget {when}.",
        "en": "The answers were received {when}.",
    },
    "replaced": {
        "sv": "De ersatte dina tidigare svar.",
        "da": "De erstattede dine tidligere svar.",
        "en": "They replaced your earlier answers.",
    },
    "receipt": {
        "sv": (
            "Din personliga kod är {code}. Spara den om du vill ändra dina svar senare: med den "
            "ersätter du dina svar i stället för att lägga till nya. Den visas bara nu."
        ),
        "da": (
            "Din personlige kode er {code}. Gem den, hvis du vil ændre dine svar senere: med den "
            "erstatter du dine svar i stedet for at tilføje nye. Den vises kun nu."
        ),
        "en": (
            "Your personal code is {code}. Keep it if you want to change your answers later: "
            "with it you replace your answers instead of adding new ones. It is shown only now."
        ),
    },
    "privacy": {
        "sv": (
            "Ingen, inte heller du, kan se dina svar för sig. De vägs samman med andras, och en "
            "roll visas för sig först när minst {n} har svarat i den."
        ),
        "da": (
            "Ingen, heller ikke du, kan se dine svar for sig. De lægges sammen med andres, og en "
            "rolle vises for sig først, når mindst {n} har svaret i den."
        ),
        "en": (
            "Nobody, not even you, can see your answers on their own. They are combined with "
            "others', and a role is shown on its own only once at least {n} of it have answered."
        ),
    },
    "change": {
        "sv": "Ändra dina svar",
        "da": "Ret dine svar",
        "en": "Change your answers",
    },
}


def _texts(language: Language) -> dict[str, str]:
    return texts_in(TEXTS, language)


def _taking(invitee: Invitee) -> bool:
    return invitee.round.takes_responses(datetime.now(UTC))


def _respondent(page: Page) -> Invitee | None:
    """Whom the session's respondent answers as, when the session holds a code still valid."""
    held = None if page.state is None else page.state.respondent
    return None if held is None else page.runtime.rounds.invitee_by_hash(held)


def _closed(page: Page) -> Template:
    texts = _texts(page.language)
    return page.render("respond.html", status=409, texts=texts, closed=True, error=None)


def _blocks(form: Questionnaire) -> list[tuple[str, list[Question]]]:
    """The form's questions under the title of their section, in the questionnaire's order."""
    titles = {section.path: section.title for section in form.sections}
    blocks: list[tuple[str, list[Question]]] = []
    for question in form.questions:
        section = max(
            (path for path in titles if question.path.startswith(f"{path}.")),
            key=len,
            default="",
        )
        title = titles.get(section, "")
        if not blocks or blocks[-1][0] != title:
            blocks.append((title, []))
        blocks[-1][1].append(question)
    return blocks


def _form_page(
    page: Page, invitee: Invitee, status: int = 200, error: str | None = None
) -> Template:
    language = page.language
    texts = _texts(language)
    served = page.served
    role = cast(Role, invitee.role)
    found = invitee.round
    form = served.questionnaires.of(language, role)
    return page.render(
        "respond_form.html",
        status=status,
        texts=texts,
        error=error,
        organisation=found.organisation_name or found.organisation_id,
        intervention=found.intervention,
        role=served.round_spec.role_titles[role][language],
        closes=local_day(found.closes_at, language),
        blocks=_blocks(form),
        total=len(form.questions),
        privacy=texts["privacy"].format(n=served.round_spec.min_group),
        field_id=lambda path: "q-" + path.replace(".", "-").replace("_", "-"),
    )


@get("/respond", include_in_schema=False, sync_to_thread=True)
def respond_start(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], lang: str | None = None
) -> Template:
    """The form that takes an invitation code (and a way back to the questions if one is held)."""
    page = Page(request, runtime, start=True)
    held = _respondent(page)
    texts = _texts(page.language)
    return page.render(
        "respond.html",
        texts=texts,
        closed=False,
        error=None,
        held=held is not None and _taking(held),
        longest=LONGEST_CODE,
    )


@post("/respond", include_in_schema=False, status_code=303)
async def respond_code(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Check the code; keep its hash in the session and go to the role's questions."""
    page, token = await posted(request, runtime, data)
    code = data.get("code", "").strip()
    invitee = (
        await anyio.to_thread.run_sync(runtime.rounds.invitee, code)
        if code and len(code) <= LONGEST_CODE
        else None
    )
    if invitee is None:
        texts = _texts(page.language)
        return page.render(
            "respond.html",
            status=400,
            texts=texts,
            closed=False,
            error=texts["bad_code"],
            longest=LONGEST_CODE,
        )
    if not _taking(invitee):
        return _closed(page)
    await anyio.to_thread.run_sync(runtime.pages.set_respondent, token, invitee.code_hash)
    return redirect(page.link("/respond/form"))


@get("/respond/form", include_in_schema=False, sync_to_thread=True)
def respond_form(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], lang: str | None = None
) -> Response[Any]:
    """The questions of the respondent's role; without a code in the session, the code form."""
    page = Page(request, runtime, start=False)
    invitee = _respondent(page)
    if invitee is None:
        return redirect(page.link("/respond"))
    if not _taking(invitee):
        return _closed(page)
    return _form_page(page, invitee)


@post("/respond/form", include_in_schema=False, status_code=200)
async def respond_answers(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Take the answers; the receipt page (with a personal code, for a shared one)."""
    page, token = await posted(request, runtime, data)
    invitee = await anyio.to_thread.run_sync(_respondent, page)
    if invitee is None:
        return redirect(page.link("/respond"))
    if not _taking(invitee):
        return _closed(page)
    role = cast(Role, invitee.role)
    asked = set(page.served.round_spec.form(role))
    flat = {path: value for path, value in data.items() if path in asked and value != "unknown"}
    try:
        answers = form_answers(page.served.round_spec, role, nested(flat))
    except RoundAnswerError:
        texts = _texts(page.language)
        return _form_page(page, invitee, status=400, error=texts["not_in_scale"])
    try:
        taken = await anyio.to_thread.run_sync(runtime.rounds.submit, invitee, answers)
    except RoundClosedError:  # it closed between the check and the write
        return _closed(page)
    if taken.receipt is not None:
        # From now on the session answers with the respondent's own code: a second send
        # replaces this response instead of adding one.
        await anyio.to_thread.run_sync(
            runtime.pages.set_respondent, token, hash_code(taken.receipt)
        )
    language = page.language
    texts = _texts(language)
    return page.render(
        "respond_done.html",
        texts=texts,
        received=texts["received"].format(when=local_day(taken.submitted_at, language)),
        replaced=taken.replaced,
        receipt=taken.receipt,
        privacy=texts["privacy"].format(n=page.served.round_spec.min_group),
        answered=len(answers),
    )


def respond_handlers() -> list[Any]:
    """Answering a round: the code, the questions, the receipt."""
    return [respond_start, respond_code, respond_form, respond_answers]
