"""The glossary: each term of the report in English and in French, in the seeds' own words.

The French words are those of the seed articles (chiffre d'affaires, inscrits, taux d'attrition,
leviers transactionnel / serviciel / relationnel / engagement, ...). The glossary is a page of
every run (``glossary.html``, linked from ``index.html``) and the source of the human labels of
metric keys, table names and notebook statuses on the index (the keys themselves stay English).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path

from workbench.formatting import N_, language, tr


@dataclass(frozen=True)
class Term:
    """One term: its English and French words and a one-line definition in each language."""

    key: str
    en: str
    fr: str
    definition_en: str
    definition_fr: str

    def word(self, lang: str) -> str:
        """The term in ``lang``."""
        return self.fr if lang == "fr" else self.en

    def definition(self, lang: str) -> str:
        """The definition in ``lang``."""
        return self.definition_fr if lang == "fr" else self.definition_en


TERMS: tuple[Term, ...] = (
    Term(
        "revenue",
        "revenue",
        "chiffre d'affaires (CA)",
        "Sum of net invoice amounts, credit notes deducted.",
        "Somme des montants nets facturés, avoirs déduits.",
    ),
    Term(
        "members",
        "members / non-members",
        "inscrits / non-inscrits",
        "Companies with the programme status member, and the others.",
        "Sociétés au statut inscrit au programme, et les autres.",
    ),
    Term(
        "pre_registered",
        "pre-registered",
        "pré-inscrits",
        "Companies invited or pre-registered, not yet members.",
        "Sociétés invitées ou pré-inscrites, pas encore inscrites.",
    ),
    Term("blocked", "blocked", "bloqués", "Companies whose programme account is blocked.", "Sociétés dont le compte programme est bloqué."),
    Term(
        "activation_rate",
        "activation rate",
        "taux d'activation",
        "Share of member companies that buy or redeem within the activation window after enrolling.",
        "Part des sociétés inscrites qui achètent ou utilisent des points dans la fenêtre d'activation après leur inscription.",
    ),
    Term(
        "points",
        "points earned / redeemed",
        "points générés / dépensés",
        "Points credited to members, and points used in the rewards catalogue.",
        "Points crédités aux membres, et points utilisés dans le catalogue cadeaux.",
    ),
    Term(
        "churn_rate",
        "churn rate",
        "taux d'attrition",
        "Share of last year's buyers who did not buy this year.",
        "Part des clients acheteurs l'an dernier qui n'ont pas acheté cette année.",
    ),
    Term(
        "repurchase_rate",
        "repurchase rate",
        "taux de réachat",
        "Share of buyers who bought more than once.",
        "Part des clients qui ont acheté plus d'une fois.",
    ),
    Term("basket", "average basket", "panier moyen", "Net revenue per purchase.", "Chiffre d'affaires net par achat."),
    Term("tenure", "tenure", "ancienneté", "Time since the first purchase (or the enrolment).", "Durée depuis le premier achat (ou l'inscription)."),
    Term(
        "lever_transactional",
        "transactional lever",
        "levier transactionnel",
        "Rewards for purchases: points, bonuses, challenges.",
        "Récompenser l'achat : points, bonus, challenges.",
    ),
    Term(
        "lever_service",
        "service lever",
        "levier serviciel",
        "Services that help the customer: training, priority support, tools.",
        "Services utiles au client : formations, assistance prioritaire, outils.",
    ),
    Term(
        "lever_relational",
        "relational lever",
        "levier relationnel",
        "Proximity and recognition: events, dedicated contacts, status.",
        "Proximité et reconnaissance : événements, interlocuteur dédié, statut.",
    ),
    Term(
        "lever_engagement",
        "engagement lever",
        "levier engagement",
        "Getting members to take part: content, community, recommendation.",
        "Faire participer les membres : contenus, communauté, recommandation.",
    ),
    Term(
        "ambassadors",
        "ambassadors",
        "ambassadeurs",
        "The most engaged companies of high value, who recommend the brand.",
        "Les sociétés les plus engagées et à forte valeur, qui recommandent la marque.",
    ),
    Term(
        "customer_value",
        "customer value",
        "valeur client",
        "Value of a customer from revenue, margin and purchase frequency (value score, CLV).",
        "Valeur d'un client selon son chiffre d'affaires, sa marge et sa fréquence d'achat (score de valeur, CLV).",
    ),
    Term(
        "clv",
        "customer lifetime value (CLV)",
        "valeur à vie du client (CLV)",
        "Expected margin or revenue of a customer over the horizon.",
        "Marge ou chiffre d'affaires attendu d'un client sur l'horizon.",
    ),
    Term(
        "migration",
        "segment migration",
        "migration de segments",
        "Customers moving between segments from one period to the next.",
        "Passage des clients d'un segment à l'autre d'une période à la suivante.",
    ),
    Term(
        "nps",
        "NPS (Net Promoter Score)",
        "NPS (Net Promoter Score)",
        "Share of promoters (9-10) minus share of detractors (0-6).",
        "Part de promoteurs (9-10) moins part de détracteurs (0-6).",
    ),
    Term(
        "ces",
        "CES (Customer Effort Score)",
        "CES (Customer Effort Score)",
        "How easy the customer found it to deal with the brand.",
        "Facilité perçue par le client dans ses démarches avec la marque.",
    ),
    Term(
        "penetration",
        "programme penetration",
        "taux de pénétration du programme",
        "Share of companies (or of revenue) in the programme.",
        "Part des sociétés (ou du chiffre d'affaires) dans le programme.",
    ),
    Term(
        "breakage",
        "breakage",
        "taux de points non utilisés (breakage)",
        "Points expired unused over points earned, by earning cohort.",
        "Points expirés sans être utilisés sur points générés, par cohorte d'acquisition.",
    ),
    Term(
        "rfm",
        "RFM segmentation",
        "segmentation RFM",
        "Customers scored on Recency, Frequency and Monetary value.",
        "Clients notés en Récence, Fréquence et Montant.",
    ),
    Term(
        "uplift",
        "programme uplift",
        "effet du programme (uplift)",
        "Extra revenue of enrolled companies compared with similar non-members.",
        "Chiffre d'affaires supplémentaire des inscrits par rapport à des non-inscrits comparables.",
    ),
)
"""The glossary, in the order of the report."""

TABLES = {
    "transactions": N_("transactions"),
    "customers": N_("customers"),
    "members": N_("members"),
    "points": N_("points"),
    "events": N_("events"),
    "surveys": N_("surveys"),
    "parameters": N_("parameters"),
}
"""Human labels of the canonical tables (the codes stay English in files and parameters)."""

STATUSES = {"ok": N_("ok"), "failed": N_("failed"), "not applicable": N_("not applicable")}
"""Labels of a notebook's run status."""

