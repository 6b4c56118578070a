"""Drop-downs never show Django's own empty option ("- Select an option -" in Django 6.1, which has
no Indonesian, or "---------"): the main forms say what to choose ("— Pilih desa/kelurahan —"),
in the user's language, and every other select falls back to an Indonesian "— Pilih —"."""

import importlib
import pkgutil
from html.parser import HTMLParser

import pytest
from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.urls import reverse
from django.utils import translation

import mitra
from mitra.cases.tests.test_pages_cases import open_case
from mitra.core.current import acting_as
from mitra.workers.models import Status
from mitra.workers.tests.builders import build_worker

pytestmark = pytest.mark.django_db
DJANGO_BLANKS = {"- Select an option -", BLANK_CHOICE_DASH[0][1]}
# Not telling what to choose: Django's, the generic fallback, a bare dash, nothing.
UNHELPFUL = DJANGO_BLANKS | {"— Pilih —", "—", ""}


def _form_classes():
    for module in pkgutil.walk_packages(mitra.__path__, "mitra."):
        if module.name.rsplit(".", 1)[-1].startswith(("forms", "filters")):
            importlib.import_module(module.name)

    def below(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from below(sub)

    return {cls for cls in below(forms.BaseForm) if cls.__module__.startswith("mitra.")}


def _blank_labels(field) -> list:
    if isinstance(field.widget, forms.HiddenInput | forms.MultipleHiddenInput):
        return []
    if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
        return []
    if isinstance(field, forms.ModelChoiceField):
        return [] if field.empty_label is None else [field.empty_label]
    if isinstance(field, forms.ChoiceField):
        return [label for value, label in field.choices if value == ""]
    return []


def test_no_form_offers_djangos_empty_option_in_any_language():
    """Every mitra form's drop-downs as declared (model fields included): the empty option is
    not Django's, and it is translated."""
    found = []
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            for label in _blank_labels(field):
                with translation.override("id"):
                    indonesian = str(label)
                with translation.override("en"):
                    english = str(label)
                if indonesian in DJANGO_BLANKS or english in DJANGO_BLANKS or indonesian == english:
                    found.append(f"{cls.__module__}.{cls.__name__}.{name}: {indonesian!r}")
    assert not found, found


class _Selects(HTMLParser):
    """Each <select>'s name (or aria-label) and its empty option's text, if it has one."""

    def __init__(self):
        super().__init__()
        self.blanks: dict[str, str] = {}
        self._select = None
        self._option_blank = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self._select = attrs.get("name") or attrs.get("aria-label") or "?"
        elif tag == "option" and self._select:
            self._option_blank = attrs.get("value") == ""
            if self._option_blank:
                self.blanks[self._select] = ""

    def handle_data(self, data):
        if self._select and self._option_blank:
            self.blanks[self._select] += data.strip()

    def handle_endtag(self, tag):
        if tag == "option":
            self._option_blank = False
        elif tag == "select":
            self._select = None


def _blanks(client, url) -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Selects()
    parser.feed(response.content.decode())
    return parser.blanks


@pytest.fixture
def psm(trimulyo_worker):
    return build_worker(user=trimulyo_worker, status=Status.ACTIVE)


@pytest.fixture
def case(psm, trimulyo_worker):
    with acting_as(trimulyo_worker):
        return open_case(psm, trimulyo_worker)


def test_the_main_forms_say_what_to_choose_in_indonesian(
    psm, case, trimulyo_worker, jetis_supervisor, bantul_officer, national_admin, client_for
):
    pages = [
        (trimulyo_worker, reverse("cases:beneficiary_create")),
        (trimulyo_worker, reverse("cases:report_create")),
        (trimulyo_worker, reverse("cases:case_detail", args=[case.pk])),
        (jetis_supervisor, reverse("cases:case_transfer", args=[case.pk])),
        (bantul_officer, reverse("cases:beneficiary_create")),
        (bantul_officer, reverse("training:batch_create")),
        (bantul_officer, reverse("workers:create")),
        (national_admin, reverse("accounts:user_create")),
        (national_admin, reverse("training:course_create")),
    ]
    seen = {}
    for user, url in pages:
        for name, text in _blanks(client_for(user), url).items():
            assert text not in UNHELPFUL, f"{url} [{name}]: {text!r}"
            seen[name] = text
    assert seen["consent_relation"] == "— Pilih hubungan —"
    assert seen["consent_method"] == "— Pilih cara persetujuan —"
    assert seen["village"] == "— Pilih desa/kelurahan —"
    assert seen["activity_type"] == "— Pilih jenis kegiatan —"
    assert seen["to_worker"] == seen["worker"] == "— Pilih pekerja sosial —"
    assert seen["role"] == "— Pilih peran —"


def test_the_region_picker_names_its_levels_in_the_users_language(bantul_officer, client_for):
    client = client_for(bantul_officer)
    page = client.get(reverse("cases:beneficiary_create")).content.decode()
    assert "&quot;— Pilih desa/kelurahan —&quot;" in page
    client.cookies["django_language"] = "en"
    page = client.get(reverse("cases:beneficiary_create")).content.decode()
    assert "&quot;— Choose a village —&quot;" in page
