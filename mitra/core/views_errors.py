"""Error pages in the site layout. Django renders 400 without the request (so without the menu or
the user); these views pass it, like the 403 and 404 pages get it. The 500 page is static HTML
(templates/500.html): it must render when the database or a context processor is what failed."""

from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def csrf_failure(request, reason=""):
    """A form sent after its page expired (session ended, another tab logged out): say what to do
    instead of Django's English 'CSRF verification failed'. The reason is not shown to the user."""
    return render(request, "403_csrf.html", status=403)
