"""Home page, placeholders for sections still to come, background jobs, history and access log."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.generic import DetailView, ListView, TemplateView

from .models import AccessLog, ChangeLog, Job
from .navigation import SECTIONS


class ScopedViewMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Views over region-bound rows: the rows come from `visible_to(user)` (out of scope = 404);
    the permission decides the action (missing = 403)."""

    raise_exception = True
    model = None

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return redirect_to_login(
                self.request.get_full_path(), self.get_login_url(), self.get_redirect_field_name()
            )
        raise PermissionDenied

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class HomeView(LoginRequiredMixin, TemplateView):
    """ "My tasks": what waits for the user, per role (todo.py), each item a count linked to the
    list that shows exactly those rows; a PSM's month and actions, an auditor's latest reads."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from mitra.regions.services import area_summary

        from . import home, todo

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        waiting, calm = todo.ordered(todo.tasks_for(user, today))
        ctx.update(
            # The area in one line; region counts only where they are the user's ground.
            summary=area_summary(user) if user.role in home.AREA_ROLES else None,
            waiting=waiting,
            calm=calm,
            actions=home.actions_for(user),
            month=home.worker_month(user, today),
            recent_reads=home.recent_reads(user),
            recent_jobs=Job.objects.visible_to(user)[:5],
        )
        return ctx


def section_placeholder(request, key):
    section = next((s for s in SECTIONS if s.key == key and not s.available), None)
    if section is None:
        raise Http404
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return render(request, "core/placeholder.html", {"section": section})


class JobListView(ScopedViewMixin, ListView):
    model = Job
    permission_required = ()
    template_name = "core/job_list.html"
    paginate_by = 25


class JobDetailView(ScopedViewMixin, DetailView):
    model = Job
    permission_required = ()
    template_name = "core/job_detail.html"

    def get_template_names(self):
        if self.request.htmx:
            return ["core/_job_progress.html"]
        return [self.template_name]


class ChangeLogListView(ScopedViewMixin, ListView):
    model = ChangeLog
    permission_required = "core.view_changelog"
    template_name = "core/changelog_list.html"
    paginate_by = 50

    def get_queryset(self):
        return super().get_queryset().select_related("actor", "content_type")

    def get_context_data(self, **kwargs):
        from .reasons import mask_history

        ctx = super().get_context_data(**kwargs)
        ctx["object_list"] = mask_history(ctx["object_list"], self.request.user)
        return ctx


def record_labels(entries) -> dict[tuple[int, str], str]:
    """(content type, id) -> the record's history label ("Kasus dibuka 3 Des 2026 ·
    3402********0001"), one query per kind of record on the page: the log stores only ids, and
    a raw id names nothing to a reader (issue 13). A deleted record keeps its id."""
    wanted: dict = {}
    for entry in entries:
        if entry.object_id:
            wanted.setdefault(entry.content_type, set()).add(entry.object_id)
    labels = {}
    for content_type, ids in wanted.items():
        model = content_type.model_class()
        if model is None or not hasattr(model, "history_label"):
            continue
        try:
            records = model._base_manager.filter(pk__in=ids)
            for record in records:
                labels[(content_type.pk, str(record.pk))] = record.history_label()
        except (ValueError, ValidationError):  # an id of the wrong shape names nothing
            continue
    return labels


class AccessLogListView(ScopedViewMixin, ListView):
    model = AccessLog
    permission_required = "core.view_accesslog"
    template_name = "core/accesslog_list.html"
    paginate_by = 50

    def get_queryset(self):
        from .access import access_rows

        return access_rows(self.request.user, self.request.GET).select_related(
            "user", "content_type"
        )

    def get_context_data(self, **kwargs):
        from .access import ACCESS_APPS, DAY_CHOICES

        ctx = super().get_context_data(**kwargs)
        ctx["actions"] = AccessLog.Action.choices
        ctx["day_choices"] = DAY_CHOICES
        ctx["apps"] = ACCESS_APPS
        labels = record_labels(ctx["object_list"])
        for entry in ctx["object_list"]:
            entry.label = labels.get((entry.content_type_id, entry.object_id), "")
        return ctx
