"""Table layouts, ground-truth parameters and behaviour constants of the simulator.

Everything here is a fixed number or label: the population parameters (``BGNBD``, ``GG``,
rates per week and EUR), the programme rules (points, expiry, redemption) and the category
labels with their probabilities. The meaning of each constant is documented in the module of
the step that uses it (:mod:`.companies`, :mod:`.purchases`, :mod:`.programme`,
:mod:`.points`, :mod:`.engagement`, :mod:`.dirty`).
"""

from __future__ import annotations

import math

import numpy as np

#: Canonical columns of every table, in file order.
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "transactions": (
        "customer_id",
        "date",
        "amount",
        "margin",
        "invoice_id",
        "quantity",
        "product_range",
        "channel",
    ),
    "customers": (
        "customer_id",
        "name",
        "status",
        "enrolled_on",
        "typology",
        "region",
        "acquisition_channel",
    ),
    "members": ("member_id", "customer_id", "role", "registered_on"),
    "points": ("customer_id", "member_id", "date", "points", "kind", "reason"),
    "events": ("customer_id", "member_id", "date", "kind"),
    "surveys": ("customer_id", "date", "nps", "ces"),
}

#: Rejection reasons of the loader, per table, as used in ``truth["dirty"]``.
DIRTY_REASONS: dict[str, tuple[str, ...]] = {
    "transactions": (
        "missing customer_id",
        "unparseable date",
        "unparseable amount",
        "exact duplicate",
    ),
    "events": ("unknown customer",),
}

# --- ground-truth parameters -------------------------------------------------
BGNBD = {"r": 0.9, "alpha": 6.0, "a": 0.8, "b": 6.0}  # lambda per week
GG = {"p": 6.0, "q": 4.0, "v": 1500.0}  # mean amount p*v/(q-1) = 3000 EUR
PEAK_DOY = 135  # seasonal peak mid-May
PHASE = math.pi / 2 - 2 * math.pi * PEAK_DOY / 365.25

# --- programme and behaviour constants ----------------------------------------
LAUNCH_MONTHS = 6
ATT_MONTHS = 12  # ground-truth ATT window: this many calendar months from the enrolment day
# logit of the acceptance probability: intercept, log1p(purchases in the year
# before launch), log1p(their amount / 1,000 EUR), years since the last purchase
ENROL_COEF = (-3.5, 2.0, 1.5, 10.0)
ENROL_MAX = 0.85  # even the best accounts accept with at most this probability
ENROL_DELAY_MEAN_DAYS = 120.0
BLOCKED_RATE = 0.04
PREREG_FACTOR = 0.3
CREDIT_NOTE_RATE = 0.03
POINTS_PER_EUR = 1
EXPIRY_MONTHS = 24
REDEEM_THRESHOLD = 2000
REDEEM_PROB = 0.3
CHALLENGE_RATE_PER_QUARTER = 0.3
CHALLENGE_POINTS = (250, 500, 1000)
# --- scenarios (:mod:`.scenarios`) ---------------------------------------------
SCENARIOS = ("observables", "latent", "survival", "latent_survival", "signup", "fading")
# logit of the acceptance probability in the latent scenarios: intercept, standardised
# log(lambda) (purchase rate), standardised log(p / nu) (expected amount per purchase)
LATENT_COEF = (-0.45, 1.6, 0.6)  # intercept: about the enrolment share of observables
# fading effect: full for FADE_MONTHS[0] calendar months from the enrolment day, then
# FADE_HALF of it until FADE_MONTHS[1] months, none after
FADE_MONTHS = (12, 24)
FADE_HALF = 0.5
# --- purchase processes (:mod:`.processes`) -------------------------------------
PROCESSES = ("bgnbd", "pareto", "dormant")
# rate_scale: the purchase rate of a living company is rate_scale * lambda (module docstring)
PARETO = {"s": 0.8, "beta": 70.0, "rate_scale": 0.65}  # lifetime rate mu per week ~ Gamma(shape s, rate beta)
# dormant spells: the rate of leaving an active spell ~ Gamma(active_shape) with mean
# 1 / active_months, the rate of returning from a dormant spell ~ Gamma(dormant_shape) with
# mean 1 / dormant_months (calendar months of 365.25 / 12 days)
DORMANT = {"active_months": 12.0, "active_shape": 3.0, "dormant_months": 9.0, "dormant_shape": 0.2, "rate_scale": 0.72}
PROCESS_HORIZON_DAYS = 1096  # spells are drawn up to this many days after end (future.csv, sign-up orders)
TRUTH_EVENT_MONTHS = 24  # truth_members.csv: event months -24..24 around the enrolment month
FUTURE_MONTHS = 24  # future.csv: revenue in the 24 calendar months after end
BIRTH_BEFORE_START_DAYS = 365
BIRTH_BEFORE_END_DAYS = 90
BLOCK = 32  # per-company draws are made in blocks of this many purchases

