"""Reads that need a stated reason (ADR 0021). An auditor reads the logs and the records with their
national scope, but a file about a person (a decree scan, a certificate, a portfolio document) is
handed over only once they say why; the reason goes into the access log with the read, so the
auditor's own reads can be audited. Other roles read within their area as before."""

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


def reason_gate(request, what):
    """(None, reason) when the read may go ahead, the reason ('' for roles that need none);
    (page, '') with the form asking for the reason otherwise (a GET, or a POST without one)."""
    if not needs_reason(request.user):
        return None, ""
    form = ReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        return None, form.cleaned_data["reason"]
    return render(request, "core/reason.html", {"form": form, "what": what}), ""


def with_reason(purpose: str, reason: str) -> str:
    """The access log's purpose with the stated reason (it keeps 200 characters)."""
    return f"{purpose} | {reason}" if reason else purpose
