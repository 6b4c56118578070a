"""The registry's pages: the list, registering and editing, the profile with its lifecycle steps,
decrees, transfers, PSM self-service, identity corrections and duplicates.

Every view starts from `Worker.objects.visible_to(user)`: a record outside the user's area is 404,
a missing permission 403. GET never changes data. Each opening of a person's record writes an
access-log row. A NIK or a name never goes into a URL: the list's search travels encrypted."""

import base64
import datetime
import re
import uuid
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Count, DateField, DateTimeField, Exists, OuterRef
from django.db.models.functions import Substr
from django.http import (
    FileResponse,
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    QueryDict,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import push_url

from mitra.accounts.roles import Role
from mitra.core.access import log_access
from mitra.core.models import ChangeLog
from mitra.core.nik import mask
from mitra.core.paging import CappedPaginator
from mitra.core.reasons import masked_value, needs_reason, reason_gate, with_reason
from mitra.core.scope import format_code
from mitra.core.uploads import CONTENT_TYPES, file_type

from . import services
from .filters import SEARCH_PARAM, filtered_workers, identity_requests, search_token
from .forms import (
    ContactForm,
    DecisionForm,
    DecreeForm,
    IdentityRequestForm,
    MergeForm,
    StatusChangeForm,
    TransferForm,
    WorkerForm,
)
from .models import IdentityChangeRequest, Status, Worker
from .validation import check_nik_unique

PAGE_SIZE = 50
MAX_PAIRS = 200
GET_POST = require_http_methods(["GET", "POST"])
# Personal data a form posts: an error report must not show it.
PERSONAL_FIELDS = sensitive_post_parameters(
    "q", "nik", "full_name", "birth_place", "birth_date", "address", "phone", "note"
)


def _perm(perm: str):
    return permission_required(perm, raise_exception=True)


def _scoped_workers(user):
    return Worker.objects.visible_to(user).select_related(
        "village__district__regency__province", "merged_into"
    )


def _worker_or_404(request, pk) -> Worker:
    return get_object_or_404(_scoped_workers(request.user), pk=pk)


def _optional_url(name: str) -> str | None:
    """The URL of a page another part of the registry may not have yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _add_errors(form, exc: ValidationError) -> None:
    """A rule's refusal onto the form: per field where the form has that field, else on top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _delete_file_later(name: str | None) -> None:
    if name:
        transaction.on_commit(lambda: default_storage.delete(name))


# ---- list ---------------------------------------------------------------------------------------

FILTER_KEYS = ("region", "kind", "status", "trained", "age", "sex")
SORTS = {"name": ("full_name", "pk"), "-name": ("-full_name", "-pk")}


def _link_params(data) -> list[tuple[str, str]]:
    """The list's parameters as they may appear in a link: the search text only encrypted."""
    params = []
    q = (data.get("q") or "").strip()
    if q:
        params.append((SEARCH_PARAM, search_token(q)))
    elif data.get(SEARCH_PARAM):
        params.append((SEARCH_PARAM, data[SEARCH_PARAM]))
    for key in FILTER_KEYS:
        value = (data.get(key) or "").strip()
        if value:
            params.append((key, value))
    if data.get("sort") in SORTS and data.get("sort") != "name":
        params.append(("sort", data["sort"]))
    return params


def _list_context(request, data) -> dict:
    form, qs = filtered_workers(request.user, data)
    sort = data.get("sort") if data.get("sort") in SORTS else "name"
    qs = qs.select_related("village").order_by(*SORTS[sort])
    page = CappedPaginator(qs, PAGE_SIZE).get_page(data.get("page"))
    params = _link_params(form.data if form.is_bound else data)
    querystring = urlencode(params)
    sort_params = [(k, v) for k, v in params if k != "sort"]
    if sort == "name":
        sort_params.append(("sort", "-name"))
    ctx = {
        "form": form,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": querystring,
        "sort": sort,
        "sort_url": "?" + urlencode(sort_params),
        "filtered": any(k != "sort" for k, _v in params),
    }
    user = request.user
    if user.has_perm("workers.export_worker"):
        suffix = "?" + querystring if querystring else ""
        for key, name in (
            ("export_csv", "workers:export_csv"),
            ("export_xlsx", "workers:export_xlsx"),
        ):
            url = _optional_url(name)
            ctx[key] = url + suffix if url else None
    if user.has_perm("workers.import_worker"):
        ctx["import_url"] = _optional_url("workers:import_start")
    if user.has_perm("workers.decide_identity"):
        ctx["pending_requests"] = identity_requests(
            user, IdentityChangeRequest.State.PENDING
        ).count()
    return ctx


@login_required
@PERSONAL_FIELDS
@_perm("workers.view_worker")
@GET_POST
def worker_list(request):
    """The workers in the user's area with live filters. The filter bar posts (so that a name or
    NIK typed in the search box stays out of the address bar and the server logs) and the page
    shows the result under a link that carries the search only encrypted."""
    if request.user.role == Role.WORKER:
        return redirect("workers:mine")
    if request.method == "POST":
        query = urlencode(_link_params(request.POST))
        url = reverse("workers:list") + ("?" + query if query else "")
        if not request.htmx:
            return HttpResponseRedirect(url, status=303)
        response = render(
            request, "workers/_worker_table.html", _list_context(request, QueryDict(query))
        )
        return push_url(response, url)
    ctx = _list_context(request, request.GET)
    if request.htmx and request.htmx.target == "worker-table":
        return render(request, "workers/_worker_table.html", ctx)
    return render(request, "workers/worker_list.html", ctx)


# ---- register and edit ------------------------------------------------------------------------


def _nik_taken_error(form) -> None:
    try:
        check_nik_unique(form.instance.nik)
    except ValidationError as exc:
        _add_errors(form, exc)


@login_required
@PERSONAL_FIELDS
@_perm("workers.add_worker")
@GET_POST
def worker_create(request):
    data = request.POST if request.method == "POST" else None
    form = WorkerForm(data, request.FILES or None, user=request.user)
    duplicates = []
    if form.is_bound and form.is_valid():
        duplicates = form.likely_duplicates()
        if not duplicates or form.cleaned_data.get("confirm_duplicates"):
            try:
                with transaction.atomic():
                    worker = form.save()
            except IntegrityError:  # the same NIK saved a moment ago by someone else
                _nik_taken_error(form)
            else:
                messages.success(
                    request,
                    _("%(name)s was registered with the status “%(status)s”.")
                    % {"name": worker.full_name, "status": worker.get_status_display()},
                )
                return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form, "duplicates": duplicates})


