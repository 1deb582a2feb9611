"""Validation of data packages in four layers: descriptor, tables, rules, expectations.

>>> from china_ai_landscape.validation import validate
>>> report = validate("path/to/datapackage.json", skip=("expectations",))
>>> report.ok, report.render("text")

Importing this package loads no heavy library; each layer imports what it needs.
"""

from __future__ import annotations

from .findings import LAYERS, Finding, Report
from .run import validate

__all__ = ["LAYERS", "Finding", "Report", "validate"]
