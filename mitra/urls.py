from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from mitra.api.api import api

urlpatterns = [
    path("", include("mitra.core.urls")),
    path("", include("mitra.accounts.urls")),
    path("wilayah/", include("mitra.regions.urls")),
    path("pekerja/", include("mitra.workers.urls")),
    path("pelatihan/", include("mitra.training.urls")),
    path("kasus/", include("mitra.cases.urls")),
    path("dasbor/", include("mitra.stats.urls")),
    path("penghargaan/", include("mitra.awards.urls")),
    path("acara/", include("mitra.events.urls")),
    path("usaha/", include("mitra.ventures.urls")),
    path("verifikasi/", include("mitra.training.urls_public")),
    path("lapangan/", include("mitra.field.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("i18n/js/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

handler400 = "mitra.core.views_errors.bad_request"
