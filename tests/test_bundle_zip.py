"""The macOS download is the published zip with the bundle renamed for the session, byte for byte
otherwise: every file inside unpacks the same, modes and links included."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest

from server.domain.bundle_zip import BundleZipError, renamed_bundle_zip
from server.domain.served_file import ServedFile
from testbed.launcher_builds import BUNDLE, MACHO, write_macos_zip

RENAMED = "Phonetex-Support-482913557.app"
_release_zip = write_macos_zip
EXECUTABLE = MACHO


def _read_all(served: ServedFile) -> bytes:
    with served.reader() as reader:
        return b"".join(iter(reader.read, b""))


@pytest.mark.parametrize("descriptors", [False, True], ids=["plain", "data-descriptors"])
def test_the_bundle_is_renamed_and_everything_else_is_kept(tmp_path: Path, descriptors: bool) -> None:
    published = _release_zip(tmp_path / "Phonetex-Support-macos.zip", descriptors=descriptors, comment=b"release 0.1.0")
    served = renamed_bundle_zip(published, BUNDLE, RENAMED)
    data = _read_all(served)
    assert len(data) == served.size
    with zipfile.ZipFile(published) as before, zipfile.ZipFile(io.BytesIO(data)) as after:
        assert after.testzip() is None  # every CRC checks out
        assert after.comment == b"release 0.1.0"
        old = {info.filename: info for info in before.infolist()}
        new = {info.filename: info for info in after.infolist()}
        renamed = {name.replace(BUNDLE, RENAMED): name for name in old}
        assert set(new) == set(renamed)
        assert f"{RENAMED}/Contents/MacOS/Phonetex-Support" in new
        assert f"__MACOSX/._{RENAMED}" in new
        for name, info in new.items():
            original = old[renamed[name]]
            assert after.read(name) == before.read(original.filename)
            assert (info.external_attr, info.date_time, info.compress_type) == (
                original.external_attr, original.date_time, original.compress_type
            )


def test_the_size_is_the_same_for_every_code_and_the_compressed_data_is_not_copied(tmp_path: Path) -> None:
    published = _release_zip(tmp_path / "Phonetex-Support-macos.zip")
    first = renamed_bundle_zip(published, BUNDLE, RENAMED)
    second = renamed_bundle_zip(published, BUNDLE, "Phonetex-Support-100000000.app")
    assert first.size == second.size
    assert first.sha256() != second.sha256()
    in_memory = sum(len(part) for part in first.parts if isinstance(part, bytes))
    assert in_memory < 2000 < first.size - in_memory  # headers only; the executable is read from the zip


def test_ranges_of_the_renamed_zip_join_up_to_the_whole(tmp_path: Path) -> None:
    served = renamed_bundle_zip(_release_zip(tmp_path / "m.zip"), BUNDLE, RENAMED)
    whole = _read_all(served)
    cuts = [0, 1, 29, 100, served.size // 2, served.size - 3, served.size]
    pieces = []
    for start, end in pairwise(cuts):
        with served.reader(start, end - start) as reader:
            pieces.append(b"".join(iter(lambda: reader.read(7), b"")))
    assert b"".join(pieces) == whole


def test_a_zip_without_the_bundle_or_not_a_zip_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.zip"
    with zipfile.ZipFile(other, "w") as target:
        target.writestr("Something-Else.app/Contents/Info.plist", b"x")
    with pytest.raises(BundleZipError, match=r"does not hold Phonetex-Support\.app"):
        renamed_bundle_zip(other, BUNDLE, RENAMED)
    text = tmp_path / "notes.zip"
    text.write_bytes(b"not a zip at all")
    with pytest.raises(BundleZipError, match="is not a zip file"):
        renamed_bundle_zip(text, BUNDLE, RENAMED)


def test_unzip_unpacks_the_renamed_bundle_with_its_modes_and_links(tmp_path: Path) -> None:
    """Info-ZIP's unzip, as a stand-in for macOS's Archive Utility: the same unix modes and links."""
    if shutil.which("unzip") is None:
        pytest.skip("unzip is missing: make system-deps installs it")
    served = renamed_bundle_zip(_release_zip(tmp_path / "m.zip"), BUNDLE, RENAMED)
    download = tmp_path / "Phonetex-Support-482913557.zip"
    download.write_bytes(_read_all(served))
    subprocess.run(["unzip", "-q", str(download), "-d", str(tmp_path / "out")], check=True)
    app = tmp_path / "out" / RENAMED
    executable = app / "Contents" / "MacOS" / "Phonetex-Support"
    assert executable.read_bytes() == EXECUTABLE
    assert executable.stat().st_mode & 0o777 == 0o755
    assert (app / "Contents" / "Frameworks" / "QtCore").is_symlink()
    assert (app / "Contents" / "Frameworks" / "QtCore").readlink() == Path("../Resources/QtCore.framework")
    assert not (tmp_path / "out" / BUNDLE).exists()
