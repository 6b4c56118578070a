"""Home page, placeholders for sections still to come, background jobs, history and access log."""

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
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
        return ctx
