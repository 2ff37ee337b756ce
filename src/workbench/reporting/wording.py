"""The words of the analyses in the report language: labels of their codes and the sentences built from their results.

The analysis modules return English codes and column names (they are also the exported CSV
columns, which stay English). The notebooks show them through this module, which translates at
display time with :func:`workbench.formatting.tr`; the English text is unchanged.
"""

from __future__ import annotations

import re

import pandas as pd

from workbench import formatting as fmt
from workbench.formatting import N_, tr
from workbench.reporting.glossary import metric_label

GRAINS = {"year": N_("years"), "quarter": N_("quarters")}
"""The period grains of the portfolio, in the plural (``Periods compared: years``)."""

COLUMNS = (
    N_("period"),
    N_("purchases"),
    N_("frequency"),
    N_("active"),
    N_("new"),
    N_("retained"),
    N_("reactivated"),
    N_("lost"),
    N_("cohort"),
    N_("segment"),
    N_("gini"),
    N_("unknown"),
    N_("typology"),
    N_("region"),
    N_("channel"),
    N_("product range"),
    N_("day"),
    N_("invoice"),
    N_("measure"),
    N_("band"),
    N_("points"),
    N_("unit"),
    N_("score"),
    N_("dimension"),
    N_("lever"),
    N_("levers"),
    N_("value_class"),
)
"""Column names and codes of the analyses that the notebooks show as they are (translated by ``nb.present``)."""


PURCHASE_UNITS = {"day": N_("days"), "invoice": N_("invoices")}
"""The purchase units (``purchase`` in the parameters), in the plural."""


def purchase_units(purchase: str) -> str:
    """The purchase unit in the plural, in the report language (``day`` → ``days`` / ``jours``)."""
    return tr(PURCHASE_UNITS[purchase]) if purchase in PURCHASE_UNITS else purchase


def grain_label(grain: str) -> str:
    """A period grain in the plural, in the report language (``year`` → ``years`` / ``années``)."""
    return tr(GRAINS[grain]) if grain in GRAINS else grain


def describe_comparison(spans: pd.DataFrame, *, grain: str = "year") -> str:
    """One plain sentence on how periods are compared, in the report language.

    Parameters
    ----------
    spans
        The output of :func:`workbench.analysis.portfolio.compute_comparison_spans` (``period, first,
        last, partial, base_first, base_last``: dates).
    grain
        ``year`` or ``quarter``.

    Returns
    -------
    str
        The sentence of :func:`workbench.analysis.portfolio.describe_comparison`, translated; dates
        in the locale's format.
    """
    quarter = grain == "quarter"
    partial = spans[spans["partial"]]
    if partial.empty:
        if quarter:
            return tr("Every quarter is complete: each is compared with the whole quarter before.")
        return tr("Every year is complete: each is compared with the whole year before.")
    parts = [tr("{period} covers {first} to {last} only", period=r.period, first=fmt.date(r.first), last=fmt.date(r.last)) for r in partial.itertuples()]
    last = spans.iloc[-1]
    dates = {
        "first": fmt.date(last["first"]),
        "last": fmt.date(last["last"]),
        "base_first": fmt.date(last["base_first"]),
        "base_last": fmt.date(last["base_last"]),
    }
    if quarter:
        rest = tr(
            "A partial quarter is compared like for like, with the same days one quarter earlier (e.g. {first} to {last} against {base_first} to "
            "{base_last}): the bridge, retention, churn and growth use those days; the table of periods above shows each period's own days.",
            **dates,
        )
    else:
        rest = tr(
            "A partial year is compared like for like, with the same days one year earlier (e.g. {first} to {last} against {base_first} to "
            "{base_last}): the bridge, retention, churn and growth use those days; the table of periods above shows each period's own days.",
            **dates,
        )
    return "; ".join(parts) + ". " + rest


