"""People (PMKS beneficiaries) over JSON, under /api/v1/cases/beneficiaries (mounted by
`mitra.cases.api`): GET (list), POST (record), GET /{id} (the read is logged, action api), and
PATCH / PUT /{id} (correct a person: the same people as may open the record, over the version
read, sent as If-Match or `version`: a stale one answers 409, a missing one 428).

Every rule of the pages holds: rows from `visible_to(caller)` (outside = 404), permissions decide
actions (403), the person's NIK is always masked, sensitive details only with
`cases.view_sensitive` (sending them without it is refused, 403). The village stays on an edit,
as on the page."""

import datetime
import uuid

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Created
from ninja.pagination import paginate

from mitra.api.pagination import Pagination
from mitra.core.access import log_access
from mitra.core.atomic import atomic
from mitra.core.models import AccessLog
from mitra.core.scope import prefix_q
from mitra.workers.forms import visible_village
from mitra.workers.validation import check_nik

from . import services
from .api_common import (
    SENSITIVE,
    Body,
    expected_version,
    may_see_sensitive,
    not_in_future,
    pmks_categories,
    refuse_extra_fields,
    region_code,
    require,
)
from .forms import BeneficiaryEditForm
from .models import Beneficiary, ConsentMethod, ConsentRelation

router = Router(tags=["cases"])


def _people(user):
    return services.visible_people(user).prefetch_related("categories")


class BeneficiarySummaryOut(Schema):
    id: uuid.UUID
    full_name: str
    nik: str = Field(description="Always masked (3402********0001).")
    sex: str
    birth_date: datetime.date | None = Field(
        description="Null in lists: with the sex and the masked NIK it would give the NIK's hidden "
        "digits; the age is given. Set in one person's record."
    )
    age: int | None
    village_code: str
    categories: list[int]
    version: int

    @staticmethod
    def resolve_nik(obj):
        return obj.nik_masked

    @staticmethod
    def resolve_birth_date(obj):
        return None

    @staticmethod
    def resolve_age(obj):
        return services.age_of(obj)

    @staticmethod
    def resolve_village_code(obj):
        return obj.village_id

    @staticmethod
    def resolve_categories(obj):
        return sorted(c.number for c in obj.categories.all())


class BeneficiaryOut(BeneficiarySummaryOut):
    estimated_age: int | None
    address: str
    consent_by: str
    consent_relation: str
    consent_on: datetime.date
    consent_method: str
    household_notes: str | None = Field(description="Only with cases.view_sensitive.")
    disability_type: str | None = Field(description="Only with cases.view_sensitive.")
    health_notes: str | None = Field(description="Only with cases.view_sensitive.")
    violence_details: str | None = Field(description="Only with cases.view_sensitive.")
    created_at: datetime.datetime

    @staticmethod
    def resolve_birth_date(obj):
        return obj.birth_date

    @staticmethod
    def resolve_household_notes(obj, context):
        return obj.household_notes if may_see_sensitive(context) else None

    @staticmethod
    def resolve_disability_type(obj, context):
        return obj.disability_type if may_see_sensitive(context) else None

    @staticmethod
    def resolve_health_notes(obj, context):
        return obj.health_notes if may_see_sensitive(context) else None

    @staticmethod
    def resolve_violence_details(obj, context):
        return obj.violence_details if may_see_sensitive(context) else None


class BeneficiaryIn(Body):
    full_name: str = Field(max_length=150)
    nik: str = ""
    sex: str = Field(description="L or P.")
    birth_date: datetime.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=130)
    village: str = Field(description="Village code inside your area.")
    address: str
    household_notes: str = ""
    disability_type: str = ""
    health_notes: str = ""
    violence_details: str = ""
    categories: list[int] = Field(description="PMKS numbers (1-26).", min_length=1)
    consent_by: str = Field(max_length=150)
    consent_relation: ConsentRelation
    consent_on: datetime.date
    consent_method: ConsentMethod


class BeneficiaryFilters(Schema):
    region: str | None = Field(None, description="Region code, e.g. 34.02.09.")
    category: int | None = Field(None, description="PMKS number.")


@router.get("", response=list[BeneficiarySummaryOut], summary="People in your area")
@paginate(Pagination)
def list_beneficiaries(request, filters: Query[BeneficiaryFilters]):
    require(request.auth, "cases.view_beneficiary")
    qs = _people(request.auth)
    if filters.region:
        qs = qs.filter(prefix_q("region_code", region_code(filters.region)))
    if filters.category:
        qs = qs.filter(categories__number=filters.category)
    return qs.order_by("region_code", "full_name", "pk")


@router.get(
    "/{uuid:person_id}",
    response=BeneficiaryOut,
    summary="One person (the read is logged)",
)
def beneficiary_detail(request, person_id: uuid.UUID):
    require(request.auth, "cases.view_beneficiary")
    person = get_object_or_404(_people(request.auth), pk=person_id)
    log_access(request, person, action=AccessLog.Action.API)
    return person


@router.post("", response={201: BeneficiaryOut}, summary="Record a person")
def create_beneficiary(request, payload: BeneficiaryIn):
    person = record_beneficiary(request.auth, payload)
    return Created(201, Beneficiary.objects.prefetch_related("categories").get(pk=person.pk))


