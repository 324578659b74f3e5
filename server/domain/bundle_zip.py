"""The macOS launcher, renamed with the session code, straight out of the published zip.

The release zip (``ditto -c -k --keepParent Phonetex-Support.app``, installer/macos) holds one
signed, notarised and stapled bundle. The launcher reads the session code from its bundle's
name, and a bundle's folder name is not part of its signature, so the customer's copy is the
same zip with ``Phonetex-Support.app/`` renamed to ``Phonetex-Support-<code>.app/`` in every
entry (and in the ``._`` AppleDouble names ditto may add). Only the headers are rewritten; each
file's compressed bytes are sent from the published zip as they are, so nothing is re-signed,
re-compressed or written to disk, and the size is known before the first byte is sent.

Zip64 archives (over 4 GiB or 65 535 entries) are refused: a launcher is a few tens of MiB.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from pathlib import Path

from server.domain.served_file import FilePart, Part, ServedFile

_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")
_LOCAL_SIG, _CENTRAL_SIG, _END_SIG, _ZIP64_LOCATOR_SIG = 0x04034B50, 0x02014B50, 0x06054B50, 0x07064B50
_DATA_DESCRIPTOR_FLAG = 0x0008
_MAX_COMMENT = 0xFFFF


class BundleZipError(ValueError):
    """The published macOS file is not a zip of the bundle; the message says what is wrong."""


@dataclass(frozen=True)
class _Entry:
    central: tuple[int, ...]
    name: bytes
    central_extra: bytes
    comment: bytes


def _rename(name: bytes, bundle: bytes, renamed: bytes) -> bytes:
    parts = name.split(b"/")
    for i, part in enumerate(parts):
        if part == bundle:
            parts[i] = renamed
        elif part == b"._" + bundle:
            parts[i] = b"._" + renamed
    return b"/".join(parts)


def _end_record(data: bytes, path: Path) -> tuple[tuple[int, ...], int]:
    at = data.rfind(struct.pack("<I", _END_SIG))
    if at < 0:
        raise BundleZipError(f"{path.name} is not a zip file.")
    end = _END.unpack_from(data, at)
    if at >= 20 and struct.unpack_from("<I", data, at - 20)[0] == _ZIP64_LOCATOR_SIG:
        raise BundleZipError(f"{path.name} is a Zip64 archive, which is not supported.")
    return end, at


def renamed_bundle_zip(path: Path, bundle_name: str, renamed_bundle: str) -> ServedFile:
    """``path`` (a zip holding ``bundle_name``, e.g. ``Phonetex-Support.app``) with that folder
    renamed ``renamed_bundle``. Blocking: reads the zip's headers (not its contents)."""
    bundle, renamed = bundle_name.encode("ascii"), renamed_bundle.encode("ascii")
    with open(path, "rb") as file:
        file.seek(0, 2)
        file_size = file.tell()
        tail_size = min(file_size, _END.size + _MAX_COMMENT + 20)
        file.seek(file_size - tail_size)
        tail = file.read(tail_size)
        end, _ = _end_record(tail, path)
        _, disk, cd_disk, disk_entries, total_entries, cd_size, cd_offset, comment_length = end
        if disk or cd_disk or disk_entries != total_entries:
            raise BundleZipError(f"{path.name} is a multi-part zip, which is not supported.")
        if 0xFFFF in (disk_entries, total_entries) or 0xFFFFFFFF in (cd_size, cd_offset):
            raise BundleZipError(f"{path.name} is a Zip64 archive, which is not supported.")
        archive_comment = tail[len(tail) - comment_length :] if comment_length else b""
        file.seek(cd_offset)
        directory = file.read(cd_size)
        entries = _central_entries(directory, total_entries, path)

        parts: list[Part] = []
        new_directory = bytearray()
        offset = 0
        found_bundle = False
        for entry in sorted(entries, key=lambda e: e.central[16]):
            (_, made_by, needed, flags, method, time, date, crc, csize, usize, *_rest) = entry.central
            internal, external, local_offset = entry.central[14], entry.central[15], entry.central[16]
            if 0xFFFFFFFF in (csize, usize, local_offset):
                raise BundleZipError(f"{path.name} is a Zip64 archive, which is not supported.")
            file.seek(local_offset)
            local = file.read(_LOCAL.size)
            if len(local) != _LOCAL.size or _LOCAL.unpack(local)[0] != _LOCAL_SIG:
                raise BundleZipError(f"{path.name} is damaged (an entry's header is missing).")
            name_length, extra_length = _LOCAL.unpack(local)[9:11]
            file.seek(local_offset + _LOCAL.size + name_length)
            local_extra = file.read(extra_length)
            data_start = local_offset + _LOCAL.size + name_length + extra_length
            if data_start + csize > cd_offset:
                raise BundleZipError(f"{path.name} is damaged (an entry runs past the end).")
            new_name = _rename(entry.name, bundle, renamed)
            found_bundle |= new_name != entry.name and not entry.name.startswith(b"__MACOSX/")
            # Sizes and CRC go in the local header, so no data descriptor follows the data.
            new_flags = flags & ~_DATA_DESCRIPTOR_FLAG
            header = _LOCAL.pack(
                _LOCAL_SIG, needed, new_flags, method, time, date, crc, csize, usize, len(new_name), len(local_extra)
            )
            parts.append(header + new_name + local_extra)
            if csize:
                parts.append(FilePart(path, data_start, csize))
            new_directory += _CENTRAL.pack(
                _CENTRAL_SIG, made_by, needed, new_flags, method, time, date, crc, csize, usize, len(new_name),
                len(entry.central_extra), len(entry.comment), 0, internal, external, offset,
            )
            new_directory += new_name + entry.central_extra + entry.comment
            offset += len(header) + len(new_name) + len(local_extra) + csize
        if not found_bundle:
            raise BundleZipError(f"{path.name} does not hold {bundle_name}.")
    end_record = _END.pack(
        _END_SIG, 0, 0, total_entries, total_entries, len(new_directory), offset, len(archive_comment)
    )
    parts.append(bytes(new_directory) + end_record + archive_comment)
    return ServedFile(tuple(_merge_bytes(parts)))


def _central_entries(directory: bytes, count: int, path: Path) -> list[_Entry]:
    entries = []
    at = 0
    for _ in range(count):
        if at + _CENTRAL.size > len(directory):
            raise BundleZipError(f"{path.name} is damaged (its directory is cut short).")
        fields = _CENTRAL.unpack_from(directory, at)
        if fields[0] != _CENTRAL_SIG:
            raise BundleZipError(f"{path.name} is damaged (its directory is not where it says).")
        name_length, extra_length, comment_length = fields[10:13]
        start = at + _CENTRAL.size
        name = directory[start : start + name_length]
        extra = directory[start + name_length : start + name_length + extra_length]
        comment = directory[start + name_length + extra_length : start + name_length + extra_length + comment_length]
        entries.append(_Entry(fields, name, extra, comment))
        at = start + name_length + extra_length + comment_length
    return entries


def _merge_bytes(parts: list[Part]) -> list[Part]:
    """Neighbouring byte parts as one, so a download of many small files reads fewer pieces."""
    merged: list[Part] = []
    for part in parts:
        if isinstance(part, bytes) and merged and isinstance(merged[-1], bytes):
            merged[-1] = merged[-1] + part
        else:
            merged.append(part)
    return merged
