"""Public pages of training, mounted at /verifikasi/ WITHOUT a namespace and without login.

Every view here is marked with `views_certificates.public_route`; see mitra/core/tests/
test_access.py, which lists the routes that are deliberately public."""

from django.urls import path

from . import views_certificates as views

urlpatterns = [
    path("<slug:code>/", views.certificate_verify, name="certificate_verify"),
]
