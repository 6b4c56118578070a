from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("bagian/<slug:key>/", views.section_placeholder, name="section"),
    path("tugas-latar/", views.JobListView.as_view(), name="job_list"),
    path("tugas-latar/<uuid:pk>/", views.JobDetailView.as_view(), name="job_detail"),
    path("admin/riwayat/", views.ChangeLogListView.as_view(), name="changelog"),
    path("admin/log-akses/", views.AccessLogListView.as_view(), name="accesslog"),
]
