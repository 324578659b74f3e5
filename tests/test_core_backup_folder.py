import os
import time

from app.core.backup import DAY, check_backup_folder, summarise_folder_check


def test_reports_the_age_of_the_newest_file(tmp_path):
    now = time.time()
    (tmp_path / "sub").mkdir()
    old, new = tmp_path / "old.txt", tmp_path / "sub" / "new.txt"
    old.write_text("a")
    new.write_text("b")
    os.utime(old, (now - 30 * DAY, now - 30 * DAY))
    os.utime(new, (now - 2 * DAY, now - 2 * DAY))
    check = check_backup_folder(str(tmp_path), now=now)
    assert check.folder_exists and check.complete
    assert abs(check.newest_age_seconds - 2 * DAY) < 5
    summary = summarise_folder_check(check, 7, False)
    assert (summary.verdict, summary.kind) == ("recent", "folder")


def test_old_backup_is_called_old(tmp_path):
    now = time.time()
    f = tmp_path / "a"
    f.write_text("x")
    os.utime(f, (now - 10 * DAY, now - 10 * DAY))
    assert summarise_folder_check(check_backup_folder(str(tmp_path), now=now), 7, True).verdict == "old"


def test_missing_or_empty_folders_are_no_backup(tmp_path):
    assert not check_backup_folder(str(tmp_path / "gone")).folder_exists
    empty = check_backup_folder(str(tmp_path))
    assert empty.newest_age_seconds is None
    assert summarise_folder_check(empty, 7, True).verdict == "none"


def test_symlink_loops_end(tmp_path):
    (tmp_path / "loop").symlink_to(tmp_path)
    (tmp_path / "f").write_text("x")
    assert check_backup_folder(str(tmp_path)).complete
