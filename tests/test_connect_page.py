"""The Connect page says what will open for each provider, and what to do when the browser does not."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QGuiApplication

from app.core.brand import load_brand
from app.core.consent_client import ConsentAnswer, ConsentClient, SessionInfo
from app.core.journey import Journey
from app.core.terms import load_terms
from app.ui.context import LauncherContext
from app.ui.pages.connect import ConnectPage
from tests.scripted_open_apps import no_support_program
from tests.test_join_link_table import LEGITIMATE
from tests.wizard_driver import OpenedUrls

DEMO_ORIGIN = "http://127.0.0.1:8123"
WORDS = ("hammer", "jungle", "turtle")


def connect_page(qtbot, join_url: str, provider: str, *, browser_works: bool = True):
    opener = OpenedUrls(browser_works=browser_works)
    journey = Journey(
        session=SessionInfo("482913557", "Phonetex", "Sam", None, "2030-01-01T00:00:00Z", "open", WORDS),
        answer=ConsentAnswer(reference="K7P-4QX", join_url=join_url, provider=provider),
    )
    ctx = LauncherContext(
        brand=load_brand(),
        terms=load_terms(),
        # Never asked: the Connect page talks to nobody but the browser.
        client=ConsentClient("http://127.0.0.1:9"),
        journey=journey,
        demo_origin=DEMO_ORIGIN,
        open_url=opener,
        support_watch=no_support_program,
    )
    page = ConnectPage(ctx)
    qtbot.addWidget(page)
    page.initializePage()
    page.show()
    return page, opener


@pytest.mark.parametrize(
    "link, provider, words",
    [
        ("https://assist.zoho.com/join?role=A&key=123456789", "zoho-assist",
         "Zoho Assist will open in your browser and may ask you to run its small connector: that is expected"),
        ("https://get.teamviewer.com/s06301144", "teamviewer",
         "TeamViewer will open in your browser and may ask you to download and run TeamViewer QuickSupport: that is expected"),
        (f"{DEMO_ORIGIN}/demo/join/482913557", "zoho-assist", "The demo join page will open in your browser"),
    ],
)
def test_the_customer_is_told_what_will_open(qtbot, link, provider, words):
    page, opened = connect_page(qtbot, link, provider)
    assert opened.urls == [link]
    assert words in page.status_label.text()
    # A desktop that says it opened the link cannot tell whether a window appeared: the way
    # back to it stays on the page.
    assert "If no browser window appeared, or you closed it" in page.status_label.text()
    assert page.copy_button.isVisible() and page.open_again_button.isVisible()


def test_the_wording_follows_the_link_that_opens_not_the_servers_label(qtbot):
    # A TeamViewer link the server calls Zoho Assist: the customer is told what really opens.
    page, _opened = connect_page(qtbot, "https://get.teamviewer.com/s06301144", "zoho-assist")
    assert "TeamViewer will open" in page.status_label.text()


def test_when_the_browser_fails_the_link_can_be_copied_and_read_out(qtbot):
    link = "https://assist.zoho.com/join?role=A&key=123456789"
    page, _opened = connect_page(qtbot, link, "zoho-assist", browser_works=False)
    message = page.status_label.text()
    assert "Your browser did not open" in message
    assert "K7P-4QX" in message and "hammer  ·  jungle  ·  turtle" in message
    assert page.link_edit.isVisible() and page.link_edit.text() == link
    page.copy_button.setFocus()
    qtbot.keyClick(page.copy_button, Qt.Key.Key_Space)
    assert QGuiApplication.clipboard().text() == link
    assert "Link copied" in page.status_label.text()


def test_a_closed_browser_tab_is_opened_again_from_the_page_for_as_long_as_the_session_lasts(qtbot):
    link = "https://assist.zoho.com/join?role=A&key=123456789"
    page, opened = connect_page(qtbot, link, "zoho-assist")
    assert page.open_again_button.text().replace("&", "") == "Open Zoho Assist again"
    qtbot.mouseClick(page.open_again_button, Qt.MouseButton.LeftButton)
    assert opened.urls == [link, link]
    opened.browser_works = False  # the second try fails: the page says so, and how to go on
    qtbot.mouseClick(page.open_again_button, Qt.MouseButton.LeftButton)
    assert "Your browser did not open" in page.status_label.text()
    page._session_over()  # the session's expiry time came
    assert not page.open_again_button.isVisible() and not page.copy_button.isVisible()
    assert "has ended" in page.status_label.text()


def test_an_expired_session_offers_no_link(qtbot):
    opener = OpenedUrls()
    journey = Journey(
        session=SessionInfo("482913557", "Phonetex", "Sam", None, "2020-01-01T00:00:00Z", "open", WORDS),
        answer=ConsentAnswer(reference="K7P-4QX", join_url="https://assist.zoho.com/join?role=A&key=1", provider="zoho-assist"),
    )
    ctx = LauncherContext(brand=load_brand(), terms=load_terms(), client=ConsentClient("http://127.0.0.1:9"),
                          journey=journey, open_url=opener)
    page = ConnectPage(ctx)
    qtbot.addWidget(page)
    page.initializePage()
    page.show()
    assert opener.urls == [] and not page.open_again_button.isVisible()
    assert "has ended" in page.status_label.text()


def test_a_refused_link_is_neither_opened_nor_shown(qtbot):
    page, opened = connect_page(qtbot, "https://assist.zoho.com@evil.io/join?key=1", "zoho-assist", browser_works=False)
    assert opened.urls == []
    assert "user name or password" in page.status_label.text()
    assert not page.link_edit.isVisible() and "evil.io" not in page.link_edit.text()


@pytest.mark.parametrize("link", [link for link, _ in LEGITIMATE])
def test_qt_reads_every_accepted_link_exactly_as_the_policy_checked_it(link):
    # The page hands Qt the checked text; Qt's parser must see the same host, path and query.
    url = QUrl(link, QUrl.ParsingMode.StrictMode)
    assert url.isValid()
    assert url.toString(QUrl.ComponentFormattingOption.FullyEncoded) == link
    assert (url.scheme(), url.host(), url.port(), url.userInfo()) == ("https", link.split("/")[2], -1, "")
