"""The regional dashboard: a region's readiness at a glance, and its exports one click away.

Everything on it is what `GET /v1/regions/{region}/summary` answers, computed by the same code
(`Repository.region_figures`, `store.summary.summary`, `summary_titles`) with small groups
suppressed exactly as there (`READINESS_MIN_GROUP_SIZE`), and the same refusals: a key bound to
one organisation sees no regional figures, a key bound to a region sees only its own. Beside the
figures, each organisation's latest assessment links to its report; the exports are the list's
(`GET /v1/assessments?format=csv|xlsx&region=`) and the summary's CSV, served here under the
session's key because those endpoints take an API key, which a browser does not send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import Parameter
from litestar.response import Stream, Template
from markupsafe import Markup

from api.exports import summary_csv
from api.history import Export, export_stream, summary_titles
from api.pages.charts import Bar, bar_chart, column_chart
from api.pages.common import Page, PageError, texts_in
from api.paging import after_cursor
from api.runtime import Runtime
from schemas.vocabulary import READINESS_LEVELS, Language
from schemas.words import LEVELS as LEVEL_NAMES
from schemas.words import PHASE_NAMES, number, percent
from store.keys import ApiKeyInfo
from store.repository import AssessmentFilter, RegionInfo
from store.summary import summary

__all__ = ["dashboard_handlers"]

TEXTS: dict[str, dict[Language, str]] = {
    "heading": {
        "sv": "Regional översikt: {region}",
        "da": "Regionalt overblik: {region}",
        "en": "Regional dashboard: {region}",
    },
    "lead": {
        "sv": (
            "Varje organisations senaste bedömning räknas. Grupper med färre än {n} "
            "organisationer visas inte, så att ingen enskild organisation kan pekas ut."
        ),
        "da": (
            "Hver organisations seneste vurdering tælles med. Grupper med færre end {n} "
            "organisationer vises ikke, så ingen enkelt organisation kan udpeges."
        ),
        "en": (
            "Each organisation's latest assessment is counted. Groups of fewer than {n} "
            "organisations are not shown, so that no single organisation can be singled out."
        ),
    },
    "choose": {
        "sv": "Välj en region för att se dess siffror.",
        "da": "Vælg en region for at se dens tal.",
        "en": "Choose a region to see its figures.",
    },
    "no_regions": {
        "sv": "Inga bedömningar med region är sparade ännu.",
        "da": "Der er endnu ikke gemt vurderinger med region.",
        "en": "No assessments with a region are stored yet.",
    },
    "filter": {"sv": "Urval", "da": "Afgrænsning", "en": "Selection"},
    "region": {"sv": "Region", "da": "Region", "en": "Region"},
    "from": {"sv": "Från och med", "da": "Fra og med", "en": "From"},
    "to": {"sv": "Till och med", "da": "Til og med", "en": "To"},
    "date_help": {
        "sv": "Datum som ÅÅÅÅ-MM-DD; lämna tomt för hela perioden.",
        "da": "Dato som ÅÅÅÅ-MM-DD; lad feltet stå tomt for hele perioden.",
        "en": "A date as YYYY-MM-DD; leave empty for the whole period.",
    },
    "show": {"sv": "Visa", "da": "Vis", "en": "Show"},
    "bad_date": {
        "sv": "Skriv datumet som ÅÅÅÅ-MM-DD, till exempel 2026-03-31.",
        "da": "Skriv datoen som ÅÅÅÅ-MM-DD, for eksempel 2026-03-31.",
        "en": "Write the date as YYYY-MM-DD, for example 2026-03-31.",
    },
    "bad_range": {
        "sv": "Slutdatumet ligger före startdatumet.",
        "da": "Slutdatoen ligger før startdatoen.",
        "en": "The end date is before the start date.",
    },
    "form_errors": {
        "sv": "Urvalet kunde inte användas:",
        "da": "Afgrænsningen kunne ikke bruges:",
        "en": "The selection could not be used:",
    },
    "organisations": {"sv": "Organisationer", "da": "Organisationer", "en": "Organisations"},
    "assessments": {"sv": "Bedömningar", "da": "Vurderinger", "en": "Assessments"},
    "period": {"sv": "Period", "da": "Periode", "en": "Period"},
    "whole_period": {"sv": "Hela perioden", "da": "Hele perioden", "en": "The whole period"},
    "min_group": {
        "sv": "Minsta gruppstorlek",
        "da": "Mindste gruppestørrelse",
        "en": "Smallest group shown",
    },
    "no_data": {
        "sv": "Inga bedömningar är sparade för regionen under perioden.",
        "da": "Der er ikke gemt nogen vurderinger for regionen i perioden.",
        "en": "No assessments are stored for the region in the period.",
    },
    "region_suppressed": {
        "sv": (
            "Färre än {n} organisationer har bedömts i regionen under perioden. Sammanställda "
            "siffror visas inte, så att ingen enskild organisation kan pekas ut."
        ),
        "da": (
            "Færre end {n} organisationer er vurderet i regionen i perioden. Samlede tal vises "
            "ikke, så ingen enkelt organisation kan udpeges."
        ),
        "en": (
            "Fewer than {n} organisations were assessed in the region in the period. Combined "
            "figures are not shown, so that no single organisation can be singled out."
        ),
    },
    "levels": {
        "sv": "Beredskap, senaste bedömning per organisation",
        "da": "Parathed, seneste vurdering pr. organisation",
        "en": "Readiness, latest assessment per organisation",
    },
    "levels_desc": {
        "sv": "Antal organisationer per beredskapsnivå: {figures}.",
        "da": "Antal organisationer pr. parathedsniveau: {figures}.",
        "en": "Organisations per readiness level: {figures}.",
    },
    "level": {"sv": "Nivå", "da": "Niveau", "en": "Level"},
    "stages": {
        "sv": "Var organisationerna är i arbetet",
        "da": "Hvor organisationerne er i arbejdet",
        "en": "Where the organisations are in the work",
    },
    "stages_desc": {
        "sv": "Antal organisationer per fas: {figures}.",
        "da": "Antal organisationer pr. fase: {figures}.",
        "en": "Organisations per phase: {figures}.",
    },
    "stage": {"sv": "Fas", "da": "Fase", "en": "Phase"},
    "stages_help": {
        "sv": (
            "Fasen följer av de fjorton stegen: en organisation är i den första fas vars steg "
            "inte alla är gjorda."
        ),
        "da": (
            "Fasen følger af de fjorten trin: en organisation er i den første fase, hvis trin "
            "ikke alle er gennemført."
        ),
        "en": (
            "The phase follows from the fourteen steps: an organisation is in the first phase "
            "whose steps are not all done."
        ),
    },
    "first_actions": {
        "sv": "Det organisationerna ska göra först",
        "da": "Det, organisationerne skal gøre først",
        "en": "What the organisations have to do first",
    },
    "first_actions_help": {
        "sv": (
            "Varje rekommendation som står bland de tre första i en organisations senaste "
            "bedömning, och hur många organisationer det gäller."
        ),
        "da": (
            "Hver anbefaling, der står blandt de tre første i en organisations seneste "
            "vurdering, og hvor mange organisationer det gælder."
        ),
        "en": (
            "Each recommendation among the first three of an organisation's latest assessment, "
            "and how many organisations it applies to."
        ),
    },
    "recommendation": {"sv": "Rekommendation", "da": "Anbefaling", "en": "Recommendation"},
    "unclear_help": {
        "sv": "Oklart: för lite är besvarat för att nivån ska kunna avgöras.",
        "da": "Uafklaret: der er svaret for lidt til, at niveauet kan afgøres.",
        "en": "Unclear: too little is answered for the level to be decided.",
    },
    "share": {"sv": "Andel", "da": "Andel", "en": "Share"},
    "dimensions": {"sv": "Per dimension", "da": "Pr. dimension", "en": "Per dimension"},
    "dimension": {"sv": "Dimension", "da": "Dimension", "en": "Dimension"},
    "dimensions_chart": {
        "sv": "Medelpoäng per dimension (0–100)",
        "da": "Gennemsnitlig score pr. dimension (0–100)",
        "en": "Mean score per dimension (0–100)",
    },
    "dimensions_desc": {
        "sv": "Medelpoäng för organisationer som besvarat dimensionen: {figures}.",
        "da": "Gennemsnitlig score for organisationer, der har besvaret dimensionen: {figures}.",
        "en": "Mean score of the organisations that answered the dimension: {figures}.",
    },
    "mean_score": {"sv": "Medelpoäng", "da": "Gennemsnit", "en": "Mean score"},
    "answered_by": {"sv": "Besvarad av", "da": "Besvaret af", "en": "Answered by"},
    "not_answered": {"sv": "ej besvarad", "da": "ikke besvaret", "en": "not answered"},
    "gaps": {
        "sv": "Vanligaste bristerna",
        "da": "De hyppigste mangler",
        "en": "Most common gaps",
    },
    "gap": {"sv": "Brist", "da": "Mangel", "en": "Gap"},
    "obstacles": {
        "sv": "Vanligaste hindren",
        "da": "De hyppigste barrierer",
        "en": "Most common obstacles",
    },
    "obstacle": {"sv": "Hinder", "da": "Barriere", "en": "Obstacle"},
    "missing_success_factors": {
        "sv": "Framgångsfaktorer som oftast saknas",
        "da": "Succesfaktorer, der oftest mangler",
        "en": "Success factors most often missing",
    },
    "success_factor": {"sv": "Framgångsfaktor", "da": "Succesfaktor", "en": "Success factor"},
    "top_desc": {
        "sv": "Antal organisationer med var och en: {figures}.",
        "da": "Antal organisationer med hver af dem: {figures}.",
        "en": "Organisations with each: {figures}.",
    },
    "show_more": {
        "sv": "Visa {k} till",
        "da": "Vis {k} mere",
        "en": "Show {k} more",
    },
    "none_shown": {
        "sv": "Ingen att visa.",
        "da": "Ingen at vise.",
        "en": "None to show.",
    },
    "rows_suppressed": {
        "sv": "{k} till förekom i färre än {n} organisationer var och visas inte.",
        "da": "Yderligere {k} forekom hver i færre end {n} organisationer og vises ikke.",
        "en": "{k} more occurred in fewer than {n} organisations each and are not shown.",
    },
    "trend": {
        "sv": "Utveckling per kvartal",
        "da": "Udvikling pr. kvartal",
        "en": "Trend by quarter",
    },
    "trend_chart": {
        "sv": "Medelpoäng per kvartal (0–100)",
        "da": "Gennemsnitlig score pr. kvartal (0–100)",
        "en": "Mean score by quarter (0–100)",
    },
    "trend_desc": {
        "sv": "Medelpoäng för varje organisations senaste bedömning i kvartalet: {figures}.",
        "da": "Gennemsnitlig score for hver organisations seneste vurdering i kvartalet: {figures}.",
        "en": "Mean score of each organisation's latest assessment in the quarter: {figures}.",
    },
    "quarter": {"sv": "Kvartal", "da": "Kvartal", "en": "Quarter"},
    # The year first in Swedish and English tables (2026 kv. 1, 2026 Q1), last in Danish, as
    # Danish writes a quarter (1. kvt. 2026).
    "quarter_name": {
        "sv": "{year}{between}kv. {n}",
        "da": "{n}. kvt.{between}{year}",
        "en": "{year}{between}Q{n}",
    },
    "hidden": {"sv": "dold", "da": "skjult", "en": "hidden"},
    "hidden_group": {
        "sv": "Dold: färre än {n} organisationer",
        "da": "Skjult: færre end {n} organisationer",
        "en": "Hidden: fewer than {n} organisations",
    },
    "list": {
        "sv": "Organisationerna och deras senaste bedömning",
        "da": "Organisationerne og deres seneste vurdering",
        "en": "The organisations and their latest assessment",
    },
    "organisation": {"sv": "Organisation", "da": "Organisation", "en": "Organisation"},
    "assessed": {"sv": "Bedömd", "da": "Vurderet", "en": "Assessed"},
    "score": {"sv": "Poäng", "da": "Score", "en": "Score"},
    "report": {"sv": "Rapport", "da": "Rapport", "en": "Report"},
    "open_report": {"sv": "Öppna rapporten", "da": "Åbn rapporten", "en": "Open the report"},
    "exports": {"sv": "Exportera", "da": "Eksport", "en": "Export"},
    "exports_help": {
        "sv": "Regionens sparade bedömningar under den valda perioden, som nyckeln får läsa.",
        "da": "Regionens gemte vurderinger i den valgte periode, som nøglen må læse.",
        "en": "The region's stored assessments in the chosen period that the key may read.",
    },
    "export_csv": {"sv": "Bedömningar (CSV)", "da": "Vurderinger (CSV)", "en": "Assessments (CSV)"},
    "export_xlsx": {
        "sv": "Bedömningar (Excel)",
        "da": "Vurderinger (Excel)",
        "en": "Assessments (Excel)",
    },
    "export_gaps": {
        "sv": "Brister per bedömning (CSV)",
        "da": "Mangler pr. vurdering (CSV)",
        "en": "Gaps per assessment (CSV)",
    },
    "export_summary": {
        "sv": "Sammanställningen för perioden (CSV)",
        "da": "Sammenfatningen for perioden (CSV)",
        "en": "The summary of the period (CSV)",
    },
    "chart_table": {
        "sv": "Samma siffror i tabellform:",
        "da": "De samme tal som tabel:",
        "en": "The same figures as a table:",
    },
    "organisation_key": {
        "sv": "Regionala siffror visas inte för en nyckel som hör till en enda organisation.",
        "da": "Regionale tal vises ikke for en nøgle, der hører til én organisation.",
        "en": "Regional figures are not shown for a key bound to one organisation.",
    },
}

Chosen = Annotated[str | None, Parameter(query="region")]
DayFrom = Annotated[str | None, Parameter(query="from")]
DayTo = Annotated[str | None, Parameter(query="to")]

_CSV = "text/csv"


def _texts(language: Language) -> dict[str, str]:
    return texts_in(TEXTS, language)


def quarter_name(quarter: str, language: Language, between: str = " ") -> str:
    """`2026-Q1` as the language writes it, its year and quarter parted by `between`."""
    year, _, n = quarter.partition("-Q")
    return TEXTS["quarter_name"][language].format(year=year, n=n, between=between)


def _reader(page: Page) -> ApiKeyInfo:
    """The session's key, if it may see regional figures (as the summary endpoint decides).

    Raises:
        PageError: 401 unsigned, 403 without `read` or for a key bound to one organisation.
    """
    key = page.require_key("read")
    if key.binding.organisation_id is not None:
        raise PageError(403, "organisation-key", TEXTS["organisation_key"][page.language])
    return key


def _region_of(key: ApiKeyInfo, chosen: str | None, regions: list[RegionInfo]) -> str | None:
    """The region to show: the one asked for, else the key's, else the only one there is.

    Raises:
        PageError: 404 for a region outside the key's binding (as the summary endpoint answers).
    """
    bound = key.binding.region
    if chosen is not None:
        chosen = chosen.strip()
    if chosen:
        if bound not in (None, chosen):
            raise PageError(404, "not-found", chosen)
        return chosen
    if bound is not None:
        return bound
    return regions[0].region if len(regions) == 1 else None


def _day(text: str | None, texts: dict[str, str], label: str, errors: list[str]) -> date | None:
    if text is None or not text.strip():
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        errors.append(f"{label}: {texts['bad_date']}")
        return None


def _start(day: date | None, end: bool = False) -> datetime | None:
    if day is None:
        return None
    moment = datetime.combine(day, time.min, tzinfo=UTC)
    return moment + timedelta(days=1) if end else moment


def _summary(
    request: Request[Any, Any, Any],
    runtime: Runtime,
    region: str,
    period: tuple[date | None, date | None],
    language: Language,
) -> dict[str, Any]:
    """The region's summary, as `GET /v1/regions/{region}/summary` computes it."""
    first, last = period
    figures = runtime.repository.region_figures(region, _start(first), _start(last, end=True))
    written = {
        "from": first.isoformat() if first else None,
        "to": last.isoformat() if last else None,
    }
    titles = summary_titles(runtime.engine_for(request).ruleset, language)
    return summary(region, figures, runtime.settings.min_group_size, written, titles)


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a list of findings (gaps, obstacles, success factors) as shown."""

    id: str
    title: str
    organisations: int
    share: str


def _findings(
    result: dict[str, Any], name: str, texts: dict[str, str], language: Language
) -> dict[str, Any]:
    """One list of findings: its ten most frequent (charted), the rest, what was suppressed."""
    rows = [
        Row(
            item["id"],
            item.get("title", item["id"]),
            item["organisations"],
            percent(item["share"], language),
        )
        for item in result[name]
    ]
    hidden = result[f"{name}_suppressed"]
    top = rows[:10]
    chart = None
    if top and name != "missing_success_factors":
        figures = "; ".join(f"{row.title}: {row.organisations}" for row in top)
        chart = bar_chart(
            f"chart-{name.replace('_', '-')}",
            texts[name],
            texts["top_desc"].format(figures=figures),
            [Bar(row.title, row.organisations, str(row.organisations), "") for row in top],
            result["organisations"],
        )
    return {
        "name": name,
        "heading": texts[name],
        "column": {
            "gaps": texts["gap"],
            "obstacles": texts["obstacle"],
            "first_actions": texts["recommendation"],
        }.get(name, texts["success_factor"]),
        "help": texts.get(f"{name}_help"),
        "rows": top,
        "more": rows[len(top) :],
        "more_label": texts["show_more"].format(k=len(rows) - len(top)),
        "chart": chart,
        "hidden": (
            texts["rows_suppressed"].format(k=hidden, n=result["min_organisations"])
            if hidden
            else None
        ),
    }


def _distribution(
    name: str,
    counted: list[tuple[object, str, int]],
    organisations: int,
    texts: dict[str, str],
    language: Language,
    bar_class: str = "",
) -> tuple[list[dict[str, Any]], Markup]:
    """Organisations by level or by stage: the table's rows and the chart of the same counts.

    `counted` gives (key, name, count) per row; `texts` the heading (`name`) and the
    description (`name_desc`); `bar_class` a bar's class, with `{}` for its key.
    """
    rows: list[dict[str, Any]] = [
        {
            "key": key,
            "name": shown,
            "count": count,
            "share": percent(count / organisations, language),
        }
        for key, shown, count in counted
    ]
    chart = bar_chart(
        f"chart-{name}",
        texts[name],
        texts[f"{name}_desc"].format(
            figures="; ".join(f"{row['name']}: {row['count']}" for row in rows)
        ),
        [
            Bar(row["name"], row["count"], str(row["count"]), bar_class.format(row["key"]))
            for row in rows
        ],
        organisations,
    )
    return rows, chart


def _view(result: dict[str, Any], page: Page, texts: dict[str, str]) -> dict[str, Any]:
    """What the template shows of a summary that is not suppressed, charts included."""
    language = page.language
    n = result["min_organisations"]
    organisations = result["organisations"]
    counts = result["readiness_levels"]
    levels, levels_chart = _distribution(
        "levels",
        [(level, LEVEL_NAMES[level][language], counts.get(level, 0)) for level in READINESS_LEVELS],
        organisations,
        texts,
        language,
        bar_class="bar-{}",
    )
    held = result["stages"]
    stages, stages_chart = _distribution(
        "stages",
        [
            (stage, f"{stage}. {PHASE_NAMES[stage][language]}", held[str(stage)])
            for stage in PHASE_NAMES
        ],
        organisations,
        texts,
        language,
    )
    sections = {s.path: s.title for s in page.served.questionnaires.of(language).sections}
    dimensions = [
        {
            "dimension": row["dimension"],
            "title": sections.get(row["dimension"], row["dimension"]),
            "levels": [row["levels"][level] for level in READINESS_LEVELS],
            "mean": None
            if row["mean_score"] is None
            else number(row["mean_score"], language, digits=1),
            "mean_value": row["mean_score"],
            "answered_by": row["answered_by"],
        }
        for row in result["dimensions"]
    ]
    dimensions_chart = bar_chart(
        "chart-dimensions",
        texts["dimensions_chart"],
        texts["dimensions_desc"].format(
            figures="; ".join(
                f"{row['title']}: {row['mean'] or texts['not_answered']}" for row in dimensions
            )
        ),
        [
            Bar(row["title"], row["mean_value"], row["mean"] or texts["not_answered"], "")
            for row in dimensions
        ],
        100,
    )
    trend = [
        {
            "quarter": quarter_name(row["quarter"], language),
            "quarter_lines": quarter_name(row["quarter"], language, "\n"),
            "organisations": row["organisations"],
            "assessments": row["assessments"],
            "suppressed": row["suppressed"],
            "mean_value": row.get("mean_score"),
            "mean": None
            if row.get("mean_score") is None
            else number(row["mean_score"], language, digits=1),
            "levels": [row.get("levels", {}).get(level, 0) for level in READINESS_LEVELS],
        }
        for row in result["trend"]
    ]
    trend_chart = column_chart(
        "chart-trend",
        texts["trend_chart"],
        texts["trend_desc"].format(
            figures="; ".join(
                f"{row['quarter']}: "
                + (texts["hidden"] if row["suppressed"] else row["mean"] or texts["not_answered"])
                for row in trend
            )
        ),
        [
            Bar(
                row["quarter_lines"],
                None if row["suppressed"] else row["mean_value"],
                texts["hidden"] if row["suppressed"] else row["mean"] or "–",
                "",
            )
            for row in trend
        ],
        100,
        ticks=(0, 25, 50, 75, 100),
    )
    return {
        "levels": levels,
        "levels_chart": levels_chart,
        "stages": stages,
        "stages_chart": stages_chart,
        "dimensions": dimensions,
        "dimensions_chart": dimensions_chart,
        "findings": [
            _findings(result, name, texts, language)
            for name in ("first_actions", "gaps", "obstacles", "missing_success_factors")
        ],
        "trend": trend,
        "trend_chart": trend_chart,
        "hidden_group": texts["hidden_group"].format(n=n),
    }


@get("/dashboard", include_in_schema=False, sync_to_thread=True)
def dashboard(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    region: Chosen = None,
    created_from: DayFrom = None,
    created_to: DayTo = None,
) -> Template:
    """The dashboard of one region; for a key of every region, first a choice of region."""
    page = Page(request, runtime, start=False)
    key = _reader(page)
    language = page.language
    texts = _texts(language)
    repository = runtime.repository
    regions = repository.regions(key.binding)
    shown = _region_of(key, region, regions)
    n = runtime.settings.min_group_size
    errors: list[str] = []
    first = _day(created_from, texts, texts["from"], errors)
    last = _day(created_to, texts, texts["to"], errors)
    if first is not None and last is not None and last < first:
        errors.append(texts["bad_range"])
    context: dict[str, Any] = {
        "texts": texts,
        "region": shown,
        "regions": regions if key.binding.region is None else [],
        "chosen_from": created_from or "",
        "chosen_to": created_to or "",
        "errors": errors,
        "lead": texts["lead"].format(n=n),
        "result": None,
    }
    if shown is None or errors:
        return page.render("dashboard.html", status=400 if errors else 200, **context)
    result = _summary(request, runtime, shown, (first, last), language)
    period = result["period"]
    chosen = {k: v for k, v in (("from", created_from), ("to", created_to)) if v}
    latest = repository.latest_by_organisation(shown, _start(first), _start(last, end=True))
    level_names = {level: names[language] for level, names in LEVEL_NAMES.items()}
    context.update(
        result=result,
        period=(
            f"{period['from'] or '…'} – {period['to'] or '…'}"
            if first or last
            else texts["whole_period"]
        ),
        heading=texts["heading"].format(region=shown),
        suppressed_text=texts["region_suppressed"].format(n=n),
        view=None if result["suppressed"] else _view(result, page, texts),
        organisations=[
            {
                "id": stored.id,
                "organisation": stored.organisation_id,
                "name": stored.organisation_name,
                "assessed": stored.made_at.date().isoformat(),
                "level": stored.readiness_level,
                "level_name": level_names.get(stored.readiness_level, stored.readiness_level),
                "score": (
                    None
                    if stored.readiness_score is None
                    else number(stored.readiness_score, language, digits=1)
                ),
            }
            for stored in latest
        ],
        exports=[
            (texts["export_csv"], page.link("/dashboard/export.csv", region=shown, **chosen)),
            (texts["export_xlsx"], page.link("/dashboard/export.xlsx", region=shown, **chosen)),
            (
                texts["export_gaps"],
                page.link("/dashboard/export.csv", region=shown, rows="gap", **chosen),
            ),
            (texts["export_summary"], page.link("/dashboard/summary.csv", region=shown, **chosen)),
        ],
    )
    return page.render("dashboard.html", **context)


def _export_region(
    request: Request[Any, Any, Any], runtime: Runtime, region: str | None
) -> tuple[Page, ApiKeyInfo, str]:
    page = Page(request, runtime, start=False)
    key = _reader(page)
    shown = _region_of(key, region, runtime.repository.regions(key.binding))
    if shown is None:
        raise PageError(404, "not-found", "region")
    return page, key, shown


def _period(
    page: Page, created_from: str | None, created_to: str | None
) -> tuple[date | None, date | None]:
    """The period the dashboard was showing, read as the dashboard reads it (400 if bad)."""
    texts = _texts(page.language)
    errors: list[str] = []
    first = _day(created_from, texts, texts["from"], errors)
    last = _day(created_to, texts, texts["to"], errors)
    if first is not None and last is not None and last < first:
        errors.append(texts["bad_range"])
    if errors:
        raise PageError(400, "bad-date", " ".join(errors))
    return first, last


def _assessments_export(
    request: Request[Any, Any, Any],
    runtime: Runtime,
    region: str | None,
    format: Literal["csv", "xlsx"],
    rows: Literal["assessment", "gap"],
    cursor: str | None,
    period: tuple[str | None, str | None],
) -> Stream:
    """The list's export (`GET /v1/assessments?region=&format=`) under the session's key.

    For the period the dashboard showed: by the day each assessment describes, as the figures
    count (the list's `assessed_from` and `assessed_to`).
    """
    page, key, shown = _export_region(request, runtime, region)
    first, last = _period(page, *period)
    after = after_cursor(cursor)
    most = runtime.settings.export_max_rows
    dialect: Literal["rfc4180", "excel-nordic"] = (
        "excel-nordic" if page.language in ("sv", "da") else "rfc4180"
    )
    filters = AssessmentFilter(
        region=shown, assessed_from=_start(first), assessed_to=_start(last, end=True)
    )
    export = Export(filters, key.binding, after, most, format, rows, dialect)
    query: dict[str, object] = {"region": shown, "from": period[0], "to": period[1]}
    query["lang"] = page.language
    if rows != "assessment":
        query["rows"] = rows
    return export_stream(request, runtime, export, query)


@get("/dashboard/export.csv", include_in_schema=False, sync_to_thread=True)
def export_csv(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    region: Chosen = None,
    rows: Literal["assessment", "gap"] = "assessment",
    cursor: str | None = None,
    created_from: DayFrom = None,
    created_to: DayTo = None,
) -> Stream:
    """The region's stored assessments (or their gaps) as CSV, in the language's dialect."""
    period = (created_from, created_to)
    return _assessments_export(request, runtime, region, "csv", rows, cursor, period)


@get("/dashboard/export.xlsx", include_in_schema=False, sync_to_thread=True)
def export_xlsx(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    region: Chosen = None,
    rows: Literal["assessment", "gap"] = "assessment",
    cursor: str | None = None,
    created_from: DayFrom = None,
    created_to: DayTo = None,
) -> Stream:
    """The region's stored assessments (or their gaps) as an Excel workbook."""
    period = (created_from, created_to)
    return _assessments_export(request, runtime, region, "xlsx", rows, cursor, period)


@get("/dashboard/summary.csv", include_in_schema=False, sync_to_thread=True)
def export_summary(
    request: Request[Any, Any, Any],
    runtime: NamedDependency[Runtime],
    lang: str | None = None,
    region: Chosen = None,
    created_from: DayFrom = None,
    created_to: DayTo = None,
) -> Response[bytes]:
    """The region's summary as CSV, as `GET /v1/regions/{region}/summary?format=csv` gives it."""
    page, _, shown = _export_region(request, runtime, region)
    first, last = _period(page, created_from, created_to)
    result = _summary(request, runtime, shown, (first, last), page.language)
    dialect: Literal["rfc4180", "excel-nordic"] = (
        "excel-nordic" if page.language in ("sv", "da") else "rfc4180"
    )
    return Response(
        content=summary_csv(result, dialect).encode(),
        media_type=_CSV,
        headers={
            "Cache-Control": "no-store",
            "Content-Language": page.language,
            "Content-Disposition": 'attachment; filename="region-summary.csv"',
        },
    )


def dashboard_handlers() -> list[Any]:
    """The dashboard and its exports."""
    return [dashboard, export_csv, export_xlsx, export_summary]
