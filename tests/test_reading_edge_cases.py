"""Client files that are read right or refused with one line naming the file, the line, the key and the fix (issue 12)."""

import json
import os
import time
import unicodedata
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook

from tests.conftest import write_params
from tests.engines import load_dataset  # both engines, compared (assert_frame_equal); returns the pandas result
from workbench.config.params import load_params
from workbench.data import duck
from workbench.errors import DataError, ParameterError


def _load(tmp_path: Path, files: dict[str, bytes], data: dict):
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    return load_dataset(load_params(write_params(tmp_path, data)))


def _refused(tmp_path: Path, files: dict[str, bytes], data: dict, message: str) -> str:
    with pytest.raises(DataError, match=message) as info:
        _load(tmp_path, files, data)
    assert len(str(info.value).splitlines()) == 1
    return str(info.value)


T = {"transactions": {"path": "t.csv"}}


# ---------------------------------------------------------------- silently misread before
def test_an_unclosed_quote_is_refused_with_its_line(tmp_path: Path):
    files = {"t.csv": b'customer_id,date,amount,note\nA,2023-01-02,10,ok\nB,2023-01-03,20,"unclosed\nC,2023-01-04,30,x\nD,2023-01-05,40,y\n'}
    _refused(
        tmp_path,
        files,
        T,
        r"^data\.transactions: t\.csv line 3: a quote opened in column 'note' runs to line 5, swallowing 2 line\(s\) that look like rows; close the quote",
    )


def test_a_legitimate_quoted_newline_is_kept_and_source_rows_do_not_drift(tmp_path: Path):
    files = {"t.csv": b'customer_id,date,amount,note\nA,2023-01-02,10,"two\nlines"\n\nB,2023-01-03,20,x\n\n\nC,2023-01-04,abc,y\n'}
    ds = _load(tmp_path, files, T)
    assert ds.tables["transactions"]["source_row"].tolist() == [2, 5]
    assert ds.rejected[["source_row", "reason"]].values.tolist() == [[8, "unparseable amount"]]


def test_a_trailing_separator_on_data_lines_does_not_shift_the_columns(tmp_path: Path):
    files = {
        "t.csv": b"customer_id;date;amount\nC1;2023-01-02;10;\nC2;2023-01-03;20;\n",
        "c.csv": b"customer_id;name;status\nC1;Acme;member;\nC2;Beta;non-member;\n",
    }
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv", "sep": ";"}, "customers": {"path": "c.csv", "sep": ";"}})
    assert ds.rejected.empty
    assert ds.tables["customers"][["customer_id", "name", "status"]].values.tolist() == [["C1", "Acme", "member"], ["C2", "Beta", "non-member"]]
    assert ds.tables["transactions"]["amount"].tolist() == [10.0, 20.0]


