"""The award's rules, shared by the pages and the API: nominating, the jury and its score sheets,
publishing rankings with advancement, appeals, and the read-outs other apps use (winners for the
events app, the good-practice library, the public results).

Errors: a broken rule raises `django.core.exceptions.ValidationError` with Indonesian messages
(pages show it on the form, the API answers 422); changing a locked score sheet raises `Locked` and
a stale `version` raises `StaleVersion` (both subclasses of ValidationError; the API answers 409);
a missing permission raises `PermissionDenied` (403).
"""

from __future__ import annotations

from .eligibility import check_eligibility, eligible_workers  # noqa: F401  (re-exported)
from .evidence import evidence_sheet, freeze_evidence  # noqa: F401  (re-exported)
from .services_base import (  # noqa: F401  (re-exported)
    Locked,
    StaleVersion,
    bump_version,
    current_stage,
    next_stage,
    stage_at,
)
from .services_jury import (  # noqa: F401  (re-exported)
    assign_juror,
    nominations_for_juror,
    remove_assignment,
    save_scores,
    sheet_for,
    sheets_waiting,
    submit_sheet,
)
from .services_nominations import (  # noqa: F401  (re-exported)
    add_nomination_file,
    nominate,
    update_portfolio,
    withdraw_nomination,
)
from .services_publishing import (  # noqa: F401  (re-exported)
    appeals_to_decide,
    can_publish,
    current_ranking,
    decide_appeal,
    file_appeal,
    preview_ranking,
    publish_ranking,
    ranking_groups,
    ranking_history,
)
from .services_results import (  # noqa: F401  (re-exported)
    national_results,
    practices,
    provincial_winners,
    public_results,
)
