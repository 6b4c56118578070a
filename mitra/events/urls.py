"""Event pages, included at /acara/ in the namespace `events`."""

from django.urls import path

from . import views, views_certificates, views_people

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("baru/", views.event_create, name="create"),
    path("<int:pk>/", views.event_detail, name="detail"),
    path("<int:pk>/ubah/", views.event_update, name="update"),
    path("<int:pk>/status/<slug:to>/", views.event_status, name="status"),
    # agenda
    path("<int:pk>/sesi/baru/", views.session_form, name="session_create"),
    path("<int:pk>/sesi/<int:session_pk>/ubah/", views.session_form, name="session_update"),
    path("<int:pk>/sesi/<int:session_pk>/hapus/", views.session_delete, name="session_delete"),
    path("<int:pk>/sesi/<int:session_pk>/materi/", views.material_add, name="material_add"),
    path("<int:pk>/materi/<int:material_pk>/", views.material_download, name="material"),
    path("<int:pk>/materi/<int:material_pk>/hapus/", views.material_delete, name="material_delete"),
    # invitations and registration
    path("<int:pk>/undangan/", views_people.invitations, name="invitations"),
    path("<int:pk>/undangan/tambah/", views_people.invite, name="invite"),
    path("<int:pk>/undangan/pemenang/", views_people.invite_winners, name="invite_winners"),
    path(
        "<int:pk>/undangan/<int:invitation_pk>/tarik/",
        views_people.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("<int:pk>/undangan/<int:invitation_pk>/daftar/", views_people.register, name="register"),
    path("<int:pk>/undangan/<int:invitation_pk>/tolak/", views_people.decline, name="decline"),
    # attendance
    path("<int:pk>/kehadiran/", views_people.attendance, name="attendance"),
    path(
        "<int:pk>/kehadiran/<int:invitation_pk>/",
        views_people.attendance_row,
        name="attendance_row",
    ),
    # certificates
    path("<int:pk>/sertifikat/", views_certificates.event_certificates, name="certificates"),
    path(
        "<int:pk>/sertifikat/buat/",
        views_certificates.certificate_batch_generate,
        name="certificate_batch_generate",
    ),
    path("sertifikat/<int:pk>/", views_certificates.certificate_detail, name="certificate_detail"),
    path("sertifikat/<int:pk>/pdf/", views_certificates.certificate_pdf, name="certificate_pdf"),
    path(
        "sertifikat/<int:pk>/cabut/",
        views_certificates.certificate_revoke,
        name="certificate_revoke",
    ),
    path(
        "sertifikat/unduhan/<uuid:job_id>/",
        views_certificates.certificate_batch_download,
        name="certificate_batch_download",
    ),
]
