"""The area summary page of the ventures section (figures from indicators.py)."""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .indicators import area_indicators


@login_required
@permission_required("ventures.view_venture", raise_exception=True)
@require_GET
def area_summary(request):
    context = {"figures": area_indicators(request.user), "tab": "summary"}
    return render(request, "ventures/summary.html", context)
