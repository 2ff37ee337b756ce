"""Programme KPIs (notebook ``01_programme_kpis``): evaluation (activity) and performance (value).

Every ``compute_*`` function takes tables and plain arguments and returns a DataFrame with
fixed column names; the charts are in :mod:`workbench.plotting.kpis`.

Definitions used throughout (the headline table, :func:`compute_headline`, repeats them
next to each value):

- *member company*: a company whose status is ``member`` in the customers table (blocked,
  pre-registered and non-member companies are not members). Without a customers table,
  the companies of the members table.
- *active company*: a purchase (a transaction with a positive amount) or a programme event
  in the last ``active_days`` days up to the reference date, both days included.
- *points earned / redeemed / expired*: the sums of the ``earned`` movements and the
  absolute sums of the ``redeemed`` and ``expired`` movements of the points ledger.

Modules (every public name is importable from here, ``from workbench.analysis.kpis import X``):

- :mod:`~workbench.analysis.kpis.common`: the table type, the monthly columns, member and active companies;
- :mod:`~workbench.analysis.kpis.filters`: :func:`filter_tables` (status, typology, region, role);
- :mod:`~workbench.analysis.kpis.activity`: active profiles, statuses, people by role, events;
- :mod:`~workbench.analysis.kpis.monthly`: the monthly series and the year-over-year comparisons,
  like for like (a month partly in the window is compared on the same days of both years);
- :mod:`~workbench.analysis.kpis.points`: breakage by cohort, the points summary and liability, redemption by segment;
- :mod:`~workbench.analysis.kpis.programme`: activation after enrolment, members' revenue against other companies;
- :mod:`~workbench.analysis.kpis.headline`: the headline table, its display, the check against targets.
"""

from __future__ import annotations

from workbench.analysis.kpis.activity import compute_active_profiles, compute_events_summary, compute_members_by_role, compute_status_counts
from workbench.analysis.kpis.common import MONTHLY_COLUMNS, Tables, active_companies, member_companies
from workbench.analysis.kpis.filters import filter_tables
from workbench.analysis.kpis.headline import HEADLINE_COLUMNS, compute_headline, compute_targets, describe_misses, format_headline
from workbench.analysis.kpis.monthly import compute_monthly, compute_year_over_year, compute_yoy_table, like_for_like_growth, span_growth, year_spans
from workbench.analysis.kpis.points import (
    COHORT_LABELS,
    POINTS_LABELS,
    compute_breakage_cohorts,
    compute_points_summary,
    compute_redemption_by,
    expected_breakage,
)
from workbench.analysis.kpis.programme import activation_rate, compute_activation, compute_member_revenue, compute_member_revenue_monthly

__all__ = [
    "COHORT_LABELS",
    "HEADLINE_COLUMNS",
    "MONTHLY_COLUMNS",
    "POINTS_LABELS",
    "Tables",
    "activation_rate",
    "active_companies",
    "compute_activation",
    "compute_active_profiles",
    "compute_breakage_cohorts",
    "compute_events_summary",
    "compute_headline",
    "compute_member_revenue",
    "compute_member_revenue_monthly",
    "compute_members_by_role",
    "compute_monthly",
    "compute_points_summary",
    "compute_redemption_by",
    "compute_status_counts",
    "compute_targets",
    "compute_year_over_year",
    "compute_yoy_table",
    "describe_misses",
    "expected_breakage",
    "filter_tables",
    "format_headline",
    "like_for_like_growth",
    "member_companies",
    "span_growth",
    "year_spans",
]
