from django.urls import include, path

app_name = "cases"
urlpatterns = [
    path("", include("mitra.cases.urls_cases")),
    path("laporan-kegiatan/", include("mitra.cases.urls_reports")),
]
