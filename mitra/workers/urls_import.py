"""Importing workers from a spreadsheet (included under /pekerja/impor/, namespace `workers`)."""

from django.urls import path

from .importing import views

urlpatterns = [
    path("", views.start, name="import_start"),
    path("<uuid:pk>/", views.detail, name="import_detail"),
    path("<uuid:pk>/kolom/", views.mapping, name="import_mapping"),
    path("<uuid:pk>/tulis/", views.confirm, name="import_confirm"),
    path("<uuid:pk>/batal/", views.cancel, name="import_cancel"),
    path("<uuid:pk>/laporan.csv", views.report, name="import_report"),
    path("<uuid:pk>/status/", views.status, name="import_status"),
]
