"""HTTP server: routes `/_emulator/...` to the control API, `/v2/email/...` to SES v2
(REST-JSON) and `POST /` with `Action=` to SES v1 (query/XML).

The account comes from the access key in the SigV4 `Credential=` scope (mapped by the
scenario; unknown keys go to 000000000000), the region from the same scope. Signatures
are not checked: any fake credentials work.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import socket
import struct
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from emulator import control, faults, route53_xml, v1, v2
from emulator.app import App
from emulator.errors import SesError, unknown_operation

log = logging.getLogger("emulator")
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/(\d{8})/([^/,\s]+)/([^/,\s]+)/aws4_request")


def credential_scope(headers: Any, query: dict[str, str]) -> tuple[str | None, str, str]:
    """(access key id, region, service) from the Authorization header or a presigned URL."""
    source = headers.get("Authorization") or ""
    if not source and "X-Amz-Credential" in query:
        source = "Credential=" + query["X-Amz-Credential"]
    match = _CREDENTIAL.search(source)
    if match is None:
        return None, "us-east-1", "ses"
    return match.group(1), match.group(3), match.group(4)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, keep-alive clients wait ~40 ms
    # for a delayed ACK on every request.
    disable_nagle_algorithm = True
    server: EmulatorHTTPServer

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    # -- answers ------------------------------------------------------------------
    def _send(
        self, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _refuse(self) -> None:
        """Drop the connection with no HTTP answer (RST): botocore sees a connection error."""
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))

    def _v2_error(self, err: SesError, rid: str) -> None:
        body = json.dumps({"message": err.message}).encode()
        self._send(
            err.status,
            body,
            "application/json",
            {"x-amzn-ErrorType": err.code, "x-amzn-RequestId": rid},
        )

    def _v1_error(self, err: SesError, rid: str) -> None:
        self._send(err.v1_status, v1.render_error(err, rid), "text/xml", {"x-amzn-RequestId": rid})

    def _route53(
        self, account_id: str, path: str, query: dict[str, str], raw: bytes, rid: str
    ) -> None:
        """Route 53 (rest-xml): a global service, so no region state and no SES rate limit."""
        app = self.server.app
        try:
            op, arg = route53_xml.route(self.command, path)
            app.state.count(account_id, "global", op)
            body = route53_xml.run(app.route53, account_id, op, arg, query, raw)
            self._send(200, body, "text/xml", {"x-amzn-RequestId": rid})
        except SesError as err:
            headers = {"x-amzn-RequestId": rid}
            self._send(err.status, route53_xml.render_error(err, rid), "text/xml", headers)

    # -- dispatch -----------------------------------------------------------------
    def _handle(self) -> None:
        rid = str(uuid.uuid4())
        app = self.server.app
        is_v1 = False
        try:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length > 0 else b""
            url = urlsplit(self.path)
            query = dict(parse_qsl(url.query, keep_blank_values=True))
            if url.path.startswith("/_emulator"):
                status, payload, ctype = control.handle(
                    app, self.command, url.path, query, raw, self.headers
                )
                self._send(status, payload, ctype)
                return
            key, region, _service = credential_scope(self.headers, query)
            if url.path.startswith(route53_xml.PREFIX):
                self._route53(app.state.account_for_key(key), url.path, query, raw, rid)
                return
            reg = app.state.region(app.state.account_for_key(key), region)
            if url.path in ("", "/") and self.command in ("POST", "GET"):
                is_v1 = True
                form = dict(query)
                if raw:
                    form.update(parse_qsl(raw.decode("utf-8", "replace"), keep_blank_values=True))
                action = form.get("Action", "")
                if action not in v1.OPERATIONS:
                    raise unknown_operation(f"{action or '(no Action)'} for version 2010-12-01")
                if faults.check(app.state, reg, action) == "refuse":
                    self._refuse()
                    return
                with app.ev.view.snapshot():
                    result = v1.run(app, reg, action, form)
                self._send(
                    200, v1.render(action, result, rid), "text/xml", {"x-amzn-RequestId": rid}
                )
                return
            op, params = v2.route(self.command, url.path)
            body: dict[str, Any] = {}
            if raw.strip():
                try:
                    body = json.loads(raw)
                except ValueError:
                    raise SesError(
                        "BadRequestException", "The request body is not valid JSON."
                    ) from None
                if not isinstance(body, dict):
                    raise SesError("BadRequestException", "The request body must be a JSON object.")
            if faults.check(app.state, reg, op) == "refuse":
                self._refuse()
                return
            with app.ev.view.snapshot():
                result = v2.run(app, reg, op, params, query, body)
            self._send(
                200, json.dumps(result).encode(), "application/json", {"x-amzn-RequestId": rid}
            )
        except SesError as err:
            (self._v1_error if is_v1 else self._v2_error)(err, rid)
        except Exception:
            # A bug in the emulator: answer as SES does for an internal error, never a traceback.
            log.error("emulator bug on %s %s:\n%s", self.command, self.path, traceback.format_exc())
            err = SesError("InternalFailure", "An internal error occurred.")
            (self._v1_error if is_v1 else self._v2_error)(err, rid)


class EmulatorHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: App, host: str, port: int) -> None:
        super().__init__((host, port), Handler)
        self.app = app
        app.state.base_url = f"http://{host}:{self.server_address[1]}"

    @property
    def port(self) -> int:
        return int(self.server_address[1])


def make_server(
    app: App | None = None, host: str = "127.0.0.1", port: int = 0
) -> EmulatorHTTPServer:
    return EmulatorHTTPServer(app or App(), host, port)
