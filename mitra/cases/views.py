"""Field-work pages: the due list, recording a person and opening their case, the person's and
the case's pages with the case's steps (the lists are in views_lists).

Every view starts from `visible_to(user)` (out of scope = 404), then checks the permission
(403). Changes are POSTs; GET changes nothing except the access log, which records every opening
of a person's record. Names and NIKs never go into a URL: the ids are UUIDs."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from mitra.core.access import log_access
from mitra.core.models import ChangeLog

from . import services
from .forms import (
    BeneficiaryEditForm,
    BeneficiaryForm,
    CaseOpenForm,
    InterventionForm,
    ReferralForm,
    ReferralOutcomeForm,
    StatusForm,
    TransferForm,
)
from .models import Beneficiary, Case, CaseStatus, Referral, ReferralStatus

PAGE_SIZE = 50
HOME_ROWS = 25
HISTORY_ROWS = 50
GET_POST = require_http_methods(["GET", "POST"])
PERSONAL_FIELDS = sensitive_post_parameters(
    "q",
    "full_name",
    "nik",
    "birth_date",
    "address",
    "household_notes",
    "consent_by",
    "disability_type",
    "health_notes",
    "violence_details",
    "notes",
)

# What a worker can do next with a case, as buttons on the case page.
STEP_LABELS = {
    CaseStatus.ASSESSED: gettext_lazy("Mark as assessed"),
    CaseStatus.ASSISTING: gettext_lazy("Start assistance"),
    CaseStatus.REFERRED: gettext_lazy("Mark as referred"),
    CaseStatus.CLOSED: gettext_lazy("Close the case"),
}
REOPEN_LABEL = gettext_lazy("Reopen the case")
OUTCOME_STEPS = {
    ReferralStatus.SENT: [ReferralStatus.ACCEPTED, ReferralStatus.REJECTED],
    ReferralStatus.ACCEPTED: [ReferralStatus.SERVED],
}


def _perm(perm: str):
    return permission_required(perm, raise_exception=True)


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _visible_cases(user):
    return Case.objects.visible_to(user)


def _case_or_404(request, pk) -> Case:
    qs = _visible_cases(request.user).select_related(
        "beneficiary__village__district__regency", "worker__village"
    )
    return get_object_or_404(qs, pk=pk)


def _messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages)


# ---- home: due and overdue ---------------------------------------------------------------------


@login_required
@_perm("cases.view_case")
@require_GET
def home(request):
    user = request.user
    today = timezone.localdate()
    cases = _visible_cases(user)
    due = services.due_summary(cases, on=today, limit=HOME_ROWS)
    referrals = (
        services.overdue_referrals(Referral.objects.visible_to(user), on=today)
        .filter(case__in=cases)
        .select_related("case__beneficiary", "case__worker__village")
        .only(
            "id",
            "case_id",
            "programme",
            "target_detail",
            "sent_on",
            "case__id",
            "case__beneficiary__id",
            "case__beneficiary__full_name",
            "case__worker__id",
            "case__worker__full_name",
            "case__worker__village__code",
            "case__worker__village__name",
        )
        .order_by("sent_on")
    )
    open_cases = services.for_list(cases.open()).order_by("-opened_on", "pk")
    is_worker = user.role == "worker"
    ctx = {
        "today": today,
        "is_worker": is_worker,
        "due": due["rows"],
        "due_count": due["due_count"],
        "overdue_count": due["overdue_count"],
        "referrals": referrals[:HOME_ROWS],
        "open_cases": open_cases[:HOME_ROWS],
        "open_count": open_cases.count(),
        "behind": [] if is_worker else list(services.behind_workers(cases, on=today)[:HOME_ROWS]),
        "no_worker": is_worker and getattr(user, "worker", None) is None,
    }
    return render(request, "cases/home.html", ctx)


# ---- recording a person -------------------------------------------------------------------------


@login_required
@PERSONAL_FIELDS
@_perm("cases.add_beneficiary")
@_perm("cases.add_case")
@GET_POST
def beneficiary_create(request):
    """Record a person with their consent and open their first case. Likely duplicates in the
    user's view are shown first; the user opens the existing record or confirms."""
    form = BeneficiaryForm(request.POST or None, user=request.user)
    duplicates = []
    if request.method == "POST" and form.is_valid():
        duplicates = form.likely_duplicates()
        if duplicates and not form.cleaned_data.get("confirm_duplicates"):
            form.add_error(
                None, _("This person may already be recorded: check the list below first.")
            )
        else:
            try:
                with transaction.atomic():
                    beneficiary = form.save()
                    case = services.open_case(
                        beneficiary,
                        form.responsible_worker,
                        request.user,
                        form.cleaned_data["categories"],
                        priority=form.cleaned_data["priority"],
                    )
            except ValidationError as exc:
                _add_errors(form, exc)
            except IntegrityError:
                form.add_error("nik", _("A person with this NIK is already recorded."))
            else:
                messages.success(request, _("The person is recorded and their case is open."))
                return redirect("cases:case_detail", case.pk)
    if not duplicates and form.nik_owners:
        duplicates = form.nik_owners
    return render(
        request,
        "cases/beneficiary_form.html",
        {"form": form, "duplicates": duplicates},
    )


