"""Training needs per region (included under /pelatihan/kebutuhan/, namespace `training`)."""

from django.urls import path, re_path

from .needs import exports, views

urlpatterns = [
    path("", views.needs_page, name="needs"),
    path("ekspor/csv/", exports.needs_export_csv, name="needs_export_csv"),
    path("ekspor/xlsx/", exports.needs_export_xlsx, name="needs_export_xlsx"),
    path(
        "ekspor/unduh/<uuid:job_id>/", exports.needs_export_download, name="needs_export_download"
    ),
    re_path(r"^(?P<code>[0-9][0-9.]{1,12})/$", views.needs_page, name="needs_region"),
]