# ---------------------------------------------------------------- RFM and value score (03)
CODES = (
    # the default RFM segments (workbench.config.defaults.DEFAULT_SEGMENTS, OTHERS)
    N_("Champions"),
    N_("Loyal Customers"),
    N_("Potential Loyalist"),
    N_("New Customers"),
    N_("Promising"),
    N_("Need Attention"),
    N_("Can't Lose Them"),
    N_("At Risk"),
    N_("About To Sleep"),
    N_("Hibernating"),
    N_("Lost"),
    N_("Others"),
    # the levers of seed 004 and their examples (LEVERS, LEVER_EXAMPLES)
    N_("transactional"),
    N_("service"),
    N_("relational"),
    N_("engagement"),
    N_("vouchers, promotions, discounts, gifts, cashback; cross-sell and up-sell offers"),
    N_("dedicated services: delivery, training, after-sales, advice, loans"),
    N_("regular personal contact: account-manager calls, newsletters, satisfaction surveys, product news"),
    N_("recognition for reviews, referrals, testimonials; customer test groups, ambassador club"),
    # the default value classes (DEFAULT_CLASSES) and the RFM dimensions
    N_("VIP"),
    N_("High value"),
    N_("Medium value"),
    N_("Low value"),
    N_("recency"),
    N_("monetary"),
    N_("annual net revenue"),
    N_("annual gross margin"),
    N_("any value"),
)
"""Default names of the method (segments, levers, classes) and analysis codes, shown in the report language.

A client's own names (from the parameters) have no catalogue entry and are shown as written."""


def lever_list(levers: str) -> str:
    """A comma-separated list of lever codes (``relational, engagement``) in the report language."""
    return ", ".join(tr(lever) for lever in levers.split(", ")) if levers else levers


_NUMBER = r"(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?)"
_BAND_PARTS = (
    (re.compile(rf"^more than {_NUMBER}$"), N_("more than {x}")),
    (re.compile(rf"^from {_NUMBER}$"), N_("from {x}")),
    (re.compile(rf"^up to {_NUMBER} included$"), N_("up to {x} included")),
    (re.compile(rf"^below {_NUMBER}$"), N_("below {x}")),
    (re.compile(rf"^each purchase per {_NUMBER} years$"), N_("each purchase per {x} years")),
    (re.compile(rf"^points per purchase \(per {_NUMBER} years\)$"), N_("points per purchase (per {x} years)")),
    (re.compile(r"^thousand (\S+) per year$"), N_("thousand {x} per year")),
)


def number_text(text: str) -> str:
    """A number written with ``:g`` (``2.5``) in the report's locale (``2,5``)."""
    if not re.fullmatch(_NUMBER, text):
        return text
    if "e" in text:  # 1e-07: as written, with the locale's decimal sign
        return text if fmt.language() == "en" else text.replace(".", ",")
    decimals = len(text.split(".")[1]) if "." in text else 0
    return fmt.number(float(text), decimals)


def _band_words(text: str) -> str:
    """One band or unit of :func:`workbench.analysis.value.compute_scale_table` in the report language."""
    parts = []
    for part in text.split(", "):
        for pattern, template in _BAND_PARTS:
            match = pattern.match(part)
            if match:
                parts.append(tr(template, x=number_text(match.group(1))))
                break
        else:
            money = re.match(rf"^{_NUMBER} (\S+) per year$", part)
            parts.append(tr("{x} {currency} per year", x=number_text(money.group(1)), currency=money.group(2)) if money else tr(part))
    return ", ".join(parts)


def scale_table(scale: pd.DataFrame) -> pd.DataFrame:
    """The value-score scale of :func:`workbench.analysis.value.compute_scale_table` with its words in the report language.

    Parameters
    ----------
    scale
        ``measure, band, points, unit`` (points per band; the unit in words).

    Returns
    -------
    pd.DataFrame
        The same frame, ``measure``, ``band`` and ``unit`` translated (English: unchanged).
    """
    if fmt.language() == "en":
        return scale
    return scale.assign(measure=scale["measure"].map(tr), band=scale["band"].map(_band_words), unit=scale["unit"].map(_band_words))


