"""The finders on fixtures that reproduce each system's own files and tools' answers."""

from __future__ import annotations

import os
import plistlib
import time
from datetime import UTC, datetime

from hypothesis import given, strategies as st

from app.core.backup.finders import (
    find_backups,
    find_deja_dup,
    find_file_history,
    find_onedrive,
    find_repository,
    find_time_machine,
)
from app.core.backup.layouts import file_history_copy_name, file_history_name
from app.core.backup.system import CommandResult
from app.core.backup.verdict import describe, summary_from_evidence
from testbed.backup_trees import DAY, fake_run, file_history, make_home

CONFIG = """<?xml version="1.0" encoding="UTF-8"?>
<DataProtectionUserConfig SchemaVersion="1">
  <UserName>ann</UserName>
  <PCName>HOMEPC</PCName>
  <UserFolder>C:\\Users\\ann\\Documents</UserFolder>
  <LocalCatalogPath1>{catalog}</LocalCatalogPath1>
  <DPFrequency>3600</DPFrequency>
  <DPStatus>{status}</DPStatus>
  <Target>
    <TargetName>BACKUP (E:)</TargetName>
    <TargetUrl>{target}\\</TargetUrl>
    <TargetDriveType>REMOVABLE</TargetDriveType>
    <TargetConfigPath1>ann\\HOMEPC\\Configuration\\Config1.xml</TargetConfigPath1>
    <TargetBackupStorePath>ann\\HOMEPC\\Data</TargetBackupStorePath>
  </Target>
</DataProtectionUserConfig>
"""


def file_history_config(appdata, target, *, status="ENABLED"):
    folder = appdata / "Microsoft" / "Windows" / "FileHistory" / "Configuration"
    folder.mkdir(parents=True)
    catalog = folder / "Catalog1.edb"
    catalog.write_bytes(b"ese")
    (folder / "Config1.xml").write_text(
        CONFIG.format(catalog=catalog, status=status, target=os.fspath(target) + "/FileHistory")
    )
    return catalog


def test_file_history_reads_its_configuration_and_the_dated_copies_on_its_target(tmp_path):
    now = time.time()
    home = make_home(tmp_path / "home", now, files=6)
    drive = file_history(home, tmp_path / "E", backed_up_at=now - 2 * DAY)
    file_history_config(tmp_path / "appdata", drive)
    evidence = find_file_history(str(tmp_path / "appdata"))
    assert (evidence.kind, evidence.destination) == ("file-history", "BACKUP (E:)")
    assert abs(evidence.newest - (now - 2 * DAY)) < 2
    assert evidence.note is None
    assert "newest backup 2 days ago" in str(describe(evidence, now))


def test_file_history_with_its_drive_unplugged_uses_the_local_catalogue(tmp_path):
    catalog = file_history_config(tmp_path / "appdata", tmp_path / "unplugged")
    os.utime(catalog, (time.time() - 3 * DAY,) * 2)
    evidence = find_file_history(str(tmp_path / "appdata"))
    assert abs(evidence.newest - (time.time() - 3 * DAY)) < 5
    assert "not plugged in" in str(evidence.note)


def test_file_history_turned_off_says_so(tmp_path):
    file_history_config(tmp_path / "appdata", tmp_path / "E", status="DISABLED")
    assert "turned off" in str(find_file_history(str(tmp_path / "appdata")).note)


def test_no_file_history_configuration_is_nothing(tmp_path):
    assert find_file_history(str(tmp_path)) is None
    assert find_file_history(None) is None


def test_onedrive_folder_backup_is_sync_not_a_dated_backup(tmp_path):
    folders = (("Documents", str(tmp_path / "OneDrive" / "Documents")), ("Desktop", str(tmp_path / "Desktop")),
               ("Pictures", str(tmp_path / "OneDrive" / "Pictures")))
    evidence = find_onedrive(folders, [str(tmp_path / "OneDrive")])
    assert evidence.sync_only and evidence.newest is None
    assert evidence.folders == ("Documents", "Pictures")
    assert "not a dated backup" in str(describe(evidence, time.time()))
    summary = summary_from_evidence((evidence,), time.time(), 7, False)
    assert (summary.verdict, summary.kind, summary.coverage) == ("none", "onedrive", None)
    assert find_onedrive(folders, [str(tmp_path / "OneDriveOther")]) is None


def time_machine_plist(path, snapshot_dates):
    prefs = {
        "AutoBackup": True,
        "Destinations": [
            {
                "DestinationID": "6A1F0E1C-2B7D-4C8A-9E1A-0F6B8F2D9C11",
                "LastKnownVolumeName": "Time Machine Backups",
                "LastKnownEncryptionState": "Encrypted",
                "RESULT": 0,
                "SnapshotDates": snapshot_dates,
                "BytesUsed": 123456789,
            }
        ],
        "LastDestinationID": "6A1F0E1C-2B7D-4C8A-9E1A-0F6B8F2D9C11",
    }
    path.write_bytes(plistlib.dumps(prefs, fmt=plistlib.FMT_BINARY))
    return path


def test_time_machine_reads_destination_and_snapshot_dates_from_its_preferences(tmp_path):
    now = time.time()
    newest = datetime.fromtimestamp(now - 3 * DAY, UTC).replace(tzinfo=None, microsecond=0)
    older = datetime.fromtimestamp(now - 9 * DAY, UTC).replace(tzinfo=None, microsecond=0)
    plist = time_machine_plist(tmp_path / "com.apple.TimeMachine.plist", [older, newest])
    found = find_time_machine(str(plist), fake_run({}))
    assert [(e.kind, e.destination) for e in found] == [("time-machine", "Time Machine Backups")]
    assert abs(found[0].newest - (now - 3 * DAY)) < 2


