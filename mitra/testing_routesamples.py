"""Addresses for every route of the URLconf, filled from the seeded rows as seen by one user:
a row the user sees and a row outside their scope (which must answer 404).

A path parameter names a model (`PARAM_MODELS`; a bare `pk` names the object of its section,
`PK_MODELS`), a region (`code`, `region`) or a value the pages themselves link to (`to`, `fmt`,
...; taken from the addresses the walk noted). In a route with several rows (`/acara/<pk>/sesi/
<session_pk>/`) the last names the row, the others are followed from it through foreign keys, and
the first decides the scope. A parameter of no known kind leaves the route unsampled: the
coverage test then names it."""

from collections import deque

from django.apps import apps
from django.db.models import ForeignKey

PARAM_MODELS = {
    "worker_id": "workers.Worker",
    "decree_pk": "workers.Decree",
    "course_id": "training.Course",
    "batch_id": "training.Batch",
    "batch_pk": "training.Batch",
    "enrolment_id": "training.Enrolment",
    "enrolment_pk": "training.Enrolment",
    "case_id": "cases.Case",
    "referral_id": "cases.Referral",
    "report_id": "cases.ActivityReport",
    "person_id": "cases.Beneficiary",
    "cycle_id": "awards.AwardCycle",
    "cycle_pk": "awards.AwardCycle",
    "stage_id": "awards.Stage",
    "stage_pk": "awards.Stage",
    "nomination_id": "awards.Nomination",
    "file_pk": "awards.NominationFile",
    "ranking_id": "awards.Ranking",
    "appeal_id": "awards.Appeal",
    "event_id": "events.Event",
    "session_pk": "events.EventSession",
    "material_pk": "events.Material",
    "invitation_id": "events.Invitation",
    "invitation_pk": "events.Invitation",
    "job_id": "core.Job",
    "venture_id": "ventures.Venture",
    "support_pk": "ventures.Support",
}
# The longest prefix of the route's template decides what its `pk` is.
PK_MODELS = {
    "/tugas-latar/": "core.Job",
    "/admin/pengguna/": "accounts.User",
    "/akun/token/": "accounts.ApiToken",
    "/pekerja/": "workers.Worker",
    "/pekerja/permintaan/": "workers.IdentityChangeRequest",
    "/pekerja/impor/": "core.Job",
    "/pelatihan/kursus/": "training.Course",
    "/pelatihan/angkatan/": "training.Batch",
    "/pelatihan/sertifikat/": "training.Certificate",
    "/kasus/": "cases.Case",
    "/kasus/penerima/": "cases.Beneficiary",
    "/kasus/laporan-kegiatan/": "cases.ActivityReport",
    "/kasus/laporan-kegiatan/subjek/": "cases.Beneficiary",
    "/dasbor/laporan/": "stats.GeneratedReport",
    "/penghargaan/siklus/": "awards.AwardCycle",
    "/penghargaan/tahap/": "awards.JuryAssignment",
    "/penghargaan/usulan/": "awards.Nomination",
    "/penghargaan/banding/": "awards.Appeal",
    "/acara/": "events.Event",
    "/acara/sertifikat/": "events.ParticipationCertificate",
    "/usaha/": "ventures.Venture",
    "/usaha/impor/": "core.Job",
}
REGION_PARAMS = {"code", "region"}
# Values the pages link to (a status change, a file format, a dashboard table); the fallback
# is used when no page of the walk named the route.
VALUE_PARAMS = {"to": "x", "fmt": "csv", "table_name": "x", "key": "x", "year": "2026"}
# A key no row has, of the right type (so the route's own validation does not answer first).
MADE_UP = {True: "00000000-0000-4000-8000-000000000000", False: "999999"}
# Public verification pages: `code` is a certificate's verification code, not a region.
VERIFY_MARK = "/verif"


def model_for(param: str, template: str):
    label = PARAM_MODELS.get(param)
    if param == "pk":
        prefixes = [p for p in PK_MODELS if template.startswith(p)]
        label = PK_MODELS[max(prefixes, key=len)] if prefixes else None
    return apps.get_model(label) if label else None


