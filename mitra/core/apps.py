from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "mitra.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        # Django 6.1's empty drop-down option ("- Select an option -") has no Indonesian
        # translation; Django lets an app's ready() replace it. Forms give their own drop-downs a
        # label that says what to choose (`mitra.core.forms.label_blank_choice`); this is the
        # fallback for any other.
        from django.db.models import fields

        fields.BLANK_CHOICE_LABEL = BLANK_CHOICE_LABEL


BLANK_CHOICE_LABEL = _("— Choose —")
