"""Keep the rollups' dirty marks: every save, delete or category change of a row the dashboards
count marks its district (and, on a move, the district it left) in the same transaction.

Bulk writes that bypass the models are covered elsewhere: worker imports by the refresh's sweep
of Worker.updated_at, seeding and bench loads by `mitra refresh-stats --full`."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.utils import timezone

from .rollups import mark_dirty

_OLD = "_stats_old"
# The dates that place a row in a month of the monthly rollups (rollups._fact_sources).
MONTH_FIELDS = {
    "Worker": ("joined_on",),
    "Beneficiary": ("consent_on",),
    "Case": ("opened_on", "closed_on"),
    "Intervention": ("on",),
    "Referral": ("sent_on",),
    "ActivityReport": ("on",),
}
# Changes that move every month's rows of other records (a worker's kind is their cases' kind; a
# case's worker or region carries its interventions and referrals): refreshed from the start.
EVERY_MONTH = {"Worker": ("kind", "merged_into_id"), "Case": ("worker_id",)}
# Dates whose month changes only when the named fields change (a case closed today leaves the
# month it was opened in as it was); every other date's month is refreshed on any save.
ONLY_WHEN_CHANGED = {
    "Case": {"opened_on": ("opened_on",), "closed_on": ("closed_on",)},
    "Worker": {"joined_on": ("joined_on", "status")},
}


def _tracked():
    from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
    from mitra.workers.models import Worker

    return (Worker, Beneficiary, Case, Intervention, Referral, ActivityReport)


def _remember(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    name = sender.__name__
    triggers = [t for ts in ONLY_WHEN_CHANGED.get(name, {}).values() for t in ts]
    fields = {"region_code", *EVERY_MONTH.get(name, ()), *MONTH_FIELDS[name], *triggers}
    old = sender._base_manager.filter(pk=instance.pk).values(*fields).first()
    setattr(instance, _OLD, old)


def _first_month(name, instance, old):
    """The first month the save changes in the monthly rollups; None: every month."""
    if old and (
        old["region_code"] != instance.region_code
        or any(old[f] != getattr(instance, f) for f in EVERY_MONTH.get(name, ()))
    ):
        return None
    dates = []
    for f in MONTH_FIELDS[name]:
        triggers = ONLY_WHEN_CHANGED.get(name, {}).get(f)
        if old is None or triggers is None or any(old[t] != getattr(instance, t) for t in triggers):
            dates += [getattr(instance, f), old[f] if old else None]
    dates = [d for d in dates if d is not None]
    # No date at all (a worker without a joining date): no monthly row changes; the snapshot
    # rows, rebuilt whole, carry the rest. The current month is a cheap stand-in.
    first = min(dates) if dates else timezone.localdate()
    return first.replace(day=1)


def _codes_of_worker_work(worker_ids) -> list[str]:
    from mitra.cases.models import ActivityReport, Case

    codes = set(Case.objects.filter(worker_id__in=worker_ids).values_list("region_code", flat=True))
    codes |= set(
        ActivityReport.objects.filter(worker_id__in=worker_ids).values_list(
            "region_code", flat=True
        )
    )
    return list(codes)


def _saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    name = sender.__name__
    old = getattr(instance, _OLD, None)
    since = _first_month(name, instance, old)
    codes = [instance.region_code]
    if old:
        codes.append(old["region_code"])
        if name == "Worker" and (
            old["kind"] != instance.kind or old["merged_into_id"] != instance.merged_into_id
        ):
            # The kind a case or report counts under is its worker's.
            ids = [instance.pk] + ([instance.merged_into_id] if instance.merged_into_id else [])
            codes += _codes_of_worker_work(ids)
    mark_dirty(codes, since=since)


def _deleted(sender, instance, **kwargs):
    # A case's interventions and referrals go with it (cascade): each marks its own month.
    mark_dirty([instance.region_code], since=_first_month(sender.__name__, instance, None))


def _categories_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if not reverse:
        mark_dirty([instance.region_code])
    elif pk_set:
        mark_dirty(model._base_manager.filter(pk__in=pk_set).values_list("region_code", flat=True))


def _worker_region(worker_ids) -> list[str]:
    from mitra.workers.models import Worker

    return list(
        Worker._base_manager.filter(pk__in=worker_ids).values_list("region_code", flat=True)
    )


def _this_month():
    # Training changes only the workforce snapshot, rebuilt whole: no monthly row changes.
    return timezone.localdate().replace(day=1)


def _enrolment_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_dirty(_worker_region([instance.worker_id]), since=_this_month())


def _batch_changed(sender, instance, raw=False, **kwargs):
    if raw or kwargs.get("created"):
        return
    ids = instance.enrolments.values_list("worker_id", flat=True)
    mark_dirty(_worker_region(list(ids)), since=_this_month())


def _venture_changed(sender, instance, raw=False, **kwargs):
    """A venture, its support or its results: the ventures' snapshot of its district (and the one
    it left), and of its PSM's district (PSM with a running venture count where they are
    registered). No monthly row changes."""
    if raw:
        return
    from mitra.ventures.models import Venture

    if isinstance(instance, Venture):
        worker_ids = [instance.worker_id]
    else:  # by id: on a cascade the venture may be on its way out
        ventures = Venture._base_manager.filter(pk=instance.venture_id)
        worker_ids = list(ventures.values_list("worker_id", flat=True))
    codes = [instance.region_code, *_worker_region(worker_ids)]
    old = getattr(instance, _OLD, None)
    if old:
        codes.append(old)
    mark_dirty(codes, since=_this_month())


def _venture_remember(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    old = sender._base_manager.filter(pk=instance.pk).values_list("region_code", flat=True)
    setattr(instance, _OLD, old.first())


def connect() -> None:
    from mitra.cases.models import Beneficiary, Case
    from mitra.training.models import Batch, Enrolment

    for model in _tracked():
        uid = f"stats-{model.__name__}"
        pre_save.connect(_remember, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_saved, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_deleted, sender=model, dispatch_uid=f"{uid}-del")
    for model in (Case, Beneficiary):
        m2m_changed.connect(
            _categories_changed,
            sender=model.categories.through,
            dispatch_uid=f"stats-{model.__name__}-categories",
        )
    post_save.connect(_enrolment_changed, sender=Enrolment, dispatch_uid="stats-enrolment")
    post_delete.connect(_enrolment_changed, sender=Enrolment, dispatch_uid="stats-enrolment-del")
    post_save.connect(_batch_changed, sender=Batch, dispatch_uid="stats-batch")
    from mitra.ventures.models import Support, Venture, VentureResult

    for model in (Venture, Support, VentureResult):
        uid = f"stats-{model.__name__}"
        pre_save.connect(_venture_remember, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(_venture_changed, sender=model, dispatch_uid=f"{uid}-post")
        post_delete.connect(_venture_changed, sender=model, dispatch_uid=f"{uid}-del")
