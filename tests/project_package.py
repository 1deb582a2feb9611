"""A small package with this dataset's descriptor and Table Schemas, and rows given by tests.

Columns come from the schemas; a row names only the cells it needs (the rest stay empty).
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

VALID_ROWS = {
    "sources": [
        {"id": "src-a", "title": "A report", "publisher": "Example News", "published": "2023-05-01", "published_precision": "month",
         "url": "https://news.example.com/a", "language": "en", "kind": "news"},
        {"id": "src-b", "title": "另一篇报道", "publisher": "示例", "published": "2024-01-10", "published_precision": "day",
         "url": "https://example.cn/b", "language": "zh", "kind": "primary", "accessed": "2024-02-01"},
        {"id": "src-copy", "title": "A report, copied", "publisher": "Copy Site", "published": "2023-05-02", "published_precision": "day",
         "url": "https://copies.example.com/a", "language": "en", "kind": "republication", "original_url": "https://news.example.com/a"},
        {"id": "src-wiki", "title": "BigCo", "publisher": "A Wiki", "url": "https://wiki.example.org/BigCo", "language": "en",
         "kind": "reference"},
    ],
    "companies": [
        {"id": "bigco", "name": "BigCo", "name_zh": "大公司", "kind": "big-tech", "country": "CN", "founded": "1998",
         "website": "https://bigco.example.com", "source_ids": "src-a;src-wiki"},
        {"id": "bigco-lab", "name": "BigCo Lab", "kind": "research-lab", "parent_id": "bigco", "country": "CN", "founded": "2017",
         "source_ids": "src-a;src-b"},
        {"id": "fund", "name": "A Fund", "kind": "investor", "country": "CN", "source_ids": "src-b;src-copy"},
    ],
    "models": [
        {"id": "big-1", "name": "Big-1", "name_zh": "大模型一号", "kind": "model", "developer_id": "bigco-lab", "modality": "language",
         "parameters": "7000000000", "announced": "2023-03-01", "announced_precision": "month", "released": "2023-03-16",
         "released_precision": "day", "access": "api", "source_ids": "src-a"},
        {"id": "big-1-chat", "name": "Big-1 Chat", "kind": "product", "developer_id": "bigco", "modality": "language",
         "released": "2023-01-01", "released_precision": "year", "base_model_id": "big-1", "source_ids": "src-a"},
    ],
    "events": [
        {"id": "big-1-launch", "date": "2023-03-16", "date_precision": "day", "kind": "model-release", "status": "occurred",
         "title": "Big-1 released", "source_ids": "src-a"},
    ],
    "event_organisations": [{"event_id": "big-1-launch", "company_id": "bigco-lab", "role": "developer", "source_ids": "src-a"}],
    "event_models": [{"event_id": "big-1-launch", "model_id": "big-1", "role": "subject", "source_ids": "src-a"}],
    "investments": [
        {"id": "bigco-lab-a", "investee_id": "bigco-lab", "kind": "funding-round", "round": "series-a", "amount": "500000000",
         "currency": "CNY", "date": "2023-06-01", "date_precision": "month", "source_ids": "src-b"},
    ],
    "investment_investors": [{"investment_id": "bigco-lab-a", "investor_id": "fund", "role": "lead", "source_ids": "src-b"}],
    "programmes": [
        {"id": "ai-plan", "name": "AI Plan", "name_zh": "人工智能计划", "kind": "plan", "organiser_id": "bigco", "jurisdiction": "CN",
         "announced": "2017-07-20", "announced_precision": "day", "budget_amount": "1000000000", "budget_currency": "CNY",
         "source_ids": "src-b"},
    ],
    "programme_partners": [{"programme_id": "ai-plan", "company_id": "bigco-lab", "role": "large-model", "source_ids": "src-b"}],
    "people": [{"id": "ada-li", "name": "Ada Li", "name_zh": "李艾达", "description": "Founder of BigCo.", "source_ids": "src-a"}],
    "person_roles": [{"person_id": "ada-li", "organisation_id": "bigco", "title": "founder", "start": "1998-01-01",
                      "start_precision": "year", "source_ids": "src-a"}],
    "exchange_rates": [{"year": "2023", "currency": "CNY", "rate": "7.08", "quoted_as": "currency-per-usd", "source_ids": "src-b"}],
    "statistics": [
        {"id": "deals-2022", "metric": "investment-events", "value": "12", "unit": "count", "comparator": "about",
         "period_start": "2022-01-01", "period_end": "2022-12-31", "source_ids": "src-b"},
    ],
}


def write_project_package(root: Path, changes: dict[str, list[dict]] | None = None) -> Path:
    """This dataset's descriptor and schemas with VALID_ROWS, where ``changes`` replaces whole tables."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "datapackage.json", root / "datapackage.json")
    shutil.copytree(ROOT / "schemas", root / "schemas", dirs_exist_ok=True)
    (root / "data").mkdir(exist_ok=True)
    tables = {**VALID_ROWS, **(changes or {})}
    for name, rows in tables.items():
        fields = [f["name"] for f in json.loads((root / "schemas" / f"{name}.json").read_text())["fields"]]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        (root / "data" / f"{name}.csv").write_text(out.getvalue(), encoding="utf-8")
    return root


def with_row(table: str, **cells) -> dict[str, list[dict]]:
    """VALID_ROWS of one table plus one more row."""
    return {table: VALID_ROWS[table] + [cells]}


def changed(table: str, index: int, **cells) -> dict[str, list[dict]]:
    """VALID_ROWS of one table with some cells of one row changed."""
    rows = [dict(r) for r in VALID_ROWS[table]]
    rows[index].update(cells)
    return {table: rows}
