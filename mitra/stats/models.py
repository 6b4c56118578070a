"""The stats app's tables: the dashboards' rollups and the kept reports."""

from .models_reports import *  # noqa: F403
from .rollups_models import (  # noqa: F401
    CaseSnapshot,
    DirtyDistrict,
    FactMonth,
    ReferralMonth,
    RollupState,
    WorkerSnapshot,
)
