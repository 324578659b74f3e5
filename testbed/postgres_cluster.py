"""A throwaway PostgreSQL cluster for tests and benchmarks: ``initdb`` and ``pg_ctl`` in a
temporary folder, listening on a free loopback port (and a unix socket in that folder), removed
again afterwards.

``initdb`` refuses to run as root, so as root everything runs as the ``postgres`` user (Debian's
``postgresql`` package makes it) through ``runuser``, in a folder that user owns. Connections over
TCP need the cluster's random password, so another local user cannot use the test database.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

SERVICE_USER = "postgres"
_PREFERRED_MAJOR = "15"


class ClusterUnavailable(RuntimeError):
    """PostgreSQL's server programs are not here; the message says how to get them."""


def find_bindir() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``: Debian's versioned folder
    (15 first), else whatever ``initdb`` is on the PATH."""
    candidates = [f"/usr/lib/postgresql/{_PREFERRED_MAJOR}/bin"]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).parent))
    for folder in candidates:
        if all(os.access(Path(folder, name), os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            return Path(folder)
    raise ClusterUnavailable(
        "PostgreSQL's server programs (initdb, pg_ctl) are not installed; `make system-deps` installs them"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresCluster:
    """``with PostgresCluster() as cluster:`` runs a private PostgreSQL until the block ends.

    ``durable=False`` (tests) turns fsync off: a test never survives a power cut anyway, and it
    makes CREATE DATABASE and every commit cheap. Benchmarks keep the defaults a real
    installation has (fsync on, synchronous_commit on).
    """

    def __init__(self, *, durable: bool = False, max_connections: int = 100) -> None:
        self.bindir = find_bindir()
        self.durable = durable
        self.max_connections = max_connections
        self.password = secrets.token_urlsafe(18)
        self.user = SERVICE_USER
        self.port: int | None = None
        self.folder: Path | None = None
        self._as_user: list[str] = []
        self._owner: pwd.struct_passwd | None = None

    # -- where it is --------------------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        assert self.folder is not None, "the cluster is not running"
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.folder is not None, "the cluster is not running"
        return self.folder

    @property
    def pid(self) -> int:
        """The postmaster's process id (its children are the connections' backends)."""
        return int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])

    def url(self, database: str = "postgres") -> str:
        """The address a server is given: ``postgresql://USER:PASSWORD@127.0.0.1:PORT/DB``."""
        return f"postgresql://{self.user}:{self.password}@127.0.0.1:{self.port}/{database}"

    # -- running it ---------------------------------------------------------------------------

    def start(self) -> PostgresCluster:
        if os.geteuid() == 0:
            try:
                self._owner = pwd.getpwnam(SERVICE_USER)
            except KeyError:
                raise ClusterUnavailable(
                    f"there is no {SERVICE_USER!r} user to run PostgreSQL as (initdb refuses root); "
                    "`make system-deps` installs Debian's postgresql, which makes it"
                ) from None
            self._as_user = ["runuser", "-u", SERVICE_USER, "--"]
        else:
            self.user = pwd.getpwuid(os.geteuid()).pw_name
        # Not pytest's tmp_path: that lies under a root-only folder the postgres user cannot enter.
        self.folder = Path(tempfile.mkdtemp(prefix="phonetex-pg-"))
        try:
            if self._owner is not None:
                os.chown(self.folder, self._owner.pw_uid, self._owner.pw_gid)
            self._initdb()
            self._start_server()
        except BaseException:
            self.stop()
            raise
        return self

    def _run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(
            [*self._as_user, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=self.folder,
            env={**os.environ, "LC_ALL": "C"},
        )
        if result.returncode != 0:
            raise RuntimeError(f"{Path(args[0]).name} failed: {(result.stderr or result.stdout).strip()[-2000:]}")
        return result

    def _initdb(self) -> None:
        assert self.folder is not None
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if self._owner is not None:
            os.chown(password_file, self._owner.pw_uid, self._owner.pw_gid)
        password_file.chmod(0o600)
        self._run(
            str(self.bindir / "initdb"),
            "--pgdata", str(self.data_dir),
            "--username", self.user,
            "--pwfile", str(password_file),
            "--auth-local", "trust",
            "--auth-host", "scram-sha-256",
            "--encoding", "UTF8",
            "--locale", "C",
            # Nothing to make durable: the folder is gone after the run.
            "--no-sync",
        )
        password_file.unlink()

    def _start_server(self) -> None:
        settings = [
            "-c listen_addresses=127.0.0.1",
            f"-c unix_socket_directories={self.socket_dir}",
            f"-c max_connections={self.max_connections}",
        ]
        if not self.durable:
            settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
        # Another program may take a port between free_port() and the bind: try a few.
        last_error: Exception | None = None
        for _ in range(5):
            self.port = free_port()
            try:
                self._run(
                    str(self.bindir / "pg_ctl"),
                    "--pgdata", str(self.data_dir),
                    "--log", str(self.folder / "server.log"),
                    "--options", " ".join([f"-p {self.port}", *settings]),
                    "--wait",
                    "--timeout", "60",
                    "start",
                    timeout=90,
                )
                return
            except RuntimeError as exc:
                last_error = exc
                log = self.folder / "server.log"
                if not (log.exists() and "could not bind" in log.read_text(errors="replace")):
                    break
        raise RuntimeError(f"PostgreSQL did not start: {last_error}; log: {self.log_tail()}")

    def log_tail(self, chars: int = 2000) -> str:
        log = self.folder / "server.log" if self.folder else None
        return log.read_text(errors="replace")[-chars:] if log and log.exists() else "(no log)"

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run ``sql`` as the cluster's superuser over the unix socket; return psql's output."""
        return self._run(
            str(self.bindir / "psql"),
            "--no-psqlrc", "--quiet", "--tuples-only", "--no-align",
            "--set", "ON_ERROR_STOP=1",
            "--host", str(self.socket_dir),
            "--port", str(self.port),
            "--username", self.user,
            "--dbname", database,
            "--command", sql,
        ).stdout

    def stop(self) -> None:
        """Stop the server at once and remove its folder; safe to call twice."""
        folder, self.folder = self.folder, None
        if folder is None:
            return
        if (folder / "data" / "postmaster.pid").exists():
            subprocess.run(
                [*self._as_user, str(self.bindir / "pg_ctl"), "--pgdata", str(folder / "data"),
                 "--mode", "immediate", "--wait", "stop"],
                capture_output=True,
                timeout=60,
                cwd=folder,
            )
        shutil.rmtree(folder, ignore_errors=True)

    def __enter__(self) -> PostgresCluster:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

