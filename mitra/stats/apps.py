from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StatsConfig(AppConfig):
    name = "mitra.stats"
    label = "stats"
    verbose_name = _("Dashboards & reports")

    def ready(self):
        # Every change to a counted row marks its district for the rollup refresh.
        from . import rollups_signals

        rollups_signals.connect()
