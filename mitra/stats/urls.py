from django.urls import path, re_path

from . import views, views_reports

app_name = "stats"
CODE = r"(?P<code>nasional|\d{2}|\d{4}|\d{6}|\d{10})"
urlpatterns = [
    path("", views.index, name="index"),
    path("laporan/", views_reports.report_list, name="reports"),
    path("laporan/buat/", views_reports.report_generate, name="report_generate"),
    path("laporan/jadwal/", views_reports.schedule, name="report_schedule"),
    path(
        "laporan/<int:pk>/unduh.<str:fmt>",
        views_reports.report_download,
        name="report_download",
    ),
    re_path(rf"^{CODE}/$", views.dashboard_page, name="dashboard"),
    re_path(
        rf"^{CODE}/ekspor/(?P<table_name>[a-z_]+)\.(?P<fmt>csv|xlsx)$",
        views.export_table,
        name="export",
    ),
]
