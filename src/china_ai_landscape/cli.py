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