# ---------------------------------------------------------------- segment migration (05)
MIGRATION = (
    N_("Inactive"),
    N_("New"),
    N_("state"),
    N_("group"),
    N_("from_state"),
    N_("upgraded"),
    N_("stable"),
    N_("downgraded"),
    N_("year"),
    N_("quarter"),
)
"""States, steps and columns of :mod:`workbench.analysis.migration` shown as they are."""

GROUPS = {"all": N_("all customers"), "members": N_("enrolled companies"), "non-members": N_("non-enrolled companies")}
"""The groups of :func:`workbench.analysis.migration.membership_groups` (``members`` is also a table's name, hence own words)."""


def group_label(group: str) -> str:
    """A migration group in the report language; English shows the code as it is (``members``, ``non-members``)."""
    return group if fmt.language() == "en" or group not in GROUPS else tr(GROUPS[group])


_ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def local_dates(text: str) -> str:
    """``text`` with its ISO days (``2024-12-31``) in the report's date format (``31/12/2024``); English: unchanged."""
    return _ISO_DAY.sub(lambda m: fmt.date(m.group(0)), text)


# ---------------------------------------------------------------- engagement and satisfaction (07)
ENGAGEMENT = (
    # pillars, default event kinds and tiers (workbench.config.sections.engagement)
    N_("business"),
    N_("social"),
    N_("technical"),
    N_("purchase_declaration"),
    N_("login"),
    N_("visit"),
    N_("review"),
    N_("referral"),
    N_("profile_completed"),
    N_("challenge"),
    N_("training"),
    N_("content"),
    N_("base"),
    N_("silver"),
    N_("gold"),
    N_("platinum"),
    # statuses, NPS categories, programme mechanics and their evidence (workbench.analysis.engagement.compute_programme_fit)
    N_("non-member"),
    N_("pre-registered"),
    N_("blocked"),
    N_("detractor"),
    N_("passive"),
    N_("promoter"),
    N_("status tiers"),
    N_("ambassador"),
    N_("median purchase days per buying company over the window"),
    N_("revenue share of companies buying at least monthly"),
    N_("companies above the base tier"),
    N_("members with social or technical activity"),
    N_("ambassador companies"),
    N_("revenue share carried by ambassadors"),
    N_("companies"),
    # columns shown as they are
    N_("pillar"),
    N_("entities"),
    N_("role"),
    N_("quarter"),
    N_("referrals"),
    N_("revenue"),
    N_("answers"),
    N_("promoters"),
    N_("passives"),
    N_("detractors"),
    N_("nps"),
    N_("ces_mean"),
    N_("category"),
    N_("mechanic"),
    N_("evidence"),
    N_("value"),
    N_("status"),
)
"""Codes and columns of :mod:`workbench.analysis.engagement` and :mod:`workbench.analysis.satisfaction` shown as they are."""

_TOP_TIER = re.compile(r"^revenue share of the top tier \((.+)\)$")


def kinds_label(kinds: list[str]) -> str:
    """Event kinds, comma-separated, in the report language (a client's own kinds as written)."""
    return ", ".join(tr(k) for k in kinds)


def evidence_label(text: str) -> str:
    """An evidence line of :func:`workbench.analysis.engagement.compute_programme_fit` in the report language."""
    top = _TOP_TIER.match(text)
    return tr("revenue share of the top tier ({tier})", tier=tr(top.group(1))) if top else tr(text)


