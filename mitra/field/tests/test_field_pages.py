"""The field app's pages (issue 14): the app shell only for a PSM with a linked worker record, the
web manifest, the service worker, the way in from the PSM's home and the clearing logout form."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from PIL import Image

from mitra.field import views

pytestmark = pytest.mark.django_db


def test_a_psm_gets_the_app_shell_in_indonesian_without_personal_data(psm, client_for):
    page = client_for(psm.user).get("/lapangan/")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="id">' in html
    assert 'rel="manifest" href="/lapangan/manifest.webmanifest"' in html
    labels = json.loads(re.search(r'id="lapangan-labels"[^>]*>(.*?)</script>', html, re.S)[1])
    assert labels["unsent"] == "Belum terkirim"
    assert labels["send_now"] == "Kirim sekarang"
    assert labels["tab_due"] == "Jatuh tempo"
    # The shell is kept by the service worker and shown to whoever opens the phone offline: it
    # names no person, not even the PSM (the app shows the name from its own store).
    assert psm.full_name not in html
    # The CSP allows the module because it comes from the site itself; no inline script runs.
    assert re.search(r'<script type="module" src="/static/lapangan/app.js" nonce="[^"]+">', html)
    assert "style=" not in html


def test_the_app_shell_in_english_too(psm, client_for):
    client = client_for(psm.user)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/lapangan/").content.decode()
    assert "Not sent yet" in html and '"send_now": "Send now"' in html


def test_who_has_no_worker_record_is_told_the_app_is_for_psm(bantul_officer, client_for):
    client = client_for(bantul_officer)
    page = client.get("/lapangan/")
    assert page.status_code == 403
    assert "Aplikasi lapangan untuk PSM" in page.content.decode()


def test_anonymous_visitors_are_sent_to_the_login(client):
    page = client.get("/lapangan/")
    assert page.status_code == 302
    assert page["Location"].startswith("/masuk/")


def test_the_manifest_names_the_installable_app_and_its_icons(client):
    answer = client.get("/lapangan/manifest.webmanifest")
    assert answer["Content-Type"] == "application/manifest+json"
    manifest = json.loads(answer.content)
    assert manifest["name"] == "Mitra Lapangan"
    assert manifest["lang"] == "id"
    assert manifest["start_url"] == "/lapangan/" and manifest["scope"] == "/lapangan/"
    assert manifest["display"] == "standalone"
    sizes = {(i["sizes"], i["purpose"]) for i in manifest["icons"]}
    assert sizes == {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")}
    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_is_javascript_scoped_to_the_app_and_never_cached(client):
    # Public: Chromium fetches a module service worker's script without the session cookie.
    answer = client.get("/lapangan/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("application/javascript")
    assert "no-cache" in answer["Cache-Control"] or "max-age=0" in answer["Cache-Control"]
    script = answer.content.decode()
    cache = re.search(r'const CACHE = "(mitra-lapangan-[0-9a-f]{12})"', script)[1]
    precached = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", script)[1])
    assert "/lapangan/" in precached
    assert set(precached) >= {f"/static/{name}" for name in views.SCRIPTS + views.STYLES}
    # The API's answers are never put in Cache Storage (the data lives in IndexedDB).
    assert "apiNetworkOnly" in script and "&quot;" not in script
    views._static_digest.cache_clear()
    assert f'"{cache}"' in client.get("/lapangan/sw.js").content.decode()


def test_the_psm_home_leads_to_the_field_app_and_an_officers_does_not(
    psm, bantul_officer, client_for
):
    html = client_for(psm.user).get("/").content.decode()
    assert 'href="/lapangan/">Aplikasi lapangan (offline)</a>' in html
    assert 'href="/lapangan/"' not in client_for(bantul_officer).get("/").content.decode()


def test_the_sites_logout_form_clears_the_field_app_first(psm, client_for):
    html = client_for(psm.user).get("/").content.decode()
    assert re.search(r'<form action="/keluar/" method="post" data-clears-device="[^"]+">', html)
    assert '<script type="module" src="/static/lapangan/logout.js"></script>' in html