TYPOLOGIES = ("installer", "retailer", "industrial", "distributor")
TYPOLOGY_SHARES = (0.45, 0.25, 0.18, 0.12)  # by increasing activity rank
RANGES = ("consumables", "equipment", "services", "spare parts")
RANGE_PROBS = np.array(  # rows follow TYPOLOGIES
    [
        [0.45, 0.20, 0.10, 0.25],
        [0.50, 0.30, 0.05, 0.15],
        [0.25, 0.30, 0.20, 0.25],
        [0.55, 0.25, 0.05, 0.15],
    ]
)
RANGE_MARGIN = np.array([0.35, 0.22, 0.55, 0.40])
RANGE_UNIT_PRICE = np.array([40.0, 900.0, 300.0, 120.0])
CHANNELS = ("sales rep", "web", "phone", "EDI")
CHANNEL_PROBS = np.array(
    [
        [0.50, 0.25, 0.25, 0.00],
        [0.40, 0.35, 0.25, 0.00],
        [0.55, 0.15, 0.20, 0.10],
        [0.35, 0.25, 0.10, 0.30],
    ]
)
REGIONS = (
    "Île-de-France",
    "Auvergne-Rhône-Alpes",
    "Hauts-de-France",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Grand Est",
    "Provence-Alpes-Côte d'Azur",
    "Pays de la Loire",
    "Normandie",
    "Bretagne",
    "Bourgogne-Franche-Comté",
    "Centre-Val de Loire",
    "Corse",
)
REGION_WEIGHTS = np.array([12.3, 8.1, 6.0, 6.0, 6.0, 5.6, 5.1, 3.8, 3.3, 3.4, 2.8, 2.6, 0.35])
ACQ_CHANNELS = ("sales rep", "trade show", "web", "referral", "distributor partner")
ACQ_WEIGHTS = np.array([0.40, 0.15, 0.20, 0.15, 0.10])
SURNAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit",
    "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefèvre", "Michel",
    "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel",
    "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François",
    "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
)  # fmt: skip
ACTIVITY_WORDS = {
    "installer": ("Plomberie", "Électricité", "Chauffage", "Installations"),
    "retailer": ("Matériaux", "Quincaillerie", "Bricolage"),
    "industrial": ("Industrie", "Mécanique", "Usinage"),
    "distributor": ("Distribution", "Négoce", "Comptoir"),
}
LEGAL_FORMS = ("SARL", "SAS", "SA", "EURL", "et Fils")
ROLES = ("sales rep", "sales director", "buyer", "technician")
ROLE_PROBS = np.array([0.35, 0.15, 0.30, 0.20])
EVENT_KINDS = ("login", "visit", "content", "training", "challenge", "referral", "review")
EVENT_MONTHLY_RATE = np.array([1.2, 0.25, 0.5, 0.06, 0.1, 0.015, 0.04])
DORMANT_EVENT_FACTOR = 0.2
POINT_KIND_ORDER = {"expired": 0, "earned": 1, "adjusted": 2, "redeemed": 3}
DIRTY_TRANSACTIONS = {
    "missing customer_id": 4,
    "unparseable date": 3,
    "unparseable amount": 3,
    "exact duplicate": 5,
}
DIRTY_EVENTS = {"unknown customer": 4}
