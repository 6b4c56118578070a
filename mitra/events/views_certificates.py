"""Participation certificates: an event's certificate list with the batch print job and its ZIP,
a certificate's page (with the revoke form) and its PDF. The public verification page is
training's /verifikasi/<code>/ (see certificates.verification_page).

Who sees what: certificates in the user's scope (`ParticipationCertificate.objects.visible_to`: the
worker's region, the event's organisers, the worker themself); printing and revoking need
`events.issue_certificate` on an event the user organises."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mitra.core.access import log_access, log_export
from mitra.core.jobs import start_job
from mitra.core.models import AccessLog, Job
from mitra.core.reasons import reason_gate, with_reason
from mitra.training import certificates as printing

from . import certificates, services
from .forms import RevokeForm
from .models import EventStatus, Invitation, InvitationStatus, ParticipationCertificate
from .views import event_or_404, managed_event, perm
from .views_people import _present_sets


def certificate_or_404(request, pk) -> ParticipationCertificate:
    return get_object_or_404(
        ParticipationCertificate.objects.visible_to(request.user).select_related(
            *certificates.RELATED, "revoked_by"
        ),
        pk=pk,
    )


@login_required
@perm("events.view_event")
@require_GET
def event_certificates(request, pk):
    event = event_or_404(request, pk)
    user = request.user
    if user.role == "worker":
        raise PermissionDenied
    people = list(
        Invitation.objects.visible_to(user)
        .filter(event=event, status=InvitationStatus.ACCEPTED)
        .select_related("worker__village", "certificate")
        .order_by("worker__full_name", "pk")
    )
    sessions = event.sessions.count()
    present = _present_sets(people)
    rows = []
    for invitation in people:
        attended = len(present[invitation.pk])
        percent = services.attendance_percent(attended, sessions)
        rows.append(
            {
                "i": invitation,
                "attended": attended,
                "percent": percent,
                "earns": attended > 0 and percent is not None and percent >= event.attendance_min,
                "certificate": getattr(invitation, "certificate", None),
            }
        )
    context = {
        "event": event,
        "rows": rows,
        "sessions": sessions,
        "manages": services.may_manage(user, event),
        "can_issue": (
            user.has_perm("events.issue_certificate")
            and services.may_manage(user, event)
            and event.status != EventStatus.DRAFT
        ),
        "tab": "certificates",
    }
    return render(request, "events/certificates.html", context)


@login_required
@perm("events.issue_certificate")
@require_POST
def certificate_batch_generate(request, pk):
    event = managed_event(request, pk)
    if event.status == EventStatus.DRAFT:
        raise PermissionDenied
    running = Job.objects.filter(
        created_by=request.user,
        kind=certificates.JOB_KIND,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    )
    for job in running:
        if job.params.get("event_id") == event.pk:
            return redirect("core:job_detail", job.pk)
    job = start_job(
        request.user,
        certificates.JOB_KIND,
        _("Certificates of %(event)s") % {"event": event.name},
        certificates.JOB_FUNC,
        event_id=event.pk,
        base_url=printing.public_base_url(request),
        language=translation.get_language() or "id",
    )
    return redirect("core:job_detail", job.pk)


@login_required
@require_GET
def certificate_batch_download(request, job_id):
    job = get_object_or_404(
        Job.objects.visible_to(request.user),
        pk=job_id,
        kind=certificates.JOB_KIND,
        status=Job.Status.DONE,
    )
    result = job.result or {}
    name = result.get("file") or ""
    if not name.startswith(f"{printing.STORAGE_DIR}/") or ".." in name:
        raise Http404
    path = printing.storage_path(name)
    if not path.is_file():
        raise Http404
    log_export(
        request,
        ParticipationCertificate,
        result.get("printed", 0),
        result.get("region_code", ""),
        purpose=f"certificates of event {result.get('event')} (zip)",
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=result.get("filename") or "sertifikat.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _detail(request, certificate, form, status=200):
    event = certificate.invitation.event
    state = certificates.status(certificate)
    context = {
        "certificate": certificate,
        "event": event,
        "worker": certificate.invitation.worker,
        "state": state,
        "venue": certificates.venue_text(event),
        "verify_url": printing.verification_url(certificate.verify_code, request=request),
        "can_revoke": (
            certificate.revoked_at is None
            and request.user.has_perm("events.issue_certificate")
            and services.may_manage(request.user, event)
        ),
        "form": form,
    }
    return render(request, "events/certificate_detail.html", context, status=status)


@login_required
@require_GET
def certificate_detail(request, pk):
    certificate = certificate_or_404(request, pk)
    log_access(
        request,
        certificate.invitation.worker,
        AccessLog.Action.VIEW,
        purpose=f"event certificate {certificate.number}",
    )
    return _detail(request, certificate, RevokeForm())


@login_required
@require_http_methods(["GET", "POST"])
def certificate_pdf(request, pk):
    certificate = certificate_or_404(request, pk)
    page, reason = reason_gate(request, _("certificate PDF"))
    if page is not None:
        return page
    facts = certificates.facts_for(certificate, printing.public_base_url(request))
    data = printing.certificate_pdf(facts)
    log_access(
        request,
        certificate.invitation.worker,
        AccessLog.Action.PRINT,
        purpose=with_reason(f"event certificate PDF {certificate.number}", reason),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, printing.pdf_filename(certificate.number)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@perm("events.issue_certificate")
@require_POST
def certificate_revoke(request, pk):
    certificate = certificate_or_404(request, pk)
    form = RevokeForm(request.POST)
    if form.is_valid():
        try:
            services.revoke_certificate(certificate, request.user, form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Certificate %(number)s was revoked.") % {"number": certificate.number},
            )
            return redirect("events:certificate_detail", certificate.pk)
    return _detail(request, certificate, form, status=400)
