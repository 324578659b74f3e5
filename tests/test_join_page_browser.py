"""The emailed link in a real browser (Debian's headless Chromium, tests/browser.py), presenting
itself as each system through its User-Agent and Client Hints, as a customer's browser would."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By

from server.domain.sessions import open_session
from server.embedded import EmbeddedServer
from testbed.launcher_builds import NAME, publish
from tests.browser import chromium_as, wait_for

ZOHO_LINK = "https://assist.zoho.com/join?role=A&key=123456789"
LABELS = {"windows": "Windows", "macos": "Mac", "linux": "Linux"}
FILES = {"windows": "{name}-{code}.exe", "macos": "{name}-{code}.zip", "linux": "{name}-{code}"}


@pytest.fixture
def server(tmp_path: Path):
    with EmbeddedServer(tmp_path / "c.sqlite3", launchers_dir=publish(tmp_path / "launchers")) as running:
        yield running


def _downloads(driver) -> list:
    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "a.download"), message="no download links")


@pytest.mark.parametrize("system", ["windows", "macos", "linux"])
def test_the_first_download_is_for_the_browsers_system(server: EmbeddedServer, system: str) -> None:
    code = server.create_session(join_url=ZOHO_LINK)["code"]
    with chromium_as(system) as driver:
        driver.get(f"{server.base_url}/join/{code}")
        links = _downloads(driver)
        first = links[0]
        assert first.get_attribute("data-system") == system
        assert first.text == f"Download Phonetex Support for {LABELS[system]}"
        assert first.get_attribute("download") == FILES[system].format(name=NAME, code=code)
        assert first.is_displayed() and first.location["y"] < 768  # in view without scrolling
        assert sorted(link.get_attribute("data-system") for link in links) == ["linux", "macos", "windows"]
        # The page's own stylesheet applies under its CSP: big text.
        assert driver.execute_script("return getComputedStyle(document.body).fontSize") == "20px"


def test_a_linux_download_saves_the_published_build_named_with_the_code(server: EmbeddedServer, tmp_path: Path) -> None:
    code = server.create_session(join_url=ZOHO_LINK)["code"]
    downloads = tmp_path / "Downloads"
    downloads.mkdir()
    with chromium_as("linux", download_dir=downloads) as driver:
        driver.get(f"{server.base_url}/join/{code}")
        _downloads(driver)[0].click()
        saved = downloads / f"{NAME}-{code}"
        wait_for(driver, lambda d: saved.exists() and not list(downloads.glob("*.crdownload")), timeout=30,
                 message=f"no {saved.name} in {sorted(p.name for p in downloads.iterdir())}")
    assert saved.read_bytes() == (tmp_path / "launchers" / NAME).read_bytes()
    assert sorted(p.name for p in downloads.iterdir()) == [saved.name]


def test_a_phone_is_sent_to_the_computer(server: EmbeddedServer) -> None:
    code = server.create_session(join_url=ZOHO_LINK)["code"]
    with chromium_as("android") as driver:
        driver.get(f"{server.base_url}/join/{code}")
        note = wait_for(driver, lambda d: d.find_element(By.ID, "phone-note"))
        assert "Open this email on the computer that needs help" in note.text
        assert note.location["y"] < _downloads(driver)[0].location["y"]


def test_an_expired_code_shows_what_to_do(server: EmbeddedServer) -> None:
    from datetime import datetime, timedelta

    expired = open_session(
        server.store,
        technician="Sam", ticket=None, join_url=ZOHO_LINK, provider="zoho-assist", expires_in_minutes=60,
        now=datetime.now(UTC) - timedelta(hours=2),
    )
    with chromium_as("windows") as driver:
        driver.get(f"{server.base_url}/join/{expired.code}")
        heading = wait_for(driver, lambda d: d.find_element(By.ID, "refusal"))
        assert heading.text == "This session code has expired"
        assert "+44 20 7946 0000" in driver.find_element(By.TAG_NAME, "main").text
        assert driver.find_elements(By.CSS_SELECTOR, "a.download") == []