@login_required
@PERSONAL_FIELDS
@_perm("workers.change_worker")
@GET_POST
def worker_update(request, pk):
    worker = _worker_or_404(request, pk)
    if worker.merged_into_id:
        messages.error(request, _("This record was merged into another one and cannot change."))
        return redirect("workers:detail", pk=worker.pk)
    data = request.POST if request.method == "POST" else None
    form = WorkerForm(data, request.FILES or None, instance=worker, user=request.user)
    if not form.is_bound:
        log_access(request, worker, purpose=_("edit form"))
    elif form.is_valid():
        try:
            with transaction.atomic():
                services.bump_version(worker, form.cleaned_data["version"])
                form.save()
                _delete_file_later(form.replaced_photo)
        except ValidationError as exc:
            _add_errors(form, exc)
        except IntegrityError:
            _nik_taken_error(form)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/worker_form.html", {"form": form, "worker": worker})


# ---- profile ------------------------------------------------------------------------------------

TABS = [
    ("ringkasan", gettext_lazy("Overview")),
    ("sk", gettext_lazy("Decrees (SK)")),
    ("riwayat", gettext_lazy("Timeline")),
    ("perubahan", gettext_lazy("Change history")),
    ("pelatihan", gettext_lazy("Training")),
    ("kasus", gettext_lazy("Cases")),
    ("laporan", gettext_lazy("Reports")),
    ("penghargaan", gettext_lazy("Awards")),
]
LATER_TABS = {
    "kasus": gettext_lazy(
        "The cases and activities this worker handles will appear here once the Cases & "
        "activities section of Mitra is built."
    ),
    "laporan": gettext_lazy(
        "This worker's monthly activity reports will appear here once the reporting part of "
        "Mitra is built."
    ),
    "penghargaan": gettext_lazy(
        "Nominations and awards (PSM Berprestasi) will appear here once the Awards section of "
        "Mitra is built."
    ),
}
# Fields of the change history that say nothing to a reader (derived or internal).
HIDDEN_HISTORY_FIELDS = {"id", "region_code", "merged_into"}


