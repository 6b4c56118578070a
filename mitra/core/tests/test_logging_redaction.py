"""NIKs (16-digit national ID numbers) never reach a log line in full."""

import io
import logging

import pytest

from mitra.core.logging import RedactNikFilter

NIK = "3402094506870001"
MASKED = "3402********0001"


def record(msg, *args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("mitra.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def filtered_message(msg, *args) -> str:
    rec = record(msg, *args)
    assert RedactNikFilter().filter(rec) is True  # redacts, never drops the line
    return rec.getMessage()


def test_nik_in_the_message_is_masked():
    assert filtered_message(f"NIK {NIK} sudah terdaftar") == f"NIK {MASKED} sudah terdaftar"


def test_nik_passed_as_a_format_argument_is_masked():
    assert filtered_message("NIK %s untuk %s ditolak", NIK, "Sri") == (
        f"NIK {MASKED} untuk Sri ditolak"
    )


def test_every_nik_in_a_line_is_masked():
    second = "3404015212900002"

    message = filtered_message(f"{NIK},{second};nik={NIK}")

    assert message == f"{MASKED},3404********0002;nik={MASKED}"


@pytest.mark.parametrize(
    "text",
    [
        "phone 081234567890",  # 12 digits
        "id 123456789012345",  # 15 digits
        "kk 12345678901234567",  # 17 digits: not a NIK
        "region 34.02.09.2004",
        "no numbers here",
    ],
)
def test_other_numbers_are_left_alone(text):
    assert filtered_message(text) == text


def test_nik_in_a_logged_exception_is_masked():
    try:
        raise ValueError(f"duplicate NIK {NIK}")
    except ValueError:
        import sys

        rec = record("import failed", exc_info=sys.exc_info())
    RedactNikFilter().filter(rec)

    line = logging.Formatter("%(message)s").format(rec)

    assert NIK not in line
    assert MASKED in line


def test_configured_console_handler_masks_niks():
    handler = next(
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactNikFilter) for f in h.filters)
    )
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logging.getLogger("mitra.test").warning("NIK %s tidak valid", NIK)
    finally:
        handler.setStream(previous)

    assert MASKED in stream.getvalue()
    assert NIK not in stream.getvalue()