METRICS = {
    "quality.warnings": N_("Data-quality warnings"),
    "quality.credit_note_share": N_("Credit notes, share of gross revenue"),
    "quality.possible_duplicate_rows": N_("Possible duplicate rows"),
    "kpi.revenue": N_("Revenue over the period"),
    "kpi.revenue_year": N_("Revenue of the year"),
    "kpi.revenue_growth": N_("Revenue growth"),
    "kpi.active_share": N_("Active member companies (share)"),
    "kpi.active_companies": N_("Active member companies"),
    "kpi.activation_rate_window": N_("Activation rate"),
    "kpi.activation_days": N_("Activation window (days)"),
    "kpi.penetration_customers": N_("Companies in the programme"),
    "kpi.penetration_revenue": N_("Revenue share of the programme's companies"),
    "kpi.points_earned": N_("Points earned"),
    "kpi.points_growth": N_("Growth of points earned"),
    "kpi.mean_points_per_active_member": N_("Points per active member company"),
    "kpi.redemption_rate": N_("Points redeemed / earned"),
    "kpi.breakage_rate_cohort": N_("Breakage (closed cohorts)"),
    "kpi.expiry_rate": N_("Points expired / earned"),
    "kpi.points_liability": N_("Points liability, gross"),
    "kpi.points_liability_net": N_("Points liability, net"),
    "kpi.challenge_participation": N_("Challenge participation"),
    "kpi.targets_missed": N_("KPIs under target"),
    "portfolio.churn_rate": N_("Churn rate"),
    "portfolio.retention_rate": N_("Retention rate"),
    "portfolio.repurchase_rate": N_("Repurchase rate"),
    "portfolio.new_customers": N_("New customers"),
    "portfolio.revenue_growth": N_("Revenue growth"),
    "portfolio.gini": N_("Gini coefficient of revenue"),
    "clv.total": N_("Customer lifetime value, total"),
    "clv.mean": N_("Customer lifetime value, mean"),
    "engagement.ambassadors": N_("Ambassador companies"),
    "satisfaction.nps": N_("NPS"),
    "rfm.customers": N_("Customers scored (RFM)"),
}
"""Human labels of the metric keys shown on the index; other keys are shown as they are."""

