"""Fixtures of the browser tests: headless Chromium (Debian's) driven by Playwright, Jupyter servers, screenshots.

The tests are skipped, with the reason, when ``/usr/bin/chromium`` or the ``playwright``
package is missing (they never download a browser). Each step's screenshot is saved in
``$DL4TEXT_ARTIFACTS`` if set, else ``<repo>/test-artifacts/browser/``, one folder per test.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from .server import JupyterServer, start_jupyter

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
ARTIFACTS_ENV = "DL4TEXT_ARTIFACTS"
VIEWPORT = {"width": 1400, "height": 900}

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # the [test] extras bring it; without it the tests say so
    sync_playwright = None


def artifacts_root() -> Path:
    """Where the screenshots go: ``$DL4TEXT_ARTIFACTS`` or ``<repo>/test-artifacts/browser/``."""
    chosen = os.environ.get(ARTIFACTS_ENV)
    return Path(chosen).expanduser() if chosen else REPO / "test-artifacts" / "browser"


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium (``/usr/bin/chromium``); the test is skipped without it or without playwright."""
    if sync_playwright is None:
        pytest.skip("the browser tests need the playwright package: pip install -e '.[test]'")
    if not CHROMIUM.exists():
        pytest.skip(f"the browser tests need Chromium at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser page (its own context: no cookies of another test)."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """This test's artifacts folder (emptied first): ``<artifacts root>/<test name>/``."""
    folder = artifacts_root() / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def shots(artifacts: Path) -> Callable[[Page, str], Path]:
    """``shots(page, "step")`` saves a full-page PNG ``NN-step.png`` in this test's artifacts folder."""
    folder = artifacts
    taken: list[Path] = []

    def shoot(page: Page, step: str) -> Path:
        path = folder / f"{len(taken) + 1:02d}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        taken.append(path)
        return path

    return shoot


@pytest.fixture
def jupyter(tmp_path: Path, artifacts: Path) -> Iterator[Callable[..., JupyterServer]]:
    """``jupyter(root, app="lab", env={...})`` starts a server in ``root``; every one is stopped after the test.

    The server's log goes next to the test's screenshots (``jupyter-N.log``).
    """
    started: list[JupyterServer] = []

    def start(root: Path, app: str = "lab", env: dict[str, str] | None = None) -> JupyterServer:
        n = len(started) + 1
        server = start_jupyter(root, tmp_path / f"jupyter-state-{n}", artifacts / f"jupyter-{n}.log",
                               app=app, env=env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
