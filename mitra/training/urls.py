from django.urls import include, path

app_name = "training"
urlpatterns = [
    path("", include("mitra.training.urls_batches")),
    path("sertifikat/", include("mitra.training.urls_certificates")),
    path("kebutuhan/", include("mitra.training.urls_needs")),
]
