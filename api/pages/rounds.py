"""Running an assessment round on the pages: open it, hand out the codes, follow it, close it.

For a head of service or an analyst signed in with a key: what `POST /v1/rounds`, `GET
/v1/rounds/{id}/responses`, `POST /v1/rounds/{id}/close` and `DELETE /v1/rounds/{id}/responses`
do for a system (the same functions: `api.rounds.open_for`, `responses_of`, `close_for`), with
the key's binding as in the API. The codes are shown once, on the page that opens the round,
with the address where respondents answer (`/respond`). How many have answered is shown by
privacy group, exactly as the API counts it; a closed round links to the report of the
assessment it was combined into.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from typing import Any, cast
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import anyio
from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.response import Template
from pydantic import ValidationError

from api.pages.common import Form, Page, PageError, posted, redirect, span_of_days, texts_in
from api.pages.report import long_date
from api.paging import after_cursor
from api.problems import ProblemError
from api.rounds import close_for, open_for, responses_of
from api.runtime import Runtime
from engine import Role
from schemas.questionnaire import AnswerOption
from schemas.rounds import MAX_CODES_PER_ROLE, RoundRequest
from schemas.vocabulary import Language
from store.rounds import RoundFilter, StoredRound

__all__ = ["PAGE_TIME", "local_day", "round_page_handlers"]


try:
    PAGE_TIME = ZoneInfo("Europe/Stockholm")  # Copenhagen's time too
except ZoneInfoNotFoundError:  # pragma: no cover - a system without the time zone database
    PAGE_TIME = UTC  # type: ignore[assignment]
"""The time zone of the pages' days: a round closes at the end of its day in it."""

