from django.urls import path

from . import exports

urlpatterns = [
    path("csv/", exports.export_csv, name="export_csv"),
    path("xlsx/", exports.export_xlsx, name="export_xlsx"),
    path("unduh/<uuid:job_id>/", exports.export_download, name="export_download"),
]
