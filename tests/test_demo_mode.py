"""``python -m app --demo`` as ``make demo`` runs it: the embedded server, a demo session with its
code filled in, and a walk through all six pages that ends with the browser on the demo join page.

The real entry point runs; only the event loop is replaced by a customer walking the wizard, and
the browser by a URL handler registered with Qt (so ``QDesktopServices.openUrl`` itself is used).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import httpx
import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

import app.main
from app.ui.wizard import PageId
from tests.wizard_driver import Customer


class Browser(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser():
    stand_in = Browser()
    for scheme in ("http", "https"):
        QDesktopServices.setUrlHandler(scheme, stand_in, "open")
    yield stand_in
    for scheme in ("http", "https"):
        QDesktopServices.unsetUrlHandler(scheme)


def test_make_demo_walks_all_six_pages_to_the_demo_join_page(qtbot, monkeypatch, browser, tmp_path):
    seen = {}
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the demo's database folder, to check it goes

    def customer_walks(qt_app, wizard) -> int:
        qtbot.addWidget(wizard)
        customer = Customer(qtbot, wizard)
        session_page = customer.wait_for_session()
        seen["code"] = session_page.code_edit.text().replace(" ", "")
        seen["server"] = wizard.ctx.demo_origin
        customer.walk_to_consent()
        customer.give_permission()
        qtbot.waitUntil(lambda: wizard.currentId() == PageId.CONNECT, timeout=10_000)
        qtbot.waitUntil(lambda: bool(browser.opened), timeout=10_000)
        seen["page"] = httpx.get(browser.opened[0]).text
        return 0

    monkeypatch.setattr(app.main, "run_event_loop", customer_walks)
    monkeypatch.setattr(sys, "argv", ["phonetex-support", "--demo"])
    assert app.main.main() == 0

    assert len(seen["code"]) == 9
    assert browser.opened == [f"{seen['server']}/demo/join/{seen['code']}"]
    assert "You have joined the demo session" in seen["page"]
    # The embedded server and its temporary database are gone with the launcher.
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{seen['server']}/healthz")
    assert list(Path(tmp_path).iterdir()) == []


def test_make_demo_serves_the_locally_built_launcher_on_its_emailed_link(monkeypatch, capsys, tmp_path):
    import server.embedded
    from testbed.launcher_builds import NAME, publish

    dist = publish(tmp_path / "dist", systems=("linux",))
    monkeypatch.setattr(server.embedded, "LOCAL_BUILDS", dist)
    fetched = {}

    def visitor_follows_the_link(qt_app, wizard) -> int:
        wizard.close()
        line = next(line for line in capsys.readouterr().err.splitlines() if line.startswith("The emailed link: "))
        link = line.removeprefix("The emailed link: ").split(" ")[0]
        code = link.rsplit("/", 1)[1]
        page = httpx.get(link, headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"}).text
        fetched["page"], fetched["line"] = page, line
        fetched["file"] = httpx.get(f"{link}/download/{NAME}-{code}")
        return 0

    monkeypatch.setattr(app.main, "run_event_loop", visitor_follows_the_link)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(sys, "argv", ["phonetex-support", "--demo"])
    assert app.main.main() == 0
    assert f"offers the launcher built in {dist}" in fetched["line"]
    assert 'data-system="linux"' in fetched["page"]
    assert fetched["file"].status_code == 200
    assert fetched["file"].content == (dist / NAME).read_bytes()
