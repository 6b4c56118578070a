"""Check 5: hostile uploads. Every upload endpoint refuses every file of trust_hostile_files with a
clear message in Indonesian, writes no row, never echoes a file's secrets, keeps memory bounded and
never lets the file's name choose where it is stored.

The endpoints are found, not listed by hand: every form class in the project with a file field and
every API operation taking a file must have an entry in ENDPOINTS (a new one fails
test_every_upload_form_and_api_operation_is_covered until it gets one)."""

import importlib
import pkgutil
import resource
from pathlib import Path

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

import mitra

from .trust_hostile_files import hostile_files

pytestmark = pytest.mark.django_db

ENGLISH_ONLY = (" the ", " is not ", " cannot ", " must ", " too big", " upload ")
LEAKS = (b"root:x:0:0", b"lollollol", b"Attribute VB_Name")


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


# ---- the endpoints ---------------------------------------------------------------------------------


def form_errors(response) -> list[str]:
    context = response.context or {}
    errors = []
    for key in ("form", "decree_form"):
        form = context.get(key) if hasattr(context, "get") else None
        if form is not None and hasattr(form, "errors"):
            errors += [str(e) for field_errors in form.errors.values() for e in field_errors]
    if context and context.get("file_problem"):
        errors.append(str(context["file_problem"]))
    return errors


class Endpoint:
    # Files this endpoint may accept, with the reason (their content is what it takes).
    accepts: dict[str, str] = {}


class WorkersImport(Endpoint):
    """/pekerja/impor/: the upload page, then as far as the import will go (mapping as detected,
    the check, the confirmation): no worker may come out of a hostile file."""

    form = "mitra.workers.importing.views.UploadForm"

    def __init__(self, request):
        self.user = request.getfixturevalue("bantul_officer")

    def rows(self):
        from mitra.workers.models import Worker

        return Worker.objects.count()

    def send(self, client, upload):
        from mitra.core.models import Job
        from mitra.workers.importing import jobs

        response = client.post(reverse("workers:import_start"), {"file": upload})
        errors = form_errors(response) if response.status_code == 200 else []
        if response.status_code != 302:
            return response, errors
        job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
        result = job.result or {}
        inspected = job.status == Job.Status.DONE and job.params.get("phase") == "inspect"
        if inspected and result.get("mapping"):
            jobs.advance(job, "check", {"inspect"}, mapping=result["mapping"])
        client.post(reverse("workers:import_confirm", args=[job.pk]))
        job.refresh_from_db()
        page = client.get(reverse("workers:import_detail", args=[job.pk]))
        result = job.result or {}
        messages = [str(m) for m in page.context.get("messages", [])] if page.context else []
        errors = [job.message] if job.status == Job.Status.FAILED and job.message else []
        errors += [str(e) for e in result.get("errors") or []]
        errors += [
            str(p.get("reason", p)) if isinstance(p, dict) else str(p)
            for p in result.get("problems") or []
        ]
        errors += messages
        return page, errors


class TrainingResults(Endpoint):
    form = "mitra.training.forms.ResultsUploadForm"

    def __init__(self, request):
        from mitra.training import services
        from mitra.training.tests.pagehelpers import batch_in
        from mitra.workers.tests.builders import build_worker

        self.user = request.getfixturevalue("bantul_officer")
        self.batch = batch_in("3402", quota=3, status="open")
        for name in ("Ani", "Budi"):
            services.nominate(self.batch, build_worker(full_name=name), self.user)
        services.change_batch_status(self.batch, "running", self.user)

    def rows(self):
        from django.db.models import Q

        from mitra.training.models import Attendance, Enrolment

        scored = Enrolment.objects.filter(Q(pre_score__isnull=False) | Q(post_score__isnull=False))
        return Attendance.objects.count() + scored.count()

    def send(self, client, upload):
        url = reverse("training:results_import", args=[self.batch.pk])
        response = client.post(url, {"file": upload})
        errors = form_errors(response) if response.status_code == 200 else []
        # Whatever the check kept, a confirmation must write nothing from a hostile file.
        digest = (client.session.get(f"results-import-{self.batch.pk}") or {}).get("digest", "")
        client.post(
            reverse("training:results_import_confirm", args=[self.batch.pk]), {"digest": digest}
        )
        return response, errors


