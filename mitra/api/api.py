"""Assembles the app routers into /api/v1/."""

from ninja import NinjaAPI

from mitra.awards.api import router as awards_router
from mitra.cases.api import router as cases_router
from mitra.core.api import router as core_router
from mitra.events.api import router as events_router
from mitra.regions.api import router as regions_router
from mitra.stats.api import router as stats_router
from mitra.sync.api import router as sync_router
from mitra.training.api import router as training_router
from mitra.ventures.api import router as ventures_router
from mitra.workers.api import router as workers_router

from . import errors, openapi
from .auth import API_AUTH


class MitraAPI(NinjaAPI):
    def get_openapi_schema(self, *args, **kwargs):
        return openapi.complete(super().get_openapi_schema(*args, **kwargs))


api = MitraAPI(
    title="Mitra API",
    version="1",
    description=(
        "JSON API of Mitra. Every list and object is limited to the caller's region scope; "
        "objects outside it answer 404. Authenticate with the browser session (and CSRF token) "
        "or with a personal token: `Authorization: Bearer mitra_…`. An auditor reads personal "
        "fields masked (a phone as `0812****7890`, an address as `Jl. ****`, NIKs as "
        "`3402********0001`) and no birth date (it would give the NIK's hidden digits); the full "
        "values are shown only on the record's page, after the auditor states a reason that "
        "goes into the access log (ADR 0021)."
    ),
    auth=API_AUTH,
    urls_namespace="api",
)
errors.install(api)
api.add_router("/", core_router)
api.add_router("/regions/", regions_router)
api.add_router("/workers/", workers_router)
api.add_router("/training/", training_router)
api.add_router("/cases/", cases_router)
api.add_router("/stats/", stats_router)
api.add_router("/awards/", awards_router)
api.add_router("/events/", events_router)
api.add_router("/ventures/", ventures_router)
api.add_router("/sync/", sync_router)
