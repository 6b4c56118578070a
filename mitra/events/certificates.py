"""Participation certificates of events, printed by the training certificate machinery
(mitra/training/certificates.py: the same page, fonts, QR code and public verification address)
with the event's words: "telah berpartisipasi sebagai peserta dalam <event>".

The public verification page /verifikasi/<code>/ is training's; when no training certificate has
the code it asks `verification_page` here. The batch job issues the missing certificates of the
participants who attended enough and prints them into one ZIP, like training's batch job.
"""

from __future__ import annotations

import os
import re
import uuid
import zipfile

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mitra.training import certificates as printing
from mitra.training.views_certificates import STATUS_LABELS, _local_date_range

from . import services
from .models import Event, EventStatus, Invitation, ParticipationCertificate

JOB_KIND = "events.certificates"
JOB_FUNC = "mitra.events.certificates.run_certificate_batch"
RELATED = ("invitation__worker", "invitation__event__host_village__district__regency")


def printable():
    return ParticipationCertificate.objects.select_related(*RELATED)


def venue_text(event: Event) -> str:
    """Balai Desa Trimulyo, Desa Trimulyo, Kecamatan Jetis, Kabupaten Bantul."""
    village = event.host_village
    kind = "Kelurahan" if village.kind == "kelurahan" else "Desa"
    parts = [event.venue.strip()] if event.venue.strip() else []
    parts += [f"{kind} {village.name}", f"Kecamatan {village.district.name}"]
    return ", ".join([*parts, village.district.regency.name])


def event_facts(event: Event) -> dict:
    """What every certificate of an event says alike."""
    return {
        "course_title": event.name,
        "hours": 0,
        "starts_on": event.starts_on,
        "ends_on": event.ends_on,
        "organiser": event.organiser,
        "venue": venue_text(event),
        "place": printing.place_name(event.host_village.district.regency.name),
        "signer_name": event.signer_name,
        "signer_title": event.signer_title,
        "valid_until": None,
        "kind": "event",
    }


def facts_for(certificate: ParticipationCertificate, base_url: str) -> printing.CertificateFacts:
    invitation = certificate.invitation
    return printing.CertificateFacts(
        number=certificate.number,
        holder=invitation.worker.full_name,
        issued_on=certificate.issued_on,
        verify_url=printing.verification_url(certificate.verify_code, base_url),
        revoked=certificate.revoked_at is not None,
        **event_facts(invitation.event),
    )


def status(certificate: ParticipationCertificate) -> str:
    return "revoked" if certificate.revoked_at else "valid"


def verification_page(request, code: str):
    """The public page for an event certificate's code (the unknown-code page otherwise)."""
    certificate = printable().filter(verify_code=code).first()
    if certificate is None:
        return render(request, "training/certificate_unknown.html", status=404)
    event = certificate.invitation.event
    state = status(certificate)
    # Plain values only: the template cannot reach the worker's record by mistake.
    context = {
        "state": state,
        "state_label": STATUS_LABELS[state],
        "number": certificate.number,
        "holder": printing.mask_name(certificate.invitation.worker.full_name),
        "event_name": event.name,
        "dates": _local_date_range(event.starts_on, event.ends_on),
        "place": event.host_village.name,
        "organiser": event.organiser,
        "issued_on": certificate.issued_on,
        "revoked_on": (
            timezone.localdate(certificate.revoked_at) if certificate.revoked_at else None
        ),
    }
    return render(request, "events/certificate_verify.html", context)


# ---- the batch job ------------------------------------------------------------------------------


def event_for_issuing(user, event_id) -> Event:
    if user is None or not user.is_active or not user.has_perm("events.issue_certificate"):
        raise PermissionDenied
    return (
        Event.objects.managed_by(user)
        .select_related("host_village__district__regency")
        .get(pk=event_id)
    )


def eligible(event: Event) -> list[Invitation]:
    """Registered participants who attended enough, in name order (the numbering order)."""
    people = services.participants(event).select_related("worker", "event")
    people = people.order_by("worker__full_name", "pk")
    return [i for i in people if services.earns_certificate(i)]


def write_event_zip(event: Event, user, base_url: str, progress=None) -> dict:
    people = eligible(event)
    total = len(people)
    if progress:
        progress(0, total, _("Issuing certificates…"))
    issued = 0
    with transaction.atomic():
        for invitation in people:
            if not hasattr(invitation, "certificate"):
                services.issue_certificate(invitation, user)
                issued += 1
    shared = event_facts(event)
    name = f"{printing.STORAGE_DIR}/{uuid.uuid4().hex}.zip"
    path = printing.storage_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    printed = skipped = 0
    rows = ParticipationCertificate.objects.filter(invitation__event=event).order_by("number")
    rows = rows.values_list(
        "number", "verify_code", "issued_on", "revoked_at", "invitation__worker__full_name"
    )
    message = _("Printing certificate %(done)d of %(total)d")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED) as archive:
            for done, (number, code, issued_on, revoked_at, holder) in enumerate(rows, start=1):
                if revoked_at is not None:
                    skipped += 1
                    continue
                facts = printing.CertificateFacts(
                    number=number,
                    holder=holder,
                    issued_on=issued_on,
                    verify_url=printing.verification_url(code, base_url),
                    **shared,
                )
                with archive.open(printing.pdf_filename(number), "w") as member:
                    printing.render_certificate(facts, member)
                printed += 1
                if progress:
                    progress(done, total, message % {"done": done, "total": total})
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    slug = re.sub(r"[^A-Za-z0-9]+", "-", event.name).strip("-").lower()[:60]
    return {
        "file": name,
        "filename": f"sertifikat-{slug}.zip",
        "printed": printed,
        "issued": issued,
        "revoked_skipped": skipped,
        "event": event.pk,
        "region_code": event.region_code,
    }


def run_certificate_batch(*, job, progress, event_id: int, base_url: str, language: str) -> dict:
    """The background job: issue and print the certificates of an event's participants."""
    user = job.created_by
    with translation.override(language):
        try:
            event = event_for_issuing(user, event_id)
        except Event.DoesNotExist:
            raise PermissionDenied(_("This event is not in your area.")) from None
        if event.status == EventStatus.DRAFT:
            raise PermissionDenied(_("Certificates are issued once the event took place."))
        result = write_event_zip(event, user, base_url, progress)
        progress(
            result["printed"],
            None,
            _("%(printed)d certificates printed (%(issued)d newly issued).")
            % {"printed": result["printed"], "issued": result["issued"]},
        )
    result["download_url"] = reverse("events:certificate_batch_download", args=[job.pk])
    result["finished"] = timezone.now().isoformat()
    return result
