from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT, write_params
from workbench.config.params import Params, load_params, parse_params
from workbench.errors import ParameterError

BASE = {"client": "Acme", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": {"transactions": {"path": "t.csv"}}}


def with_(**changes):
    raw = yaml.safe_load(yaml.safe_dump(BASE))
    for dotted, value in changes.items():
        node = raw
        *parents, last = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        if value is ...:
            del node[last]
        else:
            node[last] = value
    return raw


def test_minimal_file_gets_b2b_defaults():
    params = parse_params(BASE)
    assert params.currency == "EUR"
    src = params.data.transactions
    assert (src.sep, src.decimal, src.encoding, src.drop_duplicates) == (",", ".", "utf-8", True)
    assert params.data.customers is None
    assert params.quality.max_rejected_share == 0.01
    assert params.slug == "acme"


@pytest.mark.parametrize(
    "raw, message",
    [
        (with_(data__transactions__sepp=";"), r"data\.transactions\.sepp: unknown key \(did you mean 'sep'\?\)"),
        (with_(data__transaction={"path": "x.csv"}), r"data\.transaction: unknown key \(did you mean 'transactions'\?\)"),
        (with_(clientt="x"), r"clientt: unknown key \(did you mean 'client'\?\)"),
        (with_(client=...), r"client: required key is missing"),
        (with_(data__transactions=...), r"data\.transactions: required key is missing"),
        (with_(period__end="2021-12-31"), r"period\.end \(2021-12-31\) must be after period\.start \(2022-01-01\)"),
        (with_(period__start="01/01/2022"), r"period\.start: .*got '01/01/2022'"),
        (with_(data__transactions__encoding="utf9"), r"data\.transactions\.encoding: unknown encoding 'utf9'"),
        (with_(data__transactions__decimal=";"), r"data\.transactions\.decimal: .*got ';'"),
        (
            with_(data__transactions__columns={"amout": "CA HT"}),
            r"data\.transactions\.columns\.amout: not a column of the transactions table \(did you mean 'amount'\?\)",
        ),
        (with_(data__transactions__values={"amount": {"a": "b"}}), r"data\.transactions\.values\.amount: values can be mapped only for"),
        (with_(data__transactions__date_format="%d/%m/%Y", data__transactions__dayfirst=True), r"either date_format or dayfirst"),
        (with_(quality={"max_rejected_share": "lots"}), r"quality\.max_rejected_share: .*got 'lots'"),
        (with_(quality={"max_rejected_share": 2}), r"quality\.max_rejected_share: .*less than or equal to 1"),
        (["not", "a", "mapping"], r"expected a mapping"),
    ],
)
def test_bad_parameters_give_one_clear_line(raw, message):
    with pytest.raises(ParameterError, match=message) as info:
        parse_params(raw)
    assert len(str(info.value).splitlines()) == 1


def test_missing_file_and_bad_yaml(tmp_path: Path):
    with pytest.raises(ParameterError, match=r"nope\.yaml: parameter file not found"):
        load_params(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("client: Acme\nperiod: {start: 2022-01-01\n", encoding="utf-8")
    with pytest.raises(ParameterError, match=r"bad\.yaml: invalid YAML at line \d+, column \d+"):
        load_params(bad)


def test_paths_resolve_against_the_parameter_file(tmp_path: Path):
    path = write_params(tmp_path, {"transactions": {"path": "sub/t.csv"}})
    params = load_params(path)
    assert params.resolve(params.data.transactions.path) == (tmp_path / "sub" / "t.csv").resolve()


def test_format_follows_the_extension():
    assert parse_params(with_(data__transactions__path="x.XLSX")).data.transactions.file_format == "xlsx"
    assert parse_params(with_(data__transactions__path="x.parquet")).data.transactions.file_format == "parquet"
    assert parse_params(with_(data__transactions__path="x.dat", data__transactions__format="csv")).data.transactions.file_format == "csv"


def _schema_keys(model, prefix=""):
    keys = set()
    for name, field in model.model_fields.items():
        keys.add(prefix + name)
        for cand in (field.annotation, *getattr(field.annotation, "__args__", ())):
            if isinstance(cand, type) and hasattr(cand, "model_fields"):
                keys |= _schema_keys(cand, prefix + name + ".")
    return keys


def _yaml_keys(node, prefix=""):
    keys = set()
    if isinstance(node, dict):
        for k, v in node.items():
            keys.add(prefix + str(k))
            if k not in ("columns", "values"):
                keys |= _yaml_keys(v, prefix + str(k) + ".")
    return keys


def test_template_documents_every_key_and_validates():
    raw = yaml.safe_load((ROOT / "parameters" / "_template.yaml").read_text(encoding="utf-8"))
    parse_params(raw)  # the template itself is a valid parameter file
    schema = {k for k in _schema_keys(Params)}
    documented = _yaml_keys(raw)
    # every table takes the same reading options: the template spells them out under transactions
    table_options = {k.split(".", 2)[2] for k in schema if k.startswith("data.transactions.")}
    expected = {k for k in schema if not (k.startswith("data.") and k.count(".") >= 2 and k.split(".")[1] != "transactions")}
    assert expected - documented == set(), "keys missing from parameters/_template.yaml"
    assert table_options  # sanity: the walk found the table options


def test_demo_parameters_validate():
    params = load_params(ROOT / "parameters" / "demo.yaml")
    assert set(params.data.sources()) == {"transactions", "customers", "members", "points", "events", "surveys"}


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            with_(data__customers={"path": "c.csv", "values": {"status": {"Oui": "Member"}}}),
            r"^data\.customers\.values\.status\.Oui: 'Member' is not a code of this column \(did you mean 'member'\?\); map 'Oui' onto one of member, pre-registered, blocked, non-member$",
        ),
        (
            with_(data__points={"path": "p.csv", "values": {"kind": {"Gain": "earn"}}}),
            r"^data\.points\.values\.kind\.Gain: 'earn' is not a code of this column \(did you mean 'earned'\?\)",
        ),
        (with_(data__transactions__sep='";'), r"data\.transactions\.sep: sep '\";' cannot hold a quote or a line break"),
        (with_(data__transactions__skip_rows=-1), r"data\.transactions\.skip_rows: .*greater than or equal to 0"),
        (None, r"the parameter file is empty; start from parameters/_template\.yaml"),
        (with_(client=True), r"client: .*\(got True\).*YAML reads unquoted yes/no/on/off/true/false as booleans"),
    ],
)
def test_values_targets_and_reading_options_are_checked(raw, message):
    with pytest.raises(ParameterError, match=message) as info:
        parse_params(raw)
    assert len(str(info.value).splitlines()) == 1


def test_event_kinds_are_free_and_a_two_character_sep_is_accepted():
    params = parse_params(
        with_(data__events={"path": "e.csv", "values": {"kind": {"Connexion": "login", "Webinaire": "webinar"}}}, data__transactions__sep="||")
    )
    assert params.data.events.values["kind"]["Webinaire"] == "webinar" and params.data.transactions.sep == "||"
