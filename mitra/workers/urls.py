from django.urls import include, path

app_name = "workers"
urlpatterns = [
    path("", include("mitra.workers.urls_registry")),
    path("impor/", include("mitra.workers.urls_import")),
    path("ekspor/", include("mitra.workers.urls_export")),
]
