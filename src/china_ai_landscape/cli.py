"""The ``dataset`` command: a thin layer over the library.

Each command parses its options, calls one library function and prints. Library errors
(DatasetError) become one line on stderr and an exit code, never a traceback.

Exit codes: 0 success, 1 data invalid or a check failed, 2 usage or input error,
3 internal error (a bug: the traceback only with --debug or DATASET_DEBUG=1), 130 interrupted.
"""

from __future__ import annotations

import os
import sys

import click

from .errors import DatasetError

EXIT_INTERNAL = 3
EXIT_INTERRUPTED = 130
ISSUES_URL = "https://github.com/china-ai-landscape/china-ai-landscape/issues"


def _debugging(ctx: click.Context) -> bool:
    return bool(ctx.meta.get("dataset.debug")) or os.environ.get("DATASET_DEBUG", "") not in ("", "0")


class DatasetGroup(click.Group):
    """A click group that turns every failure into a one-line message and its exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except DatasetError as exc:
            click.echo(f"Error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            _exit_interrupted()
        except BrokenPipeError:  # the reader went away (| head): nothing more to say
            sys.stderr = open(os.devnull, "w")  # noqa: SIM115 (silence the flush at exit)
            sys.exit(0)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except Exception as exc:  # noqa: BLE001 (the last guard: a bug, not the user's input)
            if _debugging(ctx):
                raise
            click.echo(f"Internal error: {type(exc).__name__}: {exc}. This is a bug in dataset; please report it "
                       f"at {ISSUES_URL} with the output of the same command run with --debug.", err=True)
            sys.exit(EXIT_INTERNAL)


_IN_OWN_PROCESS = False  # set by run(), the console entry point


def _exit_interrupted() -> None:
    """Exit 130. In its own process the exit is immediate: some libraries leave the
    interpreter's shutdown to re-raise the signal, which would report "killed by SIGINT"
    instead of 130. Everything to undo was undone while the interrupt unwound."""
    if _IN_OWN_PROCESS:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)
    sys.exit(EXIT_INTERRUPTED)


def run() -> None:
    """The ``dataset`` command as its own process (console script, ``python -m``)."""
    global _IN_OWN_PROCESS
    _IN_OWN_PROCESS = True
    try:
        main(prog_name="dataset")
        code = 0
    except SystemExit as exc:
        code = exc.code
    _exit_now(code)


def _exit_now(code) -> None:
    """Exit with ``code`` once the exit handlers have run and the output is flushed, without
    the interpreter's teardown of every loaded module (about 0.4 s once polars, pyarrow and
    pandera are loaded, longer than validating a small package)."""
    import atexit

    if code is not None and not isinstance(code, int):
        click.echo(str(code), err=True)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can be said
            pass
    os._exit(code or 0)


def _set_debug(ctx: click.Context, _param, value: bool) -> None:
    if value:
        ctx.meta["dataset.debug"] = True


def _print_version(ctx: click.Context, _param, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from . import __version__, data_version

    click.echo(f"dataset (china-ai-landscape) {__version__}, data version {data_version()}")
    ctx.exit()


@click.group(cls=DatasetGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True, callback=_print_version,
              help="Show the package and data versions and exit.")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_set_debug,
              help="Show the traceback of an internal error (also: DATASET_DEBUG=1).")
def main():
    """Validate, compare and publish the china-ai-landscape data package.

    Exit codes: 0 success, 1 data invalid or a check failed, 2 usage or input
    error, 3 internal error (a bug; see --debug), 130 interrupted.

    \b
    Examples:
      dataset validate               check the shipped package (all four layers)
      dataset validate path/to/datapackage.json --format github
      dataset diff git:main .        what your edits change, and the version bump they need
      dataset tables                 list the tables with row counts
      dataset serve                  browse the data in Datasette on 127.0.0.1
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


@main.command("validate")
@click.argument("path", required=False, type=click.Path(dir_okay=True, file_okay=True, path_type=str))
@click.option("--skip", "skip", multiple=True, type=click.Choice(["descriptor", "tables", "rules", "expectations"]),
              help="Layer not to run (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text", show_default=True,
              help="text for people, json for machines, github for pull-request annotations.")
@click.option("--html-report", type=click.Path(file_okay=False, path_type=str), default=None,
              help="Write the great-expectations Data Docs site into this folder.")
@click.option("--baseline", type=click.Path(exists=True, path_type=str), default=None,
              help="A previous release (folder or datapackage.json): tables must not lose rows.")
@click.option("--allow-remote", is_flag=True,
              help="Download a descriptor given as a URL and resources whose path is a URL (never fetched otherwise).")
