"""The training-needs page: totals, counts per child region (each linking to the drill-down) and the
three lists, paginated."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from mitra.accounts.roles import Role
from mitra.core.scope import user_scope

from .exports import EXPORT_PERMISSION
from .queries import (
    DEFAULT_LIST,
    EXPIRY_DAYS,
    NEEDS_LISTS,
    AboveScope,
    KnownCountPaginator,
    expiring_certificates,
    needs_counts,
    needs_queryset,
    needs_url,
    resolve_area,
)

VIEW_PERMISSIONS = ("training.view_batch", "workers.view_worker")
PAGE_SIZE = 50


# ---- the page -----------------------------------------------------------------------------------


def _check_view(user) -> None:
    if not all(user.has_perm(p) for p in VIEW_PERMISSIONS):
        raise PermissionDenied


def _list_key(raw) -> str:
    return raw if raw in NEEDS_LISTS else DEFAULT_LIST


@login_required
@require_GET
def needs_page(request, code: str = ""):
    user = request.user
    _check_view(user)
    if user.role == Role.WORKER:  # a PSM's own needs are on their profile's training tab
        return redirect(reverse("workers:mine") + "?tab=pelatihan")
    try:
        area = resolve_area(user, code)
    except AboveScope:
        return redirect(needs_url(user_scope(user) or ""))
    key = _list_key(request.GET.get("list"))
    children, totals = needs_counts(user, area)
    chosen = NEEDS_LISTS[key]
    queryset = needs_queryset(user, area, key).select_related("village__district")
    page = KnownCountPaginator(queryset, PAGE_SIZE, totals[chosen.need]).get_page(
        request.GET.get("page")
    )
    rows = list(page.object_list)
    if key == "kedaluwarsa":
        certificates = expiring_certificates(w.pk for w in rows)
        for worker in rows:
            worker.expiring = certificates.get(worker.pk, [])
    export = {}
    if user.has_perm(EXPORT_PERMISSION):
        query = urlencode({"region": area.code, "list": key} if area.code else {"list": key})
        export = {
            "csv": f"{reverse('training:needs_export_csv')}?{query}",
            "xlsx": f"{reverse('training:needs_export_xlsx')}?{query}",
        }
    scope = user_scope(user) or ""
    ctx = {
        "area": area,
        "trail": [
            {"name": r.name, "url": needs_url(r.code) if r.code.startswith(scope) else None}
            for r in area.trail
        ],
        "national_url": needs_url() if not scope else None,
        "children": children,
        "child_level": area.child_model._meta.verbose_name_plural if area.child_model else None,
        "totals": totals,
        "trained_percent": round(totals["with_basic"] * 100 / totals["active"])
        if totals["active"]
        else None,
        "lists": [
            {
                "key": k,
                "label": item.label,
                "count": totals[item.need],
                "url": f"?{urlencode({'list': k})}",
            }
            for k, item in NEEDS_LISTS.items()
        ],
        "list_key": key,
        "list_label": chosen.label,
        "page_obj": page,
        "object_list": rows,
        "querystring": urlencode({"list": key}),
        "export": export,
        "expiry_days": EXPIRY_DAYS,
    }
    if request.htmx and request.htmx.target == "needs-list":
        return render(request, "training/needs_list.html", ctx)
    return render(request, "training/needs_page.html", ctx)
