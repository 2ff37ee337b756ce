"""Shared fixtures: small, hand-written client folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]

# A French export: ';' separator, decimal comma, thousands as (non-breaking) spaces, cp1252, dd/mm/yyyy dates.
FRENCH_SALES = (
    "Code client;Date facture;CA HT;Marge;N° facture\n"
    "007;05/01/2023;1 234,50;200,10;F1\n"  # line 2: kept (leading zero kept, thousands space)
    "008;31/02/2023;100,00;10,00;F2\n"  # line 3: unparseable date
    ";06/01/2023;5,00;1,00;F3\n"  # line 4: missing customer_id
    "007;05/01/2023;1 234,50;200,10;F1\n"  # line 5: exact duplicate of line 2
    "009;07/01/2023;abc;1,00;F4\n"  # line 6: unparseable amount
    "010;08/01/2023;-50,00;-5,00;AV1\n"  # line 7: credit note, kept
    "011;15/12/2021;300,00;30,00;F5\n"  # line 8: out of period, kept
    "012;20/06/2024;1\u00a0000,00;;F6\n"  # line 9: non-breaking space thousands, no margin
)
FRENCH_CUSTOMERS = (
    "Code client;Raison sociale;Statut;Date inscription;Typologie\n"
    "007;Électricité Dupont;Inscrit;01/03/2023;Installateur\n"
    "010;Bâti Services;Non inscrit;;Distributeur\n"
    "011;Forêt & Fils;Pré-inscrit;;Installateur\n"
    "012;Énergie Sud;Bloqué;10/10/2023;Revendeur\n"
    "013;Inconnu SA;Adhérent;;Installateur\n"  # line 6: unmapped status -> invalid status
)


def write_params(folder: Path, data: dict, **extra) -> Path:
    """Write a parameter file into ``folder`` and return its path."""
    raw = {"client": "Acme Distribution", "currency": "EUR", "period": {"start": "2022-01-01", "end": "2024-12-31"}, "data": data, **extra}
    path = folder / "client.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def french_client(tmp_path: Path) -> Path:
    """A French client folder (cp1252 CSVs with French column names) and its parameter file."""
    (tmp_path / "ventes.csv").write_bytes(FRENCH_SALES.encode("cp1252"))
    (tmp_path / "clients.csv").write_bytes(FRENCH_CUSTOMERS.encode("cp1252"))
    french = {"sep": ";", "decimal": ",", "thousands": " ", "encoding": "cp1252", "date_format": "%d/%m/%Y"}
    return write_params(
        tmp_path,
        {
            "transactions": {
                "path": "ventes.csv",
                **french,
                "columns": {"customer_id": "Code client", "date": "Date facture", "amount": "CA HT", "margin": "Marge", "invoice_id": "N° facture"},
            },
            "customers": {
                "path": "clients.csv",
                **french,
                "columns": {
                    "customer_id": "Code client",
                    "name": "Raison sociale",
                    "status": "Statut",
                    "enrolled_on": "Date inscription",
                    "typology": "Typologie",
                },
                "values": {"status": {"Inscrit": "member", "Pré-inscrit": "pre-registered", "Bloqué": "blocked", "Non inscrit": "non-member"}},
            },
        },
    )
