"""The PSM's offline field app (issue 14): the app shell page, its web manifest and its service
worker. The app itself is static JavaScript (mitra/static/lapangan/) that keeps the PSM's working
set and unsent entries in IndexedDB and talks to /api/v1/sync/ (docs/adr/0025)."""

import hashlib
import json
from functools import lru_cache

from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from mitra.training.views import own_worker
from mitra.training.views_certificates import public_route

from .labels import labels

# The app's own static files, precached by the service worker. The shell loads exactly these, so
# the first visit downloads each once and every later start needs no network at all.
SCRIPTS = ("lapangan/app.js", "lapangan/db.js", "lapangan/sync.js", "lapangan/forms.js")
SCRIPTS += ("lapangan/screens.js", "lapangan/logout.js")
STYLES = ("mitra/mitra.css", "lapangan/app.css")
ICONS = ("lapangan/icons/icon-192.png", "lapangan/icons/icon-512.png")
ICONS += ("lapangan/icons/maskable-512.png",)
PRECACHED = STYLES + SCRIPTS + ("lapangan/icons/icon-192.png", "mitra/favicon.svg")


@lru_cache(maxsize=1)
def _static_digest() -> str:
    """A digest of the precached files' contents: the service worker's cache name changes with
    any of them, so a new release replaces the old cache instead of serving stale code. (In
    production the URLs carry hashes too; in development and tests they do not.)"""
    digest = hashlib.sha256()
    for name in PRECACHED:
        found = finders.find(name)
        if found:
            with open(found, "rb") as fh:
                digest.update(fh.read())
    return digest.hexdigest()[:12]


def _not_a_worker(request):
    return render(request, "field/not_worker.html", status=403)


@login_required
@require_GET
def app_shell(request):
    """The app shell: no personal data in it (the working set comes from the sync API into
    IndexedDB), so the service worker may keep it and open it without a connection."""
    if own_worker(request.user) is None:
        return _not_a_worker(request)
    return render(
        request,
        "field/app.html",
        {"labels": labels(), "scripts": SCRIPTS, "styles": STYLES},
    )


@public_route("the web app manifest: the app's name and icons; browsers fetch it without cookies")
@require_GET
def manifest(request):
    """The web app manifest; public like a static file (the browser fetches it without the
    session cookie, so a login check would hide the app's name and icons)."""
    data = {
        "name": "Mitra Lapangan",
        "short_name": "Mitra Lapangan",
        "lang": get_language() or "id",
        "start_url": reverse("field:app"),
        "scope": reverse("field:app"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#07444f",
        "icons": [
            {"src": static(ICONS[0]), "sizes": "192x192", "type": "image/png", "purpose": "any"},
            {"src": static(ICONS[1]), "sizes": "512x512", "type": "image/png", "purpose": "any"},
            {
                "src": static(ICONS[2]),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
        ],
    }
    return HttpResponse(json.dumps(data), content_type="application/manifest+json")


@public_route("the field app's service worker: the app's code and file list, no data")
@never_cache
@require_GET
def service_worker(request):
    """The service worker, from /lapangan/ so that its scope is the app (no special header). Never
    cached by HTTP: the browser must see a new release's cache name at its next update check.
    Public like a static file: Chromium fetches a module worker's script without the session
    cookie, and the script holds only code (the data comes from the sync API, behind login)."""
    shell = reverse("field:app")
    files = [shell, reverse("field:manifest"), *(static(name) for name in PRECACHED)]
    body = render(
        request,
        "field/sw.js",
        {
            "cache_name": f"mitra-lapangan-{_static_digest()}",
            "precache": json.dumps(files),
            "shell": json.dumps(shell),
            "sync_module": json.dumps(static("lapangan/sync.js")),
        },
    ).content
    return HttpResponse(body, content_type="application/javascript; charset=utf-8")
