"""`mitra run`: prepare the database on first start, then serve with gunicorn plus the task
workers (`mitra worker`, and `mitra stats-worker` for the dashboards' refresh at low priority)."""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from mitra.accounts.demo import DEMO_PASSWORD, DEMO_USERS
from mitra.accounts.models import User
from mitra.regions.models import Village


class Command(BaseCommand):
    help = "Migrate, load regions and demo data on first start, then serve and run the task worker."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", default=os.environ.get("PORT", "8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "3")))
        # Threads: a request waiting on PostgreSQL no longer holds a whole worker, so one slow
        # page does not queue the short ones behind it (bench/load.py; ADR 0027).
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument("--no-seed", action="store_true", help="Do not create demo data.")
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Migrate and load, then exit without serving.",
        )

    def handle(self, *args, host, port, workers, threads, no_seed, prepare_only, **options):
        settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Database ready.")
        call_command("collectstatic", interactive=False, verbosity=0)
        if not Village.objects.exists():
            self.stdout.write("Loading the official region tree (first start)…")
            call_command("load_regions", stdout=self.stdout)
        if settings.DEMO_MODE and not no_seed and not User.objects.exists():
            self.stdout.write("Creating demo data (first start)…")
            call_command("seed", scale="demo", stdout=self.stdout)
        if settings.DEMO_MODE:
            self._print_demo_logins(host, port)
        if prepare_only:
            return
        self._serve(host, port, workers, threads)

    def _print_demo_logins(self, host, port):
        names = ", ".join(u for u, *_ in DEMO_USERS)
        self.stdout.write(
            self.style.SUCCESS(
                f"\nMitra is starting on http://{host}:{port}\n"
                f"Demo logins: {names}\nDemo password (all demo users): {DEMO_PASSWORD}\n"
            )
        )

    def _serve(self, host, port, workers, threads):
        env = os.environ.copy()
        web = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "mitra.wsgi:application",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--threads",
                str(threads),
                # No keep-alive: gunicorn's threaded worker closes an idle kept-alive connection
                # after a few seconds, and a request a client sends on it meanwhile is reset
                # (bench/load.py: "connection reset by peer" under load). A proxy in front keeps
                # its own connections to the browsers.
                "--keep-alive",
                "0",
                "--access-logfile",
                "-",
                "--access-logformat",
                '%(h)s "%(m)s %(U)s" %(s)s %(M)sms',
                "--graceful-timeout",
                "10",
            ],
            env=env,
        )
        worker = subprocess.Popen([sys.executable, "-m", "mitra.cli", "worker"], env=env)
        # The dashboards' refresh, at low priority beside the pages (ADR 0027).
        stats = subprocess.Popen([sys.executable, "-m", "mitra.cli", "stats-worker"], env=env)
        children = [web, worker, stats]

        def stop(signum, frame):
            for child in children:
                if child.poll() is None:
                    child.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while all(child.poll() is None for child in children):
                time.sleep(0.5)
        finally:
            stop(None, None)
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
        failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
        if failed:
            raise SystemExit(1)
