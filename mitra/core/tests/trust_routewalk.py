"""Walking every route of the URL resolver (pages and API), for the checks that must cover routes
added later without anyone listing them: CSRF on every state change, no GET that writes."""

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

SAMPLE = {
    "int": "999999",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "uuidstr": "00000000-0000-4000-8000-000000000000",
    "slug": "x",
    "str": "x",
    "path": "x",
}
# Regex routes: each named group gets the first of these its own pattern matches.
REGEX_CANDIDATES = ["34", "3402", "nasional", "csv", "x", "a", "1", "34.02", "2026"]
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    template: str  # e.g. "/pekerja/<uuid:pk>/ubah/"
    params: tuple[tuple[str, str], ...]  # (converter, name)
    name: str
    callback: object
    regex_samples: tuple[tuple[str, str], ...] = ()

    def path(self, values: dict[str, str] | None = None) -> str:
        values = {**dict(self.regex_samples), **(values or {})}

        def fill(match):
            converter = match.group("converter") or "str"
            return str(values.get(match.group("name"), SAMPLE.get(converter, "x")))

        return _PARAM.sub(fill, self.template)

    @property
    def is_api(self) -> bool:
        return self.template.startswith("/api/")


_GROUP = re.compile(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)")


def _regex_to_route(regex: str, samples: dict[str, str]) -> str:
    """`^(?P<code>\\d{2})/$` -> `<regex:code>/`, with a sample for each group in `samples`."""
    text = regex.lstrip("^").rstrip("$").replace("\\Z", "")
    for match in _GROUP.finditer(text):
        name, body = match.group(1), match.group(2)
        samples[name] = next((c for c in REGEX_CANDIDATES if re.fullmatch(body, c)), "x")
    text = _GROUP.sub(r"<regex:\1>", text)
    return text.replace("\\", "")


def routes() -> list[Route]:
    found = []

    def walk(resolver, prefix, namespace, samples):
        for pattern in resolver.url_patterns:
            own = dict(samples)
            text = _text(pattern.pattern, own)
            if isinstance(pattern, URLResolver):
                walk(pattern, prefix + text, pattern.namespace or namespace, own)
            elif isinstance(pattern, URLPattern):
                template = "/" + prefix + text
                params = tuple(
                    (m.group("converter") or "str", m.group("name"))
                    for m in _PARAM.finditer(template)
                )
                name = f"{namespace}:{pattern.name}" if namespace else (pattern.name or "")
                found.append(
                    Route(template, params, name, pattern.callback, tuple(sorted(own.items())))
                )

    walk(get_resolver(), "", "", {})
    return found


def _text(pattern, samples: dict[str, str]) -> str:
    if isinstance(pattern, RoutePattern):
        return str(pattern)
    if isinstance(pattern, RegexPattern):
        return _regex_to_route(pattern._regex, samples)
    return str(pattern)


def unreachable(all_routes: list[Route]) -> list[str]:
    """Routes whose sample path does not resolve back to them (the walk would miss them)."""
    from django.urls import Resolver404, resolve

    missing = []
    for route in all_routes:
        try:
            match = resolve(route.path())
        except Resolver404:
            missing.append(route.template)
            continue
        if match.func is not route.callback and match.route != route.template.lstrip("/"):
            missing.append(route.template)
    return missing
