import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import quality  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.data import Dataset  # noqa: E402


def tx(rows):
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["customer_id"] = frame["customer_id"].astype("str")
    return frame


TX = tx(
    [
        ("A", "2023-01-05", 100.0),
        ("A", "2023-01-20", -40.0),  # credit note
        ("B", "2023-01-20", 60.0),
        ("B", "2023-03-02", 60.0),
        ("B", "2023-03-02", 60.0),  # same customer, date, amount: possible double entry
    ]
)


def test_monthly_activity_includes_empty_months():
    got = quality.compute_monthly_activity(TX, start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2023-04-30"))
    expected = pd.DataFrame(
        {
            "month": pd.period_range("2023-01", "2023-04", freq="M"),
            "rows": [3, 0, 2, 0],
            "customers": [2, 0, 1, 0],
            "revenue": [120.0, 0.0, 120.0, 0.0],
            "credit_note_rows": [1, 0, 0, 0],
            "credit_note_amount": [-40.0, 0.0, 0.0, 0.0],
        }
    )
    assert_frame_equal(got, expected, check_dtype=False)
    assert got["rows"].dtype == "int64"


def test_credit_notes_by_hand():
    got = quality.compute_credit_notes(TX)
    # gross = 100 + 60 + 60 + 60 = 280; credit = -40 -> 40 / 280
    expected = pd.DataFrame(
        {
            "rows": [5],
            "credit_note_rows": [1],
            "row_share": [0.2],
            "gross_revenue": [280.0],
            "credit_note_amount": [-40.0],
            "amount_share": [40 / 280],
            "zero_amount_rows": [0],
        }
    )
    assert_frame_equal(got, expected)


def test_amount_bins_count_positive_amounts_in_half_open_bands():
    got = quality.compute_amount_bins(TX, edges=[0, 60, 100, float("inf")])
    expected = pd.DataFrame(
        {"band": ["0–60", "60–100", "≥ 100"], "low": [0.0, 60.0, 100.0], "high": [60.0, 100.0, float("inf")], "rows": [0, 3, 1], "revenue": [0.0, 180.0, 100.0]}
    )
    assert_frame_equal(got, expected, check_dtype=False)


def test_possible_duplicates():
    got = quality.compute_possible_duplicates(TX)
    assert got[["customer_id", "amount", "rows"]].values.tolist() == [["B", 60.0, 2]]


def test_rejections_and_ledger():
    rejected = pd.DataFrame(
        {
            "table": ["transactions", "transactions", "events"],
            "file": "f",
            "source_row": [4, 2, 9],
            "reason": ["missing date", "missing date", "unknown customer"],
            "detail": [None, None, "Z"],
            "raw": "{}",
        }
    )
    got = quality.compute_rejections(rejected)
    assert got[["table", "reason", "rows", "example_row"]].values.tolist() == [["transactions", "missing date", 2, 4], ["events", "unknown customer", 1, 9]]
    ledger = pd.DataFrame({"table": ["transactions"], "file": "f", "rows_read": [10], "rows_kept": [8], "rows_rejected": [2], "rows_out_of_period": [1]})
    out = quality.compute_ledger(ledger)
    assert out.loc[0, "rejected_share"] == pytest.approx(0.2) and bool(out.loc[0, "balanced"])
    assert quality.ledger_metrics(ledger) == {
        "data.transactions.rows_read": 10,
        "data.transactions.rows_kept": 8,
        "data.transactions.rows_rejected": 2,
        "data.transactions.rows_out_of_period": 1,
    }


def test_coverage_by_hand():
    customers = pd.DataFrame({"customer_id": ["A", "C", "D"], "status": ["member", "member", "non-member"]})
    members = pd.DataFrame({"member_id": ["M1"], "customer_id": ["A"]})
    rejected = pd.DataFrame({"table": ["members"], "reason": ["unknown customer"], "source_row": [3]})
    got = quality.compute_coverage({"transactions": TX, "customers": customers, "members": members}, rejected)
    assert got[["check", "count", "of"]].values.tolist() == [
        ["customers without transactions in the period", 2, 3],  # C, D
        ["transaction customers missing from the customers table", 1, 2],  # B
        ["members without a company (rejected)", 1, 2],
        ["member companies without a registered person", 1, 2],  # C
    ]


def _dataset(transactions, rejected_rows=0):
    transactions = transactions.assign(in_period=True)
    ledger = pd.DataFrame(
        {
            "table": ["transactions"],
            "file": "t.csv",
            "rows_read": [len(transactions) + rejected_rows],
            "rows_kept": [len(transactions)],
            "rows_rejected": [rejected_rows],
            "rows_out_of_period": [0],
        }
    )
    return Dataset(tables={"transactions": transactions}, ledger=ledger, rejected=pd.DataFrame(columns=["table", "reason", "source_row"]))


PARAMS = parse_params({"client": "x", "period": {"start": "2023-01-01", "end": "2023-12-31"}, "data": {"transactions": {"path": "t.csv"}}})


def _warnings(ds):
    return quality.compute_warnings(
        ds.tables, ledger=ds.ledger, rejected=ds.rejected, start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2023-12-31"), **PARAMS.quality.model_dump()
    )


def test_warnings_name_each_problem():
    got = _warnings(_dataset(TX, rejected_rows=1))
    messages = " | ".join(got["message"])
    assert "transactions: 1 of 6 rows rejected (16.7%, above the 1% threshold)" in messages
    assert "credit notes amount to 14.3% of gross revenue" in messages
    assert "data cover 3 month(s) of the period" in messages
    assert "1 month(s) without any transaction inside the data (2023-02)" in messages
    assert "1 kept row(s) repeat the customer, date and amount" in messages
    assert list(got.columns) == ["table", "topic", "message"]


def test_clean_data_gives_no_warning():
    rows = [(c, f"2023-{m:02d}-10", 100.0) for m in range(1, 13) for c in "AB"]
    assert _warnings(_dataset(tx(rows))).empty


def test_plots_draw_what_was_computed():
    monthly = quality.compute_monthly_activity(TX, start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2023-04-30"))
    fig, ax = plt.subplots()
    plotting.quality.plot_monthly_activity(monthly, currency="EUR", ax=ax)
    heights = [p.get_height() for p in ax.patches]
    assert heights == pytest.approx([0.12, 0.0, 0.12, 0.0])  # thousand EUR
    assert ax.get_ylabel() == "net revenue (thousand EUR)"
    colors = [p.get_facecolor()[:3] for p in ax.patches]
    assert colors[0] != colors[1]  # empty months stand out
    plt.close(fig)

    rejections = pd.DataFrame({"table": ["t", "e"], "reason": ["missing date", "unknown customer"], "rows": [5, 2]})
    fig, ax = plt.subplots()
    plotting.quality.plot_rejections(rejections, ax=ax)
    assert [p.get_width() for p in ax.patches] == [5, 2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["t: missing date", "e: unknown customer"]
    plt.close(fig)


def test_unmapped_event_kinds_are_listed_in_a_warning():
    ds = _dataset(TX)
    events = pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "kind": ["login", "Connexion", "Connexion", "webinar"]})
    ds.tables["events"] = events
    kw = dict(ledger=ds.ledger, rejected=ds.rejected, start=pd.Timestamp("2023-01-01"), end=pd.Timestamp("2023-12-31"), **PARAMS.quality.model_dump())
    got = quality.compute_warnings(ds.tables, event_kinds=["login", "visit"], **kw)
    unmapped = got[got["topic"] == "unmapped event kinds"]
    assert unmapped["message"].tolist() == [
        "events: 3 event(s) of kinds counted in no engagement pillar: 'Connexion' (2 rows), 'webinar' (1 rows); "
        "add them under engagement.kinds (or map them onto known kinds with data.events.values.kind)."
    ]
    assert "unmapped event kinds" not in quality.compute_warnings(ds.tables, event_kinds=["login", "Connexion", "webinar"], **kw)["topic"].tolist()
    assert "unmapped event kinds" not in quality.compute_warnings(ds.tables, **kw)["topic"].tolist()  # not checked without the kinds


def test_a_session_reads_the_columns_asked_for_inside_the_period_by_hand():
    from workbench.session import Workbench

    lines = TX.assign(in_period=[True, False, True, True, False], margin=[10.0, -4.0, 6.0, 6.0, 6.0])
    wb = Workbench(params=PARAMS, dataset=Dataset(tables={"transactions": lines}, ledger=pd.DataFrame(), rejected=pd.DataFrame()))
    got = wb.table("transactions", lines=True, columns=["amount", "customer_id"])
    assert_frame_equal(got, pd.DataFrame({"amount": [100.0, 60.0, 60.0], "customer_id": pd.Series(["A", "B", "B"], dtype="str")}))
    every = wb.table("transactions", lines=True, in_period=False, columns=["in_period", "margin"])
    assert_frame_equal(every, pd.DataFrame({"in_period": [True, False, True, True, False], "margin": [10.0, -4.0, 6.0, 6.0, 6.0]}))
