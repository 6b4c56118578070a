"""Certificate pages (included under /pelatihan/sertifikat/ with the namespace `training`)."""

from django.urls import path

from . import views_certificates as views

urlpatterns = [
    path("<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("<int:pk>/cabut/", views.certificate_revoke, name="certificate_revoke"),
    path(
        "angkatan/<int:batch_pk>/buat/",
        views.certificate_batch_generate,
        name="certificate_batch_generate",
    ),
    path(
        "unduhan/<uuid:job_id>/",
        views.certificate_batch_download,
        name="certificate_batch_download",
    ),
]
