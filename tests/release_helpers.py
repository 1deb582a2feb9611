"""Helpers for the release tests: a small package to publish, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release-package"
CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n### Added\n- The first tables.\n"


def copy_fixture_package(dest: Path) -> Path:
    """A writable checkout of the fixture package, with a CHANGELOG.md; returns its folder."""
    shutil.copytree(FIXTURE, dest)
    (dest / "CHANGELOG.md").write_text(CHANGELOG, encoding="utf-8")
    return dest


def registry_path(package_root: Path) -> Path:
    from china_ai_landscape.releases.registry import REPOSITORY_PATH

    return package_root / REPOSITORY_PATH


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


class PartialHandler(QuietHandler):
    """Announces each file's full length, sends only ``part(data)`` of it, then ``after()``."""

    def part(self, data: bytes) -> bytes:
        raise NotImplementedError

    def after(self) -> None:
        pass

    def do_GET(self):
        path = Path(self.translate_path(self.path))
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(self.part(data))
        self.wfile.flush()
        self.after()


class CutShortHandler(PartialHandler):
    """Sends half of each file and closes the connection."""

    def part(self, data: bytes) -> bytes:
        return data[: len(data) // 2]

    def after(self) -> None:
        self.close_connection = True


@contextmanager
def serve(folder: Path, handler=QuietHandler) -> Iterator[str]:
    """Serve ``folder`` over HTTP on 127.0.0.1; yields the base URL; stops the server on exit."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


# 0.0.x is never a real release of this project (it started at 0.1.0), so the registry shipped
# in the package cannot know this version: load(version=) then verifies against the descriptor.
VERSION = "0.0.1"


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """(source package folder, release server root, registry) for release 0.0.1 of the fixture."""
    from china_ai_landscape.publishing import publish
    from china_ai_landscape.releases.registry import Registry

    root = copy_fixture_package(tmp_path_factory.mktemp("checkout") / "pkg")
    out = tmp_path_factory.mktemp("releases")
    publish(root, version=VERSION, out=out)
    return root, out, Registry.read(registry_path(root))


@pytest.fixture(scope="module")
def server(published):
    with serve(published[1]) as url:
        yield url


@pytest.fixture
def cache(tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHINA_AI_LANDSCAPE_CACHE", str(folder))
    return folder


class StallHandler(PartialHandler):
    """Sends the headers and the first bytes of each file, then goes silent (keeps the connection)."""

    def part(self, data: bytes) -> bytes:
        return data[:10]

    def after(self) -> None:
        self.server.release.wait(10)


class SilentHandler(QuietHandler):
    """Accepts the connection and reads the request, but never answers."""

    def do_GET(self):
        self.server.release.wait(10)


@contextmanager
def serve_stalling(folder: Path, handler) -> Iterator[str]:
    """Like ``serve``, for handlers that hang: they are let go when the block ends."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(folder)))
    server.release = threading.Event()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.release.set()
        server.shutdown()
        server.server_close()
        thread.join()


def closed_port() -> int:
    """A loopback port nothing listens on (connections to it are refused)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