def record_beneficiary(user, payload: BeneficiaryIn) -> Beneficiary:
    """The operation's rules without its answer: the offline sync applies entries through here."""
    require(user, "cases.add_beneficiary")
    refuse_extra_fields(payload)
    sensitive = {n for n in Beneficiary.SENSITIVE_FIELDS if getattr(payload, n)}
    if sensitive and not user.has_perm(SENSITIVE):
        raise PermissionDenied
    errors: dict = {}
    village = None
    try:
        village = visible_village(region_code(payload.village), user)
    except ValidationError as exc:
        errors["village"] = " ".join(exc.messages)
    values = payload.model_dump(exclude={"village", "categories"})
    for name in ("full_name", "address", "consent_by"):
        values[name] = values[name].strip()
        if not values[name]:
            errors[name] = _("This field is required.")
    if payload.sex not in ("L", "P"):
        errors["sex"] = _("Write L or P.")
    if payload.birth_date is None and payload.estimated_age is None:
        errors["birth_date"] = _("Give the date of birth or an estimated age.")
    if values["nik"]:
        try:
            values["nik"] = check_nik(values["nik"], payload.sex, payload.birth_date)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    try:
        categories = pmks_categories(payload.categories)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person = Beneficiary(village=village, **values)
    services.check_consent(person)
    not_in_future("birth_date", person.birth_date)
    services.fill_beneficiary_fields(person)
    if person.nik_hash and Beneficiary.objects.filter(nik_hash=person.nik_hash).exists():
        raise ValidationError({"nik": _("A person with this NIK is already recorded.")})
    with atomic():
        person.save()
        services.add_first_categories(person, categories)
    return person


# ---- corrections -------------------------------------------------------------------------------

EDITABLE = (
    "full_name",
    "nik",
    "sex",
    "birth_date",
    "estimated_age",
    "address",
    "household_notes",
    "disability_type",
    "health_notes",
    "violence_details",
    "consent_by",
    "consent_relation",
    "consent_on",
    "consent_method",
)
REQUIRED = ("full_name", "sex", "address", "categories", "consent_by", "consent_relation")
REQUIRED += ("consent_on", "consent_method")


class BeneficiaryChangeIn(Body):
    """The fields to change (PATCH), or every field (PUT: those left out become empty)."""

    full_name: str | None = None
    nik: str | None = None
    sex: str | None = Field(None, description="L or P.")
    birth_date: datetime.date | None = None
    estimated_age: int | None = Field(None, ge=0, le=130)
    address: str | None = None
    household_notes: str | None = None
    disability_type: str | None = None
    health_notes: str | None = None
    violence_details: str | None = None
    categories: list[int] | None = Field(None, description="PMKS numbers (1-26).")
    consent_by: str | None = None
    consent_relation: ConsentRelation | None = None
    consent_on: datetime.date | None = None
    consent_method: ConsentMethod | None = None
    version: int | None = Field(None, description="The version you read (or If-Match).")


def _form_data(person: Beneficiary) -> dict:
    data = {name: getattr(person, name) for name in EDITABLE}
    data["categories"] = [c.pk for c in person.categories.all()]
    return data


def _change(request, person_id, payload: BeneficiaryChangeIn, if_match, response, *, whole: bool):
    user = request.auth
    require(user, "cases.change_beneficiary")
    person = get_object_or_404(services.visible_people(user), pk=person_id)
    refuse_extra_fields(payload)
    sent = payload.model_fields_set - {"version"}
    if whole:
        missing = [n for n in REQUIRED if getattr(payload, n) in (None, "", [])]
        if missing:
            raise ValidationError({n: _("This field is required.") for n in missing})
        sent |= set(EDITABLE) | {"categories"}
    values = {n: getattr(payload, n) for n in sent}
    if any(values.get(n) for n in Beneficiary.SENSITIVE_FIELDS) and not user.has_perm(SENSITIVE):
        raise PermissionDenied
    if not user.has_perm(SENSITIVE):
        # Without the permission the sensitive fields are neither shown nor changed.
        for name in Beneficiary.SENSITIVE_FIELDS:
            values.pop(name, None)
    expected = expected_version(if_match, payload.version)
    if values.get("categories") is not None:
        values["categories"] = [c.pk for c in pmks_categories(values["categories"])]
    with atomic():
        locked = Beneficiary.objects.select_for_update().get(pk=person.pk)
        if expected != locked.version:
            raise ValidationError(
                _(
                    "Someone else changed this record while you were working on it. Reload the "
                    "page and try again."
                ),
                code="conflict",
            )
        data = _form_data(locked)
        data.update(
            {k: ("" if v is None and k != "estimated_age" else v) for k, v in values.items()}
        )
        data["version"] = expected
        form = BeneficiaryEditForm(data, instance=locked, user=user)
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        services.update_beneficiary(form.instance, user, form.cleaned_data["categories"], expected)
    person = _people(user).get(pk=person.pk)
    log_access(request, person, action=AccessLog.Action.API)
    response["ETag"] = f'"{person.version}"'
    return person


@router.patch(
    "/{uuid:person_id}", response=BeneficiaryOut, summary="Correct some of a person's fields"
)
def patch_beneficiary(
    request,
    person_id: uuid.UUID,
    payload: BeneficiaryChangeIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
):
    return _change(request, person_id, payload, if_match, response, whole=False)


@router.put("/{uuid:person_id}", response=BeneficiaryOut, summary="Replace a person's details")
def put_beneficiary(
    request,
    person_id: uuid.UUID,
    payload: BeneficiaryChangeIn,
    response: HttpResponse,
    if_match: str | None = Header(None, alias="If-Match"),
):
    return _change(request, person_id, payload, if_match, response, whole=True)
