"""Running expectations with great-expectations, here or in a worker process started early.

great-expectations takes about three seconds to import, longer than every other layer of a
typical run together. ``Worker`` starts a Python process that imports it while this process
reads and checks the tables; the expectations and the columns they need then travel to it as
Arrow IPC, and its findings come back. Where the worker cannot start or fails, ``Worker.run``
runs the same code in this process, so the result never depends on which one ran it.

This module imports neither polars nor great-expectations at import time: the worker needs
neither polars nor the other layers.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from .findings import Finding

LAYER = "expectations"
ROW = "__row"
MAX_ROWS = 50  # rows listed per failed expectation


@dataclass(frozen=True)
class Expectation:
    """One great-expectations expectation on one table, with words for its finding."""

    table: str
    kind: str  # class name in great_expectations.expectations, e.g. ExpectColumnValuesToBeBetween
    kwargs: dict = field(default_factory=dict)
    severity: str = "error"
    hint: str = ""
    where: dict = field(default_factory=dict)  # the rows it applies to (for messages and the columns needed)

    @property
    def column(self) -> str | None:
        return self.kwargs.get("column")


@dataclass
class Job:
    """What the expectations need: the expectations, each table's columns as Arrow IPC bytes,
    the file each table came from (for findings) and where to write Data Docs."""

    expectations: list[Expectation]
    tables: dict[str, bytes]
    files: dict[str, str | None]
    html_report: str | None = None


def _message(exp: Expectation, result: dict, value=None) -> str:
    if exp.kind == "ExpectColumnValuesToNotBeNull":
        filled = 100 - (result.get("unexpected_percent") or 0)
        rows = "rows" + ("".join(f" where {k} is {v}" for k, v in exp.where.items()))
        return f"{exp.column} is filled in {filled:.1f}% of {rows}; at least {exp.kwargs['mostly']:.0%} expected: {exp.hint}"
    if exp.kind == "ExpectTableRowCountToBeBetween":
        return f"the table has {result.get('observed_value')} rows: {exp.hint}"
    if exp.kind == "ExpectColumnValuesToBeBetween":
        low, high = exp.kwargs.get("min_value"), exp.kwargs.get("max_value")
        shown = f" {value}" if value is not None else ""
        if high is None:
            return f"{exp.column}{shown} is below the plausible minimum {low}: {exp.hint}"
        if low is None:
            return f"{exp.column}{shown} is above the plausible maximum {high}: {exp.hint}"
        return f"{exp.column}{shown} is outside the plausible range {low}–{high}: {exp.hint}"
    return f"{exp.kind} failed: {exp.hint}"


def _plain(value):
    """A numpy scalar as a plain number (12.0 as 12) for messages."""
    value = value.item() if hasattr(value, "item") else value
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _findings(exp: Expectation, result: dict, file: str | None) -> list[Finding]:
    code = exp.kind.removeprefix("Expect").replace("ColumnValues", "column-values").replace("TableRowCount", "row-count")
    code = "".join(f"-{c.lower()}" if c.isupper() else c for c in code).strip("-")
    items = [item for item in (result.get("unexpected_index_list") or []) if isinstance(item, dict) and ROW in item]
    if items and exp.kind != "ExpectColumnValuesToNotBeNull":
        return [Finding(code, _message(exp, result, _plain(item.get(exp.column))), exp.table, int(item[ROW]), exp.column, LAYER,
                        exp.severity, file, int(item[ROW])) for item in items[:MAX_ROWS]]
    return [Finding(code, _message(exp, result), exp.table, None, exp.column, LAYER, exp.severity, file)]


def _import_gx():
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
    import great_expectations as gx
    import great_expectations.expectations  # noqa: F401 (the expectation classes)

    return gx


def _context(gx, html_report: Path | None):
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if html_report is not None:
        context.add_data_docs_site(site_name="report", site_config={
            "class_name": "SiteBuilder",
            "store_backend": {"class_name": "TupleFilesystemStoreBackend", "base_directory": str(html_report)},
            "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
        })
    return context


def _frame(ipc: bytes):
    import pyarrow as pa

    return pa.ipc.open_stream(ipc).read_all().to_pandas()


def run(job: Job) -> list[Finding]:
    """Run the job's expectations with great-expectations in this process."""
    gx = _import_gx()
    context = _context(gx, Path(job.html_report) if job.html_report is not None else None)
    source = context.data_sources.add_pandas("package")
    by_table: dict[str, list[Expectation]] = {}
    for exp in job.expectations:
        if exp.table in job.tables:
            by_table.setdefault(exp.table, []).append(exp)
    actions = [gx.checkpoint.UpdateDataDocsAction(name="docs", site_names=["report"])] if job.html_report is not None else []
    result_format = {"result_format": "COMPLETE", "unexpected_index_column_names": [ROW]}
    findings = []
    for name, exps in by_table.items():
        suite = context.suites.add(gx.ExpectationSuite(name=name))
        for exp in exps:
            suite.add_expectation(getattr(gx.expectations, exp.kind)(**exp.kwargs))
        batch = source.add_dataframe_asset(name).add_batch_definition_whole_dataframe("all")
        definition = context.validation_definitions.add(gx.ValidationDefinition(data=batch, suite=suite, name=name))
        checkpoint = context.checkpoints.add(gx.Checkpoint(name=f"check-{name}", validation_definitions=[definition],
                                                           actions=actions, result_format=result_format))
        outcome = checkpoint.run(batch_parameters={"dataframe": _frame(job.tables[name])})
        for run_result in outcome.run_results.values():
            for exp, item in zip(exps, run_result.results):
                if not item.success:
                    findings += _findings(exp, item.result, job.files.get(name))
    return findings


class Worker:
    """A process that imports great-expectations now and runs one ``Job`` later.

    Use it as a context manager, so the process never outlives the run::

        with Worker() as worker:
            ...                       # the other layers, while it imports
            findings = worker.run(job)
    """

    def __init__(self) -> None:
        quiet = not os.environ.get("DATASET_DEBUG")
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", __name__], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL if quiet else None, env={**os.environ, "GX_ANALYTICS_ENABLED": "False"})
        except OSError:
            self._process = None

    def run(self, job: Job) -> list[Finding]:
        """The job's findings, from the worker, or from this process if the worker failed."""
        if self._process is not None:
            try:
                out, _ = self._process.communicate(pickle.dumps(job))
                if self._process.returncode == 0:
                    return pickle.loads(out)
            except (OSError, EOFError, pickle.UnpicklingError, ValueError):
                pass
            finally:
                self.close()  # a worker that failed half-way must not outlive the run
        return run(job)

    def close(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._process = None

    def __enter__(self) -> "Worker":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve() -> None:
    """The worker's side: import first, then read one pickled Job from stdin (written by
    ``Worker.run`` of the process that started this one) and write its findings to stdout."""
    reply, sys.stdout = sys.stdout.buffer, sys.stderr  # nothing but the reply may reach stdout
    _import_gx()
    job = pickle.loads(sys.stdin.buffer.read())
    reply.write(pickle.dumps(run(job)))
    reply.flush()
    os._exit(0)  # the interpreter's teardown of great-expectations takes longer than the run


if __name__ == "__main__":
    _serve()
