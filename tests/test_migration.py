import datetime as dt

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from pandas.testing import assert_frame_equal  # noqa: E402

from workbench import plotting  # noqa: E402
from workbench.analysis import migration as mg  # noqa: E402
from workbench.analysis import rfm  # noqa: E402
from workbench.config.params import parse_params  # noqa: E402
from workbench.errors import ParameterError  # noqa: E402
from workbench.simulate import simulate  # noqa: E402

D0, D1 = pd.Timestamp("2022-12-31"), pd.Timestamp("2023-12-31")


def frame(rows):
    out = pd.DataFrame(rows, columns=["customer_id", "date", "amount"])
    out["date"] = pd.to_datetime(out["date"]).astype("datetime64[ns]")
    return out


# Two scores; only M matters: M 2 when the window's net revenue >= 100 ("High"), else "Low".
CUTS = {"recency": [1000.0], "frequency": [1.0], "monetary": [100.0]}
RULES = (rfm.SegmentRule("High", (1, 2), (1, 2), (2, 2)), rfm.SegmentRule("Low", (1, 2), (1, 2), (1, 1)))
ORDER = ["High", "Low"]
TX = frame(
    [
        ("P", "2022-05-01", 150.0),
        ("P", "2023-05-01", 50.0),  # High -> Low: downgrade
        ("Q", "2022-03-01", 50.0),
        ("Q", "2023-02-01", 200.0),  # Low -> High: upgrade
        ("R", "2022-06-01", 300.0),  # High -> Inactive: downgrade, lost
        ("S", "2023-08-01", 80.0),  # New -> Low
        ("T", "2021-05-01", 100.0),  # Inactive -> Inactive (bought before the first window)
        ("U", "2021-06-01", 40.0),
        ("U", "2023-09-01", 500.0),  # Inactive -> High: reactivated
        ("V", "2022-10-01", 120.0),
        ("V", "2023-10-01", 130.0),  # High -> High: stable
        ("W", "2024-02-01", 10.0),  # after the last snapshot: not a customer yet
    ]
)


def states():
    return mg.compute_rfm_states(TX, dates=[D0, D1], cuts=CUTS, n_scores=2, segments=RULES)


def test_states_by_hand():
    got = states()
    expected = pd.DataFrame(
        {
            "customer_id": ["P", "Q", "R", "T", "U", "V", "P", "Q", "R", "S", "T", "U", "V"],
            "date": [D0] * 6 + [D1] * 7,
            "state": ["High", "Low", "High", "Inactive", "Inactive", "High", "Low", "High", "Inactive", "Low", "Inactive", "High", "High"],
            "revenue": [150.0, 50.0, 300.0, 0.0, 0.0, 120.0, 50.0, 200.0, 0.0, 80.0, 0.0, 500.0, 130.0],
        }
    )
    assert_frame_equal(got, expected)


def test_transitions_by_hand():
    got = mg.compute_transitions(states())
    expected = pd.DataFrame(
        {
            "group": "all",
            "from_date": D0,
            "to_date": D1,
            "from_state": ["High", "High", "High", "Inactive", "Inactive", "Low", "New"],
            "to_state": ["High", "Inactive", "Low", "High", "Inactive", "High", "Low"],
            "customers": [1, 1, 1, 1, 1, 1, 1],  # V, R, P, U, T, Q, S
            "revenue_before": [120.0, 300.0, 150.0, 0.0, 0.0, 50.0, 0.0],
            "revenue_after": [130.0, 0.0, 50.0, 500.0, 0.0, 200.0, 80.0],
            "revenue_change": [10.0, -300.0, -100.0, 500.0, 0.0, 150.0, 80.0],
        }
    )
    assert_frame_equal(got, expected)


def test_rates_by_hand():
    got = mg.compute_migration_rates(mg.compute_transitions(states()), order=ORDER)
    # active at D0: P, Q, R, V = 4; upgraded Q; stable V; downgraded P (High -> Low) and R (-> Inactive)
    expected = pd.DataFrame(
        {
            "group": ["all"],
            "from_date": [D0],
            "to_date": [D1],
            "active_start": [4],
            "upgraded": [1],
            "stable": [1],
            "downgraded": [2],
            "upgrade_rate": [0.25],
            "stable_rate": [0.25],
            "downgrade_rate": [0.5],
            "lost": [1],
            "new": [1],
            "reactivated": [1],
            "revenue_change": [340.0],  # 10 - 300 - 100 + 500 + 0 + 150 + 80
        }
    )
    assert_frame_equal(got, expected)


