"""Keep the rollups' dirty marks: every save, delete or category change of a row the dashboards
count marks its district (and, on a move, the district it left) in the same transaction.

Bulk writes that bypass the models are covered elsewhere: worker imports by the refresh's sweep
of Worker.updated_at, seeding and bench loads by `mitra refresh-stats --full`."""

from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from .rollups import mark_dirty

_OLD = "_stats_old"


def _tracked():
    from mitra.cases.models import ActivityReport, Beneficiary, Case, Intervention, Referral
    from mitra.workers.models import Worker

    return (Worker, Beneficiary, Case, Intervention, Referral, ActivityReport)


def _remember(sender, instance, raw=False, **kwargs):
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = ["region_code"]
    if sender.__name__ == "Worker":
        fields += ["kind", "merged_into_id"]
    old = sender._base_manager.filter(pk=instance.pk).values_list(*fields).first()
    setattr(instance, _OLD, old)


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
    old = getattr(instance, _OLD, None)
    codes = [instance.region_code]
    if old:
        codes.append(old[0])
        if sender.__name__ == "Worker" and (
            old[1] != instance.kind or old[2] != instance.merged_into_id
        ):
            # The kind a case or report counts under is its worker's.
            ids = [instance.pk] + ([instance.merged_into_id] if instance.merged_into_id else [])
            codes += _codes_of_worker_work(ids)
    mark_dirty(codes)


def _deleted(sender, instance, **kwargs):
    mark_dirty([instance.region_code])


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


def _enrolment_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        mark_dirty(_worker_region([instance.worker_id]))


def _batch_changed(sender, instance, raw=False, **kwargs):
    if raw or kwargs.get("created"):
        return
    ids = instance.enrolments.values_list("worker_id", flat=True)
    mark_dirty(_worker_region(list(ids)))


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
