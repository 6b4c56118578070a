"""The jury: officers assign jurors per stage and region (a conflict of interest is refused by the
rules, with their message); a juror's queue holds only the nominations assigned to them; the
scoring page shows the evidence sheet and portfolio beside each juror criterion with its rubric.
A submitted sheet is locked: shown read-only, and the rules refuse any change sent anyway."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mitra.core.forms import UnderstoodForm

from . import services, services_ui
from .forms import AssignForm, ScoreForm
from .models import JuryAssignment, ScoreSheet, Source
from .views import GET_POST, add_errors, perm, refusal, stage_or_404
from .views_nominations import nomination_or_404

# ---- assignments -------------------------------------------------------------------------------


@login_required
@perm("awards.assign_jury")
@GET_POST
def jury(request, stage_pk):
    stage = stage_or_404(stage_pk)
    user = request.user
    form = AssignForm(request.POST if request.method == "POST" else None, stage=stage, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_ui.check_conflict(data["region_code"], data["home_region_code"])
            services.assign_juror(
                stage=stage,
                juror=data["juror"],
                region_code=data["region_code"],
                home_region_code=data["home_region_code"],
                by=user,
            )
        except ValidationError as exc:
            add_errors(form, exc)
        except PermissionDenied:
            form.add_error(
                "region_code", _("You can assign jurors only for a region inside your own area.")
            )
        else:
            messages.success(
                request,
                _("%(juror)s now scores this stage in %(region)s.")
                % {
                    "juror": data["juror"].full_name or data["juror"].username,
                    "region": services_ui.group_label(data["region_code"]),
                },
            )
            return redirect("awards:jury", stage_pk=stage.pk)
    assignments = list(services_ui.assignments_for(user, stage))
    submitted = _submitted_counts(stage, [a.juror_id for a in assignments])
    for a in assignments:
        a.submitted = submitted.get(a.juror_id, 0)
    return render(
        request,
        "awards/jury.html",
        {"stage": stage, "cycle": stage.cycle, "form": form, "assignments": assignments},
    )


def _submitted_counts(stage, juror_ids) -> dict:
    from django.db.models import Count

    return dict(
        ScoreSheet.objects.filter(
            nomination__stage=stage, juror_id__in=juror_ids, submitted_at__isnull=False
        )
        .values_list("juror_id")
        .annotate(n=Count("pk"))
        .order_by()
    )


@login_required
@perm("awards.assign_jury")
@require_POST
def jury_remove(request, stage_pk, pk):
    stage = stage_or_404(stage_pk)
    assignment = get_object_or_404(
        JuryAssignment.objects.managed_by(request.user).filter(stage=stage), pk=pk
    )
    try:
        services.remove_assignment(assignment, request.user)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("The assignment was removed."))
    return redirect("awards:jury", stage_pk=stage.pk)


# ---- the juror's queue ---------------------------------------------------------------------------


@login_required
@perm("awards.score")
@require_GET
def jury_queue(request):
    """The juror's candidates by stage; ?status=waiting keeps those still waiting for their
    marks, ?stage=<id> one stage (the home page's to-do links)."""
    user = request.user
    stage_id = request.GET.get("stage", "")
    stage_id = int(stage_id) if stage_id.isdigit() else None
    waiting_only = request.GET.get("status") == "waiting"
    waiting = services.sheets_waiting(user, stage_id)
    rows = waiting if waiting_only else services.nominations_for_juror(user)
    if stage_id:
        rows = rows.filter(stage_id=stage_id)
    nominations = list(
        rows.select_related("worker__village", "stage__cycle").order_by(
            "-stage__opens_on", "region_code", "worker__full_name"
        )
    )
    waiting_ids = (
        {n.pk for n in nominations} if waiting_only else set(waiting.values_list("pk", flat=True))
    )
    sheets = {
        s.nomination_id: s
        for s in ScoreSheet.objects.visible_to(user).filter(
            juror=user, nomination__in=[n.pk for n in nominations]
        )
    }
    groups: dict = {}
    for n in nominations:
        n.sheet = sheets.get(n.pk)
        groups.setdefault(n.stage, []).append(n)
    todo = sum(1 for n in nominations if n.pk in waiting_ids)
    return render(
        request,
        "awards/jury_queue.html",
        {
            "groups": list(groups.items()),
            "todo": todo,
            "total": len(nominations),
            "waiting_only": waiting_only,
            "stage_id": stage_id,
        },
    )


def _score_errors(form, exc: ValidationError) -> None:
    """The rules name a criterion by its key; the form's field for it is value_<key>."""
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = f"value_{key}"
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# ---- scoring -----------------------------------------------------------------------------------


@login_required
@perm("awards.score")
@GET_POST
def score(request, pk):
    # visible_to gives a juror only the nominations assigned to them: any other is 404.
    nomination = nomination_or_404(request, pk)
    user = request.user
    stage = nomination.stage
    criteria = list(stage.criteria.filter(source=Source.JUROR).order_by("position", "key"))
    computed = list(stage.criteria.filter(source=Source.COMPUTED).order_by("position", "key"))
    sheet = ScoreSheet.objects.filter(nomination=nomination, juror=user).first()
    form = ScoreForm(
        request.POST if request.method == "POST" else None, criteria=criteria, sheet=sheet
    )
    submitting = request.method == "POST" and request.POST.get("action") == "submit"
    understood = UnderstoodForm(
        request.POST if submitting else None,
        label=_("I checked every mark and understand that the sheet cannot be changed afterwards."),
    )
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if sheet is not None and sheet.is_locked:
            messages.error(
                request, _("This score sheet was submitted and is locked: nothing was changed.")
            )
            return redirect("awards:score", pk=nomination.pk)
        # Locking needs the ticked box; the marks stay on the page (nothing is saved) until then.
        if form.is_valid() and (not submitting or understood.is_valid()):
            try:
                with transaction.atomic():
                    sheet = services.sheet_for(nomination, user)
                    version = form.cleaned_data.get("version") or None
                    sheet = services.save_scores(sheet, user, form.values(), version=version)
                    if action == "submit":
                        services.submit_sheet(sheet, user)
            except ValidationError as exc:
                _score_errors(form, exc)
            else:
                if action == "submit":
                    messages.success(
                        request, _("Your marks were submitted. The sheet is now locked.")
                    )
                    return redirect("awards:jury_queue")
                messages.success(request, _("Draft saved. You can change it until you submit."))
                return redirect("awards:score", pk=nomination.pk)
    return render(
        request,
        "awards/score.html",
        {
            "n": nomination,
            "stage": stage,
            "cycle": nomination.cycle,
            "form": form,
            "understood": understood,
            "sheet": sheet,
            "locked": sheet is not None and sheet.is_locked,
            "saved": {s.criterion_id: s for s in sheet.scores.all()} if sheet else {},
            "computed": computed,
            "evidence": services_ui.readable_evidence(services.evidence_sheet(nomination)),
            "files": list(nomination.files.all()),
        },
    )
