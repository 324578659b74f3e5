"""The launcher builds the operator publishes (``serve --launchers DIR``), offered per session.

The folder holds the files as the release builds name them: ``Phonetex-Support.exe`` (Windows),
``Phonetex-Support-macos.zip`` (macOS: the signed bundle zipped by installer/macos), and
``Phonetex-Support`` (Linux). A customer gets the same bytes under a name carrying the session
code, which the launcher reads back (app.core.session_intake): one signed build serves every
session. The macOS bundle's own name carries the code, so its zip is rewritten on the fly
(server.domain.bundle_zip).

Sizes and SHA-256 sums are worked out in a worker thread, never on the event loop, and kept
until the published file changes (its size, modification time or inode); the macOS zip's sum
differs per session, so the last few hundred are kept. A file that is missing or does not look
like its system's program is not offered, and the page says to call instead.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import anyio.to_thread

from server.domain.bundle_zip import BundleZipError, renamed_bundle_zip
from server.domain.served_file import ServedFile

log = logging.getLogger("server.launchers")

WINDOWS = "windows"
MACOS = "macos"
LINUX = "linux"
# The systems there is a launcher for, in the order a page lists them when it cannot tell.
DESKTOPS = (WINDOWS, MACOS, LINUX)

# What each system's program starts with; anything else published under the name is a mistake.
_MAGIC = {WINDOWS: (b"MZ",), LINUX: (b"\x7fELF",), MACOS: (b"PK\x03\x04",)}
_MEDIA_TYPES = {
    WINDOWS: "application/vnd.microsoft.portable-executable",
    MACOS: "application/zip",
    LINUX: "application/octet-stream",
}
_PER_SESSION_CACHE = 256


def published_names(launcher_name: str) -> dict[str, str]:
    """The file each system's build is published as, as ``make launcher`` and the release names it."""
    return {WINDOWS: f"{launcher_name}.exe", MACOS: f"{launcher_name}-macos.zip", LINUX: launcher_name}


def download_name(launcher_name: str, system: str, code: str) -> str:
    """The name a customer's browser saves: the only place the session code travels."""
    return {
        WINDOWS: f"{launcher_name}-{code}.exe",
        MACOS: f"{launcher_name}-{code}.zip",
        LINUX: f"{launcher_name}-{code}",
    }[system]


@dataclass(frozen=True)
class Download:
    system: str
    filename: str
    size: int
    sha256: str
    media_type: str
    served: ServedFile

    @property
    def etag(self) -> str:
        return f'"{self.sha256[:32]}"'


@dataclass(frozen=True)
class _Prepared:
    served: ServedFile
    sha256: str


class PublishedLaunchers:
    """The builds in ``folder`` (None: nothing published, every system says to call)."""

    def __init__(self, folder: Path | None, launcher_name: str) -> None:
        self.folder = folder
        self.launcher_name = launcher_name
        self._names = published_names(launcher_name)
        self._lock = threading.Lock()
        # Keyed by what identifies one version of a published file, plus the code for macOS.
        self._prepared: OrderedDict[tuple, _Prepared | None] = OrderedDict()
        self._computing: dict[tuple, threading.Lock] = {}

    async def for_session(self, code: str) -> dict[str, Download]:
        """Every system's download for ``code`` that is published, in :data:`DESKTOPS` order."""
        if self.folder is None:
            return {}
        return await anyio.to_thread.run_sync(self._for_session, code)

    async def one(self, code: str, filename: str) -> Download | None:
        """The download whose name is ``filename`` for ``code``, if it is published."""
        for system in DESKTOPS:
            if download_name(self.launcher_name, system, code) == filename:
                if self.folder is None:
                    return None
                return await anyio.to_thread.run_sync(self._download, system, code)
        return None

    # --- blocking, in worker threads -------------------------------------------------------

    def _for_session(self, code: str) -> dict[str, Download]:
        downloads = {}
        for system in DESKTOPS:
            download = self._download(system, code)
            if download is not None:
                downloads[system] = download
        return downloads

    def _download(self, system: str, code: str) -> Download | None:
        assert self.folder is not None
        path = self.folder / self._names[system]
        try:
            info = os.stat(path)
        except OSError:
            return None
        if not os.path.isfile(path):
            return None
        key = (system, info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, code if system == MACOS else None)
        prepared = self._cached(key, lambda: self._prepare(system, path, info.st_size, code))
        if prepared is None:
            return None
        filename = download_name(self.launcher_name, system, code)
        return Download(system, filename, prepared.served.size, prepared.sha256, _MEDIA_TYPES[system], prepared.served)

    def _cached(self, key: tuple, make) -> _Prepared | None:
        with self._lock:
            if key in self._prepared:
                self._prepared.move_to_end(key)
                return self._prepared[key]
            # One thread works a key out; the others asking for it meanwhile wait for its answer.
            working = self._computing.setdefault(key, threading.Lock())
        with working:
            with self._lock:
                if key in self._prepared:
                    return self._prepared[key]
            prepared = make()
            with self._lock:
                self._prepared[key] = prepared
                self._computing.pop(key, None)
                while len(self._prepared) > _PER_SESSION_CACHE + len(DESKTOPS):
                    self._prepared.popitem(last=False)
            return prepared

    def _prepare(self, system: str, path: Path, size: int, code: str) -> _Prepared | None:
        try:
            with open(path, "rb") as file:
                start = file.read(4)
            if not start.startswith(_MAGIC[system]):
                log.warning("%s is not a %s launcher (it starts with %r); it is not offered", path, system, start)
                return None
            if system == MACOS:
                bundle = f"{self.launcher_name}.app"
                served = renamed_bundle_zip(path, bundle, f"{self.launcher_name}-{code}.app")
            else:
                served = ServedFile.whole(path, size)
            return _Prepared(served, served.sha256())
        except (OSError, BundleZipError) as error:
            log.warning("The %s launcher %s cannot be offered: %s", system, path, error)
            return None