# ---- the person's page --------------------------------------------------------------------------


@login_required
@_perm("cases.view_beneficiary")
@require_GET
def beneficiary_detail(request, pk):
    qs = Beneficiary.objects.visible_to(request.user).select_related("village__district__regency")
    beneficiary = get_object_or_404(qs, pk=pk)
    log_access(request, beneficiary, purpose=_("beneficiary page"))
    cases = (
        _visible_cases(request.user)
        .filter(beneficiary=beneficiary)
        .select_related("worker")
        .prefetch_related("categories")
        .order_by("-opened_on")
    )
    history = [
        {"entry": entry, "changes": entry.display_changes()}
        for entry in ChangeLog.for_object(beneficiary)[:HISTORY_ROWS]
    ]
    ctx = {
        "beneficiary": beneficiary,
        "history": history,
        "categories": beneficiary.categories.order_by("number"),
        "cases": cases,
        "age": services.age_of(beneficiary),
        "show_sensitive": request.user.has_perm("cases.view_sensitive"),
    }
    return render(request, "cases/beneficiary_detail.html", ctx)


@login_required
@PERSONAL_FIELDS
@_perm("cases.change_beneficiary")
@GET_POST
def beneficiary_update(request, pk):
    """Correct a person's details: the same people as may open the record, over the version
    they read; the change history keeps which fields changed (never their values)."""
    qs = Beneficiary.objects.visible_to(request.user).select_related("village__district__regency")
    person = get_object_or_404(qs, pk=pk)
    form = BeneficiaryEditForm(request.POST or None, instance=person, user=request.user)
    if request.method == "GET":
        log_access(request, person, purpose=_("beneficiary edit page"))
    elif form.is_valid():
        try:
            with transaction.atomic():
                services.update_beneficiary(
                    form.instance,
                    request.user,
                    form.cleaned_data["categories"],
                    form.cleaned_data["version"],
                )
        except ValidationError as exc:
            _add_errors(form, exc)
        except IntegrityError:
            form.add_error("nik", _("A person with this NIK is already recorded."))
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("cases:beneficiary_detail", person.pk)
    return render(
        request,
        "cases/beneficiary_edit.html",
        {"form": form, "beneficiary": person, "duplicates": form.nik_owners},
    )


