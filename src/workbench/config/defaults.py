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
Band = tuple[float | None, float]
"""``(above, points)``: points for a value strictly above ``above`` (None: any value)."""
ValueClass = tuple[str, float | None]
"""``(name, min_score)``: the class of a score >= ``min_score`` (None: any score)."""

DEFAULT_REVENUE_BANDS: tuple[Band, ...] = ((100, 10.0), (50, 7.5), (10, 2.5), (None, 0.5))
DEFAULT_MARGIN_BANDS: tuple[Band, ...] = ((20, 20.0), (10, 10.0), (2, 5.0), (None, 1.0))
DEFAULT_CLASSES: tuple[ValueClass, ...] = (("VIP", 60.0), ("High value", 30.0), ("Medium value", 12.0), ("Low value", None))
