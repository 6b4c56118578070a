"""Course catalogue, batches, participants, attendance and results (included at /pelatihan/ in the
namespace `training`)."""

from django.urls import path

from . import views, views_batches, views_people, views_results

urlpatterns = [
    path("", views_batches.batch_list, name="batch_list"),
    path("saya/", views_people.my_training, name="mine"),
    # course catalogue
    path("kursus/", views.course_list, name="course_list"),
    path("kursus/baru/", views.course_create, name="course_create"),
    path("kursus/<int:pk>/", views.course_detail, name="course_detail"),
    path("kursus/<int:pk>/ubah/", views.course_update, name="course_update"),
    # batches
    path("angkatan/baru/", views_batches.batch_create, name="batch_create"),
    path("angkatan/<int:pk>/", views_batches.batch_detail, name="batch_detail"),
    path("angkatan/<int:pk>/ubah/", views_batches.batch_update, name="batch_update"),
    path("angkatan/<int:pk>/status/<slug:to>/", views_batches.batch_status, name="batch_status"),
    path("angkatan/<int:pk>/sesi/", views_batches.batch_sessions, name="batch_sessions"),
    # participants
    path("angkatan/<int:pk>/usulkan/", views_people.nominate, name="nominate"),
    path("angkatan/<int:pk>/daftar/", views_people.apply, name="apply"),
    path(
        "angkatan/<int:pk>/peserta/<int:enrolment_pk>/keputusan/",
        views_people.decide,
        name="decide",
    ),
    path(
        "angkatan/<int:pk>/peserta/<int:enrolment_pk>/mundur/",
        views_people.withdraw,
        name="withdraw",
    ),
    # attendance and results
    path("angkatan/<int:pk>/nilai/", views_results.grid, name="grid"),
    path(
        "angkatan/<int:pk>/nilai/<int:enrolment_pk>/",
        views_results.grid_row,
        name="grid_row",
    ),
    path(
        "angkatan/<int:pk>/nilai/templat/",
        views_results.results_template,
        name="results_template",
    ),
    path(
        "angkatan/<int:pk>/nilai/impor/",
        views_results.results_import_view,
        name="results_import",
    ),
    path(
        "angkatan/<int:pk>/nilai/impor/simpan/",
        views_results.results_import_confirm,
        name="results_import_confirm",
    ),
]