@login_required
@_perm("cases.add_case")
@GET_POST
def case_create(request, pk):
    """Open another case for a person already recorded (a new need, or after a closed case)."""
    beneficiary = get_object_or_404(Beneficiary.objects.visible_to(request.user), pk=pk)
    form = CaseOpenForm(request.POST or None, user=request.user, beneficiary=beneficiary)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.open_case(
                beneficiary,
                form.responsible_worker,
                request.user,
                form.cleaned_data["categories"],
                priority=form.cleaned_data["priority"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case is open."))
            return redirect("cases:case_detail", case.pk)
    return render(request, "cases/case_form.html", {"form": form, "beneficiary": beneficiary})


# ---- the case page ------------------------------------------------------------------------------


def _case_context(request, case, **forms) -> dict:
    user = request.user
    can_work = services._may_work_on(case, user)
    steps = []
    if can_work:
        for to in sorted(services.CASE_STEPS.get(case.status, ()), key=list(CaseStatus).index):
            label = REOPEN_LABEL if case.status == CaseStatus.CLOSED else STEP_LABELS[to]
            steps.append({"to": to, "label": label, "closing": to == CaseStatus.CLOSED})
    referrals = list(case.referrals.all())
    for r in referrals:
        r.next_outcomes = [(s, ReferralStatus(s).label) for s in OUTCOME_STEPS.get(r.status, [])]
    ctx = {
        "case": case,
        "beneficiary": case.beneficiary,
        "categories": case.categories.order_by("number"),
        "interventions": case.interventions.select_related("worker"),
        "referrals": referrals,
        "events": case.events.select_related("by", "from_worker", "to_worker"),
        "steps": steps,
        "identified_label": CaseStatus.IDENTIFIED.label,
        "can_work": can_work,
        "can_transfer": user.has_perm("cases.transfer_case"),
        "status_form": forms.get("status_form") or StatusForm(),
        "intervention_form": forms.get("intervention_form") or InterventionForm(),
        "referral_form": forms.get("referral_form") or ReferralForm(),
        "today": timezone.localdate(),
    }
    return ctx


@login_required
@_perm("cases.view_case")
@require_GET
def case_detail(request, pk):
    case = _case_or_404(request, pk)
    log_access(request, case, purpose=_("case page"))
    return render(request, "cases/case_detail.html", _case_context(request, case))


@login_required
@_perm("cases.view_case")
@require_POST
def case_status(request, pk):
    case = _case_or_404(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The status was not changed: the form was incomplete."))
        return redirect("cases:case_detail", case.pk)
    data = form.cleaned_data
    try:
        services.change_case_status(
            case,
            data["to"],
            request.user,
            reason=data["reason"],
            note=data["note"],
            expected_version=data["version"],
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(
            request,
            _("The case is now “%(status)s”.") % {"status": CaseStatus(data["to"]).label},
        )
    return redirect("cases:case_detail", case.pk)


@login_required
@PERSONAL_FIELDS
@_perm("cases.view_case")
@require_POST
def intervention_add(request, pk):
    """Add an intervention (inline on the case page; htmx swaps the timeline section)."""
    case = _case_or_404(request, pk)
    form = InterventionForm(request.POST)
    status_before = case.status
    if form.is_valid():
        try:
            services.add_intervention(case, request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            form = None
            if case.status != status_before:
                messages.success(
                    request,
                    _("The intervention is recorded; the case is now “%(status)s”.")
                    % {"status": CaseStatus(case.status).label},
                )
                # A new status changes the whole page (badge, next steps, history): reload it.
                url = reverse("cases:case_detail", args=[case.pk])
                return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
            if not request.htmx:
                messages.success(request, _("The intervention is recorded."))
                return redirect("cases:case_detail", case.pk)
    if not request.htmx:
        ctx = _case_context(request, case, intervention_form=form)
        return render(request, "cases/case_detail.html", ctx, status=400)
    case.refresh_from_db()
    ctx = _case_context(request, case, intervention_form=form)
    ctx["saved"] = form is None
    # htmx swaps only successful responses: the form with its errors comes back as a 200.
    return render(request, "cases/_interventions.html", ctx)


@login_required
@_perm("cases.view_case")
@require_POST
def referral_add(request, pk):
    case = _case_or_404(request, pk)
    form = ReferralForm(request.POST)
    if form.is_valid():
        try:
            services.refer(case, request.user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The referral is recorded."))
            return redirect("cases:case_detail", case.pk)
    case.refresh_from_db()
    ctx = _case_context(request, case, referral_form=form)
    return render(request, "cases/case_detail.html", ctx, status=400)


@login_required
@_perm("cases.view_case")
@require_POST
def referral_outcome(request, pk):
    case = _case_or_404(request, pk)
    form = ReferralOutcomeForm(request.POST, case=case)
    if not form.is_valid():
        messages.error(request, _("Choose a referral and its outcome."))
        return redirect("cases:case_detail", case.pk)
    try:
        services.record_referral_outcome(
            form.cleaned_data["referral"], request.user, form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, _messages_of(exc))
    else:
        messages.success(request, _("The referral's outcome is recorded."))
    return redirect("cases:case_detail", case.pk)


@login_required
@_perm("cases.transfer_case")
@GET_POST
def case_transfer(request, pk):
    """Hand a case over to another active worker; the history stays with the case."""
    case = _case_or_404(request, pk)
    form = TransferForm(request.POST or None, case=case, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.transfer_case(
                case, form.cleaned_data["to_worker"], request.user, form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("The case is handed over."))
            if _visible_cases(request.user).filter(pk=case.pk).exists():
                return redirect("cases:case_detail", case.pk)
            return redirect("cases:home")
    return render(request, "cases/transfer_form.html", {"case": case, "form": form})
