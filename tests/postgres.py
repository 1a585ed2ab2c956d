"""A real PostgreSQL server for the tests: initdb into a temporary directory, started, stopped.

The server binaries are found with `pg_config --bindir`, in /usr/lib/postgresql/*/bin or in
/usr/local/bin. PostgreSQL refuses to run as root, so as root initdb and pg_ctl run as the
`postgres` user (or `nobody`) through runuser, on a directory chowned to it. The server listens
on a Unix socket in that directory and on a free port of 127.0.0.1 (trust authentication: it
is reachable from this machine only, and only for the tests' lifetime).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

NEEDED = ("initdb", "pg_ctl", "postgres")


def bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None when none is installed."""
    places: list[str] = []
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        out = subprocess.run(
            ["pg_config", "--bindir"], capture_output=True, text=True, timeout=10, check=True
        )
        places.append(out.stdout.strip())
    places += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    places += ["/usr/local/bin", "/usr/bin"]
    for place in places:
        if place and all(os.access(Path(place) / name, os.X_OK) for name in NEEDED):
            return Path(place)
    return None


def _free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> tuple[list[str], int | None, int | None]:
    """The command prefix that runs a program as a user PostgreSQL accepts, and its uid/gid."""
    if os.geteuid() != 0:
        return [], None, None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            user = pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"], user.pw_uid, user.pw_gid
    raise RuntimeError("running as root, and neither a postgres nor a nobody user exists")


class PostgresServer:
    """One throwaway PostgreSQL cluster; `database()` makes a fresh empty database."""

    def __init__(self, bin_dir: Path, *, fsync: bool = False) -> None:
        """initdb and start the server (fsync off by default: the tests kill workers, not it)."""
        self.bin = bin_dir
        self.prefix, uid, gid = _runner()
        self.root = Path(tempfile.mkdtemp(prefix="advisor-pg-"))
        self.data = self.root / "data"
        self.port = _free_port()
        self._count = 0
        if uid is not None and gid is not None:
            os.chown(self.root, uid, gid)
        self.root.chmod(0o755)
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--no-locale",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} "
            f"-c unix_socket_directories={self.root} -c max_connections=200 "
            f"-c fsync={'on' if fsync else 'off'} -c full_page_writes={'on' if fsync else 'off'}"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        self.admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        """Run a server program as the server's user; its output in the error if it fails."""
        done = subprocess.run([*self.prefix, *args], capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}\n{done.stderr}")

    def database(self) -> str:
        """Create a new empty database; its URL."""
        self._count += 1
        name = f"t{os.getpid()}_{self._count}_{int(time.monotonic() * 1000) % 100000}"
        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its directory."""
        with contextlib.suppress(RuntimeError, subprocess.SubprocessError):
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")
        shutil.rmtree(self.root, ignore_errors=True)
