"""The Windows version resource of the launcher (Explorer's Details tab, SmartScreen, signtool).

build.spec calls :func:`version_info` on Windows with the version from pyproject.toml and the
brand from resources/brand.json, so neither is written down twice.
"""

from __future__ import annotations

import re


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """``0.1.0`` -> (0, 1, 0, 0): Windows wants four numbers; pre-release tags are dropped."""
    numbers = [int(part) for part in re.findall(r"\d+", version.split("+")[0].split("-")[0])[:4]]
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def version_info(version: str, brand: dict):
    # Imported here: PyInstaller's Windows helpers need pefile, installed only on Windows.
    from PyInstaller.utils.win32.versioninfo import (
        FixedFileInfo,
        StringFileInfo,
        StringStruct,
        StringTable,
        VarFileInfo,
        VarStruct,
        VSVersionInfo,
    )

    numbers = version_tuple(version)
    name = brand["launcher_name"]
    strings = [
        StringStruct("CompanyName", brand["company"]),
        StringStruct("FileDescription", brand["product_name"]),
        StringStruct("FileVersion", version),
        StringStruct("InternalName", name),
        StringStruct("LegalCopyright", f"© {brand['company']}"),
        StringStruct("OriginalFilename", f"{name}.exe"),
        StringStruct("ProductName", brand["product_name"]),
        StringStruct("ProductVersion", version),
    ]
    return VSVersionInfo(
        ffi=FixedFileInfo(
            filevers=numbers,
            prodvers=numbers,
            mask=0x3F,
            flags=0x0,
            OS=0x40004,  # VOS_NT_WINDOWS32
            fileType=0x1,  # VFT_APP
            subtype=0x0,
            date=(0, 0),
        ),
        # 0809 = English (United Kingdom), 04B0 = Unicode.
        kids=[StringFileInfo([StringTable("080904B0", strings)]), VarFileInfo([VarStruct("Translation", [0x0809, 1200])])],
    )
