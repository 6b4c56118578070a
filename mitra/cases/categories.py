"""Writing a case's or a person's PMKS categories."""


def add_first_categories(row, categories) -> None:
    """The PMKS categories of a case or person just created, which has none yet: one INSERT
    instead of `set()`'s two reads, its insert and the signals' touch of the row. Those signals
    have nothing to add to a new row: its own save marked its district for the rollups from the
    month it counts in, and its `updated_at` is already now (mitra/cases/signals.py)."""
    field = type(row).categories.field
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    through.objects.bulk_create(
        [through(**{f"{source}_id": row.pk, f"{target}_id": c.pk}) for c in categories]
    )
