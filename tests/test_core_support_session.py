"""The provider programs (data) and the support watch's ask-then-end, without Qt or real processes."""

from __future__ import annotations

from app.core.open_apps.backend import WindowBackend
from app.core.open_apps.model import AppWindow
from app.core.open_apps.processes import ProcessTable
from app.core.support_programs import SupportPrograms, default_support_programs
from app.core.support_session import SupportWatch


class FakeProcess:
    def __init__(self, pid: int, computer: FakeComputer, exe: str = "") -> None:
        self.pid, self._computer, self._exe = pid, computer, exe

    def kill(self) -> None:
        self._computer.killed.append(self.pid)
        self._computer.running.pop(self.pid, None)

    def terminate(self) -> None:
        self.kill()

    def exe(self) -> str:
        return self._exe

    def create_time(self) -> float:
        return float(self.pid)


class FakeComputer(WindowBackend):
    """Processes by pid and name, windows, and an X11-like polite close that a program may ignore."""

    platform = "windows"

    def __init__(self, running: dict[int, str], exes: dict[int, str] | None = None, *, obeys_close: bool = True) -> None:
        self.running = dict(running)
        self.exes = exes or {}
        self.obeys_close = obeys_close
        self.asked: list[int] = []
        self.killed: list[int] = []
        self.now = 0.0

    def table(self) -> ProcessTable:
        return ProcessTable(dict(self.running), {pid: FakeProcess(pid, self, self.exes.get(pid, "")) for pid in self.running})

    def list_windows(self) -> list[AppWindow]:
        return [AppWindow(pid, handle=pid) for pid in self.running]

    def close(self, app) -> bool:
        self.asked += [w.pid for w in app.windows]
        if self.obeys_close:
            for pid in app.pids:
                self.running.pop(pid, None)
        return True

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def watch(computer: FakeComputer, provider: str = "zoho-assist", mine=lambda pid: pid < 1000) -> SupportWatch:
    return SupportWatch(
        provider, computer, take_snapshot=computer.table, owned=mine, own_lineage=lambda: {1},
        sleep=computer.sleep, clock=lambda: computer.now,
    )


def test_zoho_assists_programs_are_data_per_system_and_agent_exe_only_from_its_folder():
    programs = default_support_programs()
    assert programs.is_program("zoho-assist", "windows", "ZOHOMEETING.EXE")
    assert programs.is_program("zoho-assist", "windows", "ZA_Upgrader.exe")
    assert programs.is_program("zoho-assist", "windows", "agent.exe", lambda: r"C:\Users\ann\AppData\Local\ZohoMeeting\agent.exe")
    assert not programs.is_program("zoho-assist", "windows", "agent.exe", lambda: r"C:\Program Files\Backup\agent.exe")
    assert programs.is_program("zoho-assist", "macos", "com.zoho.assist.customer")
    assert programs.is_program("teamviewer", "windows", "TeamViewerQS.exe")
    assert not programs.is_program("zoho-assist", "windows", "TeamViewerQS.exe")
    assert not programs.is_program("demo", "linux", "ZohoMeeting")


def test_the_session_is_live_while_the_program_runs_and_other_users_and_the_launcher_do_not_count():
    computer = FakeComputer({1: "ZohoMeeting.exe", 40: "ZohoMeeting.exe", 41: "ZohoURS.exe", 2000: "ZohoURS.exe", 50: "notepad.exe"})
    live = watch(computer).running()
    assert live is not None and live.pids == (40, 41)  # not the launcher (1), not another user's (2000)
    assert watch(FakeComputer({50: "notepad.exe"})).running() is None


def test_end_asks_first_and_a_program_that_obeys_is_not_forced():
    computer = FakeComputer({40: "ZohoMeeting.exe", 41: "ZohoURS.exe"})
    outcome = watch(computer).end()
    assert (outcome.gone, outcome.forced) == (True, False)
    assert computer.asked == [40, 41] and computer.killed == []


def test_end_forces_a_program_still_running_after_a_few_seconds():
    computer = FakeComputer({40: "ZohoMeeting.exe", 41: "ZohoURS.exe"}, obeys_close=False)
    outcome = watch(computer).end(patience=3.0)
    assert (outcome.gone, outcome.forced) == (True, True)
    assert computer.asked == [40, 41] and sorted(computer.killed) == [40, 41]
    assert computer.now >= 3.0  # it had its few seconds to close when asked


def test_a_provider_with_no_program_here_is_not_watched():
    programs = SupportPrograms.from_data({"providers": {"zoho-assist": {"name": "Zoho Assist", "macos": ["com.zoho.*"]}}})
    computer = FakeComputer({40: "ZohoMeeting.exe"})
    assert not SupportWatch("zoho-assist", computer, programs=programs, take_snapshot=computer.table).watches_anything
    assert not watch(computer, provider="demo").watches_anything
