from django.urls import path

from . import views

app_name = "field"
urlpatterns = [
    path("", views.app_shell, name="app"),
    path("manifest.webmanifest", views.manifest, name="manifest"),
    path("sw.js", views.service_worker, name="service_worker"),
]
