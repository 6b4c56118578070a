"""What `mitra run` starts: gunicorn with threads (ADR 0027), the task worker, and the
dashboards' refresh worker at low priority (ADR 0027)."""

import subprocess

from mitra.core.management.commands import run


class _Child:
    returncode = 0

    def __init__(self, argv, **kwargs):
        self.argv = argv

    def poll(self):
        return 0  # ended at once: _serve returns

    def terminate(self):
        pass

    def wait(self, timeout=None):
        return 0


def _started(monkeypatch, **options) -> list[list[str]]:
    started = []

    def popen(argv, **kwargs):
        started.append(argv)
        return _Child(argv)

    monkeypatch.setattr(subprocess, "Popen", popen)
    command = run.Command()
    command._serve("127.0.0.1", "8000", options.get("workers", 3), options.get("threads", 4))
    return started


def test_run_serves_with_threads_and_starts_both_workers(monkeypatch):
    web, worker, stats = _started(monkeypatch)
    assert web[web.index("--workers") + 1] == "3"
    assert web[web.index("--threads") + 1] == "4"
    assert web[web.index("--keep-alive") + 1] == "0"  # no reset of a reused idle connection
    assert worker[-1] == "worker"
    assert stats[-1] == "stats-worker"


def test_threads_default_from_web_threads(monkeypatch):
    monkeypatch.setenv("WEB_THREADS", "2")
    parser = run.Command().create_parser("mitra", "run")
    assert parser.parse_args([]).threads == 2
    monkeypatch.delenv("WEB_THREADS")
    assert run.Command().create_parser("mitra", "run").parse_args([]).threads == 4
