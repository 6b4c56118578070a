"""Certificate pages: a certificate's page (with the revoke form), its PDF, the batch print job and
its ZIP, and the public verification page that the QR code opens.

Who sees what:
- A certificate's page and PDF: users whose scope holds the certificate
  (`Certificate.objects.visible_to`), and the worker it belongs to. Others get 404. Opening the
  page writes an access-log row (view), the PDF another (print); both name the worker.
- Revoking: `training.revoke_certificate`, on a certificate in scope.
- Printing a batch: `training.issue_certificate` on a batch inside the user's own area
  (`Batch.objects.managed_by`); the ZIP goes to users who can see the job
  (`Job.objects.visible_to`), one access-log row (export) per download.
- The verification page is deliberately public (`public_route`): it shows whether the
  certificate is valid, the holder's name partly masked, the course, the batch's dates and
  organiser and the number; nothing else (no NIK, no village, no reason for a revocation).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required, login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mitra.core.access import log_access, log_export
from mitra.core.forms import understood_field
from mitra.core.jobs import start_job
from mitra.core.models import AccessLog, Job
from mitra.core.reasons import reason_gate, with_reason

from . import certificates, services
from .models import Batch, Certificate

PERMISSION_REVOKE = "training.revoke_certificate"


def public_route(reason: str):
    """Mark a view as deliberately open to anonymous visitors.

    Sets Django's `login_not_required` marker and `view.public_route = reason`, so that a test
    walking every route can tell a page meant to be public from one that forgot its login check
    (mitra/core/tests/test_access.py lists the public routes)."""

    def decorate(view):
        view = login_not_required(view)
        view.public_route = reason
        return view

    return decorate


# ---- helpers -------------------------------------------------------------------------------------


STATUS_LABELS = {
    "valid": gettext_lazy("valid"),
    "revoked": gettext_lazy("revoked"),
    "expired": gettext_lazy("expired"),
}
# The colours the stylesheet already has: green, red, amber.
STATUS_CLASSES = {"valid": "status-done", "revoked": "status-failed", "expired": "status-suspended"}


def certificates_for(user):
    """Certificates a user may open: those in their scope, and a worker's own wherever they
    moved since."""
    own = Q(enrolment__worker__user=user) if user.is_authenticated else Q(pk__in=[])
    scoped = Certificate.objects.visible_to(user)
    return (scoped | Certificate.objects.filter(own)).select_related(
        *certificates.CERTIFICATE_RELATED
    )


def _optional_url(name: str, *args) -> str | None:
    """The URL of a training page another part of the app may not have yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _local_date_range(start, end) -> str:
    """The batch's dates in the page's language (2 – 6 Maret 2026 / 2 – 6 March 2026)."""
    return certificates.date_range(start, end, lambda d: date_format(d, "F"))


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for revoking"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Kept in the record for officers. The public verification page shows only that the "
            "certificate was revoked, and when."
        ),
    )
    understood = understood_field(
        gettext_lazy("I understand that a revoked certificate cannot be made valid again.")
    )


# ---- a certificate -------------------------------------------------------------------------------


def _detail(request, certificate: Certificate, form: RevokeForm, status: int = 200):
    user = request.user
    batch = certificate.enrolment.batch
    state = certificates.certificate_status(certificate)
    context = {
        "certificate": certificate,
        "enrolment": certificate.enrolment,
        "worker": certificate.enrolment.worker,
        "batch": batch,
        "course": batch.course,
        "dates": _local_date_range(batch.starts_on, batch.ends_on),
        "venue": certificates.venue_text(batch),
        "state": state,
        "state_label": STATUS_LABELS[state],
        "state_class": STATUS_CLASSES[state],
        "verify_url": certificates.verification_url(certificate.verify_code, request=request),
        "can_revoke": user.has_perm(PERMISSION_REVOKE) and certificate.revoked_at is None,
        "form": form,
        "batch_url": _optional_url("training:batch_detail", batch.pk),
        "training_url": _optional_url("training:batch_list"),
        "worker_url": (
            reverse("workers:detail", args=[certificate.enrolment.worker_id])
            if user.has_perm("workers.view_worker")
            else None
        ),
    }
    return render(request, "training/certificate_detail.html", context, status=status)