class DecreeScan(Endpoint):
    form = "mitra.workers.forms.DecreeForm"

    def __init__(self, request):
        from mitra.workers.services import Status, change_status
        from mitra.workers.tests.factories import WorkerFactory

        self.user = request.getfixturevalue("bantul_officer")
        self.worker = WorkerFactory(ready=True)
        change_status(self.worker, Status.VERIFIED, self.user)
        self.worker.refresh_from_db()

    def rows(self):
        from mitra.workers.models import Decree

        return Decree.objects.count()

    def send(self, client, upload):
        data = {
            "number": "460/123/2026",
            "issued_on": "2026-01-05",
            "office": "Dinas Sosial Bantul",
            "version": self.worker.version,
            "scan": upload,
        }
        response = client.post(reverse("workers:decree_create", args=[self.worker.pk]), data)
        return response, form_errors(response) if response.status_code == 200 else []


class WorkerPhoto(Endpoint):
    form = "mitra.workers.forms.WorkerForm"

    def __init__(self, request):
        from mitra.workers.tests.factories import WorkerFactory

        self.user = request.getfixturevalue("bantul_officer")
        self.worker = WorkerFactory()

    def rows(self):
        self.worker.refresh_from_db()
        return int(bool(self.worker.photo)) + self.worker.version - 1

    def send(self, client, upload):
        from mitra.workers.tests.test_register import edit_data

        data = edit_data(self.worker, photo=upload)
        response = client.post(reverse("workers:update", args=[self.worker.pk]), data)
        return response, form_errors(response) if response.status_code == 200 else []


class AwardNomination(Endpoint):
    """/penghargaan/siklus/<pk>/usulkan/: a nomination with a portfolio document; a hostile file
    refuses the whole nomination (no nomination, no file)."""

    form = "mitra.awards.forms.PortfolioForm"

    def __init__(self, request):
        from mitra.awards.tests.builders import eligible_psm, make_cycle

        self.user = request.getfixturevalue("bantul_officer")
        self.cycle = make_cycle()
        self.worker = eligible_psm()

    def rows(self):
        from mitra.awards.models import Nomination, NominationFile

        return Nomination.objects.count() + NominationFile.objects.count()

    def send(self, client, upload):
        data = {
            "worker": str(self.worker.pk),
            "innovation_title": "Bank Sampah",
            "innovation_summary": "Ringkasan.",
            "innovation_text": "Uraian.",
            "documents": [upload],
        }
        response = client.post(reverse("awards:nominate", args=[self.cycle.pk]), data)
        return response, form_errors(response) if response.status_code == 200 else []


class AwardPortfolio(Endpoint):
    """/penghargaan/usulan/<pk>/portofolio/: more files for an existing nomination."""

    form = "mitra.awards.forms.PortfolioEditForm"

    def __init__(self, request):
        from mitra.awards.tests.builders import eligible_psm, make_cycle, nominate

        self.user = request.getfixturevalue("bantul_officer")
        self.nomination = nominate(make_cycle(), eligible_psm(), self.user)

    def rows(self):
        from mitra.awards.models import NominationFile

        self.nomination.refresh_from_db()
        return NominationFile.objects.count() + self.nomination.version - 1

    def send(self, client, upload):
        data = {
            "innovation_title": "Bank Sampah",
            "innovation_summary": "Ringkasan.",
            "innovation_text": "Uraian.",
            "version": self.nomination.version,
            "photos": [upload],
        }
        url = reverse("awards:portfolio_edit", args=[self.nomination.pk])
        response = client.post(url, data)
        return response, form_errors(response) if response.status_code == 200 else []


class EventMaterial(Endpoint):
    """/kegiatan/<pk>/sesi/<session_pk>/materi/: a file handed out at a session of a Bantul
    event; Office files are zips, so their bombs, macros, DTDs and non-Office zips must be refused
    (MaterialForm), not stored for participants to download."""

    form = "mitra.events.forms.MaterialForm"

    def __init__(self, request):
        from mitra.events.tests.builders import make_event

        self.user = request.getfixturevalue("bantul_officer")
        self.session = make_event(region="3402", sessions=1).sessions.get()

    def rows(self):
        from mitra.events.models import Material

        return Material.objects.count()

    def send(self, client, upload):
        data = {"title": "Materi sesi", "url": "", "file": upload}
        url = reverse("events:material_add", args=[self.session.event_id, self.session.pk])
        response = client.post(url, data)
        return response, form_errors(response) if response.status_code == 200 else []


class VentureSupportProof(Endpoint):
    """/usaha/<pk>/dukungan/baru/: the scanned proof of a grant (the decree scan's check)."""

    form = "mitra.ventures.forms.SupportForm"

    def __init__(self, request):
        from mitra.ventures.tests.builders import build_venture

        self.user = request.getfixturevalue("bantul_officer")
        self.venture = build_venture()

    def rows(self):
        from mitra.ventures.models import Support

        return Support.objects.count()

    def send(self, client, upload):
        data = {
            "kind": "capital",
            "source": "dinas",
            "programme": "Hibah UEP",
            "amount": "5.000.000",
            "received_on": "2025-01-05",
            "proof": upload,
        }
        response = client.post(reverse("ventures:support_add", args=[self.venture.pk]), data)
        return response, form_errors(response) if response.status_code == 200 else []