def _history_rows(worker, masked: bool = False) -> list[dict]:
    """The record's change history with field labels instead of column names; with `masked`, the
    personal fields as an auditor sees them before stating a reason (ADR 0021)."""
    meta = Worker._meta
    entries = []
    for entry in ChangeLog.for_object(worker)[:100]:
        changes = []
        for name, (before, after) in entry.changes.items():
            if name in HIDDEN_HISTORY_FIELDS or (name == "nik" and "nik_masked" in entry.changes):
                continue
            try:
                field = meta.get_field(name)
            except FieldDoesNotExist:  # a field removed since: show its name
                field = None
            label = field.verbose_name if field is not None else name
            if entry.action == ChangeLog.Action.CREATE and after in (None, "", False):
                continue  # a new record: only what was filled in
            if masked:
                before, after = masked_value(name, before), masked_value(name, after)
            changes.append(
                {
                    "label": label,
                    "before": _display_value(field, before),
                    "after": _display_value(field, after),
                }
            )
        entries.append({"entry": entry, "changes": changes})
    return entries


def _display_value(field, value):
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if field is not None and field.choices:
        return dict(field.flatchoices).get(value, value)
    if field is not None and field.name == "village":
        return format_code(str(value))
    if isinstance(field, DateField) and not isinstance(field, DateTimeField):
        try:
            return date_format(datetime.date.fromisoformat(value), "j F Y")
        except (TypeError, ValueError):
            return value
    return value


def _tabs_for(user) -> list[tuple[str, str]]:
    return [
        (key, label)
        for key, label in TABS
        if key != "perubahan" or user.has_perm("core.view_changelog")
    ]


def _inline_photo(worker: Worker) -> str | None:
    """The photo as a data: address, for the one page an auditor opened with a reason: the photo's
    own address would be a second read without one."""
    try:
        kind = file_type(worker.photo)
        if kind not in ("jpg", "png"):
            return None
        with worker.photo.open("rb") as f:
            data = base64.b64encode(f.read()).decode("ascii")
    except FileNotFoundError:
        return None
    return f"data:{CONTENT_TYPES[kind]};base64,{data}"


def _profile(
    request, worker: Worker, *, base_url: str, self_service: bool = False, reason: str = ""
):
    """The profile page. An auditor sees the address, phone and photo masked; with a stated
    `reason` (worker_detail_full) they see them in full and the read is logged with it."""
    user = request.user
    tabs = _tabs_for(user)
    tab = request.GET.get("tab") or "ringkasan"
    if tab not in dict(tabs):
        tab = "ringkasan"
    masked = needs_reason(user) and not reason
    log_access(request, worker, purpose=with_reason(_("profile"), reason))
    active = not worker.merged_into_id
    photo_src = None
    if worker.photo and not masked:
        photo_src = _inline_photo(worker) if reason else reverse("workers:photo", args=[worker.pk])
    ctx = {
        "worker": worker,
        "tabs": tabs,
        "tab": tab,
        "base_url": base_url,
        "self_service": self_service,
        "masked": masked,
        "revealed": bool(reason),
        "photo_src": photo_src,
        "reveal_url": reverse("workers:detail_full", args=[worker.pk])
        + (f"?tab={tab}" if tab != "ringkasan" else ""),
        "show_full_nik": user.has_perm("workers.view_nik") or worker.user_id == user.pk,
        "transitions": [
            {
                "to": to,
                "label": services.ACTION_LABELS[Status(to)],
                "danger": to in services.NEEDS_REASON,
            }
            for to in services.allowed_transitions(worker, user)
        ]
        if active
        else [],
        "can_edit": active and user.has_perm("workers.change_worker"),
        "can_decree": active
        and user.has_perm("workers.appoint_worker")
        and worker.status != Status.EXITED,
        "can_transfer": active
        and user.has_perm("workers.transfer_worker")
        and worker.status != Status.EXITED,
        "decree_count": worker.decrees.count(),
        "merged_records": list(worker.merged_records.all()),
    }
    # Steps that stop a worker sit in their own row, away from the everyday actions.
    ctx["stopping_steps"] = [t for t in ctx["transitions"] if t["danger"]]
    if tab == "ringkasan":
        ctx["requirements"] = services.requirements(worker)
        ctx["current_decree"] = services.current_decree(worker)
        if ctx["current_decree"]:
            ctx["decree_warning"] = services.decree_before_eligibility(
                worker, ctx["current_decree"].issued_on
            )
        ctx["focus_areas"] = list(worker.focus_areas.all())
        ctx["pending_requests"] = list(
            worker.identity_requests.filter(state=IdentityChangeRequest.State.PENDING)
        )
        ctx["can_decide"] = user.has_perm("workers.decide_identity")
    elif tab == "sk":
        ctx["decrees"] = list(worker.decrees.all())
        for d in ctx["decrees"]:
            d.warning = services.decree_before_eligibility(worker, d.issued_on)
        ctx["current_decree"] = services.current_decree(worker)
    elif tab == "riwayat":
        ctx["events"] = worker.events.select_related("by", "from_village", "to_village")
    elif tab == "perubahan":
        ctx["history"] = _history_rows(worker, masked)
    elif tab == "pelatihan":
        from mitra.training.needs import worker_training

        ctx["training"] = worker_training(worker, user)
    else:
        ctx["later_text"] = LATER_TABS[tab]
    return render(request, "workers/worker_detail.html", ctx)