TEXTS: dict[str, dict[Language, str]] = {
    "rounds": {"sv": "Omgångar", "da": "Runder", "en": "Rounds"},
    "lead": {
        "sv": (
            "I en omgång svarar flera i verksamheten, var och en i sin roll och anonymt. När "
            "omgången stängs vägs svaren samman till en bedömning, och där rollerna ser olika på "
            "samma sak blir det ett fynd för sig."
        ),
        "da": (
            "I en runde svarer flere i organisationen, hver i sin rolle og anonymt. Når runden "
            "lukkes, lægges svarene sammen til én vurdering, og hvor rollerne ser forskelligt på "
            "det samme, bliver det et fund for sig."
        ),
        "en": (
            "In a round several people in the organisation answer, each in their role and "
            "anonymously. When the round closes the answers are combined into one assessment, "
            "and where the roles see the same matter differently, that is a finding of its own."
        ),
    },
    "new": {"sv": "Starta en ny omgång", "da": "Start en ny runde", "en": "Open a new round"},
    "none": {
        "sv": "Inga omgångar ännu.",
        "da": "Ingen runder endnu.",
        "en": "No rounds yet.",
    },
    "older": {"sv": "Äldre omgångar", "da": "Ældre runder", "en": "Older rounds"},
    "organisation": {"sv": "Verksamhet", "da": "Organisation", "en": "Organisation"},
    "intervention": {
        "sv": "Det som ska införas",
        "da": "Det, der skal indføres",
        "en": "Being implemented",
    },
    "status": {"sv": "Status", "da": "Status", "en": "Status"},
    "open": {"sv": "Öppen", "da": "Åben", "en": "Open"},
    "past_date": {
        "sv": "Öppen, sista svarsdagen har passerat",
        "da": "Åben, svarfristen er udløbet",
        "en": "Open, past its closing date",
    },
    "closed": {"sv": "Stängd", "da": "Lukket", "en": "Closed"},
    "opened": {"sv": "Startad", "da": "Startet", "en": "Opened"},
    "closes": {"sv": "Sista svarsdag", "da": "Svarfrist", "en": "Answer by"},
    "closed_on": {"sv": "Stängd", "da": "Lukket", "en": "Closed on"},
    "respondents": {"sv": "Har svarat", "da": "Har svaret", "en": "Have answered"},
    "show": {"sv": "Visa", "da": "Vis", "en": "Show"},
    "groups": {
        "sv": "Svar per grupp",
        "da": "Svar pr. gruppe",
        "en": "Answers by group",
    },
    "groups_help": {
        "sv": (
            "En roll visas för sig först när minst {n} har svarat i den; annars räknas den "
            "tillsammans med rollen bredvid."
        ),
        "da": (
            "En rolle vises for sig først, når mindst {n} har svaret i den; ellers tælles den "
            "sammen med rollen ved siden af."
        ),
        "en": (
            "A role is shown on its own only once at least {n} of it have answered; until then "
            "it is counted with the role next to it."
        ),
    },
    "suppressed": {
        "sv": "Färre än {n} har svarat, så inga grupper visas ännu.",
        "da": "Færre end {n} har svaret, så der vises ingen grupper endnu.",
        "en": "Fewer than {n} have answered, so no groups are shown yet.",
    },
    "roles": {"sv": "Roller", "da": "Roller", "en": "Roles"},
    "invited": {"sv": "Inbjudna", "da": "Inviterede", "en": "Invited"},
    "personal_codes": {"sv": "Personliga koder", "da": "Personlige koder", "en": "Personal codes"},
    "shared_code": {"sv": "Gemensam kod", "da": "Fælles kode", "en": "Shared code"},
    "yes": {"sv": "Ja", "da": "Ja", "en": "Yes"},
    "no": {"sv": "Nej", "da": "Nej", "en": "No"},
    "close": {"sv": "Stäng omgången", "da": "Luk runden", "en": "Close the round"},
    "close_help": {
        "sv": (
            "När omgången stängs tas inga fler svar emot. Svaren vägs samman till en bedömning "
            "som sparas, och rapporten kan läsas."
        ),
        "da": (
            "Når runden lukkes, modtages der ikke flere svar. Svarene lægges sammen til en "
            "vurdering, som gemmes, og rapporten kan læses."
        ),
        "en": (
            "Once the round is closed it takes no more answers. The answers are combined into "
            "an assessment, which is stored, and its report can be read."
        ),
    },
    "nobody": {
        "sv": "Ingen har svarat ännu; omgången kan stängas när någon har gjort det.",
        "da": "Ingen har svaret endnu; runden kan lukkes, når nogen har svaret.",
        "en": "Nobody has answered yet; the round can be closed once someone has.",
    },
    "report": {
        "sv": "Läs rapporten",
        "da": "Læs rapporten",
        "en": "Read the report",
    },
    "delete": {
        "sv": "Radera de enskilda svaren nu",
        "da": "Slet de enkelte svar nu",
        "en": "Delete the individual answers now",
    },
    "delete_help": {
        "sv": (
            "Den sammanvägda bedömningen och rapporten finns kvar. Annars raderas svaren "
            "automatiskt {span} efter att omgången stängts."
        ),
        "da": (
            "Den samlede vurdering og rapporten bevares. Ellers slettes svarene automatisk "
            "{span} efter, at runden er lukket."
        ),
        "en": (
            "The combined assessment and its report stay. Otherwise the answers are deleted "
            "{span} after the round closed."
        ),
    },
    "deleted": {
        "sv": "De enskilda svaren raderades {when}.",
        "da": "De enkelte svar blev slettet {when}.",
        "en": "The individual answers were deleted on {when}.",
    },
    "new_lead": {
        "sv": (
            "Ange verksamheten och det som ska införas, och hur många som ska bjudas in i varje "
            "roll. Varje person får en personlig kod; en gemensam kod kan delas av en hel grupp, "
            "till exempel alla medarbetare."
        ),
        "da": (
            "Angiv organisationen og det, der skal indføres, og hvor mange der skal inviteres i "
            "hver rolle. Hver person får en personlig kode; en fælles kode kan deles af en hel "
            "gruppe, for eksempel alle medarbejdere."
        ),
        "en": (
            "Give the organisation and what is being implemented, and how many to invite in "
            "each role. Each person gets a personal code; a shared code can be used by a whole "
            "group, for example all staff."
        ),
    },
    "org_id": {"sv": "Verksamhetens id", "da": "Organisationens id", "en": "Organisation id"},
    "org_id_help": {
        "sv": "Samma id som i verksamhetens tidigare bedömningar, t.ex. 0780-ifo.",
        "da": "Samme id som i organisationens tidligere vurderinger, f.eks. 0615-boern-unge.",
        "en": "The id of the organisation's earlier assessments, e.g. 0780-ifo.",
    },
    "org_name": {"sv": "Verksamhetens namn", "da": "Organisationens navn", "en": "Name"},
    "country": {"sv": "Land", "da": "Land", "en": "Country"},
    "region": {"sv": "Region", "da": "Region", "en": "Region"},
    "size": {"sv": "Storlek", "da": "Størrelse", "en": "Size"},
    "int_name": {
        "sv": "Arbetssättets namn",
        "da": "Indsatsens navn",
        "en": "Name of the intervention",
    },
    "kind": {"sv": "Typ", "da": "Type", "en": "Kind"},
    "model": {"sv": "Modell", "da": "Model", "en": "Model"},
    "closes_on": {
        "sv": "Sista svarsdag (valfri)",
        "da": "Svarfrist (valgfri)",
        "en": "Answer by (optional)",
    },
    "closes_on_help": {
        "sv": "ÅÅÅÅ-MM-DD. Svar tas emot dagen ut. Lämna tomt för att stänga omgången själv.",
        "da": "ÅÅÅÅ-MM-DD. Der modtages svar dagen ud. Lad feltet stå tomt for selv at lukke runden.",
        "en": "YYYY-MM-DD. Answers are taken to the end of the day. Leave empty to close it "
        "yourself.",
    },
    "whom": {"sv": "Vilka bjuds in", "da": "Hvem inviteres", "en": "Whom to invite"},
    "role": {"sv": "Roll", "da": "Rolle", "en": "Role"},
    "how_many": {
        "sv": "Antal personliga koder",
        "da": "Antal personlige koder",
        "en": "Personal codes",
    },
    "start": {"sv": "Starta omgången", "da": "Start runden", "en": "Open the round"},
    "errors_title": {
        "sv": "Något behöver rättas",
        "da": "Noget skal rettes",
        "en": "Please correct",
    },
    "bad_date": {
        "sv": "Skriv datumet som ÅÅÅÅ-MM-DD, i dag eller senare.",
        "da": "Skriv datoen som ÅÅÅÅ-MM-DD, i dag eller senere.",
        "en": "Write the date as YYYY-MM-DD, today or later.",
    },
    "bad_count": {
        "sv": "Ett heltal från 0 till {most}.",
        "da": "Et heltal fra 0 til {most}.",
        "en": "A whole number from 0 to {most}.",
    },
    "no_codes": {
        "sv": "Bjud in minst en person: ange ett antal eller kryssa i en gemensam kod.",
        "da": "Inviter mindst én person: angiv et antal, eller sæt kryds ved en fælles kode.",
        "en": "Invite at least one person: give a number or tick a shared code.",
    },
    "org_required": {
        "sv": "Ange verksamhetens id.",
        "da": "Angiv organisationens id.",
        "en": "Give the organisation's id.",
    },
    "outside": {
        "sv": "Nyckeln får inte starta omgångar för den verksamheten eller regionen.",
        "da": "Nøglen må ikke starte runder for den organisation eller region.",
        "en": "The key may not open rounds for that organisation or region.",
    },
    "other_region": {
        "sv": "Verksamheten hör redan till en annan region.",
        "da": "Organisationen hører allerede til en anden region.",
        "en": "The organisation already belongs to another region.",
    },
    "invalid": {
        "sv": "Kontrollera fältet.",
        "da": "Kontroller feltet.",
        "en": "Check this field.",
    },
    "opened_title": {
        "sv": "Omgången är startad",
        "da": "Runden er startet",
        "en": "The round is open",
    },
    "codes_once": {
        "sv": (
            "Koderna visas bara nu. Skriv ut sidan eller kopiera koderna och ge varje personlig "
            "kod till en person och den gemensamma koden till gruppen. De svarar på {address}."
        ),
        "da": (
            "Koderne vises kun nu. Udskriv siden eller kopier koderne, og giv hver personlig kode "
            "til én person og den fælles kode til gruppen. De svarer på {address}."
        ),
        "en": (
            "The codes are shown only now. Print the page or copy the codes, and give each "
            "personal code to one person and the shared code to the group. They answer at "
            "{address}."
        ),
    },
    "code": {"sv": "Kod", "da": "Kode", "en": "Code"},
    "kind_personal": {"sv": "Personlig", "da": "Personlig", "en": "Personal"},
    "kind_shared": {"sv": "Gemensam", "da": "Fælles", "en": "Shared"},
    "to_round": {"sv": "Till omgången", "da": "Til runden", "en": "To the round"},
    "differences": {
        "sv": "Där rollerna ser olika på saken",
        "da": "Hvor rollerne ser forskelligt på tingene",
        "en": "Where the roles see things differently",
    },
    "differences_help": {
        "sv": (
            "Frågor där rollerna skiljer sig åt med två steg eller mer. Skillnaden är ett fynd "
            "i sig: den tas upp i rapporten med egna råd."
        ),
        "da": (
            "Spørgsmål, hvor rollerne ligger to trin eller mere fra hinanden. Forskellen er et "
            "fund i sig selv: den indgår i rapporten med egne råd."
        ),
        "en": (
            "Questions on which the roles are two or more steps apart. The difference is a "
            "finding in itself: the report takes it up with advice of its own."
        ),
    },
    "no_differences": {
        "sv": "Rollerna låg inte två steg isär i någon av de frågor som jämförs.",
        "da": "Rollerne lå ikke to trin fra hinanden i nogen af de spørgsmål, der sammenlignes.",
        "en": "The roles were not two steps apart on any of the questions compared.",
    },
    "question": {"sv": "Fråga", "da": "Spørgsmål", "en": "Question"},
    "least_ready": {"sv": "Minst redo", "da": "Mindst parat", "en": "Least ready view"},
    "most_ready": {"sv": "Mest redo", "da": "Mest parat", "en": "Most ready view"},
    "steps": {"sv": "Steg isär", "da": "Trin fra hinanden", "en": "Steps apart"},
    "whose_unknown": {
        "sv": "(för få svar för att säga vems)",
        "da": "(for få svar til at sige hvis)",
        "en": "(too few answers to say whose)",
    },
    "combined": {
        "sv": "De sammanvägda svaren ({count})",
        "da": "De samlede svar ({count})",
        "en": "The combined answers ({count})",
    },
    "answer": {"sv": "Svar", "da": "Svar", "en": "Answer"},
    "based_on": {"sv": "Antal svar", "da": "Antal svar", "en": "Answers"},
    "counted": {"sv": "Vems svar räknas", "da": "Hvis svar tæller", "en": "Whose answers count"},
}

