"""Drop the shared libraries that only left-out files needed (used by build.spec).

PyInstaller collects a plugin's or module's linked libraries while it analyses, before the spec
can leave the plugin out: the GTK theme plugin brings cairo, pango and GDK, QtNetwork brings
Kerberos. Taking the plugin out of the list leaves those behind as orphans. A library stays only
if something kept still links to it; anything no collected file links to (Python extension
modules, Qt plugins, the Python library itself: loaded with dlopen) is a starting point.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import PurePath

Entry = tuple[str, str, str]  # (name in the bundle, source path, PyInstaller type code)


def _name(path: str) -> str:
    return PurePath(path).name


def without_orphans(
    kept: list[Entry],
    collected: Iterable[Entry],
    imports_of: Callable[[str], Iterable[str]],
) -> list[Entry]:
    """``kept`` minus the libraries that only entries of ``collected`` not in ``kept`` linked to.

    ``imports_of(source_path)`` names the libraries a binary links to (its ELF NEEDED entries,
    PE imports or Mach-O load commands); PyInstaller's ``bindepend.get_imports`` does that.
    """
    links: dict[str, set[str]] = {}
    for dest, source, typecode in collected:
        if typecode in ("BINARY", "EXTENSION"):
            links[_name(dest)] = {_name(library) for library in imports_of(source)}
    linked_to = set().union(*links.values()) if links else set()

    binaries = {_name(dest) for dest, _source, typecode in kept if typecode in ("BINARY", "EXTENSION")}
    reachable = {name for name in binaries if name not in linked_to}
    todo = list(reachable)
    while todo:
        for library in links.get(todo.pop(), ()):
            if library in binaries and library not in reachable:
                reachable.add(library)
                todo.append(library)

    result = []
    for dest, source, typecode in kept:
        if typecode in ("BINARY", "EXTENSION") and _name(dest) not in reachable:
            continue
        if typecode == "SYMLINK" and _name(source) in binaries and _name(source) not in reachable:
            continue
        result.append((dest, source, typecode))
    return result
