"""Attendance and assessment of a batch: the grid (one row per enrolled participant, one checkbox
per session, pre-test and post-test), saved row by row with htmx or all at once; the template
sheet; and the import of results from a spreadsheet (check, report, confirm)."""

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from mitra.core.access import log_export
from mitra.core.exports import NUMBER, Column, xlsx_response

from . import results_import, services
from .forms import ResultsUploadForm
from .models import Attendance, BatchStatus, Enrolment, EnrolmentStatus, Result
from .views import GET_POST, enrolment_or_404, managed_batch, perm, visible_enrolments

ASSESSABLE = (BatchStatus.RUNNING, BatchStatus.FINISHED)
CHECK_KEY = "training.results_check.%s"


def _assessable_batch(request, pk):
    """The organiser's batch, running or finished (results belong to a batch that took place)."""
    batch = managed_batch(request, pk)
    if batch.status not in ASSESSABLE:
        return batch, False
    return batch, True


def _not_yet(request, batch):
    messages.error(
        request,
        _("Attendance and results are recorded once the batch has started."),
    )
    return redirect("training:batch_detail", pk=batch.pk)


# ---- grid rows ----------------------------------------------------------------------------------


def _present_sets(enrolments) -> dict[int, set[int]]:
    present = defaultdict(set)
    for enrolment_id, session_id in Attendance.objects.filter(
        enrolment__in=[e.pk for e in enrolments], present=True
    ).values_list("enrolment_id", "session_id"):
        present[enrolment_id].add(session_id)
    return present


def _row(
    enrolment, sessions, present: set[int], *, typed=None, errors=None, saved=False, version=None
):
    attended = len(present & {s.pk for s in sessions})
    return {
        "e": enrolment,
        # A refused row keeps the version its writer read, so saving it again is refused too
        # until the page is reloaded with the other person's change.
        "version": enrolment.version if version is None else version,
        "present": present,
        "pre": typed["pre"] if typed else _text(enrolment.pre_score),
        "post": typed["post"] if typed else _text(enrolment.post_score),
        "attended": attended,
        "percent": round(attended * 100 / len(sessions)) if sessions else None,
        "errors": errors or [],
        "saved": saved,
    }


def _text(value) -> str:
    return "" if value is None else str(value)


def _parse(data, enrolment, session_ids) -> tuple[dict, list[str]]:
    """One row's values as posted: scores (None = empty) and the sessions ticked."""
    errors, values = [], {}
    typed = {}
    for key, label in (("pre", _("Pre-test")), ("post", _("Post-test"))):
        raw = (data.get(f"{key}-{enrolment.pk}") or "").strip()
        typed[key] = raw
        try:
            values[key] = results_import.parse_score(raw)
        except results_import.CellProblem as exc:
            errors.append(f"{label}: {exc}")
    ticked = set()
    for raw in data.getlist(f"att-{enrolment.pk}"):
        if raw.isdigit() and int(raw) in session_ids:
            ticked.add(int(raw))
    values["present"] = ticked
    values["typed"] = typed
    raw_version = (data.get(f"version-{enrolment.pk}") or "").strip()
    # The version the page was read at (ADR 0010). Without it the row cannot show it is not
    # overwriting someone's change: the same answer as a stale one (reload the page).
    try:
        values["version"] = int(raw_version) if raw_version.isdecimal() else 0
    except ValueError:
        values["version"] = 0
    return values, errors


def _save(enrolment, user, values) -> None:
    """Store a row as the grid shows it: an emptied score is cleared, not kept."""
    if values["pre"] is None:
        enrolment.pre_score = None
    if values["post"] is None:
        enrolment.post_score = None
    services.record_results(
        enrolment,
        user,
        pre_score=values["pre"],
        post_score=values["post"],
        present_session_ids=values["present"],
        version=values["version"],
    )


def _summary(rows) -> dict:
    counts = dict.fromkeys(Result.values, 0)
    for row in rows:
        counts[row["e"].result] += 1
    return counts


def _grid_context(batch, user, rows, sessions):
    return {
        "batch": batch,
        "sessions": sessions,
        "rows": rows,
        "summary": _summary(rows),
        "course": batch.course,
    }


@login_required
@perm("training.assess_enrolment")
@GET_POST
def grid(request, pk):
    batch, ok = _assessable_batch(request, pk)
    if not ok:
        return _not_yet(request, batch)
    sessions = list(batch.sessions.all())
    session_ids = {s.pk for s in sessions}
    enrolments = list(
        visible_enrolments(request.user, batch)
        .filter(status=EnrolmentStatus.ENROLLED)
        .order_by("worker__full_name", "pk")
    )
    present = _present_sets(enrolments)
    if request.method == "POST":
        parsed, bad = {}, False
        for e in enrolments:
            if f"row-{e.pk}" not in request.POST:
                continue  # a participant enrolled after the page was opened
            parsed[e.pk] = _parse(request.POST, e, session_ids)
            bad = bad or bool(parsed[e.pk][1])
        if not bad:
            try:
                with transaction.atomic():
                    for e in enrolments:
                        if e.pk in parsed:
                            try:
                                _save(e, request.user, parsed[e.pk][0])
                            except ValidationError as exc:
                                parsed[e.pk][1].extend(exc.messages)  # mark the row it concerns
                                raise
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(
                    request,
                    _("Attendance and scores of %(n)d participants were saved.")
                    % {"n": len(parsed)},
                )
                return redirect("training:grid", pk=batch.pk)
        rows = [
            _row(
                e,
                sessions,
                parsed[e.pk][0]["present"] if e.pk in parsed else present[e.pk],
                typed=parsed[e.pk][0]["typed"] if e.pk in parsed else None,
                errors=parsed[e.pk][1] if e.pk in parsed else None,
                version=parsed[e.pk][0]["version"] if e.pk in parsed else None,
            )
            for e in enrolments
        ]
        messages.error(request, _("Nothing was saved: correct the rows marked in red."))
    else:
        rows = [_row(e, sessions, present[e.pk]) for e in enrolments]
    return render(request, "training/grid.html", _grid_context(batch, request.user, rows, sessions))


