"""`dataset serve` in a real browser: headless Chromium drives Datasette on 127.0.0.1.

Regenerate the README's screenshot with ``UPDATE_SCREENSHOT=1 python -m pytest tests/test_serve_browser.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

import china_ai_landscape as cal

REPO = Path(__file__).resolve().parents[1]
SCREENSHOT = REPO / "docs" / "datasette-models.png"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

if CHROMIUM is None and not os.environ.get("CI"):
    pytest.skip("Chromium is not installed (.ci/run installs Debian's chromium)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (loopback)
        return json.loads(response.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    port = _free_port()
    env = {**os.environ, "CHINA_AI_LANDSCAPE_CACHE": str(tmp_path_factory.mktemp("cache"))}
    proc = subprocess.Popen([sys.executable, "-m", "china_ai_landscape", "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _get_json(f"{base}/.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError(f"dataset serve did not come up: {proc.stdout.read()}") from None
            time.sleep(0.5)
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_the_json_api_answers_on_loopback_with_every_table(server):
    database = _get_json(f"{server}/china-ai-landscape.json")
    counts = {t["name"]: t["count"] for t in database["tables"]}
    for name in cal.tables():
        assert counts[name] == len(cal.load(name)), name
    assert any(t["fts_table"] for t in database["tables"] if t["name"] == "models")


def test_a_browser_facets_searches_follows_a_developer_and_a_source_link(server, tmp_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(f"{server}/china-ai-landscape/models")
        assert "Models" in page.content() or "models" in page.title()
        page.click('#facet-access a:text-is("open-weights")')  # a value of the access facet
        page.wait_for_url("**access=open-weights**")
        page.fill("input[name=_search]", "Qwen2.5")
        page.press("input[name=_search]", "Enter")
        page.wait_for_url("**_search=Qwen2.5**")
        names = page.locator("td.col-name").all_inner_texts()
        assert any(n.startswith("Qwen2.5") for n in names)
        matched = json.loads(urllib.request.urlopen(page.url.replace("/models?", "/models.json?") + "&_size=0").read())
        assert 0 < matched["filtered_table_rows_count"] < len(cal.load("models"))
        shot = SCREENSHOT if os.environ.get("UPDATE_SCREENSHOT") else tmp_path / "models.png"
        shot.parent.mkdir(exist_ok=True)
        page.evaluate("document.querySelector('form.filters, form.core').scrollIntoView()")
        page.screenshot(path=str(shot))
        developer = page.locator("td.col-developer_id a").first
        developer_id = developer.get_attribute("href").rsplit("/", 1)[-1]
        developer.click()
        page.wait_for_url(f"**/companies/{developer_id}")
        expected = cal.load("companies").set_index("id").loc[developer_id, "name"]
        assert expected in page.content()
        page.goto(f"{server}/china-ai-landscape/sources?_size=5")
        link = page.locator("td.col-url a").first
        href = link.get_attribute("href")
        assert href.startswith("https://") and href in set(cal.load("sources")["url"])
        browser.close()
