"""Activity reports (/kasus/laporan-kegiatan/) and the data-subject export of one beneficiary
(/kasus/laporan-kegiatan/subjek/<id>/, cases:subject_export: a JSON file, or ?format=html)."""

from django.urls import path

from . import reports_views as views

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("baru/", views.report_create, name="report_create"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/ubah/", views.report_update, name="report_update"),
    path("<int:pk>/kirim/", views.report_submit, name="report_submit"),
    path("<int:pk>/verifikasi/", views.report_verify, name="report_verify"),
    path("subjek/<uuid:pk>/", views.subject_export, name="subject_export"),
]
