"""Dashboard data for the demo scales.

demo: nothing to add (the field-work seed covers DI Yogyakarta). province and national: the
field-work seed covers DIY only, so the other provinces of the scale get field work generated
set-based by `bulkseed` over the workers the workforce seed made (beneficiaries, cases,
interventions, referrals and activity reports in national proportions). Every scale ends by
rebuilding the rollups: the seeders write with bulk_create, which no signal sees."""

from __future__ import annotations

import time

from mitra.core.scope import prefix_q


def seed_stats(scale: str = "demo", stdout=None) -> int:
    from mitra.cases.models import Beneficiary
    from mitra.regions.models import Province
    from mitra.workers.demo import SCALE_PROVINCES

    from . import bulkseed, rollups

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    made = 0
    if scale != "demo":
        provinces = SCALE_PROVINCES[scale] or list(
            Province.objects.order_by("code").values_list("code", flat=True)
        )
        # Idempotent per province: one that has beneficiaries already (DIY's story) is skipped.
        todo = [
            p
            for p in provinces
            if not Beneficiary.objects.filter(prefix_q("region_code", p)).exists()
        ]
        if todo:
            say(f"Field work for {len(todo)} provinces (bulk)…")
            result = bulkseed.build(provinces=todo, existing_workers=True, log=say)
            made = result.get("beneficiaries", 0)
    started = time.monotonic()
    rollups.rebuild_all()
    say(f"Dashboard rollups rebuilt in {time.monotonic() - started:.1f} s.")
    return made
