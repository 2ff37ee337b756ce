"""What a notebook gets: the parameters, the normalised tables and ``record``.

A notebook's first step is ``wb = workbench.load(params_path, run_dir=run_dir, language=language)``.
Under ``workbench run`` the tables were normalised once and saved in the run
folder, and are read from there. An analyst who opens the notebook in
JupyterLab (``run_dir`` empty) gets the same tables, loaded and validated from
the parameter file.

``workbench run`` names the notebook a kernel runs in ``$WORKBENCH_NOTEBOOK``, so that
notebooks running side by side record figures and exports in their own files.
"""

from __future__ import annotations

import os
from collections import ChainMap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.config.params import Params, load_params
from workbench.data import Dataset, load_dataset
from workbench.errors import ParameterError
from workbench.reporting import i18n, manifest, metrics

NOTEBOOK_ENV = "WORKBENCH_NOTEBOOK"


@dataclass
class Workbench:
    """One client's data for one run.

    Attributes
    ----------
    params
        The validated parameters.
    dataset
        Normalised tables, ledger and rejected rows.
    run_dir
        The run folder, or None in interactive use.
    metrics
        Figures recorded in this session.
    language
        The report language, ``en`` or ``fr`` (``report.language`` unless ``workbench run --language`` chose).
    notebook
        The notebook's name under ``workbench run`` (figures and exports are listed in its
        own part files, merged by the runner), or None.
    """

    params: Params
    dataset: Dataset
    run_dir: Path | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    language: str = "en"
    notebook: str | None = None

    def has(self, table: str) -> bool:
        """True when the client gave this table."""
        return table in self.dataset.tables

    def table(self, name: str, *, in_period: bool = True, lines: bool = False, columns: list[str] | None = None) -> pd.DataFrame | None:
        """A canonical table, or None when it was not given.

        Parameters
        ----------
        name
            ``transactions``, ``customers``, ``members``, ``points``, ``events`` or ``surveys``.
        in_period
            For dated tables, keep only the rows inside the analysis period.
        lines
            For ``transactions``: the rows as the client exported them. By default the lines of
            one invoice are merged into one row (:meth:`workbench.data.Dataset.merged_transactions`),
            which changes no sum and no count of customers, purchases or invoices; only pages that
            count rows (data quality) need the lines.
        columns
            Only these columns, in this order (None: all). Under ``workbench run`` the lines are then
            read column by column from the run folder, so that ten million lines cost what these
            columns weigh, not the whole table.

        Raises
        ------
        ValueError
            A name in ``columns`` that the table does not have.
        """
        if name not in self.dataset.tables:
            return None
        has = self.dataset.column_names(name)
        if columns is not None and (missing := [c for c in columns if c not in has]):
            raise ValueError(f"columns: {name} has no column {', '.join(map(repr, missing))}; its columns are {', '.join(has)}")
        filtered = in_period and "in_period" in has
        if columns is not None and (lines or name != "transactions"):
            return self.dataset.lines(name, columns=list(columns), in_period=filtered)
        if name == "transactions" and not lines:
            frame = self.dataset.merged_transactions(in_period=filtered)  # kept for the session: a page's calls share it
            return frame.copy(deep=False) if columns is None else frame[list(columns)]
        frame = self.dataset.tables[name]
        if filtered:
            frame = frame[frame["in_period"]].reset_index(drop=True)
        return frame if columns is None else frame[list(columns)]

    @property
    def transactions(self) -> pd.DataFrame:
        """The transactions inside the analysis period (credit notes included; lines of an invoice merged, see :meth:`table`)."""
        return self.table("transactions")

    @property
    def start(self) -> pd.Timestamp:
        return pd.Timestamp(self.params.period.start)

    @property
    def end(self) -> pd.Timestamp:
        """The reference date."""
        return pd.Timestamp(self.params.period.end)

    def quality_warnings(self) -> pd.DataFrame:
        """The data-quality warnings (:func:`workbench.analysis.quality.compute_warnings`) with this client's thresholds."""
        from workbench.analysis import quality

        ds = self.dataset
        kinds = sorted({kind for kinds in self.params.engagement.kinds.values() for kind in kinds})
        return quality.compute_warnings(
            self._quality_tables(),
            ledger=ds.ledger,
            rejected=ds.rejected,
            start=self.start,
            end=self.end,
            event_kinds=kinds,
            **self.params.quality.model_dump(),
        )

    def quality_coverage(self) -> pd.DataFrame:
        """How the tables cover each other (:func:`workbench.analysis.quality.compute_coverage`), transactions in the period."""
        from workbench.analysis import quality

        return quality.compute_coverage(self._quality_tables(), self.dataset.rejected)

    def _quality_tables(self) -> ChainMap:
        """The tables as the data-quality checks read them: the in-period transaction lines, only the columns they use."""
        from workbench.analysis import quality

        return ChainMap({"transactions": self.table("transactions", lines=True, columns=quality.TRANSACTION_COLUMNS)}, self.dataset.tables)

    def export(self, frame: pd.DataFrame, name: str, *, role: str | None = None) -> Path | None:
        """Write ``frame`` as ``<run_dir>/<name>`` (CSV, UTF-8, no index) for the client's teams.

        This is the one way a notebook writes a file: the export is listed in the run's
        manifest (``manifest.json``) with its ``role``, through which the runner finds it.
        In interactive use (no run folder) nothing is written and None is returned, so
        exploring a client never writes files into the project.

        Parameters
        ----------
        frame
            The table to write.
        name
            File name inside the run folder, e.g. ``ambassadors.csv``.
        role
            What the runner may look this export up by (e.g. ``segment_actions``); None: for people only.
        """
        if self.run_dir is None:
            return None
        path = self.run_dir / name
        frame.to_csv(path, index=False, encoding="utf-8")
        manifest.add_export(self.run_dir, file=name, rows=len(frame), columns=[str(c) for c in frame.columns], role=role, part=self.notebook)
        return path

    def export_all(self, frames: dict[str, pd.DataFrame]) -> list[Path]:
        """:meth:`export` each ``{name: frame}``; the paths written (none in interactive use)."""
        return [path for name, frame in frames.items() if (path := self.export(frame, name)) is not None]

    def record(self, key: str, value: Any) -> None:
        """Record a headline figure into ``metrics.json`` (see :func:`workbench.reporting.metrics.record`)."""
        metrics.record(key, value, run_dir=self.run_dir, store=self.metrics, part=self.notebook)


