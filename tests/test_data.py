import json
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal

from tests.conftest import write_params
from tests.engines import load_dataset  # both engines, compared (assert_frame_equal); returns the pandas result
from workbench.config.params import load_params
from workbench.errors import DataError


def test_french_export_is_read_mapped_and_ledgered(french_client: Path):
    ds = load_dataset(load_params(french_client))
    tx = ds.tables["transactions"]
    expected = pd.DataFrame(
        {
            "customer_id": pd.Series(["007", "010", "011", "012"], dtype="str"),
            "date": pd.to_datetime(["2023-01-05", "2023-01-08", "2021-12-15", "2024-06-20"]).astype("datetime64[ns]"),
            "amount": [1234.5, -50.0, 300.0, 1000.0],
            "margin": [200.1, -5.0, 30.0, float("nan")],
            "invoice_id": pd.Series(["F1", "AV1", "F5", "F6"], dtype="str"),
        }
    )
    assert_frame_equal(tx[expected.columns.tolist()], expected)
    assert tx["source_row"].tolist() == [2, 7, 8, 9]
    assert tx["in_period"].tolist() == [True, True, False, True]

    rej = ds.rejected[ds.rejected["table"] == "transactions"]
    assert rej[["source_row", "reason"]].values.tolist() == [
        [3, "unparseable date"],
        [4, "missing customer_id"],
        [5, "exact duplicate"],
        [6, "unparseable amount"],
    ]
    assert rej["detail"].tolist()[0] == "31/02/2023" and pd.isna(rej["detail"].tolist()[1])
    assert rej["detail"].tolist()[2:] == ["same as row 2", "abc"]
    assert json.loads(rej.iloc[0]["raw"])["Date facture"] == "31/02/2023"

    ledger = ds.ledger.set_index("table")
    assert ledger.loc["transactions", ["rows_read", "rows_kept", "rows_rejected", "rows_out_of_period"]].tolist() == [8, 4, 4, 1]
    assert ledger.loc["customers", ["rows_read", "rows_kept", "rows_rejected"]].tolist() == [5, 4, 1]

    customers = ds.tables["customers"].set_index("customer_id")
    assert customers["status"].to_dict() == {"007": "member", "010": "non-member", "011": "pre-registered", "012": "blocked"}
    assert customers.loc["007", "name"] == "Électricité Dupont"
    assert customers.loc["007", "enrolled_on"] == pd.Timestamp("2023-03-01")
    bad = ds.rejected[ds.rejected["table"] == "customers"].iloc[0]
    assert (bad["source_row"], bad["reason"]) == (6, "invalid status")
    assert "map it under data.customers.values.status" in bad["detail"]


def _frame_for_formats():
    return pd.DataFrame({"customer_id": ["A", "B", "B"], "date": ["2023-01-02", "2023-02-03", "2023-02-04"], "amount": [10.5, 20.0, -5.0]})


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_csv_xlsx_and_parquet_give_the_same_table(tmp_path: Path, fmt: str):
    frame = _frame_for_formats()
    path = tmp_path / f"t.{fmt}"
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "xlsx":
        frame.assign(date=pd.to_datetime(frame["date"])).to_excel(path, index=False, sheet_name="Ventes")
    else:
        frame.assign(date=pd.to_datetime(frame["date"])).to_parquet(path, index=False)
    ds = load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": path.name}})))
    got = ds.tables["transactions"][["customer_id", "date", "amount"]]
    expected = frame.assign(date=pd.to_datetime(frame["date"]).astype("datetime64[ns]"), customer_id=frame["customer_id"].astype("str"))
    assert_frame_equal(got, expected)
    first_row = 1 if fmt == "parquet" else 2
    assert ds.tables["transactions"]["source_row"].tolist() == [first_row, first_row + 1, first_row + 2]


def _load(tmp_path: Path, files: dict[str, bytes], data: dict):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return load_dataset(load_params(write_params(tmp_path, data)))


GOOD = b"customer_id,date,amount\nA,2023-01-02,10\n"


