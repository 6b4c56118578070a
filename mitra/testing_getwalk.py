"""Every GET a demo user can make, through Django's test client (no browser, so it is fast):
the pages reachable by links (`crawl`, with every `?tab=` variant), each GET form submitted with
each of its options, the downloads those pages offer, then every route of the URLconf with its
parameters filled from seeded rows (`testing_routesamples`).

Each request runs in a savepoint that is rolled back, so a GET that writes (an access log line)
or a database error on PostgreSQL leaves the next request the same database. A streamed answer
(a CSV export) is read to its end inside that savepoint: its queries run while it streams."""

import logging
import time
import traceback
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import parse_qsl, urlsplit
from uuid import UUID

from django.db import transaction
from django.urls import Resolver404, resolve

from mitra.testing_forms import parse_page, submission_urls
from mitra.testing_walk import SKIP_PREFIXES, crawl, route_key, same_site_links

REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class Hit:
    user: str
    url: str
    status: int
    how: str  # "link", "form", "download", "route", "out of scope", "route (no seeded row)"
    route: str  # the URLconf route it resolved to ("" if none)
    error: str = ""  # the traceback of a server error
    seconds: float = 0.0  # how long it took (for finding what makes the walk slow)

    def describe(self) -> str:
        return f"{self.status} as {self.user} ({self.how}): GET {self.url}\n{self.error}"


@lru_cache(maxsize=20_000)
def match_of(path: str):
    """The URLconf match of a path (None if none); cached: a walk resolves each link again."""
    try:
        return resolve(path)
    except Resolver404:
        return None


def resolved_route(url: str) -> str:
    match = match_of(urlsplit(url).path)
    return match.route if match else ""


class _Errors(logging.Handler):
    """What `django.request` logs while one request runs: the API's crash handler answers 500
    itself and only logs the traceback, Django's own handler does both."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _looks_like_id(value) -> bool:
    text = str(value)
    if text.replace(".", "").isdigit():
        return True  # a row's number or a region code
    try:
        UUID(text)
    except ValueError:
        return False
    return True


class ClientWalker:
    """One user's walk; `hits` records every request, `targets` every route address the pages
    name (links, form actions, htmx), for `testing_routesamples` to reuse their parameters."""

    def __init__(self, client, username: str, shared: dict, offset: int = 0):
        self.client = client
        self.username = username
        self.offset = offset  # which share of a long select's options this user submits
        # What all users' walks share: the addresses the pages named (route -> parameters), and
        # the form options and download values someone already sent (each is sent once in all).
        self.targets: dict[str, list[dict]] = shared.setdefault("targets", {})
        self._sent_by_anyone: set[tuple] = shared.setdefault("sent", set())
        self.hits: list[Hit] = []
        self._sent: set[tuple] = set()

    def get(self, url: str, how: str):
        errors = _Errors()
        logger = logging.getLogger("django.request")
        logger.addHandler(errors)
        streamed_error = ""
        started = time.perf_counter()
        try:
            with transaction.atomic():
                response = self.client.get(url)
                if response.streaming:
                    try:
                        b"".join(response.streaming_content)
                    except Exception:  # noqa: BLE001 - reported as the server error it is
                        streamed_error = "while streaming:\n" + traceback.format_exc()
                transaction.set_rollback(True)
        finally:
            logger.removeHandler(errors)
        status = 500 if streamed_error else response.status_code
        error = streamed_error
        if status >= 500 and not error:
            exc = response.exc_info or next(
                (r.exc_info for r in errors.records if r.exc_info), None
            )
            error = "".join(traceback.format_exception(*exc)) if exc else "(no traceback logged)"
        elapsed = time.perf_counter() - started
        route = resolved_route(url)
        self.hits.append(Hit(self.username, url, status, how, route, error, elapsed))
        return response

    def walk(self, start: str = "/", per_route: int = 1) -> int:
        """The link walk from `start`; answers the number of pages opened."""
        return sum(1 for _ in crawl(self._open_page, start, per_route, limit=100_000))

    def _open_page(self, url: str):
        response = self.get(url, "link")
        if response.status_code in REDIRECTS:
            return url, [response["Location"]]
        page = self._page(url, response)
        if page is None:
            return None
        links = list(page.links)
        for form in page.get_forms:
            for what, target in submission_urls(url, form, self.offset):
                # Each user sends each form as shown, blank and with nonsense; each option of
                # a field is sent by the first user whose page offers it.
                mine = what[0] in ("shown", "blank", "junk")
                if self._first_time("form", _form_key(target, what), mine):
                    answer = self.get(target, "form")
                    variant_page = self._page(target, answer)
                    links += variant_page.links if variant_page else []
        for link in same_site_links(url, links):
            route_only, values = _download_keys(link)
            if route_only is None:
                continue
            if self._first_time("download", route_only, True) | self._first_time(
                "download", values, False
            ):
                self.get(link, "download")
        return url, links

    def _page(self, url, response):
        """The parsed page, its addresses noted; None for what is not an HTML page."""
        if "text/html" not in response.get("Content-Type", "") or response.status_code >= 300:
            return None
        page = parse_page(response.content.decode())
        for found in same_site_links(url, page.links + page.targets):
            self._note_target(found)
        return page

    def _note_target(self, url: str) -> None:
        match = match_of(urlsplit(url).path)
        if match is None:
            return
        seen = self.targets.setdefault(match.route, [])
        if len(seen) < 5 and match.kwargs not in seen:
            seen.append(match.kwargs)

    def _first_time(self, how: str, key, mine: bool) -> bool:
        """Whether `key` is new for this user (`mine`) or for every user."""
        sent = self._sent if mine else self._sent_by_anyone
        if key is None or (how, key) in sent:
            return False
        sent.add((how, key))
        return True


def _form_key(url: str, what: tuple):
    """Each submission of a form (as shown, blank, each option) is sent once per route, whichever
    object's page showed the form and whatever its other fields then held."""
    match = match_of(urlsplit(url).path)
    return None if match is None else (match.view_name, what)


def _download_keys(url: str):
    """A download (export, PDF, scan) is fetched by each user once per route and query keys,
    and by someone once per value of its parameters that are not ids (each table of a
    dashboard, not each worker's photo). (None, None) for what is not a download."""
    parts = urlsplit(url)
    if parts.path.startswith(SKIP_PREFIXES) or route_key(parts.path, parts.query) is not None:
        return None, None
    match = match_of(parts.path)
    if match is None:
        return None, None
    values = tuple(sorted((k, str(v)) for k, v in match.kwargs.items() if not _looks_like_id(v)))
    keys = tuple(sorted({k for k, _ in parse_qsl(parts.query)}))
    return (match.view_name, keys), (match.view_name, values, keys)
