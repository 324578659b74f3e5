"""The window keeps itself, frame included, on the screen: the arithmetic, and the watcher on a
real (offscreen) window. tests/test_screen_fit.py checks the same under X11 with a window manager."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMargins, QPoint, QRect, QSize
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget, QWizard

from app.ui import window_fit
from app.ui.window_fit import KeepOnScreen, fitted_frame, plausible_margins
from tests.wizard_driver import make_wizard


@pytest.mark.parametrize(
    ("margins", "expected"),
    [
        (QMargins(1, 13, 1, 3), QMargins(1, 13, 1, 3)),  # openbox at 150 %
        # Seen under openbox while it adopts the window: a frame of 0 x 0. Not a frame yet.
        (QMargins(0, 0, -853, -533), QMargins()),
        (QMargins(0, 900, 0, 0), QMargins()),  # taller than the window itself
        (QMargins(), QMargins()),
    ],
)
def test_only_a_frame_that_can_be_drawn_around_the_window_counts(margins, expected):
    assert plausible_margins(margins, QSize(853, 533)) == expected


@pytest.mark.parametrize(
    ("frame", "free", "expected"),
    [
        # The frame arrived after the window was made to fit (1280 x 800 at 150 %).
        (QRect(0, 0, 855, 549), QRect(0, 0, 853, 533), QRect(0, 0, 853, 533)),
        # The title bar above the screen (1920 x 1080 at 200 %).
        (QRect(39, -10, 862, 540), QRect(0, 0, 960, 540), QRect(39, 0, 862, 540)),
        # Past the right and bottom edges, beside a panel on the left.
        (QRect(600, 300, 400, 300), QRect(48, 0, 805, 533), QRect(453, 233, 400, 300)),
        (QRect(10, 10, 400, 300), QRect(0, 0, 853, 533), QRect(10, 10, 400, 300)),  # fits: left where it is
    ],
)
def test_the_frame_is_made_no_larger_than_the_free_area_and_moved_the_least(frame, free, expected):
    assert fitted_frame(frame, free) == expected


class Grows(QWidget):
    """A window whose content can ask for more room later, like a wizard page."""

    def __init__(self) -> None:
        super().__init__()
        self.keeper = KeepOnScreen(self)
        self.content = QWidget()
        QVBoxLayout(self).addWidget(self.content)


def free_area(widget: QWidget) -> QRect:
    return widget.screen().availableGeometry()


@pytest.fixture
def window(qtbot):
    widget = Grows()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def test_a_window_that_grows_past_the_screen_is_brought_back(qtbot, window):
    free = free_area(window)
    window.resize(free.width() + 300, free.height() + 200)
    qtbot.waitUntil(lambda: free.contains(window.frameGeometry()))
    assert window.frameGeometry().size() == free.size()


def test_a_window_placed_past_the_screen_edge_by_the_desktop_comes_back(qtbot, window):
    free = free_area(window)
    assert window.keeper.looking  # just shown: the desktop may still frame and place it
    window.move(free.right() - 100, free.bottom() - 50)
    qtbot.waitUntil(lambda: free.contains(window.frameGeometry()))


def test_a_move_the_customer_makes_is_left_alone_once_the_window_has_settled(qtbot, monkeypatch):
    # The offscreen desktop never frames a window: looking ends at its deadline, made short here.
    monkeypatch.setattr(window_fit, "LOOK_WHILE_MS", 100)
    widget = Grows()
    qtbot.addWidget(widget)
    widget.resize(300, 200)
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: not widget.keeper.looking)
    free = free_area(widget)
    widget.move(free.right() - 100, free.top() + 10)
    QApplication.processEvents()  # the move's events, and any correction they would cause
    assert widget.frameGeometry().x() == free.right() - 100
    # Growing is not the customer's doing: then the window comes back whole.
    widget.resize(400, 250)
    qtbot.waitUntil(lambda: free.contains(widget.frameGeometry()))


def test_the_wizard_s_buttons_come_back_with_the_window(qtbot):
    """QWizard lays out its pages and buttons at the size its resize event carries: a correction
    made inside that event was undone by it, and the buttons stayed below a window that fitted."""
    wizard, _opened = make_wizard(qtbot, "http://127.0.0.1:9")
    free = free_area(wizard)
    wizard.resize(free.width() + 200, free.height() + 300)
    qtbot.waitUntil(lambda: free.contains(wizard.frameGeometry()))
    QApplication.processEvents()
    for kind in (QWizard.WizardButton.BackButton, QWizard.WizardButton.NextButton, QWizard.WizardButton.CancelButton):
        button = wizard.button(kind)
        assert free.contains(QRect(button.mapToGlobal(QPoint(0, 0)), button.size())), kind
