"""Field-work pages under /kasus/ (namespace "cases"); activity reports live in urls_reports."""

from django.urls import path

from . import views, views_lists

urlpatterns = [
    path("", views.home, name="home"),
    path("daftar/", views_lists.case_list, name="case_list"),
    path("penerima/", views_lists.beneficiary_list, name="beneficiary_list"),
    path("penerima/baru/", views.beneficiary_create, name="beneficiary_create"),
    path("penerima/<uuid:pk>/", views.beneficiary_detail, name="beneficiary_detail"),
    path("penerima/<uuid:pk>/ubah/", views.beneficiary_update, name="beneficiary_update"),
    path("penerima/<uuid:pk>/kasus-baru/", views.case_create, name="case_create"),
    path("<uuid:pk>/", views.case_detail, name="case_detail"),
    path("<uuid:pk>/status/", views.case_status, name="case_status"),
    path("<uuid:pk>/intervensi/", views.intervention_add, name="intervention_add"),
    path("<uuid:pk>/rujukan/", views.referral_add, name="referral_add"),
    path("<uuid:pk>/rujukan/hasil/", views.referral_outcome, name="referral_outcome"),
    path("<uuid:pk>/serah-terima/", views.case_transfer, name="case_transfer"),
]
