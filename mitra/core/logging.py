"""Logging filter that keeps NIKs (16-digit numbers) out of every log line."""

import logging
import re

NIK_IN_TEXT = re.compile(r"(?<!\d)(\d{4})\d{8}(\d{4})(?!\d)")


def redact(text: str) -> str:
    return NIK_IN_TEXT.sub(r"\1********\2", text)


class RedactNikFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        # A traceback is part of the line too (an exception's text may hold a NIK). Formatting it
        # here caches it on the record, where the handler's formatter takes it from.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
