"""The real frictionless tool accepts the shipped package and catches a broken reference."""

import csv

import pytest

frictionless = pytest.importorskip("frictionless")


def errors_of(descriptor_path):
    report = frictionless.validate(str(descriptor_path))
    return report, [(task.name, e.type) for task in report.tasks for e in task.errors] + [
        ("package", e.type) for e in report.errors
    ]


def test_frictionless_validates_the_shipped_package(repo_root):
    report, errors = errors_of(repo_root / "datapackage.json")
    assert report.valid, errors


def test_frictionless_reports_a_broken_foreign_key(package_copy):
    path = package_copy / "data" / "models.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    rows[0]["developer_id"] = "no-such-company"
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    report, errors = errors_of(package_copy / "datapackage.json")
    assert not report.valid
    assert ("models", "foreign-key") in errors
