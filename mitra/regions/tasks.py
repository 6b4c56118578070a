from django.utils.translation import gettext as _

from .loader import load_regions


def reload_regions(job, progress) -> dict:
    """Background job: load or update the region tree from the bundled official files."""
    progress(0, 4, _("Reading the region files…"))
    summary = load_regions(progress=lambda step, total: progress(step, total))
    progress(
        4,
        4,
        _("%(new)d new regions, %(renamed)d renamed.")
        % {"new": summary.created, "renamed": summary.renamed},
    )
    return {"created": summary.created, "renamed": summary.renamed, "text": summary.as_text()}