@pytest.mark.parametrize(
    "files, data, message",
    [
        ({}, {"transactions": {"path": "missing.csv"}}, r"data\.transactions\.path: file not found: .*missing\.csv; fix the path"),
        (
            {"t.csv": GOOD},
            {"transactions": {"path": "t.csv", "columns": {"amount": "CA HT"}}},
            r"data\.transactions\.columns\.amount: column 'CA HT' not found in t\.csv .*map it with data\.transactions\.columns\.amount",
        ),
        (
            {"t.csv": b"customer_id,date,montant\nA,2023-01-02,10\n"},
            {"transactions": {"path": "t.csv"}},
            r"data\.transactions\.columns\.amount: column 'amount' not found in t\.csv \(did you mean 'montant'\? columns found: 'customer_id', 'date', 'montant'\)",
        ),
        ({"t.csv": b"customer_id,date,amout\nA,2023-01-02,10\n"}, {"transactions": {"path": "t.csv"}}, r"did you mean 'amout'\?"),
        (
            {"t.csv": "Code client;Date;Montant\nA;02/01/2023;10\n".encode()},
            {"transactions": {"path": "t.csv", "columns": {"customer_id": "Code client"}}},
            r"seems to be separated by ';': set data\.transactions\.sep",
        ),
        (
            {"t.csv": "customer_id,date,amount,région\nÉ1,2023-01-02,10,Île\n".encode("cp1252")},
            {"transactions": {"path": "t.csv"}},
            r"data\.transactions\.encoding: t\.csv is not utf-8 text \(byte 0xe9 .*set data\.transactions\.encoding .*cp1252",
        ),
        ({"t.csv": b""}, {"transactions": {"path": "t.csv"}}, r"data\.transactions: t\.csv is empty"),
        ({"t.csv": b"customer_id,date,amount\n"}, {"transactions": {"path": "t.csv"}}, r"data\.transactions: t\.csv has a header but no data rows"),
        (
            {"t.csv": GOOD, "c.csv": b"customer_id\n"},
            {"transactions": {"path": "t.csv"}, "customers": {"path": "c.csv"}},
            r"data\.customers: c\.csv has a header but no data rows",
        ),
        (
            {"t.csv": GOOD, "c.json": b"{}"},
            {"transactions": {"path": "t.csv"}, "customers": {"path": "c.json"}},
            r"data\.customers\.path: cannot tell the format of c\.json",
        ),
    ],
)
def test_bad_input_gives_one_clear_line(tmp_path: Path, files, data, message):
    with pytest.raises(DataError, match=message) as info:
        _load(tmp_path, files, data)
    assert len(str(info.value).splitlines()) == 1


def test_missing_excel_sheet_lists_the_sheets(tmp_path: Path):
    _frame_for_formats().to_excel(tmp_path / "t.xlsx", index=False, sheet_name="Ventes")
    with pytest.raises(DataError, match=r"data\.transactions\.sheet: no sheet 'Sales' in t\.xlsx; sheets are 'Ventes'"):
        load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": "t.xlsx", "sheet": "Sales"}})))


def test_secondary_tables_reject_unknown_customers_and_members(tmp_path: Path):
    files = {
        "t.csv": b"customer_id,date,amount\nA,2023-01-02,10\nB,2023-01-03,20\n",
        "c.csv": b"customer_id,status\nA,member\nB,non-member\nA,member\n",
        "m.csv": b"member_id,customer_id,role\nM1,A,owner\nM2,Z,sales rep\nM1,A,buyer\n",
        "e.csv": b"customer_id,member_id,date,kind\nA,M1,2023-02-01,login\nA,M9,2023-02-01,login\nQ,,2023-02-01,login\nA,,2019-01-01,visit\n",
        "s.csv": b"customer_id,date,nps\nA,2023-03-01,9\nB,2023-03-01,11\n",
    }
    ds = _load(
        tmp_path,
        files,
        {
            "transactions": {"path": "t.csv"},
            "customers": {"path": "c.csv"},
            "members": {"path": "m.csv"},
            "events": {"path": "e.csv"},
            "surveys": {"path": "s.csv"},
        },
    )
    reasons = ds.rejected[["table", "source_row", "reason"]].values.tolist()
    assert reasons == [
        ["customers", 4, "exact duplicate"],
        ["members", 3, "unknown customer"],
        ["members", 4, "duplicate member_id"],
        ["events", 3, "unknown member"],
        ["events", 4, "unknown customer"],
        ["surveys", 3, "out of range nps"],
    ]
    ledger = ds.ledger.set_index("table")
    assert ledger.loc["events", "rows_out_of_period"] == 1
    assert (ledger["rows_read"] == ledger["rows_kept"] + ledger["rows_rejected"]).all()


