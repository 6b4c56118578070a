"""Error pages speak Indonesian in the site layout and fit a phone: a 400 and an expired form
keep the menu and the user (Django renders its own 400 and CSRF pages bare and in English), and
the 500 page is plain HTML that needs neither the database nor a context processor."""

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_bad_request_answers_400_in_indonesian_with_the_menu(psm_client):
    from django.core.exceptions import SuspiciousOperation

    from mitra.core.views_errors import bad_request

    request = psm_client.get("/").wsgi_request
    response = bad_request(request, SuspiciousOperation("bad"))
    text = response.content.decode()
    assert response.status_code == 400
    assert "Permintaan tidak dapat dibaca" in text
    assert 'id="main-menu"' in text and "Kasus &amp; kegiatan" in text
    assert 'name="viewport"' in text


def test_a_form_sent_after_it_expired_says_what_to_do_in_indonesian(trimulyo_worker):
    client = Client(enforce_csrf_checks=True)
    client.force_login(trimulyo_worker)
    response = client.post(reverse("accounts:logout"))
    text = response.content.decode()
    assert response.status_code == 403
    assert "Formulir sudah kedaluwarsa" in text
    assert "verification failed" not in text
    assert 'id="main-menu"' in text


def test_the_500_page_is_static_indonesian_and_fits_a_phone():
    template = get_template("500.html")
    text = template.render()
    assert "{%" not in template.template.source and "{{" not in template.template.source
    assert "Terjadi kesalahan di server" in text
    assert 'name="viewport"' in text and 'href="/static/mitra/mitra.css"' in text
    assert settings.STATIC_URL == "/static/"


def test_the_404_page_keeps_the_menu_and_the_user(psm_client):
    response = psm_client.get("/tidak-ada-halaman-ini/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "Tidak ditemukan" in text
    assert 'id="main-menu"' in text


@pytest.fixture
def psm_client(client_for, trimulyo_worker):
    return client_for(trimulyo_worker)
