"""The broken-package corpus: how each case differs from ``base/`` and what it must produce.

``python tests/corpus/make_corpus.py`` regenerates ``cases/`` from ``base/`` and this list;
the committed files are what the tests read (and must leave byte-for-byte unchanged).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class Expected:
    code: str
    table: str | None
    row: int | None
    field: str | None
    severity: str = "error"


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Callable[[Path], None]
    exit_code: int
    expected: tuple[Expected, ...] = field(default_factory=tuple)
    stderr: str = ""  # for unusable input (exit 2): words the one-line message must contain
    frictionless: bool = True  # whether frictionless can validate it (the conformance test)


def _append(rel: str, text: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        with open(root / rel, "ab") as handle:
            handle.write(text.encode("utf-8"))
    return mutate


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        text = path.read_bytes().decode("utf-8")
        assert old in text, (rel, old)
        path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    return mutate


def _write_bytes(rel: str, data: bytes) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        (root / rel).write_bytes(data)
    return mutate


def _transform(rel: str, fn: Callable[[bytes], bytes]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / rel
        path.write_bytes(fn(path.read_bytes()))
    return mutate


def _descriptor(fn: Callable[[dict], None]) -> Callable[[Path], None]:
    def mutate(root: Path) -> None:
        path = root / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        fn(descriptor)
        path.write_text(json.dumps(descriptor, indent=2) + "\n", encoding="utf-8")
    return mutate


def _set_path(name: str, path: str) -> Callable[[Path], None]:
    def change(descriptor: dict) -> None:
        next(r for r in descriptor["resources"] if r["name"] == name)["path"] = path
    return _descriptor(change)


def _state_size(descriptor: dict) -> None:
    deals = next(r for r in descriptor["resources"] if r["name"] == "deals")
    deals["bytes"] = 1
    deals["hash"] = "sha256:" + "0" * 64


E = Expected
CASES = [
    Case("malformed-json", _write_bytes("datapackage.json", b'{"name": "corpus-base", "resources": [\n'), 2,
         stderr="datapackage.json: invalid JSON at line", frictionless=False),
    Case("missing-resource-file", _set_path("deals", "data/no-such-file.csv"), 1, (E("scheme-error", "deals", None, None),)),
    Case("path-traversal", _set_path("orgs", "../base/data/orgs.csv"), 1, (E("unsafe-path", "orgs", None, None),), frictionless=False),
    Case("absolute-path", _set_path("orgs", "/etc/hostname"), 1, (E("unsafe-path", "orgs", None, None),), frictionless=False),
    Case("remote-path", _set_path("deals", "https://example.com/deals.csv"), 1, (E("remote-path", "deals", None, None),), frictionless=False),
    Case("non-utf8", _transform("data/orgs.csv", lambda b: b.replace(b"Fund One", "Fund Oné".encode("latin-1"))), 1,
         (E("encoding-error", "orgs", 4, None),)),
    Case("bom", _transform("data/orgs.csv", lambda b: b"\xef\xbb\xbf" + b), 0, (E("utf8-bom", "orgs", 1, None, "warning"),)),
    Case("crlf", _transform("data/deals.csv", lambda b: b.replace(b"\n", b"\r\n")), 0,
         (E("crlf-line-endings", "deals", None, None, "warning"),)),
    Case("blank-row", _replace("data/orgs.csv", "acme-lab,", "\nacme-lab,"), 1, (E("blank-row", "orgs", 3, None),)),
    Case("extra-cell", _replace("data/deals.csv", "Seed round", "Seed round,oops"), 1, (E("extra-cell", "deals", 2, None),)),
    Case("missing-cell", _replace("data/deals.csv", "2021-06-01,\n", "2021-06-01\n"), 1, (E("missing-cell", "deals", 3, "note"),)),
    Case("duplicate-header", _replace("data/deal_orgs.csv", "deal_id,org_id,role", "deal_id,org_id,org_id"), 1,
         (E("duplicate-label", "deal_orgs", 1, "role"),)),
    Case("missing-column", _transform("data/orgs.csv", lambda b: b"\n".join(
        b",".join(cell for i, cell in enumerate(line.split(b",")) if i != 2) for line in b.split(b"\n"))), 1,
         (E("incorrect-label", "orgs", 1, "kind"), E("missing-label", "orgs", 1, "listed"))),
    Case("wrong-type", _replace("data/orgs.csv", ",1999,", ",19x9,"), 1, (E("type-error", "orgs", 2, "founded"),)),
    Case("impossible-date", _replace("data/orgs.csv", "2010-05-01", "2021-02-30"), 1, (E("type-error", "orgs", 2, "listed"),)),
    Case("enum", _replace("data/orgs.csv", "Fund One,fund", "Fund One,bank"), 1, (E("constraint-error", "orgs", 4, "kind"),)),
    Case("pattern", _append("data/orgs.csv", "Bad Id,Bad,company,2000,,,\n"), 1, (E("constraint-error", "orgs", 5, "id"),)),
    Case("range", _replace("data/orgs.csv", ",2005,", ",1700,"), 1, (E("constraint-error", "orgs", 4, "founded"),)),
    Case("duplicate-primary-key", _append("data/orgs.csv", "acme,Acme again,company,1999,,,\n"), 1,
         (E("primary-key", "orgs", 5, "id"), E("unique-error", "orgs", 5, "id"))),
    Case("composite-primary-key", _append("data/deal_orgs.csv", "d1,fund-one,investee\n"), 1,
         (E("primary-key", "deal_orgs", 5, "deal_id,org_id"),)),
    Case("dangling-foreign-key", _replace("data/deals.csv", "d2,acme,", "d2,nobody,"), 1, (E("foreign-key", "deals", 3, "org_id"),)),
    Case("dangling-self-reference", _replace("data/orgs.csv", "2015,acme,", "2015,ghost,"), 1, (E("foreign-key", "orgs", 3, "parent_id"),)),
    Case("dangling-multi-field-key", _append("data/deal_notes.csv", "d2,fund-one,no such pair\n"), 1,
         (E("foreign-key", "deal_notes", 3, "deal_id,org_id"),)),
    Case("empty-file", _write_bytes("data/deals.csv", b""), 1, (E("source-error", "deals", 1, None),)),
    Case("header-only", _write_bytes("data/deal_notes.csv", b"deal_id,org_id,text\n"), 0,
         (E("empty-table", "deal_notes", None, None, "warning"),)),
    Case("huge-field", _replace("data/deals.csv", "Seed round", "x" * 300_000), 1, (E("constraint-error", "deals", 2, "note"),)),
    Case("formula-cell", _replace("data/orgs.csv", "Fund One", '"=HYPERLINK(""https://evil.example"",""Fund One"")"'), 0,
         (E("formula-cell", "orgs", 4, "name", "warning"),)),
    Case("value-spanning-lines", _replace("data/deals.csv", "Seed round\nd2,acme,,,2021-06-01", '"Seed\nround"\nd2,acme,,,2021-13-01'), 1,
         (E("type-error", "deals", 3, "date"),)),
    Case("stated-hash-and-bytes", _descriptor(_state_size), 1, (E("hash-count", "deals", None, None), E("byte-count", "deals", None, None))),
    Case("invalid-schema", _replace("schemas/deals.json", '"type": "integer"', '"type": "integr"'), 1, (E("field-error", None, None, None),),
         frictionless=False),
]
