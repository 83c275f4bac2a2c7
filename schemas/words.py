"""A result's words in Swedish, Danish and English: the names of its codes, and report labels.

A result names its levels, severities, owners, kinds and phases by code (`not_ready`,
`tactical_leadership`, 1); a head of service reads them here in words, on the report pages and
in `readiness assess --format text`. The names of the phases follow the Swedish guide's four
phases (`kunskapsguiden-implementering`, "Fas 1. Initial bedömning" … "Fas 4. Lära och
förbättra").
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from schemas.result import Readiness, Recommendation
from schemas.vocabulary import Language

__all__ = [
    "KINDS",
    "LEVELS",
    "MONTHS",
    "OWNERS",
    "PHASE_NAMES",
    "PRIORITIES",
    "SEVERITIES",
    "TEXTS",
    "due_heading",
    "firmness",
    "number",
    "percent",
    "say",
    "step_words",
    "steps_left_text",
]

Words = dict[str, dict[Language, str]]

LEVELS: Words = {
    "not_ready": {"sv": "Inte redo", "da": "Ikke parat", "en": "Not ready"},
    "partly_ready": {"sv": "Delvis redo", "da": "Delvist parat", "en": "Partly ready"},
    "ready": {"sv": "Redo", "da": "Parat", "en": "Ready"},
    "unknown": {"sv": "Oklart", "da": "Uafklaret", "en": "Unclear"},
}
"""Readiness levels."""

SEVERITIES: Words = {
    "blocking": {"sv": "Blockerande", "da": "Blokerende", "en": "Blocking"},
    "high": {"sv": "Hög", "da": "Høj", "en": "High"},
    "medium": {"sv": "Medel", "da": "Middel", "en": "Medium"},
    "low": {"sv": "Låg", "da": "Lav", "en": "Low"},
}
"""How much a gap endangers the implementation."""

PRIORITIES: Words = {
    "critical": {"sv": "Kritisk", "da": "Kritisk", "en": "Critical"},
    "high": {"sv": "Hög", "da": "Høj", "en": "High"},
    "medium": {"sv": "Medel", "da": "Middel", "en": "Medium"},
    "low": {"sv": "Låg", "da": "Lav", "en": "Low"},
}
"""A recommendation's priority."""

OWNERS: Words = {
    "strategic_leadership": {
        "sv": "Strategisk ledning",
        "da": "Strategisk ledelse",
        "en": "Strategic leadership",
    },
    "tactical_leadership": {
        "sv": "Taktisk ledning",
        "da": "Taktisk ledelse",
        "en": "Tactical leadership",
    },
    "operational_leadership": {
        "sv": "Operativ ledning",
        "da": "Operationel ledelse",
        "en": "Operational leadership",
    },
    "implementation_team": {
        "sv": "Implementeringsteamet",
        "da": "Implementeringsteamet",
        "en": "Implementation team",
    },
    "tovholder": {"sv": "Processledaren", "da": "Tovholderen", "en": "Tovholder (process lead)"},
}
"""Who acts on a recommendation."""

KINDS: Words = {
    "missing": {"sv": "Saknas", "da": "Mangler", "en": "Missing"},
    "at_risk": {"sv": "Risk", "da": "Risiko", "en": "At risk"},
    "unknown": {"sv": "Behöver tas reda på", "da": "Skal afklares", "en": "To find out"},
    "disagreement": {
        "sv": "Rollerna ser olika på saken",
        "da": "Rollerne ser forskelligt på det",
        "en": "Roles see it differently",
    },
}
"""Kinds of gaps."""

PHASE_NAMES: Mapping[int, Mapping[Language, str]] = MappingProxyType(
    {
        1: {"sv": "Initial bedömning", "da": "Indledende vurdering", "en": "Initial assessment"},
        2: {
            "sv": "Struktur för implementering",
            "da": "Struktur for implementering",
            "en": "Structure for implementation",
        },
        3: {"sv": "Genomförande", "da": "Gennemførelse", "en": "Carrying it out"},
        4: {"sv": "Lära och förbättra", "da": "Lære og forbedre", "en": "Learn and improve"},
    }
)
"""The four implementation phases of kunskapsguiden-implementering, by number, in each language."""

