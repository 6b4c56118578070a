from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SyncConfig(AppConfig):
    name = "mitra.sync"
    label = "sync"
    verbose_name = _("Offline field app")
