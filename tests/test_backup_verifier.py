"""The verifier on generated homes and backups: what a customer's backup drive really looks like."""

from __future__ import annotations

import errno
import os
import shutil
import threading
import time

import pytest

from app.core.backup import verifier as verifier_module, walk as walk_module
from app.core.backup.progress import COMPARING, HASHING
from app.core.backup.verdict import judge
from app.core.backup.verifier import (
    CANCELLED,
    CHECKED,
    COVERED,
    DIFFERENT,
    DRIVE_LOST,
    MISSING,
    NO_FOLDER,
    OWN_FILES,
    STALE,
    verify_backup,
)
from testbed.backup_trees import DAY, file_history, make_home, mirror, newest, time_machine, touch

LIMIT = 7


@pytest.fixture
def now():
    return time.time()


@pytest.fixture
def home(tmp_path, now):
    return make_home(tmp_path / "home", now, files=60)


def check(home, backup, **options):
    return verify_backup(str(backup), home.system(separate_disk=backup), **options)


def statuses(result):
    return {r.name: r.status for r in result.results}


def test_a_complete_fresh_mirror_is_recent_and_complete(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    result = check(home, backup)
    assert result.outcome == CHECKED and result.layout == "folder"
    assert set(statuses(result).values()) == {COVERED}
    assert len(result.results) == 60  # a small home: every file is checked
    assert any(r.hashed for r in result.results)
    verdict = judge(result, now, LIMIT)
    assert (verdict.verdict, verdict.kind, verdict.coverage) == ("recent", "folder", 1.0)
    assert verdict.age_seconds < 60  # the copies were written just now
    assert verdict.verified_complete


def test_a_mirror_of_the_whole_home_under_a_folder_is_found(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb", under="Backup 2024/home")
    assert judge(check(home, backup), now, LIMIT).verdict == "recent"


def test_picking_the_copy_of_documents_itself_checks_documents(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    result = check(home, backup / "Documents")
    found = {name.split("/")[0] for name, status in statuses(result).items() if status == COVERED}
    assert found == {"Documents"}
    assert judge(result, now, LIMIT).verdict == "incomplete"  # Desktop and Pictures are not in it


def test_missing_recent_files_make_it_incomplete_and_are_named(home, tmp_path, now):
    lost = newest(home, 3)
    backup = mirror(home, tmp_path / "usb", skip=lost)
    result = check(home, backup)
    assert {name for name, status in statuses(result).items() if status == MISSING} == set(lost)
    verdict = judge(result, now, LIMIT)
    assert verdict.verdict == "incomplete"
    assert set(verdict.missing) == set(lost)
    assert verdict.coverage == pytest.approx(57 / 60, abs=0.001)
    assert "3 of the 60 files" in str(verdict.headline)


def test_an_old_backup_is_old(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    # Thirty days on, with nothing changed since, the same backup is 30 days old.
    verdict = judge(check(home, backup), now + 30 * DAY, LIMIT)
    assert verdict.verdict == "old"
    assert verdict.age_seconds > 29 * DAY
    assert "less than 7 days old" in str(verdict.advice)


def test_files_changed_after_the_backup_are_listed_but_do_not_make_it_incomplete(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")  # the copies reach the drive now
    edited = newest(home, 1)[0]
    touch(home, edited, now + 3600, b"edited an hour after the backup\n")
    result = check(home, backup)
    assert statuses(result)[edited] == STALE
    verdict = judge(result, now + 2 * 3600, LIMIT)
    assert verdict.verdict == "recent"
    assert verdict.changed_since == (edited,) and verdict.older == ()
    assert any("changed after your newest backup" in str(note) for note in verdict.notes)


def test_a_stale_copy_older_than_the_backup_makes_it_incomplete(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    rel = sorted(home.files)[0]
    # The copy on the drive is a year older than the file, which itself was not changed lately.
    os.utime(backup / rel, (now - 400 * DAY, now - 400 * DAY))
    result = check(home, backup)
    assert statuses(result)[rel] == STALE
    verdict = judge(result, now, LIMIT)
    assert verdict.verdict == "incomplete" and rel in verdict.older


def test_a_copy_of_another_size_is_different(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    rel = sorted(home.files)[1]
    mtime = home.files[rel]
    (backup / rel).write_bytes(b"truncated")
    os.utime(backup / rel, (mtime, mtime))
    assert statuses(check(home, backup))[rel] == DIFFERENT


def test_a_copy_with_the_same_size_and_date_but_other_content_is_caught_by_its_hash(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")
    rel = newest(home, 1)[0]
    original = (home.root / rel).read_bytes()
    (backup / rel).write_bytes(bytes(len(original)))
    os.utime(backup / rel, (home.files[rel], home.files[rel]))
    result = check(home, backup)
    assert statuses(result)[rel] == DIFFERENT
    assert judge(result, now, LIMIT).verdict == "incomplete"


def test_file_history_layout(home, tmp_path, now):
    drive = file_history(home, tmp_path / "E", backed_up_at=now - 3 * DAY, skip=newest(home, 0))
    result = check(home, drive)
    assert result.layout == "file-history"
    assert set(statuses(result).values()) == {COVERED}
    verdict = judge(result, now, LIMIT)
    assert (verdict.verdict, verdict.kind) == ("recent", "file-history")
    assert abs(verdict.age_seconds - 3 * DAY) < 5  # from the stamps in the copies' names


def test_file_history_keeps_the_newest_version_and_old_stamps_mean_old(home, tmp_path, now):
    drive = file_history(home, tmp_path / "E", backed_up_at=now - 20 * DAY)
    verdict = judge(check(home, drive), now, LIMIT)
    assert (verdict.verdict, verdict.kind) == ("old", "file-history")


def test_file_history_missing_files(home, tmp_path, now):
    lost = newest(home, 2)
    drive = file_history(home, tmp_path / "E", backed_up_at=now - 60, skip=lost)
    verdict = judge(check(home, drive), now, LIMIT)
    assert verdict.verdict == "incomplete" and set(verdict.missing) == set(lost)


@pytest.mark.parametrize("apfs", [False, True])
def test_time_machine_layout(home, tmp_path, now, apfs):
    stamp = time.strftime("%Y-%m-%d-%H%M%S", time.localtime(now - 2 * DAY))
    drive = time_machine(home, tmp_path / "TM", stamp, apfs=apfs)
    result = check(home, drive)
    assert result.layout == "time-machine"
    assert set(statuses(result).values()) == {COVERED}
    verdict = judge(result, now, LIMIT)
    assert (verdict.verdict, verdict.kind) == ("recent", "time-machine")
    assert abs(verdict.age_seconds - 2 * DAY) < 5


def test_a_backup_on_the_same_disk_is_not_a_backup_against_disk_failure(home, tmp_path, now):
    backup = mirror(home, tmp_path / "copy")
    result = verify_backup(str(backup), home.system())  # no separate disk: tmp_path is one disk
    assert result.same_disk
    verdict = judge(result, now, LIMIT)
    assert verdict.verdict == "incomplete"
    assert "same disk" in str(verdict.headline)
    assert "not a backup against disk failure" in str(verdict.advice)


def test_symbolic_link_loops_end_in_a_verdict(home, tmp_path, now):
    (home.folder("Documents") / "loop").symlink_to(home.root)
    (home.folder("Pictures") / "self").symlink_to(home.folder("Pictures"))
    backup = mirror(home, tmp_path / "usb")
    (backup / "Documents" / "loop").symlink_to(backup)
    verdict = judge(check(home, backup), now, LIMIT)
    assert verdict.verdict == "recent"


def test_unreadable_folders_are_counted_not_fatal(home, tmp_path, now, monkeypatch):
    secret = home.folder("Documents") / "private"
    secret.mkdir()
    (secret / "diary.txt").write_text("x")
    backup = mirror(home, tmp_path / "usb")
    real_scandir = os.scandir

    # Tests run as root, whom permissions do not stop: refuse the folder the way the OS would.
    def scandir(path="."):
        if os.fspath(path) == str(secret):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(walk_module.os, "scandir", scandir)
    result = check(home, backup)
    assert result.outcome == CHECKED and result.unreadable_folders == 1
    verdict = judge(result, now, LIMIT)
    assert verdict.verdict == "recent"
    assert any("could not be read" in str(note) for note in verdict.notes)


def test_files_vanishing_mid_walk_are_skipped(home, tmp_path, now, monkeypatch):
    backup = mirror(home, tmp_path / "usb")
    victim = home.folder("Desktop") / "going.txt"
    victim.write_text("soon gone")
    real_scandir = os.scandir

    class Listing:
        """Reads the folder, then deletes a file whose entry is already listed."""

        def __init__(self, path):
            self._it = real_scandir(path)
            self._path = os.fspath(path)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._it.close()

        def __iter__(self):
            entries = list(self._it)
            if self._path == str(victim.parent) and victim.exists():
                victim.unlink()
            return iter(entries)

    monkeypatch.setattr(walk_module.os, "scandir", Listing)
    result = check(home, backup)
    assert result.outcome == CHECKED and result.vanished == 1
    assert "Desktop/going.txt" not in statuses(result)


def test_a_drive_unplugged_mid_check_says_so(home, tmp_path, now):
    backup = mirror(home, tmp_path / "usb")

    def unplug(progress):
        if progress.phase == COMPARING and backup.exists():
            shutil.rmtree(backup)

    result = check(home, backup, progress=unplug)
    assert result.outcome == DRIVE_LOST
    verdict = judge(result, now, LIMIT)
    assert verdict.verdict == "none" and "stopped answering" in str(verdict.headline)


def test_a_drive_failing_with_io_errors_says_so(home, tmp_path, now, monkeypatch):
    from app.core.backup import locate

    backup = mirror(home, tmp_path / "usb")
    real_stat = os.stat

    def failing_stat(path, *args, **kwargs):
        if str(path).startswith(str(backup) + os.sep + "Pictures") and str(path).endswith(".txt"):
            raise OSError(errno.EIO, "Input/output error", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(locate.os, "stat", failing_stat)
    assert check(home, backup).outcome == DRIVE_LOST


def test_missing_and_empty_folders_end_in_none(home, tmp_path, now):
    assert judge(check(home, tmp_path / "gone"), now, LIMIT).verdict == "none"
    assert check(home, tmp_path / "gone").outcome == NO_FOLDER
    (tmp_path / "empty").mkdir()
    verdict = judge(check(home, tmp_path / "empty"), now, LIMIT)
    assert verdict.verdict == "none" and "None of the files" in str(verdict.advice)


def test_an_empty_home_has_nothing_to_compare(tmp_path, now):
    home = make_home(tmp_path / "home", now, files=0)
    backup = tmp_path / "usb"
    backup.mkdir()
    (backup / "old.txt").write_text("x")
    verdict = judge(check(home, backup), now, LIMIT)
    assert verdict.verdict == "none" and "no files to compare" in str(verdict.headline)


def test_picking_the_home_folder_itself_is_not_a_backup(home, now):
    result = check(home, home.root)
    assert result.outcome == OWN_FILES
    assert "not a backup" in str(judge(result, now, LIMIT).headline)


def test_a_backup_folder_inside_documents_is_not_walked_as_home(home, now):
    backup = mirror(home, home.folder("Documents") / "Backup")
    result = verify_backup(str(backup), home.system())
    assert not any("/Backup/" in r.name for r in result.results)
    assert result.same_disk


def test_cancel_between_folders(home, tmp_path):
    backup = mirror(home, tmp_path / "usb")
    flag = threading.Event()
    flag.set()
    assert check(home, backup, cancel=flag).outcome == CANCELLED


class CountingFlag:
    """Becomes set after a number of looks once hashing has started, and counts the looks."""

    def __init__(self, after: int) -> None:
        self.hashing = False
        self.looks_while_hashing = 0
        self.after = after

    def is_set(self) -> bool:
        if self.hashing:
            self.looks_while_hashing += 1
        return self.hashing and self.looks_while_hashing > self.after


def test_cancel_between_hash_chunks(tmp_path, now):
    home = make_home(tmp_path / "home", now, files=0)
    big = home.folder("Documents") / "video.bin"
    big.write_bytes(os.urandom(64 * 1024))
    home.files["Documents/video.bin"] = big.stat().st_mtime
    backup = mirror(home, tmp_path / "usb")
    flag = CountingFlag(after=5)

    def on_progress(progress):
        flag.hashing = flag.hashing or (progress.phase == COMPARING and progress.done == progress.total)

    result = check(home, backup, cancel=flag, progress=on_progress,
                   hash_budget=verifier_module.HashBudget(chunk=4096))
    assert result.outcome == CANCELLED
    # One 64 KiB file in 4 KiB chunks: the flag was read between chunks, not only between files.
    assert flag.looks_while_hashing == 6


def test_cloud_only_files_are_compared_but_never_read(home, tmp_path, now, monkeypatch):
    placeholder = home.folder("Documents") / "in-the-cloud.docx"
    placeholder.write_bytes(b"p" * 4242)
    home.files["Documents/in-the-cloud.docx"] = placeholder.stat().st_mtime
    backup = mirror(home, tmp_path / "usb")
    # Real placeholders carry Windows attributes; here the marker size stands in for them.
    monkeypatch.setattr(walk_module, "is_cloud_only", lambda st: st.st_size == 4242)
    opened = []
    real_hash = verifier_module._hash
    monkeypatch.setattr(verifier_module, "_hash", lambda path, *a: opened.append(path) or real_hash(path, *a))
    result = check(home, backup)
    assert statuses(result)["Documents/in-the-cloud.docx"] == COVERED
    assert opened and str(placeholder) not in opened


def test_progress_reports_every_phase(home, tmp_path):
    backup = mirror(home, tmp_path / "usb")
    phases = []
    check(home, backup, progress=lambda p: phases.append(p.phase))
    assert phases[0] == "walking" and COMPARING in phases and HASHING in phases