_FAMILIES = (
    (re.compile(r"^data\.([a-z_]+)\.rows_read$"), N_("{table}: rows read")),
    (re.compile(r"^data\.([a-z_]+)\.rows_kept$"), N_("{table}: rows kept")),
    (re.compile(r"^data\.([a-z_]+)\.rows_rejected$"), N_("{table}: rows rejected")),
    (re.compile(r"^data\.([a-z_]+)\.rows_out_of_period$"), N_("{table}: rows out of period")),
    (re.compile(r"^kpi\.companies\.([a-z_]+)$"), N_("Companies with status {name}")),
    (re.compile(r"^kpi\.revenue_per_buyer\.([a-z_]+)$"), N_("Revenue per buyer: {name}")),
    (re.compile(r"^rfm\.segment\.([a-z_]+)\.customers$"), N_("Customers in segment {name}")),
    (re.compile(r"^value\.class\.([a-z_]+)\.customers$"), N_("Customers of value class {name}")),
)


WORDS = (
    N_("table"),
    N_("check"),
    N_("reason"),
    N_("rows"),
    N_("count"),
    N_("of"),
    N_("share"),
    N_("date"),
    N_("amount"),
    N_("customer"),
    N_("member"),
    N_("True"),
    N_("False"),
    N_("None"),
    N_("min"),
    N_("max"),
    N_("exact duplicate"),
)
"""Column names, words and codes that the report shows as labels (translated by :func:`label`)."""

_REASONS = (
    (re.compile(r"^missing (\S+)$"), N_("missing {column}")),
    (re.compile(r"^unparseable (\S+)$"), N_("unparseable {column}")),
    (re.compile(r"^invalid (\S+)$"), N_("invalid {column}")),
    (re.compile(r"^out of range (\S+)$"), N_("out of range {column}")),
    (re.compile(r"^duplicate (\S+)$"), N_("duplicate {column}")),
    (re.compile(r"^unknown (\S+)$"), N_("unknown {column}")),
    (re.compile(r"^same as row (\d+)$"), N_("same as row {column}")),
)


_DETAIL = re.compile(r"^(?P<value>.*) \(expected one of (?P<allowed>.+); map it under (?P<key>\S+)\)$")


def label(text: str) -> str:
    """An English label of a table (a category, a check, a rejection reason) in the report language.

    Exact catalogue entries first, then the rejection reasons of the data layer
    (``missing customer_id`` → ``customer_id manquant``); anything else is returned as it is.
    """
    translated = tr(text)
    if translated != text or language() == "en":
        return translated
    detail = _DETAIL.match(text)
    if detail:
        return tr("{value} (expected one of {allowed}; map it under {key})", **detail.groupdict())
    for pattern, template in _REASONS:
        match = pattern.match(text)
        if match:
            return tr(template, column=match.group(1) if match.group(1).isdigit() else tr(match.group(1)))
    return text


def table_label(table: str) -> str:
    """A canonical table's name in the report language (``customers`` → ``clients``)."""
    return tr(TABLES[table]) if table in TABLES else table


def status_label(status: str) -> str:
    """A notebook's run status in the report language."""
    return tr(STATUSES[status]) if status in STATUSES else status


def metric_label(key: str) -> str:
    """A metric key's human label in the report language; the key itself when it has none."""
    if key in METRICS:
        return tr(METRICS[key])
    for pattern, label in _FAMILIES:
        match = pattern.match(key)
        if match:
            name = match.group(1)
            return tr(label, table=table_label(name), name=tr(name.replace("_", " ")))
    return key


def write_glossary(run_dir: Path) -> Path:
    """Write ``glossary.html`` in the run folder: every term in both languages, the report's language first."""
    lang = language()
    other = "en" if lang == "fr" else "fr"
    rows = "".join(
        f"<tr><td><strong>{html.escape(t.word(lang))}</strong></td><td>{html.escape(t.word(other))}</td><td>{html.escape(t.definition(lang))}</td></tr>"
        for t in TERMS
    )
    names = {"en": tr("English"), "fr": tr("French")}
    title, back, intro, definition = (
        html.escape(t) for t in (tr("Glossary"), tr("Run summary"), tr("The words of this report in both languages, with their definition."), tr("Definition"))
    )
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n'
        "<style>body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1.5rem}"
        "table{border-collapse:collapse}th,td{border-bottom:1px solid #e3e7ee;padding:.3rem .7rem;text-align:left;vertical-align:top}"
        "th{background:#f4f6f9}</style>\n</head>\n<body>\n"
        f'<p><a href="index.html">&larr; {back}</a></p>\n<h1>{title}</h1>\n'
        f"<p>{intro}</p>\n"
        f"<table>\n<tr><th>{names[lang]}</th><th>{names[other]}</th><th>{definition}</th></tr>\n{rows}\n</table>\n</body>\n</html>\n"
    )
    target = Path(run_dir) / "glossary.html"
    target.write_text(page, encoding="utf-8")
    return target
