"""Draw the launcher's icon and write it in each platform's format (run by hand when it changes).

    .venv/bin/python installer/make_icons.py

Writes installer/windows/Phonetex-Support.ico, installer/macos/Phonetex-Support.icns and
installer/linux/phonetex-support.png with Qt's image plugins, so no drawing tool is needed.
"""

import sys
from pathlib import Path

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath, QPen

HERE = Path(__file__).resolve().parent
BRAND_BLUE = QColor("#0b5cad")


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    margin = size * 0.06
    tile = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    path.addRoundedRect(tile, size * 0.2, size * 0.2)
    painter.fillPath(path, BRAND_BLUE)
    # A headset: the arc over the head and two ear cups, in white.
    pen = QPen(QColor("white"), size * 0.08, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    arc = QRectF(size * 0.26, size * 0.22, size * 0.48, size * 0.5)
    painter.drawArc(arc, 0, 180 * 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("white"))
    for x in (0.2, 0.66):
        painter.drawRoundedRect(QRectF(size * x, size * 0.45, size * 0.14, size * 0.22), size * 0.04, size * 0.04)
    font = QFont("DejaVu Sans", max(1, int(size * 0.16)), QFont.Weight.Bold)
    painter.setFont(font)
    painter.setPen(QColor("white"))
    painter.drawText(QRectF(0, size * 0.68, size, size * 0.22), Qt.AlignmentFlag.AlignCenter, "?")
    painter.end()
    return image


def main() -> int:
    QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    outputs = {
        HERE / "windows" / "Phonetex-Support.ico": (256, "ICO"),
        HERE / "macos" / "Phonetex-Support.icns": (512, "ICNS"),
        HERE / "linux" / "phonetex-support.png": (256, "PNG"),
    }
    for path, (size, kind) in outputs.items():
        if not draw(size).save(str(path), kind):
            print(f"could not write {path} (is Qt's {kind} image plugin installed?)", file=sys.stderr)
            return 1
        print(f"wrote {path.relative_to(HERE.parent)} ({size}x{size})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