# ---------------------------------------------------------------- programme KPIs (01)
KPIS = (
    # columns of the monthly table and of the KPI tables, statuses and groups
    N_("enrolments"),
    N_("registrations"),
    N_("logins"),
    N_("visits"),
    N_("challenges"),
    N_("active companies"),
    N_("points earned"),
    N_("points redeemed"),
    N_("points expired"),
    N_("cumulative points"),
    N_("member"),
    N_("not member"),
    N_("not_member"),
    N_("kpi"),
    N_("formula"),
    N_("kind"),
    N_("events"),
    N_("people"),
    N_("inactive"),
    N_("earned"),
    N_("redeemed"),
    N_("expired"),
    N_("adjusted"),
    N_("liability"),
    N_("previous"),
    N_("current"),
    N_("buyers"),
    N_("revenue_year"),
    N_("revenue_per_buyer"),
    N_("revenue_share"),
    N_("active_companies"),
    N_("points_earned"),
    N_("points_redeemed"),
    N_("points_expired"),
    N_("cumulative_points"),
    N_("compared"),
    # display names of workbench.analysis.kpis.POINTS_LABELS and COHORT_LABELS
    N_("outstanding"),
    N_("redemption rate"),
    N_("not redeemed (expired or outstanding)"),
    N_("expiry rate"),
    N_("breakage (closed cohorts)"),
    N_("expected breakage used"),
    N_("last points expire on"),
    N_("can no longer redeem"),
    N_("breakage (expired / earned)"),
)
"""Codes and labels of :mod:`workbench.analysis.kpis` shown as they are."""

_D = r"\d{4}-\d{2}-\d{2}"
_DEFINITIONS = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        # formulas of workbench.analysis.kpis.compute_headline
        (r"sum of net amounts dated in (?P<year>\d{4})", N_("sum of net amounts dated in {year}")),
        (r"revenue (?P<year>\d{4}) / revenue (?P<previous>\d{4}) - 1, same days", N_("revenue {year} / revenue {previous} - 1, same days")),
        (
            r"points earned (?P<year>\d{4}) / points earned (?P<previous>\d{4}) - 1, same days",
            N_("points earned {year} / points earned {previous} - 1, same days"),
        ),
        (
            r"member companies with a purchase after the enrolment day or a redemption, (?P<sub>.+) / member companies whose (?P<n>\d+)-day window has ended",
            N_("member companies with a purchase after the enrolment day or a redemption, {sub} / member companies whose {n}-day window has ended"),
        ),
        (r"within (?P<n>\d+) days of enrolment", N_("within {n} days of enrolment")),
        (
            r"points expired / points earned, over the earning cohorts that can no longer redeem \((?P<sub>.+)\); outstanding points are not counted",
            N_("points expired / points earned, over the earning cohorts that can no longer redeem ({sub}); outstanding points are not counted"),
        ),
        (r"points expire (?P<n>\d+) months after they are earned", N_("points expire {n} months after they are earned")),
        (r"(?P<sub>outstanding points .+\)) x \(1 - expected breakage\); (?P<sub2>.+)", N_("{sub} x (1 - expected breakage); {sub2}")),
        (r"outstanding points \((?P<n>[\d\u202f]+)\) x value of a point \((?P<value>.+)\)", N_("outstanding points ({n}) x value of a point ({value})")),
        (r"expected breakage (?P<share>.+) \(set in kpis\.expected_breakage\)", N_("expected breakage {share} (set in kpis.expected_breakage)")),
        (r"expected breakage (?P<share>.+) = breakage of the closed cohorts", N_("expected breakage {share} = breakage of the closed cohorts")),
        # periods
        (rf"(?P<a>{_D}) to (?P<b>{_D}) vs (?P<c>{_D}) to (?P<d>{_D})", N_("{a} to {b} vs {c} to {d}")),
        (rf"(?P<a>{_D}) to (?P<b>{_D})", N_("{a} to {b}")),
        (rf"(?P<n>\d+) days to (?P<a>{_D})", N_("{n} days to {a}")),
        (rf"cohorts closed by (?P<a>{_D})", N_("cohorts closed by {a}")),
        (rf"as of (?P<a>{_D})", N_("as of {a}")),
        (rf"enrolled by (?P<a>{_D})", N_("enrolled by {a}")),
        (r"needs the (?P<sub>.+) table", N_("needs the {sub} table")),
    )
)
DEFINITIONS = (
    N_("sum of net amounts (credit notes deducted)"),
    N_("member companies with a purchase or an event in the window / member companies"),
    N_("any time before the reference date"),
    N_("companies with status member / companies in the customers table"),
    N_("net revenue of member companies / net revenue"),
    N_("sum of earned movements"),
    N_("points earned in the window / active member companies"),
    N_("points redeemed / points earned"),
    N_("no expiry rule: no cohort closes"),
    N_("points expired / points earned"),
    N_("no earning cohort closed yet: no breakage assumed (net = gross)"),
    N_("member companies with a challenge event / member companies"),
    N_("not computed"),
    N_("no day of both years in the period"),
    N_("customers (or members)"),
    N_("customers (with enrolled_on)"),
    N_("customers (with status)"),
    N_("points and customers (or members)"),
    N_("events and customers (or members)"),
)
"""The fixed formulas, periods and table needs of :func:`workbench.analysis.kpis.compute_headline`."""


