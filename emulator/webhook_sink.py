"""A local webhook receiver for sesops' alerts (demo, tests, benchmarks; never imported by
the apps). It does what a real receiver should: verifies the Standard Webhooks signature
and timestamp, and de-duplicates by `webhook-id` (the delivery's idempotency key).

    python -m emulator.webhook_sink --port 8026 --secret-file var/demo/webhook-secret

- `POST <any path>`: a delivery. 401 on a bad signature, 200 otherwise (also for a
  duplicate, which is counted but not stored twice).
- `GET /`: the alerts received, newest first (an HTML page that reloads itself).
- `GET /_sink/received`: JSON `{"unique": [...], "receipts": [...]}`.
- `POST /_sink/config`: JSON `{"fail_next": N, "status": 503, "hold_seconds": 0}` makes the
  next N deliveries fail with that status, or hold the answer (to kill a sender mid-send).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import hashlib
import hmac
import html
import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

TOLERANCE = 300  # seconds a timestamp may be off (replay protection)


def verify(secret: str, headers: Any, body: bytes, now: float | None = None) -> str:
    """'' when the signature and timestamp are good, else why not."""
    msg_id = headers.get("webhook-id") or ""
    stamp = headers.get("webhook-timestamp") or ""
    given = headers.get("webhook-signature") or ""
    if not (msg_id and stamp and given):
        return "missing webhook-id / webhook-timestamp / webhook-signature"
    try:
        when = int(stamp)
    except ValueError:
        return "bad timestamp"
    if abs((now or time.time()) - when) > TOLERANCE:
        return "timestamp too old or in the future"
    raw = secret.removeprefix("whsec_")
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError:
        key = raw.encode()
    expected = base64.b64encode(
        hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()
    ).decode()
    for part in given.split():
        version, _, sig = part.partition(",")
        if version == "v1" and hmac.compare_digest(sig, expected):
            return ""
    return "signature does not match"


@dataclass
class Sink:
    secret: str = ""
    unique: dict[str, dict] = field(default_factory=dict)  # by webhook-id, first copy
    receipts: list[dict] = field(default_factory=list)  # every request, in order
    fail_next: int = 0
    fail_status: int = 503
    hold_seconds: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def receive(self, headers: Any, body: bytes) -> tuple[int, dict]:
        problem = verify(self.secret, headers, body) if self.secret else ""
        msg_id = headers.get("webhook-id") or ""
        with self.lock:
            receipt = {"id": msg_id, "at": time.time(), "valid": not problem, "error": problem}
            self.receipts.append(receipt)
            if problem:
                return 401, {"error": problem}
            hold, self.hold_seconds = self.hold_seconds, 0.0
            if self.fail_next > 0:
                self.fail_next -= 1
                receipt["answered"] = self.fail_status
                return self.fail_status, {"error": "told to fail"}
            duplicate = msg_id in self.unique
            receipt["duplicate"] = duplicate
            if not duplicate:
                self.unique[msg_id] = {"id": msg_id, "at": receipt["at"], "body": json.loads(body)}
        if hold:
            time.sleep(hold)  # the sender may be killed meanwhile; the copy is kept anyway
        return 200, {"ok": True, "duplicate": duplicate}

    def snapshot(self) -> dict:
        with self.lock:
            return {"unique": list(self.unique.values()), "receipts": list(self.receipts)}


class _Handler(BaseHTTPRequestHandler):
    server: SinkServer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, ctype: str = "application/json") -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # sender died
            self.wfile.write(body)

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_POST(self) -> None:
        sink = self.server.sink
        raw = self._body()
        if self.path == "/_sink/config":
            conf = json.loads(raw or b"{}")
            with sink.lock:
                sink.fail_next = int(conf.get("fail_next", sink.fail_next))
                sink.fail_status = int(conf.get("status", sink.fail_status))
                sink.hold_seconds = float(conf.get("hold_seconds", sink.hold_seconds))
            self._send(200, b'{"ok": true}')
            return
        status, answer = sink.receive(self.headers, raw)
        self._send(status, json.dumps(answer).encode())

    def do_GET(self) -> None:
        if self.path.startswith("/_sink/received"):
            self._send(200, json.dumps(self.server.sink.snapshot()).encode())
            return
        self._send(200, _page(self.server.sink.snapshot()).encode(), "text/html; charset=utf-8")


def _page(data: dict) -> str:
    rows = []
    for item in reversed(data["unique"]):
        for alert in item["body"].get("alerts", []):
            stamp = time.strftime("%H:%M:%S", time.localtime(item["at"]))
            rows.append(
                f"<tr><td>{stamp}</td><td>{html.escape(alert['state'])}</td>"
                f"<td>{html.escape(alert['severity'])}</td>"
                f"<td><a href='{html.escape(alert['url'])}'>{html.escape(alert['text'])}</a></td>"
                f"<td><code>{html.escape(item['id'][:8])}</code></td></tr>"
            )
    dupes = sum(1 for r in data["receipts"] if r.get("duplicate"))
    bad = sum(1 for r in data["receipts"] if not r["valid"])
    return (
        "<!doctype html><meta charset=utf-8><meta http-equiv=refresh content=5>"
        "<meta name=viewport content='width=device-width'><title>Webhook sink</title>"
        "<body style='font-family:sans-serif;margin:1rem'><h1>Alerts received by webhook</h1>"
        f"<p>{len(data['unique'])} deliveries, {dupes} duplicates dropped, {bad} bad signatures"
        "</p><table border=1 cellpadding=4 style='border-collapse:collapse'>"
        "<tr><th>received</th><th>state</th><th>severity</th><th>alert</th><th>delivery</th></tr>"
        + "".join(rows)
        + "</table>"
    )


class SinkServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], sink: Sink) -> None:
        super().__init__(address, _Handler)
        self.sink = sink

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hook"


@contextmanager
def run_sink(secret: str = "", port: int = 0):
    """A sink in a background thread (tests): yields the server (`.url`, `.sink`)."""
    server = SinkServer(("127.0.0.1", port), Sink(secret=secret))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description="A local receiver for sesops' webhooks")
    parser.add_argument("--port", type=int, default=8026)
    parser.add_argument("--secret-file", type=Path, help="the channel's whsec_ secret")
    args = parser.parse_args()
    secret = args.secret_file.read_text().strip() if args.secret_file else ""
    server = SinkServer(("127.0.0.1", args.port), Sink(secret=secret))
    print(f"webhook sink on {server.url} (page: http://127.0.0.1:{args.port}/)", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
