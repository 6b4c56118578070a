"""The roles of Mitra, what each may do, and which scope each must have.

Django permissions decide actions (this table); the region decides rows (`visible_to`).
Later apps add their own permissions to `ROLE_PERMISSIONS` here, in one place.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_ADMIN = "national_admin", _("National administrator (Kemensos)")
    PROVINCE_OFFICER = "province_officer", _("Province officer (Dinas Sosial)")
    REGENCY_OFFICER = "regency_officer", _("Regency/city officer (Dinas Sosial)")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor (TKSK)")
    WORKER = "worker", _("Social worker (PSM)")
    JUROR = "juror", _("Juror")
    AUDITOR = "auditor", _("Auditor")


# Higher rank may manage lower ranks. A user can create users only with a rank not above their own.
RANK = {
    Role.NATIONAL_ADMIN: 100,
    Role.PROVINCE_OFFICER: 80,
    Role.AUDITOR: 70,
    Role.REGENCY_OFFICER: 60,
    Role.DISTRICT_SUPERVISOR: 40,
    Role.JUROR: 20,
    Role.WORKER: 10,
}

# The region level each role's scope must be at; None means any level (or national).
SCOPE_LENGTH = {
    Role.NATIONAL_ADMIN: 0,
    Role.PROVINCE_OFFICER: 2,
    Role.REGENCY_OFFICER: 4,
    Role.DISTRICT_SUPERVISOR: 6,
    Role.WORKER: 10,
    Role.JUROR: None,
    Role.AUDITOR: None,
}

OFFICER_ROLES = {Role.NATIONAL_ADMIN, Role.PROVINCE_OFFICER, Role.REGENCY_OFFICER}
SUPERVISOR_ROLES = OFFICER_ROLES | {Role.DISTRICT_SUPERVISOR}
TWO_FACTOR_ROLES = OFFICER_ROLES

_MANAGE_USERS = {"accounts.view_user", "accounts.add_user", "accounts.change_user"}
_READ_REGIONS = {"regions.view_region"}
_AUDIT = {"core.view_changelog", "core.view_accesslog"}
_TRAINING_READ = {"training.view_course", "training.view_batch"}
_TRAINING_MANAGE = _TRAINING_READ | {
    "training.add_batch",
    "training.change_batch",
    "training.enrol_worker",
    "training.assess_enrolment",
    "training.issue_certificate",
    "training.revoke_certificate",
    "training.export_training",
}
_CASES_FIELD = {
    "cases.view_beneficiary",
    "cases.add_beneficiary",
    "cases.change_beneficiary",
    "cases.view_case",
    "cases.add_case",
    "cases.view_activityreport",
    "cases.add_activityreport",
}
_CASES_SUPERVISE = _CASES_FIELD | {
    "cases.change_case",
    "cases.transfer_case",
    "cases.verify_report",
    "cases.view_sensitive",
}
_CASES_MANAGE = _CASES_SUPERVISE | {"cases.export_case", "cases.subject_request"}
_WORKERS_READ = {"workers.view_worker"}
_WORKERS_PROPOSE = _WORKERS_READ | {"workers.add_worker", "workers.change_worker"}
_WORKERS_MANAGE = _WORKERS_PROPOSE | {
    "workers.verify_worker",
    "workers.appoint_worker",
    "workers.transfer_worker",
    "workers.merge_worker",
    "workers.decide_identity",
    "workers.import_worker",
    "workers.export_worker",
    "workers.view_nik",
}

_VENTURES_READ = {"ventures.view_venture"}
_VENTURES_SUPERVISE = _VENTURES_READ | {
    "ventures.add_venture",
    "ventures.change_venture",
    "ventures.add_support",
    "ventures.add_result",
}
_VENTURES_MANAGE = _VENTURES_SUPERVISE | {
    "ventures.add_venturekind",
    "ventures.import_venture",
    "ventures.export_venture",
}

_STATS_READ = {"stats.view_dashboard", "stats.export_stats", "stats.view_report"}
_STATS_MANAGE = _STATS_READ | {"stats.generate_report"}
_AWARDS_READ = {"awards.view_cycle", "awards.view_practice"}
_AWARDS_OFFICER = _AWARDS_READ | {
    "awards.view_nomination",
    "awards.nominate",
    "awards.assign_jury",
    "awards.publish_ranking",
    "awards.appeal",
    "awards.decide_appeal",
}
_EVENTS_READ = {"events.view_event"}
_EVENTS_MANAGE = _EVENTS_READ | {
    "events.add_event",
    "events.change_event",
    "events.invite",
    "events.register",
    "events.record_attendance",
    "events.issue_certificate",
}

ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.NATIONAL_ADMIN: _READ_REGIONS
    | _VENTURES_MANAGE
    | _MANAGE_USERS
    | _AUDIT
    | _WORKERS_MANAGE
    | _TRAINING_MANAGE
    | _CASES_MANAGE
    | _STATS_MANAGE
    | _AWARDS_OFFICER
    | {"awards.manage_cycle"}
    | _EVENTS_MANAGE
    | {"regions.load_regions", "training.add_course", "training.change_course"},
    Role.PROVINCE_OFFICER: _READ_REGIONS
    | _VENTURES_MANAGE
    | _MANAGE_USERS
    | {"core.view_changelog"}
    | _WORKERS_MANAGE
    | _TRAINING_MANAGE
    | _CASES_MANAGE
    | _STATS_MANAGE
    | _AWARDS_OFFICER
    | _EVENTS_MANAGE,
    Role.REGENCY_OFFICER: _READ_REGIONS
    | _VENTURES_MANAGE
    | _MANAGE_USERS
    | {"core.view_changelog"}
    | _WORKERS_MANAGE
    | _TRAINING_MANAGE
    | _CASES_MANAGE
    | _STATS_MANAGE
    | _AWARDS_OFFICER
    | _EVENTS_MANAGE,
    Role.DISTRICT_SUPERVISOR: _READ_REGIONS
    | _VENTURES_SUPERVISE
    | {"accounts.view_user"}
    | _WORKERS_PROPOSE
    | _TRAINING_READ
    | _CASES_SUPERVISE
    | {"stats.view_dashboard", "stats.export_stats"}
    | _AWARDS_READ
    | _EVENTS_READ,
    Role.WORKER: _READ_REGIONS
    | {"workers.view_worker"}
    | _TRAINING_READ
    | {"training.apply"}
    | _CASES_FIELD
    | {"cases.view_sensitive", "stats.view_dashboard"}
    | _VENTURES_READ
    | {"ventures.add_result"}
    | _AWARDS_READ
    | _EVENTS_READ
    | {"events.register"},
    # A juror's nominations, rankings and ranking entries are narrowed to the panels they sit on
    # by visible_to (ADR 0021); they see no appeals.
    Role.JUROR: _READ_REGIONS | _AWARDS_READ | {"awards.view_nomination", "awards.score"},
    # An auditor reads a person's address, phone, birth date and photo masked, and files about a
    # person not at all, until they state a reason that goes into the access log
    # (mitra/core/reasons.py, ADR 0021).
    Role.AUDITOR: _READ_REGIONS
    | _AUDIT
    | {"accounts.view_user"}
    | _WORKERS_READ
    | _TRAINING_READ
    | _VENTURES_READ
    | _STATS_READ
    | _AWARDS_READ
    | {"awards.view_nomination"}
    | _EVENTS_READ,
}


def permissions_for(role: str) -> set[str]:
    return ROLE_PERMISSIONS.get(role, set())


def assignable_roles(role: str) -> list[Role]:
    """Roles a user of `role` may give to the users they create or edit."""
    if role not in OFFICER_ROLES:
        return []
    return [r for r in Role if RANK[r] <= RANK[role]]