_SHORT_END = re.compile(r"\b(\d{4})-(\d{2})-(\d{2}) to (\d{2}-\d{2})\b")
"""A span whose end day is written without its year (``2024-01-01 to 12-31``, the days compared by the year-over-year table)."""


def _local_text(text: str) -> str:
    """Dates, decimal points and percent signs of an English text in the report's locale."""
    text = local_dates(text)
    if fmt.language() == "en":
        return text
    return re.sub(r"(\d)\.(\d)", r"\1,\2", text).replace(" %", "\u00a0%")


def definition_text(text: str) -> str:
    """A formula or period of :func:`workbench.analysis.kpis.compute_headline` in the report language.

    The known sentence shapes are translated with their parts (dates in the locale's format,
    nested clauses translated in turn); an unknown text keeps its words, with local dates and numbers.
    """
    if fmt.language() == "en":
        return text
    text = _SHORT_END.sub(r"\1-\2-\3 to \1-\4", text)  # 2024-01-01 to 12-31: the end day in full
    for pattern, template in _DEFINITIONS:
        match = pattern.fullmatch(text)
        if match:
            parts = {k: definition_text(v) if k.startswith("sub") else _local_text(v) for k, v in match.groupdict().items()}
            return tr(template, **parts)
    return _local_text(tr(text))


def headline_table(headline: pd.DataFrame, formatted: pd.DataFrame) -> pd.DataFrame:
    """The headline KPIs for display in the report language.

    Parameters
    ----------
    headline
        :func:`workbench.analysis.kpis.compute_headline` (``kpi, label, value, unit, formula, period``).
    formatted
        :func:`workbench.analysis.kpis.format_headline` of it, shown as it is in English.

    Returns
    -------
    pd.DataFrame
        ``kpi, value, formula, period``: in French the KPI's human label (:func:`kpi_label`), values in the locale (``56,3 %``, ``18 583 254 EUR``),
        formulas and periods translated.
    """
    if fmt.language() == "en":
        return formatted
    values = ["" if v != v else fmt.percent(v) if u == "fraction" else f"{fmt.number(v)} {tr(u)}" for v, u in zip(headline["value"], headline["unit"])]
    return formatted.assign(
        kpi=formatted["kpi"].map(kpi_label), value=values, formula=formatted["formula"].map(definition_text), period=formatted["period"].map(definition_text)
    )


def kpi_label(key: str) -> str:
    """A headline KPI as shown: its key in English (``activation_rate_window``), its human label in French (``Taux d'activation``)."""
    return key if fmt.language() == "en" else metric_label(f"kpi.{key}")


