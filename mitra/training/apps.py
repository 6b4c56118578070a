from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "mitra.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self):
        from mitra.workers import services as registry

        from .models import Certificate, Enrolment

        # A transferred worker's training records follow them to the new area; a merge moves them.
        registry.FOLLOW_WORKER_REGION += [(Enrolment, "worker"), (Certificate, "enrolment__worker")]
        registry.MERGE_RELATIONS.append((Enrolment, "worker"))
