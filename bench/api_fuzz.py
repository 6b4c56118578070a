"""Benchmark-length API fuzzing: the CI check (mitra/core/tests/test_matrix_fuzz.py) with many
more generated cases per operation and role.

    nice .venv/bin/python bench/api_fuzz.py [--examples 50] [--scenarios 200] [--pg-url URL]

CI runs 3 cases per operation and role (7 roles and anonymous, about 1,800 requests), 3 per
operation on rows the API listed itself, and 4 stateful scenarios per writing role; this runs
`--examples` per operation and role (50: about 30,000 requests, roughly half an hour on the 2-core
machine) and `--scenarios` stateful sequences (schemathesis' state machine over the links it
infers between operations). Same checks: no 5xx, every answer follows the OpenAPI schema. Exits
non-zero on any failure, listing each with its operation.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=50)
    parser.add_argument("--scenarios", type=int, default=200)
    parser.add_argument("--pg-url", help="PostgreSQL server URL (default: SQLite)")
    args = parser.parse_args()
    env = {
        **os.environ,
        "MITRA_FUZZ_EXAMPLES": str(args.examples),
        "MITRA_FUZZ_SCENARIOS": str(args.scenarios),
    }
    if args.pg_url:
        env |= {"DATABASE_URL": args.pg_url, "TEST_DB_NAME": "bench_api_fuzz"}
    command = [
        sys.executable,
        "-m",
        "pytest",
        "mitra/core/tests/test_matrix_fuzz.py",
        "-q",
        "-p",
        "no:cacheprovider",
    ]
    return subprocess.call(command, cwd=ROOT, env=env)


if __name__ == "__main__":
    sys.exit(main())