def test_time_machine_from_tmutil_when_the_preferences_hold_no_dates(tmp_path):
    plist = time_machine_plist(tmp_path / "tm.plist", [])
    stamp = time.strftime("%Y-%m-%d-%H%M%S", time.localtime(time.time() - DAY))
    run = fake_run({("tmutil", "latestbackup"): CommandResult(0, f"/Volumes/TM Disk/Backups.backupdb/Mac/{stamp}\n", "")})
    found = find_time_machine(str(plist), run)
    assert [(e.destination, e.newest is not None) for e in found] == [("Time Machine Backups", False), ("TM Disk", True)]
    assert abs(found[1].newest - (time.time() - DAY)) < 2


def test_time_machine_without_full_disk_access_gives_a_clear_hint(tmp_path, monkeypatch):
    plist = tmp_path / "tm.plist"
    plist.write_bytes(b"")
    real_open = open

    def refusing_open(path, *args, **kwargs):  # root reads everything: refuse like macOS's privacy checks
        if os.fspath(path) == str(plist):
            raise PermissionError(1, "Operation not permitted", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refusing_open)
    run = fake_run({("tmutil", "latestbackup"): CommandResult(1, "", "tmutil: latestbackup requires Full Disk Access privileges.\n")})
    found = find_time_machine(str(plist), run)
    assert len(found) == 1 and found[0].newest is None
    assert "Full Disk Access" in str(found[0].note)


def test_no_time_machine_on_other_systems():
    assert find_time_machine(None, fake_run({})) == []


def gsettings(values):
    return fake_run(
        {("gsettings", "get", schema, key): CommandResult(0, value + "\n", "") for (schema, key), value in values.items()}
    )


def test_deja_dup_last_backup_through_gsettings():
    run = gsettings({
        ("org.gnome.DejaDup", "last-backup"): "'2024-05-01T10:20:30.123456Z'",
        ("org.gnome.DejaDup", "backend"): "'drive'",
        ("org.gnome.DejaDup.Drive", "name"): "'SanDisk USB'",
        ("org.gnome.DejaDup.Drive", "folder"): "'laptop'",
    })
    evidence = find_deja_dup(run)
    assert (evidence.kind, evidence.destination) == ("deja-dup", "SanDisk USB laptop")
    assert evidence.newest == datetime(2024, 5, 1, 10, 20, 30, 123456, UTC).timestamp()


def test_deja_dup_never_run_or_not_installed_is_nothing():
    assert find_deja_dup(gsettings({("org.gnome.DejaDup", "last-backup"): "''"})) is None
    no_schema = fake_run({("gsettings", "get", "org.gnome.DejaDup", "last-backup"): CommandResult(1, "", "No such schema “org.gnome.DejaDup”\n")})
    assert find_deja_dup(no_schema) is None
    assert find_deja_dup(fake_run({})) is None  # gsettings itself missing


def test_a_restic_repository_the_customer_names(tmp_path):
    repo = tmp_path / "restic-repo"
    for sub in ("data", "index", "keys", "snapshots", "locks"):
        (repo / sub).mkdir(parents=True)
    (repo / "config").write_bytes(b"\x00encrypted")
    snapshot = repo / "snapshots" / ("ab" * 32)
    snapshot.write_bytes(b"\x00encrypted")
    os.utime(snapshot, (time.time() - DAY,) * 2)
    evidence = find_repository(str(repo))
    assert evidence.kind == "restic" and abs(evidence.newest - (time.time() - DAY)) < 2


def test_a_borg_repository_the_customer_names(tmp_path):
    repo = tmp_path / "borg-repo"
    (repo / "data" / "0").mkdir(parents=True)
    (repo / "README").write_text("This is a Borg Backup repository.\nSee https://borgbackup.readthedocs.io/\n")
    (repo / "config").write_text("[repository]\nversion = 1\n")
    for name in ("index.12", "hints.12", "integrity.12"):
        (repo / name).write_bytes(b"x")
        os.utime(repo / name, (time.time() - 2 * DAY,) * 2)
    evidence = find_repository(str(repo))
    assert evidence.kind == "borg" and abs(evidence.newest - (time.time() - 2 * DAY)) < 2
    assert find_repository(str(tmp_path)) is None


def test_find_backups_gathers_what_each_finder_says(tmp_path):
    now = time.time()
    home = make_home(tmp_path / "home", now, files=3)
    run = gsettings({("org.gnome.DejaDup", "last-backup"): "'2024-05-01T10:20:30Z'", ("org.gnome.DejaDup", "backend"): "'google'"})
    found = find_backups(home.system(run=run))
    assert [(e.kind, e.destination) for e in found] == [("deja-dup", "Google Drive")]
    summary = summary_from_evidence(found, now, 7, False)
    assert (summary.verdict, summary.kind, summary.coverage) == ("old", "deja-dup", None)
    assert find_backups(home.system()) == ()


@given(
    name=st.text(st.characters(blacklist_characters="/\\\x00", blacklist_categories=("Cs",)), min_size=1, max_size=40)
    .filter(lambda n: n not in (".", "..")),
    moment=st.integers(min_value=0, max_value=4_102_444_800),
)
def test_file_history_names_read_back_what_they_encode(name, moment):
    assert file_history_name(file_history_copy_name(name, moment)) == (name, float(moment))