_PROBLEMS = {
    "organisation-required": ("org_id", "org_required"),
    "outside-binding": ("org_id", "outside"),
    "organisation-in-other-region": ("organisation.region", "other_region"),
    "invalid-closing-date": ("closes_on", "bad_date"),
    "validation-failed": ("codes", "no_codes"),
}
"""What `open_for` refuses, as (the field it is about, the text that explains it)."""


def _texts(language: Language) -> dict[str, str]:
    return texts_in(TEXTS, language)


def _status(found: StoredRound, texts: dict[str, str]) -> str:
    if found.status == "closed":
        return texts["closed"]
    return texts["open"] if found.takes_responses(datetime.now(UTC)) else texts["past_date"]


def local_day(moment: datetime | None, language: Language) -> str | None:
    """The day of `moment` in Swedish and Danish time, written out."""
    return None if moment is None else long_date(moment.astimezone(PAGE_TIME), language)


def _row(found: StoredRound, page: Page, texts: dict[str, str]) -> dict[str, Any]:
    language = page.language
    return {
        "id": found.id,
        "organisation": found.organisation_name or found.organisation_id,
        "intervention": found.intervention,
        "status": _status(found, texts),
        "closed": found.status == "closed",
        "opened": local_day(found.opened_at, language),
        "closes": local_day(found.closes_at, language),
        "closed_on": local_day(found.closed_at, language),
        "respondents": found.respondents,
        "href": page.link(f"/rounds/{found.id}"),
    }


