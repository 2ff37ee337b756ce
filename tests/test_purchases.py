"""The one definition of a purchase (workbench.analysis.purchases), hand-worked."""

import numpy as np
import pandas as pd
import pytest

from workbench.analysis import purchases
from workbench.config.params import parse_params
from workbench.errors import ParameterError

TX = pd.DataFrame(
    {
        "customer_id": ["A", "A", "A", "A", "B", "B"],
        "date": pd.to_datetime(["2024-01-05", "2024-01-05", "2024-01-05", "2024-02-01", "2024-01-05", "2024-03-01"]),
        "amount": [100.0, 50.0, 30.0, -20.0, 10.0, 0.0],
        "invoice_id": ["F1", "F2", "F2", "AV1", None, "F9"],
    }
)


def test_purchase_days_and_invoices_by_hand():
    # A: three positive rows on 2024-01-05 (invoices F1, F2, F2) and a credit note; B: one row without invoice, one zero row
    assert purchases.count_purchases(TX, purchase="day").to_dict() == {"A": 1, "B": 1}
    assert purchases.count_purchases(TX, purchase="invoice").to_dict() == {"A": 2, "B": 1}  # B's blank invoice counts for its day
    assert purchases.purchase_rows(TX).index.tolist() == [0, 1, 2, 4]
    ids = purchases.purchase_ids(TX, purchase="invoice")
    assert ids.tolist() == ["A#F1", "A#F2", "A#F2", "B@2024-01-05"]


def test_counts_by_another_key():
    month = TX["date"].dt.to_period("M")
    assert purchases.count_purchases(TX, purchase="day", by=month).to_dict() == {pd.Period("2024-01", "M"): 2}


def test_bad_definitions_are_named():
    with pytest.raises(ValueError, match=r"purchase='week': use 'day'"):
        purchases.count_purchases(TX, purchase="week")
    with pytest.raises(ValueError, match=r"purchase='invoice' needs an invoice_id column"):
        purchases.count_purchases(TX.drop(columns="invoice_id"), purchase="invoice")


BASE = {"client": "x", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}


def test_one_parameter_for_every_page():
    assert parse_params(BASE).purchase == "day"
    assert parse_params({**BASE, "purchase": "invoice"}).purchase == "invoice"
    with pytest.raises(ParameterError, match=r"purchase: Input should be 'day' or 'invoice'"):
        parse_params({**BASE, "purchase": "days"})
    with pytest.raises(ParameterError, match=r"rfm\.frequency: unknown key"):
        parse_params({**BASE, "rfm": {"frequency": "days"}})


def test_a_single_customer_with_only_credit_notes_never_crashes():
    """Unusual but valid data (issue 12): one customer, every amount negative."""
    from workbench.analysis import kpis, migration, portfolio, rfm, value

    tx = pd.DataFrame({"customer_id": ["Z", "Z"], "date": pd.to_datetime(["2024-02-01", "2024-05-01"]), "amount": [-100.0, -50.0]})
    start, end = pd.Timestamp("2023-01-01"), pd.Timestamp("2024-12-31")
    assert purchases.purchase_rows(tx).empty and purchases.count_purchases(tx).empty
    assert rfm.compute_rfm(tx, reference_date=end, start=start).empty
    assert value.compute_value_score(tx, reference_date=end, start=start).empty
    comp = portfolio.compute_revenue_components(tx, start=start, end=end)
    assert comp["purchases"].tolist() == [0, 0] and comp["revenue"].tolist() == [0.0, -150.0]
    assert portfolio.compute_retention(tx, start=start, end=end)["active"].tolist() == [0, 0]
    with pytest.raises(ValueError, match="the bridge needs two periods with purchases"):
        portfolio.default_bridge_periods(comp)
    headline = kpis.compute_headline({"transactions": tx}, start=start, end=end, year=2024).set_index("kpi")
    assert headline.loc["revenue", "value"] == -150.0 and np.isnan(headline.loc["revenue_growth", "value"])
    states = migration.compute_rfm_states(
        tx, dates=[pd.Timestamp("2023-12-31"), end], cuts={"recency": [1.0], "frequency": [1.0], "monetary": [1.0]}, n_scores=2
    )
    assert states.empty


@pytest.mark.parametrize("purchase", ["day", "invoice"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_counts_are_the_distinct_text_identifiers(purchase, seed):
    """count_purchases counts key columns; the reference is the text identifiers of purchase_ids, counted plainly."""
    rng = np.random.default_rng(seed)
    n = 400
    tx = pd.DataFrame(
        {
            "customer_id": rng.choice(["A", "B", "C", "2024-01-05"], n),
            "date": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 20, n), unit="D") + pd.to_timedelta(rng.integers(0, 3, n), unit="h"),
            "amount": rng.choice([-10.0, 0.0, 5.0, 20.0], n),
            # blanks, numbers shared by customers, and an invoice number that reads like a day
            "invoice_id": pd.array(rng.choice(["F1", "F2", "F3", "2024-01-05", None], n), dtype="str"),
            "month": rng.choice(["m1", "m2"], n),
        }
    )
    ids = purchases.purchase_ids(tx, purchase=purchase)
    rows = tx.loc[ids.index]
    expected = {}
    for (customer, month), group in ids.groupby([rows["customer_id"], rows["month"]]):
        expected[(customer, month)] = len(set(group))
    got = purchases.count_purchases(tx, purchase=purchase, by=["customer_id", "month"])
    assert got.to_dict() == expected
    assert purchases.count_purchases(tx, purchase=purchase).to_dict() == {c: len(set(g)) for c, g in ids.groupby(rows["customer_id"])}
