"""The build's own helpers (installer/): pruning orphaned libraries and trimming ICU's data."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "installer"))

from icu_data import keep_item, read_items, subset_library, write_package  # noqa: E402
from orphans import without_orphans  # noqa: E402


def test_a_library_only_a_left_out_plugin_needed_goes_with_it():
    links = {
        "src/libqgtk3.so": ["libcairo.so.2", "libQt6Gui.so.6"],
        "src/libqxcb.so": ["libQt6Gui.so.6"],
        "src/libQt6Gui.so.6": ["libQt6Core.so.6"],
        "src/libQt6Core.so.6": [],
        "src/libcairo.so.2": ["libpixman-1.so.0"],
        "src/libpixman-1.so.0": [],
        "src/_ssl.so": ["libssl.so.3"],
        "src/libssl.so.3": [],
        "src/libpython3.11.so.1.0": [],
    }
    collected = [
        ("PySide6/Qt/plugins/platformthemes/libqgtk3.so", "src/libqgtk3.so", "BINARY"),
        ("PySide6/Qt/plugins/platforms/libqxcb.so", "src/libqxcb.so", "BINARY"),
        ("PySide6/Qt/lib/libQt6Gui.so.6", "src/libQt6Gui.so.6", "BINARY"),
        ("PySide6/Qt/lib/libQt6Core.so.6", "src/libQt6Core.so.6", "BINARY"),
        ("libcairo.so.2", "src/libcairo.so.2", "BINARY"),
        ("libpixman-1.so.0", "src/libpixman-1.so.0", "BINARY"),
        ("python3.11/lib-dynload/_ssl.so", "src/_ssl.so", "EXTENSION"),
        ("libssl.so.3", "src/libssl.so.3", "BINARY"),
        ("libpython3.11.so.1.0", "src/libpython3.11.so.1.0", "BINARY"),
        ("libcairo.so", "libcairo.so.2", "SYMLINK"),
        ("libQt6Gui.so", "PySide6/Qt/lib/libQt6Gui.so.6", "SYMLINK"),
    ]
    kept = [entry for entry in collected if "gtk3" not in entry[0]]
    result = {dest for dest, _source, _type in without_orphans(kept, collected, links.__getitem__)}
    assert result == {
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/lib/libQt6Gui.so.6",
        "PySide6/Qt/lib/libQt6Core.so.6",
        "python3.11/lib-dynload/_ssl.so",
        "libssl.so.3",
        "libpython3.11.so.1.0",  # loaded by the bootloader with dlopen: nothing links to it
        "libQt6Gui.so",
    }


def test_icu_keeps_collation_and_core_tables_and_drops_what_qt_never_asks_for():
    assert keep_item("icudt73l/coll/sv.res")
    assert keep_item("icudt73l/coll/ucadata.icu")
    assert keep_item("icudt73l/likelySubtags.res")
    assert keep_item("icudt73l/cnvalias.icu")
    assert keep_item("icudt73l/root.res")
    assert not keep_item("icudt73l/de.res")  # ICU's own formatting data: Qt formats with its own tables
    assert not keep_item("icudt73l/brkitr/cjdict.dict")
    assert not keep_item("icudt73l/lang/de.res")
    assert not keep_item("icudt73l/zone/de.res")
    assert not keep_item("icudt73l/ibm-1390_P110-2003.cnv")


def test_an_icu_package_survives_being_rewritten():
    header = bytes([32, 0, 0xDA, 0x27]) + bytes(8) + b"CmnD" + bytes(16)
    items = [("icudt73l/a.res", b"A" * 5), ("icudt73l/coll/b.res", b"B" * 40), ("icudt73l/z.icu", b"Z" * 16)]
    header_out, items_out = read_items(write_package(header, items))
    assert header_out == header
    # Items are padded to 16 bytes, as ICU's own packager does; the data itself is unchanged.
    assert [(name, data.rstrip(b"\0")) for name, data in items_out] == items


def _wheel_icu() -> Path:
    from PySide6.QtCore import QLibraryInfo

    libraries = sorted(Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.LibrariesPath)).glob("libicudata.so.*"))
    if not sys.platform.startswith("linux") or not libraries:
        pytest.skip("only PySide6's Linux wheels carry ICU")
    return libraries[0]


def test_qt_sorts_and_maps_case_with_the_trimmed_icu_library(tmp_path):
    source = _wheel_icu()
    target = tmp_path / source.name
    kept, total = subset_library(source, target)
    assert 0 < kept < total
    assert target.stat().st_size < source.stat().st_size / 3
    probe = (
        "from PySide6.QtCore import QCollator, QLocale, QStringDecoder\n"
        "numeric = QCollator(QLocale('de_DE')); numeric.setNumericMode(True)\n"
        "print(numeric.compare('file2', 'file10') < 0, QCollator(QLocale('sv_SE')).compare('ä', 'z') > 0,\n"
        "      QLocale('tr_TR').toUpper('i') == '\\u0130', QStringDecoder('Shift_JIS').isValid())\n"
    )
    # Preloading the trimmed library makes Qt use it instead of the wheel's full one.
    env = {**os.environ, "LD_PRELOAD": str(target)}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # Swedish sorting needs the locale's collation data; Shift_JIS (a legacy converter) is gone.
    assert done.stdout.split() == ["True", "True", "True", "False"]


def test_the_windows_version_resource_takes_four_numbers_from_the_project_version():
    sys.path.insert(0, str(ROOT / "installer" / "windows"))
    from version_info import version_tuple

    assert version_tuple("0.1.0") == (0, 1, 0, 0)
    assert version_tuple("2.3") == (2, 3, 0, 0)
    assert version_tuple("1.2.3.4") == (1, 2, 3, 4)
    assert version_tuple("1.4.0-rc1+local") == (1, 4, 0, 0)
