"""End-to-end fixtures: the application served by uvicorn on a free loopback port, in a
thread, and a headless Debian Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _app():
    """The application over the packaged graph: the pages and the real SPARQL endpoint."""
    from bortekg import KnowledgeGraph
    from bortekg.serve import ServerState, create_app

    return create_app(state=ServerState(kg=KnowledgeGraph()))


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser, base_url: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not errors, f"script errors on the page: {errors}"


@pytest.fixture
def screenshot(tmp_path: Path) -> Callable[..., Path]:
    """Save a screenshot of what the browser window shows (scrolled to ``at``, a selector,
    when given) under pytest's tmp_path, and print where."""

    def take(tab, name: str, at: str | None = None) -> Path:
        if at is not None:
            tab.locator(at).first.scroll_into_view_if_needed()
            tab.locator(at).first.evaluate("element => element.scrollIntoView({block: 'start'})")
        path = tmp_path / f"{name}.png"
        tab.screenshot(path=str(path))
        print(f"screenshot: {path}")
        return path

    return take