def test_matrix_balances_by_hand():
    s = states()
    matrix = mg.transition_matrix(mg.compute_transitions(s), order=ORDER)
    assert list(matrix.index) == ["New", "High", "Low", "Inactive"] and list(matrix.columns) == ["High", "Low", "Inactive"]
    # rows: the states at D0 (plus New); columns: the states at D1
    assert matrix.sum(axis=1).drop("New").to_dict() == s[s["date"] == D0]["state"].value_counts().to_dict()
    assert matrix.sum(axis=0).to_dict() == s[s["date"] == D1]["state"].value_counts().to_dict()
    share = mg.transition_matrix(mg.compute_transitions(s), order=ORDER, share=True)
    assert share.loc["High"].tolist() == pytest.approx([1 / 3, 1 / 3, 1 / 3])


def test_customers_are_conserved_on_the_simulator():
    sim = simulate(n_customers=300, seed=7, start=dt.date(2022, 1, 1), end=dt.date(2024, 12, 31), dirty=False)
    tx = sim.tables["transactions"].copy()
    tx["date"] = pd.to_datetime(tx["date"]).astype("datetime64[ns]")
    tx["customer_id"] = tx["customer_id"].astype(str)
    tx["amount"] = pd.to_numeric(tx["amount"], errors="coerce")
    tx = tx.dropna(subset=["customer_id", "date", "amount"])
    dates = mg.snapshot_dates(start=pd.Timestamp("2022-01-01"), end=pd.Timestamp("2024-12-31"), step="quarter")
    cuts = mg.base_cuts(tx, dates=dates)
    s = mg.compute_rfm_states(tx, dates=dates, cuts=cuts)
    transitions = mg.compute_transitions(s)
    order = rfm.segment_order()
    for d0, d1 in zip(dates, dates[1:]):
        step = transitions[transitions["to_date"] == d1]
        matrix = mg.transition_matrix(step, order=order)
        before = s[s["date"] == d0]["state"].value_counts()
        after = s[s["date"] == d1]["state"].value_counts()
        assert matrix.drop(index="New", errors="ignore").sum(axis=1).to_dict() == before.to_dict()
        assert matrix.sum(axis=0).to_dict() == after.to_dict()
        new = int(matrix.loc["New"].sum()) if "New" in matrix.index else 0
        assert new == after.sum() - before.sum()  # nobody disappears: the customers seen only grow
    rates = mg.compute_migration_rates(transitions, order=order)
    assert (rates["upgraded"] + rates["stable"] + rates["downgraded"] == rates["active_start"]).all()
    assert (rates[["upgrade_rate", "stable_rate", "downgrade_rate"]].sum(axis=1) - 1).abs().max() < 1e-12


def test_thresholds_are_frozen_at_the_base_snapshot():
    # three customers spend 10, 20, 30 in year 1 and ten times more in year 2
    tx = frame([(c, "2022-06-01", a) for c, a in zip("ABC", (10.0, 20.0, 30.0))] + [(c, "2023-06-01", 10 * a) for c, a in zip("ABC", (10.0, 20.0, 30.0))])
    cuts = mg.base_cuts(tx, dates=[D0, D1], n_scores=2)
    assert cuts["monetary"] == [20.0]  # median of 10, 20, 30 in the base window
    got = mg.compute_rfm_states(tx, dates=[D0, D1], cuts=cuts, n_scores=2, segments=RULES)
    # base: 10 -> Low, 20 and 30 -> High; year 2 with frozen cuts: all >= 20 -> High (recomputed quantiles would leave A Low)
    assert got["state"].tolist() == ["Low", "High", "High", "High", "High", "High"]


def test_value_states_scale_the_purchase_bonus():
    tx = frame([("A", "2023-03-01", 5_000.0), ("A", "2023-04-01", 5_000.0)])
    kwargs = {"window_years": 3.0, "classes": [("Top", 12.0), ("Rest", None)]}
    got = mg.compute_value_states(tx, dates=[D0, D1], value_kwargs=kwargs)
    # at D1, 12-month window: revenue 10 000 a year -> 0.5; no margin column -> 0; bonus 2 x 3 years / 1 year = 6 per purchase -> 12
    # score 12.5 >= 12 -> Top (with an unscaled bonus it would be 4.5 -> Rest)
    assert got[["date", "state"]].values.tolist() == [[D1, "Top"]]


def test_count_moves_and_groups():
    transitions = mg.compute_transitions(
        states(),
        groups=pd.Series({"P": "members", "Q": "members", "R": "non-members", "S": "members", "T": "non-members", "U": "non-members", "V": "non-members"}),
    )
    moves = mg.count_moves(transitions, from_states=["Low", "New"], to_states=["High"], known=ORDER)
    # members: Q Low -> High (moved), S New -> Low; non-members: none from Low or New
    assert moves[["group", "customers_from", "moved", "revenue_change"]].values.tolist() == [["members", 2, 1, 150.0], ["non-members", 0, 0, 0.0]]
    rates = mg.compute_migration_rates(transitions, order=ORDER)
    assert rates[["group", "active_start", "upgraded", "stable", "downgraded"]].values.tolist() == [["members", 2, 1, 0, 1], ["non-members", 2, 0, 1, 1]]
    with pytest.raises(ValueError, match=r"from_states=\['Lo'\]: 'Lo'; use names among"):
        mg.count_moves(transitions, from_states=["Lo"], to_states=["High"], known=ORDER)


