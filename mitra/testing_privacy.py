"""pytest plugin: no NIK in a log record or a request URL, over the whole test suite.

Every log record created anywhere (any logger, propagating or not, before any handler's filter) and
the full path of every request Django handles (test client, live server, browser tests) is checked
for a 16-digit number that is a valid NIK by `mitra.core.nik.validate_nik`. A test during which
one appears fails with the offending text masked; one found outside a test fails the session.

The console handler's masking filter is a safety net, not permission to log a NIK: records are
checked before it runs. The only tests allowed to log NIKs are the ones proving that net works.
"""

import logging
import re
import threading
from urllib.parse import unquote_plus

import pytest

SIXTEEN_DIGITS = re.compile(r"(?<!\d)\d{16}(?!\d)")

# Tests that log a NIK on purpose, and why.
ALLOWED_MODULES = {
    "mitra/core/tests/test_logging_redaction.py": "logs NIKs to prove the console filter masks them",
}

# Known leaks awaiting a fix, by test: reported at the end of the run instead of failing it.
KNOWN_LEAKS: dict[str, str] = {}

_lock = threading.Lock()
_known_seen: list[str] = []
_findings: list[str] = []
_current = {"allowed": False}


def nik_in(text: str) -> str | None:
    """The first valid NIK in `text` (also after URL-decoding), else None."""
    from mitra.core.nik import NikError, validate_nik

    for candidate in {text, unquote_plus(text)}:
        for match in SIXTEEN_DIGITS.finditer(candidate):
            try:
                return validate_nik(match.group()).value
            except NikError:
                continue
    return None


def _found(kind: str, where: str, nik: str) -> None:
    if _current["allowed"]:
        return
    masked = nik[:4] + "********" + nik[-4:]
    with _lock:
        _findings.append(f"{kind}: NIK {masked} in {where}")


def _record_text(record: logging.LogRecord) -> str:
    try:
        text = record.getMessage()
    except Exception:  # a bad format string is not this plugin's business
        text = str(record.msg)
    if record.exc_info and record.exc_info[1] is not None:
        text += " " + repr(record.exc_info[1])
    return text


def _install() -> None:
    original_factory = logging.getLogRecordFactory()
    if getattr(original_factory, "_mitra_privacy", False):
        return

    def factory(*args, **kwargs):
        record = original_factory(*args, **kwargs)
        nik = nik_in(_record_text(record))
        if nik:
            _found("log", f"logger {record.name!r} ({record.pathname}:{record.lineno})", nik)
        return record

    factory._mitra_privacy = True
    logging.setLogRecordFactory(factory)

    from django.core.handlers.base import BaseHandler

    original_get_response = BaseHandler.get_response

    def get_response(self, request):
        path = request.get_full_path()
        nik = nik_in(path)
        if nik:
            _found(
                "url", f"{request.method} {path.replace(nik, nik[:4] + '********' + nik[-4:])}", nik
            )
        return original_get_response(self, request)

    BaseHandler.get_response = get_response


def pytest_sessionstart(session):
    _install()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    _current["allowed"] = item.nodeid.split("::")[0] in ALLOWED_MODULES
    with _lock:
        _findings.clear()
    yield
    _current["allowed"] = False


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    with _lock:
        found = list(_findings) if call.when in ("call", "teardown") else []
        if found:
            _findings.clear()
    if found and item.nodeid in KNOWN_LEAKS:
        with _lock:
            _known_seen.append(f"{item.nodeid}: {KNOWN_LEAKS[item.nodeid]}")
    elif found and report.outcome != "failed":
        report.outcome = "failed"
        report.longrepr = "Personal data leaked (mitra/testing_privacy.py):\n" + "\n".join(
            sorted(set(found))
        )


def pytest_terminal_summary(terminalreporter):
    if _known_seen:
        terminalreporter.write_sep("-", "known personal-data leaks (mitra/testing_privacy.py)")
        for line in sorted(set(_known_seen)):
            terminalreporter.write_line(line, yellow=True)


def pytest_sessionfinish(session, exitstatus):
    with _lock:
        left = list(_findings)
    if left:
        session.config.get_terminal_writer().line(
            "Personal data leaked outside a test (mitra/testing_privacy.py):\n" + "\n".join(left),
            red=True,
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
