"""pytest plugin loaded with `-p` before Django's settings are read: test-only environment."""

import os

os.environ.setdefault("MITRA_TESTING", "1")
os.environ.setdefault("MITRA_TASKS_IMMEDIATE", "1")
# Playwright's sync API runs an event loop in the test thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
