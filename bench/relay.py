"""A user-space latency relay (in the spirit of toxiproxy) for the bench's slow-link figures.

This kernel has no netem (`tc qdisc ... netem`: "Specified qdisc kind is unknown"), so the phone's
link is emulated in user space instead: an asyncio TCP proxy on 127.0.0.1 (a free port) in front
of the server. For every connection it opens the connection to the server one one-way delay
after the client's, and forwards each chunk it reads, in each direction, one one-way delay after
it arrived, after pacing it to the profile's rate in that direction (a chunk is sent on the
"wire" once the chunks before it in the same direction are; one wire per direction, shared by
the connections, as one phone's). Each direction has a queue, each chunk's release time =
arrival (or the end of the chunk before it on the wire) + its bytes at the rate + the delay, so
order per direction is kept.

What it approximates: the link's latency per chunk and its rate, each way. What it does not: TCP
slow start, loss and retransmission, the radio's wake-up, jitter. Nor the TCP handshake's own
round trip: the client connects to the relay at once and sends its request straight away, so a
new connection costs one round trip here, not the two of a real one. That makes the 30
one-by-one requests (one connection each) cheaper than on a real link, so a ratio against them is
on the low side.

    .venv/bin/python bench/relay.py --self-check          # a GET of a small page through it
    .venv/bin/python bench/relay.py --target 127.0.0.1:8000 [--profile 3g]   # prints its port
"""

import argparse
import asyncio
import sys
import threading
import time

# WebPageTest's "3G" connectivity profile: 300 ms round trip (150 ms each way), 1.6 Mbit/s down,
# 768 kbit/s up. The bench's earlier 3G model assumed the same 300 ms round trip.
PROFILES = {
    "3g": {
        "label": "WebPageTest 3G: 300 ms RTT, 1.6 Mbit/s down, 768 kbit/s up",
        "delay_s": 0.150,
        "down_bps": 1_600_000,
        "up_bps": 768_000,
    },
}
CHUNK = 16 * 1024  # read size: a big answer is paced in pieces, not held back whole


class _Wire:
    """One direction of the link: when it is free again, and its rate (bits per second)."""

    def __init__(self, bps: float):
        self.bps, self.free_at = bps, 0.0


async def _pipe(reader, queue, wire: _Wire, delay: float) -> None:
    """Read chunks as they come; each gets its release time (in order) on the queue."""
    loop = asyncio.get_running_loop()
    try:
        while data := await reader.read(CHUNK):
            start = max(loop.time(), wire.free_at)
            wire.free_at = start + len(data) * 8 / wire.bps if wire.bps else start
            queue.put_nowait((wire.free_at + delay, data))
    except ConnectionError:
        pass
    queue.put_nowait((loop.time() + delay, None))  # the end, after what was sent before it


async def _release(queue, writer) -> None:
    """Write each chunk at its release time; on the end, half-close that side."""
    loop = asyncio.get_running_loop()
    try:
        while True:
            at, data = await queue.get()
            if (wait := at - loop.time()) > 0:
                await asyncio.sleep(wait)
            if data is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass


class Relay:
    def __init__(self, target: tuple[str, int], profile: str):
        p = PROFILES[profile]
        self.target, self.delay = target, p["delay_s"]
        self.up, self.down = _Wire(p["up_bps"]), _Wire(p["down_bps"])

    async def handle(self, c_reader, c_writer) -> None:
        up_q, down_q = asyncio.Queue(), asyncio.Queue()
        # the client's bytes are timed from now, while the server's side is still connecting
        up_in = asyncio.create_task(_pipe(c_reader, up_q, self.up, self.delay))
        await asyncio.sleep(self.delay)
        try:
            s_reader, s_writer = await asyncio.open_connection(*self.target)
        except OSError:
            up_in.cancel()
            c_writer.close()
            return
        await asyncio.gather(
            up_in,
            _release(up_q, s_writer),
            _pipe(s_reader, down_q, self.down, self.delay),
            _release(down_q, c_writer),
        )
        for w in (s_writer, c_writer):
            w.close()

    async def serve(self, port: int = 0, ready=None) -> None:
        server = await asyncio.start_server(self.handle, "127.0.0.1", port)
        if ready:
            ready(server.sockets[0].getsockname()[1])
        async with server:
            await server.serve_forever()


def start_in_thread(target: tuple[str, int], profile: str) -> int:
    """The relay on a daemon thread of its own loop; returns its port."""
    got = threading.Event()
    port = []

    def ready(p):
        port.append(p)
        got.set()

    relay = Relay(target, profile)
    threading.Thread(target=lambda: asyncio.run(relay.serve(ready=ready)), daemon=True).start()
    got.wait(10)
    return port[0]


def self_check(profile: str = "3g") -> None:
    """Printed, not a test: a small page through the relay should take about one round trip."""
    import http.server
    import urllib.request

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            body = b"<p>ok</p>" * 100
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    port = start_in_thread(httpd.server_address, profile)
    for _ in range(3):
        t0 = time.perf_counter()
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10).read()  # noqa: S310
        ms = (time.perf_counter() - t0) * 1000
        ok = "ok" if 300 <= ms < 1000 else "OUT OF RANGE"
        print(f"GET of {len(body)} bytes through the relay ({profile}): {ms:.0f} ms [{ok}]")
    httpd.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(PROFILES), default="3g")
    parser.add_argument("--target", help="host:port of the server")
    parser.add_argument("--self-check", action="store_true")
    args = parser.parse_args()
    if args.self_check:
        self_check(args.profile)
        return 0
    host, port = args.target.rsplit(":", 1)

    def ready(p):
        print(p, flush=True)

    asyncio.run(Relay((host, int(port)), args.profile).serve(ready=ready))
    return 0


if __name__ == "__main__":
    sys.exit(main())
