"""Reads that need a stated reason (ADR 0021). An auditor reads the logs and the records with their
national scope, but a file about a person (a decree scan, a certificate, a portfolio document) is
handed over only once they say why, and a person's address, phone number and photo are shown
masked until they say why; the reason goes into the access log with the read, so the auditor's
own reads can be audited. Other roles read within their area as before."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

REASON_ROLES = frozenset({"auditor"})


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for this read"),
        min_length=10,
        max_length=180,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Written to the access log with your name, e.g. the audit assignment and its letter "
            "number. Do not write a NIK here."
        ),
    )


def needs_reason(user) -> bool:
    return getattr(user, "role", None) in REASON_ROLES


def reason_gate(request, what, *, intro=None, button=None):
    """(None, reason) when the read may go ahead, the reason ('' for roles that need none);
    (page, '') with the form asking for the reason otherwise (a GET, or a POST without one).
    `intro` and `button` name a read that is not a file (the full values of a record)."""
    if not needs_reason(request.user):
        return None, ""
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return None, form.cleaned_data["reason"]
    ctx = {"form": form, "what": what, "intro": intro, "button": button}
    return render(request, "core/reason.html", ctx), ""


def with_reason(purpose: str, reason: str) -> str:
    """The access log's purpose with the stated reason (it keeps 200 characters)."""
    return f"{purpose} | {reason}" if reason else purpose


# ---- masked personal fields ----------------------------------------------------------------------

MASK = "****"
# The first word of an address that says what kind of place it is, not where: kept when masking.
_ADDRESS_KINDS = frozenset(
    [
        "jl",
        "jln",
        "jalan",
        "gg",
        "gang",
        "dusun",
        "dsn",
        "dukuh",
        "kp",
        "kampung",
        "perum",
        "perumahan",
        "komplek",
        "kompleks",
        "blok",
        "rt",
    ]
)


def mask_phone(value: str) -> str:
    """081234567890 -> 0812****7890: the operator and the last digits, enough to tell two apart."""
    value = (value or "").strip()
    if not value:
        return ""
    if len(value) < 9:
        return MASK + value[-2:]
    return value[:4] + MASK + value[-4:]


def mask_address(value: str) -> str:
    """Jl. Parangtritis No. 5 -> Jl. ****: the kind of place only; the village is shown apart."""
    words = (value or "").split()
    if not words:
        return ""
    first = words[0].rstrip(",")
    if first.rstrip(".").lower() in _ADDRESS_KINDS:
        return f"{first} {MASK}"
    return MASK


def mask_birth_date(value) -> str:
    """Hidden whole: with the masked NIK's visible digits and the sex, a birth date gives back the
    NIK's hidden middle (domain.md, NIK). The age is shown instead."""
    return MASK


# Personal fields by name, on any record (a worker's, a user's): the masked form of each.
PERSONAL_MASKS = {"phone": mask_phone, "address": mask_address, "birth_date": mask_birth_date}


def masked_value(name: str, value):
    """The value of field `name` as a reader who must state a reason first sees it."""
    mask = PERSONAL_MASKS.get(name)
    if mask is None or value in (None, ""):
        return value
    return mask(str(value))


def mask_history(entries, user):
    """Change-log entries as `user` may read them: an auditor's show the personal fields' values
    before and after masked (`ChangeLog.display_changes`)."""
    entries = list(entries)
    if needs_reason(user):
        for entry in entries:
            entry.mask_personal = True
    return entries
