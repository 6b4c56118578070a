"""A change of a case's or a person's PMKS categories is a change of that row: its `updated_at`
(and `updated_by`, when someone is acting) moves with it.

The many-to-many lives in its own table, so without this a category added or removed alone leaves
the row as it was, and whatever reads "what changed" from the row misses it: the field app's pull
fingerprint reads the last `updated_at` of the PSM's open cases and people (ADR 0025), and would
answer "unchanged" to a device showing the old categories. Touching the row here, on every write
through the ORM, keeps the unchanged pull at its aggregates with no query added.

The version is not bumped: it is the optimistic-concurrency token of a checked write (ADR 0010),
which a form or API editing the categories takes through `services._bump` as
`update_beneficiary` does; a blind bump here would also turn the PSM's next visit into a sync
conflict over a change the conflict view does not show."""

from django.db.models.signals import m2m_changed
from django.utils import timezone

from mitra.core.current import current_actor

ACTIONS = ("post_add", "post_remove", "post_clear")


def _categories_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ACTIONS:
        return
    values = {"updated_at": timezone.now()}
    actor = current_actor()
    if actor is not None:
        values["updated_by"] = actor
    if reverse:  # from a category's side: pk_set holds the rows that changed
        if pk_set:
            model._base_manager.filter(pk__in=pk_set).update(**values)
        return
    if action != "post_clear" and not pk_set:
        return  # nothing was added or removed
    type(instance)._base_manager.filter(pk=instance.pk).update(**values)
    for name, value in values.items():
        setattr(instance, name, value)


def connect() -> None:
    from .models import Beneficiary, Case

    for model in (Case, Beneficiary):
        m2m_changed.connect(
            _categories_changed,
            sender=model.categories.through,
            dispatch_uid=f"cases-{model.__name__}-categories-touch",
        )