@login_required
@_perm("workers.view_worker")
@require_GET
def worker_detail(request, pk):
    worker = _worker_or_404(request, pk)
    return _profile(request, worker, base_url=reverse("workers:detail", args=[worker.pk]))


@login_required
@_perm("workers.view_worker")
@GET_POST
def worker_detail_full(request, pk):
    """The profile with the address, phone and photo in full. An auditor states a reason first
    (ADR 0021), for each read; the other roles see them on the profile itself."""
    worker = _worker_or_404(request, pk)
    base_url = reverse("workers:detail", args=[worker.pk])
    if not needs_reason(request.user):
        query = request.GET.urlencode()
        return redirect(base_url + ("?" + query if query else ""))
    page, reason = reason_gate(
        request,
        worker.full_name,
        intro=_(
            "As an auditor you see a person's address, phone number and photo only with a reason. "
            "The read and its reason are recorded in the access log."
        ),
        button=_("Show the full data"),
    )
    if page is not None:
        return page
    response = _profile(request, worker, base_url=base_url, reason=reason)
    response["Cache-Control"] = "private, no-store"  # the full values: not kept for "back"
    return response


@login_required
@_perm("workers.view_worker")
@GET_POST
def worker_photo(request, pk):
    """The photo, only through the worker's scope; an auditor states a reason first (ADR 0021)."""
    worker = _worker_or_404(request, pk)
    if not worker.photo:
        raise Http404
    try:
        kind = file_type(worker.photo)
    except FileNotFoundError:
        raise Http404 from None
    if kind not in ("jpg", "png"):
        raise Http404
    if request.method == "POST" and not needs_reason(request.user):
        return HttpResponseNotAllowed(["GET"])
    page, reason = reason_gate(request, _("photo"))
    if page is not None:
        return page
    if reason:
        log_access(request, worker, purpose=with_reason(_("photo"), reason))
    response = FileResponse(worker.photo.open("rb"), content_type=CONTENT_TYPES[kind])
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@_perm("workers.view_worker")
@GET_POST
def decree_scan(request, pk, decree_pk):
    """The scan of a decree, only through the worker's scope (never a public media address); an
    auditor states a reason first (ADR 0021)."""
    worker = _worker_or_404(request, pk)
    decree = get_object_or_404(worker.decrees, pk=decree_pk)
    if not decree.scan:
        raise Http404
    try:
        kind = file_type(decree.scan)
    except FileNotFoundError:
        raise Http404 from None
    if kind not in CONTENT_TYPES:
        raise Http404
    page, reason = reason_gate(request, _("decree (SK) scan"))
    if page is not None:
        return page
    log_access(request, worker, purpose=with_reason(_("decree (SK) scan"), reason))
    safe_number = re.sub(r"[^0-9A-Za-z]+", "-", decree.number).strip("-")[:60] or str(decree.pk)
    response = FileResponse(
        decree.scan.open("rb"),
        as_attachment=True,
        filename=f"SK-{safe_number}.{kind}",
        content_type=CONTENT_TYPES[kind],
    )
    response["Cache-Control"] = "private, no-store"
    return response


