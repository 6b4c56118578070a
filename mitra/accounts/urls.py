from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("masuk/", views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("masuk/verifikasi/", views.verify_two_factor, name="two_factor_verify"),
    path("akun/", views.profile, name="profile"),
    path("akun/2fa/", views.two_factor_setup, name="two_factor_setup"),
    path("akun/kata-sandi/", views.PasswordChangeView.as_view(), name="password_change"),
    path("akun/token/", views.token_create, name="token_create"),
    path("akun/token/<int:pk>/cabut/", views.token_revoke, name="token_revoke"),
    path("admin/pengguna/", views.UserListView.as_view(), name="user_list"),
    path("admin/pengguna/baru/", views.UserCreateView.as_view(), name="user_create"),
    path("admin/pengguna/<int:pk>/", views.UserDetailView.as_view(), name="user_detail"),
    path("admin/pengguna/<int:pk>/ubah/", views.UserUpdateView.as_view(), name="user_update"),
]