class VenturesImport(Endpoint):
    """/usaha/impor/: the upload (checked at once), then the confirmation: no venture and no
    support may come out of a hostile file."""

    form = "mitra.ventures.import_views.UploadForm"

    def __init__(self, request):
        self.user = request.getfixturevalue("bantul_officer")

    def rows(self):
        from mitra.ventures.models import Support, Venture

        return Venture.objects.count() + Support.objects.count()

    def send(self, client, upload):
        from mitra.core.models import Job

        response = client.post(reverse("ventures:import_start"), {"file": upload})
        if response.status_code != 302:
            return response, form_errors(response) if response.status_code == 200 else []
        job = Job.objects.get(pk=response["Location"].rstrip("/").split("/")[-1])
        if job.params.get("phase") == "check":
            client.post(reverse("ventures:import_confirm", args=[job.pk]))
        job.refresh_from_db()
        page = client.get(reverse("ventures:import_detail", args=[job.pk]))
        result = job.result or {}
        errors = [job.message] if job.status == Job.Status.FAILED and job.message else []
        errors += [str(problem[-1]) for problem in result.get("problems") or []]
        if page.context:
            errors += [str(m) for m in page.context.get("messages", [])]
        return page, errors


ENDPOINTS = {
    "ventures-import": VenturesImport,
    "venture-support-proof": VentureSupportProof,
    "workers-import": WorkersImport,
    "training-results": TrainingResults,
    "decree-scan": DecreeScan,
    "worker-photo": WorkerPhoto,
    "award-nomination": AwardNomination,
    "award-portfolio": AwardPortfolio,
    "event-material": EventMaterial,
}
# Upload forms that are covered elsewhere or not reachable by a person, with the reason.
NOT_ENDPOINTS: dict[str, str] = {}
FILES = hostile_files()


# ---- coverage of every upload -------------------------------------------------------------------


def upload_forms() -> set[str]:
    """Every form class in the project with a file field (forms added later included)."""
    for info in pkgutil.walk_packages(mitra.__path__, "mitra."):
        if ".tests" in info.name or ".migrations" in info.name or "testing" in info.name:
            continue
        if (
            info.name.rsplit(".", 1)[-1] in {"forms", "views"}
            or info.name.endswith(("_forms", "_views"))
            or ".views" in info.name
            or ".forms" in info.name
        ):
            importlib.import_module(info.name)
    found, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if not cls.__module__.startswith("mitra."):
            continue
        fields = getattr(cls, "base_fields", {})
        if any(isinstance(f, forms.FileField) for f in fields.values()):
            found.add(f"{cls.__module__}.{cls.__qualname__}")
    return found


def api_upload_operations() -> set[str]:
    from mitra.api.api import api

    schema = api.get_openapi_schema()
    found = set()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "multipart/form-data" in content or "application/octet-stream" in content:
                found.add(f"{method.upper()} {path}")
    return found


def test_every_upload_form_and_api_operation_is_covered():
    covered = {endpoint.form for endpoint in ENDPOINTS.values()} | set(NOT_ENDPOINTS)
    missing = upload_forms() - covered
    assert not missing, (
        f"upload forms without a hostile-file check: {sorted(missing)}; add an endpoint class "
        "to ENDPOINTS in mitra/core/tests/test_trust_uploads.py"
    )
    assert api_upload_operations() <= covered, "API operations taking files need an endpoint too"


def test_there_are_at_least_twenty_kinds_of_hostile_file():
    assert len({label for label, _n, _c in FILES}) >= 20


