import uuid
from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from .models import Job

router = Router(tags=["me"])


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    scope_code: str
    permissions: list[str]

    @staticmethod
    def resolve_permissions(obj):
        from mitra.accounts.roles import permissions_for

        return sorted(permissions_for(obj.role))


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    progress: int
    total: int
    percent: int
    message: str
    result: dict
    created_at: datetime
    finished_at: datetime | None


@router.get("/me", response=MeOut, summary="Who the caller is, their role and scope")
def me(request):
    return request.auth


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"], summary="A background job's progress")
def job_detail(request, job_id: uuid.UUID):
    return get_object_or_404(Job.objects.visible_to(request.auth), pk=job_id)
