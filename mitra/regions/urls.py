from django.urls import path

from . import views

app_name = "regions"
urlpatterns = [
    path("", views.index, name="index"),
    path("cari/", views.search, name="search"),
    path("muat-ulang/", views.reload, name="reload"),
    path("<str:code>/", views.detail, name="detail"),
]
