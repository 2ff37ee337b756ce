"""The analyses read invoice lines merged into rows (``Workbench.transactions``) and get the figures of the lines."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.analysis import portfolio, rfm, value
from workbench.analysis.purchases import purchase_ids
from workbench.data import load_dataset

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def lines_client(tmp_path_factory) -> tuple[Path, Path]:
    """A simulated client whose invoices are exported as 6 lines each (in 4 product ranges), and its run folder's data."""
    folder = tmp_path_factory.mktemp("lines")
    subprocess.run(
        [BIN / "workbench", "simulate", "--out", str(folder / "data"), "--customers", "150", "--lines-per-purchase", "6"], check=True, capture_output=True
    )
    params = folder / "client.yaml"
    params.write_text((ROOT / "parameters" / "demo.yaml").read_text(encoding="utf-8").replace("../data/demo/", "data/"), encoding="utf-8")
    run = folder / "run"
    load_dataset(workbench.config.params.load_params(params)).save(run)
    return params, run


def test_the_run_folder_holds_fewer_merged_rows_with_the_same_sums(lines_client):
    params, run = lines_client
    wb = workbench.load(params, run_dir=run)
    lines, merged = wb.table("transactions", lines=True), wb.transactions
    assert (run / "data" / "merged" / "transactions.parquet").is_file()
    # 6 lines per invoice take the 4 product ranges in turn: 4 rows an invoice, 6 lines
    assert len(merged) / len(lines) == pytest.approx(4 / 6, abs=0.01)
    assert list(merged.columns) == list(lines.columns) and (merged.dtypes == lines.dtypes).all()
    by = ["customer_id", "product_range", "channel"]
    pd.testing.assert_frame_equal(merged.groupby(by)[["amount", "margin", "quantity"]].sum(), lines.groupby(by)[["amount", "margin", "quantity"]].sum())
    for purchase in ("day", "invoice"):
        assert purchase_ids(merged, purchase=purchase).nunique() == purchase_ids(lines, purchase=purchase).nunique()


def test_interactive_use_merges_the_same_rows(lines_client):
    params, run = lines_client
    saved, fresh = workbench.load(params, run_dir=run).transactions, workbench.load(params).transactions
    pd.testing.assert_frame_equal(saved, fresh)


@pytest.mark.parametrize("purchase", ["day", "invoice"])
def test_scores_and_portfolio_are_those_of_the_lines(lines_client, purchase):
    params, run = lines_client
    wb = workbench.load(params, run_dir=run)
    lines, merged = wb.table("transactions", lines=True), wb.transactions
    kw = {"reference_date": wb.end, "start": wb.start, "purchase": purchase}
    scoring = wb.params.rfm.scoring_kwargs()
    pd.testing.assert_frame_equal(rfm.compute_rfm(merged, **kw, **scoring), rfm.compute_rfm(lines, **kw, **scoring))
    values = wb.params.value_score.scoring_kwargs()
    pd.testing.assert_frame_equal(value.compute_value_score(merged, **kw, **values), value.compute_value_score(lines, **kw, **values))
    period = {"start": wb.start, "end": wb.end, "grain": wb.params.portfolio.period_grain, "purchase": purchase}
    pd.testing.assert_frame_equal(portfolio.compute_revenue_components(merged, **period), portfolio.compute_revenue_components(lines, **period))
    for by in ("product_range", "channel"):
        got = portfolio.compute_breakdown(merged, by=by, customers=wb.table("customers"), purchase=purchase)
        pd.testing.assert_frame_equal(got, portfolio.compute_breakdown(lines, by=by, customers=wb.table("customers"), purchase=purchase))


# ---------------------------------------------------------------- reading only some columns
@pytest.mark.parametrize("lines", [True, False])
@pytest.mark.parametrize("in_period", [True, False])
@pytest.mark.parametrize("saved", [True, False], ids=["run folder", "interactive"])
def test_a_few_columns_are_those_of_the_whole_table(lines_client, lines, in_period, saved):
    params, run = lines_client
    wb = workbench.load(params, run_dir=run if saved else None)
    columns = ["amount", "customer_id", "date"]
    got = wb.table("transactions", lines=lines, in_period=in_period, columns=columns)
    whole = workbench.load(params, run_dir=run if saved else None).table("transactions", lines=lines, in_period=in_period)
    pd.testing.assert_frame_equal(got, whole[columns])
    assert not in_period or len(got) < len(wb.table("transactions", lines=lines, in_period=False))  # the period drops rows here


def test_reading_a_few_columns_leaves_the_saved_lines_unread(lines_client):
    params, run = lines_client
    wb = workbench.load(params, run_dir=run)
    wb.table("transactions", lines=True, columns=["customer_id"])
    wb.quality_warnings()
    wb.quality_coverage()
    assert wb.dataset.tables.unread_file("transactions") is not None  # the 10 M-line case: never the whole table in memory


def test_the_quality_checks_on_a_few_columns_equal_those_on_the_whole_tables(lines_client):
    from workbench.analysis import quality

    params, run = lines_client
    wb = workbench.load(params, run_dir=run)
    tables = {name: wb.dataset.tables[name] for name in wb.dataset.tables}  # every table, every column
    kinds = sorted({kind for kinds in wb.params.engagement.kinds.values() for kind in kinds})
    whole = quality.compute_warnings(
        tables, ledger=wb.dataset.ledger, rejected=wb.dataset.rejected, start=wb.start, end=wb.end, event_kinds=kinds, **wb.params.quality.model_dump()
    )
    pd.testing.assert_frame_equal(workbench.load(params, run_dir=run).quality_warnings(), whole)
    in_period = {**tables, "transactions": tables["transactions"][tables["transactions"]["in_period"]]}
    pd.testing.assert_frame_equal(workbench.load(params, run_dir=run).quality_coverage(), quality.compute_coverage(in_period, wb.dataset.rejected))


@pytest.mark.parametrize("columns", [["customer_id", "montant"], ["Amount"]])
def test_a_column_the_table_lacks_is_named(lines_client, columns):
    params, run = lines_client
    with pytest.raises(ValueError, match=r"columns: transactions has no column '(montant|Amount)'; its columns are customer_id, date, amount"):
        workbench.load(params, run_dir=run).table("transactions", lines=True, columns=columns)