def fk_path(model, target, depth: int = 3) -> str | None:
    """The foreign-key path from `model` to `target` ('' for the model itself), shortest first."""
    queue = deque([(model, "")])
    while queue:
        current, path = queue.popleft()
        if current is target:
            return path
        if path.count("__") + 1 > depth:
            continue
        for f in current._meta.fields:
            if isinstance(f, ForeignKey) and f.name not in ("created_by", "updated_by"):
                queue.append((f.related_model, f"{path}__{f.name}" if path else f.name))
    return None


class Unsampled(Exception):
    """A route parameter of no known kind."""


def _follow(row, path: str):
    for part in path.split("__") if path else ():
        row = getattr(row, part)
    return row


def _rows(named: list[tuple[str, object]], user):
    """(kwargs of a visible row, kwargs of an out-of-scope row), each None when there is none."""
    leaf = named[-1][1]
    paths = {}
    for name, model in named:
        path = fk_path(leaf, model)
        if path is None:
            raise Unsampled(f"no foreign key from {leaf.__name__} to {model.__name__} ({name})")
        paths[name] = path
    root_name, root = named[0]
    rows = leaf._default_manager.order_by("pk")
    if not hasattr(root._default_manager.all(), "visible_to"):
        inside, outside = rows.first(), None
    else:
        visible = root._default_manager.visible_to(user).values("pk")
        lookup = f"{paths[root_name]}__in" if paths[root_name] else "pk__in"
        inside = rows.filter(**{lookup: visible}).first()
        outside = rows.exclude(**{lookup: visible}).first()

    def kwargs(row):
        return None if row is None else {n: _follow(row, p).pk for n, p in paths.items()}

    return kwargs(inside), kwargs(outside)


def _regions(noted: str, user):
    """A region code the user sees (their own area; for a national user the one a page linked
    to) and one outside it at the same level (None for a national user)."""
    from mitra.core.scope import prefix_q
    from mitra.regions.models import District, Province, Regency, Village

    scope = user.scope_code or ""
    if not scope:
        return noted or "34", None
    level = {2: Province, 4: Regency, 6: District, 10: Village}[len(scope)]
    other = level.objects.exclude(prefix_q("code", scope)).order_by("code").first()
    return scope, other.code if other else None


def samples(route, user, noted: list[dict]) -> list[tuple[str, str]]:
    """(how, path) pairs for `route` (a `trust_routewalk.Route`) as `user`: "route" with a row
    they see, "out of scope" with one they do not, "route (no seeded row)" with a made-up key
    when the seed has no row they see. `noted`: the parameters of addresses the pages named."""
    seen = noted[0] if noted else {}
    named, values, region = [], {}, None
    name_is_verify_code = VERIFY_MARK in route.template
    for _converter, name in route.params:
        model = model_for(name, route.template)
        if model is not None:
            named.append((name, model))
        elif name == "code" and name_is_verify_code:
            values[name] = str(seen.get(name) or _verify_code())
        elif name in REGION_PARAMS:
            region = name
        elif name in VALUE_PARAMS:
            values[name] = str(seen.get(name, VALUE_PARAMS[name]))
        else:
            raise Unsampled(f"{route.template}: parameter {name!r} of no known kind")
    inside, outside = _rows(named, user) if named else ({}, None)
    if region:
        code_in, code_out = _regions(str(seen.get(region, "")), user)
        if outside is not None:
            outside = {**outside, region: code_in}
        elif code_out and inside is not None:
            outside = {**inside, region: code_out}
        if inside is not None:
            inside = {**inside, region: code_in}
    found = [] if inside is None else [("route", route.path({**values, **inside}))]
    if outside is not None:
        found.append(("out of scope", route.path({**values, **outside})))
    if inside is None:
        made_up = {n: MADE_UP[m._meta.pk.get_internal_type() == "UUIDField"] for n, m in named}
        found.append(("route (no seeded row)", route.path({**values, **made_up})))
    return found


def _verify_code() -> str:
    from mitra.training.models import Certificate

    row = Certificate.objects.order_by("pk").first()
    return row.verify_code if row else "x"