def test_without_customers_table_references_check_against_transactions(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2023-01-02,10\n", "e.csv": b"customer_id,date,kind\nA,2023-02-01,login\nB,2023-02-01,login\n"}
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv"}, "events": {"path": "e.csv"}})
    assert ds.rejected[["table", "reason", "detail"]].values.tolist() == [["events", "unknown customer", "B"]]


def test_duplicates_can_be_kept_on_request(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2023-01-02,10\nA,2023-01-02,10\n"}
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv", "drop_duplicates": False}})
    assert len(ds.tables["transactions"]) == 2 and ds.rejected.empty


def test_saved_dataset_reads_back_identically(french_client: Path, tmp_path: Path):
    from workbench.data import Dataset

    ds = load_dataset(load_params(french_client))
    ds.save(tmp_path / "run")
    back = Dataset.read_saved(tmp_path / "run")
    for name, table in ds.tables.items():
        assert_frame_equal(back.tables[name], table, check_dtype=False)
    assert_frame_equal(back.ledger, ds.ledger)
    assert len(back.rejected) == len(ds.rejected)


def test_saved_tables_are_read_on_first_use(french_client: Path, tmp_path: Path, monkeypatch):
    from workbench.data import Dataset

    load_dataset(load_params(french_client)).save(tmp_path / "run")
    read = []
    original = pd.read_parquet
    monkeypatch.setattr(pd, "read_parquet", lambda path, **kw: read.append(Path(path).stem) or original(path, **kw))
    tables = Dataset.read_saved(tmp_path / "run").tables
    assert list(tables) == ["customers", "transactions"] and "events" not in tables and read == []
    assert len(tables["transactions"]) == 4 and tables.get("events") is None
    assert tables["transactions"] is tables["transactions"] and read == ["transactions"]  # read once
    assert {**tables}.keys() == {"customers", "transactions"} and read == ["transactions", "customers"]


# ---------------------------------------------------------------- the ledger invariant
cell = st.one_of(
    st.sampled_from(["", "  ", "A", "B", "007", "n/a", "2023-01-05", "2023-02-30", "05/01/2023", "abc", "1,5", "12.5", "-3", "0"]),
    st.text(alphabet="AB0123456789-./ ,é", max_size=8),
)
row = st.tuples(cell, cell, cell, cell)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(row, min_size=1, max_size=25))
def test_every_row_is_kept_or_rejected_exactly_once(tmp_path_factory, rows):
    folder = tmp_path_factory.mktemp("ledger")
    frame = pd.DataFrame(rows, columns=["customer_id", "date", "amount", "note"])
    frame.to_csv(folder / "t.csv", index=False)
    ds = load_dataset(load_params(write_params(folder, {"transactions": {"path": "t.csv"}})))
    ledger = ds.ledger.iloc[0]
    read_back = len(pd.read_csv(folder / "t.csv", dtype=str, keep_default_na=False, skip_blank_lines=True))
    assert ledger["rows_read"] == read_back
    assert ledger["rows_read"] == ledger["rows_kept"] + ledger["rows_rejected"]
    seen = sorted(ds.tables["transactions"]["source_row"].tolist() + ds.rejected["source_row"].tolist())
    assert seen == list(range(2, 2 + ledger["rows_read"]))
    assert ds.rejected["reason"].notna().all()
