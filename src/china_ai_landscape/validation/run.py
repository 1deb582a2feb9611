"""``validate()``: run the layers on a data package and collect one report."""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from ..errors import DatasetError
from ..package import DataPackage, shipped
from ..remote_package import is_url, remote
from ..zipped import is_zipped, unpacked
from . import descriptor, forked
from .findings import LAYERS, Report

_INSTALL = "pip install 'china-ai-landscape[validate]'"


_NEEDS = {"descriptor": ("frictionless",), "tables": ("polars", "pyarrow"), "rules": ("polars", "pandera"),
          "expectations": ("polars", "great_expectations")}


def _require_toolkit(layers: list[str]) -> None:
    """A missing optional library is one line saying what to install, not a traceback."""
    from importlib.util import find_spec

    missing = sorted({m for layer in layers for m in _NEEDS[layer] if find_spec(m) is None})
    if missing:
        raise DatasetError(f"dataset validate needs {', '.join(missing)}: {_INSTALL}")


def _relative_root(package: DataPackage) -> str:
    """The package folder relative to the working directory ("" if it is the working directory)."""
    try:
        relative = package.root.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return ""
    return "" if str(relative) == "." else relative.as_posix()


def _package_to_validate(path) -> tuple[DataPackage, str | None]:
    """The package ``path`` names; with no path, ./datapackage.json if there is one (as
    ``frictionless validate`` and git look in the current folder), else the installed package.
    The second value says which, when no path was given."""
    if isinstance(path, DataPackage):
        return path, None
    if path is not None:
        return DataPackage(path), None
    here = Path.cwd() / "datapackage.json"
    if here.is_file():
        return DataPackage(here), "validated ./datapackage.json (the data package in the current folder)"
    package = shipped()
    return package, f"no datapackage.json in the current folder: validated the package installed with china-ai-landscape ({package.path})"


@contextmanager
def _remote(url: str):
    with remote(url) as package:
        yield package, None


@contextmanager
def _zipped(path):
    with unpacked(path) as descriptor_path:
        yield descriptor_path, f"validated the data package zipped in {path} (unpacked into a temporary folder)"


def _opened(path, allow_remote: bool):
    """For a descriptor URL or a zipped package, a context giving the package it stands for
    (and a note for the report); None for anything else."""
    if is_url(path):
        if not allow_remote:
            raise DatasetError(f"{path}: a descriptor given as a URL is downloaded only with --allow-remote "
                               "(allow_remote=True), which also reads its resources from the network")
        return _remote(path)
    if path is not None and not isinstance(path, DataPackage) and is_zipped(path):
        return _zipped(path)
    return None


def validate(path: str | Path | DataPackage | None = None, skip=(), *, allow_remote: bool = False,
             html_report: str | Path | None = None, baseline: str | Path | None = None) -> Report:
    """Validate a data package with the four layers and return the report.

    Parameters
    ----------
    path:
        A ``datapackage.json``, its folder, a zipped package (``.zip``), a descriptor URL
        (with ``allow_remote``), or a DataPackage; ``None`` validates
        ``./datapackage.json`` when the current folder has one, else the package shipped
        with this library (a note in the report says which).
    skip:
        Layers not to run: any of ``descriptor``, ``tables``, ``rules``, ``expectations``.
    allow_remote:
        Read resources whose path is a URL (otherwise they are reported, never fetched).
    html_report:
        A folder to write the great-expectations Data Docs site into.
    baseline:
        A previous release of the package (folder or descriptor): row counts must not shrink.

    Unusable input (no descriptor, malformed JSON, unknown layer) raises DatasetError
    (exit code 2); problems in the data are findings in the report.
    """
    unknown = sorted(set(skip) - set(LAYERS))
    if unknown:
        raise DatasetError(f"unknown layer(s) to skip: {', '.join(unknown)}; layers are: {', '.join(LAYERS)}")
    opened = _opened(path, allow_remote)
    if opened is not None:  # a descriptor URL or a zipped package: validate what it stands for
        with opened as (inner, note):
            report = validate(inner, skip, allow_remote=allow_remote, html_report=html_report, baseline=baseline)
        report.package = str(path)
        report.notes += [note] if note else []
        return report
    package, which = _package_to_validate(path)
    _require_toolkit([layer for layer in LAYERS if layer not in skip] + ["tables"])
    report = Report(package=str(package.path), skipped=[layer for layer in LAYERS if layer in skip],
                    base=_relative_root(package))
    if which:
        report.notes.append(which)
    resources, unreadable = descriptor.resolve(package, allow_remote=allow_remote)
    report.extend(unreadable)
    described = forked.later(lambda: descriptor.check(package, resources)) if "descriptor" not in skip else None
    with _expectations_worker(package, resources, skip, baseline, html_report) as worker:
        _run_layers(report, package, resources, skip, html_report, baseline, worker, described)
    return report


def _expectations_worker(package: DataPackage, resources, skip, baseline, html_report):
    """A worker importing great-expectations while the other layers run, when the
    expectations layer will have something to check; otherwise a no-op context."""
    from contextlib import nullcontext

    if "expectations" in skip:
        return nullcontext()
    stated = any(isinstance(f, dict) and f.get("expectations") for r in resources for f in r.schema.get("fields") or [])
    if not (stated or baseline is not None or html_report is not None):
        from .rules import applicable

        if not any(r.expectations is not None or r.views is not None for r in applicable(package)):
            return nullcontext()
    from .gx import Worker

    return Worker()


def _run_layers(report: Report, package: DataPackage, resources, skip, html_report, baseline, worker, described) -> None:
    """The layers in order; the descriptor layer's findings (``described``) may come from a
    child process that worked while the tables were read here."""
    result = None
    if not set(LAYERS[1:]) <= set(skip):
        from . import tables
        from ..resource_bytes import load_bytes

        result = tables.check(resources, load_bytes)
    try:
        _reported_layers(report, package, result, skip, html_report, baseline, worker, described)
    finally:
        if result is not None:
            result.close()


def _reported_layers(report: Report, package: DataPackage, result, skip, html_report, baseline, worker, described) -> None:
    if described is not None:
        report.layers.append("descriptor")
        report.extend(described())
    if result is None:
        return
    if "tables" not in skip:
        report.layers.append("tables")
        report.extend(result.findings)
    if "rules" not in skip:
        from . import rules

        report.layers.append("rules")
        findings, notes = rules.check(package, result.tables)
        report.extend(findings)
        report.notes.extend(notes)
    if "expectations" not in skip:
        from . import expectations

        report.layers.append("expectations")
        baseline_package = DataPackage(baseline) if baseline is not None else None
        findings, notes = expectations.check(package, result.tables, html_report=html_report, baseline=baseline_package,
                                             worker=worker)
        report.extend(findings)
        report.notes.extend(notes)
