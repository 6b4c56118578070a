import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.generic import CreateView, DetailView, ListView, UpdateView
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from mitra.core.models import ChangeLog
from mitra.core.reasons import mask_history, needs_reason
from mitra.core.views import ScopedViewMixin

from .forms import ApiTokenForm, LoginForm, OtpTokenForm, UserForm
from .models import ApiToken, User
from .roles import RANK, Role


def lockout_response(request, original_response=None, credentials=None, *args, **kwargs):
    """What a locked-out login sees: the same for existing and unknown usernames.

    Axes calls this as (request, original_response, credentials). The form is not bound (binding
    and validating it would try to log in again); an unbound form has no cleaned_data, which
    add_error needs."""
    form = LoginForm(request)
    form.cleaned_data = {}
    form.add_error(None, _("Too many failed attempts. Wait 15 minutes, then try again."))
    return render(request, "accounts/login.html", {"form": form}, status=429)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


def _safe_next(request, default="core:home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse(default)


def _confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


@login_required
def verify_two_factor(request):
    device = _confirmed_device(request.user)
    if device is None:
        return redirect("accounts:two_factor_setup")
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            return redirect(_safe_next(request))
        form.add_error("token", _("The code is wrong or has expired. Try the newest code."))
    return render(request, "accounts/two_factor_verify.html", {"form": form})


PENDING_KEY = "two-factor-pending-key"


def _code_matches(device, token: str) -> bool:
    """django-otp's TOTP check without its side effects: a wrong code during enrolment must not
    store the unconfirmed device (throttling it would save it). The enrolling officer already
    holds the secret, so there is nothing to throttle; last_t is set so the code cannot be
    replayed at the next login."""
    try:
        number = int(token)
    except ValueError:
        return False
    check = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    check.time = time.time()
    if not check.verify(number, device.tolerance, device.last_t + 1):
        return False
    device.last_t, device.drift = check.t(), check.drift
    return True


@login_required
def two_factor_setup(request):
    """Enrol a TOTP authenticator: show a QR code, confirm with a first code.

    The secret waits in the session until the first code confirms it, so showing the page (a
    GET) writes nothing and reloads keep the same QR code; the device is stored only on the
    confirming POST."""
    if _confirmed_device(request.user) is not None:
        return render(request, "accounts/two_factor_done.html")
    key = request.session.get(PENDING_KEY) or random_hex(20)
    request.session[PENDING_KEY] = key
    device = TOTPDevice(user=request.user, name="Mitra", key=key, confirmed=False)
    form = OtpTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _code_matches(device, form.cleaned_data["token"]):
            with transaction.atomic():
                # Leftovers of the old enrolment (which stored unconfirmed devices on GET).
                TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
                device.confirmed = True
                device.set_last_used_timestamp(commit=False)
                device.save()
            del request.session[PENDING_KEY]
            otp_login(request, device)
            messages.success(request, _("Two-factor login is on for your account."))
            return redirect("accounts:profile")
        form.add_error("token", _("The code does not match. Check the time on your phone."))
    qr_svg = segno.make(device.config_url, error="m").svg_data_uri(scale=5)
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg,
            "secret": secret,
        },
    )


@login_required
def profile(request):
    tokens = request.user.api_tokens.all()
    return render(
        request,
        "accounts/profile.html",
        {
            "tokens": tokens,
            "token_form": ApiTokenForm(),
            "has_two_factor": _confirmed_device(request.user) is not None,
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your password was changed."))
        return super().form_valid(form)


@login_required
@require_POST
def token_create(request):
    form = ApiTokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("accounts:profile")
    token, raw = ApiToken.issue(request.user, form.cleaned_data["name"])
    return render(request, "accounts/token_created.html", {"token": token, "raw": raw})


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens.active(), pk=pk)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    messages.success(request, _("Token “%(name)s” was revoked.") % {"name": token.name})
    return redirect("accounts:profile")


class UserListView(ScopedViewMixin, ListView):
    model = User
    permission_required = "accounts.view_user"
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        qs = super().get_queryset()
        q = self.request.GET.get("q", "").strip()
        if q:
            qs = qs.filter(Q(username__icontains=q) | Q(full_name__icontains=q))
        role = self.request.GET.get("role", "")
        if role in Role.values:
            qs = qs.filter(role=role)
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["roles"] = Role.choices
        ctx["q"] = self.request.GET.get("q", "")
        ctx["role"] = self.request.GET.get("role", "")
        return ctx

    def get_template_names(self):
        if self.request.htmx and self.request.htmx.target == "user-table":
            return ["accounts/_user_table.html"]
        return [self.template_name]


class UserDetailView(ScopedViewMixin, DetailView):
    model = User
    permission_required = "accounts.view_user"
    template_name = "accounts/user_detail.html"
    context_object_name = "subject"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.request.user.has_perm("core.view_changelog"):
            ctx["history"] = mask_history(ChangeLog.for_object(self.object)[:50], self.request.user)
        ctx["can_edit"] = _may_manage(self.request.user, self.object)
        ctx["masked"] = needs_reason(self.request.user) and self.object != self.request.user
        return ctx


def _may_manage(actor, subject) -> bool:
    return actor.has_perm("accounts.change_user") and (
        subject.pk == actor.pk or RANK[subject.role] <= RANK[actor.role]
    )


class UserCreateView(ScopedViewMixin, CreateView):
    model = User
    form_class = UserForm
    permission_required = "accounts.add_user"
    template_name = "accounts/user_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("User %(name)s was created.") % {"name": self.object})
        return response

    def get_success_url(self):
        return reverse("accounts:user_detail", args=[self.object.pk])


class UserUpdateView(ScopedViewMixin, UpdateView):
    model = User
    form_class = UserForm
    permission_required = "accounts.change_user"
    template_name = "accounts/user_form.html"
    context_object_name = "subject"

    def get_object(self, queryset=None):
        subject = super().get_object(queryset)
        if not _may_manage(self.request.user, subject):
            raise PermissionDenied
        return subject

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "actor": self.request.user}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Changes to %(name)s were saved.") % {"name": self.object})
        return response

    def get_success_url(self):
        return reverse("accounts:user_detail", args=[self.object.pk])