def validate_command(path, skip, fmt, html_report, baseline, allow_remote):
    """Validate a data package: descriptor, tables, rules and expectations.

    PATH is a datapackage.json, its folder, a zipped package (.zip) or, with
    --allow-remote, the URL of a descriptor; by default
    ./datapackage.json when the current folder has one, else the package installed with
    this library (the report says which). Exit status: 0 valid (warnings allowed), 1 invalid, 2 unusable input,
    3 internal error, 130 interrupted.

    \b
    Layers:
      descriptor    the descriptor and Table Schemas (frictionless), safe paths, hashes
      tables        every Table Schema rule, per row and field (pyarrow + polars)
      rules         business rules of the package (pandera, polars backend)
      expectations  completeness, plausible ranges, row counts (great-expectations)

    \b
    Examples:
      dataset validate
      dataset validate ../other/datapackage.json --skip expectations
      dataset validate downloads/package.zip
      dataset validate https://example.org/data/datapackage.json --allow-remote
      dataset validate --format github            # in CI: annotations on the changed lines
      dataset validate --format json > report.json
      dataset validate --html-report site/        # Data Docs in site/index.html
      dataset validate --baseline ../v1.2.0/      # no rows lost since that release

    A CSV file of 32 MiB or more is checked in batches, in bounded memory;
    DATASET_STREAM_ABOVE=BYTES sets that size (0: every file that can be).
    """
    from .validation import validate

    report = validate(path, skip=skip, allow_remote=allow_remote, html_report=html_report, baseline=baseline)
    click.echo(report.render(fmt))
    sys.exit(report.exit_code)


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

    Two tables with 512 MiB of data or more, keyed on strings, are compared in parts,
    in bounded memory; DATASET_PARTS_ABOVE=BYTES sets that size.
    """
    from .diffing import diff

    result = diff(old, new, tables=tables or None)
    click.echo(result.render(fmt, limit=limit or None))
    if exit_code and result.differs:
        sys.exit(1)

@main.command("publish")
@click.option("--version", "version", metavar="X.Y.Z", help="The version to release.")
@click.option("--bump", type=click.Choice(["auto"]), help="Release the next version the changes require.")
@click.option("--out", default="dist", show_default=True, type=click.Path(file_okay=False),
              help="Folder that receives the release folder vX.Y.Z/.")
@click.option("--dry-run", is_flag=True, help="Check and build in a temporary folder; write nothing.")
@click.option("--package", "path", default=".", show_default=True, type=click.Path(),
              help="The data package (folder or datapackage.json) to release.")
@click.option("--registry", type=click.Path(dir_okay=False),
              help="Release registry to check and update [default: src/china_ai_landscape/releases/registry.json "
                   "under the package].")
@click.option("--base-url", metavar="URL", help="Where to download the previous release from when it is not in --out.")
def publish_command(version, bump, out, dry_run, path, registry, base_url):
    """Validate, compare with the previous release, and build release vX.Y.Z.

    Refuses invalid data, a version smaller than the changes since the previous release
    require, and a released version whose files would differ. Builds OUT/vX.Y.Z/ (Parquet
    and CSV per table, datapackage.json with hashes, SHA256SUMS, RELEASE_NOTES.md, a zip),
    then sets the version in datapackage.json, adds a CHANGELOG.md section and records the
    file hashes in the release registry. The same version builds to the same bytes.

    \b
    Examples:
      dataset publish --version 0.2.0
      dataset publish --bump auto --dry-run
      dataset publish --version 0.2.0 --out /tmp/releases
    """
    from .publishing import publish

    result = publish(path, version=version, bump=bump, out=out, dry_run=dry_run, registry=registry, base_url=base_url)
    since = f"a {result.bump} release after {result.previous}" if result.previous else "first release"
    if result.dry_run:
        verb = "would rebuild the released" if result.reproduced else "would publish"
        click.echo(f"Dry run: {verb} v{result.version} ({since}), {len(result.files)} files; nothing was written.")
    elif result.reproduced:
        click.echo(f"Rebuilt v{result.version} in {result.folder}: identical to the released files.")
    else:
        click.echo(f"Published v{result.version} ({since}) in {result.folder}, {len(result.files)} files.")
    for line in result.changes:
        click.echo(f"  {line}")
    for changed in result.updated:
        click.echo(f"Updated {changed}")


@main.command("download")
@click.option("--version", "version", metavar="X.Y.Z", help="Release to fetch [default: the latest known].")
@click.option("--table", "tables", multiple=True, metavar="NAME", help="A table to fetch (repeatable) [default: all].")
@click.option("--format", "file_format", type=click.Choice(["parquet", "csv", "sqlite"]), default="parquet",
              show_default=True, help="Which files to fetch (sqlite: the one database of every table).")
@click.option("--dest", type=click.Path(file_okay=False), help="Put the files here instead of the user cache.")
@click.option("--base-url", metavar="URL",
              help="Release server; files are read from URL/vX.Y.Z/FILE [env: CHINA_AI_LANDSCAPE_RELEASE_URL].")
@click.option("--descriptor-sha256", metavar="HEX",
              help="Pin the SHA-256 of the release's datapackage.json (for releases newer than this package).")
def download_command(version, tables, file_format, dest, base_url, descriptor_sha256):
    """Fetch a release's files, each verified against its SHA-256, into the cache.

    Files this package's registry knows are checked against the hashes recorded in it;
    a newer release is checked against its own datapackage.json. A file that fails its
    check is refused and not kept. Once cached, a release is used offline. Prints the
    paths of the files.

    \b
    Examples:
      dataset download --version 0.1.0
      dataset download --version 0.1.0 --table models --table companies
      dataset download --format csv --dest ./release
      dataset download --version 0.2.0 --format sqlite
    """
    from .releases import download

    paths = download(version, tables or None, file_format=file_format, dest=dest, base_url=base_url,
                     descriptor_sha256=descriptor_sha256)
    for path in paths:
        click.echo(str(path))


@main.command("serve")
@click.option("--version", "version", metavar="X.Y.Z", help="Serve this release (downloaded and verified) "
              "[default: the data shipped with this package].")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. The default, loopback, is reachable from this machine only; "
                   "0.0.0.0 opens it to the network.")
def serve_command(version, port, host):
    """Browse the data in Datasette: every table, facets, full-text search, links.

    Serves the release's SQLite database (for the shipped data, built once into the
    cache) with titles, licence, column descriptions and facets taken from the Table
    Schemas. Listens on 127.0.0.1 (this machine only) unless --host says otherwise.
    Needs the explore extra: pip install 'china-ai-landscape[explore]'.

    \b
    Examples:
      dataset serve                      then open http://127.0.0.1:8001/
      dataset serve --port 8080
      dataset serve --version 0.2.0      a published release
    """
    from .explore import serve

    sys.exit(serve(version, port=port, host=host))
