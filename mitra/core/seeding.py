"""Demo data, in dependency order. Each later app appends its seeder here."""

from mitra.accounts.demo import seed_demo_users
from mitra.cases.demo import seed_cases
from mitra.training.demo import seed_training
from mitra.workers.demo import seed_workers

SCALES = ("demo", "province", "national")

SEEDERS = [
    seed_demo_users,
    seed_workers,
    seed_training,
    seed_cases,
]


def seed(scale: str = "demo", stdout=None) -> None:
    if scale not in SCALES:
        raise ValueError(scale)
    for seeder in SEEDERS:
        seeder(scale=scale, stdout=stdout)
