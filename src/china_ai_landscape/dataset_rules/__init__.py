"""This dataset's content for the validation engine: its business rules and its views.

The engine (``validation/``) knows nothing of this dataset; this package plugs in through
the same entry point any other data package would use (``china_ai_landscape.rules`` in
pyproject.toml). Completeness thresholds live in the Table Schemas (the ``expectations``
property of a field) and in the schemas of the views defined in ``completeness``.
"""

from __future__ import annotations

from ..validation.rules import RuleSet
from .completeness import views
from .rules import PACKAGE_NAME, applies_to, project_rules

RULESET = RuleSet(PACKAGE_NAME, applies_to, project_rules, views=views)

__all__ = ["RULESET"]
