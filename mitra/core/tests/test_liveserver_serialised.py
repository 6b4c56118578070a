"""The browser tests' live server answers one request at a time on SQLite
(mitra/testing_liveserver.py): the in-memory test database refuses a write while another request
holds a table, and a refused COMMIT left a connection with autocommit off, failing later tests."""

import threading
import time
import urllib.request

import pytest
from django.db import connection

from mitra.testing_liveserver import SharedConnectionServer, serialised


def test_a_serialised_application_never_runs_two_requests_at_once():
    running = []
    most = []
    lock = threading.Lock()

    def app(environ, start_response):
        running.append(1)
        most.append(len(running))
        time.sleep(0.02)

        def body():
            yield b"a"
            time.sleep(0.02)  # a streamed body is read inside the lock too
            most.append(len(running))
            running.pop()
            yield b"b"

        return body()

    wrapped = serialised(app, lock)
    answers = []
    threads = [
        threading.Thread(target=lambda: answers.append(wrapped({}, lambda *a: None)))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [[b"a", b"b"]] * 6
    assert max(most) == 1


@pytest.mark.django_db(transaction=True)
def test_the_live_server_is_serialised_exactly_on_sqlite(live_server):
    server = live_server.thread.httpd
    assert isinstance(server, SharedConnectionServer)
    assert server.serialised is (connection.vendor == "sqlite")
    with urllib.request.urlopen(f"{live_server.url}/masuk/", timeout=30) as answer:  # noqa: S310
        assert answer.status == 200
