"""Demo data, in dependency order. Each later app appends its seeder here."""

from mitra.accounts.demo import seed_demo_users
from mitra.awards.demo import seed_awards
from mitra.cases.demo import seed_cases
from mitra.events.demo import seed_events
from mitra.stats.demo import seed_stats
from mitra.training.demo import seed_training
from mitra.ventures.demo import seed_ventures
from mitra.workers.demo import seed_workers

SCALES = ("demo", "province", "national")

SEEDERS = [
    seed_demo_users,
    seed_workers,
    seed_training,
    seed_cases,
    seed_ventures,  # after the field work: the PSM and their cases exist
    seed_awards,  # after the field work (the evidence), before the events (the invitees)
    seed_events,  # after the awards seeder (its 2018 provincial winners are the invitees)
    seed_stats,  # last: bulk field work beyond DIY at larger scales, then the rollups
]


def seed(scale: str = "demo", stdout=None) -> None:
    if scale not in SCALES:
        raise ValueError(scale)
    for seeder in SEEDERS:
        seeder(scale=scale, stdout=stdout)