@get("/rounds", include_in_schema=False, sync_to_thread=True)
def rounds_list(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    cursor: str | None = None,
) -> Template:
    """The rounds the key may read, newest first."""
    page = Page(request, runtime, start=False)
    key = page.require_key("read")
    texts = _texts(page.language)
    found, following = runtime.rounds.page(RoundFilter(), key.binding, after_cursor(cursor), 50)
    return page.render(
        "rounds.html",
        texts=texts,
        rows=[_row(f, page, texts) for f in found],
        older=page.link("/rounds", cursor=following) if following else None,
        may_open="assess" in key.scopes or "admin" in key.scopes,
    )


def _visible(page: Page, round_id: str, scope: str) -> StoredRound:
    key = page.require_key(scope)
    found = page.runtime.rounds.get(round_id, key.binding)
    if found is None:
        raise PageError(404, "not-found", "round")
    return found


def _detail(page: Page, found: StoredRound, error: str | None = None) -> Template:
    runtime = page.runtime
    language = page.language
    texts = _texts(language)
    key = page.key
    assert key is not None  # noqa: S101 - _visible signed the session in
    counts = responses_of(runtime, page.served.round_spec, found)
    titles = page.served.round_spec.role_titles
    may_act = "assess" in key.scopes or "admin" in key.scopes
    differences, combined = _combination(page, found)
    return page.render(
        "round.html",
        differences=differences,
        combined=combined,
        status=409 if error else 200,
        error=error,
        texts=texts,
        round=_row(found, page, texts),
        groups=[
            (", ".join(titles[r][language] for r in g.roles), g.respondents) for g in counts.groups
        ],
        suppressed=counts.suppressed,
        groups_help=texts["groups_help"].format(n=counts.min_group),
        suppressed_text=texts["suppressed"].format(n=counts.min_group),
        invited=[
            (titles[i.role][language], i.personal, texts["yes"] if i.shared else texts["no"])
            for i in counts.invited
        ],
        may_close=may_act and found.status == "open" and found.respondents > 0,
        nobody=found.status == "open" and found.respondents == 0,
        may_delete=may_act and found.status == "closed" and found.answers_deleted_at is None,
        delete_help=texts["delete_help"].format(
            span=span_of_days(runtime.settings.round_retention_days, language)
        ),
        deleted=(
            texts["deleted"].format(when=local_day(found.answers_deleted_at, language))
            if found.answers_deleted_at
            else None
        ),
        report=page.link(f"/assessments/{found.assessment_id}") if found.assessment_id else None,
    )


