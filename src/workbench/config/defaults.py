"""Defaults of the method that the parameter file may override: the RFM segment map and levers
(seed 004), the value-score bands and classes (seed 003).

They live in the configuration layer so that the parameter schema can offer them as defaults
without importing an analysis module.
"""

from __future__ import annotations

from dataclasses import dataclass

OTHERS = "Others"
LEVERS = ("transactional", "service", "relational", "engagement")
LEVER_EXAMPLES = {
    "transactional": "vouchers, promotions, discounts, gifts, cashback; cross-sell and up-sell offers",
    "service": "dedicated services: delivery, training, after-sales, advice, loans",
    "relational": "regular personal contact: account-manager calls, newsletters, satisfaction surveys, product news",
    "engagement": "recognition for reviews, referrals, testimonials; customer test groups, ambassador club",
}


@dataclass(frozen=True)
class SegmentRule:
    """A named segment: closed ranges ``(lo, hi)`` of R, F and M scores."""

    name: str
    r: tuple[int, int]
    f: tuple[int, int]
    m: tuple[int, int]


DEFAULT_SEGMENTS: tuple[SegmentRule, ...] = (
    SegmentRule("Champions", (4, 5), (4, 5), (4, 5)),
    SegmentRule("Loyal Customers", (3, 5), (3, 5), (3, 5)),
    SegmentRule("Potential Loyalist", (4, 5), (2, 5), (1, 5)),
    SegmentRule("New Customers", (4, 5), (1, 1), (1, 5)),
    SegmentRule("Promising", (3, 3), (1, 1), (1, 5)),
    SegmentRule("Need Attention", (3, 3), (2, 5), (1, 5)),
    SegmentRule("Can't Lose Them", (1, 2), (4, 5), (4, 5)),
    SegmentRule("At Risk", (1, 2), (3, 5), (3, 5)),
    SegmentRule("About To Sleep", (2, 2), (1, 2), (1, 5)),
    SegmentRule("Hibernating", (1, 2), (2, 5), (1, 5)),
    SegmentRule("Lost", (1, 1), (1, 5), (1, 5)),
)
"""The default 11-segment map, best first; first match wins (see the module docstring)."""

DEFAULT_LEVERS: dict[str, tuple[str, ...]] = {
    "Champions": ("relational", "engagement"),
    "Loyal Customers": ("relational", "service", "engagement"),
    "Potential Loyalist": ("transactional", "relational"),
    "New Customers": ("service", "relational"),
    "Promising": ("transactional", "service"),
    "Need Attention": ("relational", "transactional"),
    "Can't Lose Them": ("relational", "service", "transactional"),
    "At Risk": ("relational", "service"),
    "About To Sleep": ("transactional", "relational"),
    "Hibernating": ("transactional",),
    "Lost": ("transactional",),
    OTHERS: ("relational",),
}
"""Levers of seed 004 per default segment: recognition and referral for the best, cross-sell and
up-sell offers for low frequency or low basket, contact and service for those drifting away."""


# ---------------------------------------------------------------- value score (seed 003)
Band = tuple[float | None, float, bool]
"""``(edge, points, strict)``: points for a value above ``edge``: strictly (``strict`` True, seed 003's
"> 100") or from the edge included (``strict`` False, seed 003's "50 à 100" includes 50); ``edge`` None:
any value. A 2-tuple ``(edge, points)`` means ``strict`` False."""
ValueClass = tuple[str, float | None]
"""``(name, min_score)``: the class of a score >= ``min_score`` (None: any score)."""

# Seed 003, in thousands: CA annuel ">100 = 10 pts, 50 à 100 = 7.5, 10 à 50 = 2.5, < 10 = 0.5";
# marge annuelle "> 20 = 20, 10 à 20 = 10, 2 à 10 = 5, < 2 = 1". A lower edge written "X à" is
# included, "> X" is not: 100 earns 7.5, 50 earns 7.5, 10 earns 2.5; margin 20 earns 10, 2 earns 5.
DEFAULT_REVENUE_BANDS: tuple[Band, ...] = ((100, 10.0, True), (50, 7.5, False), (10, 2.5, False), (None, 0.5, False))
DEFAULT_MARGIN_BANDS: tuple[Band, ...] = ((20, 20.0, True), (10, 10.0, False), (2, 5.0, False), (None, 1.0, False))
DEFAULT_CLASSES: tuple[ValueClass, ...] = (("VIP", 60.0), ("High value", 30.0), ("Medium value", 12.0), ("Low value", None))