def describe_misses(checked: pd.DataFrame, headline: pd.DataFrame) -> list[str]:
    """The sentences of :func:`workbench.analysis.kpis.describe_misses` (KPIs missing their target), in the report language.

    Parameters
    ----------
    checked
        :func:`workbench.analysis.kpis.compute_targets` (``kpi, value, target_min, target_max, met``).
    headline
        :func:`workbench.analysis.kpis.compute_headline` (for the units).

    Returns
    -------
    list of str
        One sentence per KPI that misses its target.
    """
    units = headline.set_index("kpi")["unit"]
    out = []
    for row in checked[~checked["met"]].itertuples():
        unit = units.get(row.kpi, "")

        def show(x: float, unit: str = unit) -> str:
            return tr("no value") if x != x else fmt.percent(x, 1, tight=True) if unit == "fraction" else f"{fmt.number(x)} {tr(unit)}"

        low, high = row.target_min, row.target_max
        if low == low and high == high:
            target = tr("at least {low} and at most {high}", low=show(low), high=show(high))
        else:
            target = tr("at least {low}", low=show(low)) if low == low else tr("at most {high}", high=show(high))
        out.append(tr("**{kpi}** is {value}, target {target}.", kpi=kpi_label(row.kpi), value=show(row.value), target=target))
    return out


_FILTER_NOTE = re.compile(r"The (?P<column>\w+) filter \((?P<values>.*)\) is ignored: it needs the (?P<table>\w+) table\.")


def filter_note(text: str) -> str:
    """A note of :func:`workbench.analysis.kpis.filter_tables` (a filter left out) in the report language."""
    match = _FILTER_NOTE.fullmatch(text)
    if not match or fmt.language() == "en":
        return text
    return tr(
        "The {column} filter ({values}) is ignored: it needs the {table} table.",
        column=tr(match["column"]),
        values=match["values"],
        table=tr(match["table"]),
    )


# ---------------------------------------------------------------- customer lifetime value (04)
CLV = (
    # workbench.analysis.clv: VALUE_BASES, SPEND_BASES, SPEND_CHECK_FORECASTS, SELECTION_RULE
    N_("gross margin (the margin column)"),
    N_("revenue x the margin_rate parameter"),
    N_("net revenue (no margin known)"),
    N_("own repeat spend (Gamma-Gamma)"),
    N_("net repeat spend not positive: Gamma-Gamma with a mean spend of 0"),
    N_("no repeat purchase: population mean"),
    N_("model (calibration fits)"),
    N_("naive: last period carried forward"),
    N_("perfect foresight (reference)"),
    N_(
        "the model whose holdout forecast of total repeat purchases misses the actual total by the fewest purchases "
        "(rounded to whole purchases); a tie goes to the higher calibration log-likelihood"
    ),
    # COMPARISON_LABELS, PARAMETER_LABELS, SPEND_CHECK_LABELS
    N_("model"),
    N_("log-likelihood (calibration)"),
    N_("chi-square (calibration histogram)"),
    N_("chi-square p-value"),
    N_("holdout: actual purchases"),
    N_("holdout: forecast"),
    N_("holdout: error"),
    N_("holdout: error ({pct})"),
    N_("error by frequency (per customer)"),
    N_("MAE per customer"),
    N_("mean P(alive), no repeat purchase"),
    N_("std. error"),
    N_("95 {pct} interval"),
    N_("forecast"),
    N_("actual total"),
    N_("forecast total"),
    N_("error"),
    N_("error ({pct})"),
    N_("Spearman rank correlation"),
    N_("top-decile capture"),
    # clv_labels (the currency as {currency})
    N_("CLV ({currency})"),
    N_("CLV low ({currency})"),
    N_("CLV high ({currency})"),
    N_("CLV on revenue ({currency})"),
    N_("margin rate"),
    N_("spend per purchase from"),
    N_("total CLV ({currency})"),
    N_("mean ({currency})"),
    N_("median ({currency})"),
    N_("90th percentile ({currency})"),
    N_("share of CLV"),
    N_("P(alive)"),
    N_("mean P(alive)"),
    N_("expected purchase days"),
    N_("expected spend per purchase ({currency})"),
    N_("repeat purchase days"),
    N_("last purchase"),
    N_("net spend to date ({currency})"),
    # compute_preparation items, groups, time units, columns
    N_("transaction rows up to the end date"),
    N_("purchase rows (amount >= 0)"),
    N_("purchase days (same-day purchases merged)"),
    N_("credit-note rows netted against the customer's purchases"),
    N_("credit-note rows before the customer's first purchase (left out)"),
    N_("of which zero-amount rows (purchases of no value)"),
    N_("customers with at least one purchase"),
    N_("customers without any purchase (left out)"),
    N_("repeat customers whose net repeat spend is not positive (valued at the mean spend)"),
    N_("(not in the table)"),
    N_("(no purchase in the period)"),
    N_("RFM segment"),
    N_("value class"),
    N_("week"),
    N_("month"),
    N_("item"),
    N_("parameter"),
    N_("estimate"),
    N_("one-time buyers"),
    N_("name"),
)
"""Labels and codes of :mod:`workbench.analysis.clv` shown as they are."""

