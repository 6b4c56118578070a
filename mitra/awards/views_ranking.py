"""Rankings and appeals: per stage and region the ranking as it stands (or as published), with the
method in words and every number expandable back to its evidence and the (normalised) marks;
publication by the responsible officer after a confirmation; appeals filed by the nominee's
officer within the window and decided by the officer above, shown on the ranking."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from mitra.core.forms import UnderstoodForm

from . import services, services_ui
from .forms import AppealForm, DecisionForm
from .models import Appeal, AppealStatus, Award, Level, Nomination, Ranking
from .services_publishing import may_decide
from .views import GET_POST, add_errors, perm, refusal, stage_or_404
from .views_nominations import nomination_or_404


def _region_or_404(user, stage, slug) -> tuple[str, str]:
    region = services_ui.region_from_slug(slug)
    if region is None:
        raise Http404
    access = services_ui.ranking_access(user, stage, region)
    if access is None:
        raise Http404
    return region, access


@login_required
@perm("awards.view_nomination")
@require_GET
def rankings(request, stage_pk):
    stage = stage_or_404(stage_pk)
    groups = services_ui.groups_for(request.user, stage)
    if len(groups) == 1:
        return redirect(
            "awards:ranking", stage_pk=stage.pk, region=services_ui.region_slug(groups[0])
        )
    current = {
        r.region_code: r
        for r in Ranking.objects.visible_to(request.user).current().filter(stage=stage)
    }
    rows = [
        {
            "code": g,
            "slug": services_ui.region_slug(g),
            "label": services_ui.group_label(g),
            "ranking": current.get(g),
        }
        for g in groups
    ]
    return render(
        request,
        "awards/rankings.html",
        {"stage": stage, "cycle": stage.cycle, "rows": rows},
    )


def _published_rows(ranking, user):
    entries = list(ranking.entries.select_related("nomination__worker__village").order_by("rank"))
    seen = set(
        Nomination.objects.visible_to(user)
        .filter(pk__in=[e.nomination_id for e in entries])
        .values_list("pk", flat=True)
    )
    for e in entries:
        e.in_scope = e.nomination_id in seen
        e.parts = _parts(e.components)
        e.award_label = _award_label(e.award)
    return entries


def _parts(components: dict) -> list[dict]:
    return [dict(value, key=key) for key, value in (components or {}).items()]


def _award_label(code: str) -> str:
    return str(Award(code).label) if code in Award.values else ""


@login_required
@perm("awards.view_nomination")
@require_GET
def ranking(request, stage_pk, region):
    stage = stage_or_404(stage_pk)
    user = request.user
    code, access = _region_or_404(user, stage, region)
    published = services.current_ranking(stage, code)
    ctx = {
        "stage": stage,
        "cycle": stage.cycle,
        "region": code,
        "slug": services_ui.region_slug(code),
        "region_label": services_ui.group_label(code),
        "published": published,
        "history": [],
        "national": stage.level == Level.NATIONAL,
        "can_publish": False,
        "problems": [],
        "today": timezone.localdate(),
    }
    if published is not None:
        ctx["entries"] = _published_rows(published, user)
        ctx["method"] = published.method
        ctx["history"] = [r for r in services.ranking_history(stage, code) if r.pk != published.pk]
        ctx["appeals"] = (
            Appeal.objects.visible_to(user)
            .filter(ranking__stage=stage, ranking__region_code=code)
            .select_related("nomination__worker", "ranking")
        )
        ctx["appeal_open"] = published.appeal_deadline >= ctx["today"]
        ctx["may_appeal"] = user.has_perm("awards.appeal") and ctx["appeal_open"]
        ctx["may_decide"] = may_decide(user, published)
        # One waiting appeal per nomination: no second button while one is pending.
        ctx["appealable"] = set(
            Nomination.objects.managed_by(user)
            .filter(pk__in=[e.nomination_id for e in ctx["entries"]])
            .exclude(appeals__status=AppealStatus.PENDING)
            .values_list("pk", flat=True)
        )
    elif access == "preview":
        result = services.preview_ranking(stage, code)
        seen = set(
            Nomination.objects.visible_to(user)
            .filter(pk__in=[e.nomination.pk for e in result.entries])
            .values_list("pk", flat=True)
        )
        for e in result.entries:
            e.in_scope = e.nomination.pk in seen
            e.parts = _parts(e.components)
            e.award_label = _award_label(e.award)
        ctx.update(
            entries=result.entries,
            method=result.method,
            problems=result.problems,
            can_publish=services.can_publish(user, stage, code),
            next_stage=services.next_stage(stage),
        )
    else:
        ctx["entries"] = []
    return render(request, "awards/ranking.html", ctx)


@login_required
@perm("awards.publish_ranking")
@GET_POST
def publish(request, stage_pk, region):
    stage = stage_or_404(stage_pk)
    user = request.user
    code, access = _region_or_404(user, stage, region)
    if access != "preview" or not services.can_publish(user, stage, code):
        raise PermissionDenied
    slug = services_ui.region_slug(code)
    if services.current_ranking(stage, code) is not None:
        messages.info(request, _("This ranking is already published."))
        return redirect("awards:ranking", stage_pk=stage.pk, region=slug)
    understood = UnderstoodForm(
        request.POST if request.method == "POST" else None,
        label=_("I understand that publishing cannot be undone."),
    )
    if request.method == "POST" and understood.is_valid():
        try:
            published = services.publish_ranking(stage, code, user)
        except ValidationError as exc:
            messages.error(request, refusal(exc))
        else:
            advanced = [
                e for e in published.entries.select_related("nomination__worker") if e.advanced
            ]
            nxt = services.next_stage(stage)
            if nxt is not None and advanced:
                messages.success(
                    request,
                    _("The ranking is published. Going on to the %(stage)s stage: %(names)s.")
                    % {
                        "stage": nxt.get_level_display(),
                        "names": ", ".join(e.nomination.worker.full_name for e in advanced),
                    },
                )
            else:
                messages.success(request, _("The ranking is published."))
        return redirect("awards:ranking", stage_pk=stage.pk, region=slug)
    result = services.preview_ranking(stage, code)
    return render(
        request,
        "awards/publish.html",
        {
            "stage": stage,
            "cycle": stage.cycle,
            "region": code,
            "slug": slug,
            "region_label": services_ui.group_label(code),
            "result": result,
            "understood": understood,
            "next_stage": services.next_stage(stage),
            "winners": [e for e in result.entries if e.rank <= stage.advance_count],
        },
    )


# ---- appeals -----------------------------------------------------------------------------------


@login_required
@perm("awards.appeal")
@GET_POST
def appeal_file(request, pk):
    nomination = nomination_or_404(request, pk)
    if not Nomination.objects.managed_by(request.user).filter(pk=nomination.pk).exists():
        raise PermissionDenied
    stage = nomination.stage
    code = stage.group_code(nomination.region_code)
    ranking_ = services.current_ranking(stage, code)
    if ranking_ is None:
        messages.error(request, _("There is no published ranking to appeal against yet."))
        return redirect("awards:nomination_detail", pk=nomination.pk)
    form = AppealForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.file_appeal(ranking_, nomination, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, _("The appeal was filed. The officer above will decide it."))
            return redirect(
                "awards:ranking", stage_pk=stage.pk, region=services_ui.region_slug(code)
            )
    return render(
        request,
        "awards/appeal_form.html",
        {
            "n": nomination,
            "ranking": ranking_,
            "form": form,
            "slug": services_ui.region_slug(code),
            "region_label": services_ui.group_label(code),
            "window_open": ranking_.appeal_deadline >= timezone.localdate(),
        },
    )


@login_required
@perm("awards.decide_appeal")
@GET_POST
def appeal_decide(request, pk):
    appeal = get_object_or_404(
        Appeal.objects.visible_to(request.user).select_related(
            "nomination__worker", "ranking__stage__cycle"
        ),
        pk=pk,
    )
    ranking_ = appeal.ranking
    if not may_decide(request.user, ranking_):
        raise PermissionDenied
    slug = services_ui.region_slug(ranking_.region_code)
    form = DecisionForm(
        request.POST if request.method == "POST" else None, initial={"version": appeal.version}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decide_appeal(
                appeal,
                request.user,
                upheld=data["upheld"],
                reason=data["reason"],
                version=data["version"],
            )
        except ValidationError as exc:
            appeal.refresh_from_db()  # the refused write was rolled back: show what is stored
            if appeal.status != AppealStatus.PENDING:
                # Decided by someone else since this form was read: the refusal (a conflict
                # for a stale form) above the decision that stands.
                messages.error(request, refusal(exc))
            else:
                add_errors(form, exc, aliases={"decision_reason": "reason"})
        else:
            messages.success(
                request,
                _("The appeal was upheld and the ranking republished.")
                if data["upheld"]
                else _("The appeal was rejected; the ranking stays."),
            )
            return redirect("awards:ranking", stage_pk=ranking_.stage_id, region=slug)
    if appeal.status != AppealStatus.PENDING:
        form = None
    return render(
        request,
        "awards/appeal_decide.html",
        {
            "appeal": appeal,
            "ranking": ranking_,
            "form": form,
            "slug": slug,
            "region_label": services_ui.group_label(ranking_.region_code),
        },
    )
