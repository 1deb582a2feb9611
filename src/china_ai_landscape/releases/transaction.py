"""Publishing as a transaction: the release folder and the repository files change together.

Everything is first *staged* beside its final place (a built release folder, the new text
of the registry, the descriptor and CHANGELOG.md in hidden sibling files). The commit
writes a journal listing the renames, performs them and removes the journal, with Ctrl-C
and SIGTERM held back meanwhile, so an interrupted publish leaves either nothing changed or
everything changed. A process killed outright during the commit leaves the journal: the
next ``publish`` (or ``recover()``) finishes the renames it lists. Staged files that never
reached a commit are removed by ``recover()`` too.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import DatasetError

JOURNAL_NAME = ".dataset-publish-journal.json"
STAGED_SUFFIX = ".publish-staged"
PARTIAL_SUFFIX = ".partial"
_HELD = {signal.SIGINT, signal.SIGTERM}


@contextmanager
def signals_held() -> Iterator[None]:
    """Hold back Ctrl-C and SIGTERM until the block ends (then they take effect)."""
    if not hasattr(signal, "pthread_sigmask"):  # pragma: no cover (not POSIX)
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, _HELD)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover (some file systems refuse)
        pass
    finally:
        os.close(fd)


def _writable_problem(exc: OSError, path: Path) -> DatasetError:
    reason = exc.strerror or exc.__class__.__name__
    return DatasetError(f"cannot write {path}: {reason}; nothing was published (the repository is unchanged)")


class Transaction:
    """Staged changes under ``root`` (the package folder) that become real all at once."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.journal = self.root / JOURNAL_NAME
        self.moves: list[tuple[Path, Path]] = []  # (staged, final)

    def stage_text(self, final: Path, text: str) -> None:
        """The new content of ``final``, written to a hidden sibling until the commit."""
        final = Path(final)
        with signals_held():
            try:
                final.parent.mkdir(parents=True, exist_ok=True)
                fd, staged = tempfile.mkstemp(dir=final.parent, prefix=f".{final.name}.", suffix=STAGED_SUFFIX)
            except OSError as exc:
                raise _writable_problem(exc, final) from None
            self.moves.append((Path(staged), final))
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(text.encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            mode = final.stat().st_mode & 0o777 if final.exists() else 0o644
            os.chmod(staged, mode)
        except OSError as exc:
            raise _writable_problem(exc, final) from None

    def stage_folder(self, staged: Path, final: Path) -> None:
        """A folder built beside its final place (it must not exist yet)."""
        self.moves.append((Path(staged), Path(final)))

    def commit(self) -> None:
        """Write the journal, perform every rename, remove the journal; signals held throughout."""
        with signals_held():
            try:
                self._write_journal()
                finish(self.moves)
                self.journal.unlink()
                _fsync_dir(self.root)
            except OSError as exc:
                raise DatasetError(f"publishing stopped while moving files into place ({exc.strerror or exc}); "
                                   "run the same publish command again to finish it") from None

    def abort(self) -> None:
        """Remove everything staged; the repository stays as it was."""
        with signals_held():
            for staged, _ in self.moves:
                _remove(staged)
            self.moves.clear()

    def _write_journal(self) -> None:
        data = json.dumps({"moves": [[str(s), str(f)] for s, f in self.moves]}, indent=1)
        tmp = self.journal.with_name(self.journal.name + ".tmp")
        tmp.write_text(data, encoding="utf-8")
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, self.journal)
        _fsync_dir(self.root)


def finish(moves: list[tuple[Path, Path]]) -> None:
    """Rename each staged path onto its final place; those renamed already are skipped."""
    for staged, final in moves:
        if staged.exists() or staged.is_symlink():
            os.replace(staged, final)
            _fsync_dir(final.parent)


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def recover(root: Path, out: Path | None = None) -> list[str]:
    """Finish a commit a killed publish left behind, then remove staged leftovers.

    Returns what was done, one line each (empty when there was nothing to do).
    """
    root = Path(root)
    done: list[str] = []
    journal = root / JOURNAL_NAME
    with signals_held():
        if journal.exists():
            try:
                moves = [(Path(s), Path(f)) for s, f in json.loads(journal.read_text(encoding="utf-8"))["moves"]]
            except (ValueError, KeyError, TypeError, OSError) as exc:
                raise DatasetError(f"{journal}: an interrupted publish left a journal that cannot be read ({exc}); "
                                   "restore the repository with git and remove the journal") from None
            finish(moves)
            journal.unlink()
            done.append(f"finished the interrupted publish recorded in {journal.name}")
        journal.with_name(journal.name + ".tmp").unlink(missing_ok=True)
        for folder in {root, *(p.parent for p in _repository_files(root))}:
            for leftover in folder.glob(f".*{STAGED_SUFFIX}"):
                _remove(leftover)
                done.append(f"removed {leftover.name}, left by an interrupted publish")
        if out is not None and Path(out).is_dir():
            for leftover in Path(out).glob(f".v*{PARTIAL_SUFFIX}"):
                _remove(leftover)
                done.append(f"removed {leftover.name}, left by an interrupted build")
    return done


def _repository_files(root: Path) -> list[Path]:
    from .registry import REPOSITORY_PATH

    return [root / REPOSITORY_PATH]
