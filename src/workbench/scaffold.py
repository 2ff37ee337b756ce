"""``workbench init``: a client folder ready to receive the exports.

``workbench init acme --client "Acme Distribution"`` writes::

    acme/
      acme-distribution.yaml   the documented parameter template, client name set, paths under data/
      data/README.md           which exports go there and how they map onto the data contract

With ``--demo`` it also simulates a small programme into ``data/`` and writes a parameter file
that reads it, so ``workbench run`` works at once.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import WorkbenchError

DATA_README = """# Client exports

Put the client's exports here (CSV, XLSX or Parquet), then map them in `{params}`:

| table | required columns | what it is |
|---|---|---|
| transactions | customer_id, date, amount | one row per invoice line or invoice; amount net of tax, credit notes negative |
| customers | customer_id | one row per company: status (member, pre-registered, blocked, non-member), enrolment date, typology, region |
| members | member_id, customer_id | the people inside the member companies |
| points | customer_id, date, points, kind | the signed points ledger: earned, redeemed, expired, adjusted |
| events | customer_id, date, kind | programme events: login, visit, challenge, training, referral, ... |
| surveys | customer_id, date, nps | NPS (0-10) and CES (1-7) answers |

Only transactions are required. Map the files' own column names under `data.<table>.columns`
and their codes under `data.<table>.values`; French exports usually need `sep: ";"`,
`decimal: ","`, `thousands: " "`, `encoding: cp1252` and `date_format: "%d/%m/%Y"`.
"""

DEMO_PARAMS = """# {title}: a simulated B2B programme (`workbench init --demo`); every key is documented in
# the template (`workbench init` without --demo writes it).
client: {client}
currency: EUR
period: {{start: 2022-01-01, end: 2024-12-31}}
data:
{tables}
"""


def slugify(text: str) -> str:
    """``Acme Distribution`` → ``acme-distribution``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "client"


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template_for(client: str) -> str:
    """The parameter template with the client's name and its paths under ``data/``."""
    from workbench.resources import parameter_template

    text = parameter_template()
    text, n = re.subn(r"^client: .*?(\s+#.*)?$", lambda m: f"client: {_yaml_string(client)}" + (m.group(1) or ""), text, count=1, flags=re.M)
    if n != 1:  # pragma: no cover - the template always has a client line
        raise RuntimeError("the parameter template has no 'client:' line")
    return text.replace("path: exports/", "path: data/")


def init_client(folder: str | Path, *, client: str | None = None, demo: bool = False, customers: int = 300, seed: int = 42) -> list[Path]:
    """Scaffold a client folder; returns the files written.

    Parameters
    ----------
    folder
        The client's folder; created, and must not hold a parameter file of the same name.
    client
        The client's name (default: the folder's name).
    demo
        Also simulate ``customers`` companies into ``data/`` and point the parameters at them.

    Raises
    ------
    WorkbenchError
        The parameter file already exists (nothing is overwritten).
    """
    folder = Path(folder)
    client = client or folder.resolve().name
    params = folder / f"{slugify(client)}.yaml"
    if params.exists():
        raise WorkbenchError(f"init: {params} already exists; choose another folder or --client, nothing was overwritten")
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    written = []
    if demo:
        from workbench.simulate import simulate, write_simulation

        files = write_simulation(simulate(n_customers=customers, seed=seed), data)
        tables = "\n".join(f"  {p.stem}: {{path: data/{p.name}}}" for p in files if p.suffix == ".csv")
        params.write_text(DEMO_PARAMS.format(title=client, client=_yaml_string(client), tables=tables), encoding="utf-8")
        written += files
    else:
        params.write_text(template_for(client), encoding="utf-8")
    readme = data / "README.md"
    if not readme.exists():
        readme.write_text(DATA_README.format(params=params.name), encoding="utf-8")
        written.append(readme)
    return [params, *written]
