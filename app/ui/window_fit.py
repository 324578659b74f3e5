"""Keep a window, title bar and frame included, on its screen's free area.

The window manager frames a window some time after it is shown, and a later page, screen or
scaling change can grow or move it again. So the window is looked at again whenever anything
but the customer changes it: when it is shown, when its frame arrives or changes, when it grows,
when it moves to another screen, when that screen's free area or scaling changes. A move the
customer makes with the same frame is theirs and is left alone.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QScreen
from PySide6.QtWidgets import QWidget

# Until the frame has arrived and stayed put for SETTLED_LOOKS looks: on X11 the frame can
# arrive without a move or a resize the window would hear of. At most LOOK_WHILE_MS, because
# a desktop without a window manager never frames the window.
LOOK_EVERY_MS = 50
LOOK_WHILE_MS = 10_000
SETTLED_LOOKS = 10


def plausible_margins(margins: QMargins, size: QSize) -> QMargins:
    """The frame the window manager drew around a window of ``size``, or none while it is not
    framed. While the window manager adopts the window, Qt on X11 can report margins of a frame
    not laid out yet (seen under openbox: 0, 0, -853, -533, a frame geometry of 0 x 0)."""
    left, top, right, bottom = margins.left(), margins.top(), margins.right(), margins.bottom()
    if min(left, top, right, bottom) < 0 or left + right >= size.width() or top + bottom >= size.height():
        return QMargins()
    return QMargins(left, top, right, bottom)


def fitted_frame(frame: QRect, free: QRect) -> QRect:
    """The frame made no larger than ``free`` and moved the least to lie inside it."""
    width, height = min(frame.width(), free.width()), min(frame.height(), free.height())
    x = min(max(frame.x(), free.x()), free.x() + free.width() - width)
    y = min(max(frame.y(), free.y()), free.y() + free.height() - height)
    return QRect(x, y, width, height)


class KeepOnScreen(QObject):
    """Watches ``window`` (an event filter) and keeps its frame inside its screen's free area."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self._shown = False
        self._margins = QMargins()
        self._screen: QScreen | None = None
        self._asked: tuple | None = None  # the last correction asked for, and from where
        self._settled = 0
        self._looking = QTimer(self, interval=LOOK_EVERY_MS)
        self._looking.timeout.connect(self._look)
        self._stop_looking = QTimer(self, singleShot=True, interval=LOOK_WHILE_MS)
        self._stop_looking.timeout.connect(self._looking.stop)
        # Fitting waits until the event that called for it is handled: a QWizard lays its pages
        # and buttons out at the size its resize event carries, so a resize made inside that
        # event was undone by it (the window fitted, its buttons laid out below the screen).
        self._soon = QTimer(self, singleShot=True, interval=0)
        self._soon.timeout.connect(self.fit)
        window.installEventFilter(self)

    @property
    def looking(self) -> bool:
        """Still waiting for the window manager's frame to arrive and stay."""
        return self._looking.isActive()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt's name
        if watched is not self.window:
            return False
        kind = event.type()
        if kind == QEvent.Type.Show and not self._shown:
            self._shown = True
            handle = self.window.windowHandle()
            if handle is not None:
                handle.screenChanged.connect(self._follow_screen)
            self._follow_screen(self.window.screen())
            self._looking.start()
            self._stop_looking.start()
            self._soon.start()
        elif kind == QEvent.Type.Move:
            # The customer's own move keeps the frame; a new frame (or the first) is the desktop's.
            if self.looking or self._current_margins() != self._margins:
                self._soon.start()
        elif kind in (QEvent.Type.Resize, QEvent.Type.ScreenChangeInternal, QEvent.Type.DevicePixelRatioChange):
            if self._shown:
                self._soon.start()
        return False

    def _follow_screen(self, screen: QScreen | None) -> None:
        if self._screen is not None:
            self._screen.availableGeometryChanged.disconnect(self._free_area_changed)
        self._screen = screen
        if screen is not None:
            screen.availableGeometryChanged.connect(self._free_area_changed)
            self._soon.start()

    def _free_area_changed(self, _free: QRect) -> None:
        self._soon.start()

    def _current_margins(self) -> QMargins:
        handle = self.window.windowHandle()
        if handle is None:
            return QMargins()
        return plausible_margins(handle.frameMargins(), self.window.size())

    def _look(self) -> None:
        before = self._margins
        fits = self.fit()
        framed = not self._margins.isNull()
        self._settled = self._settled + 1 if fits and framed and self._margins == before else 0
        if self._settled >= SETTLED_LOOKS:
            self._looking.stop()
            self._stop_looking.stop()

    def fit(self) -> bool:
        """Make the frame fit the free area; True when it already did."""
        window = self.window
        screen = window.screen()
        if screen is None or not window.isVisible():
            return True
        margins = self._margins = self._current_margins()
        client = window.geometry()
        frame = client.marginsAdded(margins)
        free = screen.availableGeometry()
        target = fitted_frame(frame, free)
        if target == frame:
            self._asked = None
            return True
        asked = (frame, free, target)
        if asked == self._asked:
            return False  # asked for exactly this already and the desktop kept it so: no loop of requests
        self._asked = asked
        wanted = target.marginsRemoved(margins)
        if target.topLeft() == frame.topLeft():
            # Only smaller: a dialog not yet placed stays free to be centred on the screen.
            window.resize(wanted.size())
        else:
            # The client area's own geometry, so Qt's idea of the frame (perhaps not laid out yet)
            # does not come into it.
            window.setGeometry(wanted)
        return False
