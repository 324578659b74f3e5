"""Choosing the files to look for: the newest all, a random sample of the rest, within budget."""

from __future__ import annotations

import random
import time
from types import SimpleNamespace

from app.core.backup.drives import list_drives
from app.core.backup.placeholders import is_cloud_only, is_reparse_point
from app.core.backup.progress import Progress, Throttle
from app.core.backup.walk import WalkBudget, home_roots, is_junk, sample_home
from testbed.backup_trees import make_home, newest, touch


def roots_of(home):
    return home_roots(home.system().folders, str(home.root), exclude=None)


def test_keeps_every_recent_file_and_a_random_sample_of_the_rest(tmp_path):
    now = time.time()
    home = make_home(tmp_path / "home", now, files=400)
    sample = sample_home(roots_of(home), budget=WalkBudget(recent=20, random=30), rng=random.Random(4))
    assert sample.files_seen == 400 and sample.complete
    names = [f.path for f in sample.files]
    assert len(names) == len(set(names)) == 50
    expected_recent = {str(home.root / rel) for rel in newest(home, 20)}
    assert set(names[:20]) == expected_recent
    # The random part comes from all over, not just the next-newest files.
    rest = sorted(home.files.values(), reverse=True)
    random_mtimes = [f.mtime for f in sample.files[20:]]
    assert min(random_mtimes) < rest[300]


def test_the_entry_budget_stops_the_walk_and_says_so(tmp_path):
    home = make_home(tmp_path / "home", time.time(), files=300)
    sample = sample_home(roots_of(home), budget=WalkBudget(max_entries=50))
    assert not sample.complete and sample.files_seen < 300


def test_a_folder_that_is_the_whole_home_is_not_walked(tmp_path):
    home = make_home(tmp_path / "home", time.time(), files=3)
    folders = (("Desktop", str(home.root)), ("Documents", str(home.folder("Documents"))))
    assert [name for name, _ in home_roots(folders, str(home.root), exclude=None)] == ["Documents"]


def test_missing_home_folders_are_left_out(tmp_path):
    folders = (("Documents", str(tmp_path / "nope")),)
    assert home_roots(folders, str(tmp_path), exclude=None) == ()


def test_desktop_clutter_and_lock_files_are_not_looked_for(tmp_path):
    now = time.time()
    home = make_home(tmp_path / "home", now, files=0)
    for name in ("desktop.ini", "Thumbs.db", ".DS_Store", "~$report.docx", ".~lock.sheet.ods#", "film.crdownload"):
        touch(home, f"Desktop/{name}", now)
    touch(home, "Desktop/report.docx", now)
    sample = sample_home(roots_of(home))
    assert [f.path.rsplit("/", 1)[1] for f in sample.files] == ["report.docx"]
    assert is_junk("DESKTOP.INI") and not is_junk("notes.txt")


def test_cloud_only_attributes_are_recognised_from_stat():
    # FILE_ATTRIBUTE_RECALL_ON_DATA_ACCESS, FILE_ATTRIBUTE_OFFLINE, FILE_ATTRIBUTE_RECALL_ON_OPEN.
    for attributes in (0x400000, 0x1000, 0x40000, 0x400000 | 0x20):
        assert is_cloud_only(SimpleNamespace(st_file_attributes=attributes))
    assert not is_cloud_only(SimpleNamespace(st_file_attributes=0x20))  # archive bit only: on disk
    assert not is_cloud_only(SimpleNamespace())  # Linux: no such attributes
    assert is_cloud_only(SimpleNamespace(st_flags=0x40000000))  # macOS SF_DATALESS (iCloud)
    assert is_reparse_point(SimpleNamespace(st_file_attributes=0x400))


def test_progress_is_throttled_but_a_new_phase_always_goes_through():
    clock = iter([0.0, 0.01, 0.02, 0.03, 0.06, 0.07, 0.071]).__next__
    seen = []
    throttle = Throttle(seen.append, interval=0.05, clock=clock)
    for phase in ("walking",) * 5 + ("comparing",) * 2:
        throttle(Progress(phase, 0, None, 0))
    assert [p.phase for p in seen] == ["walking", "walking", "comparing"]


def part(device, mountpoint, fstype="ext4", opts="rw"):
    return SimpleNamespace(device=device, mountpoint=mountpoint, fstype=fstype, opts=opts)


def test_removable_drives_come_first_and_system_disks_are_left_out():
    table = [
        part("/dev/sda2", "/"),
        part("/dev/sda1", "/boot/efi", "vfat"),
        part("/dev/sdb1", "/mnt/data"),
        part("/dev/sdc1", "/media/ann/BACKUP", "vfat"),
        part("/dev/loop0", "/snap/core/1", "squashfs"),
        part("/dev/sr0", "/media/ann/CDROM", "iso9660", "ro,cdrom"),
    ]
    drives = list_drives(lambda: table, "/home/ann")
    assert [(d.path, d.label, d.removable) for d in drives] == [
        ("/media/ann/BACKUP", "BACKUP", True),
        ("/mnt/data", "data", False),
    ]


def test_windows_drive_letters_marked_removable():
    table = [part("C:\\", "C:\\", "NTFS", "rw,fixed"), part("E:\\", "E:\\", "FAT32", "rw,removable"),
             part("D:\\", "D:\\", "NTFS", "rw,fixed")]
    drives = list_drives(lambda: table, "C:\\Users\\ann")
    assert next((d.path, d.removable) for d in drives) == ("E:\\", True)


def test_an_unreadable_partition_table_offers_no_drives():
    def broken():
        raise OSError("no /proc")

    assert list_drives(broken, "/home/ann") == []