@login_required
@require_GET
def certificate_detail(request, pk):
    certificate = get_object_or_404(
        certificates_for(request.user).select_related("revoked_by"), pk=pk
    )
    log_access(
        request,
        certificate.enrolment.worker,
        AccessLog.Action.VIEW,
        purpose=f"certificate {certificate.number}",
    )
    return _detail(request, certificate, RevokeForm())


@login_required
@require_http_methods(["GET", "POST"])
def certificate_pdf(request, pk):
    certificate = get_object_or_404(certificates_for(request.user), pk=pk)
    page, reason = reason_gate(request, _("certificate PDF"))
    if page is not None:
        return page
    facts = certificates.facts_for(certificate, certificates.public_base_url(request))
    data = certificates.certificate_pdf(facts)
    log_access(
        request,
        certificate.enrolment.worker,
        AccessLog.Action.PRINT,
        purpose=with_reason(f"certificate PDF {certificate.number}", reason),
    )
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, certificates.pdf_filename(certificate.number)
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def certificate_revoke(request, pk):
    if not request.user.has_perm(PERMISSION_REVOKE):
        raise PermissionDenied
    certificate = get_object_or_404(
        Certificate.objects.visible_to(request.user)
        .select_related(*certificates.CERTIFICATE_RELATED)
        .select_related("revoked_by"),
        pk=pk,
    )
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
            return redirect("training:certificate_detail", certificate.pk)
    return _detail(request, certificate, form, status=400)


# ---- the public verification page ----------------------------------------------------------------


@public_route(
    "The QR code on a printed certificate opens this page for anyone (an employer, a village "
    "head). It shows validity, a partly masked name, the course, dates, organiser and number."
)
@never_cache
@require_GET
def certificate_verify(request, code):
    certificate = (
        Certificate.objects.select_related("enrolment__worker", "enrolment__batch__course")
        .filter(verify_code=code)
        .first()
    )
    if certificate is None:
        # Event participation certificates (mitra/events) share this page and its address.
        from mitra.events.certificates import verification_page

        response = verification_page(request, code)
    else:
        batch = certificate.enrolment.batch
        state = certificates.certificate_status(certificate)
        # Plain values only: the template cannot reach the worker's record by mistake.
        context = {
            "state": state,
            "state_label": STATUS_LABELS[state],
            "number": certificate.number,
            "holder": certificates.mask_name(certificate.enrolment.worker.full_name),
            "course_title": batch.course.title,
            "hours": batch.course.hours,
            "dates": _local_date_range(batch.starts_on, batch.ends_on),
            "organiser": batch.organiser,
            "issued_on": certificate.issued_on,
            "valid_until": certificate.valid_until,
            "revoked_on": (
                timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
            ),
        }
        response = render(request, "training/certificate_verify.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


# ---- a batch's certificates in one ZIP -----------------------------------------------------------


@login_required
@require_POST
def certificate_batch_generate(request, batch_pk):
    """Start the job that issues the missing certificates of a batch's passed participants and
    prints them all into one ZIP; the job's page shows its progress and the download."""
    user = request.user
    if not user.has_perm(certificates.PERMISSION_ISSUE):
        raise PermissionDenied
    batch = get_object_or_404(Batch.objects.managed_by(user).select_related("course"), pk=batch_pk)
    running = Job.objects.filter(
        created_by=user,
        kind=certificates.JOB_KIND,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
    )
    for job in running:
        if job.params.get("batch_id") == batch.pk:
            return redirect("core:job_detail", job.pk)
    job = start_job(
        user,
        certificates.JOB_KIND,
        _("Certificates of %(batch)s") % {"batch": batch},
        certificates.JOB_FUNC,
        batch_id=batch.pk,
        base_url=certificates.public_base_url(request),
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
    if not name.startswith(f"{certificates.STORAGE_DIR}/") or ".." in name:
        raise Http404
    path = certificates.storage_path(name)
    if not path.is_file():
        raise Http404
    log_export(
        request,
        Certificate,
        result.get("printed", 0),
        result.get("region_code", ""),
        purpose=f"certificates of batch {result.get('batch')} (zip)",
    )
    response = FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename=result.get("filename") or "sertifikat.zip",
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