# ---- lifecycle ----------------------------------------------------------------------------------


def _editable_worker_or_redirect(request, pk):
    worker = _worker_or_404(request, pk)
    if worker.merged_into_id:
        messages.error(request, _("This record was merged into another one and cannot change."))
        return worker, redirect("workers:detail", pk=worker.pk)
    return worker, None


@login_required
@_perm("workers.view_worker")
@GET_POST
def worker_status(request, pk, to):
    if to not in Status.values:
        raise Http404
    needed = {perm for (_frm, dest), perm in services.TRANSITIONS.items() if dest == to}
    if not any(request.user.has_perm(perm) for perm in needed):
        raise PermissionDenied
    worker, stop = _editable_worker_or_redirect(request, pk)
    if stop:
        return stop
    perm = services.TRANSITIONS.get((worker.status, to))
    if perm is not None and not request.user.has_perm(perm):
        raise PermissionDenied
    form = StatusChangeForm(
        request.POST if request.method == "POST" else None, worker=worker, to=to
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                expected = data["version"]
                if to == Status.VERIFIED and (
                    data["ktp_checked"] != worker.ktp_checked
                    or data["basic_training_on"] != worker.basic_training_on
                ):
                    services.bump_version(worker, expected)
                    expected = None
                    worker.ktp_checked = data["ktp_checked"]
                    worker.basic_training_on = data["basic_training_on"]
                    worker.save()
                services.change_status(
                    worker,
                    to,
                    request.user,
                    reason=data["reason"],
                    on=data["on"],
                    expected_version=expected,
                )
        except ValidationError as exc:
            worker.refresh_from_db()  # nothing was written; show the record as it is
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The status is now “%(status)s”.") % {"status": worker.get_status_display()},
            )
            return redirect("workers:detail", pk=worker.pk)
    return render(
        request,
        "workers/status_form.html",
        {
            "worker": worker,
            "form": form,
            "to": to,
            "to_label": Status(to).label,
            "action_label": services.ACTION_LABELS[Status(to)],
            "possible": perm is not None,
            "requirements": services.requirements(worker) if to == Status.VERIFIED else None,
            "needs_decree": to == Status.ACTIVE and services.current_decree(worker) is None,
        },
    )


@login_required
@_perm("workers.appoint_worker")
@GET_POST
def decree_create(request, pk):
    worker, stop = _editable_worker_or_redirect(request, pk)
    if stop:
        return stop
    if worker.status == Status.EXITED:
        messages.error(request, _("This worker has left the programme; a decree cannot be added."))
        return redirect("workers:detail", pk=worker.pk)
    form = DecreeForm(
        request.POST if request.method == "POST" else None,
        request.FILES or None,
        worker=worker,
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        before = worker.status
        try:
            with transaction.atomic():
                services.bump_version(worker, data["version"])
                services.record_decree(
                    worker,
                    request.user,
                    number=data["number"],
                    issued_on=data["issued_on"],
                    office=data["office"],
                    valid_until=data["valid_until"],
                    scan=data["scan"],
                )
        except ValidationError as exc:
            worker.refresh_from_db()
            _add_errors(form, exc)
        else:
            if worker.status != before:
                messages.success(
                    request, _("The decree was recorded and the worker is now active.")
                )
            else:
                messages.success(request, _("The decree was recorded."))
            early = services.decree_before_eligibility(worker, data["issued_on"])
            if early:
                messages.warning(request, early)
            return redirect(reverse("workers:detail", args=[worker.pk]) + "?tab=sk")
    return render(request, "workers/decree_form.html", {"worker": worker, "form": form})


@login_required
@_perm("workers.transfer_worker")
@GET_POST
def worker_transfer(request, pk):
    worker, stop = _editable_worker_or_redirect(request, pk)
    if stop:
        return stop
    form = TransferForm(
        request.POST if request.method == "POST" else None, worker=worker, user=request.user
    )
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer(
                worker,
                data["village"],
                request.user,
                reason=data["reason"],
                on=data["on"],
                expected_version=data["version"],
            )
        except ValidationError as exc:
            worker.refresh_from_db()
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("The worker now lives in %(village)s. Check the KTP of the new domicile.")
                % {"village": data["village"].name},
            )
            return redirect("workers:detail", pk=worker.pk)
    return render(request, "workers/transfer_form.html", {"worker": worker, "form": form})


