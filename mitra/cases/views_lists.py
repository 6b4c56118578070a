"""The field-work lists (cases, beneficiaries) with their filters and the search by name or full
NIK. Rows come from `visible_to(user)`; a list shows only the columns its table needs."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import push_url

from mitra.core.paging import CappedPaginator
from mitra.workers.filters import SEARCH_PARAM, search_token, with_search

from . import services
from .forms import BeneficiaryFilterForm, CaseFilterForm
from .models import Beneficiary
from .views import GET_POST, PAGE_SIZE, PERSONAL_FIELDS, _perm, _visible_cases


def _link_params(data) -> list[tuple[str, str]]:
    """A list's parameters as they may appear in a link: a name or NIK searched for travels only
    encrypted (the worker list's mechanism: mitra.workers.filters)."""
    params = []
    q = (data.get("q") or "").strip()
    if q:
        params.append((SEARCH_PARAM, search_token(q)))
    elif data.get(SEARCH_PARAM):
        params.append((SEARCH_PARAM, data[SEARCH_PARAM]))
    params += [
        (k, v)
        for k, v in data.items()
        if k not in ("q", SEARCH_PARAM, "page", "csrfmiddlewaretoken") and v
    ]
    return params


def filter_rows(form_class, qs, data):
    """(form, rows): the list's rows for request parameters. Invalid filters show nothing (and
    say why on the form); no filter at all shows the default view (open cases)."""
    data = with_search(data)
    form = form_class(data or None)
    if form.is_bound and form.is_valid():
        qs = form.filter(qs)
    elif form.is_bound:
        qs = qs.none()
    elif form_class is CaseFilterForm:
        qs = qs.open()  # the default view: open cases
    return form, qs


def filtered_cases(user, data):
    """(form, rows) of the case list: the home's to-do counts call this with their link's
    parameters, so a count and the list it links to are one queryset."""
    return filter_rows(CaseFilterForm, _visible_cases(user), data)


def _filtered_page(request, form_class, qs, data):
    form, qs = filter_rows(form_class, qs, data)
    data = with_search(data)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(data.get("page"))
    params = _link_params(data)
    return {
        "form": form,
        "page_obj": page,
        "object_list": page.object_list,
        "querystring": urlencode(params),
        "filtered": bool(params),
    }


def _list_page(request, name, form_class, qs, template, table_template, table_id):
    """A filtered list. The filter bar posts, so that a name or NIK typed in the search box
    stays out of the address bar and the server logs; the result is shown under a link that
    carries the search only encrypted."""
    if request.method == "POST":
        query = urlencode(_link_params(request.POST))
        url = reverse(name) + ("?" + query if query else "")
        if not request.htmx:
            return HttpResponseRedirect(url, status=303)
        ctx = _filtered_page(request, form_class, qs, QueryDict(query))
        ctx["today"] = timezone.localdate()
        return push_url(render(request, table_template, ctx), url)
    ctx = _filtered_page(request, form_class, qs, request.GET)
    ctx["today"] = timezone.localdate()
    if request.htmx and request.htmx.target == table_id:
        return render(request, table_template, ctx)
    return render(request, template, ctx)


@login_required
@PERSONAL_FIELDS
@_perm("cases.view_case")
@GET_POST
def case_list(request):
    qs = (
        services.for_list(_visible_cases(request.user))
        .prefetch_related("categories")
        .order_by("next_follow_up_on", "-opened_on", "pk")
    )
    return _list_page(
        request,
        "cases:case_list",
        CaseFilterForm,
        qs,
        "cases/case_list.html",
        "cases/_case_table.html",
        "case-table",
    )


@login_required
@PERSONAL_FIELDS
@_perm("cases.view_beneficiary")
@GET_POST
def beneficiary_list(request):
    # Only what the table shows: whole rows would decrypt every person's address and notes.
    qs = (
        Beneficiary.objects.visible_to(request.user)
        .select_related("village")
        .only(
            "id", "full_name", "nik_masked", "sex", "region_code", "village__code", "village__name"
        )
        .prefetch_related("categories")
        .order_by("full_name", "pk")
    )
    return _list_page(
        request,
        "cases:beneficiary_list",
        BeneficiaryFilterForm,
        qs,
        "cases/beneficiary_list.html",
        "cases/_beneficiary_table.html",
        "beneficiary-table",
    )
