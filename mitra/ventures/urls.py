"""Ventures pages, included at /usaha/ in the namespace `ventures`."""

from django.urls import path

from . import exports, import_views, summary, views

app_name = "ventures"
urlpatterns = [
    path("", views.venture_list, name="list"),
    path("baru/", views.venture_create, name="create"),
    path("jenis/", views.kind_list, name="kinds"),
    path("ringkasan/", summary.area_summary, name="summary"),
    path("ekspor.csv", exports.export_csv, name="export_csv"),
    path("ekspor.xlsx", exports.export_xlsx, name="export_xlsx"),
    path("impor/", import_views.start, name="import_start"),
    path("impor/<uuid:pk>/", import_views.detail, name="import_detail"),
    path("impor/<uuid:pk>/tulis/", import_views.confirm, name="import_confirm"),
    path("impor/<uuid:pk>/batal/", import_views.cancel, name="import_cancel"),
    path("<uuid:pk>/", views.venture_detail, name="detail"),
    path("<uuid:pk>/ubah/", views.venture_update, name="update"),
    path("<uuid:pk>/dukungan/baru/", views.support_add, name="support_add"),
    path("<uuid:pk>/dukungan/<int:support_pk>/bukti/", views.support_proof, name="support_proof"),
    path("<uuid:pk>/hasil/baru/", views.result_add, name="result_add"),
    path("<uuid:pk>/anggota/baru/", views.member_add, name="member_add"),
]
