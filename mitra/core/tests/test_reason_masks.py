"""Personal fields an auditor reads masked outside a worker's profile (ADR 0021): the change
history (values before and after) and a user's page. Other roles read them as before."""

import datetime

import pytest
from django.urls import reverse

from mitra.core.current import acting_as
from mitra.workers.tests.factories import WorkerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def changed_worker(bantul_officer):
    worker = WorkerFactory(phone="081234567890", address="Jl. Parangtritis 17")
    with acting_as(bantul_officer):
        worker.phone = "085700001111"
        worker.address = "Dusun Krapyak RT 3"
        worker.birth_date = datetime.date(1981, 3, 9)
        worker.save()
    return worker


def test_the_change_history_shows_an_auditor_the_phone_and_address_masked(
    auditor, client_for, changed_worker
):
    page = client_for(auditor).get(reverse("core:changelog")).content.decode()
    assert "0812****7890" in page and "0857****1111" in page and "Dusun ****" in page
    assert "085700001111" not in page and "Krapyak" not in page and "Parangtritis" not in page
    assert "1981" not in page  # a birth date with the masked NIK gives the NIK's hidden digits


def test_the_change_history_shows_an_administrator_the_full_values(
    national_admin, client_for, changed_worker
):
    page = client_for(national_admin).get(reverse("core:changelog")).content.decode()
    assert "085700001111" in page and "Dusun Krapyak RT 3" in page and "1981" in page


def test_a_users_phone_is_masked_for_an_auditor(auditor, bantul_officer, client_for):
    bantul_officer.phone = "081298765432"
    bantul_officer.save()
    url = reverse("accounts:user_detail", args=[bantul_officer.pk])
    page = client_for(auditor).get(url).content.decode()
    assert "0812****5432" in page and "081298765432" not in page
    assert "081298765432" in client_for(bantul_officer).get(url).content.decode()
