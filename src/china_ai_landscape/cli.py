"""The ``dataset`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints. Library errors
(DatasetError) become one line on stderr and an exit code, never a traceback.
"""

from __future__ import annotations

import sys

import click

from .errors import DatasetError


class DatasetGroup(click.Group):
    """A click group that turns DatasetError into a one-line message and exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatasetError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__, data_version

    click.echo(f"dataset (china-ai-landscape) {__version__}, data version {data_version()}")
    ctx.exit()


@click.group(cls=DatasetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the package and data versions and exit.")
def main():
    """Validate, compare and publish the china-ai-landscape data package.

    \b
    Examples:
      dataset tables                 list the tables with row counts
      dataset --version              package and data versions
    """


@main.command("tables")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format.")
def tables_command(fmt: str):
    """List the tables of the dataset with their row counts and descriptions.

    \b
    Examples:
      dataset tables
      dataset tables --format json
    """
    import json

    from .summary import table_summaries

    rows = table_summaries()
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["name"]) for r in rows)
    for r in rows:
        click.echo(f"{r['name']:<{width}}  {r['rows']:>6}  {r['description']}")


@main.command("diff")
@click.argument("old")
@click.argument("new", default=".")
@click.option("--table", "tables", multiple=True, metavar="NAME", help="Compare only this table (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]), default="text", show_default=True,
              help="text for the terminal, markdown for release notes and pull requests, json for tools.")
@click.option("--limit", type=click.IntRange(min=0), default=10, show_default=True,
              help="Sample rows shown per table and kind (changed, added, removed); 0 shows all.")
@click.option("--exit-code", is_flag=True, help="Exit 1 when the versions differ, 0 when they do not (like git diff).")
def diff_command(old: str, new: str, tables: tuple[str, ...], fmt: str, limit: int, exit_code: bool):
    """Compare two versions of the data package: rows matched on primary keys, schema and
    descriptor changes, and the semver bump they require (major, minor, patch or none).

    OLD and NEW are each a data package folder or datapackage.json, git:REV (this
    repository's data package at a git revision; the working tree is not touched), or a
    release vX.Y.Z. NEW defaults to the current folder.

    Exit status: 0 (differences or not), 1 with --exit-code when they differ, 2 for
    unusable input (a missing package, duplicate keys, keys of different types).

    \b
    Examples:
      dataset diff git:HEAD .                  what your uncommitted edits change
      dataset diff git:main . --format markdown > pr-comment.md
      dataset diff v0.1.0 . --table models     one table against a release
      dataset diff old/ new/ --format json --limit 0
      dataset diff git:HEAD~1 . --exit-code || echo "data changed"
    """
    from .diffing import diff

    result = diff(old, new, tables=tables or None)
    click.echo(result.render(fmt, limit=limit or None))
    if exit_code and result.differs:
        sys.exit(1)