def default_params_path() -> Path:
    """The parameter file a notebook opened without one uses.

    ``$WORKBENCH_PARAMS`` when set; otherwise, in a clone of the repository, the demo client
    (``parameters/demo.yaml`` beside the notebooks).

    Raises
    ------
    ParameterError
        Neither exists (an installed package opened outside a client folder).
    """
    if os.environ.get("WORKBENCH_PARAMS"):
        return Path(os.environ["WORKBENCH_PARAMS"])
    from workbench.resources import notebooks_dir

    demo = notebooks_dir().resolve().parent / "parameters" / "demo.yaml"
    if demo.is_file():
        return demo
    raise ParameterError("params_path is empty: set it to the client's parameter file (`workbench init DIR` writes one), or set WORKBENCH_PARAMS")


def load(params_path: str | Path, *, run_dir: str | Path | None = None, language: str | None = None) -> Workbench:
    """Load a client's parameters and normalised tables, and set the report language of the session.

    Parameters
    ----------
    params_path
        The client's parameter file; "" uses :func:`default_params_path`.
    run_dir
        A run folder written by ``workbench run``: its saved tables are used.
        None or "" loads and validates the source files directly.
    language
        ``en`` or ``fr``; None or "": ``report.language`` of the parameter file. Messages
        (:func:`workbench.reporting.i18n.tr`), numbers and dates follow it from here on.

    Returns
    -------
    Workbench

    Raises
    ------
    ParameterError, DataError
        As :func:`workbench.config.params.load_params` and :func:`workbench.data.load_dataset`.
    """
    params = load_params(params_path or default_params_path())
    folder = Path(run_dir) if run_dir else None
    if folder is not None and (folder / "data" / "ledger.csv").is_file():
        dataset = Dataset.read_saved(folder)
    else:
        dataset = load_dataset(params)
    chosen = language or params.report.language
    try:
        i18n.activate(chosen)
    except ValueError as exc:
        raise ParameterError(f"language: {exc}") from None
    notebook = (os.environ.get(NOTEBOOK_ENV) or None) if folder else None
    return Workbench(params=params, dataset=dataset, run_dir=folder, language=chosen, notebook=notebook)
