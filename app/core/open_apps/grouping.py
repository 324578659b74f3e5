"""From windows and a process snapshot to the page's rows: one per application, flagged first."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from app.core.consent_record import APP_CATEGORIES
from app.core.open_apps import processes as procs
from app.core.open_apps.catalogue import Catalogue, Entry
from app.core.open_apps.model import PROTECTED_OTHER_USER, AppWindow, OpenApp
from app.core.open_apps.processes import ProcessTable


@dataclass
class ProcessFacts:
    """The per-process questions grouping asks, injectable so the rules are tested without
    real processes."""

    main_process: Callable[[ProcessTable, int], int] = procs.main_process
    descendants: Callable[[ProcessTable, Iterable[int]], set[int]] = procs.descendants
    owned_by_me: Callable[[int], bool] = procs.owned_by_me
    is_zombie: Callable[[int], bool] = procs.is_zombie
    own_lineage: set[int] = field(default_factory=procs.own_lineage)


@dataclass
class _Group:
    entry: Entry | None
    key: str
    display_name: str
    windows: list[AppWindow] = field(default_factory=list)
    mains: list[int] = field(default_factory=list)
    extra_pids: set[int] = field(default_factory=set)


def _strip_exe(name: str) -> str:
    return name[:-4] if name.lower().endswith(".exe") else name


def group_apps(
    windows: Sequence[AppWindow],
    table: ProcessTable,
    catalogue: Catalogue,
    platform: str,
    facts: ProcessFacts | None = None,
    related: Callable[[int], tuple[tuple[str, ...], set[int]]] | None = None,
) -> list[OpenApp]:
    """Rows for the windows a backend listed, plus catalogued confidential applications that run
    with no window (in the tray, or where windows cannot be listed at all).

    ``related(pid)`` may name more hints and processes of the same application (Linux: the
    systemd scope the desktop started it in).
    """
    facts = facts or ProcessFacts()
    groups = _window_groups(windows, table, catalogue, platform, facts, related)
    claimed: set[int] = set()
    for group in groups.values():
        group.extra_pids |= facts.descendants(table, group.mains)
        claimed |= group.extra_pids | set(group.mains)
    for group in _windowless_groups(table, catalogue, platform, facts, claimed, set(groups)):
        groups[group.key] = group
    rows = (_row(group, table, facts) for group in groups.values())
    return sort_apps(row for row in rows if row is not None)


def _window_groups(
    windows: Sequence[AppWindow],
    table: ProcessTable,
    catalogue: Catalogue,
    platform: str,
    facts: ProcessFacts,
    related: Callable[[int], tuple[tuple[str, ...], set[int]]] | None,
) -> dict[str, _Group]:
    """The listed windows, one group per application they belong to."""
    groups: dict[str, _Group] = {}
    for window in windows:
        pid = window.pid
        main = facts.main_process(table, pid) if pid in table.names else pid
        hints, scope_pids = related(main) if related and main else ((), set())
        names = [*window.hints, *hints, table.name(main), table.name(pid)]
        entry = catalogue.match(platform, names)
        key = entry.id if entry else _uncatalogued_key(table.name(main), names, pid)
        group = groups.setdefault(key, _Group(entry, key, entry.name if entry else _fallback_name(window, table.name(main))))
        group.windows.append(window)
        if main and main not in group.mains:
            group.mains.append(main)
        group.extra_pids.update(p for p in scope_pids | {pid} if p and p in table.names)
    return groups


def _uncatalogued_key(program: str | None, names: Sequence[str | None], pid: int) -> str:
    # Uncatalogued apps are told apart by program name, as Task Manager groups them: window
    # hints (a toolkit's default desktop-file name) can be shared by unrelated programs.
    own_name = program or next((n for n in names if n), "") or str(pid)
    return "x-" + own_name.lower()


def _fallback_name(window: AppWindow, program: str | None) -> str:
    return window.display_name or _strip_exe(program or "") or next(iter(window.hints), "")


def _windowless_groups(
    table: ProcessTable,
    catalogue: Catalogue,
    platform: str,
    facts: ProcessFacts,
    claimed: set[int],
    taken: set[str],
) -> list[_Group]:
    """Catalogued confidential applications running with no listed window, one group each."""
    windowless: dict[str, _Group] = {}
    for pid, name in table.names.items():
        if pid in claimed:
            continue
        entry = catalogue.match_exact(platform, name)
        if entry is None or entry.role != "app" or entry.category == "other" or entry.id in taken:
            continue
        group = windowless.setdefault(entry.id, _Group(entry, entry.id, entry.name))
        group.extra_pids.add(pid)
    found = []
    for group in windowless.values():
        alive = {p for p in group.extra_pids if not facts.is_zombie(p) and facts.owned_by_me(p)}
        if not alive:
            continue
        group.extra_pids = alive | facts.descendants(table, alive)
        group.mains = sorted({facts.main_process(table, p) for p in alive} & group.extra_pids) or sorted(alive)
        found.append(group)
    return found


def _row(group: _Group, table: ProcessTable, facts: ProcessFacts) -> OpenApp | None:
    """The page's row for one group; None for the launcher itself (or what it runs inside),
    which is not the customer's to close here."""
    pids = tuple(sorted(set(group.mains) | group.extra_pids))
    if set(pids) & facts.own_lineage:
        return None
    main = group.mains[0] if group.mains else 0
    return OpenApp(
        key=group.key,
        name=group.display_name or group.key,
        category=group.entry.category if group.entry else "other",
        catalogued=group.entry is not None,
        main_pid=main,
        pids=pids,
        windows=tuple(group.windows),
        protected=_protection(group.entry, main, facts),
        icon=next((w.icon for w in group.windows if w.icon is not None), None),
        processes=tuple(table.processes[p] for p in pids if p in table.processes),
    )


def _protection(entry: Entry | None, main: int, facts: ProcessFacts) -> str | None:
    """Why a row may not be closed: a protected catalogue role, or another user's program."""
    if entry is not None and entry.role != "app":
        return entry.role
    if main and not facts.owned_by_me(main):
        return PROTECTED_OTHER_USER
    return None


_CATEGORY_ORDER = {category: i for i, category in enumerate(APP_CATEGORIES)}


def sort_apps(apps: Iterable[OpenApp]) -> list[OpenApp]:
    """Flagged applications first, in the catalogue's category order, then the rest; by name
    within each, so rows keep their places from one refresh to the next."""
    return sorted(
        apps,
        key=lambda app: (
            0 if app.flagged else 1,
            _CATEGORY_ORDER.get(app.category, len(_CATEGORY_ORDER)) if app.flagged else 0,
            app.name.casefold(),
            app.key,
        ),
    )