MONTHS: dict[Language, tuple[str, ...]] = {
    "sv": (
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
    ),
    "da": (
        "januar", "februar", "marts", "april", "maj", "juni",
        "juli", "august", "september", "oktober", "november", "december",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip
"""Month names, for dates written out."""

TEXTS: Words = {
    "report": {"sv": "Rapport om implementeringsberedskap", "da": "Parathedsrapport", "en": "Readiness report"},
    "contents": {"sv": "Innehåll", "da": "Indhold", "en": "Contents"},
    "organisation": {"sv": "Organisation", "da": "Organisation", "en": "Organisation"},
    "intervention": {"sv": "Arbetssätt", "da": "Indsats", "en": "Intervention"},
    "region": {"sv": "Region", "da": "Region", "en": "Region"},
    "assessed": {"sv": "Bedömd", "da": "Vurderet", "en": "Assessed"},
    "rules": {"sv": "Regelversion", "da": "Regelversion", "en": "Rules version"},
    "not_stored": {
        "sv": "Inte sparad: resultatet finns bara i den här sessionen och försvinner när ni loggar ut.",
        "da": "Ikke gemt: resultatet findes kun i denne session og forsvinder, når I logger ud.",
        "en": "Not stored: the result is kept in this session only and is gone when you sign out.",
    },
    "stored_language": {
        "sv": "Några texter visas på det språk bedömningen gjordes på, eftersom reglerna har ändrats sedan dess.",
        "da": "Nogle tekster vises på det sprog, vurderingen blev foretaget på, fordi reglerne er ændret siden.",
        "en": "Some texts are shown in the language the assessment was made in, as the rules have changed since.",
    },
    "unreadable": {
        "sv": "Bedömningen sparades av en tidigare version och kan inte visas som rapport. API:t lämnar ut den som den sparades: {path}",
        "da": "Vurderingen blev gemt af en tidligere version og kan ikke vises som rapport. API'et udleverer den, som den blev gemt: {path}",
        "en": "The assessment was stored by an earlier version and cannot be shown as a report. The API gives it as it was stored: {path}",
    },
    "print": {"sv": "Skriv ut", "da": "Udskriv", "en": "Print"},
    "print_help": {
        "sv": "Skriv ut eller spara som PDF med webbläsarens utskriftsfunktion (Ctrl+P).",
        "da": "Udskriv eller gem som PDF med browserens udskriftsfunktion (Ctrl+P).",
        "en": "Print or save as PDF with the browser's print command (Ctrl+P).",
    },
    "compare": {
        "sv": "Jämför med föregående bedömning",
        "da": "Sammenlign med forrige vurdering",
        "en": "Compare with the previous assessment",
    },
    "first": {
        "sv": "Det här är organisationens första bedömning av arbetssättet; det finns ingen tidigare att jämföra med.",
        "da": "Dette er organisationens første vurdering af indsatsen; der er ingen tidligere at sammenligne med.",
        "en": "This is the organisation's first assessment of the intervention; there is no earlier one to compare with.",
    },
    "summary": {"sv": "Sammanfattning", "da": "Sammenfatning", "en": "Summary"},
    "level": {"sv": "Beredskap", "da": "Parathed", "en": "Readiness"},
    "score": {"sv": "Poäng (0–100)", "da": "Point (0–100)", "en": "Score (0–100)"},
    "no_score": {"sv": "Inga svar", "da": "Ingen svar", "en": "No answers"},
    "firmness": {
        "sv": "Hur säker bedömningen är",
        "da": "Hvor sikker vurderingen er",
        "en": "How firm the judgement is",
    },
    "answered_share": {
        "sv": "{share} av frågorna som räknas är besvarade.",
        "da": "{share} af de spørgsmål, der tæller med, er besvaret.",
        "en": "{share} of the questions that count are answered.",
    },
    "range": {
        "sv": "Med svar på resten kan poängen hamna var som helst mellan {worst} och {best}.",
        "da": "Når resten er besvaret, kan pointtallet ende hvor som helst mellem {worst} og {best}.",
        "en": "With the rest answered, the score could end anywhere between {worst} and {best}.",
    },
    "range_firm": {
        "sv": "Poängen ligger fast: inga obesvarade frågor kan ändra den.",
        "da": "Pointtallet ligger fast: ingen ubesvarede spørgsmål kan ændre det.",
        "en": "The score is firm: no unanswered question can change it.",
    },
    "unknown_level": {
        "sv": "För lite är besvarat för att bedöma beredskapen: svaren som saknas kan leda till mer än en nivå.",
        "da": "Der er besvaret for lidt til at vurdere paratheden: de manglende svar kan føre til mere end ét niveau.",
        "en": "Too little is answered to judge readiness: the missing answers could lead to more than one level.",
    },
    "capped": {
        "sv": "Beredskapen är ”inte redo” så länge en blockerande brist finns kvar:",
        "da": "Paratheden forbliver »ikke parat«, så længe en blokerende mangel består:",
        "en": "Readiness stays “not ready” while a blocking gap remains:",
    },
    "stage": {"sv": "Fas", "da": "Fase", "en": "Phase"},
    "stage_text": {
        "sv": "Organisationen är i fas {stage} av 4: {name}.",
        "da": "Organisationen er i fase {stage} af 4: {name}.",
        "en": "The organisation is in phase {stage} of 4: {name}.",
    },
    "steps_left": {
        "sv": "Kvar i fasen: steg {steps}.",
        "da": "Tilbage i fasen: trin {steps}.",
        "en": "Left in this phase: {step_word} {steps}.",
    },
    "step_left_partly": {"sv": "delvis gjort", "da": "delvist gennemført", "en": "done in part"},
    "step_left_not": {"sv": "inte gjort", "da": "ikke gennemført", "en": "not done"},
    "step_left_unknown": {"sv": "inget svar", "da": "intet svar", "en": "no answer"},
    "stage_help": {
        "sv": "Fasen är den första av de fyra faserna där inte alla steg är genomförda.",
        "da": "Fasen er den første af de fire faser, hvor ikke alle trin er gennemført.",
        "en": "The phase is the first of the four whose steps are not all done.",
    },
    "implemented_yes": {
        "sv": "Arbetssättet räknas som implementerat: mer än hälften av dem som ska använda det gör det som avsett.",
        "da": "Indsatsen regnes som implementeret: mere end halvdelen af dem, der skal arbejde med den, gør det som tilsigtet.",
        "en": "The intervention counts as implemented: more than half of those meant to use it do so as intended.",
    },
    "implemented_no": {
        "sv": "Arbetssättet räknas ännu inte som implementerat: högst hälften av dem som ska använda det gör det som avsett.",
        "da": "Indsatsen regnes endnu ikke som implementeret: højst halvdelen af dem, der skal arbejde med den, gør det som tilsigtet.",
        "en": "The intervention does not count as implemented yet: at most half of those meant to use it do so as intended.",
    },
    "dimensions": {"sv": "Beredskap per område", "da": "Parathed pr. område", "en": "Readiness by area"},
    "dimensions_desc": {
        "sv": "Poäng 0–100 per område; streckade linjer vid gränserna för delvis redo ({partly}) och redo ({ready}).",
        "da": "Point 0–100 pr. område; stiplede linjer ved grænserne for delvist parat ({partly}) og parat ({ready}).",
        "en": "Score 0–100 per area; dashed lines at the thresholds for partly ready ({partly}) and ready ({ready}).",
    },
    "threshold_partly": {
        "sv": "Gräns för delvis redo",
        "da": "Grænse for delvist parat",
        "en": "Threshold for partly ready",
    },
    "threshold_ready": {"sv": "Gräns för redo", "da": "Grænse for parat", "en": "Threshold for ready"},
    "area": {"sv": "Område", "da": "Område", "en": "Area"},
    "answered": {"sv": "Besvarade", "da": "Besvaret", "en": "Answered"},
    "of": {"sv": "{part} av {whole}", "da": "{part} af {whole}", "en": "{part} of {whole}"},
    "recommendations": {
        "sv": "Rekommendationer, i den ordning arbetet görs",
        "da": "Anbefalinger, i den rækkefølge arbejdet gøres",
        "en": "Recommendations, in the order the work is done",
    },
    "due_now": {
        "sv": "Nu, i fas {phase} ({name}), där ni befinner er",
        "da": "Nu, i fase {phase} ({name}), hvor I befinder jer",
        "en": "Now, in phase {phase} ({name}), where you are",
    },
    "due_phase": {
        "sv": "När ni når fas {phase} ({name})",
        "da": "Når I når fase {phase} ({name})",
        "en": "When you reach phase {phase} ({name})",
    },
    "due_looking_back": {
        "sv": "Mindre brister från faser ni har lämnat",
        "da": "Mindre mangler fra faser, I er gået videre fra",
        "en": "Smaller gaps from phases you have left",
    },
    "due_find_out": {
        "sv": "Att ta reda på",
        "da": "Skal afklares",
        "en": "To find out",
    },
    "more": {
        "sv": "… och {count} till; visa alla med {command}",
        "da": "… og {count} flere; vis dem alle med {command}",
        "en": "… and {count} more; show them all with {command}",
    },
    "no_recommendations": {
        "sv": "Inga rekommendationer: svaren visar inga brister.",
        "da": "Ingen anbefalinger: svarene viser ingen mangler.",
        "en": "No recommendations: the answers show no gaps.",
    },
    "owner": {"sv": "Ansvarig", "da": "Ansvarlig", "en": "Who acts"},
    "priority": {"sv": "Prioritet", "da": "Prioritet", "en": "Priority"},
    "step": {
        "sv": "Steg {step} i fas {phase}",
        "da": "Trin {step} i fase {phase}",
        "en": "Step {step} in phase {phase}",
    },
    "step_also": {
        "sv": "Steg {step} i fas {phase}, även steg {also}",
        "da": "Trin {step} i fase {phase}, også trin {also}",
        "en": "Step {step} in phase {phase}, also step {also}",
    },
    "why": {"sv": "Varför", "da": "Hvorfor", "en": "Why"},
    "after": {"sv": "Görs efter", "da": "Gøres efter", "en": "Comes after"},
    "before": {"sv": "Görs före", "da": "Gøres før", "en": "Comes before"},
    "sub_points": {
        "sv": "Görs som en del av detta",
        "da": "Gøres som en del af dette",
        "en": "Done as part of it",
    },
    "sources": {"sv": "Källor", "da": "Kilder", "en": "Sources"},
    "findings": {"sv": "Brister och risker", "da": "Mangler og risici", "en": "Gaps and risks"},
    "finding": {"sv": "Brist eller risk", "da": "Mangel eller risiko", "en": "Gap or risk"},
    "kind": {"sv": "Typ", "da": "Type", "en": "Kind"},
    "severity": {"sv": "Allvarlighetsgrad", "da": "Alvorlighedsgrad", "en": "Severity"},
    "no_findings": {
        "sv": "Svaren visar inga brister eller risker.",
        "da": "Svarene viser ingen mangler eller risici.",
        "en": "The answers show no gaps or risks.",
    },
    "escalations": {
        "sv": "Kombinationer som är värre tillsammans",
        "da": "Kombinationer, der er værre sammen",
        "en": "Combinations that are worse together",
    },
    "obstacles": {
        "sv": "Hinder som bristerna leder till",
        "da": "Barrierer, som manglerne fører til",
        "en": "Obstacles the gaps lead to",
    },
    "strengths": {"sv": "Styrkor", "da": "Styrker", "en": "Strengths"},
    "strengths_intro": {
        "sv": "Framgångsfaktorer som svaren visar finns på plats:",
        "da": "Succesfaktorer, der ifølge svarene er på plads:",
        "en": "Success factors the answers show to be in place:",
    },
    "no_strengths": {
        "sv": "Svaren visar ännu inga framgångsfaktorer på plats.",
        "da": "Svarene viser endnu ingen succesfaktorer på plads.",
        "en": "The answers show no success factors in place yet.",
    },
    "factors_missing": {
        "sv": "Framgångsfaktorer som saknas",
        "da": "Succesfaktorer, der mangler",
        "en": "Success factors missing",
    },
    "unknowns": {"sv": "Det som ännu inte är känt", "da": "Det, der endnu ikke vides", "en": "What is not known yet"},
    "unknown_gaps": {
        "sv": "Ta reda på det här innan ni bedömer vidare:",
        "da": "Find ud af dette, før I vurderer videre:",
        "en": "Find these out before judging further:",
    },
    "unanswered_by_area": {
        "sv": "Obesvarade frågor per område",
        "da": "Ubesvarede spørgsmål pr. område",
        "en": "Unanswered questions by area",
    },
    "unanswered": {"sv": "Obesvarade", "da": "Ubesvaret", "en": "Unanswered"},
    "unanswered_list": {
        "sv": "Frågorna som saknar svar ({count})",
        "da": "Spørgsmålene uden svar ({count})",
        "en": "The questions without an answer ({count})",
    },
    "all_answered": {
        "sv": "Alla frågor som räknas är besvarade.",
        "da": "Alle spørgsmål, der tæller med, er besvaret.",
        "en": "Every question that counts is answered.",
    },
    "none_title": {"sv": "Inget resultat ännu", "da": "Intet resultat endnu", "en": "No result yet"},
    "none_text": {
        "sv": "Den här sessionen har ingen osparad bedömning. Fyll i självskattningen så får ni en rapport.",
        "da": "Denne session har ingen vurdering, der ikke er gemt. Udfyld selvevalueringen, så får I en rapport.",
        "en": "This session holds no assessment that is not stored yet. Fill in the questionnaire to get a report.",
    },
    "to_questionnaire": {
        "sv": "Till självskattningen",
        "da": "Til selvevalueringen",
        "en": "To the questionnaire",
    },
    "comparison": {
        "sv": "Jämförelse med föregående bedömning",
        "da": "Sammenligning med forrige vurdering",
        "en": "Comparison with the previous assessment",
    },
    "nothing_to_compare": {
        "sv": "Inget att jämföra med",
        "da": "Intet at sammenligne med",
        "en": "Nothing to compare with",
    },
    "back_to_report": {"sv": "Tillbaka till rapporten", "da": "Tilbage til rapporten", "en": "Back to the report"},
    "earlier": {"sv": "Tidigare", "da": "Tidligere", "en": "Earlier"},
    "later": {"sv": "Nu", "da": "Nu", "en": "Now"},
    "change": {"sv": "Förändring", "da": "Ændring", "en": "Change"},
    "between": {
        "sv": "Bedömningen den {later} jämförs med bedömningen den {earlier}, {span} tidigare.",
        "da": "Vurderingen fra {later} sammenlignes med den fra {earlier}, {span} tidligere.",
        "en": "The assessment of {later} is compared with the one of {earlier}, {span} earlier.",
    },
    "overall": {"sv": "Samlad beredskap", "da": "Samlet parathed", "en": "Overall readiness"},
    "change_chart": {
        "sv": "Poäng per område, tidigare och nu",
        "da": "Point pr. område, tidligere og nu",
        "en": "Score per area, earlier and now",
    },
    "gaps_closed": {"sv": "Brister som har åtgärdats", "da": "Mangler, der er afhjulpet", "en": "Gaps closed"},
    "gaps_new": {"sv": "Nya brister", "da": "Nye mangler", "en": "New gaps"},
    "gaps_persisting": {"sv": "Brister som finns kvar", "da": "Mangler, der består", "en": "Gaps still open"},
    "open_since": {"sv": "Kvar sedan", "da": "Har bestået siden", "en": "Open since"},
    "severity_before": {
        "sv": "Allvarlighetsgrad tidigare",
        "da": "Alvorlighedsgrad tidligere",
        "en": "Severity earlier",
    },
    "recommendations_new": {"sv": "Nya rekommendationer", "da": "Nye anbefalinger", "en": "New recommendations"},
    "recommendations_gone": {
        "sv": "Rekommendationer som inte längre behövs",
        "da": "Anbefalinger, som der ikke længere er brug for",
        "en": "Recommendations no longer needed",
    },
    "none": {"sv": "Inga.", "da": "Ingen.", "en": "None."},
    "bibliography": {"sv": "Källorna", "da": "Kilderne", "en": "The sources"},
    "bibliography_intro": {
        "sv": "Råden och bristerna ovan hänvisar till de här dokumenten:",
        "da": "Anbefalingerne og manglerne ovenfor henviser til disse dokumenter:",
        "en": "The advice and the gaps above refer to these documents:",
    },
}  # fmt: skip
"""The labels and sentences of the report pages."""


def number(value: float | None, language: Language, digits: int | None = None) -> str:
    """A score as the language writes it (decimal comma in Swedish and Danish); `–` for none.

    Whole numbers without decimals, others with one; with `digits`, always that many (a column of
    means on the dashboard, whose decimals line up).
    """
    if value is None:
        return "–"
    if digits is None:
        digits = 0 if float(value).is_integer() else 1
    shown = f"{value:.{digits}f}"
    return shown.replace(".", ",") if language in ("sv", "da") else shown


def percent(share: float, language: Language) -> str:
    """A share (0-1) as a whole percentage: `50 %` in Swedish and Danish, `50%` in English."""
    whole = f"{round(share * 100)}"
    return f"{whole}\u00a0%" if language in ("sv", "da") else f"{whole}%"


def say(key: str, language: Language, /, **values: object) -> str:
    """`TEXTS[key]` in `language`, its `{names}` filled in from `values`."""
    return TEXTS[key][language].format(**values)


def firmness(readiness: Readiness, language: Language) -> list[str]:
    """How firm the score is: the share answered, the range still open, and an unclear level."""
    lines = [say("answered_share", language, share=percent(readiness.completeness, language))]
    worst, best = readiness.score_range.worst, readiness.score_range.best
    if worst is not None and best is not None and worst != best:
        lines.append(
            say("range", language, worst=number(worst, language), best=number(best, language))
        )
    elif worst is not None and worst == best:
        lines.append(say("range_firm", language))
    if readiness.level == "unknown":
        lines.append(say("unknown_level", language))
    return lines


def steps_left_text(readiness: Readiness, language: Language) -> str | None:
    """The steps that keep the organisation in its phase, each with its answer; None if none."""
    left = readiness.steps_left
    if not left:
        return None
    # Runs of consecutive steps with the same answer, as ranges: 5-8 (no answer).
    runs: list[list[int | str]] = []
    for s in left:
        if runs and runs[-1][1] == s.step - 1 and runs[-1][2] == s.answer:
            runs[-1][1] = s.step
        else:
            runs.append([s.step, s.step, s.answer])
    steps = ", ".join(
        f"{first}{'' if first == last else f'–{last}'} ({say(f'step_left_{answer}', language)})"
        for first, last, answer in runs
    )
    word = "step" if len(left) == 1 else "steps"
    return say("steps_left", language, steps=steps, step_word=word)


def step_words(recommendation: Recommendation, language: Language) -> str:
    """A recommendation's step and phase, with the later steps it is also work of."""
    return say(
        "step_also" if recommendation.also_steps else "step",
        language,
        step=recommendation.step,
        phase=recommendation.phase,
        also=", ".join(str(s) for s in recommendation.also_steps),
    )


def due_heading(kind: str, phase: int, language: Language) -> str:
    """The heading over a run of recommendations due at one time (`engine.due_runs`)."""
    return say(
        f"due_{kind}", language, phase=phase, name=PHASE_NAMES[phase][language] if phase else ""
    )
