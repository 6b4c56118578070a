from django.conf import settings
from django.urls import reverse

from .navigation import SECTIONS


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"demo_mode": settings.DEMO_MODE}
    path = request.path
    items = []
    for section in SECTIONS:
        may_see_admin = section.key == "admin" and user.has_perm("core.view_changelog")
        if section.permission and not user.has_perm(section.permission) and not may_see_admin:
            continue
        if section.url_name == "core:section":
            url = reverse("core:section", args=[section.key])
        elif section.key == "admin" and not user.has_perm("accounts.view_user"):
            url = reverse("core:changelog")
        else:
            url = reverse(section.url_name)
        active = path == url if section.key == "home" else path.startswith(url)
        if section.key == "admin":
            active = path.startswith("/admin/")
        items.append({"section": section, "url": url, "active": active})
    return {"nav_items": items, "demo_mode": settings.DEMO_MODE}
