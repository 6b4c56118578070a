"""The live server of the browser tests answers one request at a time on SQLite.

On SQLite the test database lives in memory with a shared cache, which locks whole tables and
does not wait: a second request writing while another one reads fails at once with "database
table is locked". Requests overlap in the browser tests: a page and the field app's service
worker (the walks open /lapangan/, which installs it), or a page still loading when the next one
starts. A COMMIT refused that way leaves the thread's connection with autocommit off outside any
atomic block, and every later request on it that defers work to the commit fails
(`on_commit() cannot be used in manual transaction management`): one slow page turned into four
failing tests in CI. A real install uses a WAL file with a busy timeout and does not have this.
Serialising the application, with the body read inside the lock (a streamed response may still
query), removes the overlap; PostgreSQL keeps the concurrency.
"""

import threading

from django.core.servers.basehttp import ThreadedWSGIServer


def serialised(application, lock: threading.Lock):
    """`application` (WSGI) answering one request at a time, each body read in full."""

    def answer(environ, start_response):
        with lock:
            result = application(environ, start_response)
            try:
                body = list(result)
            finally:
                if hasattr(result, "close"):
                    result.close()
        return body

    return answer


class SharedConnectionServer(ThreadedWSGIServer):
    """Django's threaded test server, serialised when the database is SQLite; unchanged on
    PostgreSQL."""

    @property
    def serialised(self) -> bool:
        from django.db import connections

        return connections["default"].vendor == "sqlite"

    def set_app(self, application):
        if self.serialised:
            application = serialised(application, threading.Lock())
        super().set_app(application)


def install() -> None:
    from django.test.testcases import LiveServerThread

    LiveServerThread.server_class = SharedConnectionServer
