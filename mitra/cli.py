"""The `mitra` command: `mitra run`, `mitra load-regions`, `mitra seed`, `mitra worker`,
`mitra stats-worker`, and every Django management command (`mitra migrate`, ...)."""

import os
import sys

ALIASES = {
    "load-regions": ["load_regions"],
    # Every queue but the dashboards' refresh, which the low-priority stats worker takes.
    "worker": ["db_worker", "--no-reload", "--queue-name", "*", "--exclude-queues", "rollups"],
    "stats-worker": ["db_worker", "--no-reload", "--queue-name", "rollups"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "stats-worker":
        import django

        from mitra.stats.priority import lower_priority

        django.setup()
        lower_priority()
    if args and args[0] in ALIASES:
        args = ALIASES[args[0]] + args[1:]
    elif args and "-" in args[0] and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["mitra", *args])


if __name__ == "__main__":
    main()