def _combination(
    page: Page, found: StoredRound
) -> tuple[list[dict[str, Any]] | None, list[dict[str, Any]]]:
    """A closed round's disagreements and combined answers, in words; (None, []) while open."""
    if found.combination_json is None:
        return None, []
    language = page.language
    titles = page.served.round_spec.role_titles
    questions = {q.path: q for q in page.served.questionnaires.of(language).questions}
    order = {path: number for number, path in enumerate(questions)}
    combination = json.loads(found.combination_json)

    def label(path: str, value: str) -> str:
        question = questions.get(path)
        labels = {a.value: a.label for a in question.answers} if question else {}
        return labels.get(value, value)

    def text(path: str) -> str:
        question = questions.get(path)
        return question.text if question else path

    def whose(groups: list[list[str]]) -> str:
        return "; ".join(" + ".join(titles[cast(Role, r)][language] for r in g) for g in groups)

    differences = [
        {
            "question": text(d["indicator"]),
            "low": label(d["indicator"], d["low"]["value"]),
            "low_whose": whose(d["low"]["groups"]),
            "high": label(d["indicator"], d["high"]["value"]),
            "high_whose": whose(d["high"]["groups"]),
            "spread": d["spread"],
        }
        for d in combination.get("disagreements", [])
    ]
    combined = [
        {
            "question": text(a["path"]),
            "answer": label(a["path"], a["value"]),
            "answers": a["answers"],
            "roles": ", ".join(titles[cast(Role, r)][language] for r in a["roles"]),
        }
        for a in sorted(combination.get("answers", []), key=lambda a: order.get(a["path"], 1e9))
    ]
    return differences, combined


