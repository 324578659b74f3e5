"""Stand-ins for the published launcher builds (``serve --launchers DIR``): files named as the
release names them, starting the way each system's program starts, with random bytes after, so
a download that is not byte-for-byte the published file shows."""

from __future__ import annotations

import io
import random
import stat
import zipfile
from pathlib import Path

from app.core.brand import load_brand
from server.domain.launchers import published_names

NAME = load_brand().launcher_name
BUNDLE = f"{NAME}.app"
MACHO = b"\xcf\xfa\xed\xfe" + random.Random(15).randbytes(100_000)


class _Unseekable(io.RawIOBase):
    """What zipfile writes to when it cannot seek back: entries get data descriptors."""

    def __init__(self) -> None:
        self.data = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:  # type: ignore[override]
        self.data += b
        return len(b)


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 12, 0, 0))
    info.external_attr = mode << 16
    info.create_system = 3
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _write_bundle(target: zipfile.ZipFile, padding: bytes = b"") -> None:
    # The shapes `ditto -c -k --keepParent` gives: folders, an executable, a link, AppleDouble files.
    target.writestr(_entry(f"{BUNDLE}/", stat.S_IFDIR | 0o755), b"")
    target.writestr(_entry(f"{BUNDLE}/Contents/MacOS/{NAME}", stat.S_IFREG | 0o755), MACHO)
    target.writestr(_entry(f"{BUNDLE}/Contents/Info.plist", stat.S_IFREG | 0o644), b"<plist>" * 50)
    if padding:
        target.writestr(_entry(f"{BUNDLE}/Contents/Frameworks/libpadding.dylib", stat.S_IFREG | 0o755), padding)
    target.writestr(
        _entry(f"{BUNDLE}/Contents/Frameworks/QtCore", stat.S_IFLNK | 0o755), b"../Resources/QtCore.framework"
    )
    target.writestr(_entry(f"__MACOSX/{BUNDLE}/Contents/._Info.plist", stat.S_IFREG | 0o644), b"\x00\x05\x16\x07")
    target.writestr(_entry(f"__MACOSX/._{BUNDLE}", stat.S_IFREG | 0o644), b"\x00\x05\x16\x07xattr")


def write_macos_zip(path: Path, *, descriptors: bool = False, comment: bytes = b"", padding: bytes = b"") -> Path:
    if descriptors:
        stream = _Unseekable()
        with zipfile.ZipFile(stream, "w") as target:
            _write_bundle(target, padding)
            target.comment = comment
        path.write_bytes(stream.data)
    else:
        with zipfile.ZipFile(path, "w") as target:
            _write_bundle(target, padding)
            target.comment = comment
    return path


def publish(
    folder: Path, systems: tuple[str, ...] = ("windows", "macos", "linux"), seed: int = 1, scale: int = 1
) -> Path:
    """Write stand-in builds for ``systems`` into ``folder`` (made if missing); returns it.
    ``scale`` multiplies their sizes (100: about as big as the real ones, for screenshots)."""
    folder.mkdir(parents=True, exist_ok=True)
    names = published_names(NAME)
    noise = random.Random(seed)
    for system in systems:
        target = folder / names[system]
        if system == "windows":
            target.write_bytes(b"MZ" + noise.randbytes(300_000 * scale))
        elif system == "linux":
            target.write_bytes(b"\x7fELF" + noise.randbytes(290_000 * scale))
            target.chmod(0o755)
        else:
            write_macos_zip(target, padding=noise.randbytes(330_000 * (scale - 1)) if scale > 1 else b"")
    return folder
