"""Ship only the ICU data Qt can reach in this launcher (used by build.spec on Linux).

PySide6's wheel brings ICU's full data library (libicudata.so, 30 MiB, 11.75 MiB compressed: a
third of the single file). QtCore calls ICU for four things only — collation (QCollator, used
by the file dialog's sorting), case mapping (QString/QLocale toUpper/toLower), legacy text
encodings (QStringConverter by name) and time-zone display names (QTimeZone::displayName) —
and links no other ICU service (check: ``readelf --dyn-syms libQt6Core.so.6 | grep _73``). The
launcher uses neither legacy encodings nor time-zone display names.

So this keeps the collation tree, the locale and supplemental data at the top level and the
core tables (``.icu``, ``.nrm``, ``.spp``, ``.cfu``), and leaves out the converters (``*.cnv``;
the alias table stays, so asking for one fails cleanly) and the trees no Qt call reaches:
break iteration, language, region, currency, unit and zone names, number spell-out and
transliteration. The result is the same library with the filtered data package written where
the full one was and zeros after it: same ELF, same symbol, ~2.9 MiB compressed instead of
11.75. The format is ICU's "common data" package (``CmnD``): a header, a sorted table of item
names and offsets, then the items, each 16-byte aligned.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

DROPPED_TREES = ("brkitr", "curr", "lang", "rbnf", "region", "translit", "unit", "zone")
DROPPED_SUFFIXES = (".cnv",)
_ALIGN = 16
# DT_PLTGOT, DT_HASH, DT_STRTAB, DT_SYMTAB, DT_RELA, DT_INIT, DT_FINI, DT_REL, DT_JMPREL,
# DT_INIT_ARRAY, DT_FINI_ARRAY, DT_GNU_HASH, DT_VERSYM, DT_VERDEF, DT_VERNEED
_POINTER_TAGS = {3, 4, 5, 6, 7, 12, 13, 17, 23, 25, 26, 0x6FFFFEF5, 0x6FFFFFF0, 0x6FFFFFFC, 0x6FFFFFFE}


class IcuDataError(ValueError):
    pass


# Top-level locale bundles (de.res, pt_BR.res) feed ICU's own date, number and name formatting,
# which Qt does not call (it formats with its own CLDR tables); collation reads the coll tree.
_LOCALE_BUNDLE = re.compile(r"[a-z]{2,3}(?:_[A-Za-z0-9]+)*\.res")
_KEPT_TOP_LEVEL = ("root.res", "res_index.res", "pool.res")


def keep_item(name: str) -> bool:
    """``name`` is a package item such as ``icudt73l/coll/de.res`` or ``icudt73l/ibm-1390_P110-2003.cnv``."""
    parts = name.split("/")
    if len(parts) > 2:
        return parts[1] not in DROPPED_TREES
    if parts[-1] in _KEPT_TOP_LEVEL:
        return True
    return _LOCALE_BUNDLE.fullmatch(parts[-1]) is None and not name.endswith(DROPPED_SUFFIXES)


class _Elf:
    """Just enough of a little-endian ELF64 shared library to find the ICU data and cut it short."""

    def __init__(self, data: bytes) -> None:
        if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
            raise IcuDataError("not a little-endian 64-bit ELF library")
        self.data = bytearray(data)
        self.phoff, self.shoff = struct.unpack_from("<QQ", data, 0x20)
        self.phentsize, self.phnum, self.shentsize, self.shnum = struct.unpack_from("<HHHH", data, 0x36)

    def section(self, index: int) -> list:
        return list(struct.unpack_from("<IIQQQQIIQQ", self.data, self.shoff + index * self.shentsize))

    def set_section(self, index: int, fields: list) -> None:
        struct.pack_into("<IIQQQQIIQQ", self.data, self.shoff + index * self.shentsize, *fields)

    def segment(self, index: int) -> list:
        return list(struct.unpack_from("<IIQQQQQQ", self.data, self.phoff + index * self.phentsize))

    def set_segment(self, index: int, fields: list) -> None:
        struct.pack_into("<IIQQQQQQ", self.data, self.phoff + index * self.phentsize, *fields)

    def symbols(self):
        """(file offset of the entry, name, section index, value, size) of every symbol table entry."""
        for _n, sh_type, _f, _a, offset, size, link, _i, _al, entsize in map(self.section, range(self.shnum)):
            if sh_type not in (2, 11):  # SHT_SYMTAB, SHT_DYNSYM
                continue
            strings = self.section(link)[4]
            for entry in range(offset, offset + size, entsize):
                st_name, _info, _other, shndx, value, st_size = struct.unpack_from("<IBBHQQ", self.data, entry)
                end = self.data.index(b"\0", strings + st_name)
                yield entry, self.data[strings + st_name : end].decode("ascii"), shndx, value, st_size

    def icu_data(self) -> tuple[int, int, int]:
        """Section index, file offset and size of the ``icudt<version>_dat`` symbol."""
        for _entry, name, shndx, value, size in self.symbols():
            if name.startswith("icudt") and name.endswith("_dat") and shndx != 0:
                section = self.section(shndx)
                return shndx, section[4] + value - section[3], size
        raise IcuDataError("no icudt*_dat symbol")

    def _refuse_pointers_beyond(self, address: int) -> None:
        """The dynamic table must not point past the cut (true of a data-only library such as ICU's)."""
        for i in range(self.shnum):
            _n, sh_type, _f, _a, offset, size, _l, _i, _al, entsize = self.section(i)
            if sh_type != 6:  # SHT_DYNAMIC
                continue
            for entry in range(offset, offset + size, entsize):
                tag, value = struct.unpack_from("<qQ", self.data, entry)
                if tag in _POINTER_TAGS and value >= address:
                    raise IcuDataError(f"dynamic entry {tag:#x} points past the data; cannot shorten this library")

    def shrink_section(self, index: int, new_size: int) -> None:
        """Cut the tail of section ``index`` down to ``new_size`` bytes, in whole pages so every later
        segment keeps its alignment; everything after it moves up by the bytes cut."""
        fields = self.section(index)
        end = fields[4] + fields[5]
        cut = (fields[5] - new_size) // 0x1000 * 0x1000
        self._refuse_pointers_beyond(fields[3] + fields[5])
        # Symbols first: their tables are found through the section headers, which move below.
        for entry, _name, shndx, value, size in list(self.symbols()):
            if value >= fields[3] + fields[5]:
                struct.pack_into("<Q", self.data, entry + 8, value - cut)
            if shndx == index and size > fields[5] - cut:
                struct.pack_into("<Q", self.data, entry + 16, fields[5] - cut)
        for i in range(self.phnum):
            p_type, flags, offset, vaddr, paddr, filesz, memsz, align = self.segment(i)
            if offset >= end:
                self.set_segment(i, [p_type, flags, offset - cut, vaddr - cut, paddr - cut, filesz, memsz, align])
            elif offset <= fields[4] and end <= offset + filesz:
                self.set_segment(i, [p_type, flags, offset, vaddr, paddr, filesz - cut, memsz - cut, align])
        for i in range(self.shnum):
            other = self.section(i)
            if i == index:
                other[5] -= cut
            elif other[4] >= end:
                other[4] -= cut
                if other[3] >= fields[3] + fields[5]:
                    other[3] -= cut
            self.set_section(i, other)
        self.shoff -= cut
        struct.pack_into("<Q", self.data, 0x28, self.shoff)
        del self.data[end - cut : end]


def read_items(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The package's header and its (name, data) items, in the package's (sorted) order."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", package, 0)
    if (magic1, magic2) != (0xDA, 0x27) or package[12:16] != b"CmnD":
        raise IcuDataError("not an ICU common data package")
    toc = memoryview(package)[header_size:]
    count, = struct.unpack_from("<I", toc, 0)
    table = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    ends = sorted({data for _name, data in table} | {len(toc)})
    items = []
    for name_offset, data_offset in table:
        name_end = bytes(toc[name_offset : name_offset + 256]).index(b"\0")
        name = bytes(toc[name_offset : name_offset + name_end]).decode("ascii")
        data_end = ends[ends.index(data_offset) + 1]
        items.append((name, bytes(toc[data_offset:data_end])))
    return bytes(package[:header_size]), items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    names = b""
    name_offsets = []
    table_size = 4 + 8 * len(items)
    for name, _data in items:
        name_offsets.append(table_size + len(names))
        names += name.encode("ascii") + b"\0"
    body = bytearray(_padded(table_size + len(names)) - table_size - len(names))
    data_offsets = []
    position = _padded(table_size + len(names))
    for _name, data in items:
        data_offsets.append(position)
        chunk = data + bytes(_padded(len(data)) - len(data))
        body += chunk
        position += len(chunk)
    table = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<II", name_offset, data_offset) for name_offset, data_offset in zip(name_offsets, data_offsets, strict=True)
    )
    return header + table + names + bytes(body)


def _padded(size: int) -> int:
    return (size + _ALIGN - 1) // _ALIGN * _ALIGN


def subset_library(source: Path, target: Path) -> tuple[int, int]:
    """Write ``source`` (libicudata.so.NN) to ``target`` with only the kept items.

    Returns the number of items kept and the number in the original package.
    """
    elf = _Elf(source.read_bytes())
    index, offset, size = elf.icu_data()
    header, items = read_items(bytes(elf.data[offset : offset + size]))
    kept = [(name, data) for name, data in items if keep_item(name)]
    package = write_package(header, kept)
    if len(package) > size:
        raise IcuDataError("the filtered package does not fit where the full one was")
    elf.data[offset : offset + size] = package + bytes(size - len(package))
    elf.shrink_section(index, len(package))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(elf.data)
    target.chmod(source.stat().st_mode & 0o777)
    return len(kept), len(items)
