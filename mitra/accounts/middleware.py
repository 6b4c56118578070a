from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

EXEMPT_PREFIXES = ("/static/", "/masuk/", "/keluar/", "/i18n/", "/akun/2fa/", "/verifikasi/")


class TwoFactorMiddleware:
    """Officers who enrolled an authenticator must enter a code after their password; with
    MITRA_REQUIRE_2FA (production), officers without one are sent to enrol before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        request.two_factor_missing = False
        if (
            user.is_authenticated
            and not request.path.startswith(EXEMPT_PREFIXES)
            and not getattr(request, "api_token_auth", False)
            and not user.is_verified()
        ):
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            if has_device:
                return self._stop(
                    request, "accounts:two_factor_verify", _("Enter your two-factor code first.")
                )
            if user.needs_two_factor:
                if settings.MITRA_REQUIRE_2FA:
                    return self._stop(
                        request,
                        "accounts:two_factor_setup",
                        _("Your role must use two-factor login. Set it up first."),
                    )
                request.two_factor_missing = True
        return self.get_response(request)

    def _stop(self, request, url_name, message):
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"error": {"code": "two_factor_required", "message": message}}, status=403
            )
        return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")
