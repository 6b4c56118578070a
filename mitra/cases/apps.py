from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "mitra.cases"
    label = "cases"
    verbose_name = _("Cases & activities")

    def ready(self):
        # A category change moves its case's or person's updated_at (the sync's fingerprint).
        from . import signals

        signals.connect()
