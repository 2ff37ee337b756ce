"""Property: random valid tables written as CSV (random locale options), XLSX or Parquet read back to the values written."""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from tests.conftest import write_params
from tests.engines import load_dataset  # both engines, compared (assert_frame_equal); returns the pandas result
from workbench.config.params import DEFAULT_NA_VALUES, load_params

SEPARATORS = [",", ";", "\t", "|", "||", ";;"]
DATE_STYLES = [("%Y-%m-%d", {}), ("%d/%m/%Y", {"date_format": "%d/%m/%Y"}), ("%d/%m/%Y", {"dayfirst": True}), ("%m/%d/%Y", {"date_format": "%m/%d/%Y"})]
NUMBER_STYLES = [(".", None), (".", ","), (",", None), (",", "."), (",", " "), (",", "\u202f"), (".", "\u00a0")]

ids = st.text(alphabet="0123456789ABCxyzéÉ-_", min_size=1, max_size=6).filter(lambda s: s not in DEFAULT_NA_VALUES)
names = (
    st.text(alphabet='abcXYZéèàçüÉ ;,|"\n\t', min_size=1, max_size=8)
    .map(str.strip)
    .filter(lambda s: s and s not in DEFAULT_NA_VALUES and all(sum(line.count(c) for c in ";,|\t") < 2 for line in s.split("\n")[1:]))
)
rows = st.lists(st.tuples(ids, st.dates(dt.date(1950, 1, 1), dt.date(2150, 12, 31)), st.integers(-(10**9), 10**9), names), min_size=1, max_size=15)


def _number(cents: int, decimal: str, thousands: str | None) -> str:
    whole, frac = divmod(abs(cents), 100)
    digits = str(whole)
    if thousands is not None:
        digits = f"{whole:,}".replace(",", thousands)
    return ("-" if cents < 0 else "") + digits + decimal + f"{frac:02d}"


def _field(value: str, sep: str) -> str:
    if any(c in value for c in ('"', "\n", "\r", *sep)) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    table=rows,
    fmt=st.sampled_from(["csv", "csv", "csv", "xlsx", "parquet"]),
    sep=st.sampled_from(SEPARATORS),
    number_style=st.sampled_from(NUMBER_STYLES),
    date_style=st.sampled_from(DATE_STYLES),
    encoding=st.sampled_from(["utf-8", "cp1252", "latin-1", "utf-16"]),
    bom=st.booleans(),
    trailing_sep=st.booleans(),
)
def test_values_read_back_equal_the_values_written(tmp_path_factory, table, fmt, sep, number_style, date_style, encoding, bom, trailing_sep):
    folder = tmp_path_factory.mktemp("roundtrip")
    frame = pd.DataFrame(table, columns=["customer_id", "date", "cents", "name"])
    options: dict = {"drop_duplicates": False, "columns": {"product_range": "name"}}
    if fmt == "csv":
        decimal, thousands = number_style
        assume(encoding.startswith("utf") or thousands != "\u202f")  # no narrow no-break space in cp1252/latin-1
        date_format, date_options = date_style
        lines = [sep.join(["customer_id", "date", "amount", "name"])]
        for r in frame.itertuples():
            fields = [r.customer_id, r.date.strftime(date_format), _number(r.cents, decimal, thousands), r.name]
            lines.append(sep.join(_field(f, sep) for f in fields) + (sep if trailing_sep else ""))
        text = "\r\n".join(lines) + "\r\n"
        data = text.encode(encoding)
        if bom and encoding == "utf-8":
            data = b"\xef\xbb\xbf" + data
        (folder / "t.csv").write_bytes(data)
        options.update(sep=sep, decimal=decimal, thousands=thousands, encoding=encoding, **date_options)
    else:
        typed = frame.assign(date=pd.to_datetime(frame["date"]), amount=frame["cents"] / 100).drop(columns="cents")
        if fmt == "xlsx":
            typed.to_excel(folder / "t.xlsx", index=False, sheet_name="Données")
            options["sheet"] = "Données"
        else:
            typed.to_parquet(folder / "t.parquet", index=False)
    ds = load_dataset(load_params(write_params(folder, {"transactions": {"path": f"t.{fmt}", **options}})))
    assert ds.rejected.empty, ds.rejected.to_dict("records")
    got = ds.tables["transactions"]
    assert got["customer_id"].tolist() == frame["customer_id"].tolist()
    assert got["date"].tolist() == pd.to_datetime(frame["date"]).tolist()
    assert got["amount"].tolist() == (frame["cents"] / 100).tolist()
    assert got["product_range"].tolist() == frame["name"].tolist()  # quoted separators, quotes and line breaks do not shift columns
    first = 1 if fmt == "parquet" else 2
    if fmt == "parquet" or not frame["name"].str.contains("\n").any():
        assert got["source_row"].tolist() == list(range(first, first + len(frame)))