# ---- self-service (PSM) -------------------------------------------------------------------------


def _own_worker(request) -> Worker | None:
    return _scoped_workers(request.user).registered().filter(user=request.user).first()


@login_required
@require_GET
def my_profile(request):
    worker = _own_worker(request)
    if worker is None:
        return render(request, "workers/self_unlinked.html")
    return _profile(request, worker, base_url=reverse("workers:mine"), self_service=True)


@login_required
@PERSONAL_FIELDS
@GET_POST
def my_contact(request):
    worker = _own_worker(request)
    if worker is None:
        raise Http404
    form = ContactForm(request.POST if request.method == "POST" else None, instance=worker)
    if form.is_bound and form.is_valid():
        try:
            with transaction.atomic():
                services.bump_version(worker, form.cleaned_data["version"])
                form.save()
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Your contact details were saved."))
            return redirect("workers:mine")
    return render(request, "workers/self_contact_form.html", {"worker": worker, "form": form})


@login_required
@PERSONAL_FIELDS
@GET_POST
def my_identity(request):
    worker = _own_worker(request)
    if worker is None:
        raise Http404
    pending = worker.identity_requests.filter(state=IdentityChangeRequest.State.PENDING).first()
    form = IdentityRequestForm(request.POST if request.method == "POST" else None, worker=worker)
    if form.is_bound and pending is None and form.is_valid():
        try:
            services.request_identity_change(
                worker, request.user, form.changes, form.cleaned_data["note"]
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(
                request,
                _("Your request was sent. Your social office will check it and decide."),
            )
            return redirect("workers:mine")
    return render(
        request,
        "workers/self_identity_form.html",
        {"worker": worker, "form": form, "pending": pending},
    )


# ---- identity corrections (officers) ------------------------------------------------------------


@login_required
@_perm("workers.decide_identity")
@require_GET
def request_list(request):
    states = IdentityChangeRequest.State
    state = request.GET.get("state") or states.PENDING
    qs = identity_requests(request.user).select_related(
        "worker__village", "requested_by", "decided_by"
    )
    counts = dict(qs.values_list("state").annotate(n=Count("pk")).order_by())
    if state in states.values:
        qs = qs.filter(state=state)
    else:
        state = "all"
    qs = qs.order_by("requested_at") if state == states.PENDING else qs.order_by("-requested_at")
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "workers/request_list.html",
        {
            "page_obj": page,
            "object_list": page.object_list,
            "state": state,
            "states": [(value, label, counts.get(value, 0)) for value, label in states.choices],
            "querystring": urlencode({"state": state}),
        },
    )


def _identity_rows(req, worker, show_full_nik: bool) -> list[dict]:
    labels = {name: Worker._meta.get_field(name).verbose_name for name in services.IDENTITY_FIELDS}
    sexes = dict(Worker._meta.get_field("sex").flatchoices)
    rows = []
    for name, new in req.changes.items():
        old = getattr(worker, name)
        if name == "nik" and not show_full_nik:
            old, new = worker.nik_masked, mask(new)
        elif name == "sex":
            old, new = sexes.get(old, old), sexes.get(new, new)
        elif name == "birth_date":
            new = _iso_date(new)
        rows.append({"label": labels.get(name, name), "old": old, "new": new})
    return rows


def _iso_date(text):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return text


