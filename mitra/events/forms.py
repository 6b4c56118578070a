"""Forms of the event pages: the event, a session with its speakers and materials, a manual
invitation, the registration, and revoking a certificate."""

import datetime
import mimetypes
import uuid
import zipfile
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mitra.core.forms import RegionCodeField, label_blank_choice, understood_field
from mitra.core.scope import code_in_scope, format_code, user_scope
from mitra.core.uploads import CONTENT_TYPES, check_pdf, reencoded_image
from mitra.regions.models import Village
from mitra.training.filters import area_choices, area_label, choice_values
from mitra.training.forms import DateInput

from .models import Event, EventSession, Material, Registration, Speaker


class EventForm(forms.ModelForm):
    """An event: what, who organises it for which area, where and when."""

    region_code = forms.ChoiceField(
        label=_("Organiser's area"),
        required=False,
        help_text=_("Who sees the event: this area and everything inside it."),
    )
    host_code = RegionCodeField(
        label=_("Host village"),
        help_text=_("The village or kelurahan where the event takes place."),
    )

    class Meta:
        model = Event
        fields = [
            "name",
            "kind",
            "year",
            "organiser",
            "region_code",
            "host_code",
            "venue",
            "starts_on",
            "ends_on",
            "description",
            "attendance_min",
            "signer_name",
            "signer_title",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        event = self.instance
        if event.pk:
            self.fields["host_code"].initial = event.host_village_id
        else:
            self.fields["region_code"].initial = user.scope_code
        choices = area_choices(user)
        if event.pk and event.region_code not in choice_values(choices):
            choices = [(event.region_code, area_label(event.region_code)), *choices]
        self.fields["region_code"].choices = choices
        self.fields["attendance_min"].widget.attrs.update(min=0, max=100)
        self.fields["year"].required = False
        self.fields["year"].help_text = _("Empty: the year of the first day.")
        if user_scope(user):
            self.fields["region_code"].required = True

    def clean_region_code(self):
        code = self.cleaned_data["region_code"]
        scope = user_scope(self.user) or ""
        if not code_in_scope(code, scope) or (scope and not code):
            raise forms.ValidationError(
                _("Choose an area inside your own area (%(area)s).")
                % {"area": format_code(scope) or _("all of Indonesia")}
            )
        return code

    def clean_host_code(self):
        code = self.cleaned_data["host_code"]
        if len(code) != 10:
            raise forms.ValidationError(_("Choose the village or kelurahan of the venue."))
        return code

    def clean_attendance_min(self):
        value = self.cleaned_data["attendance_min"]
        if value is not None and value > 100:
            raise forms.ValidationError(_("A share between 0 and 100."))
        return value

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        if starts and not data.get("year"):
            data["year"] = starts.year
        return data

    def save(self, commit=True):
        self.instance.host_village = Village.objects.get(code=self.cleaned_data["host_code"])
        return super().save(commit)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def parse_speakers(text: str) -> list[dict]:
    """One speaker per line: name | role | organisation (role and organisation optional)."""
    speakers = []
    for line in (text or "").splitlines():
        parts = [p.strip() for p in line.split("|")]
        if not parts[0]:
            continue
        parts += ["", ""]
        speakers.append(
            {"name": parts[0][:150], "role": parts[1][:150], "organisation": parts[2][:150]}
        )
    return speakers


def speakers_text(session: EventSession) -> str:
    return "\n".join(
        " | ".join(p for p in (s.name, s.role, s.organisation)) for s in session.speakers.all()
    )


class SessionForm(forms.ModelForm):
    speakers = forms.CharField(
        label=_("Speakers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One speaker per line: name | role | organisation."),
    )

    class Meta:
        model = EventSession
        fields = ["title", "starts_at", "ends_at", "room", "description"]
        widgets = {
            "starts_at": DateTimeInput,
            "ends_at": DateTimeInput,
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if self.instance.pk:
            self.fields["speakers"].initial = speakers_text(self.instance)

    def clean(self):
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start and end:
            if end <= start:
                self.add_error("ends_at", _("A session ends after it starts."))
            day = timezone.localtime(start).date()
            if not (self.event.starts_on <= day <= self.event.ends_on):
                self.add_error("starts_at", _("The session must fall within the event's dates."))
        return data

    def save(self, commit=True):
        session = super().save(commit=False)
        session.event = self.event
        session.save()
        session.speakers.all().delete()
        Speaker.objects.bulk_create(
            Speaker(session=session, position=n, **s)
            for n, s in enumerate(parse_speakers(self.cleaned_data["speakers"]))
        )
        return session


MAX_MATERIAL_BYTES = 20 * 1024 * 1024
MATERIAL_TYPES = {
    ".pdf": "application/pdf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
# What a file of each kind starts with: a renamed executable is refused.
MAGIC = {".pdf": b"%PDF", ".pptx": b"PK", ".docx": b"PK", ".xlsx": b"PK", ".png": b"\x89PNG"}
MAGIC.update({".jpg": b"\xff\xd8", ".jpeg": b"\xff\xd8"})


# Office files are zip archives, handed on to participants' computers: what unpacks to far more
# than any slide deck, holds macros or DTDs (XXE, entity bombs) or is no Office file is refused.
MAX_MATERIAL_UNPACKED = 200 * 1024 * 1024
MAX_MATERIAL_PARTS = 5000


def _check_office_zip(upload) -> None:
    damaged = forms.ValidationError(_("The file's content does not match its type."))
    try:
        with zipfile.ZipFile(upload) as archive:
            infos = archive.infolist()
            names = {info.filename.lower() for info in infos}
            if len(infos) > MAX_MATERIAL_PARTS or "[content_types].xml" not in names:
                raise damaged
            if sum(info.file_size for info in infos) > MAX_MATERIAL_UNPACKED:
                raise forms.ValidationError(
                    _("The file would unpack to far more data than a document holds.")
                )
            if any(name.endswith("vbaproject.bin") for name in names):
                raise forms.ValidationError(
                    _("The document contains macros. Save it without macros and upload it again.")
                )
            for info in infos:
                # A DTD comes before the root element: the first bytes of each part suffice.
                if info.filename.lower().endswith((".xml", ".rels")):
                    with archive.open(info) as part:
                        if b"<!DOCTYPE" in part.read(4096).upper():
                            raise damaged
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError):
        raise damaged from None
    finally:
        upload.seek(0)


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["title", "file", "url"]
        help_texts = {
            "file": _("PDF, PowerPoint, Word, Excel or a photo; at most 20 MB."),
            "url": _("Or a link, e.g. to a video or a shared folder."),
        }

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return upload
        ext = Path(upload.name).suffix.lower()
        if ext not in MATERIAL_TYPES:
            raise forms.ValidationError(
                _("This kind of file is not accepted. Use PDF, PPTX, DOCX, XLSX, JPG or PNG.")
            )
        if upload.size > MAX_MATERIAL_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        head = upload.read(8)
        upload.seek(0)
        if not head.startswith(MAGIC[ext]):
            raise forms.ValidationError(_("The file's content does not match its type."))
        if MAGIC[ext] == b"PK":
            _check_office_zip(upload)
        elif ext == ".pdf":
            check_pdf(upload.read(), "PDF")
            upload.seek(0)
        else:  # a picture: decoded and stored re-encoded, as every uploaded picture (core.uploads)
            kind = "png" if ext == ".png" else "jpg"
            data = reencoded_image(upload.read(), kind, kind.upper().replace("JPG", "JPEG"))
            upload = SimpleUploadedFile(upload.name, data, CONTENT_TYPES[kind])
        # Stored under a random name: a file name often holds a person's name; the download is
        # named after the material's title.
        upload.name = f"{uuid.uuid4().hex}{ext}"
        return upload

    def clean(self):
        data = super().clean()
        has_file, has_url = bool(data.get("file")), bool(data.get("url"))
        if has_file == has_url:
            raise forms.ValidationError(_("Give either a file or a link (one of the two)."))
        return data

    def save(self, commit=True):
        material = super().save(commit=False)
        if material.file:
            ext = Path(material.file.name).suffix.lower()
            material.size = material.file.size
            material.content_type = MATERIAL_TYPES.get(ext) or (
                mimetypes.guess_type(material.file.name)[0] or ""
            )
        if commit:
            material.save()
        return material


class InviteForm(forms.Form):
    nik_or_name = forms.CharField(
        label=_("Worker"),
        max_length=150,
        help_text=_("Type a name or a full NIK; only workers of your area are found."),
    )


class CycleForm(forms.Form):
    cycle = forms.TypedChoiceField(label=_("Award cycle"), coerce=int)

    def __init__(self, *args, cycles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cycle"].choices = [(c.pk, str(c)) for c in cycles]


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = Registration
        fields = [
            "travel_from",
            "arrival_on",
            "departure_on",
            "transport",
            "lodging_needed",
            "dietary_needs",
            "accessibility_needs",
        ]
        widgets = {
            "arrival_on": DateInput,
            "departure_on": DateInput,
            "dietary_needs": forms.Textarea(attrs={"rows": 2}),
            "accessibility_needs": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "travel_from": _("Town or regency the invitee travels from."),
            "dietary_needs": _("e.g. vegetarian, no seafood. Kept confidential."),
            "accessibility_needs": _(
                "e.g. wheelchair access, a companion, medication. Kept confidential and seen "
                "only by the organisers and the invitee's officers."
            ),
        }

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        label_blank_choice(self.fields["transport"], _("— Choose the means of travel —"))
        if not self.instance.pk:
            self.fields["arrival_on"].initial = event.starts_on - datetime.timedelta(days=1)
            self.fields["departure_on"].initial = event.ends_on + datetime.timedelta(days=1)


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revoking"),
        max_length=255,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    understood = understood_field(
        _("I understand that a revoked certificate cannot be made valid again.")
    )