def test_membership_groups():
    customers = pd.DataFrame({"customer_id": ["A", "B", "C"], "status": ["member", "blocked", None]})
    assert mg.membership_groups(customers).to_dict() == {"A": "members", "B": "non-members", "C": "non-members"}


@pytest.mark.parametrize(
    "step, window, expected",
    [
        ("year", 12, ["2022-12-31", "2023-12-31", "2024-12-31"]),
        ("year", 24, ["2023-12-31", "2024-12-31"]),
        ("quarter", 12, ["2022-12-31", "2023-03-31", "2023-06-30", "2023-09-30", "2023-12-31", "2024-03-31", "2024-06-30", "2024-09-30", "2024-12-31"]),
    ],
)
def test_snapshot_dates(step, window, expected):
    got = mg.snapshot_dates(start=pd.Timestamp("2022-01-01"), end=pd.Timestamp("2024-12-31"), step=step, window_months=window)
    assert got == [pd.Timestamp(d) for d in expected]


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"step": "month"}, r"step='month': use 'year' or 'quarter'"),
        ({"window_months": 0}, r"window_months=0"),
        ({"window_months": 36}, r"holds 1 snapshot\(s\) with a full 36-month window; migration needs two"),
    ],
)
def test_snapshot_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mg.snapshot_dates(start=pd.Timestamp("2022-01-01"), end=pd.Timestamp("2024-12-31"), **kwargs)


def test_unknown_state_in_order_is_named():
    with pytest.raises(ValueError, match=r"order: state\(s\) Low are not in the order given"):
        mg.compute_migration_rates(mg.compute_transitions(states()), order=["High"])


def test_plots_draw_what_was_computed():
    transitions = mg.compute_transitions(states())
    matrix = mg.transition_matrix(transitions, order=ORDER)
    fig, ax = plt.subplots()
    plotting.migration.plot_transition_matrix(matrix, ax=ax)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["New", "High", "Low", "Inactive"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(["0", "1", "0"] + ["1", "1", "1"] + ["1", "0", "0"] + ["1", "0", "1"])
    plt.close(fig)

    fig, ax = plt.subplots()
    plotting.migration.plot_flows(transitions, order=ORDER, ax=ax)
    bands = [p for p in ax.patches if type(p).__name__ == "PathPatch"]
    blocks = [p for p in ax.patches if type(p).__name__ == "Rectangle"]
    assert len(bands) == 7 and len(blocks) == 4 + 3  # New, High, Low, Inactive on the left; High, Low, Inactive on the right
    # block height = customers x (1 - gaps) / 7 customers; left: 4 blocks, 3 gaps of 0.02; right: 3 blocks, 2 gaps
    # left New 1, High 3 (P, R, V), Low 1 (Q), Inactive 2 (T, U); right High 3 (Q, U, V), Low 2 (P, S), Inactive 2 (R, T)
    heights = [p.get_height() for p in blocks]
    assert heights == pytest.approx([x * 0.94 / 7 for x in (1, 3, 1, 2)] + [x * 0.96 / 7 for x in (3, 2, 2)])
    assert {t.get_text() for t in ax.texts} == {"New", "High", "Low", "Inactive"}
    plt.close(fig)

    rates = mg.compute_migration_rates(transitions, order=ORDER)
    fig, ax = plt.subplots()
    plotting.migration.plot_rates(rates, ax=ax)
    assert [p.get_height() for p in ax.patches] == pytest.approx([25.0, 25.0, 50.0])
    assert ax.get_ylabel() == "share of customers active at the start (%)"
    plt.close(fig)


BASE = {"client": "x", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}


@pytest.mark.parametrize(
    "section, message",
    [
        ({"step": "month"}, r"migration\.step: .*got 'month'"),
        ({"window_months": 0}, r"migration\.window_months: .*greater than or equal to 1"),
        ({"occasional": ["Lost"], "regular": ["Lost"]}, r"migration: Lost is in both occasional and regular"),
        ({"regular": []}, r"must each name at least one RFM segment"),
    ],
)
def test_bad_migration_parameters_are_refused(section, message):
    with pytest.raises(ParameterError, match=message):
        parse_params({**BASE, "migration": section})
