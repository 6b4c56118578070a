"""The declared access policy of every route (pages by URL name, API operations by method and
OpenAPI path). `test_matrix_routes.py` walks the URL resolver and the OpenAPI schema and fails for
any route without an entry here (deny by default), then checks every route x role x {own region,
sibling region} against the answer computed from this table, the role table and the region tree.

A policy says who passes the gate, never how the view does it:
- `perms`: the permissions of which the caller needs ALL (empty: any signed-in user);
- `obj`: the kind of object in the URL (a key of OBJECTS); the object's region decides 404;
- `public`: open to anonymous visitors (PUBLIC_ROUTES in test_access.py says why);
- `post`: the route changes data; the matrix then also POSTs an empty body to check that a denied
  caller is refused before validation (allowed callers are not POSTed to: no side effects).
- `rows`: how rows of the object's kind are visible: "down" (inside the caller's area), "updown"
  (inside, or an ancestor region's: national courses, province batches), "none_for" roles that
  see such rows only through an assignment or ownership the matrix does not create.
- `scope_first`: the object is looked up before the permission is checked (a PSM withdraws
  their own enrolment without `training.enrol_worker`), so an invisible row is 404 for everybody;
- `then_perms`: permissions checked only once the object was found (so 404 comes first);
- `own_worker`: the page is a PSM's own (their worker record); callers without one get 403;
- `forbidden_for` / `overrides`: a role refused (403) or answered otherwise by a rule beyond the
  permission table, each with its reason in `note`.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Policy:
    perms: tuple[str, ...] = ()
    obj: str | None = None
    public: bool = False
    post: bool = False
    anon_ok: bool = False  # the login page itself, language switch: anonymous gets the page
    none_for: frozenset[str] = field(default_factory=frozenset)
    scope_first: bool = False
    own_worker: bool = False
    forbidden_for: frozenset[str] = field(default_factory=frozenset)
    overrides: tuple[tuple[str, str], ...] = ()
    then_perms: tuple[str, ...] = ()  # checked after the object's region (403 then)
    done: str = "ok"  # what an allowed write answers (a logout's is the login page)
    note: str = ""


def P(*perms, obj=None, post=False, none_for=(), forbidden_for=(), overrides=None, **kw):
    return Policy(
        tuple(perms),
        obj,
        post=post,
        none_for=frozenset(none_for),
        forbidden_for=frozenset(forbidden_for),
        overrides=tuple(sorted((overrides or {}).items())),
        **kw,
    )


# A PSM's rows are the ones about them or assigned to them, not their whole village's; a juror's
# nominations and rankings are those of the panels they sit on (ADR 0021; the matrix's juror sits
# on none); jobs of jurors and auditors are their own.
_PSM = ("worker",)
_JUROR = ("juror",)
_OWN_JOBS = ("juror", "auditor")


SIGNED_IN = Policy(note="any signed-in user; only their own things")
PUBLIC = Policy(public=True, anon_ok=True)
PUBLIC_ABSENT = Policy(public=True, anon_ok=True, obj="absent", note="sample key: no such row")
ANON_PAGE = Policy(anon_ok=True, note="login/language: works without and with a session")

_W, _WV = "workers.view_worker", "workers.change_worker"
_V = "ventures.view_venture"
LOGIN = "login"
# An activity report is submitted by the PSM who wrote it: officers who see it are refused (403),
# a PSM who is not its author does not see it (404).
_AUTHOR_ONLY = {
    "scope_first": True,
    "none_for": _PSM,
    "forbidden_for": (
        "national_admin",
        "province_officer",
        "regency_officer",
        "district_supervisor",
    ),
    "note": "only the report's author submits it",
}
_PSM_ONLY_OWN = ("worker",)  # a PSM's rows are their own, not their whole village's

PAGES: dict[str, Policy] = {
    "core:home": SIGNED_IN,
    "core:section": Policy(
        anon_ok=True, obj="absent", note="placeholder sections: an unknown key is 404"
    ),
    "core:job_list": SIGNED_IN,
    "core:job_detail": P(obj="job", none_for=_OWN_JOBS),
    "core:changelog": P("core.view_changelog"),
    "core:accesslog": P("core.view_accesslog"),
    "accounts:login": ANON_PAGE,
    "accounts:logout": Policy(
        anon_ok=True, post=True, done=LOGIN, note="POST only; GET is 405; done: the login page"
    ),
    "accounts:two_factor_verify": SIGNED_IN,
    "accounts:profile": SIGNED_IN,
    "accounts:two_factor_setup": SIGNED_IN,
    "accounts:password_change": SIGNED_IN,
    "accounts:token_create": Policy(post=True, note="own token"),
    "accounts:token_revoke": P(obj="absent", post=True, note="own tokens only"),
    "accounts:user_list": P("accounts.view_user"),
    "accounts:user_create": P("accounts.add_user"),
    "accounts:user_detail": P("accounts.view_user", obj="user"),
    "accounts:user_update": P("accounts.change_user", obj="user"),
    "regions:index": SIGNED_IN,
    "regions:search": SIGNED_IN,
    "regions:reload": P("regions.load_regions", post=True),
    "regions:detail": P(obj="region"),
    "workers:list": P(_W),
    "workers:create": P("workers.add_worker"),
    "workers:mine": SIGNED_IN,
    "workers:mine_contact": P(obj="absent", note="404 without an own worker record"),
    "workers:mine_identity": P(obj="absent", note="404 without an own worker record"),
    "workers:request_list": P("workers.decide_identity"),
    "workers:request_detail": P("workers.decide_identity", obj="identity"),
    "workers:duplicates": P("workers.merge_worker"),
    "workers:merge": P("workers.merge_worker", obj="worker_pair"),
    "workers:detail": P(_W, obj="worker", none_for=_PSM),
    "workers:detail_full": P(_W, obj="worker", none_for=_PSM),
    "workers:update": P(_WV, obj="worker"),
    "workers:photo": P(_W, obj="worker_absent_child", note="no photo: 404 after the gate"),
    "workers:status": P(_W, "workers.verify_worker", obj="worker"),
    "workers:decree_create": P("workers.appoint_worker", obj="worker"),
    "workers:decree_scan": P(_W, obj="worker_absent_child"),
    "workers:transfer": P("workers.transfer_worker", obj="worker"),
    "workers:import_start": P("workers.import_worker"),
    "workers:import_detail": P("workers.import_worker", obj="import"),
    "workers:import_mapping": P("workers.import_worker", obj="import"),
    "workers:import_confirm": P("workers.import_worker", obj="import", post=True),
    "workers:import_cancel": P("workers.import_worker", obj="import", post=True),
    "workers:import_report": P(
        "workers.import_worker", obj="import_absent_child", note="no report before the writing"
    ),
    "workers:import_status": P("workers.import_worker", obj="import"),
    "workers:export_csv": P("workers.export_worker"),
    "workers:export_xlsx": P("workers.export_worker"),
    "workers:export_download": P("workers.export_worker", obj="absent"),
    "training:batch_list": P("training.view_batch"),
    "training:mine": P("training.apply"),
    "training:course_list": P("training.view_course"),
    "training:course_create": P("training.add_course"),
    "training:course_detail": P("training.view_course", obj="course"),
    "training:course_update": P("training.change_course", obj="course"),
    "training:batch_create": P("training.add_batch"),
    "training:batch_detail": P("training.view_batch", obj="batch"),
    "training:batch_update": P("training.change_batch", obj="batch"),
    "training:batch_status": P("training.change_batch", obj="batch", post=True),
    "training:batch_sessions": P("training.change_batch", obj="batch"),
    "training:nominate": P("training.enrol_worker", obj="batch"),
    "training:apply": P("training.apply", obj="batch", post=True),
    "training:decide": P("training.enrol_worker", obj="enrolment", post=True),
    "training:withdraw": P(
        "training.enrol_worker", obj="enrolment", scope_first=True, none_for=_PSM + _JUROR
    ),
    "training:grid": P("training.assess_enrolment", obj="batch"),
    "training:grid_row": P("training.assess_enrolment", obj="enrolment", post=True),
    "training:results_template": P("training.assess_enrolment", obj="batch"),
    "training:results_import": P("training.assess_enrolment", obj="batch"),
    "training:results_import_confirm": P("training.assess_enrolment", obj="batch", post=True),
    "training:certificate_detail": P(obj="certificate", none_for=_PSM + _JUROR),
    "training:certificate_pdf": P(obj="certificate", none_for=_PSM + _JUROR),
    "training:certificate_revoke": P("training.revoke_certificate", obj="certificate", post=True),
    "training:certificate_batch_generate": P("training.issue_certificate", obj="batch", post=True),
    "training:certificate_batch_download": P(obj="absent"),
    "training:needs": P("training.view_batch", _W),
    "training:needs_export_csv": P("training.export_training"),
    "training:needs_export_xlsx": P("training.export_training"),
    "training:needs_export_download": P("training.export_training", obj="absent"),
    "training:needs_region": P(
        "training.view_batch",
        _W,
        obj="region",
        overrides={"worker": "ok"},
        note="a PSM is redirected to their own profile's training tab, whatever the region",
    ),
    "cases:home": P("cases.view_case"),
    "cases:case_list": P("cases.view_case"),
    "cases:beneficiary_list": P("cases.view_beneficiary"),
    "cases:beneficiary_create": P("cases.add_beneficiary", "cases.add_case"),
    "cases:beneficiary_detail": P("cases.view_beneficiary", obj="beneficiary", none_for=_PSM),
    "cases:beneficiary_update": P("cases.change_beneficiary", obj="beneficiary", none_for=_PSM),
    "cases:case_create": P("cases.add_case", obj="beneficiary", none_for=_PSM),
    "cases:case_detail": P("cases.view_case", obj="case", none_for=_PSM),
    "cases:case_status": P("cases.view_case", obj="case", post=True, none_for=_PSM),
    "cases:intervention_add": P("cases.view_case", obj="case", post=True, none_for=_PSM),
    "cases:referral_add": P("cases.view_case", obj="case", post=True, none_for=_PSM),
    "cases:referral_outcome": P("cases.view_case", obj="case", post=True, none_for=_PSM),
    "cases:case_transfer": P("cases.transfer_case", obj="case"),
    "cases:report_list": P("cases.view_activityreport"),
    "cases:report_create": P("cases.add_activityreport", own_worker=True),
    "cases:report_detail": P("cases.view_activityreport", obj="report", none_for=_PSM),
    "cases:report_update": P("cases.add_activityreport", obj="report", own_worker=True),
    "cases:report_submit": P("cases.add_activityreport", obj="report", post=True, **_AUTHOR_ONLY),
    "cases:report_verify": P("cases.verify_report", obj="report", post=True),
    "cases:subject_export": P("cases.subject_request", obj="beneficiary"),
    "stats:index": P("stats.view_dashboard"),
    "stats:reports": P("stats.view_report"),
    "stats:report_generate": P("stats.generate_report", post=True),
    "stats:report_schedule": P("stats.generate_report", post=True),
    "stats:report_download": P("stats.view_report", obj="stats_report"),
    "stats:dashboard": P("stats.view_dashboard", obj="area"),
    "stats:export": P("stats.export_stats", obj="area"),
    "awards:index": P("awards.view_cycle"),
    "awards:cycle_create": P("awards.manage_cycle"),
    "awards:cycle_detail": P("awards.view_cycle", obj="cycle"),
    "awards:cycle_update": P("awards.manage_cycle", obj="cycle"),
    "awards:criteria": P("awards.manage_cycle", obj="cycle"),
    "awards:nominate": P("awards.nominate", obj="cycle"),
    "awards:stage_nominations": P("awards.view_nomination", obj="cycle"),
    "awards:nomination_detail": P("awards.view_nomination", obj="nomination", none_for=_JUROR),
    "awards:portfolio_edit": P("awards.nominate", obj="nomination"),
    "awards:withdraw": P("awards.nominate", obj="nomination"),
    "awards:nomination_file": P("awards.view_nomination", obj="nomination_absent_child"),
    "awards:jury": P("awards.assign_jury", obj="cycle"),
    "awards:jury_remove": P("awards.assign_jury", obj="cycle_absent_child", post=True),
    "awards:jury_queue": P("awards.score"),
    "awards:score": P("awards.score", obj="nomination", none_for=_JUROR),
    "awards:rankings": P("awards.view_nomination", obj="cycle"),
    "awards:ranking": P("awards.view_nomination", obj="nomination", none_for=_JUROR),
    "awards:publish": P(
        "awards.publish_ranking",
        obj="nomination",
        forbidden_for=("national_admin", "province_officer"),
        note="a regency's ranking is published by its own regency officer",
    ),
    "awards:appeal_file": P("awards.appeal", obj="published"),
    "awards:appeal_decide": P("awards.decide_appeal", obj="absent"),
    "awards:library": P("awards.view_practice"),
    "awards:public_results": PUBLIC_ABSENT,
    "events:list": P("events.view_event"),
    "events:create": P("events.add_event"),
    "events:detail": P("events.view_event", obj="event"),
    "events:update": P("events.change_event", obj="event"),
    "events:status": P("events.change_event", obj="event", post=True),
    "events:session_create": P("events.change_event", obj="event"),
    "events:session_update": P("events.change_event", obj="event_session"),
    "events:session_delete": P("events.change_event", obj="event_session", post=True),
    "events:material_add": P("events.change_event", obj="event_session"),
    "events:material": P("events.view_event", obj="event_absent_child"),
    "events:material_delete": P("events.change_event", obj="event_absent_child", post=True),
    "events:invitations": P(
        "events.view_event",
        obj="event",
        scope_first=True,
        forbidden_for=_PSM,
        note="a PSM has their invitation only",
    ),
    "events:invite": P("events.invite", obj="event", post=True),
    "events:invite_winners": P("events.invite", obj="event", post=True),
    "events:invitation_withdraw": P("events.invite", obj="invitation", post=True),
    "events:register": P("events.register", obj="invitation", none_for=_PSM),
    "events:decline": P("events.register", obj="invitation", post=True, none_for=_PSM),
    "events:attendance": P("events.record_attendance", obj="event"),
    "events:attendance_row": P("events.record_attendance", obj="invitation", post=True),
    "events:certificates": P(
        "events.view_event",
        obj="event",
        scope_first=True,
        forbidden_for=_PSM,
        note="a PSM has their own only",
    ),
    "events:certificate_batch_generate": P("events.issue_certificate", obj="event", post=True),
    "events:certificate_detail": P(obj="event_certificate", none_for=_PSM + _JUROR),
    "events:certificate_pdf": P(obj="event_certificate", none_for=_PSM + _JUROR),
    "events:certificate_revoke": P("events.issue_certificate", obj="event_certificate", post=True),
    "events:certificate_batch_download": P(obj="absent"),
    "ventures:list": P(_V),
    "ventures:create": P("ventures.add_venture"),
    "ventures:kinds": P(_V),
    "ventures:summary": P(_V),
    "ventures:export_csv": P("ventures.export_venture"),
    "ventures:export_xlsx": P("ventures.export_venture"),
    "ventures:detail": P(_V, obj="venture", none_for=_PSM),
    "ventures:update": P("ventures.change_venture", obj="venture", none_for=_PSM),
    "ventures:support_add": P("ventures.add_support", obj="venture", none_for=_PSM),
    "ventures:support_proof": P(_V, obj="venture_absent_child"),
    "ventures:result_add": P("ventures.add_result", obj="venture", none_for=_PSM),
    "ventures:member_add": P("ventures.change_venture", obj="venture", none_for=_PSM),
    "ventures:import_start": P("ventures.import_venture"),
    "ventures:import_detail": P("ventures.import_venture", obj="venture_import"),
    "ventures:import_confirm": P("ventures.import_venture", obj="venture_import", post=True),
    "ventures:import_cancel": P("ventures.import_venture", obj="venture_import", post=True),
    "certificate_verify": PUBLIC_ABSENT,
    # The PSM's offline field app (issue 14): the shell needs a linked worker record; the
    # manifest and the service worker hold no data and are fetched without cookies.
    "field:app": Policy(own_worker=True, note="a PSM's own field app"),
    "field:service_worker": PUBLIC,
    "field:manifest": PUBLIC,
    "set_language": ANON_PAGE,
    "javascript-catalog": ANON_PAGE,
    # The API's own documentation: the schema names no rows; anonymous callers get it too.
    "api:openapi-json": PUBLIC,
    "api:openapi-view": PUBLIC,
    "api:api-root": PUBLIC_ABSENT,
}

_VT, _VB = "training.view_course", "training.view_batch"
API: dict[str, Policy] = {
    "GET /api/v1/me": SIGNED_IN,
    "GET /api/v1/jobs/{job_id}": P(obj="job", none_for=_OWN_JOBS),
    "GET /api/v1/regions/provinces": SIGNED_IN,
    "GET /api/v1/regions/search": P(obj="search"),
    "GET /api/v1/regions/{code}": P(obj="region"),
    "GET /api/v1/regions/{code}/children": P(obj="region"),
    "GET /api/v1/workers/": P(_W),
    "POST /api/v1/workers/": P("workers.add_worker", post=True),
    "POST /api/v1/workers/search": P(_W, post=True, note="a search by NIK kept out of the URL"),
    "GET /api/v1/workers/{worker_id}": P(_W, obj="worker", none_for=_PSM),
    "PATCH /api/v1/workers/{worker_id}": P(_WV, obj="worker", post=True),
    "POST /api/v1/workers/{worker_id}/status": P(_WV, obj="worker", post=True),
    "POST /api/v1/workers/{worker_id}/decrees": P(
        "workers.appoint_worker", obj="worker", post=True
    ),
    "POST /api/v1/workers/{worker_id}/transfer": P(
        "workers.transfer_worker", obj="worker", post=True
    ),
    "GET /api/v1/training/courses": P(_VT),
    "GET /api/v1/training/courses/{course_id}": P(_VT, obj="course"),
    "GET /api/v1/training/batches": P(_VB),
    "GET /api/v1/training/batches/{batch_id}": P(_VB, obj="batch"),
    "GET /api/v1/training/batches/{batch_id}/enrolments": P(_VB, _W, obj="batch"),
    "POST /api/v1/training/batches/{batch_id}/enrolments": P(
        "training.enrol_worker", obj="batch", post=True
    ),
    "POST /api/v1/training/enrolments/{enrolment_id}/results": P(
        "training.assess_enrolment", obj="enrolment", post=True
    ),
    "POST /api/v1/training/enrolments/{enrolment_id}/withdraw": P(
        "training.enrol_worker",
        obj="enrolment",
        post=True,
        scope_first=True,
        none_for=_PSM + _JUROR,
    ),
    "GET /api/v1/training/certificates/verify/{code}": PUBLIC_ABSENT,
    "GET /api/v1/training/needs": P(_VB, _W),
    "GET /api/v1/cases/": P("cases.view_case"),
    "POST /api/v1/cases/": P("cases.add_case", post=True),
    "GET /api/v1/cases/due": P("cases.view_case"),
    "GET /api/v1/cases/{case_id}": P("cases.view_case", obj="case", none_for=_PSM),
    "POST /api/v1/cases/{case_id}/status": P(
        "cases.view_case", obj="case", post=True, none_for=_PSM
    ),
    "POST /api/v1/cases/{case_id}/interventions": P(
        "cases.view_case", obj="case", post=True, none_for=_PSM
    ),
    "POST /api/v1/cases/{case_id}/referrals": P(
        "cases.view_case", obj="case", post=True, none_for=_PSM
    ),
    "POST /api/v1/cases/{case_id}/referrals/{referral_id}/outcome": P(
        "cases.view_case", obj="referral", post=True, none_for=_PSM
    ),
    "POST /api/v1/cases/{case_id}/transfer": P(
        "cases.transfer_case", obj="case", post=True, scope_first=True, none_for=_PSM
    ),
    "GET /api/v1/cases/reports": P("cases.view_activityreport"),
    "POST /api/v1/cases/reports": P("cases.add_activityreport", post=True, own_worker=True),
    "GET /api/v1/cases/reports/{report_id}": P(
        "cases.view_activityreport", obj="report", none_for=_PSM
    ),
    "POST /api/v1/cases/reports/{report_id}/submit": P(
        "cases.add_activityreport", obj="report", post=True, **_AUTHOR_ONLY
    ),
    "POST /api/v1/cases/reports/{report_id}/verify": P(
        "cases.verify_report", obj="report", post=True
    ),
    "GET /api/v1/cases/beneficiaries": P("cases.view_beneficiary"),
    "POST /api/v1/cases/beneficiaries": P("cases.add_beneficiary", post=True),
    "GET /api/v1/cases/beneficiaries/{person_id}": P(
        "cases.view_beneficiary", obj="beneficiary", none_for=_PSM
    ),
    "PATCH /api/v1/cases/beneficiaries/{person_id}": P(
        "cases.change_beneficiary", obj="beneficiary", post=True, none_for=_PSM
    ),
    "PUT /api/v1/cases/beneficiaries/{person_id}": P(
        "cases.change_beneficiary", obj="beneficiary", post=True, none_for=_PSM
    ),
    "GET /api/v1/stats/indicators": P("stats.view_dashboard"),
    "GET /api/v1/stats/dashboard": P("stats.view_dashboard"),
    "GET /api/v1/stats/children": P("stats.view_dashboard"),
    "GET /api/v1/awards/cycles": P("awards.view_cycle"),
    "GET /api/v1/awards/cycles/{cycle_id}": P("awards.view_cycle", obj="cycle"),
    "GET /api/v1/awards/nominations": P("awards.view_nomination"),
    "POST /api/v1/awards/nominations": P("awards.nominate", post=True),
    "GET /api/v1/awards/nominations/{nomination_id}": P(
        "awards.view_nomination", obj="nomination", none_for=_JUROR
    ),
    "POST /api/v1/awards/nominations/{nomination_id}/withdraw": P(
        "awards.view_nomination",
        obj="nomination",
        post=True,
        none_for=_JUROR,
        then_perms=("awards.nominate",),
    ),
    "GET /api/v1/awards/sheets": P("awards.score"),
    "GET /api/v1/awards/nominations/{nomination_id}/scores": P(
        "awards.score", obj="nomination", none_for=_JUROR
    ),
    "PUT /api/v1/awards/nominations/{nomination_id}/scores": P(
        "awards.score", obj="nomination", post=True, none_for=_JUROR
    ),
    "POST /api/v1/awards/nominations/{nomination_id}/scores/submit": P(
        "awards.score", obj="nomination", post=True, none_for=_JUROR
    ),
    "GET /api/v1/awards/stages/{stage_id}/jury": P("awards.view_nomination", obj="cycle"),
    "POST /api/v1/awards/stages/{stage_id}/jury": P("awards.assign_jury", obj="cycle", post=True),
    "GET /api/v1/awards/rankings": P("awards.view_nomination"),
    "GET /api/v1/awards/rankings/{ranking_id}": P(
        "awards.view_nomination", obj="published", none_for=_JUROR
    ),
    "GET /api/v1/awards/stages/{stage_id}/preview": P(
        "awards.publish_ranking",
        obj="nomination",
        scope_first=True,
        none_for=("district_supervisor", "worker", "juror", "auditor"),
        note="the preview exists only for publishers: the group is not found for others",
    ),
    "POST /api/v1/awards/stages/{stage_id}/publish": P(
        "awards.publish_ranking",
        obj="nomination",
        post=True,
        scope_first=True,
        none_for=("district_supervisor", "worker", "juror", "auditor"),
        forbidden_for=("national_admin", "province_officer"),
        note="a regency's ranking is published by its own regency officer (as the page)",
    ),
    "GET /api/v1/awards/appeals": P("awards.view_nomination"),
    "POST /api/v1/awards/appeals": P(
        "awards.appeal", obj="published", post=True, note="the ranking is named in the body"
    ),
    "POST /api/v1/awards/appeals/{appeal_id}/decision": P(
        "awards.decide_appeal", obj="absent", post=True
    ),
    "GET /api/v1/awards/practices": P("awards.view_practice"),
    "GET /api/v1/ventures/": P(_V),
    "POST /api/v1/ventures/": P("ventures.add_venture", post=True),
    "GET /api/v1/ventures/kinds": P(_V),
    "GET /api/v1/ventures/{venture_id}": P(_V, obj="venture", none_for=_PSM),
    "PATCH /api/v1/ventures/{venture_id}": P(
        "ventures.change_venture", obj="venture", post=True, none_for=_PSM
    ),
    "POST /api/v1/ventures/{venture_id}/supports": P(
        "ventures.add_support", obj="venture", post=True, none_for=_PSM
    ),
    "POST /api/v1/ventures/{venture_id}/results": P(
        "ventures.add_result", obj="venture", post=True, none_for=_PSM
    ),
    "GET /api/v1/events/": P("events.view_event"),
    "GET /api/v1/events/{event_id}": P("events.view_event", obj="event"),
    "GET /api/v1/events/{event_id}/sessions": P("events.view_event", obj="event"),
    "GET /api/v1/events/{event_id}/invitations": P("events.view_event", obj="event"),
    "POST /api/v1/events/{event_id}/invitations": P(
        "events.invite", obj="event", post=True, scope_first=True
    ),
    "POST /api/v1/events/{event_id}/invitations/from-cycle": P(
        "events.invite", obj="event", post=True, scope_first=True
    ),
    "GET /api/v1/events/{event_id}/invitations/{invitation_id}/registration": P(
        "events.register", obj="invitation", scope_first=True, none_for=_PSM
    ),
    "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/registration": P(
        "events.register", obj="invitation", post=True, scope_first=True, none_for=_PSM
    ),
    "GET /api/v1/events/{event_id}/invitations/{invitation_id}/attendance": P(
        "events.view_event", obj="invitation", none_for=_PSM
    ),
    "PUT /api/v1/events/{event_id}/invitations/{invitation_id}/attendance": P(
        "events.record_attendance", obj="invitation", post=True, scope_first=True
    ),
    # The offline field app (ADR 0025): a PSM's own working set and entries; every other caller,
    # and a PSM login without a worker record, gets 403.
    "GET /api/v1/sync/pull": Policy(own_worker=True, note="a PSM's own working set"),
    "POST /api/v1/sync/push": Policy(own_worker=True, post=True, note="a PSM's own entries"),
}
