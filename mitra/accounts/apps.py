from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "mitra.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from . import session_idle  # noqa: F401 - connects the login's session stamp