@login_required
@perm("training.assess_enrolment")
@require_POST
def grid_row(request, pk, enrolment_pk):
    """Save one participant's row (htmx, on every change) and answer the row re-rendered with
    the result the rules decided."""
    batch, ok = _assessable_batch(request, pk)
    enrolment = enrolment_or_404(request, batch, enrolment_pk)
    if not ok:
        # The organiser may assess; the batch has not started: say so, not "forbidden".
        response = _not_yet(request, batch)
        if request.htmx:
            return HttpResponseClientRedirect(response.url)
        return response
    sessions = list(batch.sessions.all())
    values, errors = _parse(request.POST, enrolment, {s.pk for s in sessions})
    if not errors:
        try:
            _save(enrolment, request.user, values)
        except ValidationError as exc:
            errors = list(exc.messages)
    if errors:
        row = _row(
            enrolment,
            sessions,
            values["present"],
            typed=values["typed"],
            errors=errors,
            version=values["version"],
        )
    else:
        enrolment.refresh_from_db()
        row = _row(enrolment, sessions, values["present"], saved=True)
    if not request.htmx:
        if errors:
            messages.error(request, " ".join(errors))
        return redirect("training:grid", pk=batch.pk)
    others = list(visible_enrolments(request.user, batch).filter(status=EnrolmentStatus.ENROLLED))
    ctx = {
        "batch": batch,
        "sessions": sessions,
        "row": row,
        "summary": _summary([{"e": e} for e in others]),
        "oob": True,
        "now": timezone.localtime(),
    }
    return render(request, "training/grid_row.html", ctx)


# ---- template sheet -----------------------------------------------------------------------------


@login_required
@perm("training.assess_enrolment")
@require_GET
def results_template(request, pk):
    """The participants with their current values, as a sheet to fill in and import."""
    batch, ok = _assessable_batch(request, pk)
    if not ok:
        return _not_yet(request, batch)
    sessions = list(batch.sessions.all())
    enrolments = list(
        visible_enrolments(request.user, batch)
        .filter(status=EnrolmentStatus.ENROLLED)
        .order_by("worker__full_name", "pk")
    )
    present = _present_sets(enrolments)
    columns = [
        Column(results_import.LABEL_NUMBER, NUMBER, 14),
        Column(results_import.LABEL_NAME, width=30),
        Column("NIK", width=20),
        Column(results_import.LABEL_PRE, NUMBER, 10),
        Column(results_import.LABEL_POST, NUMBER, 10),
        *[
            Column(results_import.LABEL_SESSION % {"n": i}, NUMBER, 9)
            for i in range(1, len(sessions) + 1)
        ],
    ]
    rows = (
        [
            e.pk,
            e.worker.full_name,
            e.worker.nik_masked,
            e.pre_score,
            e.post_score,
            *[1 if s.pk in present[e.pk] else 0 for s in sessions],
        ]
        for e in enrolments
    )
    response, count = xlsx_response(
        f"nilai-{batch.course.code}-{batch.pk}.xlsx", columns, rows, sheet_name="Nilai"
    )
    log_export(
        request,
        Enrolment,
        count,
        batch.region_code,
        purpose=_("results sheet of a training batch"),
    )
    return response


# ---- import -------------------------------------------------------------------------------------


def _stored_check(request, batch):
    data = request.session.get(CHECK_KEY % batch.pk)
    if not data:
        return None
    try:
        return results_import.Check.from_dict(data)
    except (TypeError, KeyError):
        request.session.pop(CHECK_KEY % batch.pk, None)
        return None


@login_required
@perm("training.assess_enrolment")
@GET_POST
def results_import_view(request, pk):
    batch, ok = _assessable_batch(request, pk)
    if not ok:
        return _not_yet(request, batch)
    key = CHECK_KEY % batch.pk
    form = ResultsUploadForm(
        request.POST if request.method == "POST" else None, request.FILES or None
    )
    if request.method == "POST" and request.POST.get("action") == "discard":
        request.session.pop(key, None)
        return redirect("training:results_import", pk=batch.pk)
    file_problem = ""
    if form.is_bound and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check = results_import.check_file(upload.name, upload.read(), batch, request.user)
        except results_import.FileProblem as exc:
            file_problem = str(exc)
        else:
            request.session[key] = check.as_dict()
            return redirect("training:results_import", pk=batch.pk)
    return render(
        request,
        "training/results_import.html",
        {
            "batch": batch,
            "form": form,
            "check": _stored_check(request, batch) if not form.is_bound else None,
            "file_problem": file_problem,
            "sessions": batch.sessions.count(),
        },
    )


@login_required
@perm("training.assess_enrolment")
@require_POST
def results_import_confirm(request, pk):
    batch, ok = _assessable_batch(request, pk)
    if not ok:
        return _not_yet(request, batch)
    check = _stored_check(request, batch)
    if check is None or check.digest != request.POST.get("digest"):
        messages.error(request, _("There is no checked file to write; upload it again."))
        return redirect("training:results_import", pk=batch.pk)
    try:
        written = results_import.apply_check(check, batch, request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("training:results_import", pk=batch.pk)
    request.session.pop(CHECK_KEY % batch.pk, None)
    messages.success(
        request,
        _("The results of %(n)d participants were written from %(file)s.")
        % {"n": written, "file": check.file_name},
    )
    return redirect("training:grid", pk=batch.pk)
