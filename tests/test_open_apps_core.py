"""Open apps logic without Qt: catalogue, grouping, close policy, close states, consent summary."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace

import psutil
import pytest

from app.core.consent_record import APP_CATEGORIES, AppSummary, ConsentRecord
from app.core.open_apps import (
    AppWindow,
    Catalogue,
    CloseOutcome,
    CloseTracker,
    ForceNotConfirmed,
    OpenApp,
    RowState,
    Snapshot,
    consent_summary,
    default_backend,
    default_catalogue,
    linux_cgroups,
)
from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.catalogue import CatalogueError
from app.core.open_apps.closing import close_politely, force_close
from app.core.open_apps.grouping import ProcessFacts, group_apps
from app.core.open_apps.linux_x11 import X11Backend, pick_icon
from app.core.open_apps.process_list import ProcessListBackend
from app.core.open_apps.processes import ProcessTable, descendants, snapshot

# --- catalogue ------------------------------------------------------------------------------


def test_catalogue_names_the_common_confidential_apps_on_every_platform():
    catalogue = default_catalogue()
    expectations = {
        "windows": {"OUTLOOK.EXE": "email", "chrome.exe": "browser", "KeePassXC.exe": "password-manager",
                    "qbw.exe": "finance", "WhatsApp.exe": "messaging", "WINWORD.EXE": "documents",
                    "AcroRd32.exe": "documents", "Microsoft.Photos.exe": "photos"},
        "macos": {"com.apple.mail": "email", "com.apple.Safari": "browser", "com.1password.1password": "password-manager",
                  "com.quicken.Quicken": "finance", "com.apple.MobileSMS": "messaging", "com.microsoft.Word": "documents",
                  "com.apple.Preview": "documents", "com.apple.Photos": "photos"},
        "linux": {"thunderbird": "email", "firefox-esr": "browser", "keepassxc": "password-manager",
                  "gnucash": "finance", "signal-desktop": "messaging", "soffice.bin": "documents",
                  "evince": "documents", "shotwell": "photos", "org.mozilla.Thunderbird": "email"},
    }
    for platform, names in expectations.items():
        for name, category in names.items():
            entry = catalogue.match(platform, [name])
            assert entry is not None and entry.category == category, (platform, name)
    for platform in ("windows", "macos", "linux"):
        covered = {e.category for e in catalogue.entries if e.role == "app" and catalogue.match(platform, _keys(e.id, platform))}
        assert covered >= {"email", "browser", "password-manager", "finance", "messaging", "documents"}, platform


def _keys(entry_id: str, platform: str) -> list[str]:
    from app.core.resources import read_json

    data = read_json("app_catalogue.json")
    return next(raw[platform] for raw in data["apps"] + data["protected"] if raw["id"] == entry_id)


def test_catalogue_categories_are_the_consent_records_and_keys_are_unique():
    from app.core.resources import read_json

    data = read_json("app_catalogue.json")
    seen: dict[tuple[str, str], str] = {}
    for raw in data["apps"]:
        assert raw["category"] in APP_CATEGORIES and raw["category"] != "other"
        for platform in ("windows", "macos", "linux"):
            for key in raw[platform]:
                assert (platform, key.lower()) not in seen, f"{key} is in {seen.get((platform, key.lower()))} and {raw['id']}"
                seen[(platform, key.lower())] = raw["id"]


def test_remote_support_tools_and_shells_are_protected_by_pattern_and_name():
    catalogue = default_catalogue()
    assert catalogue.match("windows", ["ZohoMeeting.exe"]).role == "remote-support"
    assert catalogue.match("windows", ["TeamViewer_Service.exe"]).role == "remote-support"
    assert catalogue.match("macos", ["com.teamviewer.TeamViewerQS"]).role == "remote-support"
    assert catalogue.match("windows", ["explorer.exe"]).role == "shell"
    assert catalogue.match("macos", ["com.apple.finder"]).role == "shell"
    assert catalogue.match("linux", ["gnome-shell"]).role == "shell"
    assert catalogue.match("linux", ["bash"]) is None


@pytest.mark.parametrize(
    "raw, problem",
    [
        ({"apps": [{"id": "x", "name": "X", "category": "banking", "linux": ["x"]}]}, "unknown category"),
        ({"apps": [{"id": "x", "name": "X", "category": "email"}]}, "names no executable"),
        ({"protected": [{"id": "x", "name": "X", "role": "app", "linux": ["x"]}]}, "role"),
        ({"apps": [{"name": "X", "category": "email", "linux": ["x"]}]}, "needs an id"),
    ],
)
def test_a_malformed_catalogue_is_refused_with_the_entry_named(raw, problem):
    with pytest.raises(CatalogueError, match=problem):
        Catalogue.from_data(raw)


# --- grouping -------------------------------------------------------------------------------

class FakeProcess:
    def __init__(self, pid: int) -> None:
        self.pid = pid


def table(names: dict[int, str]) -> ProcessTable:
    return ProcessTable(dict(names), {pid: FakeProcess(pid) for pid in names})


def facts(parents: dict[int, int] | None = None, others: set[int] = frozenset(), zombies: set[int] = frozenset(),
          lineage: set[int] = frozenset()) -> ProcessFacts:
    parents = parents or {}

    def main_process(tab, pid):
        while parents.get(pid) in tab.names and tab.name(parents[pid]) == tab.name(pid):
            pid = parents[pid]
        return pid

    def descend(tab, roots):
        found, pending = set(), list(roots)
        while pending:
            pid = pending.pop()
            for child, parent in parents.items():
                if parent == pid and child in tab.names and child not in found:
                    found.add(child)
                    pending.append(child)
        return found

    return ProcessFacts(main_process, descend, lambda pid: pid not in others, lambda pid: pid in zombies, set(lineage))


CHROME = {100: "chrome", 101: "chrome", 102: "chrome", 103: "chrome_crashpad"}
CHROME_PARENTS = {101: 100, 102: 100, 103: 100}


def test_helper_processes_and_several_windows_make_one_row():
    windows = [AppWindow(100, 1), AppWindow(100, 2), AppWindow(101, 3)]
    apps = group_apps(windows, table(CHROME), default_catalogue(), "linux", facts(CHROME_PARENTS))
    assert [(a.name, a.category, a.main_pid, a.pids, len(a.windows)) for a in apps] == [
        ("Google Chrome", "browser", 100, (100, 101, 102, 103), 3)
    ]


def test_confidential_apps_come_first_by_category_then_the_rest_by_name():
    names = {1: "zed-editor", 2: "thunderbird", 3: "firefox", 4: "keepassxc", 5: "Calculator"}
    windows = [AppWindow(pid, pid, display_name=name.title()) for pid, name in names.items()]
    apps = group_apps(windows, table(names), default_catalogue(), "linux", facts())
    assert [(a.name, a.flagged) for a in apps] == [
        ("Thunderbird", True), ("Firefox", True), ("KeePassXC", True), ("Calculator", False), ("Zed-Editor", False)
    ]


def test_window_hints_name_apps_whose_process_has_another_name():
    names = {7: "python3", 8: "electron"}
    windows = [AppWindow(7, 70, hints=("org.gnome.Evolution",)), AppWindow(8, 80, hints=("Signal", "signal"))]
    apps = group_apps(windows, table(names), default_catalogue(), "linux", facts())
    assert {(a.name, a.category) for a in apps} == {("Evolution", "email"), ("Signal", "messaging")}


def test_close_policy_protects_the_shell_the_remote_tool_and_other_users_and_hides_the_launcher():
    names = {10: "explorer.exe", 11: "ZohoURS.exe", 12: "outlook.exe", 13: "python.exe", 14: "notepad.exe"}
    windows = [AppWindow(pid, pid) for pid in names]
    apps = group_apps(windows, table(names), default_catalogue(), "windows", facts(others={12}, lineage={13}))
    by_name = {a.name: a for a in apps}
    assert by_name["Windows desktop"].protected == "shell" and not by_name["Windows desktop"].closable
    assert by_name["Zoho Assist"].protected == "remote-support"
    assert by_name["Microsoft Outlook"].protected == "other-user" and by_name["Microsoft Outlook"].flagged
    assert by_name["Notepad"].closable
    assert "python" not in {a.name.lower() for a in apps}


def test_confidential_apps_running_without_a_window_are_listed_but_zombies_and_others_are_not():
    names = {20: "thunderbird", 21: "keepassxc", 22: "signal-desktop", 23: "bash", 24: "slack"}
    apps = group_apps([], table(names), default_catalogue(), "linux", facts(zombies={22}, others={24}))
    assert [(a.name, a.windows) for a in apps] == [("Thunderbird", ()), ("KeePassXC", ())]


def test_an_app_with_windows_is_not_listed_twice_for_its_windowless_helpers():
    names = {30: "firefox", 31: "firefox", 32: "firefox"}
    apps = group_apps([AppWindow(31, 1)], table(names), default_catalogue(), "linux", facts({31: 30, 32: 30}))
    assert [(a.name, a.main_pid, a.pids) for a in apps] == [("Firefox", 30, (30, 31, 32))]


def test_related_processes_from_a_systemd_scope_join_the_app():
    names = {40: "gjs", 41: "evolution-alarm", 42: "bash"}
    apps = group_apps([AppWindow(40, 4)], table(names), default_catalogue(), "linux", facts(),
                      related=lambda pid: (("org.gnome.Evolution",), {40, 41}))
    assert [(a.name, a.pids) for a in apps] == [("Evolution", (40, 41))]


# --- close states and the consent summary -----------------------------------------------------

def app(key="thunderbird", name="Thunderbird", category="email", catalogued=True, **extra) -> OpenApp:
    return OpenApp(key=key, name=name, category=category, catalogued=catalogued, main_pid=extra.pop("main_pid", 5),
                   pids=extra.pop("pids", (5,)), **extra)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_force_is_offered_only_after_the_polite_wait_and_closed_apps_are_remembered():
    clock = Clock()
    tracker = CloseTracker(patience=5, clock=clock)
    tb, kp = app(), app("keepassxc", "KeePassXC", "password-manager")
    tracker.asked(tb)
    tracker.asked(kp)
    clock.now = 4.9
    tracker.observe(Snapshot((tb, kp)))
    assert tracker.state("thunderbird") == RowState.CLOSING and not tracker.may_force("thunderbird")
    assert tracker.waiting
    clock.now = 5.0
    tracker.observe(Snapshot((kp,)))
    assert tracker.state("keepassxc") == RowState.STILL_OPEN and tracker.may_force("keepassxc")
    assert [a.name for a in tracker.closed] == ["Thunderbird"] and not tracker.waiting
    tracker.forcing(kp)
    assert tracker.state("keepassxc") == RowState.FORCING and not tracker.may_force("keepassxc")
    tracker.observe(Snapshot(()))
    assert {a.name for a in tracker.closed} == {"Thunderbird", "KeePassXC"}
    tracker.observe(Snapshot((tb,)))  # opened again: no longer counted as closed
    assert [a.name for a in tracker.closed] == ["KeePassXC"]


def test_the_summary_names_catalogued_apps_only_and_fits_the_consent_record():
    from testbed.consent_records import make_record

    tracker = CloseTracker()
    closed_mail = app()
    secret_tool = app("x-secret-project", "secret-project-tool", "other", catalogued=False, main_pid=9, pids=(9,))
    tracker.asked(closed_mail)
    tracker.asked(secret_tool)
    tracker.observe(Snapshot(()))
    still_open = (
        app("keepassxc", "KeePassXC", "password-manager", main_pid=4242421, pids=(4242421, 4242422),
            windows=(AppWindow(77, 0x400001, ("keepassxc",)),)),
        app("x-clientlist", "client-list-2024.ods", "other", catalogued=False),
        app("windows-shell", "Windows desktop", "other", protected="shell"),
    )
    summary = consent_summary(Snapshot(still_open, windows_listed=False), tracker)
    assert summary.left_open == (AppSummary("KeePassXC", "password-manager"),)
    assert summary.closed == (AppSummary("Thunderbird", "email"),)
    assert summary.windows_listed is False
    data = make_record("482913557")
    data["open_apps"] = {"left_open": [vars(a) for a in summary.left_open],
                         "closed": [vars(a) for a in summary.closed], "windows_listed": False}
    assert ConsentRecord.from_dict(data).open_apps == summary
    text = json.dumps(data["open_apps"])
    assert "client-list" not in text and "secret" not in text and "424242" not in text and str(0x400001) not in text


# --- close policy on real processes ---------------------------------------------------------

class NoWayToAsk(WindowBackend):
    def list_windows(self):
        return []


@pytest.fixture
def child():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def real_app(proc: subprocess.Popen, **extra) -> OpenApp:
    return app(main_pid=proc.pid, pids=(proc.pid,), processes=(psutil.Process(proc.pid),), **extra)


@pytest.mark.skipif(sys.platform.startswith("win"), reason="SIGTERM is the POSIX fallback")
def test_without_a_window_the_polite_close_is_sigterm_to_the_main_process(child):
    assert close_politely(NoWayToAsk(), real_app(child)) == CloseOutcome.SIGNALLED
    assert child.wait(timeout=10) == -15


def test_protected_apps_are_never_closed_even_by_force(child):
    for protected in ("shell", "remote-support", "other-user"):
        target = real_app(child, protected=protected)
        assert close_politely(NoWayToAsk(), target) == CloseOutcome.REFUSED
        assert force_close(NoWayToAsk(), target, confirmed=True) == CloseOutcome.REFUSED
    assert force_close(NoWayToAsk(), real_app(child), confirmed=True, protected_pids={child.pid}) == CloseOutcome.FAILED
    assert force_close(NoWayToAsk(), real_app(child), confirmed=True, owned=lambda pid: False) == CloseOutcome.FAILED
    assert child.poll() is None


def test_force_close_needs_the_confirmation_then_ends_every_process(child):
    target = real_app(child)
    with pytest.raises(ForceNotConfirmed):
        force_close(NoWayToAsk(), target, confirmed=False)
    assert child.poll() is None
    assert force_close(NoWayToAsk(), target, confirmed=True) == CloseOutcome.ASKED
    assert child.wait(timeout=10) == -9


def test_force_close_does_not_hit_a_new_process_that_reused_the_pid(child):
    target = real_app(child)
    stale = psutil.Process(child.pid)
    stale._create_time = stale.create_time() - 1000  # as if the pid had been reused since the scan
    stale._ident = (stale.pid, stale._create_time)
    assert force_close(NoWayToAsk(), replace(target, processes=(stale,)), confirmed=True) == CloseOutcome.GONE
    assert child.poll() is None


# --- processes and platforms --------------------------------------------------------------------

def test_snapshot_and_descendants_see_a_real_process_tree():
    script = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']); print('up', flush=True); time.sleep(60)"
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "up"
        tab = snapshot()
        assert parent.pid in tab.names and os.getpid() in tab.names
        kids = descendants(tab, [parent.pid])
        assert kids == {c.pid for c in psutil.Process(parent.pid).children(recursive=True)} and len(kids) == 1
    finally:
        for proc in psutil.Process(parent.pid).children(recursive=True):
            proc.kill()
        parent.kill()
        parent.wait()


@pytest.mark.parametrize(
    "environ, expected",
    [
        ({"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}, X11Backend),
        ({"DISPLAY": ":0"}, X11Backend),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0", "XDG_SESSION_TYPE": "wayland"}, ProcessListBackend),
        ({"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"}, ProcessListBackend),
        ({}, ProcessListBackend),
    ],
)
def test_linux_uses_x11_only_where_it_sees_every_window(environ, expected):
    backend = default_backend(environ, "linux")
    assert type(backend) is expected
    assert backend.windows_listed == (expected is X11Backend)


def test_a_display_that_does_not_answer_falls_back_to_the_process_list():
    from app.core.open_apps import OpenAppsScanner

    scanner = OpenAppsScanner(X11Backend(":93"), facts=facts())
    result = scanner.scan()
    assert result.windows_listed is False and isinstance(scanner.backend, ProcessListBackend)


def test_systemd_app_units_name_the_app_and_gather_its_processes(tmp_path):
    unit = "user.slice/user-1000.slice/user@1000.service/app.slice/app-gnome-org.mozilla.Thunderbird-4242.scope"
    (tmp_path / "proc" / "4242").mkdir(parents=True)
    (tmp_path / "proc" / "4242" / "cgroup").write_text(f"0::/{unit}\n")
    (tmp_path / "proc" / "5").mkdir()
    (tmp_path / "proc" / "5" / "cgroup").write_text("0::/user.slice/user-1000.slice/session-2.scope\n")
    (tmp_path / "cg" / unit).mkdir(parents=True)
    (tmp_path / "cg" / unit / "cgroup.procs").write_text("4242\n4250\n")
    hints, pids = linux_cgroups.scope_of(4242, tmp_path / "proc", tmp_path / "cg")
    assert "org.mozilla.Thunderbird" in hints and pids == {4242, 4250}
    assert linux_cgroups.scope_of(5, tmp_path / "proc", tmp_path / "cg") == ((), set())
    assert default_catalogue().match("linux", hints).name == "Thunderbird"
    assert linux_cgroups.user_app_units(1000, tmp_path / "cg") == [(hints, {4242, 4250})]
    assert "firefox" in linux_cgroups.app_ids_from_unit("app-gnome-firefox_firefox-2345.scope")
    assert linux_cgroups.app_ids_from_unit("app-flatpak-org.signal.Signal@a1b2.service")[-1] == "org.signal.Signal"


def test_the_icon_nearest_the_shown_size_is_picked():
    small = [16, 16] + [0xFF0000FF] * 256
    mid = [48, 48] + [0xFF00FF00] * 2304
    big = [128, 128] + [0xFFFF0000] * 16384
    icon = pick_icon(small + big + mid)
    assert (icon.width, icon.height) == (48, 48) and icon.data[:4] == (0xFF00FF00).to_bytes(4, sys.byteorder)
    assert (pick_icon(small).width, pick_icon([]), pick_icon([5, 5, 1])) == (16, None, None)
