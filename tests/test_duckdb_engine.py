"""The DuckDB data path against the pandas path on dirty inputs (``data.engine``).

The reader and validation tests of test_data.py, test_reading_edge_cases.py,
test_roundtrip_property.py and test_simulated_load.py already load through
:func:`tests.engines.load_dataset`, which runs both engines and compares them; these add
dirty files aimed at the SQL rules, the chunking of the stream and the engine choice.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import write_params
from tests.engines import assert_same_dataset, load_dataset
from workbench.config.params import load_params
from workbench.data import Dataset, duck
from workbench.data import load_dataset as load_one
from workbench.data.dataset import choose_engine
from workbench.data.validation import parse_numbers
from workbench.errors import DataError

DIRTY_SALES = (
    "customer_id,date,amount,margin,channel,\n"
    "A,2023-01-02,10,1,web,\n"  # kept (trailing separator)
    "B,2023-02-30,5,1,web,\n"  # unparseable date (30 February)
    "C,2023-01-03,12.,1,web,\n"  # unparseable amount (no digit after the point)
    "D,2023-01-04,#N/A,1,web,\n"  # missing amount (spreadsheet error)
    "  ,2023-01-04,3,1,web,\n"  # missing customer_id (white space)
    "E,N/A,3,1,web,\n"  # missing date (na marker)
    "F,2023-01-05,1e400,1,web,\n"  # unparseable amount (not finite)
    "G,2023-01-06,+.5, 2 ,\u00a0Web\u202f,\n"  # kept: +.5, trimmed margin and channel
    "\n"  # a blank line is not a row
    'H,2023-01-07,"1,5",1,"line one\nline two",\n'  # kept? no: 1,5 is unparseable with decimal "."
    "I,2023-01-08,7,1\n"  # wrong number of fields
    "A,2023-01-02,10,1,web,\n"  # exact duplicate of line 2
    "J,1899-12-31,7,1,web,\n"  # unparseable date (before 1900)
    "K,2021-06-30,-7,1,web,\n"  # kept, out of period
)
CUSTOMERS = (
    "customer_id,name,status,(blank)\n"
    "A,Caf\u0065\u0301,Inscrit,\n"  # NFC name, recoded status
    "A,Other,member,\n"  # duplicate customer_id
    "B,Bee,gold,\n"  # invalid status
    "G,Gee,,\n"
    "K,Kay, Non inscrit ,\n"
)
SURVEYS = "customer_id,date,nps,ces\nA,2023-01-02,11,3\nG,2023-01-02,10,0\nZ,2023-01-02,5,5\nB,2023-01-02,5,5\nK,2023-01-02,0,7\n"


def _params(tmp_path: Path, files: dict[str, bytes | str], data: dict, encoding: str = "utf-8") -> object:
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return load_params(write_params(tmp_path, data))


def test_dirty_tables_give_the_same_ledger_rejections_and_rows(tmp_path: Path):
    params = _params(
        tmp_path,
        {"t.csv": DIRTY_SALES, "c.csv": CUSTOMERS, "s.csv": SURVEYS},
        {
            "transactions": {"path": "t.csv"},
            "customers": {"path": "c.csv", "values": {"status": {"Inscrit": "member", "Non inscrit": "non-member"}}},
            "surveys": {"path": "s.csv"},
        },
    )
    ds = load_dataset(params)  # both engines, compared
    reasons = ds.rejected.set_index(["table", "source_row"])["reason"].to_dict()
    assert reasons[("transactions", 3)] == "unparseable date"
    assert reasons[("transactions", 4)] == "unparseable amount"
    assert reasons[("transactions", 5)] == "missing amount"
    assert reasons[("transactions", 6)] == "missing customer_id"
    assert reasons[("transactions", 8)] == "unparseable amount"
    assert reasons[("transactions", 11)] == "unparseable amount"
    assert reasons[("transactions", 13)] == "wrong number of fields"
    assert reasons[("transactions", 14)] == "exact duplicate"
    assert reasons[("customers", 3)] == "duplicate customer_id"
    assert reasons[("customers", 4)] == "invalid status"
    assert reasons[("surveys", 2)] == "out of range nps"
    assert reasons[("surveys", 3)] == "out of range ces"
    assert reasons[("surveys", 4)] == "unknown customer"
    tx = ds.tables["transactions"]
    assert tx["source_row"].tolist() == [2, 9, 16]
    assert tx["amount"].tolist() == [10.0, 0.5, -7.0]
    assert tx["channel"].tolist()[1] == "Web"
    assert ds.tables["customers"]["name"].tolist()[0] == "Caf\u00e9"
    assert ds.tables["customers"]["status"].fillna("").tolist() == ["member", "", "non-member"]


@pytest.mark.parametrize(
    "content, options, message",
    [
        ("customer_id,date,amount\nA,2023-01-02,10\n", {"path": "missing.csv"}, r"file not found"),
        ("customer_id,date,montant\nA,2023-01-02,10\n", {}, r"column 'amount' not found in t\.csv \(did you mean 'montant'\?"),
        (
            "Titre\n\ncustomer_id,date,amount\nA,2023-01-02,10\n",
            {},
            r"line 1 has 1 field\(s\) but most rows have 3, from line 3: are there title lines above the header\?",
        ),
        ("customer_id;date;amount\nA;2023-01-02;10\nB;2023-01-03;11\n", {}, r"seems to be separated by ';'"),
        (
            "customer_id,date,amount\nA,2023-01-02T10:00+01:00,1\nB,2023-01-03T10:00+02:00,1\n",
            {},
            r"mixes UTC offsets \(\+01:00 on line 2, \+02:00 on line 3\)",
        ),
        ('customer_id,date,amount\nA,2023-01-02,"10\nB,2023-01-03,11\nC,2023-01-04,12\n', {}, r"a quote opened in column 'amount' runs to line"),
        ("customer_id,date,amount,région\nA,2023-01-02,10,Société\n".encode(), {"encoding": "cp1252"}, r"is UTF-8 text, not cp1252"),
        ("customer_id,date,amount,région\nA,2023-01-02,10,Île\n".encode("cp1252"), {}, r"is not utf-8 text \(byte 0xe9 at position 25, line 1\)"),
        (b"\xef\xbb\xbfcustomer_id,date,amount\nA,2023-01-02,10\n", {"encoding": "latin-1"}, r"starts with a UTF-8 byte-order mark"),
        (b"PK\x03\x04 not really a workbook", {}, r"is an Excel workbook \(XLSX\), not CSV text"),
        ("customer_id,customer_id,amount\nA,B,1\n", {}, r"columns 1 \('customer_id'\) and 2 \('customer_id'\) have the same name"),
        ("customer_id,date,amount\n", {}, r"has a header but no data rows"),
        ("x\ny\n", {"skip_rows": 5}, r"has only 2 line\(s\)"),
    ],
)
def test_dirty_files_raise_the_same_message(tmp_path: Path, content, options, message):
    params = _params(tmp_path, {"t.csv": content}, {"transactions": {"path": "t.csv", **options}})
    with pytest.raises(DataError, match=message):
        load_dataset(params)  # asserts the DuckDB message is the same, word for word


@pytest.mark.parametrize(
    "content, options",
    [
        ("Code;Jour;CA HT\n007;05/01/2023;1 234,50\n008;06/01/2023;1.234,50\n009;07/02/2023;1\u00a0000\n", {"sep": ";", "decimal": ",", "thousands": " "}),
        ("Code;Jour;CA HT\n007;05/01/2023;1.234,50\n008;06/01/2023;12.5\n009;04/03/2023;-,5\n", {"sep": ";", "decimal": ",", "thousands": "."}),
        ("Code||Jour||CA HT\n007||05/01/2023||1234\n008||2023-01-06||5\n", {"sep": "||"}),  # multi-character sep: read by the pandas reader
    ],
)
def test_odd_layouts_and_encodings(tmp_path: Path, content, options):
    for encoding in ("utf-8", "cp1252", "utf-16"):
        folder = tmp_path / encoding
        folder.mkdir()
        if encoding == "utf-16" or "\u00a0" not in content or encoding != "cp1252":
            params = _params(
                folder,
                {"t.csv": content},
                {
                    "transactions": {
                        "path": "t.csv",
                        "encoding": encoding,
                        "dayfirst": True,
                        "columns": {"customer_id": "Code", "date": "Jour", "amount": "CA HT"},
                        **options,
                    }
                },
                encoding=encoding,
            )
            ds = load_dataset(params)
            assert len(ds.tables["transactions"]) >= 2


def test_chunks_of_the_stream_do_not_change_the_result(tmp_path: Path, monkeypatch):
    params = _params(tmp_path, {"t.csv": DIRTY_SALES}, {"transactions": {"path": "t.csv"}})
    expected = load_one(params, engine="pandas")
    monkeypatch.setattr(duck, "CHUNK_ROWS", 2)
    assert_same_dataset(expected, load_one(params, engine="duckdb"))


def test_sql_numbers_are_parse_numbers(tmp_path: Path):
    values = [
        "1",
        "-2.5",
        "+.5",
        ".5",
        "5.",
        "1e3",
        "1E-2",
        "1e400",
        "abc",
        "1 234",
        "1\u00a0234,5",
        "1.234,50",
        "12.5",
        "12,5",
        "-,5",
        "0",
        "-0",
        " 7 ",
        "1,234.5",
        "12 34",
    ]
    con = duck.connect(tmp_path)
    for decimal, thousands in ((".", None), (",", None), (",", " "), (",", "."), (".", ","), (".", "'")):
        source = type("S", (), {"decimal": decimal, "thousands": thousands})()
        sql = duck._finite(duck._number("pystrip(x)", "FALSE", source))
        got = [con.execute(f"SELECT {sql} FROM (SELECT ? AS x)", [x]).fetchone()[0] for x in values]
        want = parse_numbers(pd.Series(values, dtype=object), decimal=decimal, thousands=thousands)
        np.testing.assert_array_equal(np.array([np.nan if g is None else g for g in got], dtype=float), want.to_numpy(), err_msg=f"{decimal!r} {thousands!r}")


def test_auto_picks_duckdb_above_the_threshold(tmp_path: Path):
    (tmp_path / "t.csv").write_text("customer_id,date,amount\nA,2023-01-02,10\n", encoding="utf-8")
    small = load_params(write_params(tmp_path, {"transactions": {"path": "t.csv"}}))
    tiny = load_params(write_params(tmp_path, {"engine": "auto", "duckdb_above_mb": 0.00001, "transactions": {"path": "t.csv"}}))
    forced = load_params(write_params(tmp_path, {"engine": "duckdb", "transactions": {"path": "t.csv"}}))
    assert (choose_engine(small), choose_engine(tiny), choose_engine(forced), choose_engine(forced, "pandas")) == ("pandas", "duckdb", "duckdb", "pandas")


def test_a_duckdb_dataset_saves_and_reads_back_like_a_pandas_one(tmp_path: Path):
    params = _params(tmp_path, {"t.csv": DIRTY_SALES}, {"transactions": {"path": "t.csv"}})
    load_one(params, engine="pandas").save(tmp_path / "pandas")
    load_one(params, engine="duckdb").save(tmp_path / "duckdb")
    assert_same_dataset(Dataset.read_saved(tmp_path / "pandas"), Dataset.read_saved(tmp_path / "duckdb"))
