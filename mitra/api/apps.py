from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mitra.api"
    label = "api"
    verbose_name = "API"