def test_a_row_with_extra_fields_is_rejected_with_a_reason(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2023-01-02,10\nB,Dupont, Fils,2023-01-03\nC,2023-01-04,30\nD,2023-01-04,30\n"}
    ds = _load(tmp_path, files, T)
    assert ds.rejected[["source_row", "reason", "detail"]].values.tolist() == [[3, "wrong number of fields", "4 fields on line 3, the header (line 1) has 3"]]
    assert json.loads(ds.rejected.iloc[0]["raw"]) == {"customer_id": "B", "date": "Dupont", "amount": " Fils"}


@pytest.mark.parametrize("marker", ["#N/A", "#VALUE!", "#REF!", "#DIV/0!", "NaN", "None", "-", "#NAME?"])
def test_spreadsheet_error_values_are_missing(tmp_path: Path, marker: str):
    files = {"t.csv": f"customer_id,date,amount\n{marker},2023-01-02,10\nA,2023-01-02,{marker}\n".encode()}
    ds = _load(tmp_path, files, T)
    assert ds.rejected["reason"].tolist() == ["missing customer_id", "missing amount"]


def test_utf8_text_under_cp1252_is_refused_naming_utf8(tmp_path: Path):
    files = {"t.csv": "customer_id,date,amount,name\nA,2023-01-02,10,Société\n".encode()}
    _refused(
        tmp_path,
        files,
        {"transactions": {"path": "t.csv", "encoding": "cp1252"}},
        r"^data\.transactions\.encoding: t\.csv is UTF-8 text, not cp1252 \(line 2: 'A,2023-01-02,10,SociÃ©tÃ©' should read 'A,2023-01-02,10,Société'\); set data\.transactions\.encoding: utf-8$",
    )


@pytest.mark.parametrize(
    "header, message",
    [
        (
            b"customer_id,date,amount,Montant,Montant\n",
            r"line 1: columns 4 \('Montant'\) and 5 \('Montant'\) have the same name; rename one of them in the file",
        ),
        (
            b"customer_id,date,amount,Montant, Montant \n",
            r"line 1: columns 4 \('Montant'\) and 5 \(' Montant '\) have the same name once spaces are trimmed; rename one",
        ),
        (
            "customer_id,date,amount,Région,Re\u0301gion\n".encode(),
            r"line 1: columns 4 \('Région'\) and 5 \('.+'\) have the same name once accents are composed \(one is typed as letter \+ accent\)",
        ),
    ],
)
def test_duplicate_column_names_are_refused_naming_both(tmp_path: Path, header: bytes, message: str):
    _refused(tmp_path, {"t.csv": header + b"A,2023-01-02,10,1,2\n"}, T, r"^data\.transactions: t\.csv " + message)


def test_the_same_id_reads_the_same_from_csv_xlsx_and_parquet(tmp_path: Path):
    """The rule: ids are text as written; a typed whole number (XLSX cell, Parquet float) is its integer's text."""
    frame = pd.DataFrame({"customer_id": [8.0, 9.0], "date": pd.to_datetime(["2023-01-02", "2023-01-03"]), "amount": [1.0, 2.0]})
    frame.to_excel(tmp_path / "t.xlsx", index=False)
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    (tmp_path / "t.csv").write_bytes(b"customer_id,date,amount\n8,2023-01-02,1\n9,2023-01-03,2\n")
    ids = {
        fmt: load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": f"t.{fmt}"}}))).tables["transactions"]["customer_id"].tolist()
        for fmt in ("csv", "xlsx", "parquet")
    }
    assert ids == {"csv": ["8", "9"], "xlsx": ["8", "9"], "parquet": ["8", "9"]}


def test_an_id_written_8_0_in_a_csv_stays_text_and_the_mismatch_is_explained(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\n8,2023-01-02,1\n", "e.csv": b"customer_id,date,kind\n8.0,2023-01-02,login\n"}
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv"}, "events": {"path": "e.csv"}})
    assert ds.rejected[["reason", "detail"]].values.tolist() == [
        ["unknown customer", "8.0 (ids are compared as text: '8.0' is not '8'; export the ids the same way in both files)"]
    ]


# ---------------------------------------------------------------- crashes before
def test_time_zoned_dates_count_on_their_local_date(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2024-01-05T10:00:00Z,1\nB,2024-01-05T23:30:00Z,2\n"}
    ds = _load(tmp_path, files, T)
    assert ds.tables["transactions"]["date"].tolist() == [pd.Timestamp("2024-01-05")] * 2


def test_mixed_utc_offsets_are_refused_with_the_lines(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2024-01-05T10:00:00+01:00,1\nB,2024-01-05T23:30:00Z,2\n"}
    _refused(
        tmp_path,
        files,
        T,
        r"^data\.transactions\.columns\.date: column 'date' of t\.csv mixes UTC offsets \(\+01:00 on line 2, \+00:00 on line 3\); export the dates in one time zone",
    )


def test_tz_aware_parquet_and_an_unmapped_list_column_are_read(tmp_path: Path):
    frame = pd.DataFrame(
        {
            "customer_id": ["A", "B", "B"],
            "date": pd.to_datetime(["2024-01-05 23:30", "2024-01-06 01:00", "2024-01-06 01:00"]).tz_localize("Europe/Paris"),
            "amount": [1.0, 2.0, 2.0],
            "tags": [["x", "y"], [], []],
        }
    )
    frame.to_parquet(tmp_path / "t.parquet", index=False)
    ds = load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": "t.parquet"}})))
    assert ds.tables["transactions"]["date"].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06")]
    assert ds.rejected[["source_row", "reason", "detail"]].values.tolist() == [[3, "exact duplicate", "same as row 2"]]
    assert json.loads(ds.rejected.iloc[0]["raw"])["tags"] == "[]"


def test_a_named_parquet_index_is_kept_as_a_column(tmp_path: Path):
    frame = pd.DataFrame({"customer_id": ["A", "B"], "date": pd.to_datetime(["2024-01-05", "2024-01-06"]), "amount": [1.0, 2.0]}).set_index("customer_id")
    frame.to_parquet(tmp_path / "t.parquet")
    ds = load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": "t.parquet"}})))
    assert ds.tables["transactions"]["customer_id"].tolist() == ["A", "B"]


def test_a_truncated_xlsx_is_refused(tmp_path: Path):
    pd.DataFrame({"customer_id": ["A"], "date": ["2024-01-05"], "amount": [1.0]}).to_excel(tmp_path / "full.xlsx", index=False)
    (tmp_path / "t.xlsx").write_bytes((tmp_path / "full.xlsx").read_bytes()[:700])
    _refused(
        tmp_path,
        {},
        {"transactions": {"path": "t.xlsx"}},
        r"^data\.transactions\.path: t\.xlsx is not a readable XLSX workbook \(truncated or damaged: .*\); export it again",
    )


def test_an_unreadable_data_file_is_refused(tmp_path: Path, monkeypatch):
    (tmp_path / "t.csv").write_bytes(b"customer_id,date,amount\nA,2023-01-02,1\n")

    def denied(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", denied)
    monkeypatch.setattr(duck, "_open", lambda path, *args, **kwargs: denied(path))  # the DuckDB path streams the file
    _refused(tmp_path, {}, T, r"^data\.transactions\.path: cannot read t\.csv: permission denied; close it in Excel or fix the file's permissions$")


def test_one_line_of_300k_fields_is_refused_at_once(tmp_path: Path):
    files = {"t.csv": b",".join([b"x"] * 300_000) + b"\nA\n"}
    started = time.perf_counter()
    _refused(
        tmp_path, files, T, r"^data\.transactions\.sep: t\.csv line 1 has 300000 fields, more than any table needs \(10000\); check data\.transactions\.sep"
    )
    assert time.perf_counter() - started < 10


def test_a_300k_field_data_line_is_rejected_without_hanging(tmp_path: Path):
    files = {"t.csv": b"customer_id,date,amount\nA,2023-01-02,1\n" + b",".join([b"x"] * 300_000) + b"\nB,2023-01-03,2\n"}
    started = time.perf_counter()
    ds = _load(tmp_path, files, T)
    assert time.perf_counter() - started < 10
    assert ds.rejected[["source_row", "reason"]].values.tolist() == [[3, "wrong number of fields"]]


# ---------------------------------------------------------------- messages that led the wrong way
def test_utf16_is_named(tmp_path: Path):
    text = "customer_id,date,amount\nA,2023-01-02,1\n"
    _refused(
        tmp_path,
        {"t.csv": text.encode("utf-16")},
        T,
        r"^data\.transactions\.encoding: t\.csv is UTF-16 text \(it starts with a UTF-16 byte-order mark\), not utf-8; set data\.transactions\.encoding: utf-16",
    )
    ds = _load(tmp_path, {"t.csv": text.encode("utf-16")}, {"transactions": {"path": "t.csv", "encoding": "utf-16"}})
    assert ds.tables["transactions"]["customer_id"].tolist() == ["A"]


def test_an_xlsx_named_csv_is_named(tmp_path: Path):
    pd.DataFrame({"customer_id": ["A"]}).to_excel(tmp_path / "t.csv", index=False, engine="openpyxl")
    _refused(
        tmp_path,
        {},
        T,
        r"^data\.transactions\.format: t\.csv is an Excel workbook \(XLSX\), not CSV text; rename it \.xlsx or set data\.transactions\.format: xlsx$",
    )


def test_a_utf8_bom_under_cp1252_names_utf8(tmp_path: Path):
    files = {"t.csv": b"\xef\xbb\xbfcustomer_id,date,amount\nA,2023-01-02,1\n"}
    _refused(
        tmp_path,
        files,
        {"transactions": {"path": "t.csv", "encoding": "cp1252"}},
        r"starts with a UTF-8 byte-order mark: it is UTF-8 text, not cp1252; set data\.transactions\.encoding: utf-8",
    )


TITLED = b"Export des ventes 2024\n\ncustomer_id;date;amount\nA;2023-01-02;1\nB;2023-01-03;2\n"


def test_title_lines_are_named_and_skip_rows_reads_them(tmp_path: Path):
    _refused(
        tmp_path,
        {"t.csv": TITLED},
        {"transactions": {"path": "t.csv", "sep": ";"}},
        r"^data\.transactions\.skip_rows: t\.csv line 1 has 1 field\(s\) but most rows have 3, from line 3: are there title lines above the header\? set data\.transactions\.skip_rows",
    )
    ds = _load(tmp_path, {"t.csv": TITLED}, {"transactions": {"path": "t.csv", "sep": ";", "skip_rows": 2}})
    assert ds.tables["transactions"]["source_row"].tolist() == [4, 5]


def test_a_title_row_in_a_sheet_points_at_the_header_row(tmp_path: Path):
    wb = Workbook()
    ws = wb.active
    ws.title = "Ventes"
    ws.append(["Export des ventes"])
    ws.append([])
    ws.append(["customer_id", "date", "amount"])
    ws.append(["A", "2023-01-02", 1])
    wb.save(tmp_path / "t.xlsx")
    _refused(tmp_path, {}, {"transactions": {"path": "t.xlsx"}}, r"the header seems to be on line 3: set data\.transactions\.skip_rows: 2")
    ds = load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": "t.xlsx", "skip_rows": 2}})))
    assert ds.tables["transactions"]["source_row"].tolist() == [4]


def _workbook(path: Path, sheets: list[str]) -> None:
    wb = Workbook()
    wb.remove(wb.active)
    for name in sheets:
        ws = wb.create_sheet(name)
        if name == "Couverture":
            ws.append(["Rapport client"])
            ws.append(["Préparé par", "Service commercial"])
        else:
            ws.append(["customer_id", "date", "amount"])
            ws.append(["A", "2023-01-02", 1])
    wb.save(path)


def test_a_numeric_sheet_name_needs_quotes(tmp_path: Path):
    _workbook(tmp_path / "t.xlsx", ["Couverture", "2023", "2024"])
    _refused(
        tmp_path,
        {},
        {"transactions": {"path": "t.xlsx", "sheet": 2024}},
        r"^data\.transactions\.sheet: t\.xlsx has 3 sheet\(s\) \('Couverture', '2023', '2024'\); a number is a 0-based index, give one below 3; "
        r"to name a sheet write it in quotes \(sheet: \"2024\"\)$",
    )
    assert len(load_dataset(load_params(write_params(tmp_path, {"transactions": {"path": "t.xlsx", "sheet": "2024"}}))).tables["transactions"]) == 1


def test_a_cover_sheet_first_lists_the_sheets(tmp_path: Path):
    _workbook(tmp_path / "t.xlsx", ["Couverture", "Ventes"])
    _refused(tmp_path, {}, {"transactions": {"path": "t.xlsx"}}, r"the workbook's sheets are 'Couverture', 'Ventes': set data\.transactions\.sheet \(now 0\)")


def test_rejected_customers_explain_their_unknown_references(tmp_path: Path):
    files = {
        "t.csv": b"customer_id,date,amount\nC1,2023-01-02,1\n",
        "c.csv": b"customer_id,status\nC1,Oui\nC2,Adherent\n",
        "m.csv": b"member_id,customer_id\nM1,C2\n",
    }
    ds = _load(
        tmp_path,
        files,
        {"transactions": {"path": "t.csv"}, "customers": {"path": "c.csv", "values": {"status": {"Oui": "member"}}}, "members": {"path": "m.csv"}},
    )
    assert ds.rejected[["table", "reason", "detail"]].values.tolist()[1] == [
        "members",
        "unknown customer",
        "C2 (its customers row, line 3 of c.csv, was rejected: invalid status)",
    ]


def test_decomposed_accents_in_headers_match_the_composed_parameter(tmp_path: Path):
    header = unicodedata.normalize("NFD", "Code client;Date;Montant;Région\n")
    files = {"t.csv": (header + "A;2023-01-02;1;Île\n").encode()}
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv", "sep": ";", "columns": {"customer_id": "Code client", "date": "Date", "amount": "Montant"}}})
    assert len(ds.tables["transactions"]) == 1


def test_a_two_character_sep_is_taken_literally(tmp_path: Path):
    files = {"t.csv": b'customer_id||date||amount||note\nA.1||2023-01-02||10||"a || b"\nB|C||2023-01-03||20||x\n'}
    ds = _load(tmp_path, files, {"transactions": {"path": "t.csv", "sep": "||"}})
    assert ds.tables["transactions"]["customer_id"].tolist() == ["A.1", "B|C"]
    assert ds.tables["transactions"]["amount"].tolist() == [10.0, 20.0]


# ---------------------------------------------------------------- the parameter file
def _params_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "client.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE_YAML = "client: Acme\nperiod: {start: 2022-01-01, end: 2024-12-31}\ndata:\n  transactions: {path: t.csv}\n"


def test_duplicate_yaml_keys_are_refused_with_the_line(tmp_path: Path):
    path = _params_file(tmp_path, BASE_YAML + "client: Other\n")
    with pytest.raises(ParameterError, match=r"client\.yaml: line 5: key 'client' is given twice \(first on line 1\); keep one of them$"):
        load_params(path)


def test_an_empty_parameter_file_is_explained(tmp_path: Path):
    with pytest.raises(ParameterError, match=r"client\.yaml: the parameter file is empty; start from parameters/_template\.yaml"):
        load_params(_params_file(tmp_path, "# nothing yet\n"))


@pytest.mark.parametrize(
    "extra, message",
    [
        (
            "      values: {status: {Yes: member}}\n",
            r"data\.customers\.values\.status\..*\[key\]: Input should be a valid string \(got True\).*YAML reads unquoted yes/no/on/off/true/false as booleans",
        ),
        ("      na_values: [NULL]\n", r"data\.customers\.na_values\.0: .*null/NULL/~ \(or nothing\) as empty: write the text in quotes"),
    ],
)
def test_yaml_quirks_are_explained(tmp_path: Path, extra: str, message: str):
    path = _params_file(tmp_path, BASE_YAML + "  customers:\n      path: c.csv\n" + extra)
    with pytest.raises(ParameterError, match=message) as info:
        load_params(path)
    assert len(str(info.value).splitlines()) == 1


def test_an_unreadable_parameter_file_is_refused(tmp_path: Path, monkeypatch):
    path = _params_file(tmp_path, BASE_YAML)

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_text", denied)
    with pytest.raises(ParameterError, match=r"client\.yaml: cannot read the parameter file: permission denied; fix its permissions$"):
        load_params(path)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="needs file permissions that bind")
def test_an_unreadable_parameter_file_is_refused_by_the_os(tmp_path: Path):
    path = _params_file(tmp_path, BASE_YAML)
    path.chmod(0)
    try:
        with pytest.raises(ParameterError, match=r"permission denied"):
            load_params(path)
    finally:
        path.chmod(0o644)