@login_required
@_perm("workers.decide_identity")
@GET_POST
def request_detail(request, pk):
    req = get_object_or_404(
        IdentityChangeRequest.objects.visible_to(request.user).select_related(
            "requested_by", "decided_by"
        ),
        pk=pk,
    )
    worker = _worker_or_404(request, req.worker_id)
    form = DecisionForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        log_access(request, worker, purpose=_("identity correction request"))
    elif form.is_valid():
        decision = request.POST.get("decision")
        if decision not in ("approve", "reject"):
            form.add_error(None, _("Choose to approve or to refuse the request."))
        else:
            try:
                services.decide_identity_change(
                    req, request.user, decision == "approve", form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                req.refresh_from_db()
                form.add_error(None, exc.messages)
            else:
                if decision == "approve":
                    messages.success(
                        request, _("The correction was approved and applied to the record.")
                    )
                else:
                    messages.success(request, _("The request was refused."))
                return redirect("workers:request_list")
    show_full_nik = request.user.has_perm("workers.view_nik")
    return render(
        request,
        "workers/request_detail.html",
        {
            "req": req,
            "worker": worker,
            "rows": _identity_rows(req, worker, show_full_nik),
            "form": form,
            "show_full_nik": show_full_nik,
        },
    )


# ---- duplicates and merging ---------------------------------------------------------------------


def _duplicate_candidates(user):
    """Workers sharing a birth date and a district with another worker in the user's area: the
    only rows that can form a pair, found by the database before names are compared."""
    scoped = Worker.objects.visible_to(user).registered()
    twin = (
        scoped.annotate(district=Substr("region_code", 1, 6))
        .filter(birth_date=OuterRef("birth_date"), district=OuterRef("district"))
        .exclude(pk=OuterRef("pk"))
    )
    return (
        scoped.annotate(district=Substr("region_code", 1, 6))
        .filter(Exists(twin))
        .select_related("village")
    )


@login_required
@_perm("workers.merge_worker")
@require_GET
def duplicate_list(request):
    pairs = services.duplicate_pairs(_duplicate_candidates(request.user))
    return render(
        request,
        "workers/duplicate_list.html",
        {"pairs": pairs[:MAX_PAIRS], "total": len(pairs), "limit": MAX_PAIRS},
    )


COMPARE_FIELDS = [
    "full_name",
    "nik",
    "sex",
    "birth_place",
    "birth_date",
    "village",
    "address",
    "phone",
    "kind",
    "status",
    "education",
    "occupation",
    "joined_on",
    "basic_training_on",
]


def _uuid_or_404(value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404 from None


@login_required
@_perm("workers.merge_worker")
@GET_POST
def merge(request):
    pk_a, pk_b = _uuid_or_404(request.GET.get("a")), _uuid_or_404(request.GET.get("b"))
    if pk_a == pk_b:
        raise Http404
    scoped = _scoped_workers(request.user).registered()
    a = get_object_or_404(scoped, pk=pk_a)
    b = get_object_or_404(scoped, pk=pk_b)
    form = MergeForm(request.POST if request.method == "POST" else None, a=a, b=b)
    if not form.is_bound:
        for worker in (a, b):
            log_access(request, worker, purpose=_("duplicate check"))
    elif form.is_valid():
        primary, duplicate = form.chosen()
        try:
            services.merge(primary, duplicate, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("The records were merged; the history of both is kept on this record."),
            )
            return redirect("workers:detail", pk=primary.pk)
    show_full_nik = request.user.has_perm("workers.view_nik")
    rows = []
    for name in COMPARE_FIELDS:
        field = Worker._meta.get_field(name)
        values = []
        for worker in (a, b):
            if name == "nik":
                value = worker.nik if show_full_nik else worker.nik_masked
            elif name == "village":
                value = f"{worker.village.name} ({worker.village.dotted_code})"
            elif field.choices:
                value = getattr(worker, f"get_{name}_display")()
            else:
                value = getattr(worker, name)
            values.append(value if value not in (None, "") else "—")
        rows.append({"label": field.verbose_name, "a": values[0], "b": values[1]})
    counts = {
        key: (getattr(a, key).count(), getattr(b, key).count()) for key in ("decrees", "events")
    }
    return render(
        request,
        "workers/merge_form.html",
        {"a": a, "b": b, "form": form, "rows": rows, "counts": counts},
    )
