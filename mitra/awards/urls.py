"""The award pages under /penghargaan/ (the public results page needs no login: see
mitra/core/tests/test_access.py PUBLIC_ROUTES)."""

from django.urls import path

from . import views, views_jury, views_nominations, views_ranking

app_name = "awards"
urlpatterns = [
    path("", views.index, name="index"),
    path("siklus/baru/", views.cycle_create, name="cycle_create"),
    path("siklus/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("siklus/<int:pk>/ubah/", views.cycle_update, name="cycle_update"),
    path("tahap/<int:stage_pk>/kriteria/", views.criteria, name="criteria"),
    # nominations
    path("siklus/<int:cycle_pk>/usulkan/", views_nominations.nominate, name="nominate"),
    path(
        "tahap/<int:stage_pk>/usulan/",
        views_nominations.stage_nominations,
        name="stage_nominations",
    ),
    path("usulan/<uuid:pk>/", views_nominations.nomination_detail, name="nomination_detail"),
    path("usulan/<uuid:pk>/portofolio/", views_nominations.portfolio_edit, name="portfolio_edit"),
    path("usulan/<uuid:pk>/tarik/", views_nominations.withdraw, name="withdraw"),
    path(
        "usulan/<uuid:pk>/berkas/<int:file_pk>/",
        views_nominations.nomination_file,
        name="nomination_file",
    ),
    # jury
    path("tahap/<int:stage_pk>/juri/", views_jury.jury, name="jury"),
    path("tahap/<int:stage_pk>/juri/<int:pk>/hapus/", views_jury.jury_remove, name="jury_remove"),
    path("penilaian/", views_jury.jury_queue, name="jury_queue"),
    path("usulan/<uuid:pk>/nilai/", views_jury.score, name="score"),
    # rankings and appeals
    path("tahap/<int:stage_pk>/peringkat/", views_ranking.rankings, name="rankings"),
    path("tahap/<int:stage_pk>/peringkat/<slug:region>/", views_ranking.ranking, name="ranking"),
    path(
        "tahap/<int:stage_pk>/peringkat/<slug:region>/terbitkan/",
        views_ranking.publish,
        name="publish",
    ),
    path("usulan/<uuid:pk>/banding/", views_ranking.appeal_file, name="appeal_file"),
    path("banding/<int:pk>/", views_ranking.appeal_decide, name="appeal_decide"),
    # library and public results
    path("praktik-baik/", views.library, name="library"),
    path("hasil/<int:year>/", views.public_results, name="public_results"),
]