# ---- the check ------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@pytest.mark.parametrize("endpoint_name", sorted(ENDPOINTS))
def test_every_hostile_file_is_refused_clearly_and_writes_nothing(
    endpoint_name, request, client, media
):
    endpoint = ENDPOINTS[endpoint_name](request)
    client.force_login(endpoint.user)
    before_rows = endpoint.rows()
    before_rss = _peak_rss_mb()
    problems = []
    for label, name, content in FILES:
        upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
        if label in endpoint.accepts:
            continue
        response, errors = endpoint.send(client, upload)
        if endpoint.rows() != before_rows:
            problems.append(f"{label}: rows were written")
            before_rows = endpoint.rows()
        if response.status_code >= 500:
            problems.append(f"{label}: server error {response.status_code}")
        elif not (400 <= response.status_code < 500 or errors):
            problems.append(f"{label}: no error shown (status {response.status_code})")
        for message in errors:
            if any(word in f" {message.lower()} " for word in ENGLISH_ONLY):
                problems.append(f"{label}: message not in Indonesian: {message!r}")
        body = response.content if hasattr(response, "content") else b""
        for secret in LEAKS:
            if secret in body:
                problems.append(f"{label}: the page shows {secret!r} from the file")
    # Uploads are never stored under the name the browser sent.
    stored = [p for p in Path(media).rglob("*") if p.is_file()]
    assert not [p for p in stored if p.name in {"passwd", "mitra.csv", "data.csv", "data.xlsx"}]
    assert not Path("/etc/cron.d/mitra.csv").exists()
    # Bounded memory: two 300 MB bombs and a 4 MB cell among them, yet the process grows little.
    grown = _peak_rss_mb() - before_rss
    assert grown < 400, f"peak memory grew by {grown:.0f} MB"
    assert not problems, "\n".join(problems)


def test_a_real_office_material_is_still_accepted_under_a_random_name(bantul_officer, client):
    """The Office-zip checks refuse the hostile files above, not a real slide deck or document."""
    import io
    import zipfile

    from mitra.events.tests.builders import make_event

    from .trust_hostile_files import CONTENT_TYPES

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr("word/document.xml", b'<?xml version="1.0"?><w:document/>')
    session = make_event(region="3402", sessions=1).sessions.get()
    client.force_login(bantul_officer)
    upload = SimpleUploadedFile("Budi Santoso 3402.docx", buffer.getvalue())
    url = reverse("events:material_add", args=[session.event_id, session.pk])
    assert client.post(url, {"title": "Modul Pendampingan", "file": upload}).status_code == 302
    material = session.materials.get()
    assert "Budi" not in material.file.name and material.file.name.endswith(".docx")
    download = client.get(reverse("events:material", args=[session.event_id, material.pk]))
    assert 'filename="modul-pendampingan.docx"' in download["Content-Disposition"]


# Files that are no spreadsheet at all: the import refuses them on the upload page, before an
# import (a job) exists (issue 16: an SVG or an HTML page became an import session).
NOT_SPREADSHEETS = [
    *("elf-as-xlsx", "exe-as-csv", "empty", "whitespace-only", "utf16-with-nuls", "png-as-csv"),
    *("pdf-as-xlsx", "html-as-xls", "nested-zip", "text-as-xlsx", "truncated-zip"),
    *("too-many-entries", "zip-bomb-xlsx", "ods-bomb", "png-php-polyglot", "pdf-html-polyglot"),
    *("jpeg-truncated", "png-pixel-bomb", "svg-as-csv", "svg", "html-page"),
]


@pytest.mark.parametrize("label", NOT_SPREADSHEETS)
def test_the_import_refuses_a_file_that_is_no_spreadsheet_before_creating_a_job(
    label, bantul_officer, client
):
    from mitra.core.models import Job
    from mitra.workers.importing.sources import import_dir

    name, content = next((n, c) for lab, n, c in FILES if lab == label)
    client.force_login(bantul_officer)
    upload = SimpleUploadedFile(name, content, content_type="text/csv")
    response = client.post(reverse("workers:import_start"), {"file": upload})
    assert response.status_code == 200
    errors = form_errors(response)
    assert errors and not any(w in f" {e.lower()} " for e in errors for w in ENGLISH_ONLY)
    assert not Job.objects.exists()
    assert not [p for p in import_dir().iterdir() if p.name.endswith(".upload")]


def test_a_picture_is_stored_re_encoded_so_a_script_hidden_inside_does_not_survive(
    request, bantul_officer, client, media
):
    """A real PNG carrying PHP in a text chunk decodes, so it is accepted as a decree scan, but
    what is stored is the pixels written again: the script is gone."""
    from PIL import Image

    from mitra.testing_files import png_bytes

    endpoint = DecreeScan(request)
    client.force_login(bantul_officer)
    polyglot = png_bytes(size=(8, 8), Comment="<?php system($_GET['c']); ?>")
    assert b"<?php" in polyglot
    response, errors = endpoint.send(client, SimpleUploadedFile("sk.png", polyglot))
    assert response.status_code == 302, errors
    stored = endpoint.worker.decrees.get().scan
    data = stored.open("rb").read()
    assert b"<?php" not in data and stored.name.endswith(".png")
    assert Image.open(stored.open("rb")).size == (8, 8)