_CLV_SENTENCES = tuple(
    (re.compile(pattern), template)
    for pattern, template in (
        # describe_fit
        (
            r"While active, a customer buys on (?P<rate>\S+) days per (?P<unit>\w+) on average \(r / alpha\), that is (?P<year>\S+) purchase days a year\.",
            N_("While active, a customer buys on {rate} days per {unit} on average (r / alpha), that is {year} purchase days a year."),
        ),
        (
            r"After each repeat purchase a customer stops buying for good with probability (?P<p>\S+) on average \(a / \(a \+ b\)\)\.",
            N_("After each repeat purchase a customer stops buying for good with probability {p} on average (a / (a + b))."),
        ),
        (
            r"After each purchase, the first included, a customer stops buying for good with probability (?P<p>\S+) on average \(a / \(a \+ b\)\)\.",
            N_("After each purchase, the first included, a customer stops buying for good with probability {p} on average (a / (a + b))."),
        ),
        (
            r"A customer stops buying at a random time, at a mean rate of (?P<rate>\S+) per (?P<unit>\w+) \(s / beta\); mean lifetime (?P<life>\S+) (?P<units>\w+) \(beta / \(s - 1\)\)\.",
            N_("A customer stops buying at a random time, at a mean rate of {rate} per {unit} (s / beta); mean lifetime {life} {units} (beta / (s - 1))."),
        ),
        (
            r"A customer stops buying at a random time, at a mean rate of (?P<rate>\S+) per (?P<unit>\w+) \(s / beta\); the mean lifetime is infinite \(s <= 1\)\.",
            N_("A customer stops buying at a random time, at a mean rate of {rate} per {unit} (s / beta); the mean lifetime is infinite (s <= 1)."),
        ),
        (
            r"The population's mean spend per purchase day is (?P<mean>.+) (?P<currency>\S+) \(p v / \(q - 1\)\)\.",
            N_("The population's mean spend per purchase day is {mean} {currency} (p v / (q - 1))."),
        ),
        # choose_purchase_model
        (
            r"(?P<model>\S+) is chosen by the rule \((?P<rule>.+)\): its holdout forecast misses the actual total by (?P<n>\d+) purchases"
            r" \(against (?P<others>.+)\)\.",
            N_("{model} is chosen by the rule ({rule}): its holdout forecast misses the actual total by {n} purchases (against {others})."),
        ),
        (
            r"(?P<model>\S+) is chosen by the rule \((?P<rule>.+)\): its holdout forecast misses the actual total by (?P<n>\d+) purchases"
            r" \(against (?P<others>.+)\), and it has the higher log-likelihood of the tied models\.",
            N_(
                "{model} is chosen by the rule ({rule}): its holdout forecast misses the actual total by {n} purchases (against {others}), "
                "and it has the higher log-likelihood of the tied models."
            ),
        ),
        (
            r"(?P<model>\S+) is forced by the parameters \(clv\.model: (?P<key>\w+)\)\.",
            N_("{model} is forced by the parameters (clv.model: {key})."),
        ),
        # compute_spend_correlation, not_applicable_reason
        (
            r"Frequency and mean spend are correlated \(Pearson (?P<pearson>\S+), above (?P<threshold>\S+) in absolute value\): "
            r"the Gamma-Gamma assumption of independence does not hold well, so expected spend per customer is biased\.",
            N_(
                "Frequency and mean spend are correlated (Pearson {pearson}, above {threshold} in absolute value): "
                "the Gamma-Gamma assumption of independence does not hold well, so expected spend per customer is biased."
            ),
        ),
        (
            rf"there is no purchase \(a non-negative amount\) on or before (?P<date>{_D})",
            N_("there is no purchase (a non-negative amount) on or before {date}"),
        ),
        (
            r"only (?P<n>\d+) customer\(s\) bought on more than one day; a purchase model needs at least (?P<k>\d+)",
            N_("only {n} customer(s) bought on more than one day; a purchase model needs at least {k}"),
        ),
    )
)


