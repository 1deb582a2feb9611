"""A file that pyarrow's streaming CSV reader reads at the pace of whoever uses its batches.

pyarrow's streaming reader reads ahead as far as it can (hundreds of MiB, whatever the
block size). ``PacedFile`` holds a read back while more than ``ahead`` blocks are beyond
the batches its user has finished with (``done``). A wait ends after a second regardless,
so a reader that needs more bytes for the batch it is on is never stuck. On the way it
counts line feeds and notes whether any CRLF occurs (the validator reports both).
Used by the validator's batches (``validation.streamed``) and the diff's parts
(``diffing.parts``).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path


class PacedFile(io.RawIOBase):
    def __init__(self, path: Path, block_size: int, ahead: int = 6):
        self._file = open(path, "rb")  # noqa: SIM115 (closed by close(), which pyarrow's reader and our callers call)
        self._limit = block_size * ahead
        self._block = block_size
        self.newlines, self.crlf, self._last = 0, False, b""
        self._read, self._done = 0, 0
        self._turn = threading.Condition()

    def readable(self) -> bool:
        return True

    def done(self) -> None:
        """One more batch finished with: the reader may read one block further."""
        with self._turn:
            self._done += 1
            self._turn.notify_all()

    def read(self, size: int = -1) -> bytes:
        with self._turn:
            self._turn.wait_for(lambda: self._read <= self._done * self._block + self._limit, timeout=1.0)
        chunk = self._file.read(size)
        self._read += len(chunk)
        self.newlines += chunk.count(b"\n")
        if not self.crlf and chunk:
            self.crlf = b"\r\n" in self._last + chunk[:1] or b"\r\n" in chunk
            self._last = chunk[-1:]
        return chunk

    def readinto(self, buffer) -> int:
        chunk = self.read(len(buffer))
        buffer[:len(chunk)] = chunk
        return len(chunk)

    def close(self) -> None:
        self._file.close()
        super().close()
