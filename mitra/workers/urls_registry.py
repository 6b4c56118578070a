"""The registry's pages (included under /pekerja/ with the namespace `workers`)."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.worker_list, name="list"),
    path("baru/", views.worker_create, name="create"),
    path("saya/", views.my_profile, name="mine"),
    path("saya/kontak/", views.my_contact, name="mine_contact"),
    path("saya/identitas/", views.my_identity, name="mine_identity"),
    path("permintaan/", views.request_list, name="request_list"),
    path("permintaan/<int:pk>/", views.request_detail, name="request_detail"),
    path("duplikat/", views.duplicate_list, name="duplicates"),
    path("duplikat/gabung/", views.merge, name="merge"),
    path("<uuid:pk>/", views.worker_detail, name="detail"),
    path("<uuid:pk>/lengkap/", views.worker_detail_full, name="detail_full"),
    path("<uuid:pk>/ubah/", views.worker_update, name="update"),
    path("<uuid:pk>/foto/", views.worker_photo, name="photo"),
    path("<uuid:pk>/status/<slug:to>/", views.worker_status, name="status"),
    path("<uuid:pk>/sk/baru/", views.decree_create, name="decree_create"),
    path("<uuid:pk>/sk/<int:decree_pk>/pindaian/", views.decree_scan, name="decree_scan"),
    path("<uuid:pk>/pindah/", views.worker_transfer, name="transfer"),
]
