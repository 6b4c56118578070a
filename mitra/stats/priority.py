"""Low priority for the rollup refresh (`mitra stats-worker`, ADR 0027).

The refresh shares the server with the pages; it may be late by a minute, a page may not. The
worker process is lowered with `os.nice`, but most of a refresh's work is done by its PostgreSQL
backend, a process of the database server: where that server runs on this machine and lets this
user lower it (the same user, or root), the backend serving the worker's connection is lowered
too. Elsewhere (a database on another host, another user) only the worker itself is, and the
refresh stays bounded by its one core and its statement timeout (rollups._bounded)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)
NICE = int(os.environ.get("MITRA_STATS_WORKER_NICE", "10"))
LOCAL_HOSTS = ("", "localhost", "127.0.0.1", "::1")


def lower_priority(nice: int = NICE) -> None:
    """Lower this process and, from now on, the database backend of each connection it opens."""
    from django.db.backends.signals import connection_created

    if nice > 0:
        os.nice(nice)
    connection_created.connect(_lower_backend, dispatch_uid="mitra-stats-low-priority")


def _lower_backend(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql":
        return  # SQLite runs inside this process, already lowered
    host = connection.settings_dict.get("HOST") or ""
    if host not in LOCAL_HOSTS and not host.startswith("/"):
        return
    with connection.cursor() as cur:
        cur.execute("SELECT pg_backend_pid()")
        pid = cur.fetchone()[0]
    lower_backend(pid, NICE)


def lower_backend(pid: int, nice: int) -> bool:
    """Renice the PostgreSQL backend `pid` to at least `nice`; False where it is not ours to
    lower. The process must be a postgres backend: a server in a container on this host has
    its own process ids, and a number that means another process here is left alone."""
    try:
        if not Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"postgres"):
            return False
        now = os.getpriority(os.PRIO_PROCESS, pid)
        if now < nice:
            os.setpriority(os.PRIO_PROCESS, pid, nice)
        return True
    except OSError as exc:
        log.info("the database backend %s keeps its priority: %s", pid, exc)
        return False
