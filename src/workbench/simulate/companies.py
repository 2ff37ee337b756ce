"""Companies: latent BG/NBD and Gamma-Gamma draws, typology, region, births.

Companies (``customers``)
    For each company *i*: ``lambda_i ~ Gamma(shape=r, rate=alpha)`` purchases
    per week, ``p_i ~ Beta(a, b)`` dropout probability,
    ``nu_i ~ Gamma(shape=q, rate=v)`` spend rate, and a birth day (its first
    purchase) uniform on ``[start - 365 days, end - 90 days]``. Typology
    (installer, retailer, industrial, distributor) is drawn *after* the latent
    variables, by rank of ``z_i`` plus noise, ``z_i`` being the standardised
    ``log(lambda_i) + log(p / nu_i)`` (log of the expected spend per week,
    standardised with the population moments), so bigger accounts tend to be
    distributors without any spend multiplier. ``z_i`` also drives engagement
    and the number of people of a member company, never the enrolment.
    Region (French regions, population weighted) and acquisition channel are
    independent of everything else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from .base import Grid, pick, rng
from .constants import (
    ACQ_CHANNELS,
    ACQ_WEIGHTS,
    ACTIVITY_WORDS,
    BGNBD,
    BIRTH_BEFORE_END_DAYS,
    GG,
    LEGAL_FORMS,
    REGION_WEIGHTS,
    REGIONS,
    SURNAMES,
    TABLE_COLUMNS,
    TYPOLOGIES,
    TYPOLOGY_SHARES,
)


@dataclass(frozen=True)
class Companies:
    """Per-company draws, one entry per company (index ``i`` is id ``C<i+1>``).

    Attributes
    ----------
    lam : numpy.ndarray
        Purchase rate, purchases per week.
    p_drop : numpy.ndarray
        Dropout probability after each repeat purchase.
    nu : numpy.ndarray
        Gamma-Gamma spend rate, 1/EUR.
    birth : numpy.ndarray
        Day index of the first purchase.
    z : numpy.ndarray
        Standardised log expected spend per week (no unit).
    engagement : numpy.ndarray
        Company engagement ``g_i`` (no unit).
    typ, region, acq : numpy.ndarray
        Indices into ``TYPOLOGIES``, ``REGIONS`` and ``ACQ_CHANNELS``.
    name_u : numpy.ndarray
        ``(n, 3)`` uniforms choosing the words of the company name.
    ids : numpy.ndarray
        Customer ids ``C00001``... (object strings), zero-padded to ``id_width`` digits.
    """

    lam: np.ndarray
    p_drop: np.ndarray
    nu: np.ndarray
    birth: np.ndarray
    z: np.ndarray
    engagement: np.ndarray
    typ: np.ndarray
    region: np.ndarray
    acq: np.ndarray
    name_u: np.ndarray
    ids: np.ndarray
    id_width: int


def draw_companies(n: int, grid: Grid, ss: np.random.SeedSequence) -> Companies:
    """Draw ``n`` companies from the ``companies`` stream ``ss``."""
    rc = rng(ss)
    r, alpha, a, b = (BGNBD[k] for k in ("r", "alpha", "a", "b"))
    gq, gv = GG["q"], GG["v"]
    lam = rc.gamma(r, 1.0 / alpha, n)  # per week
    p_drop = rc.beta(a, b, n)
    nu = rc.gamma(gq, 1.0 / gv, n)
    birth = rc.integers(0, grid.last - BIRTH_BEFORE_END_DAYS + 1, n)
    z = _standardised_log_spend(lam, nu)
    rank_noise = rc.normal(0.0, 0.8, n)
    engagement = 0.6 * z + 0.8 * rc.standard_normal(n)
    region = pick(rc.random(n), REGION_WEIGHTS)
    acq = pick(rc.random(n), ACQ_WEIGHTS)
    name_u = rc.random((n, 3))
    order = np.argsort(z + rank_noise, kind="stable")
    bounds = np.floor(np.cumsum(TYPOLOGY_SHARES) * n).astype(np.int64)
    typ = np.empty(n, dtype=np.int64)
    typ[order] = np.searchsorted(bounds, np.arange(n), side="right").clip(0, 3)
    width = max(5, len(str(n)))
    ids = np.array([f"C{k + 1:0{width}d}" for k in range(n)], dtype=object)
    return Companies(
        lam=lam, p_drop=p_drop, nu=nu, birth=birth, z=z, engagement=engagement,
        typ=typ, region=region, acq=acq, name_u=name_u, ids=ids, id_width=width,
    )  # fmt: skip


def _standardised_log_spend(lam: np.ndarray, nu: np.ndarray) -> np.ndarray:
    """``z``: ``log(lambda) + log(p / nu)`` standardised with its population moments."""
    r, alpha = BGNBD["r"], BGNBD["alpha"]
    gp, gq, gv = (GG[k] for k in ("p", "q", "v"))
    with np.errstate(divide="ignore"):
        x = np.log(lam) + np.log(gp / nu)  # log expected spend per week
    x_mean = special.digamma(r) - math.log(alpha) + math.log(gp) - special.digamma(gq) + math.log(gv)
    x_sd = math.sqrt(special.polygamma(1, r) + special.polygamma(1, gq))
    return np.nan_to_num((x - x_mean) / x_sd, neginf=-10.0)


def company_names(companies: Companies) -> list[str]:
    """``"<activity word> <surname> <legal form>"`` per company, the word following the typology."""
    names = []
    for k in range(len(companies.typ)):
        words = ACTIVITY_WORDS[TYPOLOGIES[companies.typ[k]]]
        u = companies.name_u[k]
        names.append(f"{words[int(u[0] * len(words))]} {SURNAMES[int(u[1] * len(SURNAMES))]} {LEGAL_FORMS[int(u[2] * len(LEGAL_FORMS))]}")
    return names


def customers_table(companies: Companies, grid: Grid, *, status: np.ndarray, enrolled: np.ndarray, enrol: np.ndarray) -> pd.DataFrame:
    """The ``customers`` table, by id; ``enrolled_on`` is empty for companies never enrolled."""
    enrolled_on = np.where(enrolled, grid.iso(np.where(enrolled, enrol, 0)), None)
    return pd.DataFrame(
        {
            "customer_id": companies.ids,
            "name": company_names(companies),
            "status": status,
            "enrolled_on": enrolled_on,
            "typology": np.array(TYPOLOGIES, dtype=object)[companies.typ],
            "region": np.array(REGIONS, dtype=object)[companies.region],
            "acquisition_channel": np.array(ACQ_CHANNELS, dtype=object)[companies.acq],
        }
    ).astype({c: "str" for c in TABLE_COLUMNS["customers"]})
