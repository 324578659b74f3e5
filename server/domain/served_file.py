"""A file as the server sends it: a run of parts, each either bytes in memory or a stretch of a
file on disk, so a download can be a published file as it is or one put together from pieces
of it (server.domain.bundle_zip) without ever being written out.

Reading is blocking: callers on the event loop run :meth:`RangeReader.read` in a worker thread.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

CHUNK = 256 * 1024


@dataclass(frozen=True)
class FilePart:
    path: Path
    offset: int
    length: int


Part = bytes | FilePart


@dataclass(frozen=True)
class ServedFile:
    parts: tuple[Part, ...]

    @property
    def size(self) -> int:
        return sum(len(part) if isinstance(part, bytes) else part.length for part in self.parts)

    @classmethod
    def whole(cls, path: Path, size: int) -> ServedFile:
        return cls((FilePart(path, 0, size),))

    def reader(self, start: int = 0, length: int | None = None) -> RangeReader:
        return RangeReader(self, start, self.size - start if length is None else length)

    def sha256(self) -> str:
        """Hex SHA-256 of the whole thing; blocking (reads every byte)."""
        digest = hashlib.sha256()
        with self.reader() as reader:
            while chunk := reader.read():
                digest.update(chunk)
        return digest.hexdigest()


class RangeReader:
    """Reads ``length`` bytes from ``start`` in chunks; one open file at a time."""

    def __init__(self, served: ServedFile, start: int, length: int) -> None:
        if start < 0 or length < 0 or start + length > served.size:
            raise ValueError("range outside the file")
        self._parts = list(served.parts)
        self._skip = start
        self._left = length
        self._file: BinaryIO | None = None
        self._file_path: Path | None = None

    def read(self, size: int = CHUNK) -> bytes:
        """Up to ``size`` bytes, ``b""`` at the end. A file that shrank under us is an error, not
        a short download that looks complete."""
        while self._left > 0 and self._parts:
            part = self._parts[0]
            part_length = len(part) if isinstance(part, bytes) else part.length
            if self._skip >= part_length:
                self._skip -= part_length
                self._parts.pop(0)
                continue
            take = min(size, part_length - self._skip, self._left)
            if isinstance(part, bytes):
                chunk = part[self._skip : self._skip + take]
            else:
                chunk = self._read_file(part, self._skip, take)
            self._skip += take
            self._left -= take
            return chunk
        return b""

    def _read_file(self, part: FilePart, skip: int, take: int) -> bytes:
        if self._file_path != part.path:
            self.close()
            self._file = open(part.path, "rb")
            self._file_path = part.path
        assert self._file is not None
        self._file.seek(part.offset + skip)
        chunk = self._file.read(take)
        if len(chunk) != take:
            raise OSError(f"{part.path} changed while it was being sent")
        return chunk

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
        self._file = self._file_path = None

    def __enter__(self) -> RangeReader:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