@get("/rounds/{round_id:str}", include_in_schema=False, sync_to_thread=True)
def round_detail(
    round_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
) -> Template:
    """One round: its state, how many have answered by privacy group, and what can be done."""
    page = Page(request, runtime, start=False)
    return _detail(page, _visible(page, round_id, "read"))


@post("/rounds/{round_id:str}/close", include_in_schema=False, status_code=303)
async def round_close(
    round_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Close the round as `POST /v1/rounds/{id}/close` does; back to the round."""
    page, _ = await posted(request, runtime, data)
    key = page.require_key("assess")
    try:
        await close_for(runtime, request, key, round_id, page.language)
    except ProblemError as exc:
        if exc.status == 404:
            raise PageError(404, "not-found", "round") from None
        why = {
            "round-without-responses": "nobody",
            "organisation-in-other-region": "other_region",
        }.get(exc.code)
        if why is not None:
            found = await anyio.to_thread.run_sync(_visible, page, round_id, "read")
            return _detail(page, found, _texts(page.language)[why])
        if exc.code != "round-closed":  # closed meanwhile: the round's page shows it closed
            raise
    return redirect(page.link(f"/rounds/{round_id}"))


@post("/rounds/{round_id:str}/delete-answers", include_in_schema=False, status_code=303)
async def round_delete_answers(
    round_id: str,
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Delete the round's individual answers now; back to the round."""
    page, _ = await posted(request, runtime, data)
    found = await anyio.to_thread.run_sync(_visible, page, round_id, "assess")
    await anyio.to_thread.run_sync(runtime.rounds.delete_answers, found.id)
    return redirect(page.link(f"/rounds/{round_id}"))


def _choices(page: Page, path: str) -> list[AnswerOption]:
    form = page.served.questionnaires.of(page.language)
    (question,) = [q for q in form.questions if q.path == path]
    return list(question.answers)


def _new_page(
    page: Page,
    sent: dict[str, str],
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    language = page.language
    texts = _texts(language)
    key = page.key
    assert key is not None  # noqa: S101 - require_key signed the session in
    spec = page.served.round_spec
    errors = errors or {}
    labels = {
        "organisation.id": texts["org_id"],
        "organisation.name": texts["org_name"],
        "organisation.region": texts["region"],
        "intervention.name": texts["int_name"],
        "closes_on": texts["closes_on"],
        "codes": texts["whom"],
        **{f"codes.{role}": spec.role_titles[role][language] for role in spec.roles},
    }
    return page.render(
        "round_new.html",
        labels=labels,
        status=status,
        texts=texts,
        sent=sent,
        errors=errors,
        fixed_organisation=key.binding.organisation_id,
        fixed_region=key.binding.region,
        countries=_choices(page, "organisation.country"),
        sizes=_choices(page, "organisation.size"),
        kinds=_choices(page, "intervention.kind"),
        models=_choices(page, "intervention.model"),
        roles=[(role, spec.role_titles[role][language]) for role in spec.roles],
        most=MAX_CODES_PER_ROLE,
    )


@get("/rounds/new", include_in_schema=False, sync_to_thread=True)
def round_new(
    request: Request[Any, Any, Any], runtime: NamedDependency[Runtime], lang: str | None = None
) -> Template:
    """The form that opens a round."""
    page = Page(request, runtime, start=False)
    page.require_key("assess")
    return _new_page(page, {})


def _closing(text: str) -> datetime | None:
    """The end of the day `text` (YYYY-MM-DD) in Swedish and Danish time; None when empty.

    Raises:
        ValueError: Not such a date.
    """
    if not text:
        return None
    day = date.fromisoformat(text)
    return datetime.combine(day, time(23, 59, 59), tzinfo=PAGE_TIME)


def _asked(sent: dict[str, str], roles: list[Role]) -> tuple[dict[str, Any], dict[str, str]]:
    """The body of `POST /v1/rounds` the form describes, and the fields it got wrong.

    Error values are names of texts (`TEXTS`).
    """
    errors: dict[str, str] = {}
    organisation = {
        name: sent[f"organisation.{name}"]
        for name in ("id", "name", "country", "region", "size")
        if sent.get(f"organisation.{name}", "").strip()
    }
    intervention = {
        name: sent[f"intervention.{name}"]
        for name in ("name", "kind", "model")
        if sent.get(f"intervention.{name}", "").strip()
    }
    codes: dict[str, int] = {}
    for role in roles:
        given = sent.get(f"codes.{role}", "").strip()
        if not given:
            continue
        if not (given.isascii() and given.isdigit()) or int(given) > MAX_CODES_PER_ROLE:
            errors[f"codes.{role}"] = "bad_count"
        elif int(given):
            codes[role] = int(given)
    shared = [role for role in roles if sent.get(f"shared.{role}") == "yes"]
    body: dict[str, Any] = {
        "organisation": organisation,
        "intervention": intervention,
        "codes": codes,
        "shared_roles": shared,
    }
    try:
        closes = _closing(sent.get("closes_on", "").strip())
    except ValueError:
        errors["closes_on"] = "bad_date"
    else:
        if closes is not None:
            body["closes_at"] = closes.isoformat()
    return body, errors


@post("/rounds/new", include_in_schema=False, status_code=200)
async def round_open(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    data: Form,
    lang: str | None = None,
) -> Response[Any]:
    """Open the round as `POST /v1/rounds` does; the page with its codes, shown this once."""
    page, _ = await posted(request, runtime, data)
    key = page.require_key("assess")
    texts = _texts(page.language)
    sent = {name: value for name, value in data.items() if name != "csrf"}
    body, wrong = _asked(sent, list(page.served.round_spec.roles))
    errors = {field: texts[name].format(most=MAX_CODES_PER_ROLE) for field, name in wrong.items()}
    asked = None
    if not errors:
        try:
            asked = RoundRequest.model_validate(body)
        except ValidationError as exc:
            for error in exc.errors():
                field = ".".join(str(part) for part in error["loc"][:2])
                errors[field] = texts["invalid"]
    if asked is None:
        return _new_page(page, sent, errors, status=400)
    try:
        opened, codes = await open_for(runtime, key, asked)
    except ProblemError as exc:
        field, name = _PROBLEMS.get(exc.code, ("codes", "invalid"))
        return _new_page(page, sent, {field: texts[name]}, status=400)
    language = page.language
    titles = page.served.round_spec.role_titles
    address = str(request.base_url).rstrip("/") + "/respond"
    return page.render(
        "round_opened.html",
        texts=texts,
        round=_row(opened, page, texts),
        codes=[
            (
                titles[cast(Role, code.role)][language],
                texts["kind_shared"] if code.kind == "shared" else texts["kind_personal"],
                code.code,
            )
            for code in codes
        ],
        address=address,
    )


def round_page_handlers() -> list[Any]:
    """The rounds' pages for those who run them."""
    return [rounds_list, round_new, round_open, round_detail, round_close, round_delete_answers]