def clv_sentence(text: str) -> str:
    """A sentence of :mod:`workbench.analysis.clv` (fit readings, the model choice, warnings, reasons) in the report language.

    Known sentence shapes are translated with their parts (numbers with the locale's decimal comma,
    time units and the selection rule through the catalogue); any other text keeps its words.
    """
    if fmt.language() == "en":
        return text
    for pattern, template in _CLV_SENTENCES:
        match = pattern.fullmatch(text)
        if match:
            parts = {k: tr(v) if k in ("unit", "units", "rule") else _local_text(v) for k, v in match.groupdict().items()}
            return tr(template, **parts)
    return _local_text(tr(text))


def clv_labels(labels: dict[str, str], currency: str) -> dict[str, str]:
    """The column labels of :func:`workbench.analysis.clv.clv_labels` in the report language (English: unchanged).

    Parameters
    ----------
    labels
        Column name -> English label (amounts end with `` (<currency>)``).
    currency
        The client's currency.
    """
    if fmt.language() == "en":
        return labels
    suffix = f" ({currency})"
    out = {}
    for column, text in labels.items():
        top = re.fullmatch(r"share held by the top (.+)", text)
        if top:
            out[column] = tr("share held by the top {share}", share=_local_text(top.group(1)))
        elif text.endswith(suffix):
            key = text[: -len(suffix)] + " ({currency})"
            out[column] = tr(key, currency=currency)
        else:
            out[column] = tr(text)
    return out


def labels(mapping: dict[str, str]) -> dict[str, str]:
    """Column labels of an analysis (``COMPARISON_LABELS``, ...) in the report language; a ``%`` in a label is the ``{pct}`` of its msgid."""
    if fmt.language() == "en":
        return mapping
    return {column: tr(text.replace("%", "{pct}"), pct="%") for column, text in mapping.items()}


def parameter_table(table: pd.DataFrame) -> pd.DataFrame:
    """:func:`workbench.analysis.clv.format_parameters` with its numbers and intervals in the report's locale."""
    if fmt.language() == "en":
        return table
    interval = table["ci_95"].map(
        lambda s: tr("{low} to {high}", low=_local_text(s.split(" to ")[0]), high=_local_text(s.split(" to ")[1])) if " to " in s else s
    )
    return table.assign(estimate=table["estimate"].map(_local_text), std_error=table["std_error"].map(_local_text), ci_95=interval)


# ---------------------------------------------------------------- programme effect (06)
UPLIFT = (
    # row labels and codes of workbench.analysis.uplift shown as they are (nb.present(index=..., translate=...))
    N_("window"),
    N_("outcome"),
    N_("covariate"),
    N_("hypothesis"),
    N_("basket"),
    N_("estimate"),
    N_("interval"),
    N_("se"),
)
"""Row labels and codes of :mod:`workbench.analysis.uplift`; its column labels and other codes are in
:mod:`workbench.analysis.uplift.labels` (``word``, ``translated``)."""
