"""What a test client needs from a page to walk on like a person: its links, the addresses its
forms and htmx attributes send to, and each GET form's submissions (every option of every select
and radio group, each checkbox, the form as shown, blank, and nonsense in every field)."""

import re
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urlencode, urljoin, urlsplit

# Inputs that are never part of a submission here (a file is for POST; buttons are handled apart).
_SKIPPED_INPUTS = {"file", "image", "reset", "button", "submit"}
JUNK = "zz"  # not a choice, a date, a number or a code: the form's view must refuse it calmly


@dataclass
class Field:
    name: str
    kind: str  # "fixed" (hidden), "text", "choice" (select, radio group), "check" (checkbox)
    options: list[str] = field(default_factory=list)
    default: str | None = None  # what the browser would send as shown; None: nothing


@dataclass
class Form:
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def add(self, new: Field) -> None:
        known = self.fields.get(new.name)
        if known is None or known.kind != new.kind or new.kind != "choice":
            self.fields.setdefault(new.name, new)
            return
        known.options += new.options  # the next radio button of a group
        known.default = known.default if known.default is not None else new.default


class PageParser(HTMLParser):
    """Collects `links` (a[href], hx-get), `targets` (every form action and hx-* address, for the
    routes they name) and `get_forms`."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.targets: list[str] = []
        self.get_forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        for key in ("hx-post", "hx-put", "hx-delete", "hx-patch"):
            if a.get(key):
                self.targets.append(a[key])
        if tag == "form":
            self.targets.append(a.get("action", ""))
            is_get = a.get("method", "get").lower() == "get"
            self._form = Form(a.get("action", "")) if is_get else None
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag, a):
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text").lower()
            if kind in _SKIPPED_INPUTS:
                return
            value = a.get("value", "on" if kind in ("checkbox", "radio") else "")
            checked = "checked" in a
            if kind == "hidden":
                self._form.add(Field(name, "fixed", default=value))
            elif kind == "radio":
                self._form.add(Field(name, "choice", [value], value if checked else None))
            elif kind == "checkbox":
                self._form.add(Field(name, "check", [value], value if checked else None))
            else:
                self._form.add(Field(name, "text", default=value))
        elif tag == "textarea" and name:
            self._form.add(Field(name, "text", default=""))
        elif tag == "select" and name:
            self._select = Field(name, "choice")
        elif tag == "option" and self._select is not None:
            self._close_option()  # an option's end tag may be left out
            self._option = {"value": a.get("value"), "text": "", "selected": "selected" in a}

    def _close_option(self):
        if self._option is None:
            return
        option, self._option = self._option, None
        value = option["value"] if option["value"] is not None else option["text"].strip()
        self._select.options.append(value)
        if option["selected"] or self._select.default is None:
            self._select.default = value

    def handle_data(self, data):
        if self._option is not None:
            self._option["text"] += data

    def handle_endtag(self, tag):
        if tag in ("option", "select") and self._select is not None:
            self._close_option()
        if tag == "select" and self._select is not None:
            self._form.add(self._select)
            self._select = None
        if tag == "form" and self._form is not None:
            self.get_forms.append(self._form)
            self._form = None


_ADDRESS = re.compile(r'\s(href|hx-get|hx-post|hx-put|hx-patch|hx-delete|action)="([^"]*)"')
_FORM = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
_METHOD = re.compile(r'^<form\b[^>]*\smethod="?post', re.I)


@dataclass
class Page:
    links: list[str]
    targets: list[str]
    get_forms: list[Form]


def parse_page(html: str) -> Page:
    """The page's links, targets and GET forms. Addresses are found by a pattern over the
    attributes and only the GET forms go through the HTML parser: a page has a hundred links
    and one filter form, and the walk reads a thousand pages."""
    links, targets = [], []
    for attr, value in _ADDRESS.findall(html):
        (links if attr in ("href", "hx-get") else targets).append(unescape(value))
    parser = PageParser()
    for form in _FORM.findall(html):
        if not _METHOD.match(form):
            parser.feed(form)
    parser.close()
    return Page(links, targets, parser.get_forms)


def submissions(form: Form, long_list: int = 8, offset: int = 0) -> list[tuple[str, list]]:
    """(what, pairs) to send: the form as shown, blank, nonsense, then each other option of each
    field. A select longer than `long_list` (regions, courses: one code path for all of them)
    gives `long_list` options spread over it, starting at `offset` (each user a different share)."""
    fields = list(form.fields.values())

    def send(overrides: dict[str, str | None]) -> list[tuple[str, str]]:
        pairs = []
        for f in fields:
            value = overrides.get(f.name, f.default) if f.kind != "fixed" else f.default
            if value is not None:
                pairs.append((f.name, value))
        return pairs

    editable = [f for f in fields if f.kind != "fixed"]
    names = tuple(f.name for f in editable)
    blank = {f.name: (None if f.kind == "check" else "") for f in editable}
    result = [(("shown", names), send({})), (("blank", names), send(blank))]
    result.append((("junk", names), send({f.name: JUNK for f in editable})))
    for f in editable:
        if f.kind == "check":
            toggled = None if f.default is not None else f.options[0]
            result.append(((f.name, toggled), send({f.name: toggled})))
        options = f.options if f.kind == "choice" else []
        if len(options) > long_list:
            step = len(options) / long_list
            options = [options[(int(i * step) + offset) % len(options)] for i in range(long_list)]
        for option in options:
            if option != f.default:
                result.append(((f.name, option), send({f.name: option})))
    return result


def submission_urls(page_url: str, form: Form, offset: int = 0) -> list[tuple[tuple, str]]:
    """(what, address) a browser would open for each of `submissions(form)`: a GET form drops
    its action's own query and sends its fields instead."""
    path = urlsplit(urljoin(page_url, form.action)).path
    return [
        (what, path + "?" + urlencode(pairs) if pairs else path)
        for what, pairs in submissions(form, offset=offset)
    ]
