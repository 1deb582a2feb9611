"""Work done in a forked child process while this process goes on: the descriptor layer.

The descriptor layer (frictionless's import and its check of the descriptor, about a fifth
of a second) does not need the tables. On Linux, before this process has started any thread
pool (polars, pyarrow, great-expectations), ``later`` forks a child that does the work and
sends the result back pickled over a pipe, while this process reads and checks the tables.
Anywhere else, or when the child fails, the work runs here when its result is asked for, so
the result never depends on where it ran.
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from typing import Callable, TypeVar

T = TypeVar("T")

# libraries whose thread pools a fork would copy mid-flight (numpy's BLAS threads are idle
# at this point and the child does no linear algebra)
_THREADED = ("polars", "pyarrow", "great_expectations", "pandas")


def _can_fork() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1
            and not any(name in sys.modules for name in _THREADED))


def later(work: Callable[[], T]) -> Callable[[], T]:
    """``work``'s result, computed in a forked child if this process can fork safely; call the
    returned function to get it (it waits for the child, or runs ``work`` here)."""
    if not _can_fork():
        return work
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: do the work, send it, leave without running the parent's exit handlers
        os.close(read_end)
        try:
            payload = pickle.dumps(("ok", work()))
        except BaseException:  # noqa: BLE001 (the parent runs the work itself and reports)
            payload = pickle.dumps(("failed", None))
        with os.fdopen(write_end, "wb") as out:
            out.write(payload)
        os._exit(0)
    os.close(write_end)

    def result() -> T:
        with os.fdopen(read_end, "rb") as source:
            payload = source.read()
        os.waitpid(pid, 0)
        try:
            status, value = pickle.loads(payload)
        except Exception:  # noqa: BLE001 (the child died before it answered)
            status, value = "failed", None
        return value if status == "ok" else work()

    return result
