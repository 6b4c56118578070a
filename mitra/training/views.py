"""The training pages: shared helpers and the course catalogue.

The batch pages live in views_batches.py, the participants (nominations, applications,
withdrawals, PSM self-service) in views_people.py, attendance and results in views_results.py.

Every view starts from `visible_to(user)`: a batch outside the user's area is 404; a batch the user
may see but not change (a province batch seen from a regency) is 403 for changing it; a missing
permission is 403. GET never changes data.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from mitra.workers.models import Worker

from .filters import batch_counts
from .forms import CourseForm
from .models import Batch, BatchStatus, Course, Enrolment

GET_POST = require_http_methods(["GET", "POST"])


def perm(name: str):
    return permission_required(name, raise_exception=True)


# ---- shared helpers -----------------------------------------------------------------------------


def visible_batches(user):
    return Batch.objects.visible_to(user).select_related("course", "venue")


def batch_or_404(request, pk) -> Batch:
    return get_object_or_404(visible_batches(request.user), pk=pk)


def managed_batch(request, pk) -> Batch:
    """A batch the user changes: out of sight is 404, seen but organised above them is 403."""
    batch = batch_or_404(request, pk)
    if not Batch.objects.managed_by(request.user).filter(pk=batch.pk).exists():
        raise PermissionDenied
    return batch


def may_manage(user, batch) -> bool:
    return Batch.objects.managed_by(user).filter(pk=batch.pk).exists()


def visible_enrolments(user, batch):
    return (
        Enrolment.objects.visible_to(user)
        .filter(batch=batch)
        .select_related("worker__village", "batch__course")
    )


def enrolment_or_404(request, batch, enrolment_pk) -> Enrolment:
    return get_object_or_404(visible_enrolments(request.user, batch), pk=enrolment_pk)


def own_worker(user) -> Worker | None:
    """The worker record of a PSM's own login, if their office linked one."""
    if not user.is_authenticated:
        return None
    return Worker.objects.visible_to(user).registered().filter(user=user).first()


def certificate_url(enrolment) -> str | None:
    """The page of an enrolment's certificate, when it has one (and the certificate pages exist)."""
    try:
        certificate = enrolment.certificate
    except ObjectDoesNotExist:
        return None
    try:
        return reverse("training:certificate_detail", args=[certificate.pk])
    except NoReverseMatch:
        return None


def refusal_text(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def flash_refusal(request, exc: ValidationError) -> None:
    messages.error(request, refusal_text(exc))


# ---- course catalogue ---------------------------------------------------------------------------


@login_required
@perm("training.view_course")
@require_GET
def course_list(request):
    courses = list(
        Course.objects.all()
        .prefetch_related("prerequisites")
        .order_by("-is_active", "level", "code")
    )
    counts = dict(
        visible_batches(request.user)
        .exclude(status=BatchStatus.CANCELLED)
        .order_by()
        .values_list("course_id")
        .annotate(n=Count("pk"))
    )
    for course in courses:
        course.batch_count = counts.get(course.pk, 0)
    return render(request, "training/course_list.html", {"courses": courses})


@login_required
@perm("training.view_course")
@require_GET
def course_detail(request, pk):
    course = get_object_or_404(
        Course.objects.prefetch_related(
            "prerequisites", Prefetch("required_by", queryset=Course.objects.order_by("code"))
        ),
        pk=pk,
    )
    batches = batch_counts(
        visible_batches(request.user).filter(course=course).exclude(status=BatchStatus.CANCELLED)
    ).order_by("-starts_on")[:20]
    return render(
        request,
        "training/course_detail.html",
        {
            "course": course,
            "batches": batches,
            "today": timezone.localdate(),
        },
    )


@login_required
@perm("training.add_course")
@GET_POST
def course_create(request):
    form = CourseForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        course = form.save()
        messages.success(
            request, _("The course %(course)s was added to the catalogue.") % {"course": course}
        )
        return redirect("training:course_detail", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form})


@login_required
@perm("training.change_course")
@GET_POST
def course_update(request, pk):
    course = get_object_or_404(Course, pk=pk)
    form = CourseForm(request.POST if request.method == "POST" else None, instance=course)
    if form.is_bound and form.is_valid():
        form.save()
        messages.success(request, _("The changes were saved."))
        return redirect("training:course_detail", pk=course.pk)
    return render(request, "training/course_form.html", {"form": form, "course": course})
